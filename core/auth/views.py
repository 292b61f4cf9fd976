"""Login, logout and the language switch."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from core.auth.forms import LanguageForm, LoginForm
from core.auth.service import LoginRefused, authenticate, end_sessions
from core.auth.throttle import DEVICE_COOKIE, LoginClient, remember_device
from core.db import db
from core.redirects import redirect_back

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        client = LoginClient(request.remote_addr or "", request.cookies.get(DEVICE_COOKIE))
        try:
            user = authenticate(form.username.data, form.password.data, client)
        except LoginRefused as refusal:
            form.password.errors = [str(refusal)]
        else:
            session.clear()
            login_user(user)
            response = redirect_back(request.args.get("next"), url_for("main.dashboard"))
            remember_device(response, user.username, client)
            return response
    return render_template("auth/login.html", form=form, language_form=LanguageForm())


@bp.route("/logout", methods=["POST"])
def logout():
    locale = current_user.locale if current_user.is_authenticated else None
    locale = locale or session.get("locale")
    if current_user.is_authenticated:
        end_sessions(current_user)  # a copy of this cookie, or a session elsewhere, ends too
        db.session.commit()
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
    return redirect_back(request.form.get("next"), url_for("main.dashboard"))
