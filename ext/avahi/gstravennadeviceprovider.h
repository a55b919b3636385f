/* gst-aes67: ravennadeviceprovider, sessions found with mDNS as devices
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#ifndef __GST_RAVENNA_DEVICE_PROVIDER_H__
#define __GST_RAVENNA_DEVICE_PROVIDER_H__

#include <gst/gst.h>

G_BEGIN_DECLS
#define GST_TYPE_RAVENNA_DEVICE_PROVIDER (gst_ravenna_device_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstRavennaDeviceProvider, gst_ravenna_device_provider,
    GST, RAVENNA_DEVICE_PROVIDER, GstDeviceProvider);

GST_DEVICE_PROVIDER_REGISTER_DECLARE (ravennadeviceprovider);

G_END_DECLS
#endif /* __GST_RAVENNA_DEVICE_PROVIDER_H__ */
