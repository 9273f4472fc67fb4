#!/usr/bin/env bash
# dt2smmu on QEMU virt's DTB and on the fixtures beside this script: good trees give the
# expected configuration, report and JSON (and the configuration compiles); every bad one
# fails with exit status 1 and a message naming the node and the property.
#   usage: run.sh DT2SMMU [QEMU_VIRT_DTB]
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tool=${1:?usage: run.sh DT2SMMU [QEMU_VIRT_DTB]}
qemu_dtb=${2:-}
gen=$root/tools/gen_smmu_config.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok_() { pass=$((pass + 1)); }
no_() { echo "FAIL $*"; fail=$((fail + 1)); }
cd "$here" # fixtures by relative name: outputs quote the input's name

# has NAME FILE FRAGMENT...: every fragment occurs in FILE.
has() {
    local name=$1 file=$2 f; shift 2
    for f in "$@"; do
        if grep -qF -- "$f" "$file"; then ok_; else no_ "$name: '$f' not in $(basename "$file")"; fi
    done
}

# bad NAME FRAGMENT... -- ARGS: dt2smmu ARGS exits 1, stderr has every fragment, no output.
bad() {
    local name=$1 frags=() rc
    shift
    while [ "$1" != "--" ]; do frags+=("$1"); shift; done
    shift
    echo untouched >"$tmp/$name.conf"
    "$tool" -c "$tmp/$name.conf" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    if [ $rc -ne 1 ]; then no_ "$name: exit status $rc, not 1: $(cat "$tmp/$name.err")"; return; fi
    ok_
    has "$name" "$tmp/$name.err" "${frags[@]}"
    if [ "$(cat "$tmp/$name.conf")" = untouched ]; then ok_; else no_ "$name: wrote its output despite errors"; fi
}

# compiles NAME CONF: gen_smmu_config.py accepts CONF; the header lands in $tmp/NAME.h.
compiles() {
    if python3 "$gen" "$2" "$tmp/$1.h" 2>"$tmp/$1.gen.err"; then ok_; else no_ "$1: gen_smmu_config.py: $(cat "$tmp/$1.gen.err")"; fi
}

# ---- QEMU virt (the demo's machine) ---------------------------------------------------------
if [ -n "$qemu_dtb" ] && [ -f "$qemu_dtb" ]; then
    if "$tool" -a "$root/config/qemu-virt.assign" -c "$tmp/qemu.conf" -r "$tmp/qemu.txt" -j "$tmp/qemu.json" \
        "$qemu_dtb" 2>"$tmp/qemu.err"; then ok_; else no_ "qemu: $(cat "$tmp/qemu.err")"; fi
    has qemu "$tmp/qemu.conf" '{"smmu_id":0, "sid":16},  # 0x10: /pcie@10000000 00:02.0 (RID 0x10) -> roottask' \
        '{"smmu_id":0, "sid":24}' '# 0x18: /pcie@10000000 00:03.0 (RID 0x18) -> roottask' \
        '"sid_bits":16, "base":151322624, "size":131072, "coherent":true, "irqs":{"eventq":106, "priq":107, "cmdq-sync":108, "gerror":109}}'
    has qemu "$tmp/qemu.txt" 'registers   0x9050000, size 0x20000' 'eventq SPI 74 (INTID 106), edge rising' \
        'gerror SPI 77 (INTID 109), edge rising' '16 bits needed (largest 0xffff); the SMMU has 16 (sid-bits)' \
        'entry 0: RIDs 0x0..0xffff -> StreamIDs 0x0..0xffff' 'StreamID 0x10     /pcie@10000000 00:02.0'
    compiles qemu "$tmp/qemu.conf"
    has qemu "$tmp/qemu.h" '{ .smmu_id = 0, .sid = 0x10 },' '{ .smmu_id = 0, .sid = 0x18 },' \
        '.base = 0x9050000ull, .size = 0x20000ull, .coherent = 1, .irq = { 106, 107, 108, 109, 0 }'
    # The device tree gives the demo the same StreamIDs as the hand-written configuration
    # (config/qemu-virt.assign and config/smmu.conf must change together).
    python3 "$gen" "$root/config/smmu.conf" "$tmp/hand.h"
    if diff <(sed -n '/smmu_boot_sids/,/NSIDS/p' "$tmp/hand.h") <(sed -n '/smmu_boot_sids/,/NSIDS/p' "$tmp/qemu.h") \
        >/dev/null; then ok_; else no_ "qemu: SID table differs from config/smmu.conf's"; fi
    if python3 - "$tmp/qemu.json" <<'EOF'; then ok_; else no_ "qemu: JSON content"; fi
import json, sys
j = json.load(open(sys.argv[1]))
s = j["smmus"][0]
assert len(j["smmus"]) == 1 and s["smmu_id"] == 0 and s["base"] == 0x9050000 and s["size"] == 0x20000
assert [i["intid"] for i in s["interrupts"]] == [106, 107, 108, 109]
assert [i["name"] for i in s["interrupts"]] == ["eventq", "priq", "cmdq-sync", "gerror"]
assert s["masters"][0]["node"] == "/pcie@10000000" and s["masters"][0]["streams"][0]["length"] == 0x10000
assert [(g["sid"], g["rid"], g["component"]) for g in j["grants"][:2]] == [(16, 16, "roottask"), (24, 24, "roottask")]
assert all(g["master"] == "/pcie@10000000" and g["sid"] == g["rid"] for g in j["grants"])
EOF
    # No assignment: the tree is analysed, no StreamID gets a cap.
    if "$tool" -c "$tmp/none.conf" "$qemu_dtb" 2>"$tmp/none.err"; then ok_; else no_ "none: $(cat "$tmp/none.err")"; fi
    has none "$tmp/none.conf" 'smmu_sids = []  # no assignment'
    compiles none "$tmp/none.conf"
else
    no_ "qemu: no QEMU DTB given (qemu-system-aarch64 and dtc are needed)"
fi

# ---- a multi-SMMU SoC fixture: golden outputs -----------------------------------------------
if "$tool" -a soc-multi.assign -c "$tmp/soc.conf" -r "$tmp/soc.txt" -j "$tmp/soc.json" soc-multi.dts \
    2>"$tmp/soc.err"; then ok_; else no_ "soc-multi: $(cat "$tmp/soc.err")"; fi
for ext in conf txt json; do
    if diff -u "expected/soc-multi.$ext" "$tmp/soc.$ext" >"$tmp/soc.diff"; then ok_
    else no_ "soc-multi: $ext differs from expected/soc-multi.$ext:"; cat "$tmp/soc.diff"; fi
done
compiles soc "$tmp/soc.conf"
python3 -m json.tool "$tmp/soc.json" >/dev/null 2>&1 && ok_ || no_ "soc-multi: JSON does not parse"
# The same tree as a DTB gives the same configuration.
dtc -q -I dts -O dtb -o "$tmp/soc-multi.dtb" soc-multi.dts
"$tool" -a soc-multi.assign -c "$tmp/soc-dtb.conf" "$tmp/soc-multi.dtb" 2>/dev/null
if diff <(tail -n +2 "$tmp/soc.conf") <(tail -n +2 "$tmp/soc-dtb.conf") >/dev/null; then ok_
else no_ "soc-multi: DTB and DTS inputs differ"; fi

# ---- bad device trees -------------------------------------------------------------------------
bad dangling '/dma@a000000: iommus: specifier 1: phandle 0x99 refers to no node' -- bad-dangling.dts
bad iommu-cells '/iommu@9050000: #iommu-cells: is 2; arm,smmu-v3 takes 1' -- bad-iommu-cells.dts
bad spec-cells '/dma@a000000: iommus: 3 cells is not a whole number of <phandle StreamID> specifiers' -- bad-spec-cells.dts
bad sid-wide '/dma@a000000: iommus: specifier 1: StreamID 0x20000 is wider than the 16 SID bits of /iommu@9050000' \
    '/pcie@10000000: iommu-map: entry 0: StreamIDs up to 0x17fff are wider than the 16 SID bits' \
    -- -a bad-sid-wide.assign bad-sid-wide.dts
bad dup '/display@a100000: iommus: duplicate StreamID on /iommu@9050000: 0x20 of /dma@a000000 (iommus specifier 0) and 0x20 of /display@a100000 (iommus specifier 1)' -- bad-dup.dts
bad overlap '/gpu@a000000: iommus: overlapping StreamIDs on /iommu@9050000: 0x0..0xffff of /pcie@10000000 (iommu-map entry 0) and 0x180 of /gpu@a000000' -- bad-overlap.dts
bad map-zero '/pcie@10000000: iommu-map: entry 1: length is 0' -- bad-map-zero.dts
bad map-wrap '/pcie@10000000: iommu-map: entry 0: StreamIDs 0xffffff00 + 0x200 wrap past 0xffffffff' -- bad-map-wrap.dts
# Truncated and corrupt blobs.
head -c 300 "$tmp/soc-multi.dtb" >"$tmp/truncated.dtb"
bad truncated 'truncated.dtb: truncated DTB: FDT_ERR_TRUNCATED' -- "$tmp/truncated.dtb"
: >"$tmp/empty.dtb"
bad empty 'empty.dtb: truncated DTB' -- "$tmp/empty.dtb"
python3 - "$tmp/soc-multi.dtb" "$tmp" <<'EOF'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
m = bytearray(b); m[0] ^= 0xff
open(sys.argv[2] + "/badmagic.dtb", "wb").write(m)
s = bytearray(b); off = struct.unpack(">I", s[8:12])[0]; s[off + 3] = 0x7   # an undefined token
open(sys.argv[2] + "/badtoken.dtb", "wb").write(s)
t = bytearray(b); t[36:40] = struct.pack(">I", 0x7fffffff)                 # size_dt_struct
open(sys.argv[2] + "/badsize.dtb", "wb").write(t)
# Version 15 (compatible with 1): Debian's libfdt 1.6.1 fdt_check_full() crashes on it.
o = bytearray(b); o[20:28] = struct.pack(">II", 15, 1)
open(sys.argv[2] + "/v15.dtb", "wb").write(o)
EOF
bad badmagic 'badmagic.dtb: corrupt DTB: FDT_ERR_BADMAGIC' -- "$tmp/badmagic.dtb"
bad badtoken 'badtoken.dtb: corrupt DTB' -- "$tmp/badtoken.dtb"
bad badsize 'badsize.dtb:' 'DTB' -- "$tmp/badsize.dtb"
bad version15 'v15.dtb: corrupt DTB: version 15 (compatible with 1); dt2smmu reads 16 and 17' -- "$tmp/v15.dtb"
printf '/dts-v1/;\n/ { oops\n' >"$tmp/syntax.dts"
bad dts-syntax 'syntax.dts: dtc could not compile it' -- "$tmp/syntax.dts"

# ---- bad assignments (against the good SoC fixture) ------------------------------------------
assign_bad() { # name fragment lines...
    local name=$1 frag=$2; shift 2
    printf '%s\n' "$@" >"$tmp/$name.assign"
    bad "assign-$name" "$frag" -- -a "$tmp/$name.assign" soc-multi.dts
}
assign_bad no-node "no-node.assign:1: no node /soc/nothing@0" 'assign a /soc/nothing@0'
assign_bad not-master "not-master.assign:1: /soc/ethernet@e500000: no iommus property" 'assign a /soc/ethernet@e500000'
assign_bad disabled "disabled.assign:2: /soc/usb@e400000 is disabled (status)" '# a comment' 'assign a /soc/usb@e400000'
assign_bad behind-disabled-smmu "/soc/crypto@e300000: iommus: no StreamID on an enabled arm,smmu-v3" 'assign a /soc/crypto@e300000'
assign_bad bridge-by-path "/pcie@40000000 has an iommu-map: name its functions (pci /pcie@40000000 BB:DD.F)" 'assign a /pcie@40000000'
assign_bad ambiguous "ambiguous.assign:1: pci 00:02.0: 2 PCIe host bridges could be meant" 'assign a pci 00:02.0'
assign_bad no-domain "no PCIe host bridge with linux,pci-domain = 7" 'assign a pci 0007:00:02.0'
assign_bad bus-range "pci 0000:80:00.0: bus 0x80 is outside bus-range 0x00..0x7f of /pcie@40000000" 'assign a pci 0000:80:00.0'
assign_bad twice "twice.assign:2: /soc/gpu@e200000: StreamID 0xdead0000 on /soc/iommu@c000000 is already assigned by line 1" \
    'assign a /soc/gpu@e200000' 'assign b /soc/gpu@e200000'
assign_bad shared-sid "pci 0001:01:00.1: StreamID 0x10100 on /soc/iommu@b400000 is already assigned by line 1 (pci 0001:01:00.0)" \
    'assign a pci 0001:01:00.0' 'assign b pci 0001:01:00.1'
assign_bad syntax "syntax.assign:1: expected: assign <component>" 'assign only-a-component'
assign_bad bdf "bdf.assign:1: expected: assign" 'assign a pci 00:20.0'
assign_bad directive "directive.assign:1: unknown directive 'grant'" 'grant a /soc/gpu@e200000'
assign_bad sid-bits-node "sid-bits-node.assign:1: sid-bits: /soc/dma@e000000 is not an arm,smmu-v3 node" 'sid-bits /soc/dma@e000000 16'
assign_bad sid-bits-narrow "/soc/gpu@e200000: iommus: specifier 0: StreamID 0xdead0000 is wider than the 24 SID bits of /soc/iommu@c000000" \
    'sid-bits /soc/iommu@c000000 24'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
