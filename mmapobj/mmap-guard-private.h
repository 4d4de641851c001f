/* mmap-guard-private.h: memory access that survives SIGBUS
 *
 * Two ways to touch memory that may fault (a file truncated under a map,
 * an I/O error):
 *
 * - mmap_guard_load_byte(), mmap_guard_store_byte(), mmap_guard_copy():
 *   single accesses and plain copies. On x86-64 they cost about what the
 *   access itself costs: a fault resumes the routine at a fixup (see
 *   mmap-guard-x86_64.S); nothing is set up per call.
 * - mmap_guard_run(): any function (memmem, memchr, strided loops) under a
 *   sigsetjmp frame, for bulk work where a few nanoseconds per call do not
 *   matter.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*MmapGuardFunc) (gpointer data);

/* Where a guarded access faulted. */
typedef enum
{
  MMAP_GUARD_OK,            /* no fault */
  MMAP_GUARD_FAULT_REGION,  /* inside the region given to mmap_guard_run() */
  MMAP_GUARD_FAULT_OTHER,   /* elsewhere: memory the caller passed in */
} MmapGuardResult;

MmapGuardResult mmap_guard_run (MmapGuardFunc  func,
                                gpointer       data,
                                const void    *region,
                                gsize          region_size);

/* The sanitizers cannot see into the assembly routines: under them every
 * access goes through mmap-guard.c, which tells them about it. */
#if defined (__SANITIZE_ADDRESS__)
# define MMAP_GUARD_ASAN 1
#elif defined (__has_feature)
# if __has_feature (address_sanitizer)
#  define MMAP_GUARD_ASAN 1
# endif
#endif
#if defined (__SANITIZE_THREAD__)
# define MMAP_GUARD_TSAN 1
#elif defined (__has_feature)
# if __has_feature (thread_sanitizer)
#  define MMAP_GUARD_TSAN 1
# endif
#endif

/* How the calling thread runs guarded accesses; learnt on its first one. */
typedef enum
{
  MMAP_GUARD_MODE_UNKNOWN = 0,
  MMAP_GUARD_MODE_DIRECT,   /* SIGBUS open, fixups usable: run the routines as is */
  MMAP_GUARD_MODE_OPEN,     /* SIGBUS open, no fixups: a sigsetjmp frame per access */
  MMAP_GUARD_MODE_BLOCKED,  /* the thread blocks SIGBUS: unblock around accesses */
} MmapGuardMode;

extern __thread MmapGuardMode mmap_guard_thread_mode
  __attribute__ ((tls_model ("initial-exec")));

/* Any thread, any mode: see mmap_guard_load_byte(). */
int             mmap_guard_load_byte_any  (const guint8  *p);
gboolean        mmap_guard_store_byte_any (guint8        *p,
                                           guint8         value);

#if defined (__x86_64__) && defined (__linux__) \
    && !defined (MMAP_GUARD_ASAN) && !defined (MMAP_GUARD_TSAN)

/* The inline accessors below put an entry in this table for each
 * instruction that may fault: its address and where to resume, both
 * relative to the entry (no relocation at load time). The SIGBUS handler
 * looks the faulting instruction up there, as kernels do for user
 * copies. */
# define MMAP_GUARD_EXTABLE_ENTRY(insn, fixup)                \
  ".pushsection mmap_guard_extable, \"a\"\n"                 \
  ".balign 4\n"                                              \
  ".long " insn " - ., " fixup " - .\n"                      \
  ".popsection\n"

/* The byte at p (0–255), or -1 if reading it raised SIGBUS. Inline: in
 * the common mode this is one load and a test. */
static inline int
mmap_guard_load_byte (const guint8 *p)
{
  int value;

  if (G_UNLIKELY (mmap_guard_thread_mode != MMAP_GUARD_MODE_DIRECT))
    return mmap_guard_load_byte_any (p);
  __asm__ volatile ("1:\tmovzbl %1, %0\n"
                    "2:\n"
                    ".pushsection .text.unlikely, \"ax\"\n"
                    "3:\tmovl $-1, %0\n"
                    "\tjmp 2b\n"
                    ".popsection\n"
                    MMAP_GUARD_EXTABLE_ENTRY ("1b", "3b")
                    : "=r" (value)
                    : "m" (*p));
  return value;
}

/* Stores value at p; FALSE if that raised SIGBUS. */
static inline gboolean
mmap_guard_store_byte (guint8 *p,
                       guint8  value)
{
  gboolean ok = TRUE;

  if (G_UNLIKELY (mmap_guard_thread_mode != MMAP_GUARD_MODE_DIRECT))
    return mmap_guard_store_byte_any (p, value);
  __asm__ volatile ("1:\tmovb %2, %1\n"
                    "2:\n"
                    ".pushsection .text.unlikely, \"ax\"\n"
                    "3:\txorl %0, %0\n"
                    "\tjmp 2b\n"
                    ".popsection\n"
                    MMAP_GUARD_EXTABLE_ENTRY ("1b", "3b")
                    : "+r" (ok), "=m" (*p)
                    : "q" (value));
  return ok;
}
#else
# define mmap_guard_load_byte  mmap_guard_load_byte_any
# define mmap_guard_store_byte mmap_guard_store_byte_any
#endif

/* Copies n bytes from src to dst, which must not overlap (the bytes are
 * copied in no defined order: overlapping ranges end up mixed; use
 * mmap_guard_run() with memmove for those).
 *
 * With probe (and n > 0), first reads src[n - 1] and does an atomic no-op
 * write to dst[n - 1], so that a destination or source whose file was
 * truncated before the call faults before anything is stored.
 *
 * Returns MMAP_GUARD_OK, or where the fault was: MMAP_GUARD_FAULT_REGION
 * if the faulting address lies in [region, region + region_size), else
 * MMAP_GUARD_FAULT_OTHER. Without probe, some bytes may have been stored
 * before the fault (which ones is not defined). */
MmapGuardResult mmap_guard_copy       (guint8        *dst,
                                       const guint8  *src,
                                       gsize          n,
                                       gboolean       probe,
                                       const void    *region,
                                       gsize          region_size);

G_END_DECLS
