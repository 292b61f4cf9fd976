"""The settings page: company settings edited by an administrator (one small form each, audited),
deployment settings shown read-only with where they come from."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.widgets import NumberInput

from core.admin.views import bp
from core.auth.permissions import permission_required
from core.contract import Setting
from core.db import db
from core.forms import choices
from core.settings import (
    SettingValueError,
    declared,
    overview,
    recent_changes,
    reset_company_setting,
    save_company_setting,
    setting_text,
)


def value_field(item: Setting) -> Field:
    """The form field for a setting's type; the settings service checks what is typed."""
    if item.type == "bool":
        return SelectField(item.label, choices=choices([("true", _l("Yes")), ("false", _l("No"))]))
    if item.type == "choice":
        return SelectField(item.label, choices=choices(item.choices))
    if item.type == "json":
        return TextAreaField(item.label, render_kw={"rows": 14, "spellcheck": "false", "class": "code"})
    if item.type == "int":
        return StringField(item.label, widget=NumberInput(step=1, min=item.minimum, max=item.maximum))
    if item.type == "decimal":
        return StringField(item.label, render_kw={"inputmode": "decimal"})
    return StringField(item.label, render_kw={"maxlength": item.max_length})


def setting_form(item: Setting, posted: bool = False) -> FlaskForm:
    """A form with one field, ``value``; filled from the request when ``posted``, else from the
    current value."""
    form_class = type("SettingForm", (FlaskForm,), {"value": value_field(item)})
    if posted:
        return form_class()
    return form_class(formdata=None, data={"value": setting_text(item.key)})


def _company_or_404(key: str) -> Setting:
    try:
        item = declared(key).setting
    except KeyError:
        abort(404)
    if item.scope != "company":
        abort(404)
    return item


def anchor(key: str) -> str:
    return "setting-" + key.replace(".", "-")


def _page(failed: dict[str, FlaskForm] | None = None) -> Any:
    sections = overview()
    forms = {row.setting.key: (failed or {}).get(row.setting.key) or setting_form(row.setting)
             for section in sections for row in section.rows if row.setting.scope == "company"}
    return render_template("admin/settings.html", sections=sections, forms=forms, anchor=anchor,
                           changes=recent_changes(), instance_path=current_app.instance_path,
                           done=request.args.get("done"))


@bp.route("/settings")
@permission_required("admin.settings")
def settings():
    return _page()


@bp.route("/settings/<key>", methods=["POST"])
@permission_required("admin.settings")
def setting_save(key: str):
    item = _company_or_404(key)
    form = setting_form(item, posted=True)
    if form.validate_on_submit():
        try:
            save_company_setting(key, form.value.data or "")
        except SettingValueError as exc:
            form.value.errors.append(str(exc))
        else:
            db.session.commit()
            return redirect(url_for("admin.settings", done=key, _anchor=anchor(key)))
    return _page(failed={key: form})


@bp.route("/settings/<key>/reset", methods=["GET", "POST"])
@permission_required("admin.settings")
def setting_reset(key: str):
    _company_or_404(key)
    form = FlaskForm()
    if form.validate_on_submit():
        reset_company_setting(key)
        db.session.commit()
        return redirect(url_for("admin.settings", done=key, _anchor=anchor(key)))
    row = next(row for section in overview() for row in section.rows if row.setting.key == key)
    return render_template("admin/setting_reset.html", form=form, row=row, anchor=anchor)
