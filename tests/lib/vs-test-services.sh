# vs-test-services.sh: part of vs-test.sh (which sources it): rrdcached,
# libvirtd and the SMTP and HTTP sinks for virtsight's integration tests.
# Functions and variables are documented at the top of vs-test.sh.

# ---------------------------------------------------------------- rrdcached

# Start rrdcached on a unix socket in the test directory.
vs_rrdcached_start() {
    local rc=0
    vs_require_cmd rrdcached rrdcached
    export VS_RRDCACHED_DIR=$VS_TEST_DIR/rrdcached
    export VS_RRDCACHED_LOG=$VS_RRDCACHED_DIR/rrdcached.log
    export VS_RRDCACHED_SOCKET=$VS_RRDCACHED_DIR/rrdcached.sock
    export VS_RRDCACHED_ADDR=unix:$VS_RRDCACHED_SOCKET
    export VS_RRDCACHED_DATA_DIR=$VS_RRDCACHED_DIR/data
    export VS_RRDCACHED_JOURNAL_DIR=$VS_RRDCACHED_DIR/journal
    mkdir -p "$VS_RRDCACHED_DATA_DIR" "$VS_RRDCACHED_JOURNAL_DIR"
    vs_daemon_start rrdcached "$VS_RRDCACHED_LOG" \
        rrdcached -g -l "$VS_RRDCACHED_ADDR" -p "$VS_RRDCACHED_DIR/rrdcached.pid" \
        -b "$VS_RRDCACHED_DATA_DIR" -B -j "$VS_RRDCACHED_JOURNAL_DIR" -F
    export VS_RRDCACHED_PID=$VS_DAEMON_PID
    vs__wait_ready rrdcached vs__rrdcached_pong || rc=$?
    case $rc in
        0) return 0 ;;
        1) vs__start_failed rrdcached "rrdcached (pid $VS_RRDCACHED_PID) on" \
               "$VS_RRDCACHED_ADDR did not answer PING within $VS_START_TIMEOUT s" ;;
        *) vs__start_failed rrdcached "rrdcached on $VS_RRDCACHED_ADDR exited during start-up" ;;
    esac
}

# Status 0 if rrdcached answers PING with PONG.
vs__rrdcached_pong() {
    [ "$(vs_rrdcached_cmd PING 2>/dev/null)" = "0 PONG" ]
}

# Send one protocol LINE to rrdcached; print the status line and any data lines.
vs_rrdcached_cmd() {
    "$VS_PYTHON" - "$VS_RRDCACHED_SOCKET" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(2)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
f = s.makefile("r")
status = f.readline()
sys.stdout.write(status)
count = int(status.split(" ", 1)[0])
for _ in range(max(count, 0)):
    sys.stdout.write(f.readline())
sys.exit(0 if count >= 0 else 1)
EOF
}

# Stop rrdcached; with -F it writes every pending update before exiting.
vs_rrdcached_stop() {
    vs_daemon_stop rrdcached
}

# ---------------------------------------------------------------- libvirtd

# Start libvirtd by hand with a config that keeps it inside the test directory.
vs_libvirtd_start() {
    local rc=0
    vs_require_cmd libvirtd libvirt-daemon
    vs_require_cmd virsh libvirt-clients
    vs__libvirtd_vars
    vs__libvirtd_conf
    vs__libvirtd_owner
    VS__XLOG[libvirtd]=$VS_LIBVIRTD_LOG
    vs_daemon_start libvirtd "$VS_LIBVIRTD_DIR/libvirtd.out" vs__libvirtd_exec
    export VS_LIBVIRTD_PID=$VS_DAEMON_PID
    vs__wait_ready libvirtd vs_virsh list --all || rc=$?
    case $rc in
        0) return 0 ;;
        1) vs__start_failed libvirtd "libvirtd (pid $VS_LIBVIRTD_PID) did not answer" \
               "virsh -c '$VS_LIBVIRTD_URI' list --all within $VS_START_TIMEOUT s" ;;
        *) vs__start_failed libvirtd "libvirtd exited during start-up" ;;
    esac
}

# Set the libvirtd variables and create its directories.
vs__libvirtd_vars() {
    export VS_LIBVIRTD_DIR=$VS_TEST_DIR/libvirtd
    export VS_LIBVIRTD_CONF=$VS_LIBVIRTD_DIR/libvirtd.conf
    export VS_LIBVIRTD_LOG=$VS_LIBVIRTD_DIR/libvirtd.log
    export VS_LIBVIRTD_SOCKET=$VS_LIBVIRTD_DIR/sock/libvirt-sock
    export VS_LIBVIRTD_URI="test+unix:///default?socket=$VS_LIBVIRTD_SOCKET"
    mkdir -p "$VS_LIBVIRTD_DIR"/{sock,run,home,config,cache,drivers} \
        "$VS_TEST_DIR/virsh-home"
}

# Write libvirtd.conf: sockets in the test directory, no authentication.
vs__libvirtd_conf() {
    cat >"$VS_LIBVIRTD_CONF" <<EOF
# libvirtd for test $VS_TEST_NAME: unprivileged, sockets in the test directory.
unix_sock_dir = "$VS_LIBVIRTD_DIR/sock"
unix_sock_rw_perms = "0700"
unix_sock_ro_perms = "0700"
unix_sock_admin_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$VS_LIBVIRTD_LOG"
EOF
}

# As root, hand the libvirtd directory to VS_LIBVIRTD_USER (default nobody).
vs__libvirtd_owner() {
    local user=${VS_LIBVIRTD_USER:-nobody}
    [ "$(id -u)" -eq 0 ] || return 0
    vs_require_cmd setpriv util-linux
    id "$user" >/dev/null 2>&1 || vs_fail "user '$user' for libvirtd does not exist"
    chmod 0711 "$VS_TEST_DIR"
    chown -R "$user:$(id -gn "$user")" "$VS_LIBVIRTD_DIR"
    setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups \
        test -w "$VS_LIBVIRTD_DIR/sock" ||
        vs_fail "user '$user' cannot reach $VS_LIBVIRTD_DIR (a parent directory" \
            "is not searchable); set TMPDIR=/tmp"
}

# Exec libvirtd with a clean environment; drops root to VS_LIBVIRTD_USER.
vs__libvirtd_exec() {
    local user=${VS_LIBVIRTD_USER:-nobody} d=$VS_LIBVIRTD_DIR drop=()
    if [ "$(id -u)" -eq 0 ]; then
        drop=(setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups)
    fi
    exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C HOME="$d/home" \
        XDG_RUNTIME_DIR="$d/run" XDG_CONFIG_HOME="$d/config" \
        XDG_CACHE_HOME="$d/cache" XDG_DATA_HOME="$d/home" \
        LIBVIRT_DRIVER_DIR="$d/drivers" \
        "${drop[@]}" libvirtd -f "$VS_LIBVIRTD_CONF" -p "$d/libvirtd.pid"
}

# Run virsh against the private libvirtd, keeping its state out of $HOME.
vs_virsh() {
    HOME=$VS_TEST_DIR/virsh-home XDG_CONFIG_HOME=$VS_TEST_DIR/virsh-home/config \
        XDG_CACHE_HOME=$VS_TEST_DIR/virsh-home/cache \
        virsh -q -c "$VS_LIBVIRTD_URI" "$@"
}

# Keep a virsh connection to URI (default VS_LIBVIRTD_URI) open until cleanup.
vs_libvirtd_hold() {
    local uri=${1:-$VS_LIBVIRTD_URI} fifo=$VS_LIBVIRTD_DIR/hold.fifo
    local marker=vs-hold-$$-$RANDOM
    export VS_LIBVIRTD_HOLD_LOG=$VS_LIBVIRTD_DIR/hold.log
    [ -z "$VS__HOLD_FD" ] || vs_fail "vs_libvirtd_hold: a connection is already held"
    mkfifo "$fifo"
    exec {VS__HOLD_FD}<>"$fifo"
    vs_daemon_start libvirtd-hold "$VS_LIBVIRTD_HOLD_LOG" \
        vs__libvirtd_hold_exec "$uri" "$fifo"
    export VS_LIBVIRTD_HOLD_PID=$VS_DAEMON_PID
    printf 'uri\necho %s\n' "$marker" >&"$VS__HOLD_FD"
    vs__wait_ready libvirtd-hold grep -qx "$marker" "$VS_LIBVIRTD_HOLD_LOG" ||
        vs__start_failed libvirtd-hold "virsh holding '$uri' did not run its first commands"
    ! grep -q '^error' "$VS_LIBVIRTD_HOLD_LOG" ||
        vs__start_failed libvirtd-hold "virsh could not open '$uri'"
}

# Exec an interactive virsh on URI reading its commands from FIFO.
vs__libvirtd_hold_exec() {
    HOME=$VS_TEST_DIR/virsh-home XDG_CONFIG_HOME=$VS_TEST_DIR/virsh-home/config \
        XDG_CACHE_HOME=$VS_TEST_DIR/virsh-home/cache \
        exec virsh -c "$1" <"$2"
}

# Close the connection kept open by vs_libvirtd_hold (if any).
vs_libvirtd_release() {
    vs_daemon_stop libvirtd-hold
    if [ -n "$VS__HOLD_FD" ]; then
        eval "exec $VS__HOLD_FD>&-"
        VS__HOLD_FD=
        rm -f "$VS_LIBVIRTD_DIR/hold.fifo"
    fi
}

# Stop the held connection (if any) and libvirtd.
vs_libvirtd_stop() {
    vs_libvirtd_release
    vs_daemon_stop libvirtd
}

# ---------------------------------------------------------------- SMTP sink

# Start tests/lib/smtp_sink.py; options are passed to it (--reject, --tempfail).
vs_smtp_sink_start() {
    vs_require_python_module aiosmtpd python3-aiosmtpd
    export VS_SMTP_DIR=$VS_TEST_DIR/smtp
    export VS_SMTP_LOG=$VS_SMTP_DIR/smtp_sink.log
    export VS_SMTP_MAIL_DIR=$VS_SMTP_DIR/mail
    mkdir -p "$VS_SMTP_MAIL_DIR"
    rm -f "$VS_SMTP_DIR/port"
    vs_daemon_start smtp "$VS_SMTP_LOG" "$VS_PYTHON" "$VS_TEST_LIB_DIR/smtp_sink.py" \
        --port 0 --port-file "$VS_SMTP_DIR/port" --mail-dir "$VS_SMTP_MAIL_DIR" "$@"
    export VS_SMTP_PID=$VS_DAEMON_PID
    export VS_SMTP_PORT=''
    vs__sink_wait smtp "$VS_SMTP_DIR/port" vs__smtp_banner
    VS_SMTP_PORT=$VS__SINK_PORT
}

# Status 0 if the SMTP sink's greeting on VS__SINK_PORT is a 220 banner.
vs__smtp_banner() {
    "$VS_PYTHON" - "$VS__SINK_PORT" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
banner = s.makefile("rb").readline()
s.sendall(b"QUIT\r\n")
sys.exit(0 if banner.startswith(b"220 ") else 1)
EOF
}

# Wait until sink NAME wrote PORT_FILE and CHECK succeeds; set VS__SINK_PORT.
vs__sink_wait() {
    local name=$1 port_file=$2 check=$3 rc=0
    VS__SINK_PORT=
    vs__wait_ready "$name" test -s "$port_file" || rc=$?
    if [ "$rc" -eq 0 ]; then
        read -r VS__SINK_PORT <"$port_file"
        vs__wait_ready "$name" "$check" || rc=$?
    fi
    case $rc in
        0) return 0 ;;
        1) vs__start_failed "$name" "$name sink (pid ${VS__PID[$name]})" \
               "on 127.0.0.1:${VS__SINK_PORT:-?} not ready within $VS_START_TIMEOUT s" ;;
        *) vs__start_failed "$name" "$name sink exited during start-up" ;;
    esac
}

# Stop the SMTP sink.
vs_smtp_sink_stop() {
    vs_daemon_stop smtp
}

# ---------------------------------------------------------------- HTTP sink

# Start tests/lib/http_sink.py; options are passed to it (see its header).
vs_http_sink_start() {
    export VS_HTTP_DIR=$VS_TEST_DIR/http
    export VS_HTTP_LOG=$VS_HTTP_DIR/http_sink.log
    export VS_HTTP_REQUEST_LOG=$VS_HTTP_DIR/requests.jsonl
    mkdir -p "$VS_HTTP_DIR"
    rm -f "$VS_HTTP_DIR/port"
    vs_daemon_start http "$VS_HTTP_LOG" "$VS_PYTHON" "$VS_TEST_LIB_DIR/http_sink.py" \
        --port 0 --port-file "$VS_HTTP_DIR/port" --request-log "$VS_HTTP_REQUEST_LOG" "$@"
    export VS_HTTP_PID=$VS_DAEMON_PID
    export VS_HTTP_PORT='' VS_HTTP_URL=''
    vs__sink_wait http "$VS_HTTP_DIR/port" vs__http_health
    VS_HTTP_PORT=$VS__SINK_PORT
    VS_HTTP_URL=http://127.0.0.1:$VS_HTTP_PORT
}

# Status 0 if GET /health on VS__SINK_PORT answers 200 (no proxy).
vs__http_health() {
    "$VS_PYTHON" - "$VS__SINK_PORT" <<'EOF'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=2)
c.request("GET", "/health")
sys.exit(0 if c.getresponse().status == 200 else 1)
EOF
}

# Stop the HTTP sink.
vs_http_sink_stop() {
    vs_daemon_stop http
}
