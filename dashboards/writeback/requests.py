"""Adjustment and item-status requests: the preview, the rules, and the decisions.

Approval rules (thresholds in :class:`~dashboards.writeback.settings.Settings`), on
the absolute value impact previewed when the request was made:
- the requester never approves (or rejects) their own request;
- up to ``controller_approval_above``: one approver or controller;
- above it: a controller;
- above ``two_approvers_above``: two different people, one of them a controller;
- regulated and high-value items always need a justification;
- a rejection carries its reason.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dashboards.writeback import audit, store
from dashboards.writeback.errors import AlreadyDecided, InvalidRequest, NotAllowed, NotFound
from dashboards.writeback.lookup import Warehouse
from dashboards.writeback.settings import Settings
from dashboards.writeback.users import Actor
from ingestion.contract import DECIMAL_SCALE, EARLIEST_TIMESTAMP, ITEM_STATUSES

ADJUSTMENT_REASONS = ("CYCLE_COUNT", "FOUND", "LOSS", "DAMAGE", "EXPIRY", "DATA_CORRECTION")
STATUS_REASONS = ("QUALITY_HOLD", "RELEASE", "RECALL", "END_OF_LIFE", "DATA_CORRECTION")
EVIDENCE_KINDS = ("cycle_count", "audit_finding")
STATES = ("pending", "approved", "posted", "rejected")
MIN_REJECTION_CHARS = 5
CENT = Decimal("0.01")


@dataclass(frozen=True)
class AdjustmentDraft:
    """What a person proposes: change the quantity of an item at a location (and lot)."""

    item_id: str
    location_id: str
    qty: Decimal | str  # the signed change in the item's base unit
    reason_code: str
    lot_id: str | None = None
    justification: str | None = None
    evidence_kind: str | None = None  # cycle_count | audit_finding
    evidence_id: str | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class StatusDraft:
    """What a person proposes: move an item to another status."""

    item_id: str
    to_status: str
    reason_code: str
    justification: str | None = None
    evidence_kind: str | None = None
    evidence_id: str | None = None


@dataclass(frozen=True)
class Preview:
    """What the request would do, as the warehouse sees it now, and who must approve it."""

    kind: str
    item_id: str
    description: str
    location_id: str | None
    site_id: str | None
    lot_id: str | None
    qty: Decimal | None
    uom: str
    from_status: str
    to_status: str | None
    unit_cost: Decimal | None
    unit_cost_source: str
    value_impact: Decimal
    stock_qty: Decimal
    """Adjustment: quantity at the location (and lot) now. Status change: owned stock of the item."""
    stock_qty_after: Decimal
    regulated: bool
    high_value: bool
    justification_required: bool
    approvals_needed: int
    controller_needed: bool
    warehouse_version: str
    occurred_at: datetime | None
    warnings: tuple[str, ...]

    @property
    def approval_rule(self) -> str:
        if self.approvals_needed == 2:
            return "two different approvers, one of them a controller"
        return "a controller" if self.controller_needed else "one approver"


@dataclass(frozen=True)
class Request:
    request_id: str
    kind: str
    state: str
    item_id: str
    location_id: str | None
    site_id: str | None
    lot_id: str | None
    qty: Decimal | None
    uom: str | None
    from_status: str | None
    to_status: str | None
    reason_code: str
    justification: str | None
    evidence_kind: str | None
    evidence_id: str | None
    occurred_at: str
    unit_cost: Decimal | None
    value_impact: Decimal
    regulated: bool
    high_value: bool
    approvals_needed: int
    controller_needed: bool
    requested_by: str
    requested_at: str
    warehouse_version: str
    approved_at: str | None
    rejected_by: str | None
    rejected_at: str | None
    rejection_reason: str | None
    posted_at: str | None
    posted_file: str | None
    approvers: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, row: sqlite3.Row, approvers: tuple[str, ...]) -> Request:
        values = dict(row)
        for name in ("qty", "unit_cost", "value_impact"):
            values[name] = Decimal(values[name]) if values[name] is not None else None
        for name in ("regulated", "high_value", "controller_needed"):
            values[name] = bool(values[name])
        return cls(**values, approvers=approvers)

    @property
    def summary(self) -> str:
        if self.kind == "adjustment":
            return f"{self.qty:+f} {self.uom} of {self.item_id} at {self.location_id}"
        return f"{self.item_id}: {self.from_status} -> {self.to_status}"


REQUEST_COLUMNS = tuple(f.name for f in fields(Request) if f.name != "approvers")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_qty(text: str | Decimal) -> Decimal:
    """A quantity change as typed: a decimal with at most six places, never zero."""
    try:
        qty = Decimal(str(text).strip())
    except InvalidOperation:
        raise InvalidRequest(f"'{text}' is not a quantity", fix="write a decimal like -3 or 12.5") from None
    if not qty.is_finite() or qty == 0:
        raise InvalidRequest("the quantity change is zero or not a number",
                             fix="write the signed change: + found stock, - missing stock")
    if qty.as_tuple().exponent < -DECIMAL_SCALE:  # type: ignore[operator]
        raise InvalidRequest(f"{qty} has more than {DECIMAL_SCALE} decimals", fix="round it")
    return qty


def _routing(settings: Settings, value: Decimal) -> tuple[int, bool]:
    size = abs(value)
    if size > settings.two_approvers_above:
        return 2, True
    return 1, size > settings.controller_approval_above


def _check_text(draft: AdjustmentDraft | StatusDraft, reasons: tuple[str, ...],
                required: bool, settings: Settings, why: str) -> None:
    if draft.reason_code not in reasons:
        raise InvalidRequest(f"'{draft.reason_code}' is not a reason code",
                             fix="use one of: " + ", ".join(reasons))
    text = (draft.justification or "").strip()
    if required and len(text) < settings.min_justification_chars:
        raise InvalidRequest(f"{draft.item_id} is {why}: a justification of at least "
                             f"{settings.min_justification_chars} characters is required",
                             fix="say why the change is right and what was checked")
    if draft.evidence_kind is not None and draft.evidence_kind not in EVIDENCE_KINDS:
        raise InvalidRequest(f"'{draft.evidence_kind}' is not a kind of evidence",
                             fix="use cycle_count or audit_finding")
    if bool(draft.evidence_kind) != bool((draft.evidence_id or "").strip()):
        raise InvalidRequest("evidence needs both its kind and its id",
                             fix="e.g. --count CC-00012-0000001 or --finding AF-2026-014")


def _sensitivity(item_regulated: bool, unit_cost: Decimal | None, settings: Settings) -> tuple[bool, str]:
    high_value = unit_cost is not None and unit_cost >= settings.high_value_unit_cost
    why = " and ".join(w for w, on in (("regulated", item_regulated), ("high-value", high_value)) if on)
    return high_value, why


def preview_adjustment(wh: Warehouse, settings: Settings, draft: AdjustmentDraft,
                       now: datetime) -> Preview:
    qty = parse_qty(draft.qty)
    lot_id = (draft.lot_id or "").strip() or None
    if draft.evidence_kind is None:
        raise InvalidRequest("an adjustment needs its evidence",
                             fix="name the cycle count (--count ID) or the audit finding (--finding ID)")
    with wh.connection() as con:
        item = wh.item(con, draft.item_id)
        if item.lot_tracked and lot_id is None:
            raise InvalidRequest(f"{item.item_id} is lot-tracked: the lot is required",
                                 fix="name the lot the difference is in")
        stock = wh.stock(con, item, draft.location_id, lot_id)
        occurred = draft.occurred_at
        if draft.evidence_kind == "cycle_count":
            counted_at = wh.check_cycle_count(con, (draft.evidence_id or "").strip(), item.item_id,
                                              draft.location_id)
            occurred = occurred or counted_at
        elif draft.evidence_kind == "audit_finding":
            wh.check_finding(con, (draft.evidence_id or "").strip(), item.item_id)
    occurred = _check_moment(occurred or now, now)
    high_value, why = _sensitivity(item.regulated, stock.unit_cost, settings)
    _check_text(draft, ADJUSTMENT_REASONS, bool(why), settings, why)
    value = money(qty * stock.unit_cost)
    needed, controller = _routing(settings, value)
    warnings = []
    if stock.location_qty + qty < 0:
        warnings.append(f"the location would hold {stock.location_qty + qty} {item.base_uom}: "
                        "negative stock")
    if item.status != "active":
        warnings.append(f"{item.item_id} is {item.status}: a movement on it is a change-control finding")
    return Preview("adjustment", item.item_id, item.description, draft.location_id, stock.site_id,
                   lot_id, qty, item.base_uom, item.status, None, stock.unit_cost, stock.unit_cost_source,
                   value, stock.location_qty, stock.location_qty + qty, item.regulated, high_value,
                   bool(why), needed, controller, wh.version, occurred, tuple(warnings))


def preview_status(wh: Warehouse, settings: Settings, draft: StatusDraft, con_store: sqlite3.Connection,
                   now: datetime) -> Preview:
    if draft.to_status not in ITEM_STATUSES:
        raise InvalidRequest(f"'{draft.to_status}' is not an item status",
                             fix="use one of: " + ", ".join(ITEM_STATUSES))
    with wh.connection() as con:
        item = wh.item(con, draft.item_id)
        qty, value = wh.item_stock_value(con, item.item_id)
        if draft.evidence_kind == "audit_finding" and (draft.evidence_id or "").strip():
            wh.check_finding(con, (draft.evidence_id or "").strip(), item.item_id)
    if item.status == draft.to_status:
        raise InvalidRequest(f"{item.item_id} is {item.status} already", fix="pick another status")
    open_ = con_store.execute("SELECT request_id FROM requests WHERE kind = 'status_change' "
                              "AND item_id = ? AND state IN ('pending', 'approved')",
                              (item.item_id,)).fetchone()
    if open_:
        raise InvalidRequest(f"{item.item_id} has an open status change ({open_[0]})",
                             fix="decide that one first")
    unit_cost = money(value / qty) if qty > 0 else item.standard_cost
    high_value, why = _sensitivity(item.regulated, unit_cost, settings)
    _check_text(draft, STATUS_REASONS, bool(why), settings, why)
    needed, controller = _routing(settings, value)
    return Preview("status_change", item.item_id, item.description, None, None, None, None,
                   item.base_uom, item.status, draft.to_status, unit_cost,
                   "valuation" if qty > 0 else "standard cost", value, qty, qty, item.regulated,
                   high_value, bool(why), needed, controller, wh.version, now, ())


def _check_moment(moment: datetime, now: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    if moment > now or moment.isoformat() < EARLIEST_TIMESTAMP:
        raise InvalidRequest(f"the adjustment's moment {moment.isoformat()} is in the future or "
                             f"before {EARLIEST_TIMESTAMP}", fix="give when the difference was found")
    return moment


def create(con: sqlite3.Connection, actor: Actor, preview: Preview,
           draft: AdjustmentDraft | StatusDraft, now: datetime) -> Request:
    """Store the request as previewed (inside the caller's write transaction)."""
    number = int(store.meta(con, "next_request"))
    request_id = f"WB-{number:06d}"
    store.set_meta(con, "next_request", str(number + 1))
    row = {
        "request_id": request_id, "kind": preview.kind, "state": "pending",
        "item_id": preview.item_id, "location_id": preview.location_id, "site_id": preview.site_id,
        "lot_id": preview.lot_id, "qty": None if preview.qty is None else f"{preview.qty:f}",
        "uom": preview.uom,
        "from_status": preview.from_status, "to_status": preview.to_status,
        "reason_code": draft.reason_code, "justification": (draft.justification or "").strip() or None,
        "evidence_kind": draft.evidence_kind, "evidence_id": (draft.evidence_id or "").strip() or None,
        "occurred_at": store.stamp(preview.occurred_at or now),
        "unit_cost": None if preview.unit_cost is None else f"{preview.unit_cost:f}",
        "value_impact": f"{preview.value_impact:f}", "regulated": int(preview.regulated),
        "high_value": int(preview.high_value), "approvals_needed": preview.approvals_needed,
        "controller_needed": int(preview.controller_needed), "requested_by": actor.user_id,
        "requested_at": store.stamp(now), "warehouse_version": preview.warehouse_version,
    }
    con.execute(f"INSERT INTO requests ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                tuple(row.values()))
    audit.append(con, actor.user_id, "requested", request_id,
                 {k: v for k, v in row.items() if k not in ("request_id", "state", "requested_by",
                                                            "requested_at")}, at=now)
    return load(con, request_id)


def load(con: sqlite3.Connection, request_id: str) -> Request:
    row = con.execute("SELECT * FROM requests WHERE request_id = ?", (request_id,)).fetchone()
    if row is None:
        raise NotFound(f"there is no request {request_id}", fix="see `onhand writeback list`")
    approvers = tuple(r[0] for r in con.execute(
        "SELECT approver FROM approvals WHERE request_id = ? ORDER BY approved_at, rowid", (request_id,)))
    return Request.from_row(row, approvers)


def listing(con: sqlite3.Connection, state: str | None = None) -> list[Request]:
    """Requests (in one state, or all), newest first."""
    if state is not None and state not in STATES:
        raise InvalidRequest(f"'{state}' is not a state", fix="use one of: " + ", ".join(STATES))
    rows = con.execute("SELECT * FROM requests WHERE ? IS NULL OR state = ? ORDER BY request_id DESC",
                       (state, state)).fetchall()
    approvers: dict[str, list[str]] = {}
    for request_id, approver in con.execute(
            "SELECT a.request_id, a.approver FROM approvals a JOIN requests r USING (request_id) "
            "WHERE ? IS NULL OR r.state = ? ORDER BY a.approved_at, a.rowid", (state, state)):
        approvers.setdefault(request_id, []).append(approver)
    return [Request.from_row(row, tuple(approvers.get(row["request_id"], ()))) for row in rows]


def _pending(con: sqlite3.Connection, request_id: str) -> Request:
    request = load(con, request_id)
    if request.state != "pending":
        who = request.rejected_by if request.state == "rejected" else ", ".join(request.approvers)
        raise AlreadyDecided(f"{request_id} is {request.state} already (by {who})",
                             fix="nothing to do; see `onhand writeback list`")
    return request


def approve(con: sqlite3.Connection, actor: Actor, request_id: str, comment: str | None,
            now: datetime) -> Request:
    """Record one approval (inside the caller's write transaction); the request is
    approved once it has all it needs."""
    request = _pending(con, request_id)
    if request.requested_by == actor.user_id:
        raise NotAllowed(f"{actor.user_id} requested {request_id} and may not approve it",
                         where="segregation of duties", fix="another approver must decide")
    if actor.user_id in request.approvers:
        raise NotAllowed(f"{actor.user_id} has approved {request_id} already",
                         where="segregation of duties", fix="a second, different approver must approve")
    requester_active = con.execute("SELECT active FROM users WHERE user_id = ?",
                                   (request.requested_by,)).fetchone()[0]
    if not requester_active:
        raise NotAllowed(f"the requester {request.requested_by} has left", where=request_id,
                         fix="reject it; a current user may request it anew")
    as_role = "controller" if "controller" in actor.roles else "approver"
    roles_so_far = [r[0] for r in con.execute("SELECT as_role FROM approvals WHERE request_id = ?",
                                              (request_id,))]
    completes = len(roles_so_far) + 1 >= request.approvals_needed
    has_controller = "controller" in roles_so_far or as_role == "controller"
    if request.controller_needed and completes and not has_controller:
        raise NotAllowed(f"{request_id} changes {request.value_impact} in value: a controller must "
                         f"approve it, and {actor.user_id} is an approver", where="approval rules",
                         fix="ask a controller")
    con.execute("INSERT INTO approvals (request_id, approver, as_role, approved_at, comment) "
                "VALUES (?, ?, ?, ?, ?)", (request_id, actor.user_id, as_role, store.stamp(now), comment))
    if completes:
        con.execute("UPDATE requests SET state = 'approved', approved_at = ? WHERE request_id = ?",
                    (store.stamp(now), request_id))
    audit.append(con, actor.user_id, "approved", request_id,
                 {"as_role": as_role, "approval": len(roles_so_far) + 1,
                  "of": request.approvals_needed, "value_impact": f"{request.value_impact:f}",
                  "comment": comment}, at=now)
    return load(con, request_id)


def reject(con: sqlite3.Connection, actor: Actor, request_id: str, reason: str,
           now: datetime) -> Request:
    request = _pending(con, request_id)
    if request.requested_by == actor.user_id:
        raise NotAllowed(f"{actor.user_id} requested {request_id} and may not decide it",
                         where="segregation of duties", fix="another approver must decide")
    reason = (reason or "").strip()
    if len(reason) < MIN_REJECTION_CHARS:
        raise InvalidRequest("a rejection needs its reason", fix="say why, for the requester")
    con.execute("UPDATE requests SET state = 'rejected', rejected_by = ?, rejected_at = ?, "
                "rejection_reason = ? WHERE request_id = ?",
                (actor.user_id, store.stamp(now), reason, request_id))
    audit.append(con, actor.user_id, "rejected", request_id, {"reason": reason}, at=now)
    return load(con, request_id)
