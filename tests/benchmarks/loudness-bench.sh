#!/usr/bin/env bash
# Realtime factor of loudnessmeter (stereo 48 kHz, every measure on, true
# peak included) beside ffmpeg's ebur128 filter (peak=true), in one run.
#
#   tests/benchmarks/loudness-bench.sh [BUILD_DIR]    (default: build)
#   env: DURATION=seconds of audio (default 300), RUNS=best of (default 3)
#
# Both read the same S16 stereo 48 kHz WAV of pink noise. Each command is
# also timed without the meter (wavparse ! fakesink; ffmpeg -f null without
# the filter) so that the meter's own cost can be told apart from decoding.
# The realtime factor is seconds of audio per second of CPU (user + system)
# of the whole process; CPU time rather than wall time because the machine
# may be shared. Best of RUNS.
set -euo pipefail

BUILD_DIR=${1:-build}
DURATION=${DURATION:-300}
RUNS=${RUNS:-3}

if [ ! -d "$BUILD_DIR" ]; then
  echo "loudness-bench: no build directory $BUILD_DIR (meson setup $BUILD_DIR && ninja -C $BUILD_DIR)" >&2
  exit 1
fi
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
for tool in gst-launch-1.0 ffmpeg /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "loudness-bench: $tool missing (scripts/install-deps.sh)" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/loudness-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export GST_PLUGIN_PATH_1_0="$BUILD_DIR"
export GST_REGISTRY_1_0="$TMP/registry.bin"

if ! gst-inspect-1.0 loudnessmeter >/dev/null 2>&1; then
  echo "loudness-bench: loudnessmeter not found in $BUILD_DIR" >&2
  exit 1
fi

WAV="$TMP/pink.wav"
BUFS=$((DURATION * 10))
gst-launch-1.0 -q audiotestsrc wave=pink-noise volume=0.3 samplesperbuffer=4800 \
  num-buffers=$BUFS ! audio/x-raw,format=S16LE,rate=48000,channels=2 ! \
  wavenc ! filesink location="$WAV" >/dev/null

# cpu_seconds CMD... : best-of-RUNS user+system CPU seconds of CMD
cpu_seconds() {
  local best="" t
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%U %S" -o "$TMP/t" "$@" >/dev/null 2>"$TMP/err" || {
      echo "loudness-bench: failed: $*" >&2; cat "$TMP/err" >&2; exit 1; }
    t=$(awk '{ printf "%.3f", $1 + $2 }' "$TMP/t")
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$t
    fi
  done
  echo "$best"
}

GST_METER="loudnessmeter"
base_gst=$(cpu_seconds gst-launch-1.0 -q filesrc location="$WAV" ! wavparse ! fakesink)
meter_gst=$(cpu_seconds gst-launch-1.0 -q filesrc location="$WAV" ! wavparse ! $GST_METER ! fakesink)
base_ff=$(cpu_seconds ffmpeg -nostdin -hide_banner -nostats -i "$WAV" -f null -)
meter_ff=$(cpu_seconds ffmpeg -nostdin -hide_banner -nostats -i "$WAV" \
  -af ebur128=peak=true:framelog=verbose -f null -)

ratio() { awk -v d="$DURATION" -v c="$1" 'BEGIN { if (c <= 0) print "inf"; else printf "%.0f", d / c }'; }
only() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }

echo "loudness-bench: ${DURATION} s of stereo 48 kHz S16 pink noise, best of $RUNS, CPU seconds (user+sys)"
echo "  $(nproc) CPUs, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "  %-44s %8s s  %6sx realtime\n" "gst: filesrc ! wavparse ! fakesink" "$base_gst" "$(ratio "$base_gst")"
printf "  %-44s %8s s  %6sx realtime\n" "gst: ... ! loudnessmeter ! fakesink" "$meter_gst" "$(ratio "$meter_gst")"
printf "  %-44s %8s s  %6sx realtime\n" "  loudnessmeter alone (difference)" "$(only "$meter_gst" "$base_gst")" "$(ratio "$(only "$meter_gst" "$base_gst")")"
printf "  %-44s %8s s  %6sx realtime\n" "ffmpeg: -f null (no filter)" "$base_ff" "$(ratio "$base_ff")"
printf "  %-44s %8s s  %6sx realtime\n" "ffmpeg: -af ebur128=peak=true" "$meter_ff" "$(ratio "$meter_ff")"
printf "  %-44s %8s s  %6sx realtime\n" "  ebur128 filter alone (difference)" "$(only "$meter_ff" "$base_ff")" "$(ratio "$(only "$meter_ff" "$base_ff")")"
echo "  ratio ffmpeg/loudnessmeter (meter alone): $(awk -v a="$(only "$meter_ff" "$base_ff")" -v b="$(only "$meter_gst" "$base_gst")" 'BEGIN { printf "%.2f", a / b }')"
