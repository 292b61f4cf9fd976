"""A real worker: ``guanxi worker`` in a process of its own takes a queued job from the SQLite
queue in the instance folder, or from Redis (GUANXI_TEST_REDIS_URL, set by scripts/test.sh), runs
it against the test database, and stops on SIGINT."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from core.db import db
from core.jobs import JobRun, jobs, start_job
from core.registry.import_job import JOB
from core.registry.models import Customer
from core.registry.transfer import header_labels, write_csv
from core.testing import make_test_app, make_user, running

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL_ENV = "GUANXI_TEST_REDIS_URL"
WAIT_SECONDS = 60


def brokers() -> list:
    return ["sqlite", pytest.param("redis", marks=pytest.mark.skipif(
        not os.environ.get(REDIS_URL_ENV), reason=f"{REDIS_URL_ENV} is not set"))]


def worker_environment(app, extra: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUANXI_")}
    env.update({"GUANXI_INSTANCE_PATH": app.instance_path,
                "GUANXI_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                "PYTHONPATH": str(ROOT)}, **extra)
    return env


def stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            return process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            raise
    return process.returncode


@pytest.mark.parametrize("broker", brokers())
def test_the_worker_runs_a_queued_job(backend, tmp_path, broker):
    queue = f"guanxi-test-{uuid.uuid4().hex[:12]}"
    settings = {"JOBS_IMMEDIATE": False, "GUANXI_JOBS_QUEUE": queue}
    extra = {"GUANXI_JOBS_QUEUE": queue}
    if broker == "redis":
        settings["GUANXI_REDIS_URL"] = extra["GUANXI_REDIS_URL"] = os.environ[REDIS_URL_ENV]
    with running(make_test_app(backend, tmp_path, **settings)) as app:
        assert jobs().backend == broker
        user = make_user("specialist", ("specialist",))
        path = tmp_path / "customers.csv"
        path.write_bytes(write_csv(header_labels("en"), [["", f"Worker customer {i}"] for i in range(5)]))
        run = start_job(JOB, user=user, path=str(path), user_id=user.id)
        assert run.state == "queued"
        if broker == "sqlite":
            assert (Path(app.instance_path) / "jobs.db").exists()
        log_path = tmp_path / "worker.log"
        log = log_path.open("a")  # appended to by the worker; read back by path
        worker = subprocess.Popen([sys.executable, "-m", "core", "worker", "--workers", "1"], cwd=ROOT,
                                  env=worker_environment(app, extra), stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < deadline and worker.poll() is None:
                db.session.expire_all()
                if db.session.get(JobRun, run.id).finished:
                    break
                db.session.rollback()
                time.sleep(0.2)
            db.session.expire_all()
            finished = db.session.get(JobRun, run.id)
            assert finished.state == "done", log_path.read_text()
            assert (finished.done, finished.total) == (5, 5) and finished.started_at is not None
            assert db.session.query(Customer).count() == 5
        finally:
            code = stop(worker)
            if broker == "redis":
                jobs().huey.storage.flush_all()
                connection = jobs().huey.storage.conn
                stale = list(connection.scan_iter(f"*{queue}*"))
                if stale:
                    connection.delete(*stale)
            log.close()
        assert code == 0
        assert f"queue '{queue}' in {broker}" in log_path.read_text()
