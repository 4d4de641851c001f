/* mmap-input-stream.c: a GInputStream over a range of a map
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The stream holds a view of its range (mmap-mapping.c): the memory stays
 * mapped while the stream is open, whatever happens to the map, and
 * read_bytes() hands out pieces of that view without copying. Copies out
 * of it run under the SIGBUS guard, as the map's own reads do.
 */

#include "config.h"

#include "mmap-access-private.h"
#include "mmap-input-stream.h"
#include "mmap-object-private.h"
#include "mmap-stream-private.h"

/**
 * MmapInputStream:
 *
 * A [class@Gio.InputStream] over a range of a map, from
 * [method@Mmap.Object.open_input_stream]. Any GIO consumer can read a map
 * through it: [class@Gio.DataInputStream] for lines,
 * [class@Gio.ConverterInputStream] with a [class@Gio.ZlibDecompressor],
 * [method@Gio.OutputStream.splice], image loaders.
 *
 * It is also a [iface@Gio.Seekable] and a [iface@Gio.PollableInputStream]
 * (always readable: reads never block on anything but page faults).
 * Its position is its own, from 0 to the length of its range; the map's
 * position does not move.
 *
 * The stream keeps its range mapped until it is closed or finalized, like
 * a view from [method@Mmap.Object.view]: it goes on reading the same
 * bytes after [method@Mmap.Object.close], it counts in
 * [method@Mmap.Object.get_n_views], and [method@Mmap.Object.resize] fails
 * with %MMAP_ERROR_EXPORTS_EXIST until it is closed.
 *
 * [method@Mmap.InputStream.read_bytes] returns views of the range rather
 * than copies.
 *
 * Since: 1.0
 */
struct _MmapInputStream
{
  GInputStream  parent_instance;

  GBytes           *view;       /* the range; NULL once closed */
  MmapMapping      *mapping;    /* the view's, for the guard's bounds */
  const guint8     *data;
  gboolean          may_fault;
  MmapStreamWindow  window;
};

static void mmap_input_stream_pollable_iface_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MmapInputStream, mmap_input_stream,
                               G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_SEEKABLE,
                                                      mmap_stream_seekable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      mmap_input_stream_pollable_iface_init))

static void
release_range (MmapInputStream *self)
{
  g_clear_pointer (&self->view, g_bytes_unref);
  self->mapping = NULL;
  self->data = NULL;
}

static void
mmap_input_stream_finalize (GObject *object)
{
  release_range (MMAP_INPUT_STREAM (object));

  G_OBJECT_CLASS (mmap_input_stream_parent_class)->finalize (object);
}

/* How many of @count bytes are left from the position. */
static gsize
available (MmapInputStream *self,
           gsize            count)
{
  return MIN (count, self->window.length - (gsize) self->window.pos);
}

static gssize
mmap_input_stream_read (GInputStream  *stream,
                        void          *buffer,
                        gsize          count,
                        GCancellable  *cancellable,
                        GError       **error)
{
  MmapInputStream *self = MMAP_INPUT_STREAM (stream);
  gsize n;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  n = available (self, count);
  if (n > 0)
    {
      MmapGuardResult where;

      where = mmap_guard_copy (buffer, self->data + self->window.pos, n, FALSE,
                               mmap_mapping_get_base (self->mapping),
                               mmap_mapping_get_size (self->mapping));
      if (where != MMAP_GUARD_OK)
        {
          mmap_access_report_fault ("read", where, error);
          return -1;
        }
    }
  self->window.pos += (goffset) n;
  return (gssize) n;
}

static gssize
mmap_input_stream_skip (GInputStream  *stream,
                        gsize          count,
                        GCancellable  *cancellable,
                        GError       **error)
{
  MmapInputStream *self = MMAP_INPUT_STREAM (stream);
  gsize n;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  n = available (self, count);
  self->window.pos += (goffset) n;
  return (gssize) n;
}

static gboolean
mmap_input_stream_close (GInputStream  *stream,
                         GCancellable  *cancellable,
                         GError       **error)
{
  release_range (MMAP_INPUT_STREAM (stream));
  return TRUE;
}

static void
mmap_input_stream_class_init (MmapInputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = mmap_input_stream_finalize;

  stream_class->read_fn = mmap_input_stream_read;
  stream_class->skip = mmap_input_stream_skip;
  stream_class->close_fn = mmap_input_stream_close;
}

static void
mmap_input_stream_init (MmapInputStream *self)
{
}

/* GPollableInputStream: the bytes are always there. */

static gboolean
input_is_readable (GPollableInputStream *stream)
{
  return TRUE;
}

static gssize
input_read_nonblocking (GPollableInputStream  *stream,
                        void                  *buffer,
                        gsize                  count,
                        GError               **error)
{
  /* GIO checks for a closed stream everywhere but here. */
  if (MMAP_INPUT_STREAM (stream)->view == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                           "Stream is already closed");
      return -1;
    }
  return mmap_input_stream_read (G_INPUT_STREAM (stream), buffer, count, NULL,
                                 error);
}

static void
mmap_input_stream_pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->is_readable = input_is_readable;
  iface->create_source =
    (GSource *(*) (GPollableInputStream *, GCancellable *))
    mmap_stream_create_ready_source;
  iface->read_nonblocking = input_read_nonblocking;
}

/* Touches the last of the next @n bytes, so that a file truncated under
 * the map fails read_bytes() instead of the caller's use of its view. */
static gboolean
probe (MmapInputStream  *self,
       gsize             n,
       GError          **error)
{
  if (n == 0 || !self->may_fault
      || mmap_guard_load_byte (self->data + self->window.pos + n - 1) >= 0)
    return TRUE;
  return mmap_access_report_fault ("read_bytes", MMAP_GUARD_FAULT_REGION,
                                   error);
}

MmapStreamWindow *
mmap_input_stream_get_window (MmapInputStream *self)
{
  return &self->window;
}

/* Public API */

/**
 * mmap_object_open_input_stream:
 * @self: a readable map
 * @offset: the first byte of the stream's range, from the start of the map
 * @length: the length of the range, or -1 for the rest of the map
 * @error: return location for a #GError
 *
 * Opens a stream that reads the range [@offset, @offset + @length) of the
 * map, from its start, with a position of its own: see
 * [class@Mmap.InputStream]. It keeps the range mapped until it is closed,
 * so close it (or drop it) before [method@Mmap.Object.resize].
 *
 * Returns: (transfer full): the stream, or %NULL with @error set: the map
 *   is closed or cannot be read (%MMAP_ERROR_NOT_ACCESSIBLE), or the range
 *   does not fit in it (%MMAP_ERROR_OUT_OF_RANGE)
 *
 * Since: 1.0
 */
MmapInputStream *
mmap_object_open_input_stream (MmapObject  *self,
                               gsize        offset,
                               gssize       length,
                               GError     **error)
{
  MmapInputStream *stream;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    if (!mmap_object_check_readable (self, "open_input_stream", error)
        || !mmap_object_check_window (self, "open_input_stream", offset,
                                      &length, error))
      return NULL;

    stream = g_object_new (MMAP_TYPE_INPUT_STREAM, NULL);
    stream->data = mmap_object_at (self, offset);
    stream->window.length = (gsize) length;
    stream->view = mmap_mapping_new_view (self->mapping, stream->data,
                                          (gsize) length);
    stream->mapping = self->mapping;
    stream->may_fault = mmap_object_may_fault (self);
  }
  return stream;
}

/**
 * mmap_input_stream_read_bytes:
 * @self: a stream over a map
 * @count: the most bytes to read
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads up to @count bytes without copying them: the result is a view of
 * the map, as from [method@Mmap.Object.view], and stays valid after the
 * stream and the map are closed. At the end of the range it is empty.
 * Like a view, each result keeps the range mapped until it is released:
 * it counts in [method@Mmap.Object.get_n_views], even after the stream is
 * closed, and [method@Mmap.Object.resize] waits for it.
 * This is [method@Gio.InputStream.read_bytes] without the copy; it hides
 * that method in Python, JavaScript and Vala (where the generic
 * [method@Gio.InputStream.read_bytes] is still reached through a
 * `GLib.InputStream`).
 *
 * The last page of the result is touched first, so that a file truncated
 * under the map gives an error (%G_IO_ERROR_FAILED, `EIO`) here instead of
 * faulting later. Memory you touch through the view afterwards is yours:
 * keep the file's size while you use it.
 *
 * A view is read-only by contract: **never write through it**. In gjs,
 * `GLib.Bytes.toArray()` on it is zero-copy and returns a writable-looking
 * `Uint8Array` over the map; assigning into it kills the process when the
 * map is read-only.
 *
 * Returns: (transfer full): the bytes, or %NULL with @error set
 *
 * Since: 1.0
 */
GBytes *
mmap_input_stream_read_bytes (MmapInputStream  *self,
                              gsize             count,
                              GCancellable     *cancellable,
                              GError          **error)
{
  GInputStream *stream = G_INPUT_STREAM (self);
  GBytes *bytes = NULL;
  gsize n;

  g_return_val_if_fail (MMAP_IS_INPUT_STREAM (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable),
                        NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_input_stream_set_pending (stream, error))
    return NULL;

  n = available (self, count);
  if (!g_cancellable_set_error_if_cancelled (cancellable, error)
      && probe (self, n, error))
    {
      bytes = g_bytes_new_from_bytes (self->view, (gsize) self->window.pos, n);
      self->window.pos += (goffset) n;
    }

  g_input_stream_clear_pending (stream);
  return bytes;
}
