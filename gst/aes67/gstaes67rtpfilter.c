/* gst-aes67: the RTP gate inside aes67src
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GstAes67RtpFilter sits between udpsrc and rtpjitterbuffer in aes67src and
 * is not registered as an element of its own. It lets through only the
 * packets of the one stream the receiver plays, and counts the others:
 *
 * - malformed: not valid RTP (GstRTPBuffer's checks: length, version 2,
 *   padding, CSRC and extension lengths), or a payload that is empty or not
 *   a whole number of frames;
 * - foreign: another payload type, a source the SDP's source-filter does
 *   not include, or another SSRC while the stream is locked to one;
 * - duplicate: a sequence number received before (dropped here).
 *
 * It locks to the first SSRC it sees and keeps RFC 3550 receiver
 * statistics (extended highest sequence number, cumulative loss, reordering,
 * interarrival jitter). When no packet came for `timeout`, the stream is
 * lost: the lock is released so that a restarted sender is followed, with
 * the same or a new SSRC.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstaes67rtpfilter.h"
#include "aes67-pacer.h"

#include <gst/rtp/gstrtpbuffer.h>
#include <gst/net/gstnetaddressmeta.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_aes67_rtp_filter_debug);
#define GST_CAT_DEFAULT gst_aes67_rtp_filter_debug

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS ("application/x-rtp"));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS ("application/x-rtp"));

#define gst_aes67_rtp_filter_parent_class parent_class
G_DEFINE_TYPE (GstAes67RtpFilter, gst_aes67_rtp_filter, GST_TYPE_ELEMENT);

static GstFlowReturn gst_aes67_rtp_filter_chain (GstPad * pad,
    GstObject * parent, GstBuffer * buf);

const gchar *
aes67_stream_state_name (Aes67StreamState s)
{
  switch (s) {
    case AES67_STREAM_WAITING:
      return "waiting";
    case AES67_STREAM_RECEIVING:
      return "receiving";
    case AES67_STREAM_LOST:
      return "lost";
  }
  return "unknown";
}

static void
gst_aes67_rtp_filter_finalize (GObject * object)
{
  GstAes67RtpFilter *self = GST_AES67_RTP_FILTER (object);

  g_free (self->source_filter);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_aes67_rtp_filter_class_init (GstAes67RtpFilterClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_aes67_rtp_filter_debug, "aes67rtpfilter", 0,
      "AES67 receiver: RTP checks and statistics");
  gobject_class->finalize = gst_aes67_rtp_filter_finalize;
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "AES67 RTP filter (internal)", "Filter/Network/RTP",
      "Checks AES67 RTP packets, locks to one SSRC, keeps RFC 3550 "
      "statistics", "gst-aes67 developers");
}

static void
gst_aes67_rtp_filter_init (GstAes67RtpFilter * self)
{
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad, gst_aes67_rtp_filter_chain);
  GST_PAD_SET_PROXY_CAPS (self->sinkpad);
  GST_PAD_SET_PROXY_ALLOCATION (self->sinkpad);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);
  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  GST_PAD_SET_PROXY_CAPS (self->srcpad);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);

  self->payload_type = G_MAXUINT;
  self->frame_bytes = 1;
  self->clock_rate = 48000;
  self->timeout = GST_SECOND;
}

/* with the object lock */
static void
reset_sequence (GstAes67RtpFilter * self)
{
  if (self->have_seq)
    self->lost_before += (gint64) (self->max_ext_seq - self->base_ext_seq + 1)
        - (gint64) self->received_since_base;
  self->have_seq = FALSE;
  self->have_transit = FALSE;
  self->window = 0;
  self->received_since_base = 0;
}

void
gst_aes67_rtp_filter_reset (GstAes67RtpFilter * self)
{
  GST_OBJECT_LOCK (self);
  memset (&self->stats, 0, sizeof (self->stats));
  self->stats.state = AES67_STREAM_WAITING;
  self->jitter = 0;
  self->last_arrival = 0;
  self->lost_since = 0;
  reset_sequence (self);
  self->lost_before = 0;
  GST_OBJECT_UNLOCK (self);
}

void
gst_aes67_rtp_filter_get_stats (GstAes67RtpFilter * self,
    Aes67RtpFilterStats * st)
{
  GST_OBJECT_LOCK (self);
  *st = self->stats;
  st->jitter_us = self->clock_rate ?
      self->jitter * 1e6 / self->clock_rate : 0.0;
  GST_OBJECT_UNLOCK (self);
}

gboolean
gst_aes67_rtp_filter_check_timeout (GstAes67RtpFilter * self, gint64 now)
{
  gboolean lost = FALSE;

  GST_OBJECT_LOCK (self);
  if (self->stats.state == AES67_STREAM_RECEIVING
      && now - self->last_arrival > (gint64) self->timeout) {
    self->stats.state = AES67_STREAM_LOST;
    self->lost_since = self->last_arrival;
    /* release the SSRC lock: a restarted sender may have a new one */
    reset_sequence (self);
    lost = TRUE;
  }
  GST_OBJECT_UNLOCK (self);
  return lost;
}

gboolean
gst_aes67_rtp_filter_set_lost (GstAes67RtpFilter * self, gint64 now)
{
  gboolean was = FALSE;

  GST_OBJECT_LOCK (self);
  if (self->stats.state == AES67_STREAM_RECEIVING) {
    self->stats.state = AES67_STREAM_LOST;
    self->lost_since = self->last_arrival ? self->last_arrival : now;
    reset_sequence (self);
    was = TRUE;
  }
  GST_OBJECT_UNLOCK (self);
  return was;
}

/* RFC 7273 media clock: the RTP time of a packet, less the mediaclk
 * offset, counts the samples of the clock time of its capture (mod 2^32).
 * Take the capture clock time closest to now, and make it the packet's
 * DTS (as running time). rtpjitterbuffer in "synced" mode then times the
 * stream from these, so that the audio plays out `latency` after its
 * capture, whatever the network's delay. */
static GstBuffer *
stamp_capture_time (GstAes67RtpFilter * self, GstBuffer * buf,
    guint32 rtptime, guint rate, guint32 offset)
{
  GstClockTime now, base, capture;
  guint64 now_frames, cap_frames;
  gint32 d;

  /* (NULL: the packet cannot be placed on the media clock and must not
   * reach the jitter buffer, whose "synced" mode takes the first packet's
   * time as its base) */
  base = gst_element_get_base_time (GST_ELEMENT (self));
  if (GST_BUFFER_DTS_IS_VALID (buf)) {
    /* udpsrc's arrival time (running time on the pipeline clock) */
    now = base + GST_BUFFER_DTS (buf);
  } else {
    GstClock *clock = gst_element_get_clock (GST_ELEMENT (self));

    if (!clock) {
      gst_buffer_unref (buf);
      return NULL;
    }
    now = gst_clock_get_time (clock);
    gst_object_unref (clock);
  }
  if (rate == 0) {
    gst_buffer_unref (buf);
    return NULL;
  }
  now_frames = gst_util_uint64_scale (now, rate, GST_SECOND);
  /* samples from capture to now, as a signed 32-bit difference */
  d = (gint32) ((guint32) now_frames - (guint32) (rtptime - offset));
  if (d < 0 && (guint64) (-(gint64) d) > now_frames) {
    gst_buffer_unref (buf);
    return NULL;
  }
  cap_frames = now_frames - d;
  capture = gst_util_uint64_scale (cap_frames, GST_SECOND, rate);
  /* captured before this pipeline started: too old to place */
  if (capture < base) {
    gst_buffer_unref (buf);
    return NULL;
  }
  GST_LOG_OBJECT (self, "RTP time %u: capture %" GST_TIME_FORMAT ", now %"
      GST_TIME_FORMAT, rtptime, GST_TIME_ARGS (capture), GST_TIME_ARGS (now));
  buf = gst_buffer_make_writable (buf);
  GST_BUFFER_DTS (buf) = capture - base;
  GST_BUFFER_PTS (buf) = capture - base;
  return buf;
}

/* RFC 3550 A.1: extend a 16-bit sequence number against the highest one */
static guint32
extend_seq (guint32 max_ext, guint16 seq)
{
  guint32 ext = (max_ext & 0xffff0000u) | seq;
  gint32 diff = (gint32) (ext - max_ext);

  if (diff > 32768)
    ext -= 65536;
  else if (diff < -32768)
    ext += 65536;
  return ext;
}

static GstFlowReturn
gst_aes67_rtp_filter_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstAes67RtpFilter *self = GST_AES67_RTP_FILTER (parent);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  guint pt, payload_len, expected_pt, frame_bytes;
  guint32 ssrc, rtptime, ext;
  guint16 seq;
  gint64 now = aes67_pacer_now ();
  gboolean restored = FALSE, same_ssrc = FALSE;
  gint64 lost_ns = 0;
  GstNetAddressMeta *meta;
  gboolean media_clock = FALSE;
  guint clock_rate = 0;
  guint32 mc_offset = 0;

  if (!gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp)) {
    GST_OBJECT_LOCK (self);
    self->stats.malformed++;
    GST_OBJECT_UNLOCK (self);
    GST_LOG_OBJECT (self, "not a valid RTP packet (%" G_GSIZE_FORMAT
        " bytes)", gst_buffer_get_size (buf));
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  pt = gst_rtp_buffer_get_payload_type (&rtp);
  ssrc = gst_rtp_buffer_get_ssrc (&rtp);
  seq = gst_rtp_buffer_get_seq (&rtp);
  rtptime = gst_rtp_buffer_get_timestamp (&rtp);
  payload_len = gst_rtp_buffer_get_payload_len (&rtp);
  gst_rtp_buffer_unmap (&rtp);

  GST_OBJECT_LOCK (self);
  expected_pt = self->payload_type;
  frame_bytes = MAX (self->frame_bytes, 1);

  if (payload_len == 0 || payload_len % frame_bytes != 0) {
    self->stats.malformed++;
    GST_OBJECT_UNLOCK (self);
    GST_LOG_OBJECT (self, "payload of %u bytes is not whole frames of %u",
        payload_len, frame_bytes);
    goto drop;
  }
  if (expected_pt != G_MAXUINT && pt != expected_pt) {
    self->stats.foreign++;
    GST_OBJECT_UNLOCK (self);
    GST_LOG_OBJECT (self, "payload type %u, expected %u", pt, expected_pt);
    goto drop;
  }
  if (self->source_filter && (meta = gst_buffer_get_net_address_meta (buf))
      && G_IS_INET_SOCKET_ADDRESS (meta->addr)) {
    GInetAddress *a =
        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (meta->addr));
    gchar *s = g_inet_address_to_string (a);
    gboolean ok = g_strcmp0 (s, self->source_filter) == 0;

    g_free (s);
    if (!ok) {
      self->stats.foreign++;
      GST_OBJECT_UNLOCK (self);
      goto drop;
    }
  }

  if (self->stats.state != AES67_STREAM_RECEIVING) {
    /* lock to this SSRC: the first one, or a new one after a loss */
    if (self->stats.state == AES67_STREAM_LOST) {
      restored = TRUE;
      same_ssrc = ssrc == self->stats.ssrc;
      lost_ns = now - self->lost_since;
      self->stats.restored_count++;
    }
    self->stats.state = AES67_STREAM_RECEIVING;
    self->stats.ssrc = ssrc;
    reset_sequence (self);
  } else if (ssrc != self->stats.ssrc) {
    self->stats.foreign++;
    GST_OBJECT_UNLOCK (self);
    GST_LOG_OBJECT (self, "SSRC %08x while locked to %08x", ssrc,
        self->stats.ssrc);
    goto drop;
  }

  /* RFC 3550 A.1 / A.3: sequence, loss, reordering, duplicates */
  if (!self->have_seq) {
    self->have_seq = TRUE;
    self->base_ext_seq = self->max_ext_seq = 0x10000u + seq;
    self->window = 1;
    self->received_since_base = 0;
  } else {
    ext = extend_seq (self->max_ext_seq, seq);
    if ((gint32) (ext - self->max_ext_seq) > 0) {
      guint32 shift = ext - self->max_ext_seq;
      self->window = shift >= 64 ? 0 : self->window << shift;
      self->window |= 1;
      self->max_ext_seq = ext;
    } else {
      guint32 back = self->max_ext_seq - ext;
      if (back < 64 && (self->window & (G_GUINT64_CONSTANT (1) << back))) {
        self->stats.duplicate++;
        GST_OBJECT_UNLOCK (self);
        goto drop;
      }
      if (back < 64)
        self->window |= G_GUINT64_CONSTANT (1) << back;
      self->stats.reordered++;
    }
  }
  self->received_since_base++;
  self->stats.received++;
  /* lost = expected - received, summed over SSRC changes */
  self->stats.lost = self->lost_before + (gint64) (self->max_ext_seq -
      self->base_ext_seq + 1) - (gint64) self->received_since_base;

  /* RFC 3550 A.8: interarrival jitter, in RTP units */
  {
    gint64 arrival = gst_util_uint64_scale_int (now, self->clock_rate,
        GST_SECOND);
    gint64 transit = arrival - rtptime;

    if (self->have_transit) {
      gint64 d = transit - self->last_transit;
      /* RTP time wraps at 2^32 */
      d = (gint64) (gint32) (guint32) d;
      if (d < 0)
        d = -d;
      self->jitter += (d - self->jitter) / 16.0;
    }
    self->last_transit = transit;
    self->have_transit = TRUE;
  }
  self->last_arrival = now;
  media_clock = self->media_clock;
  clock_rate = self->clock_rate;
  mc_offset = self->mediaclk_offset;
  GST_OBJECT_UNLOCK (self);

  if (restored) {
    GST_INFO_OBJECT (self, "stream back after %" G_GINT64_FORMAT " ms, SSRC "
        "%08x (%s)", lost_ns / 1000000, ssrc, same_ssrc ? "same" : "new");
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self),
            gst_structure_new ("stream-restored",
                "ssrc", G_TYPE_UINT, ssrc,
                "same-ssrc", G_TYPE_BOOLEAN, same_ssrc,
                "lost-duration-ms", G_TYPE_UINT64,
                (guint64) (lost_ns / 1000000), NULL)));
  }
  if (media_clock) {
    buf = stamp_capture_time (self, buf, rtptime, clock_rate, mc_offset);
    if (!buf) {
      GST_OBJECT_LOCK (self);
      self->stats.too_early++;
      GST_OBJECT_UNLOCK (self);
      return GST_FLOW_OK;
    }
  }
  return gst_pad_push (self->srcpad, buf);

drop:
  gst_buffer_unref (buf);
  return GST_FLOW_OK;
}
