/* mmap-slice-private.h: Python's index and slice arithmetic
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Pure functions of a sequence's length, with CPython's exact rules:
 * negative indices count from the end, slices are clamped as
 * PySlice_AdjustIndices() clamps them, and find() bounds as
 * bytes.find() clamps them. An omitted slice bound is G_MAXSSIZE or
 * G_MINSSIZE, as PySlice_Unpack() gives it. No map is involved.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Clamps *start and *stop to a sequence of @length for a step of @step
 * (already checked by mmap_slice_check_step()); returns the item count. */
gsize     mmap_slice_adjust           (gsize   length,
                                       gssize *start,
                                       gssize *stop,
                                       gssize  step);
/* A find() bound: negative values count from the end, then the value is
 * clamped to [0, length]. */
gsize     mmap_slice_clamp_bound      (gssize  value,
                                       gsize   length);
/* FALSE for a step of 0; clamps a step below -G_MAXSSIZE to -G_MAXSSIZE
 * so that -step cannot overflow. */
gboolean  mmap_slice_check_step       (gssize *step);

/* Makes a negative *index count from the end; FALSE, leaving *index
 * unchanged, if it is out of range. (Inline: every m[i] passes here.) */
static inline gboolean
mmap_slice_normalize_index (gsize   length,
                            gssize *index)
{
  gssize i = *index;

  if (i < 0)
    i += (gssize) length;
  if (i < 0 || (gsize) i >= length)
    return FALSE;
  *index = i;
  return TRUE;
}

G_END_DECLS
