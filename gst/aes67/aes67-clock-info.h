/* gst-aes67: what a pipeline clock says about PTP, for SDP writers
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * aes67sink writes a=ts-refclk and a=clock-domain from the clock the
 * pipeline really uses; aes67src checks the SDP's grandmaster against it.
 * These two functions answer for both PTP clocks a pipeline can have:
 * ours (GstAes67PtpClock, made by the ptpclock element) and GStreamer's
 * stock GstPtpClock. Callers need no GObject type of ours.
 */
#ifndef __AES67_CLOCK_INFO_H__
#define __AES67_CLOCK_INFO_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * aes67_clock_get_ptp_info:
 * @clock: a clock, may be NULL
 * @gm_id: (out) (optional) (nullable): the grandmaster's clock identity as
 *   RFC 7273 / SDP writes it, "00-1D-C1-FF-FE-50-36-33" (g_free() it); NULL
 *   while no grandmaster is known (not yet locked, or lost)
 * @domain: (out) (optional): the PTP domain (0-127)
 * @synced: (out) (optional): TRUE if the clock is locked to the grandmaster
 *   now
 *
 * Returns: TRUE if @clock is a PTP clock: a GstAes67PtpClock whose backend
 * in use is linuxptp or internal, or a stock GstPtpClock (its
 * "grandmaster-clock-id" and "domain" properties). FALSE for anything else:
 * the system clock, an audio sink's clock, a GstAes67PtpClock that fell back
 * to the system backend. Then the outputs are NULL / 0 / FALSE, and the SDP
 * must not claim PTP.
 */
gboolean aes67_clock_get_ptp_info (GstClock * clock, gchar ** gm_id,
    guint * domain, gboolean * synced);

/**
 * Aes67ClockPtpChangedFunc:
 * @clock: the clock whose PTP information changed
 * @user_data: as given to aes67_clock_watch_ptp_info()
 *
 * Called when the grandmaster or the lock state of @clock changes, from the
 * clock's own thread (GstAes67PtpClock) or from the thread that emitted the
 * notification, with no lock of the clock held: call
 * aes67_clock_get_ptp_info() to read the new values (e.g. to bump the SDP
 * version).
 */
typedef void (*Aes67ClockPtpChangedFunc) (GstClock * clock,
    gpointer user_data);

/**
 * aes67_clock_watch_ptp_info:
 * @clock: a clock
 * @func: called on each change
 * @user_data: for @func
 *
 * Connects @func to the notifications that say a PTP clock's grandmaster or
 * lock state changed: notify::grandmaster-id and notify::synced on a
 * GstAes67PtpClock; on a stock GstPtpClock only its GstClock::synced signal
 * (no notification of a grandmaster change is relied on for the stock clock:
 * poll aes67_clock_get_ptp_info() for that).
 *
 * A grandmaster change shows as a call after which @gm_id differs from the
 * one the caller last used; a loss as one after which @synced is FALSE and
 * @gm_id NULL (keep the last SDP then: the stream continues on the
 * free-running clock). Typical use in a sender:
 *
 * |[
 *   static void
 *   on_ptp_changed (GstClock * clock, gpointer user_data)
 *   {
 *     gchar *gm = NULL;
 *     guint domain;
 *     gboolean synced;
 *
 *     if (aes67_clock_get_ptp_info (clock, &gm, &domain, &synced) && gm
 *         && g_strcmp0 (gm, self->sdp_gm) != 0)
 *       ... rebuild the SDP with a new version ...
 *     g_free (gm);
 *   }
 * ]|
 *
 * Returns: a handle for aes67_clock_unwatch_ptp_info(), 0 if @clock is not a
 * PTP clock.
 */
gulong aes67_clock_watch_ptp_info (GstClock * clock,
    Aes67ClockPtpChangedFunc func, gpointer user_data);

/* Disconnects what aes67_clock_watch_ptp_info() connected. */
void aes67_clock_unwatch_ptp_info (GstClock * clock, gulong handle);

G_END_DECLS

#endif /* __AES67_CLOCK_INFO_H__ */
