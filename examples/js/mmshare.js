#!/usr/bin/env -S gjs -m
// mmshare.js: pass a big buffer to another process as a sealed memfd, over
// GDBus peer-to-peer
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Usage: gjs -m mmshare.js [--unsealed]
//
// The producer renders a 2048x2048 RGBA image (16 MiB) into a memfd
// (Mmap.Object.new_memfd), seals it (seal_readonly(): nobody can shrink,
// grow or change it any more) and serves it over D-Bus: no bus daemon, a
// peer-to-peer connection over a pair of connected sockets shared with the
// consumer, which it spawns. The consumer calls GetBuffer, receives the
// memfd in a Gio.UnixFDList and maps it read-only while requiring the seals
// (Mmap.Object.new_from_fd_list). It then asks the producer to try to
// shrink and rewrite it (TryToChange: the kernel refuses both), and prints
// a pixel, the SHA-256 of the whole buffer, and whether it matches the
// producer's.
//
// Pixel (x, y) is (x * 255 / 2047, y * 255 / 2047, (x ^ y) & 255, 255),
// rounded down: the image mmshare.py renders too.
//
// With --unsealed the producer skips the seals: the consumer refuses the
// buffer (Mmap.Error.SEALS_MISSING) and maps nothing.
//
// Exit status: 0 when the consumer verified the buffer, 1 when it refused
// it or the checksum did not match, 2 on other errors.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Mmap from 'gi://Mmap?version=1';
import System from 'system';

const PROGRAM = 'mmshare.js';
const WIDTH = 2048;
const HEIGHT = 2048;
const SIZE = WIDTH * HEIGHT * 4;
const PATH = '/org/example/MmapShare';
const INTERFACE = 'org.example.MmapShare';
const TIMEOUT_SECONDS = 30;
const INTROSPECTION = `
<node>
  <interface name='${INTERFACE}'>
    <method name='GetBuffer'>
      <arg type='h' name='fd' direction='out'/>
      <arg type='t' name='size' direction='out'/>
      <arg type='s' name='sha256' direction='out'/>
    </method>
    <method name='TryToChange'/>
  </interface>
</node>`;
const SEAL_NAMES = ['SEAL', 'SHRINK', 'GROW', 'WRITE', 'FUTURE_WRITE'];
const REQUIRED = Mmap.Seals.SHRINK | Mmap.Seals.WRITE;

const USAGE = `Usage: gjs -m ${PROGRAM} [--unsealed]
Render an image into a sealed memfd and pass it to a consumer process over
GDBus peer-to-peer; the consumer maps it read-only, requiring the seals, and
checks it.

Options:
  --unsealed  don't seal the memfd: the consumer refuses it
  -h, --help  show this help and exit`;

function say(role, text) {
    // print() flushes each line: the two processes' lines stay in order.
    print(`${role}: ${text}`);
}

function sealNames(seals) {
    return SEAL_NAMES.filter(name => seals & Mmap.Seals[name]).join(' | ') ||
        'none';
}

/** Runs the default main loop until done() is true; false on the timeout. */
function runUntil(done) {
    const loop = new GLib.MainLoop(null, false);
    let timedOut = false;
    const timeout = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT,
        TIMEOUT_SECONDS, () => {
            timedOut = true;
            return GLib.SOURCE_REMOVE;
        });
    const context = loop.get_context();
    while (!done() && !timedOut)
        context.iteration(true);
    if (!timedOut)
        GLib.source_remove(timeout);
    return !timedOut;
}

// -- producer ----------------------------------------------------------------

function render() {
    const image = new Uint8Array(SIZE);
    let at = 0;
    for (let y = 0; y < HEIGHT; y++) {
        const green = Math.floor(y * 255 / (HEIGHT - 1));
        for (let x = 0; x < WIDTH; x++) {
            image[at++] = Math.floor(x * 255 / (WIDTH - 1));
            image[at++] = green;
            image[at++] = (x ^ y) & 255;
            image[at++] = 255;
        }
    }
    return image;
}

/**
 * Two connected Unix sockets, as socketpair() makes them, which gjs
 * cannot call: a listening socket at a random abstract address takes one
 * connection and is closed at once. The connection must come from this
 * process, or it is not ours.
 */
function socketPair() {
    const {UNIX} = Gio.SocketFamily;
    const {STREAM} = Gio.SocketType;
    const {DEFAULT} = Gio.SocketProtocol;
    const address = Gio.UnixSocketAddress.new_with_type(
        `mmshare-${GLib.uuid_string_random()}`,
        Gio.UnixSocketAddressType.ABSTRACT);
    const listener = Gio.Socket.new(UNIX, STREAM, DEFAULT);
    listener.bind(address, false);
    listener.listen();
    const ours = Gio.Socket.new(UNIX, STREAM, DEFAULT);
    ours.connect(address, null);
    const theirs = listener.accept(null);
    listener.close();
    if (theirs.get_credentials().get_unix_pid() !== new Gio.Credentials().get_unix_pid())
        throw new Error('another process connected to the socket first');
    return [ours, theirs];
}

/** Tries what a sender could do to memory it passed on, if not sealed. */
function tryToChange(map) {
    const fd = map.dup_fd();
    try {
        // The memfd, opened again for reading and writing.
        const stream = Gio.File.new_for_path(`/proc/self/fd/${fd}`)
            .open_readwrite(null);
        const attempts = [
            ['shrinking', () => stream.truncate(SIZE / 2, null)],
            ['rewriting', () => stream.get_output_stream().write_all(
                new TextEncoder().encode('EVIL'), null)],
        ];
        for (const [what, change] of attempts) {
            try {
                change();
                say('producer', `${what} it now: done`);
            } catch (e) {
                say('producer', `${what} it now: refused (${e.message})`);
            }
        }
        stream.close(null);
    } finally {
        GLib.close(fd);
    }
}

function produce(unsealed) {
    const map = Mmap.Object.new_memfd('mmshare-image', SIZE,
        Mmap.MemfdFlags.ALLOW_SEALING);
    map.set_slice(0, SIZE, 1, render());
    say('producer', `rendered a ${WIDTH}x${HEIGHT} RGBA image in a memfd`);
    if (unsealed) {
        say('producer', `NOT sealing ${map.get_length()} bytes ` +
            `(seals: ${sealNames(map.get_seals())})`);
    } else {
        map.seal_readonly();
        say('producer', `sealed ${map.get_length()} bytes ` +
            `(seals: ${sealNames(map.get_seals())})`);
    }
    // A view holds the mapping: take it after seal_readonly(), which remaps.
    const sha256 = GLib.compute_checksum_for_bytes(GLib.ChecksumType.SHA256,
        map.view(0, -1));

    const [ours, theirs] = socketPair();
    // The consumer's end, as its fd 3: a copy the launcher owns and closes.
    const fds = new Gio.UnixFDList();
    fds.append(theirs.get_fd());
    const [consumerFd] = fds.steal_fds();
    theirs.close();
    const launcher = new Gio.SubprocessLauncher({flags: Gio.SubprocessFlags.NONE});
    launcher.take_fd(consumerFd, 3);
    const consumer = launcher.spawnv([
        GLib.file_read_link('/proc/self/exe'), '-m',
        GLib.filename_from_uri(import.meta.url)[0],
        '--role', 'consumer', '--fd', '3']);
    launcher.close();

    try {
        serve(map, sha256, ours);
        let exited = false;
        consumer.wait_async(null, () => (exited = true));
        if (!runUntil(() => exited))
            throw new Error(`the consumer did not exit within ${TIMEOUT_SECONDS} s`);
    } catch (e) {
        consumer.force_exit();
        throw e;
    }
    if (!consumer.get_if_exited()) {
        say('producer', `consumer killed by signal ${consumer.get_term_sig()}`);
        return 2;
    }
    const status = consumer.get_exit_status();
    say('producer', `consumer exited with status ${status}`);
    return status === 0 || status === 1 ? status : 2;
}

/** Serves the buffer on @socket until the consumer hangs up. */
function serve(map, sha256, socket) {
    const connection = Gio.DBusConnection.new_sync(
        socket.connection_factory_create_connection(), Gio.dbus_generate_guid(),
        Gio.DBusConnectionFlags.AUTHENTICATION_SERVER |
        Gio.DBusConnectionFlags.AUTHENTICATION_REQUIRE_SAME_USER |
        Gio.DBusConnectionFlags.DELAY_MESSAGE_PROCESSING,
        null, null);
    const info = Gio.DBusNodeInfo.new_for_xml(INTROSPECTION).interfaces[0];
    connection.register_object(PATH, info,
        (conn, sender, path, iface, method, parameters, invocation) => {
            try {
                if (method === 'GetBuffer') {
                    const fdList = new Gio.UnixFDList();
                    const index = map.append_to_fd_list(fdList);
                    invocation.return_value_with_unix_fd_list(
                        new GLib.Variant('(hts)', [index, map.get_length(), sha256]),
                        fdList);
                } else if (method === 'TryToChange') {
                    tryToChange(map);
                    invocation.return_value(null);
                }
            } catch (e) {
                // An answer, so that the consumer is not left waiting.
                invocation.return_dbus_error(`${INTERFACE}.Error.Failed`,
                    e.message);
            }
        }, null, null);

    let closed = false;
    connection.connect('closed', () => (closed = true));
    connection.start_message_processing();
    if (!runUntil(() => closed || connection.is_closed()))
        throw new Error(`the consumer did not hang up within ${TIMEOUT_SECONDS} s`);
}

// -- consumer ----------------------------------------------------------------

function consume(fd) {
    const connection = Gio.DBusConnection.new_sync(
        Gio.Socket.new_from_fd(fd).connection_factory_create_connection(),
        null, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT, null, null);
    try {
        const [reply, fdList] = connection.call_with_unix_fd_list_sync(null,
            PATH, INTERFACE, 'GetBuffer', null, new GLib.VariantType('(hts)'),
            Gio.DBusCallFlags.NONE, TIMEOUT_SECONDS * 1000, null, null);
        const [index, size, sha256] = reply.deepUnpack();
        let map;
        try {
            map = Mmap.Object.new_from_fd_list(fdList, index, Mmap.Access.READ,
                REQUIRED);
        } catch (e) {
            if (!e.matches?.(Mmap.Error, Mmap.Error.SEALS_MISSING))
                throw e;
            // Nothing was mapped.
            say('consumer', `refused: ${e.message}`);
            return 1;
        }
        say('consumer', `mapped ${map.get_length()} bytes read-only ` +
            `(seals: ${sealNames(map.get_seals())})`);

        // Seals cannot be removed: whatever the producer does now, the
        // memory stays as it was checked.
        connection.call_sync(null, PATH, INTERFACE, 'TryToChange', null, null,
            Gio.DBusCallFlags.NONE, TIMEOUT_SECONDS * 1000, null);

        const [x, y] = [1000, 500];
        const at = (y * WIDTH + x) * 4;
        const pixel = map.get_slice(at, at + 4, 1).toArray();
        say('consumer', `pixel (${x}, ${y}) = (${pixel.join(', ')})`);
        // A view: the checksum reads the map itself, no copy.
        const digest = GLib.compute_checksum_for_bytes(
            GLib.ChecksumType.SHA256, map.view(0, -1));
        const good = digest === sha256 && map.get_length() === size;
        say('consumer', `sha256 ${digest} (${good ? 'matches'
            : `MISMATCH: the producer sent ${size} bytes, sha256 ${sha256}`})`);
        map.close();
        return good ? 0 : 1;
    } finally {
        if (!connection.is_closed())
            connection.close_sync(null);
    }
}

function parseArgs(args) {
    const options = {unsealed: false, role: 'producer', fd: null};
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === '-h' || arg === '--help') {
            print(USAGE);
            System.exit(0);
        } else if (arg === '--unsealed') {
            options.unsealed = true;
        } else if (arg === '--role' && ['producer', 'consumer'].includes(args[i + 1])) {
            options.role = args[++i];
        } else if (arg === '--fd' && /^\d+$/.test(args[i + 1] ?? '')) {
            options.fd = Number(args[++i]);
        } else {
            printerr(`${PROGRAM}: unknown option '${arg}'`);
            printerr(`Try 'gjs -m ${PROGRAM} --help' for more information.`);
            System.exit(2);
        }
    }
    if (options.role === 'consumer' && options.fd === null) {
        printerr(`${PROGRAM}: --role consumer needs --fd`);
        System.exit(2);
    }
    return options;
}

const options = parseArgs(System.programArgs);
let status;
try {
    status = options.role === 'consumer' ? consume(options.fd)
        : produce(options.unsealed);
} catch (e) {
    printerr(`${PROGRAM}: ${options.role}: ${e.message}`);
    status = 2;
}
System.exit(status);
