/* gst-aes67 tests: send known audio through aes67sink -> network ->
 * aes67src and compare it byte for byte.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __AES67_ROUNDTRIP_H__
#define __AES67_ROUNDTRIP_H__

#include <gst/gst.h>
#include <gio/gio.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
#include "aes67-testnet.h"

G_BEGIN_DECLS

typedef struct {
  const gchar *encoding;        /* "L16" / "L24" */
  guint rate, channels, ptime_us;
  const gchar *address;         /* destination */
  const gchar *iface;           /* multicast interface or NULL */
  guint port;
  guint frames;                 /* audio to send */
  /* namespaces: sender in net host tx_host, receiver in rx_host (net may
   * be NULL: both here) */
  Aes67TestNet *net;
  guint tx_host, rx_host;
} RoundTrip;

typedef struct {
  GBytes *sent;                 /* what went in (S16BE / S24BE) */
  GBytes *received;             /* what came out */
  gchar *sdp;                   /* the sender's SDP */
  GstStructure *rx_stats;       /* aes67src stats at the end */
  GstStructure *tx_stats;       /* aes67sink stats at the end */
  gsize match_offset;           /* where `sent` starts in `received`, or -1 */
} RoundTripResult;

/* Runs one round trip; fails the test on pipeline errors. */
void roundtrip_run (const RoundTrip * rt, RoundTripResult * res);
void roundtrip_result_clear (RoundTripResult * res);

/* Deterministic test audio: @n bytes from seed @seed. */
GBytes *roundtrip_make_audio (gsize n, guint32 seed);

/* The format matrix: L16/L24 x 1/2/8 channels x 48/96 kHz x
 * 125 µs/1 ms, those that fit a 1500-byte MTU (22 of the 24). */
typedef struct {
  const gchar *encoding;
  guint rate, channels, ptime_us;
} RoundTripFormat;

/* Fills @out (room for 24) and returns how many there are. */
guint roundtrip_formats (RoundTripFormat * out);

/* A free UDP port on 127.0.0.1 (even, as RTP likes it). */
guint roundtrip_free_port (void);

/* Waits up to @timeout_ms for a message named @name (element message) or
 * of type @type on @bus; returns it or NULL. */
/* aes67src outputs silence flagged GAP whenever no packet came: these
 * skip it. The next sample of @appsink that carries stream audio (not a
 * GAP), or NULL when none came for @timeout. */
GstSample *roundtrip_pull_stream_sample (GstElement * appsink,
    GstClockTime timeout);

/* Appends the stream audio (non-GAP buffers) of @appsink to @out until it
 * holds @bytes, or no stream audio came for @quiet; the first sample's
 * caps in @caps unless it is NULL or already set. */
void roundtrip_pull_stream (GstElement * appsink, GByteArray * out,
    gsize bytes, GstClockTime quiet, GstCaps ** caps);

GstMessage *roundtrip_wait_element_message (GstBus * bus, const gchar * name,
    guint timeout_ms);

/* Media-clock playout checks. The sender's audio (L16 mono, 48 kHz) counts
 * its own samples from 0 (count_need_data on a live appsrc, @user_data a
 * guint64 counter); each receiver's appsink calls playout_sample, which
 * finds the sample index of each buffer's first sample from its value and
 * measures |PTS + base time - capture clock time| (capture time = the
 * sender's base time + first_pts + index / 48000). */
typedef struct {
  GMutex lock;
  guint n;                      /* buffers seen */
  gint64 worst_ns;              /* worst |PTS + base - capture| */
  GstClockTime tx_base, first_pts;
  GstElement *pipe;             /* the receiving pipeline */
} Playout;

GstFlowReturn playout_sample (GstAppSink * sink, gpointer user_data);
void count_need_data (GstAppSrc * src, guint length, gpointer user_data);

G_END_DECLS

#endif /* __AES67_ROUNDTRIP_H__ */
