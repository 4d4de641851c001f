/* mmap-search-private.h: forward and reverse substring search
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * find() and rfind() over a map's bytes. Both only read the haystack and
 * the needle: they allocate nothing, take no lock and make no system
 * call, so they can run under the SIGBUS guard (mmap-guard-private.h).
 * Forward search is glibc's memmem(); reverse search mirrors it: memrchr()
 * for one byte, a shift table over hashed byte pairs for needles up to 256
 * bytes, and the Two-Way algorithm (linear in the worst case) beyond.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The lowest i with hay[i .. i + needle_len) equal to the needle, or -1.
 * An empty needle is found at 0. */
gssize  mmap_search_forward           (const guint8 *hay,
                                       gsize         hay_len,
                                       const guint8 *needle,
                                       gsize         needle_len);
/* The highest such i, or -1. An empty needle is found at hay_len. */
gssize  mmap_search_backward          (const guint8 *hay,
                                       gsize         hay_len,
                                       const guint8 *needle,
                                       gsize         needle_len);

/* The reverse Two-Way search alone, for any needle_len >= 1: the unit
 * tests run it on short needles too. */
gssize  mmap_search_backward_two_way  (const guint8 *hay,
                                       gsize         hay_len,
                                       const guint8 *needle,
                                       gsize         needle_len);

G_END_DECLS
