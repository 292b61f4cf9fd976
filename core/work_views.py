"""My work (待办): every open task of the user across core and plugins; one task's page and its
actions; the dashboard's queue widget and the customer page's open tasks."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from core.approvals import (
    APPROVAL,
    ApprovalRequest,
    ApprovalStep,
    approval_rounds,
    approve_label,
    chain_named,
)
from core.audit import audited_models
from core.auth.models import User
from core.contract import Panel, Widget
from core.db import db, utcnow
from core.events import commit
from core.redirects import redirect_back
from core.tasks import (
    DECISIONS,
    OPEN,
    SHOWS,
    STATES,
    Task,
    TaskRefused,
    can_act,
    can_manage,
    can_see,
    cancel_task,
    claim_task,
    complete_task,
    hold_task,
    my_open_tasks,
    queue_label,
    release_task,
    resume_task,
    task_rows,
    watchers,
    work_counts,
)

bp = Blueprint("work", __name__)
PAGE_SIZE = 25
WIDGET_ROWS = 5
SHOW_LABELS = {"all": _l("All"), "overdue": _l("Overdue"), "mine": _l("Assigned to me"),
               "queues": _l("In my queues"), "watching": _l("Watching")}
# what the buttons say: a decision to take, not the decision taken
DECISION_BUTTONS = {"done": _l("Mark as done"), "approved": _l("Approve"), "sent_back": _l("Send back"),
                    "declined": _l("Reject")}


class TaskForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


def due_text(task: Task, now: datetime) -> str:
    """“due in 3 hours”, “2 days overdue”, or the state of a task on hold."""
    if task.state != OPEN:
        return str(STATES.get(task.state, task.state))
    if task.due_at is None:
        return _("no deadline")
    if task.due_at < now:
        return _("%(time)s overdue", time=format_timedelta(now - task.due_at, threshold=1.1))
    return _("due in %(time)s", time=format_timedelta(task.due_at - now, threshold=1.1))


def record_kinds() -> dict[str, str]:
    """Table -> what its records are called (``__audit_label__``), for a task's second line."""
    return {table: str(model.__audit_label__) for table, model in audited_models().items()
            if model.__audit_label__ is not None}


@bp.route("/my-work")
@login_required
def my_work():
    show = request.args.get("show", "all")
    if show not in SHOWS:
        show = "all"
    page = max(request.args.get("page", 1, type=int), 1)
    now = utcnow()
    counts = work_counts(current_user, now)
    rows = my_open_tasks(current_user, show, page, PAGE_SIZE, now)
    pages = max((counts[show] + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("work/my_work.html", rows=rows, counts=counts, show=show, shows=SHOW_LABELS,
                           page=page, pages=pages, now=now, due_text=due_text, kinds=record_kinds(),
                           form=TaskForm())


def _task_or_404(task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    if task is None or not can_see(task, current_user):
        abort(404)
    return task


@bp.route("/tasks/<id:task_id>")
@login_required
def task(task_id: int):
    task = _task_or_404(task_id)
    now = utcnow()
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(
        {i for i in (task.assignee_id, task.created_by_id, task.completed_by_id) if i})))}
    review = None
    buttons = dict(DECISION_BUTTONS)
    if task.kind == APPROVAL:
        step = db.session.scalar(select(ApprovalStep).where(ApprovalStep.task_id == task.id))
        if step is not None:
            req = db.session.get(ApprovalRequest, step.request_id)
            chain = chain_named(req.chain)
            record = db.session.get(chain.model, req.record_id)
            review = next((r for r in approval_rounds(record) if r.request.id == req.id), None)
            buttons["approved"] = approve_label(step) or buttons["approved"]
    return render_template(
        "work/task.html", task=task, now=now, due_text=due_text, people=people,
        queue=queue_label(task.queue_kind, task.queue_key) if task.queue_kind else None,
        watchers=watchers(task), review=review, kinds=record_kinds(), form=TaskForm(),
        acting=can_act(task, current_user), managing=can_manage(task, current_user),
        decisions=[(d, buttons[d]) for d in task.allowed], states=STATES, decision_labels=DECISIONS)


@bp.route("/tasks/<id:task_id>/act", methods=["POST"])
@login_required
def task_act(task_id: int):
    task = _task_or_404(task_id)
    form = TaskForm()
    if not form.validate_on_submit():
        abort(400)
    action = "complete" if "decision" in request.form else request.form.get("action", "")
    comment = form.comment.data or ""
    try:
        if action == "claim":
            claim_task(task, current_user)
            message = _("The task is yours now.")
        elif action == "release":
            release_task(task, current_user)
            message = _("The task is back in its queue.")
        elif action == "complete":
            decision = request.form.get("decision", "done")
            complete_task(task, current_user, decision, comment)
            message = _("Recorded: %(decision)s.", decision=DECISIONS.get(decision, decision))
        elif action == "hold":
            hold_task(task, current_user, comment)
            message = _("The task is on hold; its clock has stopped.")
        elif action == "resume":
            resume_task(task, current_user, comment)
            message = _("The task's clock runs again.")
        elif action == "cancel":
            cancel_task(task, current_user, comment)
            message = _("The task was cancelled.")
        else:
            abort(400)
    except TaskRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for("work.task", task_id=task_id)), 303
    commit()
    flash(message, "success")
    return redirect_back(request.form.get("next"), url_for("work.task", task_id=task_id))


def my_work_widget(user: Any) -> list[Widget]:
    """The first box of every dashboard: the user's own queue (overdue first)."""
    now = utcnow()
    counts = work_counts(user, now)
    rows = my_open_tasks(user, "all", 1, WIDGET_ROWS, now) if counts["all"] else []
    html = render_template("work/widget.html", rows=rows, counts=counts, now=now, due_text=due_text,
                           kinds=record_kinds())
    return [Widget(_l("My work"), html, order=0)]


def open_tasks_panel(customer: Any, user: Any) -> list[Panel]:
    """The open tasks about a customer and its records, on its page (one query)."""
    from core.registry.models import Customer

    now = utcnow()
    rows = task_rows(Task.customer_id == customer.id, 1, 50, now)
    if not rows:
        return []
    html = render_template("work/panel.html", rows=rows, now=now, due_text=due_text,
                           kinds=record_kinds(), customer_table=Customer.__tablename__)
    return [Panel(_l("Open tasks"), html, order=5)]
