/* gst-aes67: aes67src's ring playout, deterministic
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * aes67src in a GstHarness on a GstTestClock, on the media clock
 * (playout=media-clock): frame n of the clock's timeline is RTP time
 * n + the SDP's mediaclk offset, so a test sends real packets (a UDP socket
 * to 127.0.0.1) for chosen places of the timeline, waits until the engine
 * has them (the statistics say so), then moves the clock one output buffer
 * at a time and checks each buffer byte for byte: sequence-number wrap,
 * RTP-timestamp wrap (2^32), reordering, duplicates, loss (silence, GAP,
 * samples-concealed), late and early packets. No timing margin is
 * involved: the clock moves only when the test says so.
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/check/gsttestclock.h>
#include <gio/gio.h>
#include <string.h>

#include "aes67-roundtrip.h"

#define RATE 48000
#define CH 2
#define FRAME_BYTES (CH * 3)
#define PKT_FRAMES 48           /* 1 ms */
#define PKT_BYTES (PKT_FRAMES * FRAME_BYTES)
#define SSRC 0x0a0b0c0d
#define LATENCY_MS 4

typedef struct
{
  GstHarness *h;
  GstElement *src;
  GSocket *sock;
  GSocketAddress *dest;
  guint32 offset;               /* mediaclk:direct offset */
} Ring;

/* Frame n's sample values: a counter that never gives a zero frame. */
static void
frame_bytes_for (guint64 n, guint8 * out)
{
  guint c;

  for (c = 0; c < CH; c++) {
    guint32 v = (guint32) ((n * CH + c) % 0x7ffffe) + 1;

    out[c * 3] = v >> 16;
    out[c * 3 + 1] = v >> 8;
    out[c * 3 + 2] = v;
  }
}

/* Starts aes67src on an SDP whose ptime is @ptime (the a=ptime value, in
 * ms) with a link offset of @latency_ms. */
static void
ring_start_full (Ring * r, guint32 offset, const gchar * ptime,
    guint latency_ms)
{
  guint port = roundtrip_free_port ();
  gchar *sdp;
  GInetAddress *lo;

  r->offset = offset;
  sdp = g_strdup_printf ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=Ring\r\n"
      "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/AVP 96\r\n"
      "a=rtpmap:96 L24/%u/%u\r\na=ptime:%s\r\n"
      "a=ts-refclk:ptp=IEEE1588-2008:00-11-22-FF-FE-33-44-55:0\r\n"
      "a=mediaclk:direct=%u\r\n", port, RATE, CH, ptime, offset);
  r->src = gst_element_factory_make ("aes67src", NULL);
  g_object_set (r->src, "sdp", sdp, "latency", latency_ms, "playout", 2,
      "stats-interval", 0, NULL);
  g_free (sdp);
  r->h = gst_harness_new_with_element (r->src, NULL, "src");
  gst_harness_play (r->h);

  r->sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, NULL);
  lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  r->dest = g_inet_socket_address_new (lo, port);
  g_object_unref (lo);
}

static void
ring_start (Ring * r, guint32 offset)
{
  ring_start_full (r, offset, "1", LATENCY_MS);
}

static void
ring_stop (Ring * r)
{
  gst_harness_teardown (r->h);
  gst_object_unref (r->src);
  g_object_unref (r->dest);
  g_object_unref (r->sock);
}

/* Sends the packet holding frames [n, n + @frames) of the timeline
 * (@frames at most PKT_FRAMES). */
static void
send_packet_frames (Ring * r, guint16 seq, guint64 n, guint frames,
    guint32 ssrc)
{
  guint8 p[12 + PKT_BYTES];
  gsize len = 12 + (gsize) frames * FRAME_BYTES;
  guint i;

  p[0] = 0x80;
  p[1] = 96;
  GST_WRITE_UINT16_BE (p + 2, seq);
  GST_WRITE_UINT32_BE (p + 4, (guint32) (n + r->offset));
  GST_WRITE_UINT32_BE (p + 8, ssrc);
  for (i = 0; i < frames; i++)
    frame_bytes_for (n + i, p + 12 + i * FRAME_BYTES);
  fail_unless (g_socket_send_to (r->sock, r->dest, (const gchar *) p,
          len, NULL, NULL) == (gssize) len);
}

/* Sends the packet holding frames [n, n + PKT_FRAMES) of the timeline. */
static void
send_packet (Ring * r, guint16 seq, guint64 n, guint32 ssrc)
{
  send_packet_frames (r, seq, n, PKT_FRAMES, ssrc);
}

static guint64
stat (Ring * r, const gchar * name)
{
  GstStructure *st = NULL;
  guint64 v = 0;
  gint64 i;

  g_object_get (r->src, "stats", &st, NULL);
  fail_unless (st != NULL);
  if (!gst_structure_get_uint64 (st, name, &v)) {
    fail_unless (gst_structure_get_int64 (st, name, &i), "no %s in %"
        GST_PTR_FORMAT, name, st);
    fail_unless (i >= 0, "%s is negative: %" G_GINT64_FORMAT, name, i);
    v = (guint64) i;
  }
  gst_structure_free (st);
  return v;
}

/* Waits (up to 20 s) until the engine has counted @n packets of @what. */
static void
wait_stat (Ring * r, const gchar * what, guint64 n)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (stat (r, what) < n && g_get_monotonic_time () < end)
    g_usleep (1000);
  fail_unless_equals_uint64 (stat (r, what), n);
}

/* Lets the source take its next buffer out of the ring (moves the test
 * clock to the time it waits for) and returns it. */
static GstBuffer *
next_buffer (Ring * r)
{
  fail_unless (gst_harness_crank_single_clock_wait (r->h));
  return gst_harness_pull (r->h);
}

/* Checks that @buf holds timeline frames [n, n + len) except the frames
 * of @missing (frame numbers, -1 terminated), which must be zero. Returns
 * the frame number after it. */
static guint64
check_buffer (GstBuffer * buf, guint64 n, const gint64 * missing)
{
  GstMapInfo map;
  guint i, frames;
  guint8 want[FRAME_BYTES], zero[FRAME_BYTES] = { 0, };

  gst_buffer_map (buf, &map, GST_MAP_READ);
  fail_unless (map.size % FRAME_BYTES == 0);
  frames = map.size / FRAME_BYTES;
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (buf), n);
  for (i = 0; i < frames; i++) {
    gboolean miss = FALSE;
    const gint64 *m;

    for (m = missing; m && *m >= 0; m++)
      if ((guint64) * m == n + i)
        miss = TRUE;
    frame_bytes_for (n + i, want);
    fail_unless (memcmp (map.data + i * FRAME_BYTES, miss ? zero : want,
            FRAME_BYTES) == 0, "frame %" G_GUINT64_FORMAT " is %s", n + i,
        miss ? "not silence" : "not the one sent");
  }
  gst_buffer_unmap (buf, &map);
  return n + frames;
}

/* The first buffer starts at frame 0 (the test clock starts at 0) and
 * holds one packet (1 ms packets, 4 ms link offset). */
static void
check_first_buffers (Ring * r, guint n_buffers, guint64 * n,
    const gint64 * missing)
{
  guint i;

  for (i = 0; i < n_buffers; i++) {
    GstBuffer *b = next_buffer (r);

    fail_unless_equals_uint64 (gst_buffer_get_size (b), PKT_BYTES);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (b),
        gst_util_uint64_scale (*n, GST_SECOND, RATE));
    *n = check_buffer (b, *n, missing);
    gst_buffer_unref (b);
  }
}

GST_START_TEST (test_sequence_wrap)
{
  Ring r;
  guint64 n = 0;
  guint i;

  ring_start (&r, 1000);
  /* sequence numbers 65530 .. 65535, 0 .. 9 */
  for (i = 0; i < 16; i++)
    send_packet (&r, (guint16) (65530 + i), i * PKT_FRAMES, SSRC);
  wait_stat (&r, "packets-received", 16);
  check_first_buffers (&r, 16, &n, NULL);
  fail_unless_equals_uint64 (stat (&r, "packets-lost"), 0);
  fail_unless_equals_uint64 (stat (&r, "packets-duplicate"), 0);
  fail_unless_equals_uint64 (stat (&r, "packets-reordered"), 0);
  fail_unless_equals_uint64 (stat (&r, "samples-concealed"), 0);
  ring_stop (&r);
}

GST_END_TEST;

GST_START_TEST (test_timestamp_wrap)
{
  Ring r;
  guint64 n = 0;
  guint i;

  /* RTP time = frame + offset passes 2^32 at frame 200 */
  ring_start (&r, G_MAXUINT32 - 199);
  for (i = 0; i < 12; i++)
    send_packet (&r, (guint16) (100 + i), i * PKT_FRAMES, SSRC);
  wait_stat (&r, "packets-received", 12);
  check_first_buffers (&r, 12, &n, NULL);
  fail_unless_equals_uint64 (stat (&r, "packets-lost"), 0);
  fail_unless_equals_uint64 (stat (&r, "samples-concealed"), 0);
  ring_stop (&r);
}

GST_END_TEST;

GST_START_TEST (test_reordering)
{
  Ring r;
  guint64 n = 0;
  const guint order[] = { 0, 2, 1, 3, 6, 5, 4, 7, 9, 8 };
  guint i;

  ring_start (&r, 5000);
  for (i = 0; i < G_N_ELEMENTS (order); i++)
    send_packet (&r, (guint16) (7 + order[i]), order[i] * PKT_FRAMES, SSRC);
  wait_stat (&r, "packets-received", 10);
  check_first_buffers (&r, 10, &n, NULL);
  /* 1 (after 2), 5 and 4 (after 6), 8 (after 9) */
  fail_unless_equals_uint64 (stat (&r, "packets-reordered"), 4);
  fail_unless_equals_uint64 (stat (&r, "packets-lost"), 0);
  fail_unless_equals_uint64 (stat (&r, "samples-concealed"), 0);
  ring_stop (&r);
}

GST_END_TEST;

GST_START_TEST (test_duplicates)
{
  Ring r;
  guint64 n = 0;
  guint i;

  ring_start (&r, 77);
  for (i = 0; i < 10; i++) {
    send_packet (&r, (guint16) (300 + i), i * PKT_FRAMES, SSRC);
    if (i % 3 == 0)
      send_packet (&r, (guint16) (300 + i), i * PKT_FRAMES, SSRC);
  }
  wait_stat (&r, "packets-duplicate", 4);
  wait_stat (&r, "packets-received", 10);
  check_first_buffers (&r, 10, &n, NULL);
  fail_unless_equals_uint64 (stat (&r, "packets-lost"), 0);
  fail_unless_equals_uint64 (stat (&r, "samples-concealed"), 0);
  ring_stop (&r);
}

GST_END_TEST;

/* A packet that never comes: its place plays as silence in a GAP buffer,
 * counted exactly in samples-concealed; its sequence number counts lost
 * (once it is out of the reorder window: here, when the stream times out
 * — a later stream-lost flushes the window). */
GST_START_TEST (test_loss_is_silence)
{
  Ring r;
  guint64 n = 0;
  gint64 missing[PKT_FRAMES * 2 + 1];
  guint i;

  ring_start (&r, 123456);
  for (i = 0; i < 12; i++)
    if (i != 3 && i != 7)
      send_packet (&r, (guint16) (10 + i), i * PKT_FRAMES, SSRC);
  wait_stat (&r, "packets-received", 10);
  for (i = 0; i < PKT_FRAMES; i++) {
    missing[i] = 3 * PKT_FRAMES + i;
    missing[PKT_FRAMES + i] = 7 * PKT_FRAMES + i;
  }
  missing[2 * PKT_FRAMES] = -1;
  for (i = 0; i < 12; i++) {
    GstBuffer *b = next_buffer (&r);

    fail_unless_equals_int (GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_GAP),
        i == 3 || i == 7);
    n = check_buffer (b, n, missing);
    gst_buffer_unref (b);
  }
  fail_unless_equals_uint64 (stat (&r, "samples-concealed"), 2 * PKT_FRAMES);
  fail_unless_equals_uint64 (stat (&r, "packets-late"), 0);
  ring_stop (&r);
}

GST_END_TEST;

/* A packet that comes after its place was played: counted late, not
 * played; the silence it left counts concealed. */
GST_START_TEST (test_late_packet)
{
  Ring r;
  guint64 n = 0;
  gint64 missing[PKT_FRAMES + 1];
  guint i;

  ring_start (&r, 42);
  for (i = 0; i < 8; i++)
    if (i != 2)
      send_packet (&r, (guint16) (1 + i), i * PKT_FRAMES, SSRC);
  wait_stat (&r, "packets-received", 7);
  for (i = 0; i < PKT_FRAMES; i++)
    missing[i] = 2 * PKT_FRAMES + i;
  missing[PKT_FRAMES] = -1;
  check_first_buffers (&r, 4, &n, missing);
  /* packet 2 now: too late */
  send_packet (&r, 3, 2 * PKT_FRAMES, SSRC);
  wait_stat (&r, "packets-late", 1);
  check_first_buffers (&r, 4, &n, NULL);
  fail_unless_equals_uint64 (stat (&r, "samples-concealed"), PKT_FRAMES);
  fail_unless_equals_uint64 (stat (&r, "packets-lost"), 0);
  ring_stop (&r);
}

GST_END_TEST;

/* Silence after the newest packet is not yet concealment (the sender may
 * have stopped); when a later packet of the same sequence comes (an
 * outage), all of it counts. */
GST_START_TEST (test_concealment_after_outage)
{
  Ring r;
  guint64 n = 0;
  gint64 missing[6 * PKT_FRAMES + 1];
  guint i;

  ring_start (&r, 999);
  for (i = 0; i < 4; i++)
    send_packet (&r, (guint16) (50 + i), i * PKT_FRAMES, SSRC);
  wait_stat (&r, "packets-received", 4);
  for (i = 0; i < 6 * PKT_FRAMES; i++)
    missing[i] = 4 * PKT_FRAMES + i;
  missing[6 * PKT_FRAMES] = -1;
  /* 4 packets, then 6 silent buffers */
  check_first_buffers (&r, 10, &n, missing);
  fail_unless_equals_uint64 (stat (&r, "samples-concealed"), 0);
  /* the sequence goes on: packets 4..9 were lost on the way */
  send_packet (&r, 60, 10 * PKT_FRAMES, SSRC);
  wait_stat (&r, "packets-received", 5);
  fail_unless_equals_uint64 (stat (&r, "samples-concealed"), 6 * PKT_FRAMES);
  check_first_buffers (&r, 1, &n, NULL);

  ring_stop (&r);
}

GST_END_TEST;

/* Playout that fell far behind (a stalled machine: the clock jumps 300 ms)
 * starts again at the present, flagged DISCONT; the frames jumped over are
 * missing from the output and counted concealed (those brought by packets
 * at once, the silence after the newest packet once the sequence goes
 * on). */
GST_START_TEST (test_stall_skips_counted)
{
  Ring r;
  GstTestClock *tc;
  GstBuffer *b;
  guint64 n = 0, pos;
  guint i;

  ring_start (&r, 31337);
  for (i = 0; i < 20; i++)
    send_packet (&r, (guint16) (900 + i), i * PKT_FRAMES, SSRC);
  wait_stat (&r, "packets-received", 20);
  check_first_buffers (&r, 2, &n, NULL);
  /* the stall: the clock is at 5 ms, now 305 ms (once the source waits
   * for its next buffer) */
  tc = gst_harness_get_testclock (r.h);
  gst_test_clock_wait_for_next_pending_id (tc, NULL);
  gst_test_clock_set_time (tc, 305 * GST_MSECOND);
  gst_object_unref (tc);
  /* the buffer the source was waiting for comes as it was */
  check_first_buffers (&r, 1, &n, NULL);
  /* then playout starts again a link offset before the present */
  b = gst_harness_pull (r.h);
  pos = gst_util_uint64_scale (301 * GST_MSECOND, RATE, GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_OFFSET (b), pos);
  fail_unless (GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_DISCONT));
  fail_unless (GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_GAP));
  gst_buffer_unref (b);
  /* packets 3..19 were in the ring and never played */
  fail_unless_equals_uint64 (stat (&r, "samples-concealed"), 17 * PKT_FRAMES);
  /* the sequence goes on: the silence jumped over after packet 19 and the
   * buffer played after it were lost too */
  send_packet (&r, (guint16) (900 + pos / PKT_FRAMES + 1), pos + PKT_FRAMES,
      SSRC);
  wait_stat (&r, "packets-received", 21);
  fail_unless_equals_uint64 (stat (&r, "samples-concealed"),
      pos + PKT_FRAMES - 3 * PKT_FRAMES);
  ring_stop (&r);
}

GST_END_TEST;

/* Packets of 125 µs (6 frames) with a 4 ms link offset: output buffers of
 * up to 1 ms (8 packets), ending where packets end (where, depends on the
 * packet the engine anchors to); one lost packet inside a buffer splits
 * it, so that every buffer is whole audio or whole silence (GAP) and the
 * GAP frames are exactly samples-concealed. */
GST_START_TEST (test_partial_loss_splits_buffer)
{
  Ring r;
  guint64 n = 0, gap_frames = 0;
  gint64 missing[7];
  guint i;

  ring_start_full (&r, 777, "0.125", LATENCY_MS);
  for (i = 0; i < 24; i++)
    if (i != 2)
      send_packet_frames (&r, (guint16) (65530 + i), i * 6, 6, SSRC);
  wait_stat (&r, "packets-received", 23);
  for (i = 0; i < 6; i++)
    missing[i] = 12 + i;
  missing[6] = -1;
  while (n < 96) {
    GstBuffer *b = next_buffer (&r);
    guint64 frames = gst_buffer_get_size (b) / FRAME_BYTES;
    gboolean silent = n >= 12 && n + frames <= 18;

    fail_unless (frames > 0 && frames <= 48 && frames % 6 == 0,
        "a buffer of %" G_GUINT64_FORMAT " frames", frames);
    fail_unless (silent || n + frames <= 12 || n >= 18, "the buffer of "
        "frames %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT " is partly "
        "silence", n, n + frames);
    fail_unless_equals_int (GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_GAP),
        silent);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (b),
        gst_util_uint64_scale (n, GST_SECOND, RATE));
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (b),
        gst_util_uint64_scale (frames, GST_SECOND, RATE));
    if (silent)
      gap_frames += frames;
    n = check_buffer (b, n, missing);
    gst_buffer_unref (b);
  }
  fail_unless_equals_uint64 (gap_frames, 6);
  fail_unless_equals_uint64 (stat (&r, "samples-concealed"), 6);
  ring_stop (&r);
}

GST_END_TEST;

/* A link offset of 1 ms: output buffers of at most a quarter of it
 * (250 µs, two 125 µs packets), also when the SDP's ptime (1 ms) says
 * otherwise: the packets received decide. */
GST_START_TEST (test_short_link_offset_buffers)
{
  Ring r;
  guint64 n = 0;
  guint i;

  ring_start_full (&r, 4242, "1", 1);
  for (i = 0; i < 24; i++)
    send_packet_frames (&r, (guint16) (100 + i), i * 6, 6, SSRC);
  wait_stat (&r, "packets-received", 24);
  for (i = 0; n < 96; i++) {
    GstBuffer *b = next_buffer (&r);
    guint64 frames = gst_buffer_get_size (b) / FRAME_BYTES;

    /* the first two: before the first packet, and to where the packet
     * the engine anchors to puts the ends of buffers */
    fail_unless (i < 2 ? frames == 6 || frames == 12 : frames == 12,
        "buffer %u: %" G_GUINT64_FORMAT " frames", i, frames);
    fail_if (GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_GAP));
    n = check_buffer (b, n, NULL);
    gst_buffer_unref (b);
  }
  fail_unless_equals_uint64 (stat (&r, "samples-concealed"), 0);
  ring_stop (&r);
}

GST_END_TEST;

/* Media-clock playout at a 12 ms link offset: output buffers of three
 * 1 ms packets (a quarter of the link offset: fewer wake-ups), and still
 * whole audio or whole silence around a lost packet. */
GST_START_TEST (test_long_link_offset_buffers)
{
  Ring r;
  guint64 n = 0;
  guint i, gap_frames = 0, full = 0;
  gint64 missing[PKT_FRAMES + 1];

  for (i = 0; i < PKT_FRAMES; i++)
    missing[i] = 7 * PKT_FRAMES + i;
  missing[PKT_FRAMES] = -1;
  ring_start_full (&r, 777, "1", 12);
  for (i = 0; i < 24; i++)
    if (i != 7)
      send_packet (&r, (guint16) (100 + i), i * PKT_FRAMES, SSRC);
  wait_stat (&r, "packets-received", 23);
  for (i = 0; n < 24 * PKT_FRAMES; i++) {
    GstBuffer *b = next_buffer (&r);
    guint64 frames = gst_buffer_get_size (b) / FRAME_BYTES;
    gboolean gap = GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_GAP);

    /* whole packets, at most three; shorter only where buffers are put
     * in step with the packet the engine anchors to (the first two, as
     * in test_short_link_offset_buffers), and where the audio
     * changes to missing and back (the lost packet, frames 336..383,
     * and the end of what was sent) */
    fail_unless (frames % PKT_FRAMES == 0 && frames <= 3 * PKT_FRAMES,
        "buffer %u at frame %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT
        " frames", i, n, frames);
    if (gap) {
      fail_unless_equals_uint64 (n, 7 * PKT_FRAMES);
      gap_frames += frames;
    } else if (frames == 3 * PKT_FRAMES)
      full++;
    else
      fail_unless (i < 2 || n + frames == 7 * PKT_FRAMES
          || n == 8 * PKT_FRAMES
          || n + frames == 24 * PKT_FRAMES,
          "buffer %u at frame %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT
          " frames", i, n, frames);
    n = check_buffer (b, n, missing);
    gst_buffer_unref (b);
  }
  fail_unless_equals_int (gap_frames, PKT_FRAMES);
  /* 24 packets less the first, and two short ones around the lost one */
  fail_unless (full >= 5, "%u buffers of 3 ms", full);
  fail_unless_equals_uint64 (stat (&r, "samples-concealed"), PKT_FRAMES);
  ring_stop (&r);
}

GST_END_TEST;

static Suite *
aes67srcring_suite (void)
{
  Suite *s = suite_create ("aes67srcring");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_sequence_wrap);
  tcase_add_test (tc, test_timestamp_wrap);
  tcase_add_test (tc, test_reordering);
  tcase_add_test (tc, test_duplicates);
  tcase_add_test (tc, test_loss_is_silence);
  tcase_add_test (tc, test_late_packet);
  tcase_add_test (tc, test_concealment_after_outage);
  tcase_add_test (tc, test_stall_skips_counted);
  tcase_add_test (tc, test_partial_loss_splits_buffer);
  tcase_add_test (tc, test_short_link_offset_buffers);
  tcase_add_test (tc, test_long_link_offset_buffers);
  return s;
}

GST_CHECK_MAIN (aes67srcring);
