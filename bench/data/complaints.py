"""Complaints: one for every second customer (50,000 at the 100k scale) over three years, most
of them closed, the recent ones at every step, a few big customers with many."""
from __future__ import annotations

from datetime import timedelta

from bench.generate import Context, generator

CATEGORIES = ("quantity_variety", "transport_storage", "feeding_result", "mass_death", "service")
LEVEL = {"quantity_variety": "S2", "transport_storage": "S2", "feeding_result": "S2", "mass_death": "S1",
         "service": "S3"}
OPEN = ("assessment", "minor_findings", "minor_plan", "minor_approval", "handling_form", "departments", "sign_off",
        "settlement", "settlement_approval", "implementation", "evaluation", "callback", "archiving")
TEXTS = ("喂料后拉稀", "颗粒太粗", "到货少了两袋", "饲料有霉变", "送货晚了", "采食量下降", "产蛋率下降")
PRODUCTS = ("育肥猪配合饲料", "乳猪教槽料", "蛋鸡高峰期配合饲料", "肉鸡配合饲料", "母猪哺乳料")
LOCAL = timedelta(hours=8)


@generator("complaints")
def complaints_data(ctx: Context) -> None:
    rng = ctx.rng
    real = [c for c in ctx.ids["customers"] if not c[3]]
    if not real:
        return
    count = ctx.customers // 2
    times = sorted(ctx.moment() for _ in range(count))
    numbers: dict[str, int] = {}

    def rows():
        for cid_index, received in enumerate(times, start=1):
            customer = real[int(len(real) * rng.random() ** 2)]
            category = rng.choice(CATEGORIES)
            severity = LEVEL[category]
            day = (received + LOCAL).date()
            series = f"complaints.TS.{day.year}"
            numbers[series] = numbers.get(series, 0) + 1
            recent = ctx.now - received < timedelta(days=30)
            state = rng.choice(OPEN) if recent and rng.random() < 0.6 else "closed"
            path = rng.choices(("spot", "minor", "serious"), (30, 50, 20))[0]
            acknowledged = received + timedelta(minutes=rng.randint(5, 300))
            closed = received + timedelta(days=rng.randint(1, 20)) if state == "closed" else None
            yield (cid_index, f"TS-{day.year}-{numbers[series]:05d}", customer[0], rng.choice(("phone", "visit")),
                   category, severity, severity, rng.choice(TEXTS), customer[1], customer[1], 0, received,
                   acknowledged, acknowledged if path != "spot" else received,
                   closed, closed, path, state, closed or acknowledged, rng.choice(PRODUCTS), False, 1)
    ctx.write("complaints_complaints", ("id", "number", "customer_id", "channel", "category", "severity",
                                        "suggested_severity", "description", "first_receiver_id", "owner_id",
                                        "handover_count", "received_at", "acknowledged_at", "assessed_at",
                                        "decision_communicated_at", "closed_at", "path", "state",
                                        "state_changed_at", "product", "customer_rejects", "version_id"), rows())
    ctx.counters.update(numbers)
