#!/usr/bin/python3
"""HTTP sink for virtsight tests: answers webhooks by mode and records them.

The first path segment chooses the answer (the rest of the path is free, so
a Slack-like URL such as /ok/services/T0/B0/x works):
  /ok...      200
  /429...     429 with Retry-After (--retry-after, or ?retry_after=N)
  /500...     500
  /slow...    200 after a delay (--slow-delay, or ?delay=SECONDS)
  /script...  the next answer of the scripted sequence (--script), e.g.
              "429,429,200": two 429s then 200; the last entry repeats.
              Entries are 200, 429, 500 or slow.
  /health     200, not recorded (used for readiness)
  PUT /_control/script  replaces the sequence (body "429,200") and rewinds it
  anything else: 404
Every other request is recorded as one JSON line in --request-log:
{"seq", "time", "method", "path", "query", "headers", "body", "status",
"peer"}; "peer" is the client's "address:port", so requests made over one
kept-alive connection share it.

With --port 0 the sink binds an ephemeral port itself and writes it to
--port-file.  Threaded: a slow reply does not block other requests.
"""

import argparse
import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def log(msg):
    """Write one line to stderr (the sink's log file)."""
    print("http_sink: " + msg, file=sys.stderr, flush=True)


def parse_script(text):
    """Split "429,429,200" into a list of answers; raise ValueError if bad."""
    items = [s.strip() for s in text.split(",") if s.strip()]
    for item in items:
        if item not in ("200", "429", "500", "slow"):
            raise ValueError("bad script entry %r" % item)
    return items


class Sink:
    """Shared state: options, request log and the scripted sequence."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.seq = 0
        self.script = parse_script(args.script)
        self.script_pos = 0
        self.log_file = open(args.request_log, "a", encoding="utf-8")

    def next_scripted(self):
        """Return the next answer of the sequence (the last one repeats)."""
        with self.lock:
            if not self.script:
                return "200"
            item = self.script[min(self.script_pos, len(self.script) - 1)]
            self.script_pos += 1
            return item

    def set_script(self, text):
        """Replace the sequence and rewind it."""
        items = parse_script(text)
        with self.lock:
            self.script = items
            self.script_pos = 0

    def record(self, entry):
        """Append one request as a JSON line; return its sequence number."""
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.log_file.write(json.dumps(entry, sort_keys=True) + "\n")
            self.log_file.flush()
            return self.seq


class Handler(BaseHTTPRequestHandler):
    """Answers every method the same way, by path."""

    protocol_version = "HTTP/1.1"
    server_version = "vs-http-sink/1"

    def setup(self):
        """No Nagle delay: headers and body go out in separate writes, and on a kept-alive
        connection the client's delayed ACK would add ~40 ms to every reply."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        """Route http.server's access log to our log."""
        log("%s %s" % (self.address_string(), fmt % args))

    def read_body(self):
        """Read the request body announced by Content-Length."""
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def reply(self, status, body, extra_headers=()):
        """Send a complete response with a Content-Length."""
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def choose(self, segment, query):
        """Map the first path segment to (status, delay, headers)."""
        sink = self.server.sink
        if segment == "script":
            item = sink.next_scripted()
            segment = "ok" if item == "200" else item
        retry = query.get("retry_after", [str(sink.args.retry_after)])[0]
        delay = float(query.get("delay", [sink.args.slow_delay])[0])
        table = {
            "ok": (200, 0.0, ()),
            "429": (429, 0.0, (("Retry-After", retry),)),
            "500": (500, 0.0, ()),
            "slow": (200, delay, ()),
        }
        return table.get(segment, (404, 0.0, ()))

    def handle_any(self):
        """Common handler for all methods."""
        url = urlsplit(self.path)
        body = self.read_body()
        if url.path == "/health":
            self.reply(200, "ok\n")
            return
        if url.path == "/_control/script" and self.command == "PUT":
            try:
                self.server.sink.set_script(body.decode())
            except ValueError as e:
                self.reply(400, "%s\n" % e)
                return
            self.reply(200, "script set\n")
            return
        segment = url.path.lstrip("/").split("/", 1)[0]
        status, delay, headers = self.choose(segment, parse_qs(url.query))
        self.server.sink.record({
            "time": time.time(), "method": self.command, "path": url.path,
            "query": url.query, "headers": dict(self.headers.items()),
            "body": body.decode("utf-8", "replace"), "status": status,
            "peer": "%s:%d" % self.client_address[:2],
        })
        if delay > 0:
            time.sleep(delay)
        self.reply(status, "status %d\n" % status, headers)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any


def parse_args():
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 = ephemeral")
    p.add_argument("--port-file", help="write the bound port here")
    p.add_argument("--request-log", required=True)
    p.add_argument("--retry-after", type=int, default=1)
    p.add_argument("--slow-delay", type=float, default=2.0)
    p.add_argument("--script", default="200")
    return p.parse_args()


def main():
    """Serve until SIGTERM/SIGINT."""
    args = parse_args()
    try:
        sink = Sink(args)
    except ValueError as e:
        log("bad --script: %s" % e)
        return 2
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.sink = sink
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(args.port_file + ".tmp", args.port_file)
    log("listening on %s:%d" % (args.host, port))

    def stop(signum, frame):
        """Leave serve_forever() from the main thread."""
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        log("stopping")
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
