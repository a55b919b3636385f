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

/* A UDP socket set up to send IPv4 datagrams: DSCP @dscp (0-63, written
 * to the IP header's TOS byte as RFC 2474 places it; 0: left alone), TTL
 * @ttl (hops), and when
 * @multicast the multicast TTL @ttl, multicast loopback @loop and, when
 * @iface is neither NULL nor "", the multicast interface @iface. Bound to
 * @origin (a dotted-quad IPv4 address; NULL: not bound) so that packets
 * leave from the address a session description names (RFC 4566 o=,
 * RFC 4570 source-filter, RFC 2974's originating source); otherwise the
 * kernel may choose another address of the host for multicast.
 *
 * NULL with @error otherwise: G_IO_ERROR_INVALID_ARGUMENT when @iface
 * cannot carry multicast (no such interface), G_IO_ERROR_FAILED when no
 * socket can be made or @origin cannot be bound; each message is a
 * sentence that names the setting. When the kernel refuses the DSCP, the
 * socket is still returned and *@dscp_error (when not NULL) is set. */
GSocket *aes67_net_send_socket (const gchar * origin, guint ttl, guint dscp,
    const gchar * iface, gboolean loop, gboolean multicast,
    GError ** dscp_error, GError ** error);

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
