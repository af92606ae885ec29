"""Helpers of test_observability.py: free ports, HTTP GETs, a temporary Prometheus server."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from helpers import ROOT, free_port, terminate  # noqa: F401 (free_port: for the tests)

ARTIFACTS = os.path.join(ROOT, "build", "test-artifacts")


def tool(name):
    path = shutil.which(name)
    assert path, f"{name} not found: ./run setup installs it (Debian package)"
    return path


def get(url, timeout=5):
    """(status, body text); status 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError:
        return 0, ""


def wait_for(predicate, timeout, what, interval=0.25):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def promtool_check_metrics(text):
    """promtool's findings (problems and lint) on an exposition; empty when clean."""
    proc = subprocess.run([tool("promtool"), "check", "metrics"], input=text, capture_output=True,
                          text=True, timeout=60)
    return (proc.stdout + proc.stderr).strip() if proc.returncode != 0 or proc.stdout.strip() \
        else ""


class Prometheus:
    """A real Prometheus server scraping `target` every second: temp config and data dir, a free
    port, stopped (SIGTERM, then SIGKILL) at exit."""

    def __init__(self, target):
        self.dir = tempfile.mkdtemp(prefix="orders-prom-")
        self.port = free_port()
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: orders\n    scrape_timeout: 900ms\n"
                    f"    static_configs:\n      - targets: ['{target}']\n")
        self.log = open(os.path.join(self.dir, "prometheus.log"), "w")
        self.proc = subprocess.Popen(
            [tool("prometheus"), f"--config.file={config}",
             f"--storage.tsdb.path={os.path.join(self.dir, 'data')}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT)

    def query(self, expr):
        """The instant vector of `expr` as {labels-tuple: float}."""
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        status, body = get(url)
        if status != 200:
            return None
        data = json.loads(body)["data"]["result"]
        return {tuple(sorted(r["metric"].items())): float(r["value"][1]) for r in data}

    def value(self, expr):
        """The single value of `expr`, or None."""
        result = self.query(expr)
        if not result or len(result) != 1:
            return None
        return next(iter(result.values()))

    def close(self):
        terminate(self.proc)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def chromium(url, *args, timeout=120):
    """Headless Chromium on `url` (its own temp profile); returns stdout (e.g. the DOM)."""
    profile = tempfile.mkdtemp(prefix="orders-chromium-")
    try:
        proc = subprocess.run(
            [tool("chromium"), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--no-first-run",
             "--virtual-time-budget=5000", *args, url],
            capture_output=True, text=True, timeout=timeout)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)
