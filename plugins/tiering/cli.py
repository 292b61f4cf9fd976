"""``guanxi tiering recompute``: grade every customer now, with a progress bar and what moved."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from core.api import commit
from plugins.tiering.recompute import recompute

STEP_NAMES = {"inputs": "reading inputs", "rules": "applying rules", "store": "storing",
              "follow_up": "follow-ups", "done": "done"}


@click.group("tiering")
def tiering_group() -> None:
    """Customer grades."""


@tiering_group.command("recompute")
@with_appcontext
def recompute_command() -> None:
    """Recompute every customer's grades now and print what moved."""
    with click.progressbar(length=4, label="Recomputing grades",
                           item_show_func=lambda step: STEP_NAMES.get(step or "", "")) as bar:
        last = [0]

        def report(done: int, total: int, step: str) -> None:
            bar.update(done - last[0], step)
            last[0] = done

        started = time.perf_counter()
        run = recompute("command", report=report)
        commit()
        seconds = time.perf_counter() - started
    click.echo(f"{run.customers} customers graded, {run.changed} moved (rule version {run.rule_version}) "
               f"in {seconds:.1f} s.")
    for change, count in sorted(run.summary.items(), key=lambda item: (-item[1], item[0])):
        click.echo(f"  {count:>6}  {change}")
