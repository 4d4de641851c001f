/* mmap-bulk.c: find_all, count and line_offsets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One call for every match or every line of a range, so that a binding
 * pays for one call instead of one per match: from gjs or Python a call
 * costs hundreds of nanoseconds, memchr() a few per match.
 *
 * The scan runs under the SIGBUS guard (mmap_access_run()), a batch of
 * offsets at a time: each guarded pass fills the room left in the array
 * and returns, and the array grows outside the guard, so that a fault,
 * which abandons a pass at any read, never leaves an allocation half
 * done. The offsets found before a fault are dropped with the array.
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include "mmap-access-private.h"
#include "mmap-error-private.h"
#include "mmap-object-private.h"
#include "mmap-search-private.h"
#include "mmap-slice-private.h"

/* The first batch of offsets; each next one doubles the array. */
#define FIRST_BATCH 64

typedef struct
{
  const guint8 *data;        /* the map's first byte */
  gsize         pos;         /* where the next pass resumes */
  gsize         end;         /* where matches must end */
  const guint8 *needle;
  gsize         needle_len;  /* >= 1 */
  gsize         shift;       /* added to each match's offset */
  goffset      *offsets;     /* NULL: count only */
  gsize         n;           /* matches so far */
  gsize         limit;       /* a pass stops when n reaches it */
} ScanJob;

/* Finds non-overlapping matches from job->pos until job->n reaches
 * job->limit or the range ends; job->pos is past the range then. */
static void
run_scan (gpointer data)
{
  ScanJob *job = data;
  gsize pos = job->pos;
  gsize n = job->n;

  while (n < job->limit && job->end - pos >= job->needle_len)
    {
      gssize hit = mmap_search_forward (job->data + pos, job->end - pos,
                                        job->needle, job->needle_len);

      if (hit < 0)
        {
          pos = job->end;
          break;
        }
      pos += (gsize) hit;
      if (job->offsets != NULL)
        job->offsets[n] = (goffset) (pos + job->shift);
      n++;
      pos += job->needle_len;
    }
  if (job->end - pos < job->needle_len)
    pos = job->end;
  job->pos = pos;
  job->n = n;
}

/* Makes room for @capacity offsets: a result of millions of offsets is
 * the caller's choice, and running out of memory for it is an error
 * (ENOMEM), not an abort. Frees the array on failure. */
static gboolean
grow (goffset    **offsets,
      gsize        capacity,
      const char  *op,
      GError     **error)
{
  goffset *larger = g_try_renew (goffset, *offsets, capacity);

  if (larger != NULL)
    {
      *offsets = larger;
      return TRUE;
    }
  g_clear_pointer (offsets, g_free);
  return mmap_set_error_from_errno (error, ENOMEM, "%s: no memory for %"
                                    G_GSIZE_FORMAT " offsets", op, capacity);
}

/* Runs the scan over the whole range, in guarded passes. With offsets, the
 * array holds job->n of them on return and has room for at least one more
 * (no g_malloc (0) NULL for an empty result); at most @max of them (up to
 * G_MAXSIZE). FALSE with error set, everything freed, on a fault. */
static gboolean
scan (MmapObject  *self,
      const char  *op,
      ScanJob     *job,
      gboolean     collect,
      gsize        max,
      GError     **error)
{
  gsize capacity = 0;

  if (collect)
    {
      capacity = MAX (job->n + 1, MIN (max, FIRST_BATCH));
      if (!grow (&job->offsets, capacity, op, error))
        return FALSE;
    }

  while (job->n < max && job->pos < job->end)
    {
      job->limit = collect ? MIN (capacity, max) : max;
      if (!mmap_access_run (self, op, run_scan, job, error))
        {
          g_clear_pointer (&job->offsets, g_free);
          return FALSE;
        }
      if (collect && job->n == capacity && job->n < max)
        {
          capacity = capacity > max / 2 ? max : capacity * 2;
          if (!grow (&job->offsets, capacity, op, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* The offsets an empty needle has in [start, end]: every one of them;
 * NULL with error set when they do not fit in memory. */
static goffset *
every_offset (const char  *op,
              gsize        start,
              gsize        end,
              gsize        max,
              gsize       *n_offsets,
              GError     **error)
{
  gsize n = end >= start ? MIN (end - start + 1, max) : 0;
  goffset *offsets = NULL;

  if (!grow (&offsets, MAX (n, 1), op, error))
    return NULL;
  for (gsize i = 0; i < n; i++)
    offsets[i] = (goffset) (start + i);
  *n_offsets = n;
  return offsets;
}

static gsize
max_from (gssize max_count)
{
  return max_count < 0 ? G_MAXSIZE : (gsize) max_count;
}

/**
 * mmap_object_find_all:
 * @self: a map
 * @needle: (array length=needle_len) (nullable): the bytes to look for
 * @needle_len: the length of @needle
 * @start: where the search starts; negative values count from the end
 * @end: where the search ends (exclusive); negative values count from the
 *   end, and %G_MAXSSIZE means the end of the map
 * @max_count: the most offsets to return; -1 (any negative value) for all
 * @n_offsets: (out): return location for the number of offsets
 * @error: return location for a #GError
 *
 * Finds every non-overlapping occurrence of @needle that lies entirely
 * within [@start, @end), left to right, as Python's
 * `re.finditer(re.escape(sub))` does: `aa` occurs in `aaaa` at 0 and 2.
 * The bounds are clamped as [method@Mmap.Object.find_range] clamps them.
 * An empty needle occurs at every offset from the clamped @start to the
 * clamped @end, both included (none when @end lies before @start).
 *
 * The whole search is one call: from a binding this costs much less than
 * calling [method@Mmap.Object.find_range] once for each match. The
 * position is unchanged.
 *
 * Returns: (array length=n_offsets) (transfer full): the offsets of the
 *   matches, the first @max_count of them when @max_count is not negative
 *   (an empty array, not %NULL, when there are none), or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
goffset *
mmap_object_find_all (MmapObject    *self,
                      const guint8  *needle,
                      gsize          needle_len,
                      gssize         start,
                      gssize         end,
                      gssize         max_count,
                      gsize         *n_offsets,
                      GError       **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), NULL);
  g_return_val_if_fail (needle != NULL || needle_len == 0, NULL);
  g_return_val_if_fail (n_offsets != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  *n_offsets = 0;

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);
    gsize from, to;
    ScanJob job = { 0 };

    if (!mmap_object_check_readable (self, "find_all", error))
      return NULL;
    from = mmap_slice_clamp_bound (start, self->length);
    to = mmap_slice_clamp_bound (end, self->length);
    if (needle_len == 0)
      return every_offset ("find_all", from, to, max_from (max_count),
                           n_offsets, error);

    job.data = self->data;
    job.pos = from;
    job.end = MAX (from, to);
    job.needle = needle;
    job.needle_len = needle_len;
    if (!scan (self, "find_all", &job, TRUE, max_from (max_count), error))
      return NULL;
    *n_offsets = job.n;
    return job.offsets;
  }
}

/**
 * mmap_object_count:
 * @self: a map
 * @needle: (array length=needle_len) (nullable): the bytes to count
 * @needle_len: the length of @needle
 * @start: where the search starts; negative values count from the end
 * @end: where the search ends (exclusive); negative values count from the
 *   end, and %G_MAXSSIZE means the end of the map
 * @error: return location for a #GError
 *
 * Counts the non-overlapping occurrences of @needle within
 * [@start, @end): Python's `bytes.count(sub, start, end)` over the map,
 * and the number of offsets [method@Mmap.Object.find_all] returns. The
 * bounds are clamped as [method@Mmap.Object.find_range] clamps them; an
 * empty needle occurs at every offset from the clamped @start to the
 * clamped @end, both included. The position is unchanged.
 *
 * Returns: the number of occurrences, or -1 with @error set
 *
 * Since: 1.0
 */
gssize
mmap_object_count (MmapObject    *self,
                   const guint8  *needle,
                   gsize          needle_len,
                   gssize         start,
                   gssize         end,
                   GError       **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -1);
  g_return_val_if_fail (needle != NULL || needle_len == 0, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);
    gsize from, to;
    ScanJob job = { 0 };

    if (!mmap_object_check_readable (self, "count", error))
      return -1;
    from = mmap_slice_clamp_bound (start, self->length);
    to = mmap_slice_clamp_bound (end, self->length);
    if (needle_len == 0)
      return to >= from ? (gssize) (to - from + 1) : 0;

    job.data = self->data;
    job.pos = from;
    job.end = MAX (from, to);
    job.needle = needle;
    job.needle_len = needle_len;
    if (!scan (self, "count", &job, FALSE, G_MAXSIZE, error))
      return -1;
    return (gssize) job.n;
  }
}

/**
 * mmap_object_line_offsets:
 * @self: a map
 * @start: where the first line starts; negative values count from the end
 * @end: where the range ends (exclusive); negative values count from the
 *   end, and %G_MAXSSIZE means the end of the map
 * @max_count: the most offsets to return; -1 (any negative value) for all
 * @n_offsets: (out): return location for the number of offsets
 * @error: return location for a #GError
 *
 * The offset of every line that starts in [@start, @end): @start itself,
 * when the range is not empty, and the offset after each `\n` of the range
 * that is not its last byte. `"a\nb\n"` and `"a\nb"` both give 0 and 2;
 * an empty range gives none. The bounds are clamped as
 * [method@Mmap.Object.find_range] clamps them.
 *
 * With these, a script indexes the lines of a file in one call, then
 * reads any line as a slice between two offsets. The position is
 * unchanged.
 *
 * Returns: (array length=n_offsets) (transfer full): the offsets of the
 *   lines, the first @max_count of them when @max_count is not negative
 *   (an empty array, not %NULL, when there are none), or %NULL with
 *   @error set
 *
 * Since: 1.0
 */
goffset *
mmap_object_line_offsets (MmapObject    *self,
                          gssize         start,
                          gssize         end,
                          gssize         max_count,
                          gsize         *n_offsets,
                          GError       **error)
{
  static const guint8 newline = '\n';

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), NULL);
  g_return_val_if_fail (n_offsets != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  *n_offsets = 0;

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);
    gsize from, to, max = max_from (max_count);
    ScanJob job = { 0 };

    if (!mmap_object_check_readable (self, "line_offsets", error))
      return NULL;
    from = mmap_slice_clamp_bound (start, self->length);
    to = mmap_slice_clamp_bound (end, self->length);

    /* The first line starts at @start; each next one after a newline
     * before the last byte: the newlines of [from, to - 1), shifted. */
    if (!grow (&job.offsets, 1, "line_offsets", error))
      return NULL;
    if (from < to && max > 0)
      job.offsets[job.n++] = (goffset) from;
    job.data = self->data;
    job.pos = from;
    job.end = from < to ? to - 1 : from;
    job.needle = &newline;
    job.needle_len = 1;
    job.shift = 1;
    if (!scan (self, "line_offsets", &job, TRUE, max, error))
      return NULL;
    *n_offsets = job.n;
    return job.offsets;
  }
}
