"""The organisation page: departments and their heads, who belongs where and reports to whom,
and the regions' managers. Changes are audited; the rules live in ``core.org``."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from core.admin.views import bp
from core.auth.models import Region, User
from core.auth.permissions import permission_required
from core.db import db
from core.forms import IntegerField, choices
from core.org import (
    Department,
    OrgRefused,
    assign_user,
    departments,
    save_department,
    set_region_manager,
)


class DepartmentForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=32)],
                       description=_l("Fixed once created: approval chains and queues name it."))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=100)])
    head_id = SelectField(_l("Head"), coerce=int, validators=[Optional()])
    position = IntegerField(_l("Position in lists"), default=0, validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)


def _people() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.display_name)))


def _department_form(department: Department | None = None, people: list[User] | None = None) -> DepartmentForm:
    form = DepartmentForm(obj=department, prefix=f"d{department.id}" if department else "new")
    form.head_id.choices = choices([(0, "—")] + [(u.id, u.display_name) for u in people or _people()])
    if department is not None and request.method == "GET":
        form.head_id.data = department.head_id or 0
    return form


@bp.route("/org", methods=["GET"])
@permission_required("admin.org")
def org():
    people = _people()
    all_departments = departments(active_only=False)
    forms = {d.id: _department_form(d, people) for d in all_departments}
    users = list(db.session.scalars(select(User).order_by(User.department_id.is_(None), User.department_id,
                                                          User.display_name)))
    regions = list(db.session.scalars(select(Region).order_by(Region.code)))
    names = {u.id: u.display_name for u in users}
    return render_template("admin/org.html", departments=all_departments, forms=forms,
                           new_form=_department_form(None, people), users=users, people=people,
                           regions=regions, names=names, form=FlaskForm(),
                           by_id={d.id: d for d in all_departments})


@bp.route("/org/departments", methods=["POST"])
@bp.route("/org/departments/<id:department_id>", methods=["POST"])
@permission_required("admin.org")
def department_save(department_id: int | None = None):
    existing = db.session.get(Department, department_id) if department_id else None
    if department_id and existing is None:
        abort(404)
    form = _department_form(existing)
    if not form.validate_on_submit():
        flash(_("Check the department's fields: %(errors)s",
                errors="; ".join(f"{form[name].label.text}: {' '.join(map(str, errors))}"
                                 for name, errors in form.errors.items())), "error")
        return redirect(url_for("admin.org"))
    try:
        department = save_department({"code": form.code.data, "name": form.name.data,
                                      "name_en": form.name_en.data, "head_id": form.head_id.data or None,
                                      "active": form.active.data, "position": form.position.data or 0},
                                     existing)
    except OrgRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for("admin.org"))
    db.session.commit()
    flash(_("Department %(name)s saved.", name=department.name), "success")
    return redirect(url_for("admin.org") + f"#department-{department.id}")


@bp.route("/org/users/<id:user_id>", methods=["POST"])
@permission_required("admin.org")
def user_org(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        assign_user(user, request.form.get("department_id", 0, type=int) or None,
                    request.form.get("manager_id", 0, type=int) or None)
    except OrgRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for("admin.org") + "#people")
    db.session.commit()
    flash(_("Saved: %(name)s.", name=user.display_name), "success")
    return redirect(url_for("admin.org") + "#people")


@bp.route("/org/regions/<id:region_id>", methods=["POST"])
@permission_required("admin.org")
def region_manager(region_id: int):
    region = db.session.get(Region, region_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        set_region_manager(region, request.form.get("manager_id", 0, type=int) or None)
    except OrgRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for("admin.org") + "#regions")
    db.session.commit()
    flash(_("Saved: %(name)s.", name=region.name), "success")
    return redirect(url_for("admin.org") + "#regions")
