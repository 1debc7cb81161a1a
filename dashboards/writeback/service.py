"""The write-back's one entry point, shared by the app's pages and the CLI.

Every write method takes the caller's :class:`Session` and checks it (live, and a
role that allows the action) inside the transaction that makes the change, so no
page, command or script can do more than its user is entitled to.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dashboards.writeback import audit, posting, requests, store, users
from dashboards.writeback.errors import NotAllowed, NotFound, StoreInvalid
from dashboards.writeback.lookup import Warehouse
from dashboards.writeback.requests import AdjustmentDraft, Preview, Request, StatusDraft
from dashboards.writeback.settings import Settings
from dashboards.writeback.users import Account, Session
from lakehouse.warehouse import WarehouseMissing
from lakehouse.workspace import Workspace

BOOTSTRAP = "bootstrap"


@dataclass(frozen=True)
class ReviewRow:
    """One account in the access review."""

    user_id: str
    name: str
    active: bool
    roles: tuple[str, ...]
    revoked_roles: tuple[str, ...]
    created_at: str
    last_login_at: str | None
    deactivated_at: str | None
    requests: int
    approvals: int
    actions_after_leaving: int
    postings_after_leaving: int
    ledger_postings_after_leaving: int | None  # None: no warehouse to look in

    @property
    def finding(self) -> bool:
        return bool(self.actions_after_leaving or self.postings_after_leaving
                    or self.ledger_postings_after_leaving)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    head: str
    entries: int


class Writeback:
    """The write-back store of one workspace."""

    def __init__(self, ws: Workspace, settings: Settings | None = None) -> None:
        self.ws = ws
        self.settings = settings or Settings.load(ws)
        self.path = ws.writeback_db

    @contextlib.contextmanager
    def _con(self) -> Iterator[sqlite3.Connection]:
        with store.opened(self.path) as con:
            yield con

    # ------------------------------------------------------------------ sessions
    def login(self, user_id: str, password: str) -> Session:
        with self._con() as con:
            with store.immediate(con):  # a failure is audited too: commit, then refuse
                outcome = users.login(con, self.settings, user_id.strip(), password)
        if isinstance(outcome, users.LoginFailed):
            raise outcome
        return outcome

    def logout(self, session: Session) -> None:
        with self._con() as con, store.immediate(con):
            users.logout(con, session)

    def check(self, session: Session) -> users.Actor:
        """The session's user and current roles, if the session is live."""
        with self._con() as con:
            return users.authorize(con, session, frozenset(users.ROLES), "read")

    # ------------------------------------------------------------------ accounts
    def needs_bootstrap(self) -> bool:
        """True while no active admin exists: the first account may then be made without one."""
        with self._con() as con:
            return not users.has_active_admin(con)

    def add_user(self, session: Session | None, user_id: str, role: str, password: str,
                 name: str = "") -> None:
        """Create an account. Without a session only the first admin (bootstrap)."""
        with self._con() as con, store.immediate(con):
            if session is None:
                if users.has_active_admin(con):
                    raise NotAllowed("an admin exists: adding a user needs an admin's login",
                                     fix="pass --user ADMIN and the admin's password")
                if role != "admin":
                    raise NotAllowed("the first account must be an admin", fix="use --role admin")
                by = BOOTSTRAP
            else:
                by = users.authorize(con, session, users.CAN_ADMINISTER, "add users").user_id
            users.create(con, self.settings, by, user_id, name, role, password)

    def grant(self, session: Session, user_id: str, role: str) -> None:
        with self._con() as con, store.immediate(con):
            actor = users.authorize(con, session, users.CAN_ADMINISTER, "grant roles")
            users.grant(con, actor.user_id, user_id, role)

    def revoke(self, session: Session, user_id: str, role: str) -> None:
        with self._con() as con, store.immediate(con):
            actor = users.authorize(con, session, users.CAN_ADMINISTER, "revoke roles")
            users.revoke(con, actor.user_id, user_id, role)

    def deactivate(self, session: Session, user_id: str) -> None:
        with self._con() as con, store.immediate(con):
            actor = users.authorize(con, session, users.CAN_ADMINISTER, "deactivate users")
            users.deactivate(con, actor.user_id, user_id)

    def set_password(self, session: Session, user_id: str, password: str) -> None:
        """Change a password: one's own, or anyone's as an admin."""
        with self._con() as con, store.immediate(con):
            actor = users.authorize(con, session, frozenset(users.ROLES), "change passwords")
            if actor.user_id != user_id and "admin" not in actor.roles:
                raise NotAllowed(f"{actor.user_id} may change only their own password",
                                 fix="ask an admin")
            users.set_password(con, self.settings, actor.user_id, user_id, password)

    def accounts(self, session: Session) -> list[Account]:
        with self._con() as con:
            users.authorize(con, session, users.CAN_REVIEW, "list users")
            return users.accounts(con)

    def access_review(self, session: Session) -> list[ReviewRow]:
        """Every account: roles, last login, and anything done or posted after leaving."""
        with self._con() as con:
            users.authorize(con, session, users.CAN_REVIEW, "see the access review")
            rows = []
            for a in users.accounts(con):
                left = a.deactivated_at
                revoked = tuple(sorted({r[0] for r in con.execute(
                    "SELECT role FROM user_roles WHERE user_id = ? AND revoked_at IS NOT NULL",
                    (a.user_id,))}))
                (made,) = con.execute("SELECT count(*) FROM requests WHERE requested_by = ?",
                                      (a.user_id,)).fetchone()
                (approved,) = con.execute("SELECT count(*) FROM approvals WHERE approver = ?",
                                          (a.user_id,)).fetchone()
                after = posted_after = 0
                ledger = None
                if left:
                    (after,) = con.execute("SELECT count(*) FROM audit_log WHERE actor = ? AND at > ?",
                                           (a.user_id, left)).fetchone()
                    (posted_after,) = con.execute(
                        "SELECT count(*) FROM requests r WHERE r.state = 'posted' AND r.posted_at > ? "
                        "AND (r.requested_by = ? OR EXISTS (SELECT 1 FROM approvals p WHERE "
                        "p.request_id = r.request_id AND p.approver = ?))",
                        (left, a.user_id, a.user_id)).fetchone()
                    ledger = self._ledger_after(a.user_id, store.parse_stamp(left))
                rows.append(ReviewRow(a.user_id, a.name, a.active, a.roles, revoked, a.created_at,
                                      a.last_login_at, left, made, approved, after, posted_after, ledger))
            return rows

    def _ledger_after(self, user_id: str, left: datetime) -> int | None:
        try:
            return Warehouse(self.ws).ledger_postings_after(user_id, left)
        except WarehouseMissing:
            return None

    # ------------------------------------------------------------------ requests
    def preview_adjustment(self, session: Session, draft: AdjustmentDraft) -> Preview:
        with self._con() as con:
            users.authorize(con, session, users.CAN_REQUEST, "request adjustments")
        return requests.preview_adjustment(Warehouse(self.ws), self.settings, draft, store.utc_now())

    def request_adjustment(self, session: Session, draft: AdjustmentDraft) -> Request:
        with self._con() as con:  # refuse the unentitled before looking at their draft
            users.authorize(con, session, users.CAN_REQUEST, "request adjustments")
        preview = requests.preview_adjustment(Warehouse(self.ws), self.settings, draft, store.utc_now())
        with self._con() as con, store.immediate(con):
            actor = users.authorize(con, session, users.CAN_REQUEST, "request adjustments")
            return requests.create(con, actor, preview, draft, store.utc_now())

    def preview_status_change(self, session: Session, draft: StatusDraft) -> Preview:
        with self._con() as con:
            users.authorize(con, session, users.CAN_REQUEST, "request status changes")
            return requests.preview_status(Warehouse(self.ws), self.settings, draft, con,
                                           store.utc_now())

    def request_status_change(self, session: Session, draft: StatusDraft) -> Request:
        with self._con() as con, store.immediate(con):
            actor = users.authorize(con, session, users.CAN_REQUEST, "request status changes")
            now = store.utc_now()
            preview = requests.preview_status(Warehouse(self.ws), self.settings, draft, con, now)
            return requests.create(con, actor, preview, draft, now)

    def approve(self, session: Session, request_id: str, comment: str | None = None) -> Request:
        """Approve; once the request has every approval it needs it is posted to the inbox."""
        with self._con() as con:
            with store.immediate(con):
                actor = users.authorize(con, session, users.CAN_APPROVE, "approve requests")
                request = requests.approve(con, actor, request_id.strip(), comment, store.utc_now())
            if request.state == "approved":
                return posting.post(con, self.ws, request.request_id, actor.user_id) or \
                    requests.load(con, request.request_id)
            return request

    def reject(self, session: Session, request_id: str, reason: str) -> Request:
        with self._con() as con, store.immediate(con):
            actor = users.authorize(con, session, users.CAN_APPROVE, "reject requests")
            return requests.reject(con, actor, request_id.strip(), reason, store.utc_now())

    def post_approved(self, session: Session) -> list[Request]:
        """Post approved requests still waiting (an interrupted posting). Idempotent."""
        with self._con() as con:
            actor = users.authorize(con, session, users.CAN_APPROVE | users.CAN_ADMINISTER,
                                    "post approved requests")
            return posting.post_approved(con, self.ws, actor.user_id)

    def request(self, session: Session, request_id: str) -> Request:
        with self._con() as con:
            users.authorize(con, session, frozenset(users.ROLES), "read requests")
            return requests.load(con, request_id.strip())

    def requests(self, session: Session, state: str | None = None) -> list[Request]:
        with self._con() as con:
            users.authorize(con, session, frozenset(users.ROLES), "read requests")
            return requests.listing(con, state)

    def approval_queue(self, session: Session) -> list[Request]:
        """Pending requests this user may decide (not their own, not approved by them yet)."""
        with self._con() as con:
            actor = users.authorize(con, session, users.CAN_APPROVE, "approve requests")
            return [r for r in requests.listing(con, "pending")
                    if r.requested_by != actor.user_id and actor.user_id not in r.approvers]

    # ------------------------------------------------------------------ audit
    def audit_trail(self, session: Session, *, actor: str | None = None, action: str | None = None,
                    target: str | None = None, since: datetime | None = None,
                    until: datetime | None = None, limit: int | None = None) -> list[audit.Entry]:
        with self._con() as con:
            users.authorize(con, session, users.CAN_REVIEW, "read the audit trail")
            return audit.entries(con, actor=actor, action=action, target=target, since=since,
                                 until=until, limit=limit)

    def verify(self, expect: str | None = None) -> audit.Verification:
        return audit.verify(self.path, expect)

    # ------------------------------------------------------------------ backup
    def backup(self, session: Session, target: Path) -> BackupInfo:
        """A consistent copy of the live store (SQLite's online backup API)."""
        target = target.expanduser().resolve()
        if target.exists():
            raise NotAllowed("the backup file exists already", where=str(target),
                             fix="choose a new file name; backups are never overwritten")
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._con() as con:
            with store.immediate(con):
                actor = users.authorize(con, session, users.CAN_ADMINISTER, "back up the store")
                entry = audit.append(con, actor.user_id, "backup", str(target))
            with sqlite3.connect(target) as copy:
                con.backup(copy)
            copy.close()
        return BackupInfo(target, f"{entry.seq}:{entry.hash}", entry.seq)

    def restore(self, session: Session, source: Path) -> BackupInfo:
        """Replace the live store with a backup (the store it replaces is kept aside first).

        The backup's chain must verify. Request numbers continue after every request
        already posted to the inbox or landed, so no id is ever reused.
        """
        source = source.expanduser().resolve()
        if not source.is_file():
            raise NotFound("there is no backup file", where=str(source), fix="give the backup's path")
        checked = audit.verify(source)
        if not checked.ok:
            raise StoreInvalid("the backup's audit trail does not verify: " + "; ".join(checked.problems),
                               where=str(source), fix="restore an intact backup")
        with self._con() as con:
            actor = users.authorize(con, session, users.CAN_ADMINISTER, "restore the store")
            replaced_head = store.meta(con, "audit_head")
            aside = self.path.with_name(f"{self.path.name}.before-restore-"
                                        f"{store.utc_now().strftime('%Y%m%dT%H%M%S%fZ')}")
            with sqlite3.connect(aside) as keep:
                con.backup(keep)
            keep.close()
            with store.opened(source) as backup_con:
                backup_con.backup(con)
            with store.immediate(con):
                highest = posting.highest_posted_number(self.ws)
                if int(store.meta(con, "next_request")) <= highest:
                    store.set_meta(con, "next_request", str(highest + 1))
                entry = audit.append(con, actor.user_id, "restored", str(source),
                                     {"backup_head": checked.head, "replaced_head": replaced_head,
                                      "replaced_store_kept_at": str(aside),
                                      "next_request": store.meta(con, "next_request")})
        return BackupInfo(source, f"{entry.seq}:{entry.hash}", entry.seq)
