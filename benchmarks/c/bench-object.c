/* bench-object.c: MmapObject's hot calls as ratios against plain C
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: bench-object [--repeats=N] [--batch-ms=MS] [--json=FILE]
 *                     [--filter=TEXT] [--max-retries=N]
 *
 * Every row times a library call and its anchor (the plain C that does the
 * same work) over the same bytes of the same mapping, interleaved in this
 * process: N rounds, each timing one batch of each side, alternating which
 * goes first; the best batch of each side counts. The table gives both
 * figures in ns per call, their ratio and the target of issue 7.
 *
 * The thread rows time one object shared by two threads against one thread
 * alone; the ratio is the gain in throughput. Each attempt first checks that
 * the machine can run two threads at once (a plain C control must get about
 * twice its wall time in thread CPU time, CLOCK_THREAD_CPUTIME_ID) and that
 * the library's threads did not wait for a CPU (run delay from
 * /proc/thread-self/schedstat); an attempt that fails either is retried, and
 * the retries are reported. The CPU/wall figure of the library's two threads
 * is printed too: below 2, they slept (on a lock) rather than ran.
 *
 * Figures only: nothing here is a test and nothing fails on a MISS.
 */

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <mmapobj/mmapobj.h>

/* The anchors must stay real calls: no inlining, and no interprocedural
 * shortcuts either (GCC would otherwise clone them for constant args). */
#if defined(__clang__)
# define BENCH_OPAQUE __attribute__ ((noinline))
#else
# define BENCH_OPAQUE __attribute__ ((noinline, noipa))
#endif

/* Keeps the compiler from dropping a buffer it can see is never read. */
#define ESCAPE(p) __asm__ volatile ("" : : "r" (p) : "memory")

/* The file: a 1 MiB haystack H of random text, its mirror image (so that
 * rfind in the mirror does exactly the work of a forward search in H), then
 * 80-byte lines. */
#define HAY_SIZE   ((gsize) 1 << 20)
#define LINE_LEN   80
#define N_LINES    (HAY_SIZE / LINE_LEN)
#define LINES_AT   (2 * HAY_SIZE)
#define FILE_SIZE  (LINES_AT + N_LINES * LINE_LEN)
#define WINDOW     ((gsize) 64 * 1024)   /* get_byte indices stay in cache */
#define SLICE_LEN  ((gsize) 4096)
#define SMALL_READ ((gsize) 64)
#define MAX_NEEDLE 1024
#define N_THREADS  2

typedef struct
{
  MmapObject   *map;
  int           fd;
  const guint8 *data;       /* the map's own bytes, through a view */
  guint8       *text;       /* the original content of H */
  guint8       *needle;     /* forward needle of the current find row */
  guint8       *rneedle;    /* its mirror image, placed in the mirror */
  gsize         needle_len;
  gsize         lib_pos;    /* where the map's position is */
  gsize         pos;        /* the plain-C cursor */
  guint8       *buffer;     /* a caller's buffer, HAY_SIZE bytes */
} Bench;

typedef guint64 (*BatchFunc) (Bench *b, gsize iters);

typedef enum
{
  TARGET_NONE,
  TARGET_MAX,   /* ratio must be at most the target */
  TARGET_MIN,   /* ratio (a speed-up) must be at least the target */
} TargetKind;

typedef enum
{
  ROW_PAIR,
  ROW_THREADS,
} RowKind;

typedef struct
{
  const char  *name;
  const char  *group;
  const char  *anchor;
  RowKind      kind;
  BatchFunc    lib;
  BatchFunc    plain;
  TargetKind   target_kind;
  double       target;
  gsize        needle_len;   /* find rows */
} RowSpec;

typedef struct
{
  const RowSpec *spec;
  gboolean       skipped;
  double         lib_ns;
  double         anchor_ns;
  double         ratio;
  const char    *result;
  guint          retries;
  guint          attempts;
  double         cpu_per_wall;
} Result;

static volatile guint64 sink;

static gint   opt_repeats = 10;
static gint   opt_batch_ms = 10;
static gint   opt_max_retries = 20;
static char  *opt_json;
static char  *opt_filter;

static gint64
clock_ns (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* The calls that copy into a caller's buffer came with issue 7: meson
 * defines MMAP_HAVE_INTO_API when the library's header declares them, and
 * their rows say "absent" otherwise. */
static gboolean
have_into_api (void)
{
#ifdef MMAP_HAVE_INTO_API
  return TRUE;
#else
  return FALSE;
#endif
}

/* ---- plain C anchors --------------------------------------------------- */

static BENCH_OPAQUE gint
plain_get_byte (const guint8 *data,
                gsize         len,
                gssize        index)
{
  if (index < 0)
    index += (gssize) len;
  if (index < 0 || (gsize) index >= len)
    return -1;
  return data[index];
}

static BENCH_OPAQUE gssize
plain_read_into (const guint8 *data,
                 gsize         len,
                 gsize        *pos,
                 guint8       *buffer,
                 gsize         count)
{
  gsize n = *pos < len ? MIN (count, len - *pos) : 0;

  memcpy (buffer, data + *pos, n);
  *pos += n;
  return (gssize) n;
}

static BENCH_OPAQUE gboolean
plain_set_byte (guint8 *data,
                gsize   len,
                gssize  index,
                guint8  value)
{
  if (index < 0)
    index += (gssize) len;
  if (index < 0 || (gsize) index >= len)
    return FALSE;
  data[index] = value;
  return TRUE;
}

static BENCH_OPAQUE gssize
plain_write (guint8       *data,
             gsize         len,
             gsize        *pos,
             const guint8 *src,
             gsize         count)
{
  if (*pos > len || count > len - *pos)
    return -1;
  memcpy (data + *pos, src, count);
  *pos += count;
  return (gssize) count;
}

static BENCH_OPAQUE gssize
plain_readline_into (const guint8 *data,
                     gsize         len,
                     gsize        *pos,
                     guint8       *buffer,
                     gsize         count)
{
  const guint8 *start = data + *pos;
  gsize left = *pos < len ? len - *pos : 0;
  const guint8 *nl = memchr (start, '\n', left);
  gsize n = nl != NULL ? (gsize) (nl - start) + 1 : left;

  n = MIN (n, count);
  memcpy (buffer, start, n);
  *pos += n;
  return (gssize) n;
}

static BENCH_OPAQUE gssize
plain_slice_into (const guint8 *data,
                  gsize         len,
                  gssize        start,
                  gssize        stop,
                  guint8       *buffer,
                  gsize         count)
{
  gsize n;

  start = CLAMP (start, 0, (gssize) len);
  stop = CLAMP (stop, start, (gssize) len);
  n = MIN ((gsize) (stop - start), count);
  memcpy (buffer, data + start, n);
  return (gssize) n;
}

/* What a call that returns new memory must do at the least: allocate,
 * copy, and (here) free at once. */
static inline void
copy_to_new (const guint8 *src,
             gsize         n)
{
  guint8 *copy = malloc (n);

  memcpy (copy, src, n);
  ESCAPE (copy);
  free (copy);
}

/* ---- batches: each makes @iters calls and returns a checksum ---------- */

static guint64
lib_get_byte (Bench *b,
              gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    sum += (guint) mmap_object_get_byte (b->map, (gssize) (i & (WINDOW - 1)),
                                         NULL);
  return sum;
}

static guint64
plain_get_byte_batch (Bench *b,
                      gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    sum += (guint) plain_get_byte (b->data, FILE_SIZE,
                                   (gssize) (i & (WINDOW - 1)));
  return sum;
}

static guint64
pointer_read_batch (Bench *b,
                    gsize  iters)
{
  guint64 sum = 0;

  /* One load per call, as get_byte makes: the barrier stops vectorising. */
  for (gsize i = 0; i < iters; i++)
    {
      sum += b->data[i & (WINDOW - 1)];
      __asm__ volatile ("" : "+r" (sum));
    }
  return sum;
}

static void
lib_rewind (Bench *b,
            gsize  to)
{
  if (mmap_object_seek (b->map, (goffset) to, G_SEEK_SET, NULL) < 0)
    g_error ("seek failed");
  b->lib_pos = to;
}

static guint64
lib_read_small (Bench *b,
                gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      GBytes *bytes;

      if (b->lib_pos + SMALL_READ > HAY_SIZE)
        lib_rewind (b, 0);
      bytes = mmap_object_read (b->map, SMALL_READ, NULL);
      sum += g_bytes_get_size (bytes);
      g_bytes_unref (bytes);
      b->lib_pos += SMALL_READ;
    }
  return sum;
}

static guint64
plain_read_small (Bench *b,
                  gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      if (b->pos + SMALL_READ > HAY_SIZE)
        b->pos = 0;
      copy_to_new (b->data + b->pos, SMALL_READ);
      sum += SMALL_READ;
      b->pos += SMALL_READ;
    }
  return sum;
}

#ifdef MMAP_HAVE_INTO_API
static guint64
lib_read_into_small (Bench *b,
                     gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      if (b->lib_pos + SMALL_READ > HAY_SIZE)
        lib_rewind (b, 0);
      sum += (guint64) mmap_object_read_into (b->map, b->buffer, SMALL_READ,
                                              NULL);
      b->lib_pos += SMALL_READ;
    }
  return sum;
}
#endif

/* The writes store the bytes already there (the haystack's own, kept in
 * b->text), so that the find rows still see the text they expect. */
static guint64
lib_set_byte (Bench *b,
              gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      gsize at = i & (WINDOW - 1);

      sum += (guint64) mmap_object_set_byte (b->map, (gssize) at, b->text[at],
                                             NULL);
    }
  return sum;
}

static guint64
plain_set_byte_batch (Bench *b,
                      gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      gsize at = i & (WINDOW - 1);

      sum += (guint64) plain_set_byte ((guint8 *) b->data, FILE_SIZE,
                                       (gssize) at, b->text[at]);
    }
  return sum;
}

static guint64
lib_write_small (Bench *b,
                 gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      if (b->lib_pos + SMALL_READ > WINDOW)
        lib_rewind (b, 0);
      sum += (guint64) mmap_object_write (b->map, b->text + b->lib_pos,
                                          SMALL_READ, NULL);
      b->lib_pos += SMALL_READ;
    }
  return sum;
}

static guint64
plain_write_small (Bench *b,
                   gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      if (b->pos + SMALL_READ > WINDOW)
        b->pos = 0;
      sum += (guint64) plain_write ((guint8 *) b->data, FILE_SIZE, &b->pos,
                                    b->text + b->pos, SMALL_READ);
    }
  return sum;
}

static guint64
plain_read_into_small (Bench *b,
                       gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      if (b->pos + SMALL_READ > HAY_SIZE)
        b->pos = 0;
      sum += (guint64) plain_read_into (b->data, HAY_SIZE, &b->pos, b->buffer,
                                        SMALL_READ);
    }
  return sum;
}

static guint64
lib_readline (Bench *b,
              gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      GBytes *line;

      if (b->lib_pos >= FILE_SIZE)
        lib_rewind (b, LINES_AT);
      line = mmap_object_readline (b->map, NULL);
      sum += g_bytes_get_size (line);
      b->lib_pos += g_bytes_get_size (line);
      g_bytes_unref (line);
    }
  return sum;
}

static guint64
plain_readline (Bench *b,
                gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      const guint8 *start, *nl;
      gsize n;

      if (b->pos >= FILE_SIZE)
        b->pos = LINES_AT;
      start = b->data + b->pos;
      nl = memchr (start, '\n', FILE_SIZE - b->pos);
      n = nl != NULL ? (gsize) (nl - start) + 1 : FILE_SIZE - b->pos;
      copy_to_new (start, n);
      sum += n;
      b->pos += n;
    }
  return sum;
}

#ifdef MMAP_HAVE_INTO_API
static guint64
lib_readline_into (Bench *b,
                   gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      gssize n;

      if (b->lib_pos >= FILE_SIZE)
        lib_rewind (b, LINES_AT);
      n = mmap_object_readline_into (b->map, b->buffer, 2 * LINE_LEN, NULL);
      sum += (guint64) n;
      b->lib_pos += (gsize) n;
    }
  return sum;
}
#endif

static guint64
plain_readline_into_batch (Bench *b,
                           gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      if (b->pos >= FILE_SIZE)
        b->pos = LINES_AT;
      sum += (guint64) plain_readline_into (b->data, FILE_SIZE, &b->pos,
                                            b->buffer, 2 * LINE_LEN);
    }
  return sum;
}

static guint64
lib_find (Bench *b,
          gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    sum += (guint64) mmap_object_find_range (b->map, b->needle, b->needle_len,
                                             0, (gssize) HAY_SIZE, NULL);
  return sum;
}

static guint64
lib_rfind (Bench *b,
           gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    sum += (guint64) mmap_object_rfind_range (b->map, b->rneedle,
                                              b->needle_len,
                                              (gssize) HAY_SIZE,
                                              (gssize) (2 * HAY_SIZE), NULL);
  return sum;
}

static guint64
plain_memmem (Bench *b,
              gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      const guint8 *hit;

      /* memmem is pure: without this, the loop would call it once. */
      __asm__ volatile ("" : : : "memory");
      hit = memmem (b->data, HAY_SIZE, b->needle, b->needle_len);
      sum += (guint64) (hit - b->data);
    }
  return sum;
}

static guint64
lib_read_large (Bench *b,
                gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      GBytes *bytes;

      lib_rewind (b, 0);
      bytes = mmap_object_read (b->map, HAY_SIZE, NULL);
      sum += g_bytes_get_size (bytes);
      g_bytes_unref (bytes);
    }
  return sum;
}

static guint64
plain_read_large (Bench *b,
                  gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      copy_to_new (b->data, HAY_SIZE);
      sum += HAY_SIZE;
    }
  return sum;
}

#ifdef MMAP_HAVE_INTO_API
static guint64
lib_read_into_large (Bench *b,
                     gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      lib_rewind (b, 0);
      sum += (guint64) mmap_object_read_into (b->map, b->buffer, HAY_SIZE,
                                              NULL);
    }
  return sum;
}
#endif

static guint64
plain_memcpy_large (Bench *b,
                    gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      memcpy (b->buffer, b->data, HAY_SIZE);
      ESCAPE (b->buffer);
      sum += HAY_SIZE;
    }
  return sum;
}

static gssize
slice_start (gsize i)
{
  return (gssize) ((i * SLICE_LEN) & (HAY_SIZE - 1));
}

static guint64
lib_get_slice (Bench *b,
               gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      gssize start = slice_start (i);
      GBytes *bytes = mmap_object_get_slice (b->map, start,
                                             start + (gssize) SLICE_LEN, 1,
                                             NULL);

      sum += g_bytes_get_size (bytes);
      g_bytes_unref (bytes);
    }
  return sum;
}

static guint64
plain_slice (Bench *b,
             gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      copy_to_new (b->data + slice_start (i), SLICE_LEN);
      sum += SLICE_LEN;
    }
  return sum;
}

#ifdef MMAP_HAVE_INTO_API
static guint64
lib_get_slice_into (Bench *b,
                    gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      gssize start = slice_start (i);

      sum += (guint64) mmap_object_get_slice_into (b->map, start,
                                                   start + (gssize) SLICE_LEN,
                                                   1, b->buffer, SLICE_LEN,
                                                   NULL);
    }
  return sum;
}
#endif

static guint64
plain_slice_into_batch (Bench *b,
                        gsize  iters)
{
  guint64 sum = 0;

  for (gsize i = 0; i < iters; i++)
    {
      gssize start = slice_start (i);

      sum += (guint64) plain_slice_into (b->data, FILE_SIZE, start,
                                         start + (gssize) SLICE_LEN,
                                         b->buffer, SLICE_LEN);
    }
  return sum;
}

/* ---- the rows ---------------------------------------------------------- */

#ifdef MMAP_HAVE_INTO_API
# define INTO(fn) fn
#else
# define INTO(fn) NULL
#endif

#define FIND_ROW(n) \
  { "find (" #n ")", "find", "memmem", ROW_PAIR, lib_find, plain_memmem, \
    TARGET_MAX, 1.05, n }
#define RFIND_ROW(n) \
  { "rfind (" #n ")", "rfind", "memmem, same distance", ROW_PAIR, lib_rfind, \
    plain_memmem, TARGET_MAX, 1.2, n }

/* A row whose library side is NULL is absent from this library. */
static const RowSpec rows[] = {
  { "get_byte", "get_byte", "bounds-checked function", ROW_PAIR,
    lib_get_byte, plain_get_byte_batch, TARGET_MAX, 3.0, 0 },
  { "get_byte / p[i]", "get_byte", "pointer read", ROW_PAIR,
    lib_get_byte, pointer_read_batch, TARGET_NONE, 0, 0 },
  { "read (64)", "read", "malloc + memcpy + free", ROW_PAIR,
    lib_read_small, plain_read_small, TARGET_MAX, 2.0, 0 },
  { "readline (80)", "readline", "memchr + malloc + memcpy + free", ROW_PAIR,
    lib_readline, plain_readline, TARGET_MAX, 2.0, 0 },
  { "set_byte", "set_byte", "bounds-checked store function", ROW_PAIR,
    lib_set_byte, plain_set_byte_batch, TARGET_NONE, 0, 0 },
  { "write (64)", "write", "bounds-checked copy function", ROW_PAIR,
    lib_write_small, plain_write_small, TARGET_NONE, 0, 0 },
  FIND_ROW (1), FIND_ROW (2), FIND_ROW (4), FIND_ROW (13), FIND_ROW (64),
  FIND_ROW (1024),
  RFIND_ROW (1), RFIND_ROW (2), RFIND_ROW (4), RFIND_ROW (13), RFIND_ROW (64),
  RFIND_ROW (1024),
  { "read (1 MiB)", "read", "malloc + memcpy + free", ROW_PAIR,
    lib_read_large, plain_read_large, TARGET_MAX, 1.05, 0 },
  { "get_slice (4 KiB)", "get_slice", "malloc + memcpy + free", ROW_PAIR,
    lib_get_slice, plain_slice, TARGET_NONE, 0, 0 },
  { "read_into (64)", "into", "bounds-checked copy function", ROW_PAIR,
    INTO (lib_read_into_small), plain_read_into_small, TARGET_NONE, 0, 0 },
  { "readline_into (80)", "into", "bounds-checked memchr + memcpy function",
    ROW_PAIR, INTO (lib_readline_into), plain_readline_into_batch,
    TARGET_NONE, 0, 0 },
  { "get_slice_into (4 KiB)", "into", "bounds-checked copy function",
    ROW_PAIR, INTO (lib_get_slice_into), plain_slice_into_batch,
    TARGET_NONE, 0, 0 },
  { "read_into (1 MiB)", "into", "memcpy", ROW_PAIR,
    INTO (lib_read_into_large), plain_memcpy_large, TARGET_MAX, 1.05, 0 },
  { "2 threads: get_byte", "threads", "1 thread", ROW_THREADS,
    lib_get_byte, NULL, TARGET_MIN, 1.7, 0 },
  { "2 threads: get_slice (4 KiB)", "threads", "1 thread", ROW_THREADS,
    lib_get_slice, NULL, TARGET_MIN, 1.7, 0 },
  { "2 threads: find (1 MiB)", "threads", "1 thread", ROW_THREADS,
    lib_find, NULL, TARGET_MIN, 1.7, 13 },
};

/* ---- timing ------------------------------------------------------------ */

typedef struct
{
  double wall;   /* ns per call */
  gboolean clean;  /* the thread had the CPU for the whole batch */
} Batch;

static Batch
time_batch (Bench     *b,
            BatchFunc  fn,
            gsize      iters)
{
  gint64 cpu0 = clock_ns (CLOCK_THREAD_CPUTIME_ID);
  gint64 t0 = clock_ns (CLOCK_MONOTONIC);
  gint64 wall, cpu;

  sink += fn (b, iters);
  wall = clock_ns (CLOCK_MONOTONIC) - t0;
  cpu = clock_ns (CLOCK_THREAD_CPUTIME_ID) - cpu0;
  return (Batch) { (double) wall / (double) iters, cpu >= 0.95 * wall };
}

/* The number of calls that makes one batch last about --batch-ms. */
static gsize
calibrate (Bench     *b,
           BatchFunc  fn,
           double     scale)
{
  double target = opt_batch_ms * 1e6 * scale;
  gsize iters = 1;

  for (;;)
    {
      gint64 t0 = clock_ns (CLOCK_MONOTONIC);
      double dt;

      sink += fn (b, iters);
      dt = (double) (clock_ns (CLOCK_MONOTONIC) - t0);
      if (dt >= target / 8)
        return MAX (1, (gsize) ((double) iters * target / MAX (dt, 1.0)));
      iters *= 4;
    }
}

/* Best of --repeats clean batches per side (batches during which another
 * process took the CPU are retried), interleaved, alternating which side
 * goes first. */
static void
measure_pair (Bench  *b,
              Result *r)
{
  gsize lib_iters = calibrate (b, r->spec->lib, 1.0);
  gsize plain_iters = calibrate (b, r->spec->plain, 1.0);
  double any_lib = G_MAXDOUBLE, any_plain = G_MAXDOUBLE;
  guint clean_lib = 0, clean_plain = 0;

  r->lib_ns = r->anchor_ns = G_MAXDOUBLE;
  while ((clean_lib < (guint) opt_repeats || clean_plain < (guint) opt_repeats)
         && r->retries <= (guint) opt_max_retries)
    {
      Batch lib, plain;

      if (r->attempts % 2 == 0)
        {
          lib = time_batch (b, r->spec->lib, lib_iters);
          plain = time_batch (b, r->spec->plain, plain_iters);
        }
      else
        {
          plain = time_batch (b, r->spec->plain, plain_iters);
          lib = time_batch (b, r->spec->lib, lib_iters);
        }
      if (r->attempts++ >= (guint) opt_repeats)
        r->retries++;
      any_lib = MIN (any_lib, lib.wall);
      any_plain = MIN (any_plain, plain.wall);
      if (lib.clean)
        {
          clean_lib++;
          r->lib_ns = MIN (r->lib_ns, lib.wall);
        }
      if (plain.clean)
        {
          clean_plain++;
          r->anchor_ns = MIN (r->anchor_ns, plain.wall);
        }
    }
  if (clean_lib == 0 || clean_plain == 0)
    {
      r->result = "BUSY";
      r->lib_ns = any_lib;
      r->anchor_ns = any_plain;
    }
  r->ratio = r->lib_ns / r->anchor_ns;
}

/* Time this thread spent runnable but waiting for a CPU, or -1. */
static gint64
run_delay_ns (void)
{
  char text[128];
  gint64 on_cpu, delay;
  ssize_t n;
  int fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return -1;
  n = read (fd, text, sizeof text - 1);
  close (fd);
  if (n <= 0)
    return -1;
  text[n] = '\0';
  if (sscanf (text, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT,
              &on_cpu, &delay) != 2)
    return -1;
  return delay;
}

typedef struct
{
  Bench      *bench;
  BatchFunc   fn;
  gsize       iters;
  gint       *go;
  gint64      start;
  gint64      end;
  gint64      cpu;
  gint64      delay;
  gint       *ready;
} Worker;

typedef struct
{
  double wall;    /* ns, first start to last end */
  double cpu;     /* ns, summed over the threads */
  double delay;   /* ns waiting for a CPU, summed; < 0 if unknown */
} ThreadRun;

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;
  gint64 cpu0, delay0, delay1;

  g_atomic_int_inc (w->ready);
  while (!g_atomic_int_get (w->go))
    g_thread_yield ();
  delay0 = run_delay_ns ();
  cpu0 = clock_ns (CLOCK_THREAD_CPUTIME_ID);
  w->start = clock_ns (CLOCK_MONOTONIC);
  sink += w->fn (w->bench, w->iters);
  w->end = clock_ns (CLOCK_MONOTONIC);
  w->cpu = clock_ns (CLOCK_THREAD_CPUTIME_ID) - cpu0;
  delay1 = run_delay_ns ();
  w->delay = delay0 < 0 || delay1 < 0 ? -1 : delay1 - delay0;
  return NULL;
}

static ThreadRun
run_threads (Bench     *b,
             BatchFunc  fn,
             gsize      iters,
             guint      n_threads)
{
  Worker workers[N_THREADS];
  GThread *threads[N_THREADS];
  ThreadRun run = { 0, 0, 0 };
  gint64 first = G_MAXINT64, last = 0;
  gint go = 0, ready = 0;

  for (guint i = 0; i < n_threads; i++)
    {
      workers[i] = (Worker) { b, fn, iters, &go, 0, 0, 0, 0, &ready };
      threads[i] = g_thread_new ("bench", worker_main, &workers[i]);
    }
  /* All start together, once every thread is up. */
  while (g_atomic_int_get (&ready) < (gint) n_threads)
    g_thread_yield ();
  g_atomic_int_set (&go, 1);
  for (guint i = 0; i < n_threads; i++)
    {
      g_thread_join (threads[i]);
      first = MIN (first, workers[i].start);
      last = MAX (last, workers[i].end);
      run.cpu += (double) workers[i].cpu;
      if (run.delay >= 0)
        run.delay = workers[i].delay < 0 ? -1 : run.delay + workers[i].delay;
    }
  run.wall = (double) (last - first);
  return run;
}

static void
measure_threads (Bench  *b,
                 Result *r,
                 gsize   control_iters)
{
  gsize iters = calibrate (b, r->spec->lib, 3.0);
  double best_one = G_MAXDOUBLE, best_two = G_MAXDOUBLE;
  double any_one = G_MAXDOUBLE, any_two = G_MAXDOUBLE, any_cpu = 0;
  guint valid = 0;

  r->cpu_per_wall = 0;
  while (valid < (guint) opt_repeats
         && r->retries <= (guint) opt_max_retries)
    {
      ThreadRun control, one, two;
      gboolean busy;

      /* Can this machine run two threads at once right now? */
      control = run_threads (b, pointer_read_batch, control_iters, N_THREADS);
      if (r->attempts % 2 == 0)
        {
          one = run_threads (b, r->spec->lib, iters, 1);
          two = run_threads (b, r->spec->lib, iters, N_THREADS);
        }
      else
        {
          two = run_threads (b, r->spec->lib, iters, N_THREADS);
          one = run_threads (b, r->spec->lib, iters, 1);
        }
      r->attempts++;
      busy = control.cpu < 1.8 * control.wall
             || one.cpu < 0.9 * one.wall
             || (one.delay >= 0 && one.delay > 0.05 * one.wall)
             || (two.delay >= 0 && two.delay > 0.05 * N_THREADS * two.wall);
      if (g_getenv ("BENCH_DEBUG") != NULL)
        g_printerr ("  attempt %u: control cpu/wall %.2f; 1 thread %.1f ms "
                    "cpu/wall %.2f delay %.1f ms; 2 threads %.1f ms "
                    "cpu/wall %.2f delay %.1f ms%s\n", r->attempts,
                    control.cpu / control.wall, one.wall / 1e6,
                    one.cpu / one.wall, one.delay / 1e6, two.wall / 1e6,
                    two.cpu / two.wall, two.delay / 1e6, busy ? ": busy" : "");
      any_one = MIN (any_one, one.wall);
      if (two.wall < any_two)
        {
          any_two = two.wall;
          any_cpu = two.cpu / two.wall;
        }
      if (busy)
        {
          /* Let whatever else runs finish its turn, a little longer each
           * time. */
          r->retries++;
          g_usleep (MIN (r->retries, 10) * 50 * 1000);
          continue;
        }
      valid++;
      best_one = MIN (best_one, one.wall);
      if (two.wall < best_two)
        {
          best_two = two.wall;
          r->cpu_per_wall = two.cpu / two.wall;
        }
    }
  if (valid == 0)
    {
      /* Figures from a busy machine, marked as such. */
      r->result = "BUSY";
      best_one = any_one;
      best_two = any_two;
      r->cpu_per_wall = any_cpu;
    }
  /* ns per call: one thread alone, and two threads sharing the work. */
  r->anchor_ns = best_one / (double) iters;
  r->lib_ns = best_two / (double) (N_THREADS * iters);
  r->ratio = r->anchor_ns / r->lib_ns;
}

/* ---- the data ---------------------------------------------------------- */

static void
pwrite_all (int           fd,
            const guint8 *data,
            gsize         len,
            gsize         offset)
{
  if (pwrite (fd, data, len, (off_t) offset) != (ssize_t) len)
    g_error ("pwrite: %s", g_strerror (errno));
}

/* Puts a needle of @len bytes at the end of H, and its mirror image at the
 * start of the mirror, both as the only occurrence: random letters around a
 * pair the text never holds ("qz", in the middle, so that neither end of
 * the needle is rarer than the text around it). One byte: '#'. */
static void
place_needle (Bench *b,
              gsize  len)
{
  GRand *rng = g_rand_new_with_seed ((guint32) len);

  if (b->needle_len > 0)
    {
      gsize old = b->needle_len;

      pwrite_all (b->fd, b->text + HAY_SIZE - old, old, HAY_SIZE - old);
      for (gsize i = 0; i < old; i++)
        b->rneedle[i] = b->text[HAY_SIZE - 1 - i];
      pwrite_all (b->fd, b->rneedle, old, HAY_SIZE);
    }
  for (gsize i = 0; i < len; i++)
    b->needle[i] = (guint8) ('a' + g_rand_int_range (rng, 0, 26));
  if (len == 1)
    b->needle[0] = '#';
  else
    memcpy (b->needle + (len - 2) / 2, "qz", 2);
  for (gsize i = 0; i < len; i++)
    b->rneedle[i] = b->needle[len - 1 - i];
  pwrite_all (b->fd, b->needle, len, HAY_SIZE - len);
  pwrite_all (b->fd, b->rneedle, len, HAY_SIZE);
  b->needle_len = len;
  g_rand_free (rng);

  /* Both sides must find what they should, or the figures mean nothing. */
  if (mmap_object_find_range (b->map, b->needle, len, 0, HAY_SIZE, NULL)
      != (gssize) (HAY_SIZE - len)
      || mmap_object_rfind_range (b->map, b->rneedle, len, HAY_SIZE,
                                  2 * HAY_SIZE, NULL) != (gssize) HAY_SIZE
      || memmem (b->data, HAY_SIZE, b->needle, len)
         != (const void *) (b->data + HAY_SIZE - len))
    g_error ("the needle of %" G_GSIZE_FORMAT " bytes is not where it was "
             "put", len);
}

static void
fill_file (Bench *b)
{
  GRand *rng = g_rand_new_with_seed (7);
  guint8 *content = g_malloc (FILE_SIZE);

  /* Random lower-case text with spaces; never '#', '\n' or "qz". */
  for (gsize i = 0; i < HAY_SIZE; i++)
    {
      gint c;

      do
        c = g_rand_int_range (rng, 0, 27);
      while (c == 'z' - 'a' && i > 0 && content[i - 1] == 'q');
      content[i] = c == 26 ? ' ' : (guint8) ('a' + c);
    }
  for (gsize i = 0; i < HAY_SIZE; i++)
    content[HAY_SIZE + i] = content[HAY_SIZE - 1 - i];
  for (gsize i = 0; i < N_LINES * LINE_LEN; i++)
    content[LINES_AT + i] = (i + 1) % LINE_LEN == 0
                            ? '\n' : (guint8) ('a' + g_rand_int_range (rng, 0, 26));
  pwrite_all (b->fd, content, FILE_SIZE, 0);
  b->text = g_memdup2 (content, HAY_SIZE);
  g_free (content);
  g_rand_free (rng);
}

/* ---- output ------------------------------------------------------------ */

static const char *
target_text (const RowSpec *spec,
             char          *buf,
             gsize          len)
{
  if (spec->target_kind == TARGET_NONE)
    return "-";
  g_snprintf (buf, len, "%s%.3gx", spec->target_kind == TARGET_MAX ? "<=" : ">=",
              spec->target);
  return buf;
}

static void
print_row (const Result *r)
{
  char target[32];
  char note[96] = "";

  if (r->skipped)
    {
      g_print ("%-28s %12s %12s %8s %8s %-6s %s\n", r->spec->name, "-", "-",
               "-", target_text (r->spec, target, sizeof target), "absent",
               "(the library has no such call)");
      return;
    }
  if (r->spec->kind == ROW_THREADS)
    g_snprintf (note, sizeof note, "; cpu/wall %.2f, retries %u",
                r->cpu_per_wall, r->retries);
  else if (r->retries > 0)
    g_snprintf (note, sizeof note, "; retries %u", r->retries);
  g_print ("%-28s %12.1f %12.1f %7.2fx %8s %-6s %s%s\n", r->spec->name,
           r->lib_ns, r->anchor_ns, r->ratio,
           target_text (r->spec, target, sizeof target), r->result,
           r->spec->anchor, note);
}

static void
json_string (GString    *out,
             const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
json_number (GString *out,
             double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.6g", value));
}

static void
write_json (const char   *path,
            const Result *results,
            guint         n_results)
{
  g_autoptr(GString) out = g_string_new ("{\n");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format_iso8601 (now);
  g_autoptr(GError) error = NULL;
  struct utsname uts;

  uname (&uts);
  g_string_append (out, "  \"benchmark\": \"bench-object\",\n");
  g_string_append_printf (out, "  \"library_version\": \"%s\",\n",
                          MMAP_VERSION_S);
  g_string_append (out, "  \"date\": ");
  json_string (out, date);
  g_string_append (out, ",\n  \"kernel\": ");
  json_string (out, uts.release);
  g_string_append_printf (out, ",\n  \"cpus\": %ld,\n"
                          "  \"repeats\": %d,\n  \"batch_ms\": %d,\n"
                          "  \"into_api\": %s,\n  \"rows\": [\n",
                          sysconf (_SC_NPROCESSORS_ONLN), opt_repeats,
                          opt_batch_ms, have_into_api () ? "true" : "false");
  for (guint i = 0; i < n_results; i++)
    {
      const Result *r = &results[i];
      const RowSpec *s = r->spec;

      g_string_append (out, "    {\"name\": ");
      json_string (out, s->name);
      g_string_append (out, ", \"group\": ");
      json_string (out, s->group);
      g_string_append (out, ", \"anchor\": ");
      json_string (out, s->anchor);
      g_string_append (out, ", \"kind\": ");
      json_string (out, s->kind == ROW_THREADS ? "speedup" : "cost");
      g_string_append (out, ", \"target\": ");
      if (s->target_kind == TARGET_NONE)
        g_string_append (out, "null");
      else
        json_number (out, s->target);
      g_string_append (out, ", \"target_kind\": ");
      json_string (out, s->target_kind == TARGET_MAX ? "max"
                        : s->target_kind == TARGET_MIN ? "min" : "none");
      g_string_append (out, ", \"result\": ");
      json_string (out, r->skipped ? "absent" : r->result);
      if (!r->skipped)
        {
          g_string_append (out, ", \"mmapobj_ns\": ");
          json_number (out, r->lib_ns);
          g_string_append (out, ", \"anchor_ns\": ");
          json_number (out, r->anchor_ns);
          g_string_append (out, ", \"ratio\": ");
          json_number (out, r->ratio);
        }
      if (s->kind == ROW_THREADS)
        {
          g_string_append (out, ", \"cpu_per_wall\": ");
          json_number (out, r->cpu_per_wall);
        }
      g_string_append_printf (out, ", \"retries\": %u, \"attempts\": %u",
                              r->retries, r->attempts);
      g_string_append_printf (out, "}%s\n", i + 1 < n_results ? "," : "");
    }
  g_string_append (out, "  ]\n}\n");
  if (!g_file_set_contents (path, out->str, (gssize) out->len, &error))
    g_error ("%s", error->message);
}

static const GOptionEntry entries[] = {
  { "repeats", 'n', 0, G_OPTION_ARG_INT, &opt_repeats,
    "Rounds per row; the best counts (default 10)", "N" },
  { "batch-ms", 0, 0, G_OPTION_ARG_INT, &opt_batch_ms,
    "Length of one timed batch (default 10)", "MS" },
  { "max-retries", 0, 0, G_OPTION_ARG_INT, &opt_max_retries,
    "Batches or attempts to retry when the machine is busy (default 20)",
    "N" },
  { "json", 0, 0, G_OPTION_ARG_FILENAME, &opt_json,
    "Also write the results to FILE as JSON", "FILE" },
  { "filter", 0, 0, G_OPTION_ARG_STRING, &opt_filter,
    "Only the rows whose name contains TEXT", "TEXT" },
  { NULL }
};

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GBytes) view = NULL;
  Result results[G_N_ELEMENTS (rows)];
  guint n_results = 0, n_pass = 0, n_miss = 0;
  gsize control_iters;
  Bench b = { 0 };

  context = g_option_context_new ("- mmapobj's hot calls against plain C");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  opt_repeats = MAX (opt_repeats, 1);

  /* Keep freed memory in the process, so that neither side of a row that
   * allocates pays page faults for memory the allocator gave back. */
  mallopt (M_MMAP_THRESHOLD, 4 * 1024 * 1024);
  mallopt (M_TRIM_THRESHOLD, 256 * 1024 * 1024);
  opt_batch_ms = MAX (opt_batch_ms, 1);

  b.fd = g_file_open_tmp ("mmapobj-bench-XXXXXX", &path, &error);
  g_assert_no_error (error);
  fill_file (&b);
  b.map = mmap_object_new (b.fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  view = mmap_object_view (b.map, 0, -1, &error);
  g_assert_no_error (error);
  b.data = g_bytes_get_data (view, NULL);
  b.needle = g_malloc (MAX_NEEDLE);
  b.rneedle = g_malloc (MAX_NEEDLE);
  b.buffer = g_malloc (HAY_SIZE);
  memset (b.buffer, 0, HAY_SIZE);

  g_print ("mmapobj %s: best of %d interleaved batches of ~%d ms per side; "
           "calls that copy into a caller's buffer: %s\n",
           MMAP_VERSION_S, opt_repeats, opt_batch_ms,
           have_into_api () ? "present" : "absent");
  g_print ("%-28s %12s %12s %8s %8s %-6s %s\n", "row", "mmapobj ns",
           "anchor ns", "ratio", "target", "result", "anchor");

  control_iters = calibrate (&b, pointer_read_batch, 1.0);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      Result *r = &results[n_results];

      if (opt_filter != NULL && strstr (rows[i].name, opt_filter) == NULL)
        continue;
      *r = (Result) { &rows[i], FALSE, 0, 0, 0, "info", 0, 0, 0 };
      n_results++;
      if (rows[i].lib == NULL)
        {
          r->skipped = TRUE;
          print_row (r);
          continue;
        }
      if (rows[i].needle_len > 0)
        place_needle (&b, rows[i].needle_len);
      lib_rewind (&b, g_str_has_prefix (rows[i].name, "readline")
                      ? LINES_AT : 0);
      b.pos = b.lib_pos;

      if (rows[i].kind == ROW_THREADS)
        measure_threads (&b, r, control_iters);
      else
        measure_pair (&b, r);

      if (rows[i].target_kind != TARGET_NONE
          && g_strcmp0 (r->result, "BUSY") != 0)
        {
          gboolean met = rows[i].target_kind == TARGET_MAX
                         ? r->ratio <= rows[i].target
                         : r->ratio >= rows[i].target;

          r->result = met ? "PASS" : "MISS";
          if (met)
            n_pass++;
          else
            n_miss++;
        }
      print_row (r);
    }
  g_print ("%u PASS, %u MISS\n", n_pass, n_miss);

  if (opt_json != NULL)
    write_json (opt_json, results, n_results);

  g_clear_pointer (&view, g_bytes_unref);
  g_clear_object (&b.map);
  close (b.fd);
  unlink (path);
  g_free (b.text);
  g_free (b.needle);
  g_free (b.rneedle);
  g_free (b.buffer);
  return 0;
}
