"""OCEL 2.0: the internal log survives export and import in every format; external logs
are read and mined per object type; bad files are clear errors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from process_mining import mine, ocel
from process_mining.errors import MiningError

EXAMPLES = Path("/work/shared/data/ocel")
EVENTS = [
    # event_id, process, case_id, activity, occurred_at, posted_at, source
    ("po:PO1/1", "procurement", "PO1/1", "Order placed", datetime(2026, 3, 1, 9), None, "erp"),
    ("mv:erp:R1", "procurement", "PO1/1", "Goods received", datetime(2026, 3, 4, 5),
     datetime(2026, 3, 6, 2), "erp"),
    ("inv:INV1/1", "procurement", "PO1/1", "Invoice received", datetime(2026, 3, 5, 10),
     datetime(2026, 3, 5, 12), "portal"),
    ("so:SO1/1", "fulfilment", "SO1/1", "Order placed", datetime(2026, 3, 2, 7), None, "ecom"),
]
RELATIONS = [
    ("po:PO1/1", "PO1", "purchase_order", "document"), ("po:PO1/1", "RM1", "item", "item"),
    ("mv:erp:R1", "PO1", "purchase_order", "document"), ("mv:erp:R1", "erp:R1", "goods_receipt", "receipt"),
    ("mv:erp:R1", "RM1", "item", "item"), ("inv:INV1/1", "INV1", "supplier_invoice", "document"),
    ("inv:INV1/1", "PO1", "purchase_order", "order"), ("so:SO1/1", "SO1", "sales_order", "document"),
]


@pytest.fixture
def warehouse() -> duckdb.DuckDBPyConnection:
    """The three tables the export reads, by hand."""
    con = duckdb.connect()
    con.execute("create schema mining")
    con.execute("""create table mining.fct_process_events (event_id varchar, process varchar,
        case_id varchar, activity varchar, occurred_at timestamp, posted_at timestamp,
        source varchar, posting_delay_hours decimal(12, 2))""")
    con.executemany("insert into mining.fct_process_events values (?, ?, ?, ?, ?, ?, ?, "
                    "round(date_diff('second', ?, ?) / 3600, 2))",
                    [(*e, e[4], e[5]) for e in EVENTS])
    con.execute("create table mining.fct_event_objects (event_id varchar, object_id varchar, "
                "object_type varchar, qualifier varchar)")
    con.executemany("insert into mining.fct_event_objects values (?, ?, ?, ?)", RELATIONS)
    return con


@pytest.mark.parametrize("name", ["log.jsonocel", "log.xmlocel", "log.sqlite"])
def test_round_trip_keeps_objects_events_and_relations(warehouse, tmp_path: Path, name: str) -> None:
    counts = ocel.write_ocel(ocel.internal_ocel(warehouse), tmp_path / name)
    back = ocel.read_ocel(tmp_path / name)
    assert (counts.events, counts.objects, counts.relations) == (4, 5, 8)
    events = back.events.sort_values("ocel:eid")
    assert list(zip(events["ocel:eid"], events["ocel:activity"], strict=True)) == sorted(
        (e[0], e[3]) for e in EVENTS)
    stamps = pd.to_datetime(events["ocel:timestamp"], utc=True).dt.tz_localize(None)
    assert list(stamps) == [pd.Timestamp(e[4]) for e in sorted(EVENTS)]
    posted = dict(zip(events["ocel:eid"], events["posted_at"], strict=True))
    assert posted["mv:erp:R1"] == "2026-03-06T02:00:00.000000Z" and pd.isna(posted["po:PO1/1"])
    assert sorted(zip(back.objects["ocel:oid"], back.objects["ocel:type"], strict=True)) == sorted(
        {(r[1], r[2]) for r in RELATIONS})
    assert sorted(zip(back.relations["ocel:eid"], back.relations["ocel:oid"],
                      back.relations["ocel:qualifier"], strict=True)) == sorted(
        (r[0], r[1], r[3]) for r in RELATIONS)


def test_export_of_one_process_keeps_only_its_events_and_objects(warehouse) -> None:
    log = ocel.internal_ocel(warehouse, ["fulfilment"])
    assert list(log.events["ocel:eid"]) == ["so:SO1/1"]
    assert list(log.objects["ocel:oid"]) == ["SO1"]


def test_flattening_makes_one_case_per_object(warehouse) -> None:
    steps = ocel.flatten(ocel.internal_ocel(warehouse))
    po = steps[steps["process"] == "purchase_order"].sort_values("step_at")
    assert list(po["activity"]) == ["Order placed", "Goods received", "Invoice received"]
    assert set(po["case_id"]) == {"PO1"}
    assert len(steps) == len(RELATIONS)


@pytest.mark.parametrize("name", ["ocel20_example.jsonocel", "ocel20_example.xmlocel",
                                  "ocel20_example.sqlite"])
def test_the_standard_example_mines_the_same_in_every_format(name: str, tmp_path: Path) -> None:
    from lakehouse.workspace import Workspace

    report = mine.mine_ocel(EXAMPLES / name, Workspace.resolve(tmp_path / "home"),
                            out=tmp_path / "results.duckdb")
    assert (report.steps, report.cases) == (20, 9)
    assert {p.process: (p.cases, p.variants) for p in report.processes} == {
        "Invoice": (3, 2), "Payment": (3, 1), "Purchase Order": (2, 2), "Purchase Requisition": (1, 1)}
    with duckdb.connect(str(tmp_path / "results.duckdb"), read_only=True) as con:
        logs = con.execute("select distinct log from mining.variants").fetchall()
        comment = con.execute("select comment from duckdb_tables() where table_name = 'variants'"
                              ).fetchone()
    assert logs == [(name,)] and comment and "Grain" in comment[0]


def test_unknown_format_and_missing_file_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(MiningError, match="not an OCEL 2.0 file format"):
        ocel.read_ocel(tmp_path / "log.csv")
    with pytest.raises(MiningError, match="no such OCEL file"):
        ocel.read_ocel(tmp_path / "log.jsonocel")
    (tmp_path / "bad.jsonocel").write_text("{not json", encoding="utf-8")
    with pytest.raises(MiningError, match="not a readable OCEL 2.0 log"):
        ocel.read_ocel(tmp_path / "bad.jsonocel")
