"""Start-up checks of what enabled plugins declare, each failing with a message naming the plugin.

A mistake in a plugin must stop ``guanxi run`` or ``guanxi db upgrade`` at once with a sentence a
plugin author can act on, never surface later as a database IntegrityError or as a 500 on every
page after login.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from core.auth.roles import ROLES
from core.plugins import PluginError, PluginHost, PluginInfo, answers_by_plugin

CORE = "core"


class _EveryPermission:
    """A stand-in user for asking plugins which menu items they could ever show."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    id = None
    region_id = None
    role_codes: tuple[str, ...] = tuple(ROLES)

    def can(self, permission: str) -> bool:
        return True


def check_templates(info: PluginInfo, core_templates: Path) -> None:
    """Plugin templates live under templates/<plugin>/; a theme, not a plugin, overrides core."""
    folder = info.cls.folder("templates")
    if folder is None:
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        if relative.parts[0] != info.name:
            shadows = " and overrides core's template" if (core_templates / relative).exists() else ""
            raise PluginError(
                f"Plugin {info.name!r} has the template {relative.as_posix()}{shadows}; plugin "
                f"templates must be under templates/{info.name}/ (override core in a theme).")


def check_permissions(app: Flask) -> None:
    """Permission codes carry their plugin's prefix, are declared once, name only known roles."""
    seen: dict[str, str] = {}
    for plugin, permissions in answers_by_plugin("register_permissions").items():
        for permission in permissions or ():
            if plugin != CORE and not permission.code.startswith(f"{plugin}."):
                raise PluginError(f"Plugin {plugin!r} declares the permission {permission.code!r}; "
                                  f"its permission codes must start with '{plugin}.'.")
            if permission.code in seen:
                raise PluginError(f"Plugin {plugin!r} declares the permission {permission.code!r}, "
                                  f"which {seen[permission.code]!r} declares already.")
            seen[permission.code] = plugin
            unknown = sorted(set(permission.default_roles) - set(ROLES))
            if unknown:
                raise PluginError(
                    f"Plugin {plugin!r} grants {permission.code!r} to unknown role(s) "
                    f"{', '.join(unknown)}. Known roles: {', '.join(ROLES)}.")


def check_menu_endpoints(app: Flask) -> None:
    """Every menu item points at a registered view."""
    with app.test_request_context():
        for plugin, items in answers_by_plugin("menu_items", user=_EveryPermission()).items():
            for item in items or ():
                if item.endpoint not in app.view_functions:
                    raise PluginError(f"Plugin {plugin!r} has a menu item for the endpoint "
                                      f"{item.endpoint!r}, which no blueprint registers.")


def check_plugins(app: Flask, host: PluginHost, core_templates: Path) -> None:
    """Run every check on the enabled plugins (after their blueprints are registered)."""
    for info in host.enabled:
        check_templates(info, core_templates)
    check_permissions(app)
    check_menu_endpoints(app)
