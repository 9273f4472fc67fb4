#!/usr/bin/env bash
# Boot the bare-metal image under QEMU virt + SMMUv3 with three edu devices and judge the
# run by its console output.
#
#   run-scenario.sh <image.elf> <scenario[,scenario...]|all> [log-file]
#
# Passes iff QEMU powers off by itself within the timeout, the console has
# "SCENARIO <name>: PASS" for every requested scenario (for "all": as many PASS lines as
# the closing count), no line containing "FAIL", and the closing line "N passed, 0 failed"
# with N > 0.
# Environment: QEMU (default qemu-system-aarch64), QEMU_TIMEOUT (seconds, default 60),
# QEMU_MEM (RAM, default 4G: RAM from 0x4000_0000 then reaches past 4 GiB, where the VMs'
# memory lives), QEMU_EXTRA_ARGS (appended to the command line, e.g. "-d guest_errors -D q.log").
set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 <image.elf> <scenario[,scenario...]|all> [log-file]" >&2
    exit 2
fi
image=$1
scenario=$2
log=${3:-${TMPDIR:-/tmp}/qemu-${scenario//[^A-Za-z0-9_.-]/_}.log}
qemu=${QEMU:-qemu-system-aarch64}
limit=${QEMU_TIMEOUT:-60}
mem=${QEMU_MEM:-4G}

[ -f "$image" ] || { echo "run-scenario: no image at $image" >&2; exit 2; }
command -v "$qemu" >/dev/null || { echo "run-scenario: $qemu not found" >&2; exit 2; }
mkdir -p "$(dirname "$log")"

# edu's DMA addresses are ANDed with dma_mask (default 28 bits) and RAM starts at 1 GiB:
# widen it to 40 bits on the first two. Slots 2 and 3 give RIDs (= StreamIDs) 0x10 and
# 0x18. The third (slot 4, StreamID 0x20) keeps the default 28-bit mask: the legacy DMA
# master of scenario vm-legacy-dma, which reaches RAM only through an IOMMU window.
cmd=("$qemu" -M virt,iommu=smmuv3,virtualization=on -cpu max -m "$mem" -nographic -nic none
     -device edu,addr=2,dma_mask=0xffffffffff
     -device edu,addr=3,dma_mask=0xffffffffff
     -device edu,addr=4
     -device edu,addr=5,dma_mask=0xffffffffff
     -device edu,addr=6,dma_mask=0xffffffffff
     -kernel "$image")
if [ "$scenario" != all ]; then
    cmd+=(-append "scenario=$scenario")
fi
# shellcheck disable=SC2206 # word splitting of the extra arguments is intended
[ -n "${QEMU_EXTRA_ARGS:-}" ] && cmd+=(${QEMU_EXTRA_ARGS})

echo "run-scenario: ${cmd[*]}"
start=$(date +%s.%N)
# -nographic puts the serial console on stdio; no stdin, so QEMU cannot wait on a tty.
timeout --kill-after=5 "$limit" "${cmd[@]}" </dev/null >"$log" 2>&1
status=$?
end=$(date +%s.%N)
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
cat "$log"
echo "run-scenario: QEMU exit status $status after ${elapsed}s; log: $log"

fail() { echo "run-scenario: FAILED: $*"; exit 1; }

[ "$status" -eq 124 ] || [ "$status" -eq 137 ] && fail "timeout after ${limit}s (no power-off)"
[ "$status" -eq 0 ] || fail "QEMU exited with status $status"
grep -q 'FAIL' "$log" && fail "a line reports FAIL"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
[ -n "$summary" ] || fail "no closing 'N passed, M failed' line"
npass=${summary%% passed*}
nfail=${summary#*, }; nfail=${nfail%% failed*}
[ "$nfail" -eq 0 ] || fail "$summary"
[ "$npass" -gt 0 ] || fail "no scenario ran"
if [ "$scenario" = all ]; then
    got=$(grep -cE '^SCENARIO [^ ]+: PASS' "$log")
    [ "$got" -eq "$npass" ] || fail "$got PASS lines but the summary says $npass passed"
else
    IFS=, read -r -a wanted <<<"$scenario"
    for s in "${wanted[@]}"; do
        grep -qE "^SCENARIO ${s//./\\.}: PASS" "$log" || fail "no 'SCENARIO $s: PASS'"
    done
fi
echo "run-scenario: PASSED ($summary)"
