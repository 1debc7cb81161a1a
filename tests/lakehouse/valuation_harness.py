"""Run the valuation engine on reference events, for comparing the two."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pyarrow as pa

from lakehouse.valuation import STD_DEN, ValuationRun, value_all
from tests.valuation_reference import Event, Result

T0 = datetime(2026, 1, 1)


def std_num(e: Event) -> int:
    """The standard cost as the engine's integer (cost per unit x 10^6)."""
    scaled = e.standard_cost * STD_DEN
    assert scaled.denominator == 1, "test standard costs must be whole micro-currency units"
    return int(scaled)


def run_engine(events: list[Event], chunk_movements: int | None = None) -> tuple[Result, ValuationRun]:
    """Value ``events`` (in order) with the engine; the result in the reference's shape.
    ``chunk_movements``: value in chunks of about that many movements (linked areas together)."""
    con = duckdb.connect()
    movements = [e for e in events if e.kind not in ("landed_cost", "standard_cost_change")]
    changes = [e for e in events if e.kind == "standard_cost_change"]
    charges = [(i, e) for i, e in enumerate(events) if e.kind == "landed_cost"]
    order = {e.key: i for i, e in enumerate(events)}
    con.register("m", pa.table({
        "key": [e.key for e in movements],
        "area_id": [e.area for e in movements],
        "method": [e.method for e in movements],
        "mtype": [e.kind for e in movements],
        "qty_u": [e.qty for e in movements],
        "receipt_value_c": [e.value if e.kind == "receipt" else None for e in movements],
        "std_num": [std_num(e) for e in movements],
        "ref_key": [e.transfer_of if e.kind == "transfer_in" else e.return_of for e in movements],
        "occurred_at": [T0 + timedelta(minutes=order[e.key]) for e in movements],
        "tiebreak": [f"{order[e.key]:06d}" for e in movements],
        "seq": [order[e.key] + 1 for e in movements],
    }))
    con.register("c", pa.table({
        "key": [e.key for _, e in charges],
        "receipt_key": [e.return_of for _, e in charges],
        "amount_c": [e.value for _, e in charges],
        "occurred_at": [T0 + timedelta(minutes=i) for i, _ in charges],
        "tiebreak": [f"{i:06d}" for i, _ in charges],
    }, schema=pa.schema([("key", pa.string()), ("receipt_key", pa.string()), ("amount_c", pa.int64()),
                         ("occurred_at", pa.timestamp("us")), ("tiebreak", pa.string())])))
    con.execute("""CREATE TEMP TABLE val_movements AS SELECT CAST(row_number() OVER () AS BIGINT) AS r,
        key, area_id, method, mtype,
        CAST(qty_u AS HUGEINT) AS qty_u, CAST(receipt_value_c AS HUGEINT) AS receipt_value_c,
        CAST(std_num AS HUGEINT) AS std_num, ref_key, occurred_at, occurred_at AS posted_at, tiebreak,
        CAST(seq AS BIGINT) AS seq FROM m""")
    con.execute("""CREATE TEMP TABLE val_charges AS SELECT key, receipt_key, CAST(amount_c AS HUGEINT) AS amount_c,
        occurred_at, occurred_at AS posted_at, tiebreak FROM c""")
    con.register("s", pa.table({
        "key": [e.key for e in changes], "area_id": [e.area for e in changes],
        "std_num": [std_num(e) for e in changes],
        "occurred_at": [T0 + timedelta(minutes=order[e.key]) for e in changes],
    }, schema=pa.schema([("key", pa.string()), ("area_id", pa.string()), ("std_num", pa.int64()),
                         ("occurred_at", pa.timestamp("us"))])))
    con.execute("CREATE TEMP TABLE val_cost_changes AS SELECT key, area_id, CAST(std_num AS HUGEINT) AS std_num, "
                "occurred_at FROM s")
    run = value_all(con) if chunk_movements is None else value_all(con, chunk_movements=chunk_movements)
    res = Result()
    for key, value, reval in con.execute("SELECT key, value_c, revaluation_c FROM val_values").fetchall():
        res.value[key] = int(value)
        if reval:
            res.revaluation[key] = int(reval)
    for key, reval in con.execute("SELECT key, revaluation_c FROM val_cost_change_results").fetchall():
        if reval:
            res.revaluation[key] = int(reval)
    for key, to_cogs in con.execute("SELECT key, to_cogs_c FROM val_charge_results").fetchall():
        res.cogs_adjustment[key] = int(to_cogs)
    return res, run
