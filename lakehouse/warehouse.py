"""Reading the warehouse, and publishing derived tables into it.

Readers (dashboards, ``onhand sql``, mining, reconciliation) open the file
read-only and never hold it open across a build: the build swaps in a new
file, and the next :func:`read_only` call sees it.

Stages that add tables after the dbt build (process mining's ``mining.*``,
reconciliation alerts) never write into the live file: :func:`derive` copies
it, lets the stage write into the copy, and swaps the copy in atomically, under
the same lock as ``onhand build`` so two writers never race.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from lakehouse.errors import OnhandError
from lakehouse.workspace import Workspace


class WarehouseMissing(OnhandError):
    """There is no warehouse file to read yet."""


class WarehouseBusy(OnhandError):
    """Another build or derive holds the warehouse's write lock."""


@dataclass(frozen=True)
class Version:
    """What identifies one built warehouse file: changes on every swap."""

    path: Path
    inode: int
    mtime_ns: int

    @property
    def key(self) -> str:
        return f"{self.inode}:{self.mtime_ns}"


def version(path: Path) -> Version:
    """The version of the warehouse file at ``path`` (a cache key for readers)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise WarehouseMissing("there is no warehouse yet", where=str(path),
                               fix="run `onhand build` (or `onhand demo`) first") from None
    return Version(path, stat.st_ino, stat.st_mtime_ns)


def read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse at ``path``.

    A build never writes into the live file, so this never waits for one; the
    connection keeps reading the file it opened even after a swap.
    """
    version(path)
    return duckdb.connect(str(path), read_only=True)


@contextlib.contextmanager
def write_lock(ws: Workspace, *, wait: bool = True) -> Iterator[None]:
    """Hold the warehouse's write lock (builds and derives take turns)."""
    ws.root.mkdir(parents=True, exist_ok=True)
    with open(ws.root / ".warehouse.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise WarehouseBusy("another build is writing the warehouse", where=str(ws.warehouse),
                                fix="wait for it to finish and run the command again") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def derive(target: Path, ws: Workspace, write: Callable[[duckdb.DuckDBPyConnection], None]) -> Path:
    """Copy the warehouse at ``target``, let ``write`` add to the copy, and swap it in.

    A failure in ``write`` leaves ``target`` exactly as it was.
    """
    with write_lock(ws):
        version(target)
        copy = target.with_name(f".{target.name}.deriving-{os.getpid()}")
        try:
            shutil.copyfile(target, copy)
            with duckdb.connect(str(copy)) as con:
                write(con)
                con.execute("CHECKPOINT")
            os.replace(copy, target)
        finally:
            for leftover in (copy, copy.with_name(copy.name + ".wal")):
                leftover.unlink(missing_ok=True)
    return target
