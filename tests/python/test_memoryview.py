# The zero-copy memoryview over Object.view().
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gc

import pytest
from gi.repository import GLib, Mmap


def test_view_is_zero_copy_and_writable(make_file):
    path, fd = make_file(b'hello world\n')
    m = Mmap.mmap(fd, 0)
    view = m.memoryview()
    assert (view.format, view.itemsize, view.nbytes) == ('B', 1, 12)
    assert view.readonly is False
    assert bytes(view[:5]) == b'hello'
    m[0] = ord('J')
    assert view[0] == ord('J')            # sees later writes: no copy
    view[1:3] = b'EL'
    assert m[:5] == b'JELlo'
    m.flush()
    assert path.read_bytes()[:5] == b'JELlo'
    view.release()


def test_range(make_file):
    path, fd = make_file(b'0123456789')
    m = Mmap.mmap(fd, 0)
    with m.memoryview(2, 3) as view:
        assert bytes(view) == b'234'
    with m.memoryview(4) as view:
        assert bytes(view) == b'456789'
    with pytest.raises(ValueError) as info:
        m.memoryview(5, 6)
    assert info.value.matches(Mmap.error_quark(), Mmap.Error.OUT_OF_RANGE)


def test_read_only_map_gives_read_only_view(make_file):
    path, fd = make_file(b'abc')
    for kwargs in ({'access': Mmap.ACCESS_READ}, {'prot': Mmap.PROT_READ}):
        m = Mmap.mmap(fd, 0, **kwargs)
        view = m.memoryview()
        assert view.readonly
        with pytest.raises(TypeError):
            view[0] = 1
        assert bytes(view) == b'abc'


def test_copy_map_view_is_private(make_file):
    path, fd = make_file(b'abc')
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_COPY)
    view = m.memoryview()
    assert not view.readonly
    view[0] = ord('x')
    assert m[:] == b'xbc'
    assert path.read_bytes() == b'abc'


def test_view_survives_close(make_file):
    path, fd = make_file(b'persist')
    m = Mmap.mmap(fd, 0)
    view = m.memoryview()
    m.close()                              # Python would refuse (exports)
    assert m.closed
    assert bytes(view) == b'persist'
    view[0] = ord('P')
    assert bytes(view) == b'Persist'


def test_views_block_resize_until_released():
    m = Mmap.mmap(-1, 10)
    view = m.memoryview()
    part = view[2:4]
    assert m.get_n_views() == 1
    with pytest.raises(BufferError):
        m.resize(20)
    del view
    with pytest.raises(BufferError):
        m.resize(20)                       # the slice keeps it alive
    del part
    gc.collect()
    assert m.get_n_views() == 0
    m.resize(20)
    assert len(m) == 20


def test_empty_map_view():
    m = Mmap.mmap(-1, 0)
    view = m.memoryview()
    assert view.nbytes == 0
    ro = Mmap.mmap(-1, 0, prot=Mmap.PROT_READ).memoryview()
    assert ro.readonly


def test_buffer_hook_flags():
    m = Mmap.mmap(-1, 3, prot=Mmap.PROT_READ)
    with pytest.raises(BufferError, match='not writable'):
        m.__buffer__(1)
    assert bytes(m.__buffer__(0)) == bytes(3)


def test_view_error_is_glib_error():
    m = Mmap.mmap(-1, 3)
    m.close()
    with pytest.raises(GLib.Error):
        m.memoryview()
