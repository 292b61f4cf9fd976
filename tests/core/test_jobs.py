"""Background jobs: registration by hook (names checked at start), jobs run in an application context
of their own, schedules in company time, tracked runs with progress on /jobs/<id>, the customer
import as a job for large files (page and command line). Jobs run at once here (JOBS_IMMEDIATE);
tests/core/test_worker.py runs a real worker."""
import re
from datetime import datetime

import pytest
from flask import current_app, has_request_context
from sqlalchemy import select

from core.api import (
    Job,
    JobFailed,
    Plugin,
    PluginError,
    crontab,
    enqueue,
    hookimpl,
    progress,
    start_job,
)
from core.audit import AuditEvent, actor_id
from core.auth.models import Region
from core.db import db, utcnow
from core.i18n import N_
from core.jobs import JobRun, Progress, jobs, run_job
from core.registry.models import Customer
from core.registry.transfer import header_labels, write_csv, write_xlsx
from core.settings import save_company_setting
from core.testing import login, make_user, post_form
from tests.core.test_import_export import row, upload
from tests.core.test_plugins import build

SEEN: list[dict] = []


def probe_work(code: str) -> None:
    SEEN.append({"app": current_app._get_current_object(), "request": has_request_context(),
                 "session": db.session(), "actor": actor_id()})
    db.session.add(Region(code=code, name=code.title()))  # committed when the job returns


def probe_counts(total: int) -> None:
    for done in range(1, total + 1):
        progress(done, total=total, message=N_("Saving the archives"))
    progress(message=N_("Imported: %(created)d new, %(updated)d updated."), created=total, updated=0)


def probe_refuses() -> None:
    db.session.add(Region(code="never", name="Never"))
    raise JobFailed(N_("The file could not be read. Save it again from the template."))


def probe_breaks() -> None:
    db.session.add(Region(code="never", name="Never"))
    raise RuntimeError("the disk is on fire")


class Probe(Plugin):
    title = "Probe"

    @hookimpl
    def register_jobs(self, app):
        return [Job("probe.work", probe_work), Job("probe.counts", probe_counts),
                Job("probe.refuses", probe_refuses), Job("probe.breaks", probe_breaks),
                Job("probe.nightly", probe_work, schedule=crontab(minute="0", hour="2"))]


@pytest.mark.guanxi_plugins("probe", extra={"probe": Probe})
def test_a_plugin_registers_jobs_that_run_in_an_app_context_of_their_own(app, users):
    answers = app.extensions["guanxi"].hook.register_jobs(app=app)
    assert ["probe.work", "probe.counts", "probe.refuses", "probe.breaks", "probe.nightly"] in [
        [job.name for job in answer] for answer in answers]
    assert jobs().owners["probe.work"] == "probe" and jobs().owners["core.deadline_sweep"] == "core"
    SEEN.clear()
    enqueue("probe.work", "north")
    assert SEEN[0]["app"] is app and not SEEN[0]["request"] and SEEN[0]["session"] is not db.session()
    assert db.session.scalar(select(Region.name).where(Region.code == "north")) == "North"

    # a tracked run: its starter is the actor of what it writes
    client = app.test_client()
    login(client, "specialist")
    SEEN.clear()
    run = start_job("probe.work", "south", user=users["specialist"])
    assert run.state == "done" and SEEN[0]["actor"] == users["specialist"].id

    counted = start_job("probe.counts", 30, user=users["specialist"], link="/customers/")
    assert (counted.state, counted.done, counted.total) == ("done", 30, 30)
    page = client.get(f"/jobs/{counted.id}").get_data(as_text=True)
    assert "导入完成：新增 30 条，更新 0 条" in page and 'href="/customers/"' in page

    refused = start_job("probe.refuses", user=users["specialist"])
    assert refused.state == "failed" and refused.error is None
    assert "无法读取该文件" in client.get(f"/jobs/{refused.id}").get_data(as_text=True)
    broken = start_job("probe.breaks", user=users["specialist"])
    assert broken.state == "failed" and "the disk is on fire" in broken.error
    assert "the disk is on fire" not in client.get(f"/jobs/{broken.id}").get_data(as_text=True)
    admin = app.test_client()
    login(admin, "admin")
    assert "the disk is on fire" in admin.get(f"/jobs/{broken.id}").get_data(as_text=True)
    assert db.session.scalar(select(Region).where(Region.code == "never")) is None  # rolled back

    # a job started twice (a queue delivering it again) runs once
    SEEN.clear()
    jobs().task("probe.work")("again", guanxi_run_id=run.id)
    assert SEEN == []


@pytest.mark.parametrize(("job", "message"), [
    (Job("logistics.sync", print), "Plugin 'bad' registers job 'logistics.sync': a job's name starts with its plugin's name"),
    (Job("sync", print), "Plugin 'bad' registers job 'sync'"),
    (Job("bad.Sync", print), "like 'bad.<name>'"),
    (Job("bad.sync", "print"), "Plugin 'bad' registers job 'bad.sync' without a function"),
    (Job("bad.sync", print, schedule="0 2 * * *"), "schedule that is not a crontab"),
    ("bad.sync", "Plugin 'bad' returned 'bad.sync' from register_jobs, not a core.contract.Job"),
])
def test_a_badly_named_or_shaped_job_stops_the_start_naming_the_plugin(tmp_path, job, message):
    class Bad(Plugin):
        @hookimpl
        def register_jobs(self, app):
            return [job]

    with pytest.raises(PluginError, match=message):
        build(tmp_path, ["bad"], {"bad": Bad})


def test_a_job_registered_twice_stops_the_start(tmp_path):
    class Twice(Plugin):
        @hookimpl
        def register_jobs(self, app):
            return [Job("twice.sync", print), Job("twice.sync", print)]

    with pytest.raises(PluginError, match="Plugin 'twice' registers job 'twice.sync' twice"):
        build(tmp_path, ["twice"], {"twice": Twice})


@pytest.mark.guanxi_plugins("probe", extra={"probe": Probe})
def test_schedules_are_read_in_the_company_time_zone(app):
    def due(moment):
        return {task.name for task in jobs().huey.read_periodic(moment)}

    assert "probe.nightly" in due(datetime(2026, 3, 1, 18, 0))  # 02:00 in Shanghai, the day after
    assert "probe.nightly" not in due(datetime(2026, 3, 2, 2, 0))
    assert "core.deadline_sweep" in due(datetime(2026, 3, 2, 2, 7))  # every minute


def test_the_job_page_shows_progress_to_its_starter_and_administrators_only(app, users):
    run = JobRun(name="core.import_customers", user_id=users["specialist"].id, state="running",
                 total=None, started_at=utcnow())
    db.session.add(run)
    db.session.commit()
    jobs().publish(run.id, Progress(50, 200, N_("Saving the archives")))
    starter = app.test_client()
    login(starter, "specialist")
    page = starter.get(f"/jobs/{run.id}").get_data(as_text=True)
    assert '<progress class="job-progress" value="50" max="200">' in page and "(25%)" in page
    assert "正在保存档案" in page and "客户导入" in page
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # the CSP allows files only
    assert '<meta http-equiv="refresh" content="2">' in page and inline_scripts == []
    other = app.test_client()
    login(other, "rep_east")
    assert other.get(f"/jobs/{run.id}").status_code == 404
    assert other.get("/jobs/999999").status_code == 404
    assert f"/jobs/{run.id}" not in other.get("/jobs/").get_data(as_text=True)
    admin = app.test_client()
    login(admin, "admin")
    assert admin.get(f"/jobs/{run.id}").status_code == 200
    assert f"/jobs/{run.id}" in admin.get("/jobs/").get_data(as_text=True)
    assert app.test_client().get(f"/jobs/{run.id}").status_code == 302  # to the login page

    run.state, run.done, run.total, run.finished_at = "done", 200, 200, utcnow()
    run.message, run.params = "Imported: %(created)d new, %(updated)d updated.", {"created": 200, "updated": 0}
    db.session.commit()
    page = starter.get(f"/jobs/{run.id}").get_data(as_text=True)
    assert "http-equiv" not in page and "导入完成：新增 200 条，更新 0 条" in page and "(100%)" in page


def test_a_large_import_runs_as_a_job_and_its_page_shows_the_outcome(app, client, users):
    save_company_setting("core.import_background_rows", "2")
    db.session.commit()
    login(client, "specialist")
    data = write_xlsx(header_labels("zh"), [row(name=f"大批客户{i}") for i in range(3)])
    preview = client.get(upload(client, data).headers["Location"])
    assert 'id="import-background"' in preview.get_data(as_text=True)
    started = post_form(client, preview.request.path + "/confirm", {}, page=preview.request.path)
    assert started.status_code == 302 and started.headers["Location"].startswith("/jobs/")
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "导入完成：新增 3 条，更新 0 条" in page and 'data-state="done"' in page
    assert db.session.query(Customer).count() == 3
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import"))
    assert event.user_id == users["specialist"].id and event.changes["created"] == 3
    assert not list((app.instance_path / __import__("pathlib").Path("uploads/imports")).glob("*"))
    assert "/jobs/" in client.get("/customers/import").get_data(as_text=True)  # my background jobs
    # two rows stay an import while the user waits
    small = client.get(upload(client, write_xlsx(header_labels("zh"), [row(name="小批客户")])).headers["Location"])
    assert 'id="import-background"' not in small.get_data(as_text=True)
    done = post_form(client, small.request.path + "/confirm", {}, page=small.request.path)
    assert done.headers["Location"] == "/customers/"


def test_a_large_import_on_the_command_line_runs_as_a_job_with_progress(app, users, tmp_path):
    save_company_setting("core.import_background_rows", "1")
    db.session.commit()
    path = tmp_path / "customers.csv"
    path.write_bytes(write_csv(header_labels("en"), [row(code=f"B{i}", name=f"Batch {i}") for i in range(3)]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["customers", "import", str(path), "--user", "specialist"])
    assert result.exit_code == 0, result.output
    assert "Saving the archives" in result.output and "Imported: 3 new, 0 updated." in result.output
    assert path.exists()  # the user's own file stays
    queued = runner.invoke(args=["customers", "import", str(path), "--user", "specialist", "--background"])
    assert queued.exit_code == 0 and "queued as job" in queued.output
    run_id = int(queued.output.split("job ")[1].split(":")[0])
    watched = runner.invoke(args=["jobs", "watch", str(run_id)])
    assert watched.exit_code == 0 and "Imported: 0 new, 3 updated." in watched.output
    listed = runner.invoke(args=["jobs", "list"]).output
    assert f"{run_id}" in listed and "core.import_customers" in listed and "3/3" in listed
    path.write_bytes(write_csv(header_labels("en"), [row(name="")] * 2))
    failed = runner.invoke(args=["customers", "import", str(path), "--user", "specialist"])
    assert failed.exit_code != 0 and "nothing was imported" in failed.output


def test_a_run_without_a_user_and_progress_outside_a_run(app):
    progress(3, total=10)  # outside a tracked run: nothing happens
    run = run_job("core.deadline_sweep")
    assert run.state == "done" and run.user_id is None
    with pytest.raises(LookupError, match="No job 'core.nothing'"):
        start_job("core.nothing")
    assert make_user("ghost").id  # the app still works after the refused start


def test_a_run_cut_off_by_a_worker_stopping_at_once_is_marked_failed(app, users):
    from core.jobs import RUN_KEY

    cut, finished = (JobRun(name="core.import_customers", user_id=users["specialist"].id, state=state)
                     for state in ("running", "done"))
    db.session.add_all([cut, finished])
    db.session.commit()
    huey = jobs().huey
    for run in (cut, finished):
        huey._tasks_in_flight.add(jobs().task("core.import_customers").s(path="x", user_id=1, **{RUN_KEY: run.id}))
    huey.notify_interrupted_tasks()  # what the consumer does when SIGTERM stops it
    db.session.expire_all()
    assert (cut.state, cut.message) == ("failed", "The job was interrupted; start it again.")
    assert cut.finished_at is not None and finished.state == "done"


def test_a_run_the_queue_cannot_take_is_failed_not_left_waiting(app, users, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("no queue")

    monkeypatch.setattr(jobs().huey, "enqueue", unreachable)
    with pytest.raises(ConnectionError):
        start_job("core.import_customers", user=users["specialist"], path="x", user_id=1)
    run = db.session.scalar(select(JobRun))
    assert run.state == "failed" and run.message == "The job could not be queued; try again later."


def test_the_deadline_sweep_runs_every_minute_as_a_job(app, users):
    from datetime import timedelta

    from core.api import create_task
    from core.events import commit
    from core.notifications import unread_count
    from core.tasks import Task
    from core.testing import make_customer

    assert "core.deadline_sweep" in {t.name for t in jobs().huey.read_periodic(datetime(2026, 3, 2, 1, 7))}
    customer = make_customer("逾期任务", users["rep_east"])
    task = create_task(customer, "core.test", N_("Call back"), assignee=users["rep_east"],
                       budget_minutes=60, start=utcnow() - timedelta(hours=3))
    commit()
    enqueue("core.deadline_sweep")
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.escalated_at is not None and task.escalated_again_at is not None
    assert unread_count(users["rep_east"]) >= 1
