"""Indicator frames (RULES.md W-1, W-4) and stable-weight capture (W-6, W-7)."""
from decimal import Decimal

import pytest

from plugins.logistics.indicator.frames import (
    FrameStream,
    encode_toledo,
    encode_yaohua,
    parse_toledo,
    parse_yaohua,
)
from plugins.logistics.indicator.stability import StabilityRule, StableDetector

YAOHUA_25340 = bytes.fromhex("02 2B 30 32 35 33 34 30 30 31 42 03")
YAOHUA_MINUS_1234 = bytes.fromhex("02 2D 30 30 31 32 33 34 30 31 39 03")
TOLEDO_25340 = bytes([0x02, 0x2A, 0x30, 0x20]) + b"025340" + b"000000" + bytes([0x0D, 0x29])


def test_yaohua_verified_vectors():
    assert parse_yaohua(YAOHUA_25340).weight == Decimal(25340)
    assert parse_yaohua(YAOHUA_MINUS_1234).weight == Decimal(-1234)
    assert parse_yaohua(YAOHUA_25340).stable is None  # tf=0 has no motion flag
    assert encode_yaohua(25340) == YAOHUA_25340
    assert encode_yaohua(12345).endswith(b"1A\x03")
    assert encode_yaohua(0)[1:11] == b"+00000001B"  # what a public reader logs for an empty scale


def test_yaohua_decimal_position_and_the_semicolon_checksum_variant():
    frame = encode_yaohua(253405, decimals=1)
    assert parse_yaohua(frame).weight == Decimal("25340.5")
    # the XK3190-A22 sends 0xB as ';' (n + 30h): both encodings are accepted
    variant = YAOHUA_25340[:10] + b";" + YAOHUA_25340[11:]
    assert parse_yaohua(variant).weight == Decimal(25340)


def test_yaohua_bad_checksum_or_shape_is_dropped():
    assert parse_yaohua(YAOHUA_25340[:9] + b"1C\x03") is None
    assert parse_yaohua(YAOHUA_25340[:-1]) is None
    assert parse_yaohua(YAOHUA_25340.replace(b"+", b"*")) is None


def test_toledo_verified_vector_and_status_bits():
    reading = parse_toledo(TOLEDO_25340)
    assert reading.weight == Decimal(25340) and reading.stable is True and reading.unit == "kg"
    assert not reading.net and reading.tare == 0
    assert encode_toledo(25340) == TOLEDO_25340
    assert parse_toledo(encode_toledo(25340, motion=True)).stable is False
    assert parse_toledo(encode_toledo(25340, net=True)).net is True
    assert parse_toledo(encode_toledo(120, negative=True)).weight == Decimal(-120)


def test_toledo_bad_checksum_and_parity_bits():
    assert parse_toledo(TOLEDO_25340[:-1] + bytes([0x2A])) is None
    with_parity = bytes(b | 0x80 if bin(b).count("1") % 2 else b for b in TOLEDO_25340)
    assert parse_toledo(with_parity).weight == Decimal(25340)  # 7E1 read as 8N1
    decimal_frame = bytearray(TOLEDO_25340[:-1])
    decimal_frame[1] = 0b0101011  # SWA: XXXXX.X
    decimal_frame.append((-sum(decimal_frame)) & 0x7F)
    assert parse_toledo(bytes(decimal_frame)).weight == Decimal("2534.0")


@pytest.mark.parametrize("protocol,frame", [("yaohua", YAOHUA_25340), ("toledo", TOLEDO_25340)])
def test_stream_resynchronises_through_noise_and_split_chunks(protocol, frame):
    stream = FrameStream(protocol)
    noisy = b"\x00\xffgarbage" + frame[:5] + b"\x02\x02" + frame + b"\x13\x10" + frame[:7]
    readings = list(stream.feed(noisy)) + list(stream.feed(frame[7:]))
    assert [r.weight for r in readings] == [Decimal(25340), Decimal(25340)]
    assert stream.rejected >= 1


def test_stream_drops_a_corrupted_frame_between_good_ones():
    corrupted = bytearray(YAOHUA_25340)
    corrupted[4] = ord("9")
    stream = FrameStream("yaohua")
    readings = list(stream.feed(YAOHUA_25340 + bytes(corrupted) + encode_yaohua(25360)))
    assert [r.weight for r in readings] == [Decimal(25340), Decimal(25360)]


def feed(detector, weights, start=0.0, step=0.25, stable=None):
    from plugins.logistics.indicator.frames import Reading

    captured = []
    t = start
    for w in weights:
        result = detector.feed(Reading(Decimal(w), stable), t)
        if result is not None:
            captured.append(result)
        t += step
    return captured, t


def test_window_rule_of_rules_w7():
    detector = StableDetector(StabilityRule(division=20))
    captured, t = feed(detector, [25300, 25340, 25300, 25340, 25300, 25340, 25320])
    assert captured == []  # spans 40 kg > one division
    captured, t = feed(detector, [25340] * 9, start=t)  # held for 2 s
    assert captured == [Decimal(25340)]
    captured, t = feed(detector, [25340] * 20, start=t)
    assert captured == []  # one capture per vehicle
    captured, t = feed(detector, [5000, 60] + [15200] * 10, start=t)
    assert captured == [Decimal(15200)]  # re-armed once the scale showed 80 kg or less


def test_too_few_frames_or_light_loads_are_not_captured():
    detector = StableDetector(StabilityRule(division=20, min_frames=6))
    assert feed(detector, [25340] * 3, step=1.0)[0] == []  # 2 s but only 3 frames
    light = StableDetector(StabilityRule(division=20))
    assert feed(light, [300] * 20)[0] == []  # below 20 d


def test_the_indicator_motion_flag_decides_when_present():
    detector = StableDetector(StabilityRule(division=20))
    assert feed(detector, [25340] * 20, stable=False)[0] == []
    assert feed(detector, [25340], stable=True)[0] == [Decimal(25340)]
