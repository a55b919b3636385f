/* gst-aes67: the L16/L24 depayloader inside aes67src
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GStreamer's rtpL16depay / rtpL24depay map 3 to 8 channels onto speaker
 * positions and reorder the samples into GStreamer's channel order (in
 * 1.22 by a table look-up that picks a layout even for a channel-order it
 * does not know), and warn for other channel counts. AES67 channels carry
 * no positions (their meaning is in the SDP's i= labels), and a receiver
 * must give them out as they came. This depayloader, on GStreamer's own
 * GstRTPBaseDepayload (which does the timestamps, discontinuities and lost
 * packets -> GAP events), only takes the payload: mono and stereo as such,
 * more channels unpositioned (channel-mask 0), never reordered.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstaes67depay.h"
#include "aes67-sdp.h"

#include <gst/audio/audio.h>
#include <gst/rtp/gstrtpbuffer.h>

GST_DEBUG_CATEGORY_STATIC (gst_aes67_depay_debug);
#define GST_CAT_DEFAULT gst_aes67_depay_debug

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-rtp, media = (string) audio, "
        "clock-rate = (int) [ 1, MAX ], "
        "encoding-name = (string) { L16, L24 }"));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format = (string) { S16BE, S24BE }, "
        "rate = (int) [ 1, MAX ], channels = (int) [ 1, 64 ], "
        "layout = (string) interleaved"));

#define gst_aes67_depay_parent_class parent_class
G_DEFINE_TYPE (GstAes67Depay, gst_aes67_depay, GST_TYPE_RTP_BASE_DEPAYLOAD);

/* The raw audio caps for RTP caps of L16 / L24, or NULL; @frame_bytes
 * gets the size of one frame. */
static GstCaps *
raw_caps_for (const GstCaps * caps, guint * frame_bytes, gint * clock_rate)
{
  GstStructure *s = gst_caps_get_structure (caps, 0);
  const gchar *enc = gst_structure_get_string (s, "encoding-name");
  gint rate = 0, channels = 1;
  gboolean l16;
  GstCaps *out;

  if (!gst_structure_get_int (s, "clock-rate", &rate) || rate <= 0 || !enc)
    return NULL;
  gst_structure_get_int (s, "channels", &channels);
  if (channels < 1 || channels > 64)
    return NULL;
  l16 = g_ascii_strcasecmp (enc, "L16") == 0;
  *frame_bytes = channels * (l16 ? 2 : 3);
  *clock_rate = rate;

  /* the caps the device providers list for this stream, too */
  out = aes67_audio_caps (enc, rate, channels);
  return out;
}

static gboolean
gst_aes67_depay_set_caps (GstRTPBaseDepayload * depay, GstCaps * caps)
{
  GstAes67Depay *self = GST_AES67_DEPAY (depay);
  guint frame_bytes;
  gint rate;
  GstCaps *out = raw_caps_for (caps, &frame_bytes, &rate);
  gboolean ret;

  if (!out)
    return FALSE;
  self->frame_bytes = frame_bytes;
  depay->clock_rate = rate;
  ret = gst_pad_set_caps (GST_RTP_BASE_DEPAYLOAD_SRCPAD (depay), out);
  gst_caps_unref (out);
  return ret;
}

/* Before the stream's first packet, tells downstream that there is no audio
 * yet: stream-start, the caps the stream will have, a TIME segment and a GAP
 * event of 1 ms from running time 0. A live pipeline lets none of its syncing
 * sinks go to PLAYING before all have prerolled, and a sink after a receiver
 * whose sender is not on yet would otherwise preroll only with the first
 * packet: a pipeline that also sends (an intercom, a test rig: aes67sink in the
 * same pipeline, or a peer that waits for our stream in the same way) would
 * never start. The GAP prerolls the sink now.
 *
 * Does nothing once audio went out (the source pad has a segment). Takes
 * the sink pad's stream lock, so it is serialised with the stream; may
 * block until the pipeline is PLAYING (the sink waits in preroll): call it
 * from a thread of its own, with no lock held.
 *
 * @rtp_caps are the RTP caps of the stream the receiver waits for.
 * Returns whether the GAP was pushed. */
gboolean
gst_aes67_depay_push_start_gap (GstAes67Depay * self, const GstCaps * rtp_caps)
{
  GstRTPBaseDepayload *depay = GST_RTP_BASE_DEPAYLOAD (self);
  GstPad *sinkpad = GST_RTP_BASE_DEPAYLOAD_SINKPAD (depay);
  GstPad *srcpad = GST_RTP_BASE_DEPAYLOAD_SRCPAD (depay);
  GstEvent *ev;
  GstCaps *caps;
  GstSegment segment;
  guint frame_bytes;
  gint rate;
  gboolean pushed = FALSE;

  caps = raw_caps_for (rtp_caps, &frame_bytes, &rate);
  if (!caps)
    return FALSE;

  GST_PAD_STREAM_LOCK (sinkpad);
  if (GST_PAD_IS_FLUSHING (srcpad))
    goto done;
  ev = gst_pad_get_sticky_event (srcpad, GST_EVENT_SEGMENT, 0);
  if (ev) {
    gst_event_unref (ev);
    goto done;
  }
  ev = gst_pad_get_sticky_event (srcpad, GST_EVENT_STREAM_START, 0);
  if (ev)
    gst_event_unref (ev);
  else {
    gchar *id = gst_pad_create_stream_id (srcpad, GST_ELEMENT (self), NULL);

    gst_pad_push_event (srcpad, gst_event_new_stream_start (id));
    g_free (id);
  }
  gst_pad_push_event (srcpad, gst_event_new_caps (caps));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (srcpad, gst_event_new_segment (&segment));
  /* one AES67 base packet time long: elements that turn a GAP into
   * silence (audioaggregator) want a duration */
  GST_DEBUG_OBJECT (self, "no packet yet: GAP from running time 0");
  pushed = gst_pad_push_event (srcpad, gst_event_new_gap (0, GST_MSECOND));
done:
  GST_PAD_STREAM_UNLOCK (sinkpad);
  gst_caps_unref (caps);
  return pushed;
}

static GstBuffer *
gst_aes67_depay_process (GstRTPBaseDepayload * depay, GstRTPBuffer * rtp)
{
  GstAes67Depay *self = GST_AES67_DEPAY (depay);
  guint len = gst_rtp_buffer_get_payload_len (rtp);
  GstBuffer *out;

  if (len == 0 || self->frame_bytes == 0 || len % self->frame_bytes) {
    GST_DEBUG_OBJECT (self, "payload of %u bytes is not whole frames", len);
    return NULL;
  }
  out = gst_rtp_buffer_get_payload_buffer (rtp);
  if (gst_rtp_buffer_get_marker (rtp))
    GST_BUFFER_FLAG_SET (out, GST_BUFFER_FLAG_RESYNC);
  return out;
}

static void
gst_aes67_depay_class_init (GstAes67DepayClass * klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstRTPBaseDepayloadClass *depay_class = GST_RTP_BASE_DEPAYLOAD_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_aes67_depay_debug, "aes67depay", 0,
      "AES67 L16/L24 depayloader");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "AES67 L16/L24 depayloader (internal)", "Codec/Depayloader/Network/RTP",
      "Takes L16/L24 audio out of RTP packets, channels as they come",
      "gst-aes67 developers");
  depay_class->set_caps = gst_aes67_depay_set_caps;
  depay_class->process_rtp_packet = gst_aes67_depay_process;
}

static void
gst_aes67_depay_init (GstAes67Depay * self)
{
}
