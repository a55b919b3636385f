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
#include "aes67-sap-browser.h"

G_BEGIN_DECLS
#define GST_TYPE_AES67_DEVICE_PROVIDER (gst_aes67_device_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67DeviceProvider, gst_aes67_device_provider, GST,
    AES67_DEVICE_PROVIDER, GstDeviceProvider);

#define GST_TYPE_AES67_DEVICE (gst_aes67_device_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67Device, gst_aes67_device, GST, AES67_DEVICE,
    GstDevice);

GST_DEVICE_PROVIDER_REGISTER_DECLARE (aes67deviceprovider);

/* A device of class Audio/Source/Network for session @s, with the device
 * properties aes67deviceprovider documents. Without @rtsp_url (a SAP
 * session) its element is an aes67src with `session-name`; with one (a
 * RAVENNA session, ravennadeviceprovider) the properties also have
 * `aes67.rtsp-url` and its element is an aes67src with the `sdp`. */
GstDevice *gst_aes67_device_new (const GstAes67SapSession * s,
    const gchar * rtsp_url);

/* For both providers: @devices maps a key to a GstDevice (a reference) and
 * is protected by @provider's object lock. Puts @dev under @key (the
 * monitors see it added, or changed from the one it replaces), or with
 * @dev NULL removes the device of @key (they see it removed). Call with no
 * lock held. */
void gst_aes67_device_provider_update (GstDeviceProvider * provider,
    GHashTable * devices, const gchar * key, GstDevice * dev);
/* Removes every device of @devices (the monitors see each go). No lock
 * held. */
void gst_aes67_device_provider_remove_all (GstDeviceProvider * provider,
    GHashTable * devices);

G_END_DECLS
#endif /* __GST_AES67_DEVICE_PROVIDER_H__ */
