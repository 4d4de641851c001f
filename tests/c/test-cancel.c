/* test-cancel.c: cancelling the calls that run on a worker thread, and
 * what a closed or forgotten map does to them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The big maps are sparse files (ftruncate: no disk blocks) of 8 GiB:
 * populating all of one takes seconds, so a cancel or a close decided in
 * the first progress report always lands part-way. Nothing here waits for
 * a time to pass; the tests decide from the progress reports and check
 * results and the order of events.
 */

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test-util.h"

#define BIG_SIZE ((goffset) 8 << 30)
#define CHUNK    ((goffset) 512 * 1024)

/* A sparse file of BIG_SIZE bytes, or NULL (the test skipped) when the
 * file system or the address space cannot take one. */
static MtFile *
big_sparse_file (void)
{
  MtFile *file;

  if (sizeof (gsize) < 8)
    {
      g_test_skip ("needs a 64-bit address space");
      return NULL;
    }
  file = mt_file_new (NULL, 0);
  if (ftruncate (file->fd, (off_t) BIG_SIZE) != 0)
    {
      g_test_skip_printf ("cannot make an 8 GiB sparse file: %s",
                          g_strerror (errno));
      mt_file_free (file);
      return NULL;
    }
  return file;
}

/* How many of the pages of [offset, offset + len) of the map are in
 * memory (mincore() over a view: for a file, its page cache). */
static gsize
resident_pages (MmapObject *map,
                gsize       offset,
                gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) view = mmap_object_view (map, offset, (gssize) len,
                                             &error);
  gsize page = mmap_get_page_size ();
  guintptr start, end;
  g_autofree unsigned char *vec = NULL;
  gsize n = 0;

  g_assert_no_error (error);
  start = (guintptr) g_bytes_get_data (view, NULL) & ~(guintptr) (page - 1);
  end = (guintptr) g_bytes_get_data (view, NULL) + len;
  vec = g_malloc ((end - start + page - 1) / page);
  g_assert_cmpint (mincore ((void *) start, end - start, vec), ==, 0);
  for (gsize i = 0; i < (end - start + page - 1) / page; i++)
    n += vec[i] & 1;
  return n;
}

/* ---- what happens, in order ------------------------------------------- */

typedef enum
{
  EV_PROGRESS,
  EV_READY,
  EV_DATA_FREED,
  EV_FINALIZED,
} Event;

/* The log of one call. The map may be finalized in a worker thread (the
 * task's last reference can go there), hence the lock. */
typedef struct
{
  GMutex        lock;
  GArray       *events;
  GCancellable *cancellable;
  GWeakRef      map;          /* alive while the task holds it */
  gboolean      cancel_at_first;
  gboolean      close_at_first;
  guint         progress;
  goffset       last_done;
  goffset       total;
  gboolean      alive_in_progress;   /* the map, in every report */
  gboolean      alive_in_ready;
  gboolean      ready;
  gboolean      result;
  GError       *error;
  GThread      *freed_in;   /* where the progress data was freed */
} Log;

static void
log_init (Log *log)
{
  memset (log, 0, sizeof *log);
  g_mutex_init (&log->lock);
  log->events = g_array_new (FALSE, FALSE, sizeof (Event));
  log->cancellable = g_cancellable_new ();
  log->alive_in_progress = TRUE;
}

static void
log_clear (Log *log)
{
  g_weak_ref_clear (&log->map);
  g_clear_object (&log->cancellable);
  g_clear_error (&log->error);
  g_array_unref (log->events);
  g_mutex_clear (&log->lock);
}

static void
log_add (Log   *log,
         Event  event)
{
  g_mutex_lock (&log->lock);
  g_array_append_val (log->events, event);
  g_mutex_unlock (&log->lock);
}

static guint
log_count (Log   *log,
           Event  event)
{
  guint n = 0;

  g_mutex_lock (&log->lock);
  for (guint i = 0; i < log->events->len; i++)
    n += g_array_index (log->events, Event, i) == event;
  g_mutex_unlock (&log->lock);
  return n;
}

/* The index of the first @event in the log, or -1. */
static gint
log_index (Log   *log,
           Event  event)
{
  gint at = -1;

  g_mutex_lock (&log->lock);
  for (guint i = 0; i < log->events->len && at < 0; i++)
    if (g_array_index (log->events, Event, i) == event)
      at = (gint) i;
  g_mutex_unlock (&log->lock);
  return at;
}

static void
on_finalized (gpointer  user_data,
              GObject  *where_the_object_was)
{
  log_add (user_data, EV_FINALIZED);
}

static void
on_progress (goffset  done,
             goffset  total,
             gpointer user_data)
{
  Log *log = user_data;
  MmapObject *map = g_weak_ref_get (&log->map);

  log_add (log, EV_PROGRESS);
  g_assert_cmpint (done, >, log->last_done);
  g_assert_cmpint (done, <=, total);
  log->last_done = done;
  log->total = total;
  if (map == NULL)
    log->alive_in_progress = FALSE;
  if (log->progress++ == 0)
    {
      if (log->cancel_at_first)
        g_cancellable_cancel (log->cancellable);
      if (log->close_at_first && map != NULL)
        g_assert_true (mmap_object_close (map, NULL));
    }
  g_clear_object (&map);
}

static void
on_data_freed (gpointer user_data)
{
  Log *log = user_data;

  log->freed_in = g_thread_self ();
  log_add (log, EV_DATA_FREED);
}

typedef gboolean (*FinishFunc) (MmapObject    *self,
                                GAsyncResult  *result,
                                GError       **error);

/* The ready callback: logs it, checks the map is alive, and finishes. */
static void
log_ready (GObject      *source,
           GAsyncResult *result,
           Log          *log,
           FinishFunc    finish)
{
  MmapObject *map = g_weak_ref_get (&log->map);

  log_add (log, EV_READY);
  /* The source object is the map, alive: the task holds it until now. */
  g_assert_true (G_OBJECT (map) == source);
  log->alive_in_ready = map != NULL
                        && log_index (log, EV_FINALIZED) < 0;
  log->result = finish (MMAP_OBJECT (source), result, &log->error);
  log->ready = TRUE;
  g_clear_object (&map);
}

static void
on_populated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  log_ready (source, result, user_data, mmap_object_populate_finish);
}

static void
on_flushed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  log_ready (source, result, user_data, mmap_object_flush_finish);
}

static void
wait_until_ready (Log *log)
{
  while (!log->ready)
    g_main_context_iteration (NULL, TRUE);
}

/* After the ready callback the worker drops its reference on the task,
 * and the task its reference on the map, in their own time: waits for
 * @event, running this thread's main context meanwhile. */
static void
wait_for_event (Log   *log,
                Event  event)
{
  for (guint i = 0; i < 20000 && log_index (log, event) < 0; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
  g_assert_cmpint (log_index (log, event), >=, 0);
}

/* Runs whatever this thread's main context still has: nothing of the call
 * may be left. */
static void
drain (void)
{
  for (guint i = 0; i < 50; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

/* The progress data belongs to the caller's thread (in a binding it is a
 * closure of the language, which only that thread may free): it must be
 * freed there, never in the worker. */
static void
assert_data_freed_here (Log *log)
{
  g_assert_cmpint (log_index (log, EV_DATA_FREED), >=, 0);
  g_assert_true (log->freed_in == g_thread_self ());
}

/* Drops the caller's reference on @map and waits until the task has
 * dropped its own (in the worker, after the ready callback). */
static void
release_and_wait (MmapObject *map,
                  Log        *log)
{
  g_object_weak_ref (G_OBJECT (map), on_finalized, log);
  g_object_unref (map);
  wait_for_event (log, EV_FINALIZED);
}

/* The log reads progress*, ready, with the data freed after the last
 * progress and the map finalized last. */
static void
assert_order (Log *log)
{
  gint ready = log_index (log, EV_READY);
  gint finalized = log_index (log, EV_FINALIZED);

  g_mutex_lock (&log->lock);
  g_assert_cmpuint (log->events->len, >, 0);
  g_assert_cmpint (g_array_index (log->events, Event, log->events->len - 1),
                   ==, EV_FINALIZED);
  for (guint i = 0; i < log->events->len; i++)
    if (g_array_index (log->events, Event, i) == EV_PROGRESS)
      g_assert_cmpint ((gint) i, <, ready);
  g_mutex_unlock (&log->lock);
  g_assert_cmpint (ready, >=, 0);
  g_assert_cmpint (ready, <, finalized);
  g_assert_cmpuint (log_count (log, EV_READY), ==, 1);
  g_assert_cmpuint (log_count (log, EV_FINALIZED), ==, 1);
}

/* Starts populate_async on a map whose only reference is dropped at
 * once. */
static void
start_populate_and_forget (MmapObject *map,
                           Log        *log,
                           goffset     offset,
                           gssize      length)
{
  g_weak_ref_set (&log->map, map);
  g_object_weak_ref (G_OBJECT (map), on_finalized, log);
  mmap_object_populate_async (map, offset, length, FALSE, G_PRIORITY_DEFAULT,
                              log->cancellable, on_progress, log,
                              on_data_freed, on_populated, log);
  g_object_unref (map);
}

/* ---- cancelling part-way ---------------------------------------------- */

static void
test_populate_cancel_part_way (void)
{
  g_autoptr(MtFile) file = big_sparse_file ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GCancellable) again = g_cancellable_new ();
  MmapObject *map;
  Log log;
  guint progress;

  if (file == NULL)
    return;
  log_init (&log);
  log.cancel_at_first = TRUE;
  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);
  g_weak_ref_set (&log.map, map);
  /* Nothing of the last chunk is in memory yet. */
  g_assert_cmpuint (resident_pages (map, (gsize) (BIG_SIZE - CHUNK),
                                    (gsize) CHUNK), ==, 0);

  mmap_object_populate_async (map, 0, -1, FALSE, G_PRIORITY_DEFAULT,
                              log.cancellable, on_progress, &log,
                              on_data_freed, on_populated, &log);
  wait_until_ready (&log);
  g_assert_false (log.result);
  g_assert_error (log.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* It stopped part-way: not all reported, the end never brought in. */
  g_assert_cmpuint (log.progress, >=, 1);
  g_assert_cmpint (log.total, ==, BIG_SIZE);
  g_assert_cmpint (log.last_done, >=, CHUNK);
  g_assert_cmpint (log.last_done, <, BIG_SIZE);
  g_assert_cmpuint (resident_pages (map, (gsize) (BIG_SIZE - CHUNK),
                                    (gsize) CHUNK), ==, 0);
  /* No report after the ready callback; the data is freed. */
  progress = log.progress;
  wait_for_event (&log, EV_DATA_FREED);
  drain ();
  assert_data_freed_here (&log);
  g_assert_cmpuint (log.progress, ==, progress);
  g_assert_cmpint (log_index (&log, EV_READY), <,
                   log_index (&log, EV_DATA_FREED));

  /* The map is as usable as before. */
  g_assert_false (mmap_object_get_closed (map));
  g_assert_cmpuint (mmap_object_get_length (map), ==, (gsize) BIG_SIZE);
  g_assert_cmpint (mmap_object_tell (map, &error), ==, 0);
  bytes = mmap_object_read (map, 16, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
  g_assert_cmpint (mmap_object_get_byte (map, -1, &error), ==, 0);
  g_assert_cmpint (mmap_object_find_range (map, (const guint8 *) "\0\0", 2,
                                           BIG_SIZE - 10, G_MAXSSIZE,
                                           &error), ==, BIG_SIZE - 10);
  g_assert_cmpint (mmap_object_find_range (map, (const guint8 *) "x", 1, 0,
                                           CHUNK, &error), ==, -1);
  g_assert_no_error (error);
  /* ...and populates again, to the end of a range. */
  g_assert_true (mmap_object_populate (map, BIG_SIZE - 3 * CHUNK, -1, FALSE,
                                       again, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (resident_pages (map, (gsize) (BIG_SIZE - CHUNK),
                                    (gsize) CHUNK),
                    ==, (gsize) CHUNK / mmap_get_page_size ());

  release_and_wait (map, &log);
  log_clear (&log);
}

/* Cancelled before the call: CANCELLED, no progress, no page brought in. */
static void
test_populate_cancel_before (void)
{
  g_autoptr(MtFile) file = big_sparse_file ();
  g_autoptr(GError) error = NULL;
  MmapObject *map;
  gsize resident;
  Log log;

  if (file == NULL)
    return;
  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);
  /* None, but under valgrind, which reads the start of every file
   * mapped, to look for an ELF header. */
  resident = resident_pages (map, 0, 2 * (gsize) CHUNK);
  g_assert_cmpuint (resident, <, 2 * (gsize) CHUNK / mmap_get_page_size ());

  log_init (&log);
  g_cancellable_cancel (log.cancellable);
  g_weak_ref_set (&log.map, map);
  mmap_object_populate_async (map, 0, -1, FALSE, G_PRIORITY_DEFAULT,
                              log.cancellable, on_progress, &log,
                              on_data_freed, on_populated, &log);
  wait_until_ready (&log);
  g_assert_false (log.result);
  g_assert_error (log.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  wait_for_event (&log, EV_DATA_FREED);
  drain ();
  g_assert_cmpuint (log.progress, ==, 0);
  g_assert_cmpuint (resident_pages (map, 0, 2 * (gsize) CHUNK), ==, resident);
  log_clear (&log);

  /* The sync form: the same. */
  log_init (&log);
  g_cancellable_cancel (log.cancellable);
  g_assert_false (mmap_object_populate (map, 0, -1, FALSE, log.cancellable,
                                        on_progress, &log, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (log.progress, ==, 0);
  g_assert_cmpuint (resident_pages (map, 0, 2 * (gsize) CHUNK), ==, resident);
  log_clear (&log);

  /* The map is untouched and usable. */
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, 0);
  g_assert_no_error (error);
  log_init (&log);
  release_and_wait (map, &log);
  log_clear (&log);
}

/* ---- no callback after the map is finalized -------------------------- */

static void
test_populate_forgotten (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) file = mt_file_new (NULL, 0);
  MmapObject *map;
  Log log;

  /* 64 sparse chunks: a call long enough to report many times. */
  g_assert_cmpint (ftruncate (file->fd, 64 * CHUNK), ==, 0);
  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);

  log_init (&log);
  start_populate_and_forget (map, &log, 0, -1);
  /* The task holds the map: it is alive, though no caller holds it. */
  map = g_weak_ref_get (&log.map);
  g_assert_nonnull (map);
  g_clear_object (&map);
  g_assert_cmpint (log_index (&log, EV_FINALIZED), <, 0);

  wait_until_ready (&log);
  g_assert_true (log.result);
  g_assert_no_error (log.error);
  g_assert_true (log.alive_in_ready);
  g_assert_true (log.alive_in_progress);
  g_assert_cmpint (log.last_done, ==, 64 * CHUNK);

  wait_for_event (&log, EV_FINALIZED);
  wait_for_event (&log, EV_DATA_FREED);
  drain ();
  g_assert_cmpuint (log_count (&log, EV_PROGRESS), ==, 64);
  /* The data of the progress callback may be freed by whoever drops the
   * last report (before or after the map): only the callbacks are
   * ordered. */
  g_test_message ("%u events; the progress data freed at %d, the map "
                  "finalized at %d; freed in %s thread", log.events->len,
                  log_index (&log, EV_DATA_FREED),
                  log_index (&log, EV_FINALIZED),
                  log.freed_in == g_thread_self () ? "this" : "another");
  assert_data_freed_here (&log);
  g_array_remove_index (log.events, (guint) log_index (&log, EV_DATA_FREED));
  assert_order (&log);
  log_clear (&log);
}

static void
test_populate_forgotten_cancelled (void)
{
  g_autoptr(MtFile) file = big_sparse_file ();
  g_autoptr(GError) error = NULL;
  MmapObject *map;
  Log log;

  if (file == NULL)
    return;
  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);

  log_init (&log);
  log.cancel_at_first = TRUE;
  start_populate_and_forget (map, &log, 0, -1);
  wait_until_ready (&log);
  g_assert_false (log.result);
  g_assert_error (log.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (log.alive_in_ready);
  g_assert_true (log.alive_in_progress);
  g_assert_cmpint (log.last_done, <, BIG_SIZE);

  wait_for_event (&log, EV_FINALIZED);
  wait_for_event (&log, EV_DATA_FREED);
  drain ();
  g_test_message ("%u events; the progress data freed at %d, the map "
                  "finalized at %d; freed in %s thread", log.events->len,
                  log_index (&log, EV_DATA_FREED),
                  log_index (&log, EV_FINALIZED),
                  log.freed_in == g_thread_self () ? "this" : "another");
  assert_data_freed_here (&log);
  g_array_remove_index (log.events, (guint) log_index (&log, EV_DATA_FREED));
  assert_order (&log);
  log_clear (&log);
}

static void
test_flush_forgotten (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "flush me", 8);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) contents = NULL;
  MmapObject *map;
  Log log;

  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  g_assert_true (mmap_object_set_byte (map, 0, 'F', &error));

  log_init (&log);
  g_weak_ref_set (&log.map, map);
  g_object_weak_ref (G_OBJECT (map), on_finalized, &log);
  mmap_object_flush_async (map, G_PRIORITY_DEFAULT, NULL, on_flushed, &log);
  g_object_unref (map);
  map = g_weak_ref_get (&log.map);
  g_assert_nonnull (map);
  g_clear_object (&map);

  wait_until_ready (&log);
  g_assert_true (log.result);
  g_assert_no_error (log.error);
  g_assert_true (log.alive_in_ready);
  wait_for_event (&log, EV_FINALIZED);
  drain ();
  assert_order (&log);
  g_assert_cmpuint (log.events->len, ==, 2);
  contents = mt_fd_read_all (file->fd);
  mt_assert_bytes_eq (contents, "Flush me", 8);
  log_clear (&log);
}

/* ---- a map closed meanwhile ------------------------------------------- */

static void
test_populate_closed_meanwhile (void)
{
  g_autoptr(MtFile) file = big_sparse_file ();
  g_autoptr(GError) error = NULL;
  MmapObject *map;
  Log log;

  if (file == NULL)
    return;
  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);

  /* Closed from the first progress report: the next chunk fails. */
  log_init (&log);
  log.close_at_first = TRUE;
  g_weak_ref_set (&log.map, map);
  mmap_object_populate_async (map, 0, -1, FALSE, G_PRIORITY_DEFAULT,
                              log.cancellable, on_progress, &log,
                              on_data_freed, on_populated, &log);
  wait_until_ready (&log);
  g_assert_false (log.result);
  g_assert_error (log.error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_assert_cmpint (log.last_done, <, BIG_SIZE);
  wait_for_event (&log, EV_DATA_FREED);
  drain ();
  g_assert_true (mmap_object_get_closed (map));
  g_assert_cmpuint (mmap_object_get_length (map), ==, 0);
  g_assert_null (mmap_object_read (map, 1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_clear_error (&error);
  release_and_wait (map, &log);
  log_clear (&log);

  /* Closed right after the call, before the worker may have begun: the
   * call fails at its first or its next chunk. */
  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);
  log_init (&log);
  g_weak_ref_set (&log.map, map);
  mmap_object_populate_async (map, 0, -1, FALSE, G_PRIORITY_DEFAULT,
                              log.cancellable, on_progress, &log,
                              on_data_freed, on_populated, &log);
  g_assert_true (mmap_object_close (map, NULL));
  wait_until_ready (&log);
  g_assert_false (log.result);
  g_assert_error (log.error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_assert_cmpint (log.last_done, <, BIG_SIZE);
  wait_for_event (&log, EV_DATA_FREED);
  drain ();
  release_and_wait (map, &log);
  log_clear (&log);
}

static void
test_flush_closed_meanwhile (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "flush me", 8);
  g_autoptr(GError) error = NULL;

  /* The flush and the close race: either the flush ran first and
   * succeeded, or it found the map closed. Neither crashes, and the map
   * ends closed. */
  for (guint i = 0; i < 50; i++)
    {
      MmapObject *map = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0,
                                         &error);
      Log log;

      g_assert_no_error (error);
      g_assert_true (mmap_object_set_byte (map, 0, 'a' + i % 26, &error));
      log_init (&log);
      g_weak_ref_set (&log.map, map);
      mmap_object_flush_async (map, G_PRIORITY_DEFAULT, NULL, on_flushed,
                               &log);
      g_assert_true (mmap_object_close (map, NULL));
      wait_until_ready (&log);
      if (!log.result)
        g_assert_error (log.error, MMAP_ERROR, MMAP_ERROR_CLOSED);
      else
        g_assert_no_error (log.error);
      g_assert_true (mmap_object_get_closed (map));
      release_and_wait (map, &log);
      log_clear (&log);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mmap/Cancel/populate-async/part-way",
                   test_populate_cancel_part_way);
  g_test_add_func ("/Mmap/Cancel/populate-async/before-the-call",
                   test_populate_cancel_before);
  g_test_add_func ("/Mmap/Cancel/populate-async/forgotten",
                   test_populate_forgotten);
  g_test_add_func ("/Mmap/Cancel/populate-async/forgotten-and-cancelled",
                   test_populate_forgotten_cancelled);
  g_test_add_func ("/Mmap/Cancel/flush-async/forgotten",
                   test_flush_forgotten);
  g_test_add_func ("/Mmap/Cancel/populate-async/closed-meanwhile",
                   test_populate_closed_meanwhile);
  g_test_add_func ("/Mmap/Cancel/flush-async/closed-meanwhile",
                   test_flush_closed_meanwhile);

  return g_test_run ();
}
