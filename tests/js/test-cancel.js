// test-cancel.js: cancelling the calls that run on a worker thread, and
// what a closed or forgotten map does to them
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The big maps are sparse files of 8 GiB: populating one takes seconds, so
// a cancel or a close decided at the first progress report lands part-way.
// The checks decide from the progress reports, never from a time.
//
// gjs has no weak reference on a GObject: a map is alive while the file
// descriptor it keeps (its `fd` property) is still open on its file, and
// finalized once it is not.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Mmap from 'gi://Mmap?version=1';
import System from 'system';

import {section, ok, is, deepEqual, diag, done} from './tap.js';
import {str, tempPath, cleanup, rejection} from './util.js';

Gio._promisify(Mmap.Object.prototype, 'populate_async', 'populate_finish');

const BIG = 8 * 2 ** 30;
const CHUNK = 512 * 1024;
const END = 2n ** 63n - 1n;

/** A file of @size bytes with no data: a sparse file. */
function sparseFile(size) {
    const path = tempPath('');
    const stream = Gio.File.new_for_path(path).open_readwrite(null);
    stream.truncate(size, null);
    stream.close(null);
    return path;
}

/** Whether descriptor @fd is open on @path: the map that keeps it is alive. */
function fdOpenOn(fd, path) {
    try {
        return GLib.file_read_link(`/proc/self/fd/${fd}`) === path;
    } catch {
        return false;
    }
}

/** Runs whatever the default main context still has. */
function drain() {
    const context = GLib.MainContext.default();
    for (let i = 0; i < 50; i++) {
        while (context.iteration(false))
            ;
    }
}

/**
 * Runs the main context and the garbage collector until condition() holds
 * (the task drops the map in its worker, in its own time, and gjs drops its
 * wrapper only when it collects it); returns condition().
 */
function waitFor(condition) {
    for (let i = 0; i < 2000 && !condition(); i++) {
        System.gc();
        drain();
        GLib.usleep(5000);
    }
    return condition();
}

function isError(e, domain, code) {
    return e instanceof GLib.Error && e.matches(domain, code);
}

async function cancelPartWay(path) {
    section('populate_async() cancelled part-way over an 8 GiB sparse file');
    const m = Mmap.Object.new_for_path(path, Mmap.Access.READ);
    const cancellable = new Gio.Cancellable();
    const reports = [];
    const e = await rejection(m.populate_async(0, -1, false,
        GLib.PRIORITY_DEFAULT, cancellable, (done, total) => {
            reports.push([done, total]);
            if (reports.length === 1)
                cancellable.cancel();
        }));
    ok(isError(e, Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED),
        'it rejects with CANCELLED');
    ok(reports.length >= 1, 'after at least one progress report');
    const [lastDone, total] = reports[reports.length - 1];
    is(total, BIG, 'the reports give the whole map as the total');
    ok(lastDone >= CHUNK && lastDone < BIG, 'the last report is part-way');
    const n = reports.length;
    drain();
    is(reports.length, n, 'no report after the promise settled');

    is(m.closed, false, 'the map is still open');
    is(m.length, BIG, 'with its length');
    deepEqual(m.read(16).toArray(), new Uint8Array(16), 'read() works');
    is(m.get_byte(-1), 0, 'get_byte() works');
    is(m.find_range(new Uint8Array(2), BIG - 10, END), BIG - 10,
        'find_range() works');
    ok(m.populate(BIG - 3 * CHUNK, -1, false, null, null),
        'populate() of the last chunks works');
    ok(await m.populate_async(0, 4 * CHUNK, false, GLib.PRIORITY_DEFAULT,
        null, null), 'and so does populate_async() of a range');
    m.close();
}

async function cancelBefore(path) {
    section('populate_async() cancelled before the call');
    const m = Mmap.Object.new_for_path(path, Mmap.Access.READ);
    const cancellable = new Gio.Cancellable();
    cancellable.cancel();
    const reports = [];
    const e = await rejection(m.populate_async(0, -1, false,
        GLib.PRIORITY_DEFAULT, cancellable, done => reports.push(done)));
    ok(isError(e, Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED),
        'it rejects with CANCELLED');
    drain();
    is(reports.length, 0, 'with no progress report');
    is(m.get_byte(0), 0, 'the map is usable');
    m.close();
}

/**
 * Starts @start(map, events, ready) on a map of @path that only the call
 * holds, and returns the map's fd: the map goes out of scope here.
 */
function startForgotten(path, access, events, start) {
    const m = Mmap.Object.new_for_path(path, access);
    const fd = m.fd;
    const alive = () => fdOpenOn(fd, path);
    start(m, alive, (source, result, finish) => {
        events.push('ready');
        events.alive = alive() && source instanceof Mmap.Object;
        try {
            events.result = source[finish](result);
        } catch (e) {
            events.error = e;
        }
    });
    return alive;
}

/** Waits for the forgotten map to go, and checks the order of events. */
function checkForgotten(events, alive) {
    ok(waitFor(() => events.includes('ready')), 'the ready callback runs');
    ok(events.alive, 'the map was alive in the ready callback');
    ok(waitFor(() => !alive()), 'the map is finalized afterwards');
    events.push('finalized');
    drain();
    is(events[events.length - 1], 'finalized', 'no callback after that');
    is(events.filter(x => x === 'ready').length, 1, 'one ready callback');
    ok(!events.slice(events.indexOf('ready')).includes('progress'),
        'every progress report ran before the ready callback');
}

function populateForgotten(events, cancelAtFirst) {
    return (m, alive, ready) => {
        const cancellable = new Gio.Cancellable();
        // No promise here: the ready callback is called directly.
        m.populate_async(0, -1, false, GLib.PRIORITY_DEFAULT, cancellable,
            () => {
                events.push('progress');
                if (!alive())
                    events.deadInProgress = true;
                if (cancelAtFirst && events.length === 1)
                    cancellable.cancel();
            }, (source, result) => ready(source, result, 'populate_finish'));
    };
}

function forgotten() {
    section('populate_async() on a map nobody else holds');
    const path = sparseFile(64 * CHUNK);
    let events = [];
    let alive = startForgotten(path, Mmap.Access.READ, events,
        populateForgotten(events, false));
    System.gc();
    ok(alive(), 'the task keeps the map alive');
    checkForgotten(events, alive);
    is(events.result, true, 'the populate succeeded');
    is(events.filter(x => x === 'progress').length, 64, 'with 64 reports');
    ok(!events.deadInProgress, 'the map was alive in every report');

    section('the same, cancelled at the first report');
    events = [];
    alive = startForgotten(sparseFile(BIG), Mmap.Access.READ, events,
        populateForgotten(events, true));
    checkForgotten(events, alive);
    ok(isError(events.error, Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED),
        'the populate was cancelled');
    ok(!events.deadInProgress, 'the map was alive in every report');

    section('flush_async() on a map nobody else holds');
    const flushed = tempPath('flush me');
    events = [];
    alive = startForgotten(flushed, Mmap.Access.WRITE, events,
        (m, _alive, ready) => {
            m.set_byte(0, 'F'.charCodeAt(0));
            m.flush_async(GLib.PRIORITY_DEFAULT, null,
                (source, result) => ready(source, result, 'flush_finish'));
        });
    checkForgotten(events, alive);
    deepEqual(events.filter(x => typeof x === 'string'),
        ['ready', 'finalized'], 'ready, then finalized');
    is(events.result, true, 'the flush succeeded');
    is(str(GLib.file_get_contents(flushed)[1]), 'Flush me',
        'the change is in the file');
}

async function closedMeanwhile(path) {
    section('populate_async() on a map closed meanwhile');
    let m = Mmap.Object.new_for_path(path, Mmap.Access.READ);
    const reports = [];
    let e = await rejection(m.populate_async(0, -1, false,
        GLib.PRIORITY_DEFAULT, null, done => {
            reports.push(done);
            if (reports.length === 1)
                m.close();
        }));
    ok(isError(e, Mmap.Error, Mmap.Error.CLOSED),
        'closed at the first report: it rejects with CLOSED');
    ok(reports[reports.length - 1] < BIG, 'part-way');
    is(m.closed, true, 'the map stays closed');
    let readError = null;
    try {
        m.read(1);
    } catch (x) {
        readError = x;
    }
    ok(isError(readError, Mmap.Error, Mmap.Error.CLOSED),
        'and reading it says CLOSED');

    m = Mmap.Object.new_for_path(path, Mmap.Access.READ);
    const promise = m.populate_async(0, -1, false, GLib.PRIORITY_DEFAULT,
        null, null);
    m.close();
    e = await rejection(promise);
    ok(isError(e, Mmap.Error, Mmap.Error.CLOSED),
        'closed right after the call: it rejects with CLOSED');

    section('flush_async() on a map closed meanwhile');
    const flushed = tempPath('flush me');
    let good = true;
    for (let i = 0; i < 30; i++) {
        const fm = Mmap.Object.new_for_path(flushed, Mmap.Access.WRITE);
        fm.set_byte(0, 'a'.charCodeAt(0) + i % 26);
        // eslint-disable-next-line no-await-in-loop
        const outcome = await new Promise(resolve => {
            fm.flush_async(GLib.PRIORITY_DEFAULT, null, (source, result) => {
                try {
                    resolve(source.flush_finish(result));
                } catch (x) {
                    resolve(x);
                }
            });
            fm.close();
        });
        if (outcome !== true && !isError(outcome, Mmap.Error, Mmap.Error.CLOSED)) {
            good = false;
            diag(`run ${i}: ${outcome}`);
        }
        if (!fm.closed)
            good = false;
    }
    ok(good, 'the flush either ran or failed with CLOSED, 30 times');
}

async function main() {
    const big = sparseFile(BIG);
    await cancelPartWay(big);
    await cancelBefore(big);
    forgotten();
    await closedMeanwhile(big);
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
