#!/usr/bin/env bash
# aes67sink / aes67src against the stock GStreamer pipelines, in one run:
#   bash tests/benchmarks/aes67-bench.sh [BUILD_DIR] [SECONDS]
# Prints whole-process CPU (user + system time / wall time, % of one core)
# of each pipeline and the ratio stock / ours, and the pacing on the wire
# (deviation of the inter-packet gaps from ptime, kernel timestamps).
# Everything goes to 127.0.0.1: nothing leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
SECS=${2:-10}
export GST_PLUGIN_PATH=$PWD/$BUILD
command -v gst-launch-1.0 >/dev/null || { echo "gst-launch-1.0 missing"; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing (apt-get install time)"; exit 2; }

CAPS_SRC="audiotestsrc is-live=true samplesperbuffer=480 ! audio/x-raw,rate=48000,channels=2"
BASE=20000

# cpu PIPELINE -> "percent": CPU time of the process (perf's task-clock,
# all threads) over wall time; /usr/bin/time (10 ms ticks) without perf
cpu () {
  local f=/tmp/aes67-bench-time.$$
  if [ "$PERF" = 1 ]; then
    perf stat -x, -e task-clock -o "$f" timeout -s INT "$SECS" \
        gst-launch-1.0 -q $1 >/dev/null 2>&1 || true
    awk -F, -v s="$SECS" '/task-clock/ { printf "%.2f", $1 / (s * 1000) * 100 }' "$f"
  else
    /usr/bin/time -o "$f" -f "%e %U %S" timeout -s INT "$SECS" \
        gst-launch-1.0 -q $1 >/dev/null 2>&1 || true
    tail -1 "$f" | awk '{ printf "%.2f", ($2 + $3) / $1 * 100 }'
  fi
  rm -f "$f"
}
PERF=0
if perf stat -x, -e task-clock true >/dev/null 2>&1; then PERF=1; fi
# a registry scan (first run after a build) would be counted: scan now
gst-inspect-1.0 aes67sink >/dev/null

senders () { # N PTIME_US KIND
  local n=$1 ptime=$2 kind=$3 p="" i port
  for i in $(seq 0 $((n - 1))); do
    port=$((BASE + 2 * i))
    if [ "$kind" = ours ]; then
      p+=" $CAPS_SRC ! aes67sink address=127.0.0.1 port=$port ptime=$ptime encoding=L24"
    else
      p+=" $CAPS_SRC ! audioconvert ! rtpL24pay min-ptime=$((ptime * 1000)) max-ptime=$((ptime * 1000)) ! udpsink host=127.0.0.1 port=$port sync=true"
    fi
  done
  echo "$p"
}

echo "# aes67-bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $SECS s per figure"
echo "# GStreamer $(gst-launch-1.0 --version | sed -n 2p | cut -d' ' -f2)"
echo
echo "## sender: CPU % of one core, whole process ($([ $PERF = 1 ] && echo "perf task-clock" || echo "/usr/bin/time"))"
echo "## 'sink/stream': (process - the same sources into fakesink) / streams"
printf "%-28s %9s %9s %7s %9s %11s %11s\n" "case" "aes67sink" "stock" "ratio" "sources" "sink/stream" "stock s/s"
# a receiver for every port: no ICMP port-unreachable per packet
python3 tests/benchmarks/drain.py $BASE 32 &
drain=$!
trap 'kill $drain 2>/dev/null || true' EXIT
sleep 0.3
for c in "1 1000" "8 1000" "32 1000" "1 125"; do
  set -- $c
  src=""
  for i in $(seq 1 "$1"); do src+=" $CAPS_SRC ! fakesink sync=true"; done
  base=$(cpu "$src")
  ours=$(cpu "$(senders "$1" "$2" ours)")
  stock=$(cpu "$(senders "$1" "$2" stock)")
  printf "%-28s %9s %9s %7s %9s %11s %11s\n" "$1 stereo L24, ptime $2 us" "$ours" "$stock" \
    "$(awk -v a="$stock" -v b="$ours" 'BEGIN { printf "%.1fx", a / b }')" "$base" \
    "$(awk -v a="$ours" -v b="$base" -v n="$1" 'BEGIN { printf "%.2f", (a - b) / n }')" \
    "$(awk -v a="$stock" -v b="$base" -v n="$1" 'BEGIN { printf "%.2f", (a - b) / n }')"
done

kill $drain 2>/dev/null || true
wait $drain 2>/dev/null || true
echo
echo "## receiver: CPU % of one core, whole process (one stereo L24 1 ms stream)"
SENDER="$CAPS_SRC ! aes67sink address=127.0.0.1 port=$BASE encoding=L24"
gst-launch-1.0 -q $SENDER >/dev/null 2>&1 &
spid=$!
sleep 0.5
ours=$(cpu "aes67src address=127.0.0.1 port=$BASE encoding-name=L24 rate=48000 channels=2 latency=4 ! fakesink sync=true")
stock=$(cpu "udpsrc address=127.0.0.1 port=$BASE caps=application/x-rtp,media=audio,clock-rate=48000,encoding-name=L24,channels=2,payload=96 ! rtpjitterbuffer latency=4 ! rtpL24depay ! fakesink sync=true")
kill -INT $spid; wait $spid 2>/dev/null || true
printf "%-28s %10s %10s %8s\n" "case" "aes67src" "stock" "ratio"
printf "%-28s %10s %10s %8s\n" "1 stereo L24, ptime 1000 us" "$ours" "$stock" \
  "$(awk -v a="$stock" -v b="$ours" 'BEGIN { printf "%.1fx", a / b }')"

echo
echo "## pacing on the wire: deviation of inter-packet gaps from ptime, us (p50 p99 max)"
for ptime in 1000 125; do
  n=$((3000 * 1000 / ptime)); [ $n -gt 8000 ] && n=8000
  for kind in ours stock; do
    python3 tests/benchmarks/pacing.py $BASE $n $ptime > /tmp/aes67-pacing.$$ &
    ppid=$!
    sleep 0.3
    timeout -s INT $((n * ptime / 1000000 + 3)) gst-launch-1.0 -q $(senders 1 $ptime $kind) >/dev/null 2>&1 || true
    wait $ppid || true
    printf "%-10s ptime %4s us: %s\n" "$kind" "$ptime" "$(cat /tmp/aes67-pacing.$$)"
  done
done
rm -f /tmp/aes67-pacing.$$
