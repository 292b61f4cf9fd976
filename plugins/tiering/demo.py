"""Demo data: a company large enough for grades to differ, with sales history where no order-taking
plugin provides it, a potential prospect, an override, a key-account plan and an evaluation, the
grades computed and the due calls in the reps' work."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import ContactLog, Customer, User, create_customer, local_now, to_utc
from plugins.tiering.models import KeyEvaluation, KeyPlan, MonthlySale, Override

PLACES = ["郑州", "开封", "洛阳", "平顶山", "安阳", "鹤壁", "新乡", "焦作", "濮阳", "许昌", "漯河", "三门峡",
          "南阳", "商丘", "信阳", "周口", "驻马店", "济源"]
KINDS = [("饲料经销部", "distributor"), ("养殖场", "farm"), ("饲料厂", "feed_mill"), ("牧业合作社", "farm")]
EXTRA_CUSTOMERS = 30
MONTHS = 14


def month_start(today: date, ago: int) -> date:
    day = today.replace(day=1)
    for _ in range(ago):
        day = (day - timedelta(days=1)).replace(day=1)
    return day


def load_demo(session: Session, rng: random.Random, with_sales: bool) -> None:
    today = local_now().date()
    users = {u.username: u for u in session.scalars(select(User))}
    reps = [u for name, u in sorted(users.items()) if name.startswith("rep_")]
    if with_sales:
        for index in range(EXTRA_CUSTOMERS):
            place, (kind, business_type) = PLACES[index % len(PLACES)], KINDS[index % len(KINDS)]
            rep = reps[index % len(reps)]
            create_customer({"name": f"{place}{'丰泰华盛永兴'[index % 6]}{'顺达利源'[index % 4]}{kind}",
                             "business_type": business_type, "region_id": rep.region_id, "owner_id": rep.id,
                             "is_prospect": False, "first_order_date": today - timedelta(days=rng.randint(420, 2000))})
    customers = session.scalars(select(Customer).order_by(Customer.id)).all()
    buyers = [c for c in customers if not c.is_prospect]
    if with_sales:
        _sales(session, rng, buyers, today)
    prospect = next((c for c in customers if c.is_prospect), None)
    if prospect is not None and prospect.owner_id:
        prospect.intends_to_order = True
        for days in (40, 25, 9):
            session.add(ContactLog(customer_id=prospect.id, kind="visit", user_id=prospect.owner_id,
                                   at=to_utc(local_now() - timedelta(days=days)), content="拜访，介绍产品和技术服务",
                                   result="有订货意向"))
    session.flush()
    from core.api import commit
    from plugins.tiering.contact_plan import sync_call_tasks
    from plugins.tiering.recompute import recompute

    recompute("command")
    _key_account(session, buyers, users, today)
    sync_call_tasks()
    commit()


def _sales(session: Session, rng: random.Random, buyers: list, today: date) -> None:
    """A few big customers and a long tail; one churning, one unstable, one fast-growing, one new."""
    for rank, customer in enumerate(buyers):
        base = max(2.0, 400 / (rank + 1) ** 1.1) * rng.uniform(0.8, 1.2)
        story = rank % 9 if rank >= 3 else -1
        if story == 4:  # new: first order two months ago
            customer.first_order_date = today - timedelta(days=70)
        if story == 6:
            customer.growth_potential = True
        for ago in range(MONTHS):
            first = month_start(today, ago)
            if customer.first_order_date and first < customer.first_order_date.replace(day=1):
                continue
            tonnes = base * rng.uniform(0.85, 1.15)
            if story == 2 and ago < 3:  # churn trend: the last three months fell away
                tonnes *= 0.35
            if story == 5:  # unstable: feast and famine
                tonnes *= (1.9 if ago % 2 else 0.1)
            if story == 6 and ago < 3:  # fast-growing, with the rep's growth-potential flag
                tonnes *= 1.8
            orders = max(1, round(tonnes / 25))
            session.add(MonthlySale(customer_id=customer.id, month=first, shipped_kg=int(tonnes * 1000),
                                    amount_cents=int(tonnes * 3_100_00), orders=orders))


def _key_account(session: Session, buyers: list, users: dict, today: date) -> None:
    from plugins.tiering.models import Grade

    key = session.scalars(select(Grade).where(Grade.grade == "key").order_by(Grade.key_rank)).all()
    general = session.scalars(select(Grade).where(Grade.grade == "general").order_by(Grade.customer_id)).all()
    manager = users.get("cmmanager")
    if key:
        first = session.get(Customer, key[0].customer_id)
        session.add(KeyPlan(customer_id=first.id, author_id=first.owner_id, title=f"{today.year + 1} 年度增量方案",
                            period=str(today.year + 1), goals="年销量提高 15%，乳猪料进入其二级客户",
                            actions="每季度技术服务一次；春季促销；核心养殖场现场会", budget_cents=3_000_000))
        session.add(KeyEvaluation(customer_id=first.id, author_id=first.owner_id, period=f"{today.year} Q3",
                                  evaluated_on=today - timedelta(days=20), volume=5, payment=4, cooperation=4,
                                  potential=4, strengths="回款及时，终端网络稳定", problems="竞品价格压力",
                                  next_steps="增加技术服务拜访"))
    if general and manager is not None:
        session.add(Override(customer_id=general[0].customer_id, grade="key", set_by_id=manager.id,
                             reason="战略合作伙伴：新建万头猪场，明年起量", expires_on=today + timedelta(days=90)))
    session.flush()
