#!/bin/sh
# pass_value.sh: an snmpd "pass_persist" program serving one scalar from a file, read afresh
# on every request, so that a test controls the value the manager polls. (snmpd caches the
# output of plain "pass" programs for 30 seconds; pass_persist is not cached.)
#   snmpd.conf: pass_persist -p 1 BASE /bin/sh pass_value.sh BASE TYPE FILE
# serves BASE.0 of TYPE (gauge, counter, integer...) with the contents of FILE.
base=$1 type=$2 file=$3
answer() {
    if [ -r "$file" ]; then
        echo "$base.0"
        echo "$type"
        cat "$file"
    else
        echo NONE
    fi
}
while read -r cmd; do
    case $cmd in
        PING) echo PONG ;;
        get)
            read -r oid
            if [ "$oid" = "$base.0" ]; then answer; else echo NONE; fi
            ;;
        getnext)
            read -r oid
            case $oid in "$base" | "$base.") answer ;; *) echo NONE ;; esac
            ;;
        set)
            read -r oid
            read -r value
            echo not-writable
            ;;
        *) exit 0 ;;
    esac
done
