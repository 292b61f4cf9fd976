"""Plugin discovery, dependency resolution and the per-app plugin manager.

Plugins are found through the ``guanxi.plugins`` entry-point group (built-in ones are registered
the same way in setup.cfg). Only the enabled set is registered with pluggy, and only then are its
models imported, so a disabled plugin creates no tables and serves no URL.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from flask import Flask, current_app

from core import hookspecs
from core.db import db

ENTRY_POINT_GROUP = "guanxi.plugins"
CORE_API = 2  # 2: plugin gettext domains, plugin-owned hookspecs, isolated listeners


class PluginError(RuntimeError):
    """A plugin configuration that must stop the application from starting."""


class Plugin:
    """Base class of every plugin. Hook implementations are methods marked ``@hookimpl``."""

    name: str = ""
    title: Any = ""
    description: Any = ""
    depends: tuple[str, ...] = ()
    core_api: int = CORE_API
    hookspecs: str | None = None  # dotted name of a module of the plugin's own @hookspec functions

    def __init__(self, app: Flask) -> None:
        self.app = app

    @classmethod
    def package(cls) -> str:
        return cls.__module__.rpartition(".")[0] or cls.__module__

    @classmethod
    def root(cls) -> Path:
        return Path(sys.modules[cls.__module__].__file__).parent

    @classmethod
    def folder(cls, name: str) -> Path | None:
        path = cls.root() / name
        return path if path.is_dir() else None

    @classmethod
    def hook_names(cls) -> list[str]:
        return sorted(
            attr for attr in dir(cls)
            if getattr(getattr(cls, attr, None), "guanxi_impl", None) is not None
        )


@dataclass
class PluginInfo:
    name: str
    cls: type[Plugin]
    version: str
    builtin: bool
    enabled: bool = False
    instance: Plugin | None = None

    @property
    def title(self) -> Any:
        return self.cls.title or self.name

    @property
    def depends(self) -> tuple[str, ...]:
        return tuple(self.cls.depends)


@dataclass
class PluginHost:
    """What an app knows about plugins: all installed ones, and the enabled ones in load order."""

    pm: pluggy.PluginManager
    installed: dict[str, PluginInfo]
    enabled: list[PluginInfo] = field(default_factory=list)

    @property
    def hook(self) -> Any:
        return self.pm.hook


def discover(extra: dict[str, type[Plugin]] | None = None
             ) -> tuple[dict[str, PluginInfo], dict[str, str]]:
    """Every installed plugin class, loaded from its entry point (no models are imported), and
    the installed ones that cannot be loaded, with the reason: a broken package that is not
    enabled must not stop the application, one that is enabled must (see ``build_host``)."""
    found: dict[str, PluginInfo] = {}
    broken: dict[str, str] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in found:
            raise PluginError(f"Two installed plugins are both named {ep.name!r}.")
        try:
            found[ep.name] = _info(ep.name, ep.load(), ep.dist.version if ep.dist else "?",
                                   builtin=ep.value.startswith("plugins."))
        except PluginError as error:
            broken[ep.name] = str(error)
        except Exception as error:  # noqa: BLE001 - any import error of a third-party package
            broken[ep.name] = f"Plugin {ep.name!r} could not be loaded: {error}"
    for name, cls in (extra or {}).items():
        found[name] = _info(name, cls, getattr(cls, "version", "0"), builtin=False)
    return found, broken


def _info(name: str, cls: Any, version: str, builtin: bool) -> PluginInfo:
    if not (isinstance(cls, type) and issubclass(cls, Plugin)):
        raise PluginError(f"Entry point {name!r} does not name a core.plugins.Plugin subclass.")
    module = sys.modules[cls.__module__]
    if not module.__package__:
        raise PluginError(
            f"Plugin {name!r} is defined in the plain module {Path(module.__file__).name}; a plugin "
            f"must be a package (a folder with __init__.py and plugin.py) so that its templates, "
            f"migrations and translations can be found.")
    cls.name = name
    return PluginInfo(name=name, cls=cls, version=version, builtin=builtin)


def resolve_order(wanted: list[str], installed: dict[str, PluginInfo]) -> list[str]:
    """Enabled names in dependency order; unknown names, missing dependencies and cycles fail."""
    unknown = [name for name in wanted if name not in installed]
    if unknown:
        raise PluginError(
            f"Unknown plugin(s) in GUANXI_PLUGINS: {', '.join(unknown)}. "
            f"Installed: {', '.join(sorted(installed)) or 'none'}."
        )
    for name in wanted:
        info = installed[name]
        if info.cls.core_api != CORE_API:
            raise PluginError(
                f"Plugin {name!r} is written for core API {info.cls.core_api}; this core offers "
                f"API {CORE_API}. Install a version of the plugin made for this core."
            )
        missing = [dep for dep in info.depends if dep not in wanted]
        if missing:
            raise PluginError(
                f"Plugin {name!r} depends on {', '.join(missing)}, which "
                f"{'is' if len(missing) == 1 else 'are'} not enabled."
            )
    order: list[str] = []
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        if name in visiting:
            cycle = visiting[visiting.index(name):] + [name]
            raise PluginError(f"Plugin dependency cycle: {' -> '.join(cycle)}.")
        visiting.append(name)
        for dep in installed[name].depends:
            visit(dep)
        visiting.pop()
        order.append(name)

    for name in sorted(wanted):
        visit(name)
    return order


def enabled_names(wanted: list[str] | None, installed: dict[str, PluginInfo]) -> list[str]:
    """The plugins to enable: every built-in one by default; ``+name`` / ``-name`` entries add to or
    take from that default, so enabling one outside plugin does not mean listing the built-ins."""
    builtin = [name for name, info in installed.items() if info.builtin]
    if wanted is None:
        return builtin
    relative = [name for name in wanted if name[:1] in "+-"]
    if not relative:
        return wanted
    if len(relative) != len(wanted):
        raise PluginError("GUANXI_PLUGINS mixes names with +name/-name entries: "
                          "either list every plugin, or change the default with +name and -name.")
    names = list(builtin)
    for entry in relative:
        if entry[0] == "+":
            names.append(entry[1:])
        elif entry[1:] in names:
            names.remove(entry[1:])
    return names


def build_host(app: Flask, core_hooks: ModuleType) -> PluginHost:
    """Register ``core_hooks`` (core's own features) and the enabled plugins with a new manager."""
    installed, broken = discover(app.config.get("GUANXI_EXTRA_PLUGINS"))
    wanted = enabled_names(app.config["GUANXI_PLUGINS"], installed)
    for name, reason in broken.items():
        if name in wanted:
            raise PluginError(reason)
        app.logger.warning("%s (the plugin is not enabled)", reason)
    pm = pluggy.PluginManager("guanxi")
    pm.add_hookspecs(hookspecs)
    pm.register(core_hooks, name="core")
    host = PluginHost(pm=pm, installed=installed)
    order = resolve_order(list(dict.fromkeys(wanted)), installed)
    add_plugin_hookspecs(pm, [installed[name] for name in order])
    for name in order:
        info = installed[name]
        _import_models(info)
        info.instance = info.cls(app)
        info.enabled = True
        pm.register(info.instance, name=name)
        host.enabled.append(info)
    check_foreign_hooks(pm, installed)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or repr(exc.plugin)
        raise PluginError(f"Plugin {name!r} implements a hook that does not exist: {exc}") from exc
    if app.config.get("GUANXI_TRACE_HOOKS"):
        pm.add_hookcall_monitoring(
            lambda name, impls, kwargs: app.logger.info("hook %s -> %s", name, [i.plugin_name for i in impls]),
            lambda outcome, name, impls, kwargs: None,
        )
    return host


def hookspec_module(info: PluginInfo) -> ModuleType | None:
    """The module of hooks ``info``'s plugin declares itself (``Plugin.hookspecs``), if any."""
    if not info.cls.hookspecs:
        return None
    try:
        return importlib.import_module(info.cls.hookspecs)
    except ImportError as exc:
        raise PluginError(f"Plugin {info.name!r}: hookspecs module {info.cls.hookspecs!r} "
                          f"could not be imported: {exc}") from exc


def declared_hooks(module: ModuleType) -> list[str]:
    """Names of the functions in ``module`` marked with core's ``hookspec``."""
    return sorted(name for name, value in vars(module).items()
                  if callable(value) and hasattr(value, "guanxi_spec"))


def add_plugin_hookspecs(pm: pluggy.PluginManager, infos: list[PluginInfo]) -> None:
    """Add the hooks each enabled plugin declares (pytest's ``pytest_addhooks``).

    Called before any plugin registers, so ``check_pending`` judges every implementation against
    the whole contract. A hook name is declared once: by core or by a single plugin.
    """
    owners: dict[str, str] = {}
    for info in infos:
        module = hookspec_module(info)
        if module is None:
            continue
        names = declared_hooks(module)
        if not names:
            raise PluginError(f"Plugin {info.name!r}: {info.cls.hookspecs} declares no hook; "
                              f"mark its functions with core.hookspec.")
        for name in names:
            caller = getattr(pm.hook, name, None)
            if name in owners or (caller is not None and caller.has_spec()):
                first = f"plugin {owners[name]!r}" if name in owners else "core"
                raise PluginError(f"Plugin {info.name!r} declares hook {name!r}, which {first} declares already.")
            owners[name] = info.name
        pm.add_hookspecs(module)


def check_foreign_hooks(pm: pluggy.PluginManager, installed: dict[str, PluginInfo]) -> None:
    """Refuse to start when a plugin implements a disabled plugin's hook without ``optionalhook``.

    ``check_pending`` would only say the hook does not exist; this names the plugin that declares it
    and the two ways out, so a deployment that disables that plugin knows what to change.
    """
    unverified = [(name, impl) for name, caller in vars(pm.hook).items()
                  if not name.startswith("_") and not caller.has_spec()
                  for impl in caller.get_hookimpls() if not impl.optionalhook]
    if not unverified:
        return
    declared_by: dict[str, str] = {}
    for info in installed.values():
        if not info.enabled:
            try:
                module = hookspec_module(info)
            except PluginError:  # a disabled plugin's broken module must not stop the others
                continue
            declared_by.update(dict.fromkeys(declared_hooks(module) if module else [], info.name))
    for name, impl in unverified:
        owner = declared_by.get(name)
        if owner:
            raise PluginError(
                f"Plugin {impl.plugin_name!r} implements hook {name!r} of plugin {owner!r}, which is "
                f"not enabled: enable {owner!r}, add it to depends, or mark the implementation "
                f"@hookimpl(optionalhook=True).")


def _import_models(info: PluginInfo) -> None:
    """Import ``<package>.models`` only for enabled plugins and enforce the table-name prefix."""
    module_name = f"{info.cls.package()}.models"
    if importlib.util.find_spec(module_name) is None:
        return
    importlib.import_module(module_name)
    for mapper in db.Model.registry.mappers:
        if mapper.class_.__module__.startswith(info.cls.package() + "."):
            for table in mapper.tables:
                if not table.name.startswith(f"{info.name}_"):
                    raise PluginError(
                        f"Plugin {info.name!r} defines table {table.name!r}; "
                        f"plugin tables must start with '{info.name}_'."
                    )


def host() -> PluginHost:
    return current_app.extensions["guanxi"]


def implementations(app: Flask, hook_name: str) -> list[tuple[str, Callable[..., list[Any]]]]:
    """Each plugin's implementation of a hook as a caller of its own, in pluggy's call order.

    For callers that must know who said what (metrics owned by one plugin, refusals and start-up
    checks naming the plugin) and for events, where one failing listener must not keep the others
    from running. Each call goes through pluggy (``subset_hook_caller``), so tracing still sees it.
    """
    pm = app.extensions["guanxi"].pm
    callers = []
    for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
        others = [plugin for plugin in pm.get_plugins() if plugin is not impl.plugin]
        callers.append((impl.plugin_name,
                        partial(pm.subset_hook_caller(hook_name, remove_plugins=others), app=app)))
    return callers


def answers_by_plugin(hook_name: str, app: Flask | None = None, **kwargs: Any) -> dict[str, Any]:
    """Call a hook plugin by plugin: ``{plugin name: answer}`` (None when it answered None).
    ``app`` defaults to the current one (pass it while the app is being built)."""
    answers: dict[str, Any] = {}
    for plugin, caller in implementations(app or current_app._get_current_object(), hook_name):
        result = caller(**kwargs)
        answers[plugin] = result[0] if result else None
    return answers


OWNED_NAME = re.compile(r"[a-z][a-z0-9_]*")


def owned_by(owner: str, name: str) -> bool:
    """Whether ``name`` (a job, a setting key) is ``<owner>.<lower_case_name>``: what a plugin
    declares carries its name, so two plugins never collide and errors can name the owner."""
    namespace, _dot, rest = name.partition(".")
    return namespace == owner and OWNED_NAME.fullmatch(rest) is not None


def call(hook_name: str, **kwargs: Any) -> list[Any]:
    """Call a list-returning hook and flatten the answers of all plugins into one list."""
    results = getattr(host().hook, hook_name)(app=current_app._get_current_object(), **kwargs)
    flat: list[Any] = []
    for result in results:
        if result:
            flat.extend(result)
    return flat


def call_merged(hook_name: str, **kwargs: Any) -> dict[Any, Any]:
    """Call a data hook answering ``{id: {...}}`` or ``{id: [...]}`` and merge the answers per id."""
    merged: dict[Any, Any] = {}
    for result in getattr(host().hook, hook_name)(app=current_app._get_current_object(), **kwargs):
        for key, values in (result or {}).items():
            if isinstance(values, dict):
                merged.setdefault(key, {}).update(values)
            else:
                merged.setdefault(key, []).extend(values)
    return merged
