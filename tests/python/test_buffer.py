# The buffer protocol on every Mmap.Object: memoryview(m), bytearray(m),
# struct, re, hashlib, zlib, file and socket writes, numpy.  On Python 3.11
# it comes from the compiled helper (PEP 688's __buffer__ is 3.12+); the
# pure-Python override there only has m.memoryview() and bytes(m).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import ctypes
import gc
import hashlib
import io
import re
import socket
import struct
import sys
import zlib

import pytest
from gi.repository import GLib, Mmap

from conftest import (assert_mmap_error, have_buffer_protocol, have_helper)

E = Mmap.Error
CONTENT = b'GIF89a\x01\x00\x02\x00 line one\nline two\n'

needs_buffer = pytest.mark.skipif(not have_buffer_protocol(),
                                  reason='no buffer protocol in this run')


def anon(content=CONTENT):
    m = Mmap.mmap(-1, len(content))
    m[:] = content
    return m


@pytest.fixture
def read_only(make_file):
    path, fd = make_file(CONTENT)
    return Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)


@pytest.mark.skipif(have_buffer_protocol(), reason='buffer protocol here')
def test_without_helper_on_311_only_memoryview_method():
    m = anon()
    with pytest.raises(TypeError):
        memoryview(m)
    assert bytes(m) == CONTENT
    assert m.memoryview().tobytes() == CONTENT


@needs_buffer
def test_memoryview_shape_and_zero_copy():
    m = anon()
    view = memoryview(m)
    assert view.obj is m
    assert (view.format, view.itemsize, view.ndim) == ('B', 1, 1)
    assert view.nbytes == len(CONTENT) and view.c_contiguous
    assert view.readonly is False
    m[0] = ord('g')
    assert view[0] == ord('g')
    view[1:3] = b'if'
    assert m[:3] == b'gif'
    view.release()


@needs_buffer
def test_copies_through_the_buffer():
    m = anon()
    assert bytes(m) == CONTENT
    assert bytearray(m) == bytearray(CONTENT)
    assert hashlib.sha256(m).digest() == hashlib.sha256(CONTENT).digest()
    assert zlib.crc32(m) == zlib.crc32(CONTENT)
    assert zlib.adler32(m) == zlib.adler32(CONTENT)
    assert b''.join([m]) == CONTENT
    assert bytes(m).decode('latin-1') == str(m, 'latin-1')


@needs_buffer
def test_struct_unpack_and_pack():
    m = anon()
    assert struct.unpack_from('<6sHH', m, 0) == (b'GIF89a', 1, 2)
    struct.pack_into('<H', m, 6, 640)
    assert m[6:8] == struct.pack('<H', 640)
    assert list(struct.iter_unpack('<H', m[6:10])) == [(640,), (2,)]


@needs_buffer
def test_re_on_the_map():
    m = anon()
    match = re.search(rb'line (\w+)', m)
    assert match.group(1) == b'one' and match.span() == (11, 19)
    assert [x.group() for x in re.finditer(rb'line \w+', m)] == [
        b'line one', b'line two']
    assert re.compile(rb'^line \w+', re.M).findall(m) == [b'line two']


@needs_buffer
def test_file_and_socket_writes(tmp_path):
    m = anon()
    path = tmp_path / 'out'
    with open(path, 'wb') as f:
        assert f.write(m) == len(CONTENT)
    assert path.read_bytes() == CONTENT
    buffer = io.BytesIO()
    buffer.write(m)
    assert buffer.getvalue() == CONTENT
    a, b = socket.socketpair()
    with a, b:
        assert a.send(m) == len(CONTENT)
        assert b.recv(1024) == CONTENT


@needs_buffer
def test_readinto_the_map():
    m = Mmap.mmap(-1, 5)
    assert io.BytesIO(b'hello').readinto(m) == 5
    assert m[:] == b'hello'


@needs_buffer
def test_numpy_frombuffer():
    numpy = pytest.importorskip('numpy')
    m = anon(bytes(range(16)))
    array = numpy.frombuffer(m, dtype=numpy.uint8)
    assert array.tolist() == list(range(16))
    assert numpy.frombuffer(m, dtype='<u4')[0] == 0x03020100
    del array
    gc.collect()


@needs_buffer
def test_read_only_exports(read_only):
    m = read_only
    view = memoryview(m)
    assert view.readonly
    assert view.tobytes() == CONTENT
    with pytest.raises(TypeError):
        view[0] = 1
    with pytest.raises(TypeError):
        struct.pack_into('<H', m, 0, 1)
    with pytest.raises(TypeError, match='not writable'):
        ctypes.c_char.from_buffer(m)
    with pytest.raises(TypeError):
        io.BytesIO(b'x').readinto(m)
    assert bytes(m) == CONTENT
    prot = Mmap.mmap(-1, 4, prot=Mmap.PROT_READ)
    assert memoryview(prot).readonly


@needs_buffer
def test_writable_exports_of_copy_and_write_maps(make_file):
    path, fd = make_file(CONTENT)
    copy = Mmap.mmap(fd, 0, access=Mmap.ACCESS_COPY)
    with memoryview(copy) as view:
        assert not view.readonly
        view[0] = ord('X')
    assert copy[0] == ord('X') and path.read_bytes() == CONTENT
    write = Mmap.mmap(fd, 0, access=Mmap.ACCESS_WRITE)
    (ctypes.c_char * 1).from_buffer(write)[0] = b'Y'
    write.flush()
    assert path.read_bytes()[:1] == b'Y'


@needs_buffer
def test_exports_block_resize():
    m = Mmap.mmap(-1, 10)
    assert m.get_n_views() == 0
    view = memoryview(m)
    part = view[2:4]
    assert m.get_n_views() == 1
    with pytest.raises(BufferError) as info:
        m.resize(20)
    assert_mmap_error(info, BufferError, E.EXPORTS_EXIST)
    assert "mmap can't resize with extant buffers exported" in str(
        info.value)
    view.release()
    with pytest.raises(BufferError):
        m.resize(20)                  # the slice holds the export
    part.release()
    assert m.get_n_views() == 0
    m.resize(20)
    assert len(m) == 20
    # An export through another consumer is released with it.
    array = ctypes.c_char.from_buffer(m)
    assert m.get_n_views() == 1
    with pytest.raises(BufferError):
        m.resize(30)
    del array
    gc.collect()
    m.resize(30)
    assert len(m) == 30


@needs_buffer
def test_exports_outlive_close():
    m = anon(b'persist')
    view = memoryview(m)
    m.close()                          # CPython refuses; the mapping lives
    assert m.closed
    assert view.tobytes() == b'persist'
    view[0] = ord('P')
    assert bytes(view) == b'Persist'
    view.release()


@needs_buffer
def test_closed_and_uninitialised_maps_refuse():
    m = anon()
    m.close()
    with pytest.raises(ValueError) as info:
        memoryview(m)
    assert_mmap_error(info, ValueError, E.CLOSED)
    u = Mmap.Object(fd=-1, length=4)
    with pytest.raises(ValueError) as info:
        memoryview(u)
    assert isinstance(info.value, GLib.Error)


@needs_buffer
def test_empty_map_export():
    m = Mmap.mmap(-1, 0)
    view = memoryview(m)
    assert view.nbytes == 0 and bytes(view) == b''
    assert bytearray(m) == bytearray()
    view.release()
    m.resize(3)
    assert bytes(memoryview(m)) == bytes(3)


@needs_buffer
def test_write_from_own_buffer():
    m = anon(b'abcdef')
    m.seek(3)
    m.write(memoryview(m)[:3])
    assert m[:] == b'abcabc'
    m[0:3] = memoryview(m)[3:6]
    assert m.find(memoryview(m)[1:3], 0) == 1


def test_memoryview_method():
    m = anon()
    view = m.memoryview(2, 4)
    assert view.tobytes() == CONTENT[2:6]
    assert m.get_n_views() == 1
    with pytest.raises(BufferError):
        m.resize(4)
    view.release()
    gc.collect()
    assert m.get_n_views() == 0
    with pytest.raises(ValueError) as info:
        m.memoryview(len(CONTENT), 1)
    assert_mmap_error(info, ValueError, E.OUT_OF_RANGE)


def test_memoryview_method_without_ctypes():
    if not have_helper():
        pytest.skip('no helper in this run')
    m = anon()
    view = m.memoryview()
    assert type(view.obj).__name__ == 'RangeExport'
    assert not isinstance(view.obj, ctypes.Array)
    ro = Mmap.mmap(-1, 3, prot=Mmap.PROT_READ).memoryview(1)
    assert ro.readonly and ro.nbytes == 2


@pytest.mark.skipif(sys.version_info < (3, 12), reason='PEP 688 is 3.12+')
def test_pep688_buffer_dunder():
    m = anon()
    assert bytes(m.__buffer__(0)) == CONTENT
