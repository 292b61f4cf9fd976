"""Customer archive (客户档案)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited
from core.auth.models import Region, User
from core.db import db, utcnow
from core.registry.archive_flow import ARCHIVE_FLOW
from core.workflow import guard_state

BUSINESS_TYPES = ("distributor", "farm", "feed_mill")
SIZE_CLASSES = ("A", "B", "C")


class Customer(Audited, db.Model):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    business_type: Mapped[str] = mapped_column(String(20), default="distributor")
    size_class: Mapped[str | None] = mapped_column(String(1))
    phone: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(String(300))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    is_prospect: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=ARCHIVE_FLOW.initial)
    version_id: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    region: Mapped[Region | None] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version_id}


guard_state(Customer, ARCHIVE_FLOW)
