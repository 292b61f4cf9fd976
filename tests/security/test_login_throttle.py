"""Login throttling: by account and by address, without locking out a user's own browser, with one
answer for real and unknown names, and counters that hold under concurrent requests."""
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from core.auth import service
from core.auth.models import LoginThrottle
from core.db import db, utcnow
from core.testing import csrf_token, login, make_test_app, make_user

STRANGER = "203.0.113.66"
OFFICE = "198.51.100.10"


def attempt(client, username, password="wrong-password", address=OFFICE):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def message(response) -> str:
    """What the person sees under the password field."""
    found = re.search(r'class="error"[^>]*>([^<]+)<', response.get_data(as_text=True))
    return found.group(1).strip() if found else ""


def expire_locks():
    db.session.execute(update(LoginThrottle).values(reset_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_a_stranger_cannot_lock_a_user_out_of_the_browser_they_use(app, users):
    own = app.test_client()
    assert attempt(own, "admin", "secret-pass").status_code == 302  # the admin's usual browser
    stranger = app.test_client()
    for _ in range(8):
        attempt(stranger, "admin", address=STRANGER)
    assert "锁定" in message(attempt(stranger, "admin", "secret-pass", address=STRANGER))
    colleague = app.test_client()  # same office address, a browser that never logged in as admin
    for _ in range(8):
        attempt(colleague, "admin")
    fresh = app.test_client()
    fresh.set_cookie("guanxi_device", own.get_cookie("guanxi_device").value)
    assert attempt(own, "admin", "secret-pass").status_code == 302
    assert attempt(fresh, "admin", "secret-pass").status_code == 302


def test_a_known_browser_still_has_its_own_limit(app, users):
    own = app.test_client()
    attempt(own, "rep_east", "secret-pass")
    for _ in range(5):
        attempt(own, "rep_east")
    assert "锁定" in message(attempt(own, "rep_east", "secret-pass"))


def test_one_address_trying_many_names_is_stopped(app, users):
    spray = app.test_client()
    for n in range(30):
        attempt(spray, f"guess{n}", address=STRANGER)
    assert "锁定" in message(attempt(spray, "rep_west", "secret-pass", address=STRANGER))
    assert attempt(app.test_client(), "rep_west", "secret-pass").status_code == 302  # other addresses log in
    expire_locks()
    assert attempt(spray, "rep_west", "secret-pass", address=STRANGER).status_code == 302


def test_successful_logins_from_one_address_do_not_use_up_its_limit(app, users):
    for n in range(35):
        make_user(f"rep_{n:02d}", region="east")
    for n in range(35):
        assert attempt(app.test_client(), f"rep_{n:02d}", "secret-pass").status_code == 302


def test_unknown_names_get_the_same_answers_as_real_ones(app, users, monkeypatch):
    checks: list[str] = []
    real_check = service.check_password_hash
    monkeypatch.setattr(service, "check_password_hash", lambda h, p: checks.append(p) or real_check(h, p))
    real, unknown = app.test_client(), app.test_client()
    answers = []
    for n in range(7):
        answers.append((message(attempt(real, "rep_east", f"try-{n}")), message(attempt(unknown, "nobody", f"try-{n}"))))
    assert all(mine == theirs for mine, theirs in answers), answers
    assert answers[0][0] == "用户名或密码错误。"
    assert "锁定" in answers[4][0] and "15" in answers[4][0]
    assert checks == [f"try-{n}" for n in range(5) for _ in range(2)]  # a hash check for each, then none


def test_resetting_the_password_unlocks_the_account(app, users):
    stranger = app.test_client()
    for _ in range(5):
        attempt(stranger, "rep_east", address=STRANGER)
    result = app.test_cli_runner().invoke(args=["users", "reset-password", "rep_east", "--password", "饲料厂新密码-2026"])
    assert result.exit_code == 0, result.output
    assert attempt(app.test_client(), "rep_east", "饲料厂新密码-2026").status_code == 302


@pytest.mark.postgres
def test_parallel_wrong_passwords_are_checked_no_more_than_the_limit(backend, tmp_path, monkeypatch):
    if backend != "postgresql":
        pytest.skip("the race needs PostgreSQL's concurrent transactions")
    app = make_test_app("postgresql", tmp_path)
    with app.app_context():
        make_user("target")
        db.session.remove()
    checks: list[str] = []
    real_check = service.check_password_hash
    monkeypatch.setattr(service, "check_password_hash", lambda h, p: checks.append(p) or real_check(h, p))
    clients = [app.test_client() for _ in range(24)]
    tokens = [csrf_token(c, "/login") for c in clients]
    start = threading.Barrier(len(clients))
    answers: list[str] = []

    def worker(client, token):
        start.wait()
        response = client.post("/login", data={"csrf_token": token, "username": "target", "password": "wrong"},
                               environ_base={"REMOTE_ADDR": STRANGER})
        answers.append(message(response))

    threads = [threading.Thread(target=worker, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checks) == 5
    assert sum(a == "用户名或密码错误。" for a in answers) == 4
    assert len(answers) == 24 and all("锁定" in a for a in answers if a != "用户名或密码错误。")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_admin_sees_which_accounts_are_locked(app, client, users):
    for _ in range(5):
        attempt(app.test_client(), "rep_west", address=STRANGER)
    login(client, "admin")
    html = client.get("/admin/users").get_data(as_text=True)
    assert html.count("锁定至") == 1


def proxied_attempt(client, username, forwarded_for, password="wrong-password", address="127.0.0.1"):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "username": username, "password": password},
                       headers={"X-Forwarded-For": forwarded_for}, environ_base={"REMOTE_ADDR": address})


def test_without_a_configured_proxy_a_forged_forwarded_address_changes_nothing(app, users):
    spray = app.test_client()
    for n in range(30):
        proxied_attempt(spray, f"guess{n}", forwarded_for=f"192.0.2.{n}", address=STRANGER)
    refused = proxied_attempt(spray, "rep_west", forwarded_for="192.0.2.99", password="secret-pass", address=STRANGER)
    assert "锁定" in message(refused)


def test_behind_a_configured_proxy_each_forwarded_client_is_counted_alone(tmp_path, users):
    (tmp_path / "proxied").mkdir()
    proxied = make_test_app("sqlite", tmp_path / "proxied", GUANXI_TRUSTED_PROXIES=1)
    with proxied.app_context():
        make_user("rep_west")
        db.session.remove()
    spray = proxied.test_client()
    for n in range(30):
        proxied_attempt(spray, f"guess{n}", forwarded_for=STRANGER)
    assert "锁定" in message(proxied_attempt(spray, "rep_west", STRANGER, password="secret-pass"))
    other = proxied.test_client()
    assert proxied_attempt(other, "rep_west", OFFICE, password="secret-pass").status_code == 302
