/* test-bulk.vala: find_all, count and line_offsets from Vala
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The offsets come back as int64[] with their length (the vapi's
 * array_length from the `(array length=n_offsets)` annotation), and the
 * calls throw Mmap.Error and GLib.IOError (the metadata).
 */

const ssize_t ALL = ssize_t.MAX;

static Mmap.Object anon (string contents) throws GLib.Error {
    var m = new Mmap.Object.anonymous (contents.length);
    if (contents.length > 0)
        m.set_slice (0, contents.length, 1, contents.data);
    return m;
}

static string describe (int64[] offsets) {
    var builder = new StringBuilder ("[");
    foreach (var o in offsets)
        builder.append_printf ("%s%" + int64.FORMAT,
                               builder.len > 1 ? ", " : "", o);
    builder.append ("]");
    return builder.str;
}

static void assert_offsets (int64[] got, int64[] want) {
    bool same = got.length == want.length;
    for (int i = 0; same && i < got.length; i++)
        same = got[i] == want[i];
    if (!same)
        GLib.error ("expected %s, got %s", describe (want), describe (got));
}

/* The models: every non-overlapping match of [start, end) (clamped as
 * find() clamps), every offset of [start, end] for an empty needle, and
 * the start of each line. */
static size_t clamp (ssize_t bound, size_t length) {
    int64 v = bound;
    if (v < 0)
        v += (int64) length;
    return (size_t) (v < 0 ? 0 : v > (int64) length ? (int64) length : v);
}

static int64[] model_find_all (uint8[] hay, uint8[] needle, ssize_t start,
                               ssize_t end, ssize_t max) {
    int64[] out = {};
    size_t s = clamp (start, hay.length), e = clamp (end, hay.length);
    size_t i = s;
    while (i <= e && (max < 0 || out.length < max)) {
        if (needle.length == 0) {
            out += (int64) i++;
        } else if (e - i >= needle.length
                   && Memory.cmp (&hay[i], needle, needle.length) == 0) {
            out += (int64) i;
            i += needle.length;
        } else {
            i++;
        }
    }
    return out;
}

static int64[] model_lines (uint8[] hay, ssize_t start, ssize_t end,
                            ssize_t max) {
    int64[] out = {};
    size_t s = clamp (start, hay.length), e = clamp (end, hay.length);
    for (size_t i = s; i < e && (max < 0 || out.length < max); i++)
        if (i == s || hay[i - 1] == '\n')
            out += (int64) i;
    return out;
}

static void test_find_all () {
    try {
        var m = anon ("aaaa");
        assert_offsets (m.find_all ("aa".data, 0, ALL, -1), {0, 2});
        assert_offsets (m.find_all ("aa".data, 1, ALL, -1), {1});
        assert_offsets (m.find_all ("b".data, 0, ALL, -1), {});
        assert_cmpint ((int) m.count ("aa".data, 0, ALL), CompareOperator.EQ,
                       2);

        m = anon ("abcabca");
        assert_offsets (m.find_all ("a".data, -4, -1, -1), {3});
        assert_offsets (m.find_all ("a".data, ssize_t.MIN, ALL, -1),
                        {0, 3, 6});
        assert_offsets (m.find_all ("abc".data, 0, 5, -1), {0});
        assert_offsets (m.find_all ("a".data, 5, 2, -1), {});
        assert_offsets (m.find_all ("a".data, 0, ALL, 0), {});
        assert_offsets (m.find_all ("a".data, 0, ALL, 1), {0});
        assert_offsets (m.find_all ("a".data, 0, ALL, 2), {0, 3});
        assert_offsets (m.find_all ("a".data, 0, ALL, 100), {0, 3, 6});
        assert_cmpint ((int) m.count ("a".data, 1, -1), CompareOperator.EQ,
                       1);

        /* The empty needle, as an empty array and as null. */
        m = anon ("abc");
        assert_offsets (m.find_all (new uint8[0], 0, ALL, -1), {0, 1, 2, 3});
        assert_offsets (m.find_all (null, 1, 2, -1), {1, 2});
        assert_cmpint ((int) m.count (null, 0, ALL), CompareOperator.EQ, 4);
        assert_cmpint ((int) m.count (null, 2, 1), CompareOperator.EQ, 0);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_line_offsets () {
    try {
        assert_offsets (anon ("a\nb\n").line_offsets (0, ALL, -1), {0, 2});
        assert_offsets (anon ("a\nb").line_offsets (0, ALL, -1), {0, 2});
        assert_offsets (anon ("").line_offsets (0, ALL, -1), {});
        var m = anon ("one\ntwo\nthree\n");
        assert_offsets (m.line_offsets (5, ALL, -1), {5, 8});
        assert_offsets (m.line_offsets (0, ALL, 2), {0, 4});
        assert_offsets (m.line_offsets (3, 3, -1), {});

        /* The position is not used and not moved. */
        m.seek (6, GLib.SeekType.SET);
        assert_offsets (m.line_offsets (0, ALL, -1), {0, 4, 8});
        assert_true (m.tell () == 6);

        /* The lines are the slices between the offsets. */
        var text = new StringBuilder ();
        for (int i = 0; i < 200; i++)
            text.append_printf ("line %d\n", i);
        var big = anon (text.str);
        var offsets = big.line_offsets (0, ALL, -1);
        assert_cmpint (offsets.length, CompareOperator.EQ, 200);
        for (int i = 0; i < offsets.length; i++) {
            int64 next = i + 1 < offsets.length ? offsets[i + 1]
                                                : (int64) big.get_length ();
            var line = big.get_slice ((ssize_t) offsets[i], (ssize_t) next, 1);
            assert_cmpmem (line.get_data (), "line %d\n".printf (i).data);
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_against_models () {
    const string ALPHABET = "ab\n";
    ssize_t[] bounds = { 0, 1, 3, 7, 40, -1, -5, -100, ssize_t.MAX,
                         ssize_t.MIN };
    int matches = 0;
    try {
        for (int round = 0; round < 500; round++) {
            /* (valac evaluates a size expression twice: no calls in it.) */
            int hay_len = Test.rand_int_range (0, 50);
            int needle_len = Test.rand_int_range (0, 4);
            var hay = new uint8[hay_len];
            var needle = new uint8[needle_len];
            for (int i = 0; i < hay.length; i++)
                hay[i] = (uint8) ALPHABET[Test.rand_int_range (0, 3)];
            for (int i = 0; i < needle.length; i++)
                needle[i] = (uint8) ALPHABET[Test.rand_int_range (0, 3)];
            var m = new Mmap.Object.anonymous (hay.length);
            if (hay.length > 0)
                m.set_slice (0, hay.length, 1, hay);
            for (int k = 0; k < 4; k++) {
                ssize_t start = bounds[Test.rand_int_range (0, bounds.length)];
                ssize_t end = bounds[Test.rand_int_range (0, bounds.length)];
                ssize_t max = Test.rand_int_range (-1, 5);
                var all = model_find_all (hay, needle, start, end, -1);

                assert_offsets (m.find_all (needle, start, end, max),
                                model_find_all (hay, needle, start, end, max));
                assert_cmpint ((int) m.count (needle, start, end),
                               CompareOperator.EQ, all.length);
                assert_offsets (m.line_offsets (start, end, max),
                                model_lines (hay, start, end, max));
                matches += all.length;
            }
            m.close ();
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (matches, CompareOperator.GT, 500);
}

static void test_error_closed () {
    int caught = 0;
    try {
        var m = anon ("a\nb\n");
        m.close ();
        try {
            m.find_all ("a".data, 0, ALL, -1);
            assert_not_reached ();
        } catch (Mmap.Error.CLOSED e) {
            caught++;
        }
        try {
            m.count ("a".data, 0, ALL);
            assert_not_reached ();
        } catch (Mmap.Error.CLOSED e) {
            caught++;
        }
        try {
            m.line_offsets (0, ALL, -1);
            assert_not_reached ();
        } catch (Mmap.Error.CLOSED e) {
            caught++;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 3);
}

/* A file truncated under the map: a GLib.IOError (EIO), not SIGBUS. */
static void test_error_sigbus () {
    size_t page = Mmap.get_page_size ();
    string path;
    int fd = 0;
    int caught = 0;
    try {
        /* set_contents replaces the file: open it only afterwards. */
        Posix.close (FileUtils.open_tmp ("mmapobj-vala-XXXXXX", out path));
        FileUtils.set_contents (path, string.nfill (3 * page, '\n'));
        fd = Posix.open (path, Posix.O_RDWR);
        assert_cmpint (fd, CompareOperator.GE, 0);
        var m = new Mmap.Object (fd, 0, Mmap.Access.READ, 0);
        assert_true (Posix.ftruncate (fd, (Posix.off_t) page) == 0);
        try {
            m.count ("\n".data, 0, ALL);
            assert_not_reached ();
        } catch (GLib.IOError e) {
            assert_true ("SIGBUS" in e.message);
            caught++;
        }
        try {
            m.find_all ("zz".data, 0, ALL, -1);
            assert_not_reached ();
        } catch (GLib.IOError e) {
            caught++;
        }
        try {
            m.line_offsets (0, ALL, -1);
            assert_not_reached ();
        } catch (GLib.IOError e) {
            caught++;
        }
        /* What stays in the first page still works. */
        assert_true (m.count ("\n".data, 0, (ssize_t) page) == page);
        assert_offsets (m.line_offsets (0, ALL, 3), {0, 1, 2});
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 3);
    Posix.close (fd);
    FileUtils.unlink (path);
}

public static int main (string[] args) {
    GLib.Test.init (ref args);

    GLib.Test.add_func ("/Mmap/Vala/bulk/find-all", test_find_all);
    GLib.Test.add_func ("/Mmap/Vala/bulk/line-offsets", test_line_offsets);
    GLib.Test.add_func ("/Mmap/Vala/bulk/models", test_against_models);
    GLib.Test.add_func ("/Mmap/Vala/bulk/error/closed", test_error_closed);
    GLib.Test.add_func ("/Mmap/Vala/bulk/error/sigbus", test_error_sigbus);

    return GLib.Test.run ();
}
