/* gst-aes67: ravennadeviceprovider, sessions found with mDNS as devices
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
/**
 * SECTION:provider-ravennadeviceprovider
 * @title: ravennadeviceprovider
 * @see_also: aes67deviceprovider, ravennaannounce
 *
 * Finds RAVENNA sessions (mDNS/DNS-SD services `_rtsp._tcp` with the
 * subtype `_ravenna_session`), fetches each SDP with RTSP DESCRIBE and
 * lists the session as a #GstDevice of class `Audio/Source/Network` with
 * the properties `device.api` ("aes67"), `aes67.session-name`,
 * `aes67.sdp`, `aes67.session-id` (the o= line without its version),
 * `aes67.origin` (the address the SDP was fetched from),
 * `aes67.rtsp-url`, and, read from the SDP by aes67src's own reader as
 * aes67deviceprovider does, `aes67.playable`, `aes67.address`,
 * `aes67.port`, `aes67.payload-type`, `aes67.encoding`, `aes67.rate`,
 * `aes67.channels`, `aes67.warnings` or `aes67.reason` (and, for a
 * redundant SMPTE ST 2022-7 session, `aes67.secondary-address` and
 * `aes67.secondary-port`, the second leg's destination), and caps that are
 * those aes67src outputs (empty when it refuses the SDP).
 * gst_device_create_element() makes an aes67src with its `sdp` set.
 *
 * A session whose SDP has no o= or s= line is not listed.
 *
 * Its rank is NONE: device monitors do not start it themselves. The SAP
 * browser of the aes67 plugin browses with the same mDNS code and merges
 * what it finds with the SAP sessions, so aes67deviceprovider and
 * `aes67src session-name=` see both without listing a session twice.
 *
 * It is part of the aes67 plugin when gst-aes67 is built with
 * libavahi-client.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstravennadeviceprovider.h"
#include "gstaes67deviceprovider.h"
#include "aes67-discovery-backend.h"
#include "aes67-sap-browser.h"

GST_DEBUG_CATEGORY_STATIC (ravenna_provider_debug);
#define GST_CAT_DEFAULT ravenna_provider_debug

struct _GstRavennaDeviceProvider
{
  GstDeviceProvider parent;

  /* start/stop only */
  const Aes67DiscoveryBackend *backend;
  Aes67DiscoveryBrowse *browse;
  /* protected by the object lock */
  GHashTable *devices;          /* name -> GstDevice */
};

G_DEFINE_TYPE (GstRavennaDeviceProvider, gst_ravenna_device_provider,
    GST_TYPE_DEVICE_PROVIDER);
GST_DEVICE_PROVIDER_REGISTER_DEFINE (ravennadeviceprovider,
    "ravennadeviceprovider", GST_RANK_NONE, GST_TYPE_RAVENNA_DEVICE_PROVIDER);

/* the backend's thread: a session found or changed */
static void
on_found (const Aes67DiscoveredSession * found, gpointer data)
{
  GstRavennaDeviceProvider *self = data;
  GstAes67SapSession *s;
  GstDevice *dev;
  GError *err = NULL;

  s = gst_aes67_sap_session_new (found->sdp, found->origin, 0, &err);
  if (!s) {
    GST_WARNING_OBJECT (self, "session '%s' (%s): %s", found->name,
        GST_STR_NULL (found->url), err->message);
    g_clear_error (&err);
    return;
  }
  dev = gst_aes67_device_new (s, found->url);
  gst_aes67_sap_session_unref (s);
  gst_aes67_device_provider_update (GST_DEVICE_PROVIDER (self),
      self->devices, found->name, dev);
  gst_object_unref (dev);
}

/* the backend's thread: a session gone */
static void
on_removed (const Aes67DiscoveredSession * gone, gpointer data)
{
  GstRavennaDeviceProvider *self = data;

  gst_aes67_device_provider_update (GST_DEVICE_PROVIDER (self),
      self->devices, gone->name, NULL);
}

static void
on_warning (const gchar * name, const gchar * message, gpointer data)
{
  GST_WARNING_OBJECT (data, "%s", message);
}

static gboolean
gst_ravenna_device_provider_start (GstDeviceProvider * provider)
{
  static const Aes67DiscoveryBrowseFuncs funcs = {
    on_found, on_removed, on_warning
  };
  GstRavennaDeviceProvider *self = GST_RAVENNA_DEVICE_PROVIDER (provider);
  const Aes67DiscoveryBackend *b = aes67_discovery_backend_mdns ();
  GError *err = NULL;

  if (!b)
    return FALSE;
  /* in the caller's network namespace */
  self->browse = b->browse (&funcs, self, &err);
  if (!self->browse) {
    GST_INFO_OBJECT (self, "no mDNS: %s", err->message);
    g_clear_error (&err);
    return FALSE;
  }
  self->backend = b;
  return TRUE;
}

static void
gst_ravenna_device_provider_stop (GstDeviceProvider * provider)
{
  GstRavennaDeviceProvider *self = GST_RAVENNA_DEVICE_PROVIDER (provider);

  if (!self->browse)
    return;
  /* no more callbacks after this */
  self->backend->browse_stop (self->browse);
  self->browse = NULL;
  /* stopping: every device goes */
  gst_aes67_device_provider_remove_all (provider, self->devices);
}

static void
gst_ravenna_device_provider_finalize (GObject * object)
{
  g_hash_table_destroy (GST_RAVENNA_DEVICE_PROVIDER (object)->devices);
  G_OBJECT_CLASS (gst_ravenna_device_provider_parent_class)->finalize (object);
}

static void
gst_ravenna_device_provider_class_init (GstRavennaDeviceProviderClass * klass)
{
  GstDeviceProviderClass *dp_class = GST_DEVICE_PROVIDER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = gst_ravenna_device_provider_finalize;
  dp_class->start = gst_ravenna_device_provider_start;
  dp_class->stop = gst_ravenna_device_provider_stop;
  gst_device_provider_class_set_static_metadata (dp_class,
      "RAVENNA session provider", "Audio/Source/Network",
      "Lists the RAVENNA sessions found with mDNS, their SDP fetched with "
      "RTSP DESCRIBE", "gst-aes67 authors");
  GST_DEBUG_CATEGORY_INIT (ravenna_provider_debug, "ravennadeviceprovider",
      0, "RAVENNA device provider");
}

static void
gst_ravenna_device_provider_init (GstRavennaDeviceProvider * self)
{
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      gst_object_unref);
}
