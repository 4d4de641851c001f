/* test-memory.c: locking, protection, residency, sync flags, huge pages
 * and fork children
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-util.h"

static gsize page;

static MmapObject *
new_anonymous (gsize        length,
               MmapMapFlags flags)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = mmap_object_new_full (-1, length, flags,
                                          MMAP_PROT_READ | MMAP_PROT_WRITE,
                                          MMAP_ACCESS_DEFAULT, 0, TRUE,
                                          &error);

  g_assert_no_error (error);
  return map;
}

static MmapObject *
map_file (MtFile     *file,
          MmapAccess  access)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = mmap_object_new (file->fd, 0, access, 0, &error);

  g_assert_no_error (error);
  return map;
}

static gssize
resident (MmapObject *map,
          gsize      *n_pages)
{
  g_autoptr(GError) error = NULL;
  gssize n = mmap_object_get_residency (map, 0, -1, n_pages, &error);

  g_assert_no_error (error);
  return n;
}

/* Locking */

static void
test_lock (void)
{
  g_autoptr(MmapObject) map = new_anonymous (16 * page, MMAP_MAP_PRIVATE);
  g_autoptr(GError) error = NULL;
  gsize n_pages = 0;

  g_assert_cmpint (resident (map, &n_pages), ==, 0);
  g_assert_cmpuint (n_pages, ==, 16);

  /* Locking brings every page in. */
  g_assert_true (mmap_object_lock (map, MMAP_LOCK_DEFAULT, &error));
  g_assert_no_error (error);
  g_assert_cmpint (resident (map, NULL), ==, 16);
  g_assert_true (mmap_object_unlock (map, &error));
  g_assert_no_error (error);

  g_assert_true (mmap_object_lock_range (map, page + 1, 10, 0, &error));
  g_assert_true (mmap_object_unlock_range (map, page + 1, 10, &error));
  g_assert_no_error (error);

  g_assert_false (mmap_object_lock_range (map, 0, 17 * page, 0, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_false (mmap_object_lock (map, 1 << 5, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (mmap_object_close (map, &error));
  g_assert_false (mmap_object_lock (map, 0, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
}

static void
test_lock_on_fault (void)
{
  g_autoptr(MmapObject) map = new_anonymous (16 * page, MMAP_MAP_PRIVATE);
  g_autoptr(GError) error = NULL;

  /* Only what is touched comes in. */
  if (!mmap_object_lock (map, MMAP_LOCK_ON_FAULT, &error))
    {
      /* valgrind does not know mlock2(). */
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_SUPPORTED);
      g_test_skip (error->message);
      return;
    }
  g_assert_cmpint (resident (map, NULL), ==, 0);
  g_assert_true (mmap_object_set_byte (map, 3 * page, 1, &error));
  g_assert_cmpint (resident (map, NULL), ==, 1);
}

static void
test_lock_limit (void)
{
  if (g_test_subprocess ())
    {
      struct rlimit limit = { 64 * 1024, 64 * 1024 };
      g_autoptr(MmapObject) map = NULL;
      g_autoptr(GError) error = NULL;

      /* Root is exempt from the limit: become nobody (all capabilities
       * go with it) in this child. */
      g_assert_cmpint (setrlimit (RLIMIT_MEMLOCK, &limit), ==, 0);
      if (geteuid () == 0)
        g_assert_cmpint (setuid (65534), ==, 0);

      map = new_anonymous (1024 * 1024, MMAP_MAP_PRIVATE);
      g_assert_false (mmap_object_lock (map, 0, &error));
      g_assert_nonnull (error);
      g_assert_true (mmap_error_get_errno (error) == ENOMEM
                     || mmap_error_get_errno (error) == EPERM
                     || mmap_error_get_errno (error) == EAGAIN);
      g_assert_nonnull (strstr (error->message, "RLIMIT_MEMLOCK"));
      g_assert_nonnull (strstr (error->message, "65536 bytes"));
      g_printerr ("%s\n", error->message);
      g_clear_error (&error);

      /* Within the limit it works. */
      g_assert_true (mmap_object_lock_range (map, 0, 8 * 1024, 0, &error));
      g_assert_no_error (error);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*locked-memory limit is 65536 bytes*");
}

/* Protection */

static void
test_protect_none (void)
{
  g_autoptr(MtFile) file = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree guint8 *data = g_malloc (2 * page);

  mt_fill_pattern (data, 2 * page, 5);
  file = mt_file_new (data, 2 * page);
  map = map_file (file, MMAP_ACCESS_WRITE);

  g_assert_true (mmap_object_protect (map, MMAP_PROT_NONE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_prot (map), ==, MMAP_PROT_NONE);

  /* Refused, not crashed. */
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_clear_error (&error);
  g_assert_null (mmap_object_read (map, 10, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_find (map, (const guint8 *) "x", 1, &error), ==,
                   -2);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_clear_error (&error);
  g_assert_false (mmap_object_set_byte (map, 0, 1, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* Given back, everything works and the bytes are there. */
  g_assert_true (mmap_object_protect (map, MMAP_PROT_READ | MMAP_PROT_WRITE,
                                      &error));
  bytes = mmap_object_get_slice (map, 0, G_MAXSSIZE, 1, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, data, 2 * page);
  g_assert_true (mmap_object_set_byte (map, 0, 1, &error));
  g_assert_no_error (error);
}

static void
test_protect_read_only (void)
{
  g_autoptr(MmapObject) map = new_anonymous (page, MMAP_MAP_PRIVATE);
  g_autoptr(GError) error = NULL;

  g_assert_true (mmap_object_set_byte (map, 7, 42, &error));
  g_assert_true (mmap_object_protect (map, MMAP_PROT_READ, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_byte (map, 7, &error), ==, 42);
  g_assert_false (mmap_object_set_byte (map, 7, 1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_write (map, (const guint8 *) "x", 1, &error),
                   ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_get_byte (map, 7, &error), ==, 42);
}

static void
test_protect_cannot_add (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "read only", 9);
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_READ);
  g_autoptr(GError) error = NULL;

  g_assert_false (mmap_object_protect (map, MMAP_PROT_READ | MMAP_PROT_WRITE,
                                       &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (mmap_object_protect (map, MMAP_PROT_READ | MMAP_PROT_EXEC,
                                       &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (mmap_object_protect (map, 1 << 4, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_get_prot (map), ==, MMAP_PROT_READ);

  /* Taking away and giving back what it had is fine. */
  g_assert_true (mmap_object_protect (map, MMAP_PROT_NONE, &error));
  g_assert_true (mmap_object_protect (map, MMAP_PROT_READ, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, 'r');
}

/* The permissions /proc/self/maps gives the page at @addr ("rw-s", ...). */
static char *
maps_permissions (gconstpointer addr)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guintptr lo, hi;
      char perms[5];

      if (sscanf (lines[i], "%" G_GINTPTR_MODIFIER "x-%" G_GINTPTR_MODIFIER
                  "x %4s", &lo, &hi, perms) == 3
          && (guintptr) addr >= lo && (guintptr) addr < hi)
        return g_strdup (perms);
    }
  return g_strdup ("none");
}

static void
test_protect_range (void)
{
  g_autoptr(MmapObject) map = new_anonymous (3 * page, MMAP_MAP_SHARED);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) view = NULL;
  const guint8 *base;
  g_autofree char *middle = NULL;
  g_autofree char *first = NULL;
  g_autofree char *restored = NULL;

  g_assert_true (mmap_object_set_byte (map, page + 5, 9, &error));

  /* A live view would fault: nothing is taken away meanwhile. */
  view = mmap_object_view (map, 0, -1, &error);
  g_assert_no_error (error);
  base = g_bytes_get_data (view, NULL);
  g_assert_false (mmap_object_protect_range (map, page + 5, 1,
                                             MMAP_PROT_NONE, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_EXPORTS_EXIST);
  g_clear_error (&error);
  g_assert_false (mmap_object_protect (map, MMAP_PROT_READ, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_EXPORTS_EXIST);
  g_clear_error (&error);
  g_assert_cmpint (base[page + 5], ==, 9);
  g_clear_pointer (&view, g_bytes_unref);

  g_assert_true (mmap_object_protect_range (map, page + 5, 1, MMAP_PROT_NONE,
                                            &error));
  g_assert_no_error (error);

  /* The kernel protected that page, and only that one. */
  middle = maps_permissions (base + page);
  first = maps_permissions (base);
  g_assert_cmpstr (middle, ==, "---s");
  g_assert_cmpstr (first, ==, "rw-s");

  /* The map refuses what any page refuses, and resize waits. */
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_clear_error (&error);
  g_assert_false (mmap_object_resize (map, 4 * page, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_RESIZABLE);
  g_clear_error (&error);

  /* Back to one protection: all works again. */
  g_assert_true (mmap_object_protect_range (map, page, page,
                                            MMAP_PROT_READ | MMAP_PROT_WRITE,
                                            &error));
  restored = maps_permissions (base + page);
  g_assert_cmpstr (restored, ==, "rw-s");
  g_assert_cmpint (mmap_object_get_byte (map, page + 5, &error), ==, 9);
  g_assert_true (mmap_object_resize (map, 4 * page, &error));
  g_assert_no_error (error);
}

/* Residency */

static void
test_residency (void)
{
  gsize len = 64 * page;
  g_autofree guint8 *data = g_malloc (len);
  g_autoptr(MtFile) file = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GBytes) bitmap = NULL;
  g_autoptr(GError) error = NULL;
  gsize n_pages = 0;
  gssize before, populated, paged_out;
  const guint8 *bits;
  gboolean in_ram;

  mt_fill_pattern (data, len, 11);
  file = mt_file_new (data, len);
  /* On a tmpfs the file is shared memory: without swap its pages never
   * leave RAM, so there is no drop to see. */
  in_ram = mt_fd_is_tmpfs (file->fd);
  /* Clean pages, out of the page cache: the kernel may then drop them. */
  g_assert_cmpint (fsync (file->fd), ==, 0);
  g_assert_cmpint (posix_fadvise (file->fd, 0, 0, POSIX_FADV_DONTNEED), ==, 0);
  map = map_file (file, MMAP_ACCESS_READ);

  before = resident (map, &n_pages);
  g_assert_cmpuint (n_pages, ==, 64);
  if (!in_ram)
    g_assert_cmpint (before, <, 64);
  g_assert_true (mmap_object_populate (map, 0, -1, FALSE, NULL, NULL, NULL,
                                       &error));
  g_assert_no_error (error);
  populated = resident (map, NULL);
  g_assert_cmpint (populated, ==, 64);

  g_assert_true (mmap_object_madvise (map, MMAP_ADVICE_PAGEOUT, &error));
  g_assert_no_error (error);
  paged_out = resident (map, NULL);
  g_test_message ("resident pages of 64: %" G_GSSIZE_FORMAT " before, %"
                  G_GSSIZE_FORMAT " after populate, %" G_GSSIZE_FORMAT
                  " after PAGEOUT", before, populated, paged_out);
  if (!in_ram)
    g_assert_cmpint (paged_out, <, populated);

  /* One byte a page, from the page that holds the offset. */
  bitmap = mmap_object_get_residency_map (map, page + 1, 2 * page, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bitmap), ==, 3);
  bits = g_bytes_get_data (bitmap, NULL);
  for (gsize i = 0; i < 3; i++)
    g_assert_cmpuint (bits[i], <=, 1);

  g_assert_cmpint (mmap_object_get_residency (map, 0, 65 * page, NULL,
                                              &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);

  if (in_ram)
    g_test_skip ("the file is on a tmpfs, whose pages leave RAM only for "
                 "swap: the drops after DONTNEED and PAGEOUT were not "
                 "checked (the rest was)");
}

/* Sync flags */

static void
test_flush_flags (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "0123456789", 10);
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_WRITE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) contents = NULL;

  g_assert_true (mmap_object_set_byte (map, 0, 'X', &error));
  g_assert_true (mmap_object_flush_range_full (map, 0, -1, MMAP_SYNC_ASYNC,
                                               &error));
  g_assert_true (mmap_object_flush_range_full (map, 2, 3,
                                               MMAP_SYNC_INVALIDATE, &error));
  g_assert_true (mmap_object_flush_range_full (map, 0, -1,
                                               MMAP_SYNC_ASYNC
                                               | MMAP_SYNC_INVALIDATE,
                                               &error));
  g_assert_no_error (error);
  contents = mt_fd_read_all (file->fd);
  mt_assert_bytes_eq (contents, "X123456789", 10);

  g_assert_false (mmap_object_flush_range_full (map, 0, -1, 1 << 7, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (mmap_object_flush_range_full (map, 0, 11, 0, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
}

/* Huge pages */

static void
test_huge_pages (gconstpointer data)
{
  MmapMapFlags sharing = GPOINTER_TO_UINT (data);
  gsize size = 2 * 1024 * 1024;
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GError) error = NULL;

  map = mmap_object_new_full (-1, size, sharing | MMAP_MAP_HUGETLB
                                        | MMAP_MAP_HUGE_2MB,
                              MMAP_PROT_READ | MMAP_PROT_WRITE,
                              MMAP_ACCESS_DEFAULT, 0, TRUE, &error);
  if (mt_free_huge_pages () == 0)
    {
      g_assert_null (map);
      g_assert_cmpint (mmap_error_get_errno (error), ==, ENOMEM);
      g_assert_nonnull (strstr (error->message, "nr_hugepages"));
      g_test_skip ("no huge pages reserved here (/proc/sys/vm/nr_hugepages "
                   "is 0); the error was clean");
      return;
    }
  g_assert_no_error (error);
  g_assert_true (mmap_object_set_byte (map, size - 1, 3, &error));
  g_assert_cmpint (mmap_object_get_byte (map, size - 1, &error), ==, 3);
  g_assert_no_error (error);
}

static void
test_hugepage_advice (void)
{
  g_autoptr(MmapObject) map = new_anonymous (4 * 1024 * 1024,
                                             MMAP_MAP_PRIVATE);
  g_autoptr(GError) error = NULL;

  /* Transparent huge pages may be compiled out: then NOT_SUPPORTED. */
  if (!mmap_object_madvise (map, MMAP_ADVICE_HUGEPAGE, &error))
    {
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_SUPPORTED);
      g_test_skip ("no transparent huge pages in this kernel");
      return;
    }
  g_assert_true (mmap_object_set_byte (map, 0, 1, &error));
  g_assert_true (mmap_object_madvise (map, MMAP_ADVICE_NOHUGEPAGE, &error));
  g_assert_no_error (error);
}

/* Fork children */

/* Forks; the child runs @check on @map and exits with its result. */
static void
assert_child (MmapObject *map,
              gboolean  (*check) (MmapObject *map))
{
  int status = 0;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (check (map) ? 0 : 1);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static gboolean
child_sees_closed (MmapObject *map)
{
  GError *error = NULL;
  gboolean ok = mmap_object_get_closed (map)
                && mmap_object_get_byte (map, 0, &error) == -1
                && g_error_matches (error, MMAP_ERROR, MMAP_ERROR_CLOSED);

  g_clear_error (&error);
  return ok;
}

static gboolean
child_sees_data (MmapObject *map)
{
  return !mmap_object_get_closed (map)
         && mmap_object_get_byte (map, 0, NULL) == 77;
}

static gboolean
child_sees_zeroes (MmapObject *map)
{
  return !mmap_object_get_closed (map)
         && mmap_object_get_byte (map, 0, NULL) == 0;
}

static void
test_fork_dontfork (gconstpointer data)
{
  MmapMapFlags sharing = GPOINTER_TO_UINT (data);
  g_autoptr(MmapObject) map = new_anonymous (4 * page, sharing);
  g_autoptr(GError) error = NULL;

  g_assert_true (mmap_object_set_byte (map, 0, 77, &error));
  assert_child (map, child_sees_data);

  g_assert_true (mmap_object_madvise_range (map, MMAP_ADVICE_DONTFORK, page,
                                            page, &error));
  g_assert_no_error (error);
  assert_child (map, child_sees_closed);
  /* The parent's map is untouched. */
  g_assert_false (mmap_object_get_closed (map));
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, 77);

  /* DOFORK over the whole map undoes it. */
  g_assert_true (mmap_object_madvise (map, MMAP_ADVICE_DOFORK, &error));
  assert_child (map, child_sees_data);

  /* A closed map is forgotten. */
  g_assert_true (mmap_object_madvise (map, MMAP_ADVICE_DONTFORK, &error));
  g_assert_true (mmap_object_close (map, &error));
  assert_child (map, child_sees_closed);
}

static void
test_fork_wipeonfork (void)
{
  g_autoptr(MmapObject) map = new_anonymous (page, MMAP_MAP_PRIVATE);
  g_autoptr(GError) error = NULL;

  g_assert_true (mmap_object_set_byte (map, 0, 77, &error));
  g_assert_true (mmap_object_madvise (map, MMAP_ADVICE_WIPEONFORK, &error));
  g_assert_no_error (error);
  assert_child (map, child_sees_zeroes);
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, 77);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  page = mmap_get_page_size ();

  g_test_add_func ("/memory/lock/whole-and-range", test_lock);
  g_test_add_func ("/memory/lock/on-fault", test_lock_on_fault);
  g_test_add_func ("/memory/lock/limit", test_lock_limit);
  g_test_add_func ("/memory/protect/none", test_protect_none);
  g_test_add_func ("/memory/protect/read-only", test_protect_read_only);
  g_test_add_func ("/memory/protect/cannot-add", test_protect_cannot_add);
  g_test_add_func ("/memory/protect/range", test_protect_range);
  g_test_add_func ("/memory/residency", test_residency);
  g_test_add_func ("/memory/flush-flags", test_flush_flags);
  g_test_add_data_func ("/memory/huge-pages/private",
                        GUINT_TO_POINTER (MMAP_MAP_PRIVATE), test_huge_pages);
  g_test_add_data_func ("/memory/huge-pages/shared",
                        GUINT_TO_POINTER (MMAP_MAP_SHARED), test_huge_pages);
  g_test_add_func ("/memory/huge-pages/advice", test_hugepage_advice);
  g_test_add_data_func ("/memory/fork/dontfork-private",
                        GUINT_TO_POINTER (MMAP_MAP_PRIVATE),
                        test_fork_dontfork);
  g_test_add_data_func ("/memory/fork/dontfork-shared",
                        GUINT_TO_POINTER (MMAP_MAP_SHARED),
                        test_fork_dontfork);
  g_test_add_func ("/memory/fork/wipeonfork", test_fork_wipeonfork);

  return g_test_run ();
}
