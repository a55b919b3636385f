/* gst-aes67: RAVENNA-style SDP over RTSP DESCRIBE, server and client
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "aes67-rtsp-describe.h"

#include <string.h>
#include <gst/gst.h>
#include <gst/rtsp/rtsp.h>

GST_DEBUG_CATEGORY_STATIC (aes67_rtsp_debug);
#define GST_CAT_DEFAULT aes67_rtsp_debug

#define PATH_PREFIX "/by-name/"
/* pending connections the kernel holds for accept() */
#define LISTEN_BACKLOG 256

typedef struct _Client Client;

/* Threads: the server thread runs @context, where the socket service
 * accepts connections and the clients' idle timers fire; every connection
 * is served, blocking, by a job of @pool. */
struct _Aes67RtspServer
{
  GSocket *listen;
  guint16 port;
  guint max_connections;
  gint64 idle_us;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;              /* runs loop */
  GSocketService *service;      /* accepts on context */
  GThreadPool *pool;            /* one job per connection */

  GMutex lock;                  /* protects all below, and Client fields */
  GCond cond;                   /* signalled when a connection ends */
  GHashTable *sessions;         /* name -> SDP */
  guint requests;
  GList *clients;               /* Client *, connections being served */
  guint n_clients;
  guint refused;
  guint idle_closed;
  gboolean closing;
};

/* One connection. Referenced by its job and by its idle timer. */
struct _Client
{
  gint refs;                    /* atomic */
  Aes67RtspServer *server;
  GSocketConnection *connection;
  GSocket *socket;              /* of connection */
  GSource *idle;                /* on server->context, fires at deadline */
  gint64 deadline;              /* monotonic us, under server->lock */
  gboolean done;                /* the socket is being closed or was shut
                                 * down: no one else touches it; under
                                 * server->lock */
};

static void
ensure_debug (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (aes67_rtsp_debug, "aes67rtsp", 0,
        "RAVENNA RTSP DESCRIBE");
    g_once_init_leave (&once, 1);
  }
}

gchar *
aes67_rtsp_session_path (const gchar * name)
{
  gchar *esc = g_uri_escape_string (name, NULL, FALSE);
  gchar *path = g_strconcat (PATH_PREFIX, esc, NULL);

  g_free (esc);
  return path;
}

/* The session name in a request URI (absolute or a path), or NULL */
static gchar *
name_from_uri (const gchar * uri)
{
  GstRTSPUrl *url = NULL;
  const gchar *path = NULL;
  gchar *name = NULL;

  if (g_str_has_prefix (uri, "/"))
    path = uri;
  else if (gst_rtsp_url_parse (uri, &url) == GST_RTSP_OK && url->abspath)
    path = url->abspath;
  if (path && g_str_has_prefix (path, PATH_PREFIX)) {
    const gchar *rest = path + strlen (PATH_PREFIX);
    /* a trailing slash (Content-Base style) is the same session */
    gchar *trimmed = g_strdup (rest);
    gsize n = strlen (trimmed);

    if (n > 0 && trimmed[n - 1] == '/')
      trimmed[n - 1] = 0;
    name = g_uri_unescape_string (trimmed, NULL);
    g_free (trimmed);
  }
  if (url)
    gst_rtsp_url_free (url);
  return name;
}

static void
client_unref (gpointer data)
{
  Client *c = data;

  if (g_atomic_int_dec_and_test (&c->refs)) {
    g_object_unref (c->connection);
    g_free (c);
  }
}

/* The idle timer: a source that dispatches at its ready time */
static gboolean
idle_dispatch (GSource * source, GSourceFunc callback, gpointer data)
{
  g_source_set_ready_time (source, -1);
  return callback (data);
}

static GSourceFuncs idle_funcs = { NULL, NULL, idle_dispatch, NULL, };

/* Server thread: the client's deadline may have passed; shutting the socket
 * down ends the job's blocking read or write. */
static gboolean
client_idle (gpointer data)
{
  Client *c = data;
  Aes67RtspServer *self = c->server;

  g_mutex_lock (&self->lock);
  if (!c->done) {
    if (g_get_monotonic_time () >= c->deadline) {
      GST_INFO ("closing an idle RTSP connection");
      self->idle_closed++;
      c->done = TRUE;
      g_socket_shutdown (c->socket, TRUE, TRUE, NULL);
    } else {
      g_source_set_ready_time (c->idle, c->deadline);
    }
  }
  g_mutex_unlock (&self->lock);
  return G_SOURCE_CONTINUE;
}

/* Job thread: the connection must finish its next step (a request in full,
 * or the taking of an answer) within the idle timeout from now */
static void
client_arm (Client * c)
{
  Aes67RtspServer *self = c->server;

  g_mutex_lock (&self->lock);
  c->deadline = g_get_monotonic_time () + self->idle_us;
  g_source_set_ready_time (c->idle, c->deadline);
  g_mutex_unlock (&self->lock);
}

/* Job thread, before the socket is closed: from here on neither the idle
 * timer nor aes67_rtsp_server_free() shuts it down (its fd number could be
 * another socket's by then) */
static void
client_detach (Client * c)
{
  g_mutex_lock (&c->server->lock);
  c->done = TRUE;
  g_mutex_unlock (&c->server->lock);
}

/* The answer to a well-formed RTSP/1.0 request with a CSeq */
static void
answer (Aes67RtspServer * self, GstRTSPMessage * req, GstRTSPMessage * resp,
    const gchar * ip)
{
  GstRTSPMethod method;
  const gchar *uri = NULL;
  GstRTSPVersion version;
  gchar *name, *sdp = NULL;

  gst_rtsp_message_parse_request (req, &method, &uri, &version);
  GST_DEBUG ("%s %s from %s", gst_rtsp_method_as_text (method), uri, ip);
  if (method == GST_RTSP_OPTIONS) {
    gst_rtsp_message_init_response (resp, GST_RTSP_STS_OK, NULL, req);
    gst_rtsp_message_add_header (resp, GST_RTSP_HDR_PUBLIC,
        "OPTIONS, DESCRIBE");
  } else if (method == GST_RTSP_DESCRIBE) {
    name = name_from_uri (uri);
    g_mutex_lock (&self->lock);
    self->requests++;
    if (name)
      sdp = g_strdup (g_hash_table_lookup (self->sessions, name));
    g_mutex_unlock (&self->lock);
    g_free (name);
    if (sdp) {
      gchar *base = g_str_has_suffix (uri, "/") ? g_strdup (uri) :
          g_strconcat (uri, "/", NULL);

      gst_rtsp_message_init_response (resp, GST_RTSP_STS_OK, NULL, req);
      gst_rtsp_message_add_header (resp, GST_RTSP_HDR_CONTENT_TYPE,
          "application/sdp");
      gst_rtsp_message_add_header (resp, GST_RTSP_HDR_CONTENT_BASE, base);
      gst_rtsp_message_take_body (resp, (guint8 *) sdp, strlen (sdp));
      g_free (base);
    } else {
      gst_rtsp_message_init_response (resp, GST_RTSP_STS_NOT_FOUND, NULL, req);
    }
  } else {
    gst_rtsp_message_init_response (resp, method == GST_RTSP_INVALID ?
        GST_RTSP_STS_NOT_IMPLEMENTED : GST_RTSP_STS_METHOD_NOT_ALLOWED, NULL,
        req);
    gst_rtsp_message_add_header (resp, GST_RTSP_HDR_ALLOW, "OPTIONS, DESCRIBE");
  }
}

/* Job thread: serves requests on @c's connection until the client closes
 * it, a request is bad, or the idle timer shuts it down */
static void
serve (Aes67RtspServer * self, Client * c)
{
  GstRTSPConnection *conn = NULL;
  GSocketAddress *peer = g_socket_get_remote_address (c->socket, NULL);
  gchar *ip = NULL;
  guint16 port = 0;

  if (peer && G_IS_INET_SOCKET_ADDRESS (peer)) {
    ip = g_inet_address_to_string (g_inet_socket_address_get_address
        (G_INET_SOCKET_ADDRESS (peer)));
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (peer));
  }
  g_clear_object (&peer);
  if (gst_rtsp_connection_create_from_socket (c->socket, ip ? ip : "0.0.0.0",
          port, NULL, &conn) != GST_RTSP_OK) {
    g_free (ip);
    return;
  }
  /* HTTP requests come to us as messages (no RTSP-over-HTTP tunnel) */
  gst_rtsp_connection_set_http_mode (conn, TRUE);

  for (;;) {
    GstRTSPMessage req = { 0 }, resp = { 0 };
    GstRTSPResult res;
    gchar *cseq = NULL;
    gboolean keep = FALSE;

    client_arm (c);
    res = gst_rtsp_connection_receive_usec (conn, &req, 0);
    if (res == GST_RTSP_OK
        && gst_rtsp_message_get_type (&req) == GST_RTSP_MESSAGE_REQUEST
        && req.type_data.request.version == GST_RTSP_VERSION_1_0
        && gst_rtsp_message_get_header (&req, GST_RTSP_HDR_CSEQ, &cseq,
            0) == GST_RTSP_OK) {
      answer (self, &req, &resp, ip);
      keep = TRUE;
    } else if (res == GST_RTSP_OK || res == GST_RTSP_EPARSE
        || res == GST_RTSP_ERROR) {
      /* GstRTSPConnection (1.22) reads RTSP/1.0 and 2.0 requests in full
       * (the version is then ours to check). At the request line of
       * another RTSP version it stops with GST_RTSP_ERROR, at a line it
       * cannot parse or a request without CSeq with GST_RTSP_EPARSE, and
       * then leaves nothing in the message. (GET or POST with an RTSP
       * version also make GST_RTSP_ERROR: those get 505 too.) */
      gboolean rtsp = gst_rtsp_message_get_type (&req) ==
          GST_RTSP_MESSAGE_REQUEST;
      GstRTSPStatusCode code = GST_RTSP_STS_BAD_REQUEST;

      if (res == GST_RTSP_ERROR || (rtsp && res == GST_RTSP_OK &&
              req.type_data.request.version != GST_RTSP_VERSION_1_0))
        code = GST_RTSP_STS_RTSP_VERSION_NOT_SUPPORTED;

      GST_INFO ("bad request from %s (%d): answering %d", ip, res, code);
      gst_rtsp_message_init_response (&resp, code, NULL, rtsp ? &req : NULL);
      gst_rtsp_message_add_header (&resp, GST_RTSP_HDR_CONNECTION, "close");
    } else {
      /* closed, shut down or failed */
      gst_rtsp_message_unset (&req);
      break;
    }
    client_arm (c);
    res = gst_rtsp_connection_send_usec (conn, &resp, 0);
    gst_rtsp_message_unset (&resp);
    gst_rtsp_message_unset (&req);
    if (res != GST_RTSP_OK || !keep)
      break;
  }
  client_detach (c);
  gst_rtsp_connection_close (conn);
  gst_rtsp_connection_free (conn);
  g_free (ip);
}

static void
client_job (gpointer data, gpointer user_data)
{
  Client *c = data;
  Aes67RtspServer *self = user_data;

  serve (self, c);
  client_detach (c);
  g_io_stream_close (G_IO_STREAM (c->connection), NULL, NULL);

  g_mutex_lock (&self->lock);
  self->clients = g_list_remove (self->clients, c);
  self->n_clients--;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  /* drops the timer's reference */
  g_source_destroy (c->idle);
  g_source_unref (c->idle);
  client_unref (c);
}

/* Server thread: a new connection */
static gboolean
on_incoming (GSocketService * service, GSocketConnection * connection,
    GObject * source_object, gpointer user_data)
{
  Aes67RtspServer *self = user_data;
  Client *c;

  g_mutex_lock (&self->lock);
  if (self->closing || self->n_clients >= self->max_connections) {
    self->refused++;
    g_mutex_unlock (&self->lock);
    GST_WARNING ("%u RTSP connections open, the most allowed: closing a "
        "new one", self->max_connections);
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    return TRUE;
  }
  c = g_new0 (Client, 1);
  c->refs = 2;
  c->server = self;
  c->connection = g_object_ref (connection);
  c->socket = g_socket_connection_get_socket (connection);
  g_socket_set_blocking (c->socket, TRUE);
  c->deadline = g_get_monotonic_time () + self->idle_us;
  c->idle = g_source_new (&idle_funcs, sizeof (GSource));
  g_source_set_callback (c->idle, client_idle, c, client_unref);
  g_source_set_ready_time (c->idle, c->deadline);
  g_source_attach (c->idle, self->context);
  self->clients = g_list_prepend (self->clients, c);
  self->n_clients++;
  g_mutex_unlock (&self->lock);

  g_thread_pool_push (self->pool, c, NULL);
  return TRUE;
}

static gpointer
server_thread (gpointer data)
{
  Aes67RtspServer *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_clear_object (&self->service);
  /* lets the cancelled accept finish */
  while (g_main_context_iteration (self->context, FALSE));
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

Aes67RtspServer *
aes67_rtsp_server_new (guint16 port, GError ** error)
{
  return aes67_rtsp_server_new_full (port,
      AES67_RTSP_DEFAULT_MAX_CONNECTIONS, AES67_RTSP_DEFAULT_IDLE_TIMEOUT_MS,
      error);
}

Aes67RtspServer *
aes67_rtsp_server_new_full (guint16 port, guint max_connections,
    guint idle_timeout_ms, GError ** error)
{
  Aes67RtspServer *self;
  GSocket *sock;
  GInetAddress *any;
  GSocketAddress *addr, *bound;
  gboolean added;

  ensure_debug ();
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, error);
  if (!sock)
    return NULL;
  any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  addr = g_inet_socket_address_new (any, port);
  g_object_unref (any);
  g_socket_set_listen_backlog (sock, LISTEN_BACKLOG);
  if (!g_socket_bind (sock, addr, TRUE, error) || !g_socket_listen (sock,
          error)) {
    g_prefix_error (error, "cannot listen on TCP port %u for RTSP: ", port);
    g_object_unref (addr);
    g_object_unref (sock);
    return NULL;
  }
  g_object_unref (addr);
  bound = g_socket_get_local_address (sock, error);
  if (!bound) {
    g_object_unref (sock);
    return NULL;
  }
  self = g_new0 (Aes67RtspServer, 1);
  self->listen = sock;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  self->max_connections = MAX (1, max_connections);
  self->idle_us = (gint64) MAX (1, idle_timeout_ms) * 1000;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->pool = g_thread_pool_new (client_job, self, -1, FALSE, NULL);

  /* the service accepts in the thread-default context of the thread that
   * gives it the socket */
  g_main_context_push_thread_default (self->context);
  self->service = g_socket_service_new ();
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  added = g_socket_listener_add_socket (G_SOCKET_LISTENER (self->service),
      sock, NULL, error);
  g_main_context_pop_thread_default (self->context);
  if (!added) {
    g_clear_object (&self->service);
    g_thread_pool_free (self->pool, FALSE, TRUE);
    g_main_loop_unref (self->loop);
    g_main_context_unref (self->context);
    g_hash_table_destroy (self->sessions);
    g_cond_clear (&self->cond);
    g_mutex_clear (&self->lock);
    g_object_unref (self->listen);
    g_free (self);
    return NULL;
  }
  self->thread = g_thread_new ("rtsp-describe", server_thread, self);
  GST_INFO ("RTSP DESCRIBE server on TCP port %u, at most %u connections, "
      "idle timeout %u ms", self->port, self->max_connections, idle_timeout_ms);
  return self;
}

void
aes67_rtsp_server_free (Aes67RtspServer * self)
{
  GSource *quit;
  GList *l;

  if (!self)
    return;
  /* stop accepting: the loop may not run yet, so quit from inside it */
  quit = g_idle_source_new ();
  g_source_set_callback (quit, quit_loop, self->loop, NULL);
  g_source_attach (quit, self->context);
  g_source_unref (quit);
  g_thread_join (self->thread);

  /* end the connections being served and wait for their jobs */
  g_mutex_lock (&self->lock);
  self->closing = TRUE;
  for (l = self->clients; l; l = l->next) {
    Client *c = l->data;

    if (!c->done)
      g_socket_shutdown (c->socket, TRUE, TRUE, NULL);
    c->done = TRUE;
  }
  while (self->n_clients > 0)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  g_thread_pool_free (self->pool, FALSE, TRUE);

  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_object_unref (self->listen);
  g_hash_table_destroy (self->sessions);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->lock);
  g_free (self);
}

guint16
aes67_rtsp_server_get_port (Aes67RtspServer * self)
{
  return self->port;
}

void
aes67_rtsp_server_set_session (Aes67RtspServer * self, const gchar * name,
    const gchar * sdp)
{
  g_mutex_lock (&self->lock);
  g_hash_table_replace (self->sessions, g_strdup (name), g_strdup (sdp));
  g_mutex_unlock (&self->lock);
}

void
aes67_rtsp_server_remove_session (Aes67RtspServer * self, const gchar * name)
{
  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->sessions, name);
  g_mutex_unlock (&self->lock);
}

static guint
get_counter (Aes67RtspServer * self, const guint * counter)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = *counter;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
aes67_rtsp_server_get_requests (Aes67RtspServer * self)
{
  return get_counter (self, &self->requests);
}

guint
aes67_rtsp_server_get_connections (Aes67RtspServer * self)
{
  return get_counter (self, &self->n_clients);
}

guint
aes67_rtsp_server_get_refused (Aes67RtspServer * self)
{
  return get_counter (self, &self->refused);
}

guint
aes67_rtsp_server_get_idle_closed (Aes67RtspServer * self)
{
  return get_counter (self, &self->idle_closed);
}

gchar *
aes67_rtsp_describe (const gchar * host, guint16 port, const gchar * name,
    gint64 timeout_us, GError ** error)
{
  gchar *path = aes67_rtsp_session_path (name);
  gchar *uri = g_strdup_printf ("rtsp://%s:%u%s", host, port, path);
  GstRTSPUrl *url = NULL;
  GstRTSPConnection *conn = NULL;
  GstRTSPMessage req = { 0 }, resp = { 0 };
  GstRTSPStatusCode code = 0;
  GstRTSPVersion version;
  const gchar *reason = NULL;
  gchar *ctype = NULL;
  guint8 *body = NULL;
  guint size = 0;
  gchar *sdp = NULL;

  ensure_debug ();
  g_free (path);
  if (gst_rtsp_url_parse (uri, &url) != GST_RTSP_OK) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "bad RTSP URL %s", uri);
    goto out;
  }
  if (gst_rtsp_connection_create (url, &conn) != GST_RTSP_OK
      || gst_rtsp_connection_connect_usec (conn, timeout_us) != GST_RTSP_OK) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
        "cannot connect to %s", uri);
    goto out;
  }
  gst_rtsp_message_init_request (&req, GST_RTSP_DESCRIBE, uri);
  gst_rtsp_message_add_header (&req, GST_RTSP_HDR_CSEQ, "1");
  gst_rtsp_message_add_header (&req, GST_RTSP_HDR_ACCEPT, "application/sdp");
  if (gst_rtsp_connection_send_usec (conn, &req, timeout_us) != GST_RTSP_OK
      || gst_rtsp_connection_receive_usec (conn, &resp, timeout_us)
      != GST_RTSP_OK
      || gst_rtsp_message_get_type (&resp) != GST_RTSP_MESSAGE_RESPONSE
      || gst_rtsp_message_parse_response (&resp, &code, &reason, &version)
      != GST_RTSP_OK) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "no RTSP answer to DESCRIBE %s", uri);
    goto out;
  }
  if (code != GST_RTSP_STS_OK) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "DESCRIBE %s: %d %s", uri, code, reason ? reason : "");
    goto out;
  }
  gst_rtsp_message_get_header (&resp, GST_RTSP_HDR_CONTENT_TYPE, &ctype, 0);
  gst_rtsp_message_get_body (&resp, &body, &size);
  /* GstRTSPConnection ends a received body with a NUL it counts */
  while (size > 0 && body[size - 1] == 0)
    size--;
  if (!ctype || !g_str_has_prefix (ctype, "application/sdp") || size == 0
      || size > AES67_RTSP_MAX_SDP || memchr (body, 0, size)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "DESCRIBE %s: no usable SDP (type %s, %u bytes)", uri,
        ctype ? ctype : "none", size);
    goto out;
  }
  sdp = g_strndup ((const gchar *) body, size);

out:
  gst_rtsp_message_unset (&req);
  gst_rtsp_message_unset (&resp);
  if (conn) {
    gst_rtsp_connection_close (conn);
    gst_rtsp_connection_free (conn);
  }
  if (url)
    gst_rtsp_url_free (url);
  g_free (uri);
  return sdp;
}
