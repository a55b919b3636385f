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

static gboolean
gst_aes67_depay_set_caps (GstRTPBaseDepayload * depay, GstCaps * caps)
{
  GstAes67Depay *self = GST_AES67_DEPAY (depay);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  const gchar *enc = gst_structure_get_string (s, "encoding-name");
  gint rate = 0, channels = 1;
  gboolean l16;
  GstCaps *out;
  gboolean ret;

  if (!gst_structure_get_int (s, "clock-rate", &rate) || rate <= 0 || !enc)
    return FALSE;
  gst_structure_get_int (s, "channels", &channels);
  if (channels < 1 || channels > 64)
    return FALSE;
  l16 = g_ascii_strcasecmp (enc, "L16") == 0;
  self->frame_bytes = channels * (l16 ? 2 : 3);
  depay->clock_rate = rate;

  /* the caps the device providers list for this stream, too */
  out = aes67_audio_caps (enc, rate, channels);
  ret = gst_pad_set_caps (GST_RTP_BASE_DEPAYLOAD_SRCPAD (depay), out);
  gst_caps_unref (out);
  return ret;
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
