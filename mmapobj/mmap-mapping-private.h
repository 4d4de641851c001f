/* mmap-mapping-private.h: a reference-counted memory mapping
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * One mmap(2) region, or none (an empty map). MmapObject holds one
 * reference while open, and every zero-copy view (a GBytes) holds another,
 * so the region is unmapped only when the object is closed and the last
 * view is gone; and a view of an empty map still counts as an export.
 *
 * This unit owns the system calls on the region (mmap, mremap, munmap,
 * msync, madvise, mprotect, mlock2, munlock, mincore), on the size of the file behind it (ftruncate,
 * fallocate) and the page arithmetic: callers give offsets and lengths
 * relative to the start of the region, and get errno values back. A port
 * to another system changes this unit.
 */
typedef struct _MmapMapping MmapMapping;

/* What mmap(2) gets, besides the size. */
typedef struct
{
  int      prot;
  int      flags;
  int      fd;       /* -1 for anonymous memory */
  goffset  offset;   /* page-aligned */
} MmapMapSpec;

/* How madvise() treats the partial pages at the ends of its range. */
typedef enum
{
  MMAP_ADVISE_WIDEN,          /* hints: whole pages around the range */
  MMAP_ADVISE_NARROW,         /* discarding: whole pages inside it only */
  MMAP_ADVISE_NARROW_TO_END,  /* discarding, and nothing follows the range:
                                 its last partial page counts as whole */
} MmapAdviseScope;

MmapMapping *mmap_mapping_new       (void);
MmapMapping *mmap_mapping_ref       (MmapMapping        *mapping);
void         mmap_mapping_unref     (MmapMapping        *mapping);
guint        mmap_mapping_n_extra   (MmapMapping        *mapping);
guint8      *mmap_mapping_get_base  (MmapMapping        *mapping);
gsize        mmap_mapping_get_size  (MmapMapping        *mapping);
GBytes      *mmap_mapping_new_view  (MmapMapping        *mapping,
                                     const guint8       *data,
                                     gsize               length);

int          mmap_mapping_map       (MmapMapping        *mapping,
                                     const MmapMapSpec  *spec,
                                     gsize               size);
int          mmap_mapping_grow      (MmapMapping        *mapping,
                                     const MmapMapSpec  *spec,
                                     gsize               new_size);
void         mmap_mapping_shrink    (MmapMapping        *mapping,
                                     gsize               new_size);
int          mmap_mapping_sync      (MmapMapping        *mapping,
                                     gsize               from,
                                     gsize               length,
                                     gboolean            async,
                                     gboolean            invalidate);
void         mmap_mapping_page_span (MmapMapping        *mapping,
                                     gsize               from,
                                     gsize               length,
                                     gsize              *first_page,
                                     gsize              *n_pages);
int          mmap_mapping_protect   (MmapMapping        *mapping,
                                     gsize               from,
                                     gsize               length,
                                     int                 prot);
int          mmap_mapping_lock      (MmapMapping        *mapping,
                                     gsize               from,
                                     gsize               length,
                                     gboolean            lock,
                                     gboolean            on_fault);
int          mmap_mapping_residency (MmapMapping        *mapping,
                                     gsize               from,
                                     gsize               length,
                                     guint8             *vec);
int          mmap_mapping_advise    (MmapMapping        *mapping,
                                     gsize               from,
                                     gsize               length,
                                     int                 advice,
                                     MmapAdviseScope     scope);

int          mmap_file_truncate     (int                 fd,
                                     goffset             size);
int          mmap_file_extend       (int                 fd,
                                     gboolean            reserve,
                                     goffset             old_size,
                                     goffset             new_size,
                                     const char        **failed_call);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MmapMapping, mmap_mapping_unref)

G_END_DECLS
