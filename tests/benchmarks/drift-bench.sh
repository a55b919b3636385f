#!/bin/bash
# aes67src playout=arrival against a drifting sender (issue 12, item 4):
# the sender's clock runs PPM fast for SECONDS, then PPM slow for SECONDS;
# two receivers; latency min/median/max per phase and any discontinuity.
# See tests/benchmarks/drift-bench.c and
# tests/check/elements/aes67-driftprobe.h for what is measured.
#   tests/benchmarks/drift-bench.sh BUILD_DIR [PPM [SECONDS]]
set -e
b=${1:?build dir}
ppm=${2:-100}
secs=${3:-600}
port=${DRIFT_BENCH_PORT:-$((46000 + ($$ % 1000) * 2))}
export GST_PLUGIN_PATH_1_0=$b
export GST_REGISTRY_1_0=$b/drift-bench.registry
exec "$b/tests/benchmarks/drift-bench" "$ppm" "$secs" "$port"
