"""The organisation answers who heads, manages and stands above whom; an administrator edits it."""
import pytest
from sqlalchemy import select

from core.audit import AuditEvent
from core.auth.models import Region
from core.db import db
from core.org import (
    STANDARD_DEPARTMENTS,
    Department,
    OrgRefused,
    assign_user,
    department_head,
    general_manager,
    manager_of,
    next_level_up,
    regional_manager,
)
from core.testing import login, make_user, post_form
from tests.core.work_org import build_org


def test_every_install_has_the_standard_departments(app):
    codes = set(db.session.scalars(select(Department.code)))
    assert {code for code, _zh, _en in STANDARD_DEPARTMENTS} <= codes
    assert db.session.scalar(select(Department.name).where(Department.code == "qc")) == "品控部"


def test_who_heads_manages_and_stands_above_whom(app):
    org = build_org()
    assert department_head("qc") == org["qc_head"]
    assert department_head("warehouse") is None  # no head named yet
    assert manager_of(org["rep"]) == org["rm"]  # an explicit manager
    assert manager_of(org["rm"]) == org["sales_head"]  # else the department's head
    assert manager_of(org["sales_head"]) is None  # never themselves
    assert regional_manager(org["rep"].region_id) == org["rm"]
    assert regional_manager(None) is None
    assert general_manager() == org["gm"]
    assert next_level_up(org["rep"]) == org["rm"]
    assert next_level_up(org["sales_head"]) == org["gm"]  # a head: the general manager
    assert next_level_up(org["gm"]) is None  # the top


def test_inactive_people_are_skipped_and_the_role_stands_in_for_a_missing_head(app):
    org = build_org()
    org["rm"].active = False
    db.session.commit()
    assert manager_of(org["rep"]) == org["sales_head"]
    assert regional_manager(org["rep"].region_id) is None
    office = db.session.scalar(select(Department).where(Department.code == "gm_office"))
    office.head_id = None
    second = make_user("gm2", ("general_manager",))
    db.session.commit()
    assert general_manager() == org["gm"]  # the first active holder of the role
    org["gm"].active = False
    db.session.commit()
    assert general_manager() == second


def test_a_manager_loop_is_refused(app):
    org = build_org()
    with pytest.raises(OrgRefused):
        assign_user(org["rm"], org["rm"].department_id, org["rep"].id)  # rep reports to rm
    with pytest.raises(OrgRefused):
        assign_user(org["rm"], org["rm"].department_id, org["rm"].id)


def test_administrator_edits_departments_people_and_regions_on_one_page(client, app):
    org = build_org()
    make_user("boss", ("admin",))
    login(client, "boss")
    page = client.get("/admin/org")
    assert page.status_code == 200 and "品控部" in page.get_data(as_text=True)
    qc = db.session.scalar(select(Department).where(Department.code == "qc"))
    response = post_form(client, f"/admin/org/departments/{qc.id}",
                         {f"d{qc.id}-name": "质检部", f"d{qc.id}-name_en": "QC",
                          f"d{qc.id}-head_id": org["qc1"].id, f"d{qc.id}-position": 30,
                          f"d{qc.id}-active": "y"}, page="/admin/org")
    assert response.status_code == 302
    response = post_form(client, "/admin/org/departments",
                         {"new-code": "logistics", "new-name": "物流部", "new-head_id": 0, "new-position": 90,
                          "new-active": "y"}, page="/admin/org")
    assert response.status_code == 302
    post_form(client, f"/admin/org/users/{org['rep2'].id}",
              {"department_id": qc.id, "manager_id": org["qc1"].id}, page="/admin/org")
    east = db.session.scalar(select(Region).where(Region.code == "east"))
    post_form(client, f"/admin/org/regions/{east.id}", {"manager_id": org["sales_head"].id}, page="/admin/org")
    refused = post_form(client, f"/admin/org/users/{org['rm'].id}",
                        {"department_id": 0, "manager_id": org["rep"].id}, page="/admin/org",
                        follow_redirects=True)
    assert "已向 Rm 汇报" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert department_head("qc") == org["qc1"]
    assert db.session.scalar(select(Department.name).where(Department.code == "logistics")) == "物流部"
    assert manager_of(org["rep2"]) == org["qc1"]
    assert regional_manager(east.id) == org["sales_head"]
    audited = {(e.record_type, e.action) for e in db.session.scalars(select(AuditEvent))}
    assert {("departments", "update"), ("departments", "create"), ("users", "update"),
            ("regions", "update")} <= audited


def test_the_organisation_page_is_for_administrators(client, app):
    build_org()
    login(client, "cm_head")
    assert client.get("/admin/org").status_code == 403
