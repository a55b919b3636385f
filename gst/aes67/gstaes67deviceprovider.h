/* gst-aes67: device provider, AES67 sessions on the network as devices
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#ifndef __GST_AES67_DEVICE_PROVIDER_H__
#define __GST_AES67_DEVICE_PROVIDER_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_AES67_DEVICE_PROVIDER (gst_aes67_device_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67DeviceProvider, gst_aes67_device_provider, GST,
    AES67_DEVICE_PROVIDER, GstDeviceProvider);

#define GST_TYPE_AES67_DEVICE (gst_aes67_device_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67Device, gst_aes67_device, GST, AES67_DEVICE,
    GstDevice);

GST_DEVICE_PROVIDER_REGISTER_DECLARE (aes67deviceprovider);

G_END_DECLS

#endif /* __GST_AES67_DEVICE_PROVIDER_H__ */
