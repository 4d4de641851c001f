/* mmap-object.c: MmapObject, Python's mmap.mmap as a GObject
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * MmapObject:
 *
 * A memory-mapped file or anonymous memory region, with everything
 * Python 3.13's `mmap.mmap` offers on Linux.
 *
 * A map has a length, a position used by the stream-like calls
 * ([method@Mmap.Object.read], [method@Mmap.Object.write],
 * [method@Mmap.Object.readline], [method@Mmap.Object.seek], …), and
 * index and slice access ([method@Mmap.Object.get_byte],
 * [method@Mmap.Object.get_slice], …) that leaves the position alone.
 * Byte results are [struct@GLib.Bytes] copies; [method@Mmap.Object.view]
 * returns a zero-copy view instead.
 *
 * Create one with [ctor@Mmap.Object.new], [ctor@Mmap.Object.new_full],
 * [ctor@Mmap.Object.new_anonymous] or [ctor@Mmap.Object.new_for_path], or
 * with [ctor@GObject.Object.new] and the construct-only properties followed
 * by [method@Gio.Initable.init]. Until `init()` has succeeded every method
 * fails with %MMAP_ERROR_NOT_INITIALIZED.
 *
 * GIO code can map a [iface@Gio.File] with [ctor@Mmap.Object.new_for_file],
 * or without blocking its main loop with
 * [func@Mmap.Object.new_for_file_async], bring a range into memory ahead
 * of use with [method@Mmap.Object.populate] or
 * [method@Mmap.Object.populate_async], and flush with
 * [method@Mmap.Object.flush_async]: the async calls run on a worker thread, take an
 * I/O priority and a [class@Gio.Cancellable], and call back in the calling
 * thread's main context, as GIO's own asynchronous calls do.
 *
 * A map is also a [iface@Gio.Seekable]: `g_seekable_seek()` and
 * `g_seekable_tell()` move and read the map's own position, with Python's
 * rules (any position from 0 to the length, an error beyond), and
 * `g_seekable_truncate()` is [method@Mmap.Object.resize];
 * `g_seekable_can_truncate()` says whether a resize can succeed now. The
 * class's own [method@Mmap.Object.seek] and [method@Mmap.Object.tell] keep
 * Python's signatures; bindings reach the interface's through it
 * (`Gio.Seekable.seek (m, …)` in Python,
 * `Gio.Seekable.prototype.seek.call (m, …)` in gjs,
 * `((GLib.Seekable) m).seek (…)` in Vala).
 *
 * ## Differences from Python
 *
 * `MmapObject` follows Python's semantics, position rules and error classes,
 * with these deliberate improvements:
 *
 * - An empty file maps, and so does a zero-length anonymous map: the object
 *   has length 0, reads return empty bytes and [method@Mmap.Object.resize]
 *   can grow it later. A length of 0 with an offset equal to the file size
 *   also gives an empty map.
 * - Any offset is accepted, not only multiples of the page size: the library
 *   maps from the page boundary below it and hides the difference.
 * - [method@Mmap.Object.resize] never leaves a mapping longer than its file,
 *   and a failed resize leaves no trace: the file's size and bytes, the
 *   map's bytes (private pages included), its length and the position are
 *   as they were. A growing file gets its new blocks reserved, so a full
 *   disk fails the resize instead of a later write. `resize (0)` gives a
 *   valid empty map. Shared anonymous maps are backed by a memfd, so they
 *   can grow too.
 * - No call can fault on a map whose protection forbids the access: reading
 *   a `PROT_NONE` map fails with %MMAP_ERROR_NOT_ACCESSIBLE. A write-only
 *   map reads where Linux makes it readable (x86 and arm64, as Python
 *   reads it) and fails the same way elsewhere.
 * - [method@Mmap.Object.flush_range] and [method@Mmap.Object.madvise_range]
 *   align their range to pages themselves. Hints are widened to whole pages;
 *   destructive advice (`DONTNEED`, `FREE`, `REMOVE`, `WIPEONFORK`, …) is
 *   narrowed to the pages that lie entirely inside the range, so no byte
 *   outside it is ever discarded.
 * - Zero-copy views stay valid after [method@Mmap.Object.close]: the mapping
 *   is reference-counted and unmapped when the last view is released. Python
 *   refuses to close while buffers are exported; here `close()` always
 *   succeeds. [method@Mmap.Object.resize] still refuses while views exist
 *   (%MMAP_ERROR_EXPORTS_EXIST), as Python does.
 * - A file truncated under the map (or failing I/O) does not kill the
 *   process with `SIGBUS`: every access the library makes to the map runs
 *   under a guard, and the call fails with a `G_IO_ERROR` whose message
 *   ends in `[Errno 5]` (`EIO`) and names `SIGBUS`. The position is left
 *   unchanged, and a write over a file truncated before the call stores
 *   nothing. The guard covers every access the library makes, to the map
 *   and to the data passed in, in threads that block `SIGBUS` too. It is a
 *   `SIGBUS` handler, installed when the first map is made and checked
 *   again at each new map, that passes every other `SIGBUS` on to the
 *   handler installed before it; see [func@Mmap.install_sigbus_guard] for
 *   the details and for applications that install a `SIGBUS` handler of
 *   their own. Memory reached without the library, such as the data of a
 *   view, is not guarded. Set `MMAP_NO_SIGBUS_GUARD=1` in the environment
 *   to leave `SIGBUS` alone.
 * - Every method may be called from several threads at once; each call is
 *   atomic, position updates included, and a [method@Mmap.Object.close]
 *   racing another call happens entirely before or after it.
 *
 * Failed system calls are reported in the `G_IO_ERROR` domain; the message
 * names the call and ends in `[Errno N] text`, as Python prints it, and
 * `mmap_error_get_errno()` returns the errno of any error the library
 * reports.
 *
 * Since: 1.0
 */

#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "mmap-access-private.h"
#include "mmap-error-private.h"
#include "mmap-object-private.h"
#include "mmap-slice-private.h"

/* Read by MMAP_OBJECT_CHECK() (mmap-object-private.h). */
GType mmap_object_type_id;

G_DEFINE_FINAL_TYPE_WITH_CODE (MmapObject, mmap_object, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      mmap_object_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_SEEKABLE,
                                                      mmap_object_seekable_iface_init))

enum {
  PROP_0,
  PROP_ACCESS,
  PROP_CLOSED,
  PROP_FD,
  PROP_FLAGS,
  PROP_LENGTH,
  PROP_OFFSET,
  PROP_PATH,
  PROP_PROT,
  PROP_TRACK_FD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Advice that discards data, or makes a fork child see different data:
 * narrowed to whole pages inside the range instead of widened. */
static gboolean
advice_is_destructive (MmapAdvice advice)
{
  switch ((int) advice)
    {
    case MMAP_ADVICE_DONTNEED:
    case MMAP_ADVICE_FREE:
    case MMAP_ADVICE_REMOVE:
    case MMAP_ADVICE_DONTFORK:
    case MMAP_ADVICE_WIPEONFORK:
    case MMAP_ADVICE_DONTNEED_LOCKED:
    case MMAP_ADVICE_HWPOISON:
    case MMAP_ADVICE_SOFT_OFFLINE:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Advice newer than what Python exposes: a kernel that rejects it with
 * EINVAL most likely does not know it. */
static gboolean
advice_is_recent (MmapAdvice advice)
{
  return (advice >= MMAP_ADVICE_WIPEONFORK && advice <= MMAP_ADVICE_COLLAPSE)
         || advice == MMAP_ADVICE_SOFT_OFFLINE;
}

const char *
mmap_access_name (MmapAccess access)
{
  switch (access)
    {
    case MMAP_ACCESS_READ:
      return "ACCESS_READ";
    case MMAP_ACCESS_WRITE:
      return "ACCESS_WRITE";
    case MMAP_ACCESS_COPY:
      return "ACCESS_COPY";
    case MMAP_ACCESS_DEFAULT:
    default:
      return "ACCESS_DEFAULT";
    }
}

/**
 * mmap_get_page_size:
 *
 * The size of a memory page: Python's `mmap.PAGESIZE`.
 *
 * Returns: the page size in bytes
 *
 * Since: 1.0
 */
gsize
mmap_get_page_size (void)
{
  static gsize page_size = 0;

  if (g_once_init_enter (&page_size))
    g_once_init_leave (&page_size, (gsize) sysconf (_SC_PAGESIZE));

  return page_size;
}

/**
 * mmap_get_allocation_granularity:
 *
 * The granularity of map offsets in the operating system: Python's
 * `mmap.ALLOCATIONGRANULARITY`. It equals the page size on Linux.
 * [class@Mmap.Object] accepts any offset; aligned offsets avoid mapping
 * the bytes between the page boundary and the offset.
 *
 * Returns: the allocation granularity in bytes
 *
 * Since: 1.0
 */
gsize
mmap_get_allocation_granularity (void)
{
  return mmap_get_page_size ();
}

/* ------------------------------------------------------------------ */
/* Checks shared by the methods; all run inside a scope.             */

static gboolean
check_enum_value (GType        type,
                  int          value,
                  const char  *op,
                  const char  *what,
                  GError     **error)
{
  GEnumClass *klass = g_type_class_ref (type);
  gboolean known = g_enum_get_value (klass, value) != NULL;

  g_type_class_unref (klass);
  if (!known)
    g_set_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT,
                 "%s: invalid %s %d", op, what, value);
  return known;
}

/* Values with bits outside a registered flags type are
 * MMAP_ERROR_INVALID_ARGUMENT in C (bindings refuse them themselves). */
gboolean
mmap_check_flags (GType        type,
                  guint        value,
                  const char  *op,
                  GError     **error)
{
  GFlagsClass *klass = g_type_class_ref (type);
  guint unknown = value & ~klass->mask;

  g_type_class_unref (klass);
  if (unknown == 0)
    return TRUE;
  g_set_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT,
               "%s: unknown %s bits 0x%x", op, g_type_name (type), unknown);
  return FALSE;
}

/* Whether nothing of the backing file follows the map: its end is the end
 * of its file or memfd, or it is private anonymous memory. Without a file
 * descriptor to ask, assume something does. */
static gboolean
map_ends_backing (MmapObject *self)
{
  struct stat st;

  if (self->map_fd == -1)
    return (self->flags & MMAP_MAP_ANONYMOUS) != 0;
  if (fstat (self->map_fd, &st) != 0)
    return FALSE;
  return (guint64) st.st_size
         <= (guint64) self->map_offset + self->delta + self->length;
}

static inline gboolean
normalize_index (MmapObject  *self,
                 const char  *op,
                 gssize      *index,
                 GError     **error)
{
  if (mmap_slice_normalize_index (self->length, index))
    return TRUE;
  g_set_error (error, MMAP_ERROR, MMAP_ERROR_INDEX_OUT_OF_RANGE,
               "%s: mmap index %" G_GSSIZE_FORMAT " out of range of a %"
               G_GSIZE_FORMAT "-byte map", op, *index, self->length);
  return FALSE;
}

static gboolean
check_step (gssize      *step,
            const char  *op,
            GError     **error)
{
  if (mmap_slice_check_step (step))
    return TRUE;
  g_set_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT,
               "%s: slice step cannot be zero", op);
  return FALSE;
}

/* The error for a call on a map that is closed or not initialised, or
 * whose protection forbids what the call needs (@prot). */
gboolean
mmap_object_set_access_error (MmapObject  *self,
                              const char  *op,
                              MmapProt     prot,
                              GError     **error)
{
  if (self->closed)
    g_set_error (error, MMAP_ERROR, MMAP_ERROR_CLOSED,
                 "%s: mmap closed or invalid", op);
  else if (!self->initialized)
    g_set_error (error, MMAP_ERROR, MMAP_ERROR_NOT_INITIALIZED,
                 "%s: the map was not initialised (call g_initable_init())",
                 op);
  else if (prot == MMAP_PROT_READ)
    g_set_error (error, MMAP_ERROR, MMAP_ERROR_NOT_ACCESSIBLE,
                 "%s: the map's protection (prot %d) forbids reading",
                 op, (int) self->prot);
  else
    g_set_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY,
                 "%s: mmap can't modify a readonly memory map", op);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Mapping                                                            */

MmapMapSpec
mmap_object_map_spec (MmapObject *self)
{
  MmapMapSpec spec = { (int) self->prot, self->map_flags, self->map_fd,
                       self->map_offset };

  return spec;
}

/* Points data and length at what the mapping holds now. */
void
mmap_object_set_length (MmapObject *self,
                        gsize       length)
{
  guint8 *base = mmap_mapping_get_base (self->mapping);

  self->length = length;
  self->data = base != NULL ? base + self->delta : NULL;
}

/* Notifies the length property, outside any scope. */
void
mmap_object_notify_length (MmapObject *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LENGTH]);
}

/* ------------------------------------------------------------------ */
/* GObject                                                            */

/* Drops the mapping and the file descriptors the object owns. */
void
mmap_object_release (MmapObject *self)
{
  g_clear_pointer (&self->mapping, mmap_mapping_unref);
  g_clear_pointer (&self->page_prot, g_free);
  self->data = NULL;
  self->length = 0;
  if (self->fd != -1)
    close (self->fd);
  if (self->anon_fd != -1)
    close (self->anon_fd);
  self->fd = -1;
  self->anon_fd = -1;
  self->map_fd = -1;
}

static void
mmap_object_finalize (GObject *object)
{
  MmapObject *self = (MmapObject *)object;

  if (self->dontfork)
    mmap_object_set_dontfork (self, FALSE);
  mmap_object_release (self);
  self->closed = TRUE;
  g_clear_error (&self->init_error);
  g_clear_pointer (&self->path, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (mmap_object_parent_class)->finalize (object);
}

static void
mmap_object_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  MmapObject *self = MMAP_OBJECT (object);

  switch (prop_id)
    {
    case PROP_ACCESS:
      g_value_set_enum (value, mmap_object_get_access (self));
      break;
    case PROP_CLOSED:
      g_value_set_boolean (value, mmap_object_get_closed (self));
      break;
    case PROP_FD:
      g_value_set_int (value, mmap_object_get_fd (self));
      break;
    case PROP_FLAGS:
      g_value_set_flags (value, mmap_object_get_flags (self));
      break;
    case PROP_LENGTH:
      g_value_set_uint64 (value, mmap_object_get_length (self));
      break;
    case PROP_OFFSET:
      g_value_set_int64 (value, mmap_object_get_offset (self));
      break;
    case PROP_PATH:
      g_value_set_string (value, mmap_object_get_path (self));
      break;
    case PROP_PROT:
      g_value_set_flags (value, mmap_object_get_prot (self));
      break;
    case PROP_TRACK_FD:
      g_value_set_boolean (value, mmap_object_get_track_fd (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mmap_object_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  MmapObject *self = MMAP_OBJECT (object);

  switch (prop_id)
    {
    case PROP_ACCESS:
      self->access_arg = g_value_get_enum (value);
      break;
    case PROP_FD:
      self->fd_arg = g_value_get_int (value);
      break;
    case PROP_FLAGS:
      self->flags_arg = g_value_get_flags (value);
      break;
    case PROP_LENGTH:
      self->length_arg = g_value_get_uint64 (value);
      break;
    case PROP_OFFSET:
      self->offset = g_value_get_int64 (value);
      break;
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_PROT:
      self->prot_arg = g_value_get_flags (value);
      break;
    case PROP_TRACK_FD:
      self->track_fd = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mmap_object_class_init (MmapObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                          | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags read_only = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS
                          | G_PARAM_EXPLICIT_NOTIFY;

  mmap_object_type_id = G_TYPE_FROM_CLASS (klass);

  /* Before any object can have readers. */
  mmap_readers_init ();

  object_class->finalize = mmap_object_finalize;
  object_class->get_property = mmap_object_get_property;
  object_class->set_property = mmap_object_set_property;

  /**
   * MmapObject:access:
   *
   * The access mode. As a construct argument it is Python's `access`;
   * once initialised it reads back as the effective mode, worked out from
   * the protection when %MMAP_ACCESS_DEFAULT was given, as Python does.
   *
   * Since: 1.0
   */
  properties[PROP_ACCESS] =
    g_param_spec_enum ("access", NULL, NULL,
                       MMAP_TYPE_ACCESS, MMAP_ACCESS_DEFAULT, construct);

  /**
   * MmapObject:closed:
   *
   * Whether [method@Mmap.Object.close] has been called.
   *
   * Since: 1.0
   */
  properties[PROP_CLOSED] =
    g_param_spec_boolean ("closed", NULL, NULL, FALSE, read_only);

  /**
   * MmapObject:fd:
   *
   * The file descriptor to map, or -1 for anonymous memory. The caller
   * keeps ownership of it. Once initialised it reads back as the file
   * descriptor the map keeps (a close-on-exec duplicate, or the one opened
   * for [property@Mmap.Object:path]), or -1 when it keeps none.
   *
   * Since: 1.0
   */
  properties[PROP_FD] =
    g_param_spec_int ("fd", NULL, NULL, G_MININT, G_MAXINT, -1, construct);

  /**
   * MmapObject:flags:
   *
   * The flags for `mmap(2)`: Python's `flags`. Reads back as the
   * effective flags, with %MMAP_MAP_ANONYMOUS for anonymous maps.
   *
   * Since: 1.0
   */
  properties[PROP_FLAGS] =
    g_param_spec_flags ("flags", NULL, NULL, MMAP_TYPE_MAP_FLAGS,
                        MMAP_MAP_SHARED, construct);

  /**
   * MmapObject:length:
   *
   * The length of the map in bytes. As a construct argument, 0 means the
   * rest of the file after [property@Mmap.Object:offset]. Reads back as
   * the current length, which [method@Mmap.Object.resize] changes, and 0
   * once closed.
   *
   * Since: 1.0
   */
  properties[PROP_LENGTH] =
    g_param_spec_uint64 ("length", NULL, NULL, 0, G_MAXUINT64, 0, construct);

  /**
   * MmapObject:offset:
   *
   * Where the map starts in the file, in bytes. Any value of 0 or more is
   * accepted; it need not be a multiple of the page size.
   *
   * Since: 1.0
   */
  properties[PROP_OFFSET] =
    g_param_spec_int64 ("offset", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        construct);

  /**
   * MmapObject:path:
   *
   * A file to open and map instead of [property@Mmap.Object:fd]. It is
   * opened read-only for read-only and copy-on-write access, and
   * read-write otherwise.
   *
   * Since: 1.0
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL, construct);

  /**
   * MmapObject:prot:
   *
   * The memory protection: Python's `prot`. Reads back as the effective
   * protection.
   *
   * Since: 1.0
   */
  properties[PROP_PROT] =
    g_param_spec_flags ("prot", NULL, NULL, MMAP_TYPE_PROT, MMAP_PROT_RW, construct);

  /**
   * MmapObject:track-fd:
   *
   * Whether the map keeps its own duplicate of the file descriptor, which
   * [method@Mmap.Object.size] and [method@Mmap.Object.resize] need:
   * Python's `trackfd`.
   *
   * Since: 1.0
   */
  properties[PROP_TRACK_FD] =
    g_param_spec_boolean ("track-fd", NULL, NULL, TRUE, construct);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mmap_object_init (MmapObject *self)
{
  g_mutex_init (&self->lock);
  self->fd_arg = -1;
  self->flags_arg = MMAP_MAP_SHARED;
  self->prot_arg = MMAP_PROT_RW;
  self->access_arg = MMAP_ACCESS_DEFAULT;
  self->track_fd = TRUE;
  self->fd = -1;
  self->anon_fd = -1;
  self->map_fd = -1;
}

/* ------------------------------------------------------------------ */
/* Constructors                                                       */

/* The properties' GParamSpecs would reject values outside their enum or
 * flags type with a warning and keep the default; give an error instead. */
static gboolean
check_enum_arguments (MmapMapFlags   flags,
                      MmapProt       prot,
                      MmapAccess     access,
                      GError       **error)
{
  GFlagsClass *flags_class = g_type_class_ref (MMAP_TYPE_MAP_FLAGS);
  GFlagsClass *prot_class = g_type_class_ref (MMAP_TYPE_PROT);
  guint unknown_flags = (guint) flags & ~flags_class->mask;
  guint unknown_prot = (guint) prot & ~prot_class->mask;

  g_type_class_unref (flags_class);
  g_type_class_unref (prot_class);

  if ((guint) access > MMAP_ACCESS_COPY)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT,
                   "mmap: invalid access parameter %d", (int) access);
      return FALSE;
    }
  if (unknown_flags != 0 || unknown_prot != 0)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_INVALID_ARGUMENT,
                   "mmap: unknown bits in flags (0x%x) or prot (0x%x)",
                   unknown_flags, unknown_prot);
      return FALSE;
    }
  return TRUE;
}

/**
 * mmap_object_new:
 * @fd: the file descriptor to map, or -1 for anonymous memory
 * @length: the number of bytes to map; 0 maps the rest of the file
 * @access: the access mode
 * @offset: where the map starts in the file; any value of 0 or more
 * @error: return location for a #GError
 *
 * Maps @length bytes of @fd from @offset, like Python's
 * `mmap.mmap(fd, length, access=access, offset=offset)`. The map keeps a
 * close-on-exec duplicate of @fd; the caller may close @fd afterwards.
 *
 * A length past the end of the file is an error (%MMAP_ERROR_FILE_TOO_SMALL):
 * the file is never grown. An empty file gives an empty map.
 *
 * Returns: (transfer full): a new map, or %NULL with @error set
 *
 * Since: 1.0
 */
MmapObject *
mmap_object_new (gint         fd,
                 gsize        length,
                 MmapAccess   access,
                 goffset      offset,
                 GError     **error)
{
  return mmap_object_new_full (fd, length, MMAP_MAP_SHARED, MMAP_PROT_RW, access,
                               offset, TRUE, error);
}

/**
 * mmap_object_new_full:
 * @fd: the file descriptor to map, or -1 for anonymous memory
 * @length: the number of bytes to map; 0 maps the rest of the file
 * @flags: the `mmap(2)` flags: %MMAP_MAP_SHARED, %MMAP_MAP_PRIVATE or
 *   both (%MMAP_MAP_SHARED_VALIDATE), and any others
 * @prot: the memory protection
 * @access: the access mode; anything but %MMAP_ACCESS_DEFAULT requires the
 *   default @flags (%MMAP_MAP_SHARED) and @prot (read and write)
 * @offset: where the map starts in the file; any value of 0 or more
 * @track_fd: whether to keep a duplicate of @fd, which
 *   [method@Mmap.Object.size] and [method@Mmap.Object.resize] need
 * @error: return location for a #GError
 *
 * Maps memory with all of Python's `mmap.mmap` arguments. Unlike Python,
 * which passes unknown @flags and @prot bits to the kernel, bits that
 * [flags@Mmap.MapFlags] and [flags@Mmap.Prot] do not name are refused with
 * %MMAP_ERROR_INVALID_ARGUMENT, as is an @access outside [enum@Mmap.Access].
 *
 * Returns: (transfer full): a new map, or %NULL with @error set
 *
 * Since: 1.0
 */
MmapObject *
mmap_object_new_full (gint           fd,
                      gsize          length,
                      MmapMapFlags   flags,
                      MmapProt       prot,
                      MmapAccess     access,
                      goffset        offset,
                      gboolean       track_fd,
                      GError       **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_enum_arguments (flags, prot, access, error))
    return NULL;

  return g_initable_new (MMAP_TYPE_OBJECT, NULL, error,
                         "fd", fd,
                         "length", (guint64) length,
                         "flags", flags,
                         "prot", prot,
                         "access", access,
                         "offset", (gint64) offset,
                         "track-fd", track_fd,
                         NULL);
}

/**
 * mmap_object_new_anonymous:
 * @length: the number of bytes; 0 gives an empty map that can grow
 * @error: return location for a #GError
 *
 * Maps @length bytes of zeroed anonymous memory, read-write and shared with
 * fork children: Python's `mmap.mmap(-1, length)`.
 *
 * Returns: (transfer full): a new map, or %NULL with @error set
 *
 * Since: 1.0
 */
MmapObject *
mmap_object_new_anonymous (gsize    length,
                           GError **error)
{
  return mmap_object_new_full (-1, length, MMAP_MAP_SHARED, MMAP_PROT_RW,
                               MMAP_ACCESS_DEFAULT, 0, TRUE, error);
}

/**
 * mmap_object_new_for_path:
 * @path: (type filename): the file to map
 * @access: the access mode; the file is opened read-only for
 *   %MMAP_ACCESS_READ and %MMAP_ACCESS_COPY, read-write otherwise
 * @error: return location for a #GError
 *
 * Opens @path and maps all of it. This is the way to map a file from
 * languages that cannot open a file descriptor, such as JavaScript. The map
 * keeps the file open until it is closed.
 *
 * Returns: (transfer full): a new map, or %NULL with @error set
 *
 * Since: 1.0
 */
MmapObject *
mmap_object_new_for_path (const char  *path,
                          MmapAccess   access,
                          GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_enum_arguments (MMAP_MAP_SHARED, MMAP_PROT_RW, access, error))
    return NULL;

  return g_initable_new (MMAP_TYPE_OBJECT, NULL, error,
                         "path", path,
                         "access", access,
                         NULL);
}


/* ------------------------------------------------------------------ */
/* Properties                                                         */

/**
 * mmap_object_close:
 * @self: a map
 * @error: return location for a #GError
 *
 * Closes the map and the file descriptor it keeps. Closing a closed map
 * does nothing. Zero-copy views from [method@Mmap.Object.view] stay valid:
 * the memory is unmapped when the last of them is released.
 *
 * Returns: %TRUE (closing does not fail today; the error is for the future)
 *
 * Since: 1.0
 */
gboolean
mmap_object_close (MmapObject  *self,
                   GError     **error)
{
  gboolean was_closed;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_auto(MmapChangeScope) scope = mmap_change_scope_enter (self);

    was_closed = self->closed;
    if (self->dontfork)
      mmap_object_set_dontfork (self, FALSE);
    mmap_object_release (self);
    self->closed = TRUE;
  }

  if (!was_closed)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOSED]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LENGTH]);
    }

  return TRUE;
}

/**
 * mmap_object_get_closed:
 * @self: a map
 *
 * Whether the map is closed: Python's `closed` attribute.
 *
 * Returns: %TRUE once [method@Mmap.Object.close] has been called
 *
 * Since: 1.0
 */
gboolean
mmap_object_get_closed (MmapObject *self)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), TRUE);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    return self->closed;
  }
}

/**
 * mmap_object_get_length:
 * @self: a map
 *
 * The length of the map in bytes: Python's `len(m)`. It is 0 for a closed or
 * uninitialised map.
 *
 * Returns: the length in bytes
 *
 * Since: 1.0
 */
gsize
mmap_object_get_length (MmapObject *self)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), 0);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    if (self->closed)
      return 0;
    return self->initialized ? self->length : (gsize) self->length_arg;
  }
}

/**
 * mmap_object_get_offset:
 * @self: a map
 *
 * Where the map starts in its file.
 *
 * Returns: the offset in bytes
 *
 * Since: 1.0
 */
goffset
mmap_object_get_offset (MmapObject *self)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), 0);

  return self->offset;
}

/**
 * mmap_object_get_access:
 * @self: a map
 *
 * The effective access mode, worked out as Python does when
 * %MMAP_ACCESS_DEFAULT was given: read and write protection stays
 * %MMAP_ACCESS_DEFAULT, write without read is %MMAP_ACCESS_WRITE, anything
 * else %MMAP_ACCESS_READ.
 *
 * Returns: the access mode
 *
 * Since: 1.0
 */
MmapAccess
mmap_object_get_access (MmapObject *self)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), MMAP_ACCESS_DEFAULT);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    return self->initialized ? self->access : self->access_arg;
  }
}

/**
 * mmap_object_get_flags:
 * @self: a map
 *
 * The effective `mmap(2)` flags.
 *
 * Returns: the flags
 *
 * Since: 1.0
 */
MmapMapFlags
mmap_object_get_flags (MmapObject *self)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), MMAP_MAP_NONE);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    return self->initialized ? self->flags : self->flags_arg;
  }
}

/**
 * mmap_object_get_prot:
 * @self: a map
 *
 * The effective memory protection.
 *
 * Returns: the protection
 *
 * Since: 1.0
 */
MmapProt
mmap_object_get_prot (MmapObject *self)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), MMAP_PROT_NONE);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    return self->initialized ? self->prot : self->prot_arg;
  }
}

/**
 * mmap_object_get_track_fd:
 * @self: a map
 *
 * Whether the map keeps its own file descriptor.
 *
 * Returns: the value of [property@Mmap.Object:track-fd]
 *
 * Since: 1.0
 */
gboolean
mmap_object_get_track_fd (MmapObject *self)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);

  return self->track_fd;
}

/**
 * mmap_object_get_fd:
 * @self: a map
 *
 * The file descriptor the map keeps: a close-on-exec duplicate of the one
 * it was made from, or the one it opened for a path. It is -1 for
 * anonymous maps, maps made with `track-fd` false, and closed maps. The
 * map owns it: do not close it.
 *
 * Returns: the file descriptor, or -1
 *
 * Since: 1.0
 */
gint
mmap_object_get_fd (MmapObject *self)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -1);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    return self->initialized || self->closed ? self->fd : self->fd_arg;
  }
}

/**
 * mmap_object_get_path:
 * @self: a map
 *
 * The path the map was opened from, if any.
 *
 * Returns: (nullable) (type filename): the path, or %NULL
 *
 * Since: 1.0
 */
const char *
mmap_object_get_path (MmapObject *self)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), NULL);

  return self->path;
}

/* ------------------------------------------------------------------ */
/* Searching                                                          */

static gssize
find_common (MmapObject   *self,
             const char   *op,
             const guint8 *needle,
             gsize         needle_len,
             gboolean      from_pos,
             gssize        start,
             gssize        end,
             gboolean      reverse,
             GError      **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -2);
  g_return_val_if_fail (needle != NULL || needle_len == 0, -2);
  g_return_val_if_fail (error == NULL || *error == NULL, -2);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    if (!mmap_object_check_readable (self, op, error))
      return -2;
    if (from_pos)
      {
        goffset pos = mmap_object_pos (self);

        start = pos > G_MAXSSIZE ? G_MAXSSIZE : (gssize) pos;
        end = G_MAXSSIZE;
      }
    return mmap_access_find (self, op, needle, needle_len,
                             mmap_slice_clamp_bound (start, self->length),
                             mmap_slice_clamp_bound (end, self->length),
                             reverse, error);
  }
}

/**
 * mmap_object_find:
 * @self: a map
 * @needle: (array length=needle_len) (nullable): the bytes to look for
 * @needle_len: the length of @needle
 * @error: return location for a #GError
 *
 * Finds the lowest index of @needle at or after the current position:
 * Python's `m.find(sub)`. An empty needle is found at the position (or at
 * the length, when the position lies beyond it). The position is unchanged.
 *
 * Returns: the index, -1 when @needle does not occur, or -2 with @error set
 *
 * Since: 1.0
 */
gssize
mmap_object_find (MmapObject    *self,
                  const guint8  *needle,
                  gsize          needle_len,
                  GError       **error)
{
  return find_common (self, "find", needle, needle_len, TRUE, 0, 0, FALSE,
                      error);
}

/**
 * mmap_object_find_range:
 * @self: a map
 * @needle: (array length=needle_len) (nullable): the bytes to look for
 * @needle_len: the length of @needle
 * @start: where the search starts; negative values count from the end
 * @end: where the search ends (exclusive); negative values count from the
 *   end, and %G_MAXSSIZE means the end of the map
 * @error: return location for a #GError
 *
 * Finds the lowest index of @needle that lies entirely within
 * [@start, @end): Python's `m.find(sub, start, end)`. The bounds are
 * clamped like slice bounds. An empty needle is found at the clamped
 * @start unless @end lies before it.
 *
 * Returns: the index, -1 when @needle does not occur, or -2 with @error set
 *
 * Since: 1.0
 */
gssize
mmap_object_find_range (MmapObject    *self,
                        const guint8  *needle,
                        gsize          needle_len,
                        gssize         start,
                        gssize         end,
                        GError       **error)
{
  return find_common (self, "find", needle, needle_len, FALSE, start, end,
                      FALSE, error);
}

/**
 * mmap_object_rfind:
 * @self: a map
 * @needle: (array length=needle_len) (nullable): the bytes to look for
 * @needle_len: the length of @needle
 * @error: return location for a #GError
 *
 * Finds the highest index of @needle at or after the current position:
 * Python's `m.rfind(sub)`. An empty needle is found at the length. The
 * position is unchanged.
 *
 * Returns: the index, -1 when @needle does not occur, or -2 with @error set
 *
 * Since: 1.0
 */
gssize
mmap_object_rfind (MmapObject    *self,
                   const guint8  *needle,
                   gsize          needle_len,
                   GError       **error)
{
  return find_common (self, "rfind", needle, needle_len, TRUE, 0, 0, TRUE,
                      error);
}

/**
 * mmap_object_rfind_range:
 * @self: a map
 * @needle: (array length=needle_len) (nullable): the bytes to look for
 * @needle_len: the length of @needle
 * @start: where the search starts; negative values count from the end
 * @end: where the search ends (exclusive); negative values count from the
 *   end, and %G_MAXSSIZE means the end of the map
 * @error: return location for a #GError
 *
 * Finds the highest index of @needle that lies entirely within
 * [@start, @end): Python's `m.rfind(sub, start, end)`. An empty needle is
 * found at the clamped @end unless it lies before @start.
 *
 * Returns: the index, -1 when @needle does not occur, or -2 with @error set
 *
 * Since: 1.0
 */
gssize
mmap_object_rfind_range (MmapObject    *self,
                         const guint8  *needle,
                         gsize          needle_len,
                         gssize         start,
                         gssize         end,
                         GError       **error)
{
  return find_common (self, "rfind", needle, needle_len, FALSE, start, end,
                      TRUE, error);
}

/* ------------------------------------------------------------------ */
/* flush, madvise, move                                               */

/**
 * mmap_object_flush:
 * @self: a map
 * @error: return location for a #GError
 *
 * Writes the whole map back to its file and waits for it (`msync(MS_SYNC)`):
 * Python's `m.flush()`. Read-only and copy-on-write maps have nothing to
 * write, so this does nothing for them.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_flush (MmapObject  *self,
                   GError     **error)
{
  return mmap_object_flush_range (self, 0, -1, error);
}

/**
 * mmap_object_flush_range:
 * @self: a map
 * @offset: the first byte to write back, from the start of the map
 * @size: the number of bytes, or -1 for the rest of the map
 * @error: return location for a #GError
 *
 * Writes @size bytes from @offset back to the file and waits for it:
 * Python's `m.flush(offset, size)`. Unlike Python, @offset need not be a
 * multiple of the page size: the range is widened to whole pages.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_flush_range (MmapObject  *self,
                         goffset      offset,
                         gssize       size,
                         GError     **error)
{
  return mmap_object_flush_range_full (self, offset, size, MMAP_SYNC_DEFAULT,
                                       error);
}

/**
 * mmap_object_flush_range_full:
 * @self: a map
 * @offset: the first byte to write back, from the start of the map
 * @size: the number of bytes, or -1 for the rest of the map
 * @flags: how: wait (the default), or only schedule the write-back
 *   (%MMAP_SYNC_ASYNC); %MMAP_SYNC_INVALIDATE also drops other maps'
 *   cached copies of the pages
 * @error: return location for a #GError
 *
 * [method@Mmap.Object.flush_range] with `msync(2)`'s choices.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_flush_range_full (MmapObject     *self,
                              goffset         offset,
                              gssize          size,
                              MmapSyncFlags   flags,
                              GError        **error)
{
  int errsv;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!mmap_check_flags (MMAP_TYPE_SYNC_FLAGS, flags, "flush", error))
    return FALSE;

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    if (!mmap_object_check_open (self, "flush", error))
      return FALSE;

    if (size == -1 && offset >= 0 && (guint64) offset <= self->length)
      size = (gssize) (self->length - (gsize) offset);

    if (offset < 0 || size < 0 || (guint64) offset > self->length
        || self->length - (gsize) offset < (gsize) size)
      {
        g_set_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE,
                     "flush: values out of range: %" G_GSSIZE_FORMAT
                     " bytes at offset %" G_GOFFSET_FORMAT " in a %"
                     G_GSIZE_FORMAT "-byte map", size, offset, self->length);
        return FALSE;
      }

    if (self->access == MMAP_ACCESS_READ || self->access == MMAP_ACCESS_COPY)
      return TRUE;

    errsv = mmap_mapping_sync (self->mapping, self->delta + (gsize) offset,
                               (gsize) size,
                               (flags & MMAP_SYNC_ASYNC) != 0,
                               (flags & MMAP_SYNC_INVALIDATE) != 0);
  }

  if (errsv != 0)
    return mmap_set_error_from_errno (error, errsv,
                                      "msync: %" G_GSSIZE_FORMAT " bytes at "
                                      "offset %" G_GOFFSET_FORMAT,
                                      size, offset);
  return TRUE;
}

/**
 * mmap_object_madvise:
 * @self: a map
 * @advice: the advice
 * @error: return location for a #GError
 *
 * Advises the kernel about the whole map: Python's `m.madvise(option)`.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_madvise (MmapObject  *self,
                     MmapAdvice   advice,
                     GError     **error)
{
  return mmap_object_madvise_range (self, advice, 0, -1, error);
}

/* Checks the range and gives the advice; the caller holds a scope, a
 * change scope for destructive advice. */
static gboolean
madvise_scoped (MmapObject  *self,
                MmapAdvice   advice,
                goffset      start,
                gssize       length,
                GError     **error)
{
  MmapAdviseScope scope = MMAP_ADVISE_WIDEN;
  int errsv;

  if (!mmap_object_check_open (self, "madvise", error)
      || !check_enum_value (MMAP_TYPE_ADVICE, (int) advice, "madvise",
                            "advice", error))
    return FALSE;

  if (start < 0 || (guint64) start >= self->length)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE,
                   "madvise: start %" G_GOFFSET_FORMAT " out of bounds of a %"
                   G_GSIZE_FORMAT "-byte map", start, self->length);
      return FALSE;
    }
  if (length == -1)
    length = (gssize) (self->length - (gsize) start);
  if (length < 0)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE,
                   "madvise: length %" G_GSSIZE_FORMAT " invalid", length);
      return FALSE;
    }
  if (G_MAXSSIZE - start < length)
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_OVERFLOW,
                   "madvise: length %" G_GSSIZE_FORMAT " too large", length);
      return FALSE;
    }
  if ((gsize) length > self->length - (gsize) start)
    length = (gssize) (self->length - (gsize) start);

  if (advice_is_destructive (advice))
    scope = (gsize) start + (gsize) length == self->length
            && map_ends_backing (self)
            ? MMAP_ADVISE_NARROW_TO_END : MMAP_ADVISE_NARROW;

  errsv = mmap_mapping_advise (self->mapping, self->delta + (gsize) start,
                               (gsize) length, (int) advice, scope);
  if (errsv == EINVAL && advice_is_recent (advice))
    {
      g_set_error (error, MMAP_ERROR, MMAP_ERROR_NOT_SUPPORTED,
                   "madvise: advice %d is not supported by this kernel "
                   "or for this map", (int) advice);
      return FALSE;
    }
  if (errsv != 0)
    return mmap_set_error_from_errno (error, errsv,
                                      "madvise: advice %d on %"
                                      G_GSSIZE_FORMAT " bytes at %"
                                      G_GOFFSET_FORMAT,
                                      (int) advice, length, start);
  if (advice == MMAP_ADVICE_DONTFORK)
    mmap_object_set_dontfork (self, TRUE);
  else if (advice == MMAP_ADVICE_DOFORK && start == 0
           && (gsize) length == self->length)
    mmap_object_set_dontfork (self, FALSE);
  return TRUE;
}

/**
 * mmap_object_madvise_range:
 * @self: a map
 * @advice: the advice
 * @start: the first byte, from the start of the map
 * @length: the number of bytes (clamped to the end of the map), or -1 for
 *   the rest of the map
 * @error: return location for a #GError
 *
 * Advises the kernel about a range: Python's
 * `m.madvise(option, start, length)`. Unlike Python, @start need not be a
 * multiple of the page size. Hints are widened to whole pages; advice that
 * discards data or changes what fork children see (%MMAP_ADVICE_DONTNEED,
 * %MMAP_ADVICE_FREE, %MMAP_ADVICE_REMOVE, %MMAP_ADVICE_DONTFORK,
 * %MMAP_ADVICE_WIPEONFORK, …) applies only to the pages that lie entirely
 * inside both the range and the map, and does nothing when there are none,
 * so it never reaches a byte of the file outside them. The map's last
 * page counts as whole only when nothing of the file follows the map (its
 * end is the end of the file) or for private anonymous memory.
 *
 * A value that is not an [enum@Mmap.Advice] fails with
 * %MMAP_ERROR_INVALID_ARGUMENT without reaching the kernel. Advice the
 * running kernel does not know fails with %MMAP_ERROR_NOT_SUPPORTED.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_madvise_range (MmapObject  *self,
                           MmapAdvice   advice,
                           goffset      start,
                           gssize       length,
                           GError     **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Advice that discards changes the mapping: no reader may be looking. */
  if (advice_is_destructive (advice))
    {
      g_auto(MmapChangeScope) scope = mmap_change_scope_enter (self);

      return madvise_scoped (self, advice, start, length, error);
    }
  else
    {
      g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

      return madvise_scoped (self, advice, start, length, error);
    }
}

/**
 * mmap_object_move:
 * @self: a map
 * @dest: where to copy to
 * @src: where to copy from
 * @count: how many bytes to copy
 * @error: return location for a #GError
 *
 * Copies @count bytes from @src to @dest inside the map; the ranges may
 * overlap: Python's `m.move(dest, src, count)`. The position is unchanged.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_move (MmapObject  *self,
                  goffset      dest,
                  goffset      src,
                  gssize       count,
                  GError     **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_auto(MmapChangeScope) scope = mmap_change_scope_enter (self);

    if (!mmap_object_check_writable (self, "move", error)
        || !mmap_object_check_readable (self, "move", error))
      return FALSE;

    if (dest < 0 || src < 0 || count < 0
        || (guint64) dest > self->length || (guint64) src > self->length
        || self->length - (gsize) dest < (gsize) count
        || self->length - (gsize) src < (gsize) count)
      {
        g_set_error (error, MMAP_ERROR, MMAP_ERROR_OUT_OF_RANGE,
                     "move: source %" G_GOFFSET_FORMAT ", destination %"
                     G_GOFFSET_FORMAT ", or count %" G_GSSIZE_FORMAT
                     " out of range of a %" G_GSIZE_FORMAT "-byte map",
                     src, dest, count, self->length);
        return FALSE;
      }

    return mmap_access_copy (self, "move", mmap_object_at (self, dest), 1,
                             mmap_object_at (self, src), 1, (gsize) count,
                             TRUE, error);
  }
}

/* ------------------------------------------------------------------ */
/* Indexing and slicing                                               */

/**
 * mmap_object_get_byte:
 * @self: a map
 * @index: the index; negative values count from the end
 * @error: return location for a #GError
 *
 * The byte at @index: Python's `m[index]`. The position is unchanged.
 *
 * Returns: the byte (0 to 255), or -1 with @error set
 *
 * Since: 1.0
 */
static G_GNUC_NO_INLINE gint
get_byte_scoped (MmapObject  *self,
                 gssize       index,
                 GError     **error)
{
  g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

  if (!mmap_object_check_readable (self, "get_byte", error)
      || !normalize_index (self, "get_byte", &index, error))
    return -1;
  return mmap_access_get_byte (self, "get_byte", (gsize) index, error);
}

gint
mmap_object_get_byte (MmapObject  *self,
                      gssize       index,
                      GError     **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  /* The common case without a call, so that it needs no stack frame: a
   * readable map, an index in range, no fault. Anything else, including
   * a fault, goes the whole way round, which reports it. */
  if (G_LIKELY (mmap_readers_try_enter (&self->readers)))
    {
      gint byte = -1;

      if (G_LIKELY (mmap_object_is_readable (self)
                    && mmap_slice_normalize_index (self->length, &index)))
        byte = mmap_access_get_byte (self, "get_byte", (gsize) index, NULL);
      mmap_readers_leave ();
      if (G_LIKELY (byte >= 0))
        return byte;
    }
  return get_byte_scoped (self, index, error);
}

/**
 * mmap_object_set_byte:
 * @self: a map
 * @index: the index; negative values count from the end
 * @value: the byte to store
 * @error: return location for a #GError
 *
 * Stores @value at @index: Python's `m[index] = value`. The position is
 * unchanged.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_set_byte (MmapObject  *self,
                      gssize       index,
                      guint8       value,
                      GError     **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_auto(MmapChangeScope) scope = mmap_change_scope_enter (self);

    return mmap_object_check_writable (self, "set_byte", error)
           && normalize_index (self, "set_byte", &index, error)
           && mmap_access_set_byte (self, "set_byte", (gsize) index, value,
                                    error);
  }
}

/**
 * mmap_object_get_slice:
 * @self: a map
 * @start: the first index; negative values count from the end
 * @stop: the index to stop before; negative values count from the end
 * @step: the distance between indices; negative steps go backwards
 * @error: return location for a #GError
 *
 * The bytes of a slice with Python's exact semantics: `m[start:stop:step]`.
 * Bounds out of range are clamped. For an omitted bound pass what Python's
 * `PySlice_Unpack()` would: %G_MAXSSIZE for an omitted stop (or start, with
 * a negative step) and %G_MINSSIZE for an omitted stop with a negative
 * step; 0 for an omitted start with a positive step. The position is
 * unchanged.
 *
 * Returns: (transfer full): a copy of the bytes, or %NULL with @error set
 *
 * Since: 1.0
 */
GBytes *
mmap_object_get_slice (MmapObject  *self,
                       gssize       start,
                       gssize       stop,
                       gssize       step,
                       GError     **error)
{
  gsize count;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    if (!mmap_object_check_readable (self, "get_slice", error)
        || !check_step (&step, "get_slice", error))
      return NULL;

    count = mmap_slice_adjust (self->length, &start, &stop, step);
    return mmap_access_dup (self, "get_slice",
                            count > 0 ? mmap_object_at (self, start) : NULL,
                            step, count, error);
  }
}

/**
 * mmap_object_get_slice_into: (skip)
 * @self: a map
 * @start: the first index; negative values count from the end
 * @stop: the index to stop before; negative values count from the end
 * @step: the distance between indices; negative steps go backwards
 * @buffer: (array length=count): where to copy the slice
 * @count: the size of @buffer
 * @error: return location for a #GError
 *
 * Copies `m[start:stop:step]` into @buffer: [method@Mmap.Object.get_slice]
 * without the [struct@GLib.Bytes]. A @buffer shorter than the slice fails
 * with %MMAP_ERROR_WRONG_SIZE and copies nothing.
 *
 * Returns: the length of the slice, or -1 with @error set
 *
 * Since: 1.0
 */
gssize
mmap_object_get_slice_into (MmapObject  *self,
                            gssize       start,
                            gssize       stop,
                            gssize       step,
                            guint8      *buffer,
                            gsize        count,
                            GError     **error)
{
  gsize n;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), -1);
  g_return_val_if_fail (buffer != NULL || count == 0, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    if (!mmap_object_check_readable (self, "get_slice", error)
        || !check_step (&step, "get_slice", error))
      return -1;

    n = mmap_slice_adjust (self->length, &start, &stop, step);
    if (n > count)
      {
        g_set_error (error, MMAP_ERROR, MMAP_ERROR_WRONG_SIZE,
                     "get_slice: a buffer of %" G_GSIZE_FORMAT " bytes is "
                     "too small for a slice of %" G_GSIZE_FORMAT, count, n);
        return -1;
      }
    if (!mmap_access_copy (self, "get_slice", buffer, 1,
                           n > 0 ? mmap_object_at (self, start) : NULL, step,
                           n, FALSE, error))
      return -1;
    return (gssize) n;
  }
}

/**
 * mmap_object_set_slice:
 * @self: a map
 * @start: the first index; negative values count from the end
 * @stop: the index to stop before; negative values count from the end
 * @step: the distance between indices; negative steps go backwards
 * @data: (array length=len) (nullable): the bytes to store
 * @len: the length of @data, which must equal the length of the slice
 * @error: return location for a #GError
 *
 * Stores @data into a slice with Python's exact semantics:
 * `m[start:stop:step] = data`. The bounds are given as for
 * [method@Mmap.Object.get_slice]. A @len different from the slice's
 * length fails with %MMAP_ERROR_WRONG_SIZE and writes nothing. Like
 * [method@Mmap.Object.write], it stores nothing when the file was
 * truncated under the map before the call.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
mmap_object_set_slice (MmapObject    *self,
                       gssize         start,
                       gssize         stop,
                       gssize         step,
                       const guint8  *data,
                       gsize          len,
                       GError       **error)
{
  gsize count;

  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  {
    g_auto(MmapChangeScope) scope = mmap_change_scope_enter (self);

    if (!mmap_object_check_writable (self, "set_slice", error)
        || !check_step (&step, "set_slice", error))
      return FALSE;

    count = mmap_slice_adjust (self->length, &start, &stop, step);
    if (count != len)
      {
        g_set_error (error, MMAP_ERROR, MMAP_ERROR_WRONG_SIZE,
                     "set_slice: mmap slice assignment is wrong size: "
                     "%" G_GSIZE_FORMAT " bytes for a slice of %"
                     G_GSIZE_FORMAT, len, count);
        return FALSE;
      }
    return mmap_access_copy (self, "set_slice",
                             count > 0 ? mmap_object_at (self, start) : NULL,
                             step, data, 1, count, TRUE, error);
  }
}

/* ------------------------------------------------------------------ */
/* Views                                                              */

/**
 * mmap_object_view:
 * @self: a map
 * @offset: the first byte of the view
 * @length: the length of the view, or -1 for the rest of the map
 * @error: return location for a #GError
 *
 * A zero-copy view of a range of the map. The bytes are not copied: the
 * view shows later writes to the map, by this process or (for shared maps)
 * by others.
 *
 * The view holds a reference on the mapping, so it stays valid after
 * [method@Mmap.Object.close], and the memory is unmapped when the last
 * view is released. While views exist, [method@Mmap.Object.resize] fails
 * with %MMAP_ERROR_EXPORTS_EXIST, as it does in Python while buffers are
 * exported.
 *
 * A view is read-only by contract, as every #GBytes is. **Never write
 * through it**: on a map without write protection, writing faults and
 * kills the process. In JavaScript (gjs) this means: `GLib.Bytes.toArray()`
 * on a view is zero-copy and returns a *writable-looking* `Uint8Array`
 * over the map: never assign into it. `GLib.Bytes.get_data()`,
 * [method@Mmap.Object.read] and [method@Mmap.Object.get_slice] return
 * copies; [method@Mmap.Object.write] and [method@Mmap.Object.set_slice]
 * modify the map safely.
 *
 * Returns: (transfer full): the view, or %NULL with @error set
 *
 * Since: 1.0
 */
GBytes *
mmap_object_view (MmapObject  *self,
                  gsize        offset,
                  gssize       length,
                  GError     **error)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    if (!mmap_object_check_readable (self, "view", error))
      return NULL;

    if (!mmap_object_check_window (self, "view", offset, &length, error))
      return NULL;

    return mmap_mapping_new_view (self->mapping, mmap_object_at (self, offset),
                                  (gsize) length);
  }
}

/**
 * mmap_object_get_n_views:
 * @self: a map
 *
 * How many views from [method@Mmap.Object.view] are alive (Python's
 * exported buffers). [method@Mmap.Object.resize] needs this to be 0.
 *
 * Returns: the number of live views
 *
 * Since: 1.0
 */
guint
mmap_object_get_n_views (MmapObject *self)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), 0);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    /* No mapping before init and once closed. */
    return self->mapping != NULL ? mmap_mapping_n_extra (self->mapping) : 0;
  }
}

/**
 * mmap_object_to_string:
 * @self: a map
 *
 * A description of the map in the form of Python's `repr()`, e.g.
 * `<Mmap.Object closed=False, access=ACCESS_DEFAULT, length=10, pos=0,
 * offset=0>`, or `<Mmap.Object closed=True>`.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
mmap_object_to_string (MmapObject *self)
{
  g_return_val_if_fail (MMAP_OBJECT_CHECK (self), NULL);

  {
    g_auto(MmapReadScope) scope = mmap_read_scope_enter (self);

    if (self->closed)
      return g_strdup ("<Mmap.Object closed=True>");
    if (!self->initialized)
      return g_strdup ("<Mmap.Object uninitialized>");
    return g_strdup_printf ("<Mmap.Object closed=False, access=%s, length=%"
                            G_GSIZE_FORMAT ", pos=%" G_GOFFSET_FORMAT
                            ", offset=%" G_GOFFSET_FORMAT ">",
                            mmap_access_name (self->access), self->length,
                            mmap_object_pos (self), self->offset);
  }
}
