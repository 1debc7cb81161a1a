"""The warehouse build: dbt into a new DuckDB file, then an atomic swap.

1. Pick the batches: every committed manifest, or only those landed by ``as_of``.
2. Create a new file beside the target and in it the ``raw`` views over exactly
   those batches' Parquet files (so dbt's sources are plain relations and a
   point-in-time build is the same build over fewer files).
3. Run ``dbt build`` (models, seeds, snapshots and tests) into that file.
4. Generate the documentation site (``$ONHAND_HOME/dbt/target``) and record
   what went in (``audit.build_info``, ``audit.build_batches``).
5. ``os.replace`` the new file over the target: a reader sees the old
   warehouse or the new one, never half of one. On any failure the new file is
   deleted and the previous warehouse stays as it was.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import psutil
import pyarrow as pa

from lakehouse.errors import OnhandError
from lakehouse.lake import Lake, Manifest, utc_now
from lakehouse.sql import ident, literal
from lakehouse.warehouse import write_lock
from lakehouse.workspace import Workspace

DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"
BUILD_PATH_ENV = "ONHAND_WAREHOUSE_BUILD_PATH"
MEMORY_LIMIT_ENV = "ONHAND_WAREHOUSE_MEMORY_LIMIT"
LINEAGE_COLUMNS = (("_source", "VARCHAR"), ("_file", "VARCHAR"), ("_line", "BIGINT"),
                   ("_batch_id", "VARCHAR"), ("_landed_at", "TIMESTAMP"))

RawSchema = dict[str, list[tuple[str, str]]]
"""Entity -> its typed columns (name, DuckDB type), lineage columns excluded."""

Progress = Callable[[int, int, str], None]


class BuildFailed(OnhandError):
    """dbt reported errors or failing tests; the previous warehouse is untouched."""


@dataclass
class NodeResult:
    unique_id: str
    status: str
    message: str
    seconds: float


@dataclass
class BuildReport:
    path: Path
    build_id: str
    as_of: datetime | None
    batches: int
    seconds: float = 0.0
    nodes: list[NodeResult] = field(default_factory=list)

    def count(self, kind: str, status: str | None = None) -> int:
        return sum(1 for n in self.nodes if n.unique_id.startswith(kind + ".")
                   and (status is None or n.status == status))


def create_raw_views(con: duckdb.DuckDBPyConnection, ws: Workspace, raw: RawSchema,
                     manifests: list[Manifest]) -> None:
    """One view per entity in schema ``raw`` over the landed files of ``manifests``."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for entity, columns in raw.items():
        files = [str(ws.lake / m.outputs["raw"] / "part-0.parquet")
                 for m in manifests if m.entity == entity and "raw" in m.outputs]
        wanted = list(columns) + list(LINEAGE_COLUMNS)
        if files:
            listing = "[" + ", ".join(literal(f) for f in files) + "]"
            body = f"SELECT * FROM read_parquet({listing}, union_by_name = true)"
        else:
            body = ("SELECT " + ", ".join(f"CAST(NULL AS {t}) AS {ident(c)}" for c, t in wanted)
                    + " WHERE false")
        con.execute(f"CREATE OR REPLACE VIEW raw.{ident(entity)} AS {body}")


def build_warehouse(ws: Workspace, raw: RawSchema, *, as_of: datetime | None = None,
                    out: Path | None = None, progress: Progress | None = None) -> BuildReport:
    """Build the warehouse from the lake (as of a moment, if given) and swap it in."""
    started = time.perf_counter()
    manifests = Lake(ws).manifests()
    if as_of is not None:
        manifests = [m for m in manifests if datetime.fromisoformat(m.landed_at) <= as_of]
    if not manifests:
        raise BuildFailed("the lake has no landed batches" + (f" by {as_of.isoformat()}" if as_of else ""),
                          where=str(ws.lake), fix="run `onhand ingest` first")
    target = (out or (ws.root / f"warehouse_asof_{as_of:%Y%m%dT%H%M%SZ}.duckdb" if as_of
                      else ws.warehouse)).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.building-{os.getpid()}")
    build_id = f"{utc_now():%Y%m%dT%H%M%S%fZ}"
    report = BuildReport(target, build_id, as_of, len(manifests))
    with write_lock(ws, wait=False):
        _remove_abandoned_builds(target)
        _build_and_swap(ws, raw, manifests, building, target, report, progress)
    report.seconds = time.perf_counter() - started
    return report


def _build_and_swap(ws: Workspace, raw: RawSchema, manifests: list[Manifest], building: Path,
                    target: Path, report: BuildReport, progress: Progress | None) -> None:
    try:
        with duckdb.connect(str(building)) as con:
            create_raw_views(con, ws, raw, manifests)
        report.nodes = _run_dbt(ws, building, progress)
        failed = [n for n in report.nodes if n.status in ("error", "fail", "runtime error")]
        if failed:
            raise BuildFailed(
                f"{len(failed)} of {len(report.nodes)} dbt nodes failed:\n"
                + "\n".join(f"  - {n.unique_id}: {n.message}" for n in failed),
                where="dbt build",
                fix="see the failing model or test above; the previous warehouse is still in place",
            )
        with duckdb.connect(str(building)) as con:
            _record_build(con, report, manifests)
        os.replace(building, target)
    finally:
        _remove_build_files(building)


def _remove_build_files(building: Path) -> None:
    """The file being built, its write-ahead log and DuckDB's spill folder (<file>.tmp)."""
    building.unlink(missing_ok=True)
    building.with_name(building.name + ".wal").unlink(missing_ok=True)
    shutil.rmtree(building.with_name(building.name + ".tmp"), ignore_errors=True)


def _remove_abandoned_builds(target: Path) -> None:
    """What a killed build left beside ``target`` (tens of GB at large scale). Called under the
    write lock, so no other build of this target is running."""
    for leftover in target.parent.glob(f".{target.name}.building-*"):
        if leftover.suffix not in (".wal", ".tmp"):
            _remove_build_files(leftover)


def _record_build(con: duckdb.DuckDBPyConnection, report: BuildReport, manifests: list[Manifest]) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        "CREATE OR REPLACE TABLE audit.build_info AS SELECT $build_id AS build_id, "
        "CAST($built_at AS TIMESTAMP) AS built_at, CAST($as_of AS TIMESTAMP) AS as_of, "
        "$batches AS batches",
        {"build_id": report.build_id, "built_at": utc_now().replace(tzinfo=None),
         "as_of": report.as_of.replace(tzinfo=None) if report.as_of else None,
         "batches": report.batches},
    )
    con.execute("COMMENT ON TABLE audit.build_info IS 'One row: this warehouse file''s build id, "
                "when it was built (UTC), the as-of moment of a point-in-time build, and how many "
                "lake batches it was built from.'")
    con.execute(
        "CREATE OR REPLACE TABLE audit.build_batches (batch_id VARCHAR PRIMARY KEY, source VARCHAR, "
        "entity VARCHAR, file VARCHAR, file_sha256 VARCHAR, rows_in BIGINT, rows_landed BIGINT, "
        "rows_rejected BIGINT, rows_duplicate BIGINT, landed_at TIMESTAMP)"
    )
    # one Arrow table, not executemany: 8,319 single-row inserts took 12 s at large scale
    batches = pa.Table.from_pylist([
        {"batch_id": m.batch_id, "source": m.source, "entity": m.entity, "file": m.file,
         "file_sha256": m.file_sha256, "rows_in": m.rows_in, "rows_landed": m.rows_landed,
         "rows_rejected": m.rows_rejected, "rows_duplicate": m.rows_duplicate,
         "landed_at": datetime.fromisoformat(m.landed_at).replace(tzinfo=None)} for m in manifests
    ])
    con.register("landed_batches", batches)
    con.execute("INSERT INTO audit.build_batches BY NAME SELECT * FROM landed_batches")
    con.unregister("landed_batches")
    con.execute("COMMENT ON TABLE audit.build_batches IS 'One row per lake batch this warehouse "
                "was built from, with its manifest counts: the lineage of every number.'")


def _run_dbt(ws: Workspace, building: Path, progress: Progress | None) -> list[NodeResult]:
    from dbt.cli.main import dbtRunner  # heavy: load only when building

    os.environ[BUILD_PATH_ENV] = str(building)
    # DuckDB may use a quarter of the machine's memory during the build and spills beyond it (to
    # <file>.tmp); dbt and Python need about 1 GB more (the valuation engine caps DuckDB at a fifth
    # while its arrays are alive), so a large build stays under 8 GB on a 24 GB machine, and
    # spills less than at a fifth (docs/performance.md).
    os.environ[MEMORY_LIMIT_ENV] = f"{int(psutil.virtual_memory().total * 0.25) // 2**20}MiB"
    common = ["--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
              "--target-path", str(ws.root / "dbt" / "target"), "--log-path", str(ws.root / "dbt" / "logs"),
              "--quiet"]
    parsed = dbtRunner().invoke(["parse", *common])
    if not parsed.success:
        raise BuildFailed(f"the dbt project does not parse: {parsed.exception}", where=str(DBT_PROJECT),
                          fix="run `dbt parse` in dbt_project/ to see the error in full")
    manifest = parsed.result
    total = sum(1 for n in manifest.nodes.values()
                if n.resource_type in ("model", "seed", "snapshot", "test", "unit_test"))
    done = 0

    def on_event(event: object) -> None:
        nonlocal done
        if getattr(event, "info").name == "NodeFinished":  # noqa: B009 - dbt's event proto
            done += 1
            if progress:
                progress(done, total, event.data.node_info.node_name)

    result = dbtRunner(manifest=manifest, callbacks=[on_event]).invoke(["build", *common])
    if result.result is None:
        raise BuildFailed(f"dbt could not run: {result.exception}", where="dbt build",
                          fix="check the log in $ONHAND_HOME/dbt/logs/dbt.log")
    if result.success:
        # The documentation site for analysts, generated from the file it documents.
        if progress:
            progress(done, total, "documentation site")
        docs = dbtRunner(manifest=manifest).invoke(["docs", "generate", *common])
        if not docs.success:
            raise BuildFailed(f"dbt docs generate failed: {docs.exception}", where="dbt docs",
                              fix="check the log in $ONHAND_HOME/dbt/logs/dbt.log")
    return [
        NodeResult(r.node.unique_id, str(r.status), (r.message or "").strip(), float(r.execution_time or 0))
        for r in result.result.results
    ]


def docs_site(ws: Workspace) -> Path:
    """The folder of the documentation site the last build generated."""
    site = ws.root / "dbt" / "target"
    if not (site / "index.html").exists() or not (site / "catalog.json").exists():
        raise OnhandError("no documentation site has been generated yet", where=str(site),
                          fix="run `onhand build` first")
    return site
