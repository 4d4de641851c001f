/* mmap-guard.c: memory access that survives SIGBUS
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Touching a page of a file mapping that lies past the end of the file
 * (someone truncated it) or whose I/O fails raises SIGBUS, which kills the
 * process. Every access the library makes to memory, the map's and the
 * caller's alike, runs through mmap_guard_run(): it records a frame in a
 * thread-local list and calls the access; a SIGBUS fault raised while the
 * frame is current jumps back out of the access and mmap_guard_run()
 * reports where it faulted.
 *
 * What can slip past a naive handler, and what this one does about it:
 *
 * - A thread that blocks SIGBUS: the kernel kills the whole process on a
 *   fault it cannot deliver. Each thread's mask is read on its first
 *   guarded access (and again after mmap_install_sigbus_guard()); threads
 *   that block SIGBUS get it unblocked around each access.
 * - A signal that is not a fault (kill(), raise(), sigqueue()): it goes to
 *   the disposition that was installed before the guard, exactly as if the
 *   guard were not there, and the guard stays installed.
 * - A handler installed after ours: every new map, and
 *   mmap_install_sigbus_guard(), puts the guard back in front of whatever
 *   handler is installed then, chaining to it.
 * - A chained handler that re-raises SIGBUS, or returns into the same
 *   fault: the process gets the default action (it dies of SIGBUS) instead
 *   of looping.
 *
 * The handler is installed with SA_NODEFER and an empty mask, so jumping
 * out of it with a plain sigsetjmp(env, 0) (no signal mask syscall per
 * access) leaves no signal blocked. MMAP_NO_SIGBUS_GUARD=1 in the
 * environment disables it.
 */

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "mmap-guard.h"
#include "mmap-guard-private.h"

typedef struct _GuardFrame GuardFrame;

struct _GuardFrame
{
  sigjmp_buf   env;
  const char  *lo;
  const char  *hi;
  const char  *fault_addr;
  GuardFrame  *prev;
};

typedef enum
{
  MASK_UNKNOWN = 0,
  MASK_OPEN,       /* SIGBUS can be delivered to this thread */
  MASK_BLOCKED,    /* the thread blocks SIGBUS: unblock around accesses */
} MaskState;

/* initial-exec: reading them in the signal handler must not allocate. */
#define GUARD_TLS __thread __attribute__ ((tls_model ("initial-exec")))
static GUARD_TLS GuardFrame *current_frame;
static GUARD_TLS MaskState   mask_state;
static GUARD_TLS int         forwarding;          /* chained calls running */
static GUARD_TLS const void *last_forwarded_fault;

/* The disposition the guard chains to. Re-installing writes the other
 * slot, then publishes it, so the handler never reads a half-written one. */
static struct sigaction chain_slots[2];
static struct sigaction *chained = &chain_slots[0];   /* atomic */
static GMutex install_lock;
static gint installed;   /* atomic */

static gboolean
is_fault (const siginfo_t *info)
{
  /* Synchronous faults only: BUS_MCEERR_AO is an asynchronous report, and
   * codes <= 0 are signals some process sent. */
  switch (info->si_code)
    {
    case BUS_ADRALN:
    case BUS_ADRERR:
    case BUS_OBJERR:
#ifdef BUS_MCEERR_AR
    case BUS_MCEERR_AR:
#endif
      return TRUE;
    default:
      return FALSE;
    }
}

/* The default action: the process dies of the signal, as it would have
 * without any handler. For a fault, returning re-runs the access, which
 * then gets the default action. */
static void
die_of (int       sig,
        gboolean  fault)
{
  struct sigaction dfl;
  sigset_t set;

  memset (&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset (&dfl.sa_mask);
  sigaction (sig, &dfl, NULL);

  if (!fault)
    {
      sigemptyset (&set);
      sigaddset (&set, sig);
      pthread_sigmask (SIG_UNBLOCK, &set, NULL);
      raise (sig);
    }
}

static void
forward (int        sig,
         siginfo_t *info,
         void      *context,
         gboolean   fault)
{
  const struct sigaction *prev = __atomic_load_n (&chained, __ATOMIC_ACQUIRE);

  /* The chained handler raised SIGBUS itself, or faulted: stop here. The
   * same fault again after a chained handler returned: it did not handle
   * it, and would loop forever. */
  if (forwarding > 0
      || (fault && info->si_addr == last_forwarded_fault))
    {
      die_of (sig, fault);
      return;
    }

  if (prev->sa_flags & SA_SIGINFO)
    {
      last_forwarded_fault = fault ? info->si_addr : NULL;
      forwarding++;
      prev->sa_sigaction (sig, info, context);
      forwarding--;
    }
  else if (prev->sa_handler == SIG_DFL)
    die_of (sig, fault);
  else if (prev->sa_handler == SIG_IGN)
    {
      /* The kernel does not let a process ignore a fault. */
      if (fault)
        die_of (sig, fault);
    }
  else
    {
      last_forwarded_fault = fault ? info->si_addr : NULL;
      forwarding++;
      prev->sa_handler (sig);
      forwarding--;
    }
}

static void
sigbus_handler (int        sig,
                siginfo_t *info,
                void      *context)
{
  int saved_errno = errno;
  gboolean fault = info != NULL && is_fault (info);
  GuardFrame *frame = current_frame;

  if (fault && frame != NULL && forwarding == 0)
    {
      frame->fault_addr = info->si_addr;
      current_frame = frame->prev;
      siglongjmp (frame->env, 1);
    }

  forward (sig, info, context, fault);
  errno = saved_errno;
}

static gboolean
guard_disabled (void)
{
  static gsize disabled = 0;

  if (g_once_init_enter (&disabled))
    {
      const char *off = g_getenv ("MMAP_NO_SIGBUS_GUARD");

      g_once_init_leave (&disabled,
                         off != NULL && g_strcmp0 (off, "0") != 0 ? 2 : 1);
    }
  return disabled == 2;
}

/**
 * mmap_install_sigbus_guard:
 *
 * Puts the library's `SIGBUS` guard in front of the `SIGBUS` handler that
 * is installed now, and re-reads the calling thread's signal mask.
 *
 * The guard turns a fault inside a library call (a file truncated under
 * the map, an I/O error) into a `G_IO_ERROR` with errno `EIO`. Every other
 * `SIGBUS` goes on to the handler it chains to: faults outside the
 * library, and signals that are not faults (`kill()`, `raise()`), which
 * keep their old meaning (a handler is called, `SIG_IGN` ignores them,
 * `SIG_DFL` ends the process). A chained handler that raises `SIGBUS`
 * again, or returns into the same fault, ends the process with `SIGBUS`.
 *
 * The guard installs itself when the first map is made, and checks again
 * each time a map is made. Call this function after installing a `SIGBUS`
 * handler of your own (a crash reporter, Python's `faulthandler`) while
 * maps exist. Until you do, or until the next map is made, faults inside
 * library calls reach your handler: a crash reporter reports a crash, and
 * a handler that returns makes the process die of `SIGBUS`.
 *
 * The guard also unblocks `SIGBUS` around its accesses in threads that
 * block it, which it learns on each thread's first guarded access. A
 * thread that blocks `SIGBUS` after that must call this function again.
 *
 * Setting `MMAP_NO_SIGBUS_GUARD=1` in the environment disables the guard:
 * a fault then kills the process, as it does without the library.
 *
 * Returns: %TRUE if the guard is installed, %FALSE if
 *   `MMAP_NO_SIGBUS_GUARD` disables it
 *
 * Since: 1.0
 */
gboolean
mmap_install_sigbus_guard (void)
{
  struct sigaction current;

  if (guard_disabled ())
    return FALSE;

  g_mutex_lock (&install_lock);
  if (sigaction (SIGBUS, NULL, &current) == 0
      && !((current.sa_flags & SA_SIGINFO)
           && current.sa_sigaction == sigbus_handler))
    {
      struct sigaction *slot = chained == &chain_slots[0]
                               ? &chain_slots[1] : &chain_slots[0];
      /* (chained only changes under install_lock, held here.) */
      struct sigaction action;

      memset (&action, 0, sizeof action);
      action.sa_sigaction = sigbus_handler;
      action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
      sigemptyset (&action.sa_mask);

      /* Publish what we chain to before the handler can run. */
      *slot = current;
      __atomic_store_n (&chained, slot, __ATOMIC_RELEASE);
      if (sigaction (SIGBUS, &action, NULL) == 0)
        g_atomic_int_set (&installed, TRUE);
    }
  else if (!g_atomic_int_get (&installed))
    g_atomic_int_set (&installed, TRUE);
  g_mutex_unlock (&install_lock);

  mask_state = MASK_UNKNOWN;
  return TRUE;
}

static gboolean
thread_blocks_sigbus (void)
{
  if (G_LIKELY (mask_state == MASK_OPEN))
    return FALSE;

  if (mask_state == MASK_UNKNOWN)
    {
      sigset_t current;

      pthread_sigmask (SIG_BLOCK, NULL, &current);
      mask_state = sigismember (&current, SIGBUS) ? MASK_BLOCKED : MASK_OPEN;
    }
  return mask_state == MASK_BLOCKED;
}

static void
set_sigbus_blocked (gboolean blocked)
{
  sigset_t set;

  sigemptyset (&set);
  sigaddset (&set, SIGBUS);
  pthread_sigmask (blocked ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

/*
 * Runs func (data), which may touch the map's memory in
 * [region, region + region_size) and memory the caller passed in. Returns
 * where a SIGBUS fault stopped it, or MMAP_GUARD_OK; what func did up to
 * the fault stays done.
 */
MmapGuardResult
mmap_guard_run (MmapGuardFunc  func,
                gpointer       data,
                const void    *region,
                gsize          region_size)
{
  GuardFrame frame;
  gboolean blocked;

  if (!g_atomic_int_get (&installed))
    {
      func (data);
      return MMAP_GUARD_OK;
    }

  blocked = thread_blocks_sigbus ();
  if (blocked)
    set_sigbus_blocked (FALSE);

  frame.lo = region;
  frame.hi = (const char *) region + region_size;
  frame.fault_addr = NULL;
  frame.prev = current_frame;

  if (sigsetjmp (frame.env, 0) != 0)
    {
      /* The handler already popped the frame. */
      const char *addr = *(const char * volatile *) &frame.fault_addr;

      if (blocked)
        set_sigbus_blocked (TRUE);
      return addr >= frame.lo && addr < frame.hi
             ? MMAP_GUARD_FAULT_REGION : MMAP_GUARD_FAULT_OTHER;
    }

  current_frame = &frame;
  func (data);
  current_frame = frame.prev;

  if (blocked)
    set_sigbus_blocked (TRUE);
  return MMAP_GUARD_OK;
}
