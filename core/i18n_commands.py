"""``guanxi i18n``: the catalogue tool for core, the installed plugins or any plugin folder.

It needs no application and no database, so a plugin author runs it on a checkout of their own
package: ``guanxi i18n update path/to/my_plugin``.
"""
from __future__ import annotations

from pathlib import Path

import click

from core.catalogues import (
    Component,
    compile_folder,
    folder_component,
    installed_components,
    untranslated,
    update,
)

FOLDERS = click.argument("folders", nargs=-1,
                         type=click.Path(exists=True, file_okay=False, path_type=Path))


def _components(folders: tuple[Path, ...]) -> list[Component]:
    return [folder_component(f) for f in folders] if folders else installed_components()


@click.group("i18n")
def i18n() -> None:
    """Message catalogues: of core and every installed plugin, or of the plugin FOLDERS given."""


@i18n.command("update")
@FOLDERS
def update_command(folders: tuple[Path, ...]) -> None:
    """Extract marked messages and merge them into the zh_CN and en catalogues."""
    for component in _components(folders):
        for locale, missing in update(component).items():
            if missing:
                click.echo(f"{component.name} {locale}: {len(missing)} untranslated", err=True)


@i18n.command("compile")
@FOLDERS
def compile_command(folders: tuple[Path, ...]) -> None:
    """Compile catalogues whose .mo is missing or older (run at install time)."""
    for component in _components(folders):
        for path in compile_folder(component.translations):
            click.echo(f"compiled {path}")


@i18n.command("check")
@FOLDERS
def check_command(folders: tuple[Path, ...]) -> None:
    """Fail when a marked message has no translation."""
    gaps = 0
    for component in _components(folders):
        for locale, missing in untranslated(component).items():
            gaps += len(missing)
            for message in missing[:20]:
                click.echo(f"{component.name} {locale}: {message}", err=True)
    if gaps:
        raise click.ClickException(f"{gaps} untranslated message(s).")
    click.echo("Every marked message is translated.")
