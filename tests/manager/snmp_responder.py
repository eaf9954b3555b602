#!/usr/bin/python3
"""A small SNMPv2c agent for tests/manager/snmp.test, built on pysnmp's protocol layer (an SNMP
implementation independent of Net-SNMP). It serves a fixed host: sysUpTime.0,
hrSystemProcesses.0 (42), one fixed disk "/data" (25 % used) and two interfaces "eth-a" and
"eth-b" in ifTable and ifXTable. GET and GETNEXT are answered correctly; GETBULK the way a
broken agent does, as --bulk says:
  generr     error-status genErr
  drop       no answer at all
  backwards  varbinds whose OIDs do not increase (the request's own names)
  empty      a response without varbinds
  ok         correctly
Requests with another community get no answer. Each request's type is appended to --log, one
word a line (get, getnext, getbulk), before it is answered.

usage: snmp_responder.py --port-file FILE --log FILE --bulk MODE [--community C] [--port N]
It binds UDP port N (default: a free one) on 127.0.0.1 and writes the port number to FILE when
it is ready.
"""
import argparse
import os
import socket
import time

from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api

V2C = api.protoModules[api.protoVersion2c]
START = time.monotonic()


def oid(text):
    return tuple(int(x) for x in text.split("."))


def table():
    """The agent's objects: OID tuple -> value (a callable for values that change)."""
    t = {
        oid("1.3.6.1.2.1.1.3.0"): lambda: V2C.TimeTicks(int((time.monotonic() - START) * 100)),
        oid("1.3.6.1.2.1.25.1.6.0"): V2C.Gauge32(42),
        oid("1.3.6.1.2.1.25.2.3.1.2.1"): V2C.ObjectIdentifier("1.3.6.1.2.1.25.2.1.4"),
        oid("1.3.6.1.2.1.25.2.3.1.3.1"): V2C.OctetString("/data"),
        oid("1.3.6.1.2.1.25.2.3.1.4.1"): V2C.Integer(4096),
        oid("1.3.6.1.2.1.25.2.3.1.5.1"): V2C.Integer(1000),
        oid("1.3.6.1.2.1.25.2.3.1.6.1"): V2C.Integer(250),
    }
    for i, name in ((1, "eth-a"), (2, "eth-b")):
        t[oid("1.3.6.1.2.1.2.2.1.2.%d" % i)] = V2C.OctetString(name)
        t[oid("1.3.6.1.2.1.2.2.1.5.%d" % i)] = V2C.Gauge32(1000000000)
        for col in (10, 14, 16, 20):
            t[oid("1.3.6.1.2.1.2.2.1.%d.%d" % (col, i))] = V2C.Counter32(1000 * i)
        t[oid("1.3.6.1.2.1.31.1.1.1.1.%d" % i)] = V2C.OctetString(name)
        t[oid("1.3.6.1.2.1.31.1.1.1.6.%d" % i)] = V2C.Counter64(10 ** 12 * i)
        t[oid("1.3.6.1.2.1.31.1.1.1.10.%d" % i)] = V2C.Counter64(10 ** 12 * i)
        t[oid("1.3.6.1.2.1.31.1.1.1.15.%d" % i)] = V2C.Gauge32(1000)
        t[oid("1.3.6.1.2.1.31.1.1.1.19.%d" % i)] = V2C.TimeTicks(0)
    return t


TABLE = table()
KEYS = sorted(TABLE)


def value(key):
    v = TABLE[key]
    return v() if callable(v) else v


def next_of(name):
    """The varbind after name, or endOfMibView."""
    for k in KEYS:
        if k > name:
            return (k, value(k))
    return (name, V2C.EndOfMibView())


def answer(pdu, bulk_mode):
    """The varbinds of the answer to pdu, or None for no answer at all; error-status in
    the second element."""
    names = [tuple(n) for n, _ in V2C.apiPDU.getVarBinds(pdu)]
    if pdu.isSameTypeWith(V2C.GetRequestPDU()):
        return [(n, value(n) if n in TABLE else V2C.NoSuchInstance()) for n in names], 0
    if pdu.isSameTypeWith(V2C.GetNextRequestPDU()):
        return [next_of(n) for n in names], 0
    if bulk_mode == "drop":
        return None, 0
    if bulk_mode == "generr":
        return [(n, V2C.Null()) for n in names], 5
    if bulk_mode == "backwards":
        return [(n, V2C.Integer(1)) for n in names], 0
    if bulk_mode == "empty":
        return [], 0
    nonrep = int(V2C.apiBulkPDU.getNonRepeaters(pdu))
    reps = int(V2C.apiBulkPDU.getMaxRepetitions(pdu))
    out = [next_of(n) for n in names[:nonrep]]
    cur = names[nonrep:]
    for _ in range(reps):
        nxt = [next_of(n) for n in cur]
        out += nxt
        cur = [n for n, _ in nxt]
    return out, 0


def kind(pdu):
    if pdu.isSameTypeWith(V2C.GetRequestPDU()):
        return "get"
    if pdu.isSameTypeWith(V2C.GetNextRequestPDU()):
        return "getnext"
    if pdu.isSameTypeWith(V2C.GetBulkRequestPDU()):
        return "getbulk"
    return "other"


def serve(sock, args):
    while True:
        data, peer = sock.recvfrom(65535)
        try:
            if int(api.decodeMessageVersion(data)) != api.protoVersion2c:
                continue
            msg, _ = decoder.decode(data, asn1Spec=V2C.Message())
        except Exception:  # noqa: BLE001 - a test agent ignores what it cannot decode
            continue
        if str(V2C.apiMessage.getCommunity(msg)) != args.community:
            continue
        pdu = V2C.apiMessage.getPDU(msg)
        with open(args.log, "a") as log:
            log.write(kind(pdu) + "\n")
        binds, status = answer(pdu, args.bulk)
        if binds is None:
            continue
        rsp = V2C.apiMessage.getResponse(msg)
        rpdu = V2C.apiMessage.getPDU(rsp)
        V2C.apiPDU.setVarBinds(rpdu, binds)
        if status:
            V2C.apiPDU.setErrorStatus(rpdu, status)
            V2C.apiPDU.setErrorIndex(rpdu, 1)
        sock.sendto(encoder.encode(rsp), peer)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--bulk", required=True,
                   choices=["generr", "drop", "backwards", "empty", "ok"])
    p.add_argument("--community", default="public")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", args.port))
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % sock.getsockname()[1])
    os.rename(tmp, args.port_file)
    serve(sock, args)


if __name__ == "__main__":
    main()
