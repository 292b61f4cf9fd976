"""Security basics: CSRF on every form, escaping, cookie flags, headers."""
from core.db import db
from core.registry.models import Customer
from core.testing import login, make_customer, post_form


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, users):
    customer = make_customer("原名", users["rep_east"])
    login(client, "rep_east")
    response = client.post(f"/customers/{customer.id}/edit", data={
        "name": "改名", "business_type": "farm", "region_id": customer.region_id,
        "version_id": customer.version_id})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).name == "原名"


def test_login_without_csrf_token_is_refused(client, users):
    response = client.post("/login", data={"username": "rep_east", "password": "secret-pass"})
    assert response.status_code == 400
    assert client.get("/customers/").status_code == 302


def test_logout_and_language_need_csrf_too(client, users):
    login(client, "rep_east")
    assert client.post("/logout").status_code == 400
    assert client.post("/language", data={"locale": "en"}).status_code == 400


def test_script_typed_into_a_field_comes_back_escaped(client, users):
    login(client, "rep_east")
    evil = "<script>alert('x')</script>"
    response = post_form(client, "/customers/new", {
        "name": evil, "business_type": "farm", "region_id": users["rep_east"].region_id,
        "notes": evil, "is_prospect": "y"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html
    listing = client.get("/customers/").get_data(as_text=True)
    assert "<script>alert" not in listing


def test_session_cookie_is_httponly_and_samesite(client, users):
    response = login(client, "rep_east")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_setting_from_environment(monkeypatch, tmp_path):
    from core.app import create_app

    monkeypatch.setenv("GUANXI_SECURE_COOKIES", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_responses_carry_protective_headers(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_search_input_is_a_bound_parameter(client, users):
    make_customer("正常客户", users["rep_east"])
    login(client, "rep_east")
    html = client.get("/customers/?q=' OR 1=1 --").get_data(as_text=True)
    assert "正常客户" not in html
    assert client.get("/customers/?q=正常").get_data(as_text=True).count("正常客户") == 1
