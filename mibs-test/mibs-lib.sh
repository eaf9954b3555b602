# mibs-lib.sh: shared setup and checks for the MIB tests. Sourced by mibs-test/*.test.
#
# Every check takes the directory holding the MIB modules to check (normally the source tree's
# mib/, a damaged copy in broken-mib.test), so the same code proves both that the real MIB
# passes and that a broken one fails.

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${VS_IETF_MIBDIR:=$top_srcdir/.deps/ietf-mibs}"
: "${SMILINT:=smilint}"
: "${SMIDUMP:=smidump}"
: "${SNMPTRANSLATE:=snmptranslate}"
NETSNMP_MIBDIR=${NETSNMP_MIBDIR:-/usr/share/snmp/mibs}
VS_MIB_MODULES="VIRTSIGHT-SMI-MIB VIRTSIGHT-MIB"

mt_tmp=$(mktemp -d "${TMPDIR:-/tmp}/vs-mibs.XXXXXX")
trap 'rm -rf "$mt_tmp"' EXIT

# Net-SNMP tools: private persistent and config directories, so nothing is read from or
# written to the system's (and no "Created directory" chatter reaches stderr).
export SNMP_PERSISTENT_DIR="$mt_tmp/persist"
export SNMPCONFPATH="$mt_tmp/conf"
mkdir -p "$SNMP_PERSISTENT_DIR/cert_indexes" "$SNMPCONFPATH"

# Fail the test with a message.
mt_fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# Fail unless a command is installed.
mt_require() {
    command -v "$1" >/dev/null 2>&1 || mt_fail "$1 is not installed (Debian package $2)."
}

# Fail unless the IETF base modules are where configure said.
mt_require_ietf() {
    [ -f "$VS_IETF_MIBDIR/SNMPv2-SMI.mib" ] || [ -f "$VS_IETF_MIBDIR/SNMPv2-SMI.txt" ] \
        || [ -f "$VS_IETF_MIBDIR/SNMPv2-SMI" ] \
        || mt_fail "IETF MIB modules not found in $VS_IETF_MIBDIR (run scripts/deps.sh)."
}

# MIB search paths with DIR's modules first.
mt_paths() {
    MIBDIRS="$1:$VS_IETF_MIBDIR:$NETSNMP_MIBDIR"
    SMIPATH="$1:$VS_IETF_MIBDIR:$NETSNMP_MIBDIR"
    export MIBDIRS SMIPATH
}

# smilint -l 6 on each module in DIR; prints what it says, returns 1 if it said anything.
mt_check_smilint() {
    mt_paths "$1"
    local out rc=0
    for m in $VS_MIB_MODULES; do
        out=$("$SMILINT" -m -s -l 6 "$1/$m.txt" 2>&1) || true
        if [ -n "$out" ]; then
            printf 'smilint -l 6 %s:\n%s\n' "$m" "$out"
            rc=1
        fi
    done
    return $rc
}

# snmptranslate -Pw -Tp of each module in DIR: exit 0, no warning on stderr beyond what the
# imported base modules alone print (Net-SNMP notes the MACRO definitions of SNMPv2-SMI), and
# the tree printed holds the module's top node. Returns 1 otherwise.
mt_check_translate() {
    mt_paths "$1"
    local m top rc=0
    "$SNMPTRANSLATE" -Pw -m SNMPv2-SMI:SNMPv2-TC:SNMPv2-CONF:NET-SNMP-MIB -Tp \
        >/dev/null 2>"$mt_tmp/tp.base"
    for m in $VS_MIB_MODULES; do
        case $m in
            VIRTSIGHT-SMI-MIB) top=virtsightModules ;;
            *) top=vsConformance ;;
        esac
        if ! "$SNMPTRANSLATE" -Pw -m "$m" -Tp >"$mt_tmp/tp.out" 2>"$mt_tmp/tp.err"; then
            echo "snmptranslate -Tp -m $m failed:"
            cat "$mt_tmp/tp.err"
            rc=1
            continue
        fi
        if grep -vxF -f "$mt_tmp/tp.base" "$mt_tmp/tp.err" >"$mt_tmp/tp.new"; then
            echo "snmptranslate -Pw -Tp -m $m warned:"
            cat "$mt_tmp/tp.new"
            rc=1
        elif ! grep -q -- "+--$top(" "$mt_tmp/tp.out"; then
            echo "snmptranslate -Tp -m $m printed no $top node."
            rc=1
        fi
    done
    return $rc
}

# The (descriptor, OID) pairs of generated header H, one "name oid" per line, sorted.
mt_header_pairs() {
    sed -n 's|^#define VS_OID_[A-Z0-9_]* \([0-9][0-9, ]*\) /\* \([A-Za-z0-9]*\) \*/$|\2 \1|p' "$1" \
        | sed 's/, /./g' | sort
}

# Compare generated header H with the MIB modules in DIR, twice: every constant against
# snmptranslate -On (Net-SNMP), and the whole set against smidump (libsmi, a parser
# independent of the one that generated H), in both directions. Returns 1 on any difference.
mt_check_header() {
    local h=$1 dir=$2
    mt_paths "$dir"
    mt_header_pairs "$h" >"$mt_tmp/header.pairs"
    [ -s "$mt_tmp/header.pairs" ] || { echo "no OID constants in $h"; return 1; }

    local names=() args=()
    while read -r name _; do
        names+=("$name")
        args+=("$name")
    done <"$mt_tmp/header.pairs"
    # Bare descriptors, looked up anywhere in the loaded modules (-IR): the root node lives in
    # VIRTSIGHT-SMI-MIB, everything else in VIRTSIGHT-MIB.
    if ! "$SNMPTRANSLATE" -IR -On -m VIRTSIGHT-MIB "${args[@]}" >"$mt_tmp/tr.out" 2>"$mt_tmp/tr.err"
    then
        echo "snmptranslate could not translate every descriptor of $h:"
        grep -v 'MACRO (lines' "$mt_tmp/tr.err"
        return 1
    fi
    grep -v '^$' "$mt_tmp/tr.out" | sed 's/^\.//' >"$mt_tmp/tr.oids"
    local i=0 rc=0
    while read -r name oid; do
        i=$((i + 1))
        got=$(sed -n "${i}p" "$mt_tmp/tr.oids")
        if [ "$got" != "$oid" ]; then
            echo "$name: header says $oid, snmptranslate says ${got:-nothing}"
            rc=1
        fi
    done <"$mt_tmp/header.pairs"
    [ "$i" = "${#names[@]}" ] || rc=1

    : >"$mt_tmp/smi.pairs"
    for m in $VS_MIB_MODULES; do
        "$SMIDUMP" -f identifiers "$m" 2>"$mt_tmp/smidump.err" \
            | awk 'NF == 4 && $4 ~ /^[0-9.]+$/ { print $2, $4 }' >>"$mt_tmp/smi.pairs"
        if [ -s "$mt_tmp/smidump.err" ]; then
            echo "smidump $m:"
            cat "$mt_tmp/smidump.err"
            rc=1
        fi
    done
    sort -o "$mt_tmp/smi.pairs" "$mt_tmp/smi.pairs"
    if ! diff -u "$mt_tmp/smi.pairs" "$mt_tmp/header.pairs" >"$mt_tmp/pairs.diff"; then
        echo "header constants differ from the MIB as libsmi reads it (- MIB, + header):"
        grep '^[-+][a-zA-Z]' "$mt_tmp/pairs.diff"
        rc=1
    fi
    return $rc
}

# Generate a header from the modules in DIR into FILE with the built generator.
mt_generate_header() {
    mt_paths "$1"
    "$top_builddir/mib/vs-mib2h" VIRTSIGHT-MIB virtsight VS_MIB_H >"$2"
}
