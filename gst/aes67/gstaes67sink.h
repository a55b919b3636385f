/* gst-aes67: aes67sink
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_AES67_SINK_H__
#define __GST_AES67_SINK_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_AES67_SINK (gst_aes67_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67Sink, gst_aes67_sink, GST, AES67_SINK, GstBin);

struct _GstAes67Sink
{
  GstBin parent;

  /* children, made once in _init, never replaced */
  GstElement *convert;
  GstElement *capsfilter;
  GstElement *sender;           /* GstAes67Sender: holds the configuration */
  GstPad *sinkpad;              /* ghost pad */
};

GST_ELEMENT_REGISTER_DECLARE (aes67sink);

G_END_DECLS

#endif /* __GST_AES67_SINK_H__ */
