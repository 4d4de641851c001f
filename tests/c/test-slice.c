/* test-slice.c: get_slice and set_slice against a reference slicer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "test-util.h"

/* The reference: Python's slice.indices() followed by a walk over the
 * indices, written independently of the library's count formula. */
static GArray *
ref_indices (gsize  length,
             gssize start,
             gssize stop,
             gssize step)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gssize));
  gssize len = (gssize) length;
  gssize lower = step < 0 ? -1 : 0;
  gssize upper = step < 0 ? len - 1 : len;
  gssize i;

  g_assert_cmpint (step, !=, 0);

  if (start < 0)
    start = start + len < lower ? lower : start + len;
  else if (start > upper)
    start = upper;
  if (stop < 0)
    stop = stop + len < lower ? lower : stop + len;
  else if (stop > upper)
    stop = upper;

  for (i = start; step > 0 ? i < stop : i > stop;)
    {
      g_assert_cmpint (i, >=, 0);
      g_assert_cmpint (i, <, len);
      g_array_append_val (out, i);
      /* Stop before the index overflows: it would be past the end. */
      if (step > 0 ? i > G_MAXSSIZE - step : i < G_MINSSIZE - step)
        break;
      i += step;
    }

  return out;
}

static gssize *
make_bounds (gsize  len,
             gsize *n_out)
{
  gssize l = (gssize) len;
  gssize bounds[] = {
    G_MINSSIZE, G_MINSSIZE + 1, -l - 1, -l, -l + 1, -5, -1, 0, 1, 5,
    l - 1, l, l + 1, G_MAXSSIZE,
  };

  *n_out = G_N_ELEMENTS (bounds);
  return g_memdup2 (bounds, sizeof bounds);
}

static gssize *
make_steps (gsize  len,
            gsize *n_out)
{
  gssize l = (gssize) len;
  gssize steps[] = {
    1, 2, 3, 41, l - 1, l, l + 1, G_MAXSSIZE,
    -1, -2, -3, -41, -l, -l - 1, G_MINSSIZE + 1, G_MINSSIZE,
  };

  *n_out = G_N_ELEMENTS (steps);
  return g_memdup2 (steps, sizeof steps);
}

static void
test_get_slice (MtFixture     *fx,
                gconstpointer  user_data)
{
  gsize n_bounds, n_steps;
  g_autofree gssize *bounds = make_bounds (fx->len, &n_bounds);
  g_autofree gssize *steps = make_steps (fx->len, &n_steps);
  g_autofree guint8 *want = g_malloc (fx->len);
  gsize n_nonempty = 0;

  g_assert_cmpint (mmap_object_seek (fx->map, 11, G_SEEK_SET, NULL), ==, 11);

  for (gsize a = 0; a < n_bounds; a++)
    for (gsize b = 0; b < n_bounds; b++)
      for (gsize s = 0; s < n_steps; s++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GArray) idx = ref_indices (fx->len, bounds[a],
                                               bounds[b], steps[s]);
          g_autoptr(GBytes) got = NULL;
          gsize got_len;
          const guint8 *got_data;

          for (guint k = 0; k < idx->len; k++)
            want[k] = fx->expected[g_array_index (idx, gssize, k)];

          got = mmap_object_get_slice (fx->map, bounds[a], bounds[b],
                                       steps[s], &error);
          g_assert_no_error (error);
          got_data = g_bytes_get_data (got, &got_len);
          if (got_len != idx->len
              || (got_len > 0 && memcmp (got_data, want, got_len) != 0))
            g_error ("get_slice (%" G_GSSIZE_FORMAT ", %" G_GSSIZE_FORMAT
                     ", %" G_GSSIZE_FORMAT "): %" G_GSIZE_FORMAT
                     " bytes, expected %u", bounds[a], bounds[b], steps[s],
                     got_len, idx->len);
          if (idx->len > 0)
            n_nonempty++;
        }

  g_assert_cmpuint (n_nonempty, >, 500);
  g_assert_cmpint (mmap_object_tell (fx->map, NULL), ==, 11);
}

/* Python's omitted bounds, spelled as PySlice_Unpack() spells them, with
 * results written out rather than computed by the reference. */
static void
test_get_slice_omitted (MtFixture     *fx,
                        gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *reversed = g_malloc (fx->len);
  GBytes *bytes;

  for (gsize i = 0; i < fx->len; i++)
    reversed[i] = fx->expected[fx->len - 1 - i];

  /* m[:] */
  bytes = mmap_object_get_slice (fx->map, 0, G_MAXSSIZE, 1, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, fx->expected, fx->len);
  g_bytes_unref (bytes);

  /* m[::-1] */
  bytes = mmap_object_get_slice (fx->map, G_MAXSSIZE, G_MINSSIZE, -1,
                                 &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, reversed, fx->len);
  g_bytes_unref (bytes);

  /* m[3::-1] */
  bytes = mmap_object_get_slice (fx->map, 3, G_MINSSIZE, -1, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, reversed + fx->len - 4, 4);
  g_bytes_unref (bytes);

  /* m[:-3:-1] */
  bytes = mmap_object_get_slice (fx->map, G_MAXSSIZE, -3, -1, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, reversed, 2);
  g_bytes_unref (bytes);

  /* m[::2**70]: the first byte */
  bytes = mmap_object_get_slice (fx->map, 0, G_MAXSSIZE, G_MAXSSIZE, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, fx->expected, 1);
  g_bytes_unref (bytes);

  /* m[::-2**70]: the last byte */
  bytes = mmap_object_get_slice (fx->map, G_MAXSSIZE, G_MINSSIZE,
                                 G_MINSSIZE, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, fx->expected + fx->len - 1, 1);
  g_bytes_unref (bytes);

  /* m[5:2] and m[2:5:-1] are empty */
  bytes = mmap_object_get_slice (fx->map, 5, 2, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
  g_bytes_unref (bytes);
  bytes = mmap_object_get_slice (fx->map, 2, 5, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
  g_bytes_unref (bytes);

  /* m[1:10:3] */
  bytes = mmap_object_get_slice (fx->map, 1, 10, 3, &error);
  g_assert_no_error (error);
  {
    guint8 want[3] = { fx->expected[1], fx->expected[4], fx->expected[7] };
    mt_assert_bytes_eq (bytes, want, 3);
  }
  g_bytes_unref (bytes);

  /* step 0 */
  g_assert_null (mmap_object_get_slice (fx->map, 0, 1, 0, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
}

static void
test_set_slice (MtFixture     *fx,
                gconstpointer  user_data)
{
  gsize n_bounds, n_steps;
  g_autofree gssize *bounds = make_bounds (fx->len, &n_bounds);
  g_autofree gssize *steps = make_steps (fx->len, &n_steps);
  g_autofree guint8 *src = g_malloc (fx->len + 1);
  guint round = 0;

  if (!fx->info->writable)
    {
      g_autoptr(GError) error = NULL;

      /* The writable check comes first: before the step and the size. */
      g_assert_false (mmap_object_set_slice (fx->map, 0, 2, 1,
                                             (const guint8 *) "ab", 2,
                                             &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
      g_clear_error (&error);
      g_assert_false (mmap_object_set_slice (fx->map, 0, 2, 0,
                                             (const guint8 *) "abc", 3,
                                             &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
      g_clear_error (&error);
      g_assert_false (mmap_object_set_slice (fx->map, 0, 0, 1, NULL, 0,
                                             &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
      mt_assert_map_is (fx->map, fx->expected, fx->len);
      mt_fixture_assert_file (fx);
      return;
    }

  g_assert_cmpint (mmap_object_seek (fx->map, 9, G_SEEK_SET, NULL), ==, 9);

  for (gsize a = 0; a < n_bounds; a++)
    for (gsize b = 0; b < n_bounds; b++)
      for (gsize s = 0; s < n_steps; s++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GArray) idx = ref_indices (fx->len, bounds[a],
                                               bounds[b], steps[s]);

          round++;
          for (guint k = 0; k < idx->len + 1; k++)
            src[k] = (guint8) (round * 31 + k * 7);

          /* Wrong sizes first: nothing may be written. */
          g_assert_false (mmap_object_set_slice (fx->map, bounds[a],
                                                 bounds[b], steps[s], src,
                                                 idx->len + 1, &error));
          g_assert_error (error, MMAP_ERROR, MMAP_ERROR_WRONG_SIZE);
          g_clear_error (&error);
          if (idx->len > 0)
            {
              g_assert_false (mmap_object_set_slice (fx->map, bounds[a],
                                                     bounds[b], steps[s],
                                                     src, idx->len - 1,
                                                     &error));
              g_assert_error (error, MMAP_ERROR, MMAP_ERROR_WRONG_SIZE);
              g_clear_error (&error);
            }

          if (!mmap_object_set_slice (fx->map, bounds[a], bounds[b],
                                      steps[s], idx->len ? src : NULL,
                                      idx->len, &error))
            g_error ("set_slice (%" G_GSSIZE_FORMAT ", %" G_GSSIZE_FORMAT
                     ", %" G_GSSIZE_FORMAT ", %u bytes): %s", bounds[a],
                     bounds[b], steps[s], idx->len, error->message);

          for (guint k = 0; k < idx->len; k++)
            fx->expected[g_array_index (idx, gssize, k)] = src[k];

          /* Checking the whole map every time is slow under valgrind:
           * read the slice back always, the whole map every 16 rounds. */
          {
            g_autoptr(GBytes) back = mmap_object_get_slice (fx->map,
                                                            bounds[a],
                                                            bounds[b],
                                                            steps[s],
                                                            &error);
            g_assert_no_error (error);
            mt_assert_bytes_eq (back, src, idx->len);
          }
          if (round % 16 == 0)
            mt_assert_map_is (fx->map, fx->expected, fx->len);
        }

  mt_assert_map_is (fx->map, fx->expected, fx->len);
  g_assert_cmpint (mmap_object_tell (fx->map, NULL), ==, 9);
  /* Writes reach the file only for shared maps. */
  mt_fixture_assert_file (fx);

  {
    g_autoptr(GError) error = NULL;

    g_assert_false (mmap_object_set_slice (fx->map, 0, 1, 0, src, 1,
                                           &error));
    g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    /* The step is checked before the size. */
    g_assert_false (mmap_object_set_slice (fx->map, 0, 1, 0, src, 5,
                                           &error));
    g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  }
  mt_assert_map_is (fx->map, fx->expected, fx->len);
}

/* The source may be a view of the map itself (Python's memoryview). */
static void
test_set_slice_from_view (MtFixture     *fx,
                          gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) view = NULL;

  if (!fx->info->writable)
    {
      g_test_skip ("read-only map");
      return;
    }

  view = mmap_object_view (fx->map, 0, 100, &error);
  g_assert_no_error (error);
  g_assert_true (mmap_object_set_slice (fx->map, 10, 110, 1,
                                        g_bytes_get_data (view, NULL), 100,
                                        &error));
  g_assert_no_error (error);
  memmove (fx->expected + 10, fx->expected, 100);
  mt_assert_map_is (fx->map, fx->expected, fx->len);
}

static void
test_empty_map_slices (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = mmap_object_new_anonymous (0, &error);
  gsize n_bounds, n_steps;
  g_autofree gssize *bounds = make_bounds (0, &n_bounds);
  g_autofree gssize *steps = make_steps (0, &n_steps);

  g_assert_no_error (error);

  for (gsize a = 0; a < n_bounds; a++)
    for (gsize s = 0; s < n_steps; s++)
      {
        g_autoptr(GBytes) bytes = NULL;

        if (steps[s] == 0)
          continue;
        bytes = mmap_object_get_slice (map, bounds[a], bounds[n_bounds - 1 - a],
                                       steps[s], &error);
        g_assert_no_error (error);
        g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
        g_assert_true (mmap_object_set_slice (map, bounds[a], G_MAXSSIZE,
                                              steps[s], NULL, 0, &error));
        g_assert_no_error (error);
      }

  g_assert_false (mmap_object_set_slice (map, 0, G_MAXSSIZE, 1,
                                         (const guint8 *) "x", 1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_WRONG_SIZE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  mt_add_for_kinds ("/Mmap/Object/slice/get", test_get_slice);
  mt_add_for_kinds ("/Mmap/Object/slice/get-omitted",
                    test_get_slice_omitted);
  mt_add_for_kinds ("/Mmap/Object/slice/set", test_set_slice);
  mt_add_for_kinds ("/Mmap/Object/slice/set-from-view",
                    test_set_slice_from_view);
  g_test_add_func ("/Mmap/Object/slice/empty-map", test_empty_map_slices);

  return g_test_run ();
}
