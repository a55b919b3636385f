#!/usr/bin/env bash
# Formats C files the way GStreamer's gst-indent does (GNU indent, 2
# spaces, 80 columns, braces on the statement line). Debian: apt install
# indent.   scripts/gst-indent.sh file.c...   (CHECK=1: report, do not write)
set -euo pipefail
opts=(--braces-on-if-line --case-brace-indentation0 --case-indentation2
  --braces-after-struct-decl-line --line-length80 --no-tabs --cuddle-else
  --dont-line-up-parentheses --continuation-indentation4 --honour-newlines
  --tab-size8 --indent-level2 --leave-preprocessor-space)
status=0
for f in "$@"; do
  tmp=$(mktemp)
  indent "${opts[@]}" "$f" -o "$tmp"
  if ! cmp -s "$f" "$tmp"; then
    if [ "${CHECK:-0}" = 1 ]; then echo "needs indent: $f"; status=1
    else cp "$tmp" "$f"; fi
  fi
  rm -f "$tmp"
done
exit $status
