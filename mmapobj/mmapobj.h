/* mmapobj.h: the umbrella header of libmmapobj
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define MMAPOBJ_INSIDE
# include "mmap-version-macros.h"
# include "mmap-version.h"
# include "mmap-enums.h"
# include "mmap-enum-types.h"
# include "mmap-error.h"
# include "mmap-guard.h"
# include "mmap-input-stream.h"
# include "mmap-object.h"
# include "mmap-output-stream.h"
# include "mmap-wait.h"
#undef MMAPOBJ_INSIDE
