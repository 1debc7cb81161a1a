"""The sample company end to end: what ingestion finds against the ground truth, the warehouse's
identities on real volume, and a point-in-time rebuild."""

from __future__ import annotations

import csv
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingestion.contract import lake_schema
from ingestion.land import land_inbox
from ingestion.synthetic import generate
from lakehouse.build import build_warehouse
from lakehouse.lake import Lake
from lakehouse.workspace import Workspace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("company")
    generate(out, "demo", 42)
    return out


def anomalies(company: Path, kind: str) -> list[dict[str, str]]:
    with open(company / "ground_truth" / "anomalies.csv", newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["kind"] == kind]


def test_ingestion_finds_exactly_the_injected_bad_rows_and_retries(company: Path, tmp_path: Path) -> None:
    ws = Workspace.resolve(tmp_path / "home")
    report = land_inbox(ws, company / "inbox")
    assert not report.failed
    rejects = pl.concat([pl.read_parquet(p) for p in ws.rejects.rglob("part-0.parquet")], how="diagonal")
    found = {(row["_file"], row["_line"]) for row in rejects.iter_rows(named=True)}
    expected = set()
    for row in anomalies(company, "rejectable_row"):
        detail = dict(part.split("=", 1) for part in row["detail"].split(";"))
        expected.add((detail["file"], int(detail["line"])))
    assert found == expected and len(found) >= 10
    assert rejects["_reason"].null_count() == 0

    duplicates = pl.concat([pl.read_parquet(p) for p in ws.duplicates.rglob("part-0.parquet")], how="diagonal")
    retried = {row["record_id"] for row in anomalies(company, "retry_duplicate_same_id")}
    assert set(duplicates["movement_id"]) == retried and len(retried) >= 10

    manifests = Lake(ws).manifests()
    assert all(m.balanced() for m in manifests)
    assert sum(m.rows_in for m in manifests) == report.totals("rows_in")


def test_point_in_time_rebuild_equals_the_warehouse_built_back_then(company: Path, tmp_path: Path) -> None:
    """Land in two rounds; --as-of between them rebuilds exactly the warehouse of round one."""
    ws = Workspace.resolve(tmp_path / "home")
    first, second = tmp_path / "round1", tmp_path / "round2"
    for path in (company / "inbox").rglob("*.*"):
        rel = path.relative_to(company / "inbox")
        late = any(month in path.name for month in ("2026-07", "2026-08", "2026-09", "2026-10"))
        target = (second if late else first) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    land_inbox(ws, first)
    then = build_warehouse(ws, lake_schema(), out=tmp_path / "then.duckdb")
    time.sleep(0.01)
    between = datetime.now(UTC)
    time.sleep(0.01)
    assert land_inbox(ws, second).totals("landed") > 10_000
    now = build_warehouse(ws, lake_schema())
    as_of = build_warehouse(ws, lake_schema(), as_of=between)

    with duckdb.connect(str(as_of.path), read_only=True) as con:
        con.execute(f"ATTACH '{then.path}' AS then_wh (READ_ONLY)")
        con.execute(f"ATTACH '{now.path}' AS now_wh (READ_ONLY)")
        for mart in ("fct_inventory_ledger", "mart_inventory_valuation", "fct_cogs", "fct_inventory_daily",
                     "mart_valuation_bridge_monthly", "fct_ledger_exceptions"):
            columns = "* EXCLUDE (batch_id)" if mart in ("fct_inventory_ledger", "fct_ledger_exceptions") else "*"
            differ = con.execute(
                f"SELECT count(*) FROM ((SELECT {columns} FROM marts.{mart} EXCEPT ALL "
                f"SELECT {columns} FROM then_wh.marts.{mart}) UNION ALL (SELECT {columns} FROM "
                f"then_wh.marts.{mart} EXCEPT ALL SELECT {columns} FROM marts.{mart}))").fetchone()[0]
            assert differ == 0, mart
        rows = con.execute("SELECT (SELECT count(*) FROM marts.fct_inventory_ledger), "
                           "(SELECT count(*) FROM now_wh.marts.fct_inventory_ledger)").fetchone()
        assert rows[0] < rows[1]


def test_the_ledger_accounts_for_every_landed_movement(company: Path, tmp_path: Path) -> None:
    ws = Workspace.resolve(tmp_path / "home")
    landed = land_inbox(ws, company / "inbox")
    movements = sum(o.landed for o in landed.outcomes if o.entity == "inventory_movements")
    report = build_warehouse(ws, lake_schema())
    assert report.count("test", "pass") >= 100 and not [n for n in report.nodes if n.status != "pass"
                                                         and n.status != "success"]
    with duckdb.connect(str(report.path), read_only=True) as con:
        ledger, excepted, value, negative = con.execute(
            "SELECT (SELECT count(*) FROM marts.fct_inventory_ledger), "
            "(SELECT count(*) FROM marts.fct_ledger_exceptions WHERE NOT in_ledger AND movement_type <> "
            "'landed_cost'), (SELECT sum(value_on_hand) FROM marts.mart_inventory_valuation), "
            "(SELECT count(*) FROM marts.mart_inventory_valuation WHERE is_negative)").fetchone()
    assert ledger + excepted == movements
    assert value > 0 and negative < 20
