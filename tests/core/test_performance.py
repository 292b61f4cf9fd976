"""Pages stay bounded at scale: the statements a page runs do not grow with its rows, the
dashboard shows the nearest dates with a link to the rest, logs come a page at a time."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.clock import local_now
from core.db import db, utcnow
from core.registry.log_views import LOG_PAGE
from core.registry.models import ContactLog, ImportantDate
from core.registry.widgets import DASHBOARD_ROWS
from core.testing import QueryCounter, login, make_customer
from core.visibility import visible


def _today(client):
    with client.application.app_context():
        return local_now().date()


def _add_dates(customer, today, count):
    for n in range(count):
        day = today + timedelta(days=n % 25 + 1)
        db.session.add(ImportantDate(customer_id=customer.id, kind="birthday", on=day.replace(year=1970),
                                     person=f"老板{n:03d}"))
    db.session.commit()


def _statements(client, url):
    with QueryCounter() as queries:
        answer = client.get(url)
    assert answer.status_code == 200, url
    return queries.statements, answer.get_data(as_text=True)


def test_dashboard_shows_the_nearest_dates_and_links_to_all(client, users):
    customer = make_customer("双力", users["rep_east"])
    today = _today(client)
    login(client, "specialist")
    _add_dates(customer, today, 3)
    few, html = _statements(client, "/")
    assert "/customers/dates" not in html
    _add_dates(customer, today, DASHBOARD_ROWS + 10)
    many, html = _statements(client, "/")
    assert html.count("老板") == DASHBOARD_ROWS and "/customers/dates" in html
    assert len(many) == len(few) + 1  # the count of all dates, asked only when the widget is full
    first, page = _statements(client, "/customers/dates")
    assert page.count("老板") == DASHBOARD_ROWS + 13


def test_the_dashboard_computes_the_header_once(client, users):
    login(client, "specialist")
    statements, _html = _statements(client, "/")
    assert sum("notification_reads" in s for s in statements) == 1


def test_who_sees_everything_gets_no_visibility_subquery(app, users):
    assert "customers" not in str(visible(ContactLog, users["specialist"]))
    assert "customers" in str(visible(ContactLog, users["rep_east"]))


def test_phone_log_is_paged_and_its_queries_do_not_grow(client, users):
    customer = make_customer("双力", users["rep_east"])
    login(client, "specialist")
    now = utcnow()

    def add(count):
        for n in range(count):
            db.session.add(ContactLog(customer_id=customer.id, kind="phone", at=now - timedelta(minutes=n),
                                      user_id=users["rep_east"].id, content=f"通话{n:04d}"))
        db.session.commit()
    add(3)
    few, _html = _statements(client, "/customers/contact-log")
    add(LOG_PAGE + 10)
    many, html = _statements(client, "/customers/contact-log")
    assert len(many) == len(few) and html.count("通话") == LOG_PAGE
    _statements_page2, page2 = _statements(client, "/customers/contact-log?page=2")
    assert page2.count("通话") == 13


def test_month_day_follows_the_date(app, users):
    customer = make_customer("双力", users["rep_east"])
    row = ImportantDate(customer_id=customer.id, kind="birthday", on=utcnow().date().replace(month=2, day=28))
    db.session.add(row)
    db.session.commit()
    assert db.session.scalar(select(ImportantDate.month_day)) == 228


def test_customer_page_queries_do_not_grow_with_its_rows(client, users):
    customer = make_customer("双力", users["rep_east"])
    login(client, "specialist")
    counts = []
    for total in (2, 20):
        while db.session.query(ContactLog).count() < total:
            db.session.add(ContactLog(customer_id=customer.id, kind="visit", at=utcnow(), content="拜访"))
            db.session.add(ImportantDate(customer_id=customer.id, kind="opening", on=utcnow().date()))
            db.session.commit()
        statements, _html = _statements(client, f"/customers/{customer.id}")
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def _codes(html):
    import re

    return re.findall(r"<td>(K\d{3})</td>", html)


def test_the_count_is_capped_and_pages_stop_at_the_cap(client, users, monkeypatch):
    from core.registry import views

    for n in range(12):
        make_customer(f"客户{n:02d}", users["rep_east"] if n % 2 else users["rep_west"], code=f"K{n:03d}")
    login(client, "specialist")
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    _statements_all, html = _statements(client, "/customers/?page=3")
    assert "12 个客户" in html and _codes(html) == ["K004", "K005"]
    monkeypatch.setattr(views, "COUNT_CAP", 5)
    _statements_capped, html = _statements(client, "/customers/?page=99")  # past the cap: its last page
    assert "客户超过 5 个" in html and "第 3 页，共 3 页" in html and _codes(html) == ["K004", "K005"]
    _statements_desc, html = _statements(client, "/customers/?desc=1")  # the rest, from the other end
    assert _codes(html) == ["K011", "K010"]


def test_pages_keep_the_order_of_every_sort(client, users, monkeypatch):
    from core.registry import views

    east, west = users["rep_east"], users["rep_west"]
    for n, owner in enumerate([west, east, west, east, east]):
        make_customer(f"客户{n:02d}", owner, code=f"K{n:03d}")
    login(client, "specialist")
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    by_owner = [_codes(_statements(client, f"/customers/?sort=owner&page={p}")[1]) for p in (1, 2, 3)]
    assert by_owner == [["K001", "K003"], ["K004", "K000"], ["K002"]]  # rep_east before rep_west
    by_region = [_codes(_statements(client, f"/customers/?sort=region&desc=1&page={p}")[1]) for p in (1, 2, 3)]
    assert by_region == [["K002", "K000"], ["K004", "K003"], ["K001"]]  # west first, codes descending


def test_a_deep_page_runs_the_statements_of_the_first(client, users, monkeypatch):
    from core.registry import views

    for n in range(9):
        make_customer(f"客户{n:02d}", users["rep_east"], code=f"K{n:03d}")
    login(client, "specialist")
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first, _html = _statements(client, "/customers/")
    deep, html = _statements(client, "/customers/?page=5")
    assert len(first) == len(deep) and _codes(html) == ["K008"]
    assert not any("JOIN" in s and "OFFSET" in s.upper() for s in deep)  # the ids come without joins
