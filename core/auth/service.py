"""Authentication with throttling: after N failures an account is locked for M minutes."""
from __future__ import annotations

import math
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from core.auth.models import User
from core.auth.passwords import password_problems
from core.db import db, utcnow


class LoginRefused(Exception):
    pass


class PasswordRefused(ValueError):
    """The new password breaks the policy; ``problems`` are the messages to show."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def canonical_username(name: str) -> str:
    """User names are stored trimmed and lower-case, so "Rep_Zhang" and "rep_zhang" are one."""
    return name.strip().lower()


def find_user(name: str) -> User | None:
    """The user with this name, however it is typed (login, command line, imports)."""
    return db.session.scalar(select(User).where(func.lower(User.username) == canonical_username(name)))


def authenticate(username: str, password: str) -> User:
    """The user for these credentials, or ``LoginRefused`` with a message to show."""
    user = find_user(username)
    if user is None or not user.active:
        raise LoginRefused(_("Wrong user name or password."))
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        minutes = math.ceil((user.locked_until - now).total_seconds() / 60)
        raise LoginRefused(_("This account is locked after too many failed logins. "
                             "Try again in %(minutes)d minutes.", minutes=minutes))
    if not user.check_password(password):
        user.failed_logins = (user.failed_logins or 0) + 1
        limit = current_app.config["LOGIN_MAX_FAILURES"]
        if user.failed_logins >= limit:
            lock = current_app.config["LOGIN_LOCK_MINUTES"]
            user.locked_until = now + timedelta(minutes=lock)
            user.failed_logins = 0
            db.session.commit()
            raise LoginRefused(_("Too many failed logins: this account is locked for %(minutes)d minutes.",
                                 minutes=lock))
        db.session.commit()
        raise LoginRefused(_("Wrong user name or password."))
    user.failed_logins = 0
    user.locked_until = None
    db.session.commit()
    return user


def set_password(user: User, password: str) -> None:
    """The one way to give a user a new password (admin form, command line, any change): the policy
    of ``core.auth.passwords`` is checked here, so no path can skip it, and every session that the
    user (or whoever had the old password) has open ends. Nothing is committed."""
    problems = password_problems(password, user.username)
    if problems:
        raise PasswordRefused(problems)
    user.set_password(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """End every session of ``user`` on every device, at the next request of each. An SQL increment,
    so two logouts at once both count. Nothing is committed."""
    if user.id is not None:
        user.session_version = User.session_version + 1


def session_user(session_id: str) -> User | None:
    """The user of a session id from ``User.get_id``, or None once that session was ended."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.session_version == int(version) else None
