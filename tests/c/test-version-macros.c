/* test-version-macros.c: the availability and deprecation macros
 *
 * Built several times by meson: with MMAP_VERSION_MIN_REQUIRED and
 * MMAP_VERSION_MAX_ALLOWED pinned to 1.0 and -Werror=deprecated-declarations
 * (so the whole current API must still compile), with the defaults, and
 * with MMAP_DISABLE_DEPRECATION_WARNINGS. Each build checks what the macros
 * expand to.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <string.h>

#include <mmapobj/mmapobj.h>

#define STRINGIFY(x) #x
#define EXPANSION(x) STRINGIFY (x)

/* Whether the expansion of a declaration macro carries a warning. */
static gboolean
warns (const char *expansion)
{
  g_test_message ("%s", expansion);
  return strstr (expansion, "deprecated") != NULL;
}

static void
test_values (void)
{
  G_STATIC_ASSERT (MMAP_VERSION_1_0 == G_ENCODE_VERSION (1, 0));
  G_STATIC_ASSERT (MMAP_VERSION_CUR_STABLE
                   == G_ENCODE_VERSION (MMAP_MAJOR_VERSION,
                                        MMAP_MINOR_VERSION));
  G_STATIC_ASSERT (MMAP_VERSION_PREV_STABLE <= MMAP_VERSION_CUR_STABLE);
  G_STATIC_ASSERT (MMAP_VERSION_MIN_REQUIRED >= MMAP_VERSION_1_0);
  G_STATIC_ASSERT (MMAP_VERSION_MAX_ALLOWED >= MMAP_VERSION_MIN_REQUIRED);
  G_STATIC_ASSERT (MMAP_CHECK_VERSION (1, 0, 0));

#ifdef EXPECT_PINNED
  g_assert_cmpint (MMAP_VERSION_MIN_REQUIRED, ==, MMAP_VERSION_1_0);
  g_assert_cmpint (MMAP_VERSION_MAX_ALLOWED, ==, MMAP_VERSION_1_0);
#else
  g_assert_cmpint (MMAP_VERSION_MIN_REQUIRED, ==, MMAP_VERSION_CUR_STABLE);
  g_assert_cmpint (MMAP_VERSION_MAX_ALLOWED, ==, MMAP_VERSION_CUR_STABLE);
#endif
  g_assert_cmpint (MMAP_VERSION_1_0, ==, 0x10000);
}

static void
test_expansions (void)
{
  /* What 1.0 has is available to every program this header accepts. */
  g_assert_false (warns (EXPANSION (MMAP_AVAILABLE_IN_ALL)));
  g_assert_false (warns (EXPANSION (MMAP_AVAILABLE_IN_1_0)));
  g_assert_nonnull (strstr (EXPANSION (MMAP_AVAILABLE_IN_1_0), "extern"));

#ifdef MMAP_DISABLE_DEPRECATION_WARNINGS
  g_assert_false (warns (EXPANSION (MMAP_DEPRECATED_IN_1_0)));
  g_assert_false (warns (EXPANSION (MMAP_DEPRECATED_IN_1_0_FOR (mmap_x))));
  g_assert_false (warns (EXPANSION (MMAP_UNAVAILABLE (1, 1))));
#else
  /* Deprecated in 1.0, and the program supports nothing older. */
  g_assert_true (warns (EXPANSION (MMAP_DEPRECATED_IN_1_0)));
  g_assert_true (warns (EXPANSION (MMAP_DEPRECATED_IN_1_0_FOR (mmap_x))));
  g_assert_nonnull (strstr (EXPANSION (MMAP_DEPRECATED_IN_1_0_FOR (mmap_x)),
                            "mmap_x"));
  g_assert_true (warns (EXPANSION (MMAP_UNAVAILABLE (1, 1))));
  g_assert_nonnull (strstr (EXPANSION (MMAP_UNAVAILABLE (1, 1)),
                            "available"));
#endif
  g_assert_nonnull (strstr (EXPANSION (MMAP_DEPRECATED_IN_1_0), "extern"));
}

/* The current API compiles and runs under the build's settings (with
 * -Werror=deprecated-declarations in the pinned build). */
static void
test_current_api (void)
{
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GError) error = NULL;

  map = mmap_object_new_anonymous (4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mmap_object_get_length (map), ==, 4);
  g_assert_cmpint (mmap_object_write (map, (const guint8 *) "1.0!", 4,
                                      &error), ==, 4);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_byte (map, 4, &error), ==, -1);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_INDEX_OUT_OF_RANGE);
  g_assert_cmpint (mmap_error_get_errno (error), ==, 0);
  g_clear_error (&error);

  g_assert_null (mmap_object_new (-2, 1, MMAP_ACCESS_READ, 0, &error));
  g_assert_cmpint (mmap_error_get_errno (error), ==, EBADF);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Mmap/version-macros/values", test_values);
  g_test_add_func ("/Mmap/version-macros/expansions", test_expansions);
  g_test_add_func ("/Mmap/version-macros/current-api", test_current_api);

  return g_test_run ();
}
