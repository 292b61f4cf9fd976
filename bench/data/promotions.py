"""Promotions rows: one promotion per 20 customers (5,000 at 100k) over the three years, each with
5–40 target customers of its region, its approval round and an execution log of three entries once
filed; the first one (the evaluation benchmark) targets 2,000 customers of region 1 over the last
90 days. Promotional materials with their receipts and issues."""
from __future__ import annotations

from datetime import timedelta

from bench.generate import Context, generator

PER_PROMOTION = 20  # customers per promotion
BIG_TARGETS = 2_000
STATES = ("evaluated", "completed", "filed", "approved", "submitted", "sent_back", "rejected", "draft")
WEIGHTS = (45, 10, 15, 5, 10, 5, 3, 7)
REVIEWED = ("evaluated", "completed", "filed", "approved")
STEPS = (("department", "Customer-management department manager", "promotions.department_manager"),
         ("marketing", "Marketing manager", "promotions.marketing_manager"),
         ("general", "General manager", "general_manager"),
         ("file", "Filing by the customer-management department", "promotions.filer"))
ITEMS = (("M01", "饲养管理手册", "本"), ("M02", "促销条幅", "条"), ("M03", "围裙", "件"), ("M04", "台历", "本"))
LOCAL = timedelta(hours=8)


@generator("promotions", after=("core", "logistics"))
def promotions_data(ctx: Context) -> None:
    rng = ctx.rng
    users = ctx.ids["users"]
    reviewers = {"department": users["cmmanager"], "marketing": users["marketing"], "general": users["gm"]}
    by_region: dict[int, list[int]] = {}
    for cid, _owner, region, prospect, _created, _name in ctx.ids["customers"]:
        if not prospect:
            by_region.setdefault(region, []).append(cid)
    reps = ctx.ids["reps"]
    count = max(ctx.customers // PER_PROMOTION, 5)
    request_base = (ctx.execute("SELECT COALESCE(MAX(id), 0) FROM approval_requests") or [(0,)])[0][0]
    step_base = (ctx.execute("SELECT COALESCE(MAX(id), 0) FROM approval_steps") or [(0,)])[0][0]
    promotions, targets, entries, requests, steps = [], [], [], [], []
    numbers: dict[str, int] = {}
    big = None
    for pid in range(1, count + 1):
        if pid == 1:
            applicant, region = next((rep for rep in reps if rep[1] == 1), reps[0])
            start = (ctx.now + LOCAL).date() - timedelta(days=89)
            days, state = 90, "filed"
            pool = by_region.get(region, [])
            chosen = pool[:BIG_TARGETS]
            big = pid
        else:
            applicant, region = reps[rng.randrange(len(reps))]
            start = (ctx.moment() + LOCAL).date()
            days = rng.choice((15, 30, 30, 45, 60))
            state = rng.choices(STATES, WEIGHTS)[0]
            pool = by_region.get(region, [])
            chosen = rng.sample(pool, min(len(pool), rng.randint(5, 40)))
        created = ctx.now - timedelta(days=max((ctx.now + LOCAL).date().toordinal() - start.toordinal(), 0) + 10)
        series = f"promotions.CX.{(created + LOCAL).year}"
        numbers[series] = numbers.get(series, 0) + 1
        number = f"CX-{(created + LOCAL).year}-{numbers[series]:05d}"
        budget = rng.choice((1500, 5000, 8000, 20000, 50000)) * 100
        spent = 0
        if state in ("evaluated", "completed", "filed"):
            for n in range(3):
                spend = budget * rng.randint(10, 30) // 100
                spent += spend
                entries.append((pid, start + timedelta(days=n * days // 3), rng.choice(("技术交流会", "走访大客户", "赠品兑现")),
                                spend, applicant, created + timedelta(days=n + 1)))
        targets += [(pid, cid) for cid in chosen]
        evaluated = state == "evaluated"
        promotions.append((pid, number, f"促销{pid}", region, applicant, state, start, start + timedelta(days=days - 1),
                           "销量下滑", "上量", "买十送一", 60_000, 20_000_000, 1, budget, None, len(chosen), spent, created,
                           evaluated and rng.random() < 0.1, evaluated and "按计划完成" or None))
        if state != "draft":
            request_id = request_base + len(requests) + 1
            outcome = {"sent_back": "sent_back", "rejected": "rejected", "submitted": "pending"}.get(state, "approved")
            requests.append((request_id, "promotions.application", "promotions_promotions", pid, 1, outcome, 0,
                             f"{number} 促销{pid}", f"/promotions/{pid}", applicant, created, created + timedelta(days=2)))
            for position, (name, label, resolver) in enumerate(STEPS):
                skipped = (name == "marketing" and budget <= 200_000) or (name == "general" and budget <= 1_000_000)
                decided = outcome == "approved" and not skipped and (name != "file" or state != "approved")
                step_state = "skipped" if skipped else "approved" if decided else "open" if position == 0 else "waiting"
                steps.append((step_base + len(steps) + 1, request_id, position, position, name, label, "promotions",
                              resolver, [], reviewers.get(name, users["specialist"]), step_state,
                              reviewers.get(name, users["specialist"]) if decided else None,
                              created + timedelta(days=1) if decided else None))
    ctx.write("promotions_promotions", (
        "id", "number", "title", "region_id", "applicant_id", "state", "period_start", "period_end",
        "situation_before", "purpose", "plan", "target_kg", "target_amount_cents", "target_new_customers",
        "budget_cents", "target_rule", "target_count", "spent_cents", "created_at", "success_case",
        "execution_summary"), promotions)
    ctx.write("promotions_targets", ("id", "promotion_id", "customer_id"),
              [(n, pid, cid) for n, (pid, cid) in enumerate(targets, start=1)])
    ctx.write("promotions_execution", ("id", "promotion_id", "happened_on", "activity", "spend_cents",
                                       "recorded_by_id", "recorded_at"),
              [(n, *entry) for n, entry in enumerate(entries, start=1)])
    ctx.write("approval_requests", ("id", "chain", "record_type", "record_id", "round", "state", "stage", "reference",
                                    "link", "applicant_id", "submitted_at", "decided_at"), requests)
    ctx.write("approval_steps", ("id", "request_id", "stage", "position", "name", "label", "label_domain", "resolver",
                                 "resolver_args", "reviewer_id", "state", "decided_by_id", "decided_at"), steps)
    specialist = users["specialist"]
    ctx.write("promotions_items", ("id", "code", "name", "unit", "stock", "active"),
              [(n, code, name, unit, 500, True) for n, (code, name, unit) in enumerate(ITEMS, start=1)])
    ctx.write("promotions_stock_moves", ("id", "item_id", "kind", "quantity", "balance", "region_id", "note", "by_id",
                                         "at"),
              [(n, n, "receipt", 500, 500, None, "年初采购入库", specialist, ctx.start) for n in range(1, len(ITEMS) + 1)])
    ctx.counters.update(numbers)
    ctx.ids["big_promotion"] = big
