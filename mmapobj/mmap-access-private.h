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

G_END_DECLS
