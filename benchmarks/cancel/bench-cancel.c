/* bench-cancel.c: how soon a cancelled populate_async reports back
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: bench-cancel [--runs=N] [--size-gib=G] [--after-reports=K]
 *                     [--after-ms=MS] [--load=T] [--dir=DIR]
 *
 * Makes a sparse file of G GiB (ftruncate: no disk blocks), maps it
 * read-only and starts mmap_object_populate_async() over all of it. Once
 * the K-th progress report has run in the main context (or, with
 * --after-ms, MS milliseconds after the start) it calls
 * g_cancellable_cancel() and measures the time until the ready callback
 * runs with G_IO_ERROR_CANCELLED: the latency a caller sees. That is the
 * rest of the worker's current 512 KiB chunk, the progress reports queued
 * before it, and one wake-up of the main loop.
 *
 * Each run maps the file afresh and first drops its pages from the page
 * cache (POSIX_FADV_DONTNEED), so every run faults the holes in anew.
 * --load=T runs T threads that spin for the whole benchmark, to see the
 * latency on a machine whose cores are all busy.
 *
 * Figures only: nothing here is a test. A run whose populate finished
 * before the cancel counts as "missed" and is left out of the figures.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <mmapobj/mmapobj.h>

static gint   opt_runs = 51;
static gint   opt_size_gib = 8;
static gint   opt_after_reports = 1;
static gint   opt_after_ms = 0;
static gint   opt_load = 0;
static char  *opt_dir;

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

typedef struct
{
  GCancellable *cancellable;
  gint64        start;
  gint64        cancelled_at;     /* 0 until cancelled */
  gint64        ready_at;         /* 0 until the ready callback ran */
  guint         reports;
  guint         reports_after;    /* progress reports run after the cancel */
  goffset       done_at_cancel;   /* as last reported before the cancel */
  goffset       last_done;
  goffset       total;
  GError       *error;
} Run;

static void
cancel_now (Run *run)
{
  if (run->cancelled_at != 0)
    return;
  run->done_at_cancel = run->last_done;
  run->cancelled_at = now_ns ();
  g_cancellable_cancel (run->cancellable);
}

static void
on_progress (goffset  done,
             goffset  total,
             gpointer user_data)
{
  Run *run = user_data;

  run->reports++;
  run->last_done = done;
  run->total = total;
  if (run->cancelled_at != 0)
    run->reports_after++;
  else if (opt_after_ms <= 0 && run->reports == (guint) opt_after_reports)
    cancel_now (run);
}

static gboolean
on_timeout (gpointer user_data)
{
  cancel_now (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_ready (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = user_data;

  run->ready_at = now_ns ();
  mmap_object_populate_finish (MMAP_OBJECT (source), result, &run->error);
  g_main_context_wakeup (NULL);
}

/* One run; returns the latency in ns, or -1 if the populate was not
 * cancelled part-way. */
static gint64
run_once (int      fd,
          guint    index,
          goffset *done_after)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Run run = { 0 };
  gint64 latency = -1;
  guint timeout_id = 0;

  /* The previous run's map is gone: its clean pages can be dropped. */
  posix_fadvise (fd, 0, 0, POSIX_FADV_DONTNEED);
  map = mmap_object_new (fd, 0, MMAP_ACCESS_READ, 0, &error);
  if (map == NULL)
    g_error ("cannot map the file: %s", error->message);

  run.cancellable = cancellable;
  run.start = now_ns ();
  if (opt_after_ms > 0)
    timeout_id = g_timeout_add (opt_after_ms, on_timeout, &run);
  mmap_object_populate_async (map, 0, -1, FALSE, G_PRIORITY_DEFAULT,
                              cancellable, on_progress, &run, NULL,
                              on_ready, &run);
  while (run.ready_at == 0)
    g_main_context_iteration (NULL, TRUE);
  if (run.cancelled_at == 0 && timeout_id != 0)
    g_source_remove (timeout_id);

  if (g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && run.cancelled_at != 0)
    {
      latency = run.ready_at - run.cancelled_at;
      *done_after = run.last_done - run.done_at_cancel;
    }
  else if (run.error != NULL)
    g_error ("run %u failed: %s", index, run.error->message);

  /* The map is still usable after the cancel. */
  if (mmap_object_get_byte (map, -1, &error) != 0)
    g_error ("the map is not usable after the cancel");

  g_printerr ("run %2u: %s after %.1f ms and %u reports (%.1f MiB in): "
              "%.3f ms, %u reports after the cancel\n",
              index, latency >= 0 ? "cancelled" : "finished",
              (double) ((run.cancelled_at ? run.cancelled_at : run.ready_at)
                        - run.start) / 1e6,
              run.reports - run.reports_after,
              (double) run.done_at_cancel / (1024.0 * 1024.0),
              latency >= 0 ? (double) latency / 1e6 : 0.0,
              run.reports_after);
  g_clear_error (&run.error);
  mmap_object_close (map, NULL);
  return latency;
}

static gint
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gint
compare_goffset (gconstpointer a,
                 gconstpointer b)
{
  goffset x = *(const goffset *) a, y = *(const goffset *) b;

  return x < y ? -1 : x > y;
}

static gint stop_load;

static gpointer
spin (gpointer data)
{
  volatile guint64 n = 0;

  while (!g_atomic_int_get (&stop_load))
    n++;
  return NULL;
}

static const GOptionEntry entries[] = {
  { "runs", 'n', 0, G_OPTION_ARG_INT, &opt_runs,
    "Number of runs (default 51)", "N" },
  { "size-gib", 0, 0, G_OPTION_ARG_INT, &opt_size_gib,
    "Size of the sparse file in GiB (default 8)", "G" },
  { "after-reports", 0, 0, G_OPTION_ARG_INT, &opt_after_reports,
    "Cancel when the K-th progress report runs (default 1)", "K" },
  { "after-ms", 0, 0, G_OPTION_ARG_INT, &opt_after_ms,
    "Cancel MS ms after the start instead", "MS" },
  { "load", 0, 0, G_OPTION_ARG_INT, &opt_load,
    "Threads spinning meanwhile (default 0)", "T" },
  { "dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_dir,
    "Where to make the sparse file (default: the temporary directory)",
    "DIR" },
  { NULL }
};

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *template = NULL;
  g_autofree char *when = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) afters = g_array_new (FALSE, FALSE, sizeof (goffset));
  g_autoptr(GPtrArray) spinners = g_ptr_array_new ();
  goffset size;
  guint missed = 0;
  int fd;

  context = g_option_context_new ("- latency of cancelling populate_async");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  opt_runs = MAX (opt_runs, 1);
  opt_size_gib = MAX (opt_size_gib, 1);
  opt_after_reports = MAX (opt_after_reports, 1);
  size = (goffset) opt_size_gib << 30;

  template = g_build_filename (opt_dir ? opt_dir : g_get_tmp_dir (),
                               "mmapobj-bench-cancel-XXXXXX", NULL);
  fd = g_mkstemp (template);
  if (fd < 0)
    g_error ("cannot create %s: %s", template, g_strerror (errno));
  path = g_steal_pointer (&template);
  if (ftruncate (fd, (off_t) size) != 0)
    g_error ("cannot size %s: %s", path, g_strerror (errno));

  for (gint i = 0; i < opt_load; i++)
    g_ptr_array_add (spinners, g_thread_new ("spin", spin, NULL));

  when = opt_after_ms > 0
         ? g_strdup_printf ("%d ms after the start", opt_after_ms)
         : g_strdup_printf ("when progress report %d runs", opt_after_reports);
  g_print ("populate_async over a %d GiB sparse file, read-only; cancel %s; "
           "%d spinning threads; %d runs\n", opt_size_gib, when, opt_load,
           opt_runs);

  for (gint i = 0; i < opt_runs; i++)
    {
      goffset after = 0;
      gint64 latency = run_once (fd, (guint) i + 1, &after);

      if (latency < 0)
        missed++;
      else
        {
          g_array_append_val (latencies, latency);
          g_array_append_val (afters, after);
        }
    }

  g_atomic_int_set (&stop_load, TRUE);
  for (guint i = 0; i < spinners->len; i++)
    g_thread_join (spinners->pdata[i]);
  close (fd);
  g_unlink (path);

  if (latencies->len == 0)
    {
      g_print ("no run was cancelled part-way (%u finished first)\n", missed);
      return 1;
    }
  g_array_sort (latencies, compare_gint64);
  g_array_sort (afters, compare_goffset);
  g_print ("cancel -> ready callback, ms: min %.3f  median %.3f  "
           "90th percentile %.3f  max %.3f (%u runs",
           g_array_index (latencies, gint64, 0) / 1e6,
           g_array_index (latencies, gint64, latencies->len / 2) / 1e6,
           g_array_index (latencies, gint64, latencies->len * 9 / 10) / 1e6,
           g_array_index (latencies, gint64, latencies->len - 1) / 1e6,
           latencies->len);
  if (missed > 0)
    g_print (", %u finished before the cancel", missed);
  g_print (")\n");
  g_print ("progress reported after the cancel, KiB: min %.0f  median %.0f  "
           "max %.0f\n",
           g_array_index (afters, goffset, 0) / 1024.0,
           g_array_index (afters, goffset, afters->len / 2) / 1024.0,
           g_array_index (afters, goffset, afters->len - 1) / 1024.0);
  return 0;
}
