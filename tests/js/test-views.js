// test-views.js: zero-copy views from JavaScript
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// What gjs 1.74 does with a view (checked while writing these tests):
//
// - GLib.Bytes.toArray() does NOT copy: it wraps the GBytes' memory in an
//   external ArrayBuffer that holds a reference on the GBytes. For a view
//   that memory is the map itself, so the Uint8Array shows later writes to
//   the map, and it is an ordinary writable Uint8Array (Object.isFrozen() is
//   false, no exception on assignment). On a map without PROT_WRITE (e.g.
//   Mmap.Access.READ) an assignment into it faults: `a[0] = 1` killed gjs
//   with SIGSEGV (exit status 139) in a separate experiment.
// - GLib.Bytes.get_data() DOES copy: the array it returns is detached from
//   the map.
//
// So in JavaScript: use view().toArray() to read without copying and never
// assign into it; use get_data() (or read()/get_slice()) when a private,
// modifiable copy is wanted. The tests below never write into an array
// that aliases a read-only map; the aliasing is shown by writing through
// the library (or through another, writable, map of the same file).

import GLib from 'gi://GLib';
import Mmap from 'gi://Mmap?version=1';
import System from 'system';

import {test, ok, is, deepEqual, throwsCode, done} from './tap.js';
import {b, str, tempFile, tempPath, cleanup} from './util.js';

function collect() {
    // Views are released when their JS wrappers are finalized.
    System.gc();
}

test('view() contents and bounds', () => {
    const m = Mmap.Object.new_anonymous(10);
    m.write(b('0123456789'));
    const whole = m.view(0, -1);
    ok(whole instanceof GLib.Bytes, 'a GLib.Bytes');
    is(str(whole), '0123456789', 'view(0, -1) is the whole map');
    is(str(m.view(3, 4)), '3456', 'view(3, 4)');
    is(str(m.view(7, -1)), '789', 'view(7, -1) is the rest');
    is(m.view(10, -1).get_size(), 0, 'view(length, -1) is empty');
    is(m.view(4, 0).get_size(), 0, 'view(4, 0) is empty');
    is(m.tell(), 10, 'view() leaves the position alone');
    const empty = Mmap.Object.new_anonymous(0);
    const emptyView = empty.view(0, -1);
    is(emptyView.get_size(), 0, 'a view of an empty map');
    is(empty.get_n_views(), 1, 'counts as an export, like any view');
});

test('toArray() of a view aliases the map; get_data() copies', () => {
    const m = Mmap.Object.new_anonymous(6);
    m.write(b('abcdef'));
    const view = m.view(0, -1);
    const alias = view.toArray();
    const copy = view.get_data();
    deepEqual(alias, b('abcdef'), 'toArray() has the contents');
    deepEqual(copy, b('abcdef'), 'get_data() has the contents');
    m.set_byte(0, 'X'.charCodeAt(0));
    is(alias[0], 'X'.charCodeAt(0), 'a write through the map shows in toArray()');
    is(copy[0], 'a'.charCodeAt(0), 'but not in get_data()');
    // This map is writable (PROT_READ|PROT_WRITE), so writing into the
    // alias is safe here and shows that the array is the map's memory.
    ok(!Object.isFrozen(alias), 'the toArray() array is not frozen');
    alias[1] = 'Y'.charCodeAt(0);
    is(m.get_byte(1), 'Y'.charCodeAt(0),
        'on a writable map, writing into toArray() writes the map');
});

test('read-only map: a view reads correctly and follows the file', () => {
    const path = tempPath('read-only contents');
    const ro = Mmap.Object.new_for_path(path, Mmap.Access.READ);
    const rw = Mmap.Object.new_for_path(path, Mmap.Access.WRITE);
    const view = ro.view(0, -1);
    const alias = view.toArray();
    const copy = view.get_data();
    is(str(alias), 'read-only contents', 'toArray() of the view reads correctly');
    is(ro.get_n_views(), 1, 'one view alive');
    // Change the file through the writable map, never through the array.
    rw.set_byte(0, 'R'.charCodeAt(0));
    is(alias[0], 'R'.charCodeAt(0),
        'toArray() aliases the read-only map (it sees another map\'s write)');
    is(copy[0], 'r'.charCodeAt(0), 'get_data() is a copy that does not');
    is(str(ro.get_slice(0, 4, 1)), 'Read', 'the map agrees');
    throwsCode(() => ro.resize(3), Mmap.Error, Mmap.Error.EXPORTS_EXIST,
        'resize() is refused while the view lives');
    ro.close();
    ok(ro.closed, 'close() succeeds with a live view');
    is(str(alias), 'Read-only contents', 'the view stays readable after close()');
    is(str(view.get_data()), 'Read-only contents', 'so does get_data()');
    rw.set_byte(1, 'E'.charCodeAt(0));
    is(alias[1], 'E'.charCodeAt(0), 'and still shows the shared file after close()');
});

test('get_n_views() and resize() after views are released', () => {
    const {fd} = tempFile('0123456789');
    const m = Mmap.Object.new(fd, 0, Mmap.Access.WRITE, 0);
    GLib.close(fd);
    is(m.get_n_views(), 0, 'no views at first');
    (() => {
        const v1 = m.view(0, 2);
        const v2 = m.view(5, -1);
        is(m.get_n_views(), 2, 'two views');
        throwsCode(() => m.resize(20), Mmap.Error, Mmap.Error.EXPORTS_EXIST,
            'resize() refused', /2 views alive/);
        is(str(v1) + str(v2), '0156789', 'views intact');
    })();
    collect();
    is(m.get_n_views(), 0, 'released once their wrappers are collected');
    is(m.resize(20), true, 'resize() works again');
    is(m.length, 20, 'resized');

    let array = null;
    (() => {
        array = m.view(0, 4).toArray();
    })();
    collect();
    is(m.get_n_views(), 1, 'a toArray() array keeps its view alive');
    throwsCode(() => m.resize(4), Mmap.Error, Mmap.Error.EXPORTS_EXIST,
        'so resize() is still refused');
    is(str(array), '0123', 'and the array stays valid');
    array = null;
    collect();
    is(m.get_n_views(), 0, 'dropping the array releases the view');
    is(m.resize(4), true, 'resize() works again');
});

test('views outlive close() and the object', () => {
    let view = null;
    let array = null;
    (() => {
        const m = Mmap.Object.new_anonymous(5);
        m.write(b('alive'));
        view = m.view(1, 3);
        array = view.toArray();
        m.close();
        is(m.get_n_views(), 0, 'a closed map reports no views');
        throwsCode(() => m.view(0, -1), Mmap.Error, Mmap.Error.CLOSED,
            'no new views once closed');
    })();
    collect();
    is(str(view), 'liv', 'the view is valid after close() and collection');
    is(str(array), 'liv', 'its array too');
});

test('views of an offset map', () => {
    const {fd} = tempFile('skip-this:payload');
    const m = Mmap.Object.new(fd, 0, Mmap.Access.READ, 10);
    GLib.close(fd);
    is(str(m.view(0, -1)), 'payload', 'view(0) starts at the map offset');
    is(str(m.view(3, 2)), 'lo', 'view(3, 2)');
});

cleanup();
done();
