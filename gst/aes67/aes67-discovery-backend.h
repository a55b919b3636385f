/* gst-aes67: discovery backends, the typed interface between the SAP
 * browser, the announcers and the ways sessions are found and published
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * A backend browses (reports sessions found, changed and gone, each with
 * its SDP), publishes sessions and withdraws them. SAP is the browser's
 * own; the one backend here is mDNS/DNS-SD as RAVENNA devices use it
 * (ext/avahi/aes67-mdns-backend.c, compiled in when libavahi-client is
 * found: HAVE_AVAHI). Callers reach it through
 * aes67_discovery_backend_mdns (): no factory looked up by name, no SDP
 * passed in untyped properties.
 *
 * Warnings of the backend's own (a name collision, avahi-daemon gone, a
 * session whose SDP cannot be fetched) reach the element that asked: a
 * publisher posts what happens after the fact with GST_ELEMENT_WARNING on
 * the element given to publisher_new (from a thread of GStreamer's pool,
 * no lock held) and returns what fails at once as a GError; a browse hands
 * them to its warning callback.
 */
#ifndef __AES67_DISCOVERY_BACKEND_H__
#define __AES67_DISCOVERY_BACKEND_H__

#include <gst/gst.h>

G_BEGIN_DECLS
/* A session as a backend found it (all strings owned by the backend, valid
 * during the callback only) */
    typedef struct
{
  const gchar *name;            /* the service / session name */
  const gchar *sdp;             /* the SDP text */
  const gchar *origin;          /* IPv4 address of the host that has it */
  const gchar *url;             /* where the SDP came from, or NULL */
  const gchar *backend;         /* the backend's name, "mdns" */
} Aes67DiscoveredSession;

typedef struct
{
  /* found, or its SDP changed (called again with the new SDP) */
  void (*found) (const Aes67DiscoveredSession * s, gpointer user_data);
  /* gone (the SDP is the last one reported) */
  void (*removed) (const Aes67DiscoveredSession * s, gpointer user_data);
  /* a warning; @name is the session it is about, or NULL */
  void (*warning) (const gchar * name, const gchar * message,
      gpointer user_data);
} Aes67DiscoveryBrowseFuncs;

/* Settings of a publisher; 0 fields take the backend's defaults */
typedef struct
{
  guint16 port;                 /* mdns: RTSP port, 0 any free one */
  guint max_connections;        /* mdns: RTSP connections at once */
  guint idle_timeout_ms;        /* mdns: RTSP idle timeout */
} Aes67DiscoveryPublishConfig;

typedef struct _Aes67DiscoveryBrowse Aes67DiscoveryBrowse;
typedef struct _Aes67DiscoveryPublisher Aes67DiscoveryPublisher;

/* Error codes (domain AES67_DISCOVERY_ERROR) */
#define AES67_DISCOVERY_ERROR (aes67_discovery_error_quark ())
GQuark aes67_discovery_error_quark (void);
typedef enum
{
  AES67_DISCOVERY_ERROR_NO_DAEMON,      /* avahi-daemon cannot be reached */
  AES67_DISCOVERY_ERROR_SERVER, /* the SDP server cannot start */
  AES67_DISCOVERY_ERROR_FAILED,
} Aes67DiscoveryError;

typedef struct
{
  const gchar *name;            /* "mdns" */

  /* Starts browsing in the calling thread's network namespace. Callbacks
   * come from a thread of the backend (never with a lock of the caller's
   * held), until browse_stop returns. NULL with @error on failure. */
  Aes67DiscoveryBrowse *(*browse) (const Aes67DiscoveryBrowseFuncs * funcs,
      gpointer user_data, GError ** error);
  void (*browse_stop) (Aes67DiscoveryBrowse * browse);

  /* A publisher; its warnings go to @element's bus (a reference is kept
   * until publisher_free). NULL with @error on failure. */
  Aes67DiscoveryPublisher *(*publisher_new) (const
      Aes67DiscoveryPublishConfig * config, GstElement * element,
      GError ** error);
  /* Publishes session @name with @sdp (replacing one of that name); FALSE
   * with @error when it cannot (the caller posts it: no message is posted
   * from here, so a caller may hold its own lock). A collision found
   * later is posted on the publisher's element. */
    gboolean (*publish) (Aes67DiscoveryPublisher * pub, const gchar * name,
      const gchar * sdp, GError ** error);
  void (*withdraw) (Aes67DiscoveryPublisher * pub, const gchar * name);
  /* mdns: the RTSP port the SDPs are served on */
    guint16 (*publisher_get_port) (Aes67DiscoveryPublisher * pub);
  void (*publisher_free) (Aes67DiscoveryPublisher * pub);
} Aes67DiscoveryBackend;

/* The mDNS/RAVENNA backend, or NULL when built without libavahi-client */
const Aes67DiscoveryBackend *aes67_discovery_backend_mdns (void);

G_END_DECLS
#endif /* __AES67_DISCOVERY_BACKEND_H__ */
