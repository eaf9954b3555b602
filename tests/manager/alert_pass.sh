#!/bin/sh
# alert_pass.sh: an snmpd "pass_persist" program serving one OID from a queue of values, so
# that a test decides exactly which sample each poll of the manager gets.
#   snmpd.conf: pass_persist -p 1 PARENT /bin/sh alert_pass.sh OID TYPE DIR
# where PARENT is OID without its last arc (snmpd hands a GETNEXT the registered root, so the
# root must come before OID). DIR/queue holds values, one a line; the test appends to it. Each
# GET of OID, and each GETNEXT that leads to it (virtsight-manager asks for scalars as GETBULK
# non-repeaters), takes the next value not yet served, or the last one again once all are
# served (a steady value), and appends "INDEX VALUE" to DIR/served (INDEX: its line in the
# queue). Anything else in PARENT does not exist.
oid=$1 type=$2 dir=$3
pos=0
[ -r "$dir/pos" ] && read -r pos <"$dir/pos"
# Serve the next value of the queue.
take() {
    if [ ! -s "$dir/queue" ]; then
        echo NONE
        return
    fi
    n=$(wc -l <"$dir/queue")
    [ "$pos" -ge "$n" ] || pos=$((pos + 1))
    echo "$pos" >"$dir/pos"
    value=$(sed -n "${pos}p" "$dir/queue")
    echo "$pos $value" >>"$dir/served"
    echo "$oid"
    echo "$type"
    echo "$value"
}
while read -r cmd; do
    case $cmd in
        PING) echo PONG ;;
        get)
            read -r asked
            if [ "$asked" = "$oid" ]; then take; else echo NONE; fi
            ;;
        getnext)
            read -r asked
            case $oid in "$asked".*) take ;; *) echo NONE ;; esac
            ;;
        set)
            read -r asked
            read -r value
            echo not-writable
            ;;
        *) exit 0 ;;
    esac
done
