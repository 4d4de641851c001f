/* test-util.c: helpers shared by the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "test-util.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994   /* <linux/magic.h> */
#endif

MtFile *
mt_file_new (const guint8 *data,
             gsize         len)
{
  g_autoptr(GError) error = NULL;
  MtFile *file = g_new0 (MtFile, 1);
  gsize done = 0;

  file->fd = g_file_open_tmp ("mmapobj-test-XXXXXX", &file->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (file->fd, >=, 0);

  while (done < len)
    {
      ssize_t n = write (file->fd, data + done, len - done);

      g_assert_cmpint (n, >, 0);
      done += (gsize) n;
    }

  return file;
}

void
mt_file_free (MtFile *file)
{
  if (file == NULL)
    return;
  if (file->fd >= 0)
    close (file->fd);
  g_unlink (file->path);
  g_free (file->path);
  g_free (file);
}

int
mt_open_read_only (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  return fd;
}

/* Reads the whole file with pread(2), independently of any mapping. */
GBytes *
mt_fd_read_all (int fd)
{
  GByteArray *buf = g_byte_array_new ();
  guint8 chunk[4096];
  off_t at = 0;

  for (;;)
    {
      ssize_t n = pread (fd, chunk, sizeof chunk, at);

      g_assert_cmpint (n, >=, 0);
      if (n == 0)
        break;
      g_byte_array_append (buf, chunk, (guint) n);
      at += n;
    }

  return g_byte_array_free_to_bytes (buf);
}

goffset
mt_fd_size (int fd)
{
  struct stat st;

  g_assert_cmpint (fstat (fd, &st), ==, 0);
  return st.st_size;
}

guint
mt_count_open_fds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, &error);
  guint n = 0;

  g_assert_no_error (error);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

/* The number of free huge pages of the default size, or 0. */
guint
mt_free_huge_pages (void)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/meminfo", &text, NULL, NULL))
    return 0;
  line = strstr (text, "HugePages_Free:");
  return line != NULL ? (guint) g_ascii_strtoull (line + 15, NULL, 10) : 0;
}

/* The process's address space now, in bytes (VmSize). */
gsize
mt_address_space_size (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL,
                                      NULL));
  line = strstr (status, "VmSize:");
  g_assert_nonnull (line);
  return (gsize) g_ascii_strtoull (line + strlen ("VmSize:"), NULL, 10)
         * 1024;
}

/* Letters with a newline every 41 bytes: lines for readline(), and
 * repeating substrings for find(). */
void
mt_fill_pattern (guint8 *buf,
                 gsize   len,
                 guint   seed)
{
  for (gsize i = 0; i < len; i++)
    buf[i] = (i % 41 == 40) ? '\n' : (guint8) ('a' + (i * 7 + seed) % 26);
}

/* The errno of an OS failure: asserts that @error has one. */
int
mt_errno_from_error (const GError *error)
{
  int errsv;

  g_assert_nonnull (error);
  errsv = mmap_error_get_errno (error);
  g_assert_cmpint (errsv, >, 0);

  return errsv;
}

gboolean
mt_fd_is_tmpfs (int fd)
{
  struct statfs fs;

  g_assert_cmpint (fstatfs (fd, &fs), ==, 0);

  return fs.f_type == TMPFS_MAGIC;
}

/* ------------------------------------------------------------------ */

#define PAGE 4096

static const MtKindInfo kinds[MT_N_KINDS] = {
  /* kind, name, access, file, writable, reaches_file, resizable,
   * has_size, track_fd, offset, length */
  { MT_KIND_FILE_DEFAULT, "file-default", MMAP_ACCESS_DEFAULT,
    TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, 0, 0 },
  { MT_KIND_FILE_READ, "file-read", MMAP_ACCESS_READ,
    TRUE, FALSE, FALSE, FALSE, TRUE, TRUE, 0, 0 },
  { MT_KIND_FILE_WRITE, "file-write", MMAP_ACCESS_WRITE,
    TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, 0, 0 },
  { MT_KIND_FILE_COPY, "file-copy", MMAP_ACCESS_COPY,
    TRUE, TRUE, FALSE, FALSE, TRUE, TRUE, 0, 0 },
  { MT_KIND_FILE_PRIVATE, "file-private", MMAP_ACCESS_DEFAULT,
    TRUE, TRUE, FALSE, TRUE, TRUE, TRUE, 0, 0 },
  { MT_KIND_FILE_OFFSET_ALIGNED, "file-offset-aligned", MMAP_ACCESS_WRITE,
    TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, PAGE, 500 },
  { MT_KIND_FILE_OFFSET_UNALIGNED, "file-offset-unaligned",
    MMAP_ACCESS_DEFAULT,
    TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, 1003, PAGE + 200 },
  { MT_KIND_FILE_NO_TRACK, "file-no-track", MMAP_ACCESS_DEFAULT,
    TRUE, TRUE, TRUE, FALSE, FALSE, FALSE, 0, 0 },
  { MT_KIND_ANON_SHARED, "anon-shared", MMAP_ACCESS_DEFAULT,
    FALSE, TRUE, FALSE, TRUE, FALSE, TRUE, 0, PAGE + 700 },
  { MT_KIND_ANON_PRIVATE, "anon-private", MMAP_ACCESS_DEFAULT,
    FALSE, TRUE, FALSE, TRUE, FALSE, TRUE, 0, PAGE + 700 },
  { MT_KIND_ANON_NO_TRACK, "anon-no-track", MMAP_ACCESS_DEFAULT,
    FALSE, TRUE, FALSE, FALSE, FALSE, FALSE, 0, 300 },
};

const MtKindInfo *
mt_kind_info (MtKind kind)
{
  g_assert_cmpint (kind, <, MT_N_KINDS);
  return &kinds[kind];
}

void
mt_assert_map_is (MmapObject   *map,
                  const guint8 *expected,
                  gsize         len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) all = NULL;

  g_assert_cmpuint (mmap_object_get_length (map), ==, len);
  all = mmap_object_get_slice (map, 0, G_MAXSSIZE, 1, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (all, expected, len);
}

void
mt_fixture_setup (MtFixture     *fx,
                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  const MtKindInfo *info = mt_kind_info (GPOINTER_TO_INT (user_data));

  fx->info = info;

  if (info->file_backed)
    {
      MmapMapFlags flags = MMAP_MAP_SHARED;

      fx->file_len = 2 * PAGE + 300;
      fx->file_data = g_malloc (fx->file_len);
      mt_fill_pattern (fx->file_data, fx->file_len, 1);
      fx->file = mt_file_new (fx->file_data, fx->file_len);

      if (info->kind == MT_KIND_FILE_PRIVATE)
        flags = MMAP_MAP_PRIVATE;

      fx->map = mmap_object_new_full (fx->file->fd, info->length, flags,
                                      MMAP_PROT_READ | MMAP_PROT_WRITE,
                                      info->kind == MT_KIND_FILE_PRIVATE
                                      ? MMAP_ACCESS_DEFAULT : info->access,
                                      info->offset, info->track_fd, &error);
      g_assert_no_error (error);
      g_assert_nonnull (fx->map);

      fx->len = info->length != 0 ? info->length
                                  : fx->file_len - (gsize) info->offset;
      fx->expected = g_memdup2 (fx->file_data + info->offset, fx->len);
    }
  else
    {
      MmapMapFlags flags = info->kind == MT_KIND_ANON_PRIVATE
                           ? MMAP_MAP_PRIVATE : MMAP_MAP_SHARED;

      fx->len = info->length;
      fx->map = mmap_object_new_full (-1, fx->len, flags,
                                      MMAP_PROT_READ | MMAP_PROT_WRITE,
                                      MMAP_ACCESS_DEFAULT, 0, info->track_fd,
                                      &error);
      g_assert_no_error (error);
      g_assert_nonnull (fx->map);

      fx->expected = g_malloc (fx->len);
      mt_fill_pattern (fx->expected, fx->len, 2);
      g_assert_true (mmap_object_set_slice (fx->map, 0, G_MAXSSIZE, 1,
                                            fx->expected, fx->len, &error));
      g_assert_no_error (error);
    }

  g_assert_cmpuint (mmap_object_get_length (fx->map), ==, fx->len);
  g_assert_cmpint (mmap_object_get_access (fx->map), ==, info->access);
}

void
mt_fixture_teardown (MtFixture     *fx,
                     gconstpointer  user_data)
{
  g_assert_finalize_object (fx->map);
  g_clear_pointer (&fx->file, mt_file_free);
  g_free (fx->file_data);
  g_free (fx->expected);
}

void
mt_fixture_assert_file (MtFixture *fx)
{
  g_autoptr(GBytes) contents = NULL;
  g_autofree guint8 *want = NULL;

  if (fx->file == NULL)
    return;

  want = g_memdup2 (fx->file_data, fx->file_len);
  if (fx->info->reaches_file)
    memcpy (want + fx->info->offset, fx->expected, fx->len);

  contents = mt_fd_read_all (fx->file->fd);
  mt_assert_bytes_eq (contents, want, fx->file_len);
}

void
mt_add_for_kinds (const char    *prefix,
                  MtFixtureFunc  func)
{
  for (int k = 0; k < MT_N_KINDS; k++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s", prefix,
                                               kinds[k].name);

      g_test_add (path, MtFixture, GINT_TO_POINTER (k), mt_fixture_setup,
                  func, mt_fixture_teardown);
    }
}
