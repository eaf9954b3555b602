#!/usr/bin/python3
"""GET the given OIDs from an SNMP agent over and over for a while and report the latency of
each request; also watch one OID until it has an expected value. Prints one line:
  requests=N timeouts=N max_ms=F p50_ms=F p99_ms=F watch_seen_after_s=F|never
usage: latency_probe.py ADDR PORT SECONDS WATCH-OID WATCH-VALUE OID...
"""
import sys
import time

from pysnmp.hlapi import (CommunityData, ContextData, ObjectIdentity, ObjectType, SnmpEngine,
                          UdpTransportTarget, getCmd)

addr, port, seconds, watch_oid, watch_value = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), \
    sys.argv[4], sys.argv[5]
oids = sys.argv[6:]
engine = SnmpEngine()
target = UdpTransportTarget((addr, port), timeout=1.0, retries=0)
latencies, timeouts, seen = [], 0, None
start = time.monotonic()
while time.monotonic() - start < seconds:
    t0 = time.monotonic()
    err, status, _, binds = next(getCmd(engine, CommunityData("public"), target, ContextData(),
                                        *[ObjectType(ObjectIdentity(o)) for o in oids + [watch_oid]]))
    dt = (time.monotonic() - t0) * 1000.0
    if err:
        timeouts += 1
        continue
    latencies.append(dt)
    if seen is None and str(binds[-1][1]) == watch_value:
        seen = time.monotonic() - start
    time.sleep(0.02)
latencies.sort()
p99 = latencies[max(int(len(latencies) * 0.99) - 1, 0)] if latencies else float("nan")
p50 = latencies[len(latencies) // 2] if latencies else float("nan")
print(f"requests={len(latencies) + timeouts} timeouts={timeouts} "
      f"max_ms={max(latencies) if latencies else float('nan'):.1f} p50_ms={p50:.1f} "
      f"p99_ms={p99:.1f} "
      f"watch_seen_after_s={'never' if seen is None else f'{seen:.1f}'}")
