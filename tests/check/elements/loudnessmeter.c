/* gst-aes67
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
/* Tests of loudnessmeter against EBU Tech 3341 (cases 1-6, 9, 10, 12, 13,
 * 15-19) and EBU Tech 3342 (cases 1-4), with the test signals synthesized
 * here as the specifications describe them, checked within the EBU
 * tolerances; pass-through bit-exactness; flat memory over a long run; and
 * a comparison with ffmpeg's ebur128 filter on a real speech recording. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <glib/gstdio.h>
#include <ebur128.h>
#include <malloc.h>

#include "loudness-range.h"
#include <math.h>
#include <string.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif
#ifdef HAVE_ASAN
/* from the ASan runtime (sanitizer/allocator_interface.h, which Debian's
 * gcc does not install): malloc goes through ASan, so mallinfo2() would
 * not see it */
size_t __sanitizer_get_current_allocated_bytes (void);
#endif

/* EBU Tech 3341 tolerance for loudness readings */
#define TOL_LU 0.1

/* One stretch of a test signal: a 1 kHz sine (or another frequency) at a
 * level in dBFS per channel (peak level of the sine), NAN for silence. */
typedef struct
{
  gdouble seconds;
  gdouble dbfs[8];
} Segment;

/* Measurement results of one run. */
typedef struct
{
  gdouble momentary, short_term, integrated, lra;
  gdouble max_momentary, max_short_term, max_sample_peak, max_true_peak;
  GList *messages;              /* GstStructure copies, in order */
  gboolean warned;
} Result;

static void
result_clear (Result * r)
{
  g_list_free_full (r->messages, (GDestroyNotify) gst_structure_free);
  r->messages = NULL;
}

static gdouble
db_to_lin (gdouble db)
{
  return pow (10.0, db / 20.0);
}

/* Writes frames of doubles (interleaved) into @out in @format. */
static void
convert_frames (const gdouble * in, gsize n, GstAudioFormat format,
    guint8 * out)
{
  gsize i;

  for (i = 0; i < n; i++) {
    gdouble v = in[i];

    switch (format) {
      case GST_AUDIO_FORMAT_S16:{
        gint16 s = (gint16) CLAMP (lrint (v * 32767.0), -32768, 32767);
        memcpy (out + i * 2, &s, 2);
        break;
      }
      case GST_AUDIO_FORMAT_S32:{
        gint64 l = llrint (v * 2147483647.0);
        gint32 s = (gint32) CLAMP (l, G_MININT32, G_MAXINT32);
        memcpy (out + i * 4, &s, 4);
        break;
      }
      case GST_AUDIO_FORMAT_F32:{
        gfloat f = (gfloat) v;
        memcpy (out + i * 4, &f, 4);
        break;
      }
      case GST_AUDIO_FORMAT_F64:
        memcpy (out + i * 8, &v, 8);
        break;
      default:
        g_assert_not_reached ();
    }
  }
}

static gboolean
collect_messages (GstBus * bus, Result * r)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop (bus))) {
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT &&
        gst_message_has_name (msg, "loudness"))
      r->messages = g_list_append (r->messages,
          gst_structure_copy (gst_message_get_structure (msg)));
    else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING)
      r->warned = TRUE;
    gst_message_unref (msg);
  }
  return TRUE;
}

typedef struct
{
  guint rate;
  guint channels;
  guint64 channel_mask;         /* 0 with channels > 2: unpositioned */
  gboolean has_mask;
  GstAudioFormat format;
  gdouble freq;                 /* Hz, 1000 unless set */
  gdouble phase;                /* radians at sample 0 */
  guint buffer_frames;          /* frames per pushed buffer */
  gdouble fade_in;              /* s of raised-cosine fade-in at the start */
  const gchar *props;           /* "name=value ..." for the element */
  /* called between two segments (index of the next one) */
  void (*between) (GstElement * meter, guint next);
} RunConfig;

static void
set_props (GstElement * e, const gchar * props)
{
  gchar **kv, **p;

  if (props == NULL)
    return;
  kv = g_strsplit (props, " ", -1);
  for (p = kv; *p; p++) {
    gchar **nv = g_strsplit (*p, "=", 2);

    if (nv[0] && nv[1])
      gst_util_set_object_arg (G_OBJECT (e), nv[0], nv[1]);
    g_strfreev (nv);
  }
  g_strfreev (kv);
}

static void
read_props (GstElement * e, Result * r)
{
  g_object_get (e, "momentary-lufs", &r->momentary,
      "short-term-lufs", &r->short_term, "integrated-lufs", &r->integrated,
      "loudness-range-lu", &r->lra, "max-momentary-lufs", &r->max_momentary,
      "max-short-term-lufs", &r->max_short_term,
      "max-sample-peak-dbfs", &r->max_sample_peak,
      "max-true-peak-dbtp", &r->max_true_peak, NULL);
}

/* Runs the signal described by @segs through a loudnessmeter in a harness
 * and returns the figures after EOS and every message posted. */
static void
run_signal (const RunConfig * cfg_in, const Segment * segs, guint nsegs,
    Result * r)
{
  RunConfig cfg = *cfg_in;
  GstHarness *h;
  GstBus *bus;
  GstAudioInfo info;
  GstCaps *caps;
  gdouble *frame_buf;
  guint8 *out;
  guint64 pos = 0;
  guint bpf, s, c;
  gdouble freq;

  memset (r, 0, sizeof (*r));
  if (cfg.rate == 0)
    cfg.rate = 48000;
  if (cfg.channels == 0)
    cfg.channels = 2;
  if (cfg.format == GST_AUDIO_FORMAT_UNKNOWN)
    cfg.format = GST_AUDIO_FORMAT_F32;
  if (cfg.buffer_frames == 0)
    cfg.buffer_frames = 1024;
  freq = cfg.freq > 0 ? cfg.freq : 1000.0;

  h = gst_harness_new ("loudnessmeter");
  bus = gst_bus_new ();
  gst_element_set_bus (h->element, bus);
  set_props (h->element, cfg.props);

  gst_audio_info_set_format (&info, cfg.format, cfg.rate, cfg.channels, NULL);
  caps = gst_audio_info_to_caps (&info);
  if (cfg.has_mask)
    gst_caps_set_simple (caps, "channel-mask", GST_TYPE_BITMASK,
        cfg.channel_mask, NULL);
  gst_harness_set_src_caps (h, caps);
  bpf = GST_AUDIO_INFO_WIDTH (&info) / 8 * cfg.channels;

  frame_buf = g_new (gdouble, (gsize) cfg.buffer_frames * cfg.channels);
  out = g_malloc ((gsize) cfg.buffer_frames * bpf);

  for (s = 0; s < nsegs; s++) {
    guint64 frames = (guint64) llround (segs[s].seconds * cfg.rate);
    guint64 done = 0;
    gdouble amp[8];

    if (cfg.between && s > 0)
      cfg.between (h->element, s);
    for (c = 0; c < cfg.channels && c < 8; c++)
      amp[c] = isnan (segs[s].dbfs[c]) ? 0.0 : db_to_lin (segs[s].dbfs[c]);

    while (done < frames) {
      guint n = (guint) MIN (cfg.buffer_frames, frames - done);
      GstBuffer *buf;
      guint i;

      for (i = 0; i < n; i++) {
        gdouble v = sin (2.0 * G_PI * freq * (gdouble) (pos + i) / cfg.rate +
            cfg.phase);
        gdouble t = (gdouble) (pos + i) / cfg.rate;

        if (t < cfg.fade_in)
          v *= 0.5 - 0.5 * cos (G_PI * t / cfg.fade_in);

        for (c = 0; c < cfg.channels; c++)
          frame_buf[i * cfg.channels + c] = amp[MIN (c, 7)] * v;
      }
      convert_frames (frame_buf, (gsize) n * cfg.channels, cfg.format, out);
      buf = gst_buffer_new_memdup (out, (gsize) n * bpf);
      GST_BUFFER_PTS (buf) = gst_util_uint64_scale (pos, GST_SECOND, cfg.rate);
      GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (pos + n, GST_SECOND,
          cfg.rate) - GST_BUFFER_PTS (buf);
      fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
      gst_buffer_unref (gst_harness_pull (h));
      pos += n;
      done += n;
      collect_messages (bus, r);
    }
  }
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  collect_messages (bus, r);
  read_props (h->element, r);

  g_free (frame_buf);
  g_free (out);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

/* stereo, both channels at @dbfs */
#define SEG(sec, dbfs) { (sec), { (dbfs), (dbfs), (dbfs), (dbfs), (dbfs), \
      (dbfs), (dbfs), (dbfs) } }

static gdouble
msg_double (const GstStructure * s, const gchar * field)
{
  gdouble v = NAN;

  fail_unless (gst_structure_get_double (s, field, &v),
      "field %s missing in %" GST_PTR_FORMAT, field, s);
  return v;
}

static guint64
msg_end_ns (const GstStructure * s)
{
  guint64 ts = 0, dur = 0;

  fail_unless (gst_structure_get_uint64 (s, "timestamp", &ts));
  fail_unless (gst_structure_get_uint64 (s, "duration", &dur));
  return ts + dur;
}

#define assert_near(val, expected, tol, what) \
  fail_unless (fabs ((val) - (expected)) <= (tol), \
      "%s: %.3f, expected %.3f +/- %.3f", (what), (val), (expected), (tol))

/* ---- EBU Tech 3341 ---------------------------------------------------- */

/* Cases 1 and 2: a stereo 1 kHz sine at -23 (-33) dBFS for 20 s reads
 * M, S and I of -23.0 (-33.0) LUFS +/- 0.1; also at 44.1 kHz and 8 kHz and
 * in every sample format. */
GST_START_TEST (test_3341_cases_1_2)
{
  static const GstAudioFormat formats[] = { GST_AUDIO_FORMAT_S16,
    GST_AUDIO_FORMAT_S32, GST_AUDIO_FORMAT_F32, GST_AUDIO_FORMAT_F64
  };
  static const guint rates[] = { 48000, 44100, 8000 };
  gdouble levels[] = { -23.0, -33.0 };
  guint l, f, k;

  for (l = 0; l < G_N_ELEMENTS (levels); l++) {
    for (f = 0; f < G_N_ELEMENTS (formats); f++) {
      for (k = 0; k < G_N_ELEMENTS (rates); k++) {
        RunConfig cfg = { 0 };
        Segment seg[] = { SEG (20.0, levels[l]) };
        Result r;
        gchar *what;

        /* 44.1/8 kHz only in F32 to keep the run short */
        if (k > 0 && formats[f] != GST_AUDIO_FORMAT_F32)
          continue;
        cfg.format = formats[f];
        cfg.rate = rates[k];
        run_signal (&cfg, seg, 1, &r);
        what = g_strdup_printf ("case %u, %s, %u Hz", l + 1,
            gst_audio_format_to_string (formats[f]), rates[k]);
        GST_INFO ("%s: M %.3f S %.3f I %.3f", what, r.momentary,
            r.short_term, r.integrated);
        assert_near (r.momentary, levels[l], TOL_LU, what);
        assert_near (r.short_term, levels[l], TOL_LU, what);
        assert_near (r.integrated, levels[l], TOL_LU, what);
        g_free (what);
        result_clear (&r);
      }
    }
  }
}

GST_END_TEST;

/* Cases 3, 4, 5: level changes that the gates must handle; I = -23.0. */
GST_START_TEST (test_3341_cases_3_4_5)
{
  Segment case3[] = { SEG (10, -36), SEG (60, -23), SEG (10, -36) };
  Segment case4[] = { SEG (10, -72), SEG (10, -36), SEG (60, -23),
    SEG (10, -36), SEG (10, -72)
  };
  Segment case5[] = { SEG (20, -26), SEG (20.1, -20), SEG (20, -26) };
  RunConfig cfg = { 0 };
  Result r;

  cfg.props = "measures=integrated";
  run_signal (&cfg, case3, G_N_ELEMENTS (case3), &r);
  assert_near (r.integrated, -23.0, TOL_LU, "case 3");
  result_clear (&r);
  run_signal (&cfg, case4, G_N_ELEMENTS (case4), &r);
  assert_near (r.integrated, -23.0, TOL_LU, "case 4");
  result_clear (&r);
  run_signal (&cfg, case5, G_N_ELEMENTS (case5), &r);
  assert_near (r.integrated, -23.0, TOL_LU, "case 5");
  result_clear (&r);
}

GST_END_TEST;

#define M_FL GST_AUDIO_CHANNEL_POSITION_MASK (FRONT_LEFT)
#define M_FR GST_AUDIO_CHANNEL_POSITION_MASK (FRONT_RIGHT)
#define M_FC GST_AUDIO_CHANNEL_POSITION_MASK (FRONT_CENTER)
#define M_LFE GST_AUDIO_CHANNEL_POSITION_MASK (LFE1)
#define M_RL GST_AUDIO_CHANNEL_POSITION_MASK (REAR_LEFT)
#define M_RR GST_AUDIO_CHANNEL_POSITION_MASK (REAR_RIGHT)
#define M_SL GST_AUDIO_CHANNEL_POSITION_MASK (SIDE_LEFT)
#define M_SR GST_AUDIO_CHANNEL_POSITION_MASK (SIDE_RIGHT)

/* Case 6: 5.0 channels, L and R at -28, C at -24, Ls and Rs at -30 dBFS,
 * 20 s: I = -23.0. GStreamer's channel order for the mask FL FR FC RL RR is
 * L R C Ls Rs. Also as 5.1 with a loud LFE (must be left out) and with the
 * surrounds as side channels (also 1.41). */
GST_START_TEST (test_3341_case_6)
{
  Segment s50[] = { {20, {-28, -28, -24, -30, -30}
      }
  };
  /* 5.1 order: FL FR FC LFE RL RR; LFE at -10 dBFS */
  Segment s51[] = { {20, {-28, -28, -24, -10, -30, -30}
      }
  };
  /* FL FR FC SL SR */
  Segment s50side[] = { {20, {-28, -28, -24, -30, -30}
      }
  };
  RunConfig cfg = { 0 };
  Result r;

  cfg.props = "measures=integrated";
  cfg.channels = 5;
  cfg.has_mask = TRUE;
  cfg.channel_mask = M_FL | M_FR | M_FC | M_RL | M_RR;
  run_signal (&cfg, s50, 1, &r);
  assert_near (r.integrated, -23.0, TOL_LU, "case 6, 5.0 rear");
  fail_if (r.warned);
  result_clear (&r);

  cfg.channels = 6;
  cfg.channel_mask = M_FL | M_FR | M_FC | M_LFE | M_RL | M_RR;
  run_signal (&cfg, s51, 1, &r);
  assert_near (r.integrated, -23.0, TOL_LU, "case 6, 5.1 with loud LFE");
  result_clear (&r);

  cfg.channels = 5;
  cfg.channel_mask = M_FL | M_FR | M_FC | M_SL | M_SR;
  run_signal (&cfg, s50side, 1, &r);
  assert_near (r.integrated, -23.0, TOL_LU, "case 6, 5.0 side");
  result_clear (&r);
}

GST_END_TEST;

/* Unpositioned audio (channel-mask 0): every channel weighs 1.0, and a
 * warning says so. 6 channels each a 1 kHz sine at -30 dBFS: one channel
 * reads -30 - 3.01 LUFS, six of them 10*log10(6) = 7.78 LU more. */
GST_START_TEST (test_unpositioned)
{
  Segment seg[] = { SEG (10, -30) };
  RunConfig cfg = { 0 };
  Result r;
  gdouble expected = -30.0 - 10.0 * log10 (2.0) + 10.0 * log10 (6.0);

  cfg.props = "measures=integrated";
  cfg.channels = 6;
  cfg.has_mask = TRUE;
  cfg.channel_mask = 0;
  run_signal (&cfg, seg, 1, &r);
  assert_near (r.integrated, expected, TOL_LU, "unpositioned 6 channels");
  fail_unless (r.warned, "no warning about unpositioned channels");
  result_clear (&r);
}

GST_END_TEST;

/* Mono: one channel at -23 dBFS reads -26.0 LUFS; with dual-mono it
 * counts twice and reads -23.0. */
GST_START_TEST (test_dual_mono)
{
  Segment seg[] = { SEG (10, -23) };
  RunConfig cfg = { 0 };
  Result r;

  cfg.channels = 1;
  cfg.props = "measures=integrated";
  run_signal (&cfg, seg, 1, &r);
  assert_near (r.integrated, -23.0 - 10.0 * log10 (2.0), TOL_LU, "mono");
  result_clear (&r);
  cfg.props = "measures=integrated dual-mono=true";
  run_signal (&cfg, seg, 1, &r);
  assert_near (r.integrated, -23.0, TOL_LU, "dual mono");
  result_clear (&r);
}

GST_END_TEST;

/* Case 9: (1.34 s at -20, 1.66 s at -30) x 5: short-term -23.0 at every
 * reading once 3 s have passed. */
GST_START_TEST (test_3341_case_9)
{
  Segment seg[10];
  RunConfig cfg = { 0 };
  Result r;
  GList *l;
  guint i, checked = 0;

  for (i = 0; i < 5; i++) {
    seg[2 * i] = (Segment) SEG (1.34, -20);
    seg[2 * i + 1] = (Segment) SEG (1.66, -30);
  }
  cfg.props = "interval=20000000";
  run_signal (&cfg, seg, 10, &r);
  for (l = r.messages; l; l = l->next) {
    if (msg_end_ns (l->data) < 3 * GST_SECOND)
      continue;
    assert_near (msg_double (l->data, "short-term-lufs"), -23.0, TOL_LU,
        "case 9 short-term");
    checked++;
  }
  /* 12 s after the first 3 s, one reading every 20 ms */
  fail_unless (checked >= 590, "only %u readings", checked);
  result_clear (&r);
}

GST_END_TEST;

/* Case 12: (0.18 s at -20, 0.22 s at -30) x 25: momentary -23.0 at every
 * reading once 1 s has passed. */
GST_START_TEST (test_3341_case_12)
{
  Segment seg[50];
  RunConfig cfg = { 0 };
  Result r;
  GList *l;
  guint i, checked = 0;

  for (i = 0; i < 25; i++) {
    seg[2 * i] = (Segment) SEG (0.18, -20);
    seg[2 * i + 1] = (Segment) SEG (0.22, -30);
  }
  cfg.props = "interval=10000000";
  run_signal (&cfg, seg, 50, &r);
  for (l = r.messages; l; l = l->next) {
    if (msg_end_ns (l->data) < GST_SECOND)
      continue;
    assert_near (msg_double (l->data, "momentary-lufs"), -23.0, TOL_LU,
        "case 12 momentary");
    checked++;
  }
  fail_unless (checked >= 890, "only %u readings", checked);
  result_clear (&r);
}

GST_END_TEST;

/* Case 13: for i in 0..19, i x 20 ms of silence, 400 ms at -23 dBFS, 1 s of
 * silence: the maximum momentary loudness of each is -23.0. The bursts at
 * odd i start 5 ms later still, so that they fall half-way between two of
 * the meter's 10 ms evaluation points (its worst case). Messages every
 * 100 ms: the maximum must be caught between them, and the momentary
 * figures in the messages alone miss it for most bursts. */
GST_START_TEST (test_3341_case_13)
{
  guint i, coarse_misses = 0;

  for (i = 0; i < 20; i++) {
    Segment seg[] = { SEG (i * 0.020 + (i % 2) * 0.005, NAN),
      SEG (0.400, -23), SEG (1.0, NAN)
    };
    RunConfig cfg = { 0 };
    Result r;
    gchar *what = g_strdup_printf ("case 13-%u max momentary", i + 1);
    gdouble coarse = -INFINITY;
    GList *l;

    cfg.buffer_frames = 1000 + 37 * i;
    run_signal (&cfg, seg, 3, &r);
    assert_near (r.max_momentary, -23.0, TOL_LU, what);
    /* the largest momentary figure in the 100 ms messages: what a meter
     * reading only at 100 ms would report */
    for (l = r.messages; l; l = l->next)
      coarse = MAX (coarse, msg_double (l->data, "momentary-lufs"));
    if (coarse < -23.0 - TOL_LU)
      coarse_misses++;
    g_free (what);
    result_clear (&r);
  }
  /* the test signal does catch out 100 ms readings (FIELD-NOTES: by up to
   * 0.45 LU); most of the 20 bursts fall between them */
  fail_unless (coarse_misses >= 10, "only %u of 20 missed at 100 ms",
      coarse_misses);
}

GST_END_TEST;

/* Case 10 (Tech 3341 v3, test-set files seq-3341-10-1..20): 20 signals,
 * each one 3 s burst at -23 LUFS placed at a different offset against the
 * meter's 3 s window; the maximum short-term loudness of each is -23.0
 * +/- 0.1. Synthesized here as i x 150 ms of silence (plus 5 ms for odd i,
 * between two 10 ms evaluation points), 3 s of the 1 kHz sine at -23 dBFS
 * stereo, 2 s of silence. */
GST_START_TEST (test_3341_case_10)
{
  guint i;

  for (i = 0; i < 20; i++) {
    Segment seg[] = { SEG (i * 0.150 + (i % 2) * 0.005, NAN),
      SEG (3.0, -23), SEG (2.0, NAN)
    };
    RunConfig cfg = { 0 };
    Result r;
    gchar *what = g_strdup_printf ("case 10-%u max short-term", i + 1);

    cfg.props = "measures=short-term";
    run_signal (&cfg, seg, 3, &r);
    assert_near (r.max_short_term, -23.0, TOL_LU, what);
    g_free (what);
    result_clear (&r);
  }
}

GST_END_TEST;

/* Cases 15-19: true peak of sines at fs/4, fs/6, fs/8 with phases that put
 * the samples off the peaks: -6.0 dBTP (+0.2/-0.4), case 19 +3.0 dBTP.
 * The sample peaks (exact from the samples) show the true peak is read
 * between the samples: cases 16, 17, 18 have sample peaks well below.
 * The tones fade in over 10 ms: a sine switched on mid-cycle is a step,
 * and a band-limited step really does overshoot between the samples
 * (libebur128 then reads case 17 at -5.66 and case 18 at -5.37 dBTP,
 * correctly for that signal, but it is not what these cases test). */
GST_START_TEST (test_3341_cases_15_19)
{
  struct
  {
    gdouble div, amp, phase_deg, tp, sp;
  } c[] = {
    {4, 0.5, 0, -6.0, 20 * log10 (0.5)},        /* case 15 */
    {4, 0.5, 45, -6.0, 20 * log10 (0.5 * sin (G_PI / 4))},      /* 16 */
    {6, 0.5, 60, -6.0, 20 * log10 (0.5 * sin (G_PI / 2))},      /* 17 */
    {8, 0.5, 67.5, -6.0, 20 * log10 (0.5 * sin (67.5 * G_PI / 180))},   /* 18 */
    {4, 1.41, 45, 3.0, 20 * log10 (1.41 * sin (G_PI / 4))},     /* 19 */
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (c); i++) {
    RunConfig cfg = { 0 };
    Segment seg[] = { SEG (3.0, 20 * log10 (c[i].amp)) };
    Result r;
    gchar *what = g_strdup_printf ("case %u", 15 + i);
    gdouble sp_expected = c[i].sp;
    guint n;

    cfg.freq = 48000.0 / c[i].div;
    cfg.phase = c[i].phase_deg * G_PI / 180.0;
    cfg.format = GST_AUDIO_FORMAT_F64;
    cfg.fade_in = 0.010;
    cfg.props = "measures=sample-peak+true-peak";
    run_signal (&cfg, seg, 1, &r);
    /* exact sample peak from the samples we made */
    sp_expected = -INFINITY;
    for (n = 0; n < 48; n++)
      sp_expected = MAX (sp_expected, 20 * log10 (fabs (c[i].amp *
                  sin (2 * G_PI * n / c[i].div + cfg.phase)) + 1e-300));
    GST_INFO ("%s: true peak %.3f dBTP, sample peak %.3f dBFS", what,
        r.max_true_peak, r.max_sample_peak);
    fail_unless (r.max_true_peak <= c[i].tp + 0.2 &&
        r.max_true_peak >= c[i].tp - 0.4, "%s: true peak %.3f dBTP, "
        "expected %.1f +0.2/-0.4", what, r.max_true_peak, c[i].tp);
    assert_near (r.max_sample_peak, sp_expected, 0.01, what);
    g_free (what);
    result_clear (&r);
  }
}

GST_END_TEST;

/* ---- EBU Tech 3342 (loudness range, +/- 1 LU) ------------------------- */

GST_START_TEST (test_3342_cases_1_4)
{
  Segment c1[] = { SEG (20, -20), SEG (20, -30) };
  Segment c2[] = { SEG (20, -20), SEG (20, -15) };
  Segment c3[] = { SEG (20, -40), SEG (20, -20) };
  Segment c4[] = { SEG (20, -50), SEG (20, -35), SEG (20, -20),
    SEG (20, -35), SEG (20, -50)
  };
  struct
  {
    Segment *s;
    guint n;
    gdouble lra;
  } cases[] = { {c1, 2, 10}, {c2, 2, 5}, {c3, 2, 20}, {c4, 5, 15} };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    RunConfig cfg = { 0 };
    Result r;
    gchar *what = g_strdup_printf ("Tech 3342 case %u", i + 1);

    cfg.props = "measures=loudness-range interval=1000000000";
    run_signal (&cfg, cases[i].s, cases[i].n, &r);
    GST_INFO ("%s: LRA %.2f", what, r.lra);
    assert_near (r.lra, cases[i].lra, 1.0, what);
    /* the last message carries the same figure */
    assert_near (msg_double (g_list_last (r.messages)->data,
            "loudness-range-lu"), r.lra, 1e-9, what);
    g_free (what);
    result_clear (&r);
  }
}

GST_END_TEST;

/* The loudness-range helper on its own, from known short-term values:
 * a table of inputs and the range Tech 3342's gating and percentiles give
 * for them (worked out by hand; nearest rank over the gated values). */
GST_START_TEST (test_range_helper)
{
  LoudnessRange lra;
  guint i;

  fail_unless_equals_int (loudness_range_init (&lra), 0);

  /* nothing: 0 */
  assert_near (loudness_range_get (&lra), 0.0, 1e-9, "empty");

  /* 1001 values evenly from -30 to -20 LUFS: ranks 100 and 950 are -29.0
   * and -20.5, range 8.5 (to the 0.01 LU bins) */
  for (i = 0; i <= 1000; i++)
    loudness_range_add (&lra, -30.0 + i * 0.01);
  assert_near (loudness_range_get (&lra), 8.5, 0.011, "even spread");

  /* silence and values under the -70 LUFS absolute gate change nothing */
  for (i = 0; i < 500; i++) {
    loudness_range_add (&lra, -INFINITY);
    loudness_range_add (&lra, -75.0);
    loudness_range_add (&lra, NAN);
  }
  assert_near (loudness_range_get (&lra), 8.5, 0.011, "absolute gate");

  /* values more than 20 LU under the energy mean (about -24 LUFS) are
   * gated out too: -60 LUFS ones do not widen the range */
  for (i = 0; i < 500; i++)
    loudness_range_add (&lra, -60.0);
  assert_near (loudness_range_get (&lra), 8.5, 0.011, "relative gate");

  /* but values 15 LU under the mean are kept and widen it: 1001 between
   * -30 and -20 plus 500 at -40 (gate near -44): rank 150 is -40, rank
   * 1425 is -20.76 */
  for (i = 0; i < 500; i++)
    loudness_range_add (&lra, -40.0);
  assert_near (loudness_range_get (&lra), -20.755 - -39.995, 0.011,
      "kept below");

  loudness_range_reset (&lra);
  assert_near (loudness_range_get (&lra), 0.0, 1e-9, "reset");
  /* values above the top bin (+30 LUFS) are counted in the top bin: two
   * such values make a range of 0 */
  loudness_range_add (&lra, 50.0);
  loudness_range_add (&lra, 45.0);
  assert_near (loudness_range_get (&lra), 0.0, 1e-9, "top bin");
  loudness_range_clear (&lra);
}

GST_END_TEST;

/* ---- messages, silence, reset ----------------------------------------- */

/* 1 s at 48 kHz with interval 100 ms: 10 messages whose timestamps mark the
 * start of each interval, durations 100 ms; every field there. */
GST_START_TEST (test_message_fields)
{
  Segment seg[] = { SEG (1.0, -20) };
  RunConfig cfg = { 0 };
  Result r;
  GList *l;
  guint i = 0;
  static const gchar *fields[] = { "momentary-lufs", "short-term-lufs",
    "integrated-lufs", "loudness-range-lu", "max-momentary-lufs",
    "max-short-term-lufs"
  };
  static const gchar *arrays[] = { "sample-peak-dbfs", "true-peak-dbtp",
    "max-sample-peak-dbfs", "max-true-peak-dbtp"
  };

  cfg.buffer_frames = 480 * 3 + 7;
  run_signal (&cfg, seg, 1, &r);
  fail_unless_equals_int (g_list_length (r.messages), 10);
  for (l = r.messages; l; l = l->next, i++) {
    const GstStructure *s = l->data;
    guint64 ts, rt, st, dur;
    guint f;

    fail_unless (gst_structure_get_uint64 (s, "timestamp", &ts));
    fail_unless (gst_structure_get_uint64 (s, "running-time", &rt));
    fail_unless (gst_structure_get_uint64 (s, "stream-time", &st));
    fail_unless (gst_structure_get_uint64 (s, "duration", &dur));
    fail_unless_equals_uint64 (ts, i * 100 * GST_MSECOND);
    fail_unless_equals_uint64 (rt, ts);
    fail_unless_equals_uint64 (st, ts);
    fail_unless_equals_uint64 (dur, 100 * GST_MSECOND);
    for (f = 0; f < G_N_ELEMENTS (fields); f++)
      msg_double (s, fields[f]);
    for (f = 0; f < G_N_ELEMENTS (arrays); f++) {
      const GValue *a = gst_structure_get_value (s, arrays[f]);

      fail_unless (a && GST_VALUE_HOLDS_ARRAY (a), "%s", arrays[f]);
      fail_unless_equals_int (gst_value_array_get_size (a), 2);
      /* the sine's sample peak is -20 dBFS (up to float rounding) */
      if (g_str_has_suffix (arrays[f], "dbfs"))
        assert_near (g_value_get_double (gst_value_array_get_value (a, 1)),
            -20.0, 0.01, arrays[f]);
    }
  }
  result_clear (&r);
}

GST_END_TEST;

/* Digital silence reads -inf in loudness and peaks. */
GST_START_TEST (test_silence)
{
  Segment seg[] = { SEG (2.0, NAN) };
  RunConfig cfg = { 0 };
  Result r;
  const GstStructure *s;
  const GValue *a;

  cfg.format = GST_AUDIO_FORMAT_S16;
  run_signal (&cfg, seg, 1, &r);
  fail_unless (isinf (r.momentary) && r.momentary < 0);
  fail_unless (isinf (r.short_term) && r.short_term < 0);
  fail_unless (isinf (r.integrated) && r.integrated < 0);
  fail_unless (isinf (r.max_true_peak) && r.max_true_peak < 0);
  fail_unless (isinf (r.max_sample_peak) && r.max_sample_peak < 0);
  s = g_list_last (r.messages)->data;
  fail_unless (isinf (msg_double (s, "momentary-lufs")));
  a = gst_structure_get_value (s, "true-peak-dbtp");
  fail_unless (isinf (g_value_get_double (gst_value_array_get_value (a, 0))));
  result_clear (&r);
}

GST_END_TEST;

static void
emit_reset (GstElement * meter, guint next)
{
  if (next == 1)
    g_signal_emit_by_name (meter, "reset");
}

/* 10 s at -20 dBFS, reset, 10 s at -30: the figures are those of the
 * second part (-30.0 +/- 0.1); without the reset the integrated loudness
 * would be about -22.6 and the maximum momentary -20. */
GST_START_TEST (test_reset)
{
  Segment seg[] = { SEG (10, -20), SEG (10, -30) };
  RunConfig cfg = { 0 };
  Result r;

  cfg.between = emit_reset;
  run_signal (&cfg, seg, 2, &r);
  assert_near (r.integrated, -30.0, TOL_LU, "integrated after reset");
  assert_near (r.max_momentary, -30.0, TOL_LU, "max momentary after reset");
  assert_near (r.max_short_term, -30.0, TOL_LU, "max short-term after reset");
  assert_near (r.max_sample_peak, -30.0, 0.01, "sample peak after reset");
  result_clear (&r);

  cfg.between = NULL;
  run_signal (&cfg, seg, 2, &r);
  fail_unless (r.integrated > -23.0, "no reset: %.2f", r.integrated);
  result_clear (&r);
}

GST_END_TEST;

/* ---- pass-through ----------------------------------------------------- */

/* Random bytes in every format and several channel counts leave the
 * element bit-identical. */
GST_START_TEST (test_passthrough_bit_exact)
{
  static const GstAudioFormat formats[] = { GST_AUDIO_FORMAT_S16,
    GST_AUDIO_FORMAT_S32, GST_AUDIO_FORMAT_F32, GST_AUDIO_FORMAT_F64
  };
  static const guint channels[] = { 1, 2, 6, 64 };
  GRand *rand = g_rand_new_with_seed (1770);
  guint f, c, b;

  for (f = 0; f < G_N_ELEMENTS (formats); f++) {
    for (c = 0; c < G_N_ELEMENTS (channels); c++) {
      GstHarness *h = gst_harness_new ("loudnessmeter");
      GstAudioInfo info;
      GstCaps *caps;

      gst_audio_info_set_format (&info, formats[f], 48000, channels[c], NULL);
      caps = gst_audio_info_to_caps (&info);
      if (channels[c] > 2)
        gst_caps_set_simple (caps, "channel-mask", GST_TYPE_BITMASK,
            (guint64) 0, NULL);
      gst_harness_set_src_caps (h, caps);

      for (b = 0; b < 20; b++) {
        gsize size = (gsize) (100 + b * 13) * GST_AUDIO_INFO_BPF (&info);
        guint8 *data = g_malloc (size);
        GstBuffer *in, *out;
        GstMapInfo map;
        gsize i;

        for (i = 0; i < size; i++)
          data[i] = g_rand_int (rand) & 0xff;
        /* float formats: no NaN/inf patterns would matter, but keep the
         * values finite so that the meter sees real audio */
        if (formats[f] == GST_AUDIO_FORMAT_F32)
          for (i = 0; i < size / 4; i++)
            ((gfloat *) data)[i] = (gfloat) g_rand_double_range (rand, -1, 1);
        if (formats[f] == GST_AUDIO_FORMAT_F64)
          for (i = 0; i < size / 8; i++)
            ((gdouble *) data)[i] = g_rand_double_range (rand, -1, 1);
        in = gst_buffer_new_memdup (data, size);
        GST_BUFFER_PTS (in) = b * GST_MSECOND;
        fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
        out = gst_harness_pull (h);
        fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
        fail_unless_equals_uint64 (map.size, size);
        fail_unless (memcmp (map.data, data, size) == 0,
            "%s %u ch buffer %u changed",
            gst_audio_format_to_string (formats[f]), channels[c], b);
        gst_buffer_unmap (out, &map);
        gst_buffer_unref (out);
        g_free (data);
      }
      gst_harness_teardown (h);
    }
  }
  g_rand_free (rand);
}

GST_END_TEST;

/* NaN and infinite float samples: metered as silence with a warning, the
 * meter keeps working (a NaN in libebur128's filter state would stay
 * there), and the audio, NaN included, passes unchanged. 5 s of a -23 dBFS
 * stereo sine with a NaN at 1 s and +inf at 1.5 s: momentary and
 * integrated loudness at the end are -23.0 +/- 0.1. */
GST_START_TEST (test_non_finite)
{
  GstHarness *h = gst_harness_new ("loudnessmeter");
  GstBus *bus = gst_bus_new ();
  const guint frames = 4800;
  gfloat *data = g_new (gfloat, frames * 2);
  Result r;
  guint b, i;

  memset (&r, 0, sizeof (r));
  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps_str (h, "audio/x-raw, format=F32LE, "
      "layout=interleaved, rate=48000, channels=2");
  for (b = 0; b < 50; b++) {
    GstBuffer *in, *out;
    GstMapInfo map;

    for (i = 0; i < frames; i++)
      data[2 * i] = data[2 * i + 1] = (gfloat) (db_to_lin (-23.0) *
          sin (2 * G_PI * 1000.0 * (b * frames + i) / 48000.0));
    if (b == 10)
      data[2 * 100] = NAN;
    if (b == 15)
      data[2 * 200 + 1] = INFINITY;
    in = gst_buffer_new_memdup (data, frames * 2 * sizeof (gfloat));
    GST_BUFFER_PTS (in) = b * 100 * GST_MSECOND;
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    out = gst_harness_pull (h);
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    fail_unless (memcmp (map.data, data, map.size) == 0);
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
    collect_messages (bus, &r);
  }
  read_props (h->element, &r);
  fail_unless (r.warned, "no warning about NaN/inf samples");
  assert_near (r.momentary, -23.0, TOL_LU, "momentary after NaN");
  assert_near (r.integrated, -23.0, TOL_LU, "integrated after NaN");
  result_clear (&r);
  g_free (data);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ---- memory over a long run ------------------------------------------- */

static gsize
heap_in_use (void)
{
#ifdef HAVE_ASAN
  return __sanitizer_get_current_allocated_bytes ();
#else
  struct mallinfo2 mi = mallinfo2 ();

  return mi.uordblks + mi.hblkhd;
#endif
}

#define LONG_RUN_MINUTES 30
#define HEAP_GROWTH_LIMIT (64 * 1024)

/* Pushes 30 minutes of stereo 48 kHz noise-like audio through the meter
 * with every measure on; the heap in use after 30 minutes is within 64 kB
 * of what it was after 2 minutes. The same audio through a libebur128
 * state WITHOUT the histogram mode (what the element must not do) grows
 * by more than that limit, which shows the measurement sees the growth it
 * is there to catch. */
GST_START_TEST (test_memory_flat)
{
  const guint frames = 4800;
  GstHarness *h = gst_harness_new ("loudnessmeter");
  ebur128_state *plain;
  GstBuffer *tmpl, *cur;
  GstMapInfo map;
  gfloat *data;
  gsize heap_start = 0, heap_end, plain_start, plain_end;
  guint i, n = LONG_RUN_MINUTES * 60 * 10;

  gst_harness_set_src_caps_str (h, "audio/x-raw, format=F32LE, "
      "layout=interleaved, rate=48000, channels=2");
  data = g_new (gfloat, frames * 2);
  for (i = 0; i < frames * 2; i++)
    data[i] = (gfloat) (0.1 * sin (i * 0.0123) * sin (i * 0.00071));
  tmpl = gst_buffer_new_memdup (data, frames * 2 * sizeof (gfloat));

  cur = gst_buffer_ref (tmpl);
  for (i = 0; i < n; i++) {
    GstBuffer *buf;

    /* change the level every 3 s so the histograms fill many bins */
    if (i % 30 == 0) {
      gfloat g = (gfloat) (0.2 + 0.8 * ((i / 30) % 7) / 6.0);
      guint k;

      gst_buffer_map (tmpl, &map, GST_MAP_READ);
      for (k = 0; k < frames * 2; k++)
        data[k] = ((gfloat *) map.data)[k] * g;
      gst_buffer_unmap (tmpl, &map);
      gst_buffer_unref (cur);
      cur = gst_buffer_new_memdup (data, frames * 2 * sizeof (gfloat));
    }
    buf = gst_buffer_copy (cur);
    GST_BUFFER_PTS (buf) = i * 100 * GST_MSECOND;
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
    if (i == 2 * 60 * 10)
      heap_start = heap_in_use ();
  }
  heap_end = heap_in_use ();
  gst_buffer_unref (cur);
  GST_INFO ("heap after 2 min %" G_GSIZE_FORMAT ", after %u min %"
      G_GSIZE_FORMAT, heap_start, LONG_RUN_MINUTES, heap_end);
  fail_unless (heap_end <= heap_start + HEAP_GROWTH_LIMIT,
      "heap grew by %" G_GSSIZE_FORMAT " bytes over %u minutes of audio",
      (gssize) (heap_end - heap_start), LONG_RUN_MINUTES - 2);
  gst_harness_teardown (h);

  /* control: the same amount of audio through a non-histogram state */
  plain = ebur128_init (2, 48000, EBUR128_MODE_I | EBUR128_MODE_LRA);
  fail_unless (plain != NULL);
  gst_buffer_map (tmpl, &map, GST_MAP_READ);
  for (i = 0; i < 2 * 60 * 10; i++)
    ebur128_add_frames_float (plain, (const gfloat *) map.data, frames);
  plain_start = heap_in_use ();
  for (; i < n; i++)
    ebur128_add_frames_float (plain, (const gfloat *) map.data, frames);
  plain_end = heap_in_use ();
  gst_buffer_unmap (tmpl, &map);
  ebur128_destroy (&plain);
  GST_INFO ("control grew by %" G_GSSIZE_FORMAT " bytes",
      (gssize) (plain_end - plain_start));
  fail_unless (plain_end > plain_start + HEAP_GROWTH_LIMIT,
      "control (no histogram) grew only %" G_GSSIZE_FORMAT " bytes: the heap "
      "measurement cannot see growth here", (gssize) (plain_end - plain_start));

  gst_buffer_unref (tmpl);
  g_free (data);
}

GST_END_TEST;

/* ---- against ffmpeg on a real recording ------------------------------- */

static gchar *
find_summary_value (const gchar * log, const gchar * key)
{
  const gchar *sum = g_strrstr (log, "Summary:");
  const gchar *p;

  if (sum == NULL)
    return NULL;
  p = strstr (sum, key);
  if (p == NULL)
    return NULL;
  p += strlen (key);
  while (*p == ' ')
    p++;
  return g_strndup (p, strcspn (p, " \n"));
}

static gboolean
parse_ffmpeg_value (const gchar * log, const gchar * key, gdouble * out)
{
  gchar *v = find_summary_value (log, key);
  gchar *end = NULL;

  if (v == NULL)
    return FALSE;
  *out = g_ascii_strtod (v, &end);
  if (end == v) {
    g_free (v);
    return FALSE;
  }
  g_free (v);
  return TRUE;
}

static void
run_pipeline (const gchar * desc, GstElement ** keep, const gchar * name)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);
  GstBus *bus;
  GstMessage *msg;

  fail_unless (p != NULL && err == NULL, "%s: %s", desc,
      err ? err->message : "?");
  bus = gst_element_get_bus (p);
  fail_unless_equals_int (gst_element_set_state (p, GST_STATE_PLAYING),
      GST_STATE_CHANGE_ASYNC);
  msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "timeout running %s", desc);
  fail_unless (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS,
      "error running %s: %" GST_PTR_FORMAT, desc, msg);
  gst_message_unref (msg);
  if (keep)
    *keep = gst_bin_get_by_name (GST_BIN (p), name);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (p);
}

/* ---- message times across segments, seeks and gaps -------------------- */

#define T_RATE 48000
/* one sample, the tolerance of every time below */
#define T_SAMPLE_NS (GST_SECOND / T_RATE + 1)

/* Writes a 48 kHz stereo S16 WAV of @n_parts parts, part i @seconds[i]
 * long, a 1 kHz sine at @dbfs[i]; the file's path (free it) */
static gchar *
write_wav (const gchar * name, guint n_parts, const gdouble * seconds,
    const gdouble * dbfs)
{
  GError *err = NULL;
  gchar *path = g_build_filename (g_get_tmp_dir (), name, NULL);
  guint64 frames = 0, pos = 0;
  guint8 *data;
  gsize size;
  guint i;

  for (i = 0; i < n_parts; i++)
    frames += (guint64) llround (seconds[i] * T_RATE);
  size = 44 + frames * 4;
  data = g_malloc0 (size);
  memcpy (data, "RIFF", 4);
  GST_WRITE_UINT32_LE (data + 4, size - 8);
  memcpy (data + 8, "WAVEfmt ", 8);
  GST_WRITE_UINT32_LE (data + 16, 16);
  GST_WRITE_UINT16_LE (data + 20, 1);   /* PCM */
  GST_WRITE_UINT16_LE (data + 22, 2);
  GST_WRITE_UINT32_LE (data + 24, T_RATE);
  GST_WRITE_UINT32_LE (data + 28, T_RATE * 4);
  GST_WRITE_UINT16_LE (data + 32, 4);
  GST_WRITE_UINT16_LE (data + 34, 16);
  memcpy (data + 36, "data", 4);
  GST_WRITE_UINT32_LE (data + 40, frames * 4);
  for (i = 0; i < n_parts; i++) {
    guint64 n = (guint64) llround (seconds[i] * T_RATE), k;
    gdouble amp = db_to_lin (dbfs[i]) * 32767.0;

    for (k = 0; k < n; k++, pos++) {
      gint16 v = (gint16) lround (amp * sin (2.0 * G_PI * 1000.0 * pos /
              T_RATE));

      GST_WRITE_UINT16_LE (data + 44 + pos * 4, v);
      GST_WRITE_UINT16_LE (data + 44 + pos * 4 + 2, v);
    }
  }
  fail_unless (g_file_set_contents (path, (const gchar *) data, size, &err),
      "%s", err ? err->message : "");
  g_free (data);
  return path;
}

static GstClockTime
msg_time (const GstStructure * s, const gchar * field)
{
  guint64 v = GST_CLOCK_TIME_NONE;

  fail_unless (gst_structure_get_uint64 (s, field, &v),
      "field %s missing in %" GST_PTR_FORMAT, field, s);
  return v;
}

#define assert_time(s, field, expected_ns) G_STMT_START { \
    GstClockTime _v = msg_time ((s), (field)); \
    GstClockTime _e = (expected_ns); \
    fail_unless (GST_CLOCK_TIME_IS_VALID (_v) && \
        ABS (GST_CLOCK_DIFF (_e, _v)) <= (GstClockTimeDiff) T_SAMPLE_NS, \
        "%s: %" GST_TIME_FORMAT ", expected %" GST_TIME_FORMAT, \
        (field), GST_TIME_ARGS (_v), GST_TIME_ARGS (_e)); \
  } G_STMT_END

/* The loudness messages of a pipeline run to EOS (after @seek_to, if valid:
 * a flushing seek in PAUSED; only the messages after it) */
static GList *
run_for_messages (const gchar * desc, GstClockTime seek_to)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);
  GstBus *bus;
  GstMessage *msg;
  GList *list = NULL;

  fail_unless (p != NULL && err == NULL, "%s: %s", desc,
      err ? err->message : "?");
  bus = gst_element_get_bus (p);
  if (GST_CLOCK_TIME_IS_VALID (seek_to)) {
    gst_element_set_state (p, GST_STATE_PAUSED);
    fail_unless_equals_int (gst_element_get_state (p, NULL, NULL,
            30 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
    fail_unless (gst_element_seek_simple (p, GST_FORMAT_TIME,
            GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, seek_to));
    /* every message posted before the seek's preroll is done is dropped */
    msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
        GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR);
    fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) ==
        GST_MESSAGE_ASYNC_DONE, "seek failed: %" GST_PTR_FORMAT, msg);
    gst_message_unref (msg);
  }
  gst_element_set_state (p, GST_STATE_PLAYING);
  for (;;) {
    msg = gst_bus_timed_pop (bus, 30 * GST_SECOND);
    fail_unless (msg != NULL, "timeout running %s", desc);
    fail_unless (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ERROR,
        "error running %s: %" GST_PTR_FORMAT, desc, msg);
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
      gst_message_unref (msg);
      break;
    }
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT &&
        gst_message_has_name (msg, "loudness"))
      list = g_list_append (list,
          gst_structure_copy (gst_message_get_structure (msg)));
    gst_message_unref (msg);
  }
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (p);
  return list;
}

/* Three WAV files of 1.43, 1.05 and 2.02 s through concat: 1 s intervals
 * straddle the joins. Running time is that of each interval's first
 * sample: 0, 1, 2, 3, 4 s; timestamp and stream time are that sample's
 * time in its own file: 0, 1.0, 0.57, 0.52, 1.52 s; durations 1 s, and
 * 0.5 s for the last (at EOS). */
GST_START_TEST (test_times_concat)
{
  static const gdouble len[3] = { 1.43, 1.05, 2.02 };
  static const gdouble level[3] = { -20.0, -30.0, -20.0 };
  static const GstClockTime ts[5] = { 0, 1000 * GST_MSECOND,
    570 * GST_MSECOND, 520 * GST_MSECOND, 1520 * GST_MSECOND
  };
  gchar *files[3], *desc;
  GList *msgs, *l;
  guint i;

  for (i = 0; i < 3; i++) {
    gchar *name = g_strdup_printf ("loudness-concat-%u-%d.wav", i,
        (gint) getpid ());

    files[i] = write_wav (name, 1, &len[i], &level[i]);
    g_free (name);
  }
  desc = g_strdup_printf ("concat name=c ! audioconvert ! "
      "loudnessmeter interval=1000000000 ! fakesink sync=false "
      "filesrc location=%s ! wavparse ! c. "
      "filesrc location=%s ! wavparse ! c. "
      "filesrc location=%s ! wavparse ! c.", files[0], files[1], files[2]);
  msgs = run_for_messages (desc, GST_CLOCK_TIME_NONE);
  fail_unless_equals_int (g_list_length (msgs), 5);
  for (l = msgs, i = 0; l; l = l->next, i++) {
    const GstStructure *s = l->data;

    assert_time (s, "running-time", i * GST_SECOND);
    assert_time (s, "timestamp", ts[i]);
    assert_time (s, "stream-time", ts[i]);
    assert_time (s, "duration", i < 4 ? GST_SECOND : 500 * GST_MSECOND);
  }
  g_list_free_full (msgs, (GDestroyNotify) gst_structure_free);
  for (i = 0; i < 3; i++) {
    g_unlink (files[i]);
    g_free (files[i]);
  }
  g_free (desc);
}

GST_END_TEST;

/* A flushing seek to 2.0 s in a 4.5 s file: the messages after it have
 * the times of the new segment (timestamp and stream time 2, 3, 4 s,
 * running time 0, 1, 2 s), and no interval mixes audio from before the
 * seek. The measurement is not reset: the first 2 s are at -10 dBFS and
 * the rest at -30, so the peak since start still shows the -10 dBFS that
 * was metered before the seek (prerolling), the interval's peak -30. */
GST_START_TEST (test_times_seek)
{
  static const gdouble len[2] = { 2.0, 2.5 };
  static const gdouble level[2] = { -10.0, -30.0 };
  gchar *name = g_strdup_printf ("loudness-seek-%d.wav", (gint) getpid ());
  gchar *file = write_wav (name, 2, len, level), *desc;
  GList *msgs, *l;
  guint i;

  desc = g_strdup_printf ("filesrc location=%s ! wavparse ! audioconvert ! "
      "loudnessmeter interval=1000000000 ! fakesink sync=false", file);
  msgs = run_for_messages (desc, 2 * GST_SECOND);
  fail_unless_equals_int (g_list_length (msgs), 3);
  for (l = msgs, i = 0; l; l = l->next, i++) {
    const GstStructure *s = l->data;
    const GValue *peak, *max_peak;

    assert_time (s, "running-time", i * GST_SECOND);
    assert_time (s, "timestamp", (2 + i) * GST_SECOND);
    assert_time (s, "stream-time", (2 + i) * GST_SECOND);
    assert_time (s, "duration", i < 2 ? GST_SECOND : 500 * GST_MSECOND);
    peak = gst_value_array_get_value (gst_structure_get_value (s,
            "sample-peak-dbfs"), 0);
    max_peak = gst_value_array_get_value (gst_structure_get_value (s,
            "max-sample-peak-dbfs"), 0);
    assert_near (g_value_get_double (peak), -30.0, 0.1, "interval peak");
    assert_near (g_value_get_double (max_peak), -10.0, 0.1, "peak since start");
  }
  g_list_free_full (msgs, (GDestroyNotify) gst_structure_free);
  g_unlink (file);
  g_free (file);
  g_free (name);
  g_free (desc);
}

GST_END_TEST;

/* @frames frames from frame @pos of a stereo S16 1 kHz sine at -20 dBFS,
 * timed */
static GstBuffer *
sine_buffer (guint64 pos, guint frames)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, frames * 4, NULL);
  GstMapInfo map;
  guint k;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (k = 0; k < frames; k++) {
    gint16 v = (gint16) lround (3277.0 * sin (2.0 * G_PI * 1000.0 *
            (pos + k) / T_RATE));

    GST_WRITE_UINT16_LE (map.data + k * 4, v);
    GST_WRITE_UINT16_LE (map.data + k * 4 + 2, v);
  }
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = gst_util_uint64_scale (pos, GST_SECOND, T_RATE);
  return buf;
}

/* 0.5 s of audio, a GAP event of 0.7 s, a gap buffer (no data) of 0.8 s,
 * 1 s of audio: the gaps are metered as silence, so the intervals keep to
 * the stream's time (running time 0, 1, 2 s, each 1 s long), and the
 * interval that is all gap reads silence. */
GST_START_TEST (test_times_gap)
{
  GstHarness *h = gst_harness_new ("loudnessmeter");
  GstBus *bus = gst_bus_new ();
  GstAudioInfo info;
  Result r;
  GstBuffer *buf;
  GList *l;
  guint i;

  memset (&r, 0, sizeof (r));
  gst_element_set_bus (h->element, bus);
  g_object_set (h->element, "interval", GST_SECOND, NULL);
  gst_audio_info_set_format (&info, GST_AUDIO_FORMAT_S16, T_RATE, 2, NULL);
  gst_harness_set_src_caps (h, gst_audio_info_to_caps (&info));

  buf = sine_buffer (0, T_RATE / 2);
  GST_BUFFER_DURATION (buf) = 500 * GST_MSECOND;
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_gap (500 *
              GST_MSECOND, 700 * GST_MSECOND)));
  buf = gst_buffer_new ();
  GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_GAP);
  GST_BUFFER_PTS (buf) = 1200 * GST_MSECOND;
  GST_BUFFER_DURATION (buf) = 800 * GST_MSECOND;
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  buf = sine_buffer (2 * T_RATE, T_RATE);
  GST_BUFFER_DURATION (buf) = GST_SECOND;
  fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  collect_messages (bus, &r);

  fail_unless_equals_int (g_list_length (r.messages), 3);
  for (l = r.messages, i = 0; l; l = l->next, i++) {
    const GstStructure *s = l->data;

    assert_time (s, "running-time", i * GST_SECOND);
    assert_time (s, "timestamp", i * GST_SECOND);
    assert_time (s, "duration", GST_SECOND);
    /* 1..2 s is all gap: the momentary window (400 ms) at its end holds
     * silence (the filters' tail: far below the -70 LUFS gate); at 3 s it
     * holds the -20 dBFS tone */
    if (i == 1)
      fail_unless (msg_double (s, "momentary-lufs") < -70.0, "interval 1");
    if (i == 2)
      assert_near (msg_double (s, "momentary-lufs"), -20.0, 0.2,
          "momentary at 3 s");
  }
  g_list_free_full (r.messages, (GDestroyNotify) gst_structure_free);
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* The speech recordings Debian's alsa-utils installs (9 files, ~1.4 s each,
 * mono 48 kHz S16) are joined three times over, at 0, -10 and -20 dB, into
 * one ~39 s recording (long enough for a loudness range), written as WAV.
 * loudnessmeter and ffmpeg's ebur128 filter (run as a process) measure that
 * file: integrated loudness within 0.1 LU, loudness range within 0.5 LU,
 * true peak within 0.2 dB. ffmpeg prints one decimal; the tolerances are
 * those of the issue, the rounding is inside them. */
GST_START_TEST (test_against_ffmpeg)
{
  static const gchar *names[] = { "Front_Center", "Front_Left",
    "Front_Right", "Noise", "Rear_Center", "Rear_Left", "Rear_Right",
    "Side_Left", "Side_Right"
  };
  static const gchar *gains[] = { "1.0", "0.316227766", "0.1" };
  gchar *dir, *wav, *ffmpeg, *desc, *out = NULL, *errlog = NULL;
  GString *pipe;
  GstElement *meter = NULL;
  GError *err = NULL;
  gint status = 0;
  gdouble ff_i, ff_lra, ff_tp, i_lufs, lra, tp;
  guint g, k;
  gchar *argv[12];

  ffmpeg = g_find_program_in_path ("ffmpeg");
  fail_unless (ffmpeg != NULL, "ffmpeg is not installed (scripts/"
      "install-deps.sh installs it); this test compares with it");
  for (k = 0; k < G_N_ELEMENTS (names); k++) {
    gchar *f = g_strdup_printf ("/usr/share/sounds/alsa/%s.wav", names[k]);
    fail_unless (g_file_test (f, G_FILE_TEST_EXISTS), "%s missing: install "
        "alsa-utils (scripts/install-deps.sh)", f);
    g_free (f);
  }

  dir = g_dir_make_tmp ("loudnessmeter-XXXXXX", NULL);
  fail_unless (dir != NULL);
  wav = g_build_filename (dir, "speech.wav", NULL);

  pipe = g_string_new (NULL);
  g_string_append_printf (pipe, "concat name=c ! audioconvert ! "
      "audio/x-raw,format=S16LE ! wavenc ! filesink location=\"%s\"", wav);
  for (g = 0; g < G_N_ELEMENTS (gains); g++)
    for (k = 0; k < G_N_ELEMENTS (names); k++)
      g_string_append_printf (pipe, " filesrc location=/usr/share/sounds/"
          "alsa/%s.wav ! wavparse ! audioconvert ! audio/x-raw,format=F32LE "
          "! volume volume=%s ! c.", names[k], gains[g]);
  run_pipeline (pipe->str, NULL, NULL);
  g_string_free (pipe, TRUE);

  desc = g_strdup_printf ("filesrc location=\"%s\" ! wavparse ! "
      "loudnessmeter name=m ! fakesink", wav);
  run_pipeline (desc, &meter, "m");
  g_free (desc);
  fail_unless (meter != NULL);
  g_object_get (meter, "integrated-lufs", &i_lufs, "loudness-range-lu", &lra,
      "max-true-peak-dbtp", &tp, NULL);
  gst_object_unref (meter);

  argv[0] = ffmpeg;
  argv[1] = (gchar *) "-nostdin";
  argv[2] = (gchar *) "-hide_banner";
  argv[3] = (gchar *) "-nostats";
  argv[4] = (gchar *) "-i";
  argv[5] = wav;
  argv[6] = (gchar *) "-af";
  argv[7] = (gchar *) "ebur128=peak=true";
  argv[8] = (gchar *) "-f";
  argv[9] = (gchar *) "null";
  argv[10] = (gchar *) "-";
  argv[11] = NULL;
  fail_unless (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
          &out, &errlog, &status, &err), "ffmpeg: %s", err ? err->message : "");
  fail_unless (g_spawn_check_wait_status (status, NULL), "ffmpeg failed: %s",
      errlog);
  fail_unless (parse_ffmpeg_value (errlog, "I:", &ff_i), "no I in %s", errlog);
  fail_unless (parse_ffmpeg_value (errlog, "LRA:", &ff_lra), "no LRA");
  fail_unless (parse_ffmpeg_value (errlog, "Peak:", &ff_tp), "no Peak");

  GST_INFO ("loudnessmeter I %.2f LRA %.2f TP %.2f; ffmpeg I %.1f LRA %.1f "
      "TP %.1f", i_lufs, lra, tp, ff_i, ff_lra, ff_tp);
  g_print ("speech recording: loudnessmeter I %.2f LUFS, LRA %.2f LU, "
      "TP %.2f dBTP; ffmpeg ebur128 I %.1f LUFS, LRA %.1f LU, TP %.1f dBFS\n",
      i_lufs, lra, tp, ff_i, ff_lra, ff_tp);
  /* the recording is not silence, nor a constant tone */
  fail_unless (i_lufs > -60 && lra > 1.0);
  assert_near (i_lufs, ff_i, 0.1, "integrated vs ffmpeg");
  assert_near (lra, ff_lra, 0.5, "loudness range vs ffmpeg");
  assert_near (tp, ff_tp, 0.2, "true peak vs ffmpeg");

  g_unlink (wav);
  g_rmdir (dir);
  g_free (wav);
  g_free (dir);
  g_free (out);
  g_free (errlog);
  g_free (ffmpeg);
}

GST_END_TEST;

static Suite *
loudnessmeter_suite (void)
{
  Suite *s = suite_create ("loudnessmeter");
  TCase *tc = tcase_create ("ebu");
  TCase *tc2 = tcase_create ("element");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_3341_cases_1_2);
  tcase_add_test (tc, test_3341_cases_3_4_5);
  tcase_add_test (tc, test_3341_case_6);
  tcase_add_test (tc, test_3341_case_9);
  tcase_add_test (tc, test_3341_case_10);
  tcase_add_test (tc, test_3341_case_12);
  tcase_add_test (tc, test_3341_case_13);
  tcase_add_test (tc, test_3341_cases_15_19);
  tcase_add_test (tc, test_3342_cases_1_4);
  tcase_add_test (tc, test_range_helper);

  suite_add_tcase (s, tc2);
  tcase_add_test (tc2, test_unpositioned);
  tcase_add_test (tc2, test_dual_mono);
  tcase_add_test (tc2, test_message_fields);
  tcase_add_test (tc2, test_silence);
  tcase_add_test (tc2, test_reset);
  tcase_add_test (tc2, test_passthrough_bit_exact);
  tcase_add_test (tc2, test_non_finite);
  tcase_add_test (tc2, test_memory_flat);
  tcase_add_test (tc2, test_against_ffmpeg);
  tcase_add_test (tc2, test_times_concat);
  tcase_add_test (tc2, test_times_seek);
  tcase_add_test (tc2, test_times_gap);
  return s;
}

GST_CHECK_MAIN (loudnessmeter);
