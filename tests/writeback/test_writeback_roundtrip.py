"""Request -> approve -> ingest -> build: the approved change is in the warehouse, once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from dashboards.writeback import AdjustmentDraft, StatusDraft, Writeback, ensure_demo_accounts
from ingestion.contract import lake_schema
from ingestion.land import land_inbox
from lakehouse.build import build_warehouse
from lakehouse.warehouse import read_only
from lakehouse.workspace import Workspace
from tests.conftest import copy_workspace
from tests.writeback.helpers import SETTINGS

pytestmark = pytest.mark.slow
WHY = "Counted twice by two clerks; difference confirmed on the count sheet."


def _approve_fully(wb: Writeback, sessions: dict, request_id: str) -> None:
    for role in ("controller", "approver"):
        if wb.approve(sessions[role], request_id).state == "posted":
            return
    raise AssertionError(f"{request_id} was not posted")


def test_an_approved_adjustment_and_status_change_reach_the_warehouse(sample_company: Workspace,
                                                                     tmp_path: Path) -> None:
    ws = copy_workspace(sample_company, tmp_path / "company")
    ws.settings_file.write_text(SETTINGS, encoding="utf-8")
    wb = Writeback(ws)
    sessions = {a.role: wb.login(a.user_id, a.password) for a in ensure_demo_accounts(ws)}
    with read_only(ws.warehouse) as con:
        count_id, item_id, location_id, lot_id = con.execute(
            "SELECT count_id, item_id, location_id, lot_id FROM staging.stg_lake__cycle_counts "
            "JOIN marts.dim_item USING (item_id) WHERE status = 'active' ORDER BY count_id LIMIT 1"
        ).fetchone()
        (status_item,) = con.execute("SELECT item_id FROM marts.dim_item WHERE status = 'active' "
                                     "AND item_id <> ? ORDER BY item_id LIMIT 1", [item_id]).fetchone()
        before = con.execute("SELECT count(*) FROM marts.fct_inventory_ledger").fetchone()[0]

    draft = AdjustmentDraft(item_id, location_id, "2", "CYCLE_COUNT", lot_id, WHY, "cycle_count", count_id)
    preview = wb.preview_adjustment(sessions["clerk"], draft)
    adjustment = wb.request_adjustment(sessions["clerk"], draft)
    assert adjustment.value_impact == preview.value_impact == (2 * preview.unit_cost).quantize(Decimal("0.01"))
    _approve_fully(wb, sessions, adjustment.request_id)
    change = wb.request_status_change(sessions["clerk"], StatusDraft(status_item, "quarantine",
                                                                      "QUALITY_HOLD", WHY))
    _approve_fully(wb, sessions, change.request_id)

    first = land_inbox(ws, None)
    assert first.totals("landed") == 2 and not first.failed
    build_warehouse(ws, lake_schema())
    assert land_inbox(ws, None).totals("landed") == 0  # posting again lands nothing

    with read_only(ws.warehouse) as con:
        rows = con.execute(
            "SELECT source, movement_type, item_id, location_id, lot_id, qty, user_id, document_type, "
            "document_id, reason_code, is_valued FROM marts.fct_inventory_ledger WHERE movement_id = ?",
            [adjustment.request_id]).fetchall()
        assert rows == [("writeback", "count_adjustment", item_id, location_id, lot_id, Decimal("2"),
                         "demo-clerk", "writeback_request", adjustment.request_id, "CYCLE_COUNT", True)]
        (approver,) = con.execute("SELECT approved_by FROM raw.inventory_movements "
                                  "WHERE movement_id = ? AND _source = 'writeback'",
                                  [adjustment.request_id]).fetchone()
        final = wb.request(sessions["auditor"], adjustment.request_id).approvers[-1]
        assert approver == final
        (in_ledger,) = con.execute("SELECT approved_by FROM marts.fct_inventory_ledger WHERE movement_id = ?",
                                   [adjustment.request_id]).fetchone()
        assert in_ledger == final
        assert con.execute("SELECT count(*) FROM marts.fct_inventory_ledger").fetchone()[0] == before + 1
        status_rows = con.execute(
            "SELECT item_id, from_status, to_status, user_id, approved_by "
            "FROM staging.stg_lake__item_status_changes WHERE change_id = ?",
            [change.request_id]).fetchall()
        last_status_approver = wb.request(sessions["auditor"], change.request_id).approvers[-1]
        assert status_rows == [(status_item, "active", "quarantine", "demo-clerk", last_status_approver)]
    assert wb.verify().ok
