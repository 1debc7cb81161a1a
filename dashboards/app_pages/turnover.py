"""Turnover & days of supply: which items turn, which sit, per item and site."""

import streamlit as st

from dashboards import charts, queries, ui

with ui.page_guard():
    filters, drill = ui.view()
    filters = ui.sidebar_filters(filters, drill)
    ui.header("Turnover & days of supply", "Annualised turns (trailing 12 months) against days of supply, "
              "from marts.mart_turnover and marts.mart_days_of_supply.", filters)
    if ui.needs("marts.mart_turnover", "marts.mart_days_of_supply", stage="onhand build"):
        month = ui.load(queries.latest_month, "marts.mart_turnover", filters)
        if month is None:
            ui.empty("No complete month in this period: widen the period in the sidebar.")
            st.stop()
        frame = ui.load(queries.turnover_and_supply, filters, month)
        st.subheader(f"{month:%B %Y}: {frame.height:,} item × site areas with stock or usage")
        plotted = frame.filter(frame["turns_trailing"].is_not_null() & frame["days_of_supply"].is_not_null())
        if plotted.is_empty():
            ui.empty("No item has both turns and days of supply this month.")
        else:
            st.markdown("**Each point is an item at a site** · slow movers sit bottom-right · "
                        "box-select or click points to open an item")
            points = ui.chart(charts.scatter(plotted.with_columns((plotted["item_id"] + "@" + plotted["site_id"])
                                                                  .alias("area")),
                                             x="days_of_supply", y="turns_trailing", ids="area", color="site_id",
                                             x_title="Days of supply", y_title="Turns (trailing, annualised)",
                                             log_x=True), key="turns-dos", select=True)
            if points:
                item, _, site = points[0]["customdata"][0].partition("@")
                ui.open_item(filters, item, site)
        chosen = ui.table(frame, key="turnover", select="item_id", download=f"turnover-{month:%Y-%m}", height=420)
        if chosen:
            ui.open_item(filters, chosen["item_id"], chosen["site_id"])
