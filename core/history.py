"""The audit trail as people read it: labels and values in the reader's language, names not ids.

Each audited model declares its columns in ``__audit_fields__`` (see ``core.audit.Audited``). A
bare label is enough wherever the column's type says how its value reads: a boolean reads yes/no,
a date yyyy-MM-dd, a datetime (stored in UTC) in the company's timezone, the workflow's column by
its state labels, and a foreign key by the name of the row it points to: that row's
``display_name``, ``name``, ``number``, ``title``, ``plate`` or ``code``, the first its table has.

Names are looked up after a page's events are read, with one query per table referenced, so a
timeline costs the same number of queries for 3 events as for 300.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import Boolean, Date, DateTime, inspect, select
from sqlalchemy.orm import InstrumentedAttribute

from core.audit import AuditEvent, AuditField, audited_models, declared_fields
from core.db import db
from core.i18n import local_date, local_datetime

NAME_COLUMNS = ("display_name", "name", "number", "title", "plate", "code")
NOTHING = "—"


@dataclass(frozen=True)
class Change:
    """One line of an entry: ``label: before → value``, or ``label: value`` without a before."""

    label: str
    value: str
    before: str | None = None


@dataclass(frozen=True)
class Entry:
    """One event of a timeline, ready to show."""

    at: dt.datetime
    who: str | None
    action: str  # create, update, delete, transition, export, import, print …
    summary: str  # what happened, in words
    about: str | None  # what kind of other record it concerns, on a page that shows several
    record: str | None  # that record's name or number, while it exists
    changes: list[Change]
    comment: str | None


def humanise(key: str) -> str:
    """``payment_method`` -> ``Payment method``: the fallback label of an undeclared field."""
    words = key.removesuffix("_id").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _yes_no(value: Any) -> str:
    return _("Yes") if value else _("No")


def _day(value: Any) -> str:
    return local_date(dt.date.fromisoformat(value)) if isinstance(value, str) else str(value)


def _moment(value: Any) -> str:
    return local_datetime(dt.datetime.fromisoformat(value)) if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Reader:
    """How one field reads: its label, and a formatter or the table whose row names its ids."""

    label: Any
    format: Callable[[Any], str] = _text
    table: str | None = None


def name_column(table: Any) -> str | None:
    return next((name for name in NAME_COLUMNS if name in table.c), None)


def _reader(field: AuditField, column: Any, model: type) -> Reader:
    if field.format is not None:
        return Reader(field.label, field.format)
    workflow = getattr(model, "__workflow__", None)
    if workflow is not None and workflow.field == column.key:
        return Reader(field.label, workflow.state_label)
    for key in column.foreign_keys:
        if name_column(key.column.table):
            return Reader(field.label, table=key.column.table.name)
    if isinstance(column.type, Boolean):
        return Reader(field.label, _yes_no)
    if isinstance(column.type, DateTime):
        return Reader(field.label, _moment)
    if isinstance(column.type, Date):
        return Reader(field.label, _day)
    return Reader(field.label)


@cache
def readers(model: type) -> dict[str, Reader]:
    """Field -> Reader for every column of ``model``; an undeclared one gets a humanised label."""
    declared = declared_fields(model)
    found = {}
    for attr in inspect(model).column_attrs:
        field = declared.get(attr.key, humanise(attr.key))
        if not isinstance(field, AuditField):
            field = AuditField(field)
        found[attr.key] = _reader(field, attr.columns[0], model)
    for key, field in declared.items():  # a value kept elsewhere, e.g. an approval chain watches it
        if key not in found:
            found[key] = Reader(field.label if isinstance(field, AuditField) else field)
    return found


def _fallback(key: str) -> Reader:
    return Reader(humanise(key))


@dataclass
class _Line:
    """A change whose ids are not named yet."""

    reader: Reader
    value: Any
    before: Any = None
    has_before: bool = False

    def ids(self) -> Iterable[tuple[str, int]]:
        if self.reader.table:
            for value in (self.value, self.before):
                if isinstance(value, int) and not isinstance(value, bool):
                    yield self.reader.table, value

    def show(self, value: Any, names: dict[str, dict[int, str]]) -> str:
        if value is None or value == "" or value == []:
            return NOTHING
        if self.reader.table:
            return names.get(self.reader.table, {}).get(value, f"#{value}")
        return str(self.reader.format(value))

    def change(self, names: dict[str, dict[int, str]]) -> Change:
        before = self.show(self.before, names) if self.has_before else None
        return Change(str(self.reader.label), self.show(self.value, names), before)


def _pairs(changes: dict[str, Any], read: Callable[[str], Reader]) -> list[_Line]:
    return [_Line(read(key), pair[1], pair[0], has_before=True) for key, pair in changes.items()
            if isinstance(pair, list) and len(pair) == 2]


def _values(changes: dict[str, Any], read: Callable[[str], Reader], index: int,
            skip: tuple[str, int | None]) -> list[_Line]:
    """The values of a created (index 1) or deleted (index 0) record, leaving out empty ones and
    the link to the record whose page this is."""
    lines = []
    for key, pair in changes.items():
        value = pair[index] if isinstance(pair, list) and len(pair) == 2 else None
        reader = read(key)
        if value in (None, "", False, []) or (reader.table, value) == skip:
            continue
        lines.append(_Line(reader, value))
    return lines


# What ``record_event`` actions say: (changes, the record type's readers) -> (summary, lines).
Describe = Callable[[dict[str, Any], Callable[[str], Reader]], tuple[str, list[_Line]]]

_CUSTOMER_KINDS = {"prospect": _l("Prospects"), "customer": _l("Customers")}
_FILTER_TERMS = {  # the customer list's filters that are not columns
    "q": Reader(_l("Search")),
    "kind": Reader(_l("Kind"), lambda kind: str(_CUSTOMER_KINDS.get(kind, kind))),
    "overdue": Reader(_l("Verification overdue"), _yes_no),
}


def _export(changes: dict[str, Any], read: Callable[[str], Reader]) -> tuple[str, list[_Line]]:
    """An export names its filter in the labels of the list it filtered; the sort order is left
    out, it does not change what left the building."""
    rows = int(changes.get("rows") or 0)
    summary = ngettext("exported %(num)d row as %(format)s", "exported %(num)d rows as %(format)s", rows,
                       format=str(changes.get("format", "")).upper())
    lines = []
    for key, value in (changes.get("filter") or {}).items():
        if key in _FILTER_TERMS:
            lines.append(_Line(_FILTER_TERMS[key], value))
        elif key not in ("sort", "desc"):
            lines.append(_Line(read(key), value))
    return summary, lines


def _import(changes: dict[str, Any], read: Callable[[str], Reader]) -> tuple[str, list[_Line]]:
    summary = ngettext("imported %(num)d row: %(created)d new, %(updated)d updated",
                       "imported %(num)d rows: %(created)d new, %(updated)d updated",
                       int(changes.get("rows") or 0), created=int(changes.get("created") or 0),
                       updated=int(changes.get("updated") or 0))
    lines = [_Line(Reader(_l("File")), changes["file"])] if changes.get("file") else []
    return summary, lines


def _print(changes: dict[str, Any], read: Callable[[str], Reader]) -> tuple[str, list[_Line]]:
    from core.printing import documents

    name = str(changes.get("document", ""))
    document = documents().get(name)
    title = str(document.title) if document else humanise(name)
    copy = int(changes.get("copy") or 0)
    if copy:
        return _("printed “%(document)s”, copy %(copy)d", document=title, copy=copy), []
    return _("printed “%(document)s”", document=title), []


def _download(changes: dict[str, Any], read: Callable[[str], Reader]) -> tuple[str, list[_Line]]:
    return _("downloaded “%(file)s”", file=str(changes.get("file", ""))), []
def _message(changes: dict[str, Any], key: str = "title", domain: str = "domain") -> str:
    """A stored message id (a task's title, a chain's label) in the reader's language."""
    from core.i18n import translate
    from core.notifications import shown_param

    params = {name: shown_param(value) for name, value in (changes.get("params") or {}).items()}
    try:
        return translate(str(changes.get(key, "")), changes.get(domain) or None, **params)
    except (KeyError, ValueError, TypeError):
        return str(changes.get(key, ""))


_TASK_EVENTS = {
    "created": _l("new task “%(title)s”"),
    "claimed": _l("took the task “%(title)s”"),
    "released": _l("gave the task “%(title)s” back to its queue"),
    "completed": _l("completed the task “%(title)s”: %(decision)s"),
    "held": _l("put the task “%(title)s” on hold"),
    "resumed": _l("resumed the task “%(title)s”"),
    "cancelled": _l("cancelled the task “%(title)s”"),
    "warned": _l("warned that the task “%(title)s” is due soon"),
    "escalated": _l("escalated the overdue task “%(title)s”"),
    "escalated_again": _l("escalated the task “%(title)s” again: twice its time"),
}


def _task(changes: dict[str, Any], read: Callable[[str], Reader]) -> tuple[str, list[_Line]]:
    """What ``core.tasks`` writes about a record's task: created, completed, escalated …"""
    from core.tasks import DECISIONS, queue_label

    event = str(changes.get("event", ""))
    decision = str(DECISIONS.get(changes.get("decision"), changes.get("decision") or ""))
    template = _TASK_EVENTS.get(event)
    title = _message(changes)
    summary = str(template) % {"title": title, "decision": decision} if template else humanise(event)
    lines = []
    if changes.get("assignee_id"):
        lines.append(_Line(Reader(_l("Assigned to"), table="users"), changes["assignee_id"]))
    if changes.get("queue") and event in ("created", "released"):
        kind, _sep, key = str(changes["queue"]).partition(":")
        lines.append(_Line(Reader(_l("Queue")), queue_label(kind, key)))
    if changes.get("to"):
        lines.append(_Line(Reader(_l("Told"), table="users"), changes["to"]))
    if changes.get("due"):
        lines.append(_Line(Reader(_l("Due"), _moment), changes["due"]))
    return summary, lines


_APPROVAL_EVENTS = {
    "submitted": _l("submitted “%(chain)s” for approval (round %(round)s)"),
    "adopted": _l("“%(chain)s” carried over from before the upgrade (round %(round)s)"),
    "decided": _l("“%(step)s”: %(decision)s"),
    "approved": _l("“%(chain)s” approved"),
    "rejected": _l("“%(chain)s” rejected"),
    "sent_back": _l("“%(chain)s” sent back to the applicant"),
    "withdrawn": _l("“%(chain)s” withdrawn"),
    "voided": _l("approvals of “%(chain)s” are void: the record changed"),
}


def _approval(changes: dict[str, Any], read: Callable[[str], Reader]) -> tuple[str, list[_Line]]:
    """What ``core.approvals`` writes: a round submitted, a step decided, the outcome, a void."""
    from core.tasks import DECISIONS

    event = str(changes.get("event", ""))
    template = _APPROVAL_EVENTS.get(event)
    values = {"chain": _message(changes, "label"), "round": changes.get("round", ""),
              "step": _message(changes, "step", "step_domain"),
              "decision": str(DECISIONS.get(changes.get("decision"), changes.get("decision") or ""))}
    summary = str(template) % values if template else humanise(event)
    lines = []
    if changes.get("fields"):
        lines.append(_Line(Reader(_l("Changed")), ", ".join(str(read(name).label) for name in changes["fields"])))
    return summary, lines


# The actions ``core.audit.record_event`` writes; any other reads as its humanised name.
EVENT_KINDS: dict[str, Describe] = {
    "export": _export,
    "import": _import,
    "print": _print,
    "download": _download,
    "task": _task,
    "approval": _approval,
}


@dataclass
class _Draft:
    """An entry before the names its lines and its record need are looked up."""

    event: AuditEvent
    who: str | None
    summary: str
    lines: list[_Line]
    about: Any = None  # what kind of record, for an event of another record than the page's

    def ids(self) -> Iterable[tuple[str, int]]:
        if self.about is not None and self.event.record_id is not None:
            yield self.event.record_type, self.event.record_id
        for line in self.lines:
            yield from line.ids()

    def entry(self, names: dict[str, dict[int, str]]) -> Entry:
        about = str(self.about) if self.about is not None else None
        record = names.get(self.event.record_type, {}).get(self.event.record_id) if about else None
        return Entry(self.event.at, self.who, self.event.action, self.summary, about, record,
                     [line.change(names) for line in self.lines], self.event.comment)


def _transition_summary(model: type | None, changes: dict[str, Any]) -> str:
    """The transition's label from the model's workflow (a transition since removed: its name)."""
    name = str(changes.get("transition", ""))
    workflow = getattr(model, "__workflow__", None)
    transition = workflow.transitions.get(name) if workflow is not None else None
    return str(transition.label) if transition else humanise(name)


def _draft(event: AuditEvent, who: str | None, models: dict[str, type], page: tuple[str, int | None]) -> _Draft:
    model = models.get(event.record_type)
    fields = readers(model) if model is not None else {}

    def read(key: str) -> Reader:
        return fields.get(key) or _fallback(key)

    changes = dict(event.changes or {})
    own = (event.record_type, event.record_id) == page
    about = None if own else (getattr(model, "__audit_label__", None) or humanise(event.record_type))
    action = event.action
    if action == "update":
        return _Draft(event, who, _("changed"), _pairs(changes, read), about)
    if action in ("create", "delete"):
        summary = _("created the record") if action == "create" else _("deleted the record")
        lines = [] if own else _values(changes, read, 1 if action == "create" else 0, page)
        return _Draft(event, who, summary, lines, about)
    if action == "transition":
        summary = _transition_summary(model, changes)
        changes.pop("transition", None)
        return _Draft(event, who, summary, _pairs(changes, read), about)
    if action in EVENT_KINDS:
        summary, lines = EVENT_KINDS[action](changes, read)
        return _Draft(event, who, summary, lines, about)
    lines = [_Line(read(key), value) for key, value in changes.items()]
    return _Draft(event, who, humanise(action), lines, about)


def _names(wanted: dict[str, set[int]]) -> dict[str, dict[int, str]]:
    """Table -> id -> name, one query per table."""
    names: dict[str, dict[int, str]] = {}
    for table_name, ids in wanted.items():
        table = db.metadata.tables.get(table_name)
        column = name_column(table) if table is not None else None
        if column is None:
            continue
        key = next(iter(table.primary_key.columns))
        rows = db.session.execute(select(key, table.c[column]).where(key.in_(sorted(ids))))
        names[table_name] = {row_id: str(name) for row_id, name in rows}
    return names


def hidden_record_types(user: Any) -> list[str]:
    """Tables whose history ``user`` may not read (``__audit_permission__`` they lack)."""
    return sorted(table for table, model in audited_models().items()
                  if model.__audit_permission__ and not user.can(model.__audit_permission__))


def _entries(where: Any, page: tuple[str, int | None], limit: int) -> list[Entry]:
    from core.auth.models import User

    if has_request_context() and getattr(current_user, "is_authenticated", False):
        hidden = hidden_record_types(current_user)
        if hidden:
            where = where & AuditEvent.record_type.not_in(hidden)
    stmt = (
        select(AuditEvent, User.display_name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(where)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    models = audited_models()
    drafts = [_draft(event, who, models, page) for event, who in db.session.execute(stmt)]
    wanted: dict[str, set[int]] = defaultdict(set)
    for draft in drafts:
        for table, row_id in draft.ids():
            wanted[table].add(row_id)
    names = _names(wanted)
    return [draft.entry(names) for draft in drafts]


def timeline(record: Any, parts: Iterable[InstrumentedAttribute] = (), limit: int = 200) -> list[Entry]:
    """The events of one record, newest first, ready to read.

    A customer's timeline includes the events of every record that belongs to it, core's and
    plugins'. ``parts`` are foreign keys of records shown on the same page, e.g.
    ``(Trip.order_id,)`` on an order: their events are included too.
    """
    own = (AuditEvent.record_type == record.__tablename__) & (AuditEvent.record_id == record.id)
    if record.__tablename__ == "customers":
        own = own | (AuditEvent.customer_id == record.id)
    for foreign_key in parts:
        model = foreign_key.class_
        own = own | ((AuditEvent.record_type == model.__tablename__)
                     & AuditEvent.record_id.in_(select(model.id).where(foreign_key == record.id)))
    return _entries(own, (record.__tablename__, record.id), limit)


def kind_timeline(record_type: str, limit: int = 50) -> list[Entry]:
    """Events about a kind of record rather than one record: exports and imports of customers."""
    where = (AuditEvent.record_type == record_type) & AuditEvent.record_id.is_(None)
    return _entries(where, (record_type, None), limit)
