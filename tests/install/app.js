// app.js: the install test's gjs program (tests/install/run.sh), run with
// the installed typelib only.
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Maps a file it writes in the current folder, finds a word, overwrites it
// through the map, checks a read-only map refuses to write; prints the
// library it loaded, which run.sh compares with the installed one.
import GLib from 'gi://GLib';
import Mmap from 'gi://Mmap?version=1';
import System from 'system';

function check(cond, what) {
    if (!cond) {
        printerr(`app.js: check failed: ${what}`);
        System.exit(1);
    }
}

const enc = new TextEncoder();
const dec = new TextDecoder();
GLib.file_set_contents('app-js.txt', 'hello, mapped world\n');

const map = Mmap.Object.new_for_path('app-js.txt', Mmap.Access.WRITE);
check(map.get_length() === 20, 'length');
const at = map.find(enc.encode('mapped'));
check(at === 7, `find: ${at}`);
map.seek(at, GLib.SeekType.SET);
map.write(enc.encode('MAPPED'));
map.seek(0, GLib.SeekType.SET);
check(dec.decode(map.readline().toArray()) === 'hello, MAPPED world\n', 'readline');
map.flush();
map.close();
const [, contents] = GLib.file_get_contents('app-js.txt');
check(dec.decode(contents) === 'hello, MAPPED world\n', 'file contents');

const ro = Mmap.Object.new_for_path('app-js.txt', Mmap.Access.READ);
let refused = false;
try {
    ro.write_byte(0);
} catch (e) {
    refused = e.matches(Mmap.Error, Mmap.Error.READ_ONLY);
}
check(refused, 'a read-only map refuses to write');

const [, maps] = GLib.file_get_contents('/proc/self/maps');
const lib = dec.decode(maps).split('\n')
    .filter(l => l.includes('/libmmapobj-1.so'))
    .map(l => l.slice(l.indexOf('/')))[0];
check(lib !== undefined, 'libmmapobj is not in /proc/self/maps');
print(`library ${lib}`);
