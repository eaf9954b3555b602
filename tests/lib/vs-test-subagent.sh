# vs-test-subagent.sh: start, wait for and stop virtsight-subagent under the private snmpd
# master of vs-test-snmp.sh. Sourced by vs-test.sh.
#
#   vs_subagent_start [--hv NAME URI [index N]]... [--conf-line LINE]...
#       write a configuration (the master's AgentX socket, a state directory that survives
#       restarts within the test, refreshInterval 1 unless a --conf-line sets it) and start
#       the subagent in the foreground, logging to a file. Ready when its PID lives and it has
#       logged that it serves its hypervisors (by then its registrations are done). Nothing is
#       asked of the master under VIRTSIGHT-MIB's tree before that: the Net-SNMP 5.9 master
#       caches lookups that a later registration does not always refresh.
#   vs_subagent_stop                 stop it (SIGTERM, then SIGKILL after VS_STOP_TIMEOUT) and
#                                    fail on any sanitizer report in its output; tests end
#                                    with it
#   vs_subagent_restart              stop and start it again with the same configuration
#   vs_subagent_wait_connected HV... wait until vsHvConnState.HV is connected(2) for each HV
#   vs_vs_get OID-SUFFIX...          numeric GET under VIRTSIGHT-MIB's objects, values only
# Exports VS_SUBAGENT_{BIN,DIR,CONF,LOG,PID,STATE_DIR,HV_COUNT}, VS_VS_OBJECTS (the numeric OID
# of vsObjects) and MIBDIRS (for tools that load VIRTSIGHT-MIB).

export VS_VS_OBJECTS=.1.3.6.1.4.1.8072.9999.9999.8478.1.1.1

# Start the subagent as described above.
vs_subagent_start() {
    [ -n "${VS_SNMPD_AGENTX_SOCKET:-}" ] || vs_fail "vs_subagent_start needs vs_snmpd_start first"
    export VS_SUBAGENT_BIN=${VS_SUBAGENT_BIN:-${top_builddir:?}/subagent/virtsight-subagent}
    [ -x "$VS_SUBAGENT_BIN" ] || vs_fail "$VS_SUBAGENT_BIN has not been built"
    export VS_SUBAGENT_DIR=$VS_TEST_DIR/subagent
    export VS_SUBAGENT_CONF=$VS_SUBAGENT_DIR/subagent.conf
    export VS_SUBAGENT_STATE_DIR=$VS_SUBAGENT_DIR/state
    local src=${top_srcdir:-$(cd "$VS_TEST_LIB_DIR/../.." && pwd)}
    export MIBDIRS=${VS_MIBDIRS:-$src/mib:$src/.deps/ietf-mibs:/usr/share/snmp/mibs}
    mkdir -p "$VS_SUBAGENT_DIR"
    local lines=() n=0 refresh="refreshInterval 1"
    while [ $# -gt 0 ]; do
        case $1 in
            --hv)
                lines+=("hypervisor \"$2\" $3")
                n=$((n + 1))
                shift 3
                if [ "${1:-}" = index ]; then
                    lines[-1]+=" index $2"
                    shift 2
                fi
                ;;
            --conf-line)
                case $2 in refreshInterval*) refresh= ;; esac
                lines+=("$2")
                shift 2
                ;;
            *) vs_fail "vs_subagent_start: unknown argument '$1'" ;;
        esac
    done
    {
        echo "agentXSocket $VS_SNMPD_AGENTX_SOCKET"
        echo "stateDir $VS_SUBAGENT_STATE_DIR"
        [ -z "$refresh" ] || echo "$refresh"
        printf '%s\n' "${lines[@]}"
    } >"$VS_SUBAGENT_CONF"
    export VS_SUBAGENT_HV_COUNT=$n
    vs__subagent_launch
}

# Start the binary on the written configuration and wait until it is ready.
vs__subagent_launch() {
    export VS_SUBAGENT_LOG=$VS_SUBAGENT_DIR/subagent.log
    : >"$VS_SUBAGENT_LOG"
    VS__XLOG[subagent]=$VS_SUBAGENT_LOG
    vs_daemon_start subagent "$VS_SUBAGENT_DIR/subagent.out" \
        "$VS_SUBAGENT_BIN" -f -c "$VS_SUBAGENT_CONF" -Lf "$VS_SUBAGENT_LOG"
    export VS_SUBAGENT_PID=$VS_DAEMON_PID
    local rc=0
    vs__wait_ready subagent grep -q 'serving [0-9]* hypervisor' "$VS_SUBAGENT_LOG" || rc=$?
    case $rc in
        0) return 0 ;;
        1) vs__start_failed subagent "virtsight-subagent (pid $VS_SUBAGENT_PID) did not report" \
               "serving its hypervisors within $VS_START_TIMEOUT s" ;;
        *) vs__start_failed subagent "virtsight-subagent exited during start-up" ;;
    esac
}

# Stop the subagent; fail the test if it reported anything under AddressSanitizer or
# UndefinedBehaviorSanitizer (leaks are reported at exit, so only after the stop).
vs_subagent_stop() {
    vs_daemon_stop subagent
    local out=$VS_SUBAGENT_DIR/subagent.out
    if grep -qE 'Sanitizer|runtime error:' "$out" 2>/dev/null; then
        vs_fail "virtsight-subagent reported a sanitizer error: $(grep -m 5 -E \
            'Sanitizer|runtime error:|^    #[0-9]' "$out")"
    fi
}

# Stop and start the subagent again with the same configuration and state directory.
vs_subagent_restart() {
    vs_subagent_stop
    vs__subagent_launch
}

# Values of GETs under vsObjects, one per line (numeric enums, raw values).
vs_vs_get() {
    local oids=() s
    for s in "$@"; do oids+=("$VS_VS_OBJECTS.$s"); done
    snmpget -v2c -c public -m '' -Oqv -Oe -Ot "$VS_SNMPD_ADDR" "${oids[@]}"
}

# True when vsHvConnState.HV is connected(2).
vs__subagent_hv_connected() {
    [ "$(vs_vs_get "1.1.1.8.$1" 2>/dev/null)" = 2 ]
}

# Wait until each given hypervisor index shows connected.
vs_subagent_wait_connected() {
    local hv
    for hv in "$@"; do
        vs_wait_until "$VS_START_TIMEOUT" vs__subagent_hv_connected "$hv" \
            || vs_fail "hypervisor $hv did not show connected within $VS_START_TIMEOUT s;" \
                "vsHvLastError: $(vs_vs_get "1.1.1.9.$hv" 2>&1)"
    done
}
