/* gst-aes67: aes67sink
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-aes67sink
 * @title: aes67sink
 * @see_also: aes67src, sapannounce, ptpclock, rtpL24pay, udpsink
 *
 * aes67sink sends raw audio as one AES67 (AES67-2018, SMPTE ST 2110-30)
 * RTP stream: L16 or L24, 44.1, 48 or 96 kHz, 1 to 64 channels, one packet
 * every packet time (ptime), and describes it with an SDP that AES67 gear
 * accepts (`sdp` property, `sdp-file`).
 *
 * What makes it AES67 rather than plain RTP:
 *
 * - The media clock. The RTP timestamp of a sample is the clock time of its
 *   capture in samples, `(clock time × rate / 1e9 + timestamp-offset) mod
 *   2^32` (RFC 7273 `a=mediaclk:direct=<timestamp-offset>`), where clock
 *   time is the pipeline clock's: running time plus base time. With a PTP
 *   pipeline clock (see ptpclock) the stream thus carries the PTP media
 *   clock; with GStreamer's default system clock the SDP says so truthfully
 *   (`a=ts-refclk:localmac=<MAC of the sending interface>`).
 * - Pacing. Each packet leaves at the clock time of its first sample plus
 *   the pipeline latency, evenly, not in bursts. One thread per process
 *   paces every aes67sink, sending all packets due at one instant in one
 *   system call per stream.
 * - Packets of exactly one ptime (`a=framecount` frames), sequence numbers
 *   continuous, the marker bit on the first packet, an SSRC that stays for
 *   the session, DSCP AF41 (34) by default.
 * - Packet boundaries on the media clock: the first packet starts at a clock
 *   time that is a whole number of packet times (its RTP time a multiple of
 *   framecount), the frames before the first sample being silence; the last
 *   packet is filled up with silence. Streams of one packet time thus fall
 *   due together, and the pacer sends them in one system call per socket
 *   (streams with the same source address, TTL, DSCP and interface share a
 *   socket). Send times are rounded up to a 125 µs grid for the same reason.
 *
 * Input in S16BE (L16) or S24BE (L24) reaches the wire unchanged: it does
 * not pass through any converter. Any other raw format is converted inside
 * (by audioconvert, up to 63 channels): formats of 16 bits or
 * fewer go out as L16, the others (S24LE, S32, F32, F64…) as L24, unless
 * `encoding` says otherwise. The rate is not converted: put audioresample in
 * front for rates other than 44100, 48000 and 96000 Hz.
 *
 * A format that does not fit one packet into the MTU (ptime × rate ×
 * channels × sample size + 40 bytes of headers over `mtu`) fails at
 * negotiation with an element error that names the numbers.
 *
 * The SDP follows AES67-2018 annex C and what devices expect (records in
 * this order, CRLF): v, o, s, i (channel labels), c (with /ttl), t,
 * a=clock-domain (PTP only), m, c, a=rtpmap, a=recvonly, a=ptime (written
 * locale-independently), a=framecount, a=ts-refclk, a=mediaclk,
 * a=source-filter (multicast); with a secondary path, the DUP form below.
 * The o= session id stays for a session name
 * on a machine; the version is a hash of the rest, so it changes exactly
 * when the session changes.
 *
 * ## Redundancy (SMPTE ST 2022-7)
 *
 * With `secondary-address` set, every packet also goes to a second
 * network: the same RTP packet (SSRC, sequence number, timestamp,
 * payload), sent by the pacer right after the primary copy (the same
 * wake-up, the next system call), with the same `ttl`, `dscp` and `loop`.
 * `secondary-port` is its port (0, the default: the same as `port`);
 * `secondary-multicast-iface` its interface, whose address the secondary
 * socket is bound to. The two paths must differ in destination address,
 * port or source address (RFC 7104), else the stream fails to start with
 * an error that says so. A network whose sends fail costs the other
 * nothing: an element warning names the failing path (at most every 5 s
 * per path), and `stats` counts per path.
 *
 * The SDP then takes the RFC 7104 form AES67 devices write (that of
 * aes67-linux-daemon): after t= (and a=clock-domain) a session-level
 * `a=group:DUP 1 2`, then the media section above ending in `a=mid:1`
 * (the primary), then a second one for the secondary path with its own
 * m= port, c= (the same /ttl) and a=source-filter (its own source
 * address), the same rtpmap, ptime, framecount, ts-refclk and mediaclk,
 * ending in `a=mid:2`. Receivers that know nothing of ST 2022-7 play the
 * first media section, the primary.
 *
 * Pausing (PLAYING -> PAUSED -> PLAYING) stops the stream and goes on
 * where it stopped, for live and non-live sources alike: nothing is sent
 * while paused; packets not yet sent at the pause are held back and sent
 * after it, with the sequence
 * numbers continuing and the RTP time on the media clock of the new base
 * time (a new timeline: marker bit set, up to one packet of silence before
 * the audio, as at the start). A non-live source (a file) keeps latency +
 * 200 ms queued ahead of the clock; none of that is lost.
 *
 * ## When properties take effect
 *
 * The stream is set up when the element goes from READY to PAUSED: every
 * property but `lateness-threshold` is read then, so a change made in NULL
 * or READY is used by the next start. The look-ups that go with them (the
 * source address towards the destination, the interface, its MAC for
 * `a=ts-refclk:localmac`) run then too, without any lock held, and a bad
 * `address`, `ptime`, `multicast-iface` or secondary path fails READY to
 * PAUSED with an error that says why. Set while the stream runs (PAUSED or
 * PLAYING), a property posts a warning naming it: the running stream, its
 * sockets and its SDP keep the values they started with, and the new value
 * takes effect at the next READY to PAUSED. `lateness-threshold` can be
 * changed while playing.
 *
 * `sdp-file` is written whenever the SDP changes (the format becomes
 * known, the PTP grandmaster changes) by a writer thread, never by the
 * streaming thread, so a slow or hung file system does not hold up the
 * packets: the file appears just after the caps arrive, replaced whole
 * (written to a temporary file and renamed). Stopping the stream (PAUSED
 * to READY) waits for a write still under way, so a pipeline stopped just
 * after it started leaves its file too. A file that cannot be written
 * posts an element warning that names it; the stream goes on.
 *
 * aes67sink posts: an element error when the destination is not an IPv4
 * address, the socket cannot be made or the format does not fit the MTU;
 * an element warning (at most every 5 s) while sends fail, e.g. when the
 * network is gone, and the stream carries on when it returns; and QoS
 * messages about late packets (below). Statistics are in `stats`.
 *
 * ## Late packets: QoS messages
 *
 * A packet that leaves more than `lateness-threshold` µs after its time
 * (the clock time of its first sample plus the pipeline latency) is late:
 * a receiver whose link offset leaves less margin than that plays silence
 * in its place. A loaded machine, a source that delivers late or a stalled
 * pacer thread makes packets late. aes67sink then posts a GStreamer QoS
 * message (#GST_MESSAGE_QOS, source: the aes67sink) with the next buffer
 * (or at the end of the stream), and then at most one per second while
 * packets keep leaving late; each message covers the late packets since
 * the one before and carries the totals:
 *
 * - `live` (gboolean): always %TRUE (packets are paced on the clock)
 * - `running-time` (guint64, ns): running time of the first sample of the
 *   latest of the late packets the message covers (the one with the
 *   largest `jitter`), or #GST_CLOCK_TIME_NONE if that packet starts before
 *   running time 0 (with the silence before a timeline's first sample)
 * - `stream-time` (guint64, ns): its stream time, or #GST_CLOCK_TIME_NONE
 * - `timestamp` (guint64, ns): its position in the segment (the buffer
 *   timestamp it came from), or #GST_CLOCK_TIME_NONE
 * - `duration` (guint64, ns): the packet time
 * - `jitter` (gint64, ns): how late that packet left (positive: late),
 *   always more than `lateness-threshold`
 * - `proportion` (gdouble): always 1.0 (aes67sink asks nothing of upstream)
 * - `quality` (gint): always 1000000
 * - `format` (GstFormat): %GST_FORMAT_BUFFERS, counting packets
 * - `processed` (guint64): packets sent in time since the stream started
 *   (READY -> PAUSED): `packets-sent` - `packets-late` of `stats` when the
 *   message was made
 * - `dropped` (guint64): packets that left late since the stream started
 *   (`packets-late` of `stats`): aes67sink sent them, but they count as
 *   lost to a receiver that cannot wait for them
 *
 * Read them with gst_message_parse_qos(), gst_message_parse_qos_values()
 * and gst_message_parse_qos_stats().
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=2 ! \
 *     aes67sink address=239.69.1.10 encoding=L24 session-name="Studio 1" sdp-file=studio1.sdp
 * ]| A stereo test tone as L24 (audiotestsrc gives S16LE, which would go
 * out as L16 without encoding=L24), 1 ms packets, to 239.69.1.10:5004; the
 * SDP goes to studio1.sdp.
 * |[
 * gst-launch-1.0 filesrc location=/usr/share/sounds/alsa/Front_Center.wav ! \
 *     wavparse ! audioresample ! audio/x-raw,rate=48000 ! \
 *     aes67sink address=239.69.1.11 ptime=125 encoding=L24
 * ]| A recording as L24 at 125 µs packet time, paced in real time.
 * |[
 * gst-launch-1.0 audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=2 ! \
 *         aes67sink address=239.69.1.10 multicast-iface=eth0 \
 *         secondary-address=239.69.2.10 secondary-multicast-iface=eth1 \
 *         encoding=L24 session-name="Studio 1 red/blue" sdp-file=studio1-dup.sdp
 * ]| ST 2022-7: the stream on two networks, eth0 and eth1, and an SDP
 * with both legs (see docs/aes67.md, "Redundancy").
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstaes67sink.h"
#include "gstaes67sender.h"
#include "gstaes67elements.h"

#include <gst/audio/audio.h>

GST_DEBUG_CATEGORY_STATIC (gst_aes67_sink_debug);
#define GST_CAT_DEFAULT gst_aes67_sink_debug

/* the defaults: aes67_sender_settings_defaults, the one table */
#define DEFAULTS aes67_sender_settings_defaults

static GParamSpec *properties[AES67_SINK_N_PROPS];

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format = (string) " GST_AUDIO_FORMATS_ALL
        ", rate = (int) { 44100, 48000, 96000 }, channels = (int) [ 1, 64 ], "
        "layout = (string) { interleaved, non-interleaved }"));

#define gst_aes67_sink_parent_class parent_class
G_DEFINE_TYPE (GstAes67Sink, gst_aes67_sink, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (aes67sink, "aes67sink", GST_RANK_NONE,
    GST_TYPE_AES67_SINK);

static void gst_aes67_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_aes67_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_aes67_sink_update_caps (GstAes67Sink * self, GstCaps * in_caps);
static GstStateChangeReturn gst_aes67_sink_change_state (GstElement *
    element, GstStateChange transition);

static void
gst_aes67_sink_class_init (GstAes67SinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;

  GST_DEBUG_CATEGORY_INIT (gst_aes67_sink_debug, "aes67sink", 0,
      "AES67 stream sender");

  gobject_class->set_property = gst_aes67_sink_set_property;
  gobject_class->get_property = gst_aes67_sink_get_property;
  element_class->change_state = gst_aes67_sink_change_state;

  properties[AES67_SINK_PROP_ADDRESS] =
      g_param_spec_string ("address", "Address",
      "Destination IPv4 address: a multicast group (239.x.x.x) or a "
      "receiver's unicast address. Default: a group in 239.69.0.0/16 derived "
      "from the machine and the session name, so that two senders do not "
      "share one by accident", DEFAULTS.address, rw);
  properties[AES67_SINK_PROP_PORT] =
      g_param_spec_uint ("port", "Port", "Destination UDP port",
      1, 65535, DEFAULTS.port, rw);
  properties[AES67_SINK_PROP_PTIME] =
      g_param_spec_uint ("ptime", "Packet time",
      "Packet time in µs: 125, 250, 333 (1/3 ms: 16 frames at 48 kHz), 1000 "
      "or 4000", 125, 4000, DEFAULTS.ptime_us, rw);
  properties[AES67_SINK_PROP_PAYLOAD_TYPE] =
      g_param_spec_uint ("payload-type", "Payload type",
      "RTP payload type (dynamic range)", 96, 127, DEFAULTS.payload_type, rw);
  properties[AES67_SINK_PROP_ENCODING] =
      g_param_spec_enum ("encoding", "Encoding",
      "RTP encoding on the wire (L16: 16-bit, L24: 24-bit big-endian PCM)",
      GST_TYPE_AES67_ENCODING, DEFAULTS.encoding, rw);
  properties[AES67_SINK_PROP_TTL] =
      g_param_spec_uint ("ttl", "TTL",
      "IP time to live (hops) of the packets; written as c=<address>/<ttl> "
      "for multicast", 1, 255, DEFAULTS.ttl, rw);
  properties[AES67_SINK_PROP_MULTICAST_IFACE] =
      g_param_spec_string ("multicast-iface", "Multicast interface",
      "Network interface (name, e.g. eth1) to send multicast on; NULL: the "
      "routing table decides", DEFAULTS.multicast_iface, rw);
  properties[AES67_SINK_PROP_DSCP] =
      g_param_spec_uint ("dscp", "DSCP",
      "Differentiated services code point of the packets (6 bits; AES67 "
      "media: 34 = AF41)", 0, 63, DEFAULTS.dscp, rw);
  properties[AES67_SINK_PROP_LOOP] =
      g_param_spec_boolean ("loop", "Multicast loopback",
      "Deliver multicast packets to receivers on this machine too",
      DEFAULTS.loop, rw);
  properties[AES67_SINK_PROP_MTU] =
      g_param_spec_uint ("mtu", "MTU",
      "Largest IP packet in bytes (headers included) the network carries",
      576, 9000, DEFAULTS.mtu, rw);
  properties[AES67_SINK_PROP_SESSION_NAME] =
      g_param_spec_string ("session-name", "Session name",
      "Name of the session (SDP s=) that receivers show. Default: "
      "\"<host> <element name> <process id>\"", DEFAULTS.session_name, rw);
  properties[AES67_SINK_PROP_SESSION_ID] =
      g_param_spec_uint64 ("session-id", "Session id",
      "SDP o= session id; 0: derived from the machine and session name "
      "(stays across restarts)", 0, G_MAXUINT64, DEFAULTS.session_id, rw);
  properties[AES67_SINK_PROP_CHANNEL_LABELS] =
      g_param_spec_string ("channel-labels", "Channel labels",
      "Comma-separated channel names for the SDP i= line (e.g. "
      "\"Left,Right\"); NULL: from the channel positions, else numbers",
      DEFAULTS.channel_labels, rw);
  properties[AES67_SINK_PROP_TIMESTAMP_OFFSET] =
      g_param_spec_uint ("timestamp-offset", "Timestamp offset",
      "Media clock offset in samples: RTP time = clock time in samples + "
      "this, mod 2^32 (SDP a=mediaclk:direct=<offset>)", 0, G_MAXUINT32,
      DEFAULTS.timestamp_offset, rw);
  properties[AES67_SINK_PROP_SDP] =
      g_param_spec_string ("sdp", "SDP",
      "The current session description (SDP text, CRLF line ends); NULL "
      "until the format is known. Notifies when it changes", NULL,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[AES67_SINK_PROP_SDP_FILE] =
      g_param_spec_string ("sdp-file", "SDP file",
      "Path the session description is written to (by a writer thread) when "
      "the stream starts and whenever it changes; NULL: none",
      DEFAULTS.sdp_file, rw);
  /**
   * GstAes67Sink:stats:
   *
   * A GstStructure named `aes67-sink-stats`:
   *
   * - `packets-sent` (guint64): packets handed to the kernel, each counted
   *   once: with a secondary path, a packet that left on at least one of
   *   the two
   * - `bytes-sent` (guint64): their size, RTP header included, in bytes
   *   (each packet once)
   * - `packets-late` (guint64): packets that left more than
   *   `lateness-threshold` after their time (see QoS messages)
   * - `max-lateness-ns` (gint64): the worst lateness of any packet since
   *   the stream started, ns (0 if none left late)
   * - `max-lateness-us` (gint64): the same in µs
   * - `packets-dropped` (guint64): packets never sent (flush, send error;
   *   with a secondary path: sent on neither path)
   * - `send-errors` (guint64): failed sends, on either path
   * - `primary-packets-sent` (guint64): packets that left on the primary
   *   path (`address`)
   * - `primary-send-errors` (guint64): failed sends on the primary path
   * - `secondary-packets-sent` (guint64): packets that left on the
   *   secondary path (`secondary-address`; 0 without one)
   * - `secondary-send-errors` (guint64): failed sends on the secondary
   *   path
   * - `ssrc` (guint): the stream's RTP SSRC
   * - `seqnum` (guint): sequence number of the next packet
   * - `rtptime` (guint): RTP timestamp of the next packet
   */
  properties[AES67_SINK_PROP_STATS] =
      g_param_spec_boxed ("stats", "Statistics",
      "Sender statistics (aes67-sink-stats: packets, bytes, lateness in ns "
      "and µs, errors; per path with a secondary path)", GST_TYPE_STRUCTURE,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * GstAes67Sink:lateness-threshold:
   *
   * A packet that leaves more than this many µs after its time counts as
   * late: in `packets-late` of `stats` and in QoS messages. The default,
   * 1000 µs, is one packet time at AES67's mandatory 1 ms: a packet that
   * late reaches the receiver together with the next one, which eats a
   * packet of its margin; AES67 receivers run link offsets of a few packet
   * times (1 to 4 ms), so that is where packets begin to be lost. Far
   * below that (the 100 µs counted before) is the ordinary scheduling noise
   * of a busy machine (p99 of 44-174 µs measured here) and would report
   * all the time. Set it to the margin your receivers have: link offset
   * minus the network's delay. Can be changed while playing.
   */
  properties[AES67_SINK_PROP_LATENESS_THRESHOLD] =
      g_param_spec_uint ("lateness-threshold", "Lateness threshold",
      "Packets that leave more than this many µs after their time count as "
      "late (stats packets-late, QoS messages). Default: one packet time at "
      "AES67's 1 ms", 0, 10000000, DEFAULTS.lateness_threshold_us,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);

  /**
   * GstAes67Sink:secondary-address:
   *
   * SMPTE ST 2022-7: the destination on the second network. When set,
   * every packet also goes there, identical (the same SSRC, sequence
   * number, timestamp and payload), sent by the pacer right after the
   * primary copy, with the same `ttl`, `dscp` and `loop`; the SDP takes
   * the RFC 7104 form with two media sections (see above).
   */
  properties[AES67_SINK_PROP_SECONDARY_ADDRESS] =
      g_param_spec_string ("secondary-address", "Secondary address",
      "SMPTE ST 2022-7: destination IPv4 address on the second network (a "
      "multicast group or a unicast receiver); every packet is also sent "
      "there. NULL: one path only", DEFAULTS.secondary_address, rw);
  /**
   * GstAes67Sink:secondary-port:
   *
   * The destination UDP port on the second network; 0 (the default)
   * means the same as `port`.
   */
  properties[AES67_SINK_PROP_SECONDARY_PORT] =
      g_param_spec_uint ("secondary-port", "Secondary port",
      "Destination UDP port on the second network; 0: the same as port",
      0, 65535, DEFAULTS.secondary_port, rw);
  /**
   * GstAes67Sink:secondary-multicast-iface:
   *
   * The interface of the second network. The secondary copies leave from
   * its address (bound, and written in the secondary leg's source filter).
   */
  properties[AES67_SINK_PROP_SECONDARY_MULTICAST_IFACE] =
      g_param_spec_string ("secondary-multicast-iface",
      "Secondary multicast interface",
      "Network interface (name, e.g. eth1) of the second network, which the "
      "secondary copies leave from (multicast); NULL: the routing table "
      "decides", DEFAULTS.secondary_multicast_iface, rw);

  g_object_class_install_properties (gobject_class, AES67_SINK_N_PROPS,
      properties);

  gst_type_mark_as_plugin_api (GST_TYPE_AES67_ENCODING, 0);
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "AES67 sender", "Sink/Network/Audio",
      "Sends raw audio as an AES67 RTP stream (L16/L24, media clock, paced "
      "packets, SDP)", "gst-aes67 developers");
}

static void
sender_sdp_notify (GObject * sender, GParamSpec * pspec, GstAes67Sink * self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[AES67_SINK_PROP_SDP]);
}

static GstPadProbeReturn
sink_caps_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
    GstCaps *caps;

    gst_event_parse_caps (event, &caps);
    gst_aes67_sink_update_caps (GST_AES67_SINK (user_data), caps);
  }
  return GST_PAD_PROBE_OK;
}

static void
gst_aes67_sink_init (GstAes67Sink * self)
{
  GstPad *target;

  /* audioconvert ! capsfilter (L16 / L24 format) ! aes67sender
   *  [ghost sink]                                    (packets, pacer, SDP) */
  self->convert = gst_element_factory_make ("audioconvert", "convert");
  self->capsfilter = gst_element_factory_make ("capsfilter", "format");
  self->sender = g_object_new (GST_TYPE_AES67_SENDER, "name", "sender", NULL);

  /* the class's template (transfer none): gst_static_pad_template_get ()
   * would make a floating template that the pad never sinks, a leak */
  self->sinkpad = gst_ghost_pad_new_no_target_from_template ("sink",
      gst_element_class_get_pad_template (GST_ELEMENT_GET_CLASS (self),
          "sink"));
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);

  gst_bin_add (GST_BIN (self), self->sender);
  g_signal_connect (self->sender, "notify::sdp",
      G_CALLBACK (sender_sdp_notify), self);

  /* audioconvert and capsfilter are in gst-plugins-base, which we need
   * anyway; if they are missing, say so at NULL->READY */
  if (!self->convert || !self->capsfilter)
    return;
  gst_bin_add_many (GST_BIN (self), self->convert, self->capsfilter, NULL);
  gst_element_link_many (self->convert, self->capsfilter, self->sender, NULL);
  target = gst_element_get_static_pad (self->convert, "sink");
  gst_ghost_pad_set_target (GST_GHOST_PAD (self->sinkpad), target);
  gst_object_unref (target);
  gst_pad_add_probe (self->sinkpad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      sink_caps_probe, self, NULL);
}

/* Points the ghost pad at audioconvert, or past it at the capsfilter. */
static void
set_path (GstAes67Sink * self, gboolean convert)
{
  GstPad *conv_src = gst_element_get_static_pad (self->convert, "src");
  GstPad *conv_sink = gst_element_get_static_pad (self->convert, "sink");
  GstPad *filt_sink = gst_element_get_static_pad (self->capsfilter, "sink");
  GstPad *target = gst_ghost_pad_get_target (GST_GHOST_PAD (self->sinkpad));

  if (convert && target != conv_sink) {
    gst_ghost_pad_set_target (GST_GHOST_PAD (self->sinkpad), NULL);
    gst_pad_link (conv_src, filt_sink);
    gst_ghost_pad_set_target (GST_GHOST_PAD (self->sinkpad), conv_sink);
  } else if (!convert && target != filt_sink) {
    gst_ghost_pad_set_target (GST_GHOST_PAD (self->sinkpad), NULL);
    gst_pad_unlink (conv_src, filt_sink);
    gst_ghost_pad_set_target (GST_GHOST_PAD (self->sinkpad), filt_sink);
  }
  if (target)
    gst_object_unref (target);
  gst_object_unref (conv_src);
  gst_object_unref (conv_sink);
  gst_object_unref (filt_sink);
}

/* Chooses L16 or L24 for the input format (encoding=auto), sets the
 * capsfilter, and takes audioconvert out of the path when the input is
 * already what goes on the wire: S16BE / S24BE interleaved then reach the
 * packets untouched (and audioconvert, whose channel mixer stops at 63
 * channels, never sees them). Called from the streaming thread, from a
 * probe on the ghost pad before the caps go further, with no lock held. */
static void
gst_aes67_sink_update_caps (GstAes67Sink * self, GstCaps * in_caps)
{
  Aes67Encoding enc;
  GstAudioInfo info;
  GstAudioFormat wire;
  gboolean have_info;
  GstCaps *caps, *cur;

  enc = gst_aes67_sender_encoding_in_use (GST_AES67_SENDER (self->sender));

  have_info = gst_audio_info_from_caps (&info, in_caps);
  if (enc == AES67_ENCODING_AUTO) {
    enc = AES67_ENCODING_L24;
    if (have_info && GST_AUDIO_INFO_DEPTH (&info) <= 16)
      enc = AES67_ENCODING_L16;
  }
  wire = enc == AES67_ENCODING_L16 ? GST_AUDIO_FORMAT_S16BE :
      GST_AUDIO_FORMAT_S24BE;
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING,
      gst_audio_format_to_string (wire), NULL);
  g_object_get (self->capsfilter, "caps", &cur, NULL);
  if (!cur || !gst_caps_is_equal (cur, caps)) {
    GST_INFO_OBJECT (self, "sending %s", gst_audio_format_to_string (wire));
    g_object_set (self->capsfilter, "caps", caps, NULL);
  }
  if (cur)
    gst_caps_unref (cur);
  gst_caps_unref (caps);

  set_path (self, !(have_info && GST_AUDIO_INFO_FORMAT (&info) == wire
          && GST_AUDIO_INFO_LAYOUT (&info) == GST_AUDIO_LAYOUT_INTERLEAVED));
}

/* Whether every child of @self is in @state or below, with no state change
 * pending. */
static gboolean
children_at_most (GstAes67Sink * self, GstState state)
{
  gboolean ok = TRUE;
  GList *l;

  GST_OBJECT_LOCK (self);
  for (l = GST_BIN_CHILDREN (self); l && ok; l = l->next) {
    GstElement *child = l->data;

    ok = GST_STATE (child) <= state
        && GST_STATE_PENDING (child) == GST_STATE_VOID_PENDING;
  }
  GST_OBJECT_UNLOCK (self);
  return ok;
}

static GstStateChangeReturn
gst_aes67_sink_change_state (GstElement * element, GstStateChange transition)
{
  GstAes67Sink *self = GST_AES67_SINK (element);
  GstState next = GST_STATE_TRANSITION_NEXT (transition);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_NULL_TO_READY
      && (!self->convert || !self->capsfilter)) {
    GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
        ("Missing element '%s': install gst-plugins-base "
            "(gstreamer1.0-plugins-base).",
            self->convert ? "capsfilter" : "audioconvert"), (NULL));
    return GST_STATE_CHANGE_FAILURE;
  }
  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE && next <= GST_STATE_TRANSITION_CURRENT
      (transition) && children_at_most (self, next)) {
    /* GstBin marks itself FAILURE on every child's ERROR message, and
     * GStreamer (1.22) returns that again when the bin is set to the state
     * it is in. So an error on the way up (a stream that does not fit the
     * MTU, found when the caps come, before the sender prerolled, and
     * posted again at each caps the upstream thread pushes) left this bin
     * unable to go down: the pipeline could not go to NULL, and
     * gst-launch-1.0 disposed of it still running (a crash, then its
     * SIGSEGV handler spun: the hang of tests/check/tools/launch-exit).
     * Every child reached the state: going down did not fail. */
    GST_DEBUG_OBJECT (self, "children in %s: the failure an error left "
        "is not this state change's", gst_element_state_get_name (next));
    ret = GST_STATE_CHANGE_SUCCESS;
  }
  return ret;
}

/* A setting the stream takes when it starts (READY -> PAUSED), set while
 * it runs: the value is kept for the next start, and a warning says so.
 * From set_property, no lock held. */
static void
warn_if_running (GstAes67Sink * self, GParamSpec * pspec)
{
  GstState state;

  if (pspec->flags & GST_PARAM_MUTABLE_PLAYING)
    return;
  GST_OBJECT_LOCK (self);
  state = GST_STATE (self);
  GST_OBJECT_UNLOCK (self);
  if (state < GST_STATE_PAUSED)
    return;
  GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
      ("The %s property was set in the %s state: the running stream keeps "
          "the value it started with; the new one takes effect when the "
          "element next goes from READY to PAUSED.", pspec->name,
          gst_element_state_get_name (state)), (NULL));
}

/* every setting goes to the sender's Aes67SenderSettings, the one
 * mapping from property to field */
static void
gst_aes67_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstAes67Sink *self = GST_AES67_SINK (object);

  if (!gst_aes67_sender_set_config (GST_AES67_SENDER (self->sender), prop_id,
          value, pspec)) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }
  warn_if_running (self, pspec);
}

static void
gst_aes67_sink_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstAes67Sink *self = GST_AES67_SINK (object);

  if (!gst_aes67_sender_get_config (GST_AES67_SENDER (self->sender), prop_id,
          value, pspec))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}
