/* gst-aes67: SAP (RFC 2974) packet codec
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * Plain C, no GObject types: builds and parses SAP announcement and deletion
 * packets. Every length is checked before it is read; fields are read and
 * written with explicit big-endian accessors.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | V=1 |A|R|T|E|C|   auth len    |         msg id hash           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * :      originating source (32 bits IPv4, 128 bits IPv6 if A=1)  :
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       optional authentication data (auth len 32-bit words)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  optional payload type ("application/sdp\0")                  |
 * |  payload (the SDP; zlib-compressed with the type when C=1)     |
 */
#ifndef __AES67_SAP_H__
#define __AES67_SAP_H__

#include <glib.h>

G_BEGIN_DECLS

#define AES67_SAP_PORT            9875
/* AES67 devices (Dante, aes67-linux-daemon, PipeWire) */
#define AES67_SAP_ADDRESS_AES67   "239.255.255.255"
/* RFC 2974's global scope address */
#define AES67_SAP_ADDRESS_GLOBAL  "224.2.127.254"
#define AES67_SAP_PAYLOAD_TYPE    "application/sdp"

/* Largest SAP packet accepted by default, in bytes (RFC 2974 asks senders
 * to stay under 1 kB; multichannel SDPs can be a little larger). */
#define AES67_SAP_DEFAULT_MAX_PACKET  4096
/* Largest SDP a compressed payload may inflate to, in bytes. */
#define AES67_SAP_MAX_INFLATED        16384

#define AES67_SAP_ERROR (aes67_sap_error_quark ())

typedef enum {
  AES67_SAP_ERROR_TRUNCATED,      /* shorter than its header says */
  AES67_SAP_ERROR_VERSION,        /* V is not 1 */
  AES67_SAP_ERROR_PAYLOAD_TYPE,   /* unterminated or not application/sdp */
  AES67_SAP_ERROR_PAYLOAD,        /* empty payload, NUL inside the SDP */
  AES67_SAP_ERROR_INFLATE,        /* zlib data bad or too large */
  AES67_SAP_ERROR_TOO_LARGE,      /* packet larger than allowed */
} Aes67SapError;

typedef enum {
  AES67_SAP_ANNOUNCE = 0,
  AES67_SAP_DELETE = 1,
} Aes67SapMessageType;

/* A parsed packet. Strings are owned; free with aes67_sap_packet_clear(). */
typedef struct {
  Aes67SapMessageType type;
  gboolean ipv6;                /* A bit: origin is 16 bytes */
  gboolean encrypted;           /* E bit: payload not parsed, sdp NULL */
  gboolean compressed;          /* C bit: payload was inflated */
  guint8 auth_len;              /* in 32-bit words, skipped */
  guint16 msg_id_hash;          /* 0 means the sender does not use it */
  guint8 origin[16];            /* network order; 4 bytes used for IPv4 */
  gchar *payload_type;          /* NULL when the packet had none */
  gchar *sdp;                   /* NUL-terminated; NULL when encrypted */
  gsize sdp_len;                /* strlen (sdp) */
} Aes67SapPacket;

GQuark aes67_sap_error_quark (void);

/* The message id hash of @sdp (@len bytes): a 16-bit fold of FNV-1a, never
 * 0, so it changes whenever the SDP text changes (barring collisions). */
guint16 aes67_sap_msg_id_hash (const gchar * sdp, gsize len);

/* Writes a packet into @buf (@size bytes). @origin holds 4 bytes (or 16 when
 * @ipv6) in network order. @payload_type may be NULL (then none is written).
 * When @compress, payload type and SDP are zlib-compressed and C is set.
 * Returns the packet length, or -EINVAL (bad arguments, hash 0) or -ENOSPC
 * (@buf too small). */
gssize aes67_sap_build (Aes67SapMessageType type, guint16 msg_id_hash,
    const guint8 * origin, gboolean ipv6, const gchar * payload_type,
    const gchar * sdp, gsize sdp_len, gboolean compress, guint8 * buf,
    gsize size);

/* Parses @len bytes of @data (at most @max_len; 0 means
 * AES67_SAP_DEFAULT_MAX_PACKET) into @pkt. Encrypted packets parse to
 * @pkt->encrypted = TRUE with no SDP. On failure returns FALSE, sets @error
 * (AES67_SAP_ERROR) and leaves @pkt cleared. */
gboolean aes67_sap_parse (const guint8 * data, gsize len, gsize max_len,
    Aes67SapPacket * pkt, GError ** error);

void aes67_sap_packet_clear (Aes67SapPacket * pkt);

/* Formats the originating source of @pkt ("192.0.2.1", "2001:db8::1") into
 * a newly allocated string. */
gchar *aes67_sap_packet_origin_string (const Aes67SapPacket * pkt);

G_END_DECLS

#endif /* __AES67_SAP_H__ */
