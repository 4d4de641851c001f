/* test-error-errno.c: mmap_error_get_errno() on the library's errors and
 * on errors it did not make
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "test-util.h"

/* The suffix every OS error ends in, as Python prints it. */
static void
assert_errno_suffix (const GError *error,
                     int           errsv)
{
  g_autofree char *suffix = g_strdup_printf (": [Errno %d] %s", errsv,
                                             g_strerror (errsv));

  g_assert_true (g_str_has_suffix (error->message, suffix));
}

static void
test_null (void)
{
  g_assert_cmpint (mmap_error_get_errno (NULL), ==, 0);
}

static void
test_enoent (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (mmap_object_new_for_path ("/nonexistent/mmapobj-errno",
                                           MMAP_ACCESS_READ, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpint (mmap_error_get_errno (error), ==, ENOENT);
  /* The message format is unchanged. */
  g_assert_cmpstr (error->message, ==,
                   "open: /nonexistent/mmapobj-errno: [Errno 2] "
                   "No such file or directory");
}

static void
test_ebadf (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (mmap_object_new (-2, 10, MMAP_ACCESS_DEFAULT, 0, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_IO_ERROR);
  g_assert_cmpint (mmap_error_get_errno (error), ==, EBADF);
  assert_errno_suffix (error, EBADF);
}

/* A file truncated under the map: SIGBUS becomes EIO. */
static void
test_sigbus_eio (void)
{
  gsize page = mmap_get_page_size ();
  g_autofree guint8 *data = g_malloc0 (2 * page);
  g_autoptr(MtFile) file = mt_file_new (data, 2 * page);
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GError) error = NULL;

  map = mmap_object_new (file->fd, 0, MMAP_ACCESS_READ, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ftruncate (file->fd, (off_t) page), ==, 0);

  g_assert_cmpint (mmap_object_get_byte (map, (gssize) page, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "SIGBUS"));
  g_assert_cmpint (mmap_error_get_errno (error), ==, EIO);
  assert_errno_suffix (error, EIO);
}

/* The library's own codes have no OS cause, except NOT_SUPPORTED (the
 * kernel answered EINVAL, and Python raises OSError EINVAL for it) and
 * SEALS_MISSING (EPERM: Python's PermissionError). */
static void
test_mmap_error_codes (void)
{
  g_autoptr(GEnumClass) codes = g_type_class_ref (MMAP_TYPE_ERROR);

  g_assert_cmpuint (codes->n_values, >, 10);
  for (guint i = 0; i < codes->n_values; i++)
    {
      int code = codes->values[i].value;
      g_autoptr(GError) error = g_error_new (MMAP_ERROR, code,
                                             "x: [Errno 5] %s",
                                             g_strerror (EIO));

      g_test_message ("%s", codes->values[i].value_name);
      g_assert_cmpint (mmap_error_get_errno (error), ==,
                       code == MMAP_ERROR_NOT_SUPPORTED ? EINVAL
                       : code == MMAP_ERROR_SEALS_MISSING ? EPERM : 0);
    }
}

static void
test_mmap_error_real (void)
{
  g_autoptr(MmapObject) map = mmap_object_new_anonymous (10, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (map);

  /* An anonymous map keeps no file descriptor: no errno (Python's
   * override adds EBADF for size() itself). */
  g_assert_cmpint (mmap_object_size (map, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_NO_TRACKED_FD);
  g_assert_cmpint (mmap_error_get_errno (error), ==, 0);
  g_clear_error (&error);

  g_assert_cmpint (mmap_object_get_byte (map, 10, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INDEX_OUT_OF_RANGE);
  g_assert_cmpint (mmap_error_get_errno (error), ==, 0);
  g_clear_error (&error);

  g_assert_true (mmap_object_close (map, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_byte (map, 0, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED);
  g_assert_cmpint (mmap_error_get_errno (error), ==, 0);
}

/* The errno survives g_error_copy() and a rebuild from domain, code and
 * message (what a binding does when it passes a caught error back). */
static void
test_copy (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) copy = NULL;
  g_autoptr(GError) rebuilt = NULL;
  g_autoptr(GError) propagated = NULL;

  g_assert_null (mmap_object_new_for_path ("/nonexistent/mmapobj-errno",
                                           MMAP_ACCESS_READ, &error));
  g_assert_nonnull (error);

  copy = g_error_copy (error);
  rebuilt = g_error_new_literal (g_quark_from_string ("g-io-error-quark"),
                                 error->code, error->message);
  g_propagate_error (&propagated, g_error_copy (error));
  g_clear_error (&error);

  g_assert_cmpint (mmap_error_get_errno (copy), ==, ENOENT);
  g_assert_cmpint (mmap_error_get_errno (rebuilt), ==, ENOENT);
  g_assert_cmpint (mmap_error_get_errno (propagated), ==, ENOENT);
}

/* The errno of a failed construction is kept for later calls too. */
static void
test_init_error_repeated (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInitable) map = NULL;

  map = G_INITABLE (g_object_new (MMAP_TYPE_OBJECT,
                                  "path", "/nonexistent/mmapobj-errno",
                                  "access", MMAP_ACCESS_READ,
                                  NULL));
  for (int i = 0; i < 2; i++)
    {
      g_assert_false (g_initable_init (map, NULL, &error));
      g_assert_cmpint (mmap_error_get_errno (error), ==, ENOENT);
      g_clear_error (&error);
    }
}

/* Errors the library did not make, some of them close imitations. */
static void
test_foreign (void)
{
  struct
  {
    const char *name;
    GQuark      domain;
    int         code;
    const char *message;
  } cases[] = {
    { "no suffix", G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
      "Error opening file /x: No such file or directory" },
    { "empty message", G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "" },
    { "other strerror", G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
      "open: /x: [Errno 2] File not found" },
    { "no strerror", G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
      "open: /x: [Errno 2]" },
    { "no separator", G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
      "open: /x [Errno 2] No such file or directory" },
    { "text after", G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
      "open: /x: [Errno 2] No such file or directory." },
    { "leading zero", G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
      "open: /x: [Errno 02] No such file or directory" },
    { "sign", G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
      "open: /x: [Errno +2] No such file or directory" },
    { "zero", G_IO_ERROR, G_IO_ERROR_FAILED, "x: [Errno 0] Success" },
    { "negative", G_IO_ERROR, G_IO_ERROR_FAILED,
      "x: [Errno -5] Input/output error" },
    { "overflow", G_IO_ERROR, G_IO_ERROR_FAILED,
      "x: [Errno 4294967298] Unknown error 4294967298" },
    { "code of another errno", G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
      "open: /x: [Errno 2] No such file or directory" },
    { "another domain", G_FILE_ERROR, G_FILE_ERROR_NOENT,
      "open: /x: [Errno 2] No such file or directory" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (cases[i].domain,
                                                     cases[i].code,
                                                     cases[i].message);

      g_test_message ("%s", cases[i].name);
      g_assert_cmpint (mmap_error_get_errno (error), ==, 0);
    }
}

/* Only the suffix counts: a path holding an errno-like text is no
 * trouble, and an exact imitation of the suffix is read like the
 * library's own (they cannot be told apart). */
static void
test_suffix_only (void)
{
  g_autoptr(GError) tricky = NULL;
  g_autoptr(GError) imitation = NULL;

  tricky = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                        "open: /tmp/x: [Errno 2] y: [Errno 5] %s",
                        g_strerror (EIO));
  g_assert_cmpint (mmap_error_get_errno (tricky), ==, EIO);

  imitation = g_error_new (G_IO_ERROR, g_io_error_from_errno (EACCES),
                           "somewhere: [Errno %d] %s", EACCES,
                           g_strerror (EACCES));
  g_assert_cmpint (mmap_error_get_errno (imitation), ==, EACCES);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mmap/Error/errno/null", test_null);
  g_test_add_func ("/Mmap/Error/errno/enoent", test_enoent);
  g_test_add_func ("/Mmap/Error/errno/ebadf", test_ebadf);
  g_test_add_func ("/Mmap/Error/errno/sigbus-eio", test_sigbus_eio);
  g_test_add_func ("/Mmap/Error/errno/mmap-error-codes",
                   test_mmap_error_codes);
  g_test_add_func ("/Mmap/Error/errno/mmap-error-real", test_mmap_error_real);
  g_test_add_func ("/Mmap/Error/errno/copy", test_copy);
  g_test_add_func ("/Mmap/Error/errno/init-error-repeated",
                   test_init_error_repeated);
  g_test_add_func ("/Mmap/Error/errno/foreign", test_foreign);
  g_test_add_func ("/Mmap/Error/errno/suffix-only", test_suffix_only);

  return g_test_run ();
}
