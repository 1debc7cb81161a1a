"""Reconciliation & exceptions: where the systems disagree, and what the ledger could not take."""

import polars as pl
import streamlit as st

from dashboards import charts, queries, ui

with ui.page_guard():
    filters, drill = ui.view()
    filters = ui.sidebar_filters(filters, drill)
    ui.header("Reconciliation & exceptions", "Every audit finding with its evidence, cross-system stock gaps "
              "against the authoritative system, and the ledger's exceptions.", filters)
    if ui.needs("audit.audit_findings", "audit.audit_reconciliation_gaps", stage="onhand build"):
        if ui.has("audit.reconciliation_alerts"):
            alerts = ui.load(queries.rows, "audit.reconciliation_alerts", filters, order="1", where="is_new")
            if alerts.height:
                st.warning(f"{alerts.height:,} reconciliation gap(s) are new since the previous build.",
                           icon=":material/notifications_active:")
        findings = ui.load(queries.grouped, "audit.audit_findings", filters, by="category, rule",
                           measures="count(*) AS findings, sum(abs(value)) AS value", order="findings DESC",
                           month="occurred_at")
        st.markdown("**Findings per rule** · click a bar to list them")
        top = findings.head(20)
        points = ui.chart(charts.bars(top, x="rule", y="findings", y_title="Findings", horizontal=True,
                                      height=max(260, 26 * top.height)), key="rules", select=True)
        rule = points[0]["customdata"][0] if points else None
        listing = ui.load(queries.rows, "audit.audit_findings", filters, order="abs(value) DESC NULLS LAST",
                          month="occurred_at")
        if rule:
            listing = listing.filter(pl.col("rule") == rule)
        st.markdown(f"**Findings{' · ' + rule if rule else ''}**, largest value first · click a row to open its "
                    "first evidence movement (or the item)")
        chosen = ui.table(listing.select("finding_id", "rule", "severity", "site_id", "item_id", "location_id",
                                         "occurred_at", "quantity", "value", "explanation",
                                         "evidence_movement_ids", "evidence_document_ids", "evidence_user_ids"),
                          key="findings", select="finding_id", download="audit-findings", height=360)
        if chosen:
            movement = ui.first_id(chosen["evidence_movement_ids"])
            keys = ui.load(queries.movement_keys, movement) if movement else []
            if keys:
                ui.open_movement(filters, keys[0])
            elif chosen["item_id"]:
                ui.open_item(filters, chosen["item_id"], chosen["site_id"])
        st.markdown("**Cross-system stock gaps** (the authoritative system per entity and site is in "
                    "audit.audit_data_ownership)")
        gaps = ui.load(queries.rows, "audit.audit_reconciliation_gaps", filters, order="abs(gap_value) DESC NULLS LAST",
                       month="first_seen_on")
        ui.table(gaps, key="gaps", download="reconciliation-gaps", height=300)
        st.markdown("**Ledger exceptions** (movements the ledger could not take as they came)")
        ui.table(ui.load(queries.exception_summary, filters), key="exceptions", download="ledger-exceptions")
