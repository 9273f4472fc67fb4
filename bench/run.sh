#!/usr/bin/env bash
# Runs every benchmark and prints its figures.
#   usage: bash bench/run.sh <build-dir> [section...]
# Instruction counts come from callgrind (deterministic, unlike time); wall-clock figures
# from a native run are printed alongside for orientation only.
#
# To add a benchmark: write a function `bench_<name>` below (use the helpers), and add
# <name> to SECTIONS at the bottom. A section may be run alone: bash bench/run.sh build pgtable
set -euo pipefail

BUILD=${1:?usage: bash bench/run.sh <build-dir> [section...]}
shift
BUILD=$(cd "$BUILD" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
FAILED=0

have_valgrind() { command -v valgrind >/dev/null 2>&1; }

# Find a built binary anywhere under the build dir.
bin() {
    local p
    p=$(find "$BUILD" -type f -name "$1" -perm -u+x 2>/dev/null | head -n1)
    [ -n "$p" ] || { echo "run.sh: $1 not built in $BUILD (ninja -C $BUILD $1)" >&2; return 1; }
    echo "$p"
}

# Instructions executed inside function FN (inclusive of its callees) while running CMD.
# Prints the total; the program's own stdout goes to $TMP/last.out.
callgrind_ir() {
    local fn=$1; shift
    local out="$TMP/cg.$fn.$$.$RANDOM"
    valgrind --tool=callgrind --toggle-collect="$fn" --callgrind-out-file="$out" \
        "$@" >"$TMP/last.out" 2>"$TMP/last.err" || { cat "$TMP/last.err" >&2; return 1; }
    # "summary:" (or "totals:") holds the event counts; the first event is Ir.
    awk '/^(summary|totals):/ { print $2; exit }' "$out"
}

# One figure: label, target, program and arguments; the program prints ops= and fn=.
# If TARGET is set and the figure exceeds it, the run is marked FAILED (exit status 1).
per_op() {
    local label=$1 target=$2; shift 2
    local native fn ops ns ir per
    native=$("$@") || { echo "run.sh: $* failed" >&2; FAILED=1; return; }
    fn=$(sed -n 's/.*fn=\([^ ]*\).*/\1/p' <<<"$native")
    ops=$(sed -n 's/.*ops=\([0-9]*\).*/\1/p' <<<"$native")
    ns=$(sed -n 's/.*ns_per_op=\([0-9.]*\).*/\1/p' <<<"$native")
    if have_valgrind; then
        ir=$(callgrind_ir "$fn" "$@") || { FAILED=1; return; }
        per=$(awk -v a="$ir" -v b="$ops" 'BEGIN { printf "%.1f", a / b }')
        local verdict=""
        if [ -n "$target" ]; then
            if awk -v a="$per" -v t="$target" 'BEGIN { exit !(a < t) }'; then
                verdict="  (target < $target: ok)"
            else
                verdict="  (target < $target: OVER)"
                FAILED=1
            fi
        fi
        printf '  %-46s %10s instr/op  %8s ns/op  [%s, %s ops]%s\n' \
            "$label" "$per" "$ns" "$fn" "$ops" "$verdict"
    else
        printf '  %-46s %10s instr/op  %8s ns/op  [%s, %s ops]\n' "$label" "n/a" "$ns" "$fn" "$ops"
    fi
}

# ---- sections -------------------------------------------------------------------------

bench_pgtable() {
    local b
    b=$(bin bench_pgtable) || { FAILED=1; return; }
    echo "== pgtable (stage 2, 4K granule; instructions counted inside the named function)"
    per_op "pt_map 4K, tables present, 48-bit IPA"   200 "$b" map4k 4096 48
    per_op "pt_map 4K, tables present, 40-bit IPA"   200 "$b" map4k 4096 40
    per_op "pt_map 4K, tables allocated on demand"   ""  "$b" map4k-cold 4096 48
    per_op "pt_unmap 4K, one call per page"          ""  "$b" unmap4k 4096 48
    per_op "pt_unmap of 4096 pages in one call, /page" "" "$b" unmap-range 4096 48
    per_op "pt_unmap 1 GiB holding 8 pages, /call"   ""  "$b" unmap-sparse 1 48
}

bench_tlbi() {
    local b
    b=$(bin bench_tlbi) || { FAILED=1; return; }
    "$b" || FAILED=1
}

# Instructions per invocation in the kernel (syscall entry to reply), minus the host's
# MMIO path (plat_mmio_*: the window lookup and the SMMU stand-in's register emulation,
# which on hardware is one load or store each).
bench_invocations() {
    local b op total hw per
    b=$(bin bench_invocations) || { FAILED=1; return; }
    echo "== invocations (kernel path per call; host MMIO emulation subtracted)"
    if ! have_valgrind; then
        for op in getsid bind assign map unmap; do "$b" "$op"; done
        return
    fi
    for op in getsid bind assign map unmap; do
        total=$(callgrind_ir kernel_handle_call "$b" "$op") || { FAILED=1; return; }
        hw=$(valgrind --tool=callgrind --toggle-collect=plat_mmio_read32 --toggle-collect=plat_mmio_write32 \
                 --toggle-collect=plat_mmio_read64 --toggle-collect=plat_mmio_write64 \
                 --callgrind-out-file="$TMP/hw.$op" "$b" "$op" >/dev/null 2>&1 &&
             awk '/^(summary|totals):/ { print $2; exit }' "$TMP/hw.$op")
        per=$(awk -v a="$total" -v h="${hw:-0}" 'BEGIN { printf "%.0f", (a - h) / 32 }')
        printf '  %-40s %8s instr/call  (host MMIO emulation excluded: %s instr/call)\n' \
            "$(sed -n 's/op=\([^ ]*\).*/\1/p' "$TMP/last.out")" "$per" \
            "$(awk -v h="${hw:-0}" 'BEGIN { printf "%.0f", h / 32 }')"
    done
}

# Stream-table memory of a 32-bit-StreamID SMMU: bytes per populated StreamID with the
# 2-level table (level 1 + the level-2 arrays really allocated) against a linear table.
bench_strtab() {
    local b
    b=$(bin bench_strtab) || { FAILED=1; return; }
    "$b" || FAILED=1
}

# Append new sections here and to SECTIONS.
SECTIONS=(pgtable tlbi invocations strtab)

[ $# -gt 0 ] && SECTIONS=("$@")
have_valgrind || echo "run.sh: valgrind not found: instruction counts skipped" >&2
for s in "${SECTIONS[@]}"; do
    "bench_$s"
done
exit $FAILED
