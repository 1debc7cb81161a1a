"""The audit trail: an append-only log whose entries are chained by SHA-256.

Each entry's hash covers its own fields and the previous entry's hash, and the
store keeps the newest (seq, hash) as its head in the same transaction. So an
edited entry no longer matches its hash, a deleted or reordered one breaks the
chain (or the numbering), and a removed tail no longer reaches the head.
Triggers refuse UPDATE and DELETE on the log; the chain catches what is done
around them (a copy of the file edited with another tool).

What a chain cannot catch alone: someone who rewrites the whole log *and*
recomputes every hash and the head. Against that, record the head somewhere
else (``onhand audit verify`` prints it; each backup keeps it) and pass it back
with ``--expect SEQ:HASH``: the chain must still contain that entry.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dashboards.writeback import store
from dashboards.writeback.errors import NotFound

ACTIONS = (
    "user_created", "role_granted", "role_revoked", "user_deactivated", "password_changed",
    "login", "login_failed", "logout",
    "requested", "approved", "rejected", "posted",
    "backup", "restored",
)


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    actor: str
    action: str
    target: str
    details: str
    prev_hash: str
    hash: str

    @property
    def data(self) -> dict:
        return json.loads(self.details)


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, target: str,
               details: str) -> str:
    payload = json.dumps([prev_hash, seq, at, actor, action, target, details],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(con: sqlite3.Connection, actor: str, action: str, target: str,
           details: dict | None = None, *, at: datetime | None = None) -> Entry:
    """Add one entry; call inside the write transaction of the action it records."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    head_seq, head_hash = store.meta(con, "audit_head").split(":")
    seq = int(head_seq) + 1
    stamp = store.stamp(at or store.utc_now())
    text = json.dumps(details or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)
    digest = entry_hash(head_hash, seq, stamp, actor, action, target, text)
    con.execute("INSERT INTO audit_log (seq, at, actor, action, target, details, prev_hash, hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, stamp, actor, action, target, text, head_hash, digest))
    store.set_meta(con, "audit_head", f"{seq}:{digest}")
    return Entry(seq, stamp, actor, action, target, text, head_hash, digest)


def entries(con: sqlite3.Connection, *, actor: str | None = None, action: str | None = None,
            target: str | None = None, since: datetime | None = None,
            until: datetime | None = None, limit: int | None = None) -> list[Entry]:
    """Entries in chain order, filtered (each filter optional); the newest ``limit`` if given."""
    where, params = [], []
    for column, value in (("actor", actor), ("action", action), ("target", target)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if since:
        where.append("at >= ?")
        params.append(store.stamp(since))
    if until:
        where.append("at < ?")
        params.append(store.stamp(until))
    sql = "SELECT * FROM audit_log" + (" WHERE " + " AND ".join(where) if where else "")
    if limit:
        sql = f"SELECT * FROM ({sql} ORDER BY seq DESC LIMIT {int(limit)})"
    rows = con.execute(sql + " ORDER BY seq", params).fetchall()
    return [Entry(**dict(r)) for r in rows]


@dataclass
class Verification:
    """The outcome of checking the chain: every problem found, by entry."""

    path: Path
    entries: int = 0
    head: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(path: Path, expect: str | None = None) -> Verification:
    """Check the whole chain of the store at ``path``.

    ``expect`` is a head recorded earlier (``SEQ:HASH``): that entry must still be in
    the chain, unchanged.
    """
    if not path.exists():
        raise NotFound("there is no write-back store", where=str(path),
                       fix="nothing to verify until someone uses the write-back")
    report = Verification(path)
    with store.opened(path) as con:
        rows = [Entry(**dict(r)) for r in con.execute("SELECT * FROM audit_log ORDER BY seq")]
        head = store.meta(con, "audit_head")
    report.entries, report.head = len(rows), head
    prev_hash, expected_seq = store.GENESIS_HASH, 1
    hashes: dict[int, str] = {}
    for e in rows:
        if e.seq != expected_seq:
            missing = f"{expected_seq}" if e.seq == expected_seq + 1 else f"{expected_seq}..{e.seq - 1}"
            report.problems.append(f"entry {missing} is missing: deleted (found {e.seq} next)")
        if e.prev_hash != prev_hash:
            report.problems.append(f"entry {e.seq} does not follow the entry before it: "
                                   "entries deleted, inserted or reordered")
        if entry_hash(e.prev_hash, e.seq, e.at, e.actor, e.action, e.target, e.details) != e.hash:
            report.problems.append(f"entry {e.seq} ({e.action} by {e.actor}) was edited: "
                                   "its content no longer matches its hash")
        prev_hash, expected_seq = e.hash, e.seq + 1
        hashes[e.seq] = e.hash
    last = f"{rows[-1].seq}:{rows[-1].hash}" if rows else f"0:{store.GENESIS_HASH}"
    if last != head:
        head_seq = int(head.split(":")[0])
        what = ("entries at the end were deleted" if head_seq > (rows[-1].seq if rows else 0)
                else "the chain does not end at the recorded head")
        report.problems.append(f"the log ends at {last.split(':')[0]} but the head is "
                               f"{head_seq}: {what}")
    if expect:
        seq_text, _, digest = expect.partition(":")
        if not seq_text.isdigit() or len(digest) != 64:
            report.problems.append(f"--expect {expect!r} is not SEQ:HASH")
        elif hashes.get(int(seq_text)) != digest:
            report.problems.append(f"entry {seq_text} is not the one recorded earlier "
                                   "(the log was rewritten)")
    return report
