#!/usr/bin/python3
"""alert-pass.py: an snmpd "pass_persist" program serving one OID from a queue of values, and
recording when each value was handed to snmpd, for bench/alert.sh.

  snmpd.conf: pass_persist -p 1 PARENT /usr/bin/python3 alert-pass.py OID TYPE DIR

The same protocol and queue as tests/manager/alert_pass.sh (DIR/queue: one value a line,
appended to by the benchmark; each GET of OID, or GETNEXT leading to it, takes the next value
not yet served, or the last one again), but a process of its own that forks nothing per poll
and writes "INDEX VALUE ASKED ANSWERED" to DIR/served: the wall-clock times (seconds since the
epoch) at which snmpd's request was read and at which the answer was flushed to snmpd. The
benchmark measures each alert from ANSWERED of the sample that crossed the threshold.
"""

import os
import sys
import time


def main():
    """Answer snmpd until it closes the pipe."""
    oid, kind, qdir = sys.argv[1:4]
    queue = os.path.join(qdir, "queue")
    served = open(os.path.join(qdir, "served"), "a", encoding="ascii")
    pos = 0
    out = sys.stdout

    def answer(lines):
        out.write("".join(line + "\n" for line in lines))
        out.flush()

    def take(asked):
        nonlocal pos
        try:
            with open(queue, encoding="ascii") as f:
                values = f.read().split()
        except OSError:
            values = []
        if not values:
            answer(["NONE"])
            return
        if pos < len(values):
            pos += 1
        value = values[pos - 1]
        answer([oid, kind, value])
        # After the flush: the moment snmpd has the value to send back to the manager.
        served.write("%d %s %.6f %.6f\n" % (pos, value, asked, time.time()))
        served.flush()

    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "PING":
            answer(["PONG"])
        elif cmd in ("get", "getnext"):
            target = sys.stdin.readline().strip()
            asked = time.time()
            hit = target == oid if cmd == "get" else oid.startswith(target + ".")
            if hit:
                take(asked)
            else:
                answer(["NONE"])
        elif cmd == "set":
            sys.stdin.readline()
            sys.stdin.readline()
            answer(["not-writable"])
        else:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
