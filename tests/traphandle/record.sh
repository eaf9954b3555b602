#!/bin/bash
# Record what a real snmptrapd writes on a trap handler's stdin, for every trap case
# below, under each of the three formattings the trap handler must read:
#   num    -n -m '' -On -Oe -Ot -Ox   (what the man page recommends: unambiguous)
#   plain  -m ''                      (Debian's default: no MIBs, no -O flags, names resolved)
#   mibs   -m SNMPv2-MIB:IF-MIB:VIRTSIGHT-MIB  (MIBs loaded: symbolic OIDs and enums)
# Output: OUTDIR/<formatting>-<case>.trap, byte for byte what the handler read.
#   tests/traphandle/record.sh OUTDIR
# Run by hand to refresh tests/traphandle/data/ (its files are unit-test inputs and the fuzz
# seed corpus), and by live.test to check that the parser still reads today's snmptrapd.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib/vs-test.sh"

out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
vs_test_init
vs_require_cmd snmptrapd snmptrapd
vs_require_cmd snmptrap snmp
vs_require_cmd snmpinform snmp

# The MIB modules the "mibs" formatting loads (VS_MIBDIRS comes from make check).
: "${VS_MIBDIRS:=$top_srcdir/mib:$top_srcdir/.deps/ietf-mibs:/usr/share/snmp/mibs}"

ENGINE=0x8000000001020304
V3="-v3 -u tester -l authPriv -a SHA-256 -A authpassphrase -x AES -X privpassphrase"
VS=1.3.6.1.4.1.8072.9999.9999.8478.1.1 # VIRTSIGHT-MIB (vsNotifications = $VS.0)
VM=$VS.1.2.1.1                          # vsVmEntry
HV=$VS.1.1.1.1                          # vsHvEntry
IF=1.3.6.1.2.1.2.2.1                    # ifEntry
UUID="6b 1e 2c 3d 4e 5f 40 61 82 93 a4 b5 c6 d7 e8 f9"

spool=$VS_TEST_DIR/spool
received=0

# Start snmptrapd with formatting options "$@" on a free port; the handler spools stdin.
trapd_start() {
    local conf=$VS_TEST_DIR/snmptrapd.conf log=$VS_TEST_DIR/snmptrapd-$fmt.log
    mkdir -p "$VS_TEST_DIR/persist" "$spool"
    rm -f "$spool"/*.trap
    received=0
    {
        echo "disableAuthorization yes"
        echo "createUser -e $ENGINE tester SHA-256 authpassphrase AES privpassphrase"
        echo "createUser tester SHA-256 authpassphrase AES privpassphrase"
        echo "traphandle default /bin/sh '$VS_TEST_LIB_DIR/trap_spool.sh' '$spool'"
    } >"$conf"
    PORT=$(vs_free_port udp)
    ADDR=127.0.0.1:$PORT
    vs_daemon_start snmptrapd "$VS_TEST_DIR/snmptrapd.out" \
        env SNMP_PERSISTENT_DIR="$VS_TEST_DIR/persist" MIBDIRS="$VS_MIBDIRS" \
        snmptrapd -f -C -c "$conf" -Lf "$log" \
        -p "$VS_TEST_DIR/snmptrapd.pid" "$@" "udp:$ADDR"
    vs_wait_until 10 grep -q 'NET-SNMP version' "$log" ||
        vs_fail "snmptrapd $* did not start; $(cat "$log")"
}

# Status 0 once the spool holds N traps.
spool_has() {
    local files=("$spool"/*.trap)
    [ -e "${files[0]}" ] && [ "${#files[@]}" -ge "$1" ]
}

# Send one trap with the command "$@" (host inserted after the options by the caller) and
# store what the handler read as $out/$fmt-$name.trap.
send() {
    local name=$1
    shift
    "$@" >/dev/null 2>"$VS_TEST_DIR/send.err" ||
        vs_fail "$name: $* failed: $(cat "$VS_TEST_DIR/send.err")"
    received=$((received + 1))
    vs_wait_until 10 spool_has "$received" || vs_fail "$name: the handler got no trap"
    cp "$spool/$(printf '%04d' "$received").trap" "$out/$fmt-$name.trap"
}

# Every case, sent to the snmptrapd at $ADDR.
send_all() {
    local v2="snmptrap -v2c -c public -m '' $ADDR"
    send v2c-coldstart snmptrap -v2c -c public -m '' "$ADDR" 12345 1.3.6.1.6.3.1.1.5.1
    send v2c-linkdown snmptrap -v2c -c public -m '' "$ADDR" 4200 1.3.6.1.6.3.1.1.5.3 \
        $IF.1.2 i 2 $IF.2.2 s eth0 $IF.7.2 i 1 $IF.8.2 i 2
    send v2c-types snmptrap -v2c -c public -m '' "$ADDR" '' 1.3.6.1.4.1.8072.9999.1.0.1 \
        1.3.6.1.4.1.8072.9999.1.1.0 i -42 \
        1.3.6.1.4.1.8072.9999.1.2.0 u 4294967295 \
        1.3.6.1.4.1.8072.9999.1.3.0 c 123456 \
        1.3.6.1.4.1.8072.9999.1.4.0 C 18446744073709551615 \
        1.3.6.1.4.1.8072.9999.1.5.0 t 8640123 \
        1.3.6.1.4.1.8072.9999.1.6.0 a 192.0.2.33 \
        1.3.6.1.4.1.8072.9999.1.7.0 o 1.3.6.1.6.3.1.1.5.3 \
        1.3.6.1.4.1.8072.9999.1.8.0 s "plain text" \
        1.3.6.1.4.1.8072.9999.1.9.0 x "00 01 7f 80 ff" \
        1.3.6.1.4.1.8072.9999.1.10.0 s "" \
        1.3.6.1.4.1.8072.9999.1.11.0 n "" \
        1.3.6.1.4.1.8072.9999.1.12.0 U 18446744073709551615 \
        1.3.6.1.4.1.8072.9999.1.13.0 I -9223372036854775807 \
        1.3.6.1.4.1.8072.9999.1.14.0 F 1.5 \
        1.3.6.1.4.1.8072.9999.1.15.0 D -2.25 \
        1.3.6.1.4.1.8072.9999.1.16.0 b "1 3" \
        1.3.6.1.4.1.8072.9999.1.17.0 d "1.2.255"
    send v2c-strings snmptrap -v2c -c public -m '' "$ADDR" '' 1.3.6.1.4.1.8072.9999.1.0.2 \
        1.3.6.1.4.1.8072.9999.1.1.0 s "line one
line two" \
        1.3.6.1.4.1.8072.9999.1.2.0 s "say \"hi\" \\ back\\slash" \
        1.3.6.1.4.1.8072.9999.1.3.0 s 'a;b|c`id`$(rm -rf /)&&x>y' \
        1.3.6.1.4.1.8072.9999.1.4.0 s "<!channel> <@U123> *bold* <http://x|y>" \
        1.3.6.1.4.1.8072.9999.1.5.0 x "63 61 66 c3 a9 c3 28 ff fe 0d 0a 00 41" \
        1.3.6.1.4.1.8072.9999.1.6.0 s "café ünïcode" \
        1.3.6.1.4.1.8072.9999.1.7.0 s "tab$(printf '\t')and cr$(printf '\r')end" \
        1.3.6.1.4.1.8072.9999.1.8.0 s "$(printf 'x%.0s' $(seq 1 300))" \
        1.3.6.1.4.1.8072.9999.1.9.0 s "exactly16bytes.." \
        1.3.6.1.4.1.8072.9999.1.10.0 s "seventeen bytes.."
    send v1-linkdown snmptrap -v1 -c public -m '' "$ADDR" 1.3.6.1.4.1.8072.3.2.10 192.0.2.7 \
        2 0 4200 $IF.1.3 i 3
    send v1-specific snmptrap -v1 -c public -m '' "$ADDR" $VS 192.0.2.8 6 1 777 \
        $HV.2.1 s hv1 $VM.2.1.3 s web1 $VM.7.1.3 i 8
    send v2c-inform-linkup snmpinform -v2c -c public -m '' "$ADDR" 99 1.3.6.1.6.3.1.1.5.4 \
        $IF.1.2 i 2 $IF.2.2 s eth0 $IF.7.2 i 1 $IF.8.2 i 1
    # shellcheck disable=SC2086
    send v3-statechanged snmptrap $V3 -e $ENGINE -m '' "$ADDR" 5000 $VS.0.1 \
        $HV.2.1 s hv1 $VM.2.1.3 s web1 $VM.3.1.3 x "$UUID" $VM.7.1.3 i 8 \
        $VS.1.5.1.0 i 4 $VM.8.1.3 s user $VS.1.5.2.0 u 0
    # shellcheck disable=SC2086
    send v3-inform-alarm snmpinform $V3 -m '' "$ADDR" 6000 $VS.0.7 \
        $VS.1.6.1.0 s seoul/hv1/vm:web1 $VS.1.6.2.0 s vm.cpu.util $VS.1.6.3.0 s 97.3 \
        $VS.1.6.4.0 s 95 $VS.1.6.5.0 i 2
    send v2c-hvlost snmptrap -v2c -c public -m '' "$ADDR" 7000 $VS.0.5 \
        $HV.2.1 s "hv1" $HV.3.1 s "qemu+ssh://hv1.example.net/system" \
        $HV.9.1 s "Cannot recv data: ssh: connect to host hv1 port 22: No route to host
<!here> \"quoted\""
    send v2c-crashed snmptrap -v2c -c public -m '' "$ADDR" 8000 $VS.0.1 \
        $HV.2.1 s hv2 $VM.2.2.9 s "db\"1" $VM.3.2.9 x "$UUID" $VM.7.2.9 i 12 \
        $VS.1.5.1.0 i 4 $VM.8.2.9 s panicked $VS.1.5.2.0 u 2
    send v2c-long snmptrap -v2c -c public -m '' "$ADDR" '' 1.3.6.1.4.1.8072.9999.1.0.3 \
        1.3.6.1.4.1.8072.9999.1.1.0 s "$(printf 'y%.0s' $(seq 1 4000))"
}

for fmt in num plain mibs; do
    case $fmt in
        num) trapd_start -n -m '' -On -Oe -Ot -Ox ;;
        plain) trapd_start -m '' ;;
        mibs) trapd_start -m SNMPv2-MIB:IF-MIB:VIRTSIGHT-MIB ;;
    esac
    send_all
    vs_daemon_stop snmptrapd
done
ls "$out" | wc -l
