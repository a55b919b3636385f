#!/usr/bin/env bash
# The whole gst-aes67 test suite on a fresh Debian 12 machine:
#   bash scripts/test.sh           # install, build (warnings are errors), test
#   bash scripts/test.sh --asan    # the same under AddressSanitizer + UBSan
# Installs what it needs (scripts/install-deps.sh, apt-get, as root). Tests
# that need root (network namespaces) or a peer that is missing skip and say
# why. Ends with a line "N passed, N failed, N skipped"; exit status 0 only
# if nothing failed.
set -euo pipefail
cd "$(dirname "$0")/.."

asan=0
for a in "$@"; do
  case "$a" in
    --asan) asan=1 ;;
    *) echo "usage: $0 [--asan]" >&2; exit 2 ;;
  esac
done

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
meson test -C "$dir" --print-errorlogs --num-processes 1 || rc=$?

# one closing line, from meson's own record of the run
python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json, sys
counts = {"OK": 0, "FAIL": 0, "SKIP": 0, "TIMEOUT": 0, "ERROR": 0}
for line in open(sys.argv[1]):
    r = json.loads(line).get("result", "")
    counts[r] = counts.get(r, 0) + 1
failed = counts["FAIL"] + counts["TIMEOUT"] + counts["ERROR"]
print(f"{counts['OK']} passed, {failed} failed, {counts['SKIP']} skipped")
PY
exit $rc
