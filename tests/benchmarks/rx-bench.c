/* gst-aes67 benchmark: the receiving side of rx-bench.sh (issue 12)
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs N receivers of stereo L24 48 kHz streams in this one process, each
 * into `fakesink sync=true`, for a warm-up and then a measured window, and
 * prints what it saw. The receivers are either aes67src (--kind ours) or
 * the stock chain `udpsrc ! rtpjitterbuffer ! rtpL24depay` (--kind stock).
 * --kind floor receives nothing: N `audiotestsrc wave=silence
 * samplesperbuffer=F ! fakesink` (F: --floor-frames, 48 = 1 ms), what N
 * streams of F-frame buffers cost the same sinks with no receiver at all
 * (CPU only). --no-sync makes the sinks `sync=false`: the receiver alone
 * keeps time (aes67src waits for each buffer's playout time itself, the
 * stock jitter buffer pushes each packet when it comes).
 * The streams are on ADDRESS, ports PORT, PORT+2, ... (sent by another
 * process: rx-bench.sh starts it).
 *
 *   rx-bench --kind ours|stock|floor|tap --streams N --address A --port P
 *       [--iface IF] [--warmup S] [--seconds S] [--link-offset-us US]
 *       [--latency-property NAME] [--latency-unit-us U]
 *       [--playout MODE] [--deadline-zero] [--no-sync] [--floor-frames F]
 *       [--probe] [--tap-offsets-ms L]
 *
 * Measured over the window only (after --warmup seconds):
 * - CPU: CLOCK_PROCESS_CPUTIME_ID (every thread of the process, what
 *   /proc/PID/stat's utime + stime count, to the ns) over wall time, % of
 *   one core.
 * - per stream, from the receiver's own statistics, the difference between
 *   the end of the window and its start: aes67src's `stats` (packets-
 *   received, packets-lost, packets-late, and samples-concealed where the
 *   element has it), or the stock jitter buffer's `stats` (num-pushed,
 *   num-lost, num-late);
 * - per stream, with --probe, from a buffer probe on the receiver's output
 *   (independent of its statistics): buffers out; samples missing from the
 *   output (holes in the timestamps before a buffer flagged DISCONT, plus
 *   buffers flagged GAP); and the
 *   "transit", clock time at the probe minus the buffer's timestamp as clock
 *   time (with media-clock playout: time since capture), min and max, and
 *   how many buffers reached the sink after their render time, timestamp
 *   + the pipeline's latency ("out-late": a sink plays them late, or drops
 *   them). With --deadline-zero (fakesink processing-deadline=0) the
 *   pipeline's latency is what the receiver reports: aes67src's link
 *   offset.
 *
 * --kind tap is the floor of measure 3: no GStreamer, one plain socket on
 * the first stream's address and port (joined on --iface), read in a
 * loop; for each packet the transit, arrival (CLOCK_MONOTONIC after recv)
 * minus the capture time its RTP time names on CLOCK_MONOTONIC (what
 * aes67sink stamps on the default system clock), 48 kHz. It prints the
 * transit's percentiles and, for each --tap-offsets-ms, how many packets
 * arrived after capture + that offset: what any receiver in this process
 * would have to count late at that link offset.
 *
 * Output: one line per stream ("stream I key=value ..."), then
 * "summary key=value ..." (out-frames: the frames of the first stream's
 * output buffers, the last of its first 500). Exit 0 after printing; 1 when the pipeline
 * failed (an error message, a bad argument) or a stream received nothing.
 */
#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct
{
  GstElement *stats_element;    /* aes67src, or the stock jitter buffer */
  /* probe counters: written by the stream's thread, read after NULL */
  guint64 buffers, out_late, missing, samples;
  gint64 transit_min, transit_max;
  GstClockTime next_pts;
  guint rate, bpf;
  /* statistics at the start of the window */
  guint64 rx0, lost0, late0, conc0;
  gboolean has_conc;
} Stream;

static gchar *opt_kind = NULL, *opt_address = NULL, *opt_iface = NULL;
static gchar *opt_latency_prop = NULL, *opt_playout = NULL;
static gint opt_streams = 1, opt_port = 5004, opt_latency_unit_us = 1000;
static gdouble opt_warmup = 2.0, opt_seconds = 10.0;
static gint opt_link_offset_us = 4000;
static gboolean opt_probe = FALSE, opt_deadline_zero = FALSE;
static gboolean opt_no_sync = FALSE;
static gint opt_floor_frames = 48;
static gchar *opt_tap_offsets = NULL;

static GMainLoop *loop;
/* bytes of the first stream's output buffers, the last of the warm-up's
 * first OUT_SIZE_BUFFERS (written by its streaming thread, read after) */
#define OUT_SIZE_BUFFERS 500
static gsize out_size;
static gint out_size_seen;
static GstClock *clock_;
static GstClockTime base_time;
static GstClockTime render_latency;     /* the pipeline's latency */
static gint counting;           /* atomic: the window is open */
static gboolean failed;
static gchar *fail_reason;

static GstPadProbeReturn
probe_cb (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  Stream *s = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts, now;
  guint64 frames;
  gint64 transit;

  if (!g_atomic_int_get (&counting) || !buf)
    return GST_PAD_PROBE_OK;
  if (s->rate == 0) {
    GstCaps *caps = gst_pad_get_current_caps (pad);
    GstAudioInfo ai;

    if (caps && gst_audio_info_from_caps (&ai, caps)) {
      s->rate = GST_AUDIO_INFO_RATE (&ai);
      s->bpf = GST_AUDIO_INFO_BPF (&ai);
    }
    if (caps)
      gst_caps_unref (caps);
    if (s->rate == 0 || s->bpf == 0)
      return GST_PAD_PROBE_OK;
  }
  now = gst_clock_get_time (clock_);
  pts = GST_BUFFER_PTS (buf);
  frames = gst_buffer_get_size (buf) / s->bpf;
  s->buffers++;
  s->samples += frames;
  if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_GAP))
    s->missing += frames;
  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return GST_PAD_PROBE_OK;
  /* a hole in the timeline where the buffer says the stream is
   * discontinuous (as an audio sink reads it: without DISCONT it takes
   * small timestamp jitter, e.g. the stock jitter buffer's skew
   * correction, as continuous): samples missing */
  if (GST_CLOCK_TIME_IS_VALID (s->next_pts)
      && GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT)
      && pts > s->next_pts + GST_SECOND / s->rate / 2)
    s->missing += gst_util_uint64_scale_round (pts - s->next_pts, s->rate,
        GST_SECOND);
  s->next_pts = pts + gst_util_uint64_scale_int (frames, GST_SECOND, s->rate);
  transit = (gint64) now - (gint64) (base_time + pts);
  if (s->buffers == 1 || transit < s->transit_min)
    s->transit_min = transit;
  if (s->buffers == 1 || transit > s->transit_max)
    s->transit_max = transit;
  /* after its render time: a sink plays it late, or not at all */
  if (transit > (gint64) render_latency)
    s->out_late++;
  return GST_PAD_PROBE_OK;
}

/* a counter of a statistics structure, whatever integer type it has */
static gboolean
get_count (const GstStructure * st, const gchar * name, gint64 * v)
{
  const GValue *val = gst_structure_get_value (st, name);

  if (!val)
    return FALSE;
  if (G_VALUE_HOLDS_UINT64 (val))
    *v = (gint64) g_value_get_uint64 (val);
  else if (G_VALUE_HOLDS_INT64 (val))
    *v = g_value_get_int64 (val);
  else if (G_VALUE_HOLDS_UINT (val))
    *v = g_value_get_uint (val);
  else if (G_VALUE_HOLDS_INT (val))
    *v = g_value_get_int (val);
  else
    return FALSE;
  return TRUE;
}

/* received, lost, late, concealed of one stream's statistics now */
static void
read_stats (Stream * s, guint64 * rx, gint64 * lost, guint64 * late,
    guint64 * conc, gboolean * has_conc)
{
  GstStructure *st = NULL;
  gboolean ours = g_str_equal (opt_kind, "ours");
  gint64 v;

  *rx = *late = *conc = 0;
  *lost = 0;
  *has_conc = FALSE;
  if (g_str_equal (opt_kind, "floor"))
    return;                     /* nothing received */
  g_object_get (s->stats_element, "stats", &st, NULL);
  if (!st)
    return;
  if (get_count (st, ours ? "packets-received" : "num-pushed", &v))
    *rx = (guint64) v;
  if (get_count (st, ours ? "packets-lost" : "num-lost", &v))
    *lost = v;
  if (get_count (st, ours ? "packets-late" : "num-late", &v))
    *late = (guint64) v;
  if (ours && get_count (st, "samples-concealed", &v)) {
    *conc = (guint64) v;
    *has_conc = TRUE;
  }
  gst_structure_free (st);
}

/* The length of the first stream's output buffers, once it runs steadily:
 * the last of its first OUT_SIZE_BUFFERS (then the probe goes). */
static GstPadProbeReturn
out_size_cb (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  out_size = gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
  return ++out_size_seen < OUT_SIZE_BUFFERS ? GST_PAD_PROBE_OK :
      GST_PAD_PROBE_REMOVE;
}

static gboolean
on_bus (GstBus * bus, GstMessage * msg, gpointer data)
{
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;
    gchar *dbg = NULL;

    gst_message_parse_error (msg, &err, &dbg);
    fail_reason = g_strdup_printf ("error from %s: %s (%s)",
        GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message, dbg ? dbg : "");
    g_clear_error (&err);
    g_free (dbg);
    failed = TRUE;
    g_main_loop_quit (loop);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gdouble
cpu_seconds (void)
{
  struct timespec t;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static gdouble
wall_seconds (void)
{
  return g_get_monotonic_time () / 1e6;
}

static gint
cmp_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* --kind tap: transit of every packet on a plain socket */
static int
run_tap (void)
{
  struct sockaddr_in sa = {.sin_family = AF_INET };
  struct ip_mreqn m = { 0 };
  GArray *transit = g_array_new (FALSE, FALSE, sizeof (gint64));
  gchar **offs;
  gint64 start, warm_end, end;
  guint64 received = 0, lost = 0;
  guint32 next_seq = 0;
  gboolean have_seq = FALSE;
  int fd, one = 1, rcvbuf = 1 << 20;
  guint i, n;

  fd = socket (AF_INET, SOCK_DGRAM, 0);
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sa.sin_port = htons (opt_port);
  if (inet_pton (AF_INET, opt_address, &sa.sin_addr) != 1
      || bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
    g_printerr ("rx-bench: tap: cannot bind %s:%d\n", opt_address, opt_port);
    return 1;
  }
  if (IN_MULTICAST (ntohl (sa.sin_addr.s_addr))) {
    m.imr_multiaddr = sa.sin_addr;
    m.imr_ifindex = opt_iface ? (int) if_nametoindex (opt_iface) : 0;
    if (setsockopt (fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) < 0) {
      g_printerr ("rx-bench: tap: cannot join %s\n", opt_address);
      return 1;
    }
  }
  start = g_get_monotonic_time ();
  warm_end = start + (gint64) (opt_warmup * 1e6);
  end = warm_end + (gint64) (opt_seconds * 1e6);
  for (;;) {
    struct pollfd p = {.fd = fd,.events = POLLIN };
    guint8 pkt[2048];
    struct timespec t;
    gint64 now_ns, d, cap_frames;
    guint64 now_frames;
    guint32 rtp;
    guint16 seq;
    ssize_t len;

    if (g_get_monotonic_time () >= end)
      break;
    if (poll (&p, 1, 100) <= 0)
      continue;
    len = recv (fd, pkt, sizeof pkt, 0);
    clock_gettime (CLOCK_MONOTONIC, &t);
    if (len < 12 || (pkt[0] >> 6) != 2)
      continue;
    if (g_get_monotonic_time () < warm_end)
      continue;
    now_ns = (gint64) t.tv_sec * GST_SECOND + t.tv_nsec;
    seq = GST_READ_UINT16_BE (pkt + 2);
    rtp = GST_READ_UINT32_BE (pkt + 4);
    if (have_seq && (guint16) (seq - next_seq) < 0x8000)
      lost += (guint16) (seq - next_seq);
    next_seq = (guint16) (seq + 1);
    have_seq = TRUE;
    received++;
    now_frames = gst_util_uint64_scale (now_ns, 48000, GST_SECOND);
    /* frames from capture to now, a signed 32-bit difference */
    d = (gint32) ((guint32) now_frames - rtp);
    cap_frames = (gint64) now_frames - d;
    d = now_ns - (gint64) gst_util_uint64_scale (cap_frames, GST_SECOND, 48000);
    g_array_append_val (transit, d);
  }
  close (fd);
  n = transit->len;
  if (n == 0) {
    g_printerr ("rx-bench: tap: no packet received\n");
    return 1;
  }
  g_array_sort (transit, cmp_i64);
#define PCT(q) (g_array_index (transit, gint64, MIN (n - 1, (guint) ((q) * n))) / 1e3)
  printf ("tap received=%" G_GUINT64_FORMAT " lost=%" G_GUINT64_FORMAT
      " transit-min-us=%.0f transit-p50-us=%.0f transit-p99-us=%.0f"
      " transit-p999-us=%.0f transit-max-us=%.0f", received, lost,
      PCT (0.0), PCT (0.5), PCT (0.99), PCT (0.999),
      g_array_index (transit, gint64, n - 1) / 1e3);
#undef PCT
  offs = g_strsplit (opt_tap_offsets ? opt_tap_offsets : "1,2,3,4,6,8", ",",
      -1);
  for (i = 0; offs[i]; i++) {
    gint64 lim = (gint64) (g_ascii_strtod (offs[i], NULL) * GST_MSECOND);
    guint late = 0, j;

    for (j = n; j > 0 && g_array_index (transit, gint64, j - 1) > lim; j--)
      late++;
    printf (" late-at-%sms=%u", offs[i], late);
  }
  printf ("\n");
  g_strfreev (offs);
  g_array_free (transit, TRUE);
  return 0;
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    {"kind", 0, 0, G_OPTION_ARG_STRING, &opt_kind,
          "ours (aes67src) or stock (udpsrc ! rtpjitterbuffer ! rtpL24depay)",
        "KIND"},
    {"streams", 0, 0, G_OPTION_ARG_INT, &opt_streams, "receivers", "N"},
    {"address", 0, 0, G_OPTION_ARG_STRING, &opt_address,
        "IPv4 address the streams are sent to", "A"},
    {"port", 0, 0, G_OPTION_ARG_INT, &opt_port,
        "port of the first stream (then +2 each)", "P"},
    {"iface", 0, 0, G_OPTION_ARG_STRING, &opt_iface,
        "multicast interface", "IF"},
    {"warmup", 0, 0, G_OPTION_ARG_DOUBLE, &opt_warmup,
        "seconds before the window", "S"},
    {"seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opt_seconds,
        "seconds of the measured window", "S"},
    {"link-offset-us", 0, 0, G_OPTION_ARG_INT, &opt_link_offset_us,
        "link offset (receiver latency), µs", "US"},
    {"latency-property", 0, 0, G_OPTION_ARG_STRING, &opt_latency_prop,
          "aes67src property that takes the link offset (default latency)",
        "NAME"},
    {"latency-unit-us", 0, 0, G_OPTION_ARG_INT, &opt_latency_unit_us,
        "unit of that property in µs (1000: ms)", "U"},
    {"playout", 0, 0, G_OPTION_ARG_STRING, &opt_playout,
        "aes67src playout (default: the element's)", "MODE"},
    {"deadline-zero", 0, 0, G_OPTION_ARG_NONE, &opt_deadline_zero,
        "fakesink processing-deadline=0", NULL},
    {"no-sync", 0, 0, G_OPTION_ARG_NONE, &opt_no_sync,
        "fakesink sync=false: the receiver alone keeps time", NULL},
    {"floor-frames", 0, 0, G_OPTION_ARG_INT, &opt_floor_frames,
        "--kind floor: frames per buffer (48: 1 ms)", "F"},
    {"tap-offsets-ms", 0, 0, G_OPTION_ARG_STRING, &opt_tap_offsets,
        "--kind tap: link offsets to count late packets at, ms, comma-"
          "separated", "LIST"},
    {"probe", 0, 0, G_OPTION_ARG_NONE, &opt_probe,
        "probe the receivers' output (lateness, missing samples)", NULL},
    {NULL}
  };
  GOptionContext *ctx;
  GError *err = NULL;
  GString *desc;
  GstElement *pipeline;
  GstBus *bus;
  Stream *streams;
  gdouble cpu0, wall0, cpu1, wall1;
  guint clean = 0, nothing = 0;
  gint64 sum_lost = 0;
  guint64 sum_late = 0, sum_conc = 0, sum_rx = 0, sum_out_late = 0,
      sum_missing = 0;
  gboolean any_conc = FALSE;
  gint i, ret = 0;

  ctx = g_option_context_new ("- receivers for rx-bench.sh");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("rx-bench: %s\n", err->message);
    return 1;
  }
  g_option_context_free (ctx);
  if (!opt_kind || (!g_str_equal (opt_kind, "ours")
          && !g_str_equal (opt_kind, "stock")
          && !g_str_equal (opt_kind, "floor")
          && !g_str_equal (opt_kind, "tap")) || !opt_address
      || opt_streams < 1 || opt_streams > 1000 || opt_port < 1
      || opt_port + 2 * (opt_streams - 1) > 65535 || opt_seconds <= 0
      || opt_latency_unit_us < 1) {
    g_printerr ("rx-bench: need --kind ours|stock|floor|tap, --address, a "
        "valid --streams/--port/--seconds\n");
    return 1;
  }
  if (!opt_latency_prop)
    opt_latency_prop = g_strdup ("latency");
  if (g_str_equal (opt_kind, "tap"))
    return run_tap ();

  desc = g_string_new (NULL);
  for (i = 0; i < opt_streams; i++) {
    gint port = opt_port + 2 * i;

    if (g_str_equal (opt_kind, "floor")) {
      g_string_append_printf (desc, " audiotestsrc name=rx%d wave=silence "
          "samplesperbuffer=%d ! audio/x-raw,format=S24BE,rate=48000,"
          "channels=2", i, MAX (opt_floor_frames, 1));
    } else if (g_str_equal (opt_kind, "ours")) {
      g_string_append_printf (desc, " aes67src name=rx%d address=%s port=%d "
          "encoding-name=L24 rate=48000 channels=2 %s=%d", i, opt_address,
          port, opt_latency_prop, opt_link_offset_us / opt_latency_unit_us);
      if (opt_playout)
        g_string_append_printf (desc, " playout=%s", opt_playout);
      if (opt_iface)
        g_string_append_printf (desc, " multicast-iface=%s", opt_iface);
    } else {
      g_string_append_printf (desc, " udpsrc address=%s port=%d", opt_address,
          port);
      if (opt_iface)
        g_string_append_printf (desc, " multicast-iface=%s", opt_iface);
      g_string_append_printf (desc, " caps=\"application/x-rtp,media=audio,"
          "clock-rate=48000,encoding-name=L24,channels=2,payload=96\" "
          "! rtpjitterbuffer name=rx%d latency=%d ! rtpL24depay", i,
          opt_link_offset_us / 1000);
    }
    g_string_append_printf (desc, " ! fakesink name=out%d sync=%s%s", i,
        opt_no_sync ? "false" : "true",
        opt_deadline_zero ? " processing-deadline=0" : "");
  }
  pipeline = gst_parse_launch (desc->str, &err);
  if (!pipeline || err) {
    g_printerr ("rx-bench: pipeline: %s\n", err ? err->message : "?");
    return 1;
  }
  g_string_free (desc, TRUE);

  streams = g_new0 (Stream, opt_streams);
  for (i = 0; i < opt_streams; i++) {
    gchar name[32];
    GstElement *out;
    GstPad *pad;

    g_snprintf (name, sizeof name, "rx%d", i);
    streams[i].stats_element = gst_bin_get_by_name (GST_BIN (pipeline), name);
    streams[i].next_pts = GST_CLOCK_TIME_NONE;
    if (i == 0) {
      g_snprintf (name, sizeof name, "out%d", i);
      out = gst_bin_get_by_name (GST_BIN (pipeline), name);
      pad = gst_element_get_static_pad (out, "sink");
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, out_size_cb, NULL,
          NULL);
      gst_object_unref (pad);
      gst_object_unref (out);
    }
    if (!opt_probe)
      continue;
    /* the receiver's output, where the sink takes it */
    g_snprintf (name, sizeof name, "out%d", i);
    out = gst_bin_get_by_name (GST_BIN (pipeline), name);
    pad = gst_element_get_static_pad (out, "sink");
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, probe_cb, &streams[i],
        NULL);
    gst_object_unref (pad);
    gst_object_unref (out);
  }

  loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (pipeline);
  gst_bus_add_watch (bus, on_bus, NULL);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_printerr ("rx-bench: pipeline does not start\n");
    return 1;
  }
  g_timeout_add ((guint) (opt_warmup * 1000), quit_cb, NULL);
  g_main_loop_run (loop);
  if (failed)
    goto out;

  /* the window opens */
  clock_ = gst_element_get_clock (pipeline);
  base_time = gst_element_get_base_time (pipeline);
  if (!clock_) {
    fail_reason = g_strdup ("no pipeline clock after the warm-up");
    failed = TRUE;
    goto out;
  }
  {
    GstQuery *q = gst_query_new_latency ();

    if (gst_element_query (pipeline, q))
      gst_query_parse_latency (q, NULL, &render_latency, NULL);
    gst_query_unref (q);
  }
  for (i = 0; i < opt_streams; i++) {
    gint64 lost;

    read_stats (&streams[i], &streams[i].rx0, &lost, &streams[i].late0,
        &streams[i].conc0, &streams[i].has_conc);
    streams[i].lost0 = (guint64) lost;
  }
  g_atomic_int_set (&counting, 1);
  cpu0 = cpu_seconds ();
  wall0 = wall_seconds ();
  g_timeout_add ((guint) (opt_seconds * 1000), quit_cb, NULL);
  g_main_loop_run (loop);
  cpu1 = cpu_seconds ();
  wall1 = wall_seconds ();
  g_atomic_int_set (&counting, 0);
  if (failed)
    goto out;

  for (i = 0; i < opt_streams; i++) {
    Stream *s = &streams[i];
    guint64 rx, late, conc;
    gint64 lost;
    gboolean has_conc;

    read_stats (s, &rx, &lost, &late, &conc, &has_conc);
    rx -= s->rx0;
    lost -= (gint64) s->lost0;
    late -= s->late0;
    conc -= s->conc0;
    sum_rx += rx;
    sum_lost += lost;
    sum_late += late;
    if (has_conc) {
      sum_conc += conc;
      any_conc = TRUE;
    }
    if (rx == 0)
      nothing++;
    if (lost == 0 && late == 0 && rx > 0)
      clean++;
    printf ("stream %d received=%" G_GUINT64_FORMAT " lost=%" G_GINT64_FORMAT
        " late=%" G_GUINT64_FORMAT, i, rx, lost, late);
    if (has_conc)
      printf (" concealed=%" G_GUINT64_FORMAT, conc);
    else
      printf (" concealed=-");
    if (opt_probe) {
      sum_out_late += s->out_late;
      sum_missing += s->missing;
      printf (" out-buffers=%" G_GUINT64_FORMAT " out-late=%" G_GUINT64_FORMAT
          " out-missing=%" G_GUINT64_FORMAT " transit-min-us=%.0f"
          " transit-max-us=%.0f", s->buffers, s->out_late, s->missing,
          s->transit_min / 1e3, s->transit_max / 1e3);
    }
    printf ("\n");
  }
  printf ("summary kind=%s streams=%d seconds=%.1f cpu=%.2f clean=%u "
      "received=%" G_GUINT64_FORMAT " lost=%" G_GINT64_FORMAT " late=%"
      G_GUINT64_FORMAT, opt_kind, opt_streams, wall1 - wall0,
      (cpu1 - cpu0) / (wall1 - wall0) * 100.0, clean, sum_rx, sum_lost,
      sum_late);
  if (any_conc)
    printf (" concealed=%" G_GUINT64_FORMAT, sum_conc);
  else
    printf (" concealed=-");
  if (opt_probe)
    printf (" out-late=%" G_GUINT64_FORMAT " out-missing=%" G_GUINT64_FORMAT
        " render-latency-us=%.0f", sum_out_late, sum_missing,
        render_latency / 1e3);
  /* stereo 24-bit (the caps every kind puts out): 6 bytes a frame */
  printf (" out-frames=%" G_GSIZE_FORMAT "\n", out_size / 6);
  fflush (stdout);
  if (nothing > 0 && !g_str_equal (opt_kind, "floor")) {
    fail_reason = g_strdup_printf ("%u of %d streams received nothing",
        nothing, opt_streams);
    ret = 1;
  }

out:
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (failed) {
    g_printerr ("rx-bench: %s\n", fail_reason);
    ret = 1;
  } else if (ret) {
    g_printerr ("rx-bench: %s\n", fail_reason);
  }
  for (i = 0; i < opt_streams; i++)
    gst_clear_object (&streams[i].stats_element);
  gst_bus_remove_watch (bus);
  gst_object_unref (bus);
  gst_clear_object (&clock_);
  gst_object_unref (pipeline);
  g_free (streams);
  g_free (fail_reason);
  return ret;
}
