"""Replenishment & safety stock: the proposals to act on, and the parameters behind them."""

import streamlit as st

from dashboards import charts, queries, ui

with ui.page_guard():
    filters, drill = ui.view()
    filters = ui.sidebar_filters(filters, drill)
    ui.header("Replenishment & safety stock", "Safety stock, reorder point, min/max and proposed orders per item "
              "and site, from marts.mart_replenishment (formulas in the warehouse documentation).", filters)
    if ui.needs("marts.mart_replenishment", stage="onhand build"):
        frame = ui.load(queries.rows, "marts.mart_replenishment", filters,
                        order="is_order_proposed DESC, proposed_order_day, item_id")
        if frame.is_empty():
            ui.empty("No item under these filters has replenishment parameters.")
            st.stop()
        proposed = frame.filter(frame["is_order_proposed"])
        a, b, c = st.columns(3)
        a.metric("Orders proposed", f"{proposed.height:,}", help="Inventory position at or below the reorder point.")
        b.metric("Items planned", f"{frame.height:,}")
        c.metric("Pull (replenish on signal)", f"{int((frame['strategy'] == 'pull').sum()):,}",
                 help="Push or pull per segment, from demand volatility and lead time; the reason is in each row.")
        strategies = frame.group_by("strategy", "replenishment_segment").len("items").sort("items", descending=True)
        st.markdown("**Push / pull by segment**")
        ui.chart(charts.stacked(strategies, x="replenishment_segment", y="items", color="strategy",
                                y_title="Items", height=300), key="strategies")
        st.markdown("**Proposed orders** · click a row to open the item")
        chosen = ui.table(proposed.select(
            "item_id", "site_id", "order_type", "supplier_id", "proposed_qty", "proposed_order_day",
            "expected_receipt_day", "inventory_position", "reorder_point", "safety_stock", "moq", "order_multiple",
            "lead_time_days", "strategy", "strategy_reason"), key="proposals", select="item_id",
            download="proposed-orders")
        if chosen:
            ui.open_item(filters, chosen["item_id"], chosen["site_id"])
        st.markdown("**All parameters**")
        ui.table(frame, key="parameters", download="replenishment-parameters", height=320)
