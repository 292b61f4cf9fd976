"""Login throttling that a stranger cannot turn into a lock-out.

Every attempt is counted before its password is checked, with one atomic ``UPDATE … SET attempts =
attempts + 1 … RETURNING`` per counter in its own short transaction: parallel requests queue on the
row, so with a limit of five at most five passwords are ever checked, and no lock is held while the
password hash is computed. A counter is a row of ``login_throttle`` under one key:

- a browser that logged in to this account before carries a signed device cookie and is counted
  by itself (``device:…``, ``core.login_max_failures``): failures elsewhere never lock it out;
- any other browser is counted per account (``account:…``, the hash of the typed name,
  ``core.login_max_failures``) and per client address (``address:…``, ``core.login_max_failures_per_address``),
  so guessing one account from many addresses, or many accounts from one address, both stop.

Unknown and real names are counted alike, so a lock says nothing about whether an account exists.
The device cookie is the OWASP "device cookie" pattern; it grants nothing but its own counter.
"""
from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.auth.models import LoginThrottle
from core.db import db, utcnow
from core.settings import setting

DEVICE_COOKIE = "guanxi_device"
DEVICE_COOKIE_DAYS = 365


@dataclass(frozen=True)
class LoginClient:
    """Who is knocking: the client address and the device cookie the browser sent, if any."""

    address: str
    device_cookie: str | None = None


@dataclass(frozen=True)
class Counter:
    key: str
    limit: int


@dataclass(frozen=True)
class Attempt:
    """One login attempt after counting: ``locked_until`` is set when it must be refused unchecked."""

    counters: tuple[tuple[Counter, int], ...]
    locked_until: datetime | None

    def minutes_left(self) -> int:
        return max(1, math.ceil((self.locked_until - utcnow()).total_seconds() / 60))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="guanxi.login-device")


def account_key(username: str) -> str:
    """The counter key of a typed name: a hash, so names (or passwords typed as names) are not stored."""
    return "account:" + hashlib.sha256(username.encode()).hexdigest()[:40]


def known_device(username: str, client: LoginClient) -> str | None:
    """The device id of the browser's cookie if it was issued for ``username`` (canonical), else None."""
    if not client.device_cookie:
        return None
    try:
        data = _serializer().loads(client.device_cookie)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("user") != username or not isinstance(data.get("device"), str):
        return None
    return data["device"]


def counters(username: str, client: LoginClient) -> list[Counter]:
    device = known_device(username, client)
    if device:
        return [Counter(f"device:{device}", setting("core.login_max_failures"))]
    return sorted([Counter(account_key(username), setting("core.login_max_failures")),
                   Counter(f"address:{client.address}"[:80], setting("core.login_max_failures_per_address"))],
                  key=lambda c: c.key)  # one order for every request: no deadlocks between them


def begin_attempt(username: str, client: LoginClient) -> Attempt:
    """Count the attempt on each of its counters and commit at once."""
    now = utcnow()
    window = timedelta(minutes=setting("core.login_lock_minutes"))
    counted = tuple((counter, *_bump(counter.key, now, window)) for counter in counters(username, client))
    db.session.commit()
    over = [reset_at for counter, attempts, reset_at in counted if attempts > counter.limit]
    return Attempt(tuple((counter, attempts) for counter, attempts, _reset in counted), max(over, default=None))


def _bump(key: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
    table = LoginThrottle.__table__
    expired = table.c.reset_at <= now
    bump = (update(table).where(table.c.key == key)
            .values(attempts=case((expired, 1), else_=table.c.attempts + 1),
                    reset_at=case((expired, now + window), else_=table.c.reset_at))
            .returning(table.c.attempts, table.c.reset_at))
    row = db.session.execute(bump).one_or_none()
    if row is not None:
        return row.attempts, row.reset_at
    try:
        with db.session.begin_nested():
            db.session.execute(insert(table).values(key=key, attempts=1, reset_at=now + window))
        return 1, now + window
    except IntegrityError:  # another request created the counter first
        row = db.session.execute(bump).one()
        return row.attempts, row.reset_at


def failed(attempt: Attempt) -> bool:
    """Record a wrong password; True when it used up a limit, which then locks for the full period.
    Expired counters of anyone are dropped on the way."""
    now = utcnow()
    table = LoginThrottle.__table__
    reached = [counter.key for counter, attempts in attempt.counters if attempts == counter.limit]
    if reached:
        lock = now + timedelta(minutes=setting("core.login_lock_minutes"))
        db.session.execute(update(table).where(table.c.key.in_(reached)).values(reset_at=lock))
    db.session.execute(delete(table).where(table.c.reset_at <= now))
    db.session.commit()
    return bool(reached)


def succeeded(attempt: Attempt) -> None:
    """A right password clears the account's or browser's counter; an address keeps counting only
    failures, so a busy office behind one address never reaches its limit by logging in."""
    table = LoginThrottle.__table__
    for counter, _attempts in attempt.counters:
        if counter.key.startswith("address:"):
            db.session.execute(update(table).where(table.c.key == counter.key)
                               .values(attempts=case((table.c.attempts > 0, table.c.attempts - 1), else_=0)))
        else:
            db.session.execute(delete(table).where(table.c.key == counter.key))
    db.session.commit()


def unlock(username: str) -> None:
    """Clear the account's counter (a new password was set); not committed."""
    db.session.execute(delete(LoginThrottle.__table__).where(LoginThrottle.key == account_key(username)))


def locked_accounts(usernames: list[str]) -> dict[str, datetime]:
    """Accounts whose counter for unknown browsers is locked now, with the time the lock ends."""
    limit = setting("core.login_max_failures")
    keys = {account_key(name): name for name in usernames}
    rows = db.session.execute(select(LoginThrottle.key, LoginThrottle.reset_at).where(
        LoginThrottle.key.in_(keys), LoginThrottle.attempts >= limit, LoginThrottle.reset_at > utcnow()))
    return {keys[key]: reset_at for key, reset_at in rows}


def remember_device(response: Any, username: str, client: LoginClient) -> None:
    """Give the browser that just logged in its device cookie (keeping its id if it had one)."""
    device = known_device(username, client) or secrets.token_hex(16)
    config = current_app.config
    response.set_cookie(DEVICE_COOKIE, _serializer().dumps({"user": username, "device": device}),
                        max_age=DEVICE_COOKIE_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=bool(config.get("SESSION_COOKIE_SECURE")))
