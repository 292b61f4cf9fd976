"""Authentication (throttled, see ``core.auth.throttle``), passwords and sessions of users."""
from __future__ import annotations

import secrets
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from core.auth import throttle
from core.auth.models import User
from core.auth.passwords import password_problems
from core.auth.throttle import LoginClient
from core.db import db
from core.settings import setting


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


def authenticate(username: str, password: str, client: LoginClient) -> User:
    """The user for these credentials, or ``LoginRefused`` with a message to show.

    Real and unknown names take the same path: the same counters, one password-hash check each (a
    dummy hash for unknown names), the same messages, so neither the answer nor its timing tells
    whether an account exists. See ``core.auth.throttle`` for the counting.
    """
    name = canonical_username(username)
    attempt = throttle.begin_attempt(name, client)
    if attempt.locked_until:
        raise LoginRefused(_("Too many failed logins. Try again in %(minutes)d minutes.",
                             minutes=attempt.minutes_left()))
    user = find_user(name)
    stored_hash = user.password_hash if user is not None else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])
    if not check_password_hash(stored_hash, password) or user is None or not user.active:
        if throttle.failed(attempt):
            raise LoginRefused(_("Too many failed logins: logging in is locked for %(minutes)d minutes.",
                                 minutes=setting("core.login_lock_minutes")))
        raise LoginRefused(_("Wrong user name or password."))
    throttle.succeeded(attempt)
    return user


@cache
def _dummy_hash(method: str) -> str:
    """A hash made like real ones, checked for unknown names so they cost the same time."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def set_password(user: User, password: str) -> None:
    """The one way to give a user a new password (admin form, command line, any change): the policy
    of ``core.auth.passwords`` is checked here, so no path can skip it, and every session that the
    user (or whoever had the old password) has open ends. Nothing is committed."""
    problems = password_problems(password, user.username)
    if problems:
        raise PasswordRefused(problems)
    user.set_password(password)
    end_sessions(user)
    throttle.unlock(user.username)


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
