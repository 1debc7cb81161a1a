"""Stockouts & availability: where demand met an empty shelf, how often and for how long."""

import streamlit as st

from dashboards import charts, queries, ui

with ui.page_guard():
    filters, drill = ui.view()
    filters = ui.sidebar_filters(filters, drill)
    ui.header("Stockouts & availability", "Stockout events and their cost in lost and backordered demand, "
              "from marts.mart_stockouts and marts.mart_stockout_summary.", filters)
    if ui.needs("marts.mart_stockouts", "marts.mart_stockout_summary", stage="onhand build"):
        summary = ui.load(queries.rows, "marts.mart_stockout_summary", filters,
                          order="days_out_of_stock DESC, item_id", where="stockout_events > 0")
        events = ui.load(queries.rows, "marts.mart_stockouts", filters, order="started_at DESC", month="month")
        a, b, c, d = st.columns(4)
        a.metric("Stockout events", f"{events.height:,}", help="Events that started in the period.")
        b.metric("Still out of stock", f"{int(events['is_open'].sum()):,}" if events.height else "0")
        c.metric("Lost quantity", f"{float(events['lost_qty'].sum()):,.0f}" if events.height else "0",
                 help="Demand cancelled because nothing was available (base units).")
        d.metric("Backordered quantity", f"{float(events['backordered_qty'].sum()):,.0f}" if events.height else "0")
        if summary.is_empty():
            ui.empty("No item ran out of stock under these filters.")
            st.stop()
        st.markdown("**Items out of stock longest** · click a bar to open the item")
        top = summary.head(15).with_columns((summary.head(15)["item_id"] + "@" + summary.head(15)["site_id"])
                                            .alias("area"))
        points = ui.chart(charts.bars(top, x="area", y="days_out_of_stock", y_title="Days out of stock",
                                      horizontal=True, height=420), key="longest", select=True)
        if points:
            item, _, site = points[0]["customdata"][0].partition("@")
            ui.open_item(filters, item, site)
        st.markdown("**Per item and site** (whole ledger period) · click a row to open the item")
        chosen = ui.table(summary, key="summary", select="item_id", download="stockout-summary", height=320)
        if chosen:
            ui.open_item(filters, chosen["item_id"], chosen["site_id"])
        st.markdown("**Events in the period**")
        ui.table(events, key="events", download="stockout-events", height=320)
