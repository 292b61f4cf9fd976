"""Weighbridge stations: where their readings come from and where they are kept.

Stations are the deployment setting ``logistics.stations`` (``GUANXI_LOGISTICS_STATIONS``), e.g.
``{"main": {"url": "socket://10.0.0.5:4001", "protocol": "yaohua"}, "north": {"protocol": "toledo"}}``.
A station with a ``url`` is read inside the server (a networked indicator); one without is fed by
``guanxi weighbridge-agent`` on the weighbridge PC, which pushes readings with the station's token
from the secret setting ``logistics.station_tokens``. Either way the latest reading is one row of
``StationReading``.
"""
from __future__ import annotations

import hmac
import threading
from datetime import timedelta

from flask import Flask

from core.api import db, setting, utcnow
from plugins.logistics.indicator.reader import Sample, run
from plugins.logistics.models import StationReading
from plugins.logistics.settings import Station

CAPTURE_VALID = timedelta(minutes=5)
_readers: dict[tuple[int, str], threading.Thread] = {}


def stations() -> dict[str, Station]:
    return setting("logistics.stations")


def station_label(station: Station) -> str:
    """What the page calls a station: its configured label, else a readable name, never the key."""
    from plugins.logistics.i18n import _

    if station.label:
        return station.label
    if station.name == "main":
        return _("Main weighbridge")
    return _("Weighbridge %(name)s", name=station.name)


def record(station: str, weight: int | None, stable: bool | None, captured: int | None) -> StationReading:
    row = db.session.get(StationReading, station) or StationReading(station=station)
    row.weight_kg, row.stable, row.updated_at = weight, stable, utcnow()
    if captured is not None:
        row.captured_kg, row.captured_at = captured, utcnow()
    db.session.add(row)
    db.session.commit()
    return row


def token_ok(station: str, presented: str) -> bool:
    expected = setting("logistics.station_tokens").get(station) if station in stations() else None
    return bool(expected) and hmac.compare_digest(expected.encode(), (presented or "").encode())


def ensure_reader(app: Flask, station: str) -> None:
    """Start the in-server reader of a networked station once per process."""
    config = stations().get(station)
    key = (id(app), station)
    if config is None or not config.url or (key in _readers and _readers[key].is_alive()):
        return
    url, protocol = config.url, config.protocol

    def publish(sample: Sample) -> None:
        with app.app_context():
            record(station, int(sample.reading.weight), sample.reading.stable,
                   int(sample.captured) if sample.captured is not None else None)

    def loop() -> None:
        try:
            run(url, protocol, publish)
        except Exception:  # the indicator went away: log it; the next page view starts a new reader
            app.logger.exception("weighbridge reader of station %s stopped", station)

    thread = threading.Thread(target=loop, daemon=True, name=f"weighbridge-{station}")
    _readers[key] = thread
    thread.start()


def fresh_capture(station: str, weight: int) -> bool:
    """True if ``weight`` is the station's stable capture of the last few minutes."""
    row = db.session.get(StationReading, station)
    return bool(row and row.captured_kg == weight and row.captured_at
                and utcnow() - row.captured_at <= CAPTURE_VALID)
