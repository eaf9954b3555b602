#!/usr/bin/python3
"""Send N random SET requests to an agent with pysnmp and check that each gets a proper
answer: noError or one of the errors a SET of VIRTSIGHT-MIB may give (noAccess, wrongType,
wrongLength, wrongValue, noCreation, inconsistentValue, notWritable, resourceUnavailable),
never a timeout, genErr, commitFailed or undoFailed, and that the error index points at a
varbind of the request. Requests carry 1 to 3 varbinds: columns of the VM table (writable or
not, known or not) and notification control scalars, on rows that exist or not, with random
types (INTEGER, Unsigned32, Counter32, Counter64, TimeTicks, OCTET STRING, OID, IpAddress,
Opaque) and values (mostly near the objects' ranges, sometimes anywhere). Prints a summary
of the answers; exit status 0 when all were proper, 1 otherwise (each problem on stderr).

usage: set_fuzz.py HOST:PORT OBJECTS-OID HV-INDEX N SEED
"""
import random
import sys

from pysnmp.hlapi import (CommunityData, ContextData, ObjectIdentity, ObjectType, SnmpEngine,
                          UdpTransportTarget, setCmd)
from pysnmp.proto import rfc1902

PROPER = {"noError", "noAccess", "wrongType", "wrongLength", "wrongValue", "noCreation",
          "inconsistentValue", "notWritable", "resourceUnavailable"}


def random_value(rnd):
    """A value of a random type, usually a small number."""
    kind = rnd.choice(["int", "int", "int", "uns", "uns", "c32", "c64", "ticks", "str", "oid",
                       "ip", "opaque"])
    small = rnd.choice([rnd.randint(-2, 8), rnd.randint(0, 70000),
                        rnd.choice([0, 1, 2, 3, 4, 5, 6, 65535, 65536, 2 ** 31 - 1])])
    if kind == "int":
        return rfc1902.Integer32(max(-2 ** 31, min(2 ** 31 - 1, small)))
    if kind == "uns":
        return rfc1902.Unsigned32(rnd.choice([abs(small), rnd.randint(0, 2 ** 32 - 1)]))
    if kind == "c32":
        return rfc1902.Counter32(abs(small))
    if kind == "c64":
        return rfc1902.Counter64(rnd.randint(0, 2 ** 64 - 1))
    if kind == "ticks":
        return rfc1902.TimeTicks(abs(small))
    if kind == "str":
        return rfc1902.OctetString(bytes(rnd.randint(0, 255) for _ in range(rnd.randint(0, 40))))
    if kind == "oid":
        return rfc1902.ObjectIdentifier((1, 3, 6, 1, rnd.randint(0, 9)))
    if kind == "ip":
        return rfc1902.IpAddress("10.%d.%d.%d" % (rnd.randint(0, 255), rnd.randint(0, 255),
                                                  rnd.randint(0, 255)))
    return rfc1902.Opaque(bytes(rnd.randint(0, 255) for _ in range(rnd.randint(0, 8))))


def plausible_value(rnd, oid, objects):
    """Mostly a value of the right type and range for a writable object, else random."""
    rel = oid[len(objects):]
    if rnd.random() < 0.4 or len(rel) < 4:
        return random_value(rnd)
    if rel[:3] == (2, 1, 1) and rel[3] in (11, 12, 13):
        return rfc1902.Integer32(rnd.randint(1, {11: 5, 12: 3, 13: 2}[rel[3]]))
    if rel[:3] == (2, 1, 1) and rel[3] == 14:
        return rfc1902.Unsigned32(rnd.randint(1, 9))
    if rel[:3] == (2, 1, 1) and rel[3] == 16:
        return rfc1902.Unsigned32(rnd.randint(128, 9000))
    if rel[0] == 4:
        return rfc1902.Integer32(rnd.randint(1, 2))
    return random_value(rnd)


def random_oid(rnd, objects, hv):
    """An instance under vsObjects: mostly writable VM columns of rows that may exist."""
    r = rnd.random()
    if r < 0.7:
        col = rnd.choice([11, 11, 11, 12, 13, 14, 16, rnd.randint(1, 30)])
        vm = rnd.choice([rnd.randint(1, 14)] * 6 + [0, 999, 2 ** 31])
        h = rnd.choice([hv] * 6 + [hv + 1, 0])
        tail = rnd.choice([()] * 9 + [(0,)])
        return objects + (2, 1, 1, col, h, vm) + tail
    if r < 0.85:
        return objects + (4, rnd.randint(0, 10), rnd.choice([0, 0, 0, 0, 0, 1]))
    if r < 0.95:
        return objects + (1, 1, 1, rnd.randint(1, 25), rnd.choice([hv, 77]))
    return objects + tuple(rnd.randint(0, 9) for _ in range(rnd.randint(1, 6)))


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    objects = tuple(int(x) for x in sys.argv[2].strip(".").split("."))
    hv, n, seed = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    rnd = random.Random(seed)
    engine = SnmpEngine()
    target = UdpTransportTarget((host, int(port)), timeout=5, retries=0)
    counts, bad = {}, 0
    for i in range(n):
        oids = [random_oid(rnd, objects, hv) for _ in range(rnd.choice([1, 1, 1, 2, 3]))]
        vbs = [ObjectType(ObjectIdentity(o), plausible_value(rnd, o, objects)) for o in oids]
        err_ind, err_status, err_index, _ = next(
            setCmd(engine, CommunityData("private"), target, ContextData(), *vbs))
        if err_ind:
            name = "no answer: %s" % err_ind
        else:
            name = err_status.prettyPrint() if err_status else "noError"
        counts[name] = counts.get(name, 0) + 1
        problem = None
        if name not in PROPER:
            problem = "improper answer %s" % name
        elif name != "noError" and not 1 <= int(err_index) <= len(vbs):
            problem = "error index %s outside 1..%d" % (err_index, len(vbs))
        if problem:
            bad += 1
            print("request %d: %s for %s" % (i, problem,
                                              ", ".join(v.prettyPrint() for v in vbs)),
                  file=sys.stderr)
    print("%d SETs: %s" % (n, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
