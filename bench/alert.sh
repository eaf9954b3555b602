#!/bin/bash
# bench/alert.sh: alert latency of virtsight-manager, from the sample that crosses a threshold
# to the message at each sink, over BENCH_ALARMS (100) messages per channel: half raises, half
# clears, one per second. Against it, in the same run, each sink's own round trip: the same
# kind of message sent straight to it from this script (bench/alert-lat.py send), timed the
# same way, so that what the manager adds shows as a ratio. Prints every figure with the
# command behind it; the targets (p99 <= 1 s on a healthy channel) are marked PASS or MISS
# for information only: the script exits 0 whenever the measurements could be made.
#
# Set-up, all on loopback through tests/lib/vs-test.sh: a private snmpd whose laLoadInt.1
# (host.load, in hundredths) comes from bench/alert-pass.py, a pass_persist program serving a
# queue of values and logging the time it handed each one to snmpd; snmptrapd spooling each
# trap to a file (tests/lib/trap_spool.sh); the SMTP sink; the HTTP sink standing in for
# Slack. The manager runs as a daemon (-f, default log level) with interval 1, spread 0, one
# host, one rule (host.load warning 2, hysteresis 0.5) and four notifiers: a v2c inform to
# snmptrapd, mail to the SMTP sink, and two Slack notifiers on two webhook URLs of the HTTP
# sink: "chat" with the default min-interval (1 s, Slack's limit per webhook) and "chat-fast"
# with min-interval 0.1, to show what the limit costs at one message per second.
#
# Once the manager has polled a few steady samples (0.2), the queue gets 3.00, 0.50, 3.01,
# 0.51, ... 3.49, 0.99: every value unique, each a state change (a raise to WARNING, then a
# clear), so each message is matched to its sample by its value. Latency = arrival at the sink
# (HTTP sink: the time it logged the request; SMTP sink: the mtime of the stored mail;
# snmptrapd: the mtime of the spooled trap) minus the time alert-pass.py answered snmpd with
# that sample. The baseline's latency is arrival minus the time just before the send; half of
# it runs before the manager, half after.
#
# Environment: top_srcdir, top_builddir (default $top_srcdir/build), VS_MANAGER_BIN (the
# binary under test; copied first, as others rebuild the tree), BENCH_ALARMS (100, even),
# BENCH_BASE_ROUNDS (100: one message to each sink per round), BENCH_BASE_GAP (0.05 s between
# rounds), VS_MIBDIRS (to find VIRTSIGHT-MIB; default: the tree's mib/, the IETF MIBs named in
# $top_builddir/Makefile and Net-SNMP's), VS_KEEP_TEST_DIR (keep every output file).
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
export top_srcdir top_builddir
. "$top_srcdir/tests/lib/vs-test.sh"
. "$top_srcdir/tests/lib/vs-test-manager.sh"

ALARMS=${BENCH_ALARMS:-100}
BASE_ROUNDS=${BENCH_BASE_ROUNDS:-100}
BASE_GAP=${BENCH_BASE_GAP:-0.05}
LAT=$top_srcdir/bench/alert-lat.py
PASS=$top_srcdir/bench/alert-pass.py
LOAD=.1.3.6.1.4.1.2021.10.1.5.1 # UCD laLoadInt.1: host.load in hundredths

say() {
    printf '%s\n' "$*"
}

# A command as it can be pasted into a shell.
cmd_text() {
    local out='' a
    for a in "$@"; do out+=" $(printf '%q' "$a")"; done
    printf '%s' "${out# }"
}

# The numeric OID of a VIRTSIGHT-MIB name.
mib_oid() {
    MIBDIRS=$MIBS snmptranslate -m VIRTSIGHT-MIB -On "VIRTSIGHT-MIB::$1" 2>/dev/null | grep . ||
        vs_fail "snmptranslate finds no VIRTSIGHT-MIB::$1 in $MIBS (set VS_MIBDIRS)"
}

# ---------------------------------------------------------------- counting, with builtins only
# (the waits below poll every 50 ms while the manager is being timed: no process per check)

# Lines of FILE into N (0 when it does not exist).
lines_of() {
    local -a l=()
    [ ! -f "$1" ] || mapfile -t l <"$1"
    N=${#l[@]}
}

# Files DIR/*.EXT into N.
files_of() {
    local -a f=("$1"/*."$2")
    N=${#f[@]}
    [ -e "${f[0]}" ] || N=0
}

# Status 0 once every fed value was served and a later poll took the last one again (the
# cycle of the last state change has ended), and every sink holds at least its share.
all_in() {
    local -a s=()
    mapfile -t s <"$Q/served"
    [ "${#s[@]}" -ge 2 ] && [ "${s[-1]%% *}" = "$LAST" ] && [ "${s[-2]%% *}" = "$LAST" ] ||
        return 1
    files_of "$VS_SNMPTRAPD_SPOOL" trap
    [ "$N" -ge "$((TRAPS0 + ALARMS))" ] || return 1
    files_of "$VS_SMTP_MAIL_DIR" eml
    [ "$N" -ge "$((MAILS0 + ALARMS))" ] || return 1
    lines_of "$VS_HTTP_REQUEST_LOG"
    [ "$N" -ge "$((POSTS0 + 2 * ALARMS))" ]
}

# Status 0 once the pass_persist program served N values (the manager polls).
served_at_least() {
    lines_of "$Q/served"
    [ "$N" -ge "$1" ]
}

# ---------------------------------------------------------------- phases

# The baseline: ROUNDS messages straight to each sink.
baseline() {
    local cmd=("$VS_PYTHON" "$LAT" send "$1" "$BASE_GAP" "$W" "$VS_SNMPTRAPD_ADDR"
        "$VS_SMTP_PORT" "$VS_HTTP_URL")
    "${cmd[@]}" || vs_fail "the baseline could not send every message (see $W/base-*.txt)"
    say "baseline ($2): $(cmd_text "${cmd[@]}")"
}

write_conf() {
    echo public >"$W/community"
    echo "$VS_HTTP_URL/ok/services/T0/B0/chat" >"$W/chat.url"
    echo "$VS_HTTP_URL/ok/services/T0/B1/fast" >"$W/fast.url"
    chmod 600 "$W/community" "$W/chat.url" "$W/fast.url"
    vs_manager_conf "$W/m.xml" <<XML
<virtsight-manager interval="1" spread="0" state-dir="$W/state" rrd-dir="$W/rrd"
                   status-file="$VS_MANAGER_STATUS">
  <notifiers>
    <trap name="trap" target="udp:$VS_SNMPTRAPD_ADDR" version="2c" inform="yes"
          community-file="$W/community"/>
    <email name="mail" server="127.0.0.1:$VS_SMTP_PORT" tls="none" from="virtsight@bench.invalid"
           to="ops@bench.invalid"/>
    <slack name="chat" webhook-url-file="$W/chat.url"/>
    <slack name="chat-fast" webhook-url-file="$W/fast.url" min-interval="0.1"/>
  </notifiers>
  <rules>
    <threshold name="load" metric="host.load" warning="2" hysteresis="0.5"
               notify="trap mail chat chat-fast"/>
  </rules>
  <host name="web">
    <snmp address="udp:$VS_SNMPD_ADDR" version="2c" community-file="$W/community"/>
  </host>
</virtsight-manager>
XML
}

main() {
    local t0=$EPOCHSECONDS i fed=() steady wait_s
    if [ $((ALARMS % 2)) -ne 0 ] || [ "$ALARMS" -lt 2 ] || [ "$ALARMS" -gt 100 ]; then
        vs_fail "BENCH_ALARMS must be even, 2 to 100 (the values fed must stay distinct)"
    fi
    vs_test_init
    vs_require_cmd snmpd snmpd
    vs_require_cmd snmptrapd snmptrapd
    vs_require_cmd snmptranslate snmp
    vs_require_python_module aiosmtpd python3-aiosmtpd
    W=$VS_TEST_DIR/bench
    Q=$W/queue
    mkdir -p "$W" "$Q"
    export VS_MANAGER_STATUS=$W/status.json VS_MANAGER_LOG=$W/manager.log
    local ietf
    ietf=$(sed -n 's/^IETF_MIBDIR = //p' "$top_builddir/Makefile" 2>/dev/null || true)
    MIBS=${VS_MIBDIRS:-$top_srcdir/mib${ietf:+:$ietf}:/usr/share/snmp/mibs}
    local raised cleared value
    raised=$(mib_oid vsAlarmRaised)
    cleared=$(mib_oid vsAlarmCleared)
    value=$(mib_oid vsAlarmValue).0

    say "bench/alert.sh: $(date '+%F %T %Z'); $(nproc) CPUs ($(grep -m1 'model name' \
        /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')); load average $(cut -d' ' -f1-3 \
        /proc/loadavg); work directory $VS_TEST_DIR"
    local src=${VS_MANAGER_BIN:-$top_builddir/manager/virtsight-manager}
    [ -x "$src" ] || vs_fail "$src has not been built"
    VS_MANAGER_BIN=$W/virtsight-manager
    cp -p "$src" "$VS_MANAGER_BIN"
    say "manager under test: $src ($(date -r "$src" '+built %F %T'), sha256" \
        "$(sha256sum "$src" | cut -c1-16)), copied to $VS_MANAGER_BIN"

    echo 20 >"$Q/queue" # 0.2: steady, below every value fed
    : >"$Q/served"
    vs_snmpd_start --conf-line \
        "pass_persist -p 1 ${LOAD%.*} $VS_PYTHON $PASS $LOAD integer $Q"
    vs_snmptrapd_start
    vs_smtp_sink_start
    vs_http_sink_start
    say "sinks: snmptrapd udp:$VS_SNMPTRAPD_ADDR (spool $VS_SNMPTRAPD_SPOOL), SMTP" \
        "127.0.0.1:$VS_SMTP_PORT ($VS_SMTP_MAIL_DIR), HTTP $VS_HTTP_URL ($VS_HTTP_REQUEST_LOG);" \
        "snmpd udp:$VS_SNMPD_ADDR serving $LOAD from $(cmd_text "$VS_PYTHON" "$PASS")"

    baseline $((BASE_ROUNDS / 2)) "first half, before the manager"

    write_conf
    say "manager: $(cmd_text "$VS_MANAGER_BIN" -f -c "$W/m.xml") (configuration $W/m.xml," \
        "kept with VS_KEEP_TEST_DIR=1)"
    vs_daemon_start manager "$VS_MANAGER_LOG" "$VS_MANAGER_BIN" -f -c "$W/m.xml"
    VS_MANAGER_PID=$VS_DAEMON_PID
    vs_manager_wait_cycle 3 ||
        vs_fail "the manager ran no 3 cycles in 20 s: $(tail -5 "$VS_MANAGER_LOG")"
    lines_of "$Q/served"
    steady=$N
    [ "$steady" -ge 2 ] || vs_fail "the manager does not poll host.load ($steady samples served)"

    # What the sinks hold before the alarms: the readiness trap and the baseline.
    files_of "$VS_SNMPTRAPD_SPOOL" trap
    TRAPS0=$N
    files_of "$VS_SMTP_MAIL_DIR" eml
    MAILS0=$N
    lines_of "$VS_HTTP_REQUEST_LOG"
    POSTS0=$N
    for ((i = 0; i < ALARMS / 2; i++)); do
        fed+=($((300 + i)) $((50 + i)))
    done
    printf '%s\n' "${fed[@]}" >"$Q/fed"
    printf '%s\n' "${fed[@]}" >>"$Q/queue"
    LAST=$((1 + ALARMS))
    wait_s=$((ALARMS + 60))
    say "fed $ALARMS samples (host.load 3.00, 0.50, 3.01, 0.51, ... after $steady steady ones)" \
        "at $(date '+%T'); waiting up to $wait_s s for all messages"
    if ! vs_wait_until "$wait_s" all_in; then
        say "NOT ALL MESSAGES ARRIVED within $wait_s s (the table says which are missing)"
    fi
    say "manager status at the end: spool pending $(vs_manager_status \
        's["alarms"]["spool_pending"]' || echo '?'), dead letters $(vs_manager_status \
        's["alarms"]["dead_letters"]' || echo '?'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
    vs_daemon_stop manager || vs_fail "the manager did not stop on SIGTERM"
    say "manager cycles (its log: \"Cycle N done in S s\"): $(sed -n \
        's/.*Cycle [0-9]* done in \([0-9.]*\) s.*/\1/p' "$VS_MANAGER_LOG" | sort -n | awk '
        { d[NR] = $1 } END { if (NR) printf "%d, duration p50 %.3f s, max %.3f s", NR,
        d[int((NR + 1) / 2)], d[NR] }')"
    grep -E 'warning|err' "$VS_MANAGER_LOG" | head -5 | sed 's/^/  manager log: /' || true

    baseline $((BASE_ROUNDS - BASE_ROUNDS / 2)) "second half, after the manager"

    local cmd=("$VS_PYTHON" "$LAT" report "$Q/served" "$ALARMS" "$VS_SNMPTRAPD_SPOOL" "$raised"
        "$cleared" "$value" "$VS_SMTP_MAIL_DIR" "$VS_HTTP_REQUEST_LOG" "$W"
        /ok/services/T0/B0/chat=chat /ok/services/T0/B1/fast=chat-fast)
    say ""
    say "latency in ms, from the crossing sample answered by snmpd to the sink (nearest-rank" \
        "percentiles); p50 x: the manager's p50 over the baseline's (the sink's own round" \
        "trip, ms, both Slack notifiers against the one HTTP sink's); +p50: the difference, ms"
    say "\$ $(cmd_text "${cmd[@]}")"
    "${cmd[@]}" | tee "$W/report.txt"
    say ""
    local ch p99 missing
    missing=$(sed -n 's/^missing //p' "$W/report.txt")
    for ch in trap mail chat chat-fast; do
        p99=$(awk -v c="$ch" '$1 == c { print $5 }' "$W/report.txt")
        say "target p99 <= 1000 ms, $ch: $p99 ms: $(awk -v v="$p99" \
            'BEGIN { print (v != "" && v != "nan" && v + 0 <= 1000) ? "PASS" : "MISS" }')"
    done
    [ "$missing" = 0 ] || say "MISSING: $missing messages did not arrive"
    say "load average at the end $(cut -d' ' -f1-3 /proc/loadavg); bench/alert.sh took" \
        "$((EPOCHSECONDS - t0)) s"
}

main "$@"
