/* gst-aes67: tests of sapannounce over a real network
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * Two network namespaces on one bridged link: sapannounce runs in host 0
 * (192.0.2.1); in host 1 (192.0.2.2) our SAP browser, a plain UDP socket or
 * tshark (Debian's, a peer that knows nothing of our code) receive.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <gst/check/gstcheck.h>

#include "aes67-sap.h"
#include "aes67-sap-browser.h"
#include "aes67-testnet.h"
#include "../sap-test-spawn.h"
#include "../sap-test-events.h"

static Aes67TestNet *net;

static const gchar sdp_stage[] =
    "v=0\r\n"
    "o=- 1311738121 1 IN IP4 192.0.2.1\r\n"
    "s=Stage\r\n"
    "i=2 channels: Left, Right\r\n"
    "c=IN IP4 239.69.1.10/32\r\n"
    "t=0 0\r\n"
    "a=clock-domain:PTPv2 0\r\n"
    "m=audio 5004 RTP/AVP 97\r\n"
    "c=IN IP4 239.69.1.10/32\r\n"
    "a=rtpmap:97 L24/48000/2\r\n"
    "a=recvonly\r\n"
    "a=ptime:1\r\n"
    "a=framecount:48\r\n"
    "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0\r\n"
    "a=mediaclk:direct=0\r\n"
    "a=source-filter: incl IN IP4 239.69.1.10 192.0.2.1\r\n";

static gchar *
make_sdp (const gchar * name, guint id, guint channels)
{
  return g_strdup_printf ("v=0\r\no=- %u 1 IN IP4 192.0.2.1\r\ns=%s\r\n"
      "c=IN IP4 239.69.2.%u/32\r\nt=0 0\r\nm=audio 5004 RTP/AVP 97\r\n"
      "a=rtpmap:97 L24/48000/%u\r\na=ptime:1\r\n", id, name, id % 250,
      channels);
}

/* ---------- a browser in host 1 ---------- */

static GstAes67SapBrowser *
browser_new (GAsyncQueue * q)
{
  GstAes67SapBrowser *b = gst_aes67_sap_browser_new ("eth0", 0);
  GError *err = NULL;

  ev_connect (b, q);
  fail_unless (aes67_test_net_enter (net, 1));
  fail_unless (gst_aes67_sap_browser_start (b, &err), "%s",
      err ? err->message : "");
  fail_unless (aes67_test_net_leave ());
  return b;
}

/* ---------- the announcer in host 0 ---------- */

static void
set_state_in (guint host, GstElement * e, GstState state)
{
  fail_unless (aes67_test_net_enter (net, host));
  fail_unless (gst_element_set_state (e, state) != GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_get_state (e, NULL, NULL, 5 * GST_SECOND) ==
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (aes67_test_net_leave ());
}

static GstMessage *
pop_sap_message (GstBus * bus, const gchar * action)
{
  GstMessage *m = gst_bus_timed_pop_filtered (bus, 3 * GST_SECOND,
      GST_MESSAGE_ELEMENT);

  fail_unless (m != NULL, "no sap-announce message (%s)", action);
  fail_unless (gst_message_has_name (m, "sap-announce"));
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (m), "action"), action);
  return m;
}

GST_START_TEST (test_defaults)
{
  GstElement *e = gst_element_factory_make ("sapannounce", NULL);
  gchar *address, *iface, *sdp;
  guint port, interval, ttl;
  gboolean loop, auto_announce;
  GValue files = G_VALUE_INIT;

  fail_unless (e != NULL);
  g_object_get (e, "address", &address, "port", &port, "interval",
      &interval, "ttl", &ttl, "multicast-iface", &iface, "loop", &loop,
      "sdp", &sdp, "auto", &auto_announce, NULL);
  g_value_init (&files, GST_TYPE_ARRAY);
  g_object_get_property (G_OBJECT (e), "sdp-files", &files);
  fail_unless_equals_int (gst_value_array_get_size (&files), 0);
  g_value_unset (&files);
  fail_unless_equals_string (address, "239.255.255.255");
  fail_unless_equals_int (port, 9875);
  fail_unless_equals_int (interval, 5);
  fail_unless_equals_int (ttl, 15);
  fail_unless (iface == NULL && sdp == NULL);
  fail_unless (loop && auto_announce);
  g_free (address);
  gst_object_unref (e);
}

GST_END_TEST;

/* The sdp property: announced (exact SDP, origin, hash), repeated at the
 * interval, deleted on stop; messages field by field. */
GST_START_TEST (test_sdp_property)
{
  GAsyncQueue *q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  GstAes67SapBrowser *b = browser_new (q);
  GstElement *pipe = gst_pipeline_new (NULL);
  GstElement *e = gst_element_factory_make ("sapannounce", NULL);
  GstBus *bus = gst_element_get_bus (pipe);
  const GstStructure *st;
  GstMessage *m;
  guint hash = aes67_sap_msg_id_hash (sdp_stage, strlen (sdp_stage));
  guint u;
  guint64 packets;
  Ev *ev;

  g_object_set (e, "sdp", sdp_stage, "interval", 1, NULL);
  gst_bin_add (GST_BIN (pipe), e);
  set_state_in (0, pipe, GST_STATE_PLAYING);

  ev = ev_wait (q, "added");
  fail_unless_equals_string (ev->session->sdp, sdp_stage);
  fail_unless_equals_string (ev->session->name, "Stage");
  fail_unless_equals_string (ev->session->origin, net->hosts[0].addr);
  fail_unless_equals_int (ev->session->msg_id_hash, hash);
  ev_free (ev);

  m = pop_sap_message (bus, "announce");
  st = gst_message_get_structure (m);
  fail_unless_equals_string (gst_structure_get_string (st, "source"), "sdp");
  fail_unless_equals_string (gst_structure_get_string (st, "session-name"),
      "Stage");
  fail_unless_equals_string (gst_structure_get_string (st, "sdp"), sdp_stage);
  fail_unless (gst_structure_get_uint (st, "msg-id-hash", &u));
  fail_unless_equals_int (u, hash);
  fail_unless_equals_string (gst_structure_get_string (st, "origin"),
      net->hosts[0].addr);
  fail_unless_equals_string (gst_structure_get_string (st, "address"),
      "239.255.255.255");
  fail_unless (gst_structure_get_uint (st, "port", &u));
  fail_unless_equals_int (u, 9875);
  fail_unless (gst_structure_get_uint (st, "interval-s", &u));
  fail_unless_equals_int (u, 1);
  /* 8 header bytes + "application/sdp\0" + the SDP */
  fail_unless (gst_structure_get_uint (st, "packet-size", &u));
  fail_unless_equals_int (u, 8 + 16 + strlen (sdp_stage));
  gst_message_unref (m);

  /* interval 1 s: 5 repeats take 4-5 s (the first may come at once);
   * never less, whatever the load; 2.5 s of room on the late side, where
   * an interval of 2 s would take 8 s */
  {
    gint64 t0 = g_get_monotonic_time (), end = t0 + 20 * G_USEC_PER_SEC, dt;
    guint64 p0 = browser_stat (b, "packets");

    while (browser_stat (b, "packets") < p0 + 5
        && g_get_monotonic_time () < end)
      g_usleep (10000);
    dt = g_get_monotonic_time () - t0;
    packets = browser_stat (b, "packets") - p0;
    fail_unless (packets >= 5, "%" G_GUINT64_FORMAT " repeats in 20 s",
        packets);
    g_print ("5 repeats at interval 1 s in %.2f s\n", dt / 1e6);
    fail_unless (dt >= 3500 * G_TIME_SPAN_MILLISECOND
        && dt < 7500 * G_TIME_SPAN_MILLISECOND, "5 repeats in %.2f s at "
        "interval 1 s", dt / 1e6);
    /* the browser counts a packet before it handles it, one at a time: a
     * sixth counted means the fifth was handled */
    while (browser_stat (b, "packets") < p0 + 6
        && g_get_monotonic_time () < end)
      g_usleep (10000);
    fail_unless (browser_stat (b, "packets") >= p0 + 6);
  }
  fail_unless (g_async_queue_try_pop (q) == NULL, "a repeat made an event");

  /* a new o= version while playing: announced first, then the old one
   * deleted; receivers see a change, not a loss */
  {
    gchar *v2 = g_strdup (sdp_stage);
    guint hash2;

    memcpy (strstr (v2, "1311738121 1 IN") + 11, "2", 1);
    hash2 = aes67_sap_msg_id_hash (v2, strlen (v2));
    g_object_set (e, "sdp", v2, NULL);
    ev = ev_wait (q, "changed");
    fail_unless_equals_string (ev->session->sdp, v2);
    ev_free (ev);
    packets = browser_stat (b, "packets");
    m = pop_sap_message (bus, "change");
    st = gst_message_get_structure (m);
    fail_unless (gst_structure_get_uint (st, "msg-id-hash", &u));
    fail_unless_equals_int (u, hash2);
    fail_unless_equals_string (gst_structure_get_string (st, "sdp"), v2);
    gst_message_unref (m);
    /* the deletion of version 1 came (a packet) and removed nothing: two
     * packets counted after the new version's (the deletion and a repeat,
     * handled one at a time) mean the deletion was handled */
    {
      gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

      while (browser_stat (b, "packets") < packets + 2
          && g_get_monotonic_time () < end)
        g_usleep (10000);
      fail_unless (browser_stat (b, "packets") >= packets + 2);
    }
    fail_unless (g_async_queue_try_pop (q) == NULL);
    fail_unless_equals_int (browser_stat (b, "sessions"), 1);

    /* the same version with other content: deletion first, so it is a
     * loss and a new session */
    memcpy (strstr (v2, "a=ptime:1"), "a=ptime:4", 9);
    g_object_set (e, "sdp", v2, NULL);
    ev = ev_wait (q, "removed");
    fail_unless_equals_int (ev->reason, GST_AES67_SAP_REMOVED_DELETED);
    ev_free (ev);
    ev = ev_wait (q, "added");
    fail_unless_equals_string (ev->session->sdp, v2);
    ev_free (ev);
    gst_message_unref (pop_sap_message (bus, "change"));
    hash = aes67_sap_msg_id_hash (v2, strlen (v2));
    g_free (v2);
  }

  /* the deletion goes at PAUSED->READY (at NULL the bus is flushed) */
  set_state_in (0, pipe, GST_STATE_READY);
  ev = ev_wait (q, "removed");
  fail_unless_equals_string (ev->session->name, "Stage");
  fail_unless_equals_int (ev->reason, GST_AES67_SAP_REMOVED_DELETED);
  ev_free (ev);
  m = pop_sap_message (bus, "delete");
  fail_unless (gst_structure_get_uint (gst_message_get_structure (m),
          "msg-id-hash", &u));
  fail_unless_equals_int (u, hash);
  gst_message_unref (m);
  set_state_in (0, pipe, GST_STATE_NULL);

  gst_object_unref (bus);
  gst_object_unref (pipe);
  gst_aes67_sap_browser_stop (b);
  gst_object_unref (b);
  g_async_queue_unref (q);
}

GST_END_TEST;

/* sdp-files: every readable file a session; an unreadable one, one that
 * is no regular file (/dev/zero: never read) and a bad SDP are warnings,
 * and the pipeline keeps running. */
GST_START_TEST (test_sdp_files_and_bad_input)
{
  GAsyncQueue *q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  GstAes67SapBrowser *b = browser_new (q);
  GstElement *pipe = gst_pipeline_new (NULL);
  GstElement *e = gst_element_factory_make ("sapannounce", NULL);
  GstBus *bus = gst_element_get_bus (pipe);
  gchar *dir = g_dir_make_tmp ("sapannounce-XXXXXX", NULL);
  gchar *f1 = g_build_filename (dir, "a.sdp", NULL);
  gchar *f2 = g_build_filename (dir, "b.sdp", NULL);
  gchar *missing = g_build_filename (dir, "missing.sdp", NULL);
  gchar *sdp1 = make_sdp ("File A", 11, 2);
  gchar *sdp2 = make_sdp ("File B", 12, 8);
  const gchar *files[] = { f1, missing, "/dev/zero", f2 };
  GValue arr = G_VALUE_INIT;
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  GstMessage *m;
  guint n_warn = 0, i;
  GstState state;

  fail_unless (g_file_set_contents (f1, sdp1, -1, NULL));
  fail_unless (g_file_set_contents (f2, sdp2, -1, NULL));
  g_value_init (&arr, GST_TYPE_ARRAY);
  for (i = 0; i < G_N_ELEMENTS (files); i++) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_STRING);
    g_value_set_string (&v, files[i]);
    gst_value_array_append_and_take_value (&arr, &v);
  }
  g_object_set_property (G_OBJECT (e), "sdp-files", &arr);
  g_value_unset (&arr);
  g_object_set (e, "sdp", "this is not an SDP", NULL);
  gst_bin_add (GST_BIN (pipe), e);
  set_state_in (0, pipe, GST_STATE_PLAYING);

  for (i = 0; i < 2; i++) {
    Ev *ev = ev_wait (q, "added");
    g_hash_table_insert (seen, g_strdup (ev->session->name),
        g_strdup (ev->session->sdp));
    ev_free (ev);
  }
  fail_unless_equals_string (g_hash_table_lookup (seen, "File A"), sdp1);
  fail_unless_equals_string (g_hash_table_lookup (seen, "File B"), sdp2);

  while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING))) {
    GError *err = NULL;
    gst_message_parse_warning (m, &err, NULL);
    if (strstr (err->message, "missing.sdp"))
      n_warn |= 1;
    if (strstr (err->message, "/dev/zero is a character device"))
      n_warn |= 4;
    if (strstr (err->message, "The SDP of sdp cannot be announced"))
      n_warn |= 2;
    g_clear_error (&err);
    gst_message_unref (m);
  }
  fail_unless_equals_int (n_warn, 7);
  fail_unless (gst_element_get_state (pipe, &state, NULL, 0) ==
      GST_STATE_CHANGE_SUCCESS && state == GST_STATE_PLAYING);

  set_state_in (0, pipe, GST_STATE_NULL);
  for (i = 0; i < 2; i++) {
    Ev *ev = ev_wait (q, "removed");
    fail_unless (g_hash_table_remove (seen, ev->session->name));
    ev_free (ev);
  }
  fail_unless_equals_int (g_hash_table_size (seen), 0);

  g_hash_table_destroy (seen);
  g_unlink (f1);
  g_unlink (f2);
  g_rmdir (dir);
  g_free (dir);
  g_free (f1);
  g_free (f2);
  g_free (missing);
  g_free (sdp1);
  g_free (sdp2);
  gst_object_unref (bus);
  gst_object_unref (pipe);
  gst_aes67_sap_browser_stop (b);
  gst_object_unref (b);
  g_async_queue_unref (q);
}

GST_END_TEST;

/* address=224.2.127.254 and ttl: a plain socket in host 1 joined to that
 * group only gets the packet; its TTL arrives as set (read with
 * IP_RECVTTL). */
GST_START_TEST (test_address_and_ttl)
{
  GstElement *e = gst_element_factory_make ("sapannounce", NULL);
  GSocket *rx;
  GError *err = NULL;
  guint8 buf[2048];
  Aes67SapPacket pkt;
  gssize n;
  gint fd, on = 1;
  struct msghdr msg = { 0 };
  struct iovec iov = { buf, sizeof (buf) };
  union
  {
    struct cmsghdr align;
    gchar b[CMSG_SPACE (sizeof (int))];
  } cbuf;
  struct cmsghdr *c;
  gint ttl = -1;

  rx = aes67_test_net_join (net, 1, "224.2.127.254", 9875, 3, &err);
  fail_unless (rx != NULL, "%s", err ? err->message : "");
  fd = g_socket_get_fd (rx);
  fail_unless (setsockopt (fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof (on)) == 0);

  g_object_set (e, "sdp", sdp_stage, "address", "224.2.127.254", "ttl", 7,
      NULL);
  set_state_in (0, e, GST_STATE_PLAYING);

  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf.b;
  msg.msg_controllen = sizeof (cbuf.b);
  fail_unless (g_socket_condition_timed_wait (rx, G_IO_IN,
          3 * G_TIME_SPAN_SECOND, NULL, &err), "nothing on 224.2.127.254");
  n = recvmsg (fd, &msg, 0);
  fail_unless (n > 0);
  for (c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
      memcpy (&ttl, CMSG_DATA (c), sizeof (int));
  fail_unless_equals_int (ttl, 7);
  fail_unless (aes67_sap_parse (buf, n, 0, &pkt, &err));
  fail_unless_equals_int (pkt.type, AES67_SAP_ANNOUNCE);
  fail_unless_equals_string (pkt.payload_type, "application/sdp");
  fail_unless_equals_string (pkt.sdp, sdp_stage);
  {
    /* the originating source: host 0's address */
    gchar *o = aes67_sap_packet_origin_string (&pkt);
    fail_unless_equals_string (o, net->hosts[0].addr);
    g_free (o);
  }
  aes67_sap_packet_clear (&pkt);

  set_state_in (0, e, GST_STATE_NULL);
  /* the deletion: T bit set, same hash */
  fail_unless (g_socket_condition_timed_wait (rx, G_IO_IN,
          3 * G_TIME_SPAN_SECOND, NULL, &err), "no deletion");
  n = g_socket_receive (rx, (gchar *) buf, sizeof (buf), NULL, &err);
  fail_unless (aes67_sap_parse (buf, n, 0, &pkt, &err));
  fail_unless_equals_int (pkt.type, AES67_SAP_DELETE);
  fail_unless_equals_int (pkt.msg_id_hash,
      aes67_sap_msg_id_hash (sdp_stage, strlen (sdp_stage)));
  aes67_sap_packet_clear (&pkt);

  g_object_unref (rx);
  gst_object_unref (e);
}

GST_END_TEST;

/* A multicast-iface that does not exist: going to READY fails with an error
 * that names the interface and the property, and nothing crashes. */
GST_START_TEST (test_no_such_iface)
{
  GstElement *e = gst_element_factory_make ("sapannounce", NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *m;
  GError *err = NULL;

  gst_element_set_bus (e, bus);
  g_object_set (e, "sdp", sdp_stage, "multicast-iface", "nosuchif0", NULL);
  fail_unless_equals_int (gst_element_set_state (e, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (m != NULL, "no error message");
  gst_message_parse_error (m, &err, NULL);
  fail_unless (strstr (err->message, "nosuchif0") != NULL, "%s", err->message);
  fail_unless (strstr (err->message, "multicast-iface") != NULL, "%s",
      err->message);
  g_error_free (err);
  gst_message_unref (m);
  gst_element_set_state (e, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (e);
}

GST_END_TEST;

static void
expect_present (const gchar * out, const gchar * needle)
{
  if (!strstr (out, needle)) {
    g_printerr ("tshark output:\n%s\n", out);
    fail ("tshark did not print '%s'", needle);
  }
}

static void
expect_absent (const gchar * out, const gchar * needle)
{
  if (strstr (out, needle)) {
    g_printerr ("tshark output:\n%s\n", out);
    fail ("tshark printed '%s'", needle);
  }
}

/* tshark, a dissector that knows nothing of our code, reads our SAP
 * announcement and deletion without a malformed-packet or error expert
 * note and finds the SDP fields. */
GST_START_TEST (test_tshark)
{
  gchar *tshark = g_find_program_in_path ("tshark");
  gchar *dir, *pcap, *log, *cmd, *out = NULL, *text = NULL;
  const gchar *argv[12];
  GstElement *e;
  GError *err = NULL;
  GPid pid;
  gint i;
  gchar *hash;

  if (!tshark) {
    g_print ("SKIP test_tshark: tshark is not installed "
        "(scripts/install-deps.sh installs it)\n");
    return;
  }
  dir = g_dir_make_tmp ("sap-tshark-XXXXXX", NULL);
  pcap = g_build_filename (dir, "sap.pcap", NULL);
  log = g_build_filename (dir, "tshark.log", NULL);
  argv[0] = tshark;
  argv[1] = "-i";
  argv[2] = "eth0";
  argv[3] = "-f";
  argv[4] = "udp port 9875";
  argv[5] = "-c";
  argv[6] = "2";
  argv[7] = "-w";
  argv[8] = pcap;
  argv[9] = NULL;
  pid = sap_test_spawn (net, 1, argv, log, &err);
  fail_unless (pid > 0, "%s", err ? err->message : "");
  for (i = 0; i < 200; i++) {
    if (g_file_get_contents (log, &text, NULL, NULL)
        && strstr (text, "Capture started"))
      break;
    g_clear_pointer (&text, g_free);
    g_usleep (50000);
  }
  fail_unless (text != NULL, "tshark did not start capturing in 10 s");
  g_free (text);
  /* the message comes just before the capture loop runs */
  g_usleep (300000);

  e = gst_element_factory_make ("sapannounce", NULL);
  g_object_set (e, "sdp", sdp_stage, NULL);
  set_state_in (0, e, GST_STATE_PLAYING);
  set_state_in (0, e, GST_STATE_NULL);
  gst_object_unref (e);

  /* tshark exits after 2 packets */
  for (i = 0; i < 100; i++) {
    if (waitpid (pid, NULL, WNOHANG) == pid) {
      sap_test_forget (pid);
      pid = 0;
      break;
    }
    g_usleep (50000);
  }
  if (pid)
    sap_test_stop (pid);
  fail_unless (pid == 0, "tshark did not see 2 packets in 5 s");

  cmd = g_strdup_printf ("%s -r %s -V", tshark, pcap);
  fail_unless (aes67_test_net_run (net, -1, cmd, &out, &err), "%s",
      err ? err->message : "");
  GST_INFO ("tshark says:\n%s", out);
  expect_absent (out, "Malformed");
  expect_absent (out, "Expert Info (Error");
  expect_absent (out, "Expert Info (Warning");
  expect_present (out, "Session Announcement Protocol");
  expect_present (out, "Version Number: SAPv1 or later (1)");
  expect_present (out, "Address Type: IPv4");
  expect_present (out, "Message Type: Announcement");
  expect_present (out, "Message Type: Deletion");
  {
    gchar *o = g_strdup_printf ("Originating Source: %s", net->hosts[0].addr);
    expect_present (out, o);
    g_free (o);
  }
  expect_present (out, "Payload type: application/sdp");
  hash = g_strdup_printf ("Message Identifier Hash: 0x%04x",
      aes67_sap_msg_id_hash (sdp_stage, strlen (sdp_stage)));
  expect_present (out, hash);
  g_free (hash);
  expect_present (out, "Session Name (s): Stage");
  expect_present (out, "Media Attribute (a): rtpmap:97 L24/48000/2");
  expect_present (out, "Media Attribute (a): ts-refclk:ptp=IEEE1588-2008:"
      "00-1D-C1-FF-FE-50-36-33:0");
  expect_present (out, "Destination Address: 239.255.255.255");

  g_unlink (pcap);
  g_unlink (log);
  g_rmdir (dir);
  g_free (out);
  g_free (cmd);
  g_free (pcap);
  g_free (log);
  g_free (dir);
  g_free (tshark);
}

GST_END_TEST;

/* Auto-announce: every aes67sink of the pipeline, one added later too.
 * Needs the aes67sink element (the lead's, merged separately). */
GST_START_TEST (test_auto_aes67sink)
{
  GstElementFactory *f = gst_element_factory_find ("aes67sink");
  GAsyncQueue *q;
  GstAes67SapBrowser *b;
  GstElement *pipe, *src2, *sink2;
  GError *err = NULL;
  Ev *ev;

  if (!f) {
    g_print ("SKIP test_auto_aes67sink: no aes67sink element in this "
        "build\n");
    return;
  }
  gst_object_unref (f);
  q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  b = browser_new (q);
  pipe = gst_parse_launch ("audiotestsrc is-live=true ! "
      "aes67sink session-name=Auto-one sapannounce interval=1", &err);
  fail_unless (pipe != NULL, "%s", err ? err->message : "");
  set_state_in (0, pipe, GST_STATE_PLAYING);
  ev = ev_wait (q, "added");
  fail_unless_equals_string (ev->session->name, "Auto-one");
  ev_free (ev);

  /* a second sink added while playing */
  src2 = gst_element_factory_make ("audiotestsrc", NULL);
  sink2 = gst_element_factory_make ("aes67sink", NULL);
  g_object_set (src2, "is-live", TRUE, NULL);
  g_object_set (sink2, "session-name", "Auto-two", NULL);
  fail_unless (aes67_test_net_enter (net, 0));
  gst_bin_add_many (GST_BIN (pipe), src2, sink2, NULL);
  fail_unless (gst_element_link (src2, sink2));
  gst_element_sync_state_with_parent (sink2);
  gst_element_sync_state_with_parent (src2);
  fail_unless (aes67_test_net_leave ());
  ev = ev_wait (q, "added");
  fail_unless_equals_string (ev->session->name, "Auto-two");
  ev_free (ev);

  set_state_in (0, pipe, GST_STATE_NULL);
  ev = ev_wait (q, "removed");
  ev_free (ev);
  ev = ev_wait (q, "removed");
  ev_free (ev);
  gst_object_unref (pipe);
  gst_aes67_sap_browser_stop (b);
  gst_object_unref (b);
  g_async_queue_unref (q);
}

GST_END_TEST;

/* sapannounce knows an aes67sink by its type, not by the name of its
 * factory: an application that registers the element under a name of its
 * own (as a static build may) still has its sinks announced. */
GST_START_TEST (test_aes67sink_by_type)
{
  GstElementFactory *f = gst_element_factory_find ("aes67sink");
  GstPluginFeature *loaded;
  GAsyncQueue *q;
  GstAes67SapBrowser *b;
  GstElement *pipe, *src, *sink, *ann;
  GType sink_type;
  Ev *ev;

  if (!f) {
    g_print ("SKIP test_aes67sink_by_type: no aes67sink element in this "
        "build\n");
    return;
  }
  loaded = gst_plugin_feature_load (GST_PLUGIN_FEATURE (f));
  fail_unless (loaded != NULL);
  sink_type = gst_element_factory_get_element_type (GST_ELEMENT_FACTORY
      (loaded));
  gst_object_unref (loaded);
  gst_object_unref (f);
  /* before the first sink is made (this test's process made none), so the
   * class's factory is this one */
  fail_unless (gst_element_register (NULL, "studiosink", GST_RANK_NONE,
          sink_type));
  sink = gst_element_factory_make ("studiosink", NULL);
  fail_unless (sink != NULL);
  fail_unless_equals_string (GST_OBJECT_NAME (gst_element_get_factory
          (sink)), "studiosink");
  g_object_set (sink, "session-name", "Typed", NULL);

  q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  b = browser_new (q);
  pipe = gst_pipeline_new (NULL);
  src = gst_element_factory_make ("audiotestsrc", NULL);
  g_object_set (src, "is-live", TRUE, NULL);
  ann = gst_element_factory_make ("sapannounce", NULL);
  g_object_set (ann, "interval", 1, NULL);
  gst_bin_add_many (GST_BIN (pipe), src, sink, ann, NULL);
  fail_unless (gst_element_link (src, sink));
  set_state_in (0, pipe, GST_STATE_PLAYING);
  ev = ev_wait (q, "added");
  fail_unless_equals_string (ev->session->name, "Typed");
  ev_free (ev);

  set_state_in (0, pipe, GST_STATE_NULL);
  ev = ev_wait (q, "removed");
  ev_free (ev);
  gst_object_unref (pipe);
  gst_aes67_sap_browser_stop (b);
  gst_object_unref (b);
  g_async_queue_unref (q);
}

GST_END_TEST;

/* mdns=true where no avahi-daemon can be reached: a warning on
 * sapannounce's own bus says why, and the session is still announced with
 * SAP. */
GST_START_TEST (test_mdns_without_daemon)
{
  GAsyncQueue *q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  GstAes67SapBrowser *b = browser_new (q);
  GstElement *pipe = gst_pipeline_new (NULL);
  GstElement *e = gst_element_factory_make ("sapannounce", NULL);
  GstBus *bus = gst_element_get_bus (pipe);
  GstMessage *m;
  GError *err = NULL;
  Ev *ev;

  /* a system bus that is not there: avahi-client cannot reach a daemon */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/aes67-bus",
      TRUE);
  g_object_set (e, "sdp", sdp_stage, "mdns", TRUE, "interval", 1, NULL);
  gst_bin_add (GST_BIN (pipe), e);
  set_state_in (0, pipe, GST_STATE_PLAYING);
  m = gst_bus_timed_pop_filtered (bus, 5 * GST_SECOND, GST_MESSAGE_WARNING);
  fail_unless (m != NULL, "no warning about mDNS on sapannounce's bus");
  fail_unless (GST_MESSAGE_SRC (m) == GST_OBJECT (e));
  gst_message_parse_warning (m, &err, NULL);
#ifdef HAVE_AVAHI
  fail_unless (strstr (err->message, "Is avahi-daemon running?") != NULL,
      "%s", err->message);
#else
  fail_unless (strstr (err->message, "libavahi-client") != NULL, "%s",
      err->message);
#endif
  fail_unless (strstr (err->message, "SAP only") != NULL, "%s", err->message);
  g_clear_error (&err);
  gst_message_unref (m);
  ev = ev_wait (q, "added");
  fail_unless_equals_string (ev->session->name, "Stage");
  ev_free (ev);

  set_state_in (0, pipe, GST_STATE_NULL);
  ev = ev_wait (q, "removed");
  ev_free (ev);
  gst_object_unref (bus);
  gst_object_unref (pipe);
  gst_aes67_sap_browser_stop (b);
  gst_object_unref (b);
  g_async_queue_unref (q);
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
}

GST_END_TEST;

/* ST 2022-7: the DUP SDP of an aes67sink with a secondary path goes out
 * in SAP as aes67sink made it, byte for byte: the group and both media
 * sections (read from the wire in host 1 with a plain socket) */
GST_START_TEST (test_dup_sdp_announced)
{
  GstElementFactory *f = gst_element_factory_find ("aes67sink");
  GstElement *pipe, *sink;
  GSocket *sock;
  GError *err = NULL;
  gchar *sdp = NULL, *first_m;
  gint64 end;
  gboolean seen = FALSE;

  if (!f) {
    g_print ("SKIP test_dup_sdp_announced: no aes67sink element in this "
        "build\n");
    return;
  }
  gst_object_unref (f);
  sock = aes67_test_net_join (net, 1, AES67_SAP_ADDRESS_AES67, AES67_SAP_PORT,
      1, &err);
  fail_unless (sock != NULL, "%s", err ? err->message : "");
  pipe = gst_parse_launch ("audiotestsrc is-live=true ! aes67sink name=s "
      "session-name=Redundant address=239.69.30.1 "
      "secondary-address=239.69.31.1 secondary-port=5006 "
      "sapannounce interval=1", &err);
  fail_unless (pipe != NULL, "%s", err ? err->message : "");
  set_state_in (0, pipe, GST_STATE_PLAYING);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "s");
  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!sdp && g_get_monotonic_time () < end) {
    g_object_get (sink, "sdp", &sdp, NULL);
    if (!sdp)
      g_usleep (10000);
  }
  fail_unless (sdp != NULL, "aes67sink made no SDP");
  /* the SDP as aes67sink wrote it: the group, two media sections */
  fail_unless (strstr (sdp, "\r\na=group:DUP 1 2\r\n") != NULL, "%s", sdp);
  first_m = strstr (sdp, "m=audio 5004 ");
  fail_unless (first_m != NULL, "%s", sdp);
  fail_unless (strstr (first_m, "m=audio 5006 ") != NULL, "%s", sdp);

  /* SAP packets on the wire until one carries the session */
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!seen && g_get_monotonic_time () < end) {
    guint8 buf[AES67_SAP_DEFAULT_MAX_PACKET];
    Aes67SapPacket pkt;
    gssize n = g_socket_receive (sock, (gchar *) buf, sizeof (buf), NULL,
        NULL);

    if (n <= 0 || !aes67_sap_parse (buf, n, 0, &pkt, NULL))
      continue;
    if (pkt.type == AES67_SAP_ANNOUNCE && pkt.sdp
        && strstr (pkt.sdp, "s=Redundant\r\n")) {
      fail_unless_equals_string (pkt.sdp, sdp);
      seen = TRUE;
    }
    aes67_sap_packet_clear (&pkt);
  }
  fail_unless (seen, "no SAP announcement of the session");

  set_state_in (0, pipe, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  g_object_unref (sock);
  g_free (sdp);
}

GST_END_TEST;

static Suite *
sapannounce_suite (void)
{
  Suite *s = suite_create ("sapannounce");
  TCase *tc = tcase_create ("network");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_defaults);
  tcase_add_test (tc, test_sdp_property);
  tcase_add_test (tc, test_sdp_files_and_bad_input);
  tcase_add_test (tc, test_address_and_ttl);
  tcase_add_test (tc, test_no_such_iface);
  tcase_add_test (tc, test_tshark);
  tcase_add_test (tc, test_auto_aes67sink);
  tcase_add_test (tc, test_dup_sdp_announced);
  tcase_add_test (tc, test_aes67sink_by_type);
  tcase_add_test (tc, test_mdns_without_daemon);
  return s;
}

int
main (int argc, char **argv)
{
  int nf;

  gst_check_init (&argc, &argv);
  net =
      aes67_test_net_new_or_skip ("sapa", 2,
      "sapannounce tests between network namespaces");
  nf = gst_check_run_suite (sapannounce_suite (), "sapannounce", __FILE__);
  aes67_test_net_free (net);
  return nf;
}
