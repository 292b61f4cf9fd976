"""Deadlines on two clocks: the wall clock (24 hours a day) and the company's working calendar.

A budget is a number of minutes on one clock. ``due_at`` says when it runs out, ``elapsed_minutes``
how much of it is used by a moment; paused stretches (on hold: waiting for the customer or a lab
sample) count on neither clock. Every time here is naive UTC, as stored.

The working calendar is the working hours of a day in company-local time (settings
``core.working_hours``), the working weekdays (``core.working_weekdays``) and a table of dated
exceptions an administrator keeps on /admin/calendar: public holidays (a day off on a working
weekday) and make-up working days (调休, a working weekend day), prefilled for China from the
``chinese_calendar`` library. The computation walks day by day (never minute by minute), reads
the exceptions of the years it needs in one query and keeps them for the request on ``flask.g``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.audit import Audited, Choice
from core.clock import to_local, to_utc
from core.db import db

WALL, WORKING = "wall", "working"
CLOCKS = (WALL, WORKING)
HOLIDAY, WORKDAY = "holiday", "workday"
DAY_KINDS = {HOLIDAY: _l("Public holiday (day off)"), WORKDAY: _l("Make-up working day (调休)")}
SOURCES = {"library": _l("Library"), "manual": _l("Entered by hand")}
MAX_BUDGET_DAYS = 400  # a budget longer than this many days of its clock is refused
MAX_SCAN_DAYS = 7320  # about 20 years of calendar days walked (paused days skipped) before giving up
MINUTES_PER_WALL_DAY = 24 * 60
CACHE = "_guanxi_calendar_days"
_END = datetime.max

Pause = tuple[datetime, datetime | None]


class CalendarDay(Audited, db.Model):
    """A dated exception to the working weekdays: a public holiday or a make-up working day."""

    __tablename__ = "calendar_days"
    __audit_label__ = _l("Working calendar")
    __audit_fields__ = {
        "day": _l("Date"),
        "kind": Choice(_l("Kind"), DAY_KINDS),
        "name": _l("Name"),
        "source": Choice(_l("Source"), SOURCES),
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(16), default="manual")


# -- settings: the working hours and weekdays, as typed on the settings page ----------------------

_SEPARATORS = re.compile(r"[,，;；]")
_INTERVAL = re.compile(r"([0-9]{1,2}):([0-9]{2})\s*[-–~～]\s*([0-9]{1,2}):([0-9]{2})")
_WEEKDAY_PART = re.compile(r"([1-7])(?:\s*-\s*([1-7]))?")
MAX_INTERVALS = 12


def hours_text(text: str) -> str:
    """Check working hours typed as ``08:00-12:00, 13:00-17:00`` and return them normalised.

    Intervals are company-local, sorted, not overlapping, within one day (24:00 may end the last).
    """
    return _format_intervals(_parse_intervals(text))


def _parse_intervals(text: str) -> tuple[tuple[int, int], ...]:
    parts = [part.strip() for part in _SEPARATORS.split(text or "")]
    if not any(parts):
        raise ValueError(_l("Enter at least one interval, such as 08:00-12:00, 13:00-17:00."))
    if len(parts) > MAX_INTERVALS:
        raise ValueError(_l("At most %(count)d intervals.", count=MAX_INTERVALS))
    intervals: list[tuple[int, int]] = []
    for part in parts:
        match = _INTERVAL.fullmatch(part)
        if not match:
            raise ValueError(_l("“%(part)s” is not an interval such as 08:00-12:00.", part=part))
        h1, m1, h2, m2 = (int(x) for x in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise ValueError(_l("“%(part)s” is not a time of day; use 00:00 to 24:00.", part=part))
        begin, end = h1 * 60 + m1, h2 * 60 + m2
        if begin >= end:
            raise ValueError(_l("In “%(part)s” the end must come after the start, on the same day.", part=part))
        if intervals and begin < intervals[-1][1]:
            raise ValueError(_l("“%(part)s” starts before the interval in front of it ends; "
                                "list the intervals in order, without overlaps.", part=part))
        intervals.append((begin, end))
    return tuple(intervals)


def _format_intervals(intervals: Iterable[tuple[int, int]]) -> str:
    return ", ".join(f"{_hhmm(begin)}-{_hhmm(end)}" for begin, end in intervals)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def weekdays_text(text: str) -> str:
    """Check working weekdays typed as ISO numbers (1 = Monday … 7 = Sunday), e.g. ``1-5`` or
    ``1-5, 6``, and return them normalised (``1-6``)."""
    return _format_weekdays(_parse_weekdays(text))


def _parse_weekdays(text: str) -> frozenset[int]:
    """ISO weekday numbers 1–7 as Python weekdays 0–6."""
    days: set[int] = set()
    parts = [part.strip() for part in _SEPARATORS.split(text or "")]
    for part in parts:
        if not part:
            continue
        match = _WEEKDAY_PART.fullmatch(part)
        if not match:
            raise ValueError(_l("“%(part)s” is not a weekday number 1 to 7 or a range such as 1-5.", part=part))
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first:
            raise ValueError(_l("In “%(part)s” the range must run forwards, such as 1-5.", part=part))
        days.update(range(first - 1, last))
    if not days:
        raise ValueError(_l("Enter at least one working weekday, such as 1-5 for Monday to Friday."))
    return frozenset(days)


def _format_weekdays(days: frozenset[int]) -> str:
    numbers = sorted(day + 1 for day in days)
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs)


@lru_cache(maxsize=32)
def _intervals_of(text: str) -> tuple[tuple[int, int], ...]:
    return _parse_intervals(text)


@lru_cache(maxsize=32)
def _weekdays_of(text: str) -> frozenset[int]:
    return _parse_weekdays(text)


def working_hours() -> tuple[tuple[int, int], ...]:
    """The working intervals of a day as (start, end) minutes after local midnight."""
    from core.settings import setting

    return _intervals_of(setting("core.working_hours"))


def working_weekdays() -> frozenset[int]:
    """The working weekdays as Python weekday numbers (0 = Monday)."""
    from core.settings import setting

    return _weekdays_of(setting("core.working_weekdays"))


def minutes_per_day() -> int:
    """Working minutes of one working day (480 for 08:00-12:00, 13:00-17:00)."""
    return sum(end - begin for begin, end in working_hours())


def hours_per_day() -> Decimal:
    """Working hours of one working day, e.g. ``Decimal("8")``; OCA's ``calendar.hours_per_day``."""
    return (Decimal(minutes_per_day()) / 60).normalize()


def default_clock() -> str:
    """The clock a sign-off's "one day" runs on (setting ``core.deadline_clock``): wall or working."""
    from core.settings import setting

    return setting("core.deadline_clock")


# -- the public computation ------------------------------------------------------------------------

def budget_minutes(days: Decimal | int = 0, hours: Decimal | int = 0, clock: str = WALL) -> int:
    """OCA's rule: budget = hours + hours_per_day × days, in whole minutes (half a minute rounds up).

    A day is 24 hours on the wall clock and ``hours_per_day`` of the working calendar on the
    working clock, so half a day is 12 hours or half a working day.
    """
    _check_clock(clock)
    days_, hours_ = _amount(days, "days"), _amount(hours, "hours")
    per_day = MINUTES_PER_WALL_DAY if clock == WALL else minutes_per_day()
    minutes = (hours_ * 60 + days_ * per_day).quantize(Decimal(1), ROUND_HALF_UP)
    _check_budget(int(minutes), per_day)
    return int(minutes)


def due_at(start: datetime, budget_minutes: int, clock: str,
           pauses: Sequence[Pause] = ()) -> datetime | None:
    """When ``budget_minutes`` on ``clock`` ("wall" or "working"), counted from ``start``, run out.

    Paused stretches ``(begin, end)`` do not count. While a pause is open (``end`` None) the due time
    is not known yet and the answer is None, unless the budget had run out before that pause began.
    On the working clock the due time is the moment the last working minute is used, so a budget
    that ends with the morning is due at 12:00, not 13:00. A budget of 0 is due at ``start``.
    Raises ValueError for an unknown clock, a bad pause or a budget over 400 days of its clock.
    """
    _check_clock(clock)
    if isinstance(budget_minutes, bool) or not isinstance(budget_minutes, int):
        raise TypeError("budget_minutes must be an int")
    _check_budget(budget_minutes, MINUTES_PER_WALL_DAY if clock == WALL else minutes_per_day())
    merged = _merged(pauses)
    remaining = timedelta(minutes=budget_minutes)
    if not remaining:
        return start
    horizon = _horizon(start, budget_minutes, clock, merged)
    for begin, end in _counted(start, clock, merged, horizon):
        if end - begin >= remaining:
            return begin + remaining
        remaining -= end - begin
    return None


def elapsed_minutes(start: datetime, now: datetime, clock: str, pauses: Sequence[Pause] = ()) -> int:
    """Whole minutes of the budget used between ``start`` and ``now`` on ``clock``, pauses left out
    (an open pause stops the count where it began). ``elapsed_minutes(start, due_at(...))`` is the
    budget."""
    _check_clock(clock)
    merged = _merged(pauses)
    if now <= start:
        return 0
    used = timedelta()
    for begin, end in _counted(start, clock, merged, now):
        if begin >= now:
            break
        used += min(end, now) - begin
        if end >= now:
            break
    return int(used.total_seconds() // 60)


# -- internals ------------------------------------------------------------------------------------

def _check_clock(clock: str) -> None:
    if clock not in CLOCKS:
        raise ValueError(f"Unknown clock {clock!r}; use 'wall' or 'working'.")


def _amount(value: Decimal | int, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"{name} must be an int or a Decimal, not {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{name} must be a finite number of at least 0, not {value}")
    return amount


def _check_budget(minutes: int, per_day: int) -> None:
    if minutes < 0:
        raise ValueError("A budget cannot be negative.")
    if minutes > MAX_BUDGET_DAYS * per_day:
        raise ValueError(f"A budget of {minutes} minutes is more than {MAX_BUDGET_DAYS} days of its clock.")


def _merged(pauses: Iterable[Pause]) -> list[Pause]:
    """Pauses sorted and merged; an open pause ends the list (nothing after it counts)."""
    items = []
    for pause in pauses:
        begin, end = pause
        if not isinstance(begin, datetime) or not (end is None or isinstance(end, datetime)):
            raise ValueError("A pause is (begin, end) with naive UTC datetimes; end None while open.")
        if end is not None and end < begin:
            raise ValueError(f"A pause ends ({end}) before it begins ({begin}).")
        items.append((begin, end))
    items.sort(key=lambda item: item[0])
    merged: list[Pause] = []
    for begin, end in items:
        if merged and (merged[-1][1] is None or begin <= merged[-1][1]):
            last_begin, last_end = merged[-1]
            merged[-1] = (last_begin, None if last_end is None or end is None else max(last_end, end))
        else:
            merged.append((begin, end))
    return merged


def _counted(start: datetime, clock: str, pauses: list[Pause], horizon: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The stretches [begin, end) that count on ``clock`` from ``start`` on, in order, pauses left
    out; it stops at an open pause. ``horizon`` is how far the caller probably looks (holidays of
    those years are read in one query)."""
    if clock == WALL:
        return _without_pauses(iter([(start, _END)]), pauses)
    return _without_pauses(_working_stretches(start, pauses, horizon), pauses)


def _without_pauses(stretches: Iterator[tuple[datetime, datetime]],
                    pauses: list[Pause]) -> Iterator[tuple[datetime, datetime]]:
    index = 0
    for begin, end in stretches:
        while begin < end:
            while index < len(pauses) and pauses[index][1] is not None and pauses[index][1] <= begin:
                index += 1
            if index == len(pauses) or pauses[index][0] >= end:
                yield begin, end
                break
            pause_begin, pause_end = pauses[index]
            if pause_begin > begin:
                yield begin, pause_begin
            if pause_end is None:
                return
            begin = pause_end


def _working_stretches(start: datetime, pauses: list[Pause], horizon: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals in UTC from ``start`` on, walking local days; a day inside a closed pause
    is jumped over, an open pause that covers a whole day ends the walk."""
    calendar = _WorkingCalendar()
    day = to_local(start).date()
    calendar.load(day, to_local(min(horizon, datetime(9998, 1, 1))).date())
    index, scanned = 0, 0
    while True:
        day_begin = to_utc(datetime.combine(day, time()))
        day_end = to_utc(datetime.combine(day + timedelta(days=1), time()))
        while index < len(pauses) and pauses[index][1] is not None and pauses[index][1] <= day_begin:
            index += 1
        if index < len(pauses) and pauses[index][0] <= day_begin:
            pause_end = pauses[index][1]
            if pause_end is None:
                return
            if pause_end >= day_end:
                day = to_local(pause_end).date()
                continue
        scanned += 1
        if scanned > MAX_SCAN_DAYS:
            raise ValueError(f"The working calendar has no end to this within {MAX_SCAN_DAYS} days of {start}.")
        if calendar.is_working(day):
            for begin, end in calendar.intervals(day):
                if end > start:
                    yield max(begin, start), end
        day += timedelta(days=1)


def _horizon(start: datetime, budget: int, clock: str, pauses: list[Pause]) -> datetime:
    """A generous guess of how far a budget reaches, so one query reads the holidays it needs."""
    if clock == WALL:
        return start
    per_day = minutes_per_day()
    days = -(-budget // per_day) * 7 // max(len(working_weekdays()), 1) + 30
    paused = sum(((end - begin) for begin, end in pauses if end is not None and end > start), timedelta())
    return start + timedelta(days=days) + paused


class _WorkingCalendar:
    """The working calendar as settings and the calendar table say, for one computation."""

    def __init__(self) -> None:
        self.hours = working_hours()
        self.weekdays = working_weekdays()
        self.exceptions = _exceptions()

    def load(self, first: date, last: date) -> None:
        _load_years(self.exceptions, range(first.year, last.year + 1))

    def is_working(self, day: date) -> bool:
        if day.year not in self.exceptions:
            _load_years(self.exceptions, range(day.year, day.year + 1))
        kind = self.exceptions[day.year].get(day)
        if kind is not None:
            return kind == WORKDAY
        return day.weekday() in self.weekdays

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        midnight = datetime.combine(day, time())
        stretches = [(to_utc(midnight + timedelta(minutes=begin)), to_utc(midnight + timedelta(minutes=end)))
                     for begin, end in self.hours]
        return [(begin, end) for begin, end in stretches if end > begin]  # a DST change may swallow one


def _exceptions() -> dict[int, dict[date, str]]:
    """The calendar table by year as far as read in this request (or app context)."""
    if not has_app_context():
        raise RuntimeError("The working clock needs the application (settings and calendar table).")
    cache = g.get(CACHE)
    if cache is None:
        cache = {}
        setattr(g, CACHE, cache)
    return cache


def _load_years(cache: dict[int, dict[date, str]], years: range) -> None:
    missing = [year for year in years if year not in cache]
    if not missing:
        return
    first, last = min(missing), max(missing)
    found: dict[int, dict[date, str]] = {year: {} for year in range(first, last + 1) if year not in cache}
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)
                              .where(CalendarDay.day >= date(first, 1, 1), CalendarDay.day <= date(last, 12, 31)))
    for day, kind in rows:
        if day.year in found:
            found[day.year][day] = kind
    cache.update(found)


def forget_loaded_days() -> None:
    """Drop the calendar days read in this request (after the table changed)."""
    if has_app_context():
        g.pop(CACHE, None)


def is_working_day(day: date) -> bool:
    """Whether ``day`` (company-local) is a working day: a make-up day, or a working weekday that
    is no holiday."""
    calendar = _WorkingCalendar()
    return calendar.is_working(day)


def working_days_in(year: int) -> int:
    """The number of working days of a year, as the calendar stands."""
    calendar = _WorkingCalendar()
    calendar.load(date(year, 1, 1), date(year, 12, 31))
    first = date(year, 1, 1)
    return sum(calendar.is_working(first + timedelta(days=n)) for n in range((date(year + 1, 1, 1) - first).days))


# -- the library: China's public holidays and make-up working days ---------------------------------

def library_years() -> tuple[int, int]:
    """The first and last year the installed ``chinese_calendar`` knows."""
    import chinese_calendar

    years = [day.year for day in chinese_calendar.holidays]
    return min(years), max(years)


def library_version() -> str:
    import chinese_calendar

    return str(chinese_calendar.__version__)


def library_days(year: int, english: bool = False) -> list[tuple[date, str, str]]:
    """``(day, kind, name)`` of the State Council's schedule for ``year`` as the library has it,
    names in Chinese (or English); empty when the library does not know the year."""
    import chinese_calendar

    def name(value: Any, makeup: bool) -> str:
        holiday = chinese_calendar.Holiday(value)
        if english:
            return f"{holiday.value} (make-up working day)" if makeup else holiday.value
        return f"{holiday.chinese}调休上班" if makeup else holiday.chinese

    days = [(day, HOLIDAY, name(value, False)) for day, value in chinese_calendar.holidays.items() if day.year == year]
    days += [(day, WORKDAY, name(value, True)) for day, value in chinese_calendar.workdays.items() if day.year == year]
    return sorted(days)


def fill_from_library(year: int, english: bool = False) -> tuple[int, int]:
    """Add the library's holidays and make-up days of ``year`` that the table lacks; a day already
    in the table (perhaps changed by an administrator) is kept. Returns (added, kept); the caller
    commits. Raises LookupError when the library has no schedule for the year."""
    wanted = library_days(year, english)
    if not wanted:
        raise LookupError(year)
    present = set(db.session.scalars(select(CalendarDay.day).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))))
    added = 0
    for day, kind, name in wanted:
        if day not in present:
            db.session.add(CalendarDay(day=day, kind=kind, name=name, source="library"))
            added += 1
    forget_loaded_days()
    return added, len(wanted) - added
