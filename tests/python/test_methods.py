# Every mmap.mmap method with Python's arguments, results and errors.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import array
import errno
import os

import pytest
from gi.repository import GLib, Mmap

from conftest import assert_mmap_error

E = Mmap.Error


def anon(content):
    m = Mmap.mmap(-1, len(content))
    m[:] = content
    return m


def test_close_and_closed(mapped):
    assert mapped.closed is False
    assert mapped.close() is None
    assert mapped.closed is True
    assert mapped.close() is None          # idempotent
    with pytest.raises(AttributeError):
        mapped.closed = False


CLOSED_CALLS = [
    lambda m: m.find(b'a'), lambda m: m.rfind(b'a', 0, 3),
    lambda m: m.flush(), lambda m: m.madvise(Mmap.MADV_NORMAL),
    lambda m: m.move(0, 1, 1), lambda m: m.read(), lambda m: m.read(1),
    lambda m: m.read_byte(), lambda m: m.readline(), lambda m: m.resize(4),
    lambda m: m.seek(0), lambda m: m.size(), lambda m: m.tell(),
    lambda m: m.write(b'a'), lambda m: m.write_byte(1), lambda m: len(m),
    lambda m: m[0], lambda m: m[0:2], lambda m: m.__setitem__(0, 1),
    lambda m: m.__setitem__(slice(0, 1), b'a'), lambda m: bool(m),
    lambda m: list(m), lambda m: b'a' in m, lambda m: m.__enter__(),
    lambda m: bytes(m), lambda m: m.memoryview(),
    # Python checks closed before converting arguments:
    lambda m: m.write('str'), lambda m: m.read('x'), lambda m: m.find('a'),
    lambda m: m.seek('x'), lambda m: m[1.0], lambda m: m.write_byte('x'),
    lambda m: m.move('x', 1, 1), lambda m: m.flush('x'),
    lambda m: m.madvise('x'), lambda m: m.resize('x'),
    lambda m: m.__setitem__(slice(1, 2, 0), [1]),
]


@pytest.mark.parametrize('call', CLOSED_CALLS)
def test_closed_map_raises_valueerror(mapped, call):
    mapped.close()
    with pytest.raises(ValueError) as info:
        call(mapped)
    assert_mmap_error(info, ValueError, E.CLOSED)


def test_closed_map_still_answers(mapped):
    mapped.close()
    assert mapped.seekable() is True
    assert repr(mapped) == '<mmap.mmap closed=True>'
    mapped.__exit__(None, None, None)


def test_find_defaults_to_position(mapped):
    assert mapped.find(b'o') == 4
    mapped.seek(5)
    assert mapped.find(b'o') == 7
    assert mapped.rfind(b'o') == 7
    assert mapped.rfind(b'h') == -1
    assert mapped.find(b'o', 0) == 4
    assert mapped.rfind(b'o', 0) == 7
    assert mapped.find(b'o', 0, 5) == 4
    assert mapped.rfind(b'o', 0, 7) == 4
    assert mapped.find(b'o', -5) == 7
    assert mapped.find(b'world', 0, -1) == 6
    assert mapped.find(b'world', 0, -2) == -1
    assert mapped.find(b'zz', 0) == -1
    assert mapped.tell() == 5              # unchanged


def test_find_empty_needle_and_bytes_likes(mapped):
    assert mapped.find(b'', 13) == 12      # bytes.find would say -1
    assert mapped.rfind(b'', 0) == 12
    assert mapped.find(b'', 3, 1) == -1
    assert mapped.find(bytearray(b'wor'), 0) == 6
    assert mapped.find(memoryview(b'xxwor')[2:], 0) == 6
    assert mapped.find(array.array('B', b'ld'), 0) == 9


def test_find_argument_errors(mapped):
    with pytest.raises(TypeError, match="bytes-like object is required, "
                       "not 'str'"):
        mapped.find('o')
    with pytest.raises(TypeError, match="'NoneType' object cannot be"):
        mapped.find(b'o', None)
    with pytest.raises(TypeError):
        mapped.find(b'o', 1.0)
    with pytest.raises(OverflowError):
        mapped.find(b'o', 2 ** 70)
    with pytest.raises(TypeError):
        mapped.find(sub=b'o')              # positional only, as in Python


def test_flush(make_file):
    path, fd = make_file(b'x' * 10000)
    m = Mmap.mmap(fd, 0)
    m[0:3] = b'abc'
    assert m.flush() is None
    assert m.flush(0, 3) is None
    assert m.flush(0, 0) is None
    assert m.flush(5000, 10) is None       # unaligned offset: aligned here
    with pytest.raises(ValueError) as info:
        m.flush(4096)                      # size defaults to len(m)
    assert_mmap_error(info, ValueError, E.OUT_OF_RANGE)
    for args in ((-1,), (0, -1), (0, 10001)):
        with pytest.raises(ValueError) as info:
            m.flush(*args)
        assert_mmap_error(info, ValueError, E.OUT_OF_RANGE)
    assert path.read_bytes()[:3] == b'abc'


def test_flush_read_only_is_a_no_op(make_file):
    path, fd = make_file(b'abc')
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    assert m.flush() is None
    with pytest.raises(ValueError):
        m.flush(0, 4)                      # still validated


def test_madvise():
    m = Mmap.mmap(-1, 3 * Mmap.PAGESIZE)
    assert m.madvise(Mmap.MADV_NORMAL) is None
    assert m.madvise(Mmap.MADV_WILLNEED, 10) is None     # unaligned: fine
    assert m.madvise(Mmap.MADV_SEQUENTIAL, 0, 2 ** 40) is None  # clamped
    for args, code in (((Mmap.MADV_NORMAL, -1), E.OUT_OF_RANGE),
                       ((Mmap.MADV_NORMAL, len(m)), E.OUT_OF_RANGE),
                       ((Mmap.MADV_NORMAL, 0, -1), E.OUT_OF_RANGE),
                       ((Mmap.MADV_NORMAL, 1, 2 ** 63 - 1), E.OVERFLOW)):
        builtin = OverflowError if code == E.OVERFLOW else ValueError
        with pytest.raises(builtin) as info:
            m.madvise(*args)
        assert_mmap_error(info, builtin, code)
    with pytest.raises(OSError) as info:
        m.madvise(999)                     # the kernel's answer in Python
    assert info.value.errno == errno.EINVAL
    assert isinstance(info.value, GLib.Error)
    with pytest.raises(OverflowError):
        m.madvise(2 ** 31)


def test_madvise_new_advice():
    m = Mmap.mmap(-1, Mmap.PAGESIZE)
    try:
        m.madvise(Mmap.MADV_COLD)
    except OSError as e:                   # older kernels: NOT_SUPPORTED
        assert e.errno == errno.EINVAL
        assert e.matches(Mmap.error_quark(), E.NOT_SUPPORTED)


def test_move():
    m = anon(b'0123456789')
    assert m.move(2, 0, 5) is None
    assert m[:] == b'0101234789'
    m.move(0, 5, 5)
    assert m[:] == b'3478934789'
    assert m.tell() == 0
    for args in ((0, 0, 11), (-1, 0, 1), (0, 6, 5), (0, 0, -1)):
        with pytest.raises(ValueError) as info:
            m.move(*args)
        assert_mmap_error(info, ValueError, E.OUT_OF_RANGE)
    with pytest.raises(TypeError):
        m.move(0, 'a', 1)
    with pytest.raises(TypeError):
        m.move(0, 1)


def test_read(mapped):
    assert mapped.read(5) == b'hello'
    assert mapped.tell() == 5
    assert mapped.read(True) == b' '
    assert mapped.read(-3) == b'world\n'
    assert mapped.read() == b''
    mapped.seek(0)
    assert mapped.read(None) == b'hello world\n'
    mapped.seek(0)
    assert mapped.read(100) == b'hello world\n'
    assert type(mapped.read(0)) is bytes


def test_read_argument_errors(mapped):
    with pytest.raises(TypeError, match="integer or None, not 'str'"):
        mapped.read('x')
    with pytest.raises(TypeError, match="not 'float'"):
        mapped.read(1.0)
    with pytest.raises(OverflowError):
        mapped.read(2 ** 63)
    with pytest.raises(TypeError):
        mapped.read(1, 2)
    with pytest.raises(TypeError):
        mapped.read(n=1)


def test_read_byte_and_readline(mapped):
    assert mapped.read_byte() == ord('h')
    assert mapped.readline() == b'ello world\n'
    assert mapped.readline() == b''
    with pytest.raises(ValueError) as info:
        mapped.read_byte()
    assert_mmap_error(info, ValueError, E.OUT_OF_RANGE)
    m = anon(b'a\nb')
    assert [m.readline(), m.readline(), m.readline()] == [b'a\n', b'b', b'']


def test_resize_file(make_file):
    path, fd = make_file(b'0123456789' * 10)
    m = Mmap.mmap(fd, 10)
    m.seek(8)
    assert m.resize(20) is None
    assert len(m) == 20
    assert os.path.getsize(path) == 20     # Python parity: offset + size
    assert m.size() == 20
    m.resize(5)
    assert m.tell() == 8                   # pos stays, past the end
    assert m.read() == b''
    with pytest.raises(ValueError):
        m.write(b'')
    assert path.read_bytes() == b'01234'
    assert m.resize(0) is None             # improvement: valid empty map
    assert len(m) == 0


def test_resize_errors(make_file):
    path, fd = make_file(b'abc')
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    with pytest.raises(TypeError) as info:
        m.resize(5)
    assert_mmap_error(info, TypeError, E.NOT_RESIZABLE)
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_COPY)
    with pytest.raises(TypeError) as info:
        m.resize(5)
    assert_mmap_error(info, TypeError, E.NOT_RESIZABLE)
    m = Mmap.mmap(fd, 0, trackfd=False)
    with pytest.raises(ValueError) as info:
        m.resize(5)
    assert_mmap_error(info, ValueError, E.NO_TRACKED_FD)
    m = Mmap.mmap(fd, 0)
    with pytest.raises(ValueError) as info:
        m.resize(-1)
    assert_mmap_error(info, ValueError, E.OUT_OF_RANGE)
    view = m.memoryview()
    with pytest.raises(BufferError) as info:
        m.resize(5)
    assert_mmap_error(info, BufferError, E.EXPORTS_EXIST)
    with pytest.raises(BufferError):
        m.resize(-1)                       # exports are checked first
    view.release()
    m.resize(5)
    assert len(m) == 5


def test_resize_anonymous_grows():
    m = anon(b'abc')
    m.resize(6)
    assert m[:] == b'abc\0\0\0'


def test_seek(mapped):
    assert mapped.seek(3) == 3
    assert mapped.seek(2, 1) == 5
    assert mapped.seek(-1, 2) == 11
    assert mapped.seek(0, 2) == 12         # exactly len is allowed
    assert mapped.seek(0, os.SEEK_SET) == 0
    for args in ((13,), (-1,), (1, 2), (-13, 2)):
        with pytest.raises(ValueError) as info:
            mapped.seek(*args)
        assert_mmap_error(info, ValueError, E.OUT_OF_RANGE)
    assert mapped.tell() == 0              # failed seeks move nothing
    for whence in (3, -1, os.SEEK_DATA):
        with pytest.raises(ValueError) as info:
            mapped.seek(0, whence)
        assert_mmap_error(info, ValueError, E.INVALID_ARGUMENT)
    with pytest.raises(OverflowError):
        mapped.seek(0, 2 ** 31)
    with pytest.raises(OverflowError):
        mapped.seek(2 ** 63)
    with pytest.raises(TypeError):
        mapped.seek()
    assert mapped.seekable() is True


def test_size_and_tell(make_file):
    path, fd = make_file(b'x' * 5000)
    m = Mmap.mmap(fd, 100, offset=4096)
    assert m.size() == 5000                # the whole file
    assert m.tell() == 0
    os.truncate(path, 6000)
    assert m.size() == 6000
    anon_map = Mmap.mmap(-1, 4)
    with pytest.raises(OSError) as info:
        anon_map.size()
    e = info.value
    assert e.errno == errno.EBADF and e.strerror == os.strerror(errno.EBADF)
    assert isinstance(e, GLib.Error)
    assert e.matches(Mmap.error_quark(), E.NO_TRACKED_FD)


def test_write(mapped):
    assert mapped.write(b'HE') == 2
    assert mapped.write(bytearray(b'LL')) == 2
    assert mapped.write(memoryview(b'O')) == 1
    assert mapped.write(array.array('B', b'_')) == 1
    assert mapped.write(array.array('h', [0x5757])) == 2   # bytes, not items
    assert mapped.write(b'') == 0
    assert mapped.tell() == 8
    assert mapped[:] == b'HELLO_WWrld\n'
    with pytest.raises(ValueError) as info:
        mapped.write(b'12345')             # never partial
    assert_mmap_error(info, ValueError, E.OUT_OF_RANGE)
    assert mapped.tell() == 8
    assert mapped[:] == b'HELLO_WWrld\n'
    with pytest.raises(TypeError, match="not 'str'"):
        mapped.write('str')
    with pytest.raises(BufferError, match='not C-contiguous'):
        mapped.write(memoryview(b'abcd')[::2])
    other = anon(b'xy')
    assert mapped.write(other) == 2        # another map as the data


def test_write_byte(mapped):
    assert mapped.write_byte(ord('J')) is None
    assert mapped.tell() == 1
    mapped.write_byte(True)
    assert mapped[:2] == b'J\x01'
    with pytest.raises(OverflowError, match='greater than maximum'):
        mapped.write_byte(256)
    with pytest.raises(OverflowError, match='less than minimum'):
        mapped.write_byte(-1)
    with pytest.raises(TypeError, match="'bytes' object cannot be"):
        mapped.write_byte(b'a')
    mapped.seek(0, 2)
    with pytest.raises(ValueError) as info:
        mapped.write_byte(1)
    assert_mmap_error(info, ValueError, E.OUT_OF_RANGE)


READ_ONLY_CALLS = [
    lambda m: m.write(b'a'), lambda m: m.write_byte(1),
    lambda m: m.move(0, 1, 1), lambda m: m.move(0, 1, 100),
    lambda m: m.__setitem__(0, 1), lambda m: m.__setitem__(0, 'x'),
    lambda m: m.__setitem__(slice(0, 1), b'a'),
    lambda m: m.__setitem__(slice(0, 1), [1]),
    lambda m: m.__delitem__(0), lambda m: m.__delitem__(slice(0, 1)),
]


@pytest.mark.parametrize('call', READ_ONLY_CALLS)
def test_read_only_map_refuses_writes(make_file, call):
    path, fd = make_file(b'abc')
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    with pytest.raises(TypeError) as info:
        call(m)
    assert_mmap_error(info, TypeError, E.READ_ONLY)
    assert path.read_bytes() == b'abc'


def test_prot_exec_read_is_read_only(make_file):
    path, fd = make_file(b'abc')
    m = Mmap.mmap(fd, 0, prot=Mmap.PROT_READ | Mmap.PROT_EXEC)
    assert m.get_access() == Mmap.Access.READ
    with pytest.raises(TypeError):
        m.write(b'x')


def test_prot_none_refuses_reads_instead_of_crashing():
    m = Mmap.mmap(-1, 10, prot=Mmap.PROT_NONE)
    for call in (lambda: m.read(), lambda: m[0], lambda: m.find(b'a', 0),
                 lambda: m.memoryview()):
        with pytest.raises(ValueError) as info:
            call()
        assert_mmap_error(info, ValueError, E.NOT_ACCESSIBLE)


def test_copy_map_keeps_the_file(make_file):
    path, fd = make_file(b'abc')
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_COPY)
    m[:] = b'xyz'
    m.flush()
    assert m[:] == b'xyz'
    assert path.read_bytes() == b'abc'


def test_write_access_reaches_the_file(make_file):
    path, fd = make_file(b'abc')
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_WRITE)
    m[1] = ord('B')
    m.flush()
    assert path.read_bytes() == b'aBc'


def test_c_functions_stay_reachable(mapped):
    raw = Mmap.Object.__base__
    assert raw.read(mapped, 5).get_data() == b'hello'
    assert mapped.find_range(b'o', 0, 2 ** 63 - 1) == 4
    assert mapped.get_slice(0, 2, 1).get_data() == b'he'
    assert mapped.to_string().startswith('<Mmap.Object closed=False')
    with pytest.raises(GLib.Error):
        raw.seek(mapped, 100, GLib.SeekType.SET)
