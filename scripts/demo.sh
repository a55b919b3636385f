#!/usr/bin/env bash
# gst-aes67 demo on a fresh Debian 12 machine: installs what it needs,
# builds, then streams real recorded audio through aes67sink, the network
# (multicast on the loopback interface) and aes67src into demo-out/received.wav,
# checks it bit-exact, and prints loudness and the stream statistics.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if [ ! -f build/build.ninja ]; then
  meson setup build >/dev/null
fi
ninja -C build >/dev/null
export GST_PLUGIN_PATH="$PWD/build"
exec /usr/bin/python3 scripts/demo.py
