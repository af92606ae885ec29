#!/usr/bin/env python3
"""A scriptable order-processing service for testing `orders consume --process URL`.

Python 3 standard library only. HTTP/1.1 with keep-alive (ThreadingHTTPServer, one thread per
connection); https with --tls-cert/--tls-key.

    python3 tests/support/order_service.py --port 0 [--host 127.0.0.1] [--tls-cert F --tls-key F]

The first line on stdout is the chosen port (a bare number), printed once the socket listens.

Order requests: a POST to any path not starting with /_ . The body is expected to be the JSON
{"orderId":..., "product":..., "price":...}; an unreadable body is recorded and answered like any
other. What the answer is, first match wins:
  1. the global mode (see below), when not "normal";
  2. the next unused step of the order's script (per orderId; successive requests for the same
     orderId -- retries -- take successive steps; once used up, the default step answers);
  3. the default step (initially 200 with body "ok").

A step is a JSON object, every field optional:
  {"status": 503, "delay_ms": 250, "retry_after": "2", "outcome": "retry", "body": "text",
   "body_bytes": 100000, "headers": {"Location": "/x"}, "close": false}
  retry_after -> a Retry-After header, outcome -> an Orders-Outcome header, body_bytes -> a body
  of that many 'x' (instead of body), close -> drop the connection without answering.

Control (JSON in and out):
  POST /_control   {"reset": true,                    forget scripts, requests, mode, default
                    "clear_requests": true,           forget the requests seen only
                    "mode": "normal" | "down" | "fail" | "delay",
                    "mode_status": 503,               for "fail" (default 503)
                    "mode_delay_ms": 1000,            for "delay": then answered as usual
                    "default": {step},
                    "scripts": {"ORD-1": [{step}, ...]}}  (replaces those orderIds' scripts)
                   "down" closes every order connection without an answer.
  GET /_requests   every order request seen, in arrival order: [{"method", "path", "headers":
                   [[name, value], ...], "body" (text, undecodable bytes replaced), "order" (the
                   parsed JSON or null), "time" (epoch seconds), "peer" ([host, port]: the same port
                   means the same connection), "status" (answered, or null when dropped)}]
  GET /_health     200 {"ok": true}
"""

import argparse
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 16 * 1024 * 1024


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.requests = []
        self.scripts = {}
        self.mode = "normal"
        self.mode_status = 503
        self.mode_delay_ms = 0
        self.default = {"status": 200, "body": "ok"}

    def control(self, c):
        with self.lock:
            if c.get("reset"):
                self.reset()
            if c.get("clear_requests"):
                self.requests = []
            if "mode" in c:
                if c["mode"] not in ("normal", "down", "fail", "delay"):
                    raise ValueError("unknown mode")
                self.mode = c["mode"]
            self.mode_status = int(c.get("mode_status", self.mode_status))
            self.mode_delay_ms = int(c.get("mode_delay_ms", self.mode_delay_ms))
            if "default" in c:
                self.default = dict(c["default"])
            for order_id, steps in c.get("scripts", {}).items():
                self.scripts[order_id] = [dict(s) for s in steps]

    def decide(self, order_id):
        """The step answering this request (and the global delay to apply first)."""
        with self.lock:
            if self.mode == "down":
                return {"close": True}, 0
            if self.mode == "fail":
                return {"status": self.mode_status, "body": "service failing"}, 0
            delay = self.mode_delay_ms if self.mode == "delay" else 0
            script = self.scripts.get(order_id) if order_id is not None else None
            if script:
                return script.pop(0), delay
            return dict(self.default), delay


STATE = State()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    server_version = "order-service"

    def log_message(self, *args):  # quiet: tests read /_requests instead
        pass

    def _read_body(self):
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        n = int(length)
        if n < 0 or n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n)

    def _send(self, status, body=b"", headers=None, content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status, value):
        self._send(status, json.dumps(value).encode(), content_type="application/json")

    def do_GET(self):
        if self.path == "/_requests":
            with STATE.lock:
                self._json(200, list(STATE.requests))
        elif self.path == "/_health":
            self._json(200, {"ok": True})
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self):
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._json(400, {"error": "bad Content-Length"})
            return
        if self.path == "/_control":
            try:
                STATE.control(json.loads(body or b"{}"))
            except (ValueError, TypeError, AttributeError) as e:
                self._json(400, {"error": str(e)})
                return
            self._json(200, {"ok": True})
            return
        if self.path.startswith("/_"):
            self._json(404, {"error": "not found"})
            return
        self._order(body)

    def _order(self, body):
        try:
            order = json.loads(body)
        except ValueError:
            order = None
        order_id = order.get("orderId") if isinstance(order, dict) else None
        entry = {
            "method": self.command,
            "path": self.path,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": body.decode("utf-8", "replace"),
            "order": order,
            "time": time.time(),
            "peer": list(self.client_address[:2]),
            "status": None,
        }
        with STATE.lock:
            STATE.requests.append(entry)
        step, delay = STATE.decide(order_id)
        time.sleep((delay + int(step.get("delay_ms", 0))) / 1000.0)
        if step.get("close"):
            self.close_connection = True
            return
        headers = dict(step.get("headers", {}))
        if "retry_after" in step:
            headers["Retry-After"] = str(step["retry_after"])
        if "outcome" in step:
            headers["Orders-Outcome"] = str(step["outcome"])
        if "body_bytes" in step:
            out = b"x" * int(step["body_bytes"])
        else:
            out = str(step.get("body", "")).encode()
        status = int(step.get("status", 200))
        with STATE.lock:
            entry["status"] = status
        try:
            self._send(status, out, headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout, cancel)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # many clients connecting at once

    def handle_error(self, request, client_address):
        # A client that gave up (timeout, cancel) is normal here; anything else is shown.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    a = p.parse_args()
    server = Server((a.host, a.port), Handler)
    if a.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
