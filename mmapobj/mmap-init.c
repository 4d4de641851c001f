/* mmap-init.c: GInitable for MmapObject
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * All the fallible work of construction: the arguments are checked
 * against each other, the backing is set up (a file, from a path or a
 * file descriptor; or anonymous memory, behind a memfd when shared) and
 * mapped. A failure leaves no file descriptor or mapping behind, and is
 * remembered: init() again reports the same error.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmap-error-private.h"
#include "mmap-guard.h"
#include "mmap-object-private.h"

static gboolean
validate_arguments (MmapObject  *self,
                    GError     **error)
{
  MmapMapFlags sharing;

  if (self->offset < 0)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_OVERFLOW,
                   "mmap: memory mapped offset must be positive (got %"
                   G_GOFFSET_FORMAT ")", self->offset);
      return FALSE;
    }

  if (self->length_arg > (guint64) G_MAXSSIZE)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_OVERFLOW,
                   "mmap: memory mapped length %" G_GUINT64_FORMAT
                   " is too large", self->length_arg);
      return FALSE;
    }

  if (self->access_arg != MMAP_ACCESS_DEFAULT
      && (self->flags_arg != MMAP_MAP_SHARED || self->prot_arg != MMAP_PROT_RW))
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT,
                   "mmap: can't specify both access (%s) and flags (%d), "
                   "prot (%d)", mmap_access_name (self->access_arg),
                   (int) self->flags_arg, (int) self->prot_arg);
      return FALSE;
    }

  switch (self->access_arg)
    {
    case MMAP_ACCESS_READ:
      self->flags = MMAP_MAP_SHARED;
      self->prot = MMAP_PROT_READ;
      self->access = MMAP_ACCESS_READ;
      break;
    case MMAP_ACCESS_WRITE:
      self->flags = MMAP_MAP_SHARED;
      self->prot = MMAP_PROT_RW;
      self->access = MMAP_ACCESS_WRITE;
      break;
    case MMAP_ACCESS_COPY:
      self->flags = MMAP_MAP_PRIVATE;
      self->prot = MMAP_PROT_RW;
      self->access = MMAP_ACCESS_COPY;
      break;
    case MMAP_ACCESS_DEFAULT:
    default:
      self->flags = self->flags_arg;
      self->prot = self->prot_arg;
      if ((self->prot & MMAP_PROT_RW) == MMAP_PROT_RW)
        self->access = MMAP_ACCESS_DEFAULT;
      else if (self->prot & MMAP_PROT_WRITE)
        self->access = MMAP_ACCESS_WRITE;
      else
        self->access = MMAP_ACCESS_READ;
      break;
    }

  /* mmap() would say EINVAL; say it for zero-length maps too. Both
   * MAP_SHARED and MAP_PRIVATE is MAP_SHARED_VALIDATE. */
  sharing = self->flags & MMAP_MAP_SHARED_VALIDATE;
  if (sharing == 0)
    return mmap_set_error_from_errno (error, EINVAL,
                                      "mmap: flags %d must contain one of "
                                      "MAP_SHARED, MAP_PRIVATE and "
                                      "MAP_SHARED_VALIDATE",
                                      (int) self->flags);

  return TRUE;
}

static gboolean
open_path (MmapObject  *self,
           int         *out_fd,
           GError     **error)
{
  gboolean read_only;
  int fd;

  if (self->fd_arg != -1)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT,
                   "mmap: give either a path (%s) or a file descriptor (%d), "
                   "not both", self->path, self->fd_arg);
      return FALSE;
    }

  read_only = self->access == MMAP_ACCESS_READ
              || self->access == MMAP_ACCESS_COPY
              || !(self->prot & MMAP_PROT_WRITE);
  fd = open (self->path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int errsv = errno;
      return mmap_set_error_from_errno (error, errsv, "open: %s", self->path);
    }

  *out_fd = fd;
  return TRUE;
}

/* Works out the length from the file, as Python does, with our rules for
 * empty maps. */
static gboolean
resolve_length (MmapObject  *self,
                int          fd,
                gsize       *out_length,
                GError     **error)
{
  struct stat st;
  gsize length = (gsize) self->length_arg;

  if (fstat (fd, &st) != 0)
    {
      int errsv = errno;
      return mmap_set_error_from_errno (error, errsv, "fstat: fd %d", fd);
    }

  if (S_ISREG (st.st_mode))
    {
      if (length == 0)
        {
          if (self->offset > st.st_size)
            {
              g_set_error (error, MMAP_ERROR, MMAP_ERROR_FILE_TOO_SMALL,
                           "mmap: offset %" G_GOFFSET_FORMAT " is greater "
                           "than the file size %" G_GOFFSET_FORMAT,
                           self->offset, (goffset) st.st_size);
              return FALSE;
            }
          length = (gsize) (st.st_size - self->offset);
        }
      else if (self->offset > st.st_size
               || (guint64) (st.st_size - self->offset) < (guint64) length)
        {
          g_set_error (error, MMAP_ERROR, MMAP_ERROR_FILE_TOO_SMALL,
                       "mmap: length %" G_GSIZE_FORMAT " at offset %"
                       G_GOFFSET_FORMAT " is greater than the file size %"
                       G_GOFFSET_FORMAT, length, self->offset,
                       (goffset) st.st_size);
          return FALSE;
        }
    }
  else if (length == 0)
    {
      /* No size to take the rest of: mmap() would fail with EINVAL. */
      return mmap_set_error_from_errno (error, EINVAL,
                                        "mmap: length 0 needs a regular file "
                                        "(fd %d is not one)", fd);
    }

  *out_length = length;
  return TRUE;
}

/* A file backing, from a path or the caller's fd: sets fd, map_fd and the
 * page-aligned offset, and works out the length. */
static gboolean
init_file_backing (MmapObject  *self,
                   gsize       *out_length,
                   GError     **error)
{
  int own_fd = -1;     /* opened from path */
  int user_fd;

  if (self->path != NULL && !open_path (self, &own_fd, error))
    return FALSE;
  user_fd = own_fd != -1 ? own_fd : self->fd_arg;

  if (!resolve_length (self, user_fd, out_length, error))
    {
      if (own_fd != -1)
        close (own_fd);
      return FALSE;
    }

  if (own_fd != -1)
    {
      if (self->track_fd)
        self->fd = own_fd;
    }
  else if (self->track_fd)
    {
      int fd = fcntl (user_fd, F_DUPFD_CLOEXEC, 3);

      if (fd < 0)
        {
          int errsv = errno;
          return mmap_set_error_from_errno (error, errsv, "dup: fd %d",
                                            user_fd);
        }
      self->fd = fd;
    }

  /* The tracked fd outlives init(), so resize() can map from it; an
   * untracked one is used for the first mmap() only. */
  self->map_fd = self->fd != -1 ? self->fd : user_fd;
  self->map_flags = (int) self->flags;
  self->map_offset = self->offset
                     - self->offset % (goffset) mmap_get_page_size ();
  self->delta = (gsize) (self->offset - self->map_offset);
  return TRUE;
}

/* Anonymous memory: private, or shared through a memfd. */
static gboolean
init_anonymous_backing (MmapObject  *self,
                        gsize       *out_length,
                        GError     **error)
{
  gsize length = (gsize) self->length_arg;
  int errsv;

  self->flags |= MMAP_MAP_ANONYMOUS;
  self->map_flags = (int) self->flags;
  self->map_offset = 0;
  self->delta = 0;

  if (self->flags & MMAP_MAP_SHARED)
    {
      /* A memfd instead of MAP_SHARED|MAP_ANONYMOUS: the same shmem pages,
       * shared with fork children, but with a size that resize() can
       * change without SIGBUS beyond the old end. flags keeps
       * MAP_ANONYMOUS for callers; mmap() gets a shared file mapping. */
      unsigned int mfd_flags = MFD_CLOEXEC;

      /* Huge pages come from the memfd (MFD_HUGE_* are MAP_HUGE_*), and
       * mmap() of a file takes no MAP_HUGETLB. */
      if (self->flags & MMAP_MAP_HUGETLB)
        mfd_flags |= MFD_HUGETLB
                     | (self->flags & (MMAP_MAP_HUGE_2MB | MMAP_MAP_HUGE_1GB));
      self->map_flags &= ~(MMAP_MAP_HUGETLB | MMAP_MAP_HUGE_2MB
                           | MMAP_MAP_HUGE_1GB);
      self->anon_fd = memfd_create ("mmapobj", mfd_flags);
      if (self->anon_fd < 0)
        {
          errsv = errno;
          self->anon_fd = -1;
          return mmap_set_error_from_errno (error, errsv, "memfd_create");
        }
      errsv = mmap_file_truncate (self->anon_fd, (goffset) length);
      if (errsv != 0)
        {
          return mmap_set_error_from_errno (error, errsv,
                                            "ftruncate: anonymous map to %"
                                            G_GSIZE_FORMAT " bytes", length);
        }
      self->map_fd = self->anon_fd;
      self->map_flags &= ~MMAP_MAP_ANONYMOUS;
    }

  *out_length = length;
  return TRUE;
}

/* Only the memfd and the tracked fd outlive init(): an untracked fd is
 * used for the first mmap() only, and closed if init() opened it. */
static void
drop_first_map_fd (MmapObject *self)
{
  if (self->map_fd == self->anon_fd || self->map_fd == self->fd)
    return;
  if (self->path != NULL)
    close (self->map_fd);
  self->map_fd = -1;
}

static gboolean
init_locked (MmapObject  *self,
             GError     **error)
{
  g_autoptr(MmapMapping) mapping = mmap_mapping_new ();
  gsize length = 0;

  if (self->fd_arg < -1)
    return mmap_set_error_from_errno (error, EBADF,
                                      "mmap: fd %d is not a file descriptor",
                                      self->fd_arg);
  if (!validate_arguments (self, error))
    return FALSE;

  mmap_install_sigbus_guard ();

  if (self->path != NULL || self->fd_arg != -1
      ? !init_file_backing (self, &length, error)
      : !init_anonymous_backing (self, &length, error))
    {
      mmap_object_release (self);
      return FALSE;
    }

  if (length > 0)
    {
      MmapMapSpec spec = mmap_object_map_spec (self);
      int errsv = mmap_mapping_map (mapping, &spec, self->delta + length);

      if (errsv != 0)
        {
          mmap_set_error_from_errno (error, errsv,
                                     "mmap: cannot map %" G_GSIZE_FORMAT
                                     " bytes at offset %" G_GOFFSET_FORMAT,
                                     length, self->offset);
          if (errsv == ENOMEM && (self->flags & MMAP_MAP_HUGETLB))
            g_prefix_error (error, "no huge pages to spare (see "
                            "/proc/sys/vm/nr_hugepages): ");
          drop_first_map_fd (self);
          mmap_object_release (self);
          return FALSE;
        }
    }
  self->mapping = g_steal_pointer (&mapping);
  mmap_object_set_length (self, length);

  self->max_prot = self->prot;
  self->may_fault = (self->map_flags & MMAP_MAP_ANONYMOUS) == 0
                    || (self->map_flags & MMAP_MAP_HUGETLB) != 0;
  if (self->may_fault)
    mmap_object_update_may_fault (self, self->map_fd);

  drop_first_map_fd (self);

  return TRUE;
}

static gboolean
mmap_object_initable_init (GInitable     *initable,
                           GCancellable  *cancellable,
                           GError       **error)
{
  MmapObject *self = MMAP_OBJECT (initable);
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (MMAP_IS_OBJECT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_auto(MmapChangeScope) scope = mmap_change_scope_enter (self);

    if (self->initialized)
      return TRUE;
    if (self->closed)
      {
        g_set_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED,
                     "init: mmap closed or invalid (closed before init)");
        return FALSE;
      }
    if (self->init_error == NULL && init_locked (self, &local_error))
      {
        self->initialized = TRUE;
        return TRUE;
      }
    if (self->init_error == NULL)
      self->init_error = g_steal_pointer (&local_error);
    g_propagate_error (error, g_error_copy (self->init_error));
    return FALSE;
  }
}

void
mmap_object_initable_iface_init (GInitableIface *iface)
{
  iface->init = mmap_object_initable_init;
}
