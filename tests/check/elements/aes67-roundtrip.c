/* gst-aes67 tests: round trips through aes67sink and aes67src
 * SPDX-License-Identifier: LGPL-2.1-or-later
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

GBytes *
roundtrip_make_audio (gsize n, guint32 seed)
{
  guint8 *d = g_malloc (n);
  guint32 x = seed ? seed : 1;
  gsize i;

  /* xorshift32: every byte value, no silence a receiver could fake */
  for (i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    d[i] = (guint8) (x >> 11);
  }
  return g_bytes_new_take (d, n);
}

guint
roundtrip_formats (RoundTripFormat * out)
{
  static const gchar *enc[] = { "L16", "L24" };
  static const guint chans[] = { 1, 2, 8 };
  static const guint rates[] = { 48000, 96000 };
  static const guint ptimes[] = { 125, 1000 };
  guint e, c, r, p, n = 0;

  for (e = 0; e < 2; e++)
    for (c = 0; c < 3; c++)
      for (r = 0; r < 2; r++)
        for (p = 0; p < 2; p++) {
          /* 8 ch at 96 kHz in 1 ms: 96 x 8 x 2 or 3 bytes + 40 > 1500 */
          if (chans[c] * (e ? 3 : 2) * rates[r] * ptimes[p] / 1000000 + 40
              > 1500)
            continue;
          out[n].encoding = enc[e];
          out[n].rate = rates[r];
          out[n].channels = chans[c];
          out[n].ptime_us = ptimes[p];
          n++;
        }
  return n;
}

guint
roundtrip_free_port (void)
{
  GSocket *s;
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *sa = g_inet_socket_address_new (lo, 0), *bound;
  guint port = 0;
  gint tries;

  for (tries = 0; tries < 50 && (port == 0 || port % 2); tries++) {
    s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
        G_SOCKET_PROTOCOL_UDP, NULL);
    g_socket_bind (s, sa, FALSE, NULL);
    bound = g_socket_get_local_address (s, NULL);
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
    g_object_unref (bound);
    g_object_unref (s);
  }
  g_object_unref (sa);
  g_object_unref (lo);
  return port;
}

GstMessage *
roundtrip_wait_element_message (GstBus * bus, const gchar * name,
    guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_get_monotonic_time () < end) {
    GstMessage *m = gst_bus_timed_pop (bus, 20 * GST_MSECOND);

    if (!m)
      continue;
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
      GError *err = NULL;
      gchar *dbg = NULL;
      gst_message_parse_error (m, &err, &dbg);
      fail ("error from %s while waiting for %s: %s (%s)",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (m)), name, err->message,
          GST_STR_NULL (dbg));
    }
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT
        && gst_structure_has_name (gst_message_get_structure (m), name))
      return m;
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS && !strcmp (name, "eos"))
      return m;
    gst_message_unref (m);
  }
  return NULL;
}

typedef struct
{
  GMutex lock;
  GByteArray *data;
} Collector;

static GstFlowReturn
on_sample (GstAppSink * sink, gpointer user_data)
{
  Collector *c = user_data;
  GstSample *s = gst_app_sink_pull_sample (sink);
  GstBuffer *b = gst_sample_get_buffer (s);
  GstMapInfo map;

  if (b && !GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_GAP)
      && gst_buffer_map (b, &map, GST_MAP_READ)) {
    g_mutex_lock (&c->lock);
    g_byte_array_append (c->data, map.data, map.size);
    g_mutex_unlock (&c->lock);
    gst_buffer_unmap (b, &map);
  }
  gst_sample_unref (s);
  return GST_FLOW_OK;
}

static void
check_no_error (GstBus * bus, const gchar * who)
{
  GstMessage *m;

  while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR))) {
    GError *err = NULL;
    gchar *dbg = NULL;
    gst_message_parse_error (m, &err, &dbg);
    fail ("%s: error from %s: %s (%s)", who,
        GST_OBJECT_NAME (GST_MESSAGE_SRC (m)), err->message,
        GST_STR_NULL (dbg));
  }
}

static void
set_state_in (Aes67TestNet * net, guint host, GstElement * e, GstState state)
{
  if (net)
    fail_unless (aes67_test_net_enter (net, host));
  gst_element_set_state (e, state);
  if (net)
    fail_unless (aes67_test_net_leave ());
}

void
roundtrip_run (const RoundTrip * rt, RoundTripResult * res)
{
  GstElement *tx, *rx, *appsrc, *sink, *src, *appsink;
  GstBus *txbus, *rxbus;
  GstCaps *caps;
  gboolean l16 = !strcmp (rt->encoding, "L16");
  guint bpf = rt->channels * (l16 ? 2 : 3);
  gsize n = (gsize) rt->frames * bpf, off, chunk;
  GstClockTime ts = 0;
  const guint8 *in;
  Collector col;
  GstMessage *m;
  guint64 frames_done = 0;
  gint64 end;
  gsize want;

  memset (res, 0, sizeof (*res));
  res->match_offset = (gsize) - 1;
  res->sent = roundtrip_make_audio (n, rt->rate ^ (rt->channels << 8) ^
      rt->ptime_us);
  in = g_bytes_get_data (res->sent, NULL);

  /* sender: appsrc (all data queued, not live: paced in real time by
   * aes67sink) ! aes67sink */
  tx = gst_pipeline_new ("tx");
  appsrc = gst_element_factory_make ("appsrc", NULL);
  sink = gst_element_factory_make ("aes67sink", NULL);
  fail_unless (appsrc && sink);
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING,
      l16 ? "S16BE" : "S24BE", "rate", G_TYPE_INT, rt->rate, "channels",
      G_TYPE_INT, rt->channels, "layout", G_TYPE_STRING, "interleaved",
      "channel-mask", GST_TYPE_BITMASK, (guint64) 0, NULL);
  g_object_set (appsrc, "caps", caps, "format", GST_FORMAT_TIME,
      "max-bytes", (guint64) 0, NULL);
  gst_caps_unref (caps);
  g_object_set (sink, "address", rt->address, "port", rt->port, "ptime",
      rt->ptime_us, "encoding", l16 ? 1 : 2, "loop", TRUE,
      "multicast-iface", rt->iface, "session-name", "roundtrip", NULL);
  gst_bin_add_many (GST_BIN (tx), appsrc, sink, NULL);
  fail_unless (gst_element_link (appsrc, sink));
  /* odd-sized chunks: packets never line up with buffers */
  for (off = 0; off < n; off += chunk) {
    guint64 f;
    GstBuffer *b;

    chunk = MIN (n - off, (gsize) 441 * bpf);
    b = gst_buffer_new_memdup (in + off, chunk);
    f = frames_done + chunk / bpf;
    GST_BUFFER_PTS (b) = ts;
    GST_BUFFER_DURATION (b) = gst_util_uint64_scale_int (f, GST_SECOND,
        rt->rate) - ts;
    ts += GST_BUFFER_DURATION (b);
    frames_done = f;
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (appsrc), b),
        GST_FLOW_OK);
  }
  gst_app_src_end_of_stream (GST_APP_SRC (appsrc));

  set_state_in (rt->net, rt->tx_host, tx, GST_STATE_PAUSED);
  fail_unless_equals_int (gst_element_get_state (tx, NULL, NULL,
          5 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  g_object_get (sink, "sdp", &res->sdp, NULL);
  fail_unless (res->sdp != NULL, "no SDP after preroll");

  /* receiver: aes67src sdp=<the sender's> ! appsink */
  rx = gst_pipeline_new ("rx");
  src = gst_element_factory_make ("aes67src", NULL);
  appsink = gst_element_factory_make ("appsink", NULL);
  /* bit-exactness, not latency, is tested here: a link offset that leaves
   * room for a slow (sanitizer) build on a busy machine */
  g_object_set (src, "sdp", res->sdp, "multicast-iface", rt->iface,
      "latency", 100, "buffer-size", 1 << 20, NULL);
  g_object_set (appsink, "sync", FALSE, "emit-signals", TRUE, NULL);
  g_mutex_init (&col.lock);
  col.data = g_byte_array_new ();
  g_signal_connect (appsink, "new-sample", G_CALLBACK (on_sample), &col);
  gst_bin_add_many (GST_BIN (rx), src, appsink, NULL);
  fail_unless (gst_element_link (src, appsink));
  /* udpsrc binds its socket (and joins the group) going from NULL to
   * READY, inside this call: no wait needed before the sender starts */
  set_state_in (rt->net, rt->rx_host, rx, GST_STATE_PLAYING);
  fail_unless (GST_STATE (rx) >= GST_STATE_READY);

  txbus = gst_element_get_bus (tx);
  rxbus = gst_element_get_bus (rx);
  set_state_in (rt->net, rt->tx_host, tx, GST_STATE_PLAYING);
  m = roundtrip_wait_element_message (txbus, "eos",
      2000 + rt->frames * 1000 / rt->rate * 2);
  fail_unless (m != NULL, "sender did not finish");
  gst_message_unref (m);

  /* the sender has sent every packet by its EOS; the receiver plays them
   * out 100 ms later: wait until the payload of every packet sent is out
   * (a generous deadline for a slow build on a busy machine) */
  {
    GstStructure *st = NULL;
    guint64 sent = 0;

    g_object_get (sink, "stats", &st, NULL);
    fail_unless (st != NULL);
    gst_structure_get_uint64 (st, "packets-sent", &sent);
    gst_structure_free (st);
    want = (gsize) sent *((gsize) rt->ptime_us * rt->rate / 1000000) * bpf;
  }
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end) {
    gsize have;
    g_mutex_lock (&col.lock);
    have = col.data->len;
    g_mutex_unlock (&col.lock);
    if (have >= want)
      break;
    g_usleep (10000);
  }
  check_no_error (txbus, "sender");
  check_no_error (rxbus, "receiver");
  g_object_get (src, "stats", &res->rx_stats, NULL);
  g_object_get (sink, "stats", &res->tx_stats, NULL);

  set_state_in (rt->net, rt->tx_host, tx, GST_STATE_NULL);
  set_state_in (rt->net, rt->rx_host, rx, GST_STATE_NULL);
  gst_object_unref (txbus);
  gst_object_unref (rxbus);
  gst_object_unref (tx);
  gst_object_unref (rx);

  res->received = g_byte_array_free_to_bytes (col.data);
  g_mutex_clear (&col.lock);

  /* where does the sent audio start in what came out? */
  {
    gsize rlen;
    const guint8 *r = g_bytes_get_data (res->received, &rlen);
    const guint8 *hit = NULL;

    if (rlen >= n)
      hit = memmem (r, rlen, in, MIN (n, 64));
    if (hit && (gsize) (hit - r) + n <= rlen && memcmp (hit, in, n) == 0)
      res->match_offset = hit - r;
    else if (hit) {
      gsize k;
      for (k = 0; k < n && (gsize) (hit - r) + k < rlen; k++)
        if (hit[k] != in[k])
          break;
      GST_WARNING ("first 64 bytes at %" G_GSIZE_FORMAT ", first difference "
          "at byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT, (gsize) (hit - r),
          k, n);
    } else {
      GST_WARNING ("first 64 bytes not found in %" G_GSIZE_FORMAT, rlen);
    }
  }
}

void
roundtrip_result_clear (RoundTripResult * res)
{
  g_clear_pointer (&res->sent, g_bytes_unref);
  g_clear_pointer (&res->received, g_bytes_unref);
  g_clear_pointer (&res->sdp, g_free);
  g_clear_pointer (&res->rx_stats, gst_structure_free);
  g_clear_pointer (&res->tx_stats, gst_structure_free);
}

/* media-clock playout checks, see aes67-roundtrip.h */

GstFlowReturn
playout_sample (GstAppSink * sink, gpointer user_data)
{
  Playout *p = user_data;
  GstSample *s = gst_app_sink_pull_sample (sink);
  GstBuffer *b = gst_sample_get_buffer (s);
  GstMapInfo map;

  if (!GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_GAP)
      && gst_buffer_map (b, &map, GST_MAP_READ) && map.size >= 2) {
    /* the sample counts its index since the sender started, mod 2^16 */
    guint16 v = GST_READ_UINT16_BE (map.data);
    GstClockTime t = GST_BUFFER_PTS (b) + gst_element_get_base_time (p->pipe);
    /* the capture clock time of sample index i: tx_base + first + i / rate;
     * i is the one with i mod 2^16 = v nearest to t */
    gint64 rel = (gint64) t - (gint64) (p->tx_base + p->first_pts);
    gint64 approx = rel * 48000 / (gint64) GST_SECOND;
    gint64 i = approx - (gint64) (gint16) ((guint16) approx - v);
    gint64 cap = (gint64) (p->tx_base + p->first_pts) +
        (gint64) gst_util_uint64_scale (i, GST_SECOND, 48000);
    gint64 err = ABS ((gint64) t - cap);

    g_mutex_lock (&p->lock);
    p->n++;
    if (err > p->worst_ns)
      p->worst_ns = err;
    g_mutex_unlock (&p->lock);
    gst_buffer_unmap (b, &map);
  }
  gst_sample_unref (s);
  return GST_FLOW_OK;
}

void
count_need_data (GstAppSrc * src, guint length, gpointer user_data)
{
  guint64 *next = user_data;
  GstBuffer *b = gst_buffer_new_allocate (NULL, 480 * 2, NULL);
  GstMapInfo map;
  guint k;

  gst_buffer_map (b, &map, GST_MAP_WRITE);
  for (k = 0; k < 480; k++)
    GST_WRITE_UINT16_BE (map.data + 2 * k, (guint16) (*next + k));
  gst_buffer_unmap (b, &map);
  GST_BUFFER_PTS (b) = gst_util_uint64_scale (*next, GST_SECOND, 48000);
  GST_BUFFER_DURATION (b) = gst_util_uint64_scale (*next + 480, GST_SECOND,
      48000) - GST_BUFFER_PTS (b);
  *next += 480;
  gst_app_src_push_buffer (src, b);
}

GstSample *
roundtrip_pull_stream_sample (GstElement * appsink, GstClockTime timeout)
{
  gint64 end = g_get_monotonic_time () + timeout / GST_USECOND;
  GstSample *s;

  while (g_get_monotonic_time () < end
      && (s = gst_app_sink_try_pull_sample (GST_APP_SINK (appsink),
              100 * GST_MSECOND))) {
    if (!GST_BUFFER_FLAG_IS_SET (gst_sample_get_buffer (s),
            GST_BUFFER_FLAG_GAP))
      return s;
    gst_sample_unref (s);
  }
  return NULL;
}

void
roundtrip_pull_stream (GstElement * appsink, GByteArray * out, gsize bytes,
    GstClockTime quiet, GstCaps ** caps)
{
  GstSample *s;

  while (out->len < bytes
      && (s = roundtrip_pull_stream_sample (appsink, quiet))) {
    GstMapInfo map;
    GstBuffer *b = gst_sample_get_buffer (s);

    if (caps && !*caps)
      *caps = gst_caps_ref (gst_sample_get_caps (s));
    gst_buffer_map (b, &map, GST_MAP_READ);
    g_byte_array_append (out, map.data, map.size);
    gst_buffer_unmap (b, &map);
    gst_sample_unref (s);
  }
}
