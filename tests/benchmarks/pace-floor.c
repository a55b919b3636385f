/* gst-aes67 benchmark: the least a paced sender can cost on this machine
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One thread, no GStreamer: sleep until the next packet time
 * (clock_nanosleep, absolute CLOCK_MONOTONIC), send one UDP datagram of an
 * RTP packet's size (sendto), repeat. That is one wake-up and one system
 * call per packet, which a sender that puts each packet on the wire at its
 * own time cannot go below without kernel pacing (SO_TXTIME with the fq or
 * etf qdisc).
 * aes67-bench.sh runs it beside aes67sink and the stock pipeline.
 *
 *   pace-floor PTIME_US SECONDS BYTES ADDRESS PORT [IFNAME]
 *
 * ADDRESS is an IPv4 address (multicast: sent out of IFNAME). Exits 0 after
 * SECONDS, 1 on a bad argument or socket error (message on stderr).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct sockaddr_in to = {.sin_family = AF_INET };
  struct timespec t;
  long ptime_ns, n, i;
  int fd, secs, bytes, port;
  char *pkt;

  if (argc < 6) {
    fprintf (stderr, "usage: %s PTIME_US SECONDS BYTES ADDRESS PORT "
        "[IFNAME]\n", argv[0]);
    return 1;
  }
  ptime_ns = atol (argv[1]) * 1000;
  secs = atoi (argv[2]);
  bytes = atoi (argv[3]);
  port = atoi (argv[5]);
  if (ptime_ns <= 0 || secs <= 0 || bytes <= 0 || bytes > 9000 || port <= 0
      || port > 65535 || inet_pton (AF_INET, argv[4], &to.sin_addr) != 1) {
    fprintf (stderr, "%s: bad argument\n", argv[0]);
    return 1;
  }
  to.sin_port = htons (port);
  fd = socket (AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) {
    perror ("socket");
    return 1;
  }
  if (argc > 6) {
    struct ip_mreqn m = {.imr_ifindex = (int) if_nametoindex (argv[6]) };

    if (m.imr_ifindex == 0 || setsockopt (fd, IPPROTO_IP, IP_MULTICAST_IF,
            &m, sizeof (m)) < 0) {
      fprintf (stderr, "%s: interface %s: %s\n", argv[0], argv[6],
          strerror (errno));
      return 1;
    }
  }
  pkt = calloc (1, bytes);
  pkt[0] = (char) 0x80;         /* RTP version 2 */
  n = (long) secs *1000000000L / ptime_ns;
  clock_gettime (CLOCK_MONOTONIC, &t);
  for (i = 0; i < n; i++) {
    t.tv_nsec += ptime_ns;
    while (t.tv_nsec >= 1000000000L) {
      t.tv_nsec -= 1000000000L;
      t.tv_sec++;
    }
    clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
    sendto (fd, pkt, bytes, 0, (struct sockaddr *) &to, sizeof (to));
  }
  free (pkt);
  close (fd);
  return 0;
}
