/* gst-aes67: aes67sink -> multicast -> aes67src between two hosts (network
 * namespaces joined by veth links), with loss added by netem
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
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
#include <string.h>

#include "aes67-roundtrip.h"
#include "aes67-testnet.h"

static Aes67TestNet *net;

static void
run_multicast (const gchar * enc, guint rate, guint ch, guint ptime,
    const gchar * group)
{
  RoundTrip rt = { 0, };
  RoundTripResult res;
  guint64 malformed = 1, foreign = 1;
  gint64 lost = 1;

  rt.encoding = enc;
  rt.rate = rate;
  rt.channels = ch;
  rt.ptime_us = ptime;
  rt.address = group;
  rt.iface = "eth0";
  rt.port = 5004;
  rt.frames = rate / 4 + 5;
  rt.net = net;
  rt.tx_host = 0;
  rt.rx_host = 1;
  roundtrip_run (&rt, &res);
  fail_unless (res.match_offset != (gsize) - 1, "%s %u ch %u Hz %u µs over "
      "multicast %s: not bit-exact (%" G_GSIZE_FORMAT " sent, %"
      G_GSIZE_FORMAT " received)", enc, ch, rate, ptime, group,
      g_bytes_get_size (res.sent), g_bytes_get_size (res.received));
  /* the SDP names the sender's address on the link, and the group */
  fail_unless (strstr (res.sdp, "o=- ") && strstr (res.sdp,
          "IN IP4 198.51.100.1\r\n"), "%s", res.sdp);
  fail_unless (strstr (res.sdp, "a=source-filter: incl IN IP4 ") != NULL);
  fail_unless (strstr (res.sdp, group) != NULL);
  gst_structure_get_int64 (res.rx_stats, "packets-lost", &lost);
  gst_structure_get_uint64 (res.rx_stats, "packets-malformed", &malformed);
  gst_structure_get_uint64 (res.rx_stats, "packets-foreign", &foreign);
  fail_unless_equals_int64 (lost, 0);
  fail_unless_equals_uint64 (malformed, 0);
  fail_unless_equals_uint64 (foreign, 0);
  roundtrip_result_clear (&res);
}

/* L16/L24 x 1/2/8 channels x 48/96 kHz x 125 µs/1 ms, multicast from
 * one host to another: bit-exact (the formats over the MTU left out) */
GST_START_TEST (test_multicast_matrix)
{
  RoundTripFormat f[24];
  guint i, n = roundtrip_formats (f);

  fail_unless_equals_int (n, 22);
  for (i = 0; i < n; i++) {
    gchar *group = g_strdup_printf ("239.69.11.%u", i + 1);

    run_multicast (f[i].encoding, f[i].rate, f[i].channels, f[i].ptime_us,
        group);
    g_free (group);
  }
}

GST_END_TEST;

/* The network between sender and receiver vanishes for a second (every
 * packet dropped) and comes back: stream-lost, the pipeline keeps running,
 * stream-restored with the same SSRC, audio again. */
GST_START_TEST (test_network_vanishes)
{
  GstElement *tx, *rx, *appsink;
  GstBus *bus;
  GstMessage *m;
  GstSample *sample;
  gchar *sdp = NULL;
  gboolean same = FALSE;
  guint ssrc_lost = 0, ssrc_back = 1;

  tx = gst_parse_launch ("audiotestsrc is-live=true ! audio/x-raw,rate=48000,"
      "channels=2 ! aes67sink name=s address=239.69.12.1 port=5008 "
      "multicast-iface=eth0 encoding=L24", NULL);
  fail_unless (aes67_test_net_enter (net, 0));
  gst_element_set_state (tx, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  fail_unless (gst_element_get_state (tx, NULL, NULL, 5 * GST_SECOND) !=
      GST_STATE_CHANGE_FAILURE);
  {
    GstElement *s = gst_bin_get_by_name (GST_BIN (tx), "s");
    gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
    while (!sdp && g_get_monotonic_time () < end) {
      g_object_get (s, "sdp", &sdp, NULL);
      g_usleep (10000);
    }
    gst_object_unref (s);
  }
  fail_unless (sdp != NULL);

  rx = gst_parse_launch ("aes67src name=src multicast-iface=eth0 timeout=300 "
      "latency=10 ! appsink name=out sync=false max-buffers=20 drop=true",
      NULL);
  {
    GstElement *src = gst_bin_get_by_name (GST_BIN (rx), "src");
    g_object_set (src, "sdp", sdp, NULL);
    gst_object_unref (src);
  }
  appsink = gst_bin_get_by_name (GST_BIN (rx), "out");
  bus = gst_element_get_bus (rx);
  fail_unless (aes67_test_net_enter (net, 1));
  gst_element_set_state (rx, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  sample = roundtrip_pull_stream_sample (appsink, 10 * GST_SECOND);
  fail_unless (sample != NULL, "no audio before the network went");
  gst_sample_unref (sample);

  /* the network goes */
  fail_unless (aes67_test_net_drop (net, 1, 5008, 1));
  m = roundtrip_wait_element_message (bus, "stream-lost", 10000);
  fail_unless (m != NULL, "no stream-lost while the network was gone");
  gst_structure_get_uint (gst_message_get_structure (m), "ssrc", &ssrc_lost);
  gst_message_unref (m);
  fail_unless_equals_int (GST_STATE (rx), GST_STATE_PLAYING);
  g_usleep (500000);
  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (appsink), 0)))
    gst_sample_unref (sample);

  /* and comes back */
  fail_unless (aes67_test_net_drop (net, 1, 5008, 0));
  m = roundtrip_wait_element_message (bus, "stream-restored", 10000);
  fail_unless (m != NULL, "no stream-restored when the network came back");
  gst_structure_get_uint (gst_message_get_structure (m), "ssrc", &ssrc_back);
  gst_structure_get_boolean (gst_message_get_structure (m), "same-ssrc", &same);
  gst_message_unref (m);
  fail_unless (same);
  fail_unless_equals_int (ssrc_back, ssrc_lost);
  sample = roundtrip_pull_stream_sample (appsink, 10 * GST_SECOND);
  fail_unless (sample != NULL, "no audio after the network came back");
  gst_sample_unref (sample);
  fail_if (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) != NULL);

  gst_element_set_state (tx, GST_STATE_NULL);
  gst_element_set_state (rx, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (appsink);
  gst_object_unref (tx);
  gst_object_unref (rx);
  g_free (sdp);
}

GST_END_TEST;

/* 5 % loss (every 20th packet dropped on the receiving host): the
 * statistics count exactly that, and the audio that arrives is the audio
 * that was sent */
GST_START_TEST (test_multicast_loss_counted)
{
  RoundTrip rt = { 0, };
  RoundTripResult res;
  gint64 lost = 0;
  guint64 received = 0, sent = 0;
  const guint8 *in, *out;
  gsize n, rlen, i, blocks_ok = 0, blocks = 0;

  fail_unless (aes67_test_net_drop (net, 1, 5006, 20),
      "cannot add an nftables drop rule (is nftables installed?)");
  rt.encoding = "L24";
  rt.rate = 48000;
  rt.channels = 2;
  rt.ptime_us = 1000;
  rt.address = "239.69.10.5";
  rt.iface = "eth0";
  rt.port = 5006;
  rt.frames = 48000;
  rt.net = net;
  rt.tx_host = 0;
  rt.rx_host = 1;
  roundtrip_run (&rt, &res);
  aes67_test_net_drop (net, 1, 5006, 0);

  gst_structure_get_int64 (res.rx_stats, "packets-lost", &lost);
  gst_structure_get_uint64 (res.rx_stats, "packets-received", &received);
  gst_structure_get_uint64 (res.tx_stats, "packets-sent", &sent);
  /* 1000 packets, one more if the first starts with a silent lead-in */
  fail_unless (sent == 1000 || sent == 1001, "%" G_GUINT64_FORMAT, sent);
  /* what did not arrive was counted as lost (the last packets' loss is not
   * seen: nothing follows them) */
  fail_unless (received + (guint64) lost <= sent && received +
      (guint64) lost >= sent - 5, "sent %" G_GUINT64_FORMAT " received %"
      G_GUINT64_FORMAT " lost %" G_GINT64_FORMAT, sent, received, lost);
  fail_unless (lost >= 49 && lost <= 51, "lost %" G_GINT64_FORMAT
      " of %" G_GUINT64_FORMAT ", every 20th dropped", lost, sent);

  /* losses became gaps (not in the output); the output is the received
   * packets' audio back to back, 288 bytes each: every one of them is a
   * piece of what was sent, unchanged (but the first, which may begin with
   * the silent lead-in, and the last, padded with silence) */
  in = g_bytes_get_data (res.sent, &n);
  out = g_bytes_get_data (res.received, &rlen);
  fail_unless_equals_int (rlen % 288, 0);
  for (i = 0; i + 288 <= rlen; i += 288) {
    blocks++;
    if (memmem (in, n, out + i, 288))
      blocks_ok++;
  }
  fail_unless_equals_uint64 (blocks, received);
  fail_unless (blocks_ok + 2 >= blocks, "%" G_GSIZE_FORMAT " of %"
      G_GSIZE_FORMAT " received packets carry audio that was sent",
      blocks_ok, blocks);
  roundtrip_result_clear (&res);
}

GST_END_TEST;

static Suite *
aes67netns_suite (void)
{
  Suite *s = suite_create ("aes67netns");
  TCase *tc = tcase_create ("multicast");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_multicast_matrix);
  tcase_add_test (tc, test_network_vanishes);
  tcase_add_test (tc, test_multicast_loss_counted);
  return s;
}

int
main (int argc, char **argv)
{
  int ret;
  Suite *s;

  gst_check_init (&argc, &argv);
  net =
      aes67_test_net_new_or_skip ("rt", 2,
      "multicast tests between network namespaces");
  /* no forking: the namespaces and this process's threads go together */
  g_setenv ("CK_FORK", "no", TRUE);
  s = aes67netns_suite ();
  ret = gst_check_run_suite (s, "aes67netns", __FILE__);
  aes67_test_net_free (net);
  return ret;
}
