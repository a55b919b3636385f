/* gst-aes67: small network look-ups for session descriptions
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __AES67_NET_H__
#define __AES67_NET_H__

#include <gio/gio.h>

G_BEGIN_DECLS
/* The IPv4 address the kernel would send from towards @dest (a routing
 * decision, no packet leaves), or of @iface when given. NULL with @error
 * when there is no route or no such interface. */
    gchar * aes67_net_source_address (const gchar * dest, const gchar * iface,
    GError ** error);

/* The name of the interface holding IPv4 address @addr, or NULL. */
gchar *aes67_net_iface_of_address (const gchar * addr);

/* The MAC of @iface as RFC 7273's localmac writes it ("00-11-22-33-44-55"),
 * or NULL. */
gchar *aes67_net_iface_mac (const gchar * iface);

/* Sends @sock's multicast out of @iface (IP_MULTICAST_IF by interface
 * index). FALSE with @error (its message is strerror's) when there is no
 * such interface or the kernel refuses. */
gboolean aes67_net_set_multicast_iface (GSocket * sock, const gchar * iface,
    GError ** error);

/* Makes the bound IPv4 UDP socket @fd receive multicast group @group (in
 * network byte order) on @iface (NULL or "": the interface the kernel
 * routes the group to): IP_MULTICAST_ALL off, so that only this group's
 * packets arrive even when the process has joined other groups on the same
 * port, then IP_ADD_MEMBERSHIP by interface index. FALSE with @error (a
 * GIOError; the message names the interface or says what the kernel
 * refused, with strerror's text) otherwise. */
gboolean aes67_net_join_group (gint fd, guint32 group, const gchar * iface,
    GError ** error);

G_END_DECLS
#endif /* __AES67_NET_H__ */
