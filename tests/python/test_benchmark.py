# benchmarks/python/overhead.py still runs and reports every row of issue
# 8's table (a smoke run on a small file; the figures are not checked).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import subprocess
import sys

from conftest import have_helper

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                      'benchmarks', 'python', 'overhead.py')
ROWS = ['m[i]', 'm[i] = v', 'm[i:i+4096]', 'read_byte()', 'read(64)',
        'read(4096)', 'readline() 80 B', 'write(64 B)', 'find() 256 B',
        'len(m)', 'tell()', 'seek(0)', 'read(1 MiB) chunks',
        'readline pass 2 MiB', 'read(1 MiB) pass 2 MiB', 'find() 2 MiB',
        'rfind() 2 MiB', 'find() 3 MiB']


def test_overhead_script_reports_every_row(tmp_path):
    out = tmp_path / 'python.json'
    run = subprocess.run(
        [sys.executable, SCRIPT, '--size-mib', '2', '--find-size-mib', '3',
         '--calls', '200', '--repeats', '1', '--json', str(out)],
        capture_output=True, text=True, timeout=240, check=True)
    data = json.loads(out.read_text())
    assert data['helper'] is have_helper()
    assert [r['name'] for r in data['rows']] == ROWS
    for row in data['rows']:
        assert row['cpython_ns'] > 0 and row['override_ns'] > 0
        assert row['raw_gi_ns'] > 0
        assert abs(row['ratio'] - row['override_ns'] / row['cpython_ns']) \
            < 1e-9
        assert row['name'] in run.stdout
    helper_line = run.stdout.splitlines()[0]
    assert ('compiled helper' in helper_line) is have_helper()
