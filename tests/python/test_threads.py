# Threads calling into one map at once.  Long calls (big reads and writes,
# find over a large range, flush, resize, close) run without the GIL, in
# the compiled helper as through PyGObject; each call stays atomic.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
import threading
import time

import pytest
from gi.repository import Mmap

from conftest import have_helper

CHUNK = 64 * 1024          # the helper releases the GIL from this size on
N_CHUNKS = 64


def chunked_map():
    """A map of N_CHUNKS chunks, each filled with its own number."""
    m = Mmap.mmap(-1, CHUNK * N_CHUNKS)
    for i in range(N_CHUNKS):
        m[i * CHUNK:(i + 1) * CHUNK] = bytes((i,)) * CHUNK
    return m


def run_threads(target, n=4):
    errors = []

    def guarded():
        try:
            target()
        except BaseException as e:   # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=guarded) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_concurrent_reads_are_atomic():
    m = chunked_map()
    seen = []
    lock = threading.Lock()

    def reader():
        while True:
            chunk = m.read(CHUNK)
            if not chunk:
                return
            # A whole chunk: no other read moved the position in between.
            assert chunk == chunk[:1] * CHUNK, 'torn read'
            with lock:
                seen.append(chunk[0])

    run_threads(reader)
    assert sorted(seen) == list(range(N_CHUNKS))
    assert m.tell() == len(m)


def test_concurrent_writes_are_atomic():
    m = Mmap.mmap(-1, CHUNK * N_CHUNKS)
    counter = iter(range(1, N_CHUNKS + 1))
    lock = threading.Lock()

    def writer():
        while True:
            with lock:
                value = next(counter, None)
            if value is None:
                return
            try:
                m.write(bytes((value,)) * CHUNK)
            except ValueError:
                return

    run_threads(writer)
    chunks = [m[i * CHUNK:(i + 1) * CHUNK] for i in range(N_CHUNKS)]
    assert all(c == c[:1] * CHUNK for c in chunks)
    assert sorted(c[0] for c in chunks) == list(range(1, N_CHUNKS + 1))


def test_concurrent_finds_and_small_calls():
    m = chunked_map()
    m[len(m) - 6:] = b'NEEDLE'

    def finder():
        for _ in range(20):
            assert m.find(b'NEEDLE', 0) == len(m) - 6
            assert m.rfind(bytes((5,)) * 3) == 6 * CHUNK - 3
            assert m[:CHUNK * 2][CHUNK] == 1

    def small():
        for i in range(20000):
            assert m[(i % N_CHUNKS) * CHUNK] == i % N_CHUNKS

    threads = [threading.Thread(target=finder) for _ in range(3)]
    threads.append(threading.Thread(target=small))
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_close_racing_reads():
    m = chunked_map()
    outcomes = []
    lock = threading.Lock()

    def reader():
        for _ in range(200):
            try:
                m.seek(0)
                data = m.read(CHUNK * 4)
            except ValueError as e:
                assert m.closed
                assert e.code == int(Mmap.Error.CLOSED)
                with lock:
                    outcomes.append('closed')
                return
            # Before the close, or at the end after another reader: whole.
            assert data in (b'', bytes(CHUNK) + b'\x01' * CHUNK
                            + b'\x02' * CHUNK + b'\x03' * CHUNK) or \
                len(data) % CHUNK == 0

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    m.close()
    for t in threads:
        t.join()
    assert m.closed


@pytest.fixture
def slow_switching():
    """A long switch interval: a thread that waits for the GIL gets it
    only when the holder releases it itself (or after 0.2 s, longer than
    the calls below take)."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(0.2)
    yield
    sys.setswitchinterval(old)


def spins_during(op):
    """How far a spinning thread counts while this one runs op(). The
    spinner ran until this thread got the GIL back, and waits now: it
    counts during op() only if op() releases the GIL."""
    count = [0]
    stop = threading.Event()
    started = threading.Event()

    def spin():
        started.set()
        while not stop.is_set():
            count[0] += 1

    spinner = threading.Thread(target=spin)
    spinner.start()
    started.wait()
    before = count[0]
    op()
    progressed = count[0] - before
    stop.set()
    spinner.join()
    return progressed


@pytest.mark.parametrize('call', ['find', 'read', 'slice', 'write'])
def test_long_calls_release_the_gil(slow_switching, call):
    size = 64 << 20
    m = Mmap.mmap(-1, size)
    data = bytes(size)
    ops = {
        'find': lambda: m.find(b'absent', 0),
        'read': lambda: (m.seek(0), m.read(size)),
        'slice': lambda: m[:],
        'write': lambda: (m.seek(0), m.write(data)),
    }
    assert spins_during(ops[call]) > 0


def test_short_calls_keep_the_gil(slow_switching):
    # The counterpart: calls on small ranges do not release the GIL, so
    # the spinner cannot count during them (this shows that the test
    # above measures what it claims).
    m = Mmap.mmap(-1, 1 << 20)

    def finds():
        for _ in range(100):
            m.find(b'absent', 0, 4096)

    progressed = spins_during(finds)
    if Mmap.Object.__dict__['find'].__class__.__name__ == 'function':
        pytest.skip('PyGObject releases the GIL around every call')
    assert progressed == 0


def test_a_call_that_waits_for_another_gives_up_the_gil(slow_switching):
    # m[i] keeps the GIL; when it finds a long write running in another
    # thread, it waits for it, and gives the GIL up meanwhile (the
    # library's wait functions, set by the helper), so a third thread runs.
    if not have_helper():
        pytest.skip('PyGObject releases the GIL around every call')
    size = 64 << 20
    m = Mmap.mmap(-1, size)
    data = bytes(size)
    stop = threading.Event()

    def writes():
        while not stop.is_set():
            m.seek(0)
            m.write(data)          # 64 MiB: the helper releases the GIL

    writer = threading.Thread(target=writes)
    writer.start()
    progressed = 0
    deadline = time.monotonic() + 10
    try:
        # m[0] may land between two writes, or before the writer got a
        # CPU on a loaded machine: then it waits for nothing. Try until
        # one lands during a write (one is enough), for up to 10 s.
        while not progressed and time.monotonic() < deadline:
            progressed = spins_during(lambda: m[0])
    finally:
        stop.set()
        writer.join()
    m.close()
    assert progressed > 0
