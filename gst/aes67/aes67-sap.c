/* gst-aes67: SAP (RFC 2974) packet codec
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

#include "aes67-sap.h"
#include "aes67-sdp.h"          /* aes67_hash32_data */

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <gio/gio.h>
#include <gst/gst.h>            /* GST_READ_UINT16_BE / GST_WRITE_UINT16_BE */

#define SAP_FLAG_A 0x10
#define SAP_FLAG_R 0x08
#define SAP_FLAG_T 0x04
#define SAP_FLAG_E 0x02
#define SAP_FLAG_C 0x01

/* *INDENT-OFF* */
G_DEFINE_QUARK (aes67-sap-error-quark, aes67_sap_error);
/* *INDENT-ON* */

guint16
aes67_sap_msg_id_hash (const gchar * sdp, gsize len)
{
  guint32 h = aes67_hash32_data ((const guint8 *) sdp, len, 0);
  guint16 r;

  r = (guint16) ((h >> 16) ^ (h & 0xffff));
  return r ? r : 1;
}

/* Runs @conv over @in into a new buffer of at most @max bytes. Returns the
 * buffer (NUL-terminated, length in @out_len) or NULL with @error set. */
static guint8 *
run_converter (GConverter * conv, const guint8 * in, gsize in_len, gsize max,
    gsize * out_len, GError ** error)
{
  gsize cap = MIN (max, MAX (in_len * 4, 256));
  guint8 *out = g_malloc (cap + 1);
  gsize done_in = 0, done_out = 0;

  for (;;) {
    gsize r = 0, w = 0;
    GConverterResult res;
    GError *err = NULL;
    gboolean full = done_out == cap;

    if (!full) {
      res = g_converter_convert (conv, in + done_in, in_len - done_in,
          out + done_out, cap - done_out, G_CONVERTER_INPUT_AT_END, &r, &w,
          &err);
      /* no room for the next piece: grow and retry */
      full = res == G_CONVERTER_ERROR && g_error_matches (err, G_IO_ERROR,
          G_IO_ERROR_NO_SPACE);
      if (full)
        g_clear_error (&err);
    }
    if (full) {
      if (cap >= max) {
        g_set_error (error, AES67_SAP_ERROR, AES67_SAP_ERROR_INFLATE,
            "payload inflates to more than %" G_GSIZE_FORMAT " bytes", max);
        g_free (out);
        return NULL;
      }
      cap = MIN (max, cap * 2);
      out = g_realloc (out, cap + 1);
      continue;
    }
    if (res == G_CONVERTER_ERROR) {
      g_set_error (error, AES67_SAP_ERROR, AES67_SAP_ERROR_INFLATE,
          "bad zlib data: %s", err->message);
      g_clear_error (&err);
      g_free (out);
      return NULL;
    }
    done_in += r;
    done_out += w;
    if (res == G_CONVERTER_FINISHED)
      break;
    if (r == 0 && w == 0 && done_out < cap) {
      g_set_error (error, AES67_SAP_ERROR, AES67_SAP_ERROR_INFLATE,
          "zlib data ends early");
      g_free (out);
      return NULL;
    }
  }
  out[done_out] = 0;
  *out_len = done_out;
  return out;
}

gssize
aes67_sap_build (Aes67SapMessageType type, guint16 msg_id_hash,
    const guint8 * origin, gboolean ipv6, const gchar * payload_type,
    const gchar * sdp, gsize sdp_len, gboolean compress, guint8 * buf,
    gsize size)
{
  gsize hdr = 4 + (ipv6 ? 16 : 4);
  gsize pt_len = payload_type ? strlen (payload_type) + 1 : 0;
  gsize off;

  if (!origin || !sdp || !buf || msg_id_hash == 0
      || (type != AES67_SAP_ANNOUNCE && type != AES67_SAP_DELETE))
    return -EINVAL;
  if (size < hdr)
    return -ENOSPC;

  buf[0] = (1 << 5) | (ipv6 ? SAP_FLAG_A : 0)
      | (type == AES67_SAP_DELETE ? SAP_FLAG_T : 0)
      | (compress ? SAP_FLAG_C : 0);
  buf[1] = 0;                   /* no authentication data */
  GST_WRITE_UINT16_BE (buf + 2, msg_id_hash);
  memcpy (buf + 4, origin, ipv6 ? 16 : 4);
  off = hdr;

  if (!compress) {
    if (size - off < pt_len + sdp_len)
      return -ENOSPC;
    if (pt_len)
      memcpy (buf + off, payload_type, pt_len);
    memcpy (buf + off + pt_len, sdp, sdp_len);
    return off + pt_len + sdp_len;
  } else {
    GZlibCompressor *z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB,
        -1);
    guint8 *plain = g_malloc (pt_len + sdp_len + 1);
    guint8 *packed;
    gsize packed_len = 0;

    if (pt_len)
      memcpy (plain, payload_type, pt_len);
    memcpy (plain + pt_len, sdp, sdp_len);
    packed = run_converter (G_CONVERTER (z), plain, pt_len + sdp_len,
        size - off, &packed_len, NULL);
    g_free (plain);
    g_object_unref (z);
    if (!packed)
      return -ENOSPC;
    memcpy (buf + off, packed, packed_len);
    g_free (packed);
    return off + packed_len;
  }
}

void
aes67_sap_packet_clear (Aes67SapPacket * pkt)
{
  g_free (pkt->payload_type);
  g_free (pkt->sdp);
  memset (pkt, 0, sizeof (*pkt));
}

static gboolean
parse_payload (Aes67SapPacket * pkt, const guint8 * p, gsize n, GError ** error)
{
  gsize sdp_len;
  gboolean is_sdp, is_oline;

  /* the payload type is optional: a payload starting with "v=0" is SDP,
   * and so is a deletion's bare "o=" line */
  is_sdp = n >= 3 && memcmp (p, "v=0", 3) == 0;
  is_oline = pkt->type == AES67_SAP_DELETE && n >= 2
      && memcmp (p, "o=", 2) == 0;
  if (!is_sdp && !is_oline) {
    const guint8 *nul = memchr (p, 0, n);
    gsize i;

    if (!nul) {
      g_set_error (error, AES67_SAP_ERROR, AES67_SAP_ERROR_PAYLOAD_TYPE,
          "payload type not terminated and payload is not SDP");
      return FALSE;
    }
    for (i = 0; p + i < nul; i++) {
      if (p[i] < 0x21 || p[i] > 0x7e) {
        g_set_error (error, AES67_SAP_ERROR, AES67_SAP_ERROR_PAYLOAD_TYPE,
            "payload type contains byte 0x%02x", p[i]);
        return FALSE;
      }
    }
    pkt->payload_type = g_strndup ((const gchar *) p, nul - p);
    n -= (nul - p) + 1;
    p = nul + 1;
    if (g_ascii_strcasecmp (pkt->payload_type, AES67_SAP_PAYLOAD_TYPE) != 0) {
      g_set_error (error, AES67_SAP_ERROR, AES67_SAP_ERROR_PAYLOAD_TYPE,
          "payload type '%s' is not " AES67_SAP_PAYLOAD_TYPE,
          pkt->payload_type);
      return FALSE;
    }
  }
  /* some senders end the SDP with NULs */
  sdp_len = n;
  while (sdp_len > 0 && p[sdp_len - 1] == 0)
    sdp_len--;
  if (sdp_len == 0) {
    g_set_error (error, AES67_SAP_ERROR, AES67_SAP_ERROR_PAYLOAD,
        "empty payload");
    return FALSE;
  }
  if (memchr (p, 0, sdp_len)) {
    g_set_error (error, AES67_SAP_ERROR, AES67_SAP_ERROR_PAYLOAD,
        "NUL byte inside the SDP");
    return FALSE;
  }
  pkt->sdp = g_strndup ((const gchar *) p, sdp_len);
  pkt->sdp_len = sdp_len;
  return TRUE;
}

gboolean
aes67_sap_parse (const guint8 * data, gsize len, gsize max_len,
    Aes67SapPacket * pkt, GError ** error)
{
  gsize off, olen;
  guint8 flags;
  gboolean ok;

  memset (pkt, 0, sizeof (*pkt));
  if (max_len == 0)
    max_len = AES67_SAP_DEFAULT_MAX_PACKET;
  if (len > max_len) {
    g_set_error (error, AES67_SAP_ERROR, AES67_SAP_ERROR_TOO_LARGE,
        "packet of %" G_GSIZE_FORMAT " bytes is larger than %" G_GSIZE_FORMAT,
        len, max_len);
    return FALSE;
  }
  if (!data || len < 4) {
    g_set_error (error, AES67_SAP_ERROR, AES67_SAP_ERROR_TRUNCATED,
        "packet of %" G_GSIZE_FORMAT " bytes is shorter than a SAP header",
        len);
    return FALSE;
  }
  flags = data[0];
  if ((flags >> 5) != 1) {
    g_set_error (error, AES67_SAP_ERROR, AES67_SAP_ERROR_VERSION,
        "SAP version %u, expected 1", flags >> 5);
    return FALSE;
  }
  pkt->ipv6 = (flags & SAP_FLAG_A) != 0;
  pkt->type = (flags & SAP_FLAG_T) ? AES67_SAP_DELETE : AES67_SAP_ANNOUNCE;
  pkt->encrypted = (flags & SAP_FLAG_E) != 0;
  pkt->compressed = (flags & SAP_FLAG_C) != 0;
  pkt->auth_len = data[1];
  pkt->msg_id_hash = GST_READ_UINT16_BE (data + 2);
  olen = pkt->ipv6 ? 16 : 4;
  if (len < 4 + olen) {
    g_set_error (error, AES67_SAP_ERROR, AES67_SAP_ERROR_TRUNCATED,
        "packet of %" G_GSIZE_FORMAT " bytes ends inside the %s origin", len,
        pkt->ipv6 ? "IPv6" : "IPv4");
    goto fail;
  }
  memcpy (pkt->origin, data + 4, olen);
  off = 4 + olen;
  if (len - off < (gsize) pkt->auth_len * 4) {
    g_set_error (error, AES67_SAP_ERROR, AES67_SAP_ERROR_TRUNCATED,
        "authentication data of %u bytes runs past the packet end",
        pkt->auth_len * 4);
    goto fail;
  }
  off += (gsize) pkt->auth_len * 4;

  if (pkt->encrypted)
    return TRUE;                /* counted and skipped by the caller */

  if (off == len) {
    g_set_error (error, AES67_SAP_ERROR, AES67_SAP_ERROR_PAYLOAD, "no payload");
    goto fail;
  }
  if (pkt->compressed) {
    GZlibDecompressor *z =
        g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB);
    gsize plain_len = 0;
    guint8 *plain = run_converter (G_CONVERTER (z), data + off, len - off,
        AES67_SAP_MAX_INFLATED, &plain_len, error);

    g_object_unref (z);
    if (!plain)
      goto fail;
    ok = parse_payload (pkt, plain, plain_len, error);
    g_free (plain);
  } else {
    ok = parse_payload (pkt, data + off, len - off, error);
  }
  if (!ok)
    goto fail;
  return TRUE;

fail:
  aes67_sap_packet_clear (pkt);
  return FALSE;
}

gchar *
aes67_sap_packet_origin_string (const Aes67SapPacket * pkt)
{
  gchar s[INET6_ADDRSTRLEN];

  if (!inet_ntop (pkt->ipv6 ? AF_INET6 : AF_INET, pkt->origin, s, sizeof (s)))
    return g_strdup ("?");
  return g_strdup (s);
}
