/* mmap-guard.h: the SIGBUS guard
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

MMAP_AVAILABLE_IN_ALL
gboolean mmap_install_sigbus_guard (void);

G_END_DECLS
