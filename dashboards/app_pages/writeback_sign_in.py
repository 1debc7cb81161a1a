"""Sign in: the write-back account of this browser session."""

import streamlit as st

from dashboards import signin as common
from dashboards import ui

with ui.page_guard():
    wb = common.store()
    ui.header("Sign in", "Requests, approvals and the audit trail need an account; "
              + ("so does reading the dashboards here." if wb.settings.require_login_to_read
                 else "reading the dashboards does not."))
    session = common.current(wb)
    if session is None:
        left, _ = st.columns([1, 2])
        common.sign_in_form(wb, left, key="wb-page-sign-in")
        st.caption(f"A sign-in lasts {wb.settings.session_minutes} minutes. No account? Ask an admin "
                   "(`onhand users add`).")
    else:
        st.success(f"Signed in as **{session.user_id}** ({', '.join(session.roles) or 'no role'}), "
                   f"until {session.expires_at:%Y-%m-%d %H:%M} UTC.", icon=":material/verified_user:")
        if st.button("Sign out", icon=":material/logout:"):
            common.sign_out(wb, session)
