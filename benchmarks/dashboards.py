"""Dashboard speed: each page's first render and each drill-down step, at demo and medium scale.

    python -m benchmarks.dashboards HOME [HOME ...]

HOME is a workspace with a built (and mined) warehouse, e.g. the one `onhand demo` made. Each
page is run with Streamlit's AppTest (the server side of a page view: the script, its queries
and building the charts; not the browser's drawing) with an empty cache, as the first viewer
after a build sees it. Beside each time is the baseline: the same page's DuckDB queries alone,
so the figure shows what the app adds on top of the warehouse. Drill-down steps are the clicks
of the inventory page, company -> site -> item -> location -> movement, each with a cold cache
for its new view. Targets (issue 8): first render < 1 s, drill-down step < 300 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import duckdb

from benchmarks.common import write_result

APP = str(Path(__file__).resolve().parents[1] / "dashboards" / "app.py")


class QueryClock:
    """Times every warehouse query the pages run (the baseline)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def install(self) -> None:
        from dashboards import data

        original = data.query

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        data.query = timed
        for module in ("queries", "docs", "meeting_pack"):
            mod = __import__(f"dashboards.{module}", fromlist=["query"])
            if hasattr(mod, "query"):
                mod.query = timed


def measure(home: Path) -> list[tuple[str, str, float, float]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboards.pages import all_pages

    os.environ["ONHAND_HOME"] = str(home)
    clock = QueryClock()
    clock.install()
    rows: list[tuple[str, str, float, float]] = []

    def timed_run(at: AppTest) -> tuple[float, float]:
        clock.seconds = 0.0
        started = time.perf_counter()
        at.run()
        if at.exception:
            raise SystemExit(f"page failed: {at.exception[0].value}")
        return time.perf_counter() - started, clock.seconds

    for spec in all_pages():
        at = AppTest.from_file(APP, default_timeout=600).run()
        st.cache_data.clear()  # the first viewer after a build: nothing cached
        at.switch_page(f"app_pages/{spec.file}")
        seconds, queries = timed_run(at)
        rows.append(("first render", spec.title, seconds, queries))

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        site, item = con.execute("SELECT site_id, item_id FROM marts.mart_inventory_valuation "
                                 "ORDER BY value_on_hand DESC LIMIT 1").fetchone()
        location, lot = con.execute(
            "SELECT location_id, coalesce(lot_id, '') FROM marts.fct_inventory_ledger WHERE item_id = ? "
            "AND site_id = ? GROUP BY ALL HAVING sum(qty) <> 0 LIMIT 1", [item, site]).fetchone()
        movement = con.execute(
            "SELECT movement_key FROM marts.fct_inventory_ledger WHERE item_id = ? AND location_id = ? "
            "ORDER BY occurred_at DESC LIMIT 1", [item, location]).fetchone()[0]
    at = AppTest.from_file(APP, default_timeout=600).run()
    st.cache_data.clear()
    at.switch_page("app_pages/inventory.py")
    timed_run(at)  # the page as it opens
    for label, params in (("company -> site", {"site": site}),
                          ("site -> item", {"site": site, "item": item}),
                          ("item -> location", {"site": site, "item": item, "loc": location, "lot": lot}),
                          ("location -> movement", {"site": site, "item": item, "loc": location, "lot": lot,
                                                    "mv": movement})):
        for key, value in params.items():
            at.query_params[key] = value
        seconds, queries = timed_run(at)
        rows.append(("drill-down", label, seconds, queries))
    return rows


def main(homes: list[str]) -> None:
    sections = ["# Dashboard speed\n", __doc__.split("\n\n", 1)[1].strip() + "\n"]
    for home in map(Path, homes):
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            movements = con.execute("SELECT count(*) FROM marts.fct_inventory_ledger").fetchone()[0]
        print(f"Measuring {home} ({movements:,} ledger lines) ...", flush=True)
        rows = measure(home)
        lines = [f"\n## {home.name}: {movements:,} ledger lines\n",
                 "| kind | view | app (s) | of which DuckDB queries (s) | target |", "|---|---|---:|---:|---|"]
        for kind, view, seconds, queries in rows:
            target = 1.0 if kind == "first render" else 0.3
            mark = "ok" if seconds < target else f"over {target:g} s"
            lines.append(f"| {kind} | {view} | {seconds:.3f} | {queries:.3f} | {mark} |")
        renders = [s for k, _, s, _ in rows if k == "first render"]
        drills = [s for k, _, s, _ in rows if k == "drill-down"]
        lines.append(f"\nFirst render: median {statistics.median(renders):.2f} s, max {max(renders):.2f} s. "
                     f"Drill-down: median {statistics.median(drills) * 1000:.0f} ms, max {max(drills) * 1000:.0f} ms.")
        print("\n".join(lines), flush=True)
        sections.extend(lines)
    path = write_result("dashboards", "\n".join(sections) + "\n")
    print(f"Wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:] or [str(Path("data").resolve())])
