/* mmap-access.c: guarded access to a map's memory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include "mmap-access-private.h"
#include "mmap-error-private.h"
#include "mmap-guard-private.h"
#include "mmap-search-private.h"

typedef struct
{
  guint8       *dst;
  const guint8 *src;
  gsize         count;
  gssize        dst_step;
  gssize        src_step;
  gboolean      probe;
} CopyJob;

/* The highest address of count bytes from p, stepping by step. */
static inline const guint8 *
last_touched (const guint8 *p,
              gssize        step,
              gsize         count)
{
  return step > 0 ? p + (gssize) (count - 1) * step : p;
}

static void
run_copy (gpointer data)
{
  CopyJob *job = data;

  /* A truncation removes a suffix of the file: if any page is gone, the
   * last one is. Touching the highest byte of both sides first (the
   * destination with an atomic no-op write) makes that fault come before
   * any byte is stored. */
  if (job->probe)
    {
      guint8 *dst_last = (guint8 *) last_touched (job->dst, job->dst_step,
                                                  job->count);

      (void) *(volatile const guint8 *) last_touched (job->src, job->src_step,
                                                      job->count);
      __atomic_fetch_or (dst_last, 0, __ATOMIC_RELAXED);
    }

  if (job->dst_step == 1 && job->src_step == 1)
    memmove (job->dst, job->src, job->count);
  else
    for (gsize i = 0; i < job->count; i++)
      job->dst[(gssize) i * job->dst_step] = job->src[(gssize) i * job->src_step];
}

typedef struct
{
  const guint8 *data;
  gsize         start;
  gsize         end;
  const guint8 *needle;
  gsize         needle_len;
  gboolean      reverse;
  gssize        result;
} FindJob;

static void
run_find (gpointer data)
{
  FindJob *job = data;
  gsize len = job->end - job->start;
  const guint8 *lo;
  gssize hit;

  job->result = -1;
  if (len < job->needle_len)
    return;   /* also every search of an empty map */
  lo = job->data + job->start;
  hit = job->reverse
        ? mmap_search_backward (lo, len, job->needle, job->needle_len)
        : mmap_search_forward (lo, len, job->needle, job->needle_len);
  job->result = hit >= 0 ? hit + (gssize) job->start : -1;
}

typedef struct
{
  const guint8 *start;
  gsize         len;
  gsize         result;
} LineJob;

static void
run_line_length (gpointer data)
{
  LineJob *job = data;
  const guint8 *nl = memchr (job->start, '\n', job->len);

  job->result = nl != NULL ? (gsize) (nl - job->start) + 1 : job->len;
}

/* The error for a fault that stopped an access: FALSE. */
gboolean
mmap_access_report_fault (const char       *op,
                          MmapGuardResult   where,
                          GError          **error)
{
  if (where == MMAP_GUARD_FAULT_REGION)
    return mmap_set_error_from_errno (error, EIO,
                                      "%s: the map's memory cannot be "
                                      "accessed (SIGBUS: the file was "
                                      "truncated under the map, or its "
                                      "I/O failed)", op);
  return mmap_set_error_from_errno (error, EIO,
                                    "%s: the data given cannot be read "
                                    "(SIGBUS: it is mapped memory whose "
                                    "file was truncated, or its I/O "
                                    "failed)", op);
}

/* Runs @func (@job) under the guard, for this unit's scans and for the
 * units that scan the map in their own way (mmap-bulk.c): FALSE with the
 * EIO error after a fault. */
gboolean
mmap_access_run (MmapObject     *self,
                 const char     *op,
                 MmapGuardFunc   func,
                 gpointer        job,
                 GError        **error)
{
  MmapGuardResult where;

  where = mmap_guard_run (func, job, mmap_mapping_get_base (self->mapping),
                          mmap_mapping_get_size (self->mapping));
  return G_LIKELY (where == MMAP_GUARD_OK)
         || mmap_access_report_fault (op, where, error);
}

static gboolean
overlap (const guint8 *a,
         const guint8 *b,
         gsize         n)
{
  return (guintptr) a < (guintptr) b + n && (guintptr) b < (guintptr) a + n;
}

/* Copies count bytes with the given steps under the guard. A store into
 * the map asks to probe: the last byte of both sides is touched first, so
 * that a write over a file truncated before the call fails without
 * storing anything. */
gboolean
mmap_access_copy (MmapObject    *self,
                  const char    *op,
                  guint8        *dst,
                  gssize         dst_step,
                  const guint8  *src,
                  gssize         src_step,
                  gsize          count,
                  gboolean       probe,
                  GError       **error)
{
  CopyJob job = { dst, src, count, dst_step, src_step, probe };

  if (count == 0)
    return TRUE;
  if (dst_step == 1 && src_step == 1 && !overlap (dst, src, count))
    {
      MmapGuardResult where;

      where = mmap_guard_copy (dst, src, count, probe,
                               mmap_mapping_get_base (self->mapping),
                               mmap_mapping_get_size (self->mapping));
      return G_LIKELY (where == MMAP_GUARD_OK)
             || mmap_access_report_fault (op, where, error);
    }
  return mmap_access_run (self, op, run_copy, &job, error);
}

/* A GBytes copy of count bytes from src (stepping by step), or NULL with
 * error set. */
GBytes *
mmap_access_dup (MmapObject    *self,
                 const char    *op,
                 const guint8  *src,
                 gssize         step,
                 gsize          count,
                 GError       **error)
{
  guint8 *out;

  if (count == 0)
    return g_bytes_new (NULL, 0);

  out = g_malloc (count);
  if (!mmap_access_copy (self, op, out, 1, src, step, count, FALSE, error))
    {
      g_free (out);
      return NULL;
    }
  return g_bytes_new_take (out, count);
}

/* Finds needle in [start, end) of the map: its index, -1, or -2 with
 * error set. */
gssize
mmap_access_find (MmapObject    *self,
                  const char    *op,
                  const guint8  *needle,
                  gsize          needle_len,
                  gsize          start,
                  gsize          end,
                  gboolean       reverse,
                  GError       **error)
{
  FindJob job = { self->data, start, end, needle, needle_len, reverse, -1 };

  if (end < start)
    return -1;
  if (needle_len == 0)
    return (gssize) (reverse ? end : start);
  if (!mmap_access_run (self, op, run_find, &job, error))
    return -2;
  return job.result;
}

/* The length of the line that starts at byte @from, its newline included
 * (or the rest of the map). (Looking in a copy, a guarded chunk at a time,
 * measured slower than one sigsetjmp frame around memchr() even for
 * 80-byte lines.) */
gboolean
mmap_access_line_length (MmapObject    *self,
                         const char    *op,
                         gsize          from,
                         gsize         *out_length,
                         GError       **error)
{
  LineJob job = { mmap_object_at (self, from),
                  from < self->length ? self->length - from : 0, 0 };

  if (job.len != 0)
    {
      if (!mmap_object_may_fault (self))
        run_line_length (&job);
      else if (!mmap_access_run (self, op, run_line_length, &job, error))
        return FALSE;
    }
  *out_length = job.result;
  return TRUE;
}
