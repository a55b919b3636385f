/* gst-aes67: the RTP gate inside aes67src
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_AES67_RTP_FILTER_H__
#define __GST_AES67_RTP_FILTER_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_AES67_RTP_FILTER (gst_aes67_rtp_filter_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67RtpFilter, gst_aes67_rtp_filter, GST,
    AES67_RTP_FILTER, GstElement);

typedef enum {
  AES67_STREAM_WAITING,         /* no packet yet */
  AES67_STREAM_RECEIVING,
  AES67_STREAM_LOST,            /* nothing for `timeout` */
} Aes67StreamState;

/* Counters, RFC 3550 section 6.4.1 / appendix A.3 and A.8 where named. */
typedef struct {
  guint64 received;             /* valid packets passed on */
  gint64 lost;                  /* expected - received (A.3), cumulative */
  guint64 duplicate;            /* a sequence number seen before */
  guint64 reordered;            /* older than the highest seen, not seen */
  guint64 malformed;            /* not valid RTP, or a payload that is not
                                 * whole frames */
  guint64 foreign;              /* other payload type, source or SSRC */
  guint64 too_early;            /* media-clock playout: captured before the
                                 * pipeline started, dropped */
  gdouble jitter_us;            /* interarrival jitter (A.8), µs */
  guint32 ssrc;                 /* locked SSRC (0 if none yet) */
  Aes67StreamState state;
  guint64 restored_count;       /* how often the stream came back */
} Aes67RtpFilterStats;

struct _GstAes67RtpFilter
{
  GstElement parent;

  GstPad *sinkpad, *srcpad;

  /* configuration, object lock; set by aes67src at READY */
  guint payload_type;           /* 0-127, or G_MAXUINT: any */
  guint frame_bytes;            /* bytes per frame (channels x width) */
  guint clock_rate;
  gchar *source_filter;         /* only packets from this address, or NULL */
  GstClockTime timeout;         /* ns without packets before "lost" */
  /* media-clock playout (RFC 7273): stamp each packet's DTS with the
   * running time of its capture, from its RTP time; else leave udpsrc's
   * arrival time */
  gboolean media_clock;
  guint32 mediaclk_offset;      /* a=mediaclk:direct=<offset> */

  /* state, object lock */
  Aes67RtpFilterStats stats;
  gboolean have_seq;
  guint32 base_ext_seq;         /* first extended seq of this SSRC */
  guint32 max_ext_seq;          /* highest extended seq */
  guint64 window;               /* bit i: max_ext_seq - i was received */
  guint64 received_since_base;
  gint64 lost_before;           /* loss counted under earlier SSRCs */
  gint64 last_arrival;          /* monotonic ns of the last valid packet */
  gint64 lost_since;            /* when the stream was declared lost */
  gboolean have_transit;
  gint64 last_transit;          /* arrival - RTP time, in RTP units */
  gdouble jitter;               /* in RTP units */
};

/* Copies the statistics (with the object lock). */
void gst_aes67_rtp_filter_get_stats (GstAes67RtpFilter * self,
    Aes67RtpFilterStats * st);

/* Checks for the timeout at monotonic time @now; returns TRUE (once) if the
 * stream has just been declared lost. The SSRC lock is released then, so a
 * restarted sender with a new SSRC is taken. */
gboolean gst_aes67_rtp_filter_check_timeout (GstAes67RtpFilter * self,
    gint64 now);

/* Declares the stream lost now (its session was deleted): the SSRC lock is
 * released and the next packet counts as a restore. Returns TRUE if it was
 * being received, FALSE if it was already lost or never came. */
gboolean gst_aes67_rtp_filter_set_lost (GstAes67RtpFilter * self, gint64 now);

/* Forgets the stream (new configuration). */
void gst_aes67_rtp_filter_reset (GstAes67RtpFilter * self);

const gchar *aes67_stream_state_name (Aes67StreamState s);

G_END_DECLS

#endif /* __GST_AES67_RTP_FILTER_H__ */
