"""SQL workbench: read-only SQL on the warehouse with the marts' documentation beside it."""

import streamlit as st

from dashboards import docs, sqlbox, ui
from dashboards.sqlbox import QueryRejected

EXAMPLE = "SELECT site_id, month, inventory_value, turns, days_of_supply\nFROM marts.mart_kpi_monthly\nORDER BY month DESC, site_id\nLIMIT 50"

with ui.page_guard():
    ui.header("SQL workbench", "Any read-only query on the warehouse. Files, settings and writes are locked out.")
    editor, reference = st.columns([3, 2])
    with reference:
        st.markdown("**Documentation**")
        catalog = ui.load(docs.catalog)
        schema = st.selectbox("Schema", sorted(set(catalog["schema"])), index=None, placeholder="All schemas")
        shown = catalog if schema is None else catalog.filter(catalog["schema"] == schema)
        relation = st.selectbox("Table", shown["relation"].to_list(), index=None, placeholder="Pick a table")
        if relation:
            row = catalog.filter(catalog["relation"] == relation).row(0, named=True)
            st.caption(row["comment"] or "No description.")
            st.dataframe(ui.load(docs.columns, relation), hide_index=True, width="stretch", height=320)
        else:
            st.dataframe(shown.select("relation", "comment"), hide_index=True, width="stretch", height=360)
    with editor:
        sql = st.text_area("Query", value=st.session_state.get("sql_text", EXAMPLE), height=200, key="sql_text")
        if st.button("Run", type="primary", icon=":material/play_arrow:") or st.session_state.get("sql_ran"):
            st.session_state["sql_ran"] = True
            try:
                result = sqlbox.run(ui.warehouse(), sql)
            except QueryRejected as error:
                st.error(str(error), icon=":material/block:")
            else:
                st.caption(f"{result.frame.height:,} rows in {result.seconds * 1000:,.0f} ms"
                           + (" · cut at 10,000 rows: add a LIMIT or an aggregate" if result.truncated else ""))
                ui.table(result.frame, key="sql-result", download="query-result")
