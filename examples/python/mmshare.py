#!/usr/bin/env python3
# mmshare.py: pass a big buffer to another process as a sealed memfd, over
# GDBus peer-to-peer.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Render a 16 MiB image into a sealed memfd and hand it to a consumer.

The producer renders a 2048x2048 RGBA image into a memfd
(Mmap.Object.new_memfd), seals it (seal_readonly: nobody can shrink, grow
or change it any more) and serves it over D-Bus: no bus daemon, a
peer-to-peer connection over a socketpair shared with the consumer, which
it spawns. The consumer calls GetBuffer, receives the memfd in a
Gio.UnixFDList, and maps it read-only while requiring the seals
(Mmap.Object.new_from_fd_list). It then asks the producer to try to shrink
and rewrite it (TryToChange: the kernel refuses both), and prints a pixel,
the SHA-256 of the whole buffer, and whether it matches the producer's.

Pixel (x, y) is (x * 255 // 2047, y * 255 // 2047, (x ^ y) & 255, 255).

With --unsealed the producer skips the seals: the consumer refuses the
buffer (PermissionError) and maps nothing.

Exit status: 0 when the consumer verified the buffer, 1 when it refused
it or the checksum did not match, 2 on other errors.
"""

import argparse
import hashlib
import os
import socket
import subprocess
import sys

import gi

gi.require_version('Mmap', '1')
from gi.repository import GLib, Gio, Mmap  # noqa: E402

WIDTH = HEIGHT = 2048
SIZE = WIDTH * HEIGHT * 4
PATH = '/org/example/MmapShare'
INTERFACE = 'org.example.MmapShare'
TIMEOUT_SECONDS = 30
INTROSPECTION = '''
<node>
  <interface name='org.example.MmapShare'>
    <method name='GetBuffer'>
      <arg type='h' name='fd' direction='out'/>
      <arg type='t' name='size' direction='out'/>
      <arg type='s' name='sha256' direction='out'/>
    </method>
    <method name='TryToChange'/>
  </interface>
</node>
'''
SEAL_NAMES = ('SEAL', 'SHRINK', 'GROW', 'WRITE', 'FUTURE_WRITE')
REQUIRED = Mmap.Seals.SHRINK | Mmap.Seals.WRITE


def say(role, text):
    # Both processes write to the same stdout: flush each line.
    print('%s: %s' % (role, text), flush=True)


def seal_names(seals):
    names = [name for name in SEAL_NAMES if seals & getattr(Mmap.Seals, name)]
    return ' | '.join(names) or 'none'


def render(m):
    """Draws the image into the map, a channel at a time: the rows repeat
    in patterns, so bytes arithmetic does it, not a loop per pixel."""
    red = bytes(x * 255 // (WIDTH - 1) for x in range(WIDTH)) * HEIGHT
    green = b''.join(bytes((y * 255 // (HEIGHT - 1),)) * WIDTH
                     for y in range(HEIGHT))
    # (x ^ y) & 255 depends on the low bytes of x and y only.
    xor_rows = [bytes(x ^ k for x in range(256)) * (WIDTH // 256)
                for k in range(256)]
    blue = b''.join(xor_rows[y & 255] for y in range(HEIGHT))
    # The memoryview must be released before seal_readonly() (it remaps).
    with m.memoryview() as view:
        view[0::4] = red
        view[1::4] = green
        view[2::4] = blue
        view[3::4] = b'\xff' * (WIDTH * HEIGHT)


# -- producer ---------------------------------------------------------------

class Producer:
    def __init__(self, m, sha256):
        self.map = m
        self.sha256 = sha256

    def method_call(self, connection, sender, path, interface, method,
                    parameters, invocation):
        try:
            if method == 'GetBuffer':
                fd_list = Gio.UnixFDList()
                index = self.map.append_to_fd_list(fd_list)
                invocation.return_value_with_unix_fd_list(
                    GLib.Variant('(hts)',
                                 (index, len(self.map), self.sha256)),
                    fd_list)
            elif method == 'TryToChange':
                self.try_to_change()
                invocation.return_value(None)
        except (GLib.Error, OSError) as e:
            # An answer, so that the consumer is not left waiting.
            invocation.return_dbus_error(INTERFACE + '.Error.Failed', str(e))

    def try_to_change(self):
        """What a sender could do to memory it passed on, if not sealed."""
        fd = self.map.dup_fd()
        try:
            for what, change in (
                    ('shrinking', lambda: os.ftruncate(fd, SIZE // 2)),
                    ('rewriting', lambda: os.pwrite(fd, b'EVIL', 0))):
                try:
                    change()
                    say('producer', '%s it now: done' % what)
                except OSError as e:
                    say('producer', '%s it now: refused (%s)'
                        % (what, e.strerror))
        finally:
            os.close(fd)


def produce(args):
    m = Mmap.Object.new_memfd('mmshare-image', SIZE,
                              Mmap.MemfdFlags.ALLOW_SEALING)
    render(m)
    say('producer', 'rendered a %dx%d RGBA image in a memfd'
        % (WIDTH, HEIGHT))
    if args.unsealed:
        say('producer', 'NOT sealing %d bytes (seals: %s)'
            % (len(m), seal_names(m.get_seals())))
    else:
        m.seal_readonly()
        say('producer', 'sealed %d bytes (seals: %s)'
            % (len(m), seal_names(m.get_seals())))
    sha256 = hashlib.sha256(m.memoryview()).hexdigest()

    ours, theirs = socket.socketpair()
    consumer = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), '--role', 'consumer',
         '--fd', str(theirs.fileno())],
        pass_fds=(theirs.fileno(),))
    theirs.close()
    try:
        serve(Producer(m, sha256), ours.detach())
        status = consumer.wait(timeout=TIMEOUT_SECONDS)
    except BaseException:
        consumer.kill()
        consumer.wait()
        raise
    if status < 0:
        say('producer', 'consumer killed by signal %d' % -status)
        return 2
    say('producer', 'consumer exited with status %d' % status)
    return status if status in (0, 1) else 2


def serve(producer, fd):
    """Serves the buffer on the socket @fd until the consumer hangs up."""
    stream = Gio.Socket.new_from_fd(fd).connection_factory_create_connection()
    connection = Gio.DBusConnection.new_sync(
        stream, Gio.dbus_generate_guid(),
        Gio.DBusConnectionFlags.AUTHENTICATION_SERVER
        | Gio.DBusConnectionFlags.AUTHENTICATION_REQUIRE_SAME_USER
        | Gio.DBusConnectionFlags.DELAY_MESSAGE_PROCESSING,
        None, None)
    info = Gio.DBusNodeInfo.new_for_xml(INTROSPECTION).interfaces[0]
    connection.register_object(PATH, info, producer.method_call, None, None)

    loop = GLib.MainLoop()
    timed_out = []

    def on_timeout():
        timed_out.append(True)
        loop.quit()
        return GLib.SOURCE_REMOVE

    connection.connect('closed', lambda *args: loop.quit())
    timeout = GLib.timeout_add_seconds(TIMEOUT_SECONDS, on_timeout)
    connection.start_message_processing()
    if not connection.is_closed():
        loop.run()
    if timed_out:
        raise TimeoutError('the consumer did not hang up within %d s'
                           % TIMEOUT_SECONDS)
    GLib.source_remove(timeout)


# -- consumer ---------------------------------------------------------------

def consume(fd):
    stream = Gio.Socket.new_from_fd(fd).connection_factory_create_connection()
    connection = Gio.DBusConnection.new_sync(
        stream, None, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT,
        None, None)
    try:
        reply, fd_list = connection.call_with_unix_fd_list_sync(
            None, PATH, INTERFACE, 'GetBuffer', None,
            GLib.VariantType('(hts)'), Gio.DBusCallFlags.NONE,
            TIMEOUT_SECONDS * 1000, None, None)
        index, size, sha256 = reply.unpack()
        try:
            m = Mmap.Object.new_from_fd_list(fd_list, index,
                                             Mmap.Access.READ, REQUIRED)
        except PermissionError as e:
            # Mmap.Error.SEALS_MISSING: nothing was mapped.
            say('consumer', 'refused: %s' % e.message)
            return 1
        say('consumer', 'mapped %d bytes read-only (seals: %s)'
            % (len(m), seal_names(m.get_seals())))

        # Seals cannot be removed: whatever the producer does now, the
        # memory stays as it was checked.
        connection.call_sync(None, PATH, INTERFACE, 'TryToChange', None,
                             None, Gio.DBusCallFlags.NONE,
                             TIMEOUT_SECONDS * 1000, None)

        with m.memoryview() as view:
            x, y = 1000, 500
            at = (y * WIDTH + x) * 4
            say('consumer', 'pixel (%d, %d) = %s'
                % (x, y, tuple(view[at:at + 4])))
            digest = hashlib.sha256(view).hexdigest()
        ok = digest == sha256 and len(m) == size
        say('consumer', 'sha256 %s (%s)'
            % (digest, 'matches' if ok else 'MISMATCH: the producer sent '
               '%d bytes, sha256 %s' % (size, sha256)))
        m.close()
        return 0 if ok else 1
    finally:
        if not connection.is_closed():
            connection.close_sync(None)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Render an image into a sealed memfd and pass it to a '
                    'consumer process over GDBus peer-to-peer; the consumer '
                    'maps it read-only, requiring the seals, and checks it.')
    parser.add_argument('--unsealed', action='store_true',
                        help="don't seal the memfd: the consumer refuses it")
    parser.add_argument('--role', choices=('producer', 'consumer'),
                        default='producer', help=argparse.SUPPRESS)
    parser.add_argument('--fd', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    try:
        if args.role == 'consumer':
            if args.fd is None:
                parser.error('--role consumer needs --fd')
            return consume(args.fd)
        return produce(args)
    except (GLib.Error, OSError, subprocess.TimeoutExpired) as e:
        print('%s: %s: %s' % (os.path.basename(sys.argv[0]), args.role, e),
              file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
