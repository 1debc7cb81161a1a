"""Meeting pack: the review as one self-contained HTML file (and PDF), in one click."""

import streamlit as st

from dashboards import meeting_pack, ui

with ui.page_guard():
    filters, drill = ui.view()
    filters = ui.sidebar_filters(filters, drill)
    ui.header("Meeting pack", "The review in one file to attach to the minutes: headline KPIs with trend and "
              "target, sites, top exceptions and the action list.", filters)
    if ui.needs("marts.mart_kpi_monthly", stage="onhand build"):
        st.markdown(f"The pack covers **{filters.describe()}** for the latest complete month. It is one HTML "
                    "file with no scripts and no links to fetch: it opens offline and prints cleanly.")
        left, right, _ = st.columns([1, 1, 3])
        # Made when clicked (deferred), from the warehouse the app shows now.
        left.download_button("Download HTML", lambda: ui.load(meeting_pack.build, filters).html,
                             file_name="inventory-review.html", mime="text/html", type="primary",
                             icon=":material/download:", on_click="ignore")
        right.download_button("Download PDF", lambda: meeting_pack.to_pdf(ui.load(meeting_pack.build, filters))
                              or b"", file_name="inventory-review.pdf", mime="application/pdf",
                              icon=":material/picture_as_pdf:", on_click="ignore",
                              disabled=not meeting_pack.can_print(),
                              help=None if meeting_pack.can_print() else
                              "PDF needs Chromium (the `chromium` package); the HTML prints to PDF from any browser.")
        if st.toggle("Preview the pack", key="pack-preview"):
            st.html(ui.load(meeting_pack.build, filters).html)
