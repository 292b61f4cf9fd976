"""The history reads in the user's language: labels, yuan, names, local times; no raw columns."""
import datetime as dt
import re

import pytest

from core.audit import acting_as, record_event
from core.db import db
from core.history import timeline
from core.registry.models import ContactLog, KeyPerson
from core.testing import QueryCounter, login, make_customer, make_user
from core.workflow import TransitionRefused

AT = dt.datetime(2026, 11, 23, 20, 30)  # UTC; 04:30 on the 24th in Shanghai
RAW = ("business_type", "owner_id", "region_id", "user_id", "cost_cents", "intends_to_order", "founding_date")


@pytest.fixture
def at_half_past_eight(monkeypatch):
    monkeypatch.setattr("core.audit.utcnow", lambda: AT)


def edited_customer(users):
    """An archive changed by the specialist, with a visit logged on it."""
    east, west = users["rep_east"], users["rep_west"]
    east_id, west_id, west_region = east.id, west.id, west.region_id
    with acting_as(users["specialist"].id):
        customer = make_customer("甲饲料厂", east)
        customer.business_type = "farm"
        customer.owner_id = west_id
        customer.region_id = west_region
        customer.intends_to_order = True
        customer.founding_date = dt.date(2015, 3, 1)
        db.session.commit()
        db.session.add(ContactLog(customer_id=customer.id, kind="visit", at=AT, user_id=east_id,
                                  content="了解用料", cost_cents=12000))
        db.session.commit()
    return customer


def history_html(client, url):
    return client.get(url).get_data(as_text=True).split('class="timeline"', 1)[1]


def history_text(client, url):
    """The timeline as the reader sees it: one line per event, tags dropped."""
    events = history_html(client, url).split("</ol>", 1)[0].split('<li class="event')[1:]
    return [" ".join(re.sub(r"<[^>]+>", " ", event.split(">", 1)[1]).split()).replace(" :", ":")
            for event in events]


def test_customer_history_reads_in_chinese(client, users, at_half_past_eight):
    customer = edited_customer(users)
    login(client, "specialist")
    visit, edit, created = history_text(client, f"/customers/{customer.id}")
    assert visit.startswith("2026-11-24 04:30 Specialist 拜访与电话 创建了记录")
    for line in ("类别: 拜访", "费用: ¥120.00", "经办人: Rep_East", "时间: 2026-11-24 04:30", "内容: 了解用料"):
        assert line in visit, line
    assert edit.startswith("2026-11-24 04:30 Specialist 修改了")
    for line in ("客户类型: 经销商 → 直销用户（养殖场）", "负责业务代表: Rep_East → Rep_West", "区域: East → West",
                 "有订货意向: 否 → 是", "成立日期: — → 2015-03-01"):
        assert line in edit, line
    assert created == "2026-11-24 04:30 Specialist 创建了记录"
    html = history_html(client, f"/customers/{customer.id}")
    for raw in RAW:
        assert raw not in html, raw
    assert "2026-11-23" not in " ".join(history_text(client, f"/customers/{customer.id}"))


def test_customer_history_reads_in_english(client, users, at_half_past_eight):
    customer = edited_customer(users)
    users["specialist"].locale = "en"
    db.session.commit()
    login(client, "specialist")
    visit, edit, _ = history_text(client, f"/customers/{customer.id}")
    assert visit.startswith("2026-11-24 04:30 Specialist Visits and calls created the record")
    for line in ("Kind: Visit", "Cost: ¥120.00", "Handled by: Rep_East", "Time: 2026-11-24 04:30"):
        assert line in visit, line
    assert edit.startswith("2026-11-24 04:30 Specialist changed")
    for line in ("Business type: Distributor → Direct user (farm)", "Owner: Rep_East → Rep_West",
                 "Intends to order: No → Yes", "Founded on: — → 2015-03-01"):
        assert line in edit, line
    html = history_html(client, f"/customers/{customer.id}")
    for raw in RAW:
        assert raw not in html, raw
    assert "2026-11-23" not in " ".join(history_text(client, f"/customers/{customer.id}"))


def test_transitions_read_as_the_transition_and_its_states(client, users):
    customer = make_customer("乙", users["rep_east"], phone="0371-1234567")
    try:
        customer.__workflow__.apply(customer, "submit", users["rep_east"])
    except TransitionRefused as refused:  # pragma: no cover - says why if the flow changes
        pytest.fail(str(refused))
    db.session.commit()
    login(client, "rep_east")
    submitted = history_text(client, f"/customers/{customer.id}")[0]
    assert submitted.endswith("Rep_East 提交核实 档案状态: 草稿 → 已提交"), submitted


def test_deleted_record_still_says_what_it_was(client, users):
    customer = make_customer("丙", users["rep_east"])
    person = KeyPerson(customer_id=customer.id, name="王老板", role="owner")
    db.session.add(person)
    db.session.commit()
    db.session.delete(person)
    db.session.commit()
    login(client, "rep_east")
    deleted = history_text(client, f"/customers/{customer.id}")[0]
    assert "关键人物 删除了记录" in deleted and "姓名: 王老板" in deleted and "身份: 老板" in deleted


def grow_history(customer, users, rounds):
    """Each round writes three events naming a user, a region and a key person."""
    east, west = users["rep_east"], users["rep_west"]
    for n in range(rounds):
        customer.owner_id = west.id if customer.owner_id == east.id else east.id
        db.session.commit()
        customer.region_id = west.region_id if customer.region_id == east.region_id else east.region_id
        db.session.commit()
        db.session.add(KeyPerson(customer_id=customer.id, name=f"联系人{n}"))
        db.session.commit()


def test_history_queries_do_not_grow_with_events(app, users):
    customer = make_customer("丁", users["rep_east"])
    client = app.test_client()
    login(client, "specialist")
    counts, done = [], 0
    for rounds in (1, 10):  # 3 events, then 30
        grow_history(customer, users, rounds - done)
        done = rounds
        db.session.refresh(customer)
        with QueryCounter() as direct:
            entries = timeline(customer)
        with QueryCounter() as page:
            html = client.get(f"/customers/{customer.id}").get_data(as_text=True)
        assert len(entries) == rounds * 3 + 1 and "Rep_West" in html
        counts.append((direct.count, page.count))
    assert counts[0] == counts[1], counts
    assert counts[0][0] == 4  # the events, then one query each for users, regions and key people


def test_exports_and_imports_read_on_the_import_page(app, users, at_half_past_eight):
    make_customer("东区甲", users["rep_east"], business_type="farm")
    make_user("manager", ("cm_manager",))
    client = app.test_client()
    login(client, "manager")
    region = users["rep_east"].region_id
    client.get(f"/customers/export.xlsx?business_type=farm&region_id={region}&q=东区&sort=name")
    with acting_as(users["specialist"].id):
        record_event("customers", None, "import", {"created": 2, "updated": 1, "rows": 3, "file": "客户.xlsx"})
        db.session.commit()
    assert "<h2>导入与导出记录</h2>" in history_html(client, "/customers/import")
    imported, exported = history_text(client, "/customers/import")
    assert imported == "2026-11-24 04:30 Specialist 导入了 3 行：新建 2，更新 1 文件: 客户.xlsx"
    assert exported.startswith("2026-11-24 04:30 Manager 导出了 1 行（XLSX）")
    for line in ("客户类型: 直销用户（养殖场）", "区域: East", "搜索: 东区"):
        assert line in exported, line
    for raw in ("business_type", "region_id", "sort", "created", "rows"):
        assert raw not in history_html(client, "/customers/import"), raw


def test_an_undeclared_field_still_reads(app, users, monkeypatch):
    from core.history import Change, readers
    from core.registry.models import Customer

    fields = {key: label for key, label in Customer.__audit_fields__.items() if key != "founding_date"}
    monkeypatch.setattr(Customer, "__audit_fields__", fields)
    readers.cache_clear()
    try:
        customer = make_customer("戊", users["rep_east"])
        customer.founding_date = dt.date(2015, 3, 1)
        db.session.commit()
        assert timeline(customer)[0].changes == [Change("Founding date", "2015-03-01", "—")]
    finally:
        readers.cache_clear()


def test_a_plugin_records_history_shows_only_to_holders_of_its_permission(tmp_path):
    """A plugin's confidential figures (a credit limit) must not leak through the customer page."""
    from core.db import db
    from core.events import commit
    from core.testing import login, make_customer, make_test_app, make_user
    from tests.sample_plugin.models import SampleNote
    from tests.sample_plugin.plugin import SamplePlugin

    app = make_test_app("sqlite", tmp_path, plugins=["sampleplug"],
                        GUANXI_EXTRA_PLUGINS={"sampleplug": SamplePlugin})
    with app.app_context():
        rep = make_user("rep_a", ("rep",), "east")
        make_user("office", ("specialist",))
        customer = make_customer("信用客户", rep)
        db.session.add(SampleNote(customer_id=customer.id, text="额度五十万"))
        commit()
        url = f"/customers/{customer.id}"
    granted = app.test_client()
    login(granted, "rep_a")  # the sample plugin grants sampleplug.use to reps
    assert "额度五十万" in granted.get(url).get_data(as_text=True)
    other = app.test_client()
    login(other, "office")
    page = other.get(url).get_data(as_text=True)
    assert "信用客户" in page and "额度五十万" not in page
