/* gst-aes67 tests: a sender on a clock that drifts, receivers with
 * playout=arrival, and what their output says about latency and
 * continuity. Used by tests/check/elements/aes67drift.c and
 * tests/benchmarks/drift-bench.c.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * How latency is measured. The sender (appsrc ! aes67sink, L24 mono
 * 48 kHz) runs on a GstSystemClock (CLOCK_MONOTONIC inside) calibrated to
 * run @ppm fast or slow; its frame i is captured at sender clock time
 * base + i / 48000 and carries ((i mod 65536) x 128), a ramp that the
 * receiver's resampler interpolates, so an output sample tells the
 * fractional frame index it shows. Undoing the calibration gives the
 * capture time on CLOCK_MONOTONIC. The receivers run on the system clock
 * (CLOCK_MONOTONIC), with appsink sync=false: an output sample at PTS p,
 * k frames into its buffer, plays at p + base time + k / 48000 + the link
 * offset. A plain socket joined to the group notes every packet's arrival
 * (CLOCK_MONOTONIC) against the capture time of its first frame; the
 * least such transit is what the receiver's arrival anchor sees.
 *
 *   capture->PTS = PTS + base + k / rate - capture (without link offset)
 *   arrival error = capture->PTS - least transit: 0 when each sample plays
 *                   exactly the link offset after its packet arrived
 */
#ifndef __AES67_DRIFTPROBE_H__
#define __AES67_DRIFTPROBE_H__

#include <gst/gst.h>

G_BEGIN_DECLS typedef struct _DriftRig DriftRig;

typedef struct
{
  guint n;                      /* measurements (one per output buffer) */
  gdouble lat_min_ms, lat_median_ms, lat_max_ms;        /* capture->PTS */
  guint disconts;               /* DISCONT buffers after the first one */
  guint pts_gaps;               /* PTS != previous PTS + duration (by more
                                 * than 1 ns), after the settling time */
  gint64 max_gap_ns;            /* the largest such |gap| */
  gdouble first_gap_s;          /* when the first such gap came, s */
  guint index_jumps;            /* frames dropped or repeated: the frame
                                 * index shown moved by more than 2 frames
                                 * against the frames output */
  gdouble ratio_ppm;            /* frames shown per frame output - 1, ppm,
                                 * over the window */
} DriftStats;

/* A sender on 239.69.x.y:@port (multicast on lo) at @ppm, and @n_rx
 * receivers with link offsets @link_offset_ms[]. */
DriftRig *drift_rig_new (gint ppm, guint n_rx, const guint * link_offset_ms,
    guint port);
/* The sender's clock runs at @ppm from now on (no step). */
void drift_rig_set_ppm (DriftRig * rig, gint ppm);
/* Seconds of output of the receiver that has output least. */
gdouble drift_rig_seconds (DriftRig * rig);
/* Receiver @r's figures over its output from @from_s to @to_s (seconds
 * since its first buffer); gaps and DISCONT are counted from @settle_s. */
void drift_rig_stats (DriftRig * rig, guint r, gdouble settle_s,
    gdouble from_s, gdouble to_s, DriftStats * st);
/* The least transit (packet arrival - capture of its first frame) seen
 * by the probe socket, ms; G_MAXDOUBLE if none. */
gdouble drift_rig_min_transit_ms (DriftRig * rig);
/* How far the probe socket's least transit of each second (seconds since
 * the rig started, from @from_s to @to_s) moved: the largest minus the
 * smallest, ms. More than a few tens of µs means the sender (or the
 * machine under it) did not send on time throughout. */
gdouble drift_rig_transit_spread_ms (DriftRig * rig, gdouble from_s,
    gdouble to_s);
void drift_rig_free (DriftRig * rig);

G_END_DECLS
#endif
