"""The exceptions archivekit raises: one shallow tree under ArchiveKitError.

Bad records are never raised; they come back as diagnostics. These are for
calls that cannot go on at all.
"""

from __future__ import annotations


class ArchiveKitError(Exception):
    """Base of every exception archivekit raises on purpose."""


class InputError(ArchiveKitError):
    """An input path does not exist or cannot be walked."""


class UsageError(ArchiveKitError):
    """An option or argument is not valid (for example an unknown rule code)."""
