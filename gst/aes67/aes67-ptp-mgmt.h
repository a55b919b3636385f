/* gst-aes67: IEEE 1588-2008 management messages, as ptp4l speaks them
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * Plain C, no GObject: encodes GET requests and decodes the responses that
 * linuxptp's ptp4l sends back over its management Unix socket, and the data
 * sets ptpclock needs (CURRENT_DATA_SET, PARENT_DATA_SET,
 * TIME_PROPERTIES_DATA_SET, PORT_DATA_SET, linuxptp's TIME_STATUS_NP).
 * Every function checks lengths before reading and returns 0 (or a byte
 * count) on success and a negative errno on failure:
 *
 *   -EINVAL   an argument is wrong (NULL, out of range)
 *   -ENOSPC   the output buffer is too small
 *   -EBADMSG  the input is malformed (short, wrong message type or version,
 *             a length that runs past the end, a data set of the wrong size)
 *   -ENOMSG   the message is well formed but not the reply awaited (another
 *             domain, sequence id, action or management id)
 *   -EREMOTEIO  the peer answered with a MANAGEMENT_ERROR_STATUS TLV
 *
 * Layout (IEEE 1588-2008 13.3 and 15.4): a 34-byte common header
 * (messageType 0xD), a 14-byte management body (targetPortIdentity,
 * startingBoundaryHops, boundaryHops, actionField), then one TLV: type
 * MANAGEMENT (1) with a 16-bit managementId and the data set, or
 * MANAGEMENT_ERROR_STATUS (2). All fields big-endian.
 */
#ifndef __AES67_PTP_MGMT_H__
#define __AES67_PTP_MGMT_H__

#include <glib.h>

G_BEGIN_DECLS

#define AES67_PTP_HEADER_LEN            34
#define AES67_PTP_MGMT_BODY_LEN         14
#define AES67_PTP_TLV_HEADER_LEN        4
/* header + body + TLV header + managementId */
#define AES67_PTP_MGMT_MIN_LEN          (AES67_PTP_HEADER_LEN + \
    AES67_PTP_MGMT_BODY_LEN + AES67_PTP_TLV_HEADER_LEN + 2)
#define AES67_PTP_MGMT_MAX_LEN          1500

#define AES67_PTP_MSGTYPE_MANAGEMENT    0x0D
#define AES67_PTP_VERSION               2
#define AES67_PTP_CONTROL_MANAGEMENT    0x04

#define AES67_PTP_TLV_MANAGEMENT              0x0001
#define AES67_PTP_TLV_MANAGEMENT_ERROR_STATUS 0x0002

typedef enum {
  AES67_PTP_ACTION_GET = 0,
  AES67_PTP_ACTION_SET = 1,
  AES67_PTP_ACTION_RESPONSE = 2,
  AES67_PTP_ACTION_COMMAND = 3,
  AES67_PTP_ACTION_ACKNOWLEDGE = 4,
} Aes67PtpAction;

/* managementId values */
#define AES67_PTP_MID_CURRENT_DATA_SET          0x2001
#define AES67_PTP_MID_PARENT_DATA_SET           0x2002
#define AES67_PTP_MID_TIME_PROPERTIES_DATA_SET  0x2003
#define AES67_PTP_MID_PORT_DATA_SET             0x2004
#define AES67_PTP_MID_TIME_STATUS_NP            0xC000

/* data set sizes on the wire (without the managementId) */
#define AES67_PTP_CURRENT_DS_LEN        18
#define AES67_PTP_PARENT_DS_LEN         32
#define AES67_PTP_TIME_PROPERTIES_DS_LEN 4
#define AES67_PTP_PORT_DS_LEN           26
#define AES67_PTP_TIME_STATUS_NP_LEN    50

/* timePropertiesDS flags */
#define AES67_PTP_FLAG_LEAP_61          0x01
#define AES67_PTP_FLAG_LEAP_59          0x02
#define AES67_PTP_FLAG_UTC_OFF_VALID    0x04
#define AES67_PTP_FLAG_PTP_TIMESCALE    0x08
#define AES67_PTP_FLAG_TIME_TRACEABLE   0x10
#define AES67_PTP_FLAG_FREQ_TRACEABLE   0x20

typedef enum {
  AES67_PTP_PORT_STATE_NONE = 0,
  AES67_PTP_PORT_STATE_INITIALIZING = 1,
  AES67_PTP_PORT_STATE_FAULTY = 2,
  AES67_PTP_PORT_STATE_DISABLED = 3,
  AES67_PTP_PORT_STATE_LISTENING = 4,
  AES67_PTP_PORT_STATE_PRE_MASTER = 5,
  AES67_PTP_PORT_STATE_MASTER = 6,
  AES67_PTP_PORT_STATE_PASSIVE = 7,
  AES67_PTP_PORT_STATE_UNCALIBRATED = 8,
  AES67_PTP_PORT_STATE_SLAVE = 9,
} Aes67PtpPortState;

/* A management message, decoded (or to encode). @data points into the
 * parsed buffer (not copied) and is @data_len bytes long. */
typedef struct {
  guint8 domain;
  guint16 sequence_id;
  guint8 source_port_identity[10];      /* clockIdentity + portNumber */
  guint8 target_port_identity[10];
  guint8 starting_boundary_hops;
  guint8 boundary_hops;
  guint8 action;                        /* Aes67PtpAction */
  guint16 tlv_type;                     /* AES67_PTP_TLV_* */
  guint16 management_id;
  guint16 error_id;                     /* only for an error status TLV */
  const guint8 *data;
  gsize data_len;
} Aes67PtpMgmtMsg;

typedef struct {
  guint16 steps_removed;
  gint64 offset_from_master_scaled;     /* ns * 2^16 */
  gint64 mean_path_delay_scaled;        /* ns * 2^16 */
} Aes67PtpCurrentDS;

typedef struct {
  guint8 parent_port_identity[10];
  guint8 parent_stats;
  guint16 observed_parent_offset_scaled_log_variance;
  gint32 observed_parent_clock_phase_change_rate;
  guint8 gm_priority1;
  guint8 gm_clock_class;
  guint8 gm_clock_accuracy;
  guint16 gm_offset_scaled_log_variance;
  guint8 gm_priority2;
  guint8 gm_identity[8];
} Aes67PtpParentDS;

typedef struct {
  gint16 current_utc_offset;            /* s, TAI - UTC */
  guint8 flags;                         /* AES67_PTP_FLAG_* */
  guint8 time_source;
} Aes67PtpTimePropertiesDS;

typedef struct {
  guint8 port_identity[10];
  guint8 port_state;                    /* Aes67PtpPortState */
  gint8 log_min_delay_req_interval;
  gint64 peer_mean_path_delay_scaled;   /* ns * 2^16 */
  gint8 log_announce_interval;
  guint8 announce_receipt_timeout;
  gint8 log_sync_interval;
  guint8 delay_mechanism;
  gint8 log_min_pdelay_req_interval;
  guint8 version_number;
} Aes67PtpPortDS;

typedef struct {
  gint64 master_offset;                 /* ns */
  gint64 ingress_time;                  /* ns, local time of the last sync */
  gint32 cumulative_scaled_rate_offset;
  gint32 scaled_last_gm_phase_change;
  guint16 gm_time_base_indicator;
  guint8 last_gm_phase_change[12];      /* ScaledNs, kept as bytes */
  gint32 gm_present;
  guint8 gm_identity[8];
} Aes67PtpTimeStatusNP;

/* Writes a management message: header, body, one TLV carrying @msg's
 * management_id (or, when tlv_type is the error status, error_id and
 * management_id) followed by @msg->data. Returns the number of bytes written
 * or a negative errno. */
gint aes67_ptp_mgmt_write (const Aes67PtpMgmtMsg * msg, guint8 * buf,
    gsize buf_len);

/* Writes a GET request for @management_id to all ports (targetPortIdentity
 * all ones), boundaryHops 0, from @source_port_identity (10 bytes, may be
 * NULL for zeros). Returns the length (54) or a negative errno. */
gint aes67_ptp_mgmt_write_get (guint8 domain, guint16 sequence_id,
    const guint8 * source_port_identity, guint16 management_id, guint8 * buf,
    gsize buf_len);

/* Decodes @buf into @msg. Returns 0, -EBADMSG, or -EINVAL. An error status
 * TLV decodes with tlv_type AES67_PTP_TLV_MANAGEMENT_ERROR_STATUS and
 * error_id set; it is not an error here. */
gint aes67_ptp_mgmt_parse (const guint8 * buf, gsize len, Aes67PtpMgmtMsg * msg);

/* Checks that a decoded @msg is the RESPONSE to a GET of @management_id sent
 * on @domain with @sequence_id. Returns 0, -ENOMSG (not that reply), or
 * -EREMOTEIO (it is that reply, but an error status). */
gint aes67_ptp_mgmt_check_reply (const Aes67PtpMgmtMsg * msg, guint8 domain,
    guint16 sequence_id, guint16 management_id);

/* Data set codecs: *_parse read exactly the data set's length (-EBADMSG if
 * @len is shorter; longer is accepted, ptp4l may pad), *_write return the
 * number of bytes written or -ENOSPC. */
gint aes67_ptp_current_ds_parse (const guint8 * data, gsize len,
    Aes67PtpCurrentDS * ds);
gint aes67_ptp_current_ds_write (const Aes67PtpCurrentDS * ds, guint8 * buf,
    gsize len);
gint aes67_ptp_parent_ds_parse (const guint8 * data, gsize len,
    Aes67PtpParentDS * ds);
gint aes67_ptp_parent_ds_write (const Aes67PtpParentDS * ds, guint8 * buf,
    gsize len);
gint aes67_ptp_time_properties_ds_parse (const guint8 * data, gsize len,
    Aes67PtpTimePropertiesDS * ds);
gint aes67_ptp_time_properties_ds_write (const Aes67PtpTimePropertiesDS * ds,
    guint8 * buf, gsize len);
gint aes67_ptp_port_ds_parse (const guint8 * data, gsize len,
    Aes67PtpPortDS * ds);
gint aes67_ptp_port_ds_write (const Aes67PtpPortDS * ds, guint8 * buf,
    gsize len);
gint aes67_ptp_time_status_np_parse (const guint8 * data, gsize len,
    Aes67PtpTimeStatusNP * ds);
gint aes67_ptp_time_status_np_write (const Aes67PtpTimeStatusNP * ds,
    guint8 * buf, gsize len);

/* Formats an 8-byte clock identity as SDP writes it (RFC 7273, IEEE EUI-64):
 * "00-1D-C1-FF-FE-50-36-33". @out must hold 24 bytes. */
void aes67_ptp_format_clock_identity (const guint8 id[8], gchar out[24]);

/* Port state name as ptp4l prints it ("SLAVE"), "UNKNOWN" otherwise. */
const gchar *aes67_ptp_port_state_name (guint state);

G_END_DECLS

#endif /* __AES67_PTP_MGMT_H__ */
