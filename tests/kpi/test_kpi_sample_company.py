"""The KPI marts on the sample company: against what the generator put in (demand classes,
starved items) and against the ledger marts they are built on."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal

import duckdb
import pytest

from lakehouse.warehouse import read_only
from lakehouse.workspace import Workspace

pytestmark = pytest.mark.slow

DC_SITES = ("DC-CENTRAL", "DC-REGIONAL")


@pytest.fixture(scope="module")
def con(sample_company: Workspace) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = read_only(sample_company.warehouse)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def profiles(sample_company: Workspace) -> dict[str, dict[str, str]]:
    path = sample_company.ground_truth / "item_profiles.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["item_id"]: row for row in csv.DictReader(handle)}


def steady_finished_goods(profiles: dict[str, dict[str, str]], demand_class: str) -> set[str]:
    """Finished goods of a demand class sold all year (no launch or run-out inside the year)."""
    return {item for item, p in profiles.items()
            if p["demand_class"] == demand_class and not p["launched_at"] and not p["obsolete_at"]}


def test_the_generators_lumpy_items_come_out_z(con: duckdb.DuckDBPyConnection,
                                               profiles: dict[str, dict[str, str]]) -> None:
    lumpy = {item for item, p in profiles.items() if p["demand_class"] == "lumpy"}
    rows = con.execute("SELECT item_id, site_id, xyz_class FROM marts.mart_abc_xyz "
                       "WHERE site_id IN (SELECT unnest($sites))", {"sites": list(DC_SITES)}).fetchall()
    classes = {(item, site): xyz for item, site, xyz in rows if item in lumpy}
    assert len(classes) >= len(lumpy)  # every lumpy item at both distribution centres
    assert set(classes.values()) == {"Z"}


def test_smooth_demand_is_steadier_than_erratic(con: duckdb.DuckDBPyConnection,
                                                profiles: dict[str, dict[str, str]]) -> None:
    rows = con.execute("SELECT item_id, xyz_class FROM marts.mart_abc_xyz "
                       "WHERE site_id IN (SELECT unnest($sites))", {"sites": list(DC_SITES)}).fetchall()

    def x_share(items: set[str]) -> float:
        classes = [xyz for item, xyz in rows if item in items]
        return sum(xyz == "X" for xyz in classes) / len(classes)

    smooth, erratic = steady_finished_goods(profiles, "smooth"), steady_finished_goods(profiles, "erratic")
    assert x_share(smooth) > 0.7
    assert x_share(smooth) > x_share(erratic) + 0.2


def test_the_generators_starved_items_come_out_with_stockouts(
        con: duckdb.DuckDBPyConnection, profiles: dict[str, dict[str, str]]) -> None:
    starved = {item for item, p in profiles.items() if p["starved"] == "true"}
    rows = con.execute("SELECT item_id, site_id, stockout_events, stockout_rate, lost_qty + open_backorder_qty "
                       "+ backordered_qty FROM marts.mart_stockout_summary WHERE order_lines > 0").fetchall()
    events = {item: 0 for item in starved}
    for item, _site, count, _rate, _qty in rows:
        if item in starved:
            events[item] += count
    assert starved and all(count > 0 for count in events.values()), events
    starved_rates = sorted(rate for item, _s, _c, rate, _q in rows if item in starved)
    other_rates = sorted(rate for item, _s, _c, rate, _q in rows if item not in starved)
    median = lambda values: values[len(values) // 2]  # noqa: E731
    assert median(starved_rates) > 2 * median(other_rates)
    # what met no stock is accounted for: served later, lost or still open
    assert all(qty > 0 for item, _s, count, _r, qty in rows if item in starved and count)


def test_stock_age_walk_reproduces_the_fifo_layers(con: duckdb.DuckDBPyConnection) -> None:
    differing = con.execute("""
        WITH walk AS (
            SELECT item_id, site_id, layer_day, sum(qty) AS qty FROM intermediate.int_kpi_stock_age
            WHERE point_day = (SELECT max(point_day) FROM intermediate.int_kpi_stock_age) GROUP BY ALL),
        layers AS (
            SELECT item_id, site_id, created_at::date AS layer_day, sum(remaining_qty) AS qty
            FROM marts.fct_valuation_layers WHERE remaining_qty > 0 GROUP BY ALL)
        SELECT count(*), count(*) FILTER (WHERE coalesce(w.qty, 0) <> coalesce(l.qty, 0))
        FROM walk w FULL JOIN layers l USING (item_id, site_id, layer_day)
        WHERE item_id IN (SELECT item_id FROM marts.dim_item WHERE valuation_method = 'fifo')
    """).fetchone()
    assert differing[0] > 20 and differing[1] == 0


def test_aging_adds_up_to_the_valuation(con: duckdb.DuckDBPyConnection) -> None:
    aging, valuation = con.execute("""
        SELECT (SELECT sum(value_on_hand) FROM marts.mart_inventory_aging),
               (SELECT sum(value_on_hand) FROM marts.mart_inventory_valuation WHERE qty_on_hand > 0)
    """).fetchone()
    assert aging == valuation and aging > 0


def test_monthly_headline_matches_the_ledger_marts(con: duckdb.DuckDBPyConnection) -> None:
    # month-end inventory value per site = the value bridge's closing value
    mismatches = con.execute("""
        WITH bridge AS (SELECT site_id, month, sum(closing_value) AS closing
                        FROM marts.mart_valuation_bridge_monthly GROUP BY ALL)
        SELECT count(*) FILTER (WHERE k.inventory_value <> b.closing), count(*)
        FROM marts.mart_kpi_monthly k JOIN bridge b USING (site_id, month)
        WHERE k.is_complete
    """).fetchone()
    assert mismatches[0] == 0 and mismatches[1] >= 30
    # the company row adds up the sites' additive figures
    off = con.execute("""
        SELECT count(*) FROM marts.mart_kpi_monthly c
        JOIN (SELECT month, sum(inventory_value) v, sum(carrying_cost) cc, sum(order_lines) ol,
                     sum(cycle_counts) n, sum(stockout_events) e
              FROM marts.mart_kpi_monthly WHERE NOT is_company_total GROUP BY month) s USING (month)
        WHERE c.is_company_total AND (c.inventory_value, c.carrying_cost, c.order_lines, c.cycle_counts,
              c.stockout_events) <> (s.v, s.cc, s.ol, s.n, s.e)
    """).fetchone()[0]
    assert off == 0


def test_turnover_uses_all_cost_of_goods_sold(con: duckdb.DuckDBPyConnection) -> None:
    usage, cogs = con.execute("""
        SELECT (SELECT sum(usage_value) FROM marts.mart_turnover),
               (SELECT sum(cogs_value) FROM marts.fct_cogs
                WHERE cogs_category IN ('sales', 'production', 'consumption', 'transfer'))
    """).fetchone()
    assert usage == cogs and usage > 0


def test_proposals_respect_moq_and_order_multiple(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("SELECT proposed_qty, moq, order_multiple, inventory_position, reorder_point "
                       "FROM marts.mart_replenishment WHERE is_order_proposed").fetchall()
    assert len(rows) > 10
    for qty, moq, multiple, position, reorder_point in rows:
        assert position <= reorder_point
        assert qty >= (moq or 0)
        if multiple:
            assert qty % multiple == Decimal(0)


def test_capital_cost_is_the_controllers_rate_on_the_average_value(con: duckdb.DuckDBPyConnection) -> None:
    """Per row capital cost = rate x average value x days / 365, to the cent (the average itself
    is rounded to the cent, so a row may differ by a cent); the rate is read from the seed."""
    rate = con.execute("SELECT capital_rate_annual FROM staging.kpi_settings").fetchone()[0]
    rows = con.execute("SELECT capital_cost, avg_inventory_value, days FROM marts.mart_carrying_cost "
                       "WHERE avg_inventory_value > 0").fetchall()
    assert len(rows) > 100
    for capital, average, days in rows:
        assert abs(capital - rate * average * days / 365) <= Decimal("0.01") + Decimal("0.005") * rate * days / 365


def test_forecast_bias_per_source_is_the_generators(con: duckdb.DuckDBPyConnection) -> None:
    """The generator biases each source's forecasts (ingestion.synthetic.plans.VERSIONS); the
    actual demand differs a little from the rate the forecasts were drawn from, so compare the
    sources' measured biases with each other, against the generator's differences."""
    from ingestion.synthetic.plans import VERSIONS

    injected = {source: bias for source, bias, *_ in VERSIONS}
    measured = dict(con.execute("""
        SELECT forecast_source, sum(forecast_qty) / sum(actual_qty) - 1 FROM marts.mart_forecast_accuracy
        GROUP BY 1""").fetchall())
    assert set(measured) == set(injected)
    for source in injected:
        expected = injected[source] - injected["operations"]
        assert abs((measured[source] - measured["operations"]) - expected) < 0.03, (source, measured)
    # the unbiased, less noisy operations forecast is more accurate than sales' and adds value
    wape = dict(con.execute("SELECT forecast_source, sum(abs_error_qty) / sum(actual_qty) "
                            "FROM marts.mart_forecast_accuracy GROUP BY 1").fetchall())
    assert wape["operations"] < wape["sales"]
    added = con.execute("SELECT avg(value_added) FROM marts.mart_forecast_accuracy "
                        "WHERE forecast_source = 'operations'").fetchone()[0]
    assert added > 0
