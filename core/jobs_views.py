"""The progress page of a tracked background job, and the list of recent ones."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from core.jobs import jobs, progress_of, recent_runs, visible_run

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

REFRESH_SECONDS = 2  # how often a page of an unfinished run reloads itself (a meta refresh: no script)


def _title(name: str) -> str:
    job = jobs().definitions.get(name)
    return str(job.title) if job and job.title else name


@bp.route("/")
@login_required
def index():
    runs = list(recent_runs(current_user))
    return render_template("jobs/index.html", runs=runs, title=_title)


@bp.route("/<id:run_id>")
@login_required
def detail(run_id: int):
    run = visible_run(current_user, run_id)
    if run is None:
        abort(404)  # someone else's run does not exist for this user
    return render_template("jobs/detail.html", run=run, progress=progress_of(run), title=_title(run.name),
                           refresh=None if run.finished else REFRESH_SECONDS,
                           show_error=current_user.can("admin.jobs"))
