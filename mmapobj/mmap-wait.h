/* mmap-wait.h: what the library does when a call must wait for another
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (MMAPOBJ_INSIDE) && !defined (MMAPOBJ_COMPILATION)
# error "Only <mmapobj/mmapobj.h> can be included directly."
#endif

#include <glib.h>

#include "mmap-version-macros.h"

G_BEGIN_DECLS

/**
 * MmapWaitFunc:
 * @user_data: the data given to [func@Mmap.set_wait_funcs]
 *
 * A function the library calls on the calling thread just before it waits
 * for another thread, or just after.
 *
 * Since: 1.0
 */
typedef void (*MmapWaitFunc) (gpointer user_data);

MMAP_AVAILABLE_IN_ALL
void mmap_set_wait_funcs (MmapWaitFunc before_wait,
                          MmapWaitFunc after_wait,
                          gpointer     user_data);

G_END_DECLS
