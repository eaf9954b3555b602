#!/bin/sh
# Install what virtsight needs on Debian 12, skipping what is already there.
#   scripts/deps.sh build   compilers, autotools and the -dev libraries
#   scripts/deps.sh demo    build + what the README demo runs (snmpd, snmp, libvirt)
#   scripts/deps.sh test    demo + every daemon and tool the test suite starts
# Every mode also unpacks the IETF base MIB modules (SNMPv2-SMI, ...), which
# Debian does not ship, into .deps/ietf-mibs from the npm package net-snmp.
set -eu

mode=${1:-test}
top=$(cd "$(dirname "$0")/.." && pwd)

build_pkgs="build-essential pkg-config autoconf automake libtool libsnmp-dev libvirt-dev
 librrd-dev libesmtp-dev libcurl4-openssl-dev libssl-dev libxml2-dev libjson-c-dev check
 ca-certificates"
demo_pkgs="snmpd snmp libvirt-clients python3"
test_pkgs="snmptrapd rrdtool rrdcached smitools libvirt-daemon python3-aiosmtpd
 snmpsim python3-pysnmp4 monitoring-plugins-standard valgrind fonts-dejavu-core
 clang-format clang libclang-rt-14-dev"

case $mode in
    build) pkgs=$build_pkgs ;;
    demo) pkgs="$build_pkgs $demo_pkgs" ;;
    test) pkgs="$build_pkgs $demo_pkgs $test_pkgs" ;;
    *) echo "usage: $0 build|demo|test" >&2; exit 2 ;;
esac

missing=
for p in $pkgs; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case $st in
        *" installed") ;;
        *) missing="$missing $p" ;;
    esac
done

# npm fetches the IETF MIB modules; a Node.js installed outside apt also counts.
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "deps: missing Debian packages:$missing" >&2
        echo "deps: run this script as root (it uses apt-get) or install them." >&2
        exit 1
    fi
    echo "deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing
else
    echo "deps: all Debian packages present"
fi

"$top/scripts/ietf-mibs.sh" "$top/.deps/ietf-mibs"
