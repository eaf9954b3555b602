#!/usr/bin/python3
"""Compare what virtsight-subagent serves for one hypervisor with what libvirt reports through
virsh, VM by VM and column by column. Exit status 0 when everything agrees; every difference is
printed. Used by the subagent integration tests.

usage: compare_virsh.py AGENT-ADDR HV-INDEX LIBVIRT-URI
(MIBDIRS must let the Net-SNMP tools load VIRTSIGHT-MIB.)
"""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

ADDR, HV, URI = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ROOT = "1.3.6.1.4.1.8072.9999.9999.8478.1.1.1"
ENTRY = {"hv": ROOT + ".1.1.1", "vm": ROOT + ".2.1.1", "uuid": ROOT + ".2.2.1",
         "vcpu": ROOT + ".3.1.1", "disk": ROOT + ".3.2.1", "nic": ROOT + ".3.3.1"}
problems = []


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True).stdout.decode("utf-8")


def walk(entry):
    """Every instance under entry: {(column, index tuple): (type, value)}; strings as bytes."""
    out = run(["snmpbulkwalk", "-v2c", "-c", "public", "-On", "-Ox", "-Oe", "-Ot", "-Cr50",
               "-m", "", ADDR, "." + entry])
    cells = {}
    line_re = re.compile(r"^\.([0-9.]+) = (?:([A-Za-z0-9-]+): )?(.*)$")
    current = None
    for line in out.splitlines():
        m = line_re.match(line)
        if not m:
            if current is not None:   # a hex string continued on the next line
                t, v = cells[current]
                cells[current] = (t, v + bytes.fromhex(line.replace(" ", "")))
            continue
        oid, typ, val = m.group(1), m.group(2) or "", m.group(3)
        if not oid.startswith(entry + "."):
            continue
        parts = [int(x) for x in oid[len(entry) + 1:].split(".")]
        key = (parts[0], tuple(parts[1:]))
        if typ in ("Hex-STRING", "STRING"):
            v = bytes.fromhex(val.replace(" ", "")) if typ == "Hex-STRING" else \
                val.strip('"').encode()
        elif val.startswith('""'):
            v = b""
        else:
            v = int(val.split()[0])
        cells[key] = (typ, v)
        current = key
    return cells


def check(what, want, got):
    if want != got:
        problems.append(f"{what}: virsh says {want!r}, the subagent serves {got!r}")


def virsh(*args):
    return run(["virsh", "-c", URI] + list(args))


def fields(text):
    """'Key:   value' lines of virsh dominfo/nodeinfo into a dict."""
    d = {}
    for line in text.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            d[k.strip()] = v.strip()
    return d


def expected_oper(state_word, reason, managed_save):
    if state_word in ("running", "idle"):
        return 4
    if state_word == "paused":
        return {"starting up": 3, "saving": 5, "migrating": 9, "post-copy": 9}.get(reason, 8)
    if state_word == "in shutdown":
        return 10
    if state_word == "shut off":
        if managed_save:
            return 6
        return 12 if reason == "crashed" else 11
    if state_word == "crashed":
        return 12
    if state_word == "pmsuspended":
        return 6
    if state_word == "no state":
        return 1
    return 2


vm_cells, uuid_cells = walk(ENTRY["vm"]), walk(ENTRY["uuid"])
disk_cells, nic_cells, vcpu_cells = walk(ENTRY["disk"]), walk(ENTRY["nic"]), walk(ENTRY["vcpu"])
hv_cells = walk(ENTRY["hv"])


def vm_col(col, vmi):
    c = vm_cells.get((col, (HV, vmi)))
    return None if c is None else c[1]


uuids = [u for u in virsh("list", "--all", "--uuid").split() if u]
running = 0
for u in uuids:
    raw = bytes.fromhex(u.replace("-", ""))
    idx = uuid_cells.get((1, (HV,) + tuple(raw)))
    if idx is None:
        problems.append(f"VM {u}: no row in vsVmUuidTable")
        continue
    vmi = idx[1]
    info = fields(virsh("dominfo", u))
    name = info["Name"]
    state_line = virsh("domstate", "--reason", u).strip()
    m = re.match(r"^(.*?) \((.*)\)$", state_line)
    word, reason = (m.group(1), m.group(2)) if m else (state_line, "")
    managed = info.get("Managed save") == "yes"
    oper = expected_oper(word, reason, managed)
    running += oper == 4
    check(f"{name}: vsVmName", name.encode(), vm_col(2, vmi))
    check(f"{name}: vsVmUuid", raw, vm_col(3, vmi))
    domid = virsh("domid", u).strip()
    check(f"{name}: vsVmDomainId", None if domid == "-" else int(domid), vm_col(4, vmi))
    # The definition's //os/type: the test driver's virDomainGetOSType (dominfo's "OS Type")
    # always says "linux", whatever the definition holds.
    os_type = ET.fromstring(virsh("dumpxml", u)).findtext("./os/type") or ""
    check(f"{name}: vsVmOsType", os_type.strip().encode(), vm_col(5, vmi))
    check(f"{name}: vsVmPersistent", 1 if info["Persistent"] == "yes" else 2, vm_col(6, vmi))
    check(f"{name}: vsVmOperState", oper, vm_col(7, vmi))
    check(f"{name}: vsVmStateReason", state_line.encode(), vm_col(8, vmi))
    autostart = {"enable": 1, "disable": 2}.get(info.get("Autostart", ""))
    check(f"{name}: vsVmAutostart", autostart, vm_col(13, vmi))
    check(f"{name}: vsVmVcpus", int(info["CPU(s)"]), vm_col(14, vmi))
    check(f"{name}: vsVmMemMax", int(info["Max memory"].split()[0]) // 1024, vm_col(17, vmi))
    check(f"{name}: vsVmMemTarget", int(info["Used memory"].split()[0]) // 1024, vm_col(16, vmi))
    # Disks, in libvirt's order.
    blk = [l.split(None, 3) for l in virsh("domblklist", "--details", u).splitlines()[2:] if l.strip()]
    for pos, b in enumerate(blk, start=1):
        src = "" if len(b) < 4 or b[3] == "-" else b[3]
        check(f"{name}: disk {pos} target", b[2].encode(), (disk_cells.get((2, (HV, vmi, pos))) or (0, None))[1])
        check(f"{name}: disk {pos} source", src.encode(), (disk_cells.get((3, (HV, vmi, pos))) or (0, None))[1])
    served = {k[1][2] for k in disk_cells if k[0] == 2 and k[1][:2] == (HV, vmi)}
    check(f"{name}: number of disks", len(blk), len(served))
    # Interfaces: type, source, model, MAC.
    ifs = [l.split() for l in virsh("domiflist", u).splitlines()[2:] if l.strip()]
    for pos, i in enumerate(ifs, start=1):
        _, typ, src, model, mac = i[:5]
        got = lambda col: (nic_cells.get((col, (HV, vmi, pos))) or (0, None))[1]
        check(f"{name}: nic {pos} MAC", bytes.fromhex(mac.replace(":", "")), got(3))
        check(f"{name}: nic {pos} model", ("" if model == "-" else model).encode(), got(4))
        check(f"{name}: nic {pos} type", typ.encode(), got(5))
        check(f"{name}: nic {pos} source", ("" if src == "-" else src).encode(), got(6))
    served = {k[1][2] for k in nic_cells if k[0] == 3 and k[1][:2] == (HV, vmi)}
    check(f"{name}: number of NICs", len(ifs), len(served))
    # Memory seen by the guest and by the host, as virsh dommemstat reports it (KiB).
    mem = {}
    if domid != "-":
        for line in virsh("dommemstat", u).splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                mem[parts[0]] = int(parts[1]) * 1024
    used = mem["available"] - mem["unused"] if "available" in mem and "unused" in mem else None
    check(f"{name}: vsVmMemUsed", used, vm_col(18, vmi))
    check(f"{name}: vsVmMemAvailable", mem.get("available"), vm_col(19, vmi))
    check(f"{name}: vsVmMemRss", mem.get("rss"), vm_col(20, vmi))
    # vCPU rows: one per vCPU of an active VM.
    rows = {k[1][2] for k in vcpu_cells if k[0] == 2 and k[1][:2] == (HV, vmi)}
    want = set(range(1, int(info["CPU(s)"]) + 1)) if domid != "-" else set()
    check(f"{name}: vCPU rows", want, rows)

served_vms = {k[1][1] for k in vm_cells if k[0] == 2 and k[1][0] == HV}
check("number of VMs", len(uuids), len(served_vms))
node = fields(virsh("nodeinfo"))
hv = lambda col: (hv_cells.get((col, (HV,))) or (0, None))[1]
check("vsHvConnState", 2, hv(8))
check("vsHvHostname", virsh("hostname").strip().encode(), hv(4))
check("vsHvCpuCount", int(node["CPU(s)"]), hv(13))
check("vsHvCpuMhz", int(node["CPU frequency"].split()[0]), hv(14))
check("vsHvVmCount", len(uuids), hv(19))
check("vsHvVmRunning", running, hv(21))

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"{len(uuids)} VMs agree with virsh, column by column")
