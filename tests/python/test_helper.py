# The compiled helper (gi/overrides/_mmap_helper): present exactly when the
# build made it, and its fast paths give the same results and errors as the
# pure-Python override.  Every test but the first runs in both variants of
# the suite (with and without the helper) and asserts the same thing.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os

import pytest
from gi.repository import GLib, Mmap

from conftest import assert_mmap_error, have_helper, override_module

E = Mmap.Error
BIG = 64 * 1024        # the helper releases the GIL from this size on
FAST = ('read', 'read_byte', 'readline', 'write', 'write_byte', 'find',
        'rfind', 'seek', 'tell', 'flush', 'resize', 'close')


def test_helper_is_used_when_built():
    module = override_module()
    if os.environ.get('MMAP_TEST_EXPECT_HELPER') == '1':
        assert module._helper is not None
        assert module._helper.__name__ == 'gi.overrides._mmap_helper'
        for name in FAST:
            method = Mmap.Object.__dict__[name]
            assert type(method).__name__ == 'method_descriptor', name
    else:
        assert module._helper is None
        for name in FAST:
            assert type(Mmap.Object.__dict__[name]).__name__ == 'function'


def anon(content):
    m = Mmap.mmap(-1, len(content))
    m[:] = content
    return m


def test_read_argument_forms():
    m = anon(b'0123456789')
    assert m.read(2) == b'01'
    assert m.read(True) == b'2'           # bool: the Python path
    assert m.read(None) == b'3456789'
    m.seek(0)
    assert m.read(-5) == b'0123456789'
    m.seek(3)
    assert m.read(2 ** 62) == b'3456789'
    assert m.read(4) == b''
    m.seek(8)
    assert m.read() == b'89'
    with pytest.raises(OverflowError):
        m.read(2 ** 63)
    with pytest.raises(TypeError, match='integer or None'):
        m.read('x')


def test_read_after_shrink_is_empty():
    m = anon(b'abcdef')
    m.seek(5)
    m.resize(3)
    assert m.tell() == 5
    assert m.read() == b''
    assert m.read(2) == b''
    assert m.readline() == b''


@pytest.mark.parametrize('size', [BIG, 3 * BIG + 7])
def test_big_read_and_write(size):
    content = bytes(range(256)) * (size // 256) + b'x' * (size % 256)
    m = Mmap.mmap(-1, size)
    assert m.write(content) == size
    assert m.tell() == size
    m.seek(0)
    assert m.read(size) == content
    m.seek(0)
    assert m.write(bytearray(content[::-1])) == size
    assert m[:] == content[::-1]
    m[:] = content
    assert bytes(m) == content
    assert m[::-1] == content[::-1]
    assert m[1:size:3] == content[1:size:3]


@pytest.mark.parametrize('length', [1, 4095, 4096, 4097, 10000])
def test_readline_any_length(length):
    line = b'y' * (length - 1) + b'\n'
    m = anon(line + line + b'tail')
    assert m.readline() == line
    assert m.tell() == length
    assert m.readline() == line
    assert m.readline() == b'tail'
    assert m.readline() == b''


def test_readline_long_without_newline():
    content = b'z' * 9000
    m = anon(content)
    assert m.readline() == content
    assert m.tell() == 9000


def test_find_argument_forms():
    m = anon(b'abcabcabc')
    assert m.find(b'c') == 2
    assert m.find(b'c', 3) == 5
    assert m.find(b'c', -2) == 8
    assert m.find(b'c', 0, 2) == -1
    assert m.find(bytearray(b'ca')) == 2
    assert m.find(memoryview(b'bc'), 2) == 4
    assert m.find(b'', 13) == 9
    assert m.rfind(b'ab') == 6
    assert m.rfind(b'ab', 0, 6) == 3
    with pytest.raises(OverflowError):
        m.find(b'a', 2 ** 70)
    m.seek(4)
    assert m.find(b'a') == 6                 # from the position
    assert m.rfind(b'a') == 6
    with pytest.raises(TypeError, match='bytes-like'):
        m.find('a')


def test_find_large_window():
    size = 4 * BIG
    m = Mmap.mmap(-1, size)
    m[size - 6:] = b'NEEDLE'
    assert m.find(b'NEEDLE') == size - 6
    assert m.find(b'NEEDLE', 0, size - 1) == -1
    assert m.rfind(b'\0NEEDLE', 0) == size - 7


def test_seek_and_tell():
    m = anon(b'0123456789')
    assert m.seek(4) == 4
    assert m.seek(2, 1) == 6
    assert m.seek(-1, 2) == 9
    assert m.seek(True) == 1
    assert m.tell() == 1
    with pytest.raises(ValueError) as info:
        m.seek(0, 3)
    assert_mmap_error(info, ValueError, E.INVALID_ARGUMENT)
    with pytest.raises(ValueError) as info:
        m.seek(11)
    assert_mmap_error(info, ValueError, E.OUT_OF_RANGE)
    with pytest.raises(OverflowError):
        m.seek(2 ** 63)
    assert m.tell() == 1


def test_item_forms():
    m = anon(b'abcdef')
    assert m[0] == ord('a')
    assert m[-1] == ord('f')
    assert m[True] == ord('b')
    assert m[1:4] == b'bcd'
    assert m[::-2] == b'fdb'
    assert m[-100:100] == b'abcdef'
    assert m[::2 ** 70] == b'a'
    m[0] = 65
    m[-1] = 70
    m[1:3] = b'BC'
    m[3:5] = bytearray(b'DE')
    m[True] = 66
    assert m[:] == b'ABCDEF'
    with pytest.raises(IndexError) as info:
        m[6]
    assert_mmap_error(info, IndexError, E.INDEX_OUT_OF_RANGE)
    with pytest.raises(IndexError):
        m[2 ** 63]
    with pytest.raises(IndexError) as info:
        m[1:3] = b'x'
    assert_mmap_error(info, IndexError, E.WRONG_SIZE)
    with pytest.raises(ValueError, match='zero'):
        m[::0]
    with pytest.raises(ValueError, match=r'range\(0, 256\)'):
        m[0] = 256
    with pytest.raises(TypeError, match="doesn't support item deletion"):
        del m[0]
    with pytest.raises(TypeError, match='integers'):
        m[1.0]
    assert m[:] == b'ABCDEF'


def test_len_of_empty_and_closed_maps():
    m = Mmap.mmap(-1, 0)
    assert len(m) == 0
    assert not m
    m.close()
    with pytest.raises(ValueError) as info:
        len(m)
    assert_mmap_error(info, ValueError, E.CLOSED)


def test_read_only_map_refuses_writes():
    m = Mmap.mmap(-1, 4, prot=Mmap.PROT_READ)
    for op in (lambda: m.write(b'a'), lambda: m.write_byte(1),
               lambda: m.__setitem__(0, 1),
               lambda: m.__setitem__(slice(0, 1), b'a')):
        with pytest.raises(TypeError) as info:
            op()
        assert_mmap_error(info, TypeError, E.READ_ONLY)


def test_write_byte_and_read_byte():
    m = Mmap.mmap(-1, 2)
    m.write_byte(7)
    m.write_byte(True)
    with pytest.raises(ValueError) as info:
        m.write_byte(1)
    assert_mmap_error(info, ValueError, E.OUT_OF_RANGE)
    with pytest.raises(OverflowError):
        m.write_byte(256)
    m.seek(0)
    assert (m.read_byte(), m.read_byte()) == (7, 1)
    with pytest.raises(ValueError) as info:
        m.read_byte()
    assert_mmap_error(info, ValueError, E.OUT_OF_RANGE)


def test_flush_resize_close(make_file):
    path, fd = make_file(b'a' * 100)
    m = Mmap.mmap(fd, 0)
    m[0] = ord('b')
    assert m.flush() is None
    assert m.flush(0) is None
    assert m.flush(0, 10) is None
    with pytest.raises(ValueError, match='flush values out of range'):
        m.flush(0, -1)
    assert path.read_bytes()[:2] == b'ba'
    assert m.resize(200) is None
    assert len(m) == 200 and os.path.getsize(path) == 200
    with pytest.raises(ValueError):
        m.resize(-1)
    assert m.close() is None
    assert m.close() is None
    assert m.closed


def test_errors_are_glib_errors_with_errno(make_file):
    path, fd = make_file(b'abc' * 4096)
    m = Mmap.mmap(fd, 0)
    os.truncate(path, 0)
    with pytest.raises(OSError) as info:
        m.read(10)
    assert isinstance(info.value, GLib.Error)
    assert info.value.errno == 5
    with pytest.raises(OSError) as info:
        m.readline()
    assert info.value.errno == 5
    with pytest.raises(OSError):
        m[5:9]


def test_uninitialised_object_raises():
    m = Mmap.Object(fd=-1, length=4)
    for op in (lambda: m.read(1), lambda: m.tell(), lambda: m[0],
               lambda: m.find(b'a')):
        with pytest.raises(ValueError) as info:
            op()
        assert_mmap_error(info, ValueError, E.NOT_INITIALIZED)


def test_helper_class_refuses_others():
    if not have_helper():
        pytest.skip('no helper in this run')
    helper = override_module()._helper
    with pytest.raises(TypeError):
        Mmap.Object.read(object())
    with pytest.raises(TypeError):
        helper.memoryview(object(), 0, -1)
    with pytest.raises(RuntimeError, match='once'):
        helper.setup(Mmap.Object, lambda *a: None)


def test_exception_classes_are_literal_and_pickle():
    import pickle
    module = override_module()
    pairs = [('MmapValueError', ValueError), ('MmapTypeError', TypeError),
             ('MmapIndexError', IndexError), ('MmapBufferError', BufferError),
             ('MmapOverflowError', OverflowError), ('MmapOSError', OSError)]
    for name, builtin in pairs:
        cls = getattr(Mmap, name)
        assert cls is getattr(module, name)
        assert issubclass(cls, GLib.Error) and issubclass(cls, builtin)
        # Read as Python's own: the builtin class straight after the class,
        # before GLib.Error and its RuntimeError.
        assert cls.__mro__[1] is builtin
        assert cls.__mro__.index(builtin) < cls.__mro__.index(RuntimeError)
        assert cls.__module__ == 'gi.repository.Mmap'
        assert builtin.__name__ in cls.__doc__
        e = cls('text', 'mmap-error-quark', 3)
        copy = pickle.loads(pickle.dumps(e))
        assert type(copy) is cls and str(copy) == 'text' and copy.code == 3
    assert issubclass(Mmap.MmapInvalidAdviceError, Mmap.MmapOSError)
    assert issubclass(Mmap.MmapInvalidAdviceError, ValueError)


def test_one_error_factory_for_both_paths():
    module = override_module()
    make = module._exception_from
    e = make('mmap-error-quark', int(E.CLOSED), 'tell: mmap closed', 0)
    assert type(e) is Mmap.MmapValueError and e.code == int(E.CLOSED)
    e = make('g-io-error-quark', 14, 'mmap: [Errno 13] Permission denied',
             13)
    assert isinstance(e, PermissionError) and isinstance(e, GLib.Error)
    assert e.errno == 13 and e.strerror == os.strerror(13)
    e = make('mmap-error-quark', int(E.NO_TRACKED_FD), 'size: no fd', 0,
             True)
    assert isinstance(e, OSError) and e.errno == 9
    e = make('other-domain', 1, 'foreign', 0)
    assert type(e) is GLib.Error and e.message == 'foreign'


def test_argument_errors_come_after_the_closed_check():
    m = Mmap.mmap(-1, 4)
    with pytest.raises(TypeError):
        m.move('x', 0, 1)
    with pytest.raises(OverflowError):
        m.resize(2 ** 63)
    with pytest.raises(TypeError):
        m.madvise(Mmap.MADV_NORMAL, 'x')
    with pytest.raises(TypeError):
        m.flush('x')
    m.close()
    for op in (lambda: m.move('x', 0, 1), lambda: m.resize(2 ** 63),
               lambda: m.madvise(Mmap.MADV_NORMAL, 'x'),
               lambda: m.flush(0, 'x'), lambda: m.write_byte('x')):
        with pytest.raises(ValueError) as info:
            op()
        assert_mmap_error(info, ValueError, E.CLOSED)


def test_notify_handlers_run_during_gil_free_calls():
    # resize() and close() run without the GIL; the library emits notify
    # after releasing its lock, and PyGObject takes the GIL for the
    # handler.
    m = Mmap.mmap(-1, 4)
    seen = []
    m.connect('notify::length',
              lambda obj, pspec: seen.append(obj.get_length()))
    m.connect('notify::closed', lambda obj, pspec: seen.append(obj.closed))
    m.resize(8)
    m.close()
    assert seen[0] == 8
    assert True in seen[1:] and 0 in seen[1:]


def test_methods_keep_their_docstrings():
    assert 'Reads up to' in Mmap.Object.read.__doc__
    assert 'position' in Mmap.Object.seek.__doc__
    assert Mmap.Object.find.__doc__.startswith('Lowest index')
