/* gst-aes67: the packet pacer shared by every aes67sink of a process
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * AES67-2018 (and SMPTE ST 2110-21 for video) want packets to leave evenly,
 * one every packet time, not in bursts. A stock `udpsink sync=true` waits on
 * the pipeline clock once per packet in every stream's own thread; the pacer
 * instead keeps one thread per process that sleeps until the earliest
 * packet of any stream is due, then hands every packet due by then to the
 * kernel, one sendmmsg() call per stream (GSocket's g_socket_send_messages).
 *
 * Times are CLOCK_MONOTONIC nanoseconds; a caller maps its pipeline clock to
 * them. No GObject type here; GLib and GstBuffer only.
 */
#ifndef __AES67_PACER_H__
#define __AES67_PACER_H__

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS typedef struct _Aes67PacerStream Aes67PacerStream;

/* A stream with a secondary path (ST 2022-7) sends every packet twice,
 * once per path; a packet counts once in packets_sent, bytes_sent and
 * packets_dropped, and per path in path_*. */
typedef struct
{
  guint64 packets_sent;         /* packets that left on at least one path */
  guint64 bytes_sent;           /* UDP payload bytes (RTP header included)
                                 * of those, each packet once */
  guint64 packets_late;         /* left more than the stream's lateness
                                 * threshold after their time */
  guint64 packets_dropped;      /* dropped by a flush, or left on no path
                                 * (send errors) */
  guint64 send_errors;          /* on either path */
  gint64 max_late_ns;           /* worst lateness seen, ns (0 if none) */
  gint last_errno;              /* GIOErrorEnum code of the last send error
                                 * (-1: unknown), 0 if none */
  guint64 path_packets_sent[2]; /* [0] primary, [1] secondary */
  guint64 path_send_errors[2];
} Aes67PacerStats;

/* Packets that left late since the last aes67_pacer_stream_take_late (). */
typedef struct
{
  guint64 packets;              /* later than the threshold */
  gint64 worst_ns;              /* lateness of the worst of them, ns */
  GstClockTime worst_pts;       /* that packet's PTS (as pushed) */
  GstClockTime worst_duration;  /* and duration */
} Aes67PacerLate;

/* Packets later than this count as late by default (one packet time at
 * AES67's 1 ms). */
#define AES67_PACER_DEFAULT_LATE_NS (1000 * GST_USECOND)

/* Monotonic time now, in ns (CLOCK_MONOTONIC). */
gint64 aes67_pacer_now (void);

/* A stream sending to @dest over @socket (both are referenced). The first
 * stream starts the pacer thread; it stops when the last is freed. */
Aes67PacerStream *aes67_pacer_stream_new (GSocket * socket,
    GSocketAddress * dest);

/* A stream that sends every packet on two paths (SMPTE ST 2022-7): to
 * @dest over @socket, and right after it (the same wake-up, the next
 * system call) the same bytes to @dest2 over @socket2. With @socket2 NULL,
 * as aes67_pacer_stream_new(). */
Aes67PacerStream *aes67_pacer_stream_new_redundant (GSocket * socket,
    GSocketAddress * dest, GSocket * socket2, GSocketAddress * dest2);

/* Unregisters @s, dropping what it still has queued. NULL-safe. */
void aes67_pacer_stream_free (Aes67PacerStream * s);

/* Queues one packet (a GstBuffer of one or more memories, taken) to leave
 * at monotonic time @due_ns. Packets of one stream must be pushed in the
 * order of their times. The packet's PTS and duration are the pacer's only
 * to report in Aes67PacerLate. */
void aes67_pacer_stream_push (Aes67PacerStream * s, GstBuffer * packet,
    gint64 due_ns);

/* Blocks while the stream's last queued packet is due more than @ahead_ns
 * from now (flow control for sources faster than real time). Returns FALSE
 * if the stream is flushing. */
gboolean aes67_pacer_stream_wait_space (Aes67PacerStream * s, gint64 ahead_ns);

/* Blocks until every queued packet has left. FALSE if flushing. */
gboolean aes67_pacer_stream_drain (Aes67PacerStream * s);

/* Flushing drops what is queued and makes waits return FALSE at once. */
void aes67_pacer_stream_set_flushing (Aes67PacerStream * s, gboolean flushing);

/* Holding keeps what is queued but sends none of it, and makes waits
 * return FALSE at once (a sink's unlock: PLAYING -> PAUSED). */
void aes67_pacer_stream_set_held (Aes67PacerStream * s, gboolean held);
gboolean aes67_pacer_stream_is_held (Aes67PacerStream * s);

/* Moves the packets still queued, oldest first, to the tail of @out (of
 * GstBuffer *, the caller's now); they count neither as sent nor as
 * dropped. Returns how many. */
guint aes67_pacer_stream_take_queued (Aes67PacerStream * s, GQueue * out);

/* Packets that leave more than @threshold_ns after their time count as
 * late (stats and aes67_pacer_stream_take_late). */
void aes67_pacer_stream_set_late_threshold (Aes67PacerStream * s,
    gint64 threshold_ns);

/* Fills @late with the packets that left late since the last call and
 * starts counting afresh. FALSE (and @late untouched) if none did. */
gboolean aes67_pacer_stream_take_late (Aes67PacerStream * s,
    Aes67PacerLate * late);

void aes67_pacer_stream_get_stats (Aes67PacerStream * s, Aes67PacerStats * st);

G_END_DECLS
#endif /* __AES67_PACER_H__ */
