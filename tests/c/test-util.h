/* test-util.h: helpers shared by the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <mmapobj/mmapobj.h>

G_BEGIN_DECLS

/* A temporary file, removed by mt_file_free(). */
typedef struct
{
  char  *path;
  int    fd;   /* O_RDWR */
} MtFile;

MtFile     *mt_file_new          (const guint8 *data,
                                  gsize         len);
void        mt_file_free         (MtFile       *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MtFile, mt_file_free)

int         mt_open_read_only    (const char   *path);
GBytes     *mt_fd_read_all       (int           fd);
goffset     mt_fd_size           (int           fd);
guint       mt_count_open_fds    (void);
gsize       mt_address_space_size (void);
guint       mt_free_huge_pages   (void);
void        mt_fill_pattern      (guint8       *buf,
                                  gsize         len,
                                  guint         seed);
int         mt_errno_from_error  (const GError *error);
/* Whether the file behind @fd is on a tmpfs ($TMPDIR often is): shared
 * memory, which F_GET_SEALS answers (SEAL only) and whose pages leave RAM
 * only for swap, unlike a file on a disk. */
gboolean    mt_fd_is_tmpfs       (int           fd);

#define mt_assert_bytes_eq(bytes, data, len) \
  G_STMT_START { \
    gsize _mt_len = 0; \
    const guint8 *_mt_data = g_bytes_get_data ((bytes), &_mt_len); \
    g_assert_cmpmem (_mt_data, _mt_len, (data), (len)); \
  } G_STMT_END

/* The configurations every generic test runs against. */
typedef enum
{
  MT_KIND_FILE_DEFAULT,
  MT_KIND_FILE_READ,
  MT_KIND_FILE_WRITE,
  MT_KIND_FILE_COPY,
  MT_KIND_FILE_PRIVATE,
  MT_KIND_FILE_OFFSET_ALIGNED,
  MT_KIND_FILE_OFFSET_UNALIGNED,
  MT_KIND_FILE_NO_TRACK,
  MT_KIND_ANON_SHARED,
  MT_KIND_ANON_PRIVATE,
  MT_KIND_ANON_NO_TRACK,
  MT_N_KINDS
} MtKind;

typedef struct
{
  MtKind       kind;
  const char  *name;
  MmapAccess   access;         /* effective */
  gboolean     file_backed;
  gboolean     writable;
  gboolean     reaches_file;   /* writes show in the file */
  gboolean     resizable;
  gboolean     has_size;       /* size() works */
  gboolean     track_fd;
  goffset      offset;
  gsize        length;
} MtKindInfo;

const MtKindInfo *mt_kind_info   (MtKind kind);

/* A fixture: a map of one kind, its file, and what it must contain. */
typedef struct
{
  const MtKindInfo *info;
  MtFile           *file;         /* NULL for anonymous maps */
  gsize             file_len;
  guint8           *file_data;    /* the file's original bytes */
  MmapObject       *map;
  guint8           *expected;     /* what the map should hold */
  gsize             len;
} MtFixture;

void        mt_fixture_setup     (MtFixture     *fx,
                                  gconstpointer  user_data);
void        mt_fixture_teardown  (MtFixture     *fx,
                                  gconstpointer  user_data);
void        mt_assert_map_is     (MmapObject    *map,
                                  const guint8  *expected,
                                  gsize          len);
/* Checks the file still holds its original bytes, or (when writes reach
 * it) the expected bytes at the map's offset. */
void        mt_fixture_assert_file (MtFixture   *fx);

typedef void (*MtFixtureFunc) (MtFixture *fx, gconstpointer user_data);

/* Adds "<prefix>/<kind-name>" for every kind. */
void        mt_add_for_kinds     (const char    *prefix,
                                  MtFixtureFunc  func);

G_END_DECLS
