/* test-reliability.c: no byte lost on any failure path, a SIGBUS guard
 * nothing slips past, a GError for every bad input (issue 6)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sched.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "test-util.h"

/* The cases handed to g_test_add_data_func() stay reachable from here, so
 * that a test subprocess, which exits inside g_test_run(), leaks nothing
 * LeakSanitizer could report. */
static GPtrArray *kept_cases;

static gpointer
keep_case (gpointer tc)
{
  if (kept_cases == NULL)
    kept_cases = g_ptr_array_new ();
  g_ptr_array_add (kept_cases, tc);
  return tc;
}

static gsize page;

/* ------------------------------------------------------------------ */
/* Helpers                                                            */

static guint8 *
pattern_new (gsize len,
             guint seed)
{
  guint8 *data = g_malloc (len);

  mt_fill_pattern (data, len, seed);
  return data;
}

/* The file holds exactly @len bytes, equal to @want. */
static void
assert_fd_is (int           fd,
              const guint8 *want,
              gsize         len)
{
  g_autoptr(GBytes) contents = mt_fd_read_all (fd);

  g_assert_cmpint (mt_fd_size (fd), ==, (goffset) len);
  mt_assert_bytes_eq (contents, want, len);
}

static guint8 *
map_dup_all (MmapObject *map)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) all = mmap_object_get_slice (map, 0, G_MAXSSIZE, 1,
                                                 &error);

  g_assert_no_error (error);
  g_assert_nonnull (all);
  return g_bytes_unref_to_data (g_steal_pointer (&all), &(gsize) { 0 });
}

static void
assert_io_errno (const GError *error,
                 int           errsv)
{
  g_assert_nonnull (error);
  g_assert_cmpstr (g_quark_to_string (error->domain), ==,
                   g_quark_to_string (G_IO_ERROR));
  g_assert_cmpint (mt_errno_from_error (error), ==, errsv);
}

static void
assert_sigbus_error (const GError *error)
{
  assert_io_errno (error, EIO);
  g_assert_nonnull (strstr (error->message, "SIGBUS"));
}

static void
assert_tell (MmapObject *map,
             goffset     pos)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (mmap_object_tell (map, &error), ==, pos);
  g_assert_no_error (error);
}

/* Runs the current test again in a child process and returns FALSE in the
 * parent, TRUE in the child, which then does the work. A missing fix may
 * kill the process (SIGBUS, SIGSEGV, a fatal CRITICAL): that then fails
 * this test only. */
static gboolean
in_subprocess (void)
{
  if (g_test_subprocess ())
    return TRUE;

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  return FALSE;
}

static char *
describe_status (int status)
{
  if (WIFSIGNALED (status))
    return g_strdup_printf ("killed by signal %d", WTERMSIG (status));
  return g_strdup_printf ("exited with %d", WEXITSTATUS (status));
}

/* Runs @func in a forked child, with no core dump and an alarm after
 * @seconds (an endless loop then shows as "killed by signal 14"), and
 * describes how the child ended. */
static char *
fork_and_describe (void     (*func) (gpointer),
                   gpointer   data,
                   guint      seconds)
{
  int status = 0;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      (void) prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
      alarm (seconds);
      func (data);
      _exit (0);
    }

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return describe_status (status);
}

static char *
killed_by (int sig)
{
  return g_strdup_printf ("killed by signal %d", sig);
}

static MtFile *
pattern_file (gsize    len,
              guint    seed,
              guint8 **data_out)
{
  g_autofree guint8 *data = pattern_new (len, seed);
  MtFile *file = mt_file_new (data, len);

  if (data_out != NULL)
    *data_out = g_steal_pointer (&data);
  return file;
}

static void
truncate_fd (int   fd,
             gsize size)
{
  g_assert_cmpint (ftruncate (fd, (off_t) size), ==, 0);
}

static int
sealable_memfd (const guint8 *data,
                gsize         len)
{
  int fd = memfd_create ("mmapobj-test", MFD_ALLOW_SEALING | MFD_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, data, len, 0), ==, (gssize) len);
  return fd;
}

/* ------------------------------------------------------------------ */
/* 1. Destructive advice stays inside the range and the map           */

typedef enum
{
  MAP_WRITE,     /* ACCESS_WRITE: shared */
  MAP_COPY,      /* ACCESS_COPY */
  MAP_PRIVATE_,  /* MAP_PRIVATE, read-write, ACCESS_DEFAULT */
} MapAccess;

static const char *const map_access_names[] = { "write", "copy", "private" };

typedef struct
{
  const char *name;
  gsize       file_len;
  goffset     offset;
  gsize       length;     /* 0: to the end of the file */
  goffset     start;
  gssize      range_len;
} AdviceLayout;

#define P 4096

static const AdviceLayout advice_layouts[] = {
  /* The map ends mid-page inside a longer file. */
  { "off0-len100/all",           3 * P, 0,    100,       0,    -1 },
  { "off0-len100/mid",           3 * P, 0,    100,       10,   50 },
  { "off5000-len100/all",        3 * P, 5000, 100,       0,    -1 },
  { "off5000-len3000/to-end",    3 * P, 5000, 3000,      1000, -1 },
  { "off4096-len5000/all",       4 * P, P,    5000,      0,    -1 },
  { "off4096-len5000/mid",       4 * P, P,    5000,      100,  4000 },
  { "off4096-len5000/clamped",   4 * P, P,    5000,      0,    G_MAXSSIZE },
  { "off1003-len8392/all",       4 * P, 1003, 2 * P + 200, 0,  -1 },
  { "off1003-len8392/to-end",    4 * P, 1003, 2 * P + 200, 3093, -1 },
  { "off1003-len8392/past-end",  4 * P, 1003, 2 * P + 200, 3093, 3 * P },
  { "off0-len8492/whole-pages",  4 * P, 0,    2 * P + 300, 0,  2 * P },
  { "off0-len8492/unaligned",    4 * P, 0,    2 * P + 300, 1,  2 * P - 2 },
  /* The map ends where the file ends. */
  { "file-end/off0-len4196/all",     P + 100,  0,    0,   0,   -1 },
  { "file-end/off0-len4196/mid",     P + 100,  0,    0,   100, 200 },
  { "file-end/off5000-len3000/all",  8000,     5000, 0,   0,   -1 },
  { "file-end/off4096-len200/all",   P + 200,  P,    0,   0,   -1 },
  { "file-end/off4096-len200/head",  P + 200,  P,    0,   0,   100 },
};

/* The issue's reproducer, as given. */
static const AdviceLayout issue_reproducer =
  { "issue-reproducer", 3 * P, 0, 100, 0, -1 };

static const MmapAdvice destructive_advice[] = {
  MMAP_ADVICE_DONTNEED,
  MMAP_ADVICE_FREE,
  MMAP_ADVICE_REMOVE,
  MMAP_ADVICE_DONTFORK,
  MMAP_ADVICE_WIPEONFORK,
  MMAP_ADVICE_DONTNEED_LOCKED,
};

typedef struct
{
  const AdviceLayout *layout;
  MmapAdvice          advice;
  MapAccess           access;
} AdviceCase;

typedef struct
{
  MmapObject   *map;
  gsize         skip_lo;  /* map bytes [skip_lo, skip_hi) are not read */
  gsize         skip_hi;
  const guint8 *want;
  gsize         len;
} ForkCheck;

/* In a fork child: the map bytes outside the advised pages are there
 * (DONTFORK leaves the advised pages unmapped in the child). */
static void
check_map_in_child (gpointer user_data)
{
  ForkCheck *check = user_data;
  gssize bounds[2][2] = { { 0, (gssize) check->skip_lo },
                          { (gssize) check->skip_hi, (gssize) check->len } };

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GBytes) part = NULL;
      const guint8 *got;
      gsize got_len;

      if (bounds[i][0] >= bounds[i][1])
        continue;
      part = mmap_object_get_slice (check->map, bounds[i][0], bounds[i][1],
                                    1, NULL);
      if (part == NULL)
        _exit (4);
      got = g_bytes_get_data (part, &got_len);
      if (got_len != (gsize) (bounds[i][1] - bounds[i][0])
          || memcmp (got, check->want + bounds[i][0], got_len) != 0)
        _exit (5);
    }
}

/* A map with memory advised DONTFORK is closed in a fork child. */
static void
check_map_closed_in_child (gpointer user_data)
{
  ForkCheck *check = user_data;
  GError *error = NULL;

  if (!mmap_object_get_closed (check->map))
    _exit (6);
  if (mmap_object_get_slice (check->map, 0, 1, 1, &error) != NULL
      || !g_error_matches (error, MMAP_ERROR, MMAP_ERROR_CLOSED))
    _exit (7);
  g_error_free (error);
}

static void
test_destructive_advice (gconstpointer user_data)
{
  const AdviceCase *tc = user_data;
  const AdviceLayout *lay = tc->layout;
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autofree guint8 *file_data = NULL;
  g_autofree guint8 *before = NULL;
  g_autofree guint8 *after = NULL;
  g_autoptr(GBytes) file_after = NULL;
  g_autoptr(MtFile) file = pattern_file (lay->file_len, 3, &file_data);
  gsize len = lay->length != 0 ? lay->length
                               : lay->file_len - (gsize) lay->offset;
  gsize end, lo, hi, map_lo, map_hi;
  gboolean shared = tc->access == MAP_WRITE;
  gboolean ok;
  const guint8 *fa;

  switch (tc->access)
    {
    case MAP_WRITE:
      map = mmap_object_new (file->fd, lay->length, MMAP_ACCESS_WRITE,
                             lay->offset, &error);
      break;
    case MAP_COPY:
      map = mmap_object_new (file->fd, lay->length, MMAP_ACCESS_COPY,
                             lay->offset, &error);
      break;
    case MAP_PRIVATE_:
      map = mmap_object_new_full (file->fd, lay->length, MMAP_MAP_PRIVATE,
                                  MMAP_PROT_READ | MMAP_PROT_WRITE,
                                  MMAP_ACCESS_DEFAULT, lay->offset, TRUE,
                                  &error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, len);

  /* Private maps get private bytes that differ from the file's. */
  if (!shared)
    {
      g_autofree guint8 *priv = pattern_new (len, 11);

      g_assert_true (mmap_object_set_slice (map, 0, G_MAXSSIZE, 1, priv, len,
                                            &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (mmap_object_seek (map, (goffset) (len / 3), G_SEEK_SET,
                                     &error), ==, (goffset) (len / 3));
  before = map_dup_all (map);

  /* Which file bytes the advice may touch: whole pages inside both the
   * range and the map; the last partial page counts only where the map
   * ends at the end of the file. */
  end = lay->range_len == -1 || (gsize) lay->range_len > len - lay->start
        ? len : (gsize) lay->start + (gsize) lay->range_len;
  lo = ((gsize) lay->offset + (gsize) lay->start + page - 1) / page * page;
  if (end == len && (gsize) lay->offset + len == lay->file_len)
    hi = lay->file_len;
  else
    hi = ((gsize) lay->offset + end) / page * page;
  lo = MIN (lo, lay->file_len);
  hi = MIN (hi, lay->file_len);
  if (hi < lo)
    hi = lo;
  map_lo = MIN (lo - (gsize) lay->offset, len);
  map_hi = MIN (hi - (gsize) lay->offset, len);

  ok = mmap_object_madvise_range (map, tc->advice, lay->start, lay->range_len,
                                  &error);
  if (!ok)
    {
      /* The kernel may refuse (FREE, WIPEONFORK on file maps, REMOVE on
       * private maps): then nothing changed at all. */
      g_assert_nonnull (error);
      if (!g_error_matches (error, MMAP_ERROR, MMAP_ERROR_NOT_SUPPORTED))
        g_assert_cmpstr (g_quark_to_string (error->domain), ==,
                         g_quark_to_string (G_IO_ERROR));
      g_assert_true (tc->advice == MMAP_ADVICE_FREE
                     || tc->advice == MMAP_ADVICE_WIPEONFORK
                     || (tc->advice == MMAP_ADVICE_REMOVE && !shared));
      map_lo = map_hi = 0;
      lo = hi = 0;
      g_clear_error (&error);
    }
  g_assert_no_error (error);

  /* The file: outside [lo, hi) exactly as before; inside, original bytes
   * or zeroes (zeroes for a successful REMOVE). */
  file_after = mt_fd_read_all (file->fd);
  g_assert_cmpuint (g_bytes_get_size (file_after), ==, lay->file_len);
  fa = g_bytes_get_data (file_after, NULL);
  g_assert_cmpmem (fa, lo, file_data, lo);
  g_assert_cmpmem (fa + hi, lay->file_len - hi, file_data + hi,
                   lay->file_len - hi);
  for (gsize i = lo; i < hi; i++)
    {
      if (ok && tc->advice == MMAP_ADVICE_REMOVE)
        g_assert_cmpuint (fa[i], ==, 0);
      else if (fa[i] != 0 && fa[i] != file_data[i])
        g_error ("file byte %" G_GSIZE_FORMAT " is %d: neither the original "
                 "%d nor 0", i, fa[i], file_data[i]);
    }

  /* The map: outside the advised pages as before; inside, as before, the
   * file's bytes (private pages dropped) or zeroes. */
  g_assert_cmpuint (mmap_object_get_length (map), ==, len);
  assert_tell (map, (goffset) (len / 3));
  after = map_dup_all (map);
  g_assert_cmpmem (after, map_lo, before, map_lo);
  g_assert_cmpmem (after + map_hi, len - map_hi, before + map_hi,
                   len - map_hi);
  for (gsize i = map_lo; i < map_hi; i++)
    {
      guint8 orig = file_data[(gsize) lay->offset + i];

      if (after[i] != before[i] && after[i] != orig && after[i] != 0)
        g_error ("map byte %" G_GSIZE_FORMAT " is %d: not %d, %d or 0", i,
                 after[i], before[i], orig);
    }

  /* Fork children see the map's bytes outside the advised pages; a map
   * with pages that are not there at all is closed instead. */
  if (ok && (tc->advice == MMAP_ADVICE_DONTFORK
             || tc->advice == MMAP_ADVICE_WIPEONFORK))
    {
      ForkCheck check = { map, map_lo, map_hi, after, len };
      g_autofree char *how = fork_and_describe (
        tc->advice == MMAP_ADVICE_DONTFORK ? check_map_closed_in_child
                                           : check_map_in_child,
        &check, 10);
      MmapAdvice undo = tc->advice == MMAP_ADVICE_DONTFORK
                        ? MMAP_ADVICE_DOFORK : MMAP_ADVICE_KEEPONFORK;

      g_assert_cmpstr (how, ==, "exited with 0");
      g_assert_true (mmap_object_madvise (map, undo, &error));
      g_assert_no_error (error);
    }
}

static char *
advice_nick (MmapAdvice advice)
{
  GEnumClass *klass = g_type_class_ref (MMAP_TYPE_ADVICE);
  GEnumValue *value = g_enum_get_value (klass, (gint) advice);
  char *nick;

  g_assert_nonnull (value);
  nick = g_strdup (value->value_nick);
  g_type_class_unref (klass);
  return nick;
}

static void
add_advice_tests (void)
{
  for (gsize a = 0; a < G_N_ELEMENTS (destructive_advice); a++)
    {
      g_autofree char *nick = advice_nick (destructive_advice[a]);

      for (int acc = MAP_WRITE; acc <= MAP_PRIVATE_; acc++)
        for (gsize l = 0; l <= G_N_ELEMENTS (advice_layouts); l++)
          {
            const AdviceLayout *lay = l < G_N_ELEMENTS (advice_layouts)
                                      ? &advice_layouts[l]
                                      : &issue_reproducer;
            AdviceCase *tc;
            g_autofree char *path = NULL;

            /* The reproducer is REMOVE on a write map only. */
            if (lay == &issue_reproducer
                && (destructive_advice[a] != MMAP_ADVICE_REMOVE
                    || acc != MAP_WRITE))
              continue;

            tc = keep_case (g_new0 (AdviceCase, 1));
            tc->layout = lay;
            tc->advice = destructive_advice[a];
            tc->access = acc;
            path = g_strdup_printf ("/Mmap/Reliability/madvise/"
                                    "destructive-stays-in-map/%s/%s/%s", nick,
                                    map_access_names[acc], lay->name);
            g_test_add_data_func_full (path, tc, test_destructive_advice,
                                       g_free);
          }
    }
}

/* ------------------------------------------------------------------ */
/* 2, 3, 7. resize                                                    */

typedef struct
{
  goffset offset;
  goffset advice_at;
} GrowCase;

/* Advice splits the kernel's memory area; a later grow still works, and
 * the file is set to offset + new size (Python's rule). */
static void
test_grow_after_advice (gconstpointer user_data)
{
  const GrowCase *tc = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *orig = NULL;
  g_autoptr(MtFile) file = pattern_file (4 * page, 5, &orig);
  g_autoptr(MmapObject) map = mmap_object_new (file->fd, 2 * page,
                                               MMAP_ACCESS_WRITE, tc->offset,
                                               &error);
  g_autofree guint8 *want_file = NULL;
  gsize new_file_len = (gsize) tc->offset + 3 * page;

  g_assert_no_error (error);
  g_assert_true (mmap_object_madvise_range (map, MMAP_ADVICE_RANDOM,
                                            tc->advice_at, 10, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_seek (map, 5, G_SEEK_SET, &error), ==, 5);

  g_assert_true (mmap_object_resize (map, 3 * page, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (mmap_object_get_length (map), ==, 3 * page);
  assert_tell (map, 5);
  /* The file is cut (or kept) at offset + 3 pages; the map's third page
   * shows the file's bytes there. */
  want_file = g_memdup2 (orig, new_file_len);
  assert_fd_is (file->fd, want_file, new_file_len);
  mt_assert_map_is (map, orig + tc->offset, 3 * page);

  /* The new page is really the file's. */
  g_assert_true (mmap_object_set_byte (map, -1, 'Q', &error));
  g_assert_no_error (error);
  want_file[new_file_len - 1] = 'Q';
  assert_fd_is (file->fd, want_file, new_file_len);
}

typedef struct
{
  int          fd;
  MmapObject  *map;
  guint8      *file_data;
  gsize        file_len;
  guint8      *map_data;
  gsize        map_len;
  goffset      pos;
} Snapshot;

static void
snapshot_take (Snapshot   *snap,
               int         fd,
               MmapObject *map)
{
  g_autoptr(GBytes) contents = mt_fd_read_all (fd);
  g_autoptr(GError) error = NULL;

  snap->fd = fd;
  snap->map = map;
  snap->file_data = g_bytes_unref_to_data (g_steal_pointer (&contents),
                                           &snap->file_len);
  snap->map_len = mmap_object_get_length (map);
  snap->map_data = map_dup_all (map);
  snap->pos = mmap_object_tell (map, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mt_fd_size (fd), ==, (goffset) snap->file_len);
}

/* File size and bytes, map length, bytes and position are unchanged. */
static void
snapshot_assert_unchanged (Snapshot *snap)
{
  assert_fd_is (snap->fd, snap->file_data, snap->file_len);
  mt_assert_map_is (snap->map, snap->map_data, snap->map_len);
  assert_tell (snap->map, snap->pos);
}

static void
snapshot_clear (Snapshot *snap)
{
  g_clear_pointer (&snap->file_data, g_free);
  g_clear_pointer (&snap->map_data, g_free);
}

static void
ignore_sigxfsz (void)
{
  g_assert_true (signal (SIGXFSZ, SIG_IGN) != SIG_ERR);
}

static void
limit_file_size (gsize limit)
{
  struct rlimit rl = { limit, limit };

  ignore_sigxfsz ();
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &rl), ==, 0);
}

/* Grow past RLIMIT_FSIZE: EFBIG, nothing changed. */
static void
test_resize_efbig (gconstpointer user_data)
{
  goffset offset = GPOINTER_TO_SIZE (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) file = NULL;
  g_autoptr(MmapObject) map = NULL;
  Snapshot snap = { 0 };

  if (!in_subprocess ())
    return;

  file = pattern_file (4 * page, 9, NULL);
  map = mmap_object_new (file->fd, page + 200, MMAP_ACCESS_WRITE, offset,
                         &error);
  g_assert_no_error (error);
  g_assert_true (mmap_object_madvise_range (map, MMAP_ADVICE_RANDOM, 0, 10,
                                            &error));
  g_assert_cmpint (mmap_object_seek (map, 77, G_SEEK_SET, &error), ==, 77);
  g_assert_true (mmap_object_set_byte (map, 3, 'W', &error));
  g_assert_no_error (error);
  snapshot_take (&snap, file->fd, map);

  limit_file_size (4 * page + 100);
  g_assert_false (mmap_object_resize (map, 6 * page, &error));
  assert_io_errno (error, EFBIG);
  g_clear_error (&error);
  snapshot_assert_unchanged (&snap);

  /* Within the limit it works. */
  g_assert_true (mmap_object_resize (map, 2 * page, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mt_fd_size (file->fd), ==, offset + 2 * (goffset) page);
  snapshot_clear (&snap);
}

static gsize
vm_size (void)
{
  g_autofree char *status = NULL;
  const char *p;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL,
                                      NULL));
  p = strstr (status, "VmSize:");
  g_assert_nonnull (p);
  return (gsize) g_ascii_strtoull (p + strlen ("VmSize:"), NULL, 10) * 1024;
}

/* A grow that shrinks a longer file (Python's rule) and then cannot map
 * the new size (RLIMIT_AS): the file must not have been cut first. */
static void
test_resize_enomem_keeps_file (void)
{
  const gsize file_len = (gsize) 1 << 30;
  const gsize markers[] = { 600 << 20, ((gsize) 1 << 30) - 4096 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) file = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autofree guint8 *head = NULL;
  struct rlimit rl;
  goffset size_before;

#if defined (__SANITIZE_ADDRESS__)
  /* AddressSanitizer reserves terabytes of shadow address space, and its
   * leak checker reports the allocations the abort leaves behind. */
  g_test_skip ("RLIMIT_AS cannot be lowered under AddressSanitizer");
  return;
#endif

  if (!in_subprocess ())
    return;

  file = pattern_file (4 * page, 13, &head);
  truncate_fd (file->fd, file_len);
  for (gsize i = 0; i < G_N_ELEMENTS (markers); i++)
    g_assert_cmpint (pwrite (file->fd, head, page, (off_t) markers[i]), ==,
                     (gssize) page);

  map = mmap_object_new (file->fd, 2 * page, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_seek (map, 42, G_SEEK_SET, &error), ==, 42);
  size_before = mt_fd_size (file->fd);

  rl.rlim_cur = rl.rlim_max = vm_size () + (64 << 20);
  g_assert_cmpint (setrlimit (RLIMIT_AS, &rl), ==, 0);

  g_assert_false (mmap_object_resize (map, 512 << 20, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_cmpint (mt_fd_size (file->fd), ==, size_before);
  mt_assert_map_is (map, head, 2 * page);
  assert_tell (map, 42);
  for (gsize i = 0; i < G_N_ELEMENTS (markers); i++)
    {
      g_autofree guint8 *got = g_malloc (page);

      g_assert_cmpint (pread (file->fd, got, page, (off_t) markers[i]), ==,
                       (gssize) page);
      g_assert_cmpmem (got, page, head, page);
    }
  {
    g_autofree guint8 *got = g_malloc (4 * page);

    g_assert_cmpint (pread (file->fd, got, 4 * page, 0), ==,
                     (gssize) (4 * page));
    g_assert_cmpmem (got, 4 * page, head, 4 * page);
  }
}

typedef struct
{
  const char *name;
  gboolean    private_map;
  guint       seal;
  gsize       new_size;
} SealCase;

/* A memfd sealed against the change: EPERM, and everything, private pages
 * included, is as it was. */
static void
test_resize_sealed (gconstpointer user_data)
{
  const SealCase *tc = user_data;
  const gsize len = 2 * page + 100;
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autofree guint8 *data = pattern_new (len, 17);
  g_autofree guint8 *want_map = NULL;
  int fd = sealable_memfd (data, len);
  const gssize touched[] = { 10, (gssize) page + 10, (gssize) len - 1 };

  g_assert_cmpint (fcntl (fd, F_ADD_SEALS, tc->seal), ==, 0);
  map = mmap_object_new_full (fd, len,
                              tc->private_map ? MMAP_MAP_PRIVATE
                                              : MMAP_MAP_SHARED,
                              MMAP_PROT_READ | MMAP_PROT_WRITE,
                              MMAP_ACCESS_DEFAULT, 0, TRUE, &error);
  g_assert_no_error (error);

  want_map = g_memdup2 (data, len);
  for (gsize i = 0; i < G_N_ELEMENTS (touched); i++)
    {
      g_assert_true (mmap_object_set_byte (map, touched[i], 'Z', &error));
      g_assert_no_error (error);
      want_map[touched[i]] = 'Z';
      if (!tc->private_map)
        data[touched[i]] = 'Z';
    }
  g_assert_cmpint (mmap_object_seek (map, 99, G_SEEK_SET, &error), ==, 99);

  g_assert_false (mmap_object_resize (map, tc->new_size, &error));
  assert_io_errno (error, EPERM);
  g_clear_error (&error);

  mt_assert_map_is (map, want_map, len);
  assert_tell (map, 99);
  assert_fd_is (fd, data, len);

  g_assert_true (mmap_object_close (map, &error));
  g_assert_no_error (error);
  close (fd);
}

static const SealCase seal_cases[] = {
  { "shared/seal-shrink",  FALSE, F_SEAL_SHRINK, P },
  { "shared/seal-grow",    FALSE, F_SEAL_GROW,   3 * P },
  { "private/seal-shrink", TRUE,  F_SEAL_SHRINK, P },
  { "private/seal-grow",   TRUE,  F_SEAL_GROW,   3 * P },
};

static const GrowCase grow_cases[] = {
  { 0, 0 },
  { 0, P + 5 },
  { P, 0 },
  { P, P + 5 },
};

/* ------------------------------------------------------------------ */
/* 7. A full disk fails the grow                                      */

static int
make_private_tmpfs (const char *dir)
{
  if (unshare (CLONE_NEWNS) != 0)
    return errno;
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    return errno;
  if (mount ("tmpfs", dir, "tmpfs", 0, "size=256k") != 0)
    return errno;
  return 0;
}

static void
probe_tmpfs (gpointer user_data)
{
  _exit (make_private_tmpfs (user_data));
}

static void
test_full_disk_tmpfs (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *filler_path = NULL;
  g_autofree guint8 *data = NULL;
  g_autoptr(MmapObject) map = NULL;
  Snapshot snap = { 0 };
  int fd, filler;
  guint8 chunk[4096];

  if (!g_test_subprocess ())
    {
      g_autofree char *probe_dir = g_dir_make_tmp ("mmapobj-probe-XXXXXX",
                                                   &error);
      g_autofree char *how = NULL;

      g_assert_no_error (error);
      how = fork_and_describe (probe_tmpfs, probe_dir, 10);
      g_rmdir (probe_dir);
      if (g_strcmp0 (how, "exited with 0") != 0)
        {
          g_autofree char *msg = g_strdup_printf ("cannot mount a private "
                                                  "tmpfs (%s)", how);
          g_test_skip (msg);
          return;
        }
      (void) in_subprocess ();
      return;
    }

  dir = g_dir_make_tmp ("mmapobj-tmpfs-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (make_private_tmpfs (dir), ==, 0);

  path = g_build_filename (dir, "data", NULL);
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  data = pattern_new (2 * page, 19);
  g_assert_cmpint (pwrite (fd, data, 2 * page, 0), ==, (gssize) (2 * page));

  map = mmap_object_new (fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_seek (map, 3, G_SEEK_SET, &error), ==, 3);

  /* Fill the file system. */
  filler_path = g_build_filename (dir, "filler", NULL);
  filler = open (filler_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (filler, >=, 0);
  memset (chunk, 'f', sizeof chunk);
  for (;;)
    {
      ssize_t n = write (filler, chunk, sizeof chunk);

      if (n < 0)
        {
          g_assert_cmpint (errno, ==, ENOSPC);
          break;
        }
      g_assert_cmpint (n, >, 0);
    }

  snapshot_take (&snap, fd, map);
  g_assert_false (mmap_object_resize (map, 32 * page, &error));
  assert_io_errno (error, ENOSPC);
  g_clear_error (&error);
  snapshot_assert_unchanged (&snap);

  /* With room again, the same grow works and the new bytes are there. */
  close (filler);
  g_assert_cmpint (g_unlink (filler_path), ==, 0);
  g_assert_true (mmap_object_resize (map, 32 * page, &error));
  g_assert_no_error (error);
  g_assert_true (mmap_object_set_byte (map, -1, 'E', &error));
  g_assert_no_error (error);
  g_assert_cmpint (mt_fd_size (fd), ==, 32 * (goffset) page);

  g_assert_true (mmap_object_close (map, &error));
  g_assert_no_error (error);
  close (fd);
  snapshot_clear (&snap);
  (void) umount2 (dir, MNT_DETACH);
  g_rmdir (dir);
}

/* ------------------------------------------------------------------ */
/* 4. The SIGBUS guard                                                */

static MtFile *
truncated_map (MmapObject **map_out,
               gsize        keep)
{
  g_autoptr(GError) error = NULL;
  MtFile *file = pattern_file (3 * page, 7, NULL);

  *map_out = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  truncate_fd (file->fd, keep);
  return file;
}

static void
assert_truncated_read_fails (MmapObject *map)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (mmap_object_get_byte (map, (gssize) page, &error), ==, -1);
  assert_sigbus_error (error);
}

typedef enum
{
  OP_READ,
  OP_GET_BYTE,
  OP_FIND,
  OP_GET_SLICE,
  OP_WRITE,
} ThreadOp;

static const char *const thread_op_names[] = {
  "read", "get-byte", "find", "get-slice", "write",
};

typedef struct
{
  MmapObject *map;
  ThreadOp    op;
  gboolean    block_later;
  GError     *error;
  gboolean    failed;
} ThreadJob;

static void *
thread_job_run (void *user_data)
{
  ThreadJob *job = user_data;
  const guint8 needle[3] = { 'n', 'o', '!' };
  GBytes *bytes = NULL;

  if (job->block_later)
    {
      sigset_t set;
      GError *error = NULL;

      /* A first library call with SIGBUS unblocked, then block it and
       * tell the library. */
      g_assert_cmpint (mmap_object_get_byte (job->map, 0, &error), >=, 0);
      g_assert_no_error (error);
      sigemptyset (&set);
      sigaddset (&set, SIGBUS);
      g_assert_cmpint (pthread_sigmask (SIG_BLOCK, &set, NULL), ==, 0);
      g_assert_true (mmap_install_sigbus_guard ());
    }

  switch (job->op)
    {
    case OP_READ:
      g_assert_cmpint (mmap_object_seek (job->map, (goffset) page + 1,
                                         G_SEEK_SET, NULL), ==,
                       (goffset) page + 1);
      bytes = mmap_object_read (job->map, -1, &job->error);
      job->failed = bytes == NULL;
      break;
    case OP_GET_BYTE:
      job->failed = mmap_object_get_byte (job->map, (gssize) page + 3,
                                          &job->error) == -1;
      break;
    case OP_FIND:
      job->failed = mmap_object_find (job->map, needle, sizeof needle,
                                      &job->error) == -2;
      break;
    case OP_GET_SLICE:
      bytes = mmap_object_get_slice (job->map, 0, G_MAXSSIZE, 1,
                                     &job->error);
      job->failed = bytes == NULL;
      break;
    case OP_WRITE:
      g_assert_cmpint (mmap_object_seek (job->map, (goffset) page - 1,
                                         G_SEEK_SET, NULL), ==,
                       (goffset) page - 1);
      job->failed = mmap_object_write (job->map, needle, sizeof needle,
                                       &job->error) == -1;
      break;
    default:
      g_assert_not_reached ();
    }
  g_clear_pointer (&bytes, g_bytes_unref);
  return NULL;
}

/* A thread created with SIGBUS blocked (or that blocks it later and says
 * so) gets EIO errors; the process lives. */
static void
run_blocked_thread (ThreadOp op,
                    gboolean block_later)
{
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(MtFile) file = truncated_map (&map, page);
  ThreadJob job = { map, op, block_later, NULL, FALSE };
  sigset_t block, old;
  pthread_t thread;

  sigemptyset (&block);
  sigaddset (&block, SIGBUS);
  if (!block_later)
    g_assert_cmpint (pthread_sigmask (SIG_BLOCK, &block, &old), ==, 0);
  g_assert_cmpint (pthread_create (&thread, NULL, thread_job_run, &job), ==,
                   0);
  if (!block_later)
    g_assert_cmpint (pthread_sigmask (SIG_SETMASK, &old, NULL), ==, 0);
  g_assert_cmpint (pthread_join (thread, NULL), ==, 0);

  g_assert_true (job.failed);
  assert_sigbus_error (job.error);
  g_clear_error (&job.error);
  assert_tell (map, op == OP_READ ? (goffset) page + 1
                    : op == OP_WRITE ? (goffset) page - 1 : 0);
}

static void
test_blocked_thread (gconstpointer user_data)
{
  if (!in_subprocess ())
    return;
  run_blocked_thread (GPOINTER_TO_INT (user_data), FALSE);
}

static void
test_blocked_later_then_install (void)
{
  if (!in_subprocess ())
    return;
  run_blocked_thread (OP_GET_SLICE, TRUE);
}

static volatile sig_atomic_t app_calls;
static volatile sig_atomic_t app_last_code;

/* An application's handler: counts signals sent by kill(2)/raise(3); a
 * real fault must never reach it (the library's are the library's). */
static void
app_handler (int        sig,
             siginfo_t *info,
             void      *context)
{
  static const char msg[] = "app SIGBUS handler got a fault\n";

  if (info->si_code == SI_TKILL || info->si_code == SI_USER)
    {
      app_calls++;
      app_last_code = info->si_code;
      return;
    }
  if (write (STDERR_FILENO, msg, sizeof msg - 1) < 0)
    _exit (4);
  _exit (3);
}

static void
install_handler (void (*handler) (int, siginfo_t *, void *))
{
  struct sigaction action;

  memset (&action, 0, sizeof action);
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO;
  sigemptyset (&action.sa_mask);
  g_assert_cmpint (sigaction (SIGBUS, &action, NULL), ==, 0);
}

static void
install_disposition (void (*disposition) (int))
{
  struct sigaction action;

  memset (&action, 0, sizeof action);
  action.sa_handler = disposition;
  sigemptyset (&action.sa_mask);
  g_assert_cmpint (sigaction (SIGBUS, &action, NULL), ==, 0);
}

/* A stray SIGBUS reaches the handler installed before the first map, and
 * the guard stays. */
static void
test_stray_to_handler (gconstpointer user_data)
{
  gboolean use_kill = GPOINTER_TO_INT (user_data);
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(MtFile) file = NULL;

  if (!in_subprocess ())
    return;

  install_handler (app_handler);
  file = truncated_map (&map, page);

  for (int round = 1; round <= 2; round++)
    {
      if (use_kill)
        {
          /* kill(2) may pick any thread that does not block SIGBUS. */
          g_assert_cmpint (kill (getpid (), SIGBUS), ==, 0);
          for (guint wait = 0; app_calls < round && wait < 5000; wait++)
            g_usleep (1000);
        }
      else
        g_assert_cmpint (raise (SIGBUS), ==, 0);
      g_assert_cmpint (app_calls, ==, round);
      g_assert_cmpint (app_last_code, ==, use_kill ? SI_USER : SI_TKILL);

      assert_truncated_read_fails (map);
      g_assert_cmpint (app_calls, ==, round);
    }
}

static void
test_stray_ignored (void)
{
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(MtFile) file = NULL;

  if (!in_subprocess ())
    return;

  install_disposition (SIG_IGN);
  file = truncated_map (&map, page);

  g_assert_cmpint (raise (SIGBUS), ==, 0);
  g_assert_cmpint (kill (getpid (), SIGBUS), ==, 0);
  assert_truncated_read_fails (map);
  g_assert_cmpint (raise (SIGBUS), ==, 0);
  assert_truncated_read_fails (map);
}

static void
raise_sigbus (gpointer user_data)
{
  if (GPOINTER_TO_INT (user_data))
    (void) kill (getpid (), SIGBUS);
  else
    (void) raise (SIGBUS);
}

/* With SIG_DFL before the guard, a stray SIGBUS kills, as without the
 * library. */
static void
test_stray_default_kills (void)
{
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(MtFile) file = NULL;
  g_autofree char *sigbus = killed_by (SIGBUS);

  if (!in_subprocess ())
    return;

  install_disposition (SIG_DFL);
  file = truncated_map (&map, page);
  assert_truncated_read_fails (map);

  for (int use_kill = 0; use_kill <= 1; use_kill++)
    {
      g_autofree char *how = fork_and_describe (raise_sigbus,
                                                GINT_TO_POINTER (use_kill),
                                                10);
      g_assert_cmpstr (how, ==, sigbus);
    }
  assert_truncated_read_fails (map);
}

typedef enum
{
  SRC_WRITE_BYTES,
  SRC_WRITE,
  SRC_FIND,
  SRC_SET_SLICE,
} SourceOp;

static const char *const source_op_names[] = {
  "write-bytes", "write", "find", "set-slice",
};

/* The library's reads of its *source* (a view of another map whose file
 * was truncated) are guarded too. */
static void
test_unguarded_source (gconstpointer user_data)
{
  SourceOp op = GPOINTER_TO_INT (user_data);
  const gsize len = 2 * page;
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) src_file = NULL;
  g_autoptr(MtFile) dst_file = NULL;
  g_autoptr(MmapObject) src = NULL;
  g_autoptr(MmapObject) dst = NULL;
  g_autoptr(GBytes) view = NULL;
  const guint8 *view_data;
  gsize view_len;
  Snapshot snap = { 0 };

  if (!in_subprocess ())
    return;

  src_file = pattern_file (len, 21, NULL);
  dst_file = pattern_file (2 * len, 23, NULL);
  src = mmap_object_new (src_file->fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);
  dst = mmap_object_new (dst_file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_seek (dst, 5, G_SEEK_SET, &error), ==, 5);

  view = mmap_object_view (src, 0, op == SRC_FIND ? 16 : -1, &error);
  g_assert_no_error (error);
  view_data = g_bytes_get_data (view, &view_len);
  truncate_fd (src_file->fd, 0);
  snapshot_take (&snap, dst_file->fd, dst);

  switch (op)
    {
    case SRC_WRITE_BYTES:
      g_assert_cmpint (mmap_object_write_bytes (dst, view, &error), ==, -1);
      break;
    case SRC_WRITE:
      g_assert_cmpint (mmap_object_write (dst, view_data, view_len, &error),
                       ==, -1);
      break;
    case SRC_FIND:
      g_assert_cmpint (mmap_object_find (dst, view_data, view_len, &error),
                       ==, -2);
      break;
    case SRC_SET_SLICE:
      g_assert_false (mmap_object_set_slice (dst, 7, 7 + (gssize) view_len,
                                             1, view_data, view_len,
                                             &error));
      break;
    default:
      g_assert_not_reached ();
    }
  assert_sigbus_error (error);
  snapshot_assert_unchanged (&snap);
  snapshot_clear (&snap);
}

/* The application installs its own handler after the first map; the
 * guard comes back in front of it through mmap_install_sigbus_guard() or
 * the next new map. */
static void
test_handler_installed_later (gconstpointer user_data)
{
  gboolean by_new_map = GPOINTER_TO_INT (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(MtFile) file = NULL;
  g_autoptr(MmapObject) other = NULL;
  struct sigaction current;

  if (!in_subprocess ())
    return;

  file = truncated_map (&map, page);
  install_handler (app_handler);

  if (by_new_map)
    {
      other = mmap_object_new_anonymous (page, &error);
      g_assert_no_error (error);
    }
  else
    g_assert_true (mmap_install_sigbus_guard ());

  /* The guard is in front again. */
  g_assert_cmpint (sigaction (SIGBUS, NULL, &current), ==, 0);
  g_assert_true (current.sa_sigaction != app_handler);

  assert_truncated_read_fails (map);
  g_assert_cmpint (app_calls, ==, 0);

  /* Stray signals go on to the application's handler. */
  g_assert_cmpint (raise (SIGBUS), ==, 0);
  g_assert_cmpint (app_calls, ==, 1);
  g_assert_cmpint (app_last_code, ==, SI_TKILL);
  assert_truncated_read_fails (map);
  g_assert_cmpint (app_calls, ==, 1);
}

static void
test_guard_env_disabled (void)
{
  if (!in_subprocess ())
    return;

  g_setenv ("MMAP_NO_SIGBUS_GUARD", "1", TRUE);
  g_assert_false (mmap_install_sigbus_guard ());
}

static void
returning_handler (int        sig,
                   siginfo_t *info,
                   void      *context)
{
}

static void
re_raising_handler (int        sig,
                    siginfo_t *info,
                    void      *context)
{
  (void) raise (SIGBUS);
}

static void
restore_default_and_re_raise (int        sig,
                              siginfo_t *info,
                              void      *context)
{
  signal (SIGBUS, SIG_DFL);
  (void) raise (SIGBUS);
}

typedef struct
{
  const char *name;
  void      (*handler) (int, siginfo_t *, void *);
  gboolean    before_first_map;
} ChainCase;

static const ChainCase chain_cases[] = {
  { "returns/installed-later",         returning_handler,  FALSE },
  { "returns/installed-before",        returning_handler,  TRUE },
  { "re-raises/installed-later",       re_raising_handler, FALSE },
  { "re-raises/installed-before",      re_raising_handler, TRUE },
  { "restores-default/installed-before", restore_default_and_re_raise, TRUE },
};

/* A fault that is not the library's, chained to a handler that returns
 * or re-raises: the process dies of SIGBUS, it does not loop. */
static void
chained_fault_child (gpointer user_data)
{
  const ChainCase *tc = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(MtFile) file = NULL;
  volatile guint8 *raw;

  if (tc->before_first_map)
    install_handler (tc->handler);
  file = truncated_map (&map, page);
  if (!tc->before_first_map)
    {
      install_handler (tc->handler);
      if (!mmap_install_sigbus_guard ())
        _exit (5);
    }
  /* The library's own faults are still errors. */
  if (mmap_object_get_byte (map, (gssize) page, &error) != -1)
    _exit (6);

  raw = mmap (NULL, page, PROT_READ, MAP_SHARED, file->fd, 0);
  if (raw == MAP_FAILED)
    _exit (7);
  truncate_fd (file->fd, 0);
  (void) raw[0];
  _exit (8);
}

static void
test_chained_handler (gconstpointer user_data)
{
  g_autofree char *how = NULL;
  g_autofree char *sigbus = killed_by (SIGBUS);

  if (!in_subprocess ())
    return;

  how = fork_and_describe (chained_fault_child, (gpointer) user_data, 5);
  g_assert_cmpstr (how, ==, sigbus);
}

/* ------------------------------------------------------------------ */
/* 5. A write over a truncated file stores nothing                    */

typedef enum
{
  W_WRITE,
  W_WRITE_BYTES,
  W_SET_SLICE_1,
  W_SET_SLICE_2,
  W_SET_SLICE_M1,
  W_SET_SLICE_M2,
  W_MOVE_FORWARD,
  W_MOVE_BACKWARD,
  W_N_OPS
} WriteOp;

static const char *const write_op_names[] = {
  "write", "write-bytes", "set-slice-step-1", "set-slice-step-2",
  "set-slice-step--1", "set-slice-step--2", "move-source-crosses",
  "move-destination-crosses",
};

typedef struct
{
  WriteOp  op;
  gboolean copy;
  gsize    keep;  /* file size after the truncation */
} WriteCase;

static void
test_write_not_partial (gconstpointer user_data)
{
  const WriteCase *tc = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *orig = NULL;
  g_autoptr(MtFile) file = pattern_file (4 * page, 29, &orig);
  g_autoptr(MmapObject) map = mmap_object_new (file->fd, 0,
                                               tc->copy ? MMAP_ACCESS_COPY
                                                        : MMAP_ACCESS_WRITE,
                                               0, &error);
  g_autofree guint8 *data = pattern_new (12288, 31);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) map_before = NULL;
  g_autoptr(GBytes) map_after = NULL;
  g_autofree guint8 *file_want = NULL;
  gboolean ok;

  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_seek (map, 2048, G_SEEK_SET, &error), ==,
                   2048);
  truncate_fd (file->fd, tc->keep);
  /* What is still readable: the first two pages (the second reads zeroes
   * past the end when the file ends inside it). */
  map_before = mmap_object_get_slice (map, 0, 2 * (gssize) page, 1,
                                      &error);
  if (tc->keep <= page)
    {
      g_assert_null (map_before);
      g_clear_error (&error);
      map_before = mmap_object_get_slice (map, 0, (gssize) page, 1, &error);
    }
  g_assert_no_error (error);

  switch (tc->op)
    {
    case W_WRITE:
      ok = mmap_object_write (map, data, 12288, &error) != -1;
      break;
    case W_WRITE_BYTES:
      bytes = g_bytes_new_static (data, 12288);
      ok = mmap_object_write_bytes (map, bytes, &error) != -1;
      break;
    case W_SET_SLICE_1:
      ok = mmap_object_set_slice (map, 2048, 2048 + 12288, 1, data, 12288,
                                  &error);
      break;
    case W_SET_SLICE_2:
      ok = mmap_object_set_slice (map, 2048, 2048 + 12288, 2, data, 6144,
                                  &error);
      break;
    case W_SET_SLICE_M1:
      ok = mmap_object_set_slice (map, 2047 + 12288, 2047, -1, data, 12288,
                                  &error);
      break;
    case W_SET_SLICE_M2:
      ok = mmap_object_set_slice (map, 2047 + 12288, 2047, -2, data, 6144,
                                  &error);
      break;
    case W_MOVE_FORWARD:
      /* Destination [0, 12288) is fine up to the truncation; the source
       * [2048, 14336) crosses it. */
      ok = mmap_object_move (map, 0, 2048, 12288, &error);
      break;
    case W_MOVE_BACKWARD:
      ok = mmap_object_move (map, 2048, 0, 12288, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_false (ok);
  assert_sigbus_error (error);
  g_clear_error (&error);

  assert_tell (map, 2048);
  file_want = g_memdup2 (orig, tc->keep);
  assert_fd_is (file->fd, file_want, tc->keep);
  map_after = mmap_object_get_slice (map, 0,
                                     (gssize) g_bytes_get_size (map_before),
                                     1, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (map_before, map_after));
}

/* ------------------------------------------------------------------ */
/* 6. Bad input always gets a GError                                  */

static void
assert_ebadf (MmapObject *map,
              GError     *error)
{
  g_assert_null (map);
  assert_io_errno (error, EBADF);
  g_assert_true (g_str_has_suffix (error->message,
                                   "[Errno 9] Bad file descriptor"));
}

static void
test_bad_fd (gconstpointer user_data)
{
  int fd = GPOINTER_TO_INT (user_data);
  GError *error = NULL;
  MmapObject *map;

  if (!in_subprocess ())
    return;

  map = mmap_object_new (fd, page, MMAP_ACCESS_DEFAULT, 0, &error);
  assert_ebadf (map, error);
  g_clear_error (&error);

  map = mmap_object_new (fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  assert_ebadf (map, error);
  g_clear_error (&error);

  map = mmap_object_new_full (fd, page, MMAP_MAP_SHARED,
                              MMAP_PROT_READ | MMAP_PROT_WRITE,
                              MMAP_ACCESS_DEFAULT, 0, TRUE, &error);
  assert_ebadf (map, error);
  g_clear_error (&error);

  map = mmap_object_new_full (fd, page, MMAP_MAP_PRIVATE, MMAP_PROT_READ,
                              MMAP_ACCESS_DEFAULT, 0, FALSE, &error);
  assert_ebadf (map, error);
  g_clear_error (&error);

  map = g_initable_new (MMAP_TYPE_OBJECT, NULL, &error,
                        "fd", fd, "length", (guint64) page, NULL);
  assert_ebadf (map, error);
  g_clear_error (&error);
}

static void
test_write_too_long (void)
{
  const gsize lens[] = { G_MAXSIZE, (gsize) G_MAXSSIZE + 1, G_MAXSSIZE,
                         4097 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autofree guint8 *data = pattern_new (page, 37);
  guint8 small[16] = { 0 };

  if (!in_subprocess ())
    return;

  map = mmap_object_new_anonymous (page, &error);
  g_assert_no_error (error);
  g_assert_true (mmap_object_set_slice (map, 0, G_MAXSSIZE, 1, data, page,
                                        &error));
  g_assert_cmpint (mmap_object_seek (map, 1, G_SEEK_SET, &error), ==, 1);

  for (gsize i = 0; i < G_N_ELEMENTS (lens); i++)
    {
      g_assert_cmpint (mmap_object_write (map, small, lens[i], &error), ==,
                       -1);
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
      g_clear_error (&error);
    }
  assert_tell (map, 1);
  mt_assert_map_is (map, data, page);
}

static void
test_bad_advice (gconstpointer user_data)
{
  MmapAdvice advice = (MmapAdvice) GPOINTER_TO_INT (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) file = NULL;
  g_autoptr(MmapObject) map = NULL;
  Snapshot snap = { 0 };

  if (!in_subprocess ())
    return;

  file = pattern_file (2 * page + 100, 41, NULL);
  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  snapshot_take (&snap, file->fd, map);

  g_assert_false (mmap_object_madvise (map, advice, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (mmap_object_madvise_range (map, advice, 0, 10, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (mmap_object_madvise_range (map, advice, (goffset) page,
                                             (gssize) page, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Nothing reached the kernel: every byte still reads and writes. */
  snapshot_assert_unchanged (&snap);
  g_assert_true (mmap_object_set_slice (map, 0, G_MAXSSIZE, 1, snap.map_data,
                                        snap.map_len, &error));
  g_assert_no_error (error);
  snapshot_clear (&snap);
}

/* Advice values that are members of the enum are not refused. */
static void
test_member_advice_accepted (void)
{
  const MmapAdvice members[] = {
    MMAP_ADVICE_NORMAL, MMAP_ADVICE_RANDOM, MMAP_ADVICE_SEQUENTIAL,
    MMAP_ADVICE_WILLNEED, MMAP_ADVICE_DONTDUMP, MMAP_ADVICE_DODUMP,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = mmap_object_new_anonymous (page, &error);

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    {
      g_assert_true (mmap_object_madvise (map, members[i], &error));
      g_assert_no_error (error);
    }
}

static void
test_bad_enums (void)
{
  const int whences[] = { 3, -1, 100, G_MININT };
  const MmapAccess accesses[] = { 4, -1, G_MAXINT };
  const guint flags[] = { MMAP_MAP_SHARED | 0x10, MMAP_MAP_SHARED | 0x100000,
                          MMAP_MAP_PRIVATE | 0x80000000u };
  const guint prots[] = { 0x8, 0x10, MMAP_PROT_READ | 0x1000000 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) file = NULL;
  g_autoptr(MmapObject) map = NULL;

  if (!in_subprocess ())
    return;

  file = pattern_file (page, 43, NULL);
  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_seek (map, 9, G_SEEK_SET, &error), ==, 9);

  for (gsize i = 0; i < G_N_ELEMENTS (whences); i++)
    {
      g_assert_cmpint (mmap_object_seek (map, 0, (GSeekType) whences[i],
                                         &error), ==, -1);
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      assert_tell (map, 9);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (accesses); i++)
    {
      g_assert_null (mmap_object_new (file->fd, 0, accesses[i], 0, &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      g_assert_null (mmap_object_new_full (file->fd, 0, flags[i],
                                           MMAP_PROT_READ, MMAP_ACCESS_DEFAULT,
                                           0, TRUE, &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (prots); i++)
    {
      g_assert_null (mmap_object_new_full (file->fd, 0, MMAP_MAP_SHARED,
                                           prots[i], MMAP_ACCESS_DEFAULT, 0,
                                           TRUE, &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
}

/* The offset is irrelevant for anonymous memory: it never blocks a
 * resize. */
static void
test_anon_huge_offset (gconstpointer user_data)
{
  goffset offset = *(const goffset *) user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autofree guint8 *data = pattern_new (page, 47);
  g_autofree guint8 *want = g_malloc0 (2 * page);

  map = mmap_object_new (-1, page, MMAP_ACCESS_DEFAULT, offset, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_offset (map), ==, offset);
  g_assert_true (mmap_object_set_slice (map, 0, G_MAXSSIZE, 1, data, page,
                                        &error));
  g_assert_no_error (error);

  g_assert_true (mmap_object_resize (map, 2 * page, &error));
  g_assert_no_error (error);
  memcpy (want, data, page);
  mt_assert_map_is (map, want, 2 * page);

  g_assert_true (mmap_object_resize (map, 100, &error));
  g_assert_no_error (error);
  mt_assert_map_is (map, data, 100);
}

static const goffset huge_offsets[] = {
  G_MAXINT64 - 4095,
  (goffset) 1 << 62,
};

/* A view of an empty map is an export like any other. */
static void
test_view_of_empty_map (gconstpointer user_data)
{
  gboolean file_backed = GPOINTER_TO_INT (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(MtFile) file = NULL;
  g_autoptr(MmapObject) map = NULL;
  GBytes *view;

  if (file_backed)
    {
      file = mt_file_new (NULL, 0);
      map = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
    }
  else
    map = mmap_object_new_anonymous (0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 0);

  view = mmap_object_view (map, 0, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (view);
  g_assert_cmpuint (g_bytes_get_size (view), ==, 0);
  g_assert_cmpuint (mmap_object_get_n_views (map), ==, 1);

  g_assert_false (mmap_object_resize (map, page, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_EXPORTS_EXIST);
  g_clear_error (&error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 0);
  if (file != NULL)
    g_assert_cmpint (mt_fd_size (file->fd), ==, 0);

  g_bytes_unref (view);
  g_assert_cmpuint (mmap_object_get_n_views (map), ==, 0);
  g_assert_true (mmap_object_resize (map, page, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, page);
}

static void
test_view_negative_length (void)
{
  const gssize bad[] = { -5, -2, G_MINSSIZE };
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = mmap_object_new_anonymous (page, &error);
  g_autoptr(GBytes) all = NULL;
  g_autoptr(GBytes) tail = NULL;

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    for (gsize offset = 0; offset <= 100; offset += 100)
      {
        g_assert_null (mmap_object_view (map, offset, bad[i], &error));
        g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
        g_clear_error (&error);
        g_assert_cmpuint (mmap_object_get_n_views (map), ==, 0);
      }

  all = mmap_object_view (map, 0, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (all), ==, page);
  tail = mmap_object_view (map, 100, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (tail), ==, page - 100);
  g_assert_cmpuint (mmap_object_get_n_views (map), ==, 2);
}

/* Extreme counts and offsets: each call fails with a GError where
 * CPython 3.13 raises, and gives CPython's result where it does not. */
typedef struct
{
  gssize start, stop, step;
  gsize  first, count;
} SliceCase;

typedef struct
{
  gssize start, end;
  gssize find, rfind;
} FindCase;

/* Generated with CPython 3.13 on a 4096-byte map holding (i * 7) % 256:
 * range (*slice (start, stop, step).indices (4096)), and
 * find/rfind (b"\0", start, end). */
static const SliceCase slice_cases[] = {
  { G_MAXSSIZE, G_MAXSSIZE, G_MAXSSIZE, 0, 0 },
  { G_MAXSSIZE, G_MAXSSIZE, G_MINSSIZE, 0, 0 },
  { G_MAXSSIZE, G_MAXSSIZE, -2, 0, 0 },
  { G_MAXSSIZE, G_MAXSSIZE, 3, 0, 0 },
  { G_MAXSSIZE, G_MINSSIZE, G_MAXSSIZE, 0, 0 },
  { G_MAXSSIZE, G_MINSSIZE, G_MINSSIZE, 4095, 1 },
  { G_MAXSSIZE, G_MINSSIZE, -2, 4095, 2048 },
  { G_MAXSSIZE, G_MINSSIZE, 3, 0, 0 },
  { G_MAXSSIZE, -2, G_MAXSSIZE, 0, 0 },
  { G_MAXSSIZE, -2, G_MINSSIZE, 4095, 1 },
  { G_MAXSSIZE, -2, -2, 4095, 1 },
  { G_MAXSSIZE, -2, 3, 0, 0 },
  { G_MAXSSIZE, 100, G_MAXSSIZE, 0, 0 },
  { G_MAXSSIZE, 100, G_MINSSIZE, 4095, 1 },
  { G_MAXSSIZE, 100, -2, 4095, 1998 },
  { G_MAXSSIZE, 100, 3, 0, 0 },
  { G_MINSSIZE, G_MAXSSIZE, G_MAXSSIZE, 0, 1 },
  { G_MINSSIZE, G_MAXSSIZE, G_MINSSIZE, 0, 0 },
  { G_MINSSIZE, G_MAXSSIZE, -2, 0, 0 },
  { G_MINSSIZE, G_MAXSSIZE, 3, 0, 1366 },
  { G_MINSSIZE, G_MINSSIZE, G_MAXSSIZE, 0, 0 },
  { G_MINSSIZE, G_MINSSIZE, G_MINSSIZE, 0, 0 },
  { G_MINSSIZE, G_MINSSIZE, -2, 0, 0 },
  { G_MINSSIZE, G_MINSSIZE, 3, 0, 0 },
  { G_MINSSIZE, -2, G_MAXSSIZE, 0, 1 },
  { G_MINSSIZE, -2, G_MINSSIZE, 0, 0 },
  { G_MINSSIZE, -2, -2, 0, 0 },
  { G_MINSSIZE, -2, 3, 0, 1365 },
  { G_MINSSIZE, 100, G_MAXSSIZE, 0, 1 },
  { G_MINSSIZE, 100, G_MINSSIZE, 0, 0 },
  { G_MINSSIZE, 100, -2, 0, 0 },
  { G_MINSSIZE, 100, 3, 0, 34 },
  { -2, G_MAXSSIZE, G_MAXSSIZE, 4094, 1 },
  { -2, G_MAXSSIZE, G_MINSSIZE, 0, 0 },
  { -2, G_MAXSSIZE, -2, 0, 0 },
  { -2, G_MAXSSIZE, 3, 4094, 1 },
  { -2, G_MINSSIZE, G_MAXSSIZE, 0, 0 },
  { -2, G_MINSSIZE, G_MINSSIZE, 4094, 1 },
  { -2, G_MINSSIZE, -2, 4094, 2048 },
  { -2, G_MINSSIZE, 3, 0, 0 },
  { -2, -2, G_MAXSSIZE, 0, 0 },
  { -2, -2, G_MINSSIZE, 0, 0 },
  { -2, -2, -2, 0, 0 },
  { -2, -2, 3, 0, 0 },
  { -2, 100, G_MAXSSIZE, 0, 0 },
  { -2, 100, G_MINSSIZE, 4094, 1 },
  { -2, 100, -2, 4094, 1997 },
  { -2, 100, 3, 0, 0 },
  { 100, G_MAXSSIZE, G_MAXSSIZE, 100, 1 },
  { 100, G_MAXSSIZE, G_MINSSIZE, 0, 0 },
  { 100, G_MAXSSIZE, -2, 0, 0 },
  { 100, G_MAXSSIZE, 3, 100, 1332 },
  { 100, G_MINSSIZE, G_MAXSSIZE, 0, 0 },
  { 100, G_MINSSIZE, G_MINSSIZE, 100, 1 },
  { 100, G_MINSSIZE, -2, 100, 51 },
  { 100, G_MINSSIZE, 3, 0, 0 },
  { 100, -2, G_MAXSSIZE, 100, 1 },
  { 100, -2, G_MINSSIZE, 0, 0 },
  { 100, -2, -2, 0, 0 },
  { 100, -2, 3, 100, 1332 },
  { 100, 100, G_MAXSSIZE, 0, 0 },
  { 100, 100, G_MINSSIZE, 0, 0 },
  { 100, 100, -2, 0, 0 },
  { 100, 100, 3, 0, 0 },
};

static const FindCase find_cases[] = {
  { G_MAXSSIZE, G_MAXSSIZE, -1, -1 },
  { G_MAXSSIZE, G_MINSSIZE, -1, -1 },
  { G_MAXSSIZE, -2, -1, -1 },
  { G_MAXSSIZE, 3000, -1, -1 },
  { G_MINSSIZE, G_MAXSSIZE, 0, 3840 },
  { G_MINSSIZE, G_MINSSIZE, -1, -1 },
  { G_MINSSIZE, -2, 0, 3840 },
  { G_MINSSIZE, 3000, 0, 2816 },
  { -2, G_MAXSSIZE, -1, -1 },
  { -2, G_MINSSIZE, -1, -1 },
  { -2, -2, -1, -1 },
  { -2, 3000, -1, -1 },
  { 300, G_MAXSSIZE, 512, 3840 },
  { 300, G_MINSSIZE, -1, -1 },
  { 300, -2, 512, 3840 },
  { 300, 3000, 512, 2816 },
};

static const gint64 extremes[] = { G_MAXSSIZE, G_MINSSIZE, -2 };

static MmapObject *
table_map (guint8 **data_out)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = mmap_object_new_anonymous (P, &error);
  guint8 *data = g_malloc (P);

  g_assert_no_error (error);
  for (gsize i = 0; i < P; i++)
    data[i] = (guint8) ((i * 7) % 256);
  g_assert_true (mmap_object_set_slice (map, 0, G_MAXSSIZE, 1, data, P,
                                        &error));
  g_assert_no_error (error);
  *data_out = data;
  return map;
}

/* FALSE/NULL/-1 ⇔ error set; @code -1: any error. */
static void
assert_failed_with (gboolean     failed,
                    GError     **error,
                    GQuark       domain,
                    int          code)
{
  g_assert_true (failed);
  g_assert_nonnull (*error);
  if (code >= 0)
    g_assert_error (*error, domain, code);
  g_clear_error (error);
}

static void
test_out_of_range (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  g_autoptr(MmapObject) map = table_map (&data);
  const guint8 zero = 0;

  /* read: any negative count reads the rest (CPython). */
  for (gsize i = 0; i < G_N_ELEMENTS (extremes); i++)
    {
      g_autoptr(GBytes) got = NULL;

      g_assert_cmpint (mmap_object_seek (map, 100, G_SEEK_SET, &error), ==,
                       100);
      got = mmap_object_read (map, (gssize) extremes[i], &error);
      g_assert_no_error (error);
      mt_assert_bytes_eq (got, data + 100, P - 100);
      assert_tell (map, P);
    }

  /* flush (offset, size): CPython's "flush values out of range"; only -1
   * means "the rest" here. */
  for (gsize i = 0; i < G_N_ELEMENTS (extremes); i++)
    {
      assert_failed_with (!mmap_object_flush_range (map, 0, extremes[i],
                                                    &error),
                          &error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
      assert_failed_with (!mmap_object_flush_range (map, extremes[i], 0,
                                                    &error),
                          &error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
      assert_failed_with (!mmap_object_flush_range (map, extremes[i],
                                                    extremes[i], &error),
                          &error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
    }
  assert_failed_with (!mmap_object_flush_range (map, P + 1, 0, &error),
                      &error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
  g_assert_true (mmap_object_flush_range (map, P, 0, &error));
  g_assert_no_error (error);

  /* madvise (start, length) */
  g_assert_true (mmap_object_madvise_range (map, MMAP_ADVICE_NORMAL, 0,
                                            G_MAXSSIZE, &error));
  g_assert_no_error (error);
  assert_failed_with (!mmap_object_madvise_range (map, MMAP_ADVICE_NORMAL,
                                                  100, G_MAXSSIZE, &error),
                      &error, MMAP_ERROR, MMAP_ERROR_OVERFLOW);
  for (gsize i = 0; i < G_N_ELEMENTS (extremes); i++)
    {
      if (extremes[i] != G_MAXSSIZE)
        assert_failed_with (!mmap_object_madvise_range (map,
                                                        MMAP_ADVICE_NORMAL,
                                                        0, extremes[i],
                                                        &error),
                            &error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
      assert_failed_with (!mmap_object_madvise_range (map, MMAP_ADVICE_NORMAL,
                                                      extremes[i], 1, &error),
                          &error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
    }
  assert_failed_with (!mmap_object_madvise_range (map, MMAP_ADVICE_NORMAL, P,
                                                  1, &error),
                      &error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);

  /* move (dest, src, count): CPython's ValueError for every one of these. */
  {
    const gint64 vals[] = { 0, G_MAXSSIZE, G_MINSSIZE, -2, P };

    for (gsize d = 0; d < G_N_ELEMENTS (vals); d++)
      for (gsize s = 0; s < G_N_ELEMENTS (vals); s++)
        for (gsize c = 0; c < G_N_ELEMENTS (extremes); c++)
          assert_failed_with (!mmap_object_move (map, vals[d], vals[s],
                                                 (gssize) extremes[c],
                                                 &error),
                              &error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
    g_assert_true (mmap_object_move (map, P, P, 0, &error));
    g_assert_no_error (error);
    g_assert_true (mmap_object_move (map, 0, 0, 1, &error));
    g_assert_no_error (error);
  }
  mt_assert_map_is (map, data, P);

  /* get_slice */
  for (gsize i = 0; i < G_N_ELEMENTS (slice_cases); i++)
    {
      const SliceCase *sc = &slice_cases[i];
      g_autoptr(GBytes) got = mmap_object_get_slice (map, sc->start, sc->stop,
                                                     sc->step, &error);
      g_autofree guint8 *want = g_malloc (sc->count + 1);
      gsize at = sc->first;

      g_assert_no_error (error);
      for (gsize k = 0; k < sc->count; k++)
        {
          want[k] = data[at];
          if (k + 1 < sc->count)
            at = (gsize) ((gssize) at + sc->step);
        }
      if (g_bytes_get_size (got) != sc->count)
        g_error ("slice %" G_GSSIZE_FORMAT ":%" G_GSSIZE_FORMAT ":%"
                 G_GSSIZE_FORMAT " has %" G_GSIZE_FORMAT " bytes, CPython %"
                 G_GSIZE_FORMAT, sc->start, sc->stop, sc->step,
                 g_bytes_get_size (got), sc->count);
      mt_assert_bytes_eq (got, want, sc->count);
    }
  assert_failed_with (mmap_object_get_slice (map, 0, 1, 0, &error) == NULL,
                      &error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);

  /* find / rfind */
  for (gsize i = 0; i < G_N_ELEMENTS (find_cases); i++)
    {
      const FindCase *fc = &find_cases[i];

      g_assert_cmpint (mmap_object_find_range (map, &zero, 1, fc->start,
                                               fc->end, &error), ==, fc->find);
      g_assert_no_error (error);
      g_assert_cmpint (mmap_object_rfind_range (map, &zero, 1, fc->start,
                                                fc->end, &error), ==,
                       fc->rfind);
      g_assert_no_error (error);
    }

  /* get_byte / set_byte */
  {
    const gssize bad[] = { G_MAXSSIZE, G_MINSSIZE, -P - 1, P };

    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        assert_failed_with (mmap_object_get_byte (map, bad[i], &error) == -1,
                            &error, MMAP_ERROR, MMAP_ERROR_INDEX_OUT_OF_RANGE);
        assert_failed_with (!mmap_object_set_byte (map, bad[i], 1, &error),
                            &error, MMAP_ERROR, MMAP_ERROR_INDEX_OUT_OF_RANGE);
      }
    g_assert_cmpint (mmap_object_get_byte (map, -2, &error), ==, data[P - 2]);
    g_assert_no_error (error);
  }

  /* seek: CPython's "seek out of range" leaves the position alone. */
  for (gsize i = 0; i < G_N_ELEMENTS (extremes); i++)
    for (int w = G_SEEK_CUR; w <= G_SEEK_END; w++)
      {
        GSeekType whence = w;

        g_assert_cmpint (mmap_object_seek (map, 100, G_SEEK_SET, &error), ==,
                         100);
        if (extremes[i] == -2 && whence != G_SEEK_SET)
          {
            g_assert_cmpint (mmap_object_seek (map, -2, whence, &error), ==,
                             whence == G_SEEK_CUR ? 98 : P - 2);
            g_assert_no_error (error);
            continue;
          }
        assert_failed_with (mmap_object_seek (map, extremes[i], whence,
                                              &error) == -1,
                            &error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE);
        assert_tell (map, 100);
      }

  /* resize: an error (CPython: OSError EINVAL or ValueError), nothing
   * changed. */
  {
    const gsize sizes[] = { G_MAXSIZE, (gsize) G_MAXSSIZE + 1, G_MAXSSIZE,
                            (gsize) 1 << 62 };

    for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
      assert_failed_with (!mmap_object_resize (map, sizes[i], &error),
                          &error, 0, -1);
    mt_assert_map_is (map, data, P);
  }
}

/* ------------------------------------------------------------------ */

static void
skip_other_page_size (void)
{
  g_test_skip ("these tests are written for 4096-byte pages");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  page = mmap_get_page_size ();
  /* The layouts and the CPython tables assume 4 KiB pages. */
  if (page != P)
    {
      g_test_add_func ("/Mmap/Reliability/page-size", skip_other_page_size);
      return g_test_run ();
    }

  /* 1 */
  add_advice_tests ();

  /* 2, 3 */
  for (gsize i = 0; i < G_N_ELEMENTS (grow_cases); i++)
    {
      g_autofree char *path =
        g_strdup_printf ("/Mmap/Reliability/resize/grow-after-advice/"
                         "offset-%" G_GOFFSET_FORMAT "/advice-at-%"
                         G_GOFFSET_FORMAT, grow_cases[i].offset,
                         grow_cases[i].advice_at);
      g_test_add_data_func (path, &grow_cases[i], test_grow_after_advice);
    }
  g_test_add_data_func ("/Mmap/Reliability/full-disk/rlimit-fsize/"
                        "offset-0", GSIZE_TO_POINTER (0), test_resize_efbig);
  g_test_add_data_func ("/Mmap/Reliability/full-disk/rlimit-fsize/"
                        "offset-1003", GSIZE_TO_POINTER (1003),
                        test_resize_efbig);
  g_test_add_func ("/Mmap/Reliability/resize/failure-unchanged/"
                   "enomem-keeps-longer-file", test_resize_enomem_keeps_file);
  for (gsize i = 0; i < G_N_ELEMENTS (seal_cases); i++)
    {
      g_autofree char *path =
        g_strdup_printf ("/Mmap/Reliability/resize/failure-unchanged/memfd/%s",
                         seal_cases[i].name);
      g_test_add_data_func (path, &seal_cases[i], test_resize_sealed);
    }

  /* 4 */
  for (int op = OP_READ; op <= OP_WRITE; op++)
    {
      g_autofree char *path =
        g_strdup_printf ("/Mmap/Reliability/sigbus/blocked-thread/%s",
                         thread_op_names[op]);
      g_test_add_data_func (path, GINT_TO_POINTER (op), test_blocked_thread);
    }
  g_test_add_func ("/Mmap/Reliability/sigbus/blocked-thread/"
                   "blocked-later-then-install",
                   test_blocked_later_then_install);
  g_test_add_data_func ("/Mmap/Reliability/sigbus/stray/handler/raise",
                        GINT_TO_POINTER (FALSE), test_stray_to_handler);
  g_test_add_data_func ("/Mmap/Reliability/sigbus/stray/handler/kill",
                        GINT_TO_POINTER (TRUE), test_stray_to_handler);
  g_test_add_func ("/Mmap/Reliability/sigbus/stray/ignored",
                   test_stray_ignored);
  g_test_add_func ("/Mmap/Reliability/sigbus/stray/default-kills",
                   test_stray_default_kills);
  for (int op = SRC_WRITE_BYTES; op <= SRC_SET_SLICE; op++)
    {
      g_autofree char *path =
        g_strdup_printf ("/Mmap/Reliability/sigbus/unguarded-source/%s",
                         source_op_names[op]);
      g_test_add_data_func (path, GINT_TO_POINTER (op),
                            test_unguarded_source);
    }
  g_test_add_data_func ("/Mmap/Reliability/sigbus/handler-installed-later/"
                        "install-guard", GINT_TO_POINTER (FALSE),
                        test_handler_installed_later);
  g_test_add_data_func ("/Mmap/Reliability/sigbus/handler-installed-later/"
                        "new-map-reinstalls", GINT_TO_POINTER (TRUE),
                        test_handler_installed_later);
  g_test_add_func ("/Mmap/Reliability/sigbus/install-guard/env-disabled",
                   test_guard_env_disabled);
  for (gsize i = 0; i < G_N_ELEMENTS (chain_cases); i++)
    {
      g_autofree char *path =
        g_strdup_printf ("/Mmap/Reliability/sigbus/chained-handler/%s",
                         chain_cases[i].name);
      g_test_add_data_func (path, &chain_cases[i], test_chained_handler);
    }

  /* 5 */
  for (int op = 0; op < W_N_OPS; op++)
    for (int copy = 0; copy <= 1; copy++)
      for (int mid = 0; mid <= 1; mid++)
        {
          WriteCase *tc = keep_case (g_new0 (WriteCase, 1));
          g_autofree char *path = NULL;

          tc->op = op;
          tc->copy = copy;
          tc->keep = mid ? page + 100 : page;
          path = g_strdup_printf ("/Mmap/Reliability/write-not-partial/%s/%s/"
                                  "truncated-to-%" G_GSIZE_FORMAT,
                                  copy ? "copy" : "write", write_op_names[op],
                                  tc->keep);
          g_test_add_data_func_full (path, tc, test_write_not_partial,
                                     g_free);
        }

  /* 6 */
  g_test_add_data_func ("/Mmap/Reliability/bad-input/fd/-2",
                        GINT_TO_POINTER (-2), test_bad_fd);
  g_test_add_data_func ("/Mmap/Reliability/bad-input/fd/-100",
                        GINT_TO_POINTER (-100), test_bad_fd);
  g_test_add_data_func ("/Mmap/Reliability/bad-input/fd/G_MININT",
                        GINT_TO_POINTER (G_MININT), test_bad_fd);
  g_test_add_func ("/Mmap/Reliability/bad-input/write/too-long",
                   test_write_too_long);
  {
    const int bad_advice[] = { 5, 6, 7, 26, 99, 102, 103, 1000, -1,
                               G_MAXINT, G_MININT };

    for (gsize i = 0; i < G_N_ELEMENTS (bad_advice); i++)
      {
        g_autofree char *path =
          g_strdup_printf ("/Mmap/Reliability/bad-input/madvise/not-a-member/"
                           "%d", bad_advice[i]);
        g_test_add_data_func (path, GINT_TO_POINTER (bad_advice[i]),
                              test_bad_advice);
      }
  }
  g_test_add_func ("/Mmap/Reliability/bad-input/madvise/members-accepted",
                   test_member_advice_accepted);
  g_test_add_func ("/Mmap/Reliability/bad-input/enums", test_bad_enums);
  g_test_add_data_func ("/Mmap/Reliability/bad-input/anon-offset/"
                        "2**63-4096", &huge_offsets[0],
                        test_anon_huge_offset);
  g_test_add_data_func ("/Mmap/Reliability/bad-input/anon-offset/2**62",
                        &huge_offsets[1], test_anon_huge_offset);
  g_test_add_data_func ("/Mmap/Reliability/bad-input/view/empty-map/anonymous",
                        GINT_TO_POINTER (FALSE), test_view_of_empty_map);
  g_test_add_data_func ("/Mmap/Reliability/bad-input/view/empty-map/file",
                        GINT_TO_POINTER (TRUE), test_view_of_empty_map);
  g_test_add_func ("/Mmap/Reliability/bad-input/view/negative-length",
                   test_view_negative_length);
  g_test_add_func ("/Mmap/Reliability/bad-input/out-of-range",
                   test_out_of_range);

  /* 7 */
  g_test_add_func ("/Mmap/Reliability/full-disk/tmpfs-enospc",
                   test_full_disk_tmpfs);

  return g_test_run ();
}
