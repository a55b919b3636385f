/* gst-aes67: tests of the AES67 device provider over a real network
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * sapannounce (or a plain socket) in host 0 announces; a GstDeviceMonitor
 * and the gst-device-monitor-1.0 tool in host 1 list the session.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <gst/check/gstcheck.h>
#include <gst/app/gstappsink.h>

#include "aes67-sap.h"
#include "aes67-sap-browser.h"
#include "aes67-testnet.h"
#include "aes67-roundtrip.h"
#include "../sap-test-spawn.h"

/* caps as text for a failure message (check's printf knows no
 * GST_PTR_FORMAT; leaked only when the test fails) */
#define CAPS_STR(c) ((c) ? gst_caps_to_string (c) : g_strdup ("(none)"))

static Aes67TestNet *net;

static const gchar sdp_stage[] =
    "v=0\r\n"
    "o=- 4242 1 IN IP4 192.0.2.1\r\n"
    "s=Stage\r\n"
    "i=2 channels: Left, Right\r\n"
    "c=IN IP4 239.69.1.10/32\r\n"
    "t=0 0\r\n"
    "m=audio 5004 RTP/AVP 97\r\n"
    "c=IN IP4 239.69.1.10/32\r\n"
    "a=rtpmap:97 L24/48000/2\r\n"
    "a=ptime:1\r\n"
    "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0\r\n"
    "a=mediaclk:direct=0\r\n";

static GstElement *
announcer_start (const gchar * sdp)
{
  GstElement *e = gst_element_factory_make ("sapannounce", NULL);

  g_object_set (e, "sdp", sdp, "interval", 1, NULL);
  fail_unless (aes67_test_net_enter (net, 0));
  fail_unless (gst_element_set_state (e, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (aes67_test_net_leave ());
  return e;
}

static void
announcer_stop (GstElement * e)
{
  fail_unless (aes67_test_net_enter (net, 0));
  gst_element_set_state (e, GST_STATE_NULL);
  fail_unless (aes67_test_net_leave ());
  gst_object_unref (e);
}

static GstDevice *
wait_device (GstBus * bus, GstMessageType type)
{
  GstMessage *m = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND, type);
  GstDevice *d = NULL;

  fail_unless (m != NULL, "no %s within 10 s", type == GST_MESSAGE_DEVICE_ADDED
      ? "device-added" : "device-removed");
  if (type == GST_MESSAGE_DEVICE_ADDED)
    gst_message_parse_device_added (m, &d);
  else
    gst_message_parse_device_removed (m, &d);
  gst_message_unref (m);
  return d;
}

/* A session announced in host 0 becomes a device with the SDP's values;
 * the deletion removes it. */
GST_START_TEST (test_monitor_add_remove)
{
  GstDeviceMonitor *mon = gst_device_monitor_new ();
  GstBus *bus = gst_device_monitor_get_bus (mon);
  GstElement *ann;
  GstDevice *d, *r;
  GstStructure *props;
  GstCaps *caps, *expect;
  gchar *s;
  guint u;
  GList *list, *l;
  gboolean listed = FALSE;
  GstElementFactory *src_factory;

  gst_device_monitor_add_filter (mon, "Audio/Source", NULL);
  fail_unless (aes67_test_net_enter (net, 1));
  fail_unless (gst_device_monitor_start (mon));
  fail_unless (aes67_test_net_leave ());

  ann = announcer_start (sdp_stage);
  d = wait_device (bus, GST_MESSAGE_DEVICE_ADDED);
  /* other providers (ALSA, ...) may list devices: skip to ours */
  for (;;) {
    gchar *klass = gst_device_get_device_class (d);
    gboolean ours = g_str_has_suffix (klass, "Network");

    g_free (klass);
    if (ours)
      break;
    gst_object_unref (d);
    d = wait_device (bus, GST_MESSAGE_DEVICE_ADDED);
  }
  s = gst_device_get_display_name (d);
  fail_unless_equals_string (s, "Stage");
  g_free (s);
  s = gst_device_get_device_class (d);
  fail_unless_equals_string (s, "Audio/Source/Network");
  g_free (s);
  caps = gst_device_get_caps (d);
  /* what aes67src outputs for it */
  expect = gst_caps_from_string ("audio/x-raw, format=S24BE, rate=48000, "
      "channels=2, layout=interleaved, channel-mask=(bitmask)0x3");
  fail_unless (gst_caps_is_equal (caps, expect));
  gst_caps_unref (caps);
  gst_caps_unref (expect);
  props = gst_device_get_properties (d);
  fail_unless_equals_string (gst_structure_get_string (props, "device.api"),
      "aes67");
  fail_unless_equals_string (gst_structure_get_string (props,
          "aes67.session-name"), "Stage");
  fail_unless_equals_string (gst_structure_get_string (props, "aes67.sdp"),
      sdp_stage);
  fail_unless_equals_string (gst_structure_get_string (props,
          "aes67.session-id"), "- 4242 IN IP4 192.0.2.1");
  fail_unless_equals_string (gst_structure_get_string (props,
          "aes67.origin"), net->hosts[0].addr);
  fail_unless_equals_string (gst_structure_get_string (props,
          "aes67.address"), "239.69.1.10");
  fail_unless_equals_string (gst_structure_get_string (props,
          "aes67.encoding"), "L24");
  fail_unless (gst_structure_get_uint (props, "aes67.port", &u));
  fail_unless_equals_int (u, 5004);
  fail_unless (gst_structure_get_uint (props, "aes67.rate", &u));
  fail_unless_equals_int (u, 48000);
  fail_unless (gst_structure_get_uint (props, "aes67.channels", &u));
  fail_unless_equals_int (u, 2);
  gst_structure_free (props);

  list = gst_device_monitor_get_devices (mon);
  for (l = list; l; l = l->next)
    listed |= (l->data == (gpointer) d);
  g_list_free_full (list, gst_object_unref);
  fail_unless (listed, "the device is not in get_devices()");

  /* create_element: an aes67src with the session's name (which survives
   * gst-device-monitor-1.0's launch line pasted into a shell; the SDP does
   * not) when that element exists; without it, NULL */
  src_factory = gst_element_factory_find ("aes67src");
  {
    GstElement *src = gst_device_create_element (d, "rx");
    if (src_factory) {
      gchar *sdp = NULL, *name = NULL;
      fail_unless (src != NULL);
      fail_unless (gst_element_get_factory (src) == src_factory);
      g_object_get (src, "sdp", &sdp, "session-name", &name, NULL);
      fail_unless (sdp == NULL, "the element carries an SDP: %s", sdp);
      fail_unless_equals_string (name, "Stage");
      g_free (name);
      gst_object_unref (src);
      gst_object_unref (src_factory);
    } else {
      g_print ("create_element not checked: no aes67src in this build\n");
      fail_unless (src == NULL);
    }
  }

  /* stopping sapannounce sends a deletion: the device goes */
  announcer_stop (ann);
  r = wait_device (bus, GST_MESSAGE_DEVICE_REMOVED);
  fail_unless (r == d);
  gst_object_unref (r);
  gst_object_unref (d);

  gst_device_monitor_stop (mon);
  gst_object_unref (bus);
  gst_object_unref (mon);
}

GST_END_TEST;

/* Waits up to @secs for @needle in the file @log; returns its text */
static gchar *
wait_log (const gchar * log, const gchar * needle, gint secs)
{
  gint64 end = g_get_monotonic_time () + (gint64) secs * G_USEC_PER_SEC;
  gchar *text = NULL;

  do {
    g_free (text);
    text = NULL;
    if (g_file_get_contents (log, &text, NULL, NULL) && strstr (text, needle))
      break;
    g_usleep (50000);
  } while (g_get_monotonic_time () < end);
  return text;
}

/* A session that stops being announced without a deletion goes at its
 * time-out, 10 times the interval the browser saw: announced 3 times
 * 200 ms apart, it goes 2 s (+ up to the 1 s tick) after the last. The
 * gaps are measured as sent (a loaded machine stretches them), and the
 * bounds have room for a late tick: not before 1.5 s, and well before the
 * time-out a fixed or default interval would give. */
GST_START_TEST (test_monitor_timeout)
{
  GstDeviceMonitor *mon = gst_device_monitor_new ();
  GstBus *bus = gst_device_monitor_get_bus (mon);
  GSocket *tx;
  GInetAddress *ia;
  GSocketAddress *sa;
  GError *err = NULL;
  const guint8 origin[4] = { 192, 0, 2, 1 };
  gchar *sdp = g_strdup (sdp_stage);
  guint8 buf[2048];
  gssize n;
  GstDevice *d, *r;
  gint64 t_last = 0, dt, max_gap = 0;
  gint i;

  /* a session of its own (another sess-id) */
  memcpy (strstr (sdp, "4242"), "4343", 4);
  gst_device_monitor_add_filter (mon, "Audio/Source/Network", NULL);
  fail_unless (aes67_test_net_enter (net, 1));
  fail_unless (gst_device_monitor_start (mon));
  fail_unless (aes67_test_net_leave ());

  fail_unless (aes67_test_net_enter (net, 0));
  tx = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, &err);
  fail_unless (aes67_test_net_leave ());
  n = aes67_sap_build (AES67_SAP_ANNOUNCE, 7, origin, FALSE,
      AES67_SAP_PAYLOAD_TYPE, sdp, strlen (sdp), FALSE, buf, sizeof (buf));
  ia = g_inet_address_new_from_string (AES67_SAP_ADDRESS_AES67);
  sa = g_inet_socket_address_new (ia, AES67_SAP_PORT);
  for (i = 0; i < 3; i++) {
    gint64 now;

    if (i)
      g_usleep (200000);        /* the announcement interval itself */
    fail_unless (g_socket_send_to (tx, sa, (gchar *) buf, n, NULL, &err) == n);
    now = g_get_monotonic_time ();
    if (i)
      max_gap = MAX (max_gap, now - t_last);
    t_last = now;
  }
  d = wait_device (bus, GST_MESSAGE_DEVICE_ADDED);
  r = wait_device (bus, GST_MESSAGE_DEVICE_REMOVED);
  dt = g_get_monotonic_time () - t_last;
  fail_unless (r == d);
  g_print ("removed %" G_GINT64_FORMAT " ms after the last of 3 "
      "announcements at most %" G_GINT64_FORMAT " ms apart\n", dt / 1000,
      max_gap / 1000);
  fail_unless (dt >= 1500 * G_TIME_SPAN_MILLISECOND
      && dt < 10 * max_gap + 3 * G_TIME_SPAN_SECOND,
      "removed %" G_GINT64_FORMAT " µs after the last announcement", dt);
  gst_object_unref (d);
  gst_object_unref (r);

  g_free (sdp);
  g_object_unref (sa);
  g_object_unref (ia);
  g_object_unref (tx);
  gst_device_monitor_stop (mon);
  gst_object_unref (bus);
  gst_object_unref (mon);
}

GST_END_TEST;

/* gst-device-monitor-1.0 -f Audio/Source in host 1 prints the session. */
GST_START_TEST (test_gst_device_monitor_tool)
{
  gchar *tool = g_find_program_in_path ("gst-device-monitor-1.0");
  gchar *dir, *log, *text = NULL;
  const gchar *argv[6];
  gchar *preload = NULL;
  GstElement *ann;
  GError *err = NULL;
  GPid pid;

  if (!tool) {
    g_print ("SKIP test_gst_device_monitor_tool: gst-device-monitor-1.0 "
        "not installed (gstreamer1.0-tools)\n");
    return;
  }
  dir = g_dir_make_tmp ("aes67-devmon-XXXXXX", NULL);
  log = g_build_filename (dir, "monitor.log", NULL);
#ifdef __SANITIZE_ADDRESS__
  /* the tool is not instrumented: it can load our ASan-built plugin only
   * with the sanitizer runtimes preloaded */
  {
    gchar *asan = NULL, *ubsan = NULL;
    g_spawn_command_line_sync ("gcc -print-file-name=libasan.so", &asan,
        NULL, NULL, NULL);
    g_spawn_command_line_sync ("gcc -print-file-name=libubsan.so", &ubsan,
        NULL, NULL, NULL);
    preload = g_strdup_printf ("LD_PRELOAD=%s %s", g_strstrip (asan),
        g_strstrip (ubsan));
    g_free (asan);
    g_free (ubsan);
  }
  argv[0] = "env";
  argv[1] = preload;
  argv[2] = tool;
  argv[3] = "-f";
  argv[4] = "Audio/Source";
  argv[5] = NULL;
#else
  argv[0] = tool;
  argv[1] = "-f";
  argv[2] = "Audio/Source";
  argv[3] = NULL;
#endif
  pid = sap_test_spawn (net, 1, argv, log, &err);
  fail_unless (pid > 0, "%s", err ? err->message : "");
  /* the tool says "Monitoring devices..." once its monitor started (a
   * registry scan first, slow under a sanitizer on a busy machine) */
  g_free (wait_log (log, "Monitoring devices", 60));
  ann = announcer_start (sdp_stage);
  g_free (wait_log (log, "aes67.session-name = Stage", 30));
  announcer_stop (ann);
  text = wait_log (log, "Device removed:", 30);
  sap_test_stop (pid);
  GST_INFO ("gst-device-monitor-1.0 printed:\n%s", text);
  fail_unless (text != NULL);
  if (!strstr (text, "Device found:") || !strstr (text, "name  : Stage")
      || !strstr (text, "class : Audio/Source/Network")
      || !strstr (text, "aes67.session-name = Stage")
      || !strstr (text, "Device removed:")) {
    g_printerr ("gst-device-monitor-1.0 printed:\n%s\n", text);
    fail ("the tool did not list and remove the session");
  }
  g_free (text);
  g_unlink (log);
  g_rmdir (dir);
  g_free (log);
  g_free (dir);
  g_free (tool);
  g_free (preload);
}

GST_END_TEST;

/* Waits for the device named @name on @bus (other devices are skipped);
 * NULL after 4 s. */
static GstDevice *
wait_named_device (GstBus * bus, const gchar * name)
{
  gint64 end = g_get_monotonic_time () + 4 * G_USEC_PER_SEC;
  GstMessage *m;

  while ((m = gst_bus_timed_pop_filtered (bus,
              MAX (0, end - g_get_monotonic_time ()) * GST_USECOND,
              GST_MESSAGE_DEVICE_ADDED))) {
    GstDevice *d = NULL;
    gchar *n;

    gst_message_parse_device_added (m, &d);
    gst_message_unref (m);
    n = gst_device_get_display_name (d);
    if (g_strcmp0 (n, name) == 0) {
      g_free (n);
      return d;
    }
    g_free (n);
    gst_object_unref (d);
  }
  return NULL;
}

/* The device of @provider named @name, waited for up to 4 s, or NULL */
static GstDevice *
wait_provider_device (GstDeviceProvider * provider, const gchar * name)
{
  gint64 end = g_get_monotonic_time () + 4 * G_USEC_PER_SEC;

  do {
    GList *list = gst_device_provider_get_devices (provider), *l;
    GstDevice *found = NULL;

    for (l = list; l && !found; l = l->next) {
      gchar *n = gst_device_get_display_name (l->data);
      if (g_strcmp0 (n, name) == 0)
        found = gst_object_ref (l->data);
      g_free (n);
    }
    g_list_free_full (list, gst_object_unref);
    if (found)
      return found;
    g_usleep (20000);
  } while (g_get_monotonic_time () < end);
  return NULL;
}

static gboolean
listed (GstDeviceMonitor * mon, const gchar * name)
{
  GList *list = gst_device_monitor_get_devices (mon), *l;
  gboolean found = FALSE;

  for (l = list; l; l = l->next) {
    gchar *n = gst_device_get_display_name (l->data);
    found |= g_strcmp0 (n, name) == 0;
    g_free (n);
  }
  g_list_free_full (list, gst_object_unref);
  return found;
}

/* A published Dante SDP ("m=audio 5004 RTP/AVP 97" with only
 * "a=rtpmap:96 L24/48000/2") is listed with the caps aes67src outputs for
 * it, and the warning; the aes67src the device makes receives real
 * packets of payload type 97 in exactly those caps. A session aes67src
 * refuses (AM824) is listed with empty caps and the reason, so a monitor
 * that filters on caps leaves it out. */
GST_START_TEST (test_monitor_dante_mismatch)
{
  GstDeviceMonitor *mon = gst_device_monitor_new ();
  GstDeviceProvider *provider;
  GstBus *bus = gst_device_monitor_get_bus (mon);
  GstCaps *filter = gst_caps_from_string ("audio/x-raw");
  GstCaps *caps, *expect, *got = NULL;
  GstElement *ann, *ann2, *rx, *src, *sink;
  GstDevice *d, *bad;
  GstStructure *props;
  const gchar *w;
  gboolean b;
  guint u, i;
  gchar *sdp, *sdp_bad;
  GSocket *tx;
  GSocketAddress *dest;
  GInetAddress *ia;
  guint8 audio[40 * 288], p[12 + 288];
  GByteArray *out = g_byte_array_new ();

  sdp = g_strdup_printf ("v=0\r\no=- 5151 1 IN IP4 %s\r\ns=Dante Stage\r\n"
      "c=IN IP4 %s\r\nt=0 0\r\nm=audio 5004 RTP/AVP 97\r\n"
      "a=rtpmap:96 L24/48000/2\r\na=ptime:1\r\na=recvonly\r\n",
      net->hosts[0].addr, net->hosts[1].addr);
  sdp_bad = g_strdup_printf ("v=0\r\no=- 5252 1 IN IP4 %s\r\n"
      "s=AM824 Stage\r\nc=IN IP4 239.69.1.11/32\r\nt=0 0\r\n"
      "m=audio 5004 RTP/AVP 97\r\na=rtpmap:97 AM824/48000/2\r\n",
      net->hosts[0].addr);
  gst_device_monitor_add_filter (mon, "Audio/Source", filter);
  fail_unless (aes67_test_net_enter (net, 1));
  fail_unless (gst_device_monitor_start (mon));
  fail_unless (aes67_test_net_leave ());
  provider = gst_device_provider_factory_get_by_name ("aes67deviceprovider");
  fail_unless (provider != NULL);
  ann = announcer_start (sdp);
  ann2 = announcer_start (sdp_bad);

  d = wait_named_device (bus, "Dante Stage");
  fail_unless (d != NULL, "the Dante session is not listed");
  caps = gst_device_get_caps (d);
  expect = gst_caps_from_string ("audio/x-raw, format=S24BE, rate=48000, "
      "channels=2, layout=interleaved, channel-mask=(bitmask)0x3");
  fail_unless (gst_caps_is_equal (caps, expect), "%s", CAPS_STR (caps));
  gst_caps_unref (expect);
  props = gst_device_get_properties (d);
  fail_unless (gst_structure_get_boolean (props, "aes67.playable", &b) && b);
  fail_unless (gst_structure_get_uint (props, "aes67.payload-type", &u));
  fail_unless_equals_int (u, 97);
  w = gst_structure_get_string (props, "aes67.warnings");
  fail_unless (w && strstr (w, "payload type 97")
      && strstr (w, "payload type 96"), "%s", GST_STR_NULL (w));
  gst_structure_free (props);

  /* the refused one: the provider lists it, a monitor filtering on caps
   * does not */
  bad = wait_provider_device (provider, "AM824 Stage");
  fail_unless (bad != NULL, "the AM824 session is not listed at all");
  expect = gst_device_get_caps (bad);
  fail_unless (gst_caps_is_empty (expect));
  gst_caps_unref (expect);
  props = gst_device_get_properties (bad);
  fail_unless (gst_structure_get_boolean (props, "aes67.playable", &b) && !b);
  w = gst_structure_get_string (props, "aes67.reason");
  fail_unless (w && strstr (w, "AM824"), "%s", GST_STR_NULL (w));
  gst_structure_free (props);
  gst_object_unref (bad);
  fail_if (listed (mon, "AM824 Stage"));

  /* what the device makes receives it, in the device's caps */
  src = gst_device_create_element (d, NULL);
  fail_unless (src != NULL);
  g_object_set (src, "latency", 20, NULL);
  rx = gst_pipeline_new (NULL);
  sink = gst_element_factory_make ("appsink", NULL);
  g_object_set (sink, "sync", FALSE, NULL);
  gst_bin_add_many (GST_BIN (rx), src, sink, NULL);
  fail_unless (gst_element_link (src, sink));
  fail_unless (aes67_test_net_enter (net, 1));
  fail_unless (gst_element_set_state (rx, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (aes67_test_net_leave ());
  /* wait until it listens: the receiver's first state change is done */
  fail_unless (gst_element_get_state (rx, NULL, NULL, 5 * GST_SECOND) !=
      GST_STATE_CHANGE_FAILURE);

  for (i = 0; i < sizeof (audio); i++)
    audio[i] = (guint8) (i * 7 + (i >> 8));
  fail_unless (aes67_test_net_enter (net, 0));
  tx = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, NULL);
  fail_unless (aes67_test_net_leave ());
  ia = g_inet_address_new_from_string (net->hosts[1].addr);
  dest = g_inet_socket_address_new (ia, 5004);
  for (i = 0; i < 40; i++) {
    p[0] = 0x80;
    p[1] = 97;
    GST_WRITE_UINT16_BE (p + 2, 100 + i);
    GST_WRITE_UINT32_BE (p + 4, 4800 + 48 * i);
    GST_WRITE_UINT32_BE (p + 8, 0xda7e0002);
    memcpy (p + 12, audio + 288 * i, 288);
    fail_unless (g_socket_send_to (tx, dest, (gchar *) p, sizeof (p), NULL,
            NULL) == sizeof (p));
    g_usleep (1000);
  }
  roundtrip_pull_stream (sink, out, sizeof (audio), 5 * GST_SECOND, &got);

  fail_unless_equals_int (out->len, sizeof (audio));
  fail_unless (memcmp (out->data, audio, sizeof (audio)) == 0);
  fail_unless (got && gst_caps_is_equal (got, caps), "played %s, listed %s",
      CAPS_STR (got), CAPS_STR (caps));
  fail_if (listed (mon, "AM824 Stage"));

  gst_element_set_state (rx, GST_STATE_NULL);
  gst_object_unref (rx);
  gst_caps_unref (got);
  gst_caps_unref (caps);
  gst_caps_unref (filter);
  g_byte_array_unref (out);
  g_object_unref (dest);
  g_object_unref (ia);
  g_object_unref (tx);
  gst_object_unref (d);
  announcer_stop (ann);
  announcer_stop (ann2);
  gst_device_monitor_stop (mon);
  gst_object_unref (provider);
  gst_object_unref (bus);
  gst_object_unref (mon);
  g_free (sdp);
  g_free (sdp_bad);
}

GST_END_TEST;

/* ST 2022-7: a session whose SDP has a DUP group (aes67-linux-daemon's
 * form: the same group, another port and source for the second leg) is
 * listed with both legs */
GST_START_TEST (test_monitor_dup)
{
  GstDeviceMonitor *mon = gst_device_monitor_new ();
  GstBus *bus = gst_device_monitor_get_bus (mon);
  GstElement *ann;
  GstDevice *d;
  GstStructure *props;
  guint u;
  gchar *sdp = g_strdup_printf ("v=0\r\no=- 6161 1 IN IP4 %s\r\n"
      "s=Redundant Stage\r\nt=0 0\r\na=group:DUP 1 2\r\n"
      "m=audio 5004 RTP/AVP 98\r\nc=IN IP4 239.1.0.1/15\r\n"
      "a=source-filter: incl IN IP4 239.1.0.1 %s\r\n"
      "a=rtpmap:98 L24/48000/2\r\na=ptime:1\r\na=mid:1\r\n"
      "m=audio 5006 RTP/AVP 98\r\nc=IN IP4 239.1.0.1/15\r\n"
      "a=source-filter: incl IN IP4 239.1.0.1 192.0.2.18\r\n"
      "a=rtpmap:98 L24/48000/2\r\na=ptime:1\r\na=mid:2\r\n",
      net->hosts[0].addr, net->hosts[0].addr);

  gst_device_monitor_add_filter (mon, "Audio/Source", NULL);
  fail_unless (aes67_test_net_enter (net, 1));
  fail_unless (gst_device_monitor_start (mon));
  fail_unless (aes67_test_net_leave ());
  ann = announcer_start (sdp);
  d = wait_named_device (bus, "Redundant Stage");
  fail_unless (d != NULL, "the redundant session is not listed");
  props = gst_device_get_properties (d);
  fail_unless_equals_string (gst_structure_get_string (props,
          "aes67.address"), "239.1.0.1");
  fail_unless (gst_structure_get_uint (props, "aes67.port", &u));
  fail_unless_equals_int (u, 5004);
  fail_unless_equals_string (gst_structure_get_string (props,
          "aes67.secondary-address"), "239.1.0.1");
  fail_unless (gst_structure_get_uint (props, "aes67.secondary-port", &u));
  fail_unless_equals_int (u, 5006);
  fail_unless (gst_structure_get_string (props, "aes67.warnings") == NULL,
      "%s", gst_structure_get_string (props, "aes67.warnings"));
  gst_structure_free (props);
  gst_object_unref (d);

  announcer_stop (ann);
  gst_device_monitor_stop (mon);
  gst_object_unref (bus);
  gst_object_unref (mon);
  g_free (sdp);
}

GST_END_TEST;

static Suite *
provider_suite (void)
{
  Suite *s = suite_create ("aes67deviceprovider");
  TCase *tc = tcase_create ("network");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_monitor_add_remove);
  tcase_add_test (tc, test_monitor_timeout);
  tcase_add_test (tc, test_gst_device_monitor_tool);
  tcase_add_test (tc, test_monitor_dante_mismatch);
  tcase_add_test (tc, test_monitor_dup);
  return s;
}

int
main (int argc, char **argv)
{
  int nf;

  gst_check_init (&argc, &argv);
  net =
      aes67_test_net_new_or_skip ("sapdp", 2,
      "device provider tests between network namespaces");
  nf = gst_check_run_suite (provider_suite (), "aes67deviceprovider", __FILE__);
  aes67_test_net_free (net);
  return nf;
}
