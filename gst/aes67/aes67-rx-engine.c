/* gst-aes67: the receive engine shared by every aes67src of a process
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/*
 * How it works
 *
 * Engine threads (at most AES67_RX_MAX_THREADS) each wait in epoll_wait on
 * the sockets of their streams and an eventfd (to be woken). On readiness a
 * socket is drained with recvmmsg into the thread's preallocated buffers
 * (AES67_RX_BATCH messages of AES67_RX_MAX_PACKET bytes each; no allocation
 * per packet), then the whole batch is handled under the stream's mutex.
 *
 * Arrival times are the kernel's receive timestamps (SO_TIMESTAMPNS, which
 * are CLOCK_REALTIME), moved onto CLOCK_MONOTONIC with an offset sampled
 * once per batch (two vDSO clock reads, no syscall). A batch of several
 * packets that waited in the socket while the thread was busy therefore
 * keeps the times the packets really arrived, which the jitter estimate
 * and the least-transit anchor need. A packet without a timestamp gets
 * the batch's monotonic time.
 *
 * The threads run at real-time priority (SCHED_FIFO 10, as the sender's
 * pacer) where the process may; AES67_RX_NO_RT=1 turns that off.
 *
 * Locks:
 * - engine_lock (G_LOCK): the thread table and the stream counts.
 * - Aes67RxThread.lock: held by the thread while it handles the events of
 *   one epoll_wait; aes67_rx_stream_free() takes it and waits for one full
 *   round (iter) after removing the socket from epoll, so that an event
 *   already returned for the stream is handled (skipped, the stream is
 *   marked dead) before the stream is freed.
 * - Aes67RxStream.lock: everything in the stream below "protected by lock":
 *   ring, presence tags, read position, sequence state, statistics,
 *   anchor. Taken once per batch by the engine thread and once per call by
 *   the reader, both short.
 *
 * A stream has its socket in a per-leg struct (Aes67RxLeg); a second leg
 * (SMPTE ST 2022-7, aes67_rx_stream_add_leg()) writes into the same ring
 * through the same checks. The merge is by sequence number: the window of
 * the sequence accounting keeps, per number, which legs brought it (from)
 * and its RTP timestamp (seq_ts), so that the second copy of a number is
 * told from a real duplicate (the same leg again) and from a leg that is
 * not the same stream (another timestamp). Each leg keeps its own figures
 * (Aes67RxPathStats: RFC 3550 expected - received and jitter of the leg,
 * its state for path-lost / path-restored).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#define _GNU_SOURCE
#include "aes67-rx-engine.h"
#include "aes67-net.h"

#include <gio/gio.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <pthread.h>
#include <sched.h>

#define AES67_RX_MAX_THREADS 4
#define AES67_RX_STREAMS_PER_FIRST_THREAD 32
#define AES67_RX_BATCH 32
/* the largest UDP payload taken (a 1500-byte MTU carries at most 1472);
 * anything longer is malformed */
#define AES67_RX_MAX_PACKET 2048
/* batches read from one socket per readiness before the other sockets get
 * their turn (level-triggered epoll comes back for the rest) */
#define AES67_RX_MAX_BATCHES 4
#define AES67_RX_MAX_WINDOW 32768
#define AES67_RX_MIN_WINDOW 64
#define AES67_RX_ANCHOR_WINDOW_NS G_GINT64_CONSTANT (1000000000)
#define AES67_RX_TS_JUMP_NS G_GINT64_CONSTANT (1000000000)

typedef struct _Aes67RxThread Aes67RxThread;

typedef struct
{
  Aes67RxStream *stream;        /* constant */
  gint fd;                      /* constant */
  guint index;                  /* constant: 0 primary, 1 secondary */
  gboolean has_filter;          /* constant */
  guint32 filter;               /* constant, network order */

  /* protected by the stream's lock */
  gboolean have_seq;            /* RFC 3550 A.3 accounting of the leg */
  guint64 ext_base;
  guint64 ext_max;
  guint64 recv;
  guint64 lost_done;            /* lost of earlier sequences */
  gboolean have_transit;
  gint32 last_transit;
  gdouble jitter;               /* RTP units */
  gboolean lost_pending;        /* path events not taken yet */
  gboolean restored_pending;
  guint32 lost_ssrc;
  guint32 restored_ssrc;
  guint64 lost_duration_ms;
  gint64 lost_since;
  Aes67RxPathStats st;
} Aes67RxLeg;

struct _Aes67RxStream
{
  /* constant after _new */
  guint32 group;                /* network order */
  guint port;
  guint buffer_size;
  guint payload_type;
  guint channels;
  guint sample_bytes;
  guint frame_bytes;
  guint rate;
  guint32 ring_frames;
  guint32 ring_mask;
  Aes67RxLeg legs[AES67_RX_MAX_PATHS];
  guint n_legs;                 /* set under lock (1, then 2 by add_leg) */
  Aes67RxThread *thread;
  gboolean dead;                /* protected by thread->lock */

  GMutex lock;
  /* protected by lock */
  guint8 *ring;                 /* ring_frames x frame_bytes */
  guint32 *tag;                 /* RTP timestamp of the frame in the slot */
  guint8 *present;              /* 1: the slot holds tag[i], unread */
  gboolean have_read_pos;
  guint32 read_pos;
  gboolean ever_read;           /* a frame has come from a packet */
  guint64 concealed_pending;    /* frames read missing after the newest
                                 * packet's: concealment only if a later
                                 * packet of the same sequence comes (an
                                 * outage), not if the sender stopped */

  gboolean locked;              /* SSRC lock held */
  guint32 ssrc;
  gboolean have_ssrc;           /* ssrc holds the last locked SSRC */

  /* sequence state of the locked SSRC */
  gboolean have_seq;
  guint16 max_seq;
  guint32 max_ts;               /* RTP timestamp of the packet of max_seq */
  gint64 max_arrival;
  guint32 frames_per_packet;
  guint32 window;               /* W, a power of two */
  guint32 span;                 /* numbers seen since the first, max W */
  guint32 *seen;                /* bitmap by seq & (W - 1) */
  guint8 *from;                 /* with two legs: by seq & (W - 1), the
                                 * legs (bit 1 << index) that brought it;
                                 * 0: not known */
  guint32 *seq_ts;              /* with two legs: RTP timestamp of the
                                 * first copy, by seq & (W - 1) */

  /* jitter (RFC 3550 A.8), in RTP units */
  gboolean have_transit;
  gint32 last_transit;
  gdouble jitter;
  gint64 t0;                    /* arrival origin for RTP-unit arrivals */

  /* anchor */
  Aes67RxAnchor anchor;
  gboolean have_cand;
  guint32 cand_ts;
  gint64 cand_arrival;
  gint64 window_start;

  gboolean restore_pending;
  Aes67RxRestore restore;
  gint64 lost_since;            /* last arrival before the loss */
  gint64 receiving_since;       /* arrival of the packet that made the
                                 * stream receiving */

  Aes67RxStats stats;
};

struct _Aes67RxThread
{
  GThread *thread;
  gint epfd;
  gint evfd;
  guint n_streams;              /* protected by engine_lock */
  GMutex lock;
  GCond cond;
  guint64 iter;                 /* protected by lock */

  /* used by the thread only */
  struct mmsghdr msgs[AES67_RX_BATCH];
  struct iovec iov[AES67_RX_BATCH];
  struct sockaddr_in addr[AES67_RX_BATCH];
  guint8 ctrl[AES67_RX_BATCH][CMSG_SPACE (sizeof (struct timespec))];
  guint8 buf[AES67_RX_BATCH][AES67_RX_MAX_PACKET];
  gint64 arrival[AES67_RX_BATCH];
};

G_LOCK_DEFINE_STATIC (engine);
static Aes67RxThread *engine_threads[AES67_RX_MAX_THREADS];
static guint engine_n_threads;
static guint engine_n_streams;

const gchar *
aes67_stream_state_name (Aes67StreamState s)
{
  switch (s) {
    case AES67_STREAM_WAITING:
      return "waiting";
    case AES67_STREAM_RECEIVING:
      return "receiving";
    case AES67_STREAM_LOST:
      return "lost";
  }
  return "unknown";
}

gint64
aes67_rx_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static gint64
realtime_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* ns -> RTP units, without overflow for any uptime */
static gint64
ns_to_units (gint64 ns, guint rate)
{
  return (ns / 1000000000) * rate + (ns % 1000000000) * rate / 1000000000;
}

/* ---- sequence numbers and loss (protected by the stream's lock) ---- */

static guint32
window_bit (const Aes67RxStream * s, guint16 seq)
{
  guint32 i = seq & (s->window - 1);

  return (s->seen[i >> 5] >> (i & 31)) & 1;
}

static void
window_set (Aes67RxStream * s, guint16 seq, gboolean on)
{
  guint32 i = seq & (s->window - 1);

  if (on)
    s->seen[i >> 5] |= 1u << (i & 31);
  else {
    s->seen[i >> 5] &= ~(1u << (i & 31));
    if (s->from)
      s->from[i] = 0;
  }
}

/* with two legs: the first copy of @seq came from @leg */
static void
from_set (Aes67RxStream * s, guint leg, guint16 seq, guint32 ts)
{
  guint32 i = seq & (s->window - 1);

  if (!s->from)
    return;
  s->from[i] = 1u << leg;
  s->seq_ts[i] = ts;
}

static void
from_clear (Aes67RxStream * s)
{
  if (s->from)
    memset (s->from, 0, AES67_RX_MAX_WINDOW);
}

enum
{
  SEQ_NEW,                      /* to be written */
  SEQ_DUP,                      /* the same leg brought it before */
  SEQ_COPY,                     /* the other leg brought it first */
  SEQ_MISMATCH,                 /* the other leg's copy has another
                                 * timestamp */
};

/* A number the window has seen again, from @leg */
static gint
seen_again (Aes67RxStream * s, guint leg, guint16 seq, guint32 ts)
{
  guint32 i = seq & (s->window - 1);

  if (s->n_legs < 2 || !s->from || (s->from[i] & (1u << leg))) {
    s->stats.duplicate++;
    return SEQ_DUP;
  }
  if (s->from[i] != 0 && s->seq_ts[i] != ts)
    return SEQ_MISMATCH;
  s->from[i] |= 1u << leg;
  return SEQ_COPY;
}

/* Counts the numbers of the window that never came as lost and marks the
 * whole window received (they will not count again). */
static void
window_flush (Aes67RxStream * s)
{
  guint32 k;

  if (!s->have_seq)
    return;
  for (k = 0; k < s->span; k++) {
    guint16 n = s->max_seq - k;

    if (!window_bit (s, n))
      s->stats.lost++;
  }
  memset (s->seen, 0xff, AES67_RX_MAX_WINDOW / 8);
  from_clear (s);
  s->span = s->window;
}

static void
seq_init (Aes67RxStream * s, guint16 seq, guint32 ts, guint nf, gint64 arr)
{
  guint32 w = AES67_RX_MIN_WINDOW;
  guint32 need = s->ring_frames / MAX (nf, 1) + 1;

  while (w < need && w < AES67_RX_MAX_WINDOW)
    w <<= 1;
  s->window = w;
  /* everything before the first packet counts as received */
  memset (s->seen, 0xff, AES67_RX_MAX_WINDOW / 8);
  from_clear (s);
  s->span = 1;
  s->have_seq = TRUE;
  s->max_seq = seq;
  s->max_ts = ts;
  s->max_arrival = arr;
  s->frames_per_packet = nf;
  s->have_transit = FALSE;
}

static void
anchor_reset (Aes67RxStream * s, guint32 ts, gint64 arrival)
{
  s->anchor.epoch++;
  s->anchor.first_rtp_ts = ts;
  s->anchor.rtp_ts = ts;
  s->anchor.arrival = arrival;
  s->anchor.valid = TRUE;
  s->have_cand = FALSE;
  s->window_start = arrival;
}

/* transit of (ts, arrival) minus transit of (ts0, arr0), ns */
static gint64
transit_diff (const Aes67RxStream * s, guint32 ts, gint64 arrival,
    guint32 ts0, gint64 arr0)
{
  gint64 dts = (gint32) (ts - ts0);

  return (arrival - arr0) - dts * G_GINT64_CONSTANT (1000000000) / s->rate;
}

/* Does a jump of @dseq numbers (signed) agree with the timestamp jump
 * @dts, within one packet? */
static gboolean
jump_agrees (const Aes67RxStream * s, gint64 dseq, gint64 dts)
{
  gint64 expect = dseq * (gint64) s->frames_per_packet;
  gint64 off = dts - expect;

  return ABS (off) <= (gint64) s->frames_per_packet;
}

/* Sequence accounting of a valid packet from leg @leg. Returns SEQ_NEW
 * for a packet to write, else what it is (not to be written). Sets
 * *restart when the sequence restarted. */
static gint
seq_update (Aes67RxStream * s, guint leg, guint16 seq, guint32 ts, guint nf,
    gint64 arrival, gboolean * restart)
{
  gint32 d;

  *restart = FALSE;
  if (!s->have_seq) {
    seq_init (s, seq, ts, nf, arrival);
    from_set (s, leg, seq, ts);
    return SEQ_NEW;
  }
  d = (gint16) (guint16) (seq - s->max_seq);
  if (d == 0)
    return seen_again (s, leg, seq, ts);
  if (d > 0) {
    if (d > 1 && !jump_agrees (s, d, (gint32) (ts - s->max_ts))) {
      /* a restart of the sequence: no loss */
      window_flush (s);
      seq_init (s, seq, ts, nf, arrival);
      from_set (s, leg, seq, ts);
      *restart = TRUE;
      return SEQ_NEW;
    }
    if ((guint32) d >= s->window) {
      /* the whole old window leaves it, and the numbers of the gap that
       * are further behind than W count at once */
      window_flush (s);
      s->stats.lost += (guint32) d - s->window;
      /* the rest of the gap (W - 1 numbers) stays in the window unseen */
      memset (s->seen, 0, AES67_RX_MAX_WINDOW / 8);
      from_clear (s);
      s->span = s->window;
    } else {
      gint32 k;

      for (k = 1; k <= d; k++) {
        guint16 n = s->max_seq + k;

        /* the slot of n held n - W: it leaves the window now */
        if (s->span >= s->window && !window_bit (s, n))
          s->stats.lost++;
        window_set (s, n, FALSE);
        if (s->span < s->window)
          s->span++;
      }
    }
    window_set (s, seq, TRUE);
    from_set (s, leg, seq, ts);
    s->max_seq = seq;
    s->max_ts = ts;
    s->max_arrival = arrival;
    s->frames_per_packet = nf;
    return SEQ_NEW;
  } else {
    guint32 b = (guint32) (-d);

    if (b < s->span) {
      if (window_bit (s, seq))
        return seen_again (s, leg, seq, ts);
      window_set (s, seq, TRUE);
      from_set (s, leg, seq, ts);
      s->stats.reordered++;
      return SEQ_NEW;
    }
    if (b < s->window) {
      /* older than the first packet of this sequence: whether the other
       * leg brought it is not known; the ring tells (a frame written
       * twice is written with the same audio) */
      if (s->n_legs < 2)
        s->stats.reordered++;
      return SEQ_NEW;
    }
    /* left the window: an old packet if the timestamps agree (already
     * counted lost, which stays so; whether it came before is not known,
     * so it is neither reordered nor duplicate; the ring says whether it
     * is late), else a restart */
    if (jump_agrees (s, -(gint64) b, (gint32) (ts - s->max_ts)))
      return SEQ_NEW;
    window_flush (s);
    seq_init (s, seq, ts, nf, arrival);
    from_set (s, leg, seq, ts);
    *restart = TRUE;
    return SEQ_NEW;
  }
}

/* ---- per-path figures (protected by the stream's lock) ---- */

/* A new sequence on every leg (a new SSRC, a restart): their
 * expected - received start again, what they lost stays */
static void
legs_new_sequence (Aes67RxStream * s)
{
  guint i;

  for (i = 0; i < s->n_legs; i++) {
    s->legs[i].lost_done = s->legs[i].st.lost;
    s->legs[i].have_seq = FALSE;
    s->legs[i].have_transit = FALSE;
  }
}

/* A valid packet on @leg (written, or a copy, or a duplicate) */
static void
leg_account (Aes67RxStream * s, Aes67RxLeg * leg, guint16 seq, guint32 ts,
    guint32 ssrc, gint64 arrival, gint32 transit, gboolean broken)
{
  guint64 expected;
  gint32 d;

  if (!leg->have_seq) {
    leg->ext_base = leg->ext_max = G_GUINT64_CONSTANT (0x100000000) + seq;
    leg->recv = 0;
    leg->have_seq = TRUE;
  }
  d = (gint16) (guint16) (seq - (guint16) leg->ext_max);
  if (d > 0)
    leg->ext_max += d;
  leg->recv++;
  expected = leg->ext_max - leg->ext_base + 1;
  leg->st.lost = leg->lost_done + (expected > leg->recv ?
      expected - leg->recv : 0);
  leg->st.received++;
  if (s->have_read_pos && (gint32) (ts - s->read_pos) < 0)
    leg->st.late++;

  if (leg->have_transit && !broken) {
    gint32 dt = transit - leg->last_transit;

    leg->jitter += (ABS ((gdouble) dt) - leg->jitter) / 16.0;
  }
  leg->last_transit = transit;
  leg->have_transit = TRUE;

  if (leg->st.state == AES67_STREAM_LOST) {
    leg->restored_pending = TRUE;
    leg->restored_ssrc = ssrc;
    leg->lost_duration_ms = leg->lost_since ?
        (guint64) MAX (arrival - leg->lost_since, 0) / 1000000 : 0;
  }
  leg->st.state = AES67_STREAM_RECEIVING;
  leg->st.last_arrival = arrival;
}

static void
leg_set_lost (Aes67RxLeg * leg, gboolean event)
{
  leg->st.state = AES67_STREAM_LOST;
  leg->lost_since = leg->st.last_arrival;
  leg->lost_ssrc = leg->st.ssrc;
  if (event) {
    leg->lost_pending = TRUE;
    /* a restore not taken yet is old news */
    leg->restored_pending = FALSE;
  }
}

/* ---- the ring (protected by the stream's lock) ---- */

static void
ring_write (Aes67RxStream * s, guint32 ts, const guint8 * payload, guint nf)
{
  guint skip = 0;
  guint i;

  if (s->have_read_pos) {
    gint64 rel = (gint32) (ts - s->read_pos);

    if (rel + nf <= 0) {
      s->stats.late++;
      return;
    }
    if (rel < 0) {
      s->stats.late++;
      skip = (guint) (-rel);
    } else if (rel > (gint64) s->ring_frames - nf) {
      s->stats.early++;
      return;
    }
  }
  for (i = skip; i < nf;) {
    guint32 idx = (ts + i) & s->ring_mask;
    guint run = MIN (nf - i, s->ring_frames - idx);
    guint j;

    memcpy (s->ring + (gsize) idx * s->frame_bytes,
        payload + (gsize) i * s->frame_bytes, (gsize) run * s->frame_bytes);
    for (j = 0; j < run; j++) {
      s->tag[idx + j] = ts + i + j;
      s->present[idx + j] = 1;
    }
    i += run;
  }
}

/* ---- packets ---- */

static void
declare_lost (Aes67RxStream * s)
{
  guint i;

  for (i = 0; i < s->n_legs; i++)
    if (s->legs[i].st.state == AES67_STREAM_RECEIVING)
      leg_set_lost (&s->legs[i], FALSE);
  window_flush (s);
  s->stats.state = AES67_STREAM_LOST;
  s->locked = FALSE;
  s->lost_since = s->stats.last_arrival;
}

/* One received datagram of @len bytes (@trunc: longer than the buffer),
 * with the stream's lock held. */
static void
handle_packet (Aes67RxLeg * leg, const guint8 * p, gsize len,
    gboolean trunc, const struct sockaddr_in *from, gint64 arrival)
{
  Aes67RxStream *s = leg->stream;
  gsize hdr, pad = 0, plen;
  guint cc, pt, nf;
  guint16 seq;
  guint32 ts, ssrc;
  gint32 transit;
  gint kind;
  gboolean restart, fresh = FALSE, jumped = FALSE;

  if (leg->has_filter && from->sin_addr.s_addr != leg->filter) {
    s->stats.foreign++;
    return;
  }
  if (trunc || len < 12 || (p[0] >> 6) != 2) {
    s->stats.malformed++;
    return;
  }
  cc = p[0] & 0x0f;
  hdr = 12 + 4 * cc;
  if (hdr > len) {
    s->stats.malformed++;
    return;
  }
  if (p[0] & 0x10) {
    if (hdr + 4 > len) {
      s->stats.malformed++;
      return;
    }
    hdr += 4 + 4 * (gsize) ((p[hdr + 2] << 8) | p[hdr + 3]);
    if (hdr > len) {
      s->stats.malformed++;
      return;
    }
  }
  if (p[0] & 0x20) {
    pad = p[len - 1];
    if (pad == 0 || hdr + pad > len) {
      s->stats.malformed++;
      return;
    }
  }
  pt = p[1] & 0x7f;
  if (pt != s->payload_type) {
    s->stats.foreign++;
    return;
  }
  plen = len - hdr - pad;
  if (plen == 0 || plen % s->frame_bytes != 0) {
    s->stats.malformed++;
    return;
  }
  nf = plen / s->frame_bytes;
  seq = (p[2] << 8) | p[3];
  ts = ((guint32) p[4] << 24) | ((guint32) p[5] << 16) | ((guint32) p[6] << 8)
      | p[7];
  ssrc = ((guint32) p[8] << 24) | ((guint32) p[9] << 16) |
      ((guint32) p[10] << 8) | p[11];
  leg->st.ssrc = ssrc;

  if (leg->st.ignored) {
    leg->st.mismatched++;
    return;
  }
  if (!s->locked) {
    guint i;

    if (!s->have_ssrc || ssrc != s->ssrc) {
      /* a new SSRC: a new sequence state and a new mapping */
      s->have_seq = FALSE;
      legs_new_sequence (s);
      fresh = TRUE;
    }
    /* the stream is taken again: a secondary leg gets a new chance */
    for (i = 0; i < s->n_legs; i++)
      s->legs[i].st.ignored = FALSE;
    s->locked = TRUE;
    s->have_ssrc = TRUE;
    if (s->stats.state == AES67_STREAM_LOST) {
      s->restore.ssrc = ssrc;
      s->restore.same_ssrc = (ssrc == s->ssrc);
      s->restore.lost_duration_ms = s->lost_since ?
          (guint64) MAX (arrival - s->lost_since, 0) / 1000000 : 0;
      s->restore_pending = TRUE;
      s->stats.restored_count++;
    }
    s->ssrc = ssrc;
    s->stats.ssrc = ssrc;
    if (s->stats.state != AES67_STREAM_RECEIVING)
      s->receiving_since = arrival;
    s->stats.state = AES67_STREAM_RECEIVING;
  } else if (ssrc != s->ssrc) {
    s->stats.foreign++;
    leg->st.foreign_ssrc++;
    return;
  }

  transit = (gint32) ((guint32) ns_to_units (arrival - s->t0, s->rate) - ts);
  kind = seq_update (s, leg->index, seq, ts, nf, arrival, &restart);
  if (restart)
    legs_new_sequence (s);
  if (kind == SEQ_MISMATCH) {
    /* the secondary is compared with the primary: it is the one ignored */
    Aes67RxLeg *sec = &s->legs[1];

    sec->st.mismatched++;
    sec->st.ignored = TRUE;
    return;
  }
  if (kind != SEQ_NEW) {
    /* the stream is alive while any leg brings it: the stream is lost
     * only after each leg is */
    if (kind == SEQ_COPY && arrival > s->stats.last_arrival)
      s->stats.last_arrival = arrival;
    leg_account (s, leg, seq, ts, ssrc, arrival, transit, FALSE);
    return;
  }
  /* the frames read as silence after the previous newest packet were lost
   * when this one continues its sequence; not when a new sequence (SSRC)
   * begins */
  if (s->concealed_pending) {
    if (!fresh && !restart)
      s->stats.samples_concealed += s->concealed_pending;
    s->concealed_pending = 0;
  }

  s->stats.received++;
  s->stats.last_arrival = arrival;

  /* anchor: the packet of least transit over about a second */
  if (fresh || restart || !s->anchor.valid) {
    anchor_reset (s, ts, arrival);
  } else {
    gint64 off = transit_diff (s, ts, arrival, s->anchor.rtp_ts,
        s->anchor.arrival);

    if (off > AES67_RX_TS_JUMP_NS || off < -AES67_RX_TS_JUMP_NS) {
      if (s->max_seq != seq)
        goto anchor_done;       /* an old packet, held up somewhere */
      /* the newest packet's timestamp jumped against the arrival times */
      anchor_reset (s, ts, arrival);
      jumped = TRUE;
    } else if (off < 0) {
      s->anchor.rtp_ts = ts;
      s->anchor.arrival = arrival;
      s->have_cand = FALSE;
      s->window_start = arrival;
    } else {
      if (!s->have_cand || transit_diff (s, ts, arrival, s->cand_ts,
              s->cand_arrival) < 0) {
        s->cand_ts = ts;
        s->cand_arrival = arrival;
        s->have_cand = TRUE;
      }
      if (arrival - s->window_start >= AES67_RX_ANCHOR_WINDOW_NS) {
        s->anchor.rtp_ts = s->cand_ts;
        s->anchor.arrival = s->cand_arrival;
        s->have_cand = FALSE;
        s->window_start = arrival;
      }
    }
  }
anchor_done:

  /* jitter, RFC 3550 A.8, arrival in RTP units (a break of the mapping
   * is no jitter) */
  {
    if (s->have_transit && !restart && !fresh && !jumped) {
      gint32 d = transit - s->last_transit;

      s->jitter += (ABS ((gdouble) d) - s->jitter) / 16.0;
    }
    s->last_transit = transit;
    s->have_transit = TRUE;
  }
  leg_account (s, leg, seq, ts, ssrc, arrival, transit, restart || fresh
      || jumped);

  ring_write (s, ts, p + hdr, nf);
}

/* ---- engine threads ---- */

static void
drain_leg (Aes67RxThread * t, Aes67RxLeg * leg)
{
  Aes67RxStream *s = leg->stream;
  guint b;

  for (b = 0; b < AES67_RX_MAX_BATCHES; b++) {
    gint n, i;
    gint64 off;

    for (i = 0; i < AES67_RX_BATCH; i++) {
      struct msghdr *h = &t->msgs[i].msg_hdr;

      t->iov[i].iov_base = t->buf[i];
      t->iov[i].iov_len = AES67_RX_MAX_PACKET;
      h->msg_name = &t->addr[i];
      h->msg_namelen = sizeof (t->addr[i]);
      h->msg_iov = &t->iov[i];
      h->msg_iovlen = 1;
      h->msg_control = t->ctrl[i];
      h->msg_controllen = sizeof (t->ctrl[i]);
      h->msg_flags = 0;
    }
    n = recvmmsg (leg->fd, t->msgs, AES67_RX_BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0)
      return;
    {
      gint64 mono = aes67_rx_now ();

      off = mono - realtime_now ();
      for (i = 0; i < n; i++) {
        struct msghdr *h = &t->msgs[i].msg_hdr;
        struct cmsghdr *c;

        t->arrival[i] = mono;
        for (c = CMSG_FIRSTHDR (h); c; c = CMSG_NXTHDR (h, c)) {
          if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec tv;

            memcpy (&tv, CMSG_DATA (c), sizeof (tv));
            t->arrival[i] = (gint64) tv.tv_sec * 1000000000 + tv.tv_nsec + off;
            /* never later than now (a step of the realtime clock) */
            if (t->arrival[i] > mono)
              t->arrival[i] = mono;
          }
        }
      }
    }
    g_mutex_lock (&s->lock);
    for (i = 0; i < n; i++) {
      struct msghdr *h = &t->msgs[i].msg_hdr;

      handle_packet (leg, t->buf[i], MIN (t->msgs[i].msg_len,
              AES67_RX_MAX_PACKET), (h->msg_flags & MSG_TRUNC) != 0,
          &t->addr[i], t->arrival[i]);
    }
    g_mutex_unlock (&s->lock);
    if (n < AES67_RX_BATCH)
      return;
  }
}

static gpointer
engine_thread (gpointer data)
{
  Aes67RxThread *t = data;
  struct epoll_event ev[64];
  struct sched_param param = {.sched_priority = 10 };

  /* real-time priority where allowed (root, or RLIMIT_RTPRIO), as the
   * sender's pacer has: a packet is in its ring as soon as the kernel has
   * it, not when the scheduler next gets to a thread beside every
   * stream's streaming thread; harmless where not allowed (the thread
   * then runs at normal priority). AES67_RX_NO_RT=1 keeps it at normal
   * priority. The kernel's real-time throttling (sched_rt_runtime_us)
   * keeps a flood from taking a whole core. */
  if (!g_getenv ("AES67_RX_NO_RT"))
    pthread_setschedparam (pthread_self (), SCHED_FIFO, &param);

  for (;;) {
    gint n = epoll_wait (t->epfd, ev, G_N_ELEMENTS (ev), -1);
    gint i;

    if (n < 0 && errno != EINTR)
      g_error ("aes67 receive engine: epoll_wait: %s", g_strerror (errno));
    g_mutex_lock (&t->lock);
    for (i = 0; i < n; i++) {
      Aes67RxLeg *leg = ev[i].data.ptr;

      if (leg == NULL) {
        guint64 v;

        if (read (t->evfd, &v, sizeof (v)) < 0) {
          /* nothing to read: someone else took it */
        }
        continue;
      }
      if (leg->stream->dead)
        continue;
      drain_leg (t, leg);
    }
    t->iter++;
    g_cond_broadcast (&t->cond);
    g_mutex_unlock (&t->lock);
  }
  return NULL;
}

/* with engine_lock */
static Aes67RxThread *
thread_new (GError ** error)
{
  Aes67RxThread *t = g_new0 (Aes67RxThread, 1);
  struct epoll_event ev = { 0, };

  t->epfd = epoll_create1 (EPOLL_CLOEXEC);
  t->evfd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (t->epfd < 0 || t->evfd < 0) {
    gint e = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e),
        "cannot start the receive engine: %s", g_strerror (e));
    if (t->epfd >= 0)
      close (t->epfd);
    if (t->evfd >= 0)
      close (t->evfd);
    g_free (t);
    return NULL;
  }
  ev.events = EPOLLIN;
  ev.data.ptr = NULL;
  epoll_ctl (t->epfd, EPOLL_CTL_ADD, t->evfd, &ev);
  g_mutex_init (&t->lock);
  g_cond_init (&t->cond);
  t->thread = g_thread_new ("aes67-rx", engine_thread, t);
  return t;
}

/* with engine_lock: the thread a new stream goes to */
static Aes67RxThread *
thread_pick (GError ** error)
{
  guint want = 1, i;
  Aes67RxThread *best = NULL;

  if (engine_n_streams + 1 > AES67_RX_STREAMS_PER_FIRST_THREAD)
    want = MIN (MAX (g_get_num_processors (), 1), AES67_RX_MAX_THREADS);
  while (engine_n_threads < want) {
    Aes67RxThread *t = thread_new (error);

    if (t == NULL) {
      if (engine_n_threads == 0)
        return NULL;
      g_clear_error (error);
      break;
    }
    engine_threads[engine_n_threads++] = t;
  }
  for (i = 0; i < engine_n_threads; i++) {
    if (best == NULL || engine_threads[i]->n_streams < best->n_streams)
      best = engine_threads[i];
  }
  return best;
}

/* ---- streams ---- */

/* Closes @s's sockets and frees it: a stream no thread serves (never
 * added, or taken out and waited for). */
static void
stream_release (Aes67RxStream * s)
{
  guint i;

  for (i = 0; i < s->n_legs; i++)
    close (s->legs[i].fd);
  g_mutex_clear (&s->lock);
  g_free (s->from);
  g_free (s->seq_ts);
  g_free (s->ring);
  g_free (s->tag);
  g_free (s->present);
  g_free (s->seen);
  g_free (s);
}

static gboolean
is_multicast (guint32 addr_be)
{
  return IN_MULTICAST (ntohl (addr_be));
}

static gint
open_socket (const Aes67RxConfig * cfg, guint32 addr, GError ** error)
{
  gint fd, one = 1, e;
  struct sockaddr_in sa;
  const gchar *what;
  const gchar *iface = cfg->multicast_iface ? cfg->multicast_iface : "(any)";

  fd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    what = "socket";
    goto fail_errno;
  }
  if (setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one)) < 0) {
    what = "SO_REUSEADDR";
    goto fail_errno;
  }
  if (setsockopt (fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof (one)) < 0) {
    /* arrival times then come from the clock at each batch */
  }
  if (cfg->buffer_size > 0) {
    gint sz = (gint) MIN (cfg->buffer_size, G_MAXINT / 2);

    if (setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof (sz)) < 0 &&
        setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof (sz)) < 0) {
      what = "SO_RCVBUF";
      goto fail_errno;
    }
  }
  memset (&sa, 0, sizeof (sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons (cfg->port);
  sa.sin_addr.s_addr = addr;
  if (is_multicast (addr)) {
    GError *err = NULL;

    if (bind (fd, (struct sockaddr *) &sa, sizeof (sa)) < 0) {
      what = "bind";
      goto fail_errno;
    }
    if (!aes67_net_join_group (fd, addr, cfg->multicast_iface, &err)) {
      g_set_error (error, err->domain, err->code,
          "cannot receive %s port %u: %s", cfg->address, cfg->port,
          err->message);
      g_error_free (err);
      close (fd);
      return -1;
    }
  } else {
    /* unicast: the address given; one not of this machine (an SDP naming
     * the sender's view of us through NAT, say) falls back to any */
    if (bind (fd, (struct sockaddr *) &sa, sizeof (sa)) < 0) {
      if (errno != EADDRNOTAVAIL) {
        what = "bind";
        goto fail_errno;
      }
      sa.sin_addr.s_addr = htonl (INADDR_ANY);
      if (bind (fd, (struct sockaddr *) &sa, sizeof (sa)) < 0) {
        what = "bind";
        goto fail_errno;
      }
    }
  }
  return fd;

fail_errno:
  e = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e),
      "cannot receive %s port %u on interface %s: %s: %s", cfg->address,
      cfg->port, iface, what, g_strerror (e));
  if (fd >= 0)
    close (fd);
  return -1;
}

Aes67RxStream *
aes67_rx_stream_new (const Aes67RxConfig * cfg, GError ** error)
{
  Aes67RxStream *s;
  struct in_addr a, f = { 0, };
  guint32 ring = cfg->ring_frames;
  struct epoll_event ev = { 0, };
  Aes67RxThread *t;
  gint fd;

  g_return_val_if_fail (cfg != NULL, NULL);
  if (cfg->address == NULL || inet_pton (AF_INET, cfg->address, &a) != 1) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "cannot receive %s port %u: not an IPv4 address",
        cfg->address ? cfg->address : "(none)", cfg->port);
    return NULL;
  }
  if (cfg->source_filter && inet_pton (AF_INET, cfg->source_filter, &f) != 1) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "cannot receive %s port %u: source filter %s is not an IPv4 address",
        cfg->address, cfg->port, cfg->source_filter);
    return NULL;
  }
  if (cfg->port < 1 || cfg->port > 65535 || cfg->payload_type > 127 ||
      cfg->channels < 1 || cfg->channels > 64 ||
      (cfg->sample_bytes != 2 && cfg->sample_bytes != 3) || cfg->rate == 0 ||
      (ring & (ring - 1)) != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "cannot receive %s port %u: invalid format (payload type %u, "
        "%u channels, %u bytes per sample, rate %u, ring %u frames)",
        cfg->address, cfg->port, cfg->payload_type, cfg->channels,
        cfg->sample_bytes, cfg->rate, ring);
    return NULL;
  }
  if (ring == 0) {
    ring = 1;
    while (ring < cfg->rate)
      ring <<= 1;
  }

  fd = open_socket (cfg, a.s_addr, error);
  if (fd < 0)
    return NULL;

  s = g_new0 (Aes67RxStream, 1);
  s->group = a.s_addr;
  s->port = cfg->port;
  s->buffer_size = cfg->buffer_size;
  s->payload_type = cfg->payload_type;
  s->channels = cfg->channels;
  s->sample_bytes = cfg->sample_bytes;
  s->frame_bytes = cfg->channels * cfg->sample_bytes;
  s->rate = cfg->rate;
  s->ring_frames = ring;
  s->ring_mask = ring - 1;
  s->ring = g_malloc0 ((gsize) ring * s->frame_bytes);
  s->tag = g_new0 (guint32, ring);
  s->present = g_new0 (guint8, ring);
  s->seen = g_new0 (guint32, AES67_RX_MAX_WINDOW / 32);
  s->t0 = aes67_rx_now ();
  s->stats.state = AES67_STREAM_WAITING;
  g_mutex_init (&s->lock);
  s->legs[0].stream = s;
  s->legs[0].fd = fd;
  s->legs[0].index = 0;
  s->legs[0].has_filter = cfg->source_filter != NULL;
  s->legs[0].filter = f.s_addr;
  s->legs[0].st.state = AES67_STREAM_WAITING;
  s->n_legs = 1;

  G_LOCK (engine);
  t = thread_pick (error);
  if (t == NULL) {
    G_UNLOCK (engine);
    stream_release (s);
    return NULL;
  }
  s->thread = t;
  t->n_streams++;
  engine_n_streams++;
  ev.events = EPOLLIN;
  ev.data.ptr = &s->legs[0];
  if (epoll_ctl (t->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
    gint e = errno;

    t->n_streams--;
    engine_n_streams--;
    G_UNLOCK (engine);
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e),
        "cannot receive %s port %u: epoll: %s", cfg->address, cfg->port,
        g_strerror (e));
    stream_release (s);
    return NULL;
  }
  G_UNLOCK (engine);
  return s;
}

gboolean
aes67_rx_stream_add_leg (Aes67RxStream * s, const gchar * address,
    guint port, const gchar * multicast_iface, const gchar * source_filter,
    GError ** error)
{
  Aes67RxConfig cfg = { 0, };
  struct in_addr a, f = { 0, };
  struct epoll_event ev = { 0, };
  Aes67RxLeg *leg;
  guint8 *from;
  guint32 *seq_ts;
  gint fd;

  g_return_val_if_fail (s != NULL, FALSE);
  if (address == NULL || inet_pton (AF_INET, address, &a) != 1) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "cannot receive the secondary leg %s port %u: not an IPv4 address",
        address ? address : "(none)", port);
    return FALSE;
  }
  if (source_filter && inet_pton (AF_INET, source_filter, &f) != 1) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "cannot receive the secondary leg %s port %u: source filter %s is "
        "not an IPv4 address", address, port, source_filter);
    return FALSE;
  }
  if (port < 1 || port > 65535) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "cannot receive the secondary leg %s port %u: not a port", address,
        port);
    return FALSE;
  }
  g_mutex_lock (&s->lock);
  if (s->n_legs >= AES67_RX_MAX_PATHS) {
    g_mutex_unlock (&s->lock);
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
        "cannot receive the secondary leg %s port %u: the stream has one "
        "already", address, port);
    return FALSE;
  }
  g_mutex_unlock (&s->lock);

  cfg.address = address;
  cfg.port = port;
  cfg.multicast_iface = multicast_iface;
  cfg.source_filter = source_filter;
  cfg.buffer_size = s->buffer_size;
  fd = open_socket (&cfg, a.s_addr, error);
  if (fd < 0)
    return FALSE;

  from = g_new0 (guint8, AES67_RX_MAX_WINDOW);
  seq_ts = g_new0 (guint32, AES67_RX_MAX_WINDOW);
  g_mutex_lock (&s->lock);
  leg = &s->legs[1];
  leg->stream = s;
  leg->fd = fd;
  leg->index = 1;
  leg->has_filter = source_filter != NULL;
  leg->filter = f.s_addr;
  leg->st.state = AES67_STREAM_WAITING;
  s->from = from;
  s->seq_ts = seq_ts;
  s->n_legs = 2;
  g_mutex_unlock (&s->lock);

  ev.events = EPOLLIN;
  ev.data.ptr = leg;
  if (epoll_ctl (s->thread->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
    gint e = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e),
        "cannot receive the secondary leg %s port %u: epoll: %s", address,
        port, g_strerror (e));
    g_mutex_lock (&s->lock);
    s->n_legs = 1;
    leg->fd = -1;
    g_mutex_unlock (&s->lock);
    close (fd);
    return FALSE;
  }
  return TRUE;
}

void
aes67_rx_stream_free (Aes67RxStream * s)
{
  Aes67RxThread *t;
  guint64 iter, one = 1;
  guint i;

  if (s == NULL)
    return;
  t = s->thread;
  for (i = 0; i < s->n_legs; i++)
    epoll_ctl (t->epfd, EPOLL_CTL_DEL, s->legs[i].fd, NULL);

  /* an epoll_wait may have returned the stream's event already: wait for
   * the thread to finish that round */
  g_mutex_lock (&t->lock);
  s->dead = TRUE;
  iter = t->iter;
  if (write (t->evfd, &one, sizeof (one)) < 0) {
    /* the counter is full: the thread is being woken anyway */
  }
  while (t->iter == iter)
    g_cond_wait (&t->cond, &t->lock);
  g_mutex_unlock (&t->lock);

  G_LOCK (engine);
  t->n_streams--;
  engine_n_streams--;
  G_UNLOCK (engine);

  stream_release (s);
}

/* A frame at RTP time @ts that no packet brought was missing from the
 * output (stream's lock held): concealment when a later packet of the same
 * sequence came (lost or late), pending until one does (an outage, or a
 * sender that stopped), nothing before the stream or this sequence of it
 * began. */
static void
count_missing_locked (Aes67RxStream * s, guint32 ts)
{
  if (!s->ever_read || !s->have_seq || !s->anchor.valid
      || (gint32) (ts - s->anchor.first_rtp_ts) < 0)
    return;
  if ((gint32) (ts - (s->max_ts + s->frames_per_packet)) < 0)
    s->stats.samples_concealed++;
  else
    s->concealed_pending++;
}

/* Hands out the frame at RTP time @ts into @dest (stream's lock held): its
 * audio if a packet brought it (then gone from the ring), else zeroes,
 * counted missing. Returns whether a packet brought it. */
static gboolean
take_frame_locked (Aes67RxStream * s, guint32 ts, guint8 * dest)
{
  guint32 idx = ts & s->ring_mask;
  gsize fb = s->frame_bytes;

  if (s->present[idx] && s->tag[idx] == ts) {
    memcpy (dest, s->ring + idx * fb, fb);
    s->present[idx] = 0;
    s->ever_read = TRUE;
    return TRUE;
  }
  memset (dest, 0, fb);
  count_missing_locked (s, ts);
  return FALSE;
}

guint
aes67_rx_stream_read (Aes67RxStream * s, guint32 rtp_ts, guint n_frames,
    guint8 * dest, guint * first_missing)
{
  guint i, got = 0, first = n_frames;

  g_mutex_lock (&s->lock);
  for (i = 0; i < n_frames; i++) {
    if (take_frame_locked (s, rtp_ts + i, dest + i * s->frame_bytes))
      got++;
    else if (first == n_frames)
      first = i;
  }
  s->read_pos = rtp_ts + n_frames;
  s->have_read_pos = TRUE;
  g_mutex_unlock (&s->lock);
  if (first_missing)
    *first_missing = first;
  return got;
}

guint
aes67_rx_stream_read_run (Aes67RxStream * s, guint32 rtp_ts,
    guint max_frames, guint8 * dest, gboolean * present)
{
  gboolean first = FALSE;
  guint i;

  g_mutex_lock (&s->lock);
  for (i = 0; i < max_frames; i++) {
    guint32 ts = rtp_ts + i;
    guint32 idx = ts & s->ring_mask;
    gboolean here = s->present[idx] && s->tag[idx] == ts;

    /* the run ends before the first frame whose state differs */
    if (i > 0 && here != first)
      break;
    first = take_frame_locked (s, ts, dest + i * s->frame_bytes);
  }
  s->read_pos = rtp_ts + i;
  s->have_read_pos = TRUE;
  g_mutex_unlock (&s->lock);
  *present = first;
  return i;
}

void
aes67_rx_stream_skip (Aes67RxStream * s, guint32 rtp_ts, guint n_frames)
{
  guint i;

  g_mutex_lock (&s->lock);
  for (i = 0; i < n_frames; i++) {
    guint32 ts = rtp_ts + i;
    guint32 idx = ts & s->ring_mask;

    if (s->present[idx] && s->tag[idx] == ts) {
      /* brought by a packet, but not played */
      s->present[idx] = 0;
      if (s->ever_read)
        s->stats.samples_concealed++;
    } else {
      count_missing_locked (s, ts);
    }
  }
  s->read_pos = rtp_ts + n_frames;
  s->have_read_pos = TRUE;
  g_mutex_unlock (&s->lock);
}

void
aes67_rx_stream_seek (Aes67RxStream * s, guint32 rtp_ts)
{
  g_mutex_lock (&s->lock);
  s->read_pos = rtp_ts;
  s->have_read_pos = TRUE;
  g_mutex_unlock (&s->lock);
}

void
aes67_rx_stream_get_anchor (Aes67RxStream * s, Aes67RxAnchor * anchor)
{
  g_mutex_lock (&s->lock);
  *anchor = s->anchor;
  anchor->frames_per_packet = s->have_seq ? s->frames_per_packet : 0;
  g_mutex_unlock (&s->lock);
}

void
aes67_rx_stream_get_stats (Aes67RxStream * s, Aes67RxStats * st)
{
  guint i;

  g_mutex_lock (&s->lock);
  *st = s->stats;
  st->jitter_us = s->jitter * 1e6 / s->rate;
  st->n_paths = s->n_legs;
  for (i = 0; i < s->n_legs; i++) {
    st->paths[i] = s->legs[i].st;
    st->paths[i].jitter_us = s->legs[i].jitter * 1e6 / s->rate;
  }
  g_mutex_unlock (&s->lock);
}

gboolean
aes67_rx_stream_check_timeout (Aes67RxStream * s, gint64 now, gint64 timeout_ns)
{
  gboolean ret = FALSE;
  guint i;

  g_mutex_lock (&s->lock);
  for (i = 0; i < s->n_legs; i++) {
    Aes67RxLeg *leg = &s->legs[i];

    if (leg->st.state == AES67_STREAM_RECEIVING &&
        now - leg->st.last_arrival >= timeout_ns)
      leg_set_lost (leg, s->n_legs > 1);
    /* a leg that never brought a packet while the other has run for the
     * time-out (a network not connected) is lost too */
    else if (leg->st.state == AES67_STREAM_WAITING && s->n_legs > 1 &&
        s->stats.state == AES67_STREAM_RECEIVING &&
        now - s->receiving_since >= timeout_ns)
      leg_set_lost (leg, TRUE);
  }
  if (s->stats.state == AES67_STREAM_RECEIVING &&
      now - s->stats.last_arrival >= timeout_ns) {
    declare_lost (s);
    ret = TRUE;
  }
  g_mutex_unlock (&s->lock);
  return ret;
}

gboolean
aes67_rx_stream_set_lost (Aes67RxStream * s, gint64 now)
{
  gboolean ret;

  g_mutex_lock (&s->lock);
  ret = s->stats.state == AES67_STREAM_RECEIVING;
  if (ret)
    declare_lost (s);
  g_mutex_unlock (&s->lock);
  return ret;
}

gboolean
aes67_rx_stream_take_restored (Aes67RxStream * s, Aes67RxRestore * info)
{
  gboolean ret;

  g_mutex_lock (&s->lock);
  ret = s->restore_pending;
  if (ret) {
    if (info)
      *info = s->restore;
    s->restore_pending = FALSE;
  }
  g_mutex_unlock (&s->lock);
  return ret;
}

gboolean
aes67_rx_stream_take_path_event (Aes67RxStream * s, Aes67RxPathEvent * ev)
{
  gboolean ret = FALSE;
  guint i;

  g_mutex_lock (&s->lock);
  for (i = 0; s->n_legs > 1 && i < s->n_legs && !ret; i++) {
    Aes67RxLeg *leg = &s->legs[i];

    if (leg->lost_pending) {
      ev->path = i;
      ev->restored = FALSE;
      ev->ssrc = leg->lost_ssrc;
      ev->lost_duration_ms = 0;
      leg->lost_pending = FALSE;
      ret = TRUE;
    } else if (leg->restored_pending) {
      ev->path = i;
      ev->restored = TRUE;
      ev->ssrc = leg->restored_ssrc;
      ev->lost_duration_ms = leg->lost_duration_ms;
      leg->restored_pending = FALSE;
      ret = TRUE;
    }
  }
  g_mutex_unlock (&s->lock);
  return ret;
}

guint
aes67_rx_engine_n_threads (void)
{
  guint n;

  G_LOCK (engine);
  n = engine_n_threads;
  G_UNLOCK (engine);
  return n;
}

guint
aes67_rx_engine_n_streams (void)
{
  guint n;

  G_LOCK (engine);
  n = engine_n_streams;
  G_UNLOCK (engine);
  return n;
}
