/* mmap-error.c: the MmapError domain and errno reporting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

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
GQuark
mmap_error_quark (void)
{
  /* Not G_DEFINE_QUARK: its plain static is a data race when the first
   * errors of several threads happen at once. */
  static GQuark quark = 0;
  GQuark q = (GQuark) g_atomic_int_get ((gint *) &quark);

  if (G_UNLIKELY (q == 0))
    {
      q = g_quark_from_static_string ("mmap-error-quark");
      g_atomic_int_set ((gint *) &quark, (gint) q);
    }
  return q;
}

/* The suffix of every OS error: Python's "[Errno N] strerror". */
#define ERRNO_TAG ": [Errno "

/*
 * Sets @error to a G_IO_ERROR from @errsv. The message is the formatted
 * text followed by Python's "[Errno N] strerror"; this is the only place
 * the library makes an error from an errno, and mmap_error_get_errno()
 * below reads the errno back from exactly this shape.
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
               "%s" ERRNO_TAG "%d] %s", what, errsv, g_strerror (errsv));
  return FALSE;
}

/**
 * mmap_error_get_errno:
 * @error: (nullable): an error reported by libmmapobj, or %NULL
 *
 * The `errno` of a failure the library reported: the error of a failed
 * system call, or of a `SIGBUS` turned into `EIO`, in the `G_IO_ERROR`
 * domain, `EINVAL` for %MMAP_ERROR_NOT_SUPPORTED (the kernel refused
 * the request with `EINVAL`, which Python reports as `OSError`), and
 * `EPERM` for %MMAP_ERROR_SEALS_MISSING (Python's `PermissionError`). Every
 * other error, and %NULL, gives 0: the library's own [error@Mmap.Error]
 * codes have no OS cause (%MMAP_ERROR_NO_TRACKED_FD included), and neither
 * has an error that another library made.
 *
 * Bindings can call it with a caught error: `Mmap.error_get_errno(e)` in
 * Python and JavaScript, `Mmap.Error.get_errno (e)` in Vala. The message
 * format is unchanged: it still ends in `[Errno N] text`, as Python prints
 * it.
 *
 * Returns: the errno, a positive number, or 0 when @error has none
 *
 * Since: 1.0
 */
int
mmap_error_get_errno (const GError *error)
{
  const char *tag;
  const char *p;
  gint64 errsv = 0;

  /*
   * Where the errno lives. A GError has only a domain, a code and a
   * message, and only those survive g_error_copy(), g_propagate_error()
   * and a binding's round trip (PyGObject and gjs rebuild a GError from
   * domain, code and message when a caught error is passed back to C).
   * A table keyed by the GError pointer loses every copy; an extended
   * error domain (G_DEFINE_EXTENDED_ERROR) would need a domain of our own
   * instead of G_IO_ERROR, and bindings drop its private data anyway. So
   * the message is the carrier, and it is read strictly: the domain is
   * G_IO_ERROR, the message ends in the exact suffix that
   * mmap_set_error_from_errno() writes, ": [Errno N] " followed by
   * g_strerror (N) and nothing else, N is a positive decimal number without
   * sign or leading zero, and the code is g_io_error_from_errno (N). An
   * error that someone else made, with another message, code or domain,
   * gives 0.
   */
  if (error == NULL || error->message == NULL)
    return 0;

  if (error->domain == MMAP_ERROR)
    switch (error->code)
      {
      case MMAP_ERROR_NOT_SUPPORTED:
        return EINVAL;
      case MMAP_ERROR_SEALS_MISSING:
        return EPERM;
      default:
        return 0;
      }

  if (error->domain != G_IO_ERROR)
    return 0;

  /* The suffix is the last tag: g_strerror() texts contain none. */
  tag = g_strrstr (error->message, ERRNO_TAG);
  if (tag == NULL)
    return 0;

  p = tag + strlen (ERRNO_TAG);
  if (*p < '1' || *p > '9')
    return 0;
  for (; *p >= '0' && *p <= '9'; p++)
    {
      errsv = errsv * 10 + (*p - '0');
      if (errsv > G_MAXINT)
        return 0;
    }

  if (p[0] != ']' || p[1] != ' ')
    return 0;
  if (strcmp (p + 2, g_strerror ((int) errsv)) != 0)
    return 0;
  if (error->code != (int) g_io_error_from_errno ((int) errsv))
    return 0;

  return (int) errsv;
}
