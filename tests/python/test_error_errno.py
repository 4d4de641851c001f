# Mmap.error_get_errno() from Python: called with a caught GLib.Error (raw
# or converted by the override), it gives the errno of the library's OS
# failures and 0 for everything else.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import errno
import os
import pickle

import gi
import pytest

gi.require_version('Mmap', '1')

from gi.repository import GLib, Gio, Mmap  # noqa: E402

E = Mmap.Error
PAGE = Mmap.PAGESIZE
IO_DOMAIN = 'g-io-error-quark'


def test_raw_error_from_a_missing_file():
    with pytest.raises(GLib.Error) as info:
        Mmap.Object.new_for_path('/nonexistent/mmapobj-py', Mmap.Access.READ)
    e = info.value
    assert e.domain == IO_DOMAIN
    assert Mmap.error_get_errno(e) == errno.ENOENT
    # The message format is unchanged.
    assert e.message == ('open: /nonexistent/mmapobj-py: [Errno 2] '
                         'No such file or directory')


def test_override_error_for_a_bad_fd():
    with pytest.raises(OSError) as info:
        Mmap.mmap(-2, PAGE)
    e = info.value
    assert isinstance(e, GLib.Error)
    assert e.errno == errno.EBADF
    assert Mmap.error_get_errno(e) == errno.EBADF


def test_override_keeps_errno_and_strerror(tmp_path):
    # A directory has no size to map: EINVAL from the library's check.
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        with pytest.raises(OSError) as info:
            Mmap.mmap(fd, 0)
    finally:
        os.close(fd)
    e = info.value
    assert e.errno == errno.EINVAL
    assert e.strerror == os.strerror(errno.EINVAL)
    assert str(e).startswith('[Errno 22] ' + os.strerror(errno.EINVAL) + ' (')
    assert e.message.endswith('[Errno 22] ' + os.strerror(errno.EINVAL))
    assert Mmap.error_get_errno(e) == errno.EINVAL


def test_sigbus_is_eio(make_file):
    path, fd = make_file(b'x' * (2 * PAGE))
    m = Mmap.mmap(fd, 0)
    os.truncate(path, PAGE)
    try:
        with pytest.raises(OSError) as info:
            m[PAGE]
    finally:
        m.close()
    e = info.value
    assert 'SIGBUS' in e.message
    assert e.errno == errno.EIO
    assert Mmap.error_get_errno(e) == errno.EIO


def test_mmap_errors_have_no_errno():
    m = Mmap.mmap(-1, 10)
    with pytest.raises(IndexError) as info:
        m[10]
    assert Mmap.error_get_errno(info.value) == 0
    m.close()
    with pytest.raises(ValueError) as info:
        m.read(1)
    assert info.value.matches(Mmap.error_quark(), E.CLOSED)
    assert Mmap.error_get_errno(info.value) == 0


def test_no_tracked_fd_is_ebadf_only_in_the_override():
    # size() raises OSError EBADF as CPython does; the library's error is
    # NO_TRACKED_FD, which has no errno of its own.
    m = Mmap.mmap(-1, 10)
    with pytest.raises(OSError) as info:
        m.size()
    e = info.value
    assert e.errno == errno.EBADF
    assert e.matches(Mmap.error_quark(), E.NO_TRACKED_FD)
    assert Mmap.error_get_errno(e) == 0
    m.close()


def test_not_supported_is_einval():
    e = GLib.Error('madvise: advice 18 is not supported', 'mmap-error-quark',
                   int(E.NOT_SUPPORTED))
    assert Mmap.error_get_errno(e) == errno.EINVAL


def test_seals_missing_is_permission_error():
    e = GLib.Error('check_seals: the memory is not sealed with WRITE',
                   'mmap-error-quark', int(E.SEALS_MISSING))
    assert Mmap.error_get_errno(e) == errno.EPERM
    m = Mmap.Object.new_memfd('t', 16, Mmap.MemfdFlags.ALLOW_SEALING)
    with pytest.raises(PermissionError) as info:
        m.check_seals(Mmap.Seals.WRITE)
    assert info.value.errno == errno.EPERM
    assert info.value.matches(Mmap.error_quark(), E.SEALS_MISSING)
    assert 'WRITE' in str(info.value)
    m.close()


def test_copies_keep_the_errno():
    with pytest.raises(GLib.Error) as info:
        Mmap.Object(path='/nonexistent/mmapobj-py').init(None)
    e = info.value
    rebuilt = GLib.Error(e.message, e.domain, e.code)
    assert Mmap.error_get_errno(rebuilt) == errno.ENOENT
    with pytest.raises(OSError) as info:
        Mmap.mmap(-2, PAGE)
    unpickled = pickle.loads(pickle.dumps(info.value))
    assert type(unpickled) is type(info.value)
    assert Mmap.error_get_errno(unpickled) == errno.EBADF


@pytest.mark.parametrize('domain, code, message', [
    (IO_DOMAIN, Gio.IOErrorEnum.NOT_FOUND, 'Error opening /x: No such file'),
    (IO_DOMAIN, Gio.IOErrorEnum.NOT_FOUND, 'open: /x: [Errno 2] not found'),
    (IO_DOMAIN, Gio.IOErrorEnum.PERMISSION_DENIED,
     'open: /x: [Errno 2] No such file or directory'),
    ('g-file-error-quark', int(GLib.FileError.NOENT),
     'open: /x: [Errno 2] No such file or directory'),
])
def test_foreign_errors_have_no_errno(domain, code, message):
    assert Mmap.error_get_errno(GLib.Error(message, domain, int(code))) == 0


def test_gio_error_has_no_errno():
    with pytest.raises(GLib.Error) as info:
        Gio.File.new_for_path('/nonexistent/mmapobj-py').load_contents(None)
    e = info.value
    assert e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND)
    assert Mmap.error_get_errno(e) == 0
