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
  gint     closed;   /* atomic: writers set it while changing the state */
  gpointer owner;    /* atomic: see below */
} MmapReaders;

/* MmapReaders.owner: NULL until a thread first passes the gate without a
 * fence; then that thread's slot; MMAP_READERS_MANY once a second thread
 * has. While it names no thread but the writer's own, no other thread can
 * be inside without having fenced, so the writer needs no membarrier():
 * the common case of one thread that reads and writes pays no system
 * call. */
#define MMAP_READERS_MANY ((gpointer) 1)

/* A thread's slot: the gate it is inside, or NULL. */
typedef struct _MmapReadersSlot MmapReadersSlot;

struct _MmapReadersSlot
{
  MmapReaders     *inside;   /* atomic */
  gint             taken;    /* atomic: a live thread owns the slot */
  MmapReadersSlot *next;     /* set before the slot is published, then fixed */
} __attribute__ ((aligned (64)));

extern __thread MmapReadersSlot *mmap_readers_my_slot
  __attribute__ ((tls_model ("initial-exec")));
extern gint mmap_readers_asymmetric;

void     mmap_readers_init        (void);
void     mmap_readers_lock        (GMutex      *mutex);
gboolean mmap_readers_enter_slow  (MmapReaders *gate);
void     mmap_readers_block       (MmapReaders *gate);
void     mmap_readers_open        (MmapReaders *gate);
/* In a fork child: the parent's other threads are gone, and so must be
 * their passes through any gate. */
void     mmap_readers_forget_other_threads (void);

/* Enters @gate the fast way if this thread may: TRUE if it is inside. */
static inline gboolean
mmap_readers_try_enter (MmapReaders *gate)
{
  MmapReadersSlot *slot = mmap_readers_my_slot;
  gpointer owner = __atomic_load_n (&gate->owner, __ATOMIC_RELAXED);

  if (G_LIKELY (slot != NULL && slot->inside == NULL
                && (owner == slot || owner == MMAP_READERS_MANY)
                && __atomic_load_n (&mmap_readers_asymmetric,
                                    __ATOMIC_RELAXED)))
    {
      /* The writer's membarrier() orders this store before its check. */
      __atomic_store_n (&slot->inside, gate, __ATOMIC_RELAXED);
      __atomic_signal_fence (__ATOMIC_SEQ_CST);
      if (G_LIKELY (!__atomic_load_n (&gate->closed, __ATOMIC_ACQUIRE)))
        return TRUE;
      __atomic_store_n (&slot->inside, NULL, __ATOMIC_RELEASE);
    }
  return FALSE;
}

/*
 * Enters @gate. Returns FALSE when the gate is closed (a writer is
 * changing the state), or when this thread is already inside a gate: the
 * caller then takes the object's mutex instead. Inline: every reader
 * passes here, and the common case is a few instructions. A thread's
 * first pass through a gate takes the slow path, which records it in
 * gate->owner.
 */
static inline gboolean
mmap_readers_enter (MmapReaders *gate)
{
  return mmap_readers_try_enter (gate) || mmap_readers_enter_slow (gate);
}

static inline void
mmap_readers_leave (void)
{
  __atomic_store_n (&mmap_readers_my_slot->inside, NULL, __ATOMIC_RELEASE);
}

G_END_DECLS
