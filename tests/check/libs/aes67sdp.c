/* gst-aes67: tests of the AES67 SDP helper (aes67-sdp.c)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <string.h>
#include <locale.h>

#include "../../../gst/aes67/aes67-sdp.h"

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
    g_clear_error (&err);
    aes67_sdp_stream_clear (&s);
  }
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
  tcase_add_test (tc, test_parse_tolerant);
  tcase_add_test (tc, test_parse_not_utf8);
  return s;
}

GST_CHECK_MAIN (aes67sdp);
