# Maps from a Gio.File, and the calls that run on a worker thread, with
# callbacks and a GLib.MainLoop.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import errno
import os

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


def test_populate_with_progress(make_file):
    size = 300 * Mmap.PAGESIZE
    path, fd = make_file(b'p' * size)
    m = Mmap.mmap(fd, 0)
    reports = []
    assert m.populate(0, -1, False, None,
                      lambda done, total: reports.append((done, total)))
    assert reports[-1] == (size, size) and len(reports) >= 2
    assert [d for d, t in reports] == sorted(d for d, t in reports)
    with pytest.raises(GLib.Error) as info:
        m.populate(size + 1, -1, False, None, None)
    assert info.value.matches(Mmap.error_quark(), Mmap.Error.OUT_OF_RANGE)

    reports.clear()
    # PyGObject passes the progress callback its data (None here) too.
    result = run_async(lambda cb: m.populate_async(
        0, -1, True, GLib.PRIORITY_DEFAULT, None,
        progress_callback=lambda done, total, data: reports.append(
            (done, total)),
        callback=cb))
    assert m.populate_finish(result) is True
    # Progress reports run in this main context; the last may follow the
    # result.
    context = GLib.MainContext.default()
    while context.pending():
        context.iteration(False)
    assert reports[-1] == (size, size)
    m.close()


def test_populate_a_truncated_file_is_an_error_now(make_file):
    path, fd = make_file(b'x' * (3 * Mmap.PAGESIZE))
    m = Mmap.mmap(fd, 0)
    os.ftruncate(fd, Mmap.PAGESIZE)
    with pytest.raises(GLib.Error) as info:
        m.populate(0, -1, False, None, None)
    assert Mmap.error_get_errno(info.value) == errno.EIO
    m.close()
