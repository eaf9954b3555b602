#!/usr/bin/python3
"""What virtsight-traphandle delivered, for its integration tests.

Reads the mail the SMTP sink stored (MAILDIR/NNNN.eml with its NNNN.json) and the requests
the HTTP sink logged (one JSON object per line), and answers one question per call:

  mail-count MAILDIR TEXT     mails whose Subject or decoded body contains TEXT
  mail-show MAILDIR TEXT      the one such mail: "file:", "header NAME: VALUE" lines (decoded),
                              "rcpt:" lines (envelope), an empty line, then the body
  mail-safe MAILDIR TEXT      check each such mail's form: exactly the headers virtsight writes,
                              each once, 7-bit CRLF lines of at most 998 bytes, no CR or LF left in
                              a header after unfolding, RCPTS (the rest of the arguments) as
                              the only envelope recipients; prints each problem, status 1
  mail-values MAILDIR TEXT REGEX   group 1 of REGEX in each such mail's body, one per line
  mail-ids MAILDIR TEXT       the Message-Id of each such mail, one per line
  post-count LOG TEXT         POSTs answered 200 whose payload strings contain TEXT
  post-show LOG TEXT          the one such POST: "text:", "fallback:", "title:", "color:",
                              "field TITLE: VALUE" lines, then "body:" and the attachment text
  post-safe LOG TEXT          check each such POST: its body arrived as valid UTF-8 and is JSON;
                              no string in it holds a raw '<' or '>' (Slack's control
                              sequences) or a mention word right after '@'; status 1 on a
                              problem
  post-values LOG TEXT REGEX  group 1 of REGEX in each such POST's attachment text
A request log line that is not complete yet is skipped. TEXT "" matches everything.
"""

import email
import email.header
import email.policy
import glob
import json
import os
import re
import sys

EXPECTED_HEADERS = [
    "X-Envelope-From", "X-Envelope-To", "Date", "From", "To", "Subject", "Message-Id",
    "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted",
]
MENTION = re.compile(r"@(channel|here|everyone|group)\b", re.IGNORECASE)


def die(msg):
    print("th_msgs: " + msg, file=sys.stderr)
    sys.exit(2)


# ---------------------------------------------------------------- mail

def header_text(value):
    """A header's value decoded from RFC 2047 words, folding undone."""
    parts = []
    for chunk, charset in email.header.decode_header(value):
        if isinstance(chunk, bytes):
            chunk = chunk.decode(charset or "ascii", "replace")
        parts.append(chunk)
    return "".join(parts)


def mails(maildir):
    """Every stored mail, oldest first: dict with file, raw, msg, subject, body, rcpts."""
    out = []
    for path in sorted(glob.glob(os.path.join(maildir, "*.eml"))):
        with open(path, "rb") as f:
            raw = f.read()
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        payload = msg.get_payload(decode=True) or b""
        body = payload.decode("utf-8", "replace")
        side = os.path.splitext(path)[0] + ".json"
        rcpts = []
        if os.path.exists(side):
            with open(side, encoding="utf-8") as f:
                rcpts = json.load(f).get("rcpt_tos", [])
        out.append({
            "file": os.path.basename(path), "raw": raw, "msg": msg,
            "subject": header_text(msg.get("Subject", "")), "body": body, "rcpts": rcpts,
        })
    return out


def mails_with(maildir, text):
    return [m for m in mails(maildir) if text in m["subject"] + "\n" + m["body"]]


def one(items, what, text):
    if len(items) != 1:
        print("th_msgs: %d %s contain %r, not 1" % (len(items), what, text), file=sys.stderr)
        sys.exit(1)
    return items[0]


def mail_show(m):
    print("file: " + m["file"])
    for name, value in m["msg"].items():
        print("header %s: %s" % (name, header_text(value)))
    for r in m["rcpts"]:
        print("rcpt: " + r)
    print()
    sys.stdout.write(m["body"])


def mail_problems(m, rcpts):
    """What is wrong with the form of one mail."""
    bad = []
    names = [n for n, _ in m["msg"].items()]
    if sorted(names) != sorted(EXPECTED_HEADERS):
        bad.append("headers %s, expected %s" % (names, EXPECTED_HEADERS))
    for line in re.split(rb"\r?\n", m["raw"]):
        if len(line) > 998:
            bad.append("a line of %d bytes" % len(line))
        if any(b >= 0x80 for b in line):
            bad.append("an 8-bit line: %r" % line[:80])
    stray = re.search(rb"\r(?!\n)|(?<!\r)\n", m["raw"])
    if stray:
        bad.append("a bare CR or LF at byte %d: %r" % (stray.start(), m["raw"][stray.start() - 40:
                                                                          stray.start() + 40]))
    for name, value in m["msg"].items():
        unfolded = re.sub(r"\r?\n[ \t]", " ", value)
        if "\r" in unfolded or "\n" in unfolded:
            bad.append("header %s holds a line break: %r" % (name, value))
        if "\r" in header_text(unfolded) or "\n" in header_text(unfolded):
            bad.append("header %s decodes to a line break: %r" % (name, header_text(value)))
    if sorted(m["rcpts"]) != sorted(rcpts):
        bad.append("envelope recipients %s, expected %s" % (m["rcpts"], rcpts))
    return ["%s: %s" % (m["file"], b) for b in bad]


# ---------------------------------------------------------------- webhook requests

def strings(o):
    """Every string inside a JSON value."""
    if isinstance(o, str):
        yield o
    elif isinstance(o, dict):
        for k, v in o.items():
            yield k
            yield from strings(v)
    elif isinstance(o, list):
        for v in o:
            yield from strings(v)


def posts(log, delivered=True):
    """The POSTs of the request log (those answered 200 when delivered), oldest first."""
    out = []
    if not os.path.exists(log):
        return out
    with open(log, encoding="utf-8") as f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                continue  # still being written
            if r.get("method") != "POST" or (delivered and r.get("status") != 200):
                continue
            try:
                r["payload"] = json.loads(r["body"])
            except ValueError:
                r["payload"] = None
            r["all"] = "\n".join(strings(r["payload"])) if r["payload"] is not None else r["body"]
            out.append(r)
    return out


def posts_with(log, text):
    return [r for r in posts(log) if text in r["all"]]


def attachment(r):
    p = r["payload"] or {}
    atts = p.get("attachments") or [{}]
    return atts[0]


def post_show(r):
    p = r["payload"]
    if p is None:
        die("the POST body is not JSON: %r" % r["body"][:200])
    a = attachment(r)
    print("text: " + str(p.get("text")))
    print("fallback: " + str(a.get("fallback")))
    print("title: " + str(a.get("title")))
    print("color: " + str(a.get("color")))
    for f in a.get("fields", []):
        print("field %s: %s" % (f.get("title"), f.get("value")))
    print("body:")
    print(a.get("text", ""))


def post_problems(r):
    bad = []
    length = int(r["headers"].get("Content-Length", "-1"))
    if length != len(r["body"].encode("utf-8")):
        bad.append("the body is not valid UTF-8 (Content-Length %d, %d bytes as decoded)"
                   % (length, len(r["body"].encode("utf-8"))))
    if r["payload"] is None:
        bad.append("the body is not JSON")
        return ["POST %s: %s" % (r.get("seq"), b) for b in bad]
    for s in strings(r["payload"]):
        if "<" in s or ">" in s:
            bad.append("a raw angle bracket in %r" % s[:120])
        if MENTION.search(s):
            bad.append("a live mention in %r" % s[:120])
    return ["POST %s: %s" % (r.get("seq"), b) for b in bad]


# ---------------------------------------------------------------- main

def main(argv):
    if len(argv) < 3:
        die("usage: see the header of th_msgs.py")
    cmd, where, text = argv[0], argv[1], argv[2]
    rest = argv[3:]
    if cmd == "mail-count":
        print(len(mails_with(where, text)))
    elif cmd == "mail-show":
        mail_show(one(mails_with(where, text), "mails", text))
    elif cmd == "mail-safe":
        found = mails_with(where, text)
        bad = [] if found else ["no mail contains %r" % text]
        for m in found:
            bad += mail_problems(m, rest)
        for b in bad:
            print(b)
        return 1 if bad else 0
    elif cmd == "mail-values":
        for m in mails_with(where, text):
            for v in re.findall(rest[0], m["body"]):
                print(v)
    elif cmd == "mail-ids":
        for m in mails_with(where, text):
            print(m["msg"].get("Message-Id", ""))
    elif cmd == "post-count":
        print(len(posts_with(where, text)))
    elif cmd == "post-show":
        post_show(one(posts_with(where, text), "POSTs", text))
    elif cmd == "post-safe":
        found = posts_with(where, text)
        bad = [] if found else ["no POST contains %r" % text]
        for r in found:
            bad += post_problems(r)
        for b in bad:
            print(b)
        return 1 if bad else 0
    elif cmd == "post-values":
        for r in posts_with(where, text):
            for v in re.findall(rest[0], attachment(r).get("text", "")):
                print(v)
    else:
        die("unknown command %r" % cmd)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
