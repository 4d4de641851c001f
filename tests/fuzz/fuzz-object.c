/* fuzz-object.c: libFuzzer harness for MmapObject
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each input is decoded into at most MAX_OPS public calls on up to
 * N_SLOTS maps (anonymous shared and private, file maps at aligned and
 * unaligned offsets, every access mode, PROT_NONE and write-only, track_fd
 * off, views held across resize and close), interleaved with changes the
 * harness makes to the file from outside (ftruncate, pwrite) through its own
 * file descriptor.  Every result is checked against an in-memory model:
 *
 *  - the file: its size and bytes, plus the page-cache bytes between the end
 *    of the file and the end of its last page (what a shared map shows there);
 *  - each map: kind, length, position, closed state, and for private maps
 *    the pages that hold private copies.
 *
 * Invariants checked after every call: a failed call sets a GError and a
 * successful one does not; a failed call leaves the position and every byte
 * (file and maps) unchanged; after a successful resize of a file map the file
 * size is offset + length; destructive advice changes no byte outside the
 * whole pages inside both its range and the map; reading a page wholly
 * beyond the end of the file gives a G_IO_ERROR with errno EIO, and bytes
 * past the end within the last page read as zeros.
 *
 * A mismatch calls abort () after printing what differed and the calls made
 * so far, so libFuzzer records the input as a crash.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mmapobj/mmapobj.h>

/* Library bugs that are known and listed in the contract can be skipped here
 * while they are being fixed, so the rest keeps being fuzzed.  Every skip
 * must be 0 in a committed harness once the library is fixed. */
/* Library bugs found by this harness, outside the contract's list, that
 * UBSan reports (undefined behaviour, harmless results).  1 skips the
 * call so that the rest keeps being fuzzed while they are open:
 *  - find/rfind of a non-empty needle in an empty map computes NULL + 0
 *    (mmap-guard.c, mmap_guard_run: frame.hi = region + region_size);
 *  - resize of a file map with offset + new size > G_MAXSSIZE overflows
 *    a goffset (mmap-object.c, resize_locked: target = file_base + new_size)
 *    before the size is validated;
 *  - get_slice/set_slice of an empty slice with a negative step whose start
 *    clamps to -1 (start G_MINSSIZE, step -1) computes data + (gsize) -1
 *    (mmap-object-private.h, mmap_object_at). */
#ifndef FUZZ_SKIP_EMPTY_FIND_UB
#define FUZZ_SKIP_EMPTY_FIND_UB 0
#endif
#ifndef FUZZ_SKIP_EMPTY_NEG_SLICE_UB
#define FUZZ_SKIP_EMPTY_NEG_SLICE_UB 0
#endif
#ifndef FUZZ_SKIP_RESIZE_OVERFLOW_UB
#define FUZZ_SKIP_RESIZE_OVERFLOW_UB 0
#endif

#define MAX_OPS   64
#define N_SLOTS   3
#define N_VIEWS   6
#define MAX_PAGES 16            /* model capacity, in pages */

/* ------------------------------------------------------------------ */
/* Input decoding                                                      */

typedef struct
{
  const guint8 *data;
  gsize         size;
  gsize         pos;
} Input;

static guint8
in_u8 (Input *in)
{
  return in->pos < in->size ? in->data[in->pos++] : 0;
}

static guint16
in_u16 (Input *in)
{
  guint16 lo = in_u8 (in);
  return (guint16) (lo | (in_u8 (in) << 8));
}

static gboolean
in_done (Input *in)
{
  return in->pos >= in->size;
}

/* ------------------------------------------------------------------ */
/* Failure reporting                                                   */

static GString *trace;          /* the calls made by the current input */
static gboolean trace_live;     /* MMAPOBJ_FUZZ_TRACE: print calls as made */
static int      cur_slot;       /* the slot of the current call */
static gsize    P;              /* page size */
static char    *tmp_dir;
static int      baseline_fds = -1;

static void G_GNUC_NORETURN G_GNUC_PRINTF (2, 3)
fail_at (int         line,
         const char *format,
         ...)
{
  va_list args;

  fprintf (stderr, "\n==== mmapobj fuzz: MODEL MISMATCH (fuzz-object.c:%d)\n",
           line);
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fprintf (stderr, "\n==== calls of this input:\n%s==== end\n",
           trace != NULL ? trace->str : "");
  abort ();
}

#define FAIL(...) fail_at (__LINE__, __VA_ARGS__)

static void G_GNUC_PRINTF (1, 2)
note (const char *format,
      ...)
{
  va_list args;

  g_string_append_printf (trace, "[%d] ", cur_slot);
  va_start (args, format);
  g_string_append_vprintf (trace, format, args);
  va_end (args);
  g_string_append_c (trace, '\n');
  if (trace_live)
    {
      fprintf (stderr, "[%d] ", cur_slot);
      va_start (args, format);
      vfprintf (stderr, format, args);
      va_end (args);
      fputc ('\n', stderr);
    }
}

/* ------------------------------------------------------------------ */
/* Model                                                               */

typedef struct
{
  int     fd;                   /* O_RDWR, the harness's own */
  int     ro_fd;                /* O_RDONLY */
  char   *path;
  gsize   size;
  /* [0, size): the file; [size, end of its last page): the page cache
   * beyond the end, which shared maps see; the rest is zero. */
  guint8  data[MAX_PAGES * 4096 * 2];
} FileModel;

enum
{
  K_ANON_SHARED,
  K_ANON_PRIVATE,
  K_FILE_SHARED,
  K_FILE_PRIVATE,
};

static const char *kind_names[] = {
  "anon-shared", "anon-private", "file-shared", "file-private"
};

typedef struct
{
  gboolean      used;           /* object alive or views of it held */
  MmapObject   *obj;            /* NULL once unreferenced */
  int           kind;
  gboolean      closed;
  MmapAccess    access;         /* effective */
  MmapProt      prot;
  MmapMapFlags  flags;          /* effective, as reported */
  gboolean      track_fd;
  gboolean      ro_fd;          /* the tracked fd is read-only */
  gboolean      has_fd;         /* get_fd () >= 0 while open */
  goffset       offset;
  goffset       map_offset;
  gsize         delta;
  gsize         length;
  goffset       pos;
  int           n_views;
  /* In memory coordinates (delta + index). */
  guint8        priv[MAX_PAGES * 4096 * 2];
  guint8        cow[MAX_PAGES * 2];      /* file-private: private copy */
  guint8        unknown[MAX_PAGES * 2];  /* content/fault not predictable */
} MapModel;

typedef struct
{
  GBytes *bytes;
  int     slot;
  gsize   off;
  gsize   len;
} View;

static FileModel file;
static MapModel  maps[N_SLOTS];
static View      views[N_VIEWS];

#define PG(mem) ((gsize) (mem) / P)
#define ROUND_UP(x) (((gsize) (x) + P - 1) / P * P)
#define ROUND_DOWN(x) ((gsize) (x) / P * P)

static gboolean
is_anon (const MapModel *m)
{
  return m->kind == K_ANON_SHARED || m->kind == K_ANON_PRIVATE;
}

static gboolean
readable (const MapModel *m)
{
  /* x86-64: a write-only map reads too. */
  return (m->prot & (MMAP_PROT_READ | MMAP_PROT_WRITE)) != 0;
}

static gboolean
writable (const MapModel *m)
{
  return m->access != MMAP_ACCESS_READ && (m->prot & MMAP_PROT_WRITE);
}

enum { V_OK, V_FAULT, V_UNKNOWN };

/* What an access to memory page @pg of the map does. */
static int
page_state (const MapModel *m,
            gsize           pg)
{
  if (m->unknown[pg])
    return V_UNKNOWN;
  if (is_anon (m))
    return V_OK;
  if (m->kind == K_FILE_PRIVATE && m->cow[pg])
    return V_OK;
  return (gsize) m->map_offset + pg * P >= file.size ? V_FAULT : V_OK;
}

static guint8
exp_byte_mem (const MapModel *m,
              gsize           mem)
{
  if (is_anon (m) || (m->kind == K_FILE_PRIVATE && m->cow[PG (mem)]))
    return m->priv[mem];
  return file.data[m->map_offset + mem];
}

static guint8
exp_byte (const MapModel *m,
          gsize           index)
{
  return exp_byte_mem (m, m->delta + index);
}

static int
index_state (const MapModel *m,
             gsize           index)
{
  return page_state (m, PG (m->delta + index));
}

/* Whether byte @index shows page cache past the end of the file that the
 * model says is not zero: writeback zeroes it at any time (ext4 does when
 * it writes out the page that holds the end of the file). */
static gboolean
byte_uncertain (const MapModel *m,
                gsize           index)
{
  gsize mem = m->delta + index;
  gsize f = (gsize) m->map_offset + mem;

  if (is_anon (m) || (m->kind == K_FILE_PRIVATE && m->cow[PG (mem)]))
    return FALSE;
  return f >= file.size && file.data[f] != 0;
}

/* Gives page @pg of a private file map its private copy. */
static void
cow_page (MapModel *m,
          gsize     pg)
{
  if (m->kind != K_FILE_PRIVATE || m->cow[pg] || m->unknown[pg])
    return;
  memcpy (m->priv + pg * P, file.data + m->map_offset + pg * P, P);
  m->cow[pg] = 1;
  /* The copy holds the bytes past the end of the file as they were then:
   * zero or not, see byte_uncertain (). */
  for (gsize i = 0; i < P; i++)
    if (byte_uncertain (m, pg * P + i - m->delta) && pg * P + i >= m->delta)
      {
        m->unknown[pg] = 1;
        break;
      }
}

/* A store the library made at @index. */
static void
model_store (MapModel *m,
             gsize     index,
             guint8    v)
{
  gsize mem = m->delta + index;
  gsize pg = PG (mem);

  if (m->kind == K_FILE_SHARED)
    file.data[m->map_offset + mem] = v;
  else
    {
      cow_page (m, pg);
      m->priv[mem] = v;
    }
}

/* The file changed size (from outside, or by resize). */
static void
file_set_size (gsize new_size)
{
  gsize old = file.size;

  if (new_size < old)
    {
      memset (file.data + new_size, 0, sizeof file.data - new_size);
      /* Truncation unmaps private copies of the pages past the new end too
       * (truncate_pagecache () with even_cows): they fault from now on. */
      for (int s = 0; s < N_SLOTS; s++)
        if (maps[s].used && maps[s].kind == K_FILE_PRIVATE)
          for (gsize pg = 0; pg < G_N_ELEMENTS (maps[s].cow); pg++)
            if ((gsize) maps[s].map_offset + pg * P >= ROUND_UP (new_size))
              maps[s].cow[pg] = maps[s].unknown[pg] = 0;
    }
  else if (new_size > old)
    {
      /* The bytes past the old end in its last page may have been written
       * through a shared map: a file system may keep or zero them. */
      gsize tail_end = MIN (new_size, ROUND_UP (old));

      if (tail_end > old)
        {
          guint8 buf[4096];
          gsize n = tail_end - old;

          if (pread (file.fd, buf, n, (off_t) old) != (ssize_t) n)
            FAIL ("pread of the grown tail failed: %s", g_strerror (errno));
          for (gsize i = 0; i < n; i++)
            if (buf[i] != 0 && buf[i] != file.data[old + i])
              FAIL ("file byte %" G_GSIZE_FORMAT " after growing from %"
                    G_GSIZE_FORMAT ": 0x%02x, expected 0 or 0x%02x",
                    old + i, old, buf[i], file.data[old + i]);
          memcpy (file.data + old, buf, n);
        }
    }
  file.size = new_size;
}

/* The page-cache bytes past the end of the file in its last page may have
 * been zeroed: stop predicting that page where they are not zero already. */
static void
forget_tail_page (void)
{
  gsize end = ROUND_UP (file.size);

  if (file.size % P == 0)
    return;
  for (gsize i = file.size; i < end; i++)
    if (file.data[i] != 0)
      {
        note ("  (the bytes past the end of the file are no longer checked)");
        memset (file.data + file.size, 0, end - file.size);
        for (int t = 0; t < N_SLOTS; t++)
          if (maps[t].used && maps[t].kind != K_ANON_SHARED
              && maps[t].kind != K_ANON_PRIVATE
              && (gsize) maps[t].map_offset <= end - P)
            maps[t].unknown[PG (end - P - (gsize) maps[t].map_offset)] = 1;
        return;
      }
}

/* ------------------------------------------------------------------ */
/* Outcome checking                                                    */

typedef struct
{
  gboolean may_succeed;
  gboolean any_io;              /* any G_IO_ERROR is fine */
  int      io_errno;            /* this G_IO_ERROR errno is fine, or 0 */
  guint    mmap_codes;          /* bit set of MmapError codes that are fine */
} Expect;

static void
exp_init (Expect *e)
{
  memset (e, 0, sizeof *e);
  e->may_succeed = TRUE;
}

static void
exp_err (Expect *e,
         int     code)
{
  e->mmap_codes |= 1u << code;
  e->may_succeed = FALSE;
}

static int
errno_of (const GError *error)
{
  const char *p = error != NULL ? strstr (error->message, "[Errno ") : NULL;

  return p != NULL ? atoi (p + 7) : -1;
}

/* Checks the outcome of one call against @e.  Returns ok. */
static gboolean
check_outcome (const char   *op,
               gboolean      ok,
               const GError *error,
               const Expect *e)
{
  if (ok && error != NULL)
    FAIL ("%s succeeded but set an error: %s", op, error->message);
  if (!ok && error == NULL)
    FAIL ("%s failed without setting a GError", op);
  if (ok)
    {
      if (!e->may_succeed)
        FAIL ("%s succeeded; expected an error (MmapError codes 0x%x%s%s)",
              op, e->mmap_codes, e->any_io ? ", any G_IO_ERROR" : "",
              e->io_errno ? ", a G_IO_ERROR with errno" : "");
      return TRUE;
    }
  if (error->domain == MMAP_ERROR && error->code < 32
      && (e->mmap_codes & (1u << error->code)))
    return FALSE;
  if (error->domain == G_IO_ERROR)
    {
      int err = errno_of (error);

      if (e->any_io)
        return FALSE;
      if (e->io_errno != 0 && err == e->io_errno)
        {
          if (e->io_errno == EIO && strstr (error->message, "SIGBUS") == NULL)
            FAIL ("%s: EIO error does not name SIGBUS: %s", op,
                  error->message);
          return FALSE;
        }
    }
  FAIL ("%s failed unexpectedly: %s (domain %s, code %d); expected %s"
        "MmapError codes 0x%x%s%s%s", op, error->message,
        g_quark_to_string (error->domain), error->code,
        e->may_succeed ? "success or " : "", e->mmap_codes,
        e->any_io ? ", any G_IO_ERROR" : "",
        e->io_errno ? ", G_IO_ERROR errno " : "",
        e->io_errno ? g_strerror (e->io_errno) : "");
}

/* The faults an access to the map indices @start + i * @step,
 * i < @count, can meet: *must when a page surely faults, *may when one
 * might. */
static void
access_faults (const MapModel *m,
               gssize          start,
               gssize          step,
               gsize           count,
               gboolean       *must,
               gboolean       *may)
{
  gsize last_pg = G_MAXSIZE;

  for (gsize i = 0; i < count; i++)
    {
      gsize idx = (gsize) (start + (gssize) i * step);
      gsize pg = PG (m->delta + idx);
      int st;

      if (pg == last_pg)
        continue;
      last_pg = pg;
      st = page_state (m, pg);
      if (st == V_FAULT)
        *must = *may = TRUE;
      else if (st == V_UNKNOWN)
        *may = TRUE;
    }
}

static void
exp_faults (Expect         *e,
            const MapModel *m,
            gssize          start,
            gssize          step,
            gsize           count)
{
  gboolean must = FALSE, may = FALSE;

  access_faults (m, start, step, count, &must, &may);
  if (may)
    e->io_errno = EIO;
  if (must)
    e->may_succeed = FALSE;
}

/* The expected bytes from memory offset @mem to the end of its page. */
static const guint8 *
exp_ptr_mem (const MapModel *m,
             gsize           mem)
{
  if (is_anon (m) || (m->kind == K_FILE_PRIVATE && m->cow[PG (mem)]))
    return m->priv + mem;
  return file.data + m->map_offset + mem;
}

static void G_GNUC_NORETURN
byte_mismatch (const char     *op,
               const MapModel *m,
               gsize           idx,
               guint8          got)
{
  FAIL ("%s: byte %" G_GSIZE_FORMAT " of the %s map (file offset %"
        G_GOFFSET_FORMAT ", file size %" G_GSIZE_FORMAT ") is 0x%02x, "
        "expected 0x%02x", op, idx, kind_names[m->kind],
        m->offset + (goffset) idx, file.size, got, exp_byte (m, idx));
}

static void
check_byte (const char     *op,
            const MapModel *m,
            gsize           idx,
            guint8          got)
{
  if (got == exp_byte (m, idx))
    return;
  if (got == 0 && byte_uncertain (m, idx))
    {
      /* Written back and zeroed: it stays so until written again. */
      file.data[(gsize) m->map_offset + m->delta + idx] = 0;
      return;
    }
  byte_mismatch (op, m, idx, got);
}

/* Compares bytes the library returned for indices start + i * step. */
static void
check_bytes (const char     *op,
             const MapModel *m,
             const guint8   *got,
             gssize          start,
             gssize          step,
             gsize           count)
{
  if (step == 1)
    {
      gsize i = 0;

      while (i < count)
        {
          gsize mem = m->delta + (gsize) start + i;
          gsize n = MIN (count - i, ROUND_DOWN (mem) + P - mem);

          if (page_state (m, PG (mem)) == V_OK
              && memcmp (got + i, exp_ptr_mem (m, mem), n) != 0)
            for (gsize j = 0; j < n; j++)
              check_byte (op, m, (gsize) start + i + j, got[i + j]);
          i += n;
        }
      return;
    }
  for (gsize i = 0; i < count; i++)
    {
      gsize idx = (gsize) (start + (gssize) i * step);

      if (index_state (m, idx) != V_OK)
        continue;
      check_byte (op, m, idx, got[i]);
    }
}

/* ------------------------------------------------------------------ */
/* Whole-state verification                                            */

static void
verify_file (void)
{
  static guint8 buf[MAX_PAGES * 4096 * 2];
  struct stat st;

  if (fstat (file.fd, &st) != 0)
    FAIL ("fstat: %s", g_strerror (errno));
  if ((gsize) st.st_size != file.size)
    FAIL ("file size %" G_GINT64_FORMAT ", expected %" G_GSIZE_FORMAT,
          (gint64) st.st_size, file.size);
  if (pread (file.fd, buf, file.size, 0) != (ssize_t) file.size)
    FAIL ("pread: %s", g_strerror (errno));
  if (memcmp (buf, file.data, file.size) != 0)
   for (gsize i = 0; i < file.size; i++)
    if (buf[i] != file.data[i])
      FAIL ("file byte %" G_GSIZE_FORMAT " is 0x%02x, expected 0x%02x "
            "(file size %" G_GSIZE_FORMAT ")", i, buf[i], file.data[i],
            file.size);
}

static void
verify_views (void)
{
  for (int v = 0; v < N_VIEWS; v++)
    {
      const MapModel *m;
      const guint8 *data;
      gsize len;

      if (views[v].bytes == NULL)
        continue;
      m = &maps[views[v].slot];
      data = g_bytes_get_data (views[v].bytes, &len);
      if (len != views[v].len)
        FAIL ("view %d has %" G_GSIZE_FORMAT " bytes, expected %"
              G_GSIZE_FORMAT, v, len, views[v].len);
      /* check_bytes () touches only pages that cannot fault: views are
       * not guarded. */
      check_bytes ("view", m, data, (gssize) views[v].off, 1, len);
    }
}

static void
verify_map (int       s,
            gboolean  contents)
{
  MapModel *m = &maps[s];
  GError *error = NULL;
  goffset pos;

  if (m->obj == NULL)
    return;
  if (mmap_object_get_closed (m->obj) != m->closed)
    FAIL ("slot %d: closed is %d, expected %d", s, !m->closed, m->closed);
  if (mmap_object_get_length (m->obj) != (m->closed ? 0 : m->length))
    FAIL ("slot %d: length %" G_GSIZE_FORMAT ", expected %" G_GSIZE_FORMAT,
          s, mmap_object_get_length (m->obj), m->closed ? 0 : m->length);
  pos = mmap_object_tell (m->obj, &error);
  if (m->closed)
    {
      if (pos != -1 || !g_error_matches (error, MMAP_ERROR, MMAP_ERROR_CLOSED))
        FAIL ("slot %d: tell on a closed map gave %" G_GOFFSET_FORMAT, s, pos);
      g_clear_error (&error);
      return;
    }
  if (error != NULL)
    FAIL ("slot %d: tell failed: %s", s, error->message);
  if (pos != m->pos)
    FAIL ("slot %d: position %" G_GOFFSET_FORMAT ", expected %"
          G_GOFFSET_FORMAT, s, pos, m->pos);
  if (m->n_views != (int) mmap_object_get_n_views (m->obj))
    FAIL ("slot %d: %u views, expected %d", s,
          mmap_object_get_n_views (m->obj), m->n_views);

  if (!contents || !readable (m) || m->length == 0)
    return;

  /* Read the map page by page through the library (guarded). */
  for (gsize mem = ROUND_DOWN (m->delta); mem < m->delta + m->length;
       mem += P)
    {
      gsize lo = MAX (mem, m->delta) - m->delta;
      gsize hi = MIN (mem + P, m->delta + m->length) - m->delta;
      int st = page_state (m, PG (mem));
      GBytes *b;

      if (st == V_UNKNOWN)
        continue;
      b = mmap_object_get_slice (m->obj, (gssize) lo, (gssize) hi, 1, &error);
      if (st == V_FAULT)
        {
          if (b != NULL || errno_of (error) != EIO
              || error->domain != G_IO_ERROR)
            FAIL ("slot %d (%s): reading [%" G_GSIZE_FORMAT ", %"
                  G_GSIZE_FORMAT ") beyond the end of the file (size %"
                  G_GSIZE_FORMAT ") did not give EIO: %s", s,
                  kind_names[m->kind], lo, hi, file.size,
                  error != NULL ? error->message : "success");
          g_clear_error (&error);
          continue;
        }
      if (b == NULL)
        FAIL ("slot %d (%s): reading [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT
              ") failed: %s", s, kind_names[m->kind], lo, hi,
              error->message);
      if (g_bytes_get_size (b) != hi - lo)
        FAIL ("slot %d: get_slice gave %" G_GSIZE_FORMAT " bytes",
              s, g_bytes_get_size (b));
      check_bytes ("verify", m, g_bytes_get_data (b, NULL), (gssize) lo, 1,
                   hi - lo);
      g_bytes_unref (b);
    }
}

static void
verify_all (gboolean contents)
{
  verify_file ();
  for (int s = 0; s < N_SLOTS; s++)
    verify_map (s, contents);
  if (contents)
    verify_views ();
}

/* ------------------------------------------------------------------ */
/* Slots and views                                                     */

static void
drop_view (int v)
{
  MapModel *m;

  if (views[v].bytes == NULL)
    return;
  m = &maps[views[v].slot];
  g_clear_pointer (&views[v].bytes, g_bytes_unref);
  m->n_views--;
  if (m->obj == NULL && m->n_views == 0)
    m->used = FALSE;
}

static void
unref_object (MapModel *m)
{
  MmapObject *obj = m->obj;

  if (obj == NULL)
    return;
  g_object_add_weak_pointer (G_OBJECT (obj), (gpointer *) &m->obj);
  g_object_unref (obj);
  if (m->obj != NULL)
    FAIL ("the object was not finalized by its last unref");
  if (m->n_views == 0)
    m->used = FALSE;
}

static void
clear_slot (int s)
{
  for (int v = 0; v < N_VIEWS; v++)
    if (views[v].bytes != NULL && views[v].slot == s)
      drop_view (v);
  unref_object (&maps[s]);
  maps[s].used = FALSE;
}

/* ------------------------------------------------------------------ */
/* Value tables                                                        */

static gsize
pick_size (Input *in)
{
  static const gssize pages_x[][2] = {
    { 0, 0 }, { 0, 1 }, { 0, 100 }, { 1, -1 }, { 1, 0 }, { 1, 1 },
    { 2, -3 }, { 2, 0 }, { 2, 700 }, { 3, 0 }, { 3, 1 }, { 4, 0 },
    { 4, 123 }, { 5, 0 }, { 6, -1 }, { 0, 4095 },
  };
  guint8 b = in_u8 (in);

  return (gsize) (pages_x[b % 16][0] * (gssize) P + pages_x[b % 16][1]);
}

static goffset
pick_offset (Input *in)
{
  static const gssize pages_x[][2] = {
    { 0, 0 }, { 0, 1 }, { 0, 100 }, { 1, -1 }, { 1, 0 }, { 1, 5 },
    { 2, 0 }, { 2, 3000 }, { 3, 0 }, { 0, 0 }, { 1, 0 }, { 0, 4000 },
    { 9, 0 }, { 0, 2 }, { 2, 1 }, { 0, 0 },
  };
  guint8 b = in_u8 (in);

  return (goffset) (pages_x[b % 16][0] * (gssize) P + pages_x[b % 16][1]);
}

/* A gssize argument: small values, values near the map's length, and
 * extremes. */
static gssize
pick_ssize (Input          *in,
            const MapModel *m)
{
  guint8 b = in_u8 (in);
  gssize len = (gssize) m->length;

  switch (b % 16)
    {
    case 0: return 0;
    case 1: return 1;
    case 2: return -1;
    case 3: return len;
    case 4: return len - 1;
    case 5: return len + 1;
    case 6: return -len;
    case 7: return G_MAXSSIZE;
    case 8: return G_MINSSIZE;
    case 9: return (gssize) in_u16 (in) % (len + 2);
    case 10: return -(gssize) (in_u16 (in) % (len + 2));
    case 11: return (gssize) P;
    case 12: return (gssize) P - (gssize) m->delta;
    case 13: return -2;
    case 14: return (gssize) in_u8 (in);
    default: return (gssize) (in_u16 (in) % 8192);
    }
}

static MmapProt
pick_prot (Input *in)
{
  static const int prots[] = {
    MMAP_PROT_READ | MMAP_PROT_WRITE, MMAP_PROT_READ, MMAP_PROT_WRITE,
    MMAP_PROT_NONE, MMAP_PROT_READ | MMAP_PROT_WRITE,
    MMAP_PROT_READ | MMAP_PROT_EXEC, 0x10 /* unknown bit */,
    MMAP_PROT_READ | MMAP_PROT_WRITE,
  };

  return (MmapProt) prots[in_u8 (in) % G_N_ELEMENTS (prots)];
}

static MmapMapFlags
pick_flags (Input *in)
{
  guint8 b = in_u8 (in);
  int f;

  switch (b % 8)
    {
    case 0: case 1: case 2: f = MMAP_MAP_SHARED; break;
    case 3: case 4: case 5: f = MMAP_MAP_PRIVATE; break;
    case 6: f = 0; break;
    default: f = MMAP_MAP_SHARED_VALIDATE; break;
    }
  switch ((b >> 3) % 16)
    {
    case 1: f |= MMAP_MAP_NORESERVE; break;
    case 2: f |= MMAP_MAP_POPULATE; break;
    case 3: f |= MMAP_MAP_LOCKED; break;
    case 4: f |= MMAP_MAP_DENYWRITE | MMAP_MAP_EXECUTABLE; break;
    case 5: f |= MMAP_MAP_STACK; break;
    case 6: f |= 0x4;  break;               /* not in MmapMapFlags */
    case 7: f |= (int) 0x80000000u; break;  /* not in MmapMapFlags */
    default: break;
    }
  return (MmapMapFlags) f;
}

static MmapAccess
pick_access (Input *in)
{
  static const int acc[] = { 0, 1, 2, 3, 0, 1, 2, 3, 0, 2, 0, 3, 4, -1, 0, 0 };

  return (MmapAccess) acc[in_u8 (in) % 16];
}

/* ------------------------------------------------------------------ */
/* Constructors                                                        */

static void
op_new (Input *in,
        int    s)
{
  MapModel *m = &maps[s];
  guint8 how = in_u8 (in) % 8;
  int fd = -1;
  gsize length = pick_size (in);
  MmapMapFlags flags = MMAP_MAP_SHARED;
  MmapProt prot = MMAP_PROT_READ | MMAP_PROT_WRITE;
  MmapAccess access = MMAP_ACCESS_DEFAULT;
  goffset offset = 0;
  gboolean track_fd = TRUE;
  gboolean ro = FALSE, by_path = FALSE;
  GError *error = NULL;
  MmapObject *obj;
  Expect e;
  guint known_flags = MMAP_MAP_SHARED | MMAP_MAP_PRIVATE | MMAP_MAP_ANONYMOUS
                      | MMAP_MAP_ADDR_32BIT | MMAP_MAP_GROWSDOWN
                      | MMAP_MAP_DENYWRITE | MMAP_MAP_EXECUTABLE
                      | MMAP_MAP_LOCKED | MMAP_MAP_NORESERVE
                      | MMAP_MAP_POPULATE | MMAP_MAP_NONBLOCK
                      | MMAP_MAP_STACK | MMAP_MAP_HUGETLB;
  MmapMapFlags eff_flags;
  MmapProt eff_prot;
  MmapAccess eff_access;
  gboolean anon;
  gsize eff_len = 0;
  char desc[256];

  clear_slot (s);
  exp_init (&e);

  switch (how)
    {
    case 0:           /* new_anonymous */
      break;
    case 1:           /* anonymous new_full */
      flags = pick_flags (in);
      prot = pick_prot (in);
      access = pick_access (in);
      offset = (in_u8 (in) & 7) == 7 ? G_MAXINT64 - 5 : pick_offset (in);
      track_fd = (in_u8 (in) & 7) != 0;
      break;
    case 2:           /* new */
    case 5:
      fd = file.fd;
      access = pick_access (in);
      offset = pick_offset (in);
      break;
    case 3:           /* file new_full */
    case 6:
      ro = (in_u8 (in) & 3) == 0;
      fd = ro ? file.ro_fd : file.fd;
      flags = pick_flags (in);
      prot = pick_prot (in);
      access = pick_access (in);
      offset = pick_offset (in);
      track_fd = (in_u8 (in) & 3) != 0;
      break;
    case 4:           /* new_for_path */
      by_path = TRUE;
      access = pick_access (in);
      length = 0;
      break;
    default:          /* bad arguments */
      {
        guint8 b = in_u8 (in);

        switch ((b & 0x3f) % 6)
          {
          case 0: fd = -2; break;
          case 1: fd = -1000; break;
          case 2: fd = 0x7ffffff0; break;       /* never open: EBADF */
          case 3: fd = file.fd; offset = -1 - (goffset) in_u8 (in); break;
          case 4: fd = file.fd; length = (gsize) G_MAXSSIZE + 1; break;
          default: fd = -1; length = G_MAXSIZE; break;
          }
        if (b & 0x40)
          {
            flags = pick_flags (in);
            prot = pick_prot (in);
            access = pick_access (in);
          }
        if (b & 0x80)
          {
            /* mmap_object_new (): shared, read-write, tracked */
            how = 2;
            flags = MMAP_MAP_SHARED;
            prot = MMAP_PROT_READ | MMAP_PROT_WRITE;
            track_fd = TRUE;
          }
      }
      break;
    }

  /* Populating a private writable file map gives every page a private
   * copy; the model does not follow that. */
  if (fd >= 0 && (flags & MMAP_MAP_SHARED_VALIDATE) == MMAP_MAP_PRIVATE)
    flags &= ~(MMAP_MAP_POPULATE | MMAP_MAP_LOCKED);

  anon = fd == -1 && !by_path;
  if (by_path && access == MMAP_ACCESS_DEFAULT)
    ; /* the file is opened read-write */
  if (by_path)
    ro = (access == MMAP_ACCESS_READ || access == MMAP_ACCESS_COPY);

  /* Work out what must happen. */
  eff_flags = flags;
  eff_prot = prot;
  eff_access = access;
  {
    gboolean bad = FALSE;

    if (fd < -1)
      {
        e.io_errno = EBADF;
        e.may_succeed = FALSE;
        bad = TRUE;
      }
    if ((guint) access > MMAP_ACCESS_COPY
        || ((guint) flags & ~known_flags) != 0
        || ((guint) prot & ~(guint) (MMAP_PROT_READ | MMAP_PROT_WRITE
                                     | MMAP_PROT_EXEC)) != 0)
      {
        exp_err (&e, MMAP_ERROR_INVALID_ARGUMENT);
        bad = TRUE;
      }
    if (offset < 0 || length > (gsize) G_MAXSSIZE)
      {
        exp_err (&e, MMAP_ERROR_OVERFLOW);
        bad = TRUE;
      }
    if (!bad && access != MMAP_ACCESS_DEFAULT
        && (flags != MMAP_MAP_SHARED
            || prot != (MMAP_PROT_READ | MMAP_PROT_WRITE)))
      {
        exp_err (&e, MMAP_ERROR_INVALID_ARGUMENT);
        bad = TRUE;
      }
    if (!bad)
      {
        switch (access)
          {
          case MMAP_ACCESS_READ:
            eff_flags = MMAP_MAP_SHARED;
            eff_prot = MMAP_PROT_READ;
            break;
          case MMAP_ACCESS_WRITE:
            eff_flags = MMAP_MAP_SHARED;
            eff_prot = MMAP_PROT_READ | MMAP_PROT_WRITE;
            break;
          case MMAP_ACCESS_COPY:
            eff_flags = MMAP_MAP_PRIVATE;
            eff_prot = MMAP_PROT_READ | MMAP_PROT_WRITE;
            break;
          default:
            if ((prot & (MMAP_PROT_READ | MMAP_PROT_WRITE))
                == (MMAP_PROT_READ | MMAP_PROT_WRITE))
              eff_access = MMAP_ACCESS_DEFAULT;
            else if (prot & MMAP_PROT_WRITE)
              eff_access = MMAP_ACCESS_WRITE;
            else
              eff_access = MMAP_ACCESS_READ;
            break;
          }
        {
          /* Both is MAP_SHARED_VALIDATE. */
          if ((eff_flags & MMAP_MAP_SHARED_VALIDATE) == 0)
            {
              e.io_errno = EINVAL;
              e.may_succeed = FALSE;
              bad = TRUE;
            }
        }
      }
    if (!bad && fd >= 0 && fd == 0x7ffffff0)
      {
        e.io_errno = EBADF;
        e.may_succeed = FALSE;
        bad = TRUE;
      }
    if (!bad && !anon)
      {
        if (length == 0)
          {
            if ((gsize) offset > file.size)
              {
                exp_err (&e, MMAP_ERROR_FILE_TOO_SMALL);
                bad = TRUE;
              }
            else
              eff_len = file.size - (gsize) offset;
          }
        else if ((gsize) offset > file.size
                 || file.size - (gsize) offset < length)
          {
            exp_err (&e, MMAP_ERROR_FILE_TOO_SMALL);
            bad = TRUE;
          }
        else
          eff_len = length;
        if (!bad && eff_len > 0 && ro && (eff_flags & MMAP_MAP_SHARED)
            && (eff_prot & MMAP_PROT_WRITE))
          {
            e.io_errno = EACCES;
            e.may_succeed = FALSE;
            bad = TRUE;
          }
      }
    else if (!bad)
      eff_len = length;
    if (!bad && (prot & MMAP_PROT_EXEC))
      e.any_io = TRUE;          /* a noexec mount may refuse it */
    if (!bad && (eff_flags & MMAP_MAP_LOCKED))
      e.any_io = TRUE;          /* RLIMIT_MEMLOCK may refuse it */
  }

  g_snprintf (desc, sizeof desc,
              "new[%d] how=%d fd=%d%s len=%" G_GSIZE_FORMAT " flags=0x%x "
              "prot=0x%x access=%d offset=%" G_GOFFSET_FORMAT " track=%d "
              "(file size %" G_GSIZE_FORMAT ")", s, how, fd, ro ? "(ro)" : "",
              length, (guint) flags, (guint) prot, (int) access, offset,
              track_fd, file.size);
  note ("%s", desc);

  switch (how)
    {
    case 0:
      obj = mmap_object_new_anonymous (length, &error);
      break;
    case 2:
    case 5:
      obj = mmap_object_new (fd, length, access, offset, &error);
      break;
    case 4:
      obj = mmap_object_new_for_path (file.path, access, &error);
      break;
    default:
      obj = mmap_object_new_full (fd, length, flags, prot, access, offset,
                                  track_fd, &error);
      break;
    }

  if (!check_outcome (desc, obj != NULL, error, &e))
    {
      g_clear_error (&error);
      return;
    }

  memset (m, 0, sizeof *m);
  m->used = TRUE;
  m->obj = obj;
  m->access = eff_access;
  m->prot = eff_prot;
  m->track_fd = track_fd;
  m->offset = offset;
  m->length = eff_len;
  if (anon)
    {
      m->kind = (eff_flags & MMAP_MAP_SHARED) ? K_ANON_SHARED : K_ANON_PRIVATE;
      m->flags = eff_flags | MMAP_MAP_ANONYMOUS;
      m->has_fd = FALSE;
    }
  else
    {
      m->kind = (eff_flags & MMAP_MAP_SHARED) ? K_FILE_SHARED : K_FILE_PRIVATE;
      m->flags = eff_flags;
      m->map_offset = offset - offset % (goffset) P;
      m->delta = (gsize) (offset - m->map_offset);
      m->has_fd = track_fd;
      m->ro_fd = ro;
    }

  if (mmap_object_get_access (obj) != m->access
      || mmap_object_get_prot (obj) != m->prot
      || mmap_object_get_flags (obj) != m->flags
      || mmap_object_get_offset (obj) != m->offset
      || mmap_object_get_track_fd (obj) != m->track_fd
      || (mmap_object_get_fd (obj) >= 0) != m->has_fd)
    FAIL ("%s: properties access %d prot %d flags 0x%x offset %"
          G_GOFFSET_FORMAT " track_fd %d fd %d; expected %d %d 0x%x %"
          G_GOFFSET_FORMAT " %d %s", desc, mmap_object_get_access (obj),
          mmap_object_get_prot (obj), mmap_object_get_flags (obj),
          mmap_object_get_offset (obj), mmap_object_get_track_fd (obj),
          mmap_object_get_fd (obj), m->access, m->prot, m->flags, m->offset,
          m->track_fd, m->has_fd ? ">= 0" : "-1");
  note ("  -> %s, length %" G_GSIZE_FORMAT, kind_names[m->kind], m->length);
}

/* ------------------------------------------------------------------ */
/* Calls on a map                                                      */

/* The errors every call on an object can give before its own checks. */
static void
exp_open (Expect         *e,
          const MapModel *m)
{
  if (m->closed)
    exp_err (e, MMAP_ERROR_CLOSED);
}

static gboolean
exp_readable (Expect         *e,
              const MapModel *m)
{
  exp_open (e, m);
  if (!m->closed && !readable (m))
    exp_err (e, MMAP_ERROR_NOT_ACCESSIBLE);
  return !e->mmap_codes;
}

static gboolean
exp_writable (Expect         *e,
              const MapModel *m)
{
  exp_open (e, m);
  if (!m->closed && !writable (m))
    exp_err (e, MMAP_ERROR_READ_ONLY);
  return !e->mmap_codes;
}

/* Python's PySlice_AdjustIndices. */
static gsize
adjust_slice (gsize   length,
              gssize *start,
              gssize *stop,
              gssize  step)
{
  gssize len = (gssize) length;

  if (*start < 0)
    {
      *start += len;
      if (*start < 0)
        *start = step < 0 ? -1 : 0;
    }
  else if (*start >= len)
    *start = step < 0 ? len - 1 : len;
  if (*stop < 0)
    {
      *stop += len;
      if (*stop < 0)
        *stop = step < 0 ? -1 : 0;
    }
  else if (*stop >= len)
    *stop = step < 0 ? len - 1 : len;
  if (step < 0)
    {
      if (*stop < *start)
        return (gsize) ((*start - *stop - 1) / (-step) + 1);
    }
  else if (*start < *stop)
    return (gsize) ((*stop - *start - 1) / step + 1);
  return 0;
}

static gsize
clamp_bound (gssize value,
             gsize  length)
{
  if (value < 0)
    {
      value += (gssize) length;
      if (value < 0)
        value = 0;
    }
  return (gsize) value > length ? length : (gsize) value;
}

/* Source data for writes: bytes from the input, or a pattern. */
static void
fill_data (Input  *in,
           guint8 *buf,
           gsize   len)
{
  guint8 seed = in_u8 (in);

  for (gsize i = 0; i < len; i++)
    buf[i] = (i < 8 && !in_done (in)) ? in_u8 (in)
             : (guint8) ("XY\nZ"[(i + seed) % 4] + (seed & 0x30));
}

static void
op_read (Input    *in,
         MapModel *m,
         gboolean  into)
{
  static guint8 buffer[MAX_PAGES * 4096 * 2];
  gssize n = pick_ssize (in, m);
  gsize remaining = (guint64) m->pos < m->length ? m->length - (gsize) m->pos
                                                 : 0;
  gsize count;
  GError *error = NULL;
  GBytes *b;
  Expect e;

  if (into)     /* read_into: n is the size of the buffer */
    n = n < 0 || (gsize) n > sizeof buffer ? (gssize) (sizeof buffer) : n;
  count = n < 0 || (gsize) n > remaining ? remaining : (gsize) n;
  exp_init (&e);
  if (exp_readable (&e, m))
    exp_faults (&e, m, m->pos, 1, count);
  note ("read%s n=%" G_GSSIZE_FORMAT " (pos %" G_GOFFSET_FORMAT ")",
        into ? "_into" : "", n, m->pos);
  if (into)
    {
      gssize r = mmap_object_read_into (m->obj, buffer, (gsize) n, &error);

      if (r < -1 || r > n)
        FAIL ("read_into returned %" G_GSSIZE_FORMAT, r);
      b = r >= 0 ? g_bytes_new (buffer, (gsize) r) : NULL;
    }
  else
    b = mmap_object_read (m->obj, n, &error);
  if (check_outcome ("read", b != NULL, error, &e))
    {
      if (g_bytes_get_size (b) != count)
        FAIL ("read gave %" G_GSIZE_FORMAT " bytes, expected %" G_GSIZE_FORMAT,
              g_bytes_get_size (b), count);
      check_bytes ("read", m, g_bytes_get_data (b, NULL), m->pos, 1, count);
      m->pos += (goffset) count;
      g_bytes_unref (b);
    }
  g_clear_error (&error);
}

static void
op_read_byte (MapModel *m)
{
  GError *error = NULL;
  gint r;
  Expect e;

  exp_init (&e);
  if (exp_readable (&e, m))
    {
      if ((guint64) m->pos >= m->length)
        exp_err (&e, MMAP_ERROR_OUT_OF_RANGE);
      else
        exp_faults (&e, m, m->pos, 1, 1);
    }
  note ("read_byte (pos %" G_GOFFSET_FORMAT ")", m->pos);
  r = mmap_object_read_byte (m->obj, &error);
  if (r < -1 || r > 255)
    FAIL ("read_byte returned %d", r);
  if (check_outcome ("read_byte", r >= 0, error, &e))
    {
      guint8 got = (guint8) r;

      check_bytes ("read_byte", m, &got, m->pos, 1, 1);
      m->pos++;
    }
  g_clear_error (&error);
}

static void
op_readline (Input    *in,
             MapModel *m,
             gboolean  into)
{
  static guint8 buffer[MAX_PAGES * 4096 * 2];
  gsize size = into ? (in_u8 (in) & 1 ? in_u8 (in) % 8 : sizeof buffer) : 0;
  GError *error = NULL;
  gsize remaining = (guint64) m->pos < m->length ? m->length - (gsize) m->pos
                                                 : 0;
  gsize want = remaining;
  gboolean certain = TRUE;
  GBytes *b;
  Expect e;

  exp_init (&e);
  if (exp_readable (&e, m))
    {
      for (gsize i = (gsize) m->pos; i < m->pos + remaining; i++)
        {
          int st = index_state (m, i);

          if (st == V_OK && byte_uncertain (m, i))
            {
              certain = FALSE;
              break;
            }
          if (st != V_OK)
            {
              /* A page before the newline faults (or may). */
              e.io_errno = EIO;
              if (st == V_FAULT)
                e.may_succeed = FALSE;
              certain = FALSE;
              break;
            }
          if (exp_byte (m, i) == '\n')
            {
              want = i - (gsize) m->pos + 1;
              break;
            }
        }
      /* The library may check the rest of the map first (and an uncertain
       * byte may hide the newline): accept EIO when any page after the
       * position faults. */
        {
          gboolean must = FALSE, may = FALSE;

          access_faults (m, m->pos, 1, remaining, &must, &may);
          if (may)
            e.io_errno = EIO;
        }
    }
  if (into)
    want = MIN (want, size);
  note ("readline%s (pos %" G_GOFFSET_FORMAT ")", into ? "_into" : "", m->pos);
  if (into)
    {
      gssize r = mmap_object_readline_into (m->obj, buffer, size, &error);

      if (r < -1 || r > (gssize) size)
        FAIL ("readline_into returned %" G_GSSIZE_FORMAT, r);
      b = r >= 0 ? g_bytes_new (buffer, (gsize) r) : NULL;
    }
  else
    b = mmap_object_readline (m->obj, &error);
  if (check_outcome ("readline", b != NULL, error, &e))
    {
      gsize len;
      const guint8 *d = g_bytes_get_data (b, &len);

      if (into && !certain && len > size)
        FAIL ("readline_into copied %" G_GSIZE_FORMAT " bytes into %"
              G_GSIZE_FORMAT, len, size);
      if (into && len == size)
        ;   /* a line cut at the buffer's end */
      else if (certain && len != want)
        FAIL ("readline gave %" G_GSIZE_FORMAT " bytes, expected %"
              G_GSIZE_FORMAT, len, want);
      if (len > remaining
          || (len < remaining && !(into && len == size)
              && (len == 0 || d[len - 1] != '\n')))
        FAIL ("readline gave %" G_GSIZE_FORMAT " bytes of %" G_GSIZE_FORMAT
              " not ending in a newline", len, remaining);
      check_bytes ("readline", m, d, m->pos, 1, len);
      m->pos += (goffset) len;
      g_bytes_unref (b);
    }
  g_clear_error (&error);
}

/* The model's answer for find/rfind over [start, end), or -3 when unknown
 * bytes make it unpredictable. */
static gssize
model_find (const MapModel *m,
            const guint8   *needle,
            gsize           nlen,
            gsize           start,
            gsize           end,
            gboolean        reverse)
{
  gssize best = -1;

  for (gsize i = start; i + nlen <= end; i++)
    {
      gsize j;

      for (j = 0; j < nlen; j++)
        if (index_state (m, i + j) != V_OK || byte_uncertain (m, i + j))
          return -3;
      for (j = 0; j < nlen && exp_byte (m, i + j) == needle[j]; j++)
        ;
      if (j == nlen)
        {
          best = (gssize) i;
          if (!reverse)
            return best;
        }
    }
  return best;
}

static void
op_find (Input    *in,
         MapModel *m)
{
  guint8 b = in_u8 (in);
  gboolean reverse = b & 1, range = b & 2;
  gssize start_arg = range ? pick_ssize (in, m) : 0;
  gssize end_arg = range ? pick_ssize (in, m) : 0;
  guint8 needle_buf[16];
  const guint8 *needle = needle_buf;
  gsize nlen = in_u8 (in) % 6;
  MapModel *src = NULL;         /* needle taken from a view of this map */
  gboolean uncertain_needle = FALSE;
  gsize src_off = 0;
  GError *error = NULL;
  gssize r, want = -1;
  const char *op = reverse ? "rfind" : "find";
  Expect e;

  switch ((b >> 2) & 3)
    {
    case 0:
    case 1:
      /* Bytes of the map, so that there are hits. */
      if (m->length > 0 && !m->closed)
        {
          gsize at = in_u16 (in) % m->length;

          nlen = MIN (nlen, m->length - at);
          for (gsize i = 0; i < nlen; i++)
            needle_buf[i] = index_state (m, at + i) == V_OK
                            ? exp_byte (m, at + i) : 'a';
          break;
        }
      /* fall through */
    case 2:
      fill_data (in, needle_buf, nlen);
      break;
    default:
      {
        int v = in_u8 (in) % N_VIEWS;

        if (views[v].bytes != NULL)
          {
            src = &maps[views[v].slot];
            nlen = MIN (nlen, views[v].len);
            src_off = views[v].off;
            needle = g_bytes_get_data (views[v].bytes, NULL);
            if (needle == NULL)
              nlen = 0;
            /* Known bytes only: views are not guarded. */
            for (gsize i = 0; i < nlen; i++)
              if (index_state (src, src_off + i) == V_OK)
                needle_buf[i] = exp_byte (src, src_off + i);
            for (gsize i = 0; i < nlen; i++)
              uncertain_needle |= byte_uncertain (src, src_off + i);
          }
        else
          fill_data (in, needle_buf, nlen);
      }
      break;
    }

  exp_init (&e);
  if (exp_readable (&e, m))
    {
      gsize start, end;

      if (!range)
        {
          start_arg = m->pos > G_MAXSSIZE ? G_MAXSSIZE : (gssize) m->pos;
          end_arg = G_MAXSSIZE;
        }
      start = clamp_bound (start_arg, m->length);
      end = clamp_bound (end_arg, m->length);
      if (end < start)
        want = -1;
      else if (nlen == 0)
        want = (gssize) (reverse ? end : start);
      else if (end - start < nlen)
        want = -1;
      else
        {
          gboolean must = FALSE, may = FALSE;

          if (src != NULL)
            {
              access_faults (src, src_off, 1, nlen, &must, &may);
              if (may || uncertain_needle)
                want = -3;
              if (must)
                {
                  e.io_errno = EIO;
                  e.may_succeed = FALSE;
                }
            }
          if (want != -3)
            {
              access_faults (m, start, 1, end - start, &must, &may);
              if (may)
                {
                  /* A match before the fault may be found first. */
                  e.io_errno = EIO;
                  want = -3;
                }
              else
                want = model_find (m, needle_buf, nlen, start, end, reverse);
            }
        }
    }
#if FUZZ_SKIP_EMPTY_FIND_UB
  if (!m->closed && readable (m) && m->length == 0 && nlen > 0)
    {
      note ("(%s in an empty map skipped: FUZZ_SKIP_EMPTY_FIND_UB)", op);
      return;
    }
#endif
  note ("%s%s needle_len=%" G_GSIZE_FORMAT "%s start=%" G_GSSIZE_FORMAT
        " end=%" G_GSSIZE_FORMAT " (pos %" G_GOFFSET_FORMAT ")", op,
        range ? "_range" : "", nlen, src != NULL ? " (from a view)" : "",
        start_arg, end_arg, m->pos);
  if (range)
    r = reverse
        ? mmap_object_rfind_range (m->obj, needle, nlen, start_arg, end_arg,
                                   &error)
        : mmap_object_find_range (m->obj, needle, nlen, start_arg, end_arg,
                                  &error);
  else
    r = reverse ? mmap_object_rfind (m->obj, needle, nlen, &error)
                : mmap_object_find (m->obj, needle, nlen, &error);
  if (r < -2 || r > (gssize) m->length)
    FAIL ("%s returned %" G_GSSIZE_FORMAT, op, r);
  if (check_outcome (op, r != -2, error, &e))
    {
      if (want != -3 && r != want)
        FAIL ("%s returned %" G_GSSIZE_FORMAT ", expected %" G_GSSIZE_FORMAT,
              op, r, want);
    }
  g_clear_error (&error);
}

/* The model's find_all (@which 0, at most @max offsets; count when 1, with
 * no limit) or line_offsets (2) over [start, end) into @out; returns how
 * many. The bytes must be known. */
static gsize
model_bulk (const MapModel *m,
            int             which,
            const guint8   *needle,
            gsize           nlen,
            gsize           start,
            gsize           end,
            gsize           max,
            goffset        *out)
{
  gsize n = 0;

  if (which == 2)
    {
      for (gsize i = start; i < end && n < max; i++)
        if (i == start || exp_byte (m, i - 1) == '\n')
          out[n++] = (goffset) i;
      return n;
    }
  for (gsize i = start; i <= end && n < max;)
    {
      gsize j;

      for (j = 0; j < nlen && i + j < end && exp_byte (m, i + j) == needle[j];
           j++)
        ;
      if (j == nlen && i + nlen <= end)
        {
          out[n++] = (goffset) i;
          i += MAX (nlen, 1);
        }
      else
        i++;
    }
  return n;
}

/* find_all, count and line_offsets, against model_bulk () when every byte
 * of the range is known; EIO is fine when a page of it may fault (the scan
 * may stop before it, with a max_count or a needle that cannot fit). */
static void
op_bulk (Input    *in,
         MapModel *m)
{
  static const char *const names[] = { "find_all", "count", "line_offsets" };
  guint8 b = in_u8 (in);
  int which = (b & 3) % 3;
  gssize start_arg = pick_ssize (in, m);
  gssize end_arg = pick_ssize (in, m);
  gssize max_arg = (gssize) (in_u8 (in) % 8) - 2;
  guint8 needle[8];
  gsize nlen = which == 2 ? 0 : in_u8 (in) % 6;
  const char *op = names[which];
  gboolean certain = FALSE;
  GError *error = NULL;
  goffset *got = NULL;
  gsize n_got = 0;
  gssize r = 0;
  gboolean ok;
  Expect e;

  if ((b & 4) && m->length > 0 && !m->closed)
    {
      /* Bytes of the map, so that there are hits. */
      gsize at = in_u16 (in) % m->length;

      nlen = MIN (nlen, m->length - at);
      for (gsize i = 0; i < nlen; i++)
        needle[i] = index_state (m, at + i) == V_OK
                    ? exp_byte (m, at + i) : 'a';
    }
  else
    fill_data (in, needle, nlen);

  exp_init (&e);
  if (exp_readable (&e, m))
    {
      gsize start = clamp_bound (start_arg, m->length);
      gsize end = clamp_bound (end_arg, m->length);
      gboolean must = FALSE, may = FALSE;

      certain = TRUE;
      if (start < end && (which == 2 || nlen > 0))
        {
          access_faults (m, (gssize) start, 1, end - start, &must, &may);
          if (may)
            {
              e.io_errno = EIO;
              certain = FALSE;
            }
          for (gsize i = start; certain && i < end; i++)
            certain = !byte_uncertain (m, i);
        }
    }

  note ("%s needle_len=%" G_GSIZE_FORMAT " start=%" G_GSSIZE_FORMAT
        " end=%" G_GSSIZE_FORMAT " max_count=%" G_GSSIZE_FORMAT, op, nlen,
        start_arg, end_arg, max_arg);
  switch (which)
    {
    case 0:
      got = mmap_object_find_all (m->obj, needle, nlen, start_arg, end_arg,
                                  max_arg, &n_got, &error);
      ok = got != NULL;
      break;
    case 1:
      r = mmap_object_count (m->obj, needle, nlen, start_arg, end_arg,
                             &error);
      ok = r != -1;
      if (r < -1 || r > (gssize) m->length + 1)
        FAIL ("count returned %" G_GSSIZE_FORMAT, r);
      break;
    default:
      got = mmap_object_line_offsets (m->obj, start_arg, end_arg, max_arg,
                                      &n_got, &error);
      ok = got != NULL;
      break;
    }
  if (!ok && n_got != 0)
    FAIL ("%s failed with %" G_GSIZE_FORMAT " offsets", op, n_got);

  if (check_outcome (op, ok, error, &e) && certain)
    {
      gsize start = clamp_bound (start_arg, m->length);
      gsize end = clamp_bound (end_arg, m->length);
      gsize max = which == 1 || max_arg < 0 ? G_MAXSIZE : (gsize) max_arg;
      goffset *want = g_new (goffset, m->length + 2);
      gsize n_want = model_bulk (m, which, needle, nlen, start, end, max,
                                 want);

      if (which == 1 && (gsize) r != n_want)
        FAIL ("count returned %" G_GSSIZE_FORMAT ", expected %"
              G_GSIZE_FORMAT, r, n_want);
      if (which != 1
          && (n_got != n_want
              || memcmp (got, want, n_want * sizeof (goffset)) != 0))
        FAIL ("%s returned %" G_GSIZE_FORMAT " offsets (first %"
              G_GOFFSET_FORMAT "), expected %" G_GSIZE_FORMAT " (first %"
              G_GOFFSET_FORMAT ")", op, n_got, n_got ? got[0] : -1,
              n_want, n_want ? want[0] : -1);
      g_free (want);
    }
  g_free (got);
  g_clear_error (&error);
}

/* Applies a successful store of count bytes src[] at indices
 * start + i * step. */
static void
apply_store (MapModel     *m,
             const guint8 *src,
             gssize        start,
             gssize        step,
             gsize         count)
{
  for (gsize i = 0; i < count; i++)
    model_store (m, (gsize) (start + (gssize) i * step), src[i]);
}

static void
op_write (Input    *in,
          MapModel *m,
          gboolean  as_bytes)
{
  static guint8 buf[MAX_PAGES * 4096];
  guint8 b = in_u8 (in);
  gsize len;
  GBytes *bytes = NULL;
  MapModel *src = NULL;
  gsize src_off = 0;
  gboolean huge = FALSE;
  GError *error = NULL;
  gssize r;
  Expect e;

  switch (b % 8)
    {
    case 0: len = 0; break;
    case 1: len = 1; break;
    case 2: len = in_u8 (in) % 16; break;
    case 3: len = (gsize) in_u16 (in) % (3 * P); break;
    case 4: len = m->length > (gsize) m->pos ? m->length - (gsize) m->pos : 0;
            break;
    case 5: len = P; break;
    case 6: huge = !as_bytes; len = huge ? (gsize) G_MAXSSIZE + 1 + in_u8 (in)
                                         : 2 * P + 1;
            break;
    default: len = 10; break;
    }
  if (!huge)
    fill_data (in, buf, len);

  if (as_bytes && (b & 0x80))
    {
      /* The source is a view of a map, maybe this one. */
      int v = in_u8 (in) % N_VIEWS;

      MapModel *vm = views[v].bytes != NULL ? &maps[views[v].slot] : NULL;

      /* Another mapping of the same file pages as a shared destination
       * aliases it: the copy's result then depends on memmove ()'s
       * direction.  Use plain bytes there. */
      if (vm != NULL && vm != m && !is_anon (vm) && m->kind == K_FILE_SHARED)
        {
          goffset s_lo = vm->offset + (goffset) views[v].off;
          goffset s_hi = s_lo + (goffset) views[v].len;
          goffset d_lo = (goffset) ROUND_DOWN (m->map_offset + m->delta
                                               + (gsize) m->pos);

          if (s_lo < d_lo + (goffset) (views[v].len + 2 * P)
              && d_lo < s_hi + (goffset) P)
            vm = NULL;
        }
      if (vm != NULL)
        {
          src = vm;
          src_off = views[v].off;
          len = views[v].len;
          bytes = g_bytes_ref (views[v].bytes);
          for (gsize i = 0; i < len; i++)
            buf[i] = index_state (src, src_off + i) == V_OK
                     ? exp_byte (src, src_off + i) : 0;
        }
    }
  if (as_bytes && bytes == NULL)
    bytes = g_bytes_new (buf, len);

  exp_init (&e);
  if (exp_writable (&e, m))
    {
      if (len > (gsize) G_MAXSSIZE || (guint64) m->pos > m->length
          || m->length - (gsize) m->pos < len)
        exp_err (&e, MMAP_ERROR_OUT_OF_RANGE);
      else
        {
          gboolean must = FALSE, may = FALSE;

          access_faults (m, m->pos, 1, len, &must, &may);
          if (src != NULL)
            access_faults (src, src_off, 1, len, &must, &may);
          if (may)
            e.io_errno = EIO;
          if (must)
            e.may_succeed = FALSE;
        }
    }
  note ("%s len=%" G_GSIZE_FORMAT "%s (pos %" G_GOFFSET_FORMAT ")",
        as_bytes ? "write_bytes" : "write", len,
        src != NULL ? " (from a view)" : "", m->pos);
  r = as_bytes ? mmap_object_write_bytes (m->obj, bytes, &error)
               : mmap_object_write (m->obj, buf, len, &error);
  if (r < -1)
    FAIL ("write returned %" G_GSSIZE_FORMAT, r);
  if (check_outcome ("write", r >= 0, error, &e))
    {
      if ((gsize) r != len)
        FAIL ("write returned %" G_GSSIZE_FORMAT ", expected %" G_GSIZE_FORMAT,
              r, len);
      if (src != NULL)
        for (gsize i = 0; i < len; i++)
          if (index_state (src, src_off + i) != V_OK
              || byte_uncertain (src, src_off + i))
            /* An unpredictable source byte: the page is now unknown. */
            m->unknown[PG (m->delta + (gsize) m->pos + i)] = 1;
      if (src == m && src_off == (gsize) m->pos)
        {
          /* A copy onto itself: memmove () may store nothing, so whether
           * private pages got their copies is not known. */
          if (m->kind == K_FILE_PRIVATE)
            for (gsize i = 0; i < len; i++)
              if (!m->cow[PG (m->delta + (gsize) m->pos + i)])
                m->unknown[PG (m->delta + (gsize) m->pos + i)] = 1;
        }
      else
        apply_store (m, buf, m->pos, 1, len);
      m->pos += (goffset) len;
    }
  g_clear_error (&error);
  g_clear_pointer (&bytes, g_bytes_unref);
}

static void
op_write_byte (Input    *in,
               MapModel *m)
{
  guint8 v = in_u8 (in);
  GError *error = NULL;
  gboolean ok;
  Expect e;

  exp_init (&e);
  if (exp_writable (&e, m))
    {
      if ((guint64) m->pos >= m->length)
        exp_err (&e, MMAP_ERROR_OUT_OF_RANGE);
      else
        exp_faults (&e, m, m->pos, 1, 1);
    }
  note ("write_byte 0x%02x (pos %" G_GOFFSET_FORMAT ")", v, m->pos);
  ok = mmap_object_write_byte (m->obj, v, &error);
  if (check_outcome ("write_byte", ok, error, &e))
    {
      model_store (m, (gsize) m->pos, v);
      m->pos++;
    }
  g_clear_error (&error);
}

static void
op_seek (Input    *in,
         MapModel *m)
{
  static const int whences[] = { G_SEEK_SET, G_SEEK_CUR, G_SEEK_END,
                                 G_SEEK_SET, G_SEEK_END, 3, -1, 7 };
  GSeekType whence = (GSeekType) whences[in_u8 (in) % 8];
  gssize pos = pick_ssize (in, m);
  GError *error = NULL;
  goffset r, base = 0;
  Expect e;

  exp_init (&e);
  exp_open (&e, m);
  if (!m->closed)
    {
      switch ((int) whence)
        {
        case G_SEEK_SET: base = 0; break;
        case G_SEEK_CUR: base = m->pos; break;
        case G_SEEK_END: base = (goffset) m->length; break;
        default: exp_err (&e, MMAP_ERROR_INVALID_ARGUMENT); break;
        }
      if (e.may_succeed
          && ((pos > 0 && base > G_MAXINT64 - pos) || base + pos < 0
              || (guint64) (base + pos) > m->length))
        exp_err (&e, MMAP_ERROR_OUT_OF_RANGE);
    }
  note ("seek %" G_GSSIZE_FORMAT " whence=%d", pos, (int) whence);
  r = mmap_object_seek (m->obj, pos, whence, &error);
  if (check_outcome ("seek", r >= 0, error, &e))
    {
      if (r != base + pos)
        FAIL ("seek returned %" G_GOFFSET_FORMAT ", expected %" G_GOFFSET_FORMAT,
              r, base + pos);
      m->pos = r;
    }
  else if (r != -1)
    FAIL ("seek failed but returned %" G_GOFFSET_FORMAT, r);
  g_clear_error (&error);
}

static void
op_size (MapModel *m)
{
  GError *error = NULL;
  goffset r;
  Expect e;

  exp_init (&e);
  exp_open (&e, m);
  if (!m->closed && !m->has_fd)
    exp_err (&e, MMAP_ERROR_NO_TRACKED_FD);
  note ("size");
  r = mmap_object_size (m->obj, &error);
  if (check_outcome ("size", r >= 0, error, &e) && (gsize) r != file.size)
    FAIL ("size returned %" G_GOFFSET_FORMAT ", the file has %" G_GSIZE_FORMAT,
          r, file.size);
  g_clear_error (&error);
}

static void
op_flush (Input    *in,
          MapModel *m)
{
  gboolean whole = in_u8 (in) & 1;
  gssize offset = whole ? 0 : pick_ssize (in, m);
  gssize size = whole ? -1 : pick_ssize (in, m);
  GError *error = NULL;
  gboolean ok;
  Expect e;

  exp_init (&e);
  exp_open (&e, m);
  if (!m->closed)
    {
      gssize sz = size;

      if (sz == -1 && offset >= 0 && (guint64) offset <= m->length)
        sz = (gssize) (m->length - (gsize) offset);
      if (offset < 0 || sz < 0 || (guint64) offset > m->length
          || m->length - (gsize) offset < (gsize) sz)
        exp_err (&e, MMAP_ERROR_OUT_OF_RANGE);
    }
  note ("flush offset=%" G_GSSIZE_FORMAT " size=%" G_GSSIZE_FORMAT, offset,
        size);
  ok = whole ? mmap_object_flush (m->obj, &error)
             : mmap_object_flush_range (m->obj, offset, size, &error);
  check_outcome ("flush", ok, error, &e);
  g_clear_error (&error);
}

static gboolean
advice_destructive (int advice)
{
  switch (advice)
    {
    case MMAP_ADVICE_DONTNEED:
    case MMAP_ADVICE_FREE:
    case MMAP_ADVICE_REMOVE:
    case MMAP_ADVICE_DONTFORK:
    case MMAP_ADVICE_WIPEONFORK:
    case MMAP_ADVICE_DONTNEED_LOCKED:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
op_madvise (Input    *in,
            MapModel *m)
{
  /* Never HWPOISON (100) or SOFT_OFFLINE (101). */
  static const int advices[] = {
    MMAP_ADVICE_NORMAL, MMAP_ADVICE_RANDOM, MMAP_ADVICE_SEQUENTIAL,
    MMAP_ADVICE_WILLNEED, MMAP_ADVICE_DONTNEED, MMAP_ADVICE_FREE,
    MMAP_ADVICE_REMOVE, MMAP_ADVICE_DONTFORK, MMAP_ADVICE_DOFORK,
    MMAP_ADVICE_MERGEABLE, MMAP_ADVICE_UNMERGEABLE, MMAP_ADVICE_HUGEPAGE,
    MMAP_ADVICE_NOHUGEPAGE, MMAP_ADVICE_DONTDUMP, MMAP_ADVICE_DODUMP,
    MMAP_ADVICE_WIPEONFORK, MMAP_ADVICE_KEEPONFORK, MMAP_ADVICE_COLD,
    MMAP_ADVICE_PAGEOUT, MMAP_ADVICE_POPULATE_READ,
    MMAP_ADVICE_POPULATE_WRITE, MMAP_ADVICE_DONTNEED_LOCKED,
    MMAP_ADVICE_COLLAPSE,
    MMAP_ADVICE_DONTNEED, MMAP_ADVICE_REMOVE, MMAP_ADVICE_DONTNEED,
    MMAP_ADVICE_REMOVE, MMAP_ADVICE_FREE,
    /* not in MmapAdvice */
    5, 6, 7, 26, 99, 102, 103, -1, 1000, 0x7fffffff,
  };
  guint8 b = in_u8 (in);
  int advice = advices[b % G_N_ELEMENTS (advices)];
  gboolean whole = (b & 0x80) != 0;
  gssize start = whole ? 0 : pick_ssize (in, m);
  gssize len = whole ? -1 : pick_ssize (in, m);
  gboolean valid = (b % G_N_ELEMENTS (advices)) < 28;
  gboolean range_ok = FALSE;
  GError *error = NULL;
  gboolean ok;
  gsize lo = 0, hi = 0;
  Expect e;

  exp_init (&e);
  exp_open (&e, m);
  if (!valid)
    exp_err (&e, MMAP_ERROR_INVALID_ARGUMENT);
  if (!m->closed)
    {
      if (start < 0 || (guint64) start >= m->length)
        exp_err (&e, MMAP_ERROR_OUT_OF_RANGE);
      else
        {
          gssize l = len == -1 ? (gssize) (m->length - (gsize) start) : len;

          if (l < 0)
            exp_err (&e, MMAP_ERROR_OUT_OF_RANGE);
          else if (G_MAXSSIZE - start < l)
            exp_err (&e, MMAP_ERROR_OVERFLOW);
          else
            {
              range_ok = TRUE;
              lo = (gsize) start;
              hi = (gsize) start + MIN ((gsize) l, m->length - (gsize) start);
            }
        }
    }
  if (e.may_succeed)
    {
      /* The kernel decides: unsupported advice or maps fail cleanly. */
      e.any_io = TRUE;
      e.mmap_codes |= 1u << MMAP_ERROR_NOT_SUPPORTED;
    }
  note ("madvise advice=%d start=%" G_GSSIZE_FORMAT " len=%" G_GSSIZE_FORMAT
        "%s", advice, start, len, whole ? " (whole map)" : "");
  ok = whole ? mmap_object_madvise (m->obj, (MmapAdvice) advice, &error)
             : mmap_object_madvise_range (m->obj, (MmapAdvice) advice, start,
                                          len, &error);
  if (!check_outcome ("madvise", ok, error, &e))
    {
      /* POPULATE_WRITE fails at the first page past the end of the file,
       * after giving the pages before it private copies. */
      if (range_ok && hi > lo && advice == MMAP_ADVICE_POPULATE_WRITE
          && m->kind == K_FILE_PRIVATE && error->domain == G_IO_ERROR)
        for (gsize pg = PG (m->delta + lo);
             pg < PG (ROUND_UP (m->delta + hi)); pg++)
          if (!m->cow[pg] && page_state (m, pg) == V_OK)
            m->unknown[pg] = 1;
      g_clear_error (&error);
      return;
    }
  if (!range_ok)
    return;

  if (advice_destructive (advice))
    {
      gsize mlo = m->delta + lo, mhi = m->delta + hi;
      gsize a = ROUND_UP (mlo), bnd = ROUND_DOWN (mhi);
      gboolean at_end = hi == m->length;
      gsize opt_pg = G_MAXSIZE;   /* a page the library may or may not use */

      if (at_end)
        {
          if (is_anon (m)
              || (m->track_fd && (gsize) m->offset + m->length == file.size))
            bnd = ROUND_UP (mhi);
          else if ((gsize) m->offset + m->length >= file.size
                   && ROUND_UP (mhi) > bnd && bnd >= a)
            /* Without a tracked fd the size is not known; a map that goes
             * past the end of the file leaves no file byte after it in its
             * last page: the library may count that page whole. */
            opt_pg = PG (bnd);
        }
      note ("  -> destructive on memory [%" G_GSIZE_FORMAT ", %"
            G_GSIZE_FORMAT ")", a, bnd);

      for (gsize pg = PG (a); pg < PG (bnd) || pg == opt_pg; pg++)
        {
          gboolean opt = pg == opt_pg;

          switch (advice)
            {
            case MMAP_ADVICE_DONTNEED:
            case MMAP_ADVICE_DONTNEED_LOCKED:
              if (m->kind == K_ANON_PRIVATE)
                {
                  memset (m->priv + pg * P, 0, P);
                  m->unknown[pg] = 0;
                }
              else if (m->kind == K_FILE_PRIVATE)
                {
                  if (opt)
                    m->unknown[pg] |= m->cow[pg];
                  else
                    m->cow[pg] = m->unknown[pg] = 0;
                }
              break;
            case MMAP_ADVICE_FREE:
              if (!is_anon (m) || m->kind == K_ANON_PRIVATE)
                m->unknown[pg] = 1;
              break;
            case MMAP_ADVICE_REMOVE:
              if (m->kind == K_ANON_SHARED)
                memset (m->priv + pg * P, 0, P);
              else if (m->kind == K_FILE_SHARED)
                {
                  guint8 *d = file.data + m->map_offset + pg * P;

                  if (opt)
                    {
                      guint8 got[4096];
                      gsize f = (gsize) m->map_offset + pg * P;
                      gsize n = file.size > f ? MIN (P, file.size - f) : 0;
                      gboolean zero = TRUE, same = TRUE;

                      if (pread (file.fd, got, n, (off_t) f) != (ssize_t) n)
                        FAIL ("pread: %s", g_strerror (errno));
                      for (gsize i = 0; i < n; i++)
                        {
                          zero &= got[i] == 0;
                          same &= got[i] == d[i];
                        }
                      if (!zero && !same)
                        FAIL ("REMOVE on the last page of a map without a "
                              "tracked fd left a mix of old and zeroed bytes");
                      if (!same)
                        memset (d, 0, n);
                      forget_tail_page ();
                    }
                  else
                    memset (d, 0, P);
                }
              else
                m->unknown[pg] = 1;   /* private: the kernel refuses it */
              break;
            default:
              break;
            }
        }
    }
  else if (advice == MMAP_ADVICE_POPULATE_WRITE && m->kind == K_FILE_PRIVATE
           && hi > lo)
    {
      /* Write faults give every page of the range a private copy. */
      for (gsize pg = PG (m->delta + lo); pg < PG (ROUND_UP (m->delta + hi));
           pg++)
        cow_page (m, pg);
    }
  g_clear_error (&error);
}

static void
op_move (Input    *in,
         MapModel *m)
{
  static guint8 tmp[MAX_PAGES * 4096 * 2];
  gssize dest = pick_ssize (in, m);
  gssize src = pick_ssize (in, m);
  gssize count = pick_ssize (in, m);
  GError *error = NULL;
  gboolean ok;
  Expect e;

  exp_init (&e);
  exp_writable (&e, m);
  if (!m->closed && readable (m) == FALSE)
    exp_err (&e, MMAP_ERROR_NOT_ACCESSIBLE);
  if (e.may_succeed)
    {
      if (dest < 0 || src < 0 || count < 0 || (guint64) dest > m->length
          || (guint64) src > m->length
          || m->length - (gsize) dest < (gsize) count
          || m->length - (gsize) src < (gsize) count)
        exp_err (&e, MMAP_ERROR_OUT_OF_RANGE);
      else
        {
          gboolean must = FALSE, may = FALSE;

          access_faults (m, src, 1, (gsize) count, &must, &may);
          access_faults (m, dest, 1, (gsize) count, &must, &may);
          if (may)
            e.io_errno = EIO;
          if (must)
            e.may_succeed = FALSE;
        }
    }
  note ("move dest=%" G_GSSIZE_FORMAT " src=%" G_GSSIZE_FORMAT " count=%"
        G_GSSIZE_FORMAT, dest, src, count);
  ok = mmap_object_move (m->obj, dest, src, count, &error);
  if (check_outcome ("move", ok, error, &e) && dest == src)
    {
      /* memmove () may store nothing: whether private pages got their
       * copies is not known. */
      if (m->kind == K_FILE_PRIVATE)
        for (gssize i = 0; i < count; i++)
          if (!m->cow[PG (m->delta + (gsize) (dest + i))])
            m->unknown[PG (m->delta + (gsize) (dest + i))] = 1;
    }
  else if (ok)
    {
      for (gssize i = 0; i < count; i++)
        {
          tmp[i] = exp_byte (m, (gsize) (src + i));
          if (index_state (m, (gsize) (src + i)) != V_OK
              || byte_uncertain (m, (gsize) (src + i)))
            m->unknown[PG (m->delta + (gsize) (dest + i))] = 1;
        }
      apply_store (m, tmp, dest, 1, (gsize) count);
    }
  g_clear_error (&error);
}

static void
op_resize (Input    *in,
           MapModel *m)
{
  guint8 b = in_u8 (in);
  gsize new_size;
  gsize old = m->length;
  GError *error = NULL;
  gboolean ok;
  Expect e;

  switch (b % 8)
    {
    case 0: new_size = 0; break;
    case 1: new_size = (gsize) G_MAXSSIZE + 1; break;
    case 2: new_size = (gsize) G_MAXSSIZE - (gsize) in_u8 (in); break;
    case 3: new_size = m->length; break;
    default: new_size = pick_size (in); break;
    }

  exp_init (&e);
  exp_open (&e, m);
  if (!m->closed)
    {
      if (m->n_views > 0)
        exp_err (&e, MMAP_ERROR_EXPORTS_EXIST);
      if (!m->track_fd)
        exp_err (&e, MMAP_ERROR_NO_TRACKED_FD);
      if (m->access == MMAP_ACCESS_READ || m->access == MMAP_ACCESS_COPY)
        exp_err (&e, MMAP_ERROR_NOT_RESIZABLE);
      /* The offset of an anonymous map plays no part. */
      if (new_size > (gsize) G_MAXSSIZE
          || (!is_anon (m)
              && (goffset) (G_MAXSSIZE - (gssize) new_size) < m->offset))
        exp_err (&e, MMAP_ERROR_OUT_OF_RANGE);
      if (e.may_succeed && (m->flags & MMAP_MAP_LOCKED) && new_size > old)
        e.any_io = TRUE;        /* RLIMIT_MEMLOCK may refuse it */
      if (e.may_succeed && new_size > ((gsize) 1 << 30))
        {
          /* Too big for memory or the file system: ENOMEM, EFBIG, ... */
          e.any_io = TRUE;
          e.mmap_codes |= 1u << MMAP_ERROR_OUT_OF_RANGE;
        }
      if (e.may_succeed && !is_anon (m) && m->ro_fd)
        {
          /* ftruncate/fallocate through a read-only fd fail. */
          e.any_io = TRUE;
          /* ... unless the file already has the size it must get. */
          if ((gsize) m->offset + new_size != file.size)
            e.may_succeed = FALSE;
        }
    }
#if FUZZ_SKIP_RESIZE_OVERFLOW_UB
  if (!m->closed && !is_anon (m) && new_size <= (gsize) G_MAXSSIZE
      && (goffset) (G_MAXSSIZE - (gssize) new_size) < m->offset)
    {
      note ("(resize %" G_GSIZE_FORMAT " skipped: FUZZ_SKIP_RESIZE_OVERFLOW_UB)",
            new_size);
      return;
    }
#endif
  note ("resize %" G_GSIZE_FORMAT " (length %" G_GSIZE_FORMAT ", offset %"
        G_GOFFSET_FORMAT ", file size %" G_GSIZE_FORMAT ")", new_size, old,
        m->offset, file.size);
  ok = mmap_object_resize (m->obj, new_size, &error);
  if (!check_outcome ("resize", ok, error, &e))
    {
      g_clear_error (&error);
      return;
    }

  /* Success. */
  {
    gsize old_end = m->delta + old, new_end = m->delta + new_size;

    if (!is_anon (m))
      {
        file_set_size ((gsize) m->offset + new_size);
        {
          struct stat st;

          if (fstat (file.fd, &st) != 0
              || (gsize) st.st_size != (gsize) m->offset + new_size)
            FAIL ("after resize to %" G_GSIZE_FORMAT " at offset %"
                  G_GOFFSET_FORMAT " the file has %" G_GINT64_FORMAT
                  " bytes", new_size, m->offset, (gint64) st.st_size);
        }
      }
    if (new_end < old_end)
      {
        /* Pages past the new end are gone; an empty map has none. */
        gsize cut = new_size == 0 ? 0 : ROUND_UP (new_end);

        memset (m->priv + cut, 0, sizeof m->priv - cut);
        for (gsize pg = PG (cut); pg < G_N_ELEMENTS (m->cow); pg++)
          m->cow[pg] = m->unknown[pg] = 0;
        if (m->kind == K_ANON_SHARED && cut > new_end)
          memset (m->priv + new_end, 0, cut - new_end);
      }
    else if (new_end > old_end && m->kind != K_ANON_SHARED
             && m->kind != K_FILE_SHARED)
      {
        /* Bytes past the old end in its last page: kept by mremap, maybe
         * zero (anonymous) or the file's (private file) in a new mapping. */
        gsize tail_end = MIN (new_end, ROUND_UP (old_end));

        if (tail_end > old_end && old > 0)
          {
            gsize pg = PG (old_end);

            if (readable (m) && page_state (m, pg) == V_OK)
              {
                GBytes *got = mmap_object_get_slice (m->obj, (gssize) old,
                                                     (gssize) (tail_end - m->delta),
                                                     1, &error);
                const guint8 *d;

                if (got == NULL)
                  FAIL ("reading the grown tail failed: %s", error->message);
                d = g_bytes_get_data (got, NULL);
                for (gsize i = 0; i < tail_end - old_end; i++)
                  {
                    guint8 kept = exp_byte_mem (m, old_end + i);
                    guint8 other = m->kind == K_FILE_PRIVATE
                                   ? file.data[m->map_offset + old_end + i] : 0;

                    if (d[i] != kept && d[i] != other
                        && !(d[i] == 0 && byte_uncertain (m, old + i)))
                      FAIL ("after resize from %" G_GSIZE_FORMAT " to %"
                            G_GSIZE_FORMAT ": byte %" G_GSIZE_FORMAT
                            " is 0x%02x, expected 0x%02x or 0x%02x", old,
                            new_size, old + i, d[i], kept, other);
                    if (d[i] != kept)
                      m->unknown[pg] = 1;
                  }
                g_bytes_unref (got);
              }
            else
              m->unknown[pg] = 1;
          }
      }
    m->length = new_size;
  }
  g_clear_error (&error);
}

static void
op_get_byte (Input    *in,
             MapModel *m)
{
  gssize index = pick_ssize (in, m);
  gssize i = index;
  GError *error = NULL;
  gint r;
  Expect e;

  exp_init (&e);
  if (exp_readable (&e, m))
    {
      if (i < 0)
        i += (gssize) m->length;
      if (i < 0 || (gsize) i >= m->length)
        exp_err (&e, MMAP_ERROR_INDEX_OUT_OF_RANGE);
      else
        exp_faults (&e, m, i, 1, 1);
    }
  note ("get_byte %" G_GSSIZE_FORMAT, index);
  r = mmap_object_get_byte (m->obj, index, &error);
  if (r < -1 || r > 255)
    FAIL ("get_byte returned %d", r);
  if (check_outcome ("get_byte", r >= 0, error, &e))
    {
      guint8 got = (guint8) r;

      check_bytes ("get_byte", m, &got, i, 1, 1);
    }
  g_clear_error (&error);
}

static void
op_set_byte (Input    *in,
             MapModel *m)
{
  gssize index = pick_ssize (in, m);
  gssize i = index;
  guint8 v = in_u8 (in);
  GError *error = NULL;
  gboolean ok;
  Expect e;

  exp_init (&e);
  if (exp_writable (&e, m))
    {
      if (i < 0)
        i += (gssize) m->length;
      if (i < 0 || (gsize) i >= m->length)
        exp_err (&e, MMAP_ERROR_INDEX_OUT_OF_RANGE);
      else
        exp_faults (&e, m, i, 1, 1);
    }
  note ("set_byte %" G_GSSIZE_FORMAT " = 0x%02x", index, v);
  ok = mmap_object_set_byte (m->obj, index, v, &error);
  if (check_outcome ("set_byte", ok, error, &e))
    model_store (m, (gsize) i, v);
  g_clear_error (&error);
}

static gssize
pick_step (Input *in)
{
  static const gssize steps[] = { 1, 1, 1, 2, 3, -1, -2, 0, 4097, -4096,
                                  G_MAXSSIZE, G_MINSSIZE, 7, -7, 1, 1 };

  return steps[in_u8 (in) % 16];
}

static void
op_slice (Input    *in,
          MapModel *m,
          gboolean  set,
          gboolean  into)
{
  static guint8 buf[MAX_PAGES * 4096 * 2];
  gssize start_arg = pick_ssize (in, m), stop_arg = pick_ssize (in, m);
  gssize step_arg = pick_step (in);
  gssize start = start_arg, stop = stop_arg, step = step_arg;
  gsize count = 0, len = 0;
  GError *error = NULL;
  Expect e;

  exp_init (&e);
  if (set ? exp_writable (&e, m) : exp_readable (&e, m))
    {
      if (step == 0)
        exp_err (&e, MMAP_ERROR_INVALID_ARGUMENT);
      else
        {
          if (step < -G_MAXSSIZE)
            step = -G_MAXSSIZE;
          count = adjust_slice (m->length, &start, &stop, step);
        }
    }
  if (set)
    {
      guint8 b = in_u8 (in);

      len = count;
      if ((b & 7) == 7)
        len = count + 1;
      else if ((b & 7) == 6 && count > 0)
        len = count - 1;
      fill_data (in, buf, len);
      if (e.may_succeed && len != count)
        exp_err (&e, MMAP_ERROR_WRONG_SIZE);
    }
  if (into)
    {
      /* get_slice_into: a buffer too short fails and copies nothing. */
      guint8 b = in_u8 (in);

      len = (b & 3) == 0 && count > 0 ? count - 1 - b % count
            : (b & 3) == 1 ? count + 3 : count;
      if (e.may_succeed && len < count)
        exp_err (&e, MMAP_ERROR_WRONG_SIZE);
    }
  if (e.may_succeed)
    exp_faults (&e, m, start, step, count);

#if FUZZ_SKIP_EMPTY_NEG_SLICE_UB
  if (e.may_succeed && count == 0 && start < 0)
    {
      note ("(%s_slice with start %" G_GSSIZE_FORMAT " skipped: "
            "FUZZ_SKIP_EMPTY_NEG_SLICE_UB)", set ? "set" : "get", start_arg);
      return;
    }
#endif
  note ("%s_slice%s %" G_GSSIZE_FORMAT ":%" G_GSSIZE_FORMAT ":%"
        G_GSSIZE_FORMAT " (%" G_GSIZE_FORMAT " items)", set ? "set" : "get",
        into ? "_into" : "", start_arg, stop_arg, step_arg, count);
  if (into)
    {
      gssize r = mmap_object_get_slice_into (m->obj, start_arg, stop_arg,
                                             step_arg, buf, len, &error);

      if (r < -1)
        FAIL ("get_slice_into returned %" G_GSSIZE_FORMAT, r);
      if (check_outcome ("get_slice_into", r >= 0, error, &e))
        {
          if ((gsize) r != count)
            FAIL ("get_slice_into returned %" G_GSSIZE_FORMAT ", expected %"
                  G_GSIZE_FORMAT, r, count);
          check_bytes ("get_slice_into", m, buf, start, step, count);
        }
    }
  else if (set)
    {
      gboolean ok = mmap_object_set_slice (m->obj, start_arg, stop_arg,
                                           step_arg, buf, len, &error);

      if (check_outcome ("set_slice", ok, error, &e))
        apply_store (m, buf, start, step, count);
    }
  else
    {
      GBytes *b = mmap_object_get_slice (m->obj, start_arg, stop_arg,
                                         step_arg, &error);

      if (check_outcome ("get_slice", b != NULL, error, &e))
        {
          if (g_bytes_get_size (b) != count)
            FAIL ("get_slice gave %" G_GSIZE_FORMAT " bytes, expected %"
                  G_GSIZE_FORMAT, g_bytes_get_size (b), count);
          check_bytes ("get_slice", m, g_bytes_get_data (b, NULL), start,
                       step, count);
          g_bytes_unref (b);
        }
    }
  g_clear_error (&error);
}

static void
op_view (Input *in,
         int    s)
{
  MapModel *m = &maps[s];
  guint8 b = in_u8 (in);
  gsize offset;
  gssize length;
  int v;
  GError *error = NULL;
  GBytes *bytes;
  Expect e;

  switch (b % 4)
    {
    case 0: offset = 0; break;
    case 1: offset = (gsize) in_u16 (in) % (m->length + 2); break;
    case 2: offset = m->length; break;
    default: offset = (gsize) pick_ssize (in, m); break;
    }
  switch ((b >> 2) % 4)
    {
    case 0: length = -1; break;
    case 1: length = (gssize) (in_u16 (in) % (m->length + 2)); break;
    case 2: length = -2 - (gssize) in_u8 (in) % 4; break;
    default: length = pick_ssize (in, m); break;
    }
  /* A free view slot: drop the oldest one if needed. */
  for (v = 0; v < N_VIEWS && views[v].bytes != NULL; v++)
    ;
  if (v == N_VIEWS)
    {
      v = (b >> 4) % N_VIEWS;
      note ("drop_view %d", v);
      drop_view (v);
    }

  exp_init (&e);
  if (exp_readable (&e, m))
    {
      gssize l = length;

      if (offset <= m->length && l == -1)
        l = (gssize) (m->length - offset);
      if (offset > m->length || l < 0 || m->length - offset < (gsize) l)
        exp_err (&e, MMAP_ERROR_OUT_OF_RANGE);
      else
        length = l;
    }
  note ("view[%d] offset=%" G_GSIZE_FORMAT " length=%" G_GSSIZE_FORMAT, v,
        offset, length);
  bytes = mmap_object_view (m->obj, offset, length, &error);
  if (check_outcome ("view", bytes != NULL, error, &e))
    {
      views[v].bytes = bytes;
      views[v].slot = s;
      views[v].off = offset;
      views[v].len = (gsize) length;
      m->n_views++;
    }
  g_clear_error (&error);
}

static void
op_close (MapModel *m)
{
  GError *error = NULL;

  note ("close");
  if (!mmap_object_close (m->obj, &error) || error != NULL)
    FAIL ("close failed: %s", error != NULL ? error->message : "no error set");
  m->closed = TRUE;
  m->has_fd = FALSE;
}

static void
op_getters (MapModel *m)
{
  char *str = mmap_object_to_string (m->obj);

  if (str == NULL)
    FAIL ("to_string returned NULL");
  g_free (str);
  if (!mmap_object_seekable (m->obj))
    FAIL ("seekable returned FALSE");
  if ((mmap_object_get_fd (m->obj) >= 0) != (m->has_fd && !m->closed))
    FAIL ("get_fd returned %d", mmap_object_get_fd (m->obj));
  if (mmap_object_get_access (m->obj) != m->access
      || mmap_object_get_prot (m->obj) != m->prot
      || mmap_object_get_offset (m->obj) != m->offset)
    FAIL ("a property changed");
}

/* ------------------------------------------------------------------ */
/* Changes from outside                                                */

static void
op_ext_truncate (Input *in)
{
  guint8 b = in_u8 (in);
  gsize size = (b & 3) == 0 ? file.size + (gsize) in_u16 (in) % (2 * P)
               : pick_size (in);

  size = MIN (size, 9 * P);
  note ("EXTERNAL ftruncate %" G_GSIZE_FORMAT " (was %" G_GSIZE_FORMAT ")",
        size, file.size);
  if (ftruncate (file.fd, (off_t) size) != 0)
    FAIL ("ftruncate: %s", g_strerror (errno));
  file_set_size (size);
}

static void
op_ext_pwrite (Input *in)
{
  guint8 buf[64];
  gsize at, len = in_u8 (in) % 64;

  if (file.size == 0)
    return;
  at = in_u16 (in) % file.size;
  len = MIN (len, file.size - at);
  fill_data (in, buf, len);
  note ("EXTERNAL pwrite %" G_GSIZE_FORMAT " bytes at %" G_GSIZE_FORMAT,
        len, at);
  if (pwrite (file.fd, buf, len, (off_t) at) != (ssize_t) len)
    FAIL ("pwrite: %s", g_strerror (errno));
  memcpy (file.data + at, buf, len);
}

/* ------------------------------------------------------------------ */
/* Driver                                                              */

static int
count_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  struct dirent *ent;
  int n = 0;

  if (dir == NULL)
    return -1;
  while ((ent = readdir (dir)) != NULL)
    n += ent->d_name[0] != '.';
  closedir (dir);
  return n;
}

/* Mappings of the harness's files or of the library's memfds that are
 * still in the address space. */
static int
count_mappings (void)
{
  FILE *maps_file = fopen ("/proc/self/maps", "re");
  char line[4096];
  int n = 0;

  if (maps_file == NULL)
    return -1;
  while (fgets (line, sizeof line, maps_file) != NULL)
    n += strstr (line, "mmapobj-fuzz-") != NULL
         || strstr (line, "memfd:mmapobj") != NULL;
  fclose (maps_file);
  return n;
}

static void
cleanup_tmp_dir (void)
{
  if (tmp_dir != NULL)
    {
      char *path = g_build_filename (tmp_dir, "file", NULL);

      unlink (path);
      g_free (path);
      rmdir (tmp_dir);
      g_clear_pointer (&tmp_dir, g_free);
    }
}

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  GError *error = NULL;

  /* A GLib warning or critical from the library is a bug: bad input must
   * give a GError. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  P = mmap_get_page_size ();
  if (P > 4096)
    {
      fprintf (stderr, "mmapobj fuzz: pages of %zu bytes are not supported\n",
               (size_t) P);
      exit (1);
    }
  tmp_dir = g_dir_make_tmp ("mmapobj-fuzz-XXXXXX", &error);
  if (tmp_dir == NULL)
    {
      fprintf (stderr, "mmapobj fuzz: %s\n", error->message);
      exit (1);
    }
  atexit (cleanup_tmp_dir);
  trace_live = g_getenv ("MMAPOBJ_FUZZ_TRACE") != NULL;
  trace = g_string_new (NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  Input in = { data, size, 0 };
  int fds_before = count_fds ();
  guint8 seed;
  gsize init_size;
  int n_ops = 0;

  g_string_truncate (trace, 0);
  memset (&file, 0, sizeof file);
  memset (maps, 0, sizeof maps);
  memset (views, 0, sizeof views);

  /* The file: a few pages of bytes from a small alphabet (so that find and
   * readline meet hits). */
  init_size = pick_size (&in);
  seed = in_u8 (&in);
  file.path = g_build_filename (tmp_dir, "file", NULL);
  file.fd = open (file.path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (file.fd < 0)
    FAIL ("open %s: %s", file.path, g_strerror (errno));
  {
    guint32 x = 0x9e3779b9u * (seed + 1u);

    for (gsize i = 0; i < init_size; i++)
      {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        file.data[i] = (guint8) "ab\ncab\0x"[x % 8];
      }
  }
  if (pwrite (file.fd, file.data, init_size, 0) != (ssize_t) init_size)
    FAIL ("pwrite: %s", g_strerror (errno));
  file.size = init_size;
  file.ro_fd = open (file.path, O_RDONLY | O_CLOEXEC);
  if (file.ro_fd < 0)
    FAIL ("open: %s", g_strerror (errno));
  note ("file of %" G_GSIZE_FORMAT " bytes (seed %u)", init_size, seed);

  while (!in_done (&in) && n_ops++ < MAX_OPS)
    {
      guint8 op = in_u8 (&in);
      int s = (op >> 5) % N_SLOTS;
      MapModel *m = &maps[s];
      gboolean contents = TRUE;

      cur_slot = s;
      op &= 0x1f;
      if (op == 0 || (m->obj == NULL && op < 24))
        {
          op_new (&in, s);
          verify_all (TRUE);
          continue;
        }
      switch (op)
        {
        case 1: op_read (&in, m, FALSE); contents = FALSE; break;
        case 2: op_read_byte (m); contents = FALSE; break;
        case 3: op_readline (&in, m, FALSE); contents = FALSE; break;
        case 4: op_write (&in, m, FALSE); break;
        case 5: op_write (&in, m, TRUE); break;
        case 6: op_write_byte (&in, m); break;
        case 7: op_seek (&in, m); contents = FALSE; break;
        case 8: op_size (m); contents = FALSE; break;
        case 9: op_find (&in, m); contents = FALSE; break;
        case 10: op_flush (&in, m); break;
        case 11: op_madvise (&in, m); break;
        case 12: op_slice (&in, m, FALSE, TRUE); contents = FALSE; break;
        case 13: op_move (&in, m); break;
        case 14: op_resize (&in, m); break;
        case 15: op_bulk (&in, m); contents = FALSE; break;
        case 16: op_get_byte (&in, m); contents = FALSE; break;
        case 17: op_set_byte (&in, m); break;
        case 18: op_slice (&in, m, FALSE, FALSE); contents = FALSE; break;
        case 19: op_slice (&in, m, TRUE, FALSE); break;
        case 20: op_view (&in, s); break;
        case 21: op_close (m); break;
        case 22:
          note ("unref[%d]", s);
          unref_object (m);
          break;
        case 23: op_getters (m); contents = FALSE; break;
        case 24: case 25: case 26:
          op_ext_truncate (&in);
          break;
        case 27: case 28:
          op_ext_pwrite (&in);
          break;
        case 29:
          {
            int v = in_u8 (&in) % N_VIEWS;

            note ("drop_view %d", v);
            drop_view (v);
          }
          break;
        case 30:
          if (m->obj != NULL)
            {
              op_read (&in, m, TRUE);
              contents = FALSE;
            }
          break;
        default:
          if (m->obj != NULL)
            {
              op_readline (&in, m, TRUE);
              contents = FALSE;
            }
          break;
        }
      verify_all (contents);
    }

  /* Clean up: views, objects, the file. */
  for (int v = 0; v < N_VIEWS; v++)
    drop_view (v);
  for (int s = 0; s < N_SLOTS; s++)
    clear_slot (s);
  close (file.fd);
  close (file.ro_fd);
  unlink (file.path);
  g_clear_pointer (&file.path, g_free);

  if (count_mappings () != 0)
    FAIL ("%d mappings of the input's file or memfds are left after every "
          "object and view was released", count_mappings ());
  if (count_fds () != fds_before)
    FAIL ("file descriptors leaked: %d open before the input, %d after",
          fds_before, count_fds ());
  if (baseline_fds < 0)
    baseline_fds = fds_before;
  return 0;
}
