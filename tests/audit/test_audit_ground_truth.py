"""Detection measured against the sample company's ground truth (anomalies.csv).

The figures these tests hold are written in docs/audit.md; each rule must reach a
precision and a recall of at least 0.9 against the anomalies it is meant to find.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from lakehouse.reconcile import reconcile
from lakehouse.sql import literal
from lakehouse.warehouse import read_only
from lakehouse.workspace import Workspace
from tests.conftest import copy_workspace

pytestmark = pytest.mark.slow
BAR = 0.9
CAUSES = ("lot_mixup", "wrong_bin", "late_posting", "duplicate_posting", "unposted_receipt",
          "unposted_shipment", "uom_error", "shrinkage")


@pytest.fixture(scope="module")
def con(sample_company: Workspace) -> Iterator[duckdb.DuckDBPyConnection]:
    with read_only(sample_company.warehouse) as connection:
        path = literal(str(sample_company.ground_truth / "anomalies.csv"))
        connection.execute(f"CREATE TEMP VIEW truth AS SELECT * FROM read_csv({path}, all_varchar = true)")
        yield connection


def ids(con: duckdb.DuckDBPyConnection, sql: str) -> set[str]:
    return {str(r[0]) for r in con.execute(sql).fetchall()}


def score(truth: set[str], found: set[str]) -> tuple[float, float]:
    assert truth, "the ground truth has no case of this kind"
    hits = len(truth & found)
    return (hits / len(found) if found else 0.0), hits / len(truth)


def test_cycle_count_root_causes(con: duckdb.DuckDBPyConnection) -> None:
    # both counts of a lot mix-up or a wrong bin (record and related count) carry the cause
    for cause in CAUSES:
        kind = f"count_{cause}"
        truth = ids(con, f"""select record_id from truth where kind = '{kind}'
                             union select related_ids from truth
                             where kind = '{kind}' and kind in ('count_lot_mixup', 'count_wrong_bin')""")
        found = ids(con, f"""select count_id from audit.audit_cycle_count_discrepancies
                             where replace(root_cause, 'unexplained_', '') = '{cause}'""")
        precision, recall = score(truth, found)
        assert (cause, precision >= BAR, recall >= BAR) == (cause, True, True), (precision, recall)
    assert ids(con, "select count_id from audit.audit_cycle_count_discrepancies where root_cause = 'unexplained_gain'") == set()


def test_near_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    retries = ids(con, "select record_id from truth where kind = 'retry_duplicate_new_id'")
    count_duplicates = ids(con, """select split_part(related_ids, ';', 2) from truth
                                   where kind = 'count_duplicate_posting'""")
    found = ids(con, "select movement_id from audit.audit_duplicate_movements")
    precision, recall = score(retries | count_duplicates, found)
    assert precision >= BAR and recall >= BAR
    assert retries <= found


def test_movements_on_blocked_items(con: duckdb.DuckDBPyConnection) -> None:
    precision, recall = score(
        ids(con, "select record_id from truth where kind = 'movement_on_blocked_item'"),
        ids(con, "select movement_id from audit.audit_movements_on_inactive_items"))
    assert precision >= BAR and recall >= BAR


def test_segregation_of_duties(con: duckdb.DuckDBPyConnection) -> None:
    precision, recall = score(
        ids(con, "select record_id from truth where kind = 'sod_breach'"),
        ids(con, """select split_part(record_id, ':', -1) from audit.audit_sod_breaches
                    where rule in ('self_approved_adjustment', 'self_approved_status_change',
                                   'posting_after_leaving')"""))
    assert precision >= BAR and recall >= BAR


def test_reconciliation_finds_the_snapshot_discrepancies(con: duckdb.DuckDBPyConnection) -> None:
    precision, recall = score(
        ids(con, """select item_id || '|' || location_id || '|' || occurred_at::timestamp::date
                    from truth where kind = 'snapshot_discrepancy'"""),
        ids(con, """select item_id || '|' || location_id || '|' || first_seen_on
                    from audit.audit_reconciliation_gaps"""))
    assert precision >= BAR and recall >= BAR


def test_cutoff_holds_every_late_posting_across_month_end(con: duckdb.DuckDBPyConnection) -> None:
    crossed = ids(con, """select record_id from truth
                          where kind = 'late_posting' and detail like '%across month end%'""")
    assert crossed <= ids(con, "select movement_id from audit.audit_cutoff_movements")


def test_reconcile_alerts_new_gaps_once_per_build(sample_company: Workspace, tmp_path: Path) -> None:
    ws = copy_workspace(sample_company, tmp_path / "home")
    first = reconcile(ws, hook="cat > received.json")
    with read_only(ws.warehouse) as con:
        gaps = con.execute("select count(*) from audit.audit_reconciliation_gaps").fetchone()[0]
        published = con.execute("select count(*) filter (where is_new), count(*) "
                                "from audit.reconciliation_alerts").fetchone()
    assert len(first.new) == gaps > 0 and published == (gaps, gaps)
    assert (ws.root / "received.json").read_text(encoding="utf-8").count('"gap_id"') == gaps
    # the same build again: the same gaps are still this build's new ones (a retry sees the same)
    again = reconcile(ws)
    assert {a.gap_id for a in again.new} == {a.gap_id for a in first.new}
