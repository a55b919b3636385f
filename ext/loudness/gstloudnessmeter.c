/* gst-aes67
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
/**
 * SECTION:element-loudnessmeter
 * @title: loudnessmeter
 * @see_also: level, aes67src, aes67sink
 *
 * loudnessmeter measures programme loudness and peaks as EBU R128 asks
 * (ITU-R BS.1770-4, EBU Tech 3341 "EBU Mode", EBU Tech 3342 loudness range)
 * on the audio passing through it, and posts the figures on the bus. The
 * audio is not touched: the element works in place and its output is
 * bit-identical to its input. K-weighting, channel weighting, momentary,
 * short-term and integrated loudness and sample peaks come from libebur128
 * in its histogram mode, so the memory used stays the same however long it
 * runs. The loudness range is computed here from short-term values taken
 * ten times a second, as EBU Tech 3342 (2016) asks; libebur128 1.2.6 takes
 * one a second, which reads almost 1 LU low on speech.
 *
 * Put it on any feed to watch it live: what a sender sends, what a receiver
 * receives or what a relay passes on. R128 programmes aim at -23 LUFS
 * integrated with true peaks below -1 dBTP; streaming platforms at -14 to
 * -16 LUFS.
 *
 * ## Channels
 *
 * Channels are weighted from their GStreamer channel positions as BS.1770-4
 * says: front left, right, centre, left/right of centre, the top and bottom
 * channels and the rear centre count 1.0; side, rear (surround) and wide
 * left/right count 1.41 (+1.5 dB); LFE channels are left out. A mono stream
 * is measured as one channel, unless #GstLoudnessMeter:dual-mono is set, in
 * which case it counts twice (a mono programme played on two loudspeakers).
 * Unpositioned audio (caps with `channel-mask=(bitmask)0`, as a receiver
 * without a channel map produces) has every channel counted 1.0, no channel
 * taken as surround or LFE; the element posts a warning saying so once per
 * format. Multichannel caps without any channel-mask are refused (give the
 * mask, or 0 for unpositioned).
 *
 * ## Bad input
 *
 * Float samples that are NaN or infinite are metered as silence, with one
 * warning message per format; the audio still passes unchanged. A buffer
 * that ends in a partial frame has that partial frame left unmetered.
 *
 * ## The loudness message
 *
 * Every #GstLoudnessMeter:interval of audio, and once more at EOS for the
 * audio since the last message, the element posts an element message
 * named `loudness` if #GstLoudnessMeter:post-messages is %TRUE. The time
 * fields mark the START of the interval the message covers (as `level`
 * does); the loudness figures are those at its END, that is at
 * timestamp + duration.
 *
 * * `timestamp` (#guint64, ns): buffer time of the interval's first sample,
 *   or GST_CLOCK_TIME_NONE when the buffers carry no time.
 * * `stream-time` (#guint64, ns): stream time of the interval's first
 *   sample, in the segment that sample was in.
 * * `running-time` (#guint64, ns): running time of the interval's first
 *   sample, in the segment that sample was in.
 * * `duration` (#guint64, ns): length of the interval (of audio metered,
 *   gaps included).
 * * `momentary-lufs` (#gdouble, LUFS): momentary loudness, 400 ms window.
 * * `short-term-lufs` (#gdouble, LUFS): short-term loudness, 3 s window.
 * * `integrated-lufs` (#gdouble, LUFS): gated integrated loudness since
 *   start or reset (libebur128's histogram of 0.1 LU bins makes it exact
 *   to within 0.05 LU).
 * * `loudness-range-lu` (#gdouble, LU): loudness range since start or
 *   reset, from the short-term values every 100 ms once the first 3 s have
 *   passed; 0.0 while there are none above the gates.
 * * `max-momentary-lufs` (#gdouble, LUFS): highest momentary loudness since
 *   start or reset, evaluated every 10 ms of audio.
 * * `max-short-term-lufs` (#gdouble, LUFS): highest short-term loudness
 *   since start or reset, evaluated every 10 ms of audio.
 * * `sample-peak-dbfs` (#GstValueArray of #gdouble, dBFS, one per channel):
 *   highest absolute sample value in this interval.
 * * `true-peak-dbtp` (#GstValueArray of #gdouble, dBTP, one per channel):
 *   true peak in this interval, as libebur128 measures it (the signal
 *   oversampled 4x below 96 kHz, 2x below 192 kHz; never below the sample
 *   peak).
 * * `max-sample-peak-dbfs`, `max-true-peak-dbtp` (#GstValueArray of
 *   #gdouble, one per channel): the same since start or reset.
 *
 * ## Time across segments, seeks and gaps
 *
 * An interval is counted in samples and may span a segment change (files
 * played one after another through `concat`, gapless playout): its time
 * fields are those of its first sample, taken in the segment that sample
 * was in, so `running-time` rises by exactly the interval from message to
 * message across the join, while `timestamp` and `stream-time` are the
 * first sample's position in its own file (they start again at each
 * file).
 *
 * A flushing seek starts a new timeline: the interval under way is
 * dropped without a message, and the first interval after the seek begins
 * at the first sample after it, with the times of the new segment
 * (`running-time` from 0 again, `timestamp` and `stream-time` from the
 * seek position). The measurement itself is not reset by a seek, as a
 * meter on a desk is not when the player jumps: integrated loudness,
 * loudness range and the maxima go on, and the momentary and short-term
 * windows hold the audio last metered before the seek until new audio
 * replaces it. Emit #GstLoudnessMeter::reset (for instance with the seek)
 * for a fresh measurement.
 *
 * A gap (a GAP event, or a buffer flagged GAP without data) is metered as
 * digital silence of its duration, as it sounds on air: intervals go on
 * through it, with their usual times, and it lowers momentary and
 * short-term loudness as silence does (it stays below the gates of the
 * integrated loudness and the loudness range).
 *
 * Momentary and short-term loudness (and their maxima, and the short-term
 * values the loudness range is made of) are evaluated at every 10 ms of
 * audio; the figures in a message are those of the last 10 ms boundary at
 * or before the interval's end, which is the end itself whenever the
 * interval is a whole number of 10 ms. At rates that are not a multiple of
 * 100 Hz the 10 ms step is rounded down to whole frames, so the windows are
 * up to 1 % shorter (0.2 % at 11025 Hz).
 *
 * Fields of measures left out of #GstLoudnessMeter:measures are not in the
 * message (max-momentary goes with momentary, max-short-term with
 * short-term). Silence reads `-inf` (a #gdouble negative infinity) in every
 * loudness and peak field: momentary and short-term of digital silence,
 * integrated loudness while nothing is above the -70 LUFS gate, peaks of
 * all-zero samples. Before 400 ms (3 s) of audio have passed, the momentary
 * (short-term) window is filled with silence.
 *
 * The current figures can also be read from the read-only properties
 * (#GstLoudnessMeter:momentary-lufs and so on); those of measures not
 * computed read NaN.
 *
 * ## When properties take effect
 *
 * `interval` and `post-messages` can be changed while playing: the
 * streaming thread reads them at every interval. `measures` and
 * `dual-mono` are read when the meter is set up for a format, so a change
 * made in NULL or READY applies from the first caps; one made while
 * playing applies at the next format change or
 * #GstLoudnessMeter::reset (the running measurement is not changed under
 * the meter's feet).
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 -m audiotestsrc wave=sine volume=0.1 num-buffers=200 ! \
 *     audio/x-raw,rate=48000,channels=2 ! loudnessmeter ! fakesink
 * ]|
 * Meters about four seconds of a test tone (-20 dBFS, so -20.7 LUFS) and
 * prints every `loudness` message.
 *
 * |[
 * gst-launch-1.0 -m aes67src sdp-file=stream.sdp ! audioconvert ! \
 *     loudnessmeter interval=1000000000 ! fakesink sync=true
 * ]|
 * A metered receiver: shows once a second the loudness of the AES67 stream
 * described in stream.sdp (aes67src gives big-endian L16/L24 samples, the
 * meter takes native-endian ones: audioconvert in between; put
 * `audioconvert ! autoaudiosink` in place of the fakesink to listen as
 * well).
 *
 * |[
 * gst-launch-1.0 -m filesrc location=programme.wav ! wavparse ! \
 *     loudnessmeter measures="integrated+loudness-range+true-peak" \
 *     interval=10000000000 ! fakesink
 * ]|
 * Measures a file: the last message (at EOS) holds the programme's
 * integrated loudness, loudness range and true peaks.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "gstloudnessmeter.h"

GST_DEBUG_CATEGORY_STATIC (gst_loudness_meter_debug);
#define GST_CAT_DEFAULT gst_loudness_meter_debug

/* libebur128 1.2.6 refuses rates outside 16 Hz .. 2822400 Hz; below
 * 100 Hz a 10 ms sub-block would hold no frame, so those are refused too */
#define LOUDNESS_METER_CAPS \
  "audio/x-raw, " \
  "format = (string) { " GST_AUDIO_NE (S16) ", " GST_AUDIO_NE (S32) ", " \
  GST_AUDIO_NE (F32) ", " GST_AUDIO_NE (F64) " }, " \
  "layout = (string) interleaved, " \
  "rate = (int) [ 100, 2822400 ], " \
  "channels = (int) [ 1, 64 ]"

#define ALL_MEASURES (GST_LOUDNESS_METER_MEASURE_MOMENTARY | \
    GST_LOUDNESS_METER_MEASURE_SHORT_TERM | \
    GST_LOUDNESS_METER_MEASURE_INTEGRATED | \
    GST_LOUDNESS_METER_MEASURE_LOUDNESS_RANGE | \
    GST_LOUDNESS_METER_MEASURE_SAMPLE_PEAK | \
    GST_LOUDNESS_METER_MEASURE_TRUE_PEAK)

/* most frames handed to libebur128 at once */
#define CHUNK_FRAMES 1024
/* loudness range takes one short-term value per 100 ms (Tech 3342: at
 * least 10 Hz), i.e. every 10th sub-block */
#define LRA_EVERY_STEPS (100 / GST_LOUDNESS_METER_STEP_MS)

#define DEFAULT_INTERVAL (100 * GST_MSECOND)
#define MIN_INTERVAL (10 * GST_MSECOND)
#define DEFAULT_POST_MESSAGES TRUE
#define DEFAULT_MEASURES ALL_MEASURES
#define DEFAULT_DUAL_MONO FALSE

enum
{
  PROP_0,
  PROP_INTERVAL,
  PROP_POST_MESSAGES,
  PROP_MEASURES,
  PROP_DUAL_MONO,
  PROP_MOMENTARY,
  PROP_SHORT_TERM,
  PROP_INTEGRATED,
  PROP_LOUDNESS_RANGE,
  PROP_MAX_MOMENTARY,
  PROP_MAX_SHORT_TERM,
  PROP_MAX_SAMPLE_PEAK,
  PROP_MAX_TRUE_PEAK,
};

enum
{
  SIGNAL_RESET,
  LAST_SIGNAL
};

static guint gst_loudness_meter_signals[LAST_SIGNAL];

/* ebur128_init() fills tables shared by every state: one at a time. */
static GMutex ebur128_init_lock;

#define gst_loudness_meter_parent_class parent_class
G_DEFINE_TYPE (GstLoudnessMeter, gst_loudness_meter, GST_TYPE_AUDIO_FILTER);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (loudnessmeter, "loudnessmeter",
    GST_RANK_NONE, GST_TYPE_LOUDNESS_METER,
    GST_DEBUG_CATEGORY_INIT (gst_loudness_meter_debug, "loudnessmeter", 0,
        "EBU R128 loudness and true-peak meter"));

GType
gst_loudness_meter_measures_get_type (void)
{
  static GType type = 0;
  static const GFlagsValue values[] = {
    {GST_LOUDNESS_METER_MEASURE_MOMENTARY,
        "Momentary loudness (400 ms), LUFS", "momentary"},
    {GST_LOUDNESS_METER_MEASURE_SHORT_TERM,
        "Short-term loudness (3 s), LUFS", "short-term"},
    {GST_LOUDNESS_METER_MEASURE_INTEGRATED,
        "Integrated loudness, LUFS", "integrated"},
    {GST_LOUDNESS_METER_MEASURE_LOUDNESS_RANGE,
        "Loudness range, LU", "loudness-range"},
    {GST_LOUDNESS_METER_MEASURE_SAMPLE_PEAK,
        "Sample peak per channel, dBFS", "sample-peak"},
    {GST_LOUDNESS_METER_MEASURE_TRUE_PEAK,
        "True peak per channel, dBTP", "true-peak"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_flags_register_static ("GstLoudnessMeterMeasures", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

static gdouble
energy_to_lufs (gdouble energy)
{
  if (energy <= 0.0)
    return -INFINITY;
  return 10.0 * log10 (energy) - 0.691;
}

static gdouble
lufs_to_energy (gdouble lufs)
{
  if (isinf (lufs) && lufs < 0)
    return 0.0;
  return pow (10.0, (lufs + 0.691) / 10.0);
}

static gdouble
linear_to_db (gdouble v)
{
  if (v <= 0.0)
    return -INFINITY;
  return 20.0 * log10 (v);
}

/* The libebur128 channel for a GStreamer channel position (BS.1770-4
 * weights as libebur128 applies them: Mp060..Mp110 and their mirrors weigh
 * 1.41, UNUSED is left out, the rest weigh 1.0). */
static int
channel_for_position (GstAudioChannelPosition pos)
{
  switch (pos) {
    case GST_AUDIO_CHANNEL_POSITION_MONO:
    case GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT:
      return EBUR128_LEFT;
    case GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT:
      return EBUR128_RIGHT;
    case GST_AUDIO_CHANNEL_POSITION_FRONT_CENTER:
      return EBUR128_CENTER;
    case GST_AUDIO_CHANNEL_POSITION_LFE1:
    case GST_AUDIO_CHANNEL_POSITION_LFE2:
      return EBUR128_UNUSED;
    case GST_AUDIO_CHANNEL_POSITION_REAR_LEFT:
    case GST_AUDIO_CHANNEL_POSITION_SURROUND_LEFT:
      return EBUR128_LEFT_SURROUND;
    case GST_AUDIO_CHANNEL_POSITION_REAR_RIGHT:
    case GST_AUDIO_CHANNEL_POSITION_SURROUND_RIGHT:
      return EBUR128_RIGHT_SURROUND;
    case GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT:
      return EBUR128_Mp090;
    case GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT:
      return EBUR128_Mm090;
    case GST_AUDIO_CHANNEL_POSITION_WIDE_LEFT:
      return EBUR128_Mp060;
    case GST_AUDIO_CHANNEL_POSITION_WIDE_RIGHT:
      return EBUR128_Mm060;
    case GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT_OF_CENTER:
      return EBUR128_MpSC;
    case GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT_OF_CENTER:
      return EBUR128_MmSC;
    case GST_AUDIO_CHANNEL_POSITION_REAR_CENTER:
      return EBUR128_Mp180;
    case GST_AUDIO_CHANNEL_POSITION_TOP_FRONT_LEFT:
      return EBUR128_Up030;
    case GST_AUDIO_CHANNEL_POSITION_TOP_FRONT_RIGHT:
      return EBUR128_Um030;
    case GST_AUDIO_CHANNEL_POSITION_TOP_FRONT_CENTER:
      return EBUR128_Up000;
    case GST_AUDIO_CHANNEL_POSITION_TOP_CENTER:
      return EBUR128_Tp000;
    case GST_AUDIO_CHANNEL_POSITION_TOP_REAR_LEFT:
      return EBUR128_Up135;
    case GST_AUDIO_CHANNEL_POSITION_TOP_REAR_RIGHT:
      return EBUR128_Um135;
    case GST_AUDIO_CHANNEL_POSITION_TOP_SIDE_LEFT:
      return EBUR128_Up090;
    case GST_AUDIO_CHANNEL_POSITION_TOP_SIDE_RIGHT:
      return EBUR128_Um090;
    case GST_AUDIO_CHANNEL_POSITION_TOP_REAR_CENTER:
      return EBUR128_Up180;
    case GST_AUDIO_CHANNEL_POSITION_BOTTOM_FRONT_CENTER:
      return EBUR128_Bp000;
    case GST_AUDIO_CHANNEL_POSITION_BOTTOM_FRONT_LEFT:
      return EBUR128_Bp045;
    case GST_AUDIO_CHANNEL_POSITION_BOTTOM_FRONT_RIGHT:
      return EBUR128_Bm045;
    default:
      /* unpositioned or unknown: counted with weight 1.0 */
      return EBUR128_CENTER;
  }
}

static gint
mode_for_measures (GstLoudnessMeterMeasures m)
{
  gint mode = EBUR128_MODE_M | EBUR128_MODE_HISTOGRAM;

  /* momentary and short-term come from 10 ms window energies (see
   * gst_loudness_meter_end_step), which mode M provides */
  if (m & GST_LOUDNESS_METER_MEASURE_INTEGRATED)
    mode |= EBUR128_MODE_I;
  /* the loudness range is ours (loudness-range.c) */
  if (m & GST_LOUDNESS_METER_MEASURE_SAMPLE_PEAK)
    mode |= EBUR128_MODE_SAMPLE_PEAK;
  if (m & GST_LOUDNESS_METER_MEASURE_TRUE_PEAK)
    mode |= EBUR128_MODE_TRUE_PEAK;
  return mode;
}

static void
figures_clear (GstLoudnessMeterFigures * f)
{
  f->momentary = f->short_term = f->integrated = NAN;
  f->loudness_range = NAN;
  f->max_momentary = f->max_short_term = NAN;
  f->max_sample_peak = f->max_true_peak = NAN;
}

/* Streaming thread (or with streaming stopped). */
static void
gst_loudness_meter_free_state (GstLoudnessMeter * self)
{
  if (self->st)
    ebur128_destroy (&self->st);
  loudness_range_clear (&self->lra);
  g_clear_pointer (&self->clean, g_free);
  g_clear_pointer (&self->interval_sample_peak, g_free);
  g_clear_pointer (&self->interval_true_peak, g_free);
  g_clear_pointer (&self->max_sample_peak, g_free);
  g_clear_pointer (&self->max_true_peak, g_free);
}

/* Sets the counters of a fresh measurement; streaming thread. */
static void
gst_loudness_meter_clear_measurement (GstLoudnessMeter * self)
{
  guint c;

  memset (self->step_energy, 0, sizeof (self->step_energy));
  self->step_index = 0;
  self->steps_seen = 0;
  self->step_left = self->step_frames;
  self->max_momentary = -INFINITY;
  self->max_short_term = -INFINITY;
  self->step_momentary = -INFINITY;
  self->step_short_term = -INFINITY;
  loudness_range_reset (&self->lra);
  for (c = 0; c < self->channels; c++) {
    self->interval_sample_peak[c] = 0.0;
    self->interval_true_peak[c] = 0.0;
    self->max_sample_peak[c] = 0.0;
    self->max_true_peak[c] = 0.0;
  }
}

/* Makes a libebur128 state for the negotiated format and the measures and
 * dual-mono setting now set. Streaming thread, no lock held. */
static gboolean
gst_loudness_meter_make_state (GstLoudnessMeter * self,
    const GstAudioInfo * info, gboolean warn)
{
  GstLoudnessMeterMeasures measures;
  gboolean dual_mono, unpositioned;
  guint c;

  GST_OBJECT_LOCK (self);
  measures = self->measures;
  dual_mono = self->dual_mono;
  self->reset_pending = FALSE;
  GST_OBJECT_UNLOCK (self);

  gst_loudness_meter_free_state (self);

  self->channels = GST_AUDIO_INFO_CHANNELS (info);
  self->rate = GST_AUDIO_INFO_RATE (info);
  self->active_measures = measures;
  self->mode = mode_for_measures (measures);

  g_mutex_lock (&ebur128_init_lock);
  self->st = ebur128_init (self->channels, self->rate, self->mode);
  g_mutex_unlock (&ebur128_init_lock);
  if (self->st == NULL) {
    GST_ELEMENT_ERROR (self, LIBRARY, INIT,
        ("Could not set up loudness measurement for %u channels at %u Hz.",
            self->channels, self->rate),
        ("ebur128_init() failed (out of memory or unsupported format)"));
    return FALSE;
  }

  unpositioned = GST_AUDIO_INFO_IS_UNPOSITIONED (info);
  for (c = 0; c < self->channels; c++) {
    int ch;

    if (unpositioned)
      ch = EBUR128_CENTER;
    else
      ch = channel_for_position (GST_AUDIO_INFO_POSITION (info, c));
    if (self->channels == 1 && dual_mono)
      ch = EBUR128_DUAL_MONO;
    if (ebur128_set_channel (self->st, c, ch) != EBUR128_SUCCESS)
      GST_WARNING_OBJECT (self, "could not set channel %u to %d", c, ch);
    GST_DEBUG_OBJECT (self, "channel %u -> libebur128 channel %d", c, ch);
  }

  /* sub-block length in frames, truncated as ebur128_loudness_window()
   * truncates it (>= 1: the caps start at 100 Hz) */
  self->step_frames = (guint64) self->rate * GST_LOUDNESS_METER_STEP_MS / 1000;

  self->clean = g_malloc ((gsize) CHUNK_FRAMES * self->channels *
      GST_AUDIO_INFO_BPS (info));
  if (loudness_range_init (&self->lra) != 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT,
        ("Out of memory setting up loudness measurement."), (NULL));
    return FALSE;
  }

  self->interval_sample_peak = g_new0 (gdouble, self->channels);
  self->interval_true_peak = g_new0 (gdouble, self->channels);
  self->max_sample_peak = g_new0 (gdouble, self->channels);
  self->max_true_peak = g_new0 (gdouble, self->channels);
  gst_loudness_meter_clear_measurement (self);

  GST_OBJECT_LOCK (self);
  figures_clear (&self->figures);
  GST_OBJECT_UNLOCK (self);

  if (warn && unpositioned && self->channels > 1) {
    GST_ELEMENT_WARNING (self, STREAM, FORMAT,
        ("The %u channels of this stream have no positions: every channel "
            "is counted with weight 1.0, none as surround or LFE. Give the "
            "caps a channel-mask for ITU-R BS.1770 channel weighting.",
            self->channels), (NULL));
  }
  return TRUE;
}

static gboolean
gst_loudness_meter_setup (GstAudioFilter * filter, const GstAudioInfo * info)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (filter);

  /* GstAudioFilter stores info only after we accept it */
  if (!gst_loudness_meter_make_state (self, info, TRUE))
    return FALSE;
  self->warned_non_finite = FALSE;
  self->non_finite_samples = 0;

  self->interval_done = 0;
  self->interval_start = GST_CLOCK_TIME_NONE;
  self->interval_running_time = GST_CLOCK_TIME_NONE;
  self->interval_stream_time = GST_CLOCK_TIME_NONE;
  self->base_pts = GST_CLOCK_TIME_NONE;
  self->base_frames = 0;
  return TRUE;
}

/* Reads the figures from libebur128 at the end of an interval, updates the
 * maxima and the properties' copy. Streaming thread, no lock held. */
static void
gst_loudness_meter_update_figures (GstLoudnessMeter * self,
    GstLoudnessMeterFigures * out)
{
  GstLoudnessMeterMeasures m = self->active_measures;
  GstLoudnessMeterFigures f;
  gdouble v;
  guint c;

  figures_clear (&f);

  /* momentary and short-term as of the last sub-block boundary, which is
   * the interval's end when the interval is a multiple of 10 ms */
  if (m & GST_LOUDNESS_METER_MEASURE_MOMENTARY) {
    f.momentary = self->step_momentary;
    f.max_momentary = self->max_momentary;
  }
  if (m & GST_LOUDNESS_METER_MEASURE_SHORT_TERM) {
    f.short_term = self->step_short_term;
    f.max_short_term = self->max_short_term;
  }
  if ((m & GST_LOUDNESS_METER_MEASURE_INTEGRATED) &&
      ebur128_loudness_global (self->st, &v) == EBUR128_SUCCESS)
    f.integrated = v;
  if (m & GST_LOUDNESS_METER_MEASURE_LOUDNESS_RANGE)
    f.loudness_range = loudness_range_get (&self->lra);
  if (m & GST_LOUDNESS_METER_MEASURE_SAMPLE_PEAK) {
    v = 0.0;
    for (c = 0; c < self->channels; c++)
      v = MAX (v, self->max_sample_peak[c]);
    f.max_sample_peak = linear_to_db (v);
  }
  if (m & GST_LOUDNESS_METER_MEASURE_TRUE_PEAK) {
    v = 0.0;
    for (c = 0; c < self->channels; c++)
      v = MAX (v, self->max_true_peak[c]);
    f.max_true_peak = linear_to_db (v);
  }

  GST_OBJECT_LOCK (self);
  self->figures = f;
  GST_OBJECT_UNLOCK (self);
  *out = f;
}

static void
set_db_array (GstStructure * s, const gchar * field, const gdouble * lin,
    guint n)
{
  GValue arr = G_VALUE_INIT, v = G_VALUE_INIT;
  guint c;

  g_value_init (&arr, GST_TYPE_ARRAY);
  g_value_init (&v, G_TYPE_DOUBLE);
  for (c = 0; c < n; c++) {
    g_value_set_double (&v, linear_to_db (lin[c]));
    gst_value_array_append_value (&arr, &v);
  }
  gst_structure_take_value (s, field, &arr);
  g_value_unset (&v);
}

/* Forgets the interval begun: the next frame begins a new one. Its audio
 * stays in the measurement. */
static void
gst_loudness_meter_drop_interval (GstLoudnessMeter * self)
{
  guint c;

  for (c = 0; c < self->channels; c++) {
    self->interval_sample_peak[c] = 0.0;
    self->interval_true_peak[c] = 0.0;
  }
  self->interval_done = 0;
}

/* Ends the current interval: reads the figures, builds the message and
 * posts it if wanted, starts the next interval. Streaming thread, no lock
 * held. */
static void
gst_loudness_meter_end_interval (GstLoudnessMeter * self)
{
  GstLoudnessMeterMeasures m = self->active_measures;
  GstLoudnessMeterFigures f;
  GstClockTime ts, duration;
  gboolean post;

  gst_loudness_meter_update_figures (self, &f);

  GST_OBJECT_LOCK (self);
  post = self->post_messages;
  GST_OBJECT_UNLOCK (self);

  if (post) {
    GstStructure *s;

    ts = self->interval_start;
    duration = gst_util_uint64_scale_round (self->interval_done, GST_SECOND,
        self->rate);

    s = gst_structure_new ("loudness",
        "timestamp", G_TYPE_UINT64, ts,
        "stream-time", G_TYPE_UINT64, self->interval_stream_time,
        "running-time", G_TYPE_UINT64, self->interval_running_time,
        "duration", G_TYPE_UINT64, duration, NULL);
    if (m & GST_LOUDNESS_METER_MEASURE_MOMENTARY)
      gst_structure_set (s, "momentary-lufs", G_TYPE_DOUBLE, f.momentary,
          "max-momentary-lufs", G_TYPE_DOUBLE, f.max_momentary, NULL);
    if (m & GST_LOUDNESS_METER_MEASURE_SHORT_TERM)
      gst_structure_set (s, "short-term-lufs", G_TYPE_DOUBLE, f.short_term,
          "max-short-term-lufs", G_TYPE_DOUBLE, f.max_short_term, NULL);
    if (m & GST_LOUDNESS_METER_MEASURE_INTEGRATED)
      gst_structure_set (s, "integrated-lufs", G_TYPE_DOUBLE, f.integrated,
          NULL);
    if (m & GST_LOUDNESS_METER_MEASURE_LOUDNESS_RANGE)
      gst_structure_set (s, "loudness-range-lu", G_TYPE_DOUBLE,
          f.loudness_range, NULL);
    if (m & GST_LOUDNESS_METER_MEASURE_SAMPLE_PEAK) {
      set_db_array (s, "sample-peak-dbfs", self->interval_sample_peak,
          self->channels);
      set_db_array (s, "max-sample-peak-dbfs", self->max_sample_peak,
          self->channels);
    }
    if (m & GST_LOUDNESS_METER_MEASURE_TRUE_PEAK) {
      set_db_array (s, "true-peak-dbtp", self->interval_true_peak,
          self->channels);
      set_db_array (s, "max-true-peak-dbtp", self->max_true_peak,
          self->channels);
    }
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), s));
  }

  gst_loudness_meter_drop_interval (self);
}

/* Ends a 10 ms sub-block: records its energy and updates the maxima of
 * momentary and short-term loudness over the sub-block grid. */
static void
gst_loudness_meter_end_step (GstLoudnessMeter * self)
{
  gdouble v, sum;
  guint i, n;

  if (ebur128_loudness_window (self->st, GST_LOUDNESS_METER_STEP_MS, &v)
      != EBUR128_SUCCESS)
    return;
  self->step_energy[self->step_index] = lufs_to_energy (v);
  self->step_index = (self->step_index + 1) % GST_LOUDNESS_METER_S_STEPS;
  self->steps_seen++;

  /* momentary: the last M_STEPS sub-blocks (zeros before the start, as
   * libebur128's own window) */
  sum = 0.0;
  for (i = 1; i <= GST_LOUDNESS_METER_M_STEPS; i++) {
    n = (self->step_index + GST_LOUDNESS_METER_S_STEPS - i) %
        GST_LOUDNESS_METER_S_STEPS;
    sum += self->step_energy[n];
  }
  v = energy_to_lufs (sum / GST_LOUDNESS_METER_M_STEPS);
  self->step_momentary = v;
  self->max_momentary = MAX (self->max_momentary, v);

  if (self->active_measures & (GST_LOUDNESS_METER_MEASURE_SHORT_TERM |
          GST_LOUDNESS_METER_MEASURE_LOUDNESS_RANGE)) {
    sum = 0.0;
    for (i = 0; i < GST_LOUDNESS_METER_S_STEPS; i++)
      sum += self->step_energy[i];
    v = energy_to_lufs (sum / GST_LOUDNESS_METER_S_STEPS);
    self->step_short_term = v;
    self->max_short_term = MAX (self->max_short_term, v);
    /* loudness range: a short-term value every 100 ms once the first 3 s
     * window is full */
    if ((self->active_measures & GST_LOUDNESS_METER_MEASURE_LOUDNESS_RANGE)
        && self->steps_seen >= GST_LOUDNESS_METER_S_STEPS &&
        self->steps_seen % LRA_EVERY_STEPS == 0)
      loudness_range_add (&self->lra, v);
  }
}

/* Float input may hold NaN or infinities; one of them would leave
 * libebur128's filter state NaN for good. Returns the number of such
 * samples in @data; if any, @clean gets a copy with them set to 0. */
static guint
clean_non_finite (GstAudioFormat format, const guint8 * data, gsize samples,
    gpointer clean)
{
  guint bad = 0;
  gsize i;

  if (format == GST_AUDIO_FORMAT_F32) {
    const gfloat *in = (const gfloat *) data;

    for (i = 0; i < samples; i++)
      bad += !isfinite (in[i]);
    if (bad)
      for (i = 0; i < samples; i++)
        ((gfloat *) clean)[i] = isfinite (in[i]) ? in[i] : 0.0f;
  } else if (format == GST_AUDIO_FORMAT_F64) {
    const gdouble *in = (const gdouble *) data;

    for (i = 0; i < samples; i++)
      bad += !isfinite (in[i]);
    if (bad)
      for (i = 0; i < samples; i++)
        ((gdouble *) clean)[i] = isfinite (in[i]) ? in[i] : 0.0;
  }
  return bad;
}

static int
add_frames (GstLoudnessMeter * self, GstAudioFormat format,
    const guint8 * data, gsize frames)
{
  if (format == GST_AUDIO_FORMAT_F32 || format == GST_AUDIO_FORMAT_F64) {
    guint bad = clean_non_finite (format, data, frames * self->channels,
        self->clean);

    if (bad) {
      self->non_finite_samples += bad;
      data = self->clean;
      if (!self->warned_non_finite) {
        self->warned_non_finite = TRUE;
        GST_ELEMENT_WARNING (self, STREAM, FORMAT,
            ("The audio holds NaN or infinite samples; they are metered as "
                "silence (the audio itself passes unchanged). Check the "
                "element that produces it."), ("%u in this chunk", bad));
      }
    }
  }

  switch (format) {
    case GST_AUDIO_FORMAT_S16:
      return ebur128_add_frames_short (self->st, (const short *) data, frames);
    case GST_AUDIO_FORMAT_S32:
      return ebur128_add_frames_int (self->st, (const int *) data, frames);
    case GST_AUDIO_FORMAT_F32:
      return ebur128_add_frames_float (self->st, (const float *) data, frames);
    case GST_AUDIO_FORMAT_F64:
      return ebur128_add_frames_double (self->st, (const double *) data,
          frames);
    default:
      g_assert_not_reached ();
  }
  return EBUR128_ERROR_INVALID_MODE;
}

/* Meters @frames frames of @data whose first has buffer time @pts (or
 * GST_CLOCK_TIME_NONE), in the current segment. Streaming thread. */
static GstFlowReturn
gst_loudness_meter_meter (GstLoudnessMeter * self, const guint8 * data,
    gsize frames, GstClockTime pts, gboolean discont)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstAudioInfo *info = &GST_AUDIO_FILTER (self)->info;
  GstAudioFormat format = GST_AUDIO_INFO_FORMAT (info);
  guint bpf = GST_AUDIO_INFO_BPF (info);
  gboolean reset, peaks, true_peak;
  gsize done = 0;
  guint c;

  GST_OBJECT_LOCK (self);
  reset = self->reset_pending;
  GST_OBJECT_UNLOCK (self);
  if (reset) {
    GST_INFO_OBJECT (self, "resetting the measurement");
    if (!gst_loudness_meter_make_state (self, info, FALSE))
      return GST_FLOW_ERROR;
  }

  /* Time: counted in frames from the buffer that began a continuous run,
   * so that interval times do not collect rounding; a new run begins at a
   * discontinuity or where the buffer time strays by more than a frame. */
  if (GST_CLOCK_TIME_IS_VALID (pts)) {
    GstClockTime expected = GST_CLOCK_TIME_NONE;
    GstClockTime frame_ns = gst_util_uint64_scale_ceil (1, GST_SECOND,
        self->rate);

    if (GST_CLOCK_TIME_IS_VALID (self->base_pts))
      expected = self->base_pts + gst_util_uint64_scale_round
          (self->base_frames, GST_SECOND, self->rate);
    if (!GST_CLOCK_TIME_IS_VALID (expected) || discont ||
        GST_CLOCK_DIFF (expected, pts) > (GstClockTimeDiff) frame_ns ||
        GST_CLOCK_DIFF (pts, expected) > (GstClockTimeDiff) frame_ns) {
      self->base_pts = pts;
      self->base_frames = 0;
    }
  } else {
    self->base_pts = GST_CLOCK_TIME_NONE;
    self->base_frames = 0;
  }

  /* true-peak mode includes sample-peak mode */
  peaks = (self->mode & EBUR128_MODE_SAMPLE_PEAK) == EBUR128_MODE_SAMPLE_PEAK;
  true_peak = (self->mode & EBUR128_MODE_TRUE_PEAK) == EBUR128_MODE_TRUE_PEAK;

  while (done < frames) {
    guint64 n = frames - done;
    int err;

    if (self->interval_done == 0) {
      GstClockTime interval, start = GST_CLOCK_TIME_NONE;

      /* a new interval: pick up a changed interval property */
      GST_OBJECT_LOCK (self);
      interval = self->interval;
      GST_OBJECT_UNLOCK (self);
      self->interval_frames = MAX (1, gst_util_uint64_scale_round (interval,
              self->rate, GST_SECOND));
      if (GST_CLOCK_TIME_IS_VALID (self->base_pts))
        start = self->base_pts +
            gst_util_uint64_scale_round (self->base_frames + done, GST_SECOND,
            self->rate);
      /* times of the interval's start, in the segment it starts in: the
       * interval may end in the next one (concat, gapless playout) */
      self->interval_start = start;
      self->interval_running_time = GST_CLOCK_TIME_NONE;
      self->interval_stream_time = GST_CLOCK_TIME_NONE;
      if (GST_CLOCK_TIME_IS_VALID (start) &&
          trans->segment.format == GST_FORMAT_TIME) {
        self->interval_running_time =
            gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME,
            start);
        self->interval_stream_time =
            gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME,
            start);
      }
    }

    n = MIN (n, self->interval_frames - self->interval_done);
    n = MIN (n, self->step_left);
    n = MIN (n, CHUNK_FRAMES);

    err = add_frames (self, format, data + done * bpf, n);
    if (err != EBUR128_SUCCESS) {
      GST_ELEMENT_ERROR (self, LIBRARY, FAILED,
          ("Loudness measurement failed (out of memory?)."),
          ("ebur128_add_frames returned %d", err));
      return GST_FLOW_ERROR;
    }

    for (c = 0; peaks && c < self->channels; c++) {
      gdouble v;

      /* peaks of what this call added */
      if (ebur128_prev_sample_peak (self->st, c, &v) == EBUR128_SUCCESS) {
        self->interval_sample_peak[c] = MAX (self->interval_sample_peak[c], v);
        self->max_sample_peak[c] = MAX (self->max_sample_peak[c], v);
      }
      if (true_peak &&
          ebur128_prev_true_peak (self->st, c, &v) == EBUR128_SUCCESS) {
        self->interval_true_peak[c] = MAX (self->interval_true_peak[c], v);
        self->max_true_peak[c] = MAX (self->max_true_peak[c], v);
      }
    }

    done += n;
    self->interval_done += n;
    self->step_left -= n;
    if (self->step_left == 0) {
      gst_loudness_meter_end_step (self);
      self->step_left = self->step_frames;
    }
    if (self->interval_done >= self->interval_frames)
      gst_loudness_meter_end_interval (self);
  }

  self->base_frames += frames;
  return GST_FLOW_OK;
}

/* Meters @duration of silence from buffer time @pts: a gap in the stream
 * is silence on air, and the intervals go on with the stream's time. */
static GstFlowReturn
gst_loudness_meter_meter_gap (GstLoudnessMeter * self, GstClockTime pts,
    GstClockTime duration)
{
  guint bpf = GST_AUDIO_INFO_BPF (&GST_AUDIO_FILTER (self)->info);
  guint64 frames, done = 0;
  guint8 *zeros;
  GstFlowReturn ret = GST_FLOW_OK;

  if (!GST_CLOCK_TIME_IS_VALID (duration) || self->rate == 0 || bpf == 0)
    return GST_FLOW_OK;
  frames = gst_util_uint64_scale_round (duration, self->rate, GST_SECOND);
  GST_LOG_OBJECT (self, "gap of %" G_GUINT64_FORMAT " frames at %"
      GST_TIME_FORMAT, frames, GST_TIME_ARGS (pts));
  /* all-zero bytes are silence in every format we take */
  zeros = g_malloc0 ((gsize) CHUNK_FRAMES * bpf);
  while (done < frames && ret == GST_FLOW_OK) {
    guint64 n = MIN (frames - done, CHUNK_FRAMES);

    ret = gst_loudness_meter_meter (self, zeros, n,
        GST_CLOCK_TIME_IS_VALID (pts) ? pts +
        gst_util_uint64_scale_round (done, GST_SECOND, self->rate) :
        GST_CLOCK_TIME_NONE, FALSE);
    done += n;
  }
  g_free (zeros);
  return ret;
}

static GstFlowReturn
gst_loudness_meter_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (trans);
  guint bpf = GST_AUDIO_INFO_BPF (&GST_AUDIO_FILTER (self)->info);
  GstFlowReturn ret;
  GstMapInfo map;

  if (self->st == NULL || bpf == 0)
    return GST_FLOW_NOT_NEGOTIATED;

  /* a gap buffer without data stands for its duration of silence */
  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP) &&
      gst_buffer_get_size (buf) == 0)
    return gst_loudness_meter_meter_gap (self, GST_BUFFER_PTS (buf),
        GST_BUFFER_DURATION (buf));

  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    GST_ELEMENT_WARNING (self, STREAM, FAILED,
        ("Could not read an audio buffer; its audio is not metered."), (NULL));
    return GST_FLOW_OK;
  }
  if (map.size % bpf)
    GST_WARNING_OBJECT (self, "buffer of %" G_GSIZE_FORMAT " bytes is not a "
        "whole number of %u-byte frames", map.size, bpf);
  ret = gst_loudness_meter_meter (self, map.data, map.size / bpf,
      GST_BUFFER_PTS (buf), GST_BUFFER_IS_DISCONT (buf));
  gst_buffer_unmap (buf, &map);
  return ret;
}

static gboolean
gst_loudness_meter_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_EOS:
      if (self->st != NULL && self->interval_done > 0)
        gst_loudness_meter_end_interval (self);
      break;
    case GST_EVENT_FLUSH_STOP:
      /* a flushing seek: the interval begun is dropped without a message
       * (its times belong to the timeline the seek left); the measurement
       * goes on (see "Time" in the doc block) */
      if (self->st != NULL)
        gst_loudness_meter_drop_interval (self);
      self->base_pts = GST_CLOCK_TIME_NONE;
      self->base_frames = 0;
      break;
    case GST_EVENT_GAP:
      if (self->st != NULL && trans->segment.format == GST_FORMAT_TIME) {
        GstClockTime ts, duration;

        gst_event_parse_gap (event, &ts, &duration);
        gst_loudness_meter_meter_gap (self, ts, duration);
      }
      break;
    default:
      break;
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_loudness_meter_start (GstBaseTransform * trans)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (trans);

  GST_OBJECT_LOCK (self);
  figures_clear (&self->figures);
  self->reset_pending = FALSE;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_loudness_meter_stop (GstBaseTransform * trans)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (trans);

  gst_loudness_meter_free_state (self);
  return TRUE;
}

static void
gst_loudness_meter_reset (GstLoudnessMeter * self)
{
  GST_OBJECT_LOCK (self);
  self->reset_pending = TRUE;
  GST_OBJECT_UNLOCK (self);
}

static void
gst_loudness_meter_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_INTERVAL:
      self->interval = g_value_get_uint64 (value);
      /* takes effect at the next interval (streaming thread reads it) */
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_MEASURES:
      self->measures = g_value_get_flags (value);
      break;
    case PROP_DUAL_MONO:
      self->dual_mono = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_loudness_meter_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstLoudnessMeter *self = GST_LOUDNESS_METER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_INTERVAL:
      g_value_set_uint64 (value, self->interval);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_MEASURES:
      g_value_set_flags (value, self->measures);
      break;
    case PROP_DUAL_MONO:
      g_value_set_boolean (value, self->dual_mono);
      break;
    case PROP_MOMENTARY:
      g_value_set_double (value, self->figures.momentary);
      break;
    case PROP_SHORT_TERM:
      g_value_set_double (value, self->figures.short_term);
      break;
    case PROP_INTEGRATED:
      g_value_set_double (value, self->figures.integrated);
      break;
    case PROP_LOUDNESS_RANGE:
      g_value_set_double (value, self->figures.loudness_range);
      break;
    case PROP_MAX_MOMENTARY:
      g_value_set_double (value, self->figures.max_momentary);
      break;
    case PROP_MAX_SHORT_TERM:
      g_value_set_double (value, self->figures.max_short_term);
      break;
    case PROP_MAX_SAMPLE_PEAK:
      g_value_set_double (value, self->figures.max_sample_peak);
      break;
    case PROP_MAX_TRUE_PEAK:
      g_value_set_double (value, self->figures.max_true_peak);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_loudness_meter_finalize (GObject * object)
{
  gst_loudness_meter_free_state (GST_LOUDNESS_METER (object));
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
install_figure (GObjectClass * gobject_class, guint prop_id,
    const gchar * name, const gchar * nick, const gchar * blurb)
{
  g_object_class_install_property (gobject_class, prop_id,
      g_param_spec_double (name, nick, blurb, -INFINITY, INFINITY, -INFINITY,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void
gst_loudness_meter_class_init (GstLoudnessMeterClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  GstCaps *caps;

  gobject_class->set_property = gst_loudness_meter_set_property;
  gobject_class->get_property = gst_loudness_meter_get_property;
  gobject_class->finalize = gst_loudness_meter_finalize;

  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint64 ("interval", "Interval",
          "Audio time between two loudness messages, in nanoseconds",
          MIN_INTERVAL, G_MAXUINT64, DEFAULT_INTERVAL,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a 'loudness' element message every interval",
          DEFAULT_POST_MESSAGES, G_PARAM_READWRITE |
          GST_PARAM_MUTABLE_PLAYING | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_MEASURES,
      g_param_spec_flags ("measures", "Measures",
          "Measures to compute (a change applies at the next format change "
          "or reset)", GST_TYPE_LOUDNESS_METER_MEASURES, DEFAULT_MEASURES,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_DUAL_MONO,
      g_param_spec_boolean ("dual-mono", "Dual mono",
          "Count a mono channel twice (mono programme on two loudspeakers, "
          "+3 dB); no effect with 2 or more channels. A change applies at "
          "the next format change or reset", DEFAULT_DUAL_MONO,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));

  install_figure (gobject_class, PROP_MOMENTARY, "momentary-lufs",
      "Momentary loudness", "Momentary loudness at the last interval, in "
      "LUFS (-inf for silence, NaN when not measured)");
  install_figure (gobject_class, PROP_SHORT_TERM, "short-term-lufs",
      "Short-term loudness", "Short-term loudness at the last interval, in "
      "LUFS (-inf for silence, NaN when not measured)");
  install_figure (gobject_class, PROP_INTEGRATED, "integrated-lufs",
      "Integrated loudness", "Integrated loudness since start or reset, in "
      "LUFS (-inf while nothing is above the gate, NaN when not measured)");
  install_figure (gobject_class, PROP_LOUDNESS_RANGE, "loudness-range-lu",
      "Loudness range", "Loudness range since start or reset, in LU "
      "(NaN when not measured)");
  install_figure (gobject_class, PROP_MAX_MOMENTARY, "max-momentary-lufs",
      "Maximum momentary loudness", "Highest momentary loudness since start "
      "or reset, in LUFS (NaN when not measured)");
  install_figure (gobject_class, PROP_MAX_SHORT_TERM, "max-short-term-lufs",
      "Maximum short-term loudness", "Highest short-term loudness since "
      "start or reset, in LUFS (NaN when not measured)");
  install_figure (gobject_class, PROP_MAX_SAMPLE_PEAK, "max-sample-peak-dbfs",
      "Maximum sample peak", "Highest sample peak of all channels since "
      "start or reset, in dBFS (NaN when not measured)");
  install_figure (gobject_class, PROP_MAX_TRUE_PEAK, "max-true-peak-dbtp",
      "Maximum true peak", "Highest true peak of all channels since start "
      "or reset, in dBTP (NaN when not measured)");

  /**
   * GstLoudnessMeter::reset:
   * @meter: the loudnessmeter
   *
   * Action signal: starts the measurement afresh (integrated loudness,
   * loudness range, maxima and peaks) with the next buffer. Momentary and
   * short-term windows restart empty too.
   */
  gst_loudness_meter_signals[SIGNAL_RESET] =
      g_signal_new_class_handler ("reset", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_loudness_meter_reset), NULL, NULL, NULL, G_TYPE_NONE, 0);

  gst_element_class_set_static_metadata (element_class,
      "EBU R128 loudness meter", "Filter/Analyzer/Audio",
      "Measures loudness (momentary, short-term, integrated, range) and "
      "sample and true peaks per EBU R128 / ITU-R BS.1770 and posts them",
      "gst-aes67 authors");

  caps = gst_caps_from_string (LOUDNESS_METER_CAPS);
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_caps_unref (caps);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_loudness_meter_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_loudness_meter_stop);
  trans_class->transform_ip =
      GST_DEBUG_FUNCPTR (gst_loudness_meter_transform_ip);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_loudness_meter_sink_event);
  trans_class->passthrough_on_same_caps = TRUE;
  trans_class->transform_ip_on_passthrough = TRUE;
  filter_class->setup = GST_DEBUG_FUNCPTR (gst_loudness_meter_setup);

  gst_type_mark_as_plugin_api (GST_TYPE_LOUDNESS_METER_MEASURES, 0);
}

static void
gst_loudness_meter_init (GstLoudnessMeter * self)
{
  self->interval = DEFAULT_INTERVAL;
  self->post_messages = DEFAULT_POST_MESSAGES;
  self->measures = DEFAULT_MEASURES;
  self->dual_mono = DEFAULT_DUAL_MONO;
  figures_clear (&self->figures);
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), TRUE);
}
