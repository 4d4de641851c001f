/* test-resize.c: resize, size, the position past the end, views vs resize
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#include <unistd.h>

#include "test-util.h"

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
assert_zeroes (MmapObject *map,
               gsize       start,
               gsize       end)
{
  g_autoptr(GBytes) bytes = mmap_object_get_slice (map, (gssize) start,
                                                   (gssize) end, 1, NULL);
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  g_assert_cmpuint (size, ==, end - start);
  for (gsize i = 0; i < size; i++)
    if (data[i] != 0)
      g_error ("byte %" G_GSIZE_FORMAT " is %d, expected 0", start + i,
               data[i]);
}

static void
assert_file_size (MtFixture *fx,
                  gsize      map_len)
{
  g_autoptr(GError) error = NULL;

  if (fx->file == NULL)
    return;

  /* Python parity: the file is set to offset + new size. */
  g_assert_cmpint (mt_fd_size (fx->file->fd), ==,
                   fx->info->offset + (goffset) map_len);
  if (fx->info->has_size)
    {
      g_assert_cmpint (mmap_object_size (fx->map, &error), ==,
                       fx->info->offset + (goffset) map_len);
      g_assert_no_error (error);
    }
}

static void
assert_not_resizable (MtFixture *fx)
{
  g_autoptr(GError) error = NULL;
  const gsize sizes[] = { 0, 1, fx->len, fx->len + 1, G_MAXSIZE };
  int code = fx->info->track_fd ? MMAP_ERROR_NOT_RESIZABLE
                                 : MMAP_ERROR_NO_TRACKED_FD;

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_assert_false (mmap_object_resize (fx->map, sizes[i], &error));
      g_assert_error (error, MMAP_ERROR, code);
      g_clear_error (&error);
    }

  mt_assert_map_is (fx->map, fx->expected, fx->len);
  mt_fixture_assert_file (fx);
}

static void
test_resize (MtFixture     *fx,
             gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  gsize page = mmap_get_page_size ();
  gsize big = fx->len + 2 * page + 17;
  guint n_notify = 0;

  if (!fx->info->resizable)
    {
      assert_not_resizable (fx);
      return;
    }

  g_signal_connect (fx->map, "notify::length", G_CALLBACK (count_notify),
                    &n_notify);
  g_assert_cmpint (mmap_object_seek (fx->map, 20, G_SEEK_SET, NULL), ==, 20);

  /* The same size: nothing changes, no notification. */
  g_assert_true (mmap_object_resize (fx->map, fx->len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_notify, ==, 0);
  mt_assert_map_is (fx->map, fx->expected, fx->len);

  /* Grow: old bytes kept, new bytes zero, the new end writable. */
  g_assert_true (mmap_object_resize (fx->map, big, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_notify, ==, 1);
  g_assert_cmpuint (mmap_object_get_length (fx->map), ==, big);
  {
    g_autoptr(GBytes) head = mmap_object_get_slice (fx->map, 0,
                                                    (gssize) fx->len, 1,
                                                    NULL);
    mt_assert_bytes_eq (head, fx->expected, fx->len);
  }
  assert_zeroes (fx->map, fx->len, big);
  assert_file_size (fx, big);
  g_assert_true (mmap_object_set_byte (fx->map, -1, 'E', &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_byte (fx->map, (gssize) big - 1, NULL),
                   ==, 'E');
  if (fx->info->reaches_file)
    {
      g_autoptr(GBytes) contents = mt_fd_read_all (fx->file->fd);
      const guint8 *data = g_bytes_get_data (contents, NULL);

      g_assert_cmpuint (g_bytes_get_size (contents), ==,
                        fx->info->offset + big);
      g_assert_cmpint (data[fx->info->offset + big - 1], ==, 'E');
    }
  g_assert_cmpint (mmap_object_tell (fx->map, NULL), ==, 20);

  /* Shrink below the position: the position stays. */
  g_assert_true (mmap_object_resize (fx->map, 10, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_notify, ==, 2);
  mt_assert_map_is (fx->map, fx->expected, 10);
  assert_file_size (fx, 10);
  g_assert_cmpint (mmap_object_tell (fx->map, NULL), ==, 20);

  /* To zero: a valid empty map. */
  g_assert_true (mmap_object_resize (fx->map, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_notify, ==, 3);
  g_assert_cmpuint (mmap_object_get_length (fx->map), ==, 0);
  assert_file_size (fx, 0);
  {
    g_autoptr(GBytes) bytes = mmap_object_read (fx->map, -1, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
  }

  /* And back from zero. */
  g_assert_true (mmap_object_resize (fx->map, 100, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_notify, ==, 4);
  g_assert_cmpuint (mmap_object_get_length (fx->map), ==, 100);
  assert_zeroes (fx->map, 0, 100);
  assert_file_size (fx, 100);
  g_assert_true (mmap_object_set_slice (fx->map, 95, 100, 1,
                                        (const guint8 *) "tail!", 5, &error));
  g_assert_no_error (error);
  if (fx->info->reaches_file)
    {
      g_autoptr(GBytes) contents = mt_fd_read_all (fx->file->fd);
      const guint8 *data = g_bytes_get_data (contents, NULL);

      g_assert_cmpmem (data + fx->info->offset + 95, 5, "tail!", 5);
      /* The bytes before the offset are never touched. */
      g_assert_cmpmem (data, fx->info->offset, fx->file_data,
                       fx->info->offset);
    }

  /* Grow again past several pages: no SIGBUS at the far end. */
  g_assert_true (mmap_object_resize (fx->map, 3 * page + 1, &error));
  g_assert_no_error (error);
  g_assert_true (mmap_object_set_byte (fx->map, (gssize) (3 * page), 'F',
                                       &error));
  g_assert_no_error (error);
  assert_zeroes (fx->map, 100, 3 * page);
  assert_file_size (fx, 3 * page + 1);
  g_assert_cmpuint (n_notify, ==, 5);

  g_assert_cmpint (mmap_object_tell (fx->map, NULL), ==, 20);
}

/* Python's order: live views are checked before anything else. */
static void
test_resize_with_views (MtFixture     *fx,
                        gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  GBytes *view = mmap_object_view (fx->map, 1, 5, &error);
  GBytes *view2 = mmap_object_view (fx->map, 0, -1, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_n_views (fx->map), ==, 2);

  g_assert_false (mmap_object_resize (fx->map, fx->len + 10, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_EXPORTS_EXIST);
  g_clear_error (&error);
  g_assert_false (mmap_object_resize (fx->map, 0, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_EXPORTS_EXIST);
  g_clear_error (&error);

  g_bytes_unref (view);
  g_assert_false (mmap_object_resize (fx->map, 1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_EXPORTS_EXIST);
  g_clear_error (&error);

  mt_assert_bytes_eq (view2, fx->expected, fx->len);
  g_bytes_unref (view2);
  mt_assert_map_is (fx->map, fx->expected, fx->len);
  mt_fixture_assert_file (fx);

  /* Once the views are gone the kind decides. */
  if (fx->info->resizable)
    {
      g_assert_true (mmap_object_resize (fx->map, 5, &error));
      g_assert_no_error (error);
      mt_assert_map_is (fx->map, fx->expected, 5);
    }
  else
    {
      g_assert_false (mmap_object_resize (fx->map, 5, &error));
      g_assert_nonnull (error);
      g_assert_false (g_error_matches (error, MMAP_ERROR,
                                       MMAP_ERROR_EXPORTS_EXIST));
    }
}

/* The position beyond the end after a shrinking resize. */
static void
test_past_end (MtFixture     *fx,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  goffset old = (goffset) fx->len;
  gsize len = fx->len / 2;
  g_autofree char *repr = NULL;
  g_autofree char *want_repr = NULL;
  GBytes *bytes;

  if (!fx->info->resizable)
    {
      g_test_skip ("map cannot be resized");
      return;
    }

  g_assert_cmpint (mmap_object_seek (fx->map, 0, G_SEEK_END, NULL), ==, old);
  g_assert_true (mmap_object_resize (fx->map, len, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_tell (fx->map, &error), ==, old);

  bytes = mmap_object_read (fx->map, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
  g_bytes_unref (bytes);
  bytes = mmap_object_read (fx->map, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
  g_bytes_unref (bytes);
  bytes = mmap_object_readline (fx->map, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
  g_bytes_unref (bytes);

  g_assert_cmpint (mmap_object_read_byte (fx->map, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);

  /* write fails even for 0 bytes. */
  g_assert_cmpint (mmap_object_write (fx->map, NULL, 0, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_write (fx->map, (const guint8 *) "a", 1,
                                      &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_false (mmap_object_write_byte (fx->map, 'a', &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);

  /* find from the position: an empty needle gives the length. */
  g_assert_cmpint (mmap_object_find (fx->map, NULL, 0, &error), ==,
                   (gssize) len);
  g_assert_cmpint (mmap_object_rfind (fx->map, NULL, 0, &error), ==,
                   (gssize) len);
  g_assert_cmpint (mmap_object_find (fx->map, fx->expected, 1, &error), ==,
                   -1);
  g_assert_no_error (error);

  want_repr = g_strdup_printf ("pos=%" G_GOFFSET_FORMAT ",", old);
  repr = mmap_object_to_string (fx->map);
  g_assert_nonnull (strstr (repr, want_repr));

  /* Relative seeks that stay beyond the end fail. */
  g_assert_cmpint (mmap_object_seek (fx->map, 0, G_SEEK_CUR, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_seek (fx->map, -1, G_SEEK_CUR, &error), ==,
                   -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_tell (fx->map, NULL), ==, old);

  /* A relative seek back into the map works. */
  g_assert_cmpint (mmap_object_seek (fx->map, -(old - (goffset) len),
                                     G_SEEK_CUR, &error), ==, (goffset) len);
  g_assert_no_error (error);

  /* Absolute seeks up to the length work. */
  g_assert_true (mmap_object_resize (fx->map, 3, &error));
  g_assert_cmpint (mmap_object_tell (fx->map, NULL), ==, (goffset) len);
  g_assert_cmpint (mmap_object_seek (fx->map, 3, G_SEEK_SET, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_seek (fx->map, 4, G_SEEK_SET, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_seek (fx->map, -3, G_SEEK_END, &error), ==, 0);
  g_assert_no_error (error);
}

static void
test_resize_out_of_range (MtFixture     *fx,
                          gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  goffset file_size = fx->file != NULL ? mt_fd_size (fx->file->fd) : 0;

  if (!fx->info->resizable)
    {
      g_test_skip ("map cannot be resized");
      return;
    }

  g_assert_false (mmap_object_resize (fx->map, G_MAXSIZE, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_false (mmap_object_resize (fx->map, (gsize) G_MAXSSIZE + 1,
                                      &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  if (fx->info->offset > 0)
    {
      /* offset + new size must fit in a gssize. */
      g_assert_false (mmap_object_resize (fx->map, (gsize) G_MAXSSIZE,
                                          &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
      g_clear_error (&error);
    }

  /* Too big for the system: an OS error, and nothing changes. */
  g_assert_false (mmap_object_resize (fx->map, (gsize) 1 << 61, &error));
  g_assert_error (error, G_IO_ERROR, error->code);
  g_assert_cmpint (mt_errno_from_error (error), >, 0);
  g_clear_error (&error);

  mt_assert_map_is (fx->map, fx->expected, fx->len);
  if (fx->file != NULL)
    g_assert_cmpint (mt_fd_size (fx->file->fd), ==, file_size);
  mt_fixture_assert_file (fx);
}

static void
test_empty_file (void)
{
  const MmapAccess accesses[] = {
    MMAP_ACCESS_DEFAULT, MMAP_ACCESS_READ, MMAP_ACCESS_WRITE,
    MMAP_ACCESS_COPY,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (accesses); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MtFile) file = mt_file_new (NULL, 0);
      g_autoptr(GBytes) bytes = NULL;
      MmapObject *map;

      map = mmap_object_new (file->fd, 0, accesses[i], 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (mmap_object_get_length (map), ==, 0);
      g_assert_cmpint (mmap_object_size (map, &error), ==, 0);
      bytes = mmap_object_read (map, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
      g_assert_finalize_object (map);

      /* An offset equal to the size also gives an empty map. */
      g_assert_cmpint (write (file->fd, "abc", 3), ==, 3);
      map = mmap_object_new (file->fd, 0, accesses[i], 3, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (mmap_object_get_length (map), ==, 0);
      g_assert_finalize_object (map);
    }
}

static void
test_grow_empty_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) file = mt_file_new (NULL, 0);
  g_autoptr(GBytes) contents = NULL;
  MmapObject *map;

  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 0);

  g_assert_true (mmap_object_resize (map, 10, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 10);
  g_assert_cmpint (mt_fd_size (file->fd), ==, 10);
  g_assert_cmpint (mmap_object_write (map, (const guint8 *) "0123456789", 10,
                                      &error), ==, 10);
  g_assert_no_error (error);
  contents = mt_fd_read_all (file->fd);
  mt_assert_bytes_eq (contents, "0123456789", 10);
  g_assert_finalize_object (map);
}

static void
test_grow_anonymous_from_zero (gconstpointer user_data)
{
  g_autoptr(GError) error = NULL;
  MmapMapFlags flags = GPOINTER_TO_UINT (user_data);
  gsize page = mmap_get_page_size ();
  MmapObject *map;

  map = mmap_object_new_full (-1, 0, flags, MMAP_PROT_READ | MMAP_PROT_WRITE,
                              MMAP_ACCESS_DEFAULT, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 0);

  g_assert_true (mmap_object_resize (map, 10, &error));
  g_assert_no_error (error);
  assert_zeroes (map, 0, 10);
  g_assert_cmpint (mmap_object_write (map, (const guint8 *) "0123456789", 10,
                                      &error), ==, 10);

  g_assert_true (mmap_object_resize (map, 3 * page, &error));
  g_assert_no_error (error);
  assert_zeroes (map, 10, 3 * page);
  g_assert_true (mmap_object_set_byte (map, -1, 'Z', &error));
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) head = mmap_object_get_slice (map, 0, 10, 1, NULL);
    mt_assert_bytes_eq (head, "0123456789", 10);
  }
  g_assert_cmpint (mmap_object_get_byte (map, -1, NULL), ==, 'Z');

  g_assert_true (mmap_object_resize (map, 0, &error));
  g_assert_true (mmap_object_resize (map, 2 * page, &error));
  g_assert_no_error (error);
  assert_zeroes (map, 0, 2 * page);

  g_assert_cmpint (mmap_object_size (map, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NO_TRACKED_FD);
  g_assert_finalize_object (map);
}

/* resize() changes the file size to offset + n, even when the map covers
 * only part of the file (Python parity). */
static void
test_resize_sets_file_size (void)
{
  g_autoptr(GError) error = NULL;
  guint8 data[100];
  g_autoptr(MtFile) file = NULL;
  MmapObject *map;

  mt_fill_pattern (data, sizeof data, 5);
  file = mt_file_new (data, sizeof data);

  map = mmap_object_new (file->fd, 10, MMAP_ACCESS_DEFAULT, 0, &error);
  g_assert_no_error (error);
  g_assert_true (mmap_object_resize (map, 20, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mt_fd_size (file->fd), ==, 20);
  g_assert_finalize_object (map);

  map = mmap_object_new (file->fd, 5, MMAP_ACCESS_DEFAULT, 7, &error);
  g_assert_no_error (error);
  g_assert_true (mmap_object_resize (map, 30, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mt_fd_size (file->fd), ==, 37);
  g_assert_cmpint (mmap_object_size (map, &error), ==, 37);
  {
    g_autoptr(GBytes) contents = mt_fd_read_all (file->fd);
    const guint8 *got = g_bytes_get_data (contents, NULL);
    static const guint8 zeroes[17];

    /* Bytes 0..19 survive the first resize, the rest are zero. */
    g_assert_cmpuint (g_bytes_get_size (contents), ==, 37);
    g_assert_cmpmem (got, 20, data, 20);
    g_assert_cmpmem (got + 20, 17, zeroes, 17);
  }
  g_assert_finalize_object (map);
}

/* Resizing through the caller's fd is not needed: the map uses its dup. */
static void
test_resize_after_caller_closes (void)
{
  g_autoptr(GError) error = NULL;
  guint8 data[50];
  MtFile *file;
  g_autofree char *path = NULL;
  MmapObject *map;
  int fd;

  mt_fill_pattern (data, sizeof data, 6);
  file = mt_file_new (data, sizeof data);
  path = g_strdup (file->path);

  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  close (file->fd);
  file->fd = -1;

  g_assert_true (mmap_object_resize (map, 80, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_size (map, &error), ==, 80);
  fd = mt_open_read_only (path);
  g_assert_cmpint (mt_fd_size (fd), ==, 80);
  close (fd);

  g_assert_finalize_object (map);
  mt_file_free (file);
}

/* Python checks views, then the tracked fd, then the access mode. */
static void
test_resize_check_order (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "0123456789", 10);
  MmapObject *map;
  GBytes *view;

  map = mmap_object_new_full (file->fd, 0, MMAP_MAP_SHARED,
                              MMAP_PROT_READ | MMAP_PROT_WRITE,
                              MMAP_ACCESS_READ, 0, FALSE, &error);
  g_assert_no_error (error);
  g_assert_false (mmap_object_resize (map, 5, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NO_TRACKED_FD);
  g_clear_error (&error);

  view = mmap_object_view (map, 0, 1, &error);
  g_assert_no_error (error);
  g_assert_false (mmap_object_resize (map, 5, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_EXPORTS_EXIST);
  g_clear_error (&error);
  g_bytes_unref (view);
  g_assert_finalize_object (map);
}

/* A private map of a read-only fd has ACCESS_DEFAULT, so resize() is
 * allowed, but ftruncate() on the fd fails (EINVAL, as in Python): the
 * error is the OS's, and the map and file stay as they were. */
static void
test_resize_ftruncate_fails (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "0123456789", 10);
  int ro = mt_open_read_only (file->path);
  MmapObject *map;

  map = mmap_object_new_full (ro, 0, MMAP_MAP_PRIVATE,
                              MMAP_PROT_READ | MMAP_PROT_WRITE,
                              MMAP_ACCESS_DEFAULT, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_access (map), ==, MMAP_ACCESS_DEFAULT);

  g_assert_false (mmap_object_resize (map, 100, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_IO_ERROR);
  g_assert_cmpint (mt_errno_from_error (error), ==, 22);
  g_clear_error (&error);
  g_assert_false (mmap_object_resize (map, 5, &error));
  g_assert_cmpint (mt_errno_from_error (error), ==, 22);
  g_clear_error (&error);

  mt_assert_map_is (map, (const guint8 *) "0123456789", 10);
  g_assert_cmpint (mt_fd_size (file->fd), ==, 10);
  g_assert_finalize_object (map);
  close (ro);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  mt_add_for_kinds ("/Mmap/Object/resize/basic", test_resize);
  mt_add_for_kinds ("/Mmap/Object/resize/with-views", test_resize_with_views);
  mt_add_for_kinds ("/Mmap/Object/resize/past-end", test_past_end);
  mt_add_for_kinds ("/Mmap/Object/resize/out-of-range",
                    test_resize_out_of_range);
  g_test_add_func ("/Mmap/Object/resize/empty-file", test_empty_file);
  g_test_add_func ("/Mmap/Object/resize/grow-from-zero/file",
                   test_grow_empty_file);
  g_test_add_data_func ("/Mmap/Object/resize/grow-from-zero/anon-shared",
                        GUINT_TO_POINTER (MMAP_MAP_SHARED),
                        test_grow_anonymous_from_zero);
  g_test_add_data_func ("/Mmap/Object/resize/grow-from-zero/anon-private",
                        GUINT_TO_POINTER (MMAP_MAP_PRIVATE),
                        test_grow_anonymous_from_zero);
  g_test_add_func ("/Mmap/Object/resize/sets-file-size",
                   test_resize_sets_file_size);
  g_test_add_func ("/Mmap/Object/resize/check-order",
                   test_resize_check_order);
  g_test_add_func ("/Mmap/Object/resize/ftruncate-fails",
                   test_resize_ftruncate_fails);
  g_test_add_func ("/Mmap/Object/resize/after-caller-closes-fd",
                   test_resize_after_caller_closes);

  return g_test_run ();
}
