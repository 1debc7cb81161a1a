"""The workspace: every path Onhand reads or writes, under one root.

The root is ``$ONHAND_HOME`` (default ``./data``). Nothing outside it is
written by the pipeline, so a workspace can be copied, backed up or removed as
one folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "ONHAND_HOME"
DEFAULT_HOME = Path("data")


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def resolve(cls, home: Path | str | None = None) -> Workspace:
        """The workspace at ``home``, else ``$ONHAND_HOME``, else ``./data``."""
        chosen = home if home is not None else os.environ.get(HOME_ENV) or DEFAULT_HOME
        return cls(Path(chosen).expanduser().resolve())

    # What source systems drop, and what the generator knows but never lands.
    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def ground_truth(self) -> Path:
        return self.root / "ground_truth"

    # The lake: append-only, immutable batches.
    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def raw(self) -> Path:
        return self.lake / "raw"

    @property
    def rejects(self) -> Path:
        return self.lake / "rejects"

    @property
    def duplicates(self) -> Path:
        return self.lake / "duplicates"

    @property
    def manifests(self) -> Path:
        return self.lake / "manifests"

    @property
    def pending(self) -> Path:
        """Batches being written; invisible until committed."""
        return self.lake / "_pending"

    @property
    def state(self) -> Path:
        return self.lake / "state"

    @property
    def file_errors(self) -> Path:
        """Inbox files that could not be read at all, with the reason."""
        return self.rejects / "_files"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def writeback_db(self) -> Path:
        """The write-back store (SQLite, WAL): requests, approvals, users, the audit trail."""
        return self.root / "writeback.sqlite"

    @property
    def settings_file(self) -> Path:
        """Workspace settings a person may edit (TOML)."""
        return self.root / "onhand.toml"

    def ensure(self) -> Workspace:
        for path in (self.inbox, self.raw, self.rejects, self.duplicates, self.manifests,
                     self.pending, self.state, self.file_errors):
            path.mkdir(parents=True, exist_ok=True)
        return self
