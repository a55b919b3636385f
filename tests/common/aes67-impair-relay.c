/* gst-aes67 test helper: a UDP relay that impairs what it forwards
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The kernel of the CI machine has no netem, so the tests make network
 * jitter, reordering and duplication with this relay. It receives RTP from
 * a multicast group (the sender's, looped back on the sending host) and
 * sends each packet on to another group or address after a delay drawn
 * from [delay-min, delay-max] µs, so packets overtake each other; a given
 * share of the packets is sent twice, back to back.
 *
 *   aes67-impair-relay --from GROUP:PORT --iface IFNAME --to ADDR:PORT
 *       [--delay-min-us N] [--delay-max-us N] [--dup-permille N]
 *       [--seed N] [--trace FILE] [--impair]
 *
 * It starts clean (every packet forwarded at once, none twice) unless
 * --impair is given; SIGUSR1 turns the impairment on, SIGUSR2 off (what
 * is already held keeps its send time). SIGTERM or SIGINT ends it.
 *
 * What it did is counted on its send order, which the link to the receiver
 * keeps: "reordered" is the number of packets (first copies) sent after a
 * packet that came after them from the sender, as a receiver counts them
 * (RFC 3550: older than the newest received); "duplicates" the second
 * copies sent. Lines on stdout:
 *   ready
 *   impair on | impair off
 *   relay: in N gaps N out N duplicates N reordered N impaired N
 *     held-max N delay-min-us N delay-max-us N delay-mean-us N
 *     dropped-at-exit N overshoot-max-us N
 * the summary at exit (the delays of the packets that came while the
 * impairment was on; overshoot: how much later than its time the relay
 * sent a packet at worst, a measure of the machine's load); "gaps" counts
 * the sequence numbers missing in what it received (a loss before the
 * relay). --trace writes one line per packet sent: "<input index> <RTP
 * seq> <delay µs> <0: first copy, 1: duplicate>".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD 4096
#define MAX_PACKET 2048

typedef struct
{
  int64_t due;                  /* CLOCK_MONOTONIC ns */
  uint64_t index;               /* order of arrival from the sender */
  uint16_t seq;
  int64_t delay_us;
  int dup;                      /* send a second copy right after */
  int impaired;                 /* came while the impairment was on */
  size_t len;
  unsigned char data[MAX_PACKET];
} Held;

static Held held[MAX_HELD];
static int n_held;

static volatile sig_atomic_t stop_flag, impair_on_flag, impair_off_flag;

static void
on_signal (int sig)
{
  if (sig == SIGUSR1)
    impair_on_flag = 1;
  else if (sig == SIGUSR2)
    impair_off_flag = 1;
  else
    stop_flag = 1;
}

static int64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t rng_state = 88172645463325252ull;

/* xorshift64 */
static uint64_t
rng (void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static int
parse_addr (const char *s, struct sockaddr_in *sa)
{
  char host[64];
  const char *colon = strrchr (s, ':');
  size_t n;
  long port;

  if (!colon)
    return -1;
  n = (size_t) (colon - s);
  if (n == 0 || n >= sizeof (host))
    return -1;
  memcpy (host, s, n);
  host[n] = '\0';
  port = strtol (colon + 1, NULL, 10);
  if (port <= 0 || port > 65535)
    return -1;
  memset (sa, 0, sizeof (*sa));
  sa->sin_family = AF_INET;
  sa->sin_port = htons ((uint16_t) port);
  if (inet_pton (AF_INET, host, &sa->sin_addr) != 1)
    return -1;
  return 0;
}

static void
usage (void)
{
  fprintf (stderr, "usage: aes67-impair-relay --from GROUP:PORT --iface IFNAME "
      "--to ADDR:PORT [--delay-min-us N] [--delay-max-us N] "
      "[--dup-permille N] [--seed N] [--trace FILE] [--impair]\n");
  exit (2);
}

int
main (int argc, char **argv)
{
  struct sockaddr_in from, to;
  const char *from_s = NULL, *to_s = NULL, *iface = NULL, *trace_path = NULL;
  long delay_min = 0, delay_max = 0, dup_permille = 0;
  int impair = 0, have_from = 0;
  unsigned int ifindex;
  int in_fd, out_fd, one = 1, zero = 0, ttl = 16, i;
  struct ip_mreqn mreq;
  struct sigaction sact;
  FILE *trace = NULL;
  uint64_t n_in = 0, n_out = 0, n_dup = 0, n_reordered = 0, n_gaps = 0;
  uint64_t max_sent_index = 0, delay_sum = 0, n_impaired = 0;
  int64_t overshoot_max = 0;
  int64_t d_min = -1, d_max = -1;
  int any_sent = 0, held_max = 0;
  uint16_t last_seq = 0;

  /* end with the test that started it, also when that is killed (a
   * test run out of time) */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (getppid () == 1)
    return 1;

  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;

    if (!strcmp (a, "--impair")) {
      impair = 1;
      continue;
    }
    if (!v)
      usage ();
    i++;
    if (!strcmp (a, "--from"))
      from_s = v;
    else if (!strcmp (a, "--to"))
      to_s = v;
    else if (!strcmp (a, "--iface"))
      iface = v;
    else if (!strcmp (a, "--delay-min-us"))
      delay_min = strtol (v, NULL, 10);
    else if (!strcmp (a, "--delay-max-us"))
      delay_max = strtol (v, NULL, 10);
    else if (!strcmp (a, "--dup-permille"))
      dup_permille = strtol (v, NULL, 10);
    else if (!strcmp (a, "--seed"))
      rng_state = strtoull (v, NULL, 10) * 2654435761ull + 1;
    else if (!strcmp (a, "--trace"))
      trace_path = v;
    else
      usage ();
  }
  if (!from_s || !to_s || !iface || parse_addr (from_s, &from) < 0
      || parse_addr (to_s, &to) < 0 || delay_min < 0 || delay_max < delay_min
      || dup_permille < 0 || dup_permille > 1000)
    usage ();
  ifindex = if_nametoindex (iface);
  if (ifindex == 0) {
    fprintf (stderr, "aes67-impair-relay: no interface %s: %s\n", iface,
        strerror (errno));
    return 1;
  }
  if (trace_path && !(trace = fopen (trace_path, "w"))) {
    fprintf (stderr, "aes67-impair-relay: %s: %s\n", trace_path,
        strerror (errno));
    return 1;
  }

  in_fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  out_fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (in_fd < 0 || out_fd < 0) {
    perror ("aes67-impair-relay: socket");
    return 1;
  }
  setsockopt (in_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one));
  {
    int rcvbuf = 1 << 20;
    setsockopt (in_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof (rcvbuf));
  }
  if (bind (in_fd, (struct sockaddr *) &from, sizeof (from)) < 0) {
    perror ("aes67-impair-relay: bind");
    return 1;
  }
  have_from = IN_MULTICAST (ntohl (from.sin_addr.s_addr));
  if (have_from) {
    memset (&mreq, 0, sizeof (mreq));
    mreq.imr_multiaddr = from.sin_addr;
    mreq.imr_ifindex = (int) ifindex;
    if (setsockopt (in_fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq,
            sizeof (mreq)) < 0) {
      perror ("aes67-impair-relay: IP_ADD_MEMBERSHIP");
      return 1;
    }
  }
  memset (&mreq, 0, sizeof (mreq));
  mreq.imr_ifindex = (int) ifindex;
  if (setsockopt (out_fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq,
          sizeof (mreq)) < 0
      || setsockopt (out_fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero,
          sizeof (zero)) < 0
      || setsockopt (out_fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
          sizeof (ttl)) < 0) {
    perror ("aes67-impair-relay: multicast options");
    return 1;
  }

  memset (&sact, 0, sizeof (sact));
  sact.sa_handler = on_signal;
  sigemptyset (&sact.sa_mask);
  sigaction (SIGTERM, &sact, NULL);
  sigaction (SIGINT, &sact, NULL);
  sigaction (SIGUSR1, &sact, NULL);
  sigaction (SIGUSR2, &sact, NULL);

  printf ("ready\n");
  fflush (stdout);

  while (!stop_flag) {
    struct pollfd pfd = { in_fd, POLLIN, 0 };
    struct timespec tmo, *tp = NULL;
    int64_t now = now_ns (), earliest = INT64_MAX;
    int r;

    if (impair_on_flag) {
      impair_on_flag = 0;
      impair = 1;
      printf ("impair on\n");
      fflush (stdout);
    }
    if (impair_off_flag) {
      impair_off_flag = 0;
      impair = 0;
      printf ("impair off\n");
      fflush (stdout);
    }
    for (i = 0; i < n_held; i++)
      if (held[i].due < earliest)
        earliest = held[i].due;
    if (earliest != INT64_MAX) {
      int64_t wait = earliest > now ? earliest - now : 0;
      tmo.tv_sec = wait / 1000000000;
      tmo.tv_nsec = wait % 1000000000;
      tp = &tmo;
    }
    r = ppoll (&pfd, 1, tp, NULL);
    if (r < 0 && errno != EINTR) {
      perror ("aes67-impair-relay: ppoll");
      return 1;
    }

    /* take in everything that is there */
    for (;;) {
      unsigned char buf[MAX_PACKET];
      ssize_t len = recv (in_fd, buf, sizeof (buf), MSG_DONTWAIT);
      Held *h;
      uint16_t seq;

      if (len < 0)
        break;
      seq = len >= 4 ? (uint16_t) ((buf[2] << 8) | buf[3]) : 0;
      if (n_in > 0 && (uint16_t) (seq - last_seq) > 1
          && (uint16_t) (seq - last_seq) < 0x8000)
        n_gaps += (uint16_t) (seq - last_seq) - 1;
      last_seq = seq;
      if (n_held == MAX_HELD) {
        fprintf (stderr, "aes67-impair-relay: more than %d packets held\n",
            MAX_HELD);
        return 1;
      }
      h = &held[n_held++];
      h->index = n_in++;
      h->seq = seq;
      h->len = (size_t) len;
      memcpy (h->data, buf, (size_t) len);
      h->delay_us = 0;
      h->dup = 0;
      h->impaired = impair;
      if (impair) {
        h->delay_us = delay_min + (int64_t) (rng () % (uint64_t)
            (delay_max - delay_min + 1));
        h->dup = (int64_t) (rng () % 1000) < dup_permille;
      }
      h->due = now_ns () + h->delay_us * 1000;
      if (n_held > held_max)
        held_max = n_held;
    }

    /* send what is due, earliest first (arrival order among equals) */
    for (;;) {
      int best = -1;
      Held h;
      int copy;

      now = now_ns ();
      for (i = 0; i < n_held; i++)
        if (held[i].due <= now && (best < 0 || held[i].due < held[best].due
                || (held[i].due == held[best].due
                    && held[i].index < held[best].index)))
          best = i;
      if (best < 0)
        break;
      h = held[best];
      held[best] = held[--n_held];
      if (now - h.due > overshoot_max)
        overshoot_max = now - h.due;
      for (copy = 0; copy <= h.dup; copy++) {
        if (sendto (out_fd, h.data, h.len, 0, (struct sockaddr *) &to,
                sizeof (to)) < 0) {
          perror ("aes67-impair-relay: sendto");
          return 1;
        }
        n_out++;
        if (copy)
          n_dup++;
        if (trace)
          fprintf (trace, "%llu %u %lld %d\n", (unsigned long long) h.index,
              h.seq, (long long) h.delay_us, copy);
      }
      if (any_sent && h.index < max_sent_index)
        n_reordered++;
      if (!any_sent || h.index > max_sent_index)
        max_sent_index = h.index;
      any_sent = 1;
      if (h.impaired) {
        n_impaired++;
        delay_sum += (uint64_t) h.delay_us;
        if (d_min < 0 || h.delay_us < d_min)
          d_min = h.delay_us;
        if (h.delay_us > d_max)
          d_max = h.delay_us;
      }
    }
  }

  if (trace)
    fclose (trace);
  printf ("relay: in %llu gaps %llu out %llu duplicates %llu reordered %llu "
      "impaired %llu held-max %d delay-min-us %lld delay-max-us %lld "
      "delay-mean-us %llu dropped-at-exit %d overshoot-max-us %lld\n",
      (unsigned long long) n_in, (unsigned long long) n_gaps,
      (unsigned long long) n_out, (unsigned long long) n_dup,
      (unsigned long long) n_reordered, (unsigned long long) n_impaired,
      held_max, (long long) d_min, (long long) d_max,
      (unsigned long long) (n_impaired ? delay_sum / n_impaired : 0), n_held,
      (long long) (overshoot_max / 1000));
  fflush (stdout);
  close (in_fd);
  close (out_fd);
  return 0;
}
