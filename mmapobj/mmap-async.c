/* mmap-async.c: maps from a GFile, and the calls that run on a worker
 * thread with GIO's conventions (a GTask, io_priority, a GCancellable)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mmap-object-private.h"

/**
 * mmap_object_new_for_file: (constructor)
 * @file: the file to map
 * @access: the access mode, as for [ctor@Mmap.Object.new_for_path]
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Maps all of @file: [ctor@Mmap.Object.new_for_path] for a #GFile. Only
 * files with a local path can be mapped; any other #GFile (a URI of a
 * remote or virtual file system) fails with %G_IO_ERROR_NOT_SUPPORTED.
 * A @cancellable cancelled before or during the call fails it with
 * %G_IO_ERROR_CANCELLED, and nothing stays mapped or open.
 *
 * Returns: (transfer full): a new map, or %NULL with @error set
 *
 * Since: 1.0
 */
MmapObject *
mmap_object_new_for_file (GFile         *file,
                          MmapAccess     access,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autofree char *path = NULL;
  g_autoptr(MmapObject) map = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable),
                        NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "mmap: %s has no local path: only local files can be "
                   "mapped", uri);
      return NULL;
    }

  map = mmap_object_new_for_path (path, access, error);
  if (map == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  return g_steal_pointer (&map);
}

typedef struct
{
  GFile      *file;
  MmapAccess  access;
} NewForFile;

static void
new_for_file_free (gpointer data)
{
  NewForFile *args = data;

  g_object_unref (args->file);
  g_free (args);
}

static void
new_for_file_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  NewForFile *args = task_data;
  GError *error = NULL;
  MmapObject *map;

  map = mmap_object_new_for_file (args->file, args->access, cancellable,
                                  &error);
  if (map == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, map, g_object_unref);
}

/**
 * mmap_object_new_for_file_async:
 * @file: the file to map
 * @access: the access mode, as for [ctor@Mmap.Object.new_for_path]
 * @io_priority: the I/O priority of the request, such as
 *   %G_PRIORITY_DEFAULT
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the map is made, or has failed
 * @user_data: data for @callback
 *
 * Maps all of @file on a worker thread, without blocking the calling
 * thread's main loop; @callback runs in the thread-default main context
 * of the calling thread. Call [ctor@Mmap.Object.new_for_file_finish] from
 * it for the map. Errors are those of [ctor@Mmap.Object.new_for_file].
 *
 * Since: 1.0
 */
void
mmap_object_new_for_file_async (GFile               *file,
                                MmapAccess           access,
                                int                  io_priority,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  NewForFile *args;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  args = g_new0 (NewForFile, 1);
  args->file = g_object_ref (file);
  args->access = access;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mmap_object_new_for_file_async);
  g_task_set_name (task, "mmap_object_new_for_file_async");
  g_task_set_priority (task, io_priority);
  g_task_set_task_data (task, args, new_for_file_free);
  g_task_run_in_thread (task, new_for_file_thread);
}

/**
 * mmap_object_new_for_file_finish: (constructor)
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@Mmap.Object.new_for_file_async].
 *
 * Returns: (transfer full): the new map, or %NULL with @error set
 *
 * Since: 1.0
 */
MmapObject *
mmap_object_new_for_file_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == mmap_object_new_for_file_async, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
flush_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (!g_cancellable_set_error_if_cancelled (cancellable, &error)
      && mmap_object_flush (source_object, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * mmap_object_flush_async:
 * @self: a map
 * @io_priority: the I/O priority of the request, such as
 *   %G_PRIORITY_DEFAULT
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the flush is done, or has failed
 * @user_data: data for @callback
 *
 * Writes the whole map's changes back to its file on a worker thread, as
 * [method@Mmap.Object.flush] does, without blocking the calling thread's
 * main loop; @callback runs in the thread-default main context of the
 * calling thread. Call [method@Mmap.Object.flush_finish] from it.
 *
 * The task holds a reference on @self until @callback has run. A map
 * closed before the flush starts fails it with %MMAP_ERROR_CLOSED; a
 * @cancellable cancelled before it starts fails it with
 * %G_IO_ERROR_CANCELLED (once `msync()` runs, it finishes).
 *
 * Since: 1.0
 */
void
mmap_object_flush_async (MmapObject          *self,
                         int                  io_priority,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MMAP_OBJECT_CHECK (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mmap_object_flush_async);
  g_task_set_name (task, "mmap_object_flush_async");
  g_task_set_priority (task, io_priority);
  g_task_run_in_thread (task, flush_thread);
}

/**
 * mmap_object_flush_finish:
 * @self: a map
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Mmap.Object.flush_async].
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_flush_finish (MmapObject    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == mmap_object_flush_async, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
