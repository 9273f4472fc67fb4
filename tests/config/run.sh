#!/usr/bin/env bash
# gen_smmu_config.py: good configurations compile, bad ones fail naming the entry.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
gen=$here/tools/gen_smmu_config.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { # name config
    printf '%s\n' "$2" >"$tmp/$1.conf"
    if python3 "$gen" "$tmp/$1.conf" "$tmp/$1.h" 2>"$tmp/$1.err"; then pass=$((pass + 1))
    else echo "FAIL $1: rejected: $(cat "$tmp/$1.err")"; fail=$((fail + 1)); fi
}
bad() { # name config expected-message-fragment
    printf '%s\n' "$2" >"$tmp/$1.conf"
    if python3 "$gen" "$tmp/$1.conf" "$tmp/$1.h" 2>"$tmp/$1.err"; then
        echo "FAIL $1: accepted"; fail=$((fail + 1))
    elif grep -qF -- "$3" "$tmp/$1.err"; then pass=$((pass + 1))
    else echo "FAIL $1: message '$(cat "$tmp/$1.err")' lacks '$3'"; fail=$((fail + 1)); fi
}

ok demo "$(cat "$here/config/smmu.conf")"
grep -q '{ .smmu_id = 0, .sid = 0x18 }' "$tmp/demo.h" && pass=$((pass + 1)) || { echo "FAIL demo: table content"; fail=$((fail + 1)); }
ok wide32 'smmus = [{"smmu_id": 3, "sid_bits": 32}]
smmu_sids = [{"smmu_id": 3, "sid": 4294967295}]'
ok empty 'smmus = [{"smmu_id": 0, "sid_bits": 8}]
smmu_sids = []'
bad unknown 'smmus = [{"smmu_id": 0, "sid_bits": 16}]
smmu_sids = [{"smmu_id": 0, "sid": 1}, {"smmu_id": 2, "sid": 1}]' 'smmu_sids[1] {"smmu_id":2, "sid":1}: unknown smmu_id 2'
bad wide 'smmus = [{"smmu_id": 0, "sid_bits": 16}]
smmu_sids = [{"smmu_id": 0, "sid": 65536}]' 'smmu_sids[0] {"smmu_id":0, "sid":65536}: sid 65536 does not fit the 16 SID bits'
bad dup 'smmus = [{"smmu_id": 0, "sid_bits": 16}]
smmu_sids = [{"smmu_id": 0, "sid": 16}, {"smmu_id": 0, "sid": 24}, {"smmu_id": 0, "sid": 16}]' 'smmu_sids[2] {"smmu_id":0, "sid":16}: duplicate of smmu_sids[0]'
bad negative 'smmus = [{"smmu_id": 0, "sid_bits": 16}]
smmu_sids = [{"smmu_id": 0, "sid": -1}]' 'smmu_sids[0]'
bad extra 'smmus = [{"smmu_id": 0, "sid_bits": 16}]
smmu_sids = [{"smmu_id": 0, "sid": 1, "cb": 2}]' 'needs exactly smmu_id and sid'
bad devid 'smmus = [{"smmu_id": 16, "sid_bits": 16}]
smmu_sids = []' 'smmu_id must be 0..15'
bad syntax 'smmus = [{"smmu_id": 0, "sid_bits": 16}]
smmu_sids = [{"smmu_id": 0 "sid": 1}]' 'smmu_sids: not a valid list'
bad missing 'smmus = [{"smmu_id": 0, "sid_bits": 16}]' "missing 'smmu_sids"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
