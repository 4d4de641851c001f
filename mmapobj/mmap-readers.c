/* mmap-readers.c: readers that never wait for each other
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See mmap-readers-private.h for the scheme. Each thread owns one slot,
 * on a cache line of its own, claimed on its first read and given back
 * when it exits; slots are never freed, so a writer can walk the list at
 * any time.
 */

#include "config.h"

#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mmap-readers-private.h"

#if defined (__SANITIZE_THREAD__)
# define MMAP_READERS_TSAN 1
#elif defined (__has_feature)
# if __has_feature (thread_sanitizer)
#  define MMAP_READERS_TSAN 1
# endif
#endif

typedef MmapReadersSlot Slot;

static Slot *slots;                 /* atomic: the list head */
static pthread_key_t slot_key;
gint mmap_readers_asymmetric;       /* membarrier() orders the readers */

__thread Slot *mmap_readers_my_slot __attribute__ ((tls_model ("initial-exec")));

static void
release_slot (gpointer data)
{
  Slot *slot = data;

  __atomic_store_n (&slot->inside, NULL, __ATOMIC_RELEASE);
  __atomic_store_n (&slot->taken, 0, __ATOMIC_RELEASE);
}

/* Called before the first object can have readers (class_init): both
 * sides must agree on the mode from the start. */
void
mmap_readers_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      pthread_key_create (&slot_key, release_slot);
#ifndef MMAP_READERS_TSAN
      if (syscall (__NR_membarrier,
                   MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
        __atomic_store_n (&mmap_readers_asymmetric, 1, __ATOMIC_RELAXED);
#endif
      g_once_init_leave (&done, 1);
    }
}

static Slot *
claim_slot (void)
{
  Slot *slot;

  for (slot = __atomic_load_n (&slots, __ATOMIC_ACQUIRE);
       slot != NULL;
       slot = slot->next)
    {
      gint free_slot = 0;

      if (__atomic_compare_exchange_n (&slot->taken, &free_slot, 1, FALSE,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        break;
    }

  if (slot == NULL)
    {
      slot = g_aligned_alloc0 (1, sizeof (Slot), G_ALIGNOF (Slot));
      slot->taken = 1;
      slot->next = __atomic_load_n (&slots, __ATOMIC_RELAXED);
      while (!__atomic_compare_exchange_n (&slots, &slot->next, slot, TRUE,
                                           __ATOMIC_RELEASE,
                                           __ATOMIC_RELAXED))
        ;
    }

  pthread_setspecific (slot_key, slot);
  mmap_readers_my_slot = slot;
  return slot;
}

/* mmap_readers_enter() when the fast path does not apply: the thread's
 * first read, a nested one, or no membarrier(). */
gboolean
mmap_readers_enter_slow (MmapReaders *gate)
{
  Slot *slot = mmap_readers_my_slot;

  if (G_UNLIKELY (slot == NULL))
    slot = claim_slot ();
  if (G_UNLIKELY (slot->inside != NULL))
    return FALSE;

  if (__atomic_load_n (&mmap_readers_asymmetric, __ATOMIC_RELAXED))
    return mmap_readers_enter (gate);   /* the fast path applies now */

  __atomic_store_n (&slot->inside, gate, __ATOMIC_SEQ_CST);
  if (!__atomic_load_n (&gate->closed, __ATOMIC_SEQ_CST))
    return TRUE;
  __atomic_store_n (&slot->inside, NULL, __ATOMIC_RELEASE);
  return FALSE;
}

/* Closes @gate and waits until no reader is inside. The caller holds the
 * object's mutex, and is not inside any gate itself. */
void
mmap_readers_block (MmapReaders *gate)
{
  __atomic_store_n (&gate->closed, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n (&mmap_readers_asymmetric, __ATOMIC_RELAXED))
    syscall (__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);

  for (Slot *slot = __atomic_load_n (&slots, __ATOMIC_ACQUIRE);
       slot != NULL;
       slot = slot->next)
    {
      while (__atomic_load_n (&slot->inside, __ATOMIC_ACQUIRE) == gate)
        sched_yield ();
    }
}

void
mmap_readers_open (MmapReaders *gate)
{
  __atomic_store_n (&gate->closed, 0, __ATOMIC_RELEASE);
}
