"""The rules of a promotion's life: who sees it, saving an application with its targets and
materials, submitting it, filing it, logging its execution and assessing its completion.

Views read forms and call these; every function leaves committing to the caller.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, false, insert, or_, select, true, update

from core.api import (
    ApprovalRefused,
    Customer,
    Queue,
    TaskRefused,
    TransitionRefused,
    call,
    cancel_task,
    complete_task,
    create_task,
    db,
    document_number,
    local_day_bounds,
    local_now,
    note_edit,
    notify,
    path_for,
    regional_manager,
    submit_for_approval,
    tasks_of,
    utcnow,
    visible,
    withdraw_application,
)
from plugins.promotions.chains import CHAIN
from plugins.promotions.flows import EDITABLE, PROMOTION_FLOW
from plugins.promotions.i18n import N_, _, _l
from plugins.promotions.models import ExecutionEntry, MaterialRequest, Promotion, PromotionTarget

MAX_TARGETS = 20_000
COMPLETE, EVALUATE = "promotions.complete", "promotions.evaluate"  # the kinds of the follow-up tasks
COMPLETE_DAYS = 7  # after the period's end, the completion is assessed within a week
EVALUATE_DAYS = 30  # the department evaluates within a month of the completion
MAX_PERIOD_DAYS = 366
CODE_SPLIT = re.compile(r"[\s,，;；、]+")


class PromotionRefused(Exception):
    """An action on a promotion that may not happen; ``str()`` is a message for the user."""


# -- who sees what ----------------------------------------------------------------------------------

def promotion_condition(user: Any) -> ColumnElement[bool]:
    """The promotions ``user`` may see: everything for the department roles, the region's for a
    regional manager, otherwise their own applications and those aimed at their customers."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.can("promotions.view"):
        return false()
    if user.can("customers.view_all"):
        return true()
    own = or_(Promotion.applicant_id == user.id, Promotion.id.in_(
        select(PromotionTarget.promotion_id).join(Customer, Customer.id == PromotionTarget.customer_id)
        .where(Customer.owner_id == user.id)))
    if user.can("customers.view_region") and user.region_id is not None:
        return or_(Promotion.region_id == user.region_id, own)
    return own


def load_promotion(promotion_id: int, user: Any, lock: bool = False) -> Promotion | None:
    stmt = select(Promotion).where(Promotion.id == promotion_id, promotion_condition(user))
    if lock:
        stmt = stmt.with_for_update(of=Promotion).execution_options(populate_existing=True)
    return db.session.scalar(stmt)


# -- target rules ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TargetRule:
    key: str
    label: Any
    condition: Any  # callable(region_id) -> SQL condition on Customer


def _own_rules() -> list[TargetRule]:
    return [
        TargetRule("promotions.region", _l("All customers of the region"), lambda region_id: true()),
        TargetRule("promotions.size_a", _l("Large (A) customers of the region"),
                   lambda region_id: Customer.size_class == "A"),
        TargetRule("promotions.size_b", _l("Medium (B) customers of the region"),
                   lambda region_id: Customer.size_class == "B"),
        TargetRule("promotions.size_c", _l("Small (C) customers of the region"),
                   lambda region_id: Customer.size_class == "C"),
    ]


def target_rules() -> dict[str, TargetRule]:
    """Our own rules, then those other plugins offer (``promotion_target_rules``)."""
    rules = {rule.key: rule for rule in _own_rules()}
    for answer in call("promotion_target_rules"):
        rules.setdefault(answer["key"], TargetRule(answer["key"], answer["label"], answer["condition"]))
    return rules


def rule_customers(rule_key: str, region_id: int, user: Any) -> Any:
    """A Select of the ids of the customers (not prospects) of the region the rule picks, that
    ``user`` may see."""
    rule = target_rules().get(rule_key)
    if rule is None:
        raise PromotionRefused(_("Choose one of the offered rules."))
    return select(Customer.id).where(Customer.region_id == region_id, Customer.is_prospect.is_(False),
                                     rule.condition(region_id), visible(Customer, user))


def customers_by_code(text: str, user: Any) -> list[int]:
    """The ids of the customers typed by code (one per line or separated by commas) that ``user``
    may see; an unknown code is refused by name."""
    codes = list(dict.fromkeys(code for code in CODE_SPLIT.split(text or "") if code))
    if not codes:
        return []
    if len(codes) > MAX_TARGETS:
        raise PromotionRefused(_("At most %(count)d target customers.", count=MAX_TARGETS))
    found = dict(db.session.execute(select(Customer.code, Customer.id).where(
        Customer.code.in_(codes), visible(Customer, user))).all())
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise PromotionRefused(_("No customer you may see has the code %(codes)s.",
                                 codes=", ".join(unknown[:10])))
    return [found[code] for code in codes]


# -- saving an application -------------------------------------------------------------------------

@dataclass
class ApplicationData:
    """What the application form gives, already typed."""

    title: str
    region_id: int
    period_start: date
    period_end: date
    situation_before: str
    purpose: str
    plan: str
    target_kg: int
    target_amount_cents: int
    target_new_customers: int
    budget_cents: int
    target_codes: str = ""
    target_rule: str | None = None
    materials: dict[int, int] | None = None  # item id -> quantity


FIELDS = ("title", "region_id", "period_start", "period_end", "situation_before", "purpose", "plan",
          "target_kg", "target_amount_cents", "target_new_customers", "budget_cents", "target_rule")


def _check(data: ApplicationData) -> None:
    if data.period_end < data.period_start:
        raise PromotionRefused(_("The period ends before it starts."))
    if (data.period_end - data.period_start).days >= MAX_PERIOD_DAYS:
        raise PromotionRefused(_("A promotion lasts at most a year."))


def save_application(data: ApplicationData, user: Any, promotion: Promotion | None = None) -> Promotion:
    """Create a draft or change an application. Targets and materials are replaced by what the
    form says; a change of a reviewed application voids its approvals (the engine restarts the
    review). Lock the promotion first (``load_promotion(..., lock=True)``)."""
    _check(data)
    reviewed = promotion is not None  # a new draft has no review an edit could void
    wanted = set(customers_by_code(data.target_codes, user))
    if data.target_rule:
        wanted |= set(db.session.scalars(rule_customers(data.target_rule, data.region_id, user)))
    if len(wanted) > MAX_TARGETS:
        raise PromotionRefused(_("At most %(count)d target customers.", count=MAX_TARGETS))
    if promotion is None:
        promotion = Promotion(number=document_number("promotions", "CX", local_now().date()),
                              applicant_id=user.id)
        db.session.add(promotion)
    elif promotion.state not in EDITABLE:
        raise PromotionRefused(_("A promotion that is %(state)s is no longer changed.",
                                 state=PROMOTION_FLOW.state_label(promotion.state)))
    for name in FIELDS:
        value = getattr(data, name)
        if getattr(promotion, name) != value:
            setattr(promotion, name, value)
    if promotion.target_count != len(wanted):
        promotion.target_count = len(wanted)
    db.session.flush()
    if _replace_targets(promotion, wanted) and reviewed:
        note_edit(promotion, "targets")
    if _replace_materials(promotion, data.materials or {}) and reviewed:
        note_edit(promotion, "materials")
    return promotion


def _replace_targets(promotion: Promotion, wanted: set[int]) -> bool:
    have = set(db.session.scalars(select(PromotionTarget.customer_id)
                                  .where(PromotionTarget.promotion_id == promotion.id)))
    gone, new = have - wanted, wanted - have
    if gone:
        db.session.execute(delete(PromotionTarget).where(PromotionTarget.promotion_id == promotion.id,
                                                         PromotionTarget.customer_id.in_(gone)))
    if new:
        db.session.execute(insert(PromotionTarget),
                           [{"promotion_id": promotion.id, "customer_id": cid} for cid in sorted(new)])
    return bool(gone or new)


def _replace_materials(promotion: Promotion, wanted: dict[int, int]) -> bool:
    rows = {row.item_id: row for row in db.session.scalars(
        select(MaterialRequest).where(MaterialRequest.promotion_id == promotion.id))}
    changed = False
    for item_id, row in rows.items():
        quantity = wanted.get(item_id, 0)
        if quantity < row.issued:
            raise PromotionRefused(_("%(item)s: %(issued)d are issued already.", item=row.item.name,
                                     issued=row.issued))
        if quantity == 0:
            db.session.delete(row)
            changed = True
        elif quantity != row.quantity:
            row.quantity, changed = quantity, True
    for item_id, quantity in wanted.items():
        if item_id not in rows and quantity > 0:
            db.session.add(MaterialRequest(promotion_id=promotion.id, item_id=item_id, quantity=quantity))
            changed = True
    return changed


def target_codes(promotion: Promotion, limit: int = MAX_TARGETS) -> list[str]:
    """The codes of the hand-picked targets, for the edit form (rule targets are found again)."""
    return list(db.session.scalars(select(Customer.code).join(
        PromotionTarget, PromotionTarget.customer_id == Customer.id)
        .where(PromotionTarget.promotion_id == promotion.id).order_by(Customer.code).limit(limit)))


# -- review ---------------------------------------------------------------------------------------

def submit(promotion: Promotion, user: Any, comment: str = "") -> None:
    """The applicant submits a draft or a sent-back application; the engine fixes the reviewers."""
    if promotion.applicant_id != user.id:
        raise PromotionRefused(_("Only the applicant submits the application."))
    reason = PROMOTION_FLOW.refusal(promotion, "submit", user, comment)
    if reason:
        raise PromotionRefused(reason)
    if promotion.target_count == 0:
        raise PromotionRefused(_("Name at least one target customer."))
    try:
        submit_for_approval(promotion, CHAIN, user, comment)
    except ApprovalRefused as refusal:
        raise PromotionRefused(str(refusal)) from None


def withdraw(promotion: Promotion, user: Any) -> None:
    try:
        withdraw_application(promotion, CHAIN, user)
    except ApprovalRefused as refusal:
        raise PromotionRefused(str(refusal)) from None
    PROMOTION_FLOW.apply(promotion, "withdraw", user, authorised=True)


def file_promotion(promotion: Promotion, user: Any) -> None:
    """The department files the approved application (the chain's last step) and tells those
    concerned: the applicant, the region's manager and the owners of the target customers."""
    PROMOTION_FLOW.apply(promotion, "file", user, authorised=True)
    promotion.filed_at, promotion.filed_by_id = utcnow(), user.id
    owners = set(db.session.scalars(select(Customer.owner_id).distinct().join(
        PromotionTarget, PromotionTarget.customer_id == Customer.id)
        .where(PromotionTarget.promotion_id == promotion.id, Customer.owner_id.is_not(None))))
    manager = regional_manager(promotion.region_id)
    people = owners | {promotion.applicant_id} | ({manager.id} if manager else set())
    create_task(promotion, COMPLETE, N_("Log the execution of %(number)s and assess its completion"),
                params={"number": promotion.number}, assignee=promotion.applicant_id, by=user,
                due=local_day_bounds(promotion.period_end + timedelta(days=COMPLETE_DAYS))[1],
                link=path_for("promotions.promotion", promotion_id=promotion.id))
    notify(N_("Promotion %(number)s “%(title)s” is approved and filed: it runs from %(start)s to %(end)s."),
           users=sorted(people - {user.id}),
           params={"number": promotion.number, "title": promotion.title,
                   "start": promotion.period_start.isoformat(), "end": promotion.period_end.isoformat()},
           link=path_for("promotions.promotion", promotion_id=promotion.id))


def close_work(promotion: Promotion, kinds: Sequence[str], user: Any = None, comment: str = "") -> None:
    """The promotion's open follow-up tasks of ``kinds`` are over: completed by ``user`` when the
    task is theirs, else closed by the promotion's own rules (someone else did it, or an edit
    sent the promotion back to review)."""
    for task in tasks_of(promotion, open_only=True):
        if task.kind not in kinds:
            continue
        if user is not None:
            try:
                complete_task(task, user, "done", comment)
                continue
            except TaskRefused:
                pass
        cancel_task(task, None, comment)


def _department() -> Queue:
    """The customer-management department's queue, while it has members; else who may evaluate."""
    department = Queue.department("cm")
    return department if department.members() else Queue.permission("promotions.evaluate")


# -- execution --------------------------------------------------------------------------------------

def may_execute(promotion: Promotion, user: Any) -> bool:
    """The applicant, or whoever may log execution in the promotion's region or everywhere."""
    if not user.can("promotions.execute"):
        return False
    return (promotion.applicant_id == user.id or user.can("customers.view_all")
            or (user.region_id is not None and user.region_id == promotion.region_id))


def log_execution(promotion: Promotion, user: Any, happened_on: date, activity: str, spend_cents: int,
                  photos: Sequence[Any] = ()) -> ExecutionEntry:
    """A line of the execution log; its spend is added to the promotion's in one UPDATE, so two
    people logging at once both count."""
    if promotion.state != "filed":
        raise PromotionRefused(_("Execution is logged once the promotion is filed and until its completion."))
    if not may_execute(promotion, user):
        raise PromotionRefused(_("You do not take part in this promotion."))
    entry = ExecutionEntry(promotion_id=promotion.id, happened_on=happened_on, activity=activity.strip(),
                           spend_cents=spend_cents, recorded_by_id=user.id)
    db.session.add(entry)
    db.session.flush()
    from plugins.promotions.photos import store_photo

    for upload in photos:
        db.session.add(store_photo(entry, upload))
    if spend_cents:
        db.session.execute(update(Promotion).where(Promotion.id == promotion.id)
                           .values(spent_cents=Promotion.spent_cents + spend_cents)
                           .execution_options(synchronize_session=False))
        db.session.refresh(promotion, ["spent_cents"])
    return entry


LOG_SHOWN = 100


def execution_log(promotion: Promotion, limit: int = LOG_SHOWN) -> list[ExecutionEntry]:
    """The newest entries of the execution log (a page stays bounded however long it runs)."""
    return list(db.session.scalars(select(ExecutionEntry).where(ExecutionEntry.promotion_id == promotion.id)
                                   .order_by(ExecutionEntry.happened_on.desc(), ExecutionEntry.id.desc())
                                   .limit(limit)))


def complete(promotion: Promotion, user: Any, rating: str, note: str) -> None:
    """The completion assessment (完成情况的考核): how far the targets were met, in words."""
    if not may_execute(promotion, user) and not user.can("promotions.evaluate"):
        raise PromotionRefused(_("You do not take part in this promotion."))
    try:
        PROMOTION_FLOW.apply(promotion, "complete", user, note, authorised=True)
    except TransitionRefused as refusal:
        raise PromotionRefused(str(refusal)) from None
    promotion.completion_rating, promotion.completion_note = rating, note.strip()
    close_work(promotion, (COMPLETE,), user)
    create_task(promotion, EVALUATE, N_("Evaluate the effect of promotion %(number)s"),
                params={"number": promotion.number}, queue=_department(), by=user,
                budget_minutes=EVALUATE_DAYS * 24 * 60,
                link=path_for("promotions.evaluation", promotion_id=promotion.id))



SUMMARY = ("execution_summary", "achievement_summary", "problems", "improvements", "case_summary")


def save_evaluation(promotion: Promotion, user: Any, values: dict[str, Any]) -> None:
    """The written summary of a completed promotion and whether it is a success case to share;
    saved again later it stays evaluated (the library follows the flag)."""
    try:
        PROMOTION_FLOW.apply(promotion, "evaluate", user)
    except TransitionRefused as refusal:
        raise PromotionRefused(str(refusal)) from None
    close_work(promotion, (EVALUATE,), user)
    for name in SUMMARY:
        setattr(promotion, name, (values.get(name) or "").strip() or None)
    promotion.success_case = bool(values.get("success_case"))
    if promotion.success_case and not promotion.case_summary:
        raise PromotionRefused(_("Say what others can learn from a success case."))
    promotion.evaluated_at, promotion.evaluated_by_id = utcnow(), user.id
