"""What tiering keeps: each customer's current grades, their dated history, recompute runs,
manual overrides, imported monthly sales, key-account plans and evaluations."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Audited, Choice, Money, User, db, guard_state, utcnow
from plugins.tiering.i18n import _l
from plugins.tiering.labels import GRADE_LABELS


class Grade(db.Model):
    """A customer's grades as of the last recompute, with the inputs and rule version behind them.

    One row per customer, replaced by each recompute; filters and charts read these indexed columns.
    """

    __tablename__ = "tiering_grades"
    __table_args__ = (Index("ix_tiering_grades_rfm", "recency", "frequency", "monetary"),
                      Index("ix_tiering_grades_nine", "potential_score", "relationship_score"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    grade: Mapped[str | None] = mapped_column(String(10), index=True)
    size_class: Mapped[str | None] = mapped_column(String(1), index=True)
    focus: Mapped[str | None] = mapped_column(String(60))  # detectors, comma separated
    churn: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    old: Mapped[bool] = mapped_column(Boolean, default=False)
    key_rank: Mapped[int | None] = mapped_column(Integer)
    ranked: Mapped[int | None] = mapped_column(Integer)  # customers with volume, "rank 7 of 1,204"
    lifecycle: Mapped[str | None] = mapped_column(String(12), index=True)
    pyramid: Mapped[str | None] = mapped_column(String(10), index=True)
    recency: Mapped[int | None] = mapped_column(SmallInteger)
    frequency: Mapped[int | None] = mapped_column(SmallInteger)
    monetary: Mapped[int | None] = mapped_column(SmallInteger)
    segment: Mapped[str | None] = mapped_column(String(16), index=True)
    clv_cents: Mapped[int | None] = mapped_column(BigInteger, index=True)
    potential_score: Mapped[int | None] = mapped_column(SmallInteger)  # nine-grid rows: 1 low … 3 high
    relationship_score: Mapped[int | None] = mapped_column(SmallInteger)  # nine-grid columns
    rule_version: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(DateTime)
    inputs: Mapped[dict] = mapped_column(JSON, default=dict)


class Snapshot(db.Model):
    """A dated record of a customer's grades whenever a recompute changed any of them."""

    __tablename__ = "tiering_snapshots"
    # the customer page shows a customer's newest snapshots: found through this index, not by walking
    # every customer's snapshots in time order (58 ms for the biggest customer at 100k)
    __table_args__ = (Index("ix_tiering_snapshots_customer_time", "customer_id", "computed_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("tiering_runs.id", ondelete="SET NULL"))
    computed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    rule_version: Mapped[int] = mapped_column(Integer)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # attribute -> [old, new]
    inputs: Mapped[dict] = mapped_column(JSON, default=dict)


class Run(db.Model):
    """One recompute: when, why, how many customers and what moved."""

    __tablename__ = "tiering_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    trigger: Mapped[str] = mapped_column(String(10))  # nightly | manual | command
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rule_version: Mapped[int] = mapped_column(Integer)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)  # "grade: general→key" -> count
    thresholds: Mapped[dict] = mapped_column(JSON, default=dict)  # the settings the rules ran with


class Override(Audited, db.Model):
    """A grade set by hand, with a reason, until an expiry day; the computed grade stays beside it."""

    __tablename__ = "tiering_overrides"
    __audit_label__ = _l("Grade overrides")
    __audit_permission__ = "tiering.view"
    __audit_fields__ = {"customer_id": _l("Customer"), "grade": Choice(_l("Grade"), GRADE_LABELS),
                        "reason": _l("Reason"), "expires_on": _l("Valid until"), "set_by_id": _l("Set by")}
    __audit_exclude__ = frozenset({"created_at"})
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), unique=True)
    grade: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    set_by: Mapped[User | None] = relationship(lazy="joined")

    def active(self, today: date) -> bool:
        return self.expires_on >= today


class MonthlySale(db.Model):
    """A customer's sales of one month, imported for companies that keep orders elsewhere.

    Figures, not edits: each import is one entry of the audit trail (who, when, how many months),
    rather than one per month on every customer's timeline.
    """

    __tablename__ = "tiering_monthly_sales"
    __table_args__ = (UniqueConstraint("customer_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    month: Mapped[date] = mapped_column(Date, index=True)  # the first day of the month
    shipped_kg: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    orders: Mapped[int] = mapped_column(Integer, default=0)


class KeyPlan(Audited, db.Model):
    """A marketing plan for a key customer (大客户营销方案), reviewed and filed through an approval chain."""

    __tablename__ = "tiering_key_plans"
    __audit_label__ = _l("Key-account marketing plans")
    __audit_permission__ = "tiering.view"
    __audit_fields__ = {"customer_id": _l("Customer"), "title": _l("Title"), "period": _l("Period"),
                        "goals": _l("Goals"), "actions": _l("Actions"), "budget_cents": Money(_l("Budget")),
                        "author_id": _l("Written by"), "state": _l("State")}
    __audit_exclude__ = frozenset({"created_at", "state_changed_at"})
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(50))
    goals: Mapped[str] = mapped_column(Text)
    actions: Mapped[str] = mapped_column(Text)
    budget_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    state_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class KeyEvaluation(Audited, db.Model):
    """A periodic evaluation of a key customer (大客户评估): scores 1–5 and the findings."""

    __tablename__ = "tiering_key_evaluations"
    __audit_label__ = _l("Key-customer evaluations")
    __audit_permission__ = "tiering.view"
    __audit_fields__ = {"customer_id": _l("Customer"), "period": _l("Period"), "evaluated_on": _l("Date"),
                        "author_id": _l("Evaluated by"), "volume": _l("Volume"), "payment": _l("Payment"),
                        "cooperation": _l("Cooperation"), "potential": _l("Potential"),
                        "strengths": _l("Strengths"), "problems": _l("Problems"), "next_steps": _l("Next steps")}
    __audit_exclude__ = frozenset({"created_at"})
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(50))
    evaluated_on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    volume: Mapped[int] = mapped_column(SmallInteger)
    payment: Mapped[int] = mapped_column(SmallInteger)
    cooperation: Mapped[int] = mapped_column(SmallInteger)
    potential: Mapped[int] = mapped_column(SmallInteger)
    strengths: Mapped[str | None] = mapped_column(Text)
    problems: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")

    @property
    def overall(self) -> float:
        return round((self.volume + self.payment + self.cooperation + self.potential) / 4, 1)


from plugins.tiering.key_accounts import PLAN_FLOW  # noqa: E402  (the workflow names the model's states)

guard_state(KeyPlan, PLAN_FLOW)
