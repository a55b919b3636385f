/* gst-aes67: SMPTE ST 2022-7 on the receiving side: aes67src takes each
 * packet from whichever of two networks brings it, so that losses on one
 * network and a whole network down cost no sample.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two hosts (network namespaces) joined by two networks ("red" eth0 and
 * "blue" eth1). The sender is a thread of this process with two sockets in
 * host 0 that sends the same RTP packets on both networks, paced at 1 ms,
 * carrying a counter signal (frame n of the stream holds n), so that every
 * output sample can be checked. aes67src runs in host 1 with an SDP that
 * has a DUP group. Loss and outages are made with nftables in host 1:
 * - each leg drops about 20 % of its packets, chosen by the RTP sequence
 *   number (its low 6 bits: 0-12 on eth0, 32-44 on eth1), so that the two
 *   patterns never drop the same packet;
 * - then each leg drops everything for 4 s in turn;
 * - then both: stream-lost, and stream-restored when they come back.
 * Needs root (CI runs as root); elsewhere exits 77 (skip) saying why.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/app/gstappsink.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "aes67-testnet.h"

static Aes67TestNet *net;

#define CH 2
#define SB 3
#define FB (CH * SB)
#define FPP 48
#define SSRC 0x20220007u
#define TS0 1000000u
#define SEQ0 0xff00u
#define DEADLINE_S 20

/* the sample of channel 0 of frame @ts (never 0); channel 1 is it with
 * the top bit flipped */
static guint32
sample_of (guint32 ts)
{
  return (ts % 0xfffffeu) + 1;
}

/* ---- the sender: a thread, two sockets in host 0 ---- */

typedef struct
{
  gint fd[2];
  struct sockaddr_in to[2];
  guint pt;
  gint sent;                    /* packets sent (atomic) */
  gint stop;                    /* atomic */
  GThread *thread;
} Sender;

static gint
leg_socket (const gchar * ifname, const gchar * src)
{
  gint fd = socket (AF_INET, SOCK_DGRAM, 0), ttl = 4;
  struct ip_mreqn m = { {0}, };
  struct sockaddr_in sa = { 0, };

  fail_unless (fd >= 0);
  sa.sin_family = AF_INET;
  inet_pton (AF_INET, src, &sa.sin_addr);
  fail_unless (bind (fd, (struct sockaddr *) &sa, sizeof (sa)) == 0,
      "bind %s: %s", src, g_strerror (errno));
  m.imr_ifindex = if_nametoindex (ifname);
  fail_unless (m.imr_ifindex > 0, "no %s", ifname);
  fail_unless (setsockopt (fd, IPPROTO_IP, IP_MULTICAST_IF, &m,
          sizeof (m)) == 0);
  fail_unless (setsockopt (fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
          sizeof (ttl)) == 0);
  return fd;
}

static gpointer
sender_thread (gpointer data)
{
  Sender *s = data;
  gint64 t0 = g_get_monotonic_time ();
  guint8 p[12 + FPP * FB];
  guint k = 0, i, l;

  while (!g_atomic_int_get (&s->stop)) {
    gint64 due = t0 + (gint64) k * 1000;
    gint64 now = g_get_monotonic_time ();
    guint32 ts = TS0 + k * FPP;

    if (due > now) {
      g_usleep (due - now);
      continue;
    }
    p[0] = 0x80;
    p[1] = s->pt;
    GST_WRITE_UINT16_BE (p + 2, (guint16) (SEQ0 + k));
    GST_WRITE_UINT32_BE (p + 4, ts);
    GST_WRITE_UINT32_BE (p + 8, SSRC);
    for (i = 0; i < FPP; i++) {
      guint32 v = sample_of (ts + i);
      guint8 *q = p + 12 + i * FB;

      GST_WRITE_UINT24_BE (q, v);
      GST_WRITE_UINT24_BE (q + 3, v ^ 0x800000);
    }
    /* the same packet on both networks, as aes67sink sends it */
    for (l = 0; l < 2; l++)
      sendto (s->fd[l], p, sizeof (p), 0, (struct sockaddr *) &s->to[l],
          sizeof (s->to[l]));
    k++;
    g_atomic_int_set (&s->sent, (gint) k);
  }
  return NULL;
}

static Sender *
sender_start (guint pt, const gchar * group_a, guint port_a,
    const gchar * group_b, guint port_b)
{
  Sender *s = g_new0 (Sender, 1);
  const gchar *groups[2] = { group_a, group_b };
  guint ports[2] = { port_a, port_b };
  guint l;

  fail_unless (aes67_test_net_enter (net, 0));
  s->fd[0] = leg_socket (net->hosts[0].ifname, net->hosts[0].addr);
  s->fd[1] = leg_socket (net->hosts[0].ifname2, net->hosts[0].addr2);
  fail_unless (aes67_test_net_leave ());
  for (l = 0; l < 2; l++) {
    s->to[l].sin_family = AF_INET;
    s->to[l].sin_port = htons (ports[l]);
    inet_pton (AF_INET, groups[l], &s->to[l].sin_addr);
  }
  s->pt = pt;
  s->thread = g_thread_new ("dup7-sender", sender_thread, s);
  return s;
}

static void
sender_stop (Sender * s)
{
  g_atomic_int_set (&s->stop, 1);
  g_thread_join (s->thread);
  close (s->fd[0]);
  close (s->fd[1]);
  g_free (s);
}

/* waits until @n more packets were sent (about @n ms) */
static void
sender_wait (Sender * s, gint n)
{
  gint until = g_atomic_int_get (&s->sent) + n;

  while (g_atomic_int_get (&s->sent) < until)
    g_usleep (2000);
}

/* ---- the receiver: aes67src ! appsink in host 1 ---- */

typedef struct
{
  GstElement *pipe, *src;
  GMutex lock;
  GByteArray *out;              /* all audio pulled */
  GPtrArray *msgs;              /* GstStructure copies of element msgs */
  GPtrArray *warnings;          /* gchar* */
} Rx;

static GstFlowReturn
on_sample (GstAppSink * sink, gpointer data)
{
  Rx *rx = data;
  GstSample *smp = gst_app_sink_pull_sample (sink);
  GstBuffer *b;
  GstMapInfo map;

  if (!smp)
    return GST_FLOW_ERROR;
  b = gst_sample_get_buffer (smp);
  if (gst_buffer_map (b, &map, GST_MAP_READ)) {
    g_mutex_lock (&rx->lock);
    g_byte_array_append (rx->out, map.data, map.size);
    g_mutex_unlock (&rx->lock);
    gst_buffer_unmap (b, &map);
  }
  gst_sample_unref (smp);
  return GST_FLOW_OK;
}

static GstBusSyncReply
on_message (GstBus * bus, GstMessage * m, gpointer data)
{
  Rx *rx = data;

  g_mutex_lock (&rx->lock);
  if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT) {
    const GstStructure *st = gst_message_get_structure (m);

    if (st && !gst_structure_has_name (st, "aes67-stats"))
      g_ptr_array_add (rx->msgs, gst_structure_copy (st));
  } else if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING ||
      GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
    GError *e = NULL;

    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING)
      gst_message_parse_warning (m, &e, NULL);
    else
      gst_message_parse_error (m, &e, NULL);
    g_ptr_array_add (rx->warnings, g_strdup (e->message));
    g_error_free (e);
  }
  g_mutex_unlock (&rx->lock);
  return GST_BUS_DROP;
}

static Rx *
rx_start (const gchar * sdp)
{
  Rx *rx = g_new0 (Rx, 1);
  GError *err = NULL;
  GstElement *sink;
  GstBus *bus;
  GstAppSinkCallbacks cb = { NULL, NULL, on_sample, };

  g_mutex_init (&rx->lock);
  rx->out = g_byte_array_new ();
  rx->msgs = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_structure_free);
  rx->warnings = g_ptr_array_new_with_free_func (g_free);
  /* a generous link offset: a busy 2-core machine must not make packets
   * late (that would be concealment, which is not what is tested here) */
  rx->pipe = gst_parse_launch ("aes67src name=src multicast-iface=eth0 "
      "secondary-multicast-iface=eth1 latency=200 timeout=500 "
      "stats-interval=0 ! appsink name=sink sync=false", &err);
  fail_unless (rx->pipe != NULL && err == NULL, "%s", err ? err->message : "");
  rx->src = gst_bin_get_by_name (GST_BIN (rx->pipe), "src");
  g_object_set (rx->src, "sdp", sdp, NULL);
  sink = gst_bin_get_by_name (GST_BIN (rx->pipe), "sink");
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &cb, rx, NULL);
  gst_object_unref (sink);
  bus = gst_element_get_bus (rx->pipe);
  gst_bus_set_sync_handler (bus, on_message, rx, NULL);
  gst_object_unref (bus);
  /* the sockets are made going to READY: in the receiving host */
  fail_unless (aes67_test_net_enter (net, 1));
  gst_element_set_state (rx->pipe, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  fail_unless (gst_element_get_state (rx->pipe, NULL, NULL, 10 * GST_SECOND)
      != GST_STATE_CHANGE_FAILURE);
  return rx;
}

static void
rx_stop (Rx * rx)
{
  gst_element_set_state (rx->pipe, GST_STATE_NULL);
  gst_object_unref (rx->src);
  gst_object_unref (rx->pipe);
  g_byte_array_unref (rx->out);
  g_ptr_array_unref (rx->msgs);
  g_ptr_array_unref (rx->warnings);
  g_mutex_clear (&rx->lock);
  g_free (rx);
}

/* how many element messages named @name (and, if @path, with that path) */
static guint
rx_count (Rx * rx, const gchar * name, const gchar * path)
{
  guint i, n = 0;

  g_mutex_lock (&rx->lock);
  for (i = 0; i < rx->msgs->len; i++) {
    GstStructure *st = g_ptr_array_index (rx->msgs, i);

    if (gst_structure_has_name (st, name) && (!path ||
            !g_strcmp0 (gst_structure_get_string (st, "path"), path)))
      n++;
  }
  g_mutex_unlock (&rx->lock);
  return n;
}

/* the last message named @name for @path (a copy), or NULL */
static GstStructure *
rx_last (Rx * rx, const gchar * name, const gchar * path)
{
  GstStructure *ret = NULL;
  guint i;

  g_mutex_lock (&rx->lock);
  for (i = 0; i < rx->msgs->len; i++) {
    GstStructure *st = g_ptr_array_index (rx->msgs, i);

    if (gst_structure_has_name (st, name) && (!path ||
            !g_strcmp0 (gst_structure_get_string (st, "path"), path))) {
      if (ret)
        gst_structure_free (ret);
      ret = gst_structure_copy (st);
    }
  }
  g_mutex_unlock (&rx->lock);
  return ret;
}

static void
rx_wait_count (Rx * rx, const gchar * name, const gchar * path, guint n)
{
  gint64 end = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  while (rx_count (rx, name, path) < n) {
    fail_unless (g_get_monotonic_time () < end, "no %s (%s) within %d s",
        name, path ? path : "", DEADLINE_S);
    g_usleep (10000);
  }
}

static GstStructure *
rx_stats (Rx * rx)
{
  GstStructure *st = NULL;

  g_object_get (rx->src, "stats", &st, NULL);
  fail_unless (st != NULL);
  return st;
}

static guint64
stat_u64 (const GstStructure * st, const gchar * f)
{
  guint64 v = 0;
  gint64 i = 0;

  if (gst_structure_get_uint64 (st, f, &v))
    return v;
  fail_unless (gst_structure_get_int64 (st, f, &i), "no %s in %"
      GST_PTR_FORMAT, f, st);
  fail_unless (i >= 0);
  return (guint64) i;
}

/* waits until both paths are receiving */
static void
rx_wait_both (Rx * rx)
{
  gint64 end = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  for (;;) {
    GstStructure *st = rx_stats (rx);
    gboolean ok = !g_strcmp0 (gst_structure_get_string (st, "primary-state"),
        "receiving") &&
        !g_strcmp0 (gst_structure_get_string (st, "secondary-state"),
        "receiving");

    if (!ok && g_get_monotonic_time () >= end)
      fail ("both paths not receiving within %d s: %" GST_PTR_FORMAT,
          DEADLINE_S, st);
    gst_structure_free (st);
    if (ok)
      return;
    g_usleep (10000);
  }
}

/* The output from its first sample of audio on must be the counter signal
 * without a gap, up to the frame of RTP time @end_ts (which must have been
 * played by then: waits for it). Returns the number of frames checked. */
static guint
check_output (Rx * rx, guint32 end_ts)
{
  gint64 end = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  guint first = 0, i, n;
  guint32 v0 = 0, want_last = sample_of (end_ts);

  for (;;) {
    gboolean done = FALSE;

    g_mutex_lock (&rx->lock);
    n = rx->out->len / FB;
    for (i = 0; i < n && v0 == 0; i++) {
      v0 = GST_READ_UINT24_BE (rx->out->data + i * FB);
      first = i;
    }
    if (v0) {
      /* has the output reached end_ts yet? */
      done = n > first && (guint64) (n - first) > (guint64) (want_last - v0);
    }
    g_mutex_unlock (&rx->lock);
    if (done)
      break;
    fail_unless (g_get_monotonic_time () < end, "the output did not reach "
        "RTP time %u within %d s", end_ts, DEADLINE_S);
    g_usleep (20000);
  }
  fail_unless (v0 - 1 >= TS0 % 0xfffffeu, "the output starts at %u, before "
      "the stream", v0);
  g_mutex_lock (&rx->lock);
  for (i = 0; i <= want_last - v0; i++) {
    const guint8 *q = rx->out->data + (first + i) * FB;
    guint32 want = v0 + i;

    if (GST_READ_UINT24_BE (q) != want ||
        GST_READ_UINT24_BE (q + 3) != (want ^ 0x800000)) {
      guint32 got = GST_READ_UINT24_BE (q);

      g_mutex_unlock (&rx->lock);
      fail ("output frame %u (RTP time %u) holds %u / %u, want %u: a sample "
          "missing or altered", i, want - 1, got, GST_READ_UINT24_BE (q + 3),
          want);
    }
  }
  g_mutex_unlock (&rx->lock);
  return want_last - v0 + 1;
}

/* ---- nftables in host 1 ---- */

static void
nft (const gchar * script)
{
  gchar *path = g_build_filename (g_get_tmp_dir (), "dup7-XXXXXX.nft", NULL);
  gint fd = g_mkstemp (path);
  gchar *cmd;
  GError *err = NULL;

  fail_unless (fd >= 0);
  fail_unless (write (fd, script, strlen (script)) == (gssize) strlen (script));
  close (fd);
  cmd = g_strdup_printf ("nft -f %s", path);
  fail_unless (aes67_test_net_run (net, 1, cmd, NULL, &err), "%s: %s\n%s",
      cmd, err ? err->message : "", script);
  unlink (path);
  g_free (cmd);
  g_free (path);
}

/* packets the rule with comment @what dropped */
static guint64
nft_dropped (const gchar * what)
{
  gchar *out = NULL, *p;
  guint64 n = 0;

  fail_unless (aes67_test_net_run (net, 1, "nft list table inet dup7", &out,
          NULL));
  p = strstr (out, what);
  fail_unless (p != NULL, "no rule %s in\n%s", what, out);
  /* "... counter packets N bytes M drop comment "what"" */
  while (p > out && strncmp (p, "packets ", 8) != 0)
    p--;
  fail_unless (p > out);
  n = g_ascii_strtoull (p + 8, NULL, 10);
  g_free (out);
  return n;
}

static void
nft_setup (void)
{
  gchar *s = g_strdup ("table inet dup7 {\n"
      "  chain loss { type filter hook prerouting priority -300; }\n"
      "  chain down { type filter hook prerouting priority -290; }\n"
      "}\n" "flush chain inet dup7 loss\nflush chain inet dup7 down\n");

  nft (s);
  g_free (s);
}

/* About 20 % on each leg, never the same sequence number on both: the
 * RTP sequence number's low byte is transport header bits 88-95 (8 bytes
 * of UDP header, then byte 3 of RTP); its low 6 bits 0-12 on eth0, 32-44
 * on eth1 (13 of 64 each). */
static void
nft_loss (guint port_a, guint port_b, gboolean on)
{
  gchar *s;

  if (!on) {
    nft ("flush chain inet dup7 loss\n");
    return;
  }
  s = g_strdup_printf ("add rule inet dup7 loss iifname \"eth0\" udp dport %u "
      "@th,90,6 0-12 counter drop comment \"loss-a\"\n"
      "add rule inet dup7 loss iifname \"eth1\" udp dport %u "
      "@th,90,6 32-44 counter drop comment \"loss-b\"\n", port_a, port_b);
  nft (s);
  g_free (s);
}

static void
nft_down (const gchar * ifname, guint port)
{
  gchar *s = g_strdup_printf ("add rule inet dup7 down iifname \"%s\" "
      "udp dport %u counter drop comment \"down-%s\"\n", ifname, port,
      ifname);

  nft (s);
  g_free (s);
}

static void
nft_up (void)
{
  nft ("flush chain inet dup7 down\n");
}

static gchar *
dup_sdp (const gchar * group_a, guint port_a, const gchar * group_b,
    guint port_b)
{
  return g_strdup_printf ("v=0\r\n"
      "o=- 2022007 1 IN IP4 %s\r\n"
      "s=red/blue\r\n"
      "c=IN IP4 %s/32\r\n"
      "t=0 0\r\n"
      "a=group:DUP 1 2\r\n"
      "m=audio %u RTP/AVP 96\r\n"
      "c=IN IP4 %s/32\r\n"
      "a=rtpmap:96 L24/48000/2\r\n"
      "a=recvonly\r\n"
      "a=ptime:1\r\n"
      "a=framecount:48\r\n"
      "a=mediaclk:direct=0\r\n"
      "a=source-filter: incl IN IP4 %s %s\r\n"
      "a=mid:1\r\n"
      "m=audio %u RTP/AVP 96\r\n"
      "c=IN IP4 %s/32\r\n"
      "a=rtpmap:96 L24/48000/2\r\n"
      "a=recvonly\r\n"
      "a=ptime:1\r\n"
      "a=framecount:48\r\n"
      "a=mediaclk:direct=0\r\n"
      "a=source-filter: incl IN IP4 %s %s\r\n"
      "a=mid:2\r\n", net->hosts[0].addr, group_a, port_a, group_a, group_a,
      net->hosts[0].addr, port_b, group_b, group_b, net->hosts[0].addr2);
}

/* Disjoint 20 % losses on each leg, then each leg down for 4 s in turn:
 * the output is the counter signal, bit-exact, with no sample missing,
 * and samples-concealed, packets-lost stay 0; then both down: stream-lost
 * and stream-restored. */
GST_START_TEST (test_dup_losses_and_outages)
{
  const guint pa = 5004, pb = 5004;
  gchar *sdp = dup_sdp ("239.69.1.10", pa, "239.69.2.10", pb);
  Rx *rx;
  Sender *tx;
  GstStructure *st, *m;
  guint64 drop_a, drop_b;
  guint32 end_ts;
  guint frames, w;

  nft_setup ();
  rx = rx_start (sdp);
  tx = sender_start (96, "239.69.1.10", pa, "239.69.2.10", pb);
  rx_wait_both (rx);

  /* 1. disjoint losses, 3 s */
  nft_loss (pa, pb, TRUE);
  sender_wait (tx, 3000);
  drop_a = nft_dropped ("loss-a");
  drop_b = nft_dropped ("loss-b");
  nft_loss (pa, pb, FALSE);
  GST_INFO ("dropped %" G_GUINT64_FORMAT " on eth0, %" G_GUINT64_FORMAT
      " on eth1", drop_a, drop_b);
  /* 13 of 64 of about 3000 each (the rules hit what they should) */
  fail_unless (drop_a >= 500 && drop_b >= 500, "dropped %" G_GUINT64_FORMAT
      " / %" G_GUINT64_FORMAT, drop_a, drop_b);

  /* 2. the primary network down for 4 s */
  nft_down ("eth0", pa);
  rx_wait_count (rx, "path-lost", "primary", 1);
  sender_wait (tx, 4000);
  fail_unless_equals_int (rx_count (rx, "stream-lost", NULL), 0);
  nft_up ();
  rx_wait_count (rx, "path-restored", "primary", 1);
  m = rx_last (rx, "path-lost", "primary");
  fail_unless_equals_string (gst_structure_get_string (m, "address"),
      "239.69.1.10");
  fail_unless_equals_string (gst_structure_get_string (m,
          "other-path-state"), "receiving");
  fail_unless (gst_structure_get_uint (m, "ssrc", &w));
  fail_unless_equals_int (w, SSRC);
  gst_structure_free (m);
  m = rx_last (rx, "path-restored", "primary");
  fail_unless (stat_u64 (m, "lost-duration-ms") >= 4000, "%" GST_PTR_FORMAT, m);
  gst_structure_free (m);

  /* 3. the secondary network down for 4 s */
  nft_down ("eth1", pb);
  rx_wait_count (rx, "path-lost", "secondary", 1);
  sender_wait (tx, 4000);
  fail_unless_equals_int (rx_count (rx, "stream-lost", NULL), 0);
  nft_up ();
  rx_wait_count (rx, "path-restored", "secondary", 1);
  m = rx_last (rx, "path-lost", "secondary");
  fail_unless_equals_string (gst_structure_get_string (m, "address"),
      "239.69.2.10");
  gst_structure_free (m);
  sender_wait (tx, 200);

  /* 4. every sample there, bit-exact, none concealed */
  end_ts = TS0 + (guint32) g_atomic_int_get (&tx->sent) * FPP - 1;
  frames = check_output (rx, end_ts - 100 * FPP);
  GST_INFO ("%u frames checked", frames);
  fail_unless (frames >= 11 * 48000, "only %u frames", frames);
  st = rx_stats (rx);
  GST_INFO ("%" GST_PTR_FORMAT, st);
  fail_unless_equals_uint64 (stat_u64 (st, "samples-concealed"), 0);
  fail_unless_equals_uint64 (stat_u64 (st, "packets-lost"), 0);
  fail_unless_equals_uint64 (stat_u64 (st, "packets-duplicate"), 0);
  fail_unless_equals_uint64 (stat_u64 (st, "packets-late"), 0);
  /* each path lost its 20 % and its 4 s: about 600 + 4000 packets */
  fail_unless (stat_u64 (st, "primary-packets-lost") >= drop_a + 3500,
      "%" GST_PTR_FORMAT, st);
  fail_unless (stat_u64 (st, "secondary-packets-lost") >= drop_b + 3500,
      "%" GST_PTR_FORMAT, st);
  fail_unless (stat_u64 (st, "primary-packets-received") <
      stat_u64 (st, "packets-received"));
  fail_unless_equals_string (gst_structure_get_string (st, "primary-state"),
      "receiving");
  fail_unless_equals_string (gst_structure_get_string (st, "secondary-state"),
      "receiving");
  fail_unless_equals_int (rx_count (rx, "path-lost", NULL), 2);
  fail_unless_equals_int (rx_count (rx, "path-restored", NULL), 2);
  fail_unless_equals_int (rx_count (rx, "stream-lost", NULL), 0);
  gst_structure_free (st);

  /* 5. both down: the stream is lost; back: restored */
  nft_down ("eth0", pa);
  nft_down ("eth1", pb);
  rx_wait_count (rx, "stream-lost", NULL, 1);
  fail_unless_equals_int (rx_count (rx, "path-lost", NULL), 4);
  nft_up ();
  rx_wait_count (rx, "stream-restored", NULL, 1);
  rx_wait_count (rx, "path-restored", NULL, 4);
  sender_wait (tx, 300);
  st = rx_stats (rx);
  fail_unless (stat_u64 (st, "samples-concealed") > 0);
  fail_unless_equals_uint64 (stat_u64 (st, "restored-count"), 1);
  gst_structure_free (st);

  sender_stop (tx);
  rx_stop (rx);
  g_free (sdp);
}

GST_END_TEST;

/* The DUP SDP of aes67-linux-daemon's documentation (README.md, "Support
 * for ST-2022-7", the same text as tests/check/libs/aes67sdp.c's): one
 * group, two ports, each leg from its own source address. Addresses made
 * ours: its sources 192.168.1.17 and .18 are host 0 on eth0 and eth1. */
GST_START_TEST (test_daemon_sdp)
{
  gchar *sdp = g_strdup_printf ("v=0\n"
      "o=- 2831159553 317021570 IN IP4 %s\n"
      "s=Daemon a8c01101 ALSA Source 0\n"
      "t=0 0\n"
      "a=group:DUP 1 2\n"
      "m=audio 5004 RTP/AVP 98\n"
      "c=IN IP4 239.1.0.1/15\n"
      "a=source-filter: incl IN IP4 239.1.0.1 %s\n"
      "a=rtpmap:98 L24/48000/2\n"
      "a=sync-time:0\n"
      "a=framecount:48\n"
      "a=ptime:1\n"
      "a=mediaclk:direct=0\n"
      "a=clock-domain:PTPv2 0\n"
      "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0\n"
      "a=recvonly\n"
      "a=mid:1\n"
      "m=audio 5006 RTP/AVP 98\n"
      "c=IN IP4 239.1.0.1/15\n"
      "a=source-filter: incl IN IP4 239.1.0.1 %s\n"
      "a=rtpmap:98 L24/48000/2\n"
      "a=sync-time:0\n"
      "a=framecount:48\n"
      "a=ptime:1\n"
      "a=mediaclk:direct=0\n"
      "a=clock-domain:PTPv2 0\n"
      "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0\n"
      "a=mid:2\n", net->hosts[0].addr, net->hosts[0].addr,
      net->hosts[0].addr2);
  Rx *rx;
  Sender *tx;
  GstStructure *st;
  guint32 end_ts;
  gint port = 0;

  nft_setup ();
  rx = rx_start (sdp);
  tx = sender_start (98, "239.1.0.1", 5004, "239.1.0.1", 5006);
  rx_wait_both (rx);
  /* the secondary alone for a while: the audio goes on */
  nft_down ("eth0", 5004);
  rx_wait_count (rx, "path-lost", "primary", 1);
  sender_wait (tx, 500);
  nft_up ();
  rx_wait_count (rx, "path-restored", "primary", 1);
  sender_wait (tx, 300);
  end_ts = TS0 + (guint32) g_atomic_int_get (&tx->sent) * FPP - 1;
  check_output (rx, end_ts - 100 * FPP);
  st = rx_stats (rx);
  fail_unless (gst_structure_get_int (st, "secondary-port", &port));
  fail_unless_equals_int (port, 5006);
  fail_unless_equals_uint64 (stat_u64 (st, "samples-concealed"), 0);
  fail_unless_equals_uint64 (stat_u64 (st, "packets-lost"), 0);
  fail_unless_equals_uint64 (stat_u64 (st, "packets-duplicate"), 0);
  fail_unless_equals_uint64 (stat_u64 (st, "secondary-packets-foreign-ssrc"),
      0);
  fail_unless (stat_u64 (st, "secondary-packets-received") > 0);
  gst_structure_free (st);
  sender_stop (tx);
  rx_stop (rx);
  g_free (sdp);
}

GST_END_TEST;

static Suite *
aes67dup7_suite (void)
{
  Suite *s = suite_create ("aes67dup7");
  TCase *tc = tcase_create ("two-networks");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 100);
  tcase_add_test (tc, test_dup_losses_and_outages);
  tcase_add_test (tc, test_daemon_sdp);
  return s;
}

int
main (int argc, char **argv)
{
  GError *err = NULL;
  int ret;

  gst_check_init (&argc, &argv);
  net = aes67_test_net_new_or_skip ("dup7", 2,
      "ST 2022-7 receiving tests over two networks between network "
      "namespaces");
  if (!aes67_test_net_add_network (net, &err)) {
    g_print ("SKIP: cannot add a second network: %s\n", err->message);
    aes67_test_net_free (net);
    return 77;
  }
  if (!aes67_test_net_run (net, 1, "nft list tables", NULL, NULL)) {
    g_print ("SKIP: no nft (nftables) in the namespace\n");
    aes67_test_net_free (net);
    return 77;
  }
  /* no forking: the namespaces and this process's threads go together */
  g_setenv ("CK_FORK", "no", TRUE);
  ret = gst_check_run_suite (aes67dup7_suite (), "aes67dup7", __FILE__);
  aes67_test_net_free (net);
  return ret;
}
