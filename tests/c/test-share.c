/* test-share.c: memfd maps, seals, and the receiving side of fd passing
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "test-util.h"

static MmapObject *
new_memfd (gsize           length,
           MmapMemfdFlags  flags)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = mmap_object_new_memfd ("test-share", length, flags,
                                           &error);

  g_assert_no_error (error);
  g_assert_nonnull (map);
  return map;
}

static void
write_text (MmapObject *map,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (mmap_object_set_slice (map, 0, (gssize) strlen (text), 1,
                                        (const guint8 *) text, strlen (text),
                                        &error));
  g_assert_no_error (error);
}

static void
assert_starts_with (MmapObject *map,
                    const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = mmap_object_get_slice (map, 0,
                                                   (gssize) strlen (text), 1,
                                                   &error);

  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, text, strlen (text));
}

static void
test_memfd_basics (void)
{
  g_autoptr(MmapObject) map = new_memfd (8192, MMAP_MEMFD_NONE);
  g_autoptr(MmapObject) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *link = NULL;
  g_autofree char *proc = NULL;
  int fd;

  g_assert_cmpuint (mmap_object_get_length (map), ==, 8192);
  g_assert_cmpint (mmap_object_get_access (map), ==, MMAP_ACCESS_WRITE);
  g_assert_cmpint (mmap_object_get_byte (map, 4000, &error), ==, 0);
  write_text (map, "shared bytes");

  /* The fd is close-on-exec, names the memfd, and maps the same pages. */
  fd = mmap_object_dup_fd (map, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 3);
  g_assert_cmpint (fcntl (fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);
  proc = g_strdup_printf ("/proc/self/fd/%d", fd);
  link = g_file_read_link (proc, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (link, "/memfd:test-share"));

  again = mmap_object_new (fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  close (fd);
  assert_starts_with (again, "shared bytes");
  g_assert_true (mmap_object_set_byte (again, 0, 'S', &error));
  assert_starts_with (map, "Shared bytes");

  /* A memfd grows and shrinks with the map. */
  g_assert_true (mmap_object_resize (map, 100, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_size (map, &error), ==, 100);
}

static void
test_memfd_bad_flags (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (mmap_object_new_memfd ("x", 10, 1 << 10, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (mmap_object_new_memfd ("x", 10, MMAP_MEMFD_HUGE_2MB
                                                 | MMAP_MEMFD_HUGE_1GB,
                                        &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* memfd names are at most 249 bytes. */
  {
    g_autofree char *name = g_strnfill (300, 'n');

    g_assert_null (mmap_object_new_memfd (name, 10, 0, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_cmpint (mmap_error_get_errno (error), ==, EINVAL);
  }
}

static void
test_memfd_huge_pages (void)
{
  gsize size = 2 * 1024 * 1024;
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = NULL;

  map = mmap_object_new_memfd ("huge", size, MMAP_MEMFD_HUGE_2MB, &error);
  if (mt_free_huge_pages () == 0)
    {
      /* No pool: a clean error that says what is missing. */
      g_assert_null (map);
      g_assert_nonnull (error);
      g_assert_cmpint (mmap_error_get_errno (error), ==, ENOMEM);
      g_assert_nonnull (strstr (error->message, "nr_hugepages"));
      g_test_skip ("no huge pages reserved here (/proc/sys/vm/nr_hugepages "
                   "is 0); the error was clean");
      return;
    }
  g_assert_no_error (error);
  g_assert_true (mmap_object_set_byte (map, size - 1, 7, &error));
  g_assert_cmpint (mmap_object_get_byte (map, size - 1, &error), ==, 7);
}

static void
test_seals_need_allow_sealing (void)
{
  g_autoptr(MmapObject) map = new_memfd (4096, MMAP_MEMFD_NONE);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (mmap_object_get_seals (map, &error), ==, MMAP_SEALS_SEAL);
  g_assert_no_error (error);
  g_assert_false (mmap_object_add_seals (map, MMAP_SEALS_SHRINK, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpint (mmap_error_get_errno (error), ==, EPERM);
  g_assert_true (strstr (error->message, "SHRINK") != NULL);
  g_clear_error (&error);
  g_assert_false (mmap_object_seal_readonly (map, &error));
  g_assert_cmpint (mmap_error_get_errno (error), ==, EPERM);
  g_clear_error (&error);

  /* Nothing changed: still writable. */
  write_text (map, "still writable");
  g_assert_cmpint (mmap_object_get_access (map), ==, MMAP_ACCESS_WRITE);
}

static void
test_seals_add_and_get (void)
{
  g_autoptr(MmapObject) map = new_memfd (4096, MMAP_MEMFD_ALLOW_SEALING);
  g_autoptr(GError) error = NULL;
  int fd;

  g_assert_cmpint (mmap_object_get_seals (map, &error), ==, 0);
  g_assert_true (mmap_object_add_seals (map, MMAP_SEALS_SHRINK | MMAP_SEALS_GROW,
                                        &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_seals (map, &error), ==,
                   MMAP_SEALS_SHRINK | MMAP_SEALS_GROW);
  g_assert_true (mmap_object_check_seals (map, MMAP_SEALS_SHRINK, &error));
  g_assert_no_error (error);

  /* Nobody can shrink it now, so its reads can never fault. */
  fd = mmap_object_dup_fd (map, &error);
  g_assert_cmpint (ftruncate (fd, 0), ==, -1);
  g_assert_cmpint (errno, ==, EPERM);
  close (fd);

  /* resize fails and leaves the map as it was. */
  write_text (map, "kept");
  g_assert_false (mmap_object_resize (map, 8192, &error));
  g_assert_cmpint (mmap_error_get_errno (error), ==, EPERM);
  g_clear_error (&error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 4096);
  assert_starts_with (map, "kept");

  /* The map itself is writable and shared: WRITE is refused, cleanly. */
  g_assert_false (mmap_object_add_seals (map, MMAP_SEALS_WRITE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_true (strstr (error->message, "seal_readonly") != NULL);
  g_clear_error (&error);
  g_assert_false (mmap_object_check_seals (map, MMAP_SEALS_WRITE, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_SEALS_MISSING);
  g_assert_true (strstr (error->message, "WRITE") != NULL);
  g_clear_error (&error);

  /* FUTURE_WRITE leaves existing writable maps working. */
  g_assert_true (mmap_object_add_seals (map, MMAP_SEALS_FUTURE_WRITE, &error));
  g_assert_no_error (error);
  write_text (map, "KEPT");
  assert_starts_with (map, "KEPT");

  g_assert_false (mmap_object_add_seals (map, 1 << 12, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
}

static void
test_seal_readonly (void)
{
  g_autoptr(MmapObject) map = new_memfd (3 * 4096 + 5, MMAP_MEMFD_ALLOW_SEALING);
  g_autoptr(MmapObject) writer = NULL;
  g_autoptr(MmapObject) reader = NULL;
  g_autoptr(GBytes) view = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  write_text (map, "final data");
  mmap_object_seek (map, 6, G_SEEK_SET, &error);

  /* Remapping needs no views. */
  view = mmap_object_view (map, 0, 4, &error);
  g_assert_false (mmap_object_seal_readonly (map, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_EXPORTS_EXIST);
  g_clear_error (&error);
  g_clear_pointer (&view, g_bytes_unref);
  g_assert_cmpint (mmap_object_get_seals (map, &error), ==, 0);

  g_assert_true (mmap_object_seal_readonly (map, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_seals (map, &error), ==,
                   MMAP_SEALS_SEAL | MMAP_SEALS_SHRINK | MMAP_SEALS_GROW
                   | MMAP_SEALS_WRITE);
  g_assert_cmpint (mmap_object_get_access (map), ==, MMAP_ACCESS_READ);
  g_assert_cmpint (mmap_object_tell (map, &error), ==, 6);
  assert_starts_with (map, "final data");
  g_assert_false (mmap_object_set_byte (map, 0, 'F', &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);

  /* Nobody can write it any more; anybody can read it. */
  fd = mmap_object_dup_fd (map, &error);
  writer = mmap_object_new (fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_null (writer);
  g_assert_cmpint (mmap_error_get_errno (error), ==, EPERM);
  g_clear_error (&error);
  g_assert_cmpint (write (fd, "x", 1), ==, -1);
  g_assert_cmpint (errno, ==, EPERM);
  reader = mmap_object_new (fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);
  close (fd);
  assert_starts_with (reader, "final data");

  /* Sealing again is a no-op that succeeds. */
  g_assert_true (mmap_object_seal_readonly (map, &error));
  g_assert_no_error (error);
}

static void
test_seal_readonly_busy (void)
{
  g_autoptr(MmapObject) map = new_memfd (4096, MMAP_MEMFD_ALLOW_SEALING);
  g_autoptr(MmapObject) other = NULL;
  g_autoptr(GError) error = NULL;
  int fd = mmap_object_dup_fd (map, &error);

  other = mmap_object_new (fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  close (fd);

  /* Another writable map: the seal is refused, and this map stays as it
   * was, writable. */
  g_assert_false (mmap_object_seal_readonly (map, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_get_access (map), ==, MMAP_ACCESS_WRITE);
  write_text (map, "written after");
  assert_starts_with (other, "written after");
  g_assert_cmpint (mmap_object_get_seals (map, &error), ==, 0);

  /* Once the other map is gone, it works. */
  g_assert_true (mmap_object_close (other, &error));
  g_assert_true (mmap_object_seal_readonly (map, &error));
  g_assert_no_error (error);
}

static void
test_dup_fd_needs_fd (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) private_anon = NULL;
  g_autoptr(MmapObject) shared_anon = NULL;
  g_autoptr(MmapObject) again = NULL;
  int fd;

  private_anon = mmap_object_new_full (-1, 4096, MMAP_MAP_PRIVATE,
                                       MMAP_PROT_READ | MMAP_PROT_WRITE,
                                       MMAP_ACCESS_DEFAULT, 0,
                                       TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_dup_fd (private_anon, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NO_TRACKED_FD);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_get_seals (private_anon, &error), ==, 0);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NO_TRACKED_FD);
  g_clear_error (&error);

  /* Shared anonymous memory is a memfd too, and can be passed on. */
  shared_anon = mmap_object_new_anonymous (4096, &error);
  write_text (shared_anon, "anon");
  fd = mmap_object_dup_fd (shared_anon, &error);
  g_assert_no_error (error);
  again = mmap_object_new (fd, 0, MMAP_ACCESS_READ, 0, &error);
  close (fd);
  assert_starts_with (again, "anon");

  g_assert_true (mmap_object_close (shared_anon, &error));
  g_assert_cmpint (mmap_object_dup_fd (shared_anon, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
}

static void
test_from_fd_list (void)
{
  g_autoptr(MmapObject) map = new_memfd (10000, MMAP_MEMFD_ALLOW_SEALING);
  g_autoptr(GUnixFDList) list = g_unix_fd_list_new ();
  g_autoptr(MmapObject) received = NULL;
  g_autoptr(GError) error = NULL;
  guint fds_before;
  int index;

  write_text (map, "payload");
  index = mmap_object_append_to_fd_list (map, list, &error);
  g_assert_no_error (error);
  g_assert_cmpint (index, ==, 0);

  /* Unsealed: a receiver that requires seals maps nothing. */
  fds_before = mt_count_open_fds ();
  received = mmap_object_new_from_fd_list (list, index, MMAP_ACCESS_READ,
                                           MMAP_SEALS_SHRINK, &error);
  g_assert_null (received);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_SEALS_MISSING);
  g_assert_true (strstr (error->message, "SHRINK") != NULL);
  g_clear_error (&error);
  g_assert_cmpuint (mt_count_open_fds (), ==, fds_before);

  /* Shrink-sealed only: one that also requires WRITE still refuses. */
  g_assert_true (mmap_object_add_seals (map, MMAP_SEALS_SHRINK, &error));
  g_assert_null (mmap_object_new_from_fd_list (list, index, MMAP_ACCESS_READ,
                                               MMAP_SEALS_SHRINK
                                               | MMAP_SEALS_WRITE, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_SEALS_MISSING);
  g_assert_true (strstr (error->message, "WRITE") != NULL);
  g_test_message ("%s", error->message);
  g_assert_true (strstr (error->message, "its seals: SHRINK") != NULL);
  g_clear_error (&error);

  g_assert_true (mmap_object_seal_readonly (map, &error));
  received = mmap_object_new_from_fd_list (list, index, MMAP_ACCESS_READ,
                                           MMAP_SEALS_SHRINK | MMAP_SEALS_WRITE,
                                           &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (received), ==, 10000);
  assert_starts_with (received, "payload");
  g_assert_true (mmap_object_check_seals (received, MMAP_SEALS_WRITE, &error));
  g_clear_object (&received);

  /* Write access to write-sealed memory: the kernel refuses. */
  g_assert_null (mmap_object_new_from_fd_list (list, index, MMAP_ACCESS_WRITE,
                                               MMAP_SEALS_NONE, &error));
  g_assert_cmpint (mmap_error_get_errno (error), ==, EPERM);
  g_clear_error (&error);

  g_assert_null (mmap_object_new_from_fd_list (list, 1, MMAP_ACCESS_READ, 0,
                                               &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (g_unix_fd_list_get_length (list), ==, 1);
}

static void
test_from_fd_list_regular_file (void)
{
  g_autoptr(MtFile) file = mt_file_new ((const guint8 *) "on disk", 7);
  g_autoptr(GUnixFDList) list = g_unix_fd_list_new ();
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GError) error = NULL;

  g_unix_fd_list_append (list, file->fd, &error);
  g_assert_null (mmap_object_new_from_fd_list (list, 0, MMAP_ACCESS_READ,
                                               MMAP_SEALS_SHRINK, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_SEALS_MISSING);
  /* A file on a disk cannot be sealed at all; one on a tmpfs is shared
   * memory, born with SEAL only, like a memfd without ALLOW_SEALING. */
  if (mt_fd_is_tmpfs (file->fd))
    g_assert_true (strstr (error->message, "the memory is not sealed with "
                           "SHRINK (its seals: SEAL)") != NULL);
  else
    g_assert_true (strstr (error->message, "cannot be sealed") != NULL);
  g_clear_error (&error);

  map = mmap_object_new_from_fd_list (list, 0, MMAP_ACCESS_READ,
                                      MMAP_SEALS_NONE, &error);
  g_assert_no_error (error);
  assert_starts_with (map, "on disk");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/share/memfd/basics", test_memfd_basics);
  g_test_add_func ("/share/memfd/bad-flags", test_memfd_bad_flags);
  g_test_add_func ("/share/memfd/huge-pages", test_memfd_huge_pages);
  g_test_add_func ("/share/seals/need-allow-sealing",
                   test_seals_need_allow_sealing);
  g_test_add_func ("/share/seals/add-and-get", test_seals_add_and_get);
  g_test_add_func ("/share/seals/readonly", test_seal_readonly);
  g_test_add_func ("/share/seals/readonly-busy", test_seal_readonly_busy);
  g_test_add_func ("/share/dup-fd/needs-fd", test_dup_fd_needs_fd);
  g_test_add_func ("/share/fd-list/seals", test_from_fd_list);
  g_test_add_func ("/share/fd-list/regular-file",
                   test_from_fd_list_regular_file);

  return g_test_run ();
}
