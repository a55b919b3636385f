/* gst-aes67: tests of the shared receive engine
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Real sockets on loopback (unicast on 127.0.0.1, multicast on lo), RTP
 * packets made by hand and sent with a plain UDP socket, audio read back
 * with aes67_rx_stream_read. Every wait is on a condition (the engine's
 * counters), with a generous deadline.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <gio/gio.h>
#include <gst/check/gstcheck.h>

#include "aes67-rx-engine.h"

#define CH 2
#define SB 3
#define FB (CH * SB)
#define FPP 48
#define PT 97
#define SSRC_A 0x11223344u
#define SSRC_B 0x55667788u
#define DEADLINE_US (20 * G_USEC_PER_SEC)

/* the sample of channel @ch of frame @ts: a counter, never 0 */
static guint32
sample_of (guint32 ts, guint ch)
{
  return ((ts * 2u + ch) % 0xfffffeu) + 1;
}

static void
fill_frames (guint8 * p, guint32 ts, guint n)
{
  guint i, c;

  for (i = 0; i < n; i++)
    for (c = 0; c < CH; c++) {
      guint32 v = sample_of (ts + i, c);
      guint8 *q = p + i * FB + c * SB;

      q[0] = v >> 16;
      q[1] = v >> 8;
      q[2] = v;
    }
}

/* a free UDP port (of 127.0.0.1's ephemeral range) */
static guint
free_port (void)
{
  struct sockaddr_in sa = { 0, };
  socklen_t l = sizeof (sa);
  gint fd = socket (AF_INET, SOCK_DGRAM, 0);
  guint port;

  fail_unless (fd >= 0);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  fail_unless (bind (fd, (struct sockaddr *) &sa, sizeof (sa)) == 0);
  fail_unless (getsockname (fd, (struct sockaddr *) &sa, &l) == 0);
  port = ntohs (sa.sin_port);
  close (fd);
  return port;
}

static gint
sender_new (const gchar * from)
{
  gint fd = socket (AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in sa = { 0, };
  struct in_addr lo;

  fail_unless (fd >= 0);
  sa.sin_family = AF_INET;
  inet_pton (AF_INET, from ? from : "127.0.0.1", &sa.sin_addr);
  fail_unless (bind (fd, (struct sockaddr *) &sa, sizeof (sa)) == 0,
      "bind %s: %s", from, g_strerror (errno));
  inet_pton (AF_INET, "127.0.0.1", &lo);
  fail_unless (setsockopt (fd, IPPROTO_IP, IP_MULTICAST_IF, &lo,
          sizeof (lo)) == 0);
  return fd;
}

static void
send_raw (gint fd, const gchar * to, guint port, const guint8 * p, gsize len)
{
  struct sockaddr_in sa = { 0, };

  sa.sin_family = AF_INET;
  sa.sin_port = htons (port);
  inet_pton (AF_INET, to, &sa.sin_addr);
  fail_unless (sendto (fd, p, len, 0, (struct sockaddr *) &sa,
          sizeof (sa)) == (gssize) len, "sendto: %s", g_strerror (errno));
}

static gsize
make_rtp (guint8 * p, guint pt, guint16 seq, guint32 ts, guint32 ssrc, guint nf)
{
  p[0] = 0x80;
  p[1] = pt;
  GST_WRITE_UINT16_BE (p + 2, seq);
  GST_WRITE_UINT32_BE (p + 4, ts);
  GST_WRITE_UINT32_BE (p + 8, ssrc);
  fill_frames (p + 12, ts, nf);
  return 12 + nf * FB;
}

static void
send_pkt (gint fd, const gchar * to, guint port, guint16 seq, guint32 ts,
    guint32 ssrc)
{
  guint8 p[1500];
  gsize len = make_rtp (p, PT, seq, ts, ssrc, FPP);

  send_raw (fd, to, port, p, len);
}

static Aes67RxConfig
config (const gchar * addr, guint port, guint ring)
{
  Aes67RxConfig c = { 0, };

  c.address = addr;
  c.port = port;
  c.payload_type = PT;
  c.channels = CH;
  c.sample_bytes = SB;
  c.rate = 48000;
  c.ring_frames = ring;
  c.buffer_size = 1 << 20;
  return c;
}

static Aes67RxStream *
stream_new (const Aes67RxConfig * c)
{
  GError *err = NULL;
  Aes67RxStream *s = aes67_rx_stream_new (c, &err);

  fail_unless (s != NULL, "stream: %s", err ? err->message : "?");
  return s;
}

typedef enum
{
  F_RECEIVED, F_MALFORMED, F_FOREIGN, F_DUPLICATE, F_EARLY, F_LATE
} Field;

static guint64
field (const Aes67RxStats * st, Field f)
{
  switch (f) {
    case F_RECEIVED:
      return st->received;
    case F_MALFORMED:
      return st->malformed;
    case F_FOREIGN:
      return st->foreign;
    case F_DUPLICATE:
      return st->duplicate;
    case F_EARLY:
      return st->early;
    case F_LATE:
      return st->late;
  }
  return 0;
}

/* waits until the counter reaches @n; fails at the deadline */
static void
wait_for (Aes67RxStream * s, Field f, guint64 n, Aes67RxStats * out)
{
  gint64 end = g_get_monotonic_time () + DEADLINE_US;
  Aes67RxStats st;

  for (;;) {
    aes67_rx_stream_get_stats (s, &st);
    if (field (&st, f) >= n)
      break;
    fail_unless (g_get_monotonic_time () < end,
        "waited 20 s for counter %d to reach %" G_GUINT64_FORMAT ", at %"
        G_GUINT64_FORMAT, f, n, field (&st, f));
    g_usleep (1000);
  }
  fail_unless_equals_uint64 (field (&st, f), n);
  if (out)
    *out = st;
}

/* waits until at least @n packets were received */
static void
wait_for_at_least (Aes67RxStream * s, guint64 n)
{
  gint64 end = g_get_monotonic_time () + DEADLINE_US;
  Aes67RxStats st;

  for (;;) {
    aes67_rx_stream_get_stats (s, &st);
    if (st.received >= n)
      return;
    fail_unless (g_get_monotonic_time () < end, "waited 20 s for %"
        G_GUINT64_FORMAT " packets, at %" G_GUINT64_FORMAT, n, st.received);
    g_usleep (100);
  }
}

/* reads @n frames from @ts and checks them against the counter signal,
 * with zeroes where @missing (frame index -> TRUE) says; returns got */
static guint
read_check (Aes67RxStream * s, guint32 ts, guint n, const gboolean * missing)
{
  guint8 *got = g_malloc (n * FB), *want = g_malloc0 (n * FB);
  guint i, r, expect_got = 0, expect_first = n;
  guint fm;

  fill_frames (want, ts, n);
  for (i = 0; i < n; i++) {
    if (missing && missing[i]) {
      memset (want + i * FB, 0, FB);
      if (expect_first == n)
        expect_first = i;
    } else {
      expect_got++;
    }
  }
  r = aes67_rx_stream_read (s, ts, n, got, &fm);
  for (i = 0; i < n; i++)
    fail_unless (memcmp (got + i * FB, want + i * FB, FB) == 0,
        "frame %u (ts %u) differs", i, ts + i);
  fail_unless_equals_int (r, expect_got);
  fail_unless_equals_int (fm, expect_first);
  g_free (got);
  g_free (want);
  return r;
}

/* in order, bit-exact; read frames are gone */
static void
run_in_order (guint16 seq0, guint32 ts0, guint n)
{
  guint port = free_port ();
  Aes67RxConfig c = config ("127.0.0.1", port, 4096);
  Aes67RxStream *s = stream_new (&c);
  gint fd = sender_new (NULL);
  Aes67RxStats st;
  Aes67RxAnchor a;
  guint i;
  gboolean *none;
  gint64 t_start = aes67_rx_now ();
  guint8 pre[FPP * FB];

  /* silence before the first packet is not concealment */
  fail_unless_equals_int (aes67_rx_stream_read (s, ts0 - FPP, FPP, pre,
          NULL), 0);
  aes67_rx_stream_seek (s, ts0);
  for (i = 0; i < n; i++)
    send_pkt (fd, "127.0.0.1", port, seq0 + i, ts0 + i * FPP, SSRC_A);
  wait_for (s, F_RECEIVED, n, &st);
  /* sent in a burst, 1 ms of RTP time apart: some jitter, and no more
   * than the largest transit difference can be (the whole time taken plus
   * the RTP time sent) */
  fail_unless (st.jitter_us > 0.0);
  fail_unless (st.jitter_us <= (aes67_rx_now () - t_start) / 1000.0 +
      n * 1000.0, "jitter %f us", st.jitter_us);
  fail_unless_equals_uint64 (st.lost, 0);
  fail_unless_equals_uint64 (st.reordered, 0);
  fail_unless_equals_uint64 (st.duplicate, 0);
  fail_unless_equals_uint64 (st.malformed, 0);
  fail_unless_equals_uint64 (st.foreign, 0);
  fail_unless_equals_int (st.ssrc, SSRC_A);
  fail_unless_equals_int (st.state, AES67_STREAM_RECEIVING);
  fail_unless (st.last_arrival > 0 && st.last_arrival <= aes67_rx_now ());
  aes67_rx_stream_get_anchor (s, &a);
  fail_unless (a.valid);

  fail_unless_equals_int (read_check (s, ts0, n * FPP, NULL), n * FPP);
  /* handed out once */
  none = g_new (gboolean, n * FPP);
  for (i = 0; i < n * FPP; i++)
    none[i] = TRUE;
  fail_unless_equals_int (read_check (s, ts0, n * FPP, none), 0);
  g_free (none);
  aes67_rx_stream_get_stats (s, &st);
  /* the second read found nothing: all of it concealed, and nothing was
   * late or early */
  fail_unless_equals_uint64 (st.late, 0);
  fail_unless_equals_uint64 (st.early, 0);
  fail_unless_equals_uint64 (st.samples_concealed, n * FPP);
  fail_unless (aes67_rx_stream_set_lost (s, aes67_rx_now ()));
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.lost, 0);
  fail_unless_equals_int (st.state, AES67_STREAM_LOST);

  close (fd);
  aes67_rx_stream_free (s);
}

GST_START_TEST (test_in_order)
{
  run_in_order (100, 1000, 40);
}

GST_END_TEST;

GST_START_TEST (test_seq_wrap)
{
  run_in_order (65530, 5000, 20);
}

GST_END_TEST;

GST_START_TEST (test_ts_wrap)
{
  /* RTP timestamps run through 2^32 in the middle of a packet */
  run_in_order (7, 0xffffffffu - 5 * FPP + 10, 12);
}

GST_END_TEST;

/* sends packets in the order @order (packet indices), seq = 200 + index,
 * ts = index * FPP */
static Aes67RxStream *
send_order (const gint * order, guint n, guint expect_received, guint ring,
    guint * port_out)
{
  guint port = free_port ();
  Aes67RxConfig c = config ("127.0.0.1", port, ring);
  Aes67RxStream *s = stream_new (&c);
  gint fd = sender_new (NULL);
  guint i;

  for (i = 0; i < n; i++)
    send_pkt (fd, "127.0.0.1", port, 200 + order[i], order[i] * FPP, SSRC_A);
  wait_for (s, F_RECEIVED, expect_received, NULL);
  close (fd);
  if (port_out)
    *port_out = port;
  return s;
}

GST_START_TEST (test_reorder)
{
  static const gint order[] = { 0, 2, 1, 3, 6, 4, 5, 7, 9, 8 };
  Aes67RxStream *s = send_order (order, 10, 10, 4096, NULL);
  Aes67RxStats st;

  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.reordered, 4);  /* 1, 4, 5, 8 */
  fail_unless_equals_uint64 (st.duplicate, 0);
  read_check (s, 0, 10 * FPP, NULL);
  aes67_rx_stream_set_lost (s, aes67_rx_now ());
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.lost, 0);
  fail_unless_equals_uint64 (st.samples_concealed, 0);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

GST_START_TEST (test_duplicate)
{
  static const gint order[] = { 0, 1, 1, 2, 3, 3, 1, 4 };
  guint port;
  Aes67RxStream *s;
  Aes67RxStats st;

  /* 5 distinct packets; the last (4) arrives after every duplicate */
  s = send_order (order, 8, 5, 4096, &port);
  wait_for (s, F_DUPLICATE, 3, &st);
  fail_unless_equals_uint64 (st.reordered, 0);
  read_check (s, 0, 5 * FPP, NULL);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

GST_START_TEST (test_loss_audio)
{
  static const gint order[] = { 0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 14, 15,
    16, 17, 18, 19
  };
  Aes67RxStream *s = send_order (order, G_N_ELEMENTS (order), 17, 4096, NULL);
  Aes67RxStats st;
  gboolean missing[20 * FPP] = { 0, };
  guint i;

  for (i = 0; i < FPP; i++) {
    missing[5 * FPP + i] = TRUE;
    missing[12 * FPP + i] = TRUE;
    missing[13 * FPP + i] = TRUE;
  }
  fail_unless_equals_int (read_check (s, 0, 20 * FPP, missing), 17 * FPP);
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.samples_concealed, 3 * FPP);
  /* still in the reorder window: not yet lost */
  fail_unless_equals_uint64 (st.lost, 0);
  fail_unless (aes67_rx_stream_set_lost (s, aes67_rx_now ()));
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.lost, 3);
  fail_unless_equals_uint64 (st.reordered, 0);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

/* numbers that leave the reorder window (64 at a ring of 1024 frames)
 * count as lost without a flush */
GST_START_TEST (test_loss_window)
{
  gint order[200];
  guint i, n = 0, port;
  Aes67RxStream *s;
  Aes67RxStats st;

  for (i = 0; i < 203; i++)
    if (i != 5 && i != 12 && i != 13)
      order[n++] = i;
  s = send_order (order, n, n, 1024, &port);
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.lost, 3);
  fail_unless_equals_uint64 (st.reordered, 0);
  /* number 5 comes after all: it was counted lost and stays so; its
   * frames were not read, so it is received, not late */
  {
    gint fd = sender_new (NULL);

    send_pkt (fd, "127.0.0.1", port, 200 + 5, 5 * FPP, SSRC_A);
    wait_for (s, F_RECEIVED, n + 1, &st);
    close (fd);
  }
  fail_unless_equals_uint64 (st.lost, 3);
  fail_unless_equals_uint64 (st.late, 0);
  fail_unless_equals_uint64 (st.reordered, 0);
  fail_unless_equals_uint64 (st.duplicate, 0);
  fail_unless (aes67_rx_stream_set_lost (s, aes67_rx_now ()));
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.lost, 3);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

/* an outage of 5000 packets with the sender running on */
GST_START_TEST (test_gap_5000)
{
  gint order[20];
  guint i;
  Aes67RxStream *s;
  Aes67RxStats st;
  Aes67RxAnchor a0, a1;

  for (i = 0; i < 10; i++) {
    order[i] = i;
    order[10 + i] = 5010 + i;
  }
  s = send_order (order, 10, 10, 1024, NULL);
  aes67_rx_stream_get_anchor (s, &a0);
  aes67_rx_stream_free (s);

  s = send_order (order, 20, 20, 1024, NULL);
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.reordered, 0);
  fail_unless (aes67_rx_stream_set_lost (s, aes67_rx_now ()));
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.lost, 5000);
  /* 5 s of RTP time in no time: the mapping broke */
  aes67_rx_stream_get_anchor (s, &a1);
  fail_unless (a1.valid);
  fail_unless (a1.epoch != a0.epoch);
  /* a packet of the new stretch (sent in a burst: the later ones have
   * less transit) */
  fail_unless (a1.rtp_ts >= 5010 * FPP && a1.rtp_ts <= 5019 * FPP);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

/* a jump of the sequence numbers the timestamps do not follow */
GST_START_TEST (test_seq_restart)
{
  guint port = free_port ();
  Aes67RxConfig c = config ("127.0.0.1", port, 4096);
  Aes67RxStream *s = stream_new (&c);
  gint fd = sender_new (NULL);
  Aes67RxStats st;
  Aes67RxAnchor a0, a1;
  guint i;

  for (i = 0; i < 10; i++)
    send_pkt (fd, "127.0.0.1", port, 10 + i, i * FPP, SSRC_A);
  wait_for (s, F_RECEIVED, 10, NULL);
  aes67_rx_stream_get_anchor (s, &a0);
  for (i = 10; i < 20; i++)
    send_pkt (fd, "127.0.0.1", port, 30000 + i, i * FPP, SSRC_A);
  wait_for (s, F_RECEIVED, 20, &st);
  fail_unless_equals_uint64 (st.lost, 0);
  aes67_rx_stream_get_anchor (s, &a1);
  fail_unless (a1.epoch != a0.epoch);
  read_check (s, 0, 20 * FPP, NULL);
  fail_unless (aes67_rx_stream_set_lost (s, aes67_rx_now ()));
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.lost, 0);
  close (fd);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

/* the anchor is the packet of least transit; a timestamp that jumps more
 * than 1 s against the arrival times starts a new epoch */
GST_START_TEST (test_anchor)
{
  guint port = free_port ();
  Aes67RxConfig c = config ("127.0.0.1", port, 1 << 17);
  Aes67RxStream *s = stream_new (&c);
  gint fd = sender_new (NULL);
  Aes67RxStats st;
  Aes67RxAnchor a;
  gint64 arr[4];
  const guint32 base = 1000000;
  guint epoch, sent = 2;

  aes67_rx_stream_get_anchor (s, &a);
  fail_if (a.valid);
  send_pkt (fd, "127.0.0.1", port, 0, base, SSRC_A);
  wait_for (s, F_RECEIVED, 1, &st);
  arr[0] = st.last_arrival;
  aes67_rx_stream_get_anchor (s, &a);
  fail_unless (a.valid);
  fail_unless_equals_int (a.rtp_ts, base);
  fail_unless_equals_int64 (a.arrival, arr[0]);
  epoch = a.epoch;

  /* 0.3 s of RTP time behind: more transit, the anchor stays (unless
   * 0.7 s went by between the two, which makes it a jump of over 1 s) */
  send_pkt (fd, "127.0.0.1", port, 1, base - 14400, SSRC_A);
  wait_for (s, F_RECEIVED, 2, &st);
  arr[1] = st.last_arrival;
  aes67_rx_stream_get_anchor (s, &a);
  if (arr[1] - arr[0] >= 700 * GST_MSECOND) {
    GST_INFO ("the machine held the test up for 0.7 s");
    fail_unless_equals_int (a.epoch, epoch + 1);
    fail_unless_equals_int (a.rtp_ts, base - 14400);
    epoch++;
  } else {
    fail_unless_equals_int (a.rtp_ts, base);
    fail_unless_equals_int (a.epoch, epoch);

    /* 0.3 s ahead: less transit than the first unless 0.3 s went by */
    send_pkt (fd, "127.0.0.1", port, 2, base + 14400, SSRC_A);
    wait_for (s, F_RECEIVED, ++sent, &st);
    arr[2] = st.last_arrival;
    aes67_rx_stream_get_anchor (s, &a);
    fail_unless_equals_int (a.epoch, epoch);
    if (arr[2] - arr[0] < 300 * GST_MSECOND) {
      fail_unless_equals_int (a.rtp_ts, base + 14400);
      fail_unless_equals_int64 (a.arrival, arr[2]);
    } else {
      fail_unless_equals_int (a.rtp_ts, base);
    }
  }

  /* 3 s ahead with no time for it: a new epoch from this packet */
  send_pkt (fd, "127.0.0.1", port, 3, base + 14400 + 144000, SSRC_A);
  wait_for (s, F_RECEIVED, ++sent, &st);
  arr[3] = st.last_arrival;
  aes67_rx_stream_get_anchor (s, &a);
  fail_unless_equals_int (a.epoch, epoch + 1);
  fail_unless_equals_int (a.rtp_ts, base + 14400 + 144000);
  fail_unless_equals_int64 (a.arrival, arr[3]);
  fail_unless (arr[1] >= arr[0]);
  close (fd);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

GST_START_TEST (test_late)
{
  guint port = free_port ();
  Aes67RxConfig c = config ("127.0.0.1", port, 4096);
  Aes67RxStream *s = stream_new (&c);
  gint fd = sender_new (NULL);
  Aes67RxStats st;
  gboolean missing[10 * FPP] = { 0, };
  guint i;

  for (i = 0; i < 10; i++)
    if (i != 5)
      send_pkt (fd, "127.0.0.1", port, i, i * FPP, SSRC_A);
  wait_for (s, F_RECEIVED, 9, NULL);
  for (i = 0; i < FPP; i++)
    missing[5 * FPP + i] = TRUE;
  /* read up to 480; packet 5 is missing */
  read_check (s, 0, 10 * FPP, missing);
  send_pkt (fd, "127.0.0.1", port, 5, 5 * FPP, SSRC_A);
  wait_for (s, F_LATE, 1, &st);
  fail_unless_equals_uint64 (st.received, 10);
  fail_unless_equals_uint64 (st.reordered, 1);
  /* not written */
  for (i = 0; i < FPP; i++)
    missing[i] = TRUE;
  read_check (s, 5 * FPP, FPP, missing);
  /* partly late: frames from the read position on are written */
  {
    gboolean m2[28] = { 0, };
    guint8 buf[20 * FB];

    fail_unless_equals_int (aes67_rx_stream_read (s, 480, 20, buf, NULL), 0);
    send_pkt (fd, "127.0.0.1", port, 10, 10 * FPP, SSRC_A);
    wait_for (s, F_LATE, 2, &st);
    read_check (s, 500, 28, m2);
  }
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.received, 11);
  /* 48 of packet 5 (first read), 48 again at the re-read, 20 of 480.. */
  fail_unless_equals_uint64 (st.samples_concealed, 48 + 48 + 20);
  close (fd);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

GST_START_TEST (test_early)
{
  guint port = free_port ();
  Aes67RxConfig c = config ("127.0.0.1", port, 1024);
  Aes67RxStream *s = stream_new (&c);
  gint fd = sender_new (NULL);
  Aes67RxStats st;

  send_pkt (fd, "127.0.0.1", port, 0, 0, SSRC_A);
  wait_for (s, F_RECEIVED, 1, NULL);
  read_check (s, 0, FPP, NULL);
  /* read position 48: a packet may start at most 1024 - 48 ahead */
  send_pkt (fd, "127.0.0.1", port, 1, FPP + 1024 - FPP + 1, SSRC_A);
  wait_for (s, F_EARLY, 1, &st);
  send_pkt (fd, "127.0.0.1", port, 2, FPP + 1024 - FPP, SSRC_A);
  wait_for (s, F_RECEIVED, 3, &st);
  fail_unless_equals_uint64 (st.early, 1);
  aes67_rx_stream_seek (s, FPP + 1024 - FPP);
  read_check (s, FPP + 1024 - FPP, FPP, NULL);
  close (fd);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

GST_START_TEST (test_malformed)
{
  guint port = free_port ();
  Aes67RxConfig c = config ("127.0.0.1", port, 4096);
  Aes67RxStream *s = stream_new (&c);
  gint fd = sender_new (NULL);
  Aes67RxStats st;
  guint8 p[4000];
  gsize len;
  guint n = 0;

  /* version 1 */
  len = make_rtp (p, PT, 0, 0, SSRC_A, FPP);
  p[0] = 0x40;
  send_raw (fd, "127.0.0.1", port, p, len);
  n++;
  /* shorter than a header */
  send_raw (fd, "127.0.0.1", port, p, 11);
  n++;
  /* 15 CSRCs, 12 + 24 bytes */
  len = make_rtp (p, PT, 0, 0, SSRC_A, 4);
  p[0] = 0x8f;
  send_raw (fd, "127.0.0.1", port, p, 36);
  n++;
  /* extension header cut */
  len = make_rtp (p, PT, 0, 0, SSRC_A, 0);
  p[0] = 0x90;
  send_raw (fd, "127.0.0.1", port, p, 14);
  n++;
  /* extension longer than the packet */
  len = make_rtp (p, PT, 0, 0, SSRC_A, 2);
  p[0] = 0x90;
  GST_WRITE_UINT16_BE (p + 12, 0xbede);
  GST_WRITE_UINT16_BE (p + 14, 3);      /* 12 bytes, 8 there */
  send_raw (fd, "127.0.0.1", port, p, len);
  n++;
  /* padding past the end */
  len = make_rtp (p, PT, 0, 0, SSRC_A, 4);
  p[0] = 0xa0;
  p[len - 1] = 255;
  send_raw (fd, "127.0.0.1", port, p, len);
  n++;
  /* padding of 0 */
  p[len - 1] = 0;
  send_raw (fd, "127.0.0.1", port, p, len);
  n++;
  /* a partial frame */
  len = make_rtp (p, PT, 0, 0, SSRC_A, FPP);
  send_raw (fd, "127.0.0.1", port, p, len - 1);
  n++;
  /* no payload */
  send_raw (fd, "127.0.0.1", port, p, 12);
  n++;
  /* oversized: 600 frames, 3612 bytes */
  len = make_rtp (p, PT, 0, 0, SSRC_A, 600);
  send_raw (fd, "127.0.0.1", port, p, len);
  n++;

  /* then a valid one with 2 CSRCs, an extension and 3 bytes of padding */
  p[0] = 0x80 | 0x20 | 0x10 | 2;
  p[1] = PT;
  GST_WRITE_UINT16_BE (p + 2, 1);
  GST_WRITE_UINT32_BE (p + 4, 96);
  GST_WRITE_UINT32_BE (p + 8, SSRC_A);
  memset (p + 12, 0xaa, 8);
  GST_WRITE_UINT16_BE (p + 20, 0xbede);
  GST_WRITE_UINT16_BE (p + 22, 1);
  memset (p + 24, 0xbb, 4);
  fill_frames (p + 28, 96, FPP);
  len = 28 + FPP * FB;
  p[len] = 0;
  p[len + 1] = 0;
  p[len + 2] = 3;
  send_raw (fd, "127.0.0.1", port, p, len + 3);

  wait_for (s, F_RECEIVED, 1, &st);
  fail_unless_equals_uint64 (st.malformed, n);
  fail_unless_equals_uint64 (st.foreign, 0);
  fail_unless_equals_int (st.state, AES67_STREAM_RECEIVING);
  read_check (s, 96, FPP, NULL);
  close (fd);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

GST_START_TEST (test_foreign_and_restore)
{
  guint port = free_port ();
  Aes67RxConfig c = config ("127.0.0.1", port, 4096);
  Aes67RxStream *s = stream_new (&c);
  gint fd = sender_new (NULL);
  Aes67RxStats st;
  Aes67RxRestore r;
  Aes67RxAnchor a0, a1;
  guint8 p[1500];
  gsize len;

  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_int (st.state, AES67_STREAM_WAITING);
  fail_unless_equals_int (st.ssrc, 0);
  fail_if (aes67_rx_stream_check_timeout (s, aes67_rx_now () + GST_SECOND, 1));

  send_pkt (fd, "127.0.0.1", port, 0, 0, SSRC_A);
  wait_for (s, F_RECEIVED, 1, NULL);
  len = make_rtp (p, 96, 1, FPP, SSRC_A, FPP);
  send_raw (fd, "127.0.0.1", port, p, len);
  send_pkt (fd, "127.0.0.1", port, 1, FPP, SSRC_B);
  send_pkt (fd, "127.0.0.1", port, 1, FPP, SSRC_A);
  wait_for (s, F_RECEIVED, 2, &st);
  fail_unless_equals_uint64 (st.foreign, 2);
  fail_unless_equals_int (st.ssrc, SSRC_A);
  fail_if (aes67_rx_stream_take_restored (s, &r));
  aes67_rx_stream_get_anchor (s, &a0);

  /* not yet: the time-out is counted from the last packet */
  fail_if (aes67_rx_stream_check_timeout (s, st.last_arrival + 999, 1000));
  fail_unless (aes67_rx_stream_check_timeout (s, st.last_arrival + 1000, 1000));
  fail_if (aes67_rx_stream_check_timeout (s, st.last_arrival + 2000, 1000));
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_int (st.state, AES67_STREAM_LOST);

  /* another sender takes over with its own SSRC and numbers */
  {
    gint64 before = st.last_arrival;

    send_pkt (fd, "127.0.0.1", port, 40000, 777777, SSRC_B);
    wait_for (s, F_RECEIVED, 3, &st);
    fail_unless (aes67_rx_stream_take_restored (s, &r));
    fail_unless_equals_uint64 (r.lost_duration_ms,
        (st.last_arrival - before) / 1000000);
    fail_unless_equals_int (r.ssrc, SSRC_B);
    fail_if (r.same_ssrc);
  }
  send_pkt (fd, "127.0.0.1", port, 40001, 777777 + FPP, SSRC_B);
  send_pkt (fd, "127.0.0.1", port, 2, 2 * FPP, SSRC_A);
  wait_for (s, F_RECEIVED, 4, &st);
  wait_for (s, F_FOREIGN, 3, &st);
  fail_unless_equals_int (st.state, AES67_STREAM_RECEIVING);
  fail_unless_equals_int (st.ssrc, SSRC_B);
  fail_unless_equals_uint64 (st.restored_count, 1);
  fail_unless_equals_uint64 (st.lost, 0);
  fail_if (aes67_rx_stream_take_restored (s, &r));
  aes67_rx_stream_get_anchor (s, &a1);
  fail_unless (a1.epoch != a0.epoch);
  fail_unless (a1.rtp_ts == 777777 || a1.rtp_ts == 777777 + FPP);

  /* the session is deleted, and the same SSRC comes back */
  fail_unless (aes67_rx_stream_set_lost (s, aes67_rx_now ()));
  fail_if (aes67_rx_stream_set_lost (s, aes67_rx_now ()));
  send_pkt (fd, "127.0.0.1", port, 40002, 777777 + 2 * FPP, SSRC_B);
  wait_for (s, F_RECEIVED, 5, &st);
  fail_unless_equals_uint64 (st.restored_count, 2);
  fail_unless_equals_uint64 (st.lost, 0);
  fail_unless (aes67_rx_stream_take_restored (s, &r));
  fail_unless (r.same_ssrc);
  fail_unless_equals_int (r.ssrc, SSRC_B);
  read_check (s, 777777, 3 * FPP, NULL);
  close (fd);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

GST_START_TEST (test_source_filter)
{
  guint port = free_port ();
  Aes67RxConfig c = config ("127.0.0.1", port, 4096);
  Aes67RxStream *s;
  gint fd1 = sender_new ("127.0.0.1"), fd2 = sender_new ("127.0.0.2");
  Aes67RxStats st;

  c.source_filter = "127.0.0.2";
  s = stream_new (&c);
  send_pkt (fd1, "127.0.0.1", port, 0, 0, SSRC_B);
  send_pkt (fd1, "127.0.0.1", port, 1, FPP, SSRC_B);
  wait_for (s, F_FOREIGN, 2, NULL);
  send_pkt (fd2, "127.0.0.1", port, 0, 0, SSRC_A);
  wait_for (s, F_RECEIVED, 1, &st);
  fail_unless_equals_int (st.ssrc, SSRC_A);
  read_check (s, 0, FPP, NULL);
  close (fd1);
  close (fd2);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

/* two groups on one port, and two receivers of one group (as udpsrc
 * reuse=true): each gets its group's packets only */
GST_START_TEST (test_multicast_two_groups)
{
  guint port = free_port ();
  Aes67RxConfig c1 = config ("239.255.71.1", port, 4096);
  Aes67RxConfig c2 = config ("239.255.71.2", port, 4096);
  Aes67RxStream *s1, *s2, *s3;
  gint fd = sender_new (NULL);
  Aes67RxStats st;
  guint i;
  GError *err = NULL;

  c1.multicast_iface = c2.multicast_iface = "lo";
  s1 = stream_new (&c1);
  s2 = stream_new (&c2);
  s3 = stream_new (&c1);
  for (i = 0; i < 5; i++) {
    send_pkt (fd, "239.255.71.1", port, i, i * FPP, SSRC_A);
    send_pkt (fd, "239.255.71.2", port, 100 + i, 1000 + i * FPP, SSRC_B);
  }
  wait_for (s1, F_RECEIVED, 5, &st);
  fail_unless_equals_uint64 (st.foreign, 0);
  fail_unless_equals_int (st.ssrc, SSRC_A);
  wait_for (s3, F_RECEIVED, 5, &st);
  fail_unless_equals_int (st.ssrc, SSRC_A);
  wait_for (s2, F_RECEIVED, 5, &st);
  fail_unless_equals_uint64 (st.foreign, 0);
  fail_unless_equals_int (st.ssrc, SSRC_B);
  read_check (s1, 0, 5 * FPP, NULL);
  read_check (s3, 0, 5 * FPP, NULL);
  read_check (s2, 1000, 5 * FPP, NULL);
  aes67_rx_stream_free (s1);
  aes67_rx_stream_free (s2);
  aes67_rx_stream_free (s3);

  /* an interface that does not exist: an error naming it */
  c1.multicast_iface = "nosuch0";
  fail_unless (aes67_rx_stream_new (&c1, &err) == NULL);
  fail_unless (err != NULL);
  fail_unless (strstr (err->message, "nosuch0") != NULL, "%s", err->message);
  fail_unless (strstr (err->message, "239.255.71.1") != NULL, "%s",
      err->message);
  g_clear_error (&err);
  close (fd);
}

GST_END_TEST;

/* a unicast address not of this machine (an SDP written from the
 * sender's side of a NAT) is received on any; bad configurations are
 * refused with a message naming the address */
GST_START_TEST (test_config)
{
  guint port = free_port ();
  Aes67RxConfig c = config ("192.0.2.1", port, 4096);
  Aes67RxStream *s = stream_new (&c);
  gint fd = sender_new (NULL);
  GError *err = NULL;

  send_pkt (fd, "127.0.0.1", port, 0, 0, SSRC_A);
  wait_for (s, F_RECEIVED, 1, NULL);
  read_check (s, 0, FPP, NULL);
  aes67_rx_stream_free (s);
  close (fd);

  c = config ("127.0.0.1", port, 1000);
  fail_unless (aes67_rx_stream_new (&c, &err) == NULL);
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  fail_unless (strstr (err->message, "127.0.0.1") != NULL, "%s", err->message);
  g_clear_error (&err);
  c = config ("127.0.0.1", port, 0);
  c.sample_bytes = 4;
  fail_unless (aes67_rx_stream_new (&c, &err) == NULL);
  g_clear_error (&err);
  c = config ("example.org", port, 0);
  fail_unless (aes67_rx_stream_new (&c, &err) == NULL);
  fail_unless (strstr (err->message, "example.org") != NULL, "%s",
      err->message);
  g_clear_error (&err);
  c = config ("127.0.0.1", port, 0);
  c.source_filter = "nonsense";
  fail_unless (aes67_rx_stream_new (&c, &err) == NULL);
  fail_unless (strstr (err->message, "nonsense") != NULL, "%s", err->message);
  g_clear_error (&err);
  fail_unless_equals_int (aes67_rx_engine_n_streams (), 0);
}

GST_END_TEST;

GST_START_TEST (test_two_ports)
{
  guint p1 = free_port (), p2 = free_port ();
  Aes67RxConfig c1 = config ("127.0.0.1", p1, 4096);
  Aes67RxConfig c2 = config ("127.0.0.1", p2, 4096);
  Aes67RxStream *s1, *s2;
  gint fd = sender_new (NULL);
  Aes67RxStats st;
  guint i;

  fail_if (p1 == p2);
  s1 = stream_new (&c1);
  s2 = stream_new (&c2);
  for (i = 0; i < 5; i++) {
    send_pkt (fd, "127.0.0.1", p1, i, i * FPP, SSRC_A);
    send_pkt (fd, "127.0.0.1", p2, i, 3000 + i * FPP, SSRC_B);
  }
  wait_for (s1, F_RECEIVED, 5, &st);
  fail_unless_equals_int (st.ssrc, SSRC_A);
  wait_for (s2, F_RECEIVED, 5, &st);
  fail_unless_equals_int (st.ssrc, SSRC_B);
  read_check (s1, 0, 5 * FPP, NULL);
  read_check (s2, 3000, 5 * FPP, NULL);
  aes67_rx_stream_free (s1);
  aes67_rx_stream_free (s2);
  close (fd);
}

GST_END_TEST;

typedef struct
{
  guint port;
  guint n;
  volatile gint consumed;       /* packets the reader has checked */
} Pair;

static gpointer
paced_sender (gpointer data)
{
  Pair *pr = data;
  gint fd = sender_new (NULL);
  guint k;

  for (k = 0; k < pr->n; k++) {
    gint64 end = g_get_monotonic_time () + DEADLINE_US;

    /* at most 32 packets ahead of the reader: the ring holds 4096 frames */
    while ((gint) k - g_atomic_int_get (&pr->consumed) > 32) {
      if (g_get_monotonic_time () > end)
        break;
      g_usleep (100);
    }
    send_pkt (fd, "127.0.0.1", pr->port, (guint16) (k + 60000),
        0xfffff000u + k * FPP, SSRC_A);
  }
  close (fd);
  return NULL;
}

/* the engine writes while the reader reads: every frame exact */
GST_START_TEST (test_concurrent_read)
{
  Pair pr = { free_port (), 5000, 0 };
  Aes67RxConfig c = config ("127.0.0.1", pr.port, 4096);
  Aes67RxStream *s = stream_new (&c);
  GThread *th = g_thread_new ("paced", paced_sender, &pr);
  Aes67RxStats st;
  guint k;

  for (k = 0; k < pr.n; k++) {
    wait_for_at_least (s, k + 1);
    read_check (s, 0xfffff000u + k * FPP, FPP, NULL);
    g_atomic_int_set (&pr.consumed, k + 1);
  }
  g_thread_join (th);
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.received, pr.n);
  fail_unless_equals_uint64 (st.late + st.early + st.lost + st.duplicate +
      st.reordered + st.samples_concealed, 0);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

typedef struct
{
  guint port;
  volatile gint stop;
} Flood;

static gpointer
flood_thread (gpointer data)
{
  Flood *f = data;
  gint fd = sender_new (NULL);
  guint16 seq = 0;

  while (!g_atomic_int_get (&f->stop)) {
    guint8 p[1500];
    gsize len = make_rtp (p, PT, seq, seq * FPP, SSRC_A, FPP);

    {
      struct sockaddr_in sa = { 0, };
      sa.sin_family = AF_INET;
      sa.sin_port = htons (f->port);
      sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
      sendto (fd, p, len, 0, (struct sockaddr *) &sa, sizeof (sa));
    }
    seq++;
  }
  close (fd);
  return NULL;
}

/* streams made and freed while packets pour in; the engine forgets them */
GST_START_TEST (test_create_free_loop)
{
  Flood f = { free_port (), 0 };
  GThread *th = g_thread_new ("flood", flood_thread, &f);
  Aes67RxStream *many[40];
  guint i;

  for (i = 0; i < 100; i++) {
    Aes67RxConfig c = config ("127.0.0.1", f.port, 1024);
    Aes67RxStream *s = stream_new (&c);

    fail_unless_equals_int (aes67_rx_engine_n_streams (), 1);
    aes67_rx_stream_free (s);
    fail_unless_equals_int (aes67_rx_engine_n_streams (), 0);
  }
  fail_unless (aes67_rx_engine_n_threads () >= 1);
  /* beyond 32 streams, more threads (up to 4, one per processor) */
  for (i = 0; i < 40; i++) {
    Aes67RxConfig c = config ("127.0.0.1", f.port, 1024);

    many[i] = stream_new (&c);
  }
  fail_unless_equals_int (aes67_rx_engine_n_streams (), 40);
  fail_unless_equals_int (aes67_rx_engine_n_threads (),
      MIN (MAX (g_get_num_processors (), 1), 4));
  for (i = 0; i < 40; i++)
    aes67_rx_stream_free (many[i]);
  fail_unless_equals_int (aes67_rx_engine_n_streams (), 0);
  g_atomic_int_set (&f.stop, 1);
  g_thread_join (th);
}

GST_END_TEST;

/* ---- SMPTE ST 2022-7: a second leg into the same ring ---- */

/* a stream on @port_a with its secondary leg on @port_b (127.0.0.1) */
static Aes67RxStream *
dup_stream_new (guint * port_a, guint * port_b)
{
  Aes67RxConfig c;
  Aes67RxStream *s;
  GError *err = NULL;

  *port_a = free_port ();
  do
    *port_b = free_port ();
  while (*port_b == *port_a);
  c = config ("127.0.0.1", *port_a, 8192);
  s = stream_new (&c);
  fail_unless (aes67_rx_stream_add_leg (s, "127.0.0.1", *port_b, NULL, NULL,
          &err), "add_leg: %s", err ? err->message : "?");
  /* one secondary only */
  fail_if (aes67_rx_stream_add_leg (s, "127.0.0.1", *port_b, NULL, NULL, &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_EXISTS));
  g_clear_error (&err);
  return s;
}

/* waits until path @path has received @n packets (exactly) */
static void
wait_path (Aes67RxStream * s, guint path, guint64 n, Aes67RxStats * out)
{
  gint64 end = g_get_monotonic_time () + DEADLINE_US;
  Aes67RxStats st;

  for (;;) {
    aes67_rx_stream_get_stats (s, &st);
    fail_unless_equals_int (st.n_paths, 2);
    if (st.paths[path].received + st.paths[path].foreign_ssrc +
        st.paths[path].mismatched >= n)
      break;
    fail_unless (g_get_monotonic_time () < end,
        "waited 20 s for path %u to see %" G_GUINT64_FORMAT " packets", path,
        n);
    g_usleep (1000);
  }
  if (out)
    *out = st;
}

/* the same packets on both legs: each once, no duplicate, audio exact */
GST_START_TEST (test_dup_same_packets)
{
  guint pa, pb, i, n = 40;
  Aes67RxStream *s = dup_stream_new (&pa, &pb);
  gint fd = sender_new (NULL);
  Aes67RxStats st;
  Aes67RxPathEvent ev;

  for (i = 0; i < n; i++) {
    send_pkt (fd, "127.0.0.1", pa, 1000 + i, 5000 + i * FPP, SSRC_A);
    send_pkt (fd, "127.0.0.1", pb, 1000 + i, 5000 + i * FPP, SSRC_A);
  }
  wait_path (s, 0, n, NULL);
  wait_path (s, 1, n, &st);
  fail_unless_equals_uint64 (st.received, n);
  fail_unless_equals_uint64 (st.duplicate, 0);
  fail_unless_equals_uint64 (st.foreign, 0);
  for (i = 0; i < 2; i++) {
    fail_unless_equals_uint64 (st.paths[i].received, n);
    fail_unless_equals_uint64 (st.paths[i].lost, 0);
    fail_unless_equals_uint64 (st.paths[i].foreign_ssrc, 0);
    fail_unless_equals_uint64 (st.paths[i].mismatched, 0);
    fail_unless_equals_int (st.paths[i].ssrc, SSRC_A);
    fail_unless_equals_int (st.paths[i].state, AES67_STREAM_RECEIVING);
  }
  fail_unless_equals_int (read_check (s, 5000, n * FPP, NULL), n * FPP);
  /* a real duplicate (the same leg twice) still counts */
  send_pkt (fd, "127.0.0.1", pa, 1000 + n - 1, 5000 + (n - 1) * FPP, SSRC_A);
  wait_path (s, 0, n + 1, &st);
  fail_unless_equals_uint64 (st.duplicate, 1);
  fail_unless_equals_uint64 (st.received, n);
  fail_unless (aes67_rx_stream_set_lost (s, aes67_rx_now ()));
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.lost, 0);
  fail_unless_equals_uint64 (st.samples_concealed, 0);
  /* a declared loss of the stream is no path event */
  fail_if (aes67_rx_stream_take_path_event (s, &ev));
  close (fd);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

/* each leg misses packets the other has: nothing lost, nothing concealed */
GST_START_TEST (test_dup_fill)
{
  guint pa, pb, i, n = 40, na = 0, nb = 0;
  Aes67RxStream *s = dup_stream_new (&pa, &pb);
  gint fd = sender_new (NULL);
  Aes67RxStats st;

  for (i = 0; i < n; i++) {
    if (i % 5 != 1) {
      send_pkt (fd, "127.0.0.1", pa, 65520 + i, i * FPP, SSRC_A);
      na++;
    }
    if (i % 5 != 3) {
      send_pkt (fd, "127.0.0.1", pb, 65520 + i, i * FPP, SSRC_A);
      nb++;
    }
  }
  wait_path (s, 0, na, NULL);
  wait_path (s, 1, nb, &st);
  fail_unless_equals_uint64 (st.received, n);
  fail_unless_equals_uint64 (st.duplicate, 0);
  fail_unless_equals_uint64 (st.paths[0].received, na);
  fail_unless_equals_uint64 (st.paths[1].received, nb);
  fail_unless_equals_uint64 (st.paths[0].lost, n / 5);
  fail_unless_equals_uint64 (st.paths[1].lost, n / 5);
  fail_unless_equals_int (read_check (s, 0, n * FPP, NULL), n * FPP);
  fail_unless (aes67_rx_stream_set_lost (s, aes67_rx_now ()));
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.lost, 0);
  fail_unless_equals_uint64 (st.samples_concealed, 0);
  fail_unless_equals_uint64 (st.late, 0);
  close (fd);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

/* a secondary leg that carries another stream (SSRC), then one whose
 * timestamps disagree: reported and ignored, the audio is the primary's */
GST_START_TEST (test_dup_foreign_leg)
{
  guint pa, pb, i, n = 10;
  Aes67RxStream *s = dup_stream_new (&pa, &pb);
  gint fd = sender_new (NULL);
  Aes67RxStats st;

  send_pkt (fd, "127.0.0.1", pa, 0, 0, SSRC_A);
  wait_path (s, 0, 1, NULL);
  for (i = 1; i < n; i++) {
    send_pkt (fd, "127.0.0.1", pb, i, i * FPP, SSRC_B);
    send_pkt (fd, "127.0.0.1", pa, i, i * FPP, SSRC_A);
  }
  wait_path (s, 0, n, NULL);
  wait_path (s, 1, n - 1, &st);
  fail_unless_equals_uint64 (st.received, n);
  fail_unless_equals_uint64 (st.paths[1].foreign_ssrc, n - 1);
  fail_unless_equals_uint64 (st.paths[1].received, 0);
  fail_unless_equals_int (st.paths[1].ssrc, SSRC_B);
  fail_unless_equals_int (st.paths[1].state, AES67_STREAM_WAITING);
  fail_unless_equals_int (st.ssrc, SSRC_A);
  fail_unless_equals_uint64 (st.foreign, n - 1);
  fail_unless_equals_uint64 (st.duplicate, 0);
  fail_unless_equals_int (read_check (s, 0, n * FPP, NULL), n * FPP);

  /* the right SSRC, timestamps 1 packet off: the primary's copy came
   * first, so the secondary's disagrees; from then on it is ignored, also
   * where it brings a number first */
  send_pkt (fd, "127.0.0.1", pa, n, n * FPP, SSRC_A);
  wait_path (s, 0, n + 1, NULL);
  send_pkt (fd, "127.0.0.1", pb, n, (n + 1) * FPP, SSRC_A);
  wait_path (s, 1, n, &st);
  fail_unless_equals_uint64 (st.paths[1].mismatched, 1);
  fail_unless (st.paths[1].ignored);
  send_pkt (fd, "127.0.0.1", pb, n + 1, (n + 2) * FPP, SSRC_A);
  wait_path (s, 1, n + 1, &st);
  fail_unless_equals_uint64 (st.paths[1].mismatched, 2);
  fail_unless_equals_uint64 (st.received, n + 1);
  send_pkt (fd, "127.0.0.1", pa, n + 1, (n + 1) * FPP, SSRC_A);
  wait_path (s, 0, n + 2, &st);
  fail_unless_equals_uint64 (st.received, n + 2);
  fail_unless_equals_uint64 (st.duplicate, 0);
  fail_unless_equals_int (read_check (s, n * FPP, 2 * FPP, NULL), 2 * FPP);
  close (fd);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

/* a path goes silent while the other runs: path lost, not the stream;
 * it comes back: path restored with its outage counted lost on it */
GST_START_TEST (test_dup_path_lost)
{
  guint pa, pb, i;
  Aes67RxStream *s = dup_stream_new (&pa, &pb);
  gint fd = sender_new (NULL);
  Aes67RxStats st, st2;
  Aes67RxPathEvent ev;
  const gint64 t = 50 * GST_MSECOND;
  gint64 a_last;

  for (i = 0; i < 5; i++) {
    send_pkt (fd, "127.0.0.1", pa, i, i * FPP, SSRC_A);
    send_pkt (fd, "127.0.0.1", pb, i, i * FPP, SSRC_A);
  }
  wait_path (s, 0, 5, &st);
  a_last = st.paths[0].last_arrival;
  /* the secondary goes on later than the primary's last packet */
  while (aes67_rx_now () <= a_last + 1000)
    g_usleep (100);
  for (i = 5; i < 10; i++)
    send_pkt (fd, "127.0.0.1", pb, i, i * FPP, SSRC_A);
  wait_path (s, 1, 10, &st);
  fail_unless (st.paths[1].last_arrival > a_last);
  fail_if (aes67_rx_stream_take_path_event (s, &ev));
  /* the time-out of the primary ran out, not that of the secondary */
  fail_if (aes67_rx_stream_check_timeout (s, a_last + t, t));
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_int (st.state, AES67_STREAM_RECEIVING);
  fail_unless_equals_int (st.paths[0].state, AES67_STREAM_LOST);
  fail_unless_equals_int (st.paths[1].state, AES67_STREAM_RECEIVING);
  fail_unless (aes67_rx_stream_take_path_event (s, &ev));
  fail_unless_equals_int (ev.path, 0);
  fail_if (ev.restored);
  fail_unless_equals_int (ev.ssrc, SSRC_A);
  fail_if (aes67_rx_stream_take_path_event (s, &ev));

  send_pkt (fd, "127.0.0.1", pa, 10, 10 * FPP, SSRC_A);
  send_pkt (fd, "127.0.0.1", pb, 10, 10 * FPP, SSRC_A);
  wait_path (s, 0, 6, NULL);
  wait_path (s, 1, 11, &st2);
  fail_unless (aes67_rx_stream_take_path_event (s, &ev));
  fail_unless_equals_int (ev.path, 0);
  fail_unless (ev.restored);
  fail_unless_equals_uint64 (ev.lost_duration_ms,
      (st2.paths[0].last_arrival - a_last) / 1000000);
  fail_if (aes67_rx_stream_take_path_event (s, &ev));
  fail_unless_equals_uint64 (st2.paths[0].lost, 5);
  fail_unless_equals_uint64 (st2.paths[1].lost, 0);
  fail_unless_equals_uint64 (st2.received, 11);
  fail_unless_equals_uint64 (st2.restored_count, 0);
  fail_unless_equals_int (read_check (s, 0, 11 * FPP, NULL), 11 * FPP);

  /* both gone: two path events and the stream lost */
  fail_unless (aes67_rx_stream_check_timeout (s, st2.last_arrival + t, t));
  fail_unless (aes67_rx_stream_take_path_event (s, &ev));
  fail_unless_equals_int (ev.path, 0);
  fail_if (ev.restored);
  fail_unless (aes67_rx_stream_take_path_event (s, &ev));
  fail_unless_equals_int (ev.path, 1);
  fail_if (ev.restored);
  fail_if (aes67_rx_stream_take_path_event (s, &ev));
  close (fd);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

/* a leg that never brings a packet (its network not connected) is lost
 * once the other has brought the stream for the time-out */
GST_START_TEST (test_dup_leg_never_seen)
{
  guint pa, pb;
  Aes67RxStream *s = dup_stream_new (&pa, &pb);
  gint fd = sender_new (NULL);
  Aes67RxStats st;
  Aes67RxPathEvent ev;
  const gint64 t = 50 * GST_MSECOND;
  gint64 r0;

  send_pkt (fd, "127.0.0.1", pa, 0, 0, SSRC_A);
  wait_path (s, 0, 1, &st);
  fail_unless_equals_int (st.paths[1].state, AES67_STREAM_WAITING);
  r0 = st.last_arrival;
  while (aes67_rx_now () <= r0 + 1000)
    g_usleep (100);
  send_pkt (fd, "127.0.0.1", pa, 1, FPP, SSRC_A);
  wait_path (s, 0, 2, &st);
  fail_unless (st.last_arrival > r0);
  /* counted from the stream's first packet */
  fail_if (aes67_rx_stream_check_timeout (s, r0 + t - 1, t));
  fail_if (aes67_rx_stream_take_path_event (s, &ev));
  fail_if (aes67_rx_stream_check_timeout (s, r0 + t, t));
  aes67_rx_stream_get_stats (s, &st);
  fail_unless_equals_int (st.paths[1].state, AES67_STREAM_LOST);
  fail_unless_equals_int (st.paths[0].state, AES67_STREAM_RECEIVING);
  fail_unless (aes67_rx_stream_take_path_event (s, &ev));
  fail_unless_equals_int (ev.path, 1);
  fail_if (ev.restored);
  fail_unless_equals_int (ev.ssrc, 0);
  fail_if (aes67_rx_stream_take_path_event (s, &ev));
  /* it comes: restored */
  send_pkt (fd, "127.0.0.1", pb, 2, 2 * FPP, SSRC_A);
  wait_path (s, 1, 1, &st);
  fail_unless (aes67_rx_stream_take_path_event (s, &ev));
  fail_unless_equals_int (ev.path, 1);
  fail_unless (ev.restored);
  fail_unless_equals_uint64 (ev.lost_duration_ms, 0);
  close (fd);
  aes67_rx_stream_free (s);
}

GST_END_TEST;

static Suite *
rxengine_suite (void)
{
  Suite *s = suite_create ("rxengine");
  TCase *tc = tcase_create ("engine");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_in_order);
  tcase_add_test (tc, test_seq_wrap);
  tcase_add_test (tc, test_ts_wrap);
  tcase_add_test (tc, test_reorder);
  tcase_add_test (tc, test_duplicate);
  tcase_add_test (tc, test_loss_audio);
  tcase_add_test (tc, test_loss_window);
  tcase_add_test (tc, test_gap_5000);
  tcase_add_test (tc, test_seq_restart);
  tcase_add_test (tc, test_anchor);
  tcase_add_test (tc, test_late);
  tcase_add_test (tc, test_early);
  tcase_add_test (tc, test_malformed);
  tcase_add_test (tc, test_foreign_and_restore);
  tcase_add_test (tc, test_source_filter);
  tcase_add_test (tc, test_multicast_two_groups);
  tcase_add_test (tc, test_two_ports);
  tcase_add_test (tc, test_config);
  tcase_add_test (tc, test_concurrent_read);
  tcase_add_test (tc, test_create_free_loop);
  tcase_add_test (tc, test_dup_same_packets);
  tcase_add_test (tc, test_dup_fill);
  tcase_add_test (tc, test_dup_foreign_leg);
  tcase_add_test (tc, test_dup_path_lost);
  tcase_add_test (tc, test_dup_leg_never_seen);
  return s;
}

GST_CHECK_MAIN (rxengine);
