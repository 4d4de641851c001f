/* mmap-resize.c: resize, as a transaction
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Changing a map's length and its file's size in an order that loses
 * nothing when a step fails: see resize_scoped().
 */

#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "mmap-error-private.h"
#include "mmap-object-private.h"

/* ------------------------------------------------------------------ */
/* resize                                                             */

static gboolean
truncate_file (int          fd,
               goffset      size,
               GError     **error)
{
  int errsv = mmap_file_truncate (fd, size);

  if (errsv != 0)
    return mmap_set_error_from_errno (error, errsv,
                                      "ftruncate: cannot set the file size "
                                      "to %" G_GOFFSET_FORMAT, size);
  return TRUE;
}

/* Extends the file from old_size to new_size. A user's file gets its new
 * blocks reserved, so that a full disk fails here instead of faulting on
 * a later write; the memfds behind anonymous maps do not, so their memory
 * stays lazy. */
static gboolean
extend_file (int          fd,
             gboolean     reserve,
             goffset      old_size,
             goffset      new_size,
             GError     **error)
{
  const char *call = NULL;
  int errsv = mmap_file_extend (fd, reserve, old_size, new_size, &call);

  if (errsv != 0)
    return mmap_set_error_from_errno (error, errsv,
                                      "%s: cannot extend the file from %"
                                      G_GOFFSET_FORMAT " to %" G_GOFFSET_FORMAT
                                      " bytes", call, old_size, new_size);
  return TRUE;
}

/* Whether the map can be resized at all: open, tracking its fd, writable
 * and shared, with no view alive. */
static gboolean
check_can_resize (MmapObject  *self,
                  GError     **error)
{
  if (!mmap_object_check_open (self, "resize", error))
    return FALSE;

  if (mmap_mapping_n_extra (self->mapping) > 0)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_EXPORTS_EXIST,
                   "resize: mmap can't resize with extant buffers exported "
                   "(%u views alive)", mmap_mapping_n_extra (self->mapping));
      return FALSE;
    }
  if (!self->track_fd)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_NO_TRACKED_FD,
                   "resize: mmap can't resize with trackfd=False");
      return FALSE;
    }
  if (self->access == MMAP_ACCESS_READ || self->access == MMAP_ACCESS_COPY)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_NOT_RESIZABLE,
                   "resize: mmap can't resize a readonly or copy-on-write "
                   "memory map");
      return FALSE;
    }
  if (self->page_prot != NULL)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_NOT_RESIZABLE,
                   "resize: part of the map has a protection of its own; "
                   "protect() the whole map first");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_resizable (MmapObject  *self,
                 gsize        new_size,
                 GError     **error)
{
  goffset file_base = self->fd != -1 ? self->offset : 0;

  if (!check_can_resize (self, error))
    return FALSE;
  if (new_size > (gsize) G_MAXSSIZE - self->delta
      || (goffset) (G_MAXSSIZE - (gssize) new_size) < file_base)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE,
                   "resize: new size %" G_GSIZE_FORMAT " out of range",
                   new_size);
      return FALSE;
    }
  return TRUE;
}

/* Whether resize() could succeed now, size aside (GSeekable's
 * can_truncate). */
gboolean
mmap_object_can_resize (MmapObject *self)
{
  g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

  return check_can_resize (self, NULL);
}

/*
 * Every step that can fail runs before the one that loses data, and each
 * is undone if a later one fails:
 *
 * 1. a file that must grow is extended (its new blocks reserved);
 * 2. a map that must grow is grown (undo: shrink it back);
 * 3. a file that must shrink is truncated, the only step that discards;
 * 4. a map that must shrink is trimmed, which cannot fail.
 *
 * So a failure leaves the file's size and bytes, the map's bytes (private
 * pages included) and its length as they were, and the map never ends up
 * longer than its file.
 */
static gboolean
resize_scoped (MmapObject  *self,
               gsize        new_size,
               GError     **error)
{
  int file_fd = self->fd != -1 ? self->fd : self->anon_fd;
  goffset file_base = self->fd != -1 ? self->offset : 0;
  goffset target;
  gsize old_size = self->length;
  goffset old_file_size = 0;
  gboolean file_grows = FALSE;
  MmapMapSpec spec;

  if (!check_resizable (self, new_size, error))
    return FALSE;
  target = file_base + (goffset) new_size;

  if (file_fd != -1)
    {
      struct stat st;

      if (fstat (file_fd, &st) != 0)
        {
          int errsv = errno;
          return mmap_set_error_from_errno (error, errsv, "fstat: fd %d",
                                            file_fd);
        }
      old_file_size = st.st_size;
      file_grows = target > old_file_size;
      if (file_grows
          && !extend_file (file_fd, file_fd == self->fd, old_file_size, target,
                           error))
        return FALSE;
    }

  spec = mmap_object_map_spec (self);
  if (new_size > old_size)
    {
      int errsv = mmap_mapping_grow (self->mapping, &spec,
                                     self->delta + new_size);
      if (errsv != 0)
        {
          if (file_grows)
            (void) mmap_file_truncate (file_fd, old_file_size);
          return mmap_set_error_from_errno (error, errsv,
                                            "mremap: cannot resize the map "
                                            "from %" G_GSIZE_FORMAT " to %"
                                            G_GSIZE_FORMAT " bytes",
                                            old_size, new_size);
        }
      mmap_object_set_length (self, new_size);
    }

  if (file_fd != -1 && target < old_file_size
      && !truncate_file (file_fd, target, error))
    {
      if (new_size > old_size)
        {
          mmap_mapping_shrink (self->mapping, self->delta + old_size);
          mmap_object_set_length (self, old_size);
        }
      return FALSE;
    }

  if (new_size < old_size)
    {
      mmap_mapping_shrink (self->mapping,
                           new_size == 0 ? 0 : self->delta + new_size);
      mmap_object_set_length (self, new_size);
    }

  return TRUE;
}


/**
 * mmap_object_resize:
 * @self: a map
 * @new_size: the new length in bytes; 0 gives an empty map
 * @error: return location for a #GError
 *
 * Changes the length of the map and sets the size of its file to the map's
 * offset plus @new_size: Python's `m.resize(newsize)`. The position is
 * unchanged, even when it now lies past the end.
 *
 * **Beware, as in Python:** a successful resize sets the file's size to
 * offset plus @new_size even when the file was longer, so growing a map of
 * the first part of a longer file cuts off the rest of the file.
 *
 * Unlike Python, the map never outlives its file and a failure loses
 * nothing: every step that can fail (extending the file and reserving its
 * new blocks with `fallocate()`, growing the mapping) runs before the file
 * is truncated, and each is undone when a later one fails. A failed resize
 * leaves the file's size and bytes, the map's bytes (private pages
 * included), its length and the position as they were. A full disk fails
 * the resize with `ENOSPC` instead of faulting on a later write (on file
 * systems that cannot reserve blocks, the file is extended sparsely, as
 * Python does). Anonymous maps can grow and shrink too; their memory is
 * not reserved.
 *
 * Read-only and copy-on-write maps cannot be resized
 * (%MMAP_ERROR_NOT_RESIZABLE), nor maps without a tracked file descriptor
 * (%MMAP_ERROR_NO_TRACKED_FD), nor maps with live views
 * (%MMAP_ERROR_EXPORTS_EXIST).
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_resize (MmapObject  *self,
                    gsize        new_size,
                    GError     **error)
{
  gsize old_size;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_auto(MmapChangeScope) scope = mmap_change_scope_enter (self);

    old_size = self->length;
    if (!resize_scoped (self, new_size, error))
      return FALSE;
  }

  if (old_size != new_size)
    mmap_object_notify_length (self);

  return TRUE;
}
