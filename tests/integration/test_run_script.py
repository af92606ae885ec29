"""`./run` itself: it signals only its own broker, and tests/benchmarks never go to a cluster the
run was not told to use. No broker needed: these use a scratch ORDERS_KAFKA_HOME."""
import os
import subprocess
import sys

from helpers import ROOT

RUN = os.path.join(ROOT, "run")


def run_script(*args, env_extra=None, timeout=60):
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS",)}
    env.update(env_extra or {})
    return subprocess.run([RUN, *args], capture_output=True, text=True, timeout=timeout, env=env)


def fake_node(tmp_path, pid):
    """A 1-node cluster home whose node 1 pid file names `pid`."""
    home = tmp_path / "kafka-home"
    node = home / "cluster-1" / "node-1"
    node.mkdir(parents=True)
    (home / "current").write_text("1\n")
    (node / "pid").write_text(f"{pid}\n")
    return home, node


def test_stop_and_kill_leave_a_reused_pid_alone(tmp_path):
    # A pid file outlived its broker and the pid now belongs to someone else.
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for cmd in (["kafka", "stop"], ["kafka", "stop", "--node", "1"], ["kafka", "kill", "--node", "1"]):
            home, node = fake_node(tmp_path / "-".join(cmd), bystander.pid)
            proc = run_script(*cmd, env_extra={"ORDERS_KAFKA_HOME": str(home)})
            out = proc.stdout + proc.stderr
            assert proc.returncode == 0, out
            assert bystander.poll() is None, f"./run {' '.join(cmd)} signalled pid {bystander.pid}\n{out}"
            assert not (node / "pid").exists(), out
            assert "stale pid file" in out, out
    finally:
        bystander.kill()
        bystander.wait()


def test_status_reports_a_stale_pid_file(tmp_path):
    home, node = fake_node(tmp_path, 2**22 + 12345)  # beyond pid_max: certainly not running
    proc = run_script("kafka", "status", env_extra={"ORDERS_KAFKA_HOME": str(home)})
    assert "stale pid file" in proc.stderr
    assert "node 1: stopped" in proc.stdout
    assert not (node / "pid").exists()


def test_test_and_bench_refuse_a_cluster_they_were_not_told_to_use():
    for cmd in (["test"], ["bench", "--quick"]):
        proc = run_script(*cmd, env_extra={"KAFKA_BOOTSTRAP_SERVERS": "kafka.example.invalid:9092"})
        assert proc.returncode != 0, proc.stdout + proc.stderr
        assert "ORDERS_TEST_ALLOW_REMOTE=1" in proc.stderr, proc.stderr
        assert "kafka.example.invalid:9092" in proc.stderr, proc.stderr
        assert "building" not in proc.stderr  # refused before any work


def test_conftest_refuses_a_remote_bootstrap():
    """pytest itself refuses too, for runs that do not go through ./run."""
    here = os.path.join(ROOT, "tests", "integration")
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            os.path.join(here, "test_run_script.py"), "-k", "nothing_is_selected"]
    env = {k: v for k, v in os.environ.items() if k != "ORDERS_TEST_ALLOW_REMOTE"}
    env["KAFKA_BOOTSTRAP_SERVERS"] = "kafka.example.invalid:9092"
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60, env=env, cwd=here)
    assert proc.returncode not in (0, 5), proc.stdout + proc.stderr
    assert "ORDERS_TEST_ALLOW_REMOTE=1" in proc.stdout + proc.stderr
    for allowed in ({"ORDERS_TEST_ALLOW_REMOTE": "1"},
                    {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092,localhost:9094,[::1]:9096"}):
        proc = subprocess.run(args, capture_output=True, text=True, timeout=60, env={**env, **allowed},
                              cwd=here)
        assert proc.returncode == 5, proc.stdout + proc.stderr  # allowed, and nothing selected
