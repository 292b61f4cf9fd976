"""Continuous-output frames of the indicators found on Chinese weighbridges (RULES.md W-1, W-4).

Parsers take a byte stream in arbitrary chunks, resynchronise on the start byte, drop frames with a
bad checksum, and yield ``Reading`` objects. Weights are ``Decimal`` in the indicator's unit.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

STX, ETX, CR = 0x02, 0x03, 0x0D


@dataclass(frozen=True)
class Reading:
    weight: Decimal
    stable: bool | None  # None: the protocol has no motion flag (decide in software)
    unit: str = "kg"
    net: bool = False
    tare: Decimal | None = None
    out_of_range: bool = False


def _nibble(code: int) -> int | None:
    """One checksum nibble: '0'-'9', 'A'-'F' or the ';'..'?' variant of some XK3190 models."""
    if 0x30 <= code <= 0x3F:
        return code - 0x30
    if 0x41 <= code <= 0x46:
        return code - 0x37
    return None


def yaohua_checksum(body: bytes) -> int:
    value = 0
    for byte in body:
        value ^= byte
    return value


def encode_yaohua(weight: int, decimals: int = 0) -> bytes:
    """A tf=0 frame for ``weight`` (in units of 10^-decimals kg), as the indicator sends it."""
    body = (b"-" if weight < 0 else b"+") + f"{abs(weight):06d}".encode() + str(decimals).encode()
    check = yaohua_checksum(body)
    return bytes([STX]) + body + f"{check:02X}".encode() + bytes([ETX])


def parse_yaohua(frame: bytes) -> Reading | None:
    """One 12-byte XK3190 tf=0 frame, or None when it is malformed or its XOR does not match."""
    if len(frame) != 12 or frame[0] != STX or frame[11] != ETX or frame[1] not in b"+-":
        return None
    body = frame[1:9]
    high, low = _nibble(frame[9]), _nibble(frame[10])
    digits, decimals = frame[2:8], frame[8:9]
    if high is None or low is None or not digits.isdigit() or not decimals.isdigit() or int(decimals) > 4:
        return None
    if (high << 4 | low) != yaohua_checksum(body):
        return None
    value = Decimal(int(digits)).scaleb(-int(decimals))
    return Reading(weight=-value if frame[1:2] == b"-" else value, stable=None)


def toledo_checksum(frame_through_cr: bytes) -> int:
    return (-sum(frame_through_cr)) & 0x7F


DECIMAL_SHIFT = {0: 2, 1: 1, 2: 0, 3: -1, 4: -2, 5: -3, 6: -4, 7: -5}


def encode_toledo(weight: int, tare: int = 0, motion: bool = False, net: bool = False,
                  negative: bool = False) -> bytes:
    """A Mettler Toledo continuous frame with checksum, whole kilograms (SWA = x1, no decimals)."""
    swa = 0b0101010
    swb = 0b0110000 | (0b1000 if motion else 0) | (0b1 if net else 0) | (0b10 if negative else 0)
    frame = bytes([STX, swa, swb, 0x20]) + f"{weight:06d}".encode() + f"{tare:06d}".encode() + bytes([CR])
    return frame + bytes([toledo_checksum(frame)])


def parse_toledo(frame: bytes, with_checksum: bool = True) -> Reading | None:
    """One Toledo continuous frame (STX SWA SWB SWC weight tare CR [CHK]); 7E1 lines read as 8N1
    are handled by masking the parity bit. Status bits are decoded one by one."""
    frame = bytes(b & 0x7F for b in frame)
    size = 18 if with_checksum else 17
    if len(frame) != size or frame[0] != STX or frame[16] != CR:
        return None
    if with_checksum and frame[17] != toledo_checksum(frame[:17]):
        return None
    swa, swb = frame[1], frame[2]
    weight_digits, tare_digits = frame[4:10], frame[10:16]
    if not (weight_digits.strip().isdigit() and tare_digits.strip().isdigit()):
        return None
    shift = DECIMAL_SHIFT[swa & 0b111]
    weight = Decimal(int(weight_digits)).scaleb(shift)
    return Reading(weight=-weight if swb & 0b10 else weight, stable=not swb & 0b1000,
                   unit="kg" if swb & 0b10000 else "lb", net=bool(swb & 0b1),
                   tare=Decimal(int(tare_digits)).scaleb(shift), out_of_range=bool(swb & 0b100))


class FrameStream:
    """Feed bytes as they arrive; iterate the readings of complete, valid frames."""

    def __init__(self, protocol: str, with_checksum: bool = True) -> None:
        if protocol not in ("yaohua", "toledo"):
            raise ValueError(f"unknown indicator protocol {protocol!r}")
        self.protocol = protocol
        self.with_checksum = with_checksum
        self.size = 12 if protocol == "yaohua" else (18 if with_checksum else 17)
        self.buffer = bytearray()
        self.rejected = 0

    def feed(self, data: bytes) -> Iterator[Reading]:
        self.buffer.extend(data)
        while True:
            start = self.buffer.find(STX)
            if start < 0:
                self.buffer.clear()
                return
            del self.buffer[:start]
            if len(self.buffer) < self.size:
                return
            frame = bytes(self.buffer[: self.size])
            reading = (parse_yaohua(frame) if self.protocol == "yaohua"
                       else parse_toledo(frame, self.with_checksum))
            if reading is None:
                self.rejected += 1
                del self.buffer[:1]  # resynchronise on the next start byte
                continue
            del self.buffer[: self.size]
            yield reading
