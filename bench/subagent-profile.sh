#!/bin/bash
# bench/subagent-profile.sh [N]: where virtsight-subagent's time and memory go at N VMs (default
# 10000), beside the floor (bench/floor-subagent.c), with the set-up of bench/subagent.sh (which
# it sources). Prints figures; never pass or fail. Takes about two minutes at 10,000 VMs.
#   1. perf (package linux-perf), when present: the SNMP thread of ours and the floor process,
#      each during one snmptable -Cr 10 and three single-column walks: CPU ms, share by DSO, the
#      subagent's own symbols.
#   2. memory of ours after a few refreshes: /proc/PID/status, RSS by kind of mapping (smaps),
#      and glibc's malloc_info per arena (through gdb -batch, package gdb, when present): how
#      much of each arena is free but still resident.
#   3. heaptrack (package heaptrack), when present: a second run of ours under heaptrack for
#      BENCH_HEAPTRACK_SECONDS (default 25), then its peak heap consumers by call stack.
set -eu
. "$(cd "$(dirname "$0")" && pwd)/subagent.sh"

N=${1:-10000}
HEAPTRACK_SECONDS=${BENCH_HEAPTRACK_SECONDS:-25}

# perf record -g of the target (perf options after the first four arguments) while one
# snmptable of TABLE (with MIB) and three walks of COLUMN run; print the summary.
profile_perf() {
    local label=$1 table=$2 mib=$3 column=$4 data=$W/perf-$1.data pid
    shift 4
    perf record -F 2000 -g "$@" -o "$data" >"$W/perf-$label.log" 2>&1 &
    pid=$!
    # perf writes its file's header once it is recording.
    vs_wait_until 10 test -s "$data" || vs_fail "perf record did not start: $(cat "$W/perf-$label.log")"
    MIBDIRS=$BENCH_MIBDIRS snmptable -v2c -c public -m "$mib" -Cr 10 -Ci -CH -Cf '|' \
        "$VS_SNMPD_ADDR" "$table" >/dev/null
    for _ in 1 2 3; do
        snmpbulkwalk -v2c -c public -m '' -On -Cr50 "$VS_SNMPD_ADDR" "$column" >/dev/null
    done
    kill -INT "$pid"
    wait "$pid" || true
    say "  $label ($*): $(perf script -i "$data" -F tid 2>/dev/null | wc -l) samples at" \
        "2000 Hz; by DSO:"
    perf report -i "$data" --stdio --no-children --sort dso -g none 2>/dev/null |
        grep '%' | head -n 6 | sed 's/^/    /'
}

section_perf() {
    say "-- 1. perf: one snmptable -Cr 10 and 3 column walks"
    if ! command -v perf >/dev/null 2>&1; then
        say "  perf is not installed (package linux-perf): skipped"
        return 0
    fi
    profile_perf ours VIRTSIGHT-MIB::vsVmTable VIRTSIGHT-MIB "$OURS_ENTRY.2" -t "$VS_SUBAGENT_PID"
    say "  ours' own symbols (share of all the SNMP thread's samples):"
    perf report -i "$W/perf-ours.data" --stdio --no-children --sort symbol -g none \
        --dsos virtsight-subagent 2>/dev/null | grep '%' | head -n 8 | sed 's/^/    /'
    profile_perf floor FLOOR-MIB::flVmTable FLOOR-MIB "$FLOOR_ENTRY.2" -p "$FLOOR_PID"
    say "  the floor's own symbols:"
    perf report -i "$W/perf-floor.data" --stdio --no-children --sort symbol -g none \
        --dsos floor-subagent 2>/dev/null | grep '%' | head -n 4 | sed 's/^/    /'
}

section_memory() {
    local out=$VS_SUBAGENT_DIR/subagent.out
    say "-- 2. memory of ours (pid $VS_SUBAGENT_PID) after the walks"
    say "  $(grep -E '^(VmRSS|VmHWM|RssAnon|RssFile):' "/proc/$VS_SUBAGENT_PID/status" |
        tr -s ' \t\n' ' ')"
    say "  RSS by kind of mapping (KiB; file = shared libraries, counted whole in RSS):"
    "$VS_PYTHON" - "$VS_SUBAGENT_PID" <<'EOF'
import re, sys
kinds, name = {}, None
for line in open(f"/proc/{sys.argv[1]}/smaps"):
    m = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$", line)
    if m:
        path = m.group(1)
        name = "anon" if path == "" else path if path.startswith("[") else "file"
    elif line.startswith("Rss:"):
        kinds[name] = kinds.get(name, 0) + int(line.split()[1])
print("    " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
EOF
    if ! command -v gdb >/dev/null 2>&1; then
        say "  gdb is not installed: no malloc_info"
        return 0
    fi
    local before
    before=$(wc -l <"$out")
    gdb -batch -p "$VS_SUBAGENT_PID" -ex 'call (int)malloc_info(0, (void *)stderr)' \
        >"$W/gdb.log" 2>&1 || true
    # The report goes to the subagent's stderr: wait for its closing tag.
    vs_wait_until 10 sh -c "tail -n +$((before + 1)) '$out' | grep -q '</malloc>'" \
        || vs_fail "no malloc_info report in $out"
    say "  glibc arenas (malloc_info through gdb; 'free' is held by malloc, still resident):"
    tail -n +"$((before + 1))" "$out" | awk '
        /<heap nr=/ { split($0, a, "\""); nr = a[2]; sys = 0; free = 0; inheap = 1 }
        inheap && /<total type="rest"/ { split($0, a, "\""); free = a[6] }
        inheap && /<system type="current"/ { split($0, a, "\""); sys = a[4] }
        inheap && /<\/heap>/ { inheap = 0
            printf "    arena %s: %.1f MiB from the system, %.1f MiB of it free\n",
                nr, sys / 1048576, free / 1048576 }'
}

section_heaptrack() {
    say "-- 3. heaptrack: ours alone for $HEAPTRACK_SECONDS s after its first snapshot"
    if ! command -v heaptrack >/dev/null 2>&1; then
        say "  heaptrack is not installed (package heaptrack): skipped"
        return 0
    fi
    local wrap=$W/heaptrack-wrap child='' c
    printf '#!/bin/sh\nexec heaptrack -o %s/heaptrack %s "$@"\n' "$W" "$W/virtsight-subagent" \
        >"$wrap"
    chmod +x "$wrap"
    VS_SUBAGENT_BIN=$wrap setup "$N" >/dev/null
    sleep "$HEAPTRACK_SECONDS"
    # shellcheck disable=SC2013 # the files hold space-separated PIDs
    for c in $(cat /proc/"$VS_SUBAGENT_PID"/task/*/children); do
        [ "$(readlink "/proc/$c/exe")" != "$W/virtsight-subagent" ] || child=$c
    done
    [ -n "$child" ] || vs_fail "cannot find the subagent under heaptrack"
    say "  under heaptrack: $(grep -E '^(VmRSS|VmHWM):' "/proc/$child/status" | tr -s ' \t\n' ' ')"
    kill -TERM "$child"
    vs_daemon_wait subagent 120 || vs_fail "heaptrack did not finish"
    heaptrack_print -f "$W"/heaptrack.* --print-peaks 1 --print-allocators 0 \
        --print-temporary 0 --print-leaks 0 -n 12 -s 12 >"$W/heaptrack.txt" 2>/dev/null || true
    say "  summary: $(grep -E '^(peak heap memory|peak RSS)' "$W/heaptrack.txt" | tr '\n' ';')"
    say "  peak consumers (bytes at the peak <- call chain, our and libvirt's functions;" \
        "a line without a chain totals the group of lines below it):"
    awk '/^PEAK MEMORY CONSUMERS/ { on = 1; next } on && /^[A-Z]/ && !/consumed/ { on = 0 }
        on && /consumed over/ { if (line != "") print line; line = "    " $1; k = 0; next }
        on && /^ +[a-z_]+$/ &&
            $1 ~ /^(sa_|vm_|sample|cache|records|uuid_set|snap_|text|attr|parse|vir)/ {
            if (k++ < 5) line = line " <- " $1 }
        END { if (line != "") print line }' "$W/heaptrack.txt" | head -n 14
    teardown
}

bench_init
say "bench/subagent-profile.sh $N: $(date '+%F %T %Z'); $(nproc) CPUs; load average" \
    "$(cut -d' ' -f1-3 /proc/loadavg); work directory $VS_TEST_DIR"
build_tools >/dev/null
subagent_snapshot
setup "$N"
sleep $((2 * INTERVAL))
section_perf
section_memory
teardown
section_heaptrack
