"""Landing: typing, rejects with reasons, duplicates, idempotency, watermarks, file failures."""

from __future__ import annotations

import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from ingestion.errors import FileRejected
from ingestion.land import land_inbox
from ingestion.readers import read_file
from lakehouse.lake import Lake
from lakehouse.workspace import Workspace
from tests.inbox import drop, movement

FORMATS = ["csv", "jsonl", "parquet"]


def landed(ws: Workspace, kind: str = "raw") -> pl.DataFrame:
    files = sorted((ws.lake / kind).rglob("part-0.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files], how="diagonal") if files else pl.DataFrame()


@pytest.mark.parametrize("fmt", FORMATS)
def test_rows_land_typed_and_in_utc(ws: Workspace, fmt: str) -> None:
    drop(ws, [movement(1), movement(2, qty="-3", movement_type="issue", unit_cost="")], fmt)
    report = land_inbox(ws)
    assert (report.totals("landed"), report.totals("rejected"), report.totals("duplicates")) == (2, 0, 0)
    rows = landed(ws).sort("movement_id")
    assert rows["qty"].to_list() == [Decimal("1.5"), Decimal("-3")]
    assert rows["unit_cost"].to_list() == [Decimal("2.125"), None]
    # 10:00 at +01:00 is 09:00 UTC; posted_at had a Z.
    assert rows["occurred_at"][0] == datetime(2026, 3, 1, 9, 0, 0)
    assert rows["posted_at"][0] == datetime(2026, 3, 1, 9, 0, 5)
    assert rows["ownership"].to_list() == ["owned", "owned"]  # the contract's default
    assert rows["_line"].to_list() == ([2, 3] if fmt == "csv" else [1, 2])
    assert set(rows["_source"]) == {"erp"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_relanding_is_a_noop(ws: Workspace, fmt: str) -> None:
    path = drop(ws, [movement(n) for n in range(3)], fmt)
    first = land_inbox(ws)
    second = land_inbox(ws)
    os.utime(path, ns=(1, 1))  # touched, same content: hashed, still a no-op
    third = land_inbox(ws)
    copy = path.with_name(f"copy{path.suffix}")
    copy.write_bytes(path.read_bytes())  # same content under another name
    fourth = land_inbox(ws)
    assert first.totals("landed") == 3
    assert [o.status for o in second.outcomes] == ["unchanged"]
    assert [o.status for o in third.outcomes] == ["unchanged"]
    assert {o.status for o in fourth.outcomes} == {"unchanged"}
    assert len(Lake(ws).manifests()) == 1
    assert landed(ws).height == 3


REJECTS = [
    # (overrides, column blamed, words the reason must contain)
    ({"qty": "abc"}, "qty", "is not a decimal number"),
    ({"qty": "1,5"}, "qty", "dot as the decimal separator"),
    ({"qty": "1.1234567"}, "qty", "does not fit"),
    ({"qty": "0"}, "qty", "must move a quantity"),
    ({"movement_type": "shipment", "qty": "4"}, "qty", "is positive but a shipment takes stock out"),
    ({"qty": "-4"}, "qty", "is negative but a receipt brings stock in"),
    ({"movement_type": "recieve"}, "movement_type", "is not one of: receipt"),
    ({"item_id": ""}, "item_id", "item_id is empty"),
    ({"uom": "KGS"}, "uom", "is not a known unit of measure"),
    ({"unit_cost": ""}, "unit_cost", "a receipt must carry its unit cost"),
    ({"unit_cost": "-1"}, "unit_cost", "is negative"),
    ({"occurred_at": "31/01/2026"}, "occurred_at", "is not an ISO 8601 timestamp"),
    ({"posted_at": "1970-01-01T00:00:00Z"}, "posted_at", "is not plausible"),
    ({"posted_at": "2099-01-01T00:00:00Z"}, "posted_at", "is not plausible"),
    ({"ownership": "borrowed"}, "ownership", "is not one of: owned, consignment, vmi"),
    ({"currency": "EURO"}, "currency", "is not an ISO 4217 currency code"),
]


@pytest.mark.parametrize(("overrides", "column", "reason"), REJECTS,
                         ids=[f"{c}:{r[:20]}" for _, c, r in REJECTS])
def test_bad_rows_are_rejected_with_file_line_column_and_reason(
    ws: Workspace, overrides: dict[str, str], column: str, reason: str
) -> None:
    rows = [movement(1), movement(2, **overrides), movement(3)]
    drop(ws, rows, "csv", name="bad")
    report = land_inbox(ws)
    (outcome,) = report.outcomes
    assert (outcome.rows_in, outcome.landed, outcome.rejected) == (3, 2, 1)
    rejects = landed(ws, "rejects")
    assert rejects["_line"].to_list() == [3]  # header is line 1
    assert rejects["_column"].to_list() == [column]
    assert reason in rejects["_reason"][0]
    assert rejects["_file"].to_list() == ["erp/inventory_movements/bad.csv"]
    # Nothing is lost: the row's text is kept as it came.
    assert rejects["movement_id"].to_list() == ["M00002"]


def test_a_row_with_several_problems_lists_them_all(ws: Workspace) -> None:
    drop(ws, [movement(1, qty="x", uom="KGS", posted_at="yesterday")])
    land_inbox(ws)
    reason = landed(ws, "rejects")["_reason"][0]
    assert "qty 'x'" in reason and "uom 'KGS'" in reason and "posted_at 'yesterday'" in reason


def test_a_unit_declared_in_uom_conversions_becomes_known(ws: Workspace) -> None:
    drop(ws, [{"item_id": "", "from_uom": "DRUM200", "to_uom": "L", "factor": "200"}],
         entity="uom_conversions")
    drop(ws, [movement(1, uom="drum200")])
    report = land_inbox(ws)
    assert report.totals("rejected") == 0
    assert landed(ws).filter(pl.col("movement_id") == "M00001")["uom"].to_list() == ["DRUM200"]


def test_ragged_csv_line_is_rejected_and_the_rest_lands(ws: Workspace) -> None:
    path = drop(ws, [movement(1), movement(2)])
    path.write_text(path.read_text() + "M9,receipt,too,few\n")
    report = land_inbox(ws)
    assert (report.totals("landed"), report.totals("rejected")) == (2, 1)
    rejects = landed(ws, "rejects")
    assert rejects["_line"].to_list() == [4]
    assert "has 4 fields but the header has 12" in rejects["_reason"][0]


def test_invalid_jsonl_line_is_rejected(ws: Workspace) -> None:
    path = drop(ws, [movement(1)], "jsonl", source="ecom")
    path.write_text(path.read_text() + "{not json\n[1, 2]\n")
    report = land_inbox(ws)
    assert (report.totals("landed"), report.totals("rejected")) == (1, 2)
    assert landed(ws, "rejects")["_line"].to_list() == [2, 3]


def test_json_numbers_keep_their_exact_digits(ws: Workspace) -> None:
    path = ws.inbox / "ecom" / "inventory_movements" / "n.jsonl"
    path.parent.mkdir(parents=True)
    row = movement(1)
    text = "{" + ", ".join(f'"{k}": "{v}"' for k, v in row.items() if k != "qty") + ', "qty": 0.1}\n'
    path.write_text(text)
    land_inbox(ws)
    assert landed(ws)["qty"].to_list() == [Decimal("0.1")]


def test_duplicates_within_and_across_files_are_kept_aside(ws: Workspace) -> None:
    drop(ws, [movement(1), movement(2), movement(1)], name="a")
    first = land_inbox(ws)
    drop(ws, [movement(2), movement(3)], name="b")  # M00002 is an integration retry
    second = land_inbox(ws)
    assert (first.totals("landed"), first.totals("duplicates")) == (2, 1)
    assert (second.totals("landed"), second.totals("duplicates")) == (1, 1)
    dups = landed(ws, "duplicates").sort("_batch_id")
    first_batch = first.outcomes[0].batch_id
    assert dups["movement_id"].to_list() == ["M00001", "M00002"]
    assert dups["_duplicate_of"].to_list() == [first_batch, first_batch]
    assert sorted(landed(ws)["movement_id"].to_list()) == ["M00001", "M00002", "M00003"]


def test_a_grown_file_lands_only_its_new_rows(ws: Workspace) -> None:
    drop(ws, [movement(1), movement(2)], name="daily")
    land_inbox(ws)
    drop(ws, [movement(1), movement(2), movement(3)], name="daily")  # the source appended
    report = land_inbox(ws)
    assert (report.totals("landed"), report.totals("duplicates")) == (1, 2)


def test_master_data_changes_land_as_new_versions_identical_rows_do_not(ws: Workspace) -> None:
    loc = {"location_id": "L1", "site_id": "S1", "warehouse_id": "W1", "zone": "A", "bin": "01",
           "location_type": "storage", "region": "EU"}
    drop(ws, [loc], entity="locations", name="v1")
    land_inbox(ws)
    drop(ws, [loc, {**loc, "zone": "B"}], entity="locations", name="v2")
    report = land_inbox(ws)
    assert (report.totals("landed"), report.totals("duplicates")) == (1, 1)
    assert sorted(landed(ws)["zone"].to_list()) == ["A", "B"]


def test_every_manifest_balances_and_names_its_file(ws: Workspace) -> None:
    drop(ws, [movement(1), movement(1), movement(2, qty="bad")], name="a")
    drop(ws, [movement(3)], "parquet", source="wms", name="b")
    land_inbox(ws)
    manifests = Lake(ws).manifests()
    assert {(m.source, m.file) for m in manifests} == {
        ("erp", "erp/inventory_movements/a.csv"), ("wms", "wms/inventory_movements/b.parquet")}
    for m in manifests:
        assert m.rows_in == m.rows_landed + m.rows_rejected + m.rows_duplicate
        assert len(m.file_sha256) == 64 and m.max_event_time is not None
    a = next(m for m in manifests if m.source == "erp")
    assert (a.rows_in, a.rows_landed, a.rows_rejected, a.rows_duplicate) == (3, 1, 1, 1)


def test_watermark_skips_unchanged_files_without_reading_them(ws: Workspace) -> None:
    path = drop(ws, [movement(1)])
    land_inbox(ws)
    stat = path.stat()
    # Same size and modification time, content that would fail if it were read.
    path.write_bytes(b"x" * stat.st_size)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    report = land_inbox(ws)
    assert [o.status for o in report.outcomes] == ["unchanged"]
    marks = (ws.state / "watermarks.json").read_text()
    assert "erp/inventory_movements" in marks and "2026-03-01T09:00:05" in marks


# -- whole files that cannot be taken ------------------------------------------------------

def test_file_level_failures_name_the_file_and_the_fix_and_the_rest_lands(ws: Workspace) -> None:
    good = drop(ws, [movement(1)], name="good")
    latin = good.with_name("latin1.csv")
    latin.write_bytes(good.read_bytes().replace(b"ITEM-1", "ITEM-\u00e9".encode("latin-1")))
    headerless = good.with_name("noheader.csv")
    headerless.write_text("\n".join(good.read_text().splitlines()[1:]) + "\n")
    renamed = good.with_name("renamed.csv")
    renamed.write_text(good.read_text().replace(",qty,", ",quantity,", 1))
    good.with_name("empty.csv").write_text("")
    (ws.inbox / "erp" / "inventory_movements" / "notes.txt").write_text("hello")
    (ws.inbox / "sap" / "inventory_movements").mkdir(parents=True)
    (ws.inbox / "sap" / "inventory_movements" / "x.csv").write_text("a\n1\n")
    (ws.inbox / "erp" / "stock").mkdir()
    (ws.inbox / "erp" / "stock" / "y.csv").write_text("a\n1\n")

    report = land_inbox(ws)
    assert report.totals("landed") == 1
    messages = {Path(o.file).name: o.message for o in report.failed}
    assert "not UTF-8 encoded" in messages["latin1.csv"] and "line 2" in messages["latin1.csv"]
    assert "does not look like a header" in messages["noheader.csv"]
    assert "'qty' (is 'quantity' meant to be it? rename it)" in messages["renamed.csv"]
    assert "the file is empty" in messages["empty.csv"]
    assert "files are not accepted" in messages["notes.txt"]
    assert "'sap' is not a known source system" in messages["x.csv"]
    assert "'stock' is not an entity of the landing contract" in messages["y.csv"]
    for name, message in messages.items():
        assert name in message and "Fix:" in message
    log = (ws.file_errors / "file_errors.jsonl").read_text()
    assert "latin1.csv" in log and "renamed.csv" in log


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileRejected, match="disappeared"):
        read_file(tmp_path / "gone.csv", "csv")


def test_a_fixed_file_lands_on_the_next_run(ws: Workspace) -> None:
    path = drop(ws, [movement(1)])
    good = path.read_text()
    path.write_text(good.replace(",qty,", ",quantity,", 1))
    assert land_inbox(ws).failed
    path.write_text(good)
    assert land_inbox(ws).totals("landed") == 1
