"""Backup with SQLite's online backup API, and a restore that brings the store back."""

from __future__ import annotations

import pytest

from dashboards.writeback import AdjustmentDraft, Writeback
from dashboards.writeback.errors import NotAllowed, StoreInvalid
from tests.writeback.helpers import LOCATION, PASSWORD

DRAFT = AdjustmentDraft("CHEAP", LOCATION, "-1", "LOSS", evidence_kind="audit_finding", evidence_id="A1")


def test_a_backup_restores_the_store_as_it_was(wb: Writeback, login, tmp_path) -> None:
    kept = wb.request_adjustment(login("clerk"), DRAFT)
    info = wb.backup(login("admin"), tmp_path / "backups" / "wb-1.sqlite")
    assert info.path.is_file() and Writeback(wb.ws).verify(info.head).ok
    lost = wb.request_adjustment(login("clerk"), DRAFT)
    wb.approve(login("approver"), lost.request_id)  # posted after the backup
    wb.deactivate(login("admin"), "clerk2")
    admin = wb.login("admin", PASSWORD)
    restored = wb.restore(admin, info.path)
    listed = {r.request_id: r.state for r in wb.requests(wb.login("auditor", PASSWORD))}
    assert listed == {kept.request_id: "pending"}
    assert wb.login("clerk2", PASSWORD).user_id == "clerk2"  # active again, as in the backup
    (entry,) = wb.audit_trail(wb.login("auditor", PASSWORD), action="restored")
    assert wb.verify().ok and f"{entry.seq}:{entry.hash}" == restored.head
    assert entry.actor == "admin" and entry.data["backup_head"] == info.head
    # the store it replaced is kept aside, whole
    aside = Writeback(wb.ws)
    aside.path = wb.path.parent / entry.data["replaced_store_kept_at"].rsplit("/", 1)[-1]
    assert aside.verify().ok and aside.verify().head == entry.data["replaced_head"]


def test_after_a_restore_request_ids_already_posted_are_never_reused(wb: Writeback, login, tmp_path) -> None:
    info = wb.backup(login("admin"), tmp_path / "wb.sqlite")
    posted = wb.request_adjustment(login("clerk"), DRAFT)
    wb.approve(login("approver"), posted.request_id)
    wb.restore(login("admin"), info.path)
    again = wb.request_adjustment(wb.login("clerk", PASSWORD), DRAFT)
    assert (posted.request_id, again.request_id) == ("WB-000001", "WB-000002")
    assert wb.approve(wb.login("approver", PASSWORD), again.request_id).state == "posted"


def test_only_an_admin_backs_up_and_restores(wb: Writeback, login, tmp_path) -> None:
    with pytest.raises(NotAllowed, match="back up"):
        wb.backup(login("auditor"), tmp_path / "x.sqlite")
    info = wb.backup(login("admin"), tmp_path / "x.sqlite")
    with pytest.raises(NotAllowed, match="restore"):
        wb.restore(login("controller"), info.path)
    with pytest.raises(NotAllowed, match="exists already"):
        wb.backup(login("admin"), info.path)


def test_a_tampered_backup_is_not_restored(wb: Writeback, login, tmp_path) -> None:
    import sqlite3

    info = wb.backup(login("admin"), tmp_path / "x.sqlite")
    con = sqlite3.connect(info.path)
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE seq = 2")
    con.commit()
    con.close()
    with pytest.raises(StoreInvalid, match="does not verify"):
        wb.restore(login("admin"), info.path)
