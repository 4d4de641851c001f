/* test-search.c: mmap_search_forward() and mmap_search_backward() against
 * a naive search
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Unit tests of mmapobj/mmap-search.c, built into this executable: no map
 * is involved. Random inputs come from g_test_rand_int(), so a failure
 * reproduces with the seed the test prints (--seed).
 */

#include "config.h"

#include <string.h>

#include <glib.h>

#include "mmapobj/mmap-search-private.h"

typedef gssize (*SearchFunc) (const guint8 *hay,
                              gsize         hay_len,
                              const guint8 *needle,
                              gsize         needle_len);

static gssize
naive_forward (const guint8 *hay,
               gsize         hay_len,
               const guint8 *needle,
               gsize         needle_len)
{
  for (gsize i = 0; i + needle_len <= hay_len; i++)
    if (memcmp (hay + i, needle, needle_len) == 0)
      return (gssize) i;
  return -1;
}

static gssize
naive_backward (const guint8 *hay,
                gsize         hay_len,
                const guint8 *needle,
                gsize         needle_len)
{
  if (needle_len > hay_len)
    return -1;
  for (gsize i = hay_len - needle_len + 1; i-- > 0;)
    if (memcmp (hay + i, needle, needle_len) == 0)
      return (gssize) i;
  return -1;
}

/* Runs every search on copies that end where their allocation ends, so
 * that the sanitizers and valgrind see any read past the end. Half the
 * haystacks start where their allocation starts, the others at any
 * alignment. */
static void
check_all (const guint8 *hay,
           gsize         hay_len,
           const guint8 *needle,
           gsize         needle_len)
{
  gsize offset = g_test_rand_bit () ? 0 : g_test_rand_int_range (0, 64);
  g_autofree guint8 *buffer = g_malloc (hay_len + offset);
  guint8 *h = buffer + offset;
  g_autofree guint8 *n = g_memdup2 (needle, needle_len);

  if (hay_len > 0)
    memcpy (h, hay, hay_len);
  gssize want_forward = naive_forward (hay, hay_len, needle, needle_len);
  gssize want_backward = naive_backward (hay, hay_len, needle, needle_len);

  g_assert_cmpint (mmap_search_forward (h, hay_len, n, needle_len), ==,
                   want_forward);
  g_assert_cmpint (mmap_search_backward (h, hay_len, n, needle_len), ==,
                   want_backward);
  g_assert_cmpint (mmap_search_backward_two_way (h, hay_len, n, needle_len),
                   ==, want_backward);
}

static void
fill_random (guint8 *buf,
             gsize   len,
             guint   alphabet)
{
  for (gsize i = 0; i < len; i++)
    buf[i] = (guint8) ('a' + g_test_rand_int_range (0, (gint32) alphabet));
}

/* A haystack, mostly made of pieces of the needle, some with a byte
 * changed: many partial matches, and whole ones at random places,
 * often at either end. */
static void
fill_from_needle (guint8       *hay,
                  gsize         hay_len,
                  const guint8 *needle,
                  gsize         needle_len,
                  guint         alphabet)
{
  gsize i = 0;

  if (needle_len == 0)
    {
      fill_random (hay, hay_len, alphabet);
      return;
    }

  while (i < hay_len)
    {
      gsize from = g_test_rand_int_range (0, (gint32) needle_len);
      gsize len = MIN (needle_len - from, hay_len - i);

      if (g_test_rand_bit ())
        {
          from = 0;
          len = MIN (needle_len, hay_len - i);
        }
      memcpy (hay + i, needle + from, len);
      if (g_test_rand_int_range (0, 3) == 0)
        hay[i + g_test_rand_int_range (0, (gint32) len)] =
          (guint8) ('a' + g_test_rand_int_range (0, (gint32) alphabet));
      i += len;
    }

  if (hay_len >= needle_len)
    {
      if (g_test_rand_int_range (0, 4) == 0)
        memcpy (hay, needle, needle_len);
      if (g_test_rand_int_range (0, 4) == 0)
        memcpy (hay + hay_len - needle_len, needle, needle_len);
    }
}

static gsize
random_needle_len (void)
{
  switch (g_test_rand_int_range (0, 8))
    {
    case 0:
      return 1024;
    case 1:
      return g_test_rand_int_range (250, 300);  /* around the switch */
    default:
      return g_test_rand_int_range (0, 71);
    }
}

static void
test_random (void)
{
  guint iterations = g_test_slow () ? 50000 : 10000;
  g_autofree guint8 *needle = g_malloc (1024);
  g_autofree guint8 *hay = g_malloc (5000);

  for (guint it = 0; it < iterations; it++)
    {
      guint alphabet = g_test_rand_int_range (1, 5);
      gsize needle_len = random_needle_len ();
      gsize hay_len = g_test_rand_int_range (0, 5001);

      fill_random (needle, needle_len, alphabet);
      if (g_test_rand_bit ())
        fill_random (hay, hay_len, alphabet);
      else
        fill_from_needle (hay, hay_len, needle, needle_len, alphabet);
      check_all (hay, hay_len, needle, needle_len);
    }
}

/* Periodic needles: the Two-Way algorithm's memory of the period. */
static void
test_periodic (void)
{
  static const char *const periods[] = { "a", "ab", "aab", "abaab", "abc" };
  g_autofree guint8 *needle = g_malloc (1100);
  g_autofree guint8 *hay = g_malloc (5000);
  guint iterations = g_test_slow () ? 20000 : 4000;

  for (guint it = 0; it < iterations; it++)
    {
      const char *period = periods[g_test_rand_int_range (0,
                                     G_N_ELEMENTS (periods))];
      gsize period_len = strlen (period);
      gsize needle_len = random_needle_len ();
      gsize hay_len = g_test_rand_int_range (0, 5001);

      /* The period repeated, and sometimes one odd byte in the needle:
       * "aaaa…b", "abab…abb". */
      for (gsize i = 0; i < needle_len; i++)
        needle[i] = (guint8) period[i % period_len];
      if (needle_len > 0 && g_test_rand_bit ())
        {
          gsize odd = needle_len - 1;

          if (g_test_rand_bit ())
            odd = g_test_rand_int_range (0, (gint32) needle_len);
          needle[odd] = 'c';
        }

      /* The haystack repeats the period too, with the needle dropped in
       * and odd bytes scattered. */
      for (gsize i = 0; i < hay_len; i++)
        hay[i] = (guint8) period[(i + (g_test_rand_int_range (0, 50) == 0))
                                 % period_len];
      for (guint copies = g_test_rand_int_range (0, 3); copies > 0; copies--)
        if (hay_len >= needle_len)
          memcpy (hay + g_test_rand_int_range (0, (gint32) (hay_len - needle_len + 1)),
                  needle, needle_len);
      check_all (hay, hay_len, needle, needle_len);
    }
}

/* Every needle of a small haystack, including ones that are not in it. */
static void
test_exhaustive_small (void)
{
  static const char hay[] = "abaababaabaababaababa";
  gsize hay_len = strlen (hay);

  for (gsize from = 0; from < hay_len; from++)
    for (gsize len = 0; from + len <= hay_len; len++)
      {
        guint8 needle[32];

        memcpy (needle, hay + from, len);
        check_all ((const guint8 *) hay, hay_len, needle, len);
        if (len > 0)
          {
            needle[len / 2] ^= 1;
            check_all ((const guint8 *) hay, hay_len, needle, len);
          }
      }
}

typedef struct
{
  const char *hay;
  const char *needle;
  gssize      forward;
  gssize      backward;
} ExactCase;

static void
test_exact (void)
{
  static const ExactCase cases[] = {
    { "", "", 0, 0 },
    { "abc", "", 0, 3 },
    { "", "a", -1, -1 },
    { "ab", "abc", -1, -1 },
    { "abc", "abc", 0, 0 },
    { "abcabc", "abc", 0, 3 },
    { "aaaa", "aa", 0, 2 },
    { "xaaaax", "a", 1, 4 },
    { "xyz", "q", -1, -1 },
    { "ab", "ba", -1, -1 },
    { "abab", "ba", 1, 1 },
    { "aaaaaaaaab", "aab", 7, 7 },
    { "baaaaaaaaa", "baa", 0, 0 },
    { "the cat and the hat", "the", 0, 12 },
    { "the cat and the hat", "he hat", 13, 13 },
    { "0123456789abcdef0123456789abcdef", "0123456789abcdef", 0, 16 },
    { "0123456789abcdef0123456789abcdeX", "0123456789abcdef", 0, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const guint8 *hay = (const guint8 *) cases[i].hay;
      const guint8 *needle = (const guint8 *) cases[i].needle;
      gsize hay_len = strlen (cases[i].hay);
      gsize needle_len = strlen (cases[i].needle);

      g_test_message ("case %" G_GSIZE_FORMAT ": \"%s\" in \"%s\"", i,
                      cases[i].needle, cases[i].hay);
      g_assert_cmpint (mmap_search_forward (hay, hay_len, needle, needle_len),
                       ==, cases[i].forward);
      g_assert_cmpint (mmap_search_backward (hay, hay_len, needle, needle_len),
                       ==, cases[i].backward);
      check_all (hay, hay_len, needle, needle_len);
    }
}

/* Bytes above 127 and zero bytes: the pair hash and the byte search. */
static void
test_binary (void)
{
  guint8 hay[300];
  guint8 needle[40];

  for (gsize i = 0; i < sizeof hay; i++)
    hay[i] = (guint8) (i * 37 + 11);
  for (gsize len = 1; len <= sizeof needle; len++)
    for (gsize from = 0; from + len <= sizeof hay; from++)
      {
        memcpy (needle, hay + from, len);
        check_all (hay, sizeof hay, needle, len);
        needle[0] ^= 0x80;
        check_all (hay, sizeof hay, needle, len);
      }

  memset (hay, 0, sizeof hay);
  hay[17] = 0xff;
  hay[280] = 0xff;
  needle[0] = 0;
  needle[1] = 0xff;
  g_assert_cmpint (mmap_search_forward (hay, sizeof hay, needle, 2), ==, 16);
  g_assert_cmpint (mmap_search_backward (hay, sizeof hay, needle, 2), ==, 279);
  g_assert_cmpint (mmap_search_backward (hay, sizeof hay, needle + 1, 1),
                   ==, 280);
}

/* One byte, at every place in buffers of every length up to 300: the
 * vector loop's blocks and its ends. */
static void
test_one_byte (void)
{
  guint8 hay[300];

  memset (hay, 'a', sizeof hay);
  for (gsize len = 0; len <= sizeof hay; len++)
    {
      check_all (hay, len, (const guint8 *) "b", 1);
      for (gsize at = 0; at < len; at++)
        {
          hay[at] = 'b';
          check_all (hay, len, (const guint8 *) "b", 1);
          if (at > 0)
            {
              hay[0] = 'b';
              check_all (hay, len, (const guint8 *) "b", 1);
              hay[0] = 'a';
            }
          hay[at] = 'a';
        }
    }
}

/* Needles of each algorithm's lengths, found once at every place, or
 * also at the start. */
static void
test_every_place (void)
{
  static const gsize lengths[] = { 2, 3, 4, 13, 15, 16, 17, 64, 256, 257,
                                   300 };
  guint8 hay[400];
  guint8 needle[300];

  for (gsize l = 0; l < G_N_ELEMENTS (lengths); l++)
    {
      gsize len = lengths[l];

      for (gsize i = 0; i < len; i++)
        needle[i] = (guint8) ('b' + i % 7);
      memset (hay, 'a', sizeof hay);
      for (gsize at = 0; at + len <= sizeof hay; at++)
        {
          memcpy (hay + at, needle, len);
          check_all (hay, sizeof hay, needle, len);
          check_all (hay, at + len, needle, len);
          if (at >= len)
            {
              memcpy (hay, needle, len);
              check_all (hay, sizeof hay, needle, len);
              memset (hay, 'a', len);
            }
          memset (hay + at, 'a', len);
        }
    }
}

/* A long needle found only at the start of a long haystack, as rfind()
 * meets it, and not found at all. */
static void
test_long_haystack (void)
{
  gsize hay_len = 1 << 18;
  g_autofree guint8 *hay = g_malloc (hay_len);
  static const gsize lengths[] = { 1, 2, 4, 13, 64, 256, 257, 1024 };

  for (gsize i = 0; i < hay_len; i++)
    hay[i] = (guint8) ("etaoin shrdlu"[g_test_rand_int_range (0, 13)]);

  for (gsize l = 0; l < G_N_ELEMENTS (lengths); l++)
    {
      guint8 needle[1024];
      gsize len = lengths[l];

      for (gsize i = 0; i < len; i++)
        needle[i] = (guint8) ('A' + i % 26);
      memcpy (hay, needle, len);
      g_assert_cmpint (mmap_search_backward (hay, hay_len, needle, len),
                       ==, 0);
      g_assert_cmpint (mmap_search_forward (hay, hay_len, needle, len),
                       ==, 0);
      g_assert_cmpint (mmap_search_backward (hay + 1, hay_len - 1, needle,
                                             len), ==, -1);
      memcpy (hay, "etaoin shrdlu", MIN (len, 13));
    }
}

/* Haystacks where most windows pass the forward search's first-and-last
 * byte filter and then fail: it must hand over to memmem() and still find
 * the match, or none. */
static void
test_filter_defeated (void)
{
  gsize hay_len = 200000;
  g_autofree guint8 *hay = g_malloc (hay_len);
  static const gsize lengths[] = { 2, 3, 17, 100, 300 };

  for (gsize l = 0; l < G_N_ELEMENTS (lengths); l++)
    {
      gsize len = lengths[l];
      g_autofree guint8 *needle = g_malloc (len);

      /* "aaaa...": every window starts and ends like "a...ba". */
      memset (hay, 'a', hay_len);
      memset (needle, 'a', len);
      needle[len / 2] = 'b';
      check_all (hay, hay_len, needle, len);
      memcpy (hay + hay_len - len - 7, needle, len);
      check_all (hay, hay_len, needle, len);

      /* "abab...": half the windows pass the filter. */
      for (gsize i = 0; i < hay_len; i++)
        hay[i] = (guint8) "ab"[i % 2];
      for (gsize i = 0; i < len; i++)
        needle[i] = (guint8) (i == 0 || i + 1 == len ? 'a' : "ab"[i % 2]);
      if (len > 2)
        needle[len / 2] = 'c';
      check_all (hay, hay_len, needle, len);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mmap/Search/exact", test_exact);
  g_test_add_func ("/Mmap/Search/exhaustive-small", test_exhaustive_small);
  g_test_add_func ("/Mmap/Search/binary", test_binary);
  g_test_add_func ("/Mmap/Search/one-byte", test_one_byte);
  g_test_add_func ("/Mmap/Search/every-place", test_every_place);
  g_test_add_func ("/Mmap/Search/random", test_random);
  g_test_add_func ("/Mmap/Search/periodic", test_periodic);
  g_test_add_func ("/Mmap/Search/long-haystack", test_long_haystack);
  g_test_add_func ("/Mmap/Search/filter-defeated", test_filter_defeated);

  return g_test_run ();
}
