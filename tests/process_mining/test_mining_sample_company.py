"""The sample company's event log, mined by the session fixture: injected late postings are
found, the business views agree with the log, results and maps are in the warehouse, and the
OCEL export and `onhand mine` work on it."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from lakehouse.warehouse import read_only
from lakehouse.workspace import Workspace
from onhand.cli import app
from process_mining import ocel
from process_mining.mine import TABLE_COMMENTS

pytestmark = pytest.mark.slow


def _injected(ws: Workspace, kind: str) -> set[str]:
    """movement_keys of the ground truth's anomalies of ``kind`` (count anomalies name the
    movement that caused them in related_ids)."""
    with open(ws.ground_truth / "anomalies.csv", newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["kind"] == kind]
    column = "record_id" if kind == "late_posting" else "related_ids"
    return {f"{r['source']}:{r[column]}" for r in rows}


def test_every_injected_late_posting_is_found(sample_company: Workspace) -> None:
    injected = _injected(sample_company, "late_posting")
    with read_only(sample_company.warehouse) as con:
        found = {r[0] for r in con.execute("select movement_key from mining.fct_late_postings")
                 .fetchall()}
    assert injected, "the demo company injects late postings"
    recall = len(injected & found) / len(injected)
    assert recall == 1.0, sorted(injected - found)
    # nothing else is flagged but the transfers the count anomalies were caused by
    assert found - injected == _injected(sample_company, "count_late_posting") & found
    assert found <= injected | _injected(sample_company, "count_late_posting")


def test_month_end_crossings_are_in_the_cutoff_exposure(sample_company: Workspace) -> None:
    with read_only(sample_company.warehouse) as con:
        missing = con.execute("""
            select l.event_id
            from mining.fct_late_postings l
            left join mining.mart_cutoff_exposure c
                on c.site_id = l.site_id and c.month_end = last_day(l.occurred_at)
            where l.crosses_month_end and l.value <> 0
              and coalesce(case when l.direction = 'in' then c.unposted_in_movements
                                else c.unposted_out_movements end, 0) = 0
        """).fetchall()
        crossing = con.execute("select count(*) from mining.fct_late_postings "
                               "where crosses_month_end").fetchone()
    assert crossing and crossing[0] > 0
    assert missing == []


def test_flow_deviations_are_explained_by_late_postings(sample_company: Workspace) -> None:
    with read_only(sample_company.warehouse) as con:
        rows = con.execute("""
            select d.rule, count(*) as cases, count(l.case_id) as with_late_posting
            from mining.flow_deviations d
            left join (select distinct process, case_id from mining.fct_late_postings) l
                using (process, case_id)
            where d.log = 'onhand' and d.rule = 'invoice before receipt posted'
            group by d.rule
        """).fetchall()
    assert rows and rows[0][1] == rows[0][2]


def test_results_and_maps_are_documented(sample_company: Workspace) -> None:
    with read_only(sample_company.warehouse) as con:
        # tables and views (the event log is a view over its document events and the ledger's rows)
        comments = dict(con.execute("select table_name, comment from duckdb_tables() "
                                    "where schema_name = 'mining' union all "
                                    "select view_name, comment from duckdb_views() "
                                    "where schema_name = 'mining'").fetchall())
        maps = con.execute("select process, map, svg from mining.process_maps "
                           "where log = 'onhand'").fetchall()
        processes = {r[0] for r in con.execute(
            "select distinct process from mining.fct_process_events").fetchall()}
        conformance = con.execute("select process, cases, cases_replayed from mining.conformance "
                                  "where log = 'onhand'").fetchall()
    assert all(comments.get(name) for name in TABLE_COMMENTS)
    assert all("Grain" in (comments.get(name) or "") for name in (
        "fct_process_events", "mart_posting_delay_stats", "mart_cutoff_exposure", "variants"))
    assert {(p, m) for p, m, _ in maps} >= {(p, "performance_dfg") for p in processes}
    assert all(bytes(svg).lstrip().startswith(b"<?xml") and b"<svg" in bytes(svg)
               for _, _, svg in maps)
    assert {p for p, _, _ in conformance} == processes
    assert all(cases == replayed for _, cases, replayed in conformance)


def test_ocel_export_of_a_process_round_trips(sample_company: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "consignment.jsonocel"
    result = CliRunner().invoke(app, ["mine", "--home", str(sample_company.root),
                                      "--export-ocel", str(target), "--process", "consignment"])
    assert result.exit_code == 0, result.output
    back = ocel.read_ocel(target)
    with read_only(sample_company.warehouse) as con:
        events = con.execute("select event_id, activity from mining.fct_process_events "
                             "where process = 'consignment' order by event_id").fetchall()
        relations = con.execute("""select count(*) from mining.fct_event_objects r
            join mining.fct_process_events e using (event_id) where e.process = 'consignment'
        """).fetchone()
    assert sorted(zip(back.events["ocel:eid"], back.events["ocel:activity"], strict=True)) == events
    assert relations and len(back.relations) == relations[0]
    assert f"{len(events):,} events" in result.output


def test_unknown_process_is_refused(sample_company: Workspace, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["mine", "--home", str(sample_company.root), "--export-ocel",
                                      str(tmp_path / "x.jsonocel"), "--process", "nonsense"])
    assert result.exit_code == 1 and "no such process: nonsense" in result.output


def test_mining_again_replaces_the_results(sample_company: Workspace, tmp_path: Path) -> None:
    ws = Workspace.resolve(tmp_path / "home")
    ws.root.mkdir(parents=True)
    shutil.copyfile(sample_company.warehouse, ws.warehouse)
    with duckdb.connect(str(ws.warehouse), read_only=True) as con:
        before = con.execute("select count(*) from mining.variants").fetchone()
    result = CliRunner().invoke(app, ["mine", "--home", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "procurement" in result.output and "Mined onhand" in result.output
    with duckdb.connect(str(ws.warehouse), read_only=True) as con:
        after = con.execute("select count(*) from mining.variants").fetchone()
        runs = con.execute("select r.build_id = b.build_id from mining.mining_runs r, "
                           "audit.build_info b").fetchall()
    assert before == after and runs == [(True,)]


@pytest.mark.parametrize("breakage", [
    # an activity with a second rank: two physical steps of one case could share a moment
    "update mining.fct_process_events set activity_rank = activity_rank + 5 "
    "where event_id = (select min(event_id) from mining.fct_process_events where activity = 'Shipped')",
    # two activities posted by the same posting activity: two posting steps could collide
    "update mining.fct_process_events set posting_activity = 'Scrap posted' where activity = 'Issued'",
    # a posting activity named like a physical one: a posting step could collide with a physical step
    "update mining.fct_process_events set posting_activity = 'Adjusted' where activity = 'Issued'",
])
def test_the_case_steps_grain_check_fails_where_the_grain_could_break(
        sample_company: Workspace, tmp_path: Path, breakage: str) -> None:
    """case_steps_grain_holds stands in for a uniqueness test on the fct_case_steps view
    (docs/decisions.md): silent on the built warehouse, it reports each way the grain could break."""
    check = (sample_company.root / "dbt" / "target" / "compiled" / "onhand" / "tests"
             / "case_steps_grain_holds.sql").read_text()
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_company.warehouse, copy)
    with duckdb.connect() as con:
        con.execute(f"attach '{copy}' as warehouse")
        assert con.execute(check).fetchall() == []
        con.execute("use warehouse")
        # the event log is a view: a table with its rows takes its place, to be broken
        con.execute("create temp table events as select * from mining.fct_process_events")
        con.execute("drop view mining.fct_process_events")
        con.execute("create table mining.fct_process_events as select * from events")
        con.execute(breakage)
        assert con.execute(check).fetchall()
