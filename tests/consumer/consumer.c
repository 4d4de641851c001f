/* consumer.c: a program of a project that uses mmapobj
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: mmapobj-consumer FILE NEEDLE
 *
 * Maps FILE read-only, finds NEEDLE in it and prints what it learnt, one
 * fact a line, for tests/consumer/run.sh to compare. It uses a generated
 * header of each kind (mmap-version.h, mmap-enum-types.h) and a GError
 * from the library's domain, so the dependency must carry all of them.
 */

#include "config.h"

#include <string.h>

#include <mmapobj/mmapobj.h>

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GBytes) line = NULL;
  g_autoptr(GEnumClass) access_class = NULL;
  g_autoptr(GEnumClass) error_class = NULL;
  const char *needle;
  gssize at;

  if (argc != 3)
    {
      g_printerr ("usage: %s FILE NEEDLE\n", argv[0]);
      return 2;
    }
  needle = argv[2];

  map = mmap_object_new_for_path (argv[1], MMAP_ACCESS_READ, &error);
  if (map == NULL)
    {
      g_printerr ("%s: %s\n", argv[1], error->message);
      return 1;
    }

  at = mmap_object_find (map, (const guint8 *) needle, strlen (needle),
                         &error);
  if (at < 0)
    {
      g_printerr ("%s: %s not found\n", argv[1], needle);
      return 1;
    }
  if (mmap_object_seek (map, at, G_SEEK_SET, &error) < 0)
    {
      g_printerr ("seek: %s\n", error->message);
      return 1;
    }
  line = mmap_object_readline (map, &error);
  if (line == NULL)
    {
      g_printerr ("readline: %s\n", error->message);
      return 1;
    }

  access_class = g_type_class_ref (MMAP_TYPE_ACCESS);

  g_print ("%s built against mmapobj %s\n", CONSUMER_NAME, MMAP_VERSION_S);
  g_print ("length %" G_GSIZE_FORMAT "\n", mmap_object_get_length (map));
  g_print ("%s at %" G_GSSIZE_FORMAT "\n", needle, at);
  g_print ("line %.*s", (int) g_bytes_get_size (line),
           (const char *) g_bytes_get_data (line, NULL));
  g_print ("access %s\n",
           g_enum_get_value (access_class,
                             mmap_object_get_access (map))->value_name);

  /* A write to a read-only map is an error of the library's domain. */
  g_clear_error (&error);
  if (mmap_object_write_byte (map, 0, &error)
      || !g_error_matches (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY))
    {
      g_printerr ("write_byte on a read-only map did not fail as it must\n");
      return 1;
    }
  error_class = g_type_class_ref (MMAP_TYPE_ERROR);
  g_print ("write_byte %s\n",
           g_enum_get_value (error_class, error->code)->value_name);

  return 0;
}
