/* mmap-readers-private.h: readers that never wait for each other
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A gate on an object's state. Readers pass it without taking a lock and
 * without writing anything another thread writes: each thread announces
 * the gate it is inside in a slot of its own, then checks that the gate is
 * open. A writer (holding the object's mutex) closes the gate and waits
 * until no thread's slot names it; from then until it opens the gate again
 * it may change the state, and no reader is looking. A reader that finds
 * the gate closed takes the object's mutex instead, which orders it after
 * the writer.
 *
 * The reader's check needs a store-load fence. Where the kernel offers
 * membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), the writer issues it for
 * every thread and readers need only a compiler barrier; otherwise (and
 * under ThreadSanitizer, which does not model membarrier) both sides use
 * sequentially consistent atomics.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint closed;   /* atomic: writers set it while changing the state */
} MmapReaders;

void     mmap_readers_init   (void);
gboolean mmap_readers_enter  (MmapReaders *gate);
void     mmap_readers_leave  (void);
void     mmap_readers_block  (MmapReaders *gate);
void     mmap_readers_open   (MmapReaders *gate);

G_END_DECLS
