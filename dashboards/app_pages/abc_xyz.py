"""ABC / XYZ: consumption value against demand variability, the matrix and its items."""

import polars as pl
import streamlit as st

from dashboards import charts, queries, ui
from dashboards.state import Filters

with ui.page_guard():
    filters, drill = ui.view()
    filters = ui.sidebar_filters(filters, drill)
    ui.header("ABC / XYZ", "A/B/C by annual consumption value, X/Y/Z by the variability of weekly demand, "
              "from marts.mart_abc_xyz and marts.mart_abc_xyz_matrix.", filters)
    if ui.needs("marts.mart_abc_xyz", "marts.mart_abc_xyz_matrix", stage="onhand build"):
        matrix = ui.load(queries.rows, "marts.mart_abc_xyz_matrix", Filters(site=filters.site or "ALL"),
                         order="abc_class, xyz_class", item=None)
        st.markdown(f"**Matrix: items per class** ({filters.site or 'the company'})")
        grid = matrix.pivot(on="xyz_class", index="abc_class", values="item_count").sort("abc_class")
        st.dataframe(grid.rename({"abc_class": "ABC \\ XYZ"}), hide_index=True, width="content")
        st.markdown("**Inventory value per segment** · click a bar to list its items")
        by_segment = matrix.filter(pl.col("item_count") > 0).sort("segment")
        points = ui.chart(charts.bars(by_segment, x="segment", y="inventory_value", y_title="Inventory value",
                                      money="€", height=300), key="segments", select=True)
        segment = points[0]["customdata"][0] if points else None
        items = ui.load(queries.rows, "marts.mart_abc_xyz", filters, order="consumption_value DESC, item_id")
        if segment:
            items = items.filter(pl.col("segment") == segment)
            st.caption(f"Segment {segment}: {items.height:,} items")
        chosen = ui.table(items, key="abc-items", select="item_id", download="abc-xyz", height=380)
        if chosen:
            ui.open_item(filters, chosen["item_id"], chosen["site_id"])
