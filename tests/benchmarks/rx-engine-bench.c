/* gst-aes67: CPU cost of the receive engine
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   rx-engine-bench send N SECONDS PORT   # N stereo L24 1 ms streams to
 *                                         # 127.0.0.1:PORT..PORT+N-1
 *   rx-engine-bench recv N SECONDS PORT   # receives them with the engine,
 *                                         # reads 48 frames per stream per
 *                                         # ms 4 ms (RX_BENCH_LATENCY_MS)
 *                                         # behind the anchor, and
 *                                         # prints its CPU and the counts
 *
 * tests/benchmarks/rx-engine-bench.sh runs both against the stock chain.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "aes67-rx-engine.h"

#define FPP 48
#define FB 6

static void
tick_add (struct timespec *t, long ns)
{
  t->tv_nsec += ns;
  while (t->tv_nsec >= 1000000000) {
    t->tv_nsec -= 1000000000;
    t->tv_sec++;
  }
}

/* RX_BENCH_DUP=1: SMPTE ST 2022-7, every stream also sent to (and
 * received as a second leg on) port + N + i */
static int two_legs;
/* send: stream i goes to port + RX_BENCH_STRIDE * i (default 1), with
 * payload type RX_BENCH_PT (default 97), 48 stereo L24 frames a packet
 * (each packet's bytes one value), from a thread at real-time priority
 * 20 where allowed (above the receive engine's 10: the senders stand for
 * other machines); rx-bench.sh's SENDER=raw uses it as a sender that
 * keeps time whatever the receivers cost */
static int stride = 1, send_pt = 97;

static int
do_send (int n, int secs, int port)
{
  int fd = socket (AF_INET, SOCK_DGRAM, 0);
  int nm = two_legs ? 2 * n : n;
  struct mmsghdr *m = calloc (nm, sizeof (*m));
  struct iovec *iov = calloc (nm, sizeof (*iov));
  struct sockaddr_in *sa = calloc (nm, sizeof (*sa));
  unsigned char (*pk)[12 + FPP * FB] = calloc (n, sizeof (*pk));
  struct timespec t;
  long k, ticks = secs * 1000L;
  int i;

  for (i = 0; i < nm; i++) {
    sa[i].sin_family = AF_INET;
    sa[i].sin_port = htons (i < n ? port + stride * i : port + i);
    sa[i].sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    /* the copy of stream i - n is the same packet */
    iov[i].iov_base = pk[i % n];
    iov[i].iov_len = sizeof (pk[i % n]);
    m[i].msg_hdr.msg_name = &sa[i];
    m[i].msg_hdr.msg_namelen = sizeof (sa[i]);
    m[i].msg_hdr.msg_iov = &iov[i];
    m[i].msg_hdr.msg_iovlen = 1;
  }
  for (i = 0; i < n; i++) {
    pk[i][0] = 0x80;
    pk[i][1] = send_pt;
    pk[i][8] = i;
  }
  /* real-time: the senders stand for other machines */
  {
    struct sched_param sp = {.sched_priority = 20 };

    prctl (PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    pthread_setschedparam (pthread_self (), SCHED_FIFO, &sp);
  }
  clock_gettime (CLOCK_MONOTONIC, &t);
  for (k = 0; k < ticks; k++) {
    for (i = 0; i < n; i++) {
      unsigned int ts = (unsigned int) (k * FPP);

      pk[i][2] = k >> 8;
      pk[i][3] = k;
      pk[i][4] = ts >> 24;
      pk[i][5] = ts >> 16;
      pk[i][6] = ts >> 8;
      pk[i][7] = ts;
      memset (pk[i] + 12, (int) (k & 0x7f) + 1, FPP * FB);
    }
    sendmmsg (fd, m, nm, 0);
    tick_add (&t, 1000000);
    clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
  }
  close (fd);
  return 0;
}

/* RX_BENCH_MEDIACLK=1: send as a hardware AES67 sender on the media
 * clock does, for rx-bench.sh's link-offset measure (SENDER=raw): N
 * streams of RX_BENCH_FPP (default 48) stereo L24 frames a packet to
 * RX_BENCH_DEST (default 127.0.0.1; a multicast group goes out of
 * RX_BENCH_IFACE) port + 2 * i, whose RTP timestamp is the capture time
 * of the packet's first frame on CLOCK_MONOTONIC in samples at 48 kHz
 * (mediaclk:direct=0 on the system clock), each sent when its last frame
 * was captured (one packet time after its RTP time), from a thread at
 * real-time priority 20 (above the receive engine's 10: the sender stands
 * for another machine) where allowed, memory locked, 1 ns timer slack.
 * Prints how late its own wake-ups were (stderr). */
static volatile sig_atomic_t stop_sending;

static void
on_stop (int sig)
{
  stop_sending = 1;
}

static int
do_send_mediaclk (int n, int secs, int port)
{
  const char *dest = getenv ("RX_BENCH_DEST");
  const char *iface = getenv ("RX_BENCH_IFACE");
  int fpp = getenv ("RX_BENCH_FPP") ? atoi (getenv ("RX_BENCH_FPP")) : FPP;
  int fd = socket (AF_INET, SOCK_DGRAM, 0);
  struct mmsghdr *m = calloc (n, sizeof (*m));
  struct iovec *iov = calloc (n, sizeof (*iov));
  struct sockaddr_in *sa = calloc (n, sizeof (*sa));
  size_t plen = 12 + (size_t) fpp * FB;
  unsigned char *pk = calloc (n, plen);
  /* above the receive engine's 10: the sender stands for another machine */
  struct sched_param sp = {.sched_priority = 20 };
  struct timespec t;
  unsigned long long f0, f, ns;
  long k, packets;
  int i, ttl = 4;
  static const long long wake_bounds[4] = { 100000, 500000, 1000000,
    2000000
  };
  long wake_over[4] = { 0, };
  long long wake_max = 0;

  if (fpp <= 0 || fpp > 480) {
    fprintf (stderr, "RX_BENCH_FPP %d: 1 to 480 frames\n", fpp);
    return 2;
  }
  /* stopped early (rx-bench.sh's SIGTERM): still say how late it was */
  signal (SIGTERM, on_stop);
  signal (SIGINT, on_stop);
  prctl (PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  pthread_setschedparam (pthread_self (), SCHED_FIFO, &sp);
  mlockall (MCL_CURRENT | MCL_FUTURE);
  setsockopt (fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof (ttl));
  if (iface) {
    struct ip_mreqn mr = { 0, };

    mr.imr_ifindex = (int) if_nametoindex (iface);
    if (mr.imr_ifindex == 0
        || setsockopt (fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof (mr))) {
      fprintf (stderr, "RX_BENCH_IFACE %s: no such interface\n", iface);
      return 2;
    }
  }
  for (i = 0; i < n; i++) {
    unsigned char *p = pk + (size_t) i * plen;

    sa[i].sin_family = AF_INET;
    sa[i].sin_port = htons (port + 2 * i);
    if (inet_pton (AF_INET, dest ? dest : "127.0.0.1", &sa[i].sin_addr) != 1) {
      fprintf (stderr, "RX_BENCH_DEST %s: not an IPv4 address\n", dest);
      return 2;
    }
    iov[i].iov_base = p;
    iov[i].iov_len = plen;
    m[i].msg_hdr.msg_name = &sa[i];
    m[i].msg_hdr.msg_namelen = sizeof (sa[i]);
    m[i].msg_hdr.msg_iov = &iov[i];
    m[i].msg_hdr.msg_iovlen = 1;
    p[0] = 0x80;
    p[1] = send_pt;
    p[8] = 0x67;
    p[11] = i;
  }
  clock_gettime (CLOCK_MONOTONIC, &t);
  ns = (unsigned long long) t.tv_sec * 1000000000ULL + t.tv_nsec;
  /* the first packet: the next whole packet of the timeline */
  f0 = (ns * 48 / 1000000 + fpp) / fpp * fpp + fpp;
  packets = (long) secs *48000 / fpp;
  for (k = 0; k < packets && !stop_sending; k++) {
    f = f0 + (unsigned long long) k *fpp;
    /* sent when its last frame was captured */
    ns = (f + fpp) * 1000000 / 48;
    t.tv_sec = ns / 1000000000ULL;
    t.tv_nsec = ns % 1000000000ULL;
    while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) != 0
        && !stop_sending) {
      /* interrupted: sleep on */
    }
    {
      struct timespec w;
      long long late_ns;

      clock_gettime (CLOCK_MONOTONIC, &w);
      late_ns = ((long long) w.tv_sec * 1000000000LL + w.tv_nsec) -
          (long long) ns;
      if (late_ns > wake_max)
        wake_max = late_ns;
      for (i = 0; i < 4; i++)
        if (late_ns > wake_bounds[i])
          wake_over[i]++;
    }
    for (i = 0; i < n; i++) {
      unsigned char *p = pk + (size_t) i * plen;
      unsigned int ts = (unsigned int) f;

      p[2] = k >> 8;
      p[3] = k;
      p[4] = ts >> 24;
      p[5] = ts >> 16;
      p[6] = ts >> 8;
      p[7] = ts;
      memset (p + 12, (int) (k & 0x7f) + 1, plen - 12);
    }
    sendmmsg (fd, m, n, 0);
  }
  close (fd);
  /* the sender's own lateness: what any receiver's floor includes */
  fprintf (stderr, "sender wake-up late: max %lld us; over 100 us %ld, "
      "500 us %ld, 1 ms %ld, 2 ms %ld of %ld packets\n", wake_max / 1000,
      wake_over[0], wake_over[1], wake_over[2], wake_over[3], k);
  return 0;
}

static double
cpu_s (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
      ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int latency_ms = 4;

static int
do_recv (int n, int secs, int port)
{
  Aes67RxStream **s = calloc (n, sizeof (*s));
  unsigned int *pos = calloc (n, sizeof (*pos));
  int *started = calloc (n, sizeof (*started));
  unsigned char buf[FPP * FB];
  struct timespec t;
  long k, ticks = secs * 1000L;
  double c0 = 0;
  gint64 w0 = 0;
  guint64 received = 0, lost = 0, late = 0, early = 0, concealed = 0;
  guint64 dups = 0, second = 0;
  guint64 got = 0;
  int i;

  for (i = 0; i < n; i++) {
    Aes67RxConfig c = { 0, };
    GError *err = NULL;

    c.address = "127.0.0.1";
    c.port = port + i;
    c.payload_type = 97;
    c.channels = 2;
    c.sample_bytes = 3;
    c.rate = 48000;
    c.buffer_size = 1 << 20;
    s[i] = aes67_rx_stream_new (&c, &err);
    if (!s[i] || (two_legs && !aes67_rx_stream_add_leg (s[i], "127.0.0.1",
                port + n + i, NULL, NULL, &err))) {
      fprintf (stderr, "%s\n", err->message);
      return 1;
    }
  }
  clock_gettime (CLOCK_MONOTONIC, &t);
  /* one extra second for the sender to start; the measurement covers the
   * rest */
  for (k = 0; k < ticks; k++) {
    if (k == 1000) {
      c0 = cpu_s ();
      w0 = aes67_rx_now ();
    }
    for (i = 0; i < n; i++) {
      if (!started[i]) {
        Aes67RxAnchor a;

        aes67_rx_stream_get_anchor (s[i], &a);
        if (!a.valid)
          continue;
        pos[i] = a.rtp_ts + (unsigned int) ((aes67_rx_now () - a.arrival)
            * 48 / 1000000) - latency_ms * FPP;
        aes67_rx_stream_seek (s[i], pos[i]);
        started[i] = 1;
      }
      got += aes67_rx_stream_read (s[i], pos[i], FPP, buf, NULL);
      pos[i] += FPP;
    }
    tick_add (&t, 1000000);
    clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
  }
  {
    double cpu = cpu_s () - c0;
    double wall = (aes67_rx_now () - w0) / 1e9;

    for (i = 0; i < n; i++) {
      Aes67RxStats st;

      aes67_rx_stream_get_stats (s[i], &st);
      received += st.received;
      lost += st.lost;
      late += st.late;
      early += st.early;
      concealed += st.samples_concealed;
      dups += st.duplicate;
      if (st.n_paths > 1)
        second += st.paths[1].received;
      aes67_rx_stream_free (s[i]);
    }
    printf
        ("%slatency %d ms, streams %d cpu %.1f %% of one core (%.2f s in %.2f s), "
        "threads %u, received %" G_GUINT64_FORMAT ", lost %" G_GUINT64_FORMAT
        ", late %" G_GUINT64_FORMAT ", early %" G_GUINT64_FORMAT ", concealed %"
        G_GUINT64_FORMAT ", frames read %" G_GUINT64_FORMAT ", duplicates %"
        G_GUINT64_FORMAT ", secondary packets %" G_GUINT64_FORMAT "\n",
        two_legs ? "two legs (ST 2022-7), " : "", latency_ms, n,
        100 * cpu / wall, cpu, wall, aes67_rx_engine_n_threads (), received,
        lost, late, early, concealed, got, dups, second);
  }
  return 0;
}

int
main (int argc, char **argv)
{
  int n, secs, port;

  if (argc != 5) {
    fprintf (stderr, "usage: %s send|recv N SECONDS PORT\n", argv[0]);
    return 2;
  }
  n = atoi (argv[2]);
  secs = atoi (argv[3]);
  port = atoi (argv[4]);
  two_legs = getenv ("RX_BENCH_DUP") && atoi (getenv ("RX_BENCH_DUP"));
  if (getenv ("RX_BENCH_STRIDE"))
    stride = atoi (getenv ("RX_BENCH_STRIDE"));
  if (getenv ("RX_BENCH_PT"))
    send_pt = atoi (getenv ("RX_BENCH_PT"));
  if (getenv ("RX_BENCH_LATENCY_MS"))
    latency_ms = atoi (getenv ("RX_BENCH_LATENCY_MS"));
  if (strcmp (argv[1], "send") == 0 && getenv ("RX_BENCH_MEDIACLK")
      && atoi (getenv ("RX_BENCH_MEDIACLK")))
    return do_send_mediaclk (n, secs, port);
  if (strcmp (argv[1], "send") == 0)
    return do_send (n, secs, port);
  return do_recv (n, secs, port);
}
