"""The working calendar page: a year's public holidays and make-up working days (调休), added and
removed by an administrator (audited) or filled from the ``chinese_calendar`` library."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from babel.lists import format_list
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from core.admin.views import bp
from core.auth.permissions import permission_required
from core.calendar import (
    DAY_KINDS,
    SOURCES,
    CalendarDay,
    default_clock,
    fill_from_library,
    forget_loaded_days,
    hours_per_day,
    library_version,
    library_years,
    working_days_in,
    working_hours,
    working_weekdays,
)
from core.clock import local_now
from core.db import db
from core.forms import choices

FIRST_YEAR, LAST_YEAR = 2000, 2100
A_MONDAY = date(2024, 1, 1)


def weekday_name(weekday: int) -> str:
    """Monday / 星期一 for Python weekday 0, in the reader's language."""
    return format_date(A_MONDAY + timedelta(days=weekday), "EEEE")


def weekdays_summary(days: frozenset[int]) -> str:
    """Working weekdays as people say them: "Monday to Friday and Sunday", "星期一至星期五和星期日"."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) > 2:
            parts.append(_("%(first)s to %(last)s", first=weekday_name(run[0]), last=weekday_name(run[-1])))
        else:
            parts.extend(weekday_name(day) for day in run)
    return format_list(parts, locale=str(get_locale() or "zh_CN"))


class DayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))])
    kind = SelectField(_l("Kind"), choices=choices(DAY_KINDS.items()))
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name, such as 国庆节.")),
                                               Length(max=100)],
                       render_kw={"maxlength": 100, "placeholder": _l("e.g. 国庆节")})

    def validate_day(self, field: Any) -> None:
        if field.data and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            raise ValidationError(_("Enter a date from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR))
        if field.data:
            existing = db.session.scalar(select(CalendarDay).where(CalendarDay.day == field.data))
            if existing is not None:
                raise ValidationError(_("%(day)s is in the calendar already (%(name)s); remove it first to change it.",
                                   day=field.data.isoformat(), name=existing.name))


class FillForm(FlaskForm):
    year = HiddenField()


def _year(raw: Any) -> int | None:
    try:
        year = int(str(raw))
    except (TypeError, ValueError):
        return None
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def _page(year: int, form: DayForm | None = None) -> Any:
    rows = db.session.scalars(select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1),
                                                        CalendarDay.day <= date(year, 12, 31))
                              .order_by(CalendarDay.day)).all()
    if form is None:
        form = DayForm(formdata=None)
    first, last = library_years()
    hours = working_hours()
    return render_template(
        "admin/calendar.html", year=year, rows=rows, form=form, fill_form=FillForm(formdata=None, year=year),
        kinds=DAY_KINDS, sources=SOURCES, weekday_name=weekday_name,
        hours=[f"{b // 60:02d}:{b % 60:02d}–{e // 60:02d}:{e % 60:02d}" for b, e in hours],
        hours_per_day=hours_per_day(), weekdays=weekdays_summary(working_weekdays()),
        clock=default_clock(), working_days=working_days_in(year),
        library={"version": library_version(), "first": first, "last": last, "knows": first <= year <= last})


@bp.route("/calendar", methods=["GET", "POST"], endpoint="calendar")
@permission_required("admin.calendar")
def calendar_page():
    if request.method == "POST":
        form = DayForm()
        if form.validate_on_submit():
            row = CalendarDay(day=form.day.data, kind=form.kind.data, name=form.name.data.strip(), source="manual")
            db.session.add(row)
            db.session.commit()
            forget_loaded_days()
            flash(_("%(day)s added: %(name)s.", day=row.day.isoformat(), name=row.name), "success")
            return redirect(url_for("admin.calendar", year=row.day.year))
        year = (form.day.data.year if form.day.data and not form.day.errors else None) or _year(request.args.get("year"))
        return _page(year or local_now().year, form), 400
    year = _year(request.args.get("year", local_now().year))
    if year is None:
        return redirect(url_for("admin.calendar"))
    return _page(year)


@bp.route("/calendar/fill", methods=["POST"])
@permission_required("admin.calendar")
def calendar_fill():
    form = FillForm()
    year = _year(form.year.data)
    if not form.validate_on_submit() or year is None:
        flash(_("The form was not accepted; please try again."), "error")
        return redirect(url_for("admin.calendar", year=year) if year else url_for("admin.calendar"))
    english = str(get_locale() or "").startswith("en")
    try:
        added, kept = fill_from_library(year, english=english)
    except LookupError:
        first, last = library_years()
        flash(_("The library (chinese-calendar %(version)s) has no official schedule for %(year)d; it knows "
                "%(first)d to %(last)d. Add the days by hand from the State Council's notice, or update the "
                "library once it has them.", version=library_version(), year=year, first=first, last=last), "error")
        return redirect(url_for("admin.calendar", year=year))
    db.session.commit()
    forget_loaded_days()
    flash(_("%(added)d days of %(year)d added from the library; %(kept)d already in the calendar were kept as "
            "they are.", added=added, year=year, kept=kept), "success")
    return redirect(url_for("admin.calendar", year=year))


@bp.route("/calendar/<id:day_id>/remove", methods=["GET", "POST"])
@permission_required("admin.calendar")
def calendar_remove(day_id: int):
    row = db.session.get(CalendarDay, day_id)
    if row is None:
        abort(404)
    form = FlaskForm()
    if form.validate_on_submit():
        day, name = row.day, row.name
        db.session.delete(row)
        db.session.commit()
        forget_loaded_days()
        flash(_("%(day)s removed: %(name)s.", day=day.isoformat(), name=name), "success")
        return redirect(url_for("admin.calendar", year=day.year))
    return render_template("admin/calendar_remove.html", form=form, row=row, kinds=DAY_KINDS,
                           weekday=weekday_name(row.day.weekday()))
