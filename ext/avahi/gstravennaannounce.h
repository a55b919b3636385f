/* gst-aes67: ravennaannounce, publishes AES67 sessions RAVENNA-style
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#ifndef __GST_RAVENNA_ANNOUNCE_H__
#define __GST_RAVENNA_ANNOUNCE_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_RAVENNA_ANNOUNCE (gst_ravenna_announce_get_type ())
G_DECLARE_FINAL_TYPE (GstRavennaAnnounce, gst_ravenna_announce, GST,
    RAVENNA_ANNOUNCE, GstElement);

GST_ELEMENT_REGISTER_DECLARE (ravennaannounce);

G_END_DECLS

#endif /* __GST_RAVENNA_ANNOUNCE_H__ */
