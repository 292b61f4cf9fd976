"""``python -m core``: the ``guanxi`` command, for scripts that run from a checkout."""
from core.cli import main

main(prog_name="guanxi")
