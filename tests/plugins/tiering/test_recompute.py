"""Recompute on imported monthly sales with logistics disabled: grades with reasons, snapshots,
events, follow-up tasks, the query count, the manager's button and the command."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.db import db
from core.events import commit
from core.tasks import Task
from core.testing import QueryCounter, login, make_customer, post_form
from plugins.tiering.models import Grade, MonthlySale, Run, Snapshot
from plugins.tiering.recompute import recompute
from tests.plugins.tiering.conftest import steady_customer

pytestmark = pytest.mark.guanxi_plugins("tiering")


def grades():
    return {g.customer_id: g for g in db.session.scalars(select(Grade))}


def test_the_top_20_are_key_and_the_page_says_why(app, users, manager, client):
    customers = [steady_customer(f"客户{i:02d}", users["rep_east"], 10 + i, code=f"K{i:03d}") for i in range(25)]
    recompute("command")
    commit()
    found = grades()
    key = {c.id for c in customers if found[c.id].grade == "key"}
    assert key == {c.id for c in customers[5:]}
    seventh = customers[24 - 6]  # 28 t a month: rank 7
    assert found[seventh.id].key_rank == 7 and found[seventh.id].ranked == 25
    login(client, "cm_head")
    page = client.get(f"/customers/{seventh.id}").get_data(as_text=True)
    assert "重点：按近 12 个月发货吨数在 25 个客户中排第 7 名（336 吨）；前 20 名为重点客户。" in page
    manager.locale = "en"
    db.session.commit()
    page = client.get(f"/customers/{seventh.id}").get_data(as_text=True)
    assert "Key: rank 7 of 25 by shipped tonnes over the last 12 months (336 t); the top 20 are key." in page


def test_the_computed_size_class_replaces_the_typed_one_in_list_filter_and_export(app, users, manager, client):
    big = steady_customer("甲饲料", users["rep_east"], 100, code="B001")
    small = steady_customer("乙饲料", users["rep_east"], 1, code="B002")
    big.size_class = "C"
    db.session.commit()
    recompute("command")
    commit()
    login(client, "cm_head")
    listed = client.get("/customers/?size_class=A").get_data(as_text=True)
    assert "甲饲料" in listed and "乙饲料" not in listed
    exported = client.get("/customers/export.csv?size_class=C").get_data(as_text=True)
    assert "乙饲料" in exported and "甲饲料" not in exported
    assert ">A<" in client.get(f"/customers/{big.id}").get_data(as_text=True).replace("<dd>", ">")
    form = client.get(f"/customers/{small.id}/edit").get_data(as_text=True)
    assert 'name="size_class"' not in form


def test_snapshots_keep_what_changed_with_the_rule_version_and_inputs(app, users):
    customer = steady_customer("双力饲料", users["rep_east"], 20)
    recompute("command")
    commit()
    db.session.execute(MonthlySale.__table__.update().where(  # the last three months collapse
        MonthlySale.customer_id == customer.id, MonthlySale.month >= date.today().replace(day=1)
        - timedelta(days=62)).values(shipped_kg=2000))
    db.session.commit()
    recompute("command")
    commit()
    history = db.session.scalars(select(Snapshot).where(Snapshot.customer_id == customer.id)
                                 .order_by(Snapshot.id)).all()
    assert len(history) == 2
    assert history[1].changes["churn"] == [False, True]
    assert "grade" not in history[1].changes  # the only customer stays key
    assert history[0].changes["grade"] == [None, "key"]
    assert history[1].rule_version == 1 and history[1].inputs["kg_last_90"] < history[1].inputs["kg_prev_90"]


def test_entering_churn_fires_tier_changed_and_gives_the_rep_a_task(app, users, manager):
    heard = []

    class Listener:
        from core.hookspecs import hookimpl

        @hookimpl
        def tier_changed(self, customer, old_tier, new_tier, changes):
            heard.append((customer.id, old_tier, new_tier, changes))

    app.extensions["guanxi"].pm.register(Listener(), name="listener")
    try:
        for i in range(21):
            steady_customer(f"大户{i}", users["rep_east"], 100 + i)
        falling = steady_customer("流失客户", users["rep_west"], 5)
        recompute("command")
        commit()
        assert heard == []  # a first grading is a baseline: nobody moved
        db.session.execute(MonthlySale.__table__.update().where(
            MonthlySale.customer_id == falling.id,
            MonthlySale.month >= date.today().replace(day=1) - timedelta(days=62)).values(shipped_kg=500))
        db.session.commit()
        recompute("nightly")
        commit()
    finally:
        app.extensions["guanxi"].pm.unregister(name="listener")
    assert [(cid, old, new) for cid, old, new, _ in heard] == [(falling.id, "general", "focus")]
    assert heard[0][3]["churn"] == [False, True] and heard[0][3]["grade"] == ["general", "focus"]
    task = db.session.scalar(select(Task).where(Task.kind == "tiering.follow_up"))
    assert task.assignee_id == users["rep_west"].id and task.record_id == falling.id
    assert "churn" in task.title
    from core.notifications import Notification

    told = db.session.scalars(select(Notification)).all()
    assert any("follow-up" in n.subject for n in told)


def test_leaving_key_creates_a_follow_up_once(app, users, manager):
    top = [steady_customer(f"大户{i}", users["rep_east"], 100 + i) for i in range(20)]
    newcomer = steady_customer("后来者", users["rep_east"], 1)
    recompute("command")
    commit()
    db.session.execute(MonthlySale.__table__.update().where(MonthlySale.customer_id == newcomer.id)
                       .values(shipped_kg=500_000))
    db.session.commit()
    recompute("command")
    commit()
    recompute("command")
    commit()
    tasks = db.session.scalars(select(Task).where(Task.kind == "tiering.follow_up")).all()
    assert [t.record_id for t in tasks] == [top[0].id]
    assert "no longer a key customer" in tasks[0].title


def test_recompute_queries_do_not_grow_with_customers(app, users):
    from core.settings import setting

    setting("tiering.key_count")  # the company settings are read once per context, before counting

    def counted(n):
        for i in range(n):
            steady_customer(f"客户{n}-{i}", users["rep_east"], 5 + i, months=8)
        make_customer(f"潜在{n}", users["rep_east"], is_prospect=True)
        db.session.commit()
        with QueryCounter() as first:
            recompute("command")
            commit()
        with QueryCounter() as second:
            recompute("command")
            commit()
        db.session.execute(Grade.__table__.delete())
        db.session.execute(Snapshot.__table__.delete())
        db.session.execute(MonthlySale.__table__.delete())
        db.session.commit()
        return first.count, second.count

    assert counted(3) == counted(30)


def test_an_empty_company_recomputes_to_nothing(app, users):
    run = recompute("command")
    commit()
    assert (run.customers, run.changed) == (0, 0)
    assert db.session.scalars(select(Grade)).all() == []


def test_a_manager_recomputes_from_the_page_with_a_progress_page(app, users, manager, client):
    steady_customer("双力饲料", users["rep_east"], 20)
    login(client, "cm_head")
    page = client.get("/tiering/").get_data(as_text=True)
    assert "tiering-recompute" in page
    response = post_form(client, "/tiering/recompute", {}, page="/tiering/")
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已分级 1 个客户，变动 0 个。" in job_page  # a first grading moves nobody
    assert db.session.scalar(select(Run.trigger)) == "manual"


def test_a_rep_may_not_recompute(app, users, client):
    login(client, "rep_east")
    assert "tiering-recompute" not in client.get("/tiering/").get_data(as_text=True)
    assert post_form(client, "/tiering/recompute", {}, page="/tiering/").status_code == 403


def test_the_command_shows_progress_and_what_moved(app, users):
    steady_customer("双力饲料", users["rep_east"], 20)
    result = app.test_cli_runner().invoke(args=["tiering", "recompute"])
    assert result.exit_code == 0, result.output
    assert "Recomputing grades" in result.output
    assert "1 customers graded, 0 moved (rule version 1) in " in result.output


def test_a_rep_sees_when_grades_were_computed_but_not_the_company_wide_movements(app, users, client):
    steady_customer("双力饲料", users["rep_east"], 20)
    run = recompute("command")
    commit()
    login(client, "rep_east")
    page = client.get("/tiering/").get_data(as_text=True)
    assert "等级计算于" in page and f"/tiering/runs/{run.id}" not in page
    assert client.get(f"/tiering/runs/{run.id}").status_code == 403


def test_a_run_keeps_the_rule_version_and_the_thresholds_it_used(app, users):
    steady_customer("双力饲料", users["rep_east"], 20)
    run = recompute("command")
    commit()
    assert run.rule_version == 1
    assert run.thresholds["key_count"] == 20 and run.thresholds["abc_method"] == "before"
    assert run.thresholds["abc_a_share"] == "0.80" and run.thresholds["pyramid_shares"][0] == "0.01"


def test_a_customers_newest_snapshots_are_read_through_one_index(app):
    """The customer page asks for a customer's newest snapshots; an index on (customer, time) finds
    them directly instead of walking every customer's snapshots newest first (slow at 100k)."""
    from sqlalchemy import inspect

    indexes = {i["name"]: i["column_names"] for i in inspect(db.engine).get_indexes("tiering_snapshots")}
    assert indexes["ix_tiering_snapshots_customer_time"] == ["customer_id", "computed_at", "id"]
