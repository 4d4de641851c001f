#!/usr/bin/env python3
# check-flatpak.py [--self-test] [--keep]: checks docs/flatpak.md, the Flatpak
# module snippet that app developers paste into their manifests, as far as
# this machine can without flatpak-builder (which needs the GNOME SDK from
# Flathub). Prints TAP; exits 1 when a check fails.
#
#  - every JSON/YAML block of the page is marked <!-- check: KIND --> (module,
#    sources or manifest), parses, and has the keys flatpak-builder needs;
#  - the JSON and YAML modules, and the module inside the whole manifest, are
#    the same module;
#  - each config-opts entry is a real option of this project (meson
#    introspect) with a valid value; the git tag is the project's version;
#  - meson setup with exactly what flatpak-builder runs (--prefix=/app
#    --libdir=/app/lib --wrap-mode=nodownload, then config-opts) succeeds,
#    ninja builds, and the install under DESTDIR has every /app path the
#    page's table names, and none of what the options turn off;
#  - cleanup leaves the library, the typelib and the override;
#  - the page's Python and JavaScript samples, its `flatpak run` check and
#    tests/packaging/smoke.c (built with pkg-config, as a C app of the
#    manifest would) run against that install.
# --self-test: the checks reject broken copies of the snippets (an unknown
# option, a bad value, a missing key, YAML that differs from JSON, ...).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import copy
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
# MMAP_FLATPAK_PAGE: another copy of the page (to see the checks fail).
PAGE = os.environ.get('MMAP_FLATPAK_PAGE',
                      os.path.join(TOP, 'docs', 'flatpak.md'))

# What flatpak-builder adds before a meson module's config-opts
# (builder-module.c: meson setup --wrap-mode=nodownload --prefix --libdir).
FLATPAK_MESON_ARGS = ['--wrap-mode=nodownload', '--prefix=/app',
                      '--libdir=/app/lib']

BUILDSYSTEMS = {'autotools', 'cmake', 'cmake-ninja', 'meson', 'qmake',
                'simple'}
MODULE_KEYS = {'name', 'buildsystem', 'config-opts', 'cleanup', 'sources',
               'build-commands', 'post-install', 'build-options', 'builddir',
               'subdir', 'make-args', 'make-install-args', 'no-autogen',
               'run-tests', 'test-rule', 'test-commands', 'modules',
               'cleanup-platform', 'disabled', 'only-arches', 'skip-arches',
               'ensure-writable', 'install-rule', 'no-make-install',
               'no-parallel-make', 'secret-opts', 'secret-env'}
SOURCE_TYPES = {'archive', 'git', 'bzr', 'svn', 'dir', 'file', 'script',
                'inline', 'shell', 'patch', 'extra-data'}
MANIFEST_REQUIRED = ('runtime', 'runtime-version', 'sdk', 'command',
                     'modules')


class Bad(Exception):
    """A snippet flatpak-builder would refuse, or one that breaks a promise."""


checks = 0
failed = 0


def tap(ok, what, detail=None):
    global checks, failed
    checks += 1
    if not ok:
        failed += 1
    print('%s %d - %s' % ('ok' if ok else 'not ok', checks, what), flush=True)
    if detail and not ok:
        for line in str(detail).splitlines():
            print('#   ' + line, flush=True)


def blocks(text):
    """(kind, lang, code) for every fenced block; kind from the marker."""
    found = []
    pattern = re.compile(
        r'(?:<!-- check: (?P<kind>[a-z]+) -->\n)?```(?P<lang>[a-z]*)\n'
        r'(?P<code>.*?)```', re.S)
    for m in pattern.finditer(text):
        found.append((m.group('kind'), m.group('lang'), m.group('code')))
    return found


def parse(lang, code):
    return json.loads(code) if lang == 'json' else yaml.safe_load(code)


def project_options():
    out = subprocess.run(['meson', 'introspect', '--buildoptions',
                          os.path.join(TOP, 'meson.build')],
                         check=True, capture_output=True, text=True).stdout
    return {o['name']: o for o in json.loads(out)}


def project_version():
    out = subprocess.run(['meson', 'introspect', '--projectinfo',
                          os.path.join(TOP, 'meson.build')],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)['version']


def check_value(option, value):
    kind = option['type']
    if kind == 'boolean':
        return value in ('true', 'false')
    if kind == 'combo':
        return value in option['choices']
    if kind == 'integer':
        return re.fullmatch(r'-?[0-9]+', value) is not None
    return True     # string, array


def check_config_opts(opts, options):
    if not isinstance(opts, list) or not all(isinstance(o, str) for o in opts):
        raise Bad('config-opts must be a list of strings')
    for opt in opts:
        m = re.fullmatch(r'-D([A-Za-z0-9_.:-]+)=(.*)', opt)
        if not m:
            raise Bad('config-opts entry %r is not -Dname=value' % opt)
        name, value = m.groups()
        if name not in options:
            raise Bad('-D%s is not an option of this project' % name)
        if not check_value(options[name], value):
            raise Bad('-D%s=%s: not a valid value (%s%s)' % (
                name, value, options[name]['type'],
                ': ' + ', '.join(options[name].get('choices') or [])))


def check_source(src, version):
    if isinstance(src, str):
        if not src.endswith(('.json', '.yaml', '.yml')):
            raise Bad('a source given as a string must name a .json/.yaml file')
        return
    if not isinstance(src, dict) or src.get('type') not in SOURCE_TYPES:
        raise Bad('source %r: no valid type' % (src,))
    kind = src['type']
    if kind == 'git':
        if not str(src.get('url', '')).startswith(('https://', 'http://',
                                                    'git://', 'file://')):
            raise Bad('git source without a url')
        if not any(k in src for k in ('tag', 'commit', 'branch')):
            raise Bad('git source without tag, commit or branch')
        if 'tag' in src and version is not None and str(src['tag']) != version:
            raise Bad('git tag %r is not the project version %s'
                      % (src['tag'], version))
        if 'commit' in src and not re.fullmatch(r'[0-9a-f]{40}',
                                                str(src['commit'])):
            raise Bad('git commit %r is not a full commit id' % src['commit'])
    elif kind in ('dir', 'patch'):
        if not isinstance(src.get('path'), str) or not src['path']:
            raise Bad('%s source without a path' % kind)
        skip = src.get('skip', [])
        if not isinstance(skip, list) or not all(isinstance(s, str)
                                                 for s in skip):
            raise Bad('skip must be a list of strings')
    elif kind in ('file', 'archive'):
        if 'path' not in src and 'url' not in src:
            raise Bad('%s source without path or url' % kind)
        if 'url' in src and 'sha256' not in src and 'sha512' not in src:
            raise Bad('%s source with a url but no checksum' % kind)


def check_sources(sources, version):
    if not isinstance(sources, list) or not sources:
        raise Bad('sources must be a non-empty list')
    for src in sources:
        check_source(src, version)


def check_module(mod, options, version, ours=True):
    if not isinstance(mod, dict):
        raise Bad('a module must be a mapping')
    unknown = set(mod) - MODULE_KEYS
    if unknown:
        raise Bad('unknown module keys: %s' % ', '.join(sorted(unknown)))
    if not isinstance(mod.get('name'), str) or not mod['name']:
        raise Bad('module without a name')
    system = mod.get('buildsystem', 'autotools')
    if system not in BUILDSYSTEMS:
        raise Bad('buildsystem %r is not one of flatpak-builder\'s' % system)
    if system == 'simple' and not mod.get('build-commands'):
        raise Bad('buildsystem simple needs build-commands')
    check_sources(mod.get('sources'), version if ours else None)
    cleanup = mod.get('cleanup', [])
    if not isinstance(cleanup, list) or not all(isinstance(c, str)
                                                for c in cleanup):
        raise Bad('cleanup must be a list of strings')
    if ours:
        if mod['name'] != 'mmapobj' or system != 'meson':
            raise Bad('the mmapobj module must be named mmapobj and use meson')
        check_config_opts(mod.get('config-opts', []), options)


def check_manifest(man, options, version):
    if not isinstance(man, dict):
        raise Bad('a manifest must be a mapping')
    if 'id' not in man and 'app-id' not in man:
        raise Bad('manifest without id')
    for key in MANIFEST_REQUIRED:
        if key not in man:
            raise Bad('manifest without %s' % key)
    if not isinstance(man['runtime-version'], str):
        raise Bad('runtime-version must be a string (quote it in YAML)')
    if man['runtime'] != 'org.gnome.Platform' or man['sdk'] != 'org.gnome.Sdk':
        raise Bad('the page promises the GNOME runtime and SDK')
    mods = man['modules']
    if not isinstance(mods, list) or not mods:
        raise Bad('manifest without modules')
    ours = [m for m in mods if isinstance(m, dict) and m.get('name') == 'mmapobj']
    if len(ours) != 1:
        raise Bad('the manifest must have the mmapobj module once')
    if mods.index(ours[0]) == len(mods) - 1:
        raise Bad('mmapobj must come before the app\'s module')
    for mod in mods:
        check_module(mod, options, version, ours=mod is ours[0])
    return ours[0]


def validate(found, options, version):
    """Checks the parsed blocks; returns the module; raises Bad."""
    modules = []
    for kind, lang, data in found:
        if kind == 'module':
            if lang == 'yaml':
                if not isinstance(data, list) or len(data) != 1:
                    raise Bad('the YAML module must be one list item '
                              '(for a manifest\'s modules: list)')
                data = data[0]
            check_module(data, options, version)
            modules.append(data)
        elif kind == 'sources':
            check_sources(data, version)
        elif kind == 'manifest':
            modules.append(check_manifest(data, options, version))
        else:
            raise Bad('unknown check kind %r' % kind)
    if not modules:
        raise Bad('no module snippet on the page')
    for mod in modules[1:]:
        if mod != modules[0]:
            raise Bad('the module snippets differ:\n%s\n%s' % (
                json.dumps(modules[0], sort_keys=True),
                json.dumps(mod, sort_keys=True)))
    return modules[0]


def read_page():
    text = open(PAGE, encoding='utf-8').read()
    found = []
    for kind, lang, code in blocks(text):
        if lang not in ('json', 'yaml'):
            continue
        if kind is None:
            raise Bad('a %s block without <!-- check: KIND --> before it' % lang)
        found.append((kind, lang, parse(lang, code)))
    return text, found


def self_test(found, options, version):
    """Broken copies of the snippets must be refused."""
    def module_of(f):
        return f[0][2] if f[0][1] == 'json' else f[0][2][0]

    def mutate(how):
        f = copy.deepcopy(found)
        how(f)
        return f

    def opts(f):
        return module_of(f)['config-opts']

    cases = [
        ('an option this project does not have',
         lambda f: opts(f).append('-Dtest=false')),
        ('a feature option with a boolean value',
         lambda f: opts(f).__setitem__(1, '-Ddocs=false')),
        ('a boolean option with a feature value',
         lambda f: opts(f).__setitem__(0, '-Dtests=disabled')),
        ('a config-opts entry that is no -D option',
         lambda f: opts(f).append('--no-tests')),
        ('a module without sources',
         lambda f: module_of(f).pop('sources')),
        ('a git source without tag or commit',
         lambda f: module_of(f)['sources'][0].pop('tag')),
        ('a git tag that is not the project version',
         lambda f: module_of(f)['sources'][0].__setitem__('tag', '0.9.0')),
        ('an unknown buildsystem',
         lambda f: module_of(f).__setitem__('buildsystem', 'ninja')),
        ('a misspelt module key',
         lambda f: module_of(f).__setitem__('config-opt', [])),
        ('a YAML module that differs from the JSON one',
         lambda f: f[1][2][0]['config-opts'].pop()),
        ('a manifest without sdk',
         lambda f: [b[2].pop('sdk') for b in f if b[0] == 'manifest']),
        ('a manifest with mmapobj after the app',
         lambda f: [b[2]['modules'].reverse() for b in f
                    if b[0] == 'manifest']),
        ('a dir source without path',
         lambda f: [b[2][0].pop('path') for b in f if b[0] == 'sources']),
    ]
    for what, how in cases:
        try:
            validate(mutate(how), options, version)
            tap(False, 'self-test: refused: ' + what, 'accepted')
        except Bad as e:
            tap(True, 'self-test: refused: %s (%s)' % (what,
                                                      str(e).splitlines()[0]))
    try:
        parse('json', '{"name": "mmapobj",}')
        tap(False, 'self-test: refused: JSON with a trailing comma', 'parsed')
    except ValueError as e:
        tap(True, 'self-test: refused: JSON with a trailing comma (%s)' % e)


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def cleanup_keeps(root, patterns):
    """Files under root/app left after flatpak-builder's cleanup patterns
    (a leading / is a path from /app, matched with everything below it; a
    pattern without / matches file names anywhere), as /app/... paths."""
    app = os.path.join(root, 'app')
    kept = []
    for folder, _, files in os.walk(app):
        for name in files:
            rel = '/' + os.path.relpath(os.path.join(folder, name), app)
            gone = False
            for pat in patterns:
                if pat.startswith('/'):
                    if rel == pat or rel.startswith(pat.rstrip('/') + '/') \
                            or glob.fnmatch.fnmatch(rel, pat):
                        gone = True
                elif glob.fnmatch.fnmatch(name, pat):
                    gone = True
            if not gone:
                kept.append('/app' + rel)
    return sorted(kept)


def build_and_use(text, module, keep):
    scratch = tempfile.mkdtemp(prefix='mmapobj-flatpak-check.')
    build = os.path.join(scratch, 'build')
    dest = os.path.join(scratch, 'dest')
    app = os.path.join(dest, 'app')
    log = os.path.join(scratch, 'build.log')
    argv = (['meson', 'setup'] + FLATPAK_MESON_ARGS + module['config-opts']
            + [build, TOP])
    print('# ' + ' '.join(argv), flush=True)
    with open(log, 'w') as out:
        ok = True
        for cmd, env in ((argv, None), (['ninja', '-C', build], None),
                         (['meson', 'install', '-C', build, '--quiet'],
                          dict(os.environ, DESTDIR=dest))):
            if subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                              env=env).returncode != 0:
                ok = False
                break
    tap(ok, 'meson setup with the module\'s exact config-opts, ninja and '
        'meson install (DESTDIR) succeed', None if ok else
        open(log).read()[-3000:])
    if not ok:
        return scratch

    files = sorted('/' + os.path.relpath(os.path.join(d, f), dest)
                   for d, _, fs in os.walk(dest) for f in fs)
    outside = [f for f in files if not f.startswith('/app/')]
    tap(not outside, 'everything is installed under /app (%d files)'
        % len(files), '\n'.join(outside))

    # Every /app path of the page's table (python3.X/site-packages is the
    # runtime's layout; this Debian Python may say python3/dist-packages).
    named = sorted(set(re.findall(r'`(/app/[^`]+)`', text)))
    for path in named:
        pattern = path.replace('python3.X', 'python3*').replace(
            'site-packages', '*-packages').rstrip('/')
        hits = glob.glob(dest + pattern)
        tap(bool(hits), 'the page\'s %s is installed' % path,
            None if hits else 'not found: ' + pattern)

    override = glob.glob(app + '/lib/python3*/*-packages/gi/overrides/Mmap.py')
    tap(len(override) == 1, 'the Python override is installed under /app/lib',
        '\n'.join(files))
    opts = dict(o[2:].split('=', 1) for o in module['config-opts'])
    absent = {'installed tests': '/app/share/installed-tests',
              'test programs': '/app/libexec'}
    if opts.get('docs') == 'disabled':
        absent['the API reference'] = '/app/share/doc'
    if opts.get('vapi') == 'disabled':
        absent['the Vala bindings'] = '/app/share/vala'
    if opts.get('python_helper') == 'disabled':
        absent['the compiled helper'] = '_mmap_helper'
    for what, marker in absent.items():
        bad = [f for f in files if marker in f]
        tap(not bad, 'the options leave out %s' % what, '\n'.join(bad))

    kept = cleanup_keeps(dest, module.get('cleanup', []))
    want = ['/app/lib/libmmapobj-1.so.0', '/app/lib/girepository-1.0/Mmap-1.typelib']
    missing = [w for w in want if w not in kept]
    tap(not missing and any(k.endswith('/gi/overrides/Mmap.py') for k in kept)
        and not any(k.startswith(('/app/include', '/app/share/gir-1.0'))
                    for k in kept),
        'after cleanup the app keeps the library, typelib and override only: '
        + ' '.join(k for k in kept if not k.endswith('.so')),
        '\n'.join(kept))

    # The runtime's environment, with /app under DESTDIR.
    site = os.path.dirname(os.path.dirname(os.path.dirname(override[0]))) \
        if override else ''
    env = dict(os.environ,
               GI_TYPELIB_PATH=app + '/lib/girepository-1.0',
               LD_LIBRARY_PATH=app + '/lib',
               PYTHONPATH=site, PYTHONDONTWRITEBYTECODE='1')
    work = os.path.join(scratch, 'samples')
    os.mkdir(work)
    samples = {lang: code for _, lang, code in blocks(text)
               if lang in ('python', 'js')}
    py = os.path.join(work, 'mmap-demo.py')
    open(py, 'w').write(samples['python'])
    r = run(['/usr/bin/python3', py], env=env, cwd=work)
    tap(r.returncode == 0 and 'bytes; first line:' in r.stdout,
        'the page\'s Python sample runs: ' + r.stdout.strip()[-60:],
        r.stdout + r.stderr)
    js = os.path.join(work, 'sample.js')
    open(js, 'w').write(samples['js'])
    r = run(['gjs', '-m', js], env=env, cwd=work)
    tap(r.returncode == 0 and r.stdout.strip() == 'hello from the sandbox',
        'the page\'s gjs sample runs: ' + r.stdout.strip(), r.stdout + r.stderr)

    m = re.search(r'flatpak run --command=python3 \S+ -c \\\n\s*"([^"]+)"', text)
    r = run(['/usr/bin/python3', '-c', m.group(1)], env=env, cwd=work) \
        if m else None
    tap(r is not None and r.returncode == 0
        and r.stdout.strip() == os.path.realpath(override[0]),
        'the page\'s `flatpak run` check prints the override under /app',
        'no such command on the page' if r is None else r.stdout + r.stderr)

    exe = os.path.join(work, 'smoke')
    # The .pc file says prefix=/app: here that is under DESTDIR (a copy says
    # so; --define-variable would move GLib's prefix too).
    pc_dir = os.path.join(work, 'pkgconfig')
    os.mkdir(pc_dir)
    pc = open(app + '/lib/pkgconfig/mmapobj-1.pc').read()
    open(os.path.join(pc_dir, 'mmapobj-1.pc'), 'w').write(
        re.sub(r'^prefix=/app$', 'prefix=' + app, pc, flags=re.M))
    pc_env = dict(env, PKG_CONFIG_PATH=pc_dir)
    flags = run(['pkg-config', '--cflags', '--libs', 'mmapobj-1'], env=pc_env)
    r = flags if flags.returncode != 0 else run(
        ['gcc', '-Wall', '-Werror', '-o', exe, os.path.join(HERE, 'smoke.c')]
        + flags.stdout.split(), env=pc_env)
    if r.returncode == 0:
        r = run([exe], env=env)
    tap(r.returncode == 0, 'a C program builds with pkg-config against the '
        'module and runs', r.stdout + r.stderr)
    return scratch


def main(argv):
    keep = '--keep' in argv
    try:
        text, found = read_page()
        tap(True, 'docs/flatpak.md: %d JSON/YAML blocks, each marked and parsed'
            % len(found))
    except (Bad, ValueError, yaml.YAMLError) as e:
        tap(False, 'docs/flatpak.md parses', e)
        print('1..%d' % checks)
        return 1

    options = project_options()
    version = project_version()
    try:
        module = validate(found, options, version)
        tap(True, 'the module, sources and manifest snippets are valid and '
            'the same module; config-opts: ' + ' '.join(module['config-opts']))
    except Bad as e:
        tap(False, 'the snippets are valid', e)
        print('1..%d' % checks)
        return 1

    self_test(found, options, version)
    if '--self-test' not in argv:
        scratch = build_and_use(text, module, keep)
        if failed or keep:
            print('# scratch kept: ' + scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print('1..%d' % checks)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
