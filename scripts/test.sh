#!/usr/bin/env bash
# The whole gst-aes67 test suite on a fresh Debian 12 machine:
#   bash scripts/test.sh           # install, build (warnings are errors), test
#   bash scripts/test.sh --asan    # the same under AddressSanitizer + UBSan
#   bash scripts/test.sh --valgrind  # the short send and receive tests under
#                                    # valgrind (memcheck), a few minutes
# Installs what it needs (scripts/install-deps.sh, apt-get, as root). Tests
# that need root (network namespaces) or a peer that is missing skip and say
# why. Ends with a line "N passed, N failed, N skipped"; exit status 0 only
# if nothing failed.
set -euo pipefail
cd "$(dirname "$0")/.."

asan=0
valgrind=0
for a in "$@"; do
  case "$a" in
    --asan) asan=1 ;;
    --valgrind) valgrind=1 ;;
    *) echo "usage: $0 [--asan | --valgrind]" >&2; exit 2 ;;
  esac
done
if [ "$asan" = 1 ] && [ "$valgrind" = 1 ]; then
  echo "$0: --asan and --valgrind do not go together" >&2
  exit 2
fi

bash scripts/install-deps.sh

if [ "$asan" = 1 ]; then
  dir=build-asan
  opts=(-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug)
  # the plugin scanner is not instrumented: scan in the test process
  export GST_REGISTRY_FORK=no
  export ASAN_OPTIONS=fast_unwind_on_malloc=0:detect_leaks=1:abort_on_error=1
  export LSAN_OPTIONS=suppressions=$PWD/tests/check/lsan.supp:print_suppressions=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
  dir=build
  opts=()
fi

if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" -Dwerror=true -Dtests=enabled "${opts[@]}"
else
  meson setup --reconfigure "$dir" -Dwerror=true -Dtests=enabled "${opts[@]}" >/dev/null
fi
ninja -C "$dir"

rc=0
logs=()
if [ "$valgrind" = 1 ]; then
  # The short send and receive tests (real sockets on loopback) under
  # memcheck: an invalid read or write, a use of uninitialised memory or a
  # block definitely lost fails the test (exit 99). What GLib and GStreamer
  # keep for the whole process is reachable, not lost; the few one-time
  # allocations that look lost are in tests/check/valgrind.supp.
  # Timing assertions (pacing, playout to the sample) stay out: valgrind
  # runs code 10-50 times slower.
  vg="valgrind --error-exitcode=99 --leak-check=full"
  vg+=" --errors-for-leak-kinds=definite,possible --show-leak-kinds=definite,possible"
  vg+=" --num-callers=40 --gen-suppressions=all"
  vg+=" --suppressions=$PWD/tests/check/valgrind.supp"
  # one process per test program (no fork per test): one leak check over
  # all its tests, and no forked children for valgrind to follow
  export CK_FORK=no
  meson test -C "$dir" --print-errorlogs --num-processes 1 \
    --timeout-multiplier 5 --wrapper "$vg" --logbase valgrind-send \
    elements/aes67sender || rc=$?
  GST_CHECKS=test_format_conversion,test_mtu_error,test_bad_configuration,test_malformed_packets,test_stream_lost_and_restored \
    meson test -C "$dir" --print-errorlogs --num-processes 1 \
    --timeout-multiplier 5 --wrapper "$vg" --logbase valgrind-receive \
    elements/aes67 || rc=$?
  # gst-launch-1.0 itself under memcheck: it must exit on an error and at
  # EOS (a hang after "Freeing pipeline" was once reported)
  AES67_VALGRIND="$vg" meson test -C "$dir" --print-errorlogs \
    --num-processes 1 --logbase valgrind-launch tools/launch-exit || rc=$?
  logs=("$dir/meson-logs/valgrind-send-valgrind.json"
    "$dir/meson-logs/valgrind-receive-valgrind.json"
    "$dir/meson-logs/valgrind-launch.json")
else
  if [ "$asan" = 1 ]; then
    # each check test's plugin registry written first, by a process with
    # leak checks off: a process that scans dlopens every plugin, and
    # LeakSanitizer's walk of their dynamic TLS at its exit crashes now and
    # then (tests/check/registry-warm.c says more)
    checks=$(meson test -C "$dir" --list 2>/dev/null |
      grep -E '^(libs|elements|interop|examples)/' || true)
    rm -f "$dir"/tests/check/*.registry "$dir"/tests/examples/*.registry
    # shellcheck disable=SC2086
    AES67_REGISTRY_WARM="$PWD/$dir/tests/check/registry-warm" \
      meson test -C "$dir" --num-processes 1 --logbase registry-warm \
      --wrapper "$PWD/scripts/registry-warm.sh" $checks >/dev/null
  fi
  meson test -C "$dir" --print-errorlogs --num-processes 1 || rc=$?
  logs=("$dir/meson-logs/testlog.json")
fi

# one closing line, from meson's own record of the run
python3 - "${logs[@]}" <<'PY'
import json, sys
counts = {"OK": 0, "FAIL": 0, "SKIP": 0, "TIMEOUT": 0, "ERROR": 0}
for path in sys.argv[1:]:
  for line in open(path):
    r = json.loads(line).get("result", "")
    counts[r] = counts.get(r, 0) + 1
failed = counts["FAIL"] + counts["TIMEOUT"] + counts["ERROR"]
print(f"{counts['OK']} passed, {failed} failed, {counts['SKIP']} skipped")
PY
exit $rc
