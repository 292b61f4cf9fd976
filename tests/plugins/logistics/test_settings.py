"""The weighbridge checks are a company setting: an administrator tunes them on the settings page and
the next weighing obeys."""
import json

import pytest

from core.testing import login, post_form
from plugins.logistics.services import WeighingRefused, load, take_gross, take_tare
from tests.plugins.logistics.test_order_flow import new_order, ready_to_load


def test_a_tighter_tolerance_set_on_the_page_blocks_the_next_gross_pass(app, world):
    admin = app.test_client()
    login(admin, "admin")
    checks = {"net_tolerance": {"level": 3, "value": 300}}
    saved = post_form(admin, "/admin/settings/logistics.checks", {"value": json.dumps(checks)},
                      page="/admin/settings")
    assert saved.status_code == 302
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "&#34;value&#34;: 300" in page.split('id="history"')[1]
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, 625, world["keeper"])
    # W-11: net 25 340 against 25 000 loaded passes within 2 %, not within 300 kg
    with pytest.raises(WeighingRefused):
        take_gross(trip, 40540, world["weigher"], reason="称重员确认")
