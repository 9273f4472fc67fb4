#!/usr/bin/env bash
# Every test: host unit tests (ASan + UBSan) and the QEMU end-to-end scenarios, run by ctest.
# Installs what is missing first. Usage: bash scripts/test.sh [extra ctest args]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bash "$here/scripts/install-deps.sh"
build=${BUILD_DIR:-$here/build}
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" "$@"
