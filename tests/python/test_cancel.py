# Cancelling the calls that run on a worker thread, and what a closed or
# forgotten map does to them, with callbacks and a GLib.MainLoop.
#
# The big maps are sparse files of 8 GiB: populating one takes seconds, so
# a cancel or a close decided at the first progress report lands part-way.
# The tests decide from the progress reports, never from a time, and check
# results and the order of events.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gc
import os
import time

import pytest
from gi.repository import Gio, GLib, Mmap

BIG = 8 << 30
CHUNK = 512 * 1024


@pytest.fixture
def big_sparse(tmp_path):
    """An 8 GiB sparse file, opened read-only: (size, fd)."""
    path = tmp_path / 'sparse'
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.ftruncate(fd, BIG)
    except OSError as e:
        os.close(fd)
        pytest.skip('cannot make an 8 GiB sparse file: %s' % e)
    os.close(fd)
    fd = os.open(path, os.O_RDONLY)
    yield BIG, fd
    os.close(fd)


def drain():
    """Runs whatever the default main context still has."""
    context = GLib.MainContext.default()
    for _ in range(50):
        while context.iteration(False):
            pass


def wait_for(condition):
    """Runs the main context (and the garbage collector) until
    condition() holds: the task drops the map in the worker, in its own
    time, after the ready callback."""
    for _ in range(2000):
        if condition():
            return True
        gc.collect()
        drain()
        time.sleep(0.005)
    return condition()


class Call:
    """One async call on a map: its events in order, and its outcome."""

    def __init__(self, m):
        self.events = []
        self.reports = []
        self.error = None
        self.result = None
        self.alive_in_ready = None
        self.loop = GLib.MainLoop()
        self.cancellable = Gio.Cancellable()
        # Called when the GObject is finalized (maybe in a worker thread).
        self.weak = m.weak_ref(self.events.append, 'finalized')
        self.on_first_report = None

    def progress(self, done, total, data):
        self.events.append('progress')
        self.reports.append((done, total))
        if len(self.reports) == 1 and self.on_first_report is not None:
            self.on_first_report()

    def ready(self, source, result, finish_name):
        self.events.append('ready')
        # The task kept the map alive until now.
        self.alive_in_ready = (source is not None
                               and 'finalized' not in self.events)
        try:
            self.result = getattr(source, finish_name)(result)
        except GLib.Error as e:
            # Without its traceback: the frame would keep source alive.
            self.error = e.with_traceback(None)
        self.loop.quit()

    def populate(self, m, offset=0, length=-1):
        m.populate_async(
            offset, length, False, GLib.PRIORITY_DEFAULT, self.cancellable,
            progress_callback=self.progress,
            callback=lambda s, r: self.ready(s, r, 'populate_finish'))

    def flush(self, m):
        m.flush_async(GLib.PRIORITY_DEFAULT, None,
                      lambda s, r: self.ready(s, r, 'flush_finish'))

    def run(self):
        if 'ready' not in self.events:
            self.loop.run()

    def assert_error(self, domain, code):
        assert self.result is None
        assert self.error is not None
        assert self.error.matches(domain, code), self.error


def test_cancel_part_way(big_sparse):
    size, fd = big_sparse
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    call = Call(m)
    # Cancel from the main loop, once the first report has run.
    call.on_first_report = lambda: GLib.idle_add(call.cancellable.cancel)
    call.populate(m)
    call.run()
    call.assert_error(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)

    # It stopped part-way, and reports nothing after the ready callback.
    assert len(call.reports) >= 1
    done, total = call.reports[-1]
    assert total == size
    assert CHUNK <= done < size
    n = len(call.reports)
    drain()
    assert len(call.reports) == n
    assert call.events.index('ready') == n

    # The map is as usable as before.
    assert not m.closed
    assert len(m) == size
    assert m.tell() == 0
    assert m.read(16) == bytes(16)
    assert m[-1] == 0
    assert m.find(b'\0\0', size - 10) == size - 10
    assert m.find(b'x', 0, CHUNK) == -1
    assert m.populate(size - 3 * CHUNK, -1, False, None, None) is True
    m.close()


def test_cancel_before_the_call(big_sparse):
    size, fd = big_sparse
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    call = Call(m)
    call.cancellable.cancel()
    call.populate(m)
    call.run()
    call.assert_error(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    drain()
    assert call.reports == []

    reports = []
    with pytest.raises(GLib.Error) as info:
        m.populate(0, -1, False, call.cancellable,
                   lambda done, total: reports.append(done))
    assert info.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    assert reports == []
    assert m[0] == 0
    m.close()


def forget_and_finish(call):
    """Runs the call whose map the caller has dropped, then waits for the
    map to be finalized and for anything else the call may have left."""
    # The task holds the map: not finalized, though nobody else holds it.
    gc.collect()
    assert 'finalized' not in call.events
    call.run()
    assert call.alive_in_ready is True
    assert wait_for(lambda: 'finalized' in call.events)
    drain()
    # Every progress report and the ready callback ran before the
    # finalization, and nothing after it.
    assert call.events[-1] == 'finalized'
    assert call.events.count('finalized') == 1
    assert call.events.count('ready') == 1
    assert 'progress' not in call.events[call.events.index('ready'):]


def test_populate_of_a_forgotten_map(make_file):
    path, fd = make_file(b'')
    os.ftruncate(fd, 64 * CHUNK)
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    call = Call(m)
    call.populate(m)
    del m
    forget_and_finish(call)
    assert call.result is True and call.error is None
    assert call.events == ['progress'] * 64 + ['ready', 'finalized']
    assert call.reports[-1] == (64 * CHUNK, 64 * CHUNK)


def test_cancelled_populate_of_a_forgotten_map(big_sparse):
    size, fd = big_sparse
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    call = Call(m)
    call.on_first_report = call.cancellable.cancel
    call.populate(m)
    del m
    forget_and_finish(call)
    call.assert_error(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    assert call.reports[-1][0] < size


def test_flush_of_a_forgotten_map(make_file):
    path, fd = make_file(b'flush me')
    m = Mmap.mmap(fd, 0)
    m[0] = ord('F')
    call = Call(m)
    call.flush(m)
    del m
    forget_and_finish(call)
    assert call.result is True and call.error is None
    assert call.events == ['ready', 'finalized']
    assert path.read_bytes() == b'Flush me'


def test_populate_of_a_map_closed_meanwhile(big_sparse):
    size, fd = big_sparse
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    call = Call(m)
    call.on_first_report = m.close
    call.populate(m)
    call.run()
    call.assert_error(Mmap.error_quark(), Mmap.Error.CLOSED)
    assert call.reports[-1][0] < size
    drain()
    assert m.closed
    with pytest.raises(ValueError):
        m[0]

    # Closed before the worker may even have begun.
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    call = Call(m)
    call.populate(m)
    m.close()
    call.run()
    call.assert_error(Mmap.error_quark(), Mmap.Error.CLOSED)
    assert not call.reports or call.reports[-1][0] < size


def test_flush_of_a_map_closed_meanwhile(make_file):
    path, fd = make_file(b'flush me')
    # The flush and the close race: the flush either ran first or found
    # the map closed; never a crash, and the map ends closed.
    outcomes = set()
    for i in range(30):
        m = Mmap.mmap(fd, 0)
        m[0] = ord('a') + i % 26
        call = Call(m)
        call.flush(m)
        m.close()
        call.run()
        if call.error is not None:
            call.assert_error(Mmap.error_quark(), Mmap.Error.CLOSED)
            outcomes.add('closed')
        else:
            assert call.result is True
            outcomes.add('flushed')
        assert m.closed
    assert outcomes <= {'closed', 'flushed'}
