"""Indicator over TCP via the simulator, the agent's push endpoint, and passes taken from a capture.

Stations and their tokens are configured as an operator does it: in the environment."""
import json
import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from core.testing import login, make_test_app, post_form, running
from plugins.logistics.indicator.reader import samples
from plugins.logistics.indicator.simulator import Simulator
from plugins.logistics.models import Trip
from tests.plugins.logistics.test_order_flow import new_order, ready_to_load


def test_reader_captures_a_stable_weight_from_the_tcp_simulator():
    sim = Simulator(protocol="yaohua", rate=20, settle=0.5).start()
    try:
        sim.weight = 25340
        deadline = time.monotonic() + 10
        captured = None
        for sample in samples(f"socket://127.0.0.1:{sim.port}", "yaohua"):
            if sample.captured is not None:
                captured = sample.captured
                break
            assert time.monotonic() < deadline, "no stable capture within 10 s"
        assert captured == Decimal(25340)
    finally:
        sim.stop()


def test_toledo_simulator_motion_flag():
    sim = Simulator(protocol="toledo", rate=20, settle=0.3).start()
    try:
        sim.weight = 15200
        seen = []
        for sample in samples(f"socket://127.0.0.1:{sim.port}", "toledo"):
            seen.append(sample.reading.stable)
            if sample.captured is not None:
                break
        assert False in seen and seen[-1] is True
    finally:
        sim.stop()


TOKEN = "s3cret-token-for-main"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(backend, tmp_path, monkeypatch):
    monkeypatch.setenv("GUANXI_LOGISTICS_STATIONS", json.dumps({"main": {"protocol": "yaohua"},
                                                                "north": {"protocol": "toledo"}}))
    monkeypatch.setenv("GUANXI_LOGISTICS_STATION_TOKENS", json.dumps({"main": TOKEN}))
    with running(make_test_app(backend, tmp_path)) as application:
        yield application


def test_agent_push_needs_the_station_token(app, world):
    client = app.test_client()
    url = "/logistics/stations/main/readings"
    assert client.post(url, json={"weight": 15200}).status_code == 403
    assert client.post(url, json={"weight": 15200}, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.post(url, json={"weight": 15200}, headers={"Authorization": "Bearer 称重"}).status_code == 403
    assert client.post("/logistics/stations/north/readings", json={"weight": 1}, headers=BEARER).status_code == 403
    assert client.post(url, json={"weight": "x"}, headers=BEARER).status_code == 400
    ok = client.post(url, json={"weight": 15200, "stable": True, "captured": 15200}, headers=BEARER)
    assert ok.status_code == 200
    login(client, "weigher")
    reading = client.get("/logistics/stations/main/reading.json").get_json()
    assert reading["weight"] == 15200 and reading["captured"] == 15200


def test_pass_from_a_capture_is_not_manual_and_a_stale_claim_is_refused(app, world):
    client = app.test_client()
    order = new_order(world)
    ready_to_load(world, order)
    client.post("/logistics/stations/main/readings", json={"weight": 15200, "captured": 15200}, headers=BEARER)
    login(client, "weigher")
    refused = post_form(client, "/logistics/station", {"order_id": order.id, "plate": "豫A·12345", "weight": 15300,
                                                       "source": "indicator", "station": "main"},
                        follow_redirects=True)
    assert "重新读取" in refused.get_data(as_text=True)
    post_form(client, "/logistics/station", {"order_id": order.id, "plate": "豫A·12345", "weight": 15200,
                                             "source": "indicator", "station": "main"})
    trip = db.session.scalar(select(Trip))
    assert trip.tare_kg == 15200 and trip.tare_manual is False


def test_commands_are_registered(app):
    result = app.test_cli_runner().invoke(args=["weighbridge-agent", "--help"])
    assert result.exit_code == 0 and "--indicator" in result.output
    assert app.test_cli_runner().invoke(args=["weighbridge-simulator", "--help"]).exit_code == 0


def test_stations_configured_in_settings_are_the_ones_the_station_page_reads(app, world):
    client = app.test_client()
    login(client, "weigher")
    page = client.get("/logistics/station").get_data(as_text=True)
    assert "/logistics/stations/main/reading.json" in page
    assert client.get("/logistics/stations/north/reading.json").get_json() == {"station": "north", "weight": None}
    assert client.get("/logistics/stations/elsewhere/reading.json").status_code == 404


def test_the_settings_page_shows_stations_and_hides_their_tokens(app, world):
    client = app.test_client()
    login(client, "admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    section = page.split('id="section-logistics"')[1]
    assert "GUANXI_LOGISTICS_STATIONS" in section and "&#34;north&#34;" in section
    assert TOKEN not in page and "GUANXI_LOGISTICS_STATION_TOKENS" in section
