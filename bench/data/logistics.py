"""Logistics rows: products, trucks, three orders per customer over three years with ten order
lines per customer in all, a weighbridge ticket and gate pass per shipped order, and the big
customers' order history on their timelines."""
from __future__ import annotations

from datetime import timedelta

from bench.generate import Context, generator

PRODUCTS = 40
TRUCKS = 500
FEEDS = ["育肥猪配合饲料", "乳猪教槽料", "蛋鸡高峰期配合饲料", "肉鸡配合饲料", "母猪哺乳料", "保育猪浓缩料", "反刍精补料", "水产膨化料"]
OPEN_STATES = ("recorded", "data_confirmed", "scheduled", "paid", "products_confirmed", "invoiced")
FLOW = ("confirm_data", "schedule", "confirm_payment", "confirm_products", "invoice", "start_shipping",
        "finish_shipping", "confirm_arrival")
BIG_CUSTOMERS = 5  # whose orders' history is written to the audit trail (a timeline of ~40k entries)
LOCAL = timedelta(hours=8)


def _timing(ordered, left) -> str:
    days = ((left + LOCAL).date() - (ordered + LOCAL).date()).days
    return "same_day" if days <= 0 else "on_time" if days <= 3 else "incident"


@generator("logistics")
def logistics_data(ctx: Context) -> None:
    rng = ctx.rng
    products = []
    for p in range(1, PRODUCTS + 1):
        bag = rng.choice((20, 40, 40))
        products.append((p, f"P{p:03d}", f"{FEEDS[p % len(FEEDS)]}{p:02d}", bag, rng.choice(("2mm", "4mm", "粉料")),
                         rng.randint(280, 580) * 1000, True))
    ctx.write("logistics_products", ("id", "code", "name", "bag_weight_kg", "pellet_size", "price_cents_per_tonne",
                                     "active"), products)
    trucks = [(v, f"豫{chr(65 + v % 17)}·{10000 + v}", "张师傅", 25000 + (v % 8) * 1000, 14000 + (v % 30) * 100)
              for v in range(1, TRUCKS + 1)]
    ctx.write("logistics_vehicles", ("id", "plate", "driver", "capacity_kg", "last_tare_kg"), trucks)
    real = [c for c in ctx.ids["customers"] if not c[3]]
    if not real:
        return
    office = ctx.ids["users"]["coordinator"]
    count = ctx.customers * 3
    times = sorted(ctx.moment() for _ in range(count))
    lines, trips, history = [], [], []
    numbers: dict[str, int] = {}

    def number(prefix: str, moment, dated: bool = False) -> str:
        day = (moment + LOCAL).date()
        series = f"logistics.{prefix}.{day.year}"
        numbers[series] = numbers.get(series, 0) + 1
        return f"{prefix}-{day.strftime('%Y%m%d') if dated else day.year}-{numbers[series]:05d}"

    def orders():
        line_id = 0
        for oid, ordered in enumerate(times, start=1):
            index = int(len(real) * rng.random() ** 3)  # a few big customers, a long tail of small ones
            cid = real[index][0]
            age = ctx.now - ordered
            if age > timedelta(days=7):
                state = rng.choices(("arrived", "shipped", "cancelled"), (95, 3, 2))[0]
            else:
                state = rng.choice(OPEN_STATES + ("shipped", "arrived"))
            kg = amount = 0
            for _ in range(rng.randint(1, 6)):
                line_id += 1
                product = products[rng.randrange(PRODUCTS)]
                bags = rng.randint(5, 60) * 10
                quantity = bags * product[3]
                cents = quantity * product[5] // 1000
                kg += quantity
                amount += cents
                lines.append((line_id, oid, product[0], quantity, bags, product[5], cents))
            left = arrived = timing = None
            if state in ("shipped", "arrived"):
                left = ordered + timedelta(hours=rng.choice((3, 20, 30, 50, 70, 100)))
                left = min(left, ctx.now)
                timing = _timing(ordered, left)
                if state == "arrived":
                    arrived = left + timedelta(hours=rng.randint(2, 10))
                tare = 14000 + rng.randint(0, 3000)
                trips.append((len(trips) + 1, number("WB", left, dated=True), oid, cid, rng.randint(1, TRUCKS),
                              tare, left - timedelta(hours=2), False, kg // 40, kg, tare + kg, left - timedelta(hours=1),
                              False, kg, [], number("CM", left), f"t{oid:x}{rng.getrandbits(48):x}", left, "left",
                              left, 1, 1))
            paid = state not in OPEN_STATES[:3] and state != "cancelled"
            changed = arrived or left or ordered
            if index < BIG_CUSTOMERS:
                history.append((ordered, office, "logistics_orders", oid, cid, "create",
                                {"number": [None, f"order {oid}"], "customer_id": [None, cid]}))
                last = "recorded"
                for step in FLOW if state in ("shipped", "arrived") else ():
                    history.append((changed, office, "logistics_orders", oid, cid, "transition",
                                    {"state": [last, step], "transition": step}))
                    last = step
            yield (oid, number("DD", ordered), cid, ordered, "电话订货", None, None,
                   rng.choice(("pickup", "company", "carrier")), rng.random() < 0.05, None,
                   amount if paid else None, "transfer" if paid else None, False,
                   f"FP-{oid:08d}" if paid else None, left, arrived, timing, state, changed, office, 1)
    ctx.write("logistics_orders", ("id", "number", "customer_id", "ordered_at", "ordered_by", "address",
                                   "delivery_on", "transport", "rush", "remarks", "payment_cents", "payment_method",
                                   "credit_released", "invoice_number", "left_at", "arrived_at", "timing", "state",
                                   "state_changed_at", "created_by", "version_id"), orders())
    ctx.write("logistics_order_lines", ("id", "order_id", "product_id", "quantity_kg", "bags",
                                        "price_cents_per_tonne", "amount_cents"), lines)
    ctx.write("logistics_trips", ("id", "number", "order_id", "customer_id", "vehicle_id", "tare_kg", "tare_at",
                                  "tare_manual", "loaded_bags", "loaded_kg", "gross_kg", "gross_at", "gross_manual",
                                  "net_kg", "findings", "pass_number", "pass_token", "pass_used_at", "state",
                                  "state_changed_at", "print_count", "pass_print_count"), trips)
    ctx.write("audit_events", ("at", "user_id", "record_type", "record_id", "customer_id", "action", "changes"),
              history)
    ctx.counters.update(numbers)
    ctx.ids["big_customer"] = real[0][0]
