/* gst-aes67: the receive engine shared by every aes67src of a process
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __AES67_RX_ENGINE_H__
#define __AES67_RX_ENGINE_H__

#include <glib.h>

G_BEGIN_DECLS
/*
 * The receive engine: a few threads of the process (not one per stream)
 * wait on the sockets of every stream at once (epoll) and read them in
 * batches (recvmmsg). Each packet is checked (RTP version 2, RFC 3550
 * section 5.1; payload type; SSRC lock; source filter; a payload of whole
 * frames) and its payload is written into its stream's ring at the place
 * its RTP timestamp names (AES67-2018 / RFC 7273 media clock: one RTP
 * timestamp unit per frame). The reader (aes67src's streaming thread)
 * takes frames out of the ring by RTP timestamp when their playout time
 * comes; what no packet brought comes out as silence and is counted.
 *
 * Loss, reordering, duplicates and (with SMPTE ST 2022-7) a second path
 * need no heuristics then: a frame is in the ring or it is not.
 *
 * Threads: streams are spread over at most 4 engine threads (one until 32
 * streams, then up to the number of processors). All functions here may be
 * called from any thread; a stream's reader functions from one thread at a
 * time.
 */
    typedef enum
{
  AES67_STREAM_WAITING,         /* no packet yet */
  AES67_STREAM_RECEIVING,
  AES67_STREAM_LOST,            /* nothing for the time-out, or declared
                                 * lost (session deleted) */
} Aes67StreamState;

/* "waiting", "receiving", "lost" */
const gchar *aes67_stream_state_name (Aes67StreamState s);

typedef struct
{
  const gchar *address;         /* IPv4 dotted quad: the multicast group,
                                 * or a local address for unicast */
  guint port;                   /* UDP port, 1-65535 */
  const gchar *multicast_iface; /* interface name to join on; NULL: the
                                 * routing table decides */
  const gchar *source_filter;   /* IPv4 of the only sender accepted
                                 * (SDP a=source-filter), or NULL: any */
  guint buffer_size;            /* SO_RCVBUF in bytes; 0: system default */
  guint payload_type;           /* 0-127 */
  guint channels;               /* 1-64 */
  guint sample_bytes;           /* 2 (L16) or 3 (L24): big-endian, as on
                                 * the wire, copied unchanged */
  guint rate;                   /* frames per second (RTP clock rate) */
  guint ring_frames;            /* ring capacity in frames, a power of two
                                 * (0: the smallest power of two holding
                                 * 1 s) */
} Aes67RxConfig;

/* The paths of a redundant (SMPTE ST 2022-7) stream: the primary leg is
 * the one of aes67_rx_stream_new(), the secondary the one of
 * aes67_rx_stream_add_leg(). */
#define AES67_RX_MAX_PATHS 2

/* Counters of one path (leg) of a stream; with one leg only paths[0] is
 * kept. */
typedef struct
{
  guint64 received;             /* valid packets that came on this path,
                                 * also those the other path brought first */
  guint64 lost;                 /* sequence numbers this path never brought
                                 * (RFC 3550 expected - received on this
                                 * path, summed over SSRC changes and
                                 * sequence restarts); an outage of the path
                                 * counts when it comes back */
  guint64 late;                 /* packets of this path that arrived after
                                 * (some of) their frames were played */
  guint64 foreign_ssrc;         /* packets dropped because their SSRC is not
                                 * the stream's (a path carrying another
                                 * stream) */
  guint64 mismatched;           /* secondary only: packets whose RTP
                                 * timestamp disagrees with the primary's
                                 * copy of the same sequence number; from
                                 * the first on, the secondary path is
                                 * ignored until the stream is lost and
                                 * taken again */
  gdouble jitter_us;            /* RFC 3550 interarrival jitter of this
                                 * path, µs */
  guint32 ssrc;                 /* SSRC of the last packet seen on the path
                                 * (0: none) */
  Aes67StreamState state;       /* waiting (nothing yet), receiving, lost
                                 * (nothing for the time-out) */
  gboolean ignored;             /* secondary: its timestamps disagreed */
  gint64 last_arrival;          /* CLOCK_MONOTONIC ns; 0: none */
} Aes67RxPathStats;

/* Counters of one stream since aes67_rx_stream_new(); they never go back,
 * also across SSRC changes and losses of the stream. With two legs the
 * figures are those of the merged stream: each sequence number is taken
 * from the leg that brings it first, and the copy from the other leg is
 * neither received nor a duplicate again. */
typedef struct
{
  guint64 received;             /* valid packets of the stream (its payload
                                 * type, source and locked SSRC, whole
                                 * frames), late ones included, duplicates
                                 * not */
  guint64 lost;                 /* sequence numbers that never arrived
                                 * (RFC 3550 "expected - received", made
                                 * monotonic: a number counts once it is
                                 * further behind the newest than the
                                 * reorder window, or at a loss of the
                                 * stream); a gap in sequence numbers that
                                 * the RTP timestamps confirm (a network
                                 * outage) counts whole; a jump they do not
                                 * confirm is a restart of the sequence and
                                 * counts nothing */
  guint64 late;                 /* arrived after the reader had passed (some
                                 * of) their frames: those frames were
                                 * played as silence */
  guint64 early;                /* so far ahead of the reader that the ring
                                 * cannot hold them: dropped */
  guint64 duplicate;            /* a sequence number received before */
  guint64 reordered;            /* older than the newest received, and not
                                 * received before */
  guint64 malformed;            /* not RTP version 2, truncated (CSRC,
                                 * extension, padding past the end), or a
                                 * payload that is not whole frames */
  guint64 foreign;              /* another payload type, source address or
                                 * SSRC than the stream's */
  guint64 samples_concealed;    /* frames (samples per channel) the reader
                                 * got as silence because no packet brought
                                 * them in time, from the first frame the
                                 * reader got from a packet on; silence
                                 * after the newest packet counts once a
                                 * later packet of the same sequence
                                 * arrives (an outage), not when the sender
                                 * stopped or a new sequence began */
  gdouble jitter_us;            /* RFC 3550 section 6.4.1 / A.8 interarrival
                                 * jitter, in µs */
  guint32 ssrc;                 /* SSRC locked to; 0: none yet */
  Aes67StreamState state;
  guint64 restored_count;       /* how often the stream came back after a
                                 * loss */
  gint64 last_arrival;          /* CLOCK_MONOTONIC ns of the last valid
                                 * packet; 0: none */
  guint n_paths;                /* 1, or 2 after aes67_rx_stream_add_leg() */
  Aes67RxPathStats paths[AES67_RX_MAX_PATHS];
} Aes67RxStats;

/* A change of a path's state (aes67_rx_stream_take_path_event()). */
typedef struct
{
  guint path;                   /* 0 primary, 1 secondary */
  gboolean restored;            /* FALSE: lost, TRUE: restored */
  guint32 ssrc;                 /* lost: the path's last SSRC; restored: the
                                 * SSRC it brings now */
  guint64 lost_duration_ms;     /* restored: last packet on the path before
                                 * the loss to the first after it, ms (0:
                                 * the path had never brought one) */
} Aes67RxPathEvent;

/* Where the stream's time is, for playout by arrival: the RTP timestamp of
 * a packet's first frame and the time it arrived, chosen as the packet of
 * least transit in the last second or so (network jitter only ever adds
 * delay). @epoch changes when the mapping was broken: a new SSRC, a
 * sequence restart, a timestamp jump. */
typedef struct
{
  guint32 rtp_ts;
  gint64 arrival;               /* CLOCK_MONOTONIC ns */
  guint epoch;
  guint32 first_rtp_ts;         /* RTP timestamp of the epoch's first
                                 * packet (where its audio begins) */
  gboolean valid;               /* FALSE: no packet yet */
  guint frames_per_packet;      /* frames in the newest packet of the
                                 * sequence (0: none yet) */
} Aes67RxAnchor;

/* What aes67_rx_stream_take_restored() hands out, once per restore. */
typedef struct
{
  guint32 ssrc;                 /* the SSRC now received */
  gboolean same_ssrc;           /* the one that was lost */
  guint64 lost_duration_ms;     /* last packet before the loss to the
                                 * first after it, ms */
} Aes67RxRestore;

typedef struct _Aes67RxStream Aes67RxStream;

/* Opens the stream's socket (bound to @cfg->address and port, SO_REUSEADDR,
 * joined to the group on the interface for a multicast address), allocates
 * its ring and hands the socket to an engine thread (the engine starts with
 * its first stream). Returns NULL with @error set (G_IO_ERROR, the message
 * names the address, port and interface) when the socket cannot be made. */
Aes67RxStream *aes67_rx_stream_new (const Aes67RxConfig * cfg, GError ** error);

/* Adds the secondary leg (SMPTE ST 2022-7) of @s: a socket bound to
 * @address and @port (joined on @multicast_iface, NULL: the routing table
 * decides), whose packets (from @source_filter only, if not NULL) go
 * through the same checks into the same ring. Each sequence number is
 * taken from the leg that brings it first; the other leg's copy is
 * expected and not counted as a duplicate. A packet of the secondary leg
 * with another SSRC than the stream's, or whose RTP timestamp disagrees
 * with the primary's copy, is counted in its path's foreign_ssrc or
 * mismatched and dropped. With the other format fields of the stream's
 * config (buffer_size as well). At most one secondary leg: FALSE with
 * @error set (G_IO_ERROR) when the socket cannot be made or there is one
 * already. */
gboolean aes67_rx_stream_add_leg (Aes67RxStream * s, const gchar * address,
    guint port, const gchar * multicast_iface, const gchar * source_filter,
    GError ** error);

/* Takes the stream out of the engine and closes its socket; no engine
 * thread touches it after this returns. */
void aes67_rx_stream_free (Aes67RxStream * s);

/* Reader: copies @n_frames frames from RTP timestamp @rtp_ts on into
 * @dest (n_frames x channels x sample_bytes bytes); frames no packet
 * brought are zeroes. Each frame is handed out once (read frames are gone
 * from the ring), and packets that arrive for frames already read are
 * counted late. Afterwards the read position is @rtp_ts + @n_frames: what
 * is ahead of it by more than the ring holds is early. Returns the number
 * of frames that came from packets; *@first_missing (may be NULL) is the
 * index of the first missing frame, or @n_frames if none is missing.
 * Missing frames count in samples_concealed as Aes67RxStats says. */
guint aes67_rx_stream_read (Aes67RxStream * s, guint32 rtp_ts,
    guint n_frames, guint8 * dest, guint * first_missing);

/* Reader: as aes67_rx_stream_read(), but stops where the frames change
 * from brought by a packet to missing or back: copies the run of at most
 * @max_frames frames from @rtp_ts on whose first frame's state they all
 * share. Returns its length (at least 1 when @max_frames is; 0 otherwise)
 * and sets *@present to whether packets brought it (else it is zeroes,
 * counted in samples_concealed as aes67_rx_stream_read() counts it). So a
 * reader can flag every buffer either whole audio or whole silence
 * (GST_BUFFER_FLAG_GAP). Afterwards the read position is @rtp_ts + the
 * length. */
guint aes67_rx_stream_read_run (Aes67RxStream * s, guint32 rtp_ts,
    guint max_frames, guint8 * dest, gboolean * present);

/* Reader: passes over @n_frames frames from RTP timestamp @rtp_ts on
 * without handing them out (playout jumped ahead after a stall): they are
 * missing from the output, so they count in samples_concealed as missing
 * frames read would (those a packet brought too). Afterwards the read
 * position is @rtp_ts + @n_frames. */
void aes67_rx_stream_skip (Aes67RxStream * s, guint32 rtp_ts, guint n_frames);

/* Reader: sets the read position without reading (frames before it are
 * dropped from the ring, uncounted: playout starts there). */
void aes67_rx_stream_seek (Aes67RxStream * s, guint32 rtp_ts);

/* The arrival anchor (see Aes67RxAnchor). */
void aes67_rx_stream_get_anchor (Aes67RxStream * s, Aes67RxAnchor * anchor);

void aes67_rx_stream_get_stats (Aes67RxStream * s, Aes67RxStats * st);

/* Declares the stream lost when no valid packet came for @timeout_ns
 * (monotonic @now, ns); with two legs, declares a leg lost when it brought
 * no valid packet for @timeout_ns (a path event, see
 * aes67_rx_stream_take_path_event()), and the stream lost only when both
 * are. Returns TRUE once, when it has just been declared
 * lost; the SSRC lock is released then, so a restarted sender with a new
 * SSRC is taken, and the sequence numbers still in the reorder window that
 * never came count as lost. */
gboolean aes67_rx_stream_check_timeout (Aes67RxStream * s, gint64 now,
    gint64 timeout_ns);

/* Declares the stream lost now (its session was deleted), as the time-out
 * does. Returns TRUE if it was being received. */
gboolean aes67_rx_stream_set_lost (Aes67RxStream * s, gint64 now);

/* TRUE once per restore (the first valid packet after a loss), with what
 * happened in @info. */
gboolean aes67_rx_stream_take_restored (Aes67RxStream * s,
    Aes67RxRestore * info);

/* TRUE while a path changed state (lost: no valid packet on it for the
 * time-out of aes67_rx_stream_check_timeout(), or none ever while the
 * other path brought the stream for that long; restored: its first valid
 * packet after that), one event per call, in order per path. With one leg
 * there are none. */
gboolean aes67_rx_stream_take_path_event (Aes67RxStream * s,
    Aes67RxPathEvent * ev);

/* Monotonic time in ns (CLOCK_MONOTONIC, the clock of arrival times). */
gint64 aes67_rx_now (void);

/* The number of engine threads running, and of streams: for tests. */
guint aes67_rx_engine_n_threads (void);
guint aes67_rx_engine_n_streams (void);

G_END_DECLS
#endif /* __AES67_RX_ENGINE_H__ */
