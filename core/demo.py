"""Demo data: regions, one user per role, and a small feed-company customer base."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import acting_as
from core.auth.models import Region, Role, User
from core.calendar import fill_from_library, library_years
from core.db import utcnow
from core.i18n import N_
from core.org import Department, ensure_departments
from core.registry.archive_flow import ARCHIVE_FLOW
from core.registry.models import ContactLog, ImportantDate, KeyPerson, SecondaryCustomer
from core.registry.services import create_customer
from core.settings import save_company_setting, setting

DEMO_PASSWORD = "demo1234"
DEMO_COMPANY = "河南丰收饲料有限公司"  # heads every printed form
REGIONS = [("east", "豫东区"), ("west", "豫西区"), ("north", "豫北区"), ("south", "豫南区")]
USERS = [
    # username, name, role, region
    ("admin", "系统管理员", "admin", None),
    ("gm", "王总", "general_manager", None),
    ("cmmanager", "李经理", "cm_manager", None),
    ("specialist", "赵专员", "specialist", None),
    ("marketing", "孙经理", "marketing_manager", None),
    ("sales", "周经理", "sales_manager", None),
    ("coordinator", "吴协调", "coordinator", None),
    ("weigher", "郑师傅", "weigher", None),
    ("keeper", "冯库管", "warehouse_keeper", None),
    ("qc", "陈化验", "qc", None),
    ("production", "褚主任", "production", None),
    ("rm_east", "刘经理", "regional_manager", "east"),
    ("rm_west", "杨经理", "regional_manager", "west"),
    ("rep_zhang", "张伟", "rep", "east"),
    ("rep_li", "李强", "rep", "east"),
    ("rep_wang", "王磊", "rep", "west"),
    ("rep_chen", "陈静", "rep", "north"),
]
CUSTOMERS = [
    ("河南双力饲料经销部", "distributor"), ("周口丰收养殖场", "farm"), ("商丘金穗饲料厂", "feed_mill"),
    ("开封宏达牧业", "farm"), ("洛阳永盛经销处", "distributor"), ("三门峡绿源养猪场", "farm"),
    ("新乡华丰饲料厂", "feed_mill"), ("安阳润农经销部", "distributor"), ("信阳鑫源鸡场", "farm"),
    ("南阳牧原合作社", "farm"), ("驻马店天成经销部", "distributor"), ("鹤壁兴旺饲料厂", "feed_mill"),
]


def already_loaded(session: Session) -> bool:
    return session.scalar(select(User).where(User.username == "rep_zhang")) is not None


def load_core_demo(session: Session, rng: random.Random) -> None:
    if not setting("core.company_name"):
        save_company_setting("core.company_name", DEMO_COMPANY)
    regions = {}
    for code, name in REGIONS:
        regions[code] = session.scalar(select(Region).where(Region.code == code)) or Region(code=code, name=name)
        session.add(regions[code])
    roles = {role.code: role for role in session.scalars(select(Role))}
    users = {}
    for username, name, role, region in USERS:
        user = User(username=username, display_name=name, region=regions.get(region) if region else None,
                    roles=[roles[role]])
        user.set_password(DEMO_PASSWORD)
        session.add(user)
        users[username] = user
    session.flush()
    _demo_org(session, users, regions)
    reps = [u for u in users.values() if u.username.startswith("rep_")]
    today = utcnow().date()
    customers = []
    for index, (name, business_type) in enumerate(CUSTOMERS, start=1):
        rep = reps[index % len(reps)]
        prospect = index % 4 == 0
        customer = create_customer(dict(
            name=name, business_type=business_type,
            size_class=rng.choice("ABC"), phone=f"0{rng.randint(370, 379)}-{rng.randint(2000000, 8999999)}",
            mobile=f"13{rng.randint(100000000, 999999999)}",
            address=f"{rep.region.name}{rng.choice(['城关镇', '工业园', '南关村', '北环路'])}{rng.randint(1, 99)}号",
            region_id=rep.region_id, owner_id=rep.id, is_prospect=prospect, intends_to_order=prospect,
            founding_date=date(rng.randint(1998, 2020), rng.randint(1, 12), rng.randint(1, 28)),
            organisation_form=rng.choice(["个体工商户", "有限责任公司", "合作社"]),
            industry="畜牧养殖" if business_type == "farm" else "饲料经销",
            first_order_date=None if prospect else today - timedelta(days=rng.randint(30, 1500)),
        ))
        customers.append((customer, rep))
    session.flush()
    _demo_details(session, rng, customers, users, today)
    _demo_calendar(today)


def _demo_calendar(today: date) -> None:
    """China's public holidays and make-up working days of last year, this year and next, as far
    as the holiday library knows them."""
    first, last = library_years()
    for year in range(max(first, today.year - 1), min(last, today.year + 1) + 1):
        fill_from_library(year)


SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ["建国", "秀英", "志强", "海燕", "德明", "桂兰", "伟", "磊", "静", "军"]
VISIT_TOPICS = [("了解猪料使用情况", "客户反映日增重良好，计划加大订货"),
                ("介绍新品乳猪教槽料", "客户有兴趣，先试用两吨"),
                ("回访上次投诉处理", "客户满意，关系稳定"),
                ("沟通春节备货计划", "预计订货三十吨，下周确认")]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _demo_details(session: Session, rng: random.Random, customers: list, users: dict, today: date) -> None:
    """Key people, visits and calls, second-level customers, important dates, archive states."""
    now = utcnow()
    for index, (customer, rep) in enumerate(customers):
        owner = KeyPerson(customer_id=customer.id, role="owner", name=_person(rng),
                          phone=f"13{rng.randint(100000000, 999999999)}",
                          birthday=date(rng.randint(1960, 1990), rng.randint(1, 12), rng.randint(1, 28)),
                          education=rng.choice(["高中", "大专", "本科"]), interests=rng.choice(["钓鱼", "象棋", "书法"]),
                          personality=rng.choice(["爽快", "谨慎", "重感情"]))
        session.add(owner)
        session.add(ImportantDate(customer_id=customer.id, kind="birthday", person=owner.name,
                                  on=(today + timedelta(days=3 * index + 2)).replace(year=owner.birthday.year)))
        visits = 3 if customer.is_prospect else rng.randint(1, 4)
        for n in range(visits):
            topic, result = rng.choice(VISIT_TOPICS)
            session.add(ContactLog(customer_id=customer.id, kind="visit" if n % 2 == 0 else "phone",
                                   at=now - timedelta(days=rng.randint(0, 25), hours=rng.randint(0, 8)),
                                   user_id=rep.id, place=customer.address if n % 2 == 0 else None,
                                   method="上门" if n % 2 == 0 else "电话", people_met=owner.name,
                                   content=topic, result=result,
                                   cost_cents=rng.choice([0, 5000, 12000]) if n % 2 == 0 else None))
        if customer.business_type in ("distributor", "feed_mill"):
            for k in range(2):
                session.add(SecondaryCustomer(customer_id=customer.id, name=f"{_person(rng)}养殖场",
                                              business_type="farm", is_core=k == 0,
                                              volume=f"月用料 {rng.randint(5, 40)} 吨"))
    session.flush()
    _demo_archives(session, customers, users)
    _demo_tasks(session, customers, users)


def _demo_archives(session: Session, customers: list, users: dict) -> None:
    """Archives in every state of the flow, with their tasks: two filed; one verified and waiting
    for the department, its filing late; one submitted 40 days ago, its verification late and
    escalated; fresh submissions for 刘经理 (east) and for the customer-management manager (north
    has no regional manager; one east archive 刘经理 submitted herself: four eyes); one sent back
    to its rep. The two late ones come in as archives of an upgraded database do
    (``adopt_archives``), their clocks started in the past."""
    from core.registry.archive import adopt_archives, current_step, submit_archive
    from core.tasks import complete_task

    def decide(customer, decision: str = "approved", comment: str = "", user=None) -> None:
        _request, _step, task = current_step(customer)
        complete_task(task, user or session.get(User, task.assignee_id), decision, comment)

    now = utcnow()
    archive = [customer for customer, _rep in customers]
    owner = {customer.id: rep for customer, rep in customers}
    for customer in archive[:2]:  # filed
        submit_archive(customer, owner[customer.id])
        decide(customer)
        decide(customer, user=users["specialist"])
    submit_archive(archive[4], owner[archive[4].id])  # 刘经理 verifies within the month
    submit_archive(archive[5], owner[archive[5].id])
    decide(archive[5], "sent_back", "请补充法定代表人和老板的手机号。")
    submit_archive(archive[6], owner[archive[6].id])  # north: the customer-management manager verifies
    submit_archive(archive[7], users["rm_east"], "老客户介绍，我已实地看过。")  # four eyes
    # an upgraded database's archives: verified 33 days ago, submitted 40 days ago
    ARCHIVE_FLOW.apply(archive[2], "submit", owner[archive[2].id])
    ARCHIVE_FLOW.apply(archive[2], "verify", users["cmmanager"], authorised=True)
    ARCHIVE_FLOW.apply(archive[3], "submit", owner[archive[3].id])
    archive[2].state_changed_at = now - timedelta(days=33)
    archive[3].state_changed_at = now - timedelta(days=40)
    session.flush()
    adopt_archives()


# department code -> head, members (their manager: the department's head unless given)
ORG = {
    "gm_office": ("gm", []),
    "cm": ("cmmanager", ["specialist"]),
    "sales": ("sales", ["coordinator", "rm_east", "rm_west", "rep_zhang", "rep_li", "rep_wang", "rep_chen"]),
    "marketing": ("marketing", []),
    "qc": ("qc", []),
    "production": ("production", []),
    "warehouse": ("keeper", ["weigher"]),
}
MANAGERS = {"rep_zhang": "rm_east", "rep_li": "rm_east", "rep_wang": "rm_west"}  # rep_chen: the head


def _demo_org(session: Session, users: dict, regions: dict) -> None:
    """Departments with heads, reps under their regional managers, regions' managers."""
    ensure_departments(session)
    found = {d.code: d for d in session.scalars(select(Department))}
    for code, (head, staff) in ORG.items():
        found[code].head_id = users[head].id
        for username in [head, *staff]:
            users[username].department_id = found[code].id
    for username, manager in MANAGERS.items():
        users[username].manager_id = users[manager].id
    regions["east"].manager_id = users["rm_east"].id
    regions["west"].manager_id = users["rm_west"].id
    session.flush()


def _demo_tasks(session: Session, customers: list, users: dict) -> None:
    """Follow-up calls due soon, due later and overdue (one escalated once, one twice), and work
    waiting in a role's and a department's queue."""
    from core.tasks import Queue, _sweep_task, create_task

    now = utcnow()
    plans = [  # hours since the start, budget in hours: overdue twice, overdue, due soon, later
        (50, 24), (30, 24), (7, 8), (1, 48), (0, 72),
    ]
    rep_customers: dict[int, list] = {}
    for customer, rep in customers[:8]:
        rep_customers.setdefault(rep.id, []).append((customer, rep))
    index = 0
    for pairs in rep_customers.values():
        for customer, rep in pairs:
            started, budget = plans[index % len(plans)]
            title = N_("Planned phone call") if index % 2 else N_("Visit and record the customer's opinions")
            create_task(customer, "follow_up", title, assignee=rep, budget_minutes=budget * 60,
                        start=now - timedelta(hours=started), by=users["cmmanager"], notify_people=False)
            index += 1
    create_task(customers[8][0], "follow_up", N_("Check the archive's contact details"),
                queue=Queue.role("specialist"), budget_minutes=24 * 60, start=now - timedelta(hours=20),
                by=users["cmmanager"], notify_people=False)
    create_task(customers[9][0], "follow_up", N_("Plan this month's calls to key customers"),
                queue=Queue.department("cm"), budget_minutes=3 * 24 * 60, start=now - timedelta(hours=5),
                by=users["gm"], notify_people=False)
    create_task(customers[2][0], "follow_up", N_("Confirm the spring order plan"),
                assignee=users["rm_east"], budget_minutes=24 * 60, start=now - timedelta(hours=30),
                by=users["sales"], notify_people=False)
    session.flush()
    from core.tasks import Task

    with acting_as(None):
        for task in session.scalars(select(Task).where(Task.warning_due_at <= now)):
            _sweep_task(task, now)
