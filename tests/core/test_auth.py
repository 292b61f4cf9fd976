"""Login, logout, throttling, roles, the permission matrix and user administration."""
from datetime import timedelta

from sqlalchemy import select, update

from core.auth.models import LoginThrottle, Role, RolePermission, User
from core.auth.roles import ROLES
from core.auth.throttle import locked_accounts
from core.db import db, utcnow
from core.testing import csrf_token, login, post_form


def test_roles_of_the_department_are_seeded(app):
    assert set(db.session.scalars(select(Role.code))) == set(ROLES)


def test_passwords_are_hashed_with_scrypt_by_default(tmp_path):
    from core.app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        user = User(username="u", display_name="u")
        user.set_password("secret-pass")
    assert user.password_hash.startswith("scrypt:") and "secret-pass" not in user.password_hash
    assert user.check_password("secret-pass") and not user.check_password("secret")


def test_login_and_logout(client, users):
    assert client.get("/customers/").status_code == 302
    assert login(client, "rep_east").headers["Location"] == "/"
    assert client.get("/customers/").status_code == 200
    post_form(client, "/logout", {}, page="/")
    assert client.get("/customers/").status_code == 302


def test_wrong_password_shows_a_form_message(client, users):
    page = login(client, "rep_east", "nope")
    assert page.status_code == 200
    assert "Wrong user name or password" in page.get_data(as_text=True) or "用户名或密码错误" in page.get_data(as_text=True)


def test_five_failures_lock_the_account_for_fifteen_minutes(client, users):
    for _ in range(4):
        login(client, "rep_east", "wrong")
    text = login(client, "rep_east", "wrong").get_data(as_text=True)
    assert "15" in text and ("锁定" in text or "locked" in text)
    # even the right password is refused while locked
    refused = login(client, "rep_east")
    assert refused.status_code == 200 and ("锁定" in refused.get_data(as_text=True))
    locked = locked_accounts(["rep_east"])["rep_east"]
    assert locked > utcnow() + timedelta(minutes=14)
    # after the lock expires the right password works
    db.session.execute(update(LoginThrottle).values(reset_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert login(client, "rep_east").status_code == 302


def test_lock_counts_per_account(client, users):
    for _ in range(5):
        login(client, "rep_east", "wrong")
    assert login(client, "rep_west").status_code == 302


def test_open_redirect_after_login_is_refused(client, users):
    token = csrf_token(client, "/login")
    response = client.post("/login?next=https://evil.example/", data={
        "csrf_token": token, "username": "rep_east", "password": "secret-pass"})
    assert response.headers["Location"] == "/"


def test_admin_grants_and_revokes_a_permission_on_the_roles_page(client, users):
    login(client, "admin")
    rep = db.session.scalar(select(Role).where(Role.code == "rep"))
    granted = [f"{rp.role_id}:{rp.permission}" for rp in db.session.scalars(select(RolePermission))]
    assert f"{rep.id}:customers.export" not in granted
    response = post_form(client, "/admin/roles", {"grant": granted + [f"{rep.id}:customers.export"]})
    assert response.status_code == 302
    assert db.session.get(RolePermission, (rep.id, "customers.export"))
    post_form(client, "/admin/roles", {"grant": [g for g in granted if g != f"{rep.id}:customers.create"]})
    db.session.expire_all()
    assert db.session.get(RolePermission, (rep.id, "customers.create")) is None
    assert db.session.get(RolePermission, (rep.id, "customers.export")) is None


def test_revoked_default_grant_stays_revoked_after_resync(app, users):
    from core.auth.permissions import sync_roles_and_permissions

    rep = db.session.scalar(select(Role).where(Role.code == "rep"))
    db.session.delete(db.session.get(RolePermission, (rep.id, "customers.create")))
    db.session.commit()
    sync_roles_and_permissions()
    assert db.session.get(RolePermission, (rep.id, "customers.create")) is None


def test_roles_page_is_for_admins_only(client, users):
    login(client, "specialist")
    assert client.get("/admin/roles").status_code == 403


def test_admin_creates_a_user_with_roles_and_region(client, users):
    login(client, "admin")
    response = post_form(client, "/admin/users", {
        "username": "rep_new", "display_name": "新代表", "region_id": users["rep_east"].region_id,
        "roles": ["rep"], "password": "long-enough", "confirm": "long-enough"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "rep_new"))
    assert user.role_codes == {"rep"} and user.region_id == users["rep_east"].region_id
    other = post_form(client, "/admin/users", {"username": "rep_new", "display_name": "x", "region_id": 0,
                                                "password": "long-enough", "confirm": "long-enough"})
    assert other.status_code == 200
    assert "该用户名已被使用" in other.get_data(as_text=True)


def test_short_password_is_a_form_error(client, users):
    login(client, "admin")
    page = post_form(client, "/admin/users", {"username": "x1", "display_name": "x", "region_id": 0,
                                               "password": "short", "confirm": "short"})
    assert page.status_code == 200 and 'class="error"' in page.get_data(as_text=True)


def test_cli_creates_a_user_and_resets_a_password(app, users):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "weigher1", "--role", "weigher", "--password", "pw-1234567"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "weigher1"))
    assert user.role_codes == {"weigher"} and user.check_password("pw-1234567")
    bad = runner.invoke(args=["users", "create", "x", "--role", "pilot", "--password", "pw-1234567"])
    assert bad.exit_code != 0 and "Unknown role" in bad.output
    for _ in range(5):
        login(app.test_client(), "rep_east", "wrong")
    assert "rep_east" in locked_accounts(["rep_east"])
    reset = runner.invoke(args=["users", "reset-password", "rep_east", "--password", "new-pass-1"])
    assert reset.exit_code == 0
    db.session.expire_all()
    user = db.session.get(User, users["rep_east"].id)
    assert user.check_password("new-pass-1") and locked_accounts(["rep_east"]) == {}


def test_user_names_match_without_regard_to_case_everywhere(client, users, app):
    login(client, "admin")
    clash = post_form(client, "/admin/users", {"username": " Rep_East ", "display_name": "冒名", "region_id": 0,
                                                "password": "long-enough", "confirm": "long-enough"})
    assert clash.status_code == 200 and "该用户名已被使用" in clash.get_data(as_text=True)
    created = post_form(client, "/admin/users", {"username": "Weigher_Li", "display_name": "李", "region_id": 0,
                                                  "roles": ["weigher"], "password": "long-enough",
                                                  "confirm": "long-enough"})
    assert created.status_code == 302
    assert db.session.scalar(select(User.username).where(User.display_name == "李")) == "weigher_li"
    runner = app.test_cli_runner()
    again = runner.invoke(args=["users", "create", "REP_WEST", "--role", "rep", "--password", "pw-1234567"])
    assert again.exit_code != 0 and "exists already" in again.output
    reset = runner.invoke(args=["users", "reset-password", "Rep_West", "--password", "new-pass-1"])
    assert reset.exit_code == 0, reset.output
    fresh = app.test_client()
    assert login(fresh, "REP_WEST", "new-pass-1").status_code == 302
