"""Promotions (促销管理): applications with their targets, execution log and evaluation, and the
promotional materials (促销品) with their stock, regional plans and ledger.

Money is integer cents, weights integer kilograms. The application's review is core's approval
chain (``plugins.promotions.chains``); the ``state`` column is moved only by ``PROMOTION_FLOW``.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Audited, Choice, Money, Region, User, Weight, db, guard_state, utcnow
from plugins.promotions.flows import PLAN_FLOW, PROMOTION_FLOW
from plugins.promotions.i18n import _l

RATINGS = {"exceeded": _l("Exceeded the targets"), "achieved": _l("Achieved the targets"),
           "partly": _l("Partly achieved"), "missed": _l("Not achieved")}


class Promotion(Audited, db.Model):
    """One promotion application (促销申请), from draft to evaluation."""

    __tablename__ = "promotions_promotions"
    __table_args__ = (Index("ix_promotions_promotions_region_state", "region_id", "state"),)
    __audit_label__ = _l("Promotions")
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=PROMOTION_FLOW.initial, index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    situation_before: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    target_kg: Mapped[int] = mapped_column(BigInteger, default=0)
    target_amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    target_new_customers: Mapped[int] = mapped_column(Integer, default=0)
    budget_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    target_rule: Mapped[str | None] = mapped_column(String(64))
    target_count: Mapped[int] = mapped_column(Integer, default=0)
    spent_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    filed_at: Mapped[datetime | None] = mapped_column(DateTime)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completion_rating: Mapped[str | None] = mapped_column(String(20))
    completion_note: Mapped[str | None] = mapped_column(Text)
    execution_summary: Mapped[str | None] = mapped_column(Text)
    achievement_summary: Mapped[str | None] = mapped_column(Text)
    problems: Mapped[str | None] = mapped_column(Text)
    improvements: Mapped[str | None] = mapped_column(Text)
    success_case: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    case_summary: Mapped[str | None] = mapped_column(Text)
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime)
    evaluated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    region: Mapped[Region] = relationship(lazy="joined")
    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id], lazy="joined")

    __audit_fields__ = {
        "number": _l("Number"), "title": _l("Title"), "region_id": _l("Region"), "applicant_id": _l("Applicant"),
        "state": _l("State"), "period_start": _l("Period from"), "period_end": _l("Period to"),
        "situation_before": _l("Situation before"), "purpose": _l("Purpose"), "plan": _l("Plan"),
        "target_kg": Weight(_l("Target volume")), "target_amount_cents": Money(_l("Target amount")),
        "target_new_customers": _l("Target new customers"), "budget_cents": Money(_l("Budget")),
        "target_rule": _l("Target rule"), "target_count": _l("Target customers"),
        "spent_cents": Money(_l("Spent")), "created_at": _l("Created"), "filed_at": _l("Filed"),
        "filed_by_id": _l("Filed by"), "completion_rating": Choice(_l("Completion"), RATINGS),
        "completion_note": _l("Completion assessment"), "execution_summary": _l("Execution"),
        "achievement_summary": _l("Target achievement"), "problems": _l("Problems"),
        "improvements": _l("Improvements"), "success_case": _l("Success case"),
        "case_summary": _l("What others can learn"), "evaluated_at": _l("Evaluated"),
        "evaluated_by_id": _l("Evaluated by"),
    }

    @property
    def period_days(self) -> int:
        return (self.period_end - self.period_start).days + 1

    @property
    def remaining_cents(self) -> int:
        return self.budget_cents - self.spent_cents


guard_state(Promotion, PROMOTION_FLOW)


class PromotionTarget(db.Model):
    """A customer the promotion aims at, fixed when the application is saved (by hand or by rule)."""

    __tablename__ = "promotions_targets"
    __table_args__ = (UniqueConstraint("promotion_id", "customer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    promotion_id: Mapped[int] = mapped_column(ForeignKey("promotions_promotions.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)


class ExecutionEntry(Audited, db.Model):
    """One line of the execution log (实施跟踪): what was done on which day, and what it cost."""

    __tablename__ = "promotions_execution"
    __audit_label__ = _l("Execution log")
    id: Mapped[int] = mapped_column(primary_key=True)
    promotion_id: Mapped[int] = mapped_column(ForeignKey("promotions_promotions.id", ondelete="CASCADE"),
                                              index=True)
    happened_on: Mapped[date] = mapped_column(Date, index=True)
    activity: Mapped[str] = mapped_column(Text)
    spend_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship(lazy="joined")
    photos: Mapped[list[ExecutionPhoto]] = relationship(order_by="ExecutionPhoto.id", lazy="selectin")

    __audit_fields__ = {
        "promotion_id": _l("Promotion"), "happened_on": _l("Date"), "activity": _l("Activity"),
        "spend_cents": Money(_l("Spend")), "recorded_by_id": _l("Recorded by"), "recorded_at": _l("Recorded at"),
    }


class ExecutionPhoto(db.Model):
    """A photo of an activity, stored in the instance folder under a random name."""

    __tablename__ = "promotions_photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("promotions_execution.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)


# -- promotional materials (促销品) -------------------------------------------------------------

class MaterialItem(Audited, db.Model):
    """A kind of promotional material with the quantity in stock (never below zero)."""

    __tablename__ = "promotions_items"
    __table_args__ = (CheckConstraint("stock >= 0", name="stock_not_negative"),)
    __audit_label__ = _l("Promotional materials")
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20), default="")
    stock: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __audit_fields__ = {"code": _l("Code"), "name": _l("Name"), "unit": _l("Unit"), "stock": _l("In stock"),
                        "active": _l("Active")}


class MaterialRequest(Audited, db.Model):
    """Materials an application asks for; issued against it once it is approved."""

    __tablename__ = "promotions_material_requests"
    __audit_label__ = _l("Promotional materials requested")
    __table_args__ = (UniqueConstraint("promotion_id", "item_id"),
                      CheckConstraint("issued <= quantity", name="issued_within_request"))
    id: Mapped[int] = mapped_column(primary_key=True)
    promotion_id: Mapped[int] = mapped_column(ForeignKey("promotions_promotions.id", ondelete="CASCADE"),
                                              index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("promotions_items.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    issued: Mapped[int] = mapped_column(Integer, default=0)

    item: Mapped[MaterialItem] = relationship(lazy="joined")

    __audit_fields__ = {"promotion_id": _l("Promotion"), "item_id": _l("Material"), "quantity": _l("Quantity"),
                        "issued": _l("Issued")}


class MaterialPlan(Audited, db.Model):
    """A region's materials plan for a period, drawn up by the specialist (促销品计划)."""

    __tablename__ = "promotions_plans"
    __audit_label__ = _l("Materials plans")
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(20), default=PLAN_FLOW.initial, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    region: Mapped[Region] = relationship(lazy="joined")
    author: Mapped[User] = relationship(lazy="joined")
    lines: Mapped[list[MaterialPlanLine]] = relationship(order_by="MaterialPlanLine.id", lazy="selectin")

    __audit_fields__ = {"number": _l("Number"), "region_id": _l("Region"), "period_start": _l("Period from"),
                        "period_end": _l("Period to"), "note": _l("Note"), "author_id": _l("Drawn up by"),
                        "state": _l("State"), "created_at": _l("Created")}


guard_state(MaterialPlan, PLAN_FLOW)


class MaterialPlanLine(Audited, db.Model):
    """A material and its quantity in a regional plan, and how many were issued against it."""

    __tablename__ = "promotions_plan_lines"
    __audit_label__ = _l("Materials plans")
    __table_args__ = (UniqueConstraint("plan_id", "item_id"),
                      CheckConstraint("issued <= quantity", name="issued_within_plan"))
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("promotions_plans.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("promotions_items.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    issued: Mapped[int] = mapped_column(Integer, default=0)

    item: Mapped[MaterialItem] = relationship(lazy="joined")

    __audit_fields__ = {"plan_id": _l("Plan"), "item_id": _l("Material"), "quantity": _l("Quantity"),
                        "issued": _l("Issued")}


class StockMove(db.Model):
    """The stock ledger: every receipt and issue, with the balance after it (append-only)."""

    __tablename__ = "promotions_stock_moves"
    __table_args__ = (Index("ix_promotions_stock_moves_item_at", "item_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("promotions_items.id"))
    kind: Mapped[str] = mapped_column(String(10))  # receipt, issue
    quantity: Mapped[int] = mapped_column(Integer)  # positive in, negative out
    balance: Mapped[int] = mapped_column(Integer)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    promotion_id: Mapped[int | None] = mapped_column(ForeignKey("promotions_promotions.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("promotions_plans.id"), index=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    item: Mapped[MaterialItem] = relationship(lazy="joined")
    by: Mapped[User] = relationship(lazy="joined")
