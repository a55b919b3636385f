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

GST_START_TEST (test_multicast_l24_stereo_1ms)
{
  run_multicast ("L24", 48000, 2, 1000, "239.69.10.1");
}

GST_END_TEST;

GST_START_TEST (test_multicast_l16_8ch_125us)
{
  run_multicast ("L16", 48000, 8, 125, "239.69.10.2");
}

GST_END_TEST;

GST_START_TEST (test_multicast_l24_8ch_96k_125us)
{
  run_multicast ("L24", 96000, 8, 125, "239.69.10.3");
}

GST_END_TEST;

GST_START_TEST (test_multicast_l16_mono_96k_1ms)
{
  run_multicast ("L16", 96000, 1, 1000, "239.69.10.4");
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
  tcase_add_test (tc, test_multicast_l24_stereo_1ms);
  tcase_add_test (tc, test_multicast_l16_8ch_125us);
  tcase_add_test (tc, test_multicast_l24_8ch_96k_125us);
  tcase_add_test (tc, test_multicast_l16_mono_96k_1ms);
  tcase_add_test (tc, test_multicast_loss_counted);
  return s;
}

int
main (int argc, char **argv)
{
  gchar *why = NULL;
  GError *err = NULL;
  int ret;
  Suite *s;

  gst_check_init (&argc, &argv);
  if (!aes67_test_net_check (&why)) {
    g_print ("SKIP: multicast tests between network namespaces: %s\n", why);
    g_free (why);
    return 77;
  }
  net = aes67_test_net_new ("rt", 2, &err);
  if (!net) {
    g_print ("SKIP: could not build the test network: %s\n", err->message);
    return 77;
  }
  /* no forking: the namespaces and this process's threads go together */
  g_setenv ("CK_FORK", "no", TRUE);
  s = aes67netns_suite ();
  ret = gst_check_run_suite (s, "aes67netns", __FILE__);
  aes67_test_net_free (net);
  return ret;
}
