#!/usr/bin/python3
"""An snmpd pass_persist program for tests/manager/snmp.test: it serves a fake ifTable and
ifXTable (registered over snmpd's own with "pass_persist -p 1") whose counters come from a
state file the test writes, re-read at every request. Interface 1 is "vsfake0", with the
file's values; interface 2 is "vsfake1", all counters 0.

State file: one "key value" a line; keys (missing ones count as 0):
  hcin hcout   ifHCInOctets, ifHCOutOctets (Counter64)
  in out       ifInOctets, ifOutOctets (Counter32)
  inerr outerr ifInErrors, ifOutErrors (Counter32)
  disc         ifCounterDiscontinuityTime (TimeTicks)
  speed        ifSpeed (bits/s, Gauge32); highspeed: ifHighSpeed (Mb/s, Gauge32)

usage: snmp_ifpass.py STATE-FILE   (the pass_persist protocol on stdin and stdout)
"""
import sys

IF = (1, 3, 6, 1, 2, 1, 2, 2, 1)
IFX = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)
# column -> (type, state key, or a constant per interface)
COLUMNS = {
    IF + (1,): ("integer", None),
    IF + (2,): ("string", "name"),
    IF + (5,): ("gauge", "speed"),
    IF + (10,): ("counter", "in"),
    IF + (14,): ("counter", "inerr"),
    IF + (16,): ("counter", "out"),
    IF + (20,): ("counter", "outerr"),
    IFX + (1,): ("string", "name"),
    IFX + (6,): ("counter64", "hcin"),
    IFX + (10,): ("counter64", "hcout"),
    IFX + (15,): ("gauge", "highspeed"),
    IFX + (19,): ("timeticks", "disc"),
}


def read_state(path):
    state = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    state[parts[0]] = int(parts[1])
    except OSError:
        pass
    return state


def objects(path):
    """Every served object: OID tuple -> (type, value text)."""
    state = read_state(path)
    out = {}
    for col, (typ, key) in COLUMNS.items():
        for index in (1, 2):
            if key is None:
                val = str(index)
            elif key == "name":
                val = "vsfake%d" % (index - 1)
            elif index == 1 or key in ("speed", "highspeed"):
                val = str(state.get(key, 0))
            else:
                val = "0"
            out[col + (index,)] = (typ, val)
    return out


def reply(*lines):
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def main():
    path = sys.argv[1]
    while True:
        cmd = sys.stdin.readline()
        if not cmd:
            return
        cmd = cmd.strip()
        if cmd == "PING":
            reply("PONG")
            continue
        name = tuple(int(x) for x in sys.stdin.readline().strip().strip(".").split("."))
        if cmd == "set":
            sys.stdin.readline()
            reply("not-writable")
            continue
        objs = objects(path)
        # Answer within the registration the request came through: ifTable or ifXTable.
        root = IF[:-1] if name[:len(IF) - 1] == IF[:-1] else IFX[:-1]
        objs = {k: v for k, v in objs.items() if k[:len(root)] == root}
        if cmd == "get":
            found = name if name in objs else None
        else:
            later = sorted(k for k in objs if k > name)
            found = later[0] if later else None
        if found is None:
            reply("NONE")
        else:
            reply("." + ".".join(str(x) for x in found), *objs[found])


if __name__ == "__main__":
    main()
