"""Company settings in the database: one audited row per setting an administrator changed.

A row whose value is NULL means "back to the default", so a reset is an audited update too.
Values are read once per request (or app context), so a change shows in every worker process on
its next request, without a restart.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from core.audit import Audited, AuditEvent, AuditField
from core.db import db, utcnow
from core.settings.declared import EXTENSION, Declared, Registry, Resolved
from core.settings.types import SettingValueError, check

CACHE = "_guanxi_company_settings"


def _setting_label(key: str) -> str:
    """The declared label of a setting key, in the reader's language (the key if undeclared)."""
    found = current_app.extensions[EXTENSION].declared.get(key)
    return str(found.setting.label) if found else key


class CompanySetting(Audited, db.Model):
    """A company setting an administrator changed; NULL value: back to the default."""

    __tablename__ = "company_settings"
    __audit_label__ = _l("Company settings")
    __audit_fields__ = {"key": AuditField(_l("Setting"), format=_setting_label), "value": _l("Value")}
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    value: Mapped[str | None] = mapped_column(Text)  # JSON text of the data; NULL: the default
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


def stored(registry: Registry) -> dict[str, Resolved]:
    """Company values set by an administrator, one query per request; a stored value that no
    longer passes its setting's checks (a plugin tightened them) is ignored and logged."""
    cached = g.get(CACHE)
    if cached is None:
        cached = {}
        for key, text in db.session.execute(select(CompanySetting.key, CompanySetting.value)
                                            .where(CompanySetting.value.is_not(None))):
            declared = registry.declared.get(key)
            if declared is None or declared.setting.scope != "company":
                continue
            try:
                cached[key] = Resolved(*check(declared.setting, json.loads(text)), "database")
            except (SettingValueError, ValueError) as exc:
                current_app.logger.warning("stored setting %s is invalid, its default applies: %s", key, exc)
        setattr(g, CACHE, cached)
    return cached


def save(declared: Declared, data: Any | None) -> None:
    """Store checked ``data`` (None: back to the default) in the session; the caller commits."""
    row = db.session.scalar(select(CompanySetting).where(CompanySetting.key == declared.key))
    text = None if data is None else json.dumps(data, ensure_ascii=False, sort_keys=True)
    if row is None:
        if text is None:
            return
        row = CompanySetting(key=declared.key)
        db.session.add(row)
    row.value = text
    g.pop(CACHE, None)


def history(limit: int = 50) -> list[dict[str, Any]]:
    """Recent changes of company settings, newest first: when, who, which key, old and new data."""
    from core.auth.models import User

    stmt = (select(AuditEvent, CompanySetting.key, User.display_name)
            .join(CompanySetting, CompanySetting.id == AuditEvent.record_id)
            .outerjoin(User, User.id == AuditEvent.user_id)
            .where(AuditEvent.record_type == CompanySetting.__tablename__)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit))
    rows = []
    for event, key, who in db.session.execute(stmt):
        old, new = event.changes.get("value", [None, None])
        rows.append({"at": event.at, "who": who, "key": key,
                     "old": None if old is None else json.loads(old),
                     "new": None if new is None else json.loads(new)})
    return rows
