/* mmap-search.c: forward and reverse substring search
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A reverse search is a forward search over the reversed haystack for the
 * reversed needle. Each reverse routine below is the forward algorithm
 * glibc's memmem() uses for that needle length, written for the mirrored
 * view, so that rfind() costs what find() costs over the same distance:
 *
 * - 1 byte: memrchr().
 * - 2 bytes: the last two bytes read, kept in one word.
 * - 3 to 256 bytes: a shift table indexed by a hash of byte pairs (a
 *   Horspool search on pairs): most windows are skipped after reading
 *   two bytes.
 * - longer: Crochemore and Perrin's Two-Way algorithm, linear in the worst
 *   case and constant in space, with a Horspool shift on the window's
 *   far byte.
 *
 * Nothing here allocates, locks or calls the kernel: the functions run
 * under the SIGBUS guard, which may abandon them at any read.
 */

#include "config.h"

#include <string.h>

#if defined (__x86_64__) && defined (__GNUC__)
#include <immintrin.h>
#endif

#include "mmap-search-private.h"

/* Longer needles use Two-Way: the pair table stores shifts in a byte. */
#define PAIRS_MAX_NEEDLE 256

/* Needles at least this long check 8 bytes before comparing them all. */
#define PAIRS_FILTER_NEEDLE 16

static gssize
forward_memmem (const guint8 *hay,
                gsize         hay_len,
                const guint8 *needle,
                gsize         needle_len)
{
  const guint8 *hit = memmem (hay, hay_len, needle, needle_len);

  return hit != NULL ? hit - hay : -1;
}

#if defined (__x86_64__) && defined (__GNUC__)
/* 2 <= needle_len <= hay_len. 32 windows a step: those whose first and
 * last bytes are the needle's are compared whole. memmem() builds a shift
 * table on every call, which find_all() and count() pay once a match; this
 * has no set-up, and most text rejects a window on those two bytes. When
 * windows keep passing that filter and failing the comparison (a
 * haystack of few distinct bytes) more than the distance scanned pays
 * for, the rest goes to memmem(), whose cost stays linear. */
__attribute__ ((target ("avx2")))
static gssize
forward_avx2 (const guint8 *hay,
              gsize         hay_len,
              const guint8 *needle,
              gsize         needle_len)
{
  const __m256i first = _mm256_set1_epi8 ((char) needle[0]);
  const __m256i last = _mm256_set1_epi8 ((char) needle[needle_len - 1]);
  const gsize tail = needle_len - 1;
  gsize i = 0;
  gsize misses = 0;   /* bytes compared in windows that did not match */

  while (i + tail + 32 <= hay_len)
    {
      __m256i a = _mm256_loadu_si256 ((const __m256i *) (hay + i));
      __m256i b = _mm256_loadu_si256 ((const __m256i *) (hay + i + tail));
      guint32 mask = (guint32) _mm256_movemask_epi8 (
          _mm256_and_si256 (_mm256_cmpeq_epi8 (a, first),
                            _mm256_cmpeq_epi8 (b, last)));

      while (mask != 0)
        {
          gsize at = i + (gsize) __builtin_ctz (mask);

          if (memcmp (hay + at + 1, needle + 1, needle_len - 2) == 0)
            return (gssize) at;
          /* Bytes compared in vain, at most: bounded by the distance
           * scanned, so the whole search stays linear. */
          misses += needle_len;
          if (misses > 4096 + 4 * i)
            {
              gssize hit = forward_memmem (hay + at + 1, hay_len - at - 1,
                                           needle, needle_len);

              return hit >= 0 ? hit + (gssize) at + 1 : -1;
            }
          mask &= mask - 1;
        }
      i += 32;
    }

  if (hay_len - i >= needle_len)
    {
      gssize hit = forward_memmem (hay + i, hay_len - i, needle, needle_len);

      return hit >= 0 ? hit + (gssize) i : -1;
    }
  return -1;
}
#endif

gssize
mmap_search_forward (const guint8 *hay,
                     gsize         hay_len,
                     const guint8 *needle,
                     gsize         needle_len)
{
  const guint8 *hit;

  if (needle_len == 0)
    return 0;
  if (needle_len > hay_len)
    return -1;

  if (needle_len == 1)
    {
      hit = memchr (hay, needle[0], hay_len);
      return hit != NULL ? hit - hay : -1;
    }
#if defined (__x86_64__) && defined (__GNUC__)
  if (__builtin_cpu_supports ("avx2"))
    return forward_avx2 (hay, hay_len, needle, needle_len);
#endif
  return forward_memmem (hay, hay_len, needle, needle_len);
}

#if defined (__x86_64__) && defined (__GNUC__)
/* glibc 2.36's memrchr() is about 1.3 times slower than its memchr() on
 * AVX2 machines: this scans 128 bytes a step from the end, with loads
 * that stay inside [s, s + n), and n >= 32. */
__attribute__ ((target ("avx2")))
static gssize
memrchr_avx2 (const guint8 *s,
              guint8        c,
              gsize         n)
{
  const __m256i want = _mm256_set1_epi8 ((char) c);
  const guint8 *p = s + n - 32;
  guint32 mask;

  /* The last 32 bytes, then downwards from the 32-byte boundary above
   * their start. */
  mask = (guint32) _mm256_movemask_epi8 (
      _mm256_cmpeq_epi8 (_mm256_loadu_si256 ((const __m256i *) p), want));
  if (mask != 0)
    return p - s + 31 - __builtin_clz (mask);
  p = (const guint8 *) (((guintptr) p + 31) & ~(guintptr) 31);

  while (p - s >= 128)
    {
      __m256i a = _mm256_cmpeq_epi8 (
          _mm256_load_si256 ((const __m256i *) (p - 128)), want);
      __m256i b = _mm256_cmpeq_epi8 (
          _mm256_load_si256 ((const __m256i *) (p - 96)), want);
      __m256i d = _mm256_cmpeq_epi8 (
          _mm256_load_si256 ((const __m256i *) (p - 64)), want);
      __m256i e = _mm256_cmpeq_epi8 (
          _mm256_load_si256 ((const __m256i *) (p - 32)), want);

      p -= 128;
      if (!_mm256_testz_si256 (_mm256_or_si256 (_mm256_or_si256 (a, b),
                                                _mm256_or_si256 (d, e)),
                               _mm256_set1_epi8 (-1)))
        {
          if ((mask = (guint32) _mm256_movemask_epi8 (e)) != 0)
            return p + 96 - s + 31 - __builtin_clz (mask);
          if ((mask = (guint32) _mm256_movemask_epi8 (d)) != 0)
            return p + 64 - s + 31 - __builtin_clz (mask);
          if ((mask = (guint32) _mm256_movemask_epi8 (b)) != 0)
            return p + 32 - s + 31 - __builtin_clz (mask);
          mask = (guint32) _mm256_movemask_epi8 (a);
          return p - s + 31 - __builtin_clz (mask);
        }
    }

  /* Under 128 bytes are left: 32 at a time, the last block overlapping
   * bytes already seen not to match. */
  while (p > s)
    {
      p = p - s >= 32 ? p - 32 : s;
      mask = (guint32) _mm256_movemask_epi8 (
          _mm256_cmpeq_epi8 (_mm256_loadu_si256 ((const __m256i *) p), want));
      if (mask != 0)
        return p - s + 31 - __builtin_clz (mask);
    }

  return -1;
}
#endif

/* One byte: the last occurrence. */
static gssize
backward_byte (const guint8 *hay,
               gsize         hay_len,
               guint8        byte)
{
  const guint8 *hit;

#if defined (__x86_64__) && defined (__GNUC__)
  if (hay_len >= 32 && __builtin_cpu_supports ("avx2"))
    return memrchr_avx2 (hay, byte, hay_len);
#endif
  hit = memrchr (hay, byte, hay_len);
  return hit != NULL ? hit - hay : -1;
}

/* Two bytes: slide a word holding the window's bytes down the haystack,
 * one byte a step. 3 <= hay_len is not needed: 2 <= hay_len is. */
static gssize
backward_two_bytes (const guint8 *hay,
                    gsize         hay_len,
                    const guint8 *needle)
{
  const guint8 *p = hay + hay_len - 2;
  guint32 want = (guint32) needle[1] << 16 | needle[0];
  guint32 window = (guint32) p[1] << 16 | p[0];

  /* Shifting by 16 drops the byte that left the window out of the word. */
  while (window != want && p > hay)
    window = window << 16 | *--p;

  return window == want ? p - hay : -1;
}

/* The hash of the pair p[0], p[1]: glibc's memmem() hashes a pair the
 * same way, so both directions see the same collisions. It keeps every bit
 * of p[1]: pairs with the same hash and the same p[0] have the same p[1]. */
static inline guint
pair_hash (const guint8 *p)
{
  return ((guint) p[1] - ((guint) p[0] << 3)) & 0xff;
}

/* 3 <= needle_len <= PAIRS_MAX_NEEDLE <= hay_len.
 *
 * `end` points at the last byte of the window under test, whose first two
 * bytes hash to h. shift[h] says where that pair occurs in the needle: 0
 * if nowhere, so no window holding those two bytes matches; last (the
 * needle's length less one) if it is the needle's first pair, so the
 * window is a candidate; otherwise last minus the offset of its nearest
 * occurrence, which lines the window up with it. */
static gssize
backward_pairs (const guint8 *hay,
                gsize         hay_len,
                const guint8 *needle,
                gsize         needle_len)
{
  const gsize last = needle_len - 1;
  const guint8 *lowest_end = hay + last;
  const guint8 *end = hay + hay_len - 1;
  guint8 shift[256];
  gsize shift_after_miss;
  gsize filter = needle_len - 8;

  memset (shift, 0, sizeof shift);
  /* Downwards, so that the occurrence nearest the start wins. */
  for (gsize i = last - 1; i >= 1; i--)
    shift[pair_hash (needle + i)] = (guint8) (last - i);
  /* After a miss on a window whose first pair hashed like the needle's,
   * the next window to try lines that pair up with the next one of the
   * same hash in the needle. */
  shift_after_miss = last - shift[pair_hash (needle)];
  shift[pair_hash (needle)] = (guint8) last;

  while (end >= lowest_end)
    {
      const guint8 *start;
      gsize step;

      /* Two windows a turn: half the loop's branches. */
      for (;;)
        {
          end -= last;
          step = shift[pair_hash (end)];
          if (step != 0 || end < lowest_end)
            break;
          end -= last;
          step = shift[pair_hash (end)];
          if (step != 0 || end < lowest_end)
            break;
        }

      end += step;
      if (step < last)
        continue;

      /* The first pair's hash matches. Long needles first compare 8
       * bytes, taken each time from another place so that a repeated
       * near-miss does not pass the filter. */
      start = end - last;
      if (needle_len < PAIRS_FILTER_NEEDLE
          || memcmp (start + filter, needle + filter, 8) == 0)
        {
          if (memcmp (start, needle, needle_len) == 0)
            return start - hay;
          filter = filter + 16 <= needle_len ? filter + 8 : 1;
        }
      end -= shift_after_miss;
    }

  return -1;
}

/* Two-Way over the reversed needle R, R[i] = rev[-i]: rev points at the
 * needle's last byte. */
static inline guint8
rev_at (const guint8 *rev,
        gsize         i)
{
  return rev[-(gssize) i];
}

/* The maximal suffix of R under the byte order, or under its opposite:
 * returns the index before it (G_MAXSIZE for all of R) and its period. */
static gsize
reversed_maximal_suffix (const guint8 *rev,
                         gsize         len,
                         gboolean      opposite,
                         gsize        *period)
{
  gsize before = G_MAXSIZE;  /* index before the best suffix so far */
  gsize candidate = 0;       /* index before the suffix being compared */
  gsize k = 1;               /* offset into the current period */
  gsize p = 1;               /* period of the best suffix so far */

  while (candidate + k < len)
    {
      guint8 a = rev_at (rev, candidate + k);
      guint8 b = rev_at (rev, before + k);  /* wraps to k - 1 at first */

      if (a == b)
        {
          /* One more byte of the period repeats. */
          if (k != p)
            k++;
          else
            {
              candidate += p;
              k = 1;
            }
        }
      else if ((a < b) != opposite)
        {
          /* The candidate is smaller: the best suffix's period covers
           * everything up to here. */
          candidate += k;
          k = 1;
          p = candidate - before;
        }
      else
        {
          /* The candidate is larger: it becomes the best suffix. */
          before = candidate++;
          k = p = 1;
        }
    }

  *period = p;
  return before;
}

/* A critical factorization of R: the start of its right half (the shorter
 * of the two maximal suffixes) and the right half's period. */
static gsize
reversed_critical_factorization (const guint8 *rev,
                                 gsize         len,
                                 gsize        *period)
{
  gsize up_period, down_period;
  gsize up, down;

  if (len < 3)
    {
      *period = 1;
      return len - 1;
    }

  up = reversed_maximal_suffix (rev, len, FALSE, &up_period) + 1;
  down = reversed_maximal_suffix (rev, len, TRUE, &down_period) + 1;
  if (down < up)
    {
      *period = up_period;
      return up;
    }
  *period = down_period;
  return down;
}

gssize
mmap_search_backward_two_way (const guint8 *hay,
                              gsize         hay_len,
                              const guint8 *needle,
                              gsize         needle_len)
{
  const guint8 *rev;
  const guint8 *top;
  gsize max_j;
  gsize shift_table[256];
  gsize period, split;
  gsize i, j = 0;
  gboolean periodic = TRUE;

  if (needle_len == 0)
    return hay_len;
  if (needle_len > hay_len)
    return -1;
  if (needle_len == 1)
    return backward_byte (hay, hay_len, needle[0]);

  rev = needle + needle_len - 1;
  /* The reversed haystack H: H[j + i] = top[-j - i]. */
  top = hay + hay_len - 1;
  max_j = hay_len - needle_len;

  split = reversed_critical_factorization (rev, needle_len, &period);

  /* Horspool on the last pair of the window over H, which is the first
   * pair of the window over the haystack: the distance from the nearest
   * pair with its hash to the end of R. Pairs are rarer than bytes, so
   * the shifts are longer than glibc's, which looks at one byte. */
  for (i = 0; i < G_N_ELEMENTS (shift_table); i++)
    shift_table[i] = needle_len - 1;
  for (i = needle_len - 1; i-- > 0;)
    shift_table[pair_hash (needle + i)] = i;

  for (i = 0; i < split; i++)
    if (rev_at (rev, i) != rev_at (rev, i + period))
      {
        periodic = FALSE;
        break;
      }

  /* A shift of 0 means that the window's last pair hashes like R's: the
   * right half is then compared up to its last byte. A Horspool shift is
   * always safe, and only forgets what `memory` knew. */
  if (periodic)
    {
      /* R is periodic: a mismatch in the left half moves R by its period
       * only, and `memory` bytes of the right half are then known to
       * match already. */
      gsize memory = 0;

      while (j <= max_j)
        {
          const guint8 *w = top - j;  /* H[j + i] = w[-i] */
          gsize shift = shift_table[pair_hash (w - needle_len + 1)];

          if (shift > 0)
            {
              memory = 0;
              j += shift;
              continue;
            }

          /* The right half, then the left. */
          i = MAX (split, memory);
          while (i < needle_len && rev_at (rev, i) == w[-(gssize) i])
            i++;
          if (i == needle_len)
            {
              i = split - 1;  /* G_MAXSIZE if the left half is empty */
              while (memory < i + 1 && rev_at (rev, i) == w[-(gssize) i])
                i--;
              if (i + 1 < memory + 1)
                return (gssize) (max_j - j);
              j += period;
              memory = needle_len - period;
            }
          else
            {
              j += i - split + 1;
              memory = 0;
            }
        }
    }
  else
    {
      /* The halves differ: any mismatch moves R by more than the longer
       * half, and nothing needs remembering. */
      period = MAX (split, needle_len - split) + 1;

      while (j <= max_j)
        {
          const guint8 *w = top - j;
          gsize shift = shift_table[pair_hash (w - needle_len + 1)];

          if (shift > 0)
            {
              j += shift;
              continue;
            }

          i = split;
          while (i < needle_len && rev_at (rev, i) == w[-(gssize) i])
            i++;
          if (i == needle_len)
            {
              i = split - 1;
              while (i != G_MAXSIZE && rev_at (rev, i) == w[-(gssize) i])
                i--;
              if (i == G_MAXSIZE)
                return (gssize) (max_j - j);
              j += period;
            }
          else
            j += i - split + 1;
        }
    }

  return -1;
}

gssize
mmap_search_backward (const guint8 *hay,
                      gsize         hay_len,
                      const guint8 *needle,
                      gsize         needle_len)
{
  if (needle_len == 0)
    return hay_len;
  if (needle_len > hay_len)
    return -1;

  switch (needle_len)
    {
    case 1:
      return backward_byte (hay, hay_len, needle[0]);
    case 2:
      return backward_two_bytes (hay, hay_len, needle);
    default:
      if (needle_len <= PAIRS_MAX_NEEDLE)
        return backward_pairs (hay, hay_len, needle, needle_len);
      return mmap_search_backward_two_way (hay, hay_len, needle, needle_len);
    }
}
