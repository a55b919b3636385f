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
#define CONN_TIMEOUT_US (2 * G_USEC_PER_SEC)

struct _Aes67RtspServer
{
  GSocket *listen;
  guint16 port;
  GThread *thread;
  GCancellable *cancel;
  GMutex lock;                  /* protects sessions and requests */
  GHashTable *sessions;         /* name -> SDP */
  guint requests;
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
handle_connection (Aes67RtspServer * self, GSocket * client)
{
  GstRTSPConnection *conn = NULL;
  GSocketAddress *peer = g_socket_get_remote_address (client, NULL);
  gchar *ip = NULL;
  guint16 port = 0;

  if (peer && G_IS_INET_SOCKET_ADDRESS (peer)) {
    ip = g_inet_address_to_string (g_inet_socket_address_get_address
        (G_INET_SOCKET_ADDRESS (peer)));
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (peer));
  }
  g_clear_object (&peer);
  if (gst_rtsp_connection_create_from_socket (client, ip ? ip : "0.0.0.0",
          port, NULL, &conn) != GST_RTSP_OK) {
    g_free (ip);
    return;
  }

  /* a few requests per connection, each within the timeout */
  for (;;) {
    GstRTSPMessage req = { 0 }, resp = { 0 };
    GstRTSPMethod method;
    const gchar *uri = NULL;
    GstRTSPVersion version;
    GstRTSPResult res;
    gchar *name = NULL, *sdp = NULL;

    res = gst_rtsp_connection_receive_usec (conn, &req, CONN_TIMEOUT_US);
    if (res != GST_RTSP_OK)
      break;
    if (gst_rtsp_message_get_type (&req) != GST_RTSP_MESSAGE_REQUEST
        || gst_rtsp_message_parse_request (&req, &method, &uri,
            &version) != GST_RTSP_OK) {
      gst_rtsp_message_unset (&req);
      break;
    }
    GST_DEBUG ("%s %s from %s", gst_rtsp_method_as_text (method), uri, ip);
    if (method == GST_RTSP_OPTIONS) {
      gst_rtsp_message_init_response (&resp, GST_RTSP_STS_OK, NULL, &req);
      gst_rtsp_message_add_header (&resp, GST_RTSP_HDR_PUBLIC,
          "OPTIONS, DESCRIBE");
    } else if (method == GST_RTSP_DESCRIBE) {
      name = name_from_uri (uri);
      g_mutex_lock (&self->lock);
      self->requests++;
      if (name)
        sdp = g_strdup (g_hash_table_lookup (self->sessions, name));
      g_mutex_unlock (&self->lock);
      if (sdp) {
        gchar *base = g_str_has_suffix (uri, "/") ? g_strdup (uri) :
            g_strconcat (uri, "/", NULL);

        gst_rtsp_message_init_response (&resp, GST_RTSP_STS_OK, NULL, &req);
        gst_rtsp_message_add_header (&resp, GST_RTSP_HDR_CONTENT_TYPE,
            "application/sdp");
        gst_rtsp_message_add_header (&resp, GST_RTSP_HDR_CONTENT_BASE, base);
        gst_rtsp_message_take_body (&resp, (guint8 *) sdp, strlen (sdp));
        sdp = NULL;
        g_free (base);
      } else {
        gst_rtsp_message_init_response (&resp, GST_RTSP_STS_NOT_FOUND, NULL,
            &req);
      }
    } else {
      gst_rtsp_message_init_response (&resp,
          GST_RTSP_STS_METHOD_NOT_ALLOWED, NULL, &req);
      gst_rtsp_message_add_header (&resp, GST_RTSP_HDR_ALLOW,
          "OPTIONS, DESCRIBE");
    }
    res = gst_rtsp_connection_send_usec (conn, &resp, CONN_TIMEOUT_US);
    gst_rtsp_message_unset (&resp);
    gst_rtsp_message_unset (&req);
    g_free (name);
    g_free (sdp);
    if (res != GST_RTSP_OK)
      break;
  }
  gst_rtsp_connection_close (conn);
  gst_rtsp_connection_free (conn);
  g_free (ip);
}

static gpointer
server_thread (gpointer data)
{
  Aes67RtspServer *self = data;

  while (!g_cancellable_is_cancelled (self->cancel)) {
    GSocket *client;
    GError *err = NULL;

    if (!g_socket_condition_timed_wait (self->listen, G_IO_IN, -1,
            self->cancel, &err)) {
      g_clear_error (&err);
      continue;
    }
    client = g_socket_accept (self->listen, self->cancel, &err);
    if (!client) {
      g_clear_error (&err);
      continue;
    }
    g_socket_set_blocking (client, TRUE);
    handle_connection (self, client);
    g_object_unref (client);
  }
  return NULL;
}

Aes67RtspServer *
aes67_rtsp_server_new (guint16 port, GError ** error)
{
  Aes67RtspServer *self;
  GSocket *sock;
  GInetAddress *any;
  GSocketAddress *addr, *bound;

  ensure_debug ();
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, error);
  if (!sock)
    return NULL;
  any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  addr = g_inet_socket_address_new (any, port);
  g_object_unref (any);
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
  self->cancel = g_cancellable_new ();
  g_mutex_init (&self->lock);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  self->thread = g_thread_new ("rtsp-describe", server_thread, self);
  GST_INFO ("RTSP DESCRIBE server on TCP port %u", self->port);
  return self;
}

void
aes67_rtsp_server_free (Aes67RtspServer * self)
{
  if (!self)
    return;
  g_cancellable_cancel (self->cancel);
  g_thread_join (self->thread);
  g_socket_close (self->listen, NULL);
  g_object_unref (self->listen);
  g_object_unref (self->cancel);
  g_hash_table_destroy (self->sessions);
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

guint
aes67_rtsp_server_get_requests (Aes67RtspServer * self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->requests;
  g_mutex_unlock (&self->lock);
  return n;
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
