#!/usr/bin/python3
"""alert-lat.py: the two halves of bench/alert.sh that are easier in Python.

  alert-lat.py send ROUNDS GAP OUT_DIR TRAP_ADDR SMTP_PORT HTTP_URL
      The baseline: ROUNDS rounds, GAP seconds apart, each sending one message straight to each
      sink from this process: an SNMPv2c inform to snmptrapd (BER built here, acknowledged),
      one SMTP session with one mail (smtplib), one Slack-like JSON POST over one kept-alive
      HTTP connection (as libcurl keeps it). The time just before each send goes to
      OUT_DIR/base-{trap,mail,chat}.txt as "SEQ TIME"; SEQ numbers go on from what the files
      hold, so the script can be run twice (before and after the manager) into one OUT_DIR.

  alert-lat.py report SERVED EXPECT TRAP_SPOOL RAISED_OID CLEARED_OID VALUE_OID MAIL_DIR
                      REQUEST_LOG BASE_DIR CHAT_PATH=NAME...
      Latency of each message of the manager: its arrival at the sink minus the time the
      sample that crossed the threshold was answered (SERVED: alert-pass.py's log; the file
      "fed" beside it lists the values fed, in hundredths; a message is matched to its sample
      by its value, every value fed being unique). Arrival: the
      HTTP sink's "time" of the request; the SMTP sink's NNNN.eml mtime; the spooled trap's
      mtime (trap_spool.sh writes it as snmptrapd runs it). The baseline is measured the same
      way from the send time. EXPECT: messages each channel should get. CHAT_PATH=NAME: the
      webhook path of each Slack notifier. Prints a table (per channel: count, min, p50, p99,
      max in ms, p50 over the baseline's and minus it; raises and clears apart; p50 of the
      first and last ten messages and the least-squares trend); the last line is "missing N"
      (messages not received, over all channels).

File modification times come from the kernel's coarse clock (one timer tick, 1-4 ms): the
same on both sides of every comparison.
"""

import email
import email.message
import email.policy
import glob
import http.client
import json
import math
import os
import re
import smtplib
import socket
import sys
import time

BASE_TRAP_OID = "1.3.6.1.4.1.8072.9999.9999.8480.0.1"  # netSnmpPlaypen.8480: unregistered
BASE_SEQ_OID = "1.3.6.1.4.1.8072.9999.9999.8480.1.1.0"
BASE_STR_OID = "1.3.6.1.4.1.8072.9999.9999.8480.1.%d.0"

# ---------------------------------------------------------------- BER, for one inform


def ber_len(n):
    """A BER length."""
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag, body):
    """Tag, length, value."""
    return bytes([tag]) + ber_len(len(body)) + body


def ber_int(tag, v):
    """An INTEGER (or an application type encoded like one)."""
    return tlv(tag, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big", signed=True))


def ber_oid(dotted):
    """An OBJECT IDENTIFIER."""
    arcs = [int(a) for a in dotted.strip(".").split(".")]
    out = bytearray([40 * arcs[0] + arcs[1]])
    for a in arcs[2:]:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


def inform(community, req_id, seq):
    """An SNMPv2c InformRequest shaped like an alarm's: uptime, trap OID, six varbinds."""
    strings = ["web", "host.load", "3.01", "2", "load", "alertbench baseline %d" % seq]
    vbs = [tlv(0x30, ber_oid("1.3.6.1.2.1.1.3.0") + ber_int(0x43, int(time.monotonic() * 100))),
           tlv(0x30, ber_oid("1.3.6.1.6.3.1.1.4.1.0") + ber_oid(BASE_TRAP_OID)),
           tlv(0x30, ber_oid(BASE_SEQ_OID) + ber_int(0x02, seq))]
    for i, s in enumerate(strings):
        vbs.append(tlv(0x30, ber_oid(BASE_STR_OID % (i + 2)) + tlv(0x04, s.encode())))
    pdu = tlv(0xA6, ber_int(0x02, req_id) + ber_int(0x02, 0) + ber_int(0x02, 0)
              + tlv(0x30, b"".join(vbs)))
    return tlv(0x30, ber_int(0x02, 1) + tlv(0x04, community.encode()) + pdu)


# ---------------------------------------------------------------- baseline sends


def next_seq(path):
    """The first sequence number not yet in a baseline file."""
    try:
        with open(path, encoding="ascii") as f:
            return 1 + max([int(l.split()[0]) for l in f if l.strip()] or [0])
    except OSError:
        return 1


def send(rounds, gap, out_dir, trap_addr, smtp_port, url):
    """Send the baseline messages; 1 if any send failed."""
    host, port = trap_addr.rsplit(":", 1)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.connect((host, int(port)))
    udp.settimeout(5)
    u = re.match(r"http://([^:/]+):(\d+)", url)
    web = http.client.HTTPConnection(u.group(1), int(u.group(2)), timeout=5)
    logs = {ch: open(os.path.join(out_dir, "base-%s.txt" % ch), "a", encoding="ascii")
            for ch in ("trap", "mail", "chat")}
    seq = next_seq(os.path.join(out_dir, "base-trap.txt"))
    failed = 0
    for r in range(rounds):
        n = seq + r
        # trap: an inform, its acknowledgement awaited (none in 5 s counts as a failure)
        t0 = time.time()
        udp.send(inform("public", 424200 + n, n))
        try:
            udp.recv(4096)
        except socket.timeout:
            failed += 1
        logs["trap"].write("%d %.6f\n" % (n, t0))
        # mail: one session per message, as libesmtp opens one
        msg = email.message.EmailMessage()
        msg["From"] = "virtsight@bench.invalid"
        msg["To"] = "ops@bench.invalid"
        msg["Subject"] = "alertbench baseline %d" % n
        msg.set_content("".join("%-12s%s\n" % (k, v) for k, v in (
            ("Status:", "PROBLEM"), ("Severity:", "WARNING"), ("Host:", "web"),
            ("Resource:", "web"), ("Metric:", "host.load"), ("Value:", "3.01"),
            ("Threshold:", "2"), ("Rule:", "load"), ("Alarm id:", "%016x" % n))))
        t0 = time.time()
        try:
            with smtplib.SMTP("127.0.0.1", int(smtp_port), timeout=5) as s:
                s.send_message(msg)
        except (OSError, smtplib.SMTPException):
            failed += 1
        logs["mail"].write("%d %.6f\n" % (n, t0))
        # chat: a POST of a Slack-sized payload on the kept-alive connection
        body = json.dumps({"text": "[WARNING] alertbench baseline %d" % n, "attachments": [{
            "color": "#daa038", "fields": [{"title": t, "value": v, "short": True} for t, v in (
                ("Host", "web"), ("Metric", "host.load"), ("Value", "3.01"),
                ("Threshold", "2"), ("Severity", "WARNING"), ("Alarm id", "%016x" % n))]}]})
        t0 = time.time()
        try:
            web.request("POST", "/ok/bench/base/%d" % n, body=body,
                        headers={"Content-Type": "application/json"})
            web.getresponse().read()
        except (OSError, http.client.HTTPException):
            failed += 1
            web.close()
        logs["chat"].write("%d %.6f\n" % (n, t0))
        for f in logs.values():
            f.flush()
        time.sleep(gap)
    web.close()
    return 1 if failed else 0


# ---------------------------------------------------------------- arrivals


def unhex(v):
    """A -Ox string value ("33 2E 30 31 ", maybe quoted) as text."""
    v = v.strip().strip('"')
    try:
        return bytes.fromhex(v).decode("utf-8", "replace")
    except ValueError:
        return v


def trap_arrivals(spool, raised, cleared, value_oid):
    """{"alarm": [(value, mtime)], "base": [(seq, mtime)]} from the spooled traps."""
    out = {"alarm": [], "base": []}
    for path in sorted(glob.glob(os.path.join(spool, "*.trap"))):
        mtime = os.stat(path).st_mtime_ns / 1e9
        vbs, last = {}, None
        with open(path, encoding="utf-8", errors="replace") as f:
            for row in f.read().splitlines()[2:]:
                if row.startswith(".") and " " in row:
                    last, val = row.split(" ", 1)
                    vbs[last.lstrip(".")] = val
                elif last is not None:
                    vbs[last.lstrip(".")] += " " + row
        oid = vbs.get("1.3.6.1.6.3.1.1.4.1.0", "").strip().lstrip(".")
        if oid in (raised, cleared):
            out["alarm"].append((unhex(vbs.get(value_oid, "")), mtime))
        elif oid == BASE_TRAP_OID:
            out["base"].append((int(vbs.get(BASE_SEQ_OID, "0")), mtime))
    return out


def mail_arrivals(mail_dir):
    """The same from the SMTP sink's files."""
    out = {"alarm": [], "base": []}
    for path in sorted(glob.glob(os.path.join(mail_dir, "*.eml"))):
        mtime = os.stat(path).st_mtime_ns / 1e9
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        m = re.match(r"alertbench baseline (\d+)$", str(msg["Subject"] or ""))
        if m:
            out["base"].append((int(m.group(1)), mtime))
            continue
        v = re.search(r"^Value:\s+(\S+)", msg.get_content(), re.M)
        out["alarm"].append((v.group(1) if v else "?", mtime))
    return out


def chat_arrivals(request_log, paths):
    """{channel: {"alarm": [...]}, "base": [...]} from the HTTP sink's request log."""
    out = {name: {"alarm": [], "base": []} for name in paths.values()}
    base = []
    with open(request_log, encoding="utf-8") as f:
        for row in f:
            req = json.loads(row)
            if req.get("status") != 200:
                continue
            m = re.match(r"/ok/bench/base/(\d+)$", req["path"])
            if m:
                base.append((int(m.group(1)), req["time"]))
                continue
            name = paths.get(req["path"])
            if name is None:
                continue
            try:
                att = json.loads(req["body"])["attachments"][0]
                value = {x["title"]: x["value"] for x in att["fields"]}["Value"]
            except (ValueError, KeyError, IndexError):
                value = "?"
            out[name]["alarm"].append((value, req["time"]))
    return out, base


# ---------------------------------------------------------------- figures


def pct(sorted_values, p):
    """Nearest-rank percentile: with 100 values, p50 the 50th, p99 the 99th."""
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(p / 100.0 * len(sorted_values)) - 1)]


def stats(values):
    """(n, min, p50, p99, max) in milliseconds."""
    v = sorted(x * 1000.0 for x in values)
    if not v:
        return (0, float("nan"), float("nan"), float("nan"), float("nan"))
    return (len(v), v[0], pct(v, 50), pct(v, 99), v[-1])


def load_served(path):
    """{value: the time it was first answered} from alert-pass.py's log."""
    first = {}
    with open(path, encoding="ascii") as f:
        for row in f:
            idx, value, _, answered = row.split()
            first.setdefault(int(value), float(answered))
    return first


def load_sends(path):
    """{seq: send time}."""
    with open(path, encoding="ascii") as f:
        return {int(a): float(b) for a, b in (l.split() for l in f if l.strip())}


def report(served_path, expect, spool, raised, cleared, value_oid, mail_dir, request_log,
           base_dir, chat_paths):
    """Print the table; status 0."""
    served = load_served(served_path)
    fed_path = os.path.join(os.path.dirname(served_path), "fed")
    with open(fed_path, encoding="ascii") as f:
        fed = [int(x) for x in f.read().split()]
    paths = dict(p.split("=", 1) for p in chat_paths)
    chats, chat_base = chat_arrivals(request_log, paths)
    channels = [("trap", trap_arrivals(spool, raised, cleared, value_oid.lstrip("."))),
                ("mail", mail_arrivals(mail_dir))]
    channels += [(name, chats[name]) for name in paths.values()]
    base = {"trap": channels[0][1]["base"], "mail": channels[1][1]["base"]}
    for name in paths.values():
        base[name] = chat_base  # one webhook sink: one baseline for every Slack notifier

    fmt = "%-10s %4s %6s %6s %7s %7s %7s %6s  %s"
    print(fmt % ("channel", "msgs", "min", "p50", "p99", "max", "p50 x", "+p50",
                 "baseline: n, min/p50/p99/max"))
    missing_all = max(0, expect - len(fed)) * len(channels)
    for name, arr in channels:
        lat, kinds, seen, by_key, extra = [], {"raised": [], "cleared": []}, {}, {}, 0
        for value, t in arr["alarm"]:
            key = hundredths(value)
            if key not in fed or key not in served:
                extra += 1
                continue
            seen[key] = seen.get(key, 0) + 1
            lat.append(t - served[key])
            by_key.setdefault(key, t - served[key])
            kinds["raised" if key >= 200 else "cleared"].append(t - served[key])
        sends = load_sends(os.path.join(base_dir, "base-%s.txt" %
                                        ("chat" if name in paths.values() else name)))
        blat = [t - sends[s] for s, t in base[name] if s in sends]
        n, lo, p50, p99, hi = stats(lat)
        bn, blo, b50, b99, bhi = stats(blat)
        missing = sum(1 for k in fed if k not in seen)
        dups = sum(c - 1 for c in seen.values())
        missing_all += missing
        note = []
        if missing:
            note.append("%d missing" % missing)
        if dups:
            note.append("%d duplicates" % dups)
        if extra:
            note.append("%d not of the fed samples" % extra)
        if bn < len(sends):
            note.append("baseline: %d of %d arrived" % (bn, len(sends)))
        print(fmt % (name, n, "%.1f" % lo, "%.1f" % p50, "%.1f" % p99, "%.1f" % hi,
                     "%.1f" % (p50 / b50) if b50 > 0 else "-", "%.1f" % (p50 - b50),
                     "%d, %.1f/%.1f/%.1f/%.1f" % (bn, blo, b50, b99, bhi)
                     + ("; " + ", ".join(note) if note else "")))
        r, c = stats(kinds["raised"]), stats(kinds["cleared"])
        ordered = [by_key[k] for k in fed if k in by_key]
        k = min(10, len(ordered))
        print("%-10s raised %d: p50 %.1f, p99 %.1f; cleared %d: p50 %.1f, p99 %.1f; p50 of the"
              " first %d %.1f, of the last %d %.1f; trend %+.2f ms per message" %
              ("", r[0], r[2], r[3], c[0], c[2], c[3], k, stats(ordered[:k])[2], k,
               stats(ordered[-k:])[2] if k else float("nan"), 1000.0 * slope(ordered)))
    print("missing %d" % missing_all)
    return 0


def slope(values):
    """Least-squares slope of values against their position (0 for fewer than 2)."""
    n = len(values)
    if n < 2:
        return 0.0
    mx, my = (n - 1) / 2.0, sum(values) / n
    return (sum((i - mx) * (v - my) for i, v in enumerate(values))
            / sum((i - mx) ** 2 for i in range(n)))


def hundredths(value):
    """A message's value ("3.01") in hundredths (301), or None."""
    try:
        return int(round(float(value) * 100))
    except ValueError:
        return None


def main():
    """Dispatch."""
    a = sys.argv[1:]
    if len(a) == 7 and a[0] == "send":
        return send(int(a[1]), float(a[2]), a[3], a[4], a[5], a[6])
    if len(a) >= 11 and a[0] == "report":
        return report(a[1], int(a[2]), a[3], a[4].lstrip("."), a[5].lstrip("."), a[6], a[7],
                      a[8], a[9], a[10:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
