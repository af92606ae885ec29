"""TLS pieces for tests/integration/test_registry_tls.py: a throwaway PKI made with the openssl
CLI, Apicurio Registry serving HTTPS itself, and a TLS terminator that requires client
certificates in front of the plain registry (Apicurio 3.0.9 fixes client authentication at build
time, off; production registries usually sit behind such a proxy for mutual TLS).
"""
from __future__ import annotations

import glob
import os
import select
import socket
import ssl
import subprocess
import threading
import time

import requests
import urllib3

from helpers import ROOT, free_port, terminate


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_pki(d, key_password):
    """ca.pem; apicurio.pem/.key naming only registry.example (not 127.0.0.1); relay.pem/.key
    naming 127.0.0.1; client.pem with client.key encrypted under key_password."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=orders-test-ca", cwd=d)
    for name, san in (("apicurio", "DNS:registry.example"), ("relay", "IP:127.0.0.1")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={name}", cwd=d)
        (d / f"{name}.ext").write_text(f"subjectAltName={san}\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=d)
    openssl("req", "-newkey", "rsa:2048", "-keyout", "client.key", "-passout", f"pass:{key_password}",
            "-out", "client.csr", "-subj", "/CN=orders-client", cwd=d)
    openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "client.pem", "-days", "2", cwd=d)
    return d


def registry_jar():
    jars = glob.glob(os.path.join(ROOT, ".cache", "registry", "apicurio-registry-app-*-runner.jar"))
    return jars[0] if jars else None


class HttpsRegistry:
    """Apicurio on HTTPS only, with the given certificate; stopped by stop()."""

    def __init__(self, jar, cert, key, log_path):
        self.port = free_port()
        env = {**os.environ, "QUARKUS_HTTP_HOST": "127.0.0.1", "QUARKUS_HTTP_PORT": str(free_port()),
               "QUARKUS_HTTP_SSL_PORT": str(self.port), "QUARKUS_HTTP_SSL_CERTIFICATE_FILES": str(cert),
               "QUARKUS_HTTP_SSL_CERTIFICATE_KEY_FILES": str(key),
               "QUARKUS_HTTP_INSECURE_REQUESTS": "disabled"}
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(["java", "-Xms64m", "-Xmx512m", "-jar", jar], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        self.url = f"https://127.0.0.1:{self.port}/apis/ccompat/v7"

    def wait_ready(self, timeout=90):
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the HTTPS registry exited with {self.proc.returncode}")
            try:
                # verify=False: only readiness; what the certificate proves is the tests' business.
                if requests.get(f"https://127.0.0.1:{self.port}/health/ready", timeout=2,
                                verify=False).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError("the HTTPS registry did not become ready")

    def stop(self):
        terminate(self.proc, grace=20)
        self.log.close()


class ClientCertRelay:
    """TLS server on 127.0.0.1 that requires a client certificate signed by `ca`, relaying each
    connection's plaintext to `upstream` (host, port)."""

    def __init__(self, cert, key, ca, upstream):
        self.ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ctx.load_cert_chain(cert, key)
        self.ctx.load_verify_locations(ca)
        self.ctx.verify_mode = ssl.CERT_REQUIRED
        self.upstream = upstream
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.refused = 0  # handshakes that failed (no or untrusted client certificate)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.server.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        conn.settimeout(10)
        try:
            tls = self.ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            self.refused += 1
            conn.close()
            return
        try:
            up = socket.create_connection(self.upstream, timeout=10)
        except OSError:
            tls.close()
            return
        with tls, up:
            self._pump(tls, up)

    def _pump(self, tls, up):
        while not self.stopping.is_set():
            ready, _, _ = select.select([tls, up], [], [], 0.5)
            if tls.pending():
                ready = list(set(ready) | {tls})
            for s in ready:
                try:
                    data = s.recv(65536)
                except (ssl.SSLWantReadError, socket.timeout):
                    continue
                except OSError:
                    return
                if not data:
                    return
                (up if s is tls else tls).sendall(data)

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        self.server.close()


class BasicAuthProxy:
    """Plain HTTP in front of the registry that answers 401 unless the request carries the given
    basic-auth credentials (Apicurio's own basic auth needs an OIDC server), forwarding the rest."""

    def __init__(self, upstream_base, user, password):
        import base64
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        want = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        proxy = self
        self.refused = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != want:
                    proxy.refused += 1
                    status, data, ctype = 401, b'{"error_code":401,"message":"Unauthorized"}', "application/json"
                else:
                    ctype = self.headers.get("Content-Type")
                    r = requests.request(self.command, upstream_base + self.path, data=body, timeout=10,
                                         headers={"Content-Type": ctype} if ctype else {})
                    status, data, ctype = r.status_code, r.content, r.headers.get("Content-Type", "")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
