#!/usr/bin/python3
"""Write a libvirt test-driver node file with N VMs to standard output, for the demo, the
tests and the benchmarks. VMs are named vm-00001..., with deterministic UUIDs, 1 to 4 vCPUs,
one or two disks and one NIC each; about 70% run, 10% are paused and the rest are shut off.

usage: gen_node.py N
"""
import sys
from xml.sax.saxutils import escape

n = int(sys.argv[1])
out = sys.stdout
out.write("<node>\n")
out.write("  <cpu><mhz>2400</mhz><nodes>1</nodes><sockets>2</sockets><cores>8</cores>"
          "<threads>2</threads></cpu>\n  <memory>268435456</memory>\n")
for i in range(1, n + 1):
    state = 1 if i % 10 < 7 else (3 if i % 10 == 7 else 5)
    vcpus = 1 + i % 4
    disks = 1 + i % 2
    out.write(f"  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
              f"    <name>{escape(f'vm-{i:05d}')}</name>\n")
    out.write(f"    <uuid>5e0e0000-0000-4000-8000-{i:012x}</uuid>\n")
    out.write(f"    <memory unit='MiB'>{512 * vcpus}</memory>\n    <vcpu>{vcpus}</vcpu>\n")
    out.write("    <os><type arch='x86_64'>hvm</type></os>\n    <devices>\n")
    for d in range(disks):
        dev = "vd" + "ab"[d]
        out.write(f"      <disk type='file' device='disk'><source file='/var/lib/images/"
                  f"vm-{i:05d}-{dev}.qcow2'/><target dev='{dev}' bus='virtio'/></disk>\n")
    out.write(f"      <interface type='network'><mac address='52:54:00:{i >> 16 & 255:02x}:"
              f"{i >> 8 & 255:02x}:{i & 255:02x}'/><source network='default'/>"
              f"<model type='virtio'/></interface>\n")
    out.write(f"    </devices>\n    <test:runstate>{state}</test:runstate>\n  </domain>\n")
out.write("</node>\n")
