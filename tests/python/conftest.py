# Shared fixtures for the Python tests of the Mmap override.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import errno
import os
import re

import gi
import pytest

gi.require_version('Mmap', '1')

from gi.repository import GLib, Mmap  # noqa: E402


@pytest.fixture
def make_file(tmp_path):
    """make_file(content) -> (path, fd opened O_RDWR); closed afterwards."""
    fds = []

    def make(content=b'', name='data', flags=os.O_RDWR):
        path = tmp_path / name
        path.write_bytes(content)
        fd = os.open(path, flags)
        fds.append(fd)
        return path, fd

    yield make
    for fd in fds:
        os.close(fd)


@pytest.fixture
def mapped(make_file):
    """A 12-byte file b'hello world\\n' mapped read-write."""
    path, fd = make_file(b'hello world\n')
    m = Mmap.mmap(fd, 0)
    yield m
    m.close()


def assert_mmap_error(excinfo, builtin, code):
    """The exception is the builtin class Python raises and a GLib.Error
    in the Mmap.Error domain with @code."""
    e = excinfo.value
    assert isinstance(e, builtin), type(e).__mro__
    assert isinstance(e, GLib.Error)
    assert e.domain == 'mmap-error-quark'
    assert e.code == int(code)
    assert e.matches(Mmap.error_quark(), code)
    assert e.message
    return e


def filesystem_type(path):
    """The type of the filesystem that holds @path ('tmpfs', 'ext4', ...),
    from /proc/self/mountinfo: os.statvfs() does not say."""
    path = os.path.realpath(path)
    best, fs_type = None, None
    with open('/proc/self/mountinfo') as mountinfo:
        for line in mountinfo:
            fields, _, rest = line.partition(' - ')
            # The mount point, with space, tab, newline and backslash
            # written in octal.
            point = re.sub(r'\\([0-7]{3})', lambda m: chr(int(m[1], 8)),
                           fields.split()[4])
            inside = (path == point
                      or path.startswith(point.rstrip('/') + '/'))
            # The deepest mount point wins; of equal ones, the last mounted.
            if inside and (best is None or len(point) >= len(best)):
                best, fs_type = point, rest.split()[0]
    return fs_type


def on_tmpfs(path):
    """Whether @path is on a tmpfs ($TMPDIR often is): shared memory, which
    F_GET_SEALS answers (SEAL only) and whose pages leave RAM only for
    swap, unlike a file on a disk."""
    return filesystem_type(path) == 'tmpfs'


def assert_eio(excinfo):
    """The exception is OSError EIO from the SIGBUS guard, a GLib.Error."""
    e = excinfo.value
    assert isinstance(e, OSError) and isinstance(e, GLib.Error)
    assert e.errno == errno.EIO
    assert 'SIGBUS' in str(e)


def override_module():
    """gi.overrides.Mmap itself (the module behind gi.repository.Mmap)."""
    import gi.overrides.Mmap
    return gi.overrides.Mmap


def have_helper():
    """Whether the override uses the compiled helper in this run."""
    return override_module()._helper is not None


def have_buffer_protocol():
    """memoryview(m) works: through the helper, or PEP 688 (3.12+)."""
    import sys
    return have_helper() or sys.version_info >= (3, 12)
