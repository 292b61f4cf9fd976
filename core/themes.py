"""Themes and template lookup: active theme, default theme, plugins, core.

A prefix (``core:base.html``, ``<plugin>:page.html``) reaches the template a theme overrides, so
a theme extends it instead of copying it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, abort, send_from_directory
from flask_babel import get_locale
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PrefixLoader

from core.settings import setting

THEMES_DIR = Path(__file__).resolve().parent.parent / "themes"
CORE_TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass
class Theme:
    name: str
    path: Path
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def templates(self) -> Path:
        return self.path / "templates"

    def company_name(self) -> str:
        """The company setting when an administrator set one, else the theme's company name, else
        the product's name (a theme without a company: the default one) in the UI language."""
        return self.form_company_name() or self._named("product_name") or "关系 Guanxi"

    def form_company_name(self) -> str:
        """The company printed at the head of a form: the setting, else the theme's company; never
        the product's name, since a form with the software's name on it is no company's form
        (empty: the form leaves the line for the company's stamp)."""
        return setting("core.company_name") or self._named("company_name")

    def _named(self, key: str) -> str:
        names = self.settings.get(key, {})
        if isinstance(names, str):
            return names
        language = "en" if get_locale().language == "en" else "zh_CN"
        return names.get(language, names.get("zh_CN", ""))

    def color(self, key: str, default: str) -> str:
        return self.settings.get("colors", {}).get(key, default)

    @property
    def logo(self) -> str | None:
        return self.settings.get("logo")


def load_theme(name: str) -> Theme:
    path = THEMES_DIR / name
    if not path.is_dir():
        available = ", ".join(sorted(p.name for p in THEMES_DIR.iterdir() if p.is_dir()))
        raise RuntimeError(f"Unknown theme {name!r} (GUANXI_THEME). Available: {available}.")
    settings_file = path / "theme.json"
    settings = json.loads(settings_file.read_text(encoding="utf-8")) if settings_file.exists() else {}
    return Theme(name=name, path=path, settings=settings)


def build_loader(themes: list[Theme], plugin_dirs: dict[str, Path]) -> BaseLoader:
    search = [FileSystemLoader(t.templates) for t in themes if t.templates.is_dir()]
    search += [FileSystemLoader(d) for d in plugin_dirs.values()]
    search.append(FileSystemLoader(CORE_TEMPLATES))
    prefixed = {"core": FileSystemLoader(CORE_TEMPLATES)}
    prefixed.update({name: FileSystemLoader(d) for name, d in plugin_dirs.items()})
    return ChoiceLoader([*search, PrefixLoader(prefixed, delimiter=":")])


def init_themes(app: Flask, plugin_template_dirs: dict[str, Path],
                plugin_static_dirs: dict[str, Path]) -> Theme:
    theme = load_theme(app.config["GUANXI_THEME"])
    chain = [theme] if theme.name == "default" else [theme, load_theme("default")]
    app.jinja_loader = build_loader(chain, plugin_template_dirs)
    app.jinja_env.globals["theme"] = theme

    @app.route("/static/themes/<path:filename>", endpoint="theme_static")
    def theme_static(filename: str):
        for candidate in chain:
            if (candidate.path / "static" / filename).is_file():
                return send_from_directory(candidate.path / "static", filename)
        abort(404)

    @app.route("/static/plugins/<name>/<path:filename>", endpoint="plugin_static")
    def plugin_static(name: str, filename: str):
        if name not in plugin_static_dirs:
            abort(404)
        return send_from_directory(plugin_static_dirs[name], filename)

    return theme
