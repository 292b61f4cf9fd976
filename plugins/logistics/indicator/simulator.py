"""A weighbridge indicator simulator: speaks XK3190 or Toledo frames on a TCP port.

Set ``weight`` (kg) while it runs; it sends about ten frames a second with a little movement for
a second after each change, as a real scale settles. Used by the tests, the demo and for training.
"""
from __future__ import annotations

import random
import socket
import threading
import time

from plugins.logistics.indicator.frames import encode_toledo, encode_yaohua


class Simulator:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, protocol: str = "yaohua",
                 rate: float = 10.0, settle: float = 1.0) -> None:
        self.protocol, self.rate, self.settle = protocol, rate, settle
        self._weight, self._changed = 0, time.monotonic()
        self._server = socket.create_server((host, port))
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._rng = random.Random(7)

    @property
    def weight(self) -> int:
        return self._weight

    @weight.setter
    def weight(self, value: int) -> None:
        self._weight, self._changed = int(value), time.monotonic()

    def frame(self) -> bytes:
        settling = time.monotonic() - self._changed < self.settle and self._weight > 0
        shown = self._weight + (self._rng.choice([-60, -40, 40, 60]) if settling else 0)
        if self.protocol == "toledo":
            return encode_toledo(abs(shown), motion=settling, negative=shown < 0)
        return encode_yaohua(shown)

    def serve_forever(self) -> None:
        self._server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:  # the socket was closed by stop()
                return
            threading.Thread(target=self._talk, args=(client,), daemon=True).start()

    def _talk(self, client: socket.socket) -> None:
        with client:
            while not self._stop.is_set():
                try:
                    client.sendall(self.frame())
                except OSError:
                    return
                time.sleep(1 / self.rate)

    def start(self) -> Simulator:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.close()
