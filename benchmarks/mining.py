"""`onhand mine` per scale, side by side with PM4Py on the full log.

For each scale: land and build the sample company once into its own workspace (reused),
then time `onhand mine` as a child process (DuckDB over every case, PM4Py over the
variants, maps, the derive-and-swap write). The baseline, also a child process, gives PM4Py
the whole case-centric log as a DataFrame, one process at a time: performance DFG, variants,
Inductive Miner infrequent, token-based replay on the expected flow. It checks that both
find the same variants (with the same case counts) and the same mean arc times.

    .venv/bin/python -m benchmarks.mining --scale demo --scale medium
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from benchmarks.common import WORK, company, run, write_result
from lakehouse.build import BUILD_PATH_ENV, DBT_PROJECT

STEPS_QUERY = """
    select process, case_id as "case:concept:name", activity as "concept:name",
           step_at as "time:timestamp"
    from mining.fct_case_steps
    where process = $process
    order by case_id, step_at, activity_rank, physical_at, activity
"""


def built_home(scale: str) -> Path:
    """A workspace with the sample company landed and built (with the mining models)."""
    home = WORK / f"mining-{scale}"
    if not (home / "warehouse.duckdb").exists():
        run([sys.executable, "-m", "onhand", "ingest", str(company(scale) / "inbox"),
             "--home", str(home)])
        run([sys.executable, "-m", "onhand", "build", "--home", str(home)], env={"COLUMNS": "200"})
    return home


def dbt_mining_seconds(home: Path) -> float:
    """Wall time of `dbt build --select mining` (the mining models, their tests and unit
    tests) on a copy of the built warehouse: their share of every `onhand build`."""
    copy = home / ".mining-bench.duckdb"
    shutil.copyfile(home / "warehouse.duckdb", copy)
    try:
        dbt = Path(sys.executable).with_name("dbt")
        measured = run([str(dbt), "build", "--select", "mining", "--project-dir", str(DBT_PROJECT),
                        "--profiles-dir", str(DBT_PROJECT), "--target-path",
                        str(home / "dbt" / "bench-target"), "--log-path", str(home / "dbt" / "logs")],
                       env={BUILD_PATH_ENV: str(copy)})
    finally:
        copy.unlink(missing_ok=True)
    return measured.seconds


def pm4py_full_log(home: Path) -> dict[str, object]:
    """The baseline (run in a child process): PM4Py on every case of every process."""
    import pm4py

    from process_mining import models
    from process_mining.flows import EXPECTED_FLOWS

    out: dict[str, object] = {"seconds": {}, "same_variants": True, "same_dfg_means": True}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        processes = [r[0] for r in con.execute(
            "select distinct process from mining.fct_case_steps order by 1").fetchall()]
        for process in processes:
            frame = con.execute(STEPS_QUERY, {"process": process}).df()
            ours_variants = {tuple(v.split(" -> ")): n for v, n in con.execute(
                "select variant, cases from mining.variants where log = 'onhand' and process = $p",
                {"p": process}).fetchall()}
            ours_dfg = {(s, t): float(h) for s, t, h in con.execute(
                "select source_activity, target_activity, mean_hours from mining.directly_follows "
                "where log = 'onhand' and process = $p", {"p": process}).fetchall()}
            started = time.perf_counter()
            dfg, _, _ = pm4py.discover_performance_dfg(frame)
            variants = pm4py.get_variants(frame)
            tree = pm4py.discover_process_tree_inductive(frame, noise_threshold=models.NOISE_THRESHOLD)
            pm4py.convert_to_petri_net(tree)
            if process in EXPECTED_FLOWS:
                expected = models.expected_model(EXPECTED_FLOWS[process].tree)
                pm4py.conformance_diagnostics_token_based_replay(
                    frame, expected.net, expected.initial, expected.final)
            out["seconds"][process] = round(time.perf_counter() - started, 1)  # type: ignore[index]
            if {tuple(k): v for k, v in variants.items()} != ours_variants:
                out["same_variants"] = False
            theirs = {pair: round(m["mean"] / 3600, 2) for pair, m in dfg.items()}
            if any(abs(theirs.get(pair, -1) - mean) > 0.011 for pair, mean in ours_dfg.items()) \
                    or set(theirs) != set(ours_dfg):
                out["same_dfg_means"] = False
    return out


def bench(scale: str, baseline: bool) -> str:
    home = built_home(scale)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        events, steps, cases = con.execute(
            "select (select count(*) from mining.fct_process_events), count(*), "
            "count(distinct (process, case_id)) from mining.fct_case_steps").fetchone()
    dbt_seconds = dbt_mining_seconds(home)
    mined = run([sys.executable, "-m", "onhand", "mine", "--home", str(home)], env={"COLUMNS": "200"})
    row = (f"| {scale} | {events:,} | {steps:,} | {cases:,} | {dbt_seconds:.0f} "
           f"| {mined.seconds:.0f} | {mined.peak_rss_mb:,.0f} |")
    if not baseline:
        return row + " not run | | | |"
    child = run([sys.executable, "-m", "benchmarks.mining", "--baseline-child", str(home)])
    result = json.loads(child.output.strip().splitlines()[-1])
    return (row + f" {child.seconds:.0f} | {child.peak_rss_mb:,.0f} | "
            f"{'yes' if result['same_variants'] else 'NO'} | "
            f"{'yes' if result['same_dfg_means'] else 'NO'} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="append", default=[])
    parser.add_argument("--no-baseline", action="append", default=[],
                        help="scales to mine without the PM4Py full-log baseline")
    parser.add_argument("--baseline-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_child:
        print(json.dumps(pm4py_full_log(args.baseline_child)))
        return
    load = os.getloadavg()[0]
    rows = [bench(scale, scale not in args.no_baseline) for scale in args.scale or ["demo"]]
    load = max(load, os.getloadavg()[0])
    header = (f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores; "
              f"load average up to {load:.0f} at the start and end of the runs.\n\n")
    table = header + ("| scale | events | case steps | cases | dbt build --select mining s | onhand mine s | peak MB "
             "| PM4Py full log s | peak MB | same variants | same DFG means |\n"
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n" + "\n".join(rows))
    path = write_result("mining", table + "\n")
    print(table)
    print(f"Written to {path}")


if __name__ == "__main__":
    main()
