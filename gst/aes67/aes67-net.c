/* gst-aes67: small network look-ups for session descriptions
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "aes67-net.h"

#include <gio/gio.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static gchar *
iface_address (const gchar * iface)
{
  struct ifaddrs *ifa, *it;
  gchar *ret = NULL;

  if (getifaddrs (&ifa) < 0)
    return NULL;
  for (it = ifa; it && !ret; it = it->ifa_next) {
    if (it->ifa_addr && it->ifa_addr->sa_family == AF_INET
        && g_strcmp0 (it->ifa_name, iface) == 0) {
      gchar buf[INET_ADDRSTRLEN];
      struct sockaddr_in *sin = (struct sockaddr_in *) it->ifa_addr;
      if (inet_ntop (AF_INET, &sin->sin_addr, buf, sizeof (buf)))
        ret = g_strdup (buf);
    }
  }
  freeifaddrs (ifa);
  return ret;
}

gchar *
aes67_net_source_address (const gchar * dest, const gchar * iface,
    GError ** error)
{
  struct sockaddr_in sin, local;
  socklen_t len = sizeof (local);
  gchar buf[INET_ADDRSTRLEN];
  gint fd;

  if (iface && *iface) {
    gchar *a = iface_address (iface);
    if (!a)
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
          "interface %s has no IPv4 address", iface);
    return a;
  }
  memset (&sin, 0, sizeof (sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons (9);
  if (inet_pton (AF_INET, dest, &sin.sin_addr) != 1) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "\"%s\" is not an IPv4 address", dest);
    return NULL;
  }
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &sin, sizeof (sin)) < 0
      || getsockname (fd, (struct sockaddr *) &local, &len) < 0) {
    gint e = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e),
        "no route to %s: %s", dest, g_strerror (e));
    if (fd >= 0)
      close (fd);
    return NULL;
  }
  close (fd);
  if (!inet_ntop (AF_INET, &local.sin_addr, buf, sizeof (buf)))
    return NULL;
  return g_strdup (buf);
}

gchar *
aes67_net_iface_of_address (const gchar * addr)
{
  struct ifaddrs *ifa, *it;
  struct in_addr want;
  gchar *ret = NULL;

  if (!addr || inet_pton (AF_INET, addr, &want) != 1 || getifaddrs (&ifa) < 0)
    return NULL;
  for (it = ifa; it && !ret; it = it->ifa_next) {
    if (it->ifa_addr && it->ifa_addr->sa_family == AF_INET
        && ((struct sockaddr_in *) it->ifa_addr)->sin_addr.s_addr ==
        want.s_addr)
      ret = g_strdup (it->ifa_name);
  }
  freeifaddrs (ifa);
  return ret;
}

gchar *
aes67_net_iface_mac (const gchar * iface)
{
  gchar *path, *contents = NULL, *ret = NULL;

  if (!iface || strchr (iface, '/'))
    return NULL;
  path = g_strdup_printf ("/sys/class/net/%s/address", iface);
  if (g_file_get_contents (path, &contents, NULL, NULL)) {
    g_strstrip (contents);
    g_strdelimit (contents, ":", '-');
    ret = g_ascii_strup (contents, -1);
  }
  g_free (contents);
  g_free (path);
  return ret;
}

gboolean
aes67_net_set_multicast_iface (GSocket * sock, const gchar * iface,
    GError ** error)
{
  struct ip_mreqn mreq;
  gint e;

  memset (&mreq, 0, sizeof (mreq));
  mreq.imr_ifindex = if_nametoindex (iface);
  if (mreq.imr_ifindex != 0 && setsockopt (g_socket_get_fd (sock),
          IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof (mreq)) == 0)
    return TRUE;
  e = errno;
  g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (e),
      g_strerror (e));
  return FALSE;
}

GSocket *
aes67_net_send_socket (const gchar * origin, guint ttl, guint dscp,
    const gchar * iface, gboolean loop, gboolean multicast,
    GError ** dscp_error, GError ** error)
{
  GError *err = NULL;
  GSocket *sock;

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, &err);
  if (!sock) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "Could not create a UDP socket: %s.", err->message);
    g_clear_error (&err);
    return NULL;
  }
  if (dscp > 0 && !g_socket_set_option (sock, IPPROTO_IP, IP_TOS,
          (gint) (dscp << 2), &err))
    g_propagate_error (dscp_error, err);
  g_clear_error (&err);
  g_socket_set_ttl (sock, ttl);
  if (multicast) {
    g_socket_set_multicast_ttl (sock, ttl);
    g_socket_set_multicast_loopback (sock, loop);
    if (iface && *iface && !aes67_net_set_multicast_iface (sock, iface, &err)) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "Could not send multicast on interface \"%s\": %s.", iface,
          err->message);
      g_clear_error (&err);
      g_object_unref (sock);
      return NULL;
    }
  }
  if (origin) {
    GInetAddress *src = g_inet_address_new_from_string (origin);
    GSocketAddress *sa;
    gboolean bound;

    if (!src) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
          "Could not send from %s: not an IPv4 address.", origin);
      g_object_unref (sock);
      return NULL;
    }
    sa = g_inet_socket_address_new (src, 0);
    bound = g_socket_bind (sock, sa, FALSE, &err);
    g_object_unref (sa);
    g_object_unref (src);
    if (!bound) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
          "Could not send from %s: %s.", origin, err->message);
      g_clear_error (&err);
      g_object_unref (sock);
      return NULL;
    }
  }
  return sock;
}

gboolean
aes67_net_join_group (gint fd, guint32 group, const gchar * iface,
    GError ** error)
{
  struct ip_mreqn mreq;
  gint zero = 0, e;

  /* a socket bound to the group's port gets every group the process
   * joined on that port unless this is off; failing here only widens what
   * arrives (the caller's address check still applies) */
  (void) setsockopt (fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof (zero));
  memset (&mreq, 0, sizeof (mreq));
  mreq.imr_multiaddr.s_addr = group;
  if (iface && *iface) {
    mreq.imr_ifindex = if_nametoindex (iface);
    if (mreq.imr_ifindex == 0) {
      e = errno;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
          "no interface %s (%s)", iface, g_strerror (e));
      return FALSE;
    }
  }
  if (setsockopt (fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof (mreq)) < 0) {
    e = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e),
        "joining the group on interface %s: %s",
        iface && *iface ? iface : "(any)", g_strerror (e));
    return FALSE;
  }
  return TRUE;
}
