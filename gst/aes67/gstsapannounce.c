/* gst-aes67: sapannounce, announces AES67 sessions with SAP
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
/**
 * SECTION:element-sapannounce
 * @title: sapannounce
 * @see_also: aes67sink, aes67src
 *
 * sapannounce makes sessions visible to the receivers of an AES67 network
 * (Dante Controller, PipeWire, aes67-linux-daemon, VLC, ffmpeg, aes67src
 * with session-name) by announcing their SDP with the Session Announcement
 * Protocol (RFC 2974).
 *
 * It has no pads. With no configuration it announces the SDP of every
 * aes67sink in its pipeline, sinks added later included, and follows their
 * SDP when it changes: the new SDP is announced at once and a deletion is
 * sent for the old one (after the new one when the o= version changed, so
 * receivers see a change rather than a loss; before it otherwise). It can
 * also announce SDPs given as text (#GstSapAnnounce:sdp, which may change
 * while playing) or files (#GstSapAnnounce:sdp-files), for relays and for
 * gear that cannot announce itself.
 *
 * With #GstSapAnnounce:mdns every session is also published the RAVENNA
 * way, with mDNS/DNS-SD and RTSP DESCRIBE, as ravennaannounce publishes
 * (same code; needs a build with libavahi-client and a running
 * avahi-daemon). What goes wrong there is posted as a warning on
 * sapannounce's bus and the session is still announced with SAP: no
 * avahi-daemon, an RTSP server that cannot start, a session that cannot be
 * published, a name another device already publishes (mDNS name
 * collision), avahi-daemon going away.
 *
 * Packets: SAP version 1, the IPv4 originating source of the interface
 * sending, a 16-bit message id hash of the SDP text (never 0; it changes
 * when the SDP changes), payload type `application/sdp`. They go to
 * #GstSapAnnounce:address (239.255.255.255, the address AES67 devices
 * listen on; 224.2.127.254 is RFC 2974's global one) port 9875 every
 * #GstSapAnnounce:interval seconds from PAUSED on. A deletion packet is
 * sent for each session when the element leaves PAUSED, when a sink leaves
 * the pipeline and before a changed SDP is announced.
 *
 * The interval is 5 s by default, as PipeWire and ffmpeg announce: SAP has
 * no query, so a receiver that starts between two announcements waits up
 * to one interval to find a session (aes67src's discovery-timeout, 15 s by
 * default, is three of them), and receivers drop a session after about 10
 * intervals without an announcement. RFC 2974 derives the interval from a
 * bandwidth limit for the scope (4000 bit/s by default) with a 300 s
 * floor, meant for sessions announced across the Internet; AES67 networks
 * use a fixed interval of seconds instead (one ~500-byte SDP every 5 s is
 * 800 bit/s). Raise the interval where many sessions share a slow link.
 *
 * The socket is opened when the element leaves NULL: `address`, `port`,
 * `ttl`, `multicast-iface` and `loop` are read then; set in READY or later
 * they post a warning and take effect at the next start from NULL.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 sapannounce sdp-files='<"stage.sdp">' interval=1
 * ]| announces the SDP in the file stage.sdp every second until stopped
 * (the property is an array of paths: `'<"a.sdp","/etc/b.sdp">'`).
 * |[
 * gst-launch-1.0 audiotestsrc is-live=true ! aes67sink session-name=Stage \
 *     sapannounce
 * ]| sends a stream and announces it.
 *
 * ## Messages
 * An element message named `sap-announce` is posted when a session is first
 * announced, when its SDP changes and when it is deleted (not on every
 * repeat). Fields:
 *
 * * `action` (#G_TYPE_STRING): `announce` (first announcement), `change`
 *   (the SDP changed: a deletion of the old one was sent and the new one
 *   announced) or `delete` (a deletion packet was sent: the element stopped,
 *   the sink left the pipeline or lost its SDP).
 * * `source` (#G_TYPE_STRING): where the SDP comes from: the name of the
 *   aes67sink, `sdp` for the #GstSapAnnounce:sdp property, or the path of
 *   the file.
 * * `session-name` (#G_TYPE_STRING): the s= line of the SDP.
 * * `sdp` (#G_TYPE_STRING): the SDP announced (or deleted).
 * * `msg-id-hash` (#G_TYPE_UINT): the SAP message id hash, 1..65535.
 * * `origin` (#G_TYPE_STRING): the originating source address written in
 *   the packet.
 * * `address` (#G_TYPE_STRING), `port` (#G_TYPE_UINT): where the packet went.
 * * `interval-s` (#G_TYPE_UINT): the announcement interval, seconds.
 * * `packet-size` (#G_TYPE_UINT): the size of the SAP packet, bytes.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsapannounce.h"
#include "gstaes67elements.h"
#include "gstaes67sink.h"
#include "aes67-discovery-backend.h"
#include "aes67-sap.h"
#include "aes67-sap-browser.h"
#include "aes67-sdp.h"
#include "aes67-net.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gio/gio.h>

GST_DEBUG_CATEGORY_STATIC (gst_sap_announce_debug);
#define GST_CAT_DEFAULT gst_sap_announce_debug

enum
{
  PROP_0,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_INTERVAL,
  PROP_TTL,
  PROP_MULTICAST_IFACE,
  PROP_LOOP,
  PROP_SDP,
  PROP_SDP_FILES,
  PROP_AUTO,
  PROP_MDNS,
};

#define DEFAULT_ADDRESS          AES67_SAP_ADDRESS_AES67
#define DEFAULT_PORT             AES67_SAP_PORT
#define DEFAULT_INTERVAL         5
#define DEFAULT_TTL              15
#define DEFAULT_MULTICAST_IFACE  NULL
#define DEFAULT_LOOP             TRUE
#define DEFAULT_SDP              NULL
#define DEFAULT_SDP_FILES        NULL
#define DEFAULT_AUTO             TRUE
#define DEFAULT_MDNS             FALSE

/* One announced session. */
typedef struct
{
  gchar *source;                /* sink name, "sdp" or file path */
  GstElement *sink;             /* the aes67sink (a ref), NULL otherwise */
  gulong notify_id;
  gchar *sdp;                   /* NULL: nothing to announce yet */
  gchar *name;                  /* s= */
  guint16 hash;
  gboolean announced;           /* first announcement sent */
  gboolean removed;             /* left the list: no more announcements */
  gint refcount;
} Announcement;

struct _GstSapAnnounce
{
  GstElement parent;

  /* properties, protected by the object lock */
  gchar *address;
  guint port;
  guint interval;
  guint ttl;
  gchar *iface;
  gboolean loop;
  gchar *sdp;
  gchar **sdp_files;            /* NULL-terminated, from a GstValueArray */
  gboolean auto_announce;
  gboolean mdns;

  /* with mdns: the mDNS backend and its publisher, set and cleared at
   * start/stop, used under mdns_lock (which is held while publishing, and
   * never while posting) */
  GMutex mdns_lock;
  const Aes67DiscoveryBackend *mdns_backend;
  Aes67DiscoveryPublisher *mdns_pub;

  /* protected by the object lock */
  GList *announcements;         /* of Announcement */
  Announcement *sdp_announcement;       /* the sdp property's, in the list */
  GSocket *socket;
  GSocketAddress *dest;
  gchar *dest_str;
  guint8 origin[4];
  gchar *origin_str;

  /* the repeat thread; lock/cond protect stop_thread and wake */
  GMutex thread_lock;
  GCond thread_cond;
  gboolean stop_thread;
  GThread *thread;

  /* the top-level bin watched for aes67sinks (state changes only) */
  GstBin *watched;
  gulong added_id, removed_id;
};

#define gst_sap_announce_parent_class parent_class
G_DEFINE_TYPE (GstSapAnnounce, gst_sap_announce, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (sapannounce, "sapannounce", GST_RANK_NONE,
    GST_TYPE_SAP_ANNOUNCE);

static Announcement *
announcement_ref (Announcement * a)
{
  g_atomic_int_inc (&a->refcount);
  return a;
}

static void
announcement_free (Announcement * a)
{
  if (!g_atomic_int_dec_and_test (&a->refcount))
    return;
  if (a->sink) {
    if (a->notify_id)
      g_signal_handler_disconnect (a->sink, a->notify_id);
    gst_object_unref (a->sink);
  }
  g_free (a->source);
  g_free (a->sdp);
  g_free (a->name);
  g_free (a);
}

/* Checks @sdp and returns its s= (NULL with @error when it is not usable) */
static gchar *
sdp_session_name (const gchar * sdp, GError ** error)
{
  GstAes67SapSession *s = gst_aes67_sap_session_new (sdp, NULL, 0, error);
  gchar *name;

  if (!s)
    return NULL;
  name = g_strdup (s->name);
  gst_aes67_sap_session_unref (s);
  return name;
}

/* TRUE if the o= lines of @a and @b have the same session version (or one
 * cannot be read) */
static gboolean
same_origin_version (const gchar * a, const gchar * b)
{
  GstAes67SapSession *sa = gst_aes67_sap_session_new (a, NULL, 0, NULL);
  GstAes67SapSession *sb = gst_aes67_sap_session_new (b, NULL, 0, NULL);
  gboolean same = TRUE;

  if (sa && sb)
    same = g_strcmp0 (gst_sdp_message_get_origin (sa->msg)->sess_version,
        gst_sdp_message_get_origin (sb->msg)->sess_version) == 0;
  if (sa)
    gst_aes67_sap_session_unref (sa);
  if (sb)
    gst_aes67_sap_session_unref (sb);
  return same;
}

/* Sends one packet. Takes the object lock. Returns the packet size, or 0
 * when nothing could be sent (logged). */
static guint
send_packet (GstSapAnnounce * self, Aes67SapMessageType type,
    const gchar * sdp, guint16 hash)
{
  guint8 buf[AES67_SAP_DEFAULT_MAX_PACKET];
  GSocket *sock = NULL;
  GSocketAddress *dest = NULL;
  GError *err = NULL;
  gssize n;

  GST_OBJECT_LOCK (self);
  if (self->socket) {
    sock = g_object_ref (self->socket);
    dest = g_object_ref (self->dest);
  }
  n = aes67_sap_build (type, hash, self->origin, FALSE,
      AES67_SAP_PAYLOAD_TYPE, sdp, strlen (sdp), FALSE, buf, sizeof (buf));
  GST_OBJECT_UNLOCK (self);
  if (!sock)
    return 0;
  if (n < 0) {
    GST_WARNING_OBJECT (self, "SDP of %u bytes does not fit a SAP packet",
        (guint) strlen (sdp));
    n = 0;
  } else if (g_socket_send_to (sock, dest, (const gchar *) buf, n, NULL,
          &err) < 0) {
    GST_WARNING_OBJECT (self, "sending SAP failed: %s", err->message);
    g_clear_error (&err);
    n = 0;
  }
  g_object_unref (sock);
  g_object_unref (dest);
  return (guint) n;
}

static void
post_message (GstSapAnnounce * self, const gchar * action,
    const gchar * source, const gchar * name, const gchar * sdp, guint16 hash,
    guint size)
{
  GstStructure *st;
  gchar *origin, *address;
  guint port, interval;

  GST_OBJECT_LOCK (self);
  origin = g_strdup (self->origin_str);
  address = g_strdup (self->address);
  port = self->port;
  interval = self->interval;
  GST_OBJECT_UNLOCK (self);

  st = gst_structure_new ("sap-announce",
      "action", G_TYPE_STRING, action,
      "source", G_TYPE_STRING, source,
      "session-name", G_TYPE_STRING, name,
      "sdp", G_TYPE_STRING, sdp,
      "msg-id-hash", G_TYPE_UINT, (guint) hash,
      "origin", G_TYPE_STRING, origin,
      "address", G_TYPE_STRING, address,
      "port", G_TYPE_UINT, port,
      "interval-s", G_TYPE_UINT, interval,
      "packet-size", G_TYPE_UINT, size, NULL);
  g_free (origin);
  g_free (address);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), st));
}

/* With mdns: publishes @sdp as @name / withdraws @old_name with the mDNS
 * backend. Call with no lock held. */
static void
mdns_update (GstSapAnnounce * self, const gchar * old_name, const gchar * name,
    const gchar * sdp)
{
  GError *err = NULL;

  g_mutex_lock (&self->mdns_lock);
  if (self->mdns_pub) {
    if (old_name && g_strcmp0 (old_name, name) != 0)
      self->mdns_backend->withdraw (self->mdns_pub, old_name);
    if (sdp)
      self->mdns_backend->publish (self->mdns_pub, name, sdp, &err);
  }
  g_mutex_unlock (&self->mdns_lock);
  if (err) {
    GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
        ("Session '%s' cannot be published with mDNS: %s. It is announced "
            "with SAP only.", name, err->message), (NULL));
    g_clear_error (&err);
  }
}

/* Sets @a's SDP to @sdp (NULL: none) and sends what that takes: a deletion
 * of the old one, an announcement of the new one. Call with no lock held;
 * @a must stay alive (state changes are serialised with it). */
static void
announcement_update (GstSapAnnounce * self, Announcement * a, const gchar * sdp)
{
  gchar *old_sdp = NULL, *old_name = NULL, *name = NULL;
  guint16 old_hash = 0, hash = 0;
  gboolean was_announced, delete_first;
  gchar *source;
  GError *err = NULL;
  guint size;

  if (sdp && *sdp) {
    name = sdp_session_name (sdp, &err);
    if (!name) {
      GST_ELEMENT_WARNING (self, STREAM, FORMAT,
          ("The SDP of %s cannot be announced: %s.", a->source,
              err->message), ("SDP:\n%s", sdp));
      g_clear_error (&err);
      sdp = NULL;
    } else {
      hash = aes67_sap_msg_id_hash (sdp, strlen (sdp));
    }
  } else {
    sdp = NULL;
  }

  GST_OBJECT_LOCK (self);
  if (g_strcmp0 (a->sdp, sdp) == 0 || (a->removed && sdp)) {
    GST_OBJECT_UNLOCK (self);
    g_free (name);
    return;
  }
  was_announced = a->announced;
  old_sdp = a->sdp;
  old_name = a->name;
  old_hash = a->hash;
  a->sdp = g_strdup (sdp);
  a->name = name;
  a->hash = hash;
  a->announced = FALSE;
  source = g_strdup (a->source);
  GST_OBJECT_UNLOCK (self);

  /* A new o= version is announced before the old one is deleted, so
   * receivers see a change, not a loss (they ignore the deletion of a
   * version that is no longer current). Without a new version the
   * deletion must go first: it would delete the new SDP too. */
  delete_first = old_sdp && was_announced
      && (!sdp || same_origin_version (old_sdp, sdp));
  if (delete_first) {
    size = send_packet (self, AES67_SAP_DELETE, old_sdp, old_hash);
    if (!sdp)
      post_message (self, "delete", source, old_name, old_sdp, old_hash, size);
  }
  if (sdp) {
    size = send_packet (self, AES67_SAP_ANNOUNCE, sdp, hash);
    GST_OBJECT_LOCK (self);
    a->announced = size > 0;
    GST_OBJECT_UNLOCK (self);
    if (size > 0)
      post_message (self, (old_sdp && was_announced) ? "change" : "announce",
          source, name, sdp, hash, size);
  }
  if (old_sdp && was_announced && !delete_first)
    send_packet (self, AES67_SAP_DELETE, old_sdp, old_hash);
  if (sdp || (old_sdp && was_announced))
    mdns_update (self, was_announced ? old_name : NULL, name, sdp);
  g_free (old_sdp);
  g_free (old_name);
  g_free (source);
}

/* Sends a deletion for @a if it was announced. Call with no lock held. */
static void
announcement_delete (GstSapAnnounce * self, Announcement * a)
{
  announcement_update (self, a, NULL);
}

/* ---------- aes67sinks in the pipeline ---------- */

static gboolean
is_aes67sink (GstElement * e)
{
  return GST_IS_AES67_SINK (e);
}

static void
on_sink_sdp (GObject * sink, GParamSpec * pspec, GstSapAnnounce * self)
{
  Announcement *a = NULL;
  GList *l;
  gchar *sdp = NULL;

  g_object_get (sink, "sdp", &sdp, NULL);
  /* the announcement lives until the sink is unwatched, which disconnects
   * this handler first: look it up under the lock */
  GST_OBJECT_LOCK (self);
  for (l = self->announcements; l; l = l->next)
    if (((Announcement *) l->data)->sink == (GstElement *) sink)
      a = announcement_ref (l->data);
  GST_OBJECT_UNLOCK (self);
  if (a) {
    announcement_update (self, a, sdp);
    announcement_free (a);
  }
  g_free (sdp);
}

static void
watch_sink (GstSapAnnounce * self, GstElement * sink)
{
  Announcement *a;
  GList *l;
  gchar *sdp = NULL;

  GST_OBJECT_LOCK (self);
  for (l = self->announcements; l; l = l->next) {
    if (((Announcement *) l->data)->sink == sink) {
      GST_OBJECT_UNLOCK (self);
      return;
    }
  }
  a = g_new0 (Announcement, 1);
  a->refcount = 1;
  a->sink = gst_object_ref (sink);
  a->source = gst_object_get_name (GST_OBJECT (sink));
  self->announcements = g_list_append (self->announcements, a);
  GST_OBJECT_UNLOCK (self);

  GST_INFO_OBJECT (self, "announcing %s", a->source);
  a->notify_id = g_signal_connect (sink, "notify::sdp",
      G_CALLBACK (on_sink_sdp), self);
  g_object_get (sink, "sdp", &sdp, NULL);
  announcement_update (self, a, sdp);
  g_free (sdp);
}

static void
unwatch_sink (GstSapAnnounce * self, GstElement * sink)
{
  Announcement *a = NULL;
  GList *l;

  GST_OBJECT_LOCK (self);
  for (l = self->announcements; l; l = l->next) {
    if (((Announcement *) l->data)->sink == sink) {
      a = l->data;
      a->removed = TRUE;
      self->announcements = g_list_delete_link (self->announcements, l);
      break;
    }
  }
  GST_OBJECT_UNLOCK (self);
  if (!a)
    return;
  g_signal_handler_disconnect (a->sink, a->notify_id);
  a->notify_id = 0;
  announcement_delete (self, a);
  announcement_free (a);
}

static void
on_deep_element_added (GstBin * bin, GstBin * sub_bin, GstElement * element,
    GstSapAnnounce * self)
{
  if (is_aes67sink (element))
    watch_sink (self, element);
}

static void
on_deep_element_removed (GstBin * bin, GstBin * sub_bin,
    GstElement * element, GstSapAnnounce * self)
{
  if (is_aes67sink (element))
    unwatch_sink (self, element);
}

static void
find_sinks (const GValue * item, gpointer user_data)
{
  GstElement *e = g_value_get_object (item);

  if (is_aes67sink (e))
    watch_sink (user_data, e);
}

static void
start_watching (GstSapAnnounce * self)
{
  GstObject *top = gst_object_ref (GST_OBJECT (self)), *parent;
  GstIterator *it;

  while ((parent = gst_object_get_parent (top))) {
    gst_object_unref (top);
    top = parent;
  }
  if (!GST_IS_BIN (top)) {
    gst_object_unref (top);
    return;
  }
  self->watched = GST_BIN (top);
  self->added_id = g_signal_connect (top, "deep-element-added",
      G_CALLBACK (on_deep_element_added), self);
  self->removed_id = g_signal_connect (top, "deep-element-removed",
      G_CALLBACK (on_deep_element_removed), self);
  it = gst_bin_iterate_recurse (self->watched);
  while (gst_iterator_foreach (it, find_sinks, self) == GST_ITERATOR_RESYNC)
    gst_iterator_resync (it);
  gst_iterator_free (it);
}

/* ---------- repeat thread ---------- */

static void
announce_all (GstSapAnnounce * self)
{
  GList *l;
  GPtrArray *pending = g_ptr_array_new_with_free_func (g_free);
  GArray *hashes = g_array_new (FALSE, FALSE, sizeof (guint16));
  guint i;

  GST_OBJECT_LOCK (self);
  for (l = self->announcements; l; l = l->next) {
    Announcement *a = l->data;
    if (a->sdp && a->announced) {
      g_ptr_array_add (pending, g_strdup (a->sdp));
      g_array_append_val (hashes, a->hash);
    }
  }
  GST_OBJECT_UNLOCK (self);
  for (i = 0; i < pending->len; i++)
    send_packet (self, AES67_SAP_ANNOUNCE, g_ptr_array_index (pending, i),
        g_array_index (hashes, guint16, i));
  g_ptr_array_free (pending, TRUE);
  g_array_free (hashes, TRUE);
}

static gpointer
repeat_thread (gpointer user_data)
{
  GstSapAnnounce *self = user_data;

  g_mutex_lock (&self->thread_lock);
  while (!self->stop_thread) {
    guint interval;
    gint64 until;

    GST_OBJECT_LOCK (self);
    interval = self->interval;
    GST_OBJECT_UNLOCK (self);
    until = g_get_monotonic_time () + (gint64) interval *G_TIME_SPAN_SECOND;
    while (!self->stop_thread
        && g_cond_wait_until (&self->thread_cond, &self->thread_lock, until));
    if (self->stop_thread)
      break;
    g_mutex_unlock (&self->thread_lock);
    announce_all (self);
    g_mutex_lock (&self->thread_lock);
  }
  g_mutex_unlock (&self->thread_lock);
  return NULL;
}

/* ---------- socket ---------- */

static gboolean
open_socket (GstSapAnnounce * self)
{
  gchar *address, *iface;
  guint port, ttl;
  gboolean loop;
  GInetAddress *ia;
  GSocket *sock = NULL;
  GError *err = NULL;
  guint8 origin[4];
  gchar *origin_str = NULL;

  GST_OBJECT_LOCK (self);
  address = g_strdup (self->address);
  iface = g_strdup (self->iface);
  port = self->port;
  ttl = self->ttl;
  loop = self->loop;
  GST_OBJECT_UNLOCK (self);

  ia = g_inet_address_new_from_string (address);
  if (!ia || g_inet_address_get_family (ia) != G_SOCKET_FAMILY_IPV4) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("The SAP address '%s' is not an IPv4 address; use %s or %s.",
            address, AES67_SAP_ADDRESS_AES67, AES67_SAP_ADDRESS_GLOBAL),
        (NULL));
    goto fail;
  }
  origin_str = aes67_net_source_address (address, iface, &err);
  if (!origin_str) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        ("Cannot find the address to announce from: %s. Check the "
            "multicast-iface property and the multicast route.",
            err->message), (NULL));
    goto fail;
  }
  /* from the originating source the SAP header names (RFC 2974 3) */
  sock = aes67_net_send_socket (origin_str, ttl, 0, iface, loop, TRUE, NULL,
      &err);
  if (!sock) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("%s", err->message),
        (NULL));
    goto fail;
  }
  inet_pton (AF_INET, origin_str, origin);
  GST_INFO_OBJECT (self, "announcing to %s:%u from %s", address, port,
      origin_str);
  GST_OBJECT_LOCK (self);
  self->socket = sock;
  self->dest = g_inet_socket_address_new (ia, port);
  memcpy (self->origin, origin, 4);
  g_free (self->origin_str);
  self->origin_str = origin_str;
  GST_OBJECT_UNLOCK (self);
  g_object_unref (ia);
  g_free (address);
  g_free (iface);
  return TRUE;

fail:
  g_clear_error (&err);
  g_clear_object (&sock);
  g_clear_object (&ia);
  g_free (origin_str);
  g_free (address);
  g_free (iface);
  return FALSE;
}

static void
close_socket (GstSapAnnounce * self)
{
  GST_OBJECT_LOCK (self);
  if (self->socket)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);
  g_clear_object (&self->dest);
  GST_OBJECT_UNLOCK (self);
}

/* ---------- start / stop ---------- */

/* mdns: a publisher of the mDNS backend, whose warnings come to our bus */
static void
start_mdns (GstSapAnnounce * self)
{
  const Aes67DiscoveryBackend *b = aes67_discovery_backend_mdns ();
  Aes67DiscoveryPublisher *pub;
  GError *err = NULL;

  if (!b) {
    GST_ELEMENT_WARNING (self, CORE, MISSING_PLUGIN,
        ("mdns=true needs gst-aes67 built with libavahi-client; announcing "
            "with SAP only."), (NULL));
    return;
  }
  /* made here, so its RTSP server is in the caller's network namespace */
  pub = b->publisher_new (NULL, GST_ELEMENT (self), &err);
  if (!pub) {
    if (g_error_matches (err, AES67_DISCOVERY_ERROR,
            AES67_DISCOVERY_ERROR_NO_DAEMON))
      GST_ELEMENT_WARNING (self, RESOURCE, OPEN_WRITE,
          ("Cannot publish with mDNS: %s. Is avahi-daemon running? "
              "Announcing with SAP only.", err->message), (NULL));
    else
      GST_ELEMENT_WARNING (self, RESOURCE, OPEN_WRITE,
          ("Cannot serve SDPs with RTSP for mDNS: %s. Announcing with SAP "
              "only.", err->message), (NULL));
    g_clear_error (&err);
    return;
  }
  g_mutex_lock (&self->mdns_lock);
  self->mdns_backend = b;
  self->mdns_pub = pub;
  g_mutex_unlock (&self->mdns_lock);
}

/* withdraws whatever is left */
static void
stop_mdns (GstSapAnnounce * self)
{
  const Aes67DiscoveryBackend *b;
  Aes67DiscoveryPublisher *pub;

  g_mutex_lock (&self->mdns_lock);
  b = self->mdns_backend;
  pub = self->mdns_pub;
  self->mdns_backend = NULL;
  self->mdns_pub = NULL;
  g_mutex_unlock (&self->mdns_lock);
  if (pub)
    b->publisher_free (pub);
}

static Announcement *
add_given (GstSapAnnounce * self, const gchar * source, const gchar * sdp)
{
  Announcement *a = g_new0 (Announcement, 1);

  a->refcount = 1;
  a->source = g_strdup (source);
  GST_OBJECT_LOCK (self);
  self->announcements = g_list_append (self->announcements, a);
  GST_OBJECT_UNLOCK (self);
  announcement_update (self, a, sdp);
  return a;
}

static void
start_announcing (GstSapAnnounce * self)
{
  gchar *sdp;
  gchar **files;
  gboolean auto_announce, mdns;
  Announcement *a;
  guint i;

  GST_OBJECT_LOCK (self);
  sdp = g_strdup (self->sdp);
  files = g_strdupv (self->sdp_files);
  auto_announce = self->auto_announce;
  mdns = self->mdns;
  GST_OBJECT_UNLOCK (self);

  if (mdns)
    start_mdns (self);

  /* always there, so the sdp property can be set while running */
  a = add_given (self, "sdp", sdp);
  GST_OBJECT_LOCK (self);
  self->sdp_announcement = a;
  GST_OBJECT_UNLOCK (self);
  for (i = 0; files && files[i]; i++) {
    gchar *text = NULL;
    GError *err = NULL;

    if (!aes67_sdp_read_file (files[i], &text, &err)) {
      GST_ELEMENT_WARNING (self, RESOURCE, READ,
          ("Cannot read the SDP file: %s. It is not announced.",
              err->message), (NULL));
      g_clear_error (&err);
      continue;
    }
    add_given (self, files[i], text);
    g_free (text);
  }
  g_free (sdp);
  g_strfreev (files);

  if (auto_announce)
    start_watching (self);

  g_mutex_lock (&self->thread_lock);
  self->stop_thread = FALSE;
  g_mutex_unlock (&self->thread_lock);
  self->thread = g_thread_new ("sapannounce", repeat_thread, self);
}

static void
stop_announcing (GstSapAnnounce * self)
{
  GList *l, *list;

  if (self->thread) {
    g_mutex_lock (&self->thread_lock);
    self->stop_thread = TRUE;
    g_cond_signal (&self->thread_cond);
    g_mutex_unlock (&self->thread_lock);
    g_thread_join (self->thread);
    self->thread = NULL;
  }
  if (self->watched) {
    g_signal_handler_disconnect (self->watched, self->added_id);
    g_signal_handler_disconnect (self->watched, self->removed_id);
    gst_object_unref (self->watched);
    self->watched = NULL;
  }
  /* disconnect the sinks first, so no notify runs on a freed entry */
  GST_OBJECT_LOCK (self);
  list = self->announcements;
  self->announcements = NULL;
  self->sdp_announcement = NULL;
  for (l = list; l; l = l->next)
    ((Announcement *) l->data)->removed = TRUE;
  GST_OBJECT_UNLOCK (self);
  for (l = list; l; l = l->next) {
    Announcement *a = l->data;
    if (a->sink && a->notify_id) {
      g_signal_handler_disconnect (a->sink, a->notify_id);
      a->notify_id = 0;
    }
  }
  for (l = list; l; l = l->next)
    announcement_delete (self, l->data);
  g_list_free_full (list, (GDestroyNotify) announcement_free);
  stop_mdns (self);
}

static GstStateChangeReturn
gst_sap_announce_change_state (GstElement * element, GstStateChange transition)
{
  GstSapAnnounce *self = GST_SAP_ANNOUNCE (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (!open_socket (self))
        return GST_STATE_CHANGE_FAILURE;
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      start_announcing (self);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      stop_announcing (self);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      close_socket (self);
      break;
    default:
      break;
  }
  return ret;
}

/* ---------- GObject ---------- */

static void
gst_sap_announce_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstSapAnnounce *self = GST_SAP_ANNOUNCE (object);
  Announcement *update = NULL;
  gchar *update_sdp = NULL;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_ADDRESS:
      g_free (self->address);
      self->address = g_value_dup_string (value);
      if (!self->address)
        self->address = g_strdup (DEFAULT_ADDRESS);
      break;
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_INTERVAL:
      self->interval = g_value_get_uint (value);
      break;
    case PROP_TTL:
      self->ttl = g_value_get_uint (value);
      break;
    case PROP_MULTICAST_IFACE:
      g_free (self->iface);
      self->iface = g_value_dup_string (value);
      break;
    case PROP_LOOP:
      self->loop = g_value_get_boolean (value);
      break;
    case PROP_SDP:
      g_free (self->sdp);
      self->sdp = g_value_dup_string (value);
      /* running: re-announce (deletion of the old SDP, the new one) */
      if (self->sdp_announcement) {
        update = announcement_ref (self->sdp_announcement);
        update_sdp = g_strdup (self->sdp);
      }
      break;
    case PROP_SDP_FILES:{
      guint i, n = gst_value_array_get_size (value);

      g_strfreev (self->sdp_files);
      self->sdp_files = n ? g_new0 (gchar *, n + 1) : NULL;
      for (i = 0; i < n; i++)
        self->sdp_files[i] =
            g_value_dup_string (gst_value_array_get_value (value, i));
      break;
    }
    case PROP_AUTO:
      self->auto_announce = g_value_get_boolean (value);
      break;
    case PROP_MDNS:
      self->mdns = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);

  gst_aes67_warn_if_set_too_late (GST_ELEMENT (self), pspec);
  if (update) {
    announcement_update (self, update, update_sdp);
    announcement_free (update);
    g_free (update_sdp);
  }
}

static void
gst_sap_announce_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstSapAnnounce *self = GST_SAP_ANNOUNCE (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_TTL:
      g_value_set_uint (value, self->ttl);
      break;
    case PROP_MULTICAST_IFACE:
      g_value_set_string (value, self->iface);
      break;
    case PROP_LOOP:
      g_value_set_boolean (value, self->loop);
      break;
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
    case PROP_AUTO:
      g_value_set_boolean (value, self->auto_announce);
      break;
    case PROP_MDNS:
      g_value_set_boolean (value, self->mdns);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_sap_announce_finalize (GObject * object)
{
  GstSapAnnounce *self = GST_SAP_ANNOUNCE (object);

  g_free (self->address);
  g_free (self->iface);
  g_free (self->sdp);
  g_strfreev (self->sdp_files);
  g_free (self->origin_str);
  g_mutex_clear (&self->thread_lock);
  g_mutex_clear (&self->mdns_lock);
  g_cond_clear (&self->thread_cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_sap_announce_class_init (GstSapAnnounceClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_sap_announce_set_property;
  gobject_class->get_property = gst_sap_announce_get_property;
  gobject_class->finalize = gst_sap_announce_finalize;
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_sap_announce_change_state);

  /* address, port, ttl, multicast-iface and loop are read when the socket
   * opens (NULL to READY): no GST_PARAM_MUTABLE_* flag, a later change warns */
  g_object_class_install_property (gobject_class, PROP_ADDRESS,
      g_param_spec_string ("address", "Address",
          "IPv4 multicast address announcements go to (239.255.255.255 for "
          "AES67 gear, 224.2.127.254 for RFC 2974's global scope)",
          DEFAULT_ADDRESS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_PORT,
      g_param_spec_uint ("port", "Port", "UDP port announcements go to",
          1, 65535, DEFAULT_PORT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint ("interval", "Interval",
          "Time between two announcements of a session (s); receivers drop "
          "a session after about 10 intervals, and one started between two "
          "waits up to one interval to find it", 1, 3600, DEFAULT_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_TTL,
      g_param_spec_uint ("ttl", "TTL",
          "IP time to live of the announcements (router hops)", 0, 255,
          DEFAULT_TTL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_MULTICAST_IFACE,
      g_param_spec_string ("multicast-iface", "Multicast interface",
          "Network interface to announce on, its IPv4 address is the "
          "originating source (NULL: the interface of the route to "
          "address)", DEFAULT_MULTICAST_IFACE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_LOOP,
      g_param_spec_boolean ("loop", "Multicast loop",
          "Deliver the announcements to receivers on this host too",
          DEFAULT_LOOP, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_SDP,
      g_param_spec_string ("sdp", "SDP",
          "An SDP (text) to announce besides the aes67sinks'; a new value "
          "while running sends a deletion of the old one and announces it",
          DEFAULT_SDP, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_SDP_FILES,
      gst_param_spec_array ("sdp-files", "SDP files",
          "Paths of SDP files to announce, one session each (regular text "
          "files of at most 16384 bytes); read when going to PAUSED",
          g_param_spec_string ("sdp-file", "SDP file", "Path of an SDP file",
              NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS),
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_AUTO,
      g_param_spec_boolean ("auto", "Announce aes67sinks",
          "Announce the SDP of every aes67sink in the pipeline, sinks "
          "added later included", DEFAULT_AUTO,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  g_object_class_install_property (gobject_class, PROP_MDNS,
      g_param_spec_boolean ("mdns", "mDNS too",
          "Also publish every session RAVENNA-style (mDNS/DNS-SD and RTSP "
          "DESCRIBE), as ravennaannounce does (needs a build with "
          "libavahi-client and avahi-daemon)", DEFAULT_MDNS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  gst_element_class_set_static_metadata (element_class,
      "SAP announcer", "Network",
      "Announces AES67 sessions (the aes67sinks of its pipeline and given "
      "SDPs) with SAP, RFC 2974", "gst-aes67 authors");

  GST_DEBUG_CATEGORY_INIT (gst_sap_announce_debug, "sapannounce", 0,
      "SAP announcer");
}

static void
gst_sap_announce_init (GstSapAnnounce * self)
{
  self->address = g_strdup (DEFAULT_ADDRESS);
  self->port = DEFAULT_PORT;
  self->interval = DEFAULT_INTERVAL;
  self->ttl = DEFAULT_TTL;
  self->iface = g_strdup (DEFAULT_MULTICAST_IFACE);
  self->loop = DEFAULT_LOOP;
  self->sdp = g_strdup (DEFAULT_SDP);
  self->sdp_files = NULL;
  self->auto_announce = DEFAULT_AUTO;
  self->mdns = DEFAULT_MDNS;
  g_mutex_init (&self->thread_lock);
  g_mutex_init (&self->mdns_lock);
  g_cond_init (&self->thread_cond);
}
