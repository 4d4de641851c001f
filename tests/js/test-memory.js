// test-memory.js: memory controls from gjs: lock/unlock, protect,
// residency, sync flags and huge pages (issue 10, part 4)
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// get_residency() returns [resident, n_pages]; get_residency_map() a
// GLib.Bytes of one 0/1 byte a page. gjs cannot fork, so the fork
// children are tested from C and Python; the locked-memory limit is tested
// in a gjs child started under prlimit (and, as root, setpriv dropping
// CAP_IPC_LOCK), when those tools are there.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Mmap from 'gi://Mmap?version=1';

import {test, ok, is, deepEqual, throwsCode, diag, done} from './tap.js';
import {str, tempFile, onTmpfs, cleanup} from './util.js';

const E = Mmap.Error;
const P = Mmap.Prot;
const RW = P.READ | P.WRITE;
const PAGE = Mmap.get_page_size();
const ENOMEM = 12;

function anonymous(length, flags = Mmap.MapFlags.PRIVATE) {
    return Mmap.Object.new_full(-1, length, flags, RW, Mmap.Access.DEFAULT, 0, true);
}

function pattern(length, seed) {
    const data = new Uint8Array(length);
    for (let i = 0; i < length; i++)
        data[i] = (i * 31 + seed) & 0xff;
    return data;
}

function readText(path) {
    const [, contents] = GLib.file_get_contents(path);
    return str(contents);
}

function freeHugePages() {
    const match = /^HugePages_Free:\s*(\d+)/m.exec(readText('/proc/meminfo'));
    return match ? Number(match[1]) : 0;
}

function skip(name, reason) {
    ok(true, `${name} # SKIP ${reason}`);
}

/** Runs @fn; true if it threw NOT_SUPPORTED (then the caller skips). */
function notSupported(fn) {
    try {
        fn();
        return false;
    } catch (e) {
        if (e instanceof GLib.Error && e.matches(E, E.NOT_SUPPORTED))
            return e;
        throw e;
    }
}

test('lock: whole map and ranges', () => {
    const m = anonymous(16 * PAGE);
    deepEqual(m.get_residency(0, -1), [0, 16], 'nothing resident yet');
    ok(m.lock(Mmap.LockFlags.DEFAULT), 'lock()');
    deepEqual(m.get_residency(0, -1), [16, 16], 'locking brought every page in');
    ok(m.unlock(), 'unlock()');
    ok(m.lock_range(PAGE + 1, 10, Mmap.LockFlags.DEFAULT), 'lock_range()');
    ok(m.unlock_range(PAGE + 1, 10), 'unlock_range()');
    throwsCode(() => m.lock_range(0, 17 * PAGE, Mmap.LockFlags.DEFAULT), E,
        E.OUT_OF_RANGE, 'past the end: OUT_OF_RANGE');
    ok(m.close(), 'close()');
    throwsCode(() => m.lock(Mmap.LockFlags.DEFAULT), E, E.CLOSED, 'closed: CLOSED');
    throwsCode(() => m.unlock(), E, E.CLOSED, 'unlock closed: CLOSED');
});

test('lock: ON_FAULT', () => {
    const m = anonymous(16 * PAGE);
    const e = notSupported(() => m.lock(Mmap.LockFlags.ON_FAULT));
    if (e) {
        skip('ON_FAULT', e.message);
        return;
    }
    deepEqual(m.get_residency(0, -1), [0, 16], 'nothing brought in');
    m.set_byte(3 * PAGE, 1);
    deepEqual(m.get_residency(0, -1), [1, 16], 'the touched page only');
    deepEqual(m.get_residency_map(0, -1).toArray(),
        Uint8Array.from({length: 16}, (_, i) => i === 3 ? 1 : 0), 'which one');
    ok(m.unlock(), 'unlock()');
});

const LOCK_LIMIT_CHILD = `
imports.gi.versions.Mmap = '1';
const Mmap = imports.gi.Mmap;
const m = Mmap.Object.new_full(-1, 1024 * 1024, Mmap.MapFlags.PRIVATE,
    Mmap.Prot.READ | Mmap.Prot.WRITE, Mmap.Access.DEFAULT, 0, true);
try {
    m.lock(Mmap.LockFlags.DEFAULT);
    print('locked');
} catch (e) {
    print(Mmap.error_get_errno(e));
    print(e.message);
}
print(m.lock_range(0, 8192, Mmap.LockFlags.DEFAULT));
`;

test('lock: the locked-memory limit', () => {
    const prlimit = GLib.find_program_in_path('prlimit');
    const setpriv = GLib.find_program_in_path('setpriv');
    const root = readText('/proc/self/status').match(/^Uid:\s+\d+\s+(\d+)/m)[1] === '0';
    if (prlimit === null || (root && setpriv === null)) {
        skip('RLIMIT_MEMLOCK', 'needs prlimit (and setpriv as root)');
        return;
    }
    const argv = [prlimit, '--memlock=65536:65536'];
    // Root is exempt from the limit through CAP_IPC_LOCK: the child runs
    // without it (still as root, so it reads the typelib wherever the
    // build tree is, even in a directory only root may enter).
    if (root)
        argv.push(setpriv, '--bounding-set=-ipc_lock');
    argv.push(GLib.find_program_in_path('gjs'), '-c', LOCK_LIMIT_CHILD);
    const proc = Gio.Subprocess.new(argv,
        Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_PIPE);
    const [, out, err] = proc.communicate_utf8(null, null);
    is(proc.get_exit_status(), 0, 'the child ran');
    const [code, message, within] = out.trim().split('\n');
    diag(message);
    ok([ENOMEM, 1, 11].includes(Number(code)), `ENOMEM, EPERM or EAGAIN (${code})`);
    ok(/RLIMIT_MEMLOCK/.test(message), 'the message names RLIMIT_MEMLOCK');
    ok(/locked-memory limit is 65536 bytes/.test(message), 'and the limit');
    is(within, 'true', 'within the limit it works');
    if (proc.get_exit_status() !== 0)
        diag(err);
});

test('protect: PROT_NONE and back', () => {
    const data = pattern(2 * PAGE, 5);
    const {fd} = tempFile(data);
    const m = Mmap.Object.new(fd, 0, Mmap.Access.WRITE, 0);
    ok(m.protect(P.NONE), 'protect(NONE)');
    is(m.get_prot(), P.NONE, 'get_prot()');
    throwsCode(() => m.get_byte(0), E, E.NOT_ACCESSIBLE, 'get_byte(): NOT_ACCESSIBLE');
    throwsCode(() => m.read(10), E, E.NOT_ACCESSIBLE, 'read(): NOT_ACCESSIBLE');
    throwsCode(() => m.get_slice(0, 10, 1), E, E.NOT_ACCESSIBLE,
        'get_slice(): NOT_ACCESSIBLE');
    throwsCode(() => m.view(0, 1), E, E.NOT_ACCESSIBLE, 'view(): NOT_ACCESSIBLE');
    throwsCode(() => m.find(new Uint8Array([120])), E, E.NOT_ACCESSIBLE,
        'find(): NOT_ACCESSIBLE');
    let error = null;
    try {
        m.set_byte(0, 1);
    } catch (e) {
        error = e;
    }
    ok(error instanceof GLib.Error, `set_byte() refused (${error})`);
    ok(m.protect(RW), 'protect(READ | WRITE)');
    deepEqual(m.get_slice(0, 2 * PAGE, 1).toArray(), data, 'the bytes are there');
    ok(m.set_byte(0, 1), 'writable again');
    is(m.get_byte(0), 1, 'written');
});

test('protect: read-only, and what cannot be added', () => {
    const m = anonymous(PAGE);
    m.set_byte(7, 42);
    ok(m.protect(P.READ), 'protect(READ)');
    is(m.get_byte(7), 42, 'reads work');
    throwsCode(() => m.set_byte(7, 1), E, E.READ_ONLY, 'set_byte(): READ_ONLY');
    ok(m.protect(RW), 'WRITE given back');
    ok(m.set_byte(7, 1), 'writes work');

    const {fd} = tempFile('read only');
    const ro = Mmap.Object.new(fd, 0, Mmap.Access.READ, 0);
    throwsCode(() => ro.protect(RW), E, E.READ_ONLY, 'adding WRITE: READ_ONLY');
    throwsCode(() => ro.protect(P.READ | P.EXEC), E, E.INVALID_ARGUMENT,
        'adding EXEC: INVALID_ARGUMENT');
    is(ro.get_prot(), P.READ, 'unchanged');
    ok(ro.protect(P.NONE) && ro.protect(P.READ), 'taking away and giving back');
    is(str(ro.get_slice(0, 9, 1)), 'read only', 'reads again');
});

test('protect_range()', () => {
    const m = anonymous(3 * PAGE, Mmap.MapFlags.SHARED);
    m.set_byte(PAGE + 5, 9);
    ok(m.protect_range(PAGE + 5, 1, P.NONE), 'one byte: PROT_NONE');
    is(m.get_prot(), P.NONE, 'the map is as strict as its strictest page');
    throwsCode(() => m.get_byte(0), E, E.NOT_ACCESSIBLE, 'another page: NOT_ACCESSIBLE');
    throwsCode(() => m.resize(4 * PAGE), E, E.NOT_RESIZABLE, 'resize(): NOT_RESIZABLE');
    is(m.get_length(), 3 * PAGE, 'length unchanged');
    ok(m.protect_range(PAGE, PAGE, P.READ), 'the page: READ');
    is(m.get_byte(PAGE + 5), 9, 'reads work everywhere');
    throwsCode(() => m.set_byte(2 * PAGE, 1), E, E.READ_ONLY, 'writes nowhere');
    ok(m.protect_range(PAGE, PAGE, RW), 'the page: READ | WRITE');
    is(m.get_prot(), RW, 'uniform again');
    ok(m.set_byte(2 * PAGE, 1), 'writes work');
    ok(m.resize(4 * PAGE), 'resize() works');
    is(m.get_length(), 4 * PAGE, 'resized');
});

test('residency: populate and PAGEOUT', () => {
    const n = 64;
    const {fd, path} = tempFile('');
    // A sparse file: none of its pages is in the page cache yet.
    const w = Mmap.Object.new(fd, 0, Mmap.Access.WRITE, 0);
    ok(w.resize(n * PAGE), 'a sparse file of 64 pages');
    ok(w.close(), 'closed');
    const m = Mmap.Object.new(fd, 0, Mmap.Access.READ, 0);
    const [before, nPages] = m.get_residency(0, -1);
    is(nPages, n, 'n_pages');
    ok(before < n, `not all resident before (${before})`);
    ok(m.populate(0, -1, false, null, null), 'populate()');
    const [populated] = m.get_residency(0, -1);
    is(populated, n, 'all resident after populate()');
    deepEqual(m.get_residency_map(0, -1).toArray(), new Uint8Array(n).fill(1),
        'the map says so too');
    ok(m.madvise(Mmap.Advice.PAGEOUT), 'madvise(PAGEOUT)');
    const [pagedOut] = m.get_residency(0, -1);
    diag(`resident pages of ${n}: ${before} before, ${populated} after populate, ` +
         `${pagedOut} after PAGEOUT`);
    // On a tmpfs the file is shared memory, and resize() allocated its
    // pages (fallocate()): without swap they never leave RAM.
    if (onTmpfs(path)) {
        skip('fewer after PAGEOUT', 'the file is on a tmpfs, whose pages ' +
             'leave RAM only for swap');
    } else {
        ok(pagedOut < populated, 'fewer after PAGEOUT');
    }
    is(m.get_byte(n * PAGE - 1), 0, 'the bytes are still there');
});

test('residency: ranges and the map', () => {
    const m = anonymous(8 * PAGE);
    m.set_byte(PAGE, 1);
    m.set_byte(5 * PAGE + 7, 1);
    const bitmap = m.get_residency_map(PAGE + 1, 2 * PAGE);
    ok(bitmap instanceof GLib.Bytes, 'a GLib.Bytes');
    deepEqual(bitmap.toArray(), new Uint8Array([1, 0, 0]),
        'one byte a page, from the page that holds the offset');
    deepEqual(m.get_residency(PAGE + 1, 2 * PAGE), [1, 3], 'the count agrees');
    deepEqual(m.get_residency_map(0, -1).toArray(),
        new Uint8Array([0, 1, 0, 0, 0, 1, 0, 0]), 'the whole map');
    deepEqual(m.get_residency(3 * PAGE, 0), [0, 0], 'an empty range');
    throwsCode(() => m.get_residency(0, 9 * PAGE), E, E.OUT_OF_RANGE,
        'past the end: OUT_OF_RANGE');
    throwsCode(() => m.get_residency_map(8 * PAGE + 1, -1), E, E.OUT_OF_RANGE,
        'map past the end: OUT_OF_RANGE');
});

test('flush_range_full()', () => {
    const {fd, path} = tempFile('0123456789');
    const m = Mmap.Object.new(fd, 0, Mmap.Access.WRITE, 0);
    const F = Mmap.SyncFlags;
    m.set_byte(0, 'X'.charCodeAt(0));
    ok(m.flush_range_full(0, -1, F.DEFAULT), 'DEFAULT');
    ok(m.flush_range_full(0, -1, F.ASYNC), 'ASYNC');
    ok(m.flush_range_full(2, 3, F.INVALIDATE), 'INVALIDATE');
    ok(m.flush_range_full(0, -1, F.ASYNC | F.INVALIDATE), 'ASYNC | INVALIDATE');
    is(readText(path), 'X123456789', 'in the file');
    throwsCode(() => m.flush_range_full(0, 11, F.DEFAULT), E, E.OUT_OF_RANGE,
        'past the end: OUT_OF_RANGE');
    let error = null;
    try {
        m.flush_range_full(0, -1, 1 << 7);
    } catch (e) {
        error = e;
    }
    ok(error !== null, 'an unknown flag is refused');
});

test('huge pages', () => {
    const size = 2 * 1024 * 1024;
    const free = freeHugePages();
    for (const [sharing, flag] of [['private', Mmap.MapFlags.PRIVATE],
        ['shared', Mmap.MapFlags.SHARED]]) {
        let huge = null, error = null;
        try {
            huge = Mmap.Object.new_full(-1, size,
                flag | Mmap.MapFlags.HUGETLB | Mmap.MapFlags.HUGE_2MB,
                RW, Mmap.Access.DEFAULT, 0, true);
        } catch (e) {
            error = e;
        }
        if (free === 0) {
            ok(error instanceof GLib.Error && Mmap.error_get_errno(error) === ENOMEM,
                `${sharing}: no pool: ENOMEM`);
            ok(error !== null && /nr_hugepages/.test(error.message),
                `${sharing}: the message names nr_hugepages`);
            skip(`${sharing}: a real huge page map`, 'no huge pages reserved ' +
                 'here (/proc/sys/vm/nr_hugepages is 0); the error was clean');
            continue;
        }
        ok(huge !== null, `${sharing}: mapped (${error})`);
        huge.set_byte(size - 1, 3);
        is(huge.get_byte(size - 1), 3, `${sharing}: the last byte`);
    }

    const m = anonymous(4 * 1024 * 1024);
    const e = notSupported(() => m.madvise(Mmap.Advice.HUGEPAGE));
    if (e) {
        skip('HUGEPAGE advice', 'no transparent huge pages in this kernel');
        return;
    }
    ok(m.set_byte(0, 1), 'HUGEPAGE advice: the map works');
    ok(m.madvise(Mmap.Advice.NOHUGEPAGE), 'NOHUGEPAGE');
});

cleanup();
done();
