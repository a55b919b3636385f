/* gst-aes67: the L16/L24 depayloader inside aes67src
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_AES67_DEPAY_H__
#define __GST_AES67_DEPAY_H__

#include <gst/rtp/gstrtpbasedepayload.h>

G_BEGIN_DECLS
#define GST_TYPE_AES67_DEPAY (gst_aes67_depay_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67Depay, gst_aes67_depay, GST, AES67_DEPAY,
    GstRTPBaseDepayload);

struct _GstAes67Depay
{
  GstRTPBaseDepayload parent;

  guint frame_bytes;            /* streaming thread only */
};

gboolean gst_aes67_depay_push_start_gap (GstAes67Depay * self,
    const GstCaps * rtp_caps);

G_END_DECLS
#endif /* __GST_AES67_DEPAY_H__ */
