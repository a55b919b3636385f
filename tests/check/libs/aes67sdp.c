/* gst-aes67: tests of the AES67 SDP helper (aes67-sdp.c)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <string.h>
#include <locale.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "../../../gst/aes67/aes67-sdp.h"

/* caps as text for a failure message (check's printf knows no
 * GST_PTR_FORMAT; leaked only when the test fails) */
#define CAPS_STR(c) ((c) ? gst_caps_to_string (c) : g_strdup ("(none)"))

/* What FIELD-NOTES.md quotes as a real device's SDP (LF line ends here) */
static const gchar *device_sdp =
    "v=0\n"
    "o=- 1311738121 1311738121 IN IP4 192.168.1.10\n"
    "s=Studio A\n"
    "i=2 channels: Left, Right\n"
    "c=IN IP4 239.69.1.10/32\n"
    "t=0 0\n"
    "a=clock-domain:PTPv2 0\n"
    "m=audio 5004 RTP/AVP 97\n"
    "c=IN IP4 239.69.1.10/32\n"
    "a=rtpmap:97 L24/48000/2\n"
    "a=recvonly\n"
    "a=ptime:1\n"
    "a=framecount:48\n"
    "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0\n"
    "a=mediaclk:direct=0\n"
    "a=source-filter: incl IN IP4 239.69.1.10 192.168.1.10\n";

GST_START_TEST (test_parse_device_sdp)
{
  Aes67SdpStream s;
  GError *err = NULL;
  GstCaps *caps;
  GstStructure *st;
  gint v;

  aes67_sdp_stream_init (&s);
  fail_unless (aes67_sdp_parse (device_sdp, &s, &err), "%s",
      err ? err->message : "");
  fail_unless_equals_string (s.session_name, "Studio A");
  fail_unless_equals_string (s.info, "2 channels: Left, Right");
  fail_unless_equals_string (s.address, "239.69.1.10");
  fail_unless_equals_int (s.ttl, 32);
  fail_unless (s.multicast);
  fail_unless_equals_int (s.port, 5004);
  fail_unless_equals_int (s.payload_type, 97);
  fail_unless_equals_string (s.encoding, "L24");
  fail_unless_equals_int (s.rate, 48000);
  fail_unless_equals_int (s.channels, 2);
  fail_unless_equals_int (s.ptime_us, 1000);
  fail_unless_equals_int (s.framecount, 48);
  fail_unless_equals_int (s.ptp_domain, 0);
  fail_unless_equals_string (s.ptp_gmid, "00-1D-C1-FF-FE-50-36-33");
  fail_unless (s.mediaclk_direct);
  fail_unless_equals_int (s.mediaclk_offset, 0);
  fail_unless_equals_string (s.source_filter, "192.168.1.10");
  fail_unless_equals_string (s.origin_address, "192.168.1.10");
  fail_unless_equals_uint64 (s.session_id, 1311738121);

  caps = aes67_sdp_stream_to_caps (&s);
  st = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_has_name (st, "application/x-rtp"));
  fail_unless (gst_structure_get_int (st, "clock-rate", &v) && v == 48000);
  fail_unless (gst_structure_get_int (st, "payload", &v) && v == 97);
  fail_unless (gst_structure_get_int (st, "channels", &v) && v == 2);
  fail_unless_equals_string (gst_structure_get_string (st, "encoding-name"),
      "L24");
  fail_unless_equals_string (gst_structure_get_string (st, "a-ts-refclk"),
      "ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0");
  fail_unless_equals_string (gst_structure_get_string (st, "a-mediaclk"),
      "direct=0");
  gst_caps_unref (caps);
  aes67_sdp_stream_clear (&s);
}

GST_END_TEST;

GST_START_TEST (test_ptime_strings)
{
  static const struct
  {
    guint us;
    const gchar *str;
    guint frames48, frames96, frames441;
  } t[] = {
    {125, "0.125", 6, 12, 6},
    {250, "0.25", 12, 24, 11},
    {333, "0.333", 16, 32, 15},
    {1000, "1", 48, 96, 44},
    {4000, "4", 192, 384, 176},
  };
  guint i;

  /* a locale with a decimal comma must not leak into the SDP */
  setlocale (LC_NUMERIC, "de_DE.UTF-8");
  for (i = 0; i < G_N_ELEMENTS (t); i++) {
    gchar *s = aes67_ptime_to_string (t[i].us);
    fail_unless_equals_string (s, t[i].str);
    g_free (s);
    fail_unless_equals_int (aes67_ptime_to_frames (t[i].us, 48000),
        t[i].frames48);
    fail_unless_equals_int (aes67_ptime_to_frames (t[i].us, 96000),
        t[i].frames96);
    fail_unless_equals_int (aes67_ptime_to_frames (t[i].us, 44100),
        t[i].frames441);
  }
  setlocale (LC_NUMERIC, "C");
}

GST_END_TEST;

/* build -> text -> parse gives back every field, for every AES67 format */
GST_START_TEST (test_build_parse_roundtrip)
{
  static const gchar *enc[] = { "L16", "L24" };
  static const guint rates[] = { 44100, 48000, 96000 };
  static const guint chans[] = { 1, 2, 8, 64 };
  static const guint ptimes[] = { 125, 250, 333, 1000, 4000 };
  static const gchar *addrs[] = { "239.69.12.34", "198.51.100.7" };
  guint e, r, c, p, a, n = 0;

  for (e = 0; e < 2; e++)
    for (r = 0; r < 3; r++)
      for (c = 0; c < 4; c++)
        for (p = 0; p < 5; p++)
          for (a = 0; a < 2; a++) {
            Aes67SdpStream in, out;
            GError *err = NULL;
            gchar *text;

            aes67_sdp_stream_init (&in);
            in.session_name = g_strdup ("Round trip");
            in.info = g_strdup ("ch");
            in.session_id = 4242 + n;
            in.session_version = 7;
            in.origin_address = g_strdup ("198.51.100.1");
            in.address = g_strdup (addrs[a]);
            in.ttl = 16;
            in.port = 5004 + 2 * c;
            in.payload_type = 96 + r;
            in.encoding = g_strdup (enc[e]);
            in.rate = rates[r];
            in.channels = chans[c];
            in.ptime_us = ptimes[p];
            in.mediaclk_offset = 1000 * p;
            if (p % 2) {
              in.ptp_domain = (gint) c;
              in.ptp_gmid = g_strdup ("00-1D-C1-FF-FE-50-36-33");
            } else {
              in.localmac = g_strdup ("02-00-00-00-00-01");
            }
            text = aes67_sdp_build (&in, &err);
            fail_unless (text != NULL, "%s", err ? err->message : "");
            /* CRLF everywhere */
            fail_unless (strstr (text, "\n") == strstr (text, "\r\n") + 1);
            fail_if (strstr (text, ",") && strstr (text, "a=ptime:0,"));

            aes67_sdp_stream_init (&out);
            fail_unless (aes67_sdp_parse (text, &out, &err), "%s\n%s",
                err ? err->message : "", text);
            fail_unless_equals_string (out.session_name, in.session_name);
            fail_unless_equals_uint64 (out.session_id, in.session_id);
            fail_unless_equals_uint64 (out.session_version, 7);
            fail_unless_equals_string (out.address, in.address);
            fail_unless_equals_int (out.multicast, a == 0);
            if (a == 0) {
              fail_unless_equals_int (out.ttl, 16);
            }
            fail_unless_equals_int (out.port, in.port);
            fail_unless_equals_int (out.payload_type, in.payload_type);
            fail_unless_equals_string (out.encoding, in.encoding);
            fail_unless_equals_int (out.rate, in.rate);
            fail_unless_equals_int (out.channels, in.channels);
            fail_unless_equals_int (out.ptime_us, in.ptime_us);
            fail_unless_equals_int (out.framecount,
                aes67_ptime_to_frames (in.ptime_us, in.rate));
            fail_unless_equals_int (out.mediaclk_offset, in.mediaclk_offset);
            fail_unless_equals_int (out.ptp_domain, in.ptp_domain);
            fail_unless_equals_string (out.ptp_gmid, in.ptp_gmid);
            fail_unless_equals_string (out.localmac, in.localmac);
            if (a == 0) {
              fail_unless_equals_string (out.source_filter, "198.51.100.1");
            } else {
              fail_unless (out.source_filter == NULL);
            }
            g_free (text);
            aes67_sdp_stream_clear (&in);
            aes67_sdp_stream_clear (&out);
            n++;
          }
  fail_unless_equals_int (n, 240);
}

GST_END_TEST;

/* record order as AES67 devices expect it (Dante rejects reordering) */
GST_START_TEST (test_build_record_order)
{
  static const gchar *order[] = {
    "v=0\r\n", "o=- ", "s=", "i=", "c=IN IP4 239.69.1.10/32\r\n", "t=0 0\r\n",
    "a=clock-domain:PTPv2 5\r\n", "m=audio 5004 RTP/AVP 97\r\n",
    "c=IN IP4 239.69.1.10/32\r\n", "a=rtpmap:97 L24/48000/2\r\n",
    "a=recvonly\r\n", "a=ptime:1\r\n", "a=framecount:48\r\n",
    "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:5\r\n",
    "a=mediaclk:direct=0\r\n",
    "a=source-filter: incl IN IP4 239.69.1.10 198.51.100.1\r\n",
  };
  Aes67SdpStream s;
  gchar *text;
  const gchar *pos;
  guint i;

  aes67_sdp_stream_init (&s);
  s.session_name = g_strdup ("Studio A");
  s.info = g_strdup ("2 channels: Left, Right");
  s.origin_address = g_strdup ("198.51.100.1");
  s.address = g_strdup ("239.69.1.10");
  s.port = 5004;
  s.payload_type = 97;
  s.encoding = g_strdup ("L24");
  s.rate = 48000;
  s.channels = 2;
  s.ptime_us = 1000;
  s.ptp_domain = 5;
  s.ptp_gmid = g_strdup ("00-1D-C1-FF-FE-50-36-33");
  text = aes67_sdp_build (&s, NULL);
  fail_unless (text);
  pos = text;
  for (i = 0; i < G_N_ELEMENTS (order); i++) {
    const gchar *hit = strstr (pos, order[i]);
    fail_unless (hit != NULL, "record %u \"%s\" missing or out of order in\n%s",
        i, order[i], text);
    pos = hit + strlen (order[i]) - 1;
  }
  g_free (text);
  aes67_sdp_stream_clear (&s);
}

GST_END_TEST;

GST_START_TEST (test_parse_malformed)
{
  static const struct
  {
    const gchar *why;
    const gchar *sdp;
    gint code;
  } t[] = {
    {"empty", "", AES67_SDP_ERROR_SYNTAX},
    {"not SDP", "hello world\n", AES67_SDP_ERROR_SYNTAX},
    {"no media", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nc=IN IP4 239.1.1.1/32\n"
          "t=0 0\n", AES67_SDP_ERROR_NO_STREAM},
    {"video only", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nc=IN IP4 239.1.1.1/32\n"
          "t=0 0\nm=video 5004 RTP/AVP 96\na=rtpmap:96 raw/90000\n",
        AES67_SDP_ERROR_NO_STREAM},
    {"AM824", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nc=IN IP4 239.1.1.1/32\n"
          "t=0 0\nm=audio 5004 RTP/AVP 96\na=rtpmap:96 AM824/48000/2\n",
        AES67_SDP_ERROR_UNSUPPORTED},
    {"no rtpmap", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nc=IN IP4 239.1.1.1/32\n"
          "t=0 0\nm=audio 5004 RTP/AVP 96\n", AES67_SDP_ERROR_NO_STREAM},
    {"rtpmap garbage", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nc=IN IP4 "
          "239.1.1.1/32\nt=0 0\nm=audio 5004 RTP/AVP 96\na=rtpmap:zz\n",
        AES67_SDP_ERROR_NO_STREAM},
    {"65 channels", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nc=IN IP4 239.1.1.1/32\n"
          "t=0 0\nm=audio 5004 RTP/AVP 96\na=rtpmap:96 L24/48000/65\n",
        AES67_SDP_ERROR_UNSUPPORTED},
    {"rate 0", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nc=IN IP4 239.1.1.1/32\n"
          "t=0 0\nm=audio 5004 RTP/AVP 96\na=rtpmap:96 L24/0/2\n",
        AES67_SDP_ERROR_UNSUPPORTED},
    {"no connection", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nt=0 0\n"
          "m=audio 5004 RTP/AVP 96\na=rtpmap:96 L24/48000/2\n",
        AES67_SDP_ERROR_NO_STREAM},
    {"IPv6 connection", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nc=IN IP6 ff0e::1\n"
          "t=0 0\nm=audio 5004 RTP/AVP 96\na=rtpmap:96 L24/48000/2\n",
        AES67_SDP_ERROR_NO_STREAM},
    {"host name", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nc=IN IP4 example.com\n"
          "t=0 0\nm=audio 5004 RTP/AVP 96\na=rtpmap:96 L24/48000/2\n",
        AES67_SDP_ERROR_NO_STREAM},
    {"empty address (fuzzer)",
          "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nc=IN IP4 /32\n"
          "t=0 0\nm=audio 5004 RTP/AVP 96\na=rtpmap:96 L24/48000/2\n",
        AES67_SDP_ERROR_NO_STREAM},
    {"no address at all", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nc=IN IP4 \n"
          "t=0 0\nm=audio 5004 RTP/AVP 96\na=rtpmap:96 L24/48000/2\n",
        AES67_SDP_ERROR_NO_STREAM},
    {"port 0", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nc=IN IP4 239.1.1.1/32\n"
          "t=0 0\nm=audio 0 RTP/AVP 96\na=rtpmap:96 L24/48000/2\n",
        AES67_SDP_ERROR_NO_STREAM},
    /* two that do not fit: the first one's reason (the fuzzer found the
     * error set twice) */
    {"two rtpmaps out of range (fuzzer)", "v=0\no=- 1 1 IN IP4 1.2.3.4\n"
          "s=x\nc=IN IP4 239.1.1.1/32\nt=0 0\nm=audio 5004 RTP/AVP 96 97\n"
          "a=rtpmap:96 L24/48000/65\na=rtpmap:97 AM824/48000/2\n",
        AES67_SDP_ERROR_UNSUPPORTED},
    /* the one rtpmap is for a payload type m= does not list, and m= lists
     * two: which one the packets carry is not known */
    {"rtpmap for another payload type, two formats", "v=0\no=- 1 1 IN IP4 "
          "1.2.3.4\ns=x\nc=IN IP4 239.1.1.1/32\nt=0 0\n"
          "m=audio 5004 RTP/AVP 97 98\na=rtpmap:96 L24/48000/2\n",
        AES67_SDP_ERROR_NO_STREAM},
    /* m= lists one, two rtpmaps for others: which format is not known */
    {"two rtpmaps, neither for the m= payload type", "v=0\no=- 1 1 IN IP4 "
          "1.2.3.4\ns=x\nc=IN IP4 239.1.1.1/32\nt=0 0\n"
          "m=audio 5004 RTP/AVP 97\na=rtpmap:96 L24/48000/2\n"
          "a=rtpmap:98 L16/48000/2\n", AES67_SDP_ERROR_NO_STREAM},
    /* the mismatch is read around only for a format we play */
    {"rtpmap for another payload type, AM824", "v=0\no=- 1 1 IN IP4 "
          "1.2.3.4\ns=x\nc=IN IP4 239.1.1.1/32\nt=0 0\n"
          "m=audio 5004 RTP/AVP 97\na=rtpmap:96 AM824/48000/2\n",
        AES67_SDP_ERROR_UNSUPPORTED},
    {"negative channels", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\nc=IN IP4 "
          "239.1.1.1/32\nt=0 0\nm=audio 5004 RTP/AVP 96\n"
          "a=rtpmap:96 L24/48000/-2\n", AES67_SDP_ERROR_NO_STREAM},
    {"rate 2^32 + 48000 (wraps in 32 bits)", "v=0\no=- 1 1 IN IP4 1.2.3.4\n"
          "s=x\nc=IN IP4 239.1.1.1/32\nt=0 0\nm=audio 5004 RTP/AVP 96\n"
          "a=rtpmap:96 L24/4295015296/2\n", AES67_SDP_ERROR_UNSUPPORTED},
    {"only m=video and m=application", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\n"
          "c=IN IP4 239.1.1.1/32\nt=0 0\nm=video 5004 RTP/AVP 96\n"
          "a=rtpmap:96 L24/48000/2\nm=application 9 TCP x\n",
        AES67_SDP_ERROR_NO_STREAM},
    {"audio over another protocol", "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\n"
          "c=IN IP4 239.1.1.1/32\nt=0 0\nm=audio 5004 RTP/SAVP 96\n"
          "a=rtpmap:96 L24/48000/2\n", AES67_SDP_ERROR_NO_STREAM},
    /* quoted in the error cut to 8 bytes: U+FFFD is 3 (fuzzer) */
    {"format of bytes that are not UTF-8 (fuzzer)", "v=0\no=- 1 1 IN IP4 "
          "1.2.3.4\ns=x\nc=IN IP4 239.1.1.1/32\nt=0 0\n"
          "m=audio 5004 RTP/AVP \xd1\xc8\xf2\xf5>>>>\n",
        AES67_SDP_ERROR_NO_STREAM},
    /* (GstSDPMessage skips lines it does not know) */
    {"binary after v=0", "v=0\n\x01\x02\xff\xfe\x80garbage",
        AES67_SDP_ERROR_NO_STREAM},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (t); i++) {
    Aes67SdpStream s;
    GError *err = NULL;

    aes67_sdp_stream_init (&s);
    fail_if (aes67_sdp_parse (t[i].sdp, &s, &err), "'%s' parsed", t[i].why);
    fail_unless (err != NULL, "'%s': no error", t[i].why);
    fail_unless (g_error_matches (err, AES67_SDP_ERROR, t[i].code),
        "'%s': error %d (%s), expected %d", t[i].why, err->code, err->message,
        t[i].code);
    fail_unless (strlen (err->message) > 10);
    fail_unless (g_utf8_validate (err->message, -1, NULL), "'%s'", t[i].why);
    fail_unless (s.warnings == NULL);
    g_clear_error (&err);
    aes67_sdp_stream_clear (&s);
  }
}

GST_END_TEST;

/* SDP of more than 16384 bytes (SAP's limit) is refused before parsing,
 * whatever it holds: here 1000 whole m=audio sections (48 kB) */
GST_START_TEST (test_parse_too_large)
{
  GString *t = g_string_new ("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=x\n"
      "c=IN IP4 239.1.1.1/32\nt=0 0\n");
  Aes67SdpStream s;
  GError *err = NULL;
  guint i;

  for (i = 0; i < 1000; i++)
    g_string_append (t, "m=audio 5004 RTP/AVP 97\na=rtpmap:97 L24/48000/2\n");
  fail_unless (t->len > AES67_SDP_MAX_SIZE);
  aes67_sdp_stream_init (&s);
  fail_if (aes67_sdp_parse (t->str, &s, &err));
  fail_unless (g_error_matches (err, AES67_SDP_ERROR, AES67_SDP_ERROR_SYNTAX));
  fail_unless (strstr (err->message, "16384") != NULL, "%s", err->message);
  g_clear_error (&err);
  aes67_sdp_stream_clear (&s);
  g_string_free (t, TRUE);
}

GST_END_TEST;

#define HEAD "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=W\r\n" \
    "c=IN IP4 239.69.1.10/32\r\nt=0 0\r\n"
#define DANTE HEAD "m=audio 5004 RTP/AVP 97\r\na=rtpmap:96 L24/48000/2\r\n"
#define GOOD HEAD "m=audio 5004 RTP/AVP 97\r\na=rtpmap:97 L24/48000/2\r\n"

/* SDP that plays, with what was read around returned as warnings that
 * name the media line: which stream is taken, and each warning's words */
GST_START_TEST (test_parse_warnings)
{
  static const struct
  {
    const gchar *why;
    const gchar *sdp;           /* NULL: built below */
    guint line, pt, ptime_us;
    const gchar *enc;
    guint rate, channels;
    const gchar *says[4];       /* in the one warning; none: no warning */
  } t[] = {
    {"device SDP: no warning", GOOD "a=ptime:1\r\n", 1, 97, 1000, "L24",
        48000, 2, {NULL}},
    /* Dante: the m= payload type, the rtpmap's format */
    {"payload type mismatch (Dante)", DANTE, 1, 97, 1000, "L24", 48000, 2,
        {"media line 1", "payload type 97", "payload type 96", NULL}},
    {"mismatch, rtpmap without channels", HEAD "m=audio 5004 RTP/AVP 100\r\n"
          "a=rtpmap:98 L16/44100\r\n", 1, 100, 1000, "L16", 44100, 1,
        {"100", "98", NULL}},
    /* m= lists 96 and 97, the rtpmap is for 97: no mismatch */
    {"second format has the rtpmap", HEAD "m=audio 5004 RTP/AVP 96 97\r\n"
          "a=rtpmap:97 L24/48000/2\r\n", 1, 97, 1000, "L24", 48000, 2,
        {NULL}},
    {"a=ptime:0", GOOD "a=ptime:0\r\n", 1, 97, 1000, "L24", 48000, 2,
        {"media line 1", "a=ptime:0", "1 ms", NULL}},
    {"a=ptime:-1", GOOD "a=ptime:-1\r\n", 1, 97, 1000, "L24", 48000, 2,
        {"media line 1", "a=ptime:-1", NULL}},
    {"a=ptime:-0.125", GOOD "a=ptime:-0.125\r\n", 1, 97, 1000, "L24", 48000,
        2, {"a=ptime:-0.125", NULL}},
    {"a=ptime:abc", GOOD "a=ptime:abc\r\n", 1, 97, 1000, "L24", 48000, 2,
        {"a=ptime:abc", NULL}},
    {"a=ptime:0 and a=framecount:6", GOOD "a=ptime:0\r\na=framecount:6\r\n",
          1, 97, 125, "L24", 48000, 2, {"a=ptime:0", "a=framecount:6", "125",
            NULL}},
    {"a=ptime:99999", GOOD "a=ptime:99999\r\n", 1, 97, 1000, "L24", 48000, 2,
        {"a=ptime:99999", NULL}},
    {"a=framecount:-48", GOOD "a=framecount:-48\r\n", 1, 97, 1000, "L24",
        48000, 2, {"media line 1", "a=framecount:-48", NULL}},
    {"PTP domain 300", GOOD "a=ts-refclk:ptp=IEEE1588-2008:"
          "00-1D-C1-FF-FE-50-36-33:300\r\n", 1, 97, 1000, "L24", 48000, 2,
        {"media line 1", "300", "0-127", NULL}},
    {"video first", HEAD "m=video 5000 RTP/AVP 96\r\na=rtpmap:96 raw/90000"
          "\r\nm=audio 5004 RTP/AVP 97\r\na=rtpmap:97 L24/48000/2\r\n", 2, 97,
          1000, "L24", 48000, 2, {"2 media lines", "media line 2",
            "media line 1 (m=video 5000 RTP/AVP 96) is not audio", NULL}},
    {"AM824 first", HEAD "m=audio 5000 RTP/AVP 96\r\na=rtpmap:96 AM824/48000"
          "/2\r\nm=audio 5004 RTP/AVP 97\r\na=rtpmap:97 L24/48000/2\r\n", 2,
        97, 1000, "L24", 48000, 2, {"media line 2", "AM824", NULL}},
    {"ST 2022-7", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=W\r\nt=0 0\r\n"
          "a=group:DUP 1 2\r\nm=audio 5004 RTP/AVP 97\r\n"
          "c=IN IP4 239.69.1.10/32\r\na=rtpmap:97 L24/48000/2\r\na=mid:1\r\n"
          "m=audio 5004 RTP/AVP 97\r\nc=IN IP4 239.69.2.10/32\r\n"
          "a=rtpmap:97 L24/48000/2\r\na=mid:2\r\n", 1, 97, 1000, "L24",
        48000, 2, {NULL}},
    /* ST 2022-7: a well-formed DUP group is read (test_parse_dup), so
     * nothing is odd about it */
    /* 1000 m= lines in 16 kB: the last one is the stream */
    {"1000 m= lines, the last one audio", NULL, 1000, 97, 1000, "L24", 48000,
        2, {"1000 media lines", "media line 1000", "media line 1 (m=text 9 x "
                "0) is not audio", NULL}},
    /* 1000 m=audio lines: the first */
    {"1000 m=audio lines", NULL, 1, 97, 1000, "L24", 48000, 2,
          {"1000 media lines", "media line 1 ", "the other 999 are ignored",
            NULL}},
  };
  guint i, k;

  for (i = 0; i < G_N_ELEMENTS (t); i++) {
    Aes67SdpStream s;
    GError *err = NULL;
    gchar *text;

    if (t[i].sdp) {
      text = g_strdup (t[i].sdp);
    } else {
      GString *g = g_string_new (HEAD);
      gboolean last = t[i].line == 1000;

      if (!last)
        g_string_append (g, "m=audio 5004 RTP/AVP 97\r\n"
            "a=rtpmap:97 L24/48000/2\r\n");
      for (k = 0; k < 999; k++)
        g_string_append (g, last ? "m=text 9 x 0\r\n" : "m=audio 9 R 9\r\n");
      if (last)
        g_string_append (g, "m=audio 5004 RTP/AVP 97\r\n"
            "a=rtpmap:97 L24/48000/2\r\n");
      fail_unless (g->len <= AES67_SDP_MAX_SIZE);
      text = g_string_free (g, FALSE);
    }
    aes67_sdp_stream_init (&s);
    fail_unless (aes67_sdp_parse (text, &s, &err), "'%s': %s", t[i].why,
        err ? err->message : "");
    fail_unless_equals_int (s.media_line, t[i].line);
    fail_unless_equals_int (s.payload_type, t[i].pt);
    fail_unless_equals_string (s.encoding, t[i].enc);
    fail_unless_equals_int (s.rate, t[i].rate);
    fail_unless_equals_int (s.channels, t[i].channels);
    fail_unless_equals_int (s.ptime_us, t[i].ptime_us);
    if (!t[i].says[0]) {
      fail_unless (s.warnings == NULL, "'%s': warned '%s'", t[i].why,
          s.warnings[0]);
    } else {
      fail_unless (s.warnings && s.warnings[0], "'%s': no warning", t[i].why);
      fail_unless (s.warnings[1] == NULL, "'%s': two warnings: '%s', '%s'",
          t[i].why, s.warnings[0], s.warnings[1]);
      fail_unless (g_utf8_validate (s.warnings[0], -1, NULL));
      for (k = 0; t[i].says[k]; k++)
        fail_unless (strstr (s.warnings[0], t[i].says[k]) != NULL,
            "'%s': warning '%s' does not say '%s'", t[i].why, s.warnings[0],
            t[i].says[k]);
    }
    aes67_sdp_stream_clear (&s);
    g_free (text);
  }
}

GST_END_TEST;


/* An SDP with a DUP group exactly as aes67-linux-daemon's documentation
 * shows one: README.md, "Support for ST-2022-7", of
 * https://github.com/bondagit/aes67-linux-daemon (commit 77c97c3, 2026-08;
 * the same text is the comment above SessionManager::parse_sdp in
 * daemon/session_manager.cpp). LF line ends, as there. */
static const gchar *daemon_dup_sdp =
    "v=0\n"
    "o=- 2831159553 317021570 IN IP4 192.168.1.17\n"
    "s=Daemon a8c01101 ALSA Source 0\n"
    "t=0 0\n"
    "a=group:DUP 1 2\n"
    "m=audio 5004 RTP/AVP 98\n"
    "c=IN IP4 239.1.0.1/15\n"
    "a=source-filter: incl IN IP4 239.1.0.1 192.168.1.17\n"
    "a=rtpmap:98 L24/48000/2\n"
    "a=sync-time:0\n"
    "a=framecount:48\n"
    "a=ptime:1\n"
    "a=mediaclk:direct=0\n"
    "a=clock-domain:PTPv2 0\n"
    "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0\n"
    "a=recvonly\n"
    "a=mid:1\n"
    "m=audio 5006 RTP/AVP 98\n"
    "c=IN IP4 239.1.0.1/15\n"
    "a=source-filter: incl IN IP4 239.1.0.1 192.168.1.18\n"
    "a=rtpmap:98 L24/48000/2\n"
    "a=sync-time:0\n"
    "a=framecount:48\n"
    "a=ptime:1\n"
    "a=mediaclk:direct=0\n"
    "a=clock-domain:PTPv2 0\n"
    "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0\n" "a=mid:2\n";

GST_START_TEST (test_parse_dup_daemon)
{
  Aes67SdpStream s;
  GError *err = NULL;

  aes67_sdp_stream_init (&s);
  fail_unless (aes67_sdp_parse (daemon_dup_sdp, &s, &err), "%s",
      err ? err->message : "");
  fail_unless (s.warnings == NULL, "warned '%s'", s.warnings ?
      s.warnings[0] : "");
  /* the primary, as without a group */
  fail_unless_equals_int (s.media_line, 1);
  fail_unless_equals_int (s.n_media, 2);
  fail_unless_equals_string (s.address, "239.1.0.1");
  fail_unless_equals_int (s.ttl, 15);
  fail_unless_equals_int (s.port, 5004);
  fail_unless (s.multicast);
  fail_unless_equals_string (s.source_filter, "192.168.1.17");
  fail_unless_equals_int (s.payload_type, 98);
  fail_unless_equals_string (s.encoding, "L24");
  fail_unless_equals_int (s.rate, 48000);
  fail_unless_equals_int (s.channels, 2);
  fail_unless_equals_int (s.ptime_us, 1000);
  fail_unless_equals_string (s.mid, "1");
  /* the secondary: same group address, another port and source */
  fail_unless (s.has_secondary);
  fail_unless_equals_int (s.secondary_media_line, 2);
  fail_unless_equals_string (s.secondary_mid, "2");
  fail_unless_equals_string (s.secondary_address, "239.1.0.1");
  fail_unless_equals_int (s.secondary_ttl, 15);
  fail_unless (s.secondary_multicast);
  fail_unless_equals_int (s.secondary_port, 5006);
  fail_unless_equals_string (s.secondary_source_filter, "192.168.1.18");
  aes67_sdp_stream_clear (&s);
  fail_unless (s.secondary_address == NULL && !s.has_secondary);
}

GST_END_TEST;

/* What aes67sink writes for two paths reads back as two legs, in the
 * order and form of aes67-linux-daemon (a=group:DUP 1 2, a=mid last). */
GST_START_TEST (test_build_dup_roundtrip)
{
  Aes67SdpStream in, out;
  GError *err = NULL;
  gchar *text, **lines;
  const gchar *want[] = {
    "v=0", "o=- 42 7 IN IP4 198.51.100.1", "s=Redundant", "i=2 channels: L, R",
    "c=IN IP4 239.69.1.10/32", "t=0 0", "a=clock-domain:PTPv2 0",
    "a=group:DUP 1 2",
    "m=audio 5004 RTP/AVP 97", "c=IN IP4 239.69.1.10/32",
    "a=rtpmap:97 L24/48000/2", "a=recvonly", "a=ptime:1", "a=framecount:48",
    "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0",
    "a=mediaclk:direct=1234",
    "a=source-filter: incl IN IP4 239.69.1.10 198.51.100.1", "a=mid:1",
    "m=audio 5006 RTP/AVP 97", "c=IN IP4 239.69.2.10/32",
    "a=rtpmap:97 L24/48000/2", "a=recvonly", "a=ptime:1", "a=framecount:48",
    "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0",
    "a=mediaclk:direct=1234",
    "a=source-filter: incl IN IP4 239.69.2.10 203.0.113.1", "a=mid:2", "",
  };
  guint i;

  aes67_sdp_stream_init (&in);
  in.session_name = g_strdup ("Redundant");
  in.info = g_strdup ("2 channels: L, R");
  in.session_id = 42;
  in.session_version = 7;
  in.origin_address = g_strdup ("198.51.100.1");
  in.address = g_strdup ("239.69.1.10");
  in.port = 5004;
  in.payload_type = 97;
  in.encoding = g_strdup ("L24");
  in.rate = 48000;
  in.channels = 2;
  in.ptime_us = 1000;
  in.ptp_domain = 0;
  in.ptp_gmid = g_strdup ("00-1D-C1-FF-FE-50-36-33");
  in.mediaclk_offset = 1234;
  in.secondary_address = g_strdup ("239.69.2.10");
  in.secondary_port = 5006;
  in.secondary_source_filter = g_strdup ("203.0.113.1");

  text = aes67_sdp_build (&in, &err);
  fail_unless (text != NULL, "%s", err ? err->message : "");
  lines = g_strsplit (text, "\r\n", -1);
  fail_unless_equals_int (g_strv_length (lines), G_N_ELEMENTS (want));
  for (i = 0; i < G_N_ELEMENTS (want); i++)
    fail_unless_equals_string (lines[i], want[i]);
  g_strfreev (lines);

  aes67_sdp_stream_init (&out);
  fail_unless (aes67_sdp_parse (text, &out, &err), "%s",
      err ? err->message : "");
  fail_unless (out.warnings == NULL, "warned '%s'", out.warnings ?
      out.warnings[0] : "");
  fail_unless_equals_string (out.address, "239.69.1.10");
  fail_unless_equals_int (out.port, 5004);
  fail_unless_equals_string (out.source_filter, "198.51.100.1");
  fail_unless (out.has_secondary);
  fail_unless_equals_string (out.secondary_address, "239.69.2.10");
  fail_unless_equals_int (out.secondary_port, 5006);
  fail_unless_equals_int (out.secondary_ttl, 32);
  fail_unless_equals_string (out.secondary_source_filter, "203.0.113.1");
  fail_unless_equals_string (out.mid, "1");
  fail_unless_equals_string (out.secondary_mid, "2");
  aes67_sdp_stream_clear (&out);
  g_free (text);

  /* without a secondary address: one media line and no group, as before */
  g_clear_pointer (&in.secondary_address, g_free);
  text = aes67_sdp_build (&in, &err);
  fail_unless (text != NULL);
  fail_unless (strstr (text, "a=group") == NULL);
  fail_unless (strstr (text, "a=mid") == NULL);
  fail_unless (strstr (strstr (text, "m=audio") + 1, "m=") == NULL);
  g_free (text);

  /* a secondary leg without a port cannot be written */
  in.secondary_address = g_strdup ("239.69.2.10");
  in.secondary_port = 0;
  fail_if (aes67_sdp_build (&in, &err));
  fail_unless (g_error_matches (err, AES67_SDP_ERROR,
          AES67_SDP_ERROR_NO_STREAM));
  g_clear_error (&err);
  aes67_sdp_stream_clear (&in);
}

GST_END_TEST;

#define DUP_HEAD "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=R\r\nt=0 0\r\n"
#define DUP_LEG(port, addr, mid) "m=audio " port " RTP/AVP 97\r\n" \
  "c=IN IP4 " addr "/32\r\na=rtpmap:97 L24/48000/2\r\na=mid:" mid "\r\n"

/* Groups that cannot be read as two legs: the primary alone, with one
 * warning that says why; three mids: the first two legs. */
GST_START_TEST (test_parse_dup_malformed)
{
  static const struct
  {
    const gchar *why;
    const gchar *sdp;
    gboolean secondary;
    guint secondary_line;
    const gchar *secondary_address;
    const gchar *says[4];       /* in the one warning; none: no warning */
  } t[] = {
    {"one mid", DUP_HEAD "a=group:DUP 1\r\n" DUP_LEG ("5004", "239.69.1.1",
              "1") DUP_LEG ("5004", "239.69.2.1", "2"), FALSE, 0, NULL,
        {"a=group:DUP 1", "names 1 media line", "media line 1", NULL}},
    {"no mids", DUP_HEAD "a=group:DUP\r\n" DUP_LEG ("5004", "239.69.1.1",
              "1") DUP_LEG ("5004", "239.69.2.1", "2"), FALSE, 0, NULL,
        {"names 0 media lines", NULL}},
    {"second leg without its a=mid", DUP_HEAD "a=group:DUP 1 2\r\n"
          DUP_LEG ("5004", "239.69.1.1", "1")
          "m=audio 5004 RTP/AVP 97\r\nc=IN IP4 239.69.2.1/32\r\n"
          "a=rtpmap:97 L24/48000/2\r\n", FALSE, 0, NULL,
        {"no media line has a=mid:2", "media line 1", NULL}},
    {"unknown mid", DUP_HEAD "a=group:DUP 1 7\r\n" DUP_LEG ("5004",
              "239.69.1.1", "1") DUP_LEG ("5004", "239.69.2.1", "2"), FALSE,
        0, NULL, {"no media line has a=mid:7", NULL}},
    {"primary not in the group", DUP_HEAD "a=group:DUP 2 3\r\n"
          DUP_LEG ("5004", "239.69.1.1", "1") DUP_LEG ("5004", "239.69.2.1",
              "2") DUP_LEG ("5004", "239.69.3.1", "3"), FALSE, 0, NULL,
        {"media line 1", "a=mid:1", "not in a=group:DUP 2 3", NULL}},
    {"primary without a=mid", DUP_HEAD "a=group:DUP 1 2\r\n"
          "m=audio 5004 RTP/AVP 97\r\nc=IN IP4 239.69.1.1/32\r\n"
          "a=rtpmap:97 L24/48000/2\r\n" DUP_LEG ("5004", "239.69.2.1", "2"),
        FALSE, 0, NULL, {"without a=mid", NULL}},
    {"the same mid twice", DUP_HEAD "a=group:DUP 1 1\r\n" DUP_LEG ("5004",
              "239.69.1.1", "1") DUP_LEG ("5004", "239.69.2.1", "2"), FALSE,
        0, NULL, {"names only media line 1", NULL}},
    {"another rate", DUP_HEAD "a=group:DUP 1 2\r\n" DUP_LEG ("5004",
              "239.69.1.1", "1")
          "m=audio 5004 RTP/AVP 97\r\nc=IN IP4 239.69.2.1/32\r\n"
          "a=rtpmap:97 L24/96000/2\r\na=mid:2\r\n", FALSE, 0, NULL,
        {"media line 2", "not the same stream", "L24/48000/2", NULL}},
    {"another payload type", DUP_HEAD "a=group:DUP 1 2\r\n" DUP_LEG ("5004",
              "239.69.1.1", "1")
          "m=audio 5004 RTP/AVP 98\r\nc=IN IP4 239.69.2.1/32\r\n"
          "a=rtpmap:98 L24/48000/2\r\na=mid:2\r\n", FALSE, 0, NULL,
        {"not the same stream", NULL}},
    {"another encoding", DUP_HEAD "a=group:DUP 1 2\r\n" DUP_LEG ("5004",
              "239.69.1.1", "1")
          "m=audio 5004 RTP/AVP 97\r\nc=IN IP4 239.69.2.1/32\r\n"
          "a=rtpmap:97 L16/48000/2\r\na=mid:2\r\n", FALSE, 0, NULL,
        {"not the same stream", NULL}},
    {"other channels", DUP_HEAD "a=group:DUP 1 2\r\n" DUP_LEG ("5004",
              "239.69.1.1", "1")
          "m=audio 5004 RTP/AVP 97\r\nc=IN IP4 239.69.2.1/32\r\n"
          "a=rtpmap:97 L24/48000/8\r\na=mid:2\r\n", FALSE, 0, NULL,
        {"not the same stream", NULL}},
    {"secondary is video", DUP_HEAD "a=group:DUP 1 2\r\n" DUP_LEG ("5004",
              "239.69.1.1", "1")
          "m=video 5004 RTP/AVP 96\r\nc=IN IP4 239.69.2.1/32\r\n"
          "a=rtpmap:96 raw/90000\r\na=mid:2\r\n", FALSE, 0, NULL,
        {"not the same stream", NULL}},
    {"both legs alike", DUP_HEAD "a=group:DUP 1 2\r\n" DUP_LEG ("5004",
              "239.69.1.1", "1") DUP_LEG ("5004", "239.69.1.1", "2"), FALSE,
        0, NULL, {"cannot be told apart", NULL}},
    {"secondary without port", DUP_HEAD "a=group:DUP 1 2\r\n"
          DUP_LEG ("5004", "239.69.1.1", "1") DUP_LEG ("0", "239.69.2.1",
              "2"), FALSE, 0, NULL, {"secondary leg", "no usable port",
            NULL}},
    /* three mids: a receiver merges two legs; the first two are read */
    {"three mids", DUP_HEAD "a=group:DUP 1 2 3\r\n" DUP_LEG ("5004",
              "239.69.1.1", "1") DUP_LEG ("5004", "239.69.2.1", "2")
          DUP_LEG ("5004", "239.69.3.1", "3"), TRUE, 2, "239.69.2.1",
          {"3 media lines", "media lines 1 and 2", "other one is ignored",
            NULL}},
    /* the group's order, not the SDP's: "2 1" with mid 1 first */
    {"group order 2 1", DUP_HEAD "a=group:DUP 2 1\r\n" DUP_LEG ("5004",
              "239.69.1.1", "1") DUP_LEG ("5004", "239.69.2.1", "2"), TRUE, 2,
        "239.69.2.1", {NULL}},
    /* the same address, other sources (source filters) */
    {"same destination, other sources", DUP_HEAD "a=group:DUP a b\r\n"
          "m=audio 5004 RTP/AVP 97\r\nc=IN IP4 239.69.1.1/32\r\n"
          "a=rtpmap:97 L24/48000/2\r\n"
          "a=source-filter: incl IN IP4 239.69.1.1 192.0.2.1\r\na=mid:a\r\n"
          "m=audio 5004 RTP/AVP 97\r\nc=IN IP4 239.69.1.1/32\r\n"
          "a=rtpmap:97 L24/48000/2\r\n"
          "a=source-filter: incl IN IP4 239.69.1.1 192.0.2.2\r\na=mid:b\r\n",
        TRUE, 2, "239.69.1.1", {NULL}},
    /* unicast legs, session-level c= for the second */
    {"unicast, session c=", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=R\r\n"
          "c=IN IP4 192.0.2.50\r\nt=0 0\r\na=group:DUP 1 2\r\n"
          "m=audio 5004 RTP/AVP 97\r\nc=IN IP4 192.0.2.40\r\n"
          "a=rtpmap:97 L24/48000/2\r\na=mid:1\r\n"
          "m=audio 5004 RTP/AVP 97\r\na=rtpmap:97 L24/48000/2\r\na=mid:2\r\n",
        TRUE, 2, "192.0.2.50", {NULL}},
    /* no group, two audio lines: the first, as always */
    {"no group", DUP_HEAD DUP_LEG ("5004", "239.69.1.1", "1")
          DUP_LEG ("5004", "239.69.2.1", "2"), FALSE, 0, NULL,
        {"2 media lines", "media line 1", "the other one is ignored", NULL}},
    /* another group semantics (RFC 5888 LS) is not ST 2022-7 */
    {"group LS", DUP_HEAD "a=group:LS 1 2\r\n" DUP_LEG ("5004",
              "239.69.1.1", "1") DUP_LEG ("5004", "239.69.2.1", "2"), FALSE,
        0, NULL, {"2 media lines", NULL}},
  };
  guint i, k;

  for (i = 0; i < G_N_ELEMENTS (t); i++) {
    Aes67SdpStream s;
    GError *err = NULL;

    aes67_sdp_stream_init (&s);
    fail_unless (aes67_sdp_parse (t[i].sdp, &s, &err), "'%s': %s", t[i].why,
        err ? err->message : "");
    fail_unless_equals_int (s.media_line, 1);
    fail_unless_equals_string (s.address, g_str_has_prefix (t[i].why,
            "unicast") ? "192.0.2.40" : "239.69.1.1");
    fail_unless_equals_int (s.port, 5004);
    fail_unless (s.has_secondary == t[i].secondary, "'%s': secondary %d",
        t[i].why, s.has_secondary);
    if (t[i].secondary) {
      fail_unless_equals_int (s.secondary_media_line, t[i].secondary_line);
      fail_unless_equals_string (s.secondary_address, t[i].secondary_address);
    } else {
      fail_unless (s.secondary_address == NULL);
      fail_unless_equals_int (s.secondary_port, 0);
    }
    if (!t[i].says[0]) {
      fail_unless (s.warnings == NULL, "'%s': warned '%s'", t[i].why,
          s.warnings[0]);
    } else {
      fail_unless (s.warnings && s.warnings[0], "'%s': no warning", t[i].why);
      fail_unless (s.warnings[1] == NULL, "'%s': two warnings: '%s', '%s'",
          t[i].why, s.warnings[0], s.warnings[1]);
      for (k = 0; t[i].says[k]; k++)
        fail_unless (strstr (s.warnings[0], t[i].says[k]) != NULL,
            "'%s': warning '%s' does not say '%s'", t[i].why, s.warnings[0],
            t[i].says[k]);
    }
    aes67_sdp_stream_clear (&s);
  }
}

GST_END_TEST;

/* The raw caps aes67src outputs (and the device providers list) */
GST_START_TEST (test_audio_caps)
{
  static const struct
  {
    const gchar *enc;
    guint rate, channels;
    const gchar *caps;
  } t[] = {
    {"L24", 48000, 2, "audio/x-raw, format=(string)S24BE, rate=(int)48000, "
          "channels=(int)2, layout=(string)interleaved, "
          "channel-mask=(bitmask)0x3"},
    {"L16", 44100, 1, "audio/x-raw, format=(string)S16BE, rate=(int)44100, "
          "channels=(int)1, layout=(string)interleaved"},
    {"L24", 96000, 8, "audio/x-raw, format=(string)S24BE, rate=(int)96000, "
          "channels=(int)8, layout=(string)interleaved, "
          "channel-mask=(bitmask)0x0"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (t); i++) {
    GstCaps *c = aes67_audio_caps (t[i].enc, t[i].rate, t[i].channels);
    GstCaps *e = gst_caps_from_string (t[i].caps);

    fail_unless (gst_caps_is_equal (c, e), "%s", CAPS_STR (c));
    gst_caps_unref (c);
    gst_caps_unref (e);
  }
}

GST_END_TEST;

/* SDP files: regular files of text only, at most 16384 bytes; errors
 * name the file in valid UTF-8 and come at once (no read of /dev/zero, no
 * wait on a FIFO) */
GST_START_TEST (test_read_file)
{
  gchar *dir = g_dir_make_tmp ("aes67sdp-XXXXXX", NULL);
  gchar *good = g_build_filename (dir, "good.sdp", NULL);
  gchar *big = g_build_filename (dir, "big.sdp", NULL);
  gchar *bin = g_build_filename (dir, "binary.sdp", NULL);
  gchar *fifo = g_build_filename (dir, "fifo.sdp", NULL);
  gchar *sub = g_build_filename (dir, "K\xf6ln.sdp", NULL);     /* Latin-1 */
  gchar *none = g_build_filename (dir, "missing.sdp", NULL);
  gchar *big_text = g_strnfill (AES67_SDP_MAX_SIZE + 1, 'a');
  static const guint8 binary[] = { 'v', '=', '0', '\n', 0, 0xff, 0x80, 1 };
  const struct
  {
    const gchar *path;
    gint code;                  /* -1: G_FILE_ERROR_NOENT */
    const gchar *says;
  } t[] = {
    {"/dev/zero", AES67_SDP_ERROR_FILE, "a character device"},
    {dir, AES67_SDP_ERROR_FILE, "a directory"},
    {fifo, AES67_SDP_ERROR_FILE, "a FIFO"},
    {big, AES67_SDP_ERROR_FILE, "16384"},
    {bin, AES67_SDP_ERROR_FILE, "binary"},
    {sub, AES67_SDP_ERROR_FILE, "a directory"},
    {none, -1, "missing.sdp"},
  };
  gchar *text = NULL;
  GError *err = NULL;
  guint i;

  fail_unless (g_file_set_contents (good, device_sdp, -1, NULL));
  fail_unless (g_file_set_contents (big, big_text, -1, NULL));
  fail_unless (g_file_set_contents (bin, (const gchar *) binary,
          sizeof (binary), NULL));
  fail_unless (mkfifo (fifo, 0600) == 0);
  fail_unless (g_mkdir (sub, 0700) == 0);

  fail_unless (aes67_sdp_read_file (good, &text, &err), "%s",
      err ? err->message : "");
  fail_unless_equals_string (text, device_sdp);
  g_free (text);

  for (i = 0; i < G_N_ELEMENTS (t); i++) {
    text = NULL;
    fail_if (aes67_sdp_read_file (t[i].path, &text, &err), "%s read",
        t[i].path);
    fail_unless (text == NULL);
    fail_unless (err != NULL);
    if (t[i].code < 0)
      fail_unless (g_error_matches (err, G_FILE_ERROR, G_FILE_ERROR_NOENT),
          "%s", err->message);
    else
      fail_unless (g_error_matches (err, AES67_SDP_ERROR, t[i].code), "%s",
          err->message);
    fail_unless (g_utf8_validate (err->message, -1, NULL), "%s", t[i].path);
    fail_unless (strstr (err->message, t[i].says) != NULL, "%s: '%s'",
        t[i].path, err->message);
    g_clear_error (&err);
  }

  g_unlink (good);
  g_unlink (big);
  g_unlink (bin);
  g_unlink (fifo);
  g_rmdir (sub);
  g_rmdir (dir);
  g_free (good);
  g_free (big);
  g_free (bin);
  g_free (fifo);
  g_free (sub);
  g_free (none);
  g_free (big_text);
  g_free (dir);
}

GST_END_TEST;

/* odd but valid: LF only, comma ptime, ptime from framecount, no ptime */
GST_START_TEST (test_parse_tolerant)
{
  Aes67SdpStream s;
  const gchar *base = "v=0\r\no=- 5 6 IN IP4 198.51.100.9\r\ns=T\r\n"
      "c=IN IP4 198.51.100.9\r\nt=0 0\r\nm=audio 6000 RTP/AVP 98\r\n"
      "a=rtpmap:98 L16/96000/8\r\n";
  gchar *t;

  aes67_sdp_stream_init (&s);
  t = g_strconcat (base, "a=ptime:0,125\r\n", NULL);
  fail_unless (aes67_sdp_parse (t, &s, NULL));
  fail_unless_equals_int (s.ptime_us, 125);
  fail_unless (!s.multicast);
  fail_unless_equals_string (s.encoding, "L16");
  fail_unless_equals_int (s.channels, 8);
  g_free (t);
  aes67_sdp_stream_clear (&s);

  t = g_strconcat (base, "a=framecount:24\r\n", NULL);
  fail_unless (aes67_sdp_parse (t, &s, NULL));
  fail_unless_equals_int (s.ptime_us, 250);
  g_free (t);
  aes67_sdp_stream_clear (&s);

  fail_unless (aes67_sdp_parse (base, &s, NULL));
  fail_unless_equals_int (s.ptime_us, 1000);
  aes67_sdp_stream_clear (&s);
}

GST_END_TEST;

/* Not UTF-8 (a Latin-1 session name from older gear, a stray byte in an
 * attribute): parsed, with each invalid byte replaced by U+FFFD, so that
 * every string handed on (caps fields, messages) is valid; GStreamer would
 * otherwise warn and drop the caps field. */
GST_START_TEST (test_parse_not_utf8)
{
  Aes67SdpStream s;
  const gchar *text = "v=0\r\no=- 5 6 IN IP4 198.51.100.9\r\n"
      "s=Studio K\xf6ln\r\nc=IN IP4 239.69.1.1/32\r\nt=0 0\r\n"
      "m=audio 5004 RTP/AVP 98\r\na=rtpmap:98 L24/48000/2\r\n"
      "a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:\xff\r\n"
      "a=mediaclk:direct=0\r\n";
  GError *err = NULL;
  GstCaps *caps;
  const gchar *refclk;

  aes67_sdp_stream_init (&s);
  fail_unless (aes67_sdp_parse (text, &s, &err), "%s", err ? err->message : "");
  fail_unless (g_utf8_validate (s.session_name, -1, NULL));
  fail_unless_equals_string (s.session_name, "Studio K\xef\xbf\xbdln");
  fail_unless_equals_string (s.encoding, "L24");
  fail_unless_equals_int (s.channels, 2);
  /* the domain is not a number: no PTP reference clock taken from it */
  fail_unless_equals_int (s.ptp_domain, -1);
  caps = aes67_sdp_stream_to_caps (&s);
  refclk = gst_structure_get_string (gst_caps_get_structure (caps, 0),
      "a-ts-refclk");
  fail_unless (refclk != NULL);
  fail_unless (g_utf8_validate (refclk, -1, NULL));
  gst_caps_unref (caps);
  aes67_sdp_stream_clear (&s);
}

GST_END_TEST;

static Suite *
aes67sdp_suite (void)
{
  Suite *s = suite_create ("aes67sdp");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_parse_device_sdp);
  tcase_add_test (tc, test_ptime_strings);
  tcase_add_test (tc, test_build_parse_roundtrip);
  tcase_add_test (tc, test_build_record_order);
  tcase_add_test (tc, test_parse_malformed);
  tcase_add_test (tc, test_parse_too_large);
  tcase_add_test (tc, test_parse_warnings);
  tcase_add_test (tc, test_audio_caps);
  tcase_add_test (tc, test_read_file);
  tcase_add_test (tc, test_parse_tolerant);
  tcase_add_test (tc, test_parse_not_utf8);
  tcase_add_test (tc, test_parse_dup_daemon);
  tcase_add_test (tc, test_build_dup_roundtrip);
  tcase_add_test (tc, test_parse_dup_malformed);
  return s;
}

GST_CHECK_MAIN (aes67sdp);
