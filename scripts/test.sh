#!/bin/sh
# README command 2: install what is missing, build, and run the whole test suite:
#   make check in build/ (-Wall -Wextra -Werror), the same tests again in build-asan/
#   (AddressSanitizer + UndefinedBehaviorSanitizer), make distcheck, and make syntax-check.
# Ends with one line "N passed, N failed" (a skipped test counts as failed) and exits non-zero
# if anything failed. A second run reuses what is installed and built.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
jobs=${VS_JOBS:-$(nproc 2>/dev/null || echo 2)}
results="$top/build/.vs-step-results"

# step NAME CMD...: run a step that counts as one test in the summary.
step() {
    name=$1
    shift
    echo "=== $name"
    if "$@"; then r=PASS; else r=FAIL; echo "=== $name: FAILED"; fi
    echo "$r $name" >>"$results"
    [ $r = PASS ]
}

# check DIR: make check in DIR; its tests are counted from their .trs files, and a failure
# that left no failing test result (a test program that did not build) counts as one more.
check() {
    echo "=== make check in $1"
    make -C "$1" -j"$jobs" check || echo "CHECKFAIL $1" >>"$results"
}

"$top/scripts/deps.sh" test || {
    echo "0 passed, 1 failed"
    exit 1
}
mkdir -p "$top/build"
: >"$results"
if step build "$top/scripts/build.sh" build --enable-werror; then
    check build
fi
if step build-asan "$top/scripts/build.sh" build-asan --enable-werror --enable-sanitizers; then
    check build-asan
fi
step "make distcheck" make -C build -j"$jobs" distcheck
step "make syntax-check" make -C build syntax-check

exec "$top/scripts/test-summary.sh" "$results" build build-asan
