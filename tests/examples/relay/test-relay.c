/* gst-aes67: runs the example aes67-relay end to end
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Three network namespaces on one link:
 *
 *   host 0 (this process)    host 1                   host 2 (this process)
 *   appsrc (counter) !   ->  aes67-relay          ->  aes67src
 *   aes67sink 239.69.8.1     --sdp-file=source.sdp    session-name=Relayed
 *   sdp-file=source.sdp      --address=239.69.8.2     ! appsink
 *                            SAP "Relayed"
 *
 * The source sends silence until the receiver plays the relayed stream,
 * then a counter signal: frame n (n = 1..N) carries n on both channels
 * (24-bit), then silence again (a live stream goes on: the relay's sender
 * holds the frames of a packet not yet full, which the next audio
 * completes). The receiver checks every frame: after silence, exactly 1, 2,
 * ..., N in order, both channels alike (bit-exact: nothing missing,
 * repeated, reordered or changed). It measures each buffer's end-to-end
 * latency (from the capture time of its first frame on the source's
 * clock to its arrival at the receiver's appsink, which renders on the
 * clock: processing-deadline 0) and prints the median, p99 and maximum;
 * only a generous bound is asserted (a busy 2-core VM). The link offsets
 * (the relay's 40 ms, the receiver's 80 ms) are generous for the same
 * reason: with 10 + 10 ms, the relay's sender held up 17 ms by a busy
 * moment made nine packets late at the receiver (432 frames concealed),
 * and the check of bit-exactness is this test's point, not the latency.
 * The relay's JSON
 * lines on stdout are parsed and checked: its aes67-stats with nothing lost.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
#include <json-glib/json-glib.h>

#include "aes67-testnet.h"
#include "../example-test.h"

#define RATE 48000
#define FRAME_BYTES 6           /* S24BE stereo */
#define N_FRAMES (5 * RATE)     /* the counter: 5 s */
#define CHUNK 480               /* frames per appsrc buffer, 10 ms */

static Aes67TestNet *net;

typedef struct
{
  GMutex lock;
  GCond cond;
  /* source side (need-data, on appsrc's thread): silence, the counter,
   * silence */
  guint64 pushed;               /* frames pushed in all */
  guint64 counter_start;        /* index of frame 1 of the counter */
  gint started;                 /* atomic: the test says "send the counter" */
  guint32 next_value;           /* next counter value to push */
  /* receiver side (appsink's thread), protected by lock */
  guint32 expect;               /* next counter value expected, 0: none yet */
  guint64 errors;               /* frames that are not the expected */
  gchar *first_error;
  guint64 counted;              /* counter frames received */
  gboolean done;                /* frame N seen */
  GArray *latency_ns;           /* per buffer with counter frames */
  GstClock *clock;              /* the source's clock */
  GstClockTime tx_base;
} Relay;

static void
need_data (GstAppSrc * src, guint length, gpointer user_data)
{
  Relay *r = user_data;
  GstBuffer *b = gst_buffer_new_allocate (NULL, CHUNK * FRAME_BYTES, NULL);
  GstMapInfo map;
  guint k;

  if (g_atomic_int_get (&r->started) && r->next_value == 0) {
    r->next_value = 1;
    g_mutex_lock (&r->lock);
    r->counter_start = r->pushed;
    g_mutex_unlock (&r->lock);
  }
  gst_buffer_map (b, &map, GST_MAP_WRITE);
  for (k = 0; k < CHUNK; k++) {
    guint32 v = 0;

    if (r->next_value && r->next_value <= N_FRAMES)
      v = r->next_value++;
    else if (r->next_value)
      r->next_value = N_FRAMES + 1;     /* the end: silence */
    GST_WRITE_UINT24_BE (map.data + k * FRAME_BYTES, v);
    GST_WRITE_UINT24_BE (map.data + k * FRAME_BYTES + 3, v);
  }
  gst_buffer_unmap (b, &map);
  GST_BUFFER_PTS (b) = gst_util_uint64_scale (r->pushed, GST_SECOND, RATE);
  GST_BUFFER_DURATION (b) = gst_util_uint64_scale (r->pushed + CHUNK,
      GST_SECOND, RATE) - GST_BUFFER_PTS (b);
  r->pushed += CHUNK;
  gst_app_src_push_buffer (src, b);
}

static void
rx_error (Relay * r, guint32 got, guint32 left, guint32 right)
{
  if (!r->first_error)
    r->first_error = g_strdup_printf ("after %" G_GUINT64_FORMAT " counter "
        "frames: expected %u, got %u/%u (left/right)", r->counted, r->expect,
        left, right);
  r->errors++;
}

static GstFlowReturn
new_sample (GstAppSink * sink, gpointer user_data)
{
  Relay *r = user_data;
  GstSample *s = gst_app_sink_pull_sample (sink);
  GstBuffer *b = gst_sample_get_buffer (s);
  GstClockTime now = gst_clock_get_time (r->clock);
  GstMapInfo map;
  gsize k, n;
  gboolean timed = FALSE;

  gst_buffer_map (b, &map, GST_MAP_READ);
  n = map.size / FRAME_BYTES;
  g_mutex_lock (&r->lock);
  for (k = 0; k < n; k++) {
    guint32 left = GST_READ_UINT24_BE (map.data + k * FRAME_BYTES);
    guint32 right = GST_READ_UINT24_BE (map.data + k * FRAME_BYTES + 3);

    if (r->expect == 0) {
      if (left == 0 && right == 0)
        continue;               /* silence before the counter */
      r->expect = 1;
    }
    if (r->expect > N_FRAMES) {
      if (left || right)
        rx_error (r, left, left, right);        /* after the end: silence */
      continue;
    }
    if (left != r->expect || right != r->expect) {
      rx_error (r, left, left, right);
      /* resynchronise on what came, to count the damage */
      if (left >= 1 && left <= N_FRAMES)
        r->expect = left;
    }
    if (!timed) {
      /* capture time of this frame on the source's clock */
      GstClockTime cap = r->tx_base + gst_util_uint64_scale (r->counter_start
          + r->expect - 1, GST_SECOND, RATE);
      gint64 lat = (gint64) now - (gint64) cap;

      g_array_append_val (r->latency_ns, lat);
      timed = TRUE;
    }
    r->counted++;
    r->expect++;
    if (r->expect > N_FRAMES) {
      r->done = TRUE;
      g_cond_broadcast (&r->cond);
    }
  }
  g_mutex_unlock (&r->lock);
  gst_buffer_unmap (b, &map);
  gst_sample_unref (s);
  return GST_FLOW_OK;
}

static gint
cmp_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gboolean
wait_file (const gchar * path, guint timeout_s)
{
  gint64 end = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    if (g_get_monotonic_time () > end)
      return FALSE;
    g_usleep (50000);
  }
  return TRUE;
}

/* the relay's JSON lines: every line that starts with '{' parses, and the
 * last aes67-stats has its input and output counters as expected (at
 * least @min_received packets received, none lost) */
static void
check_relay_json (const gchar * log, gint64 min_received)
{
  gchar **lines = g_strsplit (log, "\n", -1), **l;
  JsonParser *p = json_parser_new ();
  guint n_stats = 0;
  gint64 received = -1, lost = -1, sent = -1, send_errors = -1;
  const gchar *state = NULL;
  gchar *state_copy = NULL;

  for (l = lines; *l; l++) {
    GError *err = NULL;
    JsonObject *o, *in, *out;

    if ((*l)[0] != '{')
      continue;
    fail_unless (json_parser_load_from_data (p, *l, -1, &err),
        "relay line is not JSON (%s): %s", err ? err->message : "", *l);
    o = json_node_get_object (json_parser_get_root (p));
    fail_unless (json_object_has_member (o, "event") &&
        json_object_has_member (o, "time") &&
        json_object_has_member (o, "input"), "line lacks a field: %s", *l);
    if (strcmp (json_object_get_string_member (o, "event"), "aes67-stats"))
      continue;
    n_stats++;
    in = json_object_get_object_member (o, "input");
    out = json_object_get_object_member (o, "output");
    fail_unless (in && out, "aes67-stats line without input/output: %s", *l);
    received = json_object_get_int_member (in, "packets-received");
    lost = json_object_get_int_member (in, "packets-lost");
    g_free (state_copy);
    state_copy = g_strdup (json_object_get_string_member (in, "stream-state"));
    sent = json_object_get_int_member (out, "packets-sent");
    send_errors = json_object_get_int_member (out, "send-errors");
  }
  state = state_copy;
  g_print ("relay: %u aes67-stats lines; last: input packets-received %"
      G_GINT64_FORMAT ", packets-lost %" G_GINT64_FORMAT ", stream-state %s; "
      "output packets-sent %" G_GINT64_FORMAT ", send-errors %"
      G_GINT64_FORMAT "\n", n_stats, received, lost, state, sent, send_errors);
  fail_unless (n_stats >= 1, "no aes67-stats line from the relay");
  fail_unless (received >= min_received, "relay received %"
      G_GINT64_FORMAT " packets, expected at least %" G_GINT64_FORMAT,
      received, min_received);
  fail_unless_equals_int64 (lost, 0);
  fail_unless_equals_int64 (send_errors, 0);
  fail_unless (sent > 0 && sent <= received + 10, "relay sent %"
      G_GINT64_FORMAT " packets, received %" G_GINT64_FORMAT, sent, received);
  g_free (state_copy);
  g_object_unref (p);
  g_strfreev (lines);
}

GST_START_TEST (test_relay_bit_exact)
{
  Relay r = { 0 };
  GError *err = NULL;
  gchar *dir = g_dir_make_tmp ("aes67-relay-XXXXXX", &err);
  gchar *src_sdp = g_build_filename (dir, "source.sdp", NULL);
  gchar *out_sdp = g_build_filename (dir, "relay.sdp", NULL);
  gchar *log = g_build_filename (dir, "relay.log", NULL);
  gchar *desc, *sdp_text, *relay_out, *cmd;
  GstElement *tx, *rx, *appsrc, *appsink, *src;
  GstAppSrcCallbacks scb = { need_data };
  GstAppSinkCallbacks kcb = { NULL, NULL, new_sample };
  GstStructure *st = NULL;
  GPid pid;
  gint code;
  gint64 end;
  gboolean done, exited;
  GstStateChangeReturn ret;
  const gchar *argv[] = { AES67_RELAY, "--sdp-file", src_sdp,
    "--in-iface", "eth0", "--address", "239.69.8.2", "--out-iface", "eth0",
    "--session-name-out", "Relayed", "--sdp-out", out_sdp,
    "--sap-interval", "1", "--latency", "40", "--stats-interval", "500",
    NULL
  };

  g_assert_no_error (err);
  g_mutex_init (&r.lock);
  g_cond_init (&r.cond);
  r.latency_ns = g_array_new (FALSE, FALSE, sizeof (gint64));

  /* the source, host 0: silence, then the counter */
  desc = g_strdup_printf ("appsrc name=src is-live=true format=time "
      "max-bytes=%u caps=audio/x-raw,format=S24BE,rate=48000,channels=2,"
      "layout=interleaved,channel-mask=(bitmask)0x3 ! aes67sink "
      "address=239.69.8.1 multicast-iface=eth0 session-name=Source "
      "sdp-file=%s", CHUNK * FRAME_BYTES * 4, src_sdp);
  tx = gst_parse_launch (desc, &err);
  g_assert_no_error (err);
  g_free (desc);
  appsrc = gst_bin_get_by_name (GST_BIN (tx), "src");
  gst_app_src_set_callbacks (GST_APP_SRC (appsrc), &scb, &r, NULL);
  fail_unless (aes67_test_net_enter (net, 0));
  fail_unless (gst_element_set_state (tx, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (aes67_test_net_leave ());
  fail_unless (wait_file (src_sdp, 30), "the source wrote no SDP");
  r.clock = gst_pipeline_get_clock (GST_PIPELINE (tx));
  r.tx_base = gst_element_get_base_time (tx);

  /* the relay, host 1 */
  pid = aes67_test_net_spawn (net, 1, argv, log, &err);
  fail_unless (pid > 0, "cannot start %s: %s", AES67_RELAY,
      err ? err->message : "?");

  /* the receiver, host 2: finds the relayed stream by its name (SAP) */
  rx = gst_parse_launch ("aes67src name=rx session-name=Relayed "
      "discovery-timeout=30000 multicast-iface=eth0 latency=80 ! "
      "appsink name=out sync=true processing-deadline=0 "
      "caps=audio/x-raw,format=S24BE", &err);
  g_assert_no_error (err);
  src = gst_bin_get_by_name (GST_BIN (rx), "rx");
  appsink = gst_bin_get_by_name (GST_BIN (rx), "out");
  gst_app_sink_set_callbacks (GST_APP_SINK (appsink), &kcb, &r, NULL);
  fail_unless (aes67_test_net_enter (net, 2));
  ret = gst_element_set_state (rx, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  if (ret == GST_STATE_CHANGE_FAILURE) {
    relay_out = example_read_log (log);
    fail ("the receiver did not find \"Relayed\"; the relay said:\n%s",
        relay_out);
  }

  /* the chain runs (silence arrives): start the counter */
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  for (;;) {
    const gchar *state;

    g_object_get (src, "stats", &st, NULL);
    state = gst_structure_get_string (st, "stream-state");
    if (g_strcmp0 (state, "receiving") == 0)
      break;
    fail_unless (g_get_monotonic_time () < end, "the receiver got no "
        "packet within 30 s: %s", gst_structure_to_string (st));
    gst_structure_free (st);
    g_usleep (100000);
  }
  gst_structure_free (st);
  g_atomic_int_set (&r.started, 1);

  /* until frame N arrived (5 s of counter), or 60 s */
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  g_mutex_lock (&r.lock);
  while (!r.done && g_cond_wait_until (&r.cond, &r.lock, end));
  done = r.done;
  g_mutex_unlock (&r.lock);

  /* stop the relay (SIGTERM): it exits 0 */
  kill (pid, SIGTERM);
  exited = example_wait (pid, 30, &code);
  relay_out = example_read_log (log);
  g_print ("--- aes67-relay's output:\n%s---\n", relay_out);
  g_object_get (src, "stats", &st, NULL);
  {
    gchar *t = gst_structure_to_string (st);

    g_print ("receiver: %s\n", t);
    g_free (t);
  }

  gst_element_set_state (rx, GST_STATE_NULL);
  gst_element_set_state (tx, GST_STATE_NULL);

  /* bit-exact: N counter frames in order, nothing else */
  fail_unless (done, "frame %u never arrived: %" G_GUINT64_FORMAT
      " counter frames received, %" G_GUINT64_FORMAT " wrong (first: %s)",
      N_FRAMES, r.counted, r.errors, r.first_error ? r.first_error : "none");
  fail_unless (r.errors == 0, "%" G_GUINT64_FORMAT " frames wrong; first: %s",
      r.errors, r.first_error);
  fail_unless_equals_int (r.counted, N_FRAMES);

  /* latency: reported; only a generous bound asserted */
  g_array_sort (r.latency_ns, cmp_i64);
  fail_unless (r.latency_ns->len > 0);
  {
    gint64 *v = (gint64 *) r.latency_ns->data;
    guint n = r.latency_ns->len;

    g_print ("relay: end-to-end latency (capture at the source -> render at "
        "the receiver, through the relay; link offsets 40 + 80 ms, 1 ms "
        "packets): median %.2f ms, p99 %.2f ms, min %.2f ms, max %.2f ms "
        "over %u buffers\n", v[n / 2] / 1e6, v[MIN (n - 1, n * 99 / 100)]
        / 1e6, v[0] / 1e6, v[n - 1] / 1e6, n);
    fail_unless (v[n / 2] > 0 && v[n / 2] < GST_SECOND,
        "median latency %.2f ms", v[n / 2] / 1e6);
  }

  /* the receiver saw nothing lost either */
  fail_unless_equals_int64 (g_value_get_int64 (gst_structure_get_value (st,
              "packets-lost")), 0);
  gst_structure_free (st);

  /* the relay: stopped cleanly, its statistics as JSON lines, its SDP */
  fail_unless (exited && code == 0, "aes67-relay exited %d", code);
  /* the counter alone is N / 48 = 5000 packets; the last stats line may
   * be up to one interval (500 packets) older than the end */
  check_relay_json (relay_out, N_FRAMES / 48 - 600);
  fail_unless (g_file_get_contents (out_sdp, &sdp_text, NULL, NULL));
  fail_unless (strstr (sdp_text, "s=Relayed\r\n") != NULL, "%s", sdp_text);
  fail_unless (strstr (sdp_text, "c=IN IP4 239.69.8.2/32\r\n") != NULL,
      "%s", sdp_text);
  fail_unless (strstr (sdp_text, "a=rtpmap:96 L24/48000/2\r\n") != NULL,
      "%s", sdp_text);
  g_free (sdp_text);

  gst_object_unref (appsrc);
  gst_object_unref (appsink);
  gst_object_unref (src);
  gst_object_unref (rx);
  gst_object_unref (tx);
  gst_object_unref (r.clock);
  g_array_free (r.latency_ns, TRUE);
  g_free (r.first_error);
  g_free (relay_out);
  cmd = g_strdup_printf ("rm -rf %s", dir);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  g_free (cmd);
  g_free (dir);
  g_free (src_sdp);
  g_free (out_sdp);
  g_free (log);
  g_mutex_clear (&r.lock);
  g_cond_clear (&r.cond);
}

GST_END_TEST;

/* the relay by session name (SAP), output not announced: its JSON lines
 * say what it found and that it relays; its SDP has the default name */
GST_START_TEST (test_relay_by_session_name)
{
  GError *err = NULL;
  gchar *dir = g_dir_make_tmp ("aes67-relay-XXXXXX", &err);
  gchar *out_sdp = g_build_filename (dir, "relay.sdp", NULL);
  gchar *log = g_build_filename (dir, "relay.log", NULL);
  gchar *out = NULL, *sdp_text, *cmd;
  GstElement *tx;
  GPid pid;
  gint code;
  gint64 end;
  gboolean exited;
  const gchar *argv[] = { AES67_RELAY, "--session-name", "Source 2",
    "--in-iface", "eth0", "--address", "239.69.8.4", "--out-iface", "eth0",
    "--no-sap", "--sdp-out", out_sdp, "--stats-interval", "200", NULL
  };

  g_assert_no_error (err);
  tx = gst_parse_launch ("audiotestsrc is-live=true ! "
      "audio/x-raw,rate=48000,channels=2 ! aes67sink address=239.69.8.3 "
      "encoding=L24 multicast-iface=eth0 session-name=\"Source 2\" "
      "sapannounce interval=1 multicast-iface=eth0", &err);
  g_assert_no_error (err);
  fail_unless (aes67_test_net_enter (net, 0));
  fail_unless (gst_element_set_state (tx, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (aes67_test_net_leave ());

  pid = aes67_test_net_spawn (net, 1, argv, log, &err);
  fail_unless (pid > 0, "cannot start %s: %s", AES67_RELAY,
      err ? err->message : "?");
  /* until it reports packets relayed (or 40 s: the discovery takes up to
   * one SAP interval) */
  end = g_get_monotonic_time () + 40 * G_USEC_PER_SEC;
  do {
    g_usleep (100000);
    g_free (out);
    out = example_read_log (log);
  } while (!strstr (out, "\"stream-state\": \"receiving\"") &&
      g_get_monotonic_time () < end);
  kill (pid, SIGTERM);
  exited = example_wait (pid, 30, &code);
  g_free (out);
  out = example_read_log (log);
  g_print ("--- aes67-relay's output:\n%s---\n", out);
  gst_element_set_state (tx, GST_STATE_NULL);
  gst_object_unref (tx);

  fail_unless (exited && code == 0, "aes67-relay exited %d", code);
  fail_unless (g_str_has_prefix (out, "aes67-relay: relaying Source 2 to "
          "239.69.8.4:5004 as \"Source 2 (relay)\"\n"), "%s", out);
  fail_unless (strstr (out, "{\"event\": \"sap-session\", ") != NULL);
  fail_unless (strstr (out, "\"action\": \"found\", \"session-name\": "
          "\"Source 2\"") != NULL);
  fail_unless (strstr (out, "\"stream-state\": \"receiving\"") != NULL,
      "the relay never received");
  fail_unless (strstr (out, "\"address\": \"239.69.8.3\"") != NULL);
  check_relay_json (out, 1);
  fail_unless (g_file_get_contents (out_sdp, &sdp_text, NULL, NULL));
  fail_unless (strstr (sdp_text, "s=Source 2 (relay)\r\n") != NULL, "%s",
      sdp_text);
  fail_unless (strstr (sdp_text, "c=IN IP4 239.69.8.4/32\r\n") != NULL,
      "%s", sdp_text);
  g_free (sdp_text);
  g_free (out);
  cmd = g_strdup_printf ("rm -rf %s", dir);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  g_free (cmd);
  g_free (dir);
  g_free (out_sdp);
  g_free (log);
}

GST_END_TEST;

static Suite *
relay_suite (void)
{
  Suite *s = suite_create ("aes67-relay");
  TCase *tc = tcase_create ("example");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 200);
  tcase_add_test (tc, test_relay_bit_exact);
  tcase_add_test (tc, test_relay_by_session_name);
  return s;
}

int
main (int argc, char **argv)
{
  int ret;

  gst_check_init (&argc, &argv);
  net = aes67_test_net_new_or_skip ("rl", 3,
      "the aes67-relay example between network namespaces");
  g_setenv ("CK_FORK", "no", TRUE);
  ret = gst_check_run_suite (relay_suite (), "aes67-relay", __FILE__);
  aes67_test_net_free (net);
  return ret;
}
