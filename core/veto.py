"""Veto hooks: ask the other plugins before an action and let any of them refuse it.

A plugin declares a veto hook (named for the action under way: ``order_confirming``) in its own
hookspecs. Implementations return None to allow or ``core.contract.Refusal(reason)`` to refuse.
The acting code calls ``ask_vetoes`` inside its transaction, before the change; ``Vetoed`` carries the
reasons, and the view rolls back and shows them, as for any other refused step.
"""
from __future__ import annotations

from typing import Any

from core.contract import Refusal
from core.plugins import answers_by_plugin


class Vetoed(Exception):
    """One or more plugins refused the action; ``str()`` is the reasons, for the user."""

    def __init__(self, refusals: list[tuple[str, Refusal]]) -> None:
        super().__init__("; ".join(str(refusal.reason) for _plugin, refusal in refusals))
        self.refusals = refusals


def refusals(hook_name: str, **kwargs: Any) -> list[tuple[str, Refusal]]:
    """Every plugin's refusal of the action, as ``(plugin name, Refusal)``, in call order."""
    found = []
    for plugin, answer in answers_by_plugin(hook_name, **kwargs).items():
        if answer is None:
            continue
        if not isinstance(answer, Refusal):
            raise TypeError(f"Plugin {plugin!r} answered {hook_name} with {answer!r}: "
                            f"return None or core.contract.Refusal(reason).")
        found.append((plugin, answer))
    return found


def ask_vetoes(hook_name: str, **kwargs: Any) -> None:
    """Raise ``Vetoed`` when any plugin refuses; every plugin is asked, so all reasons are shown."""
    found = refusals(hook_name, **kwargs)
    if found:
        raise Vetoed(found)
