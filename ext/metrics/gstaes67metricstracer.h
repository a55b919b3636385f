/* gst-aes67: aes67metrics tracer
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_AES67_METRICS_TRACER_H__
#define __GST_AES67_METRICS_TRACER_H__

#include <gst/gst.h>
#include <gst/gsttracer.h>

G_BEGIN_DECLS
#define GST_TYPE_AES67_METRICS_TRACER (gst_aes67_metrics_tracer_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67MetricsTracer, gst_aes67_metrics_tracer, GST,
    AES67_METRICS_TRACER, GstTracer);

G_END_DECLS
#endif /* __GST_AES67_METRICS_TRACER_H__ */
