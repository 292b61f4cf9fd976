"""Login, logout and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from core.auth.forms import LanguageForm, LoginForm
from core.auth.service import LoginRefused, authenticate
from core.db import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("main.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data)
        except LoginRefused as refusal:
            form.password.errors = [str(refusal)]
        else:
            session.clear()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, language_form=LanguageForm())


@bp.route("/logout", methods=["POST"])
def logout():
    locale = current_user.locale if current_user.is_authenticated else None
    locale = locale or session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale  # the login page stays in the language the person chose
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))
