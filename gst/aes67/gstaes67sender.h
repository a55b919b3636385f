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

typedef enum
{
  AES67_ENCODING_AUTO,
  AES67_ENCODING_L16,
  AES67_ENCODING_L24,
} Aes67Encoding;

#define GST_TYPE_AES67_ENCODING (gst_aes67_encoding_get_type ())
GType gst_aes67_encoding_get_type (void);

/* aes67sink's configuration: one struct, one table of defaults
 * (aes67_sender_settings_defaults, which aes67sink's param specs and the
 * sender's _init both take), one mapping from property to field (in
 * gstaes67sender.c). */
typedef struct
{
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
  gchar *session_name;          /* NULL: "<host> <element> <pid>" */
  guint64 session_id;           /* 0: derived */
  gchar *channel_labels;
  guint timestamp_offset;       /* a=mediaclk:direct=<offset> */
  gchar *sdp_file;
  guint lateness_threshold_us;  /* µs; the one setting read while playing */
  /* SMPTE ST 2022-7: the secondary path */
  gchar *secondary_address;     /* NULL: no second path */
  guint secondary_port;         /* 0: the same as port */
  gchar *secondary_multicast_iface;
} Aes67SenderSettings;

extern const Aes67SenderSettings aes67_sender_settings_defaults;

/* Deep copy (strings duplicated) into @dst, which must be clear. */
void aes67_sender_settings_copy (Aes67SenderSettings * dst,
    const Aes67SenderSettings * src);
/* Frees the strings and zeroes @s. */
void aes67_sender_settings_clear (Aes67SenderSettings * s);

#define GST_TYPE_AES67_SENDER (gst_aes67_sender_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67Sender, gst_aes67_sender, GST, AES67_SENDER,
    GstBaseSink);

struct _GstAes67Sender
{
  GstBaseSink parent;

  /* the settings as set, protected by the object lock. READY->PAUSED
   * (open_stream) copies them into cfg under the lock; everything but
   * lateness-threshold is used from that copy until PAUSED->READY, so a
   * change applies from the next READY->PAUSED */
  Aes67SenderSettings settings;
  /* the copy in use: written by open_stream only, read by the streaming
   * thread (no lock: open_stream runs before the pads are active) */
  Aes67SenderSettings cfg;

  /* state, protected by the object lock */
  gchar *sdp;                   /* current session description */
  gchar *used_address;          /* destination in use */
  gchar *origin_address;        /* our source address towards it */
  gchar *used_secondary_address;        /* secondary destination in use, or
                                         * NULL */
  guint used_secondary_port;
  gchar *secondary_origin_address;      /* our source address towards it */
  gchar *used_session_name;     /* the session name in use (s=) */
  guint64 used_session_id;      /* the o= session id in use */
  gchar *localmac;              /* MAC of the sending interface, looked up
                                 * in open_stream with no lock held, or
                                 * NULL */
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

  /* sdp-file writes handed to the writer thread and not done yet:
   * protected by sdp_file_lock; PAUSED->READY waits for them */
  GMutex sdp_file_lock;
  GCond sdp_file_cond;
  guint sdp_file_pending;

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

  /* the network, set up at READY->PAUSED (open_stream) */
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

/* aes67sink's set_property / get_property: FALSE for a property id that
 * is not aes67sink's. */
gboolean gst_aes67_sender_set_config (GstAes67Sender * self, guint prop_id,
    const GValue * value, GParamSpec * pspec);
gboolean gst_aes67_sender_get_config (GstAes67Sender * self, guint prop_id,
    GValue * value, GParamSpec * pspec);


/* The encoding setting of the running stream (taken at READY -> PAUSED).
 * Streaming thread. */
Aes67Encoding gst_aes67_sender_encoding_in_use (GstAes67Sender * self);

G_END_DECLS
#endif /* __GST_AES67_SENDER_H__ */
