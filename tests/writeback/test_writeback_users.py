"""Accounts, roles, logins and the access review, through the domain API."""

from __future__ import annotations

import pytest

from dashboards.writeback import AdjustmentDraft, Writeback
from dashboards.writeback.errors import InvalidRequest, LoginFailed, NotAllowed, SessionExpired
from lakehouse.workspace import Workspace
from tests.writeback.helpers import LOCATION, PASSWORD


def test_the_first_account_is_an_admin_made_without_a_login(wb_ws: Workspace) -> None:
    wb = Writeback(wb_ws)
    assert wb.needs_bootstrap()
    with pytest.raises(NotAllowed, match="must be an admin"):
        wb.add_user(None, "ann", "clerk", PASSWORD)
    wb.add_user(None, "root", "admin", PASSWORD)
    with pytest.raises(NotAllowed, match="an admin exists"):
        wb.add_user(None, "mallory", "admin", PASSWORD)
    wb.add_user(wb.login("root", PASSWORD), "ann", "clerk", PASSWORD, "Ann Smith")
    assert [(a.user_id, a.roles) for a in wb.accounts(wb.login("root", PASSWORD))] == [
        ("ann", ("clerk",)), ("root", ("admin",))]


def test_passwords_are_stored_as_argon2id_hashes(wb: Writeback) -> None:
    import sqlite3

    with sqlite3.connect(wb.path) as con:
        hashes = [r[0] for r in con.execute("SELECT password_hash FROM users")]
    assert hashes and all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_only_admins_manage_accounts(wb: Writeback, login) -> None:
    for user in ("clerk", "approver", "controller", "auditor"):
        with pytest.raises(NotAllowed, match="may not add users"):
            wb.add_user(login(user), "eve", "clerk", PASSWORD)
        with pytest.raises(NotAllowed, match="may not grant roles"):
            wb.grant(login(user), user, "controller")
        with pytest.raises(NotAllowed, match="may not deactivate users"):
            wb.deactivate(login(user), "clerk2")


@pytest.mark.parametrize(("user", "role"), [("admin", "approver"), ("auditor", "clerk"),
                                            ("clerk", "auditor"), ("controller", "admin")])
def test_segregation_of_duties_keeps_roles_apart(wb: Writeback, login, user: str, role: str) -> None:
    if user == "admin":  # an admin may not grant to themselves: a second admin tries
        wb.add_user(login("admin"), "admin2", "admin", PASSWORD)
        session = wb.login("admin2", PASSWORD)
    else:
        session = login("admin")
    with pytest.raises(NotAllowed, match="segregation of duties"):
        wb.grant(session, user, role)


def test_an_admin_cannot_grant_themselves_or_revoke_their_own_admin(wb: Writeback, login) -> None:
    with pytest.raises(NotAllowed, match="themselves"):
        wb.grant(login("admin"), "admin", "auditor")
    with pytest.raises(NotAllowed, match="their own admin"):
        wb.revoke(login("admin"), "admin", "admin")


def test_a_clerk_promoted_to_approver_may_approve_and_revoked_may_not(wb: Writeback, login) -> None:
    draft = AdjustmentDraft("CHEAP", LOCATION, "-1", "LOSS", evidence_kind="audit_finding", evidence_id="A1")
    first = wb.request_adjustment(login("clerk"), draft)
    second = wb.request_adjustment(login("clerk"), draft)
    wb.grant(login("admin"), "clerk2", "approver")
    assert wb.approve(login("clerk2"), first.request_id).state == "posted"
    wb.revoke(login("admin"), "clerk2", "approver")
    with pytest.raises(NotAllowed, match="may not approve"):
        wb.approve(login("clerk2"), second.request_id)
    trail = [(e.action, e.target, e.data.get("role")) for e in wb.audit_trail(login("auditor"))
             if e.action.startswith("role_")]
    assert trail[-2:] == [("role_granted", "clerk2", "approver"), ("role_revoked", "clerk2", "approver")]


def test_logins_are_audited_including_failures(wb: Writeback, login) -> None:
    with pytest.raises(LoginFailed):
        wb.login("clerk", "wrong password")
    with pytest.raises(LoginFailed):
        wb.login("nobody", PASSWORD)
    wb.login("clerk", PASSWORD)
    entries = [(e.action, e.target, e.data.get("reason"))
               for e in wb.audit_trail(login("auditor"), action=None) if e.action.startswith("login")]
    assert entries[:3] == [("login_failed", "clerk", "wrong password"),
                           ("login_failed", "nobody", "unknown user"), ("login", "clerk", None)]


def test_deactivation_ends_sessions_revokes_roles_and_refuses_logins(wb: Writeback, login) -> None:
    session = login("approver")
    wb.deactivate(login("admin"), "approver")
    with pytest.raises(SessionExpired):
        wb.requests(session)
    with pytest.raises(LoginFailed):
        wb.login("approver", PASSWORD)
    with pytest.raises(NotAllowed, match="themselves"):
        wb.deactivate(login("admin"), "admin")
    with pytest.raises(InvalidRequest, match="already"):
        wb.deactivate(login("admin"), "approver")
    (row,) = [r for r in wb.access_review(login("auditor")) if r.user_id == "approver"]
    assert (row.active, row.roles, row.revoked_roles) == (False, (), ("approver",))
    assert row.deactivated_at is not None and row.last_login_at is not None


def test_a_request_of_someone_who_left_cannot_be_approved(wb: Writeback, login) -> None:
    draft = AdjustmentDraft("CHEAP", LOCATION, "-1", "LOSS", evidence_kind="audit_finding", evidence_id="A1")
    request = wb.request_adjustment(login("clerk"), draft)
    wb.deactivate(login("admin"), "clerk")
    with pytest.raises(NotAllowed, match="has left"):
        wb.approve(login("approver"), request.request_id)
    assert wb.reject(login("approver"), request.request_id, "requester left").state == "rejected"


def test_the_access_review_finds_postings_after_leaving(wb: Writeback, login, monkeypatch) -> None:
    from dashboards.writeback import posting

    draft = AdjustmentDraft("CHEAP", LOCATION, "-1", "LOSS", evidence_kind="audit_finding", evidence_id="A1")
    request = wb.request_adjustment(login("clerk"), draft)

    def disk_full(path, content):
        raise OSError("disk full")

    monkeypatch.setattr(posting, "_write_atomically", disk_full)
    with pytest.raises(OSError):
        wb.approve(login("approver"), request.request_id)  # approved, not posted
    monkeypatch.undo()
    wb.deactivate(login("admin"), "clerk")
    wb.post_approved(login("admin"))
    review = {r.user_id: r for r in wb.access_review(login("auditor"))}
    assert review["clerk"].postings_after_leaving == 1 and review["clerk"].finding
    assert review["clerk"].ledger_postings_after_leaving == 0  # the hand-made warehouse has none
    assert not review["approver"].finding
    assert (review["clerk"].requests, review["approver"].approvals) == (1, 1)


def test_the_access_review_counts_ledger_postings_after_leaving(wb: Writeback, login) -> None:
    import duckdb

    wb.add_user(login("admin"), "erp-user", "clerk", PASSWORD)
    wb.deactivate(login("admin"), "erp-user")
    # the hand-made ledger's only postings by erp-user are of 2026-02-01, before today:
    review = {r.user_id: r for r in wb.access_review(login("auditor"))}
    assert review["erp-user"].ledger_postings_after_leaving == 0
    con = duckdb.connect(str(wb.ws.warehouse))
    con.execute("INSERT INTO marts.fct_inventory_ledger VALUES ('CHEAP', ?, NULL, -1, 'erp-user', "
                "now()::TIMESTAMP + INTERVAL 1 HOUR)", [LOCATION])
    con.close()
    review = {r.user_id: r for r in wb.access_review(login("auditor"))}
    assert review["erp-user"].ledger_postings_after_leaving == 1 and review["erp-user"].finding


@pytest.mark.parametrize("user", ["clerk", "approver"])
def test_the_access_review_and_trail_are_for_reviewers(wb: Writeback, login, user: str) -> None:
    with pytest.raises(NotAllowed, match="access review"):
        wb.access_review(login(user))
    with pytest.raises(NotAllowed, match="audit trail"):
        wb.audit_trail(login(user))


def test_passwords_change_own_or_by_an_admin(wb: Writeback, login) -> None:
    with pytest.raises(NotAllowed, match="own password"):
        wb.set_password(login("clerk"), "clerk2", "another long one")
    with pytest.raises(InvalidRequest, match="shorter"):
        wb.set_password(login("clerk"), "clerk", "short")
    wb.set_password(login("clerk"), "clerk", "another long one")
    wb.set_password(login("admin"), "clerk2", "reset by the admin")
    assert wb.login("clerk", "another long one").user_id == "clerk"
    assert wb.login("clerk2", "reset by the admin").user_id == "clerk2"
