/* gst-aes67: RAVENNA-style SDP over RTSP DESCRIBE, server and client
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * RAVENNA devices serve the SDP of a session at
 * rtsp://<host>:<port>/by-name/<session name> in answer to DESCRIBE. Both
 * ends here use gst-plugins-base's RTSP library (GstRTSPConnection,
 * GstRTSPMessage): no RTSP text is parsed by hand.
 */
#ifndef __AES67_RTSP_DESCRIBE_H__
#define __AES67_RTSP_DESCRIBE_H__

#include <gio/gio.h>

G_BEGIN_DECLS
/* Largest SDP the client accepts, in bytes */
#define AES67_RTSP_MAX_SDP 16384
typedef struct _Aes67RtspServer Aes67RtspServer;

/* Connections served at once by default; more are closed on accept */
#define AES67_RTSP_DEFAULT_MAX_CONNECTIONS 64
/* Default idle timeout in ms: a connection that does not complete a request
 * (or read its answer) within it is closed */
#define AES67_RTSP_DEFAULT_IDLE_TIMEOUT_MS 5000

/* Listens on TCP @port (0: any free port) of every IPv4 address of the
 * calling thread's network namespace and answers OPTIONS and DESCRIBE on
 * /by-name/<name>. Clients are served concurrently, each on a thread of a
 * pool: up to @max_connections at once (a connection beyond that is closed
 * as soon as it is accepted), each closed when a request has not arrived
 * in full, or its answer not been taken, within @idle_timeout_ms of the
 * connection's start or its last answer. A request without CSeq, or one
 * that cannot be parsed, is answered 400 and one of another RTSP version
 * than 1.0 is answered 505, and the connection is closed. NULL with
 * @error on failure. */
Aes67RtspServer *aes67_rtsp_server_new_full (guint16 port,
    guint max_connections, guint idle_timeout_ms, GError ** error);
/* the same with the default limits */
Aes67RtspServer *aes67_rtsp_server_new (guint16 port, GError ** error);
void aes67_rtsp_server_free (Aes67RtspServer * server);
guint16 aes67_rtsp_server_get_port (Aes67RtspServer * server);

/* Serves @sdp as session @name (replacing any SDP of that name) / stops. */
void aes67_rtsp_server_set_session (Aes67RtspServer * server,
    const gchar * name, const gchar * sdp);
void aes67_rtsp_server_remove_session (Aes67RtspServer * server,
    const gchar * name);
/* DESCRIBE requests answered (any status) */
guint aes67_rtsp_server_get_requests (Aes67RtspServer * server);
/* Connections open now / closed on accept because max_connections were
 * open / closed for being idle, since the server started */
guint aes67_rtsp_server_get_connections (Aes67RtspServer * server);
guint aes67_rtsp_server_get_refused (Aes67RtspServer * server);
guint aes67_rtsp_server_get_idle_closed (Aes67RtspServer * server);

/* The path of session @name: "/by-name/" and the name percent-encoded */
gchar *aes67_rtsp_session_path (const gchar * name);

/* DESCRIBE rtsp://@host:@port/by-name/@name; the SDP (NUL-terminated), or
 * NULL with @error (connection, status other than 200, no SDP body or one
 * larger than AES67_RTSP_MAX_SDP) within @timeout_us. Blocking. */
gchar *aes67_rtsp_describe (const gchar * host, guint16 port,
    const gchar * name, gint64 timeout_us, GError ** error);

G_END_DECLS
#endif /* __AES67_RTSP_DESCRIBE_H__ */
