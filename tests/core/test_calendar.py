"""Deadlines on two clocks (RULES.md C-2, C-5): the wall clock and the working calendar with its
hours, weekdays, public holidays and make-up working days (调休), pauses, and the calendar page.

Company time is Asia/Shanghai (UTC+8, no daylight saving): local 10:00 is 02:00 UTC. The test week
is Monday 2026-11-23 to Sunday 2026-11-29, which has no holiday.
"""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.calendar import (
    HOLIDAY,
    WORKDAY,
    CalendarDay,
    budget_minutes,
    due_at,
    elapsed_minutes,
    fill_from_library,
    hours_per_day,
    hours_text,
    is_working_day,
    library_days,
    weekdays_text,
    working_days_in,
)
from core.clock import to_local, to_utc
from core.db import db
from core.settings import save_company_setting
from core.testing import QueryCounter, login, make_user, post_form

PAGE = "/admin/calendar"
MON = date(2026, 11, 23)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Company-local wall time on ``day`` as stored (naive UTC)."""
    return to_utc(datetime(day.year, day.month, day.day, hour, minute))


def local(moment: datetime | None) -> datetime | None:
    return None if moment is None else to_local(moment)


def plus(day: date, days: int) -> date:
    return day + timedelta(days=days)


# -- RULES.md C-5, both clocks ---------------------------------------------------------------------

def test_c5_a_wall_clock_one_day_is_24_hours(app):
    assigned = datetime(2026, 11, 23, 2, 0)  # Monday 10:00 in Shanghai
    assert at(MON, 10) == assigned
    department = budget_minutes(days=1, clock="wall")
    assert department == 24 * 60
    assert due_at(assigned, department, "wall") == datetime(2026, 11, 24, 2, 0)  # Tuesday 10:00 local


def test_c5_a_wall_clock_qc_lab_48_hours_plus_half_a_day_is_due_wednesday_2200(app):
    assigned = datetime(2026, 11, 23, 2, 0)  # Monday 10:00 local
    lab = due_at(assigned, budget_minutes(hours=48, clock="wall"), "wall")
    assert lab == datetime(2026, 11, 25, 2, 0)  # Wednesday 10:00 local
    qc = budget_minutes(days=Decimal("0.5"), hours=48, clock="wall")  # + 0.5 day = 12 h
    assert qc == 60 * 60
    assert due_at(assigned, qc, "wall") == lab + timedelta(hours=12) == datetime(2026, 11, 25, 14, 0)
    assert local(due_at(assigned, qc, "wall")) == datetime(2026, 11, 25, 22, 0)  # Wednesday 22:00 local


def test_c5_b_working_calendar_one_day_is_hours_per_day(app):
    assert hours_per_day() == 8  # 08:00-12:00 and 13:00-17:00
    assigned = datetime(2026, 11, 23, 2, 0)  # Monday 10:00 local
    department = budget_minutes(days=1, clock="working")
    assert department == 8 * 60
    # Monday 10-12 and 13-17 (6 h), Tuesday 08-10 (2 h)
    assert due_at(assigned, department, "working") == datetime(2026, 11, 24, 2, 0)  # Tuesday 10:00 local


def test_c5_b_working_calendar_qc_lab_2_days_plus_half_a_day_is_20_hours_due_wednesday_1500(app):
    assigned = datetime(2026, 11, 23, 2, 0)  # Monday 10:00 local
    qc = budget_minutes(days=Decimal("2.5"), clock="working")
    assert qc == 20 * 60 == budget_minutes(days=2, clock="working") + budget_minutes(days=Decimal("0.5"), clock="working")
    assert budget_minutes(hours=20, clock="working") == qc
    # Monday 6 h, Tuesday 8 h (14), Wednesday 08-12 (18) and 13-15 (20)
    assert due_at(assigned, qc, "working") == datetime(2026, 11, 25, 7, 0)
    assert local(due_at(assigned, qc, "working")) == datetime(2026, 11, 25, 15, 0)  # Wednesday 15:00 local


def test_half_a_day_is_half_of_each_clocks_day(app):
    assert budget_minutes(days=Decimal("0.5"), clock="wall") == 12 * 60
    assert budget_minutes(days=Decimal("0.5"), clock="working") == 4 * 60
    assert budget_minutes(days=Decimal("1.25"), hours=Decimal("0.5"), clock="working") == 630
    assert budget_minutes() == 0


# -- the working clock: outside hours, lunch, weekends ---------------------------------------------

@pytest.mark.parametrize(("start", "hours", "due"), [
    ((MON, 7, 0), 8, (MON, 17, 0)),  # before hours: the clock starts at 08:00
    ((MON, 18, 0), 8, (plus(MON, 1), 17, 0)),  # after hours: Tuesday's hours
    ((MON, 12, 30), 8, (plus(MON, 1), 12, 0)),  # at lunch: 13-17, then Tuesday morning, due at 12:00 not 13:00
    ((MON, 12, 0), 4, (MON, 17, 0)),  # the lunch break does not count
    ((MON, 11, 0), 1, (MON, 12, 0)),  # ends with the morning
    ((MON, 9, 15), Decimal("0.75"), (MON, 10, 0)),
    ((plus(MON, 4), 15, 0), 8, (plus(MON, 7), 15, 0)),  # Friday afternoon: 2 h, weekend, Monday 6 h
    ((plus(MON, 4), 17, 0), 8, (plus(MON, 7), 17, 0)),  # Friday at closing time
    ((plus(MON, 5), 10, 0), 8, (plus(MON, 7), 17, 0)),  # Saturday: nothing counts until Monday
    ((MON, 10, 0), 40, (plus(MON, 7), 10, 0)),  # a working week
])
def test_working_clock_around_hours_and_weekends(app, start, hours, due):
    budget = budget_minutes(hours=hours, clock="working")
    assert due_at(at(*start), budget, "working") == at(*due)
    assert elapsed_minutes(at(*start), at(*due), "working") == budget


def test_a_budget_of_nothing_is_due_at_once(app):
    assert due_at(at(MON, 10), 0, "wall") == at(MON, 10)
    assert due_at(at(plus(MON, 5), 10), 0, "working") == at(plus(MON, 5), 10)


def test_seconds_of_the_start_are_kept(app):
    start = at(MON, 16, 59) + timedelta(seconds=30)
    assert due_at(start, 1, "working") == at(plus(MON, 1), 8, 0) + timedelta(seconds=30)
    assert elapsed_minutes(start, at(MON, 17), "working") == 0  # half a minute: not a whole one yet


# -- public holidays and make-up working days: 国庆节 2026 -----------------------------------------

def test_national_day_2026_with_its_make_up_saturday(app):
    added, kept = fill_from_library(2026)
    db.session.commit()
    assert kept == 0 and added == len(library_days(2026)) > 30
    assert not is_working_day(date(2026, 10, 1)) and not is_working_day(date(2026, 10, 7))
    assert is_working_day(date(2026, 10, 10))  # Saturday, make-up working day
    assert is_working_day(date(2026, 9, 20))  # Sunday, make-up working day
    assert not is_working_day(date(2026, 9, 25))  # Friday, 中秋
    # Wednesday 30 September 16:00: 1 h, then 1-7 October off, Thursday 8 October 08-12, 13-16
    assert due_at(at(date(2026, 9, 30), 16), 480, "working") == at(date(2026, 10, 8), 16)
    # Friday 9 October 10:00, two days: Friday 6 h, Saturday 10 October 8 h, Monday 08-10
    assert due_at(at(date(2026, 10, 9), 10), budget_minutes(days=2, clock="working"), "working") \
        == at(date(2026, 10, 12), 10)
    # Friday 18 September 16:00: 1 h, then Sunday 20 September (make-up) 7 h
    assert due_at(at(date(2026, 9, 18), 16), 480, "working") == at(date(2026, 9, 20), 16)
    # Thursday 24 September 16:00: 1 h, 中秋 Friday to Sunday off, Monday 28 September 7 h
    assert due_at(at(date(2026, 9, 24), 16), 480, "working") == at(date(2026, 9, 28), 16)
    # the wall clock knows no holidays
    assert due_at(at(date(2026, 9, 30), 16), 1440, "wall") == at(date(2026, 10, 1), 16)
    assert elapsed_minutes(at(date(2026, 9, 30), 16), at(date(2026, 10, 8), 9), "working") == 120


def test_without_the_calendar_table_only_weekdays_count(app):
    # before the administrator fills 2026, 1 October is an ordinary Thursday
    assert due_at(at(date(2026, 9, 30), 16), 480, "working") == at(date(2026, 10, 1), 16)
    assert due_at(at(date(2026, 10, 9), 10), 960, "working") == at(date(2026, 10, 13), 10)


def test_holidays_across_a_year_end_are_read_in_one_query_and_kept_for_the_request(app):
    db.session.add_all([CalendarDay(day=date(2026, 12, 31), kind=HOLIDAY, name="x"),
                        CalendarDay(day=date(2027, 1, 1), kind=HOLIDAY, name="元旦")])
    db.session.commit()
    with app.app_context():
        start = at(date(2026, 12, 30), 9)
        assert hours_per_day() == 8  # the settings are read once for the request
        with QueryCounter() as first:
            due = due_at(start, budget_minutes(days=3, clock="working"), "working")
        assert [s for s in first.statements if "calendar_days" in s] == [first.statements[0]]
        assert first.count == 1
        # Wednesday 30 Dec 7 h, 31 Dec and 1 Jan off, weekend, Mon 4 Jan 8 h (15), Tue 5 Jan 8 h (23),
        # Wednesday 6 Jan 08-09
        assert due == at(date(2027, 1, 6), 9)
        with QueryCounter() as again:
            assert due_at(start, budget_minutes(days=3, clock="working"), "working") == due
            elapsed_minutes(start, due, "working")
        assert again.count == 0


def test_a_year_is_walked_fast(app):
    import time

    start = at(MON, 10)
    began = time.perf_counter()
    due = due_at(start, budget_minutes(days=400, clock="working"), "working")
    assert elapsed_minutes(start, due, "working") == 400 * 480
    assert time.perf_counter() - began < 2  # generous; it takes milliseconds


# -- pauses ----------------------------------------------------------------------------------------

def test_wall_clock_pauses(app):
    start = at(MON, 10)
    day = budget_minutes(days=1)
    waiting = [(at(MON, 14), at(MON, 20))]  # 6 h waiting for the customer
    assert due_at(start, day, "wall", waiting) == at(plus(MON, 1), 16)
    assert elapsed_minutes(start, at(MON, 20), "wall", waiting) == 4 * 60
    assert elapsed_minutes(start, at(plus(MON, 1), 16), "wall", waiting) == day
    # overlapping and unordered pauses count once; a pause before the start does not matter
    messy = [(at(MON, 18), at(MON, 20)), (at(MON, 14), at(MON, 19)), (at(MON, 1), at(MON, 2))]
    assert due_at(start, day, "wall", messy) == at(plus(MON, 1), 16)
    # a pause that began before the start and ends after it
    assert due_at(start, day, "wall", [(at(MON, 8), at(MON, 12))]) == at(plus(MON, 1), 12)


def test_wall_clock_open_pause_stops_the_clock(app):
    start = at(MON, 10)
    on_hold = [(at(MON, 14), None)]  # still waiting for a lab sample
    assert due_at(start, 1440, "wall", on_hold) is None
    assert elapsed_minutes(start, at(plus(MON, 3), 9), "wall", on_hold) == 4 * 60
    assert elapsed_minutes(start, at(MON, 12), "wall", on_hold) == 2 * 60
    # closed and then open again
    pauses = [(at(MON, 11), at(MON, 12)), (at(MON, 14), None)]
    assert elapsed_minutes(start, at(plus(MON, 1), 0), "wall", pauses) == 3 * 60
    # a pause opened after the budget ran out leaves the due time known (and past)
    assert due_at(start, 120, "wall", [(at(MON, 13), None)]) == at(MON, 12)
    assert due_at(start, 120, "wall", [(at(MON, 12), None)]) == at(MON, 12)
    assert due_at(start, 121, "wall", [(at(MON, 12), None)]) is None


def test_working_clock_pauses(app):
    start = at(MON, 10)
    day = budget_minutes(days=1, clock="working")
    # on hold Monday 11:00 to Tuesday 09:00: 1 + 4 + 1 working hours do not count
    waiting = [(at(MON, 11), at(plus(MON, 1), 9))]
    assert due_at(start, day, "working", waiting) == at(plus(MON, 1), 17)
    assert elapsed_minutes(start, at(plus(MON, 1), 12), "working", waiting) == 60 + 3 * 60
    # a pause over lunch and the night changes nothing
    idle = [(at(MON, 12), at(MON, 13)), (at(MON, 17), at(plus(MON, 1), 8))]
    assert due_at(start, day, "working", idle) == at(plus(MON, 1), 10)
    # a long closed pause (three months waiting for the customer) is jumped over, not walked
    long_wait = [(at(MON, 11), at(date(2027, 2, 22), 10))]  # to Monday 22 February 2027, 10:00
    # Monday 10-11 (1 h), then 22 February 10-12 and 13-17 (7 h), Tuesday 08-09
    assert due_at(start, day, "working", long_wait) == at(date(2027, 2, 23), 9)


def test_working_clock_open_pause(app):
    start = at(MON, 10)
    on_hold = [(at(MON, 15), None)]
    assert due_at(start, 480, "working", on_hold) is None
    assert elapsed_minutes(start, at(plus(MON, 10), 12), "working", on_hold) == 4 * 60
    assert due_at(start, 180, "working", on_hold) == at(MON, 14)  # ran out before the hold
    # an open pause that began before the start: nothing counts yet
    assert due_at(start, 480, "working", [(at(MON, 9), None)]) is None
    assert elapsed_minutes(start, at(plus(MON, 2), 10), "working", [(at(MON, 9), None)]) == 0


# -- elapsed_minutes agrees with due_at ------------------------------------------------------------

@pytest.mark.parametrize("clock", ["wall", "working"])
@pytest.mark.parametrize(("start", "budget"), [
    ((MON, 10), 480), ((MON, 12, 30), 1200), ((plus(MON, 4), 16, 45), 61), ((plus(MON, 6), 23, 59), 4321),
    ((MON, 8), 1), ((MON, 3, 7), 3600),
])
def test_elapsed_at_due_is_the_budget(app, clock, start, budget):
    pauses = [(at(MON, 11), at(MON, 14)), (at(plus(MON, 1), 16), at(plus(MON, 2), 9, 30))]
    for given in ((), pauses):
        due = due_at(at(*start), budget, clock, given)
        assert elapsed_minutes(at(*start), due, clock, given) == budget
        assert elapsed_minutes(at(*start), due - timedelta(minutes=1), clock, given) == budget - 1
        assert elapsed_minutes(at(*start), due + timedelta(days=30), clock, given) > budget
        warn = due_at(at(*start), budget * 8 // 10, clock, given)  # the 80 % warning
        assert elapsed_minutes(at(*start), warn, clock, given) == budget * 8 // 10 <= budget
    assert elapsed_minutes(at(*start), at(*start) - timedelta(hours=1), clock) == 0


def test_elapsed_during_the_weekend_stands_still(app):
    friday = at(plus(MON, 4), 16)
    assert elapsed_minutes(friday, at(plus(MON, 5), 12), "working") == 60
    assert elapsed_minutes(friday, at(plus(MON, 7), 7, 59), "working") == 60
    assert elapsed_minutes(friday, at(plus(MON, 7), 9), "working") == 120
    assert elapsed_minutes(friday, at(plus(MON, 5), 12), "wall") == 20 * 60


# -- refusals ---------------------------------------------------------------------------------------

def test_bad_arguments_are_refused(app):
    start = at(MON, 10)
    with pytest.raises(ValueError, match="clock"):
        due_at(start, 60, "lunar")
    with pytest.raises(ValueError, match="clock"):
        elapsed_minutes(start, start, "24h")
    with pytest.raises(ValueError, match="400 days"):
        due_at(start, 401 * 1440, "wall")
    with pytest.raises(ValueError, match="400 days"):
        due_at(start, 400 * 480 + 1, "working")
    with pytest.raises(ValueError, match="400 days"):
        budget_minutes(days=401, clock="working")
    with pytest.raises(ValueError):
        budget_minutes(hours=-1)
    with pytest.raises(ValueError):
        due_at(start, -5, "wall")
    with pytest.raises(TypeError):
        budget_minutes(days=0.5)  # type: ignore[arg-type]  # floats are refused: use Decimal
    with pytest.raises(TypeError):
        due_at(start, 60.0, "wall")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="before it begins"):
        due_at(start, 60, "wall", [(at(MON, 12), at(MON, 11))])
    assert due_at(start, 400 * 480, "working") is not None  # 400 working days are allowed


def test_a_calendar_without_any_working_day_gives_up_with_an_error(app):
    save_company_setting("core.working_weekdays", "7")
    db.session.add_all([CalendarDay(day=date(2026, 11, 29) + timedelta(weeks=n), kind=HOLIDAY, name="x")
                        for n in range(0, 1100)])
    db.session.commit()
    with app.app_context(), pytest.raises(ValueError, match="no end"):
        due_at(at(MON, 10), 60, "working")


# -- settings: working hours, weekdays and clock ---------------------------------------------------

@pytest.mark.parametrize(("text", "normal"), [
    ("08:00-12:00, 13:00-17:00", "08:00-12:00, 13:00-17:00"),
    ("8:00 - 12:00，13:30-17:30", "08:00-12:00, 13:30-17:30"),
    ("00:00-24:00", "00:00-24:00"),
    ("08:00-12:00;12:00-16:00", "08:00-12:00, 12:00-16:00"),
    ("22:00-23:59", "22:00-23:59"),
])
def test_working_hours_are_read_and_normalised(text, normal):
    assert hours_text(text) == normal


@pytest.mark.parametrize(("text", "message"), [
    ("", "at least one"),
    ("8-12", "not an interval"),
    ("08:00-12:00, 11:00-17:00", "without overlaps"),
    ("13:00-17:00, 08:00-12:00", "without overlaps"),
    ("12:00-08:00", "after the start"),
    ("08:00-08:00", "after the start"),
    ("22:00-02:00", "after the start"),
    ("08:00-24:30", "time of day"),
    ("24:00-24:00", "time of day"),
    ("08:60-12:00", "time of day"),
    (", ".join(["01:00-01:01"] * 13), "At most"),
])
def test_bad_working_hours_are_refused(app, text, message):
    with force_locale("en"), pytest.raises(ValueError, match=message):
        str(hours_text(text))


@pytest.mark.parametrize(("text", "normal"), [
    ("1-5", "1-5"), ("1,2,3,4,5", "1-5"), ("1-5, 6", "1-6"), ("6，7", "6, 7"), ("1, 3, 5", "1, 3, 5"),
    ("7", "7"), ("1-3,2-4", "1-4"),
])
def test_working_weekdays_are_read_and_normalised(text, normal):
    assert weekdays_text(text) == normal


@pytest.mark.parametrize("text", ["", "0", "8", "5-1", "Mon-Fri", "1..5", ","])
def test_bad_working_weekdays_are_refused(app, text):
    with pytest.raises(ValueError):
        weekdays_text(text)


def test_a_settings_change_takes_effect_on_the_next_request_without_a_restart(app):
    admin = app.test_client()
    make_user("admin", ("admin",))
    login(admin, "admin")
    start = at(MON, 10)
    qc = budget_minutes(days=Decimal("2.5"), clock="working")
    assert due_at(start, qc, "working") == at(plus(MON, 2), 15)
    saved = post_form(admin, "/admin/settings/core.working_hours", {"value": "09:00-17:00"}, page="/admin/settings")
    assert saved.status_code == 302
    post_form(admin, "/admin/settings/core.working_weekdays", {"value": "1-6"}, page="/admin/settings")
    post_form(admin, "/admin/settings/core.deadline_clock", {"value": "working"}, page="/admin/settings")
    with app.app_context():  # the next request
        from core.calendar import default_clock

        assert default_clock() == "working"
        qc = budget_minutes(days=Decimal("2.5"), clock="working")
        assert qc == 20 * 60  # still 8 h a day
        # Monday 10-17 (7 h), Tuesday 8 h (15), Wednesday 09-14 (20)
        assert due_at(start, qc, "working") == at(plus(MON, 2), 14)
        # Saturday works now
        assert due_at(at(plus(MON, 4), 15), 480, "working") == at(plus(MON, 5), 15)
        assert working_days_in(2026) == 313


@pytest.mark.parametrize(("key", "value"), [
    ("core.working_hours", "13:00-17:00, 08:00-12:00"), ("core.working_hours", "all day"),
    ("core.working_weekdays", "Mon-Fri"), ("core.working_weekdays", "0-5"), ("core.deadline_clock", "lunar"),
])
def test_bad_calendar_settings_are_form_messages(app, key, value):
    admin = app.test_client()
    make_user("admin", ("admin",))
    login(admin, "admin")
    page = post_form(admin, f"/admin/settings/{key}", {"value": value}, page="/admin/settings")
    assert page.status_code == 200 and 'class="error" role="alert"' in page.get_data(as_text=True)
    with app.app_context():
        assert hours_per_day() == 8


# -- the calendar page -------------------------------------------------------------------------------

@pytest.fixture
def admin(app):
    make_user("admin", ("admin",))
    client = app.test_client()
    login(client, "admin")
    return client


def days_of(year):
    return db.session.scalars(select(CalendarDay).where(func.extract("year", CalendarDay.day) == year)
                              .order_by(CalendarDay.day)).all()


def test_the_page_lists_a_year_in_both_languages(app, admin):
    fill_from_library(2026)
    db.session.commit()
    page = admin.get(f"{PAGE}?year=2026").get_data(as_text=True)
    assert "工作日历" in page and "国庆节" in page and "国庆节调休上班" in page and "2026-10-10" in page
    assert "08:00–12:00, 13:00–17:00" in page and 'class="working-days">248<' in page  # as the State Council counts
    assert "星期六" in page and "<dd>星期一至星期五</dd>" in page
    post_form(admin, "/language", {"locale": "en", "next": "/"}, page="/")
    page = admin.get(f"{PAGE}?year=2026").get_data(as_text=True)
    assert "Working calendar" in page and "Make-up working day" in page and "Saturday" in page
    assert "<dd>Monday to Friday</dd>" in page
    assert "2026-10-10" in page
    empty = admin.get(f"{PAGE}?year=2027").get_data(as_text=True)
    assert "No public holidays or make-up working days are recorded for 2027" in empty
    assert admin.get(f"{PAGE}?year=abc").status_code == 302
    assert admin.get(f"{PAGE}?year=99999").status_code == 302


def test_adding_a_day_is_audited_and_counts_at_once(app, admin):
    assert due_at(at(MON, 10), 480, "working") == at(plus(MON, 1), 10)
    answer = post_form(admin, PAGE, {"day": "2026-11-24", "kind": "holiday", "name": "厂庆"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"{PAGE}?year=2026")
    row = db.session.scalar(select(CalendarDay))
    assert (row.day, row.kind, row.name, row.source) == (date(2026, 11, 24), "holiday", "厂庆", "manual")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "calendar_days"))
    assert event.action == "create" and event.changes["name"] == [None, "厂庆"]
    with app.app_context():  # the next request: Tuesday is off now
        assert due_at(at(MON, 10), 480, "working") == at(plus(MON, 2), 10)
    post_form(admin, PAGE, {"day": "2026-11-28", "kind": "workday", "name": "补班"})
    with app.app_context():
        assert is_working_day(date(2026, 11, 28))


@pytest.mark.parametrize(("data", "message"), [
    ({"day": "", "kind": "holiday", "name": "x"}, "Enter a date."),
    ({"day": "2026-13-01", "kind": "holiday", "name": "x"}, "Not a valid date value."),
    ({"day": "tomorrow", "kind": "holiday", "name": "x"}, "Not a valid date value."),
    ({"day": "1899-01-01", "kind": "holiday", "name": "x"}, "Enter a date from 2000 to 2100."),
    ({"day": "2026-11-24", "kind": "vacation", "name": "x"}, "Not a valid choice."),
    ({"day": "2026-11-24", "kind": "holiday", "name": "  "}, "Enter a name"),
    ({"day": "2026-11-24", "kind": "holiday", "name": "名" * 101}, "100"),
    ({"day": "2026-10-01", "kind": "workday", "name": "x"}, "is in the calendar already (国庆节)"),
])
def test_bad_input_gives_a_form_message_and_adds_nothing(app, admin, data, message):
    db.session.add(CalendarDay(day=date(2026, 10, 1), kind=HOLIDAY, name="国庆节"))
    db.session.commit()
    post_form(admin, "/language", {"locale": "en", "next": "/"}, page="/")
    page = admin.post(PAGE, data={**data, "csrf_token": _token(admin)})
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CalendarDay.id))) == 1


def _token(client):
    from core.testing import csrf_token

    return csrf_token(client, PAGE)


def test_a_form_without_csrf_token_is_refused(app, admin):
    page = admin.post(PAGE, data={"day": "2026-11-24", "kind": "holiday", "name": "x"})
    assert page.status_code == 400
    assert admin.post(f"{PAGE}/fill", data={"year": "2026"}).status_code == 400
    assert db.session.scalar(select(func.count(CalendarDay.id))) == 0


def test_removing_a_day_asks_first_and_is_audited(app, admin):
    db.session.add(CalendarDay(day=date(2026, 11, 24), kind=HOLIDAY, name="厂庆"))
    db.session.commit()
    row_id = db.session.scalar(select(CalendarDay.id))
    confirm = admin.get(f"{PAGE}/{row_id}/remove")
    assert confirm.status_code == 200 and "厂庆" in confirm.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CalendarDay.id))) == 1  # asking removes nothing
    answer = post_form(admin, f"{PAGE}/{row_id}/remove", {})
    assert answer.status_code == 302
    assert db.session.scalar(select(func.count(CalendarDay.id))) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "calendar_days",
                                                       AuditEvent.action == "delete"))
    assert event is not None
    assert admin.get(f"{PAGE}/{row_id}/remove").status_code == 404
    with app.app_context():
        assert due_at(at(MON, 10), 480, "working") == at(plus(MON, 1), 10)


def test_fill_from_the_library_keeps_what_the_administrator_changed(app, admin):
    db.session.add(CalendarDay(day=date(2026, 10, 8), kind=HOLIDAY, name="厂休"))
    db.session.add(CalendarDay(day=date(2026, 10, 1), kind=HOLIDAY, name="国庆"))
    db.session.commit()
    answer = post_form(admin, f"{PAGE}/fill", {"year": "2026"}, page=f"{PAGE}?year=2026")
    assert answer.status_code == 302
    rows = {row.day: row for row in days_of(2026)}
    library = library_days(2026)
    assert len(rows) == len(library) + 1
    assert rows[date(2026, 10, 1)].name == "国庆" and rows[date(2026, 10, 1)].source == "manual"
    assert rows[date(2026, 10, 10)].kind == WORKDAY and rows[date(2026, 10, 10)].source == "library"
    assert rows[date(2026, 2, 14)].kind == WORKDAY  # Saturday before 春节
    page = admin.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"从节假日库添加了 2026 年的 {len(library) - 1} 天" in page
    post_form(admin, f"{PAGE}/fill", {"year": "2026"}, page=f"{PAGE}?year=2026")
    assert len(days_of(2026)) == len(library) + 1  # a second fill adds nothing
    audited = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.record_type == "calendar_days"))
    assert audited == len(library) - 1 + 2


def test_fill_a_year_the_library_does_not_know_says_so(app, admin):
    post_form(admin, "/language", {"locale": "en", "next": "/"}, page="/")
    answer = post_form(admin, f"{PAGE}/fill", {"year": "2027"}, page=f"{PAGE}?year=2027")
    page = admin.get(answer.headers["Location"]).get_data(as_text=True)
    assert "has no official schedule for 2027" in page
    assert days_of(2027) == []
    for year in ("abc", "", "1800"):
        assert post_form(admin, f"{PAGE}/fill", {"year": year}, page=PAGE).status_code == 302
    assert db.session.scalar(select(func.count(CalendarDay.id))) == 0


def test_only_administrators_keep_the_calendar(app, admin):
    db.session.add(CalendarDay(day=date(2026, 11, 24), kind=HOLIDAY, name="厂庆"))
    db.session.commit()
    row_id = db.session.scalar(select(CalendarDay.id))
    make_user("rep", ("rep",), "east")
    rep = app.test_client()
    login(rep, "rep")
    assert rep.get(PAGE).status_code == 403
    assert post_form(rep, PAGE, {"day": "2026-11-25", "kind": "holiday", "name": "x"}, page="/").status_code == 403
    assert post_form(rep, f"{PAGE}/fill", {"year": "2026"}, page="/").status_code == 403
    assert rep.get(f"{PAGE}/{row_id}/remove").status_code == 403
    assert post_form(rep, f"{PAGE}/{row_id}/remove", {}, page="/").status_code == 403
    assert f'href="{PAGE}"' not in rep.get("/").get_data(as_text=True)
    assert f'href="{PAGE}"' in admin.get("/").get_data(as_text=True)
    assert app.test_client().get(PAGE).status_code == 302  # anonymous: to the login page
    assert db.session.scalar(select(func.count(CalendarDay.id))) == 1
