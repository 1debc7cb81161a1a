"""Inventory value & aging: drill from the company to a site, an item, a location or lot,
its ledger lines, and one movement with its source document."""

from dataclasses import replace

import streamlit as st

from dashboards import charts, queries, ui
from dashboards.format import money, quantity
from dashboards.state import Drill

with ui.page_guard():
    filters, drill = ui.view()
    filters = ui.sidebar_filters(filters, drill)
    ui.header("Inventory value & aging", "Owned stock at cost, from the ledger. Click a bar or a row to drill down.",
              filters)
    ui.breadcrumb_bar(filters, drill)

    if drill.movement:
        line = ui.load(queries.movement, drill.movement)
        if line is None:
            ui.empty(f"Movement {drill.movement} is not in this warehouse (it may come from another build).")
            st.stop()
        st.subheader(f"{line['movement_type'].replace('_', ' ').title()} {line['movement_id']}")
        a, b, c, d = st.columns(4)
        a.metric("Quantity", quantity(line["qty"], line["uom"]))
        b.metric("Value", money(line["value"], cents=True))
        c.metric("Unit cost", money(line["unit_cost"], cents=True) if line["unit_cost"] is not None else "–")
        d.metric("Posting delay", f"{line['posting_delay_hours']:,.1f} h"
                 if line["posting_delay_hours"] is not None else "–")
        st.markdown(
            f"**Item** {line['item_id']} · **location** {line['location_id']} (site {line['site_id']}) · "
            f"**lot** {line['lot_id'] or '–'} · **ownership** {line['ownership']}  \n"
            f"**Occurred** {line['occurred_at']} UTC · **posted** {line['posted_at']} UTC by **{line['user_id']}**"
            + (f", approved by **{line['approved_by']}**" if line.get("approved_by") else "") + "  \n"
            f"**Source** {line['source']} · **document** {line['document_type']} {line['document_id']}"
            f" line {line['document_line'] or '–'}  \n"
            f"**Running** quantity at the location {quantity(line['running_qty'])}, value of the item at the site "
            f"{money(line['running_value'], cents=True)}  \n"
            f"**Landed from** `{line['source_file']}` line {line['source_line']} (lake batch {line['batch_id']})"
        )
        st.subheader(f"Other lines of {line['document_type']} {line['document_id']}")
        chosen = ui.table(ui.load(queries.document_lines, line["source"], line["document_type"], line["document_id"]),
                          key="document", select="movement_key", download=f"document-{line['document_id']}")
        if chosen and chosen["movement_key"] != drill.movement:
            ui.go(filters, drill.down("movement", chosen["movement_key"]))
        st.stop()

    if drill.item is None:
        by_site = ui.load(queries.value_by_site, filters)
        if by_site.is_empty():
            ui.empty("No stock on that day for these filters.")
            st.stop()
        total = sum(by_site["value"])
        st.metric("Owned inventory value", money(total), help="Sum of fct_inventory_daily.value on the as-of day.")
        left, right = st.columns([2, 3])
        with left:
            st.markdown("**Value by site** · click a bar to open the site")
            points = ui.chart(charts.bars(by_site, x="site_id", y="value", y_title="Value", money="€"),
                              key="by-site", select=True)
            if points and not filters.site:
                ui.go(replace(filters, site=points[0]["customdata"][0]), Drill())
        items = ui.load(queries.value_by_item, filters)
        with right:
            st.markdown("**Largest items by value** · click a bar to open the item")
            top = items.head(15)
            points = ui.chart(charts.bars(top, x="item_id", y="value", y_title="Value", money="€",
                                          horizontal=True, height=420, text=False), key="top-items", select=True)
            if points:
                ui.go(filters, drill.down("item", points[0]["customdata"][0]))
        st.markdown("**Every item with stock** · click a row to open it")
        chosen = ui.table(items, key="items", select="item_id", download="inventory-by-item", height=360)
        if chosen:
            ui.go(filters, drill.down("item", chosen["item_id"]))
        if ui.has("marts.mart_inventory_aging"):
            st.subheader("Aging")
            st.caption("Owned stock by the age of its FIFO layers on the ledger's last day "
                       "(marts.mart_inventory_aging; bucket limits in the seed kpi_settings).")
            aging = ui.load(queries.aging_by_site, filters)
            left, right = st.columns([2, 3])
            with left:
                ui.chart(charts.stacked(aging, x="site_id", y="value", color="bucket", y_title="Value", money="€",
                                        order=ui.load(queries.age_buckets)), key="aging")
            with right:
                st.markdown("**Slow and non-moving stock**, largest value first · click a row to open the item")
                slow = ui.load(queries.rows, "marts.mart_inventory_aging", filters,
                               order="value_on_hand DESC, item_id", where="movement_class <> 'active'")
                chosen = ui.table(slow.select("item_id", "site_id", "movement_class", "qty_on_hand",
                                              "value_on_hand", "days_since_last_use", "oldest_age_days"),
                                  key="slow", select="item_id", download="slow-moving", height=320)
                if chosen:
                    ui.go(replace(filters, site=chosen["site_id"]), Drill(item=chosen["item_id"]))
        st.stop()

    if drill.location is None:
        summary = ui.load(queries.item_summary, filters, drill.item)
        if summary.height:
            first = summary.row(0, named=True)
            st.subheader(f"{drill.item} · {first['description']}")
            a, b, c, d = st.columns(4)
            a.metric("Owned quantity", quantity(sum(summary["qty_on_hand"]), first["uom"]))
            b.metric("Value", money(sum(summary["value_on_hand"]), cents=True))
            c.metric("Valuation", first["valuation_method"].upper() if first["valuation_method"] in ("fifo", "avco")
                     else first["valuation_method"].title())
            d.metric("Oldest stock", f"{first['oldest_age_days']:,} days" if first["oldest_age_days"] is not None
                     else "–", help=f"Movement class: {first['movement_class'] or 'n/a'}")
            ui.table(summary.drop("description"), key="item-sites")
        stock = ui.load(queries.stock_by_location, filters, drill.item)
        st.markdown("**Stock by location and lot** · click a row to see its ledger lines")
        chosen = ui.table(stock, key="locations", select="location_id", download=f"stock-{drill.item}")
        if chosen:
            ui.go(filters, Drill(item=drill.item, location=chosen["location_id"], lot=chosen["lot_id"]))
    st.subheader("Ledger lines" + (f" at {drill.location}" if drill.location else f" of item {drill.item}")
                 + (f", lot {drill.lot}" if drill.lot else ""))
    st.caption("Newest first, up to the as-of day. Click a line to see the movement and its source document.")
    chosen = ui.table(ui.load(queries.ledger_lines, filters, drill), key="ledger", select="movement_key",
                      download="ledger-lines", height=420)
    if chosen:
        ui.go(filters, drill.down("movement", chosen["movement_key"]))
