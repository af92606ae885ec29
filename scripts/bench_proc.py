"""Running benchmark commands: time-bounded, output captured to files, peak RSS per process.

Peak RSS comes from wait4() on the very process we started (ru_maxrss, KiB on Linux), so no
external `time` tool is needed and the figure belongs to that process alone (a JVM or ours).
Each command runs in its own session; on timeout the whole session gets SIGTERM, then SIGKILL.
"""
from __future__ import annotations

import os
import shlex
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    argv: list[str]
    returncode: int | None  # None: killed after the timeout; negative: died of that signal
    stdout: str
    stderr: str
    wall_s: float
    peak_rss_mb: float | None
    timed_out: bool = False
    stopped_by_us: bool = False  # we sent SIGTERM on purpose (a bounded run), not a timeout
    notes: list[str] = field(default_factory=list)

    @property
    def command(self) -> str:
        return shlex.join(self.argv)

    def failure(self) -> str | None:
        """Why this run counts as failed, or None."""
        if self.timed_out:
            return f"timed out after {self.wall_s:.0f}s"
        if self.returncode is None:
            return "no exit status"
        if self.returncode < 0 and not (self.stopped_by_us and -self.returncode == signal.SIGTERM):
            return f"crashed with signal {signal.Signals(-self.returncode).name}"
        if self.returncode > 0 and not self.stopped_by_us:
            return f"exited with status {self.returncode}"
        return None

    def tail(self, lines: int = 15) -> str:
        text = (self.stderr.strip() + "\n" + self.stdout.strip()).strip()
        return "\n".join(text.splitlines()[-lines:])


_live: set["Running"] = set()  # started and not yet reaped: stop_all() ends them on abort


def stop_all() -> None:
    """Stops every command still running (harness interrupted or failing)."""
    for r in list(_live):
        r.stop(grace_s=5.0)
        if not r.poll():
            time.sleep(0.2)
            r.poll()


class Running:
    """A started command; finish() reaps it (with a bound) and returns its Result."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None, cwd: str | None = None):
        self.argv = [str(a) for a in argv]
        self._out = tempfile.TemporaryFile()
        self._err = tempfile.TemporaryFile()
        self._start = time.monotonic()
        self._stopped_by_us = False
        self._proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=self._err,
            env=env,
            cwd=cwd,
            start_new_session=True,  # a group of its own: a timeout kill reaches its children too
        )
        self._status: int | None = None
        self._rusage = None
        _live.add(self)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def poll(self) -> bool:
        """True once the process has exited (and was reaped)."""
        if self._status is not None:
            return True
        pid, status, rusage = os.wait4(self._proc.pid, os.WNOHANG)
        if pid == 0:
            return False
        self._status, self._rusage = status, rusage
        _live.discard(self)
        self._proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
        return True

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self._proc.pid, sig)  # the session we created for this command only
        except ProcessLookupError:
            pass

    def stop(self, grace_s: float = 10.0) -> None:
        """Asks the process to stop (SIGTERM), as a bounded run ends; SIGKILL after grace_s."""
        if self.poll():
            return
        self._stopped_by_us = True
        self._signal_group(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            if self.poll():
                return
            time.sleep(0.05)
        self._signal_group(signal.SIGKILL)

    def finish(self, timeout_s: float) -> Result:
        deadline = self._start + timeout_s
        timed_out = False
        while not self.poll():
            if time.monotonic() >= deadline:
                timed_out = True
                self._signal_group(signal.SIGTERM)
                kill_at = time.monotonic() + 5
                while not self.poll() and time.monotonic() < kill_at:
                    time.sleep(0.05)
                if not self.poll():
                    self._signal_group(signal.SIGKILL)
                    while not self.poll():
                        time.sleep(0.05)
                break
            time.sleep(0.02)
        wall = time.monotonic() - self._start
        out, err = self._read(self._out), self._read(self._err)
        rss = self._rusage.ru_maxrss / 1024.0 if self._rusage is not None else None
        return Result(
            argv=self.argv,
            returncode=None if timed_out else self._proc.returncode,
            stdout=out,
            stderr=err,
            wall_s=wall,
            peak_rss_mb=rss,
            timed_out=timed_out,
            stopped_by_us=self._stopped_by_us and not timed_out,
        )

    @staticmethod
    def _read(f) -> str:
        f.seek(0)
        data = f.read().decode("utf-8", errors="replace")
        f.close()
        return data


def run(argv: list[str], timeout_s: float, env: dict[str, str] | None = None) -> Result:
    return Running(argv, env=env).finish(timeout_s)


def capture(argv: list[str], timeout_s: float = 30) -> str:
    """Small helper for version probes: stdout+stderr of a quick command, '' if it fails."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s)
        return (p.stdout + p.stderr).strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""
