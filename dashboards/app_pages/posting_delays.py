"""Posting delays & process maps: where the books lag the shelf, and what it costs."""

import streamlit as st

from dashboards import charts, queries, ui

DIMENSIONS = {"activity": "Activity", "source": "Source system", "site": "Site", "user": "User",
              "weekday": "Weekday", "hour": "Hour of day"}

with ui.page_guard():
    filters, drill = ui.view()
    filters = ui.sidebar_filters(filters, drill)
    ui.header("Posting delays & process maps", "How long after the physical event each posting lands, where "
              "it lags, the month-end exposure and the mined process maps (mining.*).", filters)
    if ui.needs("mining.mart_posting_delay_stats", "mining.process_maps", stage="onhand mine"):
        exposure = ui.load(queries.rows, "mining.mart_cutoff_exposure", filters, order="month_end", item=None,
                           month="month_end")
        late = ui.load(queries.rows, "mining.fct_late_postings", filters, order="posting_delay_hours DESC",
                       month="occurred_at")
        a, b, c = st.columns(3)
        a.metric("Late postings", f"{late.height:,}", help="Movements posted more than a day after they happened.")
        b.metric("Value posted late", f"€{float(late['value'].abs().sum()):,.0f}" if late.height else "€0")
        c.metric("Month-end exposure (gross)",
                 f"€{float(exposure['gross_exposure_value'].sum()):,.0f}" if exposure.height else "€0",
                 help="Stock on the other side of the month-end cut-off in the books than on the shelf.")
        left, right = st.columns(2)
        with left:
            dimension = st.selectbox("Delay by", list(DIMENSIONS), format_func=DIMENSIONS.get)
            stats = ui.load(queries.rows, "mining.mart_posting_delay_stats", filters, item=None, site=None,
                            order="p90_delay_hours DESC", where=f"dimension = '{dimension}'")
            st.markdown(f"**90th percentile posting delay by {DIMENSIONS[dimension].lower()}** (hours)")
            ui.chart(charts.bars(stats.head(20), x="dimension_value", y="p90_delay_hours", y_title="Hours",
                                 horizontal=True, height=420, text=False), key="delays")
        with right:
            st.markdown("**Month-end cut-off exposure** (value on the other side of the cut-off)")
            if exposure.height:
                ui.chart(charts.stacked(exposure, x="month_end", y="gross_exposure_value", color="site_id",
                                        y_title="Value", money="€", height=420), key="exposure")
        st.markdown("**Late postings** · click a row to open the movement")
        chosen = ui.table(late, key="late", select="movement_key", download="late-postings", height=300)
        if chosen:
            ui.open_movement(filters, chosen["movement_key"])
        st.markdown("#### Process maps")
        maps = ui.load(queries.process_maps)
        process = st.selectbox("Process", sorted(set(maps["process"])))
        for row in maps.filter(maps["process"] == process).iter_rows(named=True):
            st.markdown(f"**{row['map'].replace('_', ' ').capitalize()}** · {row['caption']}")
            st.image(row["svg"].decode("utf-8") if isinstance(row["svg"], bytes) else row["svg"], width="stretch")
        for relation, title in (("mining.variants", "Variants"), ("mining.bottlenecks", "Bottleneck transitions"),
                                ("mining.flow_deviations", "Deviations from the expected flow")):
            st.markdown(f"**{title}**")
            ui.table(ui.load(queries.rows, relation, filters, item=None, site=None, order="1",
                             where=f"process = '{process}'"), key=relation, download=relation.split(".")[1],
                     height=260)
