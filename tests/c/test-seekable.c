/* test-seekable.c: MmapObject as a GSeekable
 *
 * The interface, called through G_SEEKABLE (): its position is the map's,
 * with Python's seek rules, and truncate() is resize().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "test-util.h"

static MmapObject *
map_file (MtFile     *file,
          MmapAccess  access)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = mmap_object_new (file->fd, 0, access, 0, &error);

  g_assert_no_error (error);
  return map;
}

static void
test_seek_and_tell (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "0123456789", 10);
  g_autoptr(GError) error = NULL;
  MmapObject *map = map_file (file, MMAP_ACCESS_WRITE);
  GSeekable *seekable = G_SEEKABLE (map);

  g_assert_true (G_IS_SEEKABLE (map));
  g_assert_true (g_seekable_can_seek (seekable));
  g_assert_cmpint (g_seekable_tell (seekable), ==, 0);

  g_assert_true (g_seekable_seek (seekable, 4, G_SEEK_SET, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_seekable_tell (seekable), ==, 4);
  /* One position: the map's own. */
  g_assert_cmpint (mmap_object_tell (map, NULL), ==, 4);
  g_assert_cmpint (mmap_object_read_byte (map, NULL), ==, '4');
  g_assert_cmpint (g_seekable_tell (seekable), ==, 5);

  g_assert_true (g_seekable_seek (seekable, -2, G_SEEK_CUR, NULL, &error));
  g_assert_cmpint (g_seekable_tell (seekable), ==, 3);
  g_assert_true (g_seekable_seek (seekable, -1, G_SEEK_END, NULL, &error));
  g_assert_cmpint (g_seekable_tell (seekable), ==, 9);
  /* The end itself is a position, as in Python. */
  g_assert_true (g_seekable_seek (seekable, 0, G_SEEK_END, NULL, &error));
  g_assert_cmpint (g_seekable_tell (seekable), ==, 10);
  g_assert_no_error (error);

  /* Past the end or before the start: an error, the position kept. */
  g_assert_false (g_seekable_seek (seekable, 11, G_SEEK_SET, NULL, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_false (g_seekable_seek (seekable, -11, G_SEEK_CUR, NULL, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_cmpint (g_seekable_tell (seekable), ==, 10);

  g_assert_finalize_object (map);
}

static void
test_cancelled (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "0123456789", 10);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  MmapObject *map = map_file (file, MMAP_ACCESS_WRITE);
  GSeekable *seekable = G_SEEKABLE (map);

  g_cancellable_cancel (cancellable);
  g_assert_false (g_seekable_seek (seekable, 3, G_SEEK_SET, cancellable,
                                   &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (g_seekable_truncate (seekable, 3, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (g_seekable_tell (seekable), ==, 0);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 10);
  g_assert_finalize_object (map);
}

static void
test_closed (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "0123456789", 10);
  g_autoptr(GError) error = NULL;
  MmapObject *map = map_file (file, MMAP_ACCESS_WRITE);
  GSeekable *seekable = G_SEEKABLE (map);

  g_assert_true (mmap_object_close (map, NULL));
  g_assert_false (g_seekable_seek (seekable, 0, G_SEEK_SET, NULL, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (g_seekable_can_truncate (seekable));
  g_assert_false (g_seekable_truncate (seekable, 3, NULL, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_assert_finalize_object (map);
}

static void
test_truncate_is_resize (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "0123456789", 10);
  g_autoptr(GError) error = NULL;
  MmapObject *map = map_file (file, MMAP_ACCESS_WRITE);
  GSeekable *seekable = G_SEEKABLE (map);
  g_autoptr(GBytes) bytes = NULL;

  g_assert_true (g_seekable_can_truncate (seekable));
  g_assert_true (g_seekable_truncate (seekable, 4, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 4);
  g_assert_cmpint (mt_fd_size (file->fd), ==, 4);

  g_assert_true (g_seekable_truncate (seekable, 6000, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 6000);
  g_assert_cmpint (mt_fd_size (file->fd), ==, 6000);
  bytes = mmap_object_get_slice (map, 0, 6, 1, &error);
  mt_assert_bytes_eq (bytes, "0123\0\0", 6);

  g_assert_false (g_seekable_truncate (seekable, -1, NULL, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OVERFLOW);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 6000);
  g_assert_finalize_object (map);
}

static void
test_can_truncate (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "0123456789", 10);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) view = NULL;
  MmapObject *map;

  /* Read-only and copy-on-write maps cannot. */
  map = map_file (file, MMAP_ACCESS_READ);
  g_assert_false (g_seekable_can_truncate (G_SEEKABLE (map)));
  g_assert_false (g_seekable_truncate (G_SEEKABLE (map), 3, NULL, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_RESIZABLE);
  g_clear_error (&error);
  g_assert_finalize_object (map);
  map = map_file (file, MMAP_ACCESS_COPY);
  g_assert_false (g_seekable_can_truncate (G_SEEKABLE (map)));
  g_assert_finalize_object (map);

  /* Nor one without its fd. */
  map = mmap_object_new_full (file->fd, 0, MMAP_MAP_SHARED,
                              MMAP_PROT_READ | MMAP_PROT_WRITE,
                              MMAP_ACCESS_DEFAULT, 0, FALSE, &error);
  g_assert_no_error (error);
  g_assert_false (g_seekable_can_truncate (G_SEEKABLE (map)));
  g_assert_finalize_object (map);

  /* Nor one with a live view; it can again once the view is gone. */
  map = map_file (file, MMAP_ACCESS_WRITE);
  view = mmap_object_view (map, 0, -1, &error);
  g_assert_no_error (error);
  g_assert_false (g_seekable_can_truncate (G_SEEKABLE (map)));
  g_assert_false (g_seekable_truncate (G_SEEKABLE (map), 3, NULL, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_EXPORTS_EXIST);
  g_clear_error (&error);
  g_clear_pointer (&view, g_bytes_unref);
  g_assert_true (g_seekable_can_truncate (G_SEEKABLE (map)));
  g_assert_finalize_object (map);

  /* Anonymous maps can. */
  map = mmap_object_new_anonymous (100, &error);
  g_assert_no_error (error);
  g_assert_true (g_seekable_can_truncate (G_SEEKABLE (map)));
  g_assert_true (g_seekable_truncate (G_SEEKABLE (map), 200, NULL, &error));
  g_assert_cmpuint (mmap_object_get_length (map), ==, 200);
  g_assert_finalize_object (map);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mmap/Seekable/seek-and-tell", test_seek_and_tell);
  g_test_add_func ("/Mmap/Seekable/cancelled", test_cancelled);
  g_test_add_func ("/Mmap/Seekable/closed", test_closed);
  g_test_add_func ("/Mmap/Seekable/truncate-is-resize",
                   test_truncate_is_resize);
  g_test_add_func ("/Mmap/Seekable/can-truncate", test_can_truncate);

  return g_test_run ();
}
