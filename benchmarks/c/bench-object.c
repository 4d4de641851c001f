/* bench-object.c: MmapObject against raw mmap(2) + libc on the same file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: bench-object [SIZE_MIB]
 * Prints ns per call for each operation, through the library and in raw C,
 * and the ratio. Figures only: nothing here asserts a speed.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mmapobj/mmapobj.h>

static volatile guint64 sink;

static double
now_ns (void)
{
  return (double) g_get_monotonic_time () * 1000.0;
}

static void
report (const char *what,
        double      lib_ns,
        double      raw_ns)
{
  g_print ("%-28s %12.1f ns %12.1f ns %8.2fx\n", what, lib_ns, raw_ns,
           raw_ns > 0 ? lib_ns / raw_ns : 0.0);
}

int
main (int    argc,
      char **argv)
{
  gsize mib = argc > 1 ? (gsize) g_ascii_strtoull (argv[1], NULL, 10) : 256;
  gsize size = mib * 1024 * 1024;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(MmapObject) map = NULL;
  const guint8 needle[] = "NEEDLE-AT-THE-END";
  guint8 *raw;
  guint8 buf[4096];
  int fd;
  double t0, lib, rawt;
  guint n;

  fd = g_file_open_tmp ("mmapobj-bench-XXXXXX", &path, &error);
  g_assert_no_error (error);
  if (ftruncate (fd, (off_t) size) != 0)
    g_error ("ftruncate: %s", g_strerror (errno));

  map = mmap_object_new (fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  g_assert_no_error (error);
  raw = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  g_assert (raw != MAP_FAILED);

  /* Fill with a pattern and put the needle at the end. */
  for (gsize i = 0; i < size; i++)
    raw[i] = (guint8) ('a' + i % 23);
  memcpy (raw + size - sizeof needle, needle, sizeof needle - 1);

  g_print ("file: %" G_GSIZE_FORMAT " MiB\n", mib);
  g_print ("%-28s %15s %15s %9s\n", "operation", "mmapobj", "raw C", "ratio");

  /* get_byte vs raw[i] */
  n = 10000000;
  t0 = now_ns ();
  for (guint i = 0; i < n; i++)
    sink += (guint64) mmap_object_get_byte (map, (gssize) (i % size), NULL);
  lib = (now_ns () - t0) / n;
  t0 = now_ns ();
  for (guint i = 0; i < n; i++)
    sink += raw[(gsize) i % size];
  rawt = (now_ns () - t0) / n;
  report ("get_byte / p[i]", lib, rawt);

  /* read_byte vs raw[pos++] */
  mmap_object_seek (map, 0, G_SEEK_SET, NULL);
  t0 = now_ns ();
  for (guint i = 0; i < n; i++)
    sink += (guint64) mmap_object_read_byte (map, NULL);
  lib = (now_ns () - t0) / n;
  report ("read_byte / p[pos++]", lib, rawt);

  /* read(4096) vs memcpy of 4096 */
  n = 200000;
  mmap_object_seek (map, 0, G_SEEK_SET, NULL);
  t0 = now_ns ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) b = mmap_object_read (map, 4096, NULL);
      if (g_bytes_get_size (b) < 4096)
        mmap_object_seek (map, 0, G_SEEK_SET, NULL);
      sink += g_bytes_get_size (b);
    }
  lib = (now_ns () - t0) / n;
  t0 = now_ns ();
  for (guint i = 0; i < n; i++)
    {
      gsize off = ((gsize) i * 4096) % (size - 4096);
      memcpy (buf, raw + off, 4096);
      sink += buf[i % 4096];
    }
  rawt = (now_ns () - t0) / n;
  report ("read(4096) / memcpy", lib, rawt);

  /* view (zero-copy) vs pointer arithmetic */
  t0 = now_ns ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) v = mmap_object_view (map, ((gsize) i * 4096) % (size - 4096), 4096, NULL);
      sink += g_bytes_get_size (v);
    }
  lib = (now_ns () - t0) / n;
  report ("view(4096) zero-copy", lib, 0);

  /* find over the whole file vs memmem */
  n = 5;
  t0 = now_ns ();
  for (guint i = 0; i < n; i++)
    sink += (guint64) mmap_object_find_range (map, needle, sizeof needle - 1,
                                              0, G_MAXSSIZE, NULL);
  lib = (now_ns () - t0) / n;
  t0 = now_ns ();
  for (guint i = 0; i < n; i++)
    sink += (guint64) ((guint8 *) memmem (raw, size, needle, sizeof needle - 1) - raw);
  rawt = (now_ns () - t0) / n;
  report ("find(whole file) / memmem", lib, rawt);
  g_print ("  find throughput: %.2f GiB/s\n",
           (double) size / (lib / 1e9) / (1 << 30));

  munmap (raw, size);
  close (fd);
  unlink (path);
  return 0;
}
