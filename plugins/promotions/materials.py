"""Promotional materials (促销品管理): stock, receipts, regional plans and issues.

The specialist draws up a region's plan; the department manager reviews it and the marketing
manager and general manager approve it (``promotions.materials_plan``). Materials leave the store
only against an approved plan or an approved promotion application, never beyond what was
approved and never beyond the stock. Both limits are kept by conditional UPDATEs
(``… SET issued = issued + n WHERE issued + n <= quantity``, ``… SET stock = stock - n WHERE stock
>= n``) inside one transaction, so concurrent issues can never take the stock below zero; every
receipt and issue is a line of the stock ledger with the balance after it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, update

from core.api import (
    ApprovalRefused,
    db,
    document_number,
    local_now,
    note_edit,
    submit_for_approval,
)
from plugins.promotions.chains import PLAN_CHAIN
from plugins.promotions.flows import PLAN_FLOW
from plugins.promotions.i18n import _
from plugins.promotions.models import (
    MaterialItem,
    MaterialPlan,
    MaterialPlanLine,
    MaterialRequest,
    Promotion,
    StockMove,
)

ISSUABLE_PROMOTION = ("approved", "filed")
PLAN_EDITABLE = ("draft", "sent_back", "submitted", "approved")


class MaterialsRefused(Exception):
    """A receipt, plan or issue that may not happen; ``str()`` says why."""


def _ledger(item_id: int, quantity: int, kind: str, user: Any, **where: Any) -> StockMove:
    balance = db.session.scalar(select(MaterialItem.stock).where(MaterialItem.id == item_id)
                                .execution_options(populate_existing=True))
    move = StockMove(item_id=item_id, kind=kind, quantity=quantity, balance=balance, by_id=user.id, **where)
    db.session.add(move)
    return move


def receive(item: MaterialItem, quantity: int, user: Any, note: str = "") -> StockMove:
    """Materials come into the store."""
    if quantity <= 0:
        raise MaterialsRefused(_("Receive at least one."))
    db.session.execute(update(MaterialItem).where(MaterialItem.id == item.id)
                       .values(stock=MaterialItem.stock + quantity).execution_options(synchronize_session=False))
    move = _ledger(item.id, quantity, "receipt", user, note=note.strip()[:200])
    db.session.refresh(item, ["stock"])
    return move


def _take_stock(item_id: int, quantity: int) -> None:
    taken = db.session.execute(update(MaterialItem).where(MaterialItem.id == item_id, MaterialItem.stock >= quantity)
                               .values(stock=MaterialItem.stock - quantity)
                               .execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        name, stock = db.session.execute(select(MaterialItem.name, MaterialItem.stock)
                                         .where(MaterialItem.id == item_id)).one()
        raise MaterialsRefused(_("Only %(stock)d of %(item)s are in stock.", stock=stock, item=name))


def _within(model: type, line_id: int, quantity: int) -> None:
    done = db.session.execute(update(model).where(model.id == line_id, model.issued + quantity <= model.quantity)
                              .values(issued=model.issued + quantity)
                              .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        approved, issued = db.session.execute(select(model.quantity, model.issued).where(model.id == line_id)).one()
        raise MaterialsRefused(_("Only %(left)d remain of the %(approved)d approved.",
                                 left=approved - issued, approved=approved))


def issue_for_plan(line: MaterialPlanLine, quantity: int, user: Any, note: str = "") -> StockMove:
    """Issue against a line of an approved regional plan. The caller commits, or rolls back on
    ``MaterialsRefused``."""
    plan = db.session.get(MaterialPlan, line.plan_id)
    if plan.state != "approved":
        raise MaterialsRefused(_("Materials are issued only against an approved plan."))
    if quantity <= 0:
        raise MaterialsRefused(_("Issue at least one."))
    _within(MaterialPlanLine, line.id, quantity)
    _take_stock(line.item_id, quantity)
    return _ledger(line.item_id, -quantity, "issue", user, region_id=plan.region_id, plan_id=plan.id,
                   note=note.strip()[:200])


def issue_for_promotion(request: MaterialRequest, quantity: int, user: Any, note: str = "") -> StockMove:
    """Issue what an approved promotion application asked for."""
    promotion = db.session.get(Promotion, request.promotion_id)
    if promotion.state not in ISSUABLE_PROMOTION:
        raise MaterialsRefused(_("Materials are issued only against an approved application."))
    if quantity <= 0:
        raise MaterialsRefused(_("Issue at least one."))
    _within(MaterialRequest, request.id, quantity)
    _take_stock(request.item_id, quantity)
    return _ledger(request.item_id, -quantity, "issue", user, region_id=promotion.region_id,
                   promotion_id=promotion.id, note=note.strip()[:200])


# -- plans -----------------------------------------------------------------------------------------

@dataclass
class PlanData:
    region_id: int
    period_start: date
    period_end: date
    note: str
    lines: dict[int, int]  # item id -> quantity


def save_plan(data: PlanData, user: Any, plan: MaterialPlan | None = None) -> MaterialPlan:
    """Create or change a regional plan; changing a reviewed one starts its review again."""
    if data.period_end < data.period_start:
        raise MaterialsRefused(_("The period ends before it starts."))
    if not any(quantity > 0 for quantity in data.lines.values()):
        raise MaterialsRefused(_("Plan at least one item."))
    reviewed = plan is not None  # a new plan has no review an edit could void
    if plan is None:
        plan = MaterialPlan(number=document_number("promotions", "CP", local_now().date()), author_id=user.id)
        db.session.add(plan)
    elif plan.state not in PLAN_EDITABLE:
        raise MaterialsRefused(_("A plan that is %(state)s is no longer changed.",
                                 state=PLAN_FLOW.state_label(plan.state)))
    for name in ("region_id", "period_start", "period_end", "note"):
        if getattr(plan, name) != getattr(data, name):
            setattr(plan, name, getattr(data, name))
    db.session.flush()
    rows = {line.item_id: line for line in db.session.scalars(
        select(MaterialPlanLine).where(MaterialPlanLine.plan_id == plan.id))}
    changed = False
    for item_id, line in rows.items():
        quantity = data.lines.get(item_id, 0)
        if quantity < line.issued:
            raise MaterialsRefused(_("%(item)s: %(issued)d are issued already.", item=line.item.name,
                                     issued=line.issued))
        if quantity == 0:
            db.session.delete(line)
            changed = True
        elif quantity != line.quantity:
            line.quantity, changed = quantity, True
    for item_id, quantity in data.lines.items():
        if item_id not in rows and quantity > 0:
            db.session.add(MaterialPlanLine(plan_id=plan.id, item_id=item_id, quantity=quantity))
            changed = True
    if changed and reviewed:
        note_edit(plan, "lines")
    db.session.flush()
    db.session.expire(plan, ["lines"])
    return plan


def submit_plan(plan: MaterialPlan, user: Any, comment: str = "") -> None:
    reason = PLAN_FLOW.refusal(plan, "submit", user, comment)
    if reason:
        raise MaterialsRefused(reason)
    try:
        submit_for_approval(plan, PLAN_CHAIN, user, comment)
    except ApprovalRefused as refusal:
        raise MaterialsRefused(str(refusal)) from None


# -- reports ---------------------------------------------------------------------------------------

def report_by_region_and_item(first: date | None = None, last: date | None = None) -> list[Any]:
    """Issued quantities per region and item (one grouped query over the ledger)."""
    from core.api import Region, local_day_bounds

    stmt = (select(Region.name, MaterialItem.name, MaterialItem.unit, func.sum(-StockMove.quantity))
            .join(Region, Region.id == StockMove.region_id).join(MaterialItem, MaterialItem.id == StockMove.item_id)
            .where(StockMove.kind == "issue"))
    if first is not None:
        stmt = stmt.where(StockMove.at >= local_day_bounds(first)[0])
    if last is not None:
        stmt = stmt.where(StockMove.at < local_day_bounds(last)[1])
    return list(db.session.execute(stmt.group_by(Region.name, MaterialItem.name, MaterialItem.unit)
                                   .order_by(Region.name, MaterialItem.name)))
