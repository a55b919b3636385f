/* gst-aes67: ptpclock, an element that gives its pipeline a PTP clock
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-ptpclock
 * @title: ptpclock
 * @see_also: #GstAes67PtpClock, #GstPtpClock, aes67sink, aes67src
 *
 * An element with no pads that makes the pipeline it is in run on PTP time,
 * so that an AES67 sender stamps its packets with the grandmaster's time and
 * receivers can align them. Put it anywhere in the pipeline:
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 ptpclock domain=0 audiotestsrc is-live=true ! autoaudiosink
 * ]| runs on the PTP clock of domain 0 (from ptp4l if one runs with the default
 * /var/run/ptp4l socket, else GStreamer's PTP client, else, after
 * sync-timeout seconds, the system clock).
 * |[
 * gst-launch-1.0 ptpclock backend=linuxptp uds-path=/var/run/ptp4l \
 *     audiotestsrc is-live=true ! fakesink sync=true
 * ]|
 *
 * How the clock gets picked: going from READY to PAUSED, ptpclock waits up
 * to #ptpclock:sync-timeout seconds for its clock to lock, then forces it on
 * the top-level pipeline with gst_pipeline_use_clock(), so it wins over any
 * audio sink's clock; it also provides the clock (GST_ELEMENT_FLAG_PROVIDE_CLOCK)
 * for bins that are not pipelines. Going back to NULL it lets the pipeline
 * choose its clock again.
 *
 * Backends (#ptpclock:backend): linuxptp reads the clock a running ptp4l
 * (and phc2sys) discipline and asks ptp4l for its state over the management
 * socket; internal runs GStreamer's own PTP client on #ptpclock:interface;
 * system uses the system clock and claims no PTP. auto takes linuxptp when a
 * ptp4l answers on #ptpclock:uds-path for #ptpclock:domain, else internal,
 * and falls back to system when nothing locks within #ptpclock:sync-timeout.
 * A PTP backend that loses its grandmaster keeps the pipeline running on the
 * free-running clock (with a warning) and locks again when it returns.
 *
 * The clock is made when the element leaves NULL: `backend`, `domain`,
 * `interface`, `uds-path` and `phc-device` are read then; set in READY or
 * later they post a warning and take effect at the next start from NULL.
 *
 * ## Bus messages
 * An element message named `ptp-clock-status`, posted when the clock locks,
 * when it loses its grandmaster, when the grandmaster changes, and once at
 * the end of the READY to PAUSED wait if it has not locked by then:
 *
 * - `event` (string): `locked`, `lost`, `grandmaster-changed` (locked to
 *   another grandmaster than the one before, whether or not a `lost` came
 *   in between, as when ptp4l switches masters), `no-lock`
 *   (a PTP backend that has not locked within sync-timeout; it keeps trying)
 *   or `system` (auto fell back to the system clock)
 * - `synced` (boolean): locked to a grandmaster now
 * - `backend` (string): backend in use: `linuxptp`, `internal` or `system`
 * - `domain` (uint): PTP domain, 0-127
 * - `grandmaster-id` (string): identity of the grandmaster locked to, as
 *   EUI-64 (`00-1D-C1-FF-FE-50-36-33`); empty when not locked
 * - `port-state` (string): PTP port state (`SLAVE`, `LISTENING`, ...;
 *   `NONE` for the system backend)
 * - `offset-ns` (int64): last offset from the master in nanoseconds, as
 *   ptp4l or GStreamer's PTP client measured it
 *
 * When the grandmaster is lost a GST_MESSAGE_WARNING is posted as well.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstptpclockelement.h"
#include "gstaes67elements.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_aes67_ptp_clock_element_debug);
#define GST_CAT_DEFAULT gst_aes67_ptp_clock_element_debug

#define DEFAULT_SYNC_TIMEOUT  15

enum
{
  PROP_0,
  PROP_BACKEND,
  PROP_DOMAIN,
  PROP_INTERFACE,
  PROP_UDS_PATH,
  PROP_PHC_DEVICE,
  PROP_SYNC_TIMEOUT,
  PROP_SYNCED,
  PROP_GRANDMASTER_ID,
  PROP_PORT_STATE,
  PROP_OFFSET_NS,
  PROP_BACKEND_IN_USE,
  PROP_CLOCK,
  PROP_NAME,                    /* GstObject's, for the default name */
};

/* instances made without a name are "ptpclock0", "ptpclock1"..., after the
 * element's factory name: GStreamer would name them after the type,
 * "aes67ptpclockelement0" */
static gint default_name_count;

#define gst_aes67_ptp_clock_element_parent_class parent_class
G_DEFINE_TYPE (GstAes67PtpClockElement, gst_aes67_ptp_clock_element,
    GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (ptpclock, "ptpclock", GST_RANK_NONE,
    GST_TYPE_AES67_PTP_CLOCK_ELEMENT);

static const gchar *
backend_nick (GstAes67PtpBackend b)
{
  GEnumValue *v = g_enum_get_value (g_type_class_peek
      (GST_TYPE_AES67_PTP_BACKEND), b);
  return v ? v->value_nick : "unknown";
}

static GstClock *
get_clock (GstAes67PtpClockElement * self)
{
  GstClock *c;

  GST_OBJECT_LOCK (self);
  c = self->clock ? gst_object_ref (self->clock) : NULL;
  GST_OBJECT_UNLOCK (self);
  return c;
}

static void
post_status (GstAes67PtpClockElement * self, GstClock * clock,
    const gchar * event)
{
  GstAes67PtpClock *c = GST_AES67_PTP_CLOCK (clock);
  gchar *gm = NULL, *state = NULL;
  gint64 offset = 0;
  gboolean synced = FALSE;
  GstAes67PtpBackend b;

  g_object_get (c, "grandmaster-id", &gm, "port-state", &state,
      "offset-ns", &offset, "synced", &synced, "backend-in-use", &b, NULL);
  GST_INFO_OBJECT (self, "status %s: synced %d gm %s state %s offset %"
      G_GINT64_FORMAT " ns", event, synced, GST_STR_NULL (gm), state, offset);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self),
          gst_structure_new ("ptp-clock-status",
              "event", G_TYPE_STRING, event,
              "synced", G_TYPE_BOOLEAN, synced,
              "backend", G_TYPE_STRING, backend_nick (b),
              "domain", G_TYPE_UINT, gst_aes67_ptp_clock_get_domain (c),
              "grandmaster-id", G_TYPE_STRING, gm ? gm : "",
              "port-state", G_TYPE_STRING, state,
              "offset-ns", G_TYPE_INT64, offset, NULL)));
  g_free (gm);
  g_free (state);
}

/* compares the clock's state with what was last posted and posts what
 * changed; called with no lock held, from the clock's thread or right after
 * connecting to it (the clock may have locked before) */
static void
update_status (GstAes67PtpClockElement * self, GstAes67PtpClock * c)
{
  const gchar *event = NULL;
  gboolean synced, warn = FALSE;
  gchar *gm, *old_gm = NULL;

  synced = gst_aes67_ptp_clock_is_locked (c);
  gm = gst_aes67_ptp_clock_dup_grandmaster_id (c);

  g_mutex_lock (&self->status_lock);
  if (synced && !self->last_synced) {
    /* locked again, but to another grandmaster than before */
    if (gm && self->last_gm && strcmp (gm, self->last_gm) != 0)
      event = "grandmaster-changed";
    else
      event = "locked";
    self->lost_warned = FALSE;
  } else if (!synced && self->last_synced) {
    event = "lost";
    warn = !self->lost_warned;
    self->lost_warned = TRUE;
  } else if (synced && gm && self->last_gm && strcmp (gm, self->last_gm) != 0) {
    event = "grandmaster-changed";
  }
  self->last_synced = synced;
  /* last_gm: the grandmaster we were last locked to */
  old_gm = g_strdup (self->last_gm);
  if (synced && gm) {
    g_free (self->last_gm);
    self->last_gm = g_strdup (gm);
  }
  if (event)
    self->posted_any = TRUE;
  g_mutex_unlock (&self->status_lock);

  if (warn) {
    GST_ELEMENT_WARNING (self, RESOURCE, NOT_FOUND,
        ("Lost the PTP grandmaster %s on domain %u; running on the "
            "free-running clock until it returns.",
            old_gm ? old_gm : "(unknown)", gst_aes67_ptp_clock_get_domain (c)),
        ("backend %s", backend_nick (gst_aes67_ptp_clock_get_backend_in_use
                (c))));
  }
  if (event)
    post_status (self, GST_CLOCK (c), event);
  g_free (gm);
  g_free (old_gm);
}

static void
on_clock_notify (GObject * obj, GParamSpec * pspec, gpointer user_data)
{
  if (strcmp (pspec->name, "synced") == 0
      || strcmp (pspec->name, "grandmaster-id") == 0)
    update_status (user_data, GST_AES67_PTP_CLOCK (obj));
}

static void
set_clock (GstAes67PtpClockElement * self, GstClock * clock)
{
  GstClock *old;
  gulong old_id;

  GST_OBJECT_LOCK (self);
  old = self->clock;
  old_id = self->notify_id;
  self->clock = clock;
  self->notify_id = 0;
  GST_OBJECT_UNLOCK (self);

  if (old) {
    g_signal_handler_disconnect (old, old_id);
    gst_object_unref (old);
  }
  g_mutex_lock (&self->status_lock);
  self->last_synced = FALSE;
  g_clear_pointer (&self->last_gm, g_free);
  self->posted_any = FALSE;
  self->lost_warned = FALSE;
  g_mutex_unlock (&self->status_lock);

  if (clock) {
    /* keeps the element alive while the clock's thread is in the handler */
    gulong id = g_signal_connect_object (clock, "notify",
        G_CALLBACK (on_clock_notify), self, 0);
    GST_OBJECT_LOCK (self);
    self->notify_id = id;
    GST_OBJECT_UNLOCK (self);
    update_status (self, GST_AES67_PTP_CLOCK (clock));
  }
}

static GstPipeline *
find_pipeline (GstAes67PtpClockElement * self)
{
  GstObject *o = gst_object_ref (GST_OBJECT (self)), *parent;

  while ((parent = gst_object_get_parent (o))) {
    gst_object_unref (o);
    o = parent;
  }
  if (GST_IS_PIPELINE (o))
    return GST_PIPELINE (o);
  gst_object_unref (o);
  return NULL;
}

static gboolean
make_clock (GstAes67PtpClockElement * self)
{
  GstAes67PtpBackend backend;
  guint domain;
  gchar *iface, *uds, *phc, *name;
  GstClock *clock;
  GstAes67PtpBackend in_use;

  GST_OBJECT_LOCK (self);
  backend = self->settings.backend;
  domain = self->settings.domain;
  iface = g_strdup (self->settings.interface);
  uds = g_strdup (self->settings.uds_path);
  phc = g_strdup (self->settings.phc_device);
  GST_OBJECT_UNLOCK (self);

  name = g_strdup_printf ("%s-clock", GST_OBJECT_NAME (self));
  clock = gst_aes67_ptp_clock_new (name, backend, domain, iface, uds, phc);
  g_free (name);
  in_use = gst_aes67_ptp_clock_get_backend_in_use (GST_AES67_PTP_CLOCK (clock));
  GST_INFO_OBJECT (self, "backend %s -> %s", backend_nick (backend),
      backend_nick (in_use));

  if (backend == GST_AES67_PTP_BACKEND_LINUXPTP
      && !gst_aes67_ptp_linuxptp_probe (uds, domain, 300)) {
    GST_ELEMENT_WARNING (self, RESOURCE, NOT_FOUND,
        ("No ptp4l answers on %s for domain %u: is ptp4l running with "
            "uds_address %s and domainNumber %u? Waiting for it.", uds, domain,
            uds, domain), (NULL));
  }
  if (backend == GST_AES67_PTP_BACKEND_INTERNAL
      && !GST_OBJECT_FLAG_IS_SET (clock, GST_CLOCK_FLAG_NEEDS_STARTUP_SYNC)) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
        ("GStreamer's PTP client could not start on %s: is gst-ptp-helper "
            "installed with its capabilities, and is there a multicast "
            "route (ip route add 224.0.0.0/4 dev <interface>)?",
            iface ? iface : "all interfaces"), (NULL));
    gst_object_unref (clock);
    g_free (iface);
    g_free (uds);
    g_free (phc);
    return FALSE;
  }
  if (backend == GST_AES67_PTP_BACKEND_INTERNAL) {
    /* a stock GstPtpClock already made by gst_ptp_init elsewhere may be on
     * other interfaces; nothing to check here */
  }
  g_free (iface);
  g_free (uds);
  g_free (phc);
  set_clock (self, clock);
  return TRUE;
}

/* READY->PAUSED: wait for lock, fall back for auto, force the clock */
static void
settle_clock (GstAes67PtpClockElement * self)
{
  GstClock *clock = get_clock (self);
  GstAes67PtpClock *c;
  GstAes67PtpBackend backend;
  guint timeout;
  GstPipeline *pipeline;
  gboolean posted;

  if (!clock)
    return;
  c = GST_AES67_PTP_CLOCK (clock);
  GST_OBJECT_LOCK (self);
  backend = self->settings.backend;
  timeout = self->sync_timeout;
  GST_OBJECT_UNLOCK (self);

  if (gst_aes67_ptp_clock_get_backend_in_use (c) !=
      GST_AES67_PTP_BACKEND_SYSTEM && !gst_aes67_ptp_clock_is_locked (c)) {
    gint64 end = g_get_monotonic_time () + timeout * G_TIME_SPAN_SECOND;

    GST_INFO_OBJECT (self, "waiting up to %u s for PTP lock", timeout);
    /* GstClock's synced flag follows our lock state */
    while (!gst_aes67_ptp_clock_is_locked (c)
        && g_get_monotonic_time () < end)
      gst_clock_wait_for_sync (clock, 100 * GST_MSECOND);

    if (!gst_aes67_ptp_clock_is_locked (c)) {
      guint domain = gst_aes67_ptp_clock_get_domain (c);

      if (backend == GST_AES67_PTP_BACKEND_AUTO) {
        GstClock *sys = gst_aes67_ptp_clock_new ("system-clock",
            GST_AES67_PTP_BACKEND_SYSTEM, domain, NULL, NULL, NULL);

        GST_ELEMENT_WARNING (self, RESOURCE, NOT_FOUND,
            ("No PTP grandmaster locked on domain %u within %u s; running on "
                "the system clock (streams will say they have no PTP "
                "reference).", domain, timeout), ("tried %s",
                backend_nick (gst_aes67_ptp_clock_get_backend_in_use (c))));
        set_clock (self, sys);
        gst_object_unref (clock);
        clock = gst_object_ref (sys);
        post_status (self, clock, "system");
      } else {
        GST_ELEMENT_WARNING (self, RESOURCE, NOT_FOUND,
            ("No PTP grandmaster locked on domain %u within %u s; running on "
                "the free-running clock until one is found.", domain,
                timeout), ("backend %s", backend_nick (backend)));
        post_status (self, clock, "no-lock");
      }
    }
  } else if (gst_aes67_ptp_clock_get_backend_in_use (c) ==
      GST_AES67_PTP_BACKEND_SYSTEM) {
    g_mutex_lock (&self->status_lock);
    posted = self->posted_any;
    self->posted_any = TRUE;
    g_mutex_unlock (&self->status_lock);
    if (!posted)
      post_status (self, clock, "system");
  }

  pipeline = find_pipeline (self);
  if (pipeline) {
    GST_INFO_OBJECT (self, "forcing clock %" GST_PTR_FORMAT " on %"
        GST_PTR_FORMAT, clock, pipeline);
    gst_pipeline_use_clock (pipeline, clock);
    gst_object_unref (pipeline);
  }
  gst_object_unref (clock);
}

static void
release_clock (GstAes67PtpClockElement * self)
{
  GstClock *clock = get_clock (self);
  GstPipeline *pipeline = find_pipeline (self);

  if (pipeline && clock) {
    GstClock *pc = gst_pipeline_get_pipeline_clock (pipeline);
    if (pc == clock)
      gst_pipeline_auto_clock (pipeline);
    if (pc)
      gst_object_unref (pc);
  }
  if (pipeline)
    gst_object_unref (pipeline);
  if (clock)
    gst_object_unref (clock);
  set_clock (self, NULL);
}

static GstStateChangeReturn
gst_aes67_ptp_clock_element_change_state (GstElement * element,
    GstStateChange transition)
{
  GstAes67PtpClockElement *self = GST_AES67_PTP_CLOCK_ELEMENT (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (!make_clock (self))
        return GST_STATE_CHANGE_FAILURE;
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      settle_clock (self);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_NULL:
      release_clock (self);
      break;
    default:
      break;
  }
  return ret;
}

static GstClock *
gst_aes67_ptp_clock_element_provide_clock (GstElement * element)
{
  return get_clock (GST_AES67_PTP_CLOCK_ELEMENT (element));
}

static void
gst_aes67_ptp_clock_element_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstAes67PtpClockElement *self = GST_AES67_PTP_CLOCK_ELEMENT (object);

  if (prop_id == PROP_NAME) {
    const gchar *name = g_value_get_string (value);
    gchar *made = NULL;

    if (!name)
      name = made = g_strdup_printf ("ptpclock%d",
          g_atomic_int_add (&default_name_count, 1));
    gst_object_set_name (GST_OBJECT (self), name);
    g_free (made);
    return;
  }

  GST_OBJECT_LOCK (self);
  if (gst_aes67_ptp_clock_settings_set (&self->settings, pspec, value)) {
    GST_OBJECT_UNLOCK (self);
    gst_aes67_warn_if_set_too_late (GST_ELEMENT (self), pspec);
    return;
  }
  switch (prop_id) {
    case PROP_SYNC_TIMEOUT:
      self->sync_timeout = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
  gst_aes67_warn_if_set_too_late (GST_ELEMENT (self), pspec);
}

static void
gst_aes67_ptp_clock_element_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstAes67PtpClockElement *self = GST_AES67_PTP_CLOCK_ELEMENT (object);
  GstClock *clock;
  gboolean setting;

  GST_OBJECT_LOCK (self);
  setting = gst_aes67_ptp_clock_settings_get (&self->settings, pspec, value);
  GST_OBJECT_UNLOCK (self);
  if (setting)
    return;
  switch (prop_id) {
    case PROP_NAME:
      g_value_take_string (value, gst_object_get_name (GST_OBJECT (self)));
      return;
    case PROP_SYNC_TIMEOUT:
      GST_OBJECT_LOCK (self);
      g_value_set_uint (value, self->sync_timeout);
      GST_OBJECT_UNLOCK (self);
      return;
    default:
      break;
  }

  clock = get_clock (self);
  switch (prop_id) {
    case PROP_SYNCED:
      g_value_set_boolean (value, clock ? gst_aes67_ptp_clock_is_locked
          (GST_AES67_PTP_CLOCK (clock)) : FALSE);
      break;
    case PROP_GRANDMASTER_ID:
      if (clock)
        g_object_get_property (G_OBJECT (clock), "grandmaster-id", value);
      break;
    case PROP_PORT_STATE:
      if (clock)
        g_object_get_property (G_OBJECT (clock), "port-state", value);
      else
        g_value_set_string (value, "NONE");
      break;
    case PROP_OFFSET_NS:
      if (clock)
        g_object_get_property (G_OBJECT (clock), "offset-ns", value);
      break;
    case PROP_BACKEND_IN_USE:
      g_value_set_enum (value, clock ? gst_aes67_ptp_clock_get_backend_in_use
          (GST_AES67_PTP_CLOCK (clock)) : GST_AES67_PTP_BACKEND_SYSTEM);
      break;
    case PROP_CLOCK:
      g_value_set_object (value, clock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  if (clock)
    gst_object_unref (clock);
}

static void
gst_aes67_ptp_clock_element_finalize (GObject * object)
{
  GstAes67PtpClockElement *self = GST_AES67_PTP_CLOCK_ELEMENT (object);

  set_clock (self, NULL);
  gst_aes67_ptp_clock_settings_clear (&self->settings);
  g_free (self->last_gm);
  g_mutex_clear (&self->status_lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_aes67_ptp_clock_element_class_init (GstAes67PtpClockElementClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_aes67_ptp_clock_element_set_property;
  gobject_class->get_property = gst_aes67_ptp_clock_element_get_property;
  gobject_class->finalize = gst_aes67_ptp_clock_element_finalize;

  g_object_class_override_property (gobject_class, PROP_NAME, "name");

  /* the clock is made from these when the element leaves NULL: no
   * GST_PARAM_MUTABLE_* flag, a later change warns (sync-timeout is read
   * going to PAUSED) */
  g_object_class_install_property (gobject_class, PROP_BACKEND,
      gst_aes67_ptp_clock_param_spec ("backend", 0));
  g_object_class_install_property (gobject_class, PROP_DOMAIN,
      gst_aes67_ptp_clock_param_spec ("domain", 0));
  g_object_class_install_property (gobject_class, PROP_INTERFACE,
      gst_aes67_ptp_clock_param_spec ("interface", 0));
  g_object_class_install_property (gobject_class, PROP_UDS_PATH,
      gst_aes67_ptp_clock_param_spec ("uds-path", 0));
  g_object_class_install_property (gobject_class, PROP_PHC_DEVICE,
      gst_aes67_ptp_clock_param_spec ("phc-device", 0));
  g_object_class_install_property (gobject_class, PROP_SYNC_TIMEOUT,
      g_param_spec_uint ("sync-timeout", "Sync timeout",
          "Seconds to wait for PTP lock going to PAUSED; then auto falls "
          "back to the system clock", 0, 3600, DEFAULT_SYNC_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_SYNCED,
      gst_aes67_ptp_clock_param_spec ("synced", 0));
  g_object_class_install_property (gobject_class, PROP_GRANDMASTER_ID,
      gst_aes67_ptp_clock_param_spec ("grandmaster-id", 0));
  g_object_class_install_property (gobject_class, PROP_PORT_STATE,
      gst_aes67_ptp_clock_param_spec ("port-state", 0));
  g_object_class_install_property (gobject_class, PROP_OFFSET_NS,
      gst_aes67_ptp_clock_param_spec ("offset-ns", 0));
  g_object_class_install_property (gobject_class, PROP_BACKEND_IN_USE,
      gst_aes67_ptp_clock_param_spec ("backend-in-use", 0));
  g_object_class_install_property (gobject_class, PROP_CLOCK,
      g_param_spec_object ("clock", "Clock",
          "The GstAes67PtpClock this element gives the pipeline (from "
          "READY on)", GST_TYPE_CLOCK,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_aes67_ptp_clock_element_change_state);
  element_class->provide_clock =
      GST_DEBUG_FUNCPTR (gst_aes67_ptp_clock_element_provide_clock);

  gst_element_class_set_static_metadata (element_class, "PTP clock",
      "Generic", "Gives the pipeline a PTP clock (IEEE 1588) from ptp4l, "
      "GStreamer's PTP client or the system clock",
      "gst-aes67 authors <gst-aes67@example.org>");

  gst_type_mark_as_plugin_api (GST_TYPE_AES67_PTP_BACKEND, 0);
  GST_DEBUG_CATEGORY_INIT (gst_aes67_ptp_clock_element_debug, "ptpclock", 0,
      "PTP clock element");
}

static void
gst_aes67_ptp_clock_element_init (GstAes67PtpClockElement * self)
{
  gst_aes67_ptp_clock_settings_init (&self->settings);
  self->sync_timeout = DEFAULT_SYNC_TIMEOUT;
  g_mutex_init (&self->status_lock);
  /* provide_clock answers from READY on */
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_PROVIDE_CLOCK);
}
