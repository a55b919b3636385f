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
#ifdef HAVE_AVAHI
#include "gstravennaannounce.h"
#include "gstravennadeviceprovider.h"
#endif

void
gst_aes67_warn_if_set_too_late (GstElement * element, GParamSpec * pspec)
{
  GstState state;

  if (pspec->flags & (GST_PARAM_MUTABLE_READY | GST_PARAM_MUTABLE_PAUSED |
          GST_PARAM_MUTABLE_PLAYING))
    return;
  GST_OBJECT_LOCK (element);
  state = GST_STATE (element);
  GST_OBJECT_UNLOCK (element);
  if (state == GST_STATE_NULL)
    return;
  GST_ELEMENT_WARNING (element, RESOURCE, SETTINGS,
      ("The %s property was set in the %s state: it takes effect only when "
          "the element is next set to NULL and started again.",
          pspec->name, gst_element_state_get_name (state)), (NULL));
}

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
#ifdef HAVE_AVAHI
  /* RAVENNA: the mDNS backend's elements */
  ret &= GST_ELEMENT_REGISTER (ravennaannounce, plugin);
  ret &= GST_DEVICE_PROVIDER_REGISTER (ravennadeviceprovider, plugin);
#endif

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, aes67,
    "AES67 audio over IP: send, receive and clock AES67 streams",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
