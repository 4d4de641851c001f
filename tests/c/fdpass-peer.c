/* fdpass-peer.c: the other process of test-fdpass
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: fdpass-peer dbus|socket FD
 *
 * dbus: a GDBus peer-to-peer server on the connected socket FD (no bus
 * daemon) that sends memfd buffers: see FDPASS_INTROSPECTION.
 *
 * socket: receives memfds over the SOCK_SEQPACKET socket FD, one per
 * message, in a GUnixFDMessage, and answers each request with a line:
 *   "map NAME REQUIRED" + fd  ->  "mapped SEALS SHA256 NMAPS"
 *                                 or "refused CODE NMAPS MESSAGE"
 *   "check NAME"              ->  "checked SHA256 LENGTH"
 *                                 or "error ERRNO MESSAGE"
 *   "quit" (or end of stream) ->  exit
 * NMAPS counts this process's mappings of memfd NAME; SEALS and REQUIRED
 * are MmapSeals values.
 *
 * Exit status: 0 if all went as it should, 1 if a check of its own
 * failed, 2 on bad arguments, the status asked for by Exit(); killed by
 * SIGALRM when the watchdog fires.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gunixfdmessage.h>

#include <mmapobj/mmapobj.h>

#include "fdpass-common.h"

/* Longer than any test run, even under valgrind: the peer also ends when
 * its socket closes, so this only matters if the test process hangs. */
#define WATCHDOG_SECONDS 600

static int status = 0;

#define CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_printerr ("fdpass-peer: %s:%d: check failed: %s\n", __FILE__, \
                    __LINE__, #cond); \
        status = 1; \
      } \
  } G_STMT_END

/* ---------------------------------------------------------------------- */
/* The D-Bus server */

typedef struct
{
  GHashTable  *maps;   /* kind -> MmapObject */
  GMainLoop   *loop;
} Server;

/* The buffer of @kind: FDPASS_SIZE bytes of its pattern in a memfd,
 * sealed as the kind says. */
static MmapObject *
make_buffer (const char  *kind,
             char       **out_sha256,
             GError     **error)
{
  g_autoptr(MmapObject) map = NULL;
  g_autofree char *name = g_strdup_printf ("fdpass-%s", kind);
  g_autofree guint8 *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean sealed = g_str_equal (kind, "sealed");
  gboolean shrinkable = g_str_equal (kind, "shrinkable");

  if (!sealed && !shrinkable && !g_str_equal (kind, "unsealed"))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "no buffer of kind '%s'", kind);
      return NULL;
    }

  map = mmap_object_new_memfd (name, FDPASS_SIZE,
                               sealed || shrinkable
                               ? MMAP_MEMFD_ALLOW_SEALING : MMAP_MEMFD_NONE,
                               error);
  if (map == NULL)
    return NULL;
  data = g_malloc (FDPASS_SIZE);
  fdpass_fill (data, FDPASS_SIZE, fdpass_seed (kind));
  if (!mmap_object_set_slice (map, 0, FDPASS_SIZE, 1, data, FDPASS_SIZE,
                              error))
    return NULL;

  if (sealed)
    {
      if (!mmap_object_seal_readonly (map, error))
        return NULL;
      /* The sender's own map is read-only now. */
      CHECK (!mmap_object_set_byte (map, 0, 1, &local_error));
      CHECK (g_error_matches (local_error, MMAP_ERROR, MMAP_ERROR_READ_ONLY));
      g_clear_error (&local_error);
      CHECK (mmap_object_get_seals (map, NULL)
             == (MMAP_SEALS_SEAL | MMAP_SEALS_SHRINK | MMAP_SEALS_GROW
                 | MMAP_SEALS_WRITE));
    }
  else if (shrinkable)
    {
      if (!mmap_object_add_seals (map, MMAP_SEALS_GROW, error))
        return NULL;
      CHECK (mmap_object_get_seals (map, NULL) == MMAP_SEALS_GROW);
    }
  else
    {
      CHECK (mmap_object_get_seals (map, NULL) == MMAP_SEALS_SEAL);
    }

  *out_sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data,
                                             FDPASS_SIZE);
  return g_steal_pointer (&map);
}

static void
get_buffer (Server                *server,
            GVariant              *parameters,
            GDBusMethodInvocation *invocation)
{
  g_autoptr(GUnixFDList) list = g_unix_fd_list_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;
  const char *kind;
  MmapObject *map;
  int index;

  g_variant_get (parameters, "(&s)", &kind);
  map = make_buffer (kind, &sha256, &error);
  if (map == NULL)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  g_hash_table_replace (server->maps, g_strdup (kind), map);

  index = mmap_object_append_to_fd_list (map, list, &error);
  if (index < 0)
    {
      status = 1;
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  CHECK (index == 0);
  g_dbus_method_invocation_return_value_with_unix_fd_list (
      invocation,
      g_variant_new ("(hts)", index, (guint64) FDPASS_SIZE, sha256),
      list);
}

/* errno of a failed call, 0 if it worked. */
static int
result_of (int ret)
{
  return ret < 0 ? errno : 0;
}

/* Everything a sender could do to its memory after passing it on: each
 * attempt's errno, 0 when it worked. */
static void
tamper (Server                *server,
        GVariant              *parameters,
        GDBusMethodInvocation *invocation)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariantBuilder) builder = NULL;
  gsize page = mmap_get_page_size ();
  const char *kind;
  MmapObject *map;
  void *addr;
  ssize_t written;
  int fd;

  g_variant_get (parameters, "(&s)", &kind);
  map = g_hash_table_lookup (server->maps, kind);
  if (map == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                             G_DBUS_ERROR_INVALID_ARGS,
                                             "no buffer '%s' sent yet", kind);
      return;
    }
  /* The memfd as created: open for reading and writing. */
  fd = mmap_object_dup_fd (map, &error);
  if (fd < 0)
    {
      status = 1;
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  CHECK ((fcntl (fd, F_GETFL) & O_ACCMODE) == O_RDWR);

  builder = g_variant_builder_new (G_VARIANT_TYPE ("a{si}"));
  g_variant_builder_add (builder, "{si}", "punch-hole",
                         result_of (fallocate (fd, FALLOC_FL_PUNCH_HOLE
                                                   | FALLOC_FL_KEEP_SIZE,
                                               0, (off_t) page)));
  written = pwrite (fd, "EVIL", 4, 0);
  g_variant_builder_add (builder, "{si}", "write",
                         written == 4 ? 0 : written < 0 ? errno : EIO);
  addr = mmap (NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  g_variant_builder_add (builder, "{si}", "mmap-writable",
                         addr == MAP_FAILED ? errno : 0);
  if (addr != MAP_FAILED)
    munmap (addr, page);
  g_variant_builder_add (builder, "{si}", "grow",
                         result_of (ftruncate (fd, (off_t) (FDPASS_SIZE
                                                            + page))));
  g_variant_builder_add (builder, "{si}", "shrink",
                         result_of (ftruncate (fd,
                                               (off_t) FDPASS_SIZE / 2)));
  close (fd);

  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(a{si})", builder));
}

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  Server *server = user_data;

  if (g_str_equal (method_name, "GetBuffer"))
    get_buffer (server, parameters, invocation);
  else if (g_str_equal (method_name, "Tamper"))
    tamper (server, parameters, invocation);
  else if (g_str_equal (method_name, "Exit"))
    {
      gint32 code;

      /* A peer that dies in the middle of a call: no reply, ever. */
      g_variant_get (parameters, "(i)", &code);
      _exit (code);
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                           G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "no method %s", method_name);
}

static const GDBusInterfaceVTable vtable = { method_call, NULL, NULL, { 0 } };

static void
on_closed (GDBusConnection *connection,
           gboolean         remote_peer_vanished,
           GError          *error,
           gpointer         user_data)
{
  Server *server = user_data;

  g_main_loop_quit (server->loop);
}

static int
run_dbus (int fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) stream = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autofree char *guid = g_dbus_generate_guid ();
  Server server;
  guint id;

  socket = g_socket_new_from_fd (fd, &error);
  if (socket == NULL)
    {
      g_printerr ("fdpass-peer: fd %d: %s\n", fd, error->message);
      return 1;
    }
  stream = g_socket_connection_factory_create_connection (socket);
  /* Nothing is dispatched before the object is there. */
  connection = g_dbus_connection_new_sync (
      G_IO_STREAM (stream), guid,
      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER
      | G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_REQUIRE_SAME_USER
      | G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
      NULL, NULL, &error);
  if (connection == NULL)
    {
      g_printerr ("fdpass-peer: D-Bus handshake: %s\n", error->message);
      return 1;
    }
  CHECK (g_dbus_connection_get_capabilities (connection)
         & G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING);

  node = g_dbus_node_info_new_for_xml (FDPASS_INTROSPECTION, &error);
  g_assert_no_error (error);
  server.maps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       g_object_unref);
  server.loop = g_main_loop_new (NULL, FALSE);
  id = g_dbus_connection_register_object (connection, FDPASS_OBJECT_PATH,
                                          node->interfaces[0], &vtable,
                                          &server, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), &server);
  g_dbus_connection_start_message_processing (connection);

  if (!g_dbus_connection_is_closed (connection))
    g_main_loop_run (server.loop);

  g_dbus_connection_unregister_object (connection, id);
  g_main_loop_unref (server.loop);
  g_hash_table_unref (server.maps);
  return status;
}

/* ---------------------------------------------------------------------- */
/* The plain socket receiver */

static void
reply (GSocket    *socket,
       const char *format,
       ...) G_GNUC_PRINTF (2, 3);

static void
reply (GSocket    *socket,
       const char *format,
       ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (g_socket_send (socket, text, strlen (text), NULL, &error) < 0)
    {
      g_printerr ("fdpass-peer: send: %s\n", error->message);
      status = 1;
    }
}

/* The SHA-256 of the whole map, read through the SIGBUS guard: memory
 * its sender shrank gives an error here, not a crash. */
static char *
map_sha256 (MmapObject  *map,
            GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;

  bytes = mmap_object_get_slice (map, 0,
                                 (gssize) mmap_object_get_length (map), 1,
                                 error);
  if (bytes == NULL)
    return NULL;
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

static void
receive_map (GSocket                *socket,
             GHashTable             *maps,
             char                  **words,
             GSocketControlMessage **messages,
             int                     n_messages)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autofree char *sha256 = NULL;
  GUnixFDList *list;
  const char *name = words[1];
  MmapSeals required;

  if (n_messages != 1 || !G_IS_UNIX_FD_MESSAGE (messages[0]))
    {
      g_printerr ("fdpass-peer: 'map' came with %d control messages, "
                  "not one GUnixFDMessage\n", n_messages);
      status = 1;
      reply (socket, "refused -1 0 no fd received");
      return;
    }
  list = g_unix_fd_message_get_fd_list (G_UNIX_FD_MESSAGE (messages[0]));
  CHECK (g_unix_fd_list_get_length (list) == 1);
  required = (MmapSeals) g_ascii_strtoull (words[2], NULL, 10);

  map = mmap_object_new_from_fd_list (list, 0, MMAP_ACCESS_READ, required,
                                      &error);
  if (map == NULL)
    {
      reply (socket, "refused %d %u %s",
             error->domain == MMAP_ERROR ? error->code : -1,
             fdpass_count_memfd_maps (name), error->message);
      return;
    }
  sha256 = map_sha256 (map, &error);
  if (sha256 == NULL)
    {
      reply (socket, "error %d %s", mmap_error_get_errno (error),
             error->message);
      return;
    }
  reply (socket, "mapped %u %s %u", mmap_object_get_seals (map, NULL),
         sha256, fdpass_count_memfd_maps (name));
  g_hash_table_replace (maps, g_strdup (name), g_steal_pointer (&map));
}

static void
check_map (GSocket     *socket,
           GHashTable  *maps,
           const char  *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;
  MmapObject *map = g_hash_table_lookup (maps, name);

  if (map == NULL)
    {
      reply (socket, "error 0 no map %s", name);
      return;
    }
  sha256 = map_sha256 (map, &error);
  if (sha256 == NULL)
    reply (socket, "error %d %s", mmap_error_get_errno (error),
           error->message);
  else
    reply (socket, "checked %s %" G_GSIZE_FORMAT, sha256,
           mmap_object_get_length (map));
}

static int
run_socket (int fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GHashTable) maps = NULL;

  socket = g_socket_new_from_fd (fd, &error);
  if (socket == NULL)
    {
      g_printerr ("fdpass-peer: fd %d: %s\n", fd, error->message);
      return 1;
    }
  maps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                g_object_unref);

  for (;;)
    {
      char text[1024];
      GInputVector vector = { text, sizeof text - 1 };
      GSocketControlMessage **messages = NULL;
      int n_messages = 0;
      int flags = 0;
      gssize len;
      g_auto(GStrv) words = NULL;

      len = g_socket_receive_message (socket, NULL, &vector, 1, &messages,
                                      &n_messages, &flags, NULL, &error);
      if (len < 0)
        {
          g_printerr ("fdpass-peer: receive: %s\n", error->message);
          return 1;
        }
      if (len == 0)
        break;
      CHECK ((flags & (MSG_CTRUNC | MSG_TRUNC)) == 0);
      text[len] = '\0';
      words = g_strsplit (text, " ", 3);

      if (g_str_equal (words[0], "map") && g_strv_length (words) == 3)
        receive_map (socket, maps, words, messages, n_messages);
      else if (g_str_equal (words[0], "check") && g_strv_length (words) == 2)
        check_map (socket, maps, words[1]);
      else if (g_str_equal (words[0], "quit"))
        len = 0;
      else
        {
          g_printerr ("fdpass-peer: unknown request '%s'\n", text);
          status = 1;
        }
      if (messages != NULL)
        {
          for (int i = 0; i < n_messages; i++)
            g_object_unref (messages[i]);
          g_free (messages);
        }
      if (len == 0)
        break;
    }
  return status;
}

int
main (int   argc,
      char *argv[])
{
  int fd;

  if (argc != 3 || (!g_str_equal (argv[1], "dbus")
                    && !g_str_equal (argv[1], "socket")))
    {
      g_printerr ("usage: fdpass-peer dbus|socket FD\n");
      return 2;
    }
  fd = atoi (argv[2]);
  alarm (WATCHDOG_SECONDS);
  if (g_str_equal (argv[1], "dbus"))
    return run_dbus (fd);
  return run_socket (fd);
}
