/* gst-aes67: AES67 session descriptions (SDP, RFC 4566 / RFC 8866)
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Building and reading the SDP of one AES67 / SMPTE ST 2110-30 audio stream,
 * as AES67-2018 annex C (and the gear of the field) writes it, on top of
 * gst-plugins-base's GstSDPMessage. No GObject in here.
 */
#ifndef __AES67_SDP_H__
#define __AES67_SDP_H__

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include "aes67-sap.h"

G_BEGIN_DECLS
/* Largest SDP text read, in bytes, from a file, a property or a SAP
 * payload: SAP's own limit on an inflated SDP. */
#define AES67_SDP_MAX_SIZE AES67_SAP_MAX_INFLATED
/* Most warnings one parse returns (the last one says how many more). */
#define AES67_SDP_MAX_WARNINGS 8
/* What a stream's session description says. Strings are owned by the
 * struct (aes67_sdp_stream_clear() frees them). */
    typedef struct
{
  gchar *session_name;          /* s= */
  gchar *info;                  /* session i= (AES67: channel labels) */
  guint64 session_id;           /* o= sess-id */
  guint64 session_version;      /* o= sess-version */
  gchar *origin_address;        /* o= unicast address of the sender */
  gchar *address;               /* c= destination, without /ttl */
  guint ttl;                    /* c= /ttl (multicast IPv4 only) */
  gboolean multicast;
  guint port;                   /* m= port */
  guint payload_type;           /* m= fmt, 96..127 */
  gchar *encoding;              /* rtpmap: "L16" or "L24" */
  guint rate;                   /* rtpmap clock rate, Hz */
  guint channels;               /* rtpmap encoding parameters */
  guint ptime_us;               /* a=ptime in µs (0 if absent) */
  guint framecount;             /* a=framecount (0 if absent) */
  gchar *source_filter;         /* a=source-filter source address or NULL */
  /* a=ts-refclk: either PTP (ptp_domain >= 0, ptp_gmid the grandmaster
   * EUI-64 "00-1D-C1-FF-FE-50-36-33", or "traceable") or localmac */
  gint ptp_domain;              /* -1: not PTP, or a domain not 0-127 */
  gchar *ptp_gmid;
  gchar *localmac;              /* "00-11-22-33-44-55" or NULL */
  gchar *ts_refclk;             /* the whole ts-refclk value, or NULL */
  gboolean mediaclk_direct;     /* a=mediaclk:direct=<offset> present */
  guint32 mediaclk_offset;
  guint media_line;             /* which m= line is received, from 1 */
  guint n_media;                /* how many m= lines the SDP has */
  /* SMPTE ST 2022-7 (RFC 7104: a session-level a=group:DUP naming the
   * a=mid of two media lines). The fields above describe the primary leg;
   * these the secondary, which carries the same RTP packets. Reading:
   * has_secondary is TRUE only for a well-formed group (see
   * aes67_sdp_parse()). Building: the SDP takes the DUP form when
   * secondary_address is set. */
  gchar *mid;                   /* a=mid of the primary leg, or NULL
                                 * (building: NULL writes "1") */
  gboolean has_secondary;       /* (read) a usable secondary leg */
  gchar *secondary_mid;         /* its a=mid (building: NULL writes "2") */
  gchar *secondary_address;     /* its c= destination, without /ttl */
  guint secondary_ttl;          /* its c= /ttl (multicast IPv4 only) */
  gboolean secondary_multicast;
  guint secondary_port;         /* its m= port */
  gchar *secondary_source_filter;       /* its a=source-filter source
                                         * address; building: the sender's
                                         * address on the secondary path,
                                         * NULL: origin_address */
  guint secondary_media_line;   /* its m= line, from 1 (0: none) */
  /* What the reader found odd but could read around (a payload type
   * mismatch, a=ptime:0, several m= lines), one sentence each naming the
   * media line; NULL-terminated, NULL if none. */
  gchar **warnings;
} Aes67SdpStream;

#define AES67_SDP_ERROR (aes67_sdp_error_quark ())
GQuark aes67_sdp_error_quark (void);

typedef enum
{
  AES67_SDP_ERROR_SYNTAX,       /* not SDP at all */
  AES67_SDP_ERROR_NO_STREAM,    /* no usable m=audio line */
  AES67_SDP_ERROR_UNSUPPORTED,  /* an encoding, rate or field we can't play */
  AES67_SDP_ERROR_FILE,         /* not a regular file, too large, binary */
} Aes67SdpError;

void aes67_sdp_stream_init (Aes67SdpStream * s);
void aes67_sdp_stream_clear (Aes67SdpStream * s);

/* Frames (samples per channel) in one packet of @ptime_us µs at @rate Hz:
 * ptime 333 is the 1/3 ms of AES67 (16 frames at 48 kHz); others round to
 * the nearest frame. 0 if the result would be 0. */
guint aes67_ptime_to_frames (guint ptime_us, guint rate);

/* The a=ptime value in ms as SDP writes it, locale-independent:
 * 1000 -> "1", 125 -> "0.125", 250 -> "0.25", 333 -> "0.333". */
gchar *aes67_ptime_to_string (guint ptime_us);

/* Builds the SDP text (CRLF line ends) in the record order AES67 devices
 * expect (see FIELD-NOTES / AES67-2018 annex C):
 *   v o s i c t [a=clock-domain] m c a=rtpmap a=recvonly a=ptime
 *   a=framecount a=ts-refclk a=mediaclk [a=source-filter]
 * With secondary_address set, the ST 2022-7 form of RFC 7104 as
 * aes67-linux-daemon writes it: a=group:DUP 1 2 after t= (and
 * a=clock-domain), then the media section above with a=mid:1 at its end,
 * then a second one for the secondary leg (its own m= port, c= with the
 * same /ttl, source filter with secondary_source_filter, the same rtpmap,
 * ptime, framecount, ts-refclk and mediaclk) ending in a=mid:2. The
 * session-level c= is the primary's. Receivers that know nothing of
 * ST 2022-7 take the first media section: the primary leg.
 * Needs address, port, payload_type, encoding, rate, channels, ptime_us,
 * origin_address; a=ts-refclk is PTP when ptp_domain >= 0, else localmac
 * when set. Returns NULL with @error on missing fields. */
gchar *aes67_sdp_build (const Aes67SdpStream * s, GError ** error);

/* How aes67_sdp_read_message() reads */
typedef enum
{
  AES67_SDP_READ_DEFAULT = 0,
  /* also a text that is a bare o= line: what a SAP deletion may carry
   * instead of the whole SDP (RFC 2974 section 6) */
  AES67_SDP_READ_ORIGIN_LINE = 1 << 0,
} Aes67SdpReadFlags;

/* The first step of every SDP reading in the project (aes67_sdp_parse(),
 * the SAP browser, sapannounce, the RAVENNA elements, the metrics tracer):
 * one set of syntax rules. @text must start with "v=0" (or, with
 * AES67_SDP_READ_ORIGIN_LINE, "o="), be at most AES67_SDP_MAX_SIZE bytes
 * and parse as SDP (GstSDPMessage); each byte that is not UTF-8 is read as
 * U+FFFD. Returns the message (gst_sdp_message_free() it) or NULL with an
 * AES67_SDP_ERROR_SYNTAX error saying why. */
GstSDPMessage *aes67_sdp_read_message (const gchar * text,
    Aes67SdpReadFlags flags, GError ** error);

/* A session's identity, its o= line without the version: "username
 * sess-id nettype addrtype address"; NULL when one of the six o= fields is
 * missing or empty. */
gchar *aes67_sdp_origin_key (const GstSDPMessage * msg);

/* The s= of @text read by aes67_sdp_read_message(), or NULL when the text
 * is not SDP by those rules or the name is empty. g_free() it. */
gchar *aes67_sdp_session_name (const gchar * text);

/* Parses @text (CRLF or LF; at most AES67_SDP_MAX_SIZE bytes). The stream
 * received (the primary leg) is that of the first m=audio RTP/AVP line with
 * a payload type
 * from its format list whose rtpmap is L16 or L24 (8000-384000 Hz, 1-64
 * channels). A line whose only format has no rtpmap but whose only rtpmap
 * (for another payload type) fits is taken too: packets of the m= payload
 * type in the rtpmap's format (Dante devices publish such SDP), with a
 * warning naming both numbers. Fills @s (initialised by the caller),
 * with s->warnings for what was read around. On failure returns FALSE with
 * an AES67_SDP_ERROR saying what is wrong. This is the one reader of
 * stream SDP: aes67src, the SAP browser and the device providers all use
 * it, so that what is listed is what plays.
 *
 * ST 2022-7: when the session has an a=group:DUP whose mids include that
 * of the primary's media line, the next mid of the group (in the group's
 * order, after the primary's) names the secondary leg: has_secondary and
 * the secondary_* fields are set. It must be an m=audio RTP/AVP line with
 * the same payload type, encoding, rate and channels, and must differ
 * from the primary in destination address, port or source filter. A
 * group that cannot be read that way leaves the primary alone (as if there
 * were no group) with one warning saying why: a group of one mid, a mid
 * that no media line carries, the primary outside the group, a secondary
 * of another format or indistinguishable from the primary. A group of
 * three or more mids: the primary and the next one are read, with a
 * warning that the others are ignored (a receiver merges two legs). Two
 * m=audio lines without a DUP group: the first, with a warning, as with
 * any SDP of several media lines. */
gboolean aes67_sdp_parse (const gchar * text, Aes67SdpStream * s,
    GError ** error);

/* Reads the SDP file @path into @text (NUL-terminated, g_free() it):
 * only a regular file (never blocks on a FIFO or device), of at most
 * AES67_SDP_MAX_SIZE bytes, with no NUL byte in it. FALSE with @error
 * (G_FILE_ERROR when it cannot be opened, else AES67_SDP_ERROR_FILE) whose
 * message is valid UTF-8 and names the file. */
gboolean aes67_sdp_read_file (const gchar * path, gchar ** text,
    GError ** error);

/* @text as UTF-8 for a message (each invalid byte U+FFFD). g_free() it. */
gchar *aes67_sdp_text_for_message (const gchar * text);

/* The raw audio caps aes67src outputs for @encoding ("L16": S16BE, "L24":
 * S24BE) at @rate Hz with @channels: interleaved, stereo as front
 * left/right, more channels unpositioned (channel-mask 0). */
GstCaps *aes67_audio_caps (const gchar * encoding, guint rate, guint channels);

/* aes67_audio_caps() of a parsed stream: what a device lists. */
GstCaps *aes67_sdp_stream_to_audio_caps (const Aes67SdpStream * s);

/* RTP caps (application/x-rtp, media, clock-rate, encoding-name, channels,
 * payload, and a-ts-refclk / a-mediaclk for rtpjitterbuffer's RFC 7273
 * sync) for a parsed stream. */
GstCaps *aes67_sdp_stream_to_caps (const Aes67SdpStream * s);

/* 32-bit FNV-1a hash of the string @str (NULL hashes as ""), its offset
 * basis XORed with @seed; used for stable session ids and addresses. */
guint32 aes67_hash32 (const gchar * str, guint32 seed);
/* The same hash over @len bytes of @data (NULs included). */
guint32 aes67_hash32_data (const guint8 * data, gsize len, guint32 seed);

G_END_DECLS
#endif /* __AES67_SDP_H__ */
