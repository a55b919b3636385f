/* gst-aes67: RAVENNA session publishing and browsing on libavahi-client
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * Sessions are DNS-SD services of type _rtsp._tcp with the subtype
 * _ravenna_session._sub._rtsp._tcp, named after the session; their SDP is
 * served by RTSP DESCRIBE on the service's port (aes67-rtsp-describe.h).
 * Everything runs on an AvahiThreadedPoll; callbacks come from its thread
 * and must not block.
 */
#ifndef __AES67_MDNS_H__
#define __AES67_MDNS_H__

#include <glib.h>

G_BEGIN_DECLS
#define AES67_MDNS_TYPE     "_rtsp._tcp"
#define AES67_MDNS_SUBTYPE  "_ravenna_session._sub._rtsp._tcp"
typedef struct _Aes67Mdns Aes67Mdns;

/* Called when a session service appears (@added, with its host name,
 * IPv4 address and port) or goes (@added FALSE; host and address NULL). */
typedef void (*Aes67MdnsFunc) (const gchar * name, const gchar * host,
    const gchar * address, guint16 port, gboolean added, gpointer user_data);

/* Called from the poll thread (with its lock held: do not call back into
 * @mdns, do not block) when something goes wrong after the fact: a
 * published session's name collides with another device's (@name is the
 * session), publishing fails, avahi-daemon goes away (@name NULL). */
typedef void (*Aes67MdnsWarningFunc) (const gchar * name,
    const gchar * message, gpointer user_data);

/* Connects to avahi-daemon over D-Bus and starts the poll thread. NULL with
 * @error when the daemon cannot be reached. */
Aes67Mdns *aes67_mdns_new (GError ** error);
void aes67_mdns_free (Aes67Mdns * mdns);

/* Where warnings go (none by default); set before publishing or browsing */
void aes67_mdns_set_warning_func (Aes67Mdns * mdns, Aes67MdnsWarningFunc func,
    gpointer user_data);

/* Publishes session @name on RTSP @port / withdraws it. */
gboolean aes67_mdns_publish (Aes67Mdns * mdns, const gchar * name,
    guint16 port, GError ** error);
void aes67_mdns_unpublish (Aes67Mdns * mdns, const gchar * name);

/* Starts browsing for sessions; @func is called from the poll thread. */
gboolean aes67_mdns_browse (Aes67Mdns * mdns, Aes67MdnsFunc func,
    gpointer user_data, GError ** error);

G_END_DECLS
#endif /* __AES67_MDNS_H__ */
