#!/bin/bash
# The demo itself, on a built tree: a private snmpd AgentX master on a free loopback port, and
# virtsight-subagent under it (with powerControl yes) serving libvirt's built-in test hypervisor
# (test:///default) and a generated node of 50 VMs; a snmptrapd on another loopback port
# receives the master's notifications and logs them decoded with VIRTSIGHT-MIB. Prints the
# hypervisor table and the VM table, pauses and resumes the VM "test" with snmpset as an
# SNMPv3 authPriv user, showing the outcome read back and each vsVmStateChanged as snmptrapd
# logged it. Then virtsight-manager polls the master over SNMPv3 and both hypervisors over
# libvirt for one cycle, writing RRD files, and prints its table. Then the demo keeps serving
# until Ctrl-C (or, with --once, stops at once); everything it started is stopped by PID.
#   scripts/demo-run.sh BUILD-DIR [--once]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "${1:?usage: demo-run.sh BUILD-DIR [--once]}" && pwd)
once=${2:-}

export top_srcdir=$top top_builddir=$builddir
. "$top/tests/lib/vs-test.sh"
vs_test_init
trap 'echo; echo "== stopping"; exit 0' INT TERM
ietf=${VS_IETF_MIBDIR:-$(sed -n 's/^IETF_MIBDIR = //p' "$builddir/Makefile")}
export VS_MIBDIRS="$top/mib:$ietf:/usr/share/snmp/mibs"
export MIBDIRS=$VS_MIBDIRS
HV=1 VM=1 # test:///default is the first hypervisor; its one VM, "test", gets vsVmIndex 1
# snmp TOOL ARGS...: run a Net-SNMP tool against the master, with VIRTSIGHT-MIB loaded.
snmp() {
    local tool=$1
    shift
    "$tool" -v2c -c public -m VIRTSIGHT-MIB:SNMPv2-MIB "$VS_SNMPD_ADDR" "$@"
}
# snmpv3 TOOL ARGS...: the same as the master's SNMPv3 user "tester", at the authPriv level.
snmpv3() {
    local tool=$1
    shift
    # shellcheck disable=SC2086 # VS_SNMPD_V3_OPTS is a list of options
    "$tool" $VS_SNMPD_V3_OPTS -m VIRTSIGHT-MIB:SNMPv2-MIB "$VS_SNMPD_ADDR" "$@"
}

# Start snmptrapd in the foreground on a free loopback port, logging every notification it
# receives to TRAPD_LOG as a block: a "notification from" line, then one varbind a line,
# decoded with every MIB in VS_MIBDIRS. Ready when it has logged its start-up line.
demo_snmptrapd_start() {
    local dir=$VS_TEST_DIR/snmptrapd attempt
    vs_require_cmd snmptrapd snmptrapd
    mkdir -p "$dir/persist"
    printf 'disableAuthorization yes\n' >"$dir/snmptrapd.conf"
    TRAPD_LOG=$dir/snmptrapd.log
    for attempt in 1 2 3 4 5; do
        TRAPD_PORT=$(vs_free_port udp) || vs_fail "cannot pick a free UDP port"
        : >"$TRAPD_LOG"
        vs_daemon_start snmptrapd "$dir/snmptrapd.out" \
            env SNMP_PERSISTENT_DIR="$dir/persist" \
            snmptrapd -f -C -c "$dir/snmptrapd.conf" -Lf "$TRAPD_LOG" -X -n \
            -p "$dir/snmptrapd.pid" -m ALL -M "$VS_MIBDIRS" \
            -F 'notification from %B\n  %V\n  %v\n' "udp:127.0.0.1:$TRAPD_PORT"
        TRAPD_PID=$VS_DAEMON_PID
        if vs_wait_until "$VS_START_TIMEOUT" demo_snmptrapd_up; then
            vs_pid_alive "$TRAPD_PID" && return 0
        fi
        vs_daemon_stop snmptrapd
        grep -q "couldn't open udp" "$TRAPD_LOG" ||
            vs_fail "snmptrapd did not start on udp:127.0.0.1:$TRAPD_PORT:" \
                "$(tail -n 5 "$TRAPD_LOG" "$dir/snmptrapd.out")"
        vs_log "snmptrapd could not bind udp:127.0.0.1:$TRAPD_PORT (attempt $attempt); new port"
    done
    vs_fail "snmptrapd could not bind a free UDP port in 5 attempts"
}

# Status 0 once snmptrapd has logged its start-up line (its port is open then) or has died.
demo_snmptrapd_up() {
    grep -q '^NET-SNMP version' "$TRAPD_LOG" || ! vs_pid_alive "$TRAPD_PID"
}

# Print the first vsVmStateChanged of VM $HV.$VM in snmptrapd's log whose vsVmOperState is $1
# (as decoded, for example paused(8)); status 1 while there is none.
demo_state_notification() {
    awk -v want="VIRTSIGHT-MIB::vsVmOperState.$HV.$VM = INTEGER: $1" '
        function flush() {
            if (!found && st && hit && done) { printf "%s", blk; found = 1 }
            blk = ""; st = hit = done = 0
        }
        /^notification from / { flush() }
        {
            blk = blk $0 "\n"
            if (index($0, "snmpTrapOID.0 = OID: VIRTSIGHT-MIB::vsVmStateChanged")) st = 1
            if (index($0, want)) hit = 1
            if (index($0, "VIRTSIGHT-MIB::vsNotifyCoalesced.")) done = 1
        }
        END { flush(); exit !found }' "$TRAPD_LOG"
}

# Status 0 once the last request for VM $HV.$VM is no longer pending.
demo_request_done() {
    [ "$(snmp snmpget -Oqv "VIRTSIGHT-MIB::vsVmAdminResultStatus.$HV.$VM")" != pending ]
}

# Ask for vsVmAdminState $1 of the VM as the SNMPv3 user, show the outcome read back once it is
# no longer pending, then wait for the vsVmStateChanged with oper state $2 and show it.
demo_admin_state() {
    local want=$1 oper=$2
    echo
    echo "== snmpset $VS_SNMPD_V3_OPTS \\"
    echo "       $VS_SNMPD_ADDR VIRTSIGHT-MIB::vsVmAdminState.$HV.$VM = $want"
    snmpv3 snmpset "VIRTSIGHT-MIB::vsVmAdminState.$HV.$VM" = "$want"
    vs_wait_until 10 demo_request_done ||
        vs_fail "the request for vsVmAdminState.$HV.$VM = $want was still pending after 10 s"
    echo "== read back (the SET is carried out after it is accepted; the result columns say how)"
    snmp snmpget "VIRTSIGHT-MIB::vsVmOperState.$HV.$VM" "VIRTSIGHT-MIB::vsVmAdminState.$HV.$VM" \
        "VIRTSIGHT-MIB::vsVmAdminResultStatus.$HV.$VM" "VIRTSIGHT-MIB::vsVmAdminResultText.$HV.$VM"
    echo "== waiting for snmptrapd to log the vsVmStateChanged to $oper ..."
    vs_wait_until 20 demo_state_notification "$oper" ||
        vs_fail "no vsVmStateChanged with vsVmOperState $oper in $TRAPD_LOG within 20 s"
    echo "== snmptrapd logged (decoded with VIRTSIGHT-MIB):"
    demo_state_notification "$oper"
}

demo_snmptrapd_start
vs_snmpd_start --trap-port "$TRAPD_PORT"
"$VS_PYTHON" "$top/tests/lib/gen_node.py" 50 >"$VS_TEST_DIR/node-50.xml"
vs_subagent_start --hv default test:///default --hv lab "test://$VS_TEST_DIR/node-50.xml" \
    --conf-line "refreshInterval 5" --conf-line "powerControl yes"
vs_subagent_wait_connected 1 2
echo
echo "== snmpd AgentX master: pid $VS_SNMPD_PID, udp:$VS_SNMPD_ADDR;" \
    "subagent: pid $VS_SUBAGENT_PID; snmptrapd: pid $TRAPD_PID, udp:127.0.0.1:$TRAPD_PORT"
snmp snmpget SNMPv2-MIB::sysLocation.0
echo
echo "== snmptable VIRTSIGHT-MIB::vsHvTable"
snmp snmptable -Cb -Cw 120 VIRTSIGHT-MIB::vsHvTable
echo
echo "== snmptable VIRTSIGHT-MIB::vsVmTable (first rows)"
snmp snmptable -Cb -Cw 160 -Cr 10 VIRTSIGHT-MIB::vsVmTable | head -n 20
echo "   ($(snmp snmpbulkwalk -Cr50 VIRTSIGHT-MIB::vsVmName | wc -l) VMs; walk it all with:" \
    "snmptable -v2c -c public -m VIRTSIGHT-MIB $VS_SNMPD_ADDR VIRTSIGHT-MIB::vsVmTable)"

name=$(snmp snmpget -Oqv "VIRTSIGHT-MIB::vsVmName.$HV.$VM")
[ "$name" = test ] || vs_fail "VM $HV.$VM is \"$name\", not test:///default's VM \"test\""
echo
echo "== VM control: pause and resume the VM \"$name\" (vsHvIndex $HV, vsVmIndex $VM);" \
    "notifications go from the master to snmptrapd"
snmp snmpget VIRTSIGHT-MIB::vsNotifyHoldDown.0
demo_admin_state paused 'paused(8)'
echo
echo "   Resuming within vsNotifyHoldDown seconds of that notification: the VM's next one is held"
echo "   until they are over, then carries the latest state (and how many changes it stands for)."
demo_admin_state running 'running(4)'

# The manager, agentless: the master (and the subagent behind it) over SNMPv3, and the same
# two hypervisors directly over libvirt; one --once cycle into RRD files, and its table.
demo_manager() {
    local dir=$VS_TEST_DIR/manager
    mkdir -p "$dir"
    printf 'auth authpassphrase\npriv privpassphrase\n' >"$dir/tester.secret"
    chmod 600 "$dir/tester.secret"
    cat >"$dir/manager.xml" <<XML
<virtsight-manager interval="60" state-dir="$dir/state" rrd-dir="$dir/rrd">
  <group name="demo">
    <host name="agent">
      <snmp address="udp:$VS_SNMPD_ADDR" version="3" user="tester" auth="SHA-256" priv="AES"
            secret-file="$dir/tester.secret"/>
    </host>
    <host name="hv-default"><libvirt uri="test:///default"/></host>
    <host name="hv-lab"><libvirt uri="test://$VS_TEST_DIR/node-50.xml"/></host>
  </group>
</virtsight-manager>
XML
    echo
    echo "== virtsight-manager --once -c $dir/manager.xml (hosts: agent over SNMPv3;" \
        "hv-default and hv-lab over libvirt)"
    local rc=0
    "$builddir/manager/virtsight-manager" -c "$dir/manager.xml" --once -l warning \
        >"$dir/once.out" || rc=$?
    grep -E '^(HOST|agent +(host|if:lo|fs:/) |hv-default )' "$dir/once.out"
    echo "   ... ($(grep -c '^hv-lab .* vm\.state ' "$dir/once.out") VMs of hv-lab and" \
        "$(grep -c '^agent .* vm\.state ' "$dir/once.out") VMs seen through the subagent" \
        "left out)"
    grep '^#' "$dir/once.out"
    echo "== exit status $rc; $(find "$dir/rrd" -name '*.rrd' | wc -l) RRD files under $dir/rrd," \
        "for example:"
    find "$dir/rrd" -name 'host.rrd' | sort
    [ "$rc" -eq 0 ] || vs_fail "virtsight-manager --once failed (status $rc)"
}
demo_manager

if [ "$once" = --once ]; then
    vs_subagent_stop
    vs_snmpd_stop
    vs_daemon_stop snmptrapd
    echo "== stopped the subagent, the master and snmptrapd" \
        "(pids $VS_SUBAGENT_PID $VS_SNMPD_PID $TRAPD_PID); demo done"
    exit 0
fi
echo
echo "== serving on udp:$VS_SNMPD_ADDR (community public; SNMPv3 user tester: $VS_SNMPD_V3_OPTS);"
echo "   notifications are logged in $TRAPD_LOG; press Ctrl-C to stop"
wait "$VS_SUBAGENT_PID" || true
