"""The write-back pages under Streamlit's AppTest: sign-in, request with preview, approval,
the audit trail and the access review, each acting through the real store."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboards.writeback import Writeback
from tests.writeback.helpers import LOCATION, PASSWORD

PAGES = Path(__file__).resolve().parents[2] / "dashboards" / "app_pages"
TIMEOUT = 60


def page(name: str, wb: Writeback | None = None, user: str | None = None) -> AppTest:
    at = AppTest.from_file(str(PAGES / name), default_timeout=TIMEOUT)
    if wb is not None and user is not None:
        at.session_state["wb_session"] = wb.login(user, PASSWORD)
    return at.run()


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "success", "info", "warning", "error")
             for e in getattr(at, kind)]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("name", ["writeback_requests.py", "writeback_audit.py", "writeback_access.py"])
def test_pages_ask_for_a_sign_in_first(wb: Writeback, name: str) -> None:
    at = page(name)
    assert not at.exception and not at.error
    assert "Sign in" in texts(at)
    assert [b.label for b in at.sidebar.button] == ["Sign in"]


def test_signing_in_from_the_sidebar_and_out(wb: Writeback) -> None:
    at = page("writeback_requests.py")
    at.sidebar.text_input(key="wb-sidebar-sign-in-user").input("clerk")
    at.sidebar.text_input(key="wb-sidebar-sign-in-password").input(PASSWORD)
    at.sidebar.button[0].click().run()
    assert not at.exception
    assert at.session_state["wb_session"].user_id == "clerk"
    assert "Signed in as **clerk** (clerk)" in "\n".join(m.value for m in at.sidebar.markdown)
    at.sidebar.button(key="wb-sign-out").click().run()
    assert "wb_session" not in at.session_state
    actions = [e.action for e in wb.audit_trail(wb.login("auditor", PASSWORD))]
    assert actions[-3:-1] == ["login", "logout"]


def test_a_wrong_password_is_refused_on_the_page(wb: Writeback) -> None:
    at = page("writeback_sign_in.py")
    at.text_input(key="wb-page-sign-in-user").input("clerk")
    at.text_input(key="wb-page-sign-in-password").input("nope")
    at.button[0].click().run()
    assert "wb_session" not in at.session_state
    assert any("login failed" in e.value for e in at.error)


def test_a_clerk_previews_and_requests_an_adjustment(wb: Writeback) -> None:
    at = page("writeback_requests.py", wb, "clerk")
    assert not at.exception
    at.selectbox(key="wb-adj-item").select("CHEAP").run()
    at.selectbox(key="wb-adj-loc").select(LOCATION)
    at.text_input(key="wb-adj-qty").input("-4")
    at.radio(key="wb-adj-evidence").set_value("Audit finding")
    at.text_input(key="wb-adj-evidence-id").input("AF-21")
    at.selectbox(key="wb-adj-reason").select("LOSS")
    at.button(key="FormSubmitter:wb-adjust-Preview").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    shown = texts(at)
    assert "Value impact=-€10.00" in shown and "Needs=one approver" in shown
    assert wb.requests(wb.login("auditor", PASSWORD)) == []  # a preview requests nothing
    at.button(key="wb-submit-adjustment").click().run()
    assert any("Requested **WB-000001**" in s.value for s in at.success)
    (made,) = wb.requests(wb.login("auditor", PASSWORD))
    assert (made.item_id, made.qty, made.requested_by, made.evidence_id) == ("CHEAP", -4, "clerk", "AF-21")


def test_a_refused_preview_says_why(wb: Writeback) -> None:
    at = page("writeback_requests.py", wb, "clerk")
    at.selectbox(key="wb-adj-item").select("PRICEY").run()
    at.text_input(key="wb-adj-qty").input("-1")
    at.radio(key="wb-adj-evidence").set_value("Audit finding")
    at.text_input(key="wb-adj-evidence-id").input("AF-1")
    at.button(key="FormSubmitter:wb-adjust-Preview").click().run()
    assert any("justification" in e.value for e in at.error)
    assert "wb-submit-adjustment" not in [b.key for b in at.button]


def test_an_approver_decides_from_the_queue(wb: Writeback) -> None:
    from dashboards.writeback import AdjustmentDraft

    clerk = wb.login("clerk", PASSWORD)
    draft = AdjustmentDraft("CHEAP", LOCATION, "-2", "LOSS", evidence_kind="audit_finding", evidence_id="A")
    first, second = wb.request_adjustment(clerk, draft), wb.request_adjustment(clerk, draft)
    at = page("writeback_requests.py", wb, "approver")
    assert not at.exception
    at.selectbox(key="wb-queue-pick").select(first.request_id).run()
    at.button(key="FormSubmitter:wb-approve-Approve").click().run()
    assert any(f"{first.request_id} is posted" in s.value for s in at.success)
    at.selectbox(key="wb-queue-pick").select(second.request_id).run()
    at.text_input(key="wb-reject-reason").input("already counted in WB-000001")
    at.button(key="FormSubmitter:wb-reject-Reject").click().run()
    states = {r.request_id: r.state for r in wb.requests(clerk)}
    assert states == {first.request_id: "posted", second.request_id: "rejected"}


def test_a_clerk_has_no_queue_and_the_requester_not_their_own(wb: Writeback) -> None:
    at = page("writeback_requests.py", wb, "clerk")
    assert "Only approvers and controllers decide requests." in texts(at)


def test_the_auditor_reads_filters_and_verifies_the_trail(wb: Writeback) -> None:
    at = page("writeback_audit.py", wb, "auditor")
    assert not at.exception and not at.error
    assert at.dataframe[0].value.shape[0] > 10
    at.selectbox(key="wb-trail-action").select("role_granted").run()
    assert set(at.dataframe[0].value["action"]) == {"role_granted"}
    at.button(key="wb-verify").click().run()
    assert any("The trail verifies" in s.value for s in at.success)


def test_a_clerk_cannot_read_the_trail_or_the_review(wb: Writeback) -> None:
    assert "for auditors, controllers and admins" in texts(page("writeback_audit.py", wb, "clerk"))
    assert "for auditors, controllers and admins" in texts(page("writeback_access.py", wb, "clerk"))


def test_an_admin_deactivates_from_the_access_review(wb: Writeback) -> None:
    at = page("writeback_access.py", wb, "admin")
    assert not at.exception and not at.error
    assert "clerk2" in set(at.dataframe[0].value["user_id"])
    at.selectbox(key="wb-deactivate-user").select("clerk2")
    at.button(key="FormSubmitter:wb-deactivate-Deactivate").click().run()
    assert any("Deactivated clerk2" in s.value for s in at.success)
    (row,) = [r for r in wb.access_review(wb.login("auditor", PASSWORD)) if r.user_id == "clerk2"]
    assert not row.active and row.roles == ()


def _entry_point() -> None:
    import streamlit as st

    from dashboards.signin import read_gate

    read_gate()
    st.markdown("DASHBOARD CONTENT")


@pytest.mark.parametrize("required", [False, True])
def test_the_read_gate_follows_the_setting(wb: Writeback, required: bool) -> None:
    settings = wb.ws.settings_file
    settings.write_text(settings.read_text() + f"require_login_to_read = {str(required).lower()}\n")
    at = AppTest.from_function(_entry_point, default_timeout=TIMEOUT).run()
    assert ("DASHBOARD CONTENT" in texts(at)) is not required
    if required:
        at.sidebar.text_input(key="wb-sidebar-sign-in-user").input("auditor")
        at.sidebar.text_input(key="wb-sidebar-sign-in-password").input(PASSWORD)
        at.sidebar.button[0].click().run()
        assert "DASHBOARD CONTENT" in texts(at)
