/* gst-aes67: interoperation with ffmpeg (a real peer from Debian) over
 * loopback: ffmpeg's RTP muxer and SDP into aes67src, aes67sink's stream
 * and SDP file into ffmpeg, both bit-exact.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Exits 77 (skip) when ffmpeg is not installed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "aes67-roundtrip.h"

static gchar *tmpdir;

static GPid
spawn (const gchar * const *argv, const gchar * log)
{
  GPid pid = 0;
  GError *err = NULL;
  gint fd = g_open (log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

  fail_unless (g_spawn_async_with_fds (NULL, (gchar **) argv, NULL,
          G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, NULL, NULL, &pid,
          -1, fd, fd, &err), "cannot start %s: %s", argv[0],
      err ? err->message : "");
  close (fd);
  return pid;
}

/* Waits up to @secs until a UDP socket is bound to @port (in
 * /proc/net/udp): the receiving process is ready */
static gboolean
wait_udp_bound (guint port, gint secs)
{
  gint64 end = g_get_monotonic_time () + (gint64) secs * G_USEC_PER_SEC;
  gchar *needle = g_strdup_printf (":%04X ", port);
  gboolean found = FALSE;

  do {
    gchar *text = NULL;

    if (g_file_get_contents ("/proc/net/udp", &text, NULL, NULL)) {
      gchar **lines = g_strsplit (text, "\n", -1), **l;

      /* "  sl  local_address rem_address ...": the local address is the
       * second field */
      for (l = lines; *l && !found; l++) {
        gchar **f = g_strsplit_set (g_strstrip (*l), " ", -1);

        if (g_strv_length (f) > 2) {
          gchar *local = g_strconcat (f[1], " ", NULL);
          found = strstr (local, needle) != NULL;
          g_free (local);
        }
        g_strfreev (f);
      }
      g_strfreev (lines);
      g_free (text);
    }
    if (!found)
      g_usleep (20000);
  } while (!found && g_get_monotonic_time () < end);
  g_free (needle);
  return found;
}

/* waits up to @ms for @pid; on timeout sends @sig and waits again */
static gint
wait_or_signal (GPid pid, guint ms, gint sig)
{
  gint status = -1;
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end) {
    if (waitpid (pid, &status, WNOHANG) == pid)
      return status;
    g_usleep (10000);
  }
  kill (pid, sig);
  end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end) {
    if (waitpid (pid, &status, WNOHANG) == pid)
      return status;
    g_usleep (10000);
  }
  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
  return status;
}

static gchar *
path (const gchar * name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* ffmpeg's RTP muxer (L24, its own SDP) -> aes67src: bit-exact */
GST_START_TEST (test_ffmpeg_to_aes67src)
{
  GBytes *audio = roundtrip_make_audio (288000, 4711);  /* 1 s */
  gchar *in = path ("ff-in.raw"), *sdp = path ("ff.sdp"), *log =
      path ("ffmpeg-tx.log"), *url, *desc, *sdptext = NULL;
  guint port = roundtrip_free_port ();
  GstElement *rx, *appsink;
  GByteArray *out = g_byte_array_new ();
  GPid pid;
  gint status;
  const guint8 *a;
  gsize n;
  guint8 *hit;

  a = g_bytes_get_data (audio, &n);
  fail_unless (g_file_set_contents (in, (const gchar *) a, n, NULL));
  url = g_strdup_printf ("rtp://127.0.0.1:%u", port);

  /* 1. the SDP ffmpeg writes for this output (a 10 ms run) */
  {
    const gchar *argv[] = { "ffmpeg", "-hide_banner", "-loglevel", "error",
      "-y", "-f", "s24be", "-ar", "48000", "-ac", "2", "-t", "0.01", "-i", in,
      "-c:a", "pcm_s24be", "-payload_type", "97", "-f", "rtp", "-pkt_size",
      "300", "-sdp_file", sdp, url, NULL
    };
    pid = spawn (argv, log);
    status = wait_or_signal (pid, 10000, SIGKILL);
    fail_unless (WIFEXITED (status) && WEXITSTATUS (status) == 0,
        "ffmpeg failed, see %s", log);
  }
  fail_unless (g_file_get_contents (sdp, &sdptext, NULL, NULL));
  fail_unless (strstr (sdptext, "L24/48000/2") != NULL, "%s", sdptext);

  /* 2. aes67src from that SDP file */
  desc = g_strdup_printf ("aes67src sdp-file=%s latency=60 name=src ! "
      "appsink name=out sync=false", sdp);
  rx = gst_parse_launch (desc, NULL);
  g_free (desc);
  appsink = gst_bin_get_by_name (GST_BIN (rx), "out");
  /* udpsrc binds its socket going from NULL to READY, inside this call */
  gst_element_set_state (rx, GST_STATE_PLAYING);

  /* 3. the stream, paced by ffmpeg (-re) */
  {
    const gchar *argv[] = { "ffmpeg", "-hide_banner", "-loglevel", "error",
      "-re", "-f", "s24be", "-ar", "48000", "-ac", "2", "-i", in,
      "-c:a", "pcm_s24be", "-payload_type", "97", "-f", "rtp", "-pkt_size",
      "300", url, NULL
    };
    pid = spawn (argv, log);
  }
  /* (until the stream's audio stops: aes67src outputs GAP silence then) */
  roundtrip_pull_stream (appsink, out, n + 288, 2 * GST_SECOND, NULL);
  status = wait_or_signal (pid, 5000, SIGTERM);
  fail_unless (WIFEXITED (status) && WEXITSTATUS (status) == 0,
      "ffmpeg failed, see %s", log);

  hit = memmem (out->data, out->len, a, 64);
  fail_unless (hit != NULL, "ffmpeg's audio not found in aes67src's output "
      "(%u bytes)", out->len);
  fail_unless ((gsize) (hit - out->data) + n <= out->len
      && memcmp (hit, a, n) == 0, "ffmpeg -> aes67src not bit-exact");
  {
    GstElement *src = gst_bin_get_by_name (GST_BIN (rx), "src");
    GstStructure *st;
    guint64 v = 1;
    g_object_get (src, "stats", &st, NULL);
    gst_structure_get_uint64 (st, "packets-malformed", &v);
    fail_unless_equals_uint64 (v, 0);
    /* ffmpeg cuts packets at its 4096-byte reads too: >= 1000 packets */
    gst_structure_get_uint64 (st, "packets-received", &v);
    fail_unless (v >= 1000, "%" G_GUINT64_FORMAT " packets", v);
    {
      gint64 lost = 1;
      gst_structure_get_int64 (st, "packets-lost", &lost);
      fail_unless_equals_int64 (lost, 0);
    }
    gst_structure_free (st);
    gst_object_unref (src);
  }

  gst_element_set_state (rx, GST_STATE_NULL);
  gst_object_unref (appsink);
  gst_object_unref (rx);
  g_byte_array_unref (out);
  g_bytes_unref (audio);
  g_free (sdptext);
  g_free (url);
  g_free (in);
  g_free (sdp);
  g_free (log);
}

GST_END_TEST;

/* aes67sink (its SDP file) -> ffmpeg's RTP demuxer: bit-exact. With
 * @dup, aes67sink sends on two paths (ST 2022-7, another port on
 * loopback) and its SDP has the DUP form: ffmpeg, which knows nothing of
 * ST 2022-7, still plays it. */
static void
sink_to_ffmpeg (const gchar * enc, guint channels, gboolean dup)
{
  gboolean l16 = !strcmp (enc, "L16");
  guint bpf = channels * (l16 ? 2 : 3);
  gsize n = (gsize) 48000 * bpf;        /* 1 s compared */
  /* 1.2 s sent: ffmpeg -t 1 stops by itself at the first packet past 1 s */
  GBytes *audio = roundtrip_make_audio (n * 6 / 5, 99 + channels);
  gchar *sdp = path ("sink.sdp"), *outf = path ("ffmpeg-out.raw"), *log =
      path ("ffmpeg-rx.log"), *data = NULL, *sdptext = NULL;
  guint port = roundtrip_free_port (), port2 = 0;
  GstElement *tx, *appsrc, *sink;
  GstCaps *caps;
  GstBus *bus;
  GstMessage *m;
  GPid pid;
  gsize len;
  const guint8 *a = g_bytes_get_data (audio, NULL);
  gint status;
  GstBuffer *b;

  g_unlink (outf);
  g_unlink (sdp);               /* an earlier case's: not this one's */
  tx = gst_pipeline_new ("tx");
  appsrc = gst_element_factory_make ("appsrc", NULL);
  sink = gst_element_factory_make ("aes67sink", NULL);
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING,
      l16 ? "S16BE" : "S24BE", "rate", G_TYPE_INT, 48000, "channels",
      G_TYPE_INT, channels, "layout", G_TYPE_STRING, "interleaved", NULL);
  if (channels > 2)
    gst_caps_set_simple (caps, "channel-mask", GST_TYPE_BITMASK, (guint64) 0,
        NULL);
  g_object_set (appsrc, "caps", caps, "format", GST_FORMAT_TIME, NULL);
  gst_caps_unref (caps);
  g_object_set (sink, "address", "127.0.0.1", "port", port, "sdp-file", sdp,
      "encoding", l16 ? 1 : 2, NULL);
  if (dup) {
    do
      port2 = roundtrip_free_port ();
    while (port2 == port);
    g_object_set (sink, "secondary-address", "127.0.0.1", "secondary-port",
        port2, NULL);
  }
  gst_bin_add_many (GST_BIN (tx), appsrc, sink, NULL);
  gst_element_link (appsrc, sink);
  b = gst_buffer_new_memdup (a, n * 6 / 5);
  GST_BUFFER_PTS (b) = 0;
  GST_BUFFER_DURATION (b) = GST_SECOND * 6 / 5;
  gst_app_src_push_buffer (GST_APP_SRC (appsrc), b);
  gst_app_src_end_of_stream (GST_APP_SRC (appsrc));
  gst_element_set_state (tx, GST_STATE_PAUSED);
  fail_unless_equals_int (gst_element_get_state (tx, NULL, NULL,
          5 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  {
    /* the SDP file comes from aes67sink's writer thread, just after the
     * caps: wait for it */
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (!g_file_get_contents (sdp, &sdptext, NULL, NULL)
        && g_get_monotonic_time () < end)
      g_usleep (10000);
  }
  fail_unless (sdptext != NULL, "aes67sink wrote no SDP file");
  if (dup) {
    gchar *m2 = g_strdup_printf ("m=audio %u RTP/AVP", port2);

    fail_unless (strstr (sdptext, "a=group:DUP 1 2\r\n") != NULL, "%s",
        sdptext);
    fail_unless (strstr (sdptext, m2) != NULL, "%s", sdptext);
    g_free (m2);
  }

  {
    const gchar *argv[] = { "ffmpeg", "-nostdin", "-hide_banner", "-loglevel",
      "warning", "-reorder_queue_size", "0", "-protocol_whitelist",
      "file,udp,rtp",
      "-i", sdp, "-t", "1", "-c:a", l16 ? "pcm_s16be" : "pcm_s24be", "-f",
      l16 ? "s16be" : "s24be", "-y", outf, NULL
    };
    pid = spawn (argv, log);
  }
  fail_unless (wait_udp_bound (port, 30), "ffmpeg did not open port %u in "
      "30 s", port);
  bus = gst_element_get_bus (tx);
  gst_element_set_state (tx, GST_STATE_PLAYING);
  m = roundtrip_wait_element_message (bus, "eos", 5000);
  fail_unless (m != NULL);
  gst_message_unref (m);
  status = wait_or_signal (pid, 5000, SIGTERM);
  fail_unless (WIFEXITED (status) && WEXITSTATUS (status) == 0,
      "ffmpeg did not finish by itself, see %s", log);
  gst_element_set_state (tx, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (tx);

  fail_unless (g_file_get_contents (outf, &data, &len, NULL),
      "ffmpeg wrote nothing, see %s", log);
  /* 1 s of output: a silent lead-in shorter than one packet (packets start
   * on packet-time boundaries of the media clock), then the audio sent */
  {
    guint8 *hit = memmem (data, len, a, 64);
    gsize lead = hit ? (gsize) (hit - (guint8 *) data) : len, k;

    fail_unless (len == n, "ffmpeg wrote %" G_GSIZE_FORMAT " bytes, not %"
        G_GSIZE_FORMAT, len, n);
    fail_unless (lead < 48 * bpf, "%s %u ch: the audio sent is not in "
        "ffmpeg's output (lead %" G_GSIZE_FORMAT "); SDP:\n%s", enc, channels,
        lead, sdptext);
    for (k = 0; k < lead; k++)
      fail_unless (data[k] == 0, "lead-in byte %" G_GSIZE_FORMAT " not 0", k);
    fail_unless (memcmp (hit, a, n - lead) == 0, "%s %u ch: ffmpeg's output "
        "differs from what was sent", enc, channels);
  }
  g_free (data);
  g_free (sdptext);
  g_free (sdp);
  g_free (outf);
  g_free (log);
  g_bytes_unref (audio);
}

GST_START_TEST (test_aes67sink_to_ffmpeg_l24)
{
  sink_to_ffmpeg ("L24", 2, FALSE);
}

GST_END_TEST;

GST_START_TEST (test_aes67sink_to_ffmpeg_l16_8ch)
{
  sink_to_ffmpeg ("L16", 8, FALSE);
}

GST_END_TEST;

/* ST 2022-7: our DUP SDP (two media sections) into ffmpeg, which knows
 * nothing of a=group:DUP: it still plays the stream, bit-exact */
GST_START_TEST (test_aes67sink_dup_to_ffmpeg)
{
  sink_to_ffmpeg ("L24", 2, TRUE);
}

GST_END_TEST;

static Suite *
aes67ffmpeg_suite (void)
{
  Suite *s = suite_create ("aes67ffmpeg");
  TCase *tc = tcase_create ("ffmpeg");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_ffmpeg_to_aes67src);
  tcase_add_test (tc, test_aes67sink_to_ffmpeg_l24);
  tcase_add_test (tc, test_aes67sink_to_ffmpeg_l16_8ch);
  tcase_add_test (tc, test_aes67sink_dup_to_ffmpeg);
  return s;
}

int
main (int argc, char **argv)
{
  gchar *ff;
  int ret;

  gst_check_init (&argc, &argv);
  ff = g_find_program_in_path ("ffmpeg");
  if (!ff) {
    g_print ("SKIP: ffmpeg is not installed (apt-get install ffmpeg)\n");
    return 77;
  }
  g_free (ff);
  tmpdir = g_dir_make_tmp ("aes67ffmpeg-XXXXXX", NULL);
  ret = gst_check_run_suite (aes67ffmpeg_suite (), "aes67ffmpeg", __FILE__);
  if (ret == 0) {
    gchar *cmd = g_strdup_printf ("rm -rf %s", tmpdir);
    g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
    g_free (cmd);
  } else {
    g_print ("ffmpeg logs kept in %s\n", tmpdir);
  }
  g_free (tmpdir);
  return ret;
}
