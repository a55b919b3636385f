/* gst-aes67: the packet pacer shared by every aes67sink of a process
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See aes67-pacer.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "aes67-pacer.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

GST_DEBUG_CATEGORY_STATIC (aes67_pacer_debug);
#define GST_CAT_DEFAULT aes67_pacer_debug

/* Send times are rounded up to this grid: streams whose packets fall
 * due within one grid step share one wake-up and one system call; no
 * packet leaves early, none more than one step late. 125 µs is AES67's
 * shortest packet time. */
#define GRID_NS         (125 * GST_USECOND)
/* a packet within this much of its (rounded) time goes now */
#define SEND_EARLY_NS   (5 * GST_USECOND)
/* packets handed to the kernel in one call, at most */
#define MAX_BATCH       64
/* memories of one packet, at most (header + payload, or a few more) */
#define MAX_VECS        4

typedef struct
{
  GstBuffer *buf;
  gint64 due;
} Packet;

struct _Aes67PacerStream
{
  /* all fields protected by the pacer lock */
  GSocket *socket;
  GSocketAddress *dest;
  GSocket *socket2;             /* ST 2022-7 secondary path, or NULL */
  GSocketAddress *dest2;
  Packet *ring;
  guint cap, head, len;
  gboolean flushing;
  gboolean held;                /* send nothing, waits return at once */
  gint64 late_threshold;        /* ns */
  Aes67PacerStats stats;
  Aes67PacerLate late;          /* since the last take_late */
};

typedef struct
{
  GMutex lock;
  GCond wake;                   /* the thread: something earlier was queued */
  GCond space;                  /* pushers: packets left */
  guint space_waiters;          /* threads in wait_space / drain */
  GPtrArray *streams;
  GThread *thread;
  gboolean quit;
  gint64 sleep_until;           /* what the thread waits for, G_MAXINT64 idle */
} Aes67Pacer;

static Aes67Pacer pacer = { 0, };

static GMutex pacer_init_lock;

gint64
aes67_pacer_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * GST_SECOND + ts.tv_nsec;
}

static void
packet_drop (Packet * p)
{
  gst_buffer_unref (p->buf);
  p->buf = NULL;
}

/* One system call's worth of packets, from one or more streams that share
 * a socket; and, for streams with a secondary path (ST 2022-7), the same
 * packets on the secondary socket, sent in a second call right after the
 * first. */
typedef struct
{
  GSocket *socket;
  guint n;
  GOutputMessage msgs[MAX_BATCH];
  GOutputVector vecs[MAX_BATCH][MAX_VECS];
  GstMapInfo maps[MAX_BATCH][MAX_VECS];
  guint n_maps[MAX_BATCH];
  GstBuffer *bufs[MAX_BATCH];
  Aes67PacerStream *owner[MAX_BATCH];
  gint copy[MAX_BATCH];         /* index of the copy in msgs2, or -1 */
  GSocket *socket2;
  guint n2;
  GOutputMessage msgs2[MAX_BATCH];
} Batch;

/* Sends @n messages on @socket; the number sent (0 on an error, with
 * *@err_code the error's code, or -1). */
static guint
batch_send (GSocket * socket, GOutputMessage * msgs, guint n, gint * err_code)
{
  GError *err = NULL;
  gint sent;

  *err_code = 0;
  if (n == 0)
    return 0;
  sent = g_socket_send_messages (socket, msgs, n, 0, NULL, &err);
  if (sent < 0) {
    GST_DEBUG ("send failed: %s", err ? err->message : "?");
    *err_code = err && err->domain == G_IO_ERROR ? err->code : -1;
    g_clear_error (&err);
    sent = 0;
  }
  return (guint) sent;
}

/* Counts one send error on @path of @st */
static void
count_error (Aes67PacerStats * st, guint path, gint code)
{
  st->send_errors++;
  st->path_send_errors[path]++;
  st->last_errno = code;
}

/* with the pacer lock */
static void
batch_flush (Batch * b)
{
  guint sent, sent2, i, k;
  gint code, code2;

  if (b->n == 0)
    return;
  sent = batch_send (b->socket, b->msgs, b->n, &code);
  /* the secondary copies right after: the same pacer slot */
  sent2 = batch_send (b->socket2, b->msgs2, b->n2, &code2);
  for (i = 0; i < b->n; i++) {
    Aes67PacerStats *st = &b->owner[i]->stats;
    gboolean ok = i < sent, ok2 = FALSE;

    /* a failed call: every packet in it counts an error (as before);
     * a partial send: the first packet not sent does */
    if (!ok && (code != 0 || i == sent))
      count_error (st, 0, code != 0 ? code : -1);
    if (ok)
      st->path_packets_sent[0]++;
    if (b->copy[i] >= 0) {
      guint j = (guint) b->copy[i];

      ok2 = j < sent2;
      if (!ok2 && (code2 != 0 || j == sent2))
        count_error (st, 1, code2 != 0 ? code2 : -1);
      if (ok2)
        st->path_packets_sent[1]++;
    }
    /* a packet counts once, sent if it left on either path */
    if (ok || ok2) {
      st->packets_sent++;
      st->bytes_sent += ok ? b->msgs[i].bytes_sent :
          b->msgs2[b->copy[i]].bytes_sent;
    } else {
      st->packets_dropped++;
    }
    for (k = 0; k < b->n_maps[i]; k++)
      gst_memory_unmap (gst_buffer_peek_memory (b->bufs[i], k), &b->maps[i][k]);
    gst_buffer_unref (b->bufs[i]);
  }
  b->n = 0;
  b->n2 = 0;
}

/* Moves the packets of @s that are due by @now into @b. With the pacer
 * lock. */
static void
stream_collect_due (Aes67PacerStream * s, gint64 now, Batch * b)
{
  while (s->len > 0 && !s->held) {
    Packet *p = &s->ring[s->head];
    guint n_mem, k, i;

    if (p->due > now + SEND_EARLY_NS)
      break;
    if (b->socket != s->socket || b->n == MAX_BATCH
        || (s->socket2 && b->n2 > 0 && b->socket2 != s->socket2)) {
      batch_flush (b);
      b->socket = s->socket;
    }
    i = b->n++;
    n_mem = MIN (gst_buffer_n_memory (p->buf), MAX_VECS);
    b->n_maps[i] = 0;
    for (k = 0; k < n_mem; k++) {
      GstMemory *mem = gst_buffer_peek_memory (p->buf, k);

      if (!gst_memory_map (mem, &b->maps[i][k], GST_MAP_READ))
        break;
      b->vecs[i][k].buffer = b->maps[i][k].data;
      b->vecs[i][k].size = b->maps[i][k].size;
      b->n_maps[i]++;
    }
    b->msgs[i].address = s->dest;
    b->msgs[i].vectors = b->vecs[i];
    b->msgs[i].num_vectors = b->n_maps[i];
    b->msgs[i].bytes_sent = 0;
    b->msgs[i].control_messages = NULL;
    b->msgs[i].num_control_messages = 0;
    b->bufs[i] = p->buf;
    b->owner[i] = s;
    b->copy[i] = -1;
    if (s->socket2) {
      /* the same bytes (same memories) to the secondary destination */
      GOutputMessage *m2 = &b->msgs2[b->n2];

      b->socket2 = s->socket2;
      *m2 = b->msgs[i];
      m2->address = s->dest2;
      b->copy[i] = (gint) b->n2++;
    }
    if (now - p->due > s->late_threshold) {
      s->stats.packets_late++;
      s->late.packets++;
      if (now - p->due > s->late.worst_ns) {
        s->late.worst_ns = now - p->due;
        s->late.worst_pts = GST_BUFFER_PTS (p->buf);
        s->late.worst_duration = GST_BUFFER_DURATION (p->buf);
      }
    }
    if (now - p->due > s->stats.max_late_ns)
      s->stats.max_late_ns = now - p->due;
    p->buf = NULL;
    s->head = (s->head + 1) % s->cap;
    s->len--;
  }
}

static gint
compare_stream_socket (gconstpointer a, gconstpointer b)
{
  const Aes67PacerStream *x = *(Aes67PacerStream * const *) a;
  const Aes67PacerStream *y = *(Aes67PacerStream * const *) b;

  if (x->socket != y->socket)
    return x->socket < y->socket ? -1 : 1;
  return x->socket2 < y->socket2 ? -1 : x->socket2 > y->socket2;
}

static gpointer
pacer_thread (gpointer data)
{
  struct sched_param param = {.sched_priority = 10 };
  Batch *batch = g_new0 (Batch, 1);

  /* precise wake-ups: default timer slack is 50 µs */
  prctl (PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  /* real-time priority where allowed (root, or RLIMIT_RTPRIO); harmless
   * where not: the pacer then runs at normal priority */
  if (!g_getenv ("AES67_PACER_NO_RT"))
    pthread_setschedparam (pthread_self (), SCHED_FIFO, &param);

  g_mutex_lock (&pacer.lock);
  while (!pacer.quit) {
    gint64 next = G_MAXINT64, now;
    guint i;

    for (i = 0; i < pacer.streams->len; i++) {
      Aes67PacerStream *s = g_ptr_array_index (pacer.streams, i);
      if (s->len > 0 && !s->held && s->ring[s->head].due < next)
        next = s->ring[s->head].due;
    }
    if (next == G_MAXINT64) {
      pacer.sleep_until = G_MAXINT64;
      g_cond_wait (&pacer.wake, &pacer.lock);
      continue;
    }
    now = aes67_pacer_now ();
    if (next > now + SEND_EARLY_NS) {
      pacer.sleep_until = next;
      /* GLib's monotonic time is CLOCK_MONOTONIC in µs */
      g_cond_wait_until (&pacer.wake, &pacer.lock, next / 1000);
      continue;
    }
    pacer.sleep_until = G_MAXINT64;
    /* streams are kept sorted by socket: one call per socket */
    batch->n = 0;
    batch->n2 = 0;
    batch->socket = NULL;
    batch->socket2 = NULL;
    for (i = 0; i < pacer.streams->len; i++)
      stream_collect_due (g_ptr_array_index (pacer.streams, i), now, batch);
    batch_flush (batch);
    /* a broadcast is a system call even with nobody waiting */
    if (pacer.space_waiters > 0)
      g_cond_broadcast (&pacer.space);
  }
  g_mutex_unlock (&pacer.lock);
  g_free (batch);
  return NULL;
}

Aes67PacerStream *
aes67_pacer_stream_new (GSocket * socket, GSocketAddress * dest)
{
  return aes67_pacer_stream_new_redundant (socket, dest, NULL, NULL);
}

Aes67PacerStream *
aes67_pacer_stream_new_redundant (GSocket * socket, GSocketAddress * dest,
    GSocket * socket2, GSocketAddress * dest2)
{
  Aes67PacerStream *s;

  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);
  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (dest), NULL);
  g_return_val_if_fail (!socket2 || G_IS_SOCKET (socket2), NULL);
  g_return_val_if_fail (!socket2 || G_IS_SOCKET_ADDRESS (dest2), NULL);

  g_mutex_lock (&pacer_init_lock);
  if (!pacer.streams) {
    GST_DEBUG_CATEGORY_INIT (aes67_pacer_debug, "aes67pacer", 0,
        "AES67 packet pacer");
    g_mutex_init (&pacer.lock);
    g_cond_init (&pacer.wake);
    g_cond_init (&pacer.space);
    pacer.streams = g_ptr_array_new ();
  }
  s = g_new0 (Aes67PacerStream, 1);
  s->socket = g_object_ref (socket);
  s->dest = g_object_ref (dest);
  if (socket2) {
    s->socket2 = g_object_ref (socket2);
    s->dest2 = g_object_ref (dest2);
  }
  s->cap = 64;
  s->ring = g_new0 (Packet, s->cap);
  s->late_threshold = AES67_PACER_DEFAULT_LATE_NS;

  g_mutex_lock (&pacer.lock);
  g_ptr_array_add (pacer.streams, s);
  g_ptr_array_sort (pacer.streams, compare_stream_socket);
  if (!pacer.thread) {
    pacer.quit = FALSE;
    pacer.sleep_until = G_MAXINT64;
    pacer.thread = g_thread_new ("aes67-pacer", pacer_thread, NULL);
  }
  g_mutex_unlock (&pacer.lock);
  g_mutex_unlock (&pacer_init_lock);
  return s;
}

/* with the pacer lock */
static void
stream_clear (Aes67PacerStream * s)
{
  while (s->len > 0) {
    packet_drop (&s->ring[s->head]);
    s->head = (s->head + 1) % s->cap;
    s->len--;
    s->stats.packets_dropped++;
  }
}

void
aes67_pacer_stream_free (Aes67PacerStream * s)
{
  GThread *thread = NULL;

  if (!s)
    return;
  g_mutex_lock (&pacer_init_lock);
  g_mutex_lock (&pacer.lock);
  g_ptr_array_remove (pacer.streams, s);
  stream_clear (s);
  if (pacer.streams->len == 0 && pacer.thread) {
    pacer.quit = TRUE;
    thread = pacer.thread;
    pacer.thread = NULL;
    g_cond_broadcast (&pacer.wake);
  }
  g_cond_broadcast (&pacer.space);
  g_mutex_unlock (&pacer.lock);
  if (thread)
    g_thread_join (thread);
  g_mutex_unlock (&pacer_init_lock);

  g_object_unref (s->socket);
  g_object_unref (s->dest);
  g_clear_object (&s->socket2);
  g_clear_object (&s->dest2);
  g_free (s->ring);
  g_free (s);
}

void
aes67_pacer_stream_push (Aes67PacerStream * s, GstBuffer * packet,
    gint64 due_ns)
{
  g_mutex_lock (&pacer.lock);
  if (s->flushing) {
    g_mutex_unlock (&pacer.lock);
    gst_buffer_unref (packet);
    return;
  }
  if (s->len == s->cap) {
    guint i, ncap = s->cap * 2;
    Packet *nring = g_new0 (Packet, ncap);

    for (i = 0; i < s->len; i++)
      nring[i] = s->ring[(s->head + i) % s->cap];
    g_free (s->ring);
    s->ring = nring;
    s->cap = ncap;
    s->head = 0;
  }
  /* round up to the grid (see GRID_NS) */
  if (due_ns > 0)
    due_ns = (due_ns + GRID_NS - 1) / GRID_NS * GRID_NS;
  s->ring[(s->head + s->len) % s->cap].buf = packet;
  s->ring[(s->head + s->len) % s->cap].due = due_ns;
  s->len++;
  if (due_ns < pacer.sleep_until)
    g_cond_signal (&pacer.wake);
  g_mutex_unlock (&pacer.lock);
}

/* Blocks while @s has packets and, unless @drain, its last one is due more
 * than @ahead_ns from now. FALSE if flushing. */
static gboolean
stream_wait (Aes67PacerStream * s, gboolean drain, gint64 ahead_ns)
{
  gboolean ret;

  g_mutex_lock (&pacer.lock);
  while (!s->flushing && !s->held && s->len > 0) {
    gint64 last = s->ring[(s->head + s->len - 1) % s->cap].due;
    if (!drain && last - aes67_pacer_now () <= ahead_ns)
      break;
    pacer.space_waiters++;
    g_cond_wait (&pacer.space, &pacer.lock);
    pacer.space_waiters--;
  }
  ret = !s->flushing && !s->held;
  g_mutex_unlock (&pacer.lock);
  return ret;
}

gboolean
aes67_pacer_stream_wait_space (Aes67PacerStream * s, gint64 ahead_ns)
{
  return stream_wait (s, FALSE, ahead_ns);
}

gboolean
aes67_pacer_stream_drain (Aes67PacerStream * s)
{
  return stream_wait (s, TRUE, 0);
}

void
aes67_pacer_stream_set_flushing (Aes67PacerStream * s, gboolean flushing)
{
  g_mutex_lock (&pacer.lock);
  s->flushing = flushing;
  if (flushing)
    stream_clear (s);
  g_cond_broadcast (&pacer.space);
  g_mutex_unlock (&pacer.lock);
}

void
aes67_pacer_stream_set_held (Aes67PacerStream * s, gboolean held)
{
  g_mutex_lock (&pacer.lock);
  s->held = held;
  /* released: the thread may have a packet of ours to send now */
  if (!held && s->len > 0)
    g_cond_signal (&pacer.wake);
  g_cond_broadcast (&pacer.space);
  g_mutex_unlock (&pacer.lock);
}

gboolean
aes67_pacer_stream_is_held (Aes67PacerStream * s)
{
  gboolean held;

  g_mutex_lock (&pacer.lock);
  held = s->held;
  g_mutex_unlock (&pacer.lock);
  return held;
}

guint
aes67_pacer_stream_take_queued (Aes67PacerStream * s, GQueue * out)
{
  guint n = 0;

  g_mutex_lock (&pacer.lock);
  while (s->len > 0) {
    g_queue_push_tail (out, s->ring[s->head].buf);
    s->ring[s->head].buf = NULL;
    s->head = (s->head + 1) % s->cap;
    s->len--;
    n++;
  }
  g_mutex_unlock (&pacer.lock);
  return n;
}

void
aes67_pacer_stream_set_late_threshold (Aes67PacerStream * s,
    gint64 threshold_ns)
{
  g_mutex_lock (&pacer.lock);
  s->late_threshold = threshold_ns;
  g_mutex_unlock (&pacer.lock);
}

gboolean
aes67_pacer_stream_take_late (Aes67PacerStream * s, Aes67PacerLate * late)
{
  gboolean any;

  g_mutex_lock (&pacer.lock);
  any = s->late.packets > 0;
  if (any) {
    *late = s->late;
    memset (&s->late, 0, sizeof (s->late));
  }
  g_mutex_unlock (&pacer.lock);
  return any;
}

void
aes67_pacer_stream_get_stats (Aes67PacerStream * s, Aes67PacerStats * st)
{
  g_mutex_lock (&pacer.lock);
  *st = s->stats;
  g_mutex_unlock (&pacer.lock);
}
