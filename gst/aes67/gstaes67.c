/* gst-aes67
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

#include "gstaes67elements.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = TRUE;

  /* each element: ret &= GST_ELEMENT_REGISTER (name, plugin); */
  ret &= GST_ELEMENT_REGISTER (aes67sink, plugin);
  ret &= GST_ELEMENT_REGISTER (aes67src, plugin);
  ret &= GST_ELEMENT_REGISTER (ptpclock, plugin);
  ret &= GST_ELEMENT_REGISTER (sapannounce, plugin);
  ret &= GST_DEVICE_PROVIDER_REGISTER (aes67deviceprovider, plugin);

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, aes67,
    "AES67 audio over IP: send, receive and clock AES67 streams",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
