/* gst-aes67: SMPTE ST 2022-7 on the sending side: aes67sink sends every
 * packet on two networks ("red" and "blue": two veth links between the
 * same two hosts, network namespaces), identical on both, and says so in
 * its SDP (RFC 7104 a=group:DUP).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The packets are captured in the receiving host with plain sockets, one
 * per network, each joined to its group on its own interface (a packet of
 * one network cannot reach the other's socket), with IP_RECVTOS and
 * IP_RECVTTL to see the DSCP and TTL on the wire. Needs root (CI runs as
 * root); elsewhere exits 77 (skip) saying why.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "aes67-testnet.h"
#include "../../../gst/aes67/aes67-sdp.h"

static Aes67TestNet *net;

typedef struct
{
  guint8 data[2048];
  gsize len;
  gint tos;                     /* -1: not seen */
  gint ttl;
  gchar src[INET_ADDRSTRLEN];
  gint64 rx_ns;                 /* kernel receive time (CLOCK_REALTIME) */
} Pkt;

#define RTP_SEQ(p) GST_READ_UINT16_BE ((p)->data + 2)
#define RTP_TS(p) GST_READ_UINT32_BE ((p)->data + 4)
#define RTP_SSRC(p) GST_READ_UINT32_BE ((p)->data + 8)

/* A socket in the receiving host (1) that sees @group:@port on @iface,
 * with the TOS byte and TTL of each packet */
static GSocket *
open_leg (const gchar * iface, const gchar * group, guint port)
{
  GError *err = NULL;
  GSocket *sock = aes67_test_net_join_iface (net, 1, iface, group, port, 0,
      &err);
  gint one = 1, big = 4 * 1024 * 1024, fd;

  fail_unless (sock != NULL, "cannot join %s on %s: %s", group, iface,
      err ? err->message : "");
  fd = g_socket_get_fd (sock);
  fail_unless (setsockopt (fd, IPPROTO_IP, IP_RECVTOS, &one, sizeof (one))
      == 0);
  fail_unless (setsockopt (fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof (one))
      == 0);
  fail_unless (setsockopt (fd, SOL_SOCKET, SO_TIMESTAMPNS, &one,
          sizeof (one)) == 0);
  /* room for what arrives while the other socket is read (root) */
  setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof (big));
  return sock;
}

/* One packet waiting on @fd into @p; FALSE if none is waiting */
static gboolean
recv_pkt (gint fd, Pkt * p)
{
  struct sockaddr_in from;
  struct iovec iov = { p->data, sizeof (p->data) };
  union
  {
    struct cmsghdr align;
    guint8 buf[256];
  } ctl;
  struct msghdr mh;
  struct cmsghdr *c;
  gssize n;

  memset (&mh, 0, sizeof (mh));
  mh.msg_name = &from;
  mh.msg_namelen = sizeof (from);
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = ctl.buf;
  mh.msg_controllen = sizeof (ctl.buf);
  n = recvmsg (fd, &mh, MSG_DONTWAIT);
  if (n < 0)
    return FALSE;
  p->len = (gsize) n;
  p->tos = p->ttl = -1;
  for (c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS)
      p->tos = *(guint8 *) CMSG_DATA (c);
    else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
      memcpy (&p->ttl, CMSG_DATA (c), sizeof (gint));
    else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec ts;

      memcpy (&ts, CMSG_DATA (c), sizeof (ts));
      p->rx_ns = (gint64) ts.tv_sec * GST_SECOND + ts.tv_nsec;
    }
  }
  inet_ntop (AF_INET, &from.sin_addr, p->src, sizeof (p->src));
  return TRUE;
}

/* Reads both sockets until each has given @n packets (or @timeout_s has
 * passed): into @a and @b (of Pkt*). */
static void
capture (GSocket * sa, GSocket * sb, guint n, GPtrArray * a, GPtrArray * b,
    guint timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  struct pollfd pfd[2];

  pfd[0].fd = g_socket_get_fd (sa);
  pfd[1].fd = g_socket_get_fd (sb);
  while ((a->len < n || b->len < n) && g_get_monotonic_time () < end) {
    guint k;

    pfd[0].events = a->len < n ? POLLIN : 0;
    pfd[1].events = b->len < n ? POLLIN : 0;
    pfd[0].revents = pfd[1].revents = 0;
    if (poll (pfd, 2, 100) <= 0)
      continue;
    for (k = 0; k < 2; k++) {
      GPtrArray *to = k == 0 ? a : b;
      Pkt *p = g_new0 (Pkt, 1);

      while (to->len < n && recv_pkt (pfd[k].fd, p)) {
        g_ptr_array_add (to, p);
        p = g_new0 (Pkt, 1);
      }
      g_free (p);
    }
  }
}

/* Reads @n packets from @s into @a (or until @timeout_s has passed) */
static void
capture1 (GSocket * s, guint n, GPtrArray * a, guint timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  struct pollfd pfd;

  pfd.fd = g_socket_get_fd (s);
  pfd.events = POLLIN;
  while (a->len < n && g_get_monotonic_time () < end) {
    Pkt *p;

    if (poll (&pfd, 1, 100) <= 0)
      continue;
    p = g_new0 (Pkt, 1);
    while (a->len < n && recv_pkt (pfd.fd, p)) {
      g_ptr_array_add (a, p);
      p = g_new0 (Pkt, 1);
    }
    g_free (p);
  }
}

/* Drops what is waiting on @s */
static void
drain (GSocket * s)
{
  Pkt p;

  while (recv_pkt (g_socket_get_fd (s), &p));
}

static GstElement *
start_sender (const gchar * desc)
{
  GError *err = NULL;
  GstElement *tx = gst_parse_launch (desc, &err);

  /* (a property aes67sink lacks is an error here, not a warning) */
  fail_unless (tx != NULL && err == NULL, "%s", err ? err->message : "");
  /* the sockets are made going to READY: in the sending host */
  fail_unless (aes67_test_net_enter (net, 0));
  gst_element_set_state (tx, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  fail_unless (gst_element_get_state (tx, NULL, NULL, 10 * GST_SECOND) ==
      GST_STATE_CHANGE_SUCCESS);
  return tx;
}

static gchar *
wait_sdp (GstElement * tx)
{
  GstElement *s = gst_bin_get_by_name (GST_BIN (tx), "s");
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  gchar *sdp = NULL;

  while (!sdp && g_get_monotonic_time () < end) {
    g_object_get (s, "sdp", &sdp, NULL);
    if (!sdp)
      g_usleep (10000);
  }
  gst_object_unref (s);
  fail_unless (sdp != NULL, "aes67sink made no SDP");
  return sdp;
}

static GstStructure *
sink_stats (GstElement * tx)
{
  GstElement *s = gst_bin_get_by_name (GST_BIN (tx), "s");
  GstStructure *st;

  g_object_get (s, "stats", &st, NULL);
  gst_object_unref (s);
  return st;
}

static guint64
stat_u64 (const GstStructure * st, const gchar * field)
{
  guint64 v = G_MAXUINT64;

  fail_unless (gst_structure_get_uint64 (st, field, &v), "no %s in stats",
      field);
  return v;
}

#define N_PKTS 300

static gint
cmp_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Every packet on both networks, byte for byte the same RTP packet (SSRC,
 * sequence number, timestamp, payload), with the same DSCP and TTL, each
 * from the sender's address on its network; the SDP describes both legs;
 * the statistics count each packet once and each path apart. */
GST_START_TEST (test_two_paths_identical)
{
  GSocket *red = open_leg ("eth0", "239.69.21.1", 5004);
  GSocket *blue = open_leg ("eth1", "239.69.22.1", 5006);
  GPtrArray *a = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *b = g_ptr_array_new_with_free_func (g_free);
  GstElement *tx;
  GstStructure *st;
  Aes67SdpStream sdp;
  GError *err = NULL;
  gchar *text;
  guint i;

  tx = start_sender ("audiotestsrc is-live=true wave=white-noise ! "
      "audio/x-raw,rate=48000,channels=2 ! aes67sink name=s encoding=L24 "
      "address=239.69.21.1 port=5004 multicast-iface=eth0 "
      "secondary-address=239.69.22.1 secondary-port=5006 "
      "secondary-multicast-iface=eth1 ttl=17 dscp=46 session-name=Dup");
  capture (red, blue, N_PKTS, a, b, 20);
  fail_unless_equals_int (a->len, N_PKTS);
  fail_unless_equals_int (b->len, N_PKTS);

  /* both sockets were there before the first packet: the same packets,
   * in the same order, from the first */
  for (i = 0; i < N_PKTS; i++) {
    Pkt *p = g_ptr_array_index (a, i), *q = g_ptr_array_index (b, i);

    fail_unless (p->len == 12 + 288 && q->len == p->len, "packet %u: %"
        G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT " bytes", i, p->len, q->len);
    fail_unless_equals_int (RTP_SEQ (q), RTP_SEQ (p));
    fail_unless_equals_int (RTP_TS (q), RTP_TS (p));
    fail_unless_equals_int (RTP_SSRC (q), RTP_SSRC (p));
    fail_unless (memcmp (p->data, q->data, p->len) == 0, "packet %u (seq %u) "
        "differs between the two networks", i, RTP_SEQ (p));
    if (i > 0) {
      Pkt *prev = g_ptr_array_index (a, i - 1);

      fail_unless_equals_int ((guint16) (RTP_SEQ (prev) + 1), RTP_SEQ (p));
      fail_unless_equals_int (RTP_TS (prev) + 48, RTP_TS (p));
      fail_unless_equals_int (RTP_SSRC (prev), RTP_SSRC (p));
    }
    /* DSCP 46 (EF) in the TOS byte, TTL 17: the same on both paths (a
     * bridge does not route: the TTL arrives as sent) */
    fail_unless_equals_int (p->tos, 46 << 2);
    fail_unless_equals_int (q->tos, 46 << 2);
    fail_unless_equals_int (p->ttl, 17);
    fail_unless_equals_int (q->ttl, 17);
    fail_unless_equals_string (p->src, "198.51.100.1");
    fail_unless_equals_string (q->src, "203.0.113.1");
  }

  /* how far apart the two copies arrive (the secondary is sent right
   * after the primary): a figure for the log, not a bound */
  {
    gint64 *skew = g_new (gint64, N_PKTS);

    for (i = 0; i < N_PKTS; i++)
      skew[i] = ((Pkt *) g_ptr_array_index (b, i))->rx_ns -
          ((Pkt *) g_ptr_array_index (a, i))->rx_ns;
    qsort (skew, N_PKTS, sizeof (gint64), cmp_i64);
    g_print ("secondary copy arrives after the primary: median %"
        G_GINT64_FORMAT " us, p99 %" G_GINT64_FORMAT " us, min %"
        G_GINT64_FORMAT " us, max %" G_GINT64_FORMAT " us (%u packets)\n",
        skew[N_PKTS / 2] / 1000, skew[N_PKTS * 99 / 100] / 1000,
        skew[0] / 1000, skew[N_PKTS - 1] / 1000, N_PKTS);
    g_free (skew);
  }

  /* the SDP: the DUP group and both legs, each with its source */
  text = wait_sdp (tx);
  fail_unless (strstr (text, "\r\na=group:DUP 1 2\r\n") != NULL, "%s", text);
  aes67_sdp_stream_init (&sdp);
  fail_unless (aes67_sdp_parse (text, &sdp, &err), "%s", err ?
      err->message : "");
  fail_unless (sdp.warnings == NULL, "%s", sdp.warnings ? sdp.warnings[0] : "");
  fail_unless_equals_int (sdp.n_media, 2);
  fail_unless_equals_string (sdp.address, "239.69.21.1");
  fail_unless_equals_int (sdp.port, 5004);
  fail_unless_equals_int (sdp.ttl, 17);
  fail_unless_equals_string (sdp.source_filter, "198.51.100.1");
  fail_unless_equals_string (sdp.origin_address, "198.51.100.1");
  fail_unless (sdp.has_secondary);
  fail_unless_equals_string (sdp.secondary_address, "239.69.22.1");
  fail_unless_equals_int (sdp.secondary_port, 5006);
  fail_unless_equals_int (sdp.secondary_ttl, 17);
  fail_unless_equals_string (sdp.secondary_source_filter, "203.0.113.1");
  fail_unless_equals_string (sdp.mid, "1");
  fail_unless_equals_string (sdp.secondary_mid, "2");
  aes67_sdp_stream_clear (&sdp);
  g_free (text);

  /* a packet counts once in packets-sent, and once per path */
  st = sink_stats (tx);
  fail_unless (stat_u64 (st, "packets-sent") >= N_PKTS);
  fail_unless_equals_uint64 (stat_u64 (st, "primary-packets-sent"),
      stat_u64 (st, "packets-sent"));
  fail_unless_equals_uint64 (stat_u64 (st, "secondary-packets-sent"),
      stat_u64 (st, "packets-sent"));
  fail_unless_equals_uint64 (stat_u64 (st, "send-errors"), 0);
  fail_unless_equals_uint64 (stat_u64 (st, "primary-send-errors"), 0);
  fail_unless_equals_uint64 (stat_u64 (st, "secondary-send-errors"), 0);
  fail_unless_equals_uint64 (stat_u64 (st, "packets-dropped"), 0);
  fail_unless_equals_uint64 (stat_u64 (st, "bytes-sent"),
      stat_u64 (st, "packets-sent") * 300);
  gst_structure_free (st);

  gst_element_set_state (tx, GST_STATE_NULL);
  gst_object_unref (tx);
  g_ptr_array_unref (a);
  g_ptr_array_unref (b);
  g_object_unref (red);
  g_object_unref (blue);
}

GST_END_TEST;

/* secondary-port 0 (the default) is the same port as port; the secondary
 * network going down costs the primary nothing: its packets go on, the
 * failed sends are counted on the secondary path alone, with a warning
 * that names it, and the secondary resumes when its network returns. */
GST_START_TEST (test_secondary_down)
{
  GSocket *red = open_leg ("eth0", "239.69.23.1", 5004);
  GSocket *blue = open_leg ("eth1", "239.69.24.1", 5004);
  GPtrArray *a = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *b = g_ptr_array_new_with_free_func (g_free);
  GstElement *tx;
  GstStructure *st;
  GstBus *bus;
  GstMessage *m;
  Aes67SdpStream sdp;
  gchar *text, *dbg = NULL;
  GError *err = NULL;
  guint64 sent0, errors2, sent2;
  gboolean seen;
  gint64 end;

  tx = start_sender ("audiotestsrc is-live=true ! "
      "audio/x-raw,rate=48000,channels=2 ! aes67sink name=s encoding=L24 "
      "address=239.69.23.1 multicast-iface=eth0 "
      "secondary-address=239.69.24.1 secondary-multicast-iface=eth1");
  bus = gst_element_get_bus (tx);
  text = wait_sdp (tx);
  aes67_sdp_stream_init (&sdp);
  fail_unless (aes67_sdp_parse (text, &sdp, &err));
  fail_unless (sdp.has_secondary);
  fail_unless_equals_int (sdp.port, 5004);
  fail_unless_equals_int (sdp.secondary_port, 5004);
  aes67_sdp_stream_clear (&sdp);
  g_free (text);
  capture (red, blue, 50, a, b, 20);
  fail_unless_equals_int (a->len, 50);
  fail_unless_equals_int (b->len, 50);

  /* the blue network goes (the sender's link to it) */
  fail_unless (aes67_test_net_run (net, 0, "ip link set eth1 down", NULL,
          &err), "%s", err ? err->message : "");
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  do {
    st = sink_stats (tx);
    errors2 = stat_u64 (st, "secondary-send-errors");
    gst_structure_free (st);
    if (errors2 < 20)
      g_usleep (20000);
  } while (errors2 < 20 && g_get_monotonic_time () < end);
  fail_unless (errors2 >= 20, "no send errors on the secondary path while "
      "its link is down (%" G_GUINT64_FORMAT ")", errors2);
  /* a warning that names the secondary path (and none the primary) */
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  seen = FALSE;
  while (!seen && g_get_monotonic_time () < end) {
    m = gst_bus_timed_pop_filtered (bus, 100 * GST_MSECOND,
        GST_MESSAGE_WARNING);
    if (!m)
      continue;
    gst_message_parse_warning (m, &err, &dbg);
    fail_if (strstr (err->message, "primary") != NULL, "%s", err->message);
    seen = strstr (err->message, "on the secondary path") != NULL
        && strstr (err->message, "239.69.24.1:5004") != NULL;
    g_clear_error (&err);
    g_free (dbg);
    gst_message_unref (m);
  }
  fail_unless (seen, "no warning about the secondary path");

  /* the primary goes on, unharmed */
  drain (red);
  g_ptr_array_set_size (a, 0);
  capture1 (red, 100, a, 20);
  fail_unless_equals_int (a->len, 100);
  st = sink_stats (tx);
  sent0 = stat_u64 (st, "packets-sent");
  fail_unless_equals_uint64 (stat_u64 (st, "primary-send-errors"), 0);
  fail_unless_equals_uint64 (stat_u64 (st, "packets-dropped"), 0);
  fail_unless_equals_uint64 (stat_u64 (st, "primary-packets-sent"), sent0);
  fail_unless (stat_u64 (st, "secondary-packets-sent") + 20 <= sent0);
  fail_unless_equals_uint64 (stat_u64 (st, "send-errors"),
      stat_u64 (st, "secondary-send-errors"));
  sent2 = stat_u64 (st, "secondary-packets-sent");
  gst_structure_free (st);

  /* and the blue network returns */
  fail_unless (aes67_test_net_run (net, 0, "ip link set eth1 up", NULL,
          &err), "%s", err ? err->message : "");
  drain (blue);
  g_ptr_array_set_size (b, 0);
  capture1 (blue, 50, b, 20);
  fail_unless (b->len == 50, "the secondary path did not resume (%u "
      "packets)", b->len);
  st = sink_stats (tx);
  fail_unless (stat_u64 (st, "secondary-packets-sent") >= sent2 + 50);
  gst_structure_free (st);
  fail_if (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) != NULL);

  gst_element_set_state (tx, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (tx);
  g_ptr_array_unref (a);
  g_ptr_array_unref (b);
  g_object_unref (red);
  g_object_unref (blue);
}

GST_END_TEST;

/* A secondary path that receivers could not tell from the primary (the
 * same address, port and source) is refused with an error that says so */
GST_START_TEST (test_same_path_refused)
{
  GError *err = NULL;
  GstElement *tx = gst_parse_launch ("audiotestsrc is-live=true ! "
      "aes67sink name=s address=239.69.25.1 multicast-iface=eth0 "
      "secondary-address=239.69.25.1 secondary-multicast-iface=eth0", &err);
  GstBus *bus;
  GstMessage *m;

  fail_unless (tx != NULL && err == NULL, "%s", err ? err->message : "");
  bus = gst_element_get_bus (tx);
  fail_unless (aes67_test_net_enter (net, 0));
  gst_element_set_state (tx, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  m = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND, GST_MESSAGE_ERROR);
  fail_unless (m != NULL);
  gst_message_parse_error (m, &err, NULL);
  fail_unless (strstr (err->message, "could not tell the two apart") != NULL,
      "%s", err->message);
  g_clear_error (&err);
  gst_message_unref (m);
  gst_element_set_state (tx, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (tx);
}

GST_END_TEST;

static Suite *
aes67dup_suite (void)
{
  Suite *s = suite_create ("aes67dup");
  TCase *tc = tcase_create ("two-networks");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 90);
  tcase_add_test (tc, test_two_paths_identical);
  tcase_add_test (tc, test_secondary_down);
  tcase_add_test (tc, test_same_path_refused);
  return s;
}

int
main (int argc, char **argv)
{
  GError *err = NULL;
  int ret;

  gst_check_init (&argc, &argv);
  net = aes67_test_net_new_or_skip ("dup", 2,
      "ST 2022-7 tests over two networks between network namespaces");
  if (!aes67_test_net_add_network (net, &err)) {
    g_print ("SKIP: cannot add a second network: %s\n", err->message);
    aes67_test_net_free (net);
    return 77;
  }
  /* no forking: the namespaces and this process's threads go together */
  g_setenv ("CK_FORK", "no", TRUE);
  ret = gst_check_run_suite (aes67dup_suite (), "aes67dup", __FILE__);
  aes67_test_net_free (net);
  return ret;
}
