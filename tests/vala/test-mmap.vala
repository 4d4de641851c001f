/* test-mmap.vala: Mmap.Object from Vala, through the generated vapi
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every test asserts results. The error tests catch each Mmap.Error code by
 * name, the way Vala programs are expected to use the domain, and fail with
 * the unexpected error's message when a call fails in some other way.
 */

/* 24 bytes:  h0 e1 l2 l3 o4 _5 w6 o7 r8 l9 d10 \n11
 *            s12 e13 c14 o15 n16 d17 _18 l19 i20 n21 e22 \n23 */
const string CONTENT = "hello world\nsecond line\n";

/* A temporary file holding some bytes, opened read-write with Posix.open. */
class TempFile : GLib.Object {
    public string path;
    public int fd = -1;

    public TempFile (string contents) throws GLib.Error {
        int tmp = FileUtils.open_tmp ("mmap-vala-XXXXXX", out path);
        Posix.close (tmp);
        /* set_contents replaces the file, so open it only afterwards. */
        FileUtils.set_contents (path, contents);
        fd = Posix.open (path, Posix.O_RDWR);
        assert_cmpint (fd, CompareOperator.GE, 0);
    }

    public string read_back () throws GLib.Error {
        string contents;
        FileUtils.get_contents (path, out contents);
        return contents;
    }

    public int64 file_size () {
        Posix.Stat st;
        assert_cmpint (Posix.stat (path, out st), CompareOperator.EQ, 0);
        return (int64) st.st_size;
    }

    ~TempFile () {
        if (fd >= 0)
            Posix.close (fd);
        FileUtils.unlink (path);
    }
}

static void assert_bytes (GLib.Bytes bytes, string expected) {
    assert_cmpmem (bytes.get_data (), expected.data);
}

static void assert_i64 (int64 got, int64 expected) {
    if (got != expected)
        GLib.error ("expected %" + int64.FORMAT + ", got %" + int64.FORMAT,
                    expected, got);
}

/* Construction */

static void test_construct_fd () {
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 0);

        assert_cmpuint ((uint) m.get_length (), CompareOperator.EQ, 24);
        assert_true (m.length == 24);
        assert_i64 (m.offset, 0);
        assert_false (m.closed);
        assert_true (m.access == Mmap.Access.DEFAULT);
        assert_true (m.flags == Mmap.MapFlags.SHARED);
        assert_true (m.prot == (Mmap.Prot.READ | Mmap.Prot.WRITE));
        assert_true (m.track_fd);
        /* The map keeps its own duplicate of the descriptor. */
        assert_cmpint (m.fd, CompareOperator.GE, 0);
        assert_cmpint (m.fd, CompareOperator.NE, file.fd);
        assert_null (m.get_path ());
        assert_true (m.seekable ());
        assert_i64 (m.size (), 24);
        assert_i64 (m.tell (), 0);
        assert_bytes (m.read (-1), CONTENT);

        /* The caller's descriptor may be closed: the map does not need it. */
        Posix.close (file.fd);
        file.fd = -1;
        assert_cmpint (m.get_byte (0), CompareOperator.EQ, 'h');
        assert_i64 (m.size (), 24);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_construct_offset () {
    try {
        var file = new TempFile (CONTENT);
        /* Any offset works, not only page multiples. */
        var m = new Mmap.Object (file.fd, 5, Mmap.Access.READ, 6);
        assert_i64 (m.offset, 6);
        assert_true (m.length == 5);
        assert_bytes (m.read (-1), "world");
        assert_true (m.access == Mmap.Access.READ);
        /* size () is the whole file's, offset included. */
        assert_i64 (m.size (), 24);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_construct_for_path () {
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object.for_path (file.path, Mmap.Access.READ);
        assert_cmpstr (m.get_path (), CompareOperator.EQ, file.path);
        assert_cmpstr (m.path, CompareOperator.EQ, file.path);
        assert_true (m.access == Mmap.Access.READ);
        assert_cmpint (m.get_fd (), CompareOperator.GE, 0);
        assert_bytes (m.readline (), "hello world\n");
        assert_bytes (m.readline (), "second line\n");
        assert_bytes (m.readline (), "");
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_construct_empty_file () {
    try {
        var file = new TempFile ("");
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 0);
        assert_true (m.length == 0);
        assert_bytes (m.read (-1), "");
        /* An empty map can grow. */
        assert_true (m.resize (3));
        assert_cmpint ((int) m.write ("abc".data), CompareOperator.EQ, 3);
        m.flush ();
        assert_cmpstr (file.read_back (), CompareOperator.EQ, "abc");
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_construct_anonymous () {
    try {
        var m = new Mmap.Object.anonymous (100);
        assert_true (m.length == 100);
        assert_cmpint (m.fd, CompareOperator.EQ, -1);
        assert_false (m.track_fd && m.fd >= 0);
        var zeroes = m.read (-1);
        assert_cmpuint ((uint) zeroes.get_size (), CompareOperator.EQ, 100);
        foreach (uint8 b in zeroes.get_data ())
            assert_cmpuint (b, CompareOperator.EQ, 0);

        /* Shared anonymous maps are memfd-backed: they can grow. */
        m.seek (0, GLib.SeekType.SET);
        m.write ("kept".data);
        assert_true (m.resize (8192));
        assert_true (m.length == 8192);
        assert_bytes (m.get_slice (0, 4, 1), "kept");
        assert_cmpint (m.get_byte (8191), CompareOperator.EQ, 0);

        var empty = new Mmap.Object.anonymous (0);
        assert_true (empty.length == 0);
        assert_bytes (empty.read (-1), "");
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_shared_validate () {
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object.full (file.fd, 0,
                                      Mmap.MapFlags.SHARED | Mmap.MapFlags.PRIVATE,
                                      Mmap.Prot.READ | Mmap.Prot.WRITE,
                                      Mmap.Access.DEFAULT, 0, true);
        assert_true (m.flags == Mmap.MapFlags.SHARED_VALIDATE);
        /* Shared: the write reaches the file. */
        m.write ("HELLO".data);
        assert_true (file.read_back ().has_prefix ("HELLO"));
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_construct_full () {
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object.full (file.fd, 0, Mmap.MapFlags.PRIVATE,
                                      Mmap.Prot.READ | Mmap.Prot.WRITE,
                                      Mmap.Access.DEFAULT, 0, false);
        assert_false (m.track_fd);
        assert_cmpint (m.fd, CompareOperator.EQ, -1);
        assert_true (m.flags == Mmap.MapFlags.PRIVATE);
        /* Private: the write does not reach the file. */
        m.write ("HELLO".data);
        assert_bytes (m.get_slice (0, 5, 1), "HELLO");
        assert_cmpstr (file.read_back (), CompareOperator.EQ, CONTENT);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_construct_gobject () {
    try {
        var file = new TempFile (CONTENT);
        var m = (Mmap.Object) GLib.Object.new (typeof (Mmap.Object),
                                               "fd", file.fd,
                                               "access", Mmap.Access.READ);
        /* GObject construction does not run init (). */
        try {
            m.read (-1);
            assert_not_reached ();
        } catch (Mmap.Error.NOT_INITIALIZED e) {
            assert_error (e, Mmap.Error.quark (),
                          Mmap.Error.NOT_INITIALIZED);
        }
        assert_true (m.init (null));
        assert_bytes (m.read (5), "hello");
        assert_true (m.access == Mmap.Access.READ);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

/* Stream-like calls */

static void test_read_write () {
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.WRITE, 0);

        assert_bytes (m.read (5), "hello");
        assert_i64 (m.tell (), 5);
        assert_cmpint (m.read_byte (), CompareOperator.EQ, ' ');
        assert_bytes (m.readline (), "world\n");
        assert_i64 (m.tell (), 12);
        assert_bytes (m.read (1000), "second line\n");
        assert_bytes (m.read (1), "");

        assert_i64 (m.seek (0, GLib.SeekType.SET), 0);
        assert_cmpint ((int) m.write ("HELLO".data), CompareOperator.EQ, 5);
        assert_i64 (m.tell (), 5);
        assert_true (m.write_byte ('_'));
        assert_cmpint ((int) m.write_bytes (new GLib.Bytes ("WORLD".data)),
                       CompareOperator.EQ, 5);
        assert_i64 (m.tell (), 11);
        /* Zero bytes are fine too. */
        assert_cmpint ((int) m.write (null), CompareOperator.EQ, 0);

        assert_true (m.flush ());
        assert_true (m.flush_range (1, 5));
        assert_cmpstr (file.read_back (), CompareOperator.EQ,
                       "HELLO_WORLD\nsecond line\n");
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_index () {
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 0);
        assert_cmpint (m.get_byte (0), CompareOperator.EQ, 'h');
        assert_cmpint (m.get_byte (-1), CompareOperator.EQ, '\n');
        assert_cmpint (m.get_byte (-24), CompareOperator.EQ, 'h');
        assert_true (m.set_byte (-2, 'E'));
        assert_cmpint (m.get_byte (22), CompareOperator.EQ, 'E');
        /* Indexing leaves the position alone. */
        assert_i64 (m.tell (), 0);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_find () {
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.READ, 0);
        assert_cmpint ((int) m.find ("world".data), CompareOperator.EQ, 6);
        assert_cmpint ((int) m.find ("nope".data), CompareOperator.EQ, -1);
        assert_cmpint ((int) m.rfind ("l".data), CompareOperator.EQ, 19);
        assert_cmpint ((int) m.find_range ("l".data, 4, 10),
                       CompareOperator.EQ, 9);
        assert_cmpint ((int) m.rfind_range ("l".data, 0, 9),
                       CompareOperator.EQ, 3);
        /* Negative bounds count from the end; G_MAXSSIZE is "the end". */
        assert_cmpint ((int) m.find_range ("l".data, -5, ssize_t.MAX),
                       CompareOperator.EQ, 19);
        assert_cmpint ((int) m.find_range ("l".data, 0, -5),
                       CompareOperator.EQ, 2);

        /* find and rfind start at the current position... */
        m.seek (7, GLib.SeekType.SET);
        assert_cmpint ((int) m.find ("world".data), CompareOperator.EQ, -1);
        assert_cmpint ((int) m.find ("l".data), CompareOperator.EQ, 9);
        assert_cmpint ((int) m.rfind ("hello".data), CompareOperator.EQ, -1);
        /* ...and leave it alone. An empty needle is found at it. */
        assert_cmpint ((int) m.find (null), CompareOperator.EQ, 7);
        assert_i64 (m.tell (), 7);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_seek () {
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.READ, 0);
        assert_i64 (m.seek (0, GLib.SeekType.END), 24);
        assert_i64 (m.seek (-4, GLib.SeekType.CUR), 20);
        assert_bytes (m.read (-1), "ine\n");
        assert_i64 (m.seek (24, GLib.SeekType.SET), 24);
        assert_i64 (m.seek (-24, GLib.SeekType.END), 0);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_seekable () {
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.WRITE, 0);
        var seekable = (GLib.Seekable) m;
        assert_true (seekable.can_seek ());
        assert_true (seekable.seek (4, GLib.SeekType.SET));
        assert_i64 (seekable.tell (), 4);
        /* One position: the map's own. */
        assert_i64 (m.tell (), 4);
        try {
            seekable.seek (100, GLib.SeekType.SET);
            assert_not_reached ();
        } catch (Mmap.Error.OUT_OF_RANGE e) {
        }
        assert_i64 (seekable.tell (), 4);
        assert_true (seekable.can_truncate ());
        assert_true (seekable.truncate (5));
        assert_i64 ((int64) m.length, 5);
        assert_i64 (file.file_size (), 5);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

/* The async calls with yield: a GFile map made on a worker thread, then
 * flushed there; a cancelled flush and a closed map fail cleanly. */
async void async_calls (TempFile file) throws GLib.Error {
    var gfile = GLib.File.new_for_path (file.path);
    var m = yield new Mmap.Object.for_file_async (gfile, Mmap.Access.WRITE,
                                                  GLib.Priority.DEFAULT,
                                                  null);
    assert_i64 ((int64) m.length, CONTENT.length);
    m.set_byte (0, 'H');
    assert_true (yield m.flush_async (GLib.Priority.DEFAULT, null));
    assert_true (file.read_back ().has_prefix ("Hello"));

    var cancelled = new GLib.Cancellable ();
    cancelled.cancel ();
    try {
        yield m.flush_async (GLib.Priority.DEFAULT, cancelled);
        assert_not_reached ();
    } catch (GLib.IOError.CANCELLED e) {
    }
    int64 last = -1;
    assert_true (m.populate (0, -1, false, null, (done, total) => {
        last = done;
    }));
    assert_i64 (last, CONTENT.length);
    assert_true (yield m.populate_async (0, -1, true, GLib.Priority.DEFAULT,
                                         null, null));

    m.close ();
    try {
        yield m.flush_async (GLib.Priority.DEFAULT, null);
        assert_not_reached ();
    } catch (Mmap.Error.CLOSED e) {
    }
}

static void test_async () {
    try {
        var file = new TempFile (CONTENT);
        var sync = new Mmap.Object.for_file (GLib.File.new_for_path (file.path),
                                             Mmap.Access.READ);
        assert_bytes (sync.read (5), CONTENT.substring (0, 5));

        var loop = new GLib.MainLoop ();
        GLib.Error? failure = null;
        async_calls.begin (file, (obj, res) => {
            try {
                async_calls.end (res);
            } catch (GLib.Error e) {
                failure = e;
            }
            loop.quit ();
        });
        loop.run ();
        if (failure != null)
            assert_no_error (failure);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_slices () {
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 0);
        assert_bytes (m.get_slice (0, 5, 1), "hello");
        assert_bytes (m.get_slice (-5, ssize_t.MAX, 1), "line\n");
        assert_bytes (m.get_slice (0, 11, 2), "hlowrd");
        /* m[::-1] with the bounds PySlice_Unpack would give. */
        assert_bytes (m.get_slice (4, ssize_t.MIN, -1), "olleh");
        assert_bytes (m.get_slice (ssize_t.MAX, 18, -1), "\nenil");
        /* Out-of-range bounds are clamped. */
        assert_bytes (m.get_slice (100, 200, 1), "");
        assert_bytes (m.get_slice (-100, 2, 1), "he");

        assert_true (m.set_slice (0, 5, 2, "HLO".data));
        assert_bytes (m.get_slice (0, 5, 1), "HeLlO");
        assert_true (m.set_slice (3, 3, 1, null));

        /* move copies inside the map; the ranges may overlap. */
        assert_true (m.move (0, 6, 5));
        assert_bytes (m.get_slice (0, 12, 1), "world world\n");
        assert_true (m.move (1, 0, 4));
        assert_bytes (m.get_slice (0, 5, 1), "wworl");
        assert_i64 (m.tell (), 0);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_view () {
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 0);
        assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 0);

        GLib.Bytes? v = m.view (6, 5);
        assert_bytes (v, "world");
        assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 1);
        /* Zero-copy: the view shows later writes. */
        m.set_slice (6, 7, 1, "W".data);
        assert_bytes (v, "World");
        var rest = m.view (12, -1);
        assert_bytes (rest, "second line\n");
        assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 2);

        /* Views survive close (). */
        assert_true (m.close ());
        assert_true (m.closed);
        assert_bytes (v, "World");
        v = null;
        rest = null;
        assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 0);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_resize () {
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.WRITE, 0);
        m.seek (20, GLib.SeekType.SET);
        assert_true (m.resize (30));
        assert_true (m.length == 30);
        assert_i64 (file.file_size (), 30);
        assert_i64 (m.size (), 30);
        assert_cmpint (m.get_byte (29), CompareOperator.EQ, 0);

        /* The position stays, even past the new end. */
        assert_true (m.resize (5));
        assert_i64 (m.tell (), 20);
        assert_i64 (file.file_size (), 5);
        assert_bytes (m.read (-1), "");
        assert_bytes (m.get_slice (0, ssize_t.MAX, 1), "hello");

        assert_true (m.resize (0));
        assert_true (m.length == 0);
        assert_i64 (file.file_size (), 0);
        assert_bytes (m.get_slice (0, ssize_t.MAX, 1), "");
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_madvise () {
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.READ, 0);
        assert_true (m.madvise (Mmap.Advice.NORMAL));
        assert_true (m.madvise_range (Mmap.Advice.WILLNEED, 3, 10));
        assert_true (m.madvise_range (Mmap.Advice.SEQUENTIAL, 0, -1));
        /* flush on a read-only map has nothing to do. */
        assert_true (m.flush ());
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_to_string () {
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 0);
        m.seek (2, GLib.SeekType.SET);
        assert_cmpstr (m.to_string (), CompareOperator.EQ,
                       "<Mmap.Object closed=False, access=ACCESS_DEFAULT, "
                       + "length=24, pos=2, offset=0>");
        assert_true (m.close ());
        /* close () is idempotent. */
        assert_true (m.close ());
        assert_cmpstr (m.to_string (), CompareOperator.EQ,
                       "<Mmap.Object closed=True>");
        assert_true (m.length == 0);
        assert_true (m.seekable ());
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_module () {
    assert_cmpuint ((uint) Mmap.get_page_size (), CompareOperator.EQ,
                    (uint) Posix.sysconf (Posix._SC_PAGESIZE));
    assert_cmpuint ((uint) Mmap.get_allocation_granularity (),
                    CompareOperator.EQ, (uint) Mmap.get_page_size ());
    assert_cmpint (Mmap.MAJOR_VERSION, CompareOperator.EQ, 1);
    assert_true (Mmap.Error.quark () == GLib.Quark.from_string ("mmap-error-quark"));
}

/* Each Mmap.Error code, caught by name */

static void test_error_closed () {
    bool caught = false;
    try {
        var m = new Mmap.Object.anonymous (10);
        m.close ();
        try {
            m.read (1);
            assert_not_reached ();
        } catch (Mmap.Error.CLOSED e) {
            caught = true;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_true (caught);
}

static void test_error_not_initialized () {
    bool caught = false;
    try {
        var m = (Mmap.Object) GLib.Object.new (typeof (Mmap.Object));
        try {
            m.tell ();
            assert_not_reached ();
        } catch (Mmap.Error.NOT_INITIALIZED e) {
            caught = true;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_true (caught);
}

static void test_error_out_of_range () {
    int caught = 0;
    try {
        var m = new Mmap.Object.anonymous (10);
        try {
            m.seek (11, GLib.SeekType.SET);
            assert_not_reached ();
        } catch (Mmap.Error.OUT_OF_RANGE e) {
            caught++;
        }
        /* A failed seek leaves the position alone. */
        assert_i64 (m.tell (), 0);
        m.seek (8, GLib.SeekType.SET);
        try {
            m.write ("abc".data);
            assert_not_reached ();
        } catch (Mmap.Error.OUT_OF_RANGE e) {
            caught++;
            assert_true ("write" in e.message);
        }
        /* Never a partial write. */
        assert_i64 (m.tell (), 8);
        assert_cmpint (m.get_byte (8), CompareOperator.EQ, 0);
        m.seek (0, GLib.SeekType.END);
        try {
            m.read_byte ();
            assert_not_reached ();
        } catch (Mmap.Error.OUT_OF_RANGE e) {
            caught++;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 3);
}

static void test_error_index_out_of_range () {
    int caught = 0;
    try {
        var m = new Mmap.Object.anonymous (10);
        try {
            m.get_byte (10);
            assert_not_reached ();
        } catch (Mmap.Error.INDEX_OUT_OF_RANGE e) {
            caught++;
        }
        try {
            m.set_byte (-11, 1);
            assert_not_reached ();
        } catch (Mmap.Error.INDEX_OUT_OF_RANGE e) {
            caught++;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 2);
}

static void test_error_read_only () {
    int caught = 0;
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object.for_path (file.path, Mmap.Access.READ);
        try {
            m.write ("x".data);
            assert_not_reached ();
        } catch (Mmap.Error.READ_ONLY e) {
            caught++;
        }
        try {
            m.set_byte (0, 'x');
            assert_not_reached ();
        } catch (Mmap.Error.READ_ONLY e) {
            caught++;
        }
        try {
            m.move (0, 1, 1);
            assert_not_reached ();
        } catch (Mmap.Error.READ_ONLY e) {
            caught++;
        }
        assert_cmpstr (file.read_back (), CompareOperator.EQ, CONTENT);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 3);
}

static void test_error_not_resizable () {
    int caught = 0;
    try {
        var file = new TempFile (CONTENT);
        var r = new Mmap.Object (file.fd, 0, Mmap.Access.READ, 0);
        try {
            r.resize (10);
            assert_not_reached ();
        } catch (Mmap.Error.NOT_RESIZABLE e) {
            caught++;
        }
        var c = new Mmap.Object (file.fd, 0, Mmap.Access.COPY, 0);
        try {
            c.resize (10);
            assert_not_reached ();
        } catch (Mmap.Error.NOT_RESIZABLE e) {
            caught++;
        }
        assert_i64 (file.file_size (), 24);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 2);
}

static void test_error_exports_exist () {
    bool caught = false;
    try {
        var m = new Mmap.Object.anonymous (10);
        GLib.Bytes? v = m.view (0, -1);
        try {
            m.resize (20);
            assert_not_reached ();
        } catch (Mmap.Error.EXPORTS_EXIST e) {
            caught = true;
        }
        assert_true (m.length == 10);
        /* Once the view is gone, resize works. */
        v = null;
        assert_true (m.resize (20));
        assert_true (m.length == 20);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_true (caught);
}

static void test_error_no_tracked_fd () {
    int caught = 0;
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object.full (file.fd, 0, Mmap.MapFlags.SHARED,
                                      Mmap.Prot.READ | Mmap.Prot.WRITE,
                                      Mmap.Access.DEFAULT, 0, false);
        try {
            m.size ();
            assert_not_reached ();
        } catch (Mmap.Error.NO_TRACKED_FD e) {
            caught++;
        }
        try {
            m.resize (30);
            assert_not_reached ();
        } catch (Mmap.Error.NO_TRACKED_FD e) {
            caught++;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 2);
}

static void test_error_file_too_small () {
    int caught = 0;
    try {
        var file = new TempFile (CONTENT);
        try {
            new Mmap.Object (file.fd, 25, Mmap.Access.DEFAULT, 0);
            assert_not_reached ();
        } catch (Mmap.Error.FILE_TOO_SMALL e) {
            caught++;
        }
        try {
            new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 100);
            assert_not_reached ();
        } catch (Mmap.Error.FILE_TOO_SMALL e) {
            caught++;
        }
        /* The file is never grown. */
        assert_i64 (file.file_size (), 24);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 2);
}

static void test_error_wrong_size () {
    bool caught = false;
    try {
        var m = new Mmap.Object.anonymous (10);
        try {
            m.set_slice (0, 5, 1, "abc".data);
            assert_not_reached ();
        } catch (Mmap.Error.WRONG_SIZE e) {
            caught = true;
        }
        /* Nothing was written. */
        assert_cmpint (m.get_byte (0), CompareOperator.EQ, 0);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_true (caught);
}

static void test_error_invalid_argument () {
    int caught = 0;
    try {
        var m = new Mmap.Object.anonymous (10);
        try {
            m.get_slice (0, 5, 0);
            assert_not_reached ();
        } catch (Mmap.Error.INVALID_ARGUMENT e) {
            caught++;
        }
        var file = new TempFile (CONTENT);
        try {
            /* access with non-default flags */
            new Mmap.Object.full (file.fd, 0, Mmap.MapFlags.PRIVATE,
                                  Mmap.Prot.READ | Mmap.Prot.WRITE,
                                  Mmap.Access.READ, 0, true);
            assert_not_reached ();
        } catch (Mmap.Error.INVALID_ARGUMENT e) {
            caught++;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 2);
}

static void test_error_overflow () {
    bool caught = false;
    try {
        var file = new TempFile (CONTENT);
        try {
            new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, -1);
            assert_not_reached ();
        } catch (Mmap.Error.OVERFLOW e) {
            caught = true;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_true (caught);
}

static void test_error_not_accessible () {
    bool caught = false;
    try {
        var file = new TempFile (CONTENT);
        var m = new Mmap.Object.full (file.fd, 0, Mmap.MapFlags.SHARED,
                                      Mmap.Prot.NONE, Mmap.Access.DEFAULT,
                                      0, true);
        try {
            m.read (1);
            assert_not_reached ();
        } catch (Mmap.Error.NOT_ACCESSIBLE e) {
            caught = true;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_true (caught);
}

/* A failed system call is a GLib.IOError, with the errno in the message. */
static void test_error_io () {
    bool caught = false;
    try {
        new Mmap.Object.for_path ("/nonexistent-mmapobj-dir/file",
                                  Mmap.Access.READ);
        assert_not_reached ();
    } catch (GLib.IOError.NOT_FOUND e) {
        caught = true;
        assert_true (e.message.has_suffix (
            "[Errno %d] %s".printf (Posix.ENOENT,
                                    GLib.strerror (Posix.ENOENT))));
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_true (caught);
}

/* Mmap.Error.get_errno (): the errno of a caught error, 0 without one.
 * (The vapi also has Mmap.error_get_errno (), marked as replaced by it.) */
static void test_error_errno () {
    bool caught = false;
    try {
        new Mmap.Object.for_path ("/nonexistent-mmapobj-dir/file",
                                  Mmap.Access.READ);
        assert_not_reached ();
    } catch (GLib.Error e) {
        caught = true;
        assert_true (Mmap.Error.get_errno (e) == Posix.ENOENT);
        assert_true (Mmap.Error.get_errno (e.copy ()) == Posix.ENOENT);
    }
    assert_true (caught);

    caught = false;
    try {
        var m = new Mmap.Object.anonymous (4);
        m.close ();
        m.get_byte (0);
        assert_not_reached ();
    } catch (Mmap.Error.CLOSED e) {
        caught = true;
        assert_true (Mmap.Error.get_errno (e) == 0);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_true (caught);

    assert_true (Mmap.Error.get_errno (null) == 0);
    var foreign = new GLib.IOError.NOT_FOUND ("no such file here");
    assert_true (Mmap.Error.get_errno (foreign) == 0);
}

/* A file truncated under the map: an IOError (EIO), not SIGBUS. */
static void test_error_sigbus () {
    size_t page = Mmap.get_page_size ();
    string path;
    int fd = 0;
    try {
        fd = FileUtils.open_tmp ("mmapobj-vala-XXXXXX", out path);
    } catch (FileError e) {
        assert_no_error (e);
        return;
    }
    assert_true (Posix.ftruncate (fd, (Posix.off_t) (3 * page)) == 0);
    bool caught = false;
    try {
        var m = new Mmap.Object (fd, 0, Mmap.Access.WRITE, 0);
        assert_true (Posix.ftruncate (fd, (Posix.off_t) page) == 0);
        assert_true (m.get_byte (0) == 0);
        try {
            m.get_byte ((ssize_t) page);
            assert_not_reached ();
        } catch (GLib.IOError e) {
            caught = true;
            assert_true ("SIGBUS" in e.message);
            assert_true (e.message.has_suffix (
                "[Errno %d] %s".printf (Posix.EIO, GLib.strerror (Posix.EIO))));
        }
        assert_true (Posix.ftruncate (fd, (Posix.off_t) (3 * page)) == 0);
        assert_true (m.get_byte (-1) == 0);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_true (caught);
    Posix.close (fd);
    FileUtils.unlink (path);
}

/* Issue 6: the guard, destructive advice, bad advice, empty views. */

/* 3 pages of letters, none of them zero. */
static string letters (size_t n) {
    var builder = new StringBuilder.sized (n);
    for (size_t i = 0; i < n; i++)
        builder.append_c ((char) ('a' + (int) (i * 7 % 26)));
    return builder.str;
}

static void assert_same_range (uint8[] got, uint8[] expected,
                               size_t start, size_t end) {
    assert_cmpmem (got[start:end], expected[start:end]);
}

static int app_sigbus_calls = 0;

static void app_sigbus_handler (int signum) {
    app_sigbus_calls++;
}

/* An application handler installed after the first map: the guard goes
 * back in front of it, and the library's faults never reach it. */
static void test_sigbus_guard_reinstall () {
    size_t page = Mmap.get_page_size ();
    try {
        var file = new TempFile (letters (3 * page));
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.WRITE, 0);
        assert_true (Posix.ftruncate (file.fd, (Posix.off_t) page) == 0);
        Posix.signal (Posix.Signal.BUS, app_sigbus_handler);
        assert_true (Mmap.install_sigbus_guard ());
        assert_true (Mmap.install_sigbus_guard ());
        bool caught = false;
        try {
            m.get_byte ((ssize_t) page);
            assert_not_reached ();
        } catch (GLib.IOError e) {
            caught = true;
            assert_true ("SIGBUS" in e.message);
            assert_true ("[Errno %d]".printf (Posix.EIO) in e.message);
        }
        assert_true (caught);
        assert_cmpint (app_sigbus_calls, CompareOperator.EQ, 0);
        assert_cmpint (m.get_byte (0), CompareOperator.EQ, 'a');
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

/* Destructive advice never reaches a file byte outside the map. */
static void test_madvise_remove_stays_in_map () {
    size_t page = Mmap.get_page_size ();
    int64 offsets[] = { 0, 5000 };
    try {
        foreach (int64 offset in offsets) {
            var file = new TempFile (letters (3 * page));
            uint8[] before;
            FileUtils.get_data (file.path, out before);
            var m = new Mmap.Object (file.fd, 100, Mmap.Access.WRITE, offset);
            assert_true (m.madvise_range (Mmap.Advice.REMOVE, 0, -1));
            assert_true (m.madvise (Mmap.Advice.DONTNEED));
            uint8[] after;
            FileUtils.get_data (file.path, out after);
            assert_cmpint (after.length, CompareOperator.EQ, before.length);
            assert_same_range (after, before, 0, (size_t) offset);
            assert_same_range (after, before, (size_t) offset + 100,
                               before.length);
            assert_true (m.close ());
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

/* A value that names no Mmap.Advice never reaches the kernel (102 is
 * MADV_GUARD_INSTALL on Linux 6.13: the next read would get SIGSEGV). */
static void test_error_invalid_advice () {
    int caught = 0;
    int values[] = { 5, 7, 102, -1 };
    try {
        var m = new Mmap.Object.anonymous (Mmap.get_page_size ());
        m.set_slice (0, 3, 1, "abc".data);
        foreach (int value in values) {
            try {
                m.madvise_range ((Mmap.Advice) value, 0, -1);
                assert_not_reached ();
            } catch (Mmap.Error.INVALID_ARGUMENT e) {
                caught++;
            }
        }
        try {
            m.madvise ((Mmap.Advice) 102);
            assert_not_reached ();
        } catch (Mmap.Error.INVALID_ARGUMENT e) {
            caught++;
        }
        assert_bytes (m.get_slice (0, 3, 1), "abc");
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, values.length + 1);
}

/* A view of an empty map is an export like any other. */
static void test_error_exports_exist_empty () {
    bool caught = false;
    try {
        var m = new Mmap.Object.anonymous (0);
        GLib.Bytes? v = m.view (0, -1);
        assert_cmpuint ((uint) v.get_size (), CompareOperator.EQ, 0);
        assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 1);
        try {
            m.resize (10);
            assert_not_reached ();
        } catch (Mmap.Error.EXPORTS_EXIST e) {
            caught = true;
        }
        assert_true (m.length == 0);
        v = null;
        assert_true (m.resize (10));
        assert_true (m.length == 10);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_true (caught);
}

/* The error domain also works with the generic GLib.Error API. */
static void test_error_matches () {
    try {
        var m = new Mmap.Object.anonymous (1);
        m.get_byte (5);
        assert_not_reached ();
    } catch (GLib.Error e) {
        assert_true (e is Mmap.Error);
        assert_true (e.matches (Mmap.Error.quark (),
                                Mmap.Error.INDEX_OUT_OF_RANGE));
        assert_cmpstr (e.domain.to_string (), CompareOperator.EQ,
                       "mmap-error-quark");
    }
}

public int main (string[] args) {
    GLib.Test.init (ref args);

    GLib.Test.add_func ("/Mmap/Vala/construct/fd", test_construct_fd);
    GLib.Test.add_func ("/Mmap/Vala/construct/offset", test_construct_offset);
    GLib.Test.add_func ("/Mmap/Vala/construct/for-path",
                        test_construct_for_path);
    GLib.Test.add_func ("/Mmap/Vala/construct/empty-file",
                        test_construct_empty_file);
    GLib.Test.add_func ("/Mmap/Vala/construct/anonymous",
                        test_construct_anonymous);
    GLib.Test.add_func ("/Mmap/Vala/construct/full", test_construct_full);
    GLib.Test.add_func ("/Mmap/Vala/construct/shared-validate", test_shared_validate);
    GLib.Test.add_func ("/Mmap/Vala/construct/gobject",
                        test_construct_gobject);
    GLib.Test.add_func ("/Mmap/Vala/read-write", test_read_write);
    GLib.Test.add_func ("/Mmap/Vala/index", test_index);
    GLib.Test.add_func ("/Mmap/Vala/find", test_find);
    GLib.Test.add_func ("/Mmap/Vala/seek", test_seek);
    GLib.Test.add_func ("/Mmap/Vala/seekable", test_seekable);
    GLib.Test.add_func ("/Mmap/Vala/async", test_async);
    GLib.Test.add_func ("/Mmap/Vala/slices", test_slices);
    GLib.Test.add_func ("/Mmap/Vala/view", test_view);
    GLib.Test.add_func ("/Mmap/Vala/resize", test_resize);
    GLib.Test.add_func ("/Mmap/Vala/madvise", test_madvise);
    GLib.Test.add_func ("/Mmap/Vala/to-string", test_to_string);
    GLib.Test.add_func ("/Mmap/Vala/module", test_module);

    GLib.Test.add_func ("/Mmap/Vala/error/closed", test_error_closed);
    GLib.Test.add_func ("/Mmap/Vala/error/not-initialized",
                        test_error_not_initialized);
    GLib.Test.add_func ("/Mmap/Vala/error/out-of-range",
                        test_error_out_of_range);
    GLib.Test.add_func ("/Mmap/Vala/error/index-out-of-range",
                        test_error_index_out_of_range);
    GLib.Test.add_func ("/Mmap/Vala/error/read-only", test_error_read_only);
    GLib.Test.add_func ("/Mmap/Vala/error/not-resizable",
                        test_error_not_resizable);
    GLib.Test.add_func ("/Mmap/Vala/error/exports-exist",
                        test_error_exports_exist);
    GLib.Test.add_func ("/Mmap/Vala/error/no-tracked-fd",
                        test_error_no_tracked_fd);
    GLib.Test.add_func ("/Mmap/Vala/error/file-too-small",
                        test_error_file_too_small);
    GLib.Test.add_func ("/Mmap/Vala/error/wrong-size",
                        test_error_wrong_size);
    GLib.Test.add_func ("/Mmap/Vala/error/invalid-argument",
                        test_error_invalid_argument);
    GLib.Test.add_func ("/Mmap/Vala/error/overflow", test_error_overflow);
    GLib.Test.add_func ("/Mmap/Vala/error/not-accessible",
                        test_error_not_accessible);
    GLib.Test.add_func ("/Mmap/Vala/error/io", test_error_io);
    GLib.Test.add_func ("/Mmap/Vala/error/sigbus", test_error_sigbus);
    GLib.Test.add_func ("/Mmap/Vala/error/matches", test_error_matches);
    GLib.Test.add_func ("/Mmap/Vala/error/errno", test_error_errno);
    GLib.Test.add_func ("/Mmap/Vala/sigbus-guard/reinstall",
                        test_sigbus_guard_reinstall);
    GLib.Test.add_func ("/Mmap/Vala/madvise/remove-stays-in-map",
                        test_madvise_remove_stays_in_map);
    GLib.Test.add_func ("/Mmap/Vala/error/invalid-advice",
                        test_error_invalid_advice);
    GLib.Test.add_func ("/Mmap/Vala/error/exports-exist-empty",
                        test_error_exports_exist_empty);

    return GLib.Test.run ();
}
