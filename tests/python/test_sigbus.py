# A file truncated under a map raises OSError(EIO) instead of killing the
# interpreter with SIGBUS (CPython's mmap dies here).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os

import gi
import pytest

gi.require_version('Mmap', '1')

from gi.repository import Mmap  # noqa: E402

from conftest import assert_eio  # noqa: E402

PAGE = Mmap.PAGESIZE


@pytest.fixture
def truncated(make_file):
    """A 3-page map whose file now has only its first page."""
    path, fd = make_file(b'abc' * PAGE)
    m = Mmap.mmap(fd, 0)
    os.truncate(path, PAGE)
    yield m
    m.close()


def test_reads_past_the_new_end_raise(truncated):
    m = truncated
    assert m[0] == ord('a')
    assert m[:3] == b'abc'
    for op in (lambda: m[PAGE], lambda: m[-1], lambda: m[:],
               lambda: m[::-7], lambda: m.find(b'zz', 0),
               lambda: m.rfind(b'zz', 0), lambda: bytes(m)):
        with pytest.raises(OSError) as excinfo:
            op()
        assert_eio(excinfo)


def test_position_calls_leave_the_position(truncated):
    m = truncated
    m.seek(PAGE + 5)
    for op in (m.read, m.readline, m.read_byte):
        with pytest.raises(OSError) as excinfo:
            op()
        assert_eio(excinfo)
    with pytest.raises(OSError) as excinfo:
        m.write(b'xy')
    assert_eio(excinfo)
    with pytest.raises(OSError) as excinfo:
        m.write_byte(1)
    assert_eio(excinfo)
    assert m.tell() == PAGE + 5


def test_writes_past_the_new_end_raise(truncated):
    m = truncated
    with pytest.raises(OSError) as excinfo:
        m[PAGE] = 1
    assert_eio(excinfo)
    with pytest.raises(OSError) as excinfo:
        m[PAGE:PAGE + 2] = b'xy'
    assert_eio(excinfo)
    with pytest.raises(OSError) as excinfo:
        m.move(0, PAGE, 10)
    assert_eio(excinfo)


def test_growing_the_file_again_recovers(truncated, tmp_path):
    m = truncated
    os.truncate(tmp_path / 'data', 3 * PAGE)
    assert m[-1] == 0
    assert m[:3] == b'abc'
