/* mmap-mapping.c: a reference-counted memory mapping
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The one place that calls mmap(), mremap(), munmap(), msync(),
 * madvise(), mprotect(), mlock2(), munlock() and mincore() on a map's
 * memory, ftruncate() and fallocate() on the file behind it, and that does
 * page arithmetic.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmap-guard-private.h"
#include "mmap-mapping-private.h"
#include "mmap-object.h"

struct _MmapMapping
{
  gatomicrefcount  ref_count;
  guint8          *base;   /* what munmap() gets: page-aligned; NULL if empty */
  gsize            size;   /* bytes mapped from base */
};

static inline guintptr
page_down (guintptr value)
{
  gsize page = mmap_get_page_size ();

  return value / page * page;
}

static inline guintptr
page_up (guintptr value)
{
  return page_down (value + mmap_get_page_size () - 1);
}

MmapMapping *
mmap_mapping_new (void)
{
  MmapMapping *mapping = g_new0 (MmapMapping, 1);

  g_atomic_ref_count_init (&mapping->ref_count);

  return mapping;
}

MmapMapping *
mmap_mapping_ref (MmapMapping *mapping)
{
  g_atomic_ref_count_inc (&mapping->ref_count);
  return mapping;
}

void
mmap_mapping_unref (MmapMapping *mapping)
{
  if (!g_atomic_ref_count_dec (&mapping->ref_count))
    return;

  if (mapping->base != NULL)
    munmap (mapping->base, mapping->size);
  g_free (mapping);
}

/* How many references besides the owner's exist: the live views. */
guint
mmap_mapping_n_extra (MmapMapping *mapping)
{
  return (guint) g_atomic_int_get ((gint *) &mapping->ref_count) - 1;
}

/* The start of the region (NULL for an empty map), and its size. */
guint8 *
mmap_mapping_get_base (MmapMapping *mapping)
{
  return mapping->base;
}

gsize
mmap_mapping_get_size (MmapMapping *mapping)
{
  return mapping->size;
}

static void
view_free (gpointer data)
{
  mmap_mapping_unref (data);
}

GBytes *
mmap_mapping_new_view (MmapMapping  *mapping,
                       const guint8 *data,
                       gsize         length)
{
  return g_bytes_new_with_free_func (data, length, view_free,
                                     mmap_mapping_ref (mapping));
}

static guint8 *
map_pages (const MmapMapSpec *spec,
           gsize              size,
           int               *errsv)
{
  void *base = mmap (NULL, size, spec->prot, spec->flags, spec->fd,
                     (off_t) spec->offset);

  if (base == MAP_FAILED)
    {
      *errsv = errno;
      return NULL;
    }
  return base;
}

/* Maps @size bytes into an empty mapping. Returns 0 or an errno. */
int
mmap_mapping_map (MmapMapping       *mapping,
                  const MmapMapSpec *spec,
                  gsize              size)
{
  int errsv = 0;
  guint8 *base;

  g_assert (mapping->base == NULL);

  base = map_pages (spec, size, &errsv);
  if (base == NULL)
    return errsv;
  mapping->base = base;
  mapping->size = size;
  return 0;
}

typedef struct
{
  guint8       *dst;
  const guint8 *src;
  gsize         count;
} PageCopy;

static void
run_page_copy (gpointer data)
{
  PageCopy *copy = data;

  memcpy (copy->dst, copy->src, copy->count);
}

/*
 * Grows the mapping to @new_size bytes, keeping its contents; the mapping
 * may move. mremap() refuses a range that earlier madvise() hints split
 * into several kernel areas: then the contents move to a fresh mapping, by
 * mapping the same file again (shared maps), or by copying (private maps,
 * whose changed pages exist nowhere else). Returns 0 or an errno; on
 * failure the mapping is as it was.
 */
int
mmap_mapping_grow (MmapMapping       *mapping,
                   const MmapMapSpec *spec,
                   gsize              new_size)
{
  int errsv = 0;
  guint8 *base;

  if (mapping->base == NULL)
    return mmap_mapping_map (mapping, spec, new_size);

  base = mremap (mapping->base, mapping->size, new_size, MREMAP_MAYMOVE);
  if (base != MAP_FAILED)
    {
      mapping->base = base;
      mapping->size = new_size;
      return 0;
    }

  base = map_pages (spec, new_size, &errsv);
  if (base == NULL)
    return errsv;

  if ((spec->flags & MAP_SHARED_VALIDATE) == MAP_PRIVATE)
    {
      PageCopy copy = { base, mapping->base, mapping->size };

      if (mmap_guard_run (run_page_copy, &copy, mapping->base,
                          mapping->size) != MMAP_GUARD_OK)
        {
          munmap (base, new_size);
          return EIO;
        }
    }

  if (munmap (mapping->base, mapping->size) != 0)
    {
      errsv = errno;
      munmap (base, new_size);
      return errsv;
    }
  mapping->base = base;
  mapping->size = new_size;
  return 0;
}

/*
 * Shrinks the mapping to @new_size bytes by unmapping its tail. This
 * cannot fail in a way that matters: if the kernel refuses to split its
 * area, the tail stays mapped, unused, until the mapping goes.
 */
void
mmap_mapping_shrink (MmapMapping *mapping,
                     gsize        new_size)
{
  guintptr keep_end, old_end;

  if (mapping->base == NULL || new_size >= mapping->size)
    return;

  if (new_size == 0)
    {
      if (munmap (mapping->base, mapping->size) == 0)
        {
          mapping->base = NULL;
          mapping->size = 0;
        }
      return;
    }

  keep_end = page_up ((guintptr) mapping->base + new_size);
  old_end = page_up ((guintptr) mapping->base + mapping->size);
  if (keep_end < old_end
      && munmap ((void *) keep_end, old_end - keep_end) != 0)
    return;
  mapping->size = new_size;
}

/* msync() of [from, from + length), from aligned down to its page:
 * MS_SYNC, or MS_ASYNC; with MS_INVALIDATE if asked. */
int
mmap_mapping_sync (MmapMapping *mapping,
                   gsize        from,
                   gsize        length,
                   gboolean     async,
                   gboolean     invalidate)
{
  int flags = (async ? MS_ASYNC : MS_SYNC) | (invalidate ? MS_INVALIDATE : 0);
  guintptr first = (guintptr) mapping->base + from;
  guintptr start = page_down (first);

  if (length == 0 || mapping->base == NULL)
    return 0;
  if (msync ((void *) start, first + length - start, flags) != 0)
    return errno;
  return 0;
}

/* The whole pages around [from, from + length): FALSE when empty. */
static gboolean
widen (MmapMapping *mapping,
       gsize        from,
       gsize        length,
       guintptr    *lo,
       guintptr    *hi)
{
  if (length == 0 || mapping->base == NULL)
    return FALSE;
  *lo = page_down ((guintptr) mapping->base + from);
  *hi = page_up ((guintptr) mapping->base + from + length);
  return TRUE;
}

/* The index of the page that holds byte @from, and how many pages
 * [from, from + length) touches. */
void
mmap_mapping_page_span (MmapMapping *mapping,
                        gsize        from,
                        gsize        length,
                        gsize       *first_page,
                        gsize       *n_pages)
{
  guintptr lo, hi;

  if (!widen (mapping, from, length, &lo, &hi))
    {
      *first_page = 0;
      *n_pages = 0;
      return;
    }
  *first_page = (lo - (guintptr) mapping->base) / mmap_get_page_size ();
  *n_pages = (hi - lo) / mmap_get_page_size ();
}

/* mprotect() of the whole pages around [from, from + length). */
int
mmap_mapping_protect (MmapMapping *mapping,
                      gsize        from,
                      gsize        length,
                      int          prot)
{
  guintptr lo, hi;

  if (!widen (mapping, from, length, &lo, &hi))
    return 0;
  if (mprotect ((void *) lo, hi - lo, prot) != 0)
    return errno;
  return 0;
}

/* mlock2() (with MLOCK_ONFAULT when @on_fault) or munlock() of the whole
 * pages around [from, from + length). */
int
mmap_mapping_lock (MmapMapping *mapping,
                   gsize        from,
                   gsize        length,
                   gboolean     lock,
                   gboolean     on_fault)
{
  guintptr lo, hi;
  int rc;

  if (!widen (mapping, from, length, &lo, &hi))
    return 0;
  if (!lock)
    rc = munlock ((void *) lo, hi - lo);
  else
    rc = mlock2 ((void *) lo, hi - lo, on_fault ? MLOCK_ONFAULT : 0);
  return rc != 0 ? errno : 0;
}

/* mincore() of the whole pages around [from, from + length): one byte a
 * page in @vec (mmap_mapping_page_span()'s n_pages), 1 when resident. */
int
mmap_mapping_residency (MmapMapping *mapping,
                        gsize        from,
                        gsize        length,
                        guint8      *vec)
{
  guintptr lo, hi;

  if (!widen (mapping, from, length, &lo, &hi))
    return 0;
  if (mincore ((void *) lo, hi - lo, vec) != 0)
    return errno;
  for (gsize i = 0; i < (hi - lo) / mmap_get_page_size (); i++)
    vec[i] &= 1;
  return 0;
}

/*
 * madvise() on [from, from + length), widened or narrowed to whole pages
 * as @scope says. Narrowing can leave nothing, which is not an error.
 */
int
mmap_mapping_advise (MmapMapping     *mapping,
                     gsize            from,
                     gsize            length,
                     int              advice,
                     MmapAdviseScope  scope)
{
  guintptr lo = (guintptr) mapping->base + from;
  guintptr hi = lo + length;

  if (length == 0 || mapping->base == NULL)
    return 0;

  switch (scope)
    {
    case MMAP_ADVISE_WIDEN:
      lo = page_down (lo);
      hi = page_up (hi);
      break;
    case MMAP_ADVISE_NARROW:
      lo = page_up (lo);
      hi = page_down (hi);
      break;
    case MMAP_ADVISE_NARROW_TO_END:
    default:
      lo = page_up (lo);
      hi = page_up (hi);
      break;
    }

  if (hi <= lo)
    return 0;
  if (madvise ((void *) lo, hi - lo, advice) != 0)
    return errno;
  return 0;
}

/* ftruncate(): 0 or an errno. */
int
mmap_file_truncate (int     fd,
                    goffset size)
{
  if (ftruncate (fd, (off_t) size) != 0)
    return errno;
  return 0;
}

/* Whether a failed fallocate() says the disk cannot hold the new size.
 * Other failures (no support in the file system, an fd not open for
 * writing, not a regular file) leave it to ftruncate() to decide. */
static gboolean
is_space_error (int errsv)
{
  return errsv == ENOSPC || errsv == EDQUOT || errsv == EFBIG
         || errsv == EIO || errsv == EPERM;
}

/*
 * Extends the file from old_size to new_size bytes. With @reserve, its new
 * blocks are allocated (fallocate()), so that a full disk fails here
 * rather than as SIGBUS on a later write; file systems that cannot
 * allocate get a sparse extension (ftruncate()). Returns 0 or an errno,
 * with the call that failed in @failed_call; on failure the file keeps
 * its old size.
 */
int
mmap_file_extend (int          fd,
                  gboolean     reserve,
                  goffset      old_size,
                  goffset      new_size,
                  const char **failed_call)
{
  int ret = -1, errsv = 0;

  if (reserve)
    {
      do
        ret = fallocate (fd, 0, (off_t) old_size,
                         (off_t) (new_size - old_size));
      while (ret != 0 && errno == EINTR);
      errsv = ret != 0 ? errno : 0;
    }

  if (ret == 0)
    return 0;

  if (is_space_error (errsv))
    {
      struct stat st;

      /* Only if it moved the end: truncating to the same size would zero
       * the bytes past the end of the file in its last page. Should this
       * fail too, nothing more can be undone: the error reported stays
       * the fallocate() one, which caused it. */
      if (fstat (fd, &st) == 0 && st.st_size != old_size)
        {
          int undone G_GNUC_UNUSED = ftruncate (fd, (off_t) old_size);
        }
      *failed_call = "fallocate";
      return errsv;
    }

  *failed_call = "ftruncate";
  return mmap_file_truncate (fd, new_size);
}
