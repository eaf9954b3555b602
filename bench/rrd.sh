#!/bin/bash
# bench/rrd.sh [FILES [UPDATES [ROUNDS]]]: RRD update throughput of the manager's writer
# (manager/mgr_rrd*.c) through a private rrdcached with our BATCH client, of the same writer
# updating the files directly (rrd_update_r), and of librrd's rrdc_update (one round trip per
# update: the baseline), FILES VM files (10 data sources) x UPDATES updates each, ROUNDS rounds
# with the ways interleaved (defaults: 1000 100 3). Prints every round, the median and best
# rates, their ratios, the CPU time rrdcached used, and the exact command; never passes or
# fails on figures. "Accepted" means: rrdcached answered the BATCH (or the rrdc_update call);
# directly, the update is in the file.
#
# Environment: top_srcdir, top_builddir (default $top_srcdir/build), VS_KEEP_TEST_DIR. Needs
# the tree built (make builds bench/rrd-updates) and rrdcached installed.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
export top_srcdir top_builddir
. "$top_srcdir/tests/lib/vs-test.sh"

FILES=${1:-1000}
UPDATES=${2:-100}
ROUNDS=${3:-3}
BIN=$top_builddir/bench/rrd-updates

# Print the CPU seconds (user + system) process $1 has used.
cpu_seconds() {
    local stat
    read -r stat <"/proc/$1/stat"
    echo "${stat##*) }" | awk -v tck="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13) / tck }'
}

vs_test_init
[ -x "$BIN" ] || vs_fail "$BIN is not built (run make in $top_builddir)"
vs_require_cmd rrdcached rrdcached
vs_rrdcached_start
echo "machine: $(nproc) CPUs, $(uname -sr), $(rrdcached -h 2>&1 | head -n 1)"
echo "rrdcached: $(tr '\0' ' ' <"/proc/$VS_RRDCACHED_PID/cmdline")"
cmd=("$BIN" -c "$VS_RRDCACHED_ADDR" -d "$VS_RRDCACHED_DATA_DIR" -f "$FILES" -m "$UPDATES"
    -R "$ROUNDS")
echo "command: ${cmd[*]}"
before=$(cpu_seconds "$VS_RRDCACHED_PID")
rc=0
"${cmd[@]}" || rc=$?
after=$(cpu_seconds "$VS_RRDCACHED_PID")
echo "rrdcached CPU: $before s before, $after s after (creation, every way through it)"
[ "$rc" -eq 0 ] || vs_fail "rrd-updates exited with status $rc"
