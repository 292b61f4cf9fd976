"""Languages: zh_CN by default, per-user choice, locale formats, UTC stored, Shanghai shown."""
from datetime import datetime

from flask_babel import force_locale

from core.db import db
from core.i18n import local_datetime
from core.money import money
from core.testing import login, post_form


def test_chinese_by_default_and_english_on_request(client, users):
    login(client, "rep_east")
    assert "客户" in client.get("/").get_data(as_text=True)
    post_form(client, "/language", {"locale": "en", "next": "/"}, page="/")
    html = client.get("/").get_data(as_text=True)
    assert ">Customers<" in html and "工作台" not in html
    db.session.expire_all()
    assert db.session.get(type(users["rep_east"]), users["rep_east"].id).locale == "en"


def test_language_choice_follows_the_user_to_a_new_session(app, users):
    users["rep_east"].locale = "en"
    db.session.commit()
    client = app.test_client()
    login(client, "rep_east")
    assert ">Dashboard<" in client.get("/").get_data(as_text=True)
    other = app.test_client()
    login(other, "rep_west")
    assert "工作台" in other.get("/").get_data(as_text=True)


def test_login_page_language_switch_before_login(client):
    post_form(client, "/language", {"locale": "en", "next": "/login"}, page="/login")
    assert ">Log in<" in client.get("/login").get_data(as_text=True)


def test_times_are_shown_in_shanghai_time(app):
    with app.test_request_context():
        assert local_datetime(datetime(2026, 11, 23, 20, 30)) == "2026-11-24 04:30"


def test_money_and_numbers_follow_the_locale(app):
    with app.test_request_context():
        with force_locale("zh_CN"):
            assert money(8150000) == "¥81,500.00"
        with force_locale("en"):
            assert money(123456) == "¥1,234.56"
        with force_locale("de"):
            assert money(123456) == "¥1.234,56"


def test_messages_of_libraries_are_translated_too(client, users):
    redirected = client.get("/customers/", follow_redirects=True).get_data(as_text=True)
    assert "请先登录" in redirected
    login(client, "rep_east")
    page = post_form(client, "/customers/new", {"name": "", "business_type": "farm", "founding_date": "abc"})
    html = page.get_data(as_text=True)
    assert "该字段是必填字段" in html and "不是有效的日期值" in html
