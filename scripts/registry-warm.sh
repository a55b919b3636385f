#!/usr/bin/env bash
# meson test --wrapper for scripts/test.sh --asan: instead of the test
# program given as arguments, runs tests/check/registry-warm in the test's
# environment, which writes the test's plugin registry (see
# tests/check/registry-warm.c for why). AES67_REGISTRY_WARM names the
# program.
set -eu
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
exec "$AES67_REGISTRY_WARM"
