#!/usr/bin/env bash
# Builds the SAP/SDP libFuzzer target with clang, AddressSanitizer and
# UBSan, and runs it for a bounded time (default 60 s) from a seed corpus
# of valid packets. Exit status: 0 when no crash, leak-free or not; non-zero
# with the crashing input saved in the build directory otherwise.
#   scripts/run-fuzz.sh [seconds]        FUZZ_BUILD_DIR=... to choose the dir
set -euo pipefail
secs=${1:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
bld=${FUZZ_BUILD_DIR:-$src/build-fuzz}

# the library the target links (libgstaes67core) is instrumented too:
# a sanitized build, shared libraries left with undefined sanitizer symbols
# (the fuzzer executable carries the runtime)
opts=(-Dfuzzing=true -Dtests=enabled -Dloudness=disabled -Davahi=disabled
  -Db_sanitize=address,undefined -Db_lundef=false)
if [ ! -f "$bld/build.ninja" ]; then
  CC=clang meson setup "$bld" "$src" "${opts[@]}" >/dev/null
else
  meson setup --reconfigure "$bld" "$src" "${opts[@]}" >/dev/null
fi
ninja -C "$bld" tests/fuzz/sap-fuzz >/dev/null

corpus="$bld/fuzz-corpus"
mkdir -p "$corpus"
python3 - "$corpus" <<'PY'
import os, sys, zlib
d = sys.argv[1]
sdp = (b"v=0\r\no=- 1311738121 1 IN IP4 192.0.2.1\r\ns=Stage\r\n"
       b"i=2 channels: Left, Right\r\nc=IN IP4 239.69.1.10/32\r\nt=0 0\r\n"
       b"a=clock-domain:PTPv2 0\r\nm=audio 5004 RTP/AVP 97\r\n"
       b"a=rtpmap:97 L24/48000/2\r\na=ptime:1\r\n"
       b"a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-50-36-33:0\r\n"
       b"a=mediaclk:direct=0\r\n")
# a Dante SDP whose m= payload type has no rtpmap, two legs, a=ptime:0
dante = sdp.replace(b"a=rtpmap:97", b"a=rtpmap:96").replace(b"a=ptime:1",
    b"a=ptime:0")
dup = sdp.replace(b"m=audio", b"a=group:DUP 1 2\r\nm=audio") + (
    b"m=audio 5004 RTP/AVP 97\r\nc=IN IP4 239.69.2.10/32\r\n"
    b"a=rtpmap:97 L24/48000/2\r\n")
pt = b"application/sdp\0"
v4 = bytes([192, 0, 2, 1])
v6 = bytes([0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1])
seeds = {
  "announce": bytes([0x20, 0, 0x12, 0x34]) + v4 + pt + sdp,
  "announce-notype": bytes([0x20, 0, 0x12, 0x35]) + v4 + sdp,
  "delete": bytes([0x24, 0, 0x12, 0x34]) + v4 + pt + sdp,
  "delete-oline": bytes([0x24, 0, 0x12, 0x34]) + v4 + pt
      + b"o=- 1311738121 1 IN IP4 192.0.2.1\r\n",
  "ipv6": bytes([0x30, 0, 0x12, 0x36]) + v6 + pt + sdp,
  "compressed": bytes([0x21, 0, 0x12, 0x37]) + v4 + zlib.compress(pt + sdp),
  "auth": bytes([0x20, 1, 0x12, 0x38]) + v4 + b"\1\2\3\4" + pt + sdp,
  "encrypted": bytes([0x22, 0, 0x12, 0x39]) + v4 + b"\0" * 16,
  "dante-mismatch": bytes([0x20, 0, 0x12, 0x3a]) + v4 + pt + dante,
  "dup": bytes([0x20, 0, 0x12, 0x3b]) + v4 + pt + dup,
}
for name, data in seeds.items():
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)
PY

cd "$bld"
# GLib and GStreamer keep global state until exit: leak reports off
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ./tests/fuzz/sap-fuzz -max_total_time="$secs" -max_len=4096 -timeout=10 \
    -print_final_stats=1 "$corpus"
