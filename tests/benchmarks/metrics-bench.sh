#!/usr/bin/env bash
# The aes67metrics tracer's cost: N receivers (default 64) in one process,
# with and without GST_TRACERS="aes67metrics(...)", scraped every second
# as Prometheus would:
#   bash tests/benchmarks/metrics-bench.sh [BUILD_DIR] [SECONDS] [N] [ROUNDS]
# Prints the receiving process's CPU (perf task-clock over wall time, % of
# one core; /usr/bin/time without perf) for each run, alternating without /
# with, and the mean difference. One sender process sends N stereo L24 1 ms
# streams to 127.0.0.1 (ports BASE..BASE+N-1). Figures go to
# docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
SECS=${2:-10}
N=${3:-64}
ROUNDS=${4:-2}
BASE=21000
MPORT=${MPORT:-19468}
export GST_PLUGIN_PATH=$PWD/$BUILD
command -v gst-launch-1.0 >/dev/null || { echo "gst-launch-1.0 missing"; exit 2; }
command -v curl >/dev/null || { echo "curl missing"; exit 2; }
PERF=0
if command -v perf >/dev/null && perf stat -e task-clock true >/dev/null 2>&1; then PERF=1; fi

CAPS_SRC="audiotestsrc is-live=true samplesperbuffer=480 ! audio/x-raw,rate=48000,channels=2"
tx=""
rx=""
for i in $(seq 0 $((N - 1))); do
  tx+=" $CAPS_SRC ! aes67sink address=127.0.0.1 port=$((BASE + i)) encoding=L24"
  rx+=" aes67src address=127.0.0.1 port=$((BASE + i)) encoding-name=L24 rate=48000 channels=2 latency=4 ! fakesink sync=true"
done

spid=
scraper=
cleanup () {
  [ -n "$scraper" ] && kill "$scraper" 2>/dev/null || true
  [ -n "$spid" ] && kill -INT "$spid" 2>/dev/null || true
}
trap cleanup EXIT
gst-launch-1.0 -q $tx >/dev/null 2>&1 &
spid=$!
sleep 2

# cpu [TRACERS] -> CPU % of one core of the receiving process
cpu () {
  local f=/tmp/aes67-metrics-bench.$$
  if [ "$PERF" = 1 ]; then
    env ${1:+GST_TRACERS="$1"} perf stat -x, -e task-clock -o "$f" \
        timeout -s INT "$SECS" gst-launch-1.0 -q $rx >/dev/null 2>&1 || true
    awk -F, -v s="$SECS" '/task-clock/ { printf "%.1f", $1 / (s * 1000) * 100 }' "$f"
  else
    env ${1:+GST_TRACERS="$1"} /usr/bin/time -o "$f" -f "%e %U %S" \
        timeout -s INT "$SECS" gst-launch-1.0 -q $rx >/dev/null 2>&1 || true
    tail -1 "$f" | awk '{ printf "%.1f", ($2 + $3) / $1 * 100 }'
  fi
  rm -f "$f"
}

echo "# metrics-bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $N receivers, $SECS s per run, $([ $PERF = 1 ] && echo "perf task-clock" || echo "/usr/bin/time")"
printf "%-6s %12s %12s\n" "round" "without %" "with %"
sum_off=0
sum_on=0
for r in $(seq 1 "$ROUNDS"); do
  off=$(cpu "")
  # a scraper: /metrics every second, as Prometheus does
  ( sleep 1; while true; do curl -s -o /dev/null "http://127.0.0.1:$MPORT/metrics" || true; sleep 1; done ) &
  scraper=$!
  on=$(cpu "aes67metrics(port=$MPORT)")
  kill "$scraper" 2>/dev/null || true
  wait "$scraper" 2>/dev/null || true
  scraper=
  printf "%-6s %12s %12s\n" "$r" "$off" "$on"
  sum_off=$(awk -v a="$sum_off" -v b="$off" 'BEGIN { print a + b }')
  sum_on=$(awk -v a="$sum_on" -v b="$on" 'BEGIN { print a + b }')
done
awk -v a="$sum_off" -v b="$sum_on" -v n="$ROUNDS" 'BEGIN {
  printf "mean   %12.1f %12.1f   difference %+.1f %% of one core\n", a / n, b / n, (b - a) / n }'
