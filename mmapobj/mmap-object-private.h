/* mmap-object-private.h: MmapObject's state and the helpers its units share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The object is spread over a few units:
 *
 *   mmap-object.c   the class, its properties, construction, indexing,
 *                   slicing, searching, flush, advice and views
 *   mmap-position.c the file-like calls: read, readline, write, seek, tell
 *   mmap-resize.c   resize, as a transaction that loses nothing
 *   mmap-seekable.c GSeekable, on the position and resize
 *   mmap-bulk.c     find_all, count, line_offsets: a range in one call
 *   mmap-input-stream.c, mmap-output-stream.c
 *                   GIO streams over a range of the map
 *   mmap-init.c     GInitable: arguments, and mapping each kind of backing
 *   mmap-share.c    memfd maps, seals, and passing maps between processes
 *   mmap-memory.c   locking, protection, residency, fork children
 *   mmap-access.c   guarded copies, searches and line scans of the map
 *   mmap-mapping.c  the system calls on the mapping and on its file
 *   mmap-slice.c    Python's index and slice arithmetic
 *   mmap-readers.c  the gate that lets readers run without a lock, and
 *                   the wait functions (mmap_set_wait_funcs())
 *   mmap-guard.c    SIGBUS recovery
 *   mmap-search.c   reverse search
 *
 * Concurrency. Three kinds of call:
 *
 * - Readers (index, slice, find, view, the getters, flush, hints) pass the
 *   readers' gate (MmapReadScope): no lock, no shared write.
 * - Reads that move the position (read, readline, read_byte, seek) are
 *   readers too, and move the position by compare-and-swap
 *   (mmap_object_move_pos()), retrying when another call moved it first.
 * - Calls that change the mapping or its bytes (init, resize, close,
 *   advice that discards, write, set_byte, set_slice, move) hold the
 *   mutex and close the gate (MmapChangeScope), so no reader sees the
 *   mapping or the bytes while they change.
 *
 * The fields under "State" change only inside a change scope; any scope
 * may read them. The position is read atomically anywhere, moved by
 * compare-and-swap in a read scope and set in a change scope.
 */

#pragma once

#include <gio/gio.h>

#include "mmap-enum-types.h"
#include "mmap-error.h"
#include "mmap-mapping-private.h"
#include "mmap-object.h"
#include "mmap-readers-private.h"

G_BEGIN_DECLS

#define MMAP_PROT_RW (MMAP_PROT_READ | MMAP_PROT_WRITE)

/* The protections that let the memory be read. On x86 and arm64, Linux
 * makes a write-only mapping readable too (the page tables cannot say
 * write-only), and Python reads it; elsewhere only PROT_READ is sure. */
#if defined (__linux__) \
    && (defined (__x86_64__) || defined (__i386__) || defined (__aarch64__))
# define MMAP_PROT_READABLE (MMAP_PROT_READ | MMAP_PROT_WRITE)
#else
# define MMAP_PROT_READABLE MMAP_PROT_READ
#endif

struct _MmapObject
{
  GObject       parent_instance;

  GMutex        lock;
  MmapReaders   readers;

  /* Construct-only arguments, as given. */
  int           fd_arg;
  guint64       length_arg;
  MmapMapFlags  flags_arg;
  MmapProt      prot_arg;
  MmapAccess    access_arg;
  goffset       offset;
  gboolean      track_fd;
  char         *path;

  /* State, valid once initialized. */
  guint         initialized : 1;
  guint         closed : 1;
  GError       *init_error;
  MmapAccess    access;     /* effective */
  MmapMapFlags  flags;      /* effective, as reported */
  int           map_flags;  /* as given to mmap() */
  MmapProt      prot;       /* effective */
  int           fd;         /* the tracked fd (dup or opened), or -1 */
  int           anon_fd;    /* memfd behind a shared anonymous map, or -1 */
  int           map_fd;     /* the fd mmap() is called with, or -1 */
  goffset       map_offset; /* page-aligned file offset given to mmap() */
  gsize         delta;      /* offset - map_offset */
  MmapMapping  *mapping;    /* NULL until initialised and once closed */
  guint8       *data;       /* first byte of the map; NULL when empty */
  gsize         length;
  gboolean      may_fault;  /* see mmap_object_may_fault() */
  MmapProt      max_prot;   /* what protect() may give back */
  guint8       *page_prot;  /* each page's, while they differ; else NULL */
  gboolean      dontfork;   /* some memory is advised DONTFORK */

  goffset       pos;        /* atomic */
};

/* A reader's pass through the gate, or the mutex while the gate is
 * closed. */
typedef struct
{
  MmapObject *self;
  gboolean    locked;
} MmapReadScope;

static inline MmapReadScope
mmap_read_scope_enter (MmapObject *self)
{
  MmapReadScope scope = { self, FALSE };

  if (G_UNLIKELY (!mmap_readers_enter (&self->readers)))
    {
      mmap_readers_lock (&self->lock);
      scope.locked = TRUE;
    }
  return scope;
}

static inline void
mmap_read_scope_leave (MmapReadScope *scope)
{
  if (scope->self == NULL)
    return;
  if (scope->locked)
    g_mutex_unlock (&scope->self->lock);
  else
    mmap_readers_leave ();
  scope->self = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MmapReadScope, mmap_read_scope_leave)

/* The mutex, with the readers' gate closed. */
typedef struct
{
  MmapObject *self;
} MmapChangeScope;

static inline MmapChangeScope
mmap_change_scope_enter (MmapObject *self)
{
  MmapChangeScope scope = { self };

  mmap_readers_lock (&self->lock);
  mmap_readers_block (&self->readers);
  return scope;
}

static inline void
mmap_change_scope_leave (MmapChangeScope *scope)
{
  if (scope->self == NULL)
    return;
  mmap_readers_open (&scope->self->readers);
  g_mutex_unlock (&scope->self->lock);
  scope->self = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MmapChangeScope, mmap_change_scope_leave)

static inline goffset
mmap_object_pos (MmapObject *self)
{
  return __atomic_load_n (&self->pos, __ATOMIC_RELAXED);
}

static inline void
mmap_object_set_pos (MmapObject *self,
                     goffset     pos)
{
  __atomic_store_n (&self->pos, pos, __ATOMIC_RELAXED);
}

/* Moves the position from *from to @to, unless another call moved it
 * since *from was read: then FALSE, with the current position in *from.
 * Readers move it this way; a change scope may simply set it. */
static inline gboolean
mmap_object_move_pos (MmapObject *self,
                      goffset    *from,
                      goffset     to)
{
  return __atomic_compare_exchange_n (&self->pos, from, to, FALSE,
                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* The address of byte @offset of the map. An empty map has no memory, and
 * every count used with it is 0: no pointer arithmetic on NULL then. */
static inline guint8 *
mmap_object_at (MmapObject *self,
                gsize       offset)
{
  return self->data != NULL ? self->data + offset : NULL;
}

/* MMAP_IS_OBJECT() without a call to mmap_object_get_type() on every
 * entry: the type is final, so an instance of it has exactly this type,
 * and no instance exists before class_init has stored the id. */
extern GType mmap_object_type_id;
#define MMAP_OBJECT_CHECK(p) \
  ((p) != NULL && ((GTypeInstance *) (p))->g_class != NULL \
   && ((GTypeInstance *) (p))->g_class->g_type == mmap_object_type_id)

/* The checks every method makes first, inside its scope: whether the map
 * is open (initialised and not closed), and readable or writable. The
 * error, when there is one, comes from mmap_object_set_access_error(). */
gboolean     mmap_object_set_access_error (MmapObject  *self,
                                           const char  *op,
                                           MmapProt     prot,
                                           GError     **error);

static inline gboolean
mmap_object_check_open (MmapObject  *self,
                        const char  *op,
                        GError     **error)
{
  return G_LIKELY (self->initialized && !self->closed)
         || mmap_object_set_access_error (self, op, 0, error);
}

/* Whether the map is open and its memory can be read. */
static inline gboolean
mmap_object_is_readable (MmapObject *self)
{
  return self->initialized && !self->closed
         && (self->prot & MMAP_PROT_READABLE);
}

static inline gboolean
mmap_object_check_readable (MmapObject  *self,
                            const char  *op,
                            GError     **error)
{
  return G_LIKELY (mmap_object_is_readable (self))
         || mmap_object_set_access_error (self, op, MMAP_PROT_READ, error);
}

static inline gboolean
mmap_object_check_writable (MmapObject  *self,
                            const char  *op,
                            GError     **error)
{
  return G_LIKELY (self->initialized && !self->closed
                   && self->access != MMAP_ACCESS_READ
                   && (self->prot & MMAP_PROT_WRITE))
         || mmap_object_set_access_error (self, op, MMAP_PROT_WRITE, error);
}

/* The window [*offset, *offset + *length) of the map, with a
 * length of -1 meaning the rest of the map; FALSE with error set when it
 * does not fit. Call in one of the object's scopes. */
static inline gboolean
mmap_object_check_window (MmapObject  *self,
                          const char  *op,
                          gsize        offset,
                          gssize      *length,
                          GError     **error)
{
  if (offset > self->length)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE,
                   "%s: offset %" G_GSIZE_FORMAT " lies beyond the end of a %"
                   G_GSIZE_FORMAT "-byte map", op, offset, self->length);
      return FALSE;
    }
  if (*length == -1)
    *length = (gssize) (self->length - offset);
  if (*length < 0
      || self->length - offset < (gsize) *length)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE,
                   "%s: %" G_GSSIZE_FORMAT " bytes at offset %"
                   G_GSIZE_FORMAT " do not fit in a %" G_GSIZE_FORMAT
                   "-byte map", op, *length, offset, self->length);
      return FALSE;
    }
  return TRUE;
}

/* Whether touching the map's memory can raise SIGBUS. Private anonymous
 * memory cannot (huge pages can: the pool may run dry), nor can memory
 * sealed against shrinking (mmap-share.c), so their accesses need no
 * guard. Memory the caller passes in is guarded all the same. */
static inline gboolean
mmap_object_may_fault (MmapObject *self)
{
  return self->may_fault;
}

/* mmap-object.c */
const char  *mmap_access_name          (MmapAccess    access);
gboolean     mmap_check_flags          (GType         type,
                                        guint         value,
                                        const char   *op,
                                        GError      **error);
void         mmap_object_set_length    (MmapObject   *self,
                                        gsize         length);
MmapMapSpec  mmap_object_map_spec      (MmapObject   *self);
void         mmap_object_release       (MmapObject   *self);
void         mmap_object_notify_length (MmapObject   *self);

/* mmap-position.c: stores up to @len bytes at @offset, as many as fit
 * before the end of the map; the count stored, or -1 with error set. */
gssize       mmap_object_store_at      (MmapObject    *self,
                                        const char    *op,
                                        gsize          offset,
                                        const guint8  *data,
                                        gsize          len,
                                        GError       **error);

/* mmap-share.c: recomputes may_fault from the seals of @fd. */
void         mmap_object_update_may_fault (MmapObject *self,
                                           int         fd);

/* mmap-memory.c: records DONTFORK advice, so that fork children see
 * the map closed. */
void         mmap_object_set_dontfork     (MmapObject *self,
                                           gboolean    dontfork);

/* mmap-init.c */
void         mmap_object_initable_iface_init (GInitableIface *iface);

/* mmap-seekable.c */
void         mmap_object_seekable_iface_init (GSeekableIface *iface);

/* mmap-resize.c */
gboolean     mmap_object_can_resize          (MmapObject     *self);

G_END_DECLS
