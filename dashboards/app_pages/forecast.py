"""Forecast accuracy: which forecast versions and sources beat the naive forecast."""

import polars as pl
import streamlit as st

from dashboards import charts, queries, ui

with ui.page_guard():
    filters, drill = ui.view()
    filters = ui.sidebar_filters(filters, drill)
    ui.header("Forecast accuracy", "MAPE, WAPE and bias per forecast version and source, and the value each "
              "adds over the naive forecast, from marts.mart_forecast_accuracy.", filters)
    if ui.needs("marts.mart_forecast_accuracy", stage="onhand build"):
        versions = ui.load(queries.grouped, "marts.mart_forecast_accuracy", filters, by="version_id, forecast_source",
                           measures="count(*) AS items, sum(forecast_qty) AS forecast_qty, sum(actual_qty) AS actual_qty, "
                                    "sum(abs_error_qty) AS abs_error_qty, "
                                    "round(sum(abs_error_qty) / nullif(sum(actual_qty), 0), 4) AS wape, "
                                    "round((sum(forecast_qty) - sum(actual_qty)) / nullif(sum(actual_qty), 0), 4) AS bias, "
                                    "round((sum(naive_wape * actual_qty) - sum(abs_error_qty)) / nullif(sum(actual_qty), 0), 4) "
                                    "AS value_added",
                           order="version_id")
        if versions.is_empty():
            ui.empty("No forecast version has a complete month to compare with yet.")
            st.stop()
        st.markdown("**WAPE per version** (lower is better) · click a bar to list its items")
        points = ui.chart(charts.bars(versions.with_columns(pl.col("wape").cast(pl.Float64) * 100),
                                      x="version_id", y="wape", y_title="WAPE %", height=300), key="versions",
                          select=True)
        ui.table(versions, key="version-table", download="forecast-versions")
        version = points[0]["customdata"][0] if points else None
        items = ui.load(queries.rows, "marts.mart_forecast_accuracy", filters, order="abs_error_qty DESC, item_id")
        if version:
            items = items.filter(pl.col("version_id") == version)
        st.markdown(f"**Items{' of ' + version if version else ''}**, largest error first · click a row to open the item")
        chosen = ui.table(items, key="forecast-items", select="item_id", download="forecast-accuracy", height=360)
        if chosen:
            ui.open_item(filters, chosen["item_id"], chosen["site_id"])
