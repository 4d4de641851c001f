/* mmap-error.c: the MmapError domain and errno reporting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdarg.h>

#include <gio/gio.h>

#include "mmap-error.h"
#include "mmap-error-private.h"

/**
 * mmap_error_quark:
 *
 * The quark of the [error@Mmap.Error] domain.
 *
 * Returns: the error domain quark
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (mmap-error-quark, mmap_error)

/*
 * Sets @error to a G_IO_ERROR from @errsv. The message is the formatted
 * text followed by Python's "[Errno N] strerror" so that bindings can
 * recover the errno (the Python override raises OSError with it).
 */
gboolean
mmap_set_error_from_errno (GError     **error,
                           int          errsv,
                           const char  *format,
                           ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               "%s: [Errno %d] %s", what, errsv, g_strerror (errsv));
  return FALSE;
}
