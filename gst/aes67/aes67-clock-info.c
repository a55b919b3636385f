/* gst-aes67: what a pipeline clock says about PTP, for SDP writers
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

#include "aes67-clock-info.h"
#include "aes67-ptp-mgmt.h"
#include "gstaes67ptpclock.h"

#include <string.h>
#include <gst/net/gstptpclock.h>

gboolean
aes67_clock_get_ptp_info (GstClock * clock, gchar ** gm_id, guint * domain,
    gboolean * synced)
{
  gchar *id = NULL;
  guint dom = 0;
  gboolean sync = FALSE, ret = FALSE;

  if (clock && GST_IS_AES67_PTP_CLOCK (clock)) {
    GstAes67PtpClock *c = GST_AES67_PTP_CLOCK (clock);

    if (gst_aes67_ptp_clock_get_backend_in_use (c) !=
        GST_AES67_PTP_BACKEND_SYSTEM) {
      ret = TRUE;
      dom = gst_aes67_ptp_clock_get_domain (c);
      sync = gst_aes67_ptp_clock_is_locked (c);
      id = gst_aes67_ptp_clock_dup_grandmaster_id (c);
    }
  } else if (clock && GST_IS_PTP_CLOCK (clock)) {
    guint64 gm = 0;
    guint8 b[8];
    gint i;

    ret = TRUE;
    g_object_get (clock, "grandmaster-clock-id", &gm, "domain", &dom, NULL);
    sync = gst_clock_is_synced (clock);
    if (gm != 0) {
      gchar s[24];

      for (i = 0; i < 8; i++)
        b[i] = (guint8) (gm >> (56 - 8 * i));
      aes67_ptp_format_clock_identity (b, s);
      id = g_strdup (s);
    }
  }

  if (gm_id)
    *gm_id = id;
  else
    g_free (id);
  if (domain)
    *domain = dom;
  if (synced)
    *synced = sync;
  return ret;
}

typedef struct
{
  Aes67ClockPtpChangedFunc func;
  gpointer user_data;
} Watch;

static void
watch_free (gpointer data, GClosure * closure)
{
  g_free (data);
}

static void
on_notify (GObject * obj, GParamSpec * pspec, gpointer data)
{
  Watch *w = data;

  if (strcmp (pspec->name, "grandmaster-id") == 0
      || strcmp (pspec->name, "synced") == 0)
    w->func (GST_CLOCK (obj), w->user_data);
}

static void
on_synced (GstClock * clock, gboolean synced, gpointer data)
{
  Watch *w = data;

  w->func (clock, w->user_data);
}

gulong
aes67_clock_watch_ptp_info (GstClock * clock, Aes67ClockPtpChangedFunc func,
    gpointer user_data)
{
  Watch *w;

  g_return_val_if_fail (func != NULL, 0);
  if (!aes67_clock_get_ptp_info (clock, NULL, NULL, NULL))
    return 0;
  w = g_new0 (Watch, 1);
  w->func = func;
  w->user_data = user_data;
  if (GST_IS_AES67_PTP_CLOCK (clock))
    return g_signal_connect_data (clock, "notify", G_CALLBACK (on_notify), w,
        watch_free, 0);
  return g_signal_connect_data (clock, "synced", G_CALLBACK (on_synced), w,
      watch_free, 0);
}

void
aes67_clock_unwatch_ptp_info (GstClock * clock, gulong handle)
{
  if (clock && handle)
    g_signal_handler_disconnect (clock, handle);
}
