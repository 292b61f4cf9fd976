"""Declared settings of core and plugins: ``setting(key)`` reads the effective value.

Deployment settings (URLs, paths, secrets) come from configuration, resolved and checked once at
start-up. Company settings (thresholds, tolerances, policies) come from the database when an
administrator set them, else from their default; they take effect on the next request.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale

from core.contract import Setting
from core.settings.declared import EXTENSION, Declared, Registry, Resolved, build_registry
from core.settings.store import CompanySetting, history, save, stored
from core.settings.types import SettingValueError, form_text, parse_text, shown

__all__ = ["CompanySetting", "SettingValueError", "declared", "init_settings", "overview", "recent_changes",
           "reset_company_setting", "save_company_setting", "setting", "setting_text"]



def init_settings(app: Flask) -> None:
    """Collect, check and resolve every declared setting; a problem raises ``PluginError``.

    Runs with the English locale so that start-up errors read the same in every log.
    """
    with app.app_context(), force_locale("en"):
        app.extensions[EXTENSION] = build_registry(app, app.extensions["guanxi"])


def registry() -> Registry:
    return current_app.extensions[EXTENSION]


def declared(key: str) -> Declared:
    try:
        return registry().declared[key]
    except KeyError:
        raise KeyError(f"No setting {key!r} is declared by core or an enabled plugin.") from None


def _resolved(key: str) -> Resolved:
    reg = registry()
    if declared(key).setting.scope == "deployment":
        return reg.deployment[key]
    return stored(reg).get(key) or reg.defaults[key]


def setting(key: str) -> Any:
    """The effective value of a declared setting (cheap: at most one query per request)."""
    return _resolved(key).value


def setting_text(key: str) -> str:
    """The value as text for a form on the settings page."""
    return form_text(declared(key).setting, _resolved(key).data)


def save_company_setting(key: str, text: str) -> None:
    """Check ``text`` typed by an administrator and store it (audited); raises SettingValueError.

    The caller commits.
    """
    target = _company(key)
    save(target, parse_text(target.setting, text).data)


def reset_company_setting(key: str) -> None:
    """Back to the declared default (audited as a change to nothing); the caller commits."""
    save(_company(key), None)


def _company(key: str) -> Declared:
    target = declared(key)
    if target.setting.scope != "company":
        raise KeyError(f"{key} is a deployment setting; it is read-only here.")
    return target


@dataclass(frozen=True)
class Row:
    """One setting as the settings page shows it."""

    setting: Setting
    env: str
    current: str
    default: str
    source: str
    changed: bool  # a company setting with a stored value


@dataclass(frozen=True)
class Section:
    owner: str
    title: Any
    rows: list[Row]


def overview() -> list[Section]:
    """Every declared setting grouped by owner (core first), with shown current and default values."""
    reg = registry()
    titles = {info.name: info.title for info in current_app.extensions["guanxi"].enabled}
    sections: dict[str, Section] = {}
    for key, item in reg.declared.items():
        resolved = _resolved(key)
        section = sections.setdefault(item.owner, Section(item.owner, titles.get(item.owner), []))
        section.rows.append(Row(item.setting, item.env, shown(item.setting, resolved.data),
                                shown(item.setting, reg.defaults[key].data), resolved.source,
                                resolved.source == "database"))
    return list(sections.values())


def recent_changes(limit: int = 50) -> list[dict[str, Any]]:
    """The audit trail of company settings of core and enabled plugins, as the page shows it
    (``old``/``new`` None: the default)."""
    declared_now = registry().declared
    rows = []
    for event in history(limit):
        item = declared_now.get(event["key"])
        if item is None:
            continue
        rows.append({**event, "setting": item.setting,
                     "old": None if event["old"] is None else shown(item.setting, event["old"]),
                     "new": None if event["new"] is None else shown(item.setting, event["new"])})
    return rows
