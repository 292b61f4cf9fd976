"""Reading an indicator through pyserial: a serial port (/dev/ttyUSB0, COM3) or a serial-to-Ethernet
bridge (socket://10.0.0.5:4001) are the same byte stream to the frame parser."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import serial

from plugins.logistics.indicator.frames import FrameStream, Reading
from plugins.logistics.indicator.stability import StabilityRule, StableDetector


@dataclass(frozen=True)
class Sample:
    reading: Reading
    captured: Decimal | None  # set once per load, when the weight became stable


def samples(url: str, protocol: str, baudrate: int = 9600, rule: StabilityRule | None = None,
            timeout: float = 1.0) -> Iterator[Sample]:
    """Readings from the indicator at ``url``, each with the stable capture if one happened."""
    port = serial.serial_for_url(url, baudrate=baudrate, timeout=timeout)
    stream, detector = FrameStream(protocol), StableDetector(rule)
    try:
        while True:
            chunk = port.read(64)
            if not chunk:
                continue
            for reading in stream.feed(chunk):
                yield Sample(reading, detector.feed(reading, time.monotonic()))
    finally:
        port.close()


def run(url: str, protocol: str, publish: Callable[[Sample], None], every: float = 0.5,
        should_stop: Callable[[], bool] = lambda: False) -> None:
    """Publish a sample at most every ``every`` seconds, and every capture at once."""
    last = 0.0
    for sample in samples(url, protocol):
        if should_stop():
            return
        now = time.monotonic()
        if sample.captured is not None or now - last >= every:
            publish(sample)
            last = now
