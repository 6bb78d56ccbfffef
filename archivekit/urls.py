"""URLs as a reader compares them: the one normalisation, a record's site, a compact seen-set."""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit

#: Query parameters that only say where a click came from (analytics, ads, mail
#: campaigns): the article is the same without them. ``utm_*`` is matched as a prefix.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gclsrc",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "ref",
        "ref_src",
        "smid",
        "smtyp",
        "partner",
        "emc",
        "_r",
    }
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_SLASHES = re.compile(r"/{2,}")
#: A URL with only a scheme, a host and a path: its key needs no parsing.
_PLAIN = re.compile(r"[hH][tT][tT][pP][sS]?://([A-Za-z0-9.-]+)(/[^?#\s]*)?")


def _tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMS


def host(url: str) -> str:
    """The host of ``url``, lower case, without ``www.``, port or trailing dot ('' if none).

    This is a record's *site* (``archive stats`` by_domain, ``--domain``).
    """
    try:
        name = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    name = name.rstrip(".")
    return name[4:] if name.startswith("www.") else name


def normalise_url(url: str) -> str:
    """``url`` as a key that two spellings of the same article share.

    Ignored: the scheme (``http`` = ``https``), letter case and ``www.`` of the
    host, a default port, the fragment, a trailing slash of the path, repeated
    slashes, and tracking parameters (``utm_*``, ``fbclid``, ``gclid`` ... see
    :data:`TRACKING_PARAMS`); the other parameters are kept, sorted. The
    result is a comparison key, never written back into a record.
    """
    return site_and_key(url)[1]


def site_and_key(url: str) -> tuple[str, str]:
    """``(host(url), normalise_url(url))``, taking the URL apart once."""
    text = url.strip()
    plain = _PLAIN.fullmatch(text)
    if plain is not None:
        # Most URLs: scheme, host, path; nothing else to drop (once per record, in a worker).
        name, path = plain.group(1).lower().rstrip("."), plain.group(2) or ""
        if name.startswith("www."):
            name = name[4:]
        if "//" in path:
            path = _SLASHES.sub("/", path)
        return name, "//" + name + path.rstrip("/")
    return parsed_site_and_key(text)


def parsed_site_and_key(text: str) -> tuple[str, str]:
    """:func:`site_and_key` by :func:`urllib.parse.urlsplit`: for every URL."""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # not a URL we can take apart: compare it as written
        return "", text
    name = (parts.hostname or "").rstrip(".")
    if name.startswith("www."):
        name = name[4:]
    site = name
    scheme = parts.scheme.lower()
    if port is not None and str(port) != _DEFAULT_PORTS.get(scheme):
        name = f"{name}:{port}"
    path = _SLASHES.sub("/", parts.path).rstrip("/")
    query = ""
    if parts.query:
        kept = [
            (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)
        ]
        query = urlencode(sorted(kept))
    return site, SplitResult("", name, path, query, "").geturl()


def domain_matches(site: str, wanted: str) -> bool:
    """``site`` (see :func:`host`) is ``wanted`` or one of its subdomains."""
    return site == wanted or site.endswith("." + wanted)


class SeenSet:
    """Which 64-bit keys (hashes of URLs) were seen: 16 to 32 bytes a key, not a set's 60+.

    One open-addressing table in an :class:`array.array`, grown to stay at
    most half full. Memory grows with the distinct keys, as any exact
    duplicate check must, but at a quarter of the cost of a ``set`` of ints.
    """

    __slots__ = ("_count", "_mask", "_slots")

    def __init__(self) -> None:
        self._slots = array("q", bytes(8 * 1024))
        self._mask = 1023
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, key: int) -> bool:
        """Remember ``key``; True if it was new."""
        key = (key & 0x7FFF_FFFF_FFFF_FFFF) or 1  # 0 marks a free slot
        slots, mask = self._slots, self._mask
        index = key & mask
        while True:
            held = slots[index]
            if held == 0:
                slots[index] = key
                self._count += 1
                if self._count * 2 > mask:
                    self._grow()
                return True
            if held == key:
                return False
            index = (index + 1) & mask

    def _grow(self) -> None:
        old = self._slots
        self._mask = mask = self._mask * 2 + 1
        self._slots = slots = array("q", bytes(8 * (mask + 1)))
        for key in old:
            if key:
                index = key & mask
                while slots[index]:
                    index = (index + 1) & mask
                slots[index] = key


def url_key(text: str) -> int:
    """A 64-bit key of ``text`` that every process computes alike (``hash()`` is salted)."""
    blake2b = _HASH[0] if _HASH else _hash()
    return int.from_bytes(blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest())


#: hashlib.blake2b, imported at the first key (validating one file never needs it),
#: then looked up here: an import statement costs a dictionary lookup or two a key.
_HASH: list[Callable[..., Any]] = []


def _hash() -> Callable[..., Any]:
    from hashlib import blake2b

    _HASH.append(blake2b)
    return blake2b
