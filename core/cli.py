"""The ``guanxi`` command: Flask's command line on ``create_app``, with core's and the enabled
plugins' commands (``register_commands``) and the catalogue tool, which needs no application."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from core.app import create_app
from core.i18n_commands import i18n
from core.plugins import PluginError


def _factory() -> Flask:
    try:
        return create_app()
    except PluginError as error:
        raise click.ClickException(str(error)) from error


@click.group(cls=FlaskGroup, create_app=_factory, add_version_option=False)
def main() -> None:
    """Guanxi customer management."""


# Flask's --app (and FLASK_APP) would be ignored: guanxi always builds its own app, configured by
# GUANXI_* variables and the instance folder (GUANXI_INSTANCE_PATH). Not offering it is honest.
main.params = [param for param in main.params if param.name != "app"]
main.add_command(i18n)
