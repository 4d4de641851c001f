/* mmap-guard.c: memory access that survives SIGBUS
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Touching a page of a file mapping that lies past the end of the file
 * (someone truncated it) or whose I/O fails raises SIGBUS, which kills the
 * process. Every access the library makes to mapped memory runs through
 * mmap_guard_run(): it records a frame in a thread-local list and calls
 * the access; if SIGBUS hits an address inside the frame's region, the
 * handler jumps back out of the access and mmap_guard_run() returns FALSE.
 * Any other SIGBUS goes to the handler that was installed before ours, or
 * gets the default action.
 *
 * The handler is installed once, by the first map. It is installed with
 * SA_NODEFER and an empty mask, so jumping out of it with a plain
 * sigsetjmp(env, 0) (no signal mask syscall per access) leaves no signal
 * blocked. MMAP_NO_SIGBUS_GUARD=1 in the environment disables it.
 */

#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "mmap-guard-private.h"

typedef struct _GuardFrame GuardFrame;

struct _GuardFrame
{
  sigjmp_buf   env;
  const char  *lo;
  const char  *hi;
  GuardFrame  *prev;
};

/* initial-exec: reading it in the signal handler must not allocate. */
static __thread GuardFrame *current_frame
  __attribute__ ((tls_model ("initial-exec")));

static struct sigaction previous_action;
static gboolean installed;

static void
sigbus_handler (int        sig,
                siginfo_t *info,
                void      *context)
{
  const char *addr = info != NULL ? info->si_addr : NULL;

  for (GuardFrame *frame = current_frame; frame != NULL; frame = frame->prev)
    {
      if (addr >= frame->lo && addr < frame->hi)
        {
          current_frame = frame->prev;
          siglongjmp (frame->env, 1);
        }
    }

  /* Not ours: hand it on. */
  if (previous_action.sa_flags & SA_SIGINFO)
    {
      previous_action.sa_sigaction (sig, info, context);
    }
  else if (previous_action.sa_handler != SIG_DFL
           && previous_action.sa_handler != SIG_IGN)
    {
      previous_action.sa_handler (sig);
    }
  else
    {
      /* Returning re-runs the faulting access, which now gets the default
       * action (the process dies with SIGBUS, as without us). */
      signal (sig, SIG_DFL);
    }
}

void
mmap_guard_install (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      const char *off = g_getenv ("MMAP_NO_SIGBUS_GUARD");

      if (off == NULL || g_strcmp0 (off, "0") == 0)
        {
          struct sigaction action;

          memset (&action, 0, sizeof action);
          action.sa_sigaction = sigbus_handler;
          action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
          sigemptyset (&action.sa_mask);
          if (sigaction (SIGBUS, &action, &previous_action) == 0)
            installed = TRUE;
        }
      g_once_init_leave (&done, 1);
    }
}

/*
 * Runs func (data), which may touch memory in
 * [region, region + region_size). Returns FALSE if that raised SIGBUS
 * inside the region; what func did up to the fault stays done.
 */
gboolean
mmap_guard_run (MmapGuardFunc  func,
                gpointer       data,
                const void    *region,
                gsize          region_size)
{
  GuardFrame frame;

  if (!installed)
    {
      func (data);
      return TRUE;
    }

  frame.lo = region;
  frame.hi = (const char *) region + region_size;
  frame.prev = current_frame;

  if (sigsetjmp (frame.env, 0) != 0)
    return FALSE;   /* the handler already popped the frame */

  current_frame = &frame;
  func (data);
  current_frame = frame.prev;

  return TRUE;
}
