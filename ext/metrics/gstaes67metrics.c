/* gst-aes67: aes67metrics plugin
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstaes67metricstracer.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  return gst_tracer_register (plugin, "aes67metrics",
      GST_TYPE_AES67_METRICS_TRACER);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, aes67metrics,
    "Prometheus metrics, a JSON status, a status page and a JSON event log "
    "of every AES67 stream, PTP clock and loudness meter in a process",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
