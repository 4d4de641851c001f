/* mmap-version-macros.h: symbol visibility for libmmapobj
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (MMAPOBJ_INSIDE) && !defined (MMAPOBJ_COMPILATION)
# error "Only <mmapobj/mmapobj.h> can be included directly."
#endif

#if defined (MMAPOBJ_COMPILATION) && defined (__GNUC__)
# define _MMAP_EXTERN __attribute__((visibility ("default"))) extern
#else
# define _MMAP_EXTERN extern
#endif

#define MMAP_AVAILABLE_IN_ALL _MMAP_EXTERN
#define MMAP_AVAILABLE_IN_1_0 _MMAP_EXTERN
