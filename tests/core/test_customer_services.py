"""Every way an archive is created or changed goes through the registry service: numbering, audit
and events are the same for the form, the import, the command line and test helpers."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.api import Plugin, hookimpl
from core.db import db
from core.registry.models import Customer
from core.registry.transfer import header_labels, write_xlsx
from core.testing import login, make_customer, post_form

HEARD: list[tuple[str, str]] = []


class Listener(Plugin):
    @hookimpl
    def customer_created(self, customer):
        HEARD.append(("created", customer.code))

    @hookimpl
    def customer_updated(self, customer, changes):
        HEARD.append(("updated", ",".join(sorted(changes))))


listening = pytest.mark.guanxi_plugins("listener", extra={"listener": Listener})


@pytest.fixture(autouse=True)
def _clear():
    HEARD.clear()


def xlsx(tmp_path, *rows):
    path = tmp_path / "customers.xlsx"
    path.write_bytes(write_xlsx(header_labels("zh"), [list(r) for r in rows]))
    return str(path)


def import_row(code: str, name: str) -> list[str]:
    return [code, name, "经销商", "A", "0371-1234567", "", "郑州", "east", "", "否", "", "", "", ""]


@listening
def test_the_command_line_import_fires_created_and_updated(app, users, tmp_path):
    make_customer("老客户", users["rep_east"], code="K001")
    HEARD.clear()
    result = app.test_cli_runner().invoke(args=[
        "customers", "import", xlsx(tmp_path, import_row("", "新客户"), import_row("K001", "老客户改名")),
        "--user", "specialist"])
    assert result.exit_code == 0, result.output
    created = db.session.scalar(select(Customer).where(Customer.name == "新客户"))
    assert HEARD[0] == ("created", created.code)
    assert HEARD[1][0] == "updated" and "name" in HEARD[1][1].split(",") and len(HEARD) == 2


@listening
def test_the_test_helper_fires_created_like_the_form(app, users, client):
    customer = make_customer("助手建档", users["rep_east"])
    login(client, "rep_east")
    post_form(client, "/customers/new", {"name": "表单建档", "business_type": "farm", "region_id": 1})
    formed = db.session.scalar(select(Customer).where(Customer.name == "表单建档"))
    assert HEARD == [("created", customer.code), ("created", formed.code)]


def test_a_code_taken_by_hand_is_skipped_not_a_failure(app, users, client):
    make_customer("早年手工编号", users["rep_west"], code="C000001")  # e.g. carried over from the old system
    login(client, "rep_east")
    response = post_form(client, "/customers/new", {"name": "正常建档", "business_type": "farm",
                                                    "region_id": 1})
    assert response.status_code == 302
    assert db.session.scalar(select(Customer.code).where(Customer.name == "正常建档")) == "C000002"


def test_an_import_may_not_take_a_code_of_the_automatic_series(app, users, tmp_path):
    result = app.test_cli_runner().invoke(args=[
        "customers", "import", xlsx(tmp_path, import_row("C000001", "抢号客户"), import_row("C123456", "抢号二"),
                                    import_row("K77", "旧系统编号")), "--user", "specialist"])
    assert result.exit_code != 0
    assert "line 2: 编号 C000001 不能用于新档案" in result.output
    assert "line 3: 编号 C123456 不能用于新档案" in result.output and "line 4" not in result.output
    assert db.session.query(Customer).count() == 0


def test_an_import_still_updates_an_archive_by_its_automatic_code(app, users, tmp_path):
    customer = make_customer("老客户", users["rep_east"])
    assert customer.code == "C000001"
    result = app.test_cli_runner().invoke(args=[
        "customers", "import", xlsx(tmp_path, import_row("C000001", "老客户改名")), "--user", "specialist"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).name == "老客户改名"


def test_the_app_fixture_enables_the_built_in_plugins_by_default(app):
    assert {info.name for info in app.extensions["guanxi"].enabled} == {
        "tiering", "complaints", "promotions", "logistics"}


@pytest.mark.guanxi_plugins()
def test_the_app_fixture_takes_the_plugins_of_its_marker(app):
    assert app.extensions["guanxi"].enabled == []
