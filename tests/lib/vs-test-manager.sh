# vs-test-manager.sh: run virtsight-manager in integration tests and read its status file.
# Source after vs-test.sh (and vs_test_init).
#
#   vs_manager_conf FILE             write the configuration read from stdin to FILE (a here-
#                                    document) and check it with --check-config
#   vs_manager_start CONF [ARG...]   run the manager in the foreground (-f -l debug) with CONF,
#                                    logging to VS_MANAGER_LOG; ready when its status file
#                                    (VS_MANAGER_STATUS, which CONF must name) reports a cycle
#   vs_manager_stop                  SIGTERM, wait for the exit; fail on a sanitizer report
#   vs_manager_status EXPR           print the Python expression EXPR evaluated with s bound
#                                    to the status file's JSON and h(name) to a host's entry
#   vs_manager_wait_cycle N [T]      wait up to T s (default 20) for cycle number >= N
#   vs_manager_once CONF [ARG...]    run --once; its table in VS_MANAGER_TABLE, stderr in
#                                    VS_MANAGER_ERR, exit status in VS_MANAGER_RC
#   vs_rrd_values FILE DS T...       print the values DS has at each time T (rrdtool fetch;
#                                    through rrdcached when VS_RRD_DAEMON is set)
# Exports VS_MANAGER_BIN, VS_MANAGER_LOG, VS_MANAGER_PID.

export VS_MANAGER_BIN=${VS_MANAGER_BIN:-${top_builddir:?}/manager/virtsight-manager}

vs_manager_conf() {
    cat >"$1"
    "$VS_MANAGER_BIN" --check-config "$1" >/dev/null 2>"$1.check" ||
        vs_fail "configuration $1 does not validate: $(cat "$1.check")"
}

vs_manager_start() {
    [ -x "$VS_MANAGER_BIN" ] || vs_fail "$VS_MANAGER_BIN has not been built"
    [ -n "${VS_MANAGER_STATUS:-}" ] || vs_fail "vs_manager_start needs VS_MANAGER_STATUS"
    local conf=$1
    shift
    export VS_MANAGER_LOG=${VS_MANAGER_LOG:-$VS_TEST_DIR/manager.log}
    rm -f "$VS_MANAGER_STATUS"
    vs_daemon_start manager "$VS_MANAGER_LOG" "$VS_MANAGER_BIN" -f -l debug -c "$conf" "$@"
    export VS_MANAGER_PID=$VS_DAEMON_PID
    vs_manager_wait_cycle 1 || vs_fail "the manager wrote no status within 20 s"
}

vs_manager_stop() {
    local pid=${VS_MANAGER_PID:-}
    [ -n "$pid" ] || return 0
    vs_daemon_stop manager || vs_fail "the manager did not stop on SIGTERM"
    ! grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$VS_MANAGER_LOG" ||
        vs_fail "sanitizer report in $VS_MANAGER_LOG"
}

vs_manager_status() {
    "$VS_PYTHON" - "$VS_MANAGER_STATUS" "$1" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    sys.exit(1)
def h(name):
    for x in s["hosts"]:
        if x["name"] == name:
            return x
    return None
v = eval(sys.argv[2])
print(v if not isinstance(v, bool) else ("true" if v else "false"))
PY
}

vs__manager_cycle_ge() {
    local n
    n=$(vs_manager_status 's["cycle"]["number"] if s["cycle"] else 0' 2>/dev/null) || return 1
    [ "$n" -ge "$1" ]
}

vs_manager_wait_cycle() {
    vs_wait_until "${2:-20}" vs__manager_cycle_ge "$1"
}

vs_manager_once() {
    local conf=$1
    shift
    export VS_MANAGER_TABLE=$VS_TEST_DIR/once.out VS_MANAGER_ERR=$VS_TEST_DIR/once.err
    VS_MANAGER_RC=0
    "$VS_MANAGER_BIN" -c "$conf" --once -l debug "$@" >"$VS_MANAGER_TABLE" \
        2>"$VS_MANAGER_ERR" || VS_MANAGER_RC=$?
    export VS_MANAGER_RC
    ! grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$VS_MANAGER_ERR" ||
        vs_fail "sanitizer report from --once: $(cat "$VS_MANAGER_ERR")"
}

vs_rrd_values() {
    local file=$1 ds=$2 first last t
    shift 2
    first=$1
    for t in "$@"; do last=$t; done
    rrdtool fetch ${VS_RRD_DAEMON:+--daemon "$VS_RRD_DAEMON"} "$file" AVERAGE \
        -r "${VS_RRD_STEP:-1}" -s "$((first - 1))" -e "$last" |
        "$VS_PYTHON" -c '
import sys
ds, want = sys.argv[1], sys.argv[2:]
lines = sys.stdin.read().splitlines()
cols = lines[0].split()
rows = {}
for line in lines[1:]:
    if ":" in line:
        t, vals = line.split(":", 1)
        rows[t.strip()] = vals.split()
for t in want:
    v = rows.get(t, [None] * len(cols))[cols.index(ds)]
    print("%.15g" % float(v) if v not in (None, "-nan", "nan") else "nan")
' "$ds" "$@"
}
