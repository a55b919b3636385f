/* gst-aes67 tests: a drifting sender and arrival-playout receivers; see
 * aes67-driftprobe.h for how latency is measured.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "aes67-driftprobe.h"

#include <gio/gio.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#define RATE 48000
#define RAMP 65536              /* the ramp's period, frames (1.37 s) */
#define RAMP_STEP 128           /* sample value per frame */
#define MAX_RX 4
#define MAX_SECONDS 1500        /* the probe's per-second figures */

/* a calibration of the sender's clock, from external time @ext on */
typedef struct
{
  GstClockTime internal, external, num, denom;
} Calib;

typedef struct
{
  GstClockTime pts;             /* of the buffer */
  gdouble t_s;                  /* seconds since the receiver's first
                                 * buffer's PTS (< 0 for a buffer that
                                 * settling put before it) */
  gdouble lat_ms;               /* capture->PTS, NAN: no sample to tell */
  gdouble index;                /* frame index shown by that sample */
  guint64 frame;                /* frames output before that sample */
  gint64 gap_ns;                /* PTS - previous PTS - duration */
  gboolean discont;
} Meas;

typedef struct
{
  DriftRig *rig;
  GstElement *pipe;
  GMutex lock;
  GArray *meas;                 /* Meas */
  GstClockTime first_pts, prev_end;
  guint64 frames;
} Rx;

struct _DriftRig
{
  GstClock *clock;              /* the sender's */
  GMutex calib_lock;
  GArray *calibs;               /* Calib, by time */
  GstElement *tx;
  GstClockTime tx_base;
  guint64 next;                 /* appsrc: next frame */
  guint n_rx;
  Rx rx[MAX_RX];
  /* the probe socket */
  GSocket *probe;
  GCancellable *cancel;
  GThread *probe_thread;
  gdouble min_transit_ms;
  gint64 start_us;              /* g_get_monotonic_time () at the start */
  gdouble sec_transit_ms[MAX_SECONDS];  /* least transit per second */
};

/* the sender clock's external time @ext -> CLOCK_MONOTONIC ns */
static gdouble
capture_mono (DriftRig * rig, gdouble ext)
{
  Calib *c;
  guint i;

  g_mutex_lock (&rig->calib_lock);
  c = &g_array_index (rig->calibs, Calib, 0);
  for (i = 1; i < rig->calibs->len; i++)
    if ((gdouble) g_array_index (rig->calibs, Calib, i).external <= ext)
      c = &g_array_index (rig->calibs, Calib, i);
  g_mutex_unlock (&rig->calib_lock);
  return (gdouble) c->internal + (ext - (gdouble) c->external) *
      (gdouble) c->denom / (gdouble) c->num;
}

/* and back */
static gdouble
mono_to_ext (DriftRig * rig, gdouble mono)
{
  Calib *c;
  guint i;

  g_mutex_lock (&rig->calib_lock);
  c = &g_array_index (rig->calibs, Calib, 0);
  for (i = 1; i < rig->calibs->len; i++)
    if ((gdouble) g_array_index (rig->calibs, Calib, i).internal <= mono)
      c = &g_array_index (rig->calibs, Calib, i);
  g_mutex_unlock (&rig->calib_lock);
  return (gdouble) c->external + (mono - (gdouble) c->internal) *
      (gdouble) c->num / (gdouble) c->denom;
}

/* the frame index (fractional) a ramp value @v shows, the one nearest to
 * what the sender captured around CLOCK_MONOTONIC @mono; FALSE near the
 * ramp's wrap (where the filter rings) */
static gboolean
ramp_index (DriftRig * rig, gint32 v, gdouble mono, gdouble * index)
{
  gdouble f = (gdouble) v / RAMP_STEP, approx, d;

  if (f < 64 || f > RAMP - 64)
    return FALSE;
  approx = (mono_to_ext (rig, mono) - (gdouble) rig->tx_base) * RATE / 1e9;
  d = fmod (f - approx, RAMP);
  if (d < -RAMP / 2)
    d += RAMP;
  if (d >= RAMP / 2)
    d -= RAMP;
  *index = approx + d;
  return TRUE;
}

static gint32
read_s24 (const guint8 * p)
{
  return (gint32) (((guint32) p[0] << 24) | ((guint32) p[1] << 16) |
      ((guint32) p[2] << 8)) >> 8;
}

static GstFlowReturn
rx_new_sample (GstAppSink * sink, gpointer user_data)
{
  Rx *rx = user_data;
  DriftRig *rig = rx->rig;
  GstSample *s = gst_app_sink_pull_sample (sink);
  GstBuffer *b = gst_sample_get_buffer (s);
  GstMapInfo map;
  Meas m = { 0, };
  guint k, n;
  gdouble t0;

  m.pts = GST_BUFFER_PTS (b);
  m.lat_ms = NAN;
  gst_buffer_map (b, &map, GST_MAP_READ);
  n = map.size / 3;
  t0 = (gdouble) (m.pts + gst_element_get_base_time (rx->pipe));
  if (!GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_GAP)) {
    for (k = 1; k + 1 < n; k++) {
      gdouble play = t0 + (gdouble) k * 1e9 / RATE, idx;
      gint32 v0 = read_s24 (map.data + 3 * (k - 1));
      gint32 v1 = read_s24 (map.data + 3 * k);
      gint32 v2 = read_s24 (map.data + 3 * (k + 1));

      /* on the ramp: one step a frame on either side (the filter's
       * transition through the wrap has values of every kind) */
      if (ABS (v1 - v0 - RAMP_STEP) > RAMP_STEP / 20
          || ABS (v2 - v1 - RAMP_STEP) > RAMP_STEP / 20)
        continue;
      if (ramp_index (rig, v1, play, &idx)) {
        gdouble cap = capture_mono (rig, (gdouble) rig->tx_base +
            idx * 1e9 / RATE);

        m.lat_ms = (play - cap) / 1e6;
        m.index = idx;
        m.frame = rx->frames + k;
        break;
      }
    }
  }
  gst_buffer_unmap (b, &map);

  g_mutex_lock (&rx->lock);
  if (!GST_CLOCK_TIME_IS_VALID (rx->first_pts))
    rx->first_pts = m.pts;
  else
    m.discont = GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_DISCONT);
  /* signed: while arrival playout settles, the PTS may step back by what
   * the anchor moves, to before the first buffer's */
  m.t_s = (gdouble) ((gint64) m.pts - (gint64) rx->first_pts) / 1e9;
  if (GST_CLOCK_TIME_IS_VALID (rx->prev_end))
    m.gap_ns = (gint64) m.pts - (gint64) rx->prev_end;
  rx->prev_end = m.pts + GST_BUFFER_DURATION (b);
  rx->frames += n;
  g_array_append_val (rx->meas, m);
  g_mutex_unlock (&rx->lock);
  gst_sample_unref (s);
  return GST_FLOW_OK;
}

static void
tx_need_data (GstAppSrc * src, guint length, gpointer user_data)
{
  DriftRig *rig = user_data;
  GstBuffer *b = gst_buffer_new_allocate (NULL, 480 * 3, NULL);
  GstMapInfo map;
  guint k;

  gst_buffer_map (b, &map, GST_MAP_WRITE);
  for (k = 0; k < 480; k++) {
    guint32 v = (guint32) ((rig->next + k) % RAMP) * RAMP_STEP;

    GST_WRITE_UINT8 (map.data + 3 * k, (v >> 16) & 0xff);
    GST_WRITE_UINT8 (map.data + 3 * k + 1, (v >> 8) & 0xff);
    GST_WRITE_UINT8 (map.data + 3 * k + 2, v & 0xff);
  }
  gst_buffer_unmap (b, &map);
  GST_BUFFER_PTS (b) = gst_util_uint64_scale (rig->next, GST_SECOND, RATE);
  GST_BUFFER_DURATION (b) = gst_util_uint64_scale (rig->next + 480,
      GST_SECOND, RATE) - GST_BUFFER_PTS (b);
  rig->next += 480;
  gst_app_src_push_buffer (src, b);
}

static gpointer
probe_thread (gpointer user_data)
{
  DriftRig *rig = user_data;
  guint8 pkt[1500];

  for (;;) {
    gssize len = g_socket_receive (rig->probe, (gchar *) pkt, sizeof (pkt),
        rig->cancel, NULL);
    gdouble now = (gdouble) g_get_monotonic_time () * 1000.0, idx;
    guint hdr;

    if (len < 0)
      break;
    if (len < 12 + 3 || (pkt[0] >> 6) != 2)
      continue;
    hdr = 12 + 4 * (pkt[0] & 0x0f);
    if ((gssize) hdr + 3 > len)
      continue;
    if (rig->tx_base && ramp_index (rig, read_s24 (pkt + hdr), now, &idx)) {
      gdouble cap = capture_mono (rig, (gdouble) rig->tx_base +
          idx * 1e9 / RATE);
      gdouble t = (now - cap) / 1e6;

      gint64 sec = (g_get_monotonic_time () - rig->start_us) / G_USEC_PER_SEC;

      g_mutex_lock (&rig->calib_lock);
      if (t < rig->min_transit_ms)
        rig->min_transit_ms = t;
      if (sec >= 0 && sec < MAX_SECONDS && t < rig->sec_transit_ms[sec])
        rig->sec_transit_ms[sec] = t;
      g_mutex_unlock (&rig->calib_lock);
    }
  }
  return NULL;
}

static GSocket *
probe_socket (guint port, const gchar * group)
{
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, NULL);
  GInetAddress *any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  GInetAddress *grp = g_inet_address_new_from_string (group);
  GSocketAddress *sa = g_inet_socket_address_new (any, port);

  g_socket_set_option (s, SOL_SOCKET, SO_REUSEADDR, 1, NULL);
  if (!g_socket_bind (s, sa, TRUE, NULL)
      || !g_socket_join_multicast_group (s, grp, FALSE, "lo", NULL)) {
    g_clear_object (&s);
  }
  g_object_unref (sa);
  g_object_unref (any);
  g_object_unref (grp);
  return s;
}

DriftRig *
drift_rig_new (gint ppm, guint n_rx, const guint * link_offset_ms, guint port)
{
  DriftRig *rig = g_new0 (DriftRig, 1);
  GstElement *appsrc, *sink;
  GstCaps *caps;
  Calib c;
  gchar *sdp = NULL, *group;
  gint64 end;
  guint r;

  g_return_val_if_fail (n_rx <= MAX_RX, NULL);
  group = g_strdup_printf ("239.69.%u.%u", 100 + (port >> 8) % 100,
      port & 0xff);
  rig->min_transit_ms = G_MAXDOUBLE;
  rig->start_us = g_get_monotonic_time ();
  for (r = 0; r < MAX_SECONDS; r++)
    rig->sec_transit_ms[r] = G_MAXDOUBLE;
  g_mutex_init (&rig->calib_lock);
  rig->calibs = g_array_new (FALSE, FALSE, sizeof (Calib));
  rig->clock = g_object_new (GST_TYPE_SYSTEM_CLOCK, "name", "drifting",
      "clock-type", GST_CLOCK_TYPE_MONOTONIC, NULL);
  c.internal = c.external = gst_clock_get_internal_time (rig->clock);
  c.num = 1000000 + ppm;
  c.denom = 1000000;
  gst_clock_set_calibration (rig->clock, c.internal, c.external, c.num,
      c.denom);
  g_array_append_val (rig->calibs, c);

  rig->probe = probe_socket (port, group);
  rig->cancel = g_cancellable_new ();

  rig->tx = gst_pipeline_new ("drift-tx");
  appsrc = gst_element_factory_make ("appsrc", NULL);
  sink = gst_element_factory_make ("aes67sink", NULL);
  caps = gst_caps_from_string ("audio/x-raw,format=S24BE,rate=48000,"
      "channels=1,layout=interleaved");
  g_object_set (appsrc, "caps", caps, "format", GST_FORMAT_TIME, "is-live",
      TRUE, "max-bytes", (guint64) 4800 * 3, NULL);
  gst_caps_unref (caps);
  g_signal_connect (appsrc, "need-data", G_CALLBACK (tx_need_data), rig);
  g_object_set (sink, "address", group, "port", port, "multicast-iface", "lo",
      NULL);
  gst_bin_add_many (GST_BIN (rig->tx), appsrc, sink, NULL);
  gst_element_link (appsrc, sink);
  gst_pipeline_use_clock (GST_PIPELINE (rig->tx), rig->clock);
  gst_element_set_state (rig->tx, GST_STATE_PLAYING);
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!sdp && g_get_monotonic_time () < end) {
    g_object_get (sink, "sdp", &sdp, NULL);
    g_usleep (10000);
  }
  rig->tx_base = gst_element_get_base_time (rig->tx);
  if (rig->probe)
    rig->probe_thread = g_thread_new ("drift-probe", probe_thread, rig);

  rig->n_rx = n_rx;
  for (r = 0; r < n_rx; r++) {
    Rx *rx = &rig->rx[r];
    GstElement *src, *out;
    gchar *desc = g_strdup_printf ("aes67src name=src playout=arrival "
        "multicast-iface=lo latency=%u ! appsink name=out sync=false "
        "emit-signals=true", link_offset_ms[r]);

    rx->rig = rig;
    g_mutex_init (&rx->lock);
    rx->meas = g_array_new (FALSE, FALSE, sizeof (Meas));
    rx->first_pts = rx->prev_end = GST_CLOCK_TIME_NONE;
    rx->pipe = gst_parse_launch (desc, NULL);
    g_free (desc);
    src = gst_bin_get_by_name (GST_BIN (rx->pipe), "src");
    out = gst_bin_get_by_name (GST_BIN (rx->pipe), "out");
    g_object_set (src, "sdp", sdp, NULL);
    g_signal_connect (out, "new-sample", G_CALLBACK (rx_new_sample), rx);
    gst_pipeline_use_clock (GST_PIPELINE (rx->pipe),
        gst_system_clock_obtain ());
    gst_element_set_state (rx->pipe, GST_STATE_PLAYING);
    gst_object_unref (src);
    gst_object_unref (out);
  }
  g_free (sdp);
  g_free (group);
  return rig;
}

void
drift_rig_set_ppm (DriftRig * rig, gint ppm)
{
  GstClockTime internal, external, num, denom;
  Calib c;

  gst_clock_get_calibration (rig->clock, &internal, &external, &num, &denom);
  c.internal = gst_clock_get_internal_time (rig->clock);
  c.external = gst_clock_adjust_with_calibration (rig->clock, c.internal,
      internal, external, num, denom);
  c.num = 1000000 + ppm;
  c.denom = 1000000;
  g_mutex_lock (&rig->calib_lock);
  g_array_append_val (rig->calibs, c);
  g_mutex_unlock (&rig->calib_lock);
  gst_clock_set_calibration (rig->clock, c.internal, c.external, c.num,
      c.denom);
}

gdouble
drift_rig_seconds (DriftRig * rig)
{
  gdouble least = G_MAXDOUBLE;
  guint r;

  for (r = 0; r < rig->n_rx; r++) {
    Rx *rx = &rig->rx[r];
    gdouble t = 0;

    g_mutex_lock (&rx->lock);
    if (rx->meas->len)
      t = g_array_index (rx->meas, Meas, rx->meas->len - 1).t_s;
    g_mutex_unlock (&rx->lock);
    least = MIN (least, t);
  }
  return least;
}

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

void
drift_rig_stats (DriftRig * rig, guint r, gdouble settle_s, gdouble from_s,
    gdouble to_s, DriftStats * st)
{
  Rx *rx = &rig->rx[r];
  GArray *lat = g_array_new (FALSE, FALSE, sizeof (gdouble));
  const Meas *prev = NULL, *first = NULL, *last = NULL;
  guint i;

  memset (st, 0, sizeof (*st));
  g_mutex_lock (&rx->lock);
  if (g_getenv ("DRIFT_PROBE_DUMP")) {
    /* one file per process (a test case) and receiver */
    gchar *fn = g_strdup_printf ("%s.%d.%u", g_getenv ("DRIFT_PROBE_DUMP"),
        (gint) getpid (), r);
    FILE *f = fopen (fn, "w");

    for (i = 0; f && i < rx->meas->len; i++) {
      const Meas *m = &g_array_index (rx->meas, Meas, i);

      fprintf (f, "%.6f %.4f %.3f %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT
          " %d\n", m->t_s, m->lat_ms, m->index, m->frame, m->gap_ns,
          m->discont);
    }
    if (f)
      fclose (f);
    g_free (fn);
  }
  for (i = 0; i < rx->meas->len; i++) {
    const Meas *m = &g_array_index (rx->meas, Meas, i);

    if (m->discont)
      st->disconts++;
    if (m->t_s >= settle_s && (m->gap_ns > 1 || m->gap_ns < -1)) {
      if (st->pts_gaps++ == 0)
        st->first_gap_s = m->t_s;
      st->max_gap_ns = MAX (st->max_gap_ns, ABS (m->gap_ns));
    }
    if (m->t_s < from_s || m->t_s > to_s || isnan (m->lat_ms))
      continue;
    g_array_append_val (lat, m->lat_ms);
    if (prev) {
      gdouble dn = (gdouble) (m->frame - prev->frame);

      if (ABS ((m->index - prev->index) - dn) > 2 + dn * 0.003)
        st->index_jumps++;
    }
    if (!first)
      first = m;
    last = m;
    prev = m;
  }
  if (first && last && last->frame > first->frame)
    st->ratio_ppm = ((last->index - first->index) /
        (gdouble) (last->frame - first->frame) - 1.0) * 1e6;
  g_mutex_unlock (&rx->lock);

  st->n = lat->len;
  if (lat->len) {
    g_array_sort (lat, cmp_double);
    st->lat_min_ms = g_array_index (lat, gdouble, 0);
    st->lat_median_ms = g_array_index (lat, gdouble, lat->len / 2);
    st->lat_max_ms = g_array_index (lat, gdouble, lat->len - 1);
  }
  g_array_unref (lat);
}

gdouble
drift_rig_min_transit_ms (DriftRig * rig)
{
  gdouble t;

  g_mutex_lock (&rig->calib_lock);
  t = rig->min_transit_ms;
  g_mutex_unlock (&rig->calib_lock);
  return t;
}

gdouble
drift_rig_transit_spread_ms (DriftRig * rig, gdouble from_s, gdouble to_s)
{
  gdouble lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
  gint i;

  g_mutex_lock (&rig->calib_lock);
  for (i = MAX (0, (gint) from_s); i < MIN (MAX_SECONDS, (gint) to_s); i++) {
    gdouble t = rig->sec_transit_ms[i];

    if (t == G_MAXDOUBLE)
      continue;
    lo = MIN (lo, t);
    hi = MAX (hi, t);
  }
  g_mutex_unlock (&rig->calib_lock);
  return hi >= lo ? hi - lo : 0.0;
}

void
drift_rig_free (DriftRig * rig)
{
  guint r;

  for (r = 0; r < rig->n_rx; r++) {
    gst_element_set_state (rig->rx[r].pipe, GST_STATE_NULL);
    gst_object_unref (rig->rx[r].pipe);
    g_array_unref (rig->rx[r].meas);
    g_mutex_clear (&rig->rx[r].lock);
  }
  gst_element_set_state (rig->tx, GST_STATE_NULL);
  gst_object_unref (rig->tx);
  if (rig->probe_thread) {
    g_cancellable_cancel (rig->cancel);
    g_thread_join (rig->probe_thread);
  }
  g_clear_object (&rig->probe);
  g_object_unref (rig->cancel);
  gst_object_unref (rig->clock);
  g_array_unref (rig->calibs);
  g_mutex_clear (&rig->calib_lock);
  g_free (rig);
}
