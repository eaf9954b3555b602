# th-test.sh: what the integration tests of virtsight-traphandle share, on top of
# tests/lib/vs-test.sh (source that first, then this, then call vs_test_init and th_init).
#
#   th_init                      find the program (TH_BIN) and the tools the tests need
#   th_trapd_start NAME CONF [SNMPTRAPD-OPTION...]
#                                snmptrapd with the configuration file CONF (the caller's
#                                traphandle, createUser... lines) and the formatting options
#                                given, on a UDP port chosen now (a new one when the bind
#                                fails), as daemon NAME; ready once a v2c inform of
#                                TH_READY_OID was acknowledged, i.e. snmptrapd ran its
#                                handlers for it. Sets TH_TRAPD_ADDR, TH_TRAPD_PORT,
#                                TH_TRAPD_DIR (log snmptrapd.log; the handlers' stderr goes to
#                                snmptrapd.out beside it)
#   th_runner_start NAME CONF    virtsight-traphandle --spool-runner -f -c CONF as daemon NAME,
#                                output to $VS_TEST_DIR/NAME.log; ready when it says it
#                                delivers
#   th_no_sanitizer_report FILE...  fail if a file holds an AddressSanitizer, LeakSanitizer or
#                                UndefinedBehaviorSanitizer report (the handler's go to
#                                snmptrapd.out, the runner's to its log once it stopped)
#   th_handler_clean FILE...     fail if the handlers said they refused input or lost a trap
#                                (lines with Cannot, Refused, Out of memory, not routed)
#   th_msgs ARGS...              tests/traphandle/th_msgs.py (mail and webhook requests)
#   th_spool_count [DIR]         the entries waiting under DIR (default TH_STATE/spool; files
#                                in dot directories are temporary, not counted)
#   th_spool_empty [DIR]         status 0 when th_spool_count is 0
#   th_stats FILE                "n N min MIN median MED p95 P95 max MAX" of a column of
#                                numbers
# TH_READY_OID is the snmpTrapOID of the readiness informs: give it a drop route, or leave it to
# "matched no route".

TH_READY_OID=$VS_SNMPTRAPD_READY_OID

th_init() {
    TH_BIN=${TH_BIN:-${top_builddir:-$top_srcdir/build}/trap-handlers/virtsight-traphandle}
    [ -x "$TH_BIN" ] || vs_fail "$TH_BIN is not built (make builds it)"
    TH_DIR=$top_srcdir/tests/traphandle
    vs_require_cmd snmptrapd snmptrapd
    vs_require_cmd snmptrap snmp
    vs_require_cmd snmpinform snmp
}

# Start snmptrapd as described above.
th_trapd_start() {
    local name=$1 conf=$2 attempt rc=0
    shift 2
    TH_TRAPD_DIR=$VS_TEST_DIR/$name
    mkdir -p "$TH_TRAPD_DIR/persist"
    for attempt in 1 2 3 4 5; do
        TH_TRAPD_PORT=$(vs_free_port udp) || vs_fail "cannot pick a free UDP port"
        TH_TRAPD_ADDR=127.0.0.1:$TH_TRAPD_PORT
        vs__log_rotate "$TH_TRAPD_DIR/snmptrapd.log"
        # shellcheck disable=SC2034,SC2004 # vs-test.sh's table of daemon logs, shown on failure
        VS__XLOG[$name]=$TH_TRAPD_DIR/snmptrapd.log
        vs_daemon_start "$name" "$TH_TRAPD_DIR/snmptrapd.out" \
            env SNMP_PERSISTENT_DIR="$TH_TRAPD_DIR/persist" \
            snmptrapd -f -C -c "$conf" -Lf "$TH_TRAPD_DIR/snmptrapd.log" \
            -p "$TH_TRAPD_DIR/snmptrapd.pid" "$@" "udp:$TH_TRAPD_ADDR"
        rc=0
        vs__wait_ready "$name" th__trapd_acks || rc=$?
        [ "$rc" -eq 0 ] && return 0
        [ "$rc" -eq 1 ] && break
        vs__forget_dead "$name"
        grep -q "couldn't open udp" "$TH_TRAPD_DIR/snmptrapd.log" || break
        vs_log "snmptrapd could not bind udp:$TH_TRAPD_ADDR (attempt $attempt); new port"
    done
    vs__start_failed "$name" "snmptrapd ($name) on udp:$TH_TRAPD_ADDR did not acknowledge an" \
        "inform within $VS_START_TIMEOUT s"
}

# Status 0 once snmptrapd has started and acknowledges an inform (after its handlers ran).
th__trapd_acks() {
    grep -q 'NET-SNMP version' "$TH_TRAPD_DIR/snmptrapd.log" || return 1
    snmpinform -v2c -c public -m '' -t 3 -r 0 "$TH_TRAPD_ADDR" '' "$TH_READY_OID" \
        "$TH_READY_OID.1" s ready
}

# Start the spool runner as described above.
th_runner_start() {
    local name=$1 conf=$2 log=$VS_TEST_DIR/$1.log rc=0
    : >"$log"
    vs_daemon_start "$name" "$log" "$TH_BIN" --spool-runner -f -c "$conf"
    vs__wait_ready "$name" grep -q 'Delivering from' "$log" || rc=$?
    case $rc in
        0) return 0 ;;
        1) vs__start_failed "$name" "the spool runner did not start within $VS_START_TIMEOUT s" ;;
        *) vs__start_failed "$name" "the spool runner exited during start-up" ;;
    esac
}

th_no_sanitizer_report() {
    local f
    for f in "$@"; do
        [ -f "$f" ] || continue
        if grep -qE 'Sanitizer|runtime error:' "$f"; then
            vs_fail "sanitizer report in $f:" \
                "$(grep -m 8 -E 'Sanitizer|runtime error:|^    #[0-9]' "$f")"
        fi
    done
}

th_handler_clean() {
    local f
    for f in "$@"; do
        ! grep -qE 'Cannot|Refused|Out of memory|not routed' "$f" ||
            vs_fail "the handler complained in $f:" \
                "$(grep -m 5 -E 'Cannot|Refused|Out of memory|not routed' "$f")"
    done
}

th_msgs() {
    "$VS_PYTHON" "$TH_DIR/th_msgs.py" "$@"
}

th_spool_count() {
    local dir=${1:-$TH_STATE/spool}
    [ -d "$dir" ] || { echo 0; return 0; }
    find "$dir" -name '.*' -prune -o -type f -print | wc -l
}

th_spool_empty() {
    [ "$(th_spool_count "$@")" -eq 0 ]
}

th_stats() {
    sort -g "$1" | awk '{ v[NR] = $1 }
        END {
            if (NR == 0) { print "n 0"; exit }
            printf "n %d min %.1f median %.1f p95 %.1f max %.1f\n", NR, v[1],
                v[int((NR + 1) / 2)], v[int(NR * 0.95 + 0.999)], v[NR]
        }'
}
