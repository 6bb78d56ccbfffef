"""Every exception archivekit raises: one shallow tree under ArchiveKitError.

Bad records are never raised; they come back as findings. These are for
calls that cannot go on at all::

    ArchiveKitError
    ├── InputError          an input path does not exist
    ├── UsageError          an option, argument or setting is not valid
    │   ├── ConfigError     the configuration file
    │   ├── BaselineError   the baseline file
    │   ├── OutputExists    an output exists and force was not given
    │   └── MissingExtra    an optional dependency (an extra) is not installed
    ├── OutputError         the output could not be written
    ├── WorkerError         a worker process died
    ├── FileChanged         a file changed on disk while it was being rewritten (also an OSError)
    └── LimitError          decompressed data over a limit (also an OSError)
"""

from __future__ import annotations


class ArchiveKitError(Exception):
    """Base of every exception archivekit raises on purpose."""


class InputError(ArchiveKitError):
    """An input path does not exist or cannot be walked."""


class UsageError(ArchiveKitError):
    """An option or argument is not valid (for example an unknown rule code)."""


class ConfigError(UsageError):
    """A configuration file cannot be read, or holds an unknown key, rule code or value."""


class BaselineError(UsageError):
    """The baseline file cannot be read or written, or is not a baseline."""


class OutputExists(UsageError):
    """An output file exists and ``force`` was not given."""


class MissingExtra(UsageError):
    """An optional dependency is not installed; the message names the extra to install."""

    @classmethod
    def for_module(cls, module: str, extra: str) -> MissingExtra:
        """The error for a missing ``module`` that the ``archivekit[extra]`` extra brings."""
        return cls(f"{module} is not installed: pip install 'archivekit[{extra}]'")


class OutputError(ArchiveKitError):
    """The output could not be written; nothing was left behind."""


class WorkerError(ArchiveKitError):
    """A worker process died or failed unexpectedly."""


class FileChanged(ArchiveKitError, OSError):
    """A file to rewrite changed on disk after it was read: it is left as it is.

    An OSError too, so that callers handle it as they do a failed write.
    """


class LimitError(ArchiveKitError, OSError):
    """Decompressed data went over a size or ratio limit (a decompression bomb).

    An OSError too: readers report it as they do any input that cannot be read
    (``read-error``), and go on with the next input.
    """


class FrontMatterError(ValueError):
    """Markdown front matter outside the safe subset; ``line`` is 1-based within the file.

    Internal to the Markdown reader, which turns it into a finding: never raised
    out of the library.
    """

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line
