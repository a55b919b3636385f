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
#include <gst/audio/audio-channels.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

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
  g_free (s->mid);
  g_free (s->secondary_mid);
  g_free (s->secondary_address);
  g_free (s->secondary_source_filter);
  g_strfreev (s->warnings);
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
aes67_hash32_data (const guint8 * data, gsize len, guint32 seed)
{
  guint32 h = 2166136261u ^ seed;
  gsize i;

  for (i = 0; i < len; i++) {
    h ^= data[i];
    h *= 16777619u;
  }
  return h;
}

guint32
aes67_hash32 (const gchar * str, guint32 seed)
{
  return aes67_hash32_data ((const guint8 *) str, str ? strlen (str) : 0, seed);
}

/* One media section of @s's stream towards @address:@port, sent from
 * @source; ends with a=mid:@mid when @mid is set. */
static void
add_media (GstSDPMessage * msg, const Aes67SdpStream * s,
    const gchar * address, guint port, const gchar * source, const gchar * mid)
{
  GstSDPMedia *media;
  gchar *tmp;
  gboolean mc = gst_sdp_address_is_multicast ("IN", "IP4", address);

  gst_sdp_media_new (&media);
  gst_sdp_media_set_media (media, "audio");
  gst_sdp_media_set_port_info (media, port, 1);
  gst_sdp_media_set_proto (media, "RTP/AVP");
  tmp = g_strdup_printf ("%u", s->payload_type);
  gst_sdp_media_add_format (media, tmp);
  g_free (tmp);
  gst_sdp_media_add_connection (media, "IN", "IP4", address,
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
    tmp = g_strdup_printf (" incl IN IP4 %s %s", address, source);
    gst_sdp_media_add_attribute (media, "source-filter", tmp);
    g_free (tmp);
  }
  if (mid)
    gst_sdp_media_add_attribute (media, "mid", mid);
  gst_sdp_message_add_media (msg, media);
  gst_sdp_media_free (media);
}

/* a=mid values: tokens of visible characters (RFC 5888) */
static gboolean
mid_is_token (const gchar * mid)
{
  const gchar *p;

  if (!mid || !*mid)
    return FALSE;
  for (p = mid; *p; p++)
    if (*p <= ' ' || *p >= 0x7f)
      return FALSE;
  return TRUE;
}

gchar *
aes67_sdp_build (const Aes67SdpStream * s, GError ** error)
{
  GstSDPMessage *msg;
  gchar *tmp, *text, *sess_id, *sess_ver;
  const gchar *mid1 = NULL, *mid2 = NULL;
  gboolean mc, dup = s->secondary_address != NULL;

  if (!s->address || !s->port || !s->encoding || !s->rate || !s->channels
      || !s->ptime_us || !s->origin_address) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_NO_STREAM,
        "incomplete stream description (address %s, port %u, encoding %s, "
        "rate %u, channels %u, ptime %u µs, origin %s)",
        GST_STR_NULL (s->address), s->port, GST_STR_NULL (s->encoding),
        s->rate, s->channels, s->ptime_us, GST_STR_NULL (s->origin_address));
    return NULL;
  }
  if (dup) {
    mid1 = s->mid ? s->mid : "1";
    mid2 = s->secondary_mid ? s->secondary_mid : "2";
    if (!s->secondary_port || !mid_is_token (mid1) || !mid_is_token (mid2)
        || !strcmp (mid1, mid2)) {
      g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_NO_STREAM,
          "incomplete secondary leg (address %s, port %u, mids \"%s\" and "
          "\"%s\")", s->secondary_address, s->secondary_port, mid1, mid2);
      return NULL;
    }
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
  if (dup) {
    tmp = g_strdup_printf ("DUP %s %s", mid1, mid2);
    gst_sdp_message_add_attribute (msg, "group", tmp);
    g_free (tmp);
  }

  add_media (msg, s, s->address, s->port, s->origin_address, mid1);
  if (dup)
    add_media (msg, s, s->secondary_address, s->secondary_port,
        s->secondary_source_filter ? s->secondary_source_filter :
        s->origin_address, mid2);

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

/* ---------- warnings ---------- */

typedef struct
{
  GPtrArray *list;              /* of gchar*, at most AES67_SDP_MAX_WARNINGS */
  guint dropped;
} Warnings;

/* Messages quote SDP text (valid UTF-8) cut to a number of bytes ("%.16s"),
 * which may cut a character: what is cut becomes U+FFFD. Takes @str. */
static gchar *
utf8_clipped (gchar * str)
{
  gchar *valid;

  if (g_utf8_validate (str, -1, NULL))
    return str;
  valid = g_utf8_make_valid (str, -1);
  g_free (str);
  return valid;
}

/* *INDENT-OFF* */
static void warn (Warnings * w, const gchar * format, ...)
    G_GNUC_PRINTF (2, 3);
/* *INDENT-ON* */

static void
warn (Warnings * w, const gchar * format, ...)
{
  va_list args;

  if (w->list->len >= AES67_SDP_MAX_WARNINGS - 1) {
    w->dropped++;
    return;
  }
  va_start (args, format);
  g_ptr_array_add (w->list, utf8_clipped (g_strdup_vprintf (format, args)));
  va_end (args);
}

/* hands the warnings to @s (NULL if none) and frees @w */
static void
warnings_finish (Warnings * w, Aes67SdpStream * s)
{
  if (w->dropped)
    g_ptr_array_add (w->list, g_strdup_printf ("(and %u more warnings)",
            w->dropped));
  if (s && w->list->len > 0) {
    g_ptr_array_add (w->list, NULL);
    g_strfreev (s->warnings);
    s->warnings = (gchar **) g_ptr_array_free (w->list, FALSE);
  } else {
    g_ptr_array_free (w->list, TRUE);
  }
  w->list = NULL;
}

/* ptime "1", "0.125", "0,125" (some gear) -> µs; FALSE for what is not a
 * positive packet time of at most 10 s ("0", "-1", "abc") */
static gboolean
parse_ptime (const gchar * str, guint * us)
{
  guint64 ms = 0, frac = 0;
  guint digits = 0, n = 0;
  const gchar *p = str;

  while (g_ascii_isspace (*p))
    p++;
  while (g_ascii_isdigit (*p) && ms <= 10000) {
    ms = ms * 10 + (*p++ - '0');
    n++;
  }
  if (*p == '.' || *p == ',') {
    p++;
    while (g_ascii_isdigit (*p)) {
      if (digits < 3) {
        frac = frac * 10 + (*p - '0');
        digits++;
      }
      p++;
      n++;
    }
    while (digits < 3) {
      frac *= 10;
      digits++;
    }
  }
  while (g_ascii_isspace (*p))
    p++;
  if (n == 0 || *p != '\0' || ms > 10000 || ms * 1000 + frac == 0)
    return FALSE;
  *us = (guint) (ms * 1000 + frac);
  return TRUE;
}

static void
parse_ts_refclk (const gchar * val, Aes67SdpStream * s, Warnings * w,
    guint line)
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
      if (p[2]) {
        s->ptp_domain = parse_uint (p[2], 127, &dom) ? (gint) dom : -1;
        if (s->ptp_domain < 0)
          warn (w, "media line %u: the PTP domain \"%.16s\" of a=ts-refclk "
              "is not 0-127; the stream's PTP domain is taken as unknown",
              line, p[2]);
      }
    }
    g_strfreev (p);
  } else if (g_str_has_prefix (val, "localmac=")) {
    g_free (s->localmac);
    s->localmac = g_strdup (val + 9);
  }
}

/* "m=audio 5004 RTP/AVP 97" of @m, for messages (at most 8 formats) */
static gchar *
media_text (const GstSDPMedia * m)
{
  GString *str = g_string_new ("m=");
  guint i, n = gst_sdp_media_formats_len (m);

  g_string_append_printf (str, "%.16s %u %.16s",
      GST_STR_NULL (gst_sdp_media_get_media (m)), gst_sdp_media_get_port (m),
      GST_STR_NULL (gst_sdp_media_get_proto (m)));
  for (i = 0; i < n && i < 8; i++)
    g_string_append_printf (str, " %.8s", gst_sdp_media_get_format (m, i));
  if (n > 8)
    g_string_append (str, " ...");
  return g_string_free (str, FALSE);
}

/* "<pt> <encoding>/<rate>[/<channels>]", digits only, nothing after */
typedef struct
{
  guint64 pt, rate, channels;
  gchar enc[16];
  const gchar *text;
} Rtpmap;

static gboolean
parse_rtpmap (const gchar * v, Rtpmap * r)
{
  const gchar *p = v, *e;
  gchar *end;

  r->text = v;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  r->pt = g_ascii_strtoull (p, &end, 10);
  p = end;
  if (!g_ascii_isspace (*p))
    return FALSE;
  while (g_ascii_isspace (*p))
    p++;
  for (e = p; *e && *e != '/' && !g_ascii_isspace (*e); e++);
  if (e == p || e - p >= (gssize) sizeof (r->enc) || *e != '/')
    return FALSE;
  memcpy (r->enc, p, e - p);
  r->enc[e - p] = '\0';
  p = e + 1;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  r->rate = g_ascii_strtoull (p, &end, 10);
  p = end;
  r->channels = 1;              /* RFC 4566: no parameter, one channel */
  if (*p == '/') {
    p++;
    if (!g_ascii_isdigit (*p))
      return FALSE;
    r->channels = g_ascii_strtoull (p, &end, 10);
    p = end;
  }
  while (g_ascii_isspace (*p))
    p++;
  return *p == '\0';
}

/* whether @r is a format aes67src plays; else sets @reason (if unset) */
static gboolean
rtpmap_fits (const Rtpmap * r, guint line, GError ** reason)
{
  if (g_ascii_strcasecmp (r->enc, "L16") != 0
      && g_ascii_strcasecmp (r->enc, "L24") != 0) {
    if (reason && !*reason)
      g_set_error (reason, AES67_SDP_ERROR, AES67_SDP_ERROR_UNSUPPORTED,
          "encoding %s (media line %u) is not supported (L16 and L24 are)",
          r->enc, line);
    return FALSE;
  }
  if (r->pt > 127 || r->rate < 8000 || r->rate > 384000 || r->channels < 1
      || r->channels > 64) {
    if (reason && !*reason)
      g_set_error (reason, AES67_SDP_ERROR, AES67_SDP_ERROR_UNSUPPORTED,
          "rtpmap \"%.64s\" (media line %u) is out of range (payload type "
          "0-127, rate 8000-384000 Hz, 1-64 channels)", r->text, line);
    return FALSE;
  }
  return TRUE;
}

/* Picks the format of media line @line (m=audio RTP/AVP): TRUE with @s's
 * payload_type, encoding, rate and channels set, else FALSE with @reason
 * set if it was not set yet. */
static gboolean
pick_format (const GstSDPMedia * m, guint line, Aes67SdpStream * s,
    Warnings * w, GError ** reason)
{
  guint i, k, n_attr = gst_sdp_media_attributes_len (m);
  guint n_fmt = gst_sdp_media_formats_len (m), n_maps = 0;
  GArray *maps = g_array_new (FALSE, FALSE, sizeof (Rtpmap));
  const Rtpmap *take = NULL;
  guint64 take_pt = 0, first_pt = G_MAXUINT64;
  gboolean ok = FALSE;

  for (i = 0; i < n_attr; i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);
    Rtpmap r;

    if (g_strcmp0 (a->key, "rtpmap") == 0 && a->value
        && parse_rtpmap (a->value, &r))
      g_array_append_val (maps, r);
  }
  n_maps = maps->len;

  /* the first format of the m= line whose rtpmap fits */
  for (k = 0; k < n_fmt && !take; k++) {
    guint64 pt;

    if (!parse_uint (gst_sdp_media_get_format (m, k), 127, &pt))
      continue;
    if (first_pt == G_MAXUINT64)
      first_pt = pt;
    for (i = 0; i < n_maps; i++) {
      const Rtpmap *r = &g_array_index (maps, Rtpmap, i);

      if (r->pt != pt)
        continue;
      if (rtpmap_fits (r, line, reason)) {
        take = r;
        take_pt = pt;
      }
      break;
    }
  }

  /* Dante: "m=audio 5004 RTP/AVP 97" with only "a=rtpmap:96 L24/48000/2";
   * the packets carry the m= line's payload type */
  if (!take && n_fmt == 1 && first_pt != G_MAXUINT64 && n_maps == 1
      && g_array_index (maps, Rtpmap, 0).pt != first_pt
      && rtpmap_fits (&g_array_index (maps, Rtpmap, 0), line, reason)) {
    take = &g_array_index (maps, Rtpmap, 0);
    take_pt = first_pt;
    warn (w, "media line %u: the m= line gives payload type %u, but the "
        "only rtpmap is for payload type %u (a=rtpmap:%.64s): receiving payload "
        "type %u as %s/%u/%u", line, (guint) first_pt, (guint) take->pt,
        take->text, (guint) first_pt, take->enc, (guint) take->rate,
        (guint) take->channels);
  }

  if (take) {
    s->payload_type = (guint) take_pt;
    s->encoding = g_ascii_strup (take->enc, -1);
    s->rate = (guint) take->rate;
    s->channels = (guint) take->channels;
    ok = TRUE;
  } else if (reason && !*reason) {
    gchar *mt = media_text (m);

    if (first_pt == G_MAXUINT64)
      g_set_error (reason, AES67_SDP_ERROR, AES67_SDP_ERROR_NO_STREAM,
          "media line %u (%s) lists no RTP payload type", line, mt);
    else if (n_maps == 0)
      g_set_error (reason, AES67_SDP_ERROR, AES67_SDP_ERROR_NO_STREAM,
          "media line %u (%s) has no rtpmap", line, mt);
    else
      g_set_error (reason, AES67_SDP_ERROR, AES67_SDP_ERROR_NO_STREAM,
          "media line %u (%s) has no rtpmap for its payload types (%u "
          "rtpmaps for others)", line, mt, n_maps);
    g_free (mt);
  }
  g_array_free (maps, TRUE);
  return ok;
}

/* The source address of an a=source-filter value (" incl IN IP4 <dest>
 * <src>..."), or NULL. */
static gchar *
source_filter_source (const gchar * val)
{
  gchar **f = g_strsplit_set (val, " \t", 0), *ret = NULL;
  guint c, wd = 0;
  const gchar *words[6] = { NULL, };

  for (c = 0; f[c] && wd < 6; c++)
    if (*f[c])
      words[wd++] = f[c];
  if (wd >= 5 && !strcmp (words[0], "incl"))
    ret = g_strdup (words[4]);
  g_strfreev (f);
  return ret;
}

/* The transport of media line @line: its port, its c= (else the
 * session's) as @address, @ttl and @multicast, and, with @source_filter,
 * its a=source-filter source (else the session's, else NULL). FALSE with
 * @error if the port or the address is unusable. */
static gboolean
read_leg (const GstSDPMessage * msg, const GstSDPMedia * media, guint line,
    gchar ** address, guint * ttl, gboolean * multicast, guint * port,
    gchar ** source_filter, GError ** error)
{
  const GstSDPConnection *conn = NULL;
  guint i, k;

  *port = gst_sdp_media_get_port (media);
  if (*port == 0 || *port > 65535) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_NO_STREAM,
        "media line %u has no usable port (%u)", line, *port);
    return FALSE;
  }
  if (gst_sdp_media_connections_len (media) > 0)
    conn = gst_sdp_media_get_connection (media, 0);
  if ((!conn || !conn->address) && gst_sdp_message_get_connection (msg))
    conn = gst_sdp_message_get_connection (msg);
  if (!conn || !conn->address || g_strcmp0 (conn->addrtype, "IP4") != 0) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_NO_STREAM,
        "no c=IN IP4 connection address for media line %u", line);
    return FALSE;
  }
  split_address (conn->address, address, ttl);
  if (conn->ttl)
    *ttl = conn->ttl;
  if (!*address || !**address || !g_hostname_is_ip_address (*address)) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_NO_STREAM,
        "c= address \"%.64s\" is not an IPv4 address", GST_STR_NULL (*address));
    return FALSE;
  }
  *multicast = gst_sdp_address_is_multicast ("IN", "IP4", *address);
  if (!source_filter)
    return TRUE;
  /* session level, then media level: media wins */
  for (i = 0; i < 2; i++) {
    guint n = i == 0 ? gst_sdp_message_attributes_len (msg) :
        gst_sdp_media_attributes_len (media);

    for (k = 0; k < n; k++) {
      const GstSDPAttribute *a = i == 0 ?
          gst_sdp_message_get_attribute (msg, k) :
          gst_sdp_media_get_attribute (media, k);
      gchar *src;

      if (g_strcmp0 (a->key, "source-filter") != 0 || !a->value)
        continue;
      src = source_filter_source (a->value);
      if (src) {
        g_free (*source_filter);
        *source_filter = src;
      }
    }
  }
  return TRUE;
}

/* Reads the ST 2022-7 group of the session into @s's secondary_* fields
 * (the rules are in aes67-sdp.h, at aes67_sdp_parse()). @primary is the
 * received media line @line. Returns TRUE if the session has a DUP group:
 * what it says of the media lines is then said (a warning, or a
 * secondary), and the caller does not warn about several media lines. */
static gboolean
read_dup_group (const GstSDPMessage * msg, const GstSDPMedia * primary,
    guint line, Aes67SdpStream * s, Warnings * w)
{
  const gchar *group = NULL, *val, *pmid, *smid = NULL;
  const GstSDPMedia *sec = NULL;
  GPtrArray *mids = g_ptr_array_new ();
  gchar **tok = NULL, *mt = media_text (primary);
  Aes67SdpStream f;
  GError *err = NULL;
  guint i, n_media = gst_sdp_message_medias_len (msg), sline = 0;
  gboolean in_group = FALSE;

  aes67_sdp_stream_init (&f);
  for (i = 0; (val = gst_sdp_message_get_attribute_val_n (msg, "group", i));
      i++) {
    if (g_ascii_strncasecmp (val, "DUP", 3) == 0
        && (val[3] == '\0' || g_ascii_isspace (val[3]))) {
      group = val;
      break;
    }
  }
  if (!group)
    goto out;
  tok = g_strsplit_set (group + 3, " \t", -1);
  for (i = 0; tok[i]; i++)
    if (*tok[i])
      g_ptr_array_add (mids, tok[i]);
  pmid = gst_sdp_media_get_attribute_val (primary, "mid");
  s->mid = g_strdup (pmid);

  if (mids->len < 2) {
    warn (w, "a=group:%.64s names %u media line%s; ST 2022-7 needs two: "
        "only media line %u (%s) is received, without redundancy", group,
        mids->len, mids->len == 1 ? "" : "s", line, mt);
    goto out;
  }
  for (i = 0; i < mids->len; i++) {
    const gchar *m = g_ptr_array_index (mids, i);

    if (pmid && !strcmp (m, pmid))
      in_group = TRUE;
    else if (!smid)
      smid = m;
  }
  if (!in_group) {
    warn (w, "media line %u (%s), the first audio line, %s%.32s%s is not in "
        "a=group:%.64s: it is received without redundancy", line, mt,
        pmid ? "a=mid:" : "", pmid ? pmid : "without a=mid",
        pmid ? "," : "", group);
    goto out;
  }
  if (!smid) {
    warn (w, "a=group:%.64s names only media line %u (%s): it is received "
        "without redundancy", group, line, mt);
    goto out;
  }
  for (i = 0; i < n_media && !sec; i++) {
    const GstSDPMedia *cand = gst_sdp_message_get_media (msg, i);

    if (cand != primary
        && !g_strcmp0 (gst_sdp_media_get_attribute_val (cand, "mid"), smid)) {
      sec = cand;
      sline = i + 1;
    }
  }
  if (!sec) {
    warn (w, "no media line has a=mid:%.32s, which a=group:%.64s names: "
        "only media line %u (%s) is received, without redundancy", smid,
        group, line, mt);
    goto out;
  }
  if (g_strcmp0 (gst_sdp_media_get_media (sec), "audio") != 0
      || g_strcmp0 (gst_sdp_media_get_proto (sec), "RTP/AVP") != 0
      || !pick_format (sec, sline, &f, w, NULL)
      || f.payload_type != s->payload_type
      || g_ascii_strcasecmp (f.encoding, s->encoding) != 0
      || f.rate != s->rate || f.channels != s->channels) {
    gchar *st = media_text (sec);

    warn (w, "media line %u (%s, a=mid:%.32s of a=group:%.64s) is not the "
        "same stream as media line %u (%s: payload type %u, %s/%u/%u): the "
        "secondary leg is ignored, media line %u is received without "
        "redundancy", sline, st, smid, group, line, mt, s->payload_type,
        s->encoding, s->rate, s->channels, line);
    g_free (st);
    goto out;
  }
  if (!read_leg (msg, sec, sline, &f.address, &f.ttl, &f.multicast, &f.port,
          &f.source_filter, &err)) {
    warn (w, "the secondary leg of a=group:%.64s is ignored (%s): media "
        "line %u is received without redundancy", group, err->message, line);
    g_clear_error (&err);
    goto out;
  }
  if (!strcmp (f.address, s->address) && f.port == s->port
      && !g_strcmp0 (f.source_filter, s->source_filter)) {
    warn (w, "both legs of a=group:%.64s go to %s:%u from the same source: "
        "they cannot be told apart (RFC 7104 wants another address); media "
        "line %u is received without redundancy", group, s->address,
        s->port, line);
    goto out;
  }
  s->has_secondary = TRUE;
  s->secondary_mid = g_strdup (smid);
  s->secondary_address = g_steal_pointer (&f.address);
  s->secondary_ttl = f.ttl;
  s->secondary_multicast = f.multicast;
  s->secondary_port = f.port;
  s->secondary_source_filter = g_steal_pointer (&f.source_filter);
  s->secondary_media_line = sline;
  if (n_media > 2)
    warn (w, "the SDP has %u media lines; media lines %u and %u (the two "
        "ST 2022-7 legs of a=group:%.64s) are received, the other%s "
        "ignored", n_media, line, sline, group,
        n_media == 3 ? " one is" : "s are");

out:
  aes67_sdp_stream_clear (&f);
  g_ptr_array_free (mids, TRUE);
  g_strfreev (tok);
  g_free (mt);
  return group != NULL;
}

GstSDPMessage *
aes67_sdp_read_message (const gchar * text, Aes67SdpReadFlags flags,
    GError ** error)
{
  GstSDPMessage *msg = NULL;
  gchar *valid = NULL;
  gsize len;

  if (!text || !(g_str_has_prefix (text, "v=0")
          || ((flags & AES67_SDP_READ_ORIGIN_LINE)
              && g_str_has_prefix (text, "o=")))) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_SYNTAX,
        "not a session description: SDP starts with \"v=0\"");
    return NULL;
  }
  len = strlen (text);
  if (len > AES67_SDP_MAX_SIZE) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_SYNTAX,
        "the session description is %" G_GSIZE_FORMAT " bytes long, more "
        "than the %u bytes allowed", len, (guint) AES67_SDP_MAX_SIZE);
    return NULL;
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
    gst_sdp_message_free (msg);
    msg = NULL;
  }
  g_free (valid);
  return msg;
}

gchar *
aes67_sdp_origin_key (const GstSDPMessage * msg)
{
  const GstSDPOrigin *o = msg ? gst_sdp_message_get_origin (msg) : NULL;

  if (!o || !o->username || !*o->username || !o->sess_id || !*o->sess_id
      || !o->sess_version || !*o->sess_version || !o->nettype
      || !*o->nettype || !o->addrtype || !*o->addrtype || !o->addr || !*o->addr)
    return NULL;
  return g_strdup_printf ("%s %s %s %s %s", o->username, o->sess_id,
      o->nettype, o->addrtype, o->addr);
}

gchar *
aes67_sdp_session_name (const gchar * text)
{
  GstSDPMessage *msg = aes67_sdp_read_message (text, AES67_SDP_READ_DEFAULT,
      NULL);
  const gchar *name = msg ? gst_sdp_message_get_session_name (msg) : NULL;
  gchar *ret = name && *name ? g_strdup (name) : NULL;

  if (msg)
    gst_sdp_message_free (msg);
  return ret;
}

gboolean
aes67_sdp_parse (const gchar * text, Aes67SdpStream * s, GError ** error)
{
  GstSDPMessage *msg = NULL;
  const GstSDPMedia *media = NULL;
  const gchar *val, *origin_addr, *ptime = NULL, *framecount = NULL;
  gchar *skipped = NULL;
  GError *reason = NULL;
  Warnings w = { g_ptr_array_new_with_free_func (g_free), 0 };
  guint i, m, line = 0, n_media;
  gboolean ok = FALSE;

  msg = aes67_sdp_read_message (text, AES67_SDP_READ_DEFAULT, error);
  if (!msg)
    goto done;

  /* the first m=audio RTP/AVP line with an L16 / L24 format */
  n_media = gst_sdp_message_medias_len (msg);
  for (m = 0; m < n_media && !media; m++) {
    const GstSDPMedia *cand = gst_sdp_message_get_media (msg, m);

    if (g_strcmp0 (gst_sdp_media_get_media (cand), "audio") != 0
        || g_strcmp0 (gst_sdp_media_get_proto (cand), "RTP/AVP") != 0) {
      if (!skipped) {
        gchar *mt = media_text (cand);
        skipped = g_strdup_printf ("media line %u (%s) is not audio over "
            "RTP/AVP", m + 1, mt);
        g_free (mt);
      }
      continue;
    }
    if (pick_format (cand, m + 1, s, &w, &reason)) {
      media = cand;
      line = m + 1;
    } else if (!skipped && reason) {
      skipped = g_strdup (reason->message);
    }
  }
  if (!media) {
    if (reason) {
      g_propagate_error (error, reason);
      reason = NULL;
    } else {
      g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_NO_STREAM,
          "no m=audio RTP/AVP line (%u media lines)", n_media);
    }
    goto done;
  }
  s->media_line = line;
  s->n_media = n_media;

  if (!read_leg (msg, media, line, &s->address, &s->ttl, &s->multicast,
          &s->port, NULL, error))
    goto done;

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
        ptime = val;
      } else if (!strcmp (a->key, "framecount")) {
        framecount = val;
      } else if (!strcmp (a->key, "ts-refclk")) {
        parse_ts_refclk (val, s, &w, line);
      } else if (!strcmp (a->key, "mediaclk")) {
        if (g_str_has_prefix (val, "direct=")
            && parse_uint (val + 7, G_MAXUINT32, &v)) {
          s->mediaclk_direct = TRUE;
          s->mediaclk_offset = (guint32) v;
        }
      } else if (!strcmp (a->key, "source-filter")) {
        gchar *src = source_filter_source (val);

        if (src) {
          g_free (s->source_filter);
          s->source_filter = src;
        }
      }
    }
  }
  if (framecount) {
    guint64 v;

    if (parse_uint (framecount, 10000, &v) && v > 0)
      s->framecount = (guint) v;
    else
      warn (&w, "media line %u: a=framecount:%.16s is not a number of "
          "frames (1-10000); ignored", line, framecount);
  }
  if (ptime && !parse_ptime (ptime, &s->ptime_us)) {
    s->ptime_us = 0;
    if (s->framecount)
      warn (&w, "media line %u: a=ptime:%.16s is not a packet time (a "
          "positive number of ms); taking %u µs from a=framecount:%u", line,
          ptime, (guint) ((guint64) s->framecount * 1000000 / s->rate),
          s->framecount);
    else
      warn (&w, "media line %u: a=ptime:%.16s is not a packet time (a "
          "positive number of ms); taking AES67's 1 ms", line, ptime);
  }
  if (s->ptime_us == 0 && s->framecount)
    s->ptime_us = (guint) ((guint64) s->framecount * 1000000 / s->rate);
  if (s->ptime_us == 0)
    s->ptime_us = 1000;         /* AES67's default packet time */

  if (!read_dup_group (msg, media, line, s, &w) && n_media > 1) {
    gchar *mt = media_text (media);
    gchar *why = line > 1 ? g_strdup_printf (" (before it: %s)",
        GST_STR_NULL (skipped)) : g_strdup ("");
    gchar *others = n_media == 2 ? g_strdup ("the other one is ignored") :
        g_strdup_printf ("the other %u are ignored", n_media - 1);

    warn (&w, "the SDP has %u media lines; media line %u (%s) is "
        "received, the first audio RTP/AVP line with an L16 or L24 "
        "format; %s%s", n_media, line, mt, others, why);
    g_free (others);
    g_free (why);
    g_free (mt);
  }
  ok = TRUE;

done:
  if (!ok && error && *error)
    (*error)->message = utf8_clipped ((*error)->message);
  warnings_finish (&w, ok ? s : NULL);
  g_clear_error (&reason);
  if (msg)
    gst_sdp_message_free (msg);
  g_free (skipped);
  return ok;
}

gboolean
aes67_sdp_read_file (const gchar * path, gchar ** text, GError ** error)
{
  gchar *name = g_filename_display_name (path);
  GString *buf = NULL;
  struct stat st;
  gboolean ok = FALSE;
  gint fd, e;

  *text = NULL;
  /* O_NONBLOCK: opening a FIFO without a writer must not wait */
  fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    e = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "%s: %s", name, g_strerror (e));
    goto done;
  }
  if (fstat (fd, &st) < 0) {
    e = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "%s: %s", name, g_strerror (e));
    goto done;
  }
  if (!S_ISREG (st.st_mode)) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_FILE,
        "%s is %s, not a regular file", name,
        S_ISDIR (st.st_mode) ? "a directory" : S_ISFIFO (st.st_mode) ?
        "a FIFO" : S_ISCHR (st.st_mode) ? "a character device" :
        S_ISBLK (st.st_mode) ? "a block device" : S_ISSOCK (st.st_mode) ?
        "a socket" : "something else");
    goto done;
  }
  if (st.st_size > AES67_SDP_MAX_SIZE) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_FILE,
        "%s is %" G_GINT64_FORMAT " bytes long; an SDP file may have at "
        "most %u", name, (gint64) st.st_size, (guint) AES67_SDP_MAX_SIZE);
    goto done;
  }
  /* (a file may grow, or say 0 as /proc does: read to the limit + 1) */
  buf = g_string_sized_new (MAX (st.st_size, 1) + 1);
  for (;;) {
    gchar chunk[4096];
    gssize n = read (fd, chunk, sizeof (chunk));

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
          "%s: %s", name, g_strerror (e));
      goto done;
    }
    if (n == 0)
      break;
    g_string_append_len (buf, chunk, n);
    if (buf->len > AES67_SDP_MAX_SIZE) {
      g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_FILE,
          "%s is longer than the %u bytes an SDP file may have", name,
          (guint) AES67_SDP_MAX_SIZE);
      goto done;
    }
  }
  if (memchr (buf->str, '\0', buf->len)) {
    g_set_error (error, AES67_SDP_ERROR, AES67_SDP_ERROR_FILE,
        "%s is a binary file (a NUL byte at offset %" G_GSIZE_FORMAT
        "), not SDP text", name,
        (gsize) ((const gchar *) memchr (buf->str, '\0', buf->len) - buf->str));
    goto done;
  }
  *text = g_string_free (buf, FALSE);
  buf = NULL;
  ok = TRUE;

done:
  if (buf)
    g_string_free (buf, TRUE);
  if (fd >= 0)
    close (fd);
  g_free (name);
  return ok;
}

gchar *
aes67_sdp_text_for_message (const gchar * text)
{
  if (!text)
    return g_strdup ("");
  return g_utf8_make_valid (text, strnlen (text, AES67_SDP_MAX_SIZE));
}

GstCaps *
aes67_audio_caps (const gchar * encoding, guint rate, guint channels)
{
  gboolean l16 = g_ascii_strcasecmp (encoding, "L16") == 0;
  GstCaps *caps = gst_caps_new_simple ("audio/x-raw",
      "format", G_TYPE_STRING, l16 ? "S16BE" : "S24BE",
      "rate", G_TYPE_INT, (gint) rate, "channels", G_TYPE_INT,
      (gint) channels, "layout", G_TYPE_STRING, "interleaved", NULL);

  if (channels == 2)
    gst_caps_set_simple (caps, "channel-mask", GST_TYPE_BITMASK,
        (guint64) (GST_AUDIO_CHANNEL_POSITION_MASK (FRONT_LEFT) |
            GST_AUDIO_CHANNEL_POSITION_MASK (FRONT_RIGHT)), NULL);
  else if (channels > 2)
    gst_caps_set_simple (caps, "channel-mask", GST_TYPE_BITMASK,
        (guint64) 0, NULL);
  return caps;
}

GstCaps *
aes67_sdp_stream_to_audio_caps (const Aes67SdpStream * s)
{
  return aes67_audio_caps (s->encoding, s->rate, s->channels);
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
