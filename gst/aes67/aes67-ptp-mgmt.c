/* gst-aes67: IEEE 1588-2008 management messages, as ptp4l speaks them
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

#include "aes67-ptp-mgmt.h"

#include <errno.h>
#include <string.h>

/* Big-endian field accessors, byte by byte. GStreamer's rd16
 * and friends load through unaligned pointers on x86, which UBSan reports;
 * these compile to the same instructions without the undefined behaviour. */
static inline guint16
rd16 (const guint8 * p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
rd32 (const guint8 * p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) |
      ((guint32) p[2] << 8) | p[3];
}

static inline guint64
rd64 (const guint8 * p)
{
  return ((guint64) rd32 (p) << 32) | rd32 (p + 4);
}

static inline void
wr16 (guint8 * p, guint16 v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) v;
}

static inline void
wr32 (guint8 * p, guint32 v)
{
  wr16 (p, (guint16) (v >> 16));
  wr16 (p + 2, (guint16) v);
}

static inline void
wr64 (guint8 * p, guint64 v)
{
  wr32 (p, (guint32) (v >> 32));
  wr32 (p + 4, (guint32) v);
}

/* offsets in the common header */
#define OFF_MSGTYPE       0
#define OFF_VERSION       1
#define OFF_LENGTH        2
#define OFF_DOMAIN        4
#define OFF_FLAGS         6
#define OFF_CORRECTION    8
#define OFF_SOURCE_PORT   20
#define OFF_SEQUENCE      30
#define OFF_CONTROL       32
#define OFF_LOG_INTERVAL  33
/* offsets in the management body */
#define OFF_TARGET_PORT   34
#define OFF_START_HOPS    44
#define OFF_HOPS          45
#define OFF_ACTION        46
#define OFF_TLV           48

/* error status TLV: errorId, managementId, 4 reserved bytes, PTPText */
#define ERROR_TLV_FIXED   8

gint
aes67_ptp_mgmt_write (const Aes67PtpMgmtMsg * msg, guint8 * buf, gsize buf_len)
{
  gsize tlv_value_len, total;
  guint8 *p;

  if (!msg || !buf || (msg->data_len > 0 && !msg->data) || msg->action > 0xF)
    return -EINVAL;
  if (msg->tlv_type == AES67_PTP_TLV_MANAGEMENT_ERROR_STATUS)
    tlv_value_len = ERROR_TLV_FIXED + msg->data_len;
  else
    tlv_value_len = 2 + msg->data_len;
  /* TLVs have even length (IEEE 1588-2008 14.1.1) */
  if (tlv_value_len % 2 != 0 || tlv_value_len > G_MAXUINT16)
    return -EINVAL;
  total = OFF_TLV + AES67_PTP_TLV_HEADER_LEN + tlv_value_len;
  if (total > G_MAXUINT16)
    return -EINVAL;
  if (buf_len < total)
    return -ENOSPC;

  memset (buf, 0, total);
  buf[OFF_MSGTYPE] = AES67_PTP_MSGTYPE_MANAGEMENT;
  buf[OFF_VERSION] = AES67_PTP_VERSION;
  wr16 (buf + OFF_LENGTH, (guint16) total);
  buf[OFF_DOMAIN] = msg->domain;
  memcpy (buf + OFF_SOURCE_PORT, msg->source_port_identity, 10);
  wr16 (buf + OFF_SEQUENCE, msg->sequence_id);
  buf[OFF_CONTROL] = AES67_PTP_CONTROL_MANAGEMENT;
  buf[OFF_LOG_INTERVAL] = 0x7F;
  memcpy (buf + OFF_TARGET_PORT, msg->target_port_identity, 10);
  buf[OFF_START_HOPS] = msg->starting_boundary_hops;
  buf[OFF_HOPS] = msg->boundary_hops;
  buf[OFF_ACTION] = msg->action & 0x0F;

  p = buf + OFF_TLV;
  wr16 (p, msg->tlv_type);
  wr16 (p + 2, (guint16) tlv_value_len);
  p += AES67_PTP_TLV_HEADER_LEN;
  if (msg->tlv_type == AES67_PTP_TLV_MANAGEMENT_ERROR_STATUS) {
    wr16 (p, msg->error_id);
    wr16 (p + 2, msg->management_id);
    p += ERROR_TLV_FIXED;
  } else {
    wr16 (p, msg->management_id);
    p += 2;
  }
  if (msg->data_len > 0)
    memcpy (p, msg->data, msg->data_len);
  return (gint) total;
}

gint
aes67_ptp_mgmt_write_get (guint8 domain, guint16 sequence_id,
    const guint8 * source_port_identity, guint16 management_id, guint8 * buf,
    gsize buf_len)
{
  Aes67PtpMgmtMsg msg;

  memset (&msg, 0, sizeof (msg));
  msg.domain = domain;
  msg.sequence_id = sequence_id;
  if (source_port_identity)
    memcpy (msg.source_port_identity, source_port_identity, 10);
  memset (msg.target_port_identity, 0xFF, 10);
  msg.action = AES67_PTP_ACTION_GET;
  msg.tlv_type = AES67_PTP_TLV_MANAGEMENT;
  msg.management_id = management_id;
  return aes67_ptp_mgmt_write (&msg, buf, buf_len);
}

gint
aes67_ptp_mgmt_parse (const guint8 * buf, gsize len, Aes67PtpMgmtMsg * msg)
{
  guint16 msg_len, tlv_len;
  const guint8 *tlv;

  if (!buf || !msg)
    return -EINVAL;
  memset (msg, 0, sizeof (*msg));
  if (len < AES67_PTP_MGMT_MIN_LEN)
    return -EBADMSG;
  if ((buf[OFF_MSGTYPE] & 0x0F) != AES67_PTP_MSGTYPE_MANAGEMENT)
    return -EBADMSG;
  if ((buf[OFF_VERSION] & 0x0F) != AES67_PTP_VERSION)
    return -EBADMSG;
  msg_len = rd16 (buf + OFF_LENGTH);
  if (msg_len < AES67_PTP_MGMT_MIN_LEN || msg_len > len)
    return -EBADMSG;

  msg->domain = buf[OFF_DOMAIN];
  memcpy (msg->source_port_identity, buf + OFF_SOURCE_PORT, 10);
  msg->sequence_id = rd16 (buf + OFF_SEQUENCE);
  memcpy (msg->target_port_identity, buf + OFF_TARGET_PORT, 10);
  msg->starting_boundary_hops = buf[OFF_START_HOPS];
  msg->boundary_hops = buf[OFF_HOPS];
  msg->action = buf[OFF_ACTION] & 0x0F;

  tlv = buf + OFF_TLV;
  msg->tlv_type = rd16 (tlv);
  tlv_len = rd16 (tlv + 2);
  if ((gsize) OFF_TLV + AES67_PTP_TLV_HEADER_LEN + tlv_len > msg_len)
    return -EBADMSG;
  tlv += AES67_PTP_TLV_HEADER_LEN;

  switch (msg->tlv_type) {
    case AES67_PTP_TLV_MANAGEMENT:
      if (tlv_len < 2)
        return -EBADMSG;
      msg->management_id = rd16 (tlv);
      msg->data = tlv + 2;
      msg->data_len = tlv_len - 2;
      break;
    case AES67_PTP_TLV_MANAGEMENT_ERROR_STATUS:
      if (tlv_len < ERROR_TLV_FIXED)
        return -EBADMSG;
      msg->error_id = rd16 (tlv);
      msg->management_id = rd16 (tlv + 2);
      msg->data = tlv + ERROR_TLV_FIXED;
      msg->data_len = tlv_len - ERROR_TLV_FIXED;
      break;
    default:
      return -EBADMSG;
  }
  return 0;
}

gint
aes67_ptp_mgmt_check_reply (const Aes67PtpMgmtMsg * msg, guint8 domain,
    guint16 sequence_id, guint16 management_id)
{
  if (!msg)
    return -EINVAL;
  if (msg->domain != domain || msg->sequence_id != sequence_id
      || msg->management_id != management_id)
    return -ENOMSG;
  if (msg->tlv_type == AES67_PTP_TLV_MANAGEMENT_ERROR_STATUS)
    return -EREMOTEIO;
  if (msg->action != AES67_PTP_ACTION_RESPONSE)
    return -ENOMSG;
  return 0;
}

/* data sets */

gint
aes67_ptp_current_ds_parse (const guint8 * data, gsize len,
    Aes67PtpCurrentDS * ds)
{
  if (!data || !ds)
    return -EINVAL;
  if (len < AES67_PTP_CURRENT_DS_LEN)
    return -EBADMSG;
  ds->steps_removed = rd16 (data);
  ds->offset_from_master_scaled = (gint64) rd64 (data + 2);
  ds->mean_path_delay_scaled = (gint64) rd64 (data + 10);
  return 0;
}

gint
aes67_ptp_current_ds_write (const Aes67PtpCurrentDS * ds, guint8 * buf,
    gsize len)
{
  if (!ds || !buf)
    return -EINVAL;
  if (len < AES67_PTP_CURRENT_DS_LEN)
    return -ENOSPC;
  wr16 (buf, ds->steps_removed);
  wr64 (buf + 2, (guint64) ds->offset_from_master_scaled);
  wr64 (buf + 10, (guint64) ds->mean_path_delay_scaled);
  return AES67_PTP_CURRENT_DS_LEN;
}

gint
aes67_ptp_parent_ds_parse (const guint8 * data, gsize len,
    Aes67PtpParentDS * ds)
{
  if (!data || !ds)
    return -EINVAL;
  if (len < AES67_PTP_PARENT_DS_LEN)
    return -EBADMSG;
  memcpy (ds->parent_port_identity, data, 10);
  ds->parent_stats = data[10] & 0x01;
  ds->observed_parent_offset_scaled_log_variance = rd16 (data + 12);
  ds->observed_parent_clock_phase_change_rate = (gint32) rd32 (data + 14);
  ds->gm_priority1 = data[18];
  ds->gm_clock_class = data[19];
  ds->gm_clock_accuracy = data[20];
  ds->gm_offset_scaled_log_variance = rd16 (data + 21);
  ds->gm_priority2 = data[23];
  memcpy (ds->gm_identity, data + 24, 8);
  return 0;
}

gint
aes67_ptp_parent_ds_write (const Aes67PtpParentDS * ds, guint8 * buf, gsize len)
{
  if (!ds || !buf)
    return -EINVAL;
  if (len < AES67_PTP_PARENT_DS_LEN)
    return -ENOSPC;
  memset (buf, 0, AES67_PTP_PARENT_DS_LEN);
  memcpy (buf, ds->parent_port_identity, 10);
  buf[10] = ds->parent_stats & 0x01;
  wr16 (buf + 12, ds->observed_parent_offset_scaled_log_variance);
  wr32 (buf + 14, (guint32) ds->observed_parent_clock_phase_change_rate);
  buf[18] = ds->gm_priority1;
  buf[19] = ds->gm_clock_class;
  buf[20] = ds->gm_clock_accuracy;
  wr16 (buf + 21, ds->gm_offset_scaled_log_variance);
  buf[23] = ds->gm_priority2;
  memcpy (buf + 24, ds->gm_identity, 8);
  return AES67_PTP_PARENT_DS_LEN;
}

gint
aes67_ptp_time_properties_ds_parse (const guint8 * data, gsize len,
    Aes67PtpTimePropertiesDS * ds)
{
  if (!data || !ds)
    return -EINVAL;
  if (len < AES67_PTP_TIME_PROPERTIES_DS_LEN)
    return -EBADMSG;
  ds->current_utc_offset = (gint16) rd16 (data);
  ds->flags = data[2];
  ds->time_source = data[3];
  return 0;
}

gint
aes67_ptp_time_properties_ds_write (const Aes67PtpTimePropertiesDS * ds,
    guint8 * buf, gsize len)
{
  if (!ds || !buf)
    return -EINVAL;
  if (len < AES67_PTP_TIME_PROPERTIES_DS_LEN)
    return -ENOSPC;
  wr16 (buf, (guint16) ds->current_utc_offset);
  buf[2] = ds->flags;
  buf[3] = ds->time_source;
  return AES67_PTP_TIME_PROPERTIES_DS_LEN;
}

gint
aes67_ptp_port_ds_parse (const guint8 * data, gsize len, Aes67PtpPortDS * ds)
{
  if (!data || !ds)
    return -EINVAL;
  if (len < AES67_PTP_PORT_DS_LEN)
    return -EBADMSG;
  memcpy (ds->port_identity, data, 10);
  ds->port_state = data[10];
  ds->log_min_delay_req_interval = (gint8) data[11];
  ds->peer_mean_path_delay_scaled = (gint64) rd64 (data + 12);
  ds->log_announce_interval = (gint8) data[20];
  ds->announce_receipt_timeout = data[21];
  ds->log_sync_interval = (gint8) data[22];
  ds->delay_mechanism = data[23];
  ds->log_min_pdelay_req_interval = (gint8) data[24];
  ds->version_number = data[25] & 0x0F;
  return 0;
}

gint
aes67_ptp_port_ds_write (const Aes67PtpPortDS * ds, guint8 * buf, gsize len)
{
  if (!ds || !buf)
    return -EINVAL;
  if (len < AES67_PTP_PORT_DS_LEN)
    return -ENOSPC;
  memcpy (buf, ds->port_identity, 10);
  buf[10] = ds->port_state;
  buf[11] = (guint8) ds->log_min_delay_req_interval;
  wr64 (buf + 12, (guint64) ds->peer_mean_path_delay_scaled);
  buf[20] = (guint8) ds->log_announce_interval;
  buf[21] = ds->announce_receipt_timeout;
  buf[22] = (guint8) ds->log_sync_interval;
  buf[23] = ds->delay_mechanism;
  buf[24] = (guint8) ds->log_min_pdelay_req_interval;
  buf[25] = ds->version_number & 0x0F;
  return AES67_PTP_PORT_DS_LEN;
}

gint
aes67_ptp_time_status_np_parse (const guint8 * data, gsize len,
    Aes67PtpTimeStatusNP * ds)
{
  if (!data || !ds)
    return -EINVAL;
  if (len < AES67_PTP_TIME_STATUS_NP_LEN)
    return -EBADMSG;
  ds->master_offset = (gint64) rd64 (data);
  ds->ingress_time = (gint64) rd64 (data + 8);
  ds->cumulative_scaled_rate_offset = (gint32) rd32 (data + 16);
  ds->scaled_last_gm_phase_change = (gint32) rd32 (data + 20);
  ds->gm_time_base_indicator = rd16 (data + 24);
  memcpy (ds->last_gm_phase_change, data + 26, 12);
  ds->gm_present = (gint32) rd32 (data + 38);
  memcpy (ds->gm_identity, data + 42, 8);
  return 0;
}

gint
aes67_ptp_time_status_np_write (const Aes67PtpTimeStatusNP * ds, guint8 * buf,
    gsize len)
{
  if (!ds || !buf)
    return -EINVAL;
  if (len < AES67_PTP_TIME_STATUS_NP_LEN)
    return -ENOSPC;
  wr64 (buf, (guint64) ds->master_offset);
  wr64 (buf + 8, (guint64) ds->ingress_time);
  wr32 (buf + 16, (guint32) ds->cumulative_scaled_rate_offset);
  wr32 (buf + 20, (guint32) ds->scaled_last_gm_phase_change);
  wr16 (buf + 24, ds->gm_time_base_indicator);
  memcpy (buf + 26, ds->last_gm_phase_change, 12);
  wr32 (buf + 38, (guint32) ds->gm_present);
  memcpy (buf + 42, ds->gm_identity, 8);
  return AES67_PTP_TIME_STATUS_NP_LEN;
}

void
aes67_ptp_format_clock_identity (const guint8 id[8], gchar out[24])
{
  static const gchar hex[] = "0123456789ABCDEF";
  gint i;

  for (i = 0; i < 8; i++) {
    out[i * 3] = hex[id[i] >> 4];
    out[i * 3 + 1] = hex[id[i] & 0x0F];
    out[i * 3 + 2] = (i < 7) ? '-' : '\0';
  }
}

const gchar *
aes67_ptp_port_state_name (guint state)
{
  static const gchar *const names[] = {
    "NONE", "INITIALIZING", "FAULTY", "DISABLED", "LISTENING", "PRE_MASTER",
    "MASTER", "PASSIVE", "UNCALIBRATED", "SLAVE"
  };

  if (state < G_N_ELEMENTS (names))
    return names[state];
  return "UNKNOWN";
}
