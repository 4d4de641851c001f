/* mmap-seekable.c: MmapObject as a GSeekable
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The interface's calls map onto the map's position and resize(), with
 * Python's rules: seek() may go to any position from 0 to the length,
 * truncate() is resize(). The class's own seek() and tell() keep their
 * Python-style signatures; the interface's are reached through
 * g_seekable_seek() and the like, or through the interface in bindings.
 */

#include "config.h"

#include "mmap-object-private.h"

static goffset
seekable_tell (GSeekable *seekable)
{
  MmapObject *self = MMAP_OBJECT (seekable);

  return mmap_object_pos (self);
}

static gboolean
seekable_can_seek (GSeekable *seekable)
{
  return TRUE;
}

static gboolean
seekable_seek (GSeekable     *seekable,
               goffset        offset,
               GSeekType      type,
               GCancellable  *cancellable,
               GError       **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  return mmap_object_seek (MMAP_OBJECT (seekable), offset, type, error) >= 0;
}

static gboolean
seekable_can_truncate (GSeekable *seekable)
{
  return mmap_object_can_resize (MMAP_OBJECT (seekable));
}

static gboolean
seekable_truncate (GSeekable     *seekable,
                   goffset        offset,
                   GCancellable  *cancellable,
                   GError       **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (offset < 0)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_OVERFLOW,
                   "truncate: new size %" G_GOFFSET_FORMAT " out of range",
                   offset);
      return FALSE;
    }
  return mmap_object_resize (MMAP_OBJECT (seekable), (gsize) offset, error);
}

void
mmap_object_seekable_iface_init (GSeekableIface *iface)
{
  iface->tell = seekable_tell;
  iface->can_seek = seekable_can_seek;
  iface->seek = seekable_seek;
  iface->can_truncate = seekable_can_truncate;
  iface->truncate_fn = seekable_truncate;
}
