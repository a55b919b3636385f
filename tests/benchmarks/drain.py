#!/usr/bin/env python3
"""Receives and drops UDP packets on 127.0.0.1 ports FIRST, FIRST+2, ... (N
ports), so that a benchmarked sender's kernel does not answer each packet
with an ICMP port-unreachable (which a real network card would not do).
usage: drain.py FIRST N"""
import select
import socket
import sys

first, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind(("127.0.0.1", first + 2 * i))
    s.setblocking(False)
    socks.append(s)
while True:
    ready, _, _ = select.select(socks, [], [], 1.0)
    for s in ready:
        try:
            while True:
                s.recv(4096)
        except BlockingIOError:
            pass
