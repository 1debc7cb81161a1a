"""The meeting pack: the inventory review as one self-contained HTML file (and PDF).

Everything in it comes from the warehouse: the headline KPIs of the latest complete
month per site with their trend and target, the largest findings, and the action
list (orders to place, stockouts to clear, counts to investigate, gaps to
reconcile). No script, no external file: it opens offline, prints cleanly, and
can be attached to the minutes. The PDF is printed from that HTML by headless
Chromium when it is installed.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from dashboards import format as fmt
from dashboards import queries
from dashboards.data import query, tables
from dashboards.state import Filters

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")

KPI_ROWS = [  # column, label, formatter
    ("inventory_value", "Inventory value", fmt.money),
    ("turns", "Turns (annualised)", lambda v: fmt.number(v, 1, "×")),
    ("days_of_supply", "Days of supply", lambda v: fmt.number(v, 0, " d")),
    ("stockout_rate", "Stockout rate", fmt.percent),
    ("carrying_cost", "Carrying cost (month)", fmt.money),
    ("count_accuracy", "Count accuracy", fmt.percent),
    ("open_exceptions", "Open exceptions", lambda v: fmt.number(v, 0)),
]


@dataclass
class Pack:
    html: str
    month: Any
    title: str

    @property
    def file_stem(self) -> str:
        return f"inventory-review-{self.month:%Y-%m}"


def build(path: Path, filters: Filters) -> Pack:
    """The review pack for the filters' site (or the company) and the latest complete month."""
    months = queries.kpi_monthly(path, filters).filter(pl.col("is_complete"))
    if months.is_empty():
        months = queries.kpi_monthly(path, filters)
    latest = months.row(-1, named=True)
    previous = months.row(-2, named=True) if months.height > 1 else None
    targets = queries.targets(path, filters.site)
    built = query(path, "SELECT build_id, built_at, as_of FROM audit.build_info").row(0, named=True)
    present = tables(path)
    title = f"Inventory review · {filters.site or 'all sites'} · {latest['month']:%B %Y}"

    sections = [
        _kpis(latest, previous, targets, months),
        _sites(queries.kpi_by_site(path, latest["month"])),
        _findings(path, filters, present),
        _actions(path, filters, present),
    ]
    body = "\n".join(section for section in sections if section)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    as_of = f", as of {built['as_of']:%Y-%m-%d %H:%M} UTC" if built["as_of"] else ""
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>
<style>{_CSS}</style></head><body>
<header><div class="brand">Onhand</div><h1>{_e(title)}</h1>
<p class="meta">Figures for {_e(filters.describe())}. From warehouse build {_e(built['build_id'])}
(built {built['built_at']:%Y-%m-%d %H:%M} UTC{as_of}); pack generated {generated}.
Every figure is in the warehouse's marts and can be re-run in the SQL workbench.</p></header>
{body}
</body></html>"""
    return Pack(page, latest["month"], title)


def _browser() -> str | None:
    return next((found for name in CHROMIUM if (found := shutil.which(name))), None)


def can_print() -> bool:
    """Whether a PDF can be made here (headless Chromium is installed)."""
    return _browser() is not None


def to_pdf(pack: Pack) -> bytes | None:
    """The pack printed to PDF by headless Chromium, or None when no Chromium is installed."""
    browser = _browser()
    if browser is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "pack.html", Path(folder) / "pack.pdf"
        source.write_text(pack.html, encoding="utf-8")
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-pdf-header-footer",
                        f"--print-to-pdf={target}", source.as_uri()],
                       check=False, capture_output=True, timeout=120)
        return target.read_bytes() if target.exists() else None


# --- sections ------------------------------------------------------------------------------

def _kpis(latest: dict, previous: dict | None, targets: dict, months: pl.DataFrame) -> str:
    rows = []
    for name, label, formatter in KPI_ROWS:
        value = latest[name]
        before = previous[name] if previous else None
        target = targets.get(name)
        status = ""
        if target and value is not None:
            good = value >= target[0] if target[1] == "higher" else value <= target[0]
            status = '<span class="ok">on target</span>' if good else '<span class="off">off target</span>'
        change = "" if before is None or value is None else formatter(value - before)
        series = [None if v is None else float(v) for v in months[name].to_list()]
        rows.append(f"<tr><th>{_e(label)}</th><td class='num'>{_e(formatter(value))}</td>"
                    f"<td class='num'>{_e(formatter(before)) if previous else ''}</td><td class='num'>{_e(change)}</td>"
                    f"<td class='num'>{_e(formatter(target[0])) if target else ''}</td><td>{status}</td>"
                    f"<td>{_sparkline(series)}</td></tr>")
    heading = f"Headline · {latest['month']:%B %Y}"
    compared = f"{previous['month']:%b %Y}" if previous else "previous"
    return (f"<section><h2>{_e(heading)}</h2><table><thead><tr><th>KPI</th><th>This month</th>"
            f"<th>{_e(compared)}</th><th>Change</th><th>Target</th><th></th><th>Trend</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>")


def _sites(frame: pl.DataFrame) -> str:
    if frame.height <= 1:
        return ""
    head = "".join(f"<th>{_e(label)}</th>" for _, label, _ in KPI_ROWS)
    body = "".join(
        f"<tr><th>{_e('Company' if row['site_id'] == 'ALL' else row['site_id'])}</th>"
        + "".join(f"<td class='num'>{_e(formatter(row[name]))}</td>" for name, _, formatter in KPI_ROWS) + "</tr>"
        for row in frame.iter_rows(named=True))
    return f"<section><h2>By site</h2><table><thead><tr><th>Site</th>{head}</tr></thead><tbody>{body}</tbody></table></section>"


def _findings(path: Path, filters: Filters, present: set[str]) -> str:
    parts = []
    if "audit.audit_findings" in present:
        top = queries.rows(path, "audit.audit_findings", filters, order="abs(value) DESC NULLS LAST",
                           month="occurred_at", limit=10)
        parts.append(_table("Largest audit findings", top, ["rule", "site_id", "item_id", "occurred_at", "value",
                                                            "explanation"]))
    exceptions = queries.exception_summary(path, filters)
    parts.append(_table("Ledger exceptions by kind", exceptions, ["exception_code", "cases", "value", "example"]))
    return "<section><h2>Top exceptions</h2>" + "".join(parts) + "</section>"


def _actions(path: Path, filters: Filters, present: set[str]) -> str:
    actions: list[str] = []
    if "marts.mart_replenishment" in present:
        orders = queries.rows(path, "marts.mart_replenishment", filters, order="proposed_order_day, item_id",
                              where="is_order_proposed", limit=15)
        for row in orders.iter_rows(named=True):
            actions.append(f"Order {fmt.quantity(row['proposed_qty'])} of {row['item_id']} for {row['site_id']}"
                           f" by {row['proposed_order_day']} ({row['order_type']}"
                           f"{' from ' + row['supplier_id'] if row['supplier_id'] else ''}): {row['strategy_reason']}.")
    if "marts.mart_stockouts" in present:
        open_events = queries.rows(path, "marts.mart_stockouts", filters, order="started_at", where="is_open", limit=10)
        for row in open_events.iter_rows(named=True):
            actions.append(f"Clear the stockout of {row['item_id']} at {row['site_id']}, out since "
                           f"{row['started_at']:%Y-%m-%d} ({fmt.quantity(row['open_backorder_qty'])} on backorder).")
    if "audit.audit_cycle_count_discrepancies" in present:
        shrink = queries.rows(path, "audit.audit_cycle_count_discrepancies", filters,
                              order="abs(difference_value) DESC NULLS LAST", where="root_cause = 'unexplained_shrinkage'",
                              month="counted_at", limit=5)
        for row in shrink.iter_rows(named=True):
            actions.append(f"Investigate unexplained shrinkage on count {row['count_id']}: {row['item_id']} at "
                           f"{row['location_id']}, {fmt.quantity(row['difference_qty'])} "
                           f"({fmt.money(row['difference_value'], cents=True)}).")
    if "audit.reconciliation_alerts" in present:
        alerts = query(path, "SELECT count(*) AS n FROM audit.reconciliation_alerts WHERE is_new")["n"][0]
        if alerts:
            actions.append(f"Reconcile {alerts:,} cross-system stock gap(s) that are new since the last build.")
    if not actions:
        return "<section><h2>Action list</h2><p>Nothing to act on under these filters.</p></section>"
    items = "".join(f"<li><input type='checkbox'> {_e(text)}</li>" for text in actions)
    return f"<section><h2>Action list</h2><ol class='actions'>{items}</ol></section>"


# --- drawing -------------------------------------------------------------------------------

def _table(title: str, frame: pl.DataFrame, columns: list[str]) -> str:
    if frame.is_empty():
        return f"<h3>{_e(title)}</h3><p>None.</p>"
    head = "".join(f"<th>{_e(c.replace('_', ' '))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(_cell(c, row[c]) for c in columns) + "</tr>"
                   for row in frame.select(columns).iter_rows(named=True))
    return f"<h3>{_e(title)}</h3><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(column: str, value: Any) -> str:
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        text = fmt.money(value, cents=True) if "value" in column else fmt.number(value, 0)
        return f"<td class='num'>{_e(text)}</td>"
    if isinstance(value, datetime):
        return f"<td>{value:%Y-%m-%d}</td>"
    return f"<td>{_e('' if value is None else str(value))}</td>"


def _sparkline(values: list[float | None], width: int = 140, height: int = 30) -> str:
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return ""
    low, high = min(v for _, v in points), max(v for _, v in points)
    span = (high - low) or 1.0
    step = width / (len(values) - 1)
    coords = " ".join(f"{i * step:.1f},{height - 3 - (v - low) / span * (height - 6):.1f}" for i, v in points)
    last_x, last_y = coords.split(" ")[-1].split(",")
    return (f"<svg width='{width}' height='{height}' viewBox='0 0 {width} {height}'>"
            f"<polyline fill='none' stroke='#1f4e79' stroke-width='1.6' points='{coords}'/>"
            f"<circle cx='{last_x}' cy='{last_y}' r='2.5' fill='#d9822b'/></svg>")


def _e(text: Any) -> str:
    return html.escape(str(text))


_CSS = """
body{font-family:'DejaVu Sans',Arial,sans-serif;color:#1c2733;margin:32px auto;max-width:1100px;font-size:13px}
.brand{color:#1f4e79;font-weight:700;font-size:15px}
h1{font-size:24px;margin:4px 0 6px}
h2{font-size:17px;border-bottom:2px solid #1f4e79;padding-bottom:4px;margin-top:28px}
h3{font-size:14px;margin:16px 0 6px}
.meta{color:#5c6b7a;font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{padding:5px 8px;border-bottom:1px solid #e3e8ee;text-align:left;vertical-align:middle}
thead th{background:#f3f6f9;font-weight:600;font-size:12px}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ok{color:#2e7d32;font-weight:600}.off{color:#c62828;font-weight:600}
ol.actions li{margin:5px 0}
@media print{body{margin:12mm}section{page-break-inside:avoid}}
"""
