"""Cycle counts & root causes: each count that missed the book, why, and the evidence."""

from dataclasses import replace

import polars as pl
import streamlit as st

from dashboards import charts, queries, ui
from dashboards.state import Drill

with ui.page_guard():
    filters, drill = ui.view()
    filters = ui.sidebar_filters(filters, drill)
    ui.header("Cycle counts & root causes", "Counts whose counted quantity differs from the book, classified by "
              "root cause with their evidence, from audit.audit_cycle_count_discrepancies.", filters)
    if ui.needs("audit.audit_cycle_count_discrepancies", stage="onhand build"):
        frame = ui.load(queries.rows, "audit.audit_cycle_count_discrepancies", filters,
                        order="abs(difference_value) DESC NULLS LAST", month="counted_at")
        if frame.is_empty():
            ui.empty("No count differed from the book under these filters.")
            st.stop()
        causes = (frame.group_by("root_cause")
                  .agg(pl.len().alias("counts"), pl.col("difference_value").abs().sum().alias("value"))
                  .sort("counts", descending=True))
        a, b, c = st.columns(3)
        a.metric("Discrepancies", f"{frame.height:,}")
        b.metric("Unexplained shrinkage", f"{int((frame['root_cause'] == 'unexplained_shrinkage').sum()):,}",
                 help="Differences no posting, bin, unit, lot or duplicate explains.")
        c.metric("Absolute value", f"€{float(causes['value'].sum()):,.0f}")
        st.markdown("**Root causes** · click a bar to list its counts")
        points = ui.chart(charts.bars(causes, x="root_cause", y="counts", y_title="Counts", height=300),
                          key="causes", select=True)
        cause = points[0]["customdata"][0] if points else None
        if cause:
            frame = frame.filter(pl.col("root_cause") == cause)
        st.markdown(f"**Counts{' · ' + cause if cause else ''}** · click a row to open the item at that location")
        chosen = ui.table(frame.select("count_id", "counted_at", "site_id", "location_id", "item_id", "lot_id",
                                       "system_qty", "counted_qty", "difference_qty", "difference_value",
                                       "root_cause", "explanation", "evidence_movement_ids", "counted_by"),
                          key="counts", select="count_id", download="cycle-count-discrepancies", height=380)
        if chosen:
            ui.go(replace(filters, site=chosen["site_id"]), Drill(item=chosen["item_id"], location=chosen["location_id"]),
                  page=ui.INVENTORY_PAGE)
