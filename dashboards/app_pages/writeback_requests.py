"""Adjustments & approvals: request a stock adjustment or an item status change with its value
preview; decide the requests waiting for you; every request with its state."""

import streamlit as st

from dashboards import signin as common
from dashboards import ui
from dashboards.format import money, quantity
from dashboards.writeback import (
    ADJUSTMENT_REASONS,
    STATUS_REASONS,
    AdjustmentDraft,
    StatusDraft,
    frames,
)
from dashboards.writeback.errors import WritebackError
from dashboards.writeback.lookup import item_choices, location_choices
from dashboards.writeback.requests import STATES
from dashboards.writeback.users import CAN_APPROVE, CAN_REQUEST
from ingestion.contract import ITEM_STATUSES

EVIDENCE = {"Cycle count": "cycle_count", "Audit finding": "audit_finding", "None": None}


def show_preview(p) -> None:
    a, b, c, d = st.columns(4)
    a.metric("Value impact", money(p.value_impact, cents=True))
    b.metric("Unit cost", money(p.unit_cost, cents=True), help=f"From {p.unit_cost_source}.")
    if p.kind == "adjustment":
        c.metric("At the location", f"{quantity(p.stock_qty)} → {quantity(p.stock_qty_after)}",
                 help=f"In {p.uom}, {p.location_id} (site {p.site_id})" + (f", lot {p.lot_id}" if p.lot_id else ""))
    else:
        c.metric("Status", f"{p.from_status} → {p.to_status}", help=f"Owned stock {quantity(p.stock_qty, p.uom)}.")
    d.metric("Needs", p.approval_rule)
    flags = [w for w, on in (("regulated", p.regulated), ("high-value", p.high_value)) if on]
    if flags:
        st.caption(f"{p.item_id} is {' and '.join(flags)}: a justification is required.")
    for warning in p.warnings:
        st.warning(warning, icon=":material/warning:")


def submit(kind: str, draft) -> None:
    """The 'Submit request' step after a preview."""
    if st.button("Submit request", type="primary", key=f"wb-submit-{kind}", icon=":material/send:"):
        try:
            made = (wb.request_adjustment(session, draft) if kind == "adjustment"
                    else wb.request_status_change(session, draft))
        except WritebackError as refused:
            st.error(str(refused), icon=":material/block:")
        else:
            st.session_state.pop(f"wb-draft-{kind}", None)
            st.success(f"Requested **{made.request_id}**: waiting for approval.", icon=":material/task_alt:")


with ui.page_guard():
    wb = common.store()
    ui.header("Adjustments & approvals", "Propose a change with its value impact; the right people approve it; "
              "it reaches the ledger with the next ingest and build.")
    session = common.sidebar_account(wb)
    if session is None:
        ui.empty("Sign in (in the sidebar) to request or approve changes.")
        st.stop()
    roles = set(session.roles)
    adjust_tab, status_tab, queue_tab, all_tab = st.tabs(
        ["Adjust stock", "Change an item's status", "Waiting for me", "All requests"])

    with adjust_tab:
        if not roles & CAN_REQUEST:
            ui.empty("Your roles do not include requesting changes.")
        else:
            items = ui.load(item_choices)
            item = st.selectbox("Item", items, index=None, placeholder="Pick an item", key="wb-adj-item")
            if item:
                with st.form("wb-adjust"):
                    left, right = st.columns(2)
                    location = left.selectbox("Location", ui.load(location_choices, item), key="wb-adj-loc")
                    lot = right.text_input("Lot (lot-tracked items)", key="wb-adj-lot")
                    qty = left.text_input("Quantity change (base unit; + found, - missing)", key="wb-adj-qty")
                    reason = right.selectbox("Reason", ADJUSTMENT_REASONS, key="wb-adj-reason")
                    evidence = left.radio("Evidence", ["Cycle count", "Audit finding"], horizontal=True,
                                          key="wb-adj-evidence")
                    evidence_id = right.text_input("Count id / finding id", key="wb-adj-evidence-id")
                    justification = st.text_area("Justification", key="wb-adj-why",
                                                 help="Required for regulated and high-value items.")
                    if st.form_submit_button("Preview", icon=":material/visibility:"):
                        draft = AdjustmentDraft(item, location, qty, reason, lot or None, justification or None,
                                                EVIDENCE[evidence], evidence_id or None)
                        try:
                            st.session_state["wb-draft-adjustment"] = (draft, wb.preview_adjustment(session, draft))
                        except WritebackError as refused:
                            st.session_state.pop("wb-draft-adjustment", None)
                            st.error(str(refused), icon=":material/block:")
                staged = st.session_state.get("wb-draft-adjustment")
                if staged and staged[0].item_id == item:
                    show_preview(staged[1])
                    submit("adjustment", staged[0])

    with status_tab:
        if not roles & CAN_REQUEST:
            ui.empty("Your roles do not include requesting changes.")
        else:
            item = st.selectbox("Item", ui.load(item_choices), index=None, placeholder="Pick an item",
                                key="wb-status-item")
            if item:
                with st.form("wb-status"):
                    left, right = st.columns(2)
                    to_status = left.selectbox("New status", ITEM_STATUSES, key="wb-status-to")
                    reason = right.selectbox("Reason", STATUS_REASONS, key="wb-status-reason")
                    evidence = left.radio("Evidence", list(EVIDENCE), index=2, horizontal=True,
                                          key="wb-status-evidence")
                    evidence_id = right.text_input("Count id / finding id", key="wb-status-evidence-id")
                    justification = st.text_area("Justification", key="wb-status-why")
                    if st.form_submit_button("Preview", icon=":material/visibility:"):
                        draft = StatusDraft(item, to_status, reason, justification or None, EVIDENCE[evidence],
                                            evidence_id or None)
                        try:
                            st.session_state["wb-draft-status"] = (draft, wb.preview_status_change(session, draft))
                        except WritebackError as refused:
                            st.session_state.pop("wb-draft-status", None)
                            st.error(str(refused), icon=":material/block:")
                staged = st.session_state.get("wb-draft-status")
                if staged and staged[0].item_id == item:
                    show_preview(staged[1])
                    submit("status", staged[0])

    with queue_tab:
        if not roles & CAN_APPROVE:
            ui.empty("Only approvers and controllers decide requests.")
        else:
            waiting = wb.approval_queue(session)
            if not waiting:
                ui.empty("Nothing is waiting for your decision.")
            else:
                ui.table(frames.requests(waiting), key="wb-queue")
            by_id = {r.request_id: r for r in waiting}
            chosen = st.selectbox("Request to decide", list(by_id), index=None, key="wb-queue-pick",
                                  format_func=lambda i: f"{i}: {by_id[i].summary}") if waiting else None
            if chosen:
                request = by_id[chosen]
                st.markdown(
                    f"**{request.request_id}** · {request.summary} · value **{money(request.value_impact, cents=True)}**"
                    f" · reason {request.reason_code} · requested by **{request.requested_by}** at "
                    f"{request.requested_at[:16].replace('T', ' ')} UTC  \n"
                    f"Evidence: {request.evidence_kind or '–'} {request.evidence_id or ''} · "
                    f"approvals so far: {', '.join(request.approvers) or 'none'} of {request.approvals_needed}"
                    + (" (a controller must approve)" if request.controller_needed else "")
                    + (f"  \nJustification: {request.justification}" if request.justification else ""))
                approve_col, reject_col = st.columns(2)
                with approve_col.form("wb-approve"):
                    comment = st.text_input("Comment (optional)", key="wb-approve-comment")
                    if st.form_submit_button("Approve", type="primary", icon=":material/check:"):
                        try:
                            done = wb.approve(session, request.request_id, comment or None)
                        except WritebackError as refused:
                            st.error(str(refused), icon=":material/block:")
                        else:
                            st.success(f"{done.request_id} is {done.state}"
                                       + (f": {done.posted_file}" if done.posted_file else "."),
                                       icon=":material/task_alt:")
                with reject_col.form("wb-reject"):
                    reason = st.text_input("Reason for rejecting (required)", key="wb-reject-reason")
                    if st.form_submit_button("Reject", icon=":material/close:"):
                        try:
                            done = wb.reject(session, request.request_id, reason)
                        except WritebackError as refused:
                            st.error(str(refused), icon=":material/block:")
                        else:
                            st.success(f"{done.request_id} rejected.", icon=":material/task_alt:")

    with all_tab:
        state = st.selectbox("State", ["all", *STATES], key="wb-all-state")
        listed = wb.requests(session, None if state == "all" else state)
        ui.table(frames.requests(listed), key="wb-all", download="writeback-requests")
