"""Core's rows: regions and users of every role, customers and prospects with key people,
visits and calls, important dates, second-level customers, contracts, plans, evaluations, their
audit trail, and the inbox."""
from __future__ import annotations

from datetime import date, timedelta

from bench.generate import Context, generator
from core.registry.grams import text_grams

PASSWORD = "bench1234"
REGIONS = 20
REPS = 300
# one user per department role, named as in the demo data
STAFF = [("admin", "系统管理员", "admin"), ("gm", "王总", "general_manager"), ("cmmanager", "李经理", "cm_manager"),
         ("specialist", "赵专员", "specialist"), ("marketing", "孙经理", "marketing_manager"),
         ("sales", "周经理", "sales_manager"), ("coordinator", "吴协调", "coordinator"),
         ("weigher", "郑师傅", "weigher"), ("keeper", "冯库管", "warehouse_keeper"), ("qc", "陈化验", "qc"),
         ("production", "褚主任", "production")]
CITIES = ["郑州", "开封", "洛阳", "平顶山", "安阳", "鹤壁", "新乡", "焦作", "濮阳", "许昌", "漯河", "三门峡",
          "南阳", "商丘", "信阳", "周口", "驻马店", "济源", "邯郸", "聊城", "菏泽", "阜阳", "亳州", "宿州",
          "运城", "长治", "晋城", "襄阳", "随州", "十堰", "徐州", "淮北", "蚌埠", "枣庄", "临沂", "济宁",
          "泰安", "德州", "邢台", "衡水"]
WORDS = ["丰收", "金穗", "宏达", "永盛", "绿源", "华丰", "润农", "鑫源", "牧原", "天成", "兴旺", "双力",
         "正大", "大北", "新希", "海大", "通威", "禾丰", "傲农", "唐人", "安佑", "金新", "恒兴", "粤海",
         "福星", "瑞丰", "万家", "康达", "富民", "聚丰", "益农", "惠农", "春晖", "银河", "东方", "长江",
         "黄河", "中原", "太行", "伏牛", "嵩山", "淮河", "龙腾", "凤鸣", "吉祥", "如意", "振兴", "光明",
         "顺发", "昌盛", "利民", "农家", "沃土", "田园", "乡村", "新农", "宏图", "远航", "腾飞", "金桥"]
PLACES = ["", "", "城关", "黄桥", "李庄", "王营", "张店", "刘集", "高庙", "白塔", "石桥", "柳林", "杨湖"]
SUFFIXES = {"distributor": ["饲料经销部", "经销处", "农资店"], "farm": ["养殖场", "养猪场", "鸡场", "牧业", "合作社"],
            "feed_mill": ["饲料厂", "饲料有限公司"]}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "秀英", "志强", "海燕", "德明", "桂兰", "伟", "磊", "静", "军", "红梅", "国庆", "春生", "玉兰", "卫东"]
TOPICS = [("了解猪料使用情况", "客户反映日增重良好，计划加大订货"), ("介绍新品乳猪教槽料", "客户有兴趣，先试用两吨"),
          ("回访上次投诉处理", "客户满意，关系稳定"), ("沟通春节备货计划", "预计订货三十吨，下周确认")]


def initials_of(parts: list[str]) -> dict[str, str]:
    from core.registry.models import pinyin_initials

    return {part: pinyin_initials(part) for part in parts}


@generator("core", after=())
def core_data(ctx: Context) -> None:
    rng = ctx.rng
    from werkzeug.security import generate_password_hash

    password = generate_password_hash(PASSWORD)
    roles = dict((code, role_id) for role_id, code in ctx.execute("SELECT id, code FROM roles"))
    ctx.write("regions", ("id", "code", "name"),
              [(r, f"r{r:02d}", f"{CITIES[r - 1]}片区") for r in range(1, REGIONS + 1)])
    users, user_roles = [], []
    for username, name, role in STAFF:
        users.append((len(users) + 1, username, name, None))
        user_roles.append((len(users), roles[role]))
    managers = {}
    for r in range(1, REGIONS + 1):
        users.append((len(users) + 1, f"rm_{r:02d}", f"{CITIES[r - 1]}经理", r))
        user_roles.append((len(users), roles["regional_manager"]))
        managers[r] = len(users)
    reps = []
    for n in range(1, REPS + 1):
        region = (n - 1) % REGIONS + 1
        users.append((len(users) + 1, f"rep_{n:03d}", rng.choice(SURNAMES) + rng.choice(GIVEN), region))
        user_roles.append((len(users), roles["rep"]))
        reps.append((len(users), region))
    ctx.write("users", ("id", "username", "display_name", "region_id", "password_hash", "locale", "active",
                        "created_at", "session_version"),
              [(*u, password, "zh_Hans_CN", True, ctx.start, 1) for u in users])
    ctx.write("user_roles", ("user_id", "role_id"), user_roles)
    for region, manager in managers.items():
        ctx.execute("UPDATE regions SET manager_id = ? WHERE id = ?", (manager, region))
    ctx.ids.update(users={u[1]: u[0] for u in users}, reps=reps, password=PASSWORD)

    names = initials_of(CITIES + WORDS + PLACES + [s for v in SUFFIXES.values() for s in v])
    customers = []  # (id, owner, region, is_prospect, created_at, name)
    types = ["distributor"] * 4 + ["farm"] * 5 + ["feed_mill"]

    def customer_rows():
        for cid in range(1, ctx.customers + 1):
            business_type = rng.choice(types)
            parts = [rng.choice(CITIES), rng.choice(PLACES), rng.choice(WORDS), rng.choice(SUFFIXES[business_type])]
            name = "".join(parts)
            owner, region = reps[rng.randrange(len(reps))]
            prospect = rng.random() < 0.3
            created = ctx.moment()
            first_order = None if prospect else (created + timedelta(days=rng.randint(0, 60))).date()
            state = rng.choices(("filed", "verified", "submitted", "draft", "returned"), (70, 10, 8, 10, 2))[0]
            customers.append((cid, owner, region, prospect, created, name))
            code, initials, size = f"C{cid:06d}", "".join(names[p] for p in parts), rng.choice("ABC")
            phone = f"0{rng.randint(370, 399)}-{rng.randint(2000000, 8999999)}"
            mobile = f"13{rng.randint(100000000, 999999999)}"
            yield (cid, code, name, initials, business_type, size, phone, mobile,
                   f"{parts[0]}{rng.choice(PLACES[2:])}村{rng.randint(1, 99)}号", region, owner,
                   date(rng.randint(1995, 2022), rng.randint(1, 12), rng.randint(1, 28)), prospect, prospect,
                   first_order, state, created + timedelta(days=rng.randint(0, 40)), 1, created, created,
                   text_grams((code, name, phone, mobile, initials)))
    ctx.write("customers", ("id", "code", "name", "name_initials", "business_type", "size_class", "phone", "mobile",
                            "address", "region_id", "owner_id", "founding_date", "is_prospect", "intends_to_order",
                            "first_order_date", "state", "state_changed_at", "version_id", "created_at",
                            "updated_at", "search_grams"), customer_rows())
    ctx.counters["customer"] = ctx.customers
    ctx.ids["customers"] = customers
    _details(ctx, customers)
    _audit(ctx, customers)
    _inbox(ctx)


def _person(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _details(ctx: Context, customers: list) -> None:
    rng = ctx.rng
    people, dates, secondary, contracts, plans, evaluations = [], [], [], [], [], []
    for cid, owner, _region, prospect, created, _name in customers:
        for n in range(rng.choice((1, 1, 1, 2, 2))):  # 1.4 key people per archive
            person = _person(rng)
            birthday = date(rng.randint(1955, 1995), rng.randint(1, 12), rng.randint(1, 28))
            phone = f"13{rng.randint(100000000, 999999999)}"
            people.append((cid, "owner" if n == 0 else "manager", person, phone,
                           birthday, rng.choice(["高中", "大专", "本科"]), created, text_grams((person, phone))))
            if n == 0 and rng.random() < 0.6:
                dates.append((cid, "birthday", birthday, birthday.month * 100 + birthday.day, person, None, created))
        if rng.random() < 0.1:
            opened = date(rng.randint(1995, 2022), rng.randint(1, 12), rng.randint(1, 28))
            dates.append((cid, "opening", opened, opened.month * 100 + opened.day, None, "开业纪念", created))
        if rng.random() < 0.5:
            secondary.append((cid, f"{_person(rng)}养殖场", "farm", None, f"月用料 {rng.randint(5, 40)} 吨",
                              rng.random() < 0.3, created))
        if not prospect and rng.random() < 0.2:
            signed = created.date() + timedelta(days=rng.randint(0, 90))
            contracts.append((cid, f"HT-{cid:06d}", signed, signed, signed + timedelta(days=365), "年度经销合同", created))
        if rng.random() < 0.2:
            plans.append((cid, "年度营销计划", f"{created.year}年", "季度走访，节日促销", created))
        if rng.random() < 0.2:
            evaluations.append((cid, created.date() + timedelta(days=rng.randint(0, 200)), owner, "信誉良好，按时付款",
                                created))
    ctx.write("customer_people", ("customer_id", "role", "name", "phone", "birthday", "education", "created_at",
                                  "search_grams"), people)
    ctx.write("customer_dates", ("customer_id", "kind", "on", "month_day", "person", "note", "created_at"), dates)
    ctx.write("customer_secondary", ("customer_id", "name", "business_type", "phone", "volume", "is_core",
                                     "created_at"), secondary)
    ctx.write("customer_contracts", ("customer_id", "number", "signed_on", "valid_from", "valid_until", "terms",
                                     "created_at"), contracts)
    ctx.write("customer_plans", ("customer_id", "title", "period", "content", "created_at"), plans)
    ctx.write("customer_evaluations", ("customer_id", "evaluated_on", "author_id", "summary", "created_at"),
              evaluations)
    ctx.ids["people"] = len(people)

    def contacts():  # three visits and calls per archive over three years
        for _ in range(ctx.customers * 3):
            cid, owner, _region, _p, _c, _name = customers[rng.randrange(len(customers))]
            topic, result = rng.choice(TOPICS)
            phone = rng.random() < 0.5
            at = ctx.moment()
            yield (cid, "phone" if phone else "visit", at, owner, None if phone else "客户处",
                   "电话" if phone else "上门", None if phone else rng.choice((0, 5000, 12000)), _person(rng),
                   topic, result, at)
    ctx.write("customer_contacts", ("customer_id", "kind", "at", "user_id", "place", "method", "cost_cents",
                                    "people_met", "content", "result", "created_at"), contacts())


def _audit(ctx: Context, customers: list) -> None:
    """The creation of every archive on its timeline."""
    def rows():
        for cid, owner, _region, _prospect, created, name in customers:
            yield (created, owner, "customers", cid, cid, "create",
                   {"code": [None, f"C{cid:06d}"], "name": [None, name], "owner_id": [None, owner]})
    ctx.write("audit_events", ("at", "user_id", "record_type", "record_id", "customer_id", "action", "changes"),
              rows())


def _inbox(ctx: Context) -> None:
    """Three messages per archive over three years, nine in ten read."""
    rng = ctx.rng
    users = list(ctx.ids["users"].values())
    role_codes = ["production", "specialist", "cm_manager", "admin"]
    reads = []

    def rows():
        for nid in range(1, ctx.customers * 3 + 1):
            at = ctx.moment()
            if rng.random() < 0.85:
                user, role = users[rng.randrange(len(users))], None
                if rng.random() < 0.9:
                    reads.append((nid, user, at + timedelta(hours=2)))
            else:
                user, role = None, rng.choice(role_codes)
            code = rng.randint(1, ctx.customers)
            yield (nid, at, user, role, "Archive %(code)s %(name)s has waited over a month for verification.",
                   "core", {"code": f"C{code:06d}", "name": "周口丰收养殖场"}, f"/customers/{code}")
    ctx.write("notifications", ("id", "created_at", "user_id", "role_code", "subject", "domain", "params", "link"),
              rows())
    ctx.write("notification_reads", ("notification_id", "user_id", "read_at"), reads)
