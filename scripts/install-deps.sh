#!/usr/bin/env bash
# Installs every Debian 12 package gst-aes67 needs to build, run its demo and
# run its whole test suite (real peers included). Idempotent; run as root (or
# with sudo available). Set AES67_DEPS_QUICK=1 to skip when all are present.
set -euo pipefail

PKGS=(
  # build
  build-essential meson ninja-build pkg-config
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libebur128-dev libavahi-client-dev zlib1g-dev
  libmicrohttpd-dev libjson-glib-dev  # ext/metrics (aes67metrics tracer)
  # run: GStreamer elements we wrap or compare against
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-base-apps  # gst-device-monitor-1.0
  # demo input: real speech recordings
  alsa-utils
  # test peers and tools
  iproute2 nftables linuxptp ffmpeg tshark avahi-daemon avahi-utils dbus
  pipewire pipewire-bin wireplumber
  prometheus chromium  # monitoring tests: real Prometheus, promtool, headless browser
  valgrind python3 clang libclang-rt-14-dev indent
  python3-gi python3-gst-1.0 gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
  # benchmarks: CPU time of a process (tests/benchmarks/*.sh)
  time linux-perf
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
