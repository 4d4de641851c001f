/* mmap-guard-private.h: memory access that survives SIGBUS
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*MmapGuardFunc) (gpointer data);

/* Where a guarded access faulted. */
typedef enum
{
  MMAP_GUARD_OK,            /* no fault */
  MMAP_GUARD_FAULT_REGION,  /* inside the region given to mmap_guard_run() */
  MMAP_GUARD_FAULT_OTHER,   /* elsewhere: memory the caller passed in */
} MmapGuardResult;

MmapGuardResult mmap_guard_run (MmapGuardFunc  func,
                                gpointer       data,
                                const void    *region,
                                gsize          region_size);

G_END_DECLS
