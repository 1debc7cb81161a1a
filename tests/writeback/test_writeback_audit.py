"""The hash-chained audit trail: every edit, deletion and reordering is detected."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboards.writeback import AdjustmentDraft, Writeback
from dashboards.writeback.audit import entry_hash
from onhand.cli import app
from tests.writeback.helpers import LOCATION


@pytest.fixture
def trail(wb: Writeback, login) -> Writeback:
    """A store with some history: requests, an approval, a posting, a rejection, logins."""
    draft = AdjustmentDraft("CHEAP", LOCATION, "-1", "LOSS", evidence_kind="audit_finding", evidence_id="A1")
    first = wb.request_adjustment(login("clerk"), draft)
    second = wb.request_adjustment(login("clerk"), draft)
    wb.approve(login("approver"), first.request_id)
    wb.reject(login("approver"), second.request_id, "duplicate of the first")
    assert wb.verify().ok
    return wb


def tamper(path: Path, *statements: str) -> None:
    """What someone with the file and the sqlite3 shell could do: drop the guards, then edit."""
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("DROP TRIGGER audit_log_no_delete")
    for sql in statements:
        con.execute(sql)
    con.commit()
    con.close()


def test_the_log_refuses_updates_and_deletes(trail: Writeback) -> None:
    con = sqlite3.connect(trail.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE audit_log SET actor = 'someone' WHERE seq = 3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("DELETE FROM audit_log WHERE seq = 3")
    con.close()


def test_every_action_is_in_the_trail_in_order(trail: Writeback, login) -> None:
    entries = trail.audit_trail(login("auditor"))
    actions = [e.action for e in entries]
    assert actions.count("user_created") == 8 and actions.count("role_granted") == 8
    assert [a for a in actions if a in ("requested", "approved", "posted", "rejected")] == [
        "requested", "requested", "approved", "posted", "rejected"]
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))


def test_an_edited_entry_is_detected(trail: Writeback) -> None:
    seq = _seq_of(trail, "rejected")
    tamper(trail.path, f"UPDATE audit_log SET details = '{{\"reason\":\"fine\"}}' WHERE seq = {seq}")
    report = trail.verify()
    assert not report.ok
    assert report.problems == [f"entry {seq} (rejected by approver) was edited: "
                               "its content no longer matches its hash"]


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(trail: Writeback) -> None:
    seq = _seq_of(trail, "approved")
    con = sqlite3.connect(trail.path)
    row = con.execute("SELECT prev_hash, seq, at, actor, action, target, details FROM audit_log "
                      "WHERE seq = ?", (seq,)).fetchone()
    con.close()
    forged = entry_hash(row[0], row[1], row[2], "controller", *row[4:])
    tamper(trail.path, f"UPDATE audit_log SET actor = 'controller', hash = '{forged}' WHERE seq = {seq}")
    assert trail.verify().problems == [f"entry {seq + 1} does not follow the entry before it: "
                                       "entries deleted, inserted or reordered"]


def test_a_deleted_entry_is_detected(trail: Writeback) -> None:
    seq = _seq_of(trail, "approved")
    tamper(trail.path, f"DELETE FROM audit_log WHERE seq = {seq}")
    problems = trail.verify().problems
    assert problems[0] == f"entry {seq} is missing: deleted (found {seq + 1} next)"
    assert problems[1].startswith(f"entry {seq + 1} does not follow")


def test_deleted_last_entries_are_detected(trail: Writeback) -> None:
    last = _seq_of(trail, "rejected")
    tamper(trail.path, f"DELETE FROM audit_log WHERE seq >= {last - 1}")
    assert trail.verify().problems == [f"the log ends at {last - 2} but the head is {last}: "
                                       "entries at the end were deleted"]


def test_reordered_entries_are_detected(trail: Writeback) -> None:
    a, b = _seq_of(trail, "approved"), _seq_of(trail, "rejected")
    tamper(trail.path, f"UPDATE audit_log SET seq = -1 WHERE seq = {a}",
           f"UPDATE audit_log SET seq = {a} WHERE seq = {b}",
           f"UPDATE audit_log SET seq = {b} WHERE seq = -1")
    problems = trail.verify().problems
    assert f"entry {a} (rejected by approver) was edited: its content no longer matches its hash" in problems
    assert any(p.startswith(f"entry {a} does not follow") for p in problems)


def test_a_rewritten_chain_is_caught_by_a_recorded_head(trail: Writeback) -> None:
    recorded = trail.verify().head
    con = sqlite3.connect(trail.path)
    rows = con.execute("SELECT seq, at, actor, action, target, details FROM audit_log ORDER BY seq").fetchall()
    con.close()
    statements, prev = [], "0" * 64
    for seq, at, actor, action, target, details in rows:
        actor = "nobody" if action == "approved" else actor
        digest = entry_hash(prev, seq, at, actor, action, target, details)
        statements.append(f"UPDATE audit_log SET actor = '{actor}', prev_hash = '{prev}', "
                          f"hash = '{digest}' WHERE seq = {seq}")
        prev = digest
    statements.append(f"UPDATE meta SET value = '{rows[-1][0]}:{prev}' WHERE key = 'audit_head'")
    tamper(trail.path, *statements)
    assert trail.verify().ok  # a complete rewrite passes the chain alone...
    assert trail.verify(recorded).problems == [  # ...but not the head recorded before
        f"entry {recorded.split(':')[0]} is not the one recorded earlier (the log was rewritten)"]


def test_onhand_audit_verify_exits_1_and_names_the_entry(trail: Writeback) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--home", str(trail.ws.root)])
    assert ok.exit_code == 0 and "The audit trail verifies" in ok.output
    seq = _seq_of(trail, "posted")
    tamper(trail.path, f"DELETE FROM audit_log WHERE seq = {seq}")
    bad = runner.invoke(app, ["audit", "verify", "--home", str(trail.ws.root)])
    assert bad.exit_code == 1
    assert f"entry {seq} is missing" in bad.output and "does NOT verify" in bad.output


def _seq_of(wb: Writeback, action: str) -> int:
    con = sqlite3.connect(wb.path)
    (seq,) = con.execute("SELECT max(seq) FROM audit_log WHERE action = ?", (action,)).fetchone()
    con.close()
    return seq
