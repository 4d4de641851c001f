/* mmap-helper.c: _mmap_helper, the compiled half of the Mmap override
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * gi/overrides/Mmap.py makes Mmap.Object a drop-in for mmap.mmap in
 * Python. Through GObject-Introspection every call pays for argument
 * marshalling and every byte result is copied twice (into a GBytes, then
 * into a bytes object), which makes byte-sized work 10 to 25 times slower
 * than CPython's own mmap. This module, installed beside Mmap.py as
 * gst-python installs _gi_gst beside Gst.py, reaches the MmapObject behind
 * a PyGObject wrapper with pygobject_get() and calls the library directly:
 *
 * - setup() puts method descriptors for the hot methods (read, readline,
 *   find, write, seek, …) into the override class, and fills its
 *   len/getitem/setitem slots, so that `m.read(4096)` or `m[i]` is one C
 *   call. Each fast path accepts the common argument types only; anything
 *   else goes to the Python method it replaced, which keeps CPython's
 *   argument errors in one place.
 * - Byte results are copied once, by the library, straight into the bytes
 *   object (`PyBytes_FromStringAndSize (NULL, n)` and a `*_into` call).
 *   readline() is the exception: a line's length is unknown until the
 *   library has copied it, so lines up to LINE_BUFFER go through a stack
 *   buffer (a second copy of at most 4 KiB, cheaper than a second call).
 * - Calls that may take long (big reads and writes, a find over a large
 *   range, flush, resize, close) release the GIL. Short calls keep it:
 *   releasing it costs more than they do. When one of them must wait for
 *   another thread (a long write running, or readers to finish before a
 *   change), the library calls the wait functions set here with
 *   mmap_set_wait_funcs(), which give the GIL up for the wait: no thread
 *   waits for the object with the GIL held.
 * - Every Mmap.Object gets the buffer protocol (memoryview (m), re,
 *   struct, hashlib, …), which Python 3.11 cannot give a Python class.
 *   Each export holds a view from mmap_object_view(), so the library counts
 *   it: resize() refuses while one lives, and the mapping outlives close().
 *
 * Errors: a GError becomes the exception that Mmap.py's error factory
 * builds from its domain, code, message and errno, so the class mapping is
 * stated once, in Python.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pygobject.h>

#include <string.h>

#include <mmapobj/mmapobj.h>

/* Work on at least this many bytes runs without the GIL. Below it,
 * releasing and taking the GIL back costs more than the call. */
#define BIG_WORK (64 * 1024)

/* readline() copies lines up to this long through the stack: the library
 * has no call that gives a line's length before copying it. */
#define LINE_BUFFER 4096

/* The Python callable that turns (domain, code, message, errno) into an
 * exception instance, and the methods the fast paths fall back to. */
static PyObject *error_factory;

typedef enum {
  SLOW_READ,
  SLOW_READ_BYTE,
  SLOW_READLINE,
  SLOW_WRITE,
  SLOW_WRITE_BYTE,
  SLOW_FIND,
  SLOW_RFIND,
  SLOW_SEEK,
  SLOW_TELL,
  SLOW_FLUSH,
  SLOW_RESIZE,
  SLOW_CLOSE,
  SLOW_GETITEM,
  SLOW_SETITEM,
  SLOW_DELITEM,
  SLOW_LEN,
  N_SLOW
} SlowPath;

static PyObject *slow_paths[N_SLOW];

/* ------------------------------------------------------------------ */
/* Helpers                                                            */

static GType map_type;

static MmapObject *
no_map (PyObject *self)
{
  PyErr_Format (PyExc_TypeError,
                "'%.200s' object holds no MmapObject (was __init__ run?)",
                Py_TYPE (self)->tp_name);
  return NULL;
}

/* The MmapObject behind @self, an instance of the override class (the
 * method descriptors and slots guarantee that), or NULL with TypeError
 * set. The class is final, so comparing the GType is the whole check. */
static inline MmapObject *
get_map (PyObject *self)
{
  GObject *object = pygobject_get (self);

  if (G_LIKELY (object != NULL && G_TYPE_FROM_INSTANCE (object) == map_type))
    return (MmapObject *) object;
  return no_map (self);
}

/* The same for any object, e.g. an argument of a module function. */
static MmapObject *
get_map_checked (PyObject *object)
{
  if (!PyObject_TypeCheck (object, &PyGObject_Type))
    {
      PyErr_Format (PyExc_TypeError, "expected an Mmap.Object, not '%.200s'",
                    Py_TYPE (object)->tp_name);
      return NULL;
    }
  return get_map (object);
}

/* Raises the exception for @error (consumed); returns NULL. */
static PyObject *
raise_error (GError *error)
{
  PyObject *message;
  PyObject *exception;

  message = PyUnicode_DecodeUTF8 (error->message, strlen (error->message),
                                  "replace");
  if (message == NULL)
    {
      g_error_free (error);
      return NULL;
    }
  exception = PyObject_CallFunction (error_factory, "siOi",
                                     g_quark_to_string (error->domain),
                                     error->code, message,
                                     mmap_error_get_errno (error));
  Py_DECREF (message);
  g_error_free (error);
  if (exception == NULL)
    return NULL;
  PyErr_SetObject ((PyObject *) Py_TYPE (exception), exception);
  Py_DECREF (exception);
  return NULL;
}

/* Calls the Python method that @which replaced, with the same arguments. */
static PyObject *
slow_path (SlowPath          which,
           PyObject         *self,
           PyObject *const  *args,
           Py_ssize_t        nargs)
{
  PyObject *small[8];
  g_autofree PyObject **large = NULL;
  PyObject **stack = small;
  Py_ssize_t i;

  if (nargs + 1 > (Py_ssize_t) G_N_ELEMENTS (small))
    stack = large = g_new (PyObject *, nargs + 1);
  stack[0] = self;
  for (i = 0; i < nargs; i++)
    stack[i + 1] = args[i];
  return PyObject_Vectorcall (slow_paths[which], stack, (size_t) nargs + 1,
                              NULL);
}

/* An exact int that fits a Py_ssize_t, or FALSE (no exception set). */
static gboolean
exact_ssize (PyObject   *object,
             Py_ssize_t *value)
{
  if (!PyLong_CheckExact (object))
    return FALSE;
  *value = PyLong_AsSsize_t (object);
  if (*value == -1 && PyErr_Occurred ())
    {
      PyErr_Clear ();
      return FALSE;
    }
  return TRUE;
}

/* Shrinks a fresh bytes object to the @n bytes a call produced. */
static PyObject *
finish_bytes (PyObject   *result,
              Py_ssize_t  n)
{
  if (n != PyBytes_GET_SIZE (result) && _PyBytes_Resize (&result, n) < 0)
    return NULL;
  return result;
}

/* ------------------------------------------------------------------ */
/* Methods                                                            */

static PyObject *
helper_read (PyObject         *self,
             PyObject *const  *args,
             Py_ssize_t        nargs)
{
  MmapObject *map;
  GError *error = NULL;
  Py_ssize_t n = -1;
  gsize length;
  gsize count;
  gssize got;
  PyObject *result;

  if (nargs > 1 || (nargs == 1 && args[0] != Py_None
                    && !exact_ssize (args[0], &n)))
    return slow_path (SLOW_READ, self, args, nargs);
  if ((map = get_map (self)) == NULL)
    return NULL;

  /* What the read can return at most: the rest of the map from the
   * position, or n if that is less. A racing call can only make the
   * result shorter. */
  length = mmap_object_get_length (map);
  if (n >= 0 && (gsize) n < length)
    count = (gsize) n;
  else
    {
      goffset pos = mmap_object_tell (map, &error);

      if (pos < 0)
        return raise_error (error);
      count = (guint64) pos < length ? length - (gsize) pos : 0;
      if (n >= 0)
        count = MIN (count, (gsize) n);
    }

  result = PyBytes_FromStringAndSize (NULL, (Py_ssize_t) count);
  if (result == NULL)
    return NULL;
  if (count >= BIG_WORK)
    {
      Py_BEGIN_ALLOW_THREADS
      got = mmap_object_read_into (map, (guint8 *) PyBytes_AS_STRING (result),
                                   count, &error);
      Py_END_ALLOW_THREADS
    }
  else
    got = mmap_object_read_into (map, (guint8 *) PyBytes_AS_STRING (result),
                                 count, &error);
  if (got < 0)
    {
      Py_DECREF (result);
      return raise_error (error);
    }
  return finish_bytes (result, got);
}

static PyObject *
helper_read_byte (PyObject *self,
                  PyObject *unused)
{
  MmapObject *map;
  GError *error = NULL;
  gint byte;

  if ((map = get_map (self)) == NULL)
    return NULL;
  byte = mmap_object_read_byte (map, &error);
  if (byte < 0)
    return raise_error (error);
  return PyLong_FromLong (byte);
}

static PyObject *
helper_readline (PyObject *self,
                 PyObject *unused)
{
  MmapObject *map;
  GError *error = NULL;
  guint8 line[LINE_BUFFER];
  gssize n;
  GBytes *rest;
  gsize rest_size;
  const guint8 *rest_data;
  PyObject *result;

  if ((map = get_map (self)) == NULL)
    return NULL;
  n = mmap_object_readline_into (map, line, sizeof line, &error);
  if (n < 0)
    return raise_error (error);
  if ((gsize) n < sizeof line || line[n - 1] == '\n')
    return PyBytes_FromStringAndSize ((const char *) line, n);

  /* A line longer than the buffer: the rest of it in one more call. */
  Py_BEGIN_ALLOW_THREADS
  rest = mmap_object_readline (map, &error);
  Py_END_ALLOW_THREADS
  if (rest == NULL)
    return raise_error (error);
  rest_data = g_bytes_get_data (rest, &rest_size);
  result = PyBytes_FromStringAndSize (NULL, n + (Py_ssize_t) rest_size);
  if (result != NULL)
    {
      memcpy (PyBytes_AS_STRING (result), line, (gsize) n);
      if (rest_size > 0)
        memcpy (PyBytes_AS_STRING (result) + n, rest_data, rest_size);
    }
  g_bytes_unref (rest);
  return result;
}

static PyObject *
helper_write (PyObject *self,
              PyObject *data)
{
  MmapObject *map;
  GError *error = NULL;
  Py_buffer buffer;
  gssize n;

  /* bytes cannot change; a bytearray is held by its export while the GIL
   * is released. Other bytes-like objects (a view of this very map, say)
   * go through the Python method, which copies them first. */
  if (!PyBytes_CheckExact (data) && !PyByteArray_CheckExact (data))
    return slow_path (SLOW_WRITE, self, &data, 1);
  if ((map = get_map (self)) == NULL)
    return NULL;
  if (PyObject_GetBuffer (data, &buffer, PyBUF_SIMPLE) < 0)
    return NULL;

  if (buffer.len >= BIG_WORK)
    {
      Py_BEGIN_ALLOW_THREADS
      n = mmap_object_write (map, buffer.buf, (gsize) buffer.len, &error);
      Py_END_ALLOW_THREADS
    }
  else
    n = mmap_object_write (map, buffer.buf, (gsize) buffer.len, &error);
  PyBuffer_Release (&buffer);
  if (n < 0)
    return raise_error (error);
  return PyLong_FromSsize_t (n);
}

static PyObject *
helper_write_byte (PyObject *self,
                   PyObject *byte)
{
  MmapObject *map;
  GError *error = NULL;
  long value;

  if (!PyLong_CheckExact (byte))
    return slow_path (SLOW_WRITE_BYTE, self, &byte, 1);
  value = PyLong_AsLong (byte);
  if (value < 0 || value > 255)
    {
      PyErr_Clear ();
      return slow_path (SLOW_WRITE_BYTE, self, &byte, 1);
    }
  if ((map = get_map (self)) == NULL)
    return NULL;
  if (!mmap_object_write_byte (map, (guint8) value, &error))
    return raise_error (error);
  Py_RETURN_NONE;
}

/* Python's slice bound normalisation, to size the searched window. */
static gsize
window_size (gsize      length,
             Py_ssize_t start,
             Py_ssize_t end)
{
  Py_ssize_t n = (Py_ssize_t) MIN (length, (gsize) PY_SSIZE_T_MAX);

  if (start < 0)
    start = MAX (start + n, 0);
  if (end < 0)
    end = MAX (end + n, 0);
  start = MIN (start, n);
  end = MIN (end, n);
  return end > start ? (gsize) (end - start) : 0;
}

/* find, rfind, from the position or in [start, end). */
static gssize
find_in_map (MmapObject    *map,
             gboolean       reverse,
             gboolean       from_pos,
             const guint8  *needle,
             gsize          needle_len,
             gssize         start,
             gssize         end,
             GError       **error)
{
  if (from_pos)
    return reverse ? mmap_object_rfind (map, needle, needle_len, error)
                   : mmap_object_find (map, needle, needle_len, error);
  return reverse ? mmap_object_rfind_range (map, needle, needle_len, start,
                                            end, error)
                 : mmap_object_find_range (map, needle, needle_len, start,
                                           end, error);
}

static PyObject *
find_common (PyObject         *self,
             PyObject *const  *args,
             Py_ssize_t        nargs,
             gboolean          reverse)
{
  MmapObject *map;
  GError *error = NULL;
  Py_ssize_t start = 0;
  Py_ssize_t end = PY_SSIZE_T_MAX;
  const guint8 *needle;
  gsize needle_len;
  gsize window;
  gssize found;

  if (nargs < 1 || nargs > 3 || !PyBytes_CheckExact (args[0])
      || (nargs > 1 && !exact_ssize (args[1], &start))
      || (nargs > 2 && !exact_ssize (args[2], &end)))
    return slow_path (reverse ? SLOW_RFIND : SLOW_FIND, self, args, nargs);
  if ((map = get_map (self)) == NULL)
    return NULL;

  needle = (const guint8 *) PyBytes_AS_STRING (args[0]);
  needle_len = (gsize) PyBytes_GET_SIZE (args[0]);
  /* From the position, the window is at most the whole map. */
  window = nargs == 1 ? mmap_object_get_length (map)
                      : window_size (mmap_object_get_length (map), start, end);

  if (window >= BIG_WORK)
    {
      Py_BEGIN_ALLOW_THREADS
      found = find_in_map (map, reverse, nargs == 1, needle, needle_len,
                           start, end, &error);
      Py_END_ALLOW_THREADS
    }
  else
    found = find_in_map (map, reverse, nargs == 1, needle, needle_len, start,
                         end, &error);

  if (found < 0 && error != NULL)
    return raise_error (error);
  return PyLong_FromSsize_t (found);
}

static PyObject *
helper_find (PyObject         *self,
             PyObject *const  *args,
             Py_ssize_t        nargs)
{
  return find_common (self, args, nargs, FALSE);
}

static PyObject *
helper_rfind (PyObject         *self,
              PyObject *const  *args,
              Py_ssize_t        nargs)
{
  return find_common (self, args, nargs, TRUE);
}

static PyObject *
helper_seek (PyObject         *self,
             PyObject *const  *args,
             Py_ssize_t        nargs)
{
  static const GSeekType whences[] = { G_SEEK_SET, G_SEEK_CUR, G_SEEK_END };
  MmapObject *map;
  GError *error = NULL;
  Py_ssize_t pos;
  Py_ssize_t whence = 0;
  goffset result;

  if (nargs < 1 || nargs > 2 || !exact_ssize (args[0], &pos)
      || (nargs > 1 && (!exact_ssize (args[1], &whence)
                        || whence < 0 || whence > 2)))
    return slow_path (SLOW_SEEK, self, args, nargs);
  if ((map = get_map (self)) == NULL)
    return NULL;
  result = mmap_object_seek (map, pos, whences[whence], &error);
  if (result < 0)
    return raise_error (error);
  return PyLong_FromLongLong (result);
}

static PyObject *
helper_tell (PyObject *self,
             PyObject *unused)
{
  MmapObject *map;
  GError *error = NULL;
  goffset pos;

  if ((map = get_map (self)) == NULL)
    return NULL;
  pos = mmap_object_tell (map, &error);
  if (pos < 0)
    return raise_error (error);
  return PyLong_FromLongLong (pos);
}

static PyObject *
helper_flush (PyObject         *self,
              PyObject *const  *args,
              Py_ssize_t        nargs)
{
  MmapObject *map;
  GError *error = NULL;
  Py_ssize_t offset = 0;
  Py_ssize_t size = -1;
  gboolean ok;

  /* Negative sizes and the rest of Python's checks: the Python method. */
  if (nargs > 2 || (nargs > 0 && !exact_ssize (args[0], &offset))
      || (nargs > 1 && (!exact_ssize (args[1], &size) || size < 0)))
    return slow_path (SLOW_FLUSH, self, args, nargs);
  if ((map = get_map (self)) == NULL)
    return NULL;

  Py_BEGIN_ALLOW_THREADS
  if (nargs == 0)
    ok = mmap_object_flush (map, &error);
  else
    {
      /* Python's default size is the whole length, even with an offset. */
      if (nargs == 1)
        size = (Py_ssize_t) mmap_object_get_length (map);
      ok = mmap_object_flush_range (map, offset, size, &error);
    }
  Py_END_ALLOW_THREADS
  if (!ok)
    return raise_error (error);
  Py_RETURN_NONE;
}

static PyObject *
helper_resize (PyObject *self,
               PyObject *newsize)
{
  MmapObject *map;
  GError *error = NULL;
  Py_ssize_t size;
  gboolean ok;

  if (!exact_ssize (newsize, &size) || size < 0)
    return slow_path (SLOW_RESIZE, self, &newsize, 1);
  if ((map = get_map (self)) == NULL)
    return NULL;
  Py_BEGIN_ALLOW_THREADS
  ok = mmap_object_resize (map, (gsize) size, &error);
  Py_END_ALLOW_THREADS
  if (!ok)
    return raise_error (error);
  Py_RETURN_NONE;
}

static PyObject *
helper_close (PyObject *self,
              PyObject *unused)
{
  MmapObject *map;
  GError *error = NULL;
  gboolean ok;

  if ((map = get_map (self)) == NULL)
    return NULL;
  Py_BEGIN_ALLOW_THREADS
  ok = mmap_object_close (map, &error);
  Py_END_ALLOW_THREADS
  if (!ok)
    return raise_error (error);
  Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* Slots: len (m), m[key], m[key] = value                             */

static Py_ssize_t
helper_length (PyObject *self)
{
  MmapObject *map;
  gsize length;
  PyObject *result;

  if ((map = get_map (self)) == NULL)
    return -1;
  length = mmap_object_get_length (map);
  if (length > 0)
    return (Py_ssize_t) length;

  /* Empty, closed or not initialised: the Python method tells which. */
  result = slow_path (SLOW_LEN, self, NULL, 0);
  if (result == NULL)
    return -1;
  length = PyLong_AsSsize_t (result);
  Py_DECREF (result);
  return (Py_ssize_t) length;
}

static PyObject *
helper_subscript (PyObject *self,
                  PyObject *key)
{
  MmapObject *map;
  GError *error = NULL;
  Py_ssize_t index;

  if (exact_ssize (key, &index))
    {
      gint byte;

      if ((map = get_map (self)) == NULL)
        return NULL;
      byte = mmap_object_get_byte (map, index, &error);
      if (byte < 0)
        return raise_error (error);
      return PyLong_FromLong (byte);
    }

  if (PySlice_Check (key))
    {
      Py_ssize_t start, stop, step;
      Py_ssize_t first, last;
      Py_ssize_t count;
      gssize got;
      PyObject *result;
      guint8 *out;

      if (PySlice_Unpack (key, &start, &stop, &step) < 0)
        {
          /* Bad bound types and a zero step: the Python method's errors. */
          PyErr_Clear ();
          return slow_path (SLOW_GETITEM, self, &key, 1);
        }
      if ((map = get_map (self)) == NULL)
        return NULL;
      first = start;
      last = stop;
      count = PySlice_AdjustIndices ((Py_ssize_t) mmap_object_get_length (map),
                                     &first, &last, step);
      result = PyBytes_FromStringAndSize (NULL, count);
      if (result == NULL)
        return NULL;
      out = (guint8 *) PyBytes_AS_STRING (result);
      if (count >= BIG_WORK)
        {
          Py_BEGIN_ALLOW_THREADS
          got = mmap_object_get_slice_into (map, start, stop, step, out,
                                            (gsize) count, &error);
          Py_END_ALLOW_THREADS
        }
      else
        got = mmap_object_get_slice_into (map, start, stop, step, out,
                                          (gsize) count, &error);
      if (got < 0)
        {
          Py_DECREF (result);
          /* A resize between the length and the copy grew the slice. */
          if (g_error_matches (error, MMAP_ERROR, MMAP_ERROR_WRONG_SIZE))
            {
              g_error_free (error);
              return slow_path (SLOW_GETITEM, self, &key, 1);
            }
          return raise_error (error);
        }
      return finish_bytes (result, got);
    }

  return slow_path (SLOW_GETITEM, self, &key, 1);
}

static int
helper_ass_subscript (PyObject *self,
                      PyObject *key,
                      PyObject *value)
{
  MmapObject *map;
  GError *error = NULL;
  PyObject *args[2] = { key, value };
  PyObject *result;
  Py_ssize_t index;
  Py_ssize_t byte;

  if (value == NULL)
    {
      result = slow_path (SLOW_DELITEM, self, &key, 1);
      Py_XDECREF (result);
      return result != NULL ? 0 : -1;
    }

  if (PyLong_CheckExact (value) && exact_ssize (value, &byte)
      && byte >= 0 && byte <= 255 && exact_ssize (key, &index))
    {
      if ((map = get_map (self)) == NULL)
        return -1;
      if (!mmap_object_set_byte (map, index, (guint8) byte, &error))
        {
          raise_error (error);
          return -1;
        }
      return 0;
    }

  if (PySlice_Check (key) && PyBytes_CheckExact (value))
    {
      Py_ssize_t start, stop, step;
      const guint8 *data = (const guint8 *) PyBytes_AS_STRING (value);
      gsize len = (gsize) PyBytes_GET_SIZE (value);
      gboolean ok;

      if (PySlice_Unpack (key, &start, &stop, &step) < 0)
        PyErr_Clear ();
      else
        {
          if ((map = get_map (self)) == NULL)
            return -1;
          if (len >= BIG_WORK)
            {
              Py_BEGIN_ALLOW_THREADS
              ok = mmap_object_set_slice (map, start, stop, step, data, len,
                                          &error);
              Py_END_ALLOW_THREADS
            }
          else
            ok = mmap_object_set_slice (map, start, stop, step, data, len,
                                        &error);
          if (!ok)
            {
              raise_error (error);
              return -1;
            }
          return 0;
        }
    }

  result = slow_path (SLOW_SETITEM, self, args, 2);
  Py_XDECREF (result);
  return result != NULL ? 0 : -1;
}

/* The slots as methods, for the class dictionary. */
static PyObject *
helper_setitem (PyObject         *self,
                PyObject *const  *args,
                Py_ssize_t        nargs)
{
  if (nargs != 2)
    return slow_path (SLOW_SETITEM, self, args, nargs);
  if (helper_ass_subscript (self, args[0], args[1]) < 0)
    return NULL;
  Py_RETURN_NONE;
}

static PyObject *
helper_len (PyObject *self,
            PyObject *unused)
{
  Py_ssize_t length = helper_length (self);

  if (length < 0)
    return NULL;
  return PyLong_FromSsize_t (length);
}

/* The methods setup() puts into the class, each with the Python method
 * it falls back to. */
typedef struct {
  PyMethodDef def;
  SlowPath slow;
} FastMethod;

static FastMethod fast_methods[] = {
  { { "read", (PyCFunction) (void (*) (void)) helper_read, METH_FASTCALL,
      NULL }, SLOW_READ },
  { { "read_byte", helper_read_byte, METH_NOARGS, NULL }, SLOW_READ_BYTE },
  { { "readline", helper_readline, METH_NOARGS, NULL }, SLOW_READLINE },
  { { "write", helper_write, METH_O, NULL }, SLOW_WRITE },
  { { "write_byte", helper_write_byte, METH_O, NULL }, SLOW_WRITE_BYTE },
  { { "find", (PyCFunction) (void (*) (void)) helper_find, METH_FASTCALL,
      NULL }, SLOW_FIND },
  { { "rfind", (PyCFunction) (void (*) (void)) helper_rfind, METH_FASTCALL,
      NULL }, SLOW_RFIND },
  { { "seek", (PyCFunction) (void (*) (void)) helper_seek, METH_FASTCALL,
      NULL }, SLOW_SEEK },
  { { "tell", helper_tell, METH_NOARGS, NULL }, SLOW_TELL },
  { { "flush", (PyCFunction) (void (*) (void)) helper_flush, METH_FASTCALL,
      NULL }, SLOW_FLUSH },
  { { "resize", helper_resize, METH_O, NULL }, SLOW_RESIZE },
  { { "close", helper_close, METH_NOARGS, NULL }, SLOW_CLOSE },
  /* The dunders too: CPython 3.11 calls a Python __getitem__ directly
   * (its BINARY_SUBSCR_GETITEM specialisation), bypassing the slot. */
  { { "__getitem__", helper_subscript, METH_O, NULL }, SLOW_GETITEM },
  { { "__setitem__", (PyCFunction) (void (*) (void)) helper_setitem,
      METH_FASTCALL, NULL }, SLOW_SETITEM },
  { { "__len__", helper_len, METH_NOARGS, NULL }, SLOW_LEN },
};

/* ------------------------------------------------------------------ */
/* Buffer protocol                                                    */

static gboolean
map_is_writable (MmapObject *map)
{
  return mmap_object_get_access (map) != MMAP_ACCESS_READ
         && (mmap_object_get_prot (map) & MMAP_PROT_WRITE) != 0;
}

/* Fills @view over @bytes (a view of @map), taking @bytes into
 * view->internal; released by release_view(). */
static int
fill_view (PyObject   *exporter,
           Py_buffer  *view,
           GBytes     *bytes,
           gboolean    readonly,
           int         flags)
{
  static char empty[1];
  gsize size;
  gpointer data = (gpointer) g_bytes_get_data (bytes, &size);

  if (PyBuffer_FillInfo (view, exporter, data != NULL ? data : empty,
                         (Py_ssize_t) size, readonly, flags) < 0)
    {
      g_bytes_unref (bytes);
      return -1;
    }
  view->internal = bytes;
  return 0;
}

static int
object_getbuffer (PyObject  *self,
                  Py_buffer *view,
                  int        flags)
{
  MmapObject *map;
  GError *error = NULL;
  GBytes *bytes;

  if ((map = get_map (self)) == NULL)
    return -1;
  bytes = mmap_object_view (map, 0, -1, &error);
  if (bytes == NULL)
    {
      raise_error (error);
      return -1;
    }
  return fill_view (self, view, bytes, !map_is_writable (map), flags);
}

static void
release_view (PyObject  *self,
              Py_buffer *view)
{
  g_clear_pointer ((GBytes **) &view->internal, g_bytes_unref);
}

/* m.memoryview (start, length): a memoryview of a range, exported by a
 * small object that holds the view, so that the memoryview does not need
 * the map object itself. */
typedef struct {
  PyObject_HEAD
  GBytes *bytes;
  gboolean readonly;
} RangeExport;

static int
range_getbuffer (PyObject  *self,
                 Py_buffer *view,
                 int        flags)
{
  RangeExport *export = (RangeExport *) self;

  return fill_view (self, view, g_bytes_ref (export->bytes), export->readonly,
                    flags);
}

static void
range_dealloc (PyObject *self)
{
  RangeExport *export = (RangeExport *) self;

  g_clear_pointer (&export->bytes, g_bytes_unref);
  Py_TYPE (self)->tp_free (self);
}

static PyBufferProcs range_as_buffer = {
  range_getbuffer,
  release_view,
};

static PyTypeObject RangeExportType = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "gi.overrides._mmap_helper.RangeExport",
  .tp_basicsize = sizeof (RangeExport),
  .tp_dealloc = range_dealloc,
  .tp_as_buffer = &range_as_buffer,
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_doc = "Exports a view of an Mmap.Object's range.",
};

static PyObject *
helper_memoryview (PyObject         *module,
                   PyObject *const  *args,
                   Py_ssize_t        nargs)
{
  MmapObject *map;
  GError *error = NULL;
  Py_ssize_t start;
  Py_ssize_t length;
  RangeExport *export;
  PyObject *view;

  if (nargs != 3)
    {
      PyErr_SetString (PyExc_TypeError, "memoryview (m, start, length)");
      return NULL;
    }
  if ((map = get_map_checked (args[0])) == NULL)
    return NULL;
  start = PyLong_AsSsize_t (args[1]);
  if (start == -1 && PyErr_Occurred ())
    return NULL;
  length = PyLong_AsSsize_t (args[2]);
  if (length == -1 && PyErr_Occurred ())
    return NULL;
  if (start < 0)
    {
      PyErr_SetString (PyExc_OverflowError, "start must not be negative");
      return NULL;
    }

  export = PyObject_New (RangeExport, &RangeExportType);
  if (export == NULL)
    return NULL;
  export->readonly = !map_is_writable (map);
  export->bytes = mmap_object_view (map, (gsize) start, length, &error);
  if (export->bytes == NULL)
    {
      Py_DECREF (export);
      return raise_error (error);
    }
  view = PyMemoryView_FromObject ((PyObject *) export);
  Py_DECREF (export);
  return view;
}

/* ------------------------------------------------------------------ */
/* setup (cls, error_factory)                                         */

static const char *const slow_names[N_SLOW] = {
  [SLOW_READ] = "read",
  [SLOW_READ_BYTE] = "read_byte",
  [SLOW_READLINE] = "readline",
  [SLOW_WRITE] = "write",
  [SLOW_WRITE_BYTE] = "write_byte",
  [SLOW_FIND] = "find",
  [SLOW_RFIND] = "rfind",
  [SLOW_SEEK] = "seek",
  [SLOW_TELL] = "tell",
  [SLOW_FLUSH] = "flush",
  [SLOW_RESIZE] = "resize",
  [SLOW_CLOSE] = "close",
  [SLOW_GETITEM] = "__getitem__",
  [SLOW_SETITEM] = "__setitem__",
  [SLOW_DELITEM] = "__delitem__",
  [SLOW_LEN] = "__len__",
};

/*
 * How the class gets its slots. Python 3.11 gives a class written in
 * Python no way to export a buffer (PEP 688's __buffer__ is 3.12), and
 * the override class must stay a PyGObject class made by Python code.
 * Two ways were open: a C base class (PyType_FromSpecWithBases with
 * Py_bf_* slots) that the override class also derives from, or filling
 * the slots of the override class's own heap type. A C base class would
 * have to derive from GObject.Object with PyGObject's instance layout and
 * metaclass, and sit in the MRO of every Mmap.Object; a second base
 * between PyGObject's machinery and the GI class is fragile. The override
 * class is a heap type, so its PyHeapTypeObject carries the as_buffer,
 * as_mapping and as_sequence tables that tp_as_* point to; setting
 * entries there is what CPython does itself when a class defines
 * __getitem__, and subclasses made later inherit the buffer slots. So
 * the slots are set here, once, right after the class is made.
 */
/* The library's wait functions: a thread that holds the GIL gives it up
 * while it waits for another thread inside the library, and takes it back
 * after. (Taking it back while the library holds the object's lock is
 * safe: every thread that holds the GIL gives it up before it waits.) */
static __thread PyThreadState *waiting_thread;

static void
give_up_gil (gpointer user_data)
{
  if (PyGILState_Check ())
    waiting_thread = PyEval_SaveThread ();
}

static void
take_back_gil (gpointer user_data)
{
  PyThreadState *state = waiting_thread;

  if (state != NULL)
    {
      waiting_thread = NULL;
      PyEval_RestoreThread (state);
    }
}

static PyObject *
helper_setup (PyObject         *module,
              PyObject *const  *args,
              Py_ssize_t        nargs)
{
  PyTypeObject *type;
  PyHeapTypeObject *heap;
  PyObject *dict;
  guint i;

  if (nargs != 2 || !PyType_Check (args[0]) || !PyCallable_Check (args[1]))
    {
      PyErr_SetString (PyExc_TypeError, "setup (cls, error_factory)");
      return NULL;
    }
  type = (PyTypeObject *) args[0];
  if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE)
      || !PyType_IsSubtype (type, &PyGObject_Type))
    {
      PyErr_SetString (PyExc_TypeError, "setup () needs the override class");
      return NULL;
    }
  if (error_factory != NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "setup () runs once");
      return NULL;
    }
  error_factory = Py_NewRef (args[1]);

  /* The Python methods the fast paths fall back to. */
  dict = type->tp_dict;
  for (i = 0; i < N_SLOW; i++)
    {
      PyObject *method = PyDict_GetItemString (dict, slow_names[i]);

      if (method == NULL)
        {
          PyErr_Format (PyExc_AttributeError, "the class has no %s",
                        slow_names[i]);
          goto fail;
        }
      slow_paths[i] = Py_NewRef (method);
    }

  for (i = 0; i < G_N_ELEMENTS (fast_methods); i++)
    {
      PyMethodDef *def = &fast_methods[i].def;
      PyObject *doc;
      PyObject *descriptor;
      int status;

      /* The C method keeps the docstring of the Python one (kept for the
       * life of the process, as the method table is). */
      doc = PyObject_GetAttrString (slow_paths[fast_methods[i].slow],
                                    "__doc__");
      if (doc == NULL)
        goto fail;
      if (PyUnicode_Check (doc) && def->ml_doc == NULL)
        {
          const char *text = PyUnicode_AsUTF8 (doc);

          if (text == NULL)
            PyErr_Clear ();
          else
            def->ml_doc = g_strdup (text);
        }
      Py_DECREF (doc);

      descriptor = PyDescr_NewMethod (type, def);
      if (descriptor == NULL)
        goto fail;
      status = PyObject_SetAttrString ((PyObject *) type,
                                       fast_methods[i].def.ml_name,
                                       descriptor);
      Py_DECREF (descriptor);
      if (status < 0)
        goto fail;
    }

  heap = (PyHeapTypeObject *) type;
  heap->as_sequence.sq_length = helper_length;
  heap->as_mapping.mp_length = helper_length;
  heap->as_mapping.mp_subscript = helper_subscript;
  heap->as_mapping.mp_ass_subscript = helper_ass_subscript;
  heap->as_buffer.bf_getbuffer = object_getbuffer;
  heap->as_buffer.bf_releasebuffer = release_view;
  type->tp_as_sequence = &heap->as_sequence;
  type->tp_as_mapping = &heap->as_mapping;
  type->tp_as_buffer = &heap->as_buffer;
  PyType_Modified (type);

  mmap_set_wait_funcs (give_up_gil, take_back_gil, NULL);
  Py_RETURN_NONE;

fail:
  /* The slow paths stay: methods set before the failure use them. */
  return NULL;
}

static PyMethodDef module_methods[] = {
  { "setup", (PyCFunction) (void (*) (void)) helper_setup, METH_FASTCALL,
    "setup(cls, error_factory): serves the hot methods of the override "
    "class from C and gives it the buffer protocol." },
  { "memoryview", (PyCFunction) (void (*) (void)) helper_memoryview,
    METH_FASTCALL,
    "memoryview(m, start, length): a zero-copy memoryview of a range." },
  { NULL, NULL, 0, NULL },
};

static struct PyModuleDef helper_module = {
  PyModuleDef_HEAD_INIT,
  .m_name = "_mmap_helper",
  .m_doc = "The compiled half of gi.overrides.Mmap.",
  .m_size = -1,
  .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__mmap_helper (void);

PyMODINIT_FUNC
PyInit__mmap_helper (void)
{
  PyObject *gobject;

  gobject = pygobject_init (3, 42, 0);
  if (gobject == NULL)
    return NULL;
  Py_DECREF (gobject);

  map_type = MMAP_TYPE_OBJECT;
  if (PyType_Ready (&RangeExportType) < 0)
    return NULL;

  return PyModule_Create (&helper_module);
}
