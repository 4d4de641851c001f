/* mmap-populate.c: bringing a range of the map into memory ahead of use
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * populate() prefaults a range: MADV_POPULATE_READ or _WRITE where the
 * kernel has them (Linux 5.14), touching each page under the SIGBUS guard
 * otherwise. It works a chunk at a time, each in a read scope of its own,
 * so that a cancellation stops it within a chunk and calls that change
 * the map can run in between.
 */

#include "config.h"

#include <errno.h>
#include <sys/mman.h>

#include "mmap-access-private.h"
#include "mmap-error-private.h"
#include "mmap-guard-private.h"
#include "mmap-object-private.h"

#ifndef MADV_POPULATE_READ
# define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
# define MADV_POPULATE_WRITE 23
#endif

/* About a millisecond of work from the page cache; more when the pages
 * come from the disk. */
#define CHUNK ((gsize) 512 * 1024)

/* Checks the range against the map: the number of bytes from @offset,
 * clamped to the end of the map, or -1 with @error set. */
static gssize
populate_length (MmapObject  *self,
                 goffset      offset,
                 gssize       length,
                 GError     **error)
{
  g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

  if (!mmap_object_check_open (self, "populate", error))
    return -1;
  if (offset < 0 || (guint64) offset > self->length)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE,
                   "populate: offset %" G_GOFFSET_FORMAT " out of bounds of "
                   "a %" G_GSIZE_FORMAT "-byte map", offset, self->length);
      return -1;
    }
  if (length < -1)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE,
                   "populate: length %" G_GSSIZE_FORMAT " invalid", length);
      return -1;
    }
  if (length == -1 || (gsize) length > self->length - (gsize) offset)
    length = (gssize) (self->length - (gsize) offset);
  return length;
}

/* Touches byte @at of the map: a read, or, for writing, a store of the
 * byte read back (no writer runs meanwhile: the caller is in a read
 * scope, which keeps them out). */
static gboolean
touch (MmapObject  *self,
       gsize        at,
       gboolean     for_writing,
       GError     **error)
{
  gint byte = mmap_access_get_byte (self, "populate", at, error);

  return byte >= 0
         && (!for_writing
             || mmap_access_set_byte (self, "populate", at, (guint8) byte,
                                      error));
}

/* Touches every page of [from, from + n) of the map: one byte a page
 * apart, and the last byte, whose page the steps may have missed. */
static gboolean
touch_pages (MmapObject  *self,
             gsize        from,
             gsize        n,
             gboolean     for_writing,
             GError     **error)
{
  gsize page = mmap_get_page_size ();

  for (gsize done = 0; done < n; done += page)
    if (!touch (self, from + done, for_writing, error))
      return FALSE;
  return n == 0 || touch (self, from + n - 1, for_writing, error);
}

/* Populates [from, from + n) of the map, clamped to its length now. */
static gboolean
populate_chunk (MmapObject  *self,
                gsize        from,
                gsize        n,
                gboolean     for_writing,
                GError     **error)
{
  g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);
  int errsv;

  if (for_writing
      ? !mmap_object_check_writable (self, "populate", error)
      : !mmap_object_check_readable (self, "populate", error))
    return FALSE;
  /* A resize between two chunks may have shortened the map. */
  if (from >= self->length)
    return TRUE;
  n = MIN (n, self->length - from);

  errsv = mmap_mapping_advise (self->mapping, self->delta + from, n,
                               for_writing ? MADV_POPULATE_WRITE
                                           : MADV_POPULATE_READ,
                               MMAP_ADVISE_WIDEN);
  if (errsv == EINVAL)
    return touch_pages (self, from, n, for_writing, error);
  if (errsv == EFAULT)
    return mmap_set_error_from_errno (error, EIO,
                                      "populate: the pages from byte %"
                                      G_GSIZE_FORMAT " cannot be brought "
                                      "in (the file is shorter than the "
                                      "map, or its I/O failed)", from);
  if (errsv != 0)
    return mmap_set_error_from_errno (error, errsv,
                                      "populate: %" G_GSIZE_FORMAT " bytes "
                                      "at %" G_GSIZE_FORMAT, n, from);
  return TRUE;
}

typedef void (*ProgressFunc) (goffset done, goffset total, gpointer data);

static gboolean
populate_run (MmapObject     *self,
              goffset         offset,
              gssize          length,
              gboolean        for_writing,
              GCancellable   *cancellable,
              ProgressFunc    progress,
              gpointer        progress_data,
              GError        **error)
{
  gssize total = populate_length (self, offset, length, error);
  gsize done = 0;

  if (total < 0)
    return FALSE;
  /* One turn even for an empty range: cancellation and progress alike. */
  do
    {
      gsize n = MIN (CHUNK, (gsize) total - done);

      if (g_cancellable_set_error_if_cancelled (cancellable, error)
          || !populate_chunk (self, (gsize) offset + done, n, for_writing,
                              error))
        return FALSE;
      done += n;
      if (progress != NULL)
        progress ((goffset) done, (goffset) total, progress_data);
    }
  while (done < (gsize) total);
  return TRUE;
}

/**
 * mmap_object_populate:
 * @self: a map
 * @offset: the first byte, from the start of the map
 * @length: the number of bytes (clamped to the end of the map), or -1 for
 *   the rest of the map
 * @for_writing: bring the pages in writable (`MADV_POPULATE_WRITE`: a
 *   private map gets its own copies) instead of readable
 * @cancellable: (nullable): a #GCancellable
 * @progress_callback: (nullable) (scope call) (closure progress_data):
 *   called after each chunk with the bytes done and the total
 * @progress_data: data for @progress_callback
 * @error: return location for a #GError
 *
 * Brings the pages of a range into memory now, so that later accesses do
 * not wait for the disk: `MADV_POPULATE_READ` or `MADV_POPULATE_WRITE`
 * where the kernel has them (Linux 5.14), a touch of each page otherwise.
 *
 * A page that cannot be brought in, because the file is shorter than the
 * map or its I/O failed, makes the call fail with an `EIO` error instead
 * of a fault later. The range is done in chunks of 512 KiB: a cancelled
 * @cancellable stops the call before the next one with
 * %G_IO_ERROR_CANCELLED, and calls that change the map may run between
 * two chunks (a range the map no longer holds is skipped). The position
 * does not change.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_populate (MmapObject             *self,
                      goffset                 offset,
                      gssize                  length,
                      gboolean                for_writing,
                      GCancellable           *cancellable,
                      GFileProgressCallback   progress_callback,
                      gpointer                progress_data,
                      GError                **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable),
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return populate_run (self, offset, length, for_writing, cancellable,
                       progress_callback, progress_data, error);
}

/* The async form's progress: reported in the task's main context. */
typedef struct
{
  GFileProgressCallback  callback;
  gpointer               data;
  GDestroyNotify         data_free;
} Progress;

static void
progress_free (gpointer data)
{
  Progress *progress = data;

  if (progress->data_free != NULL)
    progress->data_free (progress->data);
}

typedef struct
{
  Progress *progress;   /* a reference */
  goffset   done;
  goffset   total;
} ProgressReport;

static gboolean
report_progress (gpointer data)
{
  ProgressReport *report = data;

  report->progress->callback (report->done, report->total,
                              report->progress->data);
  return G_SOURCE_REMOVE;
}

static void
progress_report_free (gpointer data)
{
  ProgressReport *report = data;

  g_atomic_rc_box_release_full (report->progress, progress_free);
  g_free (report);
}

typedef struct
{
  goffset       offset;
  gssize        length;
  gboolean      for_writing;
  Progress     *progress;   /* a reference, or NULL */
  GMainContext *context;
  int           priority;
} PopulateArgs;

static gboolean
release_progress (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static void
progress_release (gpointer data)
{
  g_atomic_rc_box_release_full (data, progress_free);
}

static void
populate_args_free (gpointer data)
{
  PopulateArgs *args = data;

  /* The task may be freed in the worker; the progress data (a binding's
   * closure, say) must be freed in the caller's context, after the
   * reports queued there. */
  if (args->progress != NULL)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, args->priority);
      g_source_set_callback (source, release_progress,
                             g_steal_pointer (&args->progress),
                             progress_release);
      g_source_set_static_name (source,
                                "mmap_object_populate_async release");
      g_source_attach (source, args->context);
      g_source_unref (source);
    }
  g_main_context_unref (args->context);
  g_free (args);
}

static void
queue_progress (goffset  done,
                goffset  total,
                gpointer data)
{
  PopulateArgs *args = data;
  ProgressReport *report = g_new0 (ProgressReport, 1);
  GSource *source;

  report->progress = g_atomic_rc_box_acquire (args->progress);
  report->done = done;
  report->total = total;
  /* Always through a source: g_main_context_invoke() would call it right
   * here, in the worker, whenever the caller's context is not running. */
  source = g_idle_source_new ();
  g_source_set_priority (source, args->priority);
  g_source_set_callback (source, report_progress, report,
                         progress_report_free);
  g_source_set_static_name (source, "mmap_object_populate_async progress");
  g_source_attach (source, args->context);
  g_source_unref (source);
}

static void
populate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  PopulateArgs *args = task_data;
  GError *error = NULL;

  if (populate_run (source_object, args->offset, args->length,
                    args->for_writing, cancellable,
                    args->progress != NULL ? queue_progress : NULL, args,
                    &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * mmap_object_populate_async:
 * @self: a map
 * @offset: the first byte, from the start of the map
 * @length: the number of bytes (clamped to the end of the map), or -1 for
 *   the rest of the map
 * @for_writing: bring the pages in writable instead of readable
 * @io_priority: the I/O priority of the request, such as
 *   %G_PRIORITY_DEFAULT
 * @cancellable: (nullable): a #GCancellable
 * @progress_callback: (nullable) (scope notified)
 *   (closure progress_data) (destroy progress_data_free): called in the
 *   calling thread's main context after each chunk, with the bytes done
 *   and the total
 * @progress_data: data for @progress_callback
 * @progress_data_free: (nullable): frees @progress_data once no progress
 *   report is left
 * @callback: (scope async) (closure user_data): called when the range is
 *   in, or the call has failed
 * @user_data: data for @callback
 *
 * [method@Mmap.Object.populate] on a worker thread, without blocking the
 * calling thread's main loop; @callback runs in the thread-default main
 * context of the calling thread. Call [method@Mmap.Object.populate_finish]
 * from it. The task holds a reference on @self until @callback has run; a
 * map closed meanwhile fails the call with %MMAP_ERROR_CLOSED at its next
 * chunk.
 *
 * Since: 1.0
 */
void
mmap_object_populate_async (MmapObject             *self,
                            goffset                 offset,
                            gssize                  length,
                            gboolean                for_writing,
                            int                     io_priority,
                            GCancellable           *cancellable,
                            GFileProgressCallback   progress_callback,
                            gpointer                progress_data,
                            GDestroyNotify          progress_data_free,
                            GAsyncReadyCallback     callback,
                            gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  PopulateArgs *args;

  g_return_if_fail (MMAP_OBJECT_CHECK (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  args = g_new0 (PopulateArgs, 1);
  args->offset = offset;
  args->length = length;
  args->for_writing = for_writing;
  args->context = g_main_context_ref_thread_default ();
  args->priority = io_priority;
  if (progress_callback != NULL)
    {
      args->progress = g_atomic_rc_box_new0 (Progress);
      args->progress->callback = progress_callback;
      args->progress->data = progress_data;
      args->progress->data_free = progress_data_free;
    }
  else if (progress_data_free != NULL)
    progress_data_free (progress_data);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mmap_object_populate_async);
  g_task_set_name (task, "mmap_object_populate_async");
  g_task_set_priority (task, io_priority);
  g_task_set_task_data (task, args, populate_args_free);
  g_task_run_in_thread (task, populate_thread);
}

/**
 * mmap_object_populate_finish:
 * @self: a map
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Mmap.Object.populate_async].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_populate_finish (MmapObject    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == mmap_object_populate_async, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
