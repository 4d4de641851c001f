#!/usr/bin/env python3
# gen-corpus.py: writes the seed corpus of the libFuzzer harness.
#
#   python3 tests/fuzz/gen-corpus.py [tests/fuzz/corpus]
#
# Each seed is a small call sequence in the byte format that
# fuzz-object.c decodes (see LLVMFuzzerTestOneInput): a file-size byte, a
# content seed byte, then ops.  An op byte is (slot << 5) | opcode; its
# arguments follow.  The helpers below mirror the decoder's tables.

import os
import sys

# Opcodes (fuzz-object.c, main loop).
NEW, READ, READ_BYTE, READLINE, WRITE, WRITE_BYTES, WRITE_BYTE, SEEK = range(8)
SIZE, FIND, FLUSH, MADVISE = 8, 9, 10, 11
MOVE, RESIZE = 13, 14
GET_BYTE, SET_BYTE, GET_SLICE, SET_SLICE, VIEW, CLOSE, UNREF, GETTERS = range(16, 24)
EXT_TRUNCATE, EXT_PWRITE, DROP_VIEW = 24, 27, 29
GET_SLICE_INTO, READ_INTO, READLINE_INTO = 12, 30, 31

# pick_size () indices
SZ = {'0': 0, '1': 1, '100': 2, 'P-1': 3, 'P': 4, 'P+1': 5, '2P-3': 6,
      '2P': 7, '2P+700': 8, '3P': 9, '3P+1': 10, '4P': 11, '4P+123': 12,
      '5P': 13, '6P-1': 14, '4095': 15}
# pick_offset () indices
OFF = {'0': 0, '1': 1, '100': 2, 'P-1': 3, 'P': 4, 'P+5': 5, '2P': 6,
       '2P+3000': 7, '3P': 8, '4000': 11, '9P': 12, '2': 13, '2P+1': 14}
# pick_prot () indices
PROT = {'RW': 0, 'R': 1, 'W': 2, 'NONE': 3, 'RX': 5, 'BAD': 6}
# pick_access () indices
ACC = {'DEFAULT': 0, 'READ': 1, 'WRITE': 2, 'COPY': 3, 'BAD4': 12, 'BAD-1': 13}
# pick_flags (): low 3 bits choose the sharing, bits 3-6 an extra flag
FL_SHARED, FL_PRIVATE, FL_NONE, FL_BOTH = 0, 3, 6, 7
EXTRA = {'': 0, 'NORESERVE': 1, 'POPULATE': 2, 'LOCKED': 3, 'DENYWRITE': 4,
         'STACK': 5, 'BAD4': 6, 'BAD31': 7}
# pick_ssize () indices
S = {'0': 0, '1': 1, '-1': 2, 'len': 3, 'len-1': 4, 'len+1': 5, '-len': 6,
     'MAX': 7, 'MIN': 8, 'P': 11, 'P-delta': 12, '-2': 13}
# op_madvise () table indices
ADV = {'NORMAL': 0, 'RANDOM': 1, 'SEQUENTIAL': 2, 'WILLNEED': 3,
       'DONTNEED': 4, 'FREE': 5, 'REMOVE': 6, 'DONTFORK': 7, 'DOFORK': 8,
       'MERGEABLE': 9, 'HUGEPAGE': 11, 'WIPEONFORK': 15, 'COLD': 17,
       'PAGEOUT': 18, 'POPULATE_READ': 19, 'POPULATE_WRITE': 20,
       'DONTNEED_LOCKED': 21, 'COLLAPSE': 22,
       'BAD5': 28, 'BAD7': 30, 'BAD102': 33, 'BAD-1': 35}
N_ADVICES = 38


def op(slot, code):
    return bytes([(slot << 5) | code])


def flags(sharing, extra=''):
    return bytes([sharing | (EXTRA[extra] << 3)])


def ssize(name, extra=b''):
    return bytes([S[name]]) + extra


def u16(v):
    return bytes([v & 0xff, v >> 8])


def ssize_u16(v):            # pick_ssize case 15: u16 % 8192
    return bytes([15]) + u16(v)


def data(seed, payload=b''):  # fill_data (): a seed, then up to 8 bytes
    return bytes([seed]) + payload


# Constructors ------------------------------------------------------------

def new_anon(slot, size):
    return op(slot, NEW) + bytes([0, SZ[size]])


def new_anon_full(slot, size, sharing, prot='RW', access='DEFAULT',
                  offset='0', track=True, extra=''):
    return (op(slot, NEW) + bytes([1, SZ[size]]) + flags(sharing, extra)
            + bytes([PROT[prot], ACC[access], 0, OFF[offset], 1 if track else 0]))


def new_file(slot, size, access='DEFAULT', offset='0'):
    return op(slot, NEW) + bytes([2, SZ[size], ACC[access], OFF[offset]])


def new_file_full(slot, size, sharing, prot='RW', access='DEFAULT',
                  offset='0', track=True, ro=False, extra=''):
    return (op(slot, NEW) + bytes([3, SZ[size], 0 if ro else 1])
            + flags(sharing, extra)
            + bytes([PROT[prot], ACC[access], OFF[offset], 1 if track else 0]))


def new_path(slot, access='DEFAULT'):
    return op(slot, NEW) + bytes([4, 0, ACC[access]])


def new_bad(slot, case, size='P'):
    # case: 0 fd -2, 1 fd -1000, 2 fd never open, 3 negative offset,
    # 4 length > G_MAXSSIZE, 5 anonymous length G_MAXSIZE
    extra = bytes([0]) if case == 3 else b''
    return op(slot, NEW) + bytes([7, SZ[size], case]) + extra


def new_bad_enums(slot, prot='RW', access='DEFAULT', sharing=FL_SHARED,
                  extra=''):
    # case 1 (fd -1000) would hide them: use a valid anonymous map (case 5
    # has an overflowing length), so pick fd -2 with the enums.
    return (op(slot, NEW) + bytes([7, SZ['P'], 0x40 | 0])
            + flags(sharing, extra) + bytes([PROT[prot], ACC[access]]))


# Calls -------------------------------------------------------------------

def read(slot, n='-1'):
    return op(slot, READ) + ssize(n)


def write(slot, length_case=2, n=8, seed=1, payload=b'hello\nxy'):
    b = bytes([length_case])
    if length_case == 2:
        b += bytes([n])
    return op(slot, WRITE) + b + data(seed, payload)


def write_bytes_view(slot, view):
    return (op(slot, WRITE_BYTES) + bytes([0x80 | 2, 5]) + data(3, b'abcde')
            + bytes([view]))


def seek(slot, whence_idx, pos):
    return op(slot, SEEK) + bytes([whence_idx]) + ssize(pos)


def find(slot, reverse=False, rng=False, nlen=2, at=0, start='0', end='MAX'):
    b = (1 if reverse else 0) | (2 if rng else 0)
    out = op(slot, FIND) + bytes([b])
    if rng:
        out += ssize(start) + ssize(end)
    return out + bytes([nlen]) + u16(at)


def madvise(slot, advice, start='0', length='-1', whole=False):
    idx = ADV[advice]
    if whole:
        b = N_ADVICES * 4 + idx                  # bit 7 set, b % 38 == idx
        assert b & 0x80 and b % N_ADVICES == idx
        return op(slot, MADVISE) + bytes([b])
    return op(slot, MADVISE) + bytes([idx]) + ssize(start) + ssize(length)


def madvise_at(slot, advice, start, length):
    idx = ADV[advice]
    return op(slot, MADVISE) + bytes([idx]) + ssize_u16(start) + ssize_u16(length)


def resize(slot, size):
    return op(slot, RESIZE) + bytes([4, SZ[size]])


def resize_zero(slot):
    return op(slot, RESIZE) + bytes([0])


def view(slot, offset_case=0, length_case=0, offset=0, length=0):
    # offset_case: 0 zero, 1 u16, 2 the length, 3 pick_ssize;
    # length_case: 0 -1, 1 u16, 2 -2 - u8 % 4, 3 pick_ssize
    out = op(slot, VIEW) + bytes([offset_case | (length_case << 2)])
    if offset_case == 1:
        out += u16(offset)
    if length_case == 1:
        out += u16(length)
    elif length_case == 2:
        out += bytes([length])
    return out


def ext_truncate(size):
    return op(0, EXT_TRUNCATE) + bytes([1, SZ[size]])


def ext_grow(by):
    return op(0, EXT_TRUNCATE) + bytes([0]) + u16(by)


def ext_pwrite(at, n=8, seed=9, payload=b'EXTERNAL'):
    return op(0, EXT_PWRITE) + bytes([n]) + u16(at) + data(seed, payload)


def simple(slot, code, *args):
    return op(slot, code) + bytes(args)


def header(size='3P', seed=7):
    return bytes([SZ[size], seed])


SEEDS = {
    'anon-shared': header('P') + new_anon(0, '2P+700') + write(0)
        + seek(0, 0, '0') + read(0, '-1') + resize(0, '3P+1')
        + find(0, nlen=3, at=2) + simple(0, READLINE) + resize_zero(0)
        + resize(0, 'P') + simple(0, GETTERS),
    'anon-private': header('P') + new_anon_full(0, '2P+700', FL_PRIVATE)
        + write(0) + madvise(0, 'DONTNEED', '1', '-1')
        + madvise(0, 'FREE', whole=True) + resize(0, '100') + resize(0, '3P')
        + read(0) + seek(0, 2, '-1') + simple(0, READ_BYTE),
    'anon-offset-huge': header('0') + op(0, NEW)
        + bytes([1, SZ['P'], FL_SHARED, PROT['RW'], ACC['DEFAULT'], 7, 1])
        + resize(0, '2P') + write(0) + read(0),
    'file-write-aligned': header('4P', 3) + new_file(0, '2P', 'WRITE', 'P')
        + write(0) + simple(0, FLUSH, 1) + resize(0, '3P') + simple(0, SIZE)
        + find(0, reverse=True, rng=True, nlen=2, start='-len', end='MAX'),
    'file-unaligned': header('4P+123', 4) + new_file(0, '2P-3', 'WRITE', '100')
        + write(0, 4) + madvise(0, 'REMOVE', '0', '-1')
        + madvise(0, 'DONTNEED', '0', '-1') + resize(0, '2P') + read(0),
    'file-read-copy': header('3P', 5) + new_file(0, '0', 'READ', 'P-1')
        + new_file(1, '2P', 'COPY', '1') + write(1) + ext_pwrite(10)
        + read(0) + read(1) + simple(1, WRITE_BYTE, 0x41)
        + madvise(1, 'DONTNEED', whole=True) + read(1, '-1'),
    'file-private-default': header('3P+1', 6)
        + new_file_full(0, 'P+1', FL_PRIVATE, offset='P+5') + write(0)
        + ext_pwrite(4100) + read(0) + madvise(0, 'POPULATE_WRITE', '0', '-1')
        + ext_truncate('P') + read(0) + resize(0, 'P-1') + simple(0, SIZE),
    'prot-none-write-only': header('2P', 8)
        + new_file_full(0, 'P', FL_SHARED, prot='NONE')
        + new_file_full(1, 'P', FL_SHARED, prot='W') + read(0) + write(1)
        + simple(1, SET_BYTE, S['1'], 0x5a) + read(1) + resize(1, '2P')
        + madvise(0, 'DONTNEED', whole=True) + new_anon_full(2, 'P', FL_PRIVATE, prot='NONE')
        + madvise(2, 'DONTNEED', whole=True),
    'no-trackfd': header('2P+700', 9)
        + new_file_full(0, '0', FL_SHARED, track=False) + resize(0, 'P')
        + simple(0, SIZE) + write(0) + madvise(0, 'REMOVE', '1', '-1')
        + new_anon_full(1, 'P', FL_SHARED, track=False) + resize(1, '2P'),
    'views-resize-close': header('3P', 10) + new_file(0, '2P', 'DEFAULT', '0')
        + view(0, 1, 1, 10, 100) + resize(0, '3P') + write(0) + simple(0, CLOSE)
        + read(0) + simple(0, UNREF) + new_anon(1, '0') + view(1)
        + resize(1, 'P') + simple(1, DROP_VIEW, 1) + simple(1, DROP_VIEW, 0)
        + resize(1, 'P'),
    'external-truncate': header('4P', 11) + new_file(0, '4P', 'WRITE')
        + new_file(1, '3P', 'COPY', 'P') + write(1) + ext_truncate('P-1')
        + read(0) + seek(0, 0, 'P') + write(0) + simple(0, SET_BYTE, S['-1'], 1)
        + op(0, SET_SLICE) + ssize('0') + ssize('MAX') + bytes([3, 0]) + data(1, b'SLICE..!')
        + read(1) + find(0, nlen=3) + simple(0, READLINE)
        + resize(0, '2P') + read(0),
    'external-grow': header('P+1', 12) + new_file(0, '0', 'WRITE', '2')
        + seek(0, 2, '0') + ext_grow(5000) + simple(0, SIZE) + resize(0, '2P+700')
        + ext_pwrite(4097) + read(0),
    'write-from-truncated-view': header('3P', 13) + new_file(0, '3P', 'READ')
        + view(0) + new_anon(1, '3P') + ext_truncate('100')
        + write_bytes_view(1, 0) + op(1, FIND) + bytes([0x0c, 3, 0]) + read(1),
    'advice-edges': header('4P', 14) + new_file(0, '2P+700', 'WRITE', 'P-1')
        + madvise_at(0, 'REMOVE', 1, 9000) + madvise_at(0, 'DONTNEED', 4000, 200)
        + madvise(0, 'BAD5', '0', '-1') + madvise(0, 'BAD102', whole=True)
        + madvise(0, 'BAD-1', '0', '1') + madvise(0, 'RANDOM', '0', '1')
        + resize(0, '3P') + madvise(0, 'WIPEONFORK', whole=True)
        + madvise(0, 'DONTNEED_LOCKED', whole=True) + madvise(0, 'FREE', whole=True),
    'bad-arguments': header('P', 15) + new_bad(0, 0) + new_bad(0, 1)
        + new_bad(0, 2) + new_bad(0, 3) + new_bad(0, 4) + new_bad(0, 5)
        + new_bad_enums(0, prot='BAD') + new_bad_enums(0, access='BAD4')
        + new_anon_full(0, 'P', FL_NONE) + new_anon_full(0, 'P', FL_BOTH)
        + new_anon_full(0, 'P', FL_SHARED, extra='BAD31')
        + new_anon_full(0, 'P', FL_SHARED, access='READ', prot='R')
        + new_file(0, '5P', 'DEFAULT') + new_file(0, '0', 'DEFAULT', '9P')
        + new_anon(0, '0') + view(0, 0, 2) + resize(0, 'P')
        + op(0, WRITE) + bytes([6, 0]),
    'path-and-slices': header('2P+700', 16) + new_path(0, 'DEFAULT')
        + new_path(1, 'COPY') + op(0, GET_SLICE) + ssize('-1') + ssize('MIN')
        + bytes([6]) + op(0, SET_SLICE) + ssize('0') + ssize('len') + bytes([3, 0])
        + data(2, b'01234567') + op(1, MOVE) + ssize('1') + ssize('P') + ssize('P')
        + op(0, MOVE) + ssize('0') + ssize('P-delta') + ssize('P')
        + find(0, rng=True, start='1', end='-1') + simple(0, GETTERS),
    'into-variants': header('2P+700', 18) + new_file(0, '0', 'WRITE', '1')
        + op(0, READ_INTO) + ssize('P') + op(0, READLINE_INTO) + bytes([1, 3])
        + op(0, READLINE_INTO) + bytes([0])
        + op(0, GET_SLICE_INTO) + ssize('0') + ssize('MAX') + bytes([3, 2])
        + op(0, GET_SLICE_INTO) + ssize('-1') + ssize('MIN') + bytes([5, 0])
        + ext_truncate('100') + op(0, READ_INTO) + ssize('-1'),
    'locked-populate': header('2P', 17)
        + new_file_full(0, '2P', FL_SHARED, extra='LOCKED')
        + new_anon_full(1, '2P', FL_PRIVATE, extra='POPULATE')
        + write(0) + write(1) + madvise(1, 'DONTNEED', whole=True)
        + madvise(1, 'DONTNEED_LOCKED', whole=True) + resize(0, '3P')
        + resize(1, 'P') + read(1),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'corpus')
    os.makedirs(out, exist_ok=True)
    for name, blob in SEEDS.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(blob)
    print(f'{len(SEEDS)} seeds written to {out}')


if __name__ == '__main__':
    main()
