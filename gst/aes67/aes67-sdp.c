/* gst-aes67: AES67 session descriptions (SDP)
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See aes67-sdp.h. Parsing and text output are GstSDPMessage's; this file
 * only knows which records an AES67 stream has, and in which order.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "aes67-sdp.h"

#include <gst/sdp/sdp.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>

G_DEFINE_QUARK (aes67 - sdp - error - quark, aes67_sdp_error);

void
aes67_sdp_stream_init (Aes67SdpStream * s)
{
  memset (s, 0, sizeof (*s));
  s->ptp_domain = -1;
  s->ttl = 32;
}

void
aes67_sdp_stream_clear (Aes67SdpStream * s)
{
  g_free (s->session_name);
  g_free (s->info);
  g_free (s->origin_address);
  g_free (s->address);
  g_free (s->encoding);
  g_free (s->source_filter);
  g_free (s->ptp_gmid);
  g_free (s->localmac);
  g_free (s->ts_refclk);
  aes67_sdp_stream_init (s);
}

guint
aes67_ptime_to_frames (guint ptime_us, guint rate)
{
  guint64 frames;

  if (ptime_us == 333)          /* AES67's 1/3 ms */
    return (rate + 1500) / 3000;
  frames = ((guint64) ptime_us * rate + 500000) / 1000000;
  return (guint) frames;
}

gchar *
aes67_ptime_to_string (guint ptime_us)
{
  gchar frac[8];
  gint n;

  if (ptime_us % 1000 == 0)
    return g_strdup_printf ("%u", ptime_us / 1000);
  /* integers only: never a locale's decimal comma */
  g_snprintf (frac, sizeof (frac), "%03u", ptime_us % 1000);
  for (n = strlen (frac); n > 1 && frac[n - 1] == '0'; n--)
    frac[n - 1] = '\0';
  return g_strdup_printf ("%u.%s", ptime_us / 1000, frac);
}

guint32
aes67_hash32 (const gchar * str, guint32 seed)
{
  guint32 h = 2166136261u ^ seed;

  for (; str && *str; str++) {
    h ^= (guint8) * str;
    h *= 16777619u;
  }
  return h;
}

gchar *
aes67_sdp_build (const Aes67SdpStream * s, GError ** error)
{
  GstSDPMessage *msg;
  GstSDPMedia *media;
  gchar *tmp, *text, *sess_id, *sess_ver;
  gboolean mc;

  if (!s->address || !s->port || !s->encoding || !s->rate || !s->channels
      || !s->ptime_us || !s->origin_address) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_NO_STREAM,
        "incomplete stream description (address %s, port %u, encoding %s, "
        "rate %u, channels %u, ptime %u µs, origin %s)",
        GST_STR_NULL (s->address), s->port, GST_STR_NULL (s->encoding),
        s->rate, s->channels, s->ptime_us, GST_STR_NULL (s->origin_address));
    return NULL;
  }
  mc = gst_sdp_address_is_multicast ("IN", "IP4", s->address);

  gst_sdp_message_new (&msg);
  gst_sdp_message_set_version (msg, "0");
  sess_id = g_strdup_printf ("%" G_GUINT64_FORMAT, s->session_id);
  sess_ver = g_strdup_printf ("%" G_GUINT64_FORMAT, s->session_version);
  gst_sdp_message_set_origin (msg, "-", sess_id, sess_ver, "IN", "IP4",
      s->origin_address);
  g_free (sess_id);
  g_free (sess_ver);
  gst_sdp_message_set_session_name (msg,
      s->session_name ? s->session_name : "-");
  if (s->info)
    gst_sdp_message_set_information (msg, s->info);
  gst_sdp_message_set_connection (msg, "IN", "IP4", s->address,
      mc ? s->ttl : 0, 0);
  gst_sdp_message_add_time (msg, "0", "0", NULL);
  if (s->ptp_domain >= 0) {
    tmp = g_strdup_printf ("PTPv2 %d", s->ptp_domain);
    gst_sdp_message_add_attribute (msg, "clock-domain", tmp);
    g_free (tmp);
  }

  gst_sdp_media_new (&media);
  gst_sdp_media_set_media (media, "audio");
  gst_sdp_media_set_port_info (media, s->port, 1);
  gst_sdp_media_set_proto (media, "RTP/AVP");
  tmp = g_strdup_printf ("%u", s->payload_type);
  gst_sdp_media_add_format (media, tmp);
  g_free (tmp);
  gst_sdp_media_add_connection (media, "IN", "IP4", s->address,
      mc ? s->ttl : 0, 0);
  tmp = g_strdup_printf ("%u %s/%u/%u", s->payload_type, s->encoding, s->rate,
      s->channels);
  gst_sdp_media_add_attribute (media, "rtpmap", tmp);
  g_free (tmp);
  gst_sdp_media_add_attribute (media, "recvonly", NULL);
  tmp = aes67_ptime_to_string (s->ptime_us);
  gst_sdp_media_add_attribute (media, "ptime", tmp);
  g_free (tmp);
  tmp = g_strdup_printf ("%u", s->framecount ? s->framecount :
      aes67_ptime_to_frames (s->ptime_us, s->rate));
  gst_sdp_media_add_attribute (media, "framecount", tmp);
  g_free (tmp);
  if (s->ptp_domain >= 0) {
    tmp = g_strdup_printf ("ptp=IEEE1588-2008:%s:%d",
        s->ptp_gmid ? s->ptp_gmid : "traceable", s->ptp_domain);
    gst_sdp_media_add_attribute (media, "ts-refclk", tmp);
    g_free (tmp);
  } else if (s->localmac) {
    tmp = g_strdup_printf ("localmac=%s", s->localmac);
    gst_sdp_media_add_attribute (media, "ts-refclk", tmp);
    g_free (tmp);
  }
  tmp = g_strdup_printf ("direct=%u", s->mediaclk_offset);
  gst_sdp_media_add_attribute (media, "mediaclk", tmp);
  g_free (tmp);
  if (mc) {
    tmp = g_strdup_printf (" incl IN IP4 %s %s", s->address, s->origin_address);
    gst_sdp_media_add_attribute (media, "source-filter", tmp);
    g_free (tmp);
  }
  gst_sdp_message_add_media (msg, media);
  gst_sdp_media_free (media);

  text = gst_sdp_message_as_text (msg);
  gst_sdp_message_free (msg);
  return text;
}

/* "239.69.1.10/32" -> address and ttl */
static void
split_address (const gchar * in, gchar ** addr, guint * ttl)
{
  gchar **parts = g_strsplit (in, "/", 3);

  *addr = g_strdup (parts[0]);
  if (parts[0] && parts[1])
    *ttl = (guint) g_ascii_strtoull (parts[1], NULL, 10);
  g_strfreev (parts);
}

static gboolean
parse_uint (const gchar * str, guint64 max, guint64 * out)
{
  gchar *end = NULL;
  guint64 v;

  if (!str || !g_ascii_isdigit (*str))
    return FALSE;
  v = g_ascii_strtoull (str, &end, 10);
  if (end == str || v > max)
    return FALSE;
  *out = v;
  return TRUE;
}

/* ptime "1", "0.125", "0,125" (some gear) -> µs */
static guint
parse_ptime (const gchar * str)
{
  guint64 ms = 0, frac = 0;
  guint digits = 0;
  const gchar *p = str;

  while (g_ascii_isspace (*p))
    p++;
  while (g_ascii_isdigit (*p) && ms < 100000)
    ms = ms * 10 + (*p++ - '0');
  if (*p == '.' || *p == ',') {
    p++;
    while (g_ascii_isdigit (*p) && digits < 3) {
      frac = frac * 10 + (*p++ - '0');
      digits++;
    }
    while (digits < 3) {
      frac *= 10;
      digits++;
    }
  }
  if (ms > 10000)
    return 0;
  return (guint) (ms * 1000 + frac);
}

static gboolean
parse_ts_refclk (const gchar * val, Aes67SdpStream * s)
{
  g_free (s->ts_refclk);
  s->ts_refclk = g_strdup (val);
  if (g_str_has_prefix (val, "ptp=")) {
    /* ptp=IEEE1588-2008:<gmid>[:<domain>] or ptp=IEEE1588-2008:traceable */
    gchar **p = g_strsplit (val + 4, ":", 4);
    guint64 dom = 0;

    if (p[0] && p[1]) {
      g_free (s->ptp_gmid);
      s->ptp_gmid = g_ascii_strup (p[1], -1);
      /* no domain: 0 (RFC 7273); one that is not 0-127: not known (-1),
       * so that no receiver takes this stream's media clock for its own */
      s->ptp_domain = 0;
      if (p[2])
        s->ptp_domain = parse_uint (p[2], 127, &dom) ? (gint) dom : -1;
    }
    g_strfreev (p);
  } else if (g_str_has_prefix (val, "localmac=")) {
    g_free (s->localmac);
    s->localmac = g_strdup (val + 9);
  }
  return TRUE;
}

gboolean
aes67_sdp_parse (const gchar * text, Aes67SdpStream * s, GError ** error)
{
  GstSDPMessage *msg = NULL;
  const GstSDPMedia *media = NULL;
  const GstSDPConnection *conn = NULL;
  const gchar *val, *origin_addr;
  gchar *valid = NULL;
  guint i, m;
  gboolean ok = FALSE;

  if (!text || !g_str_has_prefix (text, "v=0")) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_SYNTAX,
        "not a session description: SDP starts with \"v=0\"");
    return FALSE;
  }
  /* SDP text is UTF-8 unless a=charset says otherwise (RFC 8866);
   * older gear writes Latin-1 names. What we keep is handed on as caps
   * fields and message strings, which must be UTF-8: each invalid byte
   * becomes U+FFFD. */
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  gst_sdp_message_new (&msg);
  if (gst_sdp_message_parse_buffer ((const guint8 *) text, strlen (text),
          msg) != GST_SDP_OK) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_SYNTAX,
        "the session description could not be parsed");
    goto done;
  }

  /* the first m=audio with an L16 / L24 rtpmap */
  for (m = 0; m < gst_sdp_message_medias_len (msg) && !s->encoding; m++) {
    const GstSDPMedia *cand = gst_sdp_message_get_media (msg, m);

    if (g_strcmp0 (gst_sdp_media_get_media (cand), "audio") != 0
        || g_strcmp0 (gst_sdp_media_get_proto (cand), "RTP/AVP") != 0)
      continue;
    for (i = 0; i < gst_sdp_media_attributes_len (cand); i++) {
      const GstSDPAttribute *a = gst_sdp_media_get_attribute (cand, i);
      gchar enc[16];
      guint pt, rate, ch = 1;
      gint n;

      if (g_strcmp0 (a->key, "rtpmap") != 0 || !a->value)
        continue;
      n = sscanf (a->value, "%u %15[^/]/%u/%u", &pt, enc, &rate, &ch);
      if (n < 3)
        continue;
      /* (the reason given is the first rtpmap's that does not fit) */
      if (g_ascii_strcasecmp (enc, "L16") != 0
          && g_ascii_strcasecmp (enc, "L24") != 0) {
        if (error && !*error)
          g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_UNSUPPORTED,
              "encoding %s is not supported (L16 and L24 are)", enc);
        continue;
      }
      if (pt > 127 || rate < 8000 || rate > 384000 || ch < 1 || ch > 64) {
        if (error && !*error)
          g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_UNSUPPORTED,
              "rtpmap \"%s\" is out of range (payload type 0-127, rate 8000-"
              "384000 Hz, 1-64 channels)", a->value);
        continue;
      }
      g_clear_error (error);
      media = cand;
      s->payload_type = pt;
      s->encoding = g_ascii_strup (enc, -1);
      s->rate = rate;
      s->channels = ch;
      break;
    }
  }
  if (!media) {
    if (error && !*error)
      g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_NO_STREAM,
          "no m=audio RTP/AVP stream with an L16 or L24 rtpmap");
    goto done;
  }

  s->port = gst_sdp_media_get_port (media);
  if (s->port == 0 || s->port > 65535) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_NO_STREAM,
        "m= line has no usable port (%u)", s->port);
    goto done;
  }

  if (gst_sdp_media_connections_len (media) > 0)
    conn = gst_sdp_media_get_connection (media, 0);
  if ((!conn || !conn->address) && gst_sdp_message_get_connection (msg))
    conn = gst_sdp_message_get_connection (msg);
  if (!conn || !conn->address || g_strcmp0 (conn->addrtype, "IP4") != 0) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_NO_STREAM,
        "no c=IN IP4 connection address for the stream");
    goto done;
  }
  split_address (conn->address, &s->address, &s->ttl);
  if (conn->ttl)
    s->ttl = conn->ttl;
  if (!s->address || !*s->address || !g_hostname_is_ip_address (s->address)) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_NO_STREAM,
        "c= address \"%s\" is not an IPv4 address", GST_STR_NULL (s->address));
    goto done;
  }
  s->multicast = gst_sdp_address_is_multicast ("IN", "IP4", s->address);

  s->session_name = g_strdup (gst_sdp_message_get_session_name (msg));
  s->info = g_strdup (gst_sdp_message_get_information (msg));
  if (gst_sdp_message_get_origin (msg)) {
    const GstSDPOrigin *o = gst_sdp_message_get_origin (msg);
    guint64 v;

    if (parse_uint (o->sess_id, G_MAXUINT64, &v))
      s->session_id = v;
    if (parse_uint (o->sess_version, G_MAXUINT64, &v))
      s->session_version = v;
    origin_addr = o->addr;
    s->origin_address = g_strdup (origin_addr);
  }

  /* session-level then media-level attributes; media wins */
  for (i = 0; i < 2; i++) {
    guint n = i == 0 ? gst_sdp_message_attributes_len (msg) :
        gst_sdp_media_attributes_len (media);
    guint k;

    for (k = 0; k < n; k++) {
      const GstSDPAttribute *a = i == 0 ?
          gst_sdp_message_get_attribute (msg, k) :
          gst_sdp_media_get_attribute (media, k);
      guint64 v;

      if (!a->key || !a->value)
        continue;
      val = a->value;
      if (!strcmp (a->key, "ptime")) {
        s->ptime_us = parse_ptime (val);
      } else if (!strcmp (a->key, "framecount")) {
        if (parse_uint (val, 10000, &v))
          s->framecount = (guint) v;
      } else if (!strcmp (a->key, "ts-refclk")) {
        parse_ts_refclk (val, s);
      } else if (!strcmp (a->key, "mediaclk")) {
        if (g_str_has_prefix (val, "direct=")
            && parse_uint (val + 7, G_MAXUINT32, &v)) {
          s->mediaclk_direct = TRUE;
          s->mediaclk_offset = (guint32) v;
        }
      } else if (!strcmp (a->key, "source-filter")) {
        /* " incl IN IP4 <dest> <src>..." */
        gchar **f = g_strsplit_set (val, " \t", 0);
        guint c, w = 0;
        const gchar *words[6] = { NULL, };

        for (c = 0; f[c] && w < 6; c++)
          if (*f[c])
            words[w++] = f[c];
        if (w >= 5 && !strcmp (words[0], "incl")) {
          g_free (s->source_filter);
          s->source_filter = g_strdup (words[4]);
        }
        g_strfreev (f);
      }
    }
  }
  if (s->ptime_us == 0 && s->framecount)
    s->ptime_us = (guint) ((guint64) s->framecount * 1000000 / s->rate);
  if (s->ptime_us == 0)
    s->ptime_us = 1000;         /* AES67's default packet time */
  ok = TRUE;

done:
  if (msg)
    gst_sdp_message_free (msg);
  g_free (valid);
  return ok;
}

GstCaps *
aes67_sdp_stream_to_caps (const Aes67SdpStream * s)
{
  GstCaps *caps;

  caps = gst_caps_new_simple ("application/x-rtp",
      "media", G_TYPE_STRING, "audio",
      "clock-rate", G_TYPE_INT, (gint) s->rate,
      "encoding-name", G_TYPE_STRING, s->encoding,
      "channels", G_TYPE_INT, (gint) s->channels,
      "payload", G_TYPE_INT, (gint) s->payload_type, NULL);
  if (s->ts_refclk)
    gst_caps_set_simple (caps, "a-ts-refclk", G_TYPE_STRING, s->ts_refclk,
        NULL);
  if (s->mediaclk_direct) {
    gchar *mc = g_strdup_printf ("direct=%u", s->mediaclk_offset);
    gst_caps_set_simple (caps, "a-mediaclk", G_TYPE_STRING, mc, NULL);
    g_free (mc);
  }
  return caps;
}
