/* gst-aes67: a PTP clock fed by ptp4l, GStreamer's PTP client or nothing
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#ifndef __GST_AES67_PTP_CLOCK_H__
#define __GST_AES67_PTP_CLOCK_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * GstAes67PtpBackend:
 * @GST_AES67_PTP_BACKEND_AUTO: linuxptp if a ptp4l answers on the management
 *   socket, else internal if GStreamer's PTP client can start, else system
 * @GST_AES67_PTP_BACKEND_LINUXPTP: a running ptp4l (and phc2sys) disciplines
 *   the system clock or a PTP hardware clock; we read that clock and ask
 *   ptp4l for its state
 * @GST_AES67_PTP_BACKEND_INTERNAL: GStreamer's own PTP client (GstPtpClock)
 * @GST_AES67_PTP_BACKEND_SYSTEM: no PTP: the system clock (CLOCK_REALTIME)
 */
typedef enum {
  GST_AES67_PTP_BACKEND_AUTO,
  GST_AES67_PTP_BACKEND_LINUXPTP,
  GST_AES67_PTP_BACKEND_INTERNAL,
  GST_AES67_PTP_BACKEND_SYSTEM,
} GstAes67PtpBackend;

/* The defaults of the clock's properties, shared with the ptpclock element
 * (which forwards its own properties of the same names to the clock). */
#define GST_AES67_PTP_CLOCK_DEFAULT_BACKEND    GST_AES67_PTP_BACKEND_AUTO
#define GST_AES67_PTP_CLOCK_DEFAULT_DOMAIN     0
#define GST_AES67_PTP_CLOCK_DEFAULT_INTERFACE  NULL
#define GST_AES67_PTP_CLOCK_DEFAULT_UDS_PATH   "/var/run/ptp4l"
#define GST_AES67_PTP_CLOCK_DEFAULT_PHC_DEVICE NULL

#define GST_TYPE_AES67_PTP_BACKEND (gst_aes67_ptp_backend_get_type ())
GType gst_aes67_ptp_backend_get_type (void);

/* The clock's settings (its construct-only properties), which the ptpclock
 * element exposes as its own properties of the same names: one struct,
 * one set of defaults (the macros above), one mapping from property name
 * to field, used by the clock's and the element's set/get_property. */
typedef struct {
  GstAes67PtpBackend backend;
  guint domain;
  gchar *interface;             /* NULL: all */
  gchar *uds_path;              /* never NULL: NULL sets the default */
  gchar *phc_device;            /* NULL: the system clock */
} GstAes67PtpClockSettings;

/* The defaults. */
void gst_aes67_ptp_clock_settings_init (GstAes67PtpClockSettings * s);
void gst_aes67_ptp_clock_settings_clear (GstAes67PtpClockSettings * s);
/* Sets (gets) the setting named as @pspec ("backend", "domain",
 * "interface", "uds-path", "phc-device") from (into) @value; FALSE for any
 * other name. The caller does the locking. */
gboolean gst_aes67_ptp_clock_settings_set (GstAes67PtpClockSettings * s,
    GParamSpec * pspec, const GValue * value);
gboolean gst_aes67_ptp_clock_settings_get (const GstAes67PtpClockSettings * s,
    GParamSpec * pspec, GValue * value);

/* A new GParamSpec for the clock property @name that the ptpclock element
 * exposes too: the settings above, and the read-only "backend-in-use",
 * "synced", "grandmaster-id", "port-state" and "offset-ns". One name,
 * blurb, range and default for both; a setting gets G_PARAM_READWRITE |
 * @write_flags (the clock passes G_PARAM_CONSTRUCT_ONLY, the element 0).
 * NULL for any other name. */
GParamSpec *gst_aes67_ptp_clock_param_spec (const gchar * name,
    GParamFlags write_flags);

#define GST_TYPE_AES67_PTP_CLOCK (gst_aes67_ptp_clock_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67PtpClock, gst_aes67_ptp_clock, GST, AES67_PTP_CLOCK,
    GstSystemClock)

/* Creates a clock and starts following its backend (a thread polls ptp4l,
 * or GStreamer's PTP client runs). Properties (all construct-only):
 * "backend", "domain", "interface", "uds-path", "phc-device". Read-only:
 * "backend-in-use", "synced", "grandmaster-id", "port-state", "offset-ns",
 * "timescale-offset-s".
 *
 * Signals: notify::synced and notify::grandmaster-id are emitted from the
 * clock's own thread, with no lock held, when the lock state or the
 * grandmaster changes; GstClock::synced is emitted too.
 *
 * For the PTP backends the clock has GST_CLOCK_FLAG_NEEDS_STARTUP_SYNC: use
 * gst_clock_wait_for_sync() before using it. On loss of the grandmaster the
 * clock keeps running from the free-running clock, and locks again when the
 * grandmaster returns. */
GstClock *gst_aes67_ptp_clock_new (const gchar * name,
    GstAes67PtpBackend backend, guint domain, const gchar * interface,
    const gchar * uds_path, const gchar * phc_device);

/* Same values as the properties, without GValues. */
GstAes67PtpBackend gst_aes67_ptp_clock_get_backend_in_use (GstAes67PtpClock *
    clock);
gboolean gst_aes67_ptp_clock_is_locked (GstAes67PtpClock * clock);
/* EUI-64 "00-1D-C1-FF-FE-50-36-33" or NULL when none; g_free() it. */
gchar *gst_aes67_ptp_clock_dup_grandmaster_id (GstAes67PtpClock * clock);
guint gst_aes67_ptp_clock_get_domain (GstAes67PtpClock * clock);

/* TRUE if, at construction, a ptp4l answered a management GET on @uds_path
 * for @domain within @timeout_ms. Used by the auto backend. */
gboolean gst_aes67_ptp_linuxptp_probe (const gchar * uds_path, guint domain,
    guint timeout_ms);

G_END_DECLS

#endif /* __GST_AES67_PTP_CLOCK_H__ */
