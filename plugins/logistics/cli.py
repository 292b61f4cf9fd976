"""Weighbridge commands: the indicator simulator and the agent for a serial indicator."""
from __future__ import annotations

import time

import click


@click.command("weighbridge-simulator")
@click.option("--port", default=4001, show_default=True, help="TCP port to serve frames on.")
@click.option("--protocol", type=click.Choice(["yaohua", "toledo"]), default="yaohua", show_default=True)
@click.option("--script", default="0:5,15200:10,0:5,40540:10",
              show_default=True, help="weight:seconds steps, repeated forever.")
def simulator_command(port: int, protocol: str, script: str) -> None:
    """Speak XK3190 or Toledo frames on a TCP port, like a networked indicator."""
    from plugins.logistics.indicator.simulator import Simulator

    steps = [(int(w), float(s)) for w, s in (part.split(":") for part in script.split(","))]
    sim = Simulator(port=port, protocol=protocol).start()
    click.echo(f"Indicator simulator ({protocol}) on socket://127.0.0.1:{sim.port}; Ctrl+C to stop.")
    try:
        while True:
            for weight, seconds in steps:
                sim.weight = weight
                time.sleep(seconds)
    except KeyboardInterrupt:
        sim.stop()


@click.command("weighbridge-agent")
@click.option("--server", required=True, help="Guanxi's address, e.g. https://guanxi.example.cn")
@click.option("--station", default="main", show_default=True)
@click.option("--token", required=True, envvar="GUANXI_STATION_TOKEN", help="The station's token.")
@click.option("--indicator", required=True, help="/dev/ttyUSB0, COM3 or socket://host:port")
@click.option("--protocol", type=click.Choice(["yaohua", "toledo"]), default="yaohua", show_default=True)
def agent_command(server: str, station: str, token: str, indicator: str, protocol: str) -> None:
    """Run on the weighbridge PC: read the indicator and push readings to the server."""
    import requests

    from plugins.logistics.indicator.reader import Sample, run

    url = f"{server.rstrip('/')}/logistics/stations/{station}/readings"
    headers = {"Authorization": f"Bearer {token}"}

    def push(sample: Sample) -> None:
        payload = {"weight": int(sample.reading.weight), "stable": sample.reading.stable,
                   "captured": int(sample.captured) if sample.captured is not None else None}
        try:
            requests.post(url, json=payload, headers=headers, timeout=5).raise_for_status()
        except requests.RequestException as error:
            click.echo(f"push failed: {error}", err=True)

    click.echo(f"Reading {indicator} ({protocol}) for station {station} -> {server}")
    run(indicator, protocol, push)
