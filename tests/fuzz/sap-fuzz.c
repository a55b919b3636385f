/* gst-aes67: libFuzzer target for the SAP codec, SDP parsing and the SAP
 * browser's session logic
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * Each input is one SAP packet. It goes through aes67_sap_parse(); the SDP
 * it carries through GstSDPMessage; and the whole packet through a browser
 * (never started: no socket) that keeps up to 16 sessions, so additions,
 * changes, deletions and evictions run on fuzzed data. A packet that parses
 * is rebuilt and must parse to the same fields (the round trip).
 *
 * Build and run: scripts/run-fuzz.sh [seconds]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include "aes67-sdp.h"

#include "aes67-sap.h"
#include "aes67-sap-browser.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static GstAes67SapBrowser *browser;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  gst_init (NULL, NULL);
  /* a warning or critical from GLib or GStreamer on any input (a string
   * that is not UTF-8 set on a caps field, say) is a finding: abort */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  browser = gst_aes67_sap_browser_new (NULL, 0);
  g_object_set (browser, "max-sessions", 16, "max-packet-size", 65535, NULL);
  return 0;
}

/* aes67src's SDP reader (aes67-sdp.c) on what came in as SDP text */
static void
fuzz_aes67_sdp (const gchar * text, gsize len)
{
  gchar *t = g_strndup (text, len);
  Aes67SdpStream st;
  GError *e = NULL;

  aes67_sdp_stream_init (&st);
  if (aes67_sdp_parse (t, &st, &e)) {
    GstCaps *caps = aes67_sdp_stream_to_caps (&st);
    guint i;

    gst_caps_unref (caps);
    caps = aes67_sdp_stream_to_audio_caps (&st);
    gst_caps_unref (caps);
    /* what the reader promises */
    if (st.payload_type > 127 || st.media_line < 1
        || st.media_line > st.n_media || st.channels < 1 || st.channels > 64
        || st.ptime_us == 0)
      abort ();
    for (i = 0; st.warnings && st.warnings[i]; i++)
      if (i >= AES67_SDP_MAX_WARNINGS
          || !g_utf8_validate (st.warnings[i], -1, NULL))
        abort ();
  } else if (!e || !g_utf8_validate (e->message, -1, NULL)) {
    abort ();
  }
  g_clear_error (&e);
  aes67_sdp_stream_clear (&st);
  g_free (t);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  Aes67SapPacket pkt, again;
  GError *err = NULL;

  /* the input as SDP text too, SAP header or not */
  fuzz_aes67_sdp ((const gchar *) data, size);

  if (aes67_sap_parse (data, size, 65535, &pkt, &err)) {
    if (pkt.sdp) {
      GstSDPMessage *msg = NULL;
      guint8 *buf;
      gsize cap;
      gssize n;

      gst_sdp_message_new (&msg);
      gst_sdp_message_parse_buffer ((const guint8 *) pkt.sdp, pkt.sdp_len, msg);
      g_free (gst_sdp_message_as_text (msg));
      gst_sdp_message_free (msg);
      fuzz_aes67_sdp (pkt.sdp, pkt.sdp_len);

      /* round trip: rebuild uncompressed, parse again, same fields */
      cap = 20 + (pkt.payload_type ? strlen (pkt.payload_type) + 1 : 0)
          + pkt.sdp_len;
      buf = g_malloc (cap);
      n = aes67_sap_build (pkt.type, pkt.msg_id_hash ? pkt.msg_id_hash : 1,
          pkt.origin, pkt.ipv6, pkt.payload_type, pkt.sdp, pkt.sdp_len,
          FALSE, buf, cap);
      if (n <= 0 || (gsize) n > cap)
        abort ();
      if (!aes67_sap_parse (buf, n, 65535, &again, NULL))
        abort ();
      if (again.type != pkt.type || again.ipv6 != pkt.ipv6
          || memcmp (again.origin, pkt.origin, 16) != 0
          || g_strcmp0 (again.payload_type, pkt.payload_type) != 0
          || strcmp (again.sdp, pkt.sdp) != 0)
        abort ();
      aes67_sap_packet_clear (&again);
      g_free (buf);
    }
    aes67_sap_packet_clear (&pkt);
  } else {
    g_clear_error (&err);
  }
  gst_aes67_sap_browser_handle_packet (browser, data, size, "192.0.2.9");
  return 0;
}
