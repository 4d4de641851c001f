/* mmap-position.c: the file-like calls, at the position
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * read, readline, read_byte, write, write_byte, seek and tell, and the
 * forms that copy into a caller's buffer. Reads pass the readers' gate and
 * move the position by compare-and-swap; writes change the bytes inside a
 * change scope (see mmap-object-private.h).
 */

#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "mmap-access-private.h"
#include "mmap-error-private.h"
#include "mmap-object-private.h"

/* ------------------------------------------------------------------ */
/* Stream-like reading                                                */

/* The bytes from @pos to the end of the map. */
static gsize
remaining (MmapObject *self,
           goffset     pos)
{
  return (guint64) pos < self->length ? self->length - (gsize) pos : 0;
}

/*
 * Takes up to @want bytes at the position, or the line that starts there
 * when @line (its newline included), and moves the position past them.
 * The bytes go to @dst or, when it is NULL, to a new GBytes in @out.
 *
 * It runs in a read scope: the mapping does not change, and other
 * readers run alongside. The position moves by compare-and-swap, so the
 * call is atomic with every other that moves it: when another moved it
 * first, the bytes are taken again from the new position.
 *
 * Returns the number of bytes taken, or -1 with @error set and the
 * position unchanged.
 */
static gssize
take_at_position (MmapObject  *self,
                  const char  *op,
                  gsize        want,
                  gboolean     line,
                  guint8      *dst,
                  GBytes     **out,
                  GError     **error)
{
  g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);
  goffset pos;

  if (!mmap_object_check_readable (self, op, error))
    return -1;

  pos = mmap_object_pos (self);

  for (;;)
    {
      gsize count = MIN (want, remaining (self, pos));
      gsize line_length;
      guint8 *buffer;

      if (line)
        {
          if (!mmap_access_line_length (self, op, (gsize) pos, &line_length,
                                        error))
            return -1;
          count = MIN (count, line_length);
        }

      buffer = out != NULL ? g_malloc (count) : dst;
      if (!mmap_access_copy (self, op, buffer, 1, mmap_object_at (self, pos),
                             1, count, FALSE, error))
        {
          if (out != NULL)
            g_free (buffer);
          return -1;
        }
      if (mmap_object_move_pos (self, &pos, pos + (goffset) count))
        {
          if (out != NULL)
            *out = g_bytes_new_take (buffer, count);
          return (gssize) count;
        }
      if (out != NULL)
        g_free (buffer);
    }
}

/**
 * mmap_object_read:
 * @self: a map
 * @n: the most bytes to read, or a negative value for all that remain
 * @error: return location for a #GError
 *
 * Reads up to @n bytes from the current position and advances it: Python's
 * `m.read(n)`. At or past the end it returns empty bytes.
 *
 * Returns: (transfer full): a copy of the bytes read, or %NULL with @error
 *   set
 *
 * Since: 1.0
 */
GBytes *
mmap_object_read (MmapObject  *self,
                  gssize       n,
                  GError     **error)
{
  GBytes *bytes = NULL;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (take_at_position (self, "read", n < 0 ? G_MAXSIZE : (gsize) n, FALSE,
                        NULL, &bytes, error) < 0)
    return NULL;
  return bytes;
}

/**
 * mmap_object_read_into: (skip)
 * @self: a map
 * @buffer: (array length=count): where to copy the bytes
 * @count: the size of @buffer
 * @error: return location for a #GError
 *
 * Copies up to @count bytes from the current position into @buffer and
 * advances the position by as many: [method@Mmap.Object.read] without the
 * [struct@GLib.Bytes], for C callers and language bindings that copy
 * straight into an object of their own.
 *
 * Returns: the number of bytes copied (0 at the end of the map), or -1
 *   with @error set
 *
 * Since: 1.0
 */
gssize
mmap_object_read_into (MmapObject  *self,
                       guint8      *buffer,
                       gsize        count,
                       GError     **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -1);
  g_return_val_if_fail (buffer != NULL || count == 0, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return take_at_position (self, "read", count, FALSE, buffer, NULL, error);
}

/**
 * mmap_object_read_byte:
 * @self: a map
 * @error: return location for a #GError
 *
 * Reads the byte at the current position and advances it by one: Python's
 * `m.read_byte()`.
 *
 * Returns: the byte (0 to 255), or -1 with @error set
 *
 * Since: 1.0
 */
gint
mmap_object_read_byte (MmapObject  *self,
                       GError     **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);
    goffset pos;
    gint byte;

    if (!mmap_object_check_readable (self, "read_byte", error))
      return -1;

    pos = mmap_object_pos (self);
    do
      {
        if ((guint64) pos >= self->length)
          {
            g_set_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE,
                         "read_byte: read byte out of range: position %"
                         G_GOFFSET_FORMAT " in a %" G_GSIZE_FORMAT
                         "-byte map", pos, self->length);
            return -1;
          }
        byte = mmap_access_get_byte (self, "read_byte", (gsize) pos, error);
        if (byte < 0)
          return -1;
      }
    while (!mmap_object_move_pos (self, &pos, pos + 1));
    return byte;
  }
}

/**
 * mmap_object_readline:
 * @self: a map
 * @error: return location for a #GError
 *
 * Reads from the current position up to and including the next newline,
 * or to the end of the map, and advances the position: Python's
 * `m.readline()`.
 *
 * Returns: (transfer full): a copy of the line, or %NULL with @error set
 *
 * Since: 1.0
 */
GBytes *
mmap_object_readline (MmapObject  *self,
                      GError     **error)
{
  GBytes *bytes = NULL;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (take_at_position (self, "readline", G_MAXSIZE, TRUE, NULL, &bytes,
                        error) < 0)
    return NULL;
  return bytes;
}

/**
 * mmap_object_readline_into: (skip)
 * @self: a map
 * @buffer: (array length=count): where to copy the line
 * @count: the size of @buffer
 * @error: return location for a #GError
 *
 * Copies the line that starts at the current position, its newline
 * included, into @buffer, or its first @count bytes if it is longer, and
 * advances the position by what it copied: [method@Mmap.Object.readline]
 * without the [struct@GLib.Bytes]. A result of @count with no newline at
 * its end means the line goes on.
 *
 * Returns: the number of bytes copied (0 at the end of the map), or -1
 *   with @error set
 *
 * Since: 1.0
 */
gssize
mmap_object_readline_into (MmapObject  *self,
                           guint8      *buffer,
                           gsize        count,
                           GError     **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -1);
  g_return_val_if_fail (buffer != NULL || count == 0, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return take_at_position (self, "readline", count, TRUE, buffer, NULL,
                           error);
}

/* ------------------------------------------------------------------ */
/* Position                                                           */

/**
 * mmap_object_seek:
 * @self: a map
 * @pos: the offset
 * @whence: what @pos is relative to: %G_SEEK_SET (the start),
 *   %G_SEEK_CUR (the current position) or %G_SEEK_END (the end)
 * @error: return location for a #GError
 *
 * Moves the position: Python's `m.seek(pos, whence)`. The new position
 * must lie between 0 and the length, both included. A failed seek leaves
 * the position unchanged. Note that #GSeekType's values differ from
 * Python's `whence` numbers.
 *
 * Returns: the new position, or -1 with @error set
 *
 * Since: 1.0
 */
goffset
mmap_object_seek (MmapObject  *self,
                  goffset      pos,
                  GSeekType    whence,
                  GError     **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);
    goffset current, base;

    if (!mmap_object_check_open (self, "seek", error))
      return -1;
    if (whence != G_SEEK_SET && whence != G_SEEK_CUR && whence != G_SEEK_END)
      {
        g_set_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT,
                     "seek: unknown seek type %d", (int) whence);
        return -1;
      }

    current = mmap_object_pos (self);
    do
      {
        base = whence == G_SEEK_SET ? 0
               : whence == G_SEEK_CUR ? current
               : (goffset) self->length;
        if ((pos > 0 && base > G_MAXINT64 - pos)
            || base + pos < 0 || (guint64) (base + pos) > self->length)
          {
            g_set_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE,
                         "seek: seek out of range: %" G_GOFFSET_FORMAT
                         " from %" G_GOFFSET_FORMAT " in a %" G_GSIZE_FORMAT
                         "-byte map", pos, base, self->length);
            return -1;
          }
      }
    while (!mmap_object_move_pos (self, &current, base + pos));
    return base + pos;
  }
}

/**
 * mmap_object_seekable:
 * @self: a map
 *
 * Whether the map supports [method@Mmap.Object.seek]: always %TRUE, even
 * when closed, as in Python.
 *
 * Returns: %TRUE
 *
 * Since: 1.0
 */
gboolean
mmap_object_seekable (MmapObject *self)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);

  return TRUE;
}

/**
 * mmap_object_tell:
 * @self: a map
 * @error: return location for a #GError
 *
 * The current position: Python's `m.tell()`. After a shrinking resize it
 * may lie past the end.
 *
 * Returns: the position, or -1 with @error set
 *
 * Since: 1.0
 */
goffset
mmap_object_tell (MmapObject  *self,
                  GError     **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    if (!mmap_object_check_open (self, "tell", error))
      return -1;
    return mmap_object_pos (self);
  }
}

/**
 * mmap_object_size:
 * @self: a map
 * @error: return location for a #GError
 *
 * The size of the whole file behind the map, read now with `fstat(2)`:
 * Python's `m.size()`. It includes the bytes before the offset and follows
 * changes made by others. Maps without a tracked file descriptor
 * (anonymous, or `track-fd` false) fail with %MMAP_ERROR_NO_TRACKED_FD.
 *
 * Returns: the file size in bytes, or -1 with @error set
 *
 * Since: 1.0
 */
goffset
mmap_object_size (MmapObject  *self,
                  GError     **error)
{
  struct stat st;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    if (!mmap_object_check_open (self, "size", error))
      return -1;
    if (self->fd == -1)
      {
        g_set_error (error, MMAP_ERROR, MMAP_ERROR_NO_TRACKED_FD,
                     "size: the map keeps no file descriptor (%s)",
                     self->track_fd ? "anonymous map" : "trackfd=False");
        return -1;
      }
    if (fstat (self->fd, &st) != 0)
      {
        int errsv = errno;
        mmap_set_error_from_errno (error, errsv, "fstat: fd %d", self->fd);
        return -1;
      }
    return st.st_size;
  }
}

/* ------------------------------------------------------------------ */
/* Stream-like writing                                                */

/**
 * mmap_object_write:
 * @self: a map
 * @data: (array length=len) (nullable): the bytes to write
 * @len: the length of @data
 * @error: return location for a #GError
 *
 * Writes @data at the current position and advances it: Python's
 * `m.write(data)`. The write never grows the map: when @data does not
 * fit, nothing is written and the position is unchanged.
 *
 * A write over a file that was truncated under the map before the call
 * fails with an `EIO` error and stores nothing; so does a write whose
 * @data is mapped memory that faults, such as a view of another map whose
 * file was truncated. What remains possible, and is reported the same way
 * with the position unchanged: a truncation that races the copy, or an
 * I/O error (a full disk, a failing device) on a page in the middle, can
 * leave the bytes before the failing page written.
 *
 * Returns: the number of bytes written (@len), or -1 with @error set
 *
 * Since: 1.0
 */
gssize
mmap_object_write (MmapObject    *self,
                   const guint8  *data,
                   gsize          len,
                   GError       **error)
{
  g_auto(MmapChangeScope) scope = { NULL };
  goffset pos;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -1);
  g_return_val_if_fail (data != NULL || len == 0, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  scope = mmap_change_scope_enter (self);
  if (!mmap_object_check_writable (self, "write", error))
    return -1;

  pos = mmap_object_pos (self);
  if ((guint64) pos > self->length || self->length - (gsize) pos < len)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE,
                   "write: data out of range: %" G_GSIZE_FORMAT " bytes at "
                   "position %" G_GOFFSET_FORMAT " do not fit in a %"
                   G_GSIZE_FORMAT "-byte map", len, pos, self->length);
      return -1;
    }

  if (!mmap_access_copy (self, "write", mmap_object_at (self, pos), 1, data, 1,
                         len, TRUE, error))
    return -1;

  mmap_object_set_pos (self, pos + (goffset) len);
  return (gssize) len;
}

/* Stores up to @len bytes at @offset, as many as fit before the end of
 * the map (a stream's window may outlast a shrinking resize): the count
 * stored, or -1 with error set. */
gssize
mmap_object_store_at (MmapObject    *self,
                      const char    *op,
                      gsize          offset,
                      const guint8  *data,
                      gsize          len,
                      GError       **error)
{
  g_auto(MmapChangeScope) scope = mmap_change_scope_enter (self);

  if (!mmap_object_check_writable (self, op, error))
    return -1;

  len = offset < self->length ? MIN (len, self->length - offset) : 0;
  if (!mmap_access_copy (self, op, mmap_object_at (self, offset), 1, data, 1,
                         len, TRUE, error))
    return -1;
  return (gssize) len;
}

/**
 * mmap_object_write_bytes:
 * @self: a map
 * @bytes: the bytes to write
 * @error: return location for a #GError
 *
 * Writes @bytes at the current position, like [method@Mmap.Object.write].
 *
 * Returns: the number of bytes written, or -1 with @error set
 *
 * Since: 1.0
 */
gssize
mmap_object_write_bytes (MmapObject  *self,
                         GBytes      *bytes,
                         GError     **error)
{
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, -1);

  data = g_bytes_get_data (bytes, &len);
  return mmap_object_write (self, data, len, error);
}

/**
 * mmap_object_write_byte:
 * @self: a map
 * @byte: the byte to write
 * @error: return location for a #GError
 *
 * Writes one byte at the current position and advances it: Python's
 * `m.write_byte(byte)`.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_write_byte (MmapObject  *self,
                        guint8       byte,
                        GError     **error)
{
  g_auto(MmapChangeScope) scope = { NULL };
  goffset pos;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  scope = mmap_change_scope_enter (self);
  if (!mmap_object_check_writable (self, "write_byte", error))
    return FALSE;

  pos = mmap_object_pos (self);
  if ((guint64) pos >= self->length)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE,
                   "write_byte: write byte out of range: position %"
                   G_GOFFSET_FORMAT " in a %" G_GSIZE_FORMAT "-byte map",
                   pos, self->length);
      return FALSE;
    }
  if (!mmap_access_set_byte (self, "write_byte", (gsize) pos, byte, error))
    return FALSE;

  mmap_object_set_pos (self, pos + 1);
  return TRUE;
}
