# GIO streams over a map: Mmap.InputStream and Mmap.OutputStream from
# Mmap.Object.open_input_stream()/open_output_stream(), their own positions,
# the zero-copy read_bytes(), GSeekable, the pollable interface, the async
# calls GIO gives every stream (callbacks and a GLib.MainLoop), and the GIO
# consumers that read a map through them: Gio.DataInputStream,
# Gio.ConverterInputStream with Gio.ZlibDecompressor, splice and GdkPixbuf.
#
# PyGObject cannot call GIO's calls that fill a caller's buffer
# (Gio.InputStream.read, read_all, read_all_async,
# Gio.PollableInputStream.read_nonblocking: their count is hidden and the
# buffer they write is not the caller's), so the copying read path is
# reached through Gio.InputStream.read_bytes (which calls read() in C) and
# read_nonblocking through ctypes.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import ctypes
import errno
import gc
import gzip
import os
import random

import gi
import pytest
from gi.repository import Gio, GLib, Mmap

from conftest import assert_mmap_error

E = Mmap.Error
IO = Gio.IOErrorEnum
SET, CUR, END = GLib.SeekType.SET, GLib.SeekType.CUR, GLib.SeekType.END
SPLICE_CLOSE_BOTH = (Gio.OutputStreamSpliceFlags.CLOSE_SOURCE
                     | Gio.OutputStreamSpliceFlags.CLOSE_TARGET)
CONTENT = b'hello world\nsecond line\n'          # 24 bytes


# --------------------------------------------------------------------------
# Helpers

@pytest.fixture
def mapped_file(make_file):
    """mapped_file(content=CONTENT, access=ACCESS_DEFAULT) -> (map, path);
    every map is closed afterwards."""
    maps = []

    def make(content=CONTENT, access=Mmap.ACCESS_DEFAULT, name='data'):
        path, fd = make_file(content, name=name)
        m = Mmap.mmap(fd, 0, access=access)
        maps.append(m)
        return m, path

    yield make
    for m in maps:
        m.close()


def gio_read(stream, count):
    """Gio's copying read (g_input_stream_read_bytes calls the stream's
    read()), not the zero-copy Mmap.InputStream.read_bytes."""
    return Gio.InputStream.read_bytes(stream, count, None).get_data()


def read_to_end(stream, chunk=7):
    """Everything left in a stream, through Gio's read in small chunks."""
    parts = []
    while True:
        data = gio_read(stream, chunk)
        if not data:
            return b''.join(parts)
        parts.append(data)


def raises_io(code):
    """pytest.raises for a GLib.Error in G_IO_ERROR with @code."""
    return _RaisesCode(Gio.io_error_quark(), code)


def raises_mmap(code):
    """pytest.raises for a GLib.Error in MMAP_ERROR with @code."""
    return _RaisesCode(Mmap.error_quark(), code)


class _RaisesCode:
    def __init__(self, domain, code):
        self.domain = domain
        self.code = code
        self.error = None

    def __enter__(self):
        self._ctx = pytest.raises(GLib.Error)
        self._info = self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        handled = self._ctx.__exit__(*exc)
        self.error = self._info.value
        assert self.error.matches(self.domain, self.code), (
            self.error.domain, self.error.code, self.error.message)
        return handled


def run_loop(start, timeout_ms=10000):
    """Calls start(done) and runs a GLib.MainLoop until done(*values) has
    been called; returns the values. Fails after @timeout_ms."""
    loop = GLib.MainLoop()
    results = []
    timed_out = []

    def done(*values):
        results.append(values)
        loop.quit()

    def on_timeout():
        timed_out.append(True)
        loop.quit()
        return GLib.SOURCE_REMOVE

    timer = GLib.timeout_add(timeout_ms, on_timeout)
    start(done)
    loop.run()
    if not timed_out:
        GLib.source_remove(timer)
    assert not timed_out, 'the main loop timed out'
    assert len(results) == 1
    return results[0]


def gobject_pointer(obj):
    """The C address of a GObject wrapped by PyGObject."""
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype = ctypes.c_void_p
    get.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return get(obj.__gpointer__, None)


_libgio = None


def read_nonblocking(stream, count):
    """g_pollable_input_stream_read_nonblocking through ctypes: the bytes
    read, or raises OSError with the GError's message."""
    global _libgio
    if _libgio is None:
        _libgio = ctypes.CDLL('libgio-2.0.so.0')
        _libgio.g_pollable_input_stream_read_nonblocking.restype = \
            ctypes.c_ssize_t
        _libgio.g_pollable_input_stream_read_nonblocking.argtypes = [
            ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
            ctypes.c_void_p, ctypes.c_void_p]
    buffer = ctypes.create_string_buffer(max(count, 1))
    n = _libgio.g_pollable_input_stream_read_nonblocking(
        gobject_pointer(stream), buffer, count, None, None)
    assert n >= 0, 'read_nonblocking failed'
    return buffer.raw[:n]


# --------------------------------------------------------------------------
# Input stream: opening, reading, positions

def test_input_stream_types(mapped_file):
    m, path = mapped_file()
    s = m.open_input_stream(0, -1)
    assert isinstance(s, Mmap.InputStream)
    assert isinstance(s, Gio.InputStream)
    assert isinstance(s, Gio.Seekable)
    assert isinstance(s, Gio.PollableInputStream)
    assert not s.is_closed()
    s.close(None)
    assert s.is_closed()


def test_input_stream_sub_range(mapped_file):
    m, path = mapped_file()
    s = m.open_input_stream(6, 5)
    assert gio_read(s, 100) == b'world'
    assert gio_read(s, 100) == b''           # the range ends there
    s.close(None)

    s = m.open_input_stream(12, -1)          # -1: to the end of the map
    assert read_to_end(s) == b'second line\n'
    assert s.tell() == 12
    s.close(None)

    s = m.open_input_stream(0, -1)
    assert read_to_end(s, chunk=5) == CONTENT
    s.close(None)


def test_input_stream_empty_ranges(mapped_file):
    m, path = mapped_file()
    for offset, length in ((len(CONTENT), -1), (len(CONTENT), 0), (3, 0)):
        s = m.open_input_stream(offset, length)
        assert gio_read(s, 10) == b''
        assert s.read_bytes(10, None).get_size() == 0
        s.close(None)


@pytest.mark.parametrize('offset,length', [
    (len(CONTENT) + 1, -1),
    (len(CONTENT) + 1, 0),
    (0, len(CONTENT) + 1),
    (20, 5),
    (0, -2),
    (2 ** 63, 1),
])
def test_input_stream_out_of_range(mapped_file, offset, length):
    m, path = mapped_file()
    with raises_mmap(E.OUT_OF_RANGE):
        m.open_input_stream(offset, length)
    assert m.get_n_views() == 0


def test_input_stream_has_its_own_position(mapped_file):
    m, path = mapped_file()
    m.seek(3)
    s = m.open_input_stream(0, -1)
    assert s.tell() == 0                      # not the map's 3
    assert gio_read(s, 5) == b'hello'
    assert m.tell() == 3                      # reading does not move the map
    assert s.read_bytes(6, None).get_data() == b' world'
    assert m.tell() == 3
    m.seek(20)                                # moving the map does not move it
    assert s.tell() == 11
    assert gio_read(s, 1) == b'\n'
    assert m.read(4) == b'ine\n'              # nor does the map read its bytes
    assert s.tell() == 12
    s.seek(0, SET, None)
    assert m.tell() == 24
    s.close(None)


def test_two_streams_are_independent(mapped_file):
    m, path = mapped_file()
    a = m.open_input_stream(0, 11)
    b = m.open_input_stream(12, 6)
    assert gio_read(a, 6) == b'hello '
    assert gio_read(b, 3) == b'sec'
    assert gio_read(a, 100) == b'world'
    assert gio_read(b, 100) == b'ond'
    a.close(None)
    b.close(None)


def test_read_bytes_is_zero_copy(mapped_file):
    m, path = mapped_file()
    s = m.open_input_stream(6, -1)
    part = s.read_bytes(5, None)
    assert isinstance(part, GLib.Bytes)
    assert part.get_data() == b'world'
    assert s.tell() == 5
    # It shares the mapped memory: a later write to the map shows in it.
    m[6] = ord('W')
    assert part.get_data() == b'World'
    # The same address as a view of those bytes.
    import gi.overrides.Mmap as override
    view = m.view(6, 5)
    assert override._gbytes_address(part) == override._gbytes_address(view)
    del view
    # A count past the end is short; at the end the GBytes is empty.
    assert s.read_bytes(1000, None).get_data() == b'\nsecond line\n'
    end = s.read_bytes(1000, None)
    assert isinstance(end, GLib.Bytes) and end.get_size() == 0
    assert s.read_bytes(0, None).get_size() == 0
    s.close(None)


def test_read_copies_with_gio_read(mapped_file):
    m, path = mapped_file()
    s = m.open_input_stream(0, -1)
    copy = Gio.InputStream.read_bytes(s, 5, None)
    m[0] = ord('H')
    assert copy.get_data() == b'hello'        # read() copies
    assert s.read_bytes(1, None).get_data() == b' '
    s.close(None)


def test_read_bytes_outlives_map_and_stream(mapped_file):
    m, path = mapped_file()
    s = m.open_input_stream(0, -1)
    first = s.read_bytes(5, None)
    m.close()
    # The stream keeps reading the same bytes after the map is closed.
    assert s.read_bytes(7, None).get_data() == b' world\n'
    assert gio_read(s, 6) == b'second'
    s.seek(0, SET, None)
    assert gio_read(s, 5) == b'hello'
    s.close(None)
    del s
    gc.collect()
    assert first.get_data() == b'hello'


def test_stream_counts_as_view_and_blocks_resize(mapped_file):
    m, path = mapped_file(access=Mmap.ACCESS_WRITE)
    assert m.get_n_views() == 0
    s = m.open_input_stream(0, 5)
    assert m.get_n_views() == 1
    t = m.open_input_stream(5, -1)
    assert m.get_n_views() == 2
    t.close(None)
    assert m.get_n_views() == 1
    with pytest.raises(BufferError) as info:
        m.resize(40)
    assert_mmap_error(info, BufferError, E.EXPORTS_EXIST)
    assert len(m) == len(CONTENT) and os.path.getsize(path) == len(CONTENT)
    assert s.read_bytes(100, None).get_data() == b'hello'
    s.close(None)
    gc.collect()
    assert m.get_n_views() == 0
    m.resize(40)
    assert len(m) == 40 and os.path.getsize(path) == 40


def test_finalized_stream_releases_its_view(mapped_file):
    m, path = mapped_file(access=Mmap.ACCESS_WRITE)
    s = m.open_input_stream(0, -1)
    assert m.get_n_views() == 1
    del s
    gc.collect()
    assert m.get_n_views() == 0
    m.resize(4)
    assert m[:] == b'hell'


def test_skip(mapped_file):
    m, path = mapped_file()
    s = m.open_input_stream(6, 10)
    assert s.skip(3, None) == 3
    assert s.tell() == 3
    assert gio_read(s, 2) == b'ld'
    assert s.skip(100, None) == 5             # up to the end of the range
    assert s.tell() == 10
    assert s.skip(1, None) == 0
    assert m.tell() == 0
    s.close(None)


def test_seekable(mapped_file):
    m, path = mapped_file()
    s = m.open_input_stream(6, 10)            # b'world\nseco'
    assert s.can_seek()
    assert Gio.Seekable.seek(s, 4, SET, None) is True
    assert Gio.Seekable.tell(s) == 4
    assert gio_read(s, 3) == b'd\ns'
    assert s.seek(-2, CUR, None) and s.tell() == 5
    assert gio_read(s, 1) == b'\n'
    assert s.seek(-1, END, None) and s.tell() == 9
    assert gio_read(s, 10) == b'o'
    assert s.seek(0, END, None) and s.tell() == 10   # the end is valid
    assert s.read_bytes(4, None).get_size() == 0
    assert s.seek(0, SET, None) and s.tell() == 0
    assert m.tell() == 0
    s.close(None)


@pytest.mark.parametrize('offset,whence', [
    (11, SET), (-1, SET), (1, END), (-11, END), (9, CUR), (-3, CUR),
    (2 ** 62, SET), (2 ** 63 - 1, END), (-2 ** 63, CUR),
])
def test_seek_out_of_range_keeps_position(mapped_file, offset, whence):
    m, path = mapped_file()
    s = m.open_input_stream(6, 10)
    s.seek(2, SET, None)
    with raises_io(IO.INVALID_ARGUMENT):
        s.seek(offset, whence, None)
    assert s.tell() == 2
    assert gio_read(s, 3) == b'rld'
    s.close(None)


def test_no_truncate(mapped_file):
    m, path = mapped_file(access=Mmap.ACCESS_WRITE)
    s = m.open_input_stream(0, -1)
    assert not s.can_truncate()
    with raises_io(IO.NOT_SUPPORTED):
        s.truncate(4, None)
    assert len(m) == len(CONTENT)
    assert os.path.getsize(path) == len(CONTENT)
    s.close(None)


def test_closed_stream(mapped_file):
    m, path = mapped_file()
    s = m.open_input_stream(0, -1)
    assert s.close(None)
    with raises_io(IO.CLOSED):
        s.read_bytes(4, None)
    with raises_io(IO.CLOSED):
        gio_read(s, 4)
    with raises_io(IO.CLOSED):
        s.skip(1, None)
    assert s.close(None)                      # closing twice is fine


def test_open_needs_a_readable_map(mapped_file):
    m, path = mapped_file()
    m.close()
    with raises_mmap(E.CLOSED):
        m.open_input_stream(0, -1)
    with raises_mmap(E.CLOSED):
        m.open_output_stream(0, -1)

    u = Mmap.Object(fd=-1, length=4)          # never initialised
    with raises_mmap(E.NOT_INITIALIZED):
        u.open_input_stream(0, -1)

    # PROT_NONE: the same error as view().
    n = Mmap.mmap(-1, 16, prot=Mmap.PROT_NONE)
    with pytest.raises(GLib.Error) as info:
        n.view(0, -1)
    code = info.value.code
    with raises_mmap(code):
        n.open_input_stream(0, -1)
    n.close()


def test_truncated_file_gives_eio(make_file):
    page = Mmap.PAGESIZE
    path, fd = make_file(b'x' * (3 * page))
    m = Mmap.mmap(fd, 0)
    s = m.open_input_stream(0, -1)
    os.ftruncate(fd, page)
    assert gio_read(s, 4) == b'xxxx'
    s.seek(page + 5, SET, None)
    with pytest.raises(GLib.Error) as info:
        gio_read(s, 10)
    assert info.value.domain == 'g-io-error-quark'
    assert Mmap.error_get_errno(info.value) == errno.EIO
    s.close(None)
    m.close()


# --------------------------------------------------------------------------
# Pollable

def test_pollable(mapped_file):
    m, path = mapped_file()
    s = m.open_input_stream(0, 11)
    assert Gio.PollableInputStream.can_poll(s)
    assert Gio.PollableInputStream.is_readable(s)
    assert read_nonblocking(s, 5) == b'hello'
    assert s.tell() == 5
    assert read_nonblocking(s, 100) == b' world'
    assert read_nonblocking(s, 100) == b''
    s.close(None)


def test_pollable_source_dispatches(mapped_file):
    m, path = mapped_file()
    s = m.open_input_stream(0, -1)
    source = Gio.PollableInputStream.create_source(s, None)
    assert isinstance(source, GLib.Source)

    def start(done):
        def on_readable(*args):
            done(Gio.PollableInputStream.is_readable(s), gio_read(s, 5))
            return GLib.SOURCE_REMOVE
        source.set_callback(on_readable)
        source.attach(None)

    readable, data = run_loop(start, timeout_ms=5000)
    assert readable
    assert data == b'hello'
    source.destroy()
    s.close(None)


# --------------------------------------------------------------------------
# Async calls GIO gives every input stream

def test_read_bytes_async(mapped_file):
    m, path = mapped_file()
    s = m.open_input_stream(6, -1)

    def start(done):
        s.read_bytes_async(5, GLib.PRIORITY_DEFAULT, None,
                           lambda src, res: done(src, res))

    src, res = run_loop(start)
    assert src is s
    assert s.read_bytes_finish(res).get_data() == b'world'
    assert s.tell() == 5
    assert m.tell() == 0

    cancelled = Gio.Cancellable()
    cancelled.cancel()

    def start_cancelled(done):
        s.read_bytes_async(5, GLib.PRIORITY_DEFAULT, cancelled,
                           lambda src, res: done(res))

    res, = run_loop(start_cancelled)
    with raises_io(IO.CANCELLED):
        s.read_bytes_finish(res)
    s.close(None)


def test_skip_and_close_async(mapped_file):
    m, path = mapped_file()
    s = m.open_input_stream(0, -1)

    def start(done):
        s.skip_async(6, GLib.PRIORITY_DEFAULT, None,
                     lambda src, res: done(res))

    res, = run_loop(start)
    assert s.skip_finish(res) == 6
    assert gio_read(s, 5) == b'world'

    def start_close(done):
        s.close_async(GLib.PRIORITY_DEFAULT, None,
                      lambda src, res: done(res))

    res, = run_loop(start_close)
    assert s.close_finish(res)
    assert s.is_closed()
    gc.collect()
    assert m.get_n_views() == 0


def test_splice_async(mapped_file):
    m, path = mapped_file()
    s = m.open_input_stream(0, -1)
    out = Gio.MemoryOutputStream.new_resizable()

    def start(done):
        out.splice_async(s, SPLICE_CLOSE_BOTH, GLib.PRIORITY_DEFAULT, None,
                         lambda src, res: done(res))

    res, = run_loop(start)
    assert out.splice_finish(res) == len(CONTENT)
    assert out.steal_as_bytes().get_data() == CONTENT
    assert s.is_closed()


# --------------------------------------------------------------------------
# Output stream

def test_output_stream_types(mapped_file):
    m, path = mapped_file()
    o = m.open_output_stream(0, -1)
    assert isinstance(o, Mmap.OutputStream)
    assert isinstance(o, Gio.OutputStream)
    assert isinstance(o, Gio.Seekable)
    assert isinstance(o, Gio.PollableOutputStream)
    assert Gio.PollableOutputStream.can_poll(o)
    assert Gio.PollableOutputStream.is_writable(o)
    o.close(None)


def test_output_stream_writes_into_its_range(mapped_file):
    m, path = mapped_file()
    m.seek(2)
    o = m.open_output_stream(6, 5)
    assert o.tell() == 0
    assert o.write(b'WO', None) == 2
    assert o.tell() == 2
    assert m.tell() == 2                      # the map's position stays
    assert o.write_bytes(GLib.Bytes.new(b'RL'), None) == 2
    ok, written = o.write_all(b'D', None)
    assert ok and written == 1
    assert o.tell() == 5
    # The bytes are in the map at once, and in the file after flush.
    assert m[:] == b'hello WORLD\nsecond line\n'
    assert o.flush(None)
    assert path.read_bytes() == b'hello WORLD\nsecond line\n'
    assert o.close(None)
    assert path.read_bytes() == b'hello WORLD\nsecond line\n'


def test_output_stream_short_write_and_no_space(mapped_file):
    m, path = mapped_file()
    o = m.open_output_stream(20, -1)          # 4 bytes of room
    assert o.write(b'ab', None) == 2
    assert o.write(b'cdefgh', None) == 2      # short: what fits
    assert o.tell() == 4
    with raises_io(IO.NO_SPACE):
        o.write(b'x', None)
    with raises_io(IO.NO_SPACE):
        o.write_bytes(GLib.Bytes.new(b'xyz'), None)
    assert o.tell() == 4
    # It never grows the map or the file.
    assert len(m) == len(CONTENT)
    assert os.path.getsize(path) == len(CONTENT)
    assert m[16:] == b'nd labcd'
    o.close(None)
    assert path.read_bytes() == CONTENT[:20] + b'abcd'


def test_output_write_all_too_much(mapped_file):
    m, path = mapped_file()
    o = m.open_output_stream(0, 3)
    with raises_io(IO.NO_SPACE):
        o.write_all(b'ABCDE', None)
    assert m[:5] == b'ABClo'
    assert len(m) == len(CONTENT)
    o.close(None)


def test_empty_output_stream(mapped_file):
    m, path = mapped_file()
    o = m.open_output_stream(len(CONTENT), -1)
    with raises_io(IO.NO_SPACE):
        o.write(b'x', None)
    o.close(None)
    assert path.read_bytes() == CONTENT


@pytest.mark.parametrize('offset,length', [
    (len(CONTENT) + 1, -1), (0, len(CONTENT) + 1), (23, 2), (0, -2),
])
def test_output_stream_out_of_range(mapped_file, offset, length):
    m, path = mapped_file()
    with raises_mmap(E.OUT_OF_RANGE):
        m.open_output_stream(offset, length)


def test_output_stream_seekable(mapped_file):
    m, path = mapped_file()
    o = m.open_output_stream(12, 6)           # b'second'
    assert o.can_seek()
    assert not o.can_truncate()
    assert o.seek(3, SET, None) and o.tell() == 3
    assert o.write(b'O', None) == 1
    assert o.seek(-4, CUR, None) and o.tell() == 0
    assert o.write(b'S', None) == 1
    assert o.seek(-1, END, None) and o.tell() == 5
    assert o.write(b'DX', None) == 1
    assert o.seek(0, END, None) and o.tell() == 6
    for offset, whence in ((7, SET), (-1, SET), (1, END), (1, CUR)):
        with raises_io(IO.INVALID_ARGUMENT):
            o.seek(offset, whence, None)
        assert o.tell() == 6
    with raises_io(IO.NOT_SUPPORTED):
        o.truncate(2, None)
    assert len(m) == len(CONTENT)
    assert m[:] == b'hello world\nSecOnD line\n'
    o.close(None)


def test_output_stream_refuses_read_only_map(mapped_file):
    m, path = mapped_file(access=Mmap.ACCESS_READ)
    with raises_mmap(E.READ_ONLY):
        m.open_output_stream(0, -1)
    # An input stream is fine.
    s = m.open_input_stream(0, 5)
    assert s.read_bytes(5, None).get_data() == b'hello'
    s.close(None)


def test_output_stream_holds_no_view(mapped_file):
    m, path = mapped_file(access=Mmap.ACCESS_WRITE)
    o = m.open_output_stream(0, -1)
    assert m.get_n_views() == 0
    m.resize(30)                              # a reference, not a view
    assert len(m) == 30
    o.close(None)


def test_output_stream_after_map_close(mapped_file):
    m, path = mapped_file()
    o = m.open_output_stream(0, -1)
    assert o.write(b'H', None) == 1
    m.close()
    with raises_mmap(E.CLOSED):
        o.write(b'e', None)
    assert o.tell() == 1
    assert path.read_bytes() == b'H' + CONTENT[1:]
    try:
        o.close(None)                         # its flush may report CLOSED
    except GLib.Error as e:
        assert e.matches(Mmap.error_quark(), E.CLOSED), e.message
    assert o.is_closed()


def test_closed_output_stream(mapped_file):
    m, path = mapped_file()
    o = m.open_output_stream(0, -1)
    o.close(None)
    with raises_io(IO.CLOSED):
        o.write(b'x', None)
    assert path.read_bytes() == CONTENT


def test_write_bytes_async(mapped_file):
    m, path = mapped_file()
    o = m.open_output_stream(6, 5)

    def start(done):
        o.write_bytes_async(GLib.Bytes.new(b'earth!'), GLib.PRIORITY_DEFAULT,
                            None, lambda src, res: done(res))

    res, = run_loop(start)
    assert o.write_bytes_finish(res) == 5
    assert m[:12] == b'hello earth\n'
    o.close(None)


# --------------------------------------------------------------------------
# GIO consumers over a map

def test_data_input_stream_lines(mapped_file):
    lines = ['line %d %s' % (i, 'x' * (i % 17)) for i in range(500)]
    lines[7] = ''
    text = '\n'.join(lines) + '\nno newline at the end'
    m, path = mapped_file(text.encode())
    d = Gio.DataInputStream.new(m.open_input_stream(0, -1))
    got = []
    while True:
        line, length = d.read_line_utf8(None)
        if line is None:
            break
        got.append(line)
    with open(path, encoding='utf-8', newline='') as f:
        expected = f.read().split('\n')
    assert got == expected
    assert got[-1] == 'no newline at the end'
    d.close(None)                             # closes the base stream
    gc.collect()
    assert m.get_n_views() == 0


def test_gzip_through_converter(mapped_file):
    rng = random.Random(9)
    original = b''.join(b'%d %s\n' % (i, bytes(rng.choices(b'abcdef', k=40)))
                        for i in range(5000))
    packed = gzip.compress(original)
    # The gzip data inside a larger file: the stream reads its sub-range.
    head, tail = b'HEADER' * 100, b'TRAILER' * 10
    m, path = mapped_file(head + packed + tail, access=Mmap.ACCESS_READ)
    s = m.open_input_stream(len(head), len(packed))
    decompressor = Gio.ZlibDecompressor.new(Gio.ZlibCompressorFormat.GZIP)
    conv = Gio.ConverterInputStream.new(s, decompressor)
    parts = []
    while True:
        chunk = conv.read_bytes(65536, None).get_data()
        if not chunk:
            break
        parts.append(chunk)
    assert b''.join(parts) == original
    conv.close(None)
    assert s.is_closed()


def test_corrupt_gzip_fails(mapped_file):
    packed = bytearray(gzip.compress(b'some text ' * 100))
    packed[len(packed) // 2] ^= 0xff
    packed[-5] ^= 0xff                        # and the CRC
    m, path = mapped_file(bytes(packed))
    conv = Gio.ConverterInputStream.new(
        m.open_input_stream(0, -1),
        Gio.ZlibDecompressor.new(Gio.ZlibCompressorFormat.GZIP))
    with pytest.raises(GLib.Error) as info:
        while conv.read_bytes(4096, None).get_size():
            pass
    assert info.value.domain == 'g-io-error-quark'


def test_splice_map_into_memory(mapped_file):
    m, path = mapped_file(bytes(range(256)) * 300)
    s = m.open_input_stream(100, 50000)
    out = Gio.MemoryOutputStream.new_resizable()
    n = out.splice(s, SPLICE_CLOSE_BOTH, None)
    assert n == 50000
    assert out.steal_as_bytes().get_data() == m[100:50100]
    assert s.is_closed()
    gc.collect()
    assert m.get_n_views() == 0


def test_splice_memory_into_map(mapped_file):
    m, path = mapped_file(b'.' * 64)
    data = b'0123456789' * 4
    o = m.open_output_stream(10, 40)
    src = Gio.MemoryInputStream.new_from_bytes(GLib.Bytes.new(data))
    assert o.splice(src, SPLICE_CLOSE_BOTH, None) == 40
    assert o.is_closed()
    assert m[:] == b'.' * 10 + data + b'.' * 14
    assert path.read_bytes() == b'.' * 10 + data + b'.' * 14


def test_splice_more_than_fits(mapped_file):
    m, path = mapped_file(b'.' * 16)
    o = m.open_output_stream(4, 8)
    src = Gio.MemoryInputStream.new_from_bytes(GLib.Bytes.new(b'x' * 20))
    with raises_io(IO.NO_SPACE):
        o.splice(src, Gio.OutputStreamSpliceFlags.NONE, None)
    assert m[:] == b'....xxxxxxxx....'
    assert len(m) == 16 and os.path.getsize(path) == 16
    o.close(None)


def test_copy_between_maps(make_file):
    src_path, src_fd = make_file(CONTENT * 100, name='src')
    dst_path, dst_fd = make_file(b'\0' * (len(CONTENT) * 100), name='dst')
    a = Mmap.mmap(src_fd, 0, access=Mmap.ACCESS_READ)
    b = Mmap.mmap(dst_fd, 0)
    n = b.open_output_stream(0, -1).splice(
        a.open_input_stream(0, -1), SPLICE_CLOSE_BOTH, None)
    assert n == len(CONTENT) * 100
    assert dst_path.read_bytes() == CONTENT * 100
    a.close()
    b.close()


def _png_bytes(GdkPixbuf):
    pixbuf = GdkPixbuf.Pixbuf.new(GdkPixbuf.Colorspace.RGB, True, 8, 13, 7)
    pixbuf.fill(0x3366ccff)
    pixbuf.new_subpixbuf(2, 1, 5, 4).fill(0xff000080)
    pixbuf.new_subpixbuf(9, 3, 4, 4).fill(0x00ff0010)
    ok, data = pixbuf.save_to_bufferv('png', [], [])
    assert ok
    return pixbuf, bytes(data)


def _rows(pixbuf):
    stride = pixbuf.get_rowstride()
    width = pixbuf.get_width() * pixbuf.get_n_channels()
    pixels = pixbuf.read_pixel_bytes().get_data()
    return [pixels[y * stride:y * stride + width]
            for y in range(pixbuf.get_height())]


def test_gdkpixbuf_from_map_stream(mapped_file):
    # gir1.2-gdkpixbuf-2.0, listed in scripts/deps.sh.
    gi.require_version('GdkPixbuf', '2.0')
    from gi.repository import GdkPixbuf
    original, png = _png_bytes(GdkPixbuf)
    assert png.startswith(b'\x89PNG\r\n\x1a\n')
    m, path = mapped_file(b'junk' + png, access=Mmap.ACCESS_READ)
    s = m.open_input_stream(4, -1)
    loaded = GdkPixbuf.Pixbuf.new_from_stream(s, None)
    assert (loaded.get_width(), loaded.get_height()) == (13, 7)
    assert loaded.get_has_alpha() and loaded.get_n_channels() == 4
    assert _rows(loaded) == _rows(original)
    assert _rows(loaded)[2][4 * 3:4 * 4] == b'\xff\x00\x00\x80'
    s.close(None)


# --------------------------------------------------------------------------
# Python's exception classes through the override

def test_stream_errors_are_python_exceptions(mapped_file):
    """Every failing method of the map raises the exception class Python
    code expects (and stays a GLib.Error with the library's code), not
    only the ones of Python's mmap API."""
    m, _ = mapped_file()
    with pytest.raises(ValueError) as info:
        m.open_input_stream(len(m) + 1, -1)
    assert isinstance(info.value, GLib.Error)
    assert info.value.matches(Mmap.error_quark(), E.OUT_OF_RANGE)
    assert 'beyond the end' in str(info.value)

    ro, _ = mapped_file(access=Mmap.ACCESS_READ, name='ro')
    with pytest.raises(TypeError):
        ro.open_output_stream(0, -1)

    m.close()
    with pytest.raises(ValueError) as info:
        m.open_input_stream(0, -1)
    assert info.value.matches(Mmap.error_quark(), E.CLOSED)


def test_constructor_errors_are_python_exceptions(tmp_path):
    missing = str(tmp_path / 'missing')
    with pytest.raises(FileNotFoundError) as info:
        Mmap.Object.new_for_path(missing, Mmap.Access.READ)
    assert info.value.errno == errno.ENOENT
    with pytest.raises(FileNotFoundError):
        Mmap.Object.new_for_file(Gio.File.new_for_path(missing),
                                 Mmap.Access.READ, None)
