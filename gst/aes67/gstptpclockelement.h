/* gst-aes67: ptpclock, an element that gives its pipeline a PTP clock
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#ifndef __GST_AES67_PTP_CLOCK_ELEMENT_H__
#define __GST_AES67_PTP_CLOCK_ELEMENT_H__

#include <gst/gst.h>
#include "gstaes67ptpclock.h"

G_BEGIN_DECLS

#define GST_TYPE_AES67_PTP_CLOCK_ELEMENT (gst_aes67_ptp_clock_element_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67PtpClockElement, gst_aes67_ptp_clock_element,
    GST, AES67_PTP_CLOCK_ELEMENT, GstElement)

struct _GstAes67PtpClockElement
{
  GstElement parent;

  /* settings: protected by the object lock; those of the clock in the
   * clock's own struct (one set of defaults) */
  GstAes67PtpClockSettings settings;
  guint sync_timeout;           /* s */

  /* the clock: set and cleared by the streaming-state changes, read under
   * the object lock */
  GstClock *clock;
  gulong notify_id;
  /* last status posted: protected by status_lock */
  GMutex status_lock;
  gboolean last_synced;
  gchar *last_gm;
  gboolean posted_any;
  gboolean lost_warned;
};

GST_ELEMENT_REGISTER_DECLARE (ptpclock);

G_END_DECLS

#endif /* __GST_AES67_PTP_CLOCK_ELEMENT_H__ */
