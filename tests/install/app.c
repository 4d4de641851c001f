/* app.c: the install test's C program (tests/install/run.sh), built with
 *   gcc app.c -o app $(pkg-config --cflags --libs mmapobj-1)
 * against the installed files only.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Maps a file it writes in the current folder, finds a word, overwrites it
 * through the map, flushes, and checks the file; checks the installed
 * version macros; prints the file libmmapobj was loaded from, which
 * run.sh compares with the installed one.
 */
#include <mmapobj/mmapobj.h>
#include <stdio.h>
#include <string.h>

#define CHECK(cond) \
  do { \
    if (!(cond)) \
      { \
        fprintf (stderr, "app.c:%d: check failed: %s\n", __LINE__, #cond); \
        return 1; \
      } \
  } while (0)

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autofree char *contents = NULL;
  char line[4096];
  FILE *maps;
  gssize at;

  CHECK (MMAP_CHECK_VERSION (1, 0, 0));
  CHECK (g_file_set_contents ("app-c.txt", "hello, mapped world\n", -1, &error));
  map = mmap_object_new_for_path ("app-c.txt", MMAP_ACCESS_WRITE, &error);
  CHECK (map != NULL);
  CHECK (mmap_object_get_length (map) == 20);
  at = mmap_object_find (map, (const guint8 *) "mapped", 6, &error);
  CHECK (at == 7);
  CHECK (mmap_object_seek (map, at, G_SEEK_SET, &error) == 7);
  CHECK (mmap_object_write (map, (const guint8 *) "MAPPED", 6, &error) == 6);
  CHECK (mmap_object_flush (map, &error));
  CHECK (mmap_object_close (map, &error));
  CHECK (g_file_get_contents ("app-c.txt", &contents, NULL, &error));
  CHECK (strcmp (contents, "hello, MAPPED world\n") == 0);

  maps = fopen ("/proc/self/maps", "r");
  CHECK (maps != NULL);
  while (fgets (line, sizeof line, maps) != NULL)
    {
      char *path = strchr (line, '/');
      if (path != NULL && strstr (path, "/libmmapobj-1.so") != NULL)
        {
          printf ("library %s", path);
          fclose (maps);
          return 0;
        }
    }
  fclose (maps);
  fprintf (stderr, "app.c: libmmapobj is not in /proc/self/maps\n");
  return 1;
}
