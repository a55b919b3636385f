/* gst-aes67: device provider, AES67 sessions on the network as devices
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
/**
 * SECTION:provider-aes67deviceprovider
 * @title: aes67deviceprovider
 * @see_also: aes67src, sapannounce, #GstDeviceMonitor
 *
 * Lists the AES67 sessions announced on the network with SAP (RFC 2974)
 * as #GstDevice objects of class `Audio/Source/Network`, so applications
 * (OBS, relays, gst-device-monitor-1.0) can offer them like sound cards.
 * A device appears when its session is first announced, is replaced when
 * its SDP changes and goes when a SAP deletion arrives, the session times
 * out (10 announcement intervals, at most an hour) or the browser evicts it
 * to make room (limits per announcer: max-sessions-per-origin, 512, and
 * max-sessions, 1024, in all; see docs/discovery.md).
 *
 * SAP has no query: a session shows up at its next announcement (every
 * 5 s from sapannounce, PipeWire and ffmpeg by default, 30 s from
 * aes67-linux-daemon). Follow the monitor to see them arrive:
 * |[
 * gst-device-monitor-1.0 -f Audio/Source/Network
 * ]|
 *
 * The SDP is read by aes67src's own reader (see aes67src, "How the SDP is
 * read"), so a device's caps are exactly the caps aes67src outputs for it
 * (`audio/x-raw`, format S16BE or S24BE, rate, channels, interleaved,
 * channel-mask), and a session aes67src refuses (AM824, no rtpmap, ...)
 * is listed with empty caps (a monitor filtering on caps leaves it out),
 * `aes67.playable` FALSE and the reason.
 *
 * Device properties: `device.api` ("aes67"), `aes67.session-name`,
 * `aes67.sdp`, `aes67.session-id` (the o= line without its version),
 * `aes67.origin` (SAP originating source), `aes67.playable` (gboolean:
 * whether aes67src plays it); when playable `aes67.address` and
 * `aes67.port` (of the stream), `aes67.payload-type` (of its packets),
 * `aes67.encoding` ("L24"), `aes67.rate` (Hz), `aes67.channels`; when not,
 * `aes67.reason` (why not); and `aes67.warnings` (what the reader read
 * around, e.g. an rtpmap for another payload type than the m= line's,
 * joined with "; ") when there is any. A redundant session (SMPTE ST
 * 2022-7, an SDP with a DUP group that the reader reads as two legs) also
 * has `aes67.secondary-address` and `aes67.secondary-port` (guint), the
 * second leg's destination; `aes67.address` and `aes67.port` are the
 * primary's.
 *
 * gst_device_create_element() makes an aes67src with its `session-name`
 * set to the session's name (not its `sdp`: the launch line
 * gst-device-monitor-1.0 prints, such as
 * `gst-launch-1.0 aes67src session-name="Studio\ 1" ! ...`, then works when
 * pasted into a shell, with `...` replaced by the rest of the pipeline).
 * In a process where the device was listed the element finds the session
 * at once; elsewhere it waits for the next announcement (see aes67src's
 * `discovery-timeout`). Where two sessions share a name it takes the one
 * announced most recently; the SDP is in the `aes67.sdp` property for an
 * application that wants exactly this session (set it as aes67src's
 * `sdp`).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstaes67deviceprovider.h"
#include "gstaes67elements.h"
#include "gstaes67src.h"
#include "aes67-sap-browser.h"
#include "aes67-sdp.h"

GST_DEBUG_CATEGORY_STATIC (aes67_device_provider_debug);
#define GST_CAT_DEFAULT aes67_device_provider_debug

/* ---------- the device ---------- */

struct _GstAes67Device
{
  GstDevice parent;

  gchar *session_name;          /* immutable */
  gchar *sdp;                   /* immutable; set: the element gets it */
};

G_DEFINE_TYPE (GstAes67Device, gst_aes67_device, GST_TYPE_DEVICE);

/* The one create_element of both providers: an aes67src (our own type, in
 * this plugin) for the session. */
static GstElement *
gst_aes67_device_create_element (GstDevice * device, const gchar * name)
{
  GstAes67Device *self = GST_AES67_DEVICE (device);
  GstElement *src = g_object_new (GST_TYPE_AES67_SRC, "name", name, NULL);

  /* SAP sessions by name, not by their SDP: gst-device-monitor-1.0 prints
   * the element's properties as a launch line, and an SDP (CRLFs, spaces)
   * printed there does not survive being pasted into a shell; a name
   * does. The browser that found the device is the process's shared one,
   * so the element finds the session at once (and follows it when it
   * changes). RAVENNA devices (ravennadeviceprovider) give the SDP
   * fetched with DESCRIBE. */
  if (self->sdp)
    g_object_set (src, "sdp", self->sdp, NULL);
  else
    g_object_set (src, "session-name", self->session_name, NULL);
  return src;
}

static void
gst_aes67_device_finalize (GObject * object)
{
  g_free (GST_AES67_DEVICE (object)->session_name);
  g_free (GST_AES67_DEVICE (object)->sdp);
  G_OBJECT_CLASS (gst_aes67_device_parent_class)->finalize (object);
}

static void
gst_aes67_device_class_init (GstAes67DeviceClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_aes67_device_finalize;
  GST_DEVICE_CLASS (klass)->create_element = gst_aes67_device_create_element;
}

static void
gst_aes67_device_init (GstAes67Device * self)
{
}

GstDevice *
gst_aes67_device_new (const GstAes67SapSession * s, const gchar * rtsp_url)
{
  GstAes67Device *dev;
  GstCaps *caps;
  GstStructure *props;

  props = gst_structure_new ("aes67-device",
      "device.api", G_TYPE_STRING, "aes67",
      "aes67.session-name", G_TYPE_STRING, s->name,
      "aes67.sdp", G_TYPE_STRING, s->sdp,
      "aes67.session-id", G_TYPE_STRING, s->key,
      "aes67.origin", G_TYPE_STRING, s->origin,
      "aes67.playable", G_TYPE_BOOLEAN, s->playable, NULL);
  /* the caps aes67src outputs for this SDP (one reader, one caps
   * function); none for a session it refuses */
  if (s->playable) {
    caps = aes67_audio_caps (s->encoding, s->rate, s->channels);
    gst_structure_set (props,
        "aes67.address", G_TYPE_STRING, s->address,
        "aes67.port", G_TYPE_UINT, s->port,
        "aes67.payload-type", G_TYPE_UINT, s->payload_type,
        "aes67.encoding", G_TYPE_STRING, s->encoding,
        "aes67.rate", G_TYPE_UINT, s->rate,
        "aes67.channels", G_TYPE_UINT, s->channels, NULL);
    if (s->secondary_address)
      gst_structure_set (props,
          "aes67.secondary-address", G_TYPE_STRING, s->secondary_address,
          "aes67.secondary-port", G_TYPE_UINT, s->secondary_port, NULL);
  } else {
    caps = gst_caps_new_empty ();
    gst_structure_set (props, "aes67.reason", G_TYPE_STRING, s->reason, NULL);
  }
  if (s->warnings) {
    gchar *w = g_strjoinv ("; ", s->warnings);

    gst_structure_set (props, "aes67.warnings", G_TYPE_STRING, w, NULL);
    g_free (w);
  }
  if (rtsp_url)
    gst_structure_set (props, "aes67.rtsp-url", G_TYPE_STRING, rtsp_url, NULL);
  dev = g_object_new (GST_TYPE_AES67_DEVICE, "display-name", s->name,
      "device-class", "Audio/Source/Network", "caps", caps,
      "properties", props, NULL);
  dev->session_name = g_strdup (s->name);
  if (rtsp_url)
    dev->sdp = g_strdup (s->sdp);
  gst_caps_unref (caps);
  gst_structure_free (props);
  return GST_DEVICE (gst_object_ref_sink (dev));
}

/* ---------- the provider ---------- */

struct _GstAes67DeviceProvider
{
  GstDeviceProvider parent;

  /* start/stop only */
  GstAes67SapBrowser *browser;
  gulong added_id, changed_id, removed_id;
  /* protected by the object lock */
  GHashTable *devices;          /* session key -> GstDevice (a ref) */
};

G_DEFINE_TYPE (GstAes67DeviceProvider, gst_aes67_device_provider,
    GST_TYPE_DEVICE_PROVIDER);
GST_DEVICE_PROVIDER_REGISTER_DEFINE (aes67deviceprovider,
    "aes67deviceprovider", GST_RANK_SECONDARY, GST_TYPE_AES67_DEVICE_PROVIDER);

void
gst_aes67_device_provider_update (GstDeviceProvider * provider,
    GHashTable * devices, const gchar * key, GstDevice * dev)
{
  GstDevice *old = NULL;
  gpointer old_key = NULL;

  GST_OBJECT_LOCK (provider);
  if (g_hash_table_steal_extended (devices, key, &old_key, (gpointer *) & old))
    g_free (old_key);
  if (dev)
    g_hash_table_insert (devices, g_strdup (key), gst_object_ref (dev));
  GST_OBJECT_UNLOCK (provider);
  if (dev && old)
    gst_device_provider_device_changed (provider, dev, old);
  else if (dev)
    gst_device_provider_device_add (provider, dev);
  else if (old)
    gst_device_provider_device_remove (provider, old);
  if (old)
    gst_object_unref (old);
}

void
gst_aes67_device_provider_remove_all (GstDeviceProvider * provider,
    GHashTable * devices)
{
  GHashTableIter it;
  gpointer v;
  GPtrArray *devs = g_ptr_array_new_with_free_func (gst_object_unref);
  guint i;

  GST_OBJECT_LOCK (provider);
  g_hash_table_iter_init (&it, devices);
  while (g_hash_table_iter_next (&it, NULL, &v))
    g_ptr_array_add (devs, gst_object_ref (v));
  g_hash_table_remove_all (devices);
  GST_OBJECT_UNLOCK (provider);
  for (i = 0; i < devs->len; i++)
    gst_device_provider_device_remove (provider, g_ptr_array_index (devs, i));
  g_ptr_array_free (devs, TRUE);
}

static void
on_session_added (GstAes67SapBrowser * b, GstAes67SapSession * s,
    GstAes67DeviceProvider * self)
{
  GstDevice *dev = gst_aes67_device_new (s, NULL);

  gst_aes67_device_provider_update (GST_DEVICE_PROVIDER (self),
      self->devices, s->key, dev);
  gst_object_unref (dev);
}

static void
on_session_removed (GstAes67SapBrowser * b, GstAes67SapSession * s,
    guint reason, GstAes67DeviceProvider * self)
{
  gst_aes67_device_provider_update (GST_DEVICE_PROVIDER (self),
      self->devices, s->key, NULL);
}

static gboolean
gst_aes67_device_provider_start (GstDeviceProvider * provider)
{
  GstAes67DeviceProvider *self = GST_AES67_DEVICE_PROVIDER (provider);
  GError *err = NULL;
  GList *sessions, *l;

  self->browser = gst_aes67_sap_browser_get_shared (NULL, 0, &err);
  if (!self->browser) {
    GST_WARNING_OBJECT (self, "cannot listen for SAP: %s", err->message);
    g_clear_error (&err);
    return FALSE;
  }
  self->added_id = g_signal_connect (self->browser, "session-added",
      G_CALLBACK (on_session_added), self);
  self->changed_id = g_signal_connect (self->browser, "session-changed",
      G_CALLBACK (on_session_added), self);
  self->removed_id = g_signal_connect (self->browser, "session-removed",
      G_CALLBACK (on_session_removed), self);
  sessions = gst_aes67_sap_browser_get_sessions (self->browser);
  for (l = sessions; l; l = l->next)
    on_session_added (self->browser, l->data, self);
  g_list_free_full (sessions, (GDestroyNotify) gst_aes67_sap_session_unref);
  return TRUE;
}

static void
gst_aes67_device_provider_stop (GstDeviceProvider * provider)
{
  GstAes67DeviceProvider *self = GST_AES67_DEVICE_PROVIDER (provider);

  if (!self->browser)
    return;
  g_signal_handler_disconnect (self->browser, self->added_id);
  g_signal_handler_disconnect (self->browser, self->changed_id);
  g_signal_handler_disconnect (self->browser, self->removed_id);
  gst_clear_object (&self->browser);
  gst_aes67_device_provider_remove_all (provider, self->devices);
}

/* Without start: what the shared browser knows now (nothing if no one is
 * listening yet, SAP has no query). */
static GList *
gst_aes67_device_provider_probe (GstDeviceProvider * provider)
{
  GstAes67SapBrowser *b = gst_aes67_sap_browser_get_shared (NULL, 0, NULL);
  GList *sessions, *l, *devices = NULL;

  if (!b)
    return NULL;
  sessions = gst_aes67_sap_browser_get_sessions (b);
  for (l = sessions; l; l = l->next)
    devices = g_list_prepend (devices, gst_aes67_device_new (l->data, NULL));
  g_list_free_full (sessions, (GDestroyNotify) gst_aes67_sap_session_unref);
  gst_object_unref (b);
  return devices;
}

static void
gst_aes67_device_provider_finalize (GObject * object)
{
  GstAes67DeviceProvider *self = GST_AES67_DEVICE_PROVIDER (object);

  g_hash_table_destroy (self->devices);
  G_OBJECT_CLASS (gst_aes67_device_provider_parent_class)->finalize (object);
}

static void
gst_aes67_device_provider_class_init (GstAes67DeviceProviderClass * klass)
{
  GstDeviceProviderClass *dp_class = GST_DEVICE_PROVIDER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = gst_aes67_device_provider_finalize;
  dp_class->start = gst_aes67_device_provider_start;
  dp_class->stop = gst_aes67_device_provider_stop;
  dp_class->probe = gst_aes67_device_provider_probe;
  gst_device_provider_class_set_static_metadata (dp_class,
      "AES67 session provider", "Audio/Source/Network",
      "Lists the AES67 sessions announced on the network with SAP",
      "gst-aes67 authors");
  GST_DEBUG_CATEGORY_INIT (aes67_device_provider_debug, "aes67deviceprovider",
      0, "AES67 device provider");
}

static void
gst_aes67_device_provider_init (GstAes67DeviceProvider * self)
{
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      gst_object_unref);
}
