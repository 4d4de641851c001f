/* test-io.c: reading, writing, seeking, finding, flush, madvise, views
 *
 * Every test runs against every kind of map (see test-util.c): file-backed
 * in each access mode, with aligned and unaligned offsets, without a
 * tracked fd, and anonymous shared and private maps.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test-util.h"

static void
assert_pos (MmapObject *map,
            goffset     want)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (mmap_object_tell (map, &error), ==, want);
  g_assert_no_error (error);
}

static void
seek_to (MmapObject *map,
         goffset     pos)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (mmap_object_seek (map, pos, G_SEEK_SET, &error), ==, pos);
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------ */
/* read, read_byte, readline                                          */

static void
test_read (MtFixture     *fx,
           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  assert_pos (fx->map, 0);

  bytes = mmap_object_read (fx->map, 10, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, fx->expected, 10);
  g_bytes_unref (bytes);
  assert_pos (fx->map, 10);

  bytes = mmap_object_read (fx->map, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
  g_bytes_unref (bytes);
  assert_pos (fx->map, 10);

  /* Negative: everything that remains. */
  bytes = mmap_object_read (fx->map, -1, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, fx->expected + 10, fx->len - 10);
  g_bytes_unref (bytes);
  assert_pos (fx->map, (goffset) fx->len);

  seek_to (fx->map, 3);
  bytes = mmap_object_read (fx->map, G_MAXSSIZE, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, fx->expected + 3, fx->len - 3);
  g_bytes_unref (bytes);

  seek_to (fx->map, 7);
  bytes = mmap_object_read (fx->map, G_MINSSIZE, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, fx->expected + 7, fx->len - 7);
  g_bytes_unref (bytes);

  /* A read that asks for more than remains is short. */
  seek_to (fx->map, (goffset) fx->len - 4);
  bytes = mmap_object_read (fx->map, 100, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, fx->expected + fx->len - 4, 4);
  g_bytes_unref (bytes);
  assert_pos (fx->map, (goffset) fx->len);
}

static void
test_read_at_end (MtFixture     *fx,
                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  seek_to (fx->map, (goffset) fx->len);

  bytes = mmap_object_read (fx->map, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
  g_bytes_unref (bytes);

  bytes = mmap_object_read (fx->map, -1, &error);
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

  assert_pos (fx->map, (goffset) fx->len);
}

static void
test_read_byte (MtFixture     *fx,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < 50; i++)
    {
      g_assert_cmpint (mmap_object_read_byte (fx->map, &error), ==,
                       fx->expected[i]);
      g_assert_no_error (error);
      assert_pos (fx->map, (goffset) i + 1);
    }

  seek_to (fx->map, (goffset) fx->len - 1);
  g_assert_cmpint (mmap_object_read_byte (fx->map, &error), ==,
                   fx->expected[fx->len - 1]);
  g_assert_no_error (error);

  g_assert_cmpint (mmap_object_read_byte (fx->map, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  assert_pos (fx->map, (goffset) fx->len);
}

static void
test_readline (MtFixture     *fx,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) all = g_byte_array_new ();
  guint n_lines = 0;

  for (;;)
    {
      g_autoptr(GBytes) line = mmap_object_readline (fx->map, &error);
      gsize size;
      const guint8 *data;

      g_assert_no_error (error);
      data = g_bytes_get_data (line, &size);
      if (size == 0)
        break;

      /* Each line holds exactly one newline, at its end, unless it is the
       * last line and the map does not end in one. */
      g_assert_null (memchr (data, '\n', size - 1));
      if (all->len + size < fx->len)
        g_assert_cmpint (data[size - 1], ==, '\n');
      g_byte_array_append (all, data, (guint) size);
      assert_pos (fx->map, all->len);
      n_lines++;
      g_assert_cmpuint (n_lines, <=, fx->len);
    }

  g_assert_cmpmem (all->data, all->len, fx->expected, fx->len);
  g_assert_cmpuint (n_lines, >, 1);
}

static void
test_readline_no_newline (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = mmap_object_new_anonymous (6, &error);
  GBytes *line;

  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_write (map, (const guint8 *) "ab\ncd", 5,
                                      &error), ==, 5);
  seek_to (map, 0);

  line = mmap_object_readline (map, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (line, "ab\n", 3);
  g_bytes_unref (line);

  /* No newline before the end: the rest of the map. */
  line = mmap_object_readline (map, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (line, "cd\0", 3);
  g_bytes_unref (line);
  assert_pos (map, 6);
}

/* ------------------------------------------------------------------ */
/* write, write_bytes, write_byte                                     */

static void
assert_read_only (MtFixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static ("xy", 2);

  seek_to (fx->map, 2);

  g_assert_cmpint (mmap_object_write (fx->map, (const guint8 *) "xy", 2,
                                      &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);

  /* Even an empty write is refused. */
  g_assert_cmpint (mmap_object_write (fx->map, NULL, 0, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);

  g_assert_cmpint (mmap_object_write_bytes (fx->map, bytes, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);

  g_assert_false (mmap_object_write_byte (fx->map, 'x', &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);

  g_assert_false (mmap_object_set_byte (fx->map, 0, 'x', &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);

  /* The writable check comes before the index check. */
  g_assert_false (mmap_object_set_byte (fx->map, G_MAXSSIZE, 'x', &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);

  g_assert_false (mmap_object_set_slice (fx->map, 0, 2, 1,
                                         (const guint8 *) "xy", 2, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);

  /* And before the bounds check of move. */
  g_assert_false (mmap_object_move (fx->map, 0, 1, 2, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (mmap_object_move (fx->map, -1, 0, G_MAXSSIZE, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);

  assert_pos (fx->map, 2);
  mt_assert_map_is (fx->map, fx->expected, fx->len);
  mt_fixture_assert_file (fx);
}

static void
test_write (MtFixture     *fx,
            gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static ("WORLD", 5);

  if (!fx->info->writable)
    {
      assert_read_only (fx);
      return;
    }

  seek_to (fx->map, 5);
  g_assert_cmpint (mmap_object_write (fx->map, (const guint8 *) "HELLO", 5,
                                      &error), ==, 5);
  g_assert_no_error (error);
  memcpy (fx->expected + 5, "HELLO", 5);
  assert_pos (fx->map, 10);

  g_assert_cmpint (mmap_object_write_bytes (fx->map, bytes, &error), ==, 5);
  g_assert_no_error (error);
  memcpy (fx->expected + 10, "WORLD", 5);
  assert_pos (fx->map, 15);

  g_assert_true (mmap_object_write_byte (fx->map, '!', &error));
  g_assert_no_error (error);
  fx->expected[15] = '!';
  assert_pos (fx->map, 16);

  /* An empty write, with NULL data. */
  g_assert_cmpint (mmap_object_write (fx->map, NULL, 0, &error), ==, 0);
  g_assert_no_error (error);
  assert_pos (fx->map, 16);

  /* Exactly up to the end. */
  seek_to (fx->map, (goffset) fx->len - 3);
  g_assert_cmpint (mmap_object_write (fx->map, (const guint8 *) "END", 3,
                                      &error), ==, 3);
  g_assert_no_error (error);
  memcpy (fx->expected + fx->len - 3, "END", 3);
  assert_pos (fx->map, (goffset) fx->len);

  mt_assert_map_is (fx->map, fx->expected, fx->len);
  /* Visible to read(2) without a flush for shared maps; never for
   * private ones. */
  mt_fixture_assert_file (fx);

  g_assert_true (mmap_object_flush (fx->map, &error));
  g_assert_no_error (error);
  mt_fixture_assert_file (fx);
}

static void
test_write_out_of_range (MtFixture     *fx,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static ("abcdef", 6);

  if (!fx->info->writable)
    {
      assert_read_only (fx);
      return;
    }

  /* Never partial: nothing is written and the position stays. */
  seek_to (fx->map, (goffset) fx->len - 5);
  g_assert_cmpint (mmap_object_write (fx->map, (const guint8 *) "abcdef", 6,
                                      &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_write_bytes (fx->map, bytes, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  assert_pos (fx->map, (goffset) fx->len - 5);

  /* At the end: an empty write succeeds, a byte does not. */
  seek_to (fx->map, (goffset) fx->len);
  g_assert_cmpint (mmap_object_write (fx->map, NULL, 0, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_write (fx->map, (const guint8 *) "a", 1,
                                      &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_false (mmap_object_write_byte (fx->map, 'a', &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  assert_pos (fx->map, (goffset) fx->len);

  mt_assert_map_is (fx->map, fx->expected, fx->len);
  mt_fixture_assert_file (fx);
}

/* ------------------------------------------------------------------ */
/* get_byte, set_byte                                                 */

static void
test_get_set_byte (MtFixture     *fx,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  gssize len = (gssize) fx->len;
  const gssize bad[] = { len, len + 1, -len - 1, G_MAXSSIZE, G_MINSSIZE };

  seek_to (fx->map, 4);

  g_assert_cmpint (mmap_object_get_byte (fx->map, 0, &error), ==,
                   fx->expected[0]);
  g_assert_cmpint (mmap_object_get_byte (fx->map, 17, &error), ==,
                   fx->expected[17]);
  g_assert_cmpint (mmap_object_get_byte (fx->map, -1, &error), ==,
                   fx->expected[len - 1]);
  g_assert_cmpint (mmap_object_get_byte (fx->map, -len, &error), ==,
                   fx->expected[0]);
  g_assert_cmpint (mmap_object_get_byte (fx->map, len - 1, &error), ==,
                   fx->expected[len - 1]);
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_cmpint (mmap_object_get_byte (fx->map, bad[i], &error), ==,
                       -1);
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INDEX_OUT_OF_RANGE);
      g_clear_error (&error);
    }

  if (fx->info->writable)
    {
      g_assert_true (mmap_object_set_byte (fx->map, -1, 'Z', &error));
      g_assert_no_error (error);
      fx->expected[len - 1] = 'Z';
      g_assert_true (mmap_object_set_byte (fx->map, -len, 'A', &error));
      fx->expected[0] = 'A';
      g_assert_true (mmap_object_set_byte (fx->map, 9, 0, &error));
      fx->expected[9] = 0;
      g_assert_true (mmap_object_set_byte (fx->map, 10, 255, &error));
      fx->expected[10] = 255;
      g_assert_no_error (error);
      g_assert_cmpint (mmap_object_get_byte (fx->map, 10, &error), ==, 255);

      for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
        {
          g_assert_false (mmap_object_set_byte (fx->map, bad[i], 'q',
                                                &error));
          g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INDEX_OUT_OF_RANGE);
          g_clear_error (&error);
        }
    }
  else
    {
      g_assert_false (mmap_object_set_byte (fx->map, -1, 'Z', &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
      g_clear_error (&error);
    }

  /* Indexing leaves the position alone. */
  assert_pos (fx->map, 4);
  mt_assert_map_is (fx->map, fx->expected, fx->len);
  mt_fixture_assert_file (fx);
}

/* ------------------------------------------------------------------ */
/* find, rfind                                                        */

/* Python's slice-bound normalisation for find(): negative values count
 * from the end, then the bound is clamped to [0, len]. */
static gsize
ref_bound (gssize v,
           gsize  len)
{
  if (v < 0)
    {
      if (v < -(gssize) len)
        return 0;
      return (gsize) (v + (gssize) len);
    }
  return (gsize) v > len ? len : (gsize) v;
}

static gssize
ref_find (const guint8 *hay,
          gsize         len,
          const guint8 *needle,
          gsize         n,
          gssize        start_arg,
          gssize        end_arg,
          gboolean      reverse)
{
  gsize start = ref_bound (start_arg, len);
  gsize end = ref_bound (end_arg, len);

  if (end < start)
    return -1;
  if (n == 0)
    return (gssize) (reverse ? end : start);
  if (end - start < n)
    return -1;

  if (!reverse)
    {
      for (gsize i = start; i + n <= end; i++)
        if (memcmp (hay + i, needle, n) == 0)
          return (gssize) i;
    }
  else
    {
      for (gsize i = end - n + 1; i-- > start;)
        if (memcmp (hay + i, needle, n) == 0)
          return (gssize) i;
    }
  return -1;
}

static void
test_find (MtFixture     *fx,
           gconstpointer  user_data)
{
  gssize len = (gssize) fx->len;
  const gssize bounds[] = {
    G_MINSSIZE, -len - 5, -len, -len + 1, -100, -7, -1, 0, 1, 7, 41, 100,
    len - 41, len - 3, len - 1, len, len + 5, G_MAXSSIZE,
  };
  struct { gsize at; gsize n; } needles[] = {
    { 0, 1 }, { 0, 3 }, { 10, 5 }, { 38, 5 }, { 200, 2 }, { 0, 0 },
    { 0, 50 },
  };
  guint n_found = 0;

  seek_to (fx->map, 13);

  for (gsize k = 0; k < G_N_ELEMENTS (needles) + 2; k++)
    {
      const guint8 *needle;
      gsize n;

      if (k < G_N_ELEMENTS (needles))
        {
          needle = fx->expected + needles[k].at;
          n = needles[k].n;
        }
      else if (k == G_N_ELEMENTS (needles))
        {
          needle = (const guint8 *) "ZZZ";   /* not in the pattern */
          n = 3;
        }
      else
        {
          needle = fx->expected + len - 4;   /* the tail */
          n = 4;
        }

      for (gsize i = 0; i < G_N_ELEMENTS (bounds); i++)
        for (gsize j = 0; j < G_N_ELEMENTS (bounds); j++)
          for (int rev = 0; rev < 2; rev++)
            {
              g_autoptr(GError) error = NULL;
              gssize want = ref_find (fx->expected, fx->len, needle, n,
                                      bounds[i], bounds[j], rev);
              gssize got;

              if (rev)
                got = mmap_object_rfind_range (fx->map, needle, n, bounds[i],
                                               bounds[j], &error);
              else
                got = mmap_object_find_range (fx->map, needle, n, bounds[i],
                                              bounds[j], &error);
              g_assert_no_error (error);
              if (got != want)
                g_error ("%sfind_range (needle %" G_GSIZE_FORMAT "+%"
                         G_GSIZE_FORMAT ", %" G_GSSIZE_FORMAT ", %"
                         G_GSSIZE_FORMAT ") = %" G_GSSIZE_FORMAT
                         ", expected %" G_GSSIZE_FORMAT,
                         rev ? "r" : "", k, n, bounds[i], bounds[j], got,
                         want);
              if (want >= 0)
                n_found++;
            }
    }

  /* The reference must have found things, or this proves nothing. */
  g_assert_cmpuint (n_found, >, 100);
  assert_pos (fx->map, 13);
}

static void
test_find_from_position (MtFixture     *fx,
                         gconstpointer  user_data)
{
  gssize len = (gssize) fx->len;
  const goffset positions[] = { 0, 1, 40, 41, len / 2, len - 2, len };

  for (gsize p = 0; p < G_N_ELEMENTS (positions); p++)
    {
      seek_to (fx->map, positions[p]);

      for (gsize at = 0; at < fx->len; at += 97)
        for (gsize n = 0; n <= 3 && at + n <= fx->len; n++)
          {
            g_autoptr(GError) error = NULL;
            const guint8 *needle = fx->expected + at;

            g_assert_cmpint (mmap_object_find (fx->map, needle, n, &error),
                             ==, ref_find (fx->expected, fx->len, needle, n,
                                           positions[p], G_MAXSSIZE, FALSE));
            g_assert_cmpint (mmap_object_rfind (fx->map, needle, n, &error),
                             ==, ref_find (fx->expected, fx->len, needle, n,
                                           positions[p], G_MAXSSIZE, TRUE));
            g_assert_no_error (error);
          }

      assert_pos (fx->map, positions[p]);
    }

  /* Empty needle rules, as Python: find gives the start, rfind the end,
   * and a start past the end clamps to the length. */
  seek_to (fx->map, 5);
  g_assert_cmpint (mmap_object_find (fx->map, NULL, 0, NULL), ==, 5);
  g_assert_cmpint (mmap_object_rfind (fx->map, NULL, 0, NULL), ==, len);
  g_assert_cmpint (mmap_object_find_range (fx->map, NULL, 0, len + 1,
                                           G_MAXSSIZE, NULL), ==, len);
  g_assert_cmpint (mmap_object_find_range (fx->map, NULL, 0, 10, 5, NULL),
                   ==, -1);
  g_assert_cmpint (mmap_object_rfind_range (fx->map, NULL, 0, 3, 9, NULL),
                   ==, 9);
  g_assert_cmpint (mmap_object_find_range (fx->map, NULL, 0, -3, G_MAXSSIZE,
                                           NULL), ==, len - 3);
  seek_to (fx->map, len);
  g_assert_cmpint (mmap_object_find (fx->map, fx->expected, 1, NULL), ==, -1);
  g_assert_cmpint (mmap_object_find (fx->map, NULL, 0, NULL), ==, len);
}

/* ------------------------------------------------------------------ */
/* seek, tell                                                         */

static void
test_seek (MtFixture     *fx,
           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  goffset len = (goffset) fx->len;
  struct { goffset pos; GSeekType whence; goffset start; goffset want; }
  ok[] = {
    { 0, G_SEEK_SET, 7, 0 },
    { 10, G_SEEK_SET, 0, 10 },
    { len, G_SEEK_SET, 0, len },       /* exactly the end is allowed */
    { 5, G_SEEK_CUR, 10, 15 },
    { -5, G_SEEK_CUR, 10, 5 },
    { -10, G_SEEK_CUR, 10, 0 },
    { 0, G_SEEK_CUR, len, len },
    { 0, G_SEEK_END, 3, len },
    { -1, G_SEEK_END, 3, len - 1 },
    { -len, G_SEEK_END, 3, 0 },
  };
  struct { goffset pos; GSeekType whence; goffset start; } bad[] = {
    { -1, G_SEEK_SET, 3 },
    { len + 1, G_SEEK_SET, 3 },
    { G_MAXINT64, G_SEEK_SET, 3 },
    { G_MININT64, G_SEEK_SET, 3 },
    { -4, G_SEEK_CUR, 3 },
    { len - 2, G_SEEK_CUR, 3 },
    { G_MAXINT64, G_SEEK_CUR, 3 },     /* overflows */
    { G_MININT64, G_SEEK_CUR, 3 },
    { 1, G_SEEK_END, 3 },
    { -len - 1, G_SEEK_END, 3 },
    { G_MAXINT64, G_SEEK_END, 3 },
    { G_MININT64, G_SEEK_END, 3 },
  };
  const int bad_whence[] = { 3, -1, 42 };

  for (gsize i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      seek_to (fx->map, ok[i].start);
      g_assert_cmpint (mmap_object_seek (fx->map, ok[i].pos, ok[i].whence,
                                         &error), ==, ok[i].want);
      g_assert_no_error (error);
      assert_pos (fx->map, ok[i].want);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      seek_to (fx->map, bad[i].start);
      g_assert_cmpint (mmap_object_seek (fx->map, bad[i].pos, bad[i].whence,
                                         &error), ==, -1);
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
      g_clear_error (&error);
      assert_pos (fx->map, bad[i].start);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad_whence); i++)
    {
      seek_to (fx->map, 3);
      g_assert_cmpint (mmap_object_seek (fx->map, 0,
                                         (GSeekType) bad_whence[i], &error),
                       ==, -1);
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      assert_pos (fx->map, 3);
    }

  g_assert_true (mmap_object_seekable (fx->map));
}

/* ------------------------------------------------------------------ */
/* move                                                               */

static void
test_move (MtFixture     *fx,
           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  gssize len = (gssize) fx->len;
  struct { goffset dest, src; gssize count; } ok[] = {
    { 10, 0, 30 },                /* overlap, forwards */
    { 0, 10, 30 },                /* overlap, backwards */
    { 1, 0, len - 1 },
    { 0, 1, len - 1 },
    { 100, 200, 50 },             /* disjoint */
    { 5, 5, 10 },                 /* onto itself */
    { 0, 0, len },
    { len, len, 0 },              /* empty, at the end */
    { 3, 9, 0 },
  };
  struct { goffset dest, src; gssize count; } bad[] = {
    { -1, 0, 1 },
    { 0, -1, 1 },
    { 0, 0, -1 },
    { 1, 0, len },
    { 0, 1, len },
    { len + 1, 0, 0 },
    { 0, len + 1, 0 },
    { len - 2, 0, 3 },
    { 0, G_MAXINT64, 1 },
    { G_MAXINT64, 0, 1 },
    { 1, 0, G_MAXSSIZE },
  };

  if (!fx->info->writable)
    {
      assert_read_only (fx);
      return;
    }

  seek_to (fx->map, 6);

  for (gsize i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_assert_true (mmap_object_move (fx->map, ok[i].dest, ok[i].src,
                                       ok[i].count, &error));
      g_assert_no_error (error);
      memmove (fx->expected + ok[i].dest, fx->expected + ok[i].src,
               (gsize) ok[i].count);
      mt_assert_map_is (fx->map, fx->expected, fx->len);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (mmap_object_move (fx->map, bad[i].dest, bad[i].src,
                                        bad[i].count, &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
      g_clear_error (&error);
    }

  assert_pos (fx->map, 6);
  mt_assert_map_is (fx->map, fx->expected, fx->len);
  mt_fixture_assert_file (fx);
}

/* ------------------------------------------------------------------ */
/* flush, madvise                                                     */

static void
test_flush (MtFixture     *fx,
            gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  goffset len = (goffset) fx->len;
  struct { goffset offset; gssize size; } ok[] = {
    { 0, -1 }, { 0, (gssize) len }, { 0, 0 }, { 1, 9 }, { 10, 0 },
    { 4097 % len, 3 }, { len - 1, 1 }, { len, 0 }, { len, -1 }, { 7, -1 },
  };
  struct { goffset offset; gssize size; } bad[] = {
    { -1, 0 }, { 0, -2 }, { 0, (gssize) len + 1 }, { 1, (gssize) len },
    { len + 1, 0 }, { len + 1, -1 }, { G_MAXINT64, 1 }, { 0, G_MAXSSIZE },
    { G_MININT64, -1 },
  };

  if (fx->info->writable)
    {
      g_assert_true (mmap_object_set_byte (fx->map, 1, '#', &error));
      g_assert_no_error (error);
      fx->expected[1] = '#';
    }

  g_assert_true (mmap_object_flush (fx->map, &error));
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      /* Unaligned offsets are aligned by the library. */
      if (!mmap_object_flush_range (fx->map, ok[i].offset, ok[i].size,
                                    &error))
        g_error ("flush_range (%" G_GOFFSET_FORMAT ", %" G_GSSIZE_FORMAT
                 ") failed: %s", ok[i].offset, ok[i].size, error->message);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (mmap_object_flush_range (fx->map, bad[i].offset,
                                               bad[i].size, &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
      g_clear_error (&error);
    }

  mt_assert_map_is (fx->map, fx->expected, fx->len);
  mt_fixture_assert_file (fx);
}

static void
test_madvise (MtFixture     *fx,
              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  goffset len = (goffset) fx->len;
  const MmapAdvice hints[] = {
    MMAP_ADVICE_NORMAL, MMAP_ADVICE_RANDOM, MMAP_ADVICE_SEQUENTIAL,
    MMAP_ADVICE_WILLNEED, MMAP_ADVICE_DONTDUMP, MMAP_ADVICE_DODUMP,
  };
  const MmapAdvice recent[] = {
    MMAP_ADVICE_COLD, MMAP_ADVICE_POPULATE_READ,
  };
  struct { goffset start; gssize length; } ok[] = {
    { 0, -1 }, { 0, 1 }, { 1, 10 }, { 4095 % len, 2 }, { len - 1, 1 },
    { len - 1, G_MAXSSIZE - len + 1 }, { 3, (gssize) len * 10 }, { 5, 0 },
  };
  struct { goffset start; gssize length; int code; } bad[] = {
    { -1, 1, MMAP_ERROR_OUT_OF_RANGE },
    { len, 1, MMAP_ERROR_OUT_OF_RANGE },
    { len + 1, -1, MMAP_ERROR_OUT_OF_RANGE },
    { G_MININT64, 1, MMAP_ERROR_OUT_OF_RANGE },
    { 0, -2, MMAP_ERROR_OUT_OF_RANGE },
    { 1, G_MAXSSIZE, MMAP_ERROR_OVERFLOW },
  };

  seek_to (fx->map, 8);

  for (gsize i = 0; i < G_N_ELEMENTS (hints); i++)
    {
      g_assert_true (mmap_object_madvise (fx->map, hints[i], &error));
      g_assert_no_error (error);
      for (gsize j = 0; j < G_N_ELEMENTS (ok); j++)
        {
          if (!mmap_object_madvise_range (fx->map, hints[i], ok[j].start,
                                          ok[j].length, &error))
            g_error ("madvise_range (%d, %" G_GOFFSET_FORMAT ", %"
                     G_GSSIZE_FORMAT ") failed: %s", hints[i], ok[j].start,
                     ok[j].length, error->message);
        }
    }

  for (gsize i = 0; i < G_N_ELEMENTS (recent); i++)
    {
      if (!mmap_object_madvise (fx->map, recent[i], &error))
        {
          g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_SUPPORTED);
          g_clear_error (&error);
        }
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (mmap_object_madvise_range (fx->map, MMAP_ADVICE_NORMAL,
                                                 bad[i].start, bad[i].length,
                                                 &error));
      g_assert_error (error, MMAP_ERROR, bad[i].code);
      g_clear_error (&error);
    }

  /* An advice outside MmapAdvice never reaches the kernel. */
  g_assert_false (mmap_object_madvise (fx->map, (MmapAdvice) 9999, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Hints change nothing. */
  assert_pos (fx->map, 8);
  mt_assert_map_is (fx->map, fx->expected, fx->len);
  mt_fixture_assert_file (fx);
}

static MmapObject *
new_private_anonymous (gsize   len,
                       guint8  fill)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (len);
  MmapObject *map;

  map = mmap_object_new_full (-1, len, MMAP_MAP_PRIVATE,
                              MMAP_PROT_READ | MMAP_PROT_WRITE,
                              MMAP_ACCESS_DEFAULT, 0, TRUE, &error);
  g_assert_no_error (error);
  memset (buf, fill, len);
  g_assert_true (mmap_object_set_slice (map, 0, G_MAXSSIZE, 1, buf, len,
                                        &error));
  g_assert_no_error (error);

  return map;
}

static void
assert_range_is (MmapObject *map,
                 gsize       start,
                 gsize       end,
                 guint8      value)
{
  g_autoptr(GBytes) bytes = mmap_object_get_slice (map, (gssize) start,
                                                   (gssize) end, 1, NULL);
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  g_assert_cmpuint (size, ==, end - start);
  for (gsize i = 0; i < size; i++)
    if (data[i] != value)
      g_error ("byte %" G_GSIZE_FORMAT " is %d, expected %d", start + i,
               data[i], value);
}

/* DONTNEED zeroes private anonymous pages: the library must apply it only
 * to the pages entirely inside the range. */
static void
test_madvise_dontneed_narrowed (void)
{
  g_autoptr(GError) error = NULL;
  gsize page = mmap_get_page_size ();
  MmapObject *map;

  /* A sub-page range inside one page: nothing may change. */
  map = new_private_anonymous (3 * page, 0xaa);
  g_assert_true (mmap_object_madvise_range (map, MMAP_ADVICE_DONTNEED, 100,
                                            200, &error));
  g_assert_no_error (error);
  assert_range_is (map, 0, 3 * page, 0xaa);
  g_assert_finalize_object (map);

  /* An unaligned range covering page 1 entirely: page 1 is dropped, the
   * partial pages around it are kept. */
  map = new_private_anonymous (3 * page, 0xaa);
  g_assert_true (mmap_object_madvise_range (map, MMAP_ADVICE_DONTNEED, 100,
                                            (gssize) (2 * page), &error));
  g_assert_no_error (error);
  assert_range_is (map, 0, page, 0xaa);
  assert_range_is (map, page, 2 * page, 0);
  assert_range_is (map, 2 * page, 3 * page, 0xaa);
  g_assert_finalize_object (map);

  /* A range that ends at the end of the map drops its last partial page,
   * since no byte of the map follows it. */
  map = new_private_anonymous (2 * page + 100, 0xaa);
  g_assert_true (mmap_object_madvise_range (map, MMAP_ADVICE_DONTNEED, 10,
                                            -1, &error));
  g_assert_no_error (error);
  assert_range_is (map, 0, page, 0xaa);
  assert_range_is (map, page, 2 * page + 100, 0);
  g_assert_finalize_object (map);

  /* The whole map. */
  map = new_private_anonymous (page + 1, 0xaa);
  g_assert_true (mmap_object_madvise (map, MMAP_ADVICE_DONTNEED, &error));
  g_assert_no_error (error);
  assert_range_is (map, 0, page + 1, 0);
  g_assert_finalize_object (map);
}

/* DONTNEED keeps the contents of shared maps (file and memfd). */
static void
test_madvise_dontneed_shared (MtFixture     *fx,
                              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  if (fx->info->kind == MT_KIND_FILE_COPY
      || fx->info->kind == MT_KIND_FILE_PRIVATE
      || fx->info->kind == MT_KIND_ANON_PRIVATE)
    {
      g_test_skip ("private map: DONTNEED discards its changes");
      return;
    }

  g_assert_true (mmap_object_madvise (fx->map, MMAP_ADVICE_DONTNEED,
                                      &error));
  g_assert_no_error (error);
  mt_assert_map_is (fx->map, fx->expected, fx->len);
  mt_fixture_assert_file (fx);
}

/* Advice the kernel refuses for this kind of map is its EINVAL, not
 * NOT_SUPPORTED: FREE needs a private anonymous map, REMOVE a shared
 * one. */
static void
test_madvise_kernel_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "0123456789", 10);
  gsize page = mmap_get_page_size ();
  MmapObject *shared, *private;

  shared = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  g_assert_false (mmap_object_madvise (shared, MMAP_ADVICE_FREE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (mt_errno_from_error (error), ==, 22);
  g_clear_error (&error);
  mt_assert_map_is (shared, (const guint8 *) "0123456789", 10);
  g_assert_finalize_object (shared);

  private = new_private_anonymous (2 * page, 0x55);
  g_assert_false (mmap_object_madvise (private, MMAP_ADVICE_REMOVE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (mt_errno_from_error (error), ==, 22);
  g_clear_error (&error);
  assert_range_is (private, 0, 2 * page, 0x55);

  /* FREE is fine on a private anonymous map. */
  g_assert_true (mmap_object_madvise (private, MMAP_ADVICE_FREE, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (private);
}

/* ------------------------------------------------------------------ */
/* size, view, to_string                                              */

static void
test_size (MtFixture     *fx,
           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  if (!fx->info->has_size)
    {
      g_assert_cmpint (mmap_object_size (fx->map, &error), ==, -1);
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NO_TRACKED_FD);
      return;
    }

  /* The whole file, bytes before the offset included. */
  g_assert_cmpint (mmap_object_size (fx->map, &error), ==,
                   (goffset) fx->file_len);
  g_assert_no_error (error);

  /* It follows changes made by others. */
  g_assert_cmpint (ftruncate (fx->file->fd, (off_t) fx->file_len + 1000),
                   ==, 0);
  g_assert_cmpint (mmap_object_size (fx->map, &error), ==,
                   (goffset) fx->file_len + 1000);
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (fx->map), ==, fx->len);
  g_assert_cmpint (ftruncate (fx->file->fd, (off_t) fx->file_len), ==, 0);
}

static void
test_view (MtFixture     *fx,
           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  GBytes *all, *part, *again, *empty;
  const guint8 *data;
  gsize size;

  g_assert_cmpuint (mmap_object_get_n_views (fx->map), ==, 0);

  all = mmap_object_view (fx->map, 0, -1, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (all, fx->expected, fx->len);
  g_assert_cmpuint (mmap_object_get_n_views (fx->map), ==, 1);

  part = mmap_object_view (fx->map, 7, 20, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (part, fx->expected + 7, 20);
  g_assert_cmpuint (mmap_object_get_n_views (fx->map), ==, 2);

  /* Zero-copy: both views point into the same memory. */
  data = g_bytes_get_data (all, NULL);
  g_assert_true ((const guint8 *) g_bytes_get_data (part, NULL) == data + 7);

  again = mmap_object_view (fx->map, fx->len - 5, -1, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (again, fx->expected + fx->len - 5, 5);
  g_bytes_unref (again);
  g_assert_cmpuint (mmap_object_get_n_views (fx->map), ==, 2);

  empty = mmap_object_view (fx->map, fx->len, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (empty), ==, 0);
  g_bytes_unref (empty);
  empty = mmap_object_view (fx->map, 3, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (empty), ==, 0);
  g_bytes_unref (empty);

  g_assert_null (mmap_object_view (fx->map, fx->len + 1, -1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_null (mmap_object_view (fx->map, 1, (gssize) fx->len, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_null (mmap_object_view (fx->map, 0, G_MAXSSIZE, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_null (mmap_object_view (fx->map, G_MAXSIZE, 1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);

  /* A later write through the object shows in the view. */
  if (fx->info->writable)
    {
      g_assert_true (mmap_object_set_byte (fx->map, 8, '@', &error));
      g_assert_no_error (error);
      fx->expected[8] = '@';
      seek_to (fx->map, 20);
      g_assert_cmpint (mmap_object_write (fx->map, (const guint8 *) "<>", 2,
                                          &error), ==, 2);
      memcpy (fx->expected + 20, "<>", 2);
      mt_assert_bytes_eq (part, fx->expected + 7, 20);
      mt_assert_bytes_eq (all, fx->expected, fx->len);
    }

  /* The views survive close(). */
  g_assert_true (mmap_object_close (fx->map, &error));
  g_assert_no_error (error);
  g_assert_true (mmap_object_get_closed (fx->map));
  data = g_bytes_get_data (part, &size);
  g_assert_cmpmem (data, size, fx->expected + 7, 20);
  mt_assert_bytes_eq (all, fx->expected, fx->len);

  g_bytes_unref (part);
  g_bytes_unref (all);
  g_assert_cmpuint (mmap_object_get_n_views (fx->map), ==, 0);
  mt_fixture_assert_file (fx);
}

static void
test_view_count (MtFixture     *fx,
                 gconstpointer  user_data)
{
  GBytes *views[5];

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      views[i] = mmap_object_view (fx->map, i, 3, NULL);
      g_assert_nonnull (views[i]);
      g_assert_cmpuint (mmap_object_get_n_views (fx->map), ==, i + 1);
    }
  /* A reference on a view is not another view. */
  g_bytes_ref (views[0]);
  g_assert_cmpuint (mmap_object_get_n_views (fx->map), ==, 5);
  g_bytes_unref (views[0]);

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_bytes_unref (views[i]);
      g_assert_cmpuint (mmap_object_get_n_views (fx->map), ==, 4 - i);
    }
}

static void
test_to_string (MtFixture     *fx,
                gconstpointer  user_data)
{
  static const char *names[] = {
    "ACCESS_DEFAULT", "ACCESS_READ", "ACCESS_WRITE", "ACCESS_COPY",
  };
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  g_autofree char *closed = NULL;

  seek_to (fx->map, 3);
  want = g_strdup_printf ("<Mmap.Object closed=False, access=%s, length=%"
                          G_GSIZE_FORMAT ", pos=3, offset=%" G_GOFFSET_FORMAT
                          ">", names[fx->info->access], fx->len,
                          fx->info->offset);
  got = mmap_object_to_string (fx->map);
  g_assert_cmpstr (got, ==, want);

  g_assert_true (mmap_object_close (fx->map, NULL));
  closed = mmap_object_to_string (fx->map);
  g_assert_cmpstr (closed, ==, "<Mmap.Object closed=True>");
}

/* ------------------------------------------------------------------ */
/* Maps that are empty or stay private                                */

static void
test_empty_map_io (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = mmap_object_new_anonymous (0, &error);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) line = NULL;
  g_autoptr(GBytes) view = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 0);

  bytes = mmap_object_read (map, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
  line = mmap_object_readline (map, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (line), ==, 0);
  view = mmap_object_view (map, 0, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (view), ==, 0);

  g_assert_cmpint (mmap_object_read_byte (map, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INDEX_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_get_byte (map, -1, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INDEX_OUT_OF_RANGE);
  g_clear_error (&error);

  g_assert_cmpint (mmap_object_write (map, NULL, 0, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_write (map, (const guint8 *) "a", 1, &error),
                   ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);

  g_assert_cmpint (mmap_object_find (map, NULL, 0, &error), ==, 0);
  g_assert_cmpint (mmap_object_rfind (map, (const guint8 *) "a", 1, &error),
                   ==, -1);
  g_assert_cmpint (mmap_object_seek (map, 0, G_SEEK_END, &error), ==, 0);
  g_assert_true (mmap_object_flush (map, &error));
  g_assert_true (mmap_object_move (map, 0, 0, 0, &error));
  g_assert_no_error (error);

  /* madvise has no start inside an empty map, as in Python. */
  g_assert_false (mmap_object_madvise (map, MMAP_ADVICE_NORMAL, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
}

/* A fresh anonymous map is zeroed. */
static void
test_anonymous_zeroed (void)
{
  g_autoptr(GError) error = NULL;
  gsize page = mmap_get_page_size ();
  MmapObject *map = mmap_object_new_anonymous (2 * page + 5, &error);

  g_assert_no_error (error);
  assert_range_is (map, 0, 2 * page + 5, 0);
  g_assert_finalize_object (map);

  map = mmap_object_new_full (-1, 17, MMAP_MAP_PRIVATE,
                              MMAP_PROT_READ | MMAP_PROT_WRITE,
                              MMAP_ACCESS_DEFAULT, 0, TRUE, &error);
  g_assert_no_error (error);
  assert_range_is (map, 0, 17, 0);
  g_assert_finalize_object (map);
}

/* Two maps of one file: a shared write shows in the other map, a COPY
 * write does not. */
static void
test_shared_between_maps (void)
{
  g_autoptr(GError) error = NULL;
  guint8 data[64];
  g_autoptr(MtFile) file = NULL;
  MmapObject *writer, *copy, *reader;

  mt_fill_pattern (data, sizeof data, 3);
  file = mt_file_new (data, sizeof data);

  writer = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  copy = mmap_object_new (file->fd, 0, MMAP_ACCESS_COPY, 0, &error);
  g_assert_no_error (error);
  reader = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);

  g_assert_true (mmap_object_set_byte (copy, 1, 'C', &error));
  g_assert_true (mmap_object_set_byte (writer, 2, 'W', &error));
  g_assert_no_error (error);

  g_assert_cmpint (mmap_object_get_byte (reader, 1, NULL), ==, data[1]);
  g_assert_cmpint (mmap_object_get_byte (reader, 2, NULL), ==, 'W');
  g_assert_cmpint (mmap_object_get_byte (writer, 1, NULL), ==, data[1]);
  g_assert_cmpint (mmap_object_get_byte (copy, 1, NULL), ==, 'C');

  g_assert_finalize_object (writer);
  g_assert_finalize_object (copy);
  g_assert_finalize_object (reader);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  mt_add_for_kinds ("/Mmap/Object/read/basic", test_read);
  mt_add_for_kinds ("/Mmap/Object/read/at-end", test_read_at_end);
  mt_add_for_kinds ("/Mmap/Object/read-byte", test_read_byte);
  mt_add_for_kinds ("/Mmap/Object/readline", test_readline);
  g_test_add_func ("/Mmap/Object/readline/no-newline",
                   test_readline_no_newline);
  mt_add_for_kinds ("/Mmap/Object/write/basic", test_write);
  mt_add_for_kinds ("/Mmap/Object/write/out-of-range",
                    test_write_out_of_range);
  mt_add_for_kinds ("/Mmap/Object/get-set-byte", test_get_set_byte);
  mt_add_for_kinds ("/Mmap/Object/find/range", test_find);
  mt_add_for_kinds ("/Mmap/Object/find/from-position",
                    test_find_from_position);
  mt_add_for_kinds ("/Mmap/Object/seek", test_seek);
  mt_add_for_kinds ("/Mmap/Object/move", test_move);
  mt_add_for_kinds ("/Mmap/Object/flush", test_flush);
  mt_add_for_kinds ("/Mmap/Object/madvise/hints", test_madvise);
  mt_add_for_kinds ("/Mmap/Object/madvise/dontneed-shared",
                    test_madvise_dontneed_shared);
  g_test_add_func ("/Mmap/Object/madvise/dontneed-narrowed",
                   test_madvise_dontneed_narrowed);
  g_test_add_func ("/Mmap/Object/madvise/kernel-errors",
                   test_madvise_kernel_errors);
  mt_add_for_kinds ("/Mmap/Object/size", test_size);
  mt_add_for_kinds ("/Mmap/Object/view/basic", test_view);
  mt_add_for_kinds ("/Mmap/Object/view/count", test_view_count);
  mt_add_for_kinds ("/Mmap/Object/to-string", test_to_string);
  g_test_add_func ("/Mmap/Object/empty/io", test_empty_map_io);
  g_test_add_func ("/Mmap/Object/anonymous/zeroed", test_anonymous_zeroed);
  g_test_add_func ("/Mmap/Object/file/shared-between-maps",
                   test_shared_between_maps);

  return g_test_run ();
}
