"""A customer-management organisation for the promotion tests: the department manager, the
marketing manager, the general manager, a region with its manager and reps, two specialists, and
customers of every size class in two regions."""
from datetime import date

import pytest
from sqlalchemy import select

from core.auth.models import Region
from core.db import db
from core.events import commit
from core.org import Department
from core.testing import make_customer, make_user

# username: roles, region, department (its head when listed in HEADS)
PEOPLE = {
    "gm": (("general_manager",), None, "gm_office"),
    "cm_head": (("cm_manager",), None, "cm"),
    "mk_head": (("marketing_manager",), None, "marketing"),
    "mk2": (("marketing_manager",), None, "marketing"),
    "rm": (("regional_manager",), "east", "sales"),
    "rep": (("rep",), "east", "sales"),
    "rep_w": (("rep",), "west", "sales"),
    "spec1": (("specialist",), None, "cm"),
    "spec2": (("specialist",), None, "cm"),
}
HEADS = {"gm_office": "gm", "cm": "cm_head", "marketing": "mk_head"}


@pytest.fixture
def org(app):
    people = {name: make_user(name, roles, region) for name, (roles, region, _d) in PEOPLE.items()}
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    for name, (_roles, _region, department) in PEOPLE.items():
        people[name].department_id = departments[department].id
        people[name].locale = "en"
    for code, head in HEADS.items():
        departments[code].head_id = people[head].id
    people["rep"].manager_id = people["rm"].id
    east = db.session.scalar(select(Region).where(Region.code == "east"))
    east.manager_id = people["rm"].id
    db.session.commit()
    return people


@pytest.fixture
def customers(org):
    """East: three A, two B customers (one prospect); west: one A."""
    made = {}
    for code, size, owner, prospect in (("E-A1", "A", "rep", False), ("E-A2", "A", "rep", False),
                                         ("E-A3", "A", "rep", False), ("E-B1", "B", "rep", False),
                                         ("E-B2", "B", "rep", True), ("W-A1", "A", "rep_w", False)):
        made[code] = make_customer(f"客户{code}", org[owner], code=code, size_class=size, is_prospect=prospect)
    return made


def application(org, who="rep", budget_yuan=1500, codes="E-A1, E-A2", rule=None, **values):
    from plugins.promotions.services import ApplicationData, save_application

    user = org[who]
    data = ApplicationData(
        title=values.pop("title", "春季育肥料促销"), region_id=values.pop("region_id", user.region_id or
                                                                    org["rep"].region_id),
        period_start=values.pop("period_start", date(2026, 3, 1)), period_end=values.pop("period_end", date(2026, 3, 31)),
        situation_before="销量下滑", purpose="提升育肥料销量", plan="买十送一", target_kg=values.pop("target_kg", 100_000),
        target_amount_cents=values.pop("target_amount_cents", 30_000_000), target_new_customers=values.pop("new", 2),
        budget_cents=budget_yuan * 100, target_codes=codes, target_rule=rule, materials=values.pop("materials", None))
    promotion = save_application(data, user)
    commit()
    return promotion


def data_of(promotion, codes):
    """The form data of ``promotion`` as saved, with target codes ``codes``."""
    from plugins.promotions.services import FIELDS, ApplicationData

    values = {name: getattr(promotion, name) for name in FIELDS}
    return ApplicationData(**values, target_codes=codes)
