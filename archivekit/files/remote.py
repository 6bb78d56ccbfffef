"""Object storage through fsspec: which inputs are URLs, their file system, storage options."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from archivekit.errors import UsageError

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

#: The URL schemes read through fsspec (``archivekit[cloud]``): anything else
#: with ``://`` is a local path, as it always was.
SCHEMES = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "file", "memory"})
#: The package each scheme needs beyond fsspec, and how to get it.
_PACKAGES = {
    "s3": ("s3fs", "pip install 'archivekit[cloud]'"),
    "s3a": ("s3fs", "pip install 'archivekit[cloud]'"),
    "gs": ("gcsfs", "pip install gcsfs"),
    "gcs": ("gcsfs", "pip install gcsfs"),
    "az": ("adlfs", "pip install adlfs"),
    "abfs": ("adlfs", "pip install adlfs"),
    "abfss": ("adlfs", "pip install adlfs"),
}
#: Object stores, where a listing cache would hold every name of a large bucket.
_STORES = frozenset(_PACKAGES)
_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")

#: Storage options as the command line gives them, or the Python API's dict.
StorageOptions = Mapping[str, Any]


def scheme(path: str) -> str | None:
    """The lower-case scheme of a URL archivekit reads through fsspec, else None."""
    match = _URL.match(path)
    if match is None:
        return None
    name = match.group(1).lower()
    return name if name in SCHEMES else None


def is_url(path: str) -> bool:
    """True for ``s3://``, ``gs://``, ``az://``, ``file://``, ``memory://`` ... URLs."""
    return "://" in path and scheme(path) is not None


def filesystem(url: str, storage: StorageOptions | None = None) -> tuple[AbstractFileSystem, str]:
    """The fsspec file system of ``url`` and the path within it.

    ``storage`` holds the file system's options (``endpoint_url``, ``anon``,
    ``key`` ...); credentials not given come from the environment as usual
    (``AWS_*``, ``GOOGLE_APPLICATION_CREDENTIALS`` ...). fsspec keeps one
    instance per set of options, so this is cheap to call per file. Raises
    :class:`UsageError` naming what to install when fsspec or the scheme's
    package is missing.
    """
    name = scheme(url) or "file"
    try:
        import fsspec.core
    except ImportError:
        raise UsageError(
            f"{url}: reading URLs needs fsspec: pip install 'archivekit[cloud]'"
        ) from None
    options = dict(storage or {})
    if name in _STORES:
        # A listing cache would keep every name of a bucket of millions in memory.
        options.setdefault("use_listings_cache", False)
    try:
        fs, path = fsspec.core.url_to_fs(url, **options)
    except ImportError:
        package, how = _PACKAGES.get(name, ("its fsspec implementation", "pip install fsspec"))
        raise UsageError(f"{url}: {name}:// URLs need {package}: {how}") from None
    except (TypeError, ValueError) as exc:  # an option the file system does not take
        raise UsageError(f"{url}: bad --storage-option: {exc}") from None
    return fs, path


def join(url: str, rel: str) -> str:
    """``url`` (a folder) and a path relative to it, as one URL."""
    return f"{url.rstrip('/')}/{rel}"


def parse_storage_options(pairs: Iterable[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs (``--storage-option``) as fsspec storage options.

    ``true``/``false``/``null`` and whole numbers become booleans, None and
    integers, ``{...}`` and ``[...]`` are read as JSON (``client_kwargs``);
    anything else stays a string. Raises :class:`UsageError` for a pair
    without ``=`` or with bad JSON.
    """
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--storage-option {pair!r}: give KEY=VALUE")
        options[key] = _value(key, value)
    return options


def _value(key: str, value: str) -> Any:
    words: dict[str, Any] = {"true": True, "false": False, "null": None, "none": None}
    if value.lower() in words:
        return words[value.lower()]
    if re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    if value[:1] in "{[" and value:
        import json

        try:
            return json.loads(value)
        except ValueError as exc:
            raise UsageError(f"--storage-option {key}: not JSON: {exc}") from None
    return value


def errors() -> tuple[type[BaseException], ...]:
    """What fsspec file systems raise for an object that cannot be read (besides OSError).

    botocore's errors are not OSErrors; they are turned into read-error findings.
    """
    found: list[type[BaseException]] = [OSError]
    try:
        from botocore.exceptions import BotoCoreError, ClientError

        found += [BotoCoreError, ClientError]
    except ImportError:
        pass
    return tuple(found)
