/* test-fault.c: every system call the library makes fails in turn
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The system calls the library depends on (mmap, mremap, munmap, msync,
 * madvise, mprotect, mlock2, munlock, mincore, ftruncate, fallocate,
 * fstat, fcntl, dup, memfd_create, open) are defined in this executable,
 * so they interpose the shared library's calls to libc. Each forwards to
 * the next definition, found with dlsym (RTLD_NEXT), unless an injection
 * is armed: "the k-th call to X, counted from now, fails with errno E".
 * fcntl counts as three sites: F_DUPFD_CLOEXEC (with dup, "dup"),
 * F_ADD_SEALS and F_GET_SEALS; its other commands always go through.
 * open includes seal_readonly()'s reopening of /proc/self/fd/N.
 *
 * For every kind of map, every operation and every system call the
 * operation makes, k runs over 1, 2, 3, … until the operation no longer
 * reaches a k-th call. The calls an operation makes after a failure (a
 * fallback such as a fresh mmap when mremap fails, or an undo) then get a
 * second failure of their own, one at a time, except ftruncate: when the
 * undo of last resort fails, nothing can restore the file.
 *
 * After each injected failure the operation either failed with a GError
 * and changed nothing (file bytes and size, map bytes, length, position),
 * or succeeded with exactly what a successful call gives. "Nothing"
 * includes the memory's seals, the map's protection (what the object says
 * and, page by page, what /proc/self/maps says) and the process's locked
 * memory (VmLck). Whatever the outcome, the object never claims an access
 * its pages do not allow (that access would crash): a write is tried when
 * both agree it is allowed, and must be refused cleanly otherwise. Either
 * way no fd and no mapping is left once the map is closed and
 * unreferenced. A munmap that the injection failed leaves its range
 * mapped, as the kernel would: the test accounts for exactly that range
 * and unmaps it itself.
 *
 * Two failures may change something, openly. seal_readonly() maps the
 * map again read-only before it seals; if sealing fails and mapping it
 * writable again fails too, the map may stay read-only, provided the
 * object's protection and the error message say so. And if the munmap of
 * the writable mapping failed, that mapping keeps the memory from being
 * sealed: EBUSY, truthfully, instead of the munmap's errno, which the
 * mapping's last unref has nowhere to report.
 *
 * Locking on fault needs mlock2(), which valgrind lacks: there the call
 * must be refused cleanly (MMAP_ERROR_NOT_SUPPORTED, nothing changed) and
 * the test is skipped. Under ASan munlock() does nothing (its
 * interceptor): unlocking is not checked against VmLck there.
 *
 * This works under valgrind, and under ASan too: the executable's
 * definitions come before the sanitizer's interceptors, which are then
 * what dlsym (RTLD_NEXT) finds.
 *
 * Each mismatch is logged as a TAP comment naming the operation, kind,
 * system call, errno and k, and fails the test; the loop then goes on, so
 * one run lists every failing case.
 */

/* Define mmap and mmap64, fstat and fstat64, … each under its own name:
 * with _FILE_OFFSET_BITS=64 the headers would rename mmap to mmap64, and
 * fortified headers would turn open into an inline function. */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "test-util.h"

/* ------------------------------------------------------------------ */
/* The injector                                                       */

typedef enum
{
  SC_FTRUNCATE,
  SC_FALLOCATE,
  SC_MMAP,
  SC_MREMAP,
  SC_MUNMAP,
  SC_MSYNC,
  SC_MADVISE,
  SC_FSTAT,
  SC_DUP,
  SC_MEMFD_CREATE,
  SC_OPEN,
  SC_MPROTECT,
  SC_MLOCK2,
  SC_MUNLOCK,
  SC_MINCORE,
  SC_ADD_SEALS,
  SC_GET_SEALS,
  N_SC
} Syscall;

#define MAX_ERRNOS 4

static const struct
{
  const char *name;
  int         errnos[MAX_ERRNOS];   /* 0-terminated */
} syscalls[N_SC] = {
  [SC_FTRUNCATE]    = { "ftruncate",    { EIO, EPERM, EFBIG } },
  [SC_FALLOCATE]    = { "fallocate",    { ENOSPC, EOPNOTSUPP } },
  [SC_MMAP]         = { "mmap",         { ENOMEM } },
  [SC_MREMAP]       = { "mremap",       { ENOMEM, EFAULT } },
  [SC_MUNMAP]       = { "munmap",       { ENOMEM, EINVAL } },
  [SC_MSYNC]        = { "msync",        { EIO } },
  [SC_MADVISE]      = { "madvise",      { EINVAL, EAGAIN, ENOMEM } },
  [SC_FSTAT]        = { "fstat",        { EIO } },
  [SC_DUP]          = { "dup",          { EMFILE } },
  [SC_MEMFD_CREATE] = { "memfd_create", { EMFILE } },
  [SC_OPEN]         = { "open",         { EACCES, EMFILE } },
  [SC_MPROTECT]     = { "mprotect",     { ENOMEM, EACCES, EINVAL } },
  /* EINVAL: what glibc answers for MLOCK_ONFAULT without the system
   * call (valgrind, kernels before 4.4) */
  [SC_MLOCK2]       = { "mlock2",       { ENOMEM, EPERM, EAGAIN, EINVAL } },
  [SC_MUNLOCK]      = { "munlock",      { ENOMEM, EINVAL } },
  [SC_MINCORE]      = { "mincore",      { ENOMEM, EAGAIN } },
  [SC_ADD_SEALS]    = { "fcntl(F_ADD_SEALS)", { EBUSY, EPERM, EINVAL } },
  /* EINVAL: not sealable; EBADF stands for any other failure */
  [SC_GET_SEALS]    = { "fcntl(F_GET_SEALS)", { EINVAL, EBADF } },
};

typedef struct
{
  guintptr lo;
  guintptr hi;
} Region;

/* One injection: the k-th call to sc (counted from the arming) fails
 * with err. */
typedef struct
{
  Syscall   sc;
  guint     k;
  int       err;
  gboolean  fired;
  gpointer  caller;               /* the return address of the failed call */
  guint     calls_at_fire[N_SC];  /* the counts once it fired */
} Injection;

#define MAX_INJECTIONS 2

/* Only the thread that arms the injections counts calls: GLib's worker
 * threads, if any, are left alone. */
static struct
{
  gboolean   armed;
  pthread_t  thread;
  guint      calls[N_SC];
  guint      n;
  Injection  at[MAX_INJECTIONS];
} inj;

/* Live mappings the library made, and the ranges whose munmap the
 * injector failed. Guarded by regions_lock. */
static pthread_mutex_t regions_lock = PTHREAD_MUTEX_INITIALIZER;
static GArray *regions;
static GArray *munmap_failed;

/* Where libmmapobj's code is loaded, to tell its calls from others. */
static guintptr lib_lo = UINTPTR_MAX, lib_hi;

static gsize page_size;

static int
find_library_cb (struct dl_phdr_info *info,
                 size_t               size,
                 void                *data)
{
  if (info->dlpi_name == NULL || strstr (info->dlpi_name, "libmmapobj") == NULL)
    return 0;

  for (int i = 0; i < info->dlpi_phnum; i++)
    {
      const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

      if (ph->p_type != PT_LOAD)
        continue;
      lib_lo = MIN (lib_lo, info->dlpi_addr + ph->p_vaddr);
      lib_hi = MAX (lib_hi, info->dlpi_addr + ph->p_vaddr + ph->p_memsz);
    }
  return 1;
}

static gboolean
caller_in_library (gpointer caller)
{
  return (guintptr) caller >= lib_lo && (guintptr) caller < lib_hi;
}

static guintptr
page_round_up (guintptr x)
{
  gsize page = page_size != 0 ? page_size : 4096;

  return (x + page - 1) / page * page;
}

/* Call with regions_lock held. */
static void
region_remove (GArray   *array,
               guintptr  lo,
               guintptr  hi)
{
  for (guint i = 0; i < array->len;)
    {
      Region r = g_array_index (array, Region, i);
      Region below = { r.lo, lo }, above = { hi, r.hi };

      if (r.hi <= lo || r.lo >= hi)
        {
          i++;
          continue;
        }
      g_array_remove_index (array, i);
      if (below.lo < below.hi)
        g_array_insert_val (array, i++, below);
      if (above.lo < above.hi)
        g_array_insert_val (array, i++, above);
    }
}

static void
region_add (GArray   *array,
            guintptr  lo,
            guintptr  hi)
{
  Region r = { lo, hi };

  region_remove (array, lo, hi);
  g_array_append_val (array, r);
}

static gboolean
should_fail (Syscall  sc,
             gpointer caller)
{
  if (!inj.armed || !pthread_equal (pthread_self (), inj.thread))
    return FALSE;

  inj.calls[sc]++;
  for (guint i = 0; i < inj.n; i++)
    {
      Injection *at = &inj.at[i];

      if (at->fired || at->sc != sc || at->k != inj.calls[sc])
        continue;
      at->fired = TRUE;
      at->caller = caller;
      memcpy (at->calls_at_fire, inj.calls, sizeof inj.calls);
      errno = at->err;
      return TRUE;
    }
  return FALSE;
}

#define RESOLVE(var, name) \
  G_STMT_START { \
    if (var == NULL) \
      var = (__typeof__ (var)) dlsym (RTLD_NEXT, name); \
  } G_STMT_END

/* mmap ------------------------------------------------------------- */

typedef void *(*MmapFn) (void *, size_t, int, int, int, off64_t);

static void *
fault_mmap (MmapFn    real,
            gpointer  caller,
            void     *addr,
            size_t    len,
            int       prot,
            int       flags,
            int       fd,
            off64_t   off)
{
  void *ret;

  if (should_fail (SC_MMAP, caller))
    return MAP_FAILED;

  ret = real (addr, len, prot, flags, fd, off);
  if (ret != MAP_FAILED && caller_in_library (caller))
    {
      pthread_mutex_lock (&regions_lock);
      region_add (regions, (guintptr) ret,
                  page_round_up ((guintptr) ret + len));
      pthread_mutex_unlock (&regions_lock);
    }
  return ret;
}

void *
mmap (void   *addr,
      size_t  len,
      int     prot,
      int     flags,
      int     fd,
      off_t   off)
{
  static MmapFn real;

  RESOLVE (real, "mmap");
  return fault_mmap (real, __builtin_return_address (0), addr, len, prot,
                     flags, fd, off);
}

void *
mmap64 (void    *addr,
        size_t   len,
        int      prot,
        int      flags,
        int      fd,
        off64_t  off)
{
  static MmapFn real;

  RESOLVE (real, "mmap64");
  return fault_mmap (real, __builtin_return_address (0), addr, len, prot,
                     flags, fd, off);
}

/* mremap: variadic, the new address follows with MREMAP_FIXED. */
void *
mremap (void   *old,
        size_t  old_len,
        size_t  new_len,
        int     flags,
        ...)
{
  static void *(*real) (void *, size_t, size_t, int, ...);
  gpointer caller = __builtin_return_address (0);
  void *new_addr = NULL;
  void *ret;
  int extra = MREMAP_FIXED;

#ifdef MREMAP_DONTUNMAP
  extra |= MREMAP_DONTUNMAP;
#endif
  RESOLVE (real, "mremap");
  if (flags & extra)
    {
      va_list ap;

      va_start (ap, flags);
      new_addr = va_arg (ap, void *);
      va_end (ap);
    }

  if (should_fail (SC_MREMAP, caller))
    return MAP_FAILED;

  ret = real (old, old_len, new_len, flags, new_addr);
  if (ret != MAP_FAILED)
    {
      pthread_mutex_lock (&regions_lock);
#ifdef MREMAP_DONTUNMAP
      if (!(flags & MREMAP_DONTUNMAP))
#endif
        if (old_len > 0)
          region_remove (regions, (guintptr) old,
                         page_round_up ((guintptr) old + old_len));
      if (caller_in_library (caller))
        region_add (regions, (guintptr) ret,
                    page_round_up ((guintptr) ret + new_len));
      pthread_mutex_unlock (&regions_lock);
    }
  return ret;
}

int
munmap (void   *addr,
        size_t  len)
{
  static int (*real) (void *, size_t);
  int ret;

  RESOLVE (real, "munmap");
  if (should_fail (SC_MUNMAP, __builtin_return_address (0)))
    {
      int errsv = errno;

      pthread_mutex_lock (&regions_lock);
      region_add (munmap_failed, (guintptr) addr,
                  page_round_up ((guintptr) addr + len));
      pthread_mutex_unlock (&regions_lock);
      errno = errsv;
      return -1;
    }

  ret = real (addr, len);
  if (ret == 0)
    {
      pthread_mutex_lock (&regions_lock);
      region_remove (regions, (guintptr) addr,
                     page_round_up ((guintptr) addr + len));
      pthread_mutex_unlock (&regions_lock);
    }
  return ret;
}

int
msync (void   *addr,
       size_t  len,
       int     flags)
{
  static int (*real) (void *, size_t, int);

  RESOLVE (real, "msync");
  if (should_fail (SC_MSYNC, __builtin_return_address (0)))
    return -1;
  return real (addr, len, flags);
}

int
madvise (void   *addr,
         size_t  len,
         int     advice)
{
  static int (*real) (void *, size_t, int);

  RESOLVE (real, "madvise");
  if (should_fail (SC_MADVISE, __builtin_return_address (0)))
    return -1;
  return real (addr, len, advice);
}

int
mprotect (void   *addr,
          size_t  len,
          int     prot)
{
  static int (*real) (void *, size_t, int);

  RESOLVE (real, "mprotect");
  if (should_fail (SC_MPROTECT, __builtin_return_address (0)))
    return -1;
  return real (addr, len, prot);
}

int
mlock2 (const void   *addr,
        size_t        len,
        unsigned int  flags)
{
  static int (*real) (const void *, size_t, unsigned int);

  RESOLVE (real, "mlock2");
  if (should_fail (SC_MLOCK2, __builtin_return_address (0)))
    return -1;
  return real (addr, len, flags);
}

int
munlock (const void *addr,
         size_t      len)
{
  static int (*real) (const void *, size_t);

  RESOLVE (real, "munlock");
  if (should_fail (SC_MUNLOCK, __builtin_return_address (0)))
    return -1;
  return real (addr, len);
}

int
mincore (void          *addr,
         size_t         len,
         unsigned char *vec)
{
  static int (*real) (void *, size_t, unsigned char *);

  RESOLVE (real, "mincore");
  if (should_fail (SC_MINCORE, __builtin_return_address (0)))
    return -1;
  return real (addr, len, vec);
}

int
posix_madvise (void   *addr,
               size_t  len,
               int     advice)
{
  static int (*real) (void *, size_t, int);

  RESOLVE (real, "posix_madvise");
  if (should_fail (SC_MADVISE, __builtin_return_address (0)))
    return errno;
  return real (addr, len, advice);
}

/* files ------------------------------------------------------------ */

int
ftruncate (int   fd,
           off_t len)
{
  static int (*real) (int, off_t);

  RESOLVE (real, "ftruncate");
  if (should_fail (SC_FTRUNCATE, __builtin_return_address (0)))
    return -1;
  return real (fd, len);
}

int
ftruncate64 (int     fd,
             off64_t len)
{
  static int (*real) (int, off64_t);

  RESOLVE (real, "ftruncate64");
  if (should_fail (SC_FTRUNCATE, __builtin_return_address (0)))
    return -1;
  return real (fd, len);
}

int
fallocate (int   fd,
           int   mode,
           off_t off,
           off_t len)
{
  static int (*real) (int, int, off_t, off_t);

  RESOLVE (real, "fallocate");
  if (should_fail (SC_FALLOCATE, __builtin_return_address (0)))
    return -1;
  return real (fd, mode, off, len);
}

int
fallocate64 (int     fd,
             int     mode,
             off64_t off,
             off64_t len)
{
  static int (*real) (int, int, off64_t, off64_t);

  RESOLVE (real, "fallocate64");
  if (should_fail (SC_FALLOCATE, __builtin_return_address (0)))
    return -1;
  return real (fd, mode, off, len);
}

/* posix_fallocate returns the error number instead of setting errno. */
int
posix_fallocate (int   fd,
                 off_t off,
                 off_t len)
{
  static int (*real) (int, off_t, off_t);

  RESOLVE (real, "posix_fallocate");
  if (should_fail (SC_FALLOCATE, __builtin_return_address (0)))
    return errno;
  return real (fd, off, len);
}

int
posix_fallocate64 (int     fd,
                   off64_t off,
                   off64_t len)
{
  static int (*real) (int, off64_t, off64_t);

  RESOLVE (real, "posix_fallocate64");
  if (should_fail (SC_FALLOCATE, __builtin_return_address (0)))
    return errno;
  return real (fd, off, len);
}

int
fstat (int          fd,
       struct stat *st)
{
  static int (*real) (int, struct stat *);

  RESOLVE (real, "fstat");
  if (should_fail (SC_FSTAT, __builtin_return_address (0)))
    return -1;
  return real (fd, st);
}

int
fstat64 (int            fd,
         struct stat64 *st)
{
  static int (*real) (int, struct stat64 *);

  RESOLVE (real, "fstat64");
  if (should_fail (SC_FSTAT, __builtin_return_address (0)))
    return -1;
  return real (fd, st);
}

/* fcntl: variadic; every argument fits in a pointer, which is how glibc
 * reads it too. The duplicating commands count as "dup"; the seal
 * commands are sites of their own; the others always go through. */
typedef int (*FcntlFn) (int, int, ...);

static int
fault_fcntl (FcntlFn   real,
             gpointer  caller,
             int       fd,
             int       cmd,
             void     *arg)
{
  if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
      && should_fail (SC_DUP, caller))
    return -1;
  if (cmd == F_ADD_SEALS && should_fail (SC_ADD_SEALS, caller))
    return -1;
  if (cmd == F_GET_SEALS && should_fail (SC_GET_SEALS, caller))
    return -1;
  return real (fd, cmd, arg);
}

int
fcntl (int fd,
       int cmd,
       ...)
{
  static FcntlFn real;
  va_list ap;
  void *arg;

  RESOLVE (real, "fcntl");
  va_start (ap, cmd);
  arg = va_arg (ap, void *);
  va_end (ap);
  return fault_fcntl (real, __builtin_return_address (0), fd, cmd, arg);
}

int
fcntl64 (int fd,
         int cmd,
         ...)
{
  static FcntlFn real;
  va_list ap;
  void *arg;

  RESOLVE (real, "fcntl64");
  va_start (ap, cmd);
  arg = va_arg (ap, void *);
  va_end (ap);
  return fault_fcntl (real, __builtin_return_address (0), fd, cmd, arg);
}

int
dup (int fd)
{
  static int (*real) (int);

  RESOLVE (real, "dup");
  if (should_fail (SC_DUP, __builtin_return_address (0)))
    return -1;
  return real (fd);
}

int
memfd_create (const char   *name,
              unsigned int  flags)
{
  static int (*real) (const char *, unsigned int);

  RESOLVE (real, "memfd_create");
  if (should_fail (SC_MEMFD_CREATE, __builtin_return_address (0)))
    return -1;
  return real (name, flags);
}

/* open: variadic, the mode follows with O_CREAT or O_TMPFILE. */
typedef int (*OpenFn) (const char *, int, ...);

static int
fault_open (OpenFn      real,
            gpointer    caller,
            const char *path,
            int         flags,
            mode_t      mode)
{
  if (should_fail (SC_OPEN, caller))
    return -1;
  return real (path, flags, mode);
}

static mode_t
open_mode (int     flags,
           va_list ap)
{
  if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
    return va_arg (ap, mode_t);
  return 0;
}

int
open (const char *path,
      int         flags,
      ...)
{
  static OpenFn real;
  va_list ap;
  mode_t mode;

  RESOLVE (real, "open");
  va_start (ap, flags);
  mode = open_mode (flags, ap);
  va_end (ap);
  return fault_open (real, __builtin_return_address (0), path, flags, mode);
}

int
open64 (const char *path,
        int         flags,
        ...)
{
  static OpenFn real;
  va_list ap;
  mode_t mode;

  RESOLVE (real, "open64");
  va_start (ap, flags);
  mode = open_mode (flags, ap);
  va_end (ap);
  return fault_open (real, __builtin_return_address (0), path, flags, mode);
}

static void
inj_arm (const Injection *at,
         guint            n)
{
  memset (&inj, 0, sizeof inj);
  inj.thread = pthread_self ();
  inj.n = n;
  for (guint i = 0; i < n; i++)
    {
      inj.at[i].sc = at[i].sc;
      inj.at[i].k = at[i].k;
      inj.at[i].err = at[i].err;
    }
  inj.armed = TRUE;
}

static void
inj_disarm (void)
{
  inj.armed = FALSE;
}

/* ------------------------------------------------------------------ */
/* Statistics                                                         */

static guint n_injected;        /* failed calls */
static guint n_single_cases;    /* operations run with one failing call */
static guint n_double_cases;    /* … with two */
static guint n_munmap_leaks;    /* ranges a failed munmap left mapped */
static GHashTable *call_sites;  /* "syscall @ where" → number of hits */
static guint injected_per_sc[N_SC];

/* "mmap @ libmmapobj-1.so.0+0x5395": the offset is what
 * `addr2line -f -e libmmapobj-1.so.0 0x5395` takes. (dladdr's symbol would
 * name the nearest exported function, wrong for the library's static
 * ones.) */
static char *
describe_site (Syscall  sc,
               gpointer caller)
{
  Dl_info info;

  if (caller != NULL && dladdr (caller, &info) != 0 && info.dli_fname != NULL)
    {
      const char *base = strrchr (info.dli_fname, '/');

      base = base != NULL ? base + 1 : info.dli_fname;
      return g_strdup_printf ("%s @ %s+0x%tx", syscalls[sc].name, base,
                              (char *) caller - (char *) info.dli_fbase);
    }
  return g_strdup_printf ("%s @ %p", syscalls[sc].name, caller);
}

/* ------------------------------------------------------------------ */
/* Kinds of maps and operations                                       */

typedef enum
{
  KIND_FILE,              /* shared, the whole file */
  KIND_FILE_OFFSET,       /* shared, unaligned offset, ends mid-page */
  KIND_FILE_SHORT,        /* shared, 2 of the file's 4+ pages */
  KIND_FILE_SPLIT,        /* shared, pages 1-2, advice split its VMA */
  KIND_FILE_PRIVATE,      /* MAP_PRIVATE, private bytes written */
  KIND_ANON_SHARED,       /* memfd-backed */
  KIND_ANON_PRIVATE,
  KIND_MEMFD,             /* new_memfd (), not sealable */
  KIND_MEMFD_SEALING,     /* new_memfd (ALLOW_SEALING), no seals yet */
  N_KINDS
} Kind;

static const char *kind_names[N_KINDS] = {
  "file", "file-offset-unaligned", "file-short", "file-split",
  "file-private", "anon-shared", "anon-private", "memfd", "memfd-sealing",
};

typedef enum
{
  OP_NEW,
  OP_NEW_FULL,
  OP_NEW_ANONYMOUS,
  OP_NEW_FOR_PATH,
  OP_INITABLE_NEW,
  OP_RESIZE_GROW,
  OP_RESIZE_GROW_SMALL,
  OP_RESIZE_SHRINK,
  OP_RESIZE_TO_ZERO,
  OP_RESIZE_FROM_ZERO,
  OP_FLUSH,
  OP_FLUSH_RANGE,
  OP_MADVISE,
  OP_MADVISE_RANGE,
  OP_MADVISE_DONTNEED,
  OP_SIZE,
  OP_CLOSE,
  OP_VIEW_RELEASE,
  OP_VIEW_CLOSE_RELEASE,
  OP_POPULATE,
  OP_POPULATE_WRITE,
  /* issue 10 */
  OP_NEW_MEMFD,
  OP_NEW_FROM_FD_LIST,
  OP_ADD_SEALS,
  OP_GET_SEALS,
  OP_CHECK_SEALS,
  OP_SEAL_READONLY,
  OP_SEAL_READONLY_RANGE_PROT,
  OP_DUP_FD,
  OP_APPEND_TO_FD_LIST,
  OP_LOCK,
  OP_LOCK_RANGE_ON_FAULT,
  OP_UNLOCK,
  OP_UNLOCK_RANGE,
  OP_PROTECT,
  OP_PROTECT_RANGE,
  OP_PROTECT_RESTORE,
  OP_GET_RESIDENCY,
  OP_GET_RESIDENCY_MAP,
  OP_FLUSH_RANGE_FULL,
  N_OPS
} Op;

static const char *op_names[N_OPS] = {
  "new", "new-full", "new-anonymous", "new-for-path", "g-initable-new",
  "resize-grow", "resize-grow-small", "resize-shrink", "resize-to-zero",
  "resize-from-zero", "flush", "flush-range", "madvise", "madvise-range",
  "madvise-dontneed", "size", "close", "view-release",
  "view-close-release", "populate", "populate-write",
  "new-memfd", "new-from-fd-list", "add-seals", "get-seals", "check-seals",
  "seal-readonly", "seal-readonly-range-prot", "dup-fd",
  "append-to-fd-list", "lock", "lock-range-on-fault", "unlock",
  "unlock-range", "protect", "protect-range", "protect-restore",
  "get-residency", "get-residency-map", "flush-range-full",
};

/* What the operations give and take */
#define ADDED_SEALS (MMAP_SEALS_SHRINK | MMAP_SEALS_GROW)
#define READONLY_SEALS (MMAP_SEALS_SEAL | MMAP_SEALS_SHRINK \
                        | MMAP_SEALS_GROW | MMAP_SEALS_WRITE)
#define RANGE_OFFSET 10    /* lock_range, unlock_range, get_residency_map */

static gboolean
kind_is_file (Kind kind)
{
  return kind < KIND_ANON_SHARED;
}

static gboolean
kind_is_private (Kind kind)
{
  return kind == KIND_FILE_PRIVATE || kind == KIND_ANON_PRIVATE;
}

static gboolean
kind_is_memfd (Kind kind)
{
  return kind == KIND_MEMFD || kind == KIND_MEMFD_SEALING;
}

/* Whether the map keeps an fd: every kind but private anonymous memory. */
static gboolean
kind_has_fd (Kind kind)
{
  return kind != KIND_ANON_PRIVATE;
}

static gboolean
op_is_constructor (Op op)
{
  return op <= OP_INITABLE_NEW || op == OP_NEW_MEMFD
         || op == OP_NEW_FROM_FD_LIST;
}

static gboolean
op_applies (Op   op,
            Kind kind)
{
  switch (op)
    {
    case OP_NEW:
      return kind_is_file (kind);
    case OP_NEW_FULL:
    case OP_INITABLE_NEW:
      return !kind_is_memfd (kind);
    case OP_NEW_ANONYMOUS:
      return kind == KIND_ANON_SHARED;
    case OP_NEW_FOR_PATH:
      return kind == KIND_FILE || kind == KIND_FILE_PRIVATE;
    case OP_SIZE:
      return kind_is_file (kind);
    case OP_NEW_MEMFD:
      return kind_is_memfd (kind);
    case OP_NEW_FROM_FD_LIST:
      /* from a sealed memfd, and from a file with no seals required */
      return kind == KIND_MEMFD_SEALING || kind == KIND_FILE;
    case OP_ADD_SEALS:
    case OP_SEAL_READONLY:
    case OP_SEAL_READONLY_RANGE_PROT:
      return kind == KIND_MEMFD_SEALING;
    case OP_GET_SEALS:
      return kind_is_memfd (kind) || kind == KIND_ANON_SHARED;
    case OP_CHECK_SEALS:
      /* SEAL: what memory that does not allow sealing has */
      return kind == KIND_MEMFD || kind == KIND_ANON_SHARED;
    case OP_DUP_FD:
    case OP_APPEND_TO_FD_LIST:
      return kind_has_fd (kind);
    default:
      return TRUE;
    }
}

static gsize
file_length (void)
{
  return 4 * page_size + 100;
}

/* Where the map of @kind starts in its file, and its length. */
static void
kind_geometry (Kind     kind,
               goffset *offset,
               gsize   *length)
{
  gsize p = page_size;

  switch (kind)
    {
    case KIND_FILE:
      *offset = 0, *length = file_length ();
      break;
    case KIND_FILE_OFFSET:
      *offset = 1003, *length = 2 * p + 200;
      break;
    case KIND_FILE_SHORT:
      *offset = 0, *length = 2 * p;
      break;
    case KIND_FILE_SPLIT:
      *offset = (goffset) p, *length = 2 * p;
      break;
    case KIND_FILE_PRIVATE:
      *offset = 0, *length = 3 * p + 50;
      break;
    case KIND_ANON_SHARED:
    case KIND_ANON_PRIVATE:
    default:
      *offset = 0, *length = 2 * p + 700;
      break;
    }
}

static gsize
resize_target (Op    op,
               gsize len)
{
  switch (op)
    {
    case OP_RESIZE_GROW:
      return len + 2 * page_size + 50;
    case OP_RESIZE_GROW_SMALL:
      return len + 10;
    case OP_RESIZE_SHRINK:
      return page_size + 17;
    case OP_RESIZE_TO_ZERO:
      return 0;
    case OP_RESIZE_FROM_ZERO:
      return page_size + 33;
    default:
      g_assert_not_reached ();
    }
}

#define DONTNEED_START 100
#define VIEW_OFFSET 10
#define VIEW_LENGTH 100
#define START_POS 77

/* ------------------------------------------------------------------ */
/* One case: a file, a map, a snapshot                                */

typedef struct
{
  Kind         kind;
  Op           op;
  goffset      offset;
  gsize        length;
  MtFile      *file;         /* NULL for anonymous maps */
  MmapObject  *map;
  GHashTable  *fds_before;   /* fd number → link target */
  guint        maps_before;  /* /proc/self/maps lines of file or memfd */
  char        *ctx;          /* "op/kind sc=… errno=… k=…" */
  gboolean     failed;       /* this case logged a mismatch */
  gboolean     unsupported;  /* the call is not supported here */
  gint64       locked_base;  /* VmLck (kB) before the map was made */
  MmapObject  *source;       /* new_from_fd_list: the sender's map */
  GBytes      *source_bytes; /* … and its bytes */
  GUnixFDList *list;         /* new_from_fd_list: the fd received */
  GArray      *skip;         /* the source's mappings: not the map's */
} Env;

#define SEALS_SKIP (-2)      /* a State's seals that are not compared */
#define LOCKED_SKIP (-1)     /* … locked memory */

typedef struct
{
  gboolean  closed;
  gsize     length;
  goffset   pos;
  GBytes   *map;    /* NULL when closed or unreadable */
  GBytes   *file;   /* NULL for anonymous maps */
  MmapProt  prot;   /* what the object says */
  gint      seals;  /* the memory's; -1 when it has none to give */
  GString  *kperms; /* the kernel's: "rw-s" for each page the library
                     * maps; NULL: not compared */
  gint64    locked; /* the process's locked memory, kB */
} State;

static void G_GNUC_PRINTF (2, 3)
report (Env        *env,
        const char *format,
        ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);

  g_test_message ("FAIL %s: %s", env->ctx, msg);
  env->failed = TRUE;
  g_test_fail ();
}

static GHashTable *
fd_snapshot (void)
{
  GHashTable *fds = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                           NULL, g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, &error);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *link = g_build_filename ("/proc/self/fd", name, NULL);
      char *target = g_file_read_link (link, NULL);

      if (target == NULL)   /* the directory's own fd, closed by now */
        continue;
      if (g_str_has_prefix (target, "/proc/") && strstr (target, "/fd") != NULL)
        {
          g_free (target);
          continue;
        }
      g_hash_table_insert (fds, GINT_TO_POINTER (atoi (name)), target);
    }
  return fds;
}

/* Lines of /proc/self/maps that map @path or the library's memfds. */
static guint
count_backed_mappings (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_file_get_contents ("/proc/self/maps", &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if ((path != NULL && strstr (lines[i], path) != NULL)
        || strstr (lines[i], "/memfd:mmapobj") != NULL)
      n++;
  return n;
}

/* The process's locked memory: VmLck in /proc/self/status, in kB. */
static gint64
locked_kb (void)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  const char *line;

  g_file_get_contents ("/proc/self/status", &contents, NULL, &error);
  g_assert_no_error (error);
  line = strstr (contents, "\nVmLck:");
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen ("\nVmLck:"), NULL, 10);
}

/* How munlock() goes under ASan: its interceptor does nothing. */
#if defined(__SANITIZE_ADDRESS__)
# define MUNLOCK_WORKS FALSE
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define MUNLOCK_WORKS FALSE
# endif
#endif
#ifndef MUNLOCK_WORKS
# define MUNLOCK_WORKS TRUE
#endif

static gboolean
in_regions (GArray   *array,
            guintptr  addr)
{
  for (guint i = 0; array != NULL && i < array->len; i++)
    {
      Region r = g_array_index (array, Region, i);

      if (addr >= r.lo && addr < r.hi)
        return TRUE;
    }
  return FALSE;
}

static int
compare_regions (gconstpointer a,
                 gconstpointer b)
{
  const Region *ra = a, *rb = b;

  return ra->lo < rb->lo ? -1 : ra->lo > rb->lo;
}

/* The protection of page @a in /proc/self/maps ("rw-s"), or "????". */
static const char *
page_perms (char     **lines,
            guintptr   a)
{
  for (guint j = 0; lines[j] != NULL; j++)
    {
      char *end;
      guint64 lo = g_ascii_strtoull (lines[j], &end, 16);
      guint64 hi;

      if (*end != '-')
        continue;
      hi = g_ascii_strtoull (end + 1, &end, 16);
      if (a >= lo && a < hi && *end == ' ' && strlen (end) > 5)
        return end + 1;
    }
  return "????";
}

/* The kernel's protection of each page that holds the map's bytes, from
 * /proc/self/maps: "rw-s" a page. A view says where the bytes are; a map
 * that cannot be read has none: then every page the library maps counts
 * (the injector records them), but for the ranges a failed munmap left
 * behind and @skip. Addresses are not kept: a map that was mapped again
 * elsewhere compares equal if its pages are the same. */
static GString *
kernel_perms (MmapObject *map,
              GArray     *skip)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GString *perms = g_string_new (NULL);
  gsize length = mmap_object_get_length (map);
  GBytes *view = NULL;

  g_file_get_contents ("/proc/self/maps", &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);

  if ((mmap_object_get_prot (map) & MMAP_PROT_READ) && length > 0)
    view = mmap_object_view (map, 0, 1, NULL);

  if (view != NULL)
    {
      guintptr data = (guintptr) g_bytes_get_data (view, NULL);

      for (guintptr a = data / page_size * page_size; a < data + length;
           a += page_size)
        g_string_append_len (perms, page_perms (lines, a), 4);
      g_bytes_unref (view);
    }
  else
    {
      g_autoptr(GArray) mine = g_array_new (FALSE, FALSE, sizeof (Region));

      pthread_mutex_lock (&regions_lock);
      g_array_append_vals (mine, regions->data, regions->len);
      pthread_mutex_unlock (&regions_lock);
      g_array_sort (mine, compare_regions);
      for (guint i = 0; i < mine->len; i++)
        {
          Region r = g_array_index (mine, Region, i);

          for (guintptr a = r.lo; a < r.hi; a += page_size)
            if (!in_regions (munmap_failed, a) && !in_regions (skip, a))
              g_string_append_len (perms, page_perms (lines, a), 4);
        }
    }
  return perms;
}

/* The pages [offset, offset + length) of the map touch, counted from the
 * start of its mapping: the first, and how many. */
static void
span_pages (Env   *env,
            gsize  offset,
            gsize  length,
            gsize *first,
            gsize *n)
{
  gsize delta = (gsize) env->offset % page_size;
  gsize lo = (delta + offset) / page_size;
  gsize hi = (delta + offset + length + page_size - 1) / page_size;

  *first = lo;
  *n = length == 0 ? 0 : hi - lo;
}

static MmapObject *
kind_new_map (Env *env)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map;
  MmapMapFlags flags = kind_is_private (env->kind) ? MMAP_MAP_PRIVATE
                                                   : MMAP_MAP_SHARED;

  if (env->kind == KIND_ANON_SHARED)
    map = mmap_object_new_anonymous (env->length, &error);
  else if (kind_is_memfd (env->kind))
    map = mmap_object_new_memfd ("mmapobj-fault", env->length,
                                 env->kind == KIND_MEMFD_SEALING
                                 ? MMAP_MEMFD_ALLOW_SEALING
                                 : MMAP_MEMFD_NONE, &error);
  else
    map = mmap_object_new_full (env->file != NULL ? env->file->fd : -1,
                                env->kind == KIND_FILE ? 0 : env->length,
                                flags, MMAP_PROT_READ | MMAP_PROT_WRITE,
                                MMAP_ACCESS_DEFAULT, env->offset, TRUE,
                                &error);
  g_assert_no_error (error);
  g_assert_nonnull (map);
  return map;
}

static void
env_setup (Env  *env,
           Kind  kind,
           Op    op)
{
  g_autoptr(GError) error = NULL;

  memset (env, 0, sizeof *env);
  env->kind = kind;
  env->op = op;
  kind_geometry (kind, &env->offset, &env->length);
  env->fds_before = fd_snapshot ();

  if (kind_is_file (kind))
    {
      g_autofree guint8 *data = g_malloc (file_length ());

      mt_fill_pattern (data, file_length (), 3);
      env->file = mt_file_new (data, file_length ());
    }
  env->maps_before = count_backed_mappings (env->file ? env->file->path
                                                      : NULL);
  env->locked_base = locked_kb ();

  if (op == OP_NEW_FROM_FD_LIST)
    {
      /* The sender's side: memory sealed against resizing, or a file. */
      env->list = g_unix_fd_list_new ();
      if (kind == KIND_MEMFD_SEALING)
        {
          g_autofree guint8 *data = g_malloc (env->length);

          env->source = mmap_object_new_memfd ("mmapobj-fault-source",
                                               env->length,
                                               MMAP_MEMFD_ALLOW_SEALING,
                                               &error);
          g_assert_no_error (error);
          mt_fill_pattern (data, env->length, 5);
          g_assert_true (mmap_object_set_slice (env->source, 0, G_MAXSSIZE,
                                                1, data, env->length,
                                                &error));
          g_assert_true (mmap_object_add_seals (env->source, ADDED_SEALS,
                                                &error));
          g_assert_cmpint (mmap_object_append_to_fd_list (env->source,
                                                          env->list, &error),
                           ==, 0);
          g_assert_no_error (error);
          env->source_bytes = g_bytes_new (data, env->length);
          pthread_mutex_lock (&regions_lock);
          env->skip = g_array_copy (regions);
          pthread_mutex_unlock (&regions_lock);
        }
      else
        {
          g_assert_cmpint (g_unix_fd_list_append (env->list, env->file->fd,
                                                  &error), ==, 0);
          g_assert_no_error (error);
        }
    }

  if (op_is_constructor (op))
    return;

  env->map = kind_new_map (env);

  if (kind == KIND_FILE_PRIVATE)
    {
      /* Private bytes in the first two pages. */
      g_assert_true (mmap_object_set_byte (env->map, 5, '#', &error));
      g_assert_true (mmap_object_set_byte (env->map,
                                           (gssize) page_size + 7, '%',
                                           &error));
      g_assert_no_error (error);
    }
  else if (!kind_is_file (kind))
    {
      g_autofree guint8 *data = g_malloc (env->length);

      mt_fill_pattern (data, env->length, 4);
      g_assert_true (mmap_object_set_slice (env->map, 0, G_MAXSSIZE, 1,
                                            data, env->length, &error));
      g_assert_no_error (error);
    }
  else if (kind == KIND_FILE_SPLIT)
    {
      /* A hint on part of the map splits the kernel's VMA. */
      g_assert_true (mmap_object_madvise_range (env->map,
                                                MMAP_ADVICE_RANDOM, 0, 10,
                                                &error));
      g_assert_no_error (error);
    }

  g_assert_cmpint (mmap_object_seek (env->map, START_POS, G_SEEK_SET,
                                     &error), ==, START_POS);
  g_assert_no_error (error);

  switch (op)
    {
    case OP_RESIZE_FROM_ZERO:
      g_assert_true (mmap_object_resize (env->map, 0, &error));
      break;
    case OP_SEAL_READONLY_RANGE_PROT:
    case OP_PROTECT_RESTORE:
      /* The second page read-only: the whole map is, until protect(). */
      g_assert_true (mmap_object_protect_range (env->map, page_size, 1,
                                                MMAP_PROT_READ, &error));
      g_assert_cmpint (mmap_object_get_prot (env->map), ==, MMAP_PROT_READ);
      break;
    case OP_UNLOCK:
    case OP_UNLOCK_RANGE:
      g_assert_true (mmap_object_lock (env->map, MMAP_LOCK_DEFAULT, &error));
      break;
    default:
      break;
    }
  g_assert_no_error (error);
}

static void
state_capture (Env   *env,
               State *state)
{
  g_autoptr(GError) error = NULL;

  memset (state, 0, sizeof *state);
  if (env->file != NULL)
    state->file = mt_fd_read_all (env->file->fd);

  state->locked = locked_kb ();
  state->closed = env->map == NULL || mmap_object_get_closed (env->map);
  if (state->closed)
    return;

  state->length = mmap_object_get_length (env->map);
  state->pos = mmap_object_tell (env->map, &error);
  if (error != NULL)
    {
      report (env, "tell fails after the call: %s", error->message);
      g_clear_error (&error);
    }

  state->prot = mmap_object_get_prot (env->map);
  state->seals = (gint) mmap_object_get_seals (env->map, &error);
  if (error != NULL)
    {
      state->seals = -1;
      g_clear_error (&error);
    }
  state->kperms = kernel_perms (env->map, env->skip);

  /* The object must not allow what a page does not: that access would
   * crash. Only a safe access is tried. */
  {
    gboolean can_read = TRUE, can_write = TRUE;
    const char *k = state->kperms->str;

    for (gsize i = 0; i + 4 <= state->kperms->len; i += 4)
      {
        can_read = can_read && k[i] == 'r';
        can_write = can_write && k[i + 1] == 'w';
      }
    if ((state->prot & MMAP_PROT_READ) && !can_read)
      report (env, "the object allows reads (prot 0x%x), the kernel's "
              "pages are %s: a read would crash", state->prot, k);
    if ((state->prot & MMAP_PROT_WRITE) && !can_write)
      report (env, "the object allows writes (prot 0x%x), the kernel's "
              "pages are %s: a write would crash", state->prot, k);
    if (!(state->prot & MMAP_PROT_READ) || !can_read)
      {
        if (state->length > 0
            && mmap_object_get_byte (env->map, 0, &error) != -1)
          report (env, "get_byte() read an unreadable map");
        else if (state->length > 0
                 && !g_error_matches (error, MMAP_ERROR,
                                      MMAP_ERROR_NOT_ACCESSIBLE))
          report (env, "reading an unreadable map: %s",
                  error != NULL ? error->message : "no error");
        g_clear_error (&error);
        return;
      }
    state->map = mmap_object_get_slice (env->map, 0, G_MAXSSIZE, 1, &error);
    if (error != NULL)
      {
        report (env, "the map can't be read after the call: %s",
                error->message);
        g_clear_error (&error);
      }
    if (state->map == NULL || state->length == 0
        || ((state->prot & MMAP_PROT_WRITE) && !can_write))
      return;
    can_write = (state->prot & MMAP_PROT_WRITE) != 0;

    /* A write of the byte that is there: it must go through, or be
     * refused with an error, as the object's protection says. */
    if (mmap_object_set_byte (env->map, 0,
                              *(const guint8 *) g_bytes_get_data (state->map,
                                                                  NULL),
                              &error) != can_write)
      report (env, "writing to a map with prot 0x%x (pages %s): %s",
              state->prot, k,
              error != NULL ? error->message : "it went through");
    g_clear_error (&error);
  }
}

static void
state_clear (State *state)
{
  g_clear_pointer (&state->map, g_bytes_unref);
  g_clear_pointer (&state->file, g_bytes_unref);
  if (state->kperms != NULL)
    g_string_free (state->kperms, TRUE);
  state->kperms = NULL;
}

/* Reports the first difference between two byte strings. */
static void
compare_bytes (Env        *env,
               const char *what,
               GBytes     *got,
               GBytes     *want)
{
  gsize got_len = 0, want_len = 0;
  const guint8 *g, *w;

  if (got == NULL || want == NULL)
    {
      if (got != want)
        report (env, "%s: %s", what, got == NULL ? "missing" : "unexpected");
      return;
    }

  g = g_bytes_get_data (got, &got_len);
  w = g_bytes_get_data (want, &want_len);
  if (got_len != want_len)
    report (env, "%s size is %" G_GSIZE_FORMAT ", expected %"
            G_GSIZE_FORMAT, what, got_len, want_len);
  for (gsize i = 0; i < MIN (got_len, want_len); i++)
    if (g[i] != w[i])
      {
        gsize n = 0;

        for (gsize j = i; j < MIN (got_len, want_len); j++)
          n += g[j] != w[j];
        report (env, "%s byte %" G_GSIZE_FORMAT " is 0x%02x, expected "
                "0x%02x (%" G_GSIZE_FORMAT " bytes differ)", what, i, g[i],
                w[i], n);
        return;
      }
}

static void
compare_state (Env         *env,
               const State *got,
               const State *want)
{
  if (got->closed != want->closed)
    {
      report (env, "closed is %d, expected %d", got->closed, want->closed);
      return;
    }
  compare_bytes (env, "file", got->file, want->file);
  if (got->closed)
    return;
  if (got->length != want->length)
    report (env, "length is %" G_GSIZE_FORMAT ", expected %" G_GSIZE_FORMAT,
            got->length, want->length);
  if (got->pos != want->pos)
    report (env, "position is %" G_GOFFSET_FORMAT ", expected %"
            G_GOFFSET_FORMAT, got->pos, want->pos);
  compare_bytes (env, "map", got->map, want->map);
  if (got->prot != want->prot)
    report (env, "the object's protection is 0x%x, expected 0x%x",
            got->prot, want->prot);
  if (want->seals != SEALS_SKIP && got->seals != want->seals)
    report (env, "the seals are 0x%x, expected 0x%x", got->seals,
            want->seals);
  if (want->kperms != NULL && !g_string_equal (got->kperms, want->kperms))
    report (env, "the kernel's page protections are %s, expected %s",
            got->kperms->str, want->kperms->str);
  if (want->locked != LOCKED_SKIP && got->locked != want->locked)
    report (env, "%" G_GINT64_FORMAT " kB locked, expected %"
            G_GINT64_FORMAT, got->locked, want->locked);
}

/* ------------------------------------------------------------------ */
/* Running an operation                                               */

typedef struct
{
  gboolean     ok;       /* the return value says success */
  GError      *error;
  goffset      value;    /* size(), get_seals(), append_to_fd_list(),
                          * get_residency() */
  GBytes      *view;     /* the view's bytes, copied */
  int          fd;       /* dup_fd() */
  GUnixFDList *list;     /* append_to_fd_list() */
  gsize        n_pages;  /* get_residency() */
  GBytes      *pages;    /* get_residency_map() */
} Result;

static void
op_run (Env    *env,
        Result *r)
{
  MmapObject *created = NULL;
  int fd = env->file != NULL ? env->file->fd : -1;
  gsize ctor_length = env->kind == KIND_FILE ? 0 : env->length;
  MmapMapFlags flags = kind_is_private (env->kind) ? MMAP_MAP_PRIVATE
                                                   : MMAP_MAP_SHARED;
  MmapAccess access = env->kind == KIND_FILE_PRIVATE ? MMAP_ACCESS_COPY
                                                     : MMAP_ACCESS_WRITE;

  memset (r, 0, sizeof *r);
  r->fd = -1;

  switch (env->op)
    {
    case OP_NEW:
      created = mmap_object_new (fd, ctor_length, access, env->offset,
                                 &r->error);
      break;
    case OP_NEW_FULL:
      created = mmap_object_new_full (fd, ctor_length, flags,
                                      MMAP_PROT_READ | MMAP_PROT_WRITE,
                                      MMAP_ACCESS_DEFAULT, env->offset, TRUE,
                                      &r->error);
      break;
    case OP_NEW_ANONYMOUS:
      created = mmap_object_new_anonymous (env->length, &r->error);
      break;
    case OP_NEW_FOR_PATH:
      created = mmap_object_new_for_path (env->file->path, access,
                                          &r->error);
      break;
    case OP_INITABLE_NEW:
      created = g_initable_new (MMAP_TYPE_OBJECT, NULL, &r->error,
                                "fd", fd,
                                "length", (guint64) ctor_length,
                                "flags", flags,
                                "prot", MMAP_PROT_READ | MMAP_PROT_WRITE,
                                "offset", (gint64) env->offset,
                                NULL);
      break;
    case OP_RESIZE_GROW:
    case OP_RESIZE_GROW_SMALL:
    case OP_RESIZE_SHRINK:
    case OP_RESIZE_TO_ZERO:
    case OP_RESIZE_FROM_ZERO:
      r->ok = mmap_object_resize (env->map,
                                  resize_target (env->op, env->length),
                                  &r->error);
      break;
    case OP_FLUSH:
      r->ok = mmap_object_flush (env->map, &r->error);
      break;
    case OP_FLUSH_RANGE:
      r->ok = mmap_object_flush_range (env->map, 100, (gssize) page_size,
                                       &r->error);
      break;
    case OP_MADVISE:
      r->ok = mmap_object_madvise (env->map, MMAP_ADVICE_WILLNEED,
                                   &r->error);
      break;
    case OP_MADVISE_RANGE:
      r->ok = mmap_object_madvise_range (env->map, MMAP_ADVICE_RANDOM, 10,
                                         (gssize) page_size, &r->error);
      break;
    case OP_MADVISE_DONTNEED:
      r->ok = mmap_object_madvise_range (env->map, MMAP_ADVICE_DONTNEED,
                                         DONTNEED_START,
                                         2 * (gssize) page_size, &r->error);
      break;
    case OP_POPULATE:
    case OP_POPULATE_WRITE:
      /* madvise EINVAL (a kernel without MADV_POPULATE_*) falls back to
       * touching each page. */
      r->ok = mmap_object_populate (env->map, 10, -1,
                                    env->op == OP_POPULATE_WRITE, NULL, NULL,
                                    NULL, &r->error);
      break;
    case OP_SIZE:
      r->value = mmap_object_size (env->map, &r->error);
      r->ok = r->value != -1;
      break;
    case OP_CLOSE:
      r->ok = mmap_object_close (env->map, &r->error);
      break;
    case OP_VIEW_RELEASE:
    case OP_VIEW_CLOSE_RELEASE:
      {
        GBytes *view = mmap_object_view (env->map, VIEW_OFFSET, VIEW_LENGTH,
                                         &r->error);

        r->ok = view != NULL;
        if (view == NULL)
          break;
        if (env->op == OP_VIEW_CLOSE_RELEASE
            && !mmap_object_close (env->map, &r->error))
          r->ok = FALSE;
        /* The last reference: the memory goes now, if the map is closed. */
        r->view = g_bytes_new (g_bytes_get_data (view, NULL),
                               g_bytes_get_size (view));
        g_bytes_unref (view);
      }
      break;
    case OP_NEW_MEMFD:
      created = mmap_object_new_memfd ("mmapobj-fault", env->length,
                                       env->kind == KIND_MEMFD_SEALING
                                       ? MMAP_MEMFD_ALLOW_SEALING
                                       : MMAP_MEMFD_NONE, &r->error);
      break;
    case OP_NEW_FROM_FD_LIST:
      created = mmap_object_new_from_fd_list (env->list, 0,
                                              MMAP_ACCESS_WRITE,
                                              env->source != NULL
                                              ? MMAP_SEALS_SHRINK
                                              : MMAP_SEALS_NONE,
                                              &r->error);
      break;
    case OP_ADD_SEALS:
      r->ok = mmap_object_add_seals (env->map, ADDED_SEALS, &r->error);
      break;
    case OP_GET_SEALS:
      r->value = mmap_object_get_seals (env->map, &r->error);
      r->ok = r->error == NULL;
      break;
    case OP_CHECK_SEALS:
      r->ok = mmap_object_check_seals (env->map, MMAP_SEALS_SEAL, &r->error);
      break;
    case OP_SEAL_READONLY:
    case OP_SEAL_READONLY_RANGE_PROT:
      r->ok = mmap_object_seal_readonly (env->map, &r->error);
      break;
    case OP_DUP_FD:
      r->fd = mmap_object_dup_fd (env->map, &r->error);
      r->ok = r->fd >= 0;
      break;
    case OP_APPEND_TO_FD_LIST:
      r->list = g_unix_fd_list_new ();
      r->value = mmap_object_append_to_fd_list (env->map, r->list,
                                                &r->error);
      r->ok = r->value >= 0;
      break;
    case OP_LOCK:
      r->ok = mmap_object_lock (env->map, MMAP_LOCK_DEFAULT, &r->error);
      break;
    case OP_LOCK_RANGE_ON_FAULT:
      r->ok = mmap_object_lock_range (env->map, RANGE_OFFSET,
                                      (gssize) page_size, MMAP_LOCK_ON_FAULT,
                                      &r->error);
      break;
    case OP_UNLOCK:
      r->ok = mmap_object_unlock (env->map, &r->error);
      break;
    case OP_UNLOCK_RANGE:
      r->ok = mmap_object_unlock_range (env->map, RANGE_OFFSET,
                                        (gssize) page_size, &r->error);
      break;
    case OP_PROTECT:
      r->ok = mmap_object_protect (env->map, MMAP_PROT_READ, &r->error);
      break;
    case OP_PROTECT_RANGE:
      r->ok = mmap_object_protect_range (env->map, page_size, 1,
                                         MMAP_PROT_NONE, &r->error);
      break;
    case OP_PROTECT_RESTORE:
      r->ok = mmap_object_protect (env->map, MMAP_PROT_READ | MMAP_PROT_WRITE,
                                   &r->error);
      break;
    case OP_GET_RESIDENCY:
      r->value = mmap_object_get_residency (env->map, 0, -1, &r->n_pages,
                                            &r->error);
      r->ok = r->value >= 0;
      break;
    case OP_GET_RESIDENCY_MAP:
      r->pages = mmap_object_get_residency_map (env->map, RANGE_OFFSET,
                                                (gssize) page_size,
                                                &r->error);
      r->ok = r->pages != NULL;
      break;
    case OP_FLUSH_RANGE_FULL:
      r->ok = mmap_object_flush_range_full (env->map, 100,
                                            (gssize) page_size,
                                            MMAP_SYNC_ASYNC
                                            | MMAP_SYNC_INVALIDATE,
                                            &r->error);
      break;
    case N_OPS:
    default:
      g_assert_not_reached ();
    }

  if (op_is_constructor (env->op))
    {
      r->ok = created != NULL;
      env->map = created;
    }
}

static void
state_copy (const State *from,
            State       *to)
{
  *to = *from;
  to->file = from->file != NULL ? g_bytes_ref (from->file) : NULL;
  to->map = from->map != NULL ? g_bytes_ref (from->map) : NULL;
  to->kperms = from->kperms != NULL
               ? g_string_new_len (from->kperms->str, from->kperms->len)
               : NULL;
}

/* The map mapped again read-only, all of it: its pages and the object's
 * protection lose write. */
static void
state_make_read_only (State *state)
{
  state->prot = (state->prot & ~MMAP_PROT_WRITE) | MMAP_PROT_READ;
  for (gsize i = 0; state->kperms != NULL && i + 4 <= state->kperms->len;
       i += 4)
    {
      state->kperms->str[i] = 'r';
      state->kperms->str[i + 1] = '-';
    }
}

/* What a successful call must leave. */
static void
expected_success (Env         *env,
                  const State *before,
                  State       *want)
{
  state_copy (before, want);

  switch (env->op)
    {
    case OP_NEW:
    case OP_NEW_FULL:
    case OP_NEW_ANONYMOUS:
    case OP_NEW_FOR_PATH:
    case OP_INITABLE_NEW:
    case OP_NEW_MEMFD:
    case OP_NEW_FROM_FD_LIST:
      {
        gboolean whole = env->op == OP_NEW_FOR_PATH
                         || (env->op == OP_NEW_FROM_FD_LIST
                             && env->file != NULL);
        goffset off = whole ? 0 : env->offset;
        gsize len = whole ? file_length () : env->length;

        want->closed = FALSE;
        want->length = len;
        want->pos = 0;
        want->prot = MMAP_PROT_READ | MMAP_PROT_WRITE;
        want->seals = SEALS_SKIP;
        if (env->op == OP_NEW_MEMFD)
          want->seals = env->kind == KIND_MEMFD_SEALING ? 0 : MMAP_SEALS_SEAL;
        else if (env->op == OP_NEW_FROM_FD_LIST && env->source != NULL)
          want->seals = ADDED_SEALS;
        else if (env->op == OP_NEW_ANONYMOUS)
          want->seals = MMAP_SEALS_SEAL;
        /* Checked against the object's protection in state_capture(). */
        if (want->kperms != NULL)
          g_string_free (want->kperms, TRUE);
        want->kperms = NULL;
        g_clear_pointer (&want->map, g_bytes_unref);
        if (env->source_bytes != NULL)
          want->map = g_bytes_ref (env->source_bytes);
        else if (before->file != NULL)
          want->map = g_bytes_new_from_bytes (before->file, (gsize) off, len);
        else
          want->map = g_bytes_new_take (g_malloc0 (len), len);
      }
      break;

    case OP_RESIZE_GROW:
    case OP_RESIZE_GROW_SMALL:
    case OP_RESIZE_SHRINK:
    case OP_RESIZE_TO_ZERO:
    case OP_RESIZE_FROM_ZERO:
      {
        gsize n = resize_target (env->op, env->length);
        gsize old = before->length;
        const guint8 *old_map = g_bytes_get_data (before->map, NULL);
        guint8 *file = NULL;
        guint8 *map = g_malloc0 (MAX (n, 1));
        gsize file_len = 0;

        if (before->file != NULL)
          {
            gsize before_len;
            const guint8 *before_file = g_bytes_get_data (before->file,
                                                          &before_len);

            /* Python's rule: the file is offset + new size long. */
            file_len = (gsize) env->offset + n;
            file = g_malloc0 (MAX (file_len, 1));
            if (MIN (before_len, file_len) > 0)
              memcpy (file, before_file, MIN (before_len, file_len));
          }

        for (gsize i = 0; i < n; i++)
          {
            if (i < old)
              map[i] = old_map[i];
            else if (file != NULL)
              map[i] = file[env->offset + (goffset) i];
          }

        want->length = n;
        g_bytes_unref (want->map);
        want->map = g_bytes_new_take (map, n);
        /* The pages come and go: checked against the object's
         * protection in state_capture(). */
        g_string_free (want->kperms, TRUE);
        want->kperms = NULL;
        if (file != NULL)
          {
            g_bytes_unref (want->file);
            want->file = g_bytes_new_take (file, file_len);
          }
      }
      break;

    case OP_CLOSE:
    case OP_VIEW_CLOSE_RELEASE:
      want->closed = TRUE;
      want->length = 0;
      g_clear_pointer (&want->map, g_bytes_unref);
      break;

    case OP_ADD_SEALS:
      want->seals |= ADDED_SEALS;
      break;

    case OP_SEAL_READONLY:
    case OP_SEAL_READONLY_RANGE_PROT:
      /* Mapped again, all of it, with the effective protection without
       * write. */
      want->seals |= READONLY_SEALS;
      state_make_read_only (want);
      break;

    case OP_PROTECT:
      want->prot = MMAP_PROT_READ;
      for (gsize i = 0; i + 4 <= want->kperms->len; i += 4)
        want->kperms->str[i + 1] = '-';
      break;

    case OP_PROTECT_RESTORE:
      want->prot = MMAP_PROT_READ | MMAP_PROT_WRITE;
      for (gsize i = 0; i + 4 <= want->kperms->len; i += 4)
        {
          want->kperms->str[i] = 'r';
          want->kperms->str[i + 1] = 'w';
        }
      break;

    case OP_PROTECT_RANGE:
      {
        gsize first, n;

        /* The page that holds byte page_size; the strictest page rules. */
        want->prot = MMAP_PROT_NONE;
        g_clear_pointer (&want->map, g_bytes_unref);
        span_pages (env, page_size, 1, &first, &n);
        for (gsize i = first; i < first + n && 4 * i + 3 < want->kperms->len;
             i++)
          memcpy (want->kperms->str + 4 * i, "---", 3);
      }
      break;

    case OP_LOCK:
    case OP_LOCK_RANGE_ON_FAULT:
    case OP_UNLOCK_RANGE:
      {
        gsize first, n;

        if (env->op == OP_LOCK)
          span_pages (env, 0, env->length, &first, &n);
        else
          span_pages (env, RANGE_OFFSET, page_size, &first, &n);
        if (env->op != OP_UNLOCK_RANGE)
          want->locked += (gint64) (n * page_size / 1024);
        else if (MUNLOCK_WORKS)
          want->locked -= (gint64) (n * page_size / 1024);
        else
          want->locked = LOCKED_SKIP;
      }
      break;

    case OP_UNLOCK:
      want->locked = MUNLOCK_WORKS ? env->locked_base : LOCKED_SKIP;
      break;

    default:
      /* flush, madvise (DONTNEED is checked on its own), size, view,
       * get_seals, check_seals, dup_fd, append_to_fd_list, residency */
      break;
    }
}

/* DONTNEED may discard the pages inside its range: a shared map shows the
 * same bytes again; a private file map shows the file's bytes, a private
 * anonymous one zeros. Nothing outside the range may change. */
static void
check_dontneed (Env         *env,
                const State *before,
                const State *after)
{
  gsize len = 0;
  const guint8 *was = g_bytes_get_data (before->map, &len);
  const guint8 *now;
  const guint8 *file = before->file != NULL
                       ? g_bytes_get_data (before->file, NULL) : NULL;
  gsize lo = DONTNEED_START, hi = MIN (len, DONTNEED_START + 2 * page_size);

  compare_bytes (env, "file", after->file, before->file);
  if (after->closed || after->length != len || after->pos != before->pos
      || after->map == NULL)
    {
      report (env, "DONTNEED changed the length, position or open state");
      return;
    }

  now = g_bytes_get_data (after->map, NULL);
  for (gsize i = 0; i < len; i++)
    {
      guint8 discarded = was[i];

      if (kind_is_private (env->kind) && i >= lo && i < hi)
        discarded = file != NULL ? file[env->offset + (goffset) i] : 0;
      if (now[i] != was[i] && now[i] != discarded)
        {
          report (env, "DONTNEED on [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT
                  ") changed map byte %" G_GSIZE_FORMAT " from 0x%02x to "
                  "0x%02x", lo, hi, i, was[i], now[i]);
          return;
        }
    }
}

static rlim_t
memlock_limit (void)
{
  struct rlimit limit;

  g_assert_cmpint (getrlimit (RLIMIT_MEMLOCK, &limit), ==, 0);
  return limit.rlim_cur;
}

/* Whether @fd is a close-on-exec fd of the map's memory. */
static void
check_fd (Env        *env,
          const char *what,
          int         fd)
{
  g_autofree char *link = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autofree char *target = g_file_read_link (link, NULL);
  int flags = fcntl (fd, F_GETFD);

  if (flags < 0 || !(flags & FD_CLOEXEC))
    report (env, "%s: fd %d is not close-on-exec", what, fd);
  if (target == NULL
      || (env->file != NULL ? strcmp (target, env->file->path) != 0
                            : !g_str_has_prefix (target, "/memfd:mmapobj")))
    report (env, "%s: fd %d is %s, not the map's memory", what, fd,
            target != NULL ? target : "(nothing)");
}

/* What a successful call returned. */
static void
check_value (Env         *env,
             const State *before,
             Result      *r)
{
  gsize first, n;

  switch (env->op)
    {
    case OP_GET_SEALS:
      if (r->value != before->seals)
        report (env, "get_seals() is 0x%x, the memory has 0x%x",
                (guint) r->value, (guint) before->seals);
      break;
    case OP_DUP_FD:
      check_fd (env, "dup_fd", r->fd);
      break;
    case OP_APPEND_TO_FD_LIST:
      if (r->value != 0 || g_unix_fd_list_get_length (r->list) != 1)
        report (env, "append_to_fd_list() gave index %" G_GOFFSET_FORMAT
                " in a list of %d", r->value,
                g_unix_fd_list_get_length (r->list));
      else
        check_fd (env, "append_to_fd_list",
                  g_unix_fd_list_peek_fds (r->list, NULL)[0]);
      break;
    case OP_GET_RESIDENCY:
      span_pages (env, 0, env->length, &first, &n);
      if (r->n_pages != n || r->value < 0 || (gsize) r->value > n)
        report (env, "get_residency(): %" G_GOFFSET_FORMAT " of %"
                G_GSIZE_FORMAT " pages resident, the map has %" G_GSIZE_FORMAT,
                r->value, r->n_pages, n);
      break;
    case OP_GET_RESIDENCY_MAP:
      {
        gsize size;
        const guint8 *vec = g_bytes_get_data (r->pages, &size);

        span_pages (env, RANGE_OFFSET, page_size, &first, &n);
        if (size != n)
          report (env, "get_residency_map(): %" G_GSIZE_FORMAT " bytes for %"
                  G_GSIZE_FORMAT " pages", size, n);
        for (gsize i = 0; i < size; i++)
          if (vec[i] > 1)
            report (env, "get_residency_map(): byte %" G_GSIZE_FORMAT
                    " is %u", i, vec[i]);
      }
      break;
    default:
      break;
    }
}

static void
check_result (Env         *env,
              const State *before,
              Result      *r)
{
  State after;
  guint n_fired = 0;
  gboolean fallback_only = TRUE;   /* only fallocate EOPNOTSUPP fired */
  gboolean no_space = FALSE;       /* fallocate ENOSPC fired */
  gboolean mmap_fired = FALSE;

  for (guint i = 0; i < inj.n; i++)
    {
      const Injection *at = &inj.at[i];

      if (!at->fired)
        continue;
      n_fired++;
      if (at->sc != SC_FALLOCATE || at->err != EOPNOTSUPP)
        fallback_only = FALSE;
      if (at->sc == SC_FALLOCATE && at->err == ENOSPC)
        no_space = TRUE;
      if (at->sc == SC_MMAP)
        mmap_fired = TRUE;
      if (at->sc == SC_FALLOCATE
          && (env->kind == KIND_ANON_SHARED || env->kind == KIND_ANON_PRIVATE))
        report (env, "fallocate called for an anonymous (memfd) map");
    }

  if (r->ok != (r->error == NULL))
    report (env, "returned %s with %s", r->ok ? "success" : "failure",
            r->error != NULL ? r->error->message : "no error set");

  /* Refused cleanly (checked below: nothing changed): locking on fault
   * without mlock2 (valgrind); sealing a map with a range protection of
   * its own, if the library decides to refuse that. */
  if (n_fired == 0 && env->op == OP_LOCK_RANGE_ON_FAULT
      && g_error_matches (r->error, MMAP_ERROR, MMAP_ERROR_NOT_SUPPORTED))
    env->unsupported = TRUE;
  if (n_fired == 0 && env->op == OP_SEAL_READONLY_RANGE_PROT
      && r->error != NULL && r->error->domain == MMAP_ERROR)
    env->unsupported = TRUE;

  if (r->ok)
    check_value (env, before, r);

  if (env->op == OP_SIZE && r->ok && before->file != NULL
      && r->value != (goffset) g_bytes_get_size (before->file))
    report (env, "size() is %" G_GOFFSET_FORMAT ", the file has %"
            G_GSIZE_FORMAT " bytes", r->value,
            g_bytes_get_size (before->file));

  if (r->view != NULL)
    {
      g_autoptr(GBytes) want = g_bytes_new_from_bytes (before->map,
                                                       VIEW_OFFSET,
                                                       VIEW_LENGTH);
      compare_bytes (env, "view", r->view, want);
    }

  state_capture (env, &after);

  if (!r->ok)
    {
      /* (a) failed: nothing changed. */
      if (n_fired == 0 && !env->unsupported)
        report (env, "failed without an injected failure: %s",
                r->error != NULL ? r->error->message : "(no error)");
      else if (r->error != NULL)
        {
          /* The error carries the errno of one of the failed calls. */
          gboolean reported = FALSE;

          for (guint i = 0; i < inj.n; i++)
            {
              int err = inj.at[i].err;

              if (!inj.at[i].fired)
                continue;
              /* madvise: an advice the kernel lacks; mlock2: no
               * MLOCK_ONFAULT. */
              if ((inj.at[i].sc == SC_MADVISE || inj.at[i].sc == SC_MLOCK2)
                  && err == EINVAL
                  && g_error_matches (r->error, MMAP_ERROR,
                                      MMAP_ERROR_NOT_SUPPORTED))
                reported = TRUE;
              /* seal_readonly: the writable mapping a failed munmap left
               * behind keeps the memory from being sealed (munmap's
               * failure has nowhere to go: the mapping's last unref). */
              if (inj.at[i].sc == SC_MUNMAP
                  && (env->op == OP_SEAL_READONLY
                      || env->op == OP_SEAL_READONLY_RANGE_PROT)
                  && g_error_matches (r->error, G_IO_ERROR, G_IO_ERROR_BUSY)
                  && mmap_error_get_errno (r->error) == EBUSY)
                reported = TRUE;
              /* Memory that cannot be sealed lacks the seals asked for. */
              if (inj.at[i].sc == SC_GET_SEALS && err == EINVAL
                  && g_error_matches (r->error, MMAP_ERROR,
                                      MMAP_ERROR_SEALS_MISSING))
                reported = TRUE;
              if (r->error->domain == G_IO_ERROR
                  && r->error->code == (int) g_io_error_from_errno (err)
                  && mmap_error_get_errno (r->error) == err)
                {
                  reported = TRUE;
                  /* A refused lock names the limit. */
                  if (inj.at[i].sc == SC_MLOCK2 && err != EINVAL
                      && memlock_limit () != RLIM_INFINITY
                      && strstr (r->error->message, "RLIMIT_MEMLOCK") == NULL)
                    report (env, "mlock2 %s: the message does not name "
                            "RLIMIT_MEMLOCK: %s", g_strerror (err),
                            r->error->message);
                }
            }
          if (!reported)
            report (env, "the error reports none of the injected errnos: "
                    "%s %d: %s", g_quark_to_string (r->error->domain),
                    r->error->code, r->error->message);
        }

      /* A kernel without MADV_POPULATE_* answers EINVAL: populate then
       * touches the pages itself, and succeeds. */
      if ((env->op == OP_POPULATE || env->op == OP_POPULATE_WRITE)
          && r->error != NULL)
        for (guint i = 0; i < inj.n; i++)
          if (inj.at[i].fired && inj.at[i].sc == SC_MADVISE
              && inj.at[i].err == EINVAL)
            report (env, "populate must touch the pages when madvise says "
                    "EINVAL, but it failed: %s", r->error->message);

      if (n_fired > 0 && fallback_only)
        report (env, "fallocate EOPNOTSUPP must fall back to ftruncate, "
                "but the call failed: %s",
                r->error != NULL ? r->error->message : "(no error)");

      if (op_is_constructor (env->op))
        {
          if (env->map != NULL)
            report (env, "a constructor failed but returned an object");
          compare_bytes (env, "file", after.file, before->file);
          if (env->list != NULL && g_unix_fd_list_get_length (env->list) != 1)
            report (env, "the fd list has %d fds, not 1",
                    g_unix_fd_list_get_length (env->list));
        }
      else if ((env->op == OP_SEAL_READONLY
                || env->op == OP_SEAL_READONLY_RANGE_PROT)
               && mmap_fired && after.prot != before->prot)
        {
          /* Mapping it writable again failed: the map may stay the
           * read-only one, if the object and the message say so. */
          State want;

          state_copy (before, &want);
          state_make_read_only (&want);
          compare_state (env, &after, &want);
          state_clear (&want);
          if (r->error != NULL
              && strstr (r->error->message, "read-only") == NULL)
            report (env, "the map stays read-only, the error does not say "
                    "so: %s", r->error->message);
        }
      else
        compare_state (env, &after, before);
    }
  else
    {
      /* (b) succeeded: exactly what success gives. */
      State want;

      if (no_space)
        report (env, "fallocate ENOSPC must fail the call, but it succeeded");

      if (env->op == OP_MADVISE_DONTNEED)
        check_dontneed (env, before, &after);
      else
        {
          expected_success (env, before, &want);
          compare_state (env, &after, &want);
          state_clear (&want);
        }
    }

  state_clear (&after);
}

/* Closes and drops the map, then checks that no fd and no mapping is
 * left. */
static void
env_teardown (Env *env)
{
  g_autoptr(GHashTable) fds_after = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint maps_after;

  if (env->map != NULL)
    {
      MmapObject *weak = env->map;

      g_assert_true (mmap_object_close (env->map, NULL));
      g_object_add_weak_pointer (G_OBJECT (weak), (gpointer *) &weak);
      g_object_unref (env->map);
      env->map = NULL;
      if (weak != NULL)
        {
          report (env, "the map is still referenced after the last unref");
          g_object_remove_weak_pointer (G_OBJECT (weak), (gpointer *) &weak);
        }
    }
  if (env->source != NULL)
    {
      g_assert_true (mmap_object_close (env->source, NULL));
      g_clear_object (&env->source);
    }
  g_clear_object (&env->list);
  g_clear_pointer (&env->source_bytes, g_bytes_unref);
  g_clear_pointer (&env->skip, g_array_unref);

  /* A munmap failed by the injector leaves its range mapped, as the
   * kernel would: unmap exactly that part ourselves. */
  pthread_mutex_lock (&regions_lock);
  for (guint i = 0; i < munmap_failed->len; i++)
    {
      Region f = g_array_index (munmap_failed, Region, i);

      for (guint j = 0; j < regions->len; j++)
        {
          Region r = g_array_index (regions, Region, j);
          guintptr lo = MAX (r.lo, f.lo), hi = MIN (r.hi, f.hi);

          if (lo < hi)
            {
              n_munmap_leaks++;
              pthread_mutex_unlock (&regions_lock);
              g_assert_cmpint (munmap ((void *) lo, hi - lo), ==, 0);
              pthread_mutex_lock (&regions_lock);
              j = (guint) -1;   /* the array changed: start again */
            }
        }
    }
  g_array_set_size (munmap_failed, 0);
  while (regions->len > 0)
    {
      Region r = g_array_index (regions, Region, 0);

      pthread_mutex_unlock (&regions_lock);
      report (env, "mapping leaked: %" G_GSIZE_FORMAT " bytes at %p",
              (gsize) (r.hi - r.lo), (gpointer) r.lo);
      g_assert_cmpint (munmap ((void *) r.lo, r.hi - r.lo), ==, 0);
      pthread_mutex_lock (&regions_lock);
    }
  pthread_mutex_unlock (&regions_lock);

  maps_after = count_backed_mappings (env->file ? env->file->path : NULL);
  if (maps_after != env->maps_before)
    report (env, "/proc/self/maps has %u mappings of the file or memfd, "
            "%u before", maps_after, env->maps_before);

  g_clear_pointer (&env->file, mt_file_free);

  fds_after = fd_snapshot ();
  g_hash_table_iter_init (&iter, fds_after);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *was = g_hash_table_lookup (env->fds_before, key);

      if (g_strcmp0 (was, value) != 0)
        {
          report (env, "fd %d leaked (%s)", GPOINTER_TO_INT (key),
                  (const char *) value);
          if (strstr (value, "mmapobj") != NULL)
            close (GPOINTER_TO_INT (key));
        }
    }

  g_clear_pointer (&env->fds_before, g_hash_table_unref);
  g_clear_pointer (&env->ctx, g_free);
}

static gboolean last_unsupported;   /* the last case's call is unsupported */

/* Runs @op on a fresh map of @kind with the injections @at armed (none:
 * nothing fails). Leaves the injector's record in inj, and returns
 * whether every injection fired. */
static gboolean
run_case (Kind             kind,
          Op               op,
          const Injection *at,
          guint            n)
{
  Env env;
  State before;
  Result r;
  gboolean all_fired = TRUE;
  GString *ctx = g_string_new (NULL);

  env_setup (&env, kind, op);
  g_string_printf (ctx, "%s/%s", op_names[op], kind_names[kind]);
  if (n == 0)
    g_string_append (ctx, " (no injection)");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (ctx, "%s %s=%s k=%u", i > 0 ? " then" : "",
                            syscalls[at[i].sc].name,
                            g_strerror (at[i].err), at[i].k);
  env.ctx = g_string_free (ctx, FALSE);
  state_capture (&env, &before);

  inj_arm (at, n);
  op_run (&env, &r);
  inj_disarm ();

  for (guint i = 0; i < n; i++)
    {
      char *site;
      guint hits;

      if (!inj.at[i].fired)
        {
          all_fired = FALSE;
          continue;
        }
      site = describe_site (at[i].sc, inj.at[i].caller);
      hits = GPOINTER_TO_UINT (g_hash_table_lookup (call_sites, site));
      n_injected++;
      injected_per_sc[at[i].sc]++;
      if (!caller_in_library (inj.at[i].caller))
        g_test_message ("note %s: the failed call came from outside "
                        "libmmapobj: %s", env.ctx, site);
      g_hash_table_insert (call_sites, site, GUINT_TO_POINTER (hits + 1));
    }

  if (g_test_verbose ())
    g_test_message ("%s: %s%s%s", env.ctx,
                    !all_fired ? "not reached, " : "",
                    r.ok ? "succeeded" : "failed: ",
                    r.error != NULL ? r.error->message : "");
  check_result (&env, &before, &r);
  last_unsupported = env.unsupported;

  g_clear_error (&r.error);
  g_clear_pointer (&r.view, g_bytes_unref);
  g_clear_pointer (&r.pages, g_bytes_unref);
  g_clear_object (&r.list);
  if (r.fd >= 0)
    close (r.fd);
  state_clear (&before);
  env_teardown (&env);

  return all_fired;
}

typedef struct
{
  Kind kind;
  Op   op;
} TestData;

static void
test_fault (gconstpointer user_data)
{
  const TestData *data = user_data;
  guint calls[N_SC];
  guint n_single = 0, n_double = 0;

  /* A run without failures: it must succeed, and says which calls the
   * operation makes. */
  run_case (data->kind, data->op, NULL, 0);
  memcpy (calls, inj.calls, sizeof calls);
  if (last_unsupported)
    {
      g_test_skip (data->op == OP_LOCK_RANGE_ON_FAULT
                   ? "not supported here, and refused cleanly (valgrind has "
                     "no mlock2())"
                   : "refused, cleanly");
      return;
    }

  for (Syscall sc = 0; sc < N_SC; sc++)
    for (guint e = 0; calls[sc] > 0 && e < MAX_ERRNOS
                      && syscalls[sc].errnos[e] != 0; e++)
      for (guint k = 1;; k++)
        {
          Injection at[2] = { { sc, k, syscalls[sc].errnos[e] } };
          guint after[N_SC], at_fire[N_SC];

          g_assert_cmpuint (k, <, 100);
          if (!run_case (data->kind, data->op, at, 1))
            break;
          n_single++;

          /* The calls made after the failure (a fallback, an undo) get
           * their own failure too, one at a time; except ftruncate, the
           * undo of last resort, whose failure nothing can repair. */
          memcpy (at_fire, inj.at[0].calls_at_fire, sizeof at_fire);
          for (Syscall s2 = 0; s2 < N_SC; s2++)
            after[s2] = inj.calls[s2] - at_fire[s2];
          for (Syscall s2 = 0; s2 < N_SC; s2++)
            for (guint e2 = 0; s2 != SC_FTRUNCATE && after[s2] > 0
                               && e2 < MAX_ERRNOS
                               && syscalls[s2].errnos[e2] != 0; e2++)
              for (guint k2 = at_fire[s2] + 1;; k2++)
                {
                  g_assert_cmpuint (k2, <, 100);
                  at[1].sc = s2;
                  at[1].k = k2;
                  at[1].err = syscalls[s2].errnos[e2];
                  if (!run_case (data->kind, data->op, at, 2))
                    break;
                  n_double++;
                }
        }

  n_single_cases += n_single;
  n_double_cases += n_double;
  g_test_message ("%s/%s: %u cases with one injected failure, %u with two",
                  op_names[data->op], kind_names[data->kind], n_single,
                  n_double);
}

/* Without any injection: seal_readonly() refused with EBUSY (another
 * writable map of the memory exists, as in another process) must leave a
 * map with a range protection of its own as it was, so that giving the
 * range its write access back makes the whole map writable, for real. */
static void
test_seal_readonly_busy_range_prot (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(MmapObject) other = NULL;
  g_autofree guint8 *data = g_malloc (3 * page_size);
  GString *kperms;
  gboolean writable = TRUE;
  int fd;

  map = mmap_object_new_memfd ("mmapobj-fault", 3 * page_size,
                               MMAP_MEMFD_ALLOW_SEALING, &error);
  g_assert_no_error (error);
  mt_fill_pattern (data, 3 * page_size, 6);
  g_assert_true (mmap_object_set_slice (map, 0, G_MAXSSIZE, 1, data,
                                        3 * page_size, &error));
  g_assert_true (mmap_object_protect_range (map, page_size, 1,
                                            MMAP_PROT_READ, &error));
  g_assert_no_error (error);

  /* The other writable map. */
  fd = mmap_object_dup_fd (map, &error);
  g_assert_no_error (error);
  other = mmap_object_new (fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  close (fd);

  /* EBUSY; or refused for the range protection, if the library decides
   * to: then nothing may change either. */
  g_assert_false (mmap_object_seal_readonly (map, &error));
  g_assert_nonnull (error);
  if (error->domain != MMAP_ERROR)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
      g_assert_cmpint (mmap_error_get_errno (error), ==, EBUSY);
    }
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_get_seals (map, &error), ==, 0);
  g_assert_cmpint (mmap_object_get_prot (map), ==, MMAP_PROT_READ);

  kperms = kernel_perms (map, NULL);
  if (strcmp (kperms->str, "rw-sr--srw-s") != 0)
    {
      g_test_message ("FAIL seal-readonly-busy/range-prot: after the "
                      "refused seal_readonly() the pages are %s, expected "
                      "rw-sr--srw-s", kperms->str);
      g_test_fail ();
    }
  g_string_free (kperms, TRUE);

  g_assert_true (mmap_object_protect_range (map, page_size, 1,
                                            MMAP_PROT_READ | MMAP_PROT_WRITE,
                                            &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_prot (map), ==,
                   MMAP_PROT_READ | MMAP_PROT_WRITE);
  kperms = kernel_perms (map, NULL);
  for (gsize i = 0; i + 4 <= kperms->len; i += 4)
    writable = writable && kperms->str[i + 1] == 'w';
  if (!writable)
    {
      /* Writing would crash the test: say so instead. */
      g_test_message ("FAIL seal-readonly-busy/range-prot: the object is "
                      "writable (prot 0x%x), its pages are %s: a write "
                      "would crash", mmap_object_get_prot (map),
                      kperms->str);
      g_test_fail ();
    }
  else
    {
      g_assert_true (mmap_object_set_byte (map, 0, 0x5a, &error));
      g_assert_true (mmap_object_set_byte (map, 2 * (gssize) page_size, 0x5b,
                                           &error));
      g_assert_no_error (error);
      g_assert_cmpint (mmap_object_get_byte (other, 2 * (gssize) page_size,
                                             &error), ==, 0x5b);
    }
  g_string_free (kperms, TRUE);

  g_assert_true (mmap_object_close (other, &error));
  g_assert_true (mmap_object_close (map, &error));
  g_assert_no_error (error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
test_summary (void)
{
  GHashTableIter iter;
  gpointer key, value;
  g_autoptr(GPtrArray) sites = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, call_sites);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_ptr_array_add (sites, key);
  g_ptr_array_sort (sites, compare_strings);
  for (guint i = 0; i < sites->len; i++)
    g_test_message ("call site %s: %u injected failures",
                    (const char *) sites->pdata[i],
                    GPOINTER_TO_UINT (g_hash_table_lookup (call_sites,
                                                           sites->pdata[i])));

  g_test_message ("fault injection: %u injected failures x %u call sites "
                  "(%u operations with one failing call, %u with two; %u "
                  "failed munmaps left their range mapped)",
                  n_injected, g_hash_table_size (call_sites), n_single_cases,
                  n_double_cases, n_munmap_leaks);

  if (n_injected == 0)
    {
      g_test_skip ("no operation ran: run the whole program for the summary");
      return;
    }

  /* Every system call the library depends on was made to fail. */
  for (Syscall sc = 0; sc < N_SC; sc++)
    {
      g_test_message ("%s: %u injected failures", syscalls[sc].name,
                      injected_per_sc[sc]);
      if (injected_per_sc[sc] == 0)
        {
          g_test_message ("FAIL summary: no call to %s was ever reached",
                          syscalls[sc].name);
          g_test_fail ();
        }
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) data = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);

  page_size = mmap_get_page_size ();
  regions = g_array_new (FALSE, FALSE, sizeof (Region));
  munmap_failed = g_array_new (FALSE, FALSE, sizeof (Region));
  call_sites = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  dl_iterate_phdr (find_library_cb, NULL);
  g_assert_cmpuint (lib_hi, >, lib_lo);

  for (Op op = 0; op < N_OPS; op++)
    for (Kind kind = 0; kind < N_KINDS; kind++)
      {
        TestData *d;
        g_autofree char *path = NULL;

        if (!op_applies (op, kind))
          continue;
        d = g_new (TestData, 1);
        d->kind = kind;
        d->op = op;
        g_ptr_array_add (data, d);
        path = g_strdup_printf ("/Mmap/Fault/%s/%s", op_names[op],
                                kind_names[kind]);
        g_test_add_data_func (path, d, test_fault);
      }
  g_test_add_func ("/Mmap/Fault/seal-readonly-busy/range-prot",
                   test_seal_readonly_busy_range_prot);
  /* In a suite of its own, added last: it runs after all the others. */
  g_test_add_func ("/Mmap/Fault/summary/all", test_summary);

  {
    int ret = g_test_run ();

    g_array_unref (regions);
    g_array_unref (munmap_failed);
    g_hash_table_unref (call_sites);
    return ret;
  }
}
