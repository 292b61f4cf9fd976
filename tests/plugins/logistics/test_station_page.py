"""Found 7: the station page on a normal quick truck, with several weighbridges."""
import json

import pytest

from core.db import db
from core.testing import login
from plugins.logistics.services import load, take_gross, take_tare
from tests.plugins.logistics.test_order_flow import new_order, ready_to_load


@pytest.fixture
def weigher(app, world):
    client = app.test_client()
    login(client, "weigher")
    return client


def test_a_quick_truck_is_a_note_not_an_error(weigher, world):
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, 625, world["keeper"])
    take_gross(trip, 40540, world["weigher"])  # seconds after the tare: W-15 warns
    db.session.commit()
    assert trip.findings[0]["check"] == "interval_too_short"
    page = weigher.get("/logistics/station").get_data(as_text=True)
    row = page.split(f'data-trip="{trip.number}"')[1].split("</tr>")[0]
    assert "皮重到毛重仅" in row or "分钟" in row
    assert 'class="error"' not in row and "finding-note" in row


def test_every_station_is_offered_by_its_name(app, weigher, world, monkeypatch):
    from plugins.logistics.settings import parse_stations

    ready_to_load(world, new_order(world))  # a truck can be weighed: the tare form is shown

    stations = parse_stations({"main": {"protocol": "yaohua"}, "north": {"protocol": "toledo", "label": "北门地磅"}})
    monkeypatch.setattr("plugins.logistics.stations.stations", lambda: stations)
    page = weigher.get("/logistics/station").get_data(as_text=True)
    assert "主地磅" in page and "北门地磅" in page and ">main<" not in page
    north = weigher.get("/logistics/station?station=north").get_data(as_text=True)
    assert "/logistics/stations/north/reading.json" in north
    assert 'name="station" value="north"' in north
    assert "/logistics/stations/main/reading.json" in weigher.get("/logistics/station?station=nowhere").get_data(
        as_text=True)


def test_the_gross_field_is_wide_enough_for_its_placeholder(weigher, world):
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, 625, world["keeper"])
    db.session.commit()
    page = weigher.get("/logistics/station").get_data(as_text=True)
    field = page.split('class="inline-form gross-form"')[1].split("<button")[0]
    tag = next(part for part in field.split("<input") if 'name="weight"' in part)
    placeholder = tag.split('placeholder="')[1].split('"')[0]
    size = int(tag.split('size="')[1].split('"')[0])
    assert size >= len(placeholder) * 2 and "min-width" in tag  # CJK characters are two columns wide


def test_a_station_label_is_checked(app):
    from plugins.logistics.settings import parse_stations

    with pytest.raises(ValueError):
        parse_stations({"main": {"label": ""}})
    assert parse_stations(json.loads('{"main": {"label": "1号地磅"}}'))["main"].label == "1号地磅"
