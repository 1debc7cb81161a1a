"""Every page with Streamlit's AppTest on the sample company: it renders without an error, the
figures equal the marts', filters change them, drill-down narrows them, the workbench stays
read-only, and a rebuilt warehouse shows new numbers without a restart."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.format import money
from dashboards.pages import all_pages
from lakehouse.warehouse import derive
from lakehouse.workspace import HOME_ENV, Workspace

pytestmark = pytest.mark.slow
APP = str(Path(__file__).resolve().parents[2] / "dashboards" / "app.py")


@pytest.fixture
def home(sample_company: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.setenv(HOME_ENV, str(sample_company.root))
    return sample_company


def page(file: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180).run()  # the navigation exists after a first run
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"app_pages/{file}")
    return at.run()


def clean(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def mart(ws: Workspace, sql: str) -> list[tuple]:
    with duckdb.connect(str(ws.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize("spec", all_pages(), ids=lambda spec: spec.url)
def test_every_page_renders_without_an_error(home: Workspace, spec) -> None:
    at = clean(page(spec.file))
    assert at.title and at.title[0].value == spec.title or spec.file.startswith("writeback_")


def test_overview_figures_are_the_mart_s_and_the_site_filter_changes_them(home: Workspace) -> None:
    month, value, exceptions = mart(home, """
        SELECT month, inventory_value, open_exceptions FROM marts.mart_kpi_monthly
        WHERE site_id = 'ALL' AND is_complete ORDER BY month DESC LIMIT 1""")[0]
    at = clean(page("overview.py"))
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Inventory value"] == money(value)
    assert tiles["Open exceptions"] == f"{exceptions:,.0f}"
    assert f"{month:%B %Y}" in at.subheader[0].value

    site, site_value = mart(home, f"""
        SELECT site_id, inventory_value FROM marts.mart_kpi_monthly
        WHERE site_id <> 'ALL' AND month = DATE '{month}' ORDER BY inventory_value DESC LIMIT 1""")[0]
    at = clean(page("overview.py", site=site))
    assert {m.label: m.value for m in at.metric}["Inventory value"] == money(site_value) != money(value)


def test_inventory_drill_down_narrows_from_company_to_movement(home: Workspace) -> None:
    total = mart(home, "SELECT sum(value_on_hand) FROM marts.mart_inventory_valuation")[0][0]
    at = clean(page("inventory.py"))
    assert at.metric[0].value == money(total)

    site, item, site_value = mart(home, """
        SELECT site_id, item_id, value_on_hand FROM marts.mart_inventory_valuation
        ORDER BY value_on_hand DESC LIMIT 1""")[0]
    at = clean(page("inventory.py", site=site))
    assert at.metric[0].value != money(total)
    at = clean(page("inventory.py", site=site, item=item))
    summary, locations, ledger = (d.value for d in at.dataframe)
    assert list(summary["site_id"]) == [site] and summary["value_on_hand"][0] == pytest.approx(float(site_value))
    assert set(locations["site_id"]) == {site}
    assert set(ledger["item_id"]) == {item} and len(ledger) > 0
    assert [b.label for b in at.button if b.key and b.key.startswith("crumb")][:3] == \
        ["Company", f"› Site {site}", f"› Item {item}"]

    key, movement_id = mart(home, f"""
        SELECT movement_key, movement_id FROM marts.fct_inventory_ledger
        WHERE item_id = '{item}' ORDER BY occurred_at DESC LIMIT 1""")[0]
    at = clean(page("inventory.py", site=site, item=item, mv=key))
    assert movement_id in at.subheader[0].value
    assert key in set(at.dataframe[0].value["movement_key"]), "the document's lines include the movement"


def test_a_category_filter_changes_the_inventory_value(home: Workspace) -> None:
    category, value = mart(home, """
        SELECT i.category, sum(v.value_on_hand) FROM marts.mart_inventory_valuation v
        JOIN marts.dim_item i USING (item_id) GROUP BY 1 ORDER BY 2 DESC LIMIT 1""")[0]
    at = clean(page("inventory.py", cat=category))
    assert at.metric[0].value == money(value)


def test_the_workbench_answers_queries_and_refuses_files(home: Workspace) -> None:
    at = clean(page("sql.py"))
    at.text_area(key="sql_text").set_value("SELECT count(*) AS n FROM marts.fct_inventory_ledger").run()
    at.button[0].click().run()
    clean(at)
    expected = mart(home, "SELECT count(*) FROM marts.fct_inventory_ledger")[0][0]
    results = [d.value for d in at.dataframe if list(d.value.columns) == ["n"]]
    assert results and results[0]["n"][0] == expected
    at.text_area(key="sql_text").set_value("SELECT * FROM read_csv('/etc/passwd')").run()
    assert at.error and "file system operations are disabled" in at.error[0].value


def test_a_rebuilt_warehouse_shows_new_numbers_without_a_restart(sample_company: Workspace, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace.resolve(tmp_path / "home")
    ws.root.mkdir()
    shutil.copyfile(sample_company.warehouse, ws.warehouse)
    monkeypatch.setenv(HOME_ENV, str(ws.root))
    at = clean(page("inventory.py"))
    before = at.metric[0].value

    def grow(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("UPDATE marts.fct_inventory_daily SET value = value + 1000000 "
                    "WHERE day = (SELECT max(day) FROM marts.fct_inventory_daily) AND rowid = "
                    "(SELECT min(rowid) FROM marts.fct_inventory_daily "
                    " WHERE day = (SELECT max(day) FROM marts.fct_inventory_daily))")

    derive(ws.warehouse, ws, grow)  # what a build does: a new file swapped in
    at.run()
    assert at.metric[0].value != before


def test_no_warehouse_is_explained_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "empty"))
    at = page("overview.py")
    assert not at.exception
    assert at.warning and "onhand build" in at.warning[0].value


def test_cycle_count_tiles_are_the_mart_s(home: Workspace) -> None:
    discrepancies, shrinkage = mart(home, """
        SELECT count(*), count(*) FILTER (WHERE root_cause = 'unexplained_shrinkage')
        FROM audit.audit_cycle_count_discrepancies""")[0]
    at = clean(page("cycle_counts.py"))
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Discrepancies"] == f"{discrepancies:,}"
    assert tiles["Unexplained shrinkage"] == f"{shrinkage:,}" and shrinkage > 0


def test_new_reconciliation_gaps_are_announced(home: Workspace) -> None:
    new = mart(home, "SELECT count(*) FROM audit.reconciliation_alerts WHERE is_new")[0][0]
    at = clean(page("reconciliation.py"))
    announced = [w.value for w in at.warning if "new since the previous build" in w.value]
    assert announced == ([f"{new:,} reconciliation gap(s) are new since the previous build."] if new else [])
