"""Every user-facing string of core and each plugin is translated in zh_CN and en."""
import pytest

from core.catalogues import core_component, installed_components, read, untranslated

COMPONENTS = {component.name: component for component in installed_components()}


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_catalogue_translates_every_extracted_string(name):
    gaps = untranslated(COMPONENTS[name])
    assert gaps, "a component has at least the en and zh_CN catalogues"
    for locale, missing in gaps.items():
        assert not missing, f"{name} {locale}: run `guanxi i18n update` and translate: {missing[:10]}"


def test_chinese_catalogue_is_really_chinese():
    core = core_component()
    catalog = read(core.catalogue_path(core.chinese_folder()), core.chinese_folder())
    assert catalog.get("Customers").string == "客户"
    assert catalog.get("Log in").string == "登录"
