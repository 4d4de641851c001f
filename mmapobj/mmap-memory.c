/* mmap-memory.c: control of a map's memory: locking, protection,
 * residency, and what fork children see
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Protection and the no-fault promise. Every call checks the map's
 * effective protection (MmapObject.prot) before it touches memory, so a
 * map protected PROT_NONE refuses reads instead of crashing. A range can
 * be protected differently from the rest; while it is, the effective
 * protection is the strictest of all pages (page_prot holds each page's),
 * and calls that need more are refused for the whole map. protect() of the
 * whole map makes it uniform again. resize() waits for that: mremap()
 * would carry the ranges along in ways the object would have to guess.
 *
 * Fork. Memory advised DONTFORK is not there in a fork child; a map of it
 * is closed in the child (pthread_atfork()), so that it refuses every
 * call instead of crashing on the missing pages. WIPEONFORK memory is
 * there, zeroed: those maps stay open.
 */

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/resource.h>

#include "mmap-error-private.h"
#include "mmap-object-private.h"

/* The map's range [offset, offset + *length), -1 for the rest; its
 * position in the mapping, and FALSE with error set when it does not fit
 * or the map is closed. */
static gboolean
check_range (MmapObject  *self,
             const char  *op,
             gsize        offset,
             gssize      *length,
             GError     **error)
{
  return mmap_object_check_open (self, op, error)
         && mmap_object_check_window (self, op, offset, length, error);
}

/* ------------------------------------------------------------------ */
/* Locking                                                            */

static gboolean
lock_range (MmapObject     *self,
            const char     *op,
            gsize           offset,
            gssize          length,
            gboolean        lock,
            MmapLockFlags   flags,
            GError        **error)
{
  struct rlimit limit;
  int errsv;

  if (!mmap_check_flags (MMAP_TYPE_LOCK_FLAGS, flags, op, error))
    return FALSE;

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    if (!check_range (self, op, offset, &length, error))
      return FALSE;
    errsv = mmap_mapping_lock (self->mapping, self->delta + offset,
                               (gsize) length, lock,
                               (flags & MMAP_LOCK_ON_FAULT) != 0);
  }

  if (errsv == 0)
    return TRUE;
  /* Without the system call (kernels before 4.4, valgrind), glibc's
   * mlock2() falls back on mlock(), or fails with EINVAL when asked to
   * lock on fault. */
  if (errsv == ENOSYS || (errsv == EINVAL && (flags & MMAP_LOCK_ON_FAULT)))
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_NOT_SUPPORTED,
                   "%s: locking on fault needs mlock2(), which this system "
                   "lacks", op);
      return FALSE;
    }
  if (lock && (errsv == ENOMEM || errsv == EPERM || errsv == EAGAIN)
      && getrlimit (RLIMIT_MEMLOCK, &limit) == 0)
    {
      if (limit.rlim_cur == RLIM_INFINITY)
        return mmap_set_error_from_errno (error, errsv,
                                          "%s: %" G_GSSIZE_FORMAT " bytes at "
                                          "offset %" G_GSIZE_FORMAT " could "
                                          "not be locked", op, length,
                                          offset);
      return mmap_set_error_from_errno (error, errsv,
                                        "%s: %" G_GSSIZE_FORMAT " bytes at "
                                        "offset %" G_GSIZE_FORMAT " could not "
                                        "be locked: the locked-memory limit "
                                        "is %" G_GUINT64_FORMAT " bytes "
                                        "(RLIMIT_MEMLOCK, `ulimit -l`)",
                                        op, length, offset,
                                        (guint64) limit.rlim_cur);
    }
  return mmap_set_error_from_errno (error, errsv,
                                    "%s: %" G_GSSIZE_FORMAT " bytes at offset %"
                                    G_GSIZE_FORMAT, op, length, offset);
}

/**
 * mmap_object_lock:
 * @self: a map
 * @flags: %MMAP_LOCK_ON_FAULT to lock pages only as they are touched
 * @error: return location for a #GError
 *
 * Locks the whole map in memory (`mlock2(2)`): its pages are brought in
 * (unless %MMAP_LOCK_ON_FAULT) and never paged out until
 * [method@Mmap.Object.unlock] or until the map is closed.
 *
 * Returns: %TRUE on success, %FALSE with @error set: beyond the
 *   locked-memory limit (`RLIMIT_MEMLOCK`, named in the message) the
 *   kernel refuses with `ENOMEM` or `EPERM`
 *
 * Since: 1.0
 */
gboolean
mmap_object_lock (MmapObject     *self,
                  MmapLockFlags   flags,
                  GError        **error)
{
  return mmap_object_lock_range (self, 0, -1, flags, error);
}

/**
 * mmap_object_lock_range:
 * @self: a map
 * @offset: the first byte to lock, from the start of the map
 * @length: the number of bytes, or -1 for the rest of the map
 * @flags: %MMAP_LOCK_ON_FAULT to lock pages only as they are touched
 * @error: return location for a #GError
 *
 * Locks the pages that hold [@offset, @offset + @length) in memory, as
 * [method@Mmap.Object.lock] does for the whole map.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_lock_range (MmapObject     *self,
                        gsize           offset,
                        gssize          length,
                        MmapLockFlags   flags,
                        GError        **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return lock_range (self, "lock", offset, length, TRUE, flags, error);
}

/**
 * mmap_object_unlock:
 * @self: a map
 * @error: return location for a #GError
 *
 * Unlocks the whole map (`munlock(2)`): its pages may be paged out again.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_unlock (MmapObject  *self,
                    GError     **error)
{
  return mmap_object_unlock_range (self, 0, -1, error);
}

/**
 * mmap_object_unlock_range:
 * @self: a map
 * @offset: the first byte to unlock, from the start of the map
 * @length: the number of bytes, or -1 for the rest of the map
 * @error: return location for a #GError
 *
 * Unlocks the pages that hold [@offset, @offset + @length).
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_unlock_range (MmapObject  *self,
                          gsize        offset,
                          gssize       length,
                          GError     **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return lock_range (self, "unlock", offset, length, FALSE, 0, error);
}

/* ------------------------------------------------------------------ */
/* Protection                                                         */

/* Whether @prot may be set on the map: only protections it was made
 * with can be given back. */
static gboolean
check_prot (MmapObject  *self,
            const char  *op,
            MmapProt     prot,
            GError     **error)
{
  MmapProt extra = prot & ~self->max_prot;

  if (!mmap_check_flags (MMAP_TYPE_PROT, prot, op, error))
    return FALSE;
  if (extra & MMAP_PROT_WRITE)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY,
                   "%s: the map is read-only: protection cannot add "
                   "PROT_WRITE", op);
      return FALSE;
    }
  if (extra != 0)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT,
                   "%s: protection 0x%x adds to what the map was made with "
                   "(0x%x): protect() only takes away and gives back", op,
                   (guint) prot, (guint) self->max_prot);
      return FALSE;
    }
  /* A view (a Python memoryview, a gjs array over it) would fault where
   * its holder reads or writes: nothing is taken away while one lives. */
  if (prot != self->max_prot && self->mapping != NULL
      && mmap_mapping_n_extra (self->mapping) > 0)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_EXPORTS_EXIST,
                   "%s: cannot take protection away while %u views of the "
                   "map exist", op, mmap_mapping_n_extra (self->mapping));
      return FALSE;
    }
  return TRUE;
}

static gboolean
protect_pages (MmapObject  *self,
               const char  *op,
               gsize        offset,
               gsize        length,
               MmapProt     prot,
               GError     **error)
{
  int errsv;

  if (self->mapping == NULL)
    return TRUE;
  errsv = mmap_mapping_protect (self->mapping, self->delta + offset, length,
                                (int) prot);
  if (errsv != 0)
    return mmap_set_error_from_errno (error, errsv,
                                      "%s: mprotect(0x%x) of %" G_GSIZE_FORMAT
                                      " bytes at offset %" G_GSIZE_FORMAT, op,
                                      (guint) prot, length, offset);
  return TRUE;
}

/**
 * mmap_object_protect:
 * @self: a map
 * @prot: the new protection: at most the protection the map was made with
 * @error: return location for a #GError
 *
 * Changes the protection of the whole map (`mprotect(2)`), for example to
 * %MMAP_PROT_NONE while the data must not be touched, and back. The map
 * follows: after %MMAP_PROT_NONE, reads fail with
 * %MMAP_ERROR_NOT_ACCESSIBLE instead of crashing; after %MMAP_PROT_READ,
 * writes fail with %MMAP_ERROR_READ_ONLY. Only protections the map was
 * made with can be given back: a read-only map cannot become writable.
 * While views exist ([method@Mmap.Object.view], Python memoryviews,
 * streams), protection can be given back but not taken away
 * (%MMAP_ERROR_EXPORTS_EXIST), since reading a view would then fault.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_protect (MmapObject  *self,
                     MmapProt     prot,
                     GError     **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_auto(MmapChangeScope) scope = mmap_change_scope_enter (self);

    if (!mmap_object_check_open (self, "protect", error)
        || !check_prot (self, "protect", prot, error)
        || !protect_pages (self, "protect", 0, self->length, prot, error))
      return FALSE;
    self->prot = prot;
    g_clear_pointer (&self->page_prot, g_free);
    return TRUE;
  }
}

/* Sets the effective protection to the strictest page's, or the pages'
 * own when they all agree (then page_prot goes). */
static void
update_effective_prot (MmapObject *self,
                       gsize       n_pages)
{
  guint8 all = 0xff;
  gboolean uniform = TRUE;

  for (gsize i = 0; i < n_pages; i++)
    {
      all &= self->page_prot[i];
      uniform = uniform && self->page_prot[i] == self->page_prot[0];
    }
  self->prot = (MmapProt) all;
  if (uniform)
    g_clear_pointer (&self->page_prot, g_free);
}

/**
 * mmap_object_protect_range:
 * @self: a map
 * @offset: the first byte, from the start of the map
 * @length: the number of bytes, or -1 for the rest of the map
 * @prot: the new protection: at most the protection the map was made with
 * @error: return location for a #GError
 *
 * Changes the protection of the pages that hold [@offset, @offset +
 * @length) (`mprotect(2)` works on whole pages: bytes that share a page
 * with the range change too). Until the whole map has one protection
 * again, the map refuses every call that needs more than its most
 * strictly protected page allows, whatever range the call touches, so
 * that no call can fault; and [method@Mmap.Object.resize] is refused.
 * As for [method@Mmap.Object.protect], nothing is taken away while views
 * exist.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_protect_range (MmapObject  *self,
                           gsize        offset,
                           gssize       length,
                           MmapProt     prot,
                           GError     **error)
{
  gsize first, n, n_pages;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_auto(MmapChangeScope) scope = mmap_change_scope_enter (self);

    if (!check_range (self, "protect", offset, &length, error)
        || !check_prot (self, "protect", prot, error))
      return FALSE;
    if (length == 0 || self->mapping == NULL)
      return TRUE;
    if (!protect_pages (self, "protect", offset, (gsize) length, prot, error))
      return FALSE;

    /* Every page of the mapping had the effective protection until now. */
    mmap_mapping_page_span (self->mapping, 0,
                            mmap_mapping_get_size (self->mapping), &first,
                            &n_pages);
    if (self->page_prot == NULL)
      {
        self->page_prot = g_malloc (n_pages);
        memset (self->page_prot, (int) self->prot, n_pages);
      }
    mmap_mapping_page_span (self->mapping, self->delta + offset,
                            (gsize) length, &first, &n);
    memset (self->page_prot + first, (int) prot, n);
    update_effective_prot (self, n_pages);
    return TRUE;
  }
}

/* ------------------------------------------------------------------ */
/* Residency                                                          */

/* One byte a page of [offset, offset + length), 1 when resident; NULL
 * with error set. */
static guint8 *
residency (MmapObject  *self,
           gsize        offset,
           gssize       length,
           gsize       *n_pages,
           GError     **error)
{
  g_autofree guint8 *vec = NULL;
  gsize first;
  int errsv;

  g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

  if (!check_range (self, "get_residency", offset, &length, error))
    return NULL;
  if (length == 0 || self->mapping == NULL)
    {
      *n_pages = 0;
      return g_malloc (1);
    }
  mmap_mapping_page_span (self->mapping, self->delta + offset, (gsize) length,
                          &first, n_pages);
  vec = g_malloc (*n_pages);
  errsv = mmap_mapping_residency (self->mapping, self->delta + offset,
                                  (gsize) length, vec);
  if (errsv != 0)
    {
      mmap_set_error_from_errno (error, errsv, "get_residency: mincore of %"
                                 G_GSSIZE_FORMAT " bytes at offset %"
                                 G_GSIZE_FORMAT, length, offset);
      return NULL;
    }
  return g_steal_pointer (&vec);
}

/**
 * mmap_object_get_residency:
 * @self: a map
 * @offset: the first byte, from the start of the map
 * @length: the number of bytes, or -1 for the rest of the map
 * @n_pages: (out): return location for the number of pages that hold the
 *   range
 * @error: return location for a #GError
 *
 * How much of a range is in memory (`mincore(2)`): the number of its
 * pages that are resident, out of @n_pages. Useful to show how much of a
 * file is cached, or to see [method@Mmap.Object.populate] and
 * %MMAP_ADVICE_PAGEOUT at work. In Python and JavaScript the result is a
 * pair `(resident, n_pages)`.
 *
 * Returns: the number of resident pages, or -1 with @error set
 *
 * Since: 1.0
 */
gssize
mmap_object_get_residency (MmapObject  *self,
                           gsize        offset,
                           gssize       length,
                           gsize       *n_pages,
                           GError     **error)
{
  g_autofree guint8 *vec = NULL;
  gsize n = 0, resident = 0;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  vec = residency (self, offset, length, &n, error);
  if (vec == NULL)
    return -1;
  for (gsize i = 0; i < n; i++)
    resident += vec[i];
  if (n_pages != NULL)
    *n_pages = n;
  return (gssize) resident;
}

/**
 * mmap_object_get_residency_map:
 * @self: a map
 * @offset: the first byte, from the start of the map
 * @length: the number of bytes, or -1 for the rest of the map
 * @error: return location for a #GError
 *
 * Which pages of a range are in memory (`mincore(2)`): one byte a page,
 * 1 when it is resident and 0 when not, from the page that holds @offset.
 *
 * Returns: (transfer full): the bytes, or %NULL with @error set
 *
 * Since: 1.0
 */
GBytes *
mmap_object_get_residency_map (MmapObject  *self,
                               gsize        offset,
                               gssize       length,
                               GError     **error)
{
  guint8 *vec;
  gsize n = 0;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  vec = residency (self, offset, length, &n, error);
  return vec != NULL ? g_bytes_new_take (vec, n) : NULL;
}

/* ------------------------------------------------------------------ */
/* Fork children                                                      */

static GMutex fork_lock;
static GPtrArray *dontfork_maps;   /* of MmapObject *, unowned */

static void
fork_prepare (void)
{
  g_mutex_lock (&fork_lock);
}

static void
fork_parent (void)
{
  g_mutex_unlock (&fork_lock);
}

/* In the child, only this thread exists: nobody else holds the objects'
 * locks or is inside their gates, whatever the parent's threads were
 * doing, so their state is reset rather than waited for. */
static void
fork_child (void)
{
  mmap_readers_forget_other_threads ();
  for (guint i = 0; dontfork_maps != NULL && i < dontfork_maps->len; i++)
    {
      MmapObject *self = g_ptr_array_index (dontfork_maps, i);

      g_mutex_init (&self->lock);
      self->readers = (MmapReaders) { 0 };
      mmap_object_release (self);
      self->closed = TRUE;
      self->dontfork = FALSE;
    }
  if (dontfork_maps != NULL)
    g_ptr_array_set_size (dontfork_maps, 0);
  g_mutex_unlock (&fork_lock);
}

/* Records whether the map has memory advised DONTFORK, so that a fork
 * child sees it closed. Call in a scope of the object. */
void
mmap_object_set_dontfork (MmapObject *self,
                          gboolean    dontfork)
{
  static gsize handlers_installed;

  if (g_once_init_enter (&handlers_installed))
    {
      pthread_atfork (fork_prepare, fork_parent, fork_child);
      g_once_init_leave (&handlers_installed, 1);
    }

  g_mutex_lock (&fork_lock);
  if (dontfork_maps == NULL)
    dontfork_maps = g_ptr_array_new ();
  if (dontfork && !self->dontfork)
    g_ptr_array_add (dontfork_maps, self);
  else if (!dontfork && self->dontfork)
    g_ptr_array_remove_fast (dontfork_maps, self);
  self->dontfork = dontfork;
  g_mutex_unlock (&fork_lock);
}
