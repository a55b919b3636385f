/* gst-aes67: tests of the SAP (RFC 2974) packet codec
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

#include <errno.h>
#include <string.h>
#include <gio/gio.h>
#include <gst/check/gstcheck.h>

#include "aes67-sap.h"
#include "aes67-sap-browser.h"

static const gchar sdp_dante[] =
    "v=0\r\n"
    "o=- 1311738121 1311738121 IN IP4 192.0.2.1\r\n"
    "s=Stage Left\r\n"
    "i=2 channels: Left, Right\r\n"
    "c=IN IP4 239.69.1.10/32\r\n"
    "t=0 0\r\n"
    "a=clock-domain:PTPv2 0\r\n"
    "m=audio 5004 RTP/AVP 97\r\n"
    "c=IN IP4 239.69.1.10/32\r\n"
    "a=rtpmap:97 L24/48000/2\r\n"
    "a=recvonly\r\n"
    "a=ptime:1\r\n"
    "a=framecount:48\r\n"
    "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0\r\n"
    "a=mediaclk:direct=0\r\n";

static const gchar sdp_lf[] =
    "v=0\n" "o=- 7 9 IN IP6 2001:db8::1\n" "s=LF only\n" "t=0 0\n"
    "m=audio 5004 RTP/AVP 96\n" "c=IN IP6 ff0e::101\n"
    "a=rtpmap:96 L16/44100/1\n";

static const gchar sdp_delete_oline[] = "o=- 1311738121 1311738121 IN IP4 "
    "192.0.2.1\r\n";

/* FNV-1a 32-bit of a string, from the published test vectors, folded
 * to 16 bits as (h >> 16) ^ (h & 0xffff). */
GST_START_TEST (test_msg_id_hash)
{
  /* FNV-1a("") = 0x811c9dc5, ("a") = 0xe40c292c, ("foobar") = 0xbf9cf968 */
  fail_unless_equals_int (aes67_sap_msg_id_hash ("", 0), 0x811c ^ 0x9dc5);
  fail_unless_equals_int (aes67_sap_msg_id_hash ("a", 1), 0xe40c ^ 0x292c);
  fail_unless_equals_int (aes67_sap_msg_id_hash ("foobar", 6), 0xbf9c ^ 0xf968);
  /* one byte of difference (the session version) changes the hash */
  {
    gchar *a = g_strdup (sdp_dante);
    gchar *p = strstr (a, "1311738121 IN");
    guint16 h1 = aes67_sap_msg_id_hash (a, strlen (a));

    fail_unless (p != NULL);
    p[9] = '2';
    fail_if (aes67_sap_msg_id_hash (a, strlen (a)) == h1);
    g_free (a);
  }
}

GST_END_TEST;

/* Searches 0..2^24 strings for one whose FNV fold is 0: the hash must then
 * be 1, never 0. The search is bounded; the fold of a 4-byte counter hits
 * 0 about once in 65536 tries. */
GST_START_TEST (test_msg_id_hash_never_zero)
{
  guint32 i;
  gboolean found = FALSE;

  for (i = 0; i < (1u << 24) && !found; i++) {
    guint8 b[4];
    guint32 h = 2166136261u;
    gint k;

    GST_WRITE_UINT32_BE (b, i);
    for (k = 0; k < 4; k++) {
      h ^= b[k];
      h *= 16777619u;
    }
    if (((h >> 16) ^ (h & 0xffff)) == 0) {
      found = TRUE;
      fail_unless_equals_int (aes67_sap_msg_id_hash ((gchar *) b, 4), 1);
    }
  }
  fail_unless (found, "no input with a 0 fold in 2^24 tries");
}

GST_END_TEST;

/* The exact bytes of an uncompressed IPv4 announcement with payload type */
GST_START_TEST (test_build_exact_bytes)
{
  guint8 buf[256];
  const guint8 origin[4] = { 192, 0, 2, 7 };
  const gchar sdp[] = "v=0\r\ns=x\r\n";
  gssize n;
  static const guint8 expect[] = {
    0x20, 0x00, 0xbe, 0xef, 192, 0, 2, 7,
    'a', 'p', 'p', 'l', 'i', 'c', 'a', 't', 'i', 'o', 'n', '/', 's', 'd', 'p',
    0, 'v', '=', '0', '\r', '\n', 's', '=', 'x', '\r', '\n'
  };

  n = aes67_sap_build (AES67_SAP_ANNOUNCE, 0xbeef, origin, FALSE,
      AES67_SAP_PAYLOAD_TYPE, sdp, strlen (sdp), FALSE, buf, sizeof (buf));
  fail_unless_equals_int (n, sizeof (expect));
  fail_unless (memcmp (buf, expect, sizeof (expect)) == 0);

  /* deletion: T bit (0x04) set, nothing else changes */
  n = aes67_sap_build (AES67_SAP_DELETE, 0xbeef, origin, FALSE,
      AES67_SAP_PAYLOAD_TYPE, sdp, strlen (sdp), FALSE, buf, sizeof (buf));
  fail_unless_equals_int (n, sizeof (expect));
  fail_unless_equals_int (buf[0], 0x24);
  fail_unless (memcmp (buf + 1, expect + 1, sizeof (expect) - 1) == 0);

  /* IPv6 origin: A bit (0x10), 16 origin bytes */
  {
    const guint8 o6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 1
    };
    n = aes67_sap_build (AES67_SAP_ANNOUNCE, 0x0102, o6, TRUE, NULL, sdp,
        strlen (sdp), FALSE, buf, sizeof (buf));
    fail_unless_equals_int (n, 4 + 16 + strlen (sdp));
    fail_unless_equals_int (buf[0], 0x30);
    fail_unless_equals_int (buf[2], 0x01);
    fail_unless_equals_int (buf[3], 0x02);
    fail_unless (memcmp (buf + 4, o6, 16) == 0);
    fail_unless (memcmp (buf + 20, sdp, strlen (sdp)) == 0);
  }
}

GST_END_TEST;

GST_START_TEST (test_build_errors)
{
  guint8 buf[64];
  const guint8 origin[4] = { 192, 0, 2, 7 };

  /* hash 0 is reserved */
  fail_unless_equals_int (aes67_sap_build (AES67_SAP_ANNOUNCE, 0, origin,
          FALSE, NULL, "v=0\r\n", 5, FALSE, buf, sizeof (buf)), -EINVAL);
  fail_unless_equals_int (aes67_sap_build (AES67_SAP_ANNOUNCE, 1, NULL,
          FALSE, NULL, "v=0\r\n", 5, FALSE, buf, sizeof (buf)), -EINVAL);
  /* 8 header + 16 type with its NUL + 41 SDP = 65 > 64 */
  fail_unless_equals_int (aes67_sap_build (AES67_SAP_ANNOUNCE, 1, origin,
          FALSE, AES67_SAP_PAYLOAD_TYPE,
          "v=0\r\ns=01234567890123456789012345678901\r\n", 41, FALSE, buf,
          sizeof (buf)), -ENOSPC);
  /* 8 + 16 + 40 = 64 fits exactly */
  fail_unless_equals_int (aes67_sap_build (AES67_SAP_ANNOUNCE, 1, origin,
          FALSE, AES67_SAP_PAYLOAD_TYPE,
          "v=0\r\ns=0123456789012345678901234567890\r\n", 40, FALSE, buf,
          sizeof (buf)), 64);
  fail_unless_equals_int (aes67_sap_build (AES67_SAP_ANNOUNCE, 1, origin,
          FALSE, NULL, "v=0", 3, FALSE, buf, 7), -ENOSPC);
}

GST_END_TEST;

typedef struct
{
  const gchar *what;
  Aes67SapMessageType type;
  gboolean ipv6;
  const gchar *payload_type;
  const gchar *sdp;
  gboolean compress;
} RoundTrip;

static const RoundTrip round_trips[] = {
  {"IPv4 announce, type", AES67_SAP_ANNOUNCE, FALSE, AES67_SAP_PAYLOAD_TYPE,
      sdp_dante, FALSE},
  {"IPv4 announce, no type", AES67_SAP_ANNOUNCE, FALSE, NULL, sdp_dante,
      FALSE},
  {"IPv4 announce, compressed", AES67_SAP_ANNOUNCE, FALSE,
      AES67_SAP_PAYLOAD_TYPE, sdp_dante, TRUE},
  {"IPv4 announce, compressed, no type", AES67_SAP_ANNOUNCE, FALSE, NULL,
      sdp_dante, TRUE},
  {"IPv6 announce, LF SDP", AES67_SAP_ANNOUNCE, TRUE, AES67_SAP_PAYLOAD_TYPE,
      sdp_lf, FALSE},
  {"IPv6 announce, compressed", AES67_SAP_ANNOUNCE, TRUE, NULL, sdp_lf, TRUE},
  {"IPv4 deletion, full SDP", AES67_SAP_DELETE, FALSE,
      AES67_SAP_PAYLOAD_TYPE, sdp_dante, FALSE},
  {"IPv4 deletion, o= line only", AES67_SAP_DELETE, FALSE,
      AES67_SAP_PAYLOAD_TYPE, sdp_delete_oline, FALSE},
  {"IPv4 deletion, o= line, no type", AES67_SAP_DELETE, FALSE, NULL,
      sdp_delete_oline, FALSE},
  {"IPv6 deletion, compressed", AES67_SAP_DELETE, TRUE,
      AES67_SAP_PAYLOAD_TYPE, sdp_lf, TRUE},
  {"upper-case payload type", AES67_SAP_ANNOUNCE, FALSE, "APPLICATION/SDP",
      sdp_lf, FALSE},
};

GST_START_TEST (test_round_trip)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (round_trips); i++) {
    const RoundTrip *rt = &round_trips[i];
    guint8 origin[16];
    guint8 buf[2048];
    Aes67SapPacket pkt;
    GError *err = NULL;
    guint16 hash = aes67_sap_msg_id_hash (rt->sdp, strlen (rt->sdp));
    gssize n;
    guint j;
    gchar *ostr;

    for (j = 0; j < 16; j++)
      origin[j] = 0x10 + i + j;
    n = aes67_sap_build (rt->type, hash, origin, rt->ipv6, rt->payload_type,
        rt->sdp, strlen (rt->sdp), rt->compress, buf, sizeof (buf));
    fail_unless (n > 0, "%s: build returned %d", rt->what, (gint) n);
    /* zlib shrinks the long, repetitive Dante SDP */
    if (rt->compress && rt->sdp == sdp_dante)
      fail_unless ((gsize) n < 4 + 16 + strlen (rt->sdp), "%s: %d bytes",
          rt->what, (gint) n);
    fail_unless (aes67_sap_parse (buf, n, 0, &pkt, &err), "%s: %s",
        rt->what, err ? err->message : "");
    fail_unless_equals_int (pkt.type, rt->type);
    fail_unless_equals_int (pkt.ipv6, rt->ipv6);
    fail_unless_equals_int (pkt.compressed, rt->compress);
    fail_unless_equals_int (pkt.encrypted, FALSE);
    fail_unless_equals_int (pkt.auth_len, 0);
    fail_unless_equals_int (pkt.msg_id_hash, hash);
    fail_unless (memcmp (pkt.origin, origin, rt->ipv6 ? 16 : 4) == 0,
        "%s: origin", rt->what);
    fail_unless_equals_string (pkt.payload_type, rt->payload_type);
    fail_unless_equals_string (pkt.sdp, rt->sdp);
    fail_unless_equals_int (pkt.sdp_len, strlen (rt->sdp));
    ostr = aes67_sap_packet_origin_string (&pkt);
    if (rt->ipv6) {
      gchar *e = g_strdup_printf ("%02x%02x:%02x%02x:%02x%02x:%02x%02x:"
          "%02x%02x:%02x%02x:%02x%02x:%02x%02x", origin[0], origin[1],
          origin[2], origin[3], origin[4], origin[5], origin[6], origin[7],
          origin[8], origin[9], origin[10], origin[11], origin[12],
          origin[13], origin[14], origin[15]);
      fail_unless_equals_string (ostr, e);
      g_free (e);
    } else {
      gchar *e = g_strdup_printf ("%u.%u.%u.%u", origin[0], origin[1],
          origin[2], origin[3]);
      fail_unless_equals_string (ostr, e);
      g_free (e);
    }
    g_free (ostr);
    aes67_sap_packet_clear (&pkt);
  }
}

GST_END_TEST;

/* Authentication data is skipped; trailing NULs after the SDP dropped;
 * encrypted packets are flagged and carry no SDP. */
GST_START_TEST (test_parse_auth_and_flags)
{
  static const guint8 with_auth[] = {
    0x20, 0x02, 0x12, 0x34, 10, 0, 0, 1,
    0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04,     /* 2 words of auth */
    'v', '=', '0', '\n', 's', '=', 'a', '\n', 0, 0
  };
  static const guint8 encrypted[] = {
    0x22, 0x00, 0x00, 0x09, 10, 0, 0, 2, 0x55, 0x66, 0x77
  };
  static const guint8 hash_zero[] = {
    0x20, 0x00, 0x00, 0x00, 10, 0, 0, 3, 'v', '=', '0', '\n'
  };
  Aes67SapPacket pkt;
  GError *err = NULL;

  fail_unless (aes67_sap_parse (with_auth, sizeof (with_auth), 0, &pkt, &err));
  fail_unless_equals_int (pkt.auth_len, 2);
  fail_unless_equals_int (pkt.msg_id_hash, 0x1234);
  fail_unless_equals_string (pkt.sdp, "v=0\ns=a\n");
  fail_unless_equals_int (pkt.sdp_len, 8);
  fail_unless (pkt.payload_type == NULL);
  aes67_sap_packet_clear (&pkt);

  fail_unless (aes67_sap_parse (encrypted, sizeof (encrypted), 0, &pkt, &err));
  fail_unless_equals_int (pkt.encrypted, TRUE);
  fail_unless (pkt.sdp == NULL);
  fail_unless_equals_int (pkt.msg_id_hash, 9);
  aes67_sap_packet_clear (&pkt);

  fail_unless (aes67_sap_parse (hash_zero, sizeof (hash_zero), 0, &pkt, &err));
  fail_unless_equals_int (pkt.msg_id_hash, 0);
  fail_unless_equals_string (pkt.sdp, "v=0\n");
  aes67_sap_packet_clear (&pkt);
}

GST_END_TEST;

typedef struct
{
  const gchar *what;
  const guint8 *data;
  gsize len;
  gsize max_len;
  gint code;
} Malformed;

#define M(what, code, ...) \
  { what, (const guint8 []) { __VA_ARGS__ }, \
    sizeof ((const guint8 []) { __VA_ARGS__ }), 0, code }

static const Malformed malformed[] = {
  M ("1 byte", AES67_SAP_ERROR_TRUNCATED, 0x20),
  M ("3 bytes", AES67_SAP_ERROR_TRUNCATED, 0x20, 0, 1),
  M ("version 0", AES67_SAP_ERROR_VERSION, 0x00, 0, 0, 1, 1, 2, 3, 4, 'v',
      '=', '0'),
  M ("version 2", AES67_SAP_ERROR_VERSION, 0x40, 0, 0, 1, 1, 2, 3, 4, 'v',
      '=', '0'),
  M ("version 7", AES67_SAP_ERROR_VERSION, 0xe0, 0, 0, 1, 1, 2, 3, 4),
  M ("IPv4 origin cut", AES67_SAP_ERROR_TRUNCATED, 0x20, 0, 0, 1, 10, 0, 0),
  M ("IPv6 origin cut", AES67_SAP_ERROR_TRUNCATED, 0x30, 0, 0, 1, 1, 2, 3, 4,
      5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
  M ("auth longer than packet", AES67_SAP_ERROR_TRUNCATED, 0x20, 2, 0, 1,
      10, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7),
  M ("auth 255 words", AES67_SAP_ERROR_TRUNCATED, 0x20, 255, 0, 1, 10, 0, 0,
      1, 'v', '=', '0'),
  M ("no payload", AES67_SAP_ERROR_PAYLOAD, 0x20, 0, 0, 1, 10, 0, 0, 1),
  M ("payload type unterminated", AES67_SAP_ERROR_PAYLOAD_TYPE, 0x20, 0, 0,
      1, 10, 0, 0, 1, 'a', 'p', 'p', 'l'),
  /* a bare o= line is taken as SDP in a deletion only */
  M ("announcement of a bare o= line", AES67_SAP_ERROR_PAYLOAD_TYPE, 0x20, 0,
      0, 1, 10, 0, 0, 1, 'o', '=', '-', ' ', '1'),
  M ("payload type not SDP", AES67_SAP_ERROR_PAYLOAD_TYPE, 0x20, 0, 0, 1, 10,
      0, 0, 1, 't', 'e', 'x', 't', '/', 'x', 0, 'v', '=', '0'),
  M ("payload type with control byte", AES67_SAP_ERROR_PAYLOAD_TYPE, 0x20, 0,
      0, 1, 10, 0, 0, 1, 'a', '\n', 0, 'v', '=', '0'),
  M ("empty payload type", AES67_SAP_ERROR_PAYLOAD_TYPE, 0x20, 0, 0, 1, 10,
      0, 0, 1, 0, 'v', '=', '0'),
  M ("type and nothing after", AES67_SAP_ERROR_PAYLOAD, 0x20, 0, 0, 1, 10, 0,
      0, 1, 'a', 'p', 'p', 'l', 'i', 'c', 'a', 't', 'i', 'o', 'n', '/', 's',
      'd', 'p', 0),
  M ("only NULs", AES67_SAP_ERROR_PAYLOAD_TYPE, 0x20, 0, 0, 1, 10, 0, 0, 1,
      0, 0, 0),
  M ("NUL inside SDP", AES67_SAP_ERROR_PAYLOAD, 0x20, 0, 0, 1, 10, 0, 0, 1,
      'v', '=', '0', 0, 's', '=', 'x'),
  M ("compressed, not zlib", AES67_SAP_ERROR_INFLATE, 0x21, 0, 0, 1, 10, 0,
      0, 1, 'v', '=', '0', '\n'),
  /* zlib header (78 9c) and a stored block cut after its length */
  M ("compressed, truncated", AES67_SAP_ERROR_INFLATE, 0x21, 0, 0, 1, 10, 0,
      0, 1, 0x78, 0x9c, 0x01, 0x05, 0x00, 0xfa, 0xff, 'v', '='),
  /* a lone zlib header byte */
  M ("compressed, empty", AES67_SAP_ERROR_INFLATE, 0x21, 0, 0, 1, 10, 0, 0,
      1, 0x78),
};

GST_START_TEST (test_malformed)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (malformed); i++) {
    const Malformed *m = &malformed[i];
    Aes67SapPacket pkt;
    GError *err = NULL;

    fail_if (aes67_sap_parse (m->data, m->len, m->max_len, &pkt, &err),
        "'%s' parsed", m->what);
    fail_unless (err != NULL, "%s: no error", m->what);
    fail_unless (g_error_matches (err, AES67_SAP_ERROR, m->code),
        "'%s': error %d (%s), expected %d", m->what, err->code, err->message,
        m->code);
    /* the packet is left cleared */
    fail_unless (pkt.sdp == NULL && pkt.payload_type == NULL);
    g_clear_error (&err);
  }
}

GST_END_TEST;

/* Size bounds: a packet over the limit is refused before it is read; a
 * compressed payload that inflates past AES67_SAP_MAX_INFLATED is refused. */
GST_START_TEST (test_bounds)
{
  guint8 *buf = g_malloc0 (AES67_SAP_DEFAULT_MAX_PACKET + 1);
  const guint8 origin[4] = { 10, 0, 0, 1 };
  Aes67SapPacket pkt;
  GError *err = NULL;
  gchar *big;
  gssize n;

  buf[0] = 0x20;
  fail_if (aes67_sap_parse (buf, AES67_SAP_DEFAULT_MAX_PACKET + 1, 0, &pkt,
          &err));
  fail_unless (g_error_matches (err, AES67_SAP_ERROR,
          AES67_SAP_ERROR_TOO_LARGE));
  g_clear_error (&err);
  /* a caller-given limit */
  fail_if (aes67_sap_parse (buf, 101, 100, &pkt, &err));
  fail_unless (g_error_matches (err, AES67_SAP_ERROR,
          AES67_SAP_ERROR_TOO_LARGE));
  g_clear_error (&err);

  /* a zlib bomb: 1 MiB of 'a' compresses to ~1 kB */
  big = g_malloc (1 << 20);
  memset (big, 'a', 1 << 20);
  memcpy (big, "v=0\n", 4);
  n = aes67_sap_build (AES67_SAP_ANNOUNCE, 5, origin, FALSE, NULL, big,
      1 << 20, TRUE, buf, AES67_SAP_DEFAULT_MAX_PACKET);
  fail_unless (n > 0 && n < AES67_SAP_DEFAULT_MAX_PACKET, "n = %d", (gint) n);
  fail_if (aes67_sap_parse (buf, n, 0, &pkt, &err));
  fail_unless (g_error_matches (err, AES67_SAP_ERROR,
          AES67_SAP_ERROR_INFLATE), "%s", err->message);
  g_clear_error (&err);

  /* exactly AES67_SAP_MAX_INFLATED bytes still inflate */
  n = aes67_sap_build (AES67_SAP_ANNOUNCE, 5, origin, FALSE, NULL, big,
      AES67_SAP_MAX_INFLATED, TRUE, buf, AES67_SAP_DEFAULT_MAX_PACKET);
  fail_unless (n > 0);
  fail_unless (aes67_sap_parse (buf, n, 0, &pkt, &err));
  fail_unless_equals_int (pkt.sdp_len, AES67_SAP_MAX_INFLATED);
  aes67_sap_packet_clear (&pkt);
  g_free (big);
  g_free (buf);
}

GST_END_TEST;

/* An independent inflater (GLib's own, driven here without our helper)
 * reads what aes67_sap_build compressed: the payload is plain zlib. */
GST_START_TEST (test_compressed_is_zlib)
{
  guint8 buf[1024];
  guint8 out[1024];
  const guint8 origin[4] = { 10, 0, 0, 1 };
  GZlibDecompressor *z;
  gsize r = 0, w = 0;
  gssize n;
  GConverterResult res;
  const gsize pt = strlen (AES67_SAP_PAYLOAD_TYPE) + 1;

  n = aes67_sap_build (AES67_SAP_ANNOUNCE, 5, origin, FALSE,
      AES67_SAP_PAYLOAD_TYPE, sdp_dante, strlen (sdp_dante), TRUE, buf,
      sizeof (buf));
  fail_unless (n > 8);
  fail_unless_equals_int (buf[0], 0x21);
  /* zlib header: CMF 0x78, (CMF*256 + FLG) % 31 == 0 */
  fail_unless_equals_int (buf[8], 0x78);
  fail_unless_equals_int ((buf[8] * 256 + buf[9]) % 31, 0);
  z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB);
  res = g_converter_convert (G_CONVERTER (z), buf + 8, n - 8, out,
      sizeof (out), G_CONVERTER_INPUT_AT_END, &r, &w, NULL);
  g_object_unref (z);
  fail_unless_equals_int (res, G_CONVERTER_FINISHED);
  fail_unless_equals_int (w, pt + strlen (sdp_dante));
  fail_unless (memcmp (out, AES67_SAP_PAYLOAD_TYPE, pt) == 0);
  fail_unless (memcmp (out + pt, sdp_dante, strlen (sdp_dante)) == 0);
}

GST_END_TEST;

/* SDPs as the browser reads them: what makes a session (GstSDPMessage:
 * an o= and an s= line), and the stream read from it by aes67src's own
 * reader (aes67_sdp_parse), so that what is listed is what plays. NULL
 * name: refused. Not playable: no stream fields, and the reason. */
typedef struct
{
  const gchar *what;
  const gchar *sdp;
  const gchar *name;            /* expected s=, NULL: refused */
  const gchar *key;
  const gchar *address;         /* NULL: not playable */
  guint port, rate, channels;
  const gchar *encoding;
  const gchar *reason;          /* in the reason, when not playable */
  guint pt;
} SdpCase;

static const SdpCase sdp_cases[] = {
  {"Dante-like", sdp_dante, "Stage Left",
        "- 1311738121 IN IP4 192.0.2.1", "239.69.1.10", 5004, 48000, 2, "L24",
      NULL, 97},
  /* aes67src receives IPv4 only */
  {"LF only, IPv6, mono", sdp_lf, "LF only", "- 7 IN IP6 2001:db8::1",
      NULL, 0, 0, 0, NULL, "IP4"},
  {"empty", "", NULL},
  {"garbage", "hello world", NULL},
  {"no o=", "v=0\r\ns=x\r\nt=0 0\r\n", NULL},
  {"o= with 3 fields", "v=0\r\no=- 1 1\r\ns=x\r\n", NULL},
  {"no s=", "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\nt=0 0\r\n", NULL},
  {"no media: a session, no stream fields",
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=Empty\r\nt=0 0\r\n",
      "Empty", "- 1 IN IP4 10.0.0.1", NULL, 0, 0, 0, NULL, "no m=audio"},
  {"video only: not an audio stream",
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=V\r\nt=0 0\r\n"
        "m=video 5000 RTP/AVP 96\r\nc=IN IP4 239.1.1.1\r\n"
        "a=rtpmap:96 raw/90000\r\n",
      "V", "- 1 IN IP4 10.0.0.1", NULL, 0, 0, 0, NULL, "no m=audio"},
  {"audio without rtpmap",
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=A\r\nt=0 0\r\n"
        "m=audio 5004 RTP/AVP 97\r\nc=IN IP4 239.1.1.2/32\r\n",
      "A", "- 1 IN IP4 10.0.0.1", NULL, 0, 0, 0, NULL, "no rtpmap"},
  {"rtpmap channels not a number",
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=B\r\nt=0 0\r\n"
        "m=audio 5004 RTP/AVP 97\r\nc=IN IP4 239.1.1.3/32\r\n"
        "a=rtpmap:97 L24/48000/two\r\n",
      "B", "- 1 IN IP4 10.0.0.1", NULL, 0, 0, 0, NULL, "no rtpmap"},
  {"rtpmap 4096 channels",
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=C\r\nt=0 0\r\n"
        "m=audio 5004 RTP/AVP 97\r\nc=IN IP4 239.1.1.4/32\r\n"
        "a=rtpmap:97 L24/48000/4096\r\n",
      "C", "- 1 IN IP4 10.0.0.1", NULL, 0, 0, 0, NULL, "1-64 channels"},
  {"payload type 200 (not RTP)",
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=D\r\nt=0 0\r\n"
        "m=audio 5004 RTP/AVP 200\r\nc=IN IP4 239.1.1.5/32\r\n"
        "a=rtpmap:200 L24/48000/2\r\n",
      "D", "- 1 IN IP4 10.0.0.1", NULL, 0, 0, 0, NULL, "no RTP payload type"},
  {"session-level c= only",
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=E\r\n"
        "c=IN IP4 239.1.1.6/32\r\nt=0 0\r\n"
        "m=audio 5006 RTP/AVP 98\r\na=rtpmap:98 L16/96000/4\r\n",
        "E", "- 1 IN IP4 10.0.0.1", "239.1.1.6", 5006, 96000, 4, "L16", NULL,
      98},
  /* Dante's mismatch: listed as aes67src plays it, with the warning */
  {"rtpmap for another payload type",
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=F\r\n"
        "c=IN IP4 239.1.1.7/32\r\nt=0 0\r\n"
        "m=audio 5004 RTP/AVP 97\r\na=rtpmap:96 L24/48000/2\r\n",
        "F", "- 1 IN IP4 10.0.0.1", "239.1.1.7", 5004, 48000, 2, "L24", NULL,
      97},
};

GST_START_TEST (test_sdp_table)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (sdp_cases); i++) {
    const SdpCase *c = &sdp_cases[i];
    GError *err = NULL;
    GstAes67SapSession *s = gst_aes67_sap_session_new (c->sdp, "192.0.2.9",
        7, &err);

    if (!c->name) {
      fail_unless (s == NULL, "'%s' was taken", c->what);
      fail_unless (err != NULL, "'%s': no error", c->what);
      g_clear_error (&err);
      continue;
    }
    fail_unless (s != NULL, "'%s' refused: %s", c->what,
        err ? err->message : "");
    fail_unless_equals_string (s->name, c->name);
    fail_unless_equals_string (s->key, c->key);
    fail_unless_equals_string (s->sdp, c->sdp);
    fail_unless_equals_string (s->origin, "192.0.2.9");
    fail_unless_equals_int (s->msg_id_hash, 7);
    fail_unless_equals_string (s->address, c->address);
    fail_unless_equals_int (s->port, c->port);
    fail_unless_equals_int (s->rate, c->rate);
    fail_unless_equals_int (s->channels, c->channels);
    fail_unless_equals_string (s->encoding, c->encoding);
    fail_unless_equals_int (s->playable, c->address != NULL);
    if (c->address) {
      fail_unless (s->reason == NULL);
      fail_unless_equals_int (s->payload_type, c->pt);
      /* the mismatch warns, naming both numbers */
      fail_unless_equals_int (s->warnings != NULL, c->pt == 97 && s->name[0]
          == 'F');
      if (s->warnings)
        fail_unless (strstr (s->warnings[0], "96")
            && strstr (s->warnings[0], "97"), "%s", s->warnings[0]);
    } else {
      fail_unless (s->reason && strstr (s->reason, c->reason), "'%s': "
          "reason '%s'", c->what, GST_STR_NULL (s->reason));
    }
    gst_aes67_sap_session_unref (s);
  }
}

GST_END_TEST;

static Suite *
sap_suite (void)
{
  Suite *s = suite_create ("sap");
  TCase *tc = tcase_create ("codec");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_msg_id_hash);
  tcase_add_test (tc, test_msg_id_hash_never_zero);
  tcase_add_test (tc, test_build_exact_bytes);
  tcase_add_test (tc, test_build_errors);
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_parse_auth_and_flags);
  tcase_add_test (tc, test_malformed);
  tcase_add_test (tc, test_bounds);
  tcase_add_test (tc, test_compressed_is_zlib);
  tcase_add_test (tc, test_sdp_table);
  return s;
}

GST_CHECK_MAIN (sap);
