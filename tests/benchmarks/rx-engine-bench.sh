#!/bin/bash
# CPU of the receive engine against the stock chain (udpsrc !
# rtpjitterbuffer ! rtpL24depay ! fakesink sync=true per stream), N stereo
# L24 1 ms streams on loopback from one sender process.
#   tests/benchmarks/rx-engine-bench.sh BUILD_DIR [N [SECONDS]]
set -e
b=${1:?build dir}
n=${2:-16}
secs=${3:-10}
bench=$b/tests/benchmarks/rx-engine-bench
# a port range of its own (other benchmarks may run on this machine)
port=${RX_BENCH_PORT:-$((40000 + ($$ % 1000) * 20))}
if ss -uan | awk '{print $4}' | grep -qE ":($(seq -s'|' $port $((port + n - 1))))\$"; then
  echo "ports $port..$((port + n - 1)) in use: set RX_BENCH_PORT" >&2
  exit 1
fi

"$bench" send "$n" $((secs + 3)) $port &
sp=$!
"$bench" recv "$n" "$secs" $port
wait $sp

caps='application/x-rtp,media=audio,clock-rate=48000,encoding-name=L24,channels=2,payload=97'
chains=()
for i in $(seq 0 $((n - 1))); do
  chains+=(udpsrc port=$((port + i)) caps="$caps" buffer-size=1048576 !
    rtpjitterbuffer latency=4 ! rtpL24depay ! fakesink sync=true)
done
"$bench" send "$n" $((secs + 3)) $port &
sp=$!
gst-launch-1.0 -q "${chains[@]}" &
gp=$!
sleep 1
t0=$(awk '{print $14 + $15}' /proc/$gp/stat)
sleep "$((secs - 1))"
t1=$(awk '{print $14 + $15}' /proc/$gp/stat)
kill -INT $gp
wait $gp || true
wait $sp
hz=$(getconf CLK_TCK)
echo "stock: streams $n cpu $(( (t1 - t0) * 100 / hz / (secs - 1) )) % of one core"
