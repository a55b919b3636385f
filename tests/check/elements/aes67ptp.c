/* gst-aes67: the AES67 media clock end to end, on real ptp4l
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Host 0: a ptp4l grandmaster. Hosts 1, 2, 3: a free-running ptp4l slave
 * each, and a pipeline with ptpclock (linuxptp backend) on it: host 1
 * sends (aes67sink), hosts 2 and 3 receive (aes67src). Host 4 later runs a
 * better grandmaster. All hosts share CLOCK_REALTIME, which the grandmaster
 * puts on the wire as it is: the true PTP time is known to every host, so
 * the checks are exact (within 1 sample, 20.8 µs at 48 kHz).
 *
 * Needs root, ptp4l, pmc and setpriv; exits 77 (skip) saying why otherwise.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <string.h>

#include "aes67-roundtrip.h"
#include "aes67-testnet.h"
#include "aes67-ptp4l.h"

#define GROUP "239.69.30.1"
#define PORT 5004
#define LINK_OFFSET_MS 20
#define ONE_SAMPLE_NS 20834

static Aes67TestNet *net;
static gchar *tmpdir;

static void
setup (void)
{
  GError *err = NULL;

  tmpdir = aes67_ptp4l_dir_new ("ptpe2e");
  fail_unless (tmpdir != NULL);
  net = aes67_test_net_new ("e2e", 5, &err);
  if (!net)
    fail ("cannot make the test network: %s", err->message);
}

static void
teardown (void)
{
  aes67_ptp4l_dir_free (tmpdir);
  tmpdir = NULL;
  aes67_test_net_free (net);
  net = NULL;
}

static gchar *
wait_sdp (GstElement * sink, const gchar * needle, guint timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  gchar *sdp = NULL;

  while (g_get_monotonic_time () < end) {
    g_free (sdp);
    g_object_get (sink, "sdp", &sdp, NULL);
    if (sdp && strstr (sdp, needle))
      return sdp;
    g_usleep (50000);
  }
  fail ("no SDP with \"%s\" in %u s; last:\n%s", needle, timeout_s,
      GST_STR_NULL (sdp));
  return NULL;
}

/* RTP timestamps on the wire, received in host @host: every packet's RTP
 * time is the PTP time of capture of its first sample, in samples */
static void
check_rtp_times (guint host, GstClockTime tx_base, gint * worst_out)
{
  GSocket *sock;
  GError *err = NULL;
  gint i, checked = 0, worst = 0;

  sock = aes67_test_net_join (net, host, GROUP, PORT, 3, &err);
  fail_unless (sock != NULL, "%s", err ? err->message : "");

  for (i = 0; i < 600; i++) {
    guint8 buf[2048];
    gssize len = g_socket_receive (sock, (gchar *) buf, sizeof (buf), NULL,
        NULL);
    guint32 ts;
    guint16 v;
    guint64 now_frames, idx, cap, expect;
    gint64 approx;
    gint diff;

    fail_unless (len == 12 + 96, "packet of %zd bytes", len);
    ts = GST_READ_UINT32_BE (buf + 4);
    v = GST_READ_UINT16_BE (buf + 12);
    /* the sample index of the first sample (value v = index mod 2^16),
     * the one nearest to where the RTP time says it is */
    now_frames = gst_util_uint64_scale (tx_base, 48000, GST_SECOND);
    /* samples since the base time (signed: the first packet starts before
     * it, with the silent lead-in) */
    approx = (gint32) (ts - (guint32) now_frames);
    if (approx < 0)
      continue;                 /* the first packet: its lead-in is silence */
    idx = approx - (gint16) ((guint16) approx - v);
    cap = tx_base + gst_util_uint64_scale (idx, GST_SECOND, 48000);
    expect = gst_util_uint64_scale (cap, 48000, GST_SECOND);
    diff = (gint32) (ts - (guint32) expect);

    if (ABS (diff) > worst)
      worst = ABS (diff);
    checked++;
  }
  g_object_unref (sock);
  fail_unless (checked > 500, "%d packets checked", checked);
  *worst_out = worst;
}

static void
free_pipe (GstElement * p)
{
  if (p) {
    gst_element_set_state (p, GST_STATE_NULL);
    gst_object_unref (p);
  }
}

static GstElement *
receiver (guint host, const gchar * sock, const gchar * sdp,
    const gchar * extra, Playout * pl, GstClockTime tx_base)
{
  gchar *desc;
  GstElement *p, *src, *out;

  desc = g_strdup_printf ("ptpclock backend=linuxptp uds-path=%s/%s "
      "domain=0 sync-timeout=30 aes67src name=src multicast-iface=eth0 "
      "latency=%u %s ! appsink name=out sync=true processing-deadline=0 "
      "emit-signals=true", tmpdir, sock, LINK_OFFSET_MS, extra);
  p = gst_parse_launch (desc, NULL);
  g_free (desc);
  src = gst_bin_get_by_name (GST_BIN (p), "src");
  out = gst_bin_get_by_name (GST_BIN (p), "out");
  g_object_set (src, "sdp", sdp, NULL);
  memset (pl, 0, sizeof (*pl));
  g_mutex_init (&pl->lock);
  pl->pipe = p;
  pl->tx_base = tx_base;
  g_signal_connect (out, "new-sample", G_CALLBACK (playout_sample), pl);
  gst_object_unref (src);
  gst_object_unref (out);
  fail_unless (aes67_test_net_enter (net, host));
  gst_element_set_state (p, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  fail_if (gst_element_get_state (p, NULL, NULL, 40 * GST_SECOND) ==
      GST_STATE_CHANGE_FAILURE);
  return p;
}

static const gchar *
playout_of (GstElement * p)
{
  GstElement *src = gst_bin_get_by_name (GST_BIN (p), "src");
  GstStructure *st;
  static gchar buf[32];

  g_object_get (src, "stats", &st, NULL);
  g_strlcpy (buf, gst_structure_get_string (st, "playout"), sizeof (buf));
  gst_structure_free (st);
  gst_object_unref (src);
  return buf;
}

static gboolean
has_warning (GstElement * p, const gchar * text)
{
  GstBus *bus = gst_element_get_bus (p);
  GstMessage *m;
  gboolean found = FALSE;

  while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING))) {
    GError *err = NULL;
    gst_message_parse_warning (m, &err, NULL);
    if (strstr (err->message, text))
      found = TRUE;
    g_error_free (err);
    gst_message_unref (m);
  }
  gst_object_unref (bus);
  return found;
}

GST_START_TEST (test_media_clock_end_to_end)
{
  static const gchar *const slaves[] = { "s1.sock", "s2.sock", "s3.sock",
    NULL
  };
  GPid gm = 0, gm2 = 0, s[4] = { 0, };
  Aes67Ptp4lNudger *nudger;
  GstElement *tx, *appsrc, *sink, *rx[2], *bad, *ign;
  Playout pl[2], plb, pli;
  gchar *gm_id, *gm2_id, *needle, *sdp, *sdp2, *bad_sdp, *desc;
  guint64 counter = 0;
  GstClockTime tx_base;
  gint worst_rtp = 99;
  guint r;

  gm = aes67_ptp4l_start (net, tmpdir, 0, "gm", 0, "priority1 1\n");
  for (r = 1; r <= 3; r++) {
    gchar *name = g_strdup_printf ("s%u", r);
    s[r] = aes67_ptp4l_start (net, tmpdir, r, name, 0,
        "slaveOnly 1\nfree_running 1\n");
    g_free (name);
  }
  nudger = aes67_ptp4l_nudger_start (tmpdir, slaves, 0);
  gm_id = aes67_ptp4l_clock_eui64 (tmpdir, "gm.sock", 0);
  fail_unless (gm_id != NULL);

  /* the sender on host 1: counting audio, 1 ms L16 mono, on PTP */
  desc = g_strdup_printf ("ptpclock backend=linuxptp uds-path=%s/s1.sock "
      "domain=0 sync-timeout=30 appsrc name=src is-live=true format=time "
      "caps=audio/x-raw,format=S16BE,rate=48000,channels=1,layout=interleaved"
      " max-bytes=4800 ! aes67sink name=sink address=" GROUP " port=%u "
      "multicast-iface=eth0", tmpdir, PORT);
  tx = gst_parse_launch (desc, NULL);
  g_free (desc);
  appsrc = gst_bin_get_by_name (GST_BIN (tx), "src");
  sink = gst_bin_get_by_name (GST_BIN (tx), "sink");
  g_signal_connect (appsrc, "need-data", G_CALLBACK (count_need_data),
      &counter);
  fail_unless (aes67_test_net_enter (net, 1));
  gst_element_set_state (tx, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  fail_if (gst_element_get_state (tx, NULL, NULL, 40 * GST_SECOND) ==
      GST_STATE_CHANGE_FAILURE, "the sender did not start");
  tx_base = gst_element_get_base_time (tx);

  /* 1. the SDP says PTP, with the grandmaster and domain in use */
  needle = g_strdup_printf ("a=ts-refclk:ptp=IEEE1588-2008:%s:0\r\n", gm_id);
  sdp = wait_sdp (sink, needle, 20);
  fail_unless (strstr (sdp, "a=clock-domain:PTPv2 0\r\n") != NULL, "%s", sdp);
  fail_unless (strstr (sdp, "a=mediaclk:direct=0\r\n") != NULL);
  fail_if (strstr (sdp, "localmac") != NULL);
  g_free (needle);

  /* 2. RTP time of every packet = PTP time of capture of its first sample */
  check_rtp_times (2, tx_base, &worst_rtp);
  fail_unless (worst_rtp <= 1, "RTP time off the PTP capture time by %d "
      "samples", worst_rtp);

  /* 3. two receivers in two hosts: media-clock playout, sample-aligned,
   * playout exactly the link offset after capture */
  for (r = 0; r < 2; r++) {
    gchar *sock = g_strdup_printf ("s%u.sock", r + 2);
    rx[r] = receiver (r + 2, sock, sdp, "", &pl[r], tx_base);
    g_free (sock);
  }
  /* until both have played 100 buffers out (2 s on an idle machine) */
  {
    gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    guint least = 0;

    while (least <= 100 && g_get_monotonic_time () < end) {
      g_usleep (20000);
      least = G_MAXUINT;
      for (r = 0; r < 2; r++) {
        g_mutex_lock (&pl[r].lock);
        least = MIN (least, pl[r].n);
        g_mutex_unlock (&pl[r].lock);
      }
    }
  }
  for (r = 0; r < 2; r++) {
    GstQuery *q = gst_query_new_latency ();
    gboolean live;
    GstClockTime min, max;

    fail_unless_equals_string (playout_of (rx[r]), "media-clock");
    fail_unless (gst_element_query (rx[r], q));
    gst_query_parse_latency (q, &live, &min, &max);
    gst_query_unref (q);
    fail_unless_equals_uint64 (min, LINK_OFFSET_MS * GST_MSECOND);
    g_mutex_lock (&pl[r].lock);
    fail_unless (pl[r].n > 100, "receiver %u: %u buffers", r, pl[r].n);
    fail_unless (pl[r].worst_ns <= ONE_SAMPLE_NS, "receiver %u: output time "
        "off the PTP capture time by %" G_GINT64_FORMAT " ns", r,
        pl[r].worst_ns);
    g_mutex_unlock (&pl[r].lock);
  }
  g_print ("ptp end to end: RTP vs capture %d samples; receivers %u and %u "
      "buffers, worst |PTS + base - capture| %" G_GINT64_FORMAT " and %"
      G_GINT64_FORMAT " ns (1 sample = %d ns)\n", worst_rtp, pl[0].n,
      pl[1].n, pl[0].worst_ns, pl[1].worst_ns, ONE_SAMPLE_NS);

  /* 4. an SDP naming another grandmaster: a warning, arrival playout; with
   * ignore-grandmaster, the media clock */
  bad_sdp = g_strdup (sdp);
  memcpy (strstr (bad_sdp, gm_id), "00-11-22-FF-FE-33-44-55", strlen (gm_id));
  bad = receiver (3, "s3.sock", bad_sdp, "", &plb, tx_base);
  fail_unless (has_warning (bad, "grandmaster"));
  fail_unless_equals_string (playout_of (bad), "arrival");
  free_pipe (bad);
  ign = receiver (3, "s3.sock", bad_sdp, "ignore-grandmaster=true", &pli,
      tx_base);
  fail_unless_equals_string (playout_of (ign), "media-clock");
  free_pipe (ign);

  /* 5. a sender on the grandmaster's own machine: ptpclock locks to the
   * local ptp4l in MASTER state, and the SDP names that grandmaster */
  {
    GstElement *gmtx, *gmsink;
    gchar *gmsdp;

    desc = g_strdup_printf ("ptpclock backend=linuxptp uds-path=%s/gm.sock "
        "domain=0 sync-timeout=20 audiotestsrc is-live=true ! "
        "audio/x-raw,rate=48000,channels=2 ! aes67sink name=sink "
        "address=239.69.30.2 multicast-iface=eth0", tmpdir);
    gmtx = gst_parse_launch (desc, NULL);
    g_free (desc);
    gmsink = gst_bin_get_by_name (GST_BIN (gmtx), "sink");
    fail_unless (aes67_test_net_enter (net, 0));
    gst_element_set_state (gmtx, GST_STATE_PLAYING);
    fail_unless (aes67_test_net_leave ());
    needle = g_strdup_printf ("a=ts-refclk:ptp=IEEE1588-2008:%s:0\r\n", gm_id);
    gmsdp = wait_sdp (gmsink, needle, 30);
    fail_unless (has_warning (gmtx, "system clock") == FALSE);
    g_free (gmsdp);
    g_free (needle);
    gst_object_unref (gmsink);
    free_pipe (gmtx);
  }

  /* 6. a better grandmaster: the sender's SDP names it, with a new
   * version */
  gm2 = aes67_ptp4l_start (net, tmpdir, 4, "gm2", 0, "priority1 0\n");
  gm2_id = aes67_ptp4l_clock_eui64 (tmpdir, "gm2.sock", 0);
  fail_unless (gm2_id != NULL);
  needle = g_strdup_printf ("a=ts-refclk:ptp=IEEE1588-2008:%s:0\r\n", gm2_id);
  sdp2 = wait_sdp (sink, needle, 30);
  {
    gchar **o1 = g_strsplit (strstr (sdp, "o=- "), " ", 4);
    gchar **o2 = g_strsplit (strstr (sdp2, "o=- "), " ", 4);
    fail_unless_equals_string (o1[1], o2[1]);   /* same session id */
    fail_if (g_strcmp0 (o1[2], o2[2]) == 0, "version unchanged");
    g_strfreev (o1);
    g_strfreev (o2);
  }
  g_free (needle);

  for (r = 0; r < 2; r++) {
    free_pipe (rx[r]);
    g_mutex_clear (&pl[r].lock);
  }
  free_pipe (tx);
  gst_object_unref (appsrc);
  gst_object_unref (sink);
  aes67_ptp4l_nudger_stop (nudger);
  aes67_ptp4l_stop (tmpdir, &gm);
  aes67_ptp4l_stop (tmpdir, &gm2);
  for (r = 1; r <= 3; r++)
    aes67_ptp4l_stop (tmpdir, &s[r]);
  g_free (gm_id);
  g_free (gm2_id);
  g_free (sdp);
  g_free (sdp2);
  g_free (bad_sdp);
}

GST_END_TEST;

static Suite *
aes67ptp_suite (void)
{
  Suite *s = suite_create ("aes67ptp");
  TCase *tc = tcase_create ("e2e");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 240);
  tcase_add_unchecked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_media_clock_end_to_end);
  return s;
}

int
main (int argc, char **argv)
{
  gchar *why = NULL;

  gst_check_init (&argc, &argv);
  if (!aes67_test_net_check (&why) || !aes67_ptp4l_check (&why)) {
    g_print ("SKIP: the media clock end to end needs namespaces and ptp4l: "
        "%s\n", why);
    g_free (why);
    return 77;
  }
  return gst_check_run_suite (aes67ptp_suite (), "aes67ptp", __FILE__);
}
