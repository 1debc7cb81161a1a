"""Every query the app runs, each a function of the warehouse path and the view's state.

The pages show exactly what these return: the figures come from the marts, unchanged
(sums of the marts' own columns at most), so a number on screen can be checked with
the same SQL in the workbench. Plain Python, no Streamlit: tests call these directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from dashboards.data import query
from dashboards.state import Drill, Filters


def _where(filters: Filters, *, site: str | None = "site_id", item: str | None = "item_id",
           month: str | None = None, params: dict[str, Any]) -> str:
    """SQL conditions for the global filters, with their parameters added to ``params``."""
    conditions = ["true"]
    if site and filters.site:
        conditions.append(f"{site} = $site")
        params["site"] = filters.site
    if item and filters.category:
        conditions.append(f"{item} IN (SELECT item_id FROM marts.dim_item WHERE category = $category)")
        params["category"] = filters.category
    if item and site and filters.abc:
        conditions.append(f"({item}, {site}) IN (SELECT (item_id, site_id) FROM marts.mart_abc_xyz "
                          "WHERE abc_class = $abc)")
        params["abc"] = filters.abc
    if month and filters.month_from:
        conditions.append(f"strftime({month}, '%Y-%m') >= $month_from")
        params["month_from"] = filters.month_from
    if month and filters.month_to:
        conditions.append(f"strftime({month}, '%Y-%m') <= $month_to")
        params["month_to"] = filters.month_to
    return " AND ".join(conditions)


# --- what the filters offer -------------------------------------------------------------

def sites(path: Path) -> list[str]:
    return query(path, "SELECT DISTINCT site_id FROM marts.dim_location ORDER BY 1")["site_id"].to_list()


def categories(path: Path) -> list[str]:
    frame = query(path, "SELECT DISTINCT category FROM marts.dim_item WHERE category IS NOT NULL ORDER BY 1")
    return frame["category"].to_list()


def ledger_days(path: Path) -> tuple[Any, Any]:
    """The first and last day of stock history (the as-of date's range)."""
    row = query(path, "SELECT min(day) AS first, max(day) AS last FROM marts.fct_inventory_daily").row(0)
    return row[0], row[1]


def currency(path: Path) -> str:
    frame = query(path, "SELECT currency, count(*) AS n FROM marts.dim_item GROUP BY 1 ORDER BY n DESC LIMIT 1")
    return frame["currency"][0] if frame.height else "EUR"


# --- stock and value, drilled from the company down to a movement ------------------------

def _as_of(filters: Filters, params: dict[str, Any]) -> str:
    """The day the stock figures are taken at: the filter's, else the last day of the ledger."""
    if filters.as_of:
        params["as_of"] = filters.as_of
        return "CAST($as_of AS DATE)"
    return "(SELECT max(day) FROM marts.fct_inventory_daily)"


def value_by_site(path: Path, filters: Filters) -> pl.DataFrame:
    """Owned stock value and quantity per site at the as-of day."""
    params: dict[str, Any] = {}
    day = _as_of(filters, params)
    return query(path, f"""
        SELECT site_id, sum(value) AS value, count(DISTINCT item_id) FILTER (WHERE qty <> 0) AS items
        FROM marts.fct_inventory_daily
        WHERE day = {day} AND {_where(filters, params=params)}
        GROUP BY site_id ORDER BY value DESC""", params)


def value_by_item(path: Path, filters: Filters, *, limit: int = 500) -> pl.DataFrame:
    """Owned value, quantities and unit cost per item (over the filtered sites) at the as-of day."""
    params: dict[str, Any] = {"limit": limit}
    day = _as_of(filters, params)
    return query(path, f"""
        SELECT d.item_id, i.description, i.category, i.valuation_method, i.base_uom AS uom,
               sum(d.owned_qty) AS owned_qty, sum(d.consignment_qty + d.vmi_qty) AS vendor_owned_qty,
               sum(d.value) AS value,
               CASE WHEN sum(d.owned_qty) > 0 THEN round(sum(d.value) / sum(d.owned_qty), 4) END AS unit_cost
        FROM marts.fct_inventory_daily d JOIN marts.dim_item i USING (item_id)
        WHERE d.day = {day} AND {_where(filters, item='d.item_id', site='d.site_id', params=params)}
        GROUP BY ALL HAVING sum(d.qty) <> 0 OR sum(d.value) <> 0
        ORDER BY value DESC, item_id LIMIT $limit""", params)


def stock_by_location(path: Path, filters: Filters, item: str) -> pl.DataFrame:
    """One item's stock per location and lot at the as-of day (quantity from the ledger; value per
    location from the daily stock, which does not split value by lot)."""
    params: dict[str, Any] = {"item": item}
    day = _as_of(filters, params)
    where = _where(filters, item=None, site="l.site_id", params=params)
    return query(path, f"""
        WITH lots AS (
            SELECT l.location_id, l.site_id, coalesce(l.lot_id, '') AS lot_id, l.ownership,
                   sum(l.qty) AS qty, max(l.occurred_at) AS last_movement_at
            FROM marts.fct_inventory_ledger l
            WHERE l.item_id = $item AND l.occurred_at::DATE <= {day} AND {where}
            GROUP BY ALL HAVING sum(l.qty) <> 0
        ),
        location_value AS (
            SELECT location_id, value FROM marts.fct_inventory_daily
            WHERE item_id = $item AND day = {day}
        )
        SELECT lots.site_id, lots.location_id, loc.location_type, lots.lot_id, lots.ownership, lots.qty,
               v.value AS location_value, lots.last_movement_at
        FROM lots
        LEFT JOIN location_value v USING (location_id)
        LEFT JOIN marts.dim_location loc USING (location_id)
        ORDER BY lots.site_id, lots.location_id, lots.lot_id""", params)


def ledger_lines(path: Path, filters: Filters, drill: Drill, *, limit: int = 1000) -> pl.DataFrame:
    """The ledger lines behind the drilled cell, newest first (up to the as-of day)."""
    params: dict[str, Any] = {"limit": limit}
    conditions = [_where(filters, params=params, month="occurred_at")]
    for column, value in (("item_id", drill.item), ("location_id", drill.location)):
        if value is not None:
            conditions.append(f"{column} = ${column}")
            params[column] = value
    if drill.lot is not None:
        conditions.append("coalesce(lot_id, '') = $lot")
        params["lot"] = drill.lot
    if filters.as_of:
        conditions.append("occurred_at::DATE <= $as_of")
        params["as_of"] = filters.as_of
    return query(path, f"""
        SELECT movement_key, movement_id, source, movement_type, occurred_at, posted_at,
               posting_delay_hours, item_id, site_id, location_id, lot_id, ownership, qty, uom,
               unit_cost, value, running_qty, running_value, document_type, document_id, user_id
        FROM marts.fct_inventory_ledger
        WHERE {' AND '.join(conditions)}
        ORDER BY occurred_at DESC, posted_at DESC, movement_id DESC LIMIT $limit""", params)


def movement(path: Path, movement_key: str) -> dict[str, Any] | None:
    """One ledger line with everything the ledger knows about it, including its source row."""
    frame = query(path, "SELECT * FROM marts.fct_inventory_ledger WHERE movement_key = $key",
                  {"key": movement_key})
    return frame.row(0, named=True) if frame.height else None


def document_lines(path: Path, source: str, document_type: str, document_id: str) -> pl.DataFrame:
    """Every ledger line of one source document."""
    return query(path, """
        SELECT movement_key, movement_id, document_line, movement_type, item_id, location_id, lot_id,
               qty, uom, value, occurred_at, posted_at, user_id
        FROM marts.fct_inventory_ledger
        WHERE source = $source AND document_type = $type AND document_id = $id
        ORDER BY document_line, movement_id""",
        {"source": source, "type": document_type, "id": document_id})


def exceptions(path: Path, filters: Filters, *, limit: int = 1000) -> pl.DataFrame:
    """What the ledger could not take as is, newest first."""
    params: dict[str, Any] = {"limit": limit}
    return query(path, f"""
        SELECT exception_code, description, in_ledger, item_id, site_id, location_id, occurred_at,
               qty, value, source, source_file, source_line, record_key
        FROM marts.fct_ledger_exceptions
        WHERE {_where(filters, params=params, month="occurred_at")}
        ORDER BY occurred_at DESC NULLS LAST LIMIT $limit""", params)


def exception_summary(path: Path, filters: Filters) -> pl.DataFrame:
    params: dict[str, Any] = {}
    return query(path, f"""
        SELECT exception_code, any_value(description) AS example, count(*) AS cases,
               sum(abs(value)) AS value
        FROM marts.fct_ledger_exceptions
        WHERE {_where(filters, params=params, month="occurred_at")}
        GROUP BY exception_code ORDER BY cases DESC""", params)


# --- the inventory review's headline ------------------------------------------------------

KPIS = ("inventory_value", "turns", "days_of_supply", "stockout_rate", "carrying_cost", "count_accuracy",
        "open_exceptions")


def kpi_monthly(path: Path, filters: Filters) -> pl.DataFrame:
    """mart_kpi_monthly for the filtered site (or the company row 'ALL'), over the period, oldest first."""
    params: dict[str, Any] = {"site": filters.site or "ALL"}
    conditions = ["site_id = $site"]
    if filters.month_from:
        conditions.append("strftime(month, '%Y-%m') >= $month_from")
        params["month_from"] = filters.month_from
    if filters.month_to:
        conditions.append("strftime(month, '%Y-%m') <= $month_to")
        params["month_to"] = filters.month_to
    return query(path, f"SELECT * FROM marts.mart_kpi_monthly WHERE {' AND '.join(conditions)} ORDER BY month",
                 params)


def kpi_by_site(path: Path, month: Any) -> pl.DataFrame:
    """Every site's headline row for one month (the company row last)."""
    return query(path, f"""
        SELECT site_id, {', '.join(KPIS)}, is_complete FROM marts.mart_kpi_monthly WHERE month = $month
        ORDER BY is_company_total, inventory_value DESC""", {"month": month})


def targets(path: Path, site: str | None) -> dict[str, tuple[Any, str]]:
    """KPI -> (target, 'higher'|'lower') for a site, its own row overriding the '*' default."""
    frame = query(path, """
        SELECT kpi, target, better FROM staging.review_targets
        WHERE site_id IN ('*', $site) ORDER BY kpi, site_id = '*' DESC""", {"site": site or "ALL"})
    return {kpi: (target, better) for kpi, target, better in frame.iter_rows()}


# --- the KPI, audit and mining pages: a mart's rows under the global filters ---------------

def rows(path: Path, relation: str, filters: Filters, *, order: str, month: str | None = None,
         item: str | None = "item_id", site: str | None = "site_id", where: str = "true",
         limit: int = 5000) -> pl.DataFrame:
    """The rows of ``relation`` (a documented mart, named by the page) under the global filters."""
    params: dict[str, Any] = {"limit": limit}
    condition = _where(filters, site=site, item=item, month=month, params=params)
    return query(path, f"SELECT * FROM {relation} WHERE {condition} AND ({where}) ORDER BY {order} LIMIT $limit",
                 params)


def latest_month(path: Path, relation: str, filters: Filters, *, complete: bool = True) -> Any:
    """The last month of ``relation`` within the period (the last complete one if asked)."""
    params: dict[str, Any] = {}
    condition = _where(filters, site=None, item=None, month="month", params=params)
    if complete:
        condition += " AND month IN (SELECT month FROM marts.mart_kpi_monthly WHERE is_complete)"
    return query(path, f"SELECT max(month) AS month FROM {relation} WHERE {condition}", params)["month"][0]


def turnover_and_supply(path: Path, filters: Filters, month: Any) -> pl.DataFrame:
    """Per item x site in ``month``: trailing turns next to days of supply (both from their marts)."""
    params: dict[str, Any] = {"month": month}
    return query(path, f"""
        SELECT t.item_id, t.site_id, i.description, t.closing_value, t.usage_value, t.turns, t.turns_trailing,
               d.on_hand_qty, d.avg_daily_demand, d.days_of_supply, d.forward_days_of_supply
        FROM marts.mart_turnover t
        JOIN marts.dim_item i USING (item_id)
        LEFT JOIN marts.mart_days_of_supply d USING (item_id, site_id, month)
        WHERE t.month = $month AND {_where(filters, item='t.item_id', site='t.site_id', params=params)}
          AND (t.closing_value <> 0 OR t.usage_value <> 0)
        ORDER BY t.closing_value DESC""", params)


def grouped(path: Path, relation: str, filters: Filters, *, by: str, measures: str, order: str,
            month: str | None = None, item: str | None = "item_id", site: str | None = "site_id") -> pl.DataFrame:
    """``relation`` summed by one column under the global filters (e.g. findings per rule)."""
    params: dict[str, Any] = {}
    condition = _where(filters, site=site, item=item, month=month, params=params)
    return query(path, f"SELECT {by}, {measures} FROM {relation} WHERE {condition} GROUP BY {by} ORDER BY {order}",
                 params)


def process_maps(path: Path) -> pl.DataFrame:
    return query(path, "SELECT process, map, caption, svg FROM mining.process_maps ORDER BY process, map")


def movement_keys(path: Path, movement_id: str) -> list[str]:
    """The ledger keys of a movement id (an id can repeat across sources)."""
    frame = query(path, "SELECT movement_key FROM marts.fct_inventory_ledger WHERE movement_id = $id ORDER BY source",
                  {"id": movement_id})
    return frame["movement_key"].to_list()


# --- aging (FIFO layer age on the ledger's last day) ----------------------------------------

def age_buckets(path: Path) -> list[str]:
    """Labels of the five age buckets, from the controller's settings (seed kpi_settings)."""
    bounds = query(path, "SELECT age_bucket_1_days, age_bucket_2_days, age_bucket_3_days, age_bucket_4_days "
                         "FROM staging.kpi_settings").row(0)
    edges = [0, *bounds]
    return [f"{edges[i] + (1 if i else 0)}–{edges[i + 1]} days" for i in range(4)] + [f"over {edges[4]} days"]


def aging_by_site(path: Path, filters: Filters) -> pl.DataFrame:
    """Owned value per site and age bucket (long form: site_id, bucket, value)."""
    params: dict[str, Any] = {}
    frame = query(path, f"""
        SELECT site_id, sum(bucket_1_value) AS b1, sum(bucket_2_value) AS b2, sum(bucket_3_value) AS b3,
               sum(bucket_4_value) AS b4, sum(bucket_5_value) AS b5
        FROM marts.mart_inventory_aging WHERE {_where(filters, params=params)}
        GROUP BY site_id ORDER BY site_id""", params)
    labels = age_buckets(path)
    return (frame.unpivot(index="site_id", variable_name="bucket", value_name="value")
            .with_columns(pl.col("bucket").replace_strict({f"b{i + 1}": label for i, label in enumerate(labels)}))
            .sort("site_id", "bucket"))


def item_summary(path: Path, filters: Filters, item: str) -> pl.DataFrame:
    """One item per site: its valuation today and its aging (marts.mart_inventory_valuation, aging)."""
    params: dict[str, Any] = {"item": item}
    return query(path, f"""
        SELECT v.site_id, i.description, v.valuation_method, v.qty_on_hand, v.uom, v.value_on_hand, v.unit_cost,
               v.consignment_qty, v.vmi_qty, a.oldest_age_days, a.avg_age_days, a.movement_class,
               a.days_since_last_use
        FROM marts.mart_inventory_valuation v
        JOIN marts.dim_item i USING (item_id)
        LEFT JOIN marts.mart_inventory_aging a USING (item_id, site_id)
        WHERE v.item_id = $item AND {_where(filters, item=None, site='v.site_id', params=params)}
        ORDER BY v.site_id""", params)
