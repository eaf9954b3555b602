#!/usr/bin/python3
"""Generate the inputs of bench/manager.sh: simulated SNMP hosts for snmpsim, the
virtsight-manager configurations polling them, and the snmpget command lines of the
fork-per-host baseline.

  manager-gen.py data DIR HOSTS PROCS
      DIR/pK/data/hNNNN.snmprec for host NNNN (1..HOSTS), host i served by snmpsim process
      K = i mod PROCS (one data directory per process: the file name is the community), and
      DIR/community/hNNNN holding that community for the manager's community-file.
  manager-gen.py config DIR HOSTS PORTS OUT [--option VALUE...]
      The manager configuration OUT: HOSTS SNMP v2c hosts (host i on 127.0.0.1 at the port of
      its process, PORTS comma-separated in process order), plus an optional libvirt host.
  manager-gen.py baseline DIR HOSTS PORTS
      One line per host on stdout, "-c COMMUNITY 127.0.0.1:PORT OID...", the arguments of
      one snmpget asking for every value the manager reads from that host (xargs -L 1).

Each host answers what virtsight-manager asks for (manager/mgr_snmp_map.c): the ten scalars
it asks first (sysUpTime, hrSystemNumUsers, hrSystemProcesses, six UCD memory values,
laLoadInt.1; in a GET, or as the non-repeaters of its first GETBULK), one hrProcessorLoad row, one or two fixed-disk hrStorage rows ("/" on every
host, "/var" on even ones), and one interface (ifTable and ifXTable columns the manager
walks). Nothing lives under VIRTSIGHT-MIB, so the manager's probe of vsHvTable ends the walk
there. That is 27 values on odd hosts and 32 on even ones.
"""
import argparse
import os
import sys
from xml.sax.saxutils import quoteattr

# snmprec type tags
INT, STR, OID, C32, G32, TT, C64 = 2, 4, 6, 65, 66, 67, 70

SCALARS = [
    ("1.3.6.1.2.1.1.3.0", TT),          # sysUpTime.0
    ("1.3.6.1.2.1.25.1.5.0", G32),      # hrSystemNumUsers.0
    ("1.3.6.1.2.1.25.1.6.0", G32),      # hrSystemProcesses.0
    ("1.3.6.1.4.1.2021.4.3.0", INT),    # memTotalSwap.0
    ("1.3.6.1.4.1.2021.4.4.0", INT),    # memAvailSwap.0
    ("1.3.6.1.4.1.2021.4.5.0", INT),    # memTotalReal.0
    ("1.3.6.1.4.1.2021.4.6.0", INT),    # memAvailReal.0
    ("1.3.6.1.4.1.2021.4.14.0", INT),   # memBuffer.0
    ("1.3.6.1.4.1.2021.4.15.0", INT),   # memCached.0
    ("1.3.6.1.4.1.2021.10.1.5.1", INT),  # laLoadInt.1
]
PROC_LOAD = "1.3.6.1.2.1.25.3.3.1.2"
STORAGE = "1.3.6.1.2.1.25.2.3.1"
IF_ENTRY = "1.3.6.1.2.1.2.2.1"
IFX_ENTRY = "1.3.6.1.2.1.31.1.1.1"
FIXED_DISK = "1.3.6.1.2.1.25.2.1.4"  # hrStorageFixedDisk


def host_name(i):
    return "h%04d" % i


def host_values(i):
    """The (OID, tag, value) triples host i serves."""
    v = []
    scalar_vals = [123456 + i, 1 + i % 5, 100 + i % 300, 2097148, 2000000 + i,
                   8000000 + i, 3000000 + i * 7, 200000, 1500000, 25 + i % 200]
    for (o, tag), val in zip(SCALARS, scalar_vals):
        v.append((o, tag, val))
    v.append((PROC_LOAD + ".196608", INT, i % 100))
    disks = [(31, "/", 10000000, 4000000 + i)]
    if i % 2 == 0:
        disks.append((32, "/var", 20000000, 9000000 + i))
    for idx, mount, size, used in disks:
        v.append(("%s.2.%d" % (STORAGE, idx), OID, FIXED_DISK))
        v.append(("%s.3.%d" % (STORAGE, idx), STR, mount))
        v.append(("%s.4.%d" % (STORAGE, idx), INT, 4096))
        v.append(("%s.5.%d" % (STORAGE, idx), INT, size))
        v.append(("%s.6.%d" % (STORAGE, idx), INT, used))
    v += [
        (IF_ENTRY + ".2.2", STR, "eth0"),             # ifDescr
        (IF_ENTRY + ".5.2", G32, 1000000000),         # ifSpeed
        (IF_ENTRY + ".10.2", C32, 1000000 * i % 4294967296),  # ifInOctets
        (IF_ENTRY + ".14.2", C32, i % 7),             # ifInErrors
        (IF_ENTRY + ".16.2", C32, 3000000 * i % 4294967296),  # ifOutOctets
        (IF_ENTRY + ".20.2", C32, 0),                 # ifOutErrors
        (IFX_ENTRY + ".1.2", STR, "eth0"),            # ifName
        (IFX_ENTRY + ".6.2", C64, 10 ** 12 + i),      # ifHCInOctets
        (IFX_ENTRY + ".10.2", C64, 3 * 10 ** 12 + i),  # ifHCOutOctets
        (IFX_ENTRY + ".15.2", G32, 1000),             # ifHighSpeed
        (IFX_ENTRY + ".19.2", TT, 0),                 # ifCounterDiscontinuityTime
    ]
    v.sort(key=lambda t: [int(x) for x in t[0].split(".")])
    return v


def cmd_data(a):
    os.makedirs(os.path.join(a.dir, "community"), exist_ok=True)
    for k in range(a.procs):
        os.makedirs(os.path.join(a.dir, "p%d" % k, "data"), exist_ok=True)
    for i in range(1, a.hosts + 1):
        name = host_name(i)
        path = os.path.join(a.dir, "p%d" % (i % a.procs), "data", name + ".snmprec")
        with open(path, "w") as f:
            for o, tag, val in host_values(i):
                f.write("%s|%d|%s\n" % (o, tag, val))
        with open(os.path.join(a.dir, "community", name), "w") as f:
            f.write(name + "\n")


def ports_of(text):
    return [int(p) for p in text.split(",")]


def cmd_config(a):
    ports = ports_of(a.ports)
    root = [("interval", a.interval), ("state-dir", a.state_dir), ("rrd-dir", a.rrd_dir),
            ("status-file", a.status_file), ("pid-file", a.pid_file),
            ("max-inflight", a.max_inflight), ("libvirt-workers", a.libvirt_workers)]
    if a.spread is not None:
        root.append(("spread", a.spread))
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           "<!-- bench/manager.sh: generated by bench/manager-gen.py -->",
           "<virtsight-manager"]
    out += ["    %s=%s" % (k, quoteattr(str(v))) for k, v in root]
    out[-1] += ">"
    if a.rrdcached:
        out.append("  <rrdcached address=%s/>" % quoteattr(a.rrdcached))
    if a.hosts:
        out.append('  <group name="bench">')
    for i in range(1, a.hosts + 1):
        name = host_name(i)
        addr = "127.0.0.1:%d" % ports[i % len(ports)]
        out.append('    <host name="%s"><snmp address="%s" version="2c" community-file=%s '
                   'timeout="%d"/></host>'
                   % (name, addr, quoteattr(os.path.join(a.dir, "community", name)),
                      a.timeout))
    if a.hosts:
        out.append("  </group>")
    if a.libvirt:
        # "hv0": its offset in a spread cycle is 98% of the spread (a hash of the name), so in
        # daemon mode its 10,000 VMs come last and are what the writer has pending at the end.
        out.append('  <host name="hv0" deadline="%s"><libvirt uri=%s timeout="%d"/></host>'
                   % (a.libvirt_deadline, quoteattr(a.libvirt), a.libvirt_timeout))
    out.append("</virtsight-manager>")
    with open(a.out, "w") as f:
        f.write("\n".join(out) + "\n")


def cmd_baseline(a):
    ports = ports_of(a.ports)
    for i in range(1, a.hosts + 1):
        oids = " ".join("." + o for o, _, _ in host_values(i))
        sys.stdout.write("-c %s 127.0.0.1:%d %s\n" % (host_name(i), ports[i % len(ports)], oids))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("data")
    d.add_argument("dir")
    d.add_argument("hosts", type=int)
    d.add_argument("procs", type=int)
    c = sub.add_parser("config")
    c.add_argument("dir")
    c.add_argument("hosts", type=int)
    c.add_argument("ports")
    c.add_argument("out")
    c.add_argument("--state-dir", required=True)
    c.add_argument("--rrd-dir", required=True)
    c.add_argument("--status-file", required=True)
    c.add_argument("--pid-file", required=True)
    c.add_argument("--interval", type=int, default=60)
    c.add_argument("--spread")
    c.add_argument("--max-inflight", type=int, default=200)
    c.add_argument("--libvirt-workers", type=int, default=4)
    c.add_argument("--timeout", type=int, default=1000, help="SNMP timeout, ms")
    c.add_argument("--rrdcached")
    c.add_argument("--libvirt", help="URI of the libvirt host (none: SNMP hosts only)")
    c.add_argument("--libvirt-timeout", type=int, default=10000, help="ms")
    c.add_argument("--libvirt-deadline", default="30", help="s")
    b = sub.add_parser("baseline")
    b.add_argument("dir")
    b.add_argument("hosts", type=int)
    b.add_argument("ports")
    a = p.parse_args()
    {"data": cmd_data, "config": cmd_config, "baseline": cmd_baseline}[a.cmd](a)


if __name__ == "__main__":
    main()
