/* gst-aes67: a flood of 10,000 distinct SAP sessions
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * Host 0 sends 10,000 announcements of distinct sessions over a real link;
 * the browser in host 1 must keep at most max-sessions-per-origin (the
 * default, 512) of them, all from one announcer, grow its process by less
 * than FLOOD_RSS_CAP_KB, and still see a new session announced after the
 * flood at once.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>
#include <gio/gio.h>
#include <gst/check/gstcheck.h>

#include "aes67-sap.h"
#include "aes67-sap-browser.h"
#include "aes67-testnet.h"
#include "../sap-test-events.h"

#define N_FLOOD 10000
/* docs/discovery.md: the browser's sessions, at the default max-sessions
 * (1024) and SDPs of about 400 bytes, take less than 8 MiB */
#define FLOOD_RSS_CAP_KB (8 * 1024)

static Aes67TestNet *net;

static glong
rss_kb (void)
{
  gchar *status = NULL, *p;
  glong kb = -1;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      && (p = strstr (status, "VmRSS:")))
    kb = strtol (p + 6, NULL, 10);
  g_free (status);
  return kb;
}

static void
on_added (GstAes67SapBrowser * b, GstAes67SapSession * s, GAsyncQueue * q)
{
  if (strcmp (s->name, "After the flood") == 0)
    g_async_queue_push (q, gst_aes67_sap_session_ref (s));
}

static gchar *
flood_sdp (guint i)
{
  return g_strdup_printf ("v=0\r\n"
      "o=- %u 1 IN IP4 192.0.2.1\r\n"
      "s=Flood %u\r\n"
      "i=2 channels: Left, Right\r\n"
      "c=IN IP4 239.69.%u.%u/32\r\n"
      "t=0 0\r\n"
      "a=clock-domain:PTPv2 0\r\n"
      "m=audio 5004 RTP/AVP 97\r\n"
      "a=rtpmap:97 L24/48000/2\r\n"
      "a=ptime:1\r\n"
      "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0\r\n"
      "a=mediaclk:direct=0\r\n", 100000 + i, i, (i / 250) % 250, i % 250);
}

GST_START_TEST (test_flood)
{
  GAsyncQueue *q = g_async_queue_new_full ((GDestroyNotify)
      gst_aes67_sap_session_unref);
  GstAes67SapBrowser *b = gst_aes67_sap_browser_new ("eth0", 0);
  const guint8 origin[4] = { 192, 0, 2, 1 };
  GInetAddress *ia = g_inet_address_new_from_string (AES67_SAP_ADDRESS_AES67);
  GSocketAddress *sa = g_inet_socket_address_new (ia, AES67_SAP_PORT);
  GSocket *tx;
  GError *err = NULL;
  GstAes67SapSession *s;
  glong rss0, rss1;
  gint64 t0, t1;
  guint i;
  gchar *sdp;
  guint8 buf[2048];
  gssize n;
  guint64 got;

  g_signal_connect (b, "session-added", G_CALLBACK (on_added), q);
  fail_unless (aes67_test_net_enter (net, 0));
  tx = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, &err);
  fail_unless (aes67_test_net_enter (net, 1));
  fail_unless (gst_aes67_sap_browser_start (b, &err), "%s",
      err ? err->message : "");
  fail_unless (aes67_test_net_leave ());

  rss0 = rss_kb ();
  t0 = g_get_monotonic_time ();
  for (i = 0; i < N_FLOOD; i++) {
    sdp = flood_sdp (i);
    n = aes67_sap_build (AES67_SAP_ANNOUNCE, aes67_sap_msg_id_hash (sdp,
            strlen (sdp)), origin, FALSE, AES67_SAP_PAYLOAD_TYPE, sdp,
        strlen (sdp), FALSE, buf, sizeof (buf));
    fail_unless (g_socket_send_to (tx, sa, (gchar *) buf, n, NULL, &err) == n);
    g_free (sdp);
    /* let the browser catch up every 200 packets (bounded), so a slow
     * build (sanitizers) does not overflow the socket's receive buffer */
    if (i % 200 == 199) {
      gint k;
      for (k = 0; k < 500 && browser_stat (b, "packets") < i + 1; k++)
        g_usleep (2000);
    }
  }
  /* wait until the browser has read what arrived */
  for (i = 0; i < 100; i++) {
    guint64 before = browser_stat (b, "packets");
    g_usleep (100000);
    if (browser_stat (b, "packets") == before && before >= N_FLOOD)
      break;
  }
  t1 = g_get_monotonic_time ();
  rss1 = rss_kb ();
  got = browser_stat (b, "packets");
  g_print ("flood: %" G_GUINT64_FORMAT " of %u packets in %.2f s, "
      "%" G_GUINT64_FORMAT " sessions kept, %" G_GUINT64_FORMAT " evicted, "
      "RSS %ld -> %ld kB (+%ld kB)\n", got, N_FLOOD, (t1 - t0) / 1e6,
      browser_stat (b, "sessions"), browser_stat (b, "evicted"), rss0, rss1,
      rss1 - rss0);
  /* every packet arrived (a real link, paced): a lost one is a failure
   * of the test setup, not of the browser, but it changes the counts */
  fail_unless_equals_int (got, N_FLOOD);
  fail_unless_equals_int (browser_stat (b, "malformed"), 0);
  fail_unless_equals_int (browser_stat (b, "sessions"),
      GST_AES67_SAP_BROWSER_DEFAULT_MAX_SESSIONS_PER_ORIGIN);
  fail_unless_equals_int (browser_stat (b, "announcers"), 1);
  fail_unless_equals_int (browser_stat (b, "evicted"),
      N_FLOOD - GST_AES67_SAP_BROWSER_DEFAULT_MAX_SESSIONS_PER_ORIGIN);
#ifdef __SANITIZE_ADDRESS__
  /* ASan's redzones and quarantine make RSS say nothing about the browser */
  g_print ("RSS cap not checked under AddressSanitizer\n");
#else
  fail_unless (rss1 - rss0 < FLOOD_RSS_CAP_KB, "RSS grew by %ld kB",
      rss1 - rss0);
#endif
  /* the newest sessions are the ones kept */
  s = gst_aes67_sap_browser_find_by_name (b, "Flood 9999");
  fail_unless (s != NULL);
  gst_aes67_sap_session_unref (s);
  fail_unless (gst_aes67_sap_browser_find_by_name (b, "Flood 0") == NULL);

  /* the browser still works: a new session is seen within 1 s */
  sdp = flood_sdp (N_FLOOD);
  {
    gchar *named = g_strdup (sdp);
    gchar *p = strstr (named, "s=Flood 10000");
    fail_unless (p != NULL);
    g_free (sdp);
    *p = 0;
    sdp = g_strdup_printf ("%ss=After the flood%s", named,
        p + strlen ("s=Flood 10000"));
    g_free (named);
  }
  n = aes67_sap_build (AES67_SAP_ANNOUNCE, 1, origin, FALSE, NULL, sdp,
      strlen (sdp), FALSE, buf, sizeof (buf));
  t0 = g_get_monotonic_time ();
  fail_unless (g_socket_send_to (tx, sa, (gchar *) buf, n, NULL, &err) == n);
  s = g_async_queue_timeout_pop (q, G_TIME_SPAN_SECOND);
  fail_unless (s != NULL, "no session-added within 1 s after the flood");
  g_print ("after the flood: a new session seen in %.1f ms\n",
      (g_get_monotonic_time () - t0) / 1e3);
  fail_unless_equals_string (s->sdp, sdp);
  gst_aes67_sap_session_unref (s);
  g_free (sdp);

  gst_aes67_sap_browser_stop (b);
  gst_object_unref (b);
  g_object_unref (tx);
  g_object_unref (sa);
  g_object_unref (ia);
  g_async_queue_unref (q);
}

GST_END_TEST;

static Suite *
sapflood_suite (void)
{
  Suite *s = suite_create ("sapflood");
  TCase *tc = tcase_create ("network");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_flood);
  return s;
}

int
main (int argc, char **argv)
{
  int nf;

  gst_check_init (&argc, &argv);
  net =
      aes67_test_net_new_or_skip ("sapfl", 2,
      "SAP flood between network namespaces");
  nf = gst_check_run_suite (sapflood_suite (), "sapflood", __FILE__);
  aes67_test_net_free (net);
  return nf;
}
