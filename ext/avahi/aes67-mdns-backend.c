/* gst-aes67: the mDNS/RAVENNA discovery backend
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * Implements aes67-discovery-backend.h on libavahi-client (aes67-mdns.c)
 * and RTSP DESCRIBE (aes67-rtsp-describe.c):
 *
 * - browse: services _ravenna_session._sub._rtsp._tcp are resolved on the
 *   avahi thread; a worker thread of the browse fetches each one's SDP
 *   with DESCRIBE (which blocks) and calls the browse's callbacks, so they
 *   never run on the avahi thread or with its lock held.
 * - publish: the SDP is served by an RTSP server of the publisher and the
 *   session published as a service of that port. Warnings (a name
 *   collision found after publishing, avahi-daemon gone) are posted on the
 *   publisher's element from a thread of GStreamer's pool
 *   (gst_element_call_async ()), never from the avahi thread.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "aes67-discovery-backend.h"
#include "aes67-mdns.h"
#include "aes67-rtsp-describe.h"

GST_DEBUG_CATEGORY_STATIC (aes67_mdns_backend_debug);
#define GST_CAT_DEFAULT aes67_mdns_backend_debug

/* how long a DESCRIBE of a session found may take */
#define FETCH_TIMEOUT_US (3 * G_USEC_PER_SEC)

static void
debug_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (aes67_mdns_backend_debug, "aes67mdnsbackend", 0,
        "mDNS/RAVENNA discovery backend");
    g_once_init_leave (&once, 1);
  }
}

/* ---------- browse ---------- */

typedef enum
{
  JOB_STOP,
  JOB_ADDED,
  JOB_REMOVED,
  JOB_WARNING,
} JobType;

typedef struct
{
  JobType type;
  gchar *name;                  /* the session (NULL for a general warning) */
  gchar *address;               /* JOB_ADDED */
  guint16 port;                 /* JOB_ADDED */
  gchar *message;               /* JOB_WARNING */
} Job;

static void
job_free (Job * j)
{
  g_free (j->name);
  g_free (j->address);
  g_free (j->message);
  g_free (j);
}

/* A session reported to the browse's user: its last SDP */
typedef struct
{
  gchar *sdp, *origin, *url;
} Known;

static void
known_free (Known * k)
{
  g_free (k->sdp);
  g_free (k->origin);
  g_free (k->url);
  g_free (k);
}

struct _Aes67DiscoveryBrowse
{
  Aes67Mdns *mdns;
  GThread *worker;
  GAsyncQueue *jobs;            /* of Job */
  Aes67DiscoveryBrowseFuncs funcs;
  gpointer user_data;
  /* the worker thread only */
  GHashTable *known;            /* name -> Known */
};

static void
report (Aes67DiscoveryBrowse * b, const gchar * name, Known * k, gboolean found)
{
  Aes67DiscoveredSession s = { name, k->sdp, k->origin, k->url, "mdns" };

  if (found && b->funcs.found)
    b->funcs.found (&s, b->user_data);
  else if (!found && b->funcs.removed)
    b->funcs.removed (&s, b->user_data);
}

static void
fetch (Aes67DiscoveryBrowse * b, Job * j)
{
  GError *err = NULL;
  gchar *sdp = aes67_rtsp_describe (j->address, j->port, j->name,
      FETCH_TIMEOUT_US, &err);
  Known *k;

  if (!sdp) {
    gchar *msg = g_strdup_printf ("session '%s' was found with mDNS, but "
        "its SDP cannot be fetched from %s port %u: %s", j->name, j->address,
        j->port, err->message);

    GST_INFO ("%s", msg);
    if (b->funcs.warning)
      b->funcs.warning (j->name, msg, b->user_data);
    g_free (msg);
    g_clear_error (&err);
    return;
  }
  k = g_hash_table_lookup (b->known, j->name);
  if (k && g_strcmp0 (k->sdp, sdp) == 0 && g_strcmp0 (k->origin,
          j->address) == 0) {
    /* the same service seen again (another interface, a re-resolve) */
    g_free (sdp);
    return;
  }
  k = g_new0 (Known, 1);
  k->sdp = sdp;
  k->origin = g_strdup (j->address);
  {
    gchar *path = aes67_rtsp_session_path (j->name);

    k->url = g_strdup_printf ("rtsp://%s:%u%s", j->address, j->port, path);
    g_free (path);
  }
  g_hash_table_replace (b->known, g_strdup (j->name), k);
  report (b, j->name, k, TRUE);
}

static gpointer
browse_worker (gpointer data)
{
  Aes67DiscoveryBrowse *b = data;

  for (;;) {
    Job *j = g_async_queue_pop (b->jobs);
    gboolean stop = j->type == JOB_STOP;
    gpointer key = NULL;
    Known *k = NULL;

    switch (j->type) {
      case JOB_ADDED:
        fetch (b, j);
        break;
      case JOB_REMOVED:
        if (g_hash_table_steal_extended (b->known, j->name, &key,
                (gpointer *) & k)) {
          report (b, j->name, k, FALSE);
          known_free (k);
          g_free (key);
        }
        break;
      case JOB_WARNING:
        if (b->funcs.warning)
          b->funcs.warning (j->name, j->message, b->user_data);
        break;
      case JOB_STOP:
        break;
    }
    job_free (j);
    if (stop)
      break;
  }
  return NULL;
}

/* avahi thread: queue for the worker */
static void
on_service (const gchar * name, const gchar * host, const gchar * address,
    guint16 port, gboolean added, gpointer data)
{
  Aes67DiscoveryBrowse *b = data;
  Job *j = g_new0 (Job, 1);

  j->type = added ? JOB_ADDED : JOB_REMOVED;
  j->name = g_strdup (name);
  j->address = g_strdup (address);
  j->port = port;
  g_async_queue_push (b->jobs, j);
}

static void
on_browse_warning (const gchar * name, const gchar * message, gpointer data)
{
  Aes67DiscoveryBrowse *b = data;
  Job *j = g_new0 (Job, 1);

  j->type = JOB_WARNING;
  j->name = g_strdup (name);
  j->message = g_strdup (message);
  g_async_queue_push (b->jobs, j);
}

static Aes67DiscoveryBrowse *
mdns_browse (const Aes67DiscoveryBrowseFuncs * funcs, gpointer user_data,
    GError ** error)
{
  Aes67DiscoveryBrowse *b;
  Aes67Mdns *mdns;
  GError *err = NULL;

  debug_init ();
  mdns = aes67_mdns_new (&err);
  if (!mdns) {
    g_set_error (error, AES67_DISCOVERY_ERROR,
        AES67_DISCOVERY_ERROR_NO_DAEMON, "%s", err->message);
    g_clear_error (&err);
    return NULL;
  }
  b = g_new0 (Aes67DiscoveryBrowse, 1);
  b->mdns = mdns;
  b->funcs = *funcs;
  b->user_data = user_data;
  b->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) known_free);
  b->jobs = g_async_queue_new_full ((GDestroyNotify) job_free);
  /* made here, so its sockets are in the caller's network namespace */
  b->worker = g_thread_new ("mdns-browse", browse_worker, b);
  aes67_mdns_set_warning_func (mdns, on_browse_warning, b);
  if (!aes67_mdns_browse (mdns, on_service, b, error)) {
    aes67_mdns_free (b->mdns);
    b->mdns = NULL;
    g_async_queue_push (b->jobs, g_new0 (Job, 1));
    g_thread_join (b->worker);
    g_async_queue_unref (b->jobs);
    g_hash_table_destroy (b->known);
    g_free (b);
    return NULL;
  }
  return b;
}

static void
mdns_browse_stop (Aes67DiscoveryBrowse * b)
{
  if (!b)
    return;
  /* no more avahi callbacks after this */
  aes67_mdns_free (b->mdns);
  /* what is queued before the stop is still handled: a caller waiting
   * for a removal sees it */
  g_async_queue_push (b->jobs, g_new0 (Job, 1));
  g_thread_join (b->worker);
  g_async_queue_unref (b->jobs);
  g_hash_table_destroy (b->known);
  g_free (b);
}

/* ---------- publish ---------- */

struct _Aes67DiscoveryPublisher
{
  Aes67Mdns *mdns;
  Aes67RtspServer *server;
  GstElement *element;          /* a reference */
};

static void
post_warning (GstElement * element, gpointer message)
{
  GST_ELEMENT_WARNING (element, RESOURCE, WRITE, ("%s.", (gchar *) message),
      (NULL));
}

/* avahi thread, its lock held: post from elsewhere */
static void
on_publish_warning (const gchar * name, const gchar * message, gpointer data)
{
  Aes67DiscoveryPublisher *p = data;

  gst_element_call_async (p->element, post_warning, g_strdup (message), g_free);
}

static Aes67DiscoveryPublisher *
mdns_publisher_new (const Aes67DiscoveryPublishConfig * config,
    GstElement * element, GError ** error)
{
  Aes67DiscoveryPublisher *p;
  Aes67Mdns *mdns;
  Aes67RtspServer *server;
  GError *err = NULL;

  debug_init ();
  mdns = aes67_mdns_new (&err);
  if (!mdns) {
    g_set_error (error, AES67_DISCOVERY_ERROR,
        AES67_DISCOVERY_ERROR_NO_DAEMON, "%s", err->message);
    g_clear_error (&err);
    return NULL;
  }
  server = aes67_rtsp_server_new_full (config ? config->port : 0,
      config && config->max_connections ? config->max_connections :
      AES67_RTSP_DEFAULT_MAX_CONNECTIONS,
      config && config->idle_timeout_ms ? config->idle_timeout_ms :
      AES67_RTSP_DEFAULT_IDLE_TIMEOUT_MS, &err);
  if (!server) {
    g_set_error (error, AES67_DISCOVERY_ERROR, AES67_DISCOVERY_ERROR_SERVER,
        "%s", err->message);
    g_clear_error (&err);
    aes67_mdns_free (mdns);
    return NULL;
  }
  p = g_new0 (Aes67DiscoveryPublisher, 1);
  p->mdns = mdns;
  p->server = server;
  p->element = gst_object_ref (element);
  aes67_mdns_set_warning_func (mdns, on_publish_warning, p);
  return p;
}

static gboolean
mdns_publish (Aes67DiscoveryPublisher * p, const gchar * name,
    const gchar * sdp, GError ** error)
{
  aes67_rtsp_server_set_session (p->server, name, sdp);
  return aes67_mdns_publish (p->mdns, name,
      aes67_rtsp_server_get_port (p->server), error);
}

static void
mdns_withdraw (Aes67DiscoveryPublisher * p, const gchar * name)
{
  aes67_mdns_unpublish (p->mdns, name);
  aes67_rtsp_server_remove_session (p->server, name);
}

static guint16
mdns_publisher_get_port (Aes67DiscoveryPublisher * p)
{
  return aes67_rtsp_server_get_port (p->server);
}

static void
mdns_publisher_free (Aes67DiscoveryPublisher * p)
{
  if (!p)
    return;
  /* no more warnings after this (the poll thread is stopped) */
  aes67_mdns_free (p->mdns);
  aes67_rtsp_server_free (p->server);
  gst_object_unref (p->element);
  g_free (p);
}

const Aes67DiscoveryBackend aes67_mdns_backend = {
  "mdns",
  mdns_browse,
  mdns_browse_stop,
  mdns_publisher_new,
  mdns_publish,
  mdns_withdraw,
  mdns_publisher_get_port,
  mdns_publisher_free,
};
