"""Overview: the inventory review's headline KPIs, their trend and their targets, per site."""

from dataclasses import replace

import streamlit as st

from dashboards import charts, queries, ui
from dashboards.format import money, number, percent
from dashboards.state import Drill

TILES = [  # (column, label, formatter, which way is good, help)
    ("inventory_value", "Inventory value", money, None, "Owned stock at cost at the month end."),
    ("turns", "Turns (annualised)", lambda v: number(v, 1, "×"), "higher",
     "Usage (COGS and issues) over average inventory value, annualised."),
    ("days_of_supply", "Days of supply", lambda v: number(v, 0, " d"), "lower",
     "On hand over average daily demand of the trailing window."),
    ("stockout_rate", "Stockout rate", percent, "lower", "Share of order lines that met no stock."),
    ("carrying_cost", "Carrying cost (month)", money, "lower",
     "Capital, storage, obsolescence and handling cost of the month."),
    ("count_accuracy", "Count accuracy", percent, "higher",
     "Share of cycle counts that matched the book within tolerance."),
    ("open_exceptions", "Open exceptions", lambda v: number(v, 0), "lower",
     "Ledger exceptions open at the month end."),
]

with ui.page_guard():
    filters, drill = ui.view()
    filters = ui.sidebar_filters(filters, drill)
    ui.header("Overview", "The headline of the inventory review, from marts.mart_kpi_monthly.", filters)
    if ui.needs("marts.mart_kpi_monthly", stage="onhand build"):
        months = ui.load(queries.kpi_monthly, filters)
        if months.is_empty():
            ui.empty("No months in this period: widen the period in the sidebar.")
            st.stop()
        complete = months.filter(months["is_complete"])
        partial = months.filter(~months["is_complete"])
        if not complete.is_empty():
            months = complete  # a running month is not compared with whole ones
        latest = months.row(-1, named=True)
        previous = months.row(-2, named=True) if months.height > 1 else None
        targets = ui.load(queries.targets, filters.site)
        where = f"Site {filters.site}" if filters.site else "The company (all sites)"
        st.subheader(f"{where} · {latest['month']:%B %Y}"
                     + ("" if latest["is_complete"] else f" ({latest['days']} days so far)"))
        columns = st.columns(4) + st.columns(4)[:3]
        for column, (name, label, fmt, better, help_text) in zip(columns, TILES, strict=True):
            value, before = latest[name], previous[name] if previous else None
            target = targets.get(name)
            caption = f"target {fmt(target[0])}" if target else " "
            change = None if before is None or value is None else value - before
            column.metric(label, fmt(value), delta=None if change is None else fmt(change),
                          delta_color="off" if better is None else ("normal" if better == "higher" else "inverse"),
                          help=f"{help_text} Change against {previous['month']:%b %Y}." if previous else help_text)
            column.caption(caption)

        if not partial.is_empty() and not complete.is_empty():
            st.caption(f"{partial['month'][0]:%B %Y} is still running ({partial['days'][0]} days so far): "
                       "it is left out of the tiles and trends, and shown in the SQL workbench and the "
                       "other pages.")
        st.markdown("#### Trends")
        grid = st.columns(3)
        for index, (name, label, _, _, _) in enumerate(TILES[:6]):
            target = targets.get(name)
            with grid[index % 3]:
                st.markdown(f"**{label}**")
                ui.chart(charts.trend(months, x="month", series=[(name, label)], y_title="", height=220,
                                      target=float(target[0]) if target else None,
                                      percent=name in ("stockout_rate", "count_accuracy")), key=f"trend-{name}")

        st.markdown("#### Sites this month · click a row to open the site")
        sites = ui.load(queries.kpi_by_site, latest["month"])
        chosen = ui.table(sites, key="sites", select="site_id", download="kpi-by-site")
        if chosen and chosen["site_id"] != "ALL":
            ui.go(replace(filters, site=chosen["site_id"]), Drill())
