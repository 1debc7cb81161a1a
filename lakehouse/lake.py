"""Lake batch I/O: immutable batches, committed atomically, each with a manifest.

A batch is everything one inbox file produced: its landed rows, its rejected
rows and its duplicates, each a Parquet file under
``lake/<kind>/<source>/<entity>/batch=<id>/``. A batch is *visible* once its
manifest is in ``lake/manifests/``; readers (the dbt sources, as-of builds)
only take batches that have one.

Commit protocol (crash-safe at every step):
1. write all outputs under ``lake/_pending/<id>/<kind>/``;
2. write the ``READY`` marker, which holds the manifest, into the pending dir (synced);
3. rename each output directory into its place in the lake;
4. write the manifest into ``lake/manifests/<id>.json`` (atomic replace);
5. remove the pending dir.
A process killed before step 2 leaves a pending dir without ``READY``: it is
discarded and the inbox file lands again on the next run. Killed after step 2,
the next run rolls the batch forward (:meth:`Lake.recover`).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from lakehouse.errors import LakeBusy
from lakehouse.workspace import Workspace

BATCH_KINDS = ("raw", "rejects", "duplicates")
READY = "READY"


@dataclass
class Manifest:
    """What one batch is: where it came from and what became of every row."""

    batch_id: str
    source: str
    entity: str
    file: str  # path relative to the inbox it was read from
    file_sha256: str
    file_bytes: int
    file_format: str
    rows_in: int
    rows_landed: int
    rows_rejected: int
    rows_duplicate: int
    min_event_time: str | None
    max_event_time: str | None
    landed_at: str
    contract_version: int
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> lake-relative dir

    def balanced(self) -> bool:
        return self.rows_in == self.rows_landed + self.rows_rejected + self.rows_duplicate

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        return cls(**json.loads(text))


def new_batch_id(sha256: str, at: datetime) -> str:
    """Sortable by landing time, unique by content: ``20261127T084200123456Z-1a2b3c4d5e6f``."""
    return f"{at.strftime('%Y%m%dT%H%M%S%fZ')}-{sha256[:12]}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def atomic_write_text(path: Path, text: str, *, sync: bool = False) -> None:
    """Write ``text`` so that readers see the old file or the new one, never half.

    ``sync`` also forces it to disk before the rename, for the files whose
    existence commits something (a batch's READY marker, its manifest).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        if sync:
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(tmp, path)


class PendingBatch:
    """A batch being written. Nothing in it is visible until :meth:`commit`."""

    def __init__(self, lake: Lake, batch_id: str, source: str, entity: str) -> None:
        self.lake = lake
        self.batch_id = batch_id
        self.source = source
        self.entity = entity
        self.dir = lake.ws.pending / batch_id
        self.dir.mkdir(parents=True, exist_ok=False)

    def relative_dir(self, kind: str) -> str:
        """Where the batch's ``kind`` folder goes in the lake."""
        return f"{kind}/{self.source}/{self.entity}/batch={self.batch_id}"

    def output_file(self, kind: str) -> Path:
        """Where to write this batch's Parquet file of ``kind`` (raw, rejects, duplicates)."""
        path = self.dir / kind / "part-0.parquet"
        path.parent.mkdir(exist_ok=True)
        return path

    def commit(self, manifest: Manifest) -> None:
        manifest.outputs = {
            kind: self.relative_dir(kind) for kind in BATCH_KINDS if (self.dir / kind).exists()
        }
        # One file, synced, makes the batch ready: it holds the manifest itself.
        atomic_write_text(self.dir / READY, manifest.to_json(), sync=True)
        self.lake.lake_hook("ready")
        self.lake._roll_forward(self.dir)

    def abandon(self) -> None:
        """Drop a batch that failed before it was ready; a ready one is left to recover()."""
        if not (self.dir / READY).exists():
            shutil.rmtree(self.dir, ignore_errors=True)


class Lake:
    """The lake of one workspace."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws.ensure()

    # -- writing ---------------------------------------------------------------
    def begin(self, batch_id: str, source: str, entity: str) -> PendingBatch:
        return PendingBatch(self, batch_id, source, entity)

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """One writer at a time per workspace; a second one is told who holds it."""
        path = self.ws.lake / ".lock"
        with open(path, "a+", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "unknown"
                raise LakeBusy(
                    f"another process (pid {holder}) is writing to this lake",
                    where=str(self.ws.lake),
                    fix="wait for it to finish, then run the command again",
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def recover(self) -> tuple[list[str], list[str]]:
        """Finish batches a killed run had made ready; drop those it had not.

        Returns (rolled_forward, discarded) batch ids. Call with the write lock.
        """
        rolled, dropped = [], []
        if not self.ws.pending.exists():
            return rolled, dropped
        for pending in sorted(p for p in self.ws.pending.iterdir() if p.is_dir()):
            if (pending / READY).exists():
                self._roll_forward(pending)
                rolled.append(pending.name)
            else:
                shutil.rmtree(pending)
                dropped.append(pending.name)
        return rolled, dropped

    def _roll_forward(self, pending: Path) -> None:
        manifest = Manifest.from_json((pending / READY).read_text(encoding="utf-8"))
        for kind, rel in manifest.outputs.items():
            src, dst = pending / kind, self.ws.lake / rel
            if src.exists() and not dst.exists():
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.rename(src, dst)
                self.lake_hook("moved")
        atomic_write_text(self.ws.manifests / f"{manifest.batch_id}.json", manifest.to_json(), sync=True)
        (pending / READY).unlink()
        pending.rmdir()

    def lake_hook(self, point: str) -> None:
        """Crash-test seam: ``ONHAND_TEST_KILL_AT=<point>`` kills the process there.

        The interrupted-run tests use it to stop a real ingest between two commit
        steps; nothing else sets the variable.
        """
        if os.environ.get("ONHAND_TEST_KILL_AT") == point:
            os.kill(os.getpid(), 9)

    # -- reading ---------------------------------------------------------------
    def manifests(self) -> list[Manifest]:
        """Every committed batch, oldest first."""
        return [
            Manifest.from_json(path.read_text(encoding="utf-8"))
            for path in sorted(self.ws.manifests.glob("*.json"))
        ]

    def committed_files(self, kind: str, source: str, entity: str) -> list[Path]:
        """The Parquet files of committed batches of one source and entity."""
        return [
            self.ws.lake / m.outputs[kind] / "part-0.parquet"
            for m in self.manifests()
            if m.source == source and m.entity == entity and kind in m.outputs
        ]
