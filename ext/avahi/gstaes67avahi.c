/* gst-aes67: the aes67avahi plugin (RAVENNA discovery on libavahi-client)
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstravennaannounce.h"
#include "gstravennadeviceprovider.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = TRUE;

  ret &= GST_ELEMENT_REGISTER (ravennaannounce, plugin);
  ret &= GST_DEVICE_PROVIDER_REGISTER (ravennadeviceprovider, plugin);

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, aes67avahi,
    "AES67 discovery with mDNS/DNS-SD and RTSP, as RAVENNA devices do",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
