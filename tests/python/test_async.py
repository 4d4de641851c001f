# Maps from a Gio.File, and the calls that run on a worker thread, with
# callbacks and a GLib.MainLoop.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import pytest
from gi.repository import Gio, GLib, Mmap


def run_async(start):
    """Calls start(callback) and runs a main loop until the callback has
    run; returns the GAsyncResult."""
    loop = GLib.MainLoop()
    results = []

    def callback(source, result):
        results.append(result)
        loop.quit()

    start(callback)
    loop.run()
    return results[0]


def test_new_for_file(make_file):
    path, fd = make_file(b'hello file')
    m = Mmap.Object.new_for_file(Gio.File.new_for_path(str(path)),
                                 Mmap.ACCESS_READ, None)
    assert m[:] == b'hello file'
    m.close()


def test_new_for_file_async(make_file):
    path, fd = make_file(b'hello async')
    gfile = Gio.File.new_for_path(str(path))
    result = run_async(lambda cb: Mmap.Object.new_for_file_async(
        gfile, Mmap.ACCESS_WRITE, GLib.PRIORITY_DEFAULT, None, cb))
    m = Mmap.Object.new_for_file_finish(result)
    assert isinstance(m, Mmap.mmap)
    assert m.readline() == b'hello async'
    m[0] = ord('H')
    result = run_async(lambda cb: m.flush_async(GLib.PRIORITY_DEFAULT, None,
                                                cb))
    assert m.flush_finish(result) is True
    assert path.read_bytes() == b'Hello async'
    m.close()


def test_errors_and_cancellation(make_file):
    path, fd = make_file(b'x')
    remote = Gio.File.new_for_uri('resource:///org/example/x')
    result = run_async(lambda cb: Mmap.Object.new_for_file_async(
        remote, Mmap.ACCESS_READ, GLib.PRIORITY_DEFAULT, None, cb))
    with pytest.raises(GLib.Error) as info:
        Mmap.Object.new_for_file_finish(result)
    assert info.value.matches(Gio.io_error_quark(),
                              Gio.IOErrorEnum.NOT_SUPPORTED)

    cancelled = Gio.Cancellable()
    cancelled.cancel()
    m = Mmap.mmap(fd, 0)
    result = run_async(lambda cb: m.flush_async(GLib.PRIORITY_DEFAULT,
                                                cancelled, cb))
    with pytest.raises(GLib.Error) as info:
        m.flush_finish(result)
    assert info.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)

    m.close()
    result = run_async(lambda cb: m.flush_async(GLib.PRIORITY_DEFAULT, None,
                                                cb))
    with pytest.raises(GLib.Error) as info:
        m.flush_finish(result)
    assert info.value.matches(Mmap.error_quark(), Mmap.Error.CLOSED)
