/* test-streams.vala: GIO streams over a map from Vala, through the
 * generated vapi
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Mmap.InputStream and Mmap.OutputStream from Mmap.Object.open_input_stream ()
 * and open_output_stream (): their own positions, the zero-copy
 * Mmap.InputStream.read_bytes () (declared `new`: it hides
 * GLib.InputStream.read_bytes (), reached through a cast), GLib.Seekable,
 * the pollable interface, GIO's async calls with `yield`, and GIO
 * consumers reading a map: DataInputStream, ConverterInputStream with
 * ZlibDecompressor, splice. Every test asserts its results; errors are
 * caught by name.
 */

/* 24 bytes:  h0 e1 l2 l3 o4 _5 w6 o7 r8 l9 d10 \n11
 *            s12 e13 c14 o15 n16 d17 _18 l19 i20 n21 e22 \n23 */
const string CONTENT = "hello world\nsecond line\n";

/* A temporary file holding some bytes, opened read-write. */
class TempFile : GLib.Object {
    public string path;
    public int fd = -1;

    public TempFile (uint8[] contents) throws GLib.Error {
        int tmp = FileUtils.open_tmp ("mmap-vala-streams-XXXXXX", out path);
        Posix.close (tmp);
        FileUtils.set_data (path, contents);
        fd = Posix.open (path, Posix.O_RDWR);
        assert_cmpint (fd, CompareOperator.GE, 0);
    }

    public uint8[] read_back () throws GLib.Error {
        uint8[] contents;
        FileUtils.get_data (path, out contents);
        return contents;
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

/* GIO's copying read: g_input_stream_read_bytes () calls the stream's
 * read (), unlike the zero-copy Mmap.InputStream.read_bytes (). */
static GLib.Bytes gio_read (GLib.InputStream stream, size_t count)
        throws GLib.Error {
    return stream.read_bytes (count);
}

/* Input stream */

static void test_input_range () {
    try {
        var file = new TempFile (CONTENT.data);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 0);

        var s = m.open_input_stream (6, 5);
        assert_true (s is GLib.InputStream);
        assert_true (s is GLib.Seekable);
        assert_true (s is GLib.PollableInputStream);
        assert_bytes (gio_read (s, 100), "world");
        assert_bytes (gio_read (s, 100), "");

        var rest = m.open_input_stream (12, -1);
        var buffer = new uint8[100];
        size_t got = 0;
        assert_true (rest.read_all (buffer, out got));
        assert_cmpmem (buffer[0:got], "second line\n".data);

        var empty = m.open_input_stream (24, -1);
        assert_bytes (empty.read_bytes (10), "");

        ssize_t[,] bad = { { 25, -1 }, { 0, 25 }, { 20, 5 }, { 0, -2 } };
        int caught = 0;
        for (int i = 0; i < bad.length[0]; i++) {
            try {
                m.open_input_stream ((size_t) bad[i, 0], bad[i, 1]);
                assert_not_reached ();
            } catch (Mmap.Error.OUT_OF_RANGE e) {
                caught++;
            }
        }
        assert_cmpint (caught, CompareOperator.EQ, bad.length[0]);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_input_position () {
    try {
        var file = new TempFile (CONTENT.data);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 0);
        m.seek (3, GLib.SeekType.SET);
        var s = m.open_input_stream (0, -1);
        assert_i64 (s.tell (), 0);
        assert_bytes (gio_read (s, 5), "hello");
        assert_i64 (m.tell (), 3);
        m.seek (20, GLib.SeekType.SET);
        assert_i64 (s.tell (), 5);
        assert_bytes (s.read_bytes (6), " world");
        assert_bytes (m.read (-1), "ine\n");
        assert_i64 (s.tell (), 11);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_input_read_bytes () {
    try {
        var file = new TempFile (CONTENT.data);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 0);
        var s = m.open_input_stream (6, -1);
        GLib.Bytes part = s.read_bytes (5);
        assert_bytes (part, "world");
        assert_i64 (s.tell (), 5);
        /* Zero-copy: the map's memory, as a view of it. */
        var view = m.view (6, 5);
        assert_true ((void*) part.get_data () == (void*) view.get_data ());
        view = null;
        m.set_byte (6, 'W');
        assert_bytes (part, "World");
        /* GIO's read_bytes copies. */
        var copy = gio_read (s, 1);
        m.set_byte (11, '!');
        assert_bytes (copy, "\n");
        assert_bytes (s.read_bytes (100), "second line\n");
        var end = s.read_bytes (100);
        assert_cmpuint ((uint) end.get_size (), CompareOperator.EQ, 0);

        /* After map.close () the stream reads on; its results outlive
         * the stream too. */
        s.seek (0, GLib.SeekType.SET);
        var first = s.read_bytes (5);
        assert_true (m.close ());
        assert_bytes (s.read_bytes (7), "!second");
        assert_bytes (gio_read (s, 100), " line\n");
        assert_true (s.close ());
        s = null;
        assert_bytes (first, "World");
        assert_bytes (part, "World");
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_input_views () {
    bool caught = false;
    try {
        var file = new TempFile (CONTENT.data);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.WRITE, 0);
        assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 0);
        var s = m.open_input_stream (0, 5);
        assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 1);
        try {
            m.resize (40);
            assert_not_reached ();
        } catch (Mmap.Error.EXPORTS_EXIST e) {
            caught = true;
        }
        assert_true (m.length == 24);
        assert_cmpint (file.read_back ().length, CompareOperator.EQ, 24);
        assert_bytes (gio_read (s, 100), "hello");
        assert_true (s.close ());
        assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 0);
        assert_true (m.resize (40));
        assert_cmpint (file.read_back ().length, CompareOperator.EQ, 40);

        /* A finalized stream releases its view too. */
        var t = m.open_input_stream (0, -1);
        assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 1);
        t = null;
        assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 0);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_true (caught);
}

static void test_input_seekable () {
    int caught = 0;
    try {
        var file = new TempFile (CONTENT.data);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.WRITE, 0);
        var s = m.open_input_stream (6, 10);        /* "world\nseco" */
        assert_cmpint ((int) s.skip (3), CompareOperator.EQ, 3);
        assert_bytes (gio_read (s, 2), "ld");
        assert_cmpint ((int) s.skip (100), CompareOperator.EQ, 5);
        assert_cmpint ((int) s.skip (1), CompareOperator.EQ, 0);

        var seekable = (GLib.Seekable) s;
        assert_true (seekable.can_seek ());
        assert_true (seekable.seek (4, GLib.SeekType.SET));
        assert_i64 (seekable.tell (), 4);
        assert_true (seekable.seek (-2, GLib.SeekType.CUR));
        assert_i64 (seekable.tell (), 2);
        assert_true (seekable.seek (-1, GLib.SeekType.END));
        assert_bytes (gio_read (s, 5), "o");
        assert_true (seekable.seek (0, GLib.SeekType.END));
        assert_i64 (seekable.tell (), 10);
        seekable.seek (2, GLib.SeekType.SET);

        int64 offsets[] = { 11, -1, 1, -11, 9 };
        GLib.SeekType types[] = { GLib.SeekType.SET, GLib.SeekType.SET,
                                  GLib.SeekType.END, GLib.SeekType.END,
                                  GLib.SeekType.CUR };
        for (int i = 0; i < offsets.length; i++) {
            try {
                seekable.seek (offsets[i], types[i]);
                assert_not_reached ();
            } catch (GLib.IOError.INVALID_ARGUMENT e) {
                caught++;
            }
            assert_i64 (seekable.tell (), 2);
        }
        assert_false (seekable.can_truncate ());
        try {
            seekable.truncate (4);
            assert_not_reached ();
        } catch (GLib.IOError.NOT_SUPPORTED e) {
            caught++;
        }
        assert_true (m.length == 24);
        assert_i64 (m.tell (), 0);

        assert_true (s.close ());
        try {
            s.read_bytes (1);
            assert_not_reached ();
        } catch (GLib.IOError.CLOSED e) {
            caught++;
        }
        try {
            gio_read (s, 1);
            assert_not_reached ();
        } catch (GLib.IOError.CLOSED e) {
            caught++;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 8);
}

static void test_input_pollable () {
    try {
        var file = new TempFile (CONTENT.data);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 0);
        var s = m.open_input_stream (0, 11);
        var pollable = (GLib.PollableInputStream) s;
        assert_true (pollable.can_poll ());
        assert_true (pollable.is_readable ());
        uint8 buffer[5];
        assert_cmpint ((int) pollable.read_nonblocking (buffer), CompareOperator.EQ, 5);
        assert_cmpmem (buffer, "hello".data);
        assert_i64 (s.tell (), 5);

        var loop = new GLib.MainLoop ();
        int fired = 0;
        GLib.Bytes? read = null;
        var source = pollable.create_source (null);
        source.set_callback ((stream) => {
            fired++;
            try {
                read = gio_read ((GLib.InputStream) stream, 100);
            } catch (GLib.Error e) {
                assert_no_error (e);
            }
            loop.quit ();
            return GLib.Source.REMOVE;
        });
        source.attach (null);
        uint timer = GLib.Timeout.add (5000, () => {
            loop.quit ();
            return GLib.Source.REMOVE;
        });
        loop.run ();
        assert_cmpint (fired, CompareOperator.EQ, 1);
        GLib.Source.remove (timer);
        assert_bytes (read, " world");
        assert_cmpint ((int) pollable.read_nonblocking (buffer), CompareOperator.EQ, 0);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_input_not_readable () {
    int caught = 0;
    try {
        var m = new Mmap.Object.anonymous (8);
        m.close ();
        try {
            m.open_input_stream (0, -1);
            assert_not_reached ();
        } catch (Mmap.Error.CLOSED e) {
            caught++;
        }
        try {
            m.open_output_stream (0, -1);
            assert_not_reached ();
        } catch (Mmap.Error.CLOSED e) {
            caught++;
        }

        var none = new Mmap.Object.full (-1, 16,
                                         Mmap.MapFlags.SHARED | Mmap.MapFlags.ANONYMOUS,
                                         Mmap.Prot.NONE, Mmap.Access.DEFAULT, 0,
                                         true);
        int code = -1;
        try {
            none.view (0, -1);
            assert_not_reached ();
        } catch (Mmap.Error e) {
            code = e.code;
        }
        try {
            none.open_input_stream (0, -1);
            assert_not_reached ();
        } catch (Mmap.Error e) {
            assert_error (e, Mmap.Error.quark (), code);
            caught++;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 3);
}

/* A file truncated under the stream: an IOError (EIO), not SIGBUS. */
static void test_input_sigbus () {
    size_t page = Mmap.get_page_size ();
    bool caught = false;
    try {
        var data = new uint8[3 * page];
        GLib.Memory.set (data, 'x', data.length);
        var file = new TempFile (data);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 0);
        var s = m.open_input_stream (0, -1);
        assert_true (Posix.ftruncate (file.fd, (Posix.off_t) page) == 0);
        assert_bytes (gio_read (s, 4), "xxxx");
        s.seek ((int64) page + 5, GLib.SeekType.SET);
        try {
            gio_read (s, 10);
            assert_not_reached ();
        } catch (GLib.IOError e) {
            caught = true;
            assert_true (Mmap.Error.get_errno (e) == Posix.EIO);
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_true (caught);
}

/* Output stream */

static void test_output_write () {
    int caught = 0;
    try {
        var file = new TempFile (CONTENT.data);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 0);
        m.seek (2, GLib.SeekType.SET);
        var o = m.open_output_stream (6, 5);
        assert_true (o is GLib.Seekable);
        assert_true (o is GLib.PollableOutputStream);
        assert_true (((GLib.PollableOutputStream) o).can_poll ());
        assert_true (((GLib.PollableOutputStream) o).is_writable ());
        assert_i64 (o.tell (), 0);
        assert_cmpint ((int) o.write ("WO".data), CompareOperator.EQ, 2);
        assert_cmpint ((int) o.write_bytes (new GLib.Bytes ("RL".data)),
                       CompareOperator.EQ, 2);
        assert_i64 (o.tell (), 4);
        assert_i64 (m.tell (), 2);
        /* Short: what fits. */
        assert_cmpint ((int) o.write ("D!!".data), CompareOperator.EQ, 1);
        try {
            o.write ("x".data);
            assert_not_reached ();
        } catch (GLib.IOError.NO_SPACE e) {
            caught++;
        }
        size_t written = 0;
        try {
            o.seek (3, GLib.SeekType.SET);
            o.write_all ("XY!".data, out written);
            assert_not_reached ();
        } catch (GLib.IOError.NO_SPACE e) {
            caught++;
        }
        /* In the map at once, in the file after flush; it never grows. */
        assert_bytes (m.get_slice (0, ssize_t.MAX, 1), "hello WORXY\nsecond line\n");
        assert_true (o.flush ());
        assert_cmpmem (file.read_back (), "hello WORXY\nsecond line\n".data);
        assert_true (m.length == 24);
        assert_true (o.close ());
        try {
            o.write ("x".data);
            assert_not_reached ();
        } catch (GLib.IOError.CLOSED e) {
            caught++;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 3);
}

static void test_output_seekable () {
    int caught = 0;
    try {
        var file = new TempFile (CONTENT.data);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 0);
        var o = m.open_output_stream (12, 6);           /* "second" */
        var seekable = (GLib.Seekable) o;
        assert_true (seekable.can_seek ());
        assert_false (seekable.can_truncate ());
        assert_true (seekable.seek (3, GLib.SeekType.SET));
        o.write ("O".data);
        assert_true (seekable.seek (-4, GLib.SeekType.CUR));
        o.write ("S".data);
        assert_true (seekable.seek (-1, GLib.SeekType.END));
        o.write ("D".data);
        assert_i64 (seekable.tell (), 6);
        try {
            seekable.seek (1, GLib.SeekType.CUR);
            assert_not_reached ();
        } catch (GLib.IOError.INVALID_ARGUMENT e) {
            caught++;
        }
        assert_i64 (seekable.tell (), 6);
        try {
            seekable.truncate (2);
            assert_not_reached ();
        } catch (GLib.IOError.NOT_SUPPORTED e) {
            caught++;
        }
        assert_bytes (m.get_slice (0, ssize_t.MAX, 1), "hello world\nSecOnD line\n");
        try {
            m.open_output_stream (23, 2);
            assert_not_reached ();
        } catch (Mmap.Error.OUT_OF_RANGE e) {
            caught++;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 3);
}

static void test_output_refused () {
    int caught = 0;
    try {
        var file = new TempFile (CONTENT.data);
        var ro = new Mmap.Object (file.fd, 0, Mmap.Access.READ, 0);
        try {
            ro.open_output_stream (0, -1);
            assert_not_reached ();
        } catch (Mmap.Error.READ_ONLY e) {
            caught++;
        }

        var m = new Mmap.Object (file.fd, 0, Mmap.Access.WRITE, 0);
        var o = m.open_output_stream (0, -1);
        /* A reference, not a view: resize () works meanwhile. */
        assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 0);
        assert_cmpint ((int) o.write ("H".data), CompareOperator.EQ, 1);
        assert_true (m.close ());
        try {
            o.write ("e".data);
            assert_not_reached ();
        } catch (GLib.Error e) {
            assert_error (e, Mmap.Error.quark (), Mmap.Error.CLOSED);
            caught++;
        }
        assert_cmpmem (file.read_back (), "Hello world\nsecond line\n".data);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 2);
}

/* GIO consumers over a map */

static void test_data_input_stream () {
    try {
        var text = new StringBuilder ();
        for (int i = 0; i < 300; i++)
            text.append_printf ("line %d %s\n", i, string.nfill (i % 13, 'x'));
        text.append ("\nlast, no newline");
        var file = new TempFile (text.str.data);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.READ, 0);
        var d = new GLib.DataInputStream (m.open_input_stream (0, -1));
        string[] got = {};
        string? line;
        while ((line = d.read_line_utf8 ()) != null)
            got += line;
        var expected = text.str.split ("\n");
        assert_cmpint (got.length, CompareOperator.EQ, expected.length);
        for (int i = 0; i < got.length; i++)
            assert_cmpstr (got[i], CompareOperator.EQ, expected[i]);
        assert_cmpstr (got[got.length - 1], CompareOperator.EQ, "last, no newline");
        assert_true (d.close ());
        assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 0);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static GLib.Bytes gzip_of (uint8[] data) throws GLib.Error {
    var memory = new GLib.MemoryOutputStream.resizable ();
    var zip = new GLib.ConverterOutputStream (
        memory, new GLib.ZlibCompressor (GLib.ZlibCompressorFormat.GZIP, -1));
    size_t written;
    zip.write_all (data, out written);
    zip.close ();
    return memory.steal_as_bytes ();
}

static void test_gzip_converter () {
    try {
        var text = new StringBuilder ();
        for (int i = 0; i < 3000; i++)
            text.append_printf ("%d %x %s\n", i, i * 7919 % 10007,
                                string.nfill (i % 7, 'z'));
        var packed = gzip_of (text.str.data);
        var whole = new GLib.ByteArray ();
        whole.append ("HEADER".data);
        whole.append (packed.get_data ());
        whole.append ("TRAILER".data);
        var file = new TempFile (whole.data);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.READ, 0);
        var conv = new GLib.ConverterInputStream (
            m.open_input_stream (6, (ssize_t) packed.get_size ()),
            new GLib.ZlibDecompressor (GLib.ZlibCompressorFormat.GZIP));
        var out_bytes = new GLib.ByteArray ();
        for (;;) {
            var chunk = conv.read_bytes (65536);
            if (chunk.get_size () == 0)
                break;
            out_bytes.append (chunk.get_data ());
        }
        assert_cmpmem (out_bytes.data, text.str.data);
        assert_true (conv.close ());
        assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 0);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_splice () {
    bool caught = false;
    try {
        var data = new uint8[70000];
        for (int i = 0; i < data.length; i++)
            data[i] = (uint8) (i * 31);
        var file = new TempFile (data);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.DEFAULT, 0);
        var flags = GLib.OutputStreamSpliceFlags.CLOSE_SOURCE
                    | GLib.OutputStreamSpliceFlags.CLOSE_TARGET;

        var memory = new GLib.MemoryOutputStream.resizable ();
        assert_cmpint ((int) memory.splice (m.open_input_stream (100, 60000), flags),
                       CompareOperator.EQ, 60000);
        assert_cmpmem (memory.steal_as_bytes ().get_data (), data[100:60100]);
        assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 0);

        var o = m.open_output_stream (10, 20);
        var source = new GLib.MemoryInputStream.from_bytes (
            new GLib.Bytes ("01234567890123456789".data));
        assert_cmpint ((int) o.splice (source, flags), CompareOperator.EQ, 20);
        assert_bytes (m.get_slice (10, 30, 1), "01234567890123456789");
        assert_cmpmem (file.read_back ()[10:30], "01234567890123456789".data);

        var small = m.open_output_stream (69990, -1);
        var big = new GLib.MemoryInputStream.from_bytes (
            new GLib.Bytes (string.nfill (30, 'z').data));
        try {
            small.splice (big, GLib.OutputStreamSpliceFlags.NONE);
            assert_not_reached ();
        } catch (GLib.IOError.NO_SPACE e) {
            caught = true;
        }
        assert_bytes (m.get_slice (69990, 70000, 1), string.nfill (10, 'z'));
        assert_true (m.length == 70000);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_true (caught);
}

/* The async calls GIO gives every stream, with yield */

async void stream_async_calls (TempFile file) throws GLib.Error {
    var m = new Mmap.Object (file.fd, 0, Mmap.Access.WRITE, 0);
    var s = m.open_input_stream (6, -1);
    var bytes = yield s.read_bytes_async (5, GLib.Priority.DEFAULT, null);
    assert_bytes (bytes, "world");
    assert_i64 (s.tell (), 5);
    assert_i64 (m.tell (), 0);

    uint8 buffer[7];
    size_t n = 0;
    assert_true (yield s.read_all_async (buffer, GLib.Priority.DEFAULT, null,
                                         out n));
    assert_cmpuint ((uint) n, CompareOperator.EQ, 7);
    assert_cmpmem (buffer, "\nsecond".data);

    var cancelled = new GLib.Cancellable ();
    cancelled.cancel ();
    try {
        yield s.read_bytes_async (5, GLib.Priority.DEFAULT, cancelled);
        assert_not_reached ();
    } catch (GLib.IOError.CANCELLED e) {
    }
    assert_i64 (s.tell (), 12);
    assert_true (yield s.close_async (GLib.Priority.DEFAULT, null));
    assert_cmpuint (m.get_n_views (), CompareOperator.EQ, 0);

    var memory = new GLib.MemoryOutputStream.resizable ();
    var spliced = yield memory.splice_async (
        m.open_input_stream (0, -1),
        GLib.OutputStreamSpliceFlags.CLOSE_SOURCE
        | GLib.OutputStreamSpliceFlags.CLOSE_TARGET,
        GLib.Priority.DEFAULT, null);
    assert_cmpint ((int) spliced, CompareOperator.EQ, 24);
    assert_bytes (memory.steal_as_bytes (), CONTENT);

    var o = m.open_output_stream (0, 5);
    size_t written = 0;
    try {
        yield o.write_all_async ("HELLO!".data, GLib.Priority.DEFAULT, null,
                                 out written);
        assert_not_reached ();
    } catch (GLib.IOError.NO_SPACE e) {
    }
    assert_bytes (m.get_slice (0, 6, 1), "HELLO ");
    assert_true (yield o.close_async (GLib.Priority.DEFAULT, null));
    assert_cmpmem (file.read_back (), "HELLO world\nsecond line\n".data);
}

static void test_async () {
    try {
        var file = new TempFile (CONTENT.data);
        var loop = new GLib.MainLoop ();
        GLib.Error? failure = null;
        bool finished = false;
        stream_async_calls.begin (file, (obj, res) => {
            try {
                stream_async_calls.end (res);
            } catch (GLib.Error e) {
                failure = e;
            }
            finished = true;
            loop.quit ();
        });
        uint timer = GLib.Timeout.add (10000, () => {
            loop.quit ();
            return GLib.Source.REMOVE;
        });
        loop.run ();
        assert_true (finished);
        GLib.Source.remove (timer);
        if (failure != null)
            assert_no_error (failure);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

public int main (string[] args) {
    GLib.Test.init (ref args);

    GLib.Test.add_func ("/Mmap/Vala/streams/input/range", test_input_range);
    GLib.Test.add_func ("/Mmap/Vala/streams/input/position", test_input_position);
    GLib.Test.add_func ("/Mmap/Vala/streams/input/read-bytes",
                        test_input_read_bytes);
    GLib.Test.add_func ("/Mmap/Vala/streams/input/views", test_input_views);
    GLib.Test.add_func ("/Mmap/Vala/streams/input/seekable", test_input_seekable);
    GLib.Test.add_func ("/Mmap/Vala/streams/input/pollable", test_input_pollable);
    GLib.Test.add_func ("/Mmap/Vala/streams/input/not-readable",
                        test_input_not_readable);
    GLib.Test.add_func ("/Mmap/Vala/streams/input/sigbus", test_input_sigbus);
    GLib.Test.add_func ("/Mmap/Vala/streams/output/write", test_output_write);
    GLib.Test.add_func ("/Mmap/Vala/streams/output/seekable",
                        test_output_seekable);
    GLib.Test.add_func ("/Mmap/Vala/streams/output/refused", test_output_refused);
    GLib.Test.add_func ("/Mmap/Vala/streams/data-input-stream",
                        test_data_input_stream);
    GLib.Test.add_func ("/Mmap/Vala/streams/gzip-converter", test_gzip_converter);
    GLib.Test.add_func ("/Mmap/Vala/streams/splice", test_splice);
    GLib.Test.add_func ("/Mmap/Vala/streams/async", test_async);

    return GLib.Test.run ();
}
