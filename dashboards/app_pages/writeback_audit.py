"""Audit trail: every write-back action, filtered; and the check of its hash chain."""

from datetime import datetime, time, timezone

import streamlit as st

from dashboards import signin as common
from dashboards import ui
from dashboards.writeback import frames
from dashboards.writeback.audit import ACTIONS
from dashboards.writeback.users import CAN_REVIEW

with ui.page_guard():
    wb = common.store()
    ui.header("Audit trail", "Every request, approval, rejection, posting, sign-in and role change, "
              "chained by SHA-256 so that any edited, deleted or reordered entry shows.")
    session = common.sidebar_account(wb)
    if session is None:
        ui.empty("Sign in (in the sidebar) as an auditor, controller or admin to read the trail.")
        st.stop()
    if not set(session.roles) & CAN_REVIEW:
        ui.empty("The audit trail is for auditors, controllers and admins.")
        st.stop()

    check, head = st.columns([1, 3])
    if check.button("Verify the chain", icon=":material/verified:", key="wb-verify"):
        report = wb.verify()
        if report.ok:
            head.success(f"The trail verifies: {report.entries} entries, head `{report.head}` "
                         "(note it down to check later that nothing was rewritten).", icon=":material/verified:")
        else:
            head.error("The trail does NOT verify:\n\n" + "\n".join(f"- {p}" for p in report.problems),
                       icon=":material/gpp_bad:")

    a, b, c, d = st.columns(4)
    actor = a.text_input("Who (user id)", key="wb-trail-actor").strip() or None
    action = b.selectbox("Action", ["all", *ACTIONS], key="wb-trail-action")
    target = c.text_input("About (request or user id)", key="wb-trail-target").strip() or None
    since = d.date_input("Since (UTC)", value=None, key="wb-trail-since")
    entries = wb.audit_trail(session, actor=actor, action=None if action == "all" else action, target=target,
                             since=datetime.combine(since, time(), timezone.utc) if since else None,
                             limit=5000)
    st.caption(f"{len(entries):,} entries (newest 5,000 at most), oldest first.")
    ui.table(frames.trail(entries), key="wb-trail", download="audit-trail")
