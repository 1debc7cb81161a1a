"""`onhand mine`: mine the warehouse's event log (or an external OCEL 2.0 log) and publish
the results as ``mining.*`` tables.

1. DuckDB, over every case: directly-follows relations with their times, activities,
   variants with frequencies and durations, ordering-rule deviations, bottlenecks
   (:mod:`process_mining.log`).
2. PM4Py, over the variants: the discovered model (Inductive Miner infrequent), token-based
   replay of every variant on the expected flow and on the discovered model, and the process
   maps rendered by Graphviz as SVG (:mod:`process_mining.models`).
3. One write: the results are computed from a read-only connection, then added to a copy of
   the warehouse that is swapped in (:func:`lakehouse.warehouse.derive`), so readers never
   see half of them and the maps always belong to the warehouse they describe.

Every result row carries ``log``: ``onhand`` for the warehouse's own log, the file name for
an external OCEL log; mining one log replaces only that log's rows.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from lakehouse.sql import ident
from lakehouse.warehouse import derive, read_only
from lakehouse.workspace import Workspace
from process_mining import log as caselog
from process_mining import models, ocel
from process_mining.errors import MiningError
from process_mining.flows import EXPECTED_FLOWS, Flow

INTERNAL_LOG = "onhand"
STEPS_TABLE = "mining.fct_case_steps"
MAX_VARIANTS = 2000
"""Variants per process given to PM4Py, most frequent first; see docs/process-mining.md."""
BOTTLENECKS_PER_PROCESS = 5

Progress = Callable[[int, int, str], None]

TABLE_COMMENTS = {
    "directly_follows": "Performance directly-follows graph. Grain: one row per log x process x "
                        "(source_activity, target_activity) pair that directly follow each other in "
                        "some case, over every case: frequency and the hours between them.",
    "process_activities": "Grain: one row per log x process x activity: occurrences, cases, and "
                          "the cases it starts and ends.",
    "variants": "Process variants. Grain: one row per log x process x variant (sequence of "
                "activities), over every case: cases, share, durations (first to last step), and "
                "token-based replay on the expected flow and on the discovered model.",
    "conformance": "Grain: one row per log x process: cases and variants, the expected flow and "
                   "the discovered model (process trees), the cases that fit each and the "
                   "log fitness (token-based replay, weighted by cases).",
    "flow_deviations": "Grain: one row per log x process x case x broken ordering rule of the "
                       "expected flow (e.g. invoice before receipt posted, posted before it "
                       "happened), with the two moments and the hours between them.",
    "bottlenecks": "Grain: one row per log x process x rank: the transitions holding the most "
                   "waiting time (frequency x mean hours), top 5 per process.",
    "process_maps": "Process maps for the dashboard. Grain: one row per log x process x map "
                    "(performance_dfg, discovered_model, expected_model): an SVG image rendered "
                    "by Graphviz from this warehouse's log.",
    "mining_runs": "Grain: one row per log: when it was last mined, what it held, how long the "
                   "analysis took, and the warehouse build (audit.build_info) it describes.",
}


@dataclass
class ProcessSummary:
    process: str
    cases: int
    variants: int
    fitting_share: float | None
    """Share of cases that fit the expected flow (None: the process has none)."""
    deviations: int


@dataclass
class MiningReport:
    log: str
    target: Path
    steps: int = 0
    cases: int = 0
    processes: list[ProcessSummary] = field(default_factory=list)
    maps: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        variants = sum(p.variants for p in self.processes)
        deviations = sum(p.deviations for p in self.processes)
        return (f"Mined {self.log}: {self.steps:,} steps in {self.cases:,} cases of "
                f"{len(self.processes)} processes, {variants:,} variants, {deviations:,} flow "
                f"deviations, {self.maps} process maps in {self.seconds:.1f} s. "
                f"Results: mining.* in {self.target}")


@dataclass
class Results:
    tables: dict[str, pd.DataFrame]
    report: MiningReport


def analyse(con: duckdb.DuckDBPyConnection, steps: str, *, log: str, flows: dict[str, Flow],
            target: Path, progress: Progress | None = None) -> Results:
    """Mine the steps relation ``steps`` (columns of mining.fct_case_steps) on ``con``."""
    started = time.perf_counter()
    report = MiningReport(log, target)

    def step(done: int, total: int, label: str) -> None:
        if progress:
            progress(done, total, label)

    step(0, 4, "directly-follows graph and variants (DuckDB, every case)")
    count = con.execute(f"select count(*), count(distinct (process, case_id)) from {steps}").fetchone()
    report.steps, report.cases = (int(count[0]), int(count[1])) if count else (0, 0)
    if report.steps == 0:
        raise MiningError("the event log has no steps to mine", where=f"{target} ({log})",
                          fix="land and build data with inventory movements and documents first")
    dfg = caselog.directly_follows(con, steps)
    acts = caselog.activities(con, steps)
    variants = caselog.variants(con, steps)
    step(1, 4, "flow deviations (DuckDB, every case)")
    deviations = caselog.deviations(con, steps, flows)
    names = sorted(variants.counters)

    conformance_rows, replays, maps = [], [], []
    for n, process in enumerate(names):
        step(2, 4, f"discovery and conformance (PM4Py): {process}")
        counter = variants.counters[process]
        kept = counter.most_common(MAX_VARIANTS)
        traces, cases = [t for t, _ in kept], [c for _, c in kept]
        discovered = models.discover(Counter(dict(kept)))
        on_discovered = models.replay(discovered, traces)
        flow = flows.get(process)
        expected = models.expected_model(flow.tree) if flow else None
        on_expected = models.replay(expected, traces) if expected else None
        fit_d, fitness_d = models.weighted_fitness(on_discovered, cases)
        fit_e, fitness_e = models.weighted_fitness(on_expected, cases) if on_expected else (None, None)
        total_cases = sum(counter.values())
        report.processes.append(ProcessSummary(
            process, total_cases, len(counter), fit_e / total_cases if fit_e is not None else None,
            int((deviations["process"] == process).sum())))
        conformance_rows.append({
            "process": process, "cases": total_cases, "variants": len(counter),
            "variants_replayed": len(kept), "cases_replayed": sum(cases),
            "expected_model": expected.tree if expected else None,
            "expected_fitting_cases": fit_e, "expected_log_fitness": fitness_e,
            "discovered_model": discovered.tree,
            "discovered_fitting_cases": fit_d, "discovered_log_fitness": fitness_d,
        })
        for i, trace in enumerate(traces):
            replays.append({
                "process": process, "variant": " -> ".join(trace),
                "expected_fit": on_expected[i].fit if on_expected else None,
                "expected_fitness": on_expected[i].fitness if on_expected else None,
                "discovered_fit": on_discovered[i].fit,
                "discovered_fitness": on_discovered[i].fitness,
            })
        step(3, 4, f"process maps (Graphviz): {process} ({n + 1}/{len(names)})")
        arcs = dfg[dfg["process"] == process]
        if not arcs.empty:  # cases of a single step have no directly-follows arcs to draw
            maps.append((process, "performance_dfg", f"{process}: performance directly-follows "
                         "graph (mean time between steps, every case)",
                         models.performance_map(arcs, acts[acts["process"] == process], process)))
        maps.append((process, "discovered_model", f"{process}: model discovered by the Inductive "
                     f"Miner (noise threshold {models.NOISE_THRESHOLD})",
                     models.model_map(discovered, f"{process}: discovered")))
        if expected:
            maps.append((process, "expected_model", f"{process}: the expected flow conformance "
                         "is checked against", models.model_map(expected, f"{process}: expected")))
    report.maps = len(maps)

    # Explicit nullable types: a log without expected flows must create the same columns.
    replay_frame = pd.DataFrame(replays, columns=[
        "process", "variant", "expected_fit", "expected_fitness", "discovered_fit",
        "discovered_fitness"]).astype({"expected_fit": "boolean", "expected_fitness": "Float64",
                                       "discovered_fit": "boolean", "discovered_fitness": "Float64"})
    variant_frame = variants.frame.merge(replay_frame, on=["process", "variant"], how="left")
    variant_frame = variant_frame.assign(replayed=variant_frame["discovered_fit"].notna())
    tables = {
        "directly_follows": dfg,
        "process_activities": acts,
        "variants": variant_frame,
        "conformance": pd.DataFrame(conformance_rows).astype({
            "expected_model": "string", "expected_fitting_cases": "Int64",
            "expected_log_fitness": "Float64", "discovered_model": "string",
            "discovered_fitting_cases": "Int64", "discovered_log_fitness": "Float64"}),
        "flow_deviations": deviations,
        "bottlenecks": caselog.bottlenecks(dfg, BOTTLENECKS_PER_PROCESS),
        "process_maps": pd.DataFrame(maps, columns=["process", "map", "caption", "svg"]),
    }
    report.seconds = time.perf_counter() - started
    tables["mining_runs"] = pd.DataFrame([{
        "mined_at": datetime.now(UTC).replace(tzinfo=None), "steps": report.steps,
        "cases": report.cases, "processes": len(names), "variants": len(variants.frame),
        "seconds": round(report.seconds, 1), "build_id": None,
    }]).astype({"build_id": "string"})
    step(4, 4, "done")
    return Results({name: frame.assign(log=log) for name, frame in tables.items()}, report)


def write_results(con: duckdb.DuckDBPyConnection, results: Results) -> None:
    """Replace ``results.report.log``'s rows in the mining.* result tables (created on first use)."""
    con.execute("create schema if not exists mining")
    log = results.report.log
    for name, frame in results.tables.items():
        # hours and percentages are 2-decimal figures: DECIMAL again after their trip via pandas
        fixed = [c for c in frame.columns if c.endswith(("_hours", "_pct"))]
        select = "select * " + (
            "replace (" + ", ".join(f"cast({ident(c)} as decimal(14, 2)) as {ident(c)}"
                                    for c in fixed) + ") " if fixed else "") + "from _mining_frame"
        con.register("_mining_frame", frame)
        try:
            con.execute(f"create table if not exists mining.{name} as {select} where false")
            con.execute(f"delete from mining.{name} where log = $log", {"log": log})
            con.execute(f"insert into mining.{name} by name {select}")
        finally:
            con.unregister("_mining_frame")
        comment = TABLE_COMMENTS[name].replace("'", "''")
        con.execute(f"comment on table mining.{name} is '{comment}'")


def mine_warehouse(ws: Workspace, *, progress: Progress | None = None) -> MiningReport:
    """Mine the workspace warehouse's own event log and publish the results into it."""
    started = time.perf_counter()
    with read_only(ws.warehouse) as con:
        _require_log(con, ws.warehouse)
        # a view (one GROUP BY over the event log), read several times below: computed once
        con.execute(f"create temp table case_steps as select * from {STEPS_TABLE}")
        results = analyse(con, "case_steps", log=INTERNAL_LOG, flows=EXPECTED_FLOWS,
                          target=ws.warehouse, progress=progress)
        build_id = _build_id(con)
    runs = results.tables["mining_runs"]
    results.tables["mining_runs"] = runs.assign(
        build_id=pd.Series([build_id] * len(runs), dtype="string"))
    derive(ws.warehouse, ws, lambda con: write_results(con, results))
    results.report.seconds = time.perf_counter() - started
    return results.report


def mine_ocel(path: Path, ws: Workspace, *, out: Path | None = None,
              progress: Progress | None = None) -> MiningReport:
    """Mine an external OCEL 2.0 log, one case-centric view per object type, and publish the
    results into ``out`` (a DuckDB file, created if missing) or else the workspace warehouse."""
    steps = ocel.flatten(ocel.read_ocel(path))
    target = out or ws.warehouse
    with duckdb.connect() as con:
        con.register("ocel_steps", steps)
        results = analyse(con, "ocel_steps", log=path.name, flows={}, target=target,
                          progress=progress)
    if out is None:
        derive(ws.warehouse, ws, lambda con: write_results(con, results))
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(out)) as con:
            write_results(con, results)
    return results.report


def export_ocel(ws: Workspace, path: Path, processes: list[str] | None = None) -> ocel.OcelCounts:
    """Write the warehouse's object-centric event log as an OCEL 2.0 file."""
    with read_only(ws.warehouse) as con:
        _require_log(con, ws.warehouse)
        known = {r[0] for r in con.execute(
            "select distinct process from mining.fct_process_events").fetchall()}
        unknown = sorted(set(processes or []) - known)
        if unknown:
            raise MiningError(f"no such process: {', '.join(unknown)}", where=str(ws.warehouse),
                              fix=f"choose among {', '.join(sorted(known))}")
        log = ocel.internal_ocel(con, processes)
    return ocel.write_ocel(log, path)


def _build_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """The build id lakehouse.build recorded in this warehouse (None if it recorded none)."""
    recorded = con.execute("select count(*) from duckdb_tables() where schema_name = 'audit' "
                           "and table_name = 'build_info'").fetchone()
    if recorded != (1,):
        return None
    row = con.execute("select build_id from audit.build_info").fetchone()
    return str(row[0]) if row else None


def _require_log(con: duckdb.DuckDBPyConnection, where: Path) -> None:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'mining' "
        "and table_name in ('fct_case_steps', 'fct_process_events', 'fct_event_objects')"
    ).fetchone()
    if not found or found[0] < 3:
        raise MiningError("the warehouse has no event log (mining.fct_case_steps and friends)",
                          where=str(where),
                          fix="rebuild it with `onhand build` so the dbt mining models run")
