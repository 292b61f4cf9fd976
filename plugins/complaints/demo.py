"""Demo complaints at every step, made through the same services as the pages: an answer on the
spot, an S1 waiting for its assessment, a minor one on site, serious ones with the departments,
with the general manager and archived, and a handover waiting for its colleague."""
from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Customer, Task, User, complete_task, local_now, utcnow
from plugins.complaints import services as s


def _approval(complaint, user) -> Task:
    return next(t for t in s.open_tasks(complaint, "approval") if s.can_act(t, user))


def _decide(complaint, user, decision="approved", comment="") -> None:
    complete_task(_approval(complaint, user), user, decision, comment)


def load_demo(session: Session, rng: random.Random) -> None:
    users = {u.username: u for u in session.scalars(select(User))}
    if "rep_li" not in users:
        return
    customers = session.scalars(select(Customer).where(Customer.is_prospect.is_(False)).order_by(Customer.id)).all()
    east = [c for c in customers if c.owner_id == users["rep_li"].id]
    if not east:
        return
    rep, rm, cm, mm, gm = (users[n] for n in ("rep_li", "rm_east", "cmmanager", "marketing", "gm"))
    qc, keeper, spec = users["qc"], users["keeper"], users["specialist"]

    def intake(customer, category, description, request="", batch=None, **extra):
        complaint = s.intake(s.Intake(customer_id=customer.id, channel=rng.choice(["phone", "visit"]),
                                      category=category, description=description, customer_request=request,
                                      batch_ref=batch, **extra), rep)
        session.flush()
        return complaint

    def customer(i):
        return east[i % len(east)]

    intake(customer(0), "service", "询问发票什么时候寄到", spot_answer="发票今天已用顺丰寄出，单号 SF1234567890")

    s1 = intake(customer(1), "mass_death", "喂了新批次育肥料后两天内死亡 30 头猪", "要求赔偿并化验饲料",
                batch="20261120-01", product="育肥猪配合饲料")
    s.acknowledge(s1, rep, "已电话安抚，明早到场")

    minor = intake(customer(2), "transport_storage", "到货少了两袋", "补两袋")
    s.acknowledge(minor, rep)
    s.assess(minor, cm, "minor")
    s.record_findings(minor, rm, "装车时少装两袋，过磅单与提货单不符")
    s.propose_plan(minor, rm, "下次送货时补两袋，并向客户致歉")

    def serious(i, description, remedy="compensation", codes=("qc", "warehouse")):
        complaint = intake(customer(i), "feeding_result", description, "赔偿损失", batch="20261118-03",
                           product="乳猪教槽料")
        s.acknowledge(complaint, rep)
        s.assess(complaint, cm, "serious")
        complaint.received_at = utcnow() - timedelta(hours=rng.randint(20, 40))
        complaint.acknowledged_at = complaint.received_at + timedelta(minutes=rng.randint(10, 50))
        complaint.arrived_on_site_at = complaint.received_at + timedelta(hours=rng.randint(3, 8))
        s.fill_handling_form(complaint, rep, s.HandlingForm(
            loss="仔猪拉稀 60 头，掉膘明显，估计损失 12,000 元", claim="赔偿 10,000 元",
            findings="现场查看饲料有结块，批号 20261118-03", cause="运输途中淋雨受潮", remedy=remedy))
        s.choose_departments(complaint, cm, list(codes), Decimal(2))
        return complaint

    signing = serious(3, "仔猪吃教槽料后拉稀")
    _decide(signing, qc)

    waiting = serious(4, "仔猪拉稀、采食量下降")
    _decide(waiting, qc)
    _decide(waiting, keeper)
    s.propose_settlement(waiting, mm, s.Settlement(850_000, "credit_note", local_now().date() + timedelta(days=7),
                                                   "各部门认同受潮原因，按 8,500 元折让"))

    done = serious(5, "教槽料结块，仔猪不爱吃")
    _decide(done, qc)
    _decide(done, keeper)
    s.propose_settlement(done, mm, s.Settlement(600_000, "cash", local_now().date(), "协商一致"))
    _decide(done, gm)
    for task in s.open_tasks(done, "complaints.implement"):
        worker = qc if task.queue_key == "qc" else keeper
        s.implement(done, worker, task.id, "已完成并留存凭证")
    s.evaluate(done, cm, s.Evaluation("处理及时", "方案合理", "客户接受", "运输车辆篷布破损",
                                      "发货前检查篷布，雨天加盖防水布"))
    s.call_back(done, rep, "satisfied", "客户对处理结果满意")
    s.archive(done, spec)

    offered = intake(customer(6), "quantity_variety", "颗粒偏粗，鸡不爱吃", "换货")
    s.hand_over(offered, rep, users["rep_zhang"], "张伟明天在附近，由他上门跟进")
