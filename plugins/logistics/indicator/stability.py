"""Stable-weight capture (RULES.md W-6, W-7).

With a motion flag (Toledo) the indicator decides; without one (Yaohua tf=0) a weight is stable
when every reading of the last ``window`` seconds (at least ``min_frames`` of them) lies within
``band`` of each other. One capture per vehicle: after a capture the detector re-arms only when the
scale has been emptied (a reading at or below ``rearm``).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal

from plugins.logistics.indicator.frames import Reading


@dataclass(frozen=True)
class StabilityRule:
    division: int = 20  # d, kg
    window: float = 2.0  # seconds
    min_frames: int = 6

    @property
    def band(self) -> int:
        return self.division

    @property
    def min_load(self) -> int:
        return 20 * self.division

    @property
    def rearm(self) -> int:
        return 4 * self.division


class StableDetector:
    def __init__(self, rule: StabilityRule | None = None) -> None:
        self.rule = rule or StabilityRule()
        self.history: deque[tuple[float, Decimal]] = deque(maxlen=200)
        self.armed = True

    def feed(self, reading: Reading, at: float) -> Decimal | None:
        """Give one reading taken at ``at`` seconds; returns the captured weight once per load."""
        weight = reading.weight
        if weight <= self.rule.rearm:
            self.armed = True
        self.history.append((at, weight))
        if not self.armed or weight < self.rule.min_load:
            return None
        stable = self._window_stable(at) if reading.stable is None else reading.stable
        if stable:
            self.armed = False
            return weight
        return None

    def _window_stable(self, at: float) -> bool:
        """True when the readings of the last ``window`` seconds, and enough of them, stay in band."""
        low = high = None
        count = 0
        since = at
        for t, w in reversed(self.history):
            low = w if low is None else min(low, w)
            high = w if high is None else max(high, w)
            if high - low > self.rule.band:
                break
            count += 1
            since = t
        return count >= self.rule.min_frames and at - since >= self.rule.window
