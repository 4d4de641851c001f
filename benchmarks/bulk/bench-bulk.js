// bench-bulk.js: the gjs side of bench-bulk.py
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// gjs -m bench-bulk.js FILE NEEDLE REPEATS
//
// Maps FILE read-only and times, best of REPEATS passes: a per-match loop of
// find_range(), count(), find_all(), a per-line loop of readline(), and
// line_offsets(). Prints {row: [ms, result]} as JSON on stdout.

import GLib from 'gi://GLib';
import Mmap from 'gi://Mmap?version=1';
import System from 'system';

const [path, needleText, repeatsText] = System.programArgs;
const needle = new TextEncoder().encode(needleText);
const repeats = Number(repeatsText ?? 5);
const END = 2n ** 63n - 1n;

function bestMs(fn) {
    let best = Infinity;
    let result = null;
    for (let i = 0; i < repeats; i++) {
        const start = GLib.get_monotonic_time();
        result = fn();
        best = Math.min(best, GLib.get_monotonic_time() - start);
    }
    return [best / 1000, result];
}

const m = Mmap.Object.new_for_path(path, Mmap.Access.READ);
const rows = {};

rows['find_range loop'] = bestMs(() => {
    let n = 0;
    for (let i = m.find_range(needle, 0, END); i >= 0;
        i = m.find_range(needle, i + needle.length, END))
        n++;
    return n;
});
rows['count'] = bestMs(() => m.count(needle, 0, END));
rows['find_all'] = bestMs(() => m.find_all(needle, 0, END, -1).length);
rows['readline loop'] = bestMs(() => {
    m.seek(0, GLib.SeekType.SET);
    let n = 0;
    while (m.readline().get_size() > 0)
        n++;
    return n;
});
rows['line_offsets'] = bestMs(() => m.line_offsets(0, END, -1).length);
m.close();

print(JSON.stringify(rows));
