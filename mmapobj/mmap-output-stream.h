/* mmap-output-stream.h: a GOutputStream into a range of a map
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (MMAPOBJ_INSIDE) && !defined (MMAPOBJ_COMPILATION)
# error "Only <mmapobj/mmapobj.h> can be included directly."
#endif

#include <gio/gio.h>

#include "mmap-object.h"
#include "mmap-version-macros.h"

G_BEGIN_DECLS

#define MMAP_TYPE_OUTPUT_STREAM (mmap_output_stream_get_type ())

MMAP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MmapOutputStream, mmap_output_stream, MMAP,
                      OUTPUT_STREAM, GOutputStream)

MMAP_AVAILABLE_IN_ALL
MmapOutputStream *mmap_object_open_output_stream (MmapObject  *self,
                                                  gsize        offset,
                                                  gssize       length,
                                                  GError     **error);

G_END_DECLS
