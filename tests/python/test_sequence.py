# len, indexing, slicing, iteration, in, with, repr, pickling.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import copy
import pickle

import pytest
from gi.repository import GLib, GObject, Mmap
from hypothesis import given, settings, strategies as st

from conftest import assert_mmap_error

PAGE = Mmap.PAGESIZE

E = Mmap.Error


def anon(content):
    m = Mmap.mmap(-1, len(content))
    m[:] = content
    return m


def test_len_bool(mapped):
    assert len(mapped) == 12
    assert bool(mapped) is True


def test_getitem_int(mapped):
    assert mapped[0] == ord('h')
    assert mapped[-1] == ord('\n')
    assert mapped[True] == ord('e')
    for index in (12, -13):
        with pytest.raises(IndexError) as info:
            mapped[index]
        assert_mmap_error(info, IndexError, E.INDEX_OUT_OF_RANGE)
    with pytest.raises(IndexError, match="cannot fit 'int'"):
        mapped[2 ** 64]
    for key in (1.0, 'a', None, (1,)):
        with pytest.raises(TypeError, match='mmap indices must be integers'):
            mapped[key]


def test_setitem_int_errors_in_python_order(mapped):
    mapped[0] = ord('H')
    mapped[-1] = 0
    assert mapped[:] == b'Hello world\0'
    with pytest.raises(IndexError) as info:
        mapped[12] = b'a'                  # the index comes before the value
    assert_mmap_error(info, IndexError, E.INDEX_OUT_OF_RANGE)
    with pytest.raises(IndexError, match="cannot fit 'int'"):
        mapped[2 ** 64] = 1
    with pytest.raises(TypeError, match='mmap item value must be an int'):
        mapped[0] = b'a'
    with pytest.raises(TypeError, match="cannot fit 'int'"):
        mapped[0] = 2 ** 64
    for value in (-1, 256):
        with pytest.raises(ValueError, match=r'range\(0, 256\)'):
            mapped[0] = value
    with pytest.raises(TypeError, match='mmap indices must be integer'):
        mapped[1.0] = 1
    assert mapped[:] == b'Hello world\0'


def test_slice_assignment(mapped):
    mapped[0:5] = b'HELLO'
    mapped[::-1] = mapped[::-1]
    mapped[6:11:2] = bytearray(b'WRD')
    mapped[1:1] = b''
    assert mapped[:] == b'HELLO WoRlD\n'
    with pytest.raises(IndexError) as info:
        mapped[0:3] = b'ab'
    assert_mmap_error(info, IndexError, E.WRONG_SIZE)
    with pytest.raises(TypeError, match="not 'list'"):
        mapped[0:1] = [1]
    with pytest.raises(ValueError, match='zero') as info:
        mapped['a':1:0] = b'a'             # step checked before bounds
    assert_mmap_error(info, ValueError, E.INVALID_ARGUMENT)
    with pytest.raises(TypeError, match='slice indices must be integers'):
        mapped['a':1] = b'a'


def test_slice_read_errors(mapped):
    with pytest.raises(ValueError, match='zero') as info:
        mapped[::0]
    assert_mmap_error(info, ValueError, E.INVALID_ARGUMENT)
    with pytest.raises(TypeError, match='slice indices must be integers'):
        mapped[1.0:]
    assert mapped[::2 ** 70] == b'h'
    assert mapped[2 ** 70:] == b''
    assert mapped[-2 ** 70:2] == b'he'
    assert mapped[::-2 ** 70] == b'\n'


def test_delete_is_refused(mapped):
    with pytest.raises(TypeError, match="doesn't support item deletion"):
        del mapped[0]
    with pytest.raises(IndexError):
        del mapped[12]
    with pytest.raises(TypeError, match="doesn't support slice deletion"):
        del mapped[0:1]


BOUND = st.one_of(st.none(), st.integers(-20, 20),
                  st.integers(-2 ** 70, 2 ** 70))
STEP = st.one_of(st.none(), st.integers(-5, 5).filter(bool),
                 st.sampled_from([2 ** 63, -2 ** 63, 2 ** 70, -2 ** 70]))


@settings(max_examples=400, deadline=None, database=None)
@given(content=st.binary(max_size=16), start=BOUND, stop=BOUND, step=STEP)
def test_slicing_matches_bytes(content, start, stop, step):
    m = Mmap.mmap(-1, len(content))
    m[:] = content
    key = slice(start, stop, step)
    assert m[key] == content[key]
    data = bytes(range(100, 100 + len(content[key])))
    m[key] = data
    expected = bytearray(content)
    expected[key] = data
    assert m[:] == bytes(expected)
    assert m.tell() == 0


def test_iteration_yields_bytes(mapped):
    assert list(mapped)[:3] == [b'h', b'e', b'l']
    assert b''.join(mapped) == b'hello world\n'
    assert list(reversed(mapped))[:2] == [b'\n', b'd']
    assert mapped.tell() == 0


def test_iteration_sees_a_shrink():
    m = anon(b'abcdef')
    seen = []
    for b in m:
        seen.append(b)
        if len(seen) == 2:
            m.resize(3)
    assert seen == [b'a', b'b', b'c']


def test_contains(mapped):
    assert b'h' in mapped
    assert bytearray(b'w') in mapped
    assert b'z' not in mapped
    assert b'he' not in mapped            # only length-1 items match
    assert 104 not in mapped
    assert 'h' not in mapped


def test_with_closes(mapped):
    with mapped as m:
        assert m is mapped
        assert m.read(5) == b'hello'
    assert mapped.closed


def test_repr(make_file):
    path, fd = make_file(b'0123456789')
    m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    m.seek(3)
    assert repr(m) == ('<mmap.mmap closed=False, access=ACCESS_READ, '
                       'length=10, pos=3, offset=0>')
    assert str(m) == repr(m)
    m.close()
    assert repr(m) == '<mmap.mmap closed=True>'


def test_subclass_with_new_as_cpython_tests_it():
    # CPython's test_subclass: __new__ passes its own first argument.
    class Anon(Mmap.mmap):
        def __new__(klass, *args, **kwargs):
            return Mmap.mmap.__new__(klass, -1, *args, **kwargs)

    m = Anon(PAGE)
    assert type(m) is Anon and isinstance(m, Mmap.mmap)
    assert isinstance(m, GObject.Object)
    assert len(m) == PAGE and m[0] == 0
    m[1] = 7
    assert m[:2] == b'\x00\x07'
    m.close()
    assert m.closed


def test_subclass_with_init_attributes_and_methods(make_file):
    path, fd = make_file(b'hello world\n')

    class Tagged(Mmap.mmap):
        def __init__(self, fileno, length, **kwargs):
            super().__init__(fileno, length, **kwargs)
            self.tag = 'greeting'

        def first_word(self):
            return self[:self.find(b' ')]

    m = Tagged(fd, 0, access=Mmap.ACCESS_READ)
    assert m.tag == 'greeting'
    assert m.first_word() == b'hello'
    assert m.readline() == b'hello world\n'
    with pytest.raises(TypeError):
        m[0] = 1
    # The instance is a plain MmapObject underneath: the final GType is
    # shared, not derived.
    assert m.__gtype__ == Mmap.Object.__gtype__
    assert Mmap.Object.get_length(m) == 12
    m.close()


def test_subclass_arguments_are_checked_as_cpython_checks_them():
    class Sub(Mmap.mmap):
        pass

    # CPython's mmap takes its arguments in __new__ too.
    with pytest.raises(TypeError, match='unexpected keyword argument'):
        Sub(-1, 10, tag='x')
    with pytest.raises(OverflowError, match='must be positive'):
        Sub(-1, -1)


def test_gobject_construction_still_needs_init():
    m = Mmap.Object(fd=-1, length=5)
    m.init(None)
    assert len(m) == 5
    m.close()


@pytest.mark.parametrize('dump', [
    lambda m: pickle.dumps(m), lambda m: pickle.dumps(m, 0),
    copy.copy, copy.deepcopy, lambda m: m.__reduce__()])
def test_pickling_refused(mapped, dump):
    with pytest.raises(TypeError, match='cannot pickle'):
        dump(mapped)


def test_identity_equality_and_no_ordering(mapped):
    other = anon(b'hello world\n')
    assert mapped == mapped
    assert mapped != other
    assert mapped != b'hello world\n'
    with pytest.raises(TypeError):
        mapped < other
    with pytest.raises(TypeError):
        mapped + mapped
    with pytest.raises(TypeError):
        mapped * 2
    assert hash(mapped) == hash(mapped)


def test_bytes_of_map(mapped):
    assert bytes(mapped) == b'hello world\n'


def test_errors_are_glib_errors_too(mapped):
    mapped.close()
    with pytest.raises(GLib.Error) as info:
        mapped.read()
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, Mmap.MmapValueError)
    assert 'closed' in str(info.value)
