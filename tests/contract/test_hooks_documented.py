"""docs/hooks.md must document every hook, core's and the built-in plugins', with its exact signature."""
import inspect
import re
from pathlib import Path

import pluggy

from core import hookspecs
from core.app import create_app
from core.plugins import declared_hooks, discover, hookspec_module

DOC = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"
HEADING = re.compile(r"^### `(\w+)\((.*)\)`\s*$", re.M)
DECLARED_BY = re.compile(r"^Declared by the `(\w+)` plugin", re.M)


def plugin_spec_modules() -> dict[str, object]:
    """Built-in plugin name -> its own hookspecs module."""
    return {name: hookspec_module(info) for name, info in discover()[0].items()
            if info.builtin and info.cls.hookspecs}


def spec_functions() -> dict[str, tuple[str, object]]:
    """Hook name -> (declaring component: "core" or a plugin name, spec function)."""
    found = {name: ("core", fn) for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
             if hasattr(fn, "guanxi_spec")}
    for plugin, module in plugin_spec_modules().items():
        for name in declared_hooks(module):
            assert name not in found, f"{name} declared twice"
            found[name] = (plugin, getattr(module, name))
    return found


def specs() -> dict[str, str]:
    return {name: ", ".join(inspect.signature(fn).parameters) for name, (_, fn) in spec_functions().items()}


def documented() -> dict[str, str]:
    return {name: args.replace(" ", "").replace(",", ", ") for name, args in HEADING.findall(DOC.read_text())}


def section(name: str) -> str:
    return DOC.read_text().split(f"### `{name}(", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]


def test_every_hookspec_is_documented_with_its_signature():
    missing = {name: sig for name, sig in specs().items() if documented().get(name) != sig}
    assert not missing, f"undocumented or differing in docs/hooks.md: {missing}"


def test_no_documented_hook_is_missing_from_hookspecs():
    assert set(documented()) <= set(specs())


def test_every_plugin_hook_names_its_plugin_in_the_docs():
    for name, (owner, _) in spec_functions().items():
        declared = DECLARED_BY.findall(section(name))
        assert declared == ([] if owner == "core" else [owner]), f"{name}: declared by {owner}, docs say {declared}"


def test_every_hookspec_has_a_docstring_and_example():
    for name, (_, fn) in spec_functions().items():
        assert fn.__doc__, name
        assert "@hookimpl" in section(name), f"{name} has no example"


def test_every_hookspec_is_typed():
    for name, (_, fn) in spec_functions().items():
        signature = inspect.signature(fn)
        untyped = [p for p, param in signature.parameters.items() if param.annotation is inspect.Parameter.empty]
        assert not untyped, f"{name}: parameters without a type hint: {untyped}"
        assert signature.return_annotation is not inspect.Signature.empty, f"{name}: no return type"


def test_the_package_ships_py_typed():
    root = Path(__file__).resolve().parents[2]
    assert (root / "core" / "py.typed").exists()
    assert "py.typed" in (root / "setup.cfg").read_text()


METRIC_ROW = re.compile(r"^\| `(\w+)` \| (\w+) \| `(\w+)` \| (yes|no) \|", re.M)


def test_the_metric_vocabulary_in_the_docs_is_the_one_in_code(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    known = app.extensions["guanxi_metrics"]
    in_code = {name: (metric.unit, known.owners[name], "yes" if metric.per_month else "no")
               for name, metric in known.metrics.items()}
    in_docs = {name: rest for name, *rest in METRIC_ROW.findall(DOC.read_text())}
    assert {name: tuple(rest) for name, rest in in_docs.items()} == in_code
    assert all(str(metric.label) and str(metric.description) for metric in known.metrics.values())


def test_specs_register_with_pluggy():
    pm = pluggy.PluginManager("guanxi")
    pm.add_hookspecs(hookspecs)
    for module in plugin_spec_modules().values():
        pm.add_hookspecs(module)
    assert set(specs()) <= set(dir(pm.hook))
