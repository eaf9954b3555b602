#!/bin/bash
# bench/subagent.sh [N...]: virtsight-subagent against a trivial AgentX subagent of the same
# table shape (bench/floor-subagent.c, "the floor"), both under one private snmpd master, for
# N VMs (default: 1000 10000). Prints figures and the exact command behind each; never pass or
# fail. Ratios are against the floor measured in the same run, interleaved.
#
# For each N: a private snmpd (AgentX master), a private libvirtd serving a gen_node.py node of
# N VMs (test+unix:///PATH.xml?socket=..., so libvirt's node lives in libvirtd, not in the
# subagent), virtsight-subagent on that URI with refreshInterval 5, and the floor with N rows.
# Measured BENCH_COL_RUNS (default 9) and BENCH_TABLE_RUNS (default 3) times, ours and floor back
# to back, their order alternating, each pair started just after a new snapshot was posted (a
# column pair that a refresh overlapped is measured again); median and minimum reported (the
# machine is shared: the minimum is the least disturbed run):
#   - single-column walk of vsVmName (snmpbulkwalk -Cr50): wall time, values/s;
#   - whole table as NMSs read it (snmptable -Cr 10: every column in each GETBULK; the floor
#     through bench/FLOOR-MIB.txt, which gives flVmTable vsVmTable's syntax, so that the
#     client does the same work);
#   - CPU used meanwhile by the master and by the subagent serving (from /proc/PID/stat);
#   - VmRSS/VmHWM of both subagents after the walks and after the GET probe;
#   - bench/get-probe.c (C, Net-SNMP's synchronous API): one-varbind GETs of vsVmName.1.1 and
#     flVmName.1.1, interleaved, for BENCH_PROBE_SECONDS (default 25), split into during a
#     refresh and between refreshes. A refresh is a stretch in which the sampler thread uses
#     CPU (its /proc/PID/task/TID/schedstat); it ends when vsHvSampleTime changes, which also
#     gives the refresh (sample) duration.
#
# Environment: top_srcdir, top_builddir (default $top_srcdir/build), VS_MIBDIRS, BENCH_COL_RUNS,
# BENCH_TABLE_RUNS, BENCH_PROBE_SECONDS, BENCH_INTERVAL (refreshInterval, default 5; 600 or
# more: no refresh after the first, no alignment: a pure A/B of the serving paths),
# VS_SUBAGENT_BIN (the binary under test; copied first, as the tree is rebuilt by others),
# VS_KEEP_TEST_DIR (keep the working directory with every output file). Needs the tree built
# (make builds the floor and the probe). Sourced (by bench/subagent-profile.sh), it only
# defines functions.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
VS_MIBDIRS=${VS_MIBDIRS:-$top_srcdir/mib:$top_srcdir/.deps/ietf-mibs:/usr/share/snmp/mibs}
export top_srcdir top_builddir VS_MIBDIRS
export VS_START_TIMEOUT=${VS_START_TIMEOUT:-120}
. "$top_srcdir/tests/lib/vs-test.sh"

COL_RUNS=${BENCH_COL_RUNS:-9}
TABLE_RUNS=${BENCH_TABLE_RUNS:-3}
PROBE_SECONDS=${BENCH_PROBE_SECONDS:-25}
INTERVAL=${BENCH_INTERVAL:-5}
BENCH_DIR=$top_srcdir/bench
# Both snmptable runs load their MIB from the same path (FLOOR-MIB imports VIRTSIGHT-MIB's TCs).
BENCH_MIBDIRS=$BENCH_DIR:$VS_MIBDIRS
OURS_ENTRY=$VS_VS_OBJECTS.2.1.1          # vsVmEntry
FLOOR_ENTRY=.1.3.6.1.4.1.8072.9999.9999.8479.1.1.1.2.1.1
SAMPLE_TIME=$VS_VS_OBJECTS.1.1.1.23.1    # vsHvSampleTime.1
CLK_TCK=$(getconf CLK_TCK)

# Create the working directory (the test library's, removed at exit unless VS_KEEP_TEST_DIR).
bench_init() {
    vs_test_init
    vs_require_cmd pkg-config pkg-config
    vs_require_cmd snmptable snmp
    W=$VS_TEST_DIR/bench
    mkdir -p "$W"
}

# ---------------------------------------------------------------- helpers

# Print a line of the report.
say() {
    printf '%s\n' "$*"
}

# Print a command as it can be pasted into a shell.
cmd_text() {
    local out='' a
    for a in "$@"; do out+=" $(printf '%q' "$a")"; done
    printf '%s' "${out# }"
}

# CPU time (user + system, all threads) of PID in clock ticks.
cpu_ticks() {
    local s
    read -r s <"/proc/$1/stat"
    s=${s##*) }
    # shellcheck disable=SC2086
    set -- $s
    echo $((${12} + ${13}))
}

# Milliseconds between two tick counts.
ticks_ms() {
    echo $((($2 - $1) * 1000 / CLK_TCK))
}

# "VmRSS VmHWM RssAnon RssFile" of PID in KiB.
mem_kib() {
    awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } /^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
        END { print r, h, a, f }' "/proc/$1/status"
}

# Median of the numbers given.
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else printf "%.10g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Floating-point arithmetic: calc EXPR.
calc() {
    awk "BEGIN { printf \"%.${2:-3}f\", ($1) }"
}

# CPU time of the sampler thread in ms (0 before it is known).
sampler_ms() {
    local ns=0
    [ -z "${SAMPLER_TID:-}" ] || read -r ns _ <"/proc/$VS_SUBAGENT_PID/task/$SAMPLER_TID/schedstat"
    echo $((ns / 1000000))
}

# Wait until vsHvSampleTime.1 changes (a new snapshot was posted).
wait_new_snapshot() {
    local v0 v deadline=$((EPOCHSECONDS + INTERVAL + 300))
    v0=$(vs_vs_get 1.1.1.23.1 2>/dev/null || echo none)
    while :; do
        v=$(vs_vs_get 1.1.1.23.1 2>/dev/null || echo none)
        [ "$v" = "$v0" ] || break
        [ "$EPOCHSECONDS" -lt "$deadline" ] ||
            vs_fail "no new snapshot within $((INTERVAL + 300)) s"
        sleep 0.02
    done
}

# ---------------------------------------------------------------- build

# The floor and the probe, built with the tree (bench/local.mk); copied into the working
# directory like the subagent, since others may rebuild the tree meanwhile.
build_tools() {
    local b=${top_builddir:?}/bench
    [ -x "$b/floor-subagent" ] && [ -x "$b/get-probe" ] \
        || vs_fail "$b/floor-subagent and $b/get-probe are not built: run make first"
    FLOOR_BIN=$W/floor-subagent
    PROBE_BIN=$W/get-probe
    cp "$b/floor-subagent" "$FLOOR_BIN"
    cp "$b/get-probe" "$PROBE_BIN"
    say "tools: $b/floor-subagent and $b/get-probe, built by make (bench/local.mk)"
}

# ---------------------------------------------------------------- set-up per N

# Status 0 when vsHvVmCount.1 is N.
vm_count_is() {
    [ "$(vs_vs_get 1.1.1.19.1 2>/dev/null)" = "$1" ]
}

# Status 0 when the floor serves its last row N.
floor_answers() {
    [ "$(vs_snmpget "$FLOOR_ENTRY.2.1.$1" 2>/dev/null)" = "\"vm-$(printf %05d "$1")\"" ]
}

# Copy the subagent under test into the working directory: the tree is rebuilt by others.
subagent_snapshot() {
    local bin=${VS_SUBAGENT_BIN:-$top_builddir/subagent/virtsight-subagent}
    [ -x "$bin" ] || vs_fail "$bin has not been built"
    cp -p "$bin" "$W/virtsight-subagent"
    say "subagent under test: $bin ($(date -r "$bin" '+built %F %T'), sha256" \
        "$(sha256sum "$bin" | cut -c1-16)), copied to $W/virtsight-subagent"
    export VS_SUBAGENT_BIN=$W/virtsight-subagent
}

# Start the master, libvirtd with an N-VM node, our subagent and the floor.
setup() {
    local n=$1 node uri t0
    vs_snmpd_start
    vs_libvirtd_start
    node=$VS_LIBVIRTD_DIR/node-$n.xml
    "$VS_PYTHON" "$top_srcdir/tests/lib/gen_node.py" "$n" >"$node"
    chmod 0644 "$node"
    uri="test+unix://$node?socket=$VS_LIBVIRTD_SOCKET"
    rm -rf "$VS_TEST_DIR/subagent"
    t0=$EPOCHREALTIME
    vs_subagent_start --hv node "$uri" --conf-line "refreshInterval $INTERVAL"
    vs_subagent_wait_connected 1
    vs_wait_until "$VS_START_TIMEOUT" vm_count_is "$n" ||
        vs_fail "vsHvVmCount.1 is not $n: $(vs_vs_get 1.1.1.19.1 2>&1)"
    say "set-up: snmpd pid $VS_SNMPD_PID on $VS_SNMPD_ADDR, libvirtd pid $VS_LIBVIRTD_PID"
    say "set-up: hypervisor URI $uri"
    say "set-up: virtsight-subagent pid $VS_SUBAGENT_PID, first snapshot of $n VMs after" \
        "$(calc "$EPOCHREALTIME - $t0" 1) s"
    vs_daemon_start floor "$W/floor-$n.log" "$FLOOR_BIN" -x "$VS_SNMPD_AGENTX_SOCKET" -n "$n"
    FLOOR_PID=$VS_DAEMON_PID
    vs_wait_until "$VS_START_TIMEOUT" floor_answers "$n" ||
        vs_fail "the floor does not answer: $(cat "$W/floor-$n.log")"
    say "set-up: floor pid $FLOOR_PID:" \
        "$(cmd_text "$FLOOR_BIN" -x "$VS_SNMPD_AGENTX_SOCKET" -n "$n")"
    SAMPLER_TID=$(sampler_tid "$(thread_ticks "$VS_SUBAGENT_PID")")
    say "set-up: ours' threads (tid:name:CPU ticks): $(thread_ticks "$VS_SUBAGENT_PID");" \
        "SNMP thread $VS_SUBAGENT_PID, sampler $SAMPLER_TID; load average $(cut -d' ' -f1-3 \
        /proc/loadavg)"
}

teardown() {
    vs_daemon_stop floor
    vs_subagent_stop
    vs_libvirtd_stop
    vs_snmpd_stop
}

# ---------------------------------------------------------------- walks

# Count the values an output holds: walk (lines under the column) or table (non-"?" cells).
count_values() {
    case $1 in
        col) grep -c "^$2\\." "$3" || true ;;
        table) awk -F '|' '{ for (i = 2; i <= NF; i++) if ($i != "?") n++ } END { print n + 0 }' \
                   "$3" ;;
    esac
}

# Run one measurement: KIND (col|table) SIDE (ours|floor) N RUN. Appends "wall values" to
# R_<kind>_<side> and prints a line.
measure() {
    local kind=$1 side=$2 n=$3 run=$4 pid other prefix out=$W/$1-$2-$3-$4.out
    local cmd m0 s0 o0 st0 m1 s1 o1 st1 t0 t1 wall values rc=0 sa0 sa1
    if [ "$side" = ours ]; then
        pid=$VS_SUBAGENT_PID other=$FLOOR_PID prefix=$OURS_ENTRY.2
    else
        pid=$FLOOR_PID other=$VS_SUBAGENT_PID prefix=$FLOOR_ENTRY.2
    fi
    if [ "$kind" = col ]; then
        cmd=(snmpbulkwalk -v2c -c public -m '' -On -Cr50 "$VS_SNMPD_ADDR" "$prefix")
    elif [ "$side" = ours ]; then
        cmd=(snmptable -v2c -c public -m VIRTSIGHT-MIB -Cr 10 -Ci -CH -Cf '|' "$VS_SNMPD_ADDR"
            VIRTSIGHT-MIB::vsVmTable)
    else
        cmd=(snmptable -v2c -c public -m FLOOR-MIB -Cr 10 -Ci -CH -Cf '|' "$VS_SNMPD_ADDR"
            FLOOR-MIB::flVmTable)
    fi
    m0=$(cpu_ticks "$VS_SNMPD_PID") s0=$(cpu_ticks "$pid") o0=$(cpu_ticks "$other")
    st0=$(cpu_ticks "$pid/task/$pid") sa0=$(sampler_ms)
    t0=$EPOCHREALTIME
    MIBDIRS=$BENCH_MIBDIRS /usr/bin/time -f '%U %S' -o "$out.time" "${cmd[@]}" >"$out" \
        2>"$out.err" || rc=$?
    t1=$EPOCHREALTIME
    m1=$(cpu_ticks "$VS_SNMPD_PID") s1=$(cpu_ticks "$pid") o1=$(cpu_ticks "$other")
    st1=$(cpu_ticks "$pid/task/$pid") sa1=$(sampler_ms)
    if [ "$rc" -ne 0 ] || [ -s "$out.err" ]; then
        vs_fail "$(cmd_text "${cmd[@]}") failed ($rc): $(head -c 500 "$out.err")"
    fi
    wall=$(calc "$t1 - $t0" 4)
    values=$(count_values "$kind" "$prefix" "$out")
    eval "R_${kind}_${side}+=(\"$wall $values\")"
    say "  run $run $kind $side: wall $wall s, $values values, $(calc "$values / $wall" 0)" \
        "values/s; CPU ms: master $(ticks_ms "$m0" "$m1"), this subagent $(ticks_ms "$s0" "$s1")" \
        "(its SNMP thread $(ticks_ms "$st0" "$st1"))," \
        "other subagent $(ticks_ms "$o0" "$o1"), client $(awk '{ printf "%d", ($1 + $2) * 1000 }' \
        "$out.time"); ours' sampler thread meanwhile: $((sa1 - sa0)) ms (0: no refresh)"
    say "    \$ MIBDIRS=$BENCH_MIBDIRS $(cmd_text "${cmd[@]}")"
}

# Of R_<kind>_<side>: median and minimum wall time, median values, values/s at the median:
# sets MED_WALL MIN_WALL MED_VALUES MED_RATE.
summarize() {
    local -n arr=R_$1_$2
    local walls=() vals=() e
    for e in "${arr[@]}"; do
        walls+=("${e% *}")
        vals+=("${e#* }")
    done
    MED_WALL=$(median "${walls[@]}")
    MIN_WALL=$(printf '%s\n' "${walls[@]}" | sort -g | head -n1)
    MED_VALUES=$(median "${vals[@]}")
    MED_RATE=$(calc "$MED_VALUES / $MED_WALL" 0)
}

# KIND RUNS N: RUNS pairs, each just after a new snapshot, the order alternating. A column
# pair during which ours' sampler ran is measured again (up to 5 times): a column walk is short
# enough to fit between two refreshes, a whole table is not.
walk_pairs() {
    local kind=$1 runs=$2 n=$3 run try sa0 first second
    # shellcheck disable=SC2034 # namerefs to the result arrays, trimmed with unset
    local -n res_o=R_${kind}_ours res_f=R_${kind}_floor
    for ((run = 1; run <= runs; run++)); do
        first=ours second=floor
        ((run % 2)) || first=floor second=ours
        for ((try = 1; try <= 5; try++)); do
            # With BENCH_INTERVAL of 10 minutes or more, no refresh comes during the run.
            [ "$INTERVAL" -ge 600 ] || wait_new_snapshot
            sa0=$(sampler_ms)
            measure "$kind" "$first" "$n" "$run"
            measure "$kind" "$second" "$n" "$run"
            if [ "$kind" != col ] || [ "$try" -eq 5 ] || [ "$(sampler_ms)" = "$sa0" ]; then
                break
            fi
            say "  (run $run discarded: a refresh ran meanwhile; measuring it again)"
            unset 'res_o[-1]' 'res_f[-1]'
        done
    done
}

walks() {
    local n=$1
    # shellcheck disable=SC2034 # read through a nameref in summarize
    R_col_ours=() R_col_floor=() R_table_ours=() R_table_floor=()
    walk_pairs col "$COL_RUNS" "$n"
    walk_pairs table "$TABLE_RUNS" "$n"
}

# Print the comparison of KIND (col|table) under TITLE; sets RATIO_MED RATIO_MIN and
# O_MED O_MIN O_RATE F_MED F_MIN F_RATE O_VALUES.
compare() {
    summarize "$1" ours
    O_MED=$MED_WALL O_MIN=$MIN_WALL O_RATE=$MED_RATE O_VALUES=$MED_VALUES
    summarize "$1" floor
    F_MED=$MED_WALL F_MIN=$MIN_WALL F_RATE=$MED_RATE
    RATIO_MED=$(calc "$O_MED / $F_MED" 2)
    RATIO_MIN=$(calc "$O_MIN / $F_MIN" 2)
    say "  $2: median ours $O_MED s ($O_VALUES values, $O_RATE/s), floor $F_MED s" \
        "($MED_VALUES values, $F_RATE/s): ours/floor ${RATIO_MED}x; fastest run ours $O_MIN s," \
        "floor $F_MIN s: ${RATIO_MIN}x (target <= 1.2x)"
}

# ---------------------------------------------------------------- memory, probe

mem_report() {
    local when=$1 o f s
    read -r -a o <<<"$(mem_kib "$VS_SUBAGENT_PID")"
    read -r -a f <<<"$(mem_kib "$FLOOR_PID")"
    read -r -a s <<<"$(mem_kib "$VS_SNMPD_PID")"
    say "  memory $when (KiB, from /proc/PID/status): ours VmRSS ${o[0]} VmHWM ${o[1]}" \
        "(RssAnon ${o[2]}, RssFile ${o[3]}); floor VmRSS ${f[0]} VmHWM ${f[1]} (RssAnon ${f[2]}," \
        "RssFile ${f[3]}); snmpd VmRSS ${s[0]}"
    MEM_OURS_RSS=${o[0]} MEM_OURS_HWM=${o[1]} MEM_FLOOR_RSS=${f[0]}
}

# CPU ticks of every thread of PID: "TID:COMM:TICKS" words.
thread_ticks() {
    local t s
    for t in /proc/"$1"/task/*; do
        read -r s <"$t/stat" || continue
        local comm=${s#*(}
        comm=${comm%%)*}
        s=${s##*) }
        # shellcheck disable=SC2086
        set -- $s
        printf '%s:%s:%s ' "${t##*/}" "${comm// /_}" $((${12} + ${13}))
    done
}

# The sampler thread among "TID:COMM:TICKS" words: the busiest thread but the main one (the
# other is libvirt's event loop, which does part of the RPC I/O).
sampler_tid() {
    # shellcheck disable=SC2086 # one word per thread
    printf '%s\n' $1 | awk -F: -v main="$VS_SUBAGENT_PID" '$1 != main && $3 >= max {
        max = $3; tid = $1 } END { print tid }'
}

probe() {
    local n=$1 cmd before after w tid c0 l0 s0 f0 l1 s1 f1 sampler
    local out=$W/probe-$n.out
    before=$(thread_ticks "$VS_SUBAGENT_PID")
    sampler=$SAMPLER_TID
    cmd=("$PROBE_BIN" -p 2000 -g 0.3 "$VS_SNMPD_ADDR" public "$PROBE_SECONDS"
        "/proc/$VS_SUBAGENT_PID/task/$sampler/schedstat" "$SAMPLE_TIME" "$OURS_ENTRY.2.1.1"
        "$FLOOR_ENTRY.2.1.1")
    l0=$(cpu_ticks "$VS_LIBVIRTD_PID") s0=$(cpu_ticks "$VS_SNMPD_PID") f0=$(cpu_ticks "$FLOOR_PID")
    "${cmd[@]}" >"$out" || vs_fail "get-probe failed"
    after=$(thread_ticks "$VS_SUBAGENT_PID")
    l1=$(cpu_ticks "$VS_LIBVIRTD_PID") s1=$(cpu_ticks "$VS_SNMPD_PID") f1=$(cpu_ticks "$FLOOR_PID")
    say "  \$ $(cmd_text "${cmd[@]}")"
    sed 's/^/    /' "$out"
    # shellcheck disable=SC1090
    . <(sed 's/ /\n/g' "$out" | grep '=' | sed 's/^/P_/')
    local threads=
    for w in $after; do
        tid=${w%%:*}
        # shellcheck disable=SC2086 # one word per thread
        c0=$(printf '%s\n' $before | awk -F: -v t="$tid" '$1 == t { print $3 }')
        threads+=" ${w%:*}=$(ticks_ms "${c0:-0}" "${w##*:}")ms"
    done
    say "  CPU during the probe (${PROBE_SECONDS} s): ours by thread (tid:name=ms)$threads;" \
        "floor $(ticks_ms "$f0" "$f1") ms; libvirtd $(ticks_ms "$l0" "$l1") ms;" \
        "snmpd $(ticks_ms "$s0" "$s1") ms"
    say "    (thread $VS_SUBAGENT_PID is the SNMP thread, $sampler the sampler)"
}

# ---------------------------------------------------------------- main

declare -a SUMMARY=()

bench_one() {
    local n=$1
    say ""
    say "==== N = $n VMs ===="
    setup "$n"
    say "-- walks ($COL_RUNS column pairs, $TABLE_RUNS table pairs; ours and floor back to" \
        "back, order alternating, each pair just after a new snapshot)"
    walks "$n"
    compare col "single-column walk"
    local c_o=("$O_MED" "$O_RATE" "$O_MIN") c_f=("$F_MED" "$F_RATE" "$F_MIN")
    local ratio_c=$RATIO_MED ratio_cm=$RATIO_MIN
    compare table "snmptable -Cr 10"
    local t_o=("$O_MED" "$O_RATE" "$O_MIN") t_f=("$F_MED" "$F_RATE" "$F_MIN")
    local ratio_t=$RATIO_MED ratio_tm=$RATIO_MIN
    mem_report "after the walks"
    local rss_walk=$MEM_OURS_RSS hwm_walk=$MEM_OURS_HWM frss=$MEM_FLOOR_RSS
    say "-- single GET latency, ${PROBE_SECONDS} s, refreshInterval $INTERVAL"
    probe "$n"
    mem_report "after the probe"
    local med_sample durations
    IFS=, read -r -a durations <<<"${P_sample_durations_s:-nan}"
    med_sample=$(median "${durations[@]}")
    say "  refresh (sample) duration of $n VMs: median $med_sample s" \
        "(${P_sample_durations_s:-none}): from the sampler thread's first CPU use to the change" \
        "of vsHvSampleTime"
    local row="$n|${c_o[0]}|${c_f[0]}|$ratio_c|$ratio_cm|${c_o[1]}|${c_f[1]}"
    row+="|${t_o[0]}|${t_f[0]}|$ratio_t|$ratio_tm|${t_o[1]}|${t_f[1]}"
    row+="|${P_refresh_ours_p50_ms:-}|${P_refresh_ours_p99_ms:-}|${P_refresh_ours_max_ms:-}"
    row+="|${P_refresh_floor_p50_ms:-}|${P_refresh_floor_p99_ms:-}"
    row+="|${P_idle_ours_p99_ms:-}|${P_idle_floor_p99_ms:-}"
    row+="|$rss_walk|$hwm_walk|$MEM_OURS_RSS|$MEM_OURS_HWM|$frss|$med_sample"
    SUMMARY+=("$row")
    teardown
}

# Print the summary table of every size measured.
summary_print() {
    local row n cwo cwf rc rcm cro crf two twf rt rtm tro trf p50 p99 pmax fp50 fp99 ip99 ifp99
    local rw hw rp hp fr ms
    say ""
    say "==== summary (medians; ratio = ours/floor, same run; targets: walks <= 1.2x," \
        "GET p99 during a refresh <= 5 ms, RSS <= 40 MiB at 10,000 VMs) ===="
    say "N | column walk s ours/floor (ratio of medians, of minima) | values/s ours/floor" \
        "| snmptable s ours/floor (ratios)" \
        "| values/s ours/floor | GET during refresh ms ours p50/p99/max, floor p50/p99" \
        "| GET p99 between refreshes ms ours/floor | ours RSS/HWM MiB after walks, after probe" \
        "| floor RSS MiB | sample s"
    for row in "${SUMMARY[@]}"; do
        IFS='|' read -r n cwo cwf rc rcm cro crf two twf rt rtm tro trf p50 p99 pmax fp50 fp99 \
            ip99 ifp99 rw hw rp hp fr ms <<<"$row"
        say "$n | $cwo/$cwf (${rc}x, ${rcm}x) | $cro/$crf | $two/$twf (${rt}x, ${rtm}x)" \
            "| $tro/$trf | $p50/$p99/$pmax, $fp50/$fp99 | $ip99/$ifp99" \
            "| $(calc "$rw / 1024" 1)/$(calc "$hw / 1024" 1)," \
            "$(calc "$rp / 1024" 1)/$(calc "$hp / 1024" 1)" \
            "| $(calc "$fr / 1024" 1) | $ms"
    done
}

main() {
    local sizes=("$@") n
    [ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
    bench_init
    say "bench/subagent.sh: $(date '+%F %T %Z'); $(nproc) CPUs ($(grep -m1 'model name' \
        /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')), $(awk '/MemTotal/ {
        printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load average $(cut -d' ' -f1-3 \
        /proc/loadavg)"
    say "sizes: ${sizes[*]}; pairs: $COL_RUNS column, $TABLE_RUNS table; probe:" \
        "$PROBE_SECONDS s; refreshInterval $INTERVAL; work directory $VS_TEST_DIR"
    build_tools
    subagent_snapshot
    for n in "${sizes[@]}"; do
        bench_one "$n"
    done
    summary_print
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
