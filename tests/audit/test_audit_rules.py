"""Each audit rule on a hand-made company (tests/audit/audit_company.py), through ingest and build."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from lakehouse.warehouse import read_only
from lakehouse.workspace import Workspace

D = Decimal


@pytest.fixture(scope="module")
def con(audit_company: Workspace) -> Iterator[duckdb.DuckDBPyConnection]:
    with read_only(audit_company.warehouse) as connection:
        yield connection


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def test_every_count_difference_gets_its_cause_and_evidence(con: duckdb.DuckDBPyConnection) -> None:
    found = {r[0]: r[1:] for r in rows(con, """
        select count_id, root_cause, difference_qty, evidence_count_ids, evidence_movement_ids,
               evidence_document_ids
        from audit.audit_cycle_count_discrepancies""")}
    assert {k: v[0] for k, v in found.items()} == {
        "CC-LM1": "lot_mixup", "CC-LM2": "lot_mixup", "CC-LS1": "lot_mixup", "CC-LS2": "lot_mixup",
        "CC-WB1": "wrong_bin", "CC-WB2": "wrong_bin", "CC-LP": "late_posting",
        "CC-DP": "duplicate_posting", "CC-UR": "unposted_receipt", "CC-UT": "unposted_receipt",
        "CC-US": "unposted_shipment", "CC-UB": "unposted_shipment", "CC-UE": "uom_error",
        "CC-SH": "unexplained_shrinkage", "CC-GA": "unexplained_gain",
    }
    assert found["CC-LM1"][2] == ["CC-LM1", "CC-LM2"]
    assert found["CC-WB2"][2] == ["CC-WB2", "CC-WB1"]
    assert found["CC-LP"][3] == ["WMS-001"] and found["CC-LP"][4] == ["PO-LP"]
    assert found["CC-DP"][3] == ["WMS-002", "WMS-DP-RESENT"]
    assert found["CC-UR"][4] == ["PO-UR"]
    assert found["CC-UT"][4] == ["TO-UT"]
    assert found["CC-US"][4] == ["SO-US"]
    assert found["CC-UB"][4] == ["SO-UB"]
    assert found["CC-SH"][1] == D("-1") and found["CC-SH"][3] == ["WMS-SH-ADJ"]


def test_near_duplicates_carry_the_inflated_quantity_and_value(con: duckdb.DuckDBPyConnection) -> None:
    # the split receipt (two lines 5 s apart) is not a resend
    assert rows(con, """select movement_id, original_movement_id, inflated_qty, inflated_value
                        from audit.audit_duplicate_movements""") == [
        ("WMS-DP-RESENT", "WMS-002", D("7"), D("14.00"))]


def test_change_control(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(con, """select movement_id, item_status, status_change_id, status_changed_by
                        from audit.audit_movements_on_inactive_items""") == [
        ("ERP-BL-BLOCKED", "blocked", "ISC-BL-1", "q1")]
    assert rows(con, "select change_id from audit.audit_status_changes_unapproved") == [("ISC-BL-2",)]
    # 23 on hand at the end of the grace period, 3 of them received after the change
    assert rows(con, """select eco_id, item_id, location_id, checked_on, on_hand_qty,
                               unreclassified_qty, unreclassified_value
                        from audit.audit_engineering_changes_not_reclassified""") == [
        ("ECO-1", "OLD", "PL-A", date(2026, 3, 31), D("23"), D("20"), D("40.00"))]


def test_segregation_of_duties_and_access_review(con: duckdb.DuckDBPyConnection) -> None:
    assert sorted(rows(con, "select rule, record_id, user_id from audit.audit_sod_breaches")) == [
        ("conflicting_roles", "s2|inventory_adjust|inventory_approve", "s2"),
        ("counted_own_discrepancy", "CC-DP", "w1"),
        ("departed_user_with_active_role", "g1|inventory_clerk|2025-01-01 00:00:00", "g1"),
        ("dormant_user_with_active_role", "idle", "idle"),
        ("posting_after_leaving", "erp:ERP-GONE", "g1"),
        ("self_approved_adjustment", "erp:ERP-SELF", "s1"),
        ("self_approved_status_change", "ISC-BL-1", "q1"),
        ("unjustified_adjustment", "erp:ERP-UNJUSTIFIED", "s1"),
    ]


def test_master_data_quality(con: duckdb.DuckDBPyConnection) -> None:
    assert sorted(rows(con, "select item_id, rule from audit.audit_item_master_issues")) == [
        ("MD1", "min_above_max"), ("MD2", "lot_and_serial_tracked"),
        ("UR", "ordered_without_supplier")]
    assert sorted(rows(con, """select rule, item_id, from_uom, to_uom
                               from audit.audit_uom_conversion_conflicts""")) == [
        ("inverse_disagrees", "CV", "CS", "EA"), ("item_overrides_global", "UE2", "BOX", "EA")]
    assert rows(con, """select item_id, other_item_id, same_description
                        from audit.audit_probable_duplicate_items""") == [("DUPA", "DUPB", True)]


def test_item_master_history(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(con, """select valid_from::varchar, valid_to::varchar, status from audit.item_master_snapshot
                        where item_id = 'BL' order by valid_from""") == [
        ("2025-01-01 00:00:00", "2026-03-05 08:00:00", "active"),
        ("2026-03-05 08:00:00", "2026-03-20 08:00:00", "blocked"),
        ("2026-03-20 08:00:00", None, "active")]
    assert rows(con, """select old_value, new_value, status_change_id, changed_by, approved_by
                        from audit.audit_item_master_changes where item_id = 'BL' order by valid_from""") == [
        ("active", "blocked", "ISC-BL-1", "q1", "q1"), ("blocked", "active", "ISC-BL-2", "q1", None)]


def test_month_end_cutoff(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(con, """select movement_id, occurred_period, posted_period, value
                        from audit.audit_cutoff_movements""") == [
        ("ERP-CUTOFF", date(2026, 3, 1), date(2026, 4, 1), D("10.00"))]
    assert rows(con, "select source, occurred_period, movements, net_value from audit.audit_cutoff_by_source") == [
        ("erp", date(2026, 3, 1), 1, D("10.00"))]


def test_reconciliation_gaps_against_the_authority(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(con, """select item_id, location_id, authority_source, compared_source, first_seen_on,
                               last_seen_on, report_days, is_open, age_days, gap_qty, gap_value
                        from audit.audit_reconciliation_gaps order by first_seen_on""") == [
        ("RC", "DC2-A", "wms", "ledger", date(2026, 3, 3), date(2026, 3, 4), 2, False, 1, D("-2"), D("-4.00")),
        ("RC", "DC2-A", "wms", "ledger", date(2026, 3, 6), date(2026, 3, 6), 1, True, 0, D("1"), D("2.00")),
    ]


def test_findings_gather_every_rule_with_stable_ids(con: duckdb.DuckDBPyConnection) -> None:
    per_rule = dict(rows(con, "select source_model, count(*) from audit.audit_findings group by 1"))
    assert per_rule == {
        "audit_cycle_count_discrepancies": 15, "audit_duplicate_movements": 1,
        "audit_movements_on_inactive_items": 1, "audit_status_changes_unapproved": 1,
        "audit_engineering_changes_not_reclassified": 1, "audit_sod_breaches": 8,
        "audit_item_master_issues": 3, "audit_uom_conversion_conflicts": 2,
        "audit_probable_duplicate_items": 1, "audit_cutoff_movements": 1, "audit_reconciliation_gaps": 2,
    }
    duplicate = rows(con, """select finding_id, evidence_movement_ids from audit.audit_findings
                             where rule = 'duplicate_movement'""")
    assert duplicate == [(hashlib.md5(b"duplicate_movement|wms:WMS-DP-RESENT").hexdigest(),
                          ["WMS-002", "WMS-DP-RESENT"])]
    # evidence drills to the ledger: every evidence movement id is a ledger movement
    assert rows(con, """select count(*) from (select unnest(evidence_movement_ids) as id from audit.audit_findings)
                        where id not in (select movement_id from marts.fct_inventory_ledger)""") == [(0,)]
