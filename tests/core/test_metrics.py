"""Customer metrics: declared by plugins, answered by exactly one plugin each, in three forms."""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from core.api import Plugin, PluginError, hookimpl
from core.app import create_app
from core.contract import Metric, Period
from core.db import db
from core.metrics import customer_metrics, local_months, metric_sources, months
from core.testing import make_customer, make_test_app


class ErpSync(Plugin):
    """Answers shipped_kg from an outside ERP, one fixed figure per customer (a test plugin)."""

    @hookimpl
    def register_metrics(self, app):
        return [Metric("shipped_kg", "kg", "Shipped (ERP)", "Net kg as the ERP books it."),
                Metric("erp_since", "datetime", "In the ERP since", "First booking.", per_month=False)]

    @hookimpl
    def customer_metrics(self, app, customer_ids, period, series):
        ids = customer_ids if isinstance(customer_ids, list) else db.session.scalars(customer_ids).all()
        if series:
            return {cid: {"shipped_kg": {"2026-01": 7}, "erp_since": {"2026-01": 1}} for cid in ids}
        return {cid: {"shipped_kg": 999, "erp_since": datetime(2020, 1, 1), "undeclared": 1} for cid in ids}


def build(tmp_path, plugins, **config):
    return create_app({"TESTING": True, "GUANXI_PLUGINS": plugins, "GUANXI_EXTRA_PLUGINS": {"erpsync": ErpSync},
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                       "INSTANCE_PATH": str(tmp_path / "instance"), **config})


def test_each_metric_is_declared_with_unit_label_and_owner(tmp_path):
    known = build(tmp_path, "logistics").extensions["guanxi_metrics"]
    assert known.owners["shipped_kg"] == "logistics" and known.metrics["shipped_kg"].unit == "kg"
    assert known.metrics["first_order_at"].per_month is False


def test_two_plugins_answering_one_metric_stop_the_start_naming_both(tmp_path):
    with pytest.raises(PluginError, match=r"'shipped_kg' is answered by plugins 'erpsync', 'logistics'; "
                                          r"choose one with GUANXI_METRIC_SOURCES"):
        build(tmp_path, "logistics,erpsync")


def test_a_source_that_does_not_answer_the_metric_does_not_resolve_it(tmp_path):
    with pytest.raises(PluginError, match="the source set for it, 'tiering', does not answer it"):
        build(tmp_path, "logistics,erpsync", GUANXI_METRIC_SOURCES={"shipped_kg": "tiering"})


def test_the_source_setting_is_read_through_one_function(tmp_path):
    app = build(tmp_path, "logistics,erpsync", GUANXI_METRIC_SOURCES={"shipped_kg": "erpsync"})
    assert metric_sources(app) == {"shipped_kg": "erpsync"}
    assert app.extensions["guanxi_metrics"].owners["shipped_kg"] == "erpsync"
    assert app.extensions["guanxi_metrics"].owners["order_count"] == "logistics"


@pytest.mark.parametrize("source", ["erpsync", "logistics"])
def test_the_named_source_answers_and_the_other_plugins_figure_is_dropped(backend, tmp_path, source):
    app = make_test_app(backend, tmp_path, plugins=["logistics", "erpsync"],
                        GUANXI_EXTRA_PLUGINS={"erpsync": ErpSync}, GUANXI_METRIC_SOURCES={"shipped_kg": source})
    with app.app_context():
        from core.testing import make_user
        from plugins.logistics.models import Product
        from plugins.logistics.services import LineInput, create_order

        rep = make_user("rep", ("rep",), "east")
        customer = make_customer("客户", rep)
        feed = Product(code="P1", name="猪料", bag_weight_kg=40, price_cents_per_tonne=300000)
        db.session.add(feed)
        create_order(customer, [LineInput(feed, tonnes="5")], make_user("office", ("coordinator",)))
        db.session.commit()
        figures = customer_metrics([customer.id])[customer.id]
        assert figures["shipped_kg"] == (999 if source == "erpsync" else 0)
        assert figures["order_count"] == 1 and figures["erp_since"] == datetime(2020, 1, 1)
        assert "undeclared" not in figures  # only declared metrics pass
        db.session.remove()
        db.engine.dispose()


def test_a_series_has_every_month_of_the_period_and_only_per_month_metrics(tmp_path):
    app = build(tmp_path, "erpsync")
    with app.app_context():
        series = customer_metrics([1, 2], local_months(date(2026, 1, 1), date(2026, 3, 1)), series="month")
    assert series == {cid: {"shipped_kg": {"2026-01": 7, "2026-02": 0, "2026-03": 0}} for cid in (1, 2)}


def test_months_follow_the_company_timezone(tmp_path):
    app = build(tmp_path, "")
    with app.app_context():
        period = local_months(date(2026, 1, 1), date(2026, 2, 1))
        assert period == Period(datetime(2025, 12, 31, 16), datetime(2026, 2, 28, 16))  # Shanghai is UTC+8
        assert months(period) == [("2026-01", datetime(2026, 1, 31, 16)), ("2026-02", datetime(2026, 2, 28, 16))]
        clipped = Period(datetime(2026, 1, 20), datetime(2026, 2, 10))
        assert months(clipped) == [("2026-01", datetime(2026, 1, 31, 16)), ("2026-02", datetime(2026, 2, 10))]


def test_series_need_a_bounded_period_and_the_all_customers_form_a_user(tmp_path):
    app = build(tmp_path, "erpsync")
    with app.app_context():
        with pytest.raises(ValueError, match="start and an end"):
            customer_metrics([1], Period(datetime(2026, 1, 1), None), series="month")
        with pytest.raises(ValueError, match="at most 120 months"):
            customer_metrics([1], local_months(date(2000, 1, 1), date(2026, 1, 1)), series="month")
        with pytest.raises(ValueError, match="pass user"):
            customer_metrics(None)
        with pytest.raises(ValueError, match="unknown series"):
            customer_metrics([1], series="week")
        assert customer_metrics([]) == {}


def test_the_all_customers_form_answers_only_what_the_user_may_see(app, users):
    from core.registry.models import Customer

    mine = make_customer("东区客户", users["rep_east"])
    theirs = make_customer("西区客户", users["rep_west"])
    seen = {}

    class Probe:
        @hookimpl
        def customer_metrics(self, app, customer_ids, period, series):
            seen["ids"] = set(db.session.scalars(customer_ids))
            return {}

    app.extensions["guanxi"].pm.register(Probe(), name="probe")
    try:
        customer_metrics(None, user=users["rep_east"])
        assert seen["ids"] == {mine.id}
        customer_metrics([mine.id, theirs.id], user=users["rep_east"])  # a list is narrowed too
        assert seen["ids"] == {mine.id}
        customer_metrics(select(Customer.id))  # a Select is passed as it is
        assert seen["ids"] == {mine.id, theirs.id}
    finally:
        app.extensions["guanxi"].pm.unregister(name="probe")
