/* gst-aes67: ravennaannounce, publishes AES67 sessions RAVENNA-style
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
/**
 * SECTION:element-ravennaannounce
 * @title: ravennaannounce
 * @see_also: sapannounce, aes67sink
 *
 * ravennaannounce makes sessions visible to RAVENNA receivers: each
 * session is published with mDNS/DNS-SD (through avahi-daemon) as a
 * `_rtsp._tcp` service with the subtype `_ravenna_session`, named after
 * the session (the SDP's s= line), and its SDP is served in answer to RTSP
 * DESCRIBE on `rtsp://<host>:<rtsp-port>/by-name/<session name>`.
 *
 * It has no pads. Sessions come from the #GstRavennaAnnounce:sdp and
 * #GstRavennaAnnounce:sdp-files properties or the
 * #GstRavennaAnnounce::add-session action signal. sapannounce with
 * `mdns=true` publishes every session it announces with SAP the same way
 * (the same code, without this element). It needs a running avahi-daemon;
 * without one, going to READY fails with an error that says so. A session
 * that cannot be published, a name another device already publishes (an
 * mDNS name collision, found after publishing) and avahi-daemon going
 * away are posted as warnings (RESOURCE, WRITE) on the element's bus.
 *
 * It is part of the aes67 plugin when gst-aes67 is built with
 * libavahi-client.
 *
 * ## The RTSP server
 *
 * Clients are served concurrently, each connection on a thread of its own
 * (from a pool), so a slow or silent client delays no other. At most
 * #GstRavennaAnnounce:max-connections are open at once; a connection
 * beyond that is closed as soon as it is accepted (the client sees the
 * connection closed rather than waiting). A connection that has not sent a
 * whole request within #GstRavennaAnnounce:idle-timeout of its start or of
 * the last answer, or does not take an answer within it, is closed. Only
 * OPTIONS and DESCRIBE are served (RTSP/1.0). A request without CSeq, or
 * text that is not an RTSP request, is answered `400 Bad Request`; a
 * request of another RTSP version (2.0, or one the parser does not know)
 * `505 RTSP Version Not Supported`; either way the connection is then
 * closed. Other methods get 405 (501 for unknown ones).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 ravennaannounce sdp-files='<"stage.sdp">'
 * ]| publishes the session in the file stage.sdp until stopped; see it with
 * `avahi-browse -r _ravenna_session._sub._rtsp._tcp`.
 *
 * ## Messages
 * An element message `ravenna-announce` is posted when a session is
 * published or withdrawn. Fields:
 *
 * * `action` (#G_TYPE_STRING): `publish` or `withdraw`.
 * * `session-name` (#G_TYPE_STRING): the service name (the SDP's s=).
 * * `rtsp-port` (#G_TYPE_UINT): the TCP port the SDP is served on.
 * * `path` (#G_TYPE_STRING): the RTSP path of the SDP, `/by-name/...`.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstravennaannounce.h"
#include "aes67-discovery-backend.h"
#include "aes67-rtsp-describe.h"
#include "aes67-sdp.h"

#include <string.h>
#include <gst/sdp/sdp.h>

GST_DEBUG_CATEGORY_STATIC (gst_ravenna_announce_debug);
#define GST_CAT_DEFAULT gst_ravenna_announce_debug

enum
{
  PROP_0,
  PROP_SDP,
  PROP_SDP_FILES,
  PROP_RTSP_PORT,
  PROP_MAX_CONNECTIONS,
  PROP_IDLE_TIMEOUT,
};

enum
{
  SIGNAL_ADD_SESSION,
  SIGNAL_REMOVE_SESSION,
  LAST_SIGNAL
};

#define DEFAULT_SDP        NULL
#define DEFAULT_RTSP_PORT  0
#define DEFAULT_MAX_CONNECTIONS AES67_RTSP_DEFAULT_MAX_CONNECTIONS
#define DEFAULT_IDLE_TIMEOUT AES67_RTSP_DEFAULT_IDLE_TIMEOUT_MS

struct _GstRavennaAnnounce
{
  GstElement parent;

  /* protected by the object lock */
  gchar *sdp;
  gchar **sdp_files;            /* from a GstValueArray */
  guint rtsp_port;
  guint max_connections;
  guint idle_timeout;           /* ms */
  GHashTable *sessions;         /* name -> SDP */
  gchar *sdp_name;              /* the session of the sdp property */

  /* the mDNS backend's publisher: made at NULL->READY, freed at
   * READY->NULL (state changes; set and cleared under the object lock) */
  const Aes67DiscoveryBackend *backend;
  Aes67DiscoveryPublisher *pub;
  gboolean active;              /* >= PAUSED, under the object lock */
};

static guint signals[LAST_SIGNAL];

#define gst_ravenna_announce_parent_class parent_class
G_DEFINE_TYPE (GstRavennaAnnounce, gst_ravenna_announce, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (ravennaannounce, "ravennaannounce",
    GST_RANK_NONE, GST_TYPE_RAVENNA_ANNOUNCE);

static void
post (GstRavennaAnnounce * self, const gchar * action, const gchar * name,
    guint port)
{
  gchar *path = aes67_rtsp_session_path (name);

  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self),
          gst_structure_new ("ravenna-announce", "action", G_TYPE_STRING,
              action, "session-name", G_TYPE_STRING, name, "rtsp-port",
              G_TYPE_UINT, port, "path", G_TYPE_STRING, path, NULL)));
  g_free (path);
}

/* Serves and publishes @name; call with no lock held, when active */
static void
publish (GstRavennaAnnounce * self, const gchar * name, const gchar * sdp)
{
  GError *err = NULL;
  guint16 port = self->backend->publisher_get_port (self->pub);

  if (!self->backend->publish (self->pub, name, sdp, &err)) {
    GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
        ("Session '%s' cannot be published with mDNS: %s.", name,
            err->message), (NULL));
    g_clear_error (&err);
    return;
  }
  post (self, "publish", name, port);
}

static void
withdraw (GstRavennaAnnounce * self, const gchar * name)
{
  self->backend->withdraw (self->pub, name);
  post (self, "withdraw", name, self->backend->publisher_get_port (self->pub));
}

static gboolean
gst_ravenna_announce_add_session (GstRavennaAnnounce * self, const gchar * sdp)
{
  gchar *name = aes67_sdp_session_name (sdp);
  gboolean active;

  if (!name) {
    GST_ELEMENT_WARNING (self, STREAM, FORMAT,
        ("An SDP without a usable s= line cannot be published."),
        ("SDP:\n%s", GST_STR_NULL (sdp)));
    return FALSE;
  }
  GST_OBJECT_LOCK (self);
  g_hash_table_replace (self->sessions, g_strdup (name), g_strdup (sdp));
  active = self->active;
  GST_OBJECT_UNLOCK (self);
  if (active)
    publish (self, name, sdp);
  g_free (name);
  return TRUE;
}

static void
gst_ravenna_announce_remove_session (GstRavennaAnnounce * self,
    const gchar * name)
{
  gboolean had, active;

  GST_OBJECT_LOCK (self);
  had = g_hash_table_remove (self->sessions, name);
  active = self->active;
  GST_OBJECT_UNLOCK (self);
  if (had && active)
    withdraw (self, name);
}

static GstStateChangeReturn
gst_ravenna_announce_change_state (GstElement * element,
    GstStateChange transition)
{
  GstRavennaAnnounce *self = GST_RAVENNA_ANNOUNCE (element);
  GstStateChangeReturn ret;
  GError *err = NULL;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:{
      const Aes67DiscoveryBackend *b = aes67_discovery_backend_mdns ();
      Aes67DiscoveryPublishConfig cfg = { 0, };
      Aes67DiscoveryPublisher *pub;

      GST_OBJECT_LOCK (self);
      cfg.port = self->rtsp_port;
      cfg.max_connections = self->max_connections;
      cfg.idle_timeout_ms = self->idle_timeout;
      GST_OBJECT_UNLOCK (self);
      /* (compiled only with the backend) */
      g_assert (b != NULL);
      /* the server in the caller's network namespace */
      pub = b->publisher_new (&cfg, element, &err);
      if (!pub) {
        if (g_error_matches (err, AES67_DISCOVERY_ERROR,
                AES67_DISCOVERY_ERROR_NO_DAEMON))
          GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
              ("Cannot publish with mDNS: %s. Is avahi-daemon running?",
                  err->message), (NULL));
        else
          GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
              ("Cannot serve SDPs with RTSP: %s.", err->message), (NULL));
        g_clear_error (&err);
        return GST_STATE_CHANGE_FAILURE;
      }
      GST_OBJECT_LOCK (self);
      self->backend = b;
      self->pub = pub;
      GST_OBJECT_UNLOCK (self);
      break;
    }
    case GST_STATE_CHANGE_READY_TO_PAUSED:{
      GHashTableIter it;
      gpointer k, v;
      GPtrArray *todo = g_ptr_array_new_with_free_func (g_free);
      gchar **files;
      guint i;

      GST_OBJECT_LOCK (self);
      files = g_strdupv (self->sdp_files);
      GST_OBJECT_UNLOCK (self);
      for (i = 0; files && files[i]; i++) {
        gchar *text = NULL;

        if (!aes67_sdp_read_file (files[i], &text, &err)) {
          GST_ELEMENT_WARNING (self, RESOURCE, READ,
              ("Cannot read the SDP file: %s. It is not published.",
                  err->message), (NULL));
          g_clear_error (&err);
          continue;
        }
        gst_ravenna_announce_add_session (self, text);
        g_free (text);
      }
      g_strfreev (files);

      GST_OBJECT_LOCK (self);
      self->active = TRUE;
      g_hash_table_iter_init (&it, self->sessions);
      while (g_hash_table_iter_next (&it, &k, &v)) {
        g_ptr_array_add (todo, g_strdup (k));
        g_ptr_array_add (todo, g_strdup (v));
      }
      GST_OBJECT_UNLOCK (self);
      for (i = 0; i + 1 < todo->len; i += 2)
        publish (self, g_ptr_array_index (todo, i),
            g_ptr_array_index (todo, i + 1));
      g_ptr_array_free (todo, TRUE);
      break;
    }
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_PAUSED_TO_READY:{
      GList *names, *l;

      GST_OBJECT_LOCK (self);
      self->active = FALSE;
      names = g_hash_table_get_keys (self->sessions);
      for (l = names; l; l = l->next)
        l->data = g_strdup (l->data);
      GST_OBJECT_UNLOCK (self);
      for (l = names; l; l = l->next)
        withdraw (self, l->data);
      g_list_free_full (names, g_free);
      break;
    }
    case GST_STATE_CHANGE_READY_TO_NULL:{
      Aes67DiscoveryPublisher *pub;

      GST_OBJECT_LOCK (self);
      pub = self->pub;
      self->pub = NULL;
      GST_OBJECT_UNLOCK (self);
      if (pub)
        self->backend->publisher_free (pub);
      break;
    }
    default:
      break;
  }
  return ret;
}

static void
gst_ravenna_announce_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRavennaAnnounce *self = GST_RAVENNA_ANNOUNCE (object);

  switch (prop_id) {
    case PROP_SDP:{
      gchar *old_name;
      gchar *sdp = g_value_dup_string (value);

      GST_OBJECT_LOCK (self);
      g_free (self->sdp);
      self->sdp = g_strdup (sdp);
      old_name = self->sdp_name;
      self->sdp_name = aes67_sdp_session_name (sdp);
      GST_OBJECT_UNLOCK (self);
      if (old_name)
        gst_ravenna_announce_remove_session (self, old_name);
      if (sdp)
        gst_ravenna_announce_add_session (self, sdp);
      g_free (old_name);
      g_free (sdp);
      break;
    }
    case PROP_SDP_FILES:{
      guint i, n = gst_value_array_get_size (value);

      GST_OBJECT_LOCK (self);
      g_strfreev (self->sdp_files);
      self->sdp_files = n ? g_new0 (gchar *, n + 1) : NULL;
      for (i = 0; i < n; i++)
        self->sdp_files[i] =
            g_value_dup_string (gst_value_array_get_value (value, i));
      GST_OBJECT_UNLOCK (self);
      break;
    }
    case PROP_RTSP_PORT:
      GST_OBJECT_LOCK (self);
      self->rtsp_port = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_CONNECTIONS:
      GST_OBJECT_LOCK (self);
      self->max_connections = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_IDLE_TIMEOUT:
      GST_OBJECT_LOCK (self);
      self->idle_timeout = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_ravenna_announce_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstRavennaAnnounce *self = GST_RAVENNA_ANNOUNCE (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SDP:
      g_value_set_string (value, self->sdp);
      break;
    case PROP_SDP_FILES:{
      guint i;

      for (i = 0; self->sdp_files && self->sdp_files[i]; i++) {
        GValue v = G_VALUE_INIT;

        g_value_init (&v, G_TYPE_STRING);
        g_value_set_string (&v, self->sdp_files[i]);
        gst_value_array_append_and_take_value (value, &v);
      }
      break;
    }
    case PROP_RTSP_PORT:
      /* the bound port once the server runs */
      g_value_set_uint (value, self->pub ?
          self->backend->publisher_get_port (self->pub) : self->rtsp_port);
      break;
    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ravenna_announce_finalize (GObject * object)
{
  GstRavennaAnnounce *self = GST_RAVENNA_ANNOUNCE (object);

  g_free (self->sdp);
  g_free (self->sdp_name);
  g_strfreev (self->sdp_files);
  g_hash_table_destroy (self->sessions);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_ravenna_announce_class_init (GstRavennaAnnounceClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_ravenna_announce_set_property;
  gobject_class->get_property = gst_ravenna_announce_get_property;
  gobject_class->finalize = gst_ravenna_announce_finalize;
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_ravenna_announce_change_state);

  g_object_class_install_property (gobject_class, PROP_SDP,
      g_param_spec_string ("sdp", "SDP",
          "An SDP (text) to publish; its s= line names the service",
          DEFAULT_SDP, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_SDP_FILES,
      gst_param_spec_array ("sdp-files", "SDP files",
          "Paths of SDP files to publish, one session each (regular text "
          "files of at most 16384 bytes); read when going to PAUSED",
          g_param_spec_string ("sdp-file", "SDP file", "Path of an SDP file",
              NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS),
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_RTSP_PORT,
      g_param_spec_uint ("rtsp-port", "RTSP port",
          "TCP port SDPs are served on with RTSP DESCRIBE (0: any free "
          "port; reads back the port in use)", 0, 65535, DEFAULT_RTSP_PORT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_MAX_CONNECTIONS,
      g_param_spec_uint ("max-connections", "Max connections",
          "RTSP connections served at once (connections); one beyond this "
          "is closed as soon as it is accepted", 1, 4096,
          DEFAULT_MAX_CONNECTIONS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_IDLE_TIMEOUT,
      g_param_spec_uint ("idle-timeout", "Idle timeout",
          "Time in ms an RTSP connection may take to send a whole request "
          "(from its start or the last answer) or to take an answer before "
          "it is closed", 1, G_MAXINT, DEFAULT_IDLE_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstRavennaAnnounce::add-session:
   * @sdp: the SDP to publish (its s= names it; an existing one is replaced)
   *
   * Returns: FALSE when the SDP has no usable s= line
   */
  signals[SIGNAL_ADD_SESSION] = g_signal_new_class_handler ("add-session",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_ravenna_announce_add_session), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 1, G_TYPE_STRING);
  /**
   * GstRavennaAnnounce::remove-session:
   * @name: the session name to withdraw
   */
  signals[SIGNAL_REMOVE_SESSION] =
      g_signal_new_class_handler ("remove-session", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_ravenna_announce_remove_session), NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);

  gst_element_class_set_static_metadata (element_class,
      "RAVENNA announcer", "Network",
      "Publishes AES67 sessions with mDNS/DNS-SD and serves their SDP with "
      "RTSP DESCRIBE, as RAVENNA devices do", "gst-aes67 authors");
  GST_DEBUG_CATEGORY_INIT (gst_ravenna_announce_debug, "ravennaannounce", 0,
      "RAVENNA announcer");
}

static void
gst_ravenna_announce_init (GstRavennaAnnounce * self)
{
  self->rtsp_port = DEFAULT_RTSP_PORT;
  self->max_connections = DEFAULT_MAX_CONNECTIONS;
  self->idle_timeout = DEFAULT_IDLE_TIMEOUT;
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
}
