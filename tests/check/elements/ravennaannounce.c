/* gst-aes67: tests of RAVENNA-style discovery (mDNS + RTSP DESCRIBE)
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * Two namespaces on one link, each with its own avahi-daemon on a private
 * D-Bus system bus (and a private /run/avahi-daemon, in a mount namespace
 * of its own). This process talks to host 0's daemon (DBUS_SYSTEM_BUS_ADDRESS
 * is set to its bus); host 1 is reached with Debian's avahi-browse,
 * avahi-publish and ffprobe, peers that know nothing of our code.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <gst/check/gstcheck.h>

#include "aes67-mdns.h"
#include "aes67-rtsp-describe.h"
#include "aes67-testnet.h"
#include "../sap-test-spawn.h"

static Aes67TestNet *net;

static const gchar sdp_stage[] =
    "v=0\r\n"
    "o=- 5150 1 IN IP4 192.0.2.1\r\n"
    "s=Stage Left\r\n"
    "i=2 channels: Left, Right\r\n"
    "c=IN IP4 239.69.1.10/32\r\n"
    "t=0 0\r\n"
    "a=clock-domain:PTPv2 0\r\n"
    "m=audio 5004 RTP/AVP 97\r\n"
    "c=IN IP4 239.69.1.10/32\r\n"
    "a=rtpmap:97 L24/48000/2\r\n"
    "a=ptime:1\r\n"
    "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0\r\n"
    "a=mediaclk:direct=0\r\n";

/* ---------- avahi-daemon in a host ---------- */

typedef struct
{
  gchar *dir;
  gchar *bus;                   /* unix:path=... */
  GPid dbus, avahi;
} Avahi;

static Avahi avahi[2];

static gboolean
wait_file_has (const gchar * path, const gchar * needle, gint ms)
{
  gint i;

  for (i = 0; i < ms / 50; i++) {
    gchar *text = NULL;
    gboolean has = g_file_get_contents (path, &text, NULL, NULL)
        && strstr (text, needle);

    g_free (text);
    if (has)
      return TRUE;
    g_usleep (50000);
  }
  return FALSE;
}

static gboolean
avahi_start (Avahi * a, guint host, gchar ** why)
{
  gchar *busconf, *avconf, *sock, *log, *text, *cmd;
  GError *err = NULL;
  gint i;

  a->dir = g_dir_make_tmp ("aes67-avahi-XXXXXX", NULL);
  sock = g_build_filename (a->dir, "bus", NULL);
  a->bus = g_strdup_printf ("unix:path=%s", sock);
  busconf = g_build_filename (a->dir, "bus.conf", NULL);
  text = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC "
      "\"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" "
      "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
      "<busconfig><type>system</type><listen>%s</listen>"
      "<auth>EXTERNAL</auth><policy context=\"default\">"
      "<allow user=\"*\"/><allow own=\"*\"/><allow send_destination=\"*\"/>"
      "<allow receive_type=\"*\"/></policy></busconfig>\n", a->bus);
  g_file_set_contents (busconf, text, -1, NULL);
  g_free (text);
  avconf = g_build_filename (a->dir, "avahi.conf", NULL);
  text = g_strdup_printf ("[server]\nhost-name=a67h%u\nuse-ipv4=yes\n"
      "use-ipv6=no\nallow-interfaces=eth0\nenable-dbus=yes\n"
      "[publish]\npublish-addresses=yes\npublish-workstation=no\n"
      "publish-hinfo=no\n[reflector]\n[rlimits]\n", host);
  g_file_set_contents (avconf, text, -1, NULL);
  g_free (text);

  log = g_build_filename (a->dir, "dbus.log", NULL);
  {
    gchar *arg = g_strdup_printf ("--config-file=%s", busconf);
    const gchar *argv[] = { "dbus-daemon", arg, "--nofork", "--nopidfile",
      NULL
    };
    a->dbus = sap_test_spawn (net, host, argv, log, &err);
    g_free (arg);
  }
  g_free (log);
  for (i = 0; i < 100 && !g_file_test (sock, G_FILE_TEST_EXISTS); i++)
    g_usleep (50000);
  if (!a->dbus || !g_file_test (sock, G_FILE_TEST_EXISTS)) {
    *why = g_strdup ("dbus-daemon did not start");
    goto fail;
  }
  log = g_build_filename (a->dir, "avahi.log", NULL);
  cmd = g_strdup_printf ("mkdir -p /run/avahi-daemon && "
      "mount -t tmpfs none /run/avahi-daemon && exec env "
      "DBUS_SYSTEM_BUS_ADDRESS=%s avahi-daemon --no-drop-root --no-chroot "
      "--no-rlimits -f %s", a->bus, avconf);
  {
    const gchar *argv[] = { "unshare", "-m", "sh", "-c", cmd, NULL };
    a->avahi = sap_test_spawn (net, host, argv, log, &err);
  }
  g_free (cmd);
  if (!a->avahi || !wait_file_has (log, "Server startup complete", 10000)) {
    gchar *l = NULL;
    g_file_get_contents (log, &l, NULL, NULL);
    *why = g_strdup_printf ("avahi-daemon did not start: %s", l ? l : "");
    g_free (l);
    g_free (log);
    goto fail;
  }
  g_free (log);
  g_free (sock);
  g_free (busconf);
  g_free (avconf);
  return TRUE;

fail:
  g_clear_error (&err);
  g_free (sock);
  g_free (busconf);
  g_free (avconf);
  return FALSE;
}

static void
avahi_stop (Avahi * a)
{
  gchar *cmd;

  if (a->avahi)
    sap_test_stop (a->avahi);
  if (a->dbus)
    sap_test_stop (a->dbus);
  a->avahi = a->dbus = 0;
  if (a->dir) {
    cmd = g_strdup_printf ("rm -rf %s", a->dir);
    aes67_test_net_run (net, -1, cmd, NULL, NULL);
    g_free (cmd);
  }
  g_clear_pointer (&a->dir, g_free);
  g_clear_pointer (&a->bus, g_free);
}

/* runs @cmdline in host @host with host @host's system bus */
static gchar *
run_with_bus (guint host, const gchar * cmdline)
{
  gchar *full = g_strdup_printf ("env DBUS_SYSTEM_BUS_ADDRESS=%s %s",
      avahi[host].bus, cmdline);
  gchar *out = NULL;

  aes67_test_net_run (net, host, full, &out, NULL);
  g_free (full);
  return out ? out : g_strdup ("");
}

/* ---------- RTSP DESCRIBE, no mDNS ---------- */

/* Our RTSP server in host 0 serves the SDP by name to our client and to
 * ffprobe in host 1; an unknown name is a 404. */
GST_START_TEST (test_rtsp_describe)
{
  Aes67RtspServer *srv;
  GError *err = NULL;
  gchar *sdp, *cmd, *out = NULL;
  guint16 port;

  fail_unless (aes67_test_net_enter (net, 0));
  srv = aes67_rtsp_server_new (0, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (srv != NULL, "%s", err ? err->message : "");
  port = aes67_rtsp_server_get_port (srv);
  fail_unless (port > 0);
  aes67_rtsp_server_set_session (srv, "Stage Left", sdp_stage);

  fail_unless (aes67_test_net_enter (net, 1));
  sdp = aes67_rtsp_describe (net->hosts[0].addr, port, "Stage Left",
      2 * G_USEC_PER_SEC, &err);
  fail_unless (sdp != NULL, "%s", err ? err->message : "");
  fail_unless_equals_string (sdp, sdp_stage);
  g_free (sdp);
  sdp = aes67_rtsp_describe (net->hosts[0].addr, port, "Nobody",
      2 * G_USEC_PER_SEC, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (sdp == NULL);
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  fail_unless (strstr (err->message, "404") != NULL, "%s", err->message);
  g_clear_error (&err);
  fail_unless_equals_int (aes67_rtsp_server_get_requests (srv), 2);

  /* ffprobe's RTSP client: DESCRIBE gives it the SDP (it logs it at debug
   * level), then its SETUP is refused, which is fine here */
  cmd = g_strdup_printf ("sh -c 'timeout 10 ffprobe -v debug "
      "rtsp://%s:%u/by-name/Stage%%20Left 2>&1; true'", net->hosts[0].addr,
      port);
  aes67_test_net_run (net, 1, cmd, &out, NULL);
  g_free (cmd);
  fail_unless (out != NULL);
  if (!strstr (out, "s=Stage Left")
      || !strstr (out, "a=rtpmap:97 L24/48000/2")) {
    g_printerr ("ffprobe printed:\n%s\n", out);
    fail ("ffprobe did not get the SDP");
  }
  g_free (out);
  fail_unless_equals_int (aes67_rtsp_server_get_requests (srv), 3);

  aes67_rtsp_server_free (srv);
}

GST_END_TEST;

/* ---------- the RTSP server under load and bad input ---------- */

/* A TCP connection from the current host to @host:@port; blocking calls
 * on it time out after 20 s */
static GSocket *
tcp_connect (const gchar * host, guint16 port)
{
  GError *err = NULL;
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &err);
  GInetAddress *ia = g_inet_address_new_from_string (host);
  GSocketAddress *sa = g_inet_socket_address_new (ia, port);

  fail_unless (sock != NULL, "%s", err ? err->message : "");
  g_socket_set_timeout (sock, 20);
  fail_unless (g_socket_connect (sock, sa, NULL, &err), "connect: %s",
      err ? err->message : "");
  g_object_unref (sa);
  g_object_unref (ia);
  return sock;
}

/* Sends @text (if any) and reads until the server closes the connection;
 * what it read. *@elapsed_us: from the call to the close. */
static gchar *
tcp_exchange (GSocket * sock, const gchar * text, gint64 * elapsed_us)
{
  GString *got = g_string_new (NULL);
  gint64 t0 = g_get_monotonic_time ();
  GError *err = NULL;

  if (text)
    fail_unless (g_socket_send (sock, text, strlen (text), NULL, &err) ==
        (gssize) strlen (text), "send: %s", err ? err->message : "");
  for (;;) {
    gchar buf[1024];
    gssize n = g_socket_receive (sock, buf, sizeof (buf), NULL, &err);

    if (n <= 0) {
      fail_unless (n == 0 || g_error_matches (err, G_IO_ERROR,
              G_IO_ERROR_CONNECTION_CLOSED), "receive: %s",
          err ? err->message : "");
      g_clear_error (&err);
      break;
    }
    g_string_append_len (got, buf, n);
  }
  if (elapsed_us)
    *elapsed_us = g_get_monotonic_time () - t0;
  return g_string_free (got, FALSE);
}

/* Requests that are not well-formed RTSP/1.0 with a CSeq get 400 or 505
 * and a closed connection; a good one on the same server still works. */
GST_START_TEST (test_rtsp_bad_requests)
{
  static const struct
  {
    const gchar *request;
    const gchar *status;
  } cases[] = {
    {"DESCRIBE rtsp://h/by-name/Stage%20Left RTSP/1.0\r\n\r\n",
        "RTSP/1.0 400 "},
    {"DESCRIBE rtsp://h/by-name/Stage%20Left RTSP/1.0\r\n"
          "Accept: application/sdp\r\n\r\n", "RTSP/1.0 400 "},
    {"hello there\r\n\r\n", "RTSP/1.0 400 "},
    {"\x16\x03\x01\x02\xff\x01\xfe\x01\xfc\x03\x03\r\n\r\n", "RTSP/1.0 400 "},
    {"DESCRIBE\r\n\r\n", "RTSP/1.0 400 "},
    {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", "RTSP/1.0 400 "},
    {"DESCRIBE rtsp://h/by-name/Stage%20Left RTSP/2.0\r\nCSeq: 3\r\n\r\n",
        "RTSP/1.0 505 "},
    {"DESCRIBE rtsp://h/by-name/Stage%20Left RTSP/3.0\r\nCSeq: 3\r\n\r\n",
        "RTSP/1.0 505 "},
    {"DESCRIBE rtsp://h/by-name/Stage%20Left RTSP/1.1\r\nCSeq: 3\r\n\r\n",
        "RTSP/1.0 505 "},
    {"OPTIONS * RTSP/1.0\r\nCSeq: 7\r\n\r\n", "RTSP/1.0 200 "},
  };
  Aes67RtspServer *srv;
  GError *err = NULL;
  guint16 port;
  guint i;
  gchar *sdp;

  fail_unless (aes67_test_net_enter (net, 0));
  srv = aes67_rtsp_server_new (0, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (srv != NULL, "%s", err ? err->message : "");
  port = aes67_rtsp_server_get_port (srv);
  aes67_rtsp_server_set_session (srv, "Stage Left", sdp_stage);

  fail_unless (aes67_test_net_enter (net, 1));
  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GSocket *sock = tcp_connect (net->hosts[0].addr, port);
    gchar *got = tcp_exchange (sock, cases[i].request, NULL);

    fail_unless (g_str_has_prefix (got, cases[i].status),
        "request %u: answered '%s', not '%s...'", i, got, cases[i].status);
    /* the CSeq is echoed where the request was read in full (not of an
     * RTSP version the parser stops at) */
    if (strstr (cases[i].request, "RTSP/2.0\r\nCSeq: 3"))
      fail_unless (strstr (got, "CSeq: 3\r\n") != NULL, "%s", got);
    g_free (got);
    g_object_unref (sock);
  }
  sdp = aes67_rtsp_describe (net->hosts[0].addr, port, "Stage Left",
      5 * G_USEC_PER_SEC, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (sdp != NULL, "%s", err ? err->message : "");
  fail_unless_equals_string (sdp, sdp_stage);
  g_free (sdp);
  aes67_rtsp_server_free (srv);
}

GST_END_TEST;

/* The idle timeout closes a silent connection and one that never finishes
 * its request; the connection limit closes connections beyond it at once
 * and takes new ones when one is gone. */
GST_START_TEST (test_rtsp_limits)
{
  Aes67RtspServer *srv;
  GError *err = NULL;
  GSocket *idle[4], *extra;
  guint16 port;
  gint64 us;
  gchar *got, *sdp;
  guint i;

  /* idle timeout 300 ms */
  fail_unless (aes67_test_net_enter (net, 0));
  srv = aes67_rtsp_server_new_full (0, 4, 300, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (srv != NULL, "%s", err ? err->message : "");
  port = aes67_rtsp_server_get_port (srv);
  aes67_rtsp_server_set_session (srv, "Stage Left", sdp_stage);
  fail_unless (aes67_test_net_enter (net, 1));
  idle[0] = tcp_connect (net->hosts[0].addr, port);
  got = tcp_exchange (idle[0], NULL, &us);
  fail_unless_equals_string (got, "");
  fail_unless (us >= 300 * 1000 - 1000, "closed after %" G_GINT64_FORMAT
      " us", us);
  g_free (got);
  g_object_unref (idle[0]);
  /* a slow client: half a request, then nothing */
  idle[0] = tcp_connect (net->hosts[0].addr, port);
  got = tcp_exchange (idle[0], "DESCRIBE rtsp://h/by-name/Stage%20Left "
      "RTSP/1.0\r\nCSe", &us);
  fail_unless_equals_string (got, "");
  g_free (got);
  g_object_unref (idle[0]);
  fail_unless (aes67_test_net_leave ());
  fail_unless_equals_int (aes67_rtsp_server_get_idle_closed (srv), 2);
  fail_unless_equals_int (aes67_rtsp_server_get_refused (srv), 0);
  aes67_rtsp_server_free (srv);

  /* at most 4 connections, idle timeout 60 s */
  fail_unless (aes67_test_net_enter (net, 0));
  srv = aes67_rtsp_server_new_full (0, 4, 60000, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (srv != NULL, "%s", err ? err->message : "");
  port = aes67_rtsp_server_get_port (srv);
  aes67_rtsp_server_set_session (srv, "Stage Left", sdp_stage);
  fail_unless (aes67_test_net_enter (net, 1));
  for (i = 0; i < 4; i++)
    idle[i] = tcp_connect (net->hosts[0].addr, port);
  /* wait until the server has taken all four */
  for (i = 0; i < 2000 && aes67_rtsp_server_get_connections (srv) < 4; i++)
    g_usleep (10000);
  fail_unless_equals_int (aes67_rtsp_server_get_connections (srv), 4);
  /* a fifth is closed without an answer, long before any timeout */
  extra = tcp_connect (net->hosts[0].addr, port);
  got = tcp_exchange (extra, "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n", &us);
  fail_unless_equals_string (got, "");
  g_free (got);
  g_object_unref (extra);
  fail_unless_equals_int (aes67_rtsp_server_get_refused (srv), 1);
  /* one of the four leaves: DESCRIBE works again */
  g_socket_close (idle[0], NULL);
  g_object_unref (idle[0]);
  for (i = 0; i < 2000 && aes67_rtsp_server_get_connections (srv) > 3; i++)
    g_usleep (10000);
  sdp = aes67_rtsp_describe (net->hosts[0].addr, port, "Stage Left",
      10 * G_USEC_PER_SEC, &err);
  fail_unless (sdp != NULL, "%s", err ? err->message : "");
  g_free (sdp);
  fail_unless (aes67_test_net_leave ());
  /* freeing the server ends the connections still open */
  aes67_rtsp_server_free (srv);
  for (i = 1; i < 4; i++) {
    got = tcp_exchange (idle[i], NULL, NULL);
    fail_unless_equals_string (got, "");
    g_free (got);
    g_object_unref (idle[i]);
  }
}

GST_END_TEST;

/* The server's limits as element properties (read at NULL->READY, which
 * needs avahi-daemon: the mDNS tests use them) */
GST_START_TEST (test_rtsp_properties)
{
  GstElement *e = gst_element_factory_make ("ravennaannounce", NULL);
  guint max = 0, idle = 0;

  fail_unless (e != NULL);
  g_object_get (e, "max-connections", &max, "idle-timeout", &idle, NULL);
  fail_unless_equals_int (max, AES67_RTSP_DEFAULT_MAX_CONNECTIONS);
  fail_unless_equals_int (idle, AES67_RTSP_DEFAULT_IDLE_TIMEOUT_MS);
  g_object_set (e, "max-connections", 8, "idle-timeout", 250, NULL);
  g_object_get (e, "max-connections", &max, "idle-timeout", &idle, NULL);
  fail_unless_equals_int (max, 8);
  fail_unless_equals_int (idle, 250);
  gst_object_unref (e);
}

GST_END_TEST;

#define LOAD_CLIENTS 50
#define LOAD_IDLE 20

typedef struct
{
  guint16 port;
  gint64 us;                    /* time to the SDP */
  gchar *error;
} LoadClient;

static gpointer
load_client (gpointer data)
{
  LoadClient *lc = data;
  GError *err = NULL;
  gint64 t0;
  gchar *sdp;

  fail_unless (aes67_test_net_enter (net, 1));
  t0 = g_get_monotonic_time ();
  sdp = aes67_rtsp_describe (net->hosts[0].addr, lc->port, "Stage Left",
      10 * G_USEC_PER_SEC, &err);
  lc->us = g_get_monotonic_time () - t0;
  if (!sdp || strcmp (sdp, sdp_stage) != 0)
    lc->error = g_strdup (err ? err->message : "wrong SDP");
  g_clear_error (&err);
  g_free (sdp);
  aes67_test_net_leave ();
  return NULL;
}

static gint
cmp_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* 50 clients at once: 20 idle (10 silent, 10 stuck in the middle of a
 * request) hold their connections while 30 DESCRIBE at the same time;
 * every DESCRIBE is answered within 1 s (the requirement; the figures are
 * printed). The old server answered one connection at a time, so one idle
 * client held all others for its 2 s timeout. */
GST_START_TEST (test_rtsp_concurrent)
{
  Aes67RtspServer *srv;
  GError *err = NULL;
  GSocket *idle[LOAD_IDLE];
  LoadClient lc[LOAD_CLIENTS - LOAD_IDLE];
  GThread *th[LOAD_CLIENTS - LOAD_IDLE];
  gint64 us[LOAD_CLIENTS - LOAD_IDLE];
  guint16 port;
  guint i, n = LOAD_CLIENTS - LOAD_IDLE;

  fail_unless (aes67_test_net_enter (net, 0));
  srv = aes67_rtsp_server_new (0, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (srv != NULL, "%s", err ? err->message : "");
  port = aes67_rtsp_server_get_port (srv);
  aes67_rtsp_server_set_session (srv, "Stage Left", sdp_stage);

  fail_unless (aes67_test_net_enter (net, 1));
  for (i = 0; i < LOAD_IDLE; i++) {
    idle[i] = tcp_connect (net->hosts[0].addr, port);
    if (i % 2)
      fail_unless (g_socket_send (idle[i], "DESCRIBE rtsp://h/by-name/", 26,
              NULL, NULL) == 26);
  }
  fail_unless (aes67_test_net_leave ());
  for (i = 0; i < 2000 && aes67_rtsp_server_get_connections (srv) <
      LOAD_IDLE; i++)
    g_usleep (10000);
  fail_unless_equals_int (aes67_rtsp_server_get_connections (srv), LOAD_IDLE);

  for (i = 0; i < n; i++) {
    lc[i].port = port;
    lc[i].error = NULL;
    th[i] = g_thread_new ("describe", load_client, &lc[i]);
  }
  for (i = 0; i < n; i++) {
    g_thread_join (th[i]);
    fail_unless (lc[i].error == NULL, "client %u: %s", i, lc[i].error);
    us[i] = lc[i].us;
  }
  qsort (us, n, sizeof (gint64), cmp_gint64);
  g_print ("%u concurrent DESCRIBEs beside %u idle connections: median "
      "%.1f ms, max %.1f ms\n", n, LOAD_IDLE, us[n / 2] / 1000.0,
      us[n - 1] / 1000.0);
  fail_unless (us[n - 1] < G_USEC_PER_SEC, "a DESCRIBE took %.1f ms",
      us[n - 1] / 1000.0);
  /* the idle ones are still open: nothing was refused */
  fail_unless_equals_int (aes67_rtsp_server_get_refused (srv), 0);
  fail_unless_equals_int (aes67_rtsp_server_get_requests (srv), n);

  for (i = 0; i < LOAD_IDLE; i++)
    g_object_unref (idle[i]);
  aes67_rtsp_server_free (srv);
}

GST_END_TEST;

/* ---------- with avahi-daemon ---------- */

/* ravennaannounce in host 0 publishes; avahi-browse in host 1 finds the
 * service with its subtype, address and port; the SDP is fetched from
 * there; stopping withdraws the service. */
/* ST 2022-7: a DUP SDP (as aes67sink writes it: the group, two media
 * sections) is served by ravennaannounce's RTSP DESCRIBE byte for byte */
static const gchar sdp_dup[] =
    "v=0\r\n"
    "o=- 5151 3 IN IP4 192.0.2.1\r\n"
    "s=Redundant\r\n"
    "i=2 channels: Left, Right\r\n"
    "c=IN IP4 239.69.1.10/32\r\n"
    "t=0 0\r\n"
    "a=clock-domain:PTPv2 0\r\n"
    "a=group:DUP 1 2\r\n"
    "m=audio 5004 RTP/AVP 97\r\n"
    "c=IN IP4 239.69.1.10/32\r\n"
    "a=rtpmap:97 L24/48000/2\r\n"
    "a=recvonly\r\n"
    "a=ptime:1\r\n"
    "a=framecount:48\r\n"
    "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0\r\n"
    "a=mediaclk:direct=0\r\n"
    "a=source-filter: incl IN IP4 239.69.1.10 192.0.2.1\r\n"
    "a=mid:1\r\n"
    "m=audio 5006 RTP/AVP 97\r\n"
    "c=IN IP4 239.69.2.10/32\r\n"
    "a=rtpmap:97 L24/48000/2\r\n"
    "a=recvonly\r\n"
    "a=ptime:1\r\n"
    "a=framecount:48\r\n"
    "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0\r\n"
    "a=mediaclk:direct=0\r\n"
    "a=source-filter: incl IN IP4 239.69.2.10 203.0.113.1\r\n" "a=mid:2\r\n";

GST_START_TEST (test_dup_sdp_described)
{
  GstElement *e = gst_element_factory_make ("ravennaannounce", NULL);
  GError *err = NULL;
  guint port = 0;
  gchar *sdp;

  fail_unless (e != NULL);
  g_object_set (e, "sdp", sdp_dup, NULL);
  fail_unless (aes67_test_net_enter (net, 0));
  fail_unless (gst_element_set_state (e, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (aes67_test_net_leave ());
  g_object_get (e, "rtsp-port", &port, NULL);
  fail_unless (port > 0);

  fail_unless (aes67_test_net_enter (net, 1));
  sdp = aes67_rtsp_describe (net->hosts[0].addr, port, "Redundant",
      5 * G_USEC_PER_SEC, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (sdp != NULL, "%s", err ? err->message : "");
  fail_unless_equals_string (sdp, sdp_dup);
  g_free (sdp);

  gst_element_set_state (e, GST_STATE_NULL);
  gst_object_unref (e);
}

GST_END_TEST;

GST_START_TEST (test_publish)
{
  GstElement *e = gst_element_factory_make ("ravennaannounce", NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *m;
  const GstStructure *st;
  guint port = 0, u;
  gchar *out, *line, *sdp;
  GError *err = NULL;
  gint i;

  fail_unless (e != NULL);
  gst_element_set_bus (e, bus);
  g_object_set (e, "sdp", sdp_stage, NULL);
  fail_unless (aes67_test_net_enter (net, 0));
  fail_unless (gst_element_set_state (e, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (aes67_test_net_leave ());
  g_object_get (e, "rtsp-port", &port, NULL);
  fail_unless (port > 0);

  m = gst_bus_timed_pop_filtered (bus, GST_SECOND, GST_MESSAGE_ELEMENT);
  fail_unless (m != NULL);
  st = gst_message_get_structure (m);
  fail_unless (gst_structure_has_name (st, "ravenna-announce"));
  fail_unless_equals_string (gst_structure_get_string (st, "action"),
      "publish");
  fail_unless_equals_string (gst_structure_get_string (st, "session-name"),
      "Stage Left");
  fail_unless_equals_string (gst_structure_get_string (st, "path"),
      "/by-name/Stage%20Left");
  fail_unless (gst_structure_get_uint (st, "rtsp-port", &u));
  fail_unless_equals_int (u, port);
  gst_message_unref (m);

  /* avahi-browse in host 1, resolving: a line
   * =;eth0;IPv4;Stage\032Left;RTSP...;local;a67h0.local;<host 0>;PORT; */
  line = g_strdup_printf (";a67h0.local;%s;%u;", net->hosts[0].addr, port);
  out = NULL;
  for (i = 0; i < 20; i++) {
    g_free (out);
    out = run_with_bus (1, "timeout 5 avahi-browse -rpt "
        "_ravenna_session._sub._rtsp._tcp");
    if (strstr (out, line))
      break;
    g_usleep (250000);
  }
  if (!strstr (out, line) || !strstr (out, "=;eth0;IPv4;Stage\\032Left;")) {
    g_printerr ("avahi-browse printed:\n%s\n", out);
    fail ("host 1 did not find the session with mDNS");
  }
  g_free (out);
  g_free (line);
  /* the plain _rtsp._tcp browse lists it too */
  out = run_with_bus (1, "timeout 5 avahi-browse -pt _rtsp._tcp");
  fail_unless (strstr (out, "Stage\\032Left") != NULL, "%s", out);
  g_free (out);

  /* the SDP, fetched from host 1 at the resolved address and port */
  fail_unless (aes67_test_net_enter (net, 1));
  sdp = aes67_rtsp_describe (net->hosts[0].addr, port, "Stage Left",
      2 * G_USEC_PER_SEC, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (sdp != NULL, "%s", err ? err->message : "");
  fail_unless_equals_string (sdp, sdp_stage);
  g_free (sdp);

  /* withdrawn on stop: avahi sends goodbyes, host 1 forgets it */
  fail_unless (aes67_test_net_enter (net, 0));
  gst_element_set_state (e, GST_STATE_READY);
  fail_unless (aes67_test_net_leave ());
  m = gst_bus_timed_pop_filtered (bus, GST_SECOND, GST_MESSAGE_ELEMENT);
  fail_unless (m != NULL);
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (m), "action"), "withdraw");
  gst_message_unref (m);
  out = NULL;
  for (i = 0; i < 20; i++) {
    g_free (out);
    out = run_with_bus (1, "timeout 5 avahi-browse -pt "
        "_ravenna_session._sub._rtsp._tcp");
    if (!strstr (out, "Stage\\032Left"))
      break;
    g_usleep (250000);
  }
  fail_if (strstr (out, "Stage\\032Left") != NULL,
      "host 1 still lists the session 5 s after it was withdrawn");
  g_free (out);

  gst_element_set_state (e, GST_STATE_NULL);
  gst_element_set_bus (e, NULL);
  gst_object_unref (bus);
  gst_object_unref (e);
}

GST_END_TEST;

/* The documented launch line: sdp-files='<"...">' (the shell removes the
 * single quotes; gst-launch-1.0 parses what is left, as here) reads the
 * file and publishes its session (a ravenna-announce message says so). */
GST_START_TEST (test_launch_line)
{
  gchar *dir = g_dir_make_tmp ("aes67-rv-XXXXXX", NULL);
  gchar *file = g_build_filename (dir, "stage.sdp", NULL);
  gchar *desc;
  GstElement *pipe;
  GstBus *bus;
  GstMessage *m;
  GError *err = NULL;

  fail_unless (g_file_set_contents (file, sdp_stage, -1, NULL));
  desc = g_strdup_printf ("ravennaannounce sdp-files=<\"%s\">", file);
  /* a pipeline around it, as gst-launch-1.0 makes one */
  pipe = gst_parse_launch_full (desc, NULL, GST_PARSE_FLAG_PLACE_IN_BIN, &err);
  fail_unless (pipe != NULL, "%s", err ? err->message : "");
  gst_element_set_bus (pipe, (bus = gst_bus_new ()));
  fail_unless (aes67_test_net_enter (net, 0));
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (aes67_test_net_leave ());
  m = gst_bus_timed_pop_filtered (bus, 2 * GST_SECOND, GST_MESSAGE_ELEMENT);
  fail_unless (m != NULL, "no ravenna-announce message");
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (m), "action"), "publish");
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (m), "session-name"), "Stage Left");
  gst_message_unref (m);
  fail_unless (aes67_test_net_enter (net, 0));
  gst_element_set_state (pipe, GST_STATE_NULL);
  fail_unless (aes67_test_net_leave ());
  gst_element_set_bus (pipe, NULL);
  gst_object_unref (bus);
  gst_object_unref (pipe);
  g_unlink (file);
  g_rmdir (dir);
  g_free (file);
  g_free (dir);
  g_free (desc);
}

GST_END_TEST;

typedef struct
{
  GMutex lock;
  GCond cond;
  gchar *name, *address;
  guint16 port;
  gboolean added, removed;
} Found;

static void
on_found (const gchar * name, const gchar * host, const gchar * address,
    guint16 port, gboolean added, gpointer data)
{
  Found *f = data;

  if (strcmp (name, "Booth") != 0)
    return;
  g_mutex_lock (&f->lock);
  if (added) {
    f->added = TRUE;
    g_free (f->address);
    f->address = g_strdup (address);
    f->port = port;
  } else {
    f->removed = TRUE;
  }
  g_cond_signal (&f->cond);
  g_mutex_unlock (&f->lock);
}

/* Our browser (on host 0's daemon) finds a session host 1 publishes with
 * avahi-publish, whose SDP our RTSP server in host 1 serves; the SDP is
 * fetched with DESCRIBE; the service going away is seen. */
GST_START_TEST (test_browse)
{
  Aes67RtspServer *srv;
  Aes67Mdns *mdns;
  Found f = { 0 };
  GError *err = NULL;
  gchar *sdp, *port_s, *booth;
  GPid pub;
  gint64 end;

  booth = g_strdup ("v=0\r\no=- 6000 1 IN IP4 192.0.2.2\r\ns=Booth\r\n"
      "c=IN IP4 239.69.2.2/32\r\nt=0 0\r\nm=audio 5004 RTP/AVP 97\r\n"
      "a=rtpmap:97 L24/48000/8\r\na=ptime:1\r\n");

  fail_unless (aes67_test_net_enter (net, 1));
  srv = aes67_rtsp_server_new (0, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (srv != NULL);
  aes67_rtsp_server_set_session (srv, "Booth", booth);
  port_s = g_strdup_printf ("%u", aes67_rtsp_server_get_port (srv));
  {
    gchar *env = g_strdup_printf ("DBUS_SYSTEM_BUS_ADDRESS=%s",
        avahi[1].bus);
    const gchar *argv[] = { "env", env, "avahi-publish", "-s", "Booth",
      "_rtsp._tcp", port_s, "--subtype=_ravenna_session._sub._rtsp._tcp",
      NULL
    };
    pub = sap_test_spawn (net, 1, argv, NULL, &err);
    g_free (env);
  }
  fail_unless (pub > 0);

  g_mutex_init (&f.lock);
  g_cond_init (&f.cond);
  mdns = aes67_mdns_new (&err);
  fail_unless (mdns != NULL, "%s", err ? err->message : "");
  fail_unless (aes67_mdns_browse (mdns, on_found, &f, &err));
  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&f.lock);
  while (!f.added && g_cond_wait_until (&f.cond, &f.lock, end));
  g_mutex_unlock (&f.lock);
  fail_unless (f.added, "our browser did not find 'Booth' in 10 s");
  fail_unless_equals_string (f.address, net->hosts[1].addr);
  fail_unless_equals_int (f.port, aes67_rtsp_server_get_port (srv));

  fail_unless (aes67_test_net_enter (net, 0));
  sdp = aes67_rtsp_describe (f.address, f.port, "Booth",
      2 * G_USEC_PER_SEC, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (sdp != NULL, "%s", err ? err->message : "");
  fail_unless_equals_string (sdp, booth);
  g_free (sdp);

  /* avahi-publish stops: the service goes */
  sap_test_stop (pub);
  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&f.lock);
  while (!f.removed && g_cond_wait_until (&f.cond, &f.lock, end));
  g_mutex_unlock (&f.lock);
  fail_unless (f.removed, "the service did not go within 10 s");

  aes67_mdns_free (mdns);
  aes67_rtsp_server_free (srv);
  g_free (f.address);
  g_free (port_s);
  g_free (booth);
}

GST_END_TEST;

/* sapannounce mdns=true: the session is published with mDNS too (found
 * and fetched from host 1), and withdrawn on stop. */
GST_START_TEST (test_sapannounce_mdns)
{
  GstElement *e = gst_element_factory_make ("sapannounce", NULL);
  gchar *out = NULL, *host0;
  gint i;

  if (!e) {
    g_print ("SKIP test_sapannounce_mdns: no sapannounce in this build\n");
    return;
  }
  g_object_set (e, "sdp", sdp_stage, "mdns", TRUE, NULL);
  fail_unless (aes67_test_net_enter (net, 0));
  fail_unless (gst_element_set_state (e, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (aes67_test_net_leave ());

  host0 = g_strdup_printf (";a67h0.local;%s;", net->hosts[0].addr);
  for (i = 0; i < 20; i++) {
    g_free (out);
    out = run_with_bus (1, "timeout 5 avahi-browse -rpt "
        "_ravenna_session._sub._rtsp._tcp");
    if (strstr (out, host0))
      break;
    g_usleep (250000);
  }
  if (!strstr (out, "=;eth0;IPv4;Stage\\032Left;") || !strstr (out, host0)) {
    g_printerr ("avahi-browse printed:\n%s\n", out);
    fail ("sapannounce mdns=true: host 1 did not find the session");
  }
  /* the port from avahi-browse's resolved line, then DESCRIBE there */
  {
    gchar **lines = g_strsplit (out, "\n", -1), *sdp = NULL;
    GError *err = NULL;
    guint k, port = 0;

    for (k = 0; lines[k] && !port; k++) {
      gchar **f = g_strsplit (lines[k], ";", -1);
      if (g_strv_length (f) >= 9 && strcmp (f[0], "=") == 0
          && strcmp (f[7], net->hosts[0].addr) == 0)
        port = atoi (f[8]);
      g_strfreev (f);
    }
    g_strfreev (lines);
    fail_unless (port > 0);
    fail_unless (aes67_test_net_enter (net, 1));
    sdp = aes67_rtsp_describe (net->hosts[0].addr, port, "Stage Left",
        2 * G_USEC_PER_SEC, &err);
    fail_unless (aes67_test_net_leave ());
    fail_unless (sdp != NULL, "%s", err ? err->message : "");
    fail_unless_equals_string (sdp, sdp_stage);
    g_free (sdp);
  }

  fail_unless (aes67_test_net_enter (net, 0));
  gst_element_set_state (e, GST_STATE_NULL);
  fail_unless (aes67_test_net_leave ());
  for (i = 0; i < 20; i++) {
    g_free (out);
    out = run_with_bus (1, "timeout 5 avahi-browse -pt "
        "_ravenna_session._sub._rtsp._tcp");
    if (!strstr (out, "Stage\\032Left"))
      break;
    g_usleep (250000);
  }
  fail_if (strstr (out, "Stage\\032Left") != NULL,
      "still published 5 s after sapannounce stopped");
  g_free (out);
  g_free (host0);
  gst_object_unref (e);
}

GST_END_TEST;

/* The device named @name that @bus reports added within @s seconds (a
 * reference), or NULL; other messages are dropped */
static GstDevice *
wait_device_added (GstBus * bus, const gchar * name, guint s)
{
  gint64 end = g_get_monotonic_time () + s * G_TIME_SPAN_SECOND;
  GstDevice *d = NULL;

  while (!d && g_get_monotonic_time () < end) {
    GstMessage *m = gst_bus_timed_pop_filtered (bus, GST_SECOND,
        GST_MESSAGE_DEVICE_ADDED);
    gchar *n;

    if (!m)
      continue;
    gst_message_parse_device_added (m, &d);
    gst_message_unref (m);
    n = gst_device_get_display_name (d);
    if (g_strcmp0 (n, name) != 0)
      gst_clear_object (&d);
    g_free (n);
  }
  return d;
}

/* gst-device-monitor's view: aes67deviceprovider (through the shared SAP
 * browser, which browses with the mDNS backend) lists a session host 1
 * publishes only with mDNS, with the SDP fetched by DESCRIBE, as
 * ravennadeviceprovider does; it goes when the service goes. */
GST_START_TEST (test_device_monitor_mdns)
{
  GstDeviceProviderFactory *f =
      gst_device_provider_factory_find ("aes67deviceprovider");
  GstDeviceMonitor *mon;
  GstBus *bus;
  Aes67RtspServer *srv;
  GError *err = NULL;
  GstDevice *d = NULL, *r = NULL;
  GstStructure *props;
  gchar *port_s, *env;
  const gchar *booth = "v=0\r\no=- 7000 3 IN IP4 192.0.2.2\r\n"
      "s=Booth\r\nc=IN IP4 239.69.2.3/32\r\nt=0 0\r\n"
      "m=audio 5004 RTP/AVP 97\r\na=rtpmap:97 L24/48000/8\r\n" "a=ptime:1\r\n";
  GPid pub;
  gint64 end;

  if (!f) {
    g_print ("SKIP test_device_monitor_mdns: no aes67deviceprovider in "
        "this build\n");
    return;
  }
  gst_object_unref (f);

  fail_unless (aes67_test_net_enter (net, 1));
  srv = aes67_rtsp_server_new (0, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (srv != NULL);
  aes67_rtsp_server_set_session (srv, "Booth", booth);
  port_s = g_strdup_printf ("%u", aes67_rtsp_server_get_port (srv));
  env = g_strdup_printf ("DBUS_SYSTEM_BUS_ADDRESS=%s", avahi[1].bus);
  {
    const gchar *argv[] = { "env", env, "avahi-publish", "-s", "Booth",
      "_rtsp._tcp", port_s, "--subtype=_ravenna_session._sub._rtsp._tcp",
      NULL
    };
    pub = sap_test_spawn (net, 1, argv, NULL, &err);
  }
  fail_unless (pub > 0);

  mon = gst_device_monitor_new ();
  bus = gst_device_monitor_get_bus (mon);
  gst_device_monitor_add_filter (mon, "Audio/Source/Network", NULL);
  fail_unless (aes67_test_net_enter (net, 0));
  fail_unless (gst_device_monitor_start (mon));
  fail_unless (aes67_test_net_leave ());

  d = wait_device_added (bus, "Booth", 10);
  fail_unless (d != NULL, "no device for the mDNS session in 10 s");
  props = gst_device_get_properties (d);
  fail_unless_equals_string (gst_structure_get_string (props, "aes67.sdp"),
      booth);
  fail_unless_equals_string (gst_structure_get_string (props,
          "aes67.origin"), net->hosts[1].addr);
  fail_unless_equals_string (gst_structure_get_string (props,
          "aes67.session-id"), "- 7000 IN IP4 192.0.2.2");
  gst_structure_free (props);
  /* the caps aes67src outputs for it, from aes67deviceprovider and from
   * ravennadeviceprovider (the same mDNS backend and SDP reader), whose
   * device makes an aes67src with the SDP fetched */
  {
    GstCaps *expect = gst_caps_from_string ("audio/x-raw, format=S24BE, "
        "rate=48000, channels=8, layout=interleaved, "
        "channel-mask=(bitmask)0x0");
    GstCaps *caps = gst_device_get_caps (d);
    GstDeviceProvider *rp =
        gst_device_provider_factory_get_by_name ("ravennadeviceprovider");
    GstBus *rbus;
    GstDevice *rd = NULL;
    GstElement *src;
    gboolean playable = FALSE;
    gchar *url, *sdp = NULL;

    fail_unless (gst_caps_is_equal (caps, expect));
    gst_caps_unref (caps);
    fail_unless (rp != NULL);
    rbus = gst_device_provider_get_bus (rp);
    fail_unless (aes67_test_net_enter (net, 0));
    fail_unless (gst_device_provider_start (rp));
    fail_unless (aes67_test_net_leave ());
    rd = wait_device_added (rbus, "Booth", 10);
    fail_unless (rd != NULL, "ravennadeviceprovider does not list Booth");
    caps = gst_device_get_caps (rd);
    fail_unless (gst_caps_is_equal (caps, expect));
    gst_caps_unref (caps);
    props = gst_device_get_properties (rd);
    fail_unless (gst_structure_get_boolean (props, "aes67.playable",
            &playable) && playable);
    fail_unless_equals_string (gst_structure_get_string (props, "aes67.sdp"),
        booth);
    url = g_strdup_printf ("rtsp://%s:%s/by-name/Booth", net->hosts[1].addr,
        port_s);
    fail_unless_equals_string (gst_structure_get_string (props,
            "aes67.rtsp-url"), url);
    g_free (url);
    gst_structure_free (props);
    src = gst_device_create_element (rd, "rsrc");
    fail_unless (src != NULL);
    fail_unless_equals_string (G_OBJECT_TYPE_NAME (src), "GstAes67Src");
    g_object_get (src, "sdp", &sdp, NULL);
    fail_unless_equals_string (sdp, booth);
    g_free (sdp);
    gst_object_unref (src);
    gst_object_unref (rd);
    gst_device_provider_stop (rp);
    gst_object_unref (rbus);
    gst_object_unref (rp);
    gst_caps_unref (expect);
  }

  sap_test_stop (pub);
  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (!r && g_get_monotonic_time () < end) {
    GstMessage *m = gst_bus_timed_pop_filtered (bus, GST_SECOND,
        GST_MESSAGE_DEVICE_REMOVED);
    if (!m)
      continue;
    gst_message_parse_device_removed (m, &r);
    gst_message_unref (m);
    if (r != d)
      gst_clear_object (&r);
  }
  fail_unless (r == d, "the device did not go within 10 s of the service");

  gst_object_unref (r);
  gst_object_unref (d);
  gst_device_monitor_stop (mon);
  gst_object_unref (bus);
  gst_object_unref (mon);
  aes67_rtsp_server_free (srv);
  g_free (env);
  g_free (port_s);
}

GST_END_TEST;

static guint64
src_packets (GstElement * src)
{
  GstStructure *st = NULL;
  guint64 v = 0;

  g_object_get (src, "stats", &st, NULL);
  gst_structure_get_uint64 (st, "packets-received", &v);
  gst_structure_free (st);
  return v;
}

/* Waits up to @ms for an element message @name on @bus */
static GstMessage *
wait_element (GstBus * bus, const gchar * name, guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end) {
    GstMessage *m = gst_bus_timed_pop_filtered (bus, 50 * GST_MSECOND,
        GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR);
    if (!m)
      continue;
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
      GError *e = NULL;
      gst_message_parse_error (m, &e, NULL);
      fail ("error while waiting for %s: %s", name, e->message);
    }
    if (gst_structure_has_name (gst_message_get_structure (m), name))
      return m;
    gst_message_unref (m);
  }
  return NULL;
}

/* aes67src session-name=... finds a session published only with mDNS
 * (RAVENNA: avahi-publish and our DESCRIBE server in host 1, an aes67sink
 * sending there) through the shared browser in host 0, receives its
 * packets, and reports stream-lost (reason deleted) when the service
 * goes. */
GST_START_TEST (test_aes67src_finds_mdns)
{
  GstElementFactory *f = gst_element_factory_find ("aes67src");
  GstElement *tx, *rx, *sink, *src;
  Aes67RtspServer *srv;
  GError *err = NULL;
  GstBus *bus;
  GstMessage *m;
  const GstStructure *st;
  gchar *sdp = NULL, *port_s, *env;
  guint64 n;
  gint64 end;
  GPid pub;

  if (!f) {
    g_print ("SKIP test_aes67src_finds_mdns: no aes67src in this build\n");
    return;
  }
  gst_object_unref (f);

  tx = gst_parse_launch ("audiotestsrc is-live=true ! audio/x-raw,rate=48000,"
      "channels=2 ! aes67sink name=sink address=239.69.3.1 port=5020 "
      "encoding=L24 multicast-iface=eth0 session-name=\"Mdns Stage\"", &err);
  fail_unless (tx != NULL, "%s", err ? err->message : "");
  fail_unless (aes67_test_net_enter (net, 1));
  gst_element_set_state (tx, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  sink = gst_bin_get_by_name (GST_BIN (tx), "sink");
  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (!sdp && g_get_monotonic_time () < end) {
    g_object_get (sink, "sdp", &sdp, NULL);
    if (!sdp)
      g_usleep (10000);
  }
  gst_object_unref (sink);
  fail_unless (sdp != NULL);

  fail_unless (aes67_test_net_enter (net, 1));
  srv = aes67_rtsp_server_new (0, &err);
  fail_unless (aes67_test_net_leave ());
  fail_unless (srv != NULL);
  aes67_rtsp_server_set_session (srv, "Mdns Stage", sdp);
  port_s = g_strdup_printf ("%u", aes67_rtsp_server_get_port (srv));
  env = g_strdup_printf ("DBUS_SYSTEM_BUS_ADDRESS=%s", avahi[1].bus);
  {
    const gchar *argv[] = { "env", env, "avahi-publish", "-s", "Mdns Stage",
      "_rtsp._tcp", port_s, "--subtype=_ravenna_session._sub._rtsp._tcp",
      NULL
    };
    pub = sap_test_spawn (net, 1, argv, NULL, &err);
  }
  fail_unless (pub > 0);

  /* host 0: its avahi-daemon is this process's */
  rx = gst_parse_launch ("aes67src name=src multicast-iface=eth0 "
      "session-name=\"Mdns Stage\" discovery-timeout=10000 ! fakesink "
      "sync=false", &err);
  fail_unless (rx != NULL, "%s", err ? err->message : "");
  src = gst_bin_get_by_name (GST_BIN (rx), "src");
  bus = gst_element_get_bus (rx);
  fail_unless (aes67_test_net_enter (net, 0));
  gst_element_set_state (rx, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  m = wait_element (bus, "sap-session", 100);
  fail_unless (m != NULL, "no sap-session message: session not found");
  st = gst_message_get_structure (m);
  fail_unless_equals_string (gst_structure_get_string (st, "action"), "found");
  fail_unless_equals_string (gst_structure_get_string (st, "sdp"), sdp);
  fail_unless_equals_string (gst_structure_get_string (st, "origin"),
      net->hosts[1].addr);
  gst_message_unref (m);
  /* its packets arrive: 200 of them (0.2 s of 1 ms packets; a generous
   * deadline for a busy machine) */
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((n = src_packets (src)) < 200 && g_get_monotonic_time () < end)
    g_usleep (20000);
  fail_unless (n >= 200, "%" G_GUINT64_FORMAT " packets in 10 s", n);

  /* the service goes: stream-lost, reason deleted, still PLAYING */
  sap_test_stop (pub);
  m = wait_element (bus, "stream-lost", 5000);
  fail_unless (m != NULL, "no stream-lost within 5 s of the service going");
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (m), "reason"), "deleted");
  gst_message_unref (m);
  fail_unless_equals_int (GST_STATE (rx), GST_STATE_PLAYING);

  fail_unless (aes67_test_net_enter (net, 0));
  gst_element_set_state (rx, GST_STATE_NULL);
  fail_unless (aes67_test_net_leave ());
  fail_unless (aes67_test_net_enter (net, 1));
  gst_element_set_state (tx, GST_STATE_NULL);
  fail_unless (aes67_test_net_leave ());
  gst_object_unref (src);
  gst_object_unref (bus);
  gst_object_unref (rx);
  gst_object_unref (tx);
  aes67_rtsp_server_free (srv);
  g_free (env);
  g_free (port_s);
  g_free (sdp);
}

GST_END_TEST;

/* Waits up to @ms for a warning on @bus whose text has @needle; its text,
 * or NULL (other messages are dropped) */
static gchar *
wait_warning (GstBus * bus, const gchar * needle, guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end) {
    GstMessage *m = gst_bus_timed_pop_filtered (bus, 50 * GST_MSECOND,
        GST_MESSAGE_WARNING);
    GError *e = NULL;
    gchar *text = NULL;

    if (!m)
      continue;
    gst_message_parse_warning (m, &e, NULL);
    if (strstr (e->message, needle))
      text = g_strdup (e->message);
    g_error_free (e);
    gst_message_unref (m);
    if (text)
      return text;
  }
  return NULL;
}

/* avahi-publish in host 1 publishes session @name on RTSP @port (nothing
 * need serve it); returns once it says the service is established */
static GPid
publish_in_host1 (const gchar * name, guint port)
{
  gchar *env = g_strdup_printf ("DBUS_SYSTEM_BUS_ADDRESS=%s", avahi[1].bus);
  gchar *port_s = g_strdup_printf ("%u", port);
  gchar *log = g_strdup_printf ("%s/publish-%u.log", avahi[1].dir,
      g_random_int ());
  const gchar *argv[] = { "env", env, "avahi-publish", "-s", name,
    "_rtsp._tcp", port_s, "--subtype=_ravenna_session._sub._rtsp._tcp", NULL
  };
  GError *err = NULL;
  GPid pub = sap_test_spawn (net, 1, argv, log, &err);

  fail_unless (pub > 0, "%s", err ? err->message : "");
  fail_unless (wait_file_has (log, "Established", 10000),
      "avahi-publish in host 1 did not publish '%s' within 10 s", name);
  g_free (log);
  g_free (port_s);
  g_free (env);
  return pub;
}

/* Runs @e (publishing "Stage Left") in a pipeline in host 0 until it
 * posts its element message @posted and then a warning of an mDNS name
 * collision that names the session, on its own bus; fails otherwise */
static void
expect_collision_warning (GstElement * e, const gchar * posted)
{
  GstElement *pipe = gst_pipeline_new (NULL);
  GstBus *bus = gst_pipeline_get_bus (GST_PIPELINE (pipe));
  GstMessage *m;
  gchar *w;

  gst_bin_add (GST_BIN (pipe), e);
  fail_unless (aes67_test_net_enter (net, 0));
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (aes67_test_net_leave ());
  m = wait_element (bus, posted, 5000);
  fail_unless (m != NULL, "%s: no %s message", GST_OBJECT_NAME (e), posted);
  gst_message_unref (m);
  w = wait_warning (bus, "collision", 15000);
  fail_unless (w != NULL, "no mDNS name collision warning on %s's bus "
      "within 15 s", GST_OBJECT_NAME (e));
  fail_unless (strstr (w, "'Stage Left'") != NULL, "%s", w);
  g_free (w);
  fail_unless (aes67_test_net_enter (net, 0));
  gst_element_set_state (pipe, GST_STATE_NULL);
  fail_unless (aes67_test_net_leave ());
  gst_object_unref (bus);
  gst_object_unref (pipe);
}

/* Another device (host 1, Debian's avahi-publish) already publishes a
 * session named "Stage Left". sapannounce mdns=true in host 0 learns of
 * the mDNS name collision after publishing and posts it on its own bus
 * (its SAP announcement goes on); so does ravennaannounce. */
GST_START_TEST (test_mdns_collision_warns)
{
  GPid pub = publish_in_host1 ("Stage Left", 9);
  GstElement *e;

  /* sapannounce, its SAP announcement going on */
  e = gst_element_factory_make ("sapannounce", "sapannounce");
  fail_unless (e != NULL);
  g_object_set (e, "sdp", sdp_stage, "mdns", TRUE, NULL);
  expect_collision_warning (e, "sap-announce");
  /* ravennaannounce */
  e = gst_element_factory_make ("ravennaannounce", "ravennaannounce");
  fail_unless (e != NULL);
  g_object_set (e, "sdp", sdp_stage, NULL);
  expect_collision_warning (e, "ravenna-announce");
  sap_test_stop (pub);
}

GST_END_TEST;

/* aes67src session-name=Broken: host 1 publishes "Broken" with mDNS on a
 * port where no RTSP server listens. The SDP cannot be fetched, and
 * aes67src says so on its own bus before its discovery times out. */
GST_START_TEST (test_aes67src_mdns_warns)
{
  GstElement *rx;
  GstBus *bus;
  GstMessage *m;
  GError *err = NULL;
  gchar *w;
  /* port 9: nothing listens there, connections are refused */
  GPid pub = publish_in_host1 ("Broken", 9);

  rx = gst_parse_launch ("aes67src name=src multicast-iface=eth0 "
      "session-name=Broken discovery-timeout=10000 ! fakesink", &err);
  fail_unless (rx != NULL, "%s", err ? err->message : "");
  bus = gst_element_get_bus (rx);
  fail_unless (aes67_test_net_enter (net, 0));
  /* waits discovery-timeout for a session that never plays */
  fail_unless (gst_element_set_state (rx, GST_STATE_READY) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless (aes67_test_net_leave ());
  w = wait_warning (bus, "cannot be fetched", 100);
  fail_unless (w != NULL, "no warning on aes67src's bus that the SDP of "
      "'Broken' cannot be fetched");
  fail_unless (strstr (w, "'Broken'") != NULL, "%s", w);
  fail_unless (strstr (w, net->hosts[1].addr) != NULL, "%s", w);
  g_free (w);
  /* and the error of the failed discovery */
  m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (m != NULL);
  gst_message_unref (m);

  gst_element_set_state (rx, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (rx);
  sap_test_stop (pub);
}

GST_END_TEST;

static Suite *
ravenna_suite (gboolean with_avahi)
{
  Suite *s = suite_create ("ravennaannounce");
  TCase *tc = tcase_create ("network");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_rtsp_describe);
  tcase_add_test (tc, test_rtsp_bad_requests);
  tcase_add_test (tc, test_rtsp_limits);
  tcase_add_test (tc, test_rtsp_concurrent);
  tcase_add_test (tc, test_rtsp_properties);
  if (with_avahi) {
    tcase_add_test (tc, test_publish);
    tcase_add_test (tc, test_dup_sdp_described);
    tcase_add_test (tc, test_launch_line);
    tcase_add_test (tc, test_browse);
    tcase_add_test (tc, test_sapannounce_mdns);
    tcase_add_test (tc, test_device_monitor_mdns);
    tcase_add_test (tc, test_aes67src_finds_mdns);
    tcase_add_test (tc, test_mdns_collision_warns);
    tcase_add_test (tc, test_aes67src_mdns_warns);
  }
  return s;
}

int
main (int argc, char **argv)
{
  const gchar *progs[] = { "avahi-daemon", "dbus-daemon", "avahi-browse",
    "avahi-publish", "unshare", NULL
  };
  gchar *reason = NULL, *missing = NULL;
  gboolean with_avahi = TRUE;
  int nf, i;

  gst_check_init (&argc, &argv);
  for (i = 0; progs[i] && !missing; i++) {
    gchar *p = g_find_program_in_path (progs[i]);
    if (!p)
      missing = g_strdup (progs[i]);
    g_free (p);
  }
  net = aes67_test_net_new_or_skip ("sapmd", 2,
      "RAVENNA tests between network namespaces");
  if (missing) {
    g_print ("mDNS tests skipped: %s is not installed "
        "(scripts/install-deps.sh)\n", missing);
    with_avahi = FALSE;
  } else if (!avahi_start (&avahi[0], 0, &reason)
      || !avahi_start (&avahi[1], 1, &reason)) {
    g_print ("mDNS tests skipped: %s\n", reason);
    with_avahi = FALSE;
  } else {
    /* this process talks to host 0's daemon */
    g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", avahi[0].bus, TRUE);
  }
  nf = gst_check_run_suite (ravenna_suite (with_avahi), "ravennaannounce",
      __FILE__);
  avahi_stop (&avahi[0]);
  avahi_stop (&avahi[1]);
  aes67_test_net_free (net);
  g_free (reason);
  g_free (missing);
  return nf;
}
