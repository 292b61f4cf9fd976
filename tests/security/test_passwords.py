"""One password policy for the admin form, the command line and every password change."""
import pytest
from sqlalchemy import select

from core.auth.models import User
from core.db import db
from core.testing import login, make_user, post_form


def create(client, username, password):
    return post_form(client, "/admin/users", {"username": username, "display_name": "新人", "region_id": 0,
                                               "roles": ["rep"], "password": password, "confirm": password})


@pytest.mark.parametrize(("password", "message"), [
    ("12345678", "密码至少需要 10 个字符。"),
    ("Abc-1234!", "密码至少需要 10 个字符。"),
    ("1234567890", "这是最常见的密码之一，请换一个。"),
    ("Password123", "这是最常见的密码之一，请换一个。"),
    ("Rep_Newbie_1", "密码不能与用户名相同。"),
])
def test_the_admin_form_refuses_weak_passwords(client, users, password, message):
    login(client, "admin")
    page = create(client, "rep_newbie_1", password)
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "rep_newbie_1")) is None


def test_the_admin_form_accepts_a_long_uncommon_password(client, users):
    login(client, "admin")
    assert create(client, "rep_newbie_1", "麦麸-豆粕-玉米-2026").status_code == 302


@pytest.mark.parametrize(("password", "message"), [
    ("pw-12345", "密码至少需要 10 个字符。"), ("QwertyUiop", "这是最常见的密码之一"), (None, "密码不能与用户名相同"),
])
def test_the_command_line_refuses_weak_passwords_on_create_and_reset(app, users, password, message):
    make_user("rep_zhangsan")
    runner = app.test_cli_runner()
    created = runner.invoke(args=["users", "create", "weigher_li_01", "--role", "weigher",
                                  "--password", password or "Weigher_Li_01"])
    assert created.exit_code != 0 and message in created.output
    assert db.session.scalar(select(User).where(User.username == "weigher_li_01")) is None
    reset = runner.invoke(args=["users", "reset-password", "rep_zhangsan", "--password", password or "rep_zhangsan"])
    assert reset.exit_code != 0 and message in reset.output
    assert login(app.test_client(), "rep_zhangsan").status_code == 302  # the old password still works
