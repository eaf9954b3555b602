#!/bin/bash
# README command 1: install what is missing, build, and run the demo (scripts/demo-run.sh) on
# loopback. A second run reuses what is installed and built.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

"$top/scripts/deps.sh" demo
mkdir -p "$top/build"
if ! "$top/scripts/build.sh" build --enable-werror >"$top/build/.vs-demo-build.log" 2>&1; then
    tail -n 30 "$top/build/.vs-demo-build.log"
    echo "demo: the build failed; the whole log is in build/.vs-demo-build.log" >&2
    exit 1
fi
exec "$top/scripts/demo-run.sh" "$top/build"
