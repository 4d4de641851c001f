/* mmap-error.h: the MmapError domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (MMAPOBJ_INSIDE) && !defined (MMAPOBJ_COMPILATION)
# error "Only <mmapobj/mmapobj.h> can be included directly."
#endif

#include <glib.h>

#include "mmap-version-macros.h"

G_BEGIN_DECLS

/**
 * MMAP_ERROR:
 *
 * The error domain of libmmapobj: errors in it carry an [enum@Mmap.Error]
 * code. Failed system calls are reported in `G_IO_ERROR` instead;
 * [func@Mmap.Error.get_errno] gives their errno.
 *
 * Since: 1.0
 */
#define MMAP_ERROR (mmap_error_quark ())

/**
 * MmapError:
 * @MMAP_ERROR_CLOSED: the map is closed (Python: `ValueError`)
 * @MMAP_ERROR_NOT_INITIALIZED: the object was constructed without running
 *   [method@Gio.Initable.init] (Python: `ValueError`)
 * @MMAP_ERROR_OUT_OF_RANGE: a position, offset or size lies outside the map
 *   (Python: `ValueError`)
 * @MMAP_ERROR_INDEX_OUT_OF_RANGE: an index lies outside the map (Python:
 *   `IndexError`)
 * @MMAP_ERROR_READ_ONLY: the map cannot be modified (Python: `TypeError`)
 * @MMAP_ERROR_NOT_RESIZABLE: read-only and copy-on-write maps cannot be
 *   resized (Python: `TypeError`)
 * @MMAP_ERROR_EXPORTS_EXIST: zero-copy views of the map are alive (Python:
 *   `BufferError`)
 * @MMAP_ERROR_NO_TRACKED_FD: the map keeps no file descriptor (anonymous,
 *   or constructed with `track-fd` false) (Python: `ValueError` for resize,
 *   `OSError` EBADF for size)
 * @MMAP_ERROR_FILE_TOO_SMALL: the file is shorter than offset plus length
 *   (Python: `ValueError`)
 * @MMAP_ERROR_WRONG_SIZE: the data given for a slice assignment does not have
 *   the slice's length (Python: `IndexError`)
 * @MMAP_ERROR_INVALID_ARGUMENT: an argument has a value the call does not
 *   accept (Python: `ValueError`)
 * @MMAP_ERROR_OVERFLOW: a value is negative where it must not be, or too large
 *   (Python: `OverflowError`)
 * @MMAP_ERROR_NOT_ACCESSIBLE: the map's protection forbids the access, for
 *   example reading a `PROT_NONE` map (Python would crash; here: `ValueError`)
 * @MMAP_ERROR_NOT_SUPPORTED: the running kernel does not support the request,
 *   for example a newer `madvise()` advice (Python: `OSError` EINVAL)
 * @MMAP_ERROR_SEALS_MISSING: shared memory lacks seals its receiver
 *   requires, for example against shrinking (Python: `PermissionError`)
 *
 * Error codes in the [error@Mmap.Error] domain. Each code matches one class
 * of failure that Python's `mmap` reports with a distinct exception, so a
 * binding can always raise the same exception class Python raises.
 *
 * Since: 1.0
 */
typedef enum
{
  MMAP_ERROR_CLOSED,
  MMAP_ERROR_NOT_INITIALIZED,
  MMAP_ERROR_OUT_OF_RANGE,
  MMAP_ERROR_INDEX_OUT_OF_RANGE,
  MMAP_ERROR_READ_ONLY,
  MMAP_ERROR_NOT_RESIZABLE,
  MMAP_ERROR_EXPORTS_EXIST,
  MMAP_ERROR_NO_TRACKED_FD,
  MMAP_ERROR_FILE_TOO_SMALL,
  MMAP_ERROR_WRONG_SIZE,
  MMAP_ERROR_INVALID_ARGUMENT,
  MMAP_ERROR_OVERFLOW,
  MMAP_ERROR_NOT_ACCESSIBLE,
  MMAP_ERROR_NOT_SUPPORTED,
  MMAP_ERROR_SEALS_MISSING,
} MmapError;

MMAP_AVAILABLE_IN_ALL
GQuark mmap_error_quark     (void);
MMAP_AVAILABLE_IN_1_0
int    mmap_error_get_errno (const GError *error);

G_END_DECLS
