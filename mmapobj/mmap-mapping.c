/* mmap-mapping.c: a reference-counted memory mapping
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <sys/mman.h>

#include "mmap-mapping-private.h"

MmapMapping *
mmap_mapping_new (guint8 *base,
                  gsize   size)
{
  MmapMapping *mapping = g_new0 (MmapMapping, 1);

  g_atomic_ref_count_init (&mapping->ref_count);
  mapping->base = base;
  mapping->size = size;

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
