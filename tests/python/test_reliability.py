# Issue 6 through the override: no byte lost on a failure path, a SIGBUS
# guard that faulthandler and blocked signals cannot get past, and bad input
# that raises what CPython raises.
#
# The SIGBUS cases run in a child interpreter: if the guard is bypassed the
# child dies of the signal, and the test sees its exit status.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import errno
import gc
import os
import subprocess
import sys
import textwrap

import pytest
from gi.repository import GLib, Mmap

from conftest import assert_eio, assert_mmap_error

E = Mmap.Error
PAGE = Mmap.PAGESIZE


def pattern(n):
    return bytes((i * 7 + 3) % 251 for i in range(n))


# -- bad input --------------------------------------------------------------

@pytest.mark.parametrize('fileno', [-2, -1000, -2 ** 31])
def test_negative_fileno_below_minus_one_is_ebadf(fileno):
    with pytest.raises(OSError) as info:
        Mmap.mmap(fileno, PAGE)
    e = info.value
    assert e.errno == errno.EBADF
    assert isinstance(e, GLib.Error)
    # CPython's words first, as str(OSError (EBADF, ...)) gives them; the
    # GLib.Error keeps the library's message.
    assert str(e).startswith('[Errno 9] Bad file descriptor (mmap: fd ')
    assert e.message.endswith(': [Errno 9] Bad file descriptor')


def test_raw_constructor_with_fd_below_minus_one_sets_an_error():
    with pytest.raises(GLib.Error) as info:
        Mmap.Object.new_full(-2, PAGE, Mmap.MapFlags.SHARED,
                             Mmap.Prot.READ | Mmap.Prot.WRITE,
                             Mmap.Access.DEFAULT, 0, True)
    assert info.value.domain == 'g-io-error-quark'
    assert '[Errno 9]' in info.value.message


@pytest.mark.parametrize('n', [-2 ** 63 - 1, 2 ** 63, -2 ** 70, 2 ** 70])
def test_read_outside_ssize_range_overflows(mapped, n):
    with pytest.raises(OverflowError,
                       match="cannot fit 'int' into an index-sized integer"):
        mapped.read(n)
    assert mapped.tell() == 0


@pytest.mark.parametrize('call', [
    lambda m, n: m.find(b'x', n), lambda m, n: m.find(b'x', 0, n),
    lambda m, n: m.rfind(b'x', n), lambda m, n: m.rfind(b'x', 0, n),
    lambda m, n: m.seek(n), lambda m, n: m.seek(0, n),
    lambda m, n: m.madvise(Mmap.MADV_NORMAL, n),
    lambda m, n: m.madvise(Mmap.MADV_NORMAL, 0, n), lambda m, n: m.madvise(n),
    lambda m, n: m.flush(n), lambda m, n: m.flush(0, n),
    lambda m, n: m.move(n, 0, 1), lambda m, n: m.move(0, n, 1),
    lambda m, n: m.move(0, 0, n), lambda m, n: m.resize(n),
    lambda m, n: m.write_byte(n),
])
@pytest.mark.parametrize('n', [-2 ** 63 - 1, 2 ** 63])
def test_sizes_outside_c_range_overflow_as_in_cpython(mapped, call, n):
    with pytest.raises(OverflowError):
        call(mapped, n)
    assert mapped[:] == b'hello world\n'


@pytest.mark.parametrize('n', [-2 ** 63 - 1, 2 ** 63])
def test_huge_indices_as_in_cpython(mapped, n):
    with pytest.raises(IndexError, match='index-sized'):
        mapped[n]
    with pytest.raises(IndexError, match='index-sized'):
        mapped[n] = 1
    with pytest.raises(TypeError, match='index-sized'):
        mapped[0] = n
    assert mapped[n:-n:n] == b''


@pytest.mark.parametrize('advice', [5, 7, 102, 999, -1])
def test_unknown_advice_is_refused(advice):
    m = Mmap.mmap(-1, PAGE)
    m[:3] = b'abc'
    with pytest.raises(ValueError) as info:
        m.madvise(advice)
    e = assert_mmap_error(info, ValueError, E.INVALID_ARGUMENT)
    assert isinstance(e, OSError) and e.errno == errno.EINVAL
    assert isinstance(e, Mmap.MmapInvalidAdviceError)
    assert m[:3] == b'abc'                 # advice 102 would make this fault


def test_empty_view_blocks_resize():
    m = Mmap.mmap(-1, 0)
    view = m.memoryview()
    assert view.nbytes == 0
    assert m.get_n_views() == 1
    with pytest.raises(BufferError) as info:
        m.resize(PAGE)
    assert_mmap_error(info, BufferError, E.EXPORTS_EXIST)
    assert len(m) == 0
    view.release()
    del view
    gc.collect()
    assert m.get_n_views() == 0
    m.resize(PAGE)
    assert len(m) == PAGE


# -- no byte lost -------------------------------------------------------------

@pytest.fixture
def truncated_4(make_file):
    """(m, path, content): a 4-page map whose file now has 1 page."""
    content = pattern(4 * PAGE)
    path, fd = make_file(content)
    m = Mmap.mmap(fd, 0)
    os.truncate(path, PAGE)
    yield m, path, content
    m.close()


def test_write_over_truncated_file_stores_nothing(truncated_4):
    m, path, content = truncated_4
    at = PAGE // 2
    m.seek(at)
    with pytest.raises(OSError) as info:
        m.write(b'\xee' * (3 * PAGE))
    assert_eio(info)
    assert m.tell() == at
    assert path.read_bytes() == content[:PAGE]
    assert m[:PAGE] == content[:PAGE]


def test_slice_store_over_truncated_file_stores_nothing(truncated_4):
    m, path, content = truncated_4
    at = PAGE // 2
    for key in (slice(at, at + 3 * PAGE), slice(at, None, 2),
                slice(None, at, -3)):
        with pytest.raises(OSError) as info:
            m[key] = b'\xee' * len(range(*key.indices(len(m))))
        assert_eio(info)
        assert path.read_bytes() == content[:PAGE]
    with pytest.raises(OSError) as info:
        m.move(at, 0, 3 * PAGE)
    assert_eio(info)
    assert path.read_bytes() == content[:PAGE]
    assert m.tell() == 0


@pytest.mark.parametrize('offset', [0, 5000])
def test_madvise_remove_stays_inside_the_map(make_file, offset):
    content = pattern(3 * PAGE)
    path, fd = make_file(content)
    m = Mmap.mmap(fd, 100, access=Mmap.ACCESS_WRITE, offset=offset)
    m.madvise(Mmap.MADV_REMOVE)
    m.madvise(Mmap.MADV_DONTNEED)
    after = path.read_bytes()
    assert len(after) == len(content)
    assert after[:offset] == content[:offset]
    assert after[offset + 100:] == content[offset + 100:]
    m.close()


def test_resize_after_advice_on_part_of_the_map(make_file):
    content = pattern(4 * PAGE)
    path, fd = make_file(content)
    m = Mmap.mmap(fd, 2 * PAGE)
    m.madvise(Mmap.MADV_RANDOM, 0, 10)
    m.seek(7)
    assert m.resize(3 * PAGE) is None
    assert len(m) == 3 * PAGE
    assert m.tell() == 7
    # Python's rule: the file is now offset + new size long.
    assert os.path.getsize(path) == 3 * PAGE
    assert path.read_bytes() == content[:3 * PAGE]
    assert m[:] == content[:3 * PAGE]
    m.close()


# -- the SIGBUS guard in a child interpreter ----------------------------------

PRELUDE = '''
import errno, os, sys, tempfile
import gi
gi.require_version('Mmap', '1')
from gi.repository import Mmap
PAGE = Mmap.PAGESIZE

def truncated_map():
    """A 3-page map whose file now has 1 page."""
    fd, path = tempfile.mkstemp(dir=sys.argv[1])
    os.write(fd, b'x' * 3 * PAGE)
    m = Mmap.mmap(fd, 0)
    os.close(fd)
    os.truncate(path, PAGE)
    return m

def report(label, call):
    try:
        call()
        print(label, 'no error')
    except OSError as e:
        print(label, errno.errorcode.get(e.errno), 'SIGBUS' in str(e))
'''


def run_child(tmp_path, body, *python_args):
    script = PRELUDE + textwrap.dedent(body)
    proc = subprocess.run([sys.executable, *python_args, '-c', script,
                           str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout.splitlines()


def test_faulthandler_enable_keeps_the_guard(tmp_path):
    out = run_child(tmp_path, '''
        import faulthandler
        m = truncated_map()                # the guard is installed by now
        faulthandler.enable()              # and faulthandler goes over it
        print(faulthandler.is_enabled(), faulthandler.enable.__name__)
        report('read', lambda: m[PAGE])
        m.seek(PAGE + 1)
        report('write', lambda: m.write(b'yy'))
        print('pos', m.tell())
        faulthandler.disable()
        report('after disable', lambda: m[:])
        faulthandler.enable()
        report('enabled again', lambda: m.read_byte())
    ''')
    assert out == ['True enable', 'read EIO True', 'write EIO True',
                   'pos %d' % (PAGE + 1), 'after disable EIO True',
                   'enabled again EIO True']


def test_faulthandler_enabled_before_import(tmp_path):
    out = run_child(tmp_path, '''
        import faulthandler
        print(faulthandler.is_enabled())
        m = truncated_map()
        report('read', lambda: m[-1])
        report('find', lambda: m.find(b'z', 0))
    ''', '-X', 'faulthandler')
    assert out == ['True', 'read EIO True', 'find EIO True']


def test_install_sigbus_guard_after_another_handler(tmp_path):
    out = run_child(tmp_path, '''
        import signal
        m = truncated_map()
        signal.signal(signal.SIGBUS, lambda *args: None)
        print(Mmap.install_sigbus_guard())
        report('read', lambda: m[PAGE])
    ''')
    assert out == ['True', 'read EIO True']


def test_signal_signal_for_sigbus_keeps_the_guard(tmp_path):
    # Python's own handler just returns: without the guard in front the
    # faulting read would run again forever (run_child's timeout).
    out = run_child(tmp_path, '''
        import signal
        m = truncated_map()
        calls = []
        signal.signal(signal.SIGBUS, lambda *args: calls.append(args))
        report('read', lambda: m[PAGE])
        signal.signal(signal.SIGBUS, signal.SIG_DFL)
        report('after SIG_DFL', lambda: m[:])
        print('handler calls', len(calls))
    ''')
    assert out == ['read EIO True', 'after SIG_DFL EIO True',
                   'handler calls 0']


def test_thread_started_with_sigbus_blocked(tmp_path):
    out = run_child(tmp_path, '''
        import signal, threading
        m = truncated_map()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGBUS})
        worker = threading.Thread(target=lambda: (
            print(signal.SIGBUS in signal.pthread_sigmask(signal.SIG_BLOCK,
                                                          [])),
            report('read', lambda: m[PAGE]),
            report('slice', lambda: m[:])))
        worker.start()                     # inherits the blocked mask
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGBUS})
        worker.join()
        report('main', lambda: m.read())
    ''')
    assert out == ['True', 'read EIO True', 'slice EIO True',
                   'main EIO True']
