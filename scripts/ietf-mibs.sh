#!/bin/sh
# Unpack the IETF base MIB modules (SNMPv2-SMI/TC/CONF/MIB, IF-MIB, ...) into DIR.
# Debian ships them only in the non-free snmp-mibs-downloader, which needs the
# internet; the npm package net-snmp carries them. The tarball is pinned by
# version and checksum, and DIR is left alone when it already holds that version.
set -eu

dest=${1:?usage: ietf-mibs.sh DIR}
version=3.26.3
sha256=07b1e6760f9bfa7c7ade7c22ee9400a85ce2fdd3f38cc132daaaab806b85b4a1
stamp="$dest/.net-snmp-$version"

if [ -f "$stamp" ] && [ -f "$dest/SNMPv2-SMI.mib" ]; then
    echo "deps: IETF MIB modules present in $dest"
    exit 0
fi
command -v npm >/dev/null 2>&1 || {
    echo "deps: npm is needed to fetch the IETF MIB modules (apt-get install npm)." >&2
    exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "net-snmp@$version" >/dev/null)
tgz="$tmp/net-snmp-$version.tgz"
got=$(sha256sum "$tgz" | cut -d' ' -f1)
if [ "$got" != "$sha256" ]; then
    echo "deps: net-snmp-$version.tgz has checksum $got, expected $sha256." >&2
    exit 1
fi
tar -xzf "$tgz" -C "$tmp" package/lib/mibs
mkdir -p "$dest"
for f in "$tmp"/package/lib/mibs/*.mib; do
    cp "$f" "$dest/"
done
touch "$stamp"
echo "deps: IETF MIB modules unpacked into $dest"
