# vs-test-snmp.sh: part of vs-test.sh (which sources it): the private snmpd
# AgentX master and snmptrapd for virtsight's integration tests.  Functions
# and variables are documented at the top of vs-test.sh.

# ---------------------------------------------------------------- snmpd

# Start a private snmpd AgentX master; options and variables: see vs-test.sh.
vs_snmpd_start() {
    local trap_port='' lines=() attempt rc
    while [ $# -gt 0 ]; do
        case $1 in
            --trap-port) trap_port=$2; shift 2 ;;
            --conf-line) lines+=("$2"); shift 2 ;;
            *) vs_fail "vs_snmpd_start: unknown option '$1'" ;;
        esac
    done
    vs_require_cmd snmpd snmpd
    vs_require_cmd snmpget snmp
    vs__snmpd_vars
    for attempt in 1 2 3 4 5; do
        VS_SNMPD_PORT=$(vs_free_port udp) || vs_fail "cannot pick a free UDP port"
        VS_SNMPD_ADDR=127.0.0.1:$VS_SNMPD_PORT
        vs__snmpd_conf "$trap_port" "${lines[@]}"
        vs__snmpd_launch_wait && return 0
        rc=$?
        [ "$rc" -eq 3 ] || break
        vs_log "snmpd could not bind udp:$VS_SNMPD_ADDR (attempt $attempt); new port"
    done
    vs__snmpd_give_up "$rc"
}

# Set the snmpd variables that do not depend on the port.
vs__snmpd_vars() {
    export VS_SNMPD_DIR=$VS_TEST_DIR/snmpd
    export VS_SNMPD_CONF=$VS_SNMPD_DIR/snmpd.conf
    export VS_SNMPD_LOG=$VS_SNMPD_DIR/snmpd.log
    export VS_SNMPD_AGENTX_SOCKET=$VS_SNMPD_DIR/agentx.sock
    export VS_SNMPD_MARKER=marker-$$-$RANDOM$RANDOM
    export VS_SNMPD_V3_OPTS="-v3 -l authPriv -u tester -a SHA-256 -A authpassphrase"
    VS_SNMPD_V3_OPTS+=" -x AES -X privpassphrase"
    export VS_SNMPD_PORT VS_SNMPD_ADDR VS_SNMPD_PID
    mkdir -p "$VS_SNMPD_DIR/persist"
}

# Write snmpd.conf for VS_SNMPD_PORT; $1 = trap port or "", then extra lines.
vs__snmpd_conf() {
    local trap_port=$1 line
    shift
    {
        echo "[snmpd]"
        echo "agentaddress udp:$VS_SNMPD_ADDR"
        echo "master agentx"
        echo "agentXSocket $VS_SNMPD_AGENTX_SOCKET"
        echo "agentXTimeout 5"
        echo "rocommunity public 127.0.0.1"
        echo "rwcommunity private 127.0.0.1"
        echo "createUser tester SHA-256 authpassphrase AES privpassphrase"
        echo "rwuser tester authpriv"
        echo "sysLocation $VS_SNMPD_MARKER"
        # Informs (acknowledged), with a timeout long enough that a handler falling behind
        # under load does not make snmpd send one again: tests count what arrives.
        [ -z "$trap_port" ] || echo "trapsess -Ci -t 30 -r 1 -v 2c -c public 127.0.0.1:$trap_port"
        echo "dontLogTCPWrappersConnects yes"
        for line in "$@"; do
            echo "$line"
        done
        echo "[snmp]"
        echo "persistentDir $VS_SNMPD_DIR/persist"
    } >"$VS_SNMPD_CONF"
}

# Start snmpd from VS_SNMPD_CONF and wait: 0 ready, 1 timeout, 2 died, 3 bind.
vs__snmpd_launch_wait() {
    local rc=0
    vs__log_rotate "$VS_SNMPD_LOG"
    VS__XLOG[snmpd]=$VS_SNMPD_LOG
    vs_daemon_start snmpd "$VS_SNMPD_DIR/snmpd.out" \
        env SNMP_PERSISTENT_DIR="$VS_SNMPD_DIR/persist" \
        snmpd -f -C -c "$VS_SNMPD_CONF" -Lf "$VS_SNMPD_LOG" \
        -p "$VS_SNMPD_DIR/snmpd.pid" -I -smux -m ''
    VS_SNMPD_PID=$VS_DAEMON_PID
    vs__wait_ready snmpd vs__snmpd_answers || rc=$?
    [ "$rc" -eq 0 ] && return 0
    [ "$rc" -eq 1 ] && return 1
    vs__forget_dead snmpd
    grep -q 'Error opening specified endpoint' "$VS_SNMPD_LOG" && return 3
    return 2
}

# Status 0 if snmpd logged its start-up line (its ports are open then) and the
# agent at VS_SNMPD_ADDR answers sysLocation.0 with our marker.
vs__snmpd_answers() {
    local got
    grep -q '^NET-SNMP version' "$VS_SNMPD_LOG" || return 1
    got=$(snmpget -v2c -c public -t 1 -r 0 -m '' -On -Oqv "$VS_SNMPD_ADDR" \
        .1.3.6.1.2.1.1.6.0 2>/dev/null) || return 1
    [ "$got" = "\"$VS_SNMPD_MARKER\"" ] || [ "$got" = "$VS_SNMPD_MARKER" ]
}

# Fail the test after vs__snmpd_launch_wait returned RC.
vs__snmpd_give_up() {
    case $1 in
        1) vs__start_failed snmpd "snmpd (pid $VS_SNMPD_PID) on udp:$VS_SNMPD_ADDR" \
               "did not answer the marker $VS_SNMPD_MARKER within $VS_START_TIMEOUT s" ;;
        3) vs__start_failed snmpd "snmpd could not bind a free UDP port in 5 attempts" ;;
        *) vs__start_failed snmpd "snmpd on udp:$VS_SNMPD_ADDR exited during start-up" ;;
    esac
}

# Stop the snmpd started by vs_snmpd_start.
vs_snmpd_stop() {
    vs_daemon_stop snmpd
}

# Stop snmpd and start it again with the same port, socket and config.
vs_snmpd_restart() {
    local attempt rc
    [ -n "${VS_SNMPD_CONF:-}" ] || vs_fail "vs_snmpd_restart: snmpd was never started"
    vs_snmpd_stop
    for attempt in 1 2 3; do
        vs__snmpd_launch_wait && return 0
        rc=$?
        [ "$rc" -eq 3 ] || break
        sleep 0.2
    done
    vs__snmpd_give_up "$rc"
}

# GET OIDs from the private snmpd (v2c, community public); print the values.
vs_snmpget() {
    snmpget -v2c -c public -t 1 -r 1 -m '' -On -Oqv "$VS_SNMPD_ADDR" "$@"
}

# ---------------------------------------------------------------- snmptrapd

# Start snmptrapd with "traphandle default HANDLER" (default: the spooler).
vs_snmptrapd_start() {
    local handler=${1:-} attempt rc
    vs_require_cmd snmptrapd snmptrapd
    vs_require_cmd snmptrap snmp
    vs__snmptrapd_vars
    VS__TRAPD_SPOOLING=
    if [ -z "$handler" ]; then
        handler="/bin/sh '$VS_TEST_LIB_DIR/trap_spool.sh' '$VS_SNMPTRAPD_SPOOL'"
        VS__TRAPD_SPOOLING=1
    fi
    for attempt in 1 2 3 4 5; do
        VS_SNMPTRAPD_PORT=$(vs_free_port udp) || vs_fail "cannot pick a free UDP port"
        VS_SNMPTRAPD_ADDR=127.0.0.1:$VS_SNMPTRAPD_PORT
        printf 'disableAuthorization yes\ntraphandle default %s\n' "$handler" \
            >"$VS_SNMPTRAPD_CONF"
        vs__snmptrapd_launch_wait && return 0
        rc=$?
        [ "$rc" -eq 3 ] || break
        vs_log "snmptrapd could not bind udp:$VS_SNMPTRAPD_ADDR (attempt $attempt); new port"
    done
    vs__snmptrapd_give_up "$rc"
}

# Set the snmptrapd variables that do not depend on the port.
vs__snmptrapd_vars() {
    export VS_SNMPTRAPD_DIR=$VS_TEST_DIR/snmptrapd
    export VS_SNMPTRAPD_CONF=$VS_SNMPTRAPD_DIR/snmptrapd.conf
    export VS_SNMPTRAPD_LOG=$VS_SNMPTRAPD_DIR/snmptrapd.log
    export VS_SNMPTRAPD_SPOOL=$VS_SNMPTRAPD_DIR/spool
    export VS_SNMPTRAPD_PORT VS_SNMPTRAPD_ADDR VS_SNMPTRAPD_PID
    # At most 16 bytes: snmptrapd wraps longer hex strings over several lines.
    VS__TRAPD_MARKER=vs$$.$RANDOM
    mkdir -p "$VS_SNMPTRAPD_DIR/persist" "$VS_SNMPTRAPD_SPOOL"
}

# Start snmptrapd and wait: 0 ready, 1 timeout, 2 died, 3 bind failure.
vs__snmptrapd_launch_wait() {
    local rc=0
    vs__log_rotate "$VS_SNMPTRAPD_LOG"
    VS__XLOG[snmptrapd]=$VS_SNMPTRAPD_LOG
    vs_daemon_start snmptrapd "$VS_SNMPTRAPD_DIR/snmptrapd.out" \
        env SNMP_PERSISTENT_DIR="$VS_SNMPTRAPD_DIR/persist" \
        snmptrapd -f -C -c "$VS_SNMPTRAPD_CONF" -Lf "$VS_SNMPTRAPD_LOG" \
        -p "$VS_SNMPTRAPD_DIR/snmptrapd.pid" -n -m '' -On -Oe -Ot -Ox \
        "udp:$VS_SNMPTRAPD_ADDR"
    VS_SNMPTRAPD_PID=$VS_DAEMON_PID
    vs__wait_ready snmptrapd vs__snmptrapd_receives || rc=$?
    [ "$rc" -eq 0 ] && return 0
    [ "$rc" -eq 1 ] && return 1
    vs__forget_dead snmptrapd
    grep -q "couldn't open udp" "$VS_SNMPTRAPD_LOG" && return 3
    return 2
}

# Send a readiness trap carrying the marker; 0 once the log shows the marker
# and, with the default handler, the spool holds it too.
vs__snmptrapd_receives() {
    local hex
    hex=$(printf '%s' "$VS__TRAPD_MARKER" | od -An -tx1 | tr -s ' \n' '  ' |
        tr a-f A-F)
    hex=${hex# }
    hex=${hex% }
    grep -q 'NET-SNMP version' "$VS_SNMPTRAPD_LOG" || return 1
    if ! grep -qF "$hex" "$VS_SNMPTRAPD_LOG"; then
        snmptrap -v2c -c public -m '' "$VS_SNMPTRAPD_ADDR" '' "$VS_SNMPTRAPD_READY_OID" \
            "$VS_SNMPTRAPD_READY_OID.1" s "$VS__TRAPD_MARKER" 2>/dev/null || return 1
        vs_wait_until 1 grep -qF "$hex" "$VS_SNMPTRAPD_LOG" || return 1
    fi
    [ -z "$VS__TRAPD_SPOOLING" ] || [ -n "$(vs_snmptrapd_find "$VS_SNMPTRAPD_READY_OID")" ]
}

# Fail the test after vs__snmptrapd_launch_wait returned RC.
vs__snmptrapd_give_up() {
    case $1 in
        1) vs__start_failed snmptrapd "snmptrapd (pid $VS_SNMPTRAPD_PID) on" \
               "udp:$VS_SNMPTRAPD_ADDR did not log the test trap within $VS_START_TIMEOUT s" ;;
        3) vs__start_failed snmptrapd "snmptrapd could not bind a free UDP port in 5 attempts" ;;
        *) vs__start_failed snmptrapd "snmptrapd on udp:$VS_SNMPTRAPD_ADDR exited" \
               "during start-up" ;;
    esac
}

# Stop the snmptrapd started by vs_snmptrapd_start.
vs_snmptrapd_stop() {
    vs_daemon_stop snmptrapd
}

# Print the spooled trap files whose snmpTrapOID.0 is OID, oldest first.
vs_snmptrapd_find() {
    local f
    for f in "$VS_SNMPTRAPD_SPOOL"/*.trap; do
        [ -f "$f" ] || continue
        grep -qxF ".1.3.6.1.6.3.1.1.4.1.0 $1" "$f" && echo "$f"
    done
    return 0
}

# Join the continuation lines of hex strings that -Ox wraps: one "OID VALUE" line each.
vs_join_wrapped() {
    awk 'substr($0, 1, 1) == "." { if (l != "") print l; l = $0; next }
         { l = l $0 }
         END { if (l != "") print l }'
}

# The value of varbind OID in spooled trap FILE, as the spool shows it.
vs_trap_value() {
    vs_join_wrapped <"$1" | awk -v o="$2" '$1 == o { $1 = ""; sub(/^ /, ""); print }'
}

# The text of a hex string as -Ox shows it ("74 65 73 74 ", quotes allowed).
vs_unhex() {
    tr -d '"' | "$VS_PYTHON" -c 'import sys; print(bytes.fromhex(sys.stdin.read()).decode())'
}
