"""The message catalogue tool: extract, update, check and compile the catalogues of core or of any
plugin folder, inside this repository or not.

A component is a source folder with a ``translations/`` folder beside its code. English message
ids are the source; the ``en`` catalogue repeats them and the Chinese one translates them.
Catalogues are compiled when the project is installed (``guanxi i18n compile``, run by the
bootstrap script and by ``setup.py build_py``), never by the running application.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "N_": None}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
ENGLISH = "en"
# New catalogues get the short folder name; the long one Babel prints for zh_CN is read as well.
CHINESE_FOLDERS = ("zh_CN", "zh_Hans_CN")


@dataclass(frozen=True)
class Component:
    """What one catalogue set covers: its name, its translations folder and its source folders."""

    name: str
    translations: Path
    sources: tuple[Path, ...]

    def chinese_folder(self) -> str:
        for folder in CHINESE_FOLDERS:
            if (self.translations / folder).is_dir():
                return folder
        return CHINESE_FOLDERS[0]

    def locales(self) -> tuple[str, str]:
        return (self.chinese_folder(), ENGLISH)

    def catalogue_path(self, locale: str) -> Path:
        return self.translations / locale / "LC_MESSAGES" / "messages.po"


def folder_component(folder: Path) -> Component:
    """A plugin package folder (or any folder) whose catalogues live in ``folder/translations``."""
    folder = folder.resolve()
    return Component(folder.name, folder / "translations", (folder,))


def extract(sources: Iterable[Path]) -> Catalog:
    """Every marked message of the Python modules and templates under ``sources``."""
    catalog = Catalog()
    for source in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
                source, METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {}}):
            catalog.add(message, None, [(str(Path(source.name) / filename), lineno)],
                        auto_comments=comments, context=context)
    return catalog


def translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def read(path: Path, locale: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale.replace("_Hans", ""))


def update(component: Component) -> dict[str, list[str]]:
    """Merge newly marked messages into each catalogue; returns the untranslated ids per locale."""
    template = extract(component.sources)
    missing: dict[str, list[str]] = {}
    for locale in component.locales():
        path = component.catalogue_path(locale)
        if path.exists():
            catalog = read(path, locale)
        else:
            catalog = Catalog(locale=locale.replace("_Hans", ""), project=f"guanxi-{component.name}")
        catalog.update(template, no_fuzzy_matching=True)
        if locale == ENGLISH:
            for message in catalog:
                if message.id and not translated(message):
                    message.string = message.id
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, omit_header=False, sort_output=True, ignore_obsolete=True)
        missing[locale] = [m.id for m in catalog if m.id and not translated(m)]
    return missing


def untranslated(component: Component) -> dict[str, list[str]]:
    """Extracted message ids that a catalogue lacks or leaves empty, per locale (writes nothing)."""
    extracted = {m.id for m in extract(component.sources) if m.id}
    gaps: dict[str, list[str]] = {}
    for locale in component.locales():
        path = component.catalogue_path(locale)
        done = {m.id for m in read(path, locale) if m.id and translated(m)} if path.exists() else set()
        gaps[locale] = sorted(str(i) for i in extracted - done)
    return gaps


def compile_folder(translations: Path) -> list[Path]:
    """Write ``messages.mo`` beside each ``messages.po`` that is newer; returns the files written."""
    written = []
    for po_path in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalog = read(po_path, po_path.parent.parent.name)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(mo_path)
    return written


def stale(translations: Path) -> list[Path]:
    """Catalogues whose compiled file is missing or older than the source (nothing is written)."""
    return [po for po in sorted(translations.glob("*/LC_MESSAGES/messages.po"))
            if not po.with_suffix(".mo").exists()
            or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]


def core_component() -> Component:
    """Core's catalogue covers core's code and templates and the themes shipped with it."""
    core_dir = Path(__file__).resolve().parent
    themes = core_dir.parent / "themes"
    return Component("core", core_dir / "translations",
                     (core_dir, themes) if themes.is_dir() else (core_dir,))


def installed_components() -> list[Component]:
    """Core and every installed plugin package, enabled or not."""
    from core.plugins import discover  # the plugin host imports i18n, which imports this module

    return [core_component()] + [folder_component(info.cls.root())
                                 for _, info in sorted(discover()[0].items())]
