"""An import may do no more than the archive form: owners, regions and codes the importer may use."""
import io

import pytest
from sqlalchemy import select

from core.auth.models import Role, RolePermission
from core.db import db
from core.registry.models import Customer
from core.registry.transfer import header_labels, write_xlsx
from core.testing import csrf_token, login, make_customer, make_user, post_form


def row(code="", name="", region="east", owner=""):
    return [code, name, "经销商", "A", "0371-1234567", "", "郑州", region, owner, "否", "", "", "", ""]


def preview(client, *rows):
    token = csrf_token(client, "/customers/import")
    upload = client.post("/customers/import", data={
        "csrf_token": token, "upload": (io.BytesIO(write_xlsx(header_labels("zh"), list(rows))), "c.xlsx")},
        content_type="multipart/form-data")
    return client.get(upload.headers["Location"])


def confirm(client, page):
    return post_form(client, page.request.path + "/confirm", {}, page=page.request.path, follow_redirects=True)


@pytest.fixture
def manager(app, users):
    """rm_east holding the import permission, as an administrator may grant it."""
    role = db.session.scalar(select(Role).where(Role.code == "regional_manager"))
    db.session.add(RolePermission(role_id=role.id, permission="customers.import"))
    db.session.commit()
    client = app.test_client()
    login(client, "rm_east")
    return client


def test_import_cannot_move_an_archive_to_another_region_and_owner(manager, users):
    customer = make_customer("东区客户", users["rep_east"])
    page = preview(manager, row(customer.code, "东区客户", region="west", owner="rep_west"))
    html = page.get_data(as_text=True)
    assert "不能把档案放到区域“west”" in html
    assert "“rep_west”不是您可以分配档案的业务代表" in html
    assert "立即导入" not in html
    confirm(manager, page)
    db.session.expire_all()
    unchanged = db.session.get(Customer, customer.id)
    assert unchanged.region_id == users["rep_east"].region_id and unchanged.owner_id == users["rep_east"].id


def test_import_refuses_an_owner_who_is_not_an_assignable_rep(manager, users):
    html = preview(manager, row(name="新甲", owner="specialist"), row(name="新乙", owner="rm_east"),
                   row(name="新丙", owner="nobody")).get_data(as_text=True)
    for name in ("specialist", "rm_east", "nobody"):
        assert f"“{name}”不是您可以分配档案的业务代表" in html, name
    assert db.session.query(Customer).count() == 0


def test_import_within_the_managers_own_region_works(manager, users):
    other_rep = make_user("rep_east2", ("rep",), "east")
    customer = make_customer("东区客户", users["rep_east"])
    page = preview(manager, row(customer.code, "东区客户（改）", owner="rep_east2"), row(name="东区新客户", owner="rep_east"))
    assert "新增 1 条，更新 1 条，有错误 0 条" in page.get_data(as_text=True)
    confirm(manager, page)
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).owner_id == other_rep.id
    created = db.session.scalar(select(Customer).where(Customer.name == "东区新客户"))
    assert created.owner_id == users["rep_east"].id and created.region_id == users["rep_east"].region_id


def test_an_unchanged_owner_and_region_stay_allowed(manager, users):
    """An export re-imported as it is: the current owner may be one the manager could not pick now."""
    customer = make_customer("东区老客户", users["rep_east"])
    users["rep_east"].active = False
    db.session.commit()
    page = preview(manager, row(customer.code, "东区老客户", owner="rep_east"))
    assert "有错误 0 条" in page.get_data(as_text=True)


def test_a_code_the_importer_cannot_see_reads_like_a_free_one(manager, users):
    hidden = make_customer("西区客户", users["rep_west"])
    html = preview(manager, row(hidden.code, "随便"), row("C999999", "随便二")).get_data(as_text=True)
    assert f"编号 {hidden.code} 不能用于新档案：请将编号留空，由系统自动编号。" in html
    assert "编号 C999999 不能用于新档案：请将编号留空，由系统自动编号。" in html
    assert "无权查看" not in html


def test_the_preview_does_not_reveal_the_code_of_a_same_named_hidden_archive(manager, users):
    hidden = make_customer("同名客户", users["rep_west"])
    html = preview(manager, row(name="同名客户")).get_data(as_text=True)
    assert hidden.code not in html
    assert "新增 1 条，更新 0 条，有错误 0 条" in html  # as the form would, it files a new archive


def test_the_form_keeps_a_regional_manager_in_the_own_region(app, users):
    customer = make_customer("东区客户", users["rep_east"])
    client = app.test_client()
    login(client, "rm_east")
    response = post_form(client, f"/customers/{customer.id}/edit", {
        "name": "东区客户", "business_type": "distributor", "region_id": users["rep_west"].region_id,
        "owner_id": users["rep_east"].id, "version_id": customer.version_id})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).region_id == users["rep_east"].region_id
