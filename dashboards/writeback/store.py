"""The write-back store: one SQLite file in WAL mode, shared by app processes and the CLI.

Every state change runs in a ``BEGIN IMMEDIATE`` transaction, so writers queue on
SQLite's lock (waiting up to ``BUSY_TIMEOUT_MS``) and a check and the change it
guards are never split by another process. Readers never block writers (WAL).
Connections are opened per operation and closed at once: nothing is shared
between threads.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from dashboards.writeback.errors import StoreInvalid

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000
GENESIS_HASH = "0" * 64

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    user_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    deactivated_at TEXT,
    deactivated_by TEXT,
    last_login_at TEXT
);
CREATE TABLE IF NOT EXISTS user_roles (
    user_id TEXT NOT NULL REFERENCES users (user_id),
    role TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT,
    PRIMARY KEY (user_id, role, granted_at)
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (user_id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE TABLE IF NOT EXISTS requests (
    request_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('adjustment', 'status_change')),
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'posted', 'rejected')),
    item_id TEXT NOT NULL,
    location_id TEXT,
    site_id TEXT,
    lot_id TEXT,
    qty TEXT,
    uom TEXT,
    from_status TEXT,
    to_status TEXT,
    reason_code TEXT NOT NULL,
    justification TEXT,
    evidence_kind TEXT,
    evidence_id TEXT,
    occurred_at TEXT NOT NULL,
    unit_cost TEXT,
    value_impact TEXT NOT NULL,
    regulated INTEGER NOT NULL,
    high_value INTEGER NOT NULL,
    approvals_needed INTEGER NOT NULL,
    controller_needed INTEGER NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users (user_id),
    requested_at TEXT NOT NULL,
    warehouse_version TEXT NOT NULL,
    approved_at TEXT,
    rejected_by TEXT,
    rejected_at TEXT,
    rejection_reason TEXT,
    posted_at TEXT,
    posted_file TEXT
);
CREATE INDEX IF NOT EXISTS requests_state ON requests (state);
CREATE TABLE IF NOT EXISTS approvals (
    request_id TEXT NOT NULL REFERENCES requests (request_id),
    approver TEXT NOT NULL REFERENCES users (user_id),
    as_role TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    comment TEXT,
    PRIMARY KEY (request_id, approver)
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}');
INSERT OR IGNORE INTO meta (key, value) VALUES ('audit_head', '0:{GENESIS_HASH}');
INSERT OR IGNORE INTO meta (key, value) VALUES ('next_request', '1');
"""


def utc_now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """A UTC moment as stored: ISO 8601 with microseconds and a Z, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the store at ``path`` (created with its schema if new)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                          check_same_thread=True)
    con.row_factory = sqlite3.Row
    con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        con.execute("PRAGMA synchronous = FULL")
        con.execute("PRAGMA foreign_keys = ON")
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'audit_log'").fetchone():
            con.executescript("BEGIN IMMEDIATE;" + SCHEMA + "COMMIT;")
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as error:
        con.close()
        raise StoreInvalid(f"not a write-back store ({error})", where=str(path),
                           fix="restore it from a backup (`onhand writeback restore`)") from None
    if mode.lower() != "wal" or version is None or int(version[0]) != SCHEMA_VERSION:
        con.close()
        raise StoreInvalid(f"unexpected store format (journal {mode}, schema {version and version[0]})",
                           where=str(path), fix="use a store written by this version of Onhand")
    return con


@contextlib.contextmanager
def opened(path: Path) -> Iterator[sqlite3.Connection]:
    con = connect(path)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def immediate(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taken before anything is read (BEGIN IMMEDIATE)."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def meta(con: sqlite3.Connection, key: str) -> str:
    return con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]


def set_meta(con: sqlite3.Connection, key: str, value: str) -> None:
    con.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
