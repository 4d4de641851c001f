/* test-slice-math.c: Python's index and slice arithmetic against CPython
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Unit tests of mmapobj/mmap-slice.c, built into this executable: no map
 * is involved. The expected values in slice-table.h come from CPython
 * (gen-slice-table.py).
 */

#include "config.h"

#include <glib.h>

#include "mmapobj/mmap-slice-private.h"

#if GLIB_SIZEOF_SSIZE_T == 8
# include "slice-table.h"
#endif

static gboolean
skip_unless_64_bit (void)
{
#if GLIB_SIZEOF_SSIZE_T == 8
  return FALSE;
#else
  g_test_skip ("slice-table.h holds 64-bit values");
  return TRUE;
#endif
}

static void
test_adjust_table (void)
{
  if (skip_unless_64_bit ())
    return;

#if GLIB_SIZEOF_SSIZE_T == 8
  for (gsize i = 0; i < G_N_ELEMENTS (slice_cases); i++)
    {
      const SliceCase *c = &slice_cases[i];
      gssize start = c->start;
      gssize stop = c->stop;
      gssize step = c->step;
      gsize count;

      g_assert_true (mmap_slice_check_step (&step));
      g_assert_cmpint (step, ==, c->step);
      count = mmap_slice_adjust (c->length, &start, &stop, step);
      if (count != c->count || start != c->adjusted_start
          || stop != c->adjusted_stop)
        g_test_message ("slice(%" G_GSSIZE_FORMAT ", %" G_GSSIZE_FORMAT
                        ", %" G_GSSIZE_FORMAT ").indices(%" G_GSIZE_FORMAT
                        ")", c->start, c->stop, c->step, c->length);
      g_assert_cmpuint (count, ==, c->count);
      g_assert_cmpint (start, ==, c->adjusted_start);
      g_assert_cmpint (stop, ==, c->adjusted_stop);
    }
#endif
}

static void
test_clamp_table (void)
{
  if (skip_unless_64_bit ())
    return;

#if GLIB_SIZEOF_SSIZE_T == 8
  for (gsize i = 0; i < G_N_ELEMENTS (clamp_cases); i++)
    {
      const ClampCase *c = &clamp_cases[i];
      gsize clamped = mmap_slice_clamp_bound (c->value, c->length);

      if (clamped != c->clamped)
        g_test_message ("find bound %" G_GSSIZE_FORMAT " of %" G_GSIZE_FORMAT,
                        c->value, c->length);
      g_assert_cmpuint (clamped, ==, c->clamped);
    }
#endif
}

static void
test_index_table (void)
{
  if (skip_unless_64_bit ())
    return;

#if GLIB_SIZEOF_SSIZE_T == 8
  for (gsize i = 0; i < G_N_ELEMENTS (index_cases); i++)
    {
      const IndexCase *c = &index_cases[i];
      gssize index = c->index;

      gboolean valid = mmap_slice_normalize_index (c->length, &index);

      if (valid != c->valid || index != c->normalized)
        g_test_message ("range(%" G_GSIZE_FORMAT ")[%" G_GSSIZE_FORMAT "]",
                        c->length, c->index);
      g_assert_cmpint (valid, ==, c->valid);
      /* Unchanged when out of range. */
      g_assert_cmpint (index, ==, c->normalized);
    }
#endif
}

static void
test_check_step (void)
{
  gssize step;

  step = 0;
  g_assert_false (mmap_slice_check_step (&step));
  g_assert_cmpint (step, ==, 0);

  step = G_MINSSIZE;
  g_assert_true (mmap_slice_check_step (&step));
  g_assert_cmpint (step, ==, -G_MAXSSIZE);

  step = -G_MAXSSIZE;
  g_assert_true (mmap_slice_check_step (&step));
  g_assert_cmpint (step, ==, -G_MAXSSIZE);

  step = G_MAXSSIZE;
  g_assert_true (mmap_slice_check_step (&step));
  g_assert_cmpint (step, ==, G_MAXSSIZE);

  step = -1;
  g_assert_true (mmap_slice_check_step (&step));
  g_assert_cmpint (step, ==, -1);
}

/* A few cases written out, readable without the table: m[::-1],
 * m[-3:], m[10:2:-3] of a 10-byte map, and omitted bounds. */
static void
test_adjust_examples (void)
{
  gssize start, stop;

  start = G_MAXSSIZE, stop = G_MINSSIZE;
  g_assert_cmpuint (mmap_slice_adjust (10, &start, &stop, -1), ==, 10);
  g_assert_cmpint (start, ==, 9);
  g_assert_cmpint (stop, ==, -1);

  start = -3, stop = G_MAXSSIZE;
  g_assert_cmpuint (mmap_slice_adjust (10, &start, &stop, 1), ==, 3);
  g_assert_cmpint (start, ==, 7);
  g_assert_cmpint (stop, ==, 10);

  start = 10, stop = 2;
  g_assert_cmpuint (mmap_slice_adjust (10, &start, &stop, -3), ==, 3);
  g_assert_cmpint (start, ==, 9);
  g_assert_cmpint (stop, ==, 2);

  start = 0, stop = G_MAXSSIZE;
  g_assert_cmpuint (mmap_slice_adjust (0, &start, &stop, 1), ==, 0);
  g_assert_cmpint (start, ==, 0);
  g_assert_cmpint (stop, ==, 0);

  g_assert_cmpuint (mmap_slice_clamp_bound (-3, 10), ==, 7);
  g_assert_cmpuint (mmap_slice_clamp_bound (-30, 10), ==, 0);
  g_assert_cmpuint (mmap_slice_clamp_bound (30, 10), ==, 10);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mmap/SliceMath/adjust/examples", test_adjust_examples);
  g_test_add_func ("/Mmap/SliceMath/adjust/cpython", test_adjust_table);
  g_test_add_func ("/Mmap/SliceMath/clamp-bound/cpython", test_clamp_table);
  g_test_add_func ("/Mmap/SliceMath/normalize-index/cpython",
                   test_index_table);
  g_test_add_func ("/Mmap/SliceMath/check-step", test_check_step);

  return g_test_run ();
}
