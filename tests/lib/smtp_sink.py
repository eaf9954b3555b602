#!/usr/bin/python3
"""SMTP sink for virtsight tests: accepts mail on loopback and stores it.

Each accepted message is written to MAIL_DIR/NNNN.eml (0001, 0002, ...) with
the envelope prepended as X-Envelope-From / X-Envelope-To headers, plus a
sidecar NNNN.json holding {"mail_from", "rcpt_tos", "peer"}.  The .json is
written first and the .eml renamed into place last, so a test that sees the
.eml can read both.  Recipients named with --reject get a permanent 550,
those named with --tempfail a temporary 451; nothing is stored for them.

With --port 0 the sink binds an ephemeral port itself (no race between
choosing and binding) and writes the port number to --port-file.

Optional, for TLS and AUTH tests: --tls-cert/--tls-key offer STARTTLS with that
certificate (--require-starttls refuses mail before it); --auth-user with
--auth-password-file (first line) offers AUTH PLAIN/LOGIN after STARTTLS and
requires it before MAIL.  With either, the sidecar also records "tls" (the
message came over TLS) and "auth_user" (who authenticated, or null).
--tempfail-while PATH makes the --tempfail recipients fail only while PATH
exists, so a test can let them recover without restarting the sink.
Needs Debian's python3-aiosmtpd; run it with /usr/bin/python3.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def log(msg):
    """Write one line to stderr (the sink's log file)."""
    print("smtp_sink: " + msg, file=sys.stderr, flush=True)


def write_atomic(path, data):
    """Write bytes to path through a temporary name and a rename."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class SinkHandler:
    """aiosmtpd handler: refuses chosen recipients, stores the rest."""

    def __init__(self, mail_dir, reject, tempfail, tempfail_while=None,
                 record_security=False):
        self.mail_dir = mail_dir
        self.reject = {a.lower() for a in reject}
        self.tempfail = {a.lower() for a in tempfail}
        self.tempfail_while = tempfail_while
        self.record_security = record_security
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Answer 550/451 for refused recipients, 250 for the others."""
        if address.lower() in self.reject:
            log("RCPT %s refused with 550" % address)
            return "550 5.1.1 <%s>: recipient address rejected" % address
        if address.lower() in self.tempfail and (
                self.tempfail_while is None or os.path.exists(self.tempfail_while)):
            log("RCPT %s refused with 451" % address)
            return "451 4.3.0 <%s>: temporary failure, try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        """Store the message and its envelope under the next number."""
        self.count += 1
        base = os.path.join(self.mail_dir, "%04d" % self.count)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "peer": list(session.peer[:2]) if session.peer else None,
        }
        if self.record_security:
            meta["tls"] = session.ssl is not None
            meta["auth_user"] = (session.auth_data.login.decode("utf-8", "replace")
                                 if session.authenticated
                                 and isinstance(session.auth_data, LoginPassword)
                                 else None)
        write_atomic(base + ".json", (json.dumps(meta) + "\n").encode())
        head = "X-Envelope-From: <%s>\r\nX-Envelope-To: %s\r\n" % (
            envelope.mail_from, ", ".join("<%s>" % r for r in envelope.rcpt_tos))
        content = envelope.original_content or envelope.content or b""
        write_atomic(base + ".eml", head.encode() + content)
        log("stored %s.eml from <%s> to %s" % (base, envelope.mail_from,
                                               ",".join(envelope.rcpt_tos)))
        return "250 2.0.0 OK: queued as %04d" % self.count


def parse_args():
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 = ephemeral")
    p.add_argument("--port-file", help="write the bound port here")
    p.add_argument("--mail-dir", required=True)
    p.add_argument("--reject", action="append", default=[],
                   help="recipient refused with 550 (repeatable)")
    p.add_argument("--tempfail", action="append", default=[],
                   help="recipient refused with 451 (repeatable)")
    p.add_argument("--tempfail-while", metavar="PATH",
                   help="--tempfail applies only while PATH exists")
    p.add_argument("--tls-cert", help="PEM certificate (chain) offered with STARTTLS")
    p.add_argument("--tls-key", help="PEM private key of --tls-cert")
    p.add_argument("--require-starttls", action="store_true",
                   help="refuse commands but EHLO/STARTTLS/QUIT before STARTTLS")
    p.add_argument("--auth-user", help="require AUTH as this user (after STARTTLS)")
    p.add_argument("--auth-password-file", help="its password: the file's first line")
    args = p.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if bool(args.auth_user) != bool(args.auth_password_file):
        p.error("--auth-user and --auth-password-file go together")
    return args


def make_authenticator(user, password_file):
    """An aiosmtpd authenticator accepting user with the password in the file."""
    with open(password_file, "rb") as f:
        password = f.readline().rstrip(b"\r\n")
    want = LoginPassword(user.encode(), password)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data == want
        log("AUTH %s as %s %s" % (mechanism, auth_data.login.decode("utf-8", "replace")
                                  if isinstance(auth_data, LoginPassword) else "?",
                                  "accepted" if ok else "refused"))
        # handled=False: aiosmtpd itself answers 535 to a refusal
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    return authenticate


def smtp_options(args):
    """Keyword arguments for aiosmtpd's SMTP from the TLS and AUTH options."""
    kw = {}
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        kw["tls_context"] = ctx
        kw["require_starttls"] = args.require_starttls
    if args.auth_user:
        kw["authenticator"] = make_authenticator(args.auth_user, args.auth_password_file)
        kw["auth_required"] = True
    return kw


async def serve(args):
    """Listen until SIGTERM/SIGINT."""
    handler = SinkHandler(args.mail_dir, args.reject, args.tempfail, args.tempfail_while,
                          bool(args.tls_cert or args.auth_user))
    kw = smtp_options(args)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="vs-smtp-sink", ident="vs-smtp-sink", **kw),
        host=args.host, port=args.port)
    port = server.sockets[0].getsockname()[1]
    if args.port_file:
        write_atomic(args.port_file, b"%d\n" % port)
    log("listening on %s:%d" % (args.host, port))
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set_result, sig)
    sig = await stop
    log("stopping on signal %d" % sig)
    server.close()
    await server.wait_closed()


def main():
    """Entry point."""
    args = parse_args()
    os.makedirs(args.mail_dir, exist_ok=True)
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
