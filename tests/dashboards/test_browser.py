"""The app in a real browser (Chromium via Playwright): every page opens without an error, and
one drill-down path goes by clicks from the company to a ledger line and its source document;
the URL of that view reproduces it. Screenshots go to $ONHAND_SCREENSHOTS (default: a temp dir)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboards.pages import all_pages, url_of
from lakehouse.workspace import Workspace
from tests.dashboards.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server

pytestmark = pytest.mark.slow
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("ONHAND_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def app(sample_company: Workspace):
    with streamlit_server(sample_company.root) as url, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
        yield url, page
        browser.close()


def settle(page) -> None:
    """Wait until Streamlit has finished running the script for the current view (a drill reruns
    it twice: once for the click, once for the new URL), so elements are no longer replaced."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    idle = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')" \
           " && document.querySelectorAll('[data-testid=\"stMainBlockContainer\"] *').length > 5"
    for _ in range(60):
        page.wait_for_timeout(400)
        page.wait_for_function(idle, timeout=60_000)
        page.wait_for_timeout(1200)
        if page.evaluate(idle):
            return
    raise AssertionError("the app never settled")


def no_errors(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0, page.inner_text("body")[:2000]


def test_every_page_opens_without_an_error(app, shots: Path) -> None:
    url, page = app
    for spec in all_pages():
        page.goto(f"{url}/{url_of(spec)}")
        settle(page)
        no_errors(page)
        assert spec.title.split(" ")[0] in page.inner_text("h1"), spec
        page.screenshot(path=str(shots / f"{spec.url}.png"), full_page=True)


def url_has(page, param: str) -> None:
    """Streamlit rewrites the URL in place (no navigation): wait for the parameter to appear."""
    page.wait_for_function(f"() => new URLSearchParams(location.search).has('{param}')", timeout=30_000)


def click_bar(page, chart: int) -> None:
    plot = page.locator('[data-testid="stPlotlyChart"]').nth(chart)
    plot.scroll_into_view_if_needed()
    bar = plot.locator("g.point path").first.bounding_box()
    assert bar is not None
    # Plotly listens on its drag layer, not on the bar's path: click where the bar is.
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)


def click_row(page, table: int, row: int = 0) -> None:
    """Tick the selection box of a row of a st.dataframe (a canvas: click by position)."""
    grid = page.locator('[data-testid="stDataFrame"]').nth(table)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    grid.click(position={"x": 18, "y": 35 + 35 * row + 17})
    assert box is not None


def test_drill_down_from_the_company_to_a_ledger_line_by_clicks(app, shots: Path) -> None:
    url, page = app
    page.goto(f"{url}/inventory")
    settle(page)
    click_bar(page, 0)  # value by site -> a site
    url_has(page, "site")
    settle(page)
    click_bar(page, 1)  # largest items -> an item
    url_has(page, "item")
    settle(page)
    page.screenshot(path=str(shots / "drill-item.png"), full_page=True)
    click_row(page, 1)  # stock by location and lot (below the item's summary) -> a location
    url_has(page, "loc")
    settle(page)
    click_row(page, 0)  # ledger lines -> one movement
    url_has(page, "mv")
    settle(page)
    no_errors(page)
    body = page.inner_text("body")
    assert "Other lines of" in body and "Landed from" in body
    heading = page.locator("h3").first.inner_text()
    page.screenshot(path=str(shots / "drill-movement.png"), full_page=True)

    # The URL alone reproduces the view, in a fresh tab.
    link = page.evaluate("location.href")
    other = page.context.new_page()
    other.goto(link)
    settle(other)
    assert other.locator("h3").first.inner_text() == heading
    assert [b.inner_text() for b in other.locator('[data-testid="stButton"] button').all()][:5] == \
        [b.inner_text() for b in page.locator('[data-testid="stButton"] button').all()][:5]
    other.close()
