"""Demo data: regions, one user per role, and a small feed-company customer base."""
from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth.models import Region, Role, User
from core.registry.models import Customer

DEMO_PASSWORD = "demo1234"
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
    reps = [u for u in users.values() if u.username.startswith("rep_")]
    for index, (name, business_type) in enumerate(CUSTOMERS, start=1):
        rep = reps[index % len(reps)]
        session.add(Customer(
            code=f"C{index:06d}", name=name, business_type=business_type,
            size_class=rng.choice("ABC"), phone=f"13{rng.randint(100000000, 999999999)}",
            address=f"{rep.region.name}{rng.choice(['城关镇', '工业园', '南关村', '北环路'])}{rng.randint(1, 99)}号",
            region_id=rep.region_id, owner_id=rep.id, is_prospect=index % 4 == 0,
        ))
    from core.numbering import Sequence

    seq = session.get(Sequence, "customer") or Sequence(series="customer", value=0)
    seq.value = len(CUSTOMERS)
    session.add(seq)
