/* gst-aes67: aes67src
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-aes67src
 * @title: aes67src
 * @see_also: aes67sink, sapannounce, ptpclock
 *
 * aes67src receives one AES67 (AES67-2018, SMPTE ST 2110-30) audio stream
 * and outputs its audio, in the stream's own format (S16BE for L16, S24BE
 * for L24), rate and channel count, played out a fixed link offset
 * (`latency`, ms) after the packets' RTP time.
 *
 * The stream is described by an SDP (`sdp` as text, or `sdp-file`), as
 * AES67 senders write it; or found on the network by its name
 * (`session-name`, see below); or given by hand with `address`, `port`,
 * `encoding-name`, `rate`, `channels` and `payload-type`. The first of
 * these that is set wins, in this order: `sdp`, `sdp-file`,
 * `session-name`, the stream properties. The configuration is read when
 * the element goes from NULL to READY; an SDP that cannot be used fails
 * that state change with an error saying why.
 *
 * ## How the SDP is read
 *
 * One reader (the same for `sdp`, `sdp-file`, `session-name` and the
 * device providers, so what a device monitor lists is what plays):
 * - An SDP (text or file) may have at most 16384 bytes, SAP's own limit;
 *   `sdp-file` must name a regular file (not a directory, FIFO or device)
 *   of text (no NUL byte). Anything else fails NULL to READY at once.
 * - The stream received is that of the first `m=audio ... RTP/AVP` line
 *   with a payload type from its format list whose `a=rtpmap` is L16 or
 *   L24 (8000-384000 Hz, 1-64 channels).
 * - When that line's only payload type has no rtpmap but the line's only
 *   rtpmap is for another number (Dante devices publish
 *   `m=audio 5004 RTP/AVP 97` with `a=rtpmap:96 L24/48000/2`), packets of
 *   the `m=` payload type (97) are received in the rtpmap's format.
 * - An SDP with an ST 2022-7 group (`a=group:DUP 1 2`, RFC 7104, as
 *   aes67sink and AES67 devices write it) gives the stream's second leg:
 *   both are received and merged (see "Redundancy" below). A group that
 *   cannot be read as two legs leaves the primary alone, with a warning.
 * - What was read around is posted as a warning message (RESOURCE,
 *   SETTINGS) that names the media line: that payload type mismatch (with
 *   both numbers), an SDP with several media lines (which one is received,
 *   and why), an `a=ptime` that is not a positive packet time (0, negative,
 *   not a number: the packet time is then taken from `a=framecount`, else
 *   1 ms; reception does not depend on it), an `a=framecount` that is not
 *   a number of frames, a PTP domain that is not 0-127.
 *
 * ## Finding a stream by name
 *
 * With `session-name` (and neither `sdp` nor `sdp-file`), aes67src listens
 * for SAP announcements (RFC 2974, on 239.255.255.255 and 224.2.127.254
 * port 9875, on `multicast-iface`) and, when built with libavahi-client
 * and avahi-daemon runs, for RAVENNA sessions published with mDNS, and
 * takes the SDP of the session whose `s=` line is that name.
 * One browser per process and interface is shared by every aes67src and
 * the device provider, so a session already heard is found at once. At
 * NULL to READY the element waits up to `discovery-timeout` ms for it;
 * when nothing of that name is announced by then the state change fails
 * with an error that names the session, the time and the interface.
 * SAP has no query: a session not yet heard is found at its next
 * announcement, so the wait must exceed the sender's announcement
 * interval. The default, 15 s, is three of the 5 s intervals of
 * sapannounce, PipeWire and ffmpeg (one lost announcement still leaves
 * time); for senders that announce every 30 s (aes67-linux-daemon) set
 * 60000 or more. The name is read with backslash escapes as GStreamer
 * writes strings (`Studio\ 1` is "Studio 1", `\\` a backslash), so the
 * launch line gst-device-monitor-1.0 prints for a session,
 * `aes67src session-name="Studio\ 1"`, works when pasted into a shell.
 * What goes wrong on the mDNS side is posted as a warning (RESOURCE,
 * READ) while the element looks for or follows its session: a RAVENNA
 * session of that name found whose SDP cannot be fetched with RTSP
 * DESCRIBE (the message names the session, the host and port, and why),
 * avahi-daemon going away.
 *
 * While running it follows the session (by its `o=` identity once found):
 * - When its SDP changes (a new `o=` version: the sender restarted with
 *   another address, port or format), the receiver restarts on the new
 *   address and port without an error; a new format reaches downstream as
 *   new caps. The statistics go on counting.
 * - When the session is deleted (SAP deletion, or its mDNS service goes)
 *   or its announcements stop for the browser's time-out (10 announcement
 *   intervals), aes67src stops listening (and outputs silence), posts
 *   `stream-lost` with
 *   `reason` "deleted" or "expired", and keeps running (a live audio sink
 *   plays silence). When a session of that name is announced again, it is
 *   received again and `stream-restored` follows its first packet.
 * Each of these posts a `sap-session` message. The session followed is
 * never evicted from the browser to make room for others: a flood of
 * announcements from other hosts does not take it off air (the browser's
 * limits are per announcer, see docs/discovery.md).
 *
 * An EOS sent to the pipeline (`gst-launch-1.0 -e` on Ctrl-C) gets
 * through in every state, also after the session was deleted or expired;
 * after EOS the session is not received again.
 *
 * Inside, one receive engine serves every aes67src of the process (see
 * docs/aes67.md, "The receive engine"): a few threads wait on all the
 * receivers' sockets at once and read them in batches (`recvmmsg`). Each
 * packet is checked (RTP version, payload type, SSRC lock, source filter,
 * whole frames) and its payload written into the stream's ring at the place
 * its RTP timestamp names. aes67src's own streaming thread takes the audio
 * out of the ring when its playout time comes. Packets that are not valid
 * RTP, carry another payload type, come from a source the SDP's
 * source-filter leaves out, carry another SSRC than the one the receiver
 * locked to, or hold no whole number of frames are counted and dropped; the
 * pipeline keeps running. Channels come out in the order they were sent:
 * mono and stereo positioned, more channels unpositioned (channel-mask 0),
 * as AES67 gives them no speaker positions. The audio is the payload's
 * bytes unchanged (bit-exact).
 *
 * aes67src is a live source: from PLAYING it outputs a buffer every output
 * period (as many whole packets as fit in a quarter of the link offset and
 * 1 ms: 250 µs of 125 µs packets at a 1 ms link offset, 1 ms from the
 * default 4 ms link offset on; with media-clock playout up to 5 ms, so 2 ms
 * at 8 ms and 3 ms at 12 ms: fewer wake-ups), whether packets came or not. A place in the
 * stream that no packet filled in time comes out as silence: a buffer
 * ends where the audio changes from received to missing or back, so every
 * buffer is whole audio or whole silence, and silence is flagged GAP (its
 * frames are what `samples-concealed` counts). So the sink of a pipeline
 * that waits for no stream (a pipeline that also sends, an intercom, a
 * test rig) runs at once.
 *
 * When no packet came for `timeout` ms the stream counts as lost: a
 * `stream-lost` message is posted and the pipeline keeps running (a live
 * audio sink plays silence). The receiver then takes the first stream that
 * matches again, with the same or a new SSRC (a restarted sender), and posts
 * `stream-restored`.
 *
 * ## Redundancy (SMPTE ST 2022-7)
 *
 * A stream sent over two networks ("red" and "blue": the same RTP packets
 * on both) is received on both: from an SDP with a DUP group (from `sdp`,
 * `sdp-file`, SAP or mDNS), or by hand with `secondary-address` (and
 * `secondary-port`, default `port`). The second leg is joined on
 * `secondary-multicast-iface` (NULL: the routing table decides; set it
 * when the two networks are on two interfaces). Both legs' packets go
 * through the same checks into the same ring, and each packet is taken
 * from whichever leg brings it first: a packet lost on one network, or a
 * whole network down, costs no sample while the other brings it. The copy
 * from the other leg is expected and is not counted as a duplicate; the
 * merged figures (`packets-received`, `packets-lost`, `samples-concealed`,
 * ...) are those of the stream the output plays. A secondary leg that
 * cannot be received (no such interface) leaves the primary running, with
 * a warning.
 *
 * A leg that is not the same stream is reported and ignored: packets with
 * another SSRC than the stream's are dropped (`<path>-packets-foreign-ssrc`),
 * and when the secondary's RTP timestamp for a sequence number disagrees
 * with the primary's, the secondary leg is ignored
 * (`secondary-packets-mismatched`) until the stream is lost and taken
 * again; either posts a warning (STREAM, WRONG_TYPE) once, naming the leg,
 * its address and port.
 *
 * When one leg brings no packet for `timeout` ms while the other still
 * does, `path-lost` is posted for it, and `path-restored` at its first
 * packet after that; `stream-lost` comes only when both legs are gone.
 *
 * ## Playout and the link offset
 *
 * With `playout=media-clock` (and with `auto` when the pipeline clock is a
 * PTP clock and the SDP says the stream is on PTP), each sample's time is
 * the capture time its RTP time says on the pipeline clock (RFC 7273
 * mediaclk:direct, AES67-2018 media clock): the buffer holding it has that
 * time (as running time) and plays when the pipeline clock reaches it plus
 * the link offset; it is taken out of the ring and pushed a quarter of an
 * output period (at most 250 µs) before that, so that it reaches even a
 * sink with no processing deadline in time. Receivers on one clock play
 * sample-aligned, whatever the network's delay. The pipeline's latency
 * is the link offset plus what elements downstream add: a GstBaseSink's
 * `processing-deadline` (20 ms by default) and an audio sink's buffer; set
 * `processing-deadline=0` (or the pipeline's `latency`) for a playout time
 * of exactly the link offset.
 *
 * With `playout=arrival` (and `auto` otherwise: a stream not on the
 * pipeline clock's PTP) each sample plays the link offset after its packet
 * arrived: the receiver takes the packets of least transit over the last
 * second as the stream's arrival time, so network jitter does not move the
 * playout. For the first 2 s of a stream (and after a new SSRC, a restart
 * or a timestamp jump, which start with a DISCONT buffer) the buffers'
 * times follow those packets while the receiver settles on them. Then the
 * output runs on the pipeline clock without a break (each buffer's time is
 * the previous one's plus its duration) and a sender whose clock drifts
 * from ours is followed by resampling: the sender's rate is measured from
 * the packets of least transit over about 15 s, and once the audio being
 * played is more than 0.2 ms off where the arrival times put it, it is
 * read through GStreamer's audio resampler (GstAudioResampler, Kaiser,
 * quality 2) at that rate, corrected by a slow controller that keeps the
 * latency at the link offset (within +-2000 ppm). No sample is dropped or
 * repeated for this. Until then (a sender on our own clock) the audio
 * passes through bit-exact; once resampling, it stays so until the stream
 * is anchored again. The switch has no break: the resampler is primed with
 * the audio just played and carries on from the next sample (a constant
 * shift of a quarter of a sample remains), and while resampling the ring
 * is read about 17 samples (0.35 ms at 48 kHz) ahead of the output, which a
 * link offset must leave room for. A position error of more than 20 ms
 * anchors the stream again (DISCONT). While the audio still passes
 * through, arrival times that jump by more than 0.75 ms at once, from a
 * sender not measured to drift by more than 300 ppm (a change of the
 * network path, or a sender such as PipeWire settling late), move the
 * buffers' times with them, as while settling, rather than switch the
 * resampler on.
 *
 * Either way a packet that arrives after its audio was played is counted
 * late (its frames were played as silence), and one so early that the
 * ring cannot hold it (a sender whose clock is far ahead) is counted early.
 *
 * ## When properties take effect
 *
 * The stream is set up when the element leaves NULL: its description
 * (`sdp`, `sdp-file`, `session-name`, `discovery-timeout`, the stream
 * properties), `latency`, `multicast-iface` and `buffer-size` are read then.
 * Set in READY or later, they post a warning and take effect at the next
 * start from NULL. `playout` and `ignore-grandmaster` are read going to
 * PLAYING; `timeout` and `stats-interval` can be changed while playing.
 *
 * ## Messages
 *
 * Element messages, from aes67src:
 *
 * `aes67-stats`, every `stats-interval` ms (the `stats` property holds the
 * same structure):
 * - `packets-received` (guint64): valid packets of the stream (those that
 *   came late included, duplicates not; with two legs each sequence number
 *   once, from the leg that brought it first)
 * - `packets-lost` (gint64, never negative, never decreasing): packets that
 *   never arrived: RFC 3550's "expected minus received", counted once a
 *   sequence number is further behind the newest than the reorder window
 *   (or when the stream is lost), so that a packet that comes out of order
 *   is not first lost and then found; a whole outage counts (a 5 s outage
 *   of a 1 ms stream whose sender ran on is about 5000), a sequence number
 *   jump that the RTP timestamps do not confirm (a restarted sender) does
 *   not. Summed over SSRC changes and sessions that moved.
 * - `packets-late` (guint64): packets that arrived after (some of) their
 *   audio was played out; those frames were played as silence
 * - `packets-early` (guint64): packets so far ahead of the playout (a
 *   sender's clock far ahead of ours) that the ring cannot hold them;
 *   dropped
 * - `packets-duplicate` (guint64): sequence numbers received twice (dropped;
 *   with two legs, twice on the same leg: the other leg's copy is expected
 *   and not counted)
 * - `packets-reordered` (guint64): packets older than the newest one
 * - `packets-malformed` (guint64): not valid RTP, or not whole frames
 * - `packets-foreign` (guint64): another payload type, source or SSRC
 * - `samples-concealed` (guint64): samples per channel (frames) played as
 *   silence because their packet was lost or came late: what the output
 *   misses against what was sent. Silence after the newest packet counts
 *   once a later packet of the same sequence proves the packets between
 *   lost (after an outage, all of it); not when the sender stopped, nor
 *   before a new sender's (SSRC's) first packet, nor before the stream's
 *   first played frame
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
 * - with two legs (ST 2022-7) only, for each path `<path>` of "primary" and
 *   "secondary", beside the merged figures above:
 *   - `<path>-packets-received` (guint64): valid packets that came on this
 *     path, also those the other path brought first
 *   - `<path>-packets-lost` (gint64, never negative): sequence numbers this
 *     path never brought (RFC 3550 expected minus received on the path,
 *     summed over SSRC changes); a path's outage counts when it comes
 *     back. Not audio lost: that is the merged `packets-lost`
 *   - `<path>-packets-late` (guint64): packets of this path that arrived
 *     after (some of) their audio was played
 *   - `<path>-packets-foreign-ssrc` (guint64): packets dropped because
 *     their SSRC is not the stream's (the path carries another stream)
 *   - `<path>-packets-mismatched` (guint64): packets whose RTP timestamp
 *     disagrees with the other path's for the same sequence number (only
 *     ever the secondary's: the secondary is then ignored)
 *   - `<path>-jitter-us` (gdouble): RFC 3550 interarrival jitter of the
 *     path, µs
 *   - `<path>-ssrc` (guint): the SSRC of the last packet seen on the path
 *     (0: none)
 *   - `<path>-state` (gchararray): "waiting" (no packet yet), "receiving"
 *     or "lost" (no packet for `timeout` ms)
 *   - `<path>-address` (gchararray), `<path>-port` (gint): the leg received
 *
 * `stream-lost`, when no packet came for `timeout` ms, or when the session
 * followed with `session-name` left the network:
 * - `ssrc` (guint): the SSRC that went silent (0: none received)
 * - `timeout-ms` (guint): the `timeout` in use, ms (the one that ran out
 *   when `reason` is "timeout")
 * - `packets-received` (guint64): packets received until then
 * - `reason` (gchararray): "timeout" (no packet for `timeout` ms),
 *   "deleted" (the session was deleted: a SAP deletion packet, or its mDNS
 *   service went away) or "expired" (its SAP announcements stopped for the
 *   browser's session time-out)
 *
 * `path-lost`, with two legs (ST 2022-7), when one leg brought no packet
 * for `timeout` ms (while the other still runs, or just before
 * `stream-lost` when both went), or never brought one while the other has
 * brought the stream for `timeout` ms (a network not connected):
 * - `path` (gchararray): "primary" or "secondary"
 * - `address` (gchararray), `port` (gint): the leg (its multicast group or
 *   unicast address, and UDP port)
 * - `ssrc` (guint): the SSRC of its last packet (0: it never brought one)
 * - `timeout-ms` (guint): the `timeout` in use, ms
 * - `other-path-state` (gchararray): the other leg's state then:
 *   "receiving" (the audio goes on from it), "waiting" or "lost"
 *
 * `path-restored`, with two legs, at a leg's first packet after its
 * `path-lost`:
 * - `path` (gchararray), `address` (gchararray), `port` (gint): as in
 *   `path-lost`
 * - `ssrc` (guint): the SSRC it brings now
 * - `lost-duration-ms` (guint64): time from the leg's last packet before
 *   the loss to this one, ms (0 when it had never brought one)
 *
 * `stream-restored`, at the first packet after a loss:
 * - `ssrc` (guint): the SSRC now played
 * - `same-ssrc` (gboolean): whether it is the SSRC that was lost
 * - `lost-duration-ms` (guint64): time from the last packet before the loss
 *   to this one, ms
 *
 * `sap-session`, with `session-name` only, when the SDP in use changes:
 * found at start, changed, removed, found again:
 * - `action` (gchararray): "found" (at NULL to READY, and when the session
 *   is announced again after its removal), "changed" (a new SDP of the
 *   session, now in use) or "removed" (it left the network)
 * - `session-name` (gchararray): the SDP's `s=` line
 * - `session-key` (gchararray): its identity, the `o=` line without the
 *   version ("- 1311738121 IN IP4 192.0.2.1")
 * - `origin` (gchararray): the SAP originating source (the announcer's
 *   IPv4 address), or the mDNS host's address; "" if unknown
 * - `sdp` (gchararray): the SDP text (for "removed": the last one in use)
 * - `address` (gchararray), `port` (gint), `encoding-name` (gchararray),
 *   `clock-rate` (gint, Hz), `channels` (gint): the stream now received
 *   (not in "removed")
 * - `restarted` (gboolean): whether the receiver was restarted for it (a
 *   new address, port or format; not in "removed")
 * - `reason` (gchararray): for "removed" only: "deleted" or "expired", as
 *   in `stream-lost`
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 aes67src sdp-file=studio1.sdp ! audioconvert ! autoaudiosink
 * ]| Play the stream studio1.sdp describes.
 * |[
 * gst-launch-1.0 -e aes67src address=239.69.1.10 port=5004 encoding-name=L24 \
 *     rate=48000 channels=2 latency=4 ! audioconvert ! wavenc ! \
 *     filesink location=capture.wav
 * ]| Record a stream given by hand, 4 ms link offset. Stop it with Ctrl-C:
 * `-e` makes that an end of stream, so wavenc writes the WAV header's
 * lengths (without it the file's header says it is empty).
 * |[
 * gst-launch-1.0 -m aes67src session-name="Studio 1" discovery-timeout=30000 \
 *     ! audioconvert ! autoaudiosink
 * ]| Play the session announced as "Studio 1" (e.g. by
 * `aes67sink session-name="Studio 1" sapannounce`, by PipeWire's
 * module-rtp-sink with `sess.name = "Studio 1"`, or by a Dante device in
 * AES67 mode), waiting up to 30 s for its announcement; follow it when it
 * changes.
 * |[
 * gst-launch-1.0 -m aes67src sdp-file=studio1-dup.sdp multicast-iface=eth0 \
 *     secondary-multicast-iface=eth1 ! audioconvert ! autoaudiosink
 * ]| Play a stream sent over two networks (an SDP with `a=group:DUP 1 2`,
 * as `aes67sink secondary-address=...` writes it), the first on eth0, the
 * second on eth1: either network may fail without a sample lost.
 * |[
 * gst-launch-1.0 -m aes67src address=239.69.1.10 multicast-iface=eth0 \
 *     secondary-address=239.69.2.10 secondary-multicast-iface=eth1 \
 *     encoding-name=L24 rate=48000 channels=2 ! audioconvert ! autoaudiosink
 * ]| The same by hand.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstaes67src.h"
#include "gstaes67elements.h"
#include "aes67-clock-info.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_aes67_src_debug);
#define GST_CAT_DEFAULT gst_aes67_src_debug

enum
{
  PROP_0,
  PROP_SDP,
  PROP_SDP_FILE,
  PROP_SESSION_NAME,
  PROP_DISCOVERY_TIMEOUT,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_ENCODING_NAME,
  PROP_RATE,
  PROP_CHANNELS,
  PROP_PAYLOAD_TYPE,
  PROP_LATENCY,
  PROP_MULTICAST_IFACE,
  PROP_SECONDARY_ADDRESS,
  PROP_SECONDARY_PORT,
  PROP_SECONDARY_MULTICAST_IFACE,
  PROP_BUFFER_SIZE,
  PROP_TIMEOUT,
  PROP_STATS_INTERVAL,
  PROP_PLAYOUT,
  PROP_IGNORE_GRANDMASTER,
  PROP_STATS,
};

#define DEFAULT_SDP NULL
#define DEFAULT_SDP_FILE NULL
#define DEFAULT_SESSION_NAME NULL
/* three of the 5 s SAP intervals of sapannounce, PipeWire and ffmpeg: a
 * receiver started just after an announcement still finds the session when
 * the next one is lost */
#define DEFAULT_DISCOVERY_TIMEOUT 15000
#define DEFAULT_ADDRESS NULL
#define DEFAULT_PORT 5004
#define DEFAULT_ENCODING_NAME "L24"
#define DEFAULT_RATE 48000
#define DEFAULT_CHANNELS 2
#define DEFAULT_PAYLOAD_TYPE 96
#define DEFAULT_LATENCY 4
#define DEFAULT_MULTICAST_IFACE NULL
#define DEFAULT_SECONDARY_ADDRESS NULL
#define DEFAULT_SECONDARY_PORT 0
#define DEFAULT_SECONDARY_MULTICAST_IFACE NULL
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
          "(the packets of least transit)", "arrival"},
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

/* the longest output buffer, ns (and at most a quarter of the link
 * offset): shorter with short packets and a small link offset. Longer with
 * media-clock playout: fewer wake-ups at a long link offset; arrival
 * playout's drift control is shown to hold with 1 ms buffers only
 * (docs/benchmarks.md) */
#define MAX_OUT_NS (1 * GST_MSECOND)
#define MAX_OUT_MEDIA_NS (5 * GST_MSECOND)
/* playout further behind than this (a stalled machine) starts again at
 * the present instead of catching up */
#define MAX_BEHIND_NS (200 * GST_MSECOND)

/* AES67_SRC_CLOCK_WAIT=1: wait with gst_clock_id_wait on every clock (to
 * measure the difference; read once) */
static gboolean clock_id_wait_only;

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format = (string) { S24BE, S16BE }, "
        "rate = (int) [ 8000, 384000 ], channels = (int) [ 1, 64 ], "
        "layout = (string) interleaved"));

#define gst_aes67_src_parent_class parent_class
G_DEFINE_TYPE (GstAes67Src, gst_aes67_src, GST_TYPE_PUSH_SRC);
GST_ELEMENT_REGISTER_DEFINE (aes67src, "aes67src", GST_RANK_NONE,
    GST_TYPE_AES67_SRC);

static void gst_aes67_src_finalize (GObject * object);
static void gst_aes67_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_aes67_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static GstStateChangeReturn gst_aes67_src_change_state (GstElement * element,
    GstStateChange transition);
static void choose_playout (GstAes67Src * self);
static GstCaps *gst_aes67_src_get_caps (GstBaseSrc * bsrc, GstCaps * filter);
static gboolean gst_aes67_src_start (GstBaseSrc * bsrc);
static gboolean gst_aes67_src_stop (GstBaseSrc * bsrc);
static gboolean gst_aes67_src_unlock (GstBaseSrc * bsrc);
static gboolean gst_aes67_src_unlock_stop (GstBaseSrc * bsrc);
static gboolean gst_aes67_src_query (GstBaseSrc * bsrc, GstQuery * query);
static GstFlowReturn gst_aes67_src_create (GstPushSrc * psrc,
    GstBuffer ** outbuf);

static void
gst_aes67_src_class_init (GstAes67SrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSrcClass *basesrc_class = GST_BASE_SRC_CLASS (klass);
  GstPushSrcClass *pushsrc_class = GST_PUSH_SRC_CLASS (klass);
  /* most properties are read when the element leaves NULL (the stream is
   * set up then), so no GST_PARAM_MUTABLE_* flag: setting them later warns */
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  clock_id_wait_only = g_getenv ("AES67_SRC_CLOCK_WAIT") != NULL;

  GST_DEBUG_CATEGORY_INIT (gst_aes67_src_debug, "aes67src", 0,
      "AES67 stream receiver");

  gobject_class->finalize = gst_aes67_src_finalize;
  gobject_class->set_property = gst_aes67_src_set_property;
  gobject_class->get_property = gst_aes67_src_get_property;
  element_class->change_state = gst_aes67_src_change_state;
  basesrc_class->get_caps = gst_aes67_src_get_caps;
  basesrc_class->start = gst_aes67_src_start;
  basesrc_class->stop = gst_aes67_src_stop;
  basesrc_class->unlock = gst_aes67_src_unlock;
  basesrc_class->unlock_stop = gst_aes67_src_unlock_stop;
  basesrc_class->query = gst_aes67_src_query;
  pushsrc_class->create = gst_aes67_src_create;

  g_object_class_install_property (gobject_class, PROP_SDP,
      g_param_spec_string ("sdp", "SDP",
          "Session description of the stream (SDP text, CRLF or LF); wins "
          "over sdp-file and the stream properties", DEFAULT_SDP, rw));
  g_object_class_install_property (gobject_class, PROP_SDP_FILE,
      g_param_spec_string ("sdp-file", "SDP file",
          "Path of a regular file holding the session description (at most "
          "16384 bytes)", DEFAULT_SDP_FILE, rw));
  g_object_class_install_property (gobject_class, PROP_SESSION_NAME,
      g_param_spec_string ("session-name", "Session name",
          "Name (SDP s= line) of a session announced on the network with SAP "
          "(or mDNS/RAVENNA): found at start, followed while running; used "
          "when sdp and sdp-file are not set. Backslash escapes are read as "
          "GStreamer writes them (Studio\\ 1 is Studio 1; a backslash is "
          "\\\\)", DEFAULT_SESSION_NAME, rw));
  g_object_class_install_property (gobject_class, PROP_DISCOVERY_TIMEOUT,
      g_param_spec_uint ("discovery-timeout", "Discovery timeout",
          "How long to wait at start for session-name to be announced, in ms "
          "(0: take only a session already known to the process); make it "
          "more than twice the senders' SAP interval",
          0, G_MAXINT, DEFAULT_DISCOVERY_TIMEOUT, rw));
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
          "Link offset in ms: audio plays out this long after its RTP time "
          "(playout on the media clock) or its arrival (playout=arrival)",
          0, 10000, DEFAULT_LATENCY, rw));
  g_object_class_install_property (gobject_class, PROP_MULTICAST_IFACE,
      g_param_spec_string ("multicast-iface", "Multicast interface",
          "Network interface (name) to join the multicast group on; NULL: "
          "the routing table decides", DEFAULT_MULTICAST_IFACE, rw));
  /**
   * GstAes67Src:secondary-address:
   *
   * SMPTE ST 2022-7, without an SDP: the address of the stream's second
   * leg (the same packets sent over a second network), received beside
   * `address` and merged with it packet by packet.
   */
  g_object_class_install_property (gobject_class, PROP_SECONDARY_ADDRESS,
      g_param_spec_string ("secondary-address", "Secondary address",
          "SMPTE ST 2022-7, without an SDP: IPv4 address of the stream's "
          "second leg (multicast group, or ours for unicast) on the second "
          "network; NULL: one leg only", DEFAULT_SECONDARY_ADDRESS, rw));
  g_object_class_install_property (gobject_class, PROP_SECONDARY_PORT,
      g_param_spec_uint ("secondary-port", "Secondary port",
          "UDP port of the second leg, without an SDP; 0: the same as port",
          0, 65535, DEFAULT_SECONDARY_PORT, rw));
  /**
   * GstAes67Src:secondary-multicast-iface:
   *
   * The interface of the second network, for the second leg of an SDP
   * with a DUP group as well as for `secondary-address`.
   */
  g_object_class_install_property (gobject_class,
      PROP_SECONDARY_MULTICAST_IFACE,
      g_param_spec_string ("secondary-multicast-iface",
          "Secondary multicast interface",
          "Network interface (name, e.g. eth1) of the second network, to "
          "join the second leg's group on (SDP with a DUP group, or "
          "secondary-address); NULL: the routing table decides",
          DEFAULT_SECONDARY_MULTICAST_IFACE, rw));
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
          DEFAULT_PLAYOUT, rw | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_IGNORE_GRANDMASTER,
      g_param_spec_boolean ("ignore-grandmaster", "Ignore grandmaster",
          "Play out on the media clock (playout=auto) even when the "
          "grandmaster the SDP names is not the pipeline clock's (e.g. behind "
          "a boundary clock); a warning is posted either way",
          DEFAULT_IGNORE_GRANDMASTER, rw | GST_PARAM_MUTABLE_READY));
  /**
   * GstAes67Src:stats:
   *
   * The receiver statistics: a GstStructure named `aes67-stats`, field by
   * field as the `aes67-stats` message (see the element description).
   */
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Receiver statistics (aes67-stats: packet counts, samples "
          "concealed, jitter in µs, SSRC, stream state)", GST_TYPE_STRUCTURE,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_type_mark_as_plugin_api (GST_TYPE_AES67_PLAYOUT, 0);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "AES67 receiver", "Source/Network/Audio",
      "Receives an AES67 RTP stream (from an SDP) and plays it out at a fixed "
      "link offset", "gst-aes67 developers");
}

static void
gst_aes67_src_init (GstAes67Src * self)
{
  self->port = DEFAULT_PORT;
  self->discovery_timeout_ms = DEFAULT_DISCOVERY_TIMEOUT;
  self->encoding_name = g_strdup (DEFAULT_ENCODING_NAME);
  self->rate = DEFAULT_RATE;
  self->channels = DEFAULT_CHANNELS;
  self->payload_type = DEFAULT_PAYLOAD_TYPE;
  self->latency_ms = DEFAULT_LATENCY;
  self->latency_in_use_ms = DEFAULT_LATENCY;
  self->buffer_size = DEFAULT_BUFFER_SIZE;
  self->timeout_ms = DEFAULT_TIMEOUT;
  self->stats_interval_ms = DEFAULT_STATS_INTERVAL;
  self->playout = DEFAULT_PLAYOUT;
  self->ignore_grandmaster = DEFAULT_IGNORE_GRANDMASTER;
  aes67_sdp_stream_init (&self->stream);
  g_mutex_init (&self->rx_lock);
  g_cond_init (&self->wait_cond);

  gst_base_src_set_live (GST_BASE_SRC (self), TRUE);
  gst_base_src_set_format (GST_BASE_SRC (self), GST_FORMAT_TIME);
  gst_base_src_set_automatic_eos (GST_BASE_SRC (self), FALSE);
}

static void
gst_aes67_src_finalize (GObject * object)
{
  GstAes67Src *self = GST_AES67_SRC (object);

  g_free (self->sdp);
  g_free (self->sdp_file);
  g_free (self->session_name);
  g_free (self->address);
  g_free (self->encoding_name);
  g_free (self->multicast_iface);
  g_free (self->secondary_address);
  g_free (self->secondary_multicast_iface);
  aes67_sdp_stream_clear (&self->stream);
  if (self->caps)
    gst_caps_unref (self->caps);
  if (self->wait_id)
    gst_clock_id_unref (self->wait_id);
  if (self->pool)
    gst_object_unref (self->pool);
  if (self->resampler)
    gst_audio_resampler_free (self->resampler);
  g_free (self->hist);
  g_free (self->rs_raw);
  g_free (self->rs_in);
  g_free (self->rs_out);
  g_mutex_clear (&self->rx_lock);
  g_cond_clear (&self->wait_cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* @a += the counters of @b (the state, SSRC and jitter are @b's) */
static void
rx_stats_add (Aes67RxStats * a, const Aes67RxStats * b)
{
  guint i;

  a->received += b->received;
  a->lost += b->lost;
  a->late += b->late;
  a->early += b->early;
  a->duplicate += b->duplicate;
  a->reordered += b->reordered;
  a->malformed += b->malformed;
  a->foreign += b->foreign;
  a->samples_concealed += b->samples_concealed;
  a->restored_count += b->restored_count;
  a->jitter_us = b->jitter_us;
  a->ssrc = b->ssrc;
  a->state = b->state;
  a->last_arrival = b->last_arrival;
  a->n_paths = b->n_paths;
  for (i = 0; i < AES67_RX_MAX_PATHS; i++) {
    Aes67RxPathStats *pa = &a->paths[i];
    const Aes67RxPathStats *pb = &b->paths[i];

    pa->received += pb->received;
    pa->lost += pb->lost;
    pa->late += pb->late;
    pa->foreign_ssrc += pb->foreign_ssrc;
    pa->mismatched += pb->mismatched;
    pa->jitter_us = pb->jitter_us;
    pa->ssrc = pb->ssrc;
    pa->state = pb->state;
    pa->ignored = pb->ignored;
    pa->last_arrival = pb->last_arrival;
  }
}

/* The statistics of this run (rx_lock held): the stream's and those of
 * streams before it (a session that moved). */
static void
get_rx_stats_locked (GstAes67Src * self, Aes67RxStats * st)
{
  *st = self->sums;
  if (self->rx) {
    Aes67RxStats cur;

    aes67_rx_stream_get_stats (self->rx, &cur);
    rx_stats_add (st, &cur);
  } else if (self->parked) {
    guint i;

    st->state = AES67_STREAM_LOST;
    st->jitter_us = 0;
    for (i = 0; i < AES67_RX_MAX_PATHS; i++) {
      st->paths[i].state = AES67_STREAM_LOST;
      st->paths[i].jitter_us = 0;
    }
  }
}

static const gchar *const path_names[AES67_RX_MAX_PATHS] = {
  "primary", "secondary"
};

static GstStructure *
make_stats (GstAes67Src * self)
{
  Aes67RxStats st;
  GstStructure *s;
  gboolean media;

  g_mutex_lock (&self->rx_lock);
  get_rx_stats_locked (self, &st);
  media = self->media_clock;
  g_mutex_unlock (&self->rx_lock);
  s = gst_structure_new ("aes67-stats",
      "packets-received", G_TYPE_UINT64, st.received,
      "packets-lost", G_TYPE_INT64, (gint64) st.lost,
      "packets-late", G_TYPE_UINT64, st.late,
      "packets-early", G_TYPE_UINT64, st.early,
      "packets-duplicate", G_TYPE_UINT64, st.duplicate,
      "packets-reordered", G_TYPE_UINT64, st.reordered,
      "packets-malformed", G_TYPE_UINT64, st.malformed,
      "packets-foreign", G_TYPE_UINT64, st.foreign,
      "samples-concealed", G_TYPE_UINT64, st.samples_concealed,
      "jitter-us", G_TYPE_DOUBLE, st.jitter_us,
      "ssrc", G_TYPE_UINT, st.ssrc,
      "stream-state", G_TYPE_STRING, aes67_stream_state_name (st.state),
      "restored-count", G_TYPE_UINT64, st.restored_count, NULL);
  GST_OBJECT_LOCK (self);
  gst_structure_set (s, "latency-ms", G_TYPE_UINT, self->latency_in_use_ms,
      "playout", G_TYPE_STRING, media ? "media-clock" : "arrival", NULL);
  if (self->have_stream)
    gst_structure_set (s,
        "encoding-name", G_TYPE_STRING, self->stream.encoding,
        "clock-rate", G_TYPE_INT, (gint) self->stream.rate,
        "channels", G_TYPE_INT, (gint) self->stream.channels,
        "address", G_TYPE_STRING, self->stream.address,
        "port", G_TYPE_INT, (gint) self->stream.port, NULL);
  if (self->have_stream && self->stream.has_secondary) {
    guint i;

    /* SMPTE ST 2022-7: the figures of each path beside the merged ones */
    for (i = 0; i < AES67_RX_MAX_PATHS; i++) {
      const Aes67RxPathStats *p = &st.paths[i];
      const gchar *n = path_names[i];
      gchar *f[10];
      guint k;

      f[0] = g_strdup_printf ("%s-packets-received", n);
      f[1] = g_strdup_printf ("%s-packets-lost", n);
      f[2] = g_strdup_printf ("%s-packets-late", n);
      f[3] = g_strdup_printf ("%s-packets-foreign-ssrc", n);
      f[4] = g_strdup_printf ("%s-packets-mismatched", n);
      f[5] = g_strdup_printf ("%s-jitter-us", n);
      f[6] = g_strdup_printf ("%s-ssrc", n);
      f[7] = g_strdup_printf ("%s-state", n);
      f[8] = g_strdup_printf ("%s-address", n);
      f[9] = g_strdup_printf ("%s-port", n);
      gst_structure_set (s,
          f[0], G_TYPE_UINT64, p->received,
          f[1], G_TYPE_INT64, (gint64) p->lost,
          f[2], G_TYPE_UINT64, p->late,
          f[3], G_TYPE_UINT64, p->foreign_ssrc,
          f[4], G_TYPE_UINT64, p->mismatched,
          f[5], G_TYPE_DOUBLE, p->jitter_us,
          f[6], G_TYPE_UINT, p->ssrc,
          f[7], G_TYPE_STRING, aes67_stream_state_name (p->state),
          f[8], G_TYPE_STRING, i == 0 ? self->stream.address :
          self->stream.secondary_address,
          f[9], G_TYPE_INT, (gint) (i == 0 ? self->stream.port :
              self->stream.secondary_port), NULL);
      for (k = 0; k < G_N_ELEMENTS (f); k++)
        g_free (f[k]);
    }
  }
  GST_OBJECT_UNLOCK (self);
  return s;
}

/* ---------- following a session by name (session-name) ---------- */

static Aes67SrcFollow *
follow_new (GstAes67Src * self, const gchar * name)
{
  Aes67SrcFollow *f = g_new0 (Aes67SrcFollow, 1);

  f->refcount = 1;
  g_weak_ref_init (&f->element, self);
  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  f->name = g_strdup (name);
  f->removed = -1;
  return f;
}

static Aes67SrcFollow *
follow_ref (Aes67SrcFollow * f)
{
  g_atomic_int_inc (&f->refcount);
  return f;
}

static void
follow_unref (gpointer data, GClosure * closure)
{
  Aes67SrcFollow *f = data;

  if (!g_atomic_int_dec_and_test (&f->refcount))
    return;
  g_free (f->name);
  g_free (f->key);
  g_free (f->followed);
  g_weak_ref_clear (&f->element);
  if (f->update)
    gst_aes67_sap_session_unref (f->update);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
  g_free (f);
}

/* Call with f->lock: tells @browser that the session of @key is the one
 * followed now, so that no flood of other announcements evicts it. */
static void
follow_protect_locked (Aes67SrcFollow * f, GstAes67SapBrowser * browser,
    const gchar * key)
{
  if (g_strcmp0 (f->followed, key) == 0 || (key && f->closed))
    return;
  if (key)
    gst_aes67_sap_browser_follow (browser, key);
  if (f->followed)
    gst_aes67_sap_browser_unfollow (browser, f->followed);
  g_free (f->followed);
  f->followed = g_strdup (key);
}

/* The browser's thread: a session was announced or changed. Only notes it
 * (and has the browser keep it): the element's own threads act on it. */
static void
on_session_update (GstAes67SapBrowser * browser, GstAes67SapSession * s,
    Aes67SrcFollow * f)
{
  g_mutex_lock (&f->lock);
  /* ours by name; once found, by its o= identity, so another session of
   * the same name does not take over while ours lives */
  if (g_strcmp0 (s->name, f->name) == 0 && (!f->key
          || g_strcmp0 (s->key, f->key) == 0)) {
    if (f->update)
      gst_aes67_sap_session_unref (f->update);
    f->update = gst_aes67_sap_session_ref (s);
    g_free (f->key);
    f->key = g_strdup (s->key);
    follow_protect_locked (f, browser, s->key);
    g_cond_broadcast (&f->cond);
  }
  g_mutex_unlock (&f->lock);
}

/* The browser's thread: a session left. */
static void
on_session_removed (GstAes67SapBrowser * browser, GstAes67SapSession * s,
    guint reason, Aes67SrcFollow * f)
{
  g_mutex_lock (&f->lock);
  if (f->key && g_strcmp0 (s->key, f->key) == 0) {
    f->removed = (gint) reason;
    g_clear_pointer (&f->key, g_free);
    if (f->update)
      gst_aes67_sap_session_unref (f->update);
    f->update = NULL;
    g_cond_broadcast (&f->cond);
  }
  g_mutex_unlock (&f->lock);
}

/* The browser's thread: a warning of the browser's mDNS side (the
 * SDP of a session found cannot be fetched, avahi-daemon gone), posted on
 * the element when it is about no session or about ours. */
static void
on_browser_warning (GstAes67SapBrowser * browser, const gchar * name,
    const gchar * message, Aes67SrcFollow * f)
{
  GstElement *self;

  if (name && g_strcmp0 (name, f->name) != 0)
    return;
  self = g_weak_ref_get (&f->element);
  if (!self)
    return;
  GST_ELEMENT_WARNING (self, RESOURCE, READ, ("%s.", message), (NULL));
  gst_object_unref (self);
}

/* Drops the browser and what follows it (no lock held; not on the
 * browser's thread). */
static void
forget_browser (GstAes67Src * self)
{
  GstAes67SapBrowser *browser = self->browser;
  Aes67SrcFollow *f = self->follow;
  GstAes67SapSession *session;
  guint i;

  self->browser = NULL;
  self->follow = NULL;
  if (browser) {
    for (i = 0; i < G_N_ELEMENTS (self->browser_handlers); i++) {
      if (self->browser_handlers[i])
        g_signal_handler_disconnect (browser, self->browser_handlers[i]);
      self->browser_handlers[i] = 0;
    }
    if (f) {
      /* (a handler may still run on the browser's thread: closed) */
      g_mutex_lock (&f->lock);
      follow_protect_locked (f, browser, NULL);
      f->closed = TRUE;
      g_mutex_unlock (&f->lock);
    }
    gst_object_unref (browser);
  }
  if (f)
    follow_unref (f, NULL);
  GST_OBJECT_LOCK (self);
  session = self->session;
  self->session = NULL;
  GST_OBJECT_UNLOCK (self);
  if (session)
    gst_aes67_sap_session_unref (session);
}

/* "10 s", "2.5 s" */
static gchar *
ms_to_string (guint ms)
{
  if (ms % 1000 == 0)
    return g_strdup_printf ("%u s", ms / 1000);
  return g_strdup_printf ("%u.%03u s", ms / 1000, ms % 1000);
}

/* NULL->READY with session-name: listens with the process's shared browser
 * (kept until READY->NULL) and waits up to discovery-timeout for a session
 * named @name. Returns it (a reference), or NULL after an element error. */
static GstAes67SapSession *
discover_session (GstAes67Src * self, const gchar * name)
{
  GstAes67SapSession *found, *s;
  Aes67SrcFollow *f;
  GError *err = NULL;
  gchar *iface;
  guint timeout_ms;
  gint64 end;

  GST_OBJECT_LOCK (self);
  iface = g_strdup (self->multicast_iface);
  timeout_ms = self->discovery_timeout_ms;
  GST_OBJECT_UNLOCK (self);

  self->browser = gst_aes67_sap_browser_get_shared (iface, 0, &err);
  if (!self->browser) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Cannot listen for SAP announcements to find session '%s' (on %s): "
            "%s.", name, iface ? iface : "the default interface",
            err->message), (NULL));
    g_clear_error (&err);
    g_free (iface);
    return NULL;
  }
  f = self->follow = follow_new (self, name);
  self->browser_handlers[0] = g_signal_connect_data (self->browser,
      "session-added", G_CALLBACK (on_session_update), follow_ref (f),
      follow_unref, 0);
  self->browser_handlers[1] = g_signal_connect_data (self->browser,
      "session-changed", G_CALLBACK (on_session_update), follow_ref (f),
      follow_unref, 0);
  self->browser_handlers[2] = g_signal_connect_data (self->browser,
      "session-removed", G_CALLBACK (on_session_removed), follow_ref (f),
      follow_unref, 0);
  self->browser_handlers[3] = g_signal_connect_data (self->browser,
      "warning", G_CALLBACK (on_browser_warning), follow_ref (f),
      follow_unref, 0);
  /* after connecting, so nothing announced in between is missed */
  found = gst_aes67_sap_browser_find_by_name (self->browser, name);

  end = g_get_monotonic_time () + (gint64) timeout_ms *1000;
  g_mutex_lock (&f->lock);
  if (found && !f->update) {
    f->update = found;
    found = NULL;
  }
  while (!f->update && g_cond_wait_until (&f->cond, &f->lock, end));
  s = f->update;
  f->update = NULL;
  f->removed = -1;
  g_free (f->key);
  f->key = s ? g_strdup (s->key) : NULL;
  if (s)
    follow_protect_locked (f, self->browser, s->key);
  g_mutex_unlock (&f->lock);
  if (found)
    gst_aes67_sap_session_unref (found);

  if (!s) {
    gchar *t = ms_to_string (timeout_ms);

    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No session named '%s' announced with SAP%s within %s (on %s): "
            "check the name and that the sender announces it, or raise "
            "discovery-timeout.", name,
            gst_aes67_sap_browser_has_mdns (self->browser) ? " (or mDNS)" :
            "", t, iface ? iface : "the default interface"), (NULL));
    g_free (t);
  } else {
    GST_INFO_OBJECT (self, "found session '%s' (%s) from %s", s->name,
        s->key, GST_STR_NULL (s->origin));
  }
  g_free (iface);
  return s;
}

/* A sap-session message about @s (no lock held). */
static void
post_sap_session (GstAes67Src * self, const gchar * action,
    GstAes67SapSession * s, const Aes67SdpStream * st, gboolean restarted,
    const gchar * reason)
{
  GstStructure *m = gst_structure_new ("sap-session",
      "action", G_TYPE_STRING, action,
      "session-name", G_TYPE_STRING, s->name,
      "session-key", G_TYPE_STRING, s->key,
      "origin", G_TYPE_STRING, s->origin ? s->origin : "",
      "sdp", G_TYPE_STRING, s->sdp, NULL);

  if (st)
    gst_structure_set (m,
        "address", G_TYPE_STRING, st->address,
        "port", G_TYPE_INT, (gint) st->port,
        "encoding-name", G_TYPE_STRING, st->encoding,
        "clock-rate", G_TYPE_INT, (gint) st->rate,
        "channels", G_TYPE_INT, (gint) st->channels,
        "restarted", G_TYPE_BOOLEAN, restarted, NULL);
  if (reason)
    gst_structure_set (m, "reason", G_TYPE_STRING, reason, NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), m));
}

/* What the SDP reader read around (a payload type mismatch, a=ptime:0,
 * several m= lines): one element warning each. No lock held. */
static void
post_sdp_warnings (GstAes67Src * self, const Aes67SdpStream * s,
    GstAes67SapSession * session)
{
  guint i;

  for (i = 0; s->warnings && s->warnings[i]; i++) {
    if (session)
      GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
          ("The session description of '%s' (from %s): %s.", session->name,
              session->origin ? session->origin : "its sender",
              s->warnings[i]), (NULL));
    else
      GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
          ("The session description: %s.", s->warnings[i]), (NULL));
  }
}

/* Reads the configuration into self->stream: sdp, else sdp-file, else the
 * session announced as session-name, else the stream properties. FALSE
 * with an element error saying what is wrong. */
static gboolean
configure_stream (GstAes67Src * self)
{
  Aes67SdpStream s;
  gchar *text = NULL, *file = NULL, *name = NULL, *fname = NULL;
  GstAes67SapSession *session = NULL;
  GError *err = NULL;
  gboolean ok;

  aes67_sdp_stream_init (&s);
  GST_OBJECT_LOCK (self);
  text = g_strdup (self->sdp);
  file = g_strdup (self->sdp_file);
  name = g_strdup (self->session_name);
  GST_OBJECT_UNLOCK (self);
  if (name && strchr (name, '\\')) {
    /* backslash escapes as GStreamer serialises strings: the launch line
     * gst-device-monitor-1.0 prints, session-name="Studio\ 1", reaches us
     * as Studio\ 1 when pasted into a shell */
    gchar *plain = g_strcompress (name);

    g_free (name);
    name = plain;
  }

  if (!text && !file && name && *name) {
    session = discover_session (self, name);
    if (!session)
      goto fail;
    text = g_strdup (session->sdp);
  }

  if (!text && file) {
    if (!aes67_sdp_read_file (file, &text, &err)) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Could not read the session description file: %s.",
              err->message), (NULL));
      goto fail;
    }
    fname = g_filename_display_name (file);
  }
  if (session) {
    if (!aes67_sdp_parse (text, &s, &err)) {
      gchar *shown = aes67_sdp_text_for_message (text);

      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("The session '%s' announced by %s cannot be played: %s.",
              session->name, session->origin ? session->origin : "its sender",
              err->message), ("SDP:\n%s", shown));
      g_free (shown);
      goto fail;
    }
  } else if (text) {
    if (!aes67_sdp_parse (text, &s, &err)) {
      gchar *shown = aes67_sdp_text_for_message (text);

      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("The session description%s%s cannot be played: %s.",
              fname ? " in " : "", fname ? fname : "", err->message),
          ("SDP:\n%s", shown));
      g_free (shown);
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
    GST_OBJECT_LOCK (self);
    if (self->secondary_address && *self->secondary_address) {
      s.has_secondary = TRUE;
      s.secondary_address = g_strdup (self->secondary_address);
      s.secondary_port = self->secondary_port ? self->secondary_port :
          self->port;
    }
    GST_OBJECT_UNLOCK (self);
    if (s.has_secondary) {
      GInetAddress *ia;

      if (!g_hostname_is_ip_address (s.secondary_address) ||
          strchr (s.secondary_address, ':')) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("secondary-address \"%s\" is not an IPv4 address.",
                s.secondary_address), (NULL));
        goto fail;
      }
      ia = g_inet_address_new_from_string (s.secondary_address);
      s.secondary_multicast = g_inet_address_get_is_multicast (ia);
      g_object_unref (ia);
    }
  }

  post_sdp_warnings (self, &s, session);
  if (session)
    post_sap_session (self, "found", session, &s, TRUE, NULL);
  GST_OBJECT_LOCK (self);
  aes67_sdp_stream_clear (&self->stream);
  self->stream = s;
  self->have_stream = TRUE;
  if (self->session)
    gst_aes67_sap_session_unref (self->session);
  self->session = session;
  GST_OBJECT_UNLOCK (self);
  ok = TRUE;
  goto done;

fail:
  aes67_sdp_stream_clear (&s);
  if (session)
    gst_aes67_sap_session_unref (session);
  ok = FALSE;
done:
  g_clear_error (&err);
  g_free (text);
  g_free (file);
  g_free (fname);
  g_free (name);
  return ok;
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

/* ---------- the reception ---------- */

/* Frames per output buffer at @rate Hz with a link offset of @latency_ms,
 * for packets of @packet frames (0: not known yet): at most a quarter of
 * the link offset and MAX_OUT_NS (@media, media-clock playout:
 * MAX_OUT_MEDIA_NS; the link offset holds for the last frame of a buffer
 * too), as many whole packets as fit (many streams stay
 * cheap), or, for packets longer than that, the longest whole part of a
 * packet, so that buffers end where packets end and a lost packet is
 * whole GAP buffers. */
static guint
output_frames (guint packet, guint rate, guint latency_ms, gboolean media)
{
  guint64 limit_ns = MIN (media ? MAX_OUT_MEDIA_NS : MAX_OUT_NS,
      (guint64) latency_ms * GST_MSECOND / 4);
  guint limit = MAX (1, (guint) gst_util_uint64_scale (limit_ns, rate,
          GST_SECOND));
  guint d;

  if (packet == 0)
    return limit;
  if (packet <= limit)
    return limit / packet * packet;
  for (d = limit; d > 1; d--)
    if (packet % d == 0)
      break;
  return d;
}

/* The ring: the link offset and a quarter of a second more, at least 8192
 * frames, a power of two. */
static guint
ring_frames (const Aes67SdpStream * st, guint latency_ms)
{
  guint64 need = gst_util_uint64_scale (latency_ms + 250, st->rate, 1000);
  guint n = 8192;

  while (n < need && n < (1u << 24))
    n <<= 1;
  return n;
}

/* Opens the engine stream for self->stream (no lock held, not the
 * streaming thread's rx_lock). NULL with an element error or warning
 * (@fatal: error) saying why. */
static Aes67RxStream *
open_rx (GstAes67Src * self, gboolean fatal)
{
  Aes67RxConfig cfg = { 0, };
  Aes67RxStream *rx;
  GError *err = NULL;
  gchar *address, *iface, *source_filter;
  gchar *sec_address = NULL, *sec_iface = NULL, *sec_filter = NULL;
  guint sec_port = 0;

  GST_OBJECT_LOCK (self);
  if (self->stream.has_secondary) {
    sec_address = g_strdup (self->stream.secondary_address);
    sec_port = self->stream.secondary_port;
    sec_iface = g_strdup (self->secondary_multicast_iface);
    sec_filter = g_strdup (self->stream.secondary_source_filter);
  }
  address = g_strdup (self->stream.address);
  iface = g_strdup (self->multicast_iface);
  source_filter = g_strdup (self->stream.source_filter);
  cfg.port = self->stream.port;
  cfg.buffer_size = self->buffer_size;
  cfg.payload_type = self->stream.payload_type;
  cfg.channels = self->stream.channels;
  cfg.sample_bytes = !strcmp (self->stream.encoding, "L16") ? 2 : 3;
  cfg.rate = self->stream.rate;
  cfg.ring_frames = ring_frames (&self->stream, self->latency_in_use_ms);
  GST_OBJECT_UNLOCK (self);
  cfg.address = address;
  cfg.multicast_iface = iface;
  cfg.source_filter = source_filter;

  rx = aes67_rx_stream_new (&cfg, &err);
  if (!rx) {
    if (fatal)
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Cannot receive the stream: %s.", err->message), (NULL));
    else
      GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ,
          ("Cannot receive the stream: %s. Waiting for a new session "
              "description.", err->message), (NULL));
    g_clear_error (&err);
  } else {
    GST_INFO_OBJECT (self, "receiving %s:%u (%u ch, %u Hz, %u-byte samples, "
        "ring %u frames)", address, cfg.port, cfg.channels, cfg.rate,
        cfg.sample_bytes, cfg.ring_frames);
    if (sec_address) {
      /* a second leg that cannot be received leaves the primary running */
      if (!aes67_rx_stream_add_leg (rx, sec_address, sec_port, sec_iface,
              sec_filter, &err)) {
        GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ,
            ("Cannot receive the secondary leg (SMPTE ST 2022-7) of the "
                "stream: %s. Receiving the primary leg %s port %u only.",
                err->message, address, cfg.port), (NULL));
        g_clear_error (&err);
      } else {
        GST_INFO_OBJECT (self, "and its secondary leg %s:%u", sec_address,
            sec_port);
      }
    }
  }
  g_free (sec_address);
  g_free (sec_iface);
  g_free (sec_filter);
  g_free (address);
  g_free (iface);
  g_free (source_filter);
  return rx;
}

/* Puts @rx (may be NULL) in place of the stream received, with the
 * format of self->stream; the old one's counters go on in the sums. No
 * lock held. */
static void
swap_rx (GstAes67Src * self, Aes67RxStream * rx)
{
  Aes67RxStream *old;
  GstCaps *caps;
  guint frame_bytes, out;

  GST_OBJECT_LOCK (self);
  caps = aes67_sdp_stream_to_audio_caps (&self->stream);
  frame_bytes = self->stream.channels *
      (!strcmp (self->stream.encoding, "L16") ? 2 : 3);
  out = output_frames (self->stream.ptime_us ?
      aes67_ptime_to_frames (self->stream.ptime_us, self->stream.rate) : 0,
      self->stream.rate, self->latency_in_use_ms, FALSE);
  GST_OBJECT_UNLOCK (self);

  g_mutex_lock (&self->rx_lock);
  old = self->rx;
  if (old) {
    Aes67RxStats st;

    aes67_rx_stream_get_stats (old, &st);
    rx_stats_add (&self->sums, &st);
  }
  self->rx = rx;
  self->parked = rx == NULL;
  self->path_warned[0] = self->path_warned[1] = FALSE;
  if (!self->caps || !gst_caps_is_equal (caps, self->caps)) {
    gst_caps_replace (&self->caps, caps);
    self->caps_pending = TRUE;
  }
  self->frame_bytes = frame_bytes;
  self->out_frames = out;
  self->out_packet = 0;
  self->out_media = FALSE;
  self->reanchor = TRUE;
  g_mutex_unlock (&self->rx_lock);
  gst_caps_unref (caps);
  if (old)
    aes67_rx_stream_free (old);
}

/* Whether two streams are received the same way (same socket, checks and
 * format). */
static gboolean
stream_same_reception (const Aes67SdpStream * a, const Aes67SdpStream * b)
{
  return !g_strcmp0 (a->address, b->address) && a->port == b->port
      && !g_strcmp0 (a->encoding, b->encoding) && a->rate == b->rate
      && a->channels == b->channels && a->payload_type == b->payload_type
      && !g_strcmp0 (a->source_filter, b->source_filter)
      && a->mediaclk_offset == b->mediaclk_offset
      && a->has_secondary == b->has_secondary
      && !g_strcmp0 (a->secondary_address, b->secondary_address)
      && a->secondary_port == b->secondary_port
      && !g_strcmp0 (a->secondary_source_filter, b->secondary_source_filter);
}

/* Streaming thread: the session followed has a new SDP (or is back). */
static void
follow_update (GstAes67Src * self, GstAes67SapSession * session)
{
  Aes67SdpStream ns, old;
  GError *err = NULL;
  gboolean same, restarted = FALSE, was_parked;
  Aes67RxStats st;

  g_mutex_lock (&self->rx_lock);
  was_parked = self->parked;
  g_mutex_unlock (&self->rx_lock);

  aes67_sdp_stream_init (&ns);
  if (!aes67_sdp_parse (session->sdp, &ns, &err)) {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("The new session description of '%s' (from %s) cannot be played: "
            "%s. %s", session->name, session->origin ? session->origin :
            "its sender", err->message, was_parked ? "Waiting for a usable "
            "one." : "Still receiving the previous one."),
        ("SDP:\n%s", session->sdp));
    g_clear_error (&err);
    aes67_sdp_stream_clear (&ns);
    return;
  }
  post_sdp_warnings (self, &ns, session);
  GST_OBJECT_LOCK (self);
  same = stream_same_reception (&self->stream, &ns);
  old = self->stream;
  self->stream = ns;
  if (self->session)
    gst_aes67_sap_session_unref (self->session);
  self->session = gst_aes67_sap_session_ref (session);
  GST_OBJECT_UNLOCK (self);

  if (!same || was_parked) {
    Aes67RxStream *rx;

    GST_INFO_OBJECT (self, "session '%s': now %s:%u %s/%u/%u", session->name,
        ns.address, ns.port, ns.encoding, ns.rate, ns.channels);
    /* the old socket first: the new one may want the same port */
    g_mutex_lock (&self->rx_lock);
    get_rx_stats_locked (self, &st);
    g_mutex_unlock (&self->rx_lock);
    swap_rx (self, NULL);
    rx = open_rx (self, FALSE);
    if (!rx) {
      aes67_sdp_stream_clear (&old);
      return;
    }
    swap_rx (self, rx);
    restarted = TRUE;
    if (was_parked || st.state == AES67_STREAM_LOST) {
      /* still lost: its first packet is a restore (stream-restored) */
      g_mutex_lock (&self->rx_lock);
      self->restore_pending = TRUE;
      self->lost_ssrc = st.ssrc;
      self->lost_at = st.last_arrival;
      g_mutex_unlock (&self->rx_lock);
    }
    choose_playout (self);
  }
  /* (self->stream is only replaced on this thread: safe to read) */
  post_sap_session (self, was_parked ? "found" : "changed", session,
      &self->stream, restarted, NULL);
  aes67_sdp_stream_clear (&old);
}

/* Streaming thread: the session followed left the network. */
static void
follow_removed (GstAes67Src * self, gint reason)
{
  GstAes67SapSession *session;
  Aes67RxStats st;
  const gchar *why = reason == GST_AES67_SAP_REMOVED_DELETED ? "deleted" :
      "expired";
  guint timeout;

  g_mutex_lock (&self->rx_lock);
  if (self->rx)
    aes67_rx_stream_set_lost (self->rx, aes67_rx_now ());
  get_rx_stats_locked (self, &st);
  g_mutex_unlock (&self->rx_lock);
  /* stop listening until it is back */
  swap_rx (self, NULL);

  GST_OBJECT_LOCK (self);
  timeout = self->timeout_ms;
  session = self->session ? gst_aes67_sap_session_ref (self->session) : NULL;
  GST_OBJECT_UNLOCK (self);
  GST_WARNING_OBJECT (self, "session '%s' %s: stream lost, waiting for it",
      session ? session->name : "?", why);
  g_mutex_lock (&self->rx_lock);
  self->restore_pending = FALSE;
  self->lost_ssrc = st.ssrc;
  self->lost_at = st.last_arrival;
  g_mutex_unlock (&self->rx_lock);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self),
          gst_structure_new ("stream-lost",
              "ssrc", G_TYPE_UINT, st.ssrc,
              "timeout-ms", G_TYPE_UINT, timeout,
              "packets-received", G_TYPE_UINT64, st.received,
              "reason", G_TYPE_STRING, why, NULL)));
  if (session) {
    post_sap_session (self, "removed", session, NULL, FALSE, why);
    gst_aes67_sap_session_unref (session);
  }
}

/* Streaming thread, no lock held: acts on what the browser said. */
static void
follow_poll (GstAes67Src * self)
{
  Aes67SrcFollow *f = self->follow;
  GstAes67SapSession *update;
  gboolean parked;
  gint removed;

  if (!f)
    return;
  g_mutex_lock (&f->lock);
  removed = f->removed;
  f->removed = -1;
  update = f->update;
  f->update = NULL;
  g_mutex_unlock (&f->lock);

  g_mutex_lock (&self->rx_lock);
  parked = self->parked;
  g_mutex_unlock (&self->rx_lock);
  if (removed >= 0 && !parked)
    follow_removed (self, removed);
  if (update) {
    follow_update (self, update);
    gst_aes67_sap_session_unref (update);
  }
}

/* ---------- playout ---------- */

static GstCaps *
gst_aes67_src_get_caps (GstBaseSrc * bsrc, GstCaps * filter)
{
  GstAes67Src *self = GST_AES67_SRC (bsrc);
  GstCaps *caps = NULL;

  g_mutex_lock (&self->rx_lock);
  if (self->caps)
    caps = gst_caps_ref (self->caps);
  g_mutex_unlock (&self->rx_lock);
  if (!caps)
    caps = gst_pad_get_pad_template_caps (GST_BASE_SRC_PAD (bsrc));
  if (filter) {
    GstCaps *c = gst_caps_intersect_full (filter, caps,
        GST_CAPS_INTERSECT_FIRST);

    gst_caps_unref (caps);
    caps = c;
  }
  return caps;
}

static gboolean
gst_aes67_src_query (GstBaseSrc * bsrc, GstQuery * query)
{
  GstAes67Src *self = GST_AES67_SRC (bsrc);

  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    GstClockTime latency;

    GST_OBJECT_LOCK (self);
    latency = (GstClockTime) self->latency_in_use_ms * GST_MSECOND;
    GST_OBJECT_UNLOCK (self);
    /* a buffer is pushed the link offset after its capture (or arrival);
     * downstream may hold it as long as it likes: nothing is lost */
    gst_query_set_latency (query, TRUE, latency, GST_CLOCK_TIME_NONE);
    return TRUE;
  }
  return GST_BASE_SRC_CLASS (parent_class)->query (bsrc, query);
}

static gboolean
gst_aes67_src_start (GstBaseSrc * bsrc)
{
  GstAes67Src *self = GST_AES67_SRC (bsrc);

  self->started = FALSE;
  self->have_rtp = FALSE;
  self->drift_locked = FALSE;
  self->rs_engaged = FALSE;
  self->next_stats = 0;
  self->next_check = 0;
  GST_OBJECT_LOCK (self);
  self->flushing = FALSE;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_aes67_src_stop (GstBaseSrc * bsrc)
{
  GstAes67Src *self = GST_AES67_SRC (bsrc);

  /* (the streaming thread has stopped) */
  GST_OBJECT_LOCK (self);
  if (self->wait_id)
    gst_clock_id_unref (self->wait_id);
  self->wait_id = NULL;
  GST_OBJECT_UNLOCK (self);
  if (self->pool) {
    gst_buffer_pool_set_active (self->pool, FALSE);
    gst_object_unref (self->pool);
    self->pool = NULL;
  }
  return TRUE;
}

/* A buffer of @size bytes from our pool (made again when a larger output
 * buffer is needed). Streaming thread. */
static GstBuffer *
alloc_buffer (GstAes67Src * self, gsize size)
{
  GstBuffer *buf = NULL;

  if (!self->pool || self->pool_size < size) {
    GstStructure *config;

    if (self->pool) {
      gst_buffer_pool_set_active (self->pool, FALSE);
      gst_object_unref (self->pool);
    }
    self->pool = gst_buffer_pool_new ();
    config = gst_buffer_pool_get_config (self->pool);
    gst_buffer_pool_config_set_params (config, NULL, (guint) size, 4, 0);
    if (!gst_buffer_pool_set_config (self->pool, config)
        || !gst_buffer_pool_set_active (self->pool, TRUE)) {
      gst_object_unref (self->pool);
      self->pool = NULL;
      return gst_buffer_new_allocate (NULL, size, NULL);
    }
    self->pool_size = size;
  }
  if (gst_buffer_pool_acquire_buffer (self->pool, &buf, NULL) != GST_FLOW_OK)
    return gst_buffer_new_allocate (NULL, size, NULL);
  if (gst_buffer_get_size (buf) != size)
    gst_buffer_set_size (buf, size);
  return buf;
}

static gboolean
gst_aes67_src_unlock (GstBaseSrc * bsrc)
{
  GstAes67Src *self = GST_AES67_SRC (bsrc);

  GST_OBJECT_LOCK (self);
  self->flushing = TRUE;
  if (self->clock_id)
    gst_clock_id_unschedule (self->clock_id);
  g_cond_broadcast (&self->wait_cond);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_aes67_src_unlock_stop (GstBaseSrc * bsrc)
{
  GstAes67Src *self = GST_AES67_SRC (bsrc);

  GST_OBJECT_LOCK (self);
  self->flushing = FALSE;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* Waits until @clock, a GstSystemClock (or a subclass: GstPtpClock,
 * ptpclock's clock, GstNetClientClock), reads @until, with one sleep.
 * Such a clock's time is CLOCK_MONOTONIC (or CLOCK_REALTIME / TAI) through
 * a calibration, so a timed wait on CLOCK_MONOTONIC (g_cond_wait_until, a
 * futex) to where the clock will read @until ends there within the ppm of
 * the calibration; the clock is read again after it, and a clock that ran
 * slower waits the few ns more. gst_clock_id_wait on GstSystemClock 1.22
 * sleeps twice for a wait of 0.5 to 2 ms, an output period's (a futex wait
 * to 0.5 ms before, then clock_nanosleep): one wake-up per buffer and
 * stream more than this (docs/benchmarks.md). FALSE when unlocked
 * (flushing, EOS, going down). */
static gboolean
wait_until_system (GstAes67Src * self, GstClock * clock, GstClockTime until)
{
  gboolean ok;

  GST_OBJECT_LOCK (self);
  while (!self->flushing) {
    GstClockTime now = gst_clock_get_time (clock);
    gint64 end;

    if (now >= until)
      break;
    /* µs, rounded up: never before @until on a clock at monotonic's rate */
    end = g_get_monotonic_time () + (gint64) ((until - now + 999) / 1000);
    g_cond_wait_until (&self->wait_cond, GST_OBJECT_GET_LOCK (self), end);
  }
  ok = !self->flushing;
  GST_OBJECT_UNLOCK (self);
  return ok;
}

/* Waits until the pipeline clock reads @until. FALSE when unlocked
 * (flushing, EOS, going down). */
static gboolean
wait_until (GstAes67Src * self, GstClock * clock, GstClockTime until)
{
  GstClockReturn ret;
  GstClockID id;

  if (GST_IS_SYSTEM_CLOCK (clock) && !clock_id_wait_only)
    return wait_until_system (self, clock, until);

  GST_OBJECT_LOCK (self);
  if (self->flushing) {
    GST_OBJECT_UNLOCK (self);
    return FALSE;
  }
  /* one clock entry, set again for each wait */
  if (!self->wait_id
      || !gst_clock_single_shot_id_reinit (clock, self->wait_id, until)) {
    if (self->wait_id)
      gst_clock_id_unref (self->wait_id);
    self->wait_id = gst_clock_new_single_shot_id (clock, until);
  }
  id = self->clock_id = self->wait_id;
  GST_OBJECT_UNLOCK (self);
  ret = gst_clock_id_wait (id, NULL);
  GST_OBJECT_LOCK (self);
  self->clock_id = NULL;
  GST_OBJECT_UNLOCK (self);
  return ret != GST_CLOCK_UNSCHEDULED;
}

/* The messages the stream's state calls for (streaming thread, no lock
 * held): stream-lost after `timeout`, stream-restored, aes67-stats. */
static void
post_stream_messages (GstAes67Src * self)
{
  GstMessage *lost = NULL, *restored = NULL, *stats = NULL;
  GSList *path_msgs = NULL;
  gchar *leg_warning[AES67_RX_MAX_PATHS] = { NULL, };
  Aes67RxRestore info;
  Aes67RxStats st;
  Aes67RxPathEvent ev;
  guint interval, timeout, i;
  gint64 now = aes67_rx_now ();
  gchar *leg_address[AES67_RX_MAX_PATHS];
  guint leg_port[AES67_RX_MAX_PATHS];

  /* every 10 ms is enough (the time-out's resolution) */
  if (now < self->next_check)
    return;
  self->next_check = now + 10 * GST_MSECOND;
  GST_OBJECT_LOCK (self);
  interval = self->stats_interval_ms;
  timeout = self->timeout_ms;
  leg_address[0] = g_strdup (self->stream.address);
  leg_port[0] = self->stream.port;
  leg_address[1] = g_strdup (self->stream.secondary_address);
  leg_port[1] = self->stream.secondary_port;
  GST_OBJECT_UNLOCK (self);

  g_mutex_lock (&self->rx_lock);
  if (self->rx) {
    gboolean stream_lost = aes67_rx_stream_check_timeout (self->rx, now,
        (gint64) timeout * GST_MSECOND);

    /* SMPTE ST 2022-7: a leg lost or back (path-lost before stream-lost) */
    while (aes67_rx_stream_take_path_event (self->rx, &ev)) {
      GstStructure *ps;

      aes67_rx_stream_get_stats (self->rx, &st);
      ps = gst_structure_new (ev.restored ? "path-restored" : "path-lost",
          "path", G_TYPE_STRING, path_names[ev.path],
          "address", G_TYPE_STRING, leg_address[ev.path] ?
          leg_address[ev.path] : "",
          "port", G_TYPE_INT, (gint) leg_port[ev.path],
          "ssrc", G_TYPE_UINT, ev.ssrc, NULL);
      if (ev.restored)
        gst_structure_set (ps, "lost-duration-ms", G_TYPE_UINT64,
            ev.lost_duration_ms, NULL);
      else
        gst_structure_set (ps, "timeout-ms", G_TYPE_UINT, timeout,
            "other-path-state", G_TYPE_STRING,
            aes67_stream_state_name (st.paths[1 - ev.path].state), NULL);
      path_msgs = g_slist_append (path_msgs,
          gst_message_new_element (GST_OBJECT (self), ps));
    }
    /* a leg that is not the same stream: said once per reception */
    aes67_rx_stream_get_stats (self->rx, &st);
    for (i = 0; i < st.n_paths && st.n_paths > 1; i++) {
      const Aes67RxPathStats *p = &st.paths[i];

      if (self->path_warned[i] || (p->foreign_ssrc == 0 && p->mismatched == 0))
        continue;
      self->path_warned[i] = TRUE;
      if (p->foreign_ssrc)
        leg_warning[i] = g_strdup_printf ("The %s leg of the stream (%s port "
            "%u) carries SSRC 0x%08x, not the stream's 0x%08x: it is not the "
            "same stream (SMPTE ST 2022-7 needs identical packets on both "
            "networks); its packets are ignored", path_names[i],
            leg_address[i] ? leg_address[i] : "?", leg_port[i], p->ssrc,
            st.ssrc);
      else
        leg_warning[i] = g_strdup_printf ("The %s leg of the stream (%s port "
            "%u) carries RTP timestamps that disagree with the primary's for "
            "the same sequence numbers: it is not the same stream (SMPTE ST "
            "2022-7 needs identical packets on both networks); it is "
            "ignored until the stream is lost and taken again",
            path_names[i], leg_address[i] ? leg_address[i] : "?", leg_port[i]);
    }
    if (stream_lost) {
      get_rx_stats_locked (self, &st);
      lost = gst_message_new_element (GST_OBJECT (self),
          gst_structure_new ("stream-lost",
              "ssrc", G_TYPE_UINT, st.ssrc,
              "timeout-ms", G_TYPE_UINT, timeout,
              "packets-received", G_TYPE_UINT64, st.received,
              "reason", G_TYPE_STRING, "timeout", NULL));
    }
    if (aes67_rx_stream_take_restored (self->rx, &info)) {
      restored = gst_message_new_element (GST_OBJECT (self),
          gst_structure_new ("stream-restored",
              "ssrc", G_TYPE_UINT, info.ssrc,
              "same-ssrc", G_TYPE_BOOLEAN, info.same_ssrc,
              "lost-duration-ms", G_TYPE_UINT64, info.lost_duration_ms, NULL));
      self->restore_pending = FALSE;
    } else if (self->restore_pending) {
      /* a new stream after a loss (the session came back, or moved) */
      aes67_rx_stream_get_stats (self->rx, &st);
      if (st.state == AES67_STREAM_RECEIVING) {
        gint64 d = self->lost_at > 0 ? st.last_arrival - self->lost_at : 0;

        restored = gst_message_new_element (GST_OBJECT (self),
            gst_structure_new ("stream-restored",
                "ssrc", G_TYPE_UINT, st.ssrc,
                "same-ssrc", G_TYPE_BOOLEAN, st.ssrc == self->lost_ssrc,
                "lost-duration-ms", G_TYPE_UINT64,
                (guint64) MAX (d, 0) / 1000000, NULL));
        self->restore_pending = FALSE;
        self->sums.restored_count++;
      }
    }
  }
  g_mutex_unlock (&self->rx_lock);

  if (interval > 0) {
    if (self->next_stats == 0)
      self->next_stats = now + (gint64) interval *GST_MSECOND;
    else if (now >= self->next_stats) {
      stats = gst_message_new_element (GST_OBJECT (self), make_stats (self));
      self->next_stats += (gint64) interval *GST_MSECOND;
      if (self->next_stats < now)
        self->next_stats = now + (gint64) interval *GST_MSECOND;
    }
  }
  for (i = 0; i < AES67_RX_MAX_PATHS; i++) {
    if (leg_warning[i]) {
      GST_ELEMENT_WARNING (self, STREAM, WRONG_TYPE, ("%s.", leg_warning[i]),
          (NULL));
      g_free (leg_warning[i]);
    }
  }
  while (path_msgs) {
    GstMessage *m = path_msgs->data;

    GST_WARNING_OBJECT (self, "%" GST_PTR_FORMAT,
        gst_message_get_structure (m));
    gst_element_post_message (GST_ELEMENT (self), m);
    path_msgs = g_slist_delete_link (path_msgs, path_msgs);
  }
  g_free (leg_address[0]);
  g_free (leg_address[1]);
  if (lost) {
    GST_WARNING_OBJECT (self, "no packet for %u ms: stream lost", timeout);
    gst_element_post_message (GST_ELEMENT (self), lost);
  }
  if (restored)
    gst_element_post_message (GST_ELEMENT (self), restored);
  if (stats) {
    GST_DEBUG_OBJECT (self, "%" GST_PTR_FORMAT,
        gst_message_get_structure (stats));
    gst_element_post_message (GST_ELEMENT (self), stats);
  }
}

/* Clock time, on @clock, of RTP time @rtp of a stream anchored at @a
 * (arrival playout); @mono_to_clock: clock time - monotonic time. */
static GstClockTime
arrival_clock_time (const Aes67RxAnchor * a, gint64 mono_to_clock,
    guint32 rtp, guint rate)
{
  gint64 frames = (gint32) (rtp - a->rtp_ts);
  gint64 t = a->arrival + mono_to_clock;

  if (frames >= 0)
    t += (gint64) gst_util_uint64_scale (frames, GST_SECOND, rate);
  else
    t -= (gint64) gst_util_uint64_scale (-frames, GST_SECOND, rate);
  return t > 0 ? (GstClockTime) t : 0;
}

/* Following a drifting sender (arrival playout).
 *
 * For the first DRIFT_SETTLE_NS after (re)anchoring (and until the
 * sender's rate is known: anchors 1.5 s apart), the output time
 * follows the anchor as it settles on the packet of least transit (the
 * PTS may step by what the anchor moves). Then the output time runs on as
 * a frame count at the nominal rate and never steps again (but for a
 * change of the path while passing through: DRIFT_REBASE_NS) until the next
 * re-anchor. Each buffer, the read position is compared with where the
 * anchor says it should be at that output time (in frames, the anchor
 * extrapolated at the nominal rate while passing through, at the sender's
 * rate while resampling). The sender's rate is measured from the anchors
 * of the last (DRIFT_ANCHORS - 1) x DRIFT_ANCHOR_NS (packets of least
 * transit, whose noise of up to ~0.1 ms is small over seconds). While the low-passed error
 * stays within DRIFT_DEADBAND_NS the ring is copied through untouched
 * (bit-exact). Beyond it, the ring is read through GStreamer's audio
 * resampler at the sender's rate corrected by a PI controller on the
 * error (DRIFT_KP, DRIFT_KI: critically damped at 0.3 rad/s; the rate
 * measurement does most of the work, the controller takes out its noise
 * and lag), clamped to DRIFT_MAX_PPM, until the next re-anchor. An error beyond DRIFT_STEP_NS
 * is a re-anchor (DISCONT).
 *
 * The switch: the resampler is primed with the last frames passed through
 * (DRIFT_HIST_FRAMES) at a ratio 1 ppm off 1 (exactly 1 is a separate mode
 * of the resampler, with another delay), and its output is taken from the
 * frame after the last one passed through, so no frame is dropped or
 * repeated; what is left is a constant fractional delay of DRIFT_PHASE
 * frames (measured for the Kaiser filter at quality DRIFT_QUALITY). While
 * resampling, the ring is read about the filter's half length ahead of
 * the output (17 frames, 0.35 ms at 48 kHz). */
#define DRIFT_SETTLE_NS (2 * GST_SECOND)
#define DRIFT_DEADBAND_NS (200 * GST_USECOND)
#define DRIFT_STEP_NS (20 * GST_MSECOND)
#define DRIFT_MAX_PPM 2000
#define DRIFT_RATE_OUT 1000000
#define DRIFT_QUALITY 2
#define DRIFT_PHASE (-0.25)
#define DRIFT_HIST_FRAMES 64
/* while passing through, a jump of the error by more than this between two
 * buffers, from a sender not measured to drift by more than
 * DRIFT_REBASE_MAX_PPM, is a change of the path (the packets of least
 * transit now arrive earlier or later), not drift: the output time moves
 * by it, as while settling (drift of up to 300 ppm moves the anchor by at
 * most 0.6 ms at once: one anchor a second, up to 2 s old) */
#define DRIFT_REBASE_NS (750 * GST_USECOND)
#define DRIFT_REBASE_MAX_PPM 300
/* error low-pass time constant (s); the ratio is the sender's rate less
 * (DRIFT_KP x error + DRIFT_KI x its integral) / rate (1/s, 1/s^2);
 * anchors are kept DRIFT_ANCHOR_NS apart */
#define DRIFT_TAU 0.2
#define DRIFT_KP 0.6
#define DRIFT_KI 0.09
#define DRIFT_ANCHOR_NS (GST_SECOND / 2)

/* Forgets the drift state: a new anchor (the output time follows it again
 * for DRIFT_SETTLE_NS from @now_capture on). */
static void
drift_reset (GstAes67Src * self, GstClockTime now_capture)
{
  self->drift_locked = FALSE;
  self->drift_settle_end = now_capture + DRIFT_SETTLE_NS;
  self->drift_frames = 0;
  self->drift_err = 0;
  self->drift_prev_err = 0;
  self->drift_have_prev = FALSE;
  self->drift_integ = 0;
  self->anch_n = 0;
  self->anch_head = 0;
  self->drift_in_rate = DRIFT_RATE_OUT;
  self->rs_engaged = FALSE;
  self->rs_skip = 0;
  self->hist_frames = 0;
}

static gpointer
grow (gpointer p, gsize * size, gsize need)
{
  if (*size < need) {
    p = g_realloc (p, need);
    *size = need;
  }
  return p;
}

/* stream format (S16BE / S24BE) to native S32 and back */
static void
drift_unpack (const guint8 * src, gint32 * dst, gsize samples, guint sb)
{
  gsize i;

  if (sb == 3) {
    for (i = 0; i < samples; i++, src += 3)
      dst[i] = (gint32) (((guint32) src[0] << 24) | ((guint32) src[1] << 16)
          | ((guint32) src[2] << 8));
  } else {
    for (i = 0; i < samples; i++, src += 2)
      dst[i] = (gint32) ((guint32) GST_READ_UINT16_BE (src) << 16);
  }
}

static void
drift_pack (const gint32 * src, guint8 * dst, gsize samples, guint sb)
{
  gsize i;

  if (sb == 3) {
    for (i = 0; i < samples; i++, dst += 3) {
      gint64 v = ((gint64) src[i] + 128) >> 8;

      v = CLAMP (v, -8388608, 8388607);
      dst[0] = (guint8) (v >> 16);
      dst[1] = (guint8) (v >> 8);
      dst[2] = (guint8) v;
    }
  } else {
    for (i = 0; i < samples; i++, dst += 2) {
      gint64 v = ((gint64) src[i] + 32768) >> 16;

      v = CLAMP (v, -32768, 32767);
      GST_WRITE_UINT16_BE (dst, (guint16) v);
    }
  }
}

/* Keeps the last frames of @data (@n frames just passed through). */
static void
drift_keep_history (GstAes67Src * self, const guint8 * data, guint n,
    guint frame_bytes)
{
  guint cap = DRIFT_HIST_FRAMES;

  if (self->hist_frame_bytes != frame_bytes) {
    self->hist = g_realloc (self->hist, (gsize) cap * frame_bytes);
    self->hist_frame_bytes = frame_bytes;
    self->hist_frames = 0;
  }
  if (n >= cap) {
    memcpy (self->hist, data + (gsize) (n - cap) * frame_bytes,
        (gsize) cap * frame_bytes);
    self->hist_frames = cap;
    return;
  }
  if (self->hist_frames + n > cap) {
    guint keep = cap - n;

    memmove (self->hist, self->hist + (gsize) (self->hist_frames - keep) *
        frame_bytes, (gsize) keep * frame_bytes);
    self->hist_frames = keep;
  }
  memcpy (self->hist + (gsize) self->hist_frames * frame_bytes, data,
      (gsize) n * frame_bytes);
  self->hist_frames += n;
}

/* Starts reading through the resampler at the read position (next_rtp),
 * @dir the sign of the first correction. FALSE if the format is not one
 * the resampler takes. */
static gboolean
drift_engage (GstAes67Src * self, guint channels, guint frame_bytes, gint dir)
{
  guint sb = channels ? frame_bytes / channels : 0;
  guint k, produced;
  gpointer in[1], out[1];

  if (channels == 0 || (sb != 2 && sb != 3) || sb * channels != frame_bytes)
    return FALSE;
  self->drift_in_rate = DRIFT_RATE_OUT + (dir < 0 ? -1 : 1);
  if (self->resampler && (self->rs_channels != channels
          || self->rs_sample_bytes != sb)) {
    gst_audio_resampler_free (self->resampler);
    self->resampler = NULL;
  }
  if (!self->resampler) {
    GstStructure *opts = gst_structure_new_empty ("drift");

    gst_audio_resampler_options_set_quality (GST_AUDIO_RESAMPLER_METHOD_KAISER,
        DRIFT_QUALITY, self->drift_in_rate, DRIFT_RATE_OUT, opts);
    self->resampler =
        gst_audio_resampler_new (GST_AUDIO_RESAMPLER_METHOD_KAISER,
        GST_AUDIO_RESAMPLER_FLAG_VARIABLE_RATE, GST_AUDIO_FORMAT_S32,
        (gint) channels, self->drift_in_rate, DRIFT_RATE_OUT, opts);
    gst_structure_free (opts);
    if (!self->resampler)
      return FALSE;
    self->rs_channels = channels;
    self->rs_sample_bytes = sb;
  } else {
    gst_audio_resampler_reset (self->resampler);
    gst_audio_resampler_update (self->resampler, self->drift_in_rate,
        DRIFT_RATE_OUT, NULL);
  }

  /* prime it with the frames passed through last (2 x its latency): the
   * first output frame it hands out after them is the read position's */
  k = MIN ((guint) (2 * gst_audio_resampler_get_max_latency (self->resampler)),
      self->hist_frame_bytes == frame_bytes ? self->hist_frames : 0);
  produced = 0;
  if (k > 0) {
    produced = (guint) gst_audio_resampler_get_out_frames (self->resampler, k);
    self->rs_in = grow (self->rs_in, &self->rs_in_size,
        (gsize) k * channels * sizeof (gint32));
    self->rs_out = grow (self->rs_out, &self->rs_out_size,
        (gsize) MAX (produced, 1) * channels * sizeof (gint32));
    drift_unpack (self->hist + (gsize) (self->hist_frames - k) * frame_bytes,
        self->rs_in, (gsize) k * channels, sb);
    in[0] = self->rs_in;
    out[0] = self->rs_out;
    gst_audio_resampler_resample (self->resampler, in, k, out, produced);
  }
  self->rs_skip = k > produced ? k - produced : 0;
  self->rs_start = self->next_rtp;
  self->rs_out_pos = DRIFT_PHASE;
  self->rs_engaged = TRUE;
  self->hist_frames = 0;
  GST_INFO_OBJECT (self, "following the sender's clock: resampling from RTP "
      "time %u on (error %.1f frames)", self->next_rtp, self->drift_err);
  return TRUE;
}

/* Notes anchor @a (at most one a DRIFT_ANCHOR_NS) for the rate. */
static void
drift_note_anchor (GstAes67Src * self, const Aes67RxAnchor * a)
{
  guint last = (self->anch_head + DRIFT_ANCHORS - 1) % DRIFT_ANCHORS;
  gint64 rtp;

  if (self->anch_n > 0
      && a->arrival - self->anch_arr[last] < (gint64) DRIFT_ANCHOR_NS)
    return;
  rtp = self->anch_n > 0 ? self->anch_rtp[last] +
      (gint32) (a->rtp_ts - self->anch_last_rtp) : 0;
  self->anch_rtp[self->anch_head] = rtp;
  self->anch_arr[self->anch_head] = a->arrival;
  self->anch_last_rtp = a->rtp_ts;
  self->anch_head = (self->anch_head + 1) % DRIFT_ANCHORS;
  if (self->anch_n < DRIFT_ANCHORS)
    self->anch_n++;
}

/* Whether the anchors noted span 1.5 s: the sender's rate is known. */
static gboolean
drift_rate_known (GstAes67Src * self)
{
  guint first = (self->anch_head + DRIFT_ANCHORS - self->anch_n) %
      DRIFT_ANCHORS;
  guint last = (self->anch_head + DRIFT_ANCHORS - 1) % DRIFT_ANCHORS;

  return self->anch_n >= 2 && self->anch_arr[last] - self->anch_arr[first] >=
      3 * (gint64) GST_SECOND / 2;
}

/* The sender's frames per nominal frame of ours, from the oldest and
 * newest anchors noted; 1 until they are 1.5 s apart. */
static gdouble
drift_sender_rate (GstAes67Src * self, guint rate)
{
  guint first = (self->anch_head + DRIFT_ANCHORS - self->anch_n) %
      DRIFT_ANCHORS;
  guint last = (self->anch_head + DRIFT_ANCHORS - 1) % DRIFT_ANCHORS;
  gint64 dt;

  if (self->anch_n < 2)
    return 1.0;
  dt = self->anch_arr[last] - self->anch_arr[first];
  if (dt < 3 * (gint64) GST_SECOND / 2)
    return 1.0;
  return (gdouble) (self->anch_rtp[last] - self->anch_rtp[first]) /
      ((gdouble) dt * rate / 1e9);
}

/* One control step before a buffer of @n frames whose first frame plays
 * at self->next_capture: measures the error against @a and sets the
 * resampler's ratio. Returns FALSE when the error is too large to follow
 * (the caller re-anchors). */
static gboolean
drift_control (GstAes67Src * self, const Aes67RxAnchor * a,
    gint64 mono_to_clock, guint rate, guint n, guint channels,
    guint frame_bytes)
{
  gdouble ratio, pos, expect, e, dt, alpha, want, lim;
  gint in_rate;

  drift_note_anchor (self, a);
  ratio = drift_sender_rate (self, rate);

  /* where the output is, and where the anchor says it should be, in
   * frames from the read position */
  pos = self->rs_engaged ?
      (gdouble) (gint32) (self->rs_start - self->next_rtp) + self->rs_out_pos :
      0.0;
  /* the anchor extrapolated at the sender's rate once resampling, at
   * the nominal rate before (a rate measured over a short time, from a
   * sender that sends in bursts, must not make a drift of its own) */
  expect = (gdouble) (gint32) (a->rtp_ts - self->next_rtp) +
      ((gdouble) (gint64) self->next_capture - (gdouble) (a->arrival +
          mono_to_clock)) * rate / 1e9 * (self->rs_engaged ? ratio : 1.0);
  e = pos - expect;
  if (ABS (e) > (gdouble) rate * DRIFT_STEP_NS / GST_SECOND) {
    GST_WARNING_OBJECT (self, "arrival playout %.1f frames off the packets' "
        "arrival times: anchoring again", e);
    return FALSE;
  }
  dt = (gdouble) n / rate;
  alpha = dt / (DRIFT_TAU + dt);
  self->drift_err += alpha * (e - self->drift_err);

  if (!self->rs_engaged && self->drift_have_prev
      && ABS (e - self->drift_prev_err) >
      (gdouble) rate * DRIFT_REBASE_NS / GST_SECOND
      && ABS (ratio - 1.0) < DRIFT_REBASE_MAX_PPM / 1e6) {
    gint64 shift = (gint64) (e * GST_SECOND / rate);

    GST_INFO_OBJECT (self, "arrival times moved by %.1f frames at once: "
        "moving the output time with them", e - self->drift_prev_err);
    self->drift_base = (GstClockTime) MAX ((gint64) self->drift_base + shift,
        0);
    self->next_capture = self->drift_base +
        gst_util_uint64_scale (self->drift_frames, GST_SECOND, rate);
    e = 0;
    self->drift_err = 0;
  }
  self->drift_prev_err = e;
  self->drift_have_prev = TRUE;

  if (!self->rs_engaged) {
    GST_LOG_OBJECT (self, "drift: error %.2f frames (filtered %.2f), sender "
        "%+.1f ppm, passing through", e, self->drift_err, (ratio - 1.0) * 1e6);
    if (ABS (self->drift_err) > (gdouble) rate * DRIFT_DEADBAND_NS / GST_SECOND)
      drift_engage (self, channels, frame_bytes, self->drift_err > 0 ? -1 : 1);
    return TRUE;
  }

  self->drift_integ += self->drift_err * dt;
  want = ratio - (DRIFT_KP * self->drift_err + DRIFT_KI * self->drift_integ) /
      rate;
  lim = DRIFT_MAX_PPM / 1e6;
  if (want < 1.0 - lim || want > 1.0 + lim) {
    self->drift_integ -= self->drift_err * dt;  /* no wind-up */
    want = CLAMP (want, 1.0 - lim, 1.0 + lim);
  }
  in_rate = (gint) lround (want * DRIFT_RATE_OUT);
  /* never exactly 1: that is a mode of its own, with another delay */
  if (in_rate == DRIFT_RATE_OUT)
    in_rate += want < 1.0 ? -1 : 1;
  if (in_rate != self->drift_in_rate) {
    self->drift_in_rate = in_rate;
    gst_audio_resampler_update (self->resampler, in_rate, DRIFT_RATE_OUT, NULL);
  }
  GST_LOG_OBJECT (self, "drift: error %.2f frames (filtered %.2f), sender "
      "%+.1f ppm, ratio %+.1f ppm", e, self->drift_err, (ratio - 1.0) * 1e6,
      ((gdouble) in_rate / DRIFT_RATE_OUT - 1.0) * 1e6);
  return TRUE;
}

/* Reads @n output frames into @dest through the resampler; the frames it
 * took from the ring in *@consumed. Returns the frames that came from
 * packets. rx_lock held. */
static guint
drift_read_resampled (GstAes67Src * self, guint n, guint8 * dest,
    guint frame_bytes, guint * consumed)
{
  guint channels = self->rs_channels, sb = self->rs_sample_bytes;
  guint need = n + self->rs_skip, in_frames, got;
  gpointer in[1], out[1];

  in_frames = (guint) gst_audio_resampler_get_in_frames (self->resampler, need);
  self->rs_raw = grow (self->rs_raw, &self->rs_raw_size,
      (gsize) MAX (in_frames, 1) * frame_bytes);
  self->rs_in = grow (self->rs_in, &self->rs_in_size,
      (gsize) MAX (in_frames, 1) * channels * sizeof (gint32));
  self->rs_out = grow (self->rs_out, &self->rs_out_size,
      (gsize) need * channels * sizeof (gint32));
  got = aes67_rx_stream_read (self->rx, self->next_rtp, in_frames,
      self->rs_raw, NULL);
  drift_unpack (self->rs_raw, self->rs_in, (gsize) in_frames * channels, sb);
  in[0] = self->rs_in;
  out[0] = self->rs_out;
  gst_audio_resampler_resample (self->resampler, in, in_frames, out, need);
  drift_pack (self->rs_out + (gsize) self->rs_skip * channels, dest,
      (gsize) n * channels, sb);
  self->rs_skip = 0;
  self->rs_out_pos += (gdouble) n *self->drift_in_rate / DRIFT_RATE_OUT;
  *consumed = in_frames;
  return MIN (got, n);
}

static GstFlowReturn
gst_aes67_src_create (GstPushSrc * psrc, GstBuffer ** outbuf)
{
  GstAes67Src *self = GST_AES67_SRC (psrc);
  GstBaseSrc *bsrc = GST_BASE_SRC (psrc);
  GstClock *clock;
  GstClockTime base, now, latency, target;
  GstCaps *new_caps = NULL;
  GstBuffer *buf;
  GstMapInfo map;
  Aes67RxAnchor anchor = { 0, };
  gint64 mono_to_clock;
  gboolean media, discont, skip_valid = FALSE;
  guint32 offset, skip_from = 0;
  guint rate, channels, n, out, frame_bytes, got = 0, consumed;

  follow_poll (self);

  clock = gst_element_get_clock (GST_ELEMENT (self));
  if (!clock)
    clock = gst_system_clock_obtain ();
  base = gst_element_get_base_time (GST_ELEMENT (self));
  GST_OBJECT_LOCK (self);
  latency = (GstClockTime) self->latency_in_use_ms * GST_MSECOND;
  rate = self->stream.rate;
  channels = self->stream.channels;
  GST_OBJECT_UNLOCK (self);

again:
  g_mutex_lock (&self->rx_lock);
  if (self->caps_pending) {
    new_caps = gst_caps_ref (self->caps);
    self->caps_pending = FALSE;
  }
  if (self->reanchor) {
    self->reanchor = FALSE;
    self->have_rtp = FALSE;
  }
  media = self->media_clock;
  offset = self->mediaclk_offset;
  frame_bytes = self->frame_bytes;
  if (self->rx)
    aes67_rx_stream_get_anchor (self->rx, &anchor);
  else
    anchor.valid = FALSE;
  /* the packets received say how long they are (an SDP may not) */
  if (anchor.valid && anchor.frames_per_packet
      && (anchor.frames_per_packet != self->out_packet
          || media != self->out_media)) {
    self->out_packet = anchor.frames_per_packet;
    self->out_media = media;
    self->out_frames = output_frames (self->out_packet, rate,
        (guint) (latency / GST_MSECOND), media);
    GST_DEBUG_OBJECT (self, "packets of %u frames: output buffers of %u",
        self->out_packet, self->out_frames);
  }
  out = self->out_frames;
  g_mutex_unlock (&self->rx_lock);
  if (new_caps) {
    GST_INFO_OBJECT (self, "caps %" GST_PTR_FORMAT, new_caps);
    gst_base_src_set_caps (bsrc, new_caps);
    gst_caps_unref (new_caps);
    new_caps = NULL;
    GST_OBJECT_LOCK (self);
    rate = self->stream.rate;
    channels = self->stream.channels;
    GST_OBJECT_UNLOCK (self);
  }

  now = gst_clock_get_time (clock);
  mono_to_clock = (gint64) now - aes67_rx_now ();
  discont = FALSE;
  if (!self->started) {
    /* the first buffer: running time 0, or what was captured a link
     * offset ago when the clock started earlier */
    self->next_capture = MAX (base, now > latency ? now - latency : 0);
    self->next_pos = gst_util_uint64_scale_ceil (self->next_capture, rate,
        GST_SECOND);
    self->started = TRUE;
    self->have_rtp = FALSE;
    drift_reset (self, self->next_capture);
    discont = TRUE;
  }

  if (media) {
    /* the media clock: frame n of the clock's timeline is RTP time
     * n + offset (RFC 7273 mediaclk:direct) */
    if (!self->have_rtp) {
      self->next_pos = gst_util_uint64_scale_ceil (self->next_capture, rate,
          GST_SECOND);
      self->next_rtp = (guint32) (self->next_pos + offset);
      self->have_rtp = TRUE;
      g_mutex_lock (&self->rx_lock);
      if (self->rx)
        aes67_rx_stream_seek (self->rx, self->next_rtp);
      g_mutex_unlock (&self->rx_lock);
    }
    self->next_capture = gst_util_uint64_scale (self->next_pos, GST_SECOND,
        rate);
  } else if (anchor.valid) {
    /* by arrival: the link offset after the packets of least transit */
    if (self->have_rtp && anchor.epoch == self->anchor_epoch
        && self->drift_locked) {
      /* the output time runs on; the read position follows the sender */
      self->next_capture = self->drift_base +
          gst_util_uint64_scale (self->drift_frames, GST_SECOND, rate);
      if (!drift_control (self, &anchor, mono_to_clock, rate, out, channels,
              frame_bytes)) {
        self->have_rtp = FALSE;
        discont = TRUE;
      }
    }
    if (!self->have_rtp || anchor.epoch != self->anchor_epoch) {
      GstClockTime at = arrival_clock_time (&anchor, mono_to_clock,
          anchor.rtp_ts, rate);
      gint64 d = (gint64) self->next_capture - (gint64) at;
      gint64 frames = d >= 0 ?
          (gint64) gst_util_uint64_scale (d, rate, GST_SECOND) :
          -(gint64) gst_util_uint64_scale (-d, rate, GST_SECOND);

      if (self->have_rtp)
        discont = TRUE;         /* a new SSRC, a restart, a jump */

      self->next_rtp = anchor.rtp_ts + (guint32) frames;
      /* a sender that began with a burst (packets of least transit come
       * after the first ones): its first packets map to before where
       * playout is; play them too, a little late, rather than drop them */
      if (anchor.epoch != self->anchor_epoch
          && (gint32) (self->next_rtp - anchor.first_rtp_ts) > 0
          && (gint32) (self->next_rtp - anchor.first_rtp_ts) <
          (gint32) rate / 4)
        self->next_rtp = anchor.first_rtp_ts;
      self->anchor_epoch = anchor.epoch;
      self->have_rtp = TRUE;
      g_mutex_lock (&self->rx_lock);
      if (self->rx)
        aes67_rx_stream_seek (self->rx, self->next_rtp);
      g_mutex_unlock (&self->rx_lock);
      GST_DEBUG_OBJECT (self, "arrival playout anchored at RTP time %u",
          anchor.rtp_ts);
      drift_reset (self, self->next_capture);
    }
    if (!self->drift_locked) {
      /* settling: the output time follows the anchor */
      drift_note_anchor (self, &anchor);
      self->next_capture = arrival_clock_time (&anchor, mono_to_clock,
          self->next_rtp, rate);
      if (self->next_capture >= self->drift_settle_end
          && drift_rate_known (self)) {
        self->drift_locked = TRUE;
        GST_INFO_OBJECT (self, "arrival playout settled: the output time "
            "runs on from %" GST_TIME_FORMAT " (sender %+.1f ppm)",
            GST_TIME_ARGS (self->next_capture),
            (drift_sender_rate (self, rate) - 1.0) * 1e6);
        self->drift_base = self->next_capture;
        self->drift_frames = 0;
        self->drift_prev_err = 0;       /* the output time is the anchor's */
        self->drift_have_prev = TRUE;
      }
    }
  }

  if (skip_valid && self->have_rtp) {
    gint32 d = (gint32) (self->next_rtp - skip_from);

    g_mutex_lock (&self->rx_lock);
    if (d > 0 && self->rx)
      aes67_rx_stream_skip (self->rx, skip_from, (guint) d);
    g_mutex_unlock (&self->rx_lock);
    skip_valid = FALSE;
  }

  /* buffers end where packets end (a lost packet is a GAP buffer) */
  n = out;
  if (self->have_rtp && anchor.valid && !(!media && self->rs_engaged)) {
    gint64 d = (gint32) (self->next_rtp - anchor.rtp_ts) % (gint64) out;

    n = out - (guint) (d < 0 ? d + out : d);
  }

  GST_LOG_OBJECT (self, "next: frame %" G_GUINT64_FORMAT " RTP %u, %u frames, "
      "capture %" GST_TIME_FORMAT ", now %" GST_TIME_FORMAT ", anchor %s %u",
      self->next_pos, self->next_rtp, n, GST_TIME_ARGS (self->next_capture),
      GST_TIME_ARGS (now), anchor.valid ? "at" : "none", anchor.rtp_ts);
  /* taken out of the ring a quarter of an output period (at most 250 µs)
   * before its playout time, so that it reaches a sink with no processing
   * deadline in time */
  target = self->next_capture + latency;
  target -= MIN (target, gst_util_uint64_scale (out, GST_SECOND, rate) / 4);
  if (target > now) {
    if (!wait_until (self, clock, target)) {
      gst_object_unref (clock);
      return GST_FLOW_FLUSHING;
    }
  } else if (now - target > MAX_BEHIND_NS) {
    /* a stall far longer than any link offset: start again at the
     * present rather than play old audio; what is jumped over is missing
     * from the output (counted concealed) */
    GST_WARNING_OBJECT (self, "playout %" GST_TIME_FORMAT " behind: "
        "starting again at the present", GST_TIME_ARGS (now - target));
    skip_valid = self->have_rtp;
    skip_from = self->next_rtp;
    self->started = FALSE;
    goto again;
  }

  buf = alloc_buffer (self, (gsize) n * frame_bytes);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  g_mutex_lock (&self->rx_lock);
  consumed = n;
  if (self->rx && self->have_rtp && self->frame_bytes == frame_bytes) {
    if (!media && self->rs_engaged)
      got = drift_read_resampled (self, n, map.data, frame_bytes, &consumed);
    else {
      gboolean present;

      /* a buffer is whole audio or whole silence (GAP): it ends where
       * the frames change from one to the other */
      n = aes67_rx_stream_read_run (self->rx, self->next_rtp, n, map.data,
          &present);
      consumed = n;
      got = present ? n : 0;
      if (!media && self->drift_locked)
        drift_keep_history (self, map.data, n, frame_bytes);
    }
  } else
    memset (map.data, 0, map.size);
  g_mutex_unlock (&self->rx_lock);
  gst_buffer_unmap (buf, &map);
  if (gst_buffer_get_size (buf) != (gsize) n * frame_bytes)
    gst_buffer_set_size (buf, (gsize) n * frame_bytes);
  GST_LOG_OBJECT (self, "read %u of %u frames at RTP %u", got, n,
      self->next_rtp);

  GST_BUFFER_PTS (buf) = self->next_capture > base ?
      self->next_capture - base : 0;
  GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (n, GST_SECOND, rate);
  GST_BUFFER_OFFSET (buf) = self->next_pos;
  GST_BUFFER_OFFSET_END (buf) = self->next_pos + n;
  if (got == 0)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_GAP);
  if (discont || self->discont)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  self->discont = FALSE;

  self->next_pos += n;
  if (self->have_rtp)
    self->next_rtp += consumed;
  if (!media && self->drift_locked) {
    self->drift_frames += n;
    self->next_capture = self->drift_base +
        gst_util_uint64_scale (self->drift_frames, GST_SECOND, rate);
  } else if (!media)
    self->next_capture += gst_util_uint64_scale (n, GST_SECOND, rate);

  post_stream_messages (self);
  gst_object_unref (clock);
  *outbuf = buf;
  return GST_FLOW_OK;
}

/* On the way to PLAYING (the pipeline has given us its clock), and when
 * the session followed moved: decide what the link offset counts from.
 * No lock held. */
static void
choose_playout (GstAes67Src * self)
{
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

  g_mutex_lock (&self->rx_lock);
  if (self->media_clock != media || self->mediaclk_offset != offset)
    self->reanchor = TRUE;
  self->media_clock = media;
  self->mediaclk_offset = offset;
  g_mutex_unlock (&self->rx_lock);
  GST_INFO_OBJECT (self, "link offset counted from %s",
      media ? "the RTP time on the media clock" : "packet arrival");
  if (clock)
    gst_object_unref (clock);
}

static GstStateChangeReturn
gst_aes67_src_change_state (GstElement * element, GstStateChange transition)
{
  GstAes67Src *self = GST_AES67_SRC (element);
  GstStateChangeReturn ret;
  Aes67RxStream *rx;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      GST_OBJECT_LOCK (self);
      self->latency_in_use_ms = self->latency_ms;
      GST_OBJECT_UNLOCK (self);
      g_mutex_lock (&self->rx_lock);
      memset (&self->sums, 0, sizeof (self->sums));
      self->parked = FALSE;
      self->restore_pending = FALSE;
      g_mutex_unlock (&self->rx_lock);
      if (!configure_stream (self)) {
        forget_browser (self);
        return GST_STATE_CHANGE_FAILURE;
      }
      rx = open_rx (self, TRUE);
      if (!rx) {
        forget_browser (self);
        return GST_STATE_CHANGE_FAILURE;
      }
      swap_rx (self, rx);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
      choose_playout (self);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_NULL:
      forget_browser (self);
      swap_rx (self, NULL);
      g_mutex_lock (&self->rx_lock);
      self->parked = FALSE;
      g_mutex_unlock (&self->rx_lock);
      break;
    default:
      break;
  }
  if (ret == GST_STATE_CHANGE_FAILURE
      && transition == GST_STATE_CHANGE_NULL_TO_READY) {
    forget_browser (self);
    swap_rx (self, NULL);
  }
  return ret;
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
    case PROP_SESSION_NAME:
      g_free (self->session_name);
      self->session_name = g_value_dup_string (value);
      break;
    case PROP_DISCOVERY_TIMEOUT:
      self->discovery_timeout_ms = g_value_get_uint (value);
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
    case PROP_SECONDARY_ADDRESS:
      g_free (self->secondary_address);
      self->secondary_address = g_value_dup_string (value);
      break;
    case PROP_SECONDARY_PORT:
      self->secondary_port = g_value_get_uint (value);
      break;
    case PROP_SECONDARY_MULTICAST_IFACE:
      g_free (self->secondary_multicast_iface);
      self->secondary_multicast_iface = g_value_dup_string (value);
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

  gst_aes67_warn_if_set_too_late (GST_ELEMENT (self), pspec);
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
    case PROP_SESSION_NAME:
      g_value_set_string (value, self->session_name);
      break;
    case PROP_DISCOVERY_TIMEOUT:
      g_value_set_uint (value, self->discovery_timeout_ms);
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
    case PROP_SECONDARY_ADDRESS:
      g_value_set_string (value, self->secondary_address);
      break;
    case PROP_SECONDARY_PORT:
      g_value_set_uint (value, self->secondary_port);
      break;
    case PROP_SECONDARY_MULTICAST_IFACE:
      g_value_set_string (value, self->secondary_multicast_iface);
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
