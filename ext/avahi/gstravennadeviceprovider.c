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
 * `aes67.sdp`, `aes67.origin` (the address the SDP was fetched from),
 * `aes67.rtsp-url`, and, read from the SDP by aes67src's own reader as
 * aes67deviceprovider does, `aes67.playable`, `aes67.address`,
 * `aes67.port`, `aes67.payload-type`, `aes67.encoding`, `aes67.rate`,
 * `aes67.channels`, `aes67.warnings` or `aes67.reason` (and, for a
 * redundant SMPTE ST 2022-7 session, `aes67.secondary-address` and
 * `aes67.secondary-port`, the second leg's destination), and caps that are
 * those aes67src outputs (empty when it refuses the SDP).
 * gst_device_create_element() makes an aes67src with its `sdp` set.
 *
 * Its rank is NONE: device monitors do not start it themselves. The SAP
 * browser of the aes67 plugin runs it and merges what it finds with the
 * SAP sessions, so aes67deviceprovider and `aes67src session-name=` see
 * both without listing a session twice.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstravennadeviceprovider.h"
#include "aes67-mdns.h"
#include "aes67-rtsp-describe.h"
#include "aes67-sdp.h"

GST_DEBUG_CATEGORY_STATIC (ravenna_provider_debug);
#define GST_CAT_DEFAULT ravenna_provider_debug

#define FETCH_TIMEOUT_US (3 * G_USEC_PER_SEC)

/* ---------- device ---------- */

struct _GstRavennaDevice
{
  GstDevice parent;
  gchar *sdp;
};

G_DEFINE_TYPE (GstRavennaDevice, gst_ravenna_device, GST_TYPE_DEVICE);

static GstElement *
gst_ravenna_device_create_element (GstDevice * device, const gchar * name)
{
  GstElement *src = gst_element_factory_make ("aes67src", name);

  if (!src) {
    GST_WARNING_OBJECT (device, "the aes67src element is not installed");
    return NULL;
  }
  g_object_set (src, "sdp", GST_RAVENNA_DEVICE (device)->sdp, NULL);
  return src;
}

static void
gst_ravenna_device_finalize (GObject * object)
{
  g_free (GST_RAVENNA_DEVICE (object)->sdp);
  G_OBJECT_CLASS (gst_ravenna_device_parent_class)->finalize (object);
}

static void
gst_ravenna_device_class_init (GstRavennaDeviceClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_ravenna_device_finalize;
  GST_DEVICE_CLASS (klass)->create_element = gst_ravenna_device_create_element;
}

static void
gst_ravenna_device_init (GstRavennaDevice * self)
{
}

/* ---------- provider ---------- */

typedef struct
{
  gchar *name, *address;
  guint16 port;
  gboolean added;
} Job;

static void
job_free (Job * j)
{
  g_free (j->name);
  g_free (j->address);
  g_free (j);
}

struct _GstRavennaDeviceProvider
{
  GstDeviceProvider parent;

  /* start/stop only */
  Aes67Mdns *mdns;
  GThread *worker;
  GAsyncQueue *jobs;            /* of Job; a Job with no name stops */
  /* the worker thread only */
  GHashTable *devices;          /* name -> GstDevice */
};

G_DEFINE_TYPE (GstRavennaDeviceProvider, gst_ravenna_device_provider,
    GST_TYPE_DEVICE_PROVIDER);
GST_DEVICE_PROVIDER_REGISTER_DEFINE (ravennadeviceprovider,
    "ravennadeviceprovider", GST_RANK_NONE, GST_TYPE_RAVENNA_DEVICE_PROVIDER);

static GstDevice *
device_new (const gchar * name, const gchar * sdp, const gchar * address,
    guint16 port)
{
  gchar *path = aes67_rtsp_session_path (name);
  gchar *url = g_strdup_printf ("rtsp://%s:%u%s", address, port, path);
  GstStructure *props = gst_structure_new ("ravenna-device",
      "device.api", G_TYPE_STRING, "aes67",
      "aes67.session-name", G_TYPE_STRING, name,
      "aes67.sdp", G_TYPE_STRING, sdp,
      "aes67.origin", G_TYPE_STRING, address,
      "aes67.rtsp-url", G_TYPE_STRING, url, NULL);
  GstCaps *caps;
  GstRavennaDevice *dev;
  Aes67SdpStream st;
  GError *why = NULL;

  /* aes67src's reader and caps: what is listed is what plays */
  aes67_sdp_stream_init (&st);
  if (aes67_sdp_parse (sdp, &st, &why)) {
    caps = aes67_sdp_stream_to_audio_caps (&st);
    gst_structure_set (props, "aes67.playable", G_TYPE_BOOLEAN, TRUE,
        "aes67.address", G_TYPE_STRING, st.address,
        "aes67.port", G_TYPE_UINT, st.port,
        "aes67.payload-type", G_TYPE_UINT, st.payload_type,
        "aes67.encoding", G_TYPE_STRING, st.encoding,
        "aes67.rate", G_TYPE_UINT, st.rate,
        "aes67.channels", G_TYPE_UINT, st.channels, NULL);
    if (st.has_secondary)
      gst_structure_set (props,
          "aes67.secondary-address", G_TYPE_STRING, st.secondary_address,
          "aes67.secondary-port", G_TYPE_UINT, st.secondary_port, NULL);
    if (st.warnings) {
      gchar *w = g_strjoinv ("; ", st.warnings);

      gst_structure_set (props, "aes67.warnings", G_TYPE_STRING, w, NULL);
      g_free (w);
    }
  } else {
    caps = gst_caps_new_empty ();
    gst_structure_set (props, "aes67.playable", G_TYPE_BOOLEAN, FALSE,
        "aes67.reason", G_TYPE_STRING, why->message, NULL);
    g_clear_error (&why);
  }
  aes67_sdp_stream_clear (&st);
  dev = g_object_new (GST_TYPE_RAVENNA_DEVICE,
      "display-name", name, "device-class", "Audio/Source/Network",
      "caps", caps, "properties", props, NULL);

  dev->sdp = g_strdup (sdp);
  gst_structure_free (props);
  gst_caps_unref (caps);
  g_free (path);
  g_free (url);
  return GST_DEVICE (gst_object_ref_sink (dev));
}

/* Fetches SDPs off the avahi thread (DESCRIBE blocks). */
static gpointer
worker (gpointer data)
{
  GstRavennaDeviceProvider *self = data;

  for (;;) {
    Job *j = g_async_queue_pop (self->jobs);
    GstDevice *dev;

    if (!j->name) {
      job_free (j);
      break;
    }
    if (j->added) {
      GError *err = NULL;
      gchar *sdp = aes67_rtsp_describe (j->address, j->port, j->name,
          FETCH_TIMEOUT_US, &err);

      if (!sdp) {
        GST_WARNING_OBJECT (self, "session '%s' found with mDNS, but its "
            "SDP cannot be fetched: %s", j->name, err->message);
        g_clear_error (&err);
      } else {
        dev = device_new (j->name, sdp, j->address, j->port);
        if (g_hash_table_contains (self->devices, j->name))
          gst_device_provider_device_changed (GST_DEVICE_PROVIDER (self),
              dev, g_hash_table_lookup (self->devices, j->name));
        else
          gst_device_provider_device_add (GST_DEVICE_PROVIDER (self), dev);
        g_hash_table_replace (self->devices, g_strdup (j->name), dev);
        g_free (sdp);
      }
    } else if ((dev = g_hash_table_lookup (self->devices, j->name))) {
      gst_device_provider_device_remove (GST_DEVICE_PROVIDER (self), dev);
      g_hash_table_remove (self->devices, j->name);
    }
    job_free (j);
  }
  /* stopping: every device goes */
  {
    GHashTableIter it;
    gpointer v;

    g_hash_table_iter_init (&it, self->devices);
    while (g_hash_table_iter_next (&it, NULL, &v))
      gst_device_provider_device_remove (GST_DEVICE_PROVIDER (self), v);
    g_hash_table_remove_all (self->devices);
  }
  return NULL;
}

static void
on_mdns (const gchar * name, const gchar * host, const gchar * address,
    guint16 port, gboolean added, gpointer data)
{
  GstRavennaDeviceProvider *self = data;
  Job *j = g_new0 (Job, 1);

  j->name = g_strdup (name);
  j->address = g_strdup (address);
  j->port = port;
  j->added = added;
  g_async_queue_push (self->jobs, j);
}

static gboolean
gst_ravenna_device_provider_start (GstDeviceProvider * provider)
{
  GstRavennaDeviceProvider *self = GST_RAVENNA_DEVICE_PROVIDER (provider);
  GError *err = NULL;

  self->mdns = aes67_mdns_new (&err);
  if (!self->mdns) {
    GST_INFO_OBJECT (self, "no mDNS: %s", err->message);
    g_clear_error (&err);
    return FALSE;
  }
  self->jobs = g_async_queue_new ();
  /* made here, so its sockets are in the caller's network namespace */
  self->worker = g_thread_new ("ravenna-fetch", worker, self);
  if (!aes67_mdns_browse (self->mdns, on_mdns, self, &err)) {
    GST_WARNING_OBJECT (self, "%s", err->message);
    g_clear_error (&err);
  }
  return TRUE;
}

static void
gst_ravenna_device_provider_stop (GstDeviceProvider * provider)
{
  GstRavennaDeviceProvider *self = GST_RAVENNA_DEVICE_PROVIDER (provider);

  if (!self->mdns)
    return;
  /* no more callbacks after this */
  g_clear_pointer (&self->mdns, aes67_mdns_free);
  g_async_queue_push (self->jobs, g_new0 (Job, 1));
  g_thread_join (self->worker);
  self->worker = NULL;
  g_async_queue_unref (self->jobs);
  self->jobs = NULL;
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
