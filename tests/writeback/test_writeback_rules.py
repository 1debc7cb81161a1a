"""Approval rules, segregation of duties and role checks, through the domain API itself."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from dashboards.writeback import AdjustmentDraft, StatusDraft, Writeback
from dashboards.writeback.errors import (
    AlreadyDecided,
    InvalidRequest,
    NotAllowed,
    SessionExpired,
)
from dashboards.writeback.posting import MOVEMENT_COLUMNS, STATUS_COLUMNS
from tests.writeback.helpers import LOCATION, SITE, STOCK_QTY

JUSTIFIED = "Recounted twice with the shift lead; bin label was wrong."


def adjust(item: str, qty: str, **kw: str) -> AdjustmentDraft:
    values = {"reason_code": "LOSS", "evidence_kind": "audit_finding", "evidence_id": "AF-7"} | kw
    return AdjustmentDraft(item, LOCATION, qty, **values)  # type: ignore[arg-type]


def posted_row(wb: Writeback, request_id: str) -> dict[str, str]:
    path = wb.ws.root / next(r for r in wb.requests(wb.login("auditor", "correct horse battery"))
                             if r.request_id == request_id).posted_file
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    return rows[0]


def actions(wb: Writeback, login, target: str) -> list[tuple[str, str]]:
    return [(e.action, e.actor) for e in wb.audit_trail(login("auditor"), target=target)]


def test_preview_values_the_change_at_the_areas_unit_cost(wb: Writeback, login) -> None:
    p = wb.preview_adjustment(login("clerk"), adjust("CHEAP", "-4"))
    assert (p.site_id, p.unit_cost, p.unit_cost_source) == (SITE, Decimal("2.50"), "valuation")
    assert p.value_impact == Decimal("-10.00")
    assert (p.stock_qty, p.stock_qty_after) == (STOCK_QTY, STOCK_QTY - 4)
    assert (p.approvals_needed, p.controller_needed) == (1, False)


def test_preview_rounds_half_up_to_the_cent(wb: Writeback, login) -> None:
    assert wb.preview_adjustment(login("clerk"), adjust("CHEAP", "0.01")).value_impact == Decimal("0.03")
    assert wb.preview_adjustment(login("clerk"), adjust("CHEAP", "-0.01")).value_impact == Decimal("-0.03")


def test_without_valued_stock_the_standard_cost_applies(wb: Writeback, login) -> None:
    p = wb.preview_adjustment(login("clerk"), adjust("NOSTOCK", "2"))
    assert (p.unit_cost, p.unit_cost_source, p.value_impact) == (Decimal("7.25"), "standard cost",
                                                                 Decimal("14.50"))


def test_a_small_adjustment_is_approved_once_and_posted_with_requester_and_approver(
        wb: Writeback, login) -> None:
    request = wb.request_adjustment(login("clerk"), adjust("CHEAP", "-4"))
    assert request.state == "pending" and request.request_id == "WB-000001"
    done = wb.approve(login("approver"), request.request_id, "checked the photos")
    assert done.state == "posted" and done.approvers == ("approver",)
    row = posted_row(wb, request.request_id)
    assert list(row) == list(MOVEMENT_COLUMNS)
    assert {k: row[k] for k in ("movement_id", "movement_type", "item_id", "location_id", "qty", "uom",
                                "document_type", "document_id", "user_id", "approved_by",
                                "reason_code", "evidence")} == {
        "movement_id": "WB-000001", "movement_type": "adjustment", "item_id": "CHEAP",
        "location_id": LOCATION, "qty": "-4", "uom": "EA", "document_type": "writeback_request",
        "document_id": "WB-000001", "user_id": "clerk", "approved_by": "approver",
        "reason_code": "LOSS", "evidence": "audit_finding:AF-7"}
    assert actions(wb, login, "WB-000001") == [("requested", "clerk"), ("approved", "approver"),
                                               ("posted", "approver")]


def test_a_cycle_count_makes_a_count_adjustment_dated_at_the_count(wb: Writeback, login) -> None:
    draft = adjust("CHEAP", "3", reason_code="CYCLE_COUNT", evidence_kind="cycle_count", evidence_id="CC-1")
    request = wb.request_adjustment(login("clerk"), draft)
    wb.approve(login("approver"), request.request_id)
    row = posted_row(wb, request.request_id)
    assert (row["movement_type"], row["occurred_at"], row["evidence"]) == (
        "count_adjustment", "2026-03-02T07:30:00Z", "cycle_count:CC-1")


def test_the_requester_never_decides_their_own_request(wb: Writeback, login) -> None:
    request = wb.request_adjustment(login("approver"), adjust("CHEAP", "-1"))
    with pytest.raises(NotAllowed, match="may not approve"):
        wb.approve(login("approver"), request.request_id)
    with pytest.raises(NotAllowed, match="may not decide"):
        wb.reject(login("approver"), request.request_id, "changed my mind")
    assert wb.request(login("auditor"), request.request_id).state == "pending"


@pytest.mark.parametrize("user", ["clerk", "auditor", "admin"])
def test_only_approvers_and_controllers_approve(wb: Writeback, login, user: str) -> None:
    request = wb.request_adjustment(login("clerk2"), adjust("CHEAP", "-1"))
    with pytest.raises(NotAllowed, match="may not approve requests"):
        wb.approve(login(user), request.request_id)
    with pytest.raises(NotAllowed, match="may not reject requests"):
        wb.reject(login(user), request.request_id, "not entitled anyway")


@pytest.mark.parametrize("user", ["auditor", "admin"])
def test_auditors_and_admins_do_not_request(wb: Writeback, login, user: str) -> None:
    with pytest.raises(NotAllowed, match="may not request adjustments"):
        wb.request_adjustment(login(user), adjust("CHEAP", "-1"))
    with pytest.raises(NotAllowed, match="may not request status changes"):
        wb.request_status_change(login(user), StatusDraft("CHEAP", "blocked", "QUALITY_HOLD"))


def test_above_the_controller_threshold_an_approver_is_refused(wb: Writeback, login) -> None:
    request = wb.request_adjustment(login("clerk"), adjust("MID", "-10"))  # 3000.00
    assert (request.value_impact, request.approvals_needed, request.controller_needed) == (
        Decimal("-3000.00"), 1, True)
    with pytest.raises(NotAllowed, match="a controller must approve"):
        wb.approve(login("approver"), request.request_id)
    assert wb.approve(login("controller"), request.request_id).state == "posted"


def test_above_the_higher_threshold_two_different_approvers_one_a_controller(wb: Writeback, login) -> None:
    request = wb.request_adjustment(login("clerk"), adjust("BIG", "-30"))  # 12000.00
    assert (request.approvals_needed, request.controller_needed) == (2, True)
    first = wb.approve(login("approver"), request.request_id)
    assert first.state == "pending" and first.approvers == ("approver",)
    with pytest.raises(NotAllowed, match="approved WB-000001 already"):
        wb.approve(login("approver"), request.request_id)
    with pytest.raises(NotAllowed, match="a controller must approve"):
        wb.approve(login("approver2"), request.request_id)
    done = wb.approve(login("controller"), request.request_id)
    assert done.state == "posted" and done.approvers == ("approver", "controller")
    row = posted_row(wb, request.request_id)
    assert (row["approved_by"], row["co_approved_by"]) == ("controller", "approver")


def test_two_controllers_also_satisfy_the_dual_rule(wb: Writeback, login) -> None:
    request = wb.request_adjustment(login("clerk"), adjust("BIG", "30"))
    assert wb.approve(login("controller"), request.request_id).state == "pending"
    assert wb.approve(login("controller2"), request.request_id).state == "posted"


@pytest.mark.parametrize("item", ["PRICEY", "REG"])
def test_regulated_and_high_value_items_need_a_justification(wb: Writeback, login, item: str) -> None:
    with pytest.raises(InvalidRequest, match="justification"):
        wb.request_adjustment(login("clerk"), adjust(item, "-1"))
    with pytest.raises(InvalidRequest, match="justification"):
        wb.request_adjustment(login("clerk"), adjust(item, "-1", justification="because"))
    request = wb.request_adjustment(login("clerk"), adjust(item, "-1", justification=JUSTIFIED))
    assert request.justification == JUSTIFIED
    assert (request.regulated, request.high_value) == (item == "REG", item == "PRICEY")


def test_an_ordinary_item_needs_no_justification(wb: Writeback, login) -> None:
    assert wb.request_adjustment(login("clerk"), adjust("CHEAP", "-1")).justification is None


@pytest.mark.parametrize(("draft", "message"), [
    (adjust("CHEAP", "0"), "zero"),
    (adjust("CHEAP", "abc"), "not a quantity"),
    (adjust("CHEAP", "1.0000001"), "more than 6 decimals"),
    (adjust("NOPE", "1"), "not in the item master"),
    (AdjustmentDraft("CHEAP", "NOWHERE", "1", "LOSS", evidence_kind="audit_finding", evidence_id="A"),
     "not in the location master"),
    (adjust("CHEAP", "1", reason_code="WHIM"), "not a reason code"),
    (AdjustmentDraft("CHEAP", LOCATION, "1", "LOSS"), "needs its evidence"),
    (adjust("CHEAP", "1", evidence_kind="cycle_count", evidence_id="CC-404"), "not in the warehouse"),
    (adjust("CHEAP", "1", evidence_kind="cycle_count", evidence_id="CC-2"), "counted MID"),
    (adjust("CHEAP", "1", evidence_kind="rumour", evidence_id="x"), "not a kind of evidence"),
    (adjust("LOTTED", "1"), "lot-tracked"),
])
def test_bad_requests_are_refused_with_the_reason(wb: Writeback, login, draft, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        wb.request_adjustment(login("clerk"), draft)
    assert wb.requests(login("auditor")) == []


def test_a_lot_tracked_item_takes_its_lot(wb: Writeback, login) -> None:
    p = wb.preview_adjustment(login("clerk"), adjust("LOTTED", "-2", lot_id="LOT-1"))
    assert (p.lot_id, p.stock_qty, p.value_impact) == ("LOT-1", STOCK_QTY, Decimal("-10.00"))


def test_movements_on_non_active_items_are_warned_about(wb: Writeback, login) -> None:
    p = wb.preview_adjustment(login("clerk"), adjust("HELD", "-1"))
    assert any("quarantine" in w and "change-control" in w for w in p.warnings)


def test_a_rejection_needs_and_keeps_its_reason(wb: Writeback, login) -> None:
    request = wb.request_adjustment(login("clerk"), adjust("CHEAP", "-1"))
    with pytest.raises(InvalidRequest, match="reason"):
        wb.reject(login("approver"), request.request_id, "  ")
    rejected = wb.reject(login("approver"), request.request_id, "count was of the wrong bin")
    assert (rejected.state, rejected.rejected_by, rejected.rejection_reason) == (
        "rejected", "approver", "count was of the wrong bin")
    with pytest.raises(AlreadyDecided, match="rejected already"):
        wb.approve(login("approver2"), request.request_id)
    assert not (wb.ws.inbox / "writeback").exists()


def test_a_status_change_follows_the_same_workflow(wb: Writeback, login) -> None:
    draft = StatusDraft("MID", "blocked", "QUALITY_HOLD", evidence_kind="audit_finding", evidence_id="AF-9")
    request = wb.request_status_change(login("clerk"), draft)
    # the item's stock is worth 40 x 300 = 12000: two approvers, one a controller
    assert (request.from_status, request.to_status, request.value_impact) == ("active", "blocked",
                                                                              Decimal("12000.00"))
    assert (request.approvals_needed, request.controller_needed) == (2, True)
    with pytest.raises(InvalidRequest, match="open status change"):
        wb.request_status_change(login("clerk2"), draft)
    with pytest.raises(NotAllowed, match="may not approve"):
        wb.approve(login("clerk"), request.request_id)
    wb.approve(login("controller"), request.request_id)
    done = wb.approve(login("approver"), request.request_id)
    path = wb.ws.root / done.posted_file
    assert path == wb.ws.inbox / "writeback" / "item_status_changes" / "WB-000001.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert list(row) == list(STATUS_COLUMNS)
    assert {k: row[k] for k in ("change_id", "item_id", "from_status", "to_status", "user_id",
                                "approved_by", "co_approved_by", "reason")} == {
        "change_id": "WB-000001", "item_id": "MID", "from_status": "active", "to_status": "blocked",
        "user_id": "clerk", "approved_by": "approver", "co_approved_by": "controller",
        "reason": "QUALITY_HOLD"}


def test_a_status_change_to_the_current_status_is_refused(wb: Writeback, login) -> None:
    with pytest.raises(InvalidRequest, match="quarantine already"):
        wb.request_status_change(login("clerk"), StatusDraft("HELD", "quarantine", "QUALITY_HOLD"))
    with pytest.raises(InvalidRequest, match="not an item status"):
        wb.request_status_change(login("clerk"), StatusDraft("HELD", "melted", "QUALITY_HOLD"))


def test_the_approval_queue_shows_what_the_user_may_decide(wb: Writeback, login) -> None:
    mine = wb.request_adjustment(login("approver"), adjust("CHEAP", "-1"))
    other = wb.request_adjustment(login("clerk"), adjust("CHEAP", "-2"))
    assert [r.request_id for r in wb.approval_queue(login("approver"))] == [other.request_id]
    assert [r.request_id for r in wb.approval_queue(login("approver2"))] == [other.request_id,
                                                                             mine.request_id]


def test_posting_is_idempotent_after_an_interrupted_write(wb: Writeback, login, monkeypatch) -> None:
    from dashboards.writeback import posting

    request = wb.request_adjustment(login("clerk"), adjust("CHEAP", "-1"))
    real_write = posting._write_atomically

    def crash_after_writing(path, content):
        real_write(path, content)
        raise OSError("power cut")

    monkeypatch.setattr(posting, "_write_atomically", crash_after_writing)
    with pytest.raises(OSError, match="power cut"):
        wb.approve(login("approver"), request.request_id)
    assert wb.request(login("auditor"), request.request_id).state == "approved"
    written = (wb.ws.inbox / "writeback" / "inventory_movements" / "WB-000001.csv").read_bytes()
    monkeypatch.setattr(posting, "_write_atomically", real_write)
    assert [r.request_id for r in wb.post_approved(login("approver2"))] == ["WB-000001"]
    assert wb.post_approved(login("approver2")) == []
    assert (wb.ws.inbox / "writeback" / "inventory_movements" / "WB-000001.csv").read_bytes() == written
    assert [a for a, _ in actions(wb, login, "WB-000001")].count("posted") == 1


def test_a_forged_session_gets_nothing(wb: Writeback, login) -> None:
    from dashboards.writeback import Session

    clerk = login("clerk")
    request = wb.request_adjustment(login("clerk2"), adjust("CHEAP", "-1"))
    with pytest.raises(SessionExpired):
        wb.approve(Session("made-up", "controller", ("controller",), clerk.expires_at), request.request_id)
    with pytest.raises(NotAllowed, match="clerk"):  # roles come from the store, not the object
        wb.approve(Session(clerk.token, "clerk", ("controller",), clerk.expires_at), request.request_id)


def test_sessions_expire_and_end(wb: Writeback, login, monkeypatch) -> None:
    from datetime import timedelta

    from dashboards.writeback import store

    session = login("clerk")
    later = store.utc_now() + timedelta(minutes=wb.settings.session_minutes + 1)
    monkeypatch.setattr(store, "utc_now", lambda: later)
    with pytest.raises(SessionExpired, match="expired"):
        wb.request_adjustment(session, adjust("CHEAP", "-1"))
    monkeypatch.undo()
    wb.logout(session)
    with pytest.raises(SessionExpired, match="ended"):
        wb.requests(session)


def test_audit_findings_are_checked_once_the_warehouse_has_them(wb: Writeback, login) -> None:
    import duckdb

    assert wb.request_adjustment(login("clerk"), adjust("CHEAP", "-1", evidence_id="AF-free-text"))
    con = duckdb.connect(str(wb.ws.warehouse))
    con.execute("CREATE SCHEMA audit")
    con.execute("CREATE TABLE audit.audit_findings AS SELECT * FROM (VALUES ('f-cheap', 'CHEAP'), "
                "('f-mid', 'MID'), ('f-any', NULL)) AS t (finding_id, item_id)")
    con.close()
    for finding, message in (("AF-free-text", "not in the warehouse"), ("f-mid", "is about MID")):
        with pytest.raises(InvalidRequest, match=message):
            wb.request_adjustment(login("clerk"), adjust("CHEAP", "-1", evidence_id=finding))
        with pytest.raises(InvalidRequest, match=message):
            wb.request_status_change(login("clerk"), StatusDraft("CHEAP", "blocked", "RECALL",
                                                                 evidence_kind="audit_finding",
                                                                 evidence_id=finding))
    for finding in ("f-cheap", "f-any"):
        assert wb.request_adjustment(login("clerk"), adjust("CHEAP", "-1", evidence_id=finding))
