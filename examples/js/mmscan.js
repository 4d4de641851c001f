#!/usr/bin/env -S gjs -m
// mmscan.js: map a big file without blocking, prefault it with a progress
// line and a Ctrl-C that cancels, then count a string in it
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Usage: gjs -m mmscan.js [-n NUM] FILE NEEDLE
//
// The file is mapped on a worker thread (Mmap.Object.new_for_file_async)
// and brought into memory chunk by chunk (populate_async), so the main loop
// stays free: it prints the progress on stderr and takes Ctrl-C, which
// cancels the Gio.Cancellable both calls share. Only then is the map
// searched, with two bulk calls: count() for the number of matches and
// find_all() for the first offsets. Each is one GI call whatever the number
// of matches; a find() per match would cost a call (hundreds of
// nanoseconds) each.
//
// Exit status: 0 if NEEDLE was found, 1 if not, 2 on an error, 130 when
// cancelled with Ctrl-C.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Mmap from 'gi://Mmap?version=1';
import System from 'system';

Gio._promisify(Mmap.Object, 'new_for_file_async', 'new_for_file_finish');
Gio._promisify(Mmap.Object.prototype, 'populate_async', 'populate_finish');

const PROGRAM = 'mmscan.js';
const SIGINT = 2;
// The end of the map for the range calls: G_MAXSSIZE, exact as a BigInt.
const END = 2n ** 63n - 1n;
const MIB = 1024 * 1024;
// At most one progress line per interval (the last is always printed).
const PROGRESS_INTERVAL_US = 200 * 1000;

const USAGE = `Usage: gjs -m ${PROGRAM} [OPTION]... FILE NEEDLE
Map FILE, bring it into memory with a progress line (Ctrl-C cancels), then
print how many times NEEDLE (a fixed string) occurs in it and the offsets of
the first matches.

Options:
  -n, --offsets=NUM  print the first NUM offsets (default 10)
  -h, --help         show this help and exit

Exit status is 0 if NEEDLE occurs, 1 if not, 2 on an error, 130 when
cancelled.`;

function usageError(message) {
    printerr(`${PROGRAM}: ${message}`);
    printerr(`Try 'gjs -m ${PROGRAM} --help' for more information.`);
    System.exit(2);
}

function parseArgs(args) {
    const options = {offsets: 10, positional: []};
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === '-h' || arg === '--help') {
            print(USAGE);
            System.exit(0);
        } else if (arg === '-n' || arg === '--offsets' ||
                   arg.startsWith('--offsets=')) {
            const value = arg.includes('=') ? arg.split('=', 2)[1] : args[++i];
            if (value === undefined || !/^\d+$/.test(value))
                usageError(`invalid number of offsets: '${value ?? ''}'`);
            options.offsets = Number(value);
        } else if (arg === '--') {
            options.positional.push(...args.slice(i + 1));
            break;
        } else if (arg.startsWith('-') && arg !== '-') {
            usageError(`unknown option '${arg}'`);
        } else {
            options.positional.push(arg);
        }
    }
    if (options.positional.length !== 2)
        usageError('a FILE and a NEEDLE are needed');
    return options;
}

/** Prints progress lines on stderr: rewritten in place on a terminal. */
class ProgressLine {
    constructor() {
        this._start = GLib.get_monotonic_time();
        this._last = 0;
        // isatty(2), which gjs has under this name only.
        this._tty = GLib.log_writer_supports_color(2);
        this._printed = false;
        this._stderr = new Gio.UnixOutputStream({fd: 2, closeFd: false});
    }

    report(done, total) {
        const now = GLib.get_monotonic_time();
        const last = done === total;
        if (this._printed && !last && now - this._last < PROGRESS_INTERVAL_US)
            return;
        this._last = now;
        this._printed = true;
        const percent = total > 0 ? Math.floor(100 * done / total) : 100;
        const seconds = Math.max(now - this._start, 1) / 1e6;
        const line = `${PROGRAM}: prefaulting ${percent}% ` +
            `(${(done / MIB).toFixed(1)} of ${(total / MIB).toFixed(1)} MiB, ` +
            `${(done / MIB / seconds).toFixed(1)} MiB/s)`;
        if (this._tty)
            this._write(`\r${line}\x1b[K`);
        else
            this._write(`${line}\n`);
    }

    end() {
        if (this._tty && this._printed)
            this._write('\n');
    }

    _write(text) {
        // printerr() always ends the line: write to the stream itself.
        this._stderr.write_all(new TextEncoder().encode(text), null);
    }
}

async function scan(path, needle, options) {
    const cancellable = new Gio.Cancellable();
    const sigint = GLib.unix_signal_add(GLib.PRIORITY_HIGH, SIGINT, () => {
        cancellable.cancel();
        return GLib.SOURCE_CONTINUE;
    });

    let map;
    const progress = new ProgressLine();
    try {
        map = await Mmap.Object.new_for_file_async(Gio.File.new_for_path(path),
            Mmap.Access.READ, GLib.PRIORITY_DEFAULT, cancellable);
        // The progress callback runs in this main context, between chunks.
        await map.populate_async(0, -1, false, GLib.PRIORITY_DEFAULT,
            cancellable, (done, total) => progress.report(done, total));
    } catch (e) {
        progress.end();
        map?.close();
        if (e instanceof GLib.Error &&
            e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED)) {
            printerr(`${PROGRAM}: cancelled`);
            return 130;
        }
        throw e;
    } finally {
        // From here Ctrl-C interrupts the process as usual.
        GLib.source_remove(sigint);
    }
    progress.end();

    try {
        // Two GI calls in all, however many matches there are.
        const count = map.count(needle, 0, END);
        const offsets = map.find_all(needle, 0, END, options.offsets);
        print(`${path}: ${count} ${count === 1 ? 'match' : 'matches'}`);
        for (const offset of offsets)
            print(`${offset}`);
        if (count > offsets.length)
            print('...');
        return count > 0 ? 0 : 1;
    } finally {
        map.close();
    }
}

async function main(args) {
    const options = parseArgs(args);
    const [path, pattern] = options.positional;
    try {
        return await scan(path, new TextEncoder().encode(pattern), options);
    } catch (e) {
        printerr(`${PROGRAM}: ${path}: ${e.message}`);
        return 2;
    }
}

let status = 2;
const loop = new GLib.MainLoop(null, false);
main(System.programArgs).then(s => {
    status = s;
}).catch(e => {
    printerr(`${PROGRAM}: ${e}`);
}).finally(() => loop.quit());
loop.run();
System.exit(status);
