/* glib-pthread-shim.c: GLib's locks on top of pthread, for ThreadSanitizer
 *
 * GLib's GMutex, GCond, GRecMutex and GRWLock are futex-based and live in
 * libglib, which is not built with -fsanitize=thread: TSan sees neither
 * the locking nor the memory it orders, so every access made under a GMutex
 * looks like a data race. The same holds for the atomic reference counts
 * (g_atomic_ref_count_*()) and g_once_init_enter()/g_once_init_leave():
 * their atomics run in uninstrumented code.
 *
 * This library, built with -fsanitize=thread and put in LD_PRELOAD by
 * tests/tsan/run.sh only, defines those functions again on top of
 * pthread (whose functions TSan intercepts) and of compiler atomics (which
 * TSan instruments here). Calls made from the library, the tests and
 * libgobject/libgio go through the PLT and land here. libglib's calls to
 * its own functions are bound inside libglib (-Bsymbolic-functions) and
 * keep the futex code: those locks are private to libglib, so every lock
 * is always handled by one of the two implementations, never both.
 *
 * A GMutex (and the other lock types) is 8 bytes: the pthread object is
 * allocated on first use and its address kept in the `p` field, set with a
 * compare-and-swap, so a statically zeroed lock works without init.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <glib.h>

/* Installs @fresh in *@slot unless another thread was first; returns the
 * winner. @destroy frees the loser. */
static void *
install_once (gpointer  *slot,
              void      *fresh,
              void     (*destroy) (void *))
{
  void *expected = NULL;

  if (__atomic_compare_exchange_n (slot, &expected, fresh, FALSE,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return fresh;

  destroy (fresh);
  return expected;
}

static void *
take_slot (gpointer *slot)
{
  return __atomic_exchange_n (slot, NULL, __ATOMIC_ACQ_REL);
}

/* ------------------------------------------------------------------ */
/* GMutex                                                             */

static void
mutex_free (void *p)
{
  pthread_mutex_destroy (p);
  free (p);
}

static pthread_mutex_t *
mutex_new (int type)
{
  pthread_mutex_t *m = malloc (sizeof *m);
  pthread_mutexattr_t attr;

  if (m == NULL)
    abort ();
  pthread_mutexattr_init (&attr);
  pthread_mutexattr_settype (&attr, type);
  pthread_mutex_init (m, &attr);
  pthread_mutexattr_destroy (&attr);
  return m;
}

static pthread_mutex_t *
mutex_get (GMutex *mutex)
{
  pthread_mutex_t *m = __atomic_load_n (&mutex->p, __ATOMIC_ACQUIRE);

  if (G_LIKELY (m != NULL))
    return m;
  return install_once (&mutex->p, mutex_new (PTHREAD_MUTEX_NORMAL),
                       mutex_free);
}

void
g_mutex_init (GMutex *mutex)
{
  __atomic_store_n (&mutex->p, mutex_new (PTHREAD_MUTEX_NORMAL),
                    __ATOMIC_RELEASE);
}

void
g_mutex_clear (GMutex *mutex)
{
  void *m = take_slot (&mutex->p);

  if (m != NULL)
    mutex_free (m);
}

void
g_mutex_lock (GMutex *mutex)
{
  int err = pthread_mutex_lock (mutex_get (mutex));

  if (G_UNLIKELY (err != 0))
    g_error ("g_mutex_lock: %s", g_strerror (err));
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  return pthread_mutex_trylock (mutex_get (mutex)) == 0;
}

void
g_mutex_unlock (GMutex *mutex)
{
  int err = pthread_mutex_unlock (mutex_get (mutex));

  if (G_UNLIKELY (err != 0))
    g_error ("g_mutex_unlock: %s", g_strerror (err));
}

/* ------------------------------------------------------------------ */
/* GRecMutex                                                          */

static pthread_mutex_t *
rec_mutex_get (GRecMutex *rec_mutex)
{
  pthread_mutex_t *m = __atomic_load_n (&rec_mutex->p, __ATOMIC_ACQUIRE);

  if (G_LIKELY (m != NULL))
    return m;
  return install_once (&rec_mutex->p, mutex_new (PTHREAD_MUTEX_RECURSIVE),
                       mutex_free);
}

void
g_rec_mutex_init (GRecMutex *rec_mutex)
{
  __atomic_store_n (&rec_mutex->p, mutex_new (PTHREAD_MUTEX_RECURSIVE),
                    __ATOMIC_RELEASE);
}

void
g_rec_mutex_clear (GRecMutex *rec_mutex)
{
  void *m = take_slot (&rec_mutex->p);

  if (m != NULL)
    mutex_free (m);
}

void
g_rec_mutex_lock (GRecMutex *rec_mutex)
{
  pthread_mutex_lock (rec_mutex_get (rec_mutex));
}

gboolean
g_rec_mutex_trylock (GRecMutex *rec_mutex)
{
  return pthread_mutex_trylock (rec_mutex_get (rec_mutex)) == 0;
}

void
g_rec_mutex_unlock (GRecMutex *rec_mutex)
{
  pthread_mutex_unlock (rec_mutex_get (rec_mutex));
}

/* ------------------------------------------------------------------ */
/* GRWLock                                                            */

static void
rw_lock_free (void *p)
{
  pthread_rwlock_destroy (p);
  free (p);
}

static pthread_rwlock_t *
rw_lock_new (void)
{
  pthread_rwlock_t *l = malloc (sizeof *l);

  if (l == NULL)
    abort ();
  pthread_rwlock_init (l, NULL);
  return l;
}

static pthread_rwlock_t *
rw_lock_get (GRWLock *rw_lock)
{
  pthread_rwlock_t *l = __atomic_load_n (&rw_lock->p, __ATOMIC_ACQUIRE);

  if (G_LIKELY (l != NULL))
    return l;
  return install_once (&rw_lock->p, rw_lock_new (), rw_lock_free);
}

void
g_rw_lock_init (GRWLock *rw_lock)
{
  __atomic_store_n (&rw_lock->p, rw_lock_new (), __ATOMIC_RELEASE);
}

void
g_rw_lock_clear (GRWLock *rw_lock)
{
  void *l = take_slot (&rw_lock->p);

  if (l != NULL)
    rw_lock_free (l);
}

void
g_rw_lock_writer_lock (GRWLock *rw_lock)
{
  pthread_rwlock_wrlock (rw_lock_get (rw_lock));
}

gboolean
g_rw_lock_writer_trylock (GRWLock *rw_lock)
{
  return pthread_rwlock_trywrlock (rw_lock_get (rw_lock)) == 0;
}

void
g_rw_lock_writer_unlock (GRWLock *rw_lock)
{
  pthread_rwlock_unlock (rw_lock_get (rw_lock));
}

void
g_rw_lock_reader_lock (GRWLock *rw_lock)
{
  pthread_rwlock_rdlock (rw_lock_get (rw_lock));
}

gboolean
g_rw_lock_reader_trylock (GRWLock *rw_lock)
{
  return pthread_rwlock_tryrdlock (rw_lock_get (rw_lock)) == 0;
}

void
g_rw_lock_reader_unlock (GRWLock *rw_lock)
{
  pthread_rwlock_unlock (rw_lock_get (rw_lock));
}

/* ------------------------------------------------------------------ */
/* GCond: waits measure g_get_monotonic_time()'s clock.               */

static void
cond_free (void *p)
{
  pthread_cond_destroy (p);
  free (p);
}

static pthread_cond_t *
cond_new (void)
{
  pthread_cond_t *c = malloc (sizeof *c);
  pthread_condattr_t attr;

  if (c == NULL)
    abort ();
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (c, &attr);
  pthread_condattr_destroy (&attr);
  return c;
}

static pthread_cond_t *
cond_get (GCond *cond)
{
  pthread_cond_t *c = __atomic_load_n (&cond->p, __ATOMIC_ACQUIRE);

  if (G_LIKELY (c != NULL))
    return c;
  return install_once (&cond->p, cond_new (), cond_free);
}

void
g_cond_init (GCond *cond)
{
  __atomic_store_n (&cond->p, cond_new (), __ATOMIC_RELEASE);
}

void
g_cond_clear (GCond *cond)
{
  void *c = take_slot (&cond->p);

  if (c != NULL)
    cond_free (c);
}

void
g_cond_wait (GCond  *cond,
             GMutex *mutex)
{
  pthread_cond_wait (cond_get (cond), mutex_get (mutex));
}

gboolean
g_cond_wait_until (GCond  *cond,
                   GMutex *mutex,
                   gint64  end_time)
{
  struct timespec ts;
  int err;

  ts.tv_sec = end_time / G_USEC_PER_SEC;
  ts.tv_nsec = (end_time % G_USEC_PER_SEC) * 1000;
  err = pthread_cond_timedwait (cond_get (cond), mutex_get (mutex), &ts);

  return err != ETIMEDOUT;
}

void
g_cond_signal (GCond *cond)
{
  pthread_cond_signal (cond_get (cond));
}

void
g_cond_broadcast (GCond *cond)
{
  pthread_cond_broadcast (cond_get (cond));
}

/* ------------------------------------------------------------------ */
/* Atomic reference counts: the library's MmapMapping uses them, and   */
/* the last unref frees what other threads used before their unref.   */

void
g_atomic_ref_count_init (gatomicrefcount *arc)
{
  __atomic_store_n (arc, 1, __ATOMIC_RELEASE);
}

void
g_atomic_ref_count_inc (gatomicrefcount *arc)
{
  int old = __atomic_fetch_add (arc, 1, __ATOMIC_RELAXED);

  if (G_UNLIKELY (old <= 0))
    g_error ("g_atomic_ref_count_inc: reference count was %d", old);
}

gboolean
g_atomic_ref_count_dec (gatomicrefcount *arc)
{
  int old = __atomic_fetch_sub (arc, 1, __ATOMIC_ACQ_REL);

  if (G_UNLIKELY (old <= 0))
    g_error ("g_atomic_ref_count_dec: reference count was %d", old);
  return old == 1;
}

gboolean
g_atomic_ref_count_compare (gatomicrefcount *arc,
                            gint             val)
{
  return __atomic_load_n (arc, __ATOMIC_ACQUIRE) == val;
}

/* ------------------------------------------------------------------ */
/* g_once_init_enter()/g_once_init_leave(): the macros in gthread.h    */
/* read the location with an (instrumented) acquire load first; these  */
/* are only called when it was 0.                                      */

static pthread_mutex_t once_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t once_cond = PTHREAD_COND_INITIALIZER;
/* Locations being initialised, under once_lock. */
static volatile void *once_pending[256];

static int
once_find (volatile void *location)
{
  for (int i = 0; i < (int) G_N_ELEMENTS (once_pending); i++)
    if (once_pending[i] == location)
      return i;
  return -1;
}

gboolean
(g_once_init_enter) (volatile void *location)
{
  gsize *value = (gsize *) location;
  gboolean need_init = FALSE;

  pthread_mutex_lock (&once_lock);
  if (__atomic_load_n (value, __ATOMIC_ACQUIRE) == 0)
    {
      if (once_find (location) < 0)
        {
          int slot = once_find (NULL);

          if (slot < 0)
            g_error ("g_once_init_enter: too many initialisations at once");
          once_pending[slot] = location;
          need_init = TRUE;
        }
      else
        while (once_find (location) >= 0)
          pthread_cond_wait (&once_cond, &once_lock);
    }
  pthread_mutex_unlock (&once_lock);

  return need_init;
}

void
(g_once_init_leave) (volatile void *location,
                     gsize          result)
{
  gsize *value = (gsize *) location;
  int slot;

  if (G_UNLIKELY (result == 0))
    g_error ("g_once_init_leave: result must not be 0");

  __atomic_store_n (value, result, __ATOMIC_RELEASE);
  pthread_mutex_lock (&once_lock);
  slot = once_find (location);
  if (slot >= 0)
    once_pending[slot] = NULL;
  pthread_cond_broadcast (&once_cond);
  pthread_mutex_unlock (&once_lock);
}

/* ------------------------------------------------------------------ */
/* libglib's own locks                                                */

/* Inside libglib, GRWLock and GRecMutex (unlike GMutex) are pthread
 * objects that libglib allocates on first use and publishes with a
 * compare-and-swap in uninstrumented code: TSan sees the malloc () in one
 * thread and the pthread_rwlock_rdlock () in another, unordered, and
 * reports a race on the lock itself. The first GError of the process
 * takes such a lock (gerror.c's error-domain table, a GRWLock), so the
 * first errors raised by two threads at once trip it. Create an error
 * here, while the main thread is the only one: libglib allocates that
 * lock now, and pthread_create () orders it before every thread. */
__attribute__ ((constructor)) static void
shim_warm_up_glib (void)
{
  g_error_free (g_error_new_literal (g_quark_from_static_string ("shim"), 0,
                                     "warm-up"));
}
