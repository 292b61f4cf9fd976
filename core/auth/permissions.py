"""Collecting permission strings from core and plugins, default grants, and the view guard."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from core.auth.models import KnownPermission, Role, RolePermission
from core.auth.roles import ROLES
from core.contract import Permission
from core.db import db
from core.plugins import call


def declared_permissions() -> list[Permission]:
    """Every permission declared through ``register_permissions``, sorted by code."""
    return sorted(call("register_permissions"), key=lambda p: p.code)


def sync_roles_and_permissions() -> None:
    """Seed missing roles and the standard departments, and grant default roles the permissions
    seen for the first time.

    A grant an administrator removed stays removed: defaults apply only to new permissions; a
    department an administrator renamed or retired stays as it is.
    """
    from core.org import ensure_departments

    existing_roles = {role.code: role for role in db.session.scalars(db.select(Role))}
    for code in ROLES:
        if code not in existing_roles:
            existing_roles[code] = Role(code=code)
            db.session.add(existing_roles[code])
    db.session.flush()
    known = set(db.session.scalars(db.select(KnownPermission.code)))
    admin = existing_roles["admin"]
    for perm in declared_permissions():
        if perm.code in known:
            continue
        db.session.add(KnownPermission(code=perm.code))
        for role_code in set(perm.default_roles) | {"admin"}:
            role = existing_roles.get(role_code, admin)
            db.session.add(RolePermission(role_id=role.id, permission=perm.code))
    ensure_departments()
    db.session.commit()


def parse_grants(values: list[str]) -> set[tuple[int, str]]:
    """``role_id:permission`` pairs as the roles page posts them; ``ValueError`` for any value that
    names no existing role or no declared permission (the page never sends one)."""
    role_ids = set(db.session.scalars(db.select(Role.id)))
    codes = {perm.code for perm in declared_permissions()}
    grants = set()
    for value in values:
        role, _sep, code = value.partition(":")
        if not role.isdigit() or int(role) not in role_ids or code not in codes:
            raise ValueError(value)
        grants.add((int(role), code))
    return grants


def save_grants(wanted: set[tuple[int, str]]) -> None:
    """Make the declared permissions' grants exactly ``wanted``; grants of permissions no enabled
    plugin declares are kept for when it is enabled again."""
    codes = {perm.code for perm in declared_permissions()}
    current = {(rp.role_id, rp.permission) for rp in db.session.scalars(db.select(RolePermission))}
    for role_id, code in current - wanted:
        if code in codes:
            db.session.delete(db.session.get(RolePermission, (role_id, code)))
    for role_id, code in wanted - current:
        db.session.add(RolePermission(role_id=role_id, permission=code))


def permission_required(permission: str) -> Callable:
    """Login plus one permission; a user without it gets 403 (the page exists, the right does not)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
