"""What the benchmark ran on: machine, load and tool versions (for the generated report)."""
from __future__ import annotations

import glob
import os
import platform
import re

from bench_proc import capture


def machine() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gb = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "ram_gb": mem_gb,
        "kernel": platform.release(),
        "os": _os_name(),
    }


def _os_name() -> str:
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def versions(root: str, jars: str, build_dir: str, rev: str | None = None) -> dict:
    dirty = ""
    if not rev:
        rev = capture(["git", "-C", root, "rev-parse", "--short=12", "HEAD"])
        dirty = capture(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"])
    kafka_jar = sorted(glob.glob(os.path.join(jars, "kafka-clients-*.jar")))
    kafka = re.sub(r"^kafka-clients-|\.jar$", "", os.path.basename(kafka_jar[-1])) if kafka_jar else "?"
    java = capture(["java", "-version"]).splitlines()
    compiler = ""
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith("CMAKE_CXX_COMPILER:"):
                    compiler = line.split("=", 1)[1].strip()
    except OSError:
        pass
    compiler_version = capture([compiler or "c++", "--version"]).splitlines()
    return {
        "orders_git": rev + ("+local-changes" if dirty else ""),
        "librdkafka": capture(["pkg-config", "--modversion", "rdkafka"]) or "?",
        "kafka": kafka,
        "java": java[0] if java else "?",
        "compiler": compiler_version[0] if compiler_version else "?",
        "avro_c": capture(["pkg-config", "--modversion", "avro-c"]) or "?",
        "google_benchmark": capture(["dpkg-query", "-W", "-f=${Version}", "libbenchmark-dev"]) or "?",
        "python": platform.python_version(),
    }
