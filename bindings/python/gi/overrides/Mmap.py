# Mmap.py: PyGObject override that makes Mmap.Object a drop-in for mmap.mmap
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Python's :mod:`mmap` on top of libmmapobj.

After ``from gi.repository import Mmap as mmap`` a script written for
CPython's ``mmap`` module runs unchanged: ``mmap.mmap(fileno, length, ...)``
constructs an initialised :class:`Mmap.Object`, whose methods take Python's
arguments and return ``bytes``/``int``/``None``, which supports ``len()``,
indexing, slicing with steps, iteration, ``in`` and ``with``, and whose
errors are instances of the builtin exception Python raises (``ValueError``,
``IndexError``, ``OSError`` with ``errno`` …) *and* of ``GLib.Error`` (with
``domain``, ``code`` and ``matches()``).

The introspected C methods stay reachable on the base class, for example
``Mmap.Object.__base__.read(m, 10)`` returns a ``GLib.Bytes``; the
``*_range`` variants, ``get_byte``/``set_byte``, ``get_slice``/``set_slice``,
``view``, ``to_string`` and the ``get_*`` accessors are not overridden.

Zero-copy access: :meth:`Object.memoryview` returns a ``memoryview`` over the
mapped memory (read-only unless the map is writable).  See its docstring.

Differences from CPython 3.13 (deliberate, from the library): empty files
and ``length 0`` anonymous maps work (``len(m) == 0``); any ``offset`` is
accepted; ``flush(offset, size)`` and ``madvise(option, start, length)``
align their range to pages themselves; ``resize(0)`` works and ``resize()``
never leaves a mapping longer than its file; anonymous maps can grow;
reading a ``PROT_NONE`` map raises ``ValueError`` instead of crashing;
``close()`` succeeds while memoryviews exist (they keep the mapping alive).

The compiled helper ``gi.overrides._mmap_helper``, when it was built (meson
option ``python_helper``), serves the hot methods and ``len``/indexing
from C and gives every map the buffer protocol (``memoryview(m)``,
``bytearray(m)``, ``struct``, ``re``, ``hashlib`` ... on any Python).
Without it, Python 3.11 has no buffer protocol for Python classes, so
``memoryview(m)``, ``bytearray(m)`` and ``re`` on the map need
``m.memoryview()`` there (``bytes(m)`` works through ``__bytes__``);
PEP 688's ``__buffer__`` serves Python 3.12+.

Errors where CPython crashes or misbehaves: reading or writing pages whose
file was truncated raises ``OSError`` (``EIO``) instead of killing the
process with SIGBUS, and a write that fails that way stores nothing;
``mmap(fileno, ...)`` with ``fileno < -1`` raises ``OSError`` ``EBADF``, as
CPython does; ``madvise()`` with an option that is no ``Mmap.Advice`` raises
:class:`MmapInvalidAdviceError` (a ``ValueError`` and an ``OSError``
``EINVAL``) without reaching the kernel.

Importing this module wraps ``faulthandler.enable()``,
``faulthandler.disable()`` and ``signal.signal()`` (for ``SIGBUS``) so that
each puts the library's SIGBUS guard back in front of the handler it
installs (``Mmap.install_sigbus_guard()``, which chains faults that are not
the library's to that handler).  Code that installs a SIGBUS handler in
another way (a crash reporter in C) should call
``Mmap.install_sigbus_guard()`` afterwards; until then, or until the next
map is made, faults inside library calls reach that handler.
"""

import builtins
import errno as _errno
import faulthandler
import functools
import signal as _signal
import operator
import os
import re

from gi.repository import GLib, GObject, Gio

from ..module import get_introspection_module
from ..overrides import override

# The compiled helper (gi/overrides/_mmap_helper, optional at build time):
# it serves the hot methods from C and gives every map the buffer
# protocol.  MMAP_NO_PYTHON_HELPER=1 in the environment makes this module
# ignore it (the test suite runs both ways).
_helper = None
if not os.environ.get('MMAP_NO_PYTHON_HELPER'):
    try:
        from . import _mmap_helper as _helper
    except ImportError:
        _helper = None

Mmap = get_introspection_module('Mmap')

__all__ = []

_IObject = Mmap.Object

# --------------------------------------------------------------------------
# Module constants, under Python's names

PAGESIZE = Mmap.get_page_size()
ALLOCATIONGRANULARITY = Mmap.get_allocation_granularity()

ACCESS_DEFAULT = int(Mmap.Access.DEFAULT)
ACCESS_READ = int(Mmap.Access.READ)
ACCESS_WRITE = int(Mmap.Access.WRITE)
ACCESS_COPY = int(Mmap.Access.COPY)

PROT_NONE = int(Mmap.Prot.NONE)
PROT_READ = int(Mmap.Prot.READ)
PROT_WRITE = int(Mmap.Prot.WRITE)
PROT_EXEC = int(Mmap.Prot.EXEC)

MAP_SHARED = int(Mmap.MapFlags.SHARED)
MAP_PRIVATE = int(Mmap.MapFlags.PRIVATE)
MAP_ANONYMOUS = int(Mmap.MapFlags.ANONYMOUS)
MAP_ANON = MAP_ANONYMOUS
MAP_DENYWRITE = int(Mmap.MapFlags.DENYWRITE)
MAP_EXECUTABLE = int(Mmap.MapFlags.EXECUTABLE)
MAP_POPULATE = int(Mmap.MapFlags.POPULATE)
MAP_NORESERVE = int(Mmap.MapFlags.NORESERVE)
MAP_32BIT = int(Mmap.MapFlags.ADDR_32BIT)
MAP_STACK = int(Mmap.MapFlags.STACK)
# Not in Python's module, but in the library's flags:
MAP_GROWSDOWN = int(Mmap.MapFlags.GROWSDOWN)
MAP_LOCKED = int(Mmap.MapFlags.LOCKED)
MAP_NONBLOCK = int(Mmap.MapFlags.NONBLOCK)
MAP_HUGETLB = int(Mmap.MapFlags.HUGETLB)

_MAP_KNOWN = 0
for _v in Mmap.MapFlags.__flags_values__:
    _MAP_KNOWN |= _v

_MAP_TYPE = 0x0f                     # the sharing type bits of mmap(2)
_MAP_SHARED_VALIDATE = int(Mmap.MapFlags.SHARED_VALIDATE)
_MAP_FIXED = 0x10
_MAP_FIXED_NOREPLACE = 0x100000


def _check_unknown_flags(flags):
    """CPython hands flags bits that Mmap.MapFlags does not name to
    mmap(2); the library refuses them.  Do what the kernel does with them:
    an unknown sharing type is EINVAL; MAP_SHARED_VALIDATE refuses unknown
    bits (EOPNOTSUPP); with MAP_SHARED and MAP_PRIVATE the kernel ignores
    them, so they are dropped.  MAP_FIXED and MAP_FIXED_NOREPLACE would
    place the map at address 0 (mmap() gives no address): refused, EINVAL."""
    unknown = flags & ~_MAP_KNOWN
    if not unknown:
        return
    if unknown & _MAP_TYPE or unknown & (_MAP_FIXED | _MAP_FIXED_NOREPLACE):
        code = _errno.EINVAL
    elif flags & _MAP_TYPE == _MAP_SHARED_VALIDATE:
        code = _errno.EOPNOTSUPP
    else:
        return
    raise _os_error('mmap: flags 0x%x: [Errno %d] %s'
                    % (unknown, code, GLib.strerror(code)), _IO_DOMAIN,
                    int(Gio.io_error_from_errno(code)), code)

# Every Mmap.Advice value as MADV_<NAME>: Python's own on Linux plus the
# newer ones (WIPEONFORK, COLD, PAGEOUT, POPULATE_READ, ...).
_ADVICE = {}
for _name in dir(Mmap.Advice):
    _v = getattr(Mmap.Advice, _name)
    if _name.isupper() and isinstance(_v, Mmap.Advice):
        globals()['MADV_' + _name] = int(_v)
        _ADVICE[int(_v)] = _v
        __all__.append('MADV_' + _name)

__all__ += [
    'PAGESIZE', 'ALLOCATIONGRANULARITY',
    'ACCESS_DEFAULT', 'ACCESS_READ', 'ACCESS_WRITE', 'ACCESS_COPY',
    'PROT_NONE', 'PROT_READ', 'PROT_WRITE', 'PROT_EXEC',
    'MAP_SHARED', 'MAP_PRIVATE', 'MAP_ANONYMOUS', 'MAP_ANON',
    'MAP_DENYWRITE', 'MAP_EXECUTABLE', 'MAP_POPULATE', 'MAP_NORESERVE',
    'MAP_32BIT', 'MAP_STACK', 'MAP_GROWSDOWN', 'MAP_LOCKED', 'MAP_NONBLOCK',
    'MAP_HUGETLB',
]

error = OSError
__all__.append('error')

_SSIZE_MAX = 2 ** 63 - 1
_SSIZE_MIN = -2 ** 63
_INT_MAX = 2 ** 31 - 1
_INT_MIN = -2 ** 31

# --------------------------------------------------------------------------
# Exceptions: GLib.Error and the builtin class Python raises, at once

_MMAP_DOMAIN = GLib.quark_to_string(Mmap.error_quark())
_IO_DOMAIN = GLib.quark_to_string(GLib.quark_from_string('g-io-error-quark'))
_E = Mmap.Error
_EINVAL_CODE = int(Gio.IOErrorEnum.INVALID_ARGUMENT)


class _MmapError(GLib.Error):
    """What every exception of this module adds to GLib.Error: Python's
    constructor arguments, str() as the message, pickling.

    The classes below put the builtin class first (class MmapValueError
    (ValueError, _MmapError)), so that their MRO reads as Python's own
    exceptions do, ValueError before GLib.Error's RuntimeError. The
    builtin's own __init__, __str__ and __reduce__ would then win; each
    subclass gets these here instead."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in ('__init__', '__str__', '__repr__', '__reduce__'):
            setattr(cls, name, _MmapError.__dict__[name])

    def __init__(self, message='unknown error', domain=_MMAP_DOMAIN, code=0,
                 errno=None, strerror=None):
        GLib.Error.__init__(self, message, domain, code)
        if errno is not None:
            self.errno = errno
            self.strerror = strerror

    def __str__(self):
        # CPython's words first; the GLib.Error keeps the library's message
        # (mmap_error_get_errno() reads it).
        return _python_message(self.message, getattr(self, 'errno', 0))

    def __repr__(self):
        return '%s(%r, %r, %d)' % (type(self).__name__, self.message,
                                   self.domain, self.code)

    def __reduce__(self):
        return (type(self), (self.message, self.domain, self.code,
                             getattr(self, 'errno', None),
                             getattr(self, 'strerror', None)))


class MmapValueError(ValueError, _MmapError):
    """A GLib.Error that is also a ValueError."""


class MmapTypeError(TypeError, _MmapError):
    """A GLib.Error that is also a TypeError."""


class MmapIndexError(IndexError, _MmapError):
    """A GLib.Error that is also an IndexError."""


class MmapBufferError(BufferError, _MmapError):
    """A GLib.Error that is also a BufferError."""


class MmapOverflowError(OverflowError, _MmapError):
    """A GLib.Error that is also an OverflowError."""


class MmapOSError(OSError, _MmapError):
    """A GLib.Error that is also an OSError (with ``errno``)."""


class MmapInvalidAdviceError(MmapOSError, ValueError):
    """An madvise option that is no Mmap.Advice: the library refuses it
    (INVALID_ARGUMENT, a ValueError) where CPython hands it to the kernel
    (EINVAL, an OSError).  It is both, as io.UnsupportedOperation is."""


for _cls in (_MmapError, MmapValueError, MmapTypeError, MmapIndexError,
             MmapBufferError, MmapOverflowError, MmapOSError,
             MmapInvalidAdviceError):
    _cls.__module__ = 'gi.repository.Mmap'
__all__ += ['MmapValueError', 'MmapTypeError', 'MmapIndexError',
            'MmapBufferError', 'MmapOverflowError', 'MmapOSError',
            'MmapInvalidAdviceError']

# OSError subclasses (PermissionError, FileNotFoundError, ...) by errno,
# each a subclass of MmapOSError too: one per builtin subclass of OSError,
# which Python picks by errno, so they are made on first use.
_os_error_classes = {}


def _os_error_class(errno):
    builtin = type(OSError(errno, 'x')) if errno is not None else OSError
    if builtin is OSError:
        return MmapOSError
    cls = _os_error_classes.get(builtin)
    if cls is None:
        cls = type('Mmap' + builtin.__name__, (builtin, MmapOSError), {
            '__module__': 'gi.repository.Mmap',
            '__doc__': 'A GLib.Error that is also a %s.' % builtin.__name__,
        })
        _os_error_classes[builtin] = cls
    return cls


_CODE_CLASS = {
    _E.CLOSED: MmapValueError,
    _E.NOT_INITIALIZED: MmapValueError,
    _E.OUT_OF_RANGE: MmapValueError,
    _E.INDEX_OUT_OF_RANGE: MmapIndexError,
    _E.READ_ONLY: MmapTypeError,
    _E.NOT_RESIZABLE: MmapTypeError,
    _E.EXPORTS_EXIST: MmapBufferError,
    _E.NO_TRACKED_FD: MmapValueError,
    _E.FILE_TOO_SMALL: MmapValueError,
    _E.WRONG_SIZE: MmapIndexError,
    _E.INVALID_ARGUMENT: MmapValueError,
    _E.OVERFLOW: MmapOverflowError,
    _E.NOT_ACCESSIBLE: MmapValueError,
}
_CODE_CLASS = {int(k): v for k, v in _CODE_CLASS.items()}

_error_get_errno = Mmap.error_get_errno


def _os_error(message, domain, code, errno, strerror=None):
    if strerror is None:
        strerror = os.strerror(errno)
    return _os_error_class(errno)(message, domain, code, errno, strerror)


# CPython's text for a condition whose message the library words its own
# way: (the library's wording, after its "op: " prefix, as a regex;
# CPython's text).  Messages that already start with CPython's text are
# left as they are.
_CPYTHON_TEXTS = [(re.compile(pattern), text) for pattern, text in (
    (r'mmap index -?\d+ out of range', 'mmap index out of range'),
    (r'memory mapped length \d+ is too large', 'mmap length is too large'),
    (r"can't specify both access", "mmap can't specify both access and "
     "flags, prot."),
    (r'offset \d+ is greater than the file size',
     'mmap offset is greater than file size'),
    (r'length \d+ at offset \d+ is greater than the file size',
     'mmap length is greater than file size'),
    (r'invalid access parameter', 'mmap invalid access parameter.'),
    (r"mmap can't modify a readonly memory map$",
     "mmap can't modify a readonly memory map."),
    (r'values out of range', 'flush values out of range'),
    (r'start -?\d+ out of bounds', 'madvise start out of bounds'),
    (r'length -?\d+ invalid', 'madvise length invalid'),
    (r'length \d+ too large', 'madvise length too large'),
    (r'source -?\d+, destination -?\d+, or count -?\d+ out of range',
     'source, destination, or count out of range'),
    (r"mmap can't resize with extant buffers exported",
     "mmap can't resize with extant buffers exported."),
    (r"mmap can't resize with trackfd=False$",
     "mmap can't resize with trackfd=False."),
    (r"mmap can't resize a readonly or copy-on-write memory map$",
     "mmap can't resize a readonly or copy-on-write memory map."),
    (r'new size \d+ out of range', 'new size out of range'),
)]
_OP_PREFIX = re.compile(r'^[a-z_]+: ')
_ERRNO_SUFFIX = re.compile(r':? \[Errno -?\d+\] [^\[]*$')


def _python_message(message, errno):
    """The library's message as str() of the exception gives it: CPython's
    exact text first, so that code matching CPython's messages works, and
    the library's detail after it, in parentheses where the two differ."""
    if errno:
        cpython = '[Errno %d] %s' % (errno, GLib.strerror(errno))
        detail = _ERRNO_SUFFIX.sub('', message)
        return cpython if not detail else '%s (%s)' % (cpython, detail)
    detail = _OP_PREFIX.sub('', message, count=1)
    for pattern, cpython in _CPYTHON_TEXTS:
        if pattern.match(detail):
            if detail == cpython.rstrip('.'):
                return cpython
            return '%s (%s)' % (cpython, message)
    return detail


def _exception_from(domain, code, message, errno, oserror_for_no_fd=False):
    """The exception Python raises for an error of the library, given as
    its domain (a string), code, message and errno.  The compiled helper
    calls this too, so the mapping is stated once."""
    if domain == _MMAP_DOMAIN:
        if code == _E.NO_TRACKED_FD and oserror_for_no_fd:
            return _os_error(message, domain, code, _errno.EBADF)
        cls = _CODE_CLASS.get(code)
        if cls is not None:
            return cls(message, domain, code)
    # The library's errno: a failed system call or SIGBUS (G_IO_ERROR),
    # and EINVAL for NOT_SUPPORTED.  The strerror is the text the message
    # ends in, which mmap_error_get_errno() has checked is g_strerror().
    if errno != 0:
        return _os_error(message, domain, code, errno, GLib.strerror(errno))
    if domain == _IO_DOMAIN:
        return MmapOSError(message, domain, code)
    return GLib.Error(message, domain, code)


def _convert(err, oserror_for_no_fd=False):
    """Turns a GLib.Error from the library into the exception Python raises."""
    domain = err.domain
    code = err.code
    if domain == _MMAP_DOMAIN and code != _E.NO_TRACKED_FD:
        cls = _CODE_CLASS.get(code)
        if cls is not None:
            return cls(err.message, domain, code)
    errno = _error_get_errno(err)
    if errno == 0 and domain != _IO_DOMAIN and not (
            domain == _MMAP_DOMAIN and code == _E.NO_TRACKED_FD):
        return err
    return _exception_from(domain, code, err.message, errno,
                           oserror_for_no_fd)


def _mmap_error(code, message):
    """An exception for a condition the override detects itself."""
    code = int(code)
    return _CODE_CLASS[code](message, _MMAP_DOMAIN, code)


# --------------------------------------------------------------------------
# Argument conversion with Python's messages

def _c_integer_arg(ctype):
    """A converter to a 64-bit C integer type with CPython's message."""
    message = 'Python int too large to convert to C ' + ctype

    def convert(value):
        value = operator.index(value)
        if not _SSIZE_MIN <= value <= _SSIZE_MAX:
            raise OverflowError(message)
        return value
    return convert


_ssize_arg = _c_integer_arg('ssize_t')
_long_arg = _c_integer_arg('long')


def _int_arg(value, lo=_INT_MIN, hi=_INT_MAX):
    # CPython's 'i' converter: C long first, then the range.
    value = _long_arg(value)
    if value > hi:
        raise OverflowError('signed integer is greater than maximum')
    if value < lo:
        raise OverflowError('signed integer is less than minimum')
    return value


def _buffer_arg(data):
    """Bytes-like object -> something GI passes as a guint8 array."""
    cls = type(data)
    if cls is bytes or cls is bytearray:
        return data
    if isinstance(data, _IObject):
        return data.__bytes__()
    try:
        view = builtins.memoryview(data)
    except TypeError:
        raise TypeError("a bytes-like object is required, not '%s'"
                        % cls.__name__) from None
    if not view.c_contiguous:
        raise BufferError('memoryview: underlying buffer is not C-contiguous')
    return view.tobytes()


def _slice_index(value):
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError('slice indices must be integers or None or have an '
                        '__index__ method') from None
    if value > _SSIZE_MAX:
        return _SSIZE_MAX
    if value < _SSIZE_MIN:
        return _SSIZE_MIN
    return value


def _start_arg(value):
    """A bulk call's start: None is the start of the map."""
    return 0 if value is None else _slice_index(value)


def _end_arg(value):
    """A bulk call's end: None is the end of the map."""
    return _SSIZE_MAX if value is None else _slice_index(value)


def _max_count_arg(value):
    """A bulk call's max_count: any negative value means all."""
    return max(-1, min(operator.index(value), _SSIZE_MAX))


def _unpack_slice(key):
    """PySlice_Unpack(): raw bounds in the library's convention.  A zero
    step is returned as 0 for the library to refuse."""
    step = key.step
    if step is None:
        step = 1
    else:
        step = _slice_index(step)
        if step == 0:
            return 0, 0, 0
        if step < -_SSIZE_MAX:
            step = -_SSIZE_MAX
    start = key.start
    if start is None:
        start = _SSIZE_MAX if step < 0 else 0
    else:
        start = _slice_index(start)
    stop = key.stop
    if stop is None:
        stop = _SSIZE_MIN if step < 0 else _SSIZE_MAX
    else:
        stop = _slice_index(stop)
    return start, stop, step


# --------------------------------------------------------------------------
# Zero-copy memoryview without the helper: GBytes data pointer through ctypes


def _gbytes_address(gbytes):
    """The data pointer and size of a GLib.Bytes.  PyGObject hashes a boxed
    wrapper by its C pointer; the size is checked against get_size()."""
    import ctypes
    global _g_bytes_get_data
    if _g_bytes_get_data is None:
        get_data = ctypes.CDLL('libglib-2.0.so.0').g_bytes_get_data
        get_data.restype = ctypes.c_void_p
        get_data.argtypes = [ctypes.c_void_p,
                             ctypes.POINTER(ctypes.c_size_t)]
        _g_bytes_get_data = get_data
    pointer = hash(gbytes) & 0xFFFFFFFFFFFFFFFF
    size = ctypes.c_size_t()
    address = _g_bytes_get_data(pointer, ctypes.byref(size))
    if size.value != gbytes.get_size():
        raise RuntimeError('cannot find the data of a GLib.Bytes')
    return address, size.value


_g_bytes_get_data = None

_BYTE = [bytes((i,)) for i in range(256)]
_MISSING = object()



def _python_errors(func, oserror_for_no_fd=False):
    """@func, an introspected C method, raising the exception Python
    raises in place of the library's GLib.Error (as PyGObject's Gtk.py
    wraps methods with strip_boolean_result): the one place where the
    methods below translate errors."""
    def call(*args):
        try:
            return func(*args)
        except GLib.Error as e:
            error = _convert(e, oserror_for_no_fd)
        # Raised outside the handler, so that the exception does not keep
        # the library's as its __context__ (whose traceback holds args).
        raise error
    call.__name__ = call.__qualname__ = func.__name__
    return call


_close = _python_errors(_IObject.close)
_flush_range = _python_errors(_IObject.flush_range)
_madvise_range = _python_errors(_IObject.madvise_range)
_move = _python_errors(_IObject.move)
_resize = _python_errors(_IObject.resize)
_size = _python_errors(_IObject.size, oserror_for_no_fd=True)
_write_byte = _python_errors(_IObject.write_byte)
_init = _python_errors(_IObject.init)
_view = _python_errors(_IObject.view)
_tell = _python_errors(_IObject.tell)
_set_slice = _python_errors(_IObject.set_slice)
_find_range = _python_errors(_IObject.find_range)
_get_slice = _python_errors(_IObject.get_slice)
_find_all = _python_errors(_IObject.find_all)
_count = _python_errors(_IObject.count)
_line_offsets = _python_errors(_IObject.line_offsets)

# The entry points of the hot methods, called bare: each of those methods
# has its own try/except, because the frame of a wrapper would cost the
# pure-Python override 20-30% of an m[i].  With the compiled helper these
# methods run in C and only their unusual arguments come here.
_c_find = _IObject.find
_c_find_range = _IObject.find_range
_c_rfind = _IObject.rfind
_c_rfind_range = _IObject.rfind_range
_c_read = _IObject.read
_c_read_byte = _IObject.read_byte
_c_readline = _IObject.readline
_c_seek = _IObject.seek
_c_tell = _IObject.tell
_c_write = _IObject.write
_c_get_byte = _IObject.get_byte
_c_set_byte = _IObject.set_byte
_c_get_slice = _IObject.get_slice
_c_set_slice = _IObject.set_slice
_c_get_length = _IObject.get_length
_c_get_closed = _IObject.get_closed

_WHENCE = (GLib.SeekType.SET, GLib.SeekType.CUR, GLib.SeekType.END)
_CTOR_NAMES = ('fileno', 'length', 'flags', 'prot', 'access', 'offset')
_GOBJECT_ONLY = ('fd', 'path', 'track_fd', 'track-fd')


class Object(Mmap.Object):
    """A memory map with the API of Python's ``mmap.mmap``.

    ``Mmap.Object(fileno, length, flags=MAP_SHARED,
    prot=PROT_READ|PROT_WRITE, access=ACCESS_DEFAULT, offset=0, *,
    trackfd=True)`` maps and returns an initialised object, as Python does.
    GObject-style construction (``Mmap.Object(fd=..., length=...)``, with
    any of the property names ``fd``, ``path`` or ``track_fd``) still gives
    an object that needs ``init(None)``.
    """

    # Python subclasses (class M (mmap.mmap)) share the final GType: each
    # instance is an MmapObject, wrapped by the subclass. PyGObject would
    # otherwise try to register a GType deriving from a final one.
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.__gtype__ = Object.__gtype__

    # As CPython's mmap, the map is made in __new__, so that subclasses can
    # override __new__ (CPython's own test_subclass calls
    # mmap.__new__ (klass, -1, *args)) or __init__ freely.
    def __new__(cls, *args, **kwargs):
        self = GObject.Object.__new__(cls)
        if not args and any(k in kwargs for k in _GOBJECT_ONLY):
            GObject.Object.__init__(self, **kwargs)
        else:
            self._map(*args, **kwargs)
        return self

    def __init__(self, *args, **kwargs):
        """Does nothing: __new__ made the map."""

    def _map(self, *args, **kwargs):
        """Maps with Python's constructor arguments."""
        if len(args) > 6:
            raise TypeError('function takes at most 6 positional arguments '
                            '(%d given)' % len(args))
        values = dict(zip(_CTOR_NAMES, args))
        trackfd = True
        for name, value in kwargs.items():
            if name == 'trackfd':
                trackfd = value
                continue
            if name not in _CTOR_NAMES:
                raise TypeError('this function got an unexpected keyword '
                                'argument %r' % name)
            if name in values:
                raise TypeError("argument for function given by name ('%s') "
                                "and position (%d)"
                                % (name, _CTOR_NAMES.index(name) + 1))
            values[name] = value
        for position, name in enumerate(_CTOR_NAMES[:2], 1):
            if name not in values:
                raise TypeError("function missing required argument '%s' "
                                "(pos %d)" % (name, position))

        fileno = _int_arg(values['fileno'])
        length = _ssize_arg(values['length'])
        flags = _int_arg(values.get('flags', MAP_SHARED))
        prot = _int_arg(values.get('prot', PROT_READ | PROT_WRITE))
        access = _int_arg(values.get('access', ACCESS_DEFAULT))
        offset = _long_arg(values.get('offset', 0))
        trackfd = bool(trackfd)

        if length < 0:
            raise _mmap_error(_E.OVERFLOW,
                              'memory mapped length must be positive')
        if offset < 0:
            raise _mmap_error(_E.OVERFLOW,
                              'memory mapped offset must be positive')
        if access != ACCESS_DEFAULT and (
                flags != MAP_SHARED or prot != PROT_READ | PROT_WRITE):
            raise _mmap_error(_E.INVALID_ARGUMENT,
                              "mmap can't specify both access and flags, "
                              "prot.")
        if not ACCESS_DEFAULT <= access <= ACCESS_COPY:
            raise _mmap_error(_E.INVALID_ARGUMENT,
                              'mmap invalid access parameter.')
        if prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC) or flags < 0:
            raise _os_error('mmap: [Errno 22] Invalid argument', _IO_DOMAIN,
                            _EINVAL_CODE, _errno.EINVAL)
        _check_unknown_flags(flags)

        GObject.Object.__init__(self, fd=fileno, length=length,
                                flags=flags & _MAP_KNOWN, prot=prot,
                                access=access, offset=offset,
                                track_fd=trackfd)
        _init(self, None)

    # -- helpers -----------------------------------------------------------

    def _check_open(self):
        """Raises the closed/uninitialised error, if any."""
        _tell(self)

    def _check_writable(self):
        """Raises the closed or read-only error, if any (Python checks these
        before converting arguments)."""
        _set_slice(self, 0, 0, 1, b'')

    def _parse(self, *conversions):
        """The arguments given as (converter, value) pairs, converted.
        Python checks that the map is open before it reports a bad
        argument, so a conversion error comes after the closed error."""
        try:
            return [convert(value) for convert, value in conversions]
        except (TypeError, OverflowError, BufferError):
            self._check_open()
            raise

    def _view_writable(self):
        return (self.get_access() != Mmap.Access.READ
                and bool(self.get_prot() & Mmap.Prot.WRITE))

    # -- Python's mmap.mmap methods ----------------------------------------

    @property
    def closed(self):
        """Whether the map is closed."""
        return _c_get_closed(self)

    def close(self, /):
        """Closes the map.  Closing twice is fine.  Memoryviews stay valid."""
        _close(self)

    def _find(self, sub, start, end, c_from_pos, c_range):
        try:
            sub = _buffer_arg(sub)
            if start is not _MISSING:
                start = _ssize_arg(start)
                end = _SSIZE_MAX if end is _MISSING else _ssize_arg(end)
        except (TypeError, OverflowError, BufferError):
            self._check_open()
            raise
        try:
            if start is _MISSING:
                return c_from_pos(self, sub)
            return c_range(self, sub, start, end)
        except GLib.Error as e:
            raise _convert(e) from None

    def find(self, sub, start=_MISSING, end=_MISSING, /):
        """Lowest index of ``sub`` in ``[start, end)``, or -1.  ``start``
        defaults to the current position."""
        return self._find(sub, start, end, _c_find, _c_find_range)

    def rfind(self, sub, start=_MISSING, end=_MISSING, /):
        """Highest index of ``sub`` in ``[start, end)``, or -1.  ``start``
        defaults to the current position."""
        return self._find(sub, start, end, _c_rfind, _c_rfind_range)

    # -- bulk calls: one call for every match or line ----------------------

    def find_all(self, sub, /, start=None, end=None, max_count=-1):
        """Offsets of the non-overlapping occurrences of ``sub`` in
        ``[start, end)``, left to right, as ``re.finditer`` finds them: a
        list of ints, at most ``max_count`` long (-1: all).  An empty
        ``sub`` occurs at every offset from ``start`` to ``end``.  The
        bounds are clamped as ``find()`` clamps them."""
        sub, start, end, max_count = self._parse(
            (_buffer_arg, sub), (_start_arg, start), (_end_arg, end),
            (_max_count_arg, max_count))
        return _find_all(self, sub, start, end, max_count)

    def count(self, sub, /, start=None, end=None):
        """Number of non-overlapping occurrences of ``sub`` in
        ``[start, end)``: ``bytes.count`` over the map, without a copy
        (bounds past the end clamp to it, as ``find()`` clamps them)."""
        sub, start, end = self._parse(
            (_buffer_arg, sub), (_start_arg, start), (_end_arg, end))
        return _count(self, sub, start, end)

    def line_offsets(self, start=None, end=None, max_count=-1):
        """Offsets of the lines that start in ``[start, end)``: ``start``
        itself, then the offset after each newline that is not the last
        byte of the range.  A list of ints, at most ``max_count`` long
        (-1: all); ``m[offsets[i]:offsets[i + 1]]`` is line ``i``."""
        start, end, max_count = self._parse(
            (_start_arg, start), (_end_arg, end),
            (_max_count_arg, max_count))
        return _line_offsets(self, start, end, max_count)

    def flush(self, offset=0, size=_MISSING, /):
        """Writes changes back to the file (``msync``).  ``size`` defaults
        to the length of the map even when ``offset`` is given, as in
        Python.  Unlike Python, ``offset`` need not be page-aligned."""
        if size is _MISSING:
            offset, = self._parse((_ssize_arg, offset))
            size = _c_get_length(self)
        else:
            offset, size = self._parse((_ssize_arg, offset),
                                       (_ssize_arg, size))
        if size < 0:
            self._check_open()
            raise _mmap_error(_E.OUT_OF_RANGE, 'flush values out of range')
        _flush_range(self, offset, size)

    def madvise(self, option, start=0, length=_MISSING, /):
        """Advises the kernel about ``length`` bytes from ``start``
        (``length`` defaults to the rest of the map and is clamped).
        Unlike Python, ``start`` need not be page-aligned."""
        explicit = length is not _MISSING
        option, start, length = self._parse(
            (_int_arg, option), (_ssize_arg, start),
            (_ssize_arg, length if explicit else -1))
        advice = _ADVICE.get(option)
        if advice is None or (explicit and length < 0):
            # Python's checks, then the library's refusal of an unknown
            # option: PyGObject cannot pass one to it.
            self._check_open()
            if start < 0 or start >= _c_get_length(self):
                raise _mmap_error(_E.OUT_OF_RANGE,
                                  'madvise start out of bounds')
            if length < 0 and explicit:
                raise _mmap_error(_E.OUT_OF_RANGE, 'madvise length invalid')
            if explicit and _SSIZE_MAX - start < length:
                raise _mmap_error(_E.OVERFLOW, 'madvise length too large')
            raise MmapInvalidAdviceError(
                'madvise: invalid advice %d: [Errno 22] Invalid argument'
                % option, _MMAP_DOMAIN, int(_E.INVALID_ARGUMENT),
                _errno.EINVAL, os.strerror(_errno.EINVAL))
        _madvise_range(self, advice, start, length)

    def move(self, dest, src, count, /):
        """Copies ``count`` bytes from ``src`` to ``dest`` (may overlap)."""
        dest, src, count = self._parse((_ssize_arg, dest), (_ssize_arg, src),
                                       (_ssize_arg, count))
        _move(self, dest, src, count)

    def read(self, n=None, /):
        """Reads up to ``n`` bytes (all remaining when ``n`` is None or
        negative) and advances the position."""
        if n is None:
            n = -1
        elif n.__class__ is not int:
            try:
                n = operator.index(n)
            except TypeError:
                self._check_open()
                raise TypeError('argument should be integer or None, not '
                                "'%s'" % type(n).__name__) from None
        if not _SSIZE_MIN <= n <= _SSIZE_MAX:
            self._check_open()
            raise OverflowError("cannot fit 'int' into an index-sized integer")
        if n < 0:
            n = -1
        try:
            return _c_read(self, n).get_data()
        except GLib.Error as e:
            raise _convert(e) from None

    def read_byte(self, /):
        """Reads one byte as an int and advances the position."""
        try:
            return _c_read_byte(self)
        except GLib.Error as e:
            raise _convert(e) from None

    def readline(self, /):
        """Reads up to and including the next newline."""
        try:
            return _c_readline(self).get_data()
        except GLib.Error as e:
            raise _convert(e) from None

    def resize(self, newsize, /):
        """Changes the length of the map and sets the file size to
        ``offset + newsize``, as Python does: even a grow cuts a file that
        was longer than that.  ``resize(0)`` works here.  A resize that
        fails changes nothing (sizes, bytes, length, position)."""
        newsize, = self._parse((_ssize_arg, newsize))
        if newsize < 0:
            # Too large for the library's range check: it fails there,
            # after the checks Python makes first.
            newsize = 2 ** 64 - 1
        _resize(self, newsize)

    def seek(self, pos, whence=0, /):
        """Moves the position (whence 0: absolute, 1: relative to the
        position, 2: relative to the end) and returns the new one."""
        try:
            pos = _ssize_arg(pos)
            whence = _int_arg(whence)
        except (TypeError, OverflowError):
            self._check_open()
            raise
        if not 0 <= whence <= 2:
            self._check_open()
            raise _mmap_error(_E.INVALID_ARGUMENT, 'unknown seek type')
        try:
            return _c_seek(self, pos, _WHENCE[whence])
        except GLib.Error as e:
            raise _convert(e) from None

    def seekable(self, /):
        """Always True, as in Python."""
        return True

    def size(self, /):
        """The size of the whole file (``fstat``).  Maps without a tracked
        file descriptor raise OSError EBADF."""
        return _size(self)

    def tell(self, /):
        """The current position."""
        try:
            return _c_tell(self)
        except GLib.Error as e:
            raise _convert(e) from None

    def write(self, data, /):
        """Writes a bytes-like object at the position, advances it and
        returns the number of bytes written.

        A write that fails stores nothing and leaves the position, also
        when the file was truncated under the map before the call (OSError
        EIO).  Only a truncation racing the copy, or an I/O error on a
        page in the middle, can leave part of the data stored (the
        position still does not move)."""
        if data.__class__ is not bytes:
            try:
                data = _buffer_arg(data)
            except (TypeError, BufferError):
                self._check_open()
                raise
        try:
            return _c_write(self, data)
        except GLib.Error as e:
            raise _convert(e) from None

    def write_byte(self, byte, /):
        """Writes one byte (an int 0..255) and advances the position."""
        if byte.__class__ is not int or not 0 <= byte <= 255:
            byte, = self._parse((_long_arg, byte))
            if byte > 255:
                self._check_open()
                raise OverflowError('unsigned byte integer is greater than '
                                    'maximum')
            if byte < 0:
                self._check_open()
                raise OverflowError('unsigned byte integer is less than '
                                    'minimum')
        _write_byte(self, byte)

    # -- sequence protocol -------------------------------------------------

    def __len__(self):
        n = _c_get_length(self)
        if n == 0:
            self._check_open()
        return n

    def __bool__(self):
        return self.__len__() != 0

    def _index(self, key):
        """An int key -> C index, or raises Python's errors."""
        if key > _SSIZE_MAX or key < _SSIZE_MIN:
            self._check_open()
            raise IndexError("cannot fit 'int' into an index-sized integer")
        return key

    def __getitem__(self, key):
        if key.__class__ is int:
            try:
                return _c_get_byte(self, key)
            except GLib.Error as e:
                raise _convert(e) from None
            except OverflowError:
                return self._getitem_int(key)
        if isinstance(key, slice):
            try:
                start, stop, step = _unpack_slice(key)
            except TypeError:
                self._check_open()
                raise
            try:
                return _c_get_slice(self, start, stop, step).get_data()
            except GLib.Error as e:
                raise _convert(e) from None
        try:
            key = operator.index(key)
        except TypeError:
            self._check_open()
            raise TypeError('mmap indices must be integers') from None
        return self._getitem_int(key)

    def _getitem_int(self, key):
        key = self._index(key)
        try:
            return _c_get_byte(self, key)
        except GLib.Error as e:
            raise _convert(e) from None

    def __setitem__(self, key, value):
        """``m[i] = byte`` or ``m[slice] = data`` (as many bytes as the
        slice selects).  Like :meth:`write`, a failing store stores
        nothing when the file was truncated before the call."""
        if key.__class__ is int and value.__class__ is int \
                and 0 <= value <= 255:
            try:
                _c_set_byte(self, key, value)
                return
            except GLib.Error as e:
                raise _convert(e) from None
            except OverflowError:
                pass
        if isinstance(key, slice):
            self._setslice(key, value)
        else:
            self._setitem_int(key, value)

    def _setitem_int(self, key, value):
        # Python's order: closed, writable, index, value type, value range.
        self._check_writable()
        key = self._store_index(key)
        try:
            value = operator.index(value)
        except TypeError:
            raise TypeError('mmap item value must be an int') from None
        if not _SSIZE_MIN <= value <= _SSIZE_MAX:
            raise TypeError("cannot fit 'int' into an index-sized integer")
        if not 0 <= value <= 255:
            raise _mmap_error(_E.INVALID_ARGUMENT,
                              'mmap item value must be in range(0, 256)')
        try:
            _c_set_byte(self, key, value)
        except GLib.Error as e:
            raise _convert(e) from None

    def _setslice(self, key, value):
        try:
            start, stop, step = _unpack_slice(key)
            if step != 0:
                value = _buffer_arg(value)
        except (TypeError, BufferError):
            self._check_writable()
            raise
        if step == 0:
            value = b''
        try:
            _c_set_slice(self, start, stop, step, value)
        except GLib.Error as e:
            raise _convert(e) from None

    def __delitem__(self, key):
        self._check_writable()
        if isinstance(key, slice):
            raise TypeError("mmap object doesn't support slice deletion")
        self._store_index(key)
        raise TypeError("mmap doesn't support item deletion")

    def _store_index(self, key):
        # The index checks of m[i] = v and del m[i], in Python's order.
        try:
            key = operator.index(key)
        except TypeError:
            raise TypeError('mmap indices must be integer') from None
        key = self._index(key)
        n = _c_get_length(self)
        if not -n <= key < n:
            raise _mmap_error(_E.INDEX_OUT_OF_RANGE,
                              'mmap index out of range')
        return key

    def __iter__(self):
        # Like Python's: one byte per step, re-reading the length each time
        # (a resize during iteration is seen); yields length-1 bytes.
        return self._iter_bytes(0, 1)

    def __reversed__(self):
        return self._iter_bytes(self.__len__() - 1, -1)

    def _iter_bytes(self, i, step):
        # Walks from index i by step until the index leaves the map.
        get = _c_get_byte
        byte = _BYTE
        while i >= 0:
            try:
                value = get(self, i)
            except GLib.Error as e:
                if e.code == _E.INDEX_OUT_OF_RANGE and \
                        e.domain == _MMAP_DOMAIN:
                    return
                raise _convert(e) from None
            yield byte[value]
            i += step

    def __contains__(self, item):
        # Python compares each length-1 bytes with ==: only a length-1
        # bytes-like item can match.
        if isinstance(item, (bytes, bytearray, builtins.memoryview)):
            if len(item) != 1:
                self._check_open()
                return False
            return _find_range(self, bytes(item), 0, _SSIZE_MAX) >= 0
        if isinstance(item, (int, str, float)):
            self._check_open()
            return False
        return any(item == b for b in self)

    def __bytes__(self):
        return _get_slice(self, 0, _SSIZE_MAX, 1).get_data()

    # -- context manager, repr, pickling, ordering -------------------------

    def __enter__(self):
        self._check_open()
        return self

    def __exit__(self, *args):
        self.close()

    def __repr__(self):
        text = self.to_string()
        cls = type(self)
        name = 'mmap.mmap' if cls is Object else cls.__name__
        return '<' + name + text[len('<Mmap.Object'):]

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("cannot pickle 'mmap' object")

    def __reduce_ex__(self, protocol):
        if protocol < 2:
            raise TypeError("cannot pickle 'mmap' object")
        raise TypeError("cannot pickle 'mmap.mmap' object")

    def __copy__(self):
        raise TypeError("cannot pickle 'mmap.mmap' object")

    def __deepcopy__(self, memo):
        raise TypeError("cannot pickle 'mmap.mmap' object")

    def __lt__(self, other):
        return NotImplemented

    __le__ = __gt__ = __ge__ = __lt__

    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    # -- zero-copy access --------------------------------------------------

    def memoryview(self, start=0, length=-1):
        """A zero-copy ``memoryview`` (format ``'B'``) of ``length`` bytes
        from ``start`` (default: the whole map).

        It holds a :meth:`view` of the range: a reference on the mapping,
        so the memoryview stays valid after :meth:`close` (the memory is
        unmapped when the last view goes), and :meth:`resize` refuses
        (BufferError) while it lives; call ``release()`` on it or drop it
        to resize.  It is read-only unless the map itself is writable (not
        ACCESS_READ and mapped with PROT_WRITE); writes through a writable
        one change the map.  With the compiled helper the view is exported
        from C; without it, a ctypes array over the view's data backs it.
        """
        if _helper is not None:
            return _helper.memoryview(self, operator.index(start),
                                      operator.index(length))
        import ctypes
        gbytes = _view(self, start, length)
        address, size = _gbytes_address(gbytes)
        # Empty views too hold the GLib.Bytes: they count as exports.
        if size == 0 or not address:
            array = (ctypes.c_ubyte * 0)()
        else:
            array = (ctypes.c_ubyte * size).from_address(address)
        array._mmap_gbytes = gbytes
        view = builtins.memoryview(array).cast('B')
        return view if self._view_writable() else view.toreadonly()

    def __buffer__(self, flags):
        # PEP 688 (Python 3.12+): memoryview(m), bytearray(m), re, ...
        view = self.memoryview()
        if flags & 1 and view.readonly:  # inspect.BufferFlags.WRITABLE
            raise BufferError('Object is not writable.')
        return view


def _translate_other_errors(cls):
    """Gives every other method of Mmap.Object that can fail (populate,
    the async calls' finish, the streams, the GFile constructors, ...) the
    same exceptions as the methods above: each is wrapped unless the class
    defines it.  New API needs no list kept here."""
    for name in dir(_IObject):
        if name.startswith('_') or name in cls.__dict__:
            continue
        info = getattr(_IObject, name)
        if (not callable(getattr(info, 'can_throw_gerror', None))
                or not info.can_throw_gerror()
                or info.get_namespace() != 'Mmap'):
            continue
        wrapped = _python_errors(info)
        setattr(cls, name, wrapped if info.is_method()
                else staticmethod(wrapped))


_translate_other_errors(Object)
Object = override(Object)
__all__.append('Object')

if _helper is not None:
    # Replaces read, readline, find, write, seek, tell, ... and the
    # len/getitem/setitem slots by C code that falls back to the methods
    # above for unusual arguments, and adds the buffer protocol.
    _helper.setup(Object, _exception_from)

mmap = Object
__all__.append('mmap')

# --------------------------------------------------------------------------
# faulthandler installs its own SIGBUS handler: put the guard back in front


def _reinstall_guard_after(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        finally:
            Mmap.install_sigbus_guard()
    return wrapper


faulthandler.enable = _reinstall_guard_after(faulthandler.enable)
faulthandler.disable = _reinstall_guard_after(faulthandler.disable)


def _signal_reinstalling_guard(func):
    # signal.signal(SIGBUS, h): Python's own C handler only sets a flag and
    # returns, so a fault inside a library call would run again forever.
    @functools.wraps(func)
    def wrapper(signalnum, handler):
        try:
            return func(signalnum, handler)
        finally:
            if signalnum == _signal.SIGBUS:
                Mmap.install_sigbus_guard()
    return wrapper


_signal.signal = _signal_reinstalling_guard(_signal.signal)
