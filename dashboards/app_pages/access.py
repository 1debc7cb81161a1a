"""Segregation of duties & access: who entered and approved the same thing, and who acted after leaving."""

import polars as pl
import streamlit as st

from dashboards import charts, queries, ui

with ui.page_guard():
    filters, drill = ui.view()
    filters = ui.sidebar_filters(filters, drill)
    ui.header("Segregation of duties & access", "Breaches of segregation of duties and the access review from "
              "the source systems' postings, from audit.audit_sod_breaches. Onhand's own write-back trail is on "
              "the Audit trail page.", filters)
    if ui.needs("audit.audit_sod_breaches", stage="onhand build"):
        breaches = ui.load(queries.rows, "audit.audit_sod_breaches", filters, order="occurred_at DESC NULLS LAST",
                           month="occurred_at")
        if breaches.is_empty():
            ui.empty("No breach under these filters.")
            st.stop()
        rules = breaches.group_by("rule").agg(pl.len().alias("breaches"),
                                              pl.col("user_id").n_unique().alias("users")).sort("breaches",
                                                                                               descending=True)
        st.markdown("**Breaches per rule** · click a bar to list them")
        points = ui.chart(charts.bars(rules, x="rule", y="breaches", y_title="Breaches", height=300), key="sod",
                          select=True)
        rule = points[0]["customdata"][0] if points else None
        if rule:
            breaches = breaches.filter(pl.col("rule") == rule)
        st.markdown("**By user**")
        ui.table(breaches.group_by("user_id").agg(pl.len().alias("breaches"), pl.col("rule").unique().sort()
                                                  .str.join(", ").alias("rules"))
                 .sort("breaches", descending=True), key="users", download="sod-by-user", height=240)
        st.markdown("**Breaches** · click a row to open its first evidence movement")
        chosen = ui.table(breaches.with_row_index("row"), key="breaches", select="row", download="sod-breaches",
                          height=360)
        if chosen:
            movement = ui.first_id(chosen["evidence_movement_ids"])
            keys = ui.load(queries.movement_keys, movement) if movement else []
            if keys:
                ui.open_movement(filters, keys[0])
        if ui.has("audit.audit_sod_conflicting_roles"):
            st.markdown("**Role pairs one person must not hold**")
            ui.table(ui.load(queries.rows, "audit.audit_sod_conflicting_roles", filters, item=None, site=None,
                             order="1"), key="conflicts")
