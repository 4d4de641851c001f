/* mmap-guard-private.h: memory access that survives SIGBUS
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*MmapGuardFunc) (gpointer data);

void     mmap_guard_install (void);
gboolean mmap_guard_run     (MmapGuardFunc  func,
                             gpointer       data,
                             const void    *region,
                             gsize          region_size);

G_END_DECLS
