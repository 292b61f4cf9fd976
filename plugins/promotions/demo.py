"""Demo promotions at every stage and promotional materials with a plan and issues, made through
the same services and the same review as the pages."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import (
    Customer,
    Period,
    Region,
    User,
    complete_task,
    customer_metrics,
    db,
    local_day_bounds,
    local_now,
    tasks_of,
    visible,
)
from plugins.promotions.materials import (
    PlanData,
    issue_for_plan,
    issue_for_promotion,
    receive,
    save_plan,
    submit_plan,
)
from plugins.promotions.models import MaterialItem, MaterialRequest
from plugins.promotions.services import (
    ApplicationData,
    complete,
    log_execution,
    save_application,
    save_evaluation,
    submit,
)

ITEMS = [("M01", "饲养管理手册", "本", 800), ("M02", "促销条幅", "条", 60), ("M03", "围裙", "件", 300),
         ("M04", "台历", "本", 500)]


def _decide_all(record: object, users: dict[str, User], decision: str = "approved", comment: str = "",
                until: int = 10) -> None:
    """Let the reviewers of ``record`` decide its open review tasks, ``until`` steps at most."""
    for _step in range(until):
        tasks = [t for t in tasks_of(record, open_only=True) if t.kind == "approval"]
        if not tasks:
            return
        task = tasks[0]
        who = (users.get(task.assignee_id) if task.assignee_id else
               next(u for u in task.queue.members() if u.id != getattr(record, "applicant_id", None)))
        complete_task(task, who, decision, comment)


def _application(region: Region, applicant: User, count: int, title: str, budget_yuan: int,
                 start: date, days: int, items: dict[int, int] | None = None) -> object:
    customers = list(db.session.scalars(select(Customer).where(
        Customer.region_id == region.id, visible(Customer, applicant))
        .order_by(Customer.id).limit(count)))
    data = ApplicationData(
        title=title, region_id=region.id, period_start=start, period_end=start + timedelta(days=days - 1),
        situation_before="区域内育肥料销量连续两个月下滑，竞品降价促销。", purpose="稳住老客户，提升育肥料销量。",
        plan="订货满10吨赠送饲养管理手册和围裙；召开养殖户技术交流会两场。", target_kg=60_000,
        target_amount_cents=20_000_000, target_new_customers=1, budget_cents=budget_yuan * 100,
        target_codes=" ".join(c.code for c in customers), materials=items)
    return save_application(data, applicant)


def _shipping_region(regions: dict[str, Region], by_name: dict[str, User], today: date) -> tuple[Region, User]:
    """East or west, whichever shipped more in the last 30 days (when logistics tells), with its
    manager: the evaluated demo promotion then has real figures to show."""
    period = Period(local_day_bounds(today - timedelta(days=29))[0], local_day_bounds(today)[1])
    shipped = customer_metrics(None, period, user=by_name["gm"])
    by_code = {"east": 0, "west": 0}
    regions_of = dict(db.session.execute(select(Customer.id, Customer.region_id)).all())
    for customer_id, values in shipped.items():
        for code in by_code:
            if regions_of.get(customer_id) == regions[code].id:
                by_code[code] += int(values.get("shipped_kg") or 0)
    code = max(by_code, key=lambda key: (by_code[key], key == "east"))
    return regions[code], by_name[f"rm_{code}"]


def load_demo(session: Session, rng: random.Random) -> None:
    users = {u.id: u for u in session.scalars(select(User))}
    by_name = {u.username: u for u in users.values()}
    items = [MaterialItem(code=c, name=n, unit=u, stock=0) for c, n, u, _q in ITEMS]
    session.add_all(items)
    session.flush()
    specialist = by_name["specialist"]
    for item, (_c, _n, _u, quantity) in zip(items, ITEMS, strict=True):
        receive(item, quantity, specialist, "年初采购入库")
    regions = {r.code: r for r in session.scalars(select(Region))}
    today = local_now().date()
    _application(regions["east"], by_name["rep_zhang"], 2, "夏季教槽料推广（草稿）", 1800, today + timedelta(days=10), 30)
    waiting = _application(regions["east"], by_name["rep_li"], 3, "育肥料买十送一", 6000, today, 30,
                           {items[0].id: 40})
    submit(waiting, by_name["rep_li"])
    _decide_all(waiting, users, until=1)  # the department manager signed; the marketing manager has it
    back = _application(regions["west"], by_name["rep_wang"], 2, "豫西经销商订货会", 12000, today, 15)
    submit(back, by_name["rep_wang"])
    _decide_all(back, users, "sent_back", "请补充订货会的费用明细。", until=1)
    done_region, done_manager = _shipping_region(regions, by_name, today)
    done = _application(done_region, done_manager, 50, "春节前大客户答谢促销", 30000,
                        today - timedelta(days=29), 30, {items[0].id: 100, items[2].id: 50})
    submit(done, done_manager)
    _decide_all(done, users)
    for request in session.scalars(select(MaterialRequest).where(MaterialRequest.promotion_id == done.id)):
        issue_for_promotion(request, request.quantity, specialist, "刘经理领取")
    for offset, (activity, spend) in enumerate((("召开养殖户技术交流会", 800000), ("走访大客户并发放手册", 350000),
                                                ("订货满额赠品兑现", 1200000))):
        log_execution(done, done_manager, done.period_start + timedelta(days=3 + offset * 9), activity,
                      spend + rng.randint(0, 50) * 100)
    complete(done, done_manager, "achieved", "销量目标基本达成，新增一家客户。")
    save_evaluation(done, by_name["cmmanager"], {
        "execution_summary": "三项活动按计划完成，费用在预算内。", "achievement_summary": "目标客户销量较基期上升。",
        "problems": "赠品兑现时间偏晚。", "improvements": "赠品随货发放。", "success_case": True,
        "case_summary": "技术交流会+满额赠品的组合对大客户效果好，可在其他区域推广。"})
    plan = save_plan(PlanData(regions["east"].id, today.replace(day=1), today.replace(day=1) + timedelta(days=89),
                              "豫东区本季度宣传品计划", {items[1].id: 20, items[3].id: 100}), specialist)
    submit_plan(plan, specialist)
    _decide_all(plan, users)
    issue_for_plan(plan.lines[0], 5, specialist, "张伟领取")
    session.flush()
