"""`onhand build` wall time and peak memory per scale, and FIFO against the reference valuer.

For each scale: land the sample company once (reused), then time `onhand build`
(dbt: staging, valuation, marts, every test, the docs site) as a child process.
With --fifo, value the FIFO movements of the built warehouse with the set-based
engine and with the one-at-a-time reference valuer of the tests, each twice in
this process (the better run counts: the first touches memory for the first
time), and check that the two agree to the cent. Both get their input in
valuation order: the engine as valuation_seq, the reference as a sorted list.
Beside them, the issue's bare F(q) ASOF formulation (``fifo_asof``) on the same
movements: the fastest plain-SQL FIFO the issue measured, the figure to beat.

    .venv/bin/python -m benchmarks.build --scale demo --scale medium --fifo medium
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from fractions import Fraction

import duckdb

from benchmarks.common import WORK, company, run, write_result


def landed_home(scale: str) -> str:
    home = WORK / f"build-{scale}"
    if not (home / "lake" / "manifests").exists() or not any((home / "lake" / "manifests").iterdir()):
        run([sys.executable, "-m", "onhand", "ingest", str(company(scale) / "inbox"), "--home", str(home)])
    return str(home)


def bench_build(scale: str) -> str:
    home = landed_home(scale)
    measured = run([sys.executable, "-m", "onhand", "build", "--home", home], env={"COLUMNS": "200"})
    with duckdb.connect(f"{home}/warehouse.duckdb", read_only=True) as con:
        movements = con.execute("SELECT count(*) FROM marts.fct_inventory_ledger").fetchone()[0]
    return (f"| {scale} | {movements:,} | {measured.seconds:.0f} | {measured.peak_rss_mb:,.0f} "
            f"| {movements / measured.seconds:,.0f} |")


def bench_fifo(scale: str) -> str:
    """The FIFO movements of the built warehouse through the engine and the reference."""
    from lakehouse.valuation import value_all
    from tests.valuation_reference import Event, value_events

    home = landed_home(scale)
    con = duckdb.connect()
    con.execute(f"ATTACH '{home}/warehouse.duckdb' AS wh (READ_ONLY)")
    con.execute("""
        CREATE TEMP TABLE src_movements AS
        SELECT movement_key AS key, area_id, 'fifo' AS method, movement_type AS mtype, qty_u, receipt_value_c,
               CAST(standard_cost * 1000000 AS HUGEINT) AS std_num,
               CASE WHEN movement_type = 'transfer_in' THEN paired_movement_key ELSE return_of_key END AS ref_key,
               occurred_at, posted_at, movement_id || '|' || source_system AS tiebreak, valuation_seq AS seq
        FROM wh.intermediate.int_movements_prepared
        WHERE exception_code IS NULL AND ownership = 'owned' AND NOT is_intra_site_transfer
          AND valuation_method = 'fifo'
    """)
    con.execute("CREATE TEMP TABLE src_charges AS SELECT charge_key AS key, receipt_key, amount_c, occurred_at, "
                "posted_at, charge_id || '|' || source_system AS tiebreak FROM wh.intermediate."
                "int_landed_costs_prepared WHERE exception_code IS NULL AND receipt_key IN "
                "(SELECT key FROM src_movements)")
    count = con.execute("SELECT count(*) FROM src_movements").fetchone()[0]

    def inputs() -> None:  # the engine consumes (drops) its inputs: views over the sources, for each run
        con.execute("CREATE OR REPLACE TEMP VIEW val_movements AS SELECT rowid AS r, * FROM src_movements")
        con.execute("CREATE OR REPLACE TEMP VIEW val_charges AS SELECT * FROM src_charges")
        con.execute("CREATE OR REPLACE TEMP TABLE val_cost_changes (key VARCHAR, area_id VARCHAR, std_num HUGEINT, "
                    "occurred_at TIMESTAMP)")

    engine_s, engine_cpu, run_info = best_of_two(lambda: value_all(con, keep_events=True), inputs)
    engine = dict(con.execute("SELECT key, CAST(value_c AS BIGINT) FROM val_values").fetchall())

    rows = con.execute("""
        SELECT coalesce(m.key, e.key), coalesce(m.area_id, r.area_id), e.mtype, CAST(e.qty_u AS BIGINT),
               CAST(coalesce(m.receipt_value_c, e.amount_c) AS BIGINT), CAST(e.std_num AS BIGINT),
               coalesce(m.ref_key, c.receipt_key)
        FROM ev e
        LEFT JOIN src_movements m ON m.rowid = e.r  -- a movement's number (val_movements.r)
        LEFT JOIN src_charges c ON c.key = e.key
        LEFT JOIN src_movements r ON r.key = c.receipt_key
        -- one global time order, so that a transfer-out comes before its transfer-in
        ORDER BY coalesce(m.occurred_at, greatest(c.occurred_at, r.occurred_at)),
                 coalesce(m.posted_at, greatest(c.posted_at, r.posted_at)), coalesce(m.area_id, r.area_id), e.seq
    """).fetchall()
    events = [Event(key, area, kind, qty, value, "fifo", Fraction(std, 10**10),
                    return_of=None if kind == "transfer_in" else ref, transfer_of=ref if kind == "transfer_in" else None)
              for key, area, kind, qty, value, std, ref in rows]
    reference_s, reference_cpu, reference = best_of_two(lambda: value_events(events))
    same = engine == reference.value
    asof_s, asof_cpu, _ = best_of_two(lambda: fifo_asof(con, "src_movements"))
    return (f"| {scale} | {count:,} | {engine_s:.2f} ({engine_cpu:.2f} CPU, {run_info.rounds} rounds) "
            f"| {reference_s:.2f} ({reference_cpu:.2f} CPU) | {reference_s / engine_s:.1f}x "
            f"(CPU {reference_cpu / engine_cpu:.1f}x) | {'yes' if same else 'NO'} "
            f"| {asof_s:.2f} ({asof_cpu:.2f} CPU); against the engine: {asof_agreement(con, 'src_movements')} "
            f"| {load()} |")


def bench_fifo_copies(scale: str, copies: int) -> str:
    """The engine alone on the FIFO movements of ``scale`` repeated ``copies`` times, each copy in
    its own areas (keys renamed): FIFO at a larger scale without generating and landing it. The
    copies are written once to a scratch database file, which the engine reads through views as
    it reads ``int_movements_prepared`` in the build."""
    import resource

    import pyarrow as pa

    from lakehouse.valuation import value_all

    home = landed_home(scale)
    source = WORK / f"fifo-{scale}-x{copies}.duckdb"  # remade when the warehouse is newer
    if not source.exists() or source.stat().st_mtime < os.stat(f"{home}/warehouse.duckdb").st_mtime:
        source.unlink(missing_ok=True)
        with duckdb.connect(str(source.with_suffix(".part"))) as out:
            out.execute(f"ATTACH '{home}/warehouse.duckdb' AS wh (READ_ONLY)")
            out.execute(f"""
                CREATE TABLE movements AS
                SELECT movement_key || '#' || r AS key, area_id || '#' || r AS area_id, 'fifo' AS method,
                       movement_type AS mtype, qty_u, receipt_value_c,
                       CAST(standard_cost * 1000000 AS HUGEINT) AS std_num,
                       CASE WHEN movement_type = 'transfer_in' THEN paired_movement_key ELSE return_of_key END
                           || '#' || r AS ref_key,
                       occurred_at, posted_at, movement_id || '|' || source_system AS tiebreak, valuation_seq AS seq
                FROM wh.intermediate.int_movements_prepared, range({copies}) t(r)
                WHERE exception_code IS NULL AND ownership = 'owned' AND NOT is_intra_site_transfer
                  AND valuation_method = 'fifo'
            """)
            out.execute(f"""
                CREATE TABLE charges AS
                SELECT charge_key || '#' || r AS key, receipt_key || '#' || r AS receipt_key, amount_c, occurred_at,
                       posted_at, charge_id || '|' || source_system AS tiebreak
                FROM wh.intermediate.int_landed_costs_prepared, range({copies}) t(r)
                WHERE exception_code IS NULL AND receipt_key || '#' || r IN (SELECT key FROM movements)
            """)
        source.with_suffix(".part").rename(source)
    con = duckdb.connect()
    con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
    con.execute("CREATE TEMP VIEW val_movements AS SELECT rowid AS r, * FROM src.movements")
    con.execute("CREATE TEMP VIEW val_charges AS SELECT * FROM src.charges")
    con.execute("CREATE TEMP TABLE val_cost_changes (key VARCHAR, area_id VARCHAR, std_num HUGEINT, "
                "occurred_at TIMESTAMP)")
    count = con.execute("SELECT count(*) FROM val_movements").fetchone()[0]
    # pyarrow imports pandas on its first conversion to numpy (0.7 s, once per process): done before
    # the engine is timed, as it was before the core, which is timed after the engine
    pa.array([0]).to_numpy()
    wall, cpu = time.perf_counter(), time.process_time()
    run_info = value_all(con)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    asof_s, asof_cpu, _ = best_of_two(lambda: fifo_asof(con, "src.movements"))
    return (f"| {scale} x {copies} | {count:,} | {wall:.1f} ({cpu:.1f} CPU, {run_info.rounds} rounds) "
            f"| not run | | {peak:,.0f} MB peak (process) | {asof_s:.1f} ({asof_cpu:.1f} CPU) | {load()} |")


def fifo_asof(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """The issue's bare F(q) formulation, the baseline to beat: each outflow priced as F(q1) - F(q0), F
    evaluated by ASOF joins at the outflow's cumulative-quantity bounds, every inflow a layer (at its
    own value, else at its standard cost). No landed costs, negative-stock revaluation, returns or
    transfers at their source's cost, reservations or derived costs: on areas that need none of
    them it gives the engine's values but for rounding (``asof_agreement``). Areas are joined on
    a 64-bit hash of their id, not the text: 18-24 % faster at 20M, so the baseline at its best."""
    from lakehouse.valuation import STD_DEN, _half_up

    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE asof_layers AS  -- each inflow a layer: cumulative quantity and value before it
        SELECT a, q, v, sum(q) OVER w - q AS q0, sum(v) OVER w - v AS v0
        FROM (SELECT hash(area_id) AS a, seq, CAST(qty_u AS BIGINT) AS q,
                     CAST(coalesce(receipt_value_c, {_half_up("qty_u * std_num", str(STD_DEN))}) AS BIGINT) AS v
              FROM {source} WHERE qty_u > 0)
        WINDOW w AS (PARTITION BY a ORDER BY seq ROWS UNBOUNDED PRECEDING);
        CREATE OR REPLACE TEMP TABLE asof_outflows AS  -- each outflow: cumulative quantity issued before and after
        SELECT key, a, q1 - q AS q0, q1
        FROM (SELECT key, hash(area_id) AS a, -CAST(qty_u AS BIGINT) AS q, sum(q) OVER w AS q1
              FROM {source} WHERE qty_u < 0
              WINDOW w AS (PARTITION BY a ORDER BY seq ROWS UNBOUNDED PRECEDING));
        CREATE OR REPLACE TEMP TABLE asof_values AS  -- value = F(q1) - F(q0), F(q) = value of the first q units
        SELECT o.key, coalesce(l1.v0 + {_half_up("(o.q1 - l1.q0)::HUGEINT * l1.v", "l1.q")}, 0)
                    - coalesce(l0.v0 + {_half_up("(o.q0 - l0.q0)::HUGEINT * l0.v", "l0.q")}, 0) AS value_c
        FROM asof_outflows o
        ASOF LEFT JOIN asof_layers l1 ON o.a = l1.a AND o.q1 > l1.q0
        ASOF LEFT JOIN asof_layers l0 ON o.a = l0.a AND o.q0 > l0.q0
    """)


def asof_agreement(con: duckdb.DuckDBPyConnection, source: str) -> str:
    """How many outflows of the areas that need nothing beyond the bare core (every inflow a receipt
    with its value, no landed cost in ``src_charges``, no vendor return, never below zero in the
    engine's ``val_values``) the baseline values as the engine does. They may differ by a cent per
    layer an outflow takes from: F(q) rounds each cumulative value, the engine (and the reference,
    as ERPs do) each piece, the piece that empties a layer taking its rest."""
    same, total, furthest = con.execute(f"""
        WITH plain AS (
            SELECT area_id FROM {source}
            GROUP BY area_id
            HAVING bool_and(qty_u < 0 OR receipt_value_c IS NOT NULL) AND bool_and(mtype <> 'vendor_return')
               AND NOT bool_or(key IN (SELECT receipt_key FROM src_charges))
               AND NOT bool_or(key IN (SELECT key FROM val_values WHERE deficit_units <> 0)))
        SELECT count(*) FILTER (WHERE a.value_c = abs(v.value_c)), count(*), max(abs(a.value_c - abs(v.value_c)))
        FROM asof_values a JOIN val_values v USING (key)
        WHERE a.key IN (SELECT key FROM {source} WHERE area_id IN (SELECT area_id FROM plain))
    """).fetchall()[0]
    return f"{same:,} of {total:,} plain outflows to the cent, all within {furthest} cents (rounding)"


def load() -> str:
    """The machine's load average over the last minute (other work beside the benchmark inflates wall times)."""
    return f"{os.getloadavg()[0]:.1f}"


def best_of_two(fn, setup=lambda: None):
    """Wall seconds, CPU seconds (all threads) and result of the faster of two runs (``setup`` before
    each, not timed)."""
    runs = []
    for _ in range(2):
        setup()
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu, result))
    return min(runs, key=lambda r: r[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", action="append", choices=["demo", "medium", "large"])
    parser.add_argument("--fifo", action="append", choices=["demo", "medium", "large"], default=[])
    parser.add_argument("--fifo-copies", type=int, default=0,
                        help="also the engine alone on the FIFO movements of each --fifo scale repeated N times")
    parser.add_argument("--name", default="build", help="results file: benchmarks/results/NAME.md")
    args = parser.parse_args()
    lines = ["| scale | ledger movements | onhand build s | peak MB | movements/s |", "|---|---:|---:|---:|---:|"]
    for scale in args.scale or []:
        lines.append(bench_build(scale))
        print(lines[-1], flush=True)
    if args.fifo:
        lines += ["", "| scale | FIFO movements | engine s | reference valuer s | speed-up (wall) | identical "
                      "| bare F(q) ASOF core s | load (1 min) |",
                  "|---|---:|---:|---:|---:|---|---|---:|"]
    for scale in args.fifo:
        lines.append(bench_fifo_copies(scale, args.fifo_copies) if args.fifo_copies else bench_fifo(scale))
        print(lines[-1], flush=True)
    print(f"written to {write_result(args.name, chr(10).join(lines) + chr(10))}")


if __name__ == "__main__":
    main()
