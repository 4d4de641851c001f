// test-reliability.js: issue 6 from JavaScript
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// No byte lost on a failure path (destructive advice stays inside the map,
// a write over a truncated file stores nothing, resize after advice works),
// the SIGBUS guard covers the library's reads of another map's view, and
// bad input gets a GLib.Error.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Mmap from 'gi://Mmap?version=1';

import {test, ok, is, deepEqual, throwsCode, done} from './tap.js';
import {tempFile, fileBytes, cleanup} from './util.js';

const E = Mmap.Error;
const page = Mmap.get_page_size();
const sigbus = /SIGBUS.*\[Errno 5\]/;

/** @n bytes that differ from their neighbours and from zero. */
function pattern(n) {
    return Uint8Array.from({length: n}, (_, i) => (i * 7 + 3) % 251 + 1);
}

/** Truncates the file at @path to @size bytes through another handle. */
function truncate(path, size) {
    const io = Gio.File.new_for_path(path).open_readwrite(null);
    io.truncate(size, null);
    io.close(null);
}

/** {m, path, content}: a map of @pages pages whose file now has one. */
function truncatedMap(pages) {
    const content = pattern(pages * page);
    const {fd, path} = tempFile(content);
    const m = Mmap.Object.new(fd, 0, Mmap.Access.WRITE, 0);
    GLib.close(fd);
    truncate(path, page);
    return {m, path, content};
}

test('install_sigbus_guard()', () => {
    is(Mmap.install_sigbus_guard(), true, 'returns true');
    is(Mmap.install_sigbus_guard(), true, 'and again');
});

test('destructive advice stays inside the map', () => {
    for (const offset of [0, 5000]) {
        const content = pattern(3 * page);
        const {fd, path} = tempFile(content);
        const m = Mmap.Object.new(fd, 100, Mmap.Access.WRITE, offset);
        GLib.close(fd);
        is(m.madvise_range(Mmap.Advice.REMOVE, 0, -1), true,
            `REMOVE on 100 bytes at offset ${offset}`);
        is(m.madvise(Mmap.Advice.DONTNEED), true, 'DONTNEED');
        const after = fileBytes(path);
        is(after.length, content.length, 'the file keeps its size');
        deepEqual(after.subarray(0, offset), content.subarray(0, offset),
            'the bytes before the map are unchanged');
        deepEqual(after.subarray(offset + 100), content.subarray(offset + 100),
            'the bytes after the map are unchanged');
        m.close();
    }
});

test('a write over a file truncated before the call stores nothing', () => {
    const {m, path, content} = truncatedMap(4);
    const at = page / 2;
    const data = new Uint8Array(3 * page).fill(0xee);
    m.seek(at, GLib.SeekType.SET);
    throwsCode(() => m.write(data), Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED,
        'write(): EIO', sigbus);
    throwsCode(() => m.write_bytes(new GLib.Bytes(data)), Gio.IOErrorEnum,
        Gio.IOErrorEnum.FAILED, 'write_bytes(): EIO', sigbus);
    is(m.tell(), at, 'the position is unchanged');
    throwsCode(() => m.set_slice(at, at + 3 * page, 1, data), Gio.IOErrorEnum,
        Gio.IOErrorEnum.FAILED, 'set_slice(): EIO', sigbus);
    throwsCode(() => m.move(at, 0, 3 * page), Gio.IOErrorEnum,
        Gio.IOErrorEnum.FAILED, 'move(): EIO', sigbus);
    deepEqual(fileBytes(path), content.subarray(0, page),
        'the file holds its first page, unchanged');
    m.close();
});

test('resize after advice on part of the map', () => {
    const content = pattern(4 * page);
    const {fd, path} = tempFile(content);
    const m = Mmap.Object.new(fd, 2 * page, Mmap.Access.DEFAULT, 0);
    GLib.close(fd);
    is(m.madvise_range(Mmap.Advice.RANDOM, 0, 10), true, 'RANDOM on 10 bytes');
    m.seek(7, GLib.SeekType.SET);
    is(m.resize(3 * page), true, 'resize() to 3 pages succeeds');
    is(m.length, 3 * page, 'the new length');
    is(m.tell(), 7, 'the position is kept');
    const after = fileBytes(path);
    is(after.length, 3 * page, 'the file is offset + new size long');
    deepEqual(after, content.subarray(0, 3 * page), 'its bytes are intact');
    deepEqual(m.get_slice(0, 3 * page, 1).toArray(), after,
        'and the map shows them');
    m.close();
});

test('advice that is no Mmap.Advice', () => {
    const m = Mmap.Object.new_anonymous(page);
    m.write(new Uint8Array([1, 2, 3]));
    // gjs itself refuses values outside the enum's range; values inside it
    // that name no member reach the library.
    for (const advice of [5, 6, 7])
        throwsCode(() => m.madvise_range(advice, 0, -1), Mmap.Error,
            E.INVALID_ARGUMENT, `advice ${advice}: INVALID_ARGUMENT`);
    throwsCode(() => m.madvise(5), Mmap.Error, E.INVALID_ARGUMENT,
        'madvise(5) too');
    let refused = false;
    try {
        m.madvise_range(102, 0, -1);
    } catch {
        refused = true;
    }
    ok(refused, 'advice 102 (MADV_GUARD_INSTALL) is refused');
    deepEqual(m.get_slice(0, 3, 1).toArray(), new Uint8Array([1, 2, 3]),
        'the map is still readable');
});

test('views: an empty one counts, bad lengths are refused', () => {
    const empty = Mmap.Object.new_anonymous(0);
    const view = empty.view(0, -1);
    is(view.get_size(), 0, 'a view of an empty map is empty');
    is(empty.get_n_views(), 1, 'and counts as an export');
    throwsCode(() => empty.resize(page), Mmap.Error, E.EXPORTS_EXIST,
        'resize() while it is held: EXPORTS_EXIST');
    is(empty.length, 0, 'the length is unchanged');
    const m = Mmap.Object.new_anonymous(10);
    throwsCode(() => m.view(0, -5), Mmap.Error, E.OUT_OF_RANGE,
        'view(0, -5): OUT_OF_RANGE');
    throwsCode(() => m.view(2, -2), Mmap.Error, E.OUT_OF_RANGE,
        'view(2, -2): OUT_OF_RANGE');
    is(m.view(2, -1).get_size(), 8, 'view(2, -1) is the rest');
});

test('the library guards its reads of a view of a truncated map', () => {
    const src = truncatedMap(3);
    // Never touch this view's memory from JavaScript: it would fault.
    const view = src.m.view(0, -1);
    const dst = Mmap.Object.new_anonymous(3 * page);
    throwsCode(() => dst.write_bytes(view), Gio.IOErrorEnum,
        Gio.IOErrorEnum.FAILED, 'write_bytes() from it: EIO', /\[Errno 5\]/);
    is(dst.tell(), 0, 'the destination position is unchanged');
    deepEqual(dst.get_slice(0, 8, 1).toArray(), new Uint8Array(8),
        'and nothing was stored');
    src.m.close();
});

cleanup();
done();
