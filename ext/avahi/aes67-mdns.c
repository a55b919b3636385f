/* gst-aes67: RAVENNA session publishing and browsing on libavahi-client
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "aes67-mdns.h"

#include <gio/gio.h>
#include <gst/gst.h>
#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-client/publish.h>
#include <avahi-common/error.h>
#include <avahi-common/thread-watch.h>

GST_DEBUG_CATEGORY_STATIC (aes67_mdns_debug);
#define GST_CAT_DEFAULT aes67_mdns_debug

struct _Aes67Mdns
{
  AvahiThreadedPoll *poll;
  AvahiClient *client;
  /* name -> AvahiEntryGroup; under the poll lock */
  GHashTable *groups;
  AvahiServiceBrowser *browser;
  Aes67MdnsFunc func;
  gpointer user_data;
  Aes67MdnsWarningFunc warn;
  gpointer warn_data;
};

/* One published session: its entry group and name */
typedef struct
{
  Aes67Mdns *mdns;
  gchar *name;
  AvahiEntryGroup *group;
} Group;

static void
warn (Aes67Mdns * self, const gchar * name, const gchar * message)
{
  GST_WARNING ("%s", message);
  if (self->warn)
    self->warn (name, message, self->warn_data);
}

static void
client_cb (AvahiClient * c, AvahiClientState state, void *data)
{
  Aes67Mdns *self = data;

  GST_DEBUG ("avahi client state %d", state);
  /* during avahi_client_new () the client is not ours yet */
  if (!self->client)
    return;
  if (state == AVAHI_CLIENT_FAILURE)
    warn (self, NULL, "the connection to avahi-daemon was lost (the daemon "
        "stopped?): sessions are no longer published or browsed with mDNS");
  else if (state == AVAHI_CLIENT_S_COLLISION)
    warn (self, NULL, "this host's mDNS host name collides with another "
        "host's: avahi-daemon is choosing a new one");
}

static void
group_free (gpointer data)
{
  Group *g = data;

  if (g->group)
    avahi_entry_group_free (g->group);
  g_free (g->name);
  g_free (g);
}

Aes67Mdns *
aes67_mdns_new (GError ** error)
{
  static gsize once = 0;
  Aes67Mdns *self;
  int err = 0;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (aes67_mdns_debug, "aes67mdns", 0, "RAVENNA mDNS");
    g_once_init_leave (&once, 1);
  }
  self = g_new0 (Aes67Mdns, 1);
  self->poll = avahi_threaded_poll_new ();
  if (!self->poll) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "cannot make an avahi poll");
    g_free (self);
    return NULL;
  }
  self->client = avahi_client_new (avahi_threaded_poll_get (self->poll), 0,
      client_cb, self, &err);
  if (!self->client) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "cannot reach avahi-daemon: %s", avahi_strerror (err));
    avahi_threaded_poll_free (self->poll);
    g_free (self);
    return NULL;
  }
  self->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      group_free);
  avahi_threaded_poll_start (self->poll);
  return self;
}

void
aes67_mdns_set_warning_func (Aes67Mdns * self, Aes67MdnsWarningFunc func,
    gpointer user_data)
{
  avahi_threaded_poll_lock (self->poll);
  self->warn = func;
  self->warn_data = user_data;
  avahi_threaded_poll_unlock (self->poll);
}

void
aes67_mdns_free (Aes67Mdns * self)
{
  if (!self)
    return;
  avahi_threaded_poll_stop (self->poll);
  /* the poll thread is stopped: no lock needed */
  if (self->browser)
    avahi_service_browser_free (self->browser);
  g_hash_table_destroy (self->groups);
  avahi_client_free (self->client);
  avahi_threaded_poll_free (self->poll);
  g_free (self);
}

static void
group_cb (AvahiEntryGroup * g, AvahiEntryGroupState state, void *data)
{
  Group *grp = data;
  gchar *msg;

  if (state == AVAHI_ENTRY_GROUP_COLLISION) {
    msg = g_strdup_printf ("mDNS name collision: another device publishes "
        "a session named '%s', so this one is not published with mDNS; "
        "give the session another name", grp->name);
    warn (grp->mdns, grp->name, msg);
    g_free (msg);
  } else if (state == AVAHI_ENTRY_GROUP_FAILURE) {
    msg = g_strdup_printf ("publishing session '%s' with mDNS failed: %s",
        grp->name, avahi_strerror (avahi_client_errno (grp->mdns->client)));
    warn (grp->mdns, grp->name, msg);
    g_free (msg);
  } else if (state == AVAHI_ENTRY_GROUP_ESTABLISHED) {
    GST_DEBUG ("mDNS service '%s' established", grp->name);
  }
}

gboolean
aes67_mdns_publish (Aes67Mdns * self, const gchar * name, guint16 port,
    GError ** error)
{
  AvahiEntryGroup *g;
  Group *grp;
  int ret;

  avahi_threaded_poll_lock (self->poll);
  g_hash_table_remove (self->groups, name);
  grp = g_new0 (Group, 1);
  grp->mdns = self;
  grp->name = g_strdup (name);
  g = avahi_entry_group_new (self->client, group_cb, grp);
  if (!g) {
    ret = avahi_client_errno (self->client);
    group_free (grp);
    goto fail;
  }
  ret = avahi_entry_group_add_service (g, AVAHI_IF_UNSPEC, AVAHI_PROTO_INET,
      0, name, AES67_MDNS_TYPE, NULL, NULL, port, NULL);
  if (ret >= 0)
    ret = avahi_entry_group_add_service_subtype (g, AVAHI_IF_UNSPEC,
        AVAHI_PROTO_INET, 0, name, AES67_MDNS_TYPE, NULL, AES67_MDNS_SUBTYPE);
  if (ret >= 0)
    ret = avahi_entry_group_commit (g);
  if (ret < 0) {
    avahi_entry_group_free (g);
    group_free (grp);
    goto fail;
  }
  grp->group = g;
  g_hash_table_insert (self->groups, g_strdup (name), grp);
  avahi_threaded_poll_unlock (self->poll);
  GST_INFO ("published session '%s' on RTSP port %u", name, port);
  return TRUE;

fail:
  avahi_threaded_poll_unlock (self->poll);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
      "cannot publish session '%s' with mDNS: %s", name, avahi_strerror (ret));
  return FALSE;
}

void
aes67_mdns_unpublish (Aes67Mdns * self, const gchar * name)
{
  avahi_threaded_poll_lock (self->poll);
  g_hash_table_remove (self->groups, name);
  avahi_threaded_poll_unlock (self->poll);
}

static void
resolve_cb (AvahiServiceResolver * r, AvahiIfIndex iface,
    AvahiProtocol proto, AvahiResolverEvent event, const char *name,
    const char *type, const char *domain, const char *host,
    const AvahiAddress * a, uint16_t port, AvahiStringList * txt,
    AvahiLookupResultFlags flags, void *data)
{
  Aes67Mdns *self = data;

  if (event == AVAHI_RESOLVER_FOUND && a && a->proto == AVAHI_PROTO_INET) {
    gchar addr[AVAHI_ADDRESS_STR_MAX];

    avahi_address_snprint (addr, sizeof (addr), a);
    GST_DEBUG ("session '%s' at %s (%s) port %u", name, host, addr, port);
    self->func (name, host, addr, port, TRUE, self->user_data);
  } else if (event == AVAHI_RESOLVER_FAILURE) {
    GST_DEBUG ("cannot resolve session '%s'", name);
  }
  avahi_service_resolver_free (r);
}

static void
browse_cb (AvahiServiceBrowser * b, AvahiIfIndex iface, AvahiProtocol proto,
    AvahiBrowserEvent event, const char *name, const char *type,
    const char *domain, AvahiLookupResultFlags flags, void *data)
{
  Aes67Mdns *self = data;

  switch (event) {
    case AVAHI_BROWSER_NEW:
      /* freed in resolve_cb */
      if (!avahi_service_resolver_new (self->client, iface, proto, name,
              type, domain, AVAHI_PROTO_INET, 0, resolve_cb, self))
        GST_WARNING ("cannot resolve '%s': %s", name,
            avahi_strerror (avahi_client_errno (self->client)));
      break;
    case AVAHI_BROWSER_REMOVE:
      self->func (name, NULL, NULL, 0, FALSE, self->user_data);
      break;
    default:
      break;
  }
}

gboolean
aes67_mdns_browse (Aes67Mdns * self, Aes67MdnsFunc func, gpointer user_data,
    GError ** error)
{
  avahi_threaded_poll_lock (self->poll);
  self->func = func;
  self->user_data = user_data;
  self->browser = avahi_service_browser_new (self->client, AVAHI_IF_UNSPEC,
      AVAHI_PROTO_INET, AES67_MDNS_SUBTYPE, NULL, 0, browse_cb, self);
  avahi_threaded_poll_unlock (self->poll);
  if (!self->browser) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "cannot browse for RAVENNA sessions: %s",
        avahi_strerror (avahi_client_errno (self->client)));
    return FALSE;
  }
  return TRUE;
}
