/* mmap-input-stream.h: a GInputStream over a range of a map
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

#define MMAP_TYPE_INPUT_STREAM (mmap_input_stream_get_type ())

MMAP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MmapInputStream, mmap_input_stream, MMAP, INPUT_STREAM,
                      GInputStream)

MMAP_AVAILABLE_IN_ALL
MmapInputStream *mmap_object_open_input_stream (MmapObject       *self,
                                                gsize             offset,
                                                gssize            length,
                                                GError          **error);

MMAP_AVAILABLE_IN_ALL
GBytes          *mmap_input_stream_read_bytes  (MmapInputStream  *self,
                                                gsize             count,
                                                GCancellable     *cancellable,
                                                GError          **error);

G_END_DECLS
