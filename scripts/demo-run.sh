#!/bin/bash
# The demo itself, on a built tree: a private snmpd AgentX master on a free loopback port, and
# virtsight-subagent under it serving libvirt's built-in test hypervisor (test:///default) and
# a generated node of 50 VMs. Prints the hypervisor table and the VM table, then
# keeps serving until Ctrl-C (or, with --once, stops at once); everything it started is
# stopped by PID.
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
# snmp TOOL ARGS...: run a Net-SNMP tool against the master, with VIRTSIGHT-MIB loaded.
snmp() {
    local tool=$1
    shift
    "$tool" -v2c -c public -m VIRTSIGHT-MIB:SNMPv2-MIB "$VS_SNMPD_ADDR" "$@"
}

vs_snmpd_start
"$VS_PYTHON" "$top/tests/lib/gen_node.py" 50 >"$VS_TEST_DIR/node-50.xml"
vs_subagent_start --hv default test:///default --hv lab "test://$VS_TEST_DIR/node-50.xml" \
    --conf-line "refreshInterval 5"
vs_subagent_wait_connected 1 2
echo
echo "== snmpd AgentX master: pid $VS_SNMPD_PID, udp:$VS_SNMPD_ADDR; subagent: pid $VS_SUBAGENT_PID"
snmp snmpget SNMPv2-MIB::sysLocation.0
echo
echo "== snmptable VIRTSIGHT-MIB::vsHvTable"
snmp snmptable -Cb -Cw 120 VIRTSIGHT-MIB::vsHvTable
echo
echo "== snmptable VIRTSIGHT-MIB::vsVmTable (first rows)"
snmp snmptable -Cb -Cw 160 -Cr 10 VIRTSIGHT-MIB::vsVmTable | head -n 20
echo "   ($(snmp snmpbulkwalk -Cr50 VIRTSIGHT-MIB::vsVmName | wc -l) VMs; walk it all with:" \
    "snmptable -v2c -c public -m VIRTSIGHT-MIB $VS_SNMPD_ADDR VIRTSIGHT-MIB::vsVmTable)"
if [ "$once" = --once ]; then
    vs_subagent_stop
    vs_snmpd_stop
    echo "== stopped the subagent and the master (pids $VS_SUBAGENT_PID $VS_SNMPD_PID); demo done"
    exit 0
fi
echo
echo "== serving on udp:$VS_SNMPD_ADDR (community public); press Ctrl-C to stop"
wait "$VS_SUBAGENT_PID" || true
