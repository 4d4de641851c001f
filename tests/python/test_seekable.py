# Mmap.Object is a Gio.Seekable: the interface's calls, reached through
# Gio.Seekable, move the map's own position and resize it.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os

import pytest
from gi.repository import Gio, GLib, Mmap

E = Mmap.Error


def test_seek_and_tell_share_the_maps_position(make_file):
    path, fd = make_file(b'0123456789')
    m = Mmap.mmap(fd, 0)
    assert isinstance(m, Gio.Seekable)
    assert Gio.Seekable.can_seek(m)
    assert Gio.Seekable.seek(m, 4, GLib.SeekType.SET, None) is True
    assert Gio.Seekable.tell(m) == 4 == m.tell()
    assert m.read(2) == b'45'
    assert Gio.Seekable.tell(m) == 6
    assert Gio.Seekable.seek(m, -1, GLib.SeekType.END, None)
    assert m.read_byte() == ord('9')
    # Python's seek() is still Python's.
    m.seek(2)
    assert Gio.Seekable.tell(m) == 2
    m.close()


def test_seek_out_of_range_keeps_the_position(make_file):
    path, fd = make_file(b'0123456789')
    m = Mmap.mmap(fd, 0)
    m.seek(3)
    with pytest.raises(GLib.Error) as info:
        Gio.Seekable.seek(m, 11, GLib.SeekType.SET, None)
    assert info.value.matches(Mmap.error_quark(), E.OUT_OF_RANGE)
    assert m.tell() == 3
    m.close()


def test_cancelled(make_file):
    path, fd = make_file(b'0123456789')
    m = Mmap.mmap(fd, 0)
    cancellable = Gio.Cancellable()
    cancellable.cancel()
    with pytest.raises(GLib.Error) as info:
        Gio.Seekable.seek(m, 3, GLib.SeekType.SET, cancellable)
    assert info.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    assert m.tell() == 0
    m.close()


def test_truncate_is_resize(make_file):
    path, fd = make_file(b'0123456789')
    m = Mmap.mmap(fd, 0)
    assert Gio.Seekable.can_truncate(m)
    assert Gio.Seekable.truncate(m, 4, None)
    assert len(m) == 4 and os.path.getsize(path) == 4
    assert m[:] == b'0123'
    m.close()
    assert not Gio.Seekable.can_truncate(m)

    path, fd = make_file(b'0123456789', name='ro')
    ro = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    assert not Gio.Seekable.can_truncate(ro)
    with pytest.raises(GLib.Error) as info:
        Gio.Seekable.truncate(ro, 4, None)
    assert info.value.matches(Mmap.error_quark(), E.NOT_RESIZABLE)
    ro.close()
