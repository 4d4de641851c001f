/* test-errors.c: closed and uninitialised maps, programmer errors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "test-util.h"

/* Calls every fallible method, with valid and invalid arguments, and
 * checks each fails with @code and its documented failure value. */
static void
assert_every_method_fails (MmapObject *map,
                           int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static ("ab", 2);
  const guint8 *ab = (const guint8 *) "ab";

#define EXPECT(call, failed) \
  G_STMT_START { \
    g_assert_cmpint ((call), ==, (failed)); \
    g_assert_error (error, MMAP_ERROR, code); \
    g_clear_error (&error); \
  } G_STMT_END
#define EXPECT_NULL(call) \
  G_STMT_START { \
    g_assert_null ((call)); \
    g_assert_error (error, MMAP_ERROR, code); \
    g_clear_error (&error); \
  } G_STMT_END

  EXPECT (mmap_object_find (map, ab, 2, &error), -2);
  EXPECT (mmap_object_find (map, NULL, 0, &error), -2);
  EXPECT (mmap_object_find_range (map, ab, 2, 0, G_MAXSSIZE, &error), -2);
  EXPECT (mmap_object_rfind (map, ab, 1, &error), -2);
  EXPECT (mmap_object_rfind_range (map, NULL, 0, -5, 3, &error), -2);
  EXPECT (mmap_object_flush (map, &error), FALSE);
  EXPECT (mmap_object_flush_range (map, 0, 0, &error), FALSE);
  EXPECT (mmap_object_flush_range (map, -1, -7, &error), FALSE);
  EXPECT (mmap_object_madvise (map, MMAP_ADVICE_NORMAL, &error), FALSE);
  EXPECT (mmap_object_madvise_range (map, MMAP_ADVICE_WILLNEED, 0, 1,
                                     &error), FALSE);
  EXPECT (mmap_object_madvise_range (map, (MmapAdvice) 9999, -1, -5,
                                     &error), FALSE);
  EXPECT (mmap_object_move (map, 0, 1, 1, &error), FALSE);
  EXPECT (mmap_object_move (map, -1, -1, -1, &error), FALSE);
  EXPECT_NULL (mmap_object_read (map, -1, &error));
  EXPECT_NULL (mmap_object_read (map, 0, &error));
  EXPECT (mmap_object_read_byte (map, &error), -1);
  EXPECT_NULL (mmap_object_readline (map, &error));
  EXPECT (mmap_object_resize (map, 10, &error), FALSE);
  EXPECT (mmap_object_resize (map, G_MAXSIZE, &error), FALSE);
  EXPECT (mmap_object_seek (map, 0, G_SEEK_SET, &error), -1);
  EXPECT (mmap_object_seek (map, 0, (GSeekType) 42, &error), -1);
  EXPECT (mmap_object_tell (map, &error), -1);
  EXPECT (mmap_object_size (map, &error), -1);
  EXPECT (mmap_object_write (map, ab, 2, &error), -1);
  EXPECT (mmap_object_write (map, NULL, 0, &error), -1);
  EXPECT (mmap_object_write_bytes (map, bytes, &error), -1);
  EXPECT (mmap_object_write_byte (map, 'x', &error), FALSE);
  EXPECT (mmap_object_get_byte (map, 0, &error), -1);
  EXPECT (mmap_object_get_byte (map, G_MAXSSIZE, &error), -1);
  EXPECT (mmap_object_set_byte (map, 0, 'x', &error), FALSE);
  EXPECT_NULL (mmap_object_get_slice (map, 0, G_MAXSSIZE, 1, &error));
  EXPECT_NULL (mmap_object_get_slice (map, 0, 1, 0, &error));
  EXPECT (mmap_object_set_slice (map, 0, 2, 1, ab, 2, &error), FALSE);
  EXPECT (mmap_object_set_slice (map, 0, 2, 0, ab, 1, &error), FALSE);
  EXPECT_NULL (mmap_object_view (map, 0, -1, &error));
  EXPECT_NULL (mmap_object_view (map, G_MAXSIZE, 5, &error));

#undef EXPECT
#undef EXPECT_NULL

  /* These never fail. */
  g_assert_true (mmap_object_seekable (map));
  g_assert_true (mmap_object_close (map, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_n_views (map), ==, 0);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 0);
}

/* Python checks closed before anything else: even a read-only map with
 * bad arguments says CLOSED. */
static void
test_closed (MtFixture     *fx,
             gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *repr = NULL;

  g_assert_true (mmap_object_close (fx->map, &error));
  g_assert_no_error (error);
  g_assert_true (mmap_object_get_closed (fx->map));
  g_assert_cmpint (mmap_object_get_fd (fx->map), ==, -1);

  assert_every_method_fails (fx->map, MMAP_ERROR_CLOSED);
  /* Twice, since assert_every_method_fails closes again. */
  assert_every_method_fails (fx->map, MMAP_ERROR_CLOSED);

  repr = mmap_object_to_string (fx->map);
  g_assert_cmpstr (repr, ==, "<Mmap.Object closed=True>");

  /* The file is untouched by anything after close. */
  mt_fixture_assert_file (fx);
}

static void
test_closed_with_view (void)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = mmap_object_new_anonymous (100, &error);
  GBytes *view;

  g_assert_no_error (error);
  view = mmap_object_view (map, 0, -1, &error);
  g_assert_no_error (error);

  /* close() succeeds with views alive (unlike Python); they count no
   * longer against the closed map. */
  g_assert_true (mmap_object_close (map, &error));
  g_assert_no_error (error);
  assert_every_method_fails (map, MMAP_ERROR_CLOSED);
  g_assert_cmpuint (g_bytes_get_size (view), ==, 100);
  g_bytes_unref (view);
  g_assert_finalize_object (map);
}

static void
test_not_initialized (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "0123456789", 10);
  MmapObject *maps[3];

  maps[0] = g_object_new (MMAP_TYPE_OBJECT, "fd", file->fd, NULL);
  maps[1] = g_object_new (MMAP_TYPE_OBJECT, "length", (guint64) 10, NULL);
  maps[2] = g_object_new (MMAP_TYPE_OBJECT, "path", file->path,
                          "access", MMAP_ACCESS_READ, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (maps); i++)
    {
      g_autofree char *repr = NULL;

      g_assert_false (mmap_object_get_closed (maps[i]));
      g_assert_true (mmap_object_seekable (maps[i]));
      g_assert_cmpuint (mmap_object_get_n_views (maps[i]), ==, 0);
      repr = mmap_object_to_string (maps[i]);
      g_assert_nonnull (repr);
      g_assert_true (g_str_has_prefix (repr, "<Mmap.Object"));

      /* Every method, then close(), which makes it CLOSED. */
      assert_every_method_fails (maps[i], MMAP_ERROR_NOT_INITIALIZED);
      g_assert_true (mmap_object_get_closed (maps[i]));
      g_assert_finalize_object (maps[i]);
    }
}

/* A failed init leaves the object uninitialised. */
static void
test_failed_init (void)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = g_object_new (MMAP_TYPE_OBJECT,
                                  "fd", -1,
                                  "length", (guint64) 10,
                                  "flags", MMAP_MAP_NONE,
                                  NULL);

  g_assert_false (g_initable_init (G_INITABLE (map), NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  assert_every_method_fails (map, MMAP_ERROR_NOT_INITIALIZED);
  g_assert_finalize_object (map);
}

/* ------------------------------------------------------------------ */
/* Programmer errors: g_return_if_fail criticals                      */

typedef struct
{
  const char *name;
  void      (*func) (MmapObject *map);
} Precondition;

static const guint8 some[] = "xyz";

#define PRECONDITION(name, ...) \
  static void name (MmapObject *map) { GError *error = NULL; __VA_ARGS__; \
                                       g_clear_error (&error); }

PRECONDITION (pre_close, mmap_object_close (NULL, &error))
PRECONDITION (pre_get_closed, mmap_object_get_closed (NULL))
PRECONDITION (pre_get_length, mmap_object_get_length (NULL))
PRECONDITION (pre_get_offset, mmap_object_get_offset (NULL))
PRECONDITION (pre_get_access, mmap_object_get_access (NULL))
PRECONDITION (pre_get_flags, mmap_object_get_flags (NULL))
PRECONDITION (pre_get_prot, mmap_object_get_prot (NULL))
PRECONDITION (pre_get_track_fd, mmap_object_get_track_fd (NULL))
PRECONDITION (pre_get_fd, mmap_object_get_fd (NULL))
PRECONDITION (pre_get_path, mmap_object_get_path (NULL))
PRECONDITION (pre_find, mmap_object_find (NULL, some, 1, &error))
PRECONDITION (pre_find_range,
              mmap_object_find_range (NULL, some, 1, 0, 1, &error))
PRECONDITION (pre_rfind, mmap_object_rfind (NULL, some, 1, &error))
PRECONDITION (pre_rfind_range,
              mmap_object_rfind_range (NULL, some, 1, 0, 1, &error))
PRECONDITION (pre_find_null_needle, mmap_object_find (map, NULL, 2, &error))
PRECONDITION (pre_rfind_null_needle,
              mmap_object_rfind_range (map, NULL, 1, 0, 5, &error))
PRECONDITION (pre_flush, mmap_object_flush (NULL, &error))
PRECONDITION (pre_flush_range, mmap_object_flush_range (NULL, 0, 0, &error))
PRECONDITION (pre_madvise,
              mmap_object_madvise (NULL, MMAP_ADVICE_NORMAL, &error))
PRECONDITION (pre_madvise_range,
              mmap_object_madvise_range (NULL, MMAP_ADVICE_NORMAL, 0, 1,
                                         &error))
PRECONDITION (pre_move, mmap_object_move (NULL, 0, 0, 0, &error))
PRECONDITION (pre_read, mmap_object_read (NULL, 1, &error))
PRECONDITION (pre_read_byte, mmap_object_read_byte (NULL, &error))
PRECONDITION (pre_readline, mmap_object_readline (NULL, &error))
PRECONDITION (pre_resize, mmap_object_resize (NULL, 1, &error))
PRECONDITION (pre_seek, mmap_object_seek (NULL, 0, G_SEEK_SET, &error))
PRECONDITION (pre_seekable, mmap_object_seekable (NULL))
PRECONDITION (pre_tell, mmap_object_tell (NULL, &error))
PRECONDITION (pre_size, mmap_object_size (NULL, &error))
PRECONDITION (pre_write, mmap_object_write (NULL, some, 1, &error))
PRECONDITION (pre_write_null_data, mmap_object_write (map, NULL, 1, &error))
PRECONDITION (pre_write_bytes_null_self,
              {
                g_autoptr(GBytes) b = g_bytes_new_static ("a", 1);
                mmap_object_write_bytes (NULL, b, &error);
              })
PRECONDITION (pre_write_bytes_null, mmap_object_write_bytes (map, NULL, &error))
PRECONDITION (pre_write_byte, mmap_object_write_byte (NULL, 1, &error))
PRECONDITION (pre_get_byte, mmap_object_get_byte (NULL, 0, &error))
PRECONDITION (pre_set_byte, mmap_object_set_byte (NULL, 0, 1, &error))
PRECONDITION (pre_get_slice, mmap_object_get_slice (NULL, 0, 1, 1, &error))
PRECONDITION (pre_set_slice,
              mmap_object_set_slice (NULL, 0, 1, 1, some, 1, &error))
PRECONDITION (pre_set_slice_null_data,
              mmap_object_set_slice (map, 0, 1, 1, NULL, 1, &error))
PRECONDITION (pre_view, mmap_object_view (NULL, 0, -1, &error))
PRECONDITION (pre_get_n_views, mmap_object_get_n_views (NULL))
PRECONDITION (pre_to_string, g_free (mmap_object_to_string (NULL)))
PRECONDITION (pre_new_for_path_null,
              mmap_object_new_for_path (NULL, MMAP_ACCESS_READ, &error))
PRECONDITION (pre_error_already_set,
              {
                g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                     "set");
                mmap_object_read (map, 1, &error);
              })
PRECONDITION (pre_not_an_object,
              {
                GObject *obj = g_object_new (G_TYPE_OBJECT, NULL);
                mmap_object_read ((MmapObject *) obj, 1, &error);
                g_object_unref (obj);
              })

static const Precondition preconditions[] = {
#define P(n) { #n, pre_##n }
  P (close), P (get_closed), P (get_length), P (get_offset), P (get_access),
  P (get_flags), P (get_prot), P (get_track_fd), P (get_fd), P (get_path),
  P (find), P (find_range), P (rfind), P (rfind_range),
  P (find_null_needle), P (rfind_null_needle), P (flush), P (flush_range),
  P (madvise), P (madvise_range), P (move), P (read), P (read_byte),
  P (readline), P (resize), P (seek), P (seekable), P (tell), P (size),
  P (write), P (write_null_data), P (write_bytes_null_self),
  P (write_bytes_null), P (write_byte), P (get_byte), P (set_byte),
  P (get_slice), P (set_slice), P (set_slice_null_data), P (view),
  P (get_n_views), P (to_string), P (new_for_path_null),
  P (error_already_set), P (not_an_object),
#undef P
};

static void
test_precondition (gconstpointer user_data)
{
  const Precondition *pre = user_data;

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      MmapObject *map = mmap_object_new_anonymous (10, &error);

      g_assert_no_error (error);
      pre->func (map);
      /* Not reached: the critical is fatal in tests. */
      g_object_unref (map);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  mt_add_for_kinds ("/Mmap/Object/closed/every-method", test_closed);
  g_test_add_func ("/Mmap/Object/closed/with-view", test_closed_with_view);
  g_test_add_func ("/Mmap/Object/not-initialized/every-method",
                   test_not_initialized);
  g_test_add_func ("/Mmap/Object/not-initialized/failed-init",
                   test_failed_init);

  for (gsize i = 0; i < G_N_ELEMENTS (preconditions); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Mmap/Object/precondition/%s",
                                               preconditions[i].name);

      g_test_add_data_func (path, &preconditions[i], test_precondition);
    }

  return g_test_run ();
}
