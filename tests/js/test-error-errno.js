// test-error-errno.js: Mmap.error_get_errno() with caught GLib.Error values
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// gjs passes a caught GLib.Error back to C as the GError it wraps, so the
// errno of a failure is read without parsing the message.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Mmap from 'gi://Mmap?version=1';

import {test, ok, is, throwsCode, done} from './tap.js';
import {tempPath, cleanup} from './util.js';

const E = Mmap.Error;
const ENOENT = 2, EIO = 5, EBADF = 9, EINVAL = 22;

test('ENOENT from new_for_path()', () => {
    const e = throwsCode(
        () => Mmap.Object.new_for_path('/nonexistent/mmapobj-gjs', Mmap.Access.READ),
        Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND, 'open() a missing file');
    is(e && Mmap.error_get_errno(e), ENOENT, 'Mmap.error_get_errno()');
    is(e && Mmap.Error.get_errno(e), ENOENT, 'Mmap.Error.get_errno() too');
    is(e?.message, 'open: /nonexistent/mmapobj-gjs: [Errno 2] No such file or directory',
        'the message format is unchanged');
});

test('EBADF from new() with fd -2', () => {
    const e = throwsCode(() => Mmap.Object.new(-2, 1, Mmap.Access.DEFAULT, 0),
        Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED, 'fd -2');
    is(e && Mmap.error_get_errno(e), EBADF, 'EBADF');
});

test('EIO from SIGBUS', () => {
    const page = Mmap.get_page_size();
    const path = tempPath('x'.repeat(2 * page));
    const m = Mmap.Object.new_for_path(path, Mmap.Access.READ);
    Gio.File.new_for_path(path).open_readwrite(null).truncate(page, null);
    const e = throwsCode(() => m.get_byte(page), Gio.IOErrorEnum,
        Gio.IOErrorEnum.FAILED, 'get_byte() past the new end', /SIGBUS/);
    is(e && Mmap.error_get_errno(e), EIO, 'EIO');
    m.close();
});

test('Mmap.Error codes have no errno, NOT_SUPPORTED is EINVAL', () => {
    const m = Mmap.Object.new_anonymous(4);
    const index = throwsCode(() => m.get_byte(4), E, E.INDEX_OUT_OF_RANGE,
        'index out of range');
    is(index && Mmap.error_get_errno(index), 0, 'INDEX_OUT_OF_RANGE: 0');
    const noFd = throwsCode(() => m.size(), E, E.NO_TRACKED_FD, 'size()');
    is(noFd && Mmap.error_get_errno(noFd), 0, 'NO_TRACKED_FD: 0');
    m.close();
    const closed = throwsCode(() => m.get_byte(0), E, E.CLOSED, 'closed');
    is(closed && Mmap.error_get_errno(closed), 0, 'CLOSED: 0');
    const made = new GLib.Error(E, E.NOT_SUPPORTED, 'madvise: not supported');
    is(Mmap.error_get_errno(made), EINVAL, 'NOT_SUPPORTED: EINVAL');
    const unsealed = new GLib.Error(E, E.SEALS_MISSING, 'check_seals: WRITE');
    is(Mmap.error_get_errno(unsealed), 1, 'SEALS_MISSING: EPERM');
});

test('NULL and foreign errors give 0', () => {
    is(Mmap.error_get_errno(null), 0, 'null');
    const plain = new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND,
        'Error opening /x: No such file or directory');
    is(Mmap.error_get_errno(plain), 0, 'G_IO_ERROR without the suffix');
    const wrongCode = new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.EXISTS,
        'open: /x: [Errno 2] No such file or directory');
    is(Mmap.error_get_errno(wrongCode), 0, 'a code that is not ENOENT\'s');
    let gio = null;
    try {
        Gio.File.new_for_path('/nonexistent/mmapobj-gjs').load_contents(null);
    } catch (e) {
        gio = e;
    }
    ok(gio instanceof GLib.Error && gio.matches(Gio.IOErrorEnum,
        Gio.IOErrorEnum.NOT_FOUND), 'GIO reports NOT_FOUND');
    is(gio && Mmap.error_get_errno(gio), 0, 'an error GIO made: 0');
});

test('a rebuilt copy keeps the errno', () => {
    let e = null;
    try {
        Mmap.Object.new_for_path('/nonexistent/mmapobj-gjs', Mmap.Access.READ);
    } catch (caught) {
        e = caught;
    }
    const copy = new GLib.Error(Gio.IOErrorEnum, e.code, e.message);
    is(Mmap.error_get_errno(copy), ENOENT, 'new GLib.Error(domain, code, message)');
});

cleanup();
done();
