// smoke.js: the gjs smoke test of the installed Debian packages: the
// typelib from gir1.2-mmap-1, the library from libmmapobj-1-0. Prints TAP;
// exits 1 on the first failed check.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Mmap from 'gi://Mmap?version=1';
import system from 'system';

let checks = 0;
function check(ok, what) {
    checks++;
    print(`${ok ? 'ok' : 'not ok'} ${checks} - ${what}`);
    if (!ok)
        system.exit(1);
}

const enc = new TextEncoder();
const dec = new TextDecoder();

const map = Mmap.Object.new_anonymous(4096);
check(map.get_length() === 4096, 'an anonymous map of 4096 bytes');
map.write(enc.encode('hello needle world\n'));
map.seek(0, GLib.SeekType.SET);
check(map.find(enc.encode('needle')) === 6, 'find() finds what write() wrote');
check(dec.decode(map.readline().toArray()) === 'hello needle world\n',
    'readline() reads it back');
map.close();
try {
    map.read_byte();
    check(false, 'a closed map refuses reads');
} catch (e) {
    check(e.matches(Mmap.Error, Mmap.Error.CLOSED), 'a closed map throws Mmap.Error.CLOSED');
}
print(`1..${checks}`);
