"""docs/hooks.md must document every hook with the exact signature of core/hookspecs.py."""
import inspect
import re
from pathlib import Path

import pluggy

from core import hookspecs

DOC = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"
HEADING = re.compile(r"^### `(\w+)\((.*)\)`\s*$", re.M)


def specs() -> dict[str, str]:
    found = {}
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if hasattr(fn, "guanxi_spec"):
            found[name] = ", ".join(inspect.signature(fn).parameters)
    return found


def documented() -> dict[str, str]:
    return {name: args.replace(" ", "").replace(",", ", ") for name, args in HEADING.findall(DOC.read_text())}


def test_every_hookspec_is_documented_with_its_signature():
    missing = {name: sig for name, sig in specs().items() if documented().get(name) != sig}
    assert not missing, f"undocumented or differing in docs/hooks.md: {missing}"


def test_no_documented_hook_is_missing_from_hookspecs():
    assert set(documented()) <= set(specs())


def test_every_hookspec_has_a_docstring_and_example():
    text = DOC.read_text()
    for name in specs():
        fn = getattr(hookspecs, name)
        assert fn.__doc__, name
        section = text.split(f"### `{name}(", 1)[1].split("\n### ", 1)[0]
        assert "@hookimpl" in section, f"{name} has no example"


def test_specs_register_with_pluggy():
    pm = pluggy.PluginManager("guanxi")
    pm.add_hookspecs(hookspecs)
    assert set(specs()) <= set(dir(pm.hook))
