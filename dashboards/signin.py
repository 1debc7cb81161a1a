"""Sign-in for the app (not a page): the write-back store, the signed-in user, the sign-in form, and the read gate.

The signed-in user is a :class:`dashboards.writeback.Session` in this browser session's
state; the domain re-checks it (live, roles) on every action, so the roles shown here
only decide which widgets to draw.
"""

from __future__ import annotations

import streamlit as st

from dashboards.writeback import Session, Writeback
from dashboards.writeback.errors import LoginFailed, NotAllowed, SessionExpired
from lakehouse.workspace import Workspace

SESSION_KEY = "wb_session"


def store() -> Writeback:
    return Writeback(Workspace.resolve())


def current(wb: Writeback) -> Session | None:
    """The signed-in user's session if it is still live (else it is forgotten)."""
    session = st.session_state.get(SESSION_KEY)
    if session is None:
        return None
    try:
        wb.check(session)
    except (SessionExpired, NotAllowed) as ended:
        del st.session_state[SESSION_KEY]
        st.warning(f"Signed out: {ended.what}. Sign in again.", icon=":material/logout:")
        return None
    return session


def sign_in_form(wb: Writeback, container=None, key: str = "wb-sign-in") -> None:
    """User id and password; on success the page reruns signed in."""
    place = container or st
    with place.form(key, clear_on_submit=True):
        user = st.text_input("User", key=f"{key}-user")
        password = st.text_input("Password", type="password", key=f"{key}-password")
        if st.form_submit_button("Sign in", type="primary", icon=":material/login:"):
            try:
                st.session_state[SESSION_KEY] = wb.login(user, password)
            except LoginFailed as failed:
                place.error(failed.what, icon=":material/lock:")
                return
            st.rerun()


def sign_out(wb: Writeback, session: Session) -> None:
    wb.logout(session)
    st.session_state.pop(SESSION_KEY, None)
    st.rerun()


def sidebar_account(wb: Writeback) -> Session | None:
    """Who is signed in (with a sign-out button), or the sign-in form, in the sidebar."""
    session = current(wb)
    sidebar = st.sidebar
    sidebar.markdown("### Write-back")
    if session is None:
        sign_in_form(wb, sidebar, key="wb-sidebar-sign-in")
        return None
    sidebar.markdown(f"Signed in as **{session.user_id}** ({', '.join(session.roles) or 'no role'})  \n"
                     f"until {session.expires_at:%Y-%m-%d %H:%M} UTC")
    if sidebar.button("Sign out", key="wb-sign-out", icon=":material/logout:"):
        sign_out(wb, session)
    return session


def read_gate() -> None:
    """For the app's entry point: with ``require_login_to_read``, nothing shows until sign-in."""
    wb = store()
    if not wb.settings.require_login_to_read:
        return
    if sidebar_account(wb) is None:
        st.title("Sign in")
        st.info("This deployment asks for a sign-in before showing the dashboards.", icon=":material/lock:")
        sign_in_form(wb, key="wb-gate-sign-in")
        st.stop()
