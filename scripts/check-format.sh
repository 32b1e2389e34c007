#!/usr/bin/env bash
# clang-format check over the project's C++ sources (the repo's .clang-format).
set -u
cd "$(dirname "$0")/.."
CF=$(command -v clang-format-14 || command -v clang-format) || { echo "clang-format not installed"; exit 1; }
files=$(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find . -name '*.cpp' -o -name '*.hpp')
if ! $CF --dry-run -Werror $files 2>/tmp/vpnlab-format.log; then
  grep -E "^[^ ].*(error|warning)" /tmp/vpnlab-format.log | cut -d: -f1 | sort -u | sed 's/^/needs clang-format: /'
  exit 1
fi
echo "format: ok ($(echo $files | wc -w) files)"
