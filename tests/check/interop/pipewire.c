/* gst-aes67: SAP interop with PipeWire 0.3.65 (Debian 12)
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * PipeWire runs headless in host 0 of a two-namespace network: a private
 * session dbus-daemon, then `pipewire` with a drop-in config under
 * $XDG_CONFIG_HOME/pipewire/pipewire.conf.d/. Its module-rtp-sink announces
 * a session with SAP every 5 s and sends a deletion when it stops; our
 * browser in host 1 must see all three. Then PipeWire's module-rtp-source
 * in host 1 must turn an announcement from sapannounce in host 0 into a
 * stream node (pw-dump lists it) and drop it on our deletion.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <gst/check/gstcheck.h>
#include <gst/app/gstappsink.h>
#include <gst/rtp/gstrtpbuffer.h>

#include "aes67-sap.h"
#include "aes67-sap-browser.h"
#include "aes67-testnet.h"
#include "../sap-test-spawn.h"
#include "../sap-test-events.h"

static Aes67TestNet *net;

typedef struct
{
  gchar *dir;
  GPid dbus, pw, wp;
} PipeWire;

/* Starts dbus-daemon and pipewire in @host with @conf as a drop-in. */
static void
pipewire_start (PipeWire * p, guint host, const gchar * conf,
    gboolean with_wireplumber)
{
  gchar *run, *cfg, *confd, *file, *bus, *log, *env_run, *env_cfg, *env_pw,
      *env_bus, *address;
  GError *err = NULL;
  gint i;

  p->dir = g_dir_make_tmp ("aes67-pw-XXXXXX", NULL);
  run = g_build_filename (p->dir, "run", NULL);
  cfg = g_build_filename (p->dir, "config", NULL);
  confd = g_build_filename (cfg, "pipewire", "pipewire.conf.d", NULL);
  fail_unless (g_mkdir_with_parents (run, 0700) == 0);
  fail_unless (g_mkdir_with_parents (confd, 0700) == 0);
  file = g_build_filename (confd, "test.conf", NULL);
  fail_unless (g_file_set_contents (file, conf, -1, NULL));
  bus = g_build_filename (run, "bus", NULL);
  address = g_strdup_printf ("--address=unix:path=%s", bus);
  log = g_build_filename (p->dir, "dbus.log", NULL);
  {
    const gchar *argv[] = { "dbus-daemon", "--session", address, "--nofork",
      "--nopidfile", NULL
    };
    p->dbus = sap_test_spawn (net, host, argv, log, &err);
    fail_unless (p->dbus > 0, "%s", err ? err->message : "");
  }
  for (i = 0; i < 500 && !g_file_test (bus, G_FILE_TEST_EXISTS); i++)
    g_usleep (20000);
  fail_unless (g_file_test (bus, G_FILE_TEST_EXISTS), "dbus did not start");
  g_free (log);
  log = g_build_filename (p->dir, "pipewire.log", NULL);
  env_run = g_strdup_printf ("XDG_RUNTIME_DIR=%s", run);
  env_pw = g_strdup_printf ("PIPEWIRE_RUNTIME_DIR=%s", run);
  env_cfg = g_strdup_printf ("XDG_CONFIG_HOME=%s", cfg);
  env_bus = g_strdup_printf ("DBUS_SESSION_BUS_ADDRESS=unix:path=%s", bus);
  {
    const gchar *argv[] = { "env", env_run, env_pw, env_cfg, env_bus,
      "pipewire", NULL
    };
    p->pw = sap_test_spawn (net, host, argv, log, &err);
    fail_unless (p->pw > 0, "%s", err ? err->message : "");
  }
  if (with_wireplumber) {
    /* the session manager links streams (rtp-source -> null sink) */
    gchar *wplog = g_build_filename (p->dir, "wireplumber.log", NULL);
    const gchar *argv[] = { "env", env_run, env_pw, env_cfg, env_bus,
      "wireplumber", NULL
    };
    gchar *sock = g_build_filename (run, "pipewire-0", NULL);

    /* once PipeWire listens on its socket */
    for (i = 0; i < 500 && !g_file_test (sock, G_FILE_TEST_EXISTS); i++)
      g_usleep (20000);
    fail_unless (g_file_test (sock, G_FILE_TEST_EXISTS),
        "PipeWire did not start");
    g_free (sock);
    p->wp = sap_test_spawn (net, host, argv, wplog, &err);
    fail_unless (p->wp > 0, "%s", err ? err->message : "");
    g_free (wplog);
  }
  g_free (run);
  g_free (cfg);
  g_free (confd);
  g_free (file);
  g_free (bus);
  g_free (address);
  g_free (log);
  g_free (env_run);
  g_free (env_pw);
  g_free (env_cfg);
  g_free (env_bus);
}

static void
pipewire_stop_pw (PipeWire * p)
{
  if (p->wp)
    sap_test_stop (p->wp);
  p->wp = 0;
  if (p->pw)
    sap_test_stop (p->pw);
  p->pw = 0;
}

static gchar *
pipewire_log (PipeWire * p)
{
  gchar *f = g_build_filename (p->dir, "pipewire.log", NULL);
  gchar *text = NULL;

  g_file_get_contents (f, &text, NULL, NULL);
  g_free (f);
  return text ? text : g_strdup ("");
}

static void
pipewire_free (PipeWire * p)
{
  gchar *cmd;

  pipewire_stop_pw (p);
  if (p->dbus)
    sap_test_stop (p->dbus);
  cmd = g_strdup_printf ("rm -rf %s", p->dir);
  aes67_test_net_run (net, -1, cmd, NULL, NULL);
  g_free (cmd);
  g_free (p->dir);
}

/* ---------- events of our browser ---------- */

/* printf format: %s is host 0's address */
static const gchar pw_sink_conf[] =
    "context.modules = [\n"
    "  { name = libpipewire-module-rtp-sink\n"
    "    args = {\n"
    "      sap.ip = 239.255.255.255\n"
    "      sap.port = 9875\n"
    "      source.ip = %s\n"
    "      destination.ip = 239.69.1.77\n"
    "      destination.port = 5004\n"
    "      local.ifname = eth0\n"
    "      sess.name = \"PipeWire Interop\"\n"
    "      sess.min-ptime = 1\n"
    "      sess.max-ptime = 1\n"
    "      audio.format = S24BE\n"
    "      audio.rate = 48000\n"
    "      audio.channels = 2\n"
    "      stream.props = { node.name = \"rtp-sink\" }\n"
    "    }\n" "  }\n" "]\n";

/* PipeWire's module-rtp-sink announces; our browser sees the session with
 * its fields, the 5 s repeats, and the deletion when PipeWire stops. */
GST_START_TEST (test_pipewire_announces)
{
  GAsyncQueue *q = g_async_queue_new_full ((GDestroyNotify) ev_free);
  GstAes67SapBrowser *b = gst_aes67_sap_browser_new ("eth0", 0);
  GError *err = NULL;
  PipeWire pw = { 0 };
  Ev *ev;
  gint64 t_added;
  guint64 packets;
  gint i;

  ev_connect (b, q);
  fail_unless (aes67_test_net_enter (net, 1));
  fail_unless (gst_aes67_sap_browser_start (b, &err), "%s",
      err ? err->message : "");
  fail_unless (aes67_test_net_leave ());

  {
    gchar *conf = g_strdup_printf (pw_sink_conf, net->hosts[0].addr);
    pipewire_start (&pw, 0, conf, FALSE);
    g_free (conf);
  }
  ev = g_async_queue_timeout_pop (q, 10 * G_TIME_SPAN_SECOND);
  if (!ev) {
    gchar *l = pipewire_log (&pw);
    g_printerr ("pipewire log:\n%s\n", l);
    g_free (l);
  }
  fail_unless (ev != NULL, "no SAP session from PipeWire within 10 s");
  fail_unless_equals_string (ev->what, "added");
  t_added = ev->when;
  GST_INFO ("PipeWire's SDP:\n%s", ev->session->sdp);
  fail_unless_equals_string (ev->session->name, "PipeWire Interop");
  fail_unless_equals_string (ev->session->origin, net->hosts[0].addr);
  fail_unless_equals_string (ev->session->address, "239.69.1.77");
  fail_unless_equals_int (ev->session->port, 5004);
  fail_unless_equals_string (ev->session->encoding, "L24");
  fail_unless_equals_int (ev->session->rate, 48000);
  fail_unless_equals_int (ev->session->channels, 2);
  /* the identity: the o= line's fields without the version (3rd) */
  {
    const gchar *o = strstr (ev->session->sdp, "o=");
    gchar *line, **f, *expect;

    fail_unless (o != NULL);
    line = g_strndup (o + 2, strcspn (o + 2, "\r\n"));
    f = g_strsplit (line, " ", -1);
    fail_unless_equals_int (g_strv_length (f), 6);
    expect = g_strdup_printf ("%s %s %s %s %s", f[0], f[1], f[3], f[4], f[5]);
    fail_unless_equals_string (ev->session->key, expect);
    g_free (expect);
    g_strfreev (f);
    g_free (line);
  }
  ev_free (ev);

  /* PipeWire repeats every 5 s: the second packet comes 5 s after the
   * first (not before 4.5 s; up to 7 s on a loaded machine, where the
   * next would be 10 s), and makes no event */
  packets = browser_stat (b, "packets");
  for (i = 0; i < 150 && browser_stat (b, "packets") == packets; i++)
    g_usleep (100000);
  fail_unless_equals_int (browser_stat (b, "packets"), packets + 1);
  {
    gint64 dt = g_get_monotonic_time () - t_added;
    fail_unless (dt > 4500000 && dt < 7000000, "repeat after %" G_GINT64_FORMAT
        " µs", dt);
  }
  fail_unless (g_async_queue_try_pop (q) == NULL);
  fail_unless_equals_int (browser_stat (b, "malformed"), 0);

  /* PipeWire sends a deletion when it stops */
  pipewire_stop_pw (&pw);
  ev = g_async_queue_timeout_pop (q, 10 * G_TIME_SPAN_SECOND);
  fail_unless (ev != NULL, "no deletion from PipeWire within 10 s");
  fail_unless_equals_string (ev->what, "removed");
  fail_unless_equals_string (ev->session->name, "PipeWire Interop");
  fail_unless_equals_int (ev->reason, GST_AES67_SAP_REMOVED_DELETED);
  ev_free (ev);

  pipewire_free (&pw);
  gst_aes67_sap_browser_stop (b);
  gst_object_unref (b);
  g_async_queue_unref (q);
}

GST_END_TEST;

static const gchar pw_source_conf[] =
    "context.objects = [\n"
    "  { factory = adapter\n"
    "    args = { factory.name = support.null-audio-sink node.name = \"null\"\n"
    "             media.class = \"Audio/Sink\" audio.position = [ FL FR ] } }\n"
    "]\n"
    "context.modules = [\n"
    "  { name = libpipewire-module-rtp-source\n"
    "    args = {\n"
    "      sap.ip = 239.255.255.255\n"
    "      sap.port = 9875\n"
    "      local.ifname = eth0\n"
    "      sess.latency.msec = 10\n" "    }\n" "  }\n" "]\n";

static const gchar sdp_for_pw[] =
    "v=0\r\n"
    "o=- 1311738121 1 IN IP4 192.0.2.1\r\n"
    "s=From GStreamer\r\n"
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
    "a=mediaclk:direct=0\r\n";

/* pw-dump in @host; returns its JSON output */
static gchar *
pw_dump (PipeWire * p, guint host)
{
  gchar *cmd = g_strdup_printf ("env XDG_RUNTIME_DIR=%s/run "
      "PIPEWIRE_RUNTIME_DIR=%s/run pw-dump", p->dir, p->dir);
  gchar *out = NULL;

  aes67_test_net_run (net, host, cmd, &out, NULL);
  g_free (cmd);
  return out ? out : g_strdup ("");
}

/* Polls pw-dump in @host for up to @secs s until @needle is (or, with
 * !@present, is no longer) in its output. */
static gboolean
pw_wait (PipeWire * p, guint host, const gchar * needle, gboolean present,
    gint secs)
{
  gint64 end = g_get_monotonic_time () + secs * G_TIME_SPAN_SECOND;

  while (g_get_monotonic_time () < end) {
    gchar *out = pw_dump (p, host);
    gboolean has = strstr (out, needle) != NULL;

    g_free (out);
    if (has == present)
      return TRUE;
    g_usleep (200000);
  }
  return FALSE;
}

/* sapannounce in host 0 announces; PipeWire's module-rtp-source in host 1
 * makes a stream node for the session, and drops it on our deletion. */
GST_START_TEST (test_pipewire_receives)
{
  GstElement *e = gst_element_factory_make ("sapannounce", NULL);
  PipeWire pw = { 0 };

  pipewire_start (&pw, 1, pw_source_conf, FALSE);
  /* PipeWire is up when pw-dump lists the null sink */
  fail_unless (pw_wait (&pw, 1, "\"node.name\": \"null\"", TRUE, 10),
      "PipeWire did not come up in 10 s");
  fail_unless (!pw_wait (&pw, 1, "\"rtp.session\"", TRUE, 0));

  g_object_set (e, "sdp", sdp_for_pw, "interval", 1, NULL);
  fail_unless (aes67_test_net_enter (net, 0));
  fail_unless (gst_element_set_state (e, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (aes67_test_net_leave ());

  if (!pw_wait (&pw, 1, "\"rtp.session\": \"From GStreamer\"", TRUE, 8)) {
    gchar *out = pw_dump (&pw, 1), *l = pipewire_log (&pw);
    g_printerr ("pw-dump:\n%s\npipewire log:\n%s\n", out, l);
    g_free (out);
    g_free (l);
    fail ("PipeWire made no node for our session in 8 s");
  }
  fail_unless (pw_wait (&pw, 1,
          "\"media.name\": \"RTP Stream (From GStreamer)\"", TRUE, 1));

  /* our deletion: PipeWire drops the session */
  fail_unless (aes67_test_net_enter (net, 0));
  fail_unless (gst_element_set_state (e, GST_STATE_NULL) ==
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (aes67_test_net_leave ());
  fail_unless (pw_wait (&pw, 1, "\"rtp.session\": \"From GStreamer\"",
          FALSE, 5), "PipeWire kept the session 5 s after our deletion");

  gst_object_unref (e);
  pipewire_free (&pw);
}

GST_END_TEST;

/* Amplitude of @freq Hz in @n samples of @x at @rate (a single DFT bin) */
static gdouble
tone_amplitude (const gdouble * x, guint n, gdouble freq, gdouble rate)
{
  gdouble re = 0, im = 0;
  guint i;

  for (i = 0; i < n; i++) {
    re += x[i] * cos (2 * G_PI * freq * i / rate);
    im += x[i] * sin (2 * G_PI * freq * i / rate);
  }
  return 2 * sqrt (re * re + im * im) / n;
}

/* The first window of @len samples of @x (@n in all), from @from on, that
 * is one unbroken sine of @freq Hz at @rate: each sample follows from the two
 * before it, x[i] = 2 cos(w) x[i-1] - x[i-2], within 0.002. Returns its start,
 * or -1. *@breaks counts the breaks from @from to the end: a peer's dropout
 * (PipeWire fills an xrun with silence) shows up as two breaks. */
static gint
clean_window (const gdouble * x, guint n, guint from, guint len,
    gdouble freq, gdouble rate, guint * breaks)
{
  gdouble c = 2 * cos (2 * G_PI * freq / rate);
  guint i, run = 0;
  gint start = -1;

  *breaks = 0;
  for (i = MAX (from, 2); i < n; i++) {
    if (fabs (x[i] - (c * x[i - 1] - x[i - 2])) > 0.002) {
      (*breaks)++;
      run = 0;
    } else if (++run >= len && start < 0) {
      start = i + 1 - len;
    }
  }
  return start;
}

/* The left channel of a 16-bit WAV file from @from s on, @n samples */
static gdouble *
read_wav_left (const gchar * path, gdouble from, guint n, guint * rate_out)
{
  gchar *data = NULL;
  gsize len = 0, off = 12;
  guint rate = 0, ch = 0, bits = 0;
  gdouble *x = NULL;

  if (!g_file_get_contents (path, &data, &len, NULL) || len < 12
      || memcmp (data, "RIFF", 4) || memcmp (data + 8, "WAVE", 4))
    goto out;
  while (off + 8 <= len) {
    guint32 sz = GST_READ_UINT32_LE (data + off + 4);
    if (memcmp (data + off, "fmt ", 4) == 0 && sz >= 16 && off + 24 <= len) {
      ch = GST_READ_UINT16_LE (data + off + 10);
      rate = GST_READ_UINT32_LE (data + off + 12);
      bits = GST_READ_UINT16_LE (data + off + 22);
    } else if (memcmp (data + off, "data", 4) == 0 && ch && bits == 16) {
      gsize first = (gsize) (from * rate) * ch * 2, i;
      gsize avail = len - (off + 8);

      if (sz < avail)
        avail = sz;
      if (first + (gsize) n * ch * 2 > avail)
        goto out;
      x = g_new (gdouble, n);
      for (i = 0; i < n; i++)
        x[i] = (gint16) GST_READ_UINT16_LE (data + off + 8 + first +
            i * ch * 2) / 32768.0;
      *rate_out = rate;
      break;
    }
    off += 8 + sz + (sz & 1);
  }
out:
  g_free (data);
  return x;
}

/* aes67sink + sapannounce in host 0; in host 1 PipeWire's module-rtp-source
 * (with wireplumber to link it to a null sink) finds the session by SAP and
 * plays it: pw-record of the null sink's monitor holds the 1 kHz sine at
 * the amplitude sent (0.5 ± 0.02), nothing at 1.5 kHz, in an unbroken
 * 100 ms of the recording. Needs aes67sink,
 * which comes with the aes67sink/aes67src branch. */
GST_START_TEST (test_pipewire_plays_aes67sink)
{
  GstElementFactory *f = gst_element_factory_find ("aes67sink");
  gchar *wp = g_find_program_in_path ("wireplumber");
  gchar *rec = g_find_program_in_path ("pw-record");
  GstElement *pipe;
  GError *err = NULL;
  PipeWire pw = { 0 };
  gchar *wav, *cmd;
  gdouble *x, a1k, a15;
  guint rate = 0, breaks;
  gint w;

  if (!f || !wp || !rec) {
    g_print ("SKIP test_pipewire_plays_aes67sink: %s\n", !f ?
        "no aes67sink element in this build" :
        "wireplumber or pw-record is not installed");
    if (f)
      gst_object_unref (f);
    g_free (wp);
    g_free (rec);
    return;
  }
  gst_object_unref (f);
  g_free (wp);
  g_free (rec);

  pipewire_start (&pw, 1, pw_source_conf, TRUE);
  fail_unless (pw_wait (&pw, 1, "\"node.name\": \"null\"", TRUE, 10),
      "PipeWire did not come up in 10 s");

  pipe = gst_parse_launch ("audiotestsrc is-live=true freq=1000 volume=0.5 "
      "! aes67sink session-name=FromGst ttl=4 sapannounce interval=1", &err);
  fail_unless (pipe != NULL, "%s", err ? err->message : "");
  fail_unless (aes67_test_net_enter (net, 0));
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (aes67_test_net_leave ());
  fail_unless (pw_wait (&pw, 1, "\"rtp.session\": \"FromGst\"", TRUE, 8),
      "PipeWire made no node for the aes67sink session in 8 s");
  /* linked by wireplumber: its link goes active */
  fail_unless (pw_wait (&pw, 1, "\"state\": \"active\"", TRUE, 5),
      "wireplumber did not link the stream in 5 s");

  wav = g_build_filename (pw.dir, "rec.wav", NULL);
  cmd =
      g_strdup_printf ("env XDG_RUNTIME_DIR=%s/run PIPEWIRE_RUNTIME_DIR=%s/run"
      " timeout 3 pw-record --target null --rate 48000 --channels 2 "
      "--format s16 %s", pw.dir, pw.dir, wav);
  aes67_test_net_run (net, 1, cmd, NULL, NULL);
  g_free (cmd);

  /* 1.2 s from 1.0 s into the recording; the first unbroken 100 ms of it
   * (under load PipeWire's own graph may drop a quantum into silence) */
  x = read_wav_left (wav, 1.0, 57600, &rate);
  fail_unless (x != NULL, "no usable recording in %s", wav);
  fail_unless_equals_int (rate, 48000);
  w = clean_window (x, 57600, 0, 4800, 1000, rate, &breaks);
  fail_unless (w >= 0, "no unbroken 100 ms of the 1 kHz sine in 1.2 s of "
      "PipeWire's recording (%u breaks)", breaks);
  a1k = tone_amplitude (x + w, 4800, 1000, rate);
  a15 = tone_amplitude (x + w, 4800, 1500, rate);
  g_print ("PipeWire played our stream: 1 kHz amplitude %.4f, 1.5 kHz "
      "%.4f (%u breaks in 1.2 s of its recording)\n", a1k, a15, breaks);
  fail_unless (fabs (a1k - 0.5) < 0.02, "1 kHz at %.4f, sent 0.5", a1k);
  fail_unless (a15 < 0.01, "1.5 kHz at %.4f", a15);
  g_free (x);
  g_free (wav);

  fail_unless (aes67_test_net_enter (net, 0));
  gst_element_set_state (pipe, GST_STATE_NULL);
  fail_unless (aes67_test_net_leave ());
  fail_unless (pw_wait (&pw, 1, "\"rtp.session\": \"FromGst\"", FALSE, 5),
      "PipeWire kept the session 5 s after sapannounce's deletion");
  gst_object_unref (pipe);
  pipewire_free (&pw);
}

GST_END_TEST;

/* PipeWire's module-rtp-sink (host 0) sends what pw-play plays into it and
 * announces it with SAP; aes67src session-name="PipeWire Interop" in host
 * 1 finds it and receives it. A second socket in host 1 (a tap on the same
 * group and port) keeps every RTP payload on the wire: all that aes67src
 * delivered must be one unbroken run of those payloads, bit for bit. The
 * left channel holds the 997 Hz sine at the amplitude played (0.5 ± 0.02),
 * nothing at 1.5 kHz. Under load PipeWire's graph may fill an xrun
 * with silence; that is on the wire too, and the amplitude is read in an
 * unbroken 100 ms. */
static const gchar pw_sink_play_conf[] =
    "context.objects = [\n"
    "  { factory = adapter\n"
    "    args = { factory.name = support.null-audio-sink node.name = \"null\"\n"
    "             media.class = \"Audio/Sink\" audio.position = [ FL FR ] } }\n"
    "]\n";

typedef struct
{
  GSocket *sock;
  GThread *thread;
  gint stop;
  GByteArray *payload;          /* the payloads, in arrival order */
  guint packets, gaps;          /* gaps: packets not next in sequence */
  gint last_seq;
} Tap;

/* Takes one packet that waits on the tap's socket, if one does within
 * @timeout_us; returns whether one did */
static gboolean
tap_take (Tap * t, gint64 timeout_us)
{
  guint8 pkt[2048];
  GstBuffer *buf;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  gssize n;

  if (!g_socket_condition_timed_wait (t->sock, G_IO_IN, timeout_us, NULL, NULL))
    return FALSE;
  n = g_socket_receive (t->sock, (gchar *) pkt, sizeof (pkt), NULL, NULL);
  if (n <= 0)
    return TRUE;
  buf = gst_buffer_new_memdup (pkt, n);
  if (gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp)) {
    guint16 seq = gst_rtp_buffer_get_seq (&rtp);
    if (t->last_seq >= 0 && seq != (guint16) (t->last_seq + 1))
      t->gaps++;
    t->last_seq = seq;
    t->packets++;
    g_byte_array_append (t->payload, gst_rtp_buffer_get_payload (&rtp),
        gst_rtp_buffer_get_payload_len (&rtp));
    gst_rtp_buffer_unmap (&rtp);
  }
  gst_buffer_unref (buf);
  return TRUE;
}

static gpointer
tap_run (gpointer data)
{
  Tap *t = data;

  while (!g_atomic_int_get (&t->stop))
    tap_take (t, 100000);
  return NULL;
}

/* Joins @group:@port on eth0 of @host and keeps every payload from now on */
static Tap *
tap_start (guint host, const gchar * group, guint port)
{
  Tap *t = g_new0 (Tap, 1);
  GError *err = NULL;

  t->payload = g_byte_array_new ();
  t->last_seq = -1;
  t->sock = aes67_test_net_join (net, host, group, port, 0, &err);
  fail_unless (t->sock != NULL, "%s", err ? err->message : "");
  t->thread = g_thread_new ("tap", tap_run, t);
  return t;
}

/* Stops the tap after it has taken every packet that had arrived */
static void
tap_stop (Tap * t)
{
  g_atomic_int_set (&t->stop, 1);
  g_thread_join (t->thread);
  while (tap_take (t, 0));
  g_object_unref (t->sock);
}

static void
tap_free (Tap * t)
{
  g_byte_array_unref (t->payload);
  g_free (t);
}

/* One unbroken run of audio aes67src played: where it starts in the
 * audio collected, its length, and the frames of GAP buffers before it;
 * all in frames */
typedef struct
{
  guint at, frames, gap_before;
} Run;

/* What aes67src played: the audio of its buffers that are not GAP, cut
 * into runs at each GAP or DISCONT buffer */
typedef struct
{
  GByteArray *data;
  GArray *runs;                 /* Run */
  guint gaps, gap_frames, disconts, pending_gap;
  gboolean cut;
} Collected;

static GstFlowReturn
collect_sample (GstAppSink * sink, gpointer user_data)
{
  Collected *c = user_data;
  GstSample *s = gst_app_sink_pull_sample (sink);
  GstBuffer *b = gst_sample_get_buffer (s);
  GstMapInfo map;

  GST_OBJECT_LOCK (sink);
  if (b && c->data->len > 0 && GST_BUFFER_FLAG_IS_SET (b,
          GST_BUFFER_FLAG_DISCONT)) {
    c->disconts++;
    c->cut = TRUE;
  }
  if (b && GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_GAP)) {
    c->gaps++;
    c->gap_frames += gst_buffer_get_size (b) / 6;
    c->pending_gap += gst_buffer_get_size (b) / 6;
    c->cut = TRUE;
  } else if (b && gst_buffer_get_size (b) > 0
      && gst_buffer_map (b, &map, GST_MAP_READ)) {
    if (c->cut || c->runs->len == 0) {
      Run r = { c->data->len / 6, 0, c->pending_gap };
      /* the GAP buffers before the first audio are not on the wire yet */
      if (c->runs->len == 0)
        r.gap_before = 0;
      g_array_append_val (c->runs, r);
      c->pending_gap = 0;
      c->cut = FALSE;
    }
    g_array_index (c->runs, Run, c->runs->len - 1).frames += map.size / 6;
    g_byte_array_append (c->data, map.data, map.size);
    gst_buffer_unmap (b, &map);
  }
  GST_OBJECT_UNLOCK (sink);
  gst_sample_unref (s);
  return GST_FLOW_OK;
}

/* Where on the wire (a frame of @wire, @wire_frames long) run @r of
 * @got starts, found by 10 ms of the sine 100 ms after its onset in the
 * run (the sine repeats every second, so there are several candidates:
 * the one from which the whole run matches); -1 if none. */
static gint64
locate_run (const guint8 * wire, guint wire_frames, const guint8 * got,
    const Run * r, guint * candidates, guint * longest)
{
  guint onset, i;
  const guint8 *probe;

  for (onset = r->at; onset < r->at + r->frames; onset++) {
    gint32 v = (gint32) ((guint32) GST_READ_UINT24_BE (got + onset * 6) << 8);
    if (ABS (v / 2147483648.0) >= 0.01)
      break;
  }
  if (onset + 4800 + 480 > r->at + r->frames)
    return -1;
  probe = got + (onset + 4800) * 6;
  for (i = 0; i + 480 <= wire_frames; i++) {
    guint64 start;
    guint k;

    if (memcmp (wire + i * 6, probe, 6 * 480) != 0)
      continue;
    (*candidates)++;
    if (i < onset + 4800 - r->at)
      continue;
    start = i - (onset + 4800 - r->at);
    if (start + r->frames > wire_frames)
      continue;
    for (k = 0; k < r->frames * 6 && wire[start * 6 + k] == got[r->at * 6 + k];
        k++);
    if (k == r->frames * 6)
      return (gint64) start;
    *longest = MAX (*longest, k / 6);
  }
  return -1;
}

GST_START_TEST (test_aes67src_receives_pipewire)
{
  GstElementFactory *f = gst_element_factory_find ("aes67src");
  gchar *wp = g_find_program_in_path ("wireplumber");
  gchar *play = g_find_program_in_path ("pw-play");
  GstElement *gen, *rx, *src, *appsink;
  Collected col = { NULL };
  GByteArray *data;
  GArray *runs;
  GstStructure *st;
  gchar *st_str;
  GstBus *bus;
  GstMessage *m;
  GstCaps *caps;
  GError *err = NULL;
  PipeWire pw = { 0 };
  GPid player;
  Tap *tap;
  gchar *wav, *conf, *desc, *env_run, *env_pw, *log;
  gdouble *x, a997, a15;
  guint8 *got;
  guint i, n, len, onset, breaks, candidates = 0, longest = 0;
  gint w;
  gint64 end;

  if (!f || !wp || !play) {
    g_print ("SKIP test_aes67src_receives_pipewire: %s\n", !f ?
        "no aes67src element in this build" :
        "wireplumber or pw-play is not installed");
    if (f)
      gst_object_unref (f);
    g_free (wp);
    g_free (play);
    return;
  }
  gst_object_unref (f);
  g_free (wp);
  g_free (play);

  /* PipeWire in host 0: a null sink (a driver), module-rtp-sink, and
   * wireplumber to link pw-play to the rtp sink */
  {
    gchar *c = g_strdup_printf (pw_sink_conf, net->hosts[0].addr);
    conf = g_strconcat (pw_sink_play_conf, c, NULL);
    g_free (c);
  }
  pipewire_start (&pw, 0, conf, TRUE);
  g_free (conf);
  fail_unless (pw_wait (&pw, 0, "\"node.name\": \"rtp-sink\"", TRUE, 10),
      "PipeWire's rtp-sink did not come up in 10 s");

  /* 20 s of a 997 Hz sine at amplitude 0.5, stereo, 48 kHz */
  wav = g_build_filename (pw.dir, "sine.wav", NULL);
  desc = g_strdup_printf ("audiotestsrc num-buffers=200 samplesperbuffer=4800 "
      "freq=997 volume=0.5 ! audio/x-raw,format=S16LE,rate=48000,channels=2 "
      "! wavenc ! filesink location=%s", wav);
  gen = gst_parse_launch (desc, &err);
  fail_unless (gen != NULL, "%s", err ? err->message : "");
  g_free (desc);
  bus = gst_element_get_bus (gen);
  gst_element_set_state (gen, GST_STATE_PLAYING);
  m = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS);
  gst_message_unref (m);
  gst_element_set_state (gen, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (gen);

  /* the wire, from before pw-play starts */
  tap = tap_start (1, "239.69.1.77", 5004);

  env_run = g_strdup_printf ("XDG_RUNTIME_DIR=%s/run", pw.dir);
  env_pw = g_strdup_printf ("PIPEWIRE_RUNTIME_DIR=%s/run", pw.dir);
  log = g_build_filename (pw.dir, "pw-play.log", NULL);
  {
    const gchar *argv[] = { "env", env_run, env_pw, "pw-play", "--target",
      "rtp-sink", wav, NULL
    };
    player = sap_test_spawn (net, 0, argv, log, &err);
    fail_unless (player > 0, "%s", err ? err->message : "");
  }

  /* aes67src in host 1, by the name PipeWire announces */
  rx = gst_parse_launch ("aes67src name=src multicast-iface=eth0 latency=40 "
      "discovery-timeout=12000 session-name=\"PipeWire Interop\" ! "
      "appsink name=out sync=false emit-signals=true", &err);
  fail_unless (rx != NULL, "%s", err ? err->message : "");
  src = gst_bin_get_by_name (GST_BIN (rx), "src");
  appsink = gst_bin_get_by_name (GST_BIN (rx), "out");
  data = col.data = g_byte_array_new ();
  col.runs = g_array_new (FALSE, FALSE, sizeof (Run));
  g_signal_connect (appsink, "new-sample", G_CALLBACK (collect_sample), &col);
  bus = gst_element_get_bus (rx);
  fail_unless (aes67_test_net_enter (net, 1));
  gst_element_set_state (rx, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (m) {
    GError *e = NULL;
    gst_message_parse_error (m, &e, NULL);
    fail ("aes67src: %s", e->message);
  }

  /* 3 s of audio (the sine starts when wireplumber links pw-play) */
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end) {
    guint have;
    GST_OBJECT_LOCK (appsink);
    have = data->len;
    GST_OBJECT_UNLOCK (appsink);
    if (have >= 3 * 48000 * 6)
      break;
    g_usleep (20000);
  }
  {
    GstPad *pad = gst_element_get_static_pad (appsink, "sink");
    caps = gst_pad_get_current_caps (pad);
    gst_object_unref (pad);
  }
  fail_unless (caps != NULL, "no audio from PipeWire's stream");
  {
    GstStructure *cs = gst_caps_get_structure (caps, 0);
    gint ch = 0, rate = 0;
    fail_unless_equals_string (gst_structure_get_string (cs, "format"),
        "S24BE");
    gst_structure_get_int (cs, "channels", &ch);
    gst_structure_get_int (cs, "rate", &rate);
    fail_unless_equals_int (ch, 2);
    fail_unless_equals_int (rate, 48000);
  }
  gst_caps_unref (caps);
  GST_OBJECT_LOCK (appsink);
  len = data->len;
  got = g_memdup2 (data->data, len);
  runs = g_array_copy (col.runs);
  GST_OBJECT_UNLOCK (appsink);
  fail_unless (len >= 3 * 48000 * 6, "only %u bytes of audio from PipeWire "
      "in 10 s", len);
  /* the link offset holds 40 ms back: the packets of all of it have
   * arrived at the tap's socket too, and tap_stop() takes them */
  tap_stop (tap);

  /* the left channel, and where the sine starts (PipeWire sends silence
   * until pw-play is linked) */
  n = len / 6;
  x = g_new (gdouble, n);
  for (i = 0; i < n; i++) {
    const guint8 *p = got + i * 6;
    x[i] = (gint32) ((guint32) GST_READ_UINT24_BE (p) << 8) / 2147483648.0;
  }
  for (onset = 0; onset < n && fabs (x[onset]) < 0.01; onset++);
  fail_unless (onset + 48000 <= n, "less than 1 s of the sine from PipeWire "
      "(it starts at frame %u of %u)", onset, n);

  /* bit-exact: one run of the audio played, of 1 s or more, is found
   * on the wire; from there every other run must be on the wire where
   * the frames of the GAP buffers between them put it: every frame on the
   * wire from aes67src's first to its last is either played, unchanged,
   * or counted in a GAP buffer */
  g_object_get (src, "stats", &st, NULL);
  st_str = gst_structure_to_string (st);
  {
    guint wire_frames = tap->payload->len / 6, a, r;
    gint64 at_wire = -1, *pos;
    const gchar *bad = NULL;

    for (a = 0; a < runs->len && at_wire < 0; a++) {
      if (g_array_index (runs, Run, a).frames >= 48000)
        at_wire = locate_run (tap->payload->data, wire_frames, got,
            &g_array_index (runs, Run, a), &candidates, &longest);
    }
    fail_unless (at_wire >= 0, "none of aes67src's %u runs of audio (%u "
        "frames in all) is one run of the %u packets on the wire (%u places "
        "tried, the longest matched %u frames; the tap saw %u breaks in the "
        "sequence; aes67src played %u GAP buffers (%u frames) and %u "
        "DISCONT; its stats: %s)", runs->len, n, tap->packets, candidates,
        longest, tap->gaps, col.gaps, col.gap_frames, col.disconts, st_str);
    a--;
    pos = g_new (gint64, runs->len);
    pos[a] = at_wire;
    for (r = a + 1; r < runs->len; r++) {
      const Run *p = &g_array_index (runs, Run, r - 1);
      pos[r] = pos[r - 1] + p->frames + g_array_index (runs, Run, r).gap_before;
    }
    for (r = a; r-- > 0;) {
      const Run *q = &g_array_index (runs, Run, r + 1);
      pos[r] = pos[r + 1] - q->gap_before - g_array_index (runs, Run, r).frames;
    }
    for (r = 0; r < runs->len && !bad; r++) {
      const Run *q = &g_array_index (runs, Run, r);
      if (pos[r] < 0 || pos[r] + q->frames > wire_frames)
        bad = "is not on the wire where the GAP buffers put it";
      else if (memcmp (tap->payload->data + pos[r] * 6, got + q->at * 6,
              q->frames * 6) != 0)
        bad = "differs from the wire where the GAP buffers put it";
    }
    fail_unless (bad == NULL, "aes67src's run %u of %u (%u frames, after %u "
        "frames of GAP) %s (aes67src played %u GAP buffers (%u frames) and "
        "%u DISCONT; its stats: %s)", r, runs->len,
        g_array_index (runs, Run, r - 1).frames, g_array_index (runs, Run,
            r - 1).gap_before, bad, col.gaps, col.gap_frames, col.disconts,
        st_str);
    g_free (pos);
  }
  fail_unless_equals_int (tap->gaps, 0);
  /* a packet on the wire that aes67src did not play is one it counts: it
   * came late (this VM has 2 shared cores), or it was lost */
  if (col.gap_frames > 0) {
    guint64 late = 0, lost = 0;
    gst_structure_get_uint64 (st, "packets-late", &late);
    gst_structure_get_uint64 (st, "packets-lost", &lost);
    g_print ("aes67src played %u frames of the wire as GAP (%u buffers; %"
        G_GUINT64_FORMAT " packets late, %" G_GUINT64_FORMAT " lost)\n",
        col.gap_frames, col.gaps, late, lost);
    fail_unless (late + lost > 0, "aes67src played %u frames as GAP but "
        "counts no packet late or lost: %s", col.gap_frames, st_str);
    fail_unless (col.gap_frames * 100 <= n, "aes67src played %u frames of "
        "%u as GAP", col.gap_frames, n);
  }
  gst_structure_free (st);
  g_free (st_str);

  /* the level, in the first unbroken 100 ms from 100 ms into the sine */
  w = clean_window (x, n, onset + 4800, 4800, 997, 48000, &breaks);
  fail_unless (w >= 0, "no unbroken 100 ms of the sine from PipeWire (%u "
      "breaks)", breaks);
  a997 = tone_amplitude (x + w, 4800, 997, 48000);
  a15 = tone_amplitude (x + w, 4800, 1500, 48000);
  g_print ("aes67src received PipeWire's stream: %u frames bit-exact with "
      "the wire in %u runs (%u packets); 997 Hz amplitude %.4f, 1.5 kHz %.4f; %u "
      "breaks in PipeWire's sine, on the wire too\n", n, runs->len,
      tap->packets, a997, a15, breaks);
  fail_unless (fabs (a997 - 0.5) < 0.02, "997 Hz at %.4f, played 0.5", a997);
  fail_unless (a15 < 0.01, "1.5 kHz at %.4f", a15);
  fail_if (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) != NULL);
  g_free (x);
  g_free (got);
  tap_free (tap);

  fail_unless (aes67_test_net_enter (net, 1));
  gst_element_set_state (rx, GST_STATE_NULL);
  fail_unless (aes67_test_net_leave ());
  sap_test_stop (player);
  gst_object_unref (bus);
  gst_object_unref (src);
  gst_object_unref (appsink);
  gst_object_unref (rx);
  g_byte_array_unref (data);
  g_array_unref (col.runs);
  g_array_unref (runs);
  g_free (env_run);
  g_free (env_pw);
  g_free (log);
  g_free (wav);
  pipewire_free (&pw);
}

GST_END_TEST;

static Suite *
pipewire_suite (void)
{
  Suite *s = suite_create ("pipewire");
  TCase *tc = tcase_create ("sap");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_pipewire_announces);
  tcase_add_test (tc, test_pipewire_receives);
  tcase_add_test (tc, test_pipewire_plays_aes67sink);
  tcase_add_test (tc, test_aes67src_receives_pipewire);
  return s;
}

int
main (int argc, char **argv)
{
  const gchar *progs[] = { "pipewire", "pw-dump", "dbus-daemon", NULL };
  int nf, i;

  gst_check_init (&argc, &argv);
  for (i = 0; progs[i]; i++) {
    gchar *p = g_find_program_in_path (progs[i]);
    if (!p) {
      g_print ("SKIP: %s is not installed (scripts/install-deps.sh)\n",
          progs[i]);
      return 77;
    }
    g_free (p);
  }
  net =
      aes67_test_net_new_or_skip ("sappw", 2,
      "PipeWire interop between network namespaces");
  nf = gst_check_run_suite (pipewire_suite (), "pipewire", __FILE__);
  aes67_test_net_free (net);
  return nf;
}
