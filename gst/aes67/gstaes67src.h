/* gst-aes67: aes67src
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_AES67_SRC_H__
#define __GST_AES67_SRC_H__

#include <gst/gst.h>
#include "aes67-sdp.h"
#include "aes67-sap-browser.h"
#include "aes67-rx-engine.h"
#include <gst/base/gstpushsrc.h>
#include <gst/audio/audio.h>

G_BEGIN_DECLS
/* What the browser said about the session aes67src follows by name:
 * shared between the browser's signal handlers (browser thread) and the
 * element; refcounted so a handler still running after its disconnection
 * finds it whole. */
    typedef struct
{
  gint refcount;
  GMutex lock;
  GCond cond;                   /* signalled when update or removed is set */
  gchar *name;                  /* s= to follow; set once */
  GWeakRef element;             /* the aes67src: the browser's warnings
                                 * are posted on it */
  /* protected by lock */
  gchar *key;                   /* o= identity followed, NULL: any */
  GstAes67SapSession *update;   /* newest SDP not taken yet, or NULL */
  gint removed;                 /* GstAes67SapRemoveReason not taken, or -1 */
  gchar *followed;              /* key the browser was told we follow (so it
                                 * never evicts it), or NULL */
  gboolean closed;              /* the element let the browser go: a handler
                                 * still running marks nothing more */
} Aes67SrcFollow;

typedef enum
{
  AES67_PLAYOUT_AUTO,
  AES67_PLAYOUT_ARRIVAL,
  AES67_PLAYOUT_MEDIA_CLOCK,
} Aes67Playout;

#define GST_TYPE_AES67_PLAYOUT (gst_aes67_playout_get_type ())
GType gst_aes67_playout_get_type (void);

#define GST_TYPE_AES67_SRC (gst_aes67_src_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67Src, gst_aes67_src, GST, AES67_SRC, GstPushSrc);

/* anchors kept to measure the sender's rate (arrival playout) */
#define DRIFT_ANCHORS 32

struct _GstAes67Src
{
  GstPushSrc parent;

  /* configuration, protected by the object lock; applied at NULL->READY */
  gchar *sdp;
  gchar *sdp_file;
  gchar *session_name;
  guint discovery_timeout_ms;
  gchar *address;
  guint port;
  gchar *encoding_name;
  guint rate;
  guint channels;
  guint payload_type;
  guint latency_ms;
  gchar *multicast_iface;
  gchar *secondary_address;     /* ST 2022-7 by hand, NULL: one leg */
  guint secondary_port;         /* 0: port */
  gchar *secondary_multicast_iface;
  guint buffer_size;
  guint timeout_ms;
  guint stats_interval_ms;
  Aes67Playout playout;
  gboolean ignore_grandmaster;

  /* the stream in use, object lock */
  Aes67SdpStream stream;
  gboolean have_stream;
  guint latency_in_use_ms;      /* link offset read at NULL->READY */

  /* discovery by session name (READY and up; set and cleared by the
   * state changes, polled by the streaming thread) */
  GstAes67SapBrowser *browser;
  Aes67SrcFollow *follow;
  gulong browser_handlers[4];
  GstAes67SapSession *session;  /* the announcement in use, object lock */
  gboolean parked;              /* not listening: the session was removed
                                 * (rx_lock) */

  /* the reception: rx_lock guards rx, the sums and the playout settings
   * (taken by the streaming thread per buffer, by stats readers and by
   * follow updates) */
  GMutex rx_lock;
  Aes67RxStream *rx;            /* NULL: not listening */
  Aes67RxStats sums;            /* counters of earlier rx streams (a
                                 * session that moved), added to rx's */
  GstCaps *caps;                /* of the stream in use */
  gboolean caps_pending;        /* caps changed: set before the next buffer */
  guint frame_bytes;
  guint out_frames;             /* frames per output buffer */
  guint out_packet;             /* the packet frames out_frames was chosen
                                 * for (0: from the SDP's ptime, or none) */
  gboolean out_media;           /* and for media-clock playout */
  gboolean media_clock;         /* playout on the media clock, else by
                                 * arrival */
  guint32 mediaclk_offset;
  gboolean reanchor;            /* a new stream: find the read position
                                 * again */
  gboolean restore_pending;     /* a new stream after a loss: its first
                                 * packet posts stream-restored */
  guint32 lost_ssrc;            /* the SSRC lost then */
  gint64 lost_at;               /* its last packet, monotonic ns */
  gboolean path_warned[2];      /* the warning of a leg that is not the
                                 * same stream was posted (rx_lock) */

  /* streaming thread only */
  GstClockID clock_id;          /* the wait in create (object lock) */
  GstClockID wait_id;           /* the entry it reuses (object lock) */
  GCond wait_cond;              /* the wait on a system clock, broadcast
                                 * by unlock (object lock) */
  GstBufferPool *pool;          /* output buffers, streaming thread */
  gsize pool_size;
  gint64 next_check;            /* monotonic ns of the next look at the
                                 * stream's state */
  gboolean flushing;            /* unlock called (object lock) */
  gboolean started;             /* the timeline is set */
  GstClockTime next_capture;    /* clock time of the next buffer's first
                                 * frame (capture, or arrival-based) */
  guint64 next_pos;             /* its frame number (media clock: on the
                                 * clock's timeline) */
  guint32 next_rtp;             /* its RTP timestamp */
  gboolean have_rtp;            /* next_rtp is on the stream's timeline */
  guint anchor_epoch;
  gboolean discont;
  gint64 next_stats;            /* monotonic ns of the next aes67-stats */

  /* following a sender whose clock drifts (arrival playout; streaming
   * thread only): after the first seconds of an anchor the output time
   * runs on as a frame count, and the ring is read through a resampler
   * once the read position strays from the arrival times */
  gboolean drift_locked;        /* output time = drift_base + frames */
  GstClockTime drift_settle_end;        /* clock time of the lock */
  GstClockTime drift_base;      /* clock time of the first locked frame */
  guint64 drift_frames;         /* frames output since drift_base */
  gdouble drift_err;            /* read position - arrival position,
                                 * frames, low-passed */
  gdouble drift_integ;          /* its integral, frames x s */
  gdouble drift_prev_err;       /* the last error, unfiltered, frames */
  gboolean drift_have_prev;
  gint64 anch_rtp[DRIFT_ANCHORS];       /* anchors seen, one each 0.5 s at
                                         * most: RTP time unwrapped */
  gint64 anch_arr[DRIFT_ANCHORS];       /* and arrival, monotonic ns */
  guint anch_n, anch_head;
  guint32 anch_last_rtp;
  gint drift_in_rate;           /* resampler ratio in/out, over
                                 * DRIFT_RATE_OUT */
  GstAudioResampler *resampler; /* kept across anchors, NULL until used */
  gboolean rs_engaged;          /* reading through the resampler */
  guint rs_channels, rs_sample_bytes;   /* the resampler's format */
  guint32 rs_start;             /* RTP time of the first resampled frame */
  gdouble rs_out_pos;           /* input frames the output advanced from
                                 * rs_start (fractional) */
  guint rs_skip;                /* output frames still to drop (priming) */
  guint8 *hist;                 /* the last frames passed through, stream
                                 * format (primes the resampler) */
  guint hist_frames;
  guint hist_frame_bytes;
  guint8 *rs_raw;               /* scratch: frames read, stream format */
  gint32 *rs_in, *rs_out;       /* scratch: native S32 */
  gsize rs_raw_size, rs_in_size, rs_out_size;   /* bytes allocated */
};

GST_ELEMENT_REGISTER_DECLARE (aes67src);

G_END_DECLS
#endif /* __GST_AES67_SRC_H__ */
