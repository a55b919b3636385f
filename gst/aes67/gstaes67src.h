/* gst-aes67: aes67src
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_AES67_SRC_H__
#define __GST_AES67_SRC_H__

#include <gst/gst.h>
#include "aes67-sdp.h"

G_BEGIN_DECLS typedef enum
{
  AES67_PLAYOUT_AUTO,
  AES67_PLAYOUT_ARRIVAL,
  AES67_PLAYOUT_MEDIA_CLOCK,
} Aes67Playout;

#define GST_TYPE_AES67_PLAYOUT (gst_aes67_playout_get_type ())
GType gst_aes67_playout_get_type (void);

#define GST_TYPE_AES67_SRC (gst_aes67_src_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67Src, gst_aes67_src, GST, AES67_SRC, GstBin);

struct _GstAes67Src
{
  GstBin parent;

  /* children, made once in _init */
  GstElement *udpsrc;
  GstElement *filter;           /* GstAes67RtpFilter */
  GstElement *jitterbuffer;
  GstElement *depay;            /* GstAes67Depay */
  GstPad *srcpad;               /* ghost pad */
  gchar *missing;               /* a child that could not be made */

  /* configuration, protected by the object lock; applied at NULL->READY */
  gchar *sdp;
  gchar *sdp_file;
  gchar *address;
  guint port;
  gchar *encoding_name;
  guint rate;
  guint channels;
  guint payload_type;
  guint latency_ms;
  gchar *multicast_iface;
  guint buffer_size;
  guint timeout_ms;
  guint stats_interval_ms;
  Aes67Playout playout;
  gboolean ignore_grandmaster;
  gboolean media_clock_in_use;  /* decided when the clock is set */

  /* the stream in use, object lock */
  Aes67SdpStream stream;
  gboolean have_stream;

  /* the monitor thread: loss detection and aes67-stats messages */
  GThread *monitor;
  GMutex monitor_lock;
  GCond monitor_cond;
  gboolean monitor_stop;        /* protected by monitor_lock */
};

GST_ELEMENT_REGISTER_DECLARE (aes67src);

G_END_DECLS
#endif /* __GST_AES67_SRC_H__ */
