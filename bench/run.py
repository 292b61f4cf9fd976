"""Side-by-side load benchmark: Guanxi under gunicorn on loopback, next to a bare Flask app and a
minimal Flask + SQLAlchemy + Jinja reference page, in the same run.

    python -m bench.run --database postgresql+psycopg://postgres@127.0.0.1/guanxi_bench [--database sqlite:///...]
    python -m bench.run --generate 10k --database sqlite:////tmp/bench.db     # generate first

For each database it prints one table: per page the HTML size, p50/p95/p99 at one client and under
load (``--connections``, default 8), requests per second under load and the ratio to bare Flask's
requests per second measured in the same run; then a ticket PDF, a 100-ticket batch and the memory
of each worker. The driver is ``wrk`` (Debian package) or, with ``--driver python`` (the smoke test),
a small built-in client counting ``--requests`` requests. Every load run is bounded by ``--duration``
seconds. Numbers on a shared machine are noisy: read the ratios, and repeat when in doubt.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "wrk_report.lua"
UA = "guanxi-bench"  # one User-Agent for every client: the login session is bound to it
MAIN_USER = "gm"  # sees every customer and the archive
DASHBOARD_USERS = ("gm", "admin", "production", "specialist", "rm_01", "rep_001", "weigher")
# the run's request for each page, at one client and under load: --duration seconds each (wrk)


@dataclass
class Page:
    name: str
    path: str
    user: str | None = MAIN_USER  # None: the bare/reference app
    group: str = "page"


@dataclass
class Result:
    name: str
    path: str
    status: int = 0
    bytes: int = 0
    one: dict[str, float] = field(default_factory=dict)  # p50/p95/p99 ms, rps
    load: dict[str, float] = field(default_factory=dict)
    error: str = ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int) -> Iterator[tuple[str, int]]:
    """``app`` served on a free loopback port; yields (base URL, master pid)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--no-control-socket", "--log-level", "warning", "--timeout", "120", app],
        cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn for {app} stopped with {proc.returncode}")
            try:
                requests.get(base + "/", timeout=60, allow_redirects=False)
                break
            except requests.RequestException:
                time.sleep(0.1)
        yield base, proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def worker_memory(master: int) -> list[float]:
    """Resident MiB of each gunicorn worker of ``master``."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        ppid = re.search(r"^PPid:\s+(\d+)", text, re.M)
        rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
        if ppid and rss and int(ppid.group(1)) == master:
            sizes.append(int(rss.group(1)) / 1024)
    return sorted(sizes)


def login(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = UA
    page = session.get(base + "/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    answer = session.post(base + "/login", data={"csrf_token": token.group(1) if token else "",
                                                 "username": username, "password": password},
                          allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"login as {username} failed ({answer.status_code})")
    return session


def cookie_header(session: requests.Session | None) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies) if session else ""


def headers(cookie: str) -> dict[str, str]:
    return {"User-Agent": UA, **({"Cookie": cookie} if cookie else {})}


def wrk(url: str, cookie: str, connections: int, duration: int) -> dict[str, float]:
    threads = min(connections, 2)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
               "-H", f"User-Agent: {UA}", "-s", str(LUA), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60).stdout
    match = re.search(r"^BENCH (.*)$", out, re.M)
    if not match:
        raise RuntimeError(f"wrk printed no summary: {out[-300:]}")
    data = json.loads(match.group(1))
    return {"p50": data["p50"] / 1000, "p95": data["p95"] / 1000, "p99": data["p99"] / 1000,
            "rps": data["requests"] / (data["duration_us"] / 1e6), "errors": data["errors"] + data["non2xx"]}


def python_driver(url: str, cookie: str, connections: int, count: int, duration: int) -> dict[str, float]:
    """``count`` requests per connection (at most ``duration`` seconds), each connection a thread."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def client() -> None:
        session = requests.Session()
        for _ in range(count):
            if time.perf_counter() > deadline:
                break
            start = time.perf_counter()
            answer = session.get(url, headers=headers(cookie), allow_redirects=False)
            elapsed = time.perf_counter() - start
            with lock:
                times.append(elapsed)
                errors[0] += answer.status_code != 200
    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(times) or [0.0]

    def pct(p: float) -> float:
        return ordered[min(int(len(ordered) * p / 100), len(ordered) - 1)] * 1000
    return {"p50": pct(50), "p95": pct(95), "p99": pct(99), "rps": len(times) / wall if wall else 0.0,
            "errors": errors[0]}


def pages_for(url: str) -> list[Page]:
    """Every list page, every search kind, each role's dashboard, a big customer with every panel,
    the plugins' pages (from the menu), the order form and the station."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT COUNT(*) FROM customers")).scalar() or 1
        mobile = conn.execute(text("SELECT mobile FROM customers ORDER BY id LIMIT 1")).scalar() or "13"
        name = conn.execute(text("SELECT name FROM customers ORDER BY id LIMIT 1")).scalar() or "饲料"
        initials = conn.execute(text("SELECT name_initials FROM customers ORDER BY id LIMIT 1")).scalar() or "sl"
        big = conn.execute(text("SELECT customer_id FROM logistics_orders GROUP BY customer_id "
                                "ORDER BY COUNT(*) DESC LIMIT 1")).scalar() or 1
        first_trip = conn.execute(text("SELECT MIN(id) FROM logistics_trips")).scalar()
        promotion = conn.execute(text(  # the largest promotion that has an evaluation page
            "SELECT t.promotion_id FROM promotions_targets t JOIN promotions_promotions p ON p.id = t.promotion_id "
            "WHERE p.state IN ('filed', 'completed', 'evaluated') GROUP BY t.promotion_id "
            "ORDER BY COUNT(*) DESC LIMIT 1")).scalar()
        complained = conn.execute(text("SELECT customer_id FROM complaints_complaints GROUP BY customer_id "
                                       "ORDER BY COUNT(*) DESC LIMIT 1")).scalar()
    engine.dispose()
    from core.registry.views import COUNT_CAP, PAGE_SIZE

    deep = max((min(count, COUNT_CAP) + PAGE_SIZE - 1) // PAGE_SIZE, 1)  # the last page one can reach
    word = "丰收"  # a two-character word of the generated names (周口丰收养殖场): no trigram serves it
    pages = [
        Page("bare Flask hello", "/hello", None, "yardstick"),
        Page("reference page (50 customers)", "/reference", None, "yardstick"),
        Page("customer list, page 1", "/customers/", group="list"),
        Page(f"customer list, page {deep}", f"/customers/?page={deep}", group="list"),
        Page("customer list by owner", "/customers/?sort=owner", group="list"),
        Page("customer list by region, desc", "/customers/?sort=region&desc=1", group="list"),
        Page("search: name", f"/customers/?q={quote(name[:4])}", group="search"),
        Page(f"search: 2-char fragment {word}", f"/customers/?q={quote(word)}", group="search"),
        Page("search: phone", f"/customers/?q={mobile[:7]}", group="search"),
        Page("search: pinyin initials", f"/customers/?q={initials[:4]}", group="search"),
        Page("phone log (this month)", "/customers/contact-log", group="list"),
        Page("big customer's page", f"/customers/{big}", group="record"),
        Page("orders list", "/logistics/", group="list"),
        Page("order form", "/logistics/orders/new", user="coordinator", group="record"),
        Page("station", "/logistics/station", user="weigher", group="record"),
        Page("customer list by grade (key)", "/customers/?tiering_grade=key", group="list"),
        Page("customer list by size class A", "/customers/?size_class=A", group="list"),
        Page("customer list by grade, sorted by rank", "/customers/?tiering_grade=general&sort=tiering_grade",
             group="list"),
        Page("tiering overview (charts)", "/tiering/", group="plugin"),
        Page("contact plan compliance", "/tiering/contact-plan", group="plugin"),
        Page("my work", "/my-work", group="list"),
        Page("inbox", "/notifications", group="list"),
    ]
    pages += [Page(f"dashboard ({user})", "/", user=user, group="dashboard") for user in DASHBOARD_USERS]
    if first_trip:
        pages.append(Page("ticket PDF", f"/print/weigh_ticket/{first_trip}.pdf", group="pdf"))
    if promotion:
        pages += [Page("promotions list", "/promotions/", group="list"),
                  Page("promotion application", f"/promotions/{promotion}", group="record"),
                  Page("promotion evaluation (2,000 targets)", f"/promotions/{promotion}/evaluation", group="record")]
    if complained:
        pages += [Page("complaints list", "/complaints/", group="list"),
                  Page("open complaints, S1", "/complaints/?state=open&severity=S1", group="list"),
                  Page("complaints reports", "/complaints/reports", group="list"),
                  Page("customer with most complaints (panel)", f"/customers/{complained}", group="record")]
    return pages


def menu_pages(base: str, session: requests.Session, known: set[str]) -> list[Page]:
    """The plugins' main pages: every menu entry the main user sees that is not measured already."""
    html = session.get(base + "/").text
    nav = html.split("<main", 1)[0]
    found = []
    for path in dict.fromkeys(re.findall(r'href="(/[^"#?]*)"', nav)):
        if path not in known and not path.startswith(("/static", "/theme", "/plugin", "/logout", "/language")):
            found.append(Page(f"menu: {path}", path, group="plugin"))
    return found


def measure(args: argparse.Namespace, page: Page, base: str, cookie: str) -> Result:
    result = Result(page.name, page.path)
    url = base + page.path
    try:
        answer = requests.get(url, headers=headers(cookie), allow_redirects=False, timeout=120)
        result.status, result.bytes = answer.status_code, len(answer.content)
        if result.status != 200:  # a redirect to the login page would measure the wrong page
            raise RuntimeError(f"answered {result.status}")
        if args.driver == "wrk" and page.group != "pdf":
            result.one = wrk(url, cookie, 1, args.duration)
            result.load = wrk(url, cookie, args.connections, args.duration)
        else:
            result.one = python_driver(url, cookie, 1, args.requests, args.duration)
            result.load = python_driver(url, cookie, args.connections, args.requests, args.duration)
    except Exception as exc:  # one page's failure is reported in its row, the run goes on
        result.error = f"{type(exc).__name__}: {exc}"[:120]
    return result


def ticket_batch(base: str, session: requests.Session, url: str, count: int) -> float:
    """Seconds to print ``count`` weighbridge tickets one after the other."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        ids = conn.execute(text("SELECT id FROM logistics_trips ORDER BY id LIMIT :n"), {"n": count}).scalars().all()
    engine.dispose()
    started = time.perf_counter()
    for trip_id in ids:
        session.get(f"{base}/print/weigh_ticket/{trip_id}.pdf")
    return time.perf_counter() - started


def timed_recompute(env: dict[str, str]) -> float | None:
    """Seconds ``guanxi tiering recompute`` takes over the whole database, as the command reports it
    (without the application's start); its grades then serve the tiering pages measured after it.
    None when the command fails (tiering disabled)."""
    done = subprocess.run([sys.executable, "-m", "core", "tiering", "recompute"], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=3600)
    found = re.search(r"in ([0-9.]+) s\.", done.stdout)
    if done.returncode != 0 or not found:
        print(done.stderr[-500:], file=sys.stderr)
        return None
    return float(found.group(1))


def run_database(args: argparse.Namespace, url: str) -> dict[str, Any]:
    instance = tempfile.mkdtemp(prefix="guanxi-bench-")
    env = {"GUANXI_DATABASE_URL": url, "GUANXI_INSTANCE_PATH": instance, "GUANXI_SECRET_KEY": "bench",
           "BENCH_DATABASE_URL": url}
    password = "bench1234"
    pages = pages_for(url)
    results: list[Result] = []
    memory: dict[str, list[float]] = {}
    batch = None
    recompute_s = timed_recompute(env)
    try:
        with gunicorn("bench.reference:app", env, args.workers) as (ref_base, ref_pid), \
                gunicorn(args.app, env, args.workers) as (base, pid):
            sessions = {user: login(base, user, password) for user in {p.user for p in pages if p.user}}
            pages += menu_pages(base, sessions[MAIN_USER], {p.path.split("?")[0] for p in pages})
            for page in pages:
                if args.only and not any(word in page.name for word in args.only):
                    continue
                target = ref_base if page.user is None else base
                result = measure(args, page, target, cookie_header(sessions.get(page.user)))
                results.append(result)
                if not args.quiet:
                    print(f"  {page.name}: {result.one.get('p50', 0):.0f} ms", file=sys.stderr)
            if args.batch and not args.only:
                batch = ticket_batch(base, sessions[MAIN_USER], url, args.batch)
            memory = {"guanxi": worker_memory(pid), "bare Flask": worker_memory(ref_pid)}
    finally:
        shutil.rmtree(instance, ignore_errors=True)
    return {"database": url.split("://")[0].split("+")[0], "url": url, "results": [asdict(r) for r in results],
            "ticket_batch_s": batch, "batch_size": args.batch, "memory_mib": memory, "recompute_s": recompute_s}


def print_table(report: dict[str, Any], out: Any = None) -> None:
    out = out or sys.stdout
    rows = report["results"]
    bare = next((r["load"].get("rps") for r in rows if r["path"] == "/hello" and r["load"]), None)
    reference = next((r["load"].get("rps") for r in rows if r["path"] == "/reference" and r["load"]), None)
    print(f"\n## {report['database']} ({report['url'].rsplit('/', 1)[-1]})\n", file=out)
    print("| page | KB | p50 | p95 | p99 | load p50 | load p95 | load p99 | req/s | % bare | % ref | errors |",
          file=out)
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|", file=out)
    for r in rows:
        if r["error"]:
            print(f"| {r['name']} | | | | | | | | | | | {r['error']} |", file=out)
            continue
        one, load = r["one"], r["load"]
        rps = load.get("rps", 0)
        share = f"{100 * rps / bare:.1f}" if bare else ""
        ref = f"{100 * rps / reference:.0f}" if reference else ""
        errors = int(one.get("errors", 0) + load.get("errors", 0))
        status = "" if r["status"] in (200, 0) else f" ({r['status']})"
        print(f"| {r['name']}{status} | {r['bytes'] / 1024:.0f} | {one.get('p50', 0):.0f} | {one.get('p95', 0):.0f} | "
              f"{one.get('p99', 0):.0f} | {load.get('p50', 0):.0f} | {load.get('p95', 0):.0f} | "
              f"{load.get('p99', 0):.0f} | {rps:.0f} | {share} | {ref} | {errors or ''} |", file=out)
    if report["ticket_batch_s"] is not None:
        print(f"\n{report['batch_size']} weighbridge tickets one after the other: {report['ticket_batch_s']:.1f} s",
              file=out)
    if report.get("recompute_s") is not None:
        print(f"\ntiering recompute of every customer: {report['recompute_s']:.1f} s", file=out)
    for name, sizes in report["memory_mib"].items():
        print(f"memory per worker, {name}: {', '.join(f'{s:.0f}' for s in sizes)} MiB", file=out)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", action="append", required=True, help="SQLAlchemy URL; repeat for several")
    parser.add_argument("--generate", metavar="SIZE", help="fill each database first (10k, 100k, tiny)")
    parser.add_argument("--driver", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement (bounded)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--requests", type=int, default=50, help="requests per connection (python driver)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--app", default="core.wsgi:app", help="the WSGI application gunicorn serves")
    parser.add_argument("--batch", type=int, default=100, help="tickets in the print batch (0: none)")
    parser.add_argument("--only", action="append", help="measure only pages whose name contains this")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    reports = []
    for url in args.database:
        if args.generate:
            from bench.generate import generate, parse_size

            generate(url, parse_size(args.generate), quiet=args.quiet)
        report = run_database(args, url)
        print_table(report)
        reports.append(report)
    if args.json:
        args.json.write_text(json.dumps(reports, ensure_ascii=False, indent=1))
    print("\nOne machine, shared: compare rows of the same run (ratios), not runs with each other.")
    return reports


if __name__ == "__main__":
    from bench.run import main as run_main

    run_main()
