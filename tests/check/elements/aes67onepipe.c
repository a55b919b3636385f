/* gst-aes67: sending and receiving in ONE pipeline (intercom, talkback,
 * test rig): aes67sink and aes67src as independent chains of one pipeline
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A live pipeline sets none of its prerolling sinks to PLAYING before all
 * have prerolled; the sink after aes67src used to preroll only with the
 * first packet, which aes67sink in the same pipeline sends only in
 * PLAYING: nothing moved, the pipeline stayed in PAUSED. These tests check
 * that the pipeline reaches PLAYING, that its latency is configured, and
 * that the audio arrives bit-exact, in one direction and in both (two
 * senders, two receivers), on loopback unicast and multicast on lo.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
#include <gst/base/gstbasesink.h>
#include <string.h>

#include "aes67-roundtrip.h"

/* receiver link offset: bit-exactness, not latency, is tested here */
#define LINK_OFFSET_MS 200
/* audio to check per receiver: 1 s at 48 kHz */
#define CHECK_FRAMES 48000

/* the sender's audio: L16 mono 48 kHz, sample n carries (n + seed) mod
 * 2^16, PTS n / 48000 s */
typedef struct
{
  guint64 next;
  guint16 seed;
} Counter;

static void
counter_need_data (GstAppSrc * src, guint length, gpointer user_data)
{
  Counter *c = user_data;
  GstBuffer *b = gst_buffer_new_allocate (NULL, 480 * 2, NULL);
  GstMapInfo map;
  guint k;

  gst_buffer_map (b, &map, GST_MAP_WRITE);
  for (k = 0; k < 480; k++)
    GST_WRITE_UINT16_BE (map.data + 2 * k, (guint16) (c->next + k + c->seed));
  gst_buffer_unmap (b, &map);
  GST_BUFFER_PTS (b) = gst_util_uint64_scale (c->next, GST_SECOND, 48000);
  GST_BUFFER_DURATION (b) = gst_util_uint64_scale (c->next + 480, GST_SECOND,
      48000) - GST_BUFFER_PTS (b);
  c->next += 480;
  gst_app_src_push_buffer (src, b);
}

/* what a receiver's appsink got: the samples of all non-GAP buffers */
typedef struct
{
  GMutex lock;
  GArray *samples;              /* guint16 */
} Received;

static GstFlowReturn
received_sample (GstAppSink * sink, gpointer user_data)
{
  Received *r = user_data;
  GstSample *s = gst_app_sink_pull_sample (sink);
  GstBuffer *b = gst_sample_get_buffer (s);
  GstMapInfo map;

  if (b && !GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_GAP)
      && gst_buffer_map (b, &map, GST_MAP_READ)) {
    gsize i;

    g_mutex_lock (&r->lock);
    for (i = 0; i + 1 < map.size; i += 2) {
      guint16 v = GST_READ_UINT16_BE (map.data + i);
      g_array_append_val (r->samples, v);
    }
    g_mutex_unlock (&r->lock);
    gst_buffer_unmap (b, &map);
  }
  gst_sample_unref (s);
  return GST_FLOW_OK;
}

static guint
received_count (Received * r)
{
  guint n;

  g_mutex_lock (&r->lock);
  n = r->samples->len;
  g_mutex_unlock (&r->lock);
  return n;
}

/* The received audio is the sender's count, bit-exact: before it only
 * the sender's lead-in silence (zeros up to its first packet boundary);
 * from the sample that carries @seed on, every sample is the one before
 * plus 1 (mod 2^16): nothing missing, repeated, reordered or changed.
 * At least CHECK_FRAMES samples of it. */
static void
check_count (Received * r, guint16 seed, const gchar * who)
{
  const guint16 *s;
  guint n, i, start;

  g_mutex_lock (&r->lock);
  s = (const guint16 *) r->samples->data;
  n = r->samples->len;
  for (start = 0; start < n && s[start] == 0 && seed != 0; start++);
  fail_unless (start < n, "%s: only silence (%u samples)", who, n);
  fail_unless_equals_int (s[start], seed);
  for (i = start; i < n; i++)
    if (s[i] != (guint16) (seed + (i - start)))
      break;
  fail_unless (i == n, "%s: sample %u of %u is %u, expected %u", who,
      i - start, n - start, s[i], (guint16) (seed + (i - start)));
  fail_unless (n - start >= CHECK_FRAMES, "%s: %u samples", who, n - start);
  g_mutex_unlock (&r->lock);
}

/* One pipeline with @n_links sender -> receiver links: sender k sends its
 * count (seed @seeds[k]) to port @ports[k] of @addrs[k]; receiver k
 * listens there. With 2 links and the ports crossed, this is an intercom
 * between two parties A and B, both ends in one pipeline. */
static void
run_one_pipeline (guint n_links, const gchar * const *addrs,
    const guint16 * seeds, gboolean multicast)
{
  GString *desc = g_string_new (NULL);
  GstElement *pipe;
  GstBus *bus;
  Counter counters[2];
  Received rec[2];
  guint ports[2], k;
  GstState state = GST_STATE_VOID_PENDING;
  GstStateChangeReturn ret;
  GstQuery *q;
  gboolean live;
  GstClockTime min, max;
  GstMessage *m;
  gint64 end;
  GError *err = NULL;

  fail_unless (n_links <= 2);
  for (k = 0; k < n_links; k++) {
    ports[k] = roundtrip_free_port ();
    /* the sender's chain, then the receiver's: independent chains */
    g_string_append_printf (desc, "appsrc name=in%u is-live=true format=time "
        "max-bytes=4800 caps=audio/x-raw,format=S16BE,rate=48000,channels=1,"
        "layout=interleaved ! aes67sink name=tx%u address=%s port=%u %s  ",
        k, k, addrs[k], ports[k], multicast ? "multicast-iface=lo" : "");
    g_string_append_printf (desc, "aes67src name=rx%u address=%s port=%u "
        "encoding-name=L16 rate=48000 channels=1 latency=%u %s ! "
        "appsink name=out%u sync=true emit-signals=true  ", k, addrs[k],
        ports[k], LINK_OFFSET_MS, multicast ? "multicast-iface=lo" : "", k);
  }
  pipe = gst_parse_launch (desc->str, &err);
  fail_unless (pipe != NULL, "%s: %s", desc->str, err ? err->message : "");
  g_string_free (desc, TRUE);

  for (k = 0; k < n_links; k++) {
    gchar name[8];
    GstElement *e;

    counters[k].next = 0;
    counters[k].seed = seeds[k];
    g_mutex_init (&rec[k].lock);
    rec[k].samples = g_array_new (FALSE, FALSE, sizeof (guint16));
    g_snprintf (name, sizeof (name), "in%u", k);
    e = gst_bin_get_by_name (GST_BIN (pipe), name);
    g_signal_connect (e, "need-data", G_CALLBACK (counter_need_data),
        &counters[k]);
    gst_object_unref (e);
    g_snprintf (name, sizeof (name), "out%u", k);
    e = gst_bin_get_by_name (GST_BIN (pipe), name);
    g_signal_connect (e, "new-sample", G_CALLBACK (received_sample), &rec[k]);
    gst_object_unref (e);
  }

  bus = gst_element_get_bus (pipe);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  /* the state change completes: PLAYING, nothing pending (a generous
   * bound: on the old code it never completes) */
  ret = gst_element_get_state (pipe, &state, NULL, 20 * GST_SECOND);
  fail_unless_equals_int (ret, GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (state, GST_STATE_PLAYING);

  /* the pipeline's latency is configured and consistent: live, the
   * receivers' link offset at least, min <= max */
  q = gst_query_new_latency ();
  fail_unless (gst_element_query (pipe, q));
  gst_query_parse_latency (q, &live, &min, &max);
  gst_query_unref (q);
  fail_unless (live);
  fail_unless (min >= LINK_OFFSET_MS * GST_MSECOND, "latency %"
      GST_TIME_FORMAT, GST_TIME_ARGS (min));
  fail_unless (!GST_CLOCK_TIME_IS_VALID (max) || min <= max);

  /* wait (on the condition, with a generous bound) for each receiver's
   * second of counted audio plus the sender's lead-in */
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end) {
    gboolean all = TRUE;

    for (k = 0; k < n_links; k++)
      all &= received_count (&rec[k]) >= CHECK_FRAMES + 480;
    if (all)
      break;
    m = gst_bus_timed_pop_filtered (bus, 20 * GST_MSECOND,
        GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
    if (m) {
      GError *e = NULL;

      if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR)
        gst_message_parse_error (m, &e, NULL);
      else
        gst_message_parse_warning (m, &e, NULL);
      fail ("%s from %s: %s", GST_MESSAGE_TYPE_NAME (m),
          GST_OBJECT_NAME (GST_MESSAGE_SRC (m)), e->message);
    }
  }

  /* every sink runs at the pipeline's latency, as the query gives it now
   * (the receivers' packets included): the appsinks, and the sender
   * inside each aes67sink, whose packets leave at capture + latency */
  q = gst_query_new_latency ();
  fail_unless (gst_element_query (pipe, q));
  gst_query_parse_latency (q, &live, &min, &max);
  gst_query_unref (q);
  fail_unless (!GST_CLOCK_TIME_IS_VALID (max) || min <= max);
  for (k = 0; k < n_links; k++) {
    gchar name[8];
    GstElement *e, *sender;

    g_snprintf (name, sizeof (name), "out%u", k);
    e = gst_bin_get_by_name (GST_BIN (pipe), name);
    GST_INFO ("%s: configured latency %" GST_TIME_FORMAT ", query %"
        GST_TIME_FORMAT, name, GST_TIME_ARGS (gst_base_sink_get_latency
            (GST_BASE_SINK (e))), GST_TIME_ARGS (min));
    fail_unless_equals_uint64 (gst_base_sink_get_latency (GST_BASE_SINK (e)),
        min);
    gst_object_unref (e);
    g_snprintf (name, sizeof (name), "tx%u", k);
    e = gst_bin_get_by_name (GST_BIN (pipe), name);
    sender = gst_bin_get_by_name (GST_BIN (e), "sender");
    fail_unless (GST_IS_BASE_SINK (sender));
    fail_unless_equals_uint64 (gst_base_sink_get_latency (GST_BASE_SINK
            (sender)), min);
    gst_object_unref (sender);
    gst_object_unref (e);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);

  for (k = 0; k < n_links; k++) {
    gchar who[32];

    g_snprintf (who, sizeof (who), "receiver %u", k);
    check_count (&rec[k], seeds[k], who);
    g_array_free (rec[k].samples, TRUE);
    g_mutex_clear (&rec[k].lock);
  }
  gst_object_unref (bus);
  gst_object_unref (pipe);
}

/* A sends to B, in one pipeline, loopback unicast */
GST_START_TEST (test_one_way_unicast)
{
  const gchar *addrs[] = { "127.0.0.1" };
  const guint16 seeds[] = { 1000 };

  run_one_pipeline (1, addrs, seeds, FALSE);
}

GST_END_TEST;

/* A sends to B, in one pipeline, multicast on lo */
GST_START_TEST (test_one_way_multicast)
{
  const gchar *addrs[] = { "239.69.78.1" };
  const guint16 seeds[] = { 2000 };

  run_one_pipeline (1, addrs, seeds, TRUE);
}

GST_END_TEST;

/* An intercom: A -> B and B -> A, two senders and two receivers in one
 * pipeline; each receiver gets its own sender's count */
GST_START_TEST (test_intercom_unicast)
{
  const gchar *addrs[] = { "127.0.0.1", "127.0.0.1" };
  const guint16 seeds[] = { 3000, 40000 };

  run_one_pipeline (2, addrs, seeds, FALSE);
}

GST_END_TEST;

GST_START_TEST (test_intercom_multicast)
{
  const gchar *addrs[] = { "239.69.78.2", "239.69.78.3" };
  const guint16 seeds[] = { 5000, 50000 };

  run_one_pipeline (2, addrs, seeds, TRUE);
}

GST_END_TEST;

/* A receiver whose sender is not on yet does not hold its pipeline: it
 * reaches PLAYING, and the stream plays when it comes */
GST_START_TEST (test_receiver_without_sender)
{
  GstElement *pipe;
  GstState state = GST_STATE_VOID_PENDING;
  gchar *desc;

  desc = g_strdup_printf ("aes67src address=127.0.0.1 port=%u "
      "encoding-name=L24 rate=48000 channels=2 ! appsink sync=true",
      roundtrip_free_port ());
  pipe = gst_parse_launch (desc, NULL);
  g_free (desc);
  fail_unless (pipe != NULL);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  fail_unless_equals_int (gst_element_get_state (pipe, &state, NULL,
          20 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (state, GST_STATE_PLAYING);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (pipe);
}

GST_END_TEST;

static Suite *
aes67onepipe_suite (void)
{
  Suite *s = suite_create ("aes67onepipe");
  TCase *tc = tcase_create ("loopback");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_one_way_unicast);
  tcase_add_test (tc, test_one_way_multicast);
  tcase_add_test (tc, test_intercom_unicast);
  tcase_add_test (tc, test_intercom_multicast);
  tcase_add_test (tc, test_receiver_without_sender);
  return s;
}

GST_CHECK_MAIN (aes67onepipe);
