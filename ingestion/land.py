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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from ingestion.contract import CONTRACT_VERSION, ENTITIES, SOURCES, STANDARD_UOMS, Entity, entity_order
from ingestion.errors import FileRejected, InboxNotFound
from ingestion.readers import LINE, file_format, read_file
from ingestion.validate import COLUMN, REASON, check_header, ident, query_frame, validate
from lakehouse.errors import OnhandError
from lakehouse.lake import Lake, Manifest, atomic_write_text, new_batch_id, utc_now
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
    if entity.key_is_identity:
        return f"CAST({ident(entity.key[0])} AS VARCHAR)"
    parts = ", ".join(f"coalesce(CAST({ident(c.name)} AS VARCHAR), '\u2400')" for c in entity.columns)
    return f"md5(concat_ws('\u241f', {parts}))"


def land_inbox(ws: Workspace, inbox: Path | None = None, progress: Progress | None = None) -> IngestReport:
    """Land every new file of ``inbox`` (default: the workspace's) into the lake."""
    started = time.perf_counter()
    inbox = (inbox or ws.inbox).resolve()
    lake = Lake(ws)
    report = IngestReport(inbox)
    with lake.write_lock():
        report.recovered, report.discarded = lake.recover()
        files, report.outcomes = scan_inbox(inbox)
        marks = Watermarks(ws)
        landed_shas = {m.file_sha256: m.batch_id for m in lake.manifests()}
        con = duckdb.connect()
        con.execute("SET TimeZone='UTC'")
        keys = _Keys(con, lake)
        uoms = _known_uoms(con, lake)
        for done, f in enumerate(files):
            if progress:
                progress(done, len(files), f.rel)
            stat = f.path.stat()
            stat_key = [stat.st_size, stat.st_mtime_ns]
            if marks.unchanged(f, stat_key):
                report.outcomes.append(FileOutcome(f.rel, f.source, f.entity, "unchanged"))
                continue
            try:
                sha = sha256_of(f.path)
                if sha in landed_shas:
                    marks.record(f, stat_key, sha, None)
                    report.outcomes.append(FileOutcome(
                        f.rel, f.source, f.entity, "unchanged", batch_id=landed_shas[sha],
                        message=f"same content as batch {landed_shas[sha]}"))
                    continue
                manifest = _land_file(con, lake, keys, f, sha, stat.st_size, uoms)
            except OnhandError as error:
                _log_file_error(ws, f, str(error))
                report.outcomes.append(FileOutcome(f.rel, f.source, f.entity, "failed", message=str(error)))
                continue
            landed_shas[sha] = manifest.batch_id
            marks.record(f, stat_key, sha, manifest)
            if f.entity in UOM_DECLARING:
                uoms = _known_uoms(con, lake)
            report.outcomes.append(FileOutcome(
                f.rel, f.source, f.entity, "landed", manifest.batch_id, manifest.rows_in,
                manifest.rows_landed, manifest.rows_rejected, manifest.rows_duplicate))
        if progress:
            progress(len(files), len(files), "done")
        con.close()
    report.seconds = time.perf_counter() - started
    return report


def _known_uoms(con: duckdb.DuckDBPyConnection, lake: Lake) -> frozenset[str]:
    codes = set(STANDARD_UOMS)
    for entity, columns in UOM_DECLARING.items():
        for source in SOURCES:
            files = [str(p) for p in lake.committed_files("raw", source, entity)]
            if not files:
                continue
            for column in columns:
                rows = con.execute(f"SELECT DISTINCT upper({ident(column)}) FROM read_parquet($f)",
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
    check_header(f.path, entity, read.frame.columns)
    landed_at = utc_now()
    batch_id = new_batch_id(sha, landed_at)
    checked = validate(con, entity, read.frame, uoms, landed_at)
    rejects = checked.rejects
    if read.broken:
        broken = pl.DataFrame(
            {LINE: [b[0] for b in read.broken], "_raw": [b[1] for b in read.broken],
             COLUMN: [None] * len(read.broken), REASON: [b[2] for b in read.broken]},
            schema={LINE: pl.Int64, "_raw": pl.String, COLUMN: pl.String, REASON: pl.String},
        )
        rejects = pl.concat([rejects, broken], how="diagonal").sort(LINE)

    # Duplicates: a key seen earlier in this file, or landed in an earlier batch.
    con.register("valid_rows", checked.valid)
    key_table = keys.table(f.source, entity)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE keyed AS
        SELECT v.*, {_row_key(entity)} AS _key,
               row_number() OVER (PARTITION BY {_row_key(entity)} ORDER BY v.{LINE}) AS _nth
        FROM valid_rows v
        """
    )
    con.unregister("valid_rows")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE keyed_dup AS
        SELECT k.*, CASE WHEN p.batch_id IS NOT NULL THEN p.batch_id
                         WHEN k._nth > 1 THEN $batch END AS _duplicate_of
        FROM keyed k LEFT JOIN (SELECT k, any_value(batch_id) AS batch_id FROM {key_table} GROUP BY k) p
          ON p.k = k._key
        """,
        {"batch": batch_id},
    )
    lineage = (
        "$source AS _source, $file AS _file, $batch AS _batch_id, "
        "CAST($landed_at AS TIMESTAMP) AS _landed_at"
    )
    params = {"source": f.source, "file": f.rel, "batch": batch_id,
              "landed_at": landed_at.replace(tzinfo=None)}
    hash_col = "" if entity.key_is_identity else ", _key AS _row_hash"
    landed = query_frame(
        con, f"SELECT * EXCLUDE (_key, _nth, _duplicate_of){hash_col}, {lineage} "
        f"FROM keyed_dup WHERE _duplicate_of IS NULL ORDER BY {LINE}", params)
    duplicates = query_frame(
        con, f"SELECT * EXCLUDE (_key, _nth), {lineage} "
        f"FROM keyed_dup WHERE _duplicate_of IS NOT NULL ORDER BY {LINE}", params)

    pending = lake.begin(batch_id, f.source, f.entity)
    try:
        landed.write_parquet(pending.output_file("raw"), compression="zstd")
        if rejects.height:
            rejects.with_columns(
                pl.lit(f.source).alias("_source"), pl.lit(f.rel).alias("_file"),
                pl.lit(batch_id).alias("_batch_id"),
            ).write_parquet(pending.output_file("rejects"), compression="zstd")
        if duplicates.height:
            duplicates.write_parquet(pending.output_file("duplicates"), compression="zstd")
        lake.lake_hook("written")
        times = landed.get_column(entity.event_time) if entity.event_time else None
        manifest = Manifest(
            batch_id=batch_id, source=f.source, entity=f.entity, file=f.rel, file_sha256=sha,
            file_bytes=size, file_format=f.fmt,
            rows_in=read.frame.height + len(read.broken), rows_landed=landed.height,
            rows_rejected=rejects.height, rows_duplicate=duplicates.height,
            min_event_time=_iso(times.min()) if times is not None and landed.height else None,
            max_event_time=_iso(times.max()) if times is not None and landed.height else None,
            landed_at=landed_at.isoformat(), contract_version=CONTRACT_VERSION,
        )
        if not manifest.balanced():
            raise AssertionError(f"{f.rel}: rows in != landed + rejected + duplicates")
        pending.commit(manifest)
    except BaseException:
        pending.abandon()
        raise
    con.execute(f"INSERT INTO {key_table} SELECT _key, $batch FROM keyed_dup WHERE _duplicate_of IS NULL",
                {"batch": batch_id})
    return manifest


def _iso(value: object) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else None  # type: ignore[union-attr]
