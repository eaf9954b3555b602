#!/bin/sh
# Default snmptrapd trap handler for virtsight tests: spools the trap that
# snmptrapd writes on stdin (host line, transport line, then one "OID VALUE"
# line per varbind) to SPOOL_DIR/NNNN.trap, numbered in arrival order.
# The file appears complete (hard link of a finished temporary file).
# Usage: trap_spool.sh SPOOL_DIR
set -eu

dir=$1
mkdir -p "$dir"
tmp=$(mktemp "$dir/.incoming.XXXXXX")
cat >"$tmp"
n=1
while ! ln "$tmp" "$dir/$(printf '%04d' "$n").trap" 2>/dev/null; do
    n=$((n + 1))
done
rm -f "$tmp"
