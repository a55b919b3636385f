/* gst-aes67: aes67src through an impaired network (issue 12, item 6)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two hosts (network namespaces joined by veth through a bridge): host 0
 * sends with aes67sink, host 1 receives with aes67src (media-clock
 * playout: both pipelines run on the system clock, which the two hosts
 * share). The kernel has no netem, so the network is impaired with what
 * it has:
 * - loss: an nftables rule in host 1's prerouting hook drops packets of
 *   the stream (`numgen random mod 100 < 5`: 5 % at random; `numgen inc
 *   mod 1000 < 50`: bursts of 50 packets; no match: an outage); a named
 *   nft counter says exactly how many it dropped;
 * - jitter, reordering, duplication: tests/common/aes67-impair-relay.c
 *   in host 0 takes the sender's packets (multicast looped back) and sends
 *   them on to another group after a drawn delay, some twice, and counts
 *   what it did (packets sent after a later one, second copies);
 * - a sender restart: the sending pipeline is stopped and a new one (new
 *   aes67sink: new SSRC and sequence numbers) started.
 *
 * The audio is a counter: L24 stereo, 48 kHz, 1 ms packets; the left
 * sample of each frame is 0x800000 | (n & 0x7fffff), the right sample the
 * left one XOR 0x5a5a5a (never silence), where n counts the frames of the
 * media clock's timeline from the first sender's first frame on: the
 * senders' base times are whole milliseconds (so a sender's first frame
 * starts a packet, without a silent lead-in) and a restarted sender goes
 * on with the n of its first frame's capture time. Each output frame is
 * checked: it is either the counter value of its place or silence (all
 * zero), and the counter never goes back or repeats, also across a sender
 * restart. A frame's place is that of the first counter frame out plus
 * the frames output since; where a buffer's PTS jumps (a receiver that
 * fell far behind on a loaded machine and started again at the present)
 * it must be flagged DISCONT, and the frames jumped over count as
 * skipped: every place must come out unless a thread here stalled for
 * LONG_STALL_US. The zero frames after the first counter frame, and the
 * skipped ones, are concealed samples (but for the silence while no
 * sender was sending, between a stopped sender's last frame and a
 * restarted one's first: no packet was lost there): at a snapshot taken on the
 * streaming thread (in appsink's new-sample, so no frame is read that is
 * not out yet) after the impairment ended and a second of clean audio
 * followed, `samples-concealed` must equal them exactly. Every frame of
 * silence after the first counter frame must be in a buffer flagged
 * GST_BUFFER_FLAG_GAP (a buffer is whole audio or whole silence), and a
 * GAP buffer must be silence.
 * The statistics after the sender stopped and the stream was declared
 * lost must equal what was done to the packets: packets-lost the nft
 * counter's drops, packets-duplicate and packets-reordered the relay's
 * counts; samples-concealed 48 frames per dropped packet (plus 1-48 per
 * late packet). The counters never go backwards (snapshot <= final).
 * "Nothing late" (no jitter, or a link offset above the largest delay)
 * is a check on timing: it is decided only when the stalls measured (a
 * thread here that sleeps 1 ms at a time, the relay's and the sender's
 * worst lateness) fit in the link offset's margin over the network's
 * delay, and printed as not decided otherwise.
 *
 * Every check of a case is run and printed ("ok" / "FAIL"); a case fails
 * when one of them failed, with the list.
 *
 * Needs root and nftables; elsewhere exits 77 (skip) saying why.
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
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "aes67-testnet.h"

#ifndef AES67_IMPAIR_RELAY_PATH
#error "AES67_IMPAIR_RELAY_PATH: the path of tests/common/aes67-impair-relay"
#endif

#define RATE 48000
#define BPF 6                   /* S24BE stereo */
#define FPP 48                  /* frames per 1 ms packet */
#define RIGHT_XOR 0x5a5a5a
#define TX_HOST 0
#define RX_HOST 1

static Aes67TestNet *net;
static gchar *tmpdir;

/* ---------- checks that are all run and reported ---------- */

typedef struct
{
  gchar *name;
  guint n_failed;
  GString *failed;
} Verdict;

static void
verdict_init (Verdict * v, const gchar * name)
{
  v->name = g_strdup (name);
  v->n_failed = 0;
  v->failed = g_string_new (NULL);
  g_print ("\n== %s\n", name);
}

static void
G_GNUC_PRINTF (3, 4)
check (Verdict * v, gboolean ok, const gchar * fmt, ...)
{
  va_list ap;
  gchar *s;

  va_start (ap, fmt);
  s = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_print ("  %s: %s\n", ok ? "ok" : "FAIL", s);
  if (!ok) {
    v->n_failed++;
    g_string_append_printf (v->failed, "\n  - %s", s);
  }
  g_free (s);
}

/* Reports the failed checks; frees what it holds first (a failed
 * assertion does not return). */
static void
verdict_finish (Verdict * v)
{
  gchar msg[8192];
  gchar *s = g_string_free (v->failed, FALSE);
  guint n = v->n_failed;

  g_print ("== %s: %u check(s) failed\n", v->name, n);
  g_snprintf (msg, sizeof (msg), "%s: %u check(s) failed:%s", v->name, n, s);
  g_free (s);
  g_free (v->name);
  fail_unless (n == 0, "%s", msg);
}

/* A counter of aes67src's statistics: guint64, or gint64 as before issue
 * 12 made it unsigned (a negative value is reported, not clamped). FALSE
 * with *@why set when the field is missing or negative. */
static gboolean
stat_count (const GstStructure * st, const gchar * field, guint64 * out,
    gchar ** why)
{
  const GValue *v = st ? gst_structure_get_value (st, field) : NULL;

  *out = 0;
  *why = NULL;
  if (!v) {
    *why = g_strdup_printf ("aes67src's stats have no field %s", field);
    return FALSE;
  }
  if (G_VALUE_HOLDS_UINT64 (v)) {
    *out = g_value_get_uint64 (v);
    return TRUE;
  }
  if (G_VALUE_HOLDS_INT64 (v)) {
    gint64 x = g_value_get_int64 (v);
    if (x < 0) {
      *why = g_strdup_printf ("%s is negative: %" G_GINT64_FORMAT, field, x);
      return FALSE;
    }
    *out = (guint64) x;
    return TRUE;
  }
  if (G_VALUE_HOLDS_UINT (v)) {
    *out = g_value_get_uint (v);
    return TRUE;
  }
  *why = g_strdup_printf ("%s has type %s, not a count", field,
      G_VALUE_TYPE_NAME (v));
  return FALSE;
}

/* The figures of one snapshot of the stats: present[] says which could be
 * read. */
enum
{
  S_RECEIVED, S_LOST, S_LATE, S_EARLY, S_DUPLICATE, S_REORDERED,
  S_CONCEALED, S_N
};
static const gchar *stat_names[S_N] = {
  "packets-received", "packets-lost", "packets-late", "packets-early",
  "packets-duplicate", "packets-reordered", "samples-concealed"
};

typedef struct
{
  guint64 v[S_N];
  gboolean present[S_N];
  gchar *why[S_N];
} Figures;

static void
figures_read (Figures * f, const GstStructure * st)
{
  guint i;

  for (i = 0; i < S_N; i++)
    f->present[i] = stat_count (st, stat_names[i], &f->v[i], &f->why[i]);
}

static void
figures_clear (Figures * f)
{
  guint i;

  for (i = 0; i < S_N; i++)
    g_clear_pointer (&f->why[i], g_free);
}

/* Checks that figure @i of @f equals @want (or, with @at_least, is at
 * least it); a figure that cannot be read fails with the reason. */
static void
check_figure (Verdict * v, const Figures * f, const gchar * when, guint i,
    guint64 want, gboolean at_least, const gchar * because)
{
  if (!f->present[i]) {
    check (v, FALSE, "%s %s %s %" G_GUINT64_FORMAT " (%s): cannot be "
        "decided: %s", when, stat_names[i], at_least ? ">=" : "==", want,
        because, f->why[i]);
    return;
  }
  check (v, at_least ? f->v[i] >= want : f->v[i] == want, "%s %s = %"
      G_GUINT64_FORMAT ", want %s%" G_GUINT64_FORMAT " (%s)", when,
      stat_names[i], f->v[i], at_least ? ">= " : "", want, because);
}

/* ---------- the sender: a counter, on the media clock ---------- */

typedef struct
{
  GstElement *pipe, *sink;
  gchar *sdp;
  guint64 start;                /* counter value of the first frame */
} Tx;

static guint32
counter_left (guint64 n)
{
  return 0x800000 | (guint32) (n & 0x7fffff);
}

/* The next whole millisecond of the system clock at least @ahead from
 * now. */
static GstClockTime
next_ms (GstClockTime ahead)
{
  GstClock *c = gst_system_clock_obtain ();
  GstClockTime now = gst_clock_get_time (c);

  gst_object_unref (c);
  return ((now + ahead) / GST_MSECOND + 1) * GST_MSECOND;
}

/* A sender of @seconds of counter audio starting at value @start, to
 * @group:@port from host 0, prerolled (its SDP is known). @loop: the
 * multicast comes back to host 0 (for the relay). */
static Tx *
tx_new (const gchar * group, guint port, guint seconds, guint64 start,
    gboolean loop)
{
  Tx *tx = g_new0 (Tx, 1);
  GstElement *appsrc;
  GstCaps *caps;
  guint64 k, n = (guint64) seconds * RATE;

  tx->start = start;
  tx->pipe = gst_pipeline_new ("tx");
  appsrc = gst_element_factory_make ("appsrc", NULL);
  tx->sink = gst_element_factory_make ("aes67sink", NULL);
  fail_unless (appsrc && tx->sink);
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING,
      "S24BE", "rate", G_TYPE_INT, RATE, "channels", G_TYPE_INT, 2,
      "layout", G_TYPE_STRING, "interleaved", NULL);
  g_object_set (appsrc, "caps", caps, "format", GST_FORMAT_TIME,
      "max-bytes", (guint64) 0, NULL);
  gst_caps_unref (caps);
  g_object_set (tx->sink, "address", group, "port", port, "ptime", 1000,
      "encoding", 2, "loop", loop, "multicast-iface", "eth0",
      "session-name", "impair", NULL);
  gst_bin_add_many (GST_BIN (tx->pipe), appsrc, tx->sink, NULL);
  fail_unless (gst_element_link (appsrc, tx->sink));
  /* both hosts on the system clock (one clock: the namespaces share it);
   * the base time is set by hand at PLAYING (a whole millisecond) */
  gst_pipeline_use_clock (GST_PIPELINE (tx->pipe), gst_system_clock_obtain ());
  gst_element_set_start_time (tx->pipe, GST_CLOCK_TIME_NONE);

  for (k = 0; k < n; k += 480) {
    GstBuffer *b = gst_buffer_new_allocate (NULL, 480 * BPF, NULL);
    GstMapInfo map;
    guint j;

    gst_buffer_map (b, &map, GST_MAP_WRITE);
    for (j = 0; j < 480; j++) {
      guint32 l = counter_left (start + k + j);
      GST_WRITE_UINT24_BE (map.data + j * BPF, l);
      GST_WRITE_UINT24_BE (map.data + j * BPF + 3, l ^ RIGHT_XOR);
    }
    gst_buffer_unmap (b, &map);
    GST_BUFFER_PTS (b) = gst_util_uint64_scale (k, GST_SECOND, RATE);
    GST_BUFFER_DURATION (b) = gst_util_uint64_scale (k + 480, GST_SECOND,
        RATE) - GST_BUFFER_PTS (b);
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (appsrc),
            b), GST_FLOW_OK);
  }
  gst_app_src_end_of_stream (GST_APP_SRC (appsrc));

  fail_unless (aes67_test_net_enter (net, TX_HOST));
  gst_element_set_state (tx->pipe, GST_STATE_PAUSED);
  fail_unless (aes67_test_net_leave ());
  fail_unless_equals_int (gst_element_get_state (tx->pipe, NULL, NULL,
          10 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  g_object_get (tx->sink, "sdp", &tx->sdp, NULL);
  fail_unless (tx->sdp != NULL, "no SDP after preroll");
  return tx;
}

/* Starts sending: the first frame is captured at clock time @base (a
 * whole millisecond, so that it starts a packet: no silent lead-in). */
static void
tx_play (Tx * tx, GstClockTime base)
{
  fail_unless (base % GST_MSECOND == 0);
  gst_element_set_base_time (tx->pipe, base);
  fail_unless (aes67_test_net_enter (net, TX_HOST));
  gst_element_set_state (tx->pipe, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
}

static guint
tx_ssrc (Tx * tx)
{
  GstStructure *st = NULL;
  guint ssrc = 0;

  g_object_get (tx->sink, "stats", &st, NULL);
  if (st) {
    gst_structure_get_uint (st, "ssrc", &ssrc);
    gst_structure_free (st);
  }
  return ssrc;
}

/* Stops the sender at once (no EOS: no padding after the counter). */
static void
tx_free (Tx * tx)
{
  if (!tx)
    return;
  gst_element_set_state (tx->pipe, GST_STATE_NULL);
  gst_object_unref (tx->pipe);
  g_free (tx->sdp);
  g_free (tx);
}

/* ---------- the receiver and what it plays ---------- */

typedef struct
{
  guint64 frames;               /* output frames */
  guint64 counted;              /* frames carrying the counter */
  guint64 zeros;                /* zero frames after the first counter one */
  guint64 longest_zero_run;
  guint64 misplaced;            /* counter frames off their place */
  guint64 backwards;            /* ... of them: not after the last one */
  guint64 corrupt;              /* neither silence nor a counter frame */
  guint64 skipped;              /* frames of the timeline that never came
                                 * out: the output jumped ahead (PTS) at a
                                 * DISCONT buffer */
  guint64 n_skips;              /* such jumps */
  guint64 holes;                /* jumps of the PTS without DISCONT, or
                                 * backwards */
  guint64 idle;                 /* zero frames between the first sender's
                                 * last counter frame and the restarted
                                 * sender's first: no packet was lost there,
                                 * the sender was not sending */
  guint64 gap_buffers;          /* flagged GST_BUFFER_FLAG_GAP */
  guint64 gap_with_audio;       /* ... of them with a counter frame */
  guint64 silent_unflagged;     /* buffers of silence after the first
                                 * counter frame, not flagged GAP */
  guint64 zeros_unflagged;      /* zero frames after the first counter
                                 * frame in buffers not flagged GAP (a
                                 * buffer partly silence) */
} Tally;

typedef struct
{
  GMutex lock;
  GCond cond;
  GstElement *pipe, *src;

  /* the analysis, protected by lock */
  Tally t;
  gboolean started;
  guint32 origin;               /* 23-bit counter of the first counter frame */
  gint64 origin_pos;            /* its place on the timeline, frames */
  gboolean have_pos;
  gint64 pos_end;               /* the place where the next buffer starts */
  guint32 last;
  guint64 zero_run;
  gchar *first_error;
  gboolean have_restart;        /* a restarted sender's first counter */
  guint32 restart_value;
  gboolean restart_seen;

  /* the snapshot, taken on the streaming thread */
  gboolean want_snapshot, have_snapshot;
  GstStructure *snap;
  Tally snap_t;

  /* bus messages (sync handler) */
  guint n_lost, n_restored;
  gboolean restored_same_ssrc;
  guint restored_ssrc;
  gchar *error;
} Rx;

static void
note_error (Rx * rx, const gchar * fmt, ...)
{
  va_list ap;

  if (rx->first_error)
    return;
  va_start (ap, fmt);
  rx->first_error = g_strdup_vprintf (fmt, ap);
  va_end (ap);
}

/* The place of each output frame on the timeline (in frames of the media
 * clock) is where the buffer before it ended; a buffer whose PTS jumps
 * from there (more than a frame's rounding) starts a new place only when
 * flagged DISCONT (a receiver that fell behind and started again at the
 * present): the frames jumped over never came out and are counted as
 * skipped. A jump without DISCONT is a hole in the output. */
static void
analyse (Rx * rx, GstBuffer * b, GstClockTime base)
{
  GstMapInfo map;
  gsize i, n;
  gboolean gap = GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_GAP);
  gboolean discont = GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_DISCONT);
  gboolean was_started = rx->started;
  guint64 counted = 0, zeros = 0;
  gint64 pos;

  if (!gst_buffer_map (b, &map, GST_MAP_READ))
    return;
  if (map.size % BPF)
    note_error (rx, "a buffer of %" G_GSIZE_FORMAT " bytes: not whole "
        "frames", map.size);
  n = map.size / BPF;

  pos = rx->pos_end;
  if (GST_BUFFER_PTS_IS_VALID (b)) {
    gint64 at = (gint64) gst_util_uint64_scale_round (GST_BUFFER_PTS (b) +
        base, RATE, GST_SECOND);

    if (!rx->have_pos) {
      pos = at;
      rx->have_pos = TRUE;
    } else if (at > rx->pos_end + 1 || at < rx->pos_end - 1) {
      if (rx->started) {
        if (discont && at > rx->pos_end) {
          rx->t.skipped += at - rx->pos_end;
          rx->t.n_skips++;
        } else {
          rx->t.holes++;
          note_error (rx, "output frame %" G_GUINT64_FORMAT ": the PTS "
              "jumps by %" G_GINT64_FORMAT " frames%s", rx->t.frames,
              at - rx->pos_end, discont ? " (backwards)" : " without "
              "DISCONT");
        }
      }
      pos = at;
    }
  }

  for (i = 0; i < n; i++) {
    const guint8 *p = map.data + i * BPF;
    guint32 l = GST_READ_UINT24_BE (p), r = GST_READ_UINT24_BE (p + 3);
    guint64 idx = rx->t.frames + i;

    if (l == 0 && r == 0) {
      if (rx->started) {
        rx->t.zeros++;
        zeros++;
        rx->zero_run++;
        if (!gap)
          rx->t.zeros_unflagged++;
      }
      continue;
    }
    if (!(l & 0x800000) || r != (l ^ RIGHT_XOR)) {
      rx->t.corrupt++;
      note_error (rx, "output frame %" G_GUINT64_FORMAT " is %06x %06x: "
          "neither silence nor a counter frame", idx, l, r);
      continue;
    }
    l &= 0x7fffff;
    /* the restarted sender's first frame out: the silence before it was
     * no loss */
    if (rx->started && rx->have_restart && !rx->restart_seen
        && ((gint32) (((l - rx->restart_value) & 0x7fffff) << 9) >> 9) >= 0) {
      rx->restart_seen = TRUE;
      rx->t.idle = rx->zero_run;
    }
    counted++;
    rx->t.counted++;
    rx->t.longest_zero_run = MAX (rx->t.longest_zero_run, rx->zero_run);
    rx->zero_run = 0;
    if (!rx->started) {
      rx->started = TRUE;
      rx->origin = l;
      rx->origin_pos = pos + (gint64) i;
    } else {
      guint32 want = (rx->origin + (guint32) (pos + (gint64) i -
              rx->origin_pos)) & 0x7fffff;
      if (l != want) {
        /* the distance from the last counter frame, as 23-bit signed */
        gint32 d = (gint32) (((l - rx->last) & 0x7fffff) << 9) >> 9;
        rx->t.misplaced++;
        if (d <= 0)
          rx->t.backwards++;
        note_error (rx, "output frame %" G_GUINT64_FORMAT " carries counter "
            "%u, its place wants %u (%d after the counter frame before)",
            idx, l, want, d);
      }
    }
    rx->last = l;
  }
  rx->t.frames += n;
  rx->pos_end = pos + (gint64) n;
  gst_buffer_unmap (b, &map);
  if (gap) {
    rx->t.gap_buffers++;
    if (counted)
      rx->t.gap_with_audio++;
  } else if (was_started && n > 0 && zeros == n) {
    rx->t.silent_unflagged++;
  }
}

static GstFlowReturn
on_sample (GstAppSink * sink, gpointer user_data)
{
  Rx *rx = user_data;
  GstSample *s = gst_app_sink_pull_sample (sink);
  GstClockTime base = gst_element_get_base_time (rx->pipe);
  gboolean snap;

  g_mutex_lock (&rx->lock);
  analyse (rx, gst_sample_get_buffer (s), base);
  snap = rx->want_snapshot && !rx->have_snapshot;
  g_mutex_unlock (&rx->lock);
  gst_sample_unref (s);

  /* on the streaming thread that read the frames just analysed, before it
   * reads the next ones: the stats and the output agree */
  if (snap) {
    GstStructure *st = NULL;

    g_object_get (rx->src, "stats", &st, NULL);
    g_mutex_lock (&rx->lock);
    rx->snap = st;
    rx->snap_t = rx->t;
    rx->have_snapshot = TRUE;
    g_cond_broadcast (&rx->cond);
    g_mutex_unlock (&rx->lock);
  }
  return GST_FLOW_OK;
}

static GstBusSyncReply
on_message (GstBus * bus, GstMessage * m, gpointer user_data)
{
  Rx *rx = user_data;
  const GstStructure *s = gst_message_get_structure (m);

  g_mutex_lock (&rx->lock);
  if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR && !rx->error) {
    GError *err = NULL;
    gst_message_parse_error (m, &err, NULL);
    rx->error = g_strdup_printf ("%s: %s",
        GST_OBJECT_NAME (GST_MESSAGE_SRC (m)), err->message);
    g_clear_error (&err);
  } else if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT && s) {
    if (gst_structure_has_name (s, "stream-lost")) {
      rx->n_lost++;
    } else if (gst_structure_has_name (s, "stream-restored")) {
      rx->n_restored++;
      gst_structure_get_boolean (s, "same-ssrc", &rx->restored_same_ssrc);
      gst_structure_get_uint (s, "ssrc", &rx->restored_ssrc);
    }
  }
  g_cond_broadcast (&rx->cond);
  g_mutex_unlock (&rx->lock);
  return GST_BUS_DROP;
}

static Rx *
rx_new (const gchar * sdp, guint latency_ms)
{
  Rx *rx = g_new0 (Rx, 1);
  GstElement *appsink;
  GstBus *bus;

  g_mutex_init (&rx->lock);
  g_cond_init (&rx->cond);
  rx->pipe = gst_pipeline_new ("rx");
  rx->src = gst_element_factory_make ("aes67src", NULL);
  appsink = gst_element_factory_make ("appsink", NULL);
  fail_unless (rx->src && appsink);
  /* media-clock playout: a frame plays the link offset after its capture,
   * so "late" means exactly that; timeout 1 s (the default) */
  g_object_set (rx->src, "sdp", sdp, "multicast-iface", "eth0", "latency",
      latency_ms, "timeout", 1000, "buffer-size", 1 << 20, NULL);
  gst_util_set_object_arg (G_OBJECT (rx->src), "playout", "media-clock");
  g_object_set (appsink, "sync", FALSE, "emit-signals", TRUE, NULL);
  g_signal_connect (appsink, "new-sample", G_CALLBACK (on_sample), rx);
  gst_bin_add_many (GST_BIN (rx->pipe), rx->src, appsink, NULL);
  fail_unless (gst_element_link (rx->src, appsink));
  gst_pipeline_use_clock (GST_PIPELINE (rx->pipe), gst_system_clock_obtain ());
  bus = gst_element_get_bus (rx->pipe);
  gst_bus_set_sync_handler (bus, on_message, rx, NULL);
  gst_object_unref (bus);

  fail_unless (aes67_test_net_enter (net, RX_HOST));
  gst_element_set_state (rx->pipe, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  return rx;
}

static void
rx_free (Rx * rx)
{
  GstBus *bus;

  if (!rx)
    return;
  gst_element_set_state (rx->pipe, GST_STATE_NULL);
  bus = gst_element_get_bus (rx->pipe);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_object_unref (bus);
  gst_object_unref (rx->pipe);
  g_clear_pointer (&rx->snap, gst_structure_free);
  g_free (rx->first_error);
  g_free (rx->error);
  g_mutex_clear (&rx->lock);
  g_cond_clear (&rx->cond);
  g_free (rx);
}

/* Waits (up to @timeout_s) until @pred holds; returns it. */
typedef gboolean (*RxPred) (Rx * rx, guint64 arg);

static gboolean
rx_wait (Rx * rx, RxPred pred, guint64 arg, guint timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  gboolean ok;

  g_mutex_lock (&rx->lock);
  while (!(ok = pred (rx, arg)))
    if (!g_cond_wait_until (&rx->cond, &rx->lock, end)) {
      ok = pred (rx, arg);
      break;
    }
  g_mutex_unlock (&rx->lock);
  return ok;
}

static gboolean
counted_at_least (Rx * rx, guint64 n)
{
  return rx->t.counted >= n;
}

static gboolean
lost_at_least (Rx * rx, guint64 n)
{
  return rx->n_lost >= n;
}

static gboolean
restored_at_least (Rx * rx, guint64 n)
{
  return rx->n_restored >= n;
}

static gboolean
snapshot_taken (Rx * rx, guint64 unused)
{
  return rx->have_snapshot;
}

static guint64
rx_counted (Rx * rx)
{
  guint64 n;

  g_mutex_lock (&rx->lock);
  n = rx->t.counted;
  g_mutex_unlock (&rx->lock);
  return n;
}

/* ---------- nftables loss in host 1 ---------- */

static gboolean
nft (const gchar * script, gchar ** out)
{
  gchar *cmd = g_strdup_printf ("nft '%s'", script);
  GError *err = NULL;
  gboolean ok = aes67_test_net_run (net, RX_HOST, cmd, out, &err);

  if (!ok) {
    g_printerr ("%s: %s\n", cmd, err ? err->message : "?");
    g_clear_error (&err);
  }
  g_free (cmd);
  return ok;
}

/* Drops, in host 1, the packets to @group:@port that @match selects ("":
 * all), counting them in the named counter "dropped". */
static void
nft_drop_start (const gchar * group, guint port, const gchar * match)
{
  gchar *s = g_strdup_printf ("add table ip a67imp; "
      "add counter ip a67imp dropped; "
      "add chain ip a67imp in { type filter hook prerouting priority -300; }; "
      "add rule ip a67imp in ip daddr %s udp dport %u %s counter name "
      "dropped drop", group, port, match);

  fail_unless (nft (s, NULL), "cannot add the nftables drop rule");
  g_free (s);
}

/* Ends the dropping; returns how many packets were dropped. *@flushed:
 * the monotonic time (µs) when the rule was gone. */
static guint64
nft_drop_stop (gint64 * flushed)
{
  gchar *out = NULL, *p;
  guint64 n = 0;

  fail_unless (nft ("flush chain ip a67imp in", NULL));
  *flushed = g_get_monotonic_time ();
  fail_unless (nft ("list counter ip a67imp dropped", &out));
  p = out ? strstr (out, "packets ") : NULL;
  fail_unless (p != NULL, "no packet count in: %s", GST_STR_NULL (out));
  n = g_ascii_strtoull (p + strlen ("packets "), NULL, 10);
  g_free (out);
  fail_unless (nft ("delete table ip a67imp", NULL));
  return n;
}

/* ---------- the relay in host 0 ---------- */

typedef struct
{
  GPid pid;
  gchar *log;
  guint64 in, gaps, out, duplicates, reordered, impaired;
  gint64 delay_min, delay_max, delay_mean;
  gint64 overshoot_us;          /* how late it sent a packet at worst */
  gint dropped_at_exit;         /* held when it was stopped, never sent */
  gboolean have_summary;
} Relay;

static gchar *
read_log (const gchar * path)
{
  gchar *s = NULL;

  g_file_get_contents (path, &s, NULL, NULL);
  return s ? s : g_strdup ("");
}

static void
relay_start (Relay * r, const gchar * from, const gchar * to,
    guint delay_min_us, guint delay_max_us, guint dup_permille, guint seed)
{
  gchar *dmin = g_strdup_printf ("%u", delay_min_us);
  gchar *dmax = g_strdup_printf ("%u", delay_max_us);
  gchar *dup = g_strdup_printf ("%u", dup_permille);
  gchar *sd = g_strdup_printf ("%u", seed);
  const gchar *argv[] =
      { AES67_IMPAIR_RELAY_PATH, "--from", from, "--iface", "eth0",
    "--to", to, "--delay-min-us", dmin, "--delay-max-us", dmax,
    "--dup-permille", dup, "--seed", sd, NULL
  };
  GError *err = NULL;
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gboolean ready = FALSE;

  memset (r, 0, sizeof (*r));
  r->log = g_build_filename (tmpdir, "relay.log", NULL);
  g_unlink (r->log);
  r->pid = aes67_test_net_spawn (net, TX_HOST, argv, r->log, &err);
  fail_unless (r->pid > 0, "cannot start %s: %s", AES67_IMPAIR_RELAY_PATH,
      err ? err->message : "?");
  while (!ready && g_get_monotonic_time () < end) {
    gchar *s = read_log (r->log);
    ready = strstr (s, "ready\n") != NULL;
    g_free (s);
    if (!ready)
      g_usleep (10000);
  }
  fail_unless (ready, "the relay did not start");
  g_free (dmin);
  g_free (dmax);
  g_free (dup);
  g_free (sd);
}

static void
relay_stop (Relay * r)
{
  gchar *s, *p;

  aes67_test_net_stop (r->pid);
  s = read_log (r->log);
  p = strstr (s, "relay: ");
  if (p && sscanf (p, "relay: in %" G_GUINT64_FORMAT " gaps %" G_GUINT64_FORMAT
          " out %" G_GUINT64_FORMAT " duplicates %" G_GUINT64_FORMAT
          " reordered %" G_GUINT64_FORMAT " impaired %" G_GUINT64_FORMAT
          " held-max %*d delay-min-us %" G_GINT64_FORMAT " delay-max-us %"
          G_GINT64_FORMAT " delay-mean-us %" G_GINT64_FORMAT
          " dropped-at-exit %d overshoot-max-us %" G_GINT64_FORMAT, &r->in,
          &r->gaps, &r->out, &r->duplicates, &r->reordered, &r->impaired,
          &r->delay_min, &r->delay_max, &r->delay_mean, &r->dropped_at_exit,
          &r->overshoot_us) == 11)
    r->have_summary = TRUE;
  g_print ("  relay said: %s", p ? p : s);
  g_free (s);
  g_free (r->log);
}

/* ---------- how well the machine keeps time ---------- */

/* A thread that sleeps 1 ms at a time and notes its worst oversleep: on
 * a loaded machine threads stall for tens or hundreds of ms, and then
 * packets come late that would not otherwise. The checks that depend on
 * timing (nothing late at a link offset above the network's delay) are
 * decided only when the stalls measured (here, in the relay, in the
 * sender) fit in the link offset's margin over the network's delay. */
/* a stall this long may make a receiver start again at the present */
#define LONG_STALL_US 50000

typedef struct
{
  GThread *thread;
  gint stop;
  gint64 worst_us;
} Sentinel;

static gpointer
sentinel_run (gpointer data)
{
  Sentinel *s = data;

  while (!g_atomic_int_get (&s->stop)) {
    gint64 t = g_get_monotonic_time (), late;

    g_usleep (1000);
    late = g_get_monotonic_time () - t - 1000;
    if (late > s->worst_us)
      s->worst_us = late;
  }
  return NULL;
}

static void
sentinel_start (Sentinel * s)
{
  s->stop = 0;
  s->worst_us = 0;
  s->thread = g_thread_new ("sentinel", sentinel_run, s);
}

static gint64
sentinel_stop (Sentinel * s)
{
  g_atomic_int_set (&s->stop, 1);
  g_thread_join (s->thread);
  return s->worst_us;
}

static gint64
tx_max_lateness_us (Tx * tx)
{
  GstStructure *st = NULL;
  gint64 us = 0;

  g_object_get (tx->sink, "stats", &st, NULL);
  if (st) {
    gst_structure_get_int64 (st, "max-lateness-us", &us);
    gst_structure_free (st);
  }
  return us;
}

/* ---------- a watchdog that says where a case is stuck ---------- */

/* Without a fork, check's own time-out cannot stop a test: meson kills
 * the program after its time-out, and this says first where it stood. */
static GMutex step_lock;
static gchar step_now[160];
static gint64 step_since;
static gint watchdog_stop;

static void
G_GNUC_PRINTF (1, 2)
step (const gchar * fmt, ...)
{
  va_list ap;

  g_mutex_lock (&step_lock);
  va_start (ap, fmt);
  g_vsnprintf (step_now, sizeof (step_now), fmt, ap);
  va_end (ap);
  step_since = g_get_monotonic_time ();
  g_mutex_unlock (&step_lock);
}

static gpointer
watchdog_run (gpointer unused)
{
  gint64 reported = 0;

  while (!g_atomic_int_get (&watchdog_stop)) {
    gint64 now = g_get_monotonic_time ();

    g_usleep (G_USEC_PER_SEC / 2);
    g_mutex_lock (&step_lock);
    if (step_since && now - step_since > 30 * G_USEC_PER_SEC
        && now - reported > 30 * G_USEC_PER_SEC) {
      g_printerr ("aes67impair: stuck for %" G_GINT64_FORMAT " s at: %s\n",
          (now - step_since) / G_USEC_PER_SEC, step_now);
      reported = now;
    }
    g_mutex_unlock (&step_lock);
  }
  return NULL;
}

/* ---------- one case ---------- */

typedef enum
{
  IMP_NFT,                      /* nft drop rule for impair_ms */
  IMP_RELAY,                    /* relay impairs for impair_ms */
  IMP_RESTART,                  /* the sender restarts */
} Impairment;

typedef struct
{
  const gchar *name;
  guint index;                  /* picks group and port */
  guint latency_ms;
  Impairment kind;
  guint impair_ms;
  const gchar *nft_match;
  guint delay_min_us, delay_max_us, dup_permille;
} Case;

typedef struct
{
  Tally snap_t, final_t;
  Figures snap, final;
  gboolean have_snap, started;
  gchar *first_error, *bus_error;
  guint64 dropped;              /* by nft */
  gdouble window_min_ms, window_max_ms; /* how long the nft rule was in
                                         * place, at least and at most */
  Relay relay;
  guint n_lost_during, n_restored_during, n_lost, n_restored;
  gboolean restored_same_ssrc;
  guint restored_ssrc, tx2_ssrc, tx1_ssrc;
  gint64 stall_us;              /* the sentinel's worst oversleep */
  gint64 tx_lateness_us;        /* the senders' worst lateness */
  gboolean timing_ok;           /* nothing stalled: timing checks apply */
} Outcome;

/* Runs @c: sender and receiver up, 0.5 s of clean audio, the impairment,
 * 1 s of clean audio, snapshot, sender stopped, stream lost, final stats.
 * Fails (stops the test) only where the case cannot go on. */
static void
run_case (const Case * c, Outcome * o)
{
  gchar *g1 = g_strdup_printf ("239.69.60.%u", c->index);
  gchar *g2 = g_strdup_printf ("239.69.61.%u", c->index);
  guint port = 5004 + 2 * c->index;
  gboolean relay = c->kind == IMP_RELAY;
  guint seconds = c->impair_ms / 1000 + 8;
  GstClockTime base1, base2;
  Tx *tx, *tx2 = NULL;
  Rx *rx;
  gchar *sdp;
  guint64 before;
  GstStructure *final = NULL;
  gint64 t0 = g_get_monotonic_time (), budget_us;
  Sentinel sentinel;

  memset (o, 0, sizeof (*o));
  sentinel_start (&sentinel);
  step ("%s: starting the sender", c->name);
  tx = tx_new (g1, port, seconds, 1, relay);
  if (relay) {
    gchar *from = g_strdup_printf ("%s:%u", g1, port);
    gchar *to = g_strdup_printf ("%s:%u", g2, port);
    gchar **parts = g_strsplit (tx->sdp, g1, -1);

    /* the receiver listens to the relay's group; the relay sends from
     * host 0's address, which the SDP's source filter names */
    sdp = g_strjoinv (g2, parts);
    g_strfreev (parts);
    relay_start (&o->relay, from, to, c->delay_min_us, c->delay_max_us,
        c->dup_permille, c->index);
    g_free (from);
    g_free (to);
  } else {
    sdp = g_strdup (tx->sdp);
  }
  step ("%s: starting the receiver", c->name);
  rx = rx_new (sdp, c->latency_ms);
  base1 = next_ms (200 * GST_MSECOND);
  tx_play (tx, base1);
  o->tx1_ssrc = tx_ssrc (tx);

  /* 0.5 s of audio before anything happens */
  step ("%s: waiting for audio", c->name);
  fail_unless (rx_wait (rx, counted_at_least, RATE / 2, 15),
      "%s: no audio from the receiver (%" G_GUINT64_FORMAT " frames out, "
      "%s)", c->name, rx->t.frames, rx->error ? rx->error : "no error");

  step ("%s: impairing", c->name);
  switch (c->kind) {
    case IMP_NFT:{
      gint64 t_add = g_get_monotonic_time (), t_added, t_flush, t_flushed;

      nft_drop_start (g1, port, c->nft_match);
      t_added = g_get_monotonic_time ();
      g_usleep ((gulong) c->impair_ms * 1000);
      t_flush = g_get_monotonic_time ();
      o->dropped = nft_drop_stop (&t_flushed);
      /* the rule was in place at least from t_added to t_flush, at most
       * from t_add to t_flushed */
      o->window_min_ms = (t_flush - t_added) / 1000.0;
      o->window_max_ms = (t_flushed - t_add) / 1000.0;
      break;
    }
    case IMP_RELAY:
      fail_unless (kill (o->relay.pid, SIGUSR1) == 0);
      g_usleep ((gulong) c->impair_ms * 1000);
      fail_unless (kill (o->relay.pid, SIGUSR2) == 0);
      break;
    case IMP_RESTART:
      /* stop, wait for the loss, start a new sender: a new SSRC, new
       * sequence numbers; its counter goes on from where the media clock
       * is (both base times are whole milliseconds) */
      o->tx_lateness_us = tx_max_lateness_us (tx);
      tx_free (tx);
      tx = NULL;
      fail_unless (rx_wait (rx, lost_at_least, 1, 10), "%s: no stream-lost "
          "after the sender stopped", c->name);
      step ("%s: starting the second sender", c->name);
      base2 = next_ms (500 * GST_MSECOND);
      tx2 = tx_new (g1, port, seconds, 1 + (base2 - base1) / GST_MSECOND *
          FPP, FALSE);
      g_mutex_lock (&rx->lock);
      rx->restart_value = (guint32) (tx2->start & 0x7fffff);
      rx->have_restart = TRUE;
      g_mutex_unlock (&rx->lock);
      tx_play (tx2, base2);
      o->tx2_ssrc = tx_ssrc (tx2);
      fail_unless (rx_wait (rx, restored_at_least, 1, 10), "%s: no "
          "stream-restored after the sender restarted", c->name);
      break;
  }
  g_mutex_lock (&rx->lock);
  o->n_lost_during = rx->n_lost;
  o->n_restored_during = rx->n_restored;
  g_mutex_unlock (&rx->lock);

  /* a second of clean audio, then the snapshot */
  step ("%s: waiting for a second of audio and the snapshot", c->name);
  before = rx_counted (rx);
  if (!rx_wait (rx, counted_at_least, before + RATE, 20))
    g_print ("  (no second of audio after the impairment: %" G_GUINT64_FORMAT
        " frames)\n", rx_counted (rx) - before);
  g_mutex_lock (&rx->lock);
  rx->want_snapshot = TRUE;
  g_mutex_unlock (&rx->lock);
  o->have_snap = rx_wait (rx, snapshot_taken, 0, 10);
  o->stall_us = sentinel_stop (&sentinel);

  step ("%s: stopping the sender and the relay", c->name);
  /* the end: the sender stops, the stream is declared lost (the sequence
   * numbers still awaited then count as lost), the final figures */
  o->tx_lateness_us = MAX (o->tx_lateness_us, tx_max_lateness_us (tx2 ? tx2 :
          tx));
  tx_free (tx2 ? tx2 : tx);
  if (relay)
    relay_stop (&o->relay);
  /* the link offset's margin over the network's largest delay (and 2 ms
   * for the packet time and the path) must hold what the machine's stalls
   * added */
  budget_us = (gint64) c->latency_ms * 1000 - c->delay_max_us - 2000;
  o->timing_ok = o->stall_us + o->relay.overshoot_us + o->tx_lateness_us <
      budget_us;
  g_print ("  timing: worst stall of a thread here %.1f ms, relay late by "
      "%.1f ms at worst, sender late by %.1f ms at worst; the link offset's "
      "margin over the delay %.1f ms: %s\n", o->stall_us / 1000.0,
      o->relay.overshoot_us / 1000.0, o->tx_lateness_us / 1000.0,
      budget_us / 1000.0, budget_us <= 0 ? "none (late packets wanted)" :
      o->timing_ok ? "the checks on timing apply" : "too loaded, the checks "
      "on timing are not decided");
  {
    guint lost_before;
    g_mutex_lock (&rx->lock);
    lost_before = rx->n_lost;
    g_mutex_unlock (&rx->lock);
    if (!rx_wait (rx, lost_at_least, lost_before + 1, 10))
      g_print ("  (no stream-lost after the sender stopped)\n");
  }
  step ("%s: reading the final stats", c->name);
  g_object_get (rx->src, "stats", &final, NULL);

  g_mutex_lock (&rx->lock);
  o->snap_t = rx->snap_t;
  o->final_t = rx->t;
  o->started = rx->started;
  o->first_error = g_strdup (rx->first_error);
  o->bus_error = g_strdup (rx->error);
  o->n_lost = rx->n_lost;
  o->n_restored = rx->n_restored;
  o->restored_same_ssrc = rx->restored_same_ssrc;
  o->restored_ssrc = rx->restored_ssrc;
  if (rx->snap)
    figures_read (&o->snap, rx->snap);
  g_mutex_unlock (&rx->lock);
  figures_read (&o->final, final);
  if (rx->snap) {
    gchar *s = gst_structure_to_string (rx->snap);
    g_print ("  stats at the snapshot: %s\n", s);
    g_free (s);
  }
  if (final) {
    gchar *s = gst_structure_to_string (final);
    g_print ("  stats at the end: %s\n", s);
    g_free (s);
    gst_structure_free (final);
  }
  g_print ("  output: %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
      " counter frames, %" G_GUINT64_FORMAT " zero frames after the first "
      "(%" G_GUINT64_FORMAT " at the snapshot, longest run %" G_GUINT64_FORMAT
      "), %" G_GUINT64_FORMAT " misplaced, %" G_GUINT64_FORMAT " skipped in %"
      G_GUINT64_FORMAT " jumps, %" G_GUINT64_FORMAT " GAP buffers; nft "
      "dropped %" G_GUINT64_FORMAT "; %.1f s\n", o->final_t.frames,
      o->final_t.counted, o->final_t.zeros, o->snap_t.zeros,
      o->snap_t.longest_zero_run, o->final_t.misplaced, o->final_t.skipped,
      o->final_t.n_skips, o->final_t.gap_buffers, o->dropped,
      (g_get_monotonic_time () - t0) / 1e6);
  step ("%s: stopping the receiver", c->name);
  rx_free (rx);
  step ("%s: checking", c->name);
  g_free (sdp);
  g_free (g1);
  g_free (g2);
}

static void
outcome_clear (Outcome * o)
{
  figures_clear (&o->snap);
  figures_clear (&o->final);
  g_free (o->first_error);
  g_free (o->bus_error);
}

/* The checks of every case: the output sample by sample, concealment
 * against the output, GAP flags, counters that never go back. */
static void
check_common (Verdict * v, const Outcome * o)
{
  guint i;

  check (v, o->bus_error == NULL, "no error from the receiver (%s)",
      o->bus_error ? o->bus_error : "none");
  check (v, o->started, "the counter came out");
  check (v, o->have_snap, "snapshot taken on the streaming thread");
  check (v, o->final_t.corrupt == 0, "no corrupt frame (%" G_GUINT64_FORMAT
      ")", o->final_t.corrupt);
  check (v, o->final_t.misplaced == 0, "every counter frame at its place "
      "(%" G_GUINT64_FORMAT " misplaced, %" G_GUINT64_FORMAT " of them "
      "repeated or backwards; first: %s)", o->final_t.misplaced,
      o->final_t.backwards, o->first_error ? o->first_error : "none");
  check (v, o->final_t.backwards == 0, "the counter never goes back or "
      "repeats (%" G_GUINT64_FORMAT ")", o->final_t.backwards);
  check (v, o->final_t.holes == 0, "no hole in the output: every place of "
      "the timeline comes out, as audio or as silence (%" G_GUINT64_FORMAT
      " PTS jumps without DISCONT)", o->final_t.holes);
  /* a receiver that fell far behind (a thread stalled for long on a
   * loaded machine) may start again at the present, flagged DISCONT; with
   * no such stall, every place must come out */
  if (o->stall_us < LONG_STALL_US)
    check (v, o->snap_t.skipped == 0, "every place of the timeline comes "
        "out, as audio or as silence (%" G_GUINT64_FORMAT " frames jumped "
        "over at %" G_GUINT64_FORMAT " DISCONT buffers)", o->snap_t.skipped,
        o->snap_t.n_skips);
  else if (o->snap_t.skipped)
    g_print ("  not decided (a thread stalled %.0f ms): the receiver jumped "
        "ahead %" G_GUINT64_FORMAT " time(s) (DISCONT), %" G_GUINT64_FORMAT
        " frames never came out\n", o->stall_us / 1000.0, o->snap_t.n_skips,
        o->snap_t.skipped);
  check (v, o->snap_t.gap_with_audio == 0, "GAP buffers hold silence only "
      "(%" G_GUINT64_FORMAT " with audio)", o->snap_t.gap_with_audio);
  check (v, o->snap_t.silent_unflagged == 0, "buffers of silence after the "
      "start are flagged GAP (%" G_GUINT64_FORMAT " not)",
      o->snap_t.silent_unflagged);
  check (v, o->final_t.zeros_unflagged == 0, "every frame of silence after "
      "the start is in a GAP buffer: a buffer is whole audio or whole "
      "silence (%" G_GUINT64_FORMAT " silent frames in buffers not flagged "
      "GAP)", o->final_t.zeros_unflagged);
  check_figure (v, &o->snap, "snapshot:", S_CONCEALED, o->snap_t.zeros +
      o->snap_t.skipped - o->snap_t.idle, FALSE, "what the output misses "
      "after the first counter frame: its zero frames and the frames jumped "
      "over, but not the silence while no sender was sending");
  check_figure (v, &o->final, "end:", S_EARLY, 0, FALSE, "nothing early");
  for (i = 0; i < S_N; i++) {
    if (!o->snap.present[i] || !o->final.present[i])
      continue;
    check (v, o->final.v[i] >= o->snap.v[i], "%s never goes back (%"
        G_GUINT64_FORMAT " at the snapshot, %" G_GUINT64_FORMAT " at the "
        "end)", stat_names[i], o->snap.v[i], o->final.v[i]);
  }
}

/* No packet late, where the link offset exceeds the network's delay: a
 * check on timing, decided only when the machine kept time. */
static void
check_nothing_late (Verdict * v, const Outcome * o, const gchar * because)
{
  if (o->timing_ok || !o->final.present[S_LATE])
    check_figure (v, &o->final, "end:", S_LATE, 0, FALSE, because);
  else
    g_print ("  not decided (the machine stalled): packets-late == 0 (%s): "
        "it is %" G_GUINT64_FORMAT "\n", because, o->final.v[S_LATE]);
}

/* The concealed frames at the snapshot: 48 for each of the @dropped
 * packets, and for each late packet the 1 to 48 of its frames that were
 * played before it came; exact when nothing was late. */
static void
check_concealed_accounts (Verdict * v, const Outcome * o, guint64 dropped)
{
  const Figures *f = &o->snap;
  guint64 late, conc;

  if (!f->present[S_CONCEALED] || !f->present[S_LATE]) {
    check_figure (v, f, "snapshot:", S_CONCEALED, dropped * FPP, FALSE,
        "48 frames per dropped packet");
    return;
  }
  if (o->snap_t.skipped) {
    g_print ("  not decided (the receiver jumped ahead): samples-concealed "
        "against the %" G_GUINT64_FORMAT " dropped packets\n", dropped);
    return;
  }
  late = f->v[S_LATE];
  conc = f->v[S_CONCEALED];
  if (late == 0)
    check_figure (v, f, "snapshot:", S_CONCEALED, dropped * FPP, FALSE,
        "48 frames per dropped packet, none late");
  else
    check (v, conc >= dropped * FPP + late && conc <= (dropped + late) * FPP,
        "snapshot: samples-concealed = %" G_GUINT64_FORMAT ", from 48 x %"
        G_GUINT64_FORMAT " dropped + %" G_GUINT64_FORMAT " late to 48 x "
        "(dropped + late)", conc, dropped, late);
}

/* What the relay did: it got every packet the sender sent, and the
 * receiver got every packet it forwarded (duplicates counted apart). */
static void
check_relay_counts (Verdict * v, const Outcome * o)
{
  check (v, o->relay.have_summary, "the relay reported what it did");
  check (v, o->relay.gaps == 0, "the relay got every packet (%"
      G_GUINT64_FORMAT " missing)", o->relay.gaps);
  check (v, o->relay.dropped_at_exit == 0, "the relay sent everything on "
      "before it stopped (%d held)", o->relay.dropped_at_exit);
  check_figure (v, &o->final, "end:", S_RECEIVED, o->relay.in, FALSE,
      "the packets the relay forwarded");
}

/* ---------- the cases ---------- */

static void
run_loss (const Case * c, gboolean burst)
{
  Outcome o;
  Verdict v;

  run_case (c, &o);
  verdict_init (&v, c->name);
  check_common (&v, &o);
  check (&v, o.dropped >= (burst ? 100 : 1), "nft dropped packets (%"
      G_GUINT64_FORMAT ")", o.dropped);
  check_figure (&v, &o.final, "end:", S_LOST, o.dropped, FALSE,
      "the nft counter's drops");
  check_figure (&v, &o.final, "end:", S_DUPLICATE, 0, FALSE, "none made");
  check_figure (&v, &o.final, "end:", S_REORDERED, 0, FALSE, "none made");
  check_nothing_late (&v, &o, "no jitter");
  check_concealed_accounts (&v, &o, o.dropped);
  if (burst)
    check (&v, o.snap_t.longest_zero_run >= 50 * FPP, "a burst is 50 ms of "
        "silence in place (longest zero run %" G_GUINT64_FORMAT " frames)",
        o.snap_t.longest_zero_run);
  outcome_clear (&o);
  verdict_finish (&v);
}

/* 5 % random loss for 2 s: lost == what nft dropped, each lost packet's
 * 48 frames concealed and nothing else */
GST_START_TEST (test_random_loss)
{
  const Case c = { "5 % random loss (nft numgen random)", 1, 40, IMP_NFT,
    2000, "numgen random mod 100 < 5"
  };

  run_loss (&c, FALSE);
}

GST_END_TEST;

/* bursts: the first 50 of every 1000 packets dropped (50 ms of audio at
 * once), for 2.5 s */
GST_START_TEST (test_burst_loss)
{
  const Case c = { "burst loss (nft numgen inc mod 1000 < 50)", 2, 40,
    IMP_NFT, 2500, "numgen inc mod 1000 < 50"
  };

  run_loss (&c, TRUE);
}

GST_END_TEST;

static void
run_jitter (guint index, guint latency_ms, gboolean above)
{
  gchar *name = g_strdup_printf ("10 +- 5 ms jitter with reordering, link "
      "offset %u ms", latency_ms);
  const Case c = { name, index, latency_ms, IMP_RELAY, 2000, NULL, 5000,
    15000, 0
  };
  Outcome o;
  Verdict v;

  run_case (&c, &o);
  verdict_init (&v, c.name);
  check_common (&v, &o);
  check_relay_counts (&v, &o);
  check (&v, o.relay.reordered > 0, "the relay reordered packets (%"
      G_GUINT64_FORMAT ")", o.relay.reordered);
  check (&v, o.relay.delay_min >= 5000 && o.relay.delay_max <= 15000,
      "the relay's delays are 5-15 ms (%" G_GINT64_FORMAT "-%"
      G_GINT64_FORMAT " us, mean %" G_GINT64_FORMAT ")", o.relay.delay_min,
      o.relay.delay_max, o.relay.delay_mean);
  check_figure (&v, &o.final, "end:", S_REORDERED, o.relay.reordered, FALSE,
      "the packets the relay sent after a later one");
  check_figure (&v, &o.final, "end:", S_LOST, 0, FALSE, "every packet came");
  check_figure (&v, &o.final, "end:", S_DUPLICATE, 0, FALSE, "none made");
  if (above) {
    check_nothing_late (&v, &o, "link offset above the largest delay");
  } else {
    check_figure (&v, &o.snap, "snapshot:", S_LATE, 1, TRUE,
        "link offset below the largest delay");
    check_figure (&v, &o.snap, "snapshot:", S_CONCEALED, 1, TRUE,
        "late packets are concealed");
  }
  /* nothing was lost: every concealed frame belongs to a late packet,
   * and a late packet had 1 to 48 of its frames concealed */
  check_concealed_accounts (&v, &o, 0);
  outcome_clear (&o);
  g_free (name);
  verdict_finish (&v);
}

/* 10 +- 5 ms of jitter, link offset 40 ms: above the largest delay (with
 * room for the stalls of a loaded machine, see check_nothing_late), so
 * nothing is late and the output is the counter without a gap */
GST_START_TEST (test_jitter_above)
{
  run_jitter (3, 40, TRUE);
}

GST_END_TEST;

/* the same at a 10 ms link offset: below the largest delay (with
 * media-clock playout the link offset counts from capture, and the relay
 * alone adds 5-15 ms, so at 5 ms every packet would be late and nothing
 * would play; 10 ms makes about half of them late) */
GST_START_TEST (test_jitter_below)
{
  run_jitter (4, 10, FALSE);
}

GST_END_TEST;

/* 1 % of the packets sent twice, back to back */
GST_START_TEST (test_duplication)
{
  const Case c = { "1 % duplication", 5, 40, IMP_RELAY, 3000, NULL, 0, 0,
    10
  };
  Outcome o;
  Verdict v;

  run_case (&c, &o);
  verdict_init (&v, c.name);
  check_common (&v, &o);
  check_relay_counts (&v, &o);
  check (&v, o.relay.duplicates > 0, "the relay sent duplicates (%"
      G_GUINT64_FORMAT ")", o.relay.duplicates);
  check_figure (&v, &o.final, "end:", S_DUPLICATE, o.relay.duplicates,
      FALSE, "the relay's second copies");
  check_figure (&v, &o.final, "end:", S_LOST, 0, FALSE, "every packet came");
  check_figure (&v, &o.final, "end:", S_REORDERED, 0, FALSE, "none made");
  check_nothing_late (&v, &o, "no jitter");
  check_concealed_accounts (&v, &o, 0);
  outcome_clear (&o);
  verdict_finish (&v);
}

GST_END_TEST;

/* every packet dropped for 5 s while the sender runs on */
GST_START_TEST (test_outage)
{
  const Case c = { "5 s outage (nft drop all)", 6, 40, IMP_NFT, 5000, "" };
  Outcome o;
  Verdict v;

  run_case (&c, &o);
  verdict_init (&v, c.name);
  check_common (&v, &o);
  /* at 1 ms packets, one packet per ms of outage: 5 s are 5000, and the
   * rule stays a little longer than the 5 s (the time nft takes to add
   * and remove it, measured around the commands) */
  check (&v, o.dropped >= o.window_min_ms * 0.99 - 2
      && o.dropped <= o.window_max_ms * 1.01 + 2, "nft dropped one packet "
      "per ms of the outage, within 1 %% (%" G_GUINT64_FORMAT ", the rule "
      "was there %.0f to %.0f ms)", o.dropped, o.window_min_ms,
      o.window_max_ms);
  check_figure (&v, &o.final, "end:", S_LOST, o.dropped, FALSE,
      "the nft counter's drops: the whole outage");
  if (o.final.present[S_LOST])
    check (&v, o.final.v[S_LOST] >= 4950, "end: packets-lost = %"
        G_GUINT64_FORMAT ", about 5000 (at least 5000 - 1 %%)",
        o.final.v[S_LOST]);
  check (&v, o.n_lost_during == 1, "stream-lost posted once during the "
      "outage (%u)", o.n_lost_during);
  check (&v, o.n_restored == 1, "stream-restored posted after it (%u)",
      o.n_restored);
  check (&v, o.restored_same_ssrc, "stream-restored: same-ssrc");
  check_figure (&v, &o.final, "end:", S_DUPLICATE, 0, FALSE, "none made");
  check_nothing_late (&v, &o, "no jitter");
  check_concealed_accounts (&v, &o, o.dropped);
  outcome_clear (&o);
  verdict_finish (&v);
}

GST_END_TEST;

/* the sending pipeline is stopped and a new one started: a new SSRC */
GST_START_TEST (test_sender_restart)
{
  const Case c = { "sender restart with a new SSRC", 7, 40, IMP_RESTART, 0 };
  Outcome o;
  Verdict v;

  run_case (&c, &o);
  verdict_init (&v, c.name);
  check_common (&v, &o);
  check (&v, o.tx1_ssrc != o.tx2_ssrc, "the new sender has a new SSRC "
      "(%08x, %08x)", o.tx1_ssrc, o.tx2_ssrc);
  check (&v, o.n_restored_during == 1 && !o.restored_same_ssrc
      && o.restored_ssrc == o.tx2_ssrc, "stream-restored with the new SSRC "
      "(%u messages, same-ssrc %d, ssrc %08x)", o.n_restored_during,
      o.restored_same_ssrc, o.restored_ssrc);
  check (&v, o.snap_t.idle > 0, "silence between the two senders (%"
      G_GUINT64_FORMAT " frames of %" G_GUINT64_FORMAT " zero frames), both "
      "counters in place", o.snap_t.idle, o.snap_t.zeros);
  if (o.timing_ok)
    check (&v, o.snap_t.idle == o.snap_t.zeros, "no other silence, nothing "
        "late (%" G_GUINT64_FORMAT " zero frames elsewhere)",
        o.snap_t.zeros - o.snap_t.idle);
  /* nothing was lost: a sender that stops loses no packet */
  check_concealed_accounts (&v, &o, 0);
  check_figure (&v, &o.final, "end:", S_LOST, 0, FALSE,
      "no packet was dropped");
  check_figure (&v, &o.final, "end:", S_DUPLICATE, 0, FALSE, "none made");
  check_figure (&v, &o.final, "end:", S_REORDERED, 0, FALSE, "none made");
  check_nothing_late (&v, &o, "no jitter");
  outcome_clear (&o);
  verdict_finish (&v);
}

GST_END_TEST;

static Suite *
aes67impair_suite (void)
{
  Suite *s = suite_create ("aes67impair");
  TCase *tc = tcase_create ("impair");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 300);
  tcase_add_test (tc, test_random_loss);
  tcase_add_test (tc, test_burst_loss);
  tcase_add_test (tc, test_jitter_above);
  tcase_add_test (tc, test_jitter_below);
  tcase_add_test (tc, test_duplication);
  tcase_add_test (tc, test_outage);
  tcase_add_test (tc, test_sender_restart);
  return s;
}

int
main (int argc, char **argv)
{
  int ret;
  Suite *s;
  GThread *watchdog;
  gchar *out = NULL;
  GError *err = NULL;

  gst_check_init (&argc, &argv);
  net = aes67_test_net_new_or_skip ("imp", 2,
      "network-impairment tests between network namespaces");
  if (!aes67_test_net_run (net, RX_HOST, "nft list tables", &out, &err)) {
    g_print ("SKIP: network-impairment tests: nftables cannot be used (%s); "
        "Debian package nftables\n", err ? err->message : "?");
    g_clear_error (&err);
    aes67_test_net_free (net);
    return 77;
  }
  g_free (out);
  if (!g_file_test (AES67_IMPAIR_RELAY_PATH, G_FILE_TEST_IS_EXECUTABLE)) {
    g_print ("SKIP: network-impairment tests: the relay %s is not built\n",
        AES67_IMPAIR_RELAY_PATH);
    aes67_test_net_free (net);
    return 77;
  }
  tmpdir = g_dir_make_tmp ("aes67impair-XXXXXX", NULL);
  /* no forking: the namespaces and this process's threads go together */
  g_setenv ("CK_FORK", "no", TRUE);
  s = aes67impair_suite ();
  watchdog = g_thread_new ("watchdog", watchdog_run, NULL);
  ret = gst_check_run_suite (s, "aes67impair", __FILE__);
  g_atomic_int_set (&watchdog_stop, 1);
  g_thread_join (watchdog);
  aes67_test_net_free (net);
  if (tmpdir) {
    gchar *log = g_build_filename (tmpdir, "relay.log", NULL);
    g_unlink (log);
    g_free (log);
    g_rmdir (tmpdir);
    g_free (tmpdir);
  }
  return ret;
}
