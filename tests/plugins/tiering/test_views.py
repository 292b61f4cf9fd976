"""The overview's charts carry their numbers and link to the filtered list; the customer list filters
by every computed attribute and shows the grade column; tags let promotions target grades."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.db import db
from core.events import commit
from core.plugins import call_merged
from core.testing import login, make_customer
from plugins.tiering.models import Grade
from plugins.tiering.recompute import recompute
from tests.plugins.tiering.conftest import steady_customer

pytestmark = pytest.mark.guanxi_plugins("tiering")


@pytest.fixture
def company(app, users, manager):
    east = [steady_customer(f"东{i:02d}", users["rep_east"], 50 + i, first_order_days=800) for i in range(22)]
    west = [steady_customer(f"西{i:02d}", users["rep_west"], 1, first_order_days=800) for i in range(3)]
    newcomer = steady_customer("新来的", users["rep_west"], 2, months=2, first_order_days=40)
    make_customer("意向客户", users["rep_west"], is_prospect=True)
    recompute("command")
    commit()
    return {"east": east, "west": west, "newcomer": newcomer}


def chart_section(page, name):
    return re.search(rf'id="chart-{name}">(.*?)</section>', page, re.S).group(1)


def test_the_grade_chart_shows_each_grades_count_and_links_to_the_list(company, client):
    login(client, "cm_head")
    svg = chart_section(client.get("/tiering/").get_data(as_text=True), "grades")
    # 20 key, 1 focus (the newcomer), 5 general, 0 potential (the prospect has no visits)
    values = re.findall(r'class="value">([0-9]+)<', svg)
    assert values[:4] == ["20", "1", "5", "0"]
    assert re.findall(r'x="[0-9.]+" y="[0-9.]+" class="">(重点|焦点|一般|潜在)<', svg) == ["重点", "焦点", "一般", "潜在"]
    assert 'href="/customers/?tiering_grade=key"' in svg
    assert "<script" not in svg


def test_the_grids_cells_carry_counts_and_links(company, client):
    login(client, "cm_head")
    page = client.get("/tiering/").get_data(as_text=True)
    rfm = chart_section(page, "rfm")
    counts = [int(n) for n in re.findall(r'<text class="count"[^>]*>([0-9]+)</text>', rfm)]
    assert len(counts) == 25 and sum(counts) == 26  # every customer that ever ordered, once
    assert 'href="/customers/?tiering_r=5&amp;tiering_f=5"' in rfm
    nine = chart_section(page, "nine")
    cells = [int(n) for n in re.findall(r'<text class="count"[^>]*>([0-9]+)</text>', nine)]
    assert len(cells) == 9 and sum(cells) == 26


def test_a_rep_sees_only_their_own_customers_in_the_charts(company, client):
    login(client, "rep_west")
    nine = chart_section(client.get("/tiering/").get_data(as_text=True), "nine")
    assert sum(int(n) for n in re.findall(r'<text class="count"[^>]*>([0-9]+)</text>', nine)) == 4


def test_the_list_filters_by_every_computed_attribute(company, client):
    login(client, "cm_head")
    rows = {g.customer_id: g for g in db.session.scalars(select(Grade))}
    newcomer = rows[company["newcomer"].id]
    for arg, value in [("tiering_grade", "focus"), ("tiering_focus", "new"),
                       ("tiering_lifecycle", newcomer.lifecycle), ("tiering_pyramid", newcomer.pyramid),
                       ("tiering_segment", newcomer.segment), ("tiering_r", newcomer.recency),
                       ("tiering_potential", newcomer.potential_score)]:
        page = client.get(f"/customers/?{arg}={value}").get_data(as_text=True)
        assert "新来的" in page, arg
    key_page = client.get("/customers/?tiering_grade=key").get_data(as_text=True)
    assert "东21" in key_page and "西00" not in key_page and "新来的" not in key_page
    assert "重点" in key_page  # the grade column


def test_key_customers_of_a_region_are_one_filter_and_tags_name_the_grades(company, client, users):
    login(client, "cm_head")
    east = users["rep_east"].region_id
    page = client.get(f"/customers/?tiering_grade=key&region_id={east}").get_data(as_text=True)
    assert page.count("东") >= 20 and "西0" not in page
    with client.application.test_request_context():
        tags = call_merged("customer_tags", customer_ids=[company["east"][-1].id, company["newcomer"].id])
    assert "key" in tags[company["east"][-1].id]
    assert {"focus", "focus:new"} <= set(tags[company["newcomer"].id])


def test_an_empty_company_shows_zero_charts(app, users, manager, client):
    login(client, "cm_head")
    page = client.get("/tiering/").get_data(as_text=True)
    assert "尚未计算等级" in page
    rfm = chart_section(page, "rfm")
    assert set(re.findall(r'<text class="count"[^>]*>([0-9]+)</text>', rfm)) == {"0"}


def test_the_list_filters_by_lifetime_value(company, client):
    login(client, "cm_head")
    rows = {g.customer_id: g for g in db.session.scalars(select(Grade))}
    richest = max(rows.values(), key=lambda g: g.clv_cents or 0)
    threshold = richest.clv_cents // 1_000_000  # in ¥10,000
    page = client.get(f"/customers/?tiering_clv_from={threshold}").get_data(as_text=True)
    assert "东21" in page and "西00" not in page
    assert "已忽略" in client.get("/customers/?tiering_clv_from=NaN").get_data(as_text=True)
