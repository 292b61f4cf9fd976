"""A small organisation for the work-engine tests: departments with heads, a rep under a
regional manager, specialists, a coordinator and the general manager."""
from __future__ import annotations

from sqlalchemy import select

from core.auth.models import Region
from core.db import db
from core.org import Department
from core.testing import make_user

# username: roles, region, department, manager (None: the department's head)
PEOPLE = {
    "gm": (("general_manager",), None, "gm_office", None),
    "cm_head": (("cm_manager",), None, "cm", None),
    "fin_head": (("specialist",), None, "finance", None),
    "qc_head": (("qc",), None, "qc", None),
    "sales_head": (("sales_manager",), None, "sales", None),
    "rm": (("regional_manager",), "east", "sales", None),
    "rep": (("rep",), "east", "sales", "rm"),
    "rep2": (("rep",), "east", "sales", "rm"),
    "spec1": (("specialist",), None, "cm", None),
    "spec2": (("specialist",), None, "cm", None),
    "qc1": (("qc",), None, "qc", None),
    "coord": (("coordinator",), None, "sales", None),
}
HEADS = {"gm_office": "gm", "cm": "cm_head", "finance": "fin_head", "qc": "qc_head", "sales": "sales_head"}


def build_org(locale: str | None = "en") -> dict:
    people = {name: make_user(name, roles, region) for name, (roles, region, _d, _m) in PEOPLE.items()}
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    for name, (_roles, _region, department, manager) in PEOPLE.items():
        people[name].department_id = departments[department].id
        people[name].manager_id = people[manager].id if manager else None
        people[name].locale = locale
    for code, head in HEADS.items():
        departments[code].head_id = people[head].id
    east = db.session.scalar(select(Region).where(Region.code == "east"))
    east.manager_id = people["rm"].id
    db.session.commit()
    return people
