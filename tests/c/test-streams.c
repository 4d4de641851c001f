/* test-streams.c: GIO streams over a map, and GIO consumers reading them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#include <unistd.h>

#ifdef HAVE_GDK_PIXBUF
# include <gdk-pixbuf/gdk-pixbuf.h>
#endif

#include "test-util.h"

#define TEXT "alpha\nbeta\ngamma\ndelta\n"

static MmapObject *
map_file (MtFile     *file,
          MmapAccess  access)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = mmap_object_new (file->fd, 0, access, 0, &error);

  g_assert_no_error (error);
  return map;
}

static MmapInputStream *
open_input (MmapObject *map,
            gsize       offset,
            gssize      length)
{
  g_autoptr(GError) error = NULL;
  MmapInputStream *stream;

  stream = mmap_object_open_input_stream (map, offset, length, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stream);
  return stream;
}

static MmapOutputStream *
open_output (MmapObject *map,
             gsize       offset,
             gssize      length)
{
  g_autoptr(GError) error = NULL;
  MmapOutputStream *stream;

  stream = mmap_object_open_output_stream (map, offset, length, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stream);
  return stream;
}

/* Reads the rest of @stream with g_input_stream_read_all(). */
static char *
read_rest (GInputStream *stream)
{
  g_autoptr(GError) error = NULL;
  char buf[256];
  gsize n = 0;

  g_assert_true (g_input_stream_read_all (stream, buf, sizeof buf - 1, &n,
                                          NULL, &error));
  g_assert_no_error (error);
  buf[n] = '\0';
  return g_strdup (buf);
}

static void
test_input_read_range (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_READ);
  g_autoptr(MmapInputStream) whole = open_input (map, 0, -1);
  g_autoptr(MmapInputStream) part = open_input (map, 6, 4);
  g_autoptr(MmapInputStream) tail = open_input (map, 11, -1);
  g_autofree char *a = NULL, *b = NULL, *c = NULL;

  g_assert_true (G_IS_INPUT_STREAM (whole));
  g_assert_true (G_IS_SEEKABLE (whole));
  g_assert_true (G_IS_POLLABLE_INPUT_STREAM (whole));

  a = read_rest (G_INPUT_STREAM (whole));
  b = read_rest (G_INPUT_STREAM (part));
  c = read_rest (G_INPUT_STREAM (tail));
  g_assert_cmpstr (a, ==, TEXT);
  g_assert_cmpstr (b, ==, "beta");
  g_assert_cmpstr (c, ==, "gamma\ndelta\n");
  /* At the end, reads return 0. */
  g_assert_cmpint (g_input_stream_read (G_INPUT_STREAM (part), a, 1, NULL,
                                        NULL), ==, 0);
}

static void
test_input_bad_range (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_READ);
  gsize len = strlen (TEXT);
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapInputStream) empty = NULL;

  g_assert_null (mmap_object_open_input_stream (map, len + 1, -1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_null (mmap_object_open_input_stream (map, 1, (gssize) len, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_null (mmap_object_open_input_stream (map, 0, -2, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_cmpuint (mmap_object_get_n_views (map), ==, 0);

  /* The end itself is a valid, empty range. */
  empty = open_input (map, len, -1);
  g_assert_cmpint (g_input_stream_skip (G_INPUT_STREAM (empty), 5, NULL,
                                        &error), ==, 0);
  g_assert_no_error (error);

  g_assert_true (mmap_object_close (map, &error));
  g_assert_null (mmap_object_open_input_stream (map, 0, -1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
}

static void
test_input_unreadable_map (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = NULL;

  map = mmap_object_new_full (file->fd, 0, MMAP_MAP_SHARED, MMAP_PROT_NONE,
                              MMAP_ACCESS_DEFAULT, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_null (mmap_object_open_input_stream (map, 0, -1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
}

static void
test_input_own_position (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_READ);
  g_autoptr(MmapInputStream) stream = open_input (map, 0, -1);
  g_autoptr(GError) error = NULL;
  char buf[6];

  g_assert_cmpint (mmap_object_seek (map, 11, G_SEEK_SET, &error), ==, 11);
  g_assert_cmpint (g_input_stream_read (G_INPUT_STREAM (stream), buf, 5, NULL,
                                        &error), ==, 5);
  g_assert_cmpmem (buf, 5, "alpha", 5);
  g_assert_cmpint (mmap_object_tell (map, &error), ==, 11);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (stream)), ==, 5);
  g_assert_no_error (error);
}

static void
test_input_read_bytes_zero_copy (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_READ);
  g_autoptr(MmapInputStream) stream = open_input (map, 6, -1);
  g_autoptr(GBytes) view = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) rest = NULL;
  g_autoptr(GBytes) end = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = strlen (TEXT);

  view = mmap_object_view (map, 0, -1, &error);
  g_assert_no_error (error);

  first = mmap_input_stream_read_bytes (stream, 5, NULL, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (first, "beta\n", 5);
  /* The bytes are the map's own memory, not a copy. */
  g_assert_true (g_bytes_get_data (first, NULL)
                 == (const guint8 *) g_bytes_get_data (view, NULL) + 6);

  rest = mmap_input_stream_read_bytes (stream, 1000, NULL, &error);
  mt_assert_bytes_eq (rest, TEXT + 11, len - 11);
  end = mmap_input_stream_read_bytes (stream, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (end);
  g_assert_cmpuint (g_bytes_get_size (end), ==, 0);

  /* They stay valid after the stream and the map are closed. */
  g_assert_true (g_input_stream_close (G_INPUT_STREAM (stream), NULL, &error));
  g_clear_pointer (&view, g_bytes_unref);
  g_assert_true (mmap_object_close (map, &error));
  g_clear_object (&map);
  g_clear_object (&stream);
  mt_assert_bytes_eq (first, "beta\n", 5);
  mt_assert_bytes_eq (rest, TEXT + 11, len - 11);

  g_assert_no_error (error);
}

static void
test_input_read_bytes_closed_stream (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_READ);
  g_autoptr(MmapInputStream) stream = open_input (map, 0, -1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  char buf[4];

  g_cancellable_cancel (cancellable);
  g_assert_null (mmap_input_stream_read_bytes (stream, 3, cancellable,
                                               &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (stream)), ==, 0);

  g_assert_true (g_input_stream_close (G_INPUT_STREAM (stream), NULL, &error));
  g_assert_null (mmap_input_stream_read_bytes (stream, 3, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_cmpint (g_input_stream_read (G_INPUT_STREAM (stream), buf, 3, NULL,
                                        &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_cmpint (g_pollable_input_stream_read_nonblocking (
                     G_POLLABLE_INPUT_STREAM (stream), buf, 3, NULL, &error),
                   ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (g_seekable_seek (G_SEEKABLE (stream), 0, G_SEEK_SET, NULL,
                                   &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

static void
test_input_outlives_map (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_WRITE);
  g_autoptr(MmapInputStream) stream = open_input (map, 0, 5);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  /* The stream keeps its range mapped: resize must wait for it. */
  g_assert_cmpuint (mmap_object_get_n_views (map), ==, 1);
  g_assert_false (mmap_object_resize (map, 100, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_EXPORTS_EXIST);
  g_clear_error (&error);

  g_assert_true (mmap_object_close (map, &error));
  text = read_rest (G_INPUT_STREAM (stream));
  g_assert_cmpstr (text, ==, "alpha");
  g_assert_no_error (error);
}

static void
test_input_close_releases_range (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_WRITE);
  g_autoptr(MmapInputStream) stream = open_input (map, 0, -1);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_input_stream_close (G_INPUT_STREAM (stream), NULL, &error));
  g_assert_cmpuint (mmap_object_get_n_views (map), ==, 0);
  g_assert_true (mmap_object_resize (map, 100, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mt_fd_size (file->fd), ==, 100);
}

static void
test_input_seekable (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_READ);
  g_autoptr(MmapInputStream) stream = open_input (map, 6, 11);
  GSeekable *seekable = G_SEEKABLE (stream);
  g_autoptr(GError) error = NULL;
  char buf[8];

  g_assert_true (g_seekable_can_seek (seekable));
  g_assert_false (g_seekable_can_truncate (seekable));
  g_assert_true (g_seekable_seek (seekable, 5, G_SEEK_SET, NULL, &error));
  g_assert_cmpint (g_input_stream_read (G_INPUT_STREAM (stream), buf, 5, NULL,
                                        &error), ==, 5);
  g_assert_cmpmem (buf, 5, "gamma", 5);
  g_assert_true (g_seekable_seek (seekable, -7, G_SEEK_CUR, NULL, &error));
  g_assert_cmpint (g_seekable_tell (seekable), ==, 3);
  g_assert_true (g_seekable_seek (seekable, -1, G_SEEK_END, NULL, &error));
  g_assert_cmpint (g_seekable_tell (seekable), ==, 10);
  g_assert_true (g_seekable_seek (seekable, 0, G_SEEK_END, NULL, &error));
  g_assert_cmpint (g_seekable_tell (seekable), ==, 11);
  g_assert_no_error (error);

  /* Outside the range: an error, the position kept. */
  g_assert_false (g_seekable_seek (seekable, 1, G_SEEK_CUR, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (g_seekable_seek (seekable, -12, G_SEEK_END, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (g_seekable_seek (seekable, G_MAXINT64, G_SEEK_END, NULL,
                                   &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (g_seekable_seek (seekable, G_MININT64, G_SEEK_CUR, NULL,
                                   &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (g_seekable_tell (seekable), ==, 11);

  g_assert_false (g_seekable_truncate (seekable, 3, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* skip moves without reading, up to the end. */
  g_assert_true (g_seekable_seek (seekable, 0, G_SEEK_SET, NULL, &error));
  g_assert_cmpint (g_input_stream_skip (G_INPUT_STREAM (stream), 5, NULL,
                                        &error), ==, 5);
  g_assert_cmpint (g_input_stream_skip (G_INPUT_STREAM (stream), 50, NULL,
                                        &error), ==, 6);
  g_assert_cmpint (g_seekable_tell (seekable), ==, 11);
  g_assert_no_error (error);
}

static gboolean
on_readable (GObject  *stream,
             gpointer  user_data)
{
  GString *got = user_data;
  g_autoptr(GError) error = NULL;
  char buf[4];
  gssize n;

  n = g_pollable_input_stream_read_nonblocking (
        G_POLLABLE_INPUT_STREAM (stream), buf, sizeof buf, NULL, &error);
  g_assert_no_error (error);
  g_string_append_len (got, buf, n);
  return n > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
test_input_pollable (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_READ);
  g_autoptr(MmapInputStream) stream = open_input (map, 0, -1);
  GPollableInputStream *pollable = G_POLLABLE_INPUT_STREAM (stream);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) source = NULL;
  g_autoptr(GString) got = g_string_new (NULL);

  g_assert_true (g_pollable_input_stream_can_poll (pollable));
  g_assert_true (g_pollable_input_stream_is_readable (pollable));

  /* The source fires until the reads reach the end. */
  source = g_pollable_input_stream_create_source (pollable, NULL);
  g_source_set_callback (source, G_SOURCE_FUNC (on_readable), got, NULL);
  g_source_attach (source, context);
  while (!g_source_is_destroyed (source))
    g_main_context_iteration (context, TRUE);
  g_assert_cmpstr (got->str, ==, TEXT);
}

static void
on_read_bytes (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GBytes **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                           &error);
  g_assert_no_error (error);
}

static void
test_input_async (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_READ);
  g_autoptr(MmapInputStream) stream = open_input (map, 6, 4);
  g_autoptr(GBytes) bytes = NULL;

  g_input_stream_read_bytes_async (G_INPUT_STREAM (stream), 100,
                                   G_PRIORITY_DEFAULT, NULL, on_read_bytes,
                                   &bytes);
  while (bytes == NULL)
    g_main_context_iteration (NULL, TRUE);
  mt_assert_bytes_eq (bytes, "beta", 4);
}

static void
test_input_truncated_file (void)
{
  gsize page = mmap_get_page_size ();
  g_autofree guint8 *data = g_malloc (3 * page);
  g_autoptr(MtFile) file = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(MmapInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (3 * page);
  g_autoptr(GBytes) head = NULL;

  mt_fill_pattern (data, 3 * page, 7);
  file = mt_file_new (data, 3 * page);
  map = map_file (file, MMAP_ACCESS_READ);
  stream = open_input (map, 0, -1);
  g_assert_cmpint (ftruncate (file->fd, (off_t) page), ==, 0);

  /* The first page is still there. */
  head = mmap_input_stream_read_bytes (stream, page, NULL, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (head, data, page);

  /* The rest is gone: errors, not SIGBUS, and the position kept. */
  g_assert_null (mmap_input_stream_read_bytes (stream, page, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpint (mmap_error_get_errno (error), ==, EIO);
  g_clear_error (&error);
  g_assert_cmpint (g_input_stream_read (G_INPUT_STREAM (stream), buf, page,
                                        NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpint (mmap_error_get_errno (error), ==, EIO);
  g_clear_error (&error);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (stream)), ==, (goffset) page);
}

static void
test_output_write (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_WRITE);
  g_autoptr(MmapOutputStream) stream = open_output (map, 6, 4);
  GOutputStream *out = G_OUTPUT_STREAM (stream);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) contents = NULL;
  gsize written = 0;

  g_assert_true (G_IS_SEEKABLE (stream));
  g_assert_true (G_IS_POLLABLE_OUTPUT_STREAM (stream));
  g_assert_cmpint (g_output_stream_write (out, "BE", 2, NULL, &error), ==, 2);
  /* More than fits: a short write. */
  g_assert_cmpint (g_output_stream_write (out, "TAXYZ", 5, NULL, &error), ==,
                   2);
  g_assert_no_error (error);
  /* Then no room at all. */
  g_assert_cmpint (g_output_stream_write (out, "!", 1, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_assert_false (g_output_stream_write_all (out, "!", 1, &written, NULL,
                                            &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_assert_cmpint (g_output_stream_write (out, "", 0, NULL, &error), ==, 0);
  g_assert_no_error (error);

  /* The map's position and length did not move. */
  g_assert_cmpint (mmap_object_tell (map, NULL), ==, 0);
  g_assert_cmpuint (mmap_object_get_length (map), ==, strlen (TEXT));

  g_assert_true (g_output_stream_close (out, NULL, &error));
  g_assert_no_error (error);
  contents = mt_fd_read_all (file->fd);
  mt_assert_bytes_eq (contents, "alpha\nBETA\ngamma\ndelta\n", strlen (TEXT));
}

static void
test_output_seekable (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_WRITE);
  g_autoptr(MmapOutputStream) stream = open_output (map, 0, -1);
  GSeekable *seekable = G_SEEKABLE (stream);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) slice = NULL;

  g_assert_true (g_seekable_can_seek (seekable));
  g_assert_false (g_seekable_can_truncate (seekable));
  g_assert_true (g_seekable_seek (seekable, -6, G_SEEK_END, NULL, &error));
  g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (stream), "DELTA",
                                            5, NULL, NULL, &error));
  g_assert_cmpint (g_seekable_tell (seekable), ==, (goffset) strlen (TEXT) - 1);
  g_assert_false (g_seekable_seek (seekable, 2, G_SEEK_CUR, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (g_seekable_truncate (seekable, 100, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, strlen (TEXT));

  slice = mmap_object_get_slice (map, -6, G_MAXSSIZE, 1, &error);
  mt_assert_bytes_eq (slice, "DELTA\n", 6);
}

static void
test_output_refused (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) ro = map_file (file, MMAP_ACCESS_READ);
  g_autoptr(MmapObject) rw = map_file (file, MMAP_ACCESS_WRITE);
  g_autoptr(GError) error = NULL;

  g_assert_null (mmap_object_open_output_stream (ro, 0, -1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_null (mmap_object_open_output_stream (rw, 3, 100, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
}

static void
test_output_map_closed (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_WRITE);
  g_autoptr(MmapOutputStream) stream = open_output (map, 0, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) contents = NULL;

  g_assert_true (mmap_object_close (map, &error));
  g_assert_cmpint (g_output_stream_write (G_OUTPUT_STREAM (stream), "X", 1,
                                          NULL, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (stream)), ==, 0);
  /* Closing flushes, which fails on a closed map. */
  g_assert_false (g_output_stream_close (G_OUTPUT_STREAM (stream), NULL,
                                         &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  contents = mt_fd_read_all (file->fd);
  mt_assert_bytes_eq (contents, TEXT, strlen (TEXT));
}

static void
test_output_map_shrunk (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_WRITE);
  g_autoptr(MmapOutputStream) stream = open_output (map, 6, -1);
  GOutputStream *out = G_OUTPUT_STREAM (stream);
  g_autoptr(GError) error = NULL;

  /* The output stream holds no view: the map may shrink under it. */
  g_assert_true (mmap_object_resize (map, 8, &error));
  g_assert_cmpint (g_output_stream_write (out, "BETA", 4, NULL, &error), ==,
                   2);
  g_assert_cmpint (g_output_stream_write (out, "TA", 2, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_assert_true (g_output_stream_flush (out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 8);
  g_assert_cmpint (mt_fd_size (file->fd), ==, 8);
}

/* GIO consumers */

static void
test_consumer_data_input_stream (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) TEXT, strlen (TEXT));
  g_autoptr(MmapObject) map = map_file (file, MMAP_ACCESS_READ);
  g_autoptr(MmapInputStream) stream = open_input (map, 0, -1);
  g_autoptr(GDataInputStream) data = NULL;
  g_auto(GStrv) lines = g_strsplit (TEXT, "\n", -1);
  g_autoptr(GError) error = NULL;
  guint i = 0;
  char *line;

  data = g_data_input_stream_new (G_INPUT_STREAM (stream));
  while ((line = g_data_input_stream_read_line (data, NULL, NULL, &error)))
    {
      g_assert_cmpstr (line, ==, lines[i++]);
      g_free (line);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (i, ==, 4);
}

/* @data compressed to gzip with GIO's own compressor. */
static GBytes *
gzip_bytes (const guint8 *data,
            gsize         len)
{
  g_autoptr(GZlibCompressor) compressor =
    g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;

  out = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  g_assert_true (g_output_stream_write_all (out, data, len, NULL, NULL,
                                            &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (
           G_MEMORY_OUTPUT_STREAM (memory));
}

static void
test_consumer_zlib_decompressor (void)
{
  gsize len = 200000;
  g_autofree guint8 *plain = g_malloc (len);
  g_autoptr(GBytes) packed = NULL;
  g_autoptr(MtFile) file = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(MmapInputStream) stream = NULL;
  g_autoptr(GZlibDecompressor) decompressor = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) result = NULL;
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < len; i++)
    plain[i] = (guint8) ("mmapobj "[i % 8] ^ (i / 4096));
  packed = gzip_bytes (plain, len);
  file = mt_file_new (g_bytes_get_data (packed, NULL),
                      g_bytes_get_size (packed));
  map = map_file (file, MMAP_ACCESS_READ);
  stream = open_input (map, 0, -1);

  decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  in = g_converter_input_stream_new (G_INPUT_STREAM (stream),
                                     G_CONVERTER (decompressor));
  g_assert_cmpint (g_output_stream_splice (sink, in,
                                           G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE
                                           | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                           NULL, &error), ==, (gssize) len);
  g_assert_no_error (error);
  result = g_memory_output_stream_steal_as_bytes (
             G_MEMORY_OUTPUT_STREAM (sink));
  mt_assert_bytes_eq (result, plain, len);
  /* Closing the converter closed the map's stream: no view is left. */
  g_assert_cmpuint (mmap_object_get_n_views (map), ==, 0);
}

static void
test_consumer_splice (void)
{
  gsize len = 3 * 65536 + 123;
  g_autofree guint8 *data = g_malloc (len);
  g_autofree guint8 *zeros = g_malloc0 (len + 10);
  g_autoptr(MtFile) source_file = NULL;
  g_autoptr(MtFile) target_file = NULL;
  g_autoptr(MmapObject) source = NULL;
  g_autoptr(MmapObject) target = NULL;
  g_autoptr(MmapInputStream) in = NULL;
  g_autoptr(MmapOutputStream) out = NULL;
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GInputStream) memory_in = NULL;
  g_autoptr(GBytes) copied = NULL;
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) error = NULL;

  mt_fill_pattern (data, len, 3);
  source_file = mt_file_new (data, len);
  target_file = mt_file_new (zeros, len + 10);
  source = map_file (source_file, MMAP_ACCESS_READ);
  target = map_file (target_file, MMAP_ACCESS_WRITE);

  /* Map to memory. */
  in = open_input (source, 0, -1);
  g_assert_cmpint (g_output_stream_splice (memory, G_INPUT_STREAM (in),
                                           G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                           NULL, &error), ==, (gssize) len);
  g_assert_no_error (error);
  copied = g_memory_output_stream_steal_as_bytes (
             G_MEMORY_OUTPUT_STREAM (memory));
  mt_assert_bytes_eq (copied, data, len);

  /* Memory to a map, at an offset. */
  memory_in = g_memory_input_stream_new_from_bytes (copied);
  out = open_output (target, 10, -1);
  g_assert_cmpint (g_output_stream_splice (G_OUTPUT_STREAM (out), memory_in,
                                           G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                           NULL, &error), ==, (gssize) len);
  g_assert_no_error (error);
  contents = mt_fd_read_all (target_file->fd);
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (contents, NULL) + 10,
                   g_bytes_get_size (contents) - 10, data, len);
  g_assert_cmpmem (g_bytes_get_data (contents, NULL), 10, zeros, 10);
}

#ifdef HAVE_GDK_PIXBUF
static void
test_consumer_gdk_pixbuf (void)
{
  g_autoptr(GdkPixbuf) image = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8,
                                               37, 23);
  g_autoptr(GdkPixbuf) loaded = NULL;
  g_autofree char *png = NULL;
  gsize png_len = 0;
  g_autoptr(MtFile) file = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(MmapInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *pixels = gdk_pixbuf_get_pixels (image);
  gsize size = gdk_pixbuf_get_byte_length (image);

  for (gsize i = 0; i < size; i++)
    pixels[i] = (guint8) (i * 7);
  g_assert_true (gdk_pixbuf_save_to_buffer (image, &png, &png_len, "png",
                                            &error, NULL));
  g_assert_no_error (error);

  /* The PNG sits in the middle of a bigger file. */
  {
    g_autofree guint8 *data = g_malloc0 (png_len + 200);

    memcpy (data + 100, png, png_len);
    file = mt_file_new (data, png_len + 200);
  }
  map = map_file (file, MMAP_ACCESS_READ);
  stream = open_input (map, 100, (gssize) png_len);
  loaded = gdk_pixbuf_new_from_stream (G_INPUT_STREAM (stream), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (loaded), ==, 37);
  g_assert_cmpint (gdk_pixbuf_get_height (loaded), ==, 23);
  g_assert_cmpint (gdk_pixbuf_get_rowstride (loaded), ==,
                   gdk_pixbuf_get_rowstride (image));
  /* Row by row: the padding at the end of each row is not an image's. */
  for (int y = 0; y < 23; y++)
    {
      gsize row = (gsize) y * (gsize) gdk_pixbuf_get_rowstride (image);

      g_assert_cmpmem (gdk_pixbuf_read_pixels (loaded) + row, 37 * 3,
                       pixels + row, 37 * 3);
    }
}
#else
static void
test_consumer_gdk_pixbuf_missing (void)
{
  g_test_skip ("built without gdk-pixbuf-2.0 (libgdk-pixbuf-2.0-dev)");
}
#endif

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/streams/input/read-range", test_input_read_range);
  g_test_add_func ("/streams/input/bad-range", test_input_bad_range);
  g_test_add_func ("/streams/input/unreadable-map", test_input_unreadable_map);
  g_test_add_func ("/streams/input/own-position", test_input_own_position);
  g_test_add_func ("/streams/input/read-bytes-zero-copy",
                   test_input_read_bytes_zero_copy);
  g_test_add_func ("/streams/input/read-bytes-closed-stream",
                   test_input_read_bytes_closed_stream);
  g_test_add_func ("/streams/input/outlives-map", test_input_outlives_map);
  g_test_add_func ("/streams/input/close-releases-range",
                   test_input_close_releases_range);
  g_test_add_func ("/streams/input/seekable", test_input_seekable);
  g_test_add_func ("/streams/input/pollable", test_input_pollable);
  g_test_add_func ("/streams/input/async", test_input_async);
  g_test_add_func ("/streams/input/truncated-file", test_input_truncated_file);
  g_test_add_func ("/streams/output/write", test_output_write);
  g_test_add_func ("/streams/output/seekable", test_output_seekable);
  g_test_add_func ("/streams/output/refused", test_output_refused);
  g_test_add_func ("/streams/output/map-closed", test_output_map_closed);
  g_test_add_func ("/streams/output/map-shrunk", test_output_map_shrunk);
  g_test_add_func ("/streams/consumer/data-input-stream",
                   test_consumer_data_input_stream);
  g_test_add_func ("/streams/consumer/zlib-decompressor",
                   test_consumer_zlib_decompressor);
  g_test_add_func ("/streams/consumer/splice", test_consumer_splice);
#ifdef HAVE_GDK_PIXBUF
  g_test_add_func ("/streams/consumer/gdk-pixbuf", test_consumer_gdk_pixbuf);
#else
  g_test_add_func ("/streams/consumer/gdk-pixbuf", test_consumer_gdk_pixbuf_missing);
#endif

  return g_test_run ();
}
