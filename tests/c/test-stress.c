/* test-stress.c: many threads making random mixed calls on shared maps
 *
 * N threads (MMAP_STRESS_THREADS, default 4) each make M calls
 * (MMAP_STRESS_OPS, default 20000, 4000 under valgrind) on a set of maps
 * they all share. tests/tsan/run.sh raises both for the ThreadSanitizer
 * stage. GTest's --seed fixes each thread's sequence of calls (not how
 * the threads interleave). Two kinds of maps are shared:
 *
 * - *pattern* maps hold, at every index below a base length L, a known
 *   byte: image[i] = (phase + i) % 251, and zeros from L to L + G. Their
 *   length is only ever resized between L and L + G, and every write
 *   stores the byte the image already has (set_byte, set_slice, and move
 *   between indices 251 apart), so what any read returns is known up to
 *   the position and the length, which only take known values. They stay
 *   open until the threads are done.
 * - *chaos* maps get everything: writes at the shared position, resizes
 *   to random lengths from a fixed set, views held across resizes, and a
 *   close by whichever thread makes the call numbered close_at. They only
 *   ever hold NUL, '\n' and lowercase letters.
 *
 * Invariants, checked on every call:
 *
 * - nothing crashes;
 * - a call succeeds with no error set, or fails with a GError in
 *   MMAP_ERROR with one of the codes its situation allows (FALSE, NULL
 *   or -1 always come with an error);
 * - every byte read (read, read_byte, readline, get_byte, get_slice,
 *   find results, views) matches the image at some position, for some
 *   length the map has had; reads that stop before the requested count
 *   stop at such a length. Views are zero-copy, so their bytes are read
 *   only where no thread writes them: at once for the read-only map,
 *   after the threads are done for the others (views held across resizes
 *   and closes included);
 * - the position and the length never exceed the largest length;
 *   seek (…, G_SEEK_END) lands on one of the lengths;
 * - calls that must succeed whatever the other threads do (in-range
 *   accesses of pattern maps) succeed;
 * - size () gives a size the file can have at that moment;
 * - once a thread has seen close() return, every call on that map fails
 *   with MMAP_ERROR_CLOSED (close itself succeeds and does nothing),
 *   closed is TRUE, the length 0 and the fd -1; views taken before the
 *   close stay readable;
 * - when the threads are done, every pattern map and the file behind them
 *   hold exactly the image.
 *
 * A first test has threads raise the process's first MmapErrors at once,
 * on maps of their own: under ThreadSanitizer it checks that the error
 * domain's first use is thread-safe. A last one checks that writes are
 * atomic, which the maps above cannot show: threads overwrite a whole
 * 1 MiB map with their own byte at once while another reads it whole; no
 * read and no round's result may mix two writers' bytes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#if defined (__has_include)
# if __has_include (<valgrind/valgrind.h>)
#  include <valgrind/valgrind.h>
#  define HAVE_VALGRIND_H 1
# endif
#endif

#include "test-util.h"

#define PERIOD        251
#define MAX_OBJS      4
#define MAX_LENGTHS   8
#define HELD_VIEWS    2

#define E(code) (1u << (code))

typedef enum
{
  ROLE_PATTERN,
  ROLE_CHAOS,
} Role;

typedef struct
{
  const char  *name;
  MmapObject  *map;
  Role         role;

  /* The lengths the map may have; lengths[n_lengths - 1] is the largest. */
  gsize        lengths[MAX_LENGTHS];
  guint        n_lengths;
  gsize        max_len;

  gboolean     writable;     /* set_byte & co. succeed (or READ_ONLY) */
  gboolean     resizable;    /* resize succeeds (or NOT_RESIZABLE) */
  int          fd;           /* what get_fd () returns while open */
  goffset      offset;       /* get_offset () */
  MmapAccess   access;       /* get_access () */

  /* size (): NO_TRACKED_FD when n_file_sizes is 0. With
   * file_sizes_between, any size from the first to the last. */
  goffset      file_sizes[MAX_LENGTHS];
  guint        n_file_sizes;
  gboolean     file_sizes_between;

  /* Pattern maps: the image over [0, max_len); base_len is L. */
  guint8      *image;
  gsize        base_len;

  /* Chaos maps: closed by the call numbered close_at (-1: never). */
  gint         close_at;
  gint         closed;       /* atomic: set once close () has returned */
} Obj;

typedef struct
{
  Obj       objs[MAX_OBJS];
  guint     n_objs;
  guint     n_threads;
  guint     n_ops;           /* per thread */
  gint      n_started;       /* atomic: calls started, by all threads */
  guint32   seed;

  /* A barrier, so that the threads run side by side. */
  GMutex    lock;
  GCond     cond;
  guint     n_waiting;
} Stress;

typedef struct
{
  Obj      *obj;
  GBytes   *bytes;
  gsize     offset;          /* where the view starts in the map */
} HeldView;

typedef struct
{
  Stress    *stress;
  guint      index;
  GThread   *thread;
  GRand     *rand;
  HeldView   views[HELD_VIEWS];
  guint      n_calls;
  guint      n_ok;
  guint      n_failed;
  guint      n_after_close;
  guint      n_resized;
} Worker;

static gboolean
running_on_valgrind (void)
{
  const char *preload = g_getenv ("LD_PRELOAD");

#ifdef HAVE_VALGRIND_H
  if (RUNNING_ON_VALGRIND)
    return TRUE;
#endif
  return preload != NULL && strstr (preload, "vgpreload") != NULL;
}

static guint
env_uint (const char *name,
          guint       fallback,
          guint       min,
          guint       max)
{
  const char *value = g_getenv (name);
  guint64 n;

  if (value == NULL || *value == '\0')
    return fallback;
  n = g_ascii_strtoull (value, NULL, 10);
  return (guint) CLAMP (n, min, max);
}

static gssize
rand_range (GRand  *rand,
            gssize  begin,
            gssize  end)
{
  /* [begin, end) */
  return begin + (gssize) g_rand_int_range (rand, 0, (gint32) (end - begin));
}

/* ------------------------------------------------------------------ */
/* Expected results                                                   */

static gboolean
is_length (const Obj *o,
           gsize      length)
{
  for (guint i = 0; i < o->n_lengths; i++)
    if (o->lengths[i] == length)
      return TRUE;
  return FALSE;
}

static gboolean
is_file_size (const Obj *o,
              goffset    size)
{
  if (o->file_sizes_between && o->n_file_sizes > 0)
    return size >= o->file_sizes[0]
           && size <= o->file_sizes[o->n_file_sizes - 1];
  for (guint i = 0; i < o->n_file_sizes; i++)
    if (o->file_sizes[i] == size)
      return TRUE;
  return FALSE;
}

/* The index of the first byte of @data that is not NUL, '\n' or a
 * lowercase letter, or -1. */
static gssize
not_in_alphabet (const guint8 *data,
                 gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] != 0 && data[i] != '\n' && (data[i] < 'a' || data[i] > 'z'))
      return (gssize) i;
  return -1;
}

/* Whether @data is what pattern map @o holds at some position p; with
 * @to_end, p + len must also be one of its lengths (the call stopped at
 * the end of the map). */
static gboolean
pattern_match (const Obj    *o,
               const guint8 *data,
               gsize         len,
               gboolean      to_end)
{
  gboolean all_zero = TRUE;
  gsize last;

  if (len == 0)
    return TRUE;
  if (len > o->max_len)
    return FALSE;

  for (gsize i = 0; i < len && all_zero; i++)
    all_zero = data[i] == 0;
  /* p = max_len - len lies in the zero tail, and ends at a length. */
  if (all_zero && len <= o->max_len - o->base_len)
    return TRUE;

  /* Any other match starts below L: the zero tail holds only zeros. */
  last = MIN (o->base_len - 1, o->max_len - len);
  for (gsize p = 0; p <= last; p++)
    {
      const guint8 *q = memchr (o->image + p, data[0], last - p + 1);
      gsize i;

      if (q == NULL)
        return FALSE;
      p = (gsize) (q - o->image);
      for (i = 1; i < len && o->image[p + i] == data[i]; i++)
        ;
      if (i == len && (!to_end || is_length (o, p + len)))
        return TRUE;
    }

  return FALSE;
}

/* Python's PySlice_AdjustIndices (): the first index and the count. */
static gsize
slice_adjust (gssize  start,
              gssize  stop,
              gssize  step,
              gsize   length,
              gssize *first)
{
  gssize len = (gssize) length;

  if (start < 0)
    start = start < -len ? (step < 0 ? -1 : 0) : start + len;
  else if (start >= len)
    start = step < 0 ? len - 1 : len;
  if (stop < 0)
    stop = stop < -len ? (step < 0 ? -1 : 0) : stop + len;
  else if (stop >= len)
    stop = step < 0 ? len - 1 : len;

  *first = start;
  if (step < 0)
    return stop < start ? (gsize) ((start - stop - 1) / -step + 1) : 0;
  return start < stop ? (gsize) ((stop - start - 1) / step + 1) : 0;
}

/* Python's bound clamping for find (start, end). */
static gsize
clamp_bound (gssize value,
             gsize  length)
{
  if (value < 0)
    {
      value += (gssize) length;
      if (value < 0)
        value = 0;
    }
  return (gsize) value > length ? length : (gsize) value;
}

/* Where a needle taken from the image at @at (k bytes, no zero) occurs in
 * a pattern map: every q = at (mod PERIOD) with q + k <= base_len. The
 * first one in [start, end), or -1. */
static gssize
pattern_find (const Obj *o,
              gsize      at,
              gsize      k,
              gsize      start,
              gsize      end,
              gboolean   reverse)
{
  gsize q0 = at % PERIOD;
  gsize q;

  end = MIN (end, o->base_len);
  if (end < start || end - start < k)
    return -1;

  if (!reverse)
    {
      q = start <= q0 ? q0 : q0 + (start - q0 + PERIOD - 1) / PERIOD * PERIOD;
      return q + k <= end ? (gssize) q : -1;
    }

  if (end - k < q0)
    return -1;
  q = end - k - (end - k - q0) % PERIOD;
  return q >= start ? (gssize) q : -1;
}

/* ------------------------------------------------------------------ */
/* Outcomes                                                           */

/* Checks how a call ended: @ok is whether it succeeded. @allowed is the
 * set of MMAP_ERROR codes it may fail with besides CLOSED (which only a
 * chaos map can give). */
static void
check_outcome (Worker      *w,
               const Obj   *o,
               const char  *op,
               gboolean     ok,
               GError     **error,
               gboolean     was_closed,
               guint        allowed)
{
  w->n_calls++;

  if (ok)
    {
      if (*error != NULL)
        g_error ("%s on %s succeeded but set an error: %s", op, o->name,
                 (*error)->message);
      if (was_closed)
        g_error ("%s on %s succeeded on a closed map", op, o->name);
      w->n_ok++;
      return;
    }

  if (*error == NULL)
    g_error ("%s on %s failed without setting a GError", op, o->name);
  if ((*error)->domain != MMAP_ERROR)
    g_error ("%s on %s failed outside MMAP_ERROR: %s %d: %s", op, o->name,
             g_quark_to_string ((*error)->domain), (*error)->code,
             (*error)->message);

  if (was_closed)
    {
      if ((*error)->code != MMAP_ERROR_CLOSED)
        g_error ("%s on closed %s failed with code %d, not CLOSED: %s", op,
                 o->name, (*error)->code, (*error)->message);
      w->n_after_close++;
    }
  else if ((*error)->code == MMAP_ERROR_CLOSED)
    {
      if (o->close_at < 0)
        g_error ("%s on %s failed with CLOSED, but nothing closes it: %s",
                 op, o->name, (*error)->message);
      w->n_after_close++;
    }
  else if ((allowed & E ((*error)->code)) == 0)
    g_error ("%s on %s failed with unexpected code %d: %s", op, o->name,
             (*error)->code, (*error)->message);

  w->n_failed++;
  g_clear_error (error);
}

static void
check_bytes (const Obj    *o,
             const char   *op,
             const guint8 *data,
             gsize         len,
             gboolean      to_end)
{
  if (o->role == ROLE_CHAOS)
    {
      if (len > o->max_len)
        g_error ("%s on %s: %" G_GSIZE_FORMAT " bytes from a map of at "
                 "most %" G_GSIZE_FORMAT, op, o->name, len, o->max_len);
      gssize bad = not_in_alphabet (data, len);

      if (bad >= 0)
        g_error ("%s on %s: byte %" G_GSSIZE_FORMAT " of %" G_GSIZE_FORMAT
                 " is 0x%02x, which was never written", op, o->name, bad,
                 len, data[bad]);
    }
  else if (!pattern_match (o, data, len, to_end))
    g_error ("%s on %s: %" G_GSIZE_FORMAT " bytes%s that the map never held",
             op, o->name, len, to_end ? " up to the end" : "");
}

/* A view's bytes: the image from @offset (pattern), or the alphabet. */
static void
check_view (const HeldView *v,
            const char     *op)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (v->bytes, &size);

  if (v->obj->role == ROLE_CHAOS)
    check_bytes (v->obj, op, data, size, FALSE);
  else if (v->offset + size > v->obj->max_len
           || memcmp (data, v->obj->image + v->offset, size) != 0)
    g_error ("%s on %s: the view at %" G_GSIZE_FORMAT " does not hold the "
             "image", op, v->obj->name, v->offset);
}

/* A view is zero-copy: reading it while another thread writes the map
 * would be the test's own data race (the library guards only its own
 * accesses). So its bytes are read while the threads run only for maps
 * nothing writes (the read-only map: the writable map of the same file
 * only ever stores the bytes already there); views of the other maps are
 * read once the threads are done. */
static void
release_view (HeldView *v,
              gboolean  threads_done)
{
  if (threads_done || !v->obj->writable)
    check_view (v, "held view");
  g_clear_pointer (&v->bytes, g_bytes_unref);
  v->obj = NULL;
}

/* ------------------------------------------------------------------ */
/* The calls                                                          */

typedef enum
{
  OP_READ,
  OP_READ_BYTE,
  OP_READLINE,
  OP_WRITE,
  OP_WRITE_BYTE,
  OP_SEEK,
  OP_TELL,
  OP_FIND,
  OP_FIND_RANGE,
  OP_GET_BYTE,
  OP_SET_BYTE,
  OP_GET_SLICE,
  OP_SET_SLICE,
  OP_VIEW,
  OP_MOVE,
  OP_RESIZE,
  OP_FLUSH,
  OP_MADVISE,
  OP_PROPERTIES,
  OP_SIZE,
  OP_CLOSE,
  N_OPS
} Op;

static const MmapAdvice gentle_advice[] = {
  MMAP_ADVICE_NORMAL, MMAP_ADVICE_RANDOM, MMAP_ADVICE_SEQUENTIAL,
  MMAP_ADVICE_WILLNEED, MMAP_ADVICE_DONTDUMP, MMAP_ADVICE_DODUMP,
};

/* A needle from the image: k bytes at @at, none of them zero. */
static gsize
pick_needle (Worker    *w,
             const Obj *o,
             gsize      k)
{
  for (;;)
    {
      gsize at = (gsize) rand_range (w->rand, 0, (gssize) (o->base_len - k));

      if (memchr (o->image + at, 0, k) == NULL)
        return at;
    }
}

static void
fill_letters (Worker *w,
              guint8 *buf,
              gsize   len)
{
  guint8 letter = (guint8) ('a' + g_rand_int_range (w->rand, 0, 26));

  for (gsize i = 0; i < len; i++)
    buf[i] = i % 41 == 40 ? '\n' : letter;
}

static void
do_read (Worker   *w,
         Obj      *o,
         Op        op,
         gboolean  was_closed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gssize n = g_rand_int_range (w->rand, 0, 8) == 0
             ? -1 : rand_range (w->rand, 0, 600);
  const guint8 *data;
  gsize len;
  gboolean to_end;

  if (op == OP_READLINE)
    bytes = mmap_object_readline (o->map, &error);
  else
    bytes = mmap_object_read (o->map, n, &error);
  check_outcome (w, o, op == OP_READLINE ? "readline" : "read",
                 bytes != NULL, &error, was_closed, 0);
  if (bytes == NULL)
    return;

  data = g_bytes_get_data (bytes, &len);
  if (op == OP_READLINE)
    {
      const guint8 *nl = len > 0 ? memchr (data, '\n', len) : NULL;

      if (nl != NULL && nl != data + len - 1)
        g_error ("readline on %s: a line goes on past its newline", o->name);
      to_end = nl == NULL;
    }
  else
    {
      if (n >= 0 && len > (gsize) n)
        g_error ("read (%" G_GSSIZE_FORMAT ") on %s gave %" G_GSIZE_FORMAT
                 " bytes", n, o->name, len);
      to_end = n < 0 || len < (gsize) n;
    }
  check_bytes (o, op == OP_READLINE ? "readline" : "read", data, len,
               to_end);
}

static void
do_seek (Worker   *w,
         Obj      *o,
         gboolean  was_closed)
{
  g_autoptr(GError) error = NULL;
  gssize max = (gssize) o->max_len;
  gssize base = (gssize) (o->role == ROLE_PATTERN ? o->base_len : 0);
  GSeekType whence;
  goffset target, got;
  gboolean must_succeed = FALSE, must_fail = FALSE;

  switch (g_rand_int_range (w->rand, 0, 3))
    {
    case 0:
      whence = G_SEEK_SET;
      target = rand_range (w->rand, 0, max + 50);
      must_succeed = target <= base;
      must_fail = target > max;
      break;
    case 1:
      whence = G_SEEK_CUR;
      target = rand_range (w->rand, -300, 300);
      break;
    default:
      whence = G_SEEK_END;
      target = g_rand_int_range (w->rand, 0, 8) == 0
               ? rand_range (w->rand, 1, 50)
               : -rand_range (w->rand, 0, base + 1);
      must_succeed = target <= 0;
      must_fail = target > 0;
      break;
    }

  got = mmap_object_seek (o->map, target, whence, &error);
  if (o->role == ROLE_CHAOS)
    must_succeed = FALSE;
  if (got >= 0 && must_fail)
    g_error ("seek (%" G_GOFFSET_FORMAT ", %d) on %s succeeded past the "
             "largest length", target, whence, o->name);
  if (got < 0 && must_succeed && !was_closed)
    g_error ("seek (%" G_GOFFSET_FORMAT ", %d) on %s failed: %s", target,
             whence, o->name, error != NULL ? error->message : "no error");
  check_outcome (w, o, "seek", got >= 0, &error, was_closed,
                 E (MMAP_ERROR_OUT_OF_RANGE));
  if (got < 0)
    return;

  if (got > max)
    g_error ("seek on %s: position %" G_GOFFSET_FORMAT " past the largest "
             "length", o->name, got);
  if (whence == G_SEEK_SET && got != target)
    g_error ("seek (%" G_GOFFSET_FORMAT ", SET) on %s went to %"
             G_GOFFSET_FORMAT, target, o->name, got);
  if (whence == G_SEEK_END && !is_length (o, (gsize) (got - target)))
    g_error ("seek (%" G_GOFFSET_FORMAT ", END) on %s went to %"
             G_GOFFSET_FORMAT ": not from one of its lengths", target,
             o->name, got);
}

static void
do_find (Worker   *w,
         Obj      *o,
         Op        op,
         gboolean  was_closed)
{
  g_autoptr(GError) error = NULL;
  gboolean reverse = g_rand_boolean (w->rand);
  gssize start = rand_range (w->rand, -(gssize) o->max_len - 20,
                             (gssize) o->max_len + 20);
  gssize end = g_rand_int_range (w->rand, 0, 4) == 0
               ? G_MAXSSIZE : rand_range (w->rand, -(gssize) o->max_len - 20,
                                          (gssize) o->max_len + 20);
  const char *name;
  guint8 letters[4];
  const guint8 *needle;
  gsize k, at = 0;
  gssize got;

  if (o->role == ROLE_PATTERN)
    {
      k = (gsize) rand_range (w->rand, 2, 13);
      at = pick_needle (w, o, k);
      needle = o->image + at;
    }
  else
    {
      k = (gsize) rand_range (w->rand, 1, 5);
      fill_letters (w, letters, k);
      needle = letters;
    }

  if (op == OP_FIND)
    {
      name = reverse ? "rfind" : "find";
      got = reverse ? mmap_object_rfind (o->map, needle, k, &error)
                    : mmap_object_find (o->map, needle, k, &error);
    }
  else
    {
      name = reverse ? "rfind_range" : "find_range";
      got = reverse ? mmap_object_rfind_range (o->map, needle, k, start, end,
                                               &error)
                    : mmap_object_find_range (o->map, needle, k, start, end,
                                              &error);
    }

  if (got < -2)
    g_error ("%s on %s returned %" G_GSSIZE_FORMAT, name, o->name, got);
  if (got == -2 && error == NULL)
    g_error ("%s on %s returned -2 without an error", name, o->name);
  if (got == -1 && error != NULL)
    g_error ("%s on %s returned -1 and set an error", name, o->name);
  check_outcome (w, o, name, got != -2, &error, was_closed, 0);
  if (got == -2)
    return;
  if (got >= 0 && (gsize) got + k > o->max_len)
    g_error ("%s on %s found %" G_GSIZE_FORMAT " bytes at %"
             G_GSSIZE_FORMAT ", past the largest length", name, o->name, k,
             got);
  if (o->role == ROLE_CHAOS || got == -1)
    {
      /* From the position, the needle may lie before it: any miss is
       * possible. With a range, a pattern map's answer is known. */
      if (o->role == ROLE_PATTERN && op == OP_FIND_RANGE)
        {
          gboolean found = FALSE;

          for (guint i = 0; i < o->n_lengths && !found; i++)
            {
              gsize len = o->lengths[i];

              found = pattern_find (o, at, k, clamp_bound (start, len),
                                    clamp_bound (end, len), reverse) == -1;
            }
          if (!found)
            g_error ("%s on %s missed a needle at %" G_GSIZE_FORMAT, name,
                     o->name, at);
        }
      return;
    }

  if (op == OP_FIND)
    {
      /* From the position to the end: any occurrence (find), or the last
       * one of the map (rfind). */
      gssize last = pattern_find (o, at, k, 0, o->base_len, TRUE);

      if ((gsize) got % PERIOD != at % PERIOD || (gsize) got + k > o->base_len
          || (reverse && got != last))
        g_error ("%s on %s: %" G_GSSIZE_FORMAT " is not where the needle "
                 "from %" G_GSIZE_FORMAT " is", name, o->name, got, at);
    }
  else
    {
      gboolean found = FALSE;

      for (guint i = 0; i < o->n_lengths && !found; i++)
        {
          gsize len = o->lengths[i];

          found = pattern_find (o, at, k, clamp_bound (start, len),
                                clamp_bound (end, len), reverse) == got;
        }
      if (!found)
        g_error ("%s (%" G_GSSIZE_FORMAT ", %" G_GSSIZE_FORMAT ") on %s: "
                 "%" G_GSSIZE_FORMAT " is not where the needle from %"
                 G_GSIZE_FORMAT " is", name, start, end, o->name, got, at);
    }
}

static void
do_get_byte (Worker   *w,
             Obj      *o,
             gboolean  was_closed)
{
  g_autoptr(GError) error = NULL;
  gssize max = (gssize) o->max_len;
  gssize index = rand_range (w->rand, -max - 5, max + 5);
  gint got = mmap_object_get_byte (o->map, index, &error);
  gboolean must_succeed = o->role == ROLE_PATTERN && index >= 0
                          && (gsize) index < o->base_len;

  if (got < 0 && must_succeed)
    g_error ("get_byte (%" G_GSSIZE_FORMAT ") on %s failed", index, o->name);
  check_outcome (w, o, "get_byte", got >= 0, &error, was_closed,
                 E (MMAP_ERROR_INDEX_OUT_OF_RANGE));
  if (got < 0)
    return;
  if (got > 255)
    g_error ("get_byte on %s returned %d", o->name, got);

  if (o->role == ROLE_CHAOS)
    {
      guint8 byte = (guint8) got;

      check_bytes (o, "get_byte", &byte, 1, FALSE);
    }
  else
    {
      gboolean found = FALSE;

      for (guint i = 0; i < o->n_lengths && !found; i++)
        {
          gssize len = (gssize) o->lengths[i];
          gssize at = index < 0 ? index + len : index;

          found = at >= 0 && at < len && o->image[at] == got;
        }
      if (!found)
        g_error ("get_byte (%" G_GSSIZE_FORMAT ") on %s returned %d", index,
                 o->name, got);
    }
}

static void
do_set_byte (Worker   *w,
             Obj      *o,
             gboolean  was_closed)
{
  g_autoptr(GError) error = NULL;
  gssize index;
  guint8 value;
  gboolean ok;

  if (o->role == ROLE_PATTERN)
    {
      index = rand_range (w->rand, 0, (gssize) o->base_len);
      value = o->image[index];
    }
  else
    {
      index = rand_range (w->rand, -(gssize) o->max_len - 5,
                          (gssize) o->max_len + 5);
      fill_letters (w, &value, 1);
    }

  ok = mmap_object_set_byte (o->map, index, value, &error);
  if (o->role == ROLE_PATTERN && o->writable && !ok)
    g_error ("set_byte (%" G_GSSIZE_FORMAT ") on %s failed: %s", index,
             o->name, error != NULL ? error->message : "no error");
  check_outcome (w, o, "set_byte", ok, &error, was_closed,
                 o->writable ? E (MMAP_ERROR_INDEX_OUT_OF_RANGE)
                             : E (MMAP_ERROR_READ_ONLY));
  if (ok && !o->writable)
    g_error ("set_byte on read-only %s succeeded", o->name);
}

static gssize
pick_bound (Worker    *w,
            const Obj *o)
{
  switch (g_rand_int_range (w->rand, 0, 6))
    {
    case 0:
      return G_MAXSSIZE;
    case 1:
      return G_MINSSIZE;
    default:
      return rand_range (w->rand, -(gssize) o->max_len - 20,
                         (gssize) o->max_len + 20);
    }
}

static void
do_get_slice (Worker   *w,
              Obj      *o,
              gboolean  was_closed)
{
  static const gssize steps[] = { 1, 1, 1, 2, 3, 7, -1, -2, -5 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gssize start = pick_bound (w, o);
  gssize stop = pick_bound (w, o);
  gssize step = steps[g_rand_int_range (w->rand, 0, G_N_ELEMENTS (steps))];
  gboolean found = FALSE;
  const guint8 *data;
  gsize size;

  bytes = mmap_object_get_slice (o->map, start, stop, step, &error);
  check_outcome (w, o, "get_slice", bytes != NULL, &error, was_closed, 0);
  if (bytes == NULL)
    return;

  data = g_bytes_get_data (bytes, &size);
  if (o->role == ROLE_CHAOS)
    {
      check_bytes (o, "get_slice", data, size, FALSE);
      return;
    }

  for (guint i = 0; i < o->n_lengths && !found; i++)
    {
      gssize first;
      gsize count = slice_adjust (start, stop, step, o->lengths[i], &first);
      gsize j;

      if (count != size)
        continue;
      for (j = 0; j < count && o->image[first + (gssize) j * step] == data[j];
           j++)
        ;
      found = j == count;
    }
  if (!found)
    g_error ("get_slice (%" G_GSSIZE_FORMAT ", %" G_GSSIZE_FORMAT ", %"
             G_GSSIZE_FORMAT ") on %s: %" G_GSIZE_FORMAT " bytes the map "
             "never held", start, stop, step, o->name, size);
}

static void
do_set_slice (Worker   *w,
              Obj      *o,
              gboolean  was_closed)
{
  static const gssize steps[] = { 1, 1, 2, 3, -1, -4 };
  g_autoptr(GError) error = NULL;
  gssize step = steps[g_rand_int_range (w->rand, 0, G_N_ELEMENTS (steps))];
  guint8 buf[256];
  gssize start, stop;
  gsize count;
  gboolean ok;

  if (o->role == ROLE_PATTERN)
    {
      gsize max_count;

      /* Indices inside [0, L): the same bytes the image has. */
      start = rand_range (w->rand, 0, (gssize) o->base_len);
      max_count = step > 0 ? (o->base_len - 1 - (gsize) start) / (gsize) step
                             + 1
                           : (gsize) start / (gsize) -step + 1;
      count = (gsize) rand_range (w->rand, 0,
                                  (gssize) MIN (max_count, sizeof buf) + 1);
      for (gsize i = 0; i < count; i++)
        buf[i] = o->image[start + (gssize) i * step];
      if (count == 0)
        stop = start;
      else
        {
          stop = start + ((gssize) count - 1) * step + (step > 0 ? 1 : -1);
          if (stop < 0)
            stop = G_MINSSIZE;
        }
    }
  else
    {
      /* Sized for one of the lengths: another may be current. */
      gssize first;
      gsize len = o->lengths[g_rand_int_range (w->rand, 0, o->n_lengths)];

      start = pick_bound (w, o);
      stop = pick_bound (w, o);
      count = slice_adjust (start, stop, step, len, &first);
      count = MIN (count, sizeof buf);
      fill_letters (w, buf, count);
    }

  ok = mmap_object_set_slice (o->map, start, stop, step, buf, count, &error);
  if (o->role == ROLE_PATTERN && o->writable && !ok)
    g_error ("set_slice (%" G_GSSIZE_FORMAT ", %" G_GSSIZE_FORMAT ", %"
             G_GSSIZE_FORMAT ") of %" G_GSIZE_FORMAT " bytes on %s failed: "
             "%s", start, stop, step, count, o->name,
             error != NULL ? error->message : "no error");
  if (ok && !o->writable)
    g_error ("set_slice on read-only %s succeeded", o->name);
  check_outcome (w, o, "set_slice", ok, &error, was_closed,
                 o->writable ? E (MMAP_ERROR_WRONG_SIZE)
                             : E (MMAP_ERROR_READ_ONLY));
}

static void
do_view (Worker   *w,
         Obj      *o,
         gboolean  was_closed)
{
  g_autoptr(GError) error = NULL;
  gsize offset = (gsize) rand_range (w->rand, 0, (gssize) o->max_len + 10);
  gssize length = g_rand_int_range (w->rand, 0, 6) == 0
                  ? -1 : rand_range (w->rand, 0, 400);
  gboolean must_succeed = o->role == ROLE_PATTERN && length >= 0
                          && offset + (gsize) length <= o->base_len;
  gboolean must_fail = offset > o->max_len
                       || (length >= 0
                           && offset + (gsize) length > o->max_len);
  HeldView v = { o, NULL, offset };
  gsize size;

  v.bytes = mmap_object_view (o->map, offset, length, &error);
  if (v.bytes == NULL && must_succeed)
    g_error ("view (%" G_GSIZE_FORMAT ", %" G_GSSIZE_FORMAT ") on %s "
             "failed: %s", offset, length, o->name,
             error != NULL ? error->message : "no error");
  if (v.bytes != NULL && must_fail)
    g_error ("view (%" G_GSIZE_FORMAT ", %" G_GSSIZE_FORMAT ") on %s "
             "succeeded past the largest length", offset, length, o->name);
  check_outcome (w, o, "view", v.bytes != NULL, &error, was_closed,
                 E (MMAP_ERROR_OUT_OF_RANGE));
  if (v.bytes == NULL)
    return;

  size = g_bytes_get_size (v.bytes);
  if (length >= 0 ? size != (gsize) length : !is_length (o, offset + size))
    g_error ("view (%" G_GSIZE_FORMAT ", %" G_GSSIZE_FORMAT ") on %s has %"
             G_GSIZE_FORMAT " bytes", offset, length, o->name, size);
  if (!o->writable)
    check_view (&v, "view");

  /* Keep it for a while: across resizes (which then fail) and closes. */
  for (guint i = 0; i < HELD_VIEWS; i++)
    if (w->views[i].bytes == NULL && g_rand_boolean (w->rand))
      {
        w->views[i] = v;
        return;
      }
  g_bytes_unref (v.bytes);
}

static void
do_move (Worker   *w,
         Obj      *o,
         gboolean  was_closed)
{
  g_autoptr(GError) error = NULL;
  gssize dest, src, count;
  gboolean ok;

  if (o->role == ROLE_PATTERN)
    {
      /* Between indices PERIOD apart inside [0, L): nothing changes. */
      gssize room;

      count = rand_range (w->rand, 0, 300);
      src = rand_range (w->rand, 0, (gssize) o->base_len - count + 1);
      room = ((gssize) o->base_len - count) / PERIOD;
      dest = src % PERIOD + rand_range (w->rand, 0, room + 1) * PERIOD;
      if (dest + count > (gssize) o->base_len)
        dest -= PERIOD;
    }
  else
    {
      dest = rand_range (w->rand, 0, (gssize) o->max_len + 10);
      src = rand_range (w->rand, 0, (gssize) o->max_len + 10);
      count = rand_range (w->rand, 0, 500);
    }

  ok = mmap_object_move (o->map, dest, src, count, &error);
  if (o->role == ROLE_PATTERN && o->writable && !ok)
    g_error ("move (%" G_GSSIZE_FORMAT ", %" G_GSSIZE_FORMAT ", %"
             G_GSSIZE_FORMAT ") on %s failed: %s", dest, src, count, o->name,
             error != NULL ? error->message : "no error");
  if (ok && !o->writable)
    g_error ("move on read-only %s succeeded", o->name);
  check_outcome (w, o, "move", ok, &error, was_closed,
                 o->writable ? E (MMAP_ERROR_OUT_OF_RANGE)
                             : E (MMAP_ERROR_READ_ONLY));
}

static void
do_resize (Worker   *w,
           Obj      *o,
           gboolean  was_closed)
{
  g_autoptr(GError) error = NULL;
  gsize new_len = o->lengths[g_rand_int_range (w->rand, 0, o->n_lengths)];
  gboolean ok = mmap_object_resize (o->map, new_len, &error);

  if (ok && !o->resizable)
    g_error ("resize on %s succeeded", o->name);
  w->n_resized += ok;
  /* Views (held by any thread) refuse it, before anything else, as in
   * Python; nothing else may. */
  check_outcome (w, o, "resize", ok, &error, was_closed,
                 E (MMAP_ERROR_EXPORTS_EXIST)
                 | (o->resizable ? 0 : E (MMAP_ERROR_NOT_RESIZABLE)));
}

static void
do_flush (Worker   *w,
          Obj      *o,
          gboolean  was_closed)
{
  g_autoptr(GError) error = NULL;
  gssize limit = (gssize) (o->role == ROLE_PATTERN ? o->base_len
                                                   : o->max_len + 10);
  goffset offset = rand_range (w->rand, 0, limit);
  gssize size = rand_range (w->rand, 0, limit - offset + 1);
  gboolean whole = g_rand_int_range (w->rand, 0, 4) == 0;
  gboolean ok = whole ? mmap_object_flush (o->map, &error)
                      : mmap_object_flush_range (o->map, offset, size,
                                                 &error);

  if (!ok && o->role == ROLE_PATTERN)
    g_error ("flush on %s failed: %s", o->name,
             error != NULL ? error->message : "no error");
  check_outcome (w, o, "flush", ok, &error, was_closed,
                 E (MMAP_ERROR_OUT_OF_RANGE));
}

static void
do_madvise (Worker   *w,
            Obj      *o,
            gboolean  was_closed)
{
  g_autoptr(GError) error = NULL;
  guint n_advice = G_N_ELEMENTS (gentle_advice);
  MmapAdvice advice = gentle_advice[g_rand_int_range (w->rand, 0,
                                                      (gint32) n_advice)];
  gssize limit = (gssize) (o->role == ROLE_PATTERN ? o->base_len
                                                   : o->max_len + 10);
  goffset start = rand_range (w->rand, 0, limit);
  gssize length = g_rand_int_range (w->rand, 0, 4) == 0
                  ? -1 : rand_range (w->rand, 0, 20000);
  gboolean ok = mmap_object_madvise_range (o->map, advice, start, length,
                                           &error);

  if (!ok && o->role == ROLE_PATTERN)
    g_error ("madvise (%d, %" G_GOFFSET_FORMAT ", %" G_GSSIZE_FORMAT ") on "
             "%s failed: %s", advice, start, length, o->name,
             error != NULL ? error->message : "no error");
  check_outcome (w, o, "madvise", ok, &error, was_closed,
                 E (MMAP_ERROR_OUT_OF_RANGE));
}

static guint
n_held_views (const Worker *w,
              const Obj    *o)
{
  guint n = 0;

  for (guint i = 0; i < HELD_VIEWS; i++)
    n += w->views[i].obj == o;
  return n;
}

static void
do_properties (Worker   *w,
               Obj      *o,
               gboolean  was_closed)
{
  gsize length = mmap_object_get_length (o->map);
  gboolean closed = mmap_object_get_closed (o->map);
  int fd = mmap_object_get_fd (o->map);
  guint n_views = mmap_object_get_n_views (o->map);
  g_autofree char *repr = mmap_object_to_string (o->map);
  guint64 prop_length = G_MAXUINT64;
  gboolean prop_closed = FALSE;

  g_object_get (o->map, "length", &prop_length, "closed", &prop_closed,
                NULL);
  w->n_calls += 7;
  w->n_ok += 7;

  /* Fixed at construction. */
  if (mmap_object_get_offset (o->map) != o->offset
      || mmap_object_get_access (o->map) != o->access
      || !mmap_object_seekable (o->map))
    g_error ("%s: offset, access or seekable changed", o->name);
  if (repr == NULL || !g_str_has_prefix (repr, "<Mmap.Object closed="))
    g_error ("%s: to_string gave \"%s\"", o->name, repr);

  if (!is_length (o, length) || !is_length (o, (gsize) prop_length))
    g_error ("%s: length %" G_GSIZE_FORMAT " / %" G_GUINT64_FORMAT " is not "
             "one of its lengths", o->name, length, prop_length);
  if (was_closed)
    {
      if (!closed || !prop_closed || length != 0 || prop_length != 0
          || fd != -1 || n_views != 0
          || strcmp (repr, "<Mmap.Object closed=True>") != 0)
        g_error ("closed %s: closed %d/%d, length %" G_GSIZE_FORMAT ", fd "
                 "%d, %u views", o->name, closed, prop_closed, length, fd,
                 n_views);
      return;
    }
  if (o->close_at < 0 && (closed || prop_closed))
    g_error ("%s says it is closed", o->name);
  if (fd != o->fd && !(fd == -1 && o->close_at >= 0))
    g_error ("%s: fd %d, not %d", o->name, fd, o->fd);
  /* The views this thread holds are alive, at least (a close racing
   * this call would drop the count to 0). */
  if (o->close_at < 0 && n_views < n_held_views (w, o))
    g_error ("%s: %u views, but this thread holds %u", o->name, n_views,
             n_held_views (w, o));
}

static void
do_size (Worker   *w,
         Obj      *o,
         gboolean  was_closed)
{
  g_autoptr(GError) error = NULL;
  goffset size = mmap_object_size (o->map, &error);

  check_outcome (w, o, "size", size >= 0, &error, was_closed,
                 o->n_file_sizes == 0 ? E (MMAP_ERROR_NO_TRACKED_FD) : 0);
  if (size >= 0 && !is_file_size (o, size))
    g_error ("size on %s: %" G_GOFFSET_FORMAT " is not a size its file "
             "can have", o->name, size);
  if (size >= 0 && o->n_file_sizes == 0)
    g_error ("size on %s succeeded without a file", o->name);
}

static void
do_write (Worker   *w,
          Obj      *o,
          Op        op,
          gboolean  was_closed)
{
  g_autoptr(GError) error = NULL;
  guint8 buf[200];
  gsize len = (gsize) rand_range (w->rand, 0, sizeof buf + 1);
  gboolean ok;

  /* Pattern maps cannot take a write at an unknown position. */
  g_assert_true (o->role == ROLE_CHAOS);

  fill_letters (w, buf, MAX (len, 1));
  if (op == OP_WRITE_BYTE)
    ok = mmap_object_write_byte (o->map, buf[0], &error);
  else
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (buf, len);
      gssize n = g_rand_boolean (w->rand)
                 ? mmap_object_write (o->map, buf, len, &error)
                 : mmap_object_write_bytes (o->map, bytes, &error);

      if (n >= 0 && (gsize) n != len)
        g_error ("write on %s stored %" G_GSSIZE_FORMAT " of %"
                 G_GSIZE_FORMAT " bytes", o->name, n, len);
      ok = n >= 0;
    }
  check_outcome (w, o, op == OP_WRITE_BYTE ? "write_byte" : "write", ok,
                 &error, was_closed, E (MMAP_ERROR_OUT_OF_RANGE));
}

static void
run_one (Worker *w,
         Obj    *o,
         Op      op)
{
  gboolean was_closed = g_atomic_int_get (&o->closed);

  switch (op)
    {
    case OP_READ:
    case OP_READLINE:
      do_read (w, o, op, was_closed);
      break;

    case OP_READ_BYTE:
      {
        g_autoptr(GError) error = NULL;
        gint got = mmap_object_read_byte (o->map, &error);

        check_outcome (w, o, "read_byte", got >= 0, &error, was_closed,
                       E (MMAP_ERROR_OUT_OF_RANGE));
        if (got > 255 || (got >= 0 && o->role == ROLE_PATTERN
                          && memchr (o->image, got, o->max_len) == NULL))
          g_error ("read_byte on %s returned %d", o->name, got);
        if (got >= 0 && o->role == ROLE_CHAOS)
          {
            guint8 byte = (guint8) got;

            check_bytes (o, "read_byte", &byte, 1, FALSE);
          }
      }
      break;

    case OP_WRITE:
    case OP_WRITE_BYTE:
      if (o->role == ROLE_CHAOS)
        do_write (w, o, op, was_closed);
      else
        do_set_byte (w, o, was_closed);
      break;

    case OP_SEEK:
      do_seek (w, o, was_closed);
      break;

    case OP_TELL:
      {
        g_autoptr(GError) error = NULL;
        goffset pos = mmap_object_tell (o->map, &error);

        check_outcome (w, o, "tell", pos >= 0, &error, was_closed, 0);
        if (pos > (goffset) o->max_len)
          g_error ("tell on %s: %" G_GOFFSET_FORMAT " is past the largest "
                   "length", o->name, pos);
      }
      break;

    case OP_FIND:
    case OP_FIND_RANGE:
      do_find (w, o, op, was_closed);
      break;

    case OP_GET_BYTE:
      do_get_byte (w, o, was_closed);
      break;

    case OP_SET_BYTE:
      do_set_byte (w, o, was_closed);
      break;

    case OP_GET_SLICE:
      do_get_slice (w, o, was_closed);
      break;

    case OP_SET_SLICE:
      do_set_slice (w, o, was_closed);
      break;

    case OP_VIEW:
      do_view (w, o, was_closed);
      break;

    case OP_MOVE:
      do_move (w, o, was_closed);
      break;

    case OP_RESIZE:
      do_resize (w, o, was_closed);
      break;

    case OP_FLUSH:
      /* msync () of dirty file pages waits for the disk: keep it rare. */
      if (g_rand_int_range (w->rand, 0, 3) == 0)
        do_flush (w, o, was_closed);
      else
        do_properties (w, o, was_closed);
      break;

    case OP_MADVISE:
      do_madvise (w, o, was_closed);
      break;

    case OP_PROPERTIES:
      do_properties (w, o, was_closed);
      break;

    case OP_SIZE:
      do_size (w, o, was_closed);
      break;

    case OP_CLOSE:
      /* Closing a closed map does nothing; open maps are closed only at
       * close_at. */
      if (was_closed)
        {
          g_autoptr(GError) error = NULL;

          check_outcome (w, o, "close", mmap_object_close (o->map, &error),
                         &error, FALSE, 0);
        }
      else
        do_properties (w, o, was_closed);
      break;

    case N_OPS:
    default:
      g_assert_not_reached ();
    }
}

static void
barrier_wait (Stress *s)
{
  g_mutex_lock (&s->lock);
  if (++s->n_waiting == s->n_threads)
    g_cond_broadcast (&s->cond);
  else
    while (s->n_waiting < s->n_threads)
      g_cond_wait (&s->cond, &s->lock);
  g_mutex_unlock (&s->lock);
}

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;
  Stress *s = w->stress;

  barrier_wait (s);

  for (guint it = 0; it < s->n_ops; it++)
    {
      gint n = g_atomic_int_add (&s->n_started, 1);
      Obj *o = &s->objs[g_rand_int_range (w->rand, 0, s->n_objs)];
      gboolean closed_now = FALSE;

      for (guint i = 0; i < s->n_objs; i++)
        if (s->objs[i].close_at == n)
          {
            g_autoptr(GError) error = NULL;

            g_assert_true (mmap_object_close (s->objs[i].map, &error));
            g_assert_no_error (error);
            g_atomic_int_set (&s->objs[i].closed, TRUE);
            w->n_calls++;
            w->n_ok++;
            closed_now = TRUE;
          }

      if (!closed_now)
        run_one (w, o, (Op) g_rand_int_range (w->rand, 0, N_OPS));

      for (guint i = 0; i < HELD_VIEWS; i++)
        if (w->views[i].bytes != NULL && g_rand_int_range (w->rand, 0, 6) == 0)
          release_view (&w->views[i], FALSE);
    }

  /* The views still held are checked once every thread is done. */
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Set-up and final checks                                            */

static guint8 *
make_image (guint  phase,
            gsize  base_len,
            gsize  max_len)
{
  guint8 *image = g_malloc0 (max_len);

  for (gsize i = 0; i < base_len; i++)
    image[i] = (guint8) ((phase + i) % PERIOD);
  return image;
}

static void
add_pattern (Stress     *s,
             const char *name,
             MmapObject *map,
             guint       phase,
             gsize       base_len,
             gsize       grow,
             gboolean    writable,
             gboolean    resizable,
             goffset     file_base)
{
  Obj *o = &s->objs[s->n_objs++];

  g_assert_nonnull (map);
  o->name = name;
  o->map = map;
  o->role = ROLE_PATTERN;
  o->base_len = base_len;
  o->max_len = base_len + grow;
  o->lengths[o->n_lengths++] = base_len;
  if (grow > 0)
    o->lengths[o->n_lengths++] = base_len + grow;
  o->image = make_image (phase, base_len, o->max_len);
  o->writable = writable;
  o->resizable = resizable;
  o->fd = mmap_object_get_fd (map);
  o->offset = mmap_object_get_offset (map);
  o->access = mmap_object_get_access (map);
  o->close_at = -1;
  if (file_base >= 0)
    {
      /* The file's size follows the resizable map sharing it. */
      o->file_sizes[o->n_file_sizes++] = file_base;
      if (grow > 0)
        o->file_sizes[o->n_file_sizes++] = file_base + (goffset) grow;
    }

  g_assert_cmpuint (mmap_object_get_length (map), ==, base_len);
}

static const gsize chaos_lengths[] = { 0, 100, 4096, 5000, 8192, 12000 };

static void
add_chaos (Stress     *s,
           const char *name,
           MmapObject *map,
           gboolean    file_backed,
           gint        close_at)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *fill = g_malloc (8192);
  Obj *o = &s->objs[s->n_objs++];

  g_assert_nonnull (map);
  o->name = name;
  o->map = map;
  o->role = ROLE_CHAOS;
  for (guint i = 0; i < G_N_ELEMENTS (chaos_lengths); i++)
    {
      o->lengths[o->n_lengths++] = chaos_lengths[i];
      if (file_backed)
        o->file_sizes[o->n_file_sizes++] = (goffset) chaos_lengths[i];
    }
  o->max_len = chaos_lengths[G_N_ELEMENTS (chaos_lengths) - 1];
  o->writable = TRUE;
  o->resizable = TRUE;
  o->fd = mmap_object_get_fd (map);
  o->offset = mmap_object_get_offset (map);
  o->access = mmap_object_get_access (map);
  o->close_at = close_at;

  g_assert_cmpuint (mmap_object_get_length (map), ==, 8192);
  mt_fill_pattern (fill, 8192, 3);
  g_assert_true (mmap_object_set_slice (map, 0, G_MAXSSIZE, 1, fill, 8192,
                                        &error));
  g_assert_no_error (error);
}

static void
stress_init (Stress *s)
{
  memset (s, 0, sizeof *s);
  s->n_threads = env_uint ("MMAP_STRESS_THREADS", 4, 1, 64);
  s->n_ops = env_uint ("MMAP_STRESS_OPS",
                       running_on_valgrind () ? 4000 : 20000, 1,
                       G_MAXINT / 64);
  s->seed = g_test_rand_int ();
  g_mutex_init (&s->lock);
  g_cond_init (&s->cond);
}

static void
stress_run (Stress     *s,
            const char *label)
{
  Worker *workers = g_new0 (Worker, s->n_threads);
  guint n_calls = 0, n_ok = 0, n_failed = 0, n_after_close = 0;
  guint n_resized = 0;

  for (guint i = 0; i < s->n_threads; i++)
    {
      workers[i].stress = s;
      workers[i].index = i;
      workers[i].rand = g_rand_new_with_seed (s->seed + i);
      workers[i].thread = g_thread_new ("mmap-stress", worker_run,
                                        &workers[i]);
    }
  for (guint i = 0; i < s->n_threads; i++)
    {
      g_thread_join (workers[i].thread);
      g_rand_free (workers[i].rand);
    }
  for (guint i = 0; i < s->n_threads; i++)
    {
      for (guint j = 0; j < HELD_VIEWS; j++)
        if (workers[i].views[j].bytes != NULL)
          release_view (&workers[i].views[j], TRUE);
      n_calls += workers[i].n_calls;
      n_ok += workers[i].n_ok;
      n_failed += workers[i].n_failed;
      n_after_close += workers[i].n_after_close;
      n_resized += workers[i].n_resized;
    }
  g_free (workers);

  g_assert_cmpint (g_atomic_int_get (&s->n_started), ==,
                   (gint) (s->n_threads * s->n_ops));
  /* Every call was counted, and calls did succeed. */
  g_assert_cmpuint (n_ok + n_failed, ==, n_calls);
  g_assert_cmpuint (n_ok, >, 0);

  g_test_message ("stress %s: %u threads x %u ops = %u ops (seed %u; %u "
                  "calls: %u ok, %u failed, %u of them closed; %u resizes)",
                  label, s->n_threads, s->n_ops, s->n_threads * s->n_ops,
                  s->seed, n_calls, n_ok, n_failed, n_after_close,
                  n_resized);
}

/* After the threads: pattern maps hold exactly the image, chaos maps
 * closed at their close_at refuse everything. */
static void
stress_finish (Stress *s)
{
  for (guint i = 0; i < s->n_objs; i++)
    {
      Obj *o = &s->objs[i];
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (mmap_object_get_n_views (o->map), ==, 0);

      if (o->role == ROLE_PATTERN)
        {
          gsize len = mmap_object_get_length (o->map);

          g_assert_true (is_length (o, len));
          mt_assert_map_is (o->map, o->image, len);
          g_assert_false (mmap_object_get_closed (o->map));
          g_assert_true (mmap_object_close (o->map, &error));
          g_assert_no_error (error);
        }
      else if (o->close_at >= 0
               && o->close_at < (gint) (s->n_threads * s->n_ops))
        {
          g_assert_true (g_atomic_int_get (&o->closed));
          g_assert_true (mmap_object_get_closed (o->map));
        }
      else
        {
          g_assert_true (mmap_object_close (o->map, &error));
          g_assert_no_error (error);
        }

      /* Closed now: everything is CLOSED. */
      g_assert_null (mmap_object_read (o->map, -1, &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
      g_clear_error (&error);
      g_assert_cmpint (mmap_object_get_byte (o->map, 0, &error), ==, -1);
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
      g_clear_error (&error);
      g_assert_false (mmap_object_resize (o->map, 100, &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
      g_clear_error (&error);
      g_assert_null (mmap_object_view (o->map, 0, -1, &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
      g_clear_error (&error);
      g_assert_cmpint (mmap_object_tell (o->map, &error), ==, -1);
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
      g_clear_error (&error);
      g_assert_cmpuint (mmap_object_get_length (o->map), ==, 0);
      g_assert_cmpint (mmap_object_get_fd (o->map), ==, -1);

      g_assert_finalize_object (o->map);
      g_free (o->image);
    }

  g_mutex_clear (&s->lock);
  g_cond_clear (&s->cond);
}

/* File maps: one file holds the pattern (by file position) behind a
 * writable, resizable map at an unaligned offset, a read-only map and a
 * copy-on-write map of its head; another file is the chaos map's. */
static void
test_stress_file (void)
{
  enum { OFFSET = 1000, BASE = 3 * 4096 + 500, GROW = 5000 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) file = NULL;
  g_autoptr(MtFile) chaos_file = NULL;
  g_autofree guint8 *contents = make_image (0, OFFSET + BASE, OFFSET + BASE);
  g_autofree guint8 *chaos_init = g_malloc0 (8192);
  g_autoptr(GBytes) after = NULL;
  Stress s;
  goffset size;

  stress_init (&s);
  file = mt_file_new (contents, OFFSET + BASE);
  chaos_file = mt_file_new (chaos_init, 8192);

  add_pattern (&s, "file-write@1000",
               mmap_object_new (file->fd, BASE, MMAP_ACCESS_WRITE, OFFSET,
                                &error),
               OFFSET, BASE, GROW, TRUE, TRUE, OFFSET + BASE);
  g_assert_no_error (error);
  add_pattern (&s, "file-read",
               mmap_object_new (file->fd, OFFSET + BASE, MMAP_ACCESS_READ, 0,
                                &error),
               0, OFFSET + BASE, 0, FALSE, FALSE, -1);
  g_assert_no_error (error);
  add_pattern (&s, "file-copy@4096",
               mmap_object_new (file->fd, OFFSET + BASE - 4096,
                                MMAP_ACCESS_COPY, 4096, &error),
               4096, OFFSET + BASE - 4096, 0, TRUE, FALSE, -1);
  g_assert_no_error (error);
  /* Read-only and copy maps share the resizable map's file. Their size ()
   * does not wait for its resize: fallocate () on ext4 makes the file
   * longer a block range at a time, so any size in between can show. */
  for (guint i = 1; i < 3; i++)
    {
      s.objs[i].file_sizes[0] = OFFSET + BASE;
      s.objs[i].file_sizes[1] = OFFSET + BASE + GROW;
      s.objs[i].n_file_sizes = 2;
      s.objs[i].file_sizes_between = TRUE;
    }
  add_chaos (&s, "file-chaos",
             mmap_object_new (chaos_file->fd, 0, MMAP_ACCESS_WRITE, 0,
                              &error),
             TRUE, (gint) (s.n_threads * s.n_ops * 3 / 4));
  g_assert_no_error (error);

  stress_run (&s, "file");
  stress_finish (&s);

  /* The file holds the pattern up to OFFSET + BASE, then zeros. */
  size = mt_fd_size (file->fd);
  g_assert_true (size == OFFSET + BASE || size == OFFSET + BASE + GROW);
  after = mt_fd_read_all (file->fd);
  g_assert_cmpmem (g_bytes_get_data (after, NULL), OFFSET + BASE, contents,
                   OFFSET + BASE);
  for (goffset i = OFFSET + BASE; i < size; i++)
    g_assert_cmpint (((const guint8 *) g_bytes_get_data (after, NULL))[i], ==,
                     0);
  size = mt_fd_size (chaos_file->fd);
  g_assert_true (size == 0 || size == 100 || size == 4096 || size == 5000
                 || size == 8192 || size == 12000);
}

/* Anonymous maps: private (resized with mremap) and shared (a memfd). */
static void
test_stress_anonymous (void)
{
  enum { BASE = 2 * 4096 + 777, GROW = 4096 + 3 };
  g_autoptr(GError) error = NULL;
  Stress s;

  stress_init (&s);

  add_pattern (&s, "anon-private",
               mmap_object_new_full (-1, BASE,
                                     MMAP_MAP_PRIVATE | MMAP_MAP_ANONYMOUS,
                                     MMAP_PROT_READ | MMAP_PROT_WRITE,
                                     MMAP_ACCESS_DEFAULT, 0, TRUE, &error),
               17, BASE, GROW, TRUE, TRUE, -1);
  g_assert_no_error (error);
  add_pattern (&s, "anon-shared",
               mmap_object_new_anonymous (BASE, &error),
               101, BASE, 0, TRUE, TRUE, -1);
  g_assert_no_error (error);
  /* Anonymous maps start zeroed: store the pattern. */
  for (guint i = 0; i < s.n_objs; i++)
    {
      g_assert_true (mmap_object_set_slice (s.objs[i].map, 0, BASE, 1,
                                            s.objs[i].image, BASE, &error));
      g_assert_no_error (error);
    }
  add_chaos (&s, "anon-shared-chaos",
             mmap_object_new_anonymous (8192, &error), FALSE,
             (gint) (s.n_threads * s.n_ops * 3 / 4));
  g_assert_no_error (error);
  add_chaos (&s, "anon-private-chaos",
             mmap_object_new_full (-1, 8192,
                                   MMAP_MAP_PRIVATE | MMAP_MAP_ANONYMOUS,
                                   MMAP_PROT_READ | MMAP_PROT_WRITE,
                                   MMAP_ACCESS_DEFAULT, 0, TRUE, &error),
             FALSE, (gint) (s.n_threads * s.n_ops / 2));
  g_assert_no_error (error);

  stress_run (&s, "anonymous");
  stress_finish (&s);
}

/* The first errors of the process, raised by several threads at once on
 * maps of their own (so that no lock of the library orders them): the
 * error domain's first use must be thread-safe too. Registered first, as
 * later tests would have used the domain already. */
typedef struct
{
  Stress      *stress;
  MmapObject  *map;
} FirstError;

static gpointer
first_error_run (gpointer data)
{
  FirstError *fe = data;
  g_autoptr(GError) error = NULL;

  barrier_wait (fe->stress);
  g_assert_cmpint (mmap_object_get_byte (fe->map, 1 << 20, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INDEX_OUT_OF_RANGE);
  return NULL;
}

static void
test_first_errors (void)
{
  g_autoptr(GError) error = NULL;
  Stress s;
  FirstError *fe;
  GThread **threads;

  stress_init (&s);
  fe = g_new0 (FirstError, s.n_threads);
  threads = g_new0 (GThread *, s.n_threads);
  for (guint i = 0; i < s.n_threads; i++)
    {
      fe[i].stress = &s;
      fe[i].map = mmap_object_new_anonymous (100, &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < s.n_threads; i++)
    threads[i] = g_thread_new ("mmap-first-error", first_error_run, &fe[i]);
  for (guint i = 0; i < s.n_threads; i++)
    {
      g_thread_join (threads[i]);
      g_assert_finalize_object (fe[i].map);
    }
  g_free (threads);
  g_free (fe);
  g_mutex_clear (&s.lock);
  g_cond_clear (&s.cond);
}

/* Whole-map writes racing each other and a reader: every set_slice () is
 * atomic, so a read never sees two writers' bytes mixed, and after each
 * round the map holds one writer's bytes only. The maps of the stress
 * cases above cannot show a torn write (their writes store what is there,
 * or anything from an alphabet); this one can. */
#define ATOMIC_LEN (1 << 20)

typedef struct
{
  MmapObject  *map;
  guint        n_writers;
  guint        n_rounds;
  GMutex       lock;
  GCond        cond;
  guint        round;        /* under lock: the round the writers may run */
  guint        n_done;       /* under lock: writes done, all rounds */
  gint         stop;         /* atomic: the reader stops */
  guint        n_reads;
  guint        n_torn;
} AtomicWrites;

typedef struct
{
  AtomicWrites *aw;
  guint8        value;
} AtomicWriter;

static gboolean
is_uniform (const guint8 *data,
            gsize         len)
{
  return len == 0 || (data[0] == data[len - 1]
                      && memcmp (data, data + 1, len - 1) == 0);
}

static gpointer
atomic_writer_run (gpointer data)
{
  AtomicWriter *writer = data;
  AtomicWrites *aw = writer->aw;
  g_autofree guint8 *buf = g_malloc (ATOMIC_LEN);

  memset (buf, writer->value, ATOMIC_LEN);
  for (guint round = 1; round <= aw->n_rounds; round++)
    {
      g_autoptr(GError) error = NULL;

      g_mutex_lock (&aw->lock);
      while (aw->round < round)
        g_cond_wait (&aw->cond, &aw->lock);
      g_mutex_unlock (&aw->lock);

      g_assert_true (mmap_object_set_slice (aw->map, 0, G_MAXSSIZE, 1, buf,
                                            ATOMIC_LEN, &error));
      g_assert_no_error (error);

      g_mutex_lock (&aw->lock);
      aw->n_done++;
      g_cond_broadcast (&aw->cond);
      g_mutex_unlock (&aw->lock);
    }
  return NULL;
}

static gpointer
atomic_reader_run (gpointer data)
{
  AtomicWrites *aw = data;

  /* Bounded: under valgrind, threads take turns and the writers are
   * slow. */
  while (!g_atomic_int_get (&aw->stop) && aw->n_reads < 4 * aw->n_rounds)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) all = mmap_object_get_slice (aw->map, 0, G_MAXSSIZE,
                                                     1, &error);
      gsize size;
      const guint8 *d;

      g_assert_no_error (error);
      d = g_bytes_get_data (all, &size);
      g_assert_cmpuint (size, ==, ATOMIC_LEN);
      aw->n_reads++;
      aw->n_torn += !is_uniform (d, size);
    }
  return NULL;
}

static void
test_atomic_writes (void)
{
  g_autoptr(GError) error = NULL;
  AtomicWrites aw = { 0, };
  AtomicWriter *writers;
  GThread **threads;
  GThread *reader;
  guint n_mixed = 0;

  aw.n_writers = env_uint ("MMAP_STRESS_THREADS", 4, 1, 64);
  aw.n_rounds = running_on_valgrind () ? 20 : 200;
  aw.map = mmap_object_new_anonymous (ATOMIC_LEN, &error);
  g_assert_no_error (error);
  g_mutex_init (&aw.lock);
  g_cond_init (&aw.cond);

  writers = g_new0 (AtomicWriter, aw.n_writers);
  threads = g_new0 (GThread *, aw.n_writers);
  for (guint i = 0; i < aw.n_writers; i++)
    {
      writers[i].aw = &aw;
      writers[i].value = (guint8) ('a' + i);
      threads[i] = g_thread_new ("mmap-writer", atomic_writer_run,
                                 &writers[i]);
    }
  reader = g_thread_new ("mmap-reader", atomic_reader_run, &aw);

  for (guint round = 1; round <= aw.n_rounds; round++)
    {
      g_autoptr(GBytes) all = NULL;

      g_mutex_lock (&aw.lock);
      aw.round = round;
      g_cond_broadcast (&aw.cond);
      while (aw.n_done < round * aw.n_writers)
        g_cond_wait (&aw.cond, &aw.lock);
      g_mutex_unlock (&aw.lock);

      all = mmap_object_get_slice (aw.map, 0, G_MAXSSIZE, 1, &error);
      g_assert_no_error (error);
      n_mixed += !is_uniform (g_bytes_get_data (all, NULL), ATOMIC_LEN);
    }

  g_atomic_int_set (&aw.stop, TRUE);
  g_thread_join (reader);
  for (guint i = 0; i < aw.n_writers; i++)
    g_thread_join (threads[i]);

  g_test_message ("atomic writes: %u writers x %u rounds of %d bytes, %u "
                  "reads: %u rounds left mixed bytes, %u reads torn",
                  aw.n_writers, aw.n_rounds, ATOMIC_LEN, aw.n_reads, n_mixed,
                  aw.n_torn);
  g_assert_cmpuint (n_mixed, ==, 0);
  g_assert_cmpuint (aw.n_torn, ==, 0);

  g_assert_finalize_object (aw.map);
  g_free (threads);
  g_free (writers);
  g_mutex_clear (&aw.lock);
  g_cond_clear (&aw.cond);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mmap/Object/stress/first-errors", test_first_errors);
  g_test_add_func ("/Mmap/Object/stress/file", test_stress_file);
  g_test_add_func ("/Mmap/Object/stress/anonymous", test_stress_anonymous);
  g_test_add_func ("/Mmap/Object/stress/atomic-writes", test_atomic_writes);

  return g_test_run ();
}
