/* mmap-object.h: MmapObject, Python's mmap.mmap as a GObject
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (MMAPOBJ_INSIDE) && !defined (MMAPOBJ_COMPILATION)
# error "Only <mmapobj/mmapobj.h> can be included directly."
#endif

#include <gio/gio.h>
#include <gio/gunixfdlist.h>

#include "mmap-enums.h"
#include "mmap-version-macros.h"

G_BEGIN_DECLS

#define MMAP_TYPE_OBJECT (mmap_object_get_type ())

MMAP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MmapObject, mmap_object, MMAP, OBJECT, GObject)

MMAP_AVAILABLE_IN_ALL
gsize         mmap_get_page_size               (void);
MMAP_AVAILABLE_IN_ALL
gsize         mmap_get_allocation_granularity  (void);

MMAP_AVAILABLE_IN_ALL
MmapObject   *mmap_object_new                  (gint              fd,
                                                gsize             length,
                                                MmapAccess        access,
                                                goffset           offset,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
MmapObject   *mmap_object_new_full             (gint              fd,
                                                gsize             length,
                                                MmapMapFlags      flags,
                                                MmapProt          prot,
                                                MmapAccess        access,
                                                goffset           offset,
                                                gboolean          track_fd,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
MmapObject   *mmap_object_new_anonymous        (gsize             length,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
MmapObject   *mmap_object_new_for_path         (const char       *path,
                                                MmapAccess        access,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
MmapObject   *mmap_object_new_for_file         (GFile            *file,
                                                MmapAccess        access,
                                                GCancellable     *cancellable,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
void          mmap_object_new_for_file_async   (GFile            *file,
                                                MmapAccess        access,
                                                int               io_priority,
                                                GCancellable     *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer          user_data);
MMAP_AVAILABLE_IN_ALL
MmapObject   *mmap_object_new_for_file_finish  (GAsyncResult     *result,
                                                GError          **error);

MMAP_AVAILABLE_IN_ALL
MmapObject   *mmap_object_new_memfd            (const char       *name,
                                                gsize             length,
                                                MmapMemfdFlags    flags,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
MmapObject   *mmap_object_new_from_fd_list     (GUnixFDList      *list,
                                                gint              index,
                                                MmapAccess        access,
                                                MmapSeals         required_seals,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_add_seals            (MmapObject       *self,
                                                MmapSeals         seals,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
MmapSeals     mmap_object_get_seals            (MmapObject       *self,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_check_seals          (MmapObject       *self,
                                                MmapSeals         required,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_seal_readonly        (MmapObject       *self,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gint          mmap_object_dup_fd               (MmapObject       *self,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gint          mmap_object_append_to_fd_list    (MmapObject       *self,
                                                GUnixFDList      *list,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_close                (MmapObject       *self,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_get_closed           (MmapObject       *self);
MMAP_AVAILABLE_IN_ALL
gsize         mmap_object_get_length           (MmapObject       *self);
MMAP_AVAILABLE_IN_ALL
goffset       mmap_object_get_offset           (MmapObject       *self);
MMAP_AVAILABLE_IN_ALL
MmapAccess    mmap_object_get_access           (MmapObject       *self);
MMAP_AVAILABLE_IN_ALL
MmapMapFlags  mmap_object_get_flags            (MmapObject       *self);
MMAP_AVAILABLE_IN_ALL
MmapProt      mmap_object_get_prot             (MmapObject       *self);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_get_track_fd         (MmapObject       *self);
MMAP_AVAILABLE_IN_ALL
gint          mmap_object_get_fd               (MmapObject       *self);
MMAP_AVAILABLE_IN_ALL
const char   *mmap_object_get_path             (MmapObject       *self);

MMAP_AVAILABLE_IN_ALL
gssize        mmap_object_find                 (MmapObject       *self,
                                                const guint8     *needle,
                                                gsize             needle_len,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gssize        mmap_object_find_range           (MmapObject       *self,
                                                const guint8     *needle,
                                                gsize             needle_len,
                                                gssize            start,
                                                gssize            end,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gssize        mmap_object_rfind                (MmapObject       *self,
                                                const guint8     *needle,
                                                gsize             needle_len,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gssize        mmap_object_rfind_range          (MmapObject       *self,
                                                const guint8     *needle,
                                                gsize             needle_len,
                                                gssize            start,
                                                gssize            end,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
goffset      *mmap_object_find_all             (MmapObject       *self,
                                                const guint8     *needle,
                                                gsize             needle_len,
                                                gssize            start,
                                                gssize            end,
                                                gssize            max_count,
                                                gsize            *n_offsets,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gssize        mmap_object_count                (MmapObject       *self,
                                                const guint8     *needle,
                                                gsize             needle_len,
                                                gssize            start,
                                                gssize            end,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
goffset      *mmap_object_line_offsets         (MmapObject       *self,
                                                gssize            start,
                                                gssize            end,
                                                gssize            max_count,
                                                gsize            *n_offsets,
                                                GError          **error);

MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_flush                (MmapObject       *self,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
void          mmap_object_flush_async          (MmapObject       *self,
                                                int               io_priority,
                                                GCancellable     *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer          user_data);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_flush_finish         (MmapObject       *self,
                                                GAsyncResult     *result,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_populate             (MmapObject       *self,
                                                goffset           offset,
                                                gssize            length,
                                                gboolean          for_writing,
                                                GCancellable     *cancellable,
                                                GFileProgressCallback progress_callback,
                                                gpointer          progress_data,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
void          mmap_object_populate_async       (MmapObject       *self,
                                                goffset           offset,
                                                gssize            length,
                                                gboolean          for_writing,
                                                int               io_priority,
                                                GCancellable     *cancellable,
                                                GFileProgressCallback progress_callback,
                                                gpointer          progress_data,
                                                GDestroyNotify    progress_data_free,
                                                GAsyncReadyCallback callback,
                                                gpointer          user_data);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_populate_finish      (MmapObject       *self,
                                                GAsyncResult     *result,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_flush_range          (MmapObject       *self,
                                                goffset           offset,
                                                gssize            size,
                                                GError          **error);

MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_flush_range_full     (MmapObject       *self,
                                                goffset           offset,
                                                gssize            size,
                                                MmapSyncFlags     flags,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_lock                 (MmapObject       *self,
                                                MmapLockFlags     flags,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_lock_range           (MmapObject       *self,
                                                gsize             offset,
                                                gssize            length,
                                                MmapLockFlags     flags,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_unlock               (MmapObject       *self,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_unlock_range         (MmapObject       *self,
                                                gsize             offset,
                                                gssize            length,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_protect              (MmapObject       *self,
                                                MmapProt          prot,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_protect_range        (MmapObject       *self,
                                                gsize             offset,
                                                gssize            length,
                                                MmapProt          prot,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gssize        mmap_object_get_residency        (MmapObject       *self,
                                                gsize             offset,
                                                gssize            length,
                                                gsize            *n_pages,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
GBytes       *mmap_object_get_residency_map    (MmapObject       *self,
                                                gsize             offset,
                                                gssize            length,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_madvise              (MmapObject       *self,
                                                MmapAdvice        advice,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_madvise_range        (MmapObject       *self,
                                                MmapAdvice        advice,
                                                goffset           start,
                                                gssize            length,
                                                GError          **error);

MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_move                 (MmapObject       *self,
                                                goffset           dest,
                                                goffset           src,
                                                gssize            count,
                                                GError          **error);

MMAP_AVAILABLE_IN_ALL
GBytes       *mmap_object_read                 (MmapObject       *self,
                                                gssize            n,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gint          mmap_object_read_byte            (MmapObject       *self,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
GBytes       *mmap_object_readline             (MmapObject       *self,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gssize        mmap_object_read_into            (MmapObject       *self,
                                                guint8           *buffer,
                                                gsize             count,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gssize        mmap_object_readline_into        (MmapObject       *self,
                                                guint8           *buffer,
                                                gsize             count,
                                                GError          **error);

MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_resize               (MmapObject       *self,
                                                gsize             new_size,
                                                GError          **error);

MMAP_AVAILABLE_IN_ALL
goffset       mmap_object_seek                 (MmapObject       *self,
                                                goffset           pos,
                                                GSeekType         whence,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_seekable             (MmapObject       *self);
MMAP_AVAILABLE_IN_ALL
goffset       mmap_object_tell                 (MmapObject       *self,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
goffset       mmap_object_size                 (MmapObject       *self,
                                                GError          **error);

MMAP_AVAILABLE_IN_ALL
gssize        mmap_object_write                (MmapObject       *self,
                                                const guint8     *data,
                                                gsize             len,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gssize        mmap_object_write_bytes          (MmapObject       *self,
                                                GBytes           *bytes,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_write_byte           (MmapObject       *self,
                                                guint8            byte,
                                                GError          **error);

MMAP_AVAILABLE_IN_ALL
gint          mmap_object_get_byte             (MmapObject       *self,
                                                gssize            index,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_set_byte             (MmapObject       *self,
                                                gssize            index,
                                                guint8            value,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
GBytes       *mmap_object_get_slice            (MmapObject       *self,
                                                gssize            start,
                                                gssize            stop,
                                                gssize            step,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gssize        mmap_object_get_slice_into       (MmapObject       *self,
                                                gssize            start,
                                                gssize            stop,
                                                gssize            step,
                                                guint8           *buffer,
                                                gsize             count,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
gboolean      mmap_object_set_slice            (MmapObject       *self,
                                                gssize            start,
                                                gssize            stop,
                                                gssize            step,
                                                const guint8     *data,
                                                gsize             len,
                                                GError          **error);

MMAP_AVAILABLE_IN_ALL
GBytes       *mmap_object_view                 (MmapObject       *self,
                                                gsize             offset,
                                                gssize            length,
                                                GError          **error);
MMAP_AVAILABLE_IN_ALL
guint         mmap_object_get_n_views          (MmapObject       *self);

MMAP_AVAILABLE_IN_ALL
char         *mmap_object_to_string            (MmapObject       *self);

G_END_DECLS
