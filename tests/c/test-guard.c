/* test-guard.c: the guard's single accesses and copies
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * mmap_guard_load_byte(), mmap_guard_store_byte() and mmap_guard_copy()
 * are private to the library, so this test builds mmapobj/mmap-guard.c
 * (and its assembly) into itself and maps files on its own.
 *
 * Not tested, by contract: overlapping source and destination of
 * mmap_guard_copy() (forbidden; the bytes are copied in no defined order).
 */

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmap-guard.h"
#include "mmap-guard-private.h"

static gsize page_size;

/* A file mapped shared and read-write, filled with a pattern;
 * truncate_to () cuts the file under it. */
typedef struct
{
  int     fd;
  guint8 *base;
  gsize   size;
} MappedFile;

static void
fill_pattern (guint8 *buf,
              gsize   len,
              guint   seed)
{
  for (gsize i = 0; i < len; i++)
    buf[i] = (guint8) (i * 131 + seed * 7 + (i >> 8));
}

static MappedFile *
mapped_file_new (gsize n_pages)
{
  MappedFile *file = g_new0 (MappedFile, 1);
  g_autoptr(GError) error = NULL;
  char *path = NULL;

  file->fd = g_file_open_tmp ("test-guard-XXXXXX", &path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (unlink (path), ==, 0);
  g_free (path);

  file->size = n_pages * page_size;
  g_assert_cmpint (ftruncate (file->fd, (off_t) file->size), ==, 0);
  file->base = mmap (NULL, file->size, PROT_READ | PROT_WRITE, MAP_SHARED,
                     file->fd, 0);
  g_assert_true (file->base != MAP_FAILED);
  fill_pattern (file->base, file->size, 3);
  return file;
}

static void
mapped_file_free (MappedFile *file)
{
  g_assert_cmpint (munmap (file->base, file->size), ==, 0);
  g_assert_cmpint (close (file->fd), ==, 0);
  g_free (file);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MappedFile, mapped_file_free)

static void
truncate_to (MappedFile *file,
             gsize       size)
{
  g_assert_cmpint (ftruncate (file->fd, (off_t) size), ==, 0);
}

/* The handler a program had before the library: stray signals reach it. */
static volatile sig_atomic_t earlier_calls;

static void
earlier_handler (int        sig,
                 siginfo_t *info,
                 void      *context)
{
  earlier_calls++;
}

/* Installs handler, then the guard in front of it. */
static void
chain_guard_to (void (*handler) (int, siginfo_t *, void *))
{
  struct sigaction action;

  memset (&action, 0, sizeof action);
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO;
  sigemptyset (&action.sa_mask);
  g_assert_cmpint (sigaction (SIGBUS, &action, NULL), ==, 0);
  g_assert_true (mmap_install_sigbus_guard ());
}

static void
ensure_guard (void)
{
  static gboolean done;

  if (!done)
    {
      chain_guard_to (earlier_handler);
      done = TRUE;
    }
}

static void
test_load_byte (void)
{
  guint8 buf[256 + 3];

  ensure_guard ();
  for (guint i = 0; i < sizeof buf; i++)
    buf[i] = (guint8) (255 - i);
  for (guint i = 0; i < sizeof buf; i++)
    g_assert_cmpint (mmap_guard_load_byte (buf + i), ==, (guint8) (255 - i));
}

static void
test_store_byte (void)
{
  guint8 buf[256 + 2];

  ensure_guard ();
  memset (buf, 0xAA, sizeof buf);
  for (guint i = 1; i <= 256; i++)
    g_assert_true (mmap_guard_store_byte (buf + i, (guint8) (i - 1)));
  g_assert_cmpint (buf[0], ==, 0xAA);
  g_assert_cmpint (buf[257], ==, 0xAA);
  for (guint i = 1; i <= 256; i++)
    g_assert_cmpint (buf[i], ==, i - 1);
}

/* Copies n bytes between every alignment pair (0..3) with and without a
 * probe, and checks the bytes copied and the ones around them. */
static void
check_copy (gsize n)
{
  const gsize pad = 16;
  g_autofree guint8 *src = g_malloc (n + 2 * pad);
  g_autofree guint8 *dst = g_malloc (n + 2 * pad);

  fill_pattern (src, n + 2 * pad, (guint) n);
  for (guint so = 0; so < 4; so++)
    for (guint d = 0; d < 4; d++)
      for (gboolean probe = FALSE; probe <= TRUE; probe++)
        {
          guint8 *to = dst + pad + d;
          const guint8 *from = src + pad + so;

          memset (dst, 0x5A, n + 2 * pad);
          g_assert_cmpint (mmap_guard_copy (to, from, n, probe, from, n),
                           ==, MMAP_GUARD_OK);
          g_assert_cmpmem (to, n, from, n);
          for (gsize i = 0; i < pad + d; i++)
            g_assert_cmpint (dst[i], ==, 0x5A);
          for (gsize i = pad + d + n; i < n + 2 * pad; i++)
            g_assert_cmpint (dst[i], ==, 0x5A);
        }
}

static void
test_copy_small (void)
{
  ensure_guard ();
  for (gsize n = 0; n <= 300; n++)
    check_copy (n);
}

static void
test_copy_large (void)
{
  /* Around the size classes of the routine, then large sizes. */
  const gsize sizes[] = { 511, 512, 1023, 1024, 1025, 2047, 4096, 4099,
                          65536 + 7, 1024 * 1024 + 3 };

  ensure_guard ();
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    check_copy (sizes[i]);
}

/* Loads and stores on a page past the end of the file fail, and the
 * pages before it still work. */
static void
test_fault_byte (void)
{
  g_autoptr(MappedFile) file = mapped_file_new (4);
  guint8 expected = file->base[page_size - 1];

  ensure_guard ();
  truncate_to (file, page_size);

  g_assert_cmpint (mmap_guard_load_byte (file->base + page_size), ==, -1);
  g_assert_cmpint (mmap_guard_load_byte (file->base + file->size - 1),
                   ==, -1);
  g_assert_false (mmap_guard_store_byte (file->base + 2 * page_size, 1));
  g_assert_cmpint (mmap_guard_load_byte (file->base + page_size - 1),
                   ==, expected);
  g_assert_true (mmap_guard_store_byte (file->base + page_size - 1, 0x42));
  g_assert_cmpint (file->base[page_size - 1], ==, 0x42);
}

/* A write over a truncated file, probed, faults before it stores
 * anything; unprobed, it stores up to the end of the last page. */
static void
test_copy_probe (void)
{
  g_autoptr(MappedFile) file = mapped_file_new (4);
  gsize n = 3 * page_size;
  g_autofree guint8 *data = g_malloc (n);
  g_autofree guint8 *before = g_memdup2 (file->base, page_size);
  guint8 *at = file->base + 2048;

  ensure_guard ();
  memset (data, 0xEE, n);
  truncate_to (file, page_size);

  g_assert_cmpint (mmap_guard_copy (at, data, n, TRUE, file->base,
                                    file->size),
                   ==, MMAP_GUARD_FAULT_REGION);
  g_assert_cmpmem (file->base, page_size, before, page_size);

  /* A source on the truncated pages, probed: nothing stored either. */
  g_assert_cmpint (mmap_guard_copy (file->base, file->base + page_size + 8,
                                    page_size, TRUE, data, n),
                   ==, MMAP_GUARD_FAULT_OTHER);
  g_assert_cmpmem (file->base, page_size, before, page_size);

  /* Without the probe a large copy (rep movsb, in order) stores the bytes
   * before the missing page. */
  g_assert_cmpint (mmap_guard_copy (at, data, n, FALSE, file->base,
                                    file->size),
                   ==, MMAP_GUARD_FAULT_REGION);
  g_assert_cmpint (file->base[page_size - 1], ==, 0xEE);
  g_assert_cmpmem (file->base, 2048, before, 2048);
}

/* The same for a copy large enough to go through memcpy. */
static void
test_copy_probe_large (void)
{
  gsize n = 640 * 1024;
  g_autoptr(MappedFile) file = mapped_file_new (n / page_size + 1);
  g_autofree guint8 *data = g_malloc0 (n);
  g_autofree guint8 *before = g_memdup2 (file->base, page_size);

  ensure_guard ();
  truncate_to (file, page_size);

  g_assert_cmpint (mmap_guard_copy (file->base + 100, data, n, TRUE,
                                    file->base, file->size),
                   ==, MMAP_GUARD_FAULT_REGION);
  g_assert_cmpmem (file->base, page_size, before, page_size);
  g_assert_cmpint (mmap_guard_copy (data, file->base + 100, n, TRUE,
                                    data, n),
                   ==, MMAP_GUARD_FAULT_OTHER);
  g_assert_cmpint (mmap_guard_copy (data, file->base + page_size - 10, n,
                                    FALSE, file->base, file->size),
                   ==, MMAP_GUARD_FAULT_REGION);
}

/* Where a copy faulted: in the region given, or elsewhere. */
static void
test_copy_fault_where (void)
{
  g_autoptr(MappedFile) file = mapped_file_new (4);
  g_autoptr(MappedFile) other = mapped_file_new (4);
  guint8 buf[64];
  const gsize sizes[] = { 1, 3, 8, 17, 64, 65, 200, 1500, 3 * page_size };

  ensure_guard ();
  truncate_to (file, page_size);

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      gsize n = sizes[i];
      g_autofree guint8 *heap = g_malloc (n);
      /* The last n bytes of the map: all on truncated pages. */
      const guint8 *gone = file->base + file->size - n;

      /* Reading the map into a buffer: a fault in the region. */
      g_assert_cmpint (mmap_guard_copy (heap, gone, n, FALSE, file->base,
                                        file->size),
                       ==, MMAP_GUARD_FAULT_REGION);
      /* Reading it into another map, as a source given by the caller. */
      g_assert_cmpint (mmap_guard_copy (other->base, gone, n, TRUE,
                                        other->base, other->size),
                       ==, MMAP_GUARD_FAULT_OTHER);
      /* Writing into it. */
      memset (heap, 1, n);
      g_assert_cmpint (mmap_guard_copy ((guint8 *) gone, heap, n, TRUE,
                                        file->base, file->size),
                       ==, MMAP_GUARD_FAULT_REGION);
    }

  /* Copies that start on a page that is still there and run past it
   * (which of their bytes were stored before the fault is not defined). */
  for (gsize n = 2; n <= sizeof buf; n++)
    {
      g_assert_cmpint (mmap_guard_copy (buf, file->base + page_size - 1,
                                        n, FALSE, file->base, file->size),
                       ==, MMAP_GUARD_FAULT_REGION);
      g_assert_cmpint (mmap_guard_copy (file->base + page_size - 1, buf,
                                        n, FALSE, file->base, file->size),
                       ==, MMAP_GUARD_FAULT_REGION);
    }
}

/* A thread created with SIGBUS blocked: the guard unblocks it around the
 * access (otherwise the kernel kills the process) and blocks it again. */
typedef struct
{
  const guint8 *gone;
  guint8       *gone_w;
  int           loaded;
  gboolean      stored;
  MmapGuardResult copied;
  gboolean      still_blocked;
} BlockedJob;

static gpointer
blocked_thread (gpointer data)
{
  BlockedJob *job = data;
  guint8 buf[32];
  sigset_t mask;

  job->loaded = mmap_guard_load_byte (job->gone);
  job->stored = mmap_guard_store_byte (job->gone_w, 7);
  job->copied = mmap_guard_copy (buf, job->gone, sizeof buf, TRUE,
                                 job->gone, sizeof buf);
  pthread_sigmask (SIG_BLOCK, NULL, &mask);
  job->still_blocked = sigismember (&mask, SIGBUS);
  return NULL;
}

static void
test_blocked_thread (void)
{
  g_autoptr(MappedFile) file = mapped_file_new (4);
  BlockedJob job = { 0, };
  sigset_t block, old;
  GThread *thread;

  ensure_guard ();
  truncate_to (file, page_size);
  job.gone = file->base + 2 * page_size;
  job.gone_w = file->base + 3 * page_size;

  /* Threads inherit the creator's mask. */
  sigemptyset (&block);
  sigaddset (&block, SIGBUS);
  pthread_sigmask (SIG_BLOCK, &block, &old);
  thread = g_thread_new ("blocked", blocked_thread, &job);
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  g_thread_join (thread);

  g_assert_cmpint (job.loaded, ==, -1);
  g_assert_false (job.stored);
  g_assert_cmpint (job.copied, ==, MMAP_GUARD_FAULT_REGION);
  g_assert_true (job.still_blocked);
}

/* raise (SIGBUS) is not a fault: it reaches the handler installed before
 * the guard, and the guard keeps working. */
static void
test_stray_signal (void)
{
  g_autoptr(MappedFile) file = mapped_file_new (4);
  sig_atomic_t calls;

  ensure_guard ();
  truncate_to (file, page_size);

  calls = earlier_calls;
  g_assert_cmpint (raise (SIGBUS), ==, 0);
  g_assert_cmpint (earlier_calls, ==, calls + 1);
  g_assert_cmpint (mmap_guard_load_byte (file->base + page_size), ==, -1);
  g_assert_cmpint (earlier_calls, ==, calls + 1);
}

/* A handler installed after the guard replaces it until the guard is
 * installed again; then it is chained to. */
static volatile sig_atomic_t later_calls;

static void
later_handler (int        sig,
               siginfo_t *info,
               void      *context)
{
  later_calls++;
}

static void
test_later_handler (void)
{
  g_autoptr(MappedFile) file = mapped_file_new (4);
  guint8 buf[8];

  ensure_guard ();
  truncate_to (file, page_size);
  chain_guard_to (later_handler);

  g_assert_cmpint (mmap_guard_copy (buf, file->base + 3 * page_size,
                                    sizeof buf, FALSE, file->base,
                                    file->size),
                   ==, MMAP_GUARD_FAULT_REGION);
  g_assert_cmpint (later_calls, ==, 0);
  g_assert_cmpint (raise (SIGBUS), ==, 0);
  g_assert_cmpint (later_calls, ==, 1);

  chain_guard_to (earlier_handler);
}

/* A fault outside the routines, after one inside them, reaches the
 * handler the guard chains to. This one repairs it: it maps a page of
 * zeros over the missing one, and the access runs again. */
static void * volatile repaired_at;

static void
repairing_handler (int        sig,
                   siginfo_t *info,
                   void      *context)
{
  void *page = (void *) ((guintptr) info->si_addr & ~(guintptr) (page_size - 1));

  if (mmap (page, page_size, PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
    _exit (3);
  repaired_at = info->si_addr;
}

static void
test_foreign_fault (void)
{
  g_autoptr(MappedFile) file = mapped_file_new (4);
  guint8 *gone = file->base + 2 * page_size + 5;

  ensure_guard ();
  truncate_to (file, page_size);
  chain_guard_to (repairing_handler);

  g_assert_cmpint (mmap_guard_load_byte (gone), ==, -1);
  g_assert_null (repaired_at);
  g_assert_cmpint (*(volatile guint8 *) gone, ==, 0);
  g_assert_true (repaired_at == gone);
  g_assert_cmpint (mmap_guard_load_byte (gone), ==, 0);

  chain_guard_to (earlier_handler);
}

/* MMAP_NO_SIGBUS_GUARD=1: nothing is installed, the routines still copy,
 * and a fault kills the process as without the library. */
static void
test_disabled (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(MappedFile) file = mapped_file_new (4);
      guint8 buf[100];
      struct sigaction before, after;

      /* (SIG_DFL, or a sanitizer's handler.) */
      g_assert_cmpint (sigaction (SIGBUS, NULL, &before), ==, 0);
      g_setenv ("MMAP_NO_SIGBUS_GUARD", "1", TRUE);
      g_assert_false (mmap_install_sigbus_guard ());
      g_assert_cmpint (sigaction (SIGBUS, NULL, &after), ==, 0);
      g_assert_true (after.sa_handler == before.sa_handler);

      g_assert_cmpint (mmap_guard_load_byte (file->base + 5), ==,
                       file->base[5]);
      g_assert_true (mmap_guard_store_byte (file->base + 5, 9));
      g_assert_cmpint (file->base[5], ==, 9);
      g_assert_cmpint (mmap_guard_copy (buf, file->base, sizeof buf, TRUE,
                                        file->base, file->size),
                       ==, MMAP_GUARD_OK);
      g_assert_cmpmem (buf, sizeof buf, file->base, sizeof buf);

      truncate_to (file, page_size);
      g_printerr ("about to fault\n");
      mmap_guard_load_byte (file->base + page_size);
      g_printerr ("survived\n");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*about to fault*");
  g_test_trap_assert_stderr_unmatched ("*survived*");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  page_size = (gsize) sysconf (_SC_PAGESIZE);

  g_test_add_func ("/Mmap/Guard/load-byte", test_load_byte);
  g_test_add_func ("/Mmap/Guard/store-byte", test_store_byte);
  g_test_add_func ("/Mmap/Guard/copy/small", test_copy_small);
  g_test_add_func ("/Mmap/Guard/copy/large", test_copy_large);
  g_test_add_func ("/Mmap/Guard/fault/byte", test_fault_byte);
  g_test_add_func ("/Mmap/Guard/fault/probe", test_copy_probe);
  g_test_add_func ("/Mmap/Guard/fault/probe-large", test_copy_probe_large);
  g_test_add_func ("/Mmap/Guard/fault/where", test_copy_fault_where);
  g_test_add_func ("/Mmap/Guard/blocked-thread", test_blocked_thread);
  g_test_add_func ("/Mmap/Guard/stray-signal", test_stray_signal);
  g_test_add_func ("/Mmap/Guard/later-handler", test_later_handler);
  g_test_add_func ("/Mmap/Guard/foreign-fault", test_foreign_fault);
  g_test_add_func ("/Mmap/Guard/disabled", test_disabled);

  return g_test_run ();
}
