"""Meeting pack: the review as one self-contained HTML file (and PDF), in one click."""

import streamlit as st

from dashboards import meeting_pack, ui

with ui.page_guard():
    filters, drill = ui.view()
    filters = ui.sidebar_filters(filters, drill)
    ui.header("Meeting pack", "The review in one file to attach to the minutes: headline KPIs with trend and "
              "target, sites, top exceptions and the action list.", filters)
    if ui.needs("marts.mart_kpi_monthly", stage="onhand build"):
        pack = ui.load(meeting_pack.build, filters)
        left, right, _ = st.columns([1, 1, 3])
        left.download_button("Download HTML", pack.html, file_name=f"{pack.file_stem}.html", mime="text/html",
                             type="primary", icon=":material/download:")
        if right.button("Make PDF", icon=":material/picture_as_pdf:"):
            pdf = meeting_pack.to_pdf(pack)
            if pdf is None:
                right.info("PDF needs Chromium (the `chromium` package); the HTML prints to PDF from any browser.")
            else:
                right.download_button("Download PDF", pdf, file_name=f"{pack.file_stem}.pdf", mime="application/pdf")
        st.markdown("**Preview**")
        st.html(pack.html)
