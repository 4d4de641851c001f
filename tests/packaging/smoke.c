/* smoke.c: the C smoke test of the installed Debian packages, compiled
 * against libmmapobj-1-dev with pkg-config and run against
 * libmmapobj-1-0. Prints TAP; exits 1 on the first failed check.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>
#include <string.h>

#include <mmapobj/mmapobj.h>

static int checks;

static void
check (gboolean ok, const char *what)
{
  checks++;
  g_print ("%s %d - %s\n", ok ? "ok" : "not ok", checks, what);
  if (!ok)
    exit (1);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = NULL;
  const char text[] = "hello needle world\n";
  guint8 buf[5];

  check (MMAP_CHECK_VERSION (1, 0, 0), "the headers are version 1.0.0 or later");

  map = mmap_object_new_anonymous (4096, &error);
  check (map != NULL && error == NULL, "an anonymous map of 4096 bytes");
  check (mmap_object_get_length (map) == 4096, "get_length() says 4096");
  check (mmap_object_write (map, (const guint8 *) text, strlen (text), &error) > 0
         && error == NULL, "write()");
  check (mmap_object_seek (map, 0, G_SEEK_SET, &error) == 0 && error == NULL, "seek()");
  check (mmap_object_find (map, (const guint8 *) "needle", 6, &error) == 6,
         "find() finds it, from the current position");
  check (mmap_object_read_into (map, buf, sizeof buf, &error) == 5
         && memcmp (buf, "hello", 5) == 0, "read_into() reads it back");
  check (mmap_object_close (map, &error), "close()");
  check (mmap_object_read_byte (map, &error) == -1
         && g_error_matches (error, MMAP_ERROR, MMAP_ERROR_CLOSED),
         "a closed map fails with MMAP_ERROR_CLOSED");

  g_print ("1..%d\n", checks);
  return 0;
}
