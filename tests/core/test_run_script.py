"""``make run`` (scripts/run.sh): migrates a fresh instance, loads the demo, serves the login page
with gunicorn and runs the background worker beside it; SIGINT (Ctrl-C) stops both, no orphans."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 120  # a fresh instance: migrations, demo data, then the servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(stat.parent.name)] = (int(fields[1]), fields[0])
    return table


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``, with its command line."""
    table = process_table()
    found, todo = {}, [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, _state) in table.items():
            if ppid == parent and child not in found:
                try:
                    found[child] = (Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
                                    .decode(errors="replace"))
                except OSError:
                    found[child] = ""
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    state = process_table().get(pid)
    return state is not None and state[1] != "Z"


def wait_for(condition, seconds: float, interval: float = 0.3) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def test_make_run_serves_with_gunicorn_and_a_worker_and_ctrl_c_stops_both(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUANXI_")}
    env.update({"GUANXI_INSTANCE_PATH": str(tmp_path / "instance"), "GUANXI_PYTHON": sys.executable,
                "GUANXI_WEB_WORKERS": "1", "PORT": str(port)})
    log_path = tmp_path / "run.log"
    with log_path.open("a") as log:
        script = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def login_page() -> bool:
            assert script.poll() is None, log_path.read_text()
            try:
                return requests.get(f"http://127.0.0.1:{port}/login", timeout=5).status_code == 200
            except requests.ConnectionError:
                return False

        assert wait_for(login_page, START_SECONDS), log_path.read_text()

        def both_running() -> bool:
            commands = descendants(script.pid).values()
            return (any("gunicorn" in c for c in commands)
                    and any("-m core worker" in c for c in commands))

        assert wait_for(both_running, 30), descendants(script.pid)
        assert wait_for(lambda: "Worker started" in log_path.read_text(), 30), log_path.read_text()
        started = descendants(script.pid)
        assert "Demo data loaded." in log_path.read_text()

        os.kill(script.pid, signal.SIGINT)  # what Ctrl-C sends
        assert script.wait(timeout=40) == 130
        assert wait_for(lambda: not any(alive(pid) for pid in started), 10), \
            {pid: command for pid, command in started.items() if alive(pid)}
    finally:
        try:  # whatever is left of the process group this test started (nothing, when it passed)
            os.killpg(script.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        script.wait(timeout=10)
