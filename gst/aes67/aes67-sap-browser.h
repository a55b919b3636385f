/* gst-aes67: SAP browser, the sessions announced on the network
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#ifndef __GST_AES67_SAP_BROWSER_H__
#define __GST_AES67_SAP_BROWSER_H__

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

G_BEGIN_DECLS
/**
 * GstAes67SapSession:
 *
 * One session seen on the network. Immutable once made: when a session's
 * SDP changes the browser makes a new GstAes67SapSession with the same @key.
 * Refcounted (gst_aes67_sap_session_ref/unref), a boxed type for signals.
 */
    typedef struct
{
  /*< public, read-only > */
  gchar *key;                   /* identity: the o= line without its version */
  gchar *name;                  /* s= */
  gchar *sdp;                   /* the SDP text as received */
  GstSDPMessage *msg;           /* the SDP parsed */
  gchar *origin;                /* SAP originating source address ("192.0.2.1") */
  guint16 msg_id_hash;          /* SAP message id hash of the last announcement */
  /* The stream as aes67src reads it (aes67_sdp_parse(), the one SDP
   * reader): set when @playable, else NULL / 0. */
  gboolean playable;            /* aes67src can play it */
  gchar *reason;                /* why not, when !playable, else NULL */
  gchar **warnings;             /* what the reader read around, NULL if none */
  gchar *address;               /* c= of the stream's m= line (else session c=) */
  guint port;                   /* port of the stream's m= line */
  guint payload_type;           /* payload type of its packets */
  gchar *encoding;              /* "L24" or "L16" */
  guint rate;                   /* Hz */
  guint channels;
  /* ST 2022-7: the secondary leg of a DUP group (see aes67_sdp_parse()),
   * when playable and the SDP has one; else NULL / 0 */
  gchar *secondary_address;
  guint secondary_port;
  /*< private > */
  gint refcount;
} GstAes67SapSession;

#define GST_TYPE_AES67_SAP_SESSION (gst_aes67_sap_session_get_type ())
GType gst_aes67_sap_session_get_type (void);
GstAes67SapSession *gst_aes67_sap_session_ref (GstAes67SapSession * s);
void gst_aes67_sap_session_unref (GstAes67SapSession * s);

/* Parses @sdp into a session (origin may be NULL). Returns NULL with @error
 * set when the SDP is not usable (no o= or s= line, not parseable). */
GstAes67SapSession *gst_aes67_sap_session_new (const gchar * sdp,
    const gchar * origin, guint16 msg_id_hash, GError ** error);

/**
 * GstAes67SapRemoveReason: why a session left the browser
 */
typedef enum
{
  GST_AES67_SAP_REMOVED_DELETED = 0,    /* a SAP deletion packet */
  GST_AES67_SAP_REMOVED_TIMEOUT = 1,    /* no announcement in time */
  GST_AES67_SAP_REMOVED_EVICTED = 2,    /* max-sessions or
                                         * max-sessions-per-origin reached */
  GST_AES67_SAP_REMOVED_STOPPED = 3,    /* the browser stopped */
} GstAes67SapRemoveReason;

#define GST_TYPE_AES67_SAP_BROWSER (gst_aes67_sap_browser_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67SapBrowser, gst_aes67_sap_browser, GST,
    AES67_SAP_BROWSER, GstObject);

/* Defaults of the browser's properties */
#define GST_AES67_SAP_BROWSER_DEFAULT_MAX_SESSIONS     1024
#define GST_AES67_SAP_BROWSER_DEFAULT_MAX_SESSIONS_PER_ORIGIN 512
#define GST_AES67_SAP_BROWSER_DEFAULT_MAX_TIMEOUT      3600     /* s */
#define GST_AES67_SAP_BROWSER_DEFAULT_TIMEOUT_FACTOR   10

/* A new, stopped browser listening on @port (0: 9875) of @iface (NULL: the
 * interface of the route to the SAP groups). Set properties, then start. */
GstAes67SapBrowser *gst_aes67_sap_browser_new (const gchar * iface, guint port);

/* Opens the socket, joins 239.255.255.255 and 224.2.127.254 and starts the
 * browser's thread. FALSE with @error set when the socket cannot be made. */
gboolean gst_aes67_sap_browser_start (GstAes67SapBrowser * browser,
    GError ** error);
void gst_aes67_sap_browser_stop (GstAes67SapBrowser * browser);

/* The one running browser of (@iface, @port), made and started on first
 * use; every caller holds a reference (gst_object_unref() it). Many
 * aes67src and the device provider share it. NULL with @error on failure.
 * Do not drop the last reference from one of its signal handlers. */
GstAes67SapBrowser *gst_aes67_sap_browser_get_shared (const gchar * iface,
    guint port, GError ** error);

/* Sessions known now, each with a reference (free with
 * g_list_free_full (l, (GDestroyNotify) gst_aes67_sap_session_unref)). */
GList *gst_aes67_sap_browser_get_sessions (GstAes67SapBrowser * browser);

/* The session whose s= is @name (the most recently announced one if
 * several), with a reference, or NULL. */
GstAes67SapSession *gst_aes67_sap_browser_find_by_name (GstAes67SapBrowser *
    browser, const gchar * name);

/* Handles one received SAP packet from @from (may be NULL). The socket
 * thread calls this; tests and the fuzzer may call it directly. Signals are
 * emitted from the calling thread. */
void gst_aes67_sap_browser_handle_packet (GstAes67SapBrowser * browser,
    const guint8 * data, gsize len, const gchar * from);

/* Removes the sessions whose time is up by the browser's clock; runs every
 * second on the browser's thread and may be called from any thread (tests
 * with a GstTestClock). Signals are emitted from the calling thread. */
void gst_aes67_sap_browser_check_timeouts (GstAes67SapBrowser * browser);

/* A receiver follows the session whose key (GstAes67SapSession.key) is
 * @key: while followed it is never evicted to make room (it still leaves
 * when deleted or timed out, and is protected again if it comes back under
 * the same key). Calls nest: each follow needs one unfollow. Any thread
 * (signal handlers too), no lock of the browser held. */
void gst_aes67_sap_browser_follow (GstAes67SapBrowser * browser,
    const gchar * key);
void gst_aes67_sap_browser_unfollow (GstAes67SapBrowser * browser,
    const gchar * key);

/* Whether the browser browses with mDNS too (built with it, `mdns` on and
 * avahi-daemon reached at start) */
gboolean gst_aes67_sap_browser_has_mdns (GstAes67SapBrowser * browser);

/* Counters: packets (SAP packets handled: counted after the packet's
 * table changes and signals, so a caller may wait on it), malformed,
 * encrypted, evicted, oversize, rejected (new sessions not kept: only
 * followed ones could have made room), all
 * guint64; and now: sessions, announcers (origins with sessions), followed
 * (keys followed), guint. */
GstStructure *gst_aes67_sap_browser_get_stats (GstAes67SapBrowser * browser);

G_END_DECLS
#endif /* __GST_AES67_SAP_BROWSER_H__ */
