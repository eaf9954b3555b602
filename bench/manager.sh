#!/bin/bash
# bench/manager.sh: virtsight-manager (the agentless poller) at the scale of its issue: HOSTS
# simulated SNMP hosts (default 1,000: snmpsim, one data file of 27-32 values per host) plus
# one hypervisor of VMS VMs (default 10,000: libvirt's test driver behind a private libvirtd,
# reached over test+unix://), one 60 s cycle. Against it, in the same run, the fork-per-check
# baseline: one snmpget process per host asking for the same values. Prints every figure with
# the command behind it, then a summary with the issue's targets marked PASS or MISS; the
# marks are information only: the script exits 0 whenever the measurements could be made.
#
# What is measured, in this order (an RRD file takes one update per 60 s step, so a run that
# updates files written by an earlier run waits for the next minute when it must):
#   1. `virtsight-manager -c CONF --once` (every host at once, no spreading: the whole work of
#      one cycle) for all hosts and for the SNMP hosts only (to tell the SNMP part from the
#      libvirt one), each writing RRD files directly and through rrdcached, and for the
#      libvirt host alone (through rrdcached). First with no RRD file yet (the cycle creates
#      them: the creation cost), then again, the files existing (the steady cycle). Each run
#      is watched by bench/manager-run.py: wall time to exit, user and system CPU and peak
#      RSS (wait4), CPU by thread, the status file written at the cycle's end (duration,
#      hosts, RRD updates done and pending) and the one written at exit; and the CPU time
#      that snmpsim, libvirtd and rrdcached used meanwhile. The RRD rate is the updates
#      pending at the cycle's end (the libvirt host's, which comes last) over the time the
#      writer thread went on working after it.
#   2. The baseline: `xargs -P 2 -L 1 snmpget -v2c ...`, one snmpget per host with every OID
#      the manager reads from it (scalars and table cells as GETs), twice (once before the
#      steady cycles, once after), timed the same way (CPU of all the snmpget processes).
#   3. Two cycles of the daemon (`-f`, interval 60, the default spread of 15 s), through
#      rrdcached: duration, lag and CPU of each cycle, from the status file as it is rewritten
#      and the thread samples. The second cycle is the steady state of a running manager: the
#      libvirt connection is open and every file is known (no LAST or CREATE, only BATCH).
#      Then two cycles of the SNMP hosts alone (interval 30, to be quicker), through
#      rrdcached and then writing the files directly: their CPU per cycle without the
#      start-up and exit that each --once run pays.
#
# The simulators bound the wall time: snmpsim is Python and needs several milliseconds of CPU
# per request, so its CPU time over a run, divided by the CPUs, is printed as the shortest
# wall time the simulated hosts allow. Opening a node file of 10,000 VMs costs libvirtd ~3 s
# of CPU per connection (the test driver parses the file for each connection), which every
# --once run pays and a running daemon pays once; and since this driver's bulk statistics
# carry no CPU time, the manager asks each running VM with virDomainGetInfo (8,000 calls).
#
# Environment: top_srcdir, top_builddir (default $top_srcdir/build), BENCH_HOSTS (1000),
# BENCH_VMS (10000), BENCH_SNMPSIM_PROCS (snmpsim processes, 6; hosts spread over them),
# BENCH_MAX_INFLIGHT (max-inflight, 200), BENCH_SNMP_TIMEOUT (the hosts' timeout in ms, 5000:
# snmpsim queues requests for longer than the default 1 s when 200 are in flight),
# BENCH_LIBVIRT_TIMEOUT (ms, 30000), BENCH_BASELINE_PARALLEL (xargs -P, 2),
# BENCH_DAEMON_CYCLES (0 to skip the daemons; default 2), VS_MANAGER_BIN (the binary under
# test; copied first, as others rebuild the tree), VS_KEEP_TEST_DIR (keep every output file).
# Use TMPDIR=/a/short/path (unix socket paths) that other jobs do not clean, with ~12 GB free
# (a VM's RRD file is 230 KB; the files are made five times over).
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
export top_srcdir top_builddir
export VS_START_TIMEOUT=${VS_START_TIMEOUT:-120}
. "$top_srcdir/tests/lib/vs-test.sh"

HOSTS=${BENCH_HOSTS:-1000}
VMS=${BENCH_VMS:-10000}
PROCS=${BENCH_SNMPSIM_PROCS:-6}
INFLIGHT=${BENCH_MAX_INFLIGHT:-200}
SNMP_TIMEOUT=${BENCH_SNMP_TIMEOUT:-5000}
LV_TIMEOUT=${BENCH_LIBVIRT_TIMEOUT:-30000}
BASE_PAR=${BENCH_BASELINE_PARALLEL:-2}
DAEMON_CYCLES=${BENCH_DAEMON_CYCLES:-2}
INTERVAL=60
GEN=$top_srcdir/bench/manager-gen.py
RUN=$top_srcdir/bench/manager-run.py
NCPU=$(nproc)
# Results by "run:FIGURE", for the summary.
declare -A R=()
# The last 60 s slot each RRD directory was written in.
declare -A SLOT=()

# ---------------------------------------------------------------- helpers

say() {
    printf '%s\n' "$*"
}

# A command as it can be pasted into a shell.
cmd_text() {
    local out='' a
    for a in "$@"; do out+=" $(printf '%q' "$a")"; done
    printf '%s' "${out# }"
}

# Floating-point arithmetic: calc EXPR [DECIMALS]; "?" when an operand is missing.
calc() {
    awk "BEGIN { printf \"%.${2:-2}f\", ($1) }" 2>/dev/null || printf '?'
}

# "PASS" when VALUE CMP LIMIT holds (CMP: le or ge), else "MISS"; "n/a" without a value.
verdict() {
    if [ -z "$1" ] || [ "$1" = "?" ]; then
        printf 'n/a'
        return
    fi
    if awk -v v="$1" -v l="$3" -v c="$2" 'BEGIN { exit !((c == "le") ? v <= l : v >= l) }'; then
        printf 'PASS'
    else
        printf 'MISS'
    fi
}

# ---------------------------------------------------------------- set-up

# The binary under test, copied: the tree is rebuilt by others while this runs.
manager_snapshot() {
    local bin=${VS_MANAGER_BIN:-$top_builddir/manager/virtsight-manager}
    [ -x "$bin" ] || vs_fail "$bin has not been built"
    BIN=$W/virtsight-manager
    cp -p "$bin" "$BIN"
    say "manager under test: $bin ($(date -r "$bin" '+built %F %T'), sha256" \
        "$(sha256sum "$bin" | cut -c1-16)), copied to $BIN"
}

# Status 0 when snmpsim on PORT answers host I's sysUpTime.0 with the value its file holds.
sim_answers() {
    local v
    v=$(snmpget -v2c -c "$(printf 'h%04d' "$2")" -t 1 -r 0 -On -Oqv -Ot "127.0.0.1:$1" \
        .1.3.6.1.2.1.1.3.0 2>/dev/null) || return 1
    [ "$v" = "$((123456 + $2))" ]
}

# Write the hosts' data files and start PROCS snmpsim processes, one port each.
snmpsim_start() {
    local k port i t0 user=()
    SIM=$W/sim
    SIM_PIDS=() PORTS=()
    "$VS_PYTHON" "$GEN" data "$SIM" "$HOSTS" "$PROCS"
    say "snmpsim data: $(cmd_text "$VS_PYTHON" "$GEN" data "$SIM" "$HOSTS" "$PROCS");" \
        "$(cat "$SIM"/p*/data/*.snmprec | wc -l) values in $HOSTS files"
    if [ "$(id -u)" -eq 0 ]; then
        # snmpsim refuses to run as root: it becomes nobody, who must read the data files.
        chmod 0711 "$VS_TEST_DIR"
        chmod -R go+rX "$W"
        user=(--process-user=nobody --process-group=nogroup)
    fi
    t0=$EPOCHREALTIME
    for ((k = 0; k < PROCS; k++)); do
        port=$(vs_free_port udp)
        while [[ " ${PORTS[*]} " == *" $port "* ]]; do port=$(vs_free_port udp); done
        mkdir -p "$SIM/p$k/cache"
        [ ${#user[@]} -eq 0 ] || chown nobody:nogroup "$SIM/p$k/cache"
        SIM_CMD=(snmpsimd --data-dir="$SIM/p$k/data" --cache-dir="$SIM/p$k/cache"
            --agent-udpv4-endpoint="127.0.0.1:$port" "${user[@]}" --logging-method=null)
        vs_daemon_start "snmpsim$k" "$SIM/p$k.log" "${SIM_CMD[@]}"
        SIM_PIDS+=("$VS_DAEMON_PID")
        PORTS+=("$port")
    done
    for ((k = 0; k < PROCS; k++)); do
        i=$k
        [ "$i" -gt 0 ] || i=$PROCS
        vs_wait_until "$VS_START_TIMEOUT" sim_answers "${PORTS[k]}" "$i" ||
            vs_fail "snmpsim on port ${PORTS[k]} does not answer: $(tail -5 "$SIM/p$k.log")"
    done
    PORTS_CSV=$(IFS=,; echo "${PORTS[*]}")
    SIM_CSV=$(IFS=,; echo "${SIM_PIDS[*]}")
    say "snmpsim: $PROCS processes (pids $SIM_CSV) on 127.0.0.1 ports $PORTS_CSV, host i on" \
        "port number i mod $PROCS; all answering after $(calc "$EPOCHREALTIME - $t0" 1) s;" \
        "each as $(cmd_text "${SIM_CMD[@]}") with its own directories and port"
}

# libvirtd with a node of VMS VMs; NODE_URI reaches it.
libvirt_start() {
    local t0 n
    vs_libvirtd_start
    NODE=$VS_LIBVIRTD_DIR/node-$VMS.xml
    "$VS_PYTHON" "$top_srcdir/tests/lib/gen_node.py" "$VMS" >"$NODE"
    chmod 0644 "$NODE"
    NODE_URI="test+unix://$NODE?socket=$VS_LIBVIRTD_SOCKET"
    # Warm-up: the first open of the file (later connections parse it again, from the cache).
    t0=$EPOCHREALTIME
    n=$(VS_LIBVIRTD_URI=$NODE_URI vs_virsh list --all --name | grep -c .)
    [ "$n" -eq "$VMS" ] || vs_fail "the node lists $n domains, not $VMS"
    say "libvirtd: pid $VS_LIBVIRTD_PID; node $(cmd_text "$VS_PYTHON" \
        "$top_srcdir/tests/lib/gen_node.py" "$VMS"); URI $NODE_URI"
    say "libvirtd warm-up: virsh -c URI list --all lists $n domains in" \
        "$(calc "$EPOCHREALTIME - $t0" 1) s (open, parse, list)"
}

# ---------------------------------------------------------------- configurations

# make_conf NAME RRD_DIR full|snmp|lv direct|cached [manager-gen.py config options]: writes
# $W/NAME.xml (status file $W/NAME.status.json) for all hosts, the SNMP hosts only or the
# libvirt host only, and checks it with --check-config.
make_conf() {
    local name=$1 rrd=$2 scope=$3 mode=$4 args hosts=$HOSTS
    shift 4
    [ "$scope" != lv ] || hosts=0
    args=("$GEN" config "$SIM" "$hosts" "$PORTS_CSV" "$W/$name.xml"
        --state-dir "$W/state-$name" --rrd-dir "$rrd" --status-file "$W/$name.status.json"
        --pid-file "$W/$name.pid" --interval "$INTERVAL" --max-inflight "$INFLIGHT"
        --libvirt-workers 4 --timeout "$SNMP_TIMEOUT")
    [ "$scope" = snmp ] || args+=(--libvirt "$NODE_URI" --libvirt-timeout "$LV_TIMEOUT")
    [ "$mode" = direct ] || args+=(--rrdcached "$VS_RRDCACHED_ADDR")
    args+=("$@")
    "$VS_PYTHON" "${args[@]}"
    "$BIN" --check-config "$W/$name.xml" >/dev/null 2>"$W/$name.check" ||
        vs_fail "$W/$name.xml does not validate: $(cat "$W/$name.check")"
    say "config $name: $(cmd_text "$VS_PYTHON" "${args[@]}")"
}

# ---------------------------------------------------------------- runs

# Wait until the clock is in a later 60 s slot than the last run that wrote DIR: a second
# update of a file in the same step is refused.
wait_slot() {
    local last=${SLOT[$1]:-}
    [ -n "$last" ] || return 0
    if ((EPOCHSECONDS / INTERVAL <= last)); then
        say "  (waiting $(((last + 1) * INTERVAL - EPOCHSECONDS)) s for the next 60 s step:" \
            "the files of $1 were updated in this one)"
    fi
    while ((EPOCHSECONDS / INTERVAL <= last)); do
        sleep 0.2
    done
}

# Clear the F_* figures of the previous run.
figures_clear() {
    local v
    for v in ${!F_@}; do unset "$v"; done
}

# Load the figures of run LABEL and remember those the summary uses.
figures_load() {
    local k
    figures_clear
    eval "$("$VS_PYTHON" "$RUN" figures "$W/run-$1.json")"
    for k in ${!F_@}; do R["$1:${k#F_}"]=${!k}; done
}

# run_once LABEL CONF_NAME RRD_DIR TITLE: one `--once` cycle, watched; prints its figures.
run_once() {
    local label=$1 name=$2 rrd=$3 title=$4 cmd wrap floor files
    say ""
    say "-- $title"
    wait_slot "$rrd"
    cmd=("$BIN" -c "$W/$name.xml" --once)
    wrap=("$VS_PYTHON" "$RUN" --prefix "$W/run-$label" --status "$W/$name.status.json" --once
        --watch "snmpsim=$SIM_CSV" --watch "libvirtd=$VS_LIBVIRTD_PID"
        --watch "rrdcached=$VS_RRDCACHED_PID" --)
    "${wrap[@]}" "${cmd[@]}" || vs_fail "bench/manager-run.py failed for $label"
    figures_load "$label"
    [ -n "${F_CYCLE_START:-}" ] || vs_fail "run $label: no status file of a cycle" \
        "($(tail -3 "$W/run-$label.err"))"
    SLOT[$rrd]=$(calc "int($F_CYCLE_START / $INTERVAL)" 0)
    say "  \$ $(cmd_text "${wrap[@]}" "${cmd[@]}")"
    say "  wall $(calc "$F_WALL") s from start to exit; the cycle (status file: its start to" \
        "its last result) $(calc "$F_CYCLE_DUR") s; exit status $F_EXIT"
    say "  CPU $(calc "$F_CPU") s (user $(calc "$F_USER"), system $(calc "$F_SYS")); peak RSS" \
        "$(calc "$F_RSS_MIB" 1) MiB"
    say "  CPU by thread: main (SNMP event loop, merge, status file) $(calc "$F_T_MAIN") s," \
        "RRD writer $(calc "${F_T_WRITER:-0}") s, libvirt (event loop and 4 workers)" \
        "$(calc "$F_T_LIBVIRT") s [$F_T_COUNT threads]"
    if [ "${F_SNMP_HOSTS:-0}" -gt 0 ]; then
        local why=${F_SNMP_ERRORS:+ ($F_SNMP_ERRORS)}
        say "  SNMP: $F_SNMP_HOSTS hosts, $F_SNMP_FAILED failed$why," \
            "$F_SNMP_REQUESTS requests; one host's poll:" \
            "median $(calc "$F_SNMP_POLL_MEDIAN_S" 3) s, longest $(calc "$F_SNMP_POLL_MAX_S") s;" \
            "first request to last answer $(calc "$F_SNMP_SPAN") s"
    fi
    if [ -n "${F_LV_VMS:-}" ]; then
        local lv_state=ok
        [ "$F_LV_OK" = 1 ] || lv_state="FAILED: $F_LV_ERR"
        say "  libvirt: $F_LV_VMS VMs, $lv_state, poll $(calc "$F_LV_DUR") s (connection open" \
            "included), $F_LV_REQ calls"
    fi
    say "  RRD: $F_UPD updates, $F_CREATES files created, $F_ERRORS errors, $F_DROPPED dropped;" \
        "at the cycle's end $F_UPD_END written and $F_PEND_END pending"
    burst_say "$F_PEND_END" "${F_C1_BURST_S:-}" "${F_C1_BURST_RATE:-}"
    say "  RRD rate, whole cycle: $F_UPD updates from the cycle's start to the status file" \
        "written at exit ($(calc "$F_RUN_SPAN") s) = $(calc "$F_RUN_RATE" 0)/s; per CPU-second" \
        "of the writer thread: $(calc "${F_WRITER_RATE:-0}" 0)/s; the process exited" \
        "$(calc "${F_DRAIN_S:-0}") s after the cycle's end (the --once table, closing the" \
        "libvirt connection, draining the writer's queue, the last status file)"
    floor=$(calc "$F_W_SNMPSIM / $NCPU")
    say "  meanwhile: snmpsim $(calc "$F_W_SNMPSIM") CPU-s (the simulator alone needs >= $floor s" \
        "of wall time on $NCPU CPUs), libvirtd $(calc "$F_W_LIBVIRTD") CPU-s, rrdcached" \
        "$(calc "$F_W_RRDCACHED") CPU-s, this watcher $(calc "$F_WATCHER") CPU-s; load average" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
    if [ "$F_CREATES" -gt 0 ]; then
        files=$(find "$rrd" -name '*.rrd' | wc -l)
        say "  files under $rrd: $files ($(du -sm "$rrd" | cut -f1) MiB)"
    fi
    R["$label:SIM_FLOOR"]=$floor
}

# burst_say PENDING SECONDS RATE: the writer's work on what was pending at a cycle's end.
burst_say() {
    if [ "${1:-0}" -gt 0 ] && [ -n "$3" ]; then
        say "  RRD writer on the $1 updates pending at the cycle's end: $(calc "$2" 3) s (from" \
            "the cycle's end, its start plus its duration in the status file, to the writer" \
            "thread's last CPU use, sampled every 5 ms) = $(calc "$3" 0) updates/s"
    else
        say "  RRD writer: ${1:-0} updates pending at the cycle's end (no burst to time)"
    fi
}

# run_baseline LABEL: one snmpget per host, BASE_PAR at a time.
run_baseline() {
    local label=$1 cmd wrap want got nosuch
    say ""
    say "-- baseline: one snmpget process per host for the same values ($BASE_PAR at a time)"
    cmd=(xargs -P "$BASE_PAR" -L 1 -a "$W/baseline.args" snmpget -v2c -On -t 5 -r 1)
    wrap=("$VS_PYTHON" "$RUN" --prefix "$W/run-$label" --once --watch "snmpsim=$SIM_CSV" --)
    "${wrap[@]}" "${cmd[@]}" || vs_fail "bench/manager-run.py failed for $label"
    figures_load "$label"
    want=$(awk '{ n += NF - 3 } END { print n }' "$W/baseline.args")
    got=$(wc -l <"$W/run-$label.out")
    nosuch=$(grep -c 'No Such' "$W/run-$label.out" || true)
    say "  \$ $(cmd_text "${wrap[@]}" "${cmd[@]}")"
    say "  (lines of $W/baseline.args: \"-c COMMUNITY 127.0.0.1:PORT OID...\", from" \
        "$(cmd_text "$VS_PYTHON" "$GEN" baseline "$SIM" "$HOSTS" "$PORTS_CSV"))"
    say "  wall $(calc "$F_WALL") s; CPU $(calc "$F_CPU") s (user $(calc "$F_USER"), system" \
        "$(calc "$F_SYS")) = $(calc "$F_CPU * 1000 / $HOSTS" 2) ms per host; exit status" \
        "$F_EXIT; $got values printed of $want asked ($nosuch missing);" \
        "stderr: $(wc -l <"$W/run-$label.err") lines"
    say "  meanwhile: snmpsim $(calc "$F_W_SNMPSIM") CPU-s; load average $(cut -d' ' -f1-3 \
        /proc/loadavg)"
    [ "$got" -eq "$want" ] || say "  WARNING: not every value came back: the baseline is cheaper" \
        "than it should be"
}

# run_daemon LABEL full|snmp INTERVAL [cached|direct]: the daemon (-f) with the default spread
# (a quarter of the interval), through rrdcached (or writing the files directly), for
# DAEMON_CYCLES cycles read from the status file as the manager rewrites it; then SIGTERM.
run_daemon() {
    local label=$1 scope=$2 interval=$3 mode=${4:-cached} cmd wrap n
    local what="$HOSTS SNMP hosts + 1 libvirt host" rrd=$VS_RRDCACHED_DATA_DIR/$label
    [ "$scope" = full ] || what="$HOSTS SNMP hosts"
    [ "$mode" = cached ] || rrd=$W/rrd-direct/$label
    say ""
    say "-- daemon mode (-f), $what, interval $interval s, default spread" \
        "($(calc "$interval / 4" 1) s), $([ "$mode" = cached ] && echo rrdcached ||
            echo "RRD files written directly"); $DAEMON_CYCLES cycles"
    make_conf "$label" "$rrd" "$scope" "$mode" --interval "$interval"
    cmd=("$BIN" -f -c "$W/$label.xml")
    wrap=("$VS_PYTHON" "$RUN" --prefix "$W/run-$label" --status "$W/$label.status.json"
        --cycles "$DAEMON_CYCLES" --timeout $((interval * (DAEMON_CYCLES + 2) + 60))
        --watch "snmpsim=$SIM_CSV" --watch "libvirtd=$VS_LIBVIRTD_PID"
        --watch "rrdcached=$VS_RRDCACHED_PID" --)
    "${wrap[@]}" "${cmd[@]}" || vs_fail "bench/manager-run.py failed for $label"
    figures_load "$label"
    say "  \$ $(cmd_text "${wrap[@]}" "${cmd[@]}")"
    local prev_cpu=0 cpu
    for ((n = 1; n <= DAEMON_CYCLES; n++)); do
        local dur=F_C${n}_DUR lag=F_C${n}_LAG failed=F_C${n}_FAILED c=F_C${n}_CPU
        local upd=F_C${n}_UPD pend=F_C${n}_PEND span=F_C${n}_SPAN start=F_C${n}_START
        local lv=F_C${n}_LV_DUR
        [ -n "${!dur:-}" ] || { say "  cycle $n: no status (the run ended first)"; continue; }
        cpu=$(calc "${!c} - $prev_cpu")
        prev_cpu=${!c}
        local ta=F_C${n}_T_ALL tm=F_C${n}_T_MAIN tw=F_C${n}_T_WRITER tl=F_C${n}_T_LIBVIRT
        say "  cycle $n (began $(date -d "@${!start}" '+%T')): duration $(calc "${!dur}") s," \
            "lag $(calc "${!lag}" 3) s, $what, ${!failed} failed; first SNMP request to last" \
            "answer $(calc "${!span:-0}") s${!lv:+; the libvirt poll $(calc "${!lv}") s}; RRD" \
            "updates so far ${!upd}, pending at its end ${!pend}"
        say "  manager CPU from the cycle's start to the end of the writer's work on it:" \
            "$(calc "${!ta:-0}") s (main thread $(calc "${!tm:-0}"), writer" \
            "$(calc "${!tw:-0}"), libvirt $(calc "${!tl:-0}")); between the two status files:" \
            "$cpu s"
        local bn=F_C${n}_BURST_N bs=F_C${n}_BURST_S br=F_C${n}_BURST_RATE
        burst_say "${!bn:-0}" "${!bs:-}" "${!br:-}"
        R["$label:CPU$n"]=${!ta:-$cpu}
        R["$label:MAIN$n"]=${!tm:-}
    done
    say "  peak RSS $(calc "$F_RSS_MIB" 1) MiB; total CPU $(calc "$F_CPU") s (thread main" \
        "$(calc "$F_T_MAIN") s, writer $(calc "${F_T_WRITER:-0}") s, libvirt" \
        "$(calc "$F_T_LIBVIRT") s); exit status $F_EXIT after SIGTERM; meanwhile snmpsim" \
        "$(calc "$F_W_SNMPSIM") CPU-s, libvirtd $(calc "$F_W_LIBVIRTD"), rrdcached" \
        "$(calc "$F_W_RRDCACHED")"
}

# ---------------------------------------------------------------- summary

summary() {
    local m b1 b2 base lab cpu wall ratio rate d1 d2 ds
    b1=${R[base1:CPU]} b2=${R[base2:CPU]:-${R[base1:CPU]}}
    base=$(calc "($b1 < $b2) ? $b1 : $b2")
    say ""
    say "==== summary ($HOSTS SNMP hosts + $VMS VMs, one cycle; targets informational) ===="
    say "baseline CPU: $(calc "$b1") s and $(calc "$b2") s (two runs); the lower, $base s, is" \
        "used for the ratios"
    say ""
    say "| target | figure | direct | rrdcached |"
    say "|---|---|---|---|"
    local row_w="| cycle complete <= 15 s wall | --once, files existing: start to exit (cycle)"
    local row_c="| cycle <= 10 CPU-s | --once, files existing: user+sys"
    local row_r="| >= 20x less CPU than fork-per-host | baseline / --once, SNMP hosts only"
    local row_rm="| (same) | baseline / main thread of that --once"
    local row_b="| rrdcached path >= 100,000 updates/s | --once, files existing: the writer on"
    row_b+=" the updates pending at the cycle's end"
    local row_cr="| (creation cycle) | --once, no files yet: wall, CPU"
    local row_m="| (peak RSS) | --once, files existing"
    for m in direct cached; do
        lab=full-$m-2
        wall=${R[$lab:WALL]}
        cpu=${R[$lab:CPU]}
        row_w+=" | $(calc "$wall") s ($(calc "${R[$lab:CYCLE_DUR]}") s): $(verdict "$wall" le 15)"
        row_c+=" | $(calc "$cpu") s: $(verdict "$cpu" le 10)"
        ratio=$(calc "$base / ${R[snmp-$m-2:CPU]}" 1)
        row_r+=" | ${ratio}x ($(calc "${R[snmp-$m-2:CPU]}") s): $(verdict "$ratio" ge 20)"
        row_rm+=" | $(calc "$base / ${R[snmp-$m-2:T_MAIN]}" 1)x ($(calc \
            "${R[snmp-$m-2:T_MAIN]}") s)"
        rate=${R[$lab:C1_BURST_RATE]:-}
        [ "${R[$lab:C1_BURST_N]:-0}" -ge 1000 ] || rate=
        row_b+=" | $(calc "${rate:-0}" 0)/s"
        [ "$m" = direct ] || row_b+=": $(verdict "$rate" ge 100000)"
        row_cr+=" | $(calc "${R[full-$m-1:WALL]}") s, $(calc "${R[full-$m-1:CPU]}") CPU-s"
        row_m+=" | $(calc "${R[$lab:RSS_MIB]}" 1) MiB"
    done
    say "$row_w |"
    say "$row_c |"
    say "$row_r |"
    say "$row_rm |"
    if [ "$DAEMON_CYCLES" -ge 2 ]; then
        local dd ratio_d
        ds=${R[daemon-snmp:CPU2]:-}
        dd=${R[daemon-snmp-direct:CPU2]:-}
        ratio=$(calc "$base / ${ds:-0}" 1)
        ratio_d=$(calc "$base / ${dd:-0}" 1)
        say "| (same) | baseline / CPU of a running daemon's second cycle, SNMP hosts only" \
            "(its main thread) | ${ratio_d}x ($(calc "${dd:-0}") s): $(verdict "$ratio_d" ge 20)" \
            "($(calc "$base / ${R[daemon-snmp-direct:MAIN2]:-0}" 1)x) |" \
            "${ratio}x ($(calc "${ds:-0}") s): $(verdict "$ratio" ge 20)" \
            "($(calc "$base / ${R[daemon-snmp:MAIN2]:-0}" 1)x) |"
    fi
    say "$row_b |"
    if [ "$DAEMON_CYCLES" -ge 2 ]; then
        d2=${R[daemon:C2_BURST_RATE]:-}
        d1=${R[daemon:C1_BURST_RATE]:-}
        # A rate over a handful of updates says nothing: small runs (BENCH_VMS) get "n/a".
        [ "${R[daemon:C2_BURST_N]:-0}" -ge 1000 ] || d2=
        say "| (same) | running daemon: cycle 2 (files known); cycle 1 (creating them) | |" \
            "$(calc "${d2:-0}" 0)/s: $(verdict "$d2" ge 100000); $(calc "${d1:-0}" 0)/s |"
        say "| (daemon, spread 15 s) | cycle duration, lag, manager CPU: cycle 1; cycle 2 | |" \
            "$(calc "${R[daemon:C1_DUR]:-0}") s, $(calc "${R[daemon:C1_LAG]:-0}" 3) s," \
            "$(calc "${R[daemon:CPU1]:-0}") s; $(calc "${R[daemon:C2_DUR]:-0}") s," \
            "$(calc "${R[daemon:C2_LAG]:-0}" 3) s, $(calc "${R[daemon:CPU2]:-0}") s |"
    fi
    say "$row_cr |"
    say "$row_m |"
    say ""
    say "where the steady --once wall time goes: SNMP hosts only" \
        "$(calc "${R[snmp-direct-2:WALL]}") / $(calc "${R[snmp-cached-2:WALL]}") s" \
        "(direct / rrdcached); the libvirt host alone" \
        "$(calc "${R[lv-cached-2:WALL]}") s (its poll $(calc "${R[lv-cached-2:LV_DUR]}") s," \
        "libvirtd $(calc "${R[lv-cached-2:W_LIBVIRTD]}") CPU-s); with everything, the libvirt" \
        "poll took $(calc "${R[full-direct-2:LV_DUR]}") / $(calc "${R[full-cached-2:LV_DUR]}") s"
    say "simulator floor (snmpsim CPU-s / $NCPU CPUs) in the steady runs: all hosts" \
        "$(calc "${R[full-direct-2:SIM_FLOOR]}") / $(calc "${R[full-cached-2:SIM_FLOOR]}") s;" \
        "SNMP only $(calc "${R[snmp-direct-2:SIM_FLOOR]}") /" \
        "$(calc "${R[snmp-cached-2:SIM_FLOOR]}") s"
}

# ---------------------------------------------------------------- main

main() {
    local t0=$EPOCHSECONDS
    vs_test_init
    vs_require_cmd snmpsimd snmpsim
    vs_require_cmd snmpget snmp
    vs_require_cmd rrdcached rrdcached
    W=$VS_TEST_DIR/bench
    mkdir -p "$W"
    say "bench/manager.sh: $(date '+%F %T %Z'); $NCPU CPUs ($(grep -m1 'model name' \
        /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')), $(awk '/MemTotal/ {
        printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load average $(cut -d' ' -f1-3 \
        /proc/loadavg)"
    say "hosts $HOSTS (SNMP v2c, max-inflight $INFLIGHT, timeout $SNMP_TIMEOUT ms), VMs $VMS" \
        "(libvirt timeout $LV_TIMEOUT ms, 4 workers); work directory $VS_TEST_DIR"
    manager_snapshot
    snmpsim_start
    libvirt_start
    vs_rrdcached_start
    say "rrdcached: pid $VS_RRDCACHED_PID, $VS_RRDCACHED_ADDR, files under $VS_RRDCACHED_DATA_DIR"
    "$VS_PYTHON" "$GEN" baseline "$SIM" "$HOSTS" "$PORTS_CSV" >"$W/baseline.args"

    local dd=$W/rrd-direct dc=$VS_RRDCACHED_DATA_DIR
    make_conf full-direct "$dd/full" full direct
    make_conf snmp-direct "$dd/snmp" snmp direct
    make_conf full-cached "$dc/full" full cached
    make_conf snmp-cached "$dc/snmp" snmp cached
    make_conf lv-cached "$dc/lv" lv cached

    say ""
    say "==== first cycles: no RRD file exists yet (creation) ===="
    run_once full-direct-1 full-direct "$dd/full" \
        "direct, $HOSTS SNMP hosts + $VMS VMs, first cycle (creates the files)"
    run_once snmp-direct-1 snmp-direct "$dd/snmp" \
        "direct, $HOSTS SNMP hosts only, first cycle (creates the files)"
    run_once full-cached-1 full-cached "$dc/full" \
        "rrdcached, $HOSTS SNMP hosts + $VMS VMs, first cycle (creates the files)"
    run_once snmp-cached-1 snmp-cached "$dc/snmp" \
        "rrdcached, $HOSTS SNMP hosts only, first cycle (creates the files)"
    run_once lv-cached-1 lv-cached "$dc/lv" \
        "rrdcached, the libvirt host only ($VMS VMs), first cycle (creates the files)"
    run_baseline base1

    say ""
    say "==== steady cycles: every file exists ===="
    run_once full-direct-2 full-direct "$dd/full" \
        "direct, $HOSTS SNMP hosts + $VMS VMs, files existing"
    run_once snmp-direct-2 snmp-direct "$dd/snmp" "direct, $HOSTS SNMP hosts only, files existing"
    run_once full-cached-2 full-cached "$dc/full" \
        "rrdcached, $HOSTS SNMP hosts + $VMS VMs, files existing"
    run_once snmp-cached-2 snmp-cached "$dc/snmp" \
        "rrdcached, $HOSTS SNMP hosts only, files existing"
    run_once lv-cached-2 lv-cached "$dc/lv" \
        "rrdcached, the libvirt host only ($VMS VMs), files existing"
    run_baseline base2

    if [ "$DAEMON_CYCLES" -gt 0 ]; then
        run_daemon daemon full "$INTERVAL"
        # The SNMP hosts alone, for their CPU per cycle without start-up and exit; a 30 s
        # interval keeps the run short (the work of a cycle is the same).
        run_daemon daemon-snmp snmp 30
        run_daemon daemon-snmp-direct snmp 30 direct
    fi
    summary
    say ""
    say "bench/manager.sh took $((EPOCHSECONDS - t0)) s"
}

main "$@"
