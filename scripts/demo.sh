#!/usr/bin/env bash
# The main job: boot the bare-metal image on QEMU's virt machine with its emulated SMMUv3
# and two PCIe `edu` DMA engines, and watch every scenario: DMA allowed through stage-2
# translation, DMA blocked (with the SMMU's decoded event records), invalidation on unmap.
# Installs what is missing first. Usage: bash scripts/demo.sh [scenario[,scenario...]]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bash "$here/scripts/install-deps.sh"
build=${BUILD_DIR:-$here/build}
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target smmu_image >/dev/null
exec bash "$here/tests/qemu/run-scenario.sh" "$build/image-build/image/smmu-demo.elf" \
    "${1:-all}" "$build/demo.log"
