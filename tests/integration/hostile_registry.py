"""A small Confluent-compatible registry that misbehaves on purpose, for test_registry_hostile.py:
it answers the paths `orders` asks (GET /schemas/types, GET /schemas/ids/N, POST
/subjects/S/versions and /subjects/S) and, per schema id or mode, trickles its answer, sends a huge
one, a chunked one that never ends, or a 100k-deep one. Every answer loop is bounded in bytes and
time (LOOP_SECONDS), and ends as soon as the client hangs up.
"""
from __future__ import annotations

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from helpers import ROOT

LOOP_SECONDS = 60  # no answer of this server lasts longer, whatever the client does
MiB = 1 << 20

with open(os.path.join(ROOT, "schemas", "order.avsc")) as f:
    ORDER_SCHEMA = f.read()

# Schema ids and what GET /schemas/ids/N answers for each.
GOOD, SLOW, HUGE, ENDLESS, DEEP_SCHEMA, DEEP_ANSWER, BIG_SCHEMA, NOT_AVRO = range(1, 9)


def deep_schema(levels=100_000):
    return "[" * levels + "]" * levels


class HostileRegistry:
    """Serves on 127.0.0.1:<port>. `auth` = (user, password) makes every path answer 401 without
    exactly those basic-auth credentials. `types_mode` / `register_mode` make GET /schemas/types and
    the POSTs misbehave too: "ok", "slow", "huge", "endless"."""

    def __init__(self, auth=None, types_mode="ok", register_mode="ok"):
        self.auth = None
        if auth:
            self.auth = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        self.types_mode = types_mode
        self.register_mode = register_mode
        self.requests = []  # (monotonic time, method, path), in arrival order
        self.refused = 0
        self.stopping = threading.Event()
        registry = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                registry._serve(self)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                registry._serve(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/apis/ccompat/v7"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def count(self, prefix):
        return sum(path.startswith(prefix) for _, _, path in self.requests)

    # --- answers --------------------------------------------------------------------------

    def _serve(self, h):
        path = h.path.split("?", 1)[0]
        if path.startswith("/apis/ccompat/v7"):
            path = path[len("/apis/ccompat/v7"):]
        self.requests.append((time.monotonic(), h.command, path))
        try:
            if self.auth and h.headers.get("Authorization") != self.auth:
                self.refused += 1
                return self._json(h, 401, {"error_code": 401, "message": "Unauthorized"})
            if h.command == "GET" and path == "/schemas/types":
                return self._mode(h, self.types_mode, b'["AVRO"]')
            if h.command == "POST" and path.startswith("/subjects/"):
                return self._mode(h, self.register_mode, b'{"id":1}')
            if h.command == "GET" and path.startswith("/schemas/ids/"):
                return self._by_id(h, int(path.rsplit("/", 1)[1]))
            self._json(h, 404, {"error_code": 404, "message": "HTTP 404 Not Found"})
        except (BrokenPipeError, ConnectionResetError, ValueError):
            pass  # the client hung up (as it should, at its deadline or size limit)

    def _by_id(self, h, n):
        if n == GOOD:
            return self._json(h, 200, {"schema": ORDER_SCHEMA})
        if n == SLOW:
            return self._slow(h, json.dumps({"schema": ORDER_SCHEMA}).encode())
        if n == HUGE:
            return self._huge(h)
        if n == ENDLESS:
            return self._endless(h)
        if n == DEEP_SCHEMA:
            return self._json(h, 200, {"schema": deep_schema()})
        if n == DEEP_ANSWER:
            body = b'{"schema":"\\"int\\"","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
            return self._raw(h, 200, body)
        if n == BIG_SCHEMA:  # a valid answer (2 MiB) whose schema is over the 1 MiB default
            return self._json(h, 200, {"schema": json.dumps({"type": "record", "name": "Big", "fields": [],
                                                             "doc": "d" * (2 * MiB)})})
        if n == NOT_AVRO:
            return self._json(h, 200, {"schema": "syntax = \"proto3\";", "schemaType": "PROTOBUF"})
        self._json(h, 404, {"error_code": 40403, "message": f"Schema {n} not found"})

    def _mode(self, h, mode, body):
        if mode == "slow":
            return self._slow(h, body)
        if mode == "huge":
            return self._huge(h)
        if mode == "endless":
            return self._endless(h)
        self._raw(h, 200, body)

    def _json(self, h, status, obj):
        self._raw(h, status, json.dumps(obj).encode())

    def _raw(self, h, status, body):
        h.send_response(status)
        h.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _slow(self, h, body):
        """The whole answer, one byte every 0.1 s (padded to 30 s): every read gets something, so
        only a deadline on the whole request ends it."""
        body = body + b" " * max(0, 300 - len(body))
        h.send_response(200)
        h.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.flush()
        end = time.monotonic() + LOOP_SECONDS
        for i in range(len(body)):
            if self.stopping.is_set() or time.monotonic() > end:
                return
            h.wfile.write(body[i:i + 1])
            h.wfile.flush()
            time.sleep(0.1)

    def _huge(self, h, size=64 * MiB):
        """Says 64 MiB (Content-Length) and sends them, unless the client stops reading."""
        h.send_response(200)
        h.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        h.send_header("Content-Length", str(size))
        h.end_headers()
        chunk = b'{"schema":"' + b"x" * (MiB - 11)
        sent, end = 0, time.monotonic() + LOOP_SECONDS
        while sent < size and not self.stopping.is_set() and time.monotonic() < end:
            h.wfile.write(chunk[: size - sent])
            sent += len(chunk)

    def _endless(self, h, limit=1024 * MiB):
        """Transfer-Encoding: chunked, chunks as fast as they are read, never the last one (up to
        1 GiB or LOOP_SECONDS, the server's own bound)."""
        h.send_response(200)
        h.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        piece = b'{"schema":"' + b"y" * (64 * 1024)
        frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        sent, end = 0, time.monotonic() + LOOP_SECONDS
        while sent < limit and not self.stopping.is_set() and time.monotonic() < end:
            h.wfile.write(frame)
            sent += len(piece)
