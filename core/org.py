"""The organisation: departments with their heads, users' managers, regions' managers.

It answers the "who" questions of the work engine: who heads the QC department, whom a
representative reports to, who manages a region, who is the general manager, and who is the next
level up when a deadline is missed or an applicant may not approve their own application.
Roles stay the permission mechanism; the organisation only says who answers to whom.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.audit import Audited, record_event
from core.auth.models import Region, Role, User, user_roles
from core.db import db, utcnow
from core.inputs import INT_MAX

GM_OFFICE = "gm_office"

# code, Chinese name, English name: offered on every install, renamed or retired by an administrator
STANDARD_DEPARTMENTS = (
    ("cm", "客户管理部", "Customer management"),
    ("sales", "销售部", "Sales"),
    ("marketing", "营销部", "Marketing"),
    ("qc", "品控部", "Quality control"),
    ("production", "生产部", "Production"),
    ("warehouse", "成品库", "Finished-goods warehouse"),
    ("finance", "财务部", "Finance"),
    (GM_OFFICE, "总经理办公室", "General manager's office"),
)


class Department(Audited, db.Model):
    """A department (部门) with its head; users belong to one through ``users.department_id``."""

    __tablename__ = "departments"
    __audit_label__ = _l("Departments")
    __audit_fields__ = {
        "code": _l("Code"), "name": _l("Name"), "name_en": _l("English name"),
        "head_id": _l("Head"), "active": _l("Active"), "position": _l("Position in lists"),
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    head: Mapped[User | None] = relationship(foreign_keys=[head_id])

    @property
    def label(self) -> str:
        """The name in the reader's language (the Chinese name when no English one is kept)."""
        return label_of(self.name, self.name_en)


def label_of(name: str, name_en: str | None) -> str:
    locale = get_locale()
    if name_en and locale is not None and locale.language == "en":
        return name_en
    return name


def ensure_departments(session: Session | None = None) -> None:
    """Add the standard departments an install lacks (by code); existing ones stay as edited."""
    session = session or db.session
    known = set(session.scalars(select(Department.code)))
    for position, (code, name, name_en) in enumerate(STANDARD_DEPARTMENTS):
        if code not in known:
            session.add(Department(code=code, name=name, name_en=name_en, position=position * 10))
    session.flush()


def departments(active_only: bool = True) -> list[Department]:
    stmt = select(Department).order_by(Department.position, Department.id)
    if active_only:
        stmt = stmt.where(Department.active.is_(True))
    return list(db.session.scalars(stmt))


def department(code: str) -> Department | None:
    return db.session.scalar(select(Department).where(Department.code == code))


def _active(user: User | None) -> User | None:
    return user if user is not None and user.active else None


def _user(user_id: int | None) -> User | None:
    return _active(_get(User, user_id)) if user_id else None


def department_head(code: str) -> User | None:
    """The active head of the active department ``code``, or None."""
    return db.session.scalar(
        select(User).join(Department, Department.head_id == User.id)
        .where(Department.code == code, Department.active.is_(True), User.active.is_(True)))


def heads(user: User) -> bool:
    """Whether ``user`` heads an active department."""
    return db.session.scalar(select(Department.id).where(
        Department.head_id == user.id, Department.active.is_(True)).limit(1)) is not None


def manager_of(user: User) -> User | None:
    """Whom ``user`` reports to: their manager, else their department's head, else None (never
    themselves)."""
    manager = _user(user.manager_id)
    if manager is not None and manager.id != user.id:
        return manager
    if user.department_id:
        head_id = db.session.scalar(select(Department.head_id).where(
            Department.id == user.department_id, Department.active.is_(True)))
        head = _user(head_id)
        if head is not None and head.id != user.id:
            return head
    return None


def regional_manager(region_id: int | None) -> User | None:
    """The active manager of the region, or None."""
    if not region_id:
        return None
    region = db.session.get(Region, region_id)
    return _user(region.manager_id) if region else None


def general_manager() -> User | None:
    """The head of the general manager's office, else the first active user with the role
    general_manager, else None."""
    head = department_head(GM_OFFICE)
    if head is not None:
        return head
    return db.session.scalar(
        select(User).join(user_roles, user_roles.c.user_id == User.id)
        .join(Role, Role.id == user_roles.c.role_id)
        .where(Role.code == "general_manager", User.active.is_(True)).order_by(User.id).limit(1))


def next_level_up(user: User) -> User | None:
    """Who stands above ``user``: ``manager_of(user)``; for a department head without a manager
    of their own, the general manager. None at the top."""
    manager = manager_of(user)
    if manager is not None:
        return manager
    if heads(user):
        top = general_manager()
        if top is not None and top.id != user.id:
            return top
    return None


def members(department_id: int) -> list[User]:
    """Active users of a department, its head included."""
    head_id = db.session.scalar(select(Department.head_id).where(Department.id == department_id))
    stmt = select(User).where(User.active.is_(True),
                              (User.department_id == department_id) | (User.id == head_id))
    return list(db.session.scalars(stmt.order_by(User.id)))


class OrgRefused(Exception):
    """A change to the organisation that would make it wrong; ``str()`` is for the administrator."""


CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


def save_department(values: dict[str, Any], existing: Department | None = None) -> Department:
    """Create a department or change one (audited). ``values``: code, name, name_en, head_id,
    active, position. The code of an existing department never changes: chains and queues name it."""
    name = (values.get("name") or "").strip()
    if not name:
        raise OrgRefused(_("A department needs a name."))
    head_id = values.get("head_id") or None
    if head_id and _user(head_id) is None:
        raise OrgRefused(_("The head must be an active user."))
    if existing is None:
        code = (values.get("code") or "").strip().lower()
        if not CODE_RE.match(code):
            raise OrgRefused(_("A code is 2 to 32 lower-case letters, digits or underscores, starting "
                               "with a letter."))
        if department(code) is not None:
            raise OrgRefused(_("The code %(code)s is taken.", code=code))
        existing = Department(code=code)
        db.session.add(existing)
    existing.name = name[:100]
    existing.name_en = (values.get("name_en") or "").strip()[:100] or None
    existing.head_id = head_id
    existing.active = bool(values.get("active", True))
    existing.position = int(values.get("position") or 0)
    db.session.flush()
    return existing


def _reports_to(start: User | None, target_id: int) -> bool:
    """Whether following managers up from ``start`` reaches ``target_id`` (a loop)."""
    seen: set[int] = set()
    while start is not None and start.id not in seen:
        if start.id == target_id:
            return True
        seen.add(start.id)
        start = db.session.get(User, start.manager_id) if start.manager_id else None
    return False


def _get(model: type, record_id: int) -> Any:
    """The row with this id, or None: also for an id no integer column can hold (typed by hand)."""
    return db.session.get(model, record_id) if 1 <= record_id <= INT_MAX else None


def assign_user(user: User, department_id: int | None, manager_id: int | None) -> dict[str, list[Any]]:
    """Put ``user`` in a department and under a manager; written to the audit trail. Refuses a
    manager who is the user or who reports to them (a loop)."""
    if manager_id == user.id:
        raise OrgRefused(_("Nobody is their own manager."))
    manager = _get(User, manager_id) if manager_id else None
    if manager_id and manager is None:
        raise OrgRefused(_("Unknown manager."))
    if manager is not None and _reports_to(manager, user.id):
        raise OrgRefused(_("%(manager)s already reports to %(user)s.", manager=manager.display_name,
                           user=user.display_name))
    if department_id and _get(Department, department_id) is None:
        raise OrgRefused(_("Unknown department."))
    changes = {}
    for key, value in (("department_id", department_id or None), ("manager_id", manager_id or None)):
        if getattr(user, key) != value:
            changes[key] = [getattr(user, key), value]
            setattr(user, key, value)
    if changes:
        record_event("users", user.id, "update", changes)
    return changes


def set_region_manager(region: Region, manager_id: int | None) -> None:
    """Name the regional manager of ``region`` (audited)."""
    if manager_id and _user(manager_id) is None:
        raise OrgRefused(_("The regional manager must be an active user."))
    if region.manager_id != (manager_id or None):
        record_event("regions", region.id, "update", {"manager_id": [region.manager_id, manager_id or None]})
        region.manager_id = manager_id or None
