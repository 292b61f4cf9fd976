"""A complaints world: core's small organisation plus the marketing manager, the warehouse and a
customer of the east region."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.events import commit
from core.org import Department
from core.testing import make_customer, make_user
from plugins.complaints.models import Complaint
from plugins.complaints.services import Intake, intake
from tests.core.work_org import build_org


@pytest.fixture
def org(app):
    people = build_org(locale="en")
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    for name, roles, department, head in (("mm", ("marketing_manager",), "marketing", True),
                                          ("keeper", ("warehouse_keeper",), "warehouse", True)):
        user = make_user(name, roles)
        user.department_id = departments[department].id
        user.locale = "en"
        if head:
            departments[department].head_id = user.id
        people[name] = user
    db.session.commit()
    people["customer"] = make_customer("河南双力饲料经销部", people["rep"])
    return people


def new_complaint(org, by="rep", **fields) -> Complaint:
    values = {"customer_id": org["customer"].id, "channel": "phone", "category": "feeding_result",
              "description": "猪吃了以后掉料，生长慢", "customer_request": "赔偿"}
    values.update(fields)
    complaint = intake(Intake(**values), org[by])
    commit()
    return complaint
