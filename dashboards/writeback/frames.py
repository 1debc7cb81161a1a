"""The write-back's lists as Polars frames, for the app's tables (and their downloads)."""

from __future__ import annotations

import polars as pl

from dashboards.writeback.audit import Entry
from dashboards.writeback.requests import Request
from dashboards.writeback.service import ReviewRow

_REQUEST_SCHEMA = {
    "request_id": pl.String, "state": pl.String, "kind": pl.String, "what": pl.String,
    "value_impact": pl.Decimal(18, 2), "reason_code": pl.String, "requested_by": pl.String,
    "requested_at": pl.String, "needs": pl.String, "approved_by": pl.String, "note": pl.String,
}


def requests(items: list[Request]) -> pl.DataFrame:
    rows = [{
        "request_id": r.request_id, "state": r.state, "kind": r.kind.replace("_", " "), "what": r.summary,
        "value_impact": r.value_impact, "reason_code": r.reason_code, "requested_by": r.requested_by,
        "requested_at": r.requested_at[:19].replace("T", " "),
        "needs": f"{r.approvals_needed}" + (" incl. a controller" if r.controller_needed else ""),
        "approved_by": ", ".join(r.approvers),
        "note": r.rejection_reason or r.posted_file or (r.justification or ""),
    } for r in items]
    return pl.DataFrame(rows, schema=_REQUEST_SCHEMA)


def trail(entries: list[Entry]) -> pl.DataFrame:
    rows = [{"seq": e.seq, "at_utc": e.at[:23].replace("T", " "), "actor": e.actor, "action": e.action,
             "target": e.target, "details": e.details, "hash": e.hash[:16]} for e in entries]
    return pl.DataFrame(rows, schema={"seq": pl.Int64, "at_utc": pl.String, "actor": pl.String,
                                      "action": pl.String, "target": pl.String, "details": pl.String,
                                      "hash": pl.String})


def review(rows: list[ReviewRow]) -> pl.DataFrame:
    data = [{
        "user_id": r.user_id, "name": r.name, "active": r.active, "roles": ", ".join(r.roles),
        "revoked_roles": ", ".join(r.revoked_roles), "last_login": (r.last_login_at or "")[:19].replace("T", " "),
        "left": (r.deactivated_at or "")[:19].replace("T", " "), "requests": r.requests,
        "approvals": r.approvals, "actions_after_leaving": r.actions_after_leaving,
        "postings_after_leaving": r.postings_after_leaving,
        "ledger_postings_after_leaving": r.ledger_postings_after_leaving, "finding": r.finding,
    } for r in rows]
    return pl.DataFrame(data, schema={
        "user_id": pl.String, "name": pl.String, "active": pl.Boolean, "roles": pl.String,
        "revoked_roles": pl.String, "last_login": pl.String, "left": pl.String, "requests": pl.Int64,
        "approvals": pl.Int64, "actions_after_leaving": pl.Int64, "postings_after_leaving": pl.Int64,
        "ledger_postings_after_leaving": pl.Int64, "finding": pl.Boolean})
