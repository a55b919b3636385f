/* gst-aes67: aes67src
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_AES67_SRC_H__
#define __GST_AES67_SRC_H__

#include <gst/gst.h>
#include "aes67-sdp.h"
#include "aes67-sap-browser.h"

G_BEGIN_DECLS

/* What the browser said about the session aes67src follows by name:
 * shared between the browser's signal handlers (browser thread) and the
 * element; refcounted so a handler still running after its disconnection
 * finds it whole. */
typedef struct {
  gint refcount;
  GMutex lock;
  GCond cond;                   /* signalled when update or removed is set */
  gchar *name;                  /* s= to follow; set once */
  /* protected by lock */
  gchar *key;                   /* o= identity followed, NULL: any */
  GstAes67SapSession *update;   /* newest SDP not taken yet, or NULL */
  gint removed;                 /* GstAes67SapRemoveReason not taken, or -1 */
  gchar *followed;              /* key the browser was told we follow (so it
                                 * never evicts it), or NULL */
  gboolean closed;              /* the element let the browser go: a handler
                                 * still running marks nothing more */
} Aes67SrcFollow;

typedef enum {
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
  guint buffer_size;
  guint timeout_ms;
  guint stats_interval_ms;
  Aes67Playout playout;
  gboolean ignore_grandmaster;

  /* the stream in use, object lock */
  Aes67SdpStream stream;
  gboolean have_stream;

  /* discovery by session name (READY and up; set and cleared by the
   * state changes, read by the monitor thread while it runs) */
  GstAes67SapBrowser *browser;
  Aes67SrcFollow *follow;
  gulong browser_handlers[3];
  GstAes67SapSession *session;  /* the announcement in use, object lock */
  gboolean parked;              /* udpsrc stopped: the session was removed;
                                 * written under the state lock */
  gint eos;                     /* EOS sent to the element since READY to
                                 * PAUSED; set under the state lock, atomic */
  gint eos_passed;              /* an EOS went into the filter; atomic */

  /* the monitor thread: loss detection and aes67-stats messages */
  GThread *monitor;
  GMutex monitor_lock;
  GCond monitor_cond;
  gboolean monitor_stop;        /* protected by monitor_lock */
};

GST_ELEMENT_REGISTER_DECLARE (aes67src);

G_END_DECLS

#endif /* __GST_AES67_SRC_H__ */
