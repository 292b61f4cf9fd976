"""Gapless document numbers from one counter row per series, updated in the caller's transaction."""
from __future__ import annotations

from sqlalchemy import String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db


class Sequence(db.Model):
    __tablename__ = "sequences"
    series: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


def next_number(series: str) -> int:
    """The next number of ``series``; the row lock (PostgreSQL) or write lock (SQLite) serialises
    concurrent callers, and a rolled-back transaction gives its number back."""
    session = db.session
    row = session.execute(
        select(Sequence.value).where(Sequence.series == series).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        session.add(Sequence(series=series, value=1))
        session.flush()
        return 1
    session.execute(update(Sequence).where(Sequence.series == series).values(value=Sequence.value + 1))
    return row + 1
