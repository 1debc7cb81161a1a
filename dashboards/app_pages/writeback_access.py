"""Access review: accounts, roles, last sign-in, and anything done or posted after leaving;
admins deactivate accounts and grant or revoke roles here (each change audited)."""

import streamlit as st

from dashboards import signin as common
from dashboards import ui
from dashboards.writeback import ROLES, frames
from dashboards.writeback.errors import WritebackError
from dashboards.writeback.users import CAN_ADMINISTER, CAN_REVIEW

with ui.page_guard():
    wb = common.store()
    ui.header("Access review", "Who holds which role, when they last signed in, and whether anything was "
              "done or posted under an account after it was deactivated.")
    session = common.sidebar_account(wb)
    if session is None:
        ui.empty("Sign in (in the sidebar) as an auditor, controller or admin for the access review.")
        st.stop()
    if not set(session.roles) & CAN_REVIEW:
        ui.empty("The access review is for auditors, controllers and admins.")
        st.stop()

    rows = wb.access_review(session)
    findings = [r.user_id for r in rows if r.finding]
    a, b, c = st.columns(3)
    a.metric("Accounts", f"{len(rows)}")
    b.metric("Active", f"{sum(r.active for r in rows)}")
    c.metric("Activity after leaving", f"{len(findings)}", help="Accounts with actions, write-back postings or "
             "ledger movements after they were deactivated.")
    if findings:
        st.warning("Activity after leaving: " + ", ".join(findings), icon=":material/warning:")
    ui.table(frames.review(rows), key="wb-review", download="access-review")

    if set(session.roles) & CAN_ADMINISTER:
        st.subheader("Change access")
        users = [r.user_id for r in rows if r.active]
        left, right = st.columns(2)
        with left.form("wb-role"):
            user = st.selectbox("User", users, key="wb-role-user")
            role = st.selectbox("Role", ROLES, key="wb-role-role")
            grant = st.form_submit_button("Grant", icon=":material/add_moderator:")
            revoke = st.form_submit_button("Revoke", icon=":material/remove_moderator:")
            if grant or revoke:
                try:
                    (wb.grant if grant else wb.revoke)(session, user, role)
                except WritebackError as refused:
                    st.error(str(refused), icon=":material/block:")
                else:
                    st.success(f"{'Granted' if grant else 'Revoked'} {role} {'to' if grant else 'from'} {user}.")
        with right.form("wb-deactivate"):
            user = st.selectbox("User to deactivate", users, key="wb-deactivate-user")
            if st.form_submit_button("Deactivate", icon=":material/person_off:"):
                try:
                    wb.deactivate(session, user)
                except WritebackError as refused:
                    st.error(str(refused), icon=":material/block:")
                else:
                    st.success(f"Deactivated {user}: sessions ended, roles revoked.")
        with st.form("wb-add-user", clear_on_submit=True):
            st.markdown("**New account**")
            x, y, z, w = st.columns(4)
            new_id = x.text_input("User id", key="wb-new-id")
            new_name = y.text_input("Name", key="wb-new-name")
            new_role = z.selectbox("Role", ROLES, key="wb-new-role")
            new_password = w.text_input("Initial password", type="password", key="wb-new-password")
            if st.form_submit_button("Create", icon=":material/person_add:"):
                try:
                    wb.add_user(session, new_id, new_role, new_password, new_name)
                except WritebackError as refused:
                    st.error(str(refused), icon=":material/block:")
                else:
                    st.success(f"Created {new_id} ({new_role}).")
