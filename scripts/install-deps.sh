#!/usr/bin/env bash
# Installs everything the build, the tests and the QEMU demo need on Debian bookworm.
# Idempotent: returns quickly when every tool is already present.
# QEMU >= 9.2 (SMMUv3 stage 2 / nested) comes from bookworm-backports; the archive address
# is taken from the machine's own apt sources (sources.list lines or deb822 .sources).
set -euo pipefail

need_pkgs=(cmake ninja-build gcc g++ make gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
           device-tree-compiler libfdt-dev libcmocka-dev valgrind clang python3 git)
min_qemu_major=9
min_qemu_minor=2

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${need_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

qemu_ok() {
    command -v qemu-system-aarch64 >/dev/null 2>&1 || return 1
    local v; v=$(qemu-system-aarch64 --version | sed -n 's/.*version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
    set -- $v
    [ "${1:-0}" -gt "$min_qemu_major" ] || { [ "${1:-0}" -eq "$min_qemu_major" ] && [ "${2:-0}" -ge "$min_qemu_minor" ]; }
}

if [ ${#missing[@]} -eq 0 ] && qemu_ok; then
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive

# Find the Debian archive URI already configured (the one that serves "bookworm").
find_debian_uri() {
    local f uri
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        uri=$(awk '$1=="deb" && $0 ~ / bookworm( |$)/ { for (i=2;i<=NF;i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; exit } }' "$f")
        [ -n "$uri" ] && { echo "$uri"; return; }
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        uri=$(awk 'BEGIN{RS=""} /Suites:[^\n]*bookworm([ \n]|$)/ && !/bookworm-security/ {
                 if (match($0, /URIs:[ \t]*[^ \t\n]+/)) { s=substr($0,RSTART,RLENGTH); sub(/URIs:[ \t]*/,"",s); print s; exit } }' "$f")
        [ -n "$uri" ] && { echo "$uri"; return; }
    done
}

backports_configured() {
    grep -rqsE '(^deb .* bookworm-backports|^Suites:.*bookworm-backports)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}

if ! qemu_ok && ! backports_configured; then
    uri=$(find_debian_uri)
    [ -n "$uri" ] || { echo "install-deps: no Debian bookworm archive found in apt sources" >&2; exit 1; }
    echo "install-deps: adding bookworm-backports from $uri"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" |
        as_root tee /etc/apt/sources.list.d/smmu-backports.sources >/dev/null
fi

as_root apt-get update -q
[ ${#missing[@]} -eq 0 ] || as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
if ! qemu_ok; then
    as_root apt-get install -y -q --no-install-recommends -t bookworm-backports qemu-system-arm
fi
qemu_ok || { echo "install-deps: QEMU >= $min_qemu_major.$min_qemu_minor not available" >&2; exit 1; }
