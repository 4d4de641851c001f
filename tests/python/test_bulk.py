# The bulk calls find_all, count and line_offsets: one call for every match
# or line, against bytes.count, re.finditer and a line-splitting model.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import array
import io
import itertools
import os
import re

import pytest
from gi.repository import GLib, Mmap
from hypothesis import given, settings, strategies as st

from conftest import assert_eio, assert_mmap_error

E = Mmap.Error
PAGE = Mmap.PAGESIZE
SSIZE_MAX = 2 ** 63 - 1


def anon(content):
    m = Mmap.mmap(-1, len(content))
    m[:] = content
    return m


# -- models -----------------------------------------------------------------

def clamp(bound, length, default):
    """find()'s bound: None is the default, negative counts from the end,
    then clamped to [0, length]."""
    if bound is None:
        return default
    if bound < 0:
        bound += length
    return min(max(bound, 0), length)


def model_find_all(data, sub, start=None, end=None, max_count=-1):
    s = clamp(start, len(data), 0)
    e = clamp(end, len(data), len(data))
    if e < s:
        return []
    hits = [s + m.start() for m in re.finditer(re.escape(sub), data[s:e])]
    return hits if max_count < 0 else hits[:max_count]


def model_count(data, sub, start=None, end=None):
    # bytes.count itself, on bounds clamped as find() clamps them.
    return data.count(sub, clamp(start, len(data), 0),
                       clamp(end, len(data), len(data)))


def model_line_offsets(data, start=None, end=None, max_count=-1):
    s = clamp(start, len(data), 0)
    e = clamp(end, len(data), len(data))
    lines = io.BytesIO(data[s:e]).readlines()
    starts = [s + n for n in itertools.accumulate(map(len, lines),
                                                  initial=0)][:-1]
    return starts if max_count < 0 else starts[:max_count]


# -- exact results ----------------------------------------------------------

def test_find_all_is_non_overlapping():
    m = anon(b'aaaa')
    assert m.find_all(b'aa') == [0, 2]
    assert m.count(b'aa') == 2 == b'aaaa'.count(b'aa')
    assert m.find_all(b'aa', 1) == [1]
    assert m.find_all(b'a') == [0, 1, 2, 3]
    assert m.find_all(b'aaaaa') == []
    assert m.count(b'b') == 0


def test_results_are_lists_of_ints():
    m = anon(b'x\nx\n')
    for result in (m.find_all(b'x'), m.line_offsets(), m.find_all(b'z')):
        assert type(result) is list
        assert all(type(i) is int for i in result)
    assert type(m.count(b'x')) is int


def test_bounds_and_max_count():
    m = anon(b'abcabca')
    assert m.find_all(b'a') == [0, 3, 6]
    assert m.find_all(b'a', -4, -1) == [3]
    assert m.find_all(b'a', None, 4) == [0, 3]
    assert m.find_all(b'abc', 0, 5) == [0]
    assert m.find_all(b'a', 5, 2) == []
    assert m.find_all(b'a', -100, 100) == [0, 3, 6]
    assert m.find_all(b'a', 2 ** 80) == []
    assert m.find_all(b'a', -2 ** 80, 2 ** 80) == [0, 3, 6]
    assert m.find_all(b'a', max_count=0) == []
    assert m.find_all(b'a', max_count=1) == [0]
    assert m.find_all(b'a', max_count=2) == [0, 3]
    assert m.find_all(b'a', max_count=10) == [0, 3, 6]
    assert m.find_all(b'a', max_count=-5) == [0, 3, 6]
    assert m.find_all(b'a', max_count=2 ** 80) == [0, 3, 6]
    assert m.count(b'a', 1) == 2 == b'abcabca'.count(b'a', 1)
    assert m.count(b'a', 1, -1) == 1 == b'abcabca'.count(b'a', 1, -1)


def test_empty_needle_occurs_everywhere():
    m = anon(b'abc')
    assert m.find_all(b'') == [0, 1, 2, 3]
    assert m.count(b'') == 4 == b'abc'.count(b'')
    assert m.find_all(b'', 1, 2) == [1, 2]
    assert m.find_all(b'', 2, 1) == []
    assert m.count(b'', 2, 1) == 0 == b'abc'.count(b'', 2, 1)
    assert m.find_all(b'', max_count=2) == [0, 1]
    # A start past the end clamps to the length, as find() does (bytes
    # would find nothing there).
    assert m.find_all(b'', 10) == [3]
    assert m.find(b'', 10) == 3


def test_line_offsets():
    assert anon(b'a\nb\n').line_offsets() == [0, 2]
    assert anon(b'a\nb').line_offsets() == [0, 2]
    assert anon(b'').line_offsets() == []
    assert anon(b'\n').line_offsets() == [0]
    assert anon(b'\n\n\nx\n\n').line_offsets() == [0, 1, 2, 3, 5]
    m = anon(b'one\ntwo\nthree\n')
    assert m.line_offsets(5) == [5, 8]
    assert m.line_offsets(1, 4) == [1]
    assert m.line_offsets(1, 5) == [1, 4]
    assert m.line_offsets(-6) == [8]
    assert m.line_offsets(max_count=2) == [0, 4]
    assert m.line_offsets(3, 3) == []
    assert m.line_offsets(100) == []


def test_line_offsets_index_the_lines(make_file):
    content = b''.join(b'line %d %s\n' % (i, b'x' * (i % 17))
                       for i in range(500)) + b'no newline'
    path, fd = make_file(content)
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    offsets = m.line_offsets()
    lines = [m[a:b] for a, b in zip(offsets, offsets[1:] + [len(m)])]
    assert lines == io.BytesIO(content).readlines()
    assert m.count(b'\n') == content.count(b'\n') == 500


def test_position_unchanged():
    m = anon(b'one\ntwo\nthree\n')
    m.seek(5)
    assert m.find_all(b't') == [4, 8]
    assert m.count(b'e') == 3
    assert m.line_offsets() == [0, 4, 8]
    assert m.tell() == 5


def test_empty_map():
    m = Mmap.mmap(-1, 0)
    assert m.find_all(b'a') == []
    assert m.find_all(b'') == [0]
    assert m.count(b'a') == 0
    assert m.count(b'') == 1
    assert m.line_offsets() == []


def test_bytes_like_needles():
    m = anon(b'ab\x00ab\x00')
    for sub in (b'ab', bytearray(b'ab'), memoryview(b'xaby')[1:3],
                array.array('B', b'ab'), anon(b'ab')):
        assert m.find_all(sub) == [0, 3]
        assert m.count(sub) == 2
    assert m.count(b'\x00') == 2


def test_many_matches():
    data = b'xy\n' * 100000
    m = anon(data)
    assert m.count(b'x') == 100000
    assert m.find_all(b'x') == list(range(0, len(data), 3))
    assert m.line_offsets() == list(range(0, len(data), 3))
    assert m.count(b'y\nxy') == data.count(b'y\nxy')
    assert m.find_all(b'\nx', max_count=1000) == list(range(2, 3000, 3))


# -- errors -----------------------------------------------------------------

CALLS = (
    lambda m: m.find_all(b'a'),
    lambda m: m.find_all(b''),
    lambda m: m.count(b'a'),
    lambda m: m.count(b'', 0, 5),
    lambda m: m.line_offsets(),
)


@pytest.mark.parametrize('call', CALLS)
def test_closed_map_raises_value_error(call):
    m = anon(b'a\nb\n')
    m.close()
    with pytest.raises(ValueError) as info:
        call(m)
    assert_mmap_error(info, ValueError, E.CLOSED)


def test_closed_comes_before_bad_arguments():
    m = anon(b'abc')
    m.close()
    for call in (lambda: m.count('a'), lambda: m.find_all(b'a', 'x'),
                 lambda: m.line_offsets(max_count=1.5)):
        with pytest.raises(ValueError) as info:
            call()
        assert_mmap_error(info, ValueError, E.CLOSED)


@pytest.mark.parametrize('call', CALLS)
def test_prot_none_raises_value_error(call):
    m = Mmap.mmap(-1, 10, prot=Mmap.PROT_NONE)
    with pytest.raises(ValueError) as info:
        call(m)
    assert_mmap_error(info, ValueError, E.NOT_ACCESSIBLE)


def test_bad_arguments():
    m = anon(b'abc')
    with pytest.raises(TypeError, match='bytes-like'):
        m.count('a')
    with pytest.raises(TypeError, match='bytes-like'):
        m.find_all(3)
    with pytest.raises(TypeError, match='slice indices'):
        m.find_all(b'a', 1.0)
    with pytest.raises(TypeError, match='slice indices'):
        m.count(b'a', None, '3')
    with pytest.raises(TypeError):
        m.line_offsets(max_count=None)
    with pytest.raises(TypeError):
        m.count(b'a', 0, 1, 2)
    with pytest.raises(TypeError):
        m.find_all(sub=b'a')


def test_truncated_file_raises_eio(make_file):
    path, fd = make_file(b'abc\n' * PAGE)
    m = Mmap.mmap(fd, 0)
    os.truncate(path, PAGE)
    for call in (lambda: m.find_all(b'zz'), lambda: m.find_all(b'\n'),
                 lambda: m.count(b'\n'), lambda: m.line_offsets()):
        with pytest.raises(OSError) as excinfo:
            call()
        assert_eio(excinfo)
        assert isinstance(excinfo.value, GLib.Error)
    # The first page still scans.
    assert m.count(b'\n', 0, PAGE) == PAGE // 4
    assert m.line_offsets(max_count=3) == [0, 4, 8]
    m.close()


# -- against the models -----------------------------------------------------

bound = st.one_of(st.none(), st.integers(-40, 40),
                  st.sampled_from([SSIZE_MAX, -SSIZE_MAX - 1, 2 ** 70]))
haystack = st.binary(max_size=60).map(
    lambda b: bytes(b'ab\n'[c % 3] for c in b))
needle = st.one_of(st.sampled_from([b'', b'a', b'ab', b'aa', b'\n', b'a\na',
                                    b'b\nb', b'aaa']),
                   st.binary(max_size=4))
max_count = st.one_of(st.just(-1), st.integers(-3, 8))


@settings(max_examples=400, deadline=None)
@given(haystack, needle, bound, bound, max_count)
def test_against_models(data, sub, start, end, limit):
    m = anon(data)
    assert m.find_all(sub, start, end, limit) == \
        model_find_all(data, sub, start, end, limit)
    assert m.count(sub, start, end) == model_count(data, sub, start, end)
    assert m.count(sub, start, end) == len(m.find_all(sub, start, end))
    assert m.line_offsets(start, end, limit) == \
        model_line_offsets(data, start, end, limit)
    if start is None or 0 <= start <= len(data):
        # Inside the map the clamping agrees with bytes.count's own.
        assert m.count(sub, start, end) == data.count(sub, start, end)
    m.close()


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=1, max_size=3000), st.binary(min_size=1,
                                                       max_size=3))
def test_random_bytes_against_re(data, sub):
    m = anon(data)
    assert m.find_all(sub) == [x.start() for x in
                               re.finditer(re.escape(sub), data)]
    assert m.count(sub) == data.count(sub)
    m.close()
