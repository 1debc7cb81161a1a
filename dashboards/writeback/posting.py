"""Posting: an approved request becomes one `writeback` source file in the inbox.

The file lands through the ordinary ingestion path (``onhand ingest``) and reaches
the ledger with the next build. Exactly once, by three locks in depth:

1. The request moves approved -> posted in a ``BEGIN IMMEDIATE`` transaction, so
   two approvers, retries, threads or processes serialise and only one posts.
2. The file's name and bytes depend only on the stored request (its id, its
   approval time), so writing it again after a crash between the file and the
   commit gives the same file: re-landing the same bytes is a no-op.
3. The movement id is the request id: the lake keeps (source, movement_id) unique,
   so even a differently written file could never land the movement twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import sqlite3
from pathlib import Path

from dashboards.writeback import audit, store
from dashboards.writeback.errors import PostingConflict
from dashboards.writeback.requests import Request, load
from lakehouse.lake import Lake
from lakehouse.workspace import Workspace

SOURCE = "writeback"
DOCUMENT_TYPE = "writeback_request"
REQUEST_FILE = re.compile(r"(WB-(\d+))\.csv$")

MOVEMENT_COLUMNS = (
    "movement_id", "movement_type", "item_id", "location_id", "qty", "uom", "unit_cost",
    "currency", "occurred_at", "posted_at", "document_type", "document_id", "document_line",
    "user_id", "lot_id", "reason_code", "ownership",
    # extra columns, kept by the lake as text
    "approved_by", "co_approved_by", "justification", "evidence",
)
STATUS_COLUMNS = (
    "change_id", "item_id", "from_status", "to_status", "changed_at", "user_id", "approved_by",
    "reason",
    "co_approved_by", "justification", "evidence",
)


def inbox_file(ws: Workspace, request: Request) -> Path:
    entity = "inventory_movements" if request.kind == "adjustment" else "item_status_changes"
    return ws.inbox / SOURCE / entity / f"{request.request_id}.csv"


def _iso(stamp: str) -> str:
    """A stored stamp as the file writes it: ISO 8601 UTC to the second."""
    return store.parse_stamp(stamp).strftime("%Y-%m-%dT%H:%M:%SZ")


def render(request: Request) -> bytes:
    """The file's bytes: a function of the stored request alone."""
    final = request.approvers[-1]
    co = ";".join(request.approvers[:-1])
    evidence = f"{request.evidence_kind}:{request.evidence_id}" if request.evidence_kind else ""
    if request.kind == "adjustment":
        movement_type = "count_adjustment" if request.evidence_kind == "cycle_count" else "adjustment"
        row = (request.request_id, movement_type, request.item_id, request.location_id,
               f"{request.qty:f}", request.uom, "", "", _iso(request.occurred_at),
               _iso(request.approved_at or ""), DOCUMENT_TYPE, request.request_id, "1",
               request.requested_by, request.lot_id or "", request.reason_code, "owned",
               final, co, request.justification or "", evidence)
        header = MOVEMENT_COLUMNS
    else:
        row = (request.request_id, request.item_id, request.from_status, request.to_status,
               _iso(request.approved_at or ""), request.requested_by, final, request.reason_code,
               co, request.justification or "", evidence)
        header = STATUS_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerow(row)
    return out.getvalue().encode("utf-8")


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # hidden: ingestion skips it
    with open(temp, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def post(con: sqlite3.Connection, ws: Workspace, request_id: str, actor: str) -> Request | None:
    """Post one approved request; None if it is not (or no longer) waiting to be posted.

    Runs its own write transaction; safe to call any number of times, from anywhere.
    """
    with store.immediate(con):
        request = load(con, request_id)
        if request.state != "approved":
            return None
        path = inbox_file(ws, request)
        content = render(request)
        if path.exists() and path.read_bytes() != content:
            raise PostingConflict(
                f"{path.name} exists with other content", where=str(path),
                fix="a store restored from an old backup reuses request ids: restore with "
                    "`onhand writeback restore` (it skips ids already posted), or move the file away")
        _write_atomically(path, content)
        now = store.stamp(store.utc_now())
        con.execute("UPDATE requests SET state = 'posted', posted_at = ?, posted_file = ? "
                    "WHERE request_id = ?", (now, str(path.relative_to(ws.root)), request_id))
        audit.append(con, actor, "posted", request_id,
                     {"file": str(path.relative_to(ws.root)),
                      "sha256": hashlib.sha256(content).hexdigest(),
                      "approved_by": list(request.approvers)})
        return load(con, request_id)


def post_approved(con: sqlite3.Connection, ws: Workspace, actor: str) -> list[Request]:
    """Post every approved request still waiting (after a crash, or approvals elsewhere)."""
    waiting = [r[0] for r in con.execute(
        "SELECT request_id FROM requests WHERE state = 'approved' ORDER BY request_id")]
    return [r for r in (post(con, ws, request_id, actor) for request_id in waiting) if r]


def highest_posted_number(ws: Workspace) -> int:
    """The highest request number with a file in the inbox or a landed batch."""
    names = [p.name for p in (ws.inbox / SOURCE).glob("*/*.csv")]
    if ws.manifests.exists():
        names += [Path(m.file).name for m in Lake(ws).manifests() if m.source == SOURCE]
    numbers = [int(m.group(2)) for m in map(REQUEST_FILE.match, names) if m]
    return max(numbers, default=0)
