/* mmap-access-private.h: guarded access to a map's memory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every touch of mapped memory, and of memory the caller passes in, goes
 * through these, so that a file truncated under the map gives an EIO
 * error instead of SIGBUS. The caller is inside one of the object's
 * scopes (mmap-object-private.h), so the mapping does not change under it.
 */

#pragma once

#include "mmap-guard-private.h"
#include "mmap-object-private.h"

G_BEGIN_DECLS

gboolean  mmap_access_copy         (MmapObject    *self,
                                    const char    *op,
                                    guint8        *dst,
                                    gssize         dst_step,
                                    const guint8  *src,
                                    gssize         src_step,
                                    gsize          count,
                                    gboolean       probe,
                                    GError       **error);
GBytes   *mmap_access_dup          (MmapObject    *self,
                                    const char    *op,
                                    const guint8  *src,
                                    gssize         step,
                                    gsize          count,
                                    GError       **error);
gssize    mmap_access_find         (MmapObject    *self,
                                    const char    *op,
                                    const guint8  *needle,
                                    gsize          needle_len,
                                    gsize          start,
                                    gsize          end,
                                    gboolean       reverse,
                                    GError       **error);
gboolean  mmap_access_line_length  (MmapObject    *self,
                                    const char    *op,
                                    gsize          from,
                                    gsize         *out_length,
                                    GError       **error);
gboolean  mmap_access_run          (MmapObject    *self,
                                    const char    *op,
                                    MmapGuardFunc  func,
                                    gpointer       job,
                                    GError       **error);

gboolean  mmap_access_report_fault (const char       *op,
                                    MmapGuardResult   where,
                                    GError          **error);

/* The byte at @offset of the map (0–255), or -1 with error set. */
static inline gint
mmap_access_get_byte (MmapObject  *self,
                      const char  *op,
                      gsize        offset,
                      GError     **error)
{
  const guint8 *p = self->data + offset;
  int byte;

  if (!mmap_object_may_fault (self))
    return *p;
  byte = mmap_guard_load_byte (p);
  if (G_UNLIKELY (byte < 0))
    mmap_access_report_fault (op, MMAP_GUARD_FAULT_REGION, error);
  return byte;
}

/* Stores @value at @offset of the map; FALSE with error set. */
static inline gboolean
mmap_access_set_byte (MmapObject  *self,
                      const char  *op,
                      gsize        offset,
                      guint8       value,
                      GError     **error)
{
  guint8 *p = self->data + offset;

  if (!mmap_object_may_fault (self))
    {
      *p = value;
      return TRUE;
    }
  return G_LIKELY (mmap_guard_store_byte (p, value))
         || mmap_access_report_fault (op, MMAP_GUARD_FAULT_REGION, error);
}

G_END_DECLS
