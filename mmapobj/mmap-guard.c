/* mmap-guard.c: memory access that survives SIGBUS
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Touching a page of a file mapping that lies past the end of the file
 * (someone truncated it) or whose I/O fails raises SIGBUS, which kills the
 * process. Every access the library makes to memory, the map's and the
 * caller's alike, runs under the guard, in one of two ways:
 *
 * - Single bytes and plain copies (mmap_guard_load_byte(),
 *   mmap_guard_store_byte(), mmap_guard_copy()) run code whose faulting
 *   instructions are listed: the copy is a small assembly routine
 *   (mmap-guard-x86_64.S) with a table of address ranges, the byte
 *   accesses are inline assembly with an entry each in the
 *   mmap_guard_extable section. On a fault there, the handler moves the
 *   thread to the fixup, which returns the failure; nothing is set up per
 *   call but one thread-local load.
 * - Anything else (memmem, memchr, strided loops), copies of 512 KiB and
 *   more (glibc's memcpy is faster there), and the three calls above where
 *   the fixups are not available (other architectures, valgrind), runs
 *   through mmap_guard_run(): it records a frame in a
 *   thread-local list and calls the access; a SIGBUS fault raised while
 *   the frame is current jumps back out of the access with siglongjmp.
 *
 * What can slip past a naive handler, and what this one does about it:
 *
 * - A thread that blocks SIGBUS: the kernel kills the whole process on a
 *   fault it cannot deliver. Each thread's mask is read on its first
 *   guarded access (and again after mmap_install_sigbus_guard()); threads
 *   that block SIGBUS get it unblocked around each access.
 * - A signal that is not a fault (kill(), raise(), sigqueue()): it goes to
 *   the disposition that was installed before the guard, exactly as if the
 *   guard were not there, and the guard stays installed.
 * - A handler installed after ours: every new map, and
 *   mmap_install_sigbus_guard(), puts the guard back in front of whatever
 *   handler is installed then, chaining to it.
 * - A chained handler that re-raises SIGBUS, or returns into the same
 *   fault: the process gets the default action (it dies of SIGBUS) instead
 *   of looping.
 *
 * The handler is installed with SA_NODEFER and an empty mask, so jumping
 * out of it with a plain sigsetjmp(env, 0) (no signal mask syscall per
 * access) leaves no signal blocked. MMAP_NO_SIGBUS_GUARD=1 in the
 * environment disables it: nothing is installed, and the routines run as
 * plain accesses (a fault kills the process, as without the library).
 */

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#if defined (__has_include)
# if __has_include (<valgrind/valgrind.h>)
#  include <valgrind/valgrind.h>
#  define HAVE_VALGRIND_H 1
# endif
#endif

#include "mmap-guard.h"
#include "mmap-guard-private.h"

typedef struct _GuardFrame GuardFrame;

struct _GuardFrame
{
  sigjmp_buf   env;
  const char  *lo;
  const char  *hi;
  const char  *fault_addr;
  GuardFrame  *prev;
};

/* The fixup routines of mmap-guard-x86_64.S. The handler edits the
 * interrupted context, so this needs the Linux x86-64 ucontext layout. */
#if defined (__x86_64__) && defined (__linux__) && defined (REG_RIP)
# define HAVE_FIXUPS 1

typedef struct
{
  guintptr start;   /* faulting instructions: [start, end) */
  guintptr end;
  guintptr fixup;   /* where to resume */
} Fixup;

extern const Fixup   mmap_guard_x86_fixups[];
extern const guint64 mmap_guard_x86_n_fixups;

int          mmap_guard_x86_load_byte  (const guint8 *p);
gboolean     mmap_guard_x86_store_byte (guint8       *p,
                                        guint8        value);
MmapGuardResult mmap_guard_x86_copy    (guint8       *dst,
                                        const guint8 *src,
                                        gsize         n,
                                        gboolean      probe,
                                        const void   *region,
                                        gsize         region_size);

/* The values the assembly returns. */
G_STATIC_ASSERT (MMAP_GUARD_OK == 0);
G_STATIC_ASSERT (MMAP_GUARD_FAULT_REGION == 1);
G_STATIC_ASSERT (MMAP_GUARD_FAULT_OTHER == 2);
#else
# define HAVE_FIXUPS 0
#endif

/* The sanitizers cannot see into the assembly routines: tell them about
 * each access, so that ASan still checks the caller's buffers and TSan
 * still sees the reads and writes. */
#if defined (MMAP_GUARD_ASAN)
/* As GCC declares them and the next two (it has them built in). */
void __asan_loadN  (void *p, long size);
void __asan_storeN (void *p, long size);
# define ASAN_READ(p, n)  __asan_loadN ((void *) (p), (long) (n))
# define ASAN_WRITE(p, n) __asan_storeN ((p), (long) (n))
#else
# define ASAN_READ(p, n)  ((void) 0)
# define ASAN_WRITE(p, n) ((void) 0)
#endif
#if defined (MMAP_GUARD_TSAN)
void __tsan_read_range  (void *p, long size);
void __tsan_write_range (void *p, long size);
# define TSAN_READ(p, n)  __tsan_read_range ((void *) (p), (long) (n))
# define TSAN_WRITE(p, n) __tsan_write_range ((p), (long) (n))
#else
# define TSAN_READ(p, n)  ((void) 0)
# define TSAN_WRITE(p, n) ((void) 0)
#endif
#define ANNOTATE_READ(p, n)  G_STMT_START { ASAN_READ (p, n); TSAN_READ (p, n); } G_STMT_END
#define ANNOTATE_WRITE(p, n) G_STMT_START { ASAN_WRITE (p, n); TSAN_WRITE (p, n); } G_STMT_END

/* initial-exec: reading them in the signal handler must not allocate. */
#define GUARD_TLS __thread __attribute__ ((tls_model ("initial-exec")))
static GUARD_TLS GuardFrame *current_frame;
GUARD_TLS MmapGuardMode      mmap_guard_thread_mode;
static GUARD_TLS int         forwarding;          /* chained calls running */
static GUARD_TLS const void *last_forwarded_fault;

/* The disposition the guard chains to. Re-installing writes the other
 * slot, then publishes it, so the handler never reads a half-written one. */
static struct sigaction chain_slots[2];
static struct sigaction *chained = &chain_slots[0];   /* atomic */
static GMutex install_lock;
static gint installed;   /* atomic */

static gboolean
is_fault (const siginfo_t *info)
{
  /* Synchronous faults only: BUS_MCEERR_AO is an asynchronous report, and
   * codes <= 0 are signals some process sent. */
  switch (info->si_code)
    {
    case BUS_ADRALN:
    case BUS_ADRERR:
    case BUS_OBJERR:
#ifdef BUS_MCEERR_AR
    case BUS_MCEERR_AR:
#endif
      return TRUE;
    default:
      return FALSE;
    }
}

/* The default action: the process dies of the signal, as it would have
 * without any handler. For a fault, returning re-runs the access, which
 * then gets the default action. */
static void
die_of (int       sig,
        gboolean  fault)
{
  struct sigaction dfl;
  sigset_t set;

  memset (&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset (&dfl.sa_mask);
  sigaction (sig, &dfl, NULL);

  if (!fault)
    {
      sigemptyset (&set);
      sigaddset (&set, sig);
      pthread_sigmask (SIG_UNBLOCK, &set, NULL);
      raise (sig);
    }
}

static void
forward (int        sig,
         siginfo_t *info,
         void      *context,
         gboolean   fault)
{
  const struct sigaction *prev = __atomic_load_n (&chained, __ATOMIC_ACQUIRE);

  /* The chained handler raised SIGBUS itself, or faulted: stop here. The
   * same fault again after a chained handler returned: it did not handle
   * it, and would loop forever. */
  if (forwarding > 0
      || (fault && info->si_addr == last_forwarded_fault))
    {
      die_of (sig, fault);
      return;
    }

  if (prev->sa_flags & SA_SIGINFO)
    {
      last_forwarded_fault = fault ? info->si_addr : NULL;
      forwarding++;
      prev->sa_sigaction (sig, info, context);
      forwarding--;
    }
  else if (prev->sa_handler == SIG_DFL)
    die_of (sig, fault);
  else if (prev->sa_handler == SIG_IGN)
    {
      /* The kernel does not let a process ignore a fault. */
      if (fault)
        die_of (sig, fault);
    }
  else
    {
      last_forwarded_fault = fault ? info->si_addr : NULL;
      forwarding++;
      prev->sa_handler (sig);
      forwarding--;
    }
}

#if HAVE_FIXUPS
/* A fault in a fixup routine: resume at its fixup, with the faulting
 * address in %rax. Safe even inside a chained handler: the fixup returns
 * from the routine and cannot fault again. */
static gboolean
apply_fixup (const siginfo_t *info,
             void            *context)
{
  ucontext_t *uc = context;
  guintptr ip;

  if (uc == NULL)
    return FALSE;
  ip = (guintptr) uc->uc_mcontext.gregs[REG_RIP];
  for (guint64 i = 0; i < mmap_guard_x86_n_fixups; i++)
    if (ip >= mmap_guard_x86_fixups[i].start
        && ip < mmap_guard_x86_fixups[i].end)
      {
        guintptr addr = (guintptr) info->si_addr;

        uc->uc_mcontext.gregs[REG_RIP] = (greg_t) mmap_guard_x86_fixups[i].fixup;
        uc->uc_mcontext.gregs[REG_RAX] = (greg_t) (addr != 0 ? addr : 1);
        return TRUE;
      }
  return FALSE;
}

/* The table of mmap_guard_load_byte() and mmap_guard_store_byte() (see
 * mmap-guard-private.h), whose bounds the linker defines. */
typedef struct
{
  gint32 insn;    /* the instruction that may fault, from &insn */
  gint32 fixup;   /* where to resume, from &fixup */
} ExtableEntry;

extern const ExtableEntry __start_mmap_guard_extable[]
  __attribute__ ((visibility ("hidden")));
extern const ExtableEntry __stop_mmap_guard_extable[]
  __attribute__ ((visibility ("hidden")));

/* The table exists even when nothing puts an entry in it (under the
 * sanitizers), so that its bounds are defined. */
__asm__ (".pushsection mmap_guard_extable, \"a\"\n.popsection\n");

static gboolean
apply_inline_fixup (void *context)
{
  ucontext_t *uc = context;
  guintptr ip;

  if (uc == NULL)
    return FALSE;
  ip = (guintptr) uc->uc_mcontext.gregs[REG_RIP];
  for (const ExtableEntry *e = __start_mmap_guard_extable;
       e < __stop_mmap_guard_extable;
       e++)
    if ((guintptr) &e->insn + (gintptr) e->insn == ip)
      {
        uc->uc_mcontext.gregs[REG_RIP] =
          (greg_t) ((guintptr) &e->fixup + (gintptr) e->fixup);
        return TRUE;
      }
  return FALSE;
}
#endif

static void
sigbus_handler (int        sig,
                siginfo_t *info,
                void      *context)
{
  int saved_errno = errno;
  gboolean fault = info != NULL && is_fault (info);
  GuardFrame *frame = current_frame;

#if HAVE_FIXUPS
  if (fault && (apply_fixup (info, context) || apply_inline_fixup (context)))
    {
      errno = saved_errno;
      return;
    }
#endif

  if (fault && frame != NULL && forwarding == 0)
    {
      frame->fault_addr = info->si_addr;
      current_frame = frame->prev;
      siglongjmp (frame->env, 1);
    }

  forward (sig, info, context, fault);
  errno = saved_errno;
}

static gboolean
guard_disabled (void)
{
  static gsize disabled = 0;

  if (g_once_init_enter (&disabled))
    {
      const char *off = g_getenv ("MMAP_NO_SIGBUS_GUARD");

      g_once_init_leave (&disabled,
                         off != NULL && g_strcmp0 (off, "0") != 0 ? 2 : 1);
    }
  return disabled == 2;
}

/**
 * mmap_install_sigbus_guard:
 *
 * Puts the library's `SIGBUS` guard in front of the `SIGBUS` handler that
 * is installed now, and re-reads the calling thread's signal mask.
 *
 * The guard turns a fault inside a library call (a file truncated under
 * the map, an I/O error) into a `G_IO_ERROR` with errno `EIO`. Every other
 * `SIGBUS` goes on to the handler it chains to: faults outside the
 * library, and signals that are not faults (`kill()`, `raise()`), which
 * keep their old meaning (a handler is called, `SIG_IGN` ignores them,
 * `SIG_DFL` ends the process). A chained handler that raises `SIGBUS`
 * again, or returns into the same fault, ends the process with `SIGBUS`.
 *
 * The guard installs itself when the first map is made, and checks again
 * each time a map is made. Call this function after installing a `SIGBUS`
 * handler of your own (a crash reporter, Python's `faulthandler`) while
 * maps exist. Until you do, or until the next map is made, faults inside
 * library calls reach your handler: a crash reporter reports a crash, and
 * a handler that returns makes the process die of `SIGBUS`.
 *
 * The guard also unblocks `SIGBUS` around its accesses in threads that
 * block it, which it learns on each thread's first guarded access. A
 * thread that blocks `SIGBUS` after that must call this function again.
 *
 * Setting `MMAP_NO_SIGBUS_GUARD=1` in the environment disables the guard:
 * a fault then kills the process, as it does without the library.
 *
 * Returns: %TRUE if the guard is installed, %FALSE if
 *   `MMAP_NO_SIGBUS_GUARD` disables it
 *
 * Since: 1.0
 */
gboolean
mmap_install_sigbus_guard (void)
{
  struct sigaction current;

  if (guard_disabled ())
    return FALSE;

  g_mutex_lock (&install_lock);
  if (sigaction (SIGBUS, NULL, &current) == 0
      && !((current.sa_flags & SA_SIGINFO)
           && current.sa_sigaction == sigbus_handler))
    {
      struct sigaction *slot = chained == &chain_slots[0]
                               ? &chain_slots[1] : &chain_slots[0];
      /* (chained only changes under install_lock, held here.) */
      struct sigaction action;

      memset (&action, 0, sizeof action);
      action.sa_sigaction = sigbus_handler;
      action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
      sigemptyset (&action.sa_mask);

      /* Publish what we chain to before the handler can run. */
      *slot = current;
      __atomic_store_n (&chained, slot, __ATOMIC_RELEASE);
      if (sigaction (SIGBUS, &action, NULL) == 0)
        g_atomic_int_set (&installed, TRUE);
    }
  else if (!g_atomic_int_get (&installed))
    g_atomic_int_set (&installed, TRUE);
  g_mutex_unlock (&install_lock);

  mmap_guard_thread_mode = MMAP_GUARD_MODE_UNKNOWN;
  return TRUE;
}

/* Whether a fault in a fixup routine can be resumed at its fixup. Under
 * valgrind (3.19) the context's %rip is not always the faulting
 * instruction: it can be the start of the translated block, here the C
 * caller that jumped to the routine, so the fault would not be matched
 * (and the process would die of it). Valgrind does honour a changed %rip
 * on return; it is the lookup that fails. */
static gboolean
fixups_usable (void)
{
#if !HAVE_FIXUPS
  return FALSE;
#elif defined (HAVE_VALGRIND_H)
  return !RUNNING_ON_VALGRIND;
#else
  return TRUE;
#endif
}

static MmapGuardMode
get_thread_mode (void)
{
  if (G_UNLIKELY (mmap_guard_thread_mode == MMAP_GUARD_MODE_UNKNOWN))
    {
      sigset_t current;

      pthread_sigmask (SIG_BLOCK, NULL, &current);
      if (sigismember (&current, SIGBUS))
        mmap_guard_thread_mode = MMAP_GUARD_MODE_BLOCKED;
      else
        mmap_guard_thread_mode = fixups_usable () ? MMAP_GUARD_MODE_DIRECT
                                                  : MMAP_GUARD_MODE_OPEN;
    }
  return mmap_guard_thread_mode;
}

static void
set_sigbus_blocked (gboolean blocked)
{
  sigset_t set;

  sigemptyset (&set);
  sigaddset (&set, SIGBUS);
  pthread_sigmask (blocked ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

/*
 * Runs func (data), which may touch the map's memory in
 * [region, region + region_size) and memory the caller passed in. Returns
 * where a SIGBUS fault stopped it, or MMAP_GUARD_OK; what func did up to
 * the fault stays done.
 */
MmapGuardResult
mmap_guard_run (MmapGuardFunc  func,
                gpointer       data,
                const void    *region,
                gsize          region_size)
{
  GuardFrame frame;
  gboolean blocked;

  if (!g_atomic_int_get (&installed))
    {
      func (data);
      return MMAP_GUARD_OK;
    }

  blocked = get_thread_mode () == MMAP_GUARD_MODE_BLOCKED;
  if (blocked)
    set_sigbus_blocked (FALSE);

  frame.lo = region;
  frame.hi = region_size > 0 ? (const char *) region + region_size : region;
  frame.fault_addr = NULL;
  frame.prev = current_frame;

  if (sigsetjmp (frame.env, 0) != 0)
    {
      /* The handler already popped the frame. */
      const char *addr = *(const char * volatile *) &frame.fault_addr;

      if (blocked)
        set_sigbus_blocked (TRUE);
      return addr >= frame.lo && addr < frame.hi
             ? MMAP_GUARD_FAULT_REGION : MMAP_GUARD_FAULT_OTHER;
    }

  current_frame = &frame;
  func (data);
  current_frame = frame.prev;

  if (blocked)
    set_sigbus_blocked (TRUE);
  return MMAP_GUARD_OK;
}

/* The three functions below as a job for mmap_guard_run(), for large
 * copies and where the fixups cannot be used. */
typedef struct
{
  guint8       *dst;
  const guint8 *src;
  gsize         n;
  gboolean      probe;
} CopyJob;

static void
run_copy (gpointer data)
{
  const CopyJob *job = data;

  if (job->probe && job->n > 0)
    {
      (void) *(volatile const guint8 *) (job->src + job->n - 1);
      __atomic_fetch_or (job->dst + job->n - 1, 0, __ATOMIC_RELAXED);
    }
  memcpy (job->dst, job->src, job->n);
}

/* From this size on, glibc's memcpy (non-temporal stores for large
 * copies) beats `rep movsb`, and a sigsetjmp frame costs nothing. Not
 * under TSan: there a fault inside mmap_guard_run() can kill the process
 * (gcc 12's TSan, seen in test-guard's large probe), while the fixups
 * work. */
#if defined (MMAP_GUARD_TSAN)
# define COPY_BY_MEMCPY G_MAXSIZE
#else
# define COPY_BY_MEMCPY (512 * 1024)
#endif

/* Every access of the three functions below whose thread is not in
 * MMAP_GUARD_MODE_DIRECT, and large copies. */
static MmapGuardResult
copy_slow (guint8       *dst,
           const guint8 *src,
           gsize         n,
           gboolean      probe,
           const void   *region,
           gsize         region_size)
{
  CopyJob job = { dst, src, n, probe };

#if HAVE_FIXUPS
  if (n < COPY_BY_MEMCPY)
    {
      MmapGuardMode mode = get_thread_mode ();

      if (mode == MMAP_GUARD_MODE_DIRECT)
        return mmap_guard_x86_copy (dst, src, n, probe, region, region_size);
      if (mode == MMAP_GUARD_MODE_BLOCKED && fixups_usable ()
          && g_atomic_int_get (&installed))
        {
          MmapGuardResult result;

          set_sigbus_blocked (FALSE);
          result = mmap_guard_x86_copy (dst, src, n, probe, region,
                                        region_size);
          set_sigbus_blocked (TRUE);
          return result;
        }
    }
#endif
  /* (Runs the job unguarded when the guard is not installed.) */
  return mmap_guard_run (run_copy, &job, region, region_size);
}

/* The byte at p (0–255), or -1 if reading it raised SIGBUS. */
int
mmap_guard_load_byte_any (const guint8 *p)
{
  guint8 byte;

  ANNOTATE_READ (p, 1);
#if HAVE_FIXUPS
  if (G_LIKELY (mmap_guard_thread_mode == MMAP_GUARD_MODE_DIRECT))
    return mmap_guard_x86_load_byte (p);
#endif
  return copy_slow (&byte, p, 1, FALSE, p, 1) == MMAP_GUARD_OK ? byte : -1;
}

/* Stores value at p; FALSE if that raised SIGBUS. */
gboolean
mmap_guard_store_byte_any (guint8 *p,
                           guint8  value)
{
  ANNOTATE_WRITE (p, 1);
#if HAVE_FIXUPS
  if (G_LIKELY (mmap_guard_thread_mode == MMAP_GUARD_MODE_DIRECT))
    return mmap_guard_x86_store_byte (p, value);
#endif
  return copy_slow (p, &value, 1, FALSE, p, 1) == MMAP_GUARD_OK;
}

/* Copies n bytes from src to dst (no overlap), probing the last byte of
 * both first if asked; see mmap-guard-private.h. */
MmapGuardResult
mmap_guard_copy (guint8       *dst,
                 const guint8 *src,
                 gsize         n,
                 gboolean      probe,
                 const void   *region,
                 gsize         region_size)
{
  ANNOTATE_READ (src, n);
  ANNOTATE_WRITE (dst, n);
#if HAVE_FIXUPS
  if (G_LIKELY (mmap_guard_thread_mode == MMAP_GUARD_MODE_DIRECT
                && n < COPY_BY_MEMCPY))
    return mmap_guard_x86_copy (dst, src, n, probe, region, region_size);
#endif
  return copy_slow (dst, src, n, probe, region, region_size);
}
