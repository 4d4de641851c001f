/* test-into.c: the calls that copy into a caller's buffer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-util.h"

#include <string.h>
#include <unistd.h>

static MmapObject *
new_text_map (void)
{
  g_autoptr(GError) error = NULL;
  const char *text = "first line\nsecond\n\nno newline";
  MmapObject *map = mmap_object_new_anonymous (strlen (text), &error);

  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_write (map, (const guint8 *) text, strlen (text),
                                      &error), ==, (gssize) strlen (text));
  g_assert_cmpint (mmap_object_seek (map, 0, G_SEEK_SET, &error), ==, 0);
  return map;
}

static void
test_read_into (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = new_text_map ();
  guint8 buf[64];

  g_assert_cmpint (mmap_object_read_into (map, buf, 5, &error), ==, 5);
  g_assert_cmpmem (buf, 5, "first", 5);
  g_assert_cmpint (mmap_object_tell (map, NULL), ==, 5);
  /* More than remains: the rest. */
  g_assert_cmpint (mmap_object_read_into (map, buf, sizeof buf, &error), ==,
                   (gssize) mmap_object_get_length (map) - 5);
  g_assert_cmpmem (buf, 6, " line\n", 6);
  g_assert_cmpint (mmap_object_read_into (map, buf, sizeof buf, &error), ==, 0);
  g_assert_cmpint (mmap_object_read_into (map, NULL, 0, &error), ==, 0);
  g_assert_no_error (error);

  mmap_object_close (map, NULL);
  g_assert_cmpint (mmap_object_read_into (map, buf, 1, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
}

static void
test_readline_into (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = new_text_map ();
  guint8 buf[64];

  g_assert_cmpint (mmap_object_readline_into (map, buf, sizeof buf, &error),
                   ==, 11);
  g_assert_cmpmem (buf, 11, "first line\n", 11);
  /* A short buffer: the start of the line, and the rest next time. */
  g_assert_cmpint (mmap_object_readline_into (map, buf, 3, &error), ==, 3);
  g_assert_cmpmem (buf, 3, "sec", 3);
  g_assert_cmpint (mmap_object_readline_into (map, buf, sizeof buf, &error),
                   ==, 4);
  g_assert_cmpmem (buf, 4, "ond\n", 4);
  g_assert_cmpint (mmap_object_readline_into (map, buf, sizeof buf, &error),
                   ==, 1);
  g_assert_cmpint (mmap_object_readline_into (map, buf, sizeof buf, &error),
                   ==, 10);
  g_assert_cmpmem (buf, 10, "no newline", 10);
  g_assert_cmpint (mmap_object_readline_into (map, buf, sizeof buf, &error),
                   ==, 0);
  g_assert_no_error (error);
}

static void
test_get_slice_into (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = new_text_map ();
  guint8 buf[64];

  g_assert_cmpint (mmap_object_get_slice_into (map, 0, 5, 1, buf, sizeof buf,
                                               &error), ==, 5);
  g_assert_cmpmem (buf, 5, "first", 5);
  g_assert_cmpint (mmap_object_get_slice_into (map, 4, G_MINSSIZE, -2, buf,
                                               sizeof buf, &error), ==, 3);
  g_assert_cmpmem (buf, 3, "trf", 3);
  g_assert_no_error (error);
  /* The position is not used or moved. */
  g_assert_cmpint (mmap_object_tell (map, NULL), ==, 0);

  memset (buf, '#', sizeof buf);
  g_assert_cmpint (mmap_object_get_slice_into (map, 0, 5, 1, buf, 4, &error),
                   ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_WRONG_SIZE);
  g_assert_cmpint (buf[0], ==, '#');
  g_clear_error (&error);

  g_assert_cmpint (mmap_object_get_slice_into (map, 0, 5, 0, buf, sizeof buf,
                                               &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
}

/* Over a file truncated under the map: an EIO error, position unchanged. */
static void
test_into_truncated (void)
{
  g_autoptr(GError) error = NULL;
  gsize page = mmap_get_page_size ();
  g_autofree guint8 *data = g_malloc0 (3 * page);
  g_autoptr(MtFile) file = mt_file_new (data, 3 * page);
  g_autoptr(MmapObject) map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ,
                                               0, &error);
  g_autofree guint8 *buf = g_malloc (3 * page);

  g_assert_no_error (error);
  g_assert_cmpint (ftruncate (file->fd, page), ==, 0);
  g_assert_cmpint (mmap_object_read_into (map, buf, 3 * page, &error), ==, -1);
  g_assert_cmpint (mt_errno_from_error (error), ==, 5);
  g_assert_cmpint (mmap_object_tell (map, NULL), ==, 0);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_readline_into (map, buf, 3 * page, &error), ==,
                   -1);
  g_assert_cmpint (mt_errno_from_error (error), ==, 5);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_get_slice_into (map, 0, G_MAXSSIZE, 1, buf,
                                               3 * page, &error), ==, -1);
  g_assert_cmpint (mt_errno_from_error (error), ==, 5);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mmap/Object/into/read", test_read_into);
  g_test_add_func ("/Mmap/Object/into/readline", test_readline_into);
  g_test_add_func ("/Mmap/Object/into/get-slice", test_get_slice_into);
  g_test_add_func ("/Mmap/Object/into/truncated", test_into_truncated);

  return g_test_run ();
}
