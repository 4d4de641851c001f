/* test-construct.c: constructors, GInitable, properties, init errors, fds,
 * protection, fork
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-util.h"

#define RW (MMAP_PROT_READ | MMAP_PROT_WRITE)

static MtFile *
new_pattern_file (gsize len)
{
  g_autofree guint8 *data = g_malloc (len);

  mt_fill_pattern (data, len, 4);
  return mt_file_new (data, len);
}

/* ------------------------------------------------------------------ */
/* Properties                                                         */

typedef struct
{
  MmapAccess    access;
  MmapMapFlags  flags;
  MmapProt      prot;
  gsize         length;
  goffset       offset;
  gboolean      closed;
  gboolean      track_fd;
  int           fd;
  char         *path;
} Props;

static void
get_props (MmapObject *map,
           Props      *p)
{
  guint64 length;
  gint64 offset;

  g_object_get (map,
                "access", &p->access,
                "flags", &p->flags,
                "prot", &p->prot,
                "length", &length,
                "offset", &offset,
                "closed", &p->closed,
                "track-fd", &p->track_fd,
                "fd", &p->fd,
                "path", &p->path,
                NULL);
  p->length = (gsize) length;
  p->offset = offset;

  /* The getters agree with the properties. */
  g_assert_cmpint (mmap_object_get_access (map), ==, p->access);
  g_assert_cmpint (mmap_object_get_flags (map), ==, p->flags);
  g_assert_cmpint (mmap_object_get_prot (map), ==, p->prot);
  g_assert_cmpuint (mmap_object_get_length (map), ==, p->length);
  g_assert_cmpint (mmap_object_get_offset (map), ==, p->offset);
  g_assert_cmpint (mmap_object_get_closed (map), ==, p->closed);
  g_assert_cmpint (mmap_object_get_track_fd (map), ==, p->track_fd);
  g_assert_cmpint (mmap_object_get_fd (map), ==, p->fd);
  g_assert_cmpstr (mmap_object_get_path (map), ==, p->path);
}

static void
test_properties_file (void)
{
  g_autoptr(MtFile) file = new_pattern_file (5000);
  g_autoptr(GError) error = NULL;
  Props p = { 0, };
  MmapObject *map;

  map = mmap_object_new (file->fd, 100, MMAP_ACCESS_WRITE, 4096, &error);
  g_assert_no_error (error);
  get_props (map, &p);
  g_assert_cmpint (p.access, ==, MMAP_ACCESS_WRITE);
  g_assert_cmpint (p.flags, ==, MMAP_MAP_SHARED);
  g_assert_cmpint (p.prot, ==, RW);
  g_assert_cmpuint (p.length, ==, 100);
  g_assert_cmpint (p.offset, ==, 4096);
  g_assert_false (p.closed);
  g_assert_true (p.track_fd);
  g_assert_cmpint (p.fd, >=, 0);
  g_assert_cmpint (p.fd, !=, file->fd);
  g_assert_null (p.path);

  g_assert_true (mmap_object_close (map, &error));
  g_assert_no_error (error);
  get_props (map, &p);
  g_assert_true (p.closed);
  g_assert_cmpuint (p.length, ==, 0);
  g_assert_cmpint (p.fd, ==, -1);
  g_assert_finalize_object (map);
}

static void
test_properties_anonymous (void)
{
  g_autoptr(GError) error = NULL;
  Props p = { 0, };
  MmapObject *map = mmap_object_new_anonymous (33, &error);

  g_assert_no_error (error);
  get_props (map, &p);
  g_assert_cmpint (p.access, ==, MMAP_ACCESS_DEFAULT);
  g_assert_cmpint (p.flags, ==, MMAP_MAP_SHARED | MMAP_MAP_ANONYMOUS);
  g_assert_cmpint (p.prot, ==, RW);
  g_assert_cmpuint (p.length, ==, 33);
  g_assert_cmpint (p.offset, ==, 0);
  g_assert_cmpint (p.fd, ==, -1);
  g_assert_true (p.track_fd);
  g_assert_finalize_object (map);

  map = mmap_object_new_full (-1, 10, MMAP_MAP_PRIVATE, RW,
                              MMAP_ACCESS_DEFAULT, 0, FALSE, &error);
  g_assert_no_error (error);
  get_props (map, &p);
  g_assert_cmpint (p.flags, ==, MMAP_MAP_PRIVATE | MMAP_MAP_ANONYMOUS);
  g_assert_false (p.track_fd);
  g_assert_cmpint (p.fd, ==, -1);
  g_assert_finalize_object (map);
}

/* The effective access, flags and prot, as Python works them out. */
static void
test_effective_access (void)
{
  g_autoptr(MtFile) file = new_pattern_file (100);
  struct {
    MmapMapFlags flags; MmapProt prot; MmapAccess access;
    MmapMapFlags want_flags; MmapProt want_prot; MmapAccess want_access;
  } cases[] = {
    { MMAP_MAP_SHARED, RW, MMAP_ACCESS_DEFAULT,
      MMAP_MAP_SHARED, RW, MMAP_ACCESS_DEFAULT },
    { MMAP_MAP_SHARED, RW, MMAP_ACCESS_READ,
      MMAP_MAP_SHARED, MMAP_PROT_READ, MMAP_ACCESS_READ },
    { MMAP_MAP_SHARED, RW, MMAP_ACCESS_WRITE,
      MMAP_MAP_SHARED, RW, MMAP_ACCESS_WRITE },
    { MMAP_MAP_SHARED, RW, MMAP_ACCESS_COPY,
      MMAP_MAP_PRIVATE, RW, MMAP_ACCESS_COPY },
    { MMAP_MAP_PRIVATE, RW, MMAP_ACCESS_DEFAULT,
      MMAP_MAP_PRIVATE, RW, MMAP_ACCESS_DEFAULT },
    { MMAP_MAP_SHARED, MMAP_PROT_READ, MMAP_ACCESS_DEFAULT,
      MMAP_MAP_SHARED, MMAP_PROT_READ, MMAP_ACCESS_READ },
    { MMAP_MAP_SHARED, MMAP_PROT_WRITE, MMAP_ACCESS_DEFAULT,
      MMAP_MAP_SHARED, MMAP_PROT_WRITE, MMAP_ACCESS_WRITE },
    { MMAP_MAP_SHARED, MMAP_PROT_READ | MMAP_PROT_EXEC, MMAP_ACCESS_DEFAULT,
      MMAP_MAP_SHARED, MMAP_PROT_READ | MMAP_PROT_EXEC, MMAP_ACCESS_READ },
    { MMAP_MAP_SHARED, MMAP_PROT_NONE, MMAP_ACCESS_DEFAULT,
      MMAP_MAP_SHARED, MMAP_PROT_NONE, MMAP_ACCESS_READ },
    { MMAP_MAP_PRIVATE, MMAP_PROT_READ, MMAP_ACCESS_DEFAULT,
      MMAP_MAP_PRIVATE, MMAP_PROT_READ, MMAP_ACCESS_READ },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      MmapObject *map;
      MmapAccess access;

      map = mmap_object_new_full (file->fd, 0, cases[i].flags, cases[i].prot,
                                  cases[i].access, 0, TRUE, &error);
      g_assert_no_error (error);
      g_object_get (map, "access", &access, NULL);
      g_assert_cmpint (access, ==, cases[i].want_access);
      g_assert_cmpint (mmap_object_get_flags (map), ==, cases[i].want_flags);
      g_assert_cmpint (mmap_object_get_prot (map), ==, cases[i].want_prot);
      g_assert_cmpuint (mmap_object_get_length (map), ==, 100);
      g_assert_finalize_object (map);
    }
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  GPtrArray *names = user_data;

  g_ptr_array_add (names, g_strdup (pspec->name));
}

static void
test_notify_closed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  MmapObject *map = mmap_object_new_anonymous (10, &error);

  g_assert_no_error (error);
  g_signal_connect (map, "notify", G_CALLBACK (on_notify), names);

  g_assert_true (mmap_object_close (map, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, >=, 1);
  g_assert_true (g_ptr_array_find_with_equal_func (names, "closed",
                                                   g_str_equal, NULL));

  /* Closing again is fine and notifies nothing. */
  g_ptr_array_set_size (names, 0);
  g_assert_true (mmap_object_close (map, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 0);
  g_assert_true (mmap_object_get_closed (map));
  g_assert_true (mmap_object_seekable (map));
  g_assert_finalize_object (map);
}

static void
test_notify_length (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  MmapObject *map = mmap_object_new_anonymous (10, &error);

  g_assert_no_error (error);
  g_signal_connect (map, "notify::length", G_CALLBACK (on_notify), names);
  g_assert_true (mmap_object_resize (map, 20, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 1);
  g_assert_cmpstr (names->pdata[0], ==, "length");
  g_assert_finalize_object (map);
}

static void
test_page_size (void)
{
  g_assert_cmpuint (mmap_get_page_size (), ==, (gsize) sysconf (_SC_PAGESIZE));
  g_assert_cmpuint (mmap_get_allocation_granularity (), ==,
                    mmap_get_page_size ());
}

static void
test_enum_types (void)
{
  g_autoptr(GEnumClass) access = g_type_class_ref (MMAP_TYPE_ACCESS);
  g_autoptr(GEnumClass) advice = g_type_class_ref (MMAP_TYPE_ADVICE);
  g_autoptr(GEnumClass) errors = g_type_class_ref (MMAP_TYPE_ERROR);
  g_autoptr(GFlagsClass) prot = g_type_class_ref (MMAP_TYPE_PROT);
  g_autoptr(GFlagsClass) flags = g_type_class_ref (MMAP_TYPE_MAP_FLAGS);

  g_assert_cmpstr (g_enum_get_value (access, MMAP_ACCESS_COPY)->value_name,
                   ==, "MMAP_ACCESS_COPY");
  g_assert_nonnull (g_enum_get_value (advice, MMAP_ADVICE_COLD));
  g_assert_nonnull (g_enum_get_value (errors, MMAP_ERROR_NOT_SUPPORTED));
  g_assert_nonnull (g_flags_get_first_value (prot, MMAP_PROT_EXEC));
  g_assert_nonnull (g_flags_get_first_value (flags, MMAP_MAP_PRIVATE));
  g_assert_cmpstr (g_quark_to_string (MMAP_ERROR), ==, "mmap-error-quark");
}

/* ------------------------------------------------------------------ */
/* GInitable construction                                             */

static void
test_initable (void)
{
  g_autoptr(MtFile) file = new_pattern_file (300);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  MmapObject *map;

  map = g_object_new (MMAP_TYPE_OBJECT,
                      "fd", file->fd,
                      "length", (guint64) 50,
                      "offset", (gint64) 7,
                      "access", MMAP_ACCESS_READ,
                      NULL);
  g_assert_nonnull (map);
  g_assert_true (G_IS_INITABLE (map));

  g_assert_null (mmap_object_read (map, -1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_INITIALIZED);
  g_clear_error (&error);

  g_assert_true (g_initable_init (G_INITABLE (map), NULL, &error));
  g_assert_no_error (error);
  /* Twice is fine. */
  g_assert_true (g_initable_init (G_INITABLE (map), NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (mmap_object_get_length (map), ==, 50);
  g_assert_cmpint (mmap_object_get_access (map), ==, MMAP_ACCESS_READ);
  bytes = mmap_object_read (map, 5, &error);
  g_assert_no_error (error);
  {
    guint8 want[5];
    guint8 all[300];

    mt_fill_pattern (all, sizeof all, 4);
    memcpy (want, all + 7, 5);
    mt_assert_bytes_eq (bytes, want, 5);
  }
  g_assert_finalize_object (map);
}

static void
test_initable_failure_sticks (void)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map;

  map = g_object_new (MMAP_TYPE_OBJECT,
                      "fd", -1,
                      "length", (guint64) 10,
                      "offset", (gint64) -1,
                      NULL);
  g_assert_false (g_initable_init (G_INITABLE (map), NULL, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OVERFLOW);
  g_clear_error (&error);
  g_assert_false (g_initable_init (G_INITABLE (map), NULL, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OVERFLOW);
  g_clear_error (&error);

  /* Still not initialised: methods say so. */
  g_assert_cmpint (mmap_object_tell (map, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_INITIALIZED);
  g_assert_finalize_object (map);
}

/* close() before init() is final: init() must not map a closed object. */
static void
test_initable_after_close (void)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map;

  map = g_object_new (MMAP_TYPE_OBJECT, "fd", -1, "length", (guint64) 10,
                      NULL);
  g_assert_true (mmap_object_close (map, &error));
  g_assert_no_error (error);
  g_assert_false (g_initable_init (G_INITABLE (map), NULL, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_true (mmap_object_get_closed (map));
  g_assert_cmpuint (mmap_object_get_length (map), ==, 0);
  g_assert_null (mmap_object_read (map, -1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_assert_finalize_object (map);
}

static void
test_new_for_path (void)
{
  g_autoptr(MtFile) file = new_pattern_file (64);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) contents = NULL;
  const MmapAccess accesses[] = {
    MMAP_ACCESS_DEFAULT, MMAP_ACCESS_READ, MMAP_ACCESS_WRITE,
    MMAP_ACCESS_COPY,
  };
  guint8 data[64];

  mt_fill_pattern (data, sizeof data, 4);

  for (gsize i = 0; i < G_N_ELEMENTS (accesses); i++)
    {
      MmapObject *map = mmap_object_new_for_path (file->path, accesses[i],
                                                  &error);
      int fd;

      g_assert_no_error (error);
      g_assert_cmpstr (mmap_object_get_path (map), ==, file->path);
      g_assert_cmpuint (mmap_object_get_length (map), ==, 64);
      g_assert_cmpint (mmap_object_get_access (map), ==, accesses[i]);
      g_assert_cmpint (mmap_object_size (map, &error), ==, 64);
      g_assert_no_error (error);

      fd = mmap_object_get_fd (map);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (fcntl (fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);
      /* Opened read-only for READ and COPY. */
      g_assert_cmpint (fcntl (fd, F_GETFL) & O_ACCMODE, ==,
                       accesses[i] == MMAP_ACCESS_READ
                       || accesses[i] == MMAP_ACCESS_COPY
                       ? O_RDONLY : O_RDWR);

      if (accesses[i] != MMAP_ACCESS_READ)
        {
          g_assert_true (mmap_object_set_byte (map, i, 'P', &error));
          g_assert_no_error (error);
          if (accesses[i] != MMAP_ACCESS_COPY)
            data[i] = 'P';
        }
      g_assert_finalize_object (map);
    }

  contents = mt_fd_read_all (file->fd);
  mt_assert_bytes_eq (contents, data, sizeof data);

  g_assert_null (mmap_object_new_for_path ("/nonexistent/mmapobj-test",
                                           MMAP_ACCESS_READ, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpint (mt_errno_from_error (error), ==, ENOENT);
  g_assert_nonnull (strstr (error->message, "[Errno 2]"));
}

static void
test_new_for_path_empty (void)
{
  g_autoptr(MtFile) file = mt_file_new (NULL, 0);
  g_autoptr(GError) error = NULL;
  MmapObject *map = mmap_object_new_for_path (file->path, MMAP_ACCESS_WRITE,
                                              &error);

  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 0);
  /* new_for_path keeps its own fd, so the map can grow. */
  g_assert_true (mmap_object_resize (map, 4, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_write (map, (const guint8 *) "grow", 4,
                                      &error), ==, 4);
  g_assert_cmpint (mt_fd_size (file->fd), ==, 4);
  g_assert_finalize_object (map);
}

static void
test_path_and_fd_conflict (void)
{
  g_autoptr(MtFile) file = new_pattern_file (10);
  g_autoptr(GError) error = NULL;
  GInitable *map;

  map = g_initable_new (MMAP_TYPE_OBJECT, NULL, &error,
                        "path", file->path, "fd", file->fd, NULL);
  g_assert_null (map);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
}

/* ------------------------------------------------------------------ */
/* Construction errors                                                */

static void
assert_io_errno (GError *error,
                 int     errsv)
{
  g_autofree char *tag = g_strdup_printf ("[Errno %d]", errsv);

  g_assert_nonnull (error);
  g_assert_true (error->domain == G_IO_ERROR);
  g_assert_cmpint (error->code, ==, g_io_error_from_errno (errsv));
  g_assert_nonnull (strstr (error->message, tag));
  g_assert_cmpint (mt_errno_from_error (error), ==, errsv);
}

static void
test_init_errors (void)
{
  g_autoptr(MtFile) file = new_pattern_file (100);
  g_autoptr(GError) error = NULL;
  int fds[2];
  int bad_fd;

  /* Negative offset */
  g_assert_null (mmap_object_new (file->fd, 10, MMAP_ACCESS_DEFAULT, -1,
                                  &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OVERFLOW);
  g_clear_error (&error);
  g_assert_null (mmap_object_new (-1, 10, MMAP_ACCESS_DEFAULT, G_MININT64,
                                  &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OVERFLOW);
  g_clear_error (&error);

  /* Length beyond gssize */
  g_assert_null (mmap_object_new (file->fd, G_MAXSIZE, MMAP_ACCESS_DEFAULT, 0,
                                  &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_OVERFLOW);
  g_clear_error (&error);

  /* access with non-default flags or prot */
  g_assert_null (mmap_object_new_full (file->fd, 0, MMAP_MAP_PRIVATE, RW,
                                       MMAP_ACCESS_READ, 0, TRUE, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (mmap_object_new_full (file->fd, 0, MMAP_MAP_SHARED,
                                       MMAP_PROT_READ, MMAP_ACCESS_WRITE, 0,
                                       TRUE, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (mmap_object_new_full (-1, 10, MMAP_MAP_SHARED,
                                       MMAP_PROT_READ, MMAP_ACCESS_COPY, 0,
                                       TRUE, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Past the end of the file */
  g_assert_null (mmap_object_new (file->fd, 101, MMAP_ACCESS_DEFAULT, 0,
                                  &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_FILE_TOO_SMALL);
  g_clear_error (&error);
  g_assert_null (mmap_object_new (file->fd, 10, MMAP_ACCESS_READ, 91,
                                  &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_FILE_TOO_SMALL);
  g_clear_error (&error);
  g_assert_null (mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 101,
                                  &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_FILE_TOO_SMALL);
  g_clear_error (&error);
  g_assert_null (mmap_object_new (file->fd, 1, MMAP_ACCESS_READ, 4096,
                                  &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_FILE_TOO_SMALL);
  g_clear_error (&error);
  g_assert_null (mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, G_MAXINT64,
                                  &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_FILE_TOO_SMALL);
  g_clear_error (&error);

  /* A bad fd */
  bad_fd = 9999;
  g_assert_cmpint (fcntl (bad_fd, F_GETFD), ==, -1);
  g_assert_null (mmap_object_new (bad_fd, 10, MMAP_ACCESS_DEFAULT, 0,
                                  &error));
  assert_io_errno (error, EBADF);
  g_clear_error (&error);
  g_assert_null (mmap_object_new_full (bad_fd, 10, MMAP_MAP_SHARED, RW,
                                       MMAP_ACCESS_DEFAULT, 0, FALSE,
                                       &error));
  assert_io_errno (error, EBADF);
  g_clear_error (&error);

  /* Neither MAP_SHARED nor MAP_PRIVATE */
  g_assert_null (mmap_object_new_full (file->fd, 0, MMAP_MAP_NONE, RW,
                                       MMAP_ACCESS_DEFAULT, 0, TRUE, &error));
  assert_io_errno (error, EINVAL);
  g_clear_error (&error);
  g_assert_null (mmap_object_new_full (-1, 10, MMAP_MAP_NONE, RW,
                                       MMAP_ACCESS_DEFAULT, 0, TRUE, &error));
  assert_io_errno (error, EINVAL);
  g_clear_error (&error);
  g_assert_null (mmap_object_new_full (-1, 0, MMAP_MAP_NONE, RW,
                                       MMAP_ACCESS_DEFAULT, 0, TRUE, &error));
  assert_io_errno (error, EINVAL);
  g_clear_error (&error);

  /* A pipe: length 0 has no size to take; with a length, ENODEV. */
  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_null (mmap_object_new (fds[0], 0, MMAP_ACCESS_READ, 0, &error));
  assert_io_errno (error, EINVAL);
  g_clear_error (&error);
  g_assert_null (mmap_object_new (fds[0], 10, MMAP_ACCESS_READ, 0, &error));
  assert_io_errno (error, ENODEV);
  g_clear_error (&error);
  close (fds[0]);
  close (fds[1]);

  /* Too big for the system */
  g_assert_null (mmap_object_new_anonymous ((gsize) 1 << 62, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_IO_ERROR);
  g_assert_cmpint (mt_errno_from_error (error), >, 0);
}

/* An access value outside the enum is Python's ValueError, not a GObject
 * warning. Run in a subprocess: a property warning is fatal in tests. */
static void
test_invalid_access (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(MtFile) file = new_pattern_file (100);
      g_autoptr(GError) error = NULL;

      g_assert_null (mmap_object_new (file->fd, 0, (MmapAccess) 7, 0,
                                      &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      g_assert_null (mmap_object_new (-1, 10, (MmapAccess) 4, 0, &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      g_assert_null (mmap_object_new_for_path (file->path, (MmapAccess) 9,
                                               &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      /* Flag and prot bits the enums do not name: an error too. */
      g_assert_null (mmap_object_new_full (-1, 10,
                                           MMAP_MAP_SHARED | 0x1000000,
                                           MMAP_PROT_READ, MMAP_ACCESS_DEFAULT,
                                           0, TRUE, &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      g_assert_null (mmap_object_new_full (-1, 10, MMAP_MAP_SHARED,
                                           MMAP_PROT_READ | 0x80,
                                           MMAP_ACCESS_DEFAULT, 0, TRUE,
                                           &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr_unmatched ("*WARNING*");
}

static void
test_read_only_fd (void)
{
  g_autoptr(MtFile) file = new_pattern_file (100);
  g_autoptr(GError) error = NULL;
  int ro = mt_open_read_only (file->path);
  MmapObject *map;

  /* Writable shared maps need a writable fd. */
  g_assert_null (mmap_object_new (ro, 0, MMAP_ACCESS_WRITE, 0, &error));
  assert_io_errno (error, EACCES);
  g_clear_error (&error);
  g_assert_null (mmap_object_new (ro, 0, MMAP_ACCESS_DEFAULT, 0, &error));
  assert_io_errno (error, EACCES);
  g_clear_error (&error);

  /* READ, COPY and a private map work. */
  map = mmap_object_new (ro, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (map);
  map = mmap_object_new (ro, 0, MMAP_ACCESS_COPY, 0, &error);
  g_assert_no_error (error);
  g_assert_true (mmap_object_set_byte (map, 0, 'c', &error));
  g_assert_no_error (error);
  g_assert_finalize_object (map);
  map = mmap_object_new_full (ro, 0, MMAP_MAP_PRIVATE, RW,
                              MMAP_ACCESS_DEFAULT, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (map);

  close (ro);
}

static void
test_dev_zero (void)
{
  g_autoptr(GError) error = NULL;
  int fd = open ("/dev/zero", O_RDWR | O_CLOEXEC);
  MmapObject *map;

  g_assert_cmpint (fd, >=, 0);
  map = mmap_object_new (fd, 10, MMAP_ACCESS_DEFAULT, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 10);
  g_assert_cmpint (mmap_object_size (map, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_byte (map, 9, &error), ==, 0);
  g_assert_finalize_object (map);
  close (fd);
}

/* ------------------------------------------------------------------ */
/* File descriptors                                                   */

static void
test_fd_is_cloexec_dup (void)
{
  g_autoptr(GError) error = NULL;
  MtFile *file = new_pattern_file (100);
  g_autofree char *path = g_strdup (file->path);
  g_autoptr(GBytes) bytes = NULL;
  MmapObject *map;
  int fd;

  /* The caller's fd is not close-on-exec: the dup must be anyway. */
  g_assert_cmpint (fcntl (file->fd, F_SETFD, 0), ==, 0);

  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  fd = mmap_object_get_fd (map);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fd, !=, file->fd);
  g_assert_cmpint (fcntl (fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);

  /* Closing the caller's fd is fine. */
  close (file->fd);
  file->fd = -1;
  g_assert_cmpint (fcntl (fd, F_GETFD), !=, -1);
  g_assert_cmpint (mmap_object_size (map, &error), ==, 100);
  g_assert_no_error (error);
  g_assert_true (mmap_object_set_byte (map, 0, 'X', &error));
  g_assert_no_error (error);
  bytes = mmap_object_read (map, 1, &error);
  mt_assert_bytes_eq (bytes, "X", 1);

  /* track_fd FALSE keeps no fd. */
  file->fd = open (path, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (file->fd, >=, 0);
  g_assert_finalize_object (map);
  map = mmap_object_new_full (file->fd, 0, MMAP_MAP_SHARED, RW,
                              MMAP_ACCESS_DEFAULT, 0, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_fd (map), ==, -1);
  close (file->fd);
  file->fd = -1;
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, 'X');
  g_assert_no_error (error);
  g_assert_finalize_object (map);

  mt_file_free (file);
}

static void
test_no_fd_leak (void)
{
  g_autoptr(MtFile) file = new_pattern_file (5000);
  guint before = mt_count_open_fds ();
  int bad_fd = 9999;

  g_assert_cmpint (fcntl (bad_fd, F_GETFD), ==, -1);

  for (int round = 0; round < 3; round++)
    {
      g_autoptr(GError) error = NULL;
      MmapObject *maps[6];
      GBytes *view;

      maps[0] = mmap_object_new (file->fd, 0, MMAP_ACCESS_WRITE, 0, &error);
      maps[1] = mmap_object_new (file->fd, 10, MMAP_ACCESS_COPY, 4097,
                                 &error);
      maps[2] = mmap_object_new_anonymous (100, &error);
      maps[3] = mmap_object_new_anonymous (0, &error);
      maps[4] = mmap_object_new_for_path (file->path, MMAP_ACCESS_READ,
                                          &error);
      maps[5] = mmap_object_new_full (file->fd, 0, MMAP_MAP_SHARED, RW,
                                      MMAP_ACCESS_DEFAULT, 0, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (mt_count_open_fds (), >, before);

      g_assert_true (mmap_object_resize (maps[2], 9000, &error));
      g_assert_no_error (error);
      view = mmap_object_view (maps[0], 0, -1, &error);

      /* Failed constructions leak nothing either. */
      g_assert_null (mmap_object_new (file->fd, 6000, MMAP_ACCESS_READ, 0,
                                      &error));
      g_clear_error (&error);
      g_assert_null (mmap_object_new (bad_fd, 10, MMAP_ACCESS_READ, 0,
                                      &error));
      g_clear_error (&error);
      g_assert_null (mmap_object_new_full (-1, 10, MMAP_MAP_NONE, RW,
                                           MMAP_ACCESS_DEFAULT, 0, TRUE,
                                           &error));
      g_clear_error (&error);
      g_assert_null (mmap_object_new_for_path ("/nonexistent/x",
                                               MMAP_ACCESS_READ, &error));
      g_clear_error (&error);

      /* Half of them closed explicitly, the rest only finalized. */
      for (gsize i = 0; i < G_N_ELEMENTS (maps); i++)
        {
          if ((i + (gsize) round) % 2 == 0)
            g_assert_true (mmap_object_close (maps[i], NULL));
          g_assert_finalize_object (maps[i]);
        }
      g_bytes_unref (view);
    }

  g_assert_cmpuint (mt_count_open_fds (), ==, before);
}

static void
test_close_releases_fd (void)
{
  g_autoptr(MtFile) file = new_pattern_file (100);
  g_autoptr(GError) error = NULL;
  guint before = mt_count_open_fds ();
  MmapObject *map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0,
                                     &error);
  int fd;

  g_assert_no_error (error);
  fd = mmap_object_get_fd (map);
  g_assert_cmpuint (mt_count_open_fds (), ==, before + 1);
  g_assert_true (mmap_object_close (map, &error));
  g_assert_cmpuint (mt_count_open_fds (), ==, before);
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);
  g_assert_finalize_object (map);
}

/* ------------------------------------------------------------------ */
/* Protection                                                         */

static void
assert_not_accessible (MmapObject *map)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (mmap_object_read (map, -1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_clear_error (&error);
  g_assert_null (mmap_object_read (map, 0, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_read_byte (map, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_clear_error (&error);
  g_assert_null (mmap_object_readline (map, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_clear_error (&error);
  g_assert_null (mmap_object_get_slice (map, 0, G_MAXSSIZE, 1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_find (map, (const guint8 *) "a", 1, &error),
                   ==, -2);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_clear_error (&error);
  g_assert_cmpint (mmap_object_rfind_range (map, (const guint8 *) "a", 1, 0,
                                            G_MAXSSIZE, &error), ==, -2);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_clear_error (&error);
  g_assert_null (mmap_object_view (map, 0, -1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_clear_error (&error);
}

static void
test_prot_none (void)
{
  g_autoptr(MtFile) file = new_pattern_file (100);
  g_autoptr(GError) error = NULL;
  MmapObject *maps[2];

  maps[0] = mmap_object_new_full (file->fd, 0, MMAP_MAP_SHARED,
                                  MMAP_PROT_NONE, MMAP_ACCESS_DEFAULT, 0,
                                  TRUE, &error);
  g_assert_no_error (error);
  maps[1] = mmap_object_new_full (-1, 100, MMAP_MAP_PRIVATE, MMAP_PROT_NONE,
                                  MMAP_ACCESS_DEFAULT, 0, TRUE, &error);
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (maps); i++)
    {
      MmapObject *map = maps[i];

      g_assert_cmpint (mmap_object_get_access (map), ==, MMAP_ACCESS_READ);
      g_assert_cmpint (mmap_object_get_prot (map), ==, MMAP_PROT_NONE);
      assert_not_accessible (map);

      /* Writes: effective access READ. */
      g_assert_cmpint (mmap_object_write (map, (const guint8 *) "a", 1,
                                          &error), ==, -1);
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
      g_clear_error (&error);
      g_assert_false (mmap_object_set_byte (map, 0, 1, &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
      g_clear_error (&error);
      g_assert_false (mmap_object_move (map, 0, 1, 1, &error));
      g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
      g_clear_error (&error);

      /* What touches no byte still works. */
      g_assert_cmpint (mmap_object_seek (map, 5, G_SEEK_SET, &error), ==, 5);
      g_assert_true (mmap_object_flush (map, &error));
      g_assert_true (mmap_object_madvise (map, MMAP_ADVICE_NORMAL, &error));
      g_assert_no_error (error);
      g_assert_finalize_object (map);
    }
}

static void
test_prot_write_only (void)
{
  g_autoptr(MtFile) file = new_pattern_file (100);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) contents = NULL;
  MmapObject *map;

  map = mmap_object_new_full (file->fd, 0, MMAP_MAP_SHARED, MMAP_PROT_WRITE,
                              MMAP_ACCESS_DEFAULT, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_access (map), ==, MMAP_ACCESS_WRITE);

#if defined (__linux__) \
    && (defined (__x86_64__) || defined (__i386__) || defined (__aarch64__))
  /* Linux makes a write-only map readable here, and Python reads it. */
  {
    guint8 want[4];

    g_assert_cmpint (pread (file->fd, want, sizeof want, 0), ==, 4);
    contents = mmap_object_read (map, 4, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (g_bytes_get_data (contents, NULL),
                     g_bytes_get_size (contents), want, 4);
    g_clear_pointer (&contents, g_bytes_unref);
    g_assert_cmpint (mmap_object_get_byte (map, 1, &error), ==, want[1]);
    g_assert_cmpint (mmap_object_find_range (map, want + 1, 2, 0, G_MAXSSIZE,
                                             &error), ==, 1);
    g_assert_true (mmap_object_move (map, 0, 1, 1, &error));
    g_assert_no_error (error);
    g_assert_cmpint (mmap_object_seek (map, 0, G_SEEK_SET, &error), ==, 0);
  }
#else
  assert_not_accessible (map);

  /* move reads too. */
  g_assert_false (mmap_object_move (map, 0, 1, 1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE);
  g_clear_error (&error);
#endif

  g_assert_cmpint (mmap_object_write (map, (const guint8 *) "wo", 2, &error),
                   ==, 2);
  g_assert_no_error (error);
  g_assert_true (mmap_object_write_byte (map, '!', &error));
  g_assert_true (mmap_object_set_byte (map, -1, '$', &error));
  g_assert_true (mmap_object_set_slice (map, 10, 13, 1,
                                        (const guint8 *) "abc", 3, &error));
  g_assert_no_error (error);
  g_assert_true (mmap_object_flush (map, &error));
  g_assert_no_error (error);

  contents = mt_fd_read_all (file->fd);
  {
    const guint8 *data = g_bytes_get_data (contents, NULL);

    g_assert_cmpmem (data, 3, "wo!", 3);
    g_assert_cmpmem (data + 10, 3, "abc", 3);
    g_assert_cmpint (data[99], ==, '$');
  }
  g_assert_finalize_object (map);
}

/* ------------------------------------------------------------------ */
/* fork                                                               */

static int
fork_and_write (MmapObject *map)
{
  pid_t pid = fork ();
  int status = 0;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* Child: no GLib assertions, just the write and an exit code. */
      gboolean ok = mmap_object_set_byte (map, 0, 65, NULL);
      _exit (ok ? 0 : 3);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_fork_shared (void)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = mmap_object_new_anonymous (16, &error);

  g_assert_no_error (error);
  g_assert_cmpint (fork_and_write (map), ==, 0);
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, 65);
  g_assert_no_error (error);

  /* Also after growing (the memfd behind the map). */
  g_assert_true (mmap_object_resize (map, 8192, &error));
  g_assert_no_error (error);
  g_assert_true (mmap_object_set_byte (map, 0, 0, &error));
  g_assert_cmpint (fork_and_write (map), ==, 0);
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, 65);
  g_assert_finalize_object (map);

  /* And when grown from empty. */
  map = mmap_object_new_anonymous (0, &error);
  g_assert_no_error (error);
  g_assert_true (mmap_object_resize (map, 16, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fork_and_write (map), ==, 0);
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, 65);
  g_assert_no_error (error);
  g_assert_finalize_object (map);
}

static void
test_fork_private (void)
{
  g_autoptr(GError) error = NULL;
  MmapObject *map = mmap_object_new_full (-1, 16, MMAP_MAP_PRIVATE, RW,
                                          MMAP_ACCESS_DEFAULT, 0, TRUE,
                                          &error);

  g_assert_no_error (error);
  g_assert_cmpint (fork_and_write (map), ==, 0);
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_finalize_object (map);
}

/* MAP_SHARED | MAP_PRIVATE is MAP_SHARED_VALIDATE: a shared map whose
 * flags the kernel checks; MAP_SYNC needs a DAX file system. */
static void
test_shared_validate (void)
{
  g_autoptr(MtFile) file = new_pattern_file (100);
  g_autoptr(GError) error = NULL;
  MmapObject *map;
  char byte = 0;

  map = mmap_object_new_full (file->fd, 0, MMAP_MAP_SHARED | MMAP_MAP_PRIVATE,
                              RW, MMAP_ACCESS_DEFAULT, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_flags (map), ==,
                   MMAP_MAP_SHARED_VALIDATE);
  g_assert_cmpint (mmap_object_get_access (map), ==, MMAP_ACCESS_DEFAULT);
  /* Shared: the file sees the write. */
  g_assert_true (mmap_object_set_byte (map, 7, 'V', &error));
  g_assert_no_error (error);
  g_assert_cmpint (pread (file->fd, &byte, 1, 7), ==, 1);
  g_assert_cmpint (byte, ==, 'V');
  /* It grows and shrinks like any shared map. */
  g_assert_true (mmap_object_resize (map, 5000, &error));
  g_assert_no_error (error);
  g_assert_true (mmap_object_resize (map, 50, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_byte (map, 7, &error), ==, 'V');
  g_assert_finalize_object (map);

  map = mmap_object_new_full (-1, 4096, MMAP_MAP_SHARED_VALIDATE, RW,
                              MMAP_ACCESS_DEFAULT, 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (mmap_object_set_byte (map, 0, 1, &error));
  g_assert_finalize_object (map);

  /* A temporary file is not on DAX: the kernel refuses MAP_SYNC. */
  g_assert_null (mmap_object_new_full (file->fd, 0,
                                       MMAP_MAP_SHARED_VALIDATE
                                       | MMAP_MAP_SYNC, RW,
                                       MMAP_ACCESS_DEFAULT, 0, TRUE, &error));
  assert_io_errno (error, EOPNOTSUPP);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mmap/Object/properties/file", test_properties_file);
  g_test_add_func ("/Mmap/Object/properties/anonymous",
                   test_properties_anonymous);
  g_test_add_func ("/Mmap/Object/properties/effective-access",
                   test_effective_access);
  g_test_add_func ("/Mmap/Object/properties/notify-closed",
                   test_notify_closed);
  g_test_add_func ("/Mmap/Object/properties/notify-length",
                   test_notify_length);
  g_test_add_func ("/Mmap/Object/page-size", test_page_size);
  g_test_add_func ("/Mmap/Object/enum-types", test_enum_types);
  g_test_add_func ("/Mmap/Object/construct/initable", test_initable);
  g_test_add_func ("/Mmap/Object/construct/initable-after-close",
                   test_initable_after_close);
  g_test_add_func ("/Mmap/Object/construct/initable-failure",
                   test_initable_failure_sticks);
  g_test_add_func ("/Mmap/Object/construct/new-for-path", test_new_for_path);
  g_test_add_func ("/Mmap/Object/construct/new-for-path-empty",
                   test_new_for_path_empty);
  g_test_add_func ("/Mmap/Object/construct/path-and-fd",
                   test_path_and_fd_conflict);
  g_test_add_func ("/Mmap/Object/construct/errors", test_init_errors);
  g_test_add_func ("/Mmap/Object/construct/invalid-access",
                   test_invalid_access);
  g_test_add_func ("/Mmap/Object/construct/read-only-fd", test_read_only_fd);
  g_test_add_func ("/Mmap/Object/construct/dev-zero", test_dev_zero);
  g_test_add_func ("/Mmap/Object/fd/cloexec-dup", test_fd_is_cloexec_dup);
  g_test_add_func ("/Mmap/Object/fd/no-leak", test_no_fd_leak);
  g_test_add_func ("/Mmap/Object/fd/close-releases", test_close_releases_fd);
  g_test_add_func ("/Mmap/Object/prot/none", test_prot_none);
  g_test_add_func ("/Mmap/Object/prot/write-only", test_prot_write_only);
  g_test_add_func ("/Mmap/Object/flags/shared-validate",
                   test_shared_validate);
  g_test_add_func ("/Mmap/Object/fork/shared", test_fork_shared);
  g_test_add_func ("/Mmap/Object/fork/private", test_fork_private);

  return g_test_run ();
}
