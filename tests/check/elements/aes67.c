/* gst-aes67: aes67sink and aes67src over real sockets on loopback
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
#include <stdlib.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "aes67-roundtrip.h"

/* caps as text for a failure message (check's printf knows no
 * GST_PTR_FORMAT; leaked only when the test fails) */
#define CAPS_STR(c) ((c) ? gst_caps_to_string (c) : g_strdup ("(none)"))

/* L16/L24 x 1/2/8 channels x 48/96 kHz x 125 µs/1 ms, unicast on
 * loopback: what goes in comes out, byte for byte */
GST_START_TEST (test_roundtrip_unicast)
{
  RoundTripFormat f[24];
  guint i, n = roundtrip_formats (f);

  /* 24 less L16 and L24 8 ch at 96 kHz, 1 ms: over the MTU */
  fail_unless_equals_int (n, 22);
  for (i = 0; i < n; i++) {
    RoundTrip rt = { 0, };
    RoundTripResult res;
    guint64 lost = 1, malformed = 1, received = 0, sent = 0;
    guint bytes = strcmp (f[i].encoding, "L24") == 0 ? 3 : 2;
    gint64 l;

    rt.encoding = f[i].encoding;
    rt.channels = f[i].channels;
    rt.rate = f[i].rate;
    rt.ptime_us = f[i].ptime_us;
    rt.address = "127.0.0.1";
    rt.port = roundtrip_free_port ();
    rt.frames = rt.rate / 4 + 17;       /* 0.25 s and a partial packet */
    roundtrip_run (&rt, &res);
    fail_unless (res.match_offset != (gsize) - 1,
        "%s %u ch %u Hz %u µs: sent audio not found bit-exact in the "
        "output (%" G_GSIZE_FORMAT " bytes sent, %" G_GSIZE_FORMAT
        " received)", rt.encoding, rt.channels, rt.rate, rt.ptime_us,
        g_bytes_get_size (res.sent), g_bytes_get_size (res.received));
    fail_unless (gst_structure_get_int64 (res.rx_stats, "packets-lost", &l));
    lost = (guint64) l;
    gst_structure_get_uint64 (res.rx_stats, "packets-malformed", &malformed);
    gst_structure_get_uint64 (res.rx_stats, "packets-received", &received);
    gst_structure_get_uint64 (res.tx_stats, "packets-sent", &sent);
    fail_unless_equals_uint64 (lost, 0);
    fail_unless_equals_uint64 (malformed, 0);
    /* every packet counted: frames / framecount, rounded up, and
     * one more when the first packet starts with silence (packets
     * begin on packet-time boundaries of the media clock) */
    {
      guint fpp = rt.ptime_us == 125 ? rt.rate / 8000 : rt.rate / 1000;
      guint64 expect = (rt.frames + fpp - 1) / fpp;
      fail_unless (sent == expect || sent == expect + 1,
          "%" G_GUINT64_FORMAT " packets sent, %" G_GUINT64_FORMAT
          " expected", sent, expect);
      fail_unless_equals_uint64 (received, sent);
      /* the silent lead-in is shorter than one packet */
      fail_unless (res.match_offset < (gsize) fpp * rt.channels *
          bytes, "audio starts at byte %" G_GSIZE_FORMAT, res.match_offset);
    }
    fail_unless (strstr (res.sdp, rt.encoding) != NULL);
    roundtrip_result_clear (&res);
  }
}

GST_END_TEST;

static gint
cmp_i64 (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static gint64
mono_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * GST_SECOND + ts.tv_nsec;
}

/* What a receiver on 127.0.0.1 saw of one sender. */
typedef struct
{
  guint n;
  gint64 *arrival_rt;           /* kernel receive time, CLOCK_REALTIME, ns */
  gint64 *arrival_mono;         /* after recvmsg returned, CLOCK_MONOTONIC */
    guint8 (*hdr)[12];          /* the RTP header */
} Wire;

static void
wire_clear (Wire * w)
{
  g_free (w->arrival_rt);
  g_free (w->arrival_mono);
  g_free (w->hdr);
}

/* Runs "@sender port=<port>" until @n packets of @size bytes have
 * arrived on 127.0.0.1:<port>. */
static void
wire_capture (const gchar * sender, guint n, gssize size, Wire * w)
{
  GstElement *pipe;
  GstBus *bus;
  GstMessage *m;
  gint fd, one = 1;
  struct sockaddr_in sin;
  socklen_t sl = sizeof (sin);
  gchar *desc;
  guint got = 0;

  w->n = n;
  w->arrival_rt = g_new0 (gint64, n);
  w->arrival_mono = g_new0 (gint64, n);
  w->hdr = g_malloc0 ((gsize) n * 12);

  fd = socket (AF_INET, SOCK_DGRAM, 0);
  memset (&sin, 0, sizeof (sin));
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  fail_unless (bind (fd, (struct sockaddr *) &sin, sizeof (sin)) == 0);
  getsockname (fd, (struct sockaddr *) &sin, &sl);
  setsockopt (fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof (one));
  {
    /* a generous deadline: a packet is due every millisecond */
    struct timeval tv = { 10, 0 };
    setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof (tv));
  }

  desc = g_strdup_printf ("%s port=%u", sender, (guint) ntohs (sin.sin_port));
  pipe = gst_parse_launch (desc, NULL);
  fail_unless (pipe != NULL, "%s", desc);
  g_free (desc);
  bus = gst_element_get_bus (pipe);
  gst_element_set_state (pipe, GST_STATE_PLAYING);

  while (got < n) {
    guint8 buf[2048];
    gchar ctrl[256];
    struct iovec iov = { buf, sizeof (buf) };
    struct msghdr mh = { 0, };
    struct cmsghdr *cm;
    ssize_t len;

    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctrl;
    mh.msg_controllen = sizeof (ctrl);
    len = recvmsg (fd, &mh, 0);
    fail_unless (len == size, "packet %u: %zd bytes", got, len);
    w->arrival_mono[got] = mono_ns ();
    for (cm = CMSG_FIRSTHDR (&mh); cm; cm = CMSG_NXTHDR (&mh, cm))
      if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_TIMESTAMPNS) {
        struct timespec ts;
        memcpy (&ts, CMSG_DATA (cm), sizeof (ts));
        w->arrival_rt[got] = (gint64) ts.tv_sec * GST_SECOND + ts.tv_nsec;
      }
    fail_unless (w->arrival_rt[got] != 0, "no kernel timestamp");
    memcpy (w->hdr[got], buf, 12);
    got++;
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_if (m != NULL, "error from the sender");
  gst_object_unref (bus);
  gst_object_unref (pipe);
  close (fd);
}

/* Pacing, as behaviour: how many of the gaps between packets (kernel
 * receive times, from packet @skip on) are the packet time within half a
 * packet time, in per cent. A paced sender keeps nearly all its gaps
 * there; after a stall it may send the packets that fell due meanwhile
 * back to back, which takes a few gaps out. A sender that does not pace
 * (stock `udpsink sync=false` behind a 10 ms source) sends each buffer's
 * ten packets back to back: nine gaps of a few µs and one of 10 ms, none
 * near 1 ms. */
static guint
wire_percent_paced (const Wire * w, guint skip, gint64 ptime_ns)
{
  guint i, paced = 0;

  for (i = skip + 1; i < w->n; i++) {
    gint64 gap = w->arrival_rt[i] - w->arrival_rt[i - 1];
    if (gap > ptime_ns / 2 && gap < ptime_ns * 3 / 2)
      paced++;
  }
  return paced * 100 / (w->n - skip - 1);
}

/* On the wire, for behaviour, not speed (speed is measured side by side
 * with the stock sender in tests/benchmarks/aes67-bench.sh): the RTP
 * header right (marker on the first, sequence continuous, SSRC stable,
 * timestamps 48 apart, so the packets are in time order); RTP time =
 * clock time of capture x rate; no packet leaves before its time
 * (capture + latency), which a sender that does not wait breaks by up to
 * a buffer; the gaps are the packet time, not bursts. Load on the machine
 * only makes packets late, so each check holds on a busy machine. */
GST_START_TEST (test_wire_pacing_and_media_clock)
{
  const guint N = 2000, skip = 20;
  const gint64 latency_ns = 11 * GST_MSECOND;   /* 480 frames + 1 ms */
  Wire w, stock;
  gint64 *late, earliest, p1, median, span;
  guint i, ours_paced, stock_paced;

  wire_capture ("audiotestsrc is-live=true samplesperbuffer=480 ! "
      "audio/x-raw,rate=48000,channels=2 ! aes67sink address=127.0.0.1 "
      "encoding=L24", N, 12 + 48 * 2 * 3, &w);

  /* header: in order, nothing missing, nothing repeated */
  fail_unless_equals_int (w.hdr[0][0], 0x80);
  fail_unless (w.hdr[0][1] & 0x80, "no marker on the first packet");
  for (i = 1; i < N; i++) {
    guint16 s0 = GST_READ_UINT16_BE (w.hdr[i - 1] + 2);
    guint16 s1 = GST_READ_UINT16_BE (w.hdr[i] + 2);
    guint32 t0 = GST_READ_UINT32_BE (w.hdr[i - 1] + 4);
    guint32 t1 = GST_READ_UINT32_BE (w.hdr[i] + 4);

    fail_unless_equals_int (w.hdr[i][1] & 0x7f, 96);
    fail_if (w.hdr[i][1] & 0x80, "marker on packet %u", i);
    fail_unless_equals_int ((guint16) (s1 - s0), 1);
    fail_unless_equals_int ((guint32) (t1 - t0), 48);
    fail_unless (memcmp (w.hdr[i] + 8, w.hdr[0] + 8, 4) == 0, "SSRC changed");
  }

  /* media clock: RTP time / rate is the GstSystemClock (CLOCK_MONOTONIC)
   * time of capture; the packet is due that plus the latency. The
   * receiving thread reads CLOCK_MONOTONIC after recvmsg returns: never
   * before the packet left, so "late" here is never less than the truth. */
  late = g_new0 (gint64, N);
  for (i = skip; i < N; i++) {
    guint32 t = GST_READ_UINT32_BE (w.hdr[i] + 4);
    guint64 arrival_samples = gst_util_uint64_scale (w.arrival_mono[i],
        48000, GST_SECOND);
    /* samples between capture and arrival, mod 2^32 */
    gint32 d = (gint32) ((guint32) arrival_samples - t);
    late[i - skip] = (gint64) d *GST_SECOND / 48000 - latency_ns;
  }
  qsort (late, N - skip, sizeof (gint64), cmp_i64);
  earliest = late[0];
  p1 = late[(N - skip) / 100];
  median = late[(N - skip) / 2];
  g_free (late);
  /* not early: a packet is let go at most 5 µs before its time, and RTP
   * time to clock time rounds to a sample (20.8 µs); a sender that does
   * not wait sends the packets of a 10 ms buffer up to 9 ms early */
  fail_unless (earliest > -50 * GST_USECOND, "a packet left %"
      G_GINT64_FORMAT " µs before its time", -earliest / 1000);
  /* and on time: load delays some packets, never all of them; a packet's
   * worth (1 ms) of error in the RTP time would put them all 1 ms late */
  fail_unless (p1 < 500 * GST_USECOND, "99 %% of the packets are more "
      "than %" G_GINT64_FORMAT " µs late", p1 / 1000);

  /* the gaps: the packet time, on average and for most packets */
  span = w.arrival_rt[N - 1] - w.arrival_rt[skip];
  fail_unless (ABS (span - (gint64) (N - 1 - skip) * GST_MSECOND) <
      (gint64) (N - 1 - skip) * GST_MSECOND / 10, "%u packets of 1 ms took "
      "%" G_GINT64_FORMAT " ms", N - 1 - skip, span / GST_MSECOND);
  ours_paced = wire_percent_paced (&w, skip, GST_MSECOND);

  /* the same measure on a sender known not to pace: it must tell the two
   * apart, on this machine, now */
  wire_capture ("audiotestsrc is-live=true samplesperbuffer=480 ! "
      "audio/x-raw,rate=48000,channels=2 ! audioconvert ! rtpL24pay "
      "min-ptime=1000000 max-ptime=1000000 ! udpsink host=127.0.0.1 "
      "sync=false", N, 12 + 48 * 2 * 3, &stock);
  stock_paced = wire_percent_paced (&stock, skip, GST_MSECOND);

  g_print ("pacing: gaps of 1 ms +- 0.5 ms: aes67sink %u %%, stock "
      "udpsink sync=false %u %%; packet time vs capture + latency: earliest "
      "%" G_GINT64_FORMAT " us, p1 %" G_GINT64_FORMAT " us, median %"
      G_GINT64_FORMAT " us\n", ours_paced, stock_paced, earliest / 1000,
      p1 / 1000, median / 1000);
  fail_unless (stock_paced < 50, "the measure sees pacing in a sender "
      "without it (%u %% of gaps 1 ms)", stock_paced);
  fail_unless (ours_paced >= 50, "bursts: only %u %% of the gaps are 1 ms "
      "+- 0.5 ms", ours_paced);

  wire_clear (&w);
  wire_clear (&stock);
}

GST_END_TEST;

/* Raw formats other than S16BE/S24BE are converted inside: S16LE goes out
 * as L16 with the same sample values, F32 as L24. */
GST_START_TEST (test_format_conversion)
{
  static const struct
  {
    const gchar *format;
    const gchar *expect_enc;
  } t[] = {
    {"S16LE", "L16"}, {"F32LE", "L24"}, {"S32LE", "L24"}, {"U8", "L16"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (t); i++) {
    GstElement *pipe, *sink;
    gchar *desc, *sdp = NULL, *expect;

    desc = g_strdup_printf ("audiotestsrc num-buffers=2 ! audio/x-raw,"
        "format=%s,rate=48000,channels=2 ! aes67sink name=s "
        "address=127.0.0.1 port=%u", t[i].format, roundtrip_free_port ());
    pipe = gst_parse_launch (desc, NULL);
    g_free (desc);
    sink = gst_bin_get_by_name (GST_BIN (pipe), "s");
    gst_element_set_state (pipe, GST_STATE_PAUSED);
    fail_unless_equals_int (gst_element_get_state (pipe, NULL, NULL,
            5 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
    g_object_get (sink, "sdp", &sdp, NULL);
    expect = g_strdup_printf ("a=rtpmap:96 %s/48000/2", t[i].expect_enc);
    fail_unless (sdp && strstr (sdp, expect), "%s: expected %s in\n%s",
        t[i].format, expect, sdp);
    g_free (expect);
    g_free (sdp);
    gst_element_set_state (pipe, GST_STATE_NULL);
    gst_object_unref (sink);
    gst_object_unref (pipe);
  }
}

GST_END_TEST;

/* The sender stops; the receiver says the stream is lost and keeps
 * running; a new sender (new SSRC) comes; the receiver follows. */
GST_START_TEST (test_stream_lost_and_restored)
{
  GstElement *tx1, *tx2, *rx, *appsink;
  GstBus *bus;
  GstMessage *m;
  guint port = roundtrip_free_port ();
  gchar *desc;
  guint ssrc1 = 0, ssrc2 = 0, lost_ssrc = 0;
  gboolean same = TRUE;
  GstSample *sample;

  desc = g_strdup_printf ("aes67src address=127.0.0.1 port=%u "
      "encoding-name=L24 rate=48000 channels=2 timeout=200 latency=10 "
      "stats-interval=100 name=src ! appsink name=out sync=false "
      "max-buffers=50 drop=true", port);
  rx = gst_parse_launch (desc, NULL);
  g_free (desc);
  appsink = gst_bin_get_by_name (GST_BIN (rx), "out");
  bus = gst_element_get_bus (rx);
  gst_element_set_state (rx, GST_STATE_PLAYING);

  desc = g_strdup_printf ("audiotestsrc is-live=true ! audio/x-raw,rate=48000,"
      "channels=2 ! aes67sink address=127.0.0.1 port=%u encoding=L24", port);
  tx1 = gst_parse_launch (desc, NULL);
  tx2 = gst_parse_launch (desc, NULL);
  g_free (desc);
  gst_element_set_state (tx1, GST_STATE_PLAYING);

  /* (silence, flagged GAP, comes out from PLAYING on) */
  sample = roundtrip_pull_stream_sample (appsink, 10 * GST_SECOND);
  fail_unless (sample != NULL, "no audio from the first sender");
  gst_sample_unref (sample);
  {
    GstElement *s = gst_bin_get_by_name (GST_BIN (rx), "src");
    GstStructure *st;
    g_object_get (s, "stats", &st, NULL);
    gst_structure_get_uint (st, "ssrc", &ssrc1);
    fail_unless_equals_string (gst_structure_get_string (st, "stream-state"),
        "receiving");
    gst_structure_free (st);
    gst_object_unref (s);
  }
  g_usleep (200000);
  gst_element_set_state (tx1, GST_STATE_NULL);

  m = roundtrip_wait_element_message (bus, "stream-lost", 10000);
  fail_unless (m != NULL, "no stream-lost after the sender stopped");
  gst_structure_get_uint (gst_message_get_structure (m), "ssrc", &lost_ssrc);
  fail_unless_equals_int (lost_ssrc, ssrc1);
  gst_message_unref (m);
  /* still running */
  fail_unless_equals_int (GST_STATE (rx), GST_STATE_PLAYING);
  /* drain what was queued */
  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (appsink), 0)))
    gst_sample_unref (sample);

  gst_element_set_state (tx2, GST_STATE_PLAYING);
  m = roundtrip_wait_element_message (bus, "stream-restored", 10000);
  fail_unless (m != NULL, "no stream-restored after a new sender came");
  gst_structure_get_uint (gst_message_get_structure (m), "ssrc", &ssrc2);
  gst_structure_get_boolean (gst_message_get_structure (m), "same-ssrc", &same);
  gst_message_unref (m);
  fail_if (same);
  fail_if (ssrc2 == ssrc1);

  /* and audio flows again */
  sample = roundtrip_pull_stream_sample (appsink, 10 * GST_SECOND);
  fail_unless (sample != NULL, "no audio after the stream came back");
  gst_sample_unref (sample);

  fail_if (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) != NULL);
  gst_element_set_state (tx2, GST_STATE_NULL);
  gst_element_set_state (rx, GST_STATE_NULL);
  gst_object_unref (appsink);
  gst_object_unref (bus);
  gst_object_unref (tx1);
  gst_object_unref (tx2);
  gst_object_unref (rx);
}

GST_END_TEST;

/* Appends the audio of @appsink's samples (gap buffers left out) to @out
 * until it holds @bytes or no sample comes within @timeout; the first
 * sample's caps in @caps unless it is NULL or already set */
static void
pull_audio (GstElement * appsink, GByteArray * out, guint bytes,
    GstClockTime timeout, GstCaps ** caps)
{
  roundtrip_pull_stream (appsink, out, bytes, timeout, caps);
}

/* Hand-made packets: what is not the stream is counted and dropped, what
 * is comes out byte for byte. */
static gsize
make_packet (guint8 * p, guint pt, guint16 seq, guint32 ts, guint32 ssrc,
    const guint8 * payload, gsize len)
{
  p[0] = 0x80;
  p[1] = pt;
  GST_WRITE_UINT16_BE (p + 2, seq);
  GST_WRITE_UINT32_BE (p + 4, ts);
  GST_WRITE_UINT32_BE (p + 8, ssrc);
  memcpy (p + 12, payload, len);
  return 12 + len;
}

GST_START_TEST (test_malformed_packets)
{
  GstElement *rx, *src, *appsink;
  GSocket *sock;
  GSocketAddress *dest;
  GInetAddress *lo;
  guint port = roundtrip_free_port ();
  gchar *desc;
  GBytes *audio = roundtrip_make_audio (60 * 288, 77);
  const guint8 *a = g_bytes_get_data (audio, NULL);
  GByteArray *out = g_byte_array_new ();
  guint8 p[2048];
  gsize len;
  guint i, seq = 1000, ts = 5000;
  gint64 t0;
  const guint32 SSRC = 0x12345678;
  GstStructure *st;
  guint64 v;

  desc = g_strdup_printf ("aes67src name=src address=127.0.0.1 port=%u "
      "encoding-name=L24 rate=48000 channels=2 payload-type=98 latency=20 "
      "! appsink name=out sync=false", port);
  rx = gst_parse_launch (desc, NULL);
  g_free (desc);
  src = gst_bin_get_by_name (GST_BIN (rx), "src");
  appsink = gst_bin_get_by_name (GST_BIN (rx), "out");
  /* udpsrc binds its socket going from NULL to READY, inside this call:
   * no wait needed before sending */
  fail_unless (gst_element_set_state (rx, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (GST_STATE (rx) >= GST_STATE_READY);
  /* the receiver plays by arrival: it must be running, and waiting for its
   * playout times, before the stream comes. Under valgrind its first
   * buffers take it 100 ms and more behind; catching up, it would read
   * the ring ahead of the packets (and of the engine thread that valgrind
   * runs one thread at a time with), and play them as missing. */
  {
    GstSample *first = gst_app_sink_try_pull_sample (GST_APP_SINK (appsink),
        10 * GST_SECOND);

    fail_unless (first != NULL, "aes67src put out nothing");
    gst_sample_unref (first);
    g_usleep (300 * 1000);
  }

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, NULL);
  lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  dest = g_inet_socket_address_new (lo, port);

#define SEND(buf, n) g_socket_send_to (sock, dest, (const gchar *) (buf), \
    (n), NULL, NULL)

  t0 = g_get_monotonic_time ();
  for (i = 0; i < 60; i++) {
    /* the valid packet: seq, 48 frames of 2 ch L24 */
    len = make_packet (p, 98, seq, ts, SSRC, a + i * 288, 288);
    SEND (p, len);
    if (i == 10) {
      /* the table, interleaved with the stream */
      /* 1. truncated: 5 bytes */
      SEND (p, 5);
      /* 2. version 1 */
      len = make_packet (p, 98, seq + 1, ts, SSRC, a, 288);
      p[0] = 0x40;
      SEND (p, len);
      /* 3. CSRC count 15 in a 20-byte packet */
      len = make_packet (p, 98, seq + 1, ts, SSRC, a, 8);
      p[0] = 0x8f;
      SEND (p, len);
      /* 4. padding flag, padding length 200 in a 30-byte packet */
      len = make_packet (p, 98, seq + 1, ts, SSRC, a, 18);
      p[0] = 0xa0;
      p[len - 1] = 200;
      SEND (p, len);
      /* 5. extension flag, extension of 1000 words */
      len = make_packet (p, 98, seq + 1, ts, SSRC, a, 16);
      p[0] = 0x90;
      GST_WRITE_UINT16_BE (p + 14, 1000);
      SEND (p, len);
      /* 6. 5 bytes of payload: not whole 6-byte frames */
      len = make_packet (p, 98, seq + 1, ts, SSRC, a, 5);
      SEND (p, len);
      /* 7. no payload at all */
      len = make_packet (p, 98, seq + 1, ts, SSRC, a, 0);
      SEND (p, len);
      /* 8. another payload type (foreign) */
      len = make_packet (p, 97, seq + 1, ts, SSRC, a, 288);
      SEND (p, len);
      /* 9. another SSRC while locked (foreign) */
      len = make_packet (p, 98, seq + 1, ts, SSRC + 1, a, 288);
      SEND (p, len);
      /* 10. a duplicate of the packet just sent */
      len = make_packet (p, 98, seq, ts, SSRC, a + i * 288, 288);
      SEND (p, len);
    }
    seq++;
    ts += 48;
    /* one packet a ms on the monotonic clock, as a sender keeps time
     * (a slow iteration does not slow the stream down) */
    {
      gint64 wait = t0 + (gint64) (i + 1) * 1000 - g_get_monotonic_time ();

      if (wait > 0)
        g_usleep ((gulong) wait);
    }
  }
#undef SEND

  /* 60 x 288 bytes must come out, in order, exactly */
  pull_audio (appsink, out, 60 * 288, 10 * GST_SECOND, NULL);
  fail_unless_equals_int (out->len, 60 * 288);
  fail_unless (memcmp (out->data, a, 60 * 288) == 0, "audio altered");

  g_object_get (src, "stats", &st, NULL);
  gst_structure_get_uint64 (st, "packets-received", &v);
  fail_unless_equals_uint64 (v, 60);
  gst_structure_get_uint64 (st, "packets-malformed", &v);
  fail_unless_equals_uint64 (v, 7);
  gst_structure_get_uint64 (st, "packets-foreign", &v);
  fail_unless_equals_uint64 (v, 2);
  gst_structure_get_uint64 (st, "packets-duplicate", &v);
  fail_unless_equals_uint64 (v, 1);
  {
    gint64 lost;
    gst_structure_get_int64 (st, "packets-lost", &lost);
    fail_unless_equals_int64 (lost, 0);
  }
  gst_structure_free (st);
  fail_unless_equals_int (GST_STATE (rx), GST_STATE_PLAYING);

  gst_element_set_state (rx, GST_STATE_NULL);
  g_object_unref (dest);
  g_object_unref (lo);
  g_object_unref (sock);
  g_byte_array_unref (out);
  g_bytes_unref (audio);
  gst_object_unref (src);
  gst_object_unref (appsink);
  gst_object_unref (rx);
}

GST_END_TEST;

static gchar *
error_of (GstElement * pipe, GstState target)
{
  GstBus *bus = gst_element_get_bus (pipe);
  GstMessage *m;
  gchar *text = NULL;

  gst_element_set_state (pipe, target);
  m = gst_bus_timed_pop_filtered (bus, 3 * GST_SECOND, GST_MESSAGE_ERROR);
  if (m) {
    GError *err = NULL;
    gst_message_parse_error (m, &err, NULL);
    text = g_strdup (err->message);
    g_error_free (err);
    gst_message_unref (m);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (bus);
  return text;
}

/* 64 channels of L24 in 1 ms packets do not fit a 1500-byte MTU */
GST_START_TEST (test_mtu_error)
{
  GstElement *pipe;
  gchar *err, *desc;

  desc = g_strdup_printf ("audiotestsrc num-buffers=1 ! audio/x-raw,"
      "format=S24BE,rate=48000,channels=64 ! aes67sink address=127.0.0.1 "
      "port=%u", roundtrip_free_port ());
  pipe = gst_parse_launch (desc, NULL);
  g_free (desc);
  err = error_of (pipe, GST_STATE_PLAYING);
  fail_unless (err != NULL, "no error for a format over the MTU");
  /* 48 frames x 64 ch x 3 bytes = 9216, + 40 = 9256 over 1500 */
  fail_unless (strstr (err, "9216") && strstr (err, "9256")
      && strstr (err, "1500") && strstr (err, "MTU"), "%s", err);
  g_free (err);
  gst_object_unref (pipe);

  /* the same at 125 µs fits: 6 x 64 x 3 = 1152 */
  desc = g_strdup_printf ("audiotestsrc num-buffers=3 ! audio/x-raw,"
      "format=S24BE,rate=48000,channels=64 ! aes67sink address=127.0.0.1 "
      "port=%u ptime=125", roundtrip_free_port ());
  pipe = gst_parse_launch (desc, NULL);
  g_free (desc);
  err = error_of (pipe, GST_STATE_PLAYING);
  fail_unless (err == NULL, "%s", err);
  gst_object_unref (pipe);
}

GST_END_TEST;

/* bad configuration: a clear error, no crash */
GST_START_TEST (test_bad_configuration)
{
  static const struct
  {
    const gchar *pipeline;
    const gchar *says;
  } t[] = {
    {"aes67src sdp=\"hello\" ! fakesink", "cannot be played"},
    {"aes67src sdp=\"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nc=IN IP4 "
          "239.1.1.1/32\r\nt=0 0\r\nm=audio 5004 RTP/AVP 96\r\na=rtpmap:96 "
          "AM824/48000/2\r\n\" ! fakesink", "AM824"},
    {"aes67src sdp-file=/nonexistent/x.sdp ! fakesink", "/nonexistent/x.sdp"},
    {"aes67src ! fakesink", "No stream to receive"},
    {"aes67src address=239.1.1.1 encoding-name=L20 ! fakesink", "L20"},
    {"audiotestsrc ! aes67sink address=not-an-address", "not an IPv4"},
    {"audiotestsrc ! aes67sink address=127.0.0.1 ptime=500", "ptime 500"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (t); i++) {
    GstElement *pipe = gst_parse_launch (t[i].pipeline, NULL);
    gchar *err;

    fail_unless (pipe != NULL, "%s", t[i].pipeline);
    err = error_of (pipe, GST_STATE_PAUSED);
    fail_unless (err != NULL, "no error for %s", t[i].pipeline);
    fail_unless (strstr (err, t[i].says) != NULL, "'%s' says '%s'",
        t[i].pipeline, err);
    g_free (err);
    gst_object_unref (pipe);
  }
}

GST_END_TEST;

/* SDP files that are no SDP text: NULL to READY fails at once (no read of
 * /dev/zero, no wait on a FIFO) with an error in valid UTF-8 (message and
 * debug text) that names the file and says what is wrong */
GST_START_TEST (test_sdp_file_refused)
{
  gchar *dir = g_dir_make_tmp ("aes67src-XXXXXX", NULL);
  gchar *fifo = g_build_filename (dir, "fifo.sdp", NULL);
  gchar *bin = g_build_filename (dir, "binary.sdp", NULL);
  gchar *high = g_build_filename (dir, "high.sdp", NULL);
  gchar *big = g_build_filename (dir, "big.sdp", NULL);
  gchar *latin1 = g_build_filename (dir, "K\xf6ln", NULL);
  gchar *big_text = g_strnfill (20000, 'a');
  guint8 noise[4096], high_bytes[512];
  const struct
  {
    const gchar *path;
    const gchar *says[3];
  } t[] = {
    {"/dev/zero", {"/dev/zero", "a character device", NULL}},
    {dir, {"a directory", NULL}},
    {fifo, {"fifo.sdp", "a FIFO", NULL}},
    {bin, {"binary.sdp", "binary", NULL}},
    {big, {"big.sdp", "16384", NULL}},
    /* no NUL, not UTF-8: read, refused by the reader */
    {high, {"high.sdp", "not a session description", NULL}},
    /* a file name that is not UTF-8 */
    {latin1, {"K\xef\xbf\xbdln", "a directory", NULL}},
  };
  guint i, k;

  for (i = 0; i < sizeof (noise); i++)
    noise[i] = (guint8) (g_random_int () | (i % 97 == 0 ? 0 : 1));
  noise[100] = 0;
  for (i = 0; i < sizeof (high_bytes); i++)
    high_bytes[i] = 0x80 + (i % 0x7f);
  fail_unless (mkfifo (fifo, 0600) == 0);
  fail_unless (g_file_set_contents (bin, (const gchar *) noise,
          sizeof (noise), NULL));
  fail_unless (g_file_set_contents (high, (const gchar *) high_bytes,
          sizeof (high_bytes), NULL));
  fail_unless (g_file_set_contents (big, big_text, -1, NULL));
  fail_unless (g_mkdir (latin1, 0700) == 0);

  for (i = 0; i < G_N_ELEMENTS (t); i++) {
    GstElement *pipe = gst_pipeline_new (NULL);
    GstElement *src = gst_element_factory_make ("aes67src", NULL);
    GstElement *sink = gst_element_factory_make ("fakesink", NULL);
    GstBus *bus = gst_element_get_bus (pipe);
    GstMessage *m;
    GError *err = NULL;
    gchar *debug = NULL;

    gst_bin_add_many (GST_BIN (pipe), src, sink, NULL);
    fail_unless (gst_element_link (src, sink));
    g_object_set (src, "sdp-file", t[i].path, NULL);
    fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_READY),
        GST_STATE_CHANGE_FAILURE);
    m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    fail_unless (m != NULL, "no error for %s", t[i].path);
    gst_message_parse_error (m, &err, &debug);
    fail_unless (g_utf8_validate (err->message, -1, NULL), "%s", t[i].path);
    fail_unless (!debug || g_utf8_validate (debug, -1, NULL), "%s", t[i].path);
    for (k = 0; t[i].says[k]; k++)
      fail_unless (strstr (err->message, t[i].says[k]) != NULL,
          "%s: '%s' does not say '%s'", t[i].path, err->message, t[i].says[k]);
    g_error_free (err);
    g_free (debug);
    gst_message_unref (m);
    gst_element_set_state (pipe, GST_STATE_NULL);
    gst_object_unref (bus);
    gst_object_unref (pipe);
  }

  g_unlink (fifo);
  g_unlink (bin);
  g_unlink (high);
  g_unlink (big);
  g_rmdir (latin1);
  g_rmdir (dir);
  g_free (fifo);
  g_free (bin);
  g_free (high);
  g_free (big);
  g_free (latin1);
  g_free (big_text);
  g_free (dir);
}

GST_END_TEST;

/* Pops warning messages off @bus for up to 5 s until one says all of
 * @says (NULL-terminated); returns its text (g_free) or NULL. */
static gchar *
wait_warning (GstBus * bus, const gchar ** says)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  GstMessage *m;

  while ((m = gst_bus_timed_pop_filtered (bus,
              MAX (0, end - g_get_monotonic_time ()) * GST_USECOND,
              GST_MESSAGE_WARNING))) {
    GError *err = NULL;
    gchar *text;
    guint k;
    gboolean all = TRUE;

    gst_message_parse_warning (m, &err, NULL);
    gst_message_unref (m);
    text = g_strdup (err->message);
    g_error_free (err);
    for (k = 0; says[k]; k++)
      all &= strstr (text, says[k]) != NULL;
    if (all)
      return text;
    g_free (text);
  }
  return NULL;
}

/* An SDP read around is played, and a warning says what was read around:
 * a=ptime:0 */
GST_START_TEST (test_sdp_warning_ptime)
{
  GstElement *src = gst_element_factory_make ("aes67src", NULL);
  GstBus *bus = gst_bus_new ();
  const gchar *says[] = { "media line 1", "a=ptime:0", NULL };
  gchar *w;

  gst_element_set_bus (src, bus);
  g_object_set (src, "sdp", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=P\r\n"
      "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5004 RTP/AVP 97\r\n"
      "a=rtpmap:97 L24/48000/2\r\na=ptime:0\r\n", NULL);
  fail_unless_equals_int (gst_element_set_state (src, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  w = wait_warning (bus, says);
  fail_unless (w != NULL, "no warning about a=ptime:0 on media line 1");
  g_free (w);
  gst_element_set_state (src, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
}

GST_END_TEST;

#define AES67_MUTABLE_FLAGS (GST_PARAM_MUTABLE_READY | GST_PARAM_MUTABLE_PAUSED \
    | GST_PARAM_MUTABLE_PLAYING)

/* Whether @factory's property @name may be changed in READY. */
static gboolean
mutable_in_ready (const gchar * factory, const gchar * name)
{
  GstElement *e = gst_element_factory_make (factory, NULL);
  GParamSpec *ps;
  gboolean ret;

  fail_unless (e != NULL, "no %s", factory);
  ps = g_object_class_find_property (G_OBJECT_GET_CLASS (e), name);
  fail_unless (ps != NULL, "%s has no property %s", factory, name);
  ret = (ps->flags & AES67_MUTABLE_FLAGS) != 0;
  gst_object_unref (e);
  return ret;
}

/* The link offset aes67src @src uses (its stats' latency-ms), in ms. */
static guint
link_offset_in_use (GstElement * src)
{
  GstStructure *st = NULL;
  guint latency = G_MAXUINT;

  g_object_get (src, "stats", &st, NULL);
  fail_unless (st != NULL);
  gst_structure_get_uint (st, "latency-ms", &latency);
  gst_structure_free (st);
  fail_if (latency == G_MAXUINT, "no latency-ms in aes67src's stats");
  return latency;
}

/* A property read only when the element leaves NULL says so in its flags
 * (no GST_PARAM_MUTABLE_*), and setting it in READY posts a warning naming
 * it; the value takes effect at the next NULL to READY. Properties that are
 * read later keep their flag and set quietly in READY. */
GST_START_TEST (test_property_flags_match_use)
{
  const gchar *null_only[][2] = {
    {"aes67src", "sdp"}, {"aes67src", "sdp-file"}, {"aes67src", "session-name"},
    {"aes67src", "discovery-timeout"}, {"aes67src", "address"},
    {"aes67src", "port"}, {"aes67src", "encoding-name"}, {"aes67src", "rate"},
    {"aes67src", "channels"}, {"aes67src", "payload-type"},
    {"aes67src", "latency"}, {"aes67src", "multicast-iface"},
    {"aes67src", "buffer-size"},
    {"sapannounce", "address"}, {"sapannounce", "port"},
    {"sapannounce", "ttl"}, {"sapannounce", "multicast-iface"},
    {"sapannounce", "loop"},
    {"ptpclock", "backend"}, {"ptpclock", "domain"}, {"ptpclock", "interface"},
    {"ptpclock", "uds-path"}, {"ptpclock", "phc-device"},
  };
  const gchar *in_ready[][2] = {
    {"aes67src", "playout"}, {"aes67src", "ignore-grandmaster"},
    {"aes67src", "timeout"}, {"aes67src", "stats-interval"},
    {"sapannounce", "interval"}, {"sapannounce", "sdp"},
    {"sapannounce", "sdp-files"}, {"sapannounce", "auto"},
    {"sapannounce", "mdns"}, {"ptpclock", "sync-timeout"},
    {"aes67sink", "address"}, {"aes67sink", "port"},
    {"aes67sink", "multicast-iface"}, {"aes67sink", "ptime"},
  };
  const gchar *says[] = { "latency", "READY", NULL };
  GstElement *src = gst_element_factory_make ("aes67src", NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *m;
  guint i;
  gchar *w;

  for (i = 0; i < G_N_ELEMENTS (null_only); i++)
    fail_if (mutable_in_ready (null_only[i][0], null_only[i][1]),
        "%s::%s is read only at NULL to READY but flagged mutable",
        null_only[i][0], null_only[i][1]);
  for (i = 0; i < G_N_ELEMENTS (in_ready); i++)
    fail_unless (mutable_in_ready (in_ready[i][0], in_ready[i][1]),
        "%s::%s lost its mutable flag", in_ready[i][0], in_ready[i][1]);

  gst_element_set_bus (src, bus);
  g_object_set (src, "latency", 40, "sdp",
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=F\r\n"
      "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5004 RTP/AVP 97\r\n"
      "a=rtpmap:97 L24/48000/2\r\na=ptime:1\r\n", NULL);
  fail_unless_equals_int (gst_element_set_state (src, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  gst_bus_set_flushing (bus, TRUE);
  gst_bus_set_flushing (bus, FALSE);
  fail_unless_equals_int (link_offset_in_use (src), 40);

  /* a property read later: set quietly (the warning would be posted from
   * set_property itself, so it would be on the bus already) */
  g_object_set (src, "playout", 1, NULL);
  m = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  fail_unless (m == NULL, "a warning for playout, which READY allows");

  /* latency in READY: a warning, and the running stream keeps 40 ms */
  g_object_set (src, "latency", 60, NULL);
  w = wait_warning (bus, says);
  fail_unless (w != NULL, "no warning that latency set in READY is late");
  g_free (w);
  fail_unless_equals_int (link_offset_in_use (src), 40);

  /* the value is kept and applied at the next start */
  fail_unless_equals_int (gst_element_set_state (src, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (gst_element_set_state (src, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (link_offset_in_use (src), 60);

  gst_element_set_state (src, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
}

GST_END_TEST;

/* A published Dante SDP: "m=audio <port> RTP/AVP 97" with only
 * "a=rtpmap:96 L24/48000/2". Real packets of payload type 97 come out
 * byte for byte, none is counted foreign, the caps are L24 stereo 48 kHz,
 * and a warning names both payload types. */
GST_START_TEST (test_dante_payload_type_mismatch)
{
  GstElement *rx, *src, *appsink;
  GstBus *bus;
  GSocket *sock;
  GSocketAddress *dest;
  GInetAddress *lo;
  guint port = roundtrip_free_port ();
  gchar *sdp, *w;
  GBytes *audio = roundtrip_make_audio (60 * 288, 97);
  const guint8 *a = g_bytes_get_data (audio, NULL);
  GByteArray *out = g_byte_array_new ();
  const gchar *says[] = { "media line 1", "payload type 97",
    "payload type 96", NULL
  };
  guint8 p[2048];
  gsize len;
  guint i, seq = 7, ts = 1000;
  GstStructure *st;
  guint64 v;
  GstCaps *caps = NULL, *expect;

  sdp = g_strdup_printf ("v=0\r\no=- 1311738121 1 IN IP4 127.0.0.1\r\n"
      "s=Dante mismatch\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      "m=audio %u RTP/AVP 97\r\na=rtpmap:96 L24/48000/2\r\na=ptime:1\r\n"
      "a=recvonly\r\n", port);
  rx = gst_pipeline_new ("rx");
  src = gst_element_factory_make ("aes67src", NULL);
  appsink = gst_element_factory_make ("appsink", NULL);
  g_object_set (src, "sdp", sdp, "latency", 20, NULL);
  g_object_set (appsink, "sync", FALSE, NULL);
  gst_bin_add_many (GST_BIN (rx), src, appsink, NULL);
  fail_unless (gst_element_link (src, appsink));
  bus = gst_element_get_bus (rx);
  fail_unless (gst_element_set_state (rx, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  w = wait_warning (bus, says);
  fail_unless (w != NULL, "no warning naming payload types 96 and 97");
  g_free (w);
  /* udpsrc bound its socket going from NULL to READY, inside the state
   * change: no wait needed before sending */

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, NULL);
  lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  dest = g_inet_socket_address_new (lo, port);
  for (i = 0; i < 60; i++) {
    len = make_packet (p, 97, seq++, ts, 0xda7e0001, a + i * 288, 288);
    g_socket_send_to (sock, dest, (const gchar *) p, len, NULL, NULL);
    ts += 48;
    g_usleep (1000);
  }

  pull_audio (appsink, out, 60 * 288, 5 * GST_SECOND, &caps);
  fail_unless_equals_int (out->len, 60 * 288);
  fail_unless (memcmp (out->data, a, 60 * 288) == 0, "audio altered");
  expect = gst_caps_from_string ("audio/x-raw, format=S24BE, rate=48000, "
      "channels=2, layout=interleaved, channel-mask=(bitmask)0x3");
  fail_unless (caps && gst_caps_is_equal (caps, expect), "%s", CAPS_STR (caps));
  gst_caps_unref (expect);
  gst_caps_unref (caps);

  g_object_get (src, "stats", &st, NULL);
  gst_structure_get_uint64 (st, "packets-received", &v);
  fail_unless_equals_uint64 (v, 60);
  gst_structure_get_uint64 (st, "packets-foreign", &v);
  fail_unless_equals_uint64 (v, 0);
  gst_structure_free (st);

  gst_element_set_state (rx, GST_STATE_NULL);
  g_object_unref (dest);
  g_object_unref (lo);
  g_object_unref (sock);
  g_byte_array_unref (out);
  g_bytes_unref (audio);
  g_free (sdp);
  gst_object_unref (bus);
  gst_object_unref (rx);
}

GST_END_TEST;


/* media-clock playout (RFC 7273): sender and receivers share the pipeline
 * clock (GstSystemClock, one process). The audio counts its own samples;
 * every output buffer's time (PTS + base time) is the capture clock time
 * of its first sample, within 1 sample; two receivers agree; each
 * receiver's pipeline latency is the link offset, so the audio plays out
 * the link offset after its capture. */
GST_START_TEST (test_media_clock_playout)
{
  GstElement *tx, *appsrc, *sink, *rx[2];
  Playout p[2];
  guint64 next = 0;
  guint port = roundtrip_free_port (), r;
  gchar *sdp = NULL, *desc;
  GstCaps *caps;

  tx = gst_pipeline_new ("tx");
  appsrc = gst_element_factory_make ("appsrc", NULL);
  sink = gst_element_factory_make ("aes67sink", NULL);
  caps = gst_caps_from_string ("audio/x-raw,format=S16BE,rate=48000,"
      "channels=1,layout=interleaved");
  g_object_set (appsrc, "caps", caps, "format", GST_FORMAT_TIME, "is-live",
      TRUE, "max-bytes", (guint64) 4800, NULL);
  gst_caps_unref (caps);
  g_signal_connect (appsrc, "need-data", G_CALLBACK (count_need_data), &next);
  g_object_set (sink, "address", "239.69.77.1", "port", port,
      "multicast-iface", "lo", NULL);
  gst_bin_add_many (GST_BIN (tx), appsrc, sink, NULL);
  gst_element_link (appsrc, sink);
  /* one clock for all: the sender's */
  gst_pipeline_use_clock (GST_PIPELINE (tx), gst_system_clock_obtain ());
  gst_element_set_state (tx, GST_STATE_PLAYING);
  {
    gint64 end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
    while (!sdp && g_get_monotonic_time () < end) {
      g_object_get (sink, "sdp", &sdp, NULL);
      g_usleep (10000);
    }
  }
  fail_unless (sdp != NULL);

  for (r = 0; r < 2; r++) {
    GstElement *src, *out;

    memset (&p[r], 0, sizeof (Playout));
    g_mutex_init (&p[r].lock);
    /* multicast on lo: two receivers of one stream; the sink adds no
     * latency of its own (processing-deadline=0), so the pipeline's
     * latency is the link offset */
    desc = g_strdup_printf ("aes67src name=src playout=media-clock "
        "multicast-iface=lo latency=%u ! appsink name=out sync=true "
        "processing-deadline=0", 20 + 5 * r);
    rx[r] = gst_parse_launch (desc, NULL);
    g_free (desc);
    p[r].pipe = rx[r];
    p[r].tx_base = gst_element_get_base_time (tx);
    p[r].first_pts = 0;
    src = gst_bin_get_by_name (GST_BIN (rx[r]), "src");
    out = gst_bin_get_by_name (GST_BIN (rx[r]), "out");
    g_object_set (src, "sdp", sdp, NULL);
    g_object_set (out, "emit-signals", TRUE, NULL);
    g_signal_connect (out, "new-sample", G_CALLBACK (playout_sample), &p[r]);
    gst_pipeline_use_clock (GST_PIPELINE (rx[r]), gst_system_clock_obtain ());
    gst_element_set_state (rx[r], GST_STATE_PLAYING);
    gst_object_unref (src);
    gst_object_unref (out);
  }
  /* until both receivers have played 50 buffers out; 1 s on an idle
   * machine, a generous deadline for a busy one */
  {
    gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    guint least = 0;

    while (least <= 50 && g_get_monotonic_time () < end) {
      g_usleep (20000);
      least = G_MAXUINT;
      for (r = 0; r < 2; r++) {
        g_mutex_lock (&p[r].lock);
        least = MIN (least, p[r].n);
        g_mutex_unlock (&p[r].lock);
      }
    }
  }

  for (r = 0; r < 2; r++) {
    GstQuery *q = gst_query_new_latency ();
    gboolean live;
    GstClockTime min, max;
    GstElement *src = gst_bin_get_by_name (GST_BIN (rx[r]), "src");
    GstStructure *st;

    fail_unless (gst_element_query (rx[r], q));
    gst_query_parse_latency (q, &live, &min, &max);
    gst_query_unref (q);
    /* the link offset, and nothing else, is the playout delay */
    fail_unless (live);
    fail_unless_equals_uint64 (min, (20 + 5 * r) * GST_MSECOND);
    g_object_get (src, "stats", &st, NULL);
    fail_unless_equals_string (gst_structure_get_string (st, "playout"),
        "media-clock");
    gst_structure_free (st);
    gst_object_unref (src);

    g_mutex_lock (&p[r].lock);
    fail_unless (p[r].n > 50, "receiver %u: %u buffers", r, p[r].n);
    /* within 1 sample (20.8 µs) of the capture clock time */
    fail_unless (p[r].worst_ns <= 20834, "receiver %u: output time off the "
        "capture time by %" G_GINT64_FORMAT " ns", r, p[r].worst_ns);
    g_mutex_unlock (&p[r].lock);
  }
  g_print ("media-clock playout: %u and %u buffers, worst |PTS + base - "
      "capture| %" G_GINT64_FORMAT " / %" G_GINT64_FORMAT " ns\n", p[0].n,
      p[1].n, p[0].worst_ns, p[1].worst_ns);

  for (r = 0; r < 2; r++) {
    gst_element_set_state (rx[r], GST_STATE_NULL);
    gst_object_unref (rx[r]);
    g_mutex_clear (&p[r].lock);
  }
  gst_element_set_state (tx, GST_STATE_NULL);
  gst_object_unref (tx);
  g_free (sdp);
}

GST_END_TEST;

static Suite *
aes67_suite (void)
{
  Suite *s = suite_create ("aes67");
  TCase *tc = tcase_create ("loopback");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_roundtrip_unicast);
  tcase_add_test (tc, test_wire_pacing_and_media_clock);
  tcase_add_test (tc, test_format_conversion);
  tcase_add_test (tc, test_stream_lost_and_restored);
  tcase_add_test (tc, test_malformed_packets);
  tcase_add_test (tc, test_mtu_error);
  tcase_add_test (tc, test_bad_configuration);
  tcase_add_test (tc, test_sdp_file_refused);
  tcase_add_test (tc, test_sdp_warning_ptime);
  tcase_add_test (tc, test_property_flags_match_use);
  tcase_add_test (tc, test_dante_payload_type_mismatch);
  tcase_add_test (tc, test_media_clock_playout);
  return s;
}

GST_CHECK_MAIN (aes67);
