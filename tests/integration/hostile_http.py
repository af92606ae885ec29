"""Helpers of test_http_hostile.py: raw HTTP requests over sockets (any Host, any header, any
body), slow clients that trickle their headers, a chunked body flood, a process's resident memory."""
import select
import socket
import threading
import time


def parse_response(data):
    """(status, {lower-case header: value}, body) of one response; status 0 when there is none."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"HTTP/1."):
        return 0, {}, b""
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def request(port, data, timeout=5.0):
    """Sends `data` (bytes: a whole request, or a str made one), reads to EOF or `timeout`;
    (status, headers, body, seconds). A server that resets is status 0."""
    if isinstance(data, str):
        data = data.encode("latin-1")
    started = time.monotonic()
    chunks = []
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(data)
            while time.monotonic() - started < timeout:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
    except OSError:
        pass
    return (*parse_response(b"".join(chunks)), time.monotonic() - started)


def get(port, path="/healthz", host=None, extra="", method="GET", version="HTTP/1.1",
        timeout=5.0):
    """A well-formed request, `Connection: close`; Host 127.0.0.1:port unless given ("" for none)."""
    host = f"127.0.0.1:{port}" if host is None else host
    host_line = f"Host: {host}\r\n" if host else ""
    return request(port, f"{method} {path} {version}\r\n{host_line}{extra}Connection: close\r\n\r\n",
                   timeout)


class SlowClients:
    """`n` connections that send a request line and then one header byte every `every` seconds,
    never finishing their headers (slowloris)."""

    def __init__(self, port, n, every=2.0):
        self.socks = []
        for _ in range(n):
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=2)
                s.sendall(f"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ".encode())
                self.socks.append(s)
            except OSError:
                pass  # refused or reset: counted as not connected
        self.every = every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self):
        while not self.stop.wait(self.every):
            for s in self.socks:
                try:
                    s.send(b"a")
                except OSError:
                    pass

    def alive(self):
        """How many are still connected: the server has neither answered nor closed them."""
        live = [s for s in self.socks if s.fileno() >= 0]
        readable = select.select(live, [], [], 0)[0] if live else []
        return len(live) - len(readable)

    def close(self):
        self.stop.set()
        self.thread.join(timeout=10)
        for s in self.socks:
            s.close()


def chunked_flood(port, path="/api/state", total=256 << 20, seconds=10.0):
    """POSTs a chunked body of up to `total` bytes as fast as the server takes it, until the
    server answers or stops taking it; (status, headers, bytes the server let through)."""
    chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
    sent = 0
    reply = b""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  "Transfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n".encode())
        s.setblocking(False)
        try:
            while sent < total and time.monotonic() - started < seconds:
                readable, writable, _ = select.select([s], [s], [], 0.5)
                if readable:
                    break  # the answer (or the close): read below
                if writable:
                    sent += s.send(chunk)
        except OSError:
            pass  # the server closed: what is left to read is its answer
        s.settimeout(2)
        try:
            while b"\r\n\r\n" not in reply:
                data = s.recv(65536)
                if not data:
                    break
                reply += data
        except OSError:
            pass  # reset: a server that closes with a body unread may lose its answer
    status, headers, _ = parse_response(reply)
    return status, headers, sent


def rss_mb(pid):
    """Resident memory of `pid` in MiB (VmRSS)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")
