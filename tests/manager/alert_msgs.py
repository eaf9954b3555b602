#!/usr/bin/python3
"""alert_msgs.py: the alarm messages the test sinks received, one line each, in arrival order.

  alert_msgs.py mail MAIL_DIR...          the SMTP sink's NNNN.eml files (directories of
                                          successive sinks, oldest first)
  alert_msgs.py chat REQUEST_LOG          the HTTP sink's request log (Slack payloads)
  alert_msgs.py trap SPOOL_DIR OID...     snmptrapd's spooled traps; OIDs (numeric, from
                                          VIRTSIGHT-MIB): vsAlarmRaised vsAlarmCleared
                                          vsAlarmResource.0 vsAlarmMetric.0 vsAlarmValue.0
                                          vsAlarmThreshold.0 vsAlarmSeverity.0

Each line: CHANNEL KIND SEVERITY HOST RESOURCE METRIC VALUE THRESHOLD ALARM_ID EXTRA...
KIND is raised or cleared; SEVERITY is the one entered (raised) or the one that ended
(cleared), as VIRTSIGHT-MIB's vsAlarmSeverity means it. EXTRA: mail: message id, Subject;
chat: colour, HTTP status the sink answered, the payload's text, the time the request
arrived; trap: the severity number.
Fields that a channel does not carry are "-"; blanks inside a field become "_" so that
awk sees one column per field. A message that cannot be read is a line starting with "bad".
"""

import email
import email.header
import email.policy
import glob
import json
import os
import re
import sys


def word(s):
    """One awk column: "-" for nothing, blanks as underscores."""
    if s is None or s == "":
        return "-"
    return re.sub(r"\s", "_", str(s))


def line(*fields):
    """Print one message line."""
    print(" ".join(word(f) for f in fields))


def severity_pair(text):
    """"CRITICAL (was WARNING)" -> ("CRITICAL", "WARNING"); "OK" -> ("OK", None)."""
    m = re.fullmatch(r"(\w+)(?: \(was (\w+)\))?", text.strip())
    return (m.group(1), m.group(2)) if m else (text, None)


def mail(*mail_dirs):
    """One line per stored mail, parsed from its plain-text body."""
    paths = []
    for d in mail_dirs:
        paths += sorted(glob.glob(os.path.join(d, "*.eml")))
    for path in paths:
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
        body = msg.get_content()
        fields = {}
        for row in body.splitlines():
            m = re.match(r"([A-Z][A-Za-z ]*):\s+(.*)$", row)
            if m and m.group(1) not in fields:
                fields[m.group(1)] = m.group(2)
        status = fields.get("Status")
        if status not in ("PROBLEM", "RECOVERED"):
            line("bad", "mail", os.path.basename(path), "no Status field")
            continue
        sev, was = severity_pair(fields.get("Severity", "?"))
        kind = "raised" if status == "PROBLEM" else "cleared"
        line("mail", kind, sev if kind == "raised" else was, fields.get("Host"),
             fields.get("Resource"), fields.get("Metric"), fields.get("Value"),
             fields.get("Threshold"), fields.get("Alarm id"), fields.get("Message id"), subject)


def chat(request_log):
    """One line per webhook request the HTTP sink recorded."""
    if not os.path.exists(request_log):
        return
    with open(request_log, encoding="utf-8") as f:
        for row in f:
            req = json.loads(row)
            try:
                payload = json.loads(req["body"])
                att = payload["attachments"][0]
            except (ValueError, KeyError, IndexError):
                line("bad", "chat", req.get("seq"), "not a Slack payload")
                continue
            fields = {x["title"]: x["value"] for x in att.get("fields", [])}
            sev, was = severity_pair(fields.get("Severity", "?"))
            kind = "cleared" if sev == "OK" else "raised"
            line("chat", kind, sev if kind == "raised" else was, fields.get("Host"),
                 fields.get("Resource"), fields.get("Metric"), fields.get("Value"),
                 fields.get("Threshold"), fields.get("Alarm id"), att.get("color"),
                 req.get("status"), payload.get("text"), "%.3f" % req.get("time", 0))


def unhex(value):
    """A string varbind as snmptrapd -Ox wrote it ("77 65 62 " or "text") as text."""
    value = value.strip()
    if value.startswith('"') and value.endswith('"'):
        value = value[1:-1]
    try:
        return bytes.fromhex(value).decode("utf-8", "replace")
    except ValueError:
        return value


def trap(spool_dir, raised, cleared, resource, metric, value, threshold, severity):
    """One line per spooled vsAlarmRaised / vsAlarmCleared (other traps are skipped)."""
    severity_names = {"1": "WARNING", "2": "CRITICAL"}
    for path in sorted(glob.glob(os.path.join(spool_dir, "*.trap"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            rows = f.read().splitlines()[2:]
        vbs, last = {}, None
        for row in rows:
            # -Ox wraps long hex strings onto lines of their own: join them again.
            if row.startswith(".") and " " in row:
                last, val = row.split(" ", 1)
                vbs[last] = val
            elif last is not None:
                vbs[last] += " " + row
        oid = vbs.get(".1.3.6.1.6.3.1.1.4.1.0", "").strip()
        if oid not in (raised, cleared):
            continue
        sev = vbs.get(severity, "").strip()
        line("trap", "raised" if oid == raised else "cleared", severity_names.get(sev, sev),
             "-", unhex(vbs.get(resource, "")), unhex(vbs.get(metric, "")),
             unhex(vbs.get(value, "")), unhex(vbs.get(threshold, "")), "-", sev)


def main():
    """Dispatch on the channel."""
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    kind, args = sys.argv[1], sys.argv[2:]
    if kind == "mail":
        mail(*args)
    elif kind == "chat":
        chat(*args)
    elif kind == "trap" and len(args) == 8:
        trap(*args)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
