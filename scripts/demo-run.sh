#!/bin/bash
# The demo itself, on a built tree: a private snmpd AgentX master on a free loopback port, the
# VIRTSIGHT-MIB tree as Net-SNMP reads it, and a GET of the master's sysLocation; then every
# process it started is stopped. The subagent and the manager join as they land.
#   scripts/demo-run.sh BUILD-DIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "${1:?usage: demo-run.sh BUILD-DIR}" && pwd)

. "$top/tests/lib/vs-test.sh"
vs_test_init
ietf=${VS_IETF_MIBDIR:-$(sed -n 's/^IETF_MIBDIR = //p' "$builddir/Makefile")}
export MIBDIRS="$top/mib:$ietf:/usr/share/snmp/mibs"

echo "== VIRTSIGHT-MIB, as Net-SNMP loads it"
snmptranslate -m VIRTSIGHT-MIB -Tp VIRTSIGHT-MIB::virtsightMIB

vs_snmpd_start
echo
echo "== snmpd AgentX master: pid $VS_SNMPD_PID, udp:$VS_SNMPD_ADDR," \
    "agentx $VS_SNMPD_AGENTX_SOCKET"
snmpget -v2c -c public -m SNMPv2-MIB "$VS_SNMPD_ADDR" SNMPv2-MIB::sysLocation.0
vs_snmpd_stop
echo "== stopped the master (pid $VS_SNMPD_PID); demo done"
