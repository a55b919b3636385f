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

/* Listens on TCP @port (0: any free port) of every IPv4 address of the
 * calling thread's network namespace and answers OPTIONS and DESCRIBE on
 * /by-name/<name> on a thread of its own. NULL with @error on failure. */
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

/* The path of session @name: "/by-name/" and the name percent-encoded */
gchar *aes67_rtsp_session_path (const gchar * name);

/* DESCRIBE rtsp://@host:@port/by-name/@name; the SDP (NUL-terminated), or
 * NULL with @error (connection, status other than 200, no SDP body or one
 * larger than AES67_RTSP_MAX_SDP) within @timeout_us. Blocking. */
gchar *aes67_rtsp_describe (const gchar * host, guint16 port,
    const gchar * name, gint64 timeout_us, GError ** error);

G_END_DECLS

#endif /* __AES67_RTSP_DESCRIBE_H__ */
