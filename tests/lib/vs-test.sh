# vs-test.sh: bash library for virtsight's integration tests.  It starts real
# daemons (snmpd as AgentX master, snmptrapd, rrdcached, libvirtd, an SMTP
# sink, an HTTP sink) on loopback ports chosen at run time, inside a per-test
# temporary directory, waits until each one provably answers, and stops every
# one of them by PID when the test exits, however it exits.  The services
# live in vs-test-snmp.sh and vs-test-services.sh, which this file sources;
# everything is documented here.
#
# Use from a test script (#!/bin/bash, set -eu):
#     . "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib/vs-test.sh"
#     vs_test_init
#     vs_snmpd_start
#     vs_assert_eq "\"$VS_SNMPD_MARKER\"" "$(vs_snmpget .1.3.6.1.2.1.1.6.0)" "sysLocation"
# Exit status 0 = pass.  On success the test directory is removed; on failure
# (non-zero exit, vs_fail, SIGINT/SIGTERM/SIGHUP) it is kept and its path and
# the tail of every daemon log are printed on stderr.  A missing tool is a
# failure naming the Debian package to install, never a skip.
#
# Environment read
#   top_srcdir        source tree (default: derived from this file's location)
#   VS_PYTHON         Python with Debian's modules (default /usr/bin/python3)
#   TMPDIR            parent of the test directory (default /tmp)
#   VS_START_TIMEOUT  seconds a daemon gets to become ready (default 10)
#   VS_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL (default 5)
#   VS_KEEP_TEST_DIR  non-empty: keep the test directory even on success
#   VS_LIBVIRTD_USER  user libvirtd runs as when the test runs as root (nobody)
#
# Common functions
#   vs_test_init                  create VS_TEST_DIR, install the cleanup trap
#   vs_log MSG...                 print "vs-test: TEST: MSG" on stderr
#   vs_fail MSG...                print "FAIL: TEST: MSG" on stderr, exit 1
#   vs_assert_eq EXP ACT WHAT     fail unless ACT equals EXP
#   vs_assert_match ERE ACT WHAT  fail unless ACT matches the extended regex
#   vs_assert_file_contains FILE STR WHAT  fail unless FILE contains STR (fixed)
#   vs_assert_pid_gone PID WHAT   fail if PID is still running
#   vs_wait_until TIMEOUT CMD...  run CMD (output discarded) every 50 ms until it
#                                 succeeds: status 0, or 1 after TIMEOUT seconds
#   vs_require_cmd CMD PKG        fail unless CMD is on PATH (PKG: Debian package)
#   vs_require_python_module MOD PKG  fail unless VS_PYTHON imports MOD
#   vs_free_port udp|tcp          print a port that is free on 127.0.0.1 now
#   vs_pid_alive PID              status 0 if PID runs (a zombie counts as gone)
#   vs_daemon_start NAME LOG CMD...  run CMD in the background (stdin /dev/null,
#                                 output to LOG), register it for cleanup, set
#                                 VS_DAEMON_PID; for the code under test too
#   vs_daemon_adopt NAME PID LOG  register a process that forked itself, for cleanup
#   vs_daemon_stop NAME           stop a registered process: SIGTERM, wait up to
#                                 VS_STOP_TIMEOUT, then SIGKILL; reap it
#   vs_daemon_wait NAME TIMEOUT   wait for it to exit by itself; sets
#                                 VS_DAEMON_STATUS; status 1 if still running
# Services (each fails the test if the daemon does not become ready)
#   vs_snmpd_start [--trap-port PORT] [--conf-line LINE]...
#                                 private snmpd AgentX master; ready when its PID
#                                 lives and sysLocation.0 answers the marker
#   vs_snmpd_stop                 stop it
#   vs_snmpd_restart              stop and start again on the same port/socket
#   vs_snmpget OID...             v2c GET from it, numeric OIDs, prints values
#   vs_snmptrapd_start [HANDLER]  snmptrapd with "traphandle default HANDLER"
#                                 (a shell command line; default: spool each
#                                 trap to VS_SNMPTRAPD_SPOOL/NNNN.trap); ready
#                                 when a trap it was sent shows in its log (and
#                                 in the spool); a given handler may get that
#                                 trap a moment after the start returns
#   vs_snmptrapd_stop             stop it
#   vs_snmptrapd_find OID         print the spooled trap files whose
#                                 snmpTrapOID.0 is OID (default handler only)
#   vs_trap_value FILE OID        the value of varbind OID in spooled trap FILE
#                                 (hex strings that -Ox wrapped joined again)
#   vs_join_wrapped               filter: join the lines -Ox wraps long hex
#                                 strings onto (one "OID VALUE" line each)
#   vs_unhex                      filter: a hex string ("74 65 73 74 ") as text
#   vs_rrdcached_start            rrdcached on a unix socket; ready on PING/PONG
#   vs_rrdcached_stop             stop it (SIGTERM with -F: flushes everything)
#   vs_rrdcached_cmd LINE         send one protocol line, print the answer
#   vs_libvirtd_start             libvirtd by hand, unprivileged, everything in
#                                 the test directory; ready when virsh lists
#   vs_libvirtd_hold [URI]        keep a virsh connection open in the background
#                                 so test:///default state persists between calls
#   vs_libvirtd_release           close the held connection
#   vs_libvirtd_stop              stop the holder and libvirtd
#   vs_virsh ARGS...              virsh -c VS_LIBVIRTD_URI, $HOME left alone
#   vs_smtp_sink_start [--reject ADDR]... [--tempfail ADDR]...
#                                 tests/lib/smtp_sink.py; ready on the 220 banner;
#                                 mail in VS_SMTP_MAIL_DIR/NNNN.eml (X-Envelope-From
#                                 and X-Envelope-To prepended) + NNNN.json
#   vs_smtp_sink_stop             stop it
#   vs_http_sink_start [--retry-after N] [--slow-delay S] [--script SEQ]
#                                 tests/lib/http_sink.py (modes by path: /ok /429
#                                 /500 /slow /script, see its header); ready on
#                                 GET /health; requests in VS_HTTP_REQUEST_LOG
#   vs_http_sink_stop             stop it
#
# Exported variables (VS_<SERVICE>_<WHAT>; *_LOG is the daemon's own log, its
# stdout/stderr go to a file beside it; *_DIR holds everything of the service)
#   VS_TEST_DIR VS_TEST_NAME VS_PYTHON SNMP_PERSISTENT_DIR (CLI tools' state)
#   VS_SNMPD_DIR VS_SNMPD_CONF VS_SNMPD_LOG VS_SNMPD_PID VS_SNMPD_PORT
#     VS_SNMPD_ADDR (127.0.0.1:PORT) VS_SNMPD_AGENTX_SOCKET VS_SNMPD_MARKER
#     VS_SNMPD_V3_OPTS (snmpget options for the authPriv user "tester")
#   VS_SNMPTRAPD_DIR VS_SNMPTRAPD_CONF VS_SNMPTRAPD_LOG VS_SNMPTRAPD_PID
#     VS_SNMPTRAPD_PORT VS_SNMPTRAPD_ADDR VS_SNMPTRAPD_SPOOL
#     VS_SNMPTRAPD_READY_OID (snmpTrapOID of the readiness traps: filter it out)
#   VS_RRDCACHED_DIR VS_RRDCACHED_LOG VS_RRDCACHED_PID VS_RRDCACHED_SOCKET
#     VS_RRDCACHED_ADDR (unix:PATH) VS_RRDCACHED_DATA_DIR VS_RRDCACHED_JOURNAL_DIR
#   VS_LIBVIRTD_DIR VS_LIBVIRTD_CONF VS_LIBVIRTD_LOG VS_LIBVIRTD_PID
#     VS_LIBVIRTD_SOCKET VS_LIBVIRTD_URI (test+unix:///default?socket=...)
#     VS_LIBVIRTD_HOLD_PID VS_LIBVIRTD_HOLD_LOG
#   VS_SMTP_DIR VS_SMTP_LOG VS_SMTP_PID VS_SMTP_PORT VS_SMTP_MAIL_DIR
#   VS_HTTP_DIR VS_HTTP_LOG VS_HTTP_PID VS_HTTP_PORT VS_HTTP_URL
#     VS_HTTP_REQUEST_LOG
#   VS_DAEMON_STATUS (last vs_daemon_wait)
# Set, not exported: VS_DAEMON_PID (last vs_daemon_start), VS_TEST_LIB_DIR.
#
# Notes
# - A long wait in a test should poll (vs_wait_until) rather than run one long
#   foreground command: bash runs the signal trap only when it returns.
# - Functions meant for $(...) (vs_free_port, vs_snmpget, vs_rrdcached_cmd,
#   vs_snmptrapd_find) start no daemons; vs_fail inside $(...) ends only it.
# - snmptrapd -Ox prints strings longer than 16 bytes as hex over several
#   lines, in its log and on the handler's stdin alike.
# - The library owns the EXIT, INT, TERM and HUP traps: do not replace them;
#   register extra processes with vs_daemon_start instead.
# - A background job of a non-interactive shell starts with SIGINT ignored and
#   bash cannot trap it then: run a child test with env --default-signal=INT.

VS_TEST_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export VS_PYTHON=${VS_PYTHON:-/usr/bin/python3}
VS_START_TIMEOUT=${VS_START_TIMEOUT:-10}
VS_STOP_TIMEOUT=${VS_STOP_TIMEOUT:-5}
export VS_SNMPTRAPD_READY_OID=.1.3.6.1.4.1.8072.9999.9999.7
declare -ga VS__DAEMONS=()
declare -ga VS__EVER=()
declare -gA VS__PID=()
declare -gA VS__LOG=()
declare -gA VS__XLOG=()
VS__CLEANING=
VS__HOLD_FD=

# ---------------------------------------------------------------- messages

# Print a progress or diagnostic line on stderr.
vs_log() {
    echo "vs-test: ${VS_TEST_NAME:-?}: $*" >&2
}

# Report a failure and end the test with status 1 (cleanup runs from the trap).
vs_fail() {
    echo "FAIL: ${VS_TEST_NAME:-?}: $*" >&2
    exit 1
}

# Fail unless ACTUAL equals EXPECTED; WHAT names the value checked.
vs_assert_eq() {
    [ "$2" = "$1" ] || vs_fail "$3: expected '$1', got '$2'"
}

# Fail unless ACTUAL matches the extended regular expression ERE.
vs_assert_match() {
    [[ $2 =~ $1 ]] || vs_fail "$3: '$2' does not match /$1/"
}

# Fail unless FILE exists and contains the fixed string STR.
vs_assert_file_contains() {
    [ -f "$1" ] || vs_fail "$3: file $1 does not exist"
    grep -qF -- "$2" "$1" || vs_fail "$3: file $1 does not contain '$2'"
}

# Fail if PID still runs.
vs_assert_pid_gone() {
    ! vs_pid_alive "$1" || vs_fail "$2: process $1 is still running"
}

# ---------------------------------------------------------------- time, polls

# Set VS__NOW to the current time in microseconds.
vs__now() {
    VS__NOW=${EPOCHREALTIME//[!0-9]/}
}

# Set VS__USEC to the duration $1 (seconds, may be fractional) in microseconds.
vs__usec() {
    local int=${1%%.*} frac=
    [[ $1 == *.* ]] && frac=${1#*.}
    frac=${frac}000000
    VS__USEC=$((10#${int:-0} * 1000000 + 10#${frac:0:6}))
}

# Poll CMD every 50 ms until it succeeds (0) or TIMEOUT seconds pass (1); with a PID, stop
# early (2) when that process is gone. The one polling loop of the library.
vs__poll() {
    local pid=$2 deadline
    vs__usec "$1"
    shift 2
    vs__now
    deadline=$((VS__NOW + VS__USEC))
    while :; do
        [ -z "$pid" ] || vs_pid_alive "$pid" || return 2
        "$@" >/dev/null 2>&1 && return 0
        vs__now
        [ "$VS__NOW" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

# Poll CMD every 50 ms until it succeeds (0) or TIMEOUT seconds pass (1).
vs_wait_until() {
    local timeout=$1
    shift
    vs__poll "$timeout" "" "$@"
}

# ---------------------------------------------------------------- requirements

# Fail unless command CMD exists; PKG is the Debian package that provides it.
vs_require_cmd() {
    command -v "$1" >/dev/null 2>&1 ||
        vs_fail "required command '$1' not found on PATH ($PATH);" \
            "install the Debian package $2"
}

# Fail unless VS_PYTHON exists and can import module MOD (Debian package PKG).
vs_require_python_module() {
    [ -x "$VS_PYTHON" ] ||
        vs_fail "Python interpreter $VS_PYTHON not found; install the Debian package python3"
    "$VS_PYTHON" -c "import $1" 2>/dev/null ||
        vs_fail "$VS_PYTHON cannot import the module '$1'; install the Debian package $2"
}

# Print a port number that is free on 127.0.0.1 for PROTO (udp or tcp) now.
vs_free_port() {
    "$VS_PYTHON" - "$1" <<'EOF'
import socket, sys
kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
EOF
}

# ---------------------------------------------------------------- test setup

# Create the test directory and install the cleanup trap; call once, first.
vs_test_init() {
    local template
    [ -z "${VS_TEST_DIR:-}" ] || [ "${VS__INIT_PID:-}" != "$$" ] ||
        vs_fail "vs_test_init called twice"
    VS__INIT_PID=$$
    export VS_TEST_NAME
    VS_TEST_NAME=$(basename "$0" .test)
    [ -x "$VS_PYTHON" ] ||
        vs_fail "Python interpreter $VS_PYTHON not found; install the Debian package python3"
    template=${TMPDIR:-/tmp}/vs-$VS_TEST_NAME.XXXXXX
    [ "${#template}" -le 70 ] ||
        vs_fail "test directory $template is too long for unix socket paths" \
            "(108-byte limit); set TMPDIR=/tmp"
    export VS_TEST_DIR
    VS_TEST_DIR=$(mktemp -d "$template") ||
        vs_fail "cannot create a test directory $template"
    trap 'vs__on_exit' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    vs__env_init
}

# Environment shared by everything the test runs.
vs__env_init() {
    case ":$PATH:" in
        *:/usr/sbin:*) ;;
        *) PATH=$PATH:/usr/sbin:/sbin ;;
    esac
    export PATH
    export SNMP_PERSISTENT_DIR=$VS_TEST_DIR/snmp-client
    mkdir -p "$SNMP_PERSISTENT_DIR/cert_indexes" # so the CLI tools do not announce it
    export no_proxy=127.0.0.1,localhost${no_proxy:+,$no_proxy}
    export NO_PROXY=$no_proxy
}

# EXIT trap: stop every daemon, then remove or keep the test directory.
vs__on_exit() {
    local status=$?
    [ -z "$VS__CLEANING" ] || return 0
    VS__CLEANING=1
    trap '' INT TERM HUP
    vs__stop_all
    if [ "$status" -ne 0 ]; then
        vs__report_kept "$status"
    elif [ -n "${VS_KEEP_TEST_DIR:-}" ]; then
        vs_log "passed; test directory kept (VS_KEEP_TEST_DIR): $VS_TEST_DIR"
    else
        rm -rf "$VS_TEST_DIR"
    fi
    exit "$status"
}

# Stop every registered daemon, last started first.
vs__stop_all() {
    local i
    for ((i = ${#VS__DAEMONS[@]} - 1; i >= 0; i--)); do
        vs_daemon_stop "${VS__DAEMONS[i]}" || true
    done
    if [ -n "$VS__HOLD_FD" ]; then
        eval "exec $VS__HOLD_FD>&-"
        VS__HOLD_FD=
    fi
}

# Print where the kept test directory is and the tail of each daemon log.
vs__report_kept() {
    local name
    echo "vs-test: $VS_TEST_NAME: failed with status $1;" \
        "test directory kept: $VS_TEST_DIR" >&2
    for name in "${VS__EVER[@]}"; do
        vs__log_tails "$name" >&2
    done
}

# Print the last 15 lines of each non-empty log of daemon NAME.
vs__log_tails() {
    local log
    for log in "${VS__XLOG[$1]}" "${VS__LOG[$1]}"; do
        [ -s "$log" ] || continue
        echo "vs-test: --- last 15 lines of $1 log $log ---"
        tail -n 15 "$log"
    done
}

# ---------------------------------------------------------------- processes

# Status 0 if PID is a running process (zombies count as gone).
vs_pid_alive() {
    local stat
    kill -0 "$1" 2>/dev/null || return 1
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# Run CMD in the background as daemon NAME with output to LOG; sets VS_DAEMON_PID.
vs_daemon_start() {
    local name=$1 log=$2
    shift 2
    [ -z "${VS__PID[$name]:-}" ] || vs_fail "daemon name '$name' already in use"
    "$@" >"$log" 2>&1 </dev/null &
    VS_DAEMON_PID=$!
    VS__PID[$name]=$VS_DAEMON_PID
    VS__LOG[$name]=$log
    VS__XLOG[$name]=${VS__XLOG[$name]:-}
    VS__DAEMONS+=("$name")
    [[ " ${VS__EVER[*]} " == *" $name "* ]] || VS__EVER+=("$name")
}


# Register an already running process (a daemon that forked itself) under NAME, with LOG, so
# that it is stopped like one started with vs_daemon_start.
vs_daemon_adopt() {
    local name=$1 pid=$2 log=$3
    [ -z "${VS__PID[$name]:-}" ] || vs_fail "daemon name '$name' already in use"
    vs_pid_alive "$pid" || vs_fail "cannot adopt $name: process $pid is not running"
    VS__PID[$name]=$pid
    VS__LOG[$name]=$log
    VS__XLOG[$name]=${VS__XLOG[$name]:-}
    VS__DAEMONS+=("$name")
    [[ " ${VS__EVER[*]} " == *" $name "* ]] || VS__EVER+=("$name")
}
# Stop daemon NAME by its PID: SIGTERM, poll, SIGKILL after VS_STOP_TIMEOUT.
vs_daemon_stop() {
    local name=$1 pid=${VS__PID[$1]:-} rc=0
    [ -n "$pid" ] || return 0
    vs__pid_stop "$pid" "$name" || rc=1
    vs__forget "$name"
    return "$rc"
}

# Wait up to TIMEOUT s for daemon NAME to exit by itself; reap and forget it,
# set VS_DAEMON_STATUS to its exit status.  Status 1 (still running) on timeout.
vs_daemon_wait() {
    local name=$1 pid=${VS__PID[$1]:-}
    [ -n "$pid" ] || vs_fail "vs_daemon_wait: no daemon named '$name'"
    vs_wait_until "$2" vs__pid_gone "$pid" || return 1
    export VS_DAEMON_STATUS=0
    wait "$pid" 2>/dev/null || VS_DAEMON_STATUS=$?
    vs__forget "$name"
}

# Remove daemon NAME from the registry (its logs stay listed for reports).
vs__forget() {
    local i
    unset "VS__PID[$1]"
    for i in "${!VS__DAEMONS[@]}"; do
        [ "${VS__DAEMONS[i]}" != "$1" ] || unset "VS__DAEMONS[i]"
    done
    VS__DAEMONS=("${VS__DAEMONS[@]}")
}

# Terminate PID (named NAME in messages) and reap it; 1 if it survives SIGKILL.
vs__pid_stop() {
    local pid=$1 name=$2
    if vs_pid_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        if ! vs_wait_until "$VS_STOP_TIMEOUT" vs__pid_gone "$pid"; then
            vs_log "$name (pid $pid) ignored SIGTERM for $VS_STOP_TIMEOUT s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            vs_wait_until 2 vs__pid_gone "$pid" || {
                vs_log "$name (pid $pid) survived SIGKILL"
                return 1
            }
        fi
    fi
    wait "$pid" 2>/dev/null || true
}

# Status 0 once PID is gone (inverse of vs_pid_alive, for vs_wait_until).
vs__pid_gone() {
    ! vs_pid_alive "$1"
}

# Fail the test because daemon NAME did not start; the rest says what was seen.
vs__start_failed() {
    local name=$1
    shift
    vs_fail "$*"$'\n'"$(vs__log_tails "$name")"
}

# Poll until CMD succeeds while daemon NAME lives: 0 ready, 1 timeout, 2 died.
vs__wait_ready() {
    local pid=${VS__PID[$1]}
    shift
    vs__poll "$VS_START_TIMEOUT" "$pid" "$@"
}

# Move a non-empty log FILE aside to FILE.1, FILE.2, ... and create it empty.
vs__log_rotate() {
    local n=1
    if [ -s "$1" ]; then
        while [ -e "$1.$n" ]; do
            n=$((n + 1))
        done
        mv "$1" "$1.$n"
    fi
    : >"$1"
}

# Reap and forget a daemon that exited by itself.
vs__forget_dead() {
    wait "${VS__PID[$1]}" 2>/dev/null || true
    vs__forget "$1"
}

# The services, one file per family.
# shellcheck source=vs-test-snmp.sh
. "$VS_TEST_LIB_DIR/vs-test-snmp.sh"
# shellcheck source=vs-test-services.sh
. "$VS_TEST_LIB_DIR/vs-test-services.sh"
# shellcheck source=vs-test-subagent.sh
. "$VS_TEST_LIB_DIR/vs-test-subagent.sh"
