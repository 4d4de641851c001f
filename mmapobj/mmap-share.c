/* mmap-share.c: memory shared between processes by file descriptor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * memfd maps, their seals, and both ends of passing them on: dup_fd() for
 * the sender, new_from_fd_list() and check_seals() for the receiver.
 *
 * The threat is a sender that shrinks the memory under its receivers (their
 * reads then fault) or rewrites it after they checked it. Seals are the
 * kernel's answer: once added, nobody can remove them, so a receiver that
 * finds a seal on the fd it was given can rely on it for as long as it maps
 * the memory. A map whose memory is sealed against shrinking cannot fault,
 * so its accesses skip the SIGBUS guard (mmap_object_update_may_fault()).
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "mmap-error-private.h"
#include "mmap-object-private.h"

/* <linux/memfd.h>'s huge page sizes: log2 of the size, shifted. */
#ifndef MFD_HUGE_2MB
# define MFD_HUGE_2MB (21U << 26)
# define MFD_HUGE_1GB (30U << 26)
#endif

#ifndef HUGETLBFS_MAGIC
# define HUGETLBFS_MAGIC 0x958458f6
#endif

#define ALL_SEALS (MMAP_SEALS_SEAL | MMAP_SEALS_SHRINK | MMAP_SEALS_GROW \
                   | MMAP_SEALS_WRITE | MMAP_SEALS_FUTURE_WRITE)
#define READONLY_SEALS (MMAP_SEALS_SEAL | MMAP_SEALS_SHRINK \
                        | MMAP_SEALS_GROW | MMAP_SEALS_WRITE)

/* The fd that names the map's memory: the tracked one, or the memfd behind
 * shared anonymous memory; -1 with error set when there is none. */
static int
shared_fd (MmapObject  *self,
           const char  *op,
           GError     **error)
{
  if (!mmap_object_check_open (self, op, error))
    return -1;
  if (self->fd != -1)
    return self->fd;
  if (self->anon_fd != -1)
    return self->anon_fd;
  g_set_error (error, MMAP_ERROR, MMAP_ERROR_NO_TRACKED_FD,
               "%s: the map keeps no file descriptor (private anonymous "
               "memory, or track-fd off)", op);
  return -1;
}

/* "SHRINK | WRITE", or "none". */
static char *
seals_to_string (MmapSeals seals)
{
  GFlagsClass *klass = g_type_class_ref (MMAP_TYPE_SEALS);
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < klass->n_values; i++)
    {
      const GFlagsValue *value = &klass->values[i];

      if (value->value == 0 || (seals & value->value) != value->value)
        continue;
      if (names->len > 0)
        g_string_append (names, " | ");
      /* MMAP_SEALS_SHRINK: SHRINK */
      g_string_append (names, value->value_name + strlen ("MMAP_SEALS_"));
    }
  g_type_class_unref (klass);
  if (names->len == 0)
    g_string_append (names, "none");
  return g_string_free (names, FALSE);
}

/* The seals of @fd; FALSE with error set when it has none to give. */
static gboolean
fd_get_seals (int          fd,
              const char  *op,
              MmapSeals   *out_seals,
              GError     **error)
{
  int seals = fcntl (fd, F_GET_SEALS);

  if (seals < 0)
    {
      int errsv = errno;

      if (errsv == EINVAL)
        return mmap_set_error_from_errno (error, errsv,
                                          "%s: fd %d cannot be sealed (not "
                                          "a memfd or shared memory file)",
                                          op, fd);
      return mmap_set_error_from_errno (error, errsv, "%s: fcntl(F_GET_SEALS) "
                                        "on fd %d", op, fd);
    }
  *out_seals = (MmapSeals) (seals & ALL_SEALS);
  return TRUE;
}

/* Whether @fd carries every seal in @required; FALSE with
 * MMAP_ERROR_SEALS_MISSING naming the missing ones otherwise. */
static gboolean
fd_check_seals (int          fd,
                const char  *op,
                MmapSeals    required,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *have = NULL;
  MmapSeals seals = 0;

  if (required == 0)
    return TRUE;
  if (!fd_get_seals (fd, op, &seals, &local_error))
    {
      /* Only memory that cannot be sealed (EINVAL) lacks the seals; any
       * other failure is the system call's, with its errno. */
      if (mmap_error_get_errno (local_error) != EINVAL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      missing = seals_to_string (required);
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_SEALS_MISSING,
                   "%s: the memory must be sealed with %s, but it cannot be "
                   "sealed at all (%s)", op, missing, local_error->message);
      return FALSE;
    }
  if ((seals & required) == required)
    return TRUE;

  missing = seals_to_string (required & ~seals);
  have = seals_to_string (seals);
  g_set_error (error, MMAP_ERROR, MMAP_ERROR_SEALS_MISSING,
               "%s: the memory is not sealed with %s (its seals: %s): its "
               "sender can still change it under this map", op, missing,
               have);
  return FALSE;
}

/* Recomputes whether the map's memory can fault, from the seals of @fd
 * (the fd it was mapped from): memory sealed against shrinking cannot,
 * unless it is made of huge pages, whose pool can run dry. Call in a
 * change scope, or in init(). */
void
mmap_object_update_may_fault (MmapObject *self,
                              int         fd)
{
  MmapSeals seals = 0;
  struct statfs fs;

  if (fd == -1 || !fd_get_seals (fd, "seals", &seals, NULL)
      || !(seals & MMAP_SEALS_SHRINK)
      || fstatfs (fd, &fs) != 0 || fs.f_type == HUGETLBFS_MAGIC)
    return;
  self->may_fault = FALSE;
}

/**
 * mmap_object_new_memfd: (constructor)
 * @name: (nullable): a name for the memory, shown in `/proc/PID/fd` and
 *   `/proc/PID/maps` (at most 249 bytes); %NULL for "mmapobj"
 * @length: the size in bytes; 0 gives an empty map that can grow
 * @flags: sealing and huge pages
 * @error: return location for a #GError
 *
 * Maps @length bytes of new, zeroed anonymous memory that other processes
 * can map too: a memfd (`memfd_create(2)`), read-write and shared. Pass
 * it on with [method@Mmap.Object.dup_fd] and a #GUnixFDList, over D-Bus or
 * a Unix socket.
 *
 * With %MMAP_MEMFD_ALLOW_SEALING, seal it before passing it on
 * ([method@Mmap.Object.seal_readonly] or [method@Mmap.Object.add_seals]),
 * so that the receivers can trust it. Huge pages need huge pages reserved
 * by the system (`/proc/sys/vm/nr_hugepages`) and a @length that is a
 * multiple of their size; without them this fails with `ENOMEM`.
 *
 * Returns: (transfer full): a new map, or %NULL with @error set
 *
 * Since: 1.0
 */
MmapObject *
mmap_object_new_memfd (const char      *name,
                       gsize            length,
                       MmapMemfdFlags   flags,
                       GError         **error)
{
  unsigned int mfd_flags = MFD_CLOEXEC;
  MmapObject *map;
  int fd, errsv;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!mmap_check_flags (MMAP_TYPE_MEMFD_FLAGS, flags, "new_memfd", error))
    return NULL;
  if ((flags & MMAP_MEMFD_HUGE_2MB) && (flags & MMAP_MEMFD_HUGE_1GB))
    {
      g_set_error_literal (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT,
                           "new_memfd: give one huge page size, not both");
      return NULL;
    }

  if (flags & MMAP_MEMFD_ALLOW_SEALING)
    mfd_flags |= MFD_ALLOW_SEALING;
  if (flags & (MMAP_MEMFD_HUGETLB | MMAP_MEMFD_HUGE_2MB | MMAP_MEMFD_HUGE_1GB))
    mfd_flags |= MFD_HUGETLB;
  if (flags & MMAP_MEMFD_HUGE_2MB)
    mfd_flags |= MFD_HUGE_2MB;
  if (flags & MMAP_MEMFD_HUGE_1GB)
    mfd_flags |= MFD_HUGE_1GB;

  if (name == NULL)
    name = "mmapobj";
  fd = memfd_create (name, mfd_flags);
  if (fd < 0)
    {
      errsv = errno;
      mmap_set_error_from_errno (error, errsv, "memfd_create: %s", name);
      return NULL;
    }

  errsv = mmap_file_truncate (fd, (goffset) length);
  if (errsv != 0)
    {
      close (fd);
      mmap_set_error_from_errno (error, errsv, "ftruncate: memfd %s to %"
                                 G_GSIZE_FORMAT " bytes", name, length);
      return NULL;
    }

  map = mmap_object_new (fd, length, MMAP_ACCESS_WRITE, 0, error);
  close (fd);
  if (map == NULL && (mfd_flags & MFD_HUGETLB) && error != NULL
      && mmap_error_get_errno (*error) == ENOMEM)
    g_prefix_error (error, "new_memfd: no huge pages to spare (see "
                    "/proc/sys/vm/nr_hugepages): ");
  return map;
}

/**
 * mmap_object_add_seals:
 * @self: a map of sealable memory (see %MMAP_MEMFD_ALLOW_SEALING)
 * @seals: the seals to add
 * @error: return location for a #GError
 *
 * Adds @seals to the memory behind the map (`fcntl(F_ADD_SEALS)`). Seals
 * cannot be removed. %MMAP_SEALS_WRITE is refused while any writable shared
 * map of the memory exists, this one included: use
 * [method@Mmap.Object.seal_readonly] to make this map read-only and seal
 * in one step.
 *
 * A map sealed against shrinking can never fault, and its accesses skip
 * the SIGBUS guard from then on. Sealed against growing or shrinking, the
 * map cannot be resized ([method@Mmap.Object.resize] fails, and leaves it
 * as it was).
 *
 * Returns: %TRUE on success, %FALSE with @error set: the memory does not
 *   allow sealing or is sealed with %MMAP_SEALS_SEAL (`EPERM`), writable
 *   maps exist (`EBUSY`), or it is not a memfd (`EINVAL`)
 *
 * Since: 1.0
 */
gboolean
mmap_object_add_seals (MmapObject  *self,
                       MmapSeals    seals,
                       GError     **error)
{
  int fd, errsv;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!mmap_check_flags (MMAP_TYPE_SEALS, seals, "add_seals", error))
    return FALSE;

  {
    g_auto(MmapChangeScope) scope = mmap_change_scope_enter (self);
    g_autofree char *names = seals_to_string (seals);

    fd = shared_fd (self, "add_seals", error);
    if (fd == -1)
      return FALSE;
    if (fcntl (fd, F_ADD_SEALS, (int) seals) == 0)
      {
        mmap_object_update_may_fault (self, fd);
        return TRUE;
      }

    errsv = errno;
    switch (errsv)
      {
      case EBUSY:
        return mmap_set_error_from_errno (error, errsv,
                                          "add_seals: %s: a writable shared "
                                          "map of this memory exists (this "
                                          "one, or another process's); "
                                          "seal_readonly() makes this one "
                                          "read-only first", names);
      case EPERM:
        return mmap_set_error_from_errno (error, errsv,
                                          "add_seals: %s: the memory does "
                                          "not allow sealing, or is sealed "
                                          "against new seals (SEAL)", names);
      case EINVAL:
        return mmap_set_error_from_errno (error, errsv,
                                          "add_seals: %s: fd %d cannot be "
                                          "sealed (not a memfd)", names, fd);
      default:
        return mmap_set_error_from_errno (error, errsv, "add_seals: %s",
                                          names);
      }
  }
}

/**
 * mmap_object_get_seals:
 * @self: a map
 * @error: return location for a #GError
 *
 * The seals of the memory behind the map (`fcntl(F_GET_SEALS)`). Memory
 * made without %MMAP_MEMFD_ALLOW_SEALING has %MMAP_SEALS_SEAL only.
 *
 * Returns: the seals, or 0 with @error set: the map keeps no file
 *   descriptor, or its file cannot be sealed (`EINVAL`: not a memfd)
 *
 * Since: 1.0
 */
MmapSeals
mmap_object_get_seals (MmapObject  *self,
                       GError     **error)
{
  MmapSeals seals = 0;
  int fd;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    fd = shared_fd (self, "get_seals", error);
    if (fd == -1 || !fd_get_seals (fd, "get_seals", &seals, error))
      return 0;
    return seals;
  }
}

/**
 * mmap_object_check_seals:
 * @self: a map
 * @required: the seals the memory must have
 * @error: return location for a #GError
 *
 * Checks that the memory behind the map carries every seal in @required:
 * what a receiver does before it trusts memory it was sent. Seals cannot
 * be removed, so the answer holds for as long as the map exists.
 *
 * Returns: %TRUE if it does, %FALSE with %MMAP_ERROR_SEALS_MISSING naming
 *   the missing seals (or another error: a closed map, no fd)
 *
 * Since: 1.0
 */
gboolean
mmap_object_check_seals (MmapObject  *self,
                         MmapSeals    required,
                         GError     **error)
{
  int fd;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!mmap_check_flags (MMAP_TYPE_SEALS, required, "check_seals", error))
    return FALSE;

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    fd = shared_fd (self, "check_seals", error);
    return fd != -1 && fd_check_seals (fd, "check_seals", required, error);
  }
}

/* Maps the whole map again from @fd with @prot, in place of its mapping.
 * Call in a change scope, with no views. 0 or an errno. */
static int
remap (MmapObject *self,
       int         fd,
       MmapProt    prot)
{
  g_autoptr(MmapMapping) mapping = mmap_mapping_new ();
  MmapMapSpec spec = mmap_object_map_spec (self);
  int errsv;

  spec.fd = fd;
  spec.prot = (int) prot;
  errsv = mmap_mapping_map (mapping, &spec,
                            mmap_mapping_get_size (self->mapping));
  if (errsv != 0)
    return errsv;
  mmap_mapping_unref (self->mapping);
  self->mapping = g_steal_pointer (&mapping);
  self->data = mmap_mapping_get_base (self->mapping) + self->delta;
  return 0;
}

/* A read-only fd of the same memory as @fd: a shared map made from it does
 * not count as writable, so F_SEAL_WRITE can be added while it exists. */
static int
reopen_read_only (int fd)
{
  char path[64];

  g_snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  return open (path, O_RDONLY | O_CLOEXEC);
}

static gboolean
seal_readonly_locked (MmapObject  *self,
                      GError     **error)
{
  MmapProt ro_prot = (self->prot & ~MMAP_PROT_WRITE) | MMAP_PROT_READ;
  gboolean shared_map;
  MmapSeals seals = 0;
  int fd, ro_fd, errsv;

  fd = shared_fd (self, "seal_readonly", error);
  if (fd == -1 || !fd_get_seals (fd, "seal_readonly", &seals, error))
    return FALSE;
  /* Sealed already: the map cannot have been writable since. */
  if ((seals & READONLY_SEALS) == READONLY_SEALS)
    {
      self->prot = ro_prot;
      self->max_prot &= ~MMAP_PROT_WRITE;
      self->access = MMAP_ACCESS_READ;
      return TRUE;
    }
  if (seals & MMAP_SEALS_SEAL)
    return mmap_set_error_from_errno (error, EPERM,
                                      "seal_readonly: the memory does not "
                                      "allow sealing, or is sealed against "
                                      "new seals (SEAL)");

  /* A shared map made from a writable fd counts as writable even without
   * PROT_WRITE (it could be mprotect()ed): remap it from a read-only fd. */
  shared_map = (self->map_flags & MMAP_MAP_SHARED_VALIDATE)
                    != MMAP_MAP_PRIVATE
                    && self->mapping != NULL
                    && mmap_mapping_get_size (self->mapping) > 0;
  /* Remapping makes every page read-only, and the way back (when
   * sealing fails) every page as strict as the strictest: a range with a
   * protection of its own would not survive. */
  if (shared_map && self->page_prot != NULL)
    {
      g_set_error_literal (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT,
                           "seal_readonly: part of the map has a protection "
                           "of its own; protect() the whole map first");
      return FALSE;
    }
  if (shared_map && mmap_mapping_n_extra (self->mapping) > 0)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_EXPORTS_EXIST,
                   "seal_readonly: cannot remap the map read-only while "
                   "%u views of it exist",
                   mmap_mapping_n_extra (self->mapping));
      return FALSE;
    }

  if (shared_map)
    {
      ro_fd = reopen_read_only (fd);
      if (ro_fd < 0)
        {
          errsv = errno;
          return mmap_set_error_from_errno (error, errsv,
                                            "seal_readonly: reopening fd %d "
                                            "read-only", fd);
        }
      errsv = remap (self, ro_fd, ro_prot);
      close (ro_fd);
      if (errsv != 0)
        return mmap_set_error_from_errno (error, errsv,
                                          "seal_readonly: mmap read-only");
    }

  if (fcntl (fd, F_ADD_SEALS, (int) READONLY_SEALS) != 0)
    {
      const char *stays = "";
      int remap_errsv = 0;

      errsv = errno;
      /* Back to the map it was: the bytes are the same shared pages. If
       * that fails, the map is the read-only one: the object must say so,
       * or its next write would fault (SIGSEGV). */
      if (shared_map)
        remap_errsv = remap (self, fd, self->prot);
      if (remap_errsv != 0)
        {
          self->prot = ro_prot;
          self->max_prot &= ~MMAP_PROT_WRITE;
          stays = " (and mapping it writable again failed: the map stays "
                  "read-only)";
        }
      if (errsv == EBUSY)
        return mmap_set_error_from_errno (error, errsv,
                                          "seal_readonly: another writable "
                                          "shared map of this memory "
                                          "exists%s", stays);
      return mmap_set_error_from_errno (error, errsv,
                                        "seal_readonly: fcntl(F_ADD_SEALS)%s",
                                        stays);
    }

  self->prot = ro_prot;
  self->max_prot &= ~MMAP_PROT_WRITE;
  self->access = MMAP_ACCESS_READ;
  mmap_object_update_may_fault (self, fd);
  return TRUE;
}

/**
 * mmap_object_seal_readonly:
 * @self: a map of sealable memory (see %MMAP_MEMFD_ALLOW_SEALING)
 * @error: return location for a #GError
 *
 * Makes the memory immutable for everyone, this process included: the map
 * becomes read-only (it is mapped again, read-only, if it was writable;
 * its bytes stay), and the memory is sealed against writing, shrinking,
 * growing and further seals (%MMAP_SEALS_WRITE, %MMAP_SEALS_SHRINK,
 * %MMAP_SEALS_GROW, %MMAP_SEALS_SEAL). Call it when the data is complete and
 * before passing the memory on.
 *
 * Remapping needs the map to have no views (%MMAP_ERROR_EXPORTS_EXIST, as
 * for [method@Mmap.Object.resize]). If another writable shared map of the
 * memory exists, in this process or another, sealing fails (`EBUSY`) and
 * the map stays writable.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_seal_readonly (MmapObject  *self,
                           GError     **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_auto(MmapChangeScope) scope = mmap_change_scope_enter (self);

    return seal_readonly_locked (self, error);
  }
}

/**
 * mmap_object_dup_fd:
 * @self: a map that keeps a file descriptor, or of shared anonymous memory
 * @error: return location for a #GError
 *
 * A new file descriptor of the memory behind the map, close-on-exec, to
 * pass on: append it to a #GUnixFDList (which duplicates it again) or send
 * it in a #GUnixFDMessage. The caller owns it and must close it: in C with
 * `close()`, in Python with `os.close()`, in gjs with
 * `GLib.close()` (or `new Gio.UnixInputStream({fd, close_fd: true})`),
 * in Vala with `Posix.close()`. For most uses
 * [method@Mmap.Object.append_to_fd_list] is simpler and leaks nothing.
 *
 * Returns: the new file descriptor, or -1 with @error set
 *
 * Since: 1.0
 */
gint
mmap_object_dup_fd (MmapObject  *self,
                    GError     **error)
{
  int fd, copy;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    fd = shared_fd (self, "dup_fd", error);
    if (fd == -1)
      return -1;
    copy = fcntl (fd, F_DUPFD_CLOEXEC, 3);
    if (copy < 0)
      {
        int errsv = errno;
        mmap_set_error_from_errno (error, errsv, "dup_fd: fd %d", fd);
        return -1;
      }
    return copy;
  }
}

/**
 * mmap_object_append_to_fd_list:
 * @self: a map that keeps a file descriptor, or of shared anonymous memory
 * @list: the list to append to
 * @error: return location for a #GError
 *
 * Appends a file descriptor of the memory behind the map to @list, for a
 * D-Bus call or a #GUnixFDMessage: [method@Mmap.Object.dup_fd] without a
 * descriptor for the caller to close.
 *
 * Returns: the index of the descriptor in @list (the D-Bus `h` value), or
 *   -1 with @error set
 *
 * Since: 1.0
 */
gint
mmap_object_append_to_fd_list (MmapObject   *self,
                               GUnixFDList  *list,
                               GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  int fd, index, errsv;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -1);
  g_return_val_if_fail (G_IS_UNIX_FD_LIST (list), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    fd = shared_fd (self, "append_to_fd_list", error);
    if (fd == -1)
      return -1;
    index = g_unix_fd_list_append (list, fd, &local_error);
    if (index >= 0)
      return index;

    /* GLib's error comes from the errno of its dup(), which survives:
     * give it the library's shape, so that mmap_error_get_errno() finds
     * it. */
    errsv = errno;
    if (errsv > 0 && local_error->domain == G_IO_ERROR
        && local_error->code == (int) g_io_error_from_errno (errsv))
      mmap_set_error_from_errno (error, errsv, "append_to_fd_list: "
                                 "duplicating fd %d", fd);
    else
      g_propagate_error (error, g_steal_pointer (&local_error));
    return -1;
  }
}

/**
 * mmap_object_new_from_fd_list: (constructor)
 * @list: the file descriptors received
 * @index: the index of the memory's descriptor in @list
 * @access: how to map it: %MMAP_ACCESS_READ for a receiver that only
 *   reads
 * @required_seals: the seals the memory must carry, for example
 *   %MMAP_SEALS_SHRINK (its reads can never fault) and %MMAP_SEALS_WRITE (it
 *   cannot change any more); %MMAP_SEALS_NONE checks nothing
 * @error: return location for a #GError
 *
 * Maps all of the memory (or file) behind a descriptor received in a
 * #GUnixFDList, from a D-Bus call or a #GUnixFDMessage, after checking
 * that it carries @required_seals. If it does not, nothing is mapped and
 * the error is %MMAP_ERROR_SEALS_MISSING. @list keeps its descriptor.
 *
 * Returns: (transfer full): a new map, or %NULL with @error set
 *
 * Since: 1.0
 */
MmapObject *
mmap_object_new_from_fd_list (GUnixFDList  *list,
                              gint          index,
                              MmapAccess    access,
                              MmapSeals     required_seals,
                              GError      **error)
{
  MmapObject *map;
  int fd;

  g_return_val_if_fail (G_IS_UNIX_FD_LIST (list), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!mmap_check_flags (MMAP_TYPE_SEALS, required_seals, "new_from_fd_list",
                    error))
    return NULL;
  if (index < 0 || index >= g_unix_fd_list_get_length (list))
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT,
                   "new_from_fd_list: index %d is not in a list of %d "
                   "descriptors", index, g_unix_fd_list_get_length (list));
      return NULL;
    }

  /* The list's own fd: new() duplicates what it keeps. */
  fd = g_unix_fd_list_peek_fds (list, NULL)[index];
  if (!fd_check_seals (fd, "new_from_fd_list", required_seals, error))
    return NULL;
  map = mmap_object_new (fd, 0, access, 0, error);
  return map;
}
