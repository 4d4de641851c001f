#!/usr/bin/env python3
# check-gir.py: checks on Mmap-1.gir for the 'docs' test suite
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   check-gir.py error-domain GIR
#       The MmapError enumeration carries glib:error-domain="mmap-error-quark"
#       (g-ir-scanner drops it silently when the quark and enum names do not
#       pair up, and then no binding sees Mmap.Error as an error domain).
#
#   check-gir.py interfaces GIR
#       The classes have the parents and interfaces GIO consumers rely on:
#       Mmap.Object is a Gio.Seekable (and Gio.Initable), the streams are
#       Gio.InputStream/Gio.OutputStream, seekable and pollable.
#
#   check-gir.py check-fails GI-DOCGEN GIR [CONFIG]
#       Proves that `gi-docgen check` fails on an undocumented symbol: it
#       strips the doc of one method of Mmap.Object from a copy of GIR and
#       expects the check to exit non-zero and name that method. Without this, a check that
#       always passes would go unnoticed.

import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

CORE = 'http://www.gtk.org/introspection/core/1.0'
GLIB = 'http://www.gtk.org/introspection/glib/1.0'


def error_domain(gir):
    root = ET.parse(gir).getroot()
    enums = {e.get('name'): e for e in root.iter('{%s}enumeration' % CORE)}
    error = enums.get('Error')
    if error is None:
        print('FAIL: no <enumeration name="Error"> in %s' % gir)
        return 1
    domain = error.get('{%s}error-domain' % GLIB)
    if domain != 'mmap-error-quark':
        print('FAIL: Mmap.Error has glib:error-domain=%r, expected '
              '"mmap-error-quark"' % domain)
        return 1
    ctype = error.get('{%s}type' % 'http://www.gtk.org/introspection/c/1.0')
    if ctype != 'MmapError':
        print('FAIL: Mmap.Error has c:type=%r, expected "MmapError"' % ctype)
        return 1
    print('ok: Mmap.Error is the error domain "%s"' % domain)
    return 0


EXPECTED_CLASSES = {
    'Object': ('GObject.Object', {'Gio.Initable', 'Gio.Seekable'}),
    'InputStream': ('Gio.InputStream',
                    {'Gio.Seekable', 'Gio.PollableInputStream'}),
    'OutputStream': ('Gio.OutputStream',
                     {'Gio.Seekable', 'Gio.PollableOutputStream'}),
}


def interfaces(gir):
    root = ET.parse(gir).getroot()
    classes = {c.get('name'): c for c in root.iter('{%s}class' % CORE)}
    failed = 0
    for name, (parent, ifaces) in sorted(EXPECTED_CLASSES.items()):
        cls = classes.get(name)
        if cls is None:
            print('FAIL: no <class name="%s"> in %s' % (name, gir))
            failed = 1
            continue
        have = {i.get('name') for i in cls.findall('{%s}implements' % CORE)}
        if cls.get('parent') != parent or not ifaces <= have:
            print('FAIL: Mmap.%s has parent %r and implements %s; expected '
                  '%s and %s' % (name, cls.get('parent'), sorted(have),
                                 parent, sorted(ifaces)))
            failed = 1
            continue
        print('ok: Mmap.%s is a %s implementing %s'
              % (name, parent, ', '.join(sorted(ifaces))))
    return failed


def check_fails(gidocgen, gir, config=None):
    with open(gir, encoding='utf-8') as f:
        text = f.read()
    # The doc of the first documented method of Mmap.Object.
    cls = re.search(r'<class name="Object"', text)
    method = re.compile(r'(<method name="(\w+)"[^>]*>\s*)<doc\b[^>]*>.*?</doc>\s*',
                        re.S).search(text, cls.end() if cls else 0)
    if method is None:
        print('FAIL: no documented method of Mmap.Object in %s' % gir)
        return 1
    name = 'Mmap.Object.' + method.group(2)
    stripped = text[:method.start()] + method.group(1) + text[method.end():]
    with tempfile.TemporaryDirectory(prefix='mmap-gir-') as tmp:
        copy = os.path.join(tmp, os.path.basename(gir))
        with open(copy, 'w', encoding='utf-8') as f:
            f.write(stripped)
        cmd = [gidocgen, 'check']
        if config:
            cmd += ['--config', config]
        cmd += [copy]
        proc = subprocess.run(cmd, capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    print('removed the doc of %s' % name)
    print(output)
    if proc.returncode == 0:
        print('FAIL: gi-docgen check passed on a GIR where %s is not '
              'documented' % name)
        return 1
    if "Symbol '%s'" % name not in output:
        print('FAIL: gi-docgen check failed without naming %s' % name)
        return 1
    print('ok: gi-docgen check exits %d when %s is not documented'
          % (proc.returncode, name))
    return 0


def main(argv):
    if len(argv) == 2 and argv[0] == 'error-domain':
        return error_domain(argv[1])
    if len(argv) == 2 and argv[0] == 'interfaces':
        return interfaces(argv[1])
    if len(argv) in (3, 4) and argv[0] == 'check-fails':
        return check_fails(*argv[1:])
    print(__doc__ or 'usage: check-gir.py error-domain GIR | interfaces GIR | '
          'check-fails GI-DOCGEN GIR [CONFIG]', file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
