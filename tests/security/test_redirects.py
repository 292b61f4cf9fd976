"""Every ``next`` parameter goes through one check: only a path on this site is followed."""
import pytest

from core.redirects import safe_target
from core.testing import post_form

HOSTILE = ["//evil.example/x", "/\\evil.example", "https://evil.example/", "javascript:alert(1)",
           "/\t/evil.example", "\\\\evil.example", "http:/evil.example", " //evil.example"]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_fall_back(target):
    assert safe_target(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/customers/7", "/customers/?q=%E5%8D%8E&page=2", "/"])
def test_paths_on_this_site_are_kept(target):
    assert safe_target(target, "/home") == target


@pytest.mark.parametrize("target", HOSTILE[:3])
def test_login_language_and_notification_next_stay_on_the_site(client, users, target):
    response = post_form(client, f"/login?next={target}", {"username": "rep_east",
                                                           "password": "secret-pass"}, page="/login")
    assert response.headers["Location"] == "/"
    response = post_form(client, "/language", {"locale": "en", "next": target}, page="/")
    assert response.headers["Location"] == "/"
    from core.db import db
    from core.notifications import notify

    note = notify("x", users=[users["rep_east"].id])[0]
    db.session.commit()
    response = post_form(client, f"/notifications/{note.id}/read", {"next": target}, page="/notifications")
    assert response.headers["Location"] == "/notifications"
