"""Running benchmark commands: time-bounded, output captured to files, peak RSS per process.

Peak RSS and CPU time come from GNU time (`/usr/bin/time -f '%M %U %S'`, Debian package `time`): the command is forked
from that tiny process. (Measuring with wait4() from Python is wrong: a child inherits its
parent's RSS high-water mark across fork/vfork + exec, so every figure would be at least the
harness's own ~50 MB.) Without GNU time, RSS and CPU time are reported as unknown.

Each command runs in its own session; a timeout ends the whole session (SIGTERM, then SIGKILL);
a bounded run is stopped by SIGTERM to the command itself so it can print its report.
"""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

GNU_TIME = "/usr/bin/time"


def _gnu_time_works() -> bool:
    try:
        with tempfile.NamedTemporaryFile() as f:
            p = subprocess.run([GNU_TIME, "-f", "%M", "-o", f.name, "true"], capture_output=True, timeout=10)
            return p.returncode == 0 and f.read().strip().isdigit()
    except (OSError, subprocess.TimeoutExpired):
        return False


HAVE_GNU_TIME = _gnu_time_works()


@dataclass
class Result:
    argv: list[str]
    returncode: int | None  # None: killed after the timeout; negative: died of that signal
    stdout: str
    stderr: str
    wall_s: float
    peak_rss_mb: float | None
    cpu_s: float | None = None  # user + system CPU seconds of the command
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
            try:
                name = signal.Signals(-self.returncode).name
            except ValueError:
                name = str(-self.returncode)
            return f"crashed with signal {name}"
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
        self._rss_file = None
        exec_argv = self.argv
        if HAVE_GNU_TIME:
            fd, self._rss_file = tempfile.mkstemp(prefix="bench-rss-")
            os.close(fd)
            exec_argv = [GNU_TIME, "-f", "%M %U %S", "-o", self._rss_file, *self.argv]
        self._start = time.monotonic()
        self._stopped_by_us = False
        self._proc = subprocess.Popen(
            exec_argv,
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=self._err,
            env=env,
            cwd=cwd,
            start_new_session=True,  # a group of its own: a timeout kill reaches its children too
        )
        _live.add(self)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def poll(self) -> bool:
        """True once the process has exited (and was reaped)."""
        if self._proc.poll() is None:
            return False
        _live.discard(self)
        return True

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self._proc.pid, sig)  # the session we created for this command only
        except ProcessLookupError:
            pass

    def _command_pids(self) -> list[int]:
        """The benchmarked command itself (GNU time's child when wrapped)."""
        if not self._rss_file:
            return [self._proc.pid]
        try:
            with open(f"/proc/{self._proc.pid}/task/{self._proc.pid}/children") as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    def stop(self, grace_s: float = 10.0) -> None:
        """Asks the command to stop (SIGTERM), as a bounded run ends; SIGKILL after grace_s."""
        if self.poll():
            return
        self._stopped_by_us = True
        pids = self._command_pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)  # not GNU time: it must survive to report
            except ProcessLookupError:
                pass
        if not pids:
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
                    self._proc.wait()
                    self.poll()
                break
            time.sleep(0.02)
        wall = time.monotonic() - self._start
        out, err = self._read(self._out), self._read(self._err)
        returncode, rss, cpu = self._proc.returncode, None, None
        if self._rss_file:
            returncode, rss, cpu = self._read_gnu_time(returncode)
        return Result(
            argv=self.argv,
            returncode=None if timed_out else returncode,
            stdout=out,
            stderr=err,
            wall_s=wall,
            peak_rss_mb=rss,
            cpu_s=cpu,
            timed_out=timed_out,
            stopped_by_us=self._stopped_by_us and not timed_out,
        )

    def _read_gnu_time(self, returncode: int | None) -> tuple[int | None, float | None, float | None]:
        """GNU time's file: maybe 'Command terminated by signal N', then 'max-RSS-KiB user-s sys-s'."""
        try:
            with open(self._rss_file) as f:
                lines = [line.strip() for line in f if line.strip()]
        except OSError:
            lines = []
        finally:
            try:
                os.remove(self._rss_file)
            except OSError:
                pass
        rss = cpu = None
        fields = lines[-1].split() if lines else []
        if len(fields) == 3 and fields[0].isdigit():
            try:
                rss, cpu = int(fields[0]) / 1024.0, float(fields[1]) + float(fields[2])
            except ValueError:
                pass
        for line in lines:
            m = re.match(r"Command terminated by signal (\d+)", line)
            if m:
                returncode = -int(m.group(1))
        return returncode, rss, cpu

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
