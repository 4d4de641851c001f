/* mmap-mapping-private.h: a reference-counted memory mapping
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * One mmap(2) region. MmapObject holds one reference while open, and every
 * zero-copy view (a GBytes) holds another, so the region is unmapped only
 * when the object is closed and the last view is gone.
 */
typedef struct _MmapMapping
{
  gatomicrefcount  ref_count;
  guint8          *base;   /* what munmap() gets: page-aligned */
  gsize            size;   /* bytes mapped from base */
} MmapMapping;

MmapMapping *mmap_mapping_new       (guint8      *base,
                                     gsize        size);
MmapMapping *mmap_mapping_ref       (MmapMapping *mapping);
void         mmap_mapping_unref     (MmapMapping *mapping);
guint        mmap_mapping_n_extra   (MmapMapping *mapping);
GBytes      *mmap_mapping_new_view  (MmapMapping *mapping,
                                     const guint8 *data,
                                     gsize        length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MmapMapping, mmap_mapping_unref)

G_END_DECLS
