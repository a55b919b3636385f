#!/usr/bin/env bash
# aes67sink / aes67src against the stock GStreamer pipelines, in one run:
#   bash tests/benchmarks/aes67-bench.sh [BUILD_DIR] [SECONDS]
# Prints whole-process CPU (user + system time / wall time, % of one core)
# of each pipeline and the ratio stock / ours, and the pacing on the wire
# (deviation of the inter-packet gaps from ptime, kernel timestamps).
# ONLY=pacing measures the pacing alone (no root needed):
#   ONLY=pacing RUNS=3 bash tests/benchmarks/aes67-bench.sh build
# The pacing figure lives here, not in a unit test: elements/aes67 checks
# pacing as behaviour (no packet early, gaps of one packet time).
#
# Where the senders send (DEST=veth or DEST=lo; veth when run as root):
#   veth  out of a veth into a second network namespace that has no listener
#         and drops them, as a network card takes packets: the sender pays
#         for its own sending only. Nothing leaves the machine.
#   lo    to 127.0.0.1, where tests/benchmarks/drain.py takes them (no ICMP
#         port-unreachable): the receiving process's wake-up is charged to
#         the sending system call, to ours and stock's alike.
# The receiver and pacing figures always use 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
SECS=${2:-10}
ONLY=${ONLY:-}
RUNS=${RUNS:-1}
export GST_PLUGIN_PATH=$PWD/$BUILD
FLOOR=$PWD/$BUILD/tests/benchmarks/pace-floor
[ -x "$FLOOR" ] || { echo "$FLOOR missing (ninja -C $BUILD)"; exit 2; }
command -v gst-launch-1.0 >/dev/null || { echo "gst-launch-1.0 missing"; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing (apt-get install time)"; exit 2; }

CAPS_SRC="audiotestsrc is-live=true samplesperbuffer=480 ! audio/x-raw,rate=48000,channels=2"
BASE=20000

DEST=${DEST:-}
# the pacing figures use 127.0.0.1 alone
[ "$ONLY" = pacing ] && DEST=${DEST:-lo}
if [ -z "$DEST" ]; then
  if [ "$(id -u)" = 0 ] && command -v ip >/dev/null; then DEST=veth; else DEST=lo; fi
fi
NS_TX=a67bench-$$-tx
NS_RX=a67bench-$$-rx
IN_NS=()
cleanup () {
  [ -n "${drain:-}" ] && kill "$drain" 2>/dev/null || true
  if [ "$DEST" = veth ]; then
    ip netns del "$NS_TX" 2>/dev/null || true
    ip netns del "$NS_RX" 2>/dev/null || true
  fi
}
trap cleanup EXIT
if [ "$DEST" = veth ]; then
  ip netns add "$NS_TX"
  ip netns add "$NS_RX"
  ip -n "$NS_TX" link add v0 type veth peer name v1 netns "$NS_RX"
  ip -n "$NS_TX" link set lo up
  ip -n "$NS_TX" addr add 10.67.0.1/24 dev v0
  ip -n "$NS_TX" link set v0 up
  ip -n "$NS_RX" addr add 10.67.0.2/24 dev v1
  ip -n "$NS_RX" link set v1 up
  ip -n "$NS_TX" route add 224.0.0.0/4 dev v0
  IN_NS=(ip netns exec "$NS_TX")
  TX_ADDR=239.69.67.1
  OURS_DEST="address=$TX_ADDR multicast-iface=v0"
  STOCK_DEST="host=$TX_ADDR multicast-iface=v0"
  FLOOR_DEST="$TX_ADDR"
  FLOOR_IF=v0
else
  OURS_DEST="address=127.0.0.1"
  STOCK_DEST="host=127.0.0.1"
  FLOOR_DEST=127.0.0.1
  FLOOR_IF=
fi

# cpu COMMAND... -> "percent": CPU time of the process (perf's task-clock,
# all threads) over wall time; /usr/bin/time (10 ms ticks) without perf.
# Senders run in the sending namespace (DEST=veth).
cpu () {
  local f=/tmp/aes67-bench-time.$$
  if [ "$PERF" = 1 ]; then
    "${IN_NS[@]}" perf stat -x, -e task-clock -o "$f" timeout -s INT "$SECS" \
        "$@" >/dev/null 2>&1 || true
    awk -F, -v s="$SECS" '/task-clock/ { printf "%.2f", $1 / (s * 1000) * 100 }' "$f"
  else
    "${IN_NS[@]}" /usr/bin/time -o "$f" -f "%e %U %S" timeout -s INT "$SECS" \
        "$@" >/dev/null 2>&1 || true
    tail -1 "$f" | awk '{ printf "%.2f", ($2 + $3) / $1 * 100 }'
  fi
  rm -f "$f"
}
gst_cpu () { cpu gst-launch-1.0 -q $1; }
PERF=0
if perf stat -x, -e task-clock true >/dev/null 2>&1; then PERF=1; fi
# a registry scan (first run after a build) would be counted: scan now
gst-inspect-1.0 aes67sink >/dev/null

senders () { # N PTIME_US KIND [DEST_PROPS]; KIND: ours, stock, unpaced
  local n=$1 ptime=$2 kind=$3 p="" i port
  set -- "$1" "$2" "${4:-}"
  for i in $(seq 0 $((n - 1))); do
    port=$((BASE + 2 * i))
    if [ "$kind" = ours ]; then
      p+=" $CAPS_SRC ! aes67sink $3 port=$port ptime=$ptime encoding=L24"
    else
      p+=" $CAPS_SRC ! audioconvert ! rtpL24pay min-ptime=$((ptime * 1000)) max-ptime=$((ptime * 1000)) ! udpsink $3 port=$port sync=$([ "$kind" = stock ] && echo true || echo false)"
    fi
  done
  echo "$p"
}

# pacing on the wire, ours / stock sync=true / stock sync=false (the
# unpaced reference: a 10 ms buffer's packets back to back), RUNS times
# alternated, one line each
pacing () {
  local run ptime kind n
  echo "## pacing on the wire: deviation of inter-packet gaps from ptime, us (p50 p99 max)"
  echo "## load $(cut -d' ' -f1-3 /proc/loadavg)"
  for run in $(seq 1 "$RUNS"); do
    for ptime in 1000 125; do
      n=$((3000 * 1000 / ptime)); [ $n -gt 8000 ] && n=8000
      for kind in ours stock unpaced; do
        python3 tests/benchmarks/pacing.py $BASE $n $ptime > /tmp/aes67-pacing.$$ &
        ppid=$!
        sleep 0.3
        timeout -s INT $((n * ptime / 1000000 + 3)) gst-launch-1.0 -q $(senders 1 $ptime $kind "$([ $kind = ours ] && echo address || echo host)=127.0.0.1") >/dev/null 2>&1 || true
        wait $ppid || true
        printf "run %s %-8s ptime %4s us: %s\n" "$run" "$kind" "$ptime" "$(cat /tmp/aes67-pacing.$$)"
      done
    done
  done
  rm -f /tmp/aes67-pacing.$$
}

echo "# aes67-bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $SECS s per figure"
echo "# GStreamer $(gst-launch-1.0 --version | sed -n 2p | cut -d' ' -f2)"
echo
if [ "$ONLY" = pacing ]; then
  pacing
  exit 0
fi
echo "## sender: CPU % of one core, whole process ($([ $PERF = 1 ] && echo "perf task-clock" || echo "/usr/bin/time")), DEST=$DEST"
echo "## 'sink/stream': (process - the same sources into fakesink) / streams"
printf "%-28s %9s %9s %7s %9s %11s %11s\n" "case" "aes67sink" "stock" "ratio" "sources" "sink/stream" "stock s/s"
drain=
if [ "$DEST" = lo ]; then
  # a receiver for every port: no ICMP port-unreachable per packet
  python3 tests/benchmarks/drain.py $BASE 32 &
  drain=$!
  sleep 0.3
fi
for c in "1 1000" "8 1000" "32 1000" "1 125"; do
  set -- $c
  src=""
  for i in $(seq 1 "$1"); do src+=" $CAPS_SRC ! fakesink sync=true"; done
  base=$(gst_cpu "$src")
  ours=$(gst_cpu "$(senders "$1" "$2" ours "$OURS_DEST")")
  stock=$(gst_cpu "$(senders "$1" "$2" stock "$STOCK_DEST")")
  printf "%-28s %9s %9s %7s %9s %11s %11s\n" "$1 stereo L24, ptime $2 us" "$ours" "$stock" \
    "$(awk -v a="$stock" -v b="$ours" 'BEGIN { printf "%.1fx", a / b }')" "$base" \
    "$(awk -v a="$ours" -v b="$base" -v n="$1" 'BEGIN { printf "%.2f", (a - b) / n }')" \
    "$(awk -v a="$stock" -v b="$base" -v n="$1" 'BEGIN { printf "%.2f", (a - b) / n }')"
done

echo
echo "## the floor: one wake-up and one sendto per packet, bare C, no GStreamer"
echo "## (tests/benchmarks/pace-floor.c), same destination: CPU % of one core"
for ptime in 1000 125; do
  bytes=$((12 + ptime * 48 / 1000 * 6))
  printf "%-28s %9s\n" "1 stream, ptime $ptime us" \
    "$(cpu "$FLOOR" "$ptime" "$SECS" "$bytes" "$FLOOR_DEST" "$BASE" $FLOOR_IF)"
done

if [ -n "$drain" ]; then
  kill "$drain" 2>/dev/null || true
  wait "$drain" 2>/dev/null || true
  drain=
fi
echo
echo "## receiver: CPU % of one core, whole process (one stereo L24 1 ms stream)"
SENDER="$CAPS_SRC ! aes67sink address=127.0.0.1 port=$BASE encoding=L24"
gst-launch-1.0 -q $SENDER >/dev/null 2>&1 &
spid=$!
sleep 0.5
IN_NS=()
ours=$(gst_cpu "aes67src address=127.0.0.1 port=$BASE encoding-name=L24 rate=48000 channels=2 latency=4 ! fakesink sync=true")
stock=$(gst_cpu "udpsrc address=127.0.0.1 port=$BASE caps=application/x-rtp,media=audio,clock-rate=48000,encoding-name=L24,channels=2,payload=96 ! rtpjitterbuffer latency=4 ! rtpL24depay ! fakesink sync=true")
kill -INT $spid; wait $spid 2>/dev/null || true
printf "%-28s %10s %10s %8s\n" "case" "aes67src" "stock" "ratio"
printf "%-28s %10s %10s %8s\n" "1 stereo L24, ptime 1000 us" "$ours" "$stock" \
  "$(awk -v a="$stock" -v b="$ours" 'BEGIN { printf "%.1fx", a / b }')"

echo
pacing
