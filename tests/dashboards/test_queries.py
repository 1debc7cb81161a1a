"""The app's queries on the sample company equal the marts they read, and filters and drill-down
narrow them consistently."""

from dataclasses import replace

import duckdb
import pytest

from dashboards import docs, queries
from dashboards.state import Drill, Filters
from lakehouse.workspace import Workspace

pytestmark = pytest.mark.slow


def mart(ws: Workspace, sql: str) -> list[tuple]:
    with duckdb.connect(str(ws.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_value_by_site_and_item_equal_the_valuation_mart(sample_company: Workspace) -> None:
    path = sample_company.warehouse
    by_site = dict(queries.value_by_site(path, Filters()).select("site_id", "value").iter_rows())
    expected = dict(mart(sample_company, "SELECT site_id, sum(value_on_hand) FROM marts.mart_inventory_valuation "
                                         "GROUP BY 1 HAVING sum(value_on_hand) <> 0"))
    assert by_site == expected and len(by_site) >= 2

    site = max(expected, key=lambda s: expected[s])
    items = queries.value_by_item(path, Filters(site=site), limit=100_000)
    per_item = dict(items.select("item_id", "value").iter_rows())
    wanted = dict(mart(sample_company, f"SELECT item_id, value_on_hand FROM marts.mart_inventory_valuation "
                                       f"WHERE site_id = '{site}' AND (value_on_hand <> 0 OR physical_qty <> 0)"))
    assert per_item == wanted
    assert sum(per_item.values()) == by_site[site]


def test_filters_change_the_numbers(sample_company: Workspace) -> None:
    path = sample_company.warehouse
    everything = queries.value_by_site(path, Filters())
    category = queries.categories(path)[0]
    narrowed = queries.value_by_site(path, Filters(category=category))
    assert sum(narrowed["value"]) < sum(everything["value"])
    first, last = queries.ledger_days(path)
    earlier = queries.value_by_site(path, Filters(as_of=first.replace(day=28) if first.day < 28 else first))
    assert sum(earlier["value"]) != sum(everything["value"])


def test_drill_down_narrows_to_the_ledger_lines_and_the_source_document(sample_company: Workspace) -> None:
    path = sample_company.warehouse
    filters = Filters(site=queries.value_by_site(path, Filters())["site_id"][0])
    item = queries.value_by_item(path, filters)["item_id"][0]
    stock = queries.stock_by_location(path, filters, item)
    location = stock.row(0, named=True)
    drill = Drill(item=item, location=location["location_id"], lot=location["lot_id"])
    lines = queries.ledger_lines(path, filters, drill, limit=1_000_000)
    assert set(lines["item_id"]) == {item} and set(lines["location_id"]) == {location["location_id"]}
    assert sum(lines["qty"]) == location["qty"], "the lines add up to the stock shown one level up"
    all_item_lines = queries.ledger_lines(path, filters, Drill(item=item), limit=1_000_000)
    assert all_item_lines.height >= lines.height

    line = queries.movement(path, lines["movement_key"][0])
    assert line is not None and line["item_id"] == item and line["source_file"]
    document = queries.document_lines(path, line["source"], line["document_type"], line["document_id"])
    assert line["movement_key"] in set(document["movement_key"])
    assert queries.movement(path, "no-such-movement") is None

    later = queries.ledger_lines(path, replace(filters, month_from="2099-01"), drill)
    assert later.is_empty()


def test_the_workbench_documentation_is_the_warehouse_s_own(sample_company: Workspace) -> None:
    catalog = docs.catalog(sample_company.warehouse)
    ledger = catalog.filter(catalog["relation"] == "marts.fct_inventory_ledger").row(0, named=True)
    assert ledger["comment"] and "movement" in ledger["comment"].lower()
    columns = docs.columns(sample_company.warehouse, "marts.fct_inventory_ledger")
    assert "running_qty" in set(columns["column"]) and columns["description"].null_count() == 0
