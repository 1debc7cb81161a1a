"""Land the inbox into the lake: one immutable batch per new file, nothing lost.

For each file: read it as text, check the header, validate every row, set
duplicates aside, write the batch (landed rows, rejects, duplicates) and
commit it with its manifest. Rows in = landed + rejected + duplicates, always.

Delta synchronisation: a watermark per source and entity remembers each file
landed (size, modification time, SHA-256), so an unchanged file is skipped
without being read; a file whose content was landed before under any name is a
no-op; a file that grew lands again, and its old rows come out as duplicates.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from ingestion.contract import (
    CONTRACT_VERSION,
    ENTITIES,
    SOURCES,
    STANDARD_UOMS,
    Entity,
    entity_order,
)
from ingestion.errors import FileRejected, InboxNotFound
from ingestion.readers import LINE, file_format, read_file
from ingestion.validate import (
    COLUMN,
    REASON,
    check_header,
    checked_select,
    query_frame,
    typed_name,
)
from lakehouse.errors import OnhandError
from lakehouse.lake import Lake, Manifest, atomic_write_text, new_batch_id, utc_now
from lakehouse.sql import ident
from lakehouse.workspace import Workspace

SKIPPED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload")
UOM_DECLARING = {"uom_conversions": ("from_uom", "to_uom"), "items": ("base_uom",)}

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class InboxFile:
    path: Path
    rel: str  # relative to the inbox
    source: str
    entity: str
    fmt: str


@dataclass
class FileOutcome:
    file: str
    source: str
    entity: str
    status: str  # landed | unchanged | failed
    batch_id: str | None = None
    rows_in: int = 0
    landed: int = 0
    rejected: int = 0
    duplicates: int = 0
    message: str | None = None


@dataclass
class IngestReport:
    inbox: Path
    outcomes: list[FileOutcome] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    discarded: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def landed_files(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "landed"]

    def totals(self, attr: str) -> int:
        return sum(getattr(o, attr) for o in self.outcomes)

    def by_entity(self) -> list[tuple[str, str, int, int, int, int, int]]:
        """(source, entity, files, rows in, landed, rejected, duplicates), landed files only."""
        groups: dict[tuple[str, str], list[FileOutcome]] = {}
        for o in self.landed_files:
            groups.setdefault((o.source, o.entity), []).append(o)
        return [
            (s, e, len(os_), sum(o.rows_in for o in os_), sum(o.landed for o in os_),
             sum(o.rejected for o in os_), sum(o.duplicates for o in os_))
            for (s, e), os_ in sorted(groups.items())
        ]


def scan_inbox(inbox: Path) -> tuple[list[InboxFile], list[FileOutcome]]:
    """The files waiting in the inbox, master data first; misplaced files as failures."""
    if not inbox.is_dir():
        raise InboxNotFound(f"the inbox folder {inbox} does not exist",
                            fix="run `onhand generate` or point `onhand ingest DIR` at a drop folder")
    files: list[InboxFile] = []
    misplaced: list[FileOutcome] = []
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        rel = path.relative_to(inbox)
        if any(part.startswith((".", "_")) for part in rel.parts) or path.name.endswith(SKIPPED_SUFFIXES):
            continue  # hidden, or still being written by the source
        parts = rel.parts
        source, entity = (parts[0], parts[1]) if len(parts) >= 3 else ("?", "?")
        problem = None
        if len(parts) != 3:
            problem = ("the file is not in a <source>/<entity>/ folder",
                       f"move it to inbox/<source>/<entity>/ (sources: {', '.join(SOURCES)})")
        elif source not in SOURCES:
            problem = (f"'{source}' is not a known source system",
                       f"use one of: {', '.join(SOURCES)}")
        elif entity not in ENTITIES:
            problem = (f"'{entity}' is not an entity of the landing contract",
                       "use one of: " + ", ".join(sorted(ENTITIES)))
        elif file_format(path) is None:
            problem = (f"'{path.suffix}' files are not accepted", "send .csv, .jsonl or .parquet")
        if problem:
            error = FileRejected(path, *problem)
            misplaced.append(FileOutcome(str(rel), source, entity, "failed", message=str(error)))
            continue
        files.append(InboxFile(path, str(rel), source, entity, file_format(path) or ""))
    files.sort(key=lambda f: (entity_order(f.entity), f.rel))
    return files, misplaced


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Watermarks:
    """Per source and entity: the files landed and the latest event time seen."""

    def __init__(self, ws: Workspace) -> None:
        self.path = ws.state / "watermarks.json"
        self.data: dict[str, dict] = (
            json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {}
        )

    def unchanged(self, f: InboxFile, stat_key: list[int]) -> bool:
        seen = self.data.get(f"{f.source}/{f.entity}", {}).get("files", {}).get(f.rel)
        return bool(seen) and seen["stat"] == stat_key

    def record(self, f: InboxFile, stat_key: list[int], sha: str, m: Manifest | None) -> None:
        entry = self.data.setdefault(f"{f.source}/{f.entity}", {"files": {}, "max_event_time": None})
        entry["files"][f.rel] = {"stat": stat_key, "sha256": sha,
                                 "batch_id": m.batch_id if m else None}
        if m and m.max_event_time and (entry["max_event_time"] or "") < m.max_event_time:
            entry["max_event_time"] = m.max_event_time
        entry["updated_at"] = utc_now().isoformat()

    def save(self) -> None:
        """Write the watermarks, once per run: they only spare the next run reading unchanged
        files. The manifests say what landed, so a run killed before saving costs a re-hash,
        never a second landing."""
        atomic_write_text(self.path, json.dumps(self.data, indent=1, sort_keys=True))


class _Keys:
    """The keys already landed per source and entity, loaded once per run."""

    def __init__(self, con: duckdb.DuckDBPyConnection, lake: Lake) -> None:
        self.con, self.lake, self.loaded = con, lake, set[str]()

    def table(self, source: str, entity: Entity) -> str:
        name = f"keys_{source}_{entity.name}"
        if name not in self.loaded:
            files = [str(p) for p in self.lake.committed_files("raw", source, entity.name)]
            column = ident(entity.key[0]) if entity.key_is_identity else "_row_hash"
            select = (
                f"SELECT CAST({column} AS VARCHAR) AS k, _batch_id AS batch_id FROM read_parquet($files)"
                if files else "SELECT NULL::VARCHAR AS k, NULL::VARCHAR AS batch_id WHERE false"
            )
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {select}",
                             {"files": files} if files else {})
            self.loaded.add(name)
        return name


def _row_key(entity: Entity) -> str:
    """SQL for a row's duplicate key over its typed values (see Entity.key)."""
    if entity.key_is_identity:
        return f"CAST({ident(typed_name(entity.key[0]))} AS VARCHAR)"
    parts = ", ".join(f"coalesce(CAST({ident(typed_name(c.name))} AS VARCHAR), '\u2400')"
                      for c in entity.columns)
    return f"md5(concat_ws('\u241f', {parts}))"


def land_inbox(ws: Workspace, inbox: Path | None = None, progress: Progress | None = None,
               workers: int = 2) -> IngestReport:
    """Land every new file of ``inbox`` (default: the workspace's) into the lake.

    Master data lands first, one file after the other (later files need the units it
    declares). Then each source x entity is a queue of its own, its files in order (a
    duplicate is judged against everything landed before it), and ``workers`` queues
    run at once.
    """
    started = time.perf_counter()
    inbox = (inbox or ws.inbox).resolve()
    lake = Lake(ws)
    report = IngestReport(inbox)
    with lake.write_lock():
        report.recovered, report.discarded = lake.recover()
        files, report.outcomes = scan_inbox(inbox)
        run = _Run(lake, report, Watermarks(ws), len(files), progress)
        con = duckdb.connect()
        con.execute("SET TimeZone='UTC'")
        try:
            master = [f for f in files if f.entity in UOM_DECLARING]
            run.land_queue(con, master)
            run.uoms = _known_uoms(con, lake)
            queues: dict[tuple[str, str], list[InboxFile]] = {}
            for f in files:
                if f.entity not in UOM_DECLARING:
                    queues.setdefault((f.source, f.entity), []).append(f)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                # each queue on its own connection: temporary tables are per connection
                for finished in [pool.submit(run.land_queue, con.cursor(), queue) for queue in queues.values()]:
                    finished.result()
        finally:
            run.marks.save()
            con.close()
    if progress:
        progress(len(files), len(files), "done")
    report.outcomes.sort(key=lambda o: (o.status != "failed", o.source, o.entity, o.file))
    report.seconds = time.perf_counter() - started
    return report


class _Run:
    """The state one landing run shares between its queues."""

    def __init__(self, lake: Lake, report: IngestReport, marks: Watermarks, total: int,
                 progress: Progress | None) -> None:
        self.lake, self.report, self.marks, self.total, self.progress = lake, report, marks, total, progress
        self.landed_shas = {m.file_sha256: m.batch_id for m in lake.manifests()}
        self.uoms = frozenset(STANDARD_UOMS)
        self.done = 0
        self.lock = threading.Lock()

    def land_queue(self, con: duckdb.DuckDBPyConnection, queue: list[InboxFile]) -> None:
        con.execute("SET TimeZone='UTC'")
        con.execute("SET threads = 1")  # the queues are the parallelism; files are small
        keys = _Keys(con, self.lake)
        for f in queue:
            outcome = self.land_one(con, keys, f)
            with self.lock:
                self.report.outcomes.append(outcome)
                self.done += 1
                if self.progress:
                    self.progress(self.done, self.total, f.rel)

    def land_one(self, con: duckdb.DuckDBPyConnection, keys: _Keys, f: InboxFile) -> FileOutcome:
        stat = f.path.stat()
        stat_key = [stat.st_size, stat.st_mtime_ns]
        if self.marks.unchanged(f, stat_key):
            return FileOutcome(f.rel, f.source, f.entity, "unchanged")
        try:
            sha = sha256_of(f.path)
            with self.lock:
                earlier = self.landed_shas.get(sha)
            if earlier:
                self.marks.record(f, stat_key, sha, None)
                return FileOutcome(f.rel, f.source, f.entity, "unchanged", batch_id=earlier,
                                   message=f"same content as batch {earlier}")
            manifest = _land_file(con, self.lake, keys, f, sha, stat.st_size, self.uoms)
        except OnhandError as error:
            _log_file_error(self.lake.ws, f, str(error))
            return FileOutcome(f.rel, f.source, f.entity, "failed", message=str(error))
        with self.lock:
            self.landed_shas[sha] = manifest.batch_id
            self.marks.record(f, stat_key, sha, manifest)
        return FileOutcome(f.rel, f.source, f.entity, "landed", manifest.batch_id, manifest.rows_in,
                           manifest.rows_landed, manifest.rows_rejected, manifest.rows_duplicate)


def _known_uoms(con: duckdb.DuckDBPyConnection, lake: Lake) -> frozenset[str]:
    """The standard units and every unit the landed conversions and items declare."""
    codes = set(STANDARD_UOMS)
    manifests = lake.manifests()  # read once, not once per source and entity
    for entity, columns in UOM_DECLARING.items():
        files = [str(lake.ws.lake / m.outputs["raw"] / "part-0.parquet")
                 for m in manifests if m.entity == entity and "raw" in m.outputs]
        if not files:
            continue
        for column in columns:
            rows = con.execute(
                f"SELECT DISTINCT upper({ident(column)}) FROM read_parquet($f, union_by_name = true)",
                {"f": files}).fetchall()
            codes.update(r[0] for r in rows if r[0])
    return frozenset(codes)


def _log_file_error(ws: Workspace, f: InboxFile, message: str) -> None:
    """Keep every file-level failure: the file stays in the inbox, the reason here."""
    record = {"at": utc_now().isoformat(), "file": f.rel, "source": f.source,
              "entity": f.entity, "reason": message}
    with open(ws.file_errors / "file_errors.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")


def _land_file(con: duckdb.DuckDBPyConnection, lake: Lake, keys: _Keys, f: InboxFile,
               sha: str, size: int, uoms: frozenset[str]) -> Manifest:
    entity = ENTITIES[f.entity]
    read = read_file(f.path, f.fmt)
    check_header(f.path, entity, read.columns)
    landed_at = utc_now()
    batch_id = new_batch_id(sha, landed_at)
    key_table = keys.table(f.source, entity)
    checked, params = checked_select(entity, read.columns, uoms, landed_at)
    # One pass: validate, type, key, and tell landed rows from rejects and duplicates (a key
    # seen earlier in this file, or landed in an earlier batch).
    read.attach(con, "src")
    try:
        outcome = query_frame(
            con,
            f"""
            WITH checked AS ({checked}),
            keyed AS (
                SELECT *, CASE WHEN {REASON} IS NULL THEN {_row_key(entity)} END AS _key FROM checked
            ),
            numbered AS (
                SELECT *, {LINE} > min({LINE}) OVER (PARTITION BY _key) AS _repeat FROM keyed
            )
            SELECT n.*,
                   CASE WHEN n.{REASON} IS NOT NULL THEN 'rejected'
                        WHEN p.batch_id IS NOT NULL OR n._repeat THEN 'duplicate'
                        ELSE 'landed' END AS _class,
                   CASE WHEN p.batch_id IS NOT NULL THEN p.batch_id WHEN n._repeat THEN $batch END
                       AS _duplicate_of
            FROM numbered n
            LEFT JOIN {key_table} p ON p.k = n._key
            ORDER BY {LINE}
            """,
            {**params, "batch": batch_id},
        )
    except duckdb.Error as exc:
        raise FileRejected(f.path, f"the file could not be read to the end ({str(exc).splitlines()[0]})",
                           "export it again; check that the transfer was complete") from None
    finally:
        read.detach(con, "src")
    texts = [c.name for c in entity.columns]
    extras = [c for c in read.columns if c != LINE and c not in entity.columns_by_name]
    typed = [pl.col(typed_name(c)).alias(c) for c in texts] + [pl.col(c) for c in extras + [LINE]]
    lineage = [pl.lit(f.source).alias("_source"), pl.lit(f.rel).alias("_file"),
               pl.lit(batch_id).alias("_batch_id"),
               pl.lit(landed_at.replace(tzinfo=None)).cast(pl.Datetime("us")).alias("_landed_at")]
    row_hash = [] if entity.key_is_identity else [pl.col("_key").alias("_row_hash")]
    landed = outcome.filter(pl.col("_class") == "landed").select(typed + row_hash + lineage)
    duplicates = outcome.filter(pl.col("_class") == "duplicate").select(
        typed + [pl.col("_duplicate_of")] + lineage)
    rejects = outcome.filter(pl.col("_class") == "rejected").select(
        [pl.col(c) for c in [LINE, *texts, *extras, COLUMN, REASON]] + lineage[:3])
    if read.broken:
        broken = pl.DataFrame(
            {LINE: [b[0] for b in read.broken], "_raw": [b[1] for b in read.broken],
             COLUMN: [None] * len(read.broken), REASON: [b[2] for b in read.broken]},
            schema={LINE: pl.Int64, "_raw": pl.String, COLUMN: pl.String, REASON: pl.String},
        ).with_columns(lineage[:3])
        rejects = pl.concat([rejects, broken], how="diagonal").sort(LINE)

    pending = lake.begin(batch_id, f.source, f.entity)
    try:
        landed.write_parquet(pending.output_file("raw"), compression="zstd")
        if rejects.height:
            rejects.write_parquet(pending.output_file("rejects"), compression="zstd")
        if duplicates.height:
            duplicates.write_parquet(pending.output_file("duplicates"), compression="zstd")
        lake.lake_hook("written")
        times = landed.get_column(entity.event_time) if entity.event_time and landed.height else None
        manifest = Manifest(
            batch_id=batch_id, source=f.source, entity=f.entity, file=f.rel, file_sha256=sha,
            file_bytes=size, file_format=f.fmt,
            rows_in=outcome.height + len(read.broken), rows_landed=landed.height,
            rows_rejected=rejects.height, rows_duplicate=duplicates.height,
            min_event_time=_iso(times.min()) if times is not None else None,
            max_event_time=_iso(times.max()) if times is not None else None,
            landed_at=landed_at.isoformat(), contract_version=CONTRACT_VERSION,
        )
        if not manifest.balanced():
            raise AssertionError(f"{f.rel}: rows in != landed + rejected + duplicates")
        pending.commit(manifest)
    except BaseException:
        pending.abandon()
        raise
    con.register("new_keys", landed.select(pl.col("_row_hash" if not entity.key_is_identity
                                                   else entity.key[0]).cast(pl.String).alias("k")))
    con.execute(f"INSERT INTO {key_table} SELECT k, $batch FROM new_keys", {"batch": batch_id})
    con.unregister("new_keys")
    return manifest


def _iso(value: object) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else None  # type: ignore[union-attr]
