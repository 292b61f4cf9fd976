"""The password policy: one set of rules for the admin form, the command line and every change."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from flask_babel import gettext as _

from core.settings import setting

COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the most common passwords, lower case (read once per process)."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problems(password: str, username: str) -> list[str]:
    """What is wrong with ``password`` for the user ``username``, as messages; empty when it is fine.

    Length first (guessing cost grows with it), then the list of passwords attackers try first,
    then the user name, which is the first guess for any account.
    """
    problems = []
    minimum = setting("core.password_min_length")
    if len(password) < minimum:
        problems.append(_("A password needs at least %(count)d characters.", count=minimum))
    if password.strip().lower() in common_passwords():
        problems.append(_("This is one of the most common passwords; choose another."))
    if password.strip().lower() == username.strip().lower():
        problems.append(_("The password may not be the user name."))
    return problems
