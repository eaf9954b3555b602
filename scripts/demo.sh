#!/bin/bash
# README command 1: install what is missing, build, and run the demo on loopback: a private
# snmpd AgentX master, the VIRTSIGHT-MIB tree as Net-SNMP reads it, and a GET of the master's
# sysLocation; then everything started is stopped. (The subagent and the manager join the demo
# as they land.)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

"$top/scripts/deps.sh" demo
"$top/scripts/build.sh" build --enable-werror >"$top/build/.vs-demo-build.log" 2>&1 || {
    tail -n 30 "$top/build/.vs-demo-build.log"
    echo "demo: the build failed; the whole log is in build/.vs-demo-build.log" >&2
    exit 1
}

VS_TEST_NAME=demo
. "$top/tests/lib/vs-test.sh"
vs_test_init
ietf=$(sed -n "s/^IETF_MIBDIR = //p" "$top/build/Makefile")
export MIBDIRS="$top/mib:$ietf:/usr/share/snmp/mibs"

echo "== VIRTSIGHT-MIB, as Net-SNMP loads it"
snmptranslate -m VIRTSIGHT-MIB -Tp VIRTSIGHT-MIB::virtsightMIB

vs_snmpd_start
echo
echo "== snmpd AgentX master: pid $VS_SNMPD_PID, udp:$VS_SNMPD_ADDR, agentx $VS_SNMPD_AGENTX_SOCKET"
snmpget -v2c -c public -m SNMPv2-MIB "$VS_SNMPD_ADDR" SNMPv2-MIB::sysLocation.0
vs_snmpd_stop
echo "== stopped the master; demo done"
