/* gst-aes67 benchmark: aes67src playout=arrival against a sender whose
 * clock drifts (issue 12, item 4). A sender pipeline on a GstSystemClock
 * calibrated PPM fast for SECONDS, then PPM slow for SECONDS (the change
 * is continuous: no step in the sender's time); two receivers (link
 * offsets 5 and 8 ms) on the system clock. Per phase and receiver it
 * prints capture->PTS min / median / max (how it is measured:
 * tests/check/elements/aes67-driftprobe.h), the least packet transit seen
 * by a probe socket, the difference (0: each sample plays exactly the
 * link offset after its packet arrived), DISCONT buffers, PTS gaps,
 * dropped or repeated frames, and the ratio of frames shown to frames
 * output.
 *   drift-bench [PPM [SECONDS [PORT]]]      (defaults 100, 600, 46000)
 * The first phase is measured from 20 s on (settling and convergence);
 * the second from the change on.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/gst.h>
#include <stdlib.h>

#include "aes67-driftprobe.h"

static void
report (DriftRig * rig, const gchar * phase, gdouble from, gdouble to)
{
  guint r;
  gdouble transit = drift_rig_min_transit_ms (rig);

  for (r = 0; r < 2; r++) {
    DriftStats st;

    drift_rig_stats (rig, r, 3.0, from, to, &st);
    g_print ("%s receiver %u (%.0f-%.0f s): capture->PTS min %.3f median "
        "%.3f max %.3f ms; least transit %.3f ms; PTS - arrival: min %+.3f "
        "median %+.3f max %+.3f ms; %u measurements; ratio %+.1f ppm; "
        "DISCONT %u (whole run), PTS gaps %u (after 3 s, worst %"
        G_GINT64_FORMAT " ns), dropped/repeated %u\n", phase, r, from, to,
        st.lat_min_ms, st.lat_median_ms, st.lat_max_ms, transit,
        st.lat_min_ms - transit, st.lat_median_ms - transit,
        st.lat_max_ms - transit, st.n, st.ratio_ppm, st.disconts,
        st.pts_gaps, st.max_gap_ns, st.index_jumps);
  }
}

int
main (int argc, char **argv)
{
  static const guint offsets[2] = { 5, 8 };
  gint ppm = argc > 1 ? atoi (argv[1]) : 100;
  gdouble secs = argc > 2 ? atof (argv[2]) : 600;
  guint port = argc > 3 ? (guint) atoi (argv[3]) : 46000;
  DriftRig *rig;
  gdouble change;

  gst_init (&argc, &argv);
  rig = drift_rig_new (ppm, 2, offsets, port);
  g_print ("sender %+d ppm for %.0f s, then %+d ppm for %.0f s\n", ppm, secs,
      -ppm, secs);
  while (drift_rig_seconds (rig) < secs)
    g_usleep (500000);
  change = drift_rig_seconds (rig);
  drift_rig_set_ppm (rig, -ppm);
  g_print ("sender now %+d ppm (at %.1f s of output)\n", -ppm, change);
  report (rig, ppm > 0 ? "fast" : "slow", 20, change);
  while (drift_rig_seconds (rig) < change + secs)
    g_usleep (500000);
  report (rig, ppm > 0 ? "slow" : "fast", change, change + secs);
  report (rig, "after the change, from 20 s on", change + 20, change + secs);
  drift_rig_free (rig);
  return 0;
}
