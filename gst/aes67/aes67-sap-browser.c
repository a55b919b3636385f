/* gst-aes67: SAP browser, the sessions announced on the network
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
/*
 * The browser listens for SAP (RFC 2974) on 239.255.255.255 (AES67 devices)
 * and 224.2.127.254 (RFC 2974's global scope) on one UDP socket bound to
 * port 9875, on a thread of its own with its own GMainContext.
 *
 * Sessions are kept by the identity of their SDP's o= line without its
 * version (RFC 4566: username, sess-id, nettype, addrtype, address). A
 * refresh is recognised without parsing the SDP again by its SAP origin and
 * message id hash. A new hash for a known identity is a change. A deletion
 * names the session by its o= line (or, without one, by origin and hash);
 * one whose o= version is not the current one deletes an older version and
 * is ignored, so a sender may announce the new version before deleting the
 * old.
 *
 * Time-out: a session not announced again within 10 times the largest
 * interval seen between its announcements, capped at max-timeout (1 h), is
 * removed; one announced only once lives max-timeout. The `timeout`
 * property sets a fixed time instead. Times come from the `clock` property
 * (the system clock unless a test sets a GstTestClock).
 *
 * mDNS: built with libavahi-client (and `mdns` left on), the browser also
 * browses with the mDNS discovery backend (aes67-discovery-backend.h) and
 * lists the RAVENNA sessions it finds (SDP fetched with RTSP DESCRIBE);
 * those do not time out but go when their mDNS service goes. The backend's
 * warnings (a session whose SDP cannot be fetched, avahi-daemon gone) are
 * emitted as the "warning" signal, for the elements that use the browser
 * to post. What the backend reports is handed to the browser's thread:
 * every signal of a running browser comes from there (or from a caller of
 * handle_packet / check_timeouts).
 *
 * Bounds: packets larger than max-packet-size are dropped before parsing;
 * an SDP may inflate to at most AES67_SAP_MAX_INFLATED bytes; at most
 * max-sessions sessions are kept. Memory therefore stays below about
 * max-sessions × (3 × the largest SDP) (see docs/discovery.md for the
 * measured figure).
 *
 * Limits are per announcer (the SAP originating source; for mDNS, the
 * host's address), so that one announcer cannot push the others out: one
 * keeps at most max-sessions-per-origin sessions, and its new session then
 * evicts its own least recently announced one; when the whole table is
 * full, a new session evicts the least recently announced session of the
 * announcer that holds the most. A session a receiver follows
 * (gst_aes67_sap_browser_follow(), as aes67src does) is never evicted; a
 * new session that could only be kept by evicting one is not kept
 * ("rejected" in the stats). Each announcer keeps its sessions in a queue,
 * least recently announced first, so finding what to evict takes one pass
 * over the announcers, not over the sessions.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "aes67-sap-browser.h"
#include "aes67-discovery-backend.h"
#include "aes67-sap.h"
#include "aes67-sdp.h"

#include <string.h>
#include <sys/socket.h>
#include <gio/gio.h>

GST_DEBUG_CATEGORY_STATIC (sap_browser_debug);
#define GST_CAT_DEFAULT sap_browser_debug

/* ---------- sessions ---------- */

G_DEFINE_BOXED_TYPE (GstAes67SapSession, gst_aes67_sap_session,
    gst_aes67_sap_session_ref, gst_aes67_sap_session_unref);

GstAes67SapSession *
gst_aes67_sap_session_ref (GstAes67SapSession * s)
{
  g_return_val_if_fail (s != NULL, NULL);
  g_atomic_int_inc (&s->refcount);
  return s;
}

void
gst_aes67_sap_session_unref (GstAes67SapSession * s)
{
  g_return_if_fail (s != NULL);
  if (!g_atomic_int_dec_and_test (&s->refcount))
    return;
  g_free (s->key);
  g_free (s->name);
  g_free (s->sdp);
  if (s->msg)
    gst_sdp_message_free (s->msg);
  g_free (s->origin);
  g_free (s->address);
  g_free (s->encoding);
  g_free (s->secondary_address);
  g_free (s->reason);
  g_strfreev (s->warnings);
  g_free (s);
}

/* The stream, read by aes67src's reader: what is listed is what plays */
static void
session_fill_media (GstAes67SapSession * s)
{
  Aes67SdpStream st;
  GError *why = NULL;

  aes67_sdp_stream_init (&st);
  if (aes67_sdp_parse (s->sdp, &st, &why)) {
    s->playable = TRUE;
    s->address = g_steal_pointer (&st.address);
    s->port = st.port;
    s->payload_type = st.payload_type;
    s->encoding = g_steal_pointer (&st.encoding);
    s->rate = st.rate;
    s->channels = st.channels;
    s->warnings = g_steal_pointer (&st.warnings);
    if (st.has_secondary) {
      s->secondary_address = g_steal_pointer (&st.secondary_address);
      s->secondary_port = st.secondary_port;
    }
  } else {
    s->reason = g_strdup (why->message);
    g_clear_error (&why);
  }
  aes67_sdp_stream_clear (&st);
}

GstAes67SapSession *
gst_aes67_sap_session_new (const gchar * sdp, const gchar * origin,
    guint16 msg_id_hash, GError ** error)
{
  GstSDPMessage *msg = NULL;
  GstAes67SapSession *s;
  gchar *valid = NULL, *key = NULL;
  GError *why = NULL;

  /* names and SDP go out in signals, messages and device properties, which
   * need UTF-8: each invalid byte (a Latin-1 name) becomes U+FFFD */
  if (!g_utf8_validate (sdp, -1, NULL))
    sdp = valid = g_utf8_make_valid (sdp, -1);
  /* the project's one SDP reader, by its rules (aes67-sdp.h) */
  msg = aes67_sdp_read_message (sdp, AES67_SDP_READ_DEFAULT, &why);
  if (!msg) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "SDP cannot be read: %s", why->message);
    g_clear_error (&why);
    goto fail;
  }
  key = aes67_sdp_origin_key (msg);
  if (!key) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "SDP has no complete o= line");
    goto fail;
  }
  if (!gst_sdp_message_get_session_name (msg)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "SDP has no s= line");
    goto fail;
  }
  s = g_new0 (GstAes67SapSession, 1);
  s->refcount = 1;
  s->msg = msg;
  s->key = key;
  s->name = g_strdup (gst_sdp_message_get_session_name (msg));
  s->sdp = g_strdup (sdp);
  s->origin = g_strdup (origin);
  s->msg_id_hash = msg_id_hash;
  session_fill_media (s);
  g_free (valid);
  return s;

fail:
  if (msg)
    gst_sdp_message_free (msg);
  g_free (key);
  g_free (valid);
  return NULL;
}

/* ---------- browser ---------- */

typedef struct _Announcer Announcer;

typedef struct
{
  GstAes67SapSession *session;
  gchar *hash_key;              /* "origin/hash" or NULL when hash is 0 */
  GstClockTime last_seen;
  GstClockTime interval;        /* largest seen, GST_CLOCK_TIME_NONE if none */
  gboolean mdns;                /* found with mDNS: lives while published */
  Announcer *announcer;         /* the queue @link is in */
  GList link;                   /* data: this entry */
} Entry;

/* The sessions of one originating source, least recently announced first */
struct _Announcer
{
  gchar *origin;                /* "" if unknown */
  GQueue entries;               /* of Entry, via Entry.link */
};

typedef struct
{
  guint signal;
  GstAes67SapSession *session;
  guint reason;
} Event;

enum
{
  SIGNAL_SESSION_ADDED,
  SIGNAL_SESSION_CHANGED,
  SIGNAL_SESSION_REMOVED,
  SIGNAL_WARNING,
  LAST_SIGNAL
};

enum
{
  PROP_0,
  PROP_MULTICAST_IFACE,
  PROP_PORT,
  PROP_CLOCK,
  PROP_MAX_SESSIONS,
  PROP_MAX_SESSIONS_PER_ORIGIN,
  PROP_MAX_PACKET_SIZE,
  PROP_TIMEOUT,
  PROP_MAX_TIMEOUT,
  PROP_MDNS,
};

#define DEFAULT_MULTICAST_IFACE NULL
#define DEFAULT_PORT            AES67_SAP_PORT
#define DEFAULT_MAX_PACKET_SIZE AES67_SAP_DEFAULT_MAX_PACKET
#define DEFAULT_TIMEOUT         0
#define DEFAULT_MDNS            TRUE

struct _GstAes67SapBrowser
{
  GstObject parent;

  /* construct-only */
  gchar *iface;
  guint port;

  /* protected by the object lock */
  GstClock *clock;
  guint max_sessions;
  guint max_sessions_per_origin;
  guint max_packet_size;
  guint timeout;                /* s, 0: automatic */
  guint max_timeout;            /* s */
  gboolean mdns;
  GHashTable *sessions;         /* key -> Entry (owned) */
  GHashTable *by_hash;          /* hash_key -> Entry (not owned) */
  GHashTable *announcers;       /* origin -> Announcer (owned) */
  GHashTable *followed;         /* key -> count of follow calls */
  guint64 n_packets, n_malformed, n_encrypted, n_evicted, n_oversize;
  guint64 n_rejected;

  /* start/stop only (caller serialises) */
  GSocket *socket;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  guint8 *recv_buf;
  gchar *shared_key;            /* set when in the shared table */
  const Aes67DiscoveryBackend *mdns_backend;    /* when browsing with it */
  Aes67DiscoveryBrowse *mdns_browse;
};

static guint signals[LAST_SIGNAL];

G_DEFINE_TYPE_WITH_CODE (GstAes67SapBrowser, gst_aes67_sap_browser,
    GST_TYPE_OBJECT, GST_DEBUG_CATEGORY_INIT (sap_browser_debug,
        "aes67sapbrowser", 0, "AES67 SAP browser"));

static void
entry_free (Entry * e)
{
  gst_aes67_sap_session_unref (e->session);
  g_free (e->hash_key);
  g_free (e);
}

static void
announcer_free (Announcer * a)
{
  g_free (a->origin);
  g_free (a);
}

/* Call with the object lock held: takes @e out of its announcer's queue,
 * and forgets the announcer when that was its last session. */
static void
announcer_unlink_locked (GstAes67SapBrowser * self, Entry * e)
{
  Announcer *a = e->announcer;

  if (!a)
    return;
  g_queue_unlink (&a->entries, &e->link);
  e->announcer = NULL;
  if (g_queue_is_empty (&a->entries))
    g_hash_table_remove (self->announcers, a->origin);
}

/* Call with the object lock held: puts @e last (most recently announced)
 * in the queue of its session's origin. */
static void
announcer_link_locked (GstAes67SapBrowser * self, Entry * e)
{
  const gchar *origin = e->session->origin ? e->session->origin : "";
  Announcer *a = e->announcer;

  if (a && strcmp (a->origin, origin) == 0) {
    g_queue_unlink (&a->entries, &e->link);
    g_queue_push_tail_link (&a->entries, &e->link);
    return;
  }
  announcer_unlink_locked (self, e);
  a = g_hash_table_lookup (self->announcers, origin);
  if (!a) {
    a = g_new0 (Announcer, 1);
    a->origin = g_strdup (origin);
    g_queue_init (&a->entries);
    g_hash_table_insert (self->announcers, a->origin, a);
  }
  e->link.data = e;
  g_queue_push_tail_link (&a->entries, &e->link);
  e->announcer = a;
}

static void
event_add (GArray * events, guint sig, GstAes67SapSession * s, guint reason)
{
  Event ev = { sig, gst_aes67_sap_session_ref (s), reason };
  g_array_append_val (events, ev);
}

/* Emits and frees @events; call with no lock held. */
static void
events_emit (GstAes67SapBrowser * self, GArray * events)
{
  guint i;

  for (i = 0; i < events->len; i++) {
    Event *ev = &g_array_index (events, Event, i);

    if (ev->signal == SIGNAL_SESSION_REMOVED)
      g_signal_emit (self, signals[ev->signal], 0, ev->session, ev->reason);
    else
      g_signal_emit (self, signals[ev->signal], 0, ev->session);
    gst_aes67_sap_session_unref (ev->session);
  }
  g_array_free (events, TRUE);
}

/* Call with the object lock held: forgets @e's hash key (only if the table
 * still points at @e: another entry may have taken the same key). */
static void
unmap_hash_locked (GstAes67SapBrowser * self, Entry * e)
{
  if (e->hash_key && g_hash_table_lookup (self->by_hash, e->hash_key) == e)
    g_hash_table_remove (self->by_hash, e->hash_key);
  g_clear_pointer (&e->hash_key, g_free);
}

/* Call with the object lock held: maps @hkey (may be NULL) to @e. */
static void
map_hash_locked (GstAes67SapBrowser * self, Entry * e, const gchar * hkey)
{
  unmap_hash_locked (self, e);
  e->hash_key = g_strdup (hkey);
  /* replace, not insert: the table's key must be this entry's string, the
   * previous holder of the same key frees its own */
  if (e->hash_key)
    g_hash_table_replace (self->by_hash, e->hash_key, e);
}

/* Call with the object lock held. */
static void
remove_entry_locked (GstAes67SapBrowser * self, Entry * e, GArray * events,
    guint reason)
{
  GST_DEBUG_OBJECT (self, "session '%s' (%s) removed, reason %u",
      e->session->name, e->session->key, reason);
  event_add (events, SIGNAL_SESSION_REMOVED, e->session, reason);
  unmap_hash_locked (self, e);
  announcer_unlink_locked (self, e);
  g_hash_table_remove (self->sessions, e->session->key);
}

static GstClockTime
now_locked (GstAes67SapBrowser * self)
{
  return gst_clock_get_time (self->clock);
}

/* Call with the object lock held. */
static GstClockTime
entry_timeout_locked (GstAes67SapBrowser * self, Entry * e)
{
  GstClockTime cap = (GstClockTime) self->max_timeout * GST_SECOND;

  if (self->timeout)
    return (GstClockTime) self->timeout * GST_SECOND;
  if (!GST_CLOCK_TIME_IS_VALID (e->interval))
    return cap;
  return MIN (cap, GST_AES67_SAP_BROWSER_DEFAULT_TIMEOUT_FACTOR * e->interval);
}

static gchar *
make_hash_key (const gchar * from, guint16 hash)
{
  if (hash == 0)
    return NULL;
  return g_strdup_printf ("%s/%u", from ? from : "", hash);
}

/* Call with the object lock held: refreshes @e seen at @now. */
static void
entry_seen_locked (GstAes67SapBrowser * self, Entry * e, GstClockTime now)
{
  if (GST_CLOCK_TIME_IS_VALID (e->last_seen) && now > e->last_seen) {
    GstClockTime d = now - e->last_seen;
    if (!GST_CLOCK_TIME_IS_VALID (e->interval) || d > e->interval)
      e->interval = d;
  }
  e->last_seen = now;
  announcer_link_locked (self, e);
}

/* Call with the object lock held: @a's least recently announced session
 * that no receiver follows, or NULL. */
static Entry *
announcer_evictable_locked (GstAes67SapBrowser * self, Announcer * a)
{
  GList *l;

  for (l = a->entries.head; l; l = l->next) {
    Entry *e = l->data;
    if (!g_hash_table_contains (self->followed, e->session->key))
      return e;
  }
  return NULL;
}

/* Call with the object lock held: makes room for a new session from
 * @origin (NULL: unknown). FALSE when it cannot be kept: every session
 * that could make room is followed (or max-sessions is 0). */
static gboolean
admit_locked (GstAes67SapBrowser * self, const gchar * origin, GArray * events)
{
  Announcer *a;
  Entry *victim;

  if (self->max_sessions == 0)
    return FALSE;
  /* its own limit first: an announcer pushes out only its own sessions */
  a = g_hash_table_lookup (self->announcers, origin ? origin : "");
  while (a && g_queue_get_length (&a->entries) >= self->max_sessions_per_origin) {
    victim = announcer_evictable_locked (self, a);
    if (!victim)
      goto reject;
    self->n_evicted++;
    remove_entry_locked (self, victim, events, GST_AES67_SAP_REMOVED_EVICTED);
    a = g_hash_table_lookup (self->announcers, origin ? origin : "");
  }
  /* the table is full: the announcer with the most sessions gives one */
  while (g_hash_table_size (self->sessions) >= self->max_sessions) {
    GHashTableIter it;
    gpointer v;
    guint most = 0;

    victim = NULL;
    g_hash_table_iter_init (&it, self->announcers);
    while (g_hash_table_iter_next (&it, NULL, &v)) {
      Announcer *an = v;
      guint n = g_queue_get_length (&an->entries);
      Entry *e;

      if (n < most)
        continue;
      e = announcer_evictable_locked (self, an);
      if (e && (n > most || !victim || e->last_seen < victim->last_seen)) {
        victim = e;
        most = n;
      }
    }
    if (!victim)
      goto reject;
    self->n_evicted++;
    remove_entry_locked (self, victim, events, GST_AES67_SAP_REMOVED_EVICTED);
  }
  return TRUE;

reject:
  self->n_rejected++;
  return FALSE;
}

/* Call with the object lock held: a new entry for @s, seen at @now. */
static Entry *
add_entry_locked (GstAes67SapBrowser * self, GstAes67SapSession * s,
    GstClockTime now)
{
  Entry *e = g_new0 (Entry, 1);

  e->session = gst_aes67_sap_session_ref (s);
  e->last_seen = now;
  e->interval = GST_CLOCK_TIME_NONE;
  g_hash_table_insert (self->sessions, g_strdup (s->key), e);
  announcer_link_locked (self, e);
  return e;
}

void
gst_aes67_sap_browser_handle_packet (GstAes67SapBrowser * self,
    const guint8 * data, gsize len, const gchar * from)
{
  Aes67SapPacket pkt;
  GError *err = NULL;
  GArray *events = g_array_new (FALSE, FALSE, sizeof (Event));
  gchar *hkey = NULL;
  GstAes67SapSession *s = NULL;
  gchar *origin;
  Entry *e;
  GstClockTime now;
  guint max_packet;

  GST_OBJECT_LOCK (self);
  max_packet = self->max_packet_size;
  GST_OBJECT_UNLOCK (self);

  if (!aes67_sap_parse (data, len, max_packet, &pkt, &err)) {
    GST_DEBUG_OBJECT (self, "dropped a bad SAP packet from %s: %s",
        GST_STR_NULL (from), err->message);
    GST_OBJECT_LOCK (self);
    if (g_error_matches (err, AES67_SAP_ERROR, AES67_SAP_ERROR_TOO_LARGE))
      self->n_oversize++;
    else
      self->n_malformed++;
    GST_OBJECT_UNLOCK (self);
    g_clear_error (&err);
    goto done;
  }
  if (pkt.encrypted) {
    GST_DEBUG_OBJECT (self, "skipped an encrypted SAP packet from %s",
        GST_STR_NULL (from));
    GST_OBJECT_LOCK (self);
    self->n_encrypted++;
    GST_OBJECT_UNLOCK (self);
    goto done;
  }
  origin = aes67_sap_packet_origin_string (&pkt);
  hkey = make_hash_key (origin, pkt.msg_id_hash);

  if (pkt.type == AES67_SAP_DELETE) {
    GstSDPMessage *msg = NULL;
    gchar *key = NULL;

    gchar *version = NULL;

    /* the payload is the o= line or the whole SDP */
    msg = aes67_sdp_read_message (pkt.sdp, AES67_SDP_READ_ORIGIN_LINE, NULL);
    key = aes67_sdp_origin_key (msg);
    if (key)
      version = g_strdup (gst_sdp_message_get_origin (msg)->sess_version);
    if (msg)
      gst_sdp_message_free (msg);
    GST_OBJECT_LOCK (self);
    e = key ? g_hash_table_lookup (self->sessions, key) : NULL;
    if (e && version && g_strcmp0 (version,
            gst_sdp_message_get_origin (e->session->msg)->sess_version)) {
      /* it deletes an older version: the sender announced the new one
       * first (sapannounce does), the session goes on */
      GST_DEBUG_OBJECT (self, "ignored the deletion of version %s of '%s'",
          version, e->session->name);
      e = NULL;
    } else if (!e && !key && hkey) {
      e = g_hash_table_lookup (self->by_hash, hkey);
    }
    if (e)
      remove_entry_locked (self, e, events, GST_AES67_SAP_REMOVED_DELETED);
    GST_OBJECT_UNLOCK (self);
    g_free (key);
    g_free (version);
    g_free (origin);
    goto done;
  }

  /* fast path: a refresh of a known announcement */
  GST_OBJECT_LOCK (self);
  now = now_locked (self);
  e = hkey ? g_hash_table_lookup (self->by_hash, hkey) : NULL;
  if (e && strcmp (e->session->sdp, pkt.sdp) == 0) {
    entry_seen_locked (self, e, now);
    GST_OBJECT_UNLOCK (self);
    g_free (origin);
    goto done;
  }
  GST_OBJECT_UNLOCK (self);

  s = gst_aes67_sap_session_new (pkt.sdp, origin, pkt.msg_id_hash, &err);
  g_free (origin);
  if (!s) {
    GST_DEBUG_OBJECT (self, "dropped an announcement from %s: %s",
        GST_STR_NULL (from), err->message);
    g_clear_error (&err);
    GST_OBJECT_LOCK (self);
    self->n_malformed++;
    GST_OBJECT_UNLOCK (self);
    goto done;
  }

  GST_OBJECT_LOCK (self);
  now = now_locked (self);
  e = g_hash_table_lookup (self->sessions, s->key);
  if (e && strcmp (e->session->sdp, s->sdp) == 0) {
    /* same SDP, new hash or origin (hash 0, or the sender restarted) */
    entry_seen_locked (self, e, now);
    map_hash_locked (self, e, hkey);
  } else if (e) {
    GST_DEBUG_OBJECT (self, "session '%s' (%s) changed", s->name, s->key);
    gst_aes67_sap_session_unref (e->session);
    e->session = gst_aes67_sap_session_ref (s);
    /* (after the new session: its origin may be another announcer) */
    entry_seen_locked (self, e, now);
    map_hash_locked (self, e, hkey);
    event_add (events, SIGNAL_SESSION_CHANGED, s, 0);
  } else if (admit_locked (self, s->origin, events)) {
    GST_DEBUG_OBJECT (self, "session '%s' (%s) added", s->name, s->key);
    e = add_entry_locked (self, s, now);
    map_hash_locked (self, e, hkey);
    event_add (events, SIGNAL_SESSION_ADDED, s, 0);
  } else {
    GST_DEBUG_OBJECT (self, "session '%s' (%s) from %s not kept: the "
        "sessions that could make room are followed", s->name, s->key,
        GST_STR_NULL (s->origin));
  }
  GST_OBJECT_UNLOCK (self);

done:
  if (s)
    gst_aes67_sap_session_unref (s);
  g_free (hkey);
  aes67_sap_packet_clear (&pkt);
  /* counted once the tables hold its effect, and before the signals it
   * causes: a reader of the stats can wait on it, and a handler of
   * "session-added" finds the packet counted */
  GST_OBJECT_LOCK (self);
  self->n_packets++;
  GST_OBJECT_UNLOCK (self);
  events_emit (self, events);
}

/* A session found (@added) or gone with mDNS; the browser's thread */
static void
handle_mdns (GstAes67SapBrowser * self, const gchar * sdp,
    const gchar * origin, gboolean added)
{
  GArray *events = g_array_new (FALSE, FALSE, sizeof (Event));
  GstAes67SapSession *s;
  GError *err = NULL;
  Entry *e;

  s = gst_aes67_sap_session_new (sdp, origin, 0, &err);
  if (!s) {
    GST_DEBUG_OBJECT (self, "unusable SDP from mDNS: %s", err->message);
    g_clear_error (&err);
    g_array_free (events, TRUE);
    return;
  }
  GST_OBJECT_LOCK (self);
  e = g_hash_table_lookup (self->sessions, s->key);
  if (!added) {
    if (e && e->mdns)
      remove_entry_locked (self, e, events, GST_AES67_SAP_REMOVED_DELETED);
  } else if (e) {
    e->mdns = TRUE;
    if (strcmp (e->session->sdp, s->sdp) != 0) {
      gst_aes67_sap_session_unref (e->session);
      e->session = gst_aes67_sap_session_ref (s);
      event_add (events, SIGNAL_SESSION_CHANGED, s, 0);
    }
    e->last_seen = now_locked (self);
    announcer_link_locked (self, e);
  } else if (admit_locked (self, s->origin, events)) {
    e = add_entry_locked (self, s, now_locked (self));
    e->mdns = TRUE;
    GST_DEBUG_OBJECT (self, "session '%s' (%s) found with mDNS", s->name,
        s->key);
    event_add (events, SIGNAL_SESSION_ADDED, s, 0);
  }
  GST_OBJECT_UNLOCK (self);
  gst_aes67_sap_session_unref (s);
  events_emit (self, events);
}

enum
{ MDNS_REMOVED = 0, MDNS_FOUND = 1, MDNS_WARNING = -1 };

/* What the mDNS backend reported, handed from its thread to the browser's
 * own, so that every signal of the browser is emitted there (and the
 * backend's thread, which stop joins, never runs a handler) */
typedef struct
{
  GstAes67SapBrowser *self;     /* no reference: dispatched on the browser's
                                 * thread only, which stops before finalize */
  gint what;                    /* MDNS_FOUND, MDNS_REMOVED, MDNS_WARNING */
  gchar *sdp, *origin;          /* found, removed */
  gchar *name, *message;        /* warning */
} MdnsEvent;

static void
mdns_event_free (gpointer data)
{
  MdnsEvent *ev = data;

  g_free (ev->sdp);
  g_free (ev->origin);
  g_free (ev->name);
  g_free (ev->message);
  g_free (ev);
}

/* the browser's thread */
static gboolean
mdns_event_dispatch (gpointer data)
{
  MdnsEvent *ev = data;

  if (ev->what != MDNS_WARNING)
    handle_mdns (ev->self, ev->sdp, ev->origin, ev->what);
  else
    g_signal_emit (ev->self, signals[SIGNAL_WARNING], 0, ev->name, ev->message);
  return G_SOURCE_REMOVE;
}

/* the backend's thread */
static void
mdns_event_queue (GstAes67SapBrowser * self, MdnsEvent * ev)
{
  GSource *src = g_idle_source_new ();

  ev->self = self;
  g_source_set_callback (src, mdns_event_dispatch, ev, mdns_event_free);
  g_source_attach (src, self->context);
  g_source_unref (src);
}

/* the backend's thread: a session found or removed */
static void
mdns_session_queue (gpointer user_data, gint what,
    const Aes67DiscoveredSession * s)
{
  MdnsEvent *ev = g_new0 (MdnsEvent, 1);

  ev->what = what;
  ev->sdp = g_strdup (s->sdp);
  ev->origin = g_strdup (s->origin);
  mdns_event_queue (user_data, ev);
}

static void
on_mdns_found (const Aes67DiscoveredSession * s, gpointer user_data)
{
  mdns_session_queue (user_data, MDNS_FOUND, s);
}

static void
on_mdns_removed (const Aes67DiscoveredSession * s, gpointer user_data)
{
  mdns_session_queue (user_data, MDNS_REMOVED, s);
}

static void
on_mdns_warning (const gchar * name, const gchar * message, gpointer user_data)
{
  MdnsEvent *ev = g_new0 (MdnsEvent, 1);

  ev->what = MDNS_WARNING;
  ev->name = g_strdup (name);
  ev->message = g_strdup (message);
  mdns_event_queue (user_data, ev);
}

/* Built with the mDNS backend: browses with it (in the calling thread's
 * namespace) and merges what it finds. */
static void
start_mdns (GstAes67SapBrowser * self)
{
  static const Aes67DiscoveryBrowseFuncs funcs = {
    on_mdns_found, on_mdns_removed, on_mdns_warning
  };
  const Aes67DiscoveryBackend *b = aes67_discovery_backend_mdns ();
  Aes67DiscoveryBrowse *browse;
  GError *err = NULL;

  if (!b) {
    GST_DEBUG_OBJECT (self, "built without mDNS: SAP only");
    return;
  }
  browse = b->browse (&funcs, self, &err);
  if (!browse) {
    GST_INFO_OBJECT (self, "mDNS not available: %s; SAP only", err->message);
    g_clear_error (&err);
    return;
  }
  GST_OBJECT_LOCK (self);
  self->mdns_backend = b;
  self->mdns_browse = browse;
  GST_OBJECT_UNLOCK (self);
}

static void
stop_mdns (GstAes67SapBrowser * self)
{
  const Aes67DiscoveryBackend *b;
  Aes67DiscoveryBrowse *browse;

  GST_OBJECT_LOCK (self);
  b = self->mdns_backend;
  browse = self->mdns_browse;
  self->mdns_backend = NULL;
  self->mdns_browse = NULL;
  GST_OBJECT_UNLOCK (self);
  /* no callback after this */
  if (browse)
    b->browse_stop (browse);
}

gboolean
gst_aes67_sap_browser_has_mdns (GstAes67SapBrowser * self)
{
  gboolean has;

  GST_OBJECT_LOCK (self);
  has = self->mdns_browse != NULL;
  GST_OBJECT_UNLOCK (self);
  return has;
}

void
gst_aes67_sap_browser_check_timeouts (GstAes67SapBrowser * self)
{
  GArray *events = g_array_new (FALSE, FALSE, sizeof (Event));
  GHashTableIter it;
  gpointer v;
  GstClockTime now;
  GPtrArray *expired = g_ptr_array_new ();
  guint i;

  GST_OBJECT_LOCK (self);
  now = now_locked (self);
  g_hash_table_iter_init (&it, self->sessions);
  while (g_hash_table_iter_next (&it, NULL, &v)) {
    Entry *e = v;
    if (!e->mdns && now > e->last_seen
        && now - e->last_seen > entry_timeout_locked (self, e))
      g_ptr_array_add (expired, e);
  }
  for (i = 0; i < expired->len; i++)
    remove_entry_locked (self, g_ptr_array_index (expired, i), events,
        GST_AES67_SAP_REMOVED_TIMEOUT);
  GST_OBJECT_UNLOCK (self);
  g_ptr_array_free (expired, TRUE);
  events_emit (self, events);
}

GList *
gst_aes67_sap_browser_get_sessions (GstAes67SapBrowser * self)
{
  GList *l = NULL;
  GHashTableIter it;
  gpointer v;

  GST_OBJECT_LOCK (self);
  g_hash_table_iter_init (&it, self->sessions);
  while (g_hash_table_iter_next (&it, NULL, &v))
    l = g_list_prepend (l, gst_aes67_sap_session_ref (((Entry *) v)->session));
  GST_OBJECT_UNLOCK (self);
  return l;
}

GstAes67SapSession *
gst_aes67_sap_browser_find_by_name (GstAes67SapBrowser * self,
    const gchar * name)
{
  GHashTableIter it;
  gpointer v;
  Entry *best = NULL;
  GstAes67SapSession *s = NULL;

  g_return_val_if_fail (name != NULL, NULL);
  GST_OBJECT_LOCK (self);
  g_hash_table_iter_init (&it, self->sessions);
  while (g_hash_table_iter_next (&it, NULL, &v)) {
    Entry *e = v;
    if (strcmp (e->session->name, name) == 0
        && (!best || e->last_seen > best->last_seen))
      best = e;
  }
  if (best)
    s = gst_aes67_sap_session_ref (best->session);
  GST_OBJECT_UNLOCK (self);
  return s;
}

void
gst_aes67_sap_browser_follow (GstAes67SapBrowser * self, const gchar * key)
{
  guint n;

  g_return_if_fail (GST_IS_AES67_SAP_BROWSER (self));
  g_return_if_fail (key != NULL);
  GST_OBJECT_LOCK (self);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (self->followed, key));
  if (n == 0)
    g_hash_table_insert (self->followed, g_strdup (key), GUINT_TO_POINTER (1));
  else
    g_hash_table_replace (self->followed, g_strdup (key),
        GUINT_TO_POINTER (n + 1));
  GST_OBJECT_UNLOCK (self);
  GST_DEBUG_OBJECT (self, "session %s followed (%u)", key, n + 1);
}

void
gst_aes67_sap_browser_unfollow (GstAes67SapBrowser * self, const gchar * key)
{
  guint n;

  g_return_if_fail (GST_IS_AES67_SAP_BROWSER (self));
  g_return_if_fail (key != NULL);
  GST_OBJECT_LOCK (self);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (self->followed, key));
  if (n > 1)
    g_hash_table_replace (self->followed, g_strdup (key),
        GUINT_TO_POINTER (n - 1));
  else
    g_hash_table_remove (self->followed, key);
  GST_OBJECT_UNLOCK (self);
  if (n == 0)
    GST_WARNING_OBJECT (self, "session %s was not followed", key);
}

GstStructure *
gst_aes67_sap_browser_get_stats (GstAes67SapBrowser * self)
{
  GstStructure *st;

  GST_OBJECT_LOCK (self);
  st = gst_structure_new ("sap-browser-stats",
      "packets", G_TYPE_UINT64, self->n_packets,
      "malformed", G_TYPE_UINT64, self->n_malformed,
      "encrypted", G_TYPE_UINT64, self->n_encrypted,
      "evicted", G_TYPE_UINT64, self->n_evicted,
      "oversize", G_TYPE_UINT64, self->n_oversize,
      "rejected", G_TYPE_UINT64, self->n_rejected,
      "sessions", G_TYPE_UINT, g_hash_table_size (self->sessions),
      "announcers", G_TYPE_UINT, g_hash_table_size (self->announcers),
      "followed", G_TYPE_UINT, g_hash_table_size (self->followed), NULL);
  GST_OBJECT_UNLOCK (self);
  return st;
}

static gboolean
on_socket_readable (GSocket * socket, GIOCondition cond, gpointer user_data)
{
  GstAes67SapBrowser *self = user_data;
  guint i;

  /* drain, a bounded number per wake so the timer still runs */
  for (i = 0; i < 256; i++) {
    GSocketAddress *from = NULL;
    GError *err = NULL;
    gchar *from_str = NULL;
    gssize n;

    n = g_socket_receive_from (socket, &from, (gchar *) self->recv_buf,
        65536, NULL, &err);
    if (n < 0) {
      if (!g_error_matches (err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        GST_WARNING_OBJECT (self, "receive failed: %s", err->message);
      g_clear_error (&err);
      break;
    }
    if (G_IS_INET_SOCKET_ADDRESS (from))
      from_str = g_inet_address_to_string (g_inet_socket_address_get_address
          (G_INET_SOCKET_ADDRESS (from)));
    gst_aes67_sap_browser_handle_packet (self, self->recv_buf, n, from_str);
    g_free (from_str);
    g_clear_object (&from);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_tick (gpointer user_data)
{
  gst_aes67_sap_browser_check_timeouts (user_data);
  return G_SOURCE_CONTINUE;
}

static gpointer
browser_thread (gpointer user_data)
{
  GstAes67SapBrowser *self = user_data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

GstAes67SapBrowser *
gst_aes67_sap_browser_new (const gchar * iface, guint port)
{
  return g_object_new (GST_TYPE_AES67_SAP_BROWSER, "multicast-iface", iface,
      "port", port ? port : AES67_SAP_PORT, NULL);
}

gboolean
gst_aes67_sap_browser_start (GstAes67SapBrowser * self, GError ** error)
{
  static const gchar *groups[] = { AES67_SAP_ADDRESS_AES67,
    AES67_SAP_ADDRESS_GLOBAL
  };
  GSocket *sock;
  GInetAddress *any;
  GSocketAddress *bind_addr;
  GSource *src;
  gboolean mdns;
  guint i;

  g_return_val_if_fail (self->thread == NULL, FALSE);

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, error);
  if (!sock)
    return FALSE;
  any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  bind_addr = g_inet_socket_address_new (any, self->port);
  g_object_unref (any);
  /* SO_REUSEADDR: PipeWire or another browser may listen on 9875 too */
  if (!g_socket_bind (sock, bind_addr, TRUE, error)) {
    g_prefix_error (error, "cannot bind UDP port %u for SAP: ", self->port);
    g_object_unref (bind_addr);
    g_object_unref (sock);
    return FALSE;
  }
  g_object_unref (bind_addr);
  /* room for a burst of announcements */
  g_socket_set_option (sock, SOL_SOCKET, SO_RCVBUF, 1 << 20, NULL);
  for (i = 0; i < G_N_ELEMENTS (groups); i++) {
    GInetAddress *g = g_inet_address_new_from_string (groups[i]);
    gboolean ok = g_socket_join_multicast_group (sock, g, FALSE, self->iface,
        error);

    g_object_unref (g);
    if (!ok) {
      g_prefix_error (error, "cannot join SAP group %s on %s: ", groups[i],
          self->iface ? self->iface : "the default interface");
      g_object_unref (sock);
      return FALSE;
    }
  }
  g_socket_set_blocking (sock, FALSE);

  self->socket = sock;
  self->recv_buf = g_malloc (65536);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  src = g_socket_create_source (sock, G_IO_IN, NULL);
  g_source_set_callback (src, G_SOURCE_FUNC (on_socket_readable), self, NULL);
  g_source_attach (src, self->context);
  g_source_unref (src);
  src = g_timeout_source_new_seconds (1);
  g_source_set_callback (src, on_tick, self, NULL);
  g_source_attach (src, self->context);
  g_source_unref (src);
  GST_OBJECT_LOCK (self);
  mdns = self->mdns;
  GST_OBJECT_UNLOCK (self);
  if (mdns)
    start_mdns (self);
  self->thread = g_thread_new ("sap-browser", browser_thread, self);
  GST_INFO_OBJECT (self, "listening on port %u of %s", self->port,
      self->iface ? self->iface : "the default interface");
  return TRUE;
}

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
stop_internal (GstAes67SapBrowser * self, gboolean emit)
{
  GArray *events = g_array_new (FALSE, FALSE, sizeof (Event));

  /* no mDNS session arrives after this */
  stop_mdns (self);
  if (self->thread) {
    /* quit from inside the loop: a quit before g_main_loop_run() started
     * would be forgotten */
    GSource *src = g_idle_source_new ();
    g_source_set_callback (src, quit_loop, self->loop, NULL);
    g_source_attach (src, self->context);
    g_source_unref (src);
    if (self->thread == g_thread_self ()) {
      g_critical ("the last reference of a SAP browser was dropped in one "
          "of its own signal handlers");
      g_thread_unref (self->thread);
    } else {
      g_thread_join (self->thread);
    }
    self->thread = NULL;
    g_main_loop_unref (self->loop);
    self->loop = NULL;
    g_main_context_unref (self->context);
    self->context = NULL;
    g_socket_close (self->socket, NULL);
    g_clear_object (&self->socket);
    g_clear_pointer (&self->recv_buf, g_free);
  }
  GST_OBJECT_LOCK (self);
  while (g_hash_table_size (self->sessions) > 0) {
    GHashTableIter it;
    gpointer v;

    g_hash_table_iter_init (&it, self->sessions);
    g_hash_table_iter_next (&it, NULL, &v);
    remove_entry_locked (self, v, events, GST_AES67_SAP_REMOVED_STOPPED);
  }
  GST_OBJECT_UNLOCK (self);
  if (emit) {
    events_emit (self, events);
  } else {
    guint i;
    for (i = 0; i < events->len; i++)
      gst_aes67_sap_session_unref (g_array_index (events, Event, i).session);
    g_array_free (events, TRUE);
  }
}

void
gst_aes67_sap_browser_stop (GstAes67SapBrowser * self)
{
  stop_internal (self, TRUE);
}

/* ---------- the shared browsers ---------- */

static GMutex shared_lock;
static GHashTable *shared_table;        /* key -> GWeakRef* */

static void
weak_ref_free (GWeakRef * r)
{
  g_weak_ref_clear (r);
  g_free (r);
}

GstAes67SapBrowser *
gst_aes67_sap_browser_get_shared (const gchar * iface, guint port,
    GError ** error)
{
  gchar *key;
  GWeakRef *ref;
  GstAes67SapBrowser *b = NULL;

  if (port == 0)
    port = AES67_SAP_PORT;
  key = g_strdup_printf ("%s|%u", iface ? iface : "", port);
  g_mutex_lock (&shared_lock);
  if (!shared_table)
    shared_table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
        (GDestroyNotify) weak_ref_free);
  ref = g_hash_table_lookup (shared_table, key);
  if (ref)
    b = g_weak_ref_get (ref);
  if (!b) {
    b = gst_aes67_sap_browser_new (iface, port);
    if (!gst_aes67_sap_browser_start (b, error)) {
      gst_object_unref (b);
      b = NULL;
    } else {
      ref = g_new0 (GWeakRef, 1);
      g_weak_ref_init (ref, b);
      b->shared_key = g_strdup (key);
      g_hash_table_replace (shared_table, g_strdup (key), ref);
    }
  }
  g_mutex_unlock (&shared_lock);
  g_free (key);
  return b;
}

/* ---------- GObject ---------- */

static void
gst_aes67_sap_browser_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstAes67SapBrowser *self = GST_AES67_SAP_BROWSER (object);

  switch (prop_id) {
    case PROP_MULTICAST_IFACE:
      g_free (self->iface);
      self->iface = g_value_dup_string (value);
      break;
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_CLOCK:{
      GstClock *c = g_value_dup_object (value);
      GST_OBJECT_LOCK (self);
      if (!c)
        c = gst_system_clock_obtain ();
      gst_object_replace ((GstObject **) & self->clock, (GstObject *) c);
      GST_OBJECT_UNLOCK (self);
      gst_object_unref (c);
      break;
    }
    case PROP_MAX_SESSIONS:
      GST_OBJECT_LOCK (self);
      self->max_sessions = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_SESSIONS_PER_ORIGIN:
      GST_OBJECT_LOCK (self);
      self->max_sessions_per_origin = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_PACKET_SIZE:
      GST_OBJECT_LOCK (self);
      self->max_packet_size = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_TIMEOUT:
      GST_OBJECT_LOCK (self);
      self->timeout = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_TIMEOUT:
      GST_OBJECT_LOCK (self);
      self->max_timeout = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MDNS:
      GST_OBJECT_LOCK (self);
      self->mdns = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_aes67_sap_browser_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstAes67SapBrowser *self = GST_AES67_SAP_BROWSER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MULTICAST_IFACE:
      g_value_set_string (value, self->iface);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;
    case PROP_MAX_SESSIONS:
      g_value_set_uint (value, self->max_sessions);
      break;
    case PROP_MAX_SESSIONS_PER_ORIGIN:
      g_value_set_uint (value, self->max_sessions_per_origin);
      break;
    case PROP_MAX_PACKET_SIZE:
      g_value_set_uint (value, self->max_packet_size);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_MAX_TIMEOUT:
      g_value_set_uint (value, self->max_timeout);
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

static gpointer
unref_on_own_thread (gpointer object)
{
  gst_object_unref (object);
  return NULL;
}

/* The thread is stopped here, while the object is still whole, so a
 * callback running on it finishes before finalize.
 *
 * The last reference can go on the browser's own thread: a consumer lets
 * go of the shared browser (on its thread) while a signal emission on the
 * browser's thread holds GLib's temporary reference, which is then the
 * last. That thread cannot join itself, and returning into its callbacks
 * after finalize would use freed memory. So the object keeps itself alive
 * (a reference taken in dispose, as GObject allows) and a short-lived
 * thread drops it again: that second dispose stops the browser's thread
 * once its callback returned, and finalize follows. (The mDNS backend's
 * thread emits nothing: what it finds is handed to the browser's thread.) */
static void
gst_aes67_sap_browser_dispose (GObject * object)
{
  GstAes67SapBrowser *self = GST_AES67_SAP_BROWSER (object);

  if (self->thread && self->thread == g_thread_self ()) {
    GST_DEBUG_OBJECT (self, "last reference went on the browser's thread: "
        "stopping from another one");
    g_thread_unref (g_thread_new ("sap-browser-unref", unref_on_own_thread,
            g_object_ref (object)));
    return;
  }
  stop_internal (self, FALSE);
  G_OBJECT_CLASS (gst_aes67_sap_browser_parent_class)->dispose (object);
}

static void
gst_aes67_sap_browser_finalize (GObject * object)
{
  GstAes67SapBrowser *self = GST_AES67_SAP_BROWSER (object);

  if (self->shared_key) {
    GWeakRef *ref;
    GObject *cur;

    g_mutex_lock (&shared_lock);
    ref = g_hash_table_lookup (shared_table, self->shared_key);
    /* the weak ref already reads NULL; drop the entry unless replaced */
    cur = ref ? g_weak_ref_get (ref) : NULL;
    if (ref && !cur)
      g_hash_table_remove (shared_table, self->shared_key);
    if (cur)
      g_object_unref (cur);
    g_mutex_unlock (&shared_lock);
    g_free (self->shared_key);
  }
  g_hash_table_destroy (self->by_hash);
  g_hash_table_destroy (self->sessions);
  g_hash_table_destroy (self->announcers);
  g_hash_table_destroy (self->followed);
  gst_object_unref (self->clock);
  g_free (self->iface);
  G_OBJECT_CLASS (gst_aes67_sap_browser_parent_class)->finalize (object);
}

static void
gst_aes67_sap_browser_class_init (GstAes67SapBrowserClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->set_property = gst_aes67_sap_browser_set_property;
  gobject_class->get_property = gst_aes67_sap_browser_get_property;
  gobject_class->dispose = gst_aes67_sap_browser_dispose;
  gobject_class->finalize = gst_aes67_sap_browser_finalize;

  g_object_class_install_property (gobject_class, PROP_MULTICAST_IFACE,
      g_param_spec_string ("multicast-iface", "Multicast interface",
          "Network interface to join the SAP groups on (NULL: the one of "
          "the route to 239.255.255.255)", DEFAULT_MULTICAST_IFACE,
          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_PORT,
      g_param_spec_uint ("port", "Port", "UDP port SAP is received on",
          1, 65535, DEFAULT_PORT,
          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_CLOCK,
      g_param_spec_object ("clock", "Clock",
          "Clock session times are read from (NULL: the system clock)",
          GST_TYPE_CLOCK, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_MAX_SESSIONS,
      g_param_spec_uint ("max-sessions", "Maximum sessions",
          "Most sessions kept in all (sessions); when full, a new one evicts "
          "the least recently announced session of the announcer that has "
          "the most, never one a receiver follows", 0, G_MAXINT,
          GST_AES67_SAP_BROWSER_DEFAULT_MAX_SESSIONS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class,
      PROP_MAX_SESSIONS_PER_ORIGIN,
      g_param_spec_uint ("max-sessions-per-origin",
          "Maximum sessions per announcer",
          "Most sessions kept from one "
          "announcer, by SAP originating source (sessions); its new one then "
          "evicts its own least recently announced, never one a receiver "
          "follows", 1, G_MAXINT,
          GST_AES67_SAP_BROWSER_DEFAULT_MAX_SESSIONS_PER_ORIGIN,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_MAX_PACKET_SIZE,
      g_param_spec_uint ("max-packet-size", "Maximum packet size",
          "Larger SAP packets are dropped unread (bytes)", 64, 65535,
          DEFAULT_MAX_PACKET_SIZE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_TIMEOUT,
      g_param_spec_uint ("timeout", "Timeout",
          "Remove a session not announced for this long (s); 0: 10 times "
          "its announcement interval, at most max-timeout", 0, G_MAXINT,
          DEFAULT_TIMEOUT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_MAX_TIMEOUT,
      g_param_spec_uint ("max-timeout", "Maximum timeout",
          "Longest a session lives without announcement (s)", 1, G_MAXINT,
          GST_AES67_SAP_BROWSER_DEFAULT_MAX_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (gobject_class, PROP_MDNS,
      g_param_spec_boolean ("mdns", "mDNS too",
          "Also list RAVENNA sessions found with mDNS (needs a build with "
          "libavahi-client and avahi-daemon; read at start)", DEFAULT_MDNS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstAes67SapBrowser::session-added:
   * @session: (transfer none): the new GstAes67SapSession
   */
  signals[SIGNAL_SESSION_ADDED] = g_signal_new ("session-added",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_TYPE_AES67_SAP_SESSION);
  /**
   * GstAes67SapBrowser::session-changed:
   * @session: (transfer none): the session with its new SDP (same key)
   */
  signals[SIGNAL_SESSION_CHANGED] = g_signal_new ("session-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_TYPE_AES67_SAP_SESSION);
  /**
   * GstAes67SapBrowser::session-removed:
   * @session: (transfer none): the session that left
   * @reason: a GstAes67SapRemoveReason
   */
  signals[SIGNAL_SESSION_REMOVED] = g_signal_new ("session-removed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, GST_TYPE_AES67_SAP_SESSION, G_TYPE_UINT);
  /**
   * GstAes67SapBrowser::warning:
   * @session_name: (nullable): the session it is about, or NULL
   * @message: what went wrong, a sentence without final stop
   *
   * A warning of a discovery backend (mDNS: a session found whose SDP
   * cannot be fetched, avahi-daemon gone), from the browser's thread.
   */
  signals[SIGNAL_WARNING] = g_signal_new ("warning",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
gst_aes67_sap_browser_init (GstAes67SapBrowser * self)
{
  self->port = DEFAULT_PORT;
  self->clock = gst_system_clock_obtain ();
  self->max_sessions = GST_AES67_SAP_BROWSER_DEFAULT_MAX_SESSIONS;
  self->max_sessions_per_origin =
      GST_AES67_SAP_BROWSER_DEFAULT_MAX_SESSIONS_PER_ORIGIN;
  self->max_packet_size = DEFAULT_MAX_PACKET_SIZE;
  self->timeout = DEFAULT_TIMEOUT;
  self->max_timeout = GST_AES67_SAP_BROWSER_DEFAULT_MAX_TIMEOUT;
  self->mdns = DEFAULT_MDNS;
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) entry_free);
  self->by_hash = g_hash_table_new (g_str_hash, g_str_equal);
  self->announcers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) announcer_free);
  self->followed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
}
