#!/usr/bin/env bash
# The CPU of a redundant (SMPTE ST 2022-7) stream, sent and received,
# against a single one (issue 8, item 5; target: at most 1.3x):
#   bash tests/benchmarks/dup-bench.sh [BUILD_DIR]
#
# For each N in STREAMS ("1 16"), RUNS (3) pairs, the order alternating
# (single then redundant, redundant then single, ...): one gst-launch-1.0
# process receives N stereo L24 1 ms streams (aes67src latency=4 into
# fakesink sync=true), another sends them (audiotestsrc wave=silence, 10 ms
# buffers, into aes67sink encoding=L24 ptime=1000), on 127.0.0.1. A
# redundant run gives both elements `secondary-address=127.0.0.1
# secondary-port=PORT+1000`: every packet goes out twice (one sendmmsg)
# and the receiver takes both legs into one ring. After a warm-up (WARMUP,
# 2 s) the CPU of both processes (all threads, from
# /proc/PID/task/*/schedstat: ns on a CPU) is taken over SECS (10) seconds,
# in % of one core; on loopback the kernel's receive work runs in the
# sender's system call, so the sum of the two is the figure to compare.
#
# The receiver runs the aes67metrics tracer (its cost: docs/benchmarks.md,
# -0.1 % of one core at 64 receivers), and at the end of each run its
# /metrics says, per path, what was received and lost: a redundant run
# whose secondary legs received nothing, or any run with a lost packet,
# is marked, so that a figure of a broken run is not taken for a result.
#
# Exit 0 after printing (a benchmark does not fail the build); non-zero
# when a pipeline failed to start.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
STREAMS=${STREAMS:-1 16}
RUNS=${RUNS:-3}
SECS=${SECS:-10}
WARMUP=${WARMUP:-2}
BASE=${BASE:-25000}
MPORT=${MPORT:-19470}
export GST_PLUGIN_PATH=$PWD/$BUILD
command -v gst-launch-1.0 >/dev/null || { echo "gst-launch-1.0 missing"; exit 2; }
command -v curl >/dev/null || { echo "curl missing"; exit 2; }
[ -f "$BUILD/gst/aes67/libgstaes67.so" ] || { echo "$BUILD/gst/aes67/libgstaes67.so missing (ninja -C $BUILD)"; exit 2; }

CAPS="audio/x-raw,rate=48000,channels=2"
rpid=
spid=
cleanup () {
  [ -n "$spid" ] && kill -INT "$spid" 2>/dev/null || true
  [ -n "$rpid" ] && kill -INT "$rpid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
gst-inspect-1.0 aes67src >/dev/null   # a registry scan now, not in a run

# ns on a CPU of all threads of PID so far
cpu_ns () {
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'
}

# run N DUP -> "tx% rx% received lost secondary-received"
run () {
  local n=$1 dup=$2 i tx="" rx="" p extra t0 r0 s0 t1 r1 s1 m
  for i in $(seq 0 $((n - 1))); do
    p=$((BASE + 2 * i))
    extra=""
    [ "$dup" = 1 ] && extra="secondary-address=127.0.0.1 secondary-port=$((p + 1000))"
    tx+=" audiotestsrc is-live=true wave=silence samplesperbuffer=480 ! $CAPS ! aes67sink address=127.0.0.1 port=$p encoding=L24 ptime=1000 $extra"
    rx+=" aes67src address=127.0.0.1 port=$p encoding-name=L24 rate=48000 channels=2 latency=4 $extra ! fakesink sync=true"
  done
  GST_TRACERS="aes67metrics(port=$MPORT)" gst-launch-1.0 -q $rx >/dev/null 2>/tmp/dup-bench-rx.$$ &
  rpid=$!
  sleep 1
  gst-launch-1.0 -q $tx >/dev/null 2>/tmp/dup-bench-tx.$$ &
  spid=$!
  sleep "$WARMUP"
  if ! kill -0 "$rpid" 2>/dev/null || ! kill -0 "$spid" 2>/dev/null; then
    echo "!! a pipeline did not start:" >&2
    cat /tmp/dup-bench-rx.$$ /tmp/dup-bench-tx.$$ >&2
    exit 1
  fi
  t0=$(date +%s%N); r0=$(cpu_ns "$rpid"); s0=$(cpu_ns "$spid")
  sleep "$SECS"
  t1=$(date +%s%N); r1=$(cpu_ns "$rpid"); s1=$(cpu_ns "$spid")
  m=$(curl -s "http://127.0.0.1:$MPORT/metrics" || true)
  kill -INT "$spid" "$rpid" 2>/dev/null || true
  wait "$spid" "$rpid" 2>/dev/null || true
  spid= rpid=
  rm -f /tmp/dup-bench-rx.$$ /tmp/dup-bench-tx.$$
  echo "$m" | awk -v dt=$((t1 - t0)) -v tx=$((s1 - s0)) -v rx=$((r1 - r0)) '
    /^aes67_receiver_packets_received_total\{/ && !/path="/ { rcv += $NF }
    /^aes67_receiver_packets_lost_total\{/ && !/path="/ { lost += $NF }
    /^aes67_receiver_packets_received_total\{/ && /path="secondary"/ { sec += $NF }
    END { printf "%.2f %.2f %d %d %d\n", tx / dt * 100, rx / dt * 100, rcv, lost, sec }'
}

echo "# dup-bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $SECS s per run"
echo "# CPU in % of one core; received / lost / secondary: the receiver's packet counts (all streams, since start)"
printf "%-7s %-4s %-10s %8s %8s %8s %10s %6s %10s\n" streams run kind send receive total received lost secondary
for n in $STREAMS; do
  sum1=0 sum2=0
  for r in $(seq 1 "$RUNS"); do
    if [ $((r % 2)) = 1 ]; then order="0 1"; else order="1 0"; fi
    for dup in $order; do
      read -r tx rx rcv lost sec < <(run "$n" "$dup")
      tot=$(awk -v a="$tx" -v b="$rx" 'BEGIN { printf "%.2f", a + b }')
      kind=single
      mark=""
      if [ "$dup" = 1 ]; then
        kind=redundant
        sum2=$(awk -v a="$sum2" -v b="$tot" 'BEGIN { print a + b }')
        [ "$sec" -gt 0 ] || mark=" !! no packet on the secondary legs"
      else
        sum1=$(awk -v a="$sum1" -v b="$tot" 'BEGIN { print a + b }')
      fi
      [ "$lost" = 0 ] || mark+=" !! packets lost"
      [ "$rcv" -gt 0 ] || mark+=" !! nothing received"
      printf "%-7s %-4s %-10s %8s %8s %8s %10s %6s %10s%s\n" "$n" "$r" "$kind" "$tx" "$rx" "$tot" "$rcv" "$lost" "$sec" "$mark"
    done
  done
  awk -v n="$n" -v a="$sum1" -v b="$sum2" -v r="$RUNS" 'BEGIN {
    printf "summary: %s stream(s): single %.1f %%, redundant %.1f %% (send + receive, mean of %d runs): %.2fx (target <= 1.3x): %s\n",
      n, a / r, b / r, r, b / a, b / a <= 1.3 ? "met" : "not met" }'
done
