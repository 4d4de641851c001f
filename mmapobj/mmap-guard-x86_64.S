/* mmap-guard-x86_64.S: the guard's fast accessors, with fixups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Small leaf routines whose memory accesses can raise SIGBUS. They take no
 * stack space and keep nothing on it, so when one of their instructions
 * faults, the SIGBUS handler in mmap-guard.c can resume the thread at the
 * routine's fixup label (found in mmap_guard_x86_fixups below) instead of
 * re-running the instruction: the fixup returns the failure to the caller
 * as an ordinary return value. This is how kernels copy from user memory;
 * nothing is recorded per call.
 *
 * On a fault the handler sets, in the interrupted context:
 *   %rip = the routine's fixup,
 *   %rax = the faulting address (1 if the kernel gave none).
 *
 * Only the instructions in [start, end) of a fixup entry may be resumed at
 * its fixup: anything between the labels must be a plain memory access of
 * the routine itself, never a call.
 *
 * Built on x86-64 only (the file assembles to nothing elsewhere); other
 * architectures use mmap_guard_run() for the same calls.
 */

#if defined (__x86_64__) && defined (__ELF__)

#if defined (__CET__) && __has_include (<cet.h>)
# include <cet.h>
#endif
#ifndef _CET_ENDBR
# define _CET_ENDBR
#endif

#define FUNCTION(name)                  \
        .globl  name;                   \
        .hidden name;                   \
        .type   name, @function;        \
        .p2align 4;                     \
name:                                   \
        _CET_ENDBR

#define END(name)                       \
        .size   name, . - name

        .text

/* int mmap_guard_x86_load_byte (const guint8 *p)
 * The byte at p (0–255), or -1 after a fault. */
FUNCTION (mmap_guard_x86_load_byte)
.Lload_start:
        movzbl  (%rdi), %eax
.Lload_end:
        ret
.Lload_fixup:
        movl    $-1, %eax
        ret
END (mmap_guard_x86_load_byte)

/* gboolean mmap_guard_x86_store_byte (guint8 *p, guint8 value)
 * TRUE, or FALSE after a fault. */
FUNCTION (mmap_guard_x86_store_byte)
.Lstore_start:
        movb    %sil, (%rdi)
.Lstore_end:
        movl    $1, %eax
        ret
.Lstore_fixup:
        xorl    %eax, %eax
        ret
END (mmap_guard_x86_store_byte)

/* MmapGuardResult mmap_guard_x86_copy (guint8 *dst, const guint8 *src,
 *                                      gsize n, gboolean probe,
 *                                      const void *region,
 *                                      gsize region_size)
 * Copies n bytes (no overlap). MMAP_GUARD_OK (0), or after a fault
 * MMAP_GUARD_FAULT_REGION (1) if the faulting address lies in
 * [region, region + region_size), else MMAP_GUARD_FAULT_OTHER (2). The
 * arguments are those of mmap_guard_copy(), so that it can jump here.
 *
 * With probe (and n > 0) it first reads src[n - 1] and does an atomic
 * no-op write to dst[n - 1], so that a page missing at the end of either
 * side faults before anything is stored.
 *
 * Sizes up to 64 bytes take two or four loads and stores that overlap in
 * the middle (as glibc's memcpy does), up to MID_MAX a loop of 64-byte
 * blocks, and beyond that `rep movsb` (fast strings on every x86-64 made
 * since 2012).
 */
#define MID_MAX 1024

FUNCTION (mmap_guard_x86_copy)
.Lcopy_start:
        testl   %ecx, %ecx
        jz      1f
        testq   %rdx, %rdx
        jz      .Lcopy_done
        movzbl  -1(%rsi,%rdx), %eax
        lock orb $0, -1(%rdi,%rdx)
1:
        cmpq    $16, %rdx
        ja      .Lcopy_above16
        cmpq    $8, %rdx
        jae     .Lcopy_8_16
        cmpq    $4, %rdx
        jae     .Lcopy_4_7
        testq   %rdx, %rdx
        jz      .Lcopy_done
        /* 1 to 3: the first byte and the last two (overlapping). */
        movzbl  (%rsi), %ecx
        cmpq    $2, %rdx
        jb      2f
        movzwl  -2(%rsi,%rdx), %eax
        movw    %ax, -2(%rdi,%rdx)
2:
        movb    %cl, (%rdi)
        xorl    %eax, %eax
        ret

.Lcopy_4_7:
        movl    (%rsi), %ecx
        movl    -4(%rsi,%rdx), %eax
        movl    %ecx, (%rdi)
        movl    %eax, -4(%rdi,%rdx)
        xorl    %eax, %eax
        ret

.Lcopy_8_16:
        movq    (%rsi), %rcx
        movq    -8(%rsi,%rdx), %rax
        movq    %rcx, (%rdi)
        movq    %rax, -8(%rdi,%rdx)
        xorl    %eax, %eax
        ret

.Lcopy_above16:
        cmpq    $32, %rdx
        ja      .Lcopy_above32
        movdqu  (%rsi), %xmm0
        movdqu  -16(%rsi,%rdx), %xmm1
        movdqu  %xmm0, (%rdi)
        movdqu  %xmm1, -16(%rdi,%rdx)
        xorl    %eax, %eax
        ret

.Lcopy_above32:
        cmpq    $64, %rdx
        ja      .Lcopy_above64
        movdqu  (%rsi), %xmm0
        movdqu  16(%rsi), %xmm1
        movdqu  -32(%rsi,%rdx), %xmm2
        movdqu  -16(%rsi,%rdx), %xmm3
        movdqu  %xmm0, (%rdi)
        movdqu  %xmm1, 16(%rdi)
        movdqu  %xmm2, -32(%rdi,%rdx)
        movdqu  %xmm3, -16(%rdi,%rdx)
        xorl    %eax, %eax
        ret

.Lcopy_above64:
        cmpq    $MID_MAX, %rdx
        ja      .Lcopy_rep
        /* The last 64 bytes are stored last, overlapping the loop's last
         * block; the loop copies 64-byte blocks from the start while any
         * byte before them is left. */
        movdqu  -64(%rsi,%rdx), %xmm4
        movdqu  -48(%rsi,%rdx), %xmm5
        movdqu  -32(%rsi,%rdx), %xmm6
        movdqu  -16(%rsi,%rdx), %xmm7
        leaq    -64(%rdx), %r10
        xorl    %eax, %eax
3:
        movdqu  (%rsi,%rax), %xmm0
        movdqu  16(%rsi,%rax), %xmm1
        movdqu  32(%rsi,%rax), %xmm2
        movdqu  48(%rsi,%rax), %xmm3
        movdqu  %xmm0, (%rdi,%rax)
        movdqu  %xmm1, 16(%rdi,%rax)
        movdqu  %xmm2, 32(%rdi,%rax)
        movdqu  %xmm3, 48(%rdi,%rax)
        addq    $64, %rax
        cmpq    %r10, %rax
        jb      3b
        movdqu  %xmm4, -64(%rdi,%rdx)
        movdqu  %xmm5, -48(%rdi,%rdx)
        movdqu  %xmm6, -32(%rdi,%rdx)
        movdqu  %xmm7, -16(%rdi,%rdx)
        xorl    %eax, %eax
        ret

.Lcopy_rep:
        movq    %rdx, %rcx
        rep movsb
.Lcopy_done:
        xorl    %eax, %eax
.Lcopy_end:
        ret
.Lcopy_fixup:
        /* %rax: the faulting address; region in %r8, its size in %r9 (no
         * instruction above writes them). In the region if
         * address - region < size, unsigned. */
        subq    %r8, %rax
        cmpq    %r9, %rax
        movl    $2, %eax
        movl    $1, %ecx
        cmovb   %ecx, %eax
        ret
END (mmap_guard_x86_copy)

/* The fixup table: { start, end, fixup } per routine, read by the SIGBUS
 * handler. A fault at an instruction in [start, end) resumes at fixup. */
        .section .data.rel.ro, "aw"
        .p2align 3
        .globl  mmap_guard_x86_fixups
        .hidden mmap_guard_x86_fixups
        .type   mmap_guard_x86_fixups, @object
mmap_guard_x86_fixups:
        .quad   .Lload_start, .Lload_end, .Lload_fixup
        .quad   .Lstore_start, .Lstore_end, .Lstore_fixup
        .quad   .Lcopy_start, .Lcopy_end, .Lcopy_fixup
        .size   mmap_guard_x86_fixups, . - mmap_guard_x86_fixups

        .globl  mmap_guard_x86_n_fixups
        .hidden mmap_guard_x86_n_fixups
        .type   mmap_guard_x86_n_fixups, @object
mmap_guard_x86_n_fixups:
        .quad   3
        .size   mmap_guard_x86_n_fixups, 8

        .section .note.GNU-stack, "", @progbits

#elif defined (__ELF__)
        /* Nothing here for this architecture; the stack stays
         * non-executable. */
        .section .note.GNU-stack, "", %progbits
#endif
