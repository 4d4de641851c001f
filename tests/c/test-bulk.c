/* test-bulk.c: find_all, count and line_offsets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "test-util.h"

/* ------------------------------------------------------------------ */
/* Naive models                                                       */

/* find()'s bound: negative values count from the end, then clamped to
 * [0, len]. */
static gsize
ref_bound (gssize v,
           gsize  len)
{
  if (v < 0)
    return v < -(gssize) len ? 0 : (gsize) (v + (gssize) len);
  return (gsize) v > len ? len : (gsize) v;
}

/* Every non-overlapping match in [start, end), or every offset of
 * [start, end] for an empty needle, at most max (negative: all). */
static GArray *
ref_find_all (const guint8 *hay,
              gsize         len,
              const guint8 *needle,
              gsize         n,
              gssize        start_arg,
              gssize        end_arg,
              gssize        max)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (goffset));
  gsize start = ref_bound (start_arg, len);
  gsize end = ref_bound (end_arg, len);
  gsize i = start;

  while (i <= end && (max < 0 || out->len < (gsize) max))
    {
      if (n == 0)
        {
          goffset at = (goffset) i;

          g_array_append_val (out, at);
          i++;
        }
      else if (end - i >= n && memcmp (hay + i, needle, n) == 0)
        {
          goffset at = (goffset) i;

          g_array_append_val (out, at);
          i += n;
        }
      else
        i++;
    }
  return out;
}

/* The start of each line of [start, end), at most max. */
static GArray *
ref_line_offsets (const guint8 *hay,
                  gsize         len,
                  gssize        start_arg,
                  gssize        end_arg,
                  gssize        max)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (goffset));
  gsize start = ref_bound (start_arg, len);
  gsize end = ref_bound (end_arg, len);

  for (gsize i = start; i < end; i++)
    {
      if (max >= 0 && out->len >= (gsize) max)
        break;
      if (i == start || hay[i - 1] == '\n')
        {
          goffset at = (goffset) i;

          g_array_append_val (out, at);
        }
    }
  return out;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                            */

/* An anonymous map holding the @len bytes of @data. */
static MmapObject *
map_of (const void *data,
        gsize       len)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = mmap_object_new_anonymous (len, &error);

  g_assert_no_error (error);
  g_assert_true (mmap_object_set_slice (map, 0, G_MAXSSIZE, 1, data, len,
                                        &error));
  g_assert_no_error (error);
  return map;
}

static MmapObject *
map_of_string (const char *s)
{
  return map_of (s, strlen (s));
}

static void
assert_offsets (const goffset *got,
                gsize          n_got,
                const goffset *want,
                gsize          n_want)
{
  g_assert_nonnull (got);
  g_assert_cmpmem (got, n_got * sizeof (goffset),
                   want, n_want * sizeof (goffset));
}

/* find_all (needle) over [start, end) is the list given after it,
 * terminated by -1, and count() is its length when max is negative. */
static void
check_find_all (MmapObject *map,
                const char *needle,
                gssize      start,
                gssize      end,
                gssize      max,
                ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (goffset));
  g_autofree goffset *got = NULL;
  gsize n_got = 12345;
  va_list args;
  int v;

  va_start (args, max);
  while ((v = va_arg (args, int)) >= 0)
    {
      goffset at = v;

      g_array_append_val (want, at);
    }
  va_end (args);

  got = mmap_object_find_all (map, (const guint8 *) needle, strlen (needle),
                              start, end, max, &n_got, &error);
  g_assert_no_error (error);
  assert_offsets (got, n_got, (goffset *) (void *) want->data, want->len);

  if (max < 0)
    {
      g_assert_cmpint (mmap_object_count (map, (const guint8 *) needle,
                                          strlen (needle), start, end,
                                          &error), ==, want->len);
      g_assert_no_error (error);
    }
}

/* line_offsets over [start, end), as for check_find_all(). */
static void
check_lines (MmapObject *map,
             gssize      start,
             gssize      end,
             gssize      max,
             ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (goffset));
  g_autofree goffset *got = NULL;
  gsize n_got = 12345;
  va_list args;
  int v;

  va_start (args, max);
  while ((v = va_arg (args, int)) >= 0)
    {
      goffset at = v;

      g_array_append_val (want, at);
    }
  va_end (args);

  got = mmap_object_line_offsets (map, start, end, max, &n_got, &error);
  g_assert_no_error (error);
  assert_offsets (got, n_got, (goffset *) (void *) want->data, want->len);
}

#define ALL G_MAXSSIZE
#define END -1

/* ------------------------------------------------------------------ */
/* Exact results                                                      */

static void
test_find_all_small (void)
{
  MmapObject *map = map_of_string ("aaaa");

  /* Non-overlapping, left to right, as bytes.count and re.finditer. */
  check_find_all (map, "aa", 0, ALL, -1, 0, 2, END);
  check_find_all (map, "aaa", 0, ALL, -1, 0, END);
  check_find_all (map, "a", 0, ALL, -1, 0, 1, 2, 3, END);
  check_find_all (map, "aa", 1, ALL, -1, 1, END);
  check_find_all (map, "aa", 1, 3, -1, 1, END);
  check_find_all (map, "aa", 1, 2, -1, END);
  check_find_all (map, "aaaaa", 0, ALL, -1, END);
  check_find_all (map, "b", 0, ALL, -1, END);
  g_assert_finalize_object (map);

  map = map_of_string ("abcabca");
  check_find_all (map, "a", 0, ALL, -1, 0, 3, 6, END);
  check_find_all (map, "abc", 0, ALL, -1, 0, 3, END);
  check_find_all (map, "ca", 0, ALL, -1, 2, 5, END);
  /* A match must end by @end. */
  check_find_all (map, "abc", 0, 6, -1, 0, 3, END);
  check_find_all (map, "abc", 0, 5, -1, 0, END);
  /* Negative bounds count from the end; out-of-range ones clamp. */
  check_find_all (map, "a", -4, -1, -1, 3, END);
  check_find_all (map, "a", -4, ALL, -1, 3, 6, END);
  check_find_all (map, "a", G_MINSSIZE, -1, -1, 0, 3, END);
  check_find_all (map, "a", -100, 100, -1, 0, 3, 6, END);
  check_find_all (map, "a", 100, ALL, -1, END);
  check_find_all (map, "a", 5, 2, -1, END);
  check_find_all (map, "a", 0, G_MINSSIZE, -1, END);
  /* max_count: 0, 1, N, more than there are, any negative value. */
  check_find_all (map, "a", 0, ALL, 0, END);
  check_find_all (map, "a", 0, ALL, 1, 0, END);
  check_find_all (map, "a", 0, ALL, 2, 0, 3, END);
  check_find_all (map, "a", 0, ALL, 3, 0, 3, 6, END);
  check_find_all (map, "a", 0, ALL, 100, 0, 3, 6, END);
  check_find_all (map, "a", 0, ALL, G_MAXSSIZE, 0, 3, 6, END);
  check_find_all (map, "a", 0, ALL, -7, 0, 3, 6, END);
  check_find_all (map, "a", 0, ALL, G_MINSSIZE, 0, 3, 6, END);
  g_assert_finalize_object (map);
}

/* An empty needle occurs at every offset of [start, end], as
 * bytes.count(b'') = len + 1. */
static void
test_find_all_empty_needle (void)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = map_of_string ("abc");
  g_autofree goffset *got = NULL;
  gsize n = 99;

  check_find_all (map, "", 0, ALL, -1, 0, 1, 2, 3, END);
  check_find_all (map, "", 1, 2, -1, 1, 2, END);
  check_find_all (map, "", 2, 2, -1, 2, END);
  check_find_all (map, "", 2, 1, -1, END);
  check_find_all (map, "", -1, ALL, -1, 2, 3, END);
  /* A start past the end clamps to the length, as find() does. */
  check_find_all (map, "", 10, ALL, -1, 3, END);
  check_find_all (map, "", 0, ALL, 2, 0, 1, END);
  check_find_all (map, "", 0, ALL, 0, END);

  /* A NULL needle of length 0 is the empty needle. */
  got = mmap_object_find_all (map, NULL, 0, 0, ALL, -1, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpint (mmap_object_count (map, NULL, 0, 0, ALL, &error), ==, 4);
  g_assert_cmpint (mmap_object_count (map, NULL, 0, 3, 0, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_finalize_object (map);
}

static void
test_line_offsets_small (void)
{
  MmapObject *map = map_of_string ("a\nb\n");

  check_lines (map, 0, ALL, -1, 0, 2, END);
  /* The newline that ends the range starts no line in it. */
  check_lines (map, 0, 3, -1, 0, 2, END);
  check_lines (map, 0, 2, -1, 0, END);
  check_lines (map, 1, ALL, -1, 1, 2, END);
  check_lines (map, 2, ALL, -1, 2, END);
  check_lines (map, 3, ALL, -1, 3, END);
  check_lines (map, 4, ALL, -1, END);
  check_lines (map, 100, ALL, -1, END);
  check_lines (map, 2, 2, -1, END);
  check_lines (map, 3, 1, -1, END);
  check_lines (map, -2, ALL, -1, 2, END);
  check_lines (map, G_MINSSIZE, -1, -1, 0, 2, END);
  check_lines (map, 0, ALL, 0, END);
  check_lines (map, 0, ALL, 1, 0, END);
  check_lines (map, 0, ALL, 2, 0, 2, END);
  check_lines (map, 0, ALL, -3, 0, 2, END);
  g_assert_finalize_object (map);

  map = map_of_string ("a\nb");
  check_lines (map, 0, ALL, -1, 0, 2, END);
  g_assert_finalize_object (map);

  map = map_of_string ("abc");
  check_lines (map, 0, ALL, -1, 0, END);
  check_lines (map, 1, ALL, -1, 1, END);
  g_assert_finalize_object (map);

  map = map_of_string ("\n");
  check_lines (map, 0, ALL, -1, 0, END);
  g_assert_finalize_object (map);

  map = map_of_string ("\n\n\nx\n\n");
  check_lines (map, 0, ALL, -1, 0, 1, 2, 3, 5, END);
  check_lines (map, 1, 4, -1, 1, 2, 3, END);
  check_lines (map, 0, ALL, 4, 0, 1, 2, 3, END);
  g_assert_finalize_object (map);
}

/* An empty map: no lines, no matches, and one place for the empty
 * needle. */
static void
test_empty_map (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) file = mt_file_new (NULL, 0);
  MmapObject *maps[2];

  maps[0] = mmap_object_new_anonymous (0, &error);
  g_assert_no_error (error);
  maps[1] = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (maps); i++)
    {
      g_assert_cmpuint (mmap_object_get_length (maps[i]), ==, 0);
      check_find_all (maps[i], "a", 0, ALL, -1, END);
      check_find_all (maps[i], "a", -5, 5, -1, END);
      check_find_all (maps[i], "", 0, ALL, -1, 0, END);
      check_find_all (maps[i], "", 0, ALL, 0, END);
      check_lines (maps[i], 0, ALL, -1, END);
      check_lines (maps[i], -3, 3, 5, END);
      g_assert_finalize_object (maps[i]);
    }
}

/* Enough matches to grow the array several times, and max_count on each
 * side of the batch sizes. */
static void
test_many (void)
{
  g_autoptr(GError) error = NULL;
  const gsize len = 100000;
  g_autofree guint8 *data = g_malloc (len);
  MmapObject *map;
  g_autofree goffset *lines = NULL;
  const gssize maxes[] = { 1, 63, 64, 65, 127, 128, 129, 1000, 33333,
                           33334, 33335, -1 };
  gsize n;

  /* "xy\n" repeated, and one final "x". */
  for (gsize i = 0; i < len; i++)
    data[i] = "xy\n"[i % 3];
  map = map_of (data, len);

  g_assert_cmpint (mmap_object_count (map, (const guint8 *) "x", 1, 0, ALL,
                                      &error), ==, 33334);
  g_assert_cmpint (mmap_object_count (map, (const guint8 *) "\nx", 2, 0, ALL,
                                      &error), ==, 33333);
  g_assert_cmpint (mmap_object_count (map, (const guint8 *) "y\nxy", 4, 0,
                                      ALL, &error), ==, 16666);
  g_assert_no_error (error);

  for (gsize k = 0; k < G_N_ELEMENTS (maxes); k++)
    {
      g_autofree goffset *xs = NULL;
      g_autofree goffset *ls = NULL;
      gsize want = maxes[k] < 0 ? 33334 : MIN ((gsize) maxes[k], 33334);

      xs = mmap_object_find_all (map, (const guint8 *) "x", 1, 0, ALL,
                                 maxes[k], &n, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, want);
      for (gsize i = 0; i < n; i++)
        g_assert_cmpint (xs[i], ==, (goffset) (3 * i));

      ls = mmap_object_line_offsets (map, 0, ALL, maxes[k], &n, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, want);
      for (gsize i = 0; i < n; i++)
        g_assert_cmpint (ls[i], ==, (goffset) (3 * i));
    }

  /* From an offset inside a line: that offset, then each next line. */
  lines = mmap_object_line_offsets (map, 4, 11, -1, &n, &error);
  g_assert_no_error (error);
  assert_offsets (lines, n, (const goffset[]) { 4, 6, 9 }, 3);

  g_assert_finalize_object (map);
}

/* The calls leave the position alone. */
static void
test_position_unchanged (void)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = map_of_string ("one\ntwo\nthree\n");
  g_autofree goffset *a = NULL;
  g_autofree goffset *b = NULL;
  gsize n;

  g_assert_cmpint (mmap_object_seek (map, 5, G_SEEK_SET, &error), ==, 5);
  a = mmap_object_find_all (map, (const guint8 *) "t", 1, 0, ALL, -1, &n,
                            &error);
  assert_offsets (a, n, (const goffset[]) { 4, 8 }, 2);
  g_assert_cmpint (mmap_object_count (map, (const guint8 *) "e", 1, 0, ALL,
                                      &error), ==, 3);
  b = mmap_object_line_offsets (map, 0, ALL, -1, &n, &error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_tell (map, &error), ==, 5);
  g_assert_finalize_object (map);
}

/* ------------------------------------------------------------------ */
/* Against the models                                                 */

static void
compare_with_models (MmapObject   *map,
                     const guint8 *hay,
                     gsize         len,
                     const guint8 *needle,
                     gsize         n,
                     gssize        start,
                     gssize        end,
                     gssize        max)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) want = NULL;
  g_autoptr(GArray) all = NULL;
  g_autoptr(GArray) want_lines = NULL;
  g_autofree goffset *got = NULL;
  g_autofree goffset *got_lines = NULL;
  gsize n_got;

  want = ref_find_all (hay, len, needle, n, start, end, max);
  all = ref_find_all (hay, len, needle, n, start, end, -1);
  want_lines = ref_line_offsets (hay, len, start, end, max);

  got = mmap_object_find_all (map, needle, n, start, end, max, &n_got,
                              &error);
  g_assert_no_error (error);
  assert_offsets (got, n_got, (goffset *) (void *) want->data, want->len);

  g_assert_cmpint (mmap_object_count (map, needle, n, start, end, &error),
                   ==, all->len);
  g_assert_no_error (error);

  got_lines = mmap_object_line_offsets (map, start, end, max, &n_got,
                                        &error);
  g_assert_no_error (error);
  assert_offsets (got_lines, n_got, (goffset *) (void *) want_lines->data,
                  want_lines->len);
}

static gssize
random_bound (gsize len)
{
  switch (g_test_rand_int_range (0, 6))
    {
    case 0:
      return G_MAXSSIZE;
    case 1:
      return G_MINSSIZE;
    case 2:
      return -g_test_rand_int_range (0, (gint32) len + 3);
    default:
      return g_test_rand_int_range (0, (gint32) len + 3);
    }
}

/* Random haystacks over a small alphabet, so that needles occur often,
 * overlap and straddle the bounds. */
static void
test_random (void)
{
  const char alphabet[] = "ab\n";
  guint rounds = g_test_slow () ? 20000 : 3000;
  guint n_matches = 0;

  for (guint r = 0; r < rounds; r++)
    {
      gsize len = (gsize) g_test_rand_int_range (0, r % 10 == 0 ? 3000 : 40);
      g_autofree guint8 *hay = g_malloc (len + 1);
      guint8 needle[6];
      gsize n = (gsize) g_test_rand_int_range (0, (gint32) sizeof needle + 1);
      gssize max = g_test_rand_int_range (-2, 8);
      MmapObject *map;

      for (gsize i = 0; i < len; i++)
        hay[i] = (guint8) alphabet[g_test_rand_int_range (0, 3)];
      for (gsize i = 0; i < n; i++)
        needle[i] = (guint8) alphabet[g_test_rand_int_range (0, 3)];
      /* Half of the needles come from the haystack itself. */
      if (len >= n && n > 0 && g_test_rand_bit ())
        {
          gsize at = (gsize) g_test_rand_int_range (0, (gint32) (len - n + 1));

          memcpy (needle, hay + at, n);
        }
      if (max > 5)
        max = -1;

      map = map_of (hay, len);
      for (int k = 0; k < 4; k++)
        {
          gssize start = random_bound (len);
          gssize end = random_bound (len);
          g_autoptr(GArray) m = ref_find_all (hay, len, needle, n, start,
                                              end, -1);

          compare_with_models (map, hay, len, needle, n, start, end, max);
          n_matches += m->len;
        }
      g_assert_finalize_object (map);
    }

  /* The models found things, or this proves little. */
  g_assert_cmpuint (n_matches, >, rounds);
}

/* Every kind of map (files, offsets, anonymous; shared, private, copy),
 * over the test pattern. */
static void
test_kinds (MtFixture     *fx,
            gconstpointer  user_data)
{
  gssize len = (gssize) fx->len;
  const gssize bounds[] = { G_MINSSIZE, -len, -100, -1, 0, 1, 40, 41, 42,
                            len - 41, len, G_MAXSSIZE };
  const struct { gsize at; gsize n; } needles[] = {
    { 0, 1 }, { 0, 2 }, { 39, 3 }, { 40, 1 }, { 5, 0 }, { 100, 45 },
  };

  for (gsize k = 0; k < G_N_ELEMENTS (needles); k++)
    for (gsize i = 0; i < G_N_ELEMENTS (bounds); i++)
      for (gsize j = 0; j < G_N_ELEMENTS (bounds); j++)
        compare_with_models (fx->map, fx->expected, fx->len,
                             fx->expected + needles[k].at, needles[k].n,
                             bounds[i], bounds[j], (gssize) (i + j) % 7 - 1);
}

/* ------------------------------------------------------------------ */
/* Errors                                                             */

/* Each call fails with @domain/@code, its failure value and n_offsets 0. */
static void
assert_bulk_fails (MmapObject *map,
                   GQuark      domain,
                   int         code)
{
  g_autoptr(GError) error = NULL;
  gsize n = 99;

  g_assert_null (mmap_object_find_all (map, (const guint8 *) "ab", 2, 0, ALL,
                                       -1, &n, &error));
  g_assert_error (error, domain, code);
  g_assert_cmpuint (n, ==, 0);
  g_clear_error (&error);

  n = 99;
  g_assert_null (mmap_object_find_all (map, NULL, 0, 0, ALL, -1, &n,
                                       &error));
  g_assert_error (error, domain, code);
  g_assert_cmpuint (n, ==, 0);
  g_clear_error (&error);

  g_assert_cmpint (mmap_object_count (map, (const guint8 *) "\n", 1, 0, ALL,
                                      &error), ==, -1);
  g_assert_error (error, domain, code);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_count (map, NULL, 0, -5, 3, &error), ==, -1);
  g_assert_error (error, domain, code);
  g_clear_error (&error);

  n = 99;
  g_assert_null (mmap_object_line_offsets (map, 0, ALL, -1, &n, &error));
  g_assert_error (error, domain, code);
  g_assert_cmpuint (n, ==, 0);
  g_clear_error (&error);
}

static void
test_closed (void)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = map_of_string ("a\nb\n");

  g_assert_true (mmap_object_close (map, &error));
  g_assert_no_error (error);
  assert_bulk_fails (map, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_assert_finalize_object (map);
}

static void
test_not_initialized (void)
{
  MmapObject *map = g_object_new (MMAP_TYPE_OBJECT, "length", (guint64) 10,
                                  NULL);

  assert_bulk_fails (map, MMAP_ERROR, MMAP_ERROR_NOT_INITIALIZED);
  g_assert_finalize_object (map);
}

static void
test_prot_none (void)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = mmap_object_new_full (-1, 100, MMAP_MAP_PRIVATE,
                                          MMAP_PROT_NONE,
                                          MMAP_ACCESS_DEFAULT, 0, TRUE,
                                          &error);

  g_assert_no_error (error);
  assert_bulk_fails (map, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_assert_finalize_object (map);
}

/* A write-only map is readable where Linux makes it so (and Python reads
 * it); elsewhere the calls fail as for PROT_NONE. */
static void
test_prot_write_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "x\ny\nzx", 6);
  MmapObject *map;

  map = mmap_object_new_full (file->fd, 0, MMAP_MAP_SHARED, MMAP_PROT_WRITE,
                              MMAP_ACCESS_DEFAULT, 0, TRUE, &error);
  g_assert_no_error (error);

#if defined (__linux__) \
    && (defined (__x86_64__) || defined (__i386__) || defined (__aarch64__))
  check_find_all (map, "x", 0, ALL, -1, 0, 5, END);
  check_lines (map, 0, ALL, -1, 0, 2, 4, END);
#else
  assert_bulk_fails (map, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
#endif
  g_assert_finalize_object (map);
}

static void
assert_sigbus_error (const GError *error,
                     const char   *what)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_IO_ERROR);
  g_assert_cmpint (mt_errno_from_error (error), ==, EIO);
  g_assert_nonnull (strstr (error->message, "SIGBUS"));
  g_assert_nonnull (strstr (error->message, what));
}

/* A file truncated under the map: scans that reach the lost pages fail
 * with EIO (dropping what they had found), the others still work. */
static void
test_truncated (void)
{
  gsize page = mmap_get_page_size ();
  gsize len = 3 * page;
  g_autofree guint8 *data = g_malloc (len);
  g_autoptr(MtFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree goffset *first = NULL;
  MmapObject *map;
  gsize n = 99;

  mt_fill_pattern (data, len, 7);
  file = mt_file_new (data, len);
  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);

  /* Keep the first page only. */
  g_assert_cmpint (ftruncate (file->fd, (off_t) page), ==, 0);

  /* A needle that is not there makes the scan reach the lost pages;
   * "\n" and lines find hundreds before the fault. */
  g_assert_null (mmap_object_find_all (map, (const guint8 *) "#!", 2, 0, ALL,
                                       -1, &n, &error));
  assert_sigbus_error (error, "find_all");
  g_assert_cmpuint (n, ==, 0);
  g_clear_error (&error);
  g_assert_null (mmap_object_find_all (map, (const guint8 *) "\n", 1, 0, ALL,
                                       -1, &n, &error));
  assert_sigbus_error (error, "find_all");
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_count (map, (const guint8 *) "\n", 1, 0, ALL,
                                      &error), ==, -1);
  assert_sigbus_error (error, "count");
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_count (map, (const guint8 *) "#!", 2, -10, ALL,
                                      &error), ==, -1);
  assert_sigbus_error (error, "count");
  g_clear_error (&error);
  g_assert_null (mmap_object_line_offsets (map, 0, ALL, -1, &n, &error));
  assert_sigbus_error (error, "line_offsets");
  g_assert_cmpuint (n, ==, 0);
  g_clear_error (&error);

  /* The first page still scans, and so does any scan that stops in it. */
  g_assert_cmpint (mmap_object_count (map, (const guint8 *) "\n", 1, 0,
                                      (gssize) page, &error),
                   ==, (gssize) (page / 41));
  g_assert_no_error (error);
  first = mmap_object_line_offsets (map, 0, ALL, 3, &n, &error);
  g_assert_no_error (error);
  assert_offsets (first, n, (const goffset[]) { 0, 41, 82 }, 3);
  g_clear_pointer (&first, g_free);
  first = mmap_object_find_all (map, data + 40, 2, 0, ALL, 2, &n, &error);
  g_assert_no_error (error);
  /* "\n" then 'i' comes back after lcm (41, 26) bytes. */
  assert_offsets (first, n, (const goffset[]) { 40, 1106 }, 2);
  /* An empty needle touches no memory. */
  g_assert_cmpint (mmap_object_count (map, NULL, 0, 0, ALL, &error), ==,
                   (gssize) len + 1);
  g_assert_no_error (error);

  /* The pages come back, as zeroes, when the file grows again. */
  g_assert_cmpint (ftruncate (file->fd, (off_t) len), ==, 0);
  g_assert_cmpint (mmap_object_count (map, (const guint8 *) "\n", 1, 0, ALL,
                                      &error), ==, (gssize) (page / 41));
  g_assert_no_error (error);

  g_assert_finalize_object (map);
}

/* A needle in mapped memory whose file was truncated: the fault is the
 * caller's data's, not the map's. */
static void
test_needle_faults (void)
{
  gsize page = mmap_get_page_size ();
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "abc", 3);
  g_autoptr(GError) error = NULL;
  MmapObject *map = map_of_string ("abcabc");
  guint8 *raw;
  gsize n = 99;

  raw = mmap (NULL, page, PROT_READ, MAP_SHARED, file->fd, 0);
  g_assert_true (raw != MAP_FAILED);
  g_assert_cmpint (ftruncate (file->fd, 0), ==, 0);

  g_assert_null (mmap_object_find_all (map, raw, 2, 0, ALL, -1, &n, &error));
  assert_sigbus_error (error, "data given");
  g_assert_cmpuint (n, ==, 0);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_count (map, raw, 1, 0, ALL, &error), ==, -1);
  assert_sigbus_error (error, "data given");

  g_assert_cmpint (munmap (raw, page), ==, 0);
  g_assert_finalize_object (map);
}

/* ------------------------------------------------------------------ */
/* Programmer errors                                                  */

static void
pre_find_all_null_self (void)
{
  gsize n;

  mmap_object_find_all (NULL, (const guint8 *) "a", 1, 0, ALL, -1, &n, NULL);
}

static void
pre_find_all_null_needle (void)
{
  g_autoptr(MmapObject) map = map_of_string ("abc");
  gsize n;

  mmap_object_find_all (map, NULL, 1, 0, ALL, -1, &n, NULL);
}

static void
pre_find_all_null_n (void)
{
  g_autoptr(MmapObject) map = map_of_string ("abc");

  mmap_object_find_all (map, (const guint8 *) "a", 1, 0, ALL, -1, NULL, NULL);
}

static void
pre_count_null_self (void)
{
  mmap_object_count (NULL, (const guint8 *) "a", 1, 0, ALL, NULL);
}

static void
pre_count_null_needle (void)
{
  g_autoptr(MmapObject) map = map_of_string ("abc");

  mmap_object_count (map, NULL, 2, 0, ALL, NULL);
}

static void
pre_lines_null_self (void)
{
  gsize n;

  mmap_object_line_offsets (NULL, 0, ALL, -1, &n, NULL);
}

static void
pre_lines_null_n (void)
{
  g_autoptr(MmapObject) map = map_of_string ("abc");

  mmap_object_line_offsets (map, 0, ALL, -1, NULL, NULL);
}

static void
pre_error_already_set (void)
{
  g_autoptr(MmapObject) map = map_of_string ("abc");
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR,
                                                 G_IO_ERROR_FAILED, "set");

  mmap_object_count (map, (const guint8 *) "a", 1, 0, ALL, &error);
}

typedef struct
{
  const char *name;
  void      (*func) (void);
} Precondition;

static const Precondition preconditions[] = {
#define P(n) { #n, pre_##n }
  P (find_all_null_self), P (find_all_null_needle), P (find_all_null_n),
  P (count_null_self), P (count_null_needle), P (lines_null_self),
  P (lines_null_n), P (error_already_set),
#undef P
};

static void
test_precondition (gconstpointer user_data)
{
  const Precondition *pre = user_data;

  if (g_test_subprocess ())
    {
      pre->func ();
      /* Not reached: the critical is fatal in tests. */
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

/* More offsets than memory can hold: an ENOMEM error, not an abort. The
 * address space is limited for the call only, after the map is made;
 * where the limit does not bite (sanitizers, valgrind), the test skips. */
static void
test_out_of_memory (void)
{
  gsize len = 64 << 20;
  g_autoptr(MtFile) file = mt_file_new (NULL, 0);
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GError) error = NULL;
  struct rlimit saved, limit;
  goffset *offsets = NULL;
  gpointer probe;
  gsize n = 1;

#if defined (__SANITIZE_ADDRESS__)
  /* ASan's allocator aborts instead of returning NULL. */
  g_test_skip ("AddressSanitizer aborts on an allocation that fails");
  return;
#endif
  g_assert_cmpint (ftruncate (file->fd, (off_t) len), ==, 0);
  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);

  /* Room for what the process has and 64 MiB more: the 512 MiB of an
   * offset for every byte do not fit. */
  g_assert_cmpint (getrlimit (RLIMIT_AS, &saved), ==, 0);
  limit = saved;
  limit.rlim_cur = mt_address_space_size () + (64 << 20);
  g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);
  probe = g_try_malloc (256 << 20);
  if (probe == NULL)
    offsets = mmap_object_find_all (map, NULL, 0, 0, G_MAXSSIZE, -1, &n,
                                    &error);
  g_assert_cmpint (setrlimit (RLIMIT_AS, &saved), ==, 0);

  if (probe != NULL)
    {
      g_free (probe);
      g_test_skip ("the address space limit does not bite here "
                   "(a sanitizer or valgrind)");
      return;
    }
  g_assert_null (offsets);
  g_assert_cmpuint (n, ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpint (mmap_error_get_errno (error), ==, ENOMEM);
  g_clear_error (&error);

  /* The map is as usable as before. */
  g_assert_cmpint (mmap_object_count (map, (const guint8 *) "\0", 1, 0, 4096,
                                      &error), ==, 4096);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mmap/Bulk/find-all/small", test_find_all_small);
  g_test_add_func ("/Mmap/Bulk/find-all/empty-needle",
                   test_find_all_empty_needle);
  g_test_add_func ("/Mmap/Bulk/line-offsets/small", test_line_offsets_small);
  g_test_add_func ("/Mmap/Bulk/empty-map", test_empty_map);
  g_test_add_func ("/Mmap/Bulk/many", test_many);
  g_test_add_func ("/Mmap/Bulk/position-unchanged", test_position_unchanged);
  g_test_add_func ("/Mmap/Bulk/random", test_random);
  mt_add_for_kinds ("/Mmap/Bulk/kinds", test_kinds);
  g_test_add_func ("/Mmap/Bulk/error/closed", test_closed);
  g_test_add_func ("/Mmap/Bulk/error/not-initialized", test_not_initialized);
  g_test_add_func ("/Mmap/Bulk/error/prot-none", test_prot_none);
  g_test_add_func ("/Mmap/Bulk/prot-write-only", test_prot_write_only);
  g_test_add_func ("/Mmap/Bulk/sigbus/truncated", test_truncated);
  g_test_add_func ("/Mmap/Bulk/sigbus/needle", test_needle_faults);
  g_test_add_func ("/Mmap/Bulk/error/out-of-memory", test_out_of_memory);
  for (gsize i = 0; i < G_N_ELEMENTS (preconditions); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Mmap/Bulk/precondition/%s",
                                               preconditions[i].name);

      g_test_add_data_func (path, &preconditions[i], test_precondition);
    }

  return g_test_run ();
}
