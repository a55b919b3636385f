/* gst-aes67 tests: the sending host of a SAP test, a live stream sent with
 * aes67sink and announced with sapannounce, in a test network's host.
 */
#ifndef __SAP_TEST_HOST_H__
#define __SAP_TEST_HOST_H__

#include <gst/check/gstcheck.h>
#include "aes67-testnet.h"

/* @e to @state inside @host of @net (the state change's result is not
 * checked) */
static G_GNUC_UNUSED void
sap_test_set_state_in (Aes67TestNet * net, guint host, GstElement * e,
    GstState state)
{
  fail_unless (aes67_test_net_enter (net, host));
  gst_element_set_state (e, state);
  fail_unless (aes67_test_net_leave ());
}

/* A live tone (L24 stereo) sent with aes67sink (named "sink") to
 * @address:@port from eth0 of @host, playing; its SDP in @sdp */
static G_GNUC_UNUSED GstElement *
sap_test_start_live_sender (Aes67TestNet * net, guint host,
    const gchar * name, const gchar * address, guint port, gchar ** sdp)
{
  gchar *desc = g_strdup_printf ("audiotestsrc is-live=true ! "
      "audio/x-raw,rate=48000,channels=2 ! aes67sink name=sink address=%s "
      "port=%u encoding=L24 multicast-iface=eth0 session-name=\"%s\"",
      address, port, name);
  GstElement *tx = gst_parse_launch (desc, NULL), *sink;
  gint64 end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  fail_unless (tx != NULL);
  g_free (desc);
  sap_test_set_state_in (net, host, tx, GST_STATE_PLAYING);
  sink = gst_bin_get_by_name (GST_BIN (tx), "sink");
  *sdp = NULL;
  while (!*sdp && g_get_monotonic_time () < end) {
    g_object_get (sink, "sdp", sdp, NULL);
    if (!*sdp)
      g_usleep (10000);
  }
  gst_object_unref (sink);
  fail_unless (*sdp != NULL, "no SDP from aes67sink in 3 s");
  return tx;
}

/* sapannounce announcing @sdp on eth0 every @interval s, not started */
static G_GNUC_UNUSED GstElement *
sap_test_make_announcer (const gchar * sdp, guint interval)
{
  GstElement *a = gst_element_factory_make ("sapannounce", NULL);

  fail_unless (a != NULL);
  g_object_set (a, "sdp", sdp, "interval", interval, "multicast-iface",
      "eth0", "auto", FALSE, NULL);
  return a;
}

#endif /* __SAP_TEST_HOST_H__ */
