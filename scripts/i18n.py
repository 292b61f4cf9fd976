"""Extract messages of core and each plugin and merge them into their zh_CN and en catalogues.

    .venv/bin/python scripts/i18n.py          # update catalogues (new strings get empty msgstr)

English message ids are the source; the en catalogue repeats them, zh_CN translates them.
tests/contract/test_i18n.py fails while any extracted string lacks a translation.
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("zh_Hans_CN", "en")  # Babel parses zh_CN as zh_Hans_CN
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "N_": None}


def components() -> dict[str, tuple[Path, list[Path]]]:
    """name -> (translations dir, source dirs)."""
    comps = {"core": (ROOT / "core" / "translations", [ROOT / "core", ROOT / "themes"])}
    for plugin in sorted((ROOT / "plugins").iterdir()):
        if (plugin / "plugin.py").exists():
            comps[plugin.name] = (plugin / "translations", [plugin])
    return comps


def extract(sources: list[Path]) -> Catalog:
    catalog = Catalog()
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    for source in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
                source, method_map, keywords=KEYWORDS, options_map={"**/templates/**.html": {}}):
            catalog.add(message, None, [(str(Path(source.name) / filename), lineno)],
                        auto_comments=comments, context=context)
    return catalog


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def catalog_path(translations: Path, locale: str) -> Path:
    return translations / locale / "LC_MESSAGES" / "messages.po"


def update() -> None:
    for name, (translations, sources) in components().items():
        template = extract(sources)
        for locale in LOCALES:
            path = catalog_path(translations, locale)
            if path.exists():
                with path.open("rb") as f:
                    catalog = read_po(f, locale=locale)
            else:
                catalog = Catalog(locale=locale, project=f"guanxi-{name}")
            catalog.update(template, no_fuzzy_matching=True)
            if locale == "en":
                for message in catalog:
                    if message.id and not _translated(message):
                        message.string = message.id
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as f:
                write_po(f, catalog, omit_header=False, sort_output=True, ignore_obsolete=True)
            missing = [m.id for m in catalog if m.id and not _translated(m)]
            if missing:
                print(f"{name} {locale}: {len(missing)} untranslated", file=sys.stderr)


if __name__ == "__main__":
    update()
