#!/usr/bin/env bash
# Installs everything the build, the tests and the QEMU demo need on Debian bookworm.
# Idempotent: returns at once when every tool is already present.
# QEMU >= 9.2 (SMMUv3 stage 2 and nesting) comes from bookworm-backports; the archive
# address is taken from the machine's own apt sources, in either format (one-line
# sources.list entries or deb822 .sources files). No host name is written here.
#   --print-archive   print the Debian archive address found, and exit (for tests)
# APT_ETC (default /etc/apt) points the source detection elsewhere (for tests).
set -euo pipefail

apt_etc=${APT_ETC:-/etc/apt}
need_pkgs=(cmake ninja-build gcc g++ make gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
           device-tree-compiler libfdt-dev libcmocka-dev valgrind clang python3 git)
min_qemu_major=9
min_qemu_minor=2

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

qemu_ok() {
    command -v qemu-system-aarch64 >/dev/null 2>&1 || return 1
    local v
    v=$(qemu-system-aarch64 --version | sed -n 's/.*version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
    set -- $v
    [ "${1:-0}" -gt "$min_qemu_major" ] ||
        { [ "${1:-0}" -eq "$min_qemu_major" ] && [ "${2:-0}" -ge "$min_qemu_minor" ]; }
}

# The URI of the configured Debian archive that serves the "bookworm" suite itself.
find_debian_uri() {
    local f uri
    for f in "$apt_etc/sources.list" "$apt_etc"/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        uri=$(awk '$1 == "deb" {
                     n = 0; for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) w[++n] = $i
                     if (n >= 2 && w[2] == "bookworm") { print w[1]; exit } }' "$f")
        [ -n "$uri" ] && { echo "$uri"; return 0; }
    done
    for f in "$apt_etc"/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
                   { types = ""; uris = ""; suites = ""
                     for (i = 1; i <= NF; i++) {
                         if ($i ~ /^Types:/)  types  = $i
                         if ($i ~ /^URIs:/)   uris   = $i
                         if ($i ~ /^Suites:/) suites = $i
                     }
                     if (types ~ /(^|[ \t])deb([ \t]|$)/ && suites ~ /[ \t]bookworm([ \t]|$)/) {
                         sub(/^URIs:[ \t]*/, "", uris); split(uris, u, /[ \t]+/); print u[1]; exit
                     } }' "$f")
        [ -n "$uri" ] && { echo "$uri"; return 0; }
    done
    return 1
}

backports_configured() {
    grep -rqsE '(^deb .* bookworm-backports|^Suites:.*bookworm-backports)' \
        "$apt_etc/sources.list" "$apt_etc/sources.list.d/" 2>/dev/null
}

if [ "${1:-}" = "--print-archive" ]; then
    find_debian_uri
    exit $?
fi

missing=()
for p in "${need_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && qemu_ok; then
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if ! qemu_ok && ! backports_configured; then
    uri=$(find_debian_uri) || { echo "install-deps: no Debian bookworm archive in the apt sources" >&2; exit 1; }
    echo "install-deps: adding bookworm-backports from $uri"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" |
        as_root tee "$apt_etc/sources.list.d/smmu-backports.sources" >/dev/null
fi

as_root apt-get update -q
[ ${#missing[@]} -eq 0 ] || as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
if ! qemu_ok; then
    as_root apt-get install -y -q --no-install-recommends -t bookworm-backports qemu-system-arm
fi
qemu_ok || { echo "install-deps: QEMU >= $min_qemu_major.$min_qemu_minor not available" >&2; exit 1; }
