"""The warehouse build: new file + atomic swap, failures keep the old warehouse, as-of rebuilds."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import duckdb
import polars as pl
import pytest

from ingestion.contract import lake_schema
from ingestion.land import land_inbox
from lakehouse.build import BuildFailed, build_warehouse
from lakehouse.lake import Lake
from lakehouse.workspace import Workspace
from tests.inbox import drop, movement


def query(path: object, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_build_writes_the_warehouse_with_lineage_and_docs(ws: Workspace) -> None:
    drop(ws, [movement(1), movement(2)])
    land_inbox(ws)
    report = build_warehouse(ws, lake_schema())
    assert report.path == ws.warehouse and report.batches == 1
    assert report.count("model") > 0 and report.count("test", "pass") > 0
    rows = query(ws.warehouse, "SELECT movement_id, source_system, source_line FROM "
                               "staging.stg_lake__inventory_movements ORDER BY 1")
    assert rows == [("M00001", "erp", 2), ("M00002", "erp", 3)]
    assert query(ws.warehouse, "SELECT build_id, batches FROM audit.build_info") == [(report.build_id, 1)]
    comment = query(ws.warehouse, "SELECT comment FROM duckdb_views() "
                                  "WHERE view_name = 'stg_lake__inventory_movements'")[0][0]
    assert "One row per landed inventory_movements row" in comment
    assert not list(ws.root.glob(".warehouse.duckdb.building-*"))


def test_a_failed_build_leaves_the_previous_warehouse_in_place(ws: Workspace) -> None:
    drop(ws, [movement(1)])
    land_inbox(ws)
    first = build_warehouse(ws, lake_schema())
    before = ws.warehouse.read_bytes()
    # Someone edits a landed batch by hand: the contract tests catch it.
    (manifest,) = Lake(ws).manifests()
    part = ws.lake / manifest.outputs["raw"] / "part-0.parquet"
    pl.read_parquet(part).with_columns(pl.lit("teleport").alias("movement_type")).write_parquet(part)
    with pytest.raises(BuildFailed) as failure:
        build_warehouse(ws, lake_schema())
    message = str(failure.value)
    assert "accepted_values_stg_lake__inventory_movements_movement_type" in message
    assert "previous warehouse is still in place" in message
    assert ws.warehouse.read_bytes() == before
    assert query(ws.warehouse, "SELECT build_id FROM audit.build_info") == [(first.build_id,)]
    assert not list(ws.root.glob(".warehouse.duckdb.building-*"))


def test_a_build_removes_what_a_killed_build_left_behind(ws: Workspace) -> None:
    # A build killed by the kernel leaves its file, its log and DuckDB's spill folder.
    killed = ws.root / ".warehouse.duckdb.building-999999"
    ws.root.mkdir(parents=True, exist_ok=True)
    killed.write_bytes(b"half a warehouse")
    killed.with_name(killed.name + ".wal").write_bytes(b"log")
    (spill := killed.with_name(killed.name + ".tmp")).mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"spilled")
    other = ws.root / ".other.duckdb.building-999999"  # another target's build: not ours to remove
    other.write_bytes(b"x")
    drop(ws, [movement(1)])
    land_inbox(ws)
    build_warehouse(ws, lake_schema())
    assert not list(ws.root.glob(".warehouse.duckdb.building-*"))
    assert other.exists()


def test_as_of_builds_only_what_had_landed_by_then(ws: Workspace) -> None:
    drop(ws, [movement(1), movement(2)], name="round1")
    land_inbox(ws)
    time.sleep(0.01)
    between = datetime.now(UTC)
    time.sleep(0.01)
    drop(ws, [movement(3)], name="round2")
    land_inbox(ws)
    report = build_warehouse(ws, lake_schema(), as_of=between)
    assert report.path.name.startswith("warehouse_asof_") and report.batches == 1
    assert query(report.path, "SELECT count(*) FROM staging.stg_lake__inventory_movements") == [(2,)]
    assert not ws.warehouse.exists()  # the current warehouse is a different file


def test_a_build_with_nothing_landed_says_to_ingest_first(ws: Workspace) -> None:
    with pytest.raises(BuildFailed, match="run `onhand ingest` first"):
        build_warehouse(ws, lake_schema())
