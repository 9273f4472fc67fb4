#!/usr/bin/env bash
# The archive detection of scripts/install-deps.sh on fixture apt configurations in both
# formats: it must find the address that serves "bookworm" itself, never the security
# archive or a third-party repository.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
script=$here/scripts/install-deps.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

check() { # name expected-uri (empty: must fail)
    local got rc
    got=$(APT_ETC="$tmp/$1" bash "$script" --print-archive 2>/dev/null); rc=$?
    if [ -z "$2" ]; then
        if [ $rc -ne 0 ] && [ -z "$got" ]; then pass=$((pass + 1)); else echo "FAIL $1: expected none, got '$got'"; fail=$((fail + 1)); fi
    elif [ "$got" = "$2" ]; then pass=$((pass + 1)); else echo "FAIL $1: expected '$2', got '$got'"; fail=$((fail + 1)); fi
}

mk() { mkdir -p "$tmp/$1/sources.list.d"; }

mk oneline
cat >"$tmp/oneline/sources.list" <<'X'
# comment
deb http://security.example/debian-security bookworm-security main
deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://mirror.example/debian bookworm main contrib
deb http://mirror.example/debian bookworm-updates main
X
check oneline http://mirror.example/debian

mk deb822
cat >"$tmp/deb822/sources.list.d/debian.sources" <<'X'
Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main

Types: deb deb-src
URIs: https://mirror2.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
X
cat >"$tmp/deb822/sources.list.d/thirdparty.sources" <<'X'
Types: deb
URIs: https://vendor.example/apt
Suites: nodistro
Components: main
X
check deb822 https://mirror2.example/debian

mk listd
echo "deb http://mirror3.example/debian bookworm main" >"$tmp/listd/sources.list.d/debian.list"
check listd http://mirror3.example/debian

mk none
echo "deb http://security.example/debian-security bookworm-security main" >"$tmp/none/sources.list"
check none ""

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
