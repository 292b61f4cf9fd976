"""Administration: installed plugins, the role-permission matrix, users."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select

from core.auth.forms import UserForm
from core.auth.models import Region, Role, RolePermission, User
from core.auth.permissions import (
    declared_permissions,
    parse_grants,
    permission_required,
    save_grants,
)
from core.auth.roles import ROLES
from core.auth.service import canonical_username, find_user, set_password
from core.auth.throttle import locked_accounts
from core.db import db
from core.forms import choices
from core.plugins import PluginError, PluginInfo, declared_hooks, hookspec_module, host

bp = Blueprint("admin", __name__, url_prefix="/admin")


def plugin_rows() -> list[dict]:
    rows = []
    for info in sorted(host().installed.values(), key=lambda i: i.name):
        rows.append({
            "name": info.name, "version": info.version, "title": str(info.title),
            "description": str(info.cls.description or ""), "depends": list(info.depends),
            "hooks": info.cls.hook_names(), "enabled": info.enabled, "builtin": info.builtin,
            "declares": _declares(info),
        })
    return rows


def _declares(info: PluginInfo) -> list[str]:
    """The hooks a plugin declares for others (a disabled plugin's broken module shows none)."""
    try:
        module = hookspec_module(info)
    except PluginError:
        return []
    return declared_hooks(module) if module else []


@bp.route("/plugins")
@permission_required("admin.plugins")
def plugins():
    return render_template("admin/plugins.html", plugins=plugin_rows(),
                           theme_name=current_app.config["GUANXI_THEME"])


@bp.route("/plugins.json")
@permission_required("admin.plugins")
def plugins_json():
    return jsonify(plugin_rows())


@bp.route("/roles", methods=["GET", "POST"])
@permission_required("admin.roles")
def roles():
    form = FlaskForm()
    all_roles = sorted(db.session.scalars(select(Role)), key=lambda r: list(ROLES).index(r.code)
                       if r.code in ROLES else 99)
    perms = declared_permissions()
    if form.validate_on_submit():
        try:
            wanted = parse_grants(request.form.getlist("grant"))
        except ValueError:
            abort(400)
        save_grants(wanted)
        db.session.commit()
        flash(_("Permissions saved."), "success")
        return redirect(url_for("admin.roles"))
    granted = {(rp.role_id, rp.permission) for rp in db.session.scalars(select(RolePermission))}
    return render_template("admin/roles.html", form=form, roles=all_roles, permissions=perms,
                           granted=granted)


@bp.route("/users", methods=["GET", "POST"])
@permission_required("admin.users")
def users():
    form = UserForm()
    form.region_id.choices = choices([(0, "—")] + [(r.id, r.name) for r in db.session.scalars(select(Region))])
    form.roles.choices = choices(ROLES.items())
    if form.validate_on_submit():
        if find_user(form.username.data):
            form.username.errors.append(_("This user name is taken."))
        else:
            user = User(username=canonical_username(form.username.data), display_name=form.display_name.data,
                        region_id=form.region_id.data or None)
            set_password(user, form.password.data)
            user.roles = list(db.session.scalars(select(Role).where(Role.code.in_(form.roles.data))))
            db.session.add(user)
            db.session.commit()
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    people = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", form=form, users=people,
                           locked=locked_accounts([user.username for user in people]))
