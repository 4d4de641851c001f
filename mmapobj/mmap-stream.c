/* mmap-stream.c: what the input and output streams share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GSeekable on a stream's window: seek() moves within [0, length] and
 * nowhere else, and nothing truncates, since a stream never changes its
 * map's size.
 */

#include "config.h"

#include "mmap-stream-private.h"

static MmapStreamWindow *
window_of (GSeekable *seekable)
{
  if (MMAP_IS_INPUT_STREAM (seekable))
    return mmap_input_stream_get_window (MMAP_INPUT_STREAM (seekable));
  return mmap_output_stream_get_window (MMAP_OUTPUT_STREAM (seekable));
}

/* GIO's pending flag: no seek while a read or write runs, and none on a
 * closed stream. */
static gboolean
set_pending (GSeekable  *seekable,
             GError    **error)
{
  if (G_IS_INPUT_STREAM (seekable))
    return g_input_stream_set_pending (G_INPUT_STREAM (seekable), error);
  return g_output_stream_set_pending (G_OUTPUT_STREAM (seekable), error);
}

static void
clear_pending (GSeekable *seekable)
{
  if (G_IS_INPUT_STREAM (seekable))
    g_input_stream_clear_pending (G_INPUT_STREAM (seekable));
  else
    g_output_stream_clear_pending (G_OUTPUT_STREAM (seekable));
}

/* The position seek() moves to, or FALSE with error set when it lies
 * outside [0, length]. */
static gboolean
seek_target (const MmapStreamWindow  *window,
             goffset                  offset,
             GSeekType                type,
             goffset                 *target,
             GError                 **error)
{
  goffset base;

  switch (type)
    {
    case G_SEEK_SET:
      base = 0;
      break;
    case G_SEEK_CUR:
      base = window->pos;
      break;
    case G_SEEK_END:
      base = (goffset) window->length;
      break;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "seek: unknown seek type %d", (int) type);
      return FALSE;
    }

  /* base and length fit in a goffset; only the sum can overflow. */
  if ((offset < 0 && offset < -base)
      || (offset >= 0
          && (guint64) offset > (guint64) window->length - (guint64) base))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "seek: %" G_GOFFSET_FORMAT " from %" G_GOFFSET_FORMAT
                   " lies outside the stream's %" G_GSIZE_FORMAT " bytes",
                   offset, base, window->length);
      return FALSE;
    }
  *target = base + offset;
  return TRUE;
}

static goffset
stream_tell (GSeekable *seekable)
{
  return window_of (seekable)->pos;
}

static gboolean
stream_can_seek (GSeekable *seekable)
{
  return TRUE;
}

static gboolean
stream_seek (GSeekable     *seekable,
             goffset        offset,
             GSeekType      type,
             GCancellable  *cancellable,
             GError       **error)
{
  MmapStreamWindow *window = window_of (seekable);
  goffset target;
  gboolean ok;

  if (!set_pending (seekable, error))
    return FALSE;
  ok = seek_target (window, offset, type, &target, error);
  if (ok)
    window->pos = target;
  clear_pending (seekable);
  return ok;
}

static gboolean
stream_can_truncate (GSeekable *seekable)
{
  return FALSE;
}

static gboolean
stream_truncate (GSeekable     *seekable,
                 goffset        offset,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "truncate: a stream over a map cannot change the "
                       "map's size; use Mmap.Object.resize()");
  return FALSE;
}

void
mmap_stream_seekable_iface_init (GSeekableIface *iface)
{
  iface->tell = stream_tell;
  iface->can_seek = stream_can_seek;
  iface->seek = stream_seek;
  iface->can_truncate = stream_can_truncate;
  iface->truncate_fn = stream_truncate;
}

/* A pollable stream over a map never waits for anything but page faults:
 * its source fires at once. */
GSource *
mmap_stream_create_ready_source (gpointer      pollable,
                                 GCancellable *cancellable)
{
  g_autoptr(GSource) ready = g_idle_source_new ();

  return g_pollable_source_new_full (pollable, ready, cancellable);
}
