"""Exactly-once posting when approvers click at the same moment: threads and processes."""

from __future__ import annotations

import multiprocessing
import sys
import threading
import types
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboards.writeback import AdjustmentDraft, Writeback
from dashboards.writeback.errors import WritebackError
from tests.writeback.helpers import LOCATION, approve_in_process, request_in_process

APPROVERS = ["approver", "approver2", "controller", "controller2"]


@pytest.fixture(autouse=True)
def plain_main(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spawned processes re-run ``__main__``; in a pytest worker that ran Streamlit's AppTest before,
    ``__main__`` is the app script AppTest ran. Give the children a plain one."""
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))


def draft(qty: str) -> AdjustmentDraft:
    return AdjustmentDraft("CHEAP", LOCATION, qty, "LOSS", evidence_kind="audit_finding", evidence_id="A1")


def posted_entries(wb: Writeback, login, request_id: str) -> int:
    return sum(e.action == "posted" for e in wb.audit_trail(login("auditor"), target=request_id))


def inbox_files(wb: Writeback) -> list[str]:
    return sorted(p.name for p in (wb.ws.inbox / "writeback").rglob("*") if p.is_file())


def _race_threads(wb: Writeback, login, request_id: str, users: list[str]) -> list[str]:
    sessions = {u: login(u) for u in users}
    barrier = threading.Barrier(len(users))

    def approve(user: str) -> str:
        barrier.wait()
        try:
            return wb.approve(sessions[user], request_id).state
        except WritebackError as refused:
            return f"refused: {type(refused).__name__}"

    with ThreadPoolExecutor(len(users)) as pool:
        return list(pool.map(approve, users))


def test_simultaneous_approvals_in_threads_post_once(wb: Writeback, login) -> None:
    request = wb.request_adjustment(login("clerk"), draft("-1"))
    outcomes = _race_threads(wb, login, request.request_id, APPROVERS)
    assert sorted(outcomes) == ["posted"] + ["refused: AlreadyDecided"] * 3
    assert inbox_files(wb) == ["WB-000001.csv"]
    assert posted_entries(wb, login, request.request_id) == 1
    assert len(wb.request(login("auditor"), request.request_id).approvers) == 1
    assert wb.verify().ok


def test_simultaneous_approvals_of_a_dual_request_take_exactly_two(wb: Writeback, login) -> None:
    big = AdjustmentDraft("BIG", LOCATION, "-30", "LOSS", evidence_kind="audit_finding", evidence_id="A1")
    request = wb.request_adjustment(login("clerk"), big)
    outcomes = _race_threads(wb, login, request.request_id, APPROVERS)
    done = wb.request(login("auditor"), request.request_id)
    assert done.state == "posted" and len(set(done.approvers)) == 2
    assert outcomes.count("posted") == 1 and outcomes.count("pending") <= 1
    assert any(r in ("controller", "controller2") for r in done.approvers)
    assert posted_entries(wb, login, request.request_id) == 1
    assert inbox_files(wb) == ["WB-000001.csv"]


def test_simultaneous_approvals_in_processes_post_once(wb: Writeback, login) -> None:
    request = wb.request_adjustment(login("clerk"), draft("-2"))
    context = multiprocessing.get_context("spawn")
    barrier = context.Manager().Barrier(len(APPROVERS))
    with context.Pool(len(APPROVERS)) as pool:
        outcomes = pool.starmap(approve_in_process, [(str(wb.ws.root), u, request.request_id, barrier)
                                                      for u in APPROVERS])
    assert sorted(outcomes) == ["posted"] + ["refused: AlreadyDecided"] * 3
    assert inbox_files(wb) == ["WB-000001.csv"]
    assert posted_entries(wb, login, request.request_id) == 1
    assert wb.verify().ok


def test_requests_from_several_processes_get_distinct_ids(wb: Writeback, login) -> None:
    clerks = ["clerk", "clerk2", "approver", "controller"]
    context = multiprocessing.get_context("spawn")
    barrier = context.Manager().Barrier(len(clerks))
    with context.Pool(len(clerks)) as pool:
        ids = pool.starmap(request_in_process, [(str(wb.ws.root), u, 5, barrier) for u in clerks])
    flat = sorted(i for chunk in ids for i in chunk)
    assert flat == [f"WB-{n:06d}" for n in range(1, 21)]
    trail = wb.audit_trail(login("auditor"))
    assert sorted(e.target for e in trail if e.action == "requested") == flat
    assert wb.verify().ok and wb.verify().entries == len(trail)


def test_retried_postings_from_threads_post_once(wb: Writeback, login, monkeypatch) -> None:
    from dashboards.writeback import posting

    request = wb.request_adjustment(login("clerk"), draft("-3"))
    real_write = posting._write_atomically

    def fail(path, content):
        raise OSError("inbox unavailable")

    monkeypatch.setattr(posting, "_write_atomically", fail)
    try:
        wb.approve(login("approver"), request.request_id)
    except OSError:
        pass
    monkeypatch.setattr(posting, "_write_atomically", real_write)
    sessions = [login(u) for u in APPROVERS]
    barrier = threading.Barrier(len(sessions))

    def retry(session) -> list[str]:
        barrier.wait()
        return [r.request_id for r in wb.post_approved(session)]

    with ThreadPoolExecutor(len(sessions)) as pool:
        results = list(pool.map(retry, sessions))
    assert sorted(results) == [[], [], [], [request.request_id]]
    assert posted_entries(wb, login, request.request_id) == 1
