#!/usr/bin/env python3
"""Inter-packet gaps on the wire: receive N RTP packets on 127.0.0.1:PORT with
kernel receive timestamps (SO_TIMESTAMPNS) and print the deviation of the
gaps from the packet time: p50 p99 max, in µs.
usage: pacing.py PORT [N] [PTIME_US]"""
import socket
import struct
import sys

SO_TIMESTAMPNS = 35
port = int(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
ptime = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
s.settimeout(5)
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
t = []
try:
    while len(t) < n:
        _, anc, _, _ = s.recvmsg(4096, 64)
        for lvl, typ, data in anc:
            sec, ns = struct.unpack("qq", data[:16])
            t.append(sec * 10**9 + ns)
except socket.timeout:
    pass
gaps = [(b - a) / 1000 for a, b in zip(t, t[1:])][50:]
if not gaps:
    print("nan nan nan")
    sys.exit(1)
dev = sorted(abs(g - ptime) for g in gaps)
print(f"{dev[len(dev) // 2]:.0f} {dev[int(len(dev) * 0.99)]:.0f} {dev[-1]:.0f}")
