"""The settings core and plugins declare: collected and checked once at start-up, when deployment
values are resolved too, so a misdeclared setting or a bad configured value stops the start with
a message naming the plugin and the setting."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from flask import Flask

from core.config import CONFIG_SOURCES
from core.contract import Setting
from core.plugins import PluginError, PluginHost, answers_by_plugin, owned_by
from core.settings.types import BOUNDED, TYPES, Checked, SettingValueError, check, parse_text

EXTENSION = "guanxi.settings"  # app.extensions key of the Registry

SCOPES = ("deployment", "company")


@dataclass(frozen=True)
class Declared:
    setting: Setting
    owner: str  # "core" or the plugin's name
    env: str  # the environment variable, also the instance-file key

    @property
    def key(self) -> str:
        return self.setting.key


@dataclass(frozen=True)
class Resolved:
    data: Any
    value: Any
    source: str  # "default", "environment", "instance file", "configuration" or "database"


@dataclass(frozen=True)
class Registry:
    declared: dict[str, Declared]  # grouped by owner: core first, then plugins in load order
    defaults: dict[str, Resolved]
    deployment: dict[str, Resolved]


def build_registry(app: Flask, host: PluginHost) -> Registry:
    found: dict[str, Declared] = {}
    by_env: dict[str, Declared] = {}
    answers = answers_by_plugin("register_settings", app=app)
    for owner in ["core"] + [info.name for info in host.enabled]:  # core first, then load order
        for item in answers.get(owner) or []:
            declared = _declared(owner, item)
            for index, seen in ((found, declared.key), (by_env, declared.env)):
                if seen in index:
                    raise PluginError(f"Setting {seen} is declared twice: by {_who(index[seen].owner)} "
                                      f"and by {_who(declared.owner)}.")
            found[declared.key] = by_env[declared.env] = declared
    owners = ["core"] + [info.name for info in host.enabled]
    ordered = {d.key: d for owner in owners for d in found.values() if d.owner == owner}
    defaults = {key: Resolved(*_checked(d, d.setting.default, "default"), "default")
                for key, d in ordered.items()}
    sources = app.extensions.get(CONFIG_SOURCES, {})
    deployment = {key: _resolve(app, d, sources) or defaults[key] for key, d in ordered.items()
                  if d.setting.scope == "deployment"}
    for d in ordered.values():
        if d.setting.scope == "company" and (d.env in os.environ or d.env in sources):
            raise PluginError(f"{d.key} is a company setting, changed by an administrator on the settings "
                              f"page; remove {d.env} from the environment and the instance file.")
    return Registry(ordered, defaults, deployment)


def _who(owner: str) -> str:
    return "core" if owner == "core" else f"plugin {owner!r}"


def _declared(owner: str, item: Any) -> Declared:
    who = _who(owner).capitalize()
    if not isinstance(item, Setting):
        raise PluginError(f"{who} returned {item!r} from register_settings, not a core.contract.Setting.")
    if not owned_by(owner, item.key):
        raise PluginError(f"{who} declares setting {item.key!r} outside its namespace: "
                          f"keys look like '{owner}.<name>' (lower case letters, digits and _).")
    problem = _problem(item)
    if problem:
        raise PluginError(f"{who} declares setting {item.key!r} wrongly: {problem}.")
    prefix = "GUANXI_" if owner == "core" else f"GUANXI_{re.sub(r'[^A-Z0-9]', '_', owner.upper())}_"
    return Declared(item, owner, prefix + item.key.partition(".")[2].upper())


def _problem(item: Setting) -> str | None:
    if item.type not in TYPES:
        return f"type {item.type!r} is not one of {', '.join(TYPES)}"
    if item.scope not in SCOPES:
        return f"scope {item.scope!r} is not one of {', '.join(SCOPES)}"
    if item.secret and item.scope != "deployment":
        return "only deployment settings may be secret (company settings are shown and audited)"
    if item.type == "json" and item.validate is None:
        return "a json setting needs a validate function"
    if item.type == "choice" and not (item.choices and all(isinstance(c[0], str) for c in item.choices)):
        return "a choice setting needs choices, (value, label) pairs with text values"
    if item.type not in BOUNDED and (item.minimum is not None or item.maximum is not None):
        return "only int and decimal settings have a minimum or maximum"
    return None


def _checked(declared: Declared, raw: Any, where: str, text: bool = False) -> Checked:
    try:
        return parse_text(declared.setting, raw) if text else check(declared.setting, raw)
    except SettingValueError as exc:
        raise PluginError(f"Setting {declared.key} ({where}) is invalid: {exc}") from None


def _resolve(app: Flask, declared: Declared, sources: dict[str, str]) -> Resolved | None:
    """Explicit configuration, then the environment, then the instance file; None: the default.

    Text (always from the environment, possibly from a file) is read like text typed on the page.
    """
    env = declared.env
    if sources.get(env) == "configuration":
        raw, source, where = app.config[env], "configuration", f"{env} in the configuration"
    elif env in os.environ:
        raw, source, where = os.environ[env], "environment", f"environment variable {env}"
    elif sources.get(env) == "instance file":
        raw, source, where = app.config[env], "instance file", f"{env} in guanxi.cfg"
    else:
        return None
    return Resolved(*_checked(declared, raw, where, text=isinstance(raw, str)), source)
