"""Seed mutations for fuzzing: the damage scrapers, editors and transfers do to files.

Shared by the hypothesis tests and the standalone campaign (bench/fuzz.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from tests.conftest import SEED

#: Largest mutated input: overlong lines, not memory exhaustion of the fuzzer itself.
MAX_SIZE = 2**21

#: Valid seeds to mutate: the real seed and small hand-made shapes.
SEEDS: tuple[bytes, ...] = (
    SEED.read_bytes(),
    b"http://www.nytimes.com/2011/08/26/a.html\nHeadline\nMexico,Calderon  Felipe\n"
    b"Aug. 25, 2011\n42\nBody text.",
    b"https://example.com/x\nH\n\nSept. 5, 2001\n0\nB",
)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def random_byte(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    i = rng.randrange(len(data))
    return data[:i] + bytes([rng.randrange(256)]) + data[i + 1 :]


def swap_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def double_line(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    return b"\n".join(lines)


def drop_line(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def reencode(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    codec = rng.choice(("utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"))
    return text.encode(codec, "replace")


def nul(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + b"\x00" * rng.randint(1, 64) + data[i:]


def controls(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data) + 1)
    pool = b"\x00\x01\x08\x0b\x0c\r\x1b\x7f\t\n"
    junk = bytes(rng.choice(pool) for _ in range(rng.randint(1, 9)))
    return data[:i] + junk + data[i:]


def crlf(data: bytes, rng: random.Random) -> bytes:
    return data.replace(b"\n", rng.choice((b"\r\n", b"\r", b"\n\n", b"\r\r\n")))


def bom(data: bytes, rng: random.Random) -> bytes:
    return rng.choice((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf" * 2)) + data


def overlong_line(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    lines[i] = lines[i] * rng.randint(2, 2000) or b"x" * 100_000
    return b"\n".join(lines)


def bad_utf8(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data) + 1)
    junk = rng.choice(
        (
            b"\xff",
            b"\xc3",
            b"\xe2\x82",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
            b"\xc0\xaf",
            b"\x80" * 5,
            b"\xef\xbf\xbd",
        )
    )
    return data[:i] + junk * rng.randint(1, 30) + data[i:]


def splice(data: bytes, rng: random.Random) -> bytes:
    other = rng.choice(SEEDS)
    return data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1) :]


def field_noise(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    i = rng.randrange(min(len(lines), 6))
    lines[i] = rng.choice(
        (
            b"",
            b" ",
            b"-5",
            b"12.5",
            b"99999999999999999999",
            b"Feb. 30, 2012",
            b"Aug. 32, 2011",
            b"2016-09-15",
            b"SEPT. 15, 2016",
            b"a,,b,",
            b"a, b,a",
            b"//x.com/a",
            b"http://",
            b"http://[::1",
            b"http://a:99999/",
            b"ftp://x.com/",
            b"http://a b/",
            b"0042",
            "é".encode(),
        )
    )
    return b"\n".join(lines)


MUTATORS: tuple[Callable[[bytes, random.Random], bytes], ...] = (
    truncate,
    flip,
    random_byte,
    swap_lines,
    double_line,
    drop_line,
    reencode,
    nul,
    controls,
    crlf,
    bom,
    overlong_line,
    bad_utf8,
    splice,
    field_noise,
)


def mutate(data: bytes, rng: random.Random, rounds: int = 3) -> bytes:
    """Apply 1 to ``rounds`` random mutations; the result is cut at MAX_SIZE."""
    for _ in range(rng.randint(1, rounds)):
        # Repeated overlong_line rounds multiply: 7 kB x 2000 x 2000 is 28 GB.
        data = rng.choice(MUTATORS)(data, rng)[:MAX_SIZE]
    return data


def with_surrogate(text: str, rng: random.Random) -> str:
    """Text with lone surrogates, which only str input (never decoded bytes) can hold."""
    i = rng.randrange(len(text) + 1)
    return text[:i] + chr(rng.randrange(0xD800, 0xE000)) + text[i:]
