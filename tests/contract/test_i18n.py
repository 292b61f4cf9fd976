"""Every user-facing string of core and each plugin is translated in zh_CN and en."""
import importlib.util
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "scripts" / "i18n.py")
i18n_tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(i18n_tool)
COMPONENTS = i18n_tool.components()


@pytest.mark.parametrize("component", sorted(COMPONENTS))
@pytest.mark.parametrize("locale", i18n_tool.LOCALES)
def test_catalogue_translates_every_extracted_string(component, locale):
    translations, sources = COMPONENTS[component]
    extracted = {m.id for m in i18n_tool.extract(sources) if m.id}
    path = i18n_tool.catalog_path(translations, locale)
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    translated = {m.id for m in catalog if m.id and i18n_tool._translated(m)}
    missing = sorted(map(str, extracted - translated))
    assert not missing, f"{component} {locale}: run scripts/i18n.py and translate: {missing[:10]}"


def test_chinese_catalogue_is_really_chinese():
    translations, _ = COMPONENTS["core"]
    with i18n_tool.catalog_path(translations, "zh_Hans_CN").open("rb") as f:
        catalog = read_po(f, locale="zh_Hans_CN")
    assert catalog.get("Customers").string == "客户"
    assert catalog.get("Log in").string == "登录"
