/* gst-aes67: the sending end inside aes67sink
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_AES67_SENDER_H__
#define __GST_AES67_SENDER_H__

#include <gst/gst.h>
#include <gst/base/gstbasesink.h>
#include <gst/base/gstadapter.h>
#include <gst/audio/audio.h>
#include <gio/gio.h>

#include "aes67-pacer.h"

G_BEGIN_DECLS
/* The configuration aes67sink exposes as its properties; the sender holds
 * it (ids shared with aes67sink's property table). */
    typedef enum
{
  AES67_SINK_PROP_0,
  AES67_SINK_PROP_ADDRESS,
  AES67_SINK_PROP_PORT,
  AES67_SINK_PROP_PTIME,
  AES67_SINK_PROP_PAYLOAD_TYPE,
  AES67_SINK_PROP_ENCODING,
  AES67_SINK_PROP_TTL,
  AES67_SINK_PROP_MULTICAST_IFACE,
  AES67_SINK_PROP_DSCP,
  AES67_SINK_PROP_LOOP,
  AES67_SINK_PROP_MTU,
  AES67_SINK_PROP_SESSION_NAME,
  AES67_SINK_PROP_SESSION_ID,
  AES67_SINK_PROP_CHANNEL_LABELS,
  AES67_SINK_PROP_TIMESTAMP_OFFSET,
  AES67_SINK_PROP_SDP,
  AES67_SINK_PROP_SDP_FILE,
  AES67_SINK_PROP_STATS,
  AES67_SINK_PROP_LATENESS_THRESHOLD,
  AES67_SINK_PROP_SECONDARY_ADDRESS,
  AES67_SINK_PROP_SECONDARY_PORT,
  AES67_SINK_PROP_SECONDARY_MULTICAST_IFACE,
  AES67_SINK_N_PROPS
} Aes67SinkProp;

/* lateness-threshold's default, µs: one packet time at AES67's 1 ms */
#define AES67_SINK_DEFAULT_LATENESS_THRESHOLD 1000

typedef enum
{
  AES67_ENCODING_AUTO,
  AES67_ENCODING_L16,
  AES67_ENCODING_L24,
} Aes67Encoding;

#define GST_TYPE_AES67_ENCODING (gst_aes67_encoding_get_type ())
GType gst_aes67_encoding_get_type (void);

#define GST_TYPE_AES67_SENDER (gst_aes67_sender_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67Sender, gst_aes67_sender, GST, AES67_SENDER,
    GstBaseSink);

struct _GstAes67Sender
{
  GstBaseSink parent;

  /* configuration, protected by the object lock; read at start and
   * set_caps, so changes apply from the next READY->PAUSED */
  gchar *address;               /* NULL: derived from the session name */
  guint port;
  guint ptime_us;
  guint payload_type;
  Aes67Encoding encoding;
  guint ttl;
  gchar *multicast_iface;
  guint dscp;
  gboolean loop;
  guint mtu;
  gchar *session_name;          /* NULL: "<host> <element>" */
  guint64 session_id;           /* 0: derived */
  gchar *channel_labels;
  guint32 timestamp_offset;     /* a=mediaclk:direct=<offset> */
  gchar *sdp_file;
  guint lateness_threshold_us;  /* applies while playing */
  /* SMPTE ST 2022-7: the secondary path */
  gchar *secondary_address;     /* NULL: no second path */
  guint secondary_port;         /* 0: the same as port */
  gchar *secondary_multicast_iface;

  /* state, protected by the object lock */
  gchar *sdp;                   /* current session description */
  gchar *used_address;          /* destination in use */
  gchar *origin_address;        /* our source address towards it */
  gchar *used_secondary_address;        /* secondary destination in use, or
                                         * NULL */
  guint used_secondary_port;
  gchar *secondary_origin_address;      /* our source address towards it */
  guint32 ssrc;
  guint16 seqnum;
  guint32 rtptime;              /* RTP time of the next packet */

  /* the media clock: what the pipeline clock says of PTP (object lock) */
  gint ptp_domain;              /* -1: the clock is not PTP */
  gchar *ptp_gmid;              /* last grandmaster seen (kept while the
                                 * clock is unlocked), or NULL */
  GstClock *watched_clock;      /* clock whose PTP changes we follow */
  gulong watch_id;
  gint sdp_dirty;               /* atomic: rebuild the SDP in render */

  /* streaming state, protected by the stream lock */
  GstAudioInfo info;
  gboolean have_info;
  guint frames_per_packet;
  guint packet_bytes;
  GstAdapter *adapter;
  gboolean resync;              /* next buffer starts a new timeline */
  GstClockTime next_rt;         /* running time of the next packet's first
                                 * sample, as the timeline expects it */
  gint64 timeline_rt;           /* running time where the timeline began
                                 * (its first packet's first frame; may be
                                 * before 0) */
  GstClockTime timeline_base;   /* base time the timeline was made with */
  guint64 timeline_frames;      /* frames packetized since then */
  gboolean marker;
  GstClockTime warned_at;       /* last send-error warning, monotonic */
  guint64 warned_errors;
  guint pacer_threshold_us;     /* lateness threshold the pacer has */
  gint64 qos_at;                /* last QoS message, monotonic ns, or 0 */

  /* the network, set up in start() */
  GSocket *socket;              /* shared with alike senders */
  gchar *socket_key;
  GSocketAddress *dest;
  GSocket *socket2;             /* the secondary path's, or NULL */
  gchar *socket2_key;
  GSocketAddress *dest2;
  Aes67PacerStream *stream;
  guint64 warned_errors2;       /* secondary path's send errors warned */
  GstClockTime warned_at2;
};

void gst_aes67_sender_set_config (GstAes67Sender * self, guint prop_id,
    const GValue * value);
void gst_aes67_sender_get_config (GstAes67Sender * self, guint prop_id,
    GValue * value);

/* The destination address the sender uses with its current configuration
 * (the property, or the one derived from the session name). Free it. */
gchar *gst_aes67_sender_dup_address (GstAes67Sender * self);

G_END_DECLS
#endif /* __GST_AES67_SENDER_H__ */
