#!/usr/bin/env python3
# plot.py: the benchmark results as a chart of ratios against their targets
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Draws the JSON of bench-object (and of overhead.py) as one chart.

    benchmarks/plot.py C.json [--python PY.json] [--before BEFORE.json]
                       [--title TEXT] [--table] [-o docs/benchmarks.svg]

Top: every row of bench-object as the ratio of mmapobj to its anchor
(log scale, lower is better), with its target marked; green meets it,
red misses it, grey has no target. Middle: the two-thread rows as the
gain over one thread (higher is better). Bottom, with --python: ns per
call from Python, CPython's mmap next to the Mmap override and raw GI.
With --before, the rows of an earlier run are drawn as pale bars beside
the current ones; --table prints the tables of docs/benchmarks.md. The output format follows the file name (.svg, .png).
Needs Debian's python3-matplotlib.
"""

import argparse
import json

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

COLOURS = {'PASS': '#2e7d32', 'MISS': '#c62828', 'info': '#757575',
           'BUSY': '#ef6c00'}


def load(path):
    if path is None:
        return None
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def measured(data, kind):
    return [r for r in data['rows']
            if r['kind'] == kind and r['result'] != 'absent']


def bar_panel(ax, rows, before, log, xlabel, ideal=None):
    names = [r['name'] for r in rows]
    ys = list(range(len(rows)))[::-1]
    old = {r['name']: r for r in before['rows']} if before else {}
    if old:
        ax.barh([y + 0.2 for y in ys],
                [old[n]['ratio'] if n in old and 'ratio' in old[n] else 0
                 for n in names],
                height=0.35, color='#bdbdbd', label='before')
    offset = -0.2 if old else 0
    ax.barh([y + offset for y in ys], [r['ratio'] for r in rows],
            height=0.35 if old else 0.6,
            color=[COLOURS.get(r['result'], '#757575') for r in rows],
            label='now' if old else None)
    for y, r in zip(ys, rows):
        ax.annotate(('%.2f×' if r['ratio'] < 10 else '%.3g×') % r['ratio'], (r['ratio'], y + offset),
                    xytext=(3, 0), textcoords='offset points',
                    va='center', fontsize=7)
        if r['target'] is not None:
            ax.plot([r['target']] * 2, [y - 0.45, y + 0.45], color='black',
                    linewidth=1.5)
    if ideal is not None:
        ax.axvline(ideal, color='#9e9e9e', linestyle=':', linewidth=1)
    ax.set_yticks(ys)
    ax.set_yticklabels(['%s  vs %s' % (r['name'], r['anchor'])
                        for r in rows], fontsize=8)
    if log:
        ax.set_xscale('log')
    ax.set_xlabel(xlabel, fontsize=9)
    ax.grid(axis='x', color='#eeeeee')
    ax.set_axisbelow(True)
    if old:
        ax.legend(fontsize=8, loc='lower right')


def python_panel(ax, data):
    rows = data['rows']
    ys = list(range(len(rows)))[::-1]
    sides = [('cpython_ns', "CPython's mmap", '#1565c0'),
             ('override_ns', 'Mmap override', '#2e7d32'),
             ('raw_gi_ns', 'raw GI call', '#9e9e9e')]
    for k, (key, label, colour) in enumerate(sides):
        ax.barh([y + 0.27 * (1 - k) for y in ys], [r[key] for r in rows],
                height=0.27, color=colour, label=label)
    ax.set_yticks(ys)
    ax.set_yticklabels([r['name'] for r in rows], fontsize=8)
    ax.set_xscale('log')
    ax.set_xlabel('ns per call from Python %s (log scale, lower is better)'
                  % data.get('python', ''), fontsize=9)
    ax.grid(axis='x', color='#eeeeee')
    ax.set_axisbelow(True)
    ax.legend(fontsize=8, loc='lower center', bbox_to_anchor=(0.5, 1.0),
              ncol=3, frameon=False)


def ns(value):
    return '%.1f' % value if value < 1000 else '%.0f' % value


def markdown_tables(data, py):
    """The tables of docs/benchmarks.md, as Markdown."""
    lines = ['| row | mmapobj ns | anchor ns | ratio | target | result '
             '| anchor |', '|---|---:|---:|---:|---|---|---|']
    for r in data['rows']:
        target = '—' if r['target'] is None else (
            '≤ %g×' if r['target_kind'] == 'max' else '≥ %g×') % r['target']
        if r['result'] == 'absent':
            lines.append('| `%s` | — | — | — | %s | absent | %s |'
                         % (r['name'], target, r['anchor']))
            continue
        anchor = r['anchor']
        if 'cpu_per_wall' in r:
            anchor += '; CPU/wall %.2f, %d retries' % (r['cpu_per_wall'],
                                                      r['retries'])
        lines.append('| `%s` | %s | %s | %.2f× | %s | %s | %s |'
                     % (r['name'], ns(r['mmapobj_ns']), ns(r['anchor_ns']),
                        r['ratio'], target, r['result'], anchor))
    if py:
        lines += ['', "| Python | CPython's mmap ns | Mmap override ns "
                  '| raw GI ns | override ÷ CPython |',
                  '|---|---:|---:|---:|---:|']
        for r in py['rows']:
            lines.append('| `%s` | %s | %s | %s | %.1f× |'
                         % (r['name'], ns(r['cpython_ns']),
                            ns(r['override_ns']), ns(r['raw_gi_ns']),
                            r['ratio']))
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('c_json', help='the JSON of bench-object --json')
    parser.add_argument('--python', help='the JSON of overhead.py --json')
    parser.add_argument('--before', help='an earlier bench-object JSON')
    parser.add_argument('--title', help='a title above the chart')
    parser.add_argument('--table', action='store_true',
                        help='also print the results as Markdown tables')
    parser.add_argument('-o', '--output', default='benchmarks.svg')
    args = parser.parse_args()

    data = load(args.c_json)
    py = load(args.python)
    before = load(args.before)
    cost = measured(data, 'cost')
    speedup = measured(data, 'speedup')

    heights = [len(cost), max(len(speedup), 1)] + ([len(py['rows'])]
                                                    if py else [])
    plt.rcParams['svg.fonttype'] = 'none'
    plt.rcParams['svg.hashsalt'] = 'mmapobj'
    fig, axes = plt.subplots(len(heights), 1, figsize=(9, 1.5 + 0.27 * sum(
        heights) + 0.8 * len(heights)), gridspec_kw={'height_ratios': heights})
    bar_panel(axes[0], cost, before, True,
              'mmapobj ÷ anchor, ns per call (log scale, lower is better; '
              'black tick: target)')
    bar_panel(axes[1], speedup, before, False,
              '2 threads on one object ÷ 1 thread, throughput '
              '(higher is better; tick: target; dotted: ideal)',
              ideal=2.0)
    axes[1].set_xlim(0, 2.3)
    if py:
        python_panel(axes[2], py)
    fig.suptitle('%smmapobj %s, %s CPUs, best of %d (%s)'
                 % (args.title + ': ' if args.title else '',
                    data['library_version'], data['cpus'], data['repeats'],
                    data['date'][:10]), fontsize=10)
    fig.tight_layout()
    if args.table:
        print(markdown_tables(data, py))
    fig.savefig(args.output, metadata={'Date': None} if args.output.endswith(
        '.svg') else None)


if __name__ == '__main__':
    main()
