/* mmap-error-private.h: errno reporting shared inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean mmap_set_error_from_errno (GError     **error,
                                    int          errsv,
                                    const char  *format,
                                    ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
