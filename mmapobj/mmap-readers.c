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
#include "mmap-wait.h"

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

/* Records the calling thread as a reader of @gate (see
 * MmapReaders.owner), with a full fence: a writer that has not seen the
 * record yet closed the gate before this thread looks at it. */
static void
add_owner (MmapReaders *gate,
           Slot        *slot)
{
  gpointer owner = NULL;

  if (!__atomic_compare_exchange_n (&gate->owner, &owner, slot, FALSE,
                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
      && owner != slot)
    (void) __atomic_exchange_n (&gate->owner, MMAP_READERS_MANY,
                                __ATOMIC_SEQ_CST);
}

/* mmap_readers_enter() when the fast path does not apply: the thread's
 * first read, its first read of this gate, a nested one, or no
 * membarrier(). */
gboolean
mmap_readers_enter_slow (MmapReaders *gate)
{
  Slot *slot = mmap_readers_my_slot;
  gpointer owner;

  if (G_UNLIKELY (slot == NULL))
    slot = claim_slot ();
  if (G_UNLIKELY (slot->inside != NULL))
    return FALSE;

  owner = __atomic_load_n (&gate->owner, __ATOMIC_RELAXED);
  if (owner != slot && owner != MMAP_READERS_MANY)
    add_owner (gate, slot);

  /* With the record made, the fences below are needed only this once:
   * later passes take the fast path, and writers issue membarrier(). */
  __atomic_store_n (&slot->inside, gate, __ATOMIC_SEQ_CST);
  if (!__atomic_load_n (&gate->closed, __ATOMIC_SEQ_CST))
    return TRUE;
  __atomic_store_n (&slot->inside, NULL, __ATOMIC_RELEASE);
  return FALSE;
}

typedef struct _WaitFuncs WaitFuncs;

struct _WaitFuncs
{
  MmapWaitFunc  before;
  MmapWaitFunc  after;
  gpointer      user_data;
  WaitFuncs    *older;     /* every set made, kept: see mmap_set_wait_funcs() */
};

static WaitFuncs *wait_funcs;   /* atomic: the current set, or NULL */
static WaitFuncs *all_wait_funcs;
static GMutex wait_funcs_lock;

/**
 * mmap_set_wait_funcs: (skip)
 * @before_wait: (nullable): called just before the library waits for
 *   another thread
 * @after_wait: (nullable): called just after that wait
 * @user_data: data for both
 *
 * Sets the functions the library calls around each wait for another
 * thread, on the waiting thread: when a call that changes the map (a
 * write, resize, close or advice that discards) waits for the calls
 * reading it to finish, and when any call waits while such a change runs.
 * Calls that only read never wait for each other.
 *
 * A language binding with an interpreter lock uses this to give the lock
 * up while its thread waits: otherwise a short call that finds a long
 * change running would hold the lock until the change is done, and stall
 * every other thread of the interpreter. (The compiled helper of the
 * Python override does this with the GIL.) @after_wait may take such a
 * lock back while the library holds the map's own lock; that is safe as
 * long as every thread gives the interpreter lock up before it waits,
 * which these functions do.
 *
 * The functions are process-wide; %NULL for both removes them. They must
 * not call into the library.
 *
 * Since: 1.0
 */
void
mmap_set_wait_funcs (MmapWaitFunc before_wait,
                     MmapWaitFunc after_wait,
                     gpointer     user_data)
{
  WaitFuncs *funcs = NULL;

  g_mutex_lock (&wait_funcs_lock);
  if (before_wait != NULL || after_wait != NULL)
    {
      /* A thread may still be using the set this one replaces, so none is
       * ever freed; they stay listed, for leak checkers too. */
      funcs = g_new0 (WaitFuncs, 1);
      funcs->before = before_wait;
      funcs->after = after_wait;
      funcs->user_data = user_data;
      funcs->older = all_wait_funcs;
      all_wait_funcs = funcs;
    }
  __atomic_store_n (&wait_funcs, funcs, __ATOMIC_RELEASE);
  g_mutex_unlock (&wait_funcs_lock);
}

static const WaitFuncs *
begin_wait (void)
{
  const WaitFuncs *funcs = __atomic_load_n (&wait_funcs, __ATOMIC_ACQUIRE);

  if (funcs != NULL && funcs->before != NULL)
    funcs->before (funcs->user_data);
  return funcs;
}

static void
end_wait (const WaitFuncs *funcs)
{
  if (funcs != NULL && funcs->after != NULL)
    funcs->after (funcs->user_data);
}

/* Locks @mutex, an object's lock; if another thread holds it, between the
 * wait functions. */
void
mmap_readers_lock (GMutex *mutex)
{
  const WaitFuncs *funcs;

  if (G_LIKELY (g_mutex_trylock (mutex)))
    return;
  funcs = begin_wait ();
  g_mutex_lock (mutex);
  end_wait (funcs);
}

/* Closes @gate and waits until no reader is inside. The caller holds the
 * object's mutex, and is not inside any gate itself. */
void
mmap_readers_block (MmapReaders *gate)
{
  gpointer owner;

  __atomic_store_n (&gate->closed, 1, __ATOMIC_SEQ_CST);
  owner = __atomic_load_n (&gate->owner, __ATOMIC_SEQ_CST);
  if (owner != NULL && owner != mmap_readers_my_slot
      && __atomic_load_n (&mmap_readers_asymmetric, __ATOMIC_RELAXED))
    syscall (__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);

  for (Slot *slot = __atomic_load_n (&slots, __ATOMIC_ACQUIRE);
       slot != NULL;
       slot = slot->next)
    {
      const WaitFuncs *funcs;

      if (__atomic_load_n (&slot->inside, __ATOMIC_ACQUIRE) != gate)
        continue;
      funcs = begin_wait ();
      while (__atomic_load_n (&slot->inside, __ATOMIC_ACQUIRE) == gate)
        sched_yield ();
      end_wait (funcs);
    }
}

void
mmap_readers_open (MmapReaders *gate)
{
  __atomic_store_n (&gate->closed, 0, __ATOMIC_RELEASE);
}

void
mmap_readers_forget_other_threads (void)
{
  for (Slot *slot = __atomic_load_n (&slots, __ATOMIC_ACQUIRE);
       slot != NULL;
       slot = slot->next)
    {
      if (slot == mmap_readers_my_slot)
        continue;
      __atomic_store_n (&slot->inside, NULL, __ATOMIC_RELAXED);
      __atomic_store_n (&slot->taken, 0, __ATOMIC_RELAXED);
    }
}
