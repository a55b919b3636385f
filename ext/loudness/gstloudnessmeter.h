/* gst-aes67
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#ifndef __GST_LOUDNESS_METER_H__
#define __GST_LOUDNESS_METER_H__

#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <gst/audio/gstaudiofilter.h>
#include <ebur128.h>

#include "loudness-range.h"

G_BEGIN_DECLS
#define GST_TYPE_LOUDNESS_METER (gst_loudness_meter_get_type ())
G_DECLARE_FINAL_TYPE (GstLoudnessMeter, gst_loudness_meter, GST,
    LOUDNESS_METER, GstAudioFilter)
/**
 * GstLoudnessMeterMeasures:
 * @GST_LOUDNESS_METER_MEASURE_MOMENTARY: momentary loudness (400 ms window)
 * @GST_LOUDNESS_METER_MEASURE_SHORT_TERM: short-term loudness (3 s window)
 * @GST_LOUDNESS_METER_MEASURE_INTEGRATED: gated integrated loudness
 * @GST_LOUDNESS_METER_MEASURE_LOUDNESS_RANGE: loudness range (EBU Tech 3342)
 * @GST_LOUDNESS_METER_MEASURE_SAMPLE_PEAK: per-channel sample peak
 * @GST_LOUDNESS_METER_MEASURE_TRUE_PEAK: per-channel true peak
 *
 * The measures loudnessmeter computes and reports.
 */
     typedef enum
     {
       GST_LOUDNESS_METER_MEASURE_MOMENTARY = (1 << 0),
       GST_LOUDNESS_METER_MEASURE_SHORT_TERM = (1 << 1),
       GST_LOUDNESS_METER_MEASURE_INTEGRATED = (1 << 2),
       GST_LOUDNESS_METER_MEASURE_LOUDNESS_RANGE = (1 << 3),
       GST_LOUDNESS_METER_MEASURE_SAMPLE_PEAK = (1 << 4),
       GST_LOUDNESS_METER_MEASURE_TRUE_PEAK = (1 << 5),
     } GstLoudnessMeterMeasures;

#define GST_TYPE_LOUDNESS_METER_MEASURES \
  (gst_loudness_meter_measures_get_type ())
     GType gst_loudness_meter_measures_get_type (void);

/* Length of one sub-block in ms: momentary and short-term maxima are
 * evaluated at the end of every sub-block (Tech 3341 cases 10 and 13 need
 * 20 ms or finer). */
#define GST_LOUDNESS_METER_STEP_MS 10
/* sub-blocks in the momentary (400 ms) and short-term (3 s) windows */
#define GST_LOUDNESS_METER_M_STEPS (400 / GST_LOUDNESS_METER_STEP_MS)
#define GST_LOUDNESS_METER_S_STEPS (3000 / GST_LOUDNESS_METER_STEP_MS)

/* The figures the element exposes; a copy is taken for messages. */
     typedef struct
     {
       gdouble momentary;       /* LUFS */
       gdouble short_term;      /* LUFS */
       gdouble integrated;      /* LUFS */
       gdouble loudness_range;  /* LU */
       gdouble max_momentary;   /* LUFS, since reset */
       gdouble max_short_term;  /* LUFS, since reset */
       gdouble max_sample_peak; /* dBFS, all channels, since reset */
       gdouble max_true_peak;   /* dBTP, all channels, since reset */
     } GstLoudnessMeterFigures;

     struct _GstLoudnessMeter
     {
       GstAudioFilter parent;

       /* properties, protected by the object lock */
       GstClockTime interval;
       gboolean post_messages;
       GstLoudnessMeterMeasures measures;
       gboolean dual_mono;
       gboolean reset_pending;  /* set by the "reset" action signal */

       /* current figures, protected by the object lock */
       GstLoudnessMeterFigures figures;

       /* streaming state: touched only from the streaming thread (and from
        * setup/stop, which run while no buffer is being processed) */
       ebur128_state *st;
       GstLoudnessMeterMeasures active_measures;        /* measures of st */
       gint mode;               /* libebur128 mode of st */
       guint channels;
       guint rate;
       guint64 step_frames;     /* frames per sub-block */
       guint64 step_left;       /* frames to the end of this sub-block */
       guint64 interval_frames; /* frames per message interval */
       guint64 interval_done;   /* frames of this interval seen so far */
       GstClockTime interval_start;     /* PTS of the interval's first frame */
       /* its running and stream time, taken with the segment it was in (an
        * interval may end in a later segment) */
       GstClockTime interval_running_time;
       GstClockTime interval_stream_time;
       GstClockTime base_pts;   /* PTS of the buffer that began the run */
       guint64 base_frames;     /* frames since that buffer */
       /* mean-square energies of the last sub-blocks (ring) */
       gdouble step_energy[GST_LOUDNESS_METER_S_STEPS];
       guint step_index;
       guint64 steps_seen;
       gdouble step_momentary;  /* LUFS at the last sub-block's end */
       gdouble step_short_term; /* LUFS at the last sub-block's end */
       gdouble max_momentary;   /* LUFS since reset */
       gdouble max_short_term;  /* LUFS since reset */
       LoudnessRange lra;       /* own loudness range (10 Hz short-term) */
       gpointer clean;          /* CHUNK_FRAMES frames: float input with
                                 * NaN/inf replaced by 0 */
       gboolean warned_non_finite;      /* posted the warning for this format */
       guint64 non_finite_samples;      /* replaced since the format was set */
       /* per channel, linear: peak in this interval and since reset */
       gdouble *interval_sample_peak;
       gdouble *interval_true_peak;
       gdouble *max_sample_peak;
       gdouble *max_true_peak;
     };

GST_ELEMENT_REGISTER_DECLARE (loudnessmeter);

G_END_DECLS
#endif /* __GST_LOUDNESS_METER_H__ */
