"""The in-app inbox: messages per user and per role, unread count in the header."""
from core.db import db
from core.i18n import N_
from core.notifications import inbox, notify, unread_count
from core.testing import login, post_form


def test_user_and_role_messages_reach_the_right_people(app, users):
    notify(N_("Customer %(name)s was created."), users=[users["rep_east"].id], params={"name": "双力"})
    notify(N_("Archives await verification."), roles=["regional_manager"])
    db.session.commit()
    assert unread_count(users["rep_east"]) == 1
    assert unread_count(users["rm_east"]) == 1
    assert unread_count(users["rep_west"]) == 0
    with app.test_request_context():
        assert [n.text() for n, _read in inbox(users["rep_east"])] == ["Customer 双力 was created."]


def test_header_shows_unread_count_and_reading_clears_it(client, users):
    notify(N_("Archives await verification."), roles=["regional_manager"], link="/customers/")
    notify(N_("Archives await verification."), users=[users["rm_east"].id])
    db.session.commit()
    login(client, "rm_east")
    html = client.get("/").get_data(as_text=True)
    assert '<span class="badge" id="unread-count">2</span>' in html
    inbox_page = client.get("/notifications").get_data(as_text=True)
    assert inbox_page.count("Archives await verification.") == 2
    note_id = inbox(users["rm_east"])[0][0].id
    post_form(client, f"/notifications/{note_id}/read", {}, page="/notifications")
    assert '<span class="badge" id="unread-count">1</span>' in client.get("/").get_data(as_text=True)


def test_someone_elses_message_cannot_be_marked(client, users):
    (note,) = notify(N_("Archives await verification."), users=[users["rep_west"].id])
    db.session.commit()
    login(client, "rep_east")
    response = post_form(client, f"/notifications/{note.id}/read", {}, page="/notifications")
    assert response.status_code == 404
    assert unread_count(users["rep_west"]) == 1


def test_inbox_merges_the_newest_of_every_address_and_counts_through_the_indexes(app, users):
    from datetime import timedelta

    from core.db import utcnow
    from core.notifications import NotificationRead

    user = users["rm_east"]
    user.roles.append(users["specialist"].roles[0])  # two roles and personal messages
    start = utcnow() - timedelta(days=1)
    for n in range(9):
        (note,) = notify(N_("Archives await verification."), users=[user.id]) if n % 3 == 0 else notify(
            N_("Archives await verification."), roles=["regional_manager" if n % 3 == 1 else "specialist"])
        note.created_at = start + timedelta(minutes=(n * 7) % 9)  # ids and times in other orders
        note.params = {"n": n}
    notify(N_("Archives await verification."), roles=["admin"])  # not theirs
    db.session.commit()
    newest = inbox(user, limit=4)
    assert [n.params["n"] for n, _read in newest] == [5, 1, 6, 2]  # minutes (n * 7) % 9: 8, 7, 6, 5
    db.session.add(NotificationRead(notification_id=newest[0][0].id, user_id=user.id))
    db.session.commit()
    assert unread_count(user) == 8 and [read for _n, read in inbox(user, limit=2)] == [True, False]
