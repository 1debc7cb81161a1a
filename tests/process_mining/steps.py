"""Hand-made case-centric logs (the columns of mining.fct_case_steps) with known timings."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pandas as pd

T0 = datetime(2026, 3, 2, 8, 0, 0)


def step(process: str, case: str, activity: str, hours: float, *, rank: int = 0,
         posting_of: float | None = None) -> dict[str, object]:
    """A step ``hours`` after T0; a posting step names the hour of the physical step it posts."""
    at = T0 + timedelta(hours=hours)
    return {"process": process, "case_id": case, "activity": activity,
            "step_kind": "physical" if posting_of is None else "posting", "activity_rank": rank,
            "physical_at": at if posting_of is None else T0 + timedelta(hours=posting_of),
            "step_at": at}


def procurement_case(case: str, *, receipt_posted: float, invoice: float, start: float = 0,
                     ) -> list[dict[str, object]]:
    """Order, notice (24 h), goods received (72 h), its posting, invoice, payment (+30 days)."""
    return [
        step("procurement", case, "Order placed", start, rank=10),
        step("procurement", case, "Shipment notified", start + 24, rank=20),
        step("procurement", case, "Goods received", start + 72, rank=30),
        step("procurement", case, "Receipt posted", start + receipt_posted, rank=31,
             posting_of=start + 72),
        step("procurement", case, "Invoice received", start + invoice, rank=40),
        step("procurement", case, "Invoice paid", start + invoice + 720, rank=50),
    ]


def hand_log() -> list[dict[str, object]]:
    """Three purchase order lines (two on time, one posted after its invoice) and one
    sales order line whose shipment was posted an hour before it left."""
    return [
        *procurement_case("PO1/1", receipt_posted=74, invoice=120),
        *procurement_case("PO3/1", receipt_posted=76, invoice=100, start=5),
        *procurement_case("PO2/1", receipt_posted=150, invoice=96),
        step("fulfilment", "SO1/1", "Order placed", 0, rank=10),
        step("fulfilment", "SO1/1", "Stock allocated", 1, rank=20),
        step("fulfilment", "SO1/1", "Shipped", 5, rank=30),
        step("fulfilment", "SO1/1", "Shipment posted", 4, rank=31, posting_of=5),
    ]


def steps_connection(rows: list[dict[str, object]]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the rows as table ``steps``."""
    con = duckdb.connect()
    frame = pd.DataFrame(rows)
    con.register("_rows", frame)
    con.execute("create table steps as select * from _rows")
    con.unregister("_rows")
    return con


def pm4py_frame(rows: list[dict[str, object]], process: str) -> pd.DataFrame:
    """The same steps as a PM4Py event frame (one process), sorted as PM4Py expects."""
    frame = pd.DataFrame([r for r in rows if r["process"] == process])
    events = pd.DataFrame({"case:concept:name": frame["case_id"], "concept:name": frame["activity"],
                           "time:timestamp": pd.to_datetime(frame["step_at"])})
    return events.sort_values(["case:concept:name", "time:timestamp"], kind="stable")
