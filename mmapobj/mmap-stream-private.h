/* mmap-stream-private.h: what the input and output streams share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mmap-input-stream.h"
#include "mmap-output-stream.h"

G_BEGIN_DECLS

/* Each stream covers a window [offset, offset + length) of a map and has
 * a position of its own in it, from 0 to length. Operations on a stream
 * do not overlap (GIO's pending flag), so the position needs no lock. */
typedef struct
{
  gsize    length;
  goffset  pos;
} MmapStreamWindow;

MmapStreamWindow *mmap_input_stream_get_window  (MmapInputStream  *self);
MmapStreamWindow *mmap_output_stream_get_window (MmapOutputStream *self);

/* mmap-stream.c: GSeekable for both kinds of stream, on their window;
 * and the source of a pollable stream that is always ready. */
void     mmap_stream_seekable_iface_init  (GSeekableIface  *iface);
GSource *mmap_stream_create_ready_source  (gpointer         pollable,
                                           GCancellable    *cancellable);

G_END_DECLS
