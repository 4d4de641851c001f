/* fdpass-common.h: what test-fdpass.c and its peer, fdpass-peer.c, agree on
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The buffers are FDPASS_SIZE bytes (not a whole number of pages, so the
 * tail page counts) of a pseudo-random pattern: a shift of the data by any
 * amount shows, which a short repeating pattern would hide.
 */

#pragma once

#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

#define FDPASS_SIZE ((gsize) (4 * 1024 * 1024 + 4321))

#define FDPASS_OBJECT_PATH "/org/example/MmapShare"
#define FDPASS_INTERFACE "org.example.MmapShare"

/* GetBuffer (kind) sends the peer's buffer of that kind:
 *   "sealed"      sealed with seal_readonly() (SEAL | SHRINK | GROW | WRITE)
 *   "unsealed"    a memfd made without ALLOW_SEALING (its seals: SEAL)
 *   "shrinkable"  sealed against GROW only
 * Tamper (kind) tries to change that buffer behind its receivers' back and
 * returns each attempt's errno (0: it worked). Exit (status) ends the peer
 * at once, without a reply. */
#define FDPASS_INTROSPECTION \
  "<node>" \
  "  <interface name='" FDPASS_INTERFACE "'>" \
  "    <method name='GetBuffer'>" \
  "      <arg type='s' name='kind' direction='in'/>" \
  "      <arg type='h' name='fd' direction='out'/>" \
  "      <arg type='t' name='size' direction='out'/>" \
  "      <arg type='s' name='sha256' direction='out'/>" \
  "    </method>" \
  "    <method name='Tamper'>" \
  "      <arg type='s' name='kind' direction='in'/>" \
  "      <arg type='a{si}' name='errnos' direction='out'/>" \
  "    </method>" \
  "    <method name='Exit'>" \
  "      <arg type='i' name='status' direction='in'/>" \
  "    </method>" \
  "  </interface>" \
  "</node>"

/* The seed of each kind's pattern. */
static inline guint32
fdpass_seed (const char *kind)
{
  return g_str_hash (kind) | 1;
}

/* xorshift32: deterministic, and no period short enough to matter. */
static inline void
fdpass_fill (guint8  *buf,
             gsize    len,
             guint32  seed)
{
  guint32 x = seed != 0 ? seed : 1;

  for (gsize i = 0; i < len; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      buf[i] = (guint8) (x >> 24);
    }
}

/* The mappings of the memfd named @name in this process, from
 * /proc/self/maps (a memfd shows there as "/memfd:NAME (deleted)"). */
static inline guint
fdpass_count_memfd_maps (const char *name)
{
  g_autofree char *contents = NULL;
  g_autofree char *needle = g_strdup_printf ("/memfd:%s (deleted)\n", name);
  guint n = 0;

  if (!g_file_get_contents ("/proc/self/maps", &contents, NULL, NULL))
    return G_MAXUINT;
  for (const char *at = contents; (at = strstr (at, needle)) != NULL;
       at += strlen (needle))
    n++;
  return n;
}

/* The open descriptors of the memfd named @name in this process. */
static inline guint
fdpass_count_memfd_fds (const char *name)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  g_autofree char *target = g_strdup_printf ("/memfd:%s (deleted)", name);
  const char *entry;
  guint n = 0;

  if (dir == NULL)
    return G_MAXUINT;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", entry, NULL);
      g_autofree char *link = g_file_read_link (path, NULL);

      if (link != NULL && g_str_equal (link, target))
        n++;
    }
  return n;
}

G_END_DECLS
