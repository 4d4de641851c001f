/* mmap-output-stream.c: a GOutputStream into a range of a map
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Unlike the input stream, this one holds the map itself, not a view:
 * every write goes through the object (its lock, its checks, the guard),
 * so a write after close() or past a shrunk map fails cleanly.
 */

#include "config.h"

#include "mmap-output-stream.h"
#include "mmap-object-private.h"
#include "mmap-stream-private.h"

/**
 * MmapOutputStream:
 *
 * A [class@Gio.OutputStream] into a range of a writable map, from
 * [method@Mmap.Object.open_output_stream]: any GIO producer can fill a
 * map through it, for example [method@Gio.OutputStream.splice] or a
 * [class@Gio.ConverterOutputStream].
 *
 * It is also a [iface@Gio.Seekable] and a
 * [iface@Gio.PollableOutputStream] (always writable). Its position is its
 * own, from 0 to the length of its range; the map's position does not
 * move.
 *
 * **It never grows the map or its file.** A write longer than the room
 * left in the range writes what fits and returns that count; a write with
 * no room left fails with %G_IO_ERROR_NO_SPACE. To make room, close the
 * stream, [method@Mmap.Object.resize] the map and open a new stream.
 *
 * Writes go through the map, so they are atomic with respect to the map's
 * other calls, and they fail with the map's errors once it is closed
 * (%MMAP_ERROR_CLOSED). Flushing the stream (and so closing it) writes
 * its range back to the file, as [method@Mmap.Object.flush_range] does.
 *
 * Since: 1.0
 */
struct _MmapOutputStream
{
  GOutputStream  parent_instance;

  MmapObject        *map;
  gsize              offset;
  MmapStreamWindow   window;
};

static void mmap_output_stream_pollable_iface_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MmapOutputStream, mmap_output_stream,
                               G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_SEEKABLE,
                                                      mmap_stream_seekable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      mmap_output_stream_pollable_iface_init))

static void
mmap_output_stream_finalize (GObject *object)
{
  g_clear_object (&MMAP_OUTPUT_STREAM (object)->map);

  G_OBJECT_CLASS (mmap_output_stream_parent_class)->finalize (object);
}

static gssize
write_at_position (MmapOutputStream  *self,
                   const void        *buffer,
                   gsize              count,
                   GError           **error)
{
  gsize room = self->window.length - (gsize) self->window.pos;
  gssize n;

  if (count == 0)
    return 0;
  if (room == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "write: no room left in the stream's %" G_GSIZE_FORMAT
                   " bytes (a stream never grows its map)", self->window.length);
      return -1;
    }

  n = mmap_object_store_at (self->map, "write",
                            self->offset + (gsize) self->window.pos, buffer,
                            MIN (count, room), error);
  if (n == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "write: the map was resized to end before the stream's "
                   "position");
      return -1;
    }
  if (n > 0)
    self->window.pos += n;
  return n;
}

static gssize
mmap_output_stream_write (GOutputStream  *stream,
                          const void     *buffer,
                          gsize           count,
                          GCancellable   *cancellable,
                          GError        **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  return write_at_position (MMAP_OUTPUT_STREAM (stream), buffer, count,
                            error);
}

static gboolean
mmap_output_stream_flush (GOutputStream  *stream,
                          GCancellable   *cancellable,
                          GError        **error)
{
  MmapOutputStream *self = MMAP_OUTPUT_STREAM (stream);
  gsize map_length, from;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* The part of the range the map still has, should it have shrunk. */
  map_length = mmap_object_get_length (self->map);
  from = MIN (self->offset, map_length);
  return mmap_object_flush_range (self->map, (goffset) from,
                                  (gssize) MIN (self->window.length,
                                                map_length - from),
                                  error);
}

static void
mmap_output_stream_class_init (MmapOutputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = mmap_output_stream_finalize;

  stream_class->write_fn = mmap_output_stream_write;
  stream_class->flush = mmap_output_stream_flush;
}

static void
mmap_output_stream_init (MmapOutputStream *self)
{
}

/* GPollableOutputStream: there is always room, or an error. */

static gboolean
output_is_writable (GPollableOutputStream *stream)
{
  return TRUE;
}

static gssize
output_write_nonblocking (GPollableOutputStream  *stream,
                          const void             *buffer,
                          gsize                   count,
                          GError                **error)
{
  /* GIO checks for a closed stream everywhere but here. */
  if (g_output_stream_is_closed (G_OUTPUT_STREAM (stream)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                           "Stream is already closed");
      return -1;
    }
  return write_at_position (MMAP_OUTPUT_STREAM (stream), buffer, count,
                            error);
}

static void
mmap_output_stream_pollable_iface_init (GPollableOutputStreamInterface *iface)
{
  iface->is_writable = output_is_writable;
  iface->create_source =
    (GSource *(*) (GPollableOutputStream *, GCancellable *))
    mmap_stream_create_ready_source;
  iface->write_nonblocking = output_write_nonblocking;
}

MmapStreamWindow *
mmap_output_stream_get_window (MmapOutputStream *self)
{
  return &self->window;
}

/* Public API */

/**
 * mmap_object_open_output_stream:
 * @self: a writable map
 * @offset: the first byte of the stream's range, from the start of the map
 * @length: the length of the range, or -1 for the rest of the map
 * @error: return location for a #GError
 *
 * Opens a stream that writes into the range [@offset, @offset + @length)
 * of the map, from its start, with a position of its own: see
 * [class@Mmap.OutputStream]. The stream never grows the map.
 *
 * Returns: (transfer full): the stream, or %NULL with @error set: the map
 *   is closed or read-only (%MMAP_ERROR_READ_ONLY), or the range does not
 *   fit in it (%MMAP_ERROR_OUT_OF_RANGE)
 *
 * Since: 1.0
 */
MmapOutputStream *
mmap_object_open_output_stream (MmapObject  *self,
                                gsize        offset,
                                gssize       length,
                                GError     **error)
{
  MmapOutputStream *stream;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    if (!mmap_object_check_writable (self, "open_output_stream", error)
        || !mmap_object_check_window (self, "open_output_stream", offset,
                                      &length, error))
      return NULL;
  }

  stream = g_object_new (MMAP_TYPE_OUTPUT_STREAM, NULL);
  stream->map = g_object_ref (self);
  stream->offset = offset;
  stream->window.length = (gsize) length;
  return stream;
}
