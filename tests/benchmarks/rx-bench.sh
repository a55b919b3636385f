#!/usr/bin/env bash
# The receive benchmarks of issue 12: aes67src against the stock chain
# `udpsrc ! rtpjitterbuffer ! rtpL24depay`, in one run:
#   bash tests/benchmarks/rx-bench.sh [BUILD_DIR]
#
#   ONLY=cpu     1. receive CPU for 1, 16 and 64 stereo L24 1 ms streams in
#                   ONE receiving process (STREAMS_CPU="1 16 64"), ours and
#                   stock back to back (RUNS pairs, the order alternating),
#                   SECS (10) seconds each: % of one core, ratio stock/ours.
#                   CPU_OFFSET_US (4000): the receivers' link offset.
#                   Target (issue 12): at 16 streams ours <= 1/3 of stock.
#                   Beside them "floor": N audiotestsrc into the same
#                   synchronised fakesinks, in buffers as long as
#                   aes67src's (its out-frames), no network: what the sinks' own clock waits cost
#                   any source of such buffers. NO_SYNC=1: fakesink
#                   sync=false, the receivers alone keep time (no floor).
#                   CPU_PLAYOUT=media-clock: aes67src plays on the media
#                   clock (aes67sink stamps capture time on the shared
#                   system clock, as in measure 3) instead of by arrival;
#                   its output buffers may then be up to 5 ms (a quarter
#                   of the link offset).
#   ONLY=load    2. 64 (LOAD_STREAMS) stereo streams sent by one process and
#                   received by another for DURATION (60) seconds, ours then
#                   stock: per stream lost / late, and how many streams had
#                   0 lost and 0 late. Target: every stream.
#                   LOAD_OFFSET_US (4000): the receivers' link offset.
#                   LOAD_KINDS ("ours stock"): the receivers to run.
#                   SENDER=raw: the streams come from rx-engine-bench send
#                   (one thread, one sendmmsg a ms) instead of aes67sink,
#                   which on 2 cores falls behind beside 64 receivers.
#   ONLY=offset  3. (root) the smallest link offset with 0 late packets for
#                   DURATION seconds over a veth between two network
#                   namespaces, at ptime 125 us and 1 ms (PTIMES), trying
#                   OFFSETS="1 2 3 4 6 8" (ms). Target: 1 ms at 125 us.
#                   SENDER=raw: the stream comes from rx-engine-bench send
#                   with RX_BENCH_MEDIACLK=1 (RTP time = capture time, each
#                   packet sent when its last frame is captured, a
#                   real-time thread: a sender as exact as hardware)
#                   instead of aes67sink from audiotestsrc.
#   (unset: all three, in that order)
#
# The senders' CPU is not measured: they are aes67sink in one other
# gst-launch-1.0 process (audiotestsrc wave=silence, 48 kHz stereo, L24). The receiving
# process is tests/benchmarks/rx-bench.c (built by meson, not a test): it
# builds N receivers into `fakesink sync=true`, waits WARMUP (2) seconds,
# then measures a window: CPU of the whole process from
# CLOCK_PROCESS_CPUTIME_ID (all threads, what /proc/PID/stat counts, to
# the ns) over wall time; per stream the receiver's own statistics over the
# window (aes67src `stats`: packets-lost, packets-late, samples-concealed
# where the element has it; the stock jitter buffer's num-lost / num-late);
# and, from a probe where the sink takes the audio, independent of those
# statistics, "out-late" (buffers that reached the sink after their render
# time: timestamp + the pipeline's latency) and "out-missing" (samples
# missing from the output timeline: holes before a DISCONT buffer, GAP
# buffers).
#
# Measures 1 and 2 send to 127.0.0.1 (ports BASE, BASE+2, ...): the
# kernel's receive work (and the wake-up of the receiving thread) runs in
# the sender's system call and is charged to the sender, for ours and stock
# alike. Receivers use the element defaults but `latency=4` (stock:
# `rtpjitterbuffer latency=4`): playout on arrival, as there is no PTP
# clock.
#
# Measure 3, the link offset, needs a common media clock: both pipelines run
# on GStreamer's default system clock (CLOCK_MONOTONIC), which is one clock
# for every network namespace of the machine, and aes67sink stamps each
# packet with its capture time on that clock (RTP time = clock time in
# samples), so the receiver runs `playout=media-clock`: each sample plays
# exactly the link offset after its capture. (GstSystemClock with
# clock-type realtime would do as well: CLOCK_REALTIME is shared too.) The
# stock chain has no media-clock playout on a system clock in 1.22
# (rtpjitterbuffer's rfc7273-sync takes NTP and PTP clocks only), so this
# measure runs aes67src only. The sender's source delivers one packet's
# audio per buffer, and aes67sink's `timestamp-offset` (SENDER_TS_OFFSET,
# 48 samples) takes out the 1 ms processing deadline aes67sink adds: each
# packet then leaves one packet time after its first sample's RTP time, as
# a hardware sender's does (the driver prints the measured transit). The
# receiver's fakesink has processing-deadline=0, so the render time is the
# link offset after capture. LATENCY_PROP (latency) names the aes67src
# property that takes the offset, LATENCY_UNIT_US (1000) its unit in us,
# should finer control come as another property; OFFSETS stay in ms.
# Before the receivers, a plain socket in the receiving namespace (the
# driver's --kind tap, no GStreamer, at SCHED_FIFO 10 as the receive
# engine's threads) takes the stream for DURATION seconds and counts, for
# every offset, the packets that arrived after capture + offset: the floor
# that the sender, the veth and this machine's scheduling leave to any
# receiver.
#
# Exit 0 after printing (a benchmark does not fail the build); non-zero when
# a pipeline failed to run (or, for measure 3 only, when not root: it is
# skipped with a message).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
ONLY=${ONLY:-}
SECS=${SECS:-10}
DURATION=${DURATION:-60}
WARMUP=${WARMUP:-2}
RUNS=${RUNS:-1}
STREAMS_CPU=${STREAMS_CPU:-1 16 64}
LOAD_STREAMS=${LOAD_STREAMS:-64}
OFFSETS=${OFFSETS:-1 2 3 4 6 8}
LOAD_OFFSET_US=${LOAD_OFFSET_US:-4000}
PTIMES=${PTIMES:-125 1000}
LATENCY_PROP=${LATENCY_PROP:-latency}
LATENCY_UNIT_US=${LATENCY_UNIT_US:-1000}
SENDER_TS_OFFSET=${SENDER_TS_OFFSET:-48}
CPU_OFFSET_US=${CPU_OFFSET_US:-4000}
BASE=${BASE:-23000}
export GST_PLUGIN_PATH=$PWD/$BUILD
DRIVER=$PWD/$BUILD/tests/benchmarks/rx-bench
[ -x "$DRIVER" ] || { echo "$DRIVER missing (ninja -C $BUILD)"; exit 2; }
command -v gst-launch-1.0 >/dev/null || { echo "gst-launch-1.0 missing"; exit 2; }

CAPS="audio/x-raw,rate=48000,channels=2"
OUT=/tmp/rx-bench.$$
NS_TX=rxbench-$$-tx
NS_RX=rxbench-$$-rx
spid=
netns=0
failed=0
cleanup () {
  [ -n "$spid" ] && stop_senders
  if [ "$netns" = 1 ]; then
    ip netns del "$NS_TX" 2>/dev/null || true
    ip netns del "$NS_RX" 2>/dev/null || true
  fi
  rm -f "$OUT"
}
trap cleanup EXIT
# a registry scan (first run after a build) would be counted: scan now
gst-inspect-1.0 aes67src >/dev/null

# start_senders N PTIME_US DEST [PREFIX...]: one gst-launch-1.0 process
# with N aes67sink to DEST ports BASE, BASE+2, ...; its pid in $spid
start_senders () {
  local n=$1 ptime=$2 dest=$3 i p="" spb
  shift 3
  # measures 1 and 2: 10 ms buffers of silence (the cheapest source: the
  # senders share the 2 cores with the receivers); measure 3: one packet
  # per source buffer (the sender's latency is then one packet time)
  spb=${SPB:-480}
  for i in $(seq 0 $((n - 1))); do
    p+=" audiotestsrc is-live=true wave=${WAVE:-silence} samplesperbuffer=$spb ! $CAPS ! aes67sink $dest port=$((BASE + 2 * i)) encoding=L24 ptime=$ptime ${SENDER_PROPS:-}"
  done
  "$@" gst-launch-1.0 -q $p >/dev/null 2>"$OUT.senders" &
  spid=$!
  sleep 2
  if ! kill -0 "$spid" 2>/dev/null; then
    echo "senders failed to start:"; cat "$OUT.senders"; exit 1
  fi
}
stop_senders () {
  # gst-launch-1.0 stops on SIGINT; rx-engine-bench, started in the
  # background of this non-interactive shell, ignores SIGINT: SIGTERM
  kill -INT "$spid" 2>/dev/null || true
  sleep 0.5
  kill -TERM "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  spid=
}

# driver ARGS... -> its output in $OUT; a failed run is remembered
driver () {
  if ! "${IN_NS[@]}" "${PRE[@]}" "$DRIVER" --warmup "$WARMUP" "$@" >"$OUT" 2>"$OUT.err"; then
    echo "!! rx-bench $* failed: $(cat "$OUT.err")"
    failed=1
  fi
}
field () { # KEY -> value from the summary line
  sed -n 's/^summary .*[ ]'"$1"'=\([^ ]*\).*/\1/p' "$OUT"
}

echo "# rx-bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# GStreamer $(gst-launch-1.0 --version | sed -n 2p | cut -d' ' -f2); aes67src property for the link offset: $LATENCY_PROP (unit $LATENCY_UNIT_US us)"
IN_NS=()
PRE=()

if [ -z "$ONLY" ] || [ "$ONLY" = cpu ]; then
  echo
  echo "## 1. receive CPU, N stereo L24 1 ms streams in one process (127.0.0.1),"
  if [ "${NO_SYNC:-0}" = 1 ]; then sync=false; nosync=(--no-sync); kinds="ours stock"
  else sync=true; nosync=(); kinds="ours stock floor"; fi
  playout=()
  [ -n "${CPU_PLAYOUT:-}" ] && playout=(--playout "$CPU_PLAYOUT")
  # the floor's buffers are as long as aes67src's: the out-frames its first
  # run printed (ours runs first in the first run)
  ff=48
  echo "##    latency $((CPU_OFFSET_US / 1000)) ms, into fakesink sync=$sync; $SECS s window, % of one core${CPU_PLAYOUT:+; aes67src playout=$CPU_PLAYOUT}"
  [ "$sync" = true ] && echo "##    floor: audiotestsrc samplesperbuffer=(aes67src's output buffer) ! fakesink sync=true, no receiver"
  printf "%-8s %4s %10s %10s %10s %10s %11s\n" "streams" "run" "aes67src" "stock" "floor" "stock/ours" "floor/stock"
  R16=
  for n in $STREAMS_CPU; do
    start_senders "$n" 1000 "address=127.0.0.1"
    for run in $(seq 1 "$RUNS"); do
      order=$kinds
      [ $((run % 2)) = 0 ] && order=$(echo "$kinds" | tr ' ' '\n' | tac | tr '\n' ' ')
      c_floor=-
      for kind in $order; do
        driver --kind "$kind" --streams "$n" --address 127.0.0.1 --port "$BASE" \
          --seconds "$SECS" --link-offset-us "$CPU_OFFSET_US" \
          --latency-property "$LATENCY_PROP" --latency-unit-us "$LATENCY_UNIT_US" \
          --floor-frames "$ff" "${nosync[@]}" "${playout[@]}"
        eval "c_$kind=$(field cpu)"
        [ -n "$(field cpu)" ] || eval "c_$kind=nan"
        if [ "$kind" = ours ] && [ -n "$(field out-frames)" ] && [ "$(field out-frames)" -gt 0 ]; then
          ff=$(field out-frames)
        fi
      done
      ratio=$(awk -v a="$c_stock" -v b="$c_ours" 'BEGIN { printf "%.2fx", a / b }')
      fratio=$(awk -v a="$c_floor" -v b="$c_stock" 'BEGIN { if (a == "-") print "-"; else printf "%.2f", a / b }')
      printf "%-8s %4s %10s %10s %10s %10s %11s\n" "$n" "$run" "$c_ours" "$c_stock" "$c_floor" "$ratio" "$fratio"
      [ "$n" = 16 ] && R16+="$c_ours $c_stock $c_floor"$'\n'
    done
    stop_senders
  done
  [ "$sync" = true ] && echo "## the floor's buffers: $ff frames (aes67src's out-frames)"
  if [ -n "$R16" ]; then
    echo "$R16" | awk 'NF == 3 { n++; a += $1; b += $2; f = $1 / $2
        if ($3 != "-") { fl += $3; nf++ }
        if (n == 1 || f < lo) lo = f; if (n == 1 || f > hi) hi = f }
      END { m = a / b; printf "summary: at 16 streams aes67src %.1f %%, stock %.1f %% (mean of %d runs): ours = %.2f of stock (runs %.2f-%.2f; target <= 0.33): %s\n",
        a / n, b / n, n, m, lo, hi, m <= 1 / 3 ? "met" : "not met"
        if (nf) printf "summary: the floor (the same sinks, no receiver) is %.1f %% = %.2f of stock\n", fl / nf, fl / nf / (b / n) }'
  fi
fi

if [ -z "$ONLY" ] || [ "$ONLY" = load ]; then
  echo
  echo "## 2. $LOAD_STREAMS stereo L24 1 ms streams sent by one process, received by"
  echo "##    another (127.0.0.1), latency $((LOAD_OFFSET_US / 1000)) ms, $DURATION s window after ${WARMUP} s"
  if [ "${SENDER:-gst}" = raw ]; then
    # a sender that keeps time whatever the receivers cost: one thread,
    # one sendmmsg of every stream's packet a millisecond
    echo "##    sender: rx-engine-bench send (one thread, one sendmmsg per ms), not aes67sink"
    RX_BENCH_STRIDE=2 RX_BENCH_PT=96 "$PWD/$BUILD/tests/benchmarks/rx-engine-bench" \
      send "$LOAD_STREAMS" $((2 * (DURATION + WARMUP) + 60)) "$BASE" &
    spid=$!
    sleep 1
  else
    start_senders "$LOAD_STREAMS" 1000 "address=127.0.0.1"
  fi
  for kind in ${LOAD_KINDS:-ours stock}; do
    driver --kind "$kind" --streams "$LOAD_STREAMS" --address 127.0.0.1 \
      --port "$BASE" --seconds "$DURATION" --link-offset-us "$LOAD_OFFSET_US" --probe \
      --deadline-zero --latency-property "$LATENCY_PROP" \
      --latency-unit-us "$LATENCY_UNIT_US"
    echo "### $kind ($([ $kind = ours ] && echo aes67src || echo "udpsrc ! rtpjitterbuffer ! rtpL24depay")): per stream"
    printf "%-6s %9s %7s %7s %9s %9s %11s %10s\n" stream received lost late concealed out-late out-missing transit-max
    sed -n 's/^stream \([0-9]*\) received=\([^ ]*\) lost=\([^ ]*\) late=\([^ ]*\) concealed=\([^ ]*\) out-buffers=[^ ]* out-late=\([^ ]*\) out-missing=\([^ ]*\) transit-min-us=[^ ]* transit-max-us=\([^ ]*\).*/\1 \2 \3 \4 \5 \6 \7 \8/p' "$OUT" |
      while read -r i rx lost late conc ol om tmax; do
        printf "%-6s %9s %7s %7s %9s %9s %11s %8s us\n" "$i" "$rx" "$lost" "$late" "$conc" "$ol" "$om" "$tmax"
      done
    clean_out=$(awk '/^stream / { ok = 1; for (i = 3; i <= NF; i++) { split($i, kv, "=");
        if ((kv[1] == "lost" || kv[1] == "late" || kv[1] == "out-late" || kv[1] == "out-missing") && kv[2] != 0) ok = 0 }
        n += ok } END { print n + 0 }' "$OUT")
    rxmin=$(sed -n 's/^stream [0-9]* received=\([0-9]*\) .*/\1/p' "$OUT" | sort -n | head -1)
    echo "packets received per stream: at least ${rxmin:-?}; $(awk -v s="$(field seconds)" 'BEGIN { printf "%.0f", s * 1000 }') are due in the window (fewer: the sending process fell behind)"
    echo "summary: $kind, $LOAD_STREAMS streams, $(field seconds) s: $(field clean) of $LOAD_STREAMS streams with 0 lost and 0 late by the receiver's statistics (lost $(field lost), late $(field late), concealed $(field concealed) in all); $clean_out of $LOAD_STREAMS also with 0 out-late and 0 out-missing at the sink (out-late $(field out-late), out-missing $(field out-missing)); CPU $(field cpu) % of one core"
  done
  stop_senders
fi

if [ -z "$ONLY" ] || [ "$ONLY" = offset ]; then
  echo
  echo "## 3. smallest link offset with 0 late packets, one stereo L24 stream over a"
  echo "##    veth between two network namespaces, playout=media-clock on the shared"
  echo "##    system clock (CLOCK_MONOTONIC), $DURATION s window after ${WARMUP} s per offset"
  if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
    echo "skipped: needs root and ip(8) for network namespaces"
  else
    ip netns add "$NS_TX"
    ip netns add "$NS_RX"
    netns=1
    ip -n "$NS_TX" link add v0 type veth peer name v1 netns "$NS_RX"
    ip -n "$NS_TX" link set lo up
    ip -n "$NS_RX" link set lo up
    ip -n "$NS_TX" addr add 10.67.0.1/24 dev v0
    ip -n "$NS_RX" addr add 10.67.0.2/24 dev v1
    ip -n "$NS_TX" link set v0 up
    ip -n "$NS_RX" link set v1 up
    ip -n "$NS_TX" route add 224.0.0.0/4 dev v0
    ip -n "$NS_RX" route add 224.0.0.0/4 dev v1
    GROUP=239.69.67.12
    printf "%-6s %-6s %9s %6s %6s %9s %8s %11s %11s %11s\n" ptime offset received lost late concealed out-late out-missing transit-min transit-max
    for ptime in $PTIMES; do
      best=
      best_stats=
      if [ "${SENDER:-gst}" = raw ]; then
        # a sender that keeps time as hardware does: RTP time = capture
        # time on CLOCK_MONOTONIC, each packet sent when its last frame was
        # captured, from a real-time thread
        echo "${ptime}us  sender: rx-engine-bench send with RX_BENCH_MEDIACLK=1, not aes67sink"
        ip netns exec "$NS_TX" env RX_BENCH_MEDIACLK=1 RX_BENCH_PT=96 \
          RX_BENCH_FPP=$((ptime * 48 / 1000)) RX_BENCH_DEST="$GROUP" RX_BENCH_IFACE=v0 \
          "$PWD/$BUILD/tests/benchmarks/rx-engine-bench" send 1 \
          $(( (DURATION + WARMUP + 3) * ($(echo $OFFSETS | wc -w) + 1) + 10 )) "$BASE" &
        spid=$!
        sleep 1
      else
        SPB=$((ptime * 48 / 1000)) SENDER_PROPS="multicast-iface=v0 timestamp-offset=$SENDER_TS_OFFSET" \
          start_senders 1 "$ptime" "address=$GROUP" ip netns exec "$NS_TX"
      fi
      IN_NS=(ip netns exec "$NS_RX")
      # the floor: a plain socket in the receiving namespace, no GStreamer,
      # at the receive engine's real-time priority (SCHED_FIFO 10)
      if command -v chrt >/dev/null; then PRE=(chrt -f 10); fi
      driver --kind tap --address "$GROUP" --iface v1 --port "$BASE" \
        --seconds "$DURATION" --tap-offsets-ms "$(echo $OFFSETS | tr ' ' ,)"
      PRE=()
      tap=$(grep '^tap ' "$OUT" || true)
      echo "${ptime}us  floor (plain socket): $(echo "$tap" | sed 's/^tap //')"
      floor=
      for off in $OFFSETS; do
        if [ -z "$floor" ] && echo "$tap" | grep -q " late-at-${off}ms=0\( \|$\)"; then floor=$off; fi
      done
      for off in $OFFSETS; do
        driver --kind ours --streams 1 --address "$GROUP" --iface v1 \
          --port "$BASE" --seconds "$DURATION" \
          --link-offset-us $((off * 1000)) --playout media-clock --probe \
          --deadline-zero --latency-property "$LATENCY_PROP" \
          --latency-unit-us "$LATENCY_UNIT_US"
        line=$(grep '^stream 0 ' "$OUT" || true)
        get () { echo "$line" | sed -n 's/.* '"$1"'=\([^ ]*\).*/\1/p'; }
        printf "%-6s %-6s %9s %6s %6s %9s %8s %11s %8s us %8s us\n" "${ptime}us" "${off}ms" \
          "$(get received)" "$(get lost)" "$(get late)" "$(get concealed)" \
          "$(get out-late)" "$(get out-missing)" "$(get transit-min-us)" "$(get transit-max-us)"
        if [ -z "$best_stats" ] && [ -n "$line" ] && [ "$(get lost)" = 0 ] && [ "$(get late)" = 0 ]; then
          best_stats=$off
        fi
        if [ -z "$best" ] && [ -n "$line" ] && [ "$(get lost)" = 0 ] && [ "$(get late)" = 0 ] \
            && [ "$(get out-late)" = 0 ] && [ "$(get out-missing)" = 0 ]; then
          best=$off
        fi
      done
      IN_NS=()
      stop_senders
      echo "summary: ptime $ptime us: smallest link offset (of $OFFSETS ms) with 0 lost and 0 late by aes67src's statistics: ${best_stats:-none}; and also 0 out-late and 0 out-missing at the sink: ${best:-none}; floor, no packet after capture + offset at a plain socket: ${floor:-none}$([ "$ptime" = 125 ] && echo " (target 1 ms)")"
    done
  fi
fi
rm -f "$OUT.err" "$OUT.senders"
exit $failed
