/* gst-aes67: aes67src session-name=..., finding and following a session
 * announced with SAP, between two hosts (network namespaces)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Host 0 sends (aes67sink) and announces (sapannounce); host 1 receives
 * with aes67src given only the session's name. Needs root (CI runs as
 * root); elsewhere exits 77 (skip) saying why.
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
#include <string.h>

#include "aes67-roundtrip.h"
#include "aes67-testnet.h"
#include "../sap-test-host.h"

static Aes67TestNet *net;

/* A sender of known audio in host 0: appsrc (all of @data queued, paced by
 * aes67sink in real time) ! aes67sink. Returns the pipeline; the sink is
 * named "sink". */
static GstElement *
make_known_sender (GBytes * data, const gchar * enc, guint channels,
    const gchar * name, const gchar * address, guint port, gboolean announce)
{
  gboolean l16 = !strcmp (enc, "L16");
  guint bpf = channels * (l16 ? 2 : 3);
  gsize n, off, chunk;
  const guint8 *in = g_bytes_get_data (data, &n);
  GstElement *tx, *appsrc, *sink;
  GstClockTime ts = 0;
  guint64 frames = 0;
  GstCaps *caps;

  tx = gst_pipeline_new (NULL);
  appsrc = gst_element_factory_make ("appsrc", NULL);
  sink = gst_element_factory_make ("aes67sink", "sink");
  fail_unless (appsrc && sink);
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING,
      l16 ? "S16BE" : "S24BE", "rate", G_TYPE_INT, 48000, "channels",
      G_TYPE_INT, channels, "layout", G_TYPE_STRING, "interleaved",
      "channel-mask", GST_TYPE_BITMASK, (guint64) 0, NULL);
  g_object_set (appsrc, "caps", caps, "format", GST_FORMAT_TIME,
      "max-bytes", (guint64) 0, NULL);
  gst_caps_unref (caps);
  g_object_set (sink, "address", address, "port", port, "encoding",
      l16 ? 1 : 2, "multicast-iface", "eth0", "session-name", name, NULL);
  gst_bin_add_many (GST_BIN (tx), appsrc, sink, NULL);
  fail_unless (gst_element_link (appsrc, sink));
  if (announce) {
    GstElement *sap = gst_element_factory_make ("sapannounce", NULL);
    fail_unless (sap != NULL);
    g_object_set (sap, "interval", 1, "multicast-iface", "eth0", NULL);
    gst_bin_add (GST_BIN (tx), sap);
  }
  for (off = 0; off < n; off += chunk) {
    GstBuffer *b;
    guint64 f;

    chunk = MIN (n - off, (gsize) 480 * bpf);
    b = gst_buffer_new_memdup (in + off, chunk);
    f = frames + chunk / bpf;
    GST_BUFFER_PTS (b) = ts;
    GST_BUFFER_DURATION (b) = gst_util_uint64_scale_int (f, GST_SECOND,
        48000) - ts;
    ts += GST_BUFFER_DURATION (b);
    frames = f;
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (appsrc), b),
        GST_FLOW_OK);
  }
  gst_app_src_end_of_stream (GST_APP_SRC (appsrc));
  return tx;
}

/* What reached the receiver's appsink, by caps. */
typedef struct
{
  GMutex lock;
  GByteArray *data;             /* bytes of buffers with caps `want` */
  GstCaps *want;                /* NULL: all */
  guint n_caps_changes;
  GstCaps *last;
} Collector;

static GstFlowReturn
on_sample (GstAppSink * sink, gpointer user_data)
{
  Collector *c = user_data;
  GstSample *s = gst_app_sink_pull_sample (sink);
  GstBuffer *b = gst_sample_get_buffer (s);
  GstCaps *caps = gst_sample_get_caps (s);
  GstMapInfo map;

  g_mutex_lock (&c->lock);
  if (caps && (!c->last || !gst_caps_is_equal (caps, c->last))) {
    if (c->last)
      c->n_caps_changes++;
    gst_caps_replace (&c->last, caps);
  }
  if (b && !GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_GAP)
      && (!c->want || (caps && gst_caps_can_intersect (caps, c->want)))
      && gst_buffer_map (b, &map, GST_MAP_READ)) {
    g_byte_array_append (c->data, map.data, map.size);
    gst_buffer_unmap (b, &map);
  }
  g_mutex_unlock (&c->lock);
  gst_sample_unref (s);
  return GST_FLOW_OK;
}

static gsize
collected (Collector * c)
{
  gsize n;

  g_mutex_lock (&c->lock);
  n = c->data->len;
  g_mutex_unlock (&c->lock);
  return n;
}

/* The receiver: aes67src session-name=@name ! appsink, not started. */
static GstElement *
make_receiver (const gchar * name, guint discovery_ms, Collector * col,
    GstElement ** src_out)
{
  GstElement *rx = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("aes67src", "src");
  GstElement *appsink = gst_element_factory_make ("appsink", NULL);

  fail_unless (src && appsink);
  g_object_set (src, "session-name", name, "multicast-iface", "eth0",
      "latency", 20, "discovery-timeout", discovery_ms, NULL);
  g_object_set (appsink, "sync", FALSE, "emit-signals", TRUE, NULL);
  g_mutex_init (&col->lock);
  col->data = g_byte_array_new ();
  g_signal_connect (appsink, "new-sample", G_CALLBACK (on_sample), col);
  gst_bin_add_many (GST_BIN (rx), src, appsink, NULL);
  fail_unless (gst_element_link (src, appsink));
  *src_out = src;
  return rx;
}

static void
collector_clear (Collector * c)
{
  g_byte_array_unref (c->data);
  gst_caps_replace (&c->want, NULL);
  gst_caps_replace (&c->last, NULL);
  g_mutex_clear (&c->lock);
}

/* Whether all of @sent is in what was collected, byte for byte */
static gboolean
contains_bit_exact (Collector * c, GBytes * sent)
{
  gsize n;
  const guint8 *in = g_bytes_get_data (sent, &n);
  const guint8 *hit;
  gboolean ok = FALSE;

  g_mutex_lock (&c->lock);
  hit = memmem (c->data->data, c->data->len, in, 64);
  if (hit && (gsize) (hit - c->data->data) + n <= c->data->len)
    ok = memcmp (hit, in, n) == 0;
  g_mutex_unlock (&c->lock);
  return ok;
}

static void
no_error_on (GstBus * bus)
{
  GstMessage *m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

  if (m) {
    GError *err = NULL;
    gst_message_parse_error (m, &err, NULL);
    fail ("error from %s: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (m)),
        err->message);
  }
}

/* aes67sink + sapannounce in host 0, aes67src session-name=... in host 1:
 * found by its name, the audio arrives bit-exact, and a sap-session message
 * says what was found */
GST_START_TEST (test_found_by_name_bit_exact)
{
  GBytes *sent = roundtrip_make_audio (24000 * 6, 0x5eed1);
  GstElement *tx, *rx, *src;
  GstBus *txbus, *rxbus;
  GstMessage *m;
  const GstStructure *st;
  Collector col = { 0 };
  gchar *sdp = NULL;
  gint port = 0, channels = 0;
  gint64 t0, end;

  tx = make_known_sender (sent, "L24", 2, "Disc One", "239.69.20.1", 5010,
      TRUE);
  sap_test_set_state_in (net, 0, tx, GST_STATE_PAUSED);
  fail_unless_equals_int (gst_element_get_state (tx, NULL, NULL,
          5 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  {
    GstElement *sink = gst_bin_get_by_name (GST_BIN (tx), "sink");
    g_object_get (sink, "sdp", &sdp, NULL);
    gst_object_unref (sink);
  }
  fail_unless (sdp != NULL);

  rx = make_receiver ("Disc One", 5000, &col, &src);
  rxbus = gst_element_get_bus (rx);
  t0 = g_get_monotonic_time ();
  /* found within the discovery timeout, or the state change fails; how
   * fast is a figure, not a check (sapannounce announces on reaching
   * PAUSED, then every second) */
  sap_test_set_state_in (net, 1, rx, GST_STATE_PLAYING);
  fail_unless (GST_STATE (rx) >= GST_STATE_READY);
  g_print ("found the session by name in %" G_GINT64_FORMAT " ms\n",
      (g_get_monotonic_time () - t0) / 1000);
  m = gst_bus_pop_filtered (rxbus, GST_MESSAGE_ELEMENT);
  while (m && !gst_structure_has_name (gst_message_get_structure (m),
          "sap-session")) {
    gst_message_unref (m);
    m = gst_bus_pop_filtered (rxbus, GST_MESSAGE_ELEMENT);
  }
  fail_unless (m != NULL, "no sap-session message");
  st = gst_message_get_structure (m);
  fail_unless_equals_string (gst_structure_get_string (st, "action"), "found");
  fail_unless_equals_string (gst_structure_get_string (st, "session-name"),
      "Disc One");
  fail_unless_equals_string (gst_structure_get_string (st, "sdp"), sdp);
  fail_unless_equals_string (gst_structure_get_string (st, "origin"),
      net->hosts[0].addr);
  fail_unless_equals_string (gst_structure_get_string (st, "address"),
      "239.69.20.1");
  fail_unless (gst_structure_get_int (st, "port", &port));
  fail_unless_equals_int (port, 5010);
  fail_unless (gst_structure_get_int (st, "channels", &channels));
  fail_unless_equals_int (channels, 2);
  gst_message_unref (m);
  /* the receiving socket was bound and the group joined inside the state
   * change: the sender may start at once */

  txbus = gst_element_get_bus (tx);
  sap_test_set_state_in (net, 0, tx, GST_STATE_PLAYING);
  m = roundtrip_wait_element_message (txbus, "eos", 20000);
  fail_unless (m != NULL, "the sender did not finish");
  gst_message_unref (m);
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end && !contains_bit_exact (&col, sent))
    g_usleep (20000);
  fail_unless (contains_bit_exact (&col, sent), "%" G_GSIZE_FORMAT " bytes "
      "sent are not all in the %" G_GSIZE_FORMAT " received",
      g_bytes_get_size (sent), collected (&col));
  no_error_on (txbus);
  no_error_on (rxbus);

  sap_test_set_state_in (net, 0, tx, GST_STATE_NULL);
  sap_test_set_state_in (net, 1, rx, GST_STATE_NULL);
  gst_object_unref (txbus);
  gst_object_unref (rxbus);
  gst_object_unref (tx);
  gst_object_unref (rx);
  collector_clear (&col);
  g_bytes_unref (sent);
  g_free (sdp);
}

GST_END_TEST;

/* A name nobody announces: NULL->READY fails after discovery-timeout with
 * an error naming the session and the time */
GST_START_TEST (test_discovery_timeout)
{
  GstElement *rx, *src;
  Collector col = { 0 };
  GstBus *bus;
  GstMessage *m;
  GError *err = NULL;
  gint64 t0, took;

  rx = make_receiver ("Nobody Announces This", 1500, &col, &src);
  bus = gst_element_get_bus (rx);
  t0 = g_get_monotonic_time ();
  fail_unless (aes67_test_net_enter (net, 1));
  fail_unless_equals_int (gst_element_set_state (rx, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  fail_unless (aes67_test_net_leave ());
  took = (g_get_monotonic_time () - t0) / 1000;
  /* not before the 1.5 s, and the property's 1.5 s, not the default 10 s
   * (3 s of room for a loaded machine) */
  fail_unless (took >= 1500 && took < 4500, "failed after %" G_GINT64_FORMAT
      " ms", took);
  m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (m != NULL, "no error message");
  gst_message_parse_error (m, &err, NULL);
  GST_INFO ("error: %s", err->message);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NOT_FOUND), "%s", err->message);
  fail_unless (strstr (err->message, "'Nobody Announces This'") != NULL,
      "%s", err->message);
  fail_unless (strstr (err->message, "within 1.500 s") != NULL, "%s",
      err->message);
  fail_unless (strstr (err->message, "eth0") != NULL, "%s", err->message);
  g_clear_error (&err);
  gst_message_unref (m);

  gst_element_set_state (rx, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (rx);
  collector_clear (&col);
}

GST_END_TEST;

/* Waits up to @ms for a sap-session message with @action on @bus (fails on
 * an error); returns it */
static GstMessage *
wait_sap_session (GstBus * bus, const gchar * action, guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end) {
    GstMessage *m = roundtrip_wait_element_message (bus, "sap-session", 50);
    if (m && !g_strcmp0 (gst_structure_get_string (gst_message_get_structure
                (m), "action"), action))
      return m;
    if (m)
      gst_message_unref (m);
  }
  return NULL;
}

/* The session changes while playing: the sender restarted on another
 * group and port, as L16 mono instead of L24 stereo (same name and o=
 * session id, new version), and sapannounce re-announces. aes67src follows
 * without an error: a sap-session "changed" message, new caps downstream,
 * the new sender's audio bit-exact. */
GST_START_TEST (test_session_changes)
{
  GBytes *sent_b = roundtrip_make_audio (24000 * 2, 0xb0b);
  GstElement *tx_a, *tx_b, *ann, *rx, *src;
  GstBus *rxbus, *bbus;
  GstMessage *m;
  const GstStructure *st;
  Collector col = { 0 };
  gchar *sdp_a = NULL, *sdp_b = NULL;
  gboolean restarted = FALSE;
  gint port = 0, channels = 0;
  gint64 end;

  tx_a =
      sap_test_start_live_sender (net, 0, "Moving", "239.69.20.2", 5012,
      &sdp_a);
  ann = sap_test_make_announcer (sdp_a, 1);
  sap_test_set_state_in (net, 0, ann, GST_STATE_PLAYING);

  rx = make_receiver ("Moving", 5000, &col, &src);
  col.want = gst_caps_from_string ("audio/x-raw,format=S16BE,channels=1");
  rxbus = gst_element_get_bus (rx);
  sap_test_set_state_in (net, 1, rx, GST_STATE_PLAYING);
  fail_unless (gst_element_get_state (rx, NULL, NULL, 5 * GST_SECOND) !=
      GST_STATE_CHANGE_FAILURE);
  m = roundtrip_wait_element_message (rxbus, "aes67-stats", 10000);
  fail_unless (m != NULL);
  gst_message_unref (m);
  /* audio from A: S24BE stereo */
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end) {
    gboolean have;
    g_mutex_lock (&col.lock);
    have = col.last != NULL;
    g_mutex_unlock (&col.lock);
    if (have)
      break;
    g_usleep (10000);
  }
  g_mutex_lock (&col.lock);
  fail_unless (col.last != NULL, "no audio from the first sender");
  {
    GstStructure *cs = gst_caps_get_structure (col.last, 0);
    fail_unless_equals_string (gst_structure_get_string (cs, "format"),
        "S24BE");
  }
  fail_unless_equals_int (col.data->len, 0);
  g_mutex_unlock (&col.lock);

  /* B: the session's new version, prerolled (its SDP known), not sending */
  tx_b = make_known_sender (sent_b, "L16", 1, "Moving", "239.69.20.3", 5014,
      FALSE);
  sap_test_set_state_in (net, 0, tx_b, GST_STATE_PAUSED);
  fail_unless_equals_int (gst_element_get_state (tx_b, NULL, NULL,
          5 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  {
    GstElement *sink = gst_bin_get_by_name (GST_BIN (tx_b), "sink");
    g_object_get (sink, "sdp", &sdp_b, NULL);
    gst_object_unref (sink);
  }
  fail_unless (sdp_b != NULL);
  /* the same session (o= identity), another version */
  {
    gchar *o_a = g_strndup (strstr (sdp_a, "o="), strcspn (strstr (sdp_a,
                "o="), "\r\n"));
    gchar *o_b = g_strndup (strstr (sdp_b, "o="), strcspn (strstr (sdp_b,
                "o="), "\r\n"));
    gchar **fa = g_strsplit (o_a, " ", -1), **fb = g_strsplit (o_b, " ", -1);
    fail_unless_equals_string (fa[1], fb[1]);
    fail_unless (strcmp (fa[2], fb[2]) != 0, "%s / %s", o_a, o_b);
    g_strfreev (fa);
    g_strfreev (fb);
    g_free (o_a);
    g_free (o_b);
  }
  sap_test_set_state_in (net, 0, tx_a, GST_STATE_NULL);
  g_object_set (ann, "sdp", sdp_b, NULL);

  m = wait_sap_session (rxbus, "changed", 10000);
  fail_unless (m != NULL, "no sap-session 'changed' within 10 s");
  st = gst_message_get_structure (m);
  fail_unless_equals_string (gst_structure_get_string (st, "sdp"), sdp_b);
  fail_unless (gst_structure_get_boolean (st, "restarted", &restarted));
  fail_unless (restarted);
  fail_unless (gst_structure_get_int (st, "port", &port));
  fail_unless_equals_int (port, 5014);
  fail_unless (gst_structure_get_int (st, "channels", &channels));
  fail_unless_equals_int (channels, 1);
  fail_unless_equals_string (gst_structure_get_string (st, "encoding-name"),
      "L16");
  gst_message_unref (m);
  fail_unless_equals_int (GST_STATE (rx), GST_STATE_PLAYING);

  bbus = gst_element_get_bus (tx_b);
  sap_test_set_state_in (net, 0, tx_b, GST_STATE_PLAYING);
  m = roundtrip_wait_element_message (bbus, "eos", 20000);
  fail_unless (m != NULL, "the second sender did not finish");
  gst_message_unref (m);
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end && !contains_bit_exact (&col, sent_b))
    g_usleep (20000);
  fail_unless (contains_bit_exact (&col, sent_b), "the new sender's %"
      G_GSIZE_FORMAT " bytes are not all in the %" G_GSIZE_FORMAT
      " received as S16BE mono", g_bytes_get_size (sent_b), collected (&col));
  g_mutex_lock (&col.lock);
  fail_unless_equals_int (col.n_caps_changes, 1);
  g_mutex_unlock (&col.lock);
  no_error_on (rxbus);
  fail_unless_equals_int (GST_STATE (rx), GST_STATE_PLAYING);

  sap_test_set_state_in (net, 0, ann, GST_STATE_NULL);
  sap_test_set_state_in (net, 0, tx_b, GST_STATE_NULL);
  sap_test_set_state_in (net, 1, rx, GST_STATE_NULL);
  gst_object_unref (bbus);
  gst_object_unref (rxbus);
  gst_object_unref (tx_a);
  gst_object_unref (tx_b);
  gst_object_unref (ann);
  gst_object_unref (rx);
  collector_clear (&col);
  g_bytes_unref (sent_b);
  g_free (sdp_a);
  g_free (sdp_b);
}

GST_END_TEST;

/* Waits up to 20 s until more than @bytes were collected; returns what was */
static gsize
wait_collected (Collector * col, gsize bytes)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (collected (col) <= bytes && g_get_monotonic_time () < end)
    g_usleep (10000);
  return collected (col);
}

/* packets the aes67sink named "sink" in @tx has sent */
static guint64
tx_sent (GstElement * tx)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (tx), "sink");
  GstStructure *s = NULL;
  guint64 v = 0;

  g_object_get (sink, "stats", &s, NULL);
  gst_structure_get_uint64 (s, "packets-sent", &v);
  gst_structure_free (s);
  gst_object_unref (sink);
  return v;
}

static guint64
rx_received (GstElement * src)
{
  GstStructure *s = NULL;
  guint64 v = 0;

  g_object_get (src, "stats", &s, NULL);
  gst_structure_get_uint64 (s, "packets-received", &v);
  gst_structure_free (s);
  return v;
}

/* A live sender (sap_test_start_live_sender) announced every second by
 * sapannounce in host 0, and aes67src session-name=@name (make_receiver,
 * 5 s discovery) in host 1, not started; with @sending FALSE the sender
 * stops before the announcer starts (the SDP names a group nobody sends
 * to) */
typedef struct
{
  GstElement *tx, *ann, *rx, *src;
  GstBus *rxbus;
  Collector col;
  gchar *sdp;
} Announced;

static void
announced_start (Announced * a, const gchar * name, const gchar * address,
    guint port, gboolean sending)
{
  memset (a, 0, sizeof (*a));
  a->tx = sap_test_start_live_sender (net, 0, name, address, port, &a->sdp);
  if (!sending)
    sap_test_set_state_in (net, 0, a->tx, GST_STATE_NULL);
  a->ann = sap_test_make_announcer (a->sdp, 1);
  sap_test_set_state_in (net, 0, a->ann, GST_STATE_PLAYING);
  a->rx = make_receiver (name, 5000, &a->col, &a->src);
  a->rxbus = gst_element_get_bus (a->rx);
}

static void
announced_stop (Announced * a)
{
  sap_test_set_state_in (net, 0, a->ann, GST_STATE_NULL);
  sap_test_set_state_in (net, 0, a->tx, GST_STATE_NULL);
  sap_test_set_state_in (net, 1, a->rx, GST_STATE_NULL);
  gst_object_unref (a->rxbus);
  gst_object_unref (a->tx);
  gst_object_unref (a->ann);
  gst_object_unref (a->rx);
  collector_clear (&a->col);
  g_free (a->sdp);
}

/* Waits up to 20 s until the sender of @tx has sent @n more packets */
static void
wait_tx_sends (GstElement * tx, guint64 n)
{
  guint64 s0 = tx_sent (tx);
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (tx_sent (tx) < s0 + n && g_get_monotonic_time () < end)
    g_usleep (20000);
  fail_unless (tx_sent (tx) >= s0 + n, "the sender stopped sending");
}

/* The session is deleted (sapannounce stops) while the sender goes on:
 * stream-lost with reason "deleted", the pipeline stays PLAYING and stops
 * listening; announced again: stream-restored and audio again. */
GST_START_TEST (test_session_deleted_and_back)
{
  Announced a;
  GstMessage *m;
  const GstStructure *st;
  guint64 n0, n1;
  gsize bytes;

  announced_start (&a, "Comes And Goes", "239.69.20.4", 5016, TRUE);
  sap_test_set_state_in (net, 1, a.rx, GST_STATE_PLAYING);
  fail_unless (wait_collected (&a.col, 0) > 0, "no audio before the deletion");

  /* deletion */
  sap_test_set_state_in (net, 0, a.ann, GST_STATE_NULL);
  m = roundtrip_wait_element_message (a.rxbus, "stream-lost", 10000);
  fail_unless (m != NULL, "no stream-lost within 10 s of the deletion");
  st = gst_message_get_structure (m);
  fail_unless_equals_string (gst_structure_get_string (st, "reason"),
      "deleted");
  gst_message_unref (m);
  m = wait_sap_session (a.rxbus, "removed", 10000);
  fail_unless (m != NULL, "no sap-session 'removed'");
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (m), "reason"), "deleted");
  gst_message_unref (m);
  fail_unless_equals_int (GST_STATE (a.rx), GST_STATE_PLAYING);
  /* not listening any more (its udpsrc went to NULL before stream-lost
   * was posted): nothing received while the sender sends 500 packets */
  n0 = rx_received (a.src);
  wait_tx_sends (a.tx, 500);
  n1 = rx_received (a.src);
  fail_unless_equals_uint64 (n1, n0);
  /* and no second stream-lost from the packet time-out (1 s): the monitor
   * thread checks the time-out before it posts aes67-stats (every 1 s),
   * so a stream-lost would come before the third aes67-stats, which the
   * monitor posts at least 2 s after the first */
  {
    guint n_stats = 0;

    while (n_stats < 3) {
      m = gst_bus_timed_pop_filtered (a.rxbus, 20 * GST_SECOND,
          GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR);
      fail_unless (m != NULL, "no aes67-stats from the parked receiver");
      fail_if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR, "an error");
      fail_if (gst_structure_has_name (gst_message_get_structure (m),
              "stream-lost"), "a second stream-lost");
      if (gst_structure_has_name (gst_message_get_structure (m), "aes67-stats"))
        n_stats++;
      gst_message_unref (m);
    }
  }

  /* announced again */
  bytes = collected (&a.col);
  sap_test_set_state_in (net, 0, a.ann, GST_STATE_PLAYING);
  m = roundtrip_wait_element_message (a.rxbus, "stream-restored", 10000);
  fail_unless (m != NULL, "no stream-restored within 10 s of the "
      "announcement");
  gst_message_unref (m);
  /* audio again: 150 ms of stereo S24BE at 48 kHz is 43200 bytes */
  fail_unless (wait_collected (&a.col, bytes + 43200) > bytes + 43200,
      "%" G_GSIZE_FORMAT " bytes after the session came back",
      collected (&a.col) - bytes);
  no_error_on (a.rxbus);
  fail_unless_equals_int (GST_STATE (a.rx), GST_STATE_PLAYING);

  announced_stop (&a);
}

GST_END_TEST;

/* The announcements stop reaching the receiver (host 1 drops every SAP
 * packet; nothing is deleted): the browser times the session out after 10
 * of its 1 s intervals, and aes67src reports stream-lost with reason
 * "expired"; when the announcements come through again it follows the
 * session again. */
GST_START_TEST (test_session_expires)
{
  Announced a;
  GstMessage *m;
  gint64 t_drop, took;

  announced_start (&a, "Fades", "239.69.20.5", 5018, TRUE);
  sap_test_set_state_in (net, 1, a.rx, GST_STATE_PLAYING);
  fail_unless (wait_collected (&a.col, 0) > 0, "no audio");
  /* let the browser see a few 1 s intervals (time passing, not a
   * synchronisation: the expiry counts from the last one it saw) */
  g_usleep (3 * G_USEC_PER_SEC);

  fail_unless (aes67_test_net_drop (net, 1, 9875, 1),
      "cannot add an nftables drop rule (is nftables installed?)");
  t_drop = g_get_monotonic_time ();
  m = roundtrip_wait_element_message (a.rxbus, "stream-lost", 20000);
  took = (g_get_monotonic_time () - t_drop) / 1000;
  fail_unless (m != NULL, "no stream-lost within 20 s of the last "
      "announcement");
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (m), "reason"), "expired");
  g_print ("session expired %" G_GINT64_FORMAT " ms after SAP was cut\n", took);
  gst_message_unref (m);
  /* 10 intervals of 1 s after the last announcement (which came up to 1 s
   * before the drop), checked every second: 8..12 s, and 2 s of room for
   * a loaded machine on the late side (a count of 15 or more intervals
   * still fails) */
  fail_unless (took >= 8000 && took <= 14000, "expired after %"
      G_GINT64_FORMAT " ms", took);
  fail_unless_equals_int (GST_STATE (a.rx), GST_STATE_PLAYING);

  fail_unless (aes67_test_net_drop (net, 1, 9875, 0));
  m = roundtrip_wait_element_message (a.rxbus, "stream-restored", 10000);
  fail_unless (m != NULL, "no stream-restored within 10 s of the "
      "announcements coming through again");
  gst_message_unref (m);
  no_error_on (a.rxbus);

  announced_stop (&a);
}

GST_END_TEST;

/* Sends EOS to @rx as gst-launch-1.0 -e does on Ctrl-C and waits up to
 * 5 s for it on @bus (an error fails the test) */
static void
eos_reaches_bus (GstElement * rx, GstBus * bus, const gchar * when)
{
  GstMessage *m;
  gint64 t0 = g_get_monotonic_time ();

  fail_unless (gst_element_send_event (rx, gst_event_new_eos ()));
  m = gst_bus_timed_pop_filtered (bus, 5 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (m != NULL, "no EOS on the bus within 5 s of sending it %s",
      when);
  fail_unless_equals_int (GST_MESSAGE_TYPE (m), GST_MESSAGE_EOS);
  g_print ("EOS %s: on the bus after %.1f ms\n", when,
      (g_get_monotonic_time () - t0) / 1e3);
  gst_message_unref (m);
}

/* Ctrl-C with gst-launch-1.0 -e after the announcer deleted the session:
 * the EOS gets through though aes67src stopped listening; and a session
 * announced again after that is not received any more. */
GST_START_TEST (test_eos_after_deletion)
{
  Announced a;
  GstMessage *m;
  guint64 n0;

  announced_start (&a, "Ends Deleted", "239.69.20.6", 5020, TRUE);
  sap_test_set_state_in (net, 1, a.rx, GST_STATE_PLAYING);
  m = roundtrip_wait_element_message (a.rxbus, "aes67-stats", 10000);
  fail_unless (m != NULL);
  gst_message_unref (m);

  sap_test_set_state_in (net, 0, a.ann, GST_STATE_NULL);
  m = roundtrip_wait_element_message (a.rxbus, "stream-lost", 10000);
  fail_unless (m != NULL, "no stream-lost within 10 s of the deletion");
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (m), "reason"), "deleted");
  gst_message_unref (m);

  eos_reaches_bus (a.rx, a.rxbus, "after the deletion");
  /* announced again after EOS: not received (nothing may follow EOS) */
  n0 = rx_received (a.src);
  sap_test_set_state_in (net, 0, a.ann, GST_STATE_PLAYING);
  /* for 1.5 s of the sender's packets (sapannounce announces at once and
   * every second after) */
  wait_tx_sends (a.tx, 1500);
  fail_unless_equals_uint64 (rx_received (a.src), n0);
  m = gst_bus_pop_filtered (a.rxbus, GST_MESSAGE_ERROR);
  fail_unless (m == NULL, "an error after EOS");

  announced_stop (&a);
}

GST_END_TEST;

/* Ctrl-C while aes67src found the session but no packet came yet (the
 * sender announces and does not send), and after the session's packets
 * stopped (stream-lost "timeout"): EOS reaches the bus both times. */
GST_START_TEST (test_eos_while_waiting)
{
  Announced a;
  GstMessage *m;

  /* an SDP that names a group nobody sends to */
  announced_start (&a, "Never Sends", "239.69.20.7", 5022, FALSE);
  g_object_set (a.src, "timeout", 500, NULL);
  sap_test_set_state_in (net, 1, a.rx, GST_STATE_PLAYING);
  fail_unless (gst_element_get_state (a.rx, NULL, NULL, 5 * GST_SECOND) !=
      GST_STATE_CHANGE_FAILURE);
  m = roundtrip_wait_element_message (a.rxbus, "sap-session", 3000);
  fail_unless (m != NULL);
  gst_message_unref (m);
  eos_reaches_bus (a.rx, a.rxbus, "before any packet");
  sap_test_set_state_in (net, 1, a.rx, GST_STATE_NULL);

  /* packets, then none: lost by the packet time-out, udpsrc still runs */
  sap_test_set_state_in (net, 0, a.tx, GST_STATE_PLAYING);
  sap_test_set_state_in (net, 1, a.rx, GST_STATE_PLAYING);
  {
    gint64 end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
    while (rx_received (a.src) == 0 && g_get_monotonic_time () < end)
      g_usleep (10000);
  }
  fail_unless (rx_received (a.src) > 0, "no packet within 3 s");
  sap_test_set_state_in (net, 0, a.tx, GST_STATE_NULL);
  m = roundtrip_wait_element_message (a.rxbus, "stream-lost", 3000);
  fail_unless (m != NULL, "no stream-lost after the sender stopped");
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (m), "reason"), "timeout");
  gst_message_unref (m);
  eos_reaches_bus (a.rx, a.rxbus, "after a packet time-out");

  announced_stop (&a);
}

GST_END_TEST;

static Suite *
aes67discovery_suite (void)
{
  Suite *s = suite_create ("aes67discovery");
  TCase *tc = tcase_create ("session-name");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_found_by_name_bit_exact);
  tcase_add_test (tc, test_discovery_timeout);
  tcase_add_test (tc, test_session_changes);
  tcase_add_test (tc, test_session_deleted_and_back);
  tcase_add_test (tc, test_session_expires);
  tcase_add_test (tc, test_eos_after_deletion);
  tcase_add_test (tc, test_eos_while_waiting);
  return s;
}

int
main (int argc, char **argv)
{
  int ret;

  gst_check_init (&argc, &argv);
  net =
      aes67_test_net_new_or_skip ("disc", 2,
      "discovery tests between network namespaces");
  /* no forking: the namespaces and this process's threads go together */
  g_setenv ("CK_FORK", "no", TRUE);
  ret = gst_check_run_suite (aes67discovery_suite (), "aes67discovery",
      __FILE__);
  aes67_test_net_free (net);
  return ret;
}
