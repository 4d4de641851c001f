// test-async.js: maps from a Gio.File, and the calls that run on a worker
// thread, through Gio._promisify
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Mmap from 'gi://Mmap?version=1';

import {section, ok, is, diag, done} from './tap.js';
import {str, tempFile, fileBytes, cleanup, rejection} from './util.js';

Gio._promisify(Mmap.Object, 'new_for_file_async', 'new_for_file_finish');
Gio._promisify(Mmap.Object.prototype, 'flush_async', 'flush_finish');
Gio._promisify(Mmap.Object.prototype, 'populate_async', 'populate_finish');

async function main() {
    section('new_for_file() and new_for_file_async()');
    const {fd, path} = tempFile('hello async');
    GLib.close(fd);
    const file = Gio.File.new_for_path(path);
    const sync = Mmap.Object.new_for_file(file, Mmap.Access.READ, null);
    is(str(sync.read(-1)), 'hello async', 'new_for_file() maps the file');
    sync.close();

    const m = await Mmap.Object.new_for_file_async(file, Mmap.Access.WRITE,
        GLib.PRIORITY_DEFAULT, null);
    ok(m instanceof Mmap.Object, 'the promise gives an Mmap.Object');
    is(m.length, 11, 'of the file\'s length');
    m.set_byte(0, 'H'.charCodeAt(0));

    const remote = Gio.File.new_for_uri('resource:///org/example/x');
    let e = await rejection(Mmap.Object.new_for_file_async(remote,
        Mmap.Access.READ, GLib.PRIORITY_DEFAULT, null));
    ok(e !== null && e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_SUPPORTED),
        'a file with no local path: NOT_SUPPORTED');

    const cancelled = new Gio.Cancellable();
    cancelled.cancel();
    e = await rejection(Mmap.Object.new_for_file_async(file, Mmap.Access.READ,
        GLib.PRIORITY_DEFAULT, cancelled));
    ok(e !== null && e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED),
        'cancelled: CANCELLED');

    section('flush_async()');
    ok(await m.flush_async(GLib.PRIORITY_DEFAULT, null), 'resolves to true');
    is(str(fileBytes(path)), 'Hello async', 'the change is in the file');
    e = await rejection(m.flush_async(GLib.PRIORITY_DEFAULT, cancelled));
    ok(e !== null && e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED),
        'cancelled: CANCELLED');

    section('populate() and populate_async()');
    const size = 300 * Mmap.get_page_size();
    const big = tempFile('p'.repeat(size));
    const pm = Mmap.Object.new(big.fd, 0, Mmap.Access.WRITE, 0);
    const reports = [];
    ok(pm.populate(0, -1, false, null, (done, total) => reports.push([done, total])),
        'populate() returns true');
    ok(reports.length >= 2, 'progress after each chunk');
    is(reports[reports.length - 1][0], size, 'the last report: all done');
    reports.length = 0;
    ok(await pm.populate_async(0, -1, true, GLib.PRIORITY_DEFAULT, null,
        (done, total) => reports.push([done, total])), 'populate_async() resolves to true');
    const context = GLib.MainContext.default();
    while (context.pending())
        context.iteration(false);
    is(reports.length > 0 ? reports[reports.length - 1][0] : -1, size,
        'progress reported in this main context');
    e = await rejection(pm.populate_async(0, -1, false, GLib.PRIORITY_DEFAULT,
        cancelled, null));
    ok(e !== null && e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED),
        'cancelled: CANCELLED');
    pm.close();
    GLib.close(big.fd);

    m.close();
    e = await rejection(m.flush_async(GLib.PRIORITY_DEFAULT, null));
    ok(e !== null && e.matches(Mmap.Error, Mmap.Error.CLOSED),
        'on a closed map: CLOSED');
}

const loop = new GLib.MainLoop(null, false);
main().catch(e => {
    ok(false, `no unexpected exception (${e})`);
    if (e.stack)
        diag(e.stack);
}).finally(() => loop.quit());
loop.run();
cleanup();
done();
