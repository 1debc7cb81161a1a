"""The request and approval pages in a real browser (Chromium via Playwright): a clerk signs in,
previews and requests an adjustment; an approver signs in and approves it; it is posted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboards.writeback import Writeback
from tests.dashboards.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server
from tests.writeback.helpers import LOCATION, PASSWORD

pytestmark = pytest.mark.slow
playwright = pytest.importorskip("playwright.sync_api")


def settle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                           timeout=60_000)
    page.wait_for_timeout(300)


def sign_in(page, user: str) -> None:
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("textbox", name="User").fill(user)
    sidebar.get_by_role("textbox", name="Password").fill(PASSWORD)
    sidebar.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {user}").wait_for(timeout=60_000)
    settle(page)


def choose(page, label: str, option: str) -> None:
    """Pick an option of a st.selectbox by typing it."""
    box = page.get_by_label(label, exact=False).first
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option).first.click()
    settle(page)


def test_a_request_and_its_approval_in_the_browser(wb: Writeback, tmp_path: Path) -> None:
    shots = Path(os.environ.get("ONHAND_SCREENSHOTS") or tmp_path)
    with streamlit_server(wb.ws.root) as url, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1100})
        page.goto(f"{url}/adjustments")
        settle(page)
        assert "Adjustments" in page.inner_text("h1")
        sign_in(page, "clerk")

        choose(page, "Item", "CHEAP")
        page.get_by_label("Quantity change", exact=False).fill("-4")
        page.get_by_text("Audit finding").first.click()
        page.get_by_label("Count id / finding id").first.fill("AF-30")
        page.get_by_role("button", name="Preview").first.click()
        page.get_by_text("Value impact").wait_for(timeout=60_000)
        settle(page)
        body = page.inner_text("body")
        assert "-€10.00" in body and "one approver" in body
        page.screenshot(path=str(shots / "writeback-request.png"), full_page=True)
        page.get_by_role("button", name="Submit request").click()
        page.get_by_text("Requested WB-000001").wait_for(timeout=60_000)

        page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
        settle(page)
        sign_in(page, "approver")
        page.get_by_role("tab", name="Waiting for me").click()
        settle(page)
        choose(page, "Request to decide", "WB-000001: -4 EA of CHEAP at " + LOCATION)
        page.get_by_role("button", name="Approve").click()
        page.get_by_text("WB-000001 is posted").wait_for(timeout=60_000)
        page.screenshot(path=str(shots / "writeback-approved.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
    (request,) = wb.requests(wb.login("auditor", PASSWORD))
    assert (request.state, request.requested_by, request.approvers) == ("posted", "clerk", ("approver",))
    assert (wb.ws.inbox / "writeback" / "inventory_movements" / "WB-000001.csv").is_file()
