"""Languages (zh_CN default, en), per-user choice, locale-aware formatting in the company timezone.

Core and every plugin have their own gettext domain: a plugin's catalogue can never change a core
word. Python code picks its domain explicitly (``core.i18n`` for core, ``Domain(name)`` in a
plugin); a template's domain follows from its name (``logistics/order.html`` belongs to the
logistics domain), fixed when the template is compiled, so core's base layout and macros stay in
core's words even on a plugin's page. Catalogues are loaded per application, never per process.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel import Locale
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, has_app_context, request, session
from flask_babel import Babel, format_date, format_datetime, format_decimal, get_locale
from flask_babel import Domain as BabelDomain
from flask_login import current_user
from jinja2 import nodes
from jinja2.ext import (
    InternationalizationExtension,
    _make_new_gettext,
    _make_new_ngettext,
    _make_new_npgettext,
    _make_new_pgettext,
)
from werkzeug.utils import cached_property

from core.catalogues import stale
from core.clock import to_local

CORE = "core"
EXTENSION_KEY = "guanxi_i18n"
GETTEXT_NAMES = ("_", "gettext", "ngettext", "pgettext", "npgettext")


class MessageId(str):
    """A message id marked for later translation that remembers its domain (see ``notify``)."""

    domain: str = CORE

    def __new__(cls, message: str, domain: str = CORE) -> MessageId:
        marked = super().__new__(cls, message)
        marked.domain = domain
        return marked


class Domain(BabelDomain):
    """One gettext domain, resolved against the catalogues of the current application."""

    def __init__(self, name: str) -> None:
        super().__init__(domain="messages")
        self.name = name

    def get_translations(self) -> NullTranslations:
        if not has_app_context() or EXTENSION_KEY not in current_app.extensions:
            return NullTranslations()
        return current_app.extensions[EXTENSION_KEY].translations(self.name, get_locale())

    def mark(self, message: str) -> MessageId:
        """Mark ``message`` for extraction; it is translated in this domain when shown."""
        return MessageId(message, self.name)


core_domain = Domain(CORE)
N_ = core_domain.mark


def translate(message: str, domain: str | None = None, **params: Any) -> str:
    """Translate a stored message id in its domain (plugins' ids carry theirs, see MessageId)."""
    name = domain or getattr(message, "domain", CORE)
    return Domain(name).gettext(str(message), **params)


def folder_names(locale: Locale) -> list[str]:
    """Catalogue folders to try for ``locale``: zh_Hans_CN, then zh_CN, then zh."""
    names = [str(locale)]
    if locale.territory:
        names.append(f"{locale.language}_{locale.territory}")
    names.append(locale.language)
    return list(dict.fromkeys(names))


class Catalogues:
    """The compiled catalogues of one application: core's and one per enabled plugin."""

    def __init__(self, folders: dict[str, Path]) -> None:
        self.folders = folders
        self._loaded: dict[tuple[str, str], NullTranslations] = {}

    def translations(self, domain: str, locale: Locale | None) -> NullTranslations:
        if locale is None:
            return NullTranslations()
        key = (domain, str(locale))
        if key not in self._loaded:
            folder = self.folders.get(domain)
            loaded = (Translations.load(str(folder), folder_names(locale)) if folder
                      else NullTranslations())
            if domain != CORE:  # a plugin may use a core word without translating it itself
                loaded.add_fallback(self.translations(CORE, locale))
            self._loaded[key] = loaded
        return self._loaded[key]


def template_domain(name: str | None, domains: set[str]) -> str | None:
    """The plugin domain of a template name (``logistics/x.html`` or ``logistics:x.html``)."""
    if not name:
        return None
    head = name.split(":", 1)[0] if ":" in name else name.split("/", 1)[0]
    return head if head in domains else None


def domain_global(name: str, domain: str) -> str:
    return f"_{domain}__{name}"


class DomainI18nExtension(InternationalizationExtension):
    """Jinja's i18n extension, with the calls in a plugin's templates bound to its domain."""

    def filter_stream(self, stream: Any) -> Any:
        domain = template_domain(stream.name, self.environment.guanxi_domains)
        for token in stream:
            if domain and token.type == "name" and token.value in GETTEXT_NAMES:
                name = "gettext" if token.value == "_" else token.value
                token = token.__class__(token.lineno, token.type, domain_global(name, domain))
            yield token

    def parse(self, parser: Any) -> Any:
        node = super().parse(parser)
        domain = template_domain(parser.name, self.environment.guanxi_domains)
        if domain:
            for tree in node if isinstance(node, list) else [node]:
                for name in tree.find_all(nodes.Name):
                    if name.name in GETTEXT_NAMES:
                        name.name = domain_global(name.name, domain)
        return node


def gettext_callables(domain: Domain) -> dict[str, Any]:
    """The four gettext functions of one domain, in the form Jinja's i18n extension takes."""
    def translations() -> NullTranslations:
        return domain.get_translations()

    return {
        "gettext": lambda s: translations().gettext(s),
        "ngettext": lambda s, p, n: translations().ngettext(s, p, n),
        "pgettext": lambda c, s: translations().pgettext(c, s),
        "npgettext": lambda c, s, p, n: translations().npgettext(c, s, p, n),
    }


# Jinja's own wrappers: autoescape-aware ``%`` formatting, as installed for the core domain.
NEWSTYLE = {"gettext": _make_new_gettext, "ngettext": _make_new_ngettext,
            "pgettext": _make_new_pgettext, "npgettext": _make_new_npgettext}


class GuanxiBabel(Babel):
    """Flask-Babel whose default domain is core's, read from this application's catalogues."""

    @cached_property
    def domain_instance(self) -> Domain:
        return core_domain


def select_locale() -> str:
    supported = current_app.config["GUANXI_LOCALES"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in supported:
        return current_user.locale
    chosen = session.get("locale") if request else None
    if chosen in supported:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def local_datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """A stored UTC datetime shown in the company timezone."""
    return format_datetime(value, fmt) if value else ""


def local_date(value: date | None) -> str:
    return format_date(value, "yyyy-MM-dd") if value else ""


def init_i18n(app: Flask, folders: dict[str, Path]) -> None:
    """Per-app catalogues for core (``folders["core"]``) and each plugin domain, and Jinja's
    gettext bound per template domain. Uncompiled catalogues are reported, never written."""
    for folder in folders.values():
        for po_path in stale(folder):
            app.logger.warning("%s is not compiled: run `guanxi i18n compile`", po_path)
    app.extensions[EXTENSION_KEY] = Catalogues(folders)
    GuanxiBabel(app, configure_jinja=False, locale_selector=select_locale,
                timezone_selector=select_timezone)
    env = app.jinja_env
    env.extend(guanxi_domains={name for name in folders if name != CORE})
    env.add_extension(DomainI18nExtension)
    env.install_gettext_callables(**gettext_callables(core_domain), newstyle=True)
    for name in env.guanxi_domains:
        for callable_name, function in gettext_callables(Domain(name)).items():
            env.globals[domain_global(callable_name, name)] = NEWSTYLE[callable_name](function)
    env.filters.update(datetime=local_datetime, date=local_date, number=format_decimal)
    env.globals.update(get_locale=get_locale, to_local=to_local)
