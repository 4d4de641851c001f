/* test-async.c: maps from a GFile, and the calls that run on a worker
 * thread (GTask, io_priority, GCancellable)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "test-util.h"

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

/* Runs the default main context until the callback has stored a result. */
static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
test_new_for_file (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "hello file", 10);
  g_autoptr(GFile) gfile = g_file_new_for_path (file->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  MmapObject *map;

  map = mmap_object_new_for_file (gfile, MMAP_ACCESS_READ, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 10);
  g_assert_cmpstr (mmap_object_get_path (map), ==, file->path);
  bytes = mmap_object_read (map, -1, &error);
  mt_assert_bytes_eq (bytes, "hello file", 10);
  g_assert_finalize_object (map);
}

static void
test_new_for_file_errors (void)
{
  g_autoptr(GFile) remote = g_file_new_for_uri ("resource:///org/example/x");
  g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/mmapobj");
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "x", 1);
  g_autoptr(GFile) gfile = g_file_new_for_path (file->path);
  g_autoptr(GError) error = NULL;
  guint fds = mt_count_open_fds ();

  /* No local path: not supported. */
  g_assert_null (mmap_object_new_for_file (remote, MMAP_ACCESS_READ, NULL,
                                           &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  g_assert_null (mmap_object_new_for_file (missing, MMAP_ACCESS_READ, NULL,
                                           &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_cancellable_cancel (cancelled);
  g_assert_null (mmap_object_new_for_file (gfile, MMAP_ACCESS_READ, cancelled,
                                           &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Nothing left open (an earlier test's map may still be finalized in a
   * worker meanwhile, closing its fd: hence no more, not the same). */
  g_assert_cmpuint (mt_count_open_fds (), <=, fds);
}

static void
test_new_for_file_async (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "async", 5);
  g_autoptr(GFile) gfile = g_file_new_for_path (file->path);
  g_autoptr(GFile) remote = g_file_new_for_uri ("resource:///org/example/x");
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  MmapObject *map;

  mmap_object_new_for_file_async (gfile, MMAP_ACCESS_WRITE,
                                  G_PRIORITY_DEFAULT, NULL, store_result,
                                  &result);
  map = mmap_object_new_for_file_finish (wait_for (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, 'a');
  g_assert_true (mmap_object_set_byte (map, 0, 'A', &error));
  g_assert_finalize_object (map);

  mmap_object_new_for_file_async (remote, MMAP_ACCESS_READ, G_PRIORITY_LOW,
                                  NULL, store_result, &result);
  g_assert_null (mmap_object_new_for_file_finish (wait_for (&result),
                                                  &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_clear_object (&result);

  g_cancellable_cancel (cancelled);
  mmap_object_new_for_file_async (gfile, MMAP_ACCESS_READ, G_PRIORITY_DEFAULT,
                                  cancelled, store_result, &result);
  g_assert_null (mmap_object_new_for_file_finish (wait_for (&result),
                                                  &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&result);
}

static void
test_flush_async (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "flush me", 8);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  MmapObject *map;
  GWeakRef weak;

  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  g_assert_true (mmap_object_set_byte (map, 0, 'F', &error));

  mmap_object_flush_async (map, G_PRIORITY_DEFAULT, NULL, store_result,
                           &result);
  /* The task keeps the map alive until its callback has run. */
  g_weak_ref_init (&weak, map);
  g_object_unref (map);
  map = g_weak_ref_get (&weak);
  g_assert_nonnull (map);
  g_object_unref (map);
  wait_for (&result);
  map = g_weak_ref_get (&weak);
  g_assert_nonnull (map);
  g_assert_true (mmap_object_flush_finish (map, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  g_cancellable_cancel (cancelled);
  mmap_object_flush_async (map, G_PRIORITY_DEFAULT, cancelled, store_result,
                           &result);
  g_assert_false (mmap_object_flush_finish (map, wait_for (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Closed: a clean error. */
  g_assert_true (mmap_object_close (map, NULL));
  mmap_object_flush_async (map, G_PRIORITY_DEFAULT, NULL, store_result,
                           &result);
  g_assert_false (mmap_object_flush_finish (map, wait_for (&result), &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_clear_object (&result);

  /* The worker thread drops its reference on the task, and the task its
   * reference on the map, shortly after the callback ran. */
  g_object_unref (map);
  for (guint i = 0; i < 5000; i++)
    {
      map = g_weak_ref_get (&weak);
      if (map == NULL)
        break;
      g_object_unref (map);
      g_usleep (1000);
    }
  g_assert_null (map);
  g_weak_ref_clear (&weak);
}

typedef struct
{
  guint    calls;
  goffset  last_done;
  goffset  total;
  GThread *thread;       /* the thread each call came from */
  gint     freed;        /* atomic: the last reference may go in a worker */
} ProgressLog;

static void
log_progress (goffset  done,
              goffset  total,
              gpointer user_data)
{
  ProgressLog *log = user_data;

  g_assert_cmpint (done, >=, log->last_done);
  g_assert_cmpint (done, <=, total);
  log->calls++;
  log->last_done = done;
  log->total = total;
  log->thread = g_thread_self ();
}

static void
progress_log_freed (gpointer user_data)
{
  ProgressLog *log = user_data;

  g_atomic_int_set (&log->freed, TRUE);
}

static MtFile *
pages_file (guint n_pages)
{
  gsize size = n_pages * mmap_get_page_size ();
  g_autofree guint8 *data = g_malloc (size);

  mt_fill_pattern (data, size, 7);
  return mt_file_new (data, size);
}

static void
test_populate (void)
{
  gsize page = mmap_get_page_size ();
  g_autoptr(MtFile) file = pages_file (300);   /* over two chunks */
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  ProgressLog log = { 0 };
  MmapObject *map;

  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  g_assert_true (mmap_object_seek (map, 5, G_SEEK_SET, &error) == 5);

  g_assert_true (mmap_object_populate (map, 0, -1, FALSE, NULL, log_progress,
                                       &log, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log.calls, >=, 2);
  g_assert_cmpint (log.last_done, ==, 300 * (goffset) page);
  g_assert_cmpint (log.total, ==, 300 * (goffset) page);
  g_assert_cmpint (mmap_object_tell (map, NULL), ==, 5);

  /* A range, for writing; the length is clamped to the map. */
  g_assert_true (mmap_object_populate (map, 100, 10 * (gssize) page, TRUE,
                                       NULL, NULL, NULL, &error));
  g_assert_true (mmap_object_populate (map, 299 * (goffset) page, G_MAXSSIZE,
                                       TRUE, NULL, NULL, NULL, &error));
  g_assert_true (mmap_object_populate (map, 300 * (goffset) page, -1, FALSE,
                                       NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  /* Bad ranges. */
  g_assert_false (mmap_object_populate (map, 300 * (goffset) page + 1, -1,
                                        FALSE, NULL, NULL, NULL, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_false (mmap_object_populate (map, -1, -1, FALSE, NULL, NULL, NULL,
                                        &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_false (mmap_object_populate (map, 0, -2, FALSE, NULL, NULL, NULL,
                                        &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);

  /* Cancelled: nothing done, no progress. */
  log = (ProgressLog) { 0 };
  g_cancellable_cancel (cancelled);
  g_assert_false (mmap_object_populate (map, 0, -1, FALSE, cancelled,
                                        log_progress, &log, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (log.calls, ==, 0);

  g_assert_true (mmap_object_close (map, NULL));
  g_assert_false (mmap_object_populate (map, 0, -1, FALSE, NULL, NULL, NULL,
                                        &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_assert_finalize_object (map);
}

static void
test_populate_refusals (void)
{
  g_autoptr(MtFile) file = pages_file (3);
  g_autoptr(GError) error = NULL;
  gsize page = mmap_get_page_size ();
  MmapObject *map;

  /* For writing on a read-only map. */
  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);
  g_assert_true (mmap_object_populate (map, 0, -1, FALSE, NULL, NULL, NULL,
                                       &error));
  g_assert_false (mmap_object_populate (map, 0, -1, TRUE, NULL, NULL, NULL,
                                        &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_finalize_object (map);

  /* A file truncated under the map: an EIO error now, not a fault later;
   * the first page still comes in. */
  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ftruncate (file->fd, (off_t) page), ==, 0);
  g_assert_true (mmap_object_populate (map, 0, (gssize) page, FALSE, NULL,
                                       NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (mmap_object_populate (map, 0, -1, FALSE, NULL, NULL, NULL,
                                        &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpint (mmap_error_get_errno (error), ==, EIO);
  g_assert_finalize_object (map);
}

static void
test_populate_async (void)
{
  gsize page = mmap_get_page_size ();
  g_autoptr(MtFile) file = pages_file (300);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  GAsyncResult *result = NULL;
  ProgressLog log = { 0 };
  MmapObject *map;

  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);

  mmap_object_populate_async (map, 0, -1, FALSE, G_PRIORITY_DEFAULT, NULL,
                              log_progress, &log, progress_log_freed,
                              store_result, &result);
  g_assert_true (mmap_object_populate_finish (map, wait_for (&result),
                                              &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  /* Every report runs in this thread's main context; the data is freed
   * once the last has run. */
  for (guint i = 0; i < 10000 && !g_atomic_int_get (&log.freed); i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_true (g_atomic_int_get (&log.freed));
  g_assert_cmpuint (log.calls, >=, 2);
  g_assert_cmpint (log.last_done, ==, 300 * (goffset) page);
  g_assert_true (log.thread == g_thread_self ());

  g_cancellable_cancel (cancelled);
  mmap_object_populate_async (map, 0, -1, TRUE, G_PRIORITY_DEFAULT, cancelled,
                              NULL, NULL, NULL, store_result, &result);
  g_assert_false (mmap_object_populate_finish (map, wait_for (&result),
                                               &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&result);

  g_object_unref (map);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mmap/Async/new-for-file", test_new_for_file);
  g_test_add_func ("/Mmap/Async/new-for-file/errors",
                   test_new_for_file_errors);
  g_test_add_func ("/Mmap/Async/new-for-file-async", test_new_for_file_async);
  g_test_add_func ("/Mmap/Async/flush-async", test_flush_async);
  g_test_add_func ("/Mmap/Async/populate", test_populate);
  g_test_add_func ("/Mmap/Async/populate/refusals", test_populate_refusals);
  g_test_add_func ("/Mmap/Async/populate-async", test_populate_async);

  return g_test_run ();
}
