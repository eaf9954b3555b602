#!/usr/bin/python3
"""Run one virtsight-manager process for bench/manager.sh and measure it.

  manager-run.py [options] -- COMMAND...

COMMAND runs with its standard output and error in PREFIX.out and PREFIX.err. Meanwhile,
every --period seconds (5 ms), the status file is looked at: each new version is copied to
PREFIX.status-N.json and noted with its modification time and the CPU time the process had
used by then, so that the version written at the end of a cycle survives the one the manager
writes at exit. The CPU time of each thread (/proc/PID/task/TID/schedstat, nanoseconds) is
sampled as well, whenever one of them grew: who worked when, and each thread's total to
within one period.

With --once the command is expected to exit by itself (virtsight-manager --once). With
--cycles N it is a daemon: once the status file reports cycle N, it gets SIGTERM.

Other processes (snmpsim, libvirtd, rrdcached) may be watched with --watch NAME=PID[,PID...]:
their CPU time over the run is reported.

Writes PREFIX.json: wall time, exit status, user and system CPU and peak RSS of the process
(from wait4: the process and any children it reaped), the status versions, the thread
samples, the watched processes' CPU seconds.

  manager-run.py figures PREFIX.json
      Print the figures bench/manager.sh reports as shell assignments (F_NAME=value), see
      figures() below.
"""
import argparse
import json
import os
import resource
import shlex
import signal
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid):
    """CPU seconds (user + system) of a process, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def threads_ns(pid, into):
    """Update into[tid] with each thread's CPU nanoseconds so far."""
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return
    for t in tids:
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                into[int(t)] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass


def read_status(path, last_mtime, keep):
    """(mtime_ns, document) when the status file changed since last_mtime, else None; the
    text is also copied to the file keep."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if st.st_mtime_ns == last_mtime:
        return None
    try:
        with open(path) as f:
            text = f.read()
        doc = json.loads(text)
    except (OSError, ValueError):
        return None  # replaced while we read: the next look gets it
    with open(keep, "w") as f:
        f.write(text)
    return st.st_mtime_ns, doc


def summary(doc):
    """The parts of a status document the benchmark reads."""
    hosts = doc.get("hosts") or []
    lv = [h for h in hosts if "libvirt" in (h.get("sources") or {})]
    snmp = [h["sources"]["snmp"] for h in hosts if "snmp" in (h.get("sources") or {})]
    out = {"cycle": doc.get("cycle"), "rrd": doc.get("rrd"),
           "snmp_hosts": len(snmp),
           "snmp_failed": sum(1 for s in snmp if not s["ok"]),
           "snmp_requests": sum(s["requests"] for s in snmp),
           "snmp_errors": sorted({s["error"] for s in snmp if s["error"]})[:5]}
    if snmp:
        durs = sorted(s["duration"] for s in snmp if s["duration"] is not None)
        starts = [s["started"] for s in snmp if s["started"] is not None]
        ends = [s["started"] + s["duration"] for s in snmp
                if s["started"] is not None and s["duration"] is not None]
        out["snmp_poll_median_s"] = durs[len(durs) // 2] if durs else None
        out["snmp_poll_max_s"] = durs[-1] if durs else None
        out["snmp_first_start"] = min(starts) if starts else None
        out["snmp_last_end"] = max(ends) if ends else None
    if lv:
        h = lv[0]
        out["libvirt"] = {"vms": h.get("vms"), "up": h.get("up"), **h["sources"]["libvirt"]}
    return out


def figures(path):
    """Shell assignments of the figures of one run (empty when unknown)."""
    r = json.load(open(path))
    f = {"WALL": r["wall_s"], "CPU": r["cpu_s"], "USER": r["user_s"], "SYS": r["sys_s"],
         "RSS_MIB": r["maxrss_kib"] / 1024, "EXIT": r["exit"], "WATCHER": r["watcher_cpu_s"]}
    for name, cpu in r["watched_cpu_s"].items():
        f["W_" + name.upper()] = cpu
    vs = [v for v in r["status_versions"] if v.get("cycle")]
    # The first version of each cycle number: written when that cycle ended.
    ends = {}
    for v in vs:
        ends.setdefault(v["cycle"]["number"], v)
    last = vs[-1] if vs else None
    first = ends.get(1)
    if first:
        c = first["cycle"]
        f.update(CYCLE_DUR=c["duration"], CYCLE_LAG=c["lag"], CYCLE_HOSTS=c["hosts"],
                 CYCLE_FAILED=c["failed"], CYCLE_START=c["started"])
        for k in ("snmp_hosts", "snmp_failed", "snmp_requests", "snmp_poll_median_s",
                  "snmp_poll_max_s"):
            f[k.upper()] = first.get(k)
        if first.get("snmp_first_start") is not None:
            f["SNMP_SPAN"] = first["snmp_last_end"] - first["snmp_first_start"]
        f["SNMP_ERRORS"] = " | ".join(first.get("snmp_errors") or [])
        lv = first.get("libvirt")
        if lv:
            f.update(LV_VMS=lv["vms"], LV_OK=int(bool(lv["ok"])), LV_DUR=lv["duration"],
                     LV_REQ=lv["requests"], LV_ERR=lv["error"] or "")
        rr = first["rrd"]
        f.update(UPD_END=rr["updates"], PEND_END=rr["pending"], CREATES_END=rr["creates"])
    if last:
        rr = last["rrd"]
        f.update(UPD=rr["updates"], CREATES=rr["creates"], ERRORS=rr["errors"],
                 DROPPED=rr["dropped"], PEND=rr["pending"])
    if first and last is not first:
        # After the cycle ended, only the writer worked (draining its queue) until the status
        # file was written again at exit.
        drain = last["mtime"] - first["mtime"]
        f["DRAIN_S"] = drain
        if drain > 0:
            f["DRAIN_RATE"] = (last["rrd"]["updates"] - first["rrd"]["updates"]) / drain
    if first and last:
        span = last["mtime"] - first["cycle"]["started"]
        f["RUN_SPAN"] = span
        f["RUN_RATE"] = last["rrd"]["updates"] / span if span > 0 else None
    # Threads: the main one (SNMP, merging, status), the RRD writer (the last thread made
    # when the manager starts, after libvirt's event loop and workers), the others (libvirt).
    th = {int(t): c for t, c in r["threads_cpu_s"].items()}
    pid = r["pid"]
    writer = r.get("writer_tid")
    if th:
        f["T_MAIN"] = th.get(pid, 0.0)
        f["T_WRITER"] = th.get(writer, 0.0) if writer else None
        f["T_LIBVIRT"] = sum(c for t, c in th.items() if t not in (pid, writer))
        f["T_COUNT"] = len(th)
        if f["T_WRITER"]:
            f["WRITER_RATE"] = f.get("UPD", 0) / f["T_WRITER"]
    # Each cycle, from the thread samples. The writer's work on what was pending when the
    # cycle ended: from the end of the cycle (its start plus its duration, as the status file
    # says: the moment the last result was queued) to the writer's last CPU use before the
    # next cycle began (or before the last status file, written at exit once the queue was
    # drained); the CPU of each thread from the cycle's start to that moment.
    samples = [(t, {int(k): ns for k, ns in d.items()}) for t, d in r.get("samples") or []]

    def at(t):
        """CPU ns of every thread at time t (the last sample taken before it)."""
        best = {}
        for ts, d in samples:
            if ts > t:
                break
            best = d
        return best

    numbers = sorted(ends)
    for k, n in enumerate(numbers):
        v = ends[n]
        c = v["cycle"]
        t0, t_end = c["started"], c["started"] + c["duration"]
        limit = (ends[numbers[k + 1]]["cycle"]["started"] if k + 1 < len(numbers)
                 else last["mtime"])
        work, prev = [], None
        for ts, d in samples:
            ns = d.get(writer)
            if prev is not None and ns is not None and ns > prev and t_end < ts <= limit:
                work.append(ts)
            prev = ns if ns is not None else prev
        pend = v["rrd"]["pending"]
        t_done = t_end
        if pend > 0 and work and work[-1] > t_end:
            t_done = work[-1]
            f["C%d_BURST_N" % n] = pend
            f["C%d_BURST_S" % n] = t_done - t_end
            f["C%d_BURST_RATE" % n] = pend / (t_done - t_end)
        a, b = at(t0), at(t_done)
        if a or b:
            d = {tid: (b.get(tid, 0) - a.get(tid, 0)) / 1e9 for tid in b}
            f["C%d_T_MAIN" % n] = d.get(pid, 0.0)
            f["C%d_T_WRITER" % n] = d.get(writer, 0.0)
            f["C%d_T_LIBVIRT" % n] = sum(x for tid, x in d.items() if tid not in (pid, writer))
            f["C%d_T_ALL" % n] = sum(d.values())
    for n in sorted(ends):
        v = ends[n]
        f["C%d_DUR" % n] = v["cycle"]["duration"]
        f["C%d_LAG" % n] = v["cycle"]["lag"]
        f["C%d_FAILED" % n] = v["cycle"]["failed"]
        f["C%d_CPU" % n] = v["cpu_s"]
        f["C%d_UPD" % n] = v["rrd"]["updates"]
        f["C%d_PEND" % n] = v["rrd"]["pending"]
        f["C%d_SPAN" % n] = (v["snmp_last_end"] - v["snmp_first_start"]
                             if v.get("snmp_first_start") is not None else None)
        f["C%d_START" % n] = v["cycle"]["started"]
        if v.get("libvirt"):
            f["C%d_LV_DUR" % n] = v["libvirt"]["duration"]
    for k, v in f.items():
        if v is None:
            v = ""
        elif isinstance(v, float):
            v = "%.6g" % v if abs(v) < 1e6 else "%.3f" % v
        print("F_%s=%s" % (k, shlex.quote(str(v))))


def main():
    if sys.argv[1:2] == ["figures"]:
        figures(sys.argv[2])
        return 0
    p = argparse.ArgumentParser()
    p.add_argument("--prefix", required=True)
    p.add_argument("--status", help="the manager's status file (none: any command, e.g. the "
                   "baseline)")
    p.add_argument("--period", type=float, default=0.005)
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true")
    mode.add_argument("--cycles", type=int)
    p.add_argument("--timeout", type=float, default=600, help="seconds before giving up")
    p.add_argument("--watch", action="append", default=[], help="NAME=PID[,PID...]")
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    watch = {}
    for w in a.watch:
        name, pids = w.split("=", 1)
        watch[name] = [int(x) for x in pids.split(",") if x]

    def watched_cpu():
        return {n: sum(proc_cpu(x) or 0.0 for x in pids) for n, pids in watch.items()}

    if a.status:
        try:
            os.unlink(a.status)
        except FileNotFoundError:
            pass
    cpu0 = watched_cpu()
    out = open(a.prefix + ".out", "w")
    err = open(a.prefix + ".err", "w")
    t0 = time.time()
    m0 = time.monotonic()
    child = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    threads = {}
    first_tids = None
    samples = []
    versions = []
    last_mtime = None
    signalled = None
    status = None
    while True:
        pid_done, st, ru = os.wait4(child.pid, os.WNOHANG)
        if pid_done:
            status = st
            break
        now = time.monotonic()
        threads_ns(child.pid, threads)
        if first_tids is None and now - m0 >= 0.2 and threads:
            first_tids = sorted(threads)
        if not samples or samples[-1][1] != threads:
            # Every thread's CPU time whenever one grew: who worked when.
            samples.append((time.time(), dict(threads)))
        got = (read_status(a.status, last_mtime, "%s.status-%d.json" % (a.prefix, len(versions)))
               if a.status else None)
        if got:
            last_mtime = got[0]
            versions.append({"mtime": got[0] / 1e9, "cpu_s": proc_cpu(child.pid),
                             "seen": time.time(), **summary(got[1])})
            cyc = got[1].get("cycle") or {}
            if a.cycles and signalled is None and (cyc.get("number") or 0) >= a.cycles:
                child.send_signal(signal.SIGTERM)
                signalled = time.time()
        if signalled is None and now - m0 > a.timeout:
            child.send_signal(signal.SIGTERM)
            signalled = time.time()
        time.sleep(a.period)
    t1 = time.time()
    cpu1 = watched_cpu()
    got = (read_status(a.status, last_mtime, "%s.status-%d.json" % (a.prefix, len(versions)))
           if a.status else None)  # the one written at exit
    if got:
        versions.append({"mtime": got[0] / 1e9, "cpu_s": None, "seen": time.time(),
                         **summary(got[1])})
    res = {
        "command": cmd,
        "start": t0,
        "end": t1,
        "wall_s": t1 - t0,
        "exit": os.waitstatus_to_exitcode(status),
        "sigterm_at": signalled,
        "user_s": ru.ru_utime,
        "sys_s": ru.ru_stime,
        "cpu_s": ru.ru_utime + ru.ru_stime,
        "maxrss_kib": ru.ru_maxrss,
        "pid": child.pid,
        "threads_cpu_s": {str(t): ns / 1e9 for t, ns in sorted(threads.items())},
        "writer_tid": max(first_tids) if first_tids else None,
        "samples": samples,
        "status_versions": versions,
        "watched_cpu_s": {n: cpu1[n] - cpu0[n] for n in watch},
        "watcher_cpu_s": (lambda u: u.ru_utime + u.ru_stime)(
            resource.getrusage(resource.RUSAGE_SELF)),
    }
    with open(a.prefix + ".json", "w") as f:
        json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
