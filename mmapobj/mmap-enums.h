/* mmap-enums.h: access modes, protection, map flags and advice
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (MMAPOBJ_INSIDE) && !defined (MMAPOBJ_COMPILATION)
# error "Only <mmapobj/mmapobj.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * MmapAccess:
 * @MMAP_ACCESS_DEFAULT: use the map flags and protection as given
 *   (Python's `ACCESS_DEFAULT`)
 * @MMAP_ACCESS_READ: read-only, shared (Python's `ACCESS_READ`)
 * @MMAP_ACCESS_WRITE: read-write, writes reach the file (Python's
 *   `ACCESS_WRITE`)
 * @MMAP_ACCESS_COPY: read-write, copy-on-write: writes stay private
 *   (Python's `ACCESS_COPY`)
 *
 * How a map may be accessed. Any value other than %MMAP_ACCESS_DEFAULT
 * decides the map flags and protection itself and cannot be combined with
 * non-default ones.
 *
 * Since: 1.0
 */
typedef enum
{
  MMAP_ACCESS_DEFAULT = 0,
  MMAP_ACCESS_READ    = 1,
  MMAP_ACCESS_WRITE   = 2,
  MMAP_ACCESS_COPY    = 3,
} MmapAccess;

/**
 * MmapProt:
 * @MMAP_PROT_NONE: no access (reads and writes are refused with
 *   %MMAP_ERROR_NOT_ACCESSIBLE instead of crashing)
 * @MMAP_PROT_READ: pages may be read
 * @MMAP_PROT_WRITE: pages may be written
 * @MMAP_PROT_EXEC: pages may be executed
 *
 * Memory protection of a map, as `mmap(2)`'s `PROT_*`.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  MMAP_PROT_NONE  = 0,
  MMAP_PROT_READ  = 1 << 0,
  MMAP_PROT_WRITE = 1 << 1,
  MMAP_PROT_EXEC  = 1 << 2,
} MmapProt;

/**
 * MmapMapFlags:
 * @MMAP_MAP_NONE: no flags (invalid on its own: one of %MMAP_MAP_SHARED and
 *   %MMAP_MAP_PRIVATE is required)
 * @MMAP_MAP_SHARED: changes are shared with other maps of the same file
 * @MMAP_MAP_PRIVATE: changes are private (copy-on-write)
 * @MMAP_MAP_SHARED_VALIDATE: as %MMAP_MAP_SHARED, but the kernel refuses
 *   flags it does not know instead of ignoring them (`MAP_SHARED_VALIDATE`,
 *   which is `MAP_SHARED | MAP_PRIVATE`: Python passes that combination on
 *   as it is). Since: 1.0
 * @MMAP_MAP_ANONYMOUS: the map is not backed by a file (Python's
 *   `MAP_ANONYMOUS` and `MAP_ANON`)
 * @MMAP_MAP_ADDR_32BIT: map in the first 2 GiB (x86-64; Python's `MAP_32BIT`)
 * @MMAP_MAP_GROWSDOWN: the map grows downwards (stacks)
 * @MMAP_MAP_DENYWRITE: ignored by the kernel
 * @MMAP_MAP_EXECUTABLE: ignored by the kernel
 * @MMAP_MAP_LOCKED: lock the pages in memory
 * @MMAP_MAP_NORESERVE: do not reserve swap space
 * @MMAP_MAP_POPULATE: prefault the pages
 * @MMAP_MAP_NONBLOCK: with %MMAP_MAP_POPULATE, do not block on I/O
 * @MMAP_MAP_STACK: the map is a stack
 * @MMAP_MAP_HUGETLB: use huge pages (needs reserved huge pages) of the
 *   system's default size
 * @MMAP_MAP_HUGE_2MB: with %MMAP_MAP_HUGETLB, 2 MiB pages (`MAP_HUGE_2MB`)
 * @MMAP_MAP_HUGE_1GB: with %MMAP_MAP_HUGETLB, 1 GiB pages (`MAP_HUGE_1GB`)
 * @MMAP_MAP_SYNC: writes through the map are durable once the CPU has
 *   written them back, on a file system with direct access to persistent
 *   memory (`MAP_SYNC`); only with %MMAP_MAP_SHARED_VALIDATE, and refused
 *   (`EOPNOTSUPP`) by other file systems
 *
 * Flags for `mmap(2)`, with the Linux values. Exactly one of
 * %MMAP_MAP_SHARED, %MMAP_MAP_PRIVATE and %MMAP_MAP_SHARED_VALIDATE must
 * be given.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  MMAP_MAP_NONE       = 0,
  MMAP_MAP_SHARED     = 0x01,
  MMAP_MAP_PRIVATE    = 0x02,
  MMAP_MAP_SHARED_VALIDATE = 0x03,
  MMAP_MAP_ANONYMOUS  = 0x20,
  MMAP_MAP_ADDR_32BIT = 0x40,
  MMAP_MAP_GROWSDOWN  = 0x100,
  MMAP_MAP_DENYWRITE  = 0x800,
  MMAP_MAP_EXECUTABLE = 0x1000,
  MMAP_MAP_LOCKED     = 0x2000,
  MMAP_MAP_NORESERVE  = 0x4000,
  MMAP_MAP_POPULATE   = 0x8000,
  MMAP_MAP_NONBLOCK   = 0x10000,
  MMAP_MAP_STACK      = 0x20000,
  MMAP_MAP_HUGETLB    = 0x40000,
  MMAP_MAP_SYNC       = 0x80000,
  MMAP_MAP_HUGE_2MB   = 0x54000000,
  MMAP_MAP_HUGE_1GB   = 0x78000000,
} MmapMapFlags;

/**
 * MmapAdvice:
 * @MMAP_ADVICE_NORMAL: no special treatment (`MADV_NORMAL`)
 * @MMAP_ADVICE_RANDOM: expect random access (`MADV_RANDOM`)
 * @MMAP_ADVICE_SEQUENTIAL: expect sequential access (`MADV_SEQUENTIAL`)
 * @MMAP_ADVICE_WILLNEED: expect access soon (`MADV_WILLNEED`)
 * @MMAP_ADVICE_DONTNEED: do not expect access soon; private anonymous pages
 *   are zeroed (`MADV_DONTNEED`)
 * @MMAP_ADVICE_FREE: pages may be freed lazily; private anonymous maps only
 *   (`MADV_FREE`)
 * @MMAP_ADVICE_REMOVE: free the pages and punch a hole in the backing file:
 *   data is lost (`MADV_REMOVE`)
 * @MMAP_ADVICE_DONTFORK: do not share the pages with fork children
 *   (`MADV_DONTFORK`)
 * @MMAP_ADVICE_DOFORK: undo %MMAP_ADVICE_DONTFORK (`MADV_DOFORK`)
 * @MMAP_ADVICE_MERGEABLE: allow KSM merging (`MADV_MERGEABLE`)
 * @MMAP_ADVICE_UNMERGEABLE: undo %MMAP_ADVICE_MERGEABLE (`MADV_UNMERGEABLE`)
 * @MMAP_ADVICE_HUGEPAGE: enable transparent huge pages (`MADV_HUGEPAGE`)
 * @MMAP_ADVICE_NOHUGEPAGE: disable transparent huge pages
 *   (`MADV_NOHUGEPAGE`)
 * @MMAP_ADVICE_DONTDUMP: exclude from core dumps (`MADV_DONTDUMP`)
 * @MMAP_ADVICE_DODUMP: undo %MMAP_ADVICE_DONTDUMP (`MADV_DODUMP`)
 * @MMAP_ADVICE_WIPEONFORK: fork children see zeroes (`MADV_WIPEONFORK`,
 *   Linux 4.14; not in Python)
 * @MMAP_ADVICE_KEEPONFORK: undo %MMAP_ADVICE_WIPEONFORK (`MADV_KEEPONFORK`,
 *   Linux 4.14; not in Python)
 * @MMAP_ADVICE_COLD: deactivate the pages (`MADV_COLD`, Linux 5.4; not in
 *   Python)
 * @MMAP_ADVICE_PAGEOUT: reclaim the pages (`MADV_PAGEOUT`, Linux 5.4; not in
 *   Python)
 * @MMAP_ADVICE_POPULATE_READ: prefault readable, reporting errors instead of
 *   `SIGBUS` (`MADV_POPULATE_READ`, Linux 5.14; not in Python)
 * @MMAP_ADVICE_POPULATE_WRITE: prefault writable (`MADV_POPULATE_WRITE`,
 *   Linux 5.14; not in Python)
 * @MMAP_ADVICE_DONTNEED_LOCKED: like %MMAP_ADVICE_DONTNEED, for locked pages
 *   too (`MADV_DONTNEED_LOCKED`, Linux 5.18; not in Python)
 * @MMAP_ADVICE_COLLAPSE: collapse into transparent huge pages
 *   (`MADV_COLLAPSE`, Linux 6.1; not in Python)
 * @MMAP_ADVICE_HWPOISON: poison the pages (root only; `MADV_HWPOISON`)
 * @MMAP_ADVICE_SOFT_OFFLINE: soft-offline the pages (root only;
 *   `MADV_SOFT_OFFLINE`; not in Python)
 *
 * Advice for [method@Mmap.Object.madvise], with the Linux values. A kernel
 * that does not know an advice reports %MMAP_ERROR_NOT_SUPPORTED.
 *
 * Since: 1.0
 */
typedef enum
{
  MMAP_ADVICE_NORMAL          = 0,
  MMAP_ADVICE_RANDOM          = 1,
  MMAP_ADVICE_SEQUENTIAL      = 2,
  MMAP_ADVICE_WILLNEED        = 3,
  MMAP_ADVICE_DONTNEED        = 4,
  MMAP_ADVICE_FREE            = 8,
  MMAP_ADVICE_REMOVE          = 9,
  MMAP_ADVICE_DONTFORK        = 10,
  MMAP_ADVICE_DOFORK          = 11,
  MMAP_ADVICE_MERGEABLE       = 12,
  MMAP_ADVICE_UNMERGEABLE     = 13,
  MMAP_ADVICE_HUGEPAGE        = 14,
  MMAP_ADVICE_NOHUGEPAGE      = 15,
  MMAP_ADVICE_DONTDUMP        = 16,
  MMAP_ADVICE_DODUMP          = 17,
  MMAP_ADVICE_WIPEONFORK      = 18,
  MMAP_ADVICE_KEEPONFORK      = 19,
  MMAP_ADVICE_COLD            = 20,
  MMAP_ADVICE_PAGEOUT         = 21,
  MMAP_ADVICE_POPULATE_READ   = 22,
  MMAP_ADVICE_POPULATE_WRITE  = 23,
  MMAP_ADVICE_DONTNEED_LOCKED = 24,
  MMAP_ADVICE_COLLAPSE        = 25,
  MMAP_ADVICE_HWPOISON        = 100,
  MMAP_ADVICE_SOFT_OFFLINE    = 101,
} MmapAdvice;

/**
 * MmapMemfdFlags:
 * @MMAP_MEMFD_NONE: no flags: memory that cannot be sealed
 * @MMAP_MEMFD_ALLOW_SEALING: the memory can be sealed
 *   ([method@Mmap.Object.add_seals]; `MFD_ALLOW_SEALING`)
 * @MMAP_MEMFD_HUGETLB: huge pages of the system's default size
 *   (`MFD_HUGETLB`); needs reserved huge pages
 * @MMAP_MEMFD_HUGE_2MB: 2 MiB huge pages (`MFD_HUGETLB | MFD_HUGE_2MB`)
 * @MMAP_MEMFD_HUGE_1GB: 1 GiB huge pages (`MFD_HUGETLB | MFD_HUGE_1GB`)
 *
 * Flags for [ctor@Mmap.Object.new_memfd]. The memfd is always
 * close-on-exec (`MFD_CLOEXEC`): pass it on with
 * [method@Mmap.Object.dup_fd] and a #GUnixFDList, not by inheritance.
 * At most one of the huge page sizes may be given.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  MMAP_MEMFD_NONE          = 0,
  MMAP_MEMFD_ALLOW_SEALING = 1 << 0,
  MMAP_MEMFD_HUGETLB       = 1 << 1,
  MMAP_MEMFD_HUGE_2MB      = 1 << 2,
  MMAP_MEMFD_HUGE_1GB      = 1 << 3,
} MmapMemfdFlags;

/**
 * MmapSeals:
 * @MMAP_SEALS_NONE: no seals
 * @MMAP_SEALS_SEAL: no further seals can be added (`F_SEAL_SEAL`)
 * @MMAP_SEALS_SHRINK: the memory cannot shrink (`F_SEAL_SHRINK`): maps of it
 *   can never fault with `SIGBUS`
 * @MMAP_SEALS_GROW: the memory cannot grow (`F_SEAL_GROW`)
 * @MMAP_SEALS_WRITE: the memory cannot be written by anyone, through maps or
 *   write(2) (`F_SEAL_WRITE`); refused while writable shared maps of it
 *   exist
 * @MMAP_SEALS_FUTURE_WRITE: no new writable maps and no write(2)
 *   (`F_SEAL_FUTURE_WRITE`, Linux 5.1); writable maps made before it keep
 *   writing
 *
 * The seals of a memfd (`fcntl(2)`'s `F_SEAL_*`, with their values): what
 * nobody, the sender included, can do to the memory any more. A receiver
 * checks them with [method@Mmap.Object.check_seals] or
 * [ctor@Mmap.Object.new_from_fd_list].
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  MMAP_SEALS_NONE         = 0,
  MMAP_SEALS_SEAL         = 0x0001,
  MMAP_SEALS_SHRINK       = 0x0002,
  MMAP_SEALS_GROW         = 0x0004,
  MMAP_SEALS_WRITE        = 0x0008,
  MMAP_SEALS_FUTURE_WRITE = 0x0010,
} MmapSeals;

/**
 * MmapLockFlags:
 * @MMAP_LOCK_DEFAULT: bring every page in and keep it there
 * @MMAP_LOCK_ON_FAULT: keep pages in memory once they are touched, without
 *   bringing the others in (`MLOCK_ONFAULT`)
 *
 * Flags for [method@Mmap.Object.lock].
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  MMAP_LOCK_DEFAULT  = 0,
  MMAP_LOCK_ON_FAULT = 1 << 0,
} MmapLockFlags;

/**
 * MmapSyncFlags:
 * @MMAP_SYNC_DEFAULT: write back and wait (`MS_SYNC`)
 * @MMAP_SYNC_ASYNC: schedule the write-back and return at once (`MS_ASYNC`)
 * @MMAP_SYNC_INVALIDATE: also drop other maps' cached copies of the file's
 *   pages, so that they see what was written (`MS_INVALIDATE`)
 *
 * How [method@Mmap.Object.flush_range_full] writes a map back.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/
{
  MMAP_SYNC_DEFAULT    = 0,
  MMAP_SYNC_ASYNC      = 1 << 0,
  MMAP_SYNC_INVALIDATE = 1 << 1,
} MmapSyncFlags;

G_END_DECLS
