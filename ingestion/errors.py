"""Errors of the ingestion stage."""

from __future__ import annotations

from pathlib import Path

from lakehouse.errors import OnhandError


class FileRejected(OnhandError):
    """A whole inbox file could not be taken; the rest of the inbox still lands."""

    def __init__(self, path: Path, what: str, fix: str) -> None:
        self.path = path
        super().__init__(what, where=str(path), fix=fix)


class InboxNotFound(OnhandError):
    """The folder given to ingest does not exist."""
