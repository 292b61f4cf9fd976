"""Gapless document numbers from one counter row per series, updated in the caller's transaction,
and the one format every printed form shows them in (DD-2026-00001, WB-20261123-00042)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import String, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db


class Sequence(db.Model):
    __tablename__ = "sequences"
    series: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


def next_number(series: str) -> int:
    """The next number of ``series``.

    The increment comes first (UPDATE ... RETURNING): it takes the row lock on PostgreSQL and the
    write lock on SQLite before the value is read, so concurrent callers queue instead of reading
    the same value; a rolled-back transaction gives its number back.
    """
    table = Sequence.__table__
    bump = (update(table).where(table.c.series == series).values(value=table.c.value + 1)
            .returning(table.c.value))
    value = db.session.execute(bump).scalar_one_or_none()
    if value is not None:
        return value
    try:
        with db.session.begin_nested():
            db.session.execute(insert(table).values(series=series, value=1))
        return 1
    except IntegrityError:  # another transaction created the series first
        return db.session.execute(bump).scalar_one()


def format_document_number(prefix: str, day: date, sequence: int, dated: bool = False) -> str:
    """``DD-2026-00001``; a ``dated`` series shows the day too: ``WB-20261123-00042``."""
    return f"{prefix}-{day.strftime('%Y%m%d') if dated else day.year}-{sequence:05d}"


def document_number(owner: str, prefix: str, day: date, dated: bool = False) -> str:
    """The next number of ``owner``'s ``prefix`` series, gapless per year, formatted for print.

    ``day`` is the company-timezone day of the document; ``owner`` (the plugin's name) keeps two
    plugins' series with the same prefix apart: the counter row is ``<owner>.<prefix>.<year>``.
    """
    sequence = next_number(f"{owner}.{prefix}.{day.year}")
    return format_document_number(prefix, day, sequence, dated)
