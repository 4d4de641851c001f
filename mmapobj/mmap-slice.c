/* mmap-slice.c: Python's index and slice arithmetic
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "mmap-slice-private.h"

/* PySlice_AdjustIndices() for a sequence of @length. */
gsize
mmap_slice_adjust (gsize   length,
                   gssize *start,
                   gssize *stop,
                   gssize  step)
{
  gssize len = (gssize) length;

  if (*start < 0)
    {
      *start += len;
      if (*start < 0)
        *start = step < 0 ? -1 : 0;
    }
  else if (*start >= len)
    *start = step < 0 ? len - 1 : len;

  if (*stop < 0)
    {
      *stop += len;
      if (*stop < 0)
        *stop = step < 0 ? -1 : 0;
    }
  else if (*stop >= len)
    *stop = step < 0 ? len - 1 : len;

  if (step < 0)
    {
      if (*stop < *start)
        return (gsize) ((*start - *stop - 1) / (-step) + 1);
    }
  else if (*start < *stop)
    return (gsize) ((*stop - *start - 1) / step + 1);

  return 0;
}

gsize
mmap_slice_clamp_bound (gssize value,
                        gsize  length)
{
  if (value < 0)
    {
      value += (gssize) length;
      if (value < 0)
        value = 0;
    }
  if ((gsize) value > length)
    return length;
  return (gsize) value;
}

gboolean
mmap_slice_check_step (gssize *step)
{
  if (*step == 0)
    return FALSE;
  /* As PySlice_Unpack(): -step must not overflow. */
  if (*step < -G_MAXSSIZE)
    *step = -G_MAXSSIZE;
  return TRUE;
}
