/* test-threads.c: many threads on one map, ending with a close
 *
 * Every thread runs a bounded, seeded sequence of reads, writes, seeks,
 * finds, moves, flushes, resizes and views. Invariants:
 *
 * - nothing crashes;
 * - every call either succeeds or fails with one of the MmapError codes
 *   its situation allows;
 * - every call is atomic: the map is made of 64-byte blocks that are only
 *   ever written whole with one byte value, and every position move is a
 *   multiple of 64, so a block read whole is always uniform;
 * - once a thread has seen the map closed, every call fails with CLOSED.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "test-util.h"

#define BLOCK        64
#define MAX_BLOCKS   96
#define N_THREADS    4
#define N_ITERATIONS 3000

typedef struct
{
  MmapObject  *map;
  gboolean     file_backed;
  gint         n_ops;        /* atomic: ops done by all threads */
  gint         close_at;     /* the op count that triggers close() */
  gint         closed_by;    /* atomic: set once by the closing thread */
  GMutex       lock;
  GCond        cond;
  guint        n_waiting;    /* barrier: threads waiting, under lock */
  guint        generation;
} Shared;

/* Waits until every worker has arrived, so that they run side by side. */
static void
barrier_wait (Shared *s)
{
  guint generation;

  g_mutex_lock (&s->lock);
  generation = s->generation;
  if (++s->n_waiting == N_THREADS)
    {
      s->n_waiting = 0;
      s->generation++;
      g_cond_broadcast (&s->cond);
    }
  else
    while (generation == s->generation)
      g_cond_wait (&s->cond, &s->lock);
  g_mutex_unlock (&s->lock);
}

typedef struct
{
  Shared   *shared;
  guint     index;
  GBytes   *kept_view;       /* held across close() */
  guint     n_ok;
  guint     n_failed;
  guint     n_after_close;
} Worker;

static gboolean
is_uniform (const guint8 *data,
            gsize         len)
{
  for (gsize i = 1; i < len; i++)
    if (data[i] != data[0])
      return FALSE;
  return TRUE;
}

/* Checks a call's outcome: @ok is whether it succeeded. @allowed is a
 * -1-terminated list of codes it may fail with besides CLOSED. */
static void
check_outcome (Worker       *w,
               const char   *op,
               gboolean      ok,
               GError      **error,
               gboolean      was_closed,
               const int    *allowed)
{
  if (ok)
    {
      if (*error != NULL)
        g_error ("%s succeeded but set an error: %s", op, (*error)->message);
      if (was_closed)
        g_error ("%s succeeded on a closed map", op);
      w->n_ok++;
      return;
    }

  if (*error == NULL)
    g_error ("%s failed without an error", op);
  if ((*error)->domain != MMAP_ERROR)
    g_error ("%s failed outside MMAP_ERROR: %s", op, (*error)->message);

  if ((*error)->code == MMAP_ERROR_CLOSED)
    w->n_after_close++;
  else if (was_closed)
    g_error ("%s on a closed map failed with code %d, not CLOSED: %s", op,
             (*error)->code, (*error)->message);
  else
    {
      gboolean found = FALSE;

      for (const int *a = allowed; *a != -1; a++)
        found |= (*a == (*error)->code);
      if (!found)
        g_error ("%s failed with unexpected code %d: %s", op,
                 (*error)->code, (*error)->message);
    }

  w->n_failed++;
  g_clear_error (error);
}

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;
  Shared *s = w->shared;
  MmapObject *map = s->map;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1000 + w->index);
  static const int none[] = { -1 };
  static const int out_of_range[] = { MMAP_ERROR_OUT_OF_RANGE, -1 };
  static const int wrong_size[] = { MMAP_ERROR_WRONG_SIZE, -1 };
  static const int exports[] = { MMAP_ERROR_EXPORTS_EXIST, -1 };

  barrier_wait (s);

  for (guint it = 0; it < N_ITERATIONS; it++)
    {
      g_autoptr(GError) error = NULL;
      gboolean was_closed;
      gssize block;
      guint8 value;
      guint8 buf[BLOCK];
      gint n;

      /* Everyone is still running when the close comes. */
      if (it == N_ITERATIONS / 2)
        barrier_wait (s);

      was_closed = mmap_object_get_closed (map);
      block = g_rand_int_range (rand, 0, MAX_BLOCKS);
      value = (guint8) ('A' + g_rand_int_range (rand, 0, 26));

      memset (buf, value, sizeof buf);

      n = g_atomic_int_add (&s->n_ops, 1);
      if (n == s->close_at)
        {
          g_assert_true (mmap_object_close (map, &error));
          g_assert_no_error (error);
          g_atomic_int_set (&s->closed_by, (gint) w->index + 1);
          continue;
        }

      switch (g_rand_int_range (rand, 0, 15))
        {
        case 0:
          {
            g_autoptr(GBytes) bytes = mmap_object_read (map, BLOCK, &error);
            if (bytes != NULL)
              {
                gsize size;
                const guint8 *d = g_bytes_get_data (bytes, &size);

                g_assert_cmpuint (size, <=, BLOCK);
                g_assert_true (size == 0 || size == BLOCK);
                if (!is_uniform (d, size))
                  g_error ("read: a block is not uniform");
              }
            check_outcome (w, "read", bytes != NULL, &error, was_closed,
                           none);
          }
          break;

        case 1:
          {
            /* The data has no newline: the rest of the map. */
            g_autoptr(GBytes) line = mmap_object_readline (map, &error);
            if (line != NULL)
              g_assert_cmpuint (g_bytes_get_size (line) % BLOCK, ==, 0);
            check_outcome (w, "readline", line != NULL, &error, was_closed,
                           none);
          }
          break;

        case 2:
        case 3:
          {
            g_autoptr(GBytes) bytes = mmap_object_get_slice (map,
                                                             block * BLOCK,
                                                             (block + 1)
                                                             * BLOCK, 1,
                                                             &error);
            if (bytes != NULL)
              {
                gsize size;
                const guint8 *d = g_bytes_get_data (bytes, &size);

                g_assert_true (size == 0 || size == BLOCK);
                if (!is_uniform (d, size))
                  g_error ("get_slice: block %" G_GSSIZE_FORMAT
                           " is not uniform", block);
              }
            check_outcome (w, "get_slice", bytes != NULL, &error, was_closed,
                           none);
          }
          break;

        case 4:
        case 5:
          check_outcome (w, "set_slice",
                         mmap_object_set_slice (map, block * BLOCK,
                                                (block + 1) * BLOCK, 1, buf,
                                                BLOCK, &error),
                         &error, was_closed, wrong_size);
          break;

        case 6:
          check_outcome (w, "write",
                         mmap_object_write (map, buf, BLOCK, &error) == BLOCK,
                         &error, was_closed, out_of_range);
          break;

        case 7:
          {
            GSeekType whence = (GSeekType) g_rand_int_range (rand, 0, 3);
            goffset target = whence == G_SEEK_SET ? block * BLOCK
                             : whence == G_SEEK_CUR ? (block - 48) * BLOCK
                             : -(block / 8) * BLOCK;
            goffset got = mmap_object_seek (map, target, whence, &error);

            if (got >= 0)
              g_assert_cmpint (got % BLOCK, ==, 0);
            check_outcome (w, "seek", got >= 0, &error, was_closed,
                           out_of_range);
          }
          break;

        case 8:
          {
            goffset pos = mmap_object_tell (map, &error);

            if (pos >= 0)
              g_assert_cmpint (pos % BLOCK, ==, 0);
            check_outcome (w, "tell", pos >= 0, &error, was_closed, none);
          }
          break;

        case 9:
          {
            gssize at = mmap_object_find_range (map, buf, 8,
                                                g_rand_int_range (rand, -500,
                                                                  6000),
                                                G_MAXSSIZE, &error);
            gssize rat = mmap_object_rfind (map, buf, 3, NULL);

            g_assert_cmpint (at, >=, -2);
            g_assert_cmpint (at, <, MAX_BLOCKS * BLOCK);
            g_assert_cmpint (rat, >=, -2);
            check_outcome (w, "find", at != -2, &error, was_closed, none);
          }
          break;

        case 10:
          {
            gsize new_len = (gsize) g_rand_int_range (rand, 0, MAX_BLOCKS + 1)
                            * BLOCK;

            check_outcome (w, "resize",
                           mmap_object_resize (map, new_len, &error),
                           &error, was_closed, exports);
          }
          break;

        case 11:
          {
            GBytes *view = mmap_object_view (map, (gsize) block * BLOCK,
                                             BLOCK, &error);

            if (view != NULL)
              {
                g_assert_cmpuint (g_bytes_get_size (view), ==, BLOCK);
                /* Keep one view alive for a while, across resizes and
                 * maybe the close. */
                if (w->kept_view == NULL && g_rand_boolean (rand))
                  w->kept_view = view;
                else
                  g_bytes_unref (view);
              }
            check_outcome (w, "view", view != NULL, &error, was_closed,
                           out_of_range);
            if (w->kept_view != NULL && g_rand_int_range (rand, 0, 8) == 0
                && !was_closed)
              g_clear_pointer (&w->kept_view, g_bytes_unref);
          }
          break;

        case 12:
          check_outcome (w, "move",
                         mmap_object_move (map, block * BLOCK,
                                           ((block + 7) % MAX_BLOCKS) * BLOCK,
                                           BLOCK, &error),
                         &error, was_closed, out_of_range);
          break;

        case 13:
          check_outcome (w, "flush_range",
                         mmap_object_flush_range (map, block * BLOCK, BLOCK,
                                                  &error),
                         &error, was_closed, out_of_range);
          break;

        case 14:
          {
            goffset size = mmap_object_size (map, &error);

            if (s->file_backed)
              {
                if (size >= 0)
                  g_assert_cmpint (size % BLOCK, ==, 0);
                check_outcome (w, "size", size >= 0, &error, was_closed,
                               none);
              }
            else
              {
                static const int no_fd[] = { MMAP_ERROR_NO_TRACKED_FD, -1 };

                g_assert_cmpint (size, ==, -1);
                check_outcome (w, "size", FALSE, &error, was_closed, no_fd);
              }
            g_assert_cmpuint (mmap_object_get_length (map) % BLOCK, ==, 0);
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  return NULL;
}

static void
test_stress (gconstpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) file = NULL;
  gboolean file_backed = GPOINTER_TO_INT (user_data);
  gsize len = MAX_BLOCKS / 2 * BLOCK;
  Shared shared = { 0, };
  Worker workers[N_THREADS] = { { 0, } };
  GThread *threads[N_THREADS];
  guint total_ok = 0, total_closed = 0;
  g_autofree guint8 *init = g_malloc (len);

  memset (init, 'A', len);
  if (file_backed)
    {
      file = mt_file_new (init, len);
      shared.map = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0,
                                    &error);
    }
  else
    {
      shared.map = mmap_object_new_anonymous (len, &error);
      g_assert_true (mmap_object_set_slice (shared.map, 0, G_MAXSSIZE, 1,
                                            init, len, &error));
    }
  g_assert_no_error (error);
  shared.file_backed = file_backed;
  shared.close_at = N_THREADS * N_ITERATIONS * 3 / 4;
  g_mutex_init (&shared.lock);
  g_cond_init (&shared.cond);

  for (guint i = 0; i < N_THREADS; i++)
    {
      workers[i].shared = &shared;
      workers[i].index = i;
      threads[i] = g_thread_new ("mmap-stress", worker_run, &workers[i]);
    }
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (g_atomic_int_get (&shared.closed_by), >, 0);
  g_assert_true (mmap_object_get_closed (shared.map));

  for (guint i = 0; i < N_THREADS; i++)
    {
      total_ok += workers[i].n_ok;
      total_closed += workers[i].n_after_close;
      g_test_message ("thread %u: %u ok, %u failed (%u closed)", i,
                      workers[i].n_ok, workers[i].n_failed,
                      workers[i].n_after_close);

      /* Views stay valid after close, and nothing writes any more. */
      if (workers[i].kept_view != NULL)
        {
          gsize size;
          const guint8 *d = g_bytes_get_data (workers[i].kept_view, &size);

          g_assert_cmpuint (size, ==, BLOCK);
          g_assert_true (is_uniform (d, size));
          g_bytes_unref (workers[i].kept_view);
        }
    }

  /* Most calls succeeded before the close, and every thread ran on past
   * it. */
  g_assert_cmpuint (total_ok, >, N_THREADS * N_ITERATIONS / 3);
  g_assert_cmpuint (total_closed, >, 0);

  /* After close, everything is CLOSED. */
  g_assert_null (mmap_object_read (shared.map, -1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (mmap_object_resize (shared.map, 64, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_tell (shared.map, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_cmpuint (mmap_object_get_n_views (shared.map), ==, 0);

  g_assert_finalize_object (shared.map);
  g_mutex_clear (&shared.lock);
  g_cond_clear (&shared.cond);
}

/* Position updates are atomic: N threads each doing K writes of one block
 * at the shared position advance it by exactly N*K blocks, and every block
 * is written exactly once. */
static gpointer
writer_run (gpointer data)
{
  MmapObject *map = data;
  guint8 buf[BLOCK];

  memset (buf, 1, sizeof buf);
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (mmap_object_write (map, buf, BLOCK, &error), ==,
                       BLOCK);
      g_assert_no_error (error);
    }
  return NULL;
}

static void
test_atomic_position (void)
{
  g_autoptr(GError) error = NULL;
  GThread *threads[N_THREADS];
  gsize len = N_THREADS * 200 * BLOCK;
  MmapObject *map = mmap_object_new_anonymous (len + BLOCK, &error);
  g_autoptr(GBytes) all = NULL;
  gsize size;
  const guint8 *d;

  g_assert_no_error (error);
  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("mmap-writer", writer_run, map);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (mmap_object_tell (map, NULL), ==, (goffset) len);
  all = mmap_object_get_slice (map, 0, G_MAXSSIZE, 1, &error);
  d = g_bytes_get_data (all, &size);
  for (gsize i = 0; i < size; i++)
    g_assert_cmpint (d[i], ==, i < len ? 1 : 0);
  g_assert_finalize_object (map);
}

/* Reads that move the position race each other: every 8-byte line of the
 * map must be taken by exactly one of them, whole. */
#define N_LINES (N_THREADS * 50000)

typedef struct
{
  MmapObject *map;
  gint        started;         /* atomic: readers ready to go */
  gint        seen[N_LINES];   /* atomic: how often each line was taken */
} LineRace;

static void
take_line (LineRace    *race,
           const char  *line,
           gsize        size)
{
  char text[9];
  guint64 index;

  g_assert_cmpuint (size, ==, 8);
  g_assert_cmpint (line[7], ==, '\n');
  memcpy (text, line, 7);
  text[7] = '\0';
  index = g_ascii_strtoull (text, NULL, 16);
  g_assert_cmpuint (index, <, N_LINES);
  g_atomic_int_inc (&race->seen[index]);
}

static gpointer
line_reader_run (gpointer data)
{
  LineRace *race = data;

  /* Start together, so that the reads really overlap. */
  g_atomic_int_inc (&race->started);
  while (g_atomic_int_get (&race->started) < N_THREADS)
    g_thread_yield ();

  for (guint i = 0;; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      char buf[64];
      gssize got;

      switch (i % 4)
        {
        case 0:
          bytes = mmap_object_readline (race->map, &error);
          break;
        case 1:
          bytes = mmap_object_read (race->map, 8, &error);
          break;
        case 2:
          got = mmap_object_read_into (race->map, (guint8 *) buf, 8, &error);
          g_assert_cmpint (got, >=, 0);
          if (got > 0)
            bytes = g_bytes_new (buf, (gsize) got);
          break;
        default:
          got = mmap_object_readline_into (race->map, (guint8 *) buf,
                                           sizeof buf, &error);
          g_assert_cmpint (got, >=, 0);
          if (got > 0)
            bytes = g_bytes_new (buf, (gsize) got);
          break;
        }
      g_assert_no_error (error);
      if (bytes == NULL || g_bytes_get_size (bytes) == 0)
        return NULL;
      take_line (race, g_bytes_get_data (bytes, NULL),
                 g_bytes_get_size (bytes));
      /* A seek that moves nothing races the reads too. */
      g_assert_cmpint (mmap_object_seek (race->map, 0, G_SEEK_CUR, &error),
                       >=, 0);
    }
}

static void
test_atomic_reads (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree LineRace *race = g_new0 (LineRace, 1);
  GThread *threads[N_THREADS];

  race->map = mmap_object_new_anonymous (N_LINES * 8, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_LINES; i++)
    {
      char line[9];

      g_snprintf (line, sizeof line, "%07x\n", i);
      g_assert_cmpint (mmap_object_write (race->map, (const guint8 *) line, 8,
                                          &error), ==, 8);
    }
  g_assert_cmpint (mmap_object_seek (race->map, 0, G_SEEK_SET, &error), ==, 0);

  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("mmap-reader", line_reader_run, race);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i < N_LINES; i++)
    g_assert_cmpint (race->seen[i], ==, 1);
  g_assert_cmpint (mmap_object_tell (race->map, NULL), ==, N_LINES * 8);
  g_assert_finalize_object (race->map);
}

/* A map read and written by one thread lets its writes skip the
 * membarrier(); a second thread that starts reading then must still never
 * see a write half done. Each round takes a new map, so that the hand-over
 * from one reader to many happens while the first thread writes. */
#define HANDOVER_ROUNDS 50
#define HANDOVER_BLOCK  4096

typedef struct
{
  MmapObject *map;
  gint        stop;    /* atomic */
  gint        reads;   /* atomic: slices the second thread checked */
} Handover;

static gpointer
handover_reader_run (gpointer data)
{
  Handover *h = data;

  while (!g_atomic_int_get (&h->stop))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = mmap_object_get_slice (h->map, 0,
                                                       HANDOVER_BLOCK, 1,
                                                       &error);
      const guint8 *d;
      gsize size;

      g_assert_no_error (error);
      d = g_bytes_get_data (bytes, &size);
      g_assert_cmpuint (size, ==, HANDOVER_BLOCK);
      for (gsize i = 1; i < size; i++)
        g_assert_cmpint (d[i], ==, d[0]);
      g_atomic_int_inc (&h->reads);
    }
  return NULL;
}

static void
test_owner_handover (void)
{
  guint8 block[HANDOVER_BLOCK];

  for (guint round = 0; round < HANDOVER_ROUNDS; round++)
    {
      g_autoptr(GError) error = NULL;
      Handover h = { NULL, 0, 0 };
      GThread *reader;

      h.map = mmap_object_new_anonymous (HANDOVER_BLOCK, &error);
      g_assert_no_error (error);
      /* This thread becomes the map's only reader. */
      g_assert_cmpint (mmap_object_get_byte (h.map, 0, &error), ==, 0);

      reader = g_thread_new ("mmap-handover", handover_reader_run, &h);
      /* Write until the reader has checked a few slices alongside. */
      for (guint i = 0; g_atomic_int_get (&h.reads) < 20; i++)
        {
          memset (block, (int) (i & 0xff), sizeof block);
          g_assert_true (mmap_object_set_slice (h.map, 0, HANDOVER_BLOCK, 1,
                                                block, sizeof block, &error));
          g_assert_no_error (error);
        }
      g_atomic_int_set (&h.stop, 1);
      g_thread_join (reader);
      g_assert_cmpint (g_atomic_int_get (&h.reads), >, 0);
      g_assert_finalize_object (h.map);
    }
}

/* The wait functions: called on a thread that must wait for another, in
 * pairs, and only then. */
#define WAIT_MAP_SIZE ((gsize) 32 << 20)

static __thread gint waits_begun;
static __thread gint waits_ended;
static __thread gboolean waiting;

static void
count_before_wait (gpointer user_data)
{
  g_assert_false (waiting);
  waiting = TRUE;
  waits_begun++;
  g_atomic_int_inc ((gint *) user_data);
}

static void
count_after_wait (gpointer user_data)
{
  g_assert_true (waiting);
  waiting = FALSE;
  waits_ended++;
}

typedef struct
{
  MmapObject *map;
  guint8     *block;
  gint        stop;   /* atomic */
} LongWork;

static gpointer
long_writes_run (gpointer data)
{
  LongWork *work = data;

  while (!g_atomic_int_get (&work->stop))
    {
      g_assert_true (mmap_object_set_slice (work->map, 0, WAIT_MAP_SIZE, 1,
                                            work->block, WAIT_MAP_SIZE,
                                            NULL));
    }
  return NULL;
}

static gpointer
long_finds_run (gpointer data)
{
  LongWork *work = data;

  while (!g_atomic_int_get (&work->stop))
    g_assert_cmpint (mmap_object_find_range (work->map,
                                             (const guint8 *) "absent", 6, 0,
                                             G_MAXSSIZE, NULL), ==, -1);
  return NULL;
}

static void
test_wait_funcs (void)
{
  g_autoptr(GError) error = NULL;
  LongWork work = { NULL, NULL, 0 };
  gint total = 0;
  gint64 deadline;
  GThread *thread;

  work.map = mmap_object_new_anonymous (WAIT_MAP_SIZE, &error);
  g_assert_no_error (error);
  work.block = g_malloc0 (WAIT_MAP_SIZE);
  mmap_set_wait_funcs (count_before_wait, count_after_wait, &total);

  /* Nothing to wait for: no call. */
  g_assert_cmpint (mmap_object_get_byte (work.map, 0, &error), ==, 0);
  g_assert_true (mmap_object_set_byte (work.map, 0, 0, &error));
  g_assert_cmpint (waits_begun, ==, 0);

  /* A reader that finds a long write running waits for it. */
  thread = g_thread_new ("mmap-long-writes", long_writes_run, &work);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (waits_begun == 0 && g_get_monotonic_time () < deadline)
    g_assert_cmpint (mmap_object_get_byte (work.map, 1, &error), ==, 0);
  g_atomic_int_set (&work.stop, 1);
  g_thread_join (thread);
  g_assert_cmpint (waits_begun, >, 0);
  g_assert_cmpint (waits_ended, ==, waits_begun);

  /* A write that finds long reads running waits for them. */
  waits_begun = waits_ended = 0;
  work.stop = 0;
  thread = g_thread_new ("mmap-long-finds", long_finds_run, &work);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (waits_begun == 0 && g_get_monotonic_time () < deadline)
    g_assert_true (mmap_object_set_byte (work.map, 2, 0, &error));
  g_atomic_int_set (&work.stop, 1);
  g_thread_join (thread);
  g_assert_cmpint (waits_begun, >, 0);
  g_assert_cmpint (waits_ended, ==, waits_begun);
  g_assert_false (waiting);

  mmap_set_wait_funcs (NULL, NULL, NULL);
  g_free (work.block);
  g_assert_finalize_object (work.map);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/Mmap/Object/threads/stress/anonymous",
                        GINT_TO_POINTER (FALSE), test_stress);
  g_test_add_data_func ("/Mmap/Object/threads/stress/file",
                        GINT_TO_POINTER (TRUE), test_stress);
  g_test_add_func ("/Mmap/Object/threads/atomic-position",
                   test_atomic_position);
  g_test_add_func ("/Mmap/Object/threads/atomic-reads", test_atomic_reads);
  g_test_add_func ("/Mmap/Object/threads/owner-handover",
                   test_owner_handover);
  g_test_add_func ("/Mmap/Object/threads/wait-funcs", test_wait_funcs);

  return g_test_run ();
}
