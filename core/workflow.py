"""A small declarative state machine: transitions are the only way a state changes.

A model declares a ``state`` column and a ``Workflow``; ``guard_state`` makes any other
assignment to that column raise. ``Workflow.apply`` checks the source state, the permission and
the condition, writes the audit row and queues the ``state_changed`` event.
"""
from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.base import NO_VALUE

from core.audit import AuditEvent
from core.db import db, utcnow
from core.events import fire_after_commit

_applying: contextvars.ContextVar[bool] = contextvars.ContextVar("guanxi_workflow_applying", default=False)


class TransitionRefused(Exception):
    """A transition that may not happen now; ``str()`` is a message for the user."""


class StateChangeForbidden(RuntimeError):
    """Raised when code assigns a workflow state directly instead of through a transition."""


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    target: str
    permission: str
    label: Any
    condition: Callable[[Any, Any], str | None] | None = None  # returns a refusal reason or None
    comment_required: bool = False
    style: str = "primary"


class Workflow:
    def __init__(self, name: str, states: dict[str, Any], initial: str,
                 transitions: list[Transition], field: str = "state") -> None:
        self.name = name
        self.states = states
        self.initial = initial
        self.field = field
        self.transitions = {t.name: t for t in transitions}
        for t in transitions:
            unknown = [s for s in (*t.source, t.target) if s not in states]
            if unknown:
                raise ValueError(f"Workflow {name}: transition {t.name} names unknown states {unknown}")

    def state_label(self, state: str) -> str:
        return str(self.states.get(state, state))

    def refusal(self, record: Any, name: str, user: Any, comment: str = "", *,
                authorised: bool = False) -> str | None:
        """Why ``user`` may not apply transition ``name`` to ``record`` now, or None.

        ``authorised``: the caller's own rules decided that this user acts (the reviewer of a
        task the work engine gave them), so the transition's permission is not asked for."""
        transition = self.transitions.get(name)
        if transition is None:
            return _("Unknown action.")
        current = getattr(record, self.field)
        if current not in transition.source:
            return _("“%(action)s” is not possible while the record is “%(state)s”.",
                     action=transition.label, state=self.state_label(current))
        if not authorised and not user.can(transition.permission):
            return _("You are not allowed to do “%(action)s”.", action=transition.label)
        if transition.comment_required and not comment.strip():
            return _("“%(action)s” needs a comment.", action=transition.label)
        if transition.condition is not None:
            return transition.condition(record, user)
        return None

    def available(self, record: Any, user: Any) -> list[Transition]:
        """Transitions ``user`` could apply now (a comment may still be required)."""
        return [t for t in self.transitions.values()
                if self.refusal(record, t.name, user, comment="-") is None]

    def apply(self, record: Any, name: str, user: Any, comment: str = "", *,
              authorised: bool = False) -> Transition:
        """Apply a transition or raise ``TransitionRefused``; nothing changes on refusal.

        With ``authorised`` the permission is not checked (see ``refusal``) and ``user`` may be
        None: the history then names whoever acts in the request (or the system)."""
        reason = self.refusal(record, name, user, comment, authorised=authorised)
        if reason:
            raise TransitionRefused(reason)
        transition = self.transitions[name]
        old = getattr(record, self.field)
        # Attach the transition before touching any attribute: whichever flush writes the record
        # (an autoflush included) then records it as this transition, with its actor and comment.
        record.__dict__["_pending_transition"] = (name, self.field, comment.strip() or None,
                                                   getattr(user, "id", None), old, transition.target)
        with db.session.no_autoflush:
            token = _applying.set(True)
            try:
                setattr(record, self.field, transition.target)
            finally:
                _applying.reset(token)
            if hasattr(record, "state_changed_at"):
                record.state_changed_at = utcnow()
        flag_modified(record, self.field)
        db.session.flush()
        fire_after_commit("state_changed", record=record, workflow=self.name, transition=name,
                          old_state=old, new_state=transition.target, user=user)
        return transition


    def actor(self, record: Any, name: str) -> int | None:
        """Who last applied transition ``name`` to ``record`` (a user id, from the audit trail): the
        name a printed form puts on its signature line, e.g. the keeper who counted a truck's load."""
        events = db.session.execute(
            select(AuditEvent.user_id, AuditEvent.changes)
            .where(AuditEvent.record_type == record.__tablename__, AuditEvent.record_id == record.id,
                   AuditEvent.action == "transition")
            .order_by(AuditEvent.id.desc()))
        return next((user_id for user_id, changes in events if (changes or {}).get("transition") == name), None)


def guard_state(model: type, workflow: Workflow) -> None:
    """Forbid assigning ``model.<field>`` except through ``workflow`` (or as the initial value)."""
    model.__workflow__ = workflow

    @event.listens_for(getattr(model, workflow.field), "set")
    def _check(target: Any, value: Any, oldvalue: Any, initiator: Any) -> None:
        if _applying.get() or oldvalue in (NO_VALUE, None) and value == workflow.initial:
            return
        if oldvalue == value:
            return
        raise StateChangeForbidden(
            f"{model.__name__}.{workflow.field} changes only through workflow {workflow.name!r}"
        )
