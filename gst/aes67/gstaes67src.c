/* gst-aes67: aes67src
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-aes67src
 * @title: aes67src
 * @see_also: aes67sink, sapannounce, ptpclock, udpsrc, rtpjitterbuffer
 *
 * aes67src receives one AES67 (AES67-2018, SMPTE ST 2110-30) audio stream
 * and outputs its audio, in the stream's own format (S16BE for L16, S24BE
 * for L24), rate and channel count, played out a fixed link offset
 * (`latency`, ms) after the packets' RTP time.
 *
 * The stream is described by an SDP (`sdp` as text, or `sdp-file`), as
 * AES67 senders write it; without one, by hand with `address`, `port`,
 * `encoding-name`, `rate`, `channels` and `payload-type`. An SDP, when set,
 * wins over those properties. The configuration is read when the element
 * goes from NULL to READY; an SDP that cannot be used fails that state
 * change with an error saying why.
 *
 * Inside, GStreamer's own elements and base classes do the work:
 * |[
 *  udpsrc ! (RTP checks, SSRC lock, RFC 3550 stats) ! rtpjitterbuffer !
 *       (L16/L24 depayloader on GstRTPBaseDepayload) ! [src]
 * ]|
 * Packets that are not valid RTP, carry another payload type, come from a
 * source the SDP's source-filter leaves out, carry another SSRC than the
 * one the receiver locked to, or hold no whole number of frames are counted
 * and dropped; the pipeline keeps running. Channels come out in the order
 * they were sent: mono and stereo positioned, more channels unpositioned
 * (channel-mask 0), as AES67 gives them no speaker positions.
 *
 * When no packet came for `timeout` ms the stream counts as lost: a
 * `stream-lost` message is posted and the pipeline keeps running (a live
 * audio sink plays silence). The receiver then takes the first stream that
 * matches again, with the same or a new SSRC (a restarted sender), and posts
 * `stream-restored`.
 *
 * ## Playout and the link offset
 *
 * With `playout=media-clock` (and with `auto` when the pipeline clock is a
 * PTP clock and the SDP says the stream is on PTP), each packet's time is
 * the capture time its RTP time says on the pipeline clock (RFC 7273
 * mediaclk:direct), and the jitter buffer runs in "synced" mode: audio
 * plays out the pipeline's latency after it was captured, whatever the
 * network's delay, so receivers on one clock play sample-aligned. The
 * pipeline's latency is the link offset plus what elements downstream add:
 * a GstBaseSink's `processing-deadline` (20 ms by default) and an audio
 * sink's buffer; set `processing-deadline=0` (or the pipeline's `latency`)
 * for a playout time of exactly the link offset. Packets that arrive later
 * than that are dropped and counted as late. With `playout=arrival` the
 * link offset counts from each packet's arrival (rtpjitterbuffer's own
 * timing, which follows a sender clock that drifts).
 *
 * ## Messages
 *
 * Element messages, from aes67src:
 *
 * `aes67-stats`, every `stats-interval` ms (the `stats` property holds the
 * same structure):
 * - `packets-received` (guint64): valid packets of the stream
 * - `packets-lost` (gint64): RFC 3550 cumulative number of packets lost
 *   (expected minus received), summed over SSRC changes
 * - `packets-late` (guint64): packets that came too late for their playout
 *   time (dropped by the jitter buffer; with media-clock playout also those
 *   captured before the pipeline started)
 * - `packets-duplicate` (guint64): sequence numbers received twice (dropped)
 * - `packets-reordered` (guint64): packets older than the newest one
 * - `packets-malformed` (guint64): not valid RTP, or not whole frames
 * - `packets-foreign` (guint64): another payload type, source or SSRC
 * - `jitter-us` (gdouble): RFC 3550 interarrival jitter, µs
 * - `ssrc` (guint): the SSRC the receiver is locked to (0: none yet)
 * - `stream-state` (gchararray): "waiting" (no packet yet), "receiving" or
 *   "lost"
 * - `restored-count` (guint64): how often the stream came back after a loss
 * - `latency-ms` (guint): the link offset in use, ms
 * - `playout` (gchararray): what the link offset counts from: "media-clock"
 *   (the audio's RTP time on the pipeline clock) or "arrival"
 * - `encoding-name` (gchararray), `clock-rate` (gint, Hz), `channels`
 *   (gint), `address` (gchararray), `port` (gint): the stream received
 *
 * `stream-lost`, when no packet came for `timeout` ms:
 * - `ssrc` (guint): the SSRC that went silent
 * - `timeout-ms` (guint): the timeout that ran out, ms
 * - `packets-received` (guint64): packets received until then
 *
 * `stream-restored`, at the first packet after a loss:
 * - `ssrc` (guint): the SSRC now played
 * - `same-ssrc` (gboolean): whether it is the SSRC that was lost
 * - `lost-duration-ms` (guint64): time from the last packet before the loss
 *   to this one, ms
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 aes67src sdp-file=studio1.sdp ! audioconvert ! autoaudiosink
 * ]| Play the stream studio1.sdp describes.
 * |[
 * gst-launch-1.0 aes67src address=239.69.1.10 port=5004 encoding-name=L24 \
 *     rate=48000 channels=2 latency=4 ! audioconvert ! wavenc ! \
 *     filesink location=capture.wav
 * ]| Record a stream given by hand, 4 ms link offset.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstaes67src.h"
#include "gstaes67rtpfilter.h"
#include "gstaes67depay.h"
#include "gstaes67elements.h"
#include "aes67-pacer.h"
#include "aes67-clock-info.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_aes67_src_debug);
#define GST_CAT_DEFAULT gst_aes67_src_debug

enum
{
  PROP_0,
  PROP_SDP,
  PROP_SDP_FILE,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_ENCODING_NAME,
  PROP_RATE,
  PROP_CHANNELS,
  PROP_PAYLOAD_TYPE,
  PROP_LATENCY,
  PROP_MULTICAST_IFACE,
  PROP_BUFFER_SIZE,
  PROP_TIMEOUT,
  PROP_STATS_INTERVAL,
  PROP_PLAYOUT,
  PROP_IGNORE_GRANDMASTER,
  PROP_STATS,
};

#define DEFAULT_SDP NULL
#define DEFAULT_SDP_FILE NULL
#define DEFAULT_ADDRESS NULL
#define DEFAULT_PORT 5004
#define DEFAULT_ENCODING_NAME "L24"
#define DEFAULT_RATE 48000
#define DEFAULT_CHANNELS 2
#define DEFAULT_PAYLOAD_TYPE 96
#define DEFAULT_LATENCY 4
#define DEFAULT_MULTICAST_IFACE NULL
#define DEFAULT_BUFFER_SIZE (256 * 1024)
#define DEFAULT_TIMEOUT 1000
#define DEFAULT_STATS_INTERVAL 1000
#define DEFAULT_PLAYOUT AES67_PLAYOUT_AUTO
#define DEFAULT_IGNORE_GRANDMASTER FALSE

GType
gst_aes67_playout_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {AES67_PLAYOUT_AUTO, "media-clock when the pipeline clock is a PTP clock "
          "and the SDP says the stream is on PTP, else arrival", "auto"},
    {AES67_PLAYOUT_ARRIVAL, "latency after each packet's arrival "
          "(rtpjitterbuffer's own timing)", "arrival"},
    {AES67_PLAYOUT_MEDIA_CLOCK, "latency after each packet's RTP time on the "
          "pipeline clock (RFC 7273): sender and receiver must share the clock",
        "media-clock"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstAes67Playout", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* how often the monitor thread looks at the stream */
#define MONITOR_TICK_US 10000

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format = (string) { S24BE, S16BE }, "
        "rate = (int) [ 8000, 384000 ], channels = (int) [ 1, 64 ], "
        "layout = (string) interleaved"));

#define gst_aes67_src_parent_class parent_class
G_DEFINE_TYPE (GstAes67Src, gst_aes67_src, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (aes67src, "aes67src", GST_RANK_NONE,
    GST_TYPE_AES67_SRC);

static void gst_aes67_src_finalize (GObject * object);
static void gst_aes67_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_aes67_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static GstStateChangeReturn gst_aes67_src_change_state (GstElement * element,
    GstStateChange transition);
static void gst_aes67_src_handle_message (GstBin * bin, GstMessage * msg);
static void choose_playout (GstAes67Src * self);

static void
gst_aes67_src_class_init (GstAes67SrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBinClass *bin_class = GST_BIN_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;

  GST_DEBUG_CATEGORY_INIT (gst_aes67_src_debug, "aes67src", 0,
      "AES67 stream receiver");

  gobject_class->finalize = gst_aes67_src_finalize;
  gobject_class->set_property = gst_aes67_src_set_property;
  gobject_class->get_property = gst_aes67_src_get_property;
  element_class->change_state = gst_aes67_src_change_state;
  bin_class->handle_message = gst_aes67_src_handle_message;

  g_object_class_install_property (gobject_class, PROP_SDP,
      g_param_spec_string ("sdp", "SDP",
          "Session description of the stream (SDP text, CRLF or LF); wins "
          "over sdp-file and the stream properties", DEFAULT_SDP, rw));
  g_object_class_install_property (gobject_class, PROP_SDP_FILE,
      g_param_spec_string ("sdp-file", "SDP file",
          "Path of a file holding the session description", DEFAULT_SDP_FILE,
          rw));
  g_object_class_install_property (gobject_class, PROP_ADDRESS,
      g_param_spec_string ("address", "Address",
          "IPv4 address the stream is sent to (multicast group, or ours for "
          "unicast), without an SDP", DEFAULT_ADDRESS, rw));
  g_object_class_install_property (gobject_class, PROP_PORT,
      g_param_spec_uint ("port", "Port", "UDP port, without an SDP",
          1, 65535, DEFAULT_PORT, rw));
  g_object_class_install_property (gobject_class, PROP_ENCODING_NAME,
      g_param_spec_string ("encoding-name", "Encoding name",
          "RTP encoding, without an SDP: L16 or L24", DEFAULT_ENCODING_NAME,
          rw));
  g_object_class_install_property (gobject_class, PROP_RATE,
      g_param_spec_uint ("rate", "Rate",
          "Sample rate in Hz, without an SDP", 8000, 384000, DEFAULT_RATE, rw));
  g_object_class_install_property (gobject_class, PROP_CHANNELS,
      g_param_spec_uint ("channels", "Channels",
          "Number of channels, without an SDP", 1, 64, DEFAULT_CHANNELS, rw));
  g_object_class_install_property (gobject_class, PROP_PAYLOAD_TYPE,
      g_param_spec_uint ("payload-type", "Payload type",
          "RTP payload type, without an SDP", 0, 127, DEFAULT_PAYLOAD_TYPE,
          rw));
  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_uint ("latency", "Latency",
          "Link offset in ms: the jitter buffer's latency, how long audio is "
          "held before it plays out", 0, 10000, DEFAULT_LATENCY, rw));
  g_object_class_install_property (gobject_class, PROP_MULTICAST_IFACE,
      g_param_spec_string ("multicast-iface", "Multicast interface",
          "Network interface (name) to join the multicast group on; NULL: "
          "the routing table decides", DEFAULT_MULTICAST_IFACE, rw));
  g_object_class_install_property (gobject_class, PROP_BUFFER_SIZE,
      g_param_spec_uint ("buffer-size", "Buffer size",
          "Kernel receive buffer of the socket in bytes (0: system default)",
          0, G_MAXINT, DEFAULT_BUFFER_SIZE, rw));
  g_object_class_install_property (gobject_class, PROP_TIMEOUT,
      g_param_spec_uint ("timeout", "Timeout",
          "Time in ms without packets before the stream counts as lost "
          "(stream-lost message)", 10, 3600000, DEFAULT_TIMEOUT,
          rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_STATS_INTERVAL,
      g_param_spec_uint ("stats-interval", "Statistics interval",
          "Interval in ms between aes67-stats messages (0: none)",
          0, 3600000, DEFAULT_STATS_INTERVAL, rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_PLAYOUT,
      g_param_spec_enum ("playout", "Playout",
          "What the link offset counts from: the RTP time of the audio on the "
          "shared (PTP) clock, or the packets' arrival", GST_TYPE_AES67_PLAYOUT,
          DEFAULT_PLAYOUT, rw));
  g_object_class_install_property (gobject_class, PROP_IGNORE_GRANDMASTER,
      g_param_spec_boolean ("ignore-grandmaster", "Ignore grandmaster",
          "Play out on the media clock (playout=auto) even when the "
          "grandmaster the SDP names is not the pipeline clock's (e.g. behind "
          "a boundary clock); a warning is posted either way",
          DEFAULT_IGNORE_GRANDMASTER, rw));
  /**
   * GstAes67Src:stats:
   *
   * The receiver statistics: a GstStructure named `aes67-stats`, field by
   * field as the `aes67-stats` message (see the element description).
   */
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Receiver statistics (aes67-stats: packet counts, jitter in µs, "
          "SSRC, stream state)", GST_TYPE_STRUCTURE,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_type_mark_as_plugin_api (GST_TYPE_AES67_PLAYOUT, 0);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "AES67 receiver", "Source/Network/Audio",
      "Receives an AES67 RTP stream (from an SDP) and plays it out at a fixed "
      "link offset", "gst-aes67 developers");
}

static GstElement *
make (GstAes67Src * self, const gchar * factory, const gchar * name)
{
  GstElement *e = gst_element_factory_make (factory, name);

  if (!e) {
    if (!self->missing)
      self->missing = g_strdup (factory);
    return NULL;
  }
  gst_bin_add (GST_BIN (self), e);
  return e;
}

static void
gst_aes67_src_init (GstAes67Src * self)
{
  self->port = DEFAULT_PORT;
  self->encoding_name = g_strdup (DEFAULT_ENCODING_NAME);
  self->rate = DEFAULT_RATE;
  self->channels = DEFAULT_CHANNELS;
  self->payload_type = DEFAULT_PAYLOAD_TYPE;
  self->latency_ms = DEFAULT_LATENCY;
  self->buffer_size = DEFAULT_BUFFER_SIZE;
  self->timeout_ms = DEFAULT_TIMEOUT;
  self->stats_interval_ms = DEFAULT_STATS_INTERVAL;
  self->playout = DEFAULT_PLAYOUT;
  self->ignore_grandmaster = DEFAULT_IGNORE_GRANDMASTER;
  aes67_sdp_stream_init (&self->stream);
  g_mutex_init (&self->monitor_lock);
  g_cond_init (&self->monitor_cond);

  self->srcpad = gst_ghost_pad_new_no_target_from_template ("src",
      gst_static_pad_template_get (&src_template));
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);

  /*  udpsrc ! filter ! rtpjitterbuffer ! depay  [src]
   *  (depay: channels as they come, never reordered, see gstaes67depay.c) */
  self->udpsrc = make (self, "udpsrc", "udpsrc");
  self->filter = g_object_new (GST_TYPE_AES67_RTP_FILTER, "name", "filter",
      NULL);
  gst_bin_add (GST_BIN (self), self->filter);
  self->jitterbuffer = make (self, "rtpjitterbuffer", "jitterbuffer");
  self->depay = g_object_new (GST_TYPE_AES67_DEPAY, "name", "depay", NULL);
  gst_bin_add (GST_BIN (self), self->depay);
  if (self->missing)
    return;
  gst_element_link_many (self->udpsrc, self->filter, self->jitterbuffer,
      self->depay, NULL);
  {
    GstPad *target = gst_element_get_static_pad (self->depay, "src");
    gst_ghost_pad_set_target (GST_GHOST_PAD (self->srcpad), target);
    gst_object_unref (target);
  }
  g_object_set (self->jitterbuffer, "do-lost", TRUE, NULL);
}

static void
gst_aes67_src_finalize (GObject * object)
{
  GstAes67Src *self = GST_AES67_SRC (object);

  g_free (self->missing);
  g_free (self->sdp);
  g_free (self->sdp_file);
  g_free (self->address);
  g_free (self->encoding_name);
  g_free (self->multicast_iface);
  aes67_sdp_stream_clear (&self->stream);
  g_mutex_clear (&self->monitor_lock);
  g_cond_clear (&self->monitor_cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static GstStructure *
make_stats (GstAes67Src * self)
{
  Aes67RtpFilterStats st;
  GstStructure *s, *jb = NULL;
  guint64 late = 0;

  gst_aes67_rtp_filter_get_stats (GST_AES67_RTP_FILTER (self->filter), &st);
  if (self->jitterbuffer) {
    g_object_get (self->jitterbuffer, "stats", &jb, NULL);
    if (jb) {
      gst_structure_get_uint64 (jb, "num-late", &late);
      gst_structure_free (jb);
    }
  }
  s = gst_structure_new ("aes67-stats",
      "packets-received", G_TYPE_UINT64, st.received,
      "packets-lost", G_TYPE_INT64, st.lost,
      "packets-late", G_TYPE_UINT64, late + st.too_early,
      "packets-duplicate", G_TYPE_UINT64, st.duplicate,
      "packets-reordered", G_TYPE_UINT64, st.reordered,
      "packets-malformed", G_TYPE_UINT64, st.malformed,
      "packets-foreign", G_TYPE_UINT64, st.foreign,
      "jitter-us", G_TYPE_DOUBLE, st.jitter_us,
      "ssrc", G_TYPE_UINT, st.ssrc,
      "stream-state", G_TYPE_STRING, aes67_stream_state_name (st.state),
      "restored-count", G_TYPE_UINT64, st.restored_count, NULL);
  GST_OBJECT_LOCK (self);
  gst_structure_set (s, "latency-ms", G_TYPE_UINT, self->latency_ms,
      "playout", G_TYPE_STRING, self->media_clock_in_use ? "media-clock" :
      "arrival", NULL);
  if (self->have_stream)
    gst_structure_set (s,
        "encoding-name", G_TYPE_STRING, self->stream.encoding,
        "clock-rate", G_TYPE_INT, (gint) self->stream.rate,
        "channels", G_TYPE_INT, (gint) self->stream.channels,
        "address", G_TYPE_STRING, self->stream.address,
        "port", G_TYPE_INT, (gint) self->stream.port, NULL);
  GST_OBJECT_UNLOCK (self);
  return s;
}

/* Reads the configuration into self->stream. FALSE with an element error
 * saying what is wrong. */
static gboolean
configure_stream (GstAes67Src * self)
{
  Aes67SdpStream s;
  gchar *text = NULL, *file = NULL;
  GError *err = NULL;
  gboolean ok;

  aes67_sdp_stream_init (&s);
  GST_OBJECT_LOCK (self);
  text = g_strdup (self->sdp);
  file = g_strdup (self->sdp_file);
  GST_OBJECT_UNLOCK (self);

  if (!text && file && !g_file_get_contents (file, &text, NULL, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Could not read the session description file %s.", file),
        ("%s", err->message));
    goto fail;
  }
  if (text) {
    if (!aes67_sdp_parse (text, &s, &err)) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("The session description%s%s cannot be played: %s.",
              file && !self->sdp ? " in " : "", file
              && !self->sdp ? file : "", err->message), ("SDP:\n%s", text));
      goto fail;
    }
  } else {
    GST_OBJECT_LOCK (self);
    s.address = g_strdup (self->address);
    s.port = self->port;
    s.encoding = g_ascii_strup (self->encoding_name ? self->encoding_name :
        "", -1);
    s.rate = self->rate;
    s.channels = self->channels;
    s.payload_type = self->payload_type;
    s.ptime_us = 1000;
    GST_OBJECT_UNLOCK (self);
    if (!s.address || !g_hostname_is_ip_address (s.address)) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("No stream to receive: set sdp, sdp-file, or address (an IPv4 "
              "address) with port, encoding-name, rate and channels."), (NULL));
      goto fail;
    }
    if (strcmp (s.encoding, "L16") && strcmp (s.encoding, "L24")) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("encoding-name \"%s\" is not supported: use L16 or L24.",
              s.encoding), (NULL));
      goto fail;
    }
    {
      GInetAddress *ia = g_inet_address_new_from_string (s.address);
      s.multicast = g_inet_address_get_is_multicast (ia);
      g_object_unref (ia);
    }
  }

  GST_OBJECT_LOCK (self);
  aes67_sdp_stream_clear (&self->stream);
  self->stream = s;
  self->have_stream = TRUE;
  GST_OBJECT_UNLOCK (self);
  ok = TRUE;
  goto done;

fail:
  aes67_sdp_stream_clear (&s);
  ok = FALSE;
done:
  g_clear_error (&err);
  g_free (text);
  g_free (file);
  return ok;
}

/* Applies self->stream to the children (NULL->READY, no lock held). */
static void
apply_stream (GstAes67Src * self)
{
  GstAes67RtpFilter *filter = GST_AES67_RTP_FILTER (self->filter);
  GstCaps *caps;
  gchar *address, *iface, *source_filter;
  guint port, pt, frame_bytes, rate, latency, buffer_size, timeout;
  gboolean l16;

  GST_OBJECT_LOCK (self);
  caps = aes67_sdp_stream_to_caps (&self->stream);
  address = g_strdup (self->stream.address);
  port = self->stream.port;
  pt = self->stream.payload_type;
  l16 = !strcmp (self->stream.encoding, "L16");
  frame_bytes = self->stream.channels * (l16 ? 2 : 3);
  rate = self->stream.rate;
  source_filter = g_strdup (self->stream.source_filter);
  iface = g_strdup (self->multicast_iface);
  latency = self->latency_ms;
  buffer_size = self->buffer_size;
  timeout = self->timeout_ms;
  GST_OBJECT_UNLOCK (self);

  g_object_set (self->udpsrc, "address", address, "port", port, "caps", caps,
      "buffer-size", buffer_size, "multicast-iface", iface,
      "retrieve-sender-address", source_filter != NULL, "reuse", TRUE, NULL);
  g_object_set (self->jitterbuffer, "latency", latency, NULL);

  GST_OBJECT_LOCK (filter);
  filter->payload_type = pt;
  filter->frame_bytes = frame_bytes;
  filter->clock_rate = rate;
  g_free (filter->source_filter);
  filter->source_filter = source_filter;
  filter->timeout = (GstClockTime) timeout *GST_MSECOND;
  GST_OBJECT_UNLOCK (filter);
  gst_aes67_rtp_filter_reset (filter);

  GST_INFO_OBJECT (self, "receiving %" GST_PTR_FORMAT " on %s:%u, link "
      "offset %u ms", caps, address, port, latency);
  gst_caps_unref (caps);
  g_free (address);
  g_free (iface);
}

static gpointer
monitor_thread (gpointer data)
{
  GstAes67Src *self = data;
  gint64 next_stats = 0;

  g_mutex_lock (&self->monitor_lock);
  while (!self->monitor_stop) {
    gint64 now;
    guint interval, timeout;
    GstMessage *lost = NULL, *stats = NULL;

    g_cond_wait_until (&self->monitor_cond, &self->monitor_lock,
        g_get_monotonic_time () + MONITOR_TICK_US);
    if (self->monitor_stop || GST_STATE (self) != GST_STATE_PLAYING) {
      next_stats = 0;
      continue;
    }
    g_mutex_unlock (&self->monitor_lock);

    now = aes67_pacer_now ();
    GST_OBJECT_LOCK (self);
    interval = self->stats_interval_ms;
    timeout = self->timeout_ms;
    GST_OBJECT_UNLOCK (self);
    GST_OBJECT_LOCK (self->filter);
    GST_AES67_RTP_FILTER (self->filter)->timeout =
        (GstClockTime) timeout *GST_MSECOND;
    GST_OBJECT_UNLOCK (self->filter);

    if (gst_aes67_rtp_filter_check_timeout (GST_AES67_RTP_FILTER
            (self->filter), now)) {
      Aes67RtpFilterStats st;

      gst_aes67_rtp_filter_get_stats (GST_AES67_RTP_FILTER (self->filter), &st);
      lost = gst_message_new_element (GST_OBJECT (self),
          gst_structure_new ("stream-lost",
              "ssrc", G_TYPE_UINT, st.ssrc,
              "timeout-ms", G_TYPE_UINT, timeout,
              "packets-received", G_TYPE_UINT64, st.received, NULL));
    }
    if (interval > 0) {
      if (next_stats == 0)
        next_stats = now + (gint64) interval *GST_MSECOND;
      else if (now >= next_stats) {
        stats = gst_message_new_element (GST_OBJECT (self), make_stats (self));
        next_stats += (gint64) interval *GST_MSECOND;
        if (next_stats < now)
          next_stats = now + (gint64) interval *GST_MSECOND;
      }
    }
    if (lost) {
      GST_WARNING_OBJECT (self, "no packet for %u ms: stream lost", timeout);
      gst_element_post_message (GST_ELEMENT (self), lost);
    }
    if (stats)
      gst_element_post_message (GST_ELEMENT (self), stats);
    g_mutex_lock (&self->monitor_lock);
  }
  g_mutex_unlock (&self->monitor_lock);
  return NULL;
}

static void
stop_monitor (GstAes67Src * self)
{
  GThread *t;

  g_mutex_lock (&self->monitor_lock);
  self->monitor_stop = TRUE;
  g_cond_broadcast (&self->monitor_cond);
  t = self->monitor;
  self->monitor = NULL;
  g_mutex_unlock (&self->monitor_lock);
  if (t)
    g_thread_join (t);
}

static GstStateChangeReturn
gst_aes67_src_change_state (GstElement * element, GstStateChange transition)
{
  GstAes67Src *self = GST_AES67_SRC (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (self->missing) {
        GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
            ("Missing element '%s': install gst-plugins-good "
                "(gstreamer1.0-plugins-good).", self->missing), (NULL));
        return GST_STATE_CHANGE_FAILURE;
      }
      if (!configure_stream (self))
        return GST_STATE_CHANGE_FAILURE;
      apply_stream (self);
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      gst_aes67_rtp_filter_reset (GST_AES67_RTP_FILTER (self->filter));
      g_mutex_lock (&self->monitor_lock);
      self->monitor_stop = FALSE;
      self->monitor = g_thread_new ("aes67src-monitor", monitor_thread, self);
      g_mutex_unlock (&self->monitor_lock);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
      choose_playout (self);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);

  switch (transition) {
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      stop_monitor (self);
      break;
    default:
      break;
  }
  if (ret == GST_STATE_CHANGE_FAILURE
      && transition == GST_STATE_CHANGE_READY_TO_PAUSED)
    stop_monitor (self);
  return ret;
}

/* Whether the pipeline clock is the one the SDP's media clock refers to:
 * a PTP clock on the SDP's domain, with the SDP's grandmaster (unless
 * ignore-grandmaster, or the SDP says only "traceable"). A mismatch is worth
 * a warning: the stream then plays by arrival. No lock held. */
static gboolean
clock_is_stream_clock (GstAes67Src * self, GstClock * clock)
{
  gchar *gm = NULL, *sdp_gm;
  guint domain = 0;
  gint sdp_domain;
  gboolean direct, ignore, ok = FALSE;

  GST_OBJECT_LOCK (self);
  sdp_domain = self->stream.ptp_domain;
  sdp_gm = g_strdup (self->stream.ptp_gmid);
  direct = self->stream.mediaclk_direct;
  ignore = self->ignore_grandmaster;
  GST_OBJECT_UNLOCK (self);

  if (sdp_domain < 0 || !direct
      || !aes67_clock_get_ptp_info (clock, &gm, &domain, NULL))
    goto done;
  if ((gint) domain != sdp_domain) {
    GST_ELEMENT_WARNING (self, STREAM, FORMAT,
        ("The stream's media clock is on PTP domain %d, the pipeline clock on "
            "domain %u: playing out by packet arrival.", sdp_domain, domain),
        (NULL));
    goto done;
  }
  ok = TRUE;
  if (sdp_gm && g_ascii_strcasecmp (sdp_gm, "TRACEABLE") != 0
      && (!gm || g_ascii_strcasecmp (sdp_gm, gm) != 0)) {
    if (ignore) {
      GST_ELEMENT_WARNING (self, STREAM, FORMAT,
          ("The stream's grandmaster is %s, the pipeline clock's %s; "
              "ignore-grandmaster is set: playing out on the media clock.",
              sdp_gm, gm ? gm : "not known yet"), (NULL));
    } else {
      GST_ELEMENT_WARNING (self, STREAM, FORMAT,
          ("The stream's grandmaster is %s, the pipeline clock's %s: playing "
              "out by packet arrival (set ignore-grandmaster to play out on "
              "the media clock anyway).", sdp_gm, gm ? gm : "not known yet"),
          (NULL));
      ok = FALSE;
    }
  }
done:
  g_free (gm);
  g_free (sdp_gm);
  return ok;
}

/* On the way to PLAYING (the pipeline has given us its clock, a live
 * source has passed no data yet): decide what the link offset counts from.
 * Called with no lock held (setting the jitter buffer's mode from within
 * set_clock would deadlock on the pipeline's lock through deep-notify). */
static void
choose_playout (GstAes67Src * self)
{
  GstAes67RtpFilter *filter = GST_AES67_RTP_FILTER (self->filter);
  GstClock *clock = gst_element_get_clock (GST_ELEMENT (self));
  gboolean media;
  Aes67Playout playout;
  guint32 offset;

  GST_OBJECT_LOCK (self);
  playout = self->playout;
  offset = self->stream.mediaclk_offset;
  media = playout == AES67_PLAYOUT_MEDIA_CLOCK;
  GST_OBJECT_UNLOCK (self);
  if (playout == AES67_PLAYOUT_AUTO && clock)
    media = clock_is_stream_clock (self, clock);
  if (!clock)
    media = FALSE;

  GST_OBJECT_LOCK (self);
  self->media_clock_in_use = media;
  GST_OBJECT_UNLOCK (self);
  GST_OBJECT_LOCK (filter);
  filter->media_clock = media;
  filter->mediaclk_offset = offset;
  GST_OBJECT_UNLOCK (filter);
  /* synced: the first packet's (capture) time as base, RTP time after */
  if (self->jitterbuffer)
    gst_util_set_object_arg (G_OBJECT (self->jitterbuffer), "mode",
        media ? "synced" : "slave");
  GST_INFO_OBJECT (self, "link offset counted from %s",
      media ? "the RTP time on the media clock" : "packet arrival");
  if (clock)
    gst_object_unref (clock);
}

static void
gst_aes67_src_handle_message (GstBin * bin, GstMessage * msg)
{
  GstAes67Src *self = GST_AES67_SRC (bin);

  /* the filter's stream-restored is ours to post */
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
      && GST_MESSAGE_SRC (msg) == GST_OBJECT (self->filter)) {
    GstMessage *own = gst_message_new_element (GST_OBJECT (self),
        gst_structure_copy (gst_message_get_structure (msg)));
    gst_message_unref (msg);
    gst_element_post_message (GST_ELEMENT (self), own);
    return;
  }
  GST_BIN_CLASS (parent_class)->handle_message (bin, msg);
}

static void
gst_aes67_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstAes67Src *self = GST_AES67_SRC (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SDP:
      g_free (self->sdp);
      self->sdp = g_value_dup_string (value);
      break;
    case PROP_SDP_FILE:
      g_free (self->sdp_file);
      self->sdp_file = g_value_dup_string (value);
      break;
    case PROP_ADDRESS:
      g_free (self->address);
      self->address = g_value_dup_string (value);
      break;
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_ENCODING_NAME:
      g_free (self->encoding_name);
      self->encoding_name = g_value_dup_string (value);
      break;
    case PROP_RATE:
      self->rate = g_value_get_uint (value);
      break;
    case PROP_CHANNELS:
      self->channels = g_value_get_uint (value);
      break;
    case PROP_PAYLOAD_TYPE:
      self->payload_type = g_value_get_uint (value);
      break;
    case PROP_LATENCY:
      self->latency_ms = g_value_get_uint (value);
      break;
    case PROP_MULTICAST_IFACE:
      g_free (self->multicast_iface);
      self->multicast_iface = g_value_dup_string (value);
      break;
    case PROP_BUFFER_SIZE:
      self->buffer_size = g_value_get_uint (value);
      break;
    case PROP_TIMEOUT:
      self->timeout_ms = g_value_get_uint (value);
      break;
    case PROP_STATS_INTERVAL:
      self->stats_interval_ms = g_value_get_uint (value);
      break;
    case PROP_PLAYOUT:
      self->playout = g_value_get_enum (value);
      break;
    case PROP_IGNORE_GRANDMASTER:
      self->ignore_grandmaster = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_aes67_src_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstAes67Src *self = GST_AES67_SRC (object);

  if (prop_id == PROP_STATS) {
    g_value_take_boxed (value, make_stats (self));
    return;
  }
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SDP:
      g_value_set_string (value, self->sdp);
      break;
    case PROP_SDP_FILE:
      g_value_set_string (value, self->sdp_file);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_ENCODING_NAME:
      g_value_set_string (value, self->encoding_name);
      break;
    case PROP_RATE:
      g_value_set_uint (value, self->rate);
      break;
    case PROP_CHANNELS:
      g_value_set_uint (value, self->channels);
      break;
    case PROP_PAYLOAD_TYPE:
      g_value_set_uint (value, self->payload_type);
      break;
    case PROP_LATENCY:
      g_value_set_uint (value, self->latency_ms);
      break;
    case PROP_MULTICAST_IFACE:
      g_value_set_string (value, self->multicast_iface);
      break;
    case PROP_BUFFER_SIZE:
      g_value_set_uint (value, self->buffer_size);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout_ms);
      break;
    case PROP_STATS_INTERVAL:
      g_value_set_uint (value, self->stats_interval_ms);
      break;
    case PROP_PLAYOUT:
      g_value_set_enum (value, self->playout);
      break;
    case PROP_IGNORE_GRANDMASTER:
      g_value_set_boolean (value, self->ignore_grandmaster);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}
