"""`onhand reconcile`: new gaps are alerted once, across builds; the hook and the exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingestion.contract import lake_schema
from ingestion.land import land_inbox
from lakehouse.build import build_warehouse
from lakehouse.reconcile import ReconcileError, reconcile, state_file
from lakehouse.warehouse import read_only
from lakehouse.workspace import Workspace
from onhand.cli import app
from onhand.cli_reconcile import NEW_GAPS_EXIT_CODE
from tests.audit.audit_company import snapshot
from tests.conftest import copy_workspace
from tests.inbox import drop


@pytest.fixture
def ws(audit_company: Workspace, tmp_path: Path) -> Workspace:
    return copy_workspace(audit_company, tmp_path / "home")


def alerts(ws: Workspace) -> list[tuple[object, ...]]:
    with read_only(ws.warehouse) as con:
        return con.execute("""select first_seen_on::varchar, gap_qty, is_new
                              from audit.reconciliation_alerts order by first_seen_on""").fetchall()


def test_a_gap_is_new_in_the_first_build_that_reports_it(ws: Workspace) -> None:
    first = reconcile(ws)
    assert sorted(a.first_seen_on.isoformat() for a in first.new) == ["2026-03-03", "2026-03-06"]
    # the next build reports the old gaps again, and one the WMS reported since
    drop(ws, [snapshot("2026-03-07", "RC", "9"), snapshot("2026-03-08", "RC", "10"),
              snapshot("2026-03-09", "RC", "13")], source="wms", entity="stock_snapshots",
         fmt="parquet", name="later")
    land_inbox(ws, None)
    build_warehouse(ws, lake_schema())
    second = reconcile(ws, hook="cat > received.json")
    assert [a.first_seen_on.isoformat() for a in second.new] == ["2026-03-09"]
    assert [str(v) for v in alerts(ws)[-1]] == ["2026-03-09", "-3.000000", "True"]
    assert [r[2] for r in alerts(ws)] == [False, False, True]
    received = json.loads((ws.root / "received.json").read_text(encoding="utf-8"))
    assert [(r["first_seen_on"], r["gap_qty"], r["is_open"]) for r in received] == [
        ("2026-03-09", "-3.000000", True)]
    known = json.loads(state_file(ws).read_text(encoding="utf-8"))["gaps"]
    assert len(known) == 3


def test_fail_on_new_exits_non_zero_and_runs_the_configured_hook(ws: Workspace) -> None:
    ws.settings_file.write_text('[reconcile]\nhook = "echo $ONHAND_NEW_ALERTS > count.txt"\n',
                                encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["reconcile", "--fail-on-new", "--home", str(ws.root)])
    assert result.exit_code == NEW_GAPS_EXIT_CODE, result.output
    assert "2 new" in result.output
    assert (ws.root / "count.txt").read_text(encoding="utf-8").strip() == "2"
    assert runner.invoke(app, ["reconcile", "--home", str(ws.root)]).exit_code == 0


def test_a_failing_hook_is_an_error_naming_the_command(ws: Workspace) -> None:
    with pytest.raises(ReconcileError, match="exited with 7"):
        reconcile(ws, hook="exit 7")


def test_an_unreadable_memory_of_gaps_is_an_error_with_a_fix(ws: Workspace) -> None:
    state_file(ws).parent.mkdir(parents=True, exist_ok=True)
    state_file(ws).write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(app, ["reconcile", "--home", str(ws.root)])
    assert result.exit_code == 1
    assert "known_gaps.json" in result.output and "delete it" in result.output
