"""Logging out, and a new password, end every session of the user, including copied cookies."""
from core.testing import login, post_form


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_a_cookie_copied_before_logout_no_longer_works_after_it(app, client, users):
    login(client, "rep_east")
    captured = session_cookie(client)
    assert with_cookie(app, captured).get("/customers/").status_code == 200
    post_form(client, "/logout", {}, page="/")
    assert with_cookie(app, captured).get("/customers/").status_code == 302


def test_logging_out_ends_the_sessions_on_other_devices_too(app, users):
    office, phone = app.test_client(), app.test_client()
    login(office, "rep_east")
    login(phone, "rep_east")
    post_form(office, "/logout", {}, page="/")
    assert phone.get("/customers/").status_code == 302
    assert login(phone, "rep_east").status_code == 302  # logging in again works
    assert phone.get("/customers/").status_code == 200


def test_a_password_reset_ends_every_session_of_that_user(app, client, users):
    login(client, "rep_east")
    bystander = app.test_client()
    login(bystander, "rep_west")
    result = app.test_cli_runner().invoke(args=["users", "reset-password", "rep_east", "--password", "饲料厂新密码-2026"])
    assert result.exit_code == 0, result.output
    assert client.get("/customers/").status_code == 302
    assert bystander.get("/customers/").status_code == 200
    assert login(client, "rep_east", "饲料厂新密码-2026").status_code == 302
