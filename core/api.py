"""What a plugin imports from core: one module, stable across core's internal reorganisations.

It imports nothing of the running application (no factory, views or core hook implementations),
so importing it is cheap and can never start an import cycle. ``docs/plugins.md`` describes each
name; anything not listed here is core's own business and may change without notice.
"""
from __future__ import annotations

from core.approvals import (
    ApprovalChain,
    ApprovalRefused,
    Parallel,
    Resolver,
    Reviewer,
    Step,
    amount_above,
    approval_rounds,
    approval_state,
    note_edit,
    reviewer,
    signature_rows,
    submit_for_approval,
    withdraw_application,
)
from core.audit import Audited, AuditField, Choice, Money, Weight, record_event, undeclared_fields
from core.auth.models import Region, User
from core.auth.permissions import permission_required
from core.auth.roles import DEPARTMENT_ROLES, EVERYONE, ROLES
from core.calendar import budget_minutes, default_clock, due_at, elapsed_minutes
from core.charts import ChartPoint, chart, chart_svg
from core.clock import local_day_bounds, local_month_bounds, local_now, to_local, to_utc
from core.contract import (
    Column,
    Document,
    Job,
    ListFilter,
    MenuItem,
    Metric,
    Panel,
    Period,
    Permission,
    Refusal,
    Setting,
    Widget,
)
from core.db import db, utcnow
from core.events import commit, fire_after_commit
from core.forms import DateField, IntegerField, LocalDateTimeField, MoneyField, choices
from core.history import timeline
from core.hookspecs import hookimpl, hookspec
from core.i18n import Domain, local_date, local_datetime
from core.inputs import INT_MAX, INT_MIN, id_arg, in_date_window, parse_day
from core.jobs import JobFailed, crontab, enqueue, progress, start_job
from core.metrics import customer_metrics, local_months, month_of
from core.money import amount_in_capitals, capitals, money, yuan
from core.notifications import message, notify
from core.numbering import document_number, next_number
from core.org import department_head, general_manager, manager_of, next_level_up, regional_manager
from core.plugins import CORE_API, Plugin, PluginError, call, call_merged
from core.printing import render_pdf
from core.redirects import redirect_back, safe_target
from core.registry.forms import TransitionForm
from core.registry.models import ContactLog, Customer
from core.registry.search import CustomerFilter, customer_query
from core.registry.services import create_customer, record_first_order
from core.registry.transfer import read_table, spreadsheet_cell, write_csv
from core.registry.uploads import MaxFileSize, remove_stale, store_upload, upload_dir
from core.settings import setting
from core.spreadsheets import write_xlsx
from core.tasks import (
    Queue,
    Task,
    TaskRefused,
    can_act,
    cancel_task,
    claim_task,
    complete_task,
    create_task,
    hold_task,
    my_open_tasks,
    path_for,
    release_task,
    resume_task,
    tasks_of,
    work_counts,
)
from core.veto import Vetoed, ask_vetoes
from core.visibility import get_visible_or_404, restrict, visible
from core.workflow import Transition, TransitionRefused, Workflow, guard_state

__all__ = [
    "CORE_API", "AuditField", "ContactLog", "Audited", "Choice", "Column", "Customer", "CustomerFilter",
    "DEPARTMENT_ROLES", "Document", "Domain", "EVERYONE", "LocalDateTimeField", "MenuItem", "Money",
    "MoneyField", "Panel", "Period", "Permission", "Plugin", "PluginError", "ROLES", "Region",
    "Transition", "TransitionForm", "TransitionRefused", "User", "Weight", "Widget", "Workflow",
    "call", "call_merged", "choices", "commit", "customer_query", "db", "fire_after_commit",
    "get_visible_or_404", "guard_state", "hookimpl", "hookspec", "local_day_bounds",
    "local_month_bounds", "local_now", "money", "next_number", "notify", "permission_required",
    "record_event", "record_first_order", "redirect_back", "restrict", "safe_target", "timeline",
    "to_local", "to_utc", "utcnow", "visible", "ListFilter", "Metric", "Refusal", "Vetoed",
    "amount_in_capitals", "ask_vetoes", "capitals", "customer_metrics", "document_number",
    "local_months", "month_of", "yuan", "local_date", "local_datetime", "Setting", "setting",
    "undeclared_fields", "DateField", "IntegerField", "INT_MAX", "INT_MIN", "id_arg",
    "in_date_window", "parse_day", "render_pdf", "ChartPoint", "chart", "chart_svg",
    "budget_minutes", "default_clock", "due_at", "elapsed_minutes",
    "Job", "JobFailed", "crontab", "enqueue", "progress", "start_job",
    # the work engine: organisation, tasks, approvals
    "department_head", "manager_of", "regional_manager", "general_manager", "next_level_up",
    "Queue", "Task", "TaskRefused", "create_task", "claim_task", "release_task", "complete_task",
    "hold_task", "resume_task", "cancel_task", "tasks_of", "path_for", "my_open_tasks", "work_counts", "message",
    "ApprovalChain", "Step", "Parallel", "Reviewer", "reviewer", "Resolver", "amount_above",
    "ApprovalRefused", "submit_for_approval", "withdraw_application", "approval_rounds", "signature_rows",
    "approval_state", "note_edit", "can_act",
    # spreadsheets and uploads: what core's customer import uses, for plugins' own imports
    "create_customer", "read_table", "spreadsheet_cell", "write_csv", "write_xlsx", "MaxFileSize", "store_upload", "upload_dir",
    "remove_stale",
]
