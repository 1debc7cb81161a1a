"""The app's pages, grouped as the sidebar shows them. One line per page: its file in
``app_pages/``, its title, its icon and its URL path (stable: links in meeting minutes
point at it). ``app.py`` turns this into ``st.navigation``; the tests walk it."""

from __future__ import annotations

from typing import NamedTuple


class PageSpec(NamedTuple):
    file: str
    title: str
    icon: str
    url: str


PAGES: dict[str, list[PageSpec]] = {
    "Inventory review": [
        PageSpec("overview.py", "Overview", ":material/dashboard:", "overview"),
        PageSpec("inventory.py", "Inventory value & aging", ":material/inventory_2:", "inventory"),
        PageSpec("turnover.py", "Turnover & days of supply", ":material/autorenew:", "turnover"),
        PageSpec("stockouts.py", "Stockouts & availability", ":material/remove_shopping_cart:", "stockouts"),
        PageSpec("replenishment.py", "Replenishment & safety stock", ":material/local_shipping:", "replenishment"),
        PageSpec("abc_xyz.py", "ABC / XYZ", ":material/grid_view:", "abc-xyz"),
        PageSpec("forecast.py", "Forecast accuracy", ":material/query_stats:", "forecast"),
    ],
    "Audit": [
        PageSpec("reconciliation.py", "Reconciliation & exceptions", ":material/compare_arrows:", "reconciliation"),
        PageSpec("cycle_counts.py", "Cycle counts & root causes", ":material/fact_check:", "cycle-counts"),
        PageSpec("posting_delays.py", "Posting delays & process maps", ":material/schedule:", "posting-delays"),
        PageSpec("access.py", "Segregation of duties & access", ":material/admin_panel_settings:", "access"),
    ],
    "Analysts": [
        PageSpec("sql.py", "SQL workbench", ":material/terminal:", "sql"),
        PageSpec("meeting_pack.py", "Meeting pack", ":material/description:", "meeting-pack"),
    ],
    "Write-back": [
        PageSpec("writeback_requests.py", "Adjustments & approvals", ":material/approval:", "adjustments"),
        PageSpec("writeback_audit.py", "Audit trail", ":material/history:", "audit-trail"),
        PageSpec("writeback_access.py", "Access review", ":material/manage_accounts:", "access-review"),
        PageSpec("writeback_sign_in.py", "Sign in", ":material/login:", "sign-in"),
    ],
}


DEFAULT = "overview"  # served at the app's root URL


def url_of(spec: PageSpec) -> str:
    """The page's path in the app's URL (the default page lives at the root)."""
    return "" if spec.url == DEFAULT else spec.url


def all_pages() -> list[PageSpec]:
    return [page for group in PAGES.values() for page in group]
