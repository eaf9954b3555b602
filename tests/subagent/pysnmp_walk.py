#!/usr/bin/python3
"""Walk a subtree with pysnmp (an SNMP implementation independent of Net-SNMP) and print one
normalized line per varbind: "OID TYPE VALUE", the OID numeric without a leading dot, TYPE one
of INTEGER OCTETSTR OID IPADDR COUNTER32 GAUGE32 TIMETICKS OPAQUE COUNTER64, VALUE an integer
in decimal, an octet string (and Opaque) as lowercase hex after "0x" ("0x" alone when empty),
an OID numeric, an IpAddress dotted. pysnmp's hlapi walks with lexicographicMode=False: it
stops at the first varbind outside the subtree (or at endOfMibView). Exit status 0 on a clean
walk, 1 on any SNMP error (printed on stderr). Used by tests/subagent/pysnmp.test.

usage: pysnmp_walk.py [--bulk N] [--community C] HOST:PORT ROOT-OID
  --bulk N   walk with GETBULK, max-repetitions N (default: GETNEXT)
"""
import argparse
import sys

from pysnmp.hlapi import (CommunityData, ContextData, ObjectIdentity, ObjectType, SnmpEngine,
                          UdpTransportTarget, bulkCmd, nextCmd)
from pysnmp.proto import rfc1902, rfc1905

# Most specific classes first: Counter32, Gauge32, TimeTicks... derive from Integer in pyasn1,
# Unsigned32 shares Gauge32's tag (pysnmp decodes it as Gauge32).
TYPES = [
    (rfc1902.Counter64, "COUNTER64"),
    (rfc1902.Counter32, "COUNTER32"),
    (rfc1902.Gauge32, "GAUGE32"),
    (rfc1902.Unsigned32, "GAUGE32"),
    (rfc1902.TimeTicks, "TIMETICKS"),
    (rfc1902.IpAddress, "IPADDR"),
    (rfc1902.Opaque, "OPAQUE"),
    (rfc1902.Integer32, "INTEGER"),
    (rfc1902.Integer, "INTEGER"),
    (rfc1902.OctetString, "OCTETSTR"),
    (rfc1902.ObjectIdentifier, "OID"),
]


def normalize(name, value):
    """One varbind as "OID TYPE VALUE"; raises ValueError for an exception value or a type
    this script does not know."""
    if isinstance(value, (rfc1905.NoSuchObject, rfc1905.NoSuchInstance)):
        raise ValueError(f"{name.prettyPrint()}: exception value {value.__class__.__name__}")
    for cls, tag in TYPES:
        if isinstance(value, cls):
            break
    else:
        raise ValueError(f"{name.prettyPrint()}: unexpected type {value.__class__.__name__}")
    if tag in ("OCTETSTR", "OPAQUE"):
        text = "0x" + value.asOctets().hex()
    elif tag == "OID":
        text = ".".join(str(x) for x in value)
    elif tag == "IPADDR":
        text = ".".join(str(b) for b in value.asOctets())
    else:
        text = str(int(value))
    return f"{'.'.join(str(x) for x in name)} {tag} {text}"


def main():
    ap = argparse.ArgumentParser(description="Walk a subtree with pysnmp; normalized output.")
    ap.add_argument("--bulk", type=int, default=0, metavar="N")
    ap.add_argument("--community", default="public")
    ap.add_argument("agent")
    ap.add_argument("root")
    a = ap.parse_args()
    host, port = a.agent.rsplit(":", 1)
    root = a.root.lstrip(".")
    common = (SnmpEngine(), CommunityData(a.community, mpModel=1),
              UdpTransportTarget((host, int(port)), timeout=2, retries=1), ContextData())
    var = ObjectType(ObjectIdentity(root))
    opts = {"lexicographicMode": False, "lookupMib": False}
    if a.bulk > 0:
        walk = bulkCmd(*common, 0, a.bulk, var, **opts)
    else:
        walk = nextCmd(*common, var, **opts)
    count = 0
    for err_ind, err_status, err_index, var_binds in walk:
        if err_ind:
            print(f"pysnmp_walk: {a.agent} {root}: {err_ind}", file=sys.stderr)
            return 1
        if err_status:
            where = var_binds[int(err_index) - 1][0] if err_index else "?"
            print(f"pysnmp_walk: {a.agent} {root}: {err_status.prettyPrint()} at {where}",
                  file=sys.stderr)
            return 1
        for name, value in var_binds:
            # hlapi reports the first varbind past the subtree (lexicographicMode=False), and
            # the agent's end of MIB view, as endOfMibView: the walk is over.
            if isinstance(value, rfc1905.EndOfMibView):
                break
            try:
                print(normalize(name, value))
            except ValueError as e:
                print(f"pysnmp_walk: {e}", file=sys.stderr)
                return 1
            count += 1
    print(f"pysnmp_walk: {count} varbinds under {root}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
