#!/bin/sh
# Configure (once) and build virtsight in DIR with the given configure options.
#   scripts/build.sh DIR [CONFIGURE-OPTION...]
# Runs autogen.sh if configure is missing; reconfigures only when DIR has no Makefile or was
# configured with other options; make does the rest incrementally.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift
jobs=${VS_JOBS:-$(nproc 2>/dev/null || echo 2)}

[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh)
mkdir -p "$top/$dir"
cd "$top/$dir"
want="$*"
have=$(cat .vs-configure-options 2>/dev/null || echo "(none)")
if [ ! -f Makefile ] || [ "$want" != "$have" ]; then
    "$top/configure" "$@"
    echo "$want" >.vs-configure-options
fi
make -j"$jobs"
