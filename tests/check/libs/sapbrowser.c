/* gst-aes67: tests of the SAP browser over a real network
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * Two network namespaces on one bridged link: host 0 (192.0.2.1) sends SAP
 * packets made by the codec from a real UDP socket to the SAP groups, host 1
 * runs the browser. Times come from a GstTestClock so time-outs are exact.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gio/gio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gsttestclock.h>

#include "aes67-sap.h"
#include "aes67-sap-browser.h"
#include "aes67-sdp.h"
#include "aes67-testnet.h"
#include "../sap-test-events.h"

static Aes67TestNet *net;
static GSocket *tx;             /* in host 0 */

static void
expect_none (GAsyncQueue * q, gint64 us)
{
  Ev *ev = g_async_queue_timeout_pop (q, us);

  fail_unless (ev == NULL, "unexpected '%s' event for '%s'",
      ev ? ev->what : "", ev ? ev->session->name : "");
}

static gchar *
make_sdp (const gchar * name, guint sess_id, guint version, guint channels)
{
  return g_strdup_printf ("v=0\r\n"
      "o=- %u %u IN IP4 192.0.2.1\r\n"
      "s=%s\r\n"
      "c=IN IP4 239.69.1.%u/32\r\n"
      "t=0 0\r\n"
      "a=clock-domain:PTPv2 0\r\n"
      "m=audio 5004 RTP/AVP 97\r\n"
      "a=rtpmap:97 L24/48000/%u\r\n"
      "a=ptime:1\r\n"
      "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0\r\n"
      "a=mediaclk:direct=0\r\n", sess_id, version, name, sess_id % 250,
      channels);
}

static void
send_raw (const guint8 * data, gsize len, const gchar * group)
{
  GInetAddress *ia = g_inet_address_new_from_string (group);
  GSocketAddress *sa = g_inet_socket_address_new (ia, AES67_SAP_PORT);
  GError *err = NULL;

  fail_unless_equals_int (g_socket_send_to (tx, sa, (const gchar *) data,
          len, NULL, &err), len);
  g_object_unref (sa);
  g_object_unref (ia);
}

/* A SAP packet from 192.0.2.1 carrying @sdp into @buf (4096 bytes) */
static gsize
build_sap (Aes67SapMessageType type, const gchar * sdp,
    const gchar * payload_type, gboolean compress, guint8 * buf)
{
  const guint8 origin[4] = { 192, 0, 2, 1 };
  gssize n = aes67_sap_build (type, aes67_sap_msg_id_hash (sdp, strlen (sdp)),
      origin, FALSE, payload_type, sdp, strlen (sdp), compress, buf, 4096);

  fail_unless (n > 0);
  return n;
}

static void
send_sap (Aes67SapMessageType type, const gchar * sdp, gboolean compress,
    const gchar * group)
{
  guint8 buf[4096];
  gsize n = build_sap (type, sdp, AES67_SAP_PAYLOAD_TYPE, compress, buf);

  send_raw (buf, n, group);
}

static GstAes67SapBrowser *
browser_new (GAsyncQueue * q, GstClock * clock)
{
  GstAes67SapBrowser *b = gst_aes67_sap_browser_new ("eth0", 0);
  GError *err = NULL;

  if (clock)
    g_object_set (b, "clock", clock, NULL);
  ev_connect (b, q);
  fail_unless (aes67_test_net_enter (net, 1));
  fail_unless (gst_aes67_sap_browser_start (b, &err), "%s",
      err ? err->message : "");
  fail_unless (aes67_test_net_leave ());
  return b;
}

static void
drain (GAsyncQueue * q)
{
  Ev *ev;
  while ((ev = g_async_queue_try_pop (q)))
    ev_free (ev);
}

static void
browser_free (GstAes67SapBrowser * b, GAsyncQueue * q)
{
  gst_aes67_sap_browser_stop (b);
  gst_object_unref (b);
  drain (q);
  g_async_queue_unref (q);
}

static gboolean
setup_net (void)
{
  gchar *reason = NULL;
  GError *err = NULL;

  if (!aes67_test_net_check (&reason)) {
    g_print ("SKIP: %s\n", reason);
    g_free (reason);
    return FALSE;
  }
  /* outside a test: no fail_unless here */
  net = aes67_test_net_new ("sapb", 2, &err);
  if (!net)
    g_error ("cannot make the test network: %s", err->message);
  if (!aes67_test_net_enter (net, 0))
    g_error ("cannot enter host 0");
  tx = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, &err);
  if (!aes67_test_net_leave () || !tx)
    g_error ("cannot make the sending socket");
  return TRUE;
}

static void
teardown_net (void)
{
  g_clear_object (&tx);
  aes67_test_net_free (net);
  net = NULL;
}

/* An announcement on each group adds a session with the SDP's fields;
 * repeats change nothing; a new version is a change; a deletion removes. */
GST_START_TEST (test_announce_change_delete)
{
  GAsyncQueue *q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  GstAes67SapBrowser *b = browser_new (q, NULL);
  gchar *sdp1 = make_sdp ("Stage Left", 77, 1, 2);
  gchar *sdp2 = make_sdp ("Stage Left", 77, 2, 8);
  gchar *sdp3 = make_sdp ("Booth", 78, 1, 1);
  GstAes67SapSession *found;
  Ev *ev;

  send_sap (AES67_SAP_ANNOUNCE, sdp1, FALSE, AES67_SAP_ADDRESS_AES67);
  ev = ev_wait (q, "added");
  fail_unless_equals_string (ev->session->name, "Stage Left");
  fail_unless_equals_string (ev->session->sdp, sdp1);
  fail_unless_equals_string (ev->session->origin, "192.0.2.1");
  fail_unless_equals_string (ev->session->key, "- 77 IN IP4 192.0.2.1");
  fail_unless_equals_string (ev->session->address, "239.69.1.77");
  fail_unless_equals_int (ev->session->port, 5004);
  fail_unless_equals_string (ev->session->encoding, "L24");
  fail_unless_equals_int (ev->session->rate, 48000);
  fail_unless_equals_int (ev->session->channels, 2);
  fail_unless_equals_int (ev->session->msg_id_hash,
      aes67_sap_msg_id_hash (sdp1, strlen (sdp1)));
  ev_free (ev);

  /* the same packet again, and on the other group: a refresh */
  send_sap (AES67_SAP_ANNOUNCE, sdp1, FALSE, AES67_SAP_ADDRESS_AES67);
  send_sap (AES67_SAP_ANNOUNCE, sdp1, FALSE, AES67_SAP_ADDRESS_GLOBAL);
  expect_none (q, G_TIME_SPAN_SECOND / 2);
  fail_unless_equals_int (browser_stat (b, "packets"), 3);
  fail_unless_equals_int (browser_stat (b, "sessions"), 1);

  /* a second session, on the RFC 2974 group, compressed */
  send_sap (AES67_SAP_ANNOUNCE, sdp3, TRUE, AES67_SAP_ADDRESS_GLOBAL);
  ev = ev_wait (q, "added");
  fail_unless_equals_string (ev->session->name, "Booth");
  fail_unless_equals_int (ev->session->channels, 1);
  ev_free (ev);
  fail_unless_equals_int (browser_stat (b, "sessions"), 2);

  found = gst_aes67_sap_browser_find_by_name (b, "Stage Left");
  fail_unless (found != NULL);
  fail_unless_equals_string (found->sdp, sdp1);
  gst_aes67_sap_session_unref (found);
  fail_unless (gst_aes67_sap_browser_find_by_name (b, "Nobody") == NULL);

  /* version 2: same o= identity, new hash: a change */
  send_sap (AES67_SAP_ANNOUNCE, sdp2, FALSE, AES67_SAP_ADDRESS_AES67);
  ev = ev_wait (q, "changed");
  fail_unless_equals_string (ev->session->sdp, sdp2);
  fail_unless_equals_int (ev->session->channels, 8);
  fail_unless_equals_string (ev->session->key, "- 77 IN IP4 192.0.2.1");
  ev_free (ev);
  fail_unless_equals_int (browser_stat (b, "sessions"), 2);
  found = gst_aes67_sap_browser_find_by_name (b, "Stage Left");
  fail_unless_equals_string (found->sdp, sdp2);
  gst_aes67_sap_session_unref (found);

  /* deletion with the o= line only, as RFC 2974 allows */
  {
    const gchar *oline = "o=- 77 2 IN IP4 192.0.2.1\r\n";
    send_sap (AES67_SAP_DELETE, oline, FALSE, AES67_SAP_ADDRESS_AES67);
  }
  ev = ev_wait (q, "removed");
  fail_unless_equals_string (ev->session->name, "Stage Left");
  fail_unless_equals_int (ev->reason, GST_AES67_SAP_REMOVED_DELETED);
  ev_free (ev);
  fail_unless (gst_aes67_sap_browser_find_by_name (b, "Stage Left") == NULL);

  /* deletion carrying the full SDP, as PipeWire sends it */
  send_sap (AES67_SAP_DELETE, sdp3, FALSE, AES67_SAP_ADDRESS_GLOBAL);
  ev = ev_wait (q, "removed");
  fail_unless_equals_string (ev->session->name, "Booth");
  ev_free (ev);
  fail_unless_equals_int (browser_stat (b, "sessions"), 0);
  fail_unless_equals_int (browser_stat (b, "malformed"), 0);

  g_free (sdp1);
  g_free (sdp2);
  g_free (sdp3);
  browser_free (b, q);
}

GST_END_TEST;

/* A deletion of an older o= version (sent after the new version was
 * announced) is ignored; one of the current version removes. */
GST_START_TEST (test_stale_deletion)
{
  GAsyncQueue *q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  GstAes67SapBrowser *b = browser_new (q, NULL);
  gchar *v1 = make_sdp ("Versions", 300, 1, 2);
  gchar *v2 = make_sdp ("Versions", 300, 2, 2);
  Ev *ev;

  send_sap (AES67_SAP_ANNOUNCE, v1, FALSE, AES67_SAP_ADDRESS_AES67);
  ev_free (ev_wait (q, "added"));
  send_sap (AES67_SAP_ANNOUNCE, v2, FALSE, AES67_SAP_ADDRESS_AES67);
  ev = ev_wait (q, "changed");
  fail_unless_equals_string (ev->session->sdp, v2);
  ev_free (ev);
  send_sap (AES67_SAP_DELETE, v1, FALSE, AES67_SAP_ADDRESS_AES67);
  expect_none (q, G_TIME_SPAN_SECOND / 2);
  fail_unless_equals_int (browser_stat (b, "sessions"), 1);
  send_sap (AES67_SAP_DELETE, v2, FALSE, AES67_SAP_ADDRESS_AES67);
  ev = ev_wait (q, "removed");
  fail_unless_equals_int (ev->reason, GST_AES67_SAP_REMOVED_DELETED);
  ev_free (ev);
  fail_unless_equals_int (browser_stat (b, "sessions"), 0);
  g_free (v1);
  g_free (v2);
  browser_free (b, q);
}

GST_END_TEST;

/* Bad packets are counted and dropped; the browser keeps working. */
GST_START_TEST (test_bad_packets)
{
  GAsyncQueue *q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  GstAes67SapBrowser *b = browser_new (q, NULL);
  static const guint8 encrypted[] = { 0x22, 0, 0, 9, 192, 0, 2, 1, 1, 2, 3 };
  static const guint8 short_pkt[] = { 0x20, 0 };
  static const guint8 v0[] = { 0x00, 0, 0, 1, 192, 0, 2, 1, 'v', '=', '0' };
  /* parses as SAP, but the SDP has no o= line */
  static const guint8 no_origin[] = { 0x20, 0, 0, 1, 192, 0, 2, 1, 'v', '=',
    '0', '\n', 's', '=', 'x', '\n'
  };
  guint8 *big = g_malloc0 (5000);
  gchar *sdp = make_sdp ("After the storm", 90, 1, 2);
  Ev *ev;

  send_raw (encrypted, sizeof (encrypted), AES67_SAP_ADDRESS_AES67);
  send_raw (short_pkt, sizeof (short_pkt), AES67_SAP_ADDRESS_AES67);
  send_raw (v0, sizeof (v0), AES67_SAP_ADDRESS_AES67);
  send_raw (no_origin, sizeof (no_origin), AES67_SAP_ADDRESS_AES67);
  big[0] = 0x20;
  send_raw (big, 5000, AES67_SAP_ADDRESS_AES67);
  send_sap (AES67_SAP_ANNOUNCE, sdp, FALSE, AES67_SAP_ADDRESS_AES67);
  ev = ev_wait (q, "added");
  fail_unless_equals_string (ev->session->name, "After the storm");
  ev_free (ev);
  fail_unless_equals_int (browser_stat (b, "packets"), 6);
  fail_unless_equals_int (browser_stat (b, "encrypted"), 1);
  fail_unless_equals_int (browser_stat (b, "malformed"), 3);
  fail_unless_equals_int (browser_stat (b, "oversize"), 1);
  fail_unless_equals_int (browser_stat (b, "sessions"), 1);

  /* a Latin-1 name (not UTF-8): the session is taken, the name and SDP
   * handed on are UTF-8, the invalid byte as U+FFFD */
  g_free (sdp);
  sdp = make_sdp ("Studio K\xf6ln", 91, 1, 2);
  send_sap (AES67_SAP_ANNOUNCE, sdp, FALSE, AES67_SAP_ADDRESS_AES67);
  ev = ev_wait (q, "added");
  fail_unless_equals_string (ev->session->name, "Studio K\xef\xbf\xbdln");
  fail_unless (g_utf8_validate (ev->session->sdp, -1, NULL));
  ev_free (ev);
  fail_unless_equals_int (browser_stat (b, "sessions"), 2);
  g_free (big);
  g_free (sdp);
  browser_free (b, q);
}

GST_END_TEST;

/* Time-outs by a GstTestClock: 10 × the interval seen; one hour for a
 * session seen once; a fixed `timeout` when set. */
GST_START_TEST (test_timeouts)
{
  GAsyncQueue *q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  GstClock *clock = gst_test_clock_new_with_start_time (1000 * GST_SECOND);
  GstAes67SapBrowser *b = browser_new (q, clock);
  gchar *a = make_sdp ("Every five", 1, 1, 2);
  gchar *o = make_sdp ("Once", 2, 1, 2);
  Ev *ev;

  send_sap (AES67_SAP_ANNOUNCE, a, FALSE, AES67_SAP_ADDRESS_AES67);
  send_sap (AES67_SAP_ANNOUNCE, o, FALSE, AES67_SAP_ADDRESS_AES67);
  ev_free (ev_wait (q, "added"));
  ev_free (ev_wait (q, "added"));
  gst_test_clock_advance_time (GST_TEST_CLOCK (clock), 5 * GST_SECOND);
  send_sap (AES67_SAP_ANNOUNCE, a, FALSE, AES67_SAP_ADDRESS_AES67);
  /* wait until the refresh is in: the packet count says so */
  {
    gint i;
    for (i = 0; i < 300 && browser_stat (b, "packets") < 3; i++)
      g_usleep (10000);
    fail_unless_equals_int (browser_stat (b, "packets"), 3);
  }
  /* interval 5 s: alive at 50 s (not more than 10 × 5 s) */
  gst_test_clock_advance_time (GST_TEST_CLOCK (clock), 50 * GST_SECOND);
  gst_aes67_sap_browser_check_timeouts (b);
  fail_unless_equals_int (browser_stat (b, "sessions"), 2);
  gst_test_clock_advance_time (GST_TEST_CLOCK (clock), 1);
  gst_aes67_sap_browser_check_timeouts (b);
  ev = ev_wait (q, "removed");
  fail_unless_equals_string (ev->session->name, "Every five");
  fail_unless_equals_int (ev->reason, GST_AES67_SAP_REMOVED_TIMEOUT);
  ev_free (ev);
  fail_unless_equals_int (browser_stat (b, "sessions"), 1);

  /* "Once" was seen at t0 only: lives max-timeout (3600 s) */
  gst_test_clock_set_time (GST_TEST_CLOCK (clock), (1000 + 3600) * GST_SECOND);
  gst_aes67_sap_browser_check_timeouts (b);
  fail_unless_equals_int (browser_stat (b, "sessions"), 1);
  gst_test_clock_advance_time (GST_TEST_CLOCK (clock), 1);
  gst_aes67_sap_browser_check_timeouts (b);
  ev = ev_wait (q, "removed");
  fail_unless_equals_string (ev->session->name, "Once");
  fail_unless_equals_int (ev->reason, GST_AES67_SAP_REMOVED_TIMEOUT);
  ev_free (ev);

  /* a fixed timeout of 20 s */
  g_object_set (b, "timeout", 20, NULL);
  send_sap (AES67_SAP_ANNOUNCE, o, FALSE, AES67_SAP_ADDRESS_AES67);
  ev_free (ev_wait (q, "added"));
  gst_test_clock_advance_time (GST_TEST_CLOCK (clock), 20 * GST_SECOND);
  gst_aes67_sap_browser_check_timeouts (b);
  fail_unless_equals_int (browser_stat (b, "sessions"), 1);
  gst_test_clock_advance_time (GST_TEST_CLOCK (clock), GST_MSECOND);
  gst_aes67_sap_browser_check_timeouts (b);
  ev_free (ev_wait (q, "removed"));
  fail_unless_equals_int (browser_stat (b, "sessions"), 0);

  g_free (a);
  g_free (o);
  browser_free (b, q);
  gst_object_unref (clock);
}

GST_END_TEST;

/* max-sessions: the least recently announced session is evicted. */
GST_START_TEST (test_max_sessions)
{
  GAsyncQueue *q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  GstClock *clock = gst_test_clock_new_with_start_time (GST_SECOND);
  GstAes67SapBrowser *b = browser_new (q, clock);
  guint i;
  Ev *ev;

  g_object_set (b, "max-sessions", 4, NULL);
  for (i = 0; i < 6; i++) {
    gchar *name = g_strdup_printf ("S%u", i);
    gchar *sdp = make_sdp (name, 100 + i, 1, 2);

    send_sap (AES67_SAP_ANNOUNCE, sdp, FALSE, AES67_SAP_ADDRESS_AES67);
    if (i >= 4) {
      ev = ev_wait (q, "removed");
      /* S0 then S1: the oldest */
      fail_unless_equals_string (ev->session->name, i == 4 ? "S0" : "S1");
      fail_unless_equals_int (ev->reason, GST_AES67_SAP_REMOVED_EVICTED);
      ev_free (ev);
    }
    ev = ev_wait (q, "added");
    fail_unless_equals_string (ev->session->name, name);
    ev_free (ev);
    gst_test_clock_advance_time (GST_TEST_CLOCK (clock), GST_SECOND);
    g_free (name);
    g_free (sdp);
  }
  fail_unless_equals_int (browser_stat (b, "sessions"), 4);
  fail_unless_equals_int (browser_stat (b, "evicted"), 2);
  browser_free (b, q);
  gst_object_unref (clock);
}

GST_END_TEST;

/* ---------- limits per announcer, followed sessions ----------
 * (packets handed to the browser directly, as the socket thread does; the
 * events come on this thread) */

/* Session @sess_id named @name announced by @origin ("192.0.2.x") */
static void
announce_from (GstAes67SapBrowser * b, const gchar * origin,
    const gchar * name, guint sess_id)
{
  guint8 o[4], buf[4096];
  gchar *sdp = make_sdp (name, sess_id, 1, 2);
  gchar **parts = g_strsplit (origin, ".", 4);
  gssize n;
  guint i;

  for (i = 0; i < 4; i++)
    o[i] = (guint8) g_ascii_strtoull (parts[i], NULL, 10);
  g_strfreev (parts);
  n = aes67_sap_build (AES67_SAP_ANNOUNCE, aes67_sap_msg_id_hash (sdp,
          strlen (sdp)), o, FALSE, AES67_SAP_PAYLOAD_TYPE, sdp, strlen (sdp),
      FALSE, buf, sizeof (buf));
  fail_unless (n > 0);
  gst_aes67_sap_browser_handle_packet (b, buf, n, origin);
  g_free (sdp);
}

/* Sessions kept from @origin */
static guint
kept_from (GstAes67SapBrowser * b, const gchar * origin)
{
  GList *l, *all = gst_aes67_sap_browser_get_sessions (b);
  guint n = 0;

  for (l = all; l; l = l->next)
    if (!g_strcmp0 (((GstAes67SapSession *) l->data)->origin, origin))
      n++;
  g_list_free_full (all, (GDestroyNotify) gst_aes67_sap_session_unref);
  return n;
}

static gboolean
kept (GstAes67SapBrowser * b, const gchar * name)
{
  GstAes67SapSession *s = gst_aes67_sap_browser_find_by_name (b, name);

  if (s)
    gst_aes67_sap_session_unref (s);
  return s != NULL;
}

/* Evictions only (reason EVICTED), and each from @origin */
static guint
evictions_all_from (GAsyncQueue * q, const gchar * origin)
{
  Ev *ev;
  guint n = 0;

  while ((ev = g_async_queue_try_pop (q))) {
    if (!strcmp (ev->what, "removed")) {
      fail_unless_equals_int (ev->reason, GST_AES67_SAP_REMOVED_EVICTED);
      fail_unless_equals_string (ev->session->origin, origin);
      n++;
    }
    ev_free (ev);
  }
  return n;
}

static GstAes67SapBrowser *
limits_browser_new (GAsyncQueue * q, GstClock * clock, guint max,
    guint per_origin)
{
  GstAes67SapBrowser *b = gst_aes67_sap_browser_new ("eth0", 0);

  g_object_set (b, "clock", clock, "max-sessions", max,
      "max-sessions-per-origin", per_origin, "mdns", FALSE, NULL);
  ev_connect (b, q);
  return b;
}

/* @n sessions "F0".. (ids 1000..) from the flooding announcer 192.0.2.66,
 * one a millisecond of @clock */
static void
flood_from_66 (GstAes67SapBrowser * b, GstClock * clock, guint n)
{
  guint i;

  for (i = 0; i < n; i++) {
    gchar *name = g_strdup_printf ("F%u", i);

    gst_test_clock_advance_time (GST_TEST_CLOCK (clock), GST_MSECOND);
    announce_from (b, "192.0.2.66", name, 1000 + i);
    g_free (name);
  }
}

/* max-sessions-per-origin: a flooding announcer evicts only its own least
 * recently announced sessions, never another announcer's. */
GST_START_TEST (test_per_origin_limit)
{
  GAsyncQueue *q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  GstClock *clock = gst_test_clock_new_with_start_time (GST_SECOND);
  GstAes67SapBrowser *b = limits_browser_new (q, clock, 8, 3);

  announce_from (b, "192.0.2.1", "A0", 1);
  announce_from (b, "192.0.2.1", "A1", 2);
  drain (q);
  flood_from_66 (b, clock, 20);
  /* 17 evicted, all the flood's own */
  fail_unless_equals_int (evictions_all_from (q, "192.0.2.66"), 17);
  fail_unless_equals_int (browser_stat (b, "evicted"), 17);
  fail_unless_equals_int (kept_from (b, "192.0.2.66"), 3);
  fail_unless (kept (b, "F19") && kept (b, "F18") && kept (b, "F17"));
  fail_unless (!kept (b, "F16"));
  fail_unless (kept (b, "A0") && kept (b, "A1"));
  fail_unless_equals_int (browser_stat (b, "sessions"), 5);
  fail_unless_equals_int (browser_stat (b, "announcers"), 2);
  /* a refresh makes a session the most recently announced of its
   * announcer: F17 is kept, F18 goes next */
  announce_from (b, "192.0.2.66", "F17", 1017);
  announce_from (b, "192.0.2.66", "F20", 1020);
  fail_unless (kept (b, "F17") && !kept (b, "F18"));
  gst_object_unref (b);
  drain (q);
  g_async_queue_unref (q);
  gst_object_unref (clock);
}

GST_END_TEST;

/* A full table (max-sessions): the announcer that holds the most gives
 * room, whoever announces the new session. */
GST_START_TEST (test_full_table_largest_gives)
{
  GAsyncQueue *q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  GstClock *clock = gst_test_clock_new_with_start_time (GST_SECOND);
  GstAes67SapBrowser *b = limits_browser_new (q, clock, 6, 100);

  /* the oldest sessions are A's and B's */
  announce_from (b, "192.0.2.1", "A0", 1);
  announce_from (b, "192.0.2.1", "A1", 2);
  announce_from (b, "192.0.2.2", "B0", 3);
  drain (q);
  flood_from_66 (b, clock, 20);
  fail_unless_equals_int (evictions_all_from (q, "192.0.2.66"), 17);
  fail_unless_equals_int (kept_from (b, "192.0.2.66"), 3);
  fail_unless (kept (b, "A0") && kept (b, "A1") && kept (b, "B0"));
  /* a newcomer: the flood (3) gives, not A (2) */
  announce_from (b, "192.0.2.3", "C0", 4);
  fail_unless_equals_int (evictions_all_from (q, "192.0.2.66"), 1);
  fail_unless (kept (b, "C0") && kept (b, "A0") && kept (b, "A1"));
  fail_unless_equals_int (kept_from (b, "192.0.2.66"), 2);
  fail_unless_equals_int (browser_stat (b, "sessions"), 6);
  gst_object_unref (b);
  drain (q);
  g_async_queue_unref (q);
  gst_object_unref (clock);
}

GST_END_TEST;

/* A followed session is never evicted, however old; when only followed
 * sessions could make room, the new one is not kept (rejected). */
GST_START_TEST (test_followed_never_evicted)
{
  GAsyncQueue *q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  GstClock *clock = gst_test_clock_new_with_start_time (GST_SECOND);
  GstAes67SapBrowser *b = limits_browser_new (q, clock, 4, 4);
  GstAes67SapSession *s;
  gchar *keys[4];
  guint i;

  /* one announcer: the followed session is its least recently announced */
  announce_from (b, "192.0.2.66", "Followed", 1);
  s = gst_aes67_sap_browser_find_by_name (b, "Followed");
  fail_unless (s != NULL);
  keys[0] = g_strdup (s->key);
  gst_aes67_sap_session_unref (s);
  gst_aes67_sap_browser_follow (b, keys[0]);
  gst_aes67_sap_browser_follow (b, keys[0]);
  fail_unless_equals_int (browser_stat (b, "followed"), 1);
  flood_from_66 (b, clock, 50);
  fail_unless (kept (b, "Followed"));
  fail_unless_equals_int (browser_stat (b, "sessions"), 4);
  fail_unless_equals_int (evictions_all_from (q, "192.0.2.66"), 47);
  /* follows nest: one unfollow still leaves it followed */
  gst_aes67_sap_browser_unfollow (b, keys[0]);
  announce_from (b, "192.0.2.66", "F50", 1050);
  fail_unless (kept (b, "Followed"));

  /* all four followed: a new session is not kept, nothing is evicted */
  for (i = 1; i < 4; i++) {
    gchar *name = g_strdup_printf ("F%u", 48 + i - 1);
    s = gst_aes67_sap_browser_find_by_name (b, name);
    fail_unless (s != NULL, "%s", name);
    keys[i] = g_strdup (s->key);
    gst_aes67_sap_session_unref (s);
    gst_aes67_sap_browser_follow (b, keys[i]);
    g_free (name);
  }
  drain (q);
  announce_from (b, "192.0.2.77", "Newcomer", 2000);
  fail_unless (!kept (b, "Newcomer"));
  fail_unless (g_async_queue_try_pop (q) == NULL, "an event for a session "
      "that was not kept");
  fail_unless_equals_int (browser_stat (b, "rejected"), 1);
  fail_unless_equals_int (browser_stat (b, "sessions"), 4);
  /* unfollowed, it is the one that gives room */
  gst_aes67_sap_browser_unfollow (b, keys[0]);
  announce_from (b, "192.0.2.77", "Newcomer", 2000);
  fail_unless (kept (b, "Newcomer") && !kept (b, "Followed"));
  for (i = 1; i < 4; i++) {
    gst_aes67_sap_browser_unfollow (b, keys[i]);
    g_free (keys[i]);
  }
  g_free (keys[0]);
  fail_unless_equals_int (browser_stat (b, "followed"), 0);
  gst_object_unref (b);
  drain (q);
  g_async_queue_unref (q);
  gst_object_unref (clock);
}

GST_END_TEST;

/* Two sessions from one origin with the same message id hash (a collision,
 * or a sender that never changes it): each keeps its identity, deleting
 * one leaves the other findable. Found by the fuzzer (a use-after-free of
 * the hash table's key); run under ASan to see it. Packets are handed to
 * the browser directly: this is about its tables, not the network. */
GST_START_TEST (test_hash_collision)
{
  GAsyncQueue *q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  GstAes67SapBrowser *b = gst_aes67_sap_browser_new (NULL, 0);
  gchar *x = make_sdp ("X", 201, 1, 2), *y = make_sdp ("Y", 202, 1, 2);
  const guint8 origin[4] = { 192, 0, 2, 1 };
  guint8 buf[2048];
  gssize n;
  GstAes67SapSession *s;
  Ev *ev;

  g_signal_connect (b, "session-added", G_CALLBACK (ev_on_added), q);
  g_signal_connect (b, "session-removed", G_CALLBACK (ev_on_removed), q);
  n = aes67_sap_build (AES67_SAP_ANNOUNCE, 5, origin, FALSE, NULL, x,
      strlen (x), FALSE, buf, sizeof (buf));
  gst_aes67_sap_browser_handle_packet (b, buf, n, "192.0.2.1");
  n = aes67_sap_build (AES67_SAP_ANNOUNCE, 5, origin, FALSE, NULL, y,
      strlen (y), FALSE, buf, sizeof (buf));
  gst_aes67_sap_browser_handle_packet (b, buf, n, "192.0.2.1");
  ev_free (ev_wait (q, "added"));
  ev_free (ev_wait (q, "added"));
  fail_unless_equals_int (browser_stat (b, "sessions"), 2);
  /* X again (the hash now maps to Y, so the slow path finds X) */
  n = aes67_sap_build (AES67_SAP_ANNOUNCE, 5, origin, FALSE, NULL, x,
      strlen (x), FALSE, buf, sizeof (buf));
  gst_aes67_sap_browser_handle_packet (b, buf, n, "192.0.2.1");
  /* delete Y by its o= line, then announce X once more */
  {
    const gchar *oline = "o=- 202 1 IN IP4 192.0.2.1\r\n";
    n = aes67_sap_build (AES67_SAP_DELETE, 5, origin, FALSE, NULL, oline,
        strlen (oline), FALSE, buf, sizeof (buf));
    gst_aes67_sap_browser_handle_packet (b, buf, n, "192.0.2.1");
  }
  ev = ev_wait (q, "removed");
  fail_unless_equals_string (ev->session->name, "Y");
  ev_free (ev);
  n = aes67_sap_build (AES67_SAP_ANNOUNCE, 5, origin, FALSE, NULL, x,
      strlen (x), FALSE, buf, sizeof (buf));
  gst_aes67_sap_browser_handle_packet (b, buf, n, "192.0.2.1");
  fail_unless (g_async_queue_try_pop (q) == NULL);
  fail_unless_equals_int (browser_stat (b, "sessions"), 1);
  s = gst_aes67_sap_browser_find_by_name (b, "X");
  fail_unless (s != NULL);
  gst_aes67_sap_session_unref (s);
  /* a deletion by origin + hash only (no o= line parses) removes X */
  {
    const gchar *junk = "v=0\r\n";
    n = aes67_sap_build (AES67_SAP_DELETE, 5, origin, FALSE, NULL, junk,
        strlen (junk), FALSE, buf, sizeof (buf));
    gst_aes67_sap_browser_handle_packet (b, buf, n, "192.0.2.1");
  }
  ev = ev_wait (q, "removed");
  fail_unless_equals_string (ev->session->name, "X");
  ev_free (ev);
  fail_unless_equals_int (browser_stat (b, "sessions"), 0);

  g_free (x);
  g_free (y);
  gst_object_unref (b);
  drain (q);
  g_async_queue_unref (q);
}

GST_END_TEST;

/* One shared browser per (interface, port); a new one after the last
 * reference is gone. */
GST_START_TEST (test_shared)
{
  GstAes67SapBrowser *a, *b, *c;
  GError *err = NULL;
  gpointer old, weak;

  fail_unless (aes67_test_net_enter (net, 1));
  a = gst_aes67_sap_browser_get_shared ("eth0", 0, &err);
  fail_unless (a != NULL, "%s", err ? err->message : "");
  b = gst_aes67_sap_browser_get_shared ("eth0", 0, &err);
  c = gst_aes67_sap_browser_get_shared ("lo", 0, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (a == b);
  fail_unless (c != NULL && c != a);
  gst_object_unref (b);
  gst_object_unref (c);
  old = a;
  /* still alive through a: the same one */
  fail_unless (aes67_test_net_enter (net, 1));
  b = gst_aes67_sap_browser_get_shared ("eth0", 0, &err);
  fail_unless (b == old);
  gst_object_unref (b);
  weak = a;
  g_object_add_weak_pointer (G_OBJECT (a), &weak);
  gst_object_unref (a);
  /* all gone: the old one is finalized, the next call makes a new one */
  fail_unless (weak == NULL);
  b = gst_aes67_sap_browser_get_shared ("eth0", 0, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (b != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (GST_OBJECT_REFCOUNT_VALUE (b), 1);
  gst_object_unref (b);
}

GST_END_TEST;

/* The last reference dropped while the browser's thread emits a signal
 * (a consumer lets go of the shared browser while an announcement is being
 * handed out; here the handler itself drops it): the emission's own
 * reference is then the last, so the browser is disposed on its own
 * thread, which cannot join itself. It must still stop and be finalized,
 * with no critical. */
typedef struct
{
  GMutex lock;
  GCond cond;
  GstAes67SapBrowser *ref;      /* the test's reference, given away */
  gboolean finalized;
} LastRef;

static void
last_ref_on_added (GstAes67SapBrowser * b, GstAes67SapSession * s, LastRef * l)
{
  GstAes67SapBrowser *mine;

  g_mutex_lock (&l->lock);
  mine = l->ref;
  l->ref = NULL;
  g_mutex_unlock (&l->lock);
  if (mine)
    gst_object_unref (mine);
}

static void
last_ref_finalized (gpointer data, GObject * where)
{
  LastRef *l = data;

  g_mutex_lock (&l->lock);
  l->finalized = TRUE;
  g_cond_broadcast (&l->cond);
  g_mutex_unlock (&l->lock);
}

GST_START_TEST (test_last_ref_in_handler)
{
  GstAes67SapBrowser *b = gst_aes67_sap_browser_new ("eth0", 0);
  gchar *sdp = make_sdp ("Last", 77, 1, 2);
  gint64 deadline;
  GError *err = NULL;
  LastRef l;

  g_mutex_init (&l.lock);
  g_cond_init (&l.cond);
  l.finalized = FALSE;
  g_object_weak_ref (G_OBJECT (b), last_ref_finalized, &l);
  g_signal_connect (b, "session-added", G_CALLBACK (last_ref_on_added), &l);
  fail_unless (aes67_test_net_enter (net, 1));
  fail_unless (gst_aes67_sap_browser_start (b, &err), "%s",
      err ? err->message : "");
  fail_unless (aes67_test_net_leave ());
  g_mutex_lock (&l.lock);
  l.ref = b;
  g_mutex_unlock (&l.lock);

  send_sap (AES67_SAP_ANNOUNCE, sdp, FALSE, AES67_SAP_ADDRESS_AES67);
  deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&l.lock);
  while (!l.finalized && g_cond_wait_until (&l.cond, &l.lock, deadline));
  g_mutex_unlock (&l.lock);
  fail_unless (l.finalized, "the browser was not finalized within 20 s of "
      "its last reference going in a handler");
  fail_unless (l.ref == NULL);
  g_free (sdp);
  g_mutex_clear (&l.lock);
  g_cond_clear (&l.cond);
}

GST_END_TEST;

/* One SDP reader: what the browser keeps, and whether it calls a session
 * playable, follow aes67-sdp.c's reader, the one aes67src plays by. A text
 * the reader refuses as not SDP at all (no leading v=0) is no session
 * (it was listed as one, unplayable, while aes67src refused the same text
 * as not SDP); a stream it refuses (L8, AM824, no rtpmap) is a session
 * that is not playable, with the reader's own reason; a deletion still
 * carries a bare o= line. No network: packets go in by handle_packet. */
static const gchar *const reader_cases[] = {
  /* kept and playable */
  "v=0\r\no=- 301 1 IN IP4 192.0.2.1\r\ns=Reader L24\r\n"
      "c=IN IP4 239.69.3.1/32\r\nt=0 0\r\nm=audio 5004 RTP/AVP 97\r\n"
      "a=rtpmap:97 L24/48000/2\r\na=ptime:1\r\n",
  /* kept, not playable */
  "v=0\r\no=- 302 1 IN IP4 192.0.2.1\r\ns=Reader L8\r\n"
      "c=IN IP4 239.69.3.2/32\r\nt=0 0\r\nm=audio 5004 RTP/AVP 97\r\n"
      "a=rtpmap:97 L8/48000/2\r\na=ptime:1\r\n",
  "v=0\r\no=- 303 1 IN IP4 192.0.2.1\r\ns=Reader AM824\r\n"
      "c=IN IP4 239.69.3.3/32\r\nt=0 0\r\nm=audio 5004 RTP/AVP 97\r\n"
      "a=rtpmap:97 AM824/48000/2\r\n",
  "v=0\r\no=- 304 1 IN IP4 192.0.2.1\r\ns=Reader video\r\n"
      "c=IN IP4 239.69.3.4/32\r\nt=0 0\r\nm=video 5004 RTP/AVP 96\r\n"
      "a=rtpmap:96 raw/90000\r\n",
  /* not SDP by the reader's rules: no session */
  "v=1\r\no=- 305 1 IN IP4 192.0.2.1\r\ns=Reader v1\r\n"
      "c=IN IP4 239.69.3.5/32\r\nt=0 0\r\nm=audio 5004 RTP/AVP 97\r\n"
      "a=rtpmap:97 L24/48000/2\r\n",
  "o=- 306 1 IN IP4 192.0.2.1\r\ns=Reader no v\r\n"
      "c=IN IP4 239.69.3.6/32\r\nt=0 0\r\nm=audio 5004 RTP/AVP 97\r\n"
      "a=rtpmap:97 L24/48000/2\r\n",
};

static void
handle_sap (GstAes67SapBrowser * b, Aes67SapMessageType type,
    const gchar * sdp, const gchar * payload_type)
{
  guint8 buf[4096];
  gsize n = build_sap (type, sdp, payload_type, FALSE, buf);

  gst_aes67_sap_browser_handle_packet (b, buf, n, "192.0.2.1");
}

GST_START_TEST (test_one_reader)
{
  GstAes67SapBrowser *b = gst_aes67_sap_browser_new (NULL, 0);
  guint i, kept = 0, malformed = 0;

  for (i = 0; i < G_N_ELEMENTS (reader_cases); i++) {
    const gchar *sdp = reader_cases[i];
    Aes67SdpStream st;
    GError *err = NULL;
    gboolean plays, is_sdp;
    GList *l, *sessions;
    GstAes67SapSession *found = NULL;

    aes67_sdp_stream_init (&st);
    plays = aes67_sdp_parse (sdp, &st, &err);
    is_sdp = plays || !g_error_matches (err, AES67_SDP_ERROR,
        AES67_SDP_ERROR_SYNTAX);
    handle_sap (b, AES67_SAP_ANNOUNCE, sdp, AES67_SAP_PAYLOAD_TYPE);
    if (is_sdp)
      kept++;
    else
      malformed++;
    fail_unless_equals_int (browser_stat (b, "sessions"), kept);
    fail_unless_equals_int (browser_stat (b, "malformed"), malformed);

    sessions = gst_aes67_sap_browser_get_sessions (b);
    for (l = sessions; l; l = l->next) {
      GstAes67SapSession *s = l->data;
      if (strcmp (s->sdp, sdp) == 0)
        found = s;
    }
    fail_unless ((found != NULL) == is_sdp, "case %u: kept %d, SDP %d", i,
        found != NULL, is_sdp);
    if (found) {
      fail_unless (found->playable == plays, "case %u: playable %d, plays %d",
          i, found->playable, plays);
      if (plays) {
        fail_unless_equals_string (found->encoding, st.encoding);
        fail_unless_equals_int (found->rate, st.rate);
        fail_unless_equals_int (found->channels, st.channels);
        fail_unless_equals_string (found->address, st.address);
      } else {
        fail_unless_equals_string (found->reason, err->message);
      }
    }
    g_list_free_full (sessions, (GDestroyNotify) gst_aes67_sap_session_unref);
    g_clear_error (&err);
    aes67_sdp_stream_clear (&st);
  }
  /* what aes67src would refuse is listed as such, never as playable */
  fail_unless_equals_int (kept, 4);
  fail_unless_equals_int (malformed, 2);

  /* a deletion whose payload is the bare o= line (RFC 2974 section 6) */
  handle_sap (b, AES67_SAP_DELETE, "o=- 302 1 IN IP4 192.0.2.1\r\n", NULL);
  fail_unless_equals_int (browser_stat (b, "sessions"), 3);
  fail_unless (gst_aes67_sap_browser_find_by_name (b, "Reader L8") == NULL);
  gst_object_unref (b);
}

GST_END_TEST;

static Suite *
sapbrowser_suite (void)
{
  Suite *s = suite_create ("sapbrowser");
  TCase *tc = tcase_create ("network");
  TCase *tc_reader = tcase_create ("reader");

  suite_add_tcase (s, tc_reader);
  tcase_add_test (tc_reader, test_one_reader);
  suite_add_tcase (s, tc);
  if (!setup_net ())
    exit (77);
  tcase_add_test (tc, test_announce_change_delete);
  tcase_add_test (tc, test_stale_deletion);
  tcase_add_test (tc, test_bad_packets);
  tcase_add_test (tc, test_timeouts);
  tcase_add_test (tc, test_max_sessions);
  tcase_add_test (tc, test_per_origin_limit);
  tcase_add_test (tc, test_full_table_largest_gives);
  tcase_add_test (tc, test_followed_never_evicted);
  tcase_add_test (tc, test_hash_collision);
  tcase_add_test (tc, test_shared);
  tcase_add_test (tc, test_last_ref_in_handler);
  return s;
}

int
main (int argc, char **argv)
{
  Suite *s;
  int nf;

  gst_check_init (&argc, &argv);
  s = sapbrowser_suite ();
  nf = gst_check_run_suite (s, "sapbrowser", __FILE__);
  teardown_net ();
  return nf;
}
