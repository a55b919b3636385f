/* gst-aes67: aes67sink's sending end over a real socket on loopback: pause
 * and resume of a file-fed stream, late packets (QoS messages, stats), pad
 * templates, sdp-file's writer thread, when settings take effect
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/check/gsttestclock.h>
#include <gst/app/gstappsrc.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define RATE 48000
#define FPP 48                  /* frames per packet at 1 ms */
#define PKT_LEN (12 + FPP * 3)  /* RTP header + 48 frames of L24 mono */

/* A UDP socket on 127.0.0.1, port in @port, with a large buffer. */
static gint
open_receiver (guint * port)
{
  struct sockaddr_in sin;
  socklen_t sl = sizeof (sin);
  gint fd = socket (AF_INET, SOCK_DGRAM, 0), size = 4 << 20;

  fail_unless (fd >= 0);
  setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof (size));
  memset (&sin, 0, sizeof (sin));
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  fail_unless (bind (fd, (struct sockaddr *) &sin, sizeof (sin)) == 0);
  getsockname (fd, (struct sockaddr *) &sin, &sl);
  *port = ntohs (sin.sin_port);
  return fd;
}

/* One packet, waiting up to @timeout_ms; its length, or -1 if none came. */
static gssize
recv_packet (gint fd, guint8 * buf, gsize size, guint timeout_ms)
{
  struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof (tv));
  return recv (fd, buf, size, 0);
}

/* What came in: RTP headers and the payload's samples (L24 mono). */
typedef struct
{
  GArray *seq;                  /* guint16 */
  GArray *rtptime;              /* guint32 */
  GArray *marker;               /* gboolean */
  GArray *samples;              /* guint32, 24-bit values */
} Wire;

static void
wire_init (Wire * w)
{
  w->seq = g_array_new (FALSE, FALSE, sizeof (guint16));
  w->rtptime = g_array_new (FALSE, FALSE, sizeof (guint32));
  w->marker = g_array_new (FALSE, FALSE, sizeof (gboolean));
  w->samples = g_array_new (FALSE, FALSE, sizeof (guint32));
}

static void
wire_clear (Wire * w)
{
  g_array_unref (w->seq);
  g_array_unref (w->rtptime);
  g_array_unref (w->marker);
  g_array_unref (w->samples);
}

static void
wire_add (Wire * w, const guint8 * p, gssize len)
{
  guint16 seq = GST_READ_UINT16_BE (p + 2);
  guint32 ts = GST_READ_UINT32_BE (p + 4);
  gboolean m = (p[1] & 0x80) != 0;
  gssize i;

  fail_unless_equals_int ((gint) len, PKT_LEN);
  g_array_append_val (w->seq, seq);
  g_array_append_val (w->rtptime, ts);
  g_array_append_val (w->marker, m);
  for (i = 12; i + 3 <= len; i += 3) {
    guint32 v = GST_READ_UINT24_BE (p + i);
    g_array_append_val (w->samples, v);
  }
}

/* Receives until nothing has come for @idle_ms; returns how many came. */
static guint
wire_receive (Wire * w, gint fd, guint idle_ms, guint max)
{
  guint8 buf[2048];
  gssize len;
  guint n = 0;

  while (n < max && (len = recv_packet (fd, buf, sizeof (buf), idle_ms)) > 0) {
    wire_add (w, buf, len);
    n++;
  }
  return n;
}

/* A WAV file of @frames frames, 24-bit mono at 48 kHz, frame n holding the
 * value n + 1 (so that silence, 0, is told apart from audio). */
static gchar *
write_counter_wav (guint frames)
{
  gsize data = (gsize) frames * 3, i;
  guint8 *f = g_malloc0 (44 + data);
  gchar *path;
  gint fd;

  memcpy (f, "RIFF", 4);
  GST_WRITE_UINT32_LE (f + 4, 36 + data);
  memcpy (f + 8, "WAVEfmt ", 8);
  GST_WRITE_UINT32_LE (f + 16, 16);
  GST_WRITE_UINT16_LE (f + 20, 1);      /* PCM */
  GST_WRITE_UINT16_LE (f + 22, 1);      /* mono */
  GST_WRITE_UINT32_LE (f + 24, RATE);
  GST_WRITE_UINT32_LE (f + 28, RATE * 3);
  GST_WRITE_UINT16_LE (f + 32, 3);
  GST_WRITE_UINT16_LE (f + 34, 24);
  memcpy (f + 36, "data", 4);
  GST_WRITE_UINT32_LE (f + 40, data);
  for (i = 0; i < frames; i++)
    GST_WRITE_UINT24_LE (f + 44 + i * 3, i + 1);

  fd = g_file_open_tmp ("aes67-counter-XXXXXX.wav", &path, NULL);
  fail_unless (fd >= 0);
  fail_unless (write (fd, f, 44 + data) == (gssize) (44 + data));
  close (fd);
  g_free (f);
  return path;
}

static GstStructure *
sink_stats (GstElement * pipe)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), "tx");
  GstStructure *st;

  g_object_get (sink, "stats", &st, NULL);
  gst_object_unref (sink);
  return st;
}

static guint64
stat_u64 (const GstStructure * st, const gchar * field)
{
  guint64 v = G_MAXUINT64;

  fail_unless (gst_structure_get_uint64 (st, field, &v), "no %s", field);
  return v;
}

/* A file played through aes67sink (filesrc ! wavparse: not live, always
 * ahead of the clock and waiting for the pacer) pauses and resumes: while
 * paused nothing is sent, after PLAYING the stream goes on, and every
 * sample of the file arrives exactly once and in order, with the sequence
 * numbers unbroken across the pause. */
GST_START_TEST (test_pause_resume_file)
{
  const guint frames = RATE;    /* 1 s */
  gchar *wav = write_counter_wav (frames), *desc;
  GstElement *pipe;
  GstBus *bus;
  GstMessage *msg;
  GstStructure *st;
  Wire w;
  guint port, before, during, after, i, resume_pkt, zeros = 0;
  guint32 expect = 1;
  guint8 buf[2048];
  gssize len;
  gint fd = open_receiver (&port);

  wire_init (&w);
  desc = g_strdup_printf ("filesrc location=%s ! wavparse ! aes67sink "
      "name=tx address=127.0.0.1 port=%u", wav, port);
  pipe = gst_parse_launch (desc, NULL);
  g_free (desc);
  fail_unless (pipe != NULL);
  bus = gst_element_get_bus (pipe);

  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  /* 300 packets (0.3 s) while playing */
  before = wire_receive (&w, fd, 5000, 300);
  fail_unless_equals_int (before, 300);

  /* pause: once PAUSED, what has left is in the socket, and nothing
   * more leaves */
  fail_unless (gst_element_set_state (pipe, GST_STATE_PAUSED) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless_equals_int (gst_element_get_state (pipe, NULL, NULL,
          10 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  while ((len = recv (fd, buf, sizeof (buf), MSG_DONTWAIT)) > 0)
    wire_add (&w, buf, len);
  before = w.seq->len;
  during = wire_receive (&w, fd, 300, G_MAXUINT);
  fail_unless_equals_int (during, 0);
  fail_unless (before < frames / FPP, "the whole file left before the pause "
      "(%u packets): nothing to resume", before);

  /* resume: the rest of the file comes, up to EOS */
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  after = wire_receive (&w, fd, 3000, G_MAXUINT);
  fail_unless (after > 0, "nothing sent after PAUSED -> PLAYING (%u "
      "packets before the pause)", before);
  msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS,
      "no EOS after resuming");
  gst_message_unref (msg);

  /* the sequence numbers continue across the pause: nothing lost, nothing
   * sent twice */
  for (i = 1; i < w.seq->len; i++)
    fail_unless_equals_int ((guint16) (g_array_index (w.seq, guint16, i) -
            g_array_index (w.seq, guint16, i - 1)), 1);
  /* the first packet after the pause starts a new timeline: marker set */
  resume_pkt = before;
  fail_unless (g_array_index (w.marker, gboolean, 0));
  fail_unless (g_array_index (w.marker, gboolean, resume_pkt),
      "no marker on the first packet after the pause");
  for (i = 1; i < w.marker->len; i++)
    if (i != resume_pkt)
      fail_if (g_array_index (w.marker, gboolean, i), "marker on packet %u", i);

  /* the audio: 1, 2, ... frames, each once, in order; silence only as the
   * lead-in of a timeline (less than one packet, at the start and where
   * the stream resumed) and the fill of the last packet */
  for (i = 0; i < w.samples->len; i++) {
    guint32 v = g_array_index (w.samples, guint32, i);

    if (v == 0) {
      zeros++;
      continue;
    }
    fail_unless_equals_int (v, expect);
    expect++;
  }
  fail_unless_equals_int (expect - 1, frames);
  fail_unless (zeros < 3 * FPP, "%u frames of silence", zeros);

  st = sink_stats (pipe);
  fail_unless_equals_uint64 (stat_u64 (st, "packets-sent"), w.seq->len);
  fail_unless_equals_uint64 (stat_u64 (st, "packets-dropped"), 0);
  gst_structure_free (st);

  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipe);
  wire_clear (&w);
  close (fd);
  g_unlink (wav);
  g_free (wav);
}

GST_END_TEST;

/* 10 ms of L24 mono counter audio: frame n holds n + 1; @next counts */
static void
push_counter_10ms (GstElement * appsrc, guint * next)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, 480 * 3, NULL);
  GstMapInfo map;
  guint i;

  gst_buffer_map (b, &map, GST_MAP_WRITE);
  for (i = 0; i < 480; i++)
    GST_WRITE_UINT24_BE (map.data + i * 3, *next + i + 1);
  gst_buffer_unmap (b, &map);
  GST_BUFFER_PTS (b) = gst_util_uint64_scale_int (*next, GST_SECOND, RATE);
  GST_BUFFER_DURATION (b) = 10 * GST_MSECOND;
  *next += 480;
  fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (appsrc), b),
      GST_FLOW_OK);
}

static void wait_sent (GstElement * pipe, guint64 n);

/* A pause while no buffer is being rendered (the source has nothing more
 * yet, packets still queued in the pacer): nothing leaves while paused,
 * and after PLAYING what was queued goes first, then the rest: every
 * sample once and in order. */
GST_START_TEST (test_pause_resume_idle)
{
  GstElement *pipe, *appsrc;
  GstBus *bus;
  GstMessage *msg;
  GstCaps *caps;
  Wire w;
  guint port, i, next = 0, during;
  guint32 expect = 1;
  guint8 buf[2048];
  gssize len;
  gint fd = open_receiver (&port);
  gchar *desc;

  wire_init (&w);
  desc = g_strdup_printf ("appsrc name=src format=time ! aes67sink name=tx "
      "address=127.0.0.1 port=%u", port);
  pipe = gst_parse_launch (desc, NULL);
  g_free (desc);
  appsrc = gst_bin_get_by_name (GST_BIN (pipe), "src");
  caps = gst_caps_from_string ("audio/x-raw,format=S24BE,rate=48000,"
      "channels=1,layout=interleaved");
  g_object_set (appsrc, "caps", caps, NULL);
  gst_caps_unref (caps);
  bus = gst_element_get_bus (pipe);

  /* 100 ms queued at once; pause once 20 packets have left */
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  for (i = 0; i < 10; i++)
    push_counter_10ms (appsrc, &next);
  wait_sent (pipe, 20);
  gst_element_set_state (pipe, GST_STATE_PAUSED);
  while ((len = recv (fd, buf, sizeof (buf), MSG_DONTWAIT)) > 0)
    wire_add (&w, buf, len);
  during = wire_receive (&w, fd, 300, G_MAXUINT);
  fail_unless_equals_int (during, 0);

  /* the next buffer prerolls; then PLAYING and the rest */
  push_counter_10ms (appsrc, &next);
  fail_unless_equals_int (gst_element_get_state (pipe, NULL, NULL,
          10 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  for (i = 0; i < 20; i++)
    push_counter_10ms (appsrc, &next);
  gst_app_src_end_of_stream (GST_APP_SRC (appsrc));
  wire_receive (&w, fd, 3000, G_MAXUINT);
  msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS);
  gst_message_unref (msg);

  for (i = 1; i < w.seq->len; i++)
    fail_unless_equals_int ((guint16) (g_array_index (w.seq, guint16, i) -
            g_array_index (w.seq, guint16, i - 1)), 1);
  for (i = 0; i < w.samples->len; i++) {
    guint32 v = g_array_index (w.samples, guint32, i);

    if (v == 0)
      continue;
    fail_unless_equals_int (v, expect);
    expect++;
  }
  fail_unless_equals_int (expect - 1, next);

  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (appsrc);
  gst_object_unref (bus);
  gst_object_unref (pipe);
  wire_clear (&w);
  close (fd);
}

GST_END_TEST;

/* A flushing seek in a file: what was queued before it is dropped, the
 * stream goes on from the new position (the old unlock dropped the queue;
 * now FLUSH_START does). The audio: 1..k, then from 0.5 s on to the end,
 * each once and in order. */
GST_START_TEST (test_seek_file)
{
  const guint frames = RATE;    /* 1 s */
  gchar *wav = write_counter_wav (frames), *desc;
  GstElement *pipe;
  GstBus *bus;
  GstMessage *msg;
  Wire w;
  guint port, i, jumps = 0;
  guint32 prev = 0, first_after = 0;
  gint fd = open_receiver (&port);

  wire_init (&w);
  desc = g_strdup_printf ("filesrc location=%s ! wavparse ! aes67sink "
      "name=tx address=127.0.0.1 port=%u", wav, port);
  pipe = gst_parse_launch (desc, NULL);
  g_free (desc);
  bus = gst_element_get_bus (pipe);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  fail_unless_equals_int (wire_receive (&w, fd, 5000, 100), 100);
  fail_unless (gst_element_seek_simple (pipe, GST_FORMAT_TIME,
          GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, GST_SECOND / 2));
  wire_receive (&w, fd, 3000, G_MAXUINT);
  msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS,
      "no EOS after the seek");
  gst_message_unref (msg);

  for (i = 0; i < w.samples->len; i++) {
    guint32 v = g_array_index (w.samples, guint32, i);

    if (v == 0)
      continue;
    if (v != prev + 1) {
      jumps++;
      first_after = v;
      fail_unless (prev < frames / 2, "the audio went on to %u before the "
          "seek took effect", prev);
    }
    prev = v;
  }
  fail_unless_equals_int (jumps, 1);
  /* 0.5 s is frame 24000, value 24001; the file's position may be a
   * packet off */
  fail_unless (first_after + FPP >= frames / 2 + 1
      && first_after <= frames / 2 + 1 + FPP, "went on at %u", first_after);
  fail_unless_equals_int (prev, frames);

  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipe);
  wire_clear (&w);
  close (fd);
  g_unlink (wav);
  g_free (wav);
}

GST_END_TEST;

/* A live source pauses and resumes too (it did before; this keeps it so):
 * packets again after PLAYING, sequence numbers unbroken. */
GST_START_TEST (test_pause_resume_live)
{
  GstElement *pipe;
  Wire w;
  guint port, before, after, i;
  gint fd = open_receiver (&port);
  gchar *desc;

  wire_init (&w);
  desc = g_strdup_printf ("audiotestsrc is-live=true samplesperbuffer=480 ! "
      "audio/x-raw,format=S24BE,rate=48000,channels=1 ! aes67sink name=tx "
      "address=127.0.0.1 port=%u", port);
  pipe = gst_parse_launch (desc, NULL);
  g_free (desc);
  fail_unless (pipe != NULL);

  gst_element_set_state (pipe, GST_STATE_PLAYING);
  before = wire_receive (&w, fd, 5000, 100);
  fail_unless_equals_int (before, 100);
  gst_element_set_state (pipe, GST_STATE_PAUSED);
  fail_unless (gst_element_get_state (pipe, NULL, NULL, 10 * GST_SECOND) !=
      GST_STATE_CHANGE_FAILURE);
  /* what was queued at the pause (up to the latency) may still come */
  wire_receive (&w, fd, 300, G_MAXUINT);
  before = w.seq->len;
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  after = wire_receive (&w, fd, 5000, 100);
  fail_unless_equals_int (after, 100);
  for (i = 1; i < w.seq->len; i++)
    fail_unless_equals_int ((guint16) (g_array_index (w.seq, guint16, i) -
            g_array_index (w.seq, guint16, i - 1)), 1);
  fail_unless (g_array_index (w.marker, gboolean, before),
      "no marker on the first packet after the pause");

  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (pipe);
  wire_clear (&w);
  close (fd);
}

GST_END_TEST;

/* Waits (up to 20 s) until aes67sink has sent @n packets. */
static void
wait_sent (GstElement * pipe, guint64 n)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint64 sent = 0;

  while (g_get_monotonic_time () < end) {
    GstStructure *st = sink_stats (pipe);

    sent = stat_u64 (st, "packets-sent");
    gst_structure_free (st);
    if (sent >= n)
      return;
    g_usleep (1000);
  }
  fail ("%" G_GUINT64_FORMAT " packets sent, %" G_GUINT64_FORMAT
      " expected", sent, n);
}

/* 10 ms of L24 mono at running time @pts_ms */
static void
push_10ms (GstElement * appsrc, guint pts_ms)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, 480 * 3, NULL);

  gst_buffer_memset (b, 0, 0x11, 480 * 3);
  GST_BUFFER_PTS (b) = pts_ms * GST_MSECOND;
  GST_BUFFER_DURATION (b) = 10 * GST_MSECOND;
  fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (appsrc), b),
      GST_FLOW_OK);
}

/* All QoS messages on @bus now. */
static GList *
pop_qos (GstBus * bus)
{
  GList *l = NULL;
  GstMessage *m;

  while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_QOS)))
    l = g_list_append (l, m);
  return l;
}

/* Late packets, made late on purpose: the pipeline runs on a GstTestClock,
 * and moving it 10 s ahead makes the audio pushed next 10 s late. Those
 * packets count in packets-late / max-lateness-ns and are reported in QoS
 * messages from aes67sink, one at once and then at most one a second;
 * packets in time (threshold 2 s) are not. */
GST_START_TEST (test_lateness_qos)
{
  GstElement *pipe, *appsrc, *sink;
  GstClock *clock = gst_test_clock_new ();
  GstBus *bus;
  GstMessage *m;
  GstStructure *st;
  GList *qos, *l;
  GstCaps *caps;
  GstFormat fmt;
  gboolean live;
  guint64 rt, stream_time, ts, dur, processed, dropped;
  gint64 jitter, max_late, t0, elapsed_s;
  gdouble prop;
  gint quality;
  guint port, threshold, i, n_msgs;
  gint fd = open_receiver (&port);
  const gint64 ahead = 10 * GST_SECOND;

  pipe = gst_pipeline_new (NULL);
  appsrc = gst_element_factory_make ("appsrc", NULL);
  sink = gst_element_factory_make ("aes67sink", "tx");
  fail_unless (appsrc && sink);
  caps = gst_caps_from_string ("audio/x-raw,format=S24BE,rate=48000,"
      "channels=1,layout=interleaved");
  g_object_set (appsrc, "caps", caps, "format", GST_FORMAT_TIME, NULL);
  gst_caps_unref (caps);
  g_object_get (sink, "lateness-threshold", &threshold, NULL);
  fail_unless_equals_int (threshold, 1000);
  g_object_set (sink, "address", "127.0.0.1", "port", port,
      "lateness-threshold", 2000000, NULL);
  gst_bin_add_many (GST_BIN (pipe), appsrc, sink, NULL);
  fail_unless (gst_element_link (appsrc, sink));
  gst_pipeline_use_clock (GST_PIPELINE (pipe), clock);
  bus = gst_element_get_bus (pipe);

  /* in time: the test clock stands at the base time, running time 0, and
   * the pacer sends 0-10 ms over the next 10 ms of real time */
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  push_10ms (appsrc, 0);
  fail_unless_equals_int (gst_element_get_state (pipe, NULL, NULL,
          10 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  wait_sent (pipe, 10);
  push_10ms (appsrc, 10);
  wait_sent (pipe, 20);
  st = sink_stats (pipe);
  fail_unless_equals_uint64 (stat_u64 (st, "packets-late"), 0);
  gst_structure_free (st);
  fail_unless (pop_qos (bus) == NULL, "QoS message for packets in time");

  /* 10 s late: the clock jumps, 20-30 ms goes out at once */
  gst_test_clock_set_time (GST_TEST_CLOCK (clock),
      gst_element_get_base_time (pipe) + ahead);
  push_10ms (appsrc, 20);
  wait_sent (pipe, 30);
  st = sink_stats (pipe);
  fail_unless_equals_uint64 (stat_u64 (st, "packets-late"), 10);
  fail_unless (gst_structure_get_int64 (st, "max-lateness-ns", &max_late));
  /* the packet of 20 ms was due at 20 ms + latency (0 here: not live),
   * rounded up to the pacer's 125 µs grid; the clock read 10 s: at least
   * 10 s - 20 ms - 125 µs late, more only by the time the pacer took to
   * send it */
  fail_unless (max_late >= ahead - 20 * GST_MSECOND - 125 * GST_USECOND
      && max_late < ahead + 5 * GST_SECOND, "max lateness %" G_GINT64_FORMAT
      " ns", max_late);
  gst_structure_free (st);

  /* the next buffer posts the report of those 10 at once */
  t0 = g_get_monotonic_time ();
  push_10ms (appsrc, 30);
  wait_sent (pipe, 40);
  qos = pop_qos (bus);
  fail_unless_equals_int (g_list_length (qos), 1);
  m = qos->data;
  fail_unless (GST_MESSAGE_SRC (m) == GST_OBJECT (sink),
      "QoS message from %s", GST_MESSAGE_SRC_NAME (m));
  gst_message_parse_qos (m, &live, &rt, &stream_time, &ts, &dur);
  gst_message_parse_qos_values (m, &jitter, &prop, &quality);
  gst_message_parse_qos_stats (m, &fmt, &processed, &dropped);
  fail_unless (live);
  /* the worst was the first late packet: running time 20 ms, 1 ms long;
   * segment and running time are the same here */
  fail_unless_equals_uint64 (rt, 20 * GST_MSECOND);
  fail_unless_equals_uint64 (ts, 20 * GST_MSECOND);
  fail_unless_equals_uint64 (stream_time, 20 * GST_MSECOND);
  fail_unless_equals_uint64 (dur, GST_MSECOND);
  fail_unless (jitter == max_late, "jitter %" G_GINT64_FORMAT " ns, worst %"
      G_GINT64_FORMAT " ns", jitter, max_late);
  fail_unless_equals_int (fmt, GST_FORMAT_BUFFERS);
  fail_unless_equals_uint64 (processed, 20);
  fail_unless_equals_uint64 (dropped, 10);
  g_list_free_full (qos, (GDestroyNotify) gst_message_unref);

  /* ten more late buffers, each reported by the next one's render: at
   * most one message a second, not one per buffer */
  for (i = 0; i < 10; i++) {
    push_10ms (appsrc, 40 + 10 * i);
    wait_sent (pipe, 50 + 10 * i);
  }
  elapsed_s = (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  qos = pop_qos (bus);
  n_msgs = g_list_length (qos);
  fail_unless (n_msgs <= elapsed_s + 1, "%u QoS messages in %" G_GINT64_FORMAT
      " s", n_msgs, elapsed_s);
  g_list_free_full (qos, (GDestroyNotify) gst_message_unref);

  /* at EOS a last report; the counts add up to the stats */
  gst_app_src_end_of_stream (GST_APP_SRC (appsrc));
  qos = NULL;
  /* (a filtered pop drops what does not match: take QoS too) */
  while ((m = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND,
              GST_MESSAGE_EOS | GST_MESSAGE_QOS))
      && GST_MESSAGE_TYPE (m) == GST_MESSAGE_QOS)
    qos = g_list_append (qos, m);
  fail_unless (m != NULL, "no EOS");
  gst_message_unref (m);
  fail_unless (qos != NULL, "no QoS message at EOS");
  l = g_list_last (qos);
  gst_message_parse_qos_stats (l->data, &fmt, &processed, &dropped);
  st = sink_stats (pipe);
  fail_unless_equals_uint64 (dropped, stat_u64 (st, "packets-late"));
  fail_unless_equals_uint64 (dropped, 120);
  fail_unless_equals_uint64 (processed + dropped,
      stat_u64 (st, "packets-sent"));
  gst_structure_free (st);
  g_list_free_full (qos, (GDestroyNotify) gst_message_unref);

  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipe);
  gst_object_unref (clock);
  close (fd);
}

GST_END_TEST;

/* The ghost pads' templates are the classes' own: a template from
 * gst_static_pad_template_get () stayed floating and leaked with every
 * element made. */
GST_START_TEST (test_pad_templates)
{
  static const gchar *const names[][2] = {
    {"aes67sink", "sink"}, {"aes67src", "src"}
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    GstElement *e = gst_element_factory_make (names[i][0], NULL);
    GstPad *pad = gst_element_get_static_pad (e, names[i][1]);
    GstPadTemplate *t = gst_pad_get_pad_template (pad);

    fail_unless (t != NULL);
    fail_if (g_object_is_floating (t), "%s: floating pad template",
        names[i][0]);
    fail_unless (t == gst_element_class_get_pad_template
        (GST_ELEMENT_GET_CLASS (e), names[i][1]));
    gst_object_unref (t);
    gst_object_unref (pad);
    gst_object_unref (e);
  }
}

GST_END_TEST;

/* Where sdp-file was written from: the thread that carried the caps to
 * aes67sink (the streaming thread) and the one that posted the warning
 * about a file that could not be written. */
typedef struct
{
  GMutex lock;
  GCond cond;
  GThread *caps_thread;
  GThread *warn_thread;
  gchar *warning;
} SdpWatch;

static GstPadProbeReturn
caps_thread_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  SdpWatch *w = data;

  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_CAPS) {
    g_mutex_lock (&w->lock);
    w->caps_thread = g_thread_self ();
    g_mutex_unlock (&w->lock);
  }
  return GST_PAD_PROBE_OK;
}

/* runs in the thread that posts */
static GstBusSyncReply
sdp_warning_sync (GstBus * bus, GstMessage * m, gpointer data)
{
  SdpWatch *w = data;
  GError *err = NULL;

  if (GST_MESSAGE_TYPE (m) != GST_MESSAGE_WARNING)
    return GST_BUS_PASS;
  gst_message_parse_warning (m, &err, NULL);
  g_mutex_lock (&w->lock);
  if (!w->warning && strstr (err->message, "session description")) {
    w->warning = g_strdup (err->message);
    w->warn_thread = g_thread_self ();
    g_cond_broadcast (&w->cond);
  }
  g_mutex_unlock (&w->lock);
  g_error_free (err);
  return GST_BUS_PASS;
}

/* appsrc (L24 mono, not live) ! aes67sink name=tx to 127.0.0.1:@port with
 * sdp-file @path, watched by @w; PLAYING, two buffers pushed. */
static GstElement *
start_sdp_file_pipeline (guint port, const gchar * path, SdpWatch * w)
{
  GstElement *pipe, *appsrc, *sink;
  GstCaps *caps;
  GstPad *pad;
  GstBus *bus;
  gchar *desc;
  guint next = 0;

  desc = g_strdup_printf ("appsrc name=src format=time ! aes67sink name=tx "
      "address=127.0.0.1 port=%u session-name=\"SDP file test\"", port);
  pipe = gst_parse_launch (desc, NULL);
  g_free (desc);
  fail_unless (pipe != NULL);
  appsrc = gst_bin_get_by_name (GST_BIN (pipe), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipe), "tx");
  caps = gst_caps_from_string ("audio/x-raw,format=S24BE,rate=48000,"
      "channels=1,layout=interleaved");
  g_object_set (appsrc, "caps", caps, NULL);
  gst_caps_unref (caps);
  g_object_set (sink, "sdp-file", path, NULL);
  pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      caps_thread_probe, w, NULL);
  gst_object_unref (pad);
  bus = gst_element_get_bus (pipe);
  gst_bus_set_sync_handler (bus, sdp_warning_sync, w, NULL);
  gst_object_unref (bus);

  gst_element_set_state (pipe, GST_STATE_PLAYING);
  push_counter_10ms (appsrc, &next);
  push_counter_10ms (appsrc, &next);
  gst_object_unref (appsrc);
  gst_object_unref (sink);
  return pipe;
}

/* sdp-file is written off the streaming thread (it was written by
 * set_caps, on it: a slow or hung file system stalled the stream), with
 * the SDP the element shows; a file that cannot be written is still an
 * element warning naming it, posted from the writer's thread. */
GST_START_TEST (test_sdp_file_off_streaming_thread)
{
  SdpWatch w = { 0, };
  GstElement *pipe, *sink;
  gchar *dir, *good, *bad, *text = NULL, *sdp = NULL, *expect;
  gint64 deadline;
  guint port;
  gint fd = open_receiver (&port);

  dir = g_dir_make_tmp ("aes67-sdpfile-XXXXXX", NULL);
  fail_unless (dir != NULL);
  good = g_build_filename (dir, "tx.sdp", NULL);
  bad = g_build_filename (dir, "no-such-dir", "tx.sdp", NULL);
  g_mutex_init (&w.lock);
  g_cond_init (&w.cond);

  /* written, with the content of the sdp property */
  pipe = start_sdp_file_pipeline (port, good, &w);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "tx");
  deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < deadline) {
    g_clear_pointer (&sdp, g_free);
    g_clear_pointer (&text, g_free);
    g_object_get (sink, "sdp", &sdp, NULL);
    if (sdp && g_file_get_contents (good, &text, NULL, NULL)
        && !strcmp (text, sdp))
      break;
    g_usleep (10 * 1000);
  }
  fail_unless (sdp != NULL, "no SDP after the caps");
  fail_unless (text != NULL, "%s not written", good);
  fail_unless_equals_string (text, sdp);
  fail_unless (strstr (text, "s=SDP file test\r\n") != NULL, "%s", text);
  expect = g_strdup_printf ("m=audio %u RTP/AVP 96\r\n", port);
  fail_unless (strstr (text, expect) != NULL, "%s", text);
  g_free (expect);
  fail_unless (strstr (text, "a=rtpmap:96 L24/48000/1\r\n") != NULL, "%s",
      text);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipe);

  /* not writable: a warning, not from the streaming thread */
  w.caps_thread = NULL;
  pipe = start_sdp_file_pipeline (port, bad, &w);
  deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&w.lock);
  while (!w.warning)
    if (!g_cond_wait_until (&w.cond, &w.lock, deadline))
      break;
  g_mutex_unlock (&w.lock);
  fail_unless (w.warning != NULL, "no warning about %s", bad);
  fail_unless (strstr (w.warning, bad) != NULL, "%s", w.warning);
  fail_unless (w.caps_thread != NULL);
  fail_if (w.warn_thread == w.caps_thread,
      "sdp-file was written by the streaming thread");
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (pipe);

  g_unlink (good);
  g_rmdir (dir);
  g_free (w.warning);
  g_free (text);
  g_free (sdp);
  g_free (good);
  g_free (bad);
  g_free (dir);
  g_mutex_clear (&w.lock);
  g_cond_clear (&w.cond);
  close (fd);
}

GST_END_TEST;

/* A warning on @bus naming @name, or NULL; takes what is on the bus now
 * (set_property posts it before it returns). */
static gchar *
pop_warning_naming (GstBus * bus, const gchar * name)
{
  GstMessage *m;
  gchar *found = NULL;

  while (!found && (m = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING))) {
    GError *err = NULL;

    gst_message_parse_warning (m, &err, NULL);
    if (strstr (err->message, name))
      found = g_strdup (err->message);
    g_error_free (err);
    gst_message_unref (m);
  }
  return found;
}

/* Runs @pipe (appsrc ! aes67sink name=tx) to PLAYING and pushes 50 ms;
 * TRUE if a packet then reaches @fd. */
static gboolean
packets_reach (GstElement * pipe, gint fd)
{
  GstElement *appsrc = gst_bin_get_by_name (GST_BIN (pipe), "src");
  guint8 buf[2048];
  guint next = 0, i;
  gssize len;

  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_PLAYING),
      GST_STATE_CHANGE_ASYNC);
  for (i = 0; i < 5; i++)
    push_counter_10ms (appsrc, &next);
  gst_object_unref (appsrc);
  fail_unless_equals_int (gst_element_get_state (pipe, NULL, NULL,
          10 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  len = recv_packet (fd, buf, sizeof (buf), 10000);
  return len == PKT_LEN;
}

/* aes67sink's settings are taken when the stream starts (READY ->
 * PAUSED): a change made in READY is used; one made while the stream runs
 * is kept for the next start, the running stream goes on as it started,
 * and a warning says so (before, it was taken silently, and parts of it,
 * such as the session name, leaked into the running SDP at its next
 * rebuild). */
GST_START_TEST (test_settings_taken_at_start)
{
  GstElement *pipe, *sink;
  GstBus *bus;
  gchar *desc, *sdp, *expect, *w;
  guint p1, p2, port;
  gint fd1 = open_receiver (&p1), fd2 = open_receiver (&p2);
  guint8 buf[2048];

  desc = g_strdup_printf ("appsrc name=src format=time caps=\"audio/x-raw,"
      "format=S24BE,rate=48000,channels=1,layout=interleaved\" ! "
      "aes67sink name=tx address=127.0.0.1 port=%u", p1);
  pipe = gst_parse_launch (desc, NULL);
  g_free (desc);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "tx");
  bus = gst_element_get_bus (pipe);

  /* in READY: quietly taken, and used */
  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  g_object_set (sink, "port", p2, "session-name", "Set in READY", NULL);
  w = pop_warning_naming (bus, "property");
  fail_unless (w == NULL, "a warning for a setting made in READY: %s", w);
  fail_unless (packets_reach (pipe, fd2), "nothing reached port %u", p2);
  g_object_get (sink, "sdp", &sdp, NULL);
  expect = g_strdup_printf ("m=audio %u RTP/AVP 96\r\n", p2);
  fail_unless (strstr (sdp, expect) != NULL, "%s", sdp);
  fail_unless (strstr (sdp, "s=Set in READY\r\n") != NULL, "%s", sdp);
  g_free (sdp);

  /* while it runs: a warning; the value is kept, the stream and its SDP
   * go on as they started */
  g_object_set (sink, "port", p1, "session-name", "Set in PLAYING", NULL);
  w = pop_warning_naming (bus, "port property");
  fail_unless (w != NULL, "no warning that port set in PLAYING is late");
  fail_unless (strstr (w, "READY to PAUSED") != NULL, "%s", w);
  g_free (w);
  w = pop_warning_naming (bus, "session-name property");
  fail_unless (w != NULL, "no warning that session-name set in PLAYING is "
      "late");
  g_free (w);
  g_object_get (sink, "port", &port, NULL);
  fail_unless_equals_int (port, p1);
  g_object_get (sink, "sdp", &sdp, NULL);
  fail_unless (strstr (sdp, expect) != NULL, "%s", sdp);
  fail_unless (strstr (sdp, "s=Set in READY\r\n") != NULL, "%s", sdp);
  g_free (sdp);
  g_free (expect);
  fail_unless (recv_packet (fd2, buf, sizeof (buf), 10000) == PKT_LEN,
      "the running stream left port %u", p2);

  /* the next start takes it */
  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  while (recv (fd1, buf, sizeof (buf), MSG_DONTWAIT) > 0);
  fail_unless (packets_reach (pipe, fd1), "nothing reached port %u", p1);
  g_object_get (sink, "sdp", &sdp, NULL);
  fail_unless (strstr (sdp, "s=Set in PLAYING\r\n") != NULL, "%s", sdp);
  g_free (sdp);

  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  close (fd1);
  close (fd2);
}

GST_END_TEST;

static Suite *
aes67sender_suite (void)
{
  Suite *s = suite_create ("aes67sender");
  TCase *tc = tcase_create ("loopback");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_pad_templates);
  tcase_add_test (tc, test_pause_resume_file);
  tcase_add_test (tc, test_pause_resume_live);
  tcase_add_test (tc, test_pause_resume_idle);
  tcase_add_test (tc, test_seek_file);
  tcase_add_test (tc, test_lateness_qos);
  tcase_add_test (tc, test_sdp_file_off_streaming_thread);
  tcase_add_test (tc, test_settings_taken_at_start);
  return s;
}

GST_CHECK_MAIN (aes67sender);
