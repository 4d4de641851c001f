/* test-sigbus.c: a file truncated under a map gives errors, not SIGBUS
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test-util.h"

#define N_PAGES 3

static MtFile *
new_pages_file (void)
{
  gsize len = N_PAGES * mmap_get_page_size ();
  g_autofree guint8 *data = g_malloc (len);

  mt_fill_pattern (data, len, 7);
  return mt_file_new (data, len);
}

static void
truncate_to (MtFile *file,
             gsize   size)
{
  g_assert_cmpint (ftruncate (file->fd, (off_t) size), ==, 0);
}

static void
assert_sigbus_error (GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_IO_ERROR);
  g_assert_cmpint (mt_errno_from_error (error), ==, EIO);
  g_assert_nonnull (strstr (error->message, "SIGBUS"));
}

/* Every call that touches memory past the new end fails with EIO and
 * leaves the position alone; the process lives on. */
static void
test_truncated_reads_and_writes (gconstpointer user_data)
{
  MmapAccess access = GPOINTER_TO_INT (user_data);
  gsize page = mmap_get_page_size ();
  g_autoptr(MtFile) file = new_pages_file ();
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gboolean writable = access != MMAP_ACCESS_READ;
  const guint8 two[2] = { 'x', 'y' };

  map = mmap_object_new (file->fd, 0, access, 0, &error);
  g_assert_no_error (error);

  /* Keep the first page only: pages 1 and 2 now lie past the end. */
  truncate_to (file, page);

  /* The first page still reads. */
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), >=, 0);
  g_assert_no_error (error);

  g_assert_cmpint (mmap_object_get_byte (map, (gssize) page, &error), ==, -1);
  assert_sigbus_error (error);
  g_clear_error (&error);

  bytes = mmap_object_get_slice (map, 0, G_MAXSSIZE, 1, &error);
  g_assert_null (bytes);
  assert_sigbus_error (error);
  g_clear_error (&error);

  bytes = mmap_object_get_slice (map, G_MAXSSIZE, G_MINSSIZE, -3, &error);
  g_assert_null (bytes);
  assert_sigbus_error (error);
  g_clear_error (&error);

  g_assert_cmpint (mmap_object_find_range (map, two, 2, 0, G_MAXSSIZE,
                                           &error), ==, -2);
  assert_sigbus_error (error);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_rfind_range (map, two, 2, 0, G_MAXSSIZE,
                                            &error), ==, -2);
  assert_sigbus_error (error);
  g_clear_error (&error);

  g_assert_cmpint (mmap_object_seek (map, (goffset) page + 1, G_SEEK_SET,
                                     &error), ==, (goffset) page + 1);
  g_assert_null (mmap_object_read (map, -1, &error));
  assert_sigbus_error (error);
  g_clear_error (&error);
  g_assert_null (mmap_object_readline (map, &error));
  assert_sigbus_error (error);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_read_byte (map, &error), ==, -1);
  assert_sigbus_error (error);
  g_clear_error (&error);
  /* Failed calls leave the position where it was. */
  g_assert_cmpint (mmap_object_tell (map, &error), ==, (goffset) page + 1);
  g_assert_no_error (error);

  if (writable)
    {
      g_assert_cmpint (mmap_object_write (map, two, 2, &error), ==, -1);
      assert_sigbus_error (error);
      g_clear_error (&error);
      g_assert_false (mmap_object_write_byte (map, 'z', &error));
      assert_sigbus_error (error);
      g_clear_error (&error);
      g_assert_cmpint (mmap_object_tell (map, &error), ==,
                       (goffset) page + 1);
      g_assert_false (mmap_object_set_byte (map, -1, 'z', &error));
      assert_sigbus_error (error);
      g_clear_error (&error);
      g_assert_false (mmap_object_set_slice (map, (gssize) page,
                                             (gssize) page + 2, 1, two, 2,
                                             &error));
      assert_sigbus_error (error);
      g_clear_error (&error);
      g_assert_false (mmap_object_move (map, 0, (goffset) page, 10, &error));
      assert_sigbus_error (error);
      g_clear_error (&error);
    }

  /* Grow the file back: the pages map again, as zeroes. */
  truncate_to (file, N_PAGES * page);
  g_assert_cmpint (mmap_object_get_byte (map, -1, &error), ==, 0);
  g_assert_no_error (error);
  bytes = mmap_object_read (map, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 3);
}

/* Maps the first page of @file behind the library's back, then empties
 * the file: touching the result faults outside any guarded access. */
static volatile guint8 *
map_raw_then_truncate (MtFile *file)
{
  volatile guint8 *raw = mmap (NULL, mmap_get_page_size (), PROT_READ,
                               MAP_SHARED, file->fd, 0);

  g_assert_true (raw != MAP_FAILED);
  truncate_to (file, 0);
  return raw;
}

/* A fault in memory the library does not guard still gets the default
 * action: the guard must not swallow other SIGBUSes. */
static void
test_foreign_sigbus_still_kills (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(MtFile) file = new_pages_file ();
      g_autoptr(MmapObject) map = NULL;
      g_autoptr(GError) error = NULL;
      volatile guint8 *raw;

      map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
      g_assert_no_error (error);
      raw = map_raw_then_truncate (file);
      g_print ("before\n");
      (void) raw[0];
      g_print ("survived\n");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout ("*before*");
  g_test_trap_assert_stdout_unmatched ("*survived*");
}

static void
chained_handler (int        sig,
                 siginfo_t *info,
                 void      *context)
{
  static const char msg[] = "chained handler ran\n";

  if (write (STDOUT_FILENO, msg, sizeof msg - 1) < 0)
    _exit (3);
  _exit (2);
}

/* A SIGBUS handler installed before the library's sees the faults that are
 * not the library's. */
static void
test_previous_handler_is_chained (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(MtFile) file = new_pages_file ();
      g_autoptr(MmapObject) map = NULL;
      g_autoptr(GError) error = NULL;
      struct sigaction action;
      volatile guint8 *raw;

      memset (&action, 0, sizeof action);
      action.sa_sigaction = chained_handler;
      action.sa_flags = SA_SIGINFO;
      g_assert_cmpint (sigaction (SIGBUS, &action, NULL), ==, 0);

      map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
      g_assert_no_error (error);
      raw = map_raw_then_truncate (file);

      /* The library's own fault is still turned into an error... */
      g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, -1);
      assert_sigbus_error (error);
      g_print ("guarded\n");
      /* ...and a foreign one reaches the previous handler. */
      (void) raw[0];
      g_print ("survived\n");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout ("*guarded*chained handler ran*");
  g_test_trap_assert_stdout_unmatched ("*survived*");
}

/* MMAP_NO_SIGBUS_GUARD=1 leaves SIGBUS alone: the process dies as it
 * would with Python. */
static void
test_guard_can_be_disabled (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(MtFile) file = new_pages_file ();
      g_autoptr(MmapObject) map = NULL;
      g_autoptr(GError) error = NULL;

      g_setenv ("MMAP_NO_SIGBUS_GUARD", "1", TRUE);
      map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
      g_assert_no_error (error);
      truncate_to (file, 0);
      g_print ("before\n");
      (void) mmap_object_get_byte (map, 0, &error);
      g_print ("survived\n");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout ("*before*");
  g_test_trap_assert_stdout_unmatched ("*survived*");
}

typedef struct
{
  MmapObject *map;
  guint       n_errors;
} ThreadData;

static gpointer
fault_thread (gpointer user_data)
{
  ThreadData *data = user_data;

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = mmap_object_get_slice (data->map, 0,
                                                       G_MAXSSIZE, 1,
                                                       &error);
      if (bytes == NULL)
        {
          assert_sigbus_error (error);
          data->n_errors++;
        }
    }
  return NULL;
}

/* Faults in several threads at once each come back to their own thread. */
static void
test_threads (void)
{
  g_autoptr(MtFile) file = new_pages_file ();
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GError) error = NULL;
  ThreadData data[4];
  GThread *threads[4];

  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);
  truncate_to (file, mmap_get_page_size ());

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      data[i] = (ThreadData) { map, 0 };
      threads[i] = g_thread_new ("fault", fault_thread, &data[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (data[i].n_errors, ==, 200);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/Mmap/Object/sigbus/truncated/read",
                        GINT_TO_POINTER (MMAP_ACCESS_READ),
                        test_truncated_reads_and_writes);
  g_test_add_data_func ("/Mmap/Object/sigbus/truncated/write",
                        GINT_TO_POINTER (MMAP_ACCESS_WRITE),
                        test_truncated_reads_and_writes);
  g_test_add_data_func ("/Mmap/Object/sigbus/truncated/copy",
                        GINT_TO_POINTER (MMAP_ACCESS_COPY),
                        test_truncated_reads_and_writes);
  g_test_add_func ("/Mmap/Object/sigbus/foreign-fault-kills",
                   test_foreign_sigbus_still_kills);
  g_test_add_func ("/Mmap/Object/sigbus/previous-handler-chained",
                   test_previous_handler_is_chained);
  g_test_add_func ("/Mmap/Object/sigbus/disabled",
                   test_guard_can_be_disabled);
  g_test_add_func ("/Mmap/Object/sigbus/threads", test_threads);

  return g_test_run ();
}
