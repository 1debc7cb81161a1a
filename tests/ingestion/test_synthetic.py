"""The sample-company generator: determinism, contract conformance, realism, ground truth."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from statistics import mean, median

import numpy as np
import pyarrow.parquet as pq
import pytest

from ingestion import synthetic
from ingestion.contract import BOM_ROLES, ENTITIES, expected_sign
from ingestion.synthetic import SCALES, GenerateReport, ScaleSpec, generate

pytestmark = pytest.mark.slow

Row = dict[str, object]


# ---------------------------------------------------------------------------- helpers
def read_file(path: Path) -> tuple[list[str], list[Row]]:
    """Columns and rows of one inbox file; values as the file carries them."""
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            rows: list[Row] = [{k: (v if v != "" else None) for k, v in r.items()} for r in reader]
            return list(reader.fieldnames or []), rows
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return (list(rows[0]) if rows else []), rows
    table = pq.read_table(path)
    return table.column_names, table.to_pylist()


def ts(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def dec(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def file_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@dataclass
class Company:
    out: Path
    report: GenerateReport
    entities: dict[tuple[str, str], list[Row]]
    files: dict[Path, tuple[list[str], list[Row]]]
    anomalies: list[dict[str, str]]
    items: dict[str, dict[str, str]]
    suppliers: dict[str, dict[str, str]]

    def rows(self, source: str, entity: str) -> list[Row]:
        return self.entities.get((source, entity), [])

    @cached_property
    def movements(self) -> list[Row]:
        """Every landable movement row (planted rejects left out), with its source."""
        out = []
        for (source, entity), rows in self.entities.items():
            if entity == "inventory_movements":
                out += [dict(r, source=source) for r in rows if r["movement_id"] not in self.rejects]
        return out

    @cached_property
    def rejects(self) -> set[str]:
        return {a["record_id"] for a in self.anomalies if a["kind"] == "rejectable_row"}

    def kind(self, kind: str) -> list[dict[str, str]]:
        return [a for a in self.anomalies if a["kind"] == kind]


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Company:
    out = tmp_path_factory.mktemp("demo")
    calls: list[tuple[str, int, int]] = []
    report = generate(out, "demo", 42, progress=lambda s, d, t: calls.append((s, d, t)))
    assert calls and calls[-1][1] == calls[-1][2]
    files = {p: read_file(p) for p in sorted((out / "inbox").rglob("*")) if p.is_file()}
    entities: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for p, (_, rows) in files.items():
        entities[(p.parts[-3], p.parts[-2])] += rows
    gt = out / "ground_truth"
    with (gt / "anomalies.csv").open(newline="") as fh:
        anomalies = list(csv.DictReader(fh))
    with (gt / "item_profiles.csv").open(newline="") as fh:
        items = {r["item_id"]: r for r in csv.DictReader(fh)}
    with (gt / "supplier_profiles.csv").open(newline="") as fh:
        suppliers = {r["supplier_id"]: r for r in csv.DictReader(fh)}
    return Company(out, report, dict(entities), files, anomalies, items, suppliers)


@pytest.fixture()
def tiny(monkeypatch: pytest.MonkeyPatch) -> str:
    """A four-family scale, for the tests that generate several times."""
    monkeypatch.setitem(synthetic.SCALES, "tiny", ScaleSpec("tiny", 4, 4, 16_000, 1))
    return "tiny"


# ---------------------------------------------------------------------------- API and determinism
def test_report_and_scales(company: Company) -> None:
    r = company.report
    assert set(SCALES) >= {"demo", "medium", "large"}
    assert r.files == len(company.files)
    assert r.movements == sum(n for (_, e), n in r.rows_by_entity.items() if e == "inventory_movements")
    assert abs(r.movements - SCALES["demo"].target_movements) <= 0.25 * SCALES["demo"].target_movements
    assert r.anomalies == dict(sorted(Counter(a["kind"] for a in company.anomalies).items()))
    assert "inventory movements" in r.summary()
    manifest = json.loads((company.out / "ground_truth" / "manifest.json").read_text())
    assert manifest["scale"] == "demo" and manifest["seed"] == 42
    assert manifest["anomalies"] == r.anomalies


def test_refuses_a_non_empty_inbox_and_unknown_scales(company: Company, tmp_path: Path) -> None:
    with pytest.raises(FileExistsError, match="already contains files"):
        generate(company.out, "demo", 42)
    with pytest.raises(ValueError, match="unknown scale"):
        generate(tmp_path, "huge", 42)


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path, tiny: str) -> None:
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        generate(tmp_path / name, tiny, seed)
    a, b, c = (file_hashes(tmp_path / name) for name in "abc")
    assert a == b
    assert set(a) & set(c) and any(a[k] != c[k] for k in set(a) & set(c))


def test_chunking_does_not_change_the_simulation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(synthetic.SCALES, "one", ScaleSpec("one", 4, 4, 16_000, 1))
    monkeypatch.setitem(synthetic.SCALES, "two", ScaleSpec("two", 4, 2, 16_000, 1))
    seen = []
    for name in ("one", "two"):
        generate(tmp_path / name, name, 3)
        with (tmp_path / name / "ground_truth" / "anomalies.csv").open(newline="") as fh:
            rejects = {r["record_id"] for r in csv.DictReader(fh) if r["kind"] == "rejectable_row"}
        rows = set()
        for p in (tmp_path / name / "inbox").rglob("*inventory_movements_*.*"):
            rows |= {tuple(sorted((k, str(v)) for k, v in r.items())) for r in read_file(p)[1]
                     if r["movement_id"] not in rejects}
        seen.append(rows)
    assert seen[0] == seen[1]
    assert any("_part002" in p.name for p in (tmp_path / "two" / "inbox").rglob("*"))


# ---------------------------------------------------------------------------- contract
def test_every_file_matches_the_contract(company: Company) -> None:
    rejects = company.rejects
    bad_rows = 0
    for path, (columns, rows) in company.files.items():
        entity = ENTITIES[path.parts[-2]]
        missing = set(entity.required) - set(columns)
        assert not missing, f"{path.name}: missing {missing}"
        for row in rows:
            if entity.name == "inventory_movements" and row["movement_id"] in rejects:
                bad_rows += 1
                continue
            for col in entity.columns:
                v = row.get(col.name)
                if v is None:
                    assert not col.required, f"{path.name}: {col.name} empty in {row}"
                    continue
                if col.allowed:
                    assert str(v).lower() in col.allowed, f"{path.name}: {col.name}={v}"
                if col.type == "dec":
                    assert not isinstance(v, float)
                    dec(v)
                elif col.type == "ts":
                    assert ts(v).utcoffset() is not None or path.suffix == ".parquet"
                elif col.type == "bool":
                    assert v in (True, False, "true", "false")
            if entity.name == "inventory_movements":
                sign = expected_sign(str(row["movement_type"]))
                q = dec(row["qty"])
                assert (sign == "+" and q > 0) or (sign == "-" and q < 0) or (sign == "±" and q != 0), row
    assert bad_rows == len(rejects) >= 10


def test_sources_and_formats(company: Company) -> None:
    suffix = {p.parts[-3]: p.suffix for p in company.files}
    assert suffix == {"erp": ".csv", "mes": ".csv", "wms": ".parquet", "ecom": ".jsonl",
                      "portal": ".jsonl"}
    ecom_times = {str(r["ordered_at"])[-6:] for r in company.rows("ecom", "sales_orders")}
    assert {"+01:00", "+02:00"} <= ecom_times
    types = {(s, r["movement_type"]) for s, r in ((m["source"], m) for m in company.movements)}
    assert ("wms", "shipment") in types and ("mes", "production_issue") in types
    assert ("erp", "vendor_return") in types and ("portal", "receipt") in types
    assert ("ecom", "customer_return") in types and ("wms", "count_adjustment") in types
    ids = Counter((m["source"], m["movement_id"]) for m in company.movements)
    dup_same = {a["record_id"] for a in company.kind("retry_duplicate_same_id")}
    assert {k[1] for k, n in ids.items() if n > 1} == dup_same


def test_master_data(company: Company) -> None:
    locs = company.rows("erp", "locations")
    assert {r["site_id"] for r in locs} == {"PLANT", "DC-CENTRAL", "DC-REGIONAL"}
    assert {r["location_type"] for r in locs} == {"receiving", "storage", "staging", "quarantine",
                                                  "production", "in_transit", "shipping"}
    assert any(str(r["location_id"]).startswith("DC1-A-") for r in locs)
    items = company.rows("erp", "items")
    assert {r["item_type"] for r in items} == {"raw", "wip", "finished", "mro"}
    assert {r["valuation_method"] for r in items} == {"fifo", "avco", "standard"}
    for flag in ("lot_tracked", "serial_tracked", "vmi", "consignment", "regulated"):
        assert any(r[flag] == "true" for r in items), flag
    assert len({r["item_id"] for r in items}) < len(items)  # version rows
    assert {r["status"] for r in items} >= {"active", "quarantine", "obsolete"}
    convs = company.rows("erp", "uom_conversions")
    assert any(r["from_uom"] == "CS" and r["item_id"] for r in convs)
    assert any(r["from_uom"] == "KG" and r["to_uom"] == "G" and not r["item_id"] for r in convs)
    assert {r["role"] for r in company.rows("erp", "boms")} == set(BOM_ROLES)
    users = company.rows("erp", "users")
    assert any(r["active"] == "false" and r["left_on"] for r in users)
    assert any(r["replaced_by_item_id"] for r in company.rows("erp", "engineering_changes"))
    assert {r["source"] for r in company.rows("erp", "forecasts")} == {"sales", "operations", "finance"}
    assert company.rows("mes", "kanban_signals") and company.rows("mes", "operation_confirmations")


# ---------------------------------------------------------------------------- realism
def _first_versions(company: Company) -> dict[str, Row]:
    """Each sales order line as first exported (later rows are new versions)."""
    first: dict[str, Row] = {}
    for r in company.rows("ecom", "sales_orders"):
        first.setdefault(str(r["so_id"]), r)
    return first


def _weekly_demand(company: Company) -> dict[str, np.ndarray]:
    first = _first_versions(company)
    start = datetime.fromisoformat("2025-11-01T00:00:00+00:00")
    weeks: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(53))
    for r in first.values():
        weeks[str(r["item_id"])][(ts(r["ordered_at"]) - start).days // 7] += float(dec(r["qty"]))
    return weeks


def test_demand_classes_differ(company: Company) -> None:
    weeks = _weekly_demand(company)
    zero, cv = defaultdict(list), defaultdict(list)
    for item, w in weeks.items():
        prof = company.items[item]
        if prof["launched_at"] or prof["obsolete_at"]:
            continue
        w = w[:52]
        zero[prof["demand_class"]].append(float((w == 0).mean()))
        cv[prof["demand_class"]].append(float(w.std() / w.mean()))
    assert mean(zero["lumpy"]) > mean(zero["smooth"]) + 0.3
    assert mean(cv["lumpy"]) > mean(cv["erratic"]) > mean(cv["smooth"])


def test_seasonal_items_follow_their_season(company: Company) -> None:
    months: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(12))
    for r in company.rows("ecom", "sales_orders"):
        t = ts(r["ordered_at"])
        months[str(r["item_id"])][(t.year - 2025) * 12 + t.month - 11] += float(dec(r["qty"]))
    corr = []
    for item, m in months.items():
        p = company.items[item]
        if p["demand_class"] != "smooth" or float(p["seasonality_amplitude"]) < 0.3 or \
                p["launched_at"] or p["obsolete_at"]:
            continue
        peak = (int(p["seasonality_peak_month"]) - 11) % 12
        season = np.cos(2 * np.pi * (np.arange(12) - peak) / 12)
        corr.append(float(np.corrcoef(m, season)[0, 1]))
    assert len(corr) >= 5 and mean(corr) > 0.4


def test_starved_items_stock_out_more(company: Company) -> None:
    short: dict[str, list[float]] = defaultdict(list)
    for r in _first_versions(company).values():
        if r["status"] != "drop_ship":
            short[str(r["item_id"])].append(float(r["status"] != "allocated"))
    starved = [mean(v) for k, v in short.items() if company.items[k]["starved"] == "true"]
    normal = [mean(v) for k, v in short.items() if company.items[k]["starved"] == "false"]
    assert starved and mean(starved) > 2 * mean(normal)


def test_supplier_reliability_drives_lateness_and_partials(company: Company) -> None:
    pos = {r["po_id"]: r for r in company.rows("erp", "purchase_orders")}
    first_receipt: dict[str, datetime] = {}
    receipts_per_po: Counter[str] = Counter()
    for m in company.movements:
        if m["movement_type"] == "receipt" and m["document_type"] == "PO":
            t = ts(m["occurred_at"])
            po = str(m["document_id"])
            receipts_per_po[po] += 1
            first_receipt[po] = min(t, first_receipt.get(po, t))
    late: dict[bool, list[float]] = defaultdict(list)
    for po, t in first_receipt.items():
        sup = company.suppliers[str(pos[po]["supplier_id"])]
        days = (t - ts(pos[po]["promised_at"])).total_seconds() / 86_400
        late[float(sup["on_time_probability"]) >= 0.8].append(float(days > 1.5))
    assert mean(late[False]) > mean(late[True]) + 0.15
    assert any(d < -1 for d in [(t - ts(pos[p]["promised_at"])).days for p, t in first_receipt.items()])
    assert sum(1 for n in receipts_per_po.values() if n > 1) > 20
    assert any(r["status"] == "partially_received" for r in pos.values())
    asn_first = {}
    for a in company.rows("portal", "asn"):
        asn_first[a["po_id"]] = min(ts(a["shipped_at"]), asn_first.get(a["po_id"], ts(a["shipped_at"])))
    assert all(asn_first[p] < t for p, t in first_receipt.items() if p in asn_first)


def test_order_flows(company: Company) -> None:
    mv = company.movements
    shipped_docs = {m["document_id"] for m in mv if m["movement_type"] == "shipment"}
    drop = {r["so_id"] for r in company.rows("ecom", "sales_orders") if r["drop_ship"] is True}
    assert drop and not drop & shipped_docs
    by_id = {m["movement_id"]: m for m in mv}
    for m in mv:
        if m["movement_type"] == "customer_return":
            assert by_id[m["return_of"]]["movement_type"] == "shipment"
        if m["movement_type"] == "vendor_return":
            assert by_id[m["return_of"]]["movement_type"] == "receipt"
    transfers: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for m in mv:
        if m["movement_type"] in ("transfer_out", "transfer_in"):
            transfers[str(m["document_id"])][str(m["movement_type"])] += dec(m["qty"])
    paired = [d for d in transfers.values() if d["transfer_out"] == -d["transfer_in"]]
    assert len(paired) >= 0.97 * len(transfers)
    first_ship: dict[str, datetime] = {}
    for m in mv:
        if m["movement_type"] == "shipment":
            t = ts(m["occurred_at"])
            first_ship[str(m["document_id"])] = min(t, first_ship.get(str(m["document_id"]), t))
    lags = [(first_ship[so] - ts(r["ordered_at"])).total_seconds()
            for so, r in _first_versions(company).items()
            if r["status"] == "allocated" and so in first_ship]
    assert lags and all(3600 <= lag <= 6 * 3600 for lag in lags)  # local web-shop times vs UTC
    lcs = company.rows("erp", "landed_costs")
    assert lcs and all(by_id[r["movement_id"]]["movement_type"] == "receipt" for r in lcs)
    assert all(ts(r["posted_at"]) > ts(by_id[r["movement_id"]]["occurred_at"]) for r in lcs)
    consumed_before_charge = 0
    for r in lcs:
        receipt = by_id[r["movement_id"]]
        window = (ts(receipt["occurred_at"]), ts(r["occurred_at"]))
        consumed_before_charge += any(
            m["item_id"] == receipt["item_id"] and m["location_id"] == receipt["location_id"]
            and dec(m["qty"]) < 0 and window[0] < ts(m["occurred_at"]) < window[1] for m in mv)
        if consumed_before_charge >= 5:
            break
    assert consumed_before_charge >= 5
    made: dict[str, Decimal] = defaultdict(Decimal)
    retried = {a["record_id"] for a in company.kind("retry_duplicate_new_id")}
    for m in by_id.values():
        if m["movement_type"] == "production_receipt" and not m.get("reason_code") and \
                m["movement_id"] not in retried:
            made[str(m["document_id"])] += dec(m["qty"])
    planned = {r["production_order_id"]: dec(r["planned_qty"])
               for r in company.rows("erp", "production_orders")}
    short = [mo for mo, q in made.items() if q < planned[mo]]
    assert len(made) > 100 and 0.3 < len(short) / len(made) < 1
    assert all(q <= planned[mo] for mo, q in made.items())
    assert {m["uom"] for m in mv} >= {"EA", "KG", "CS", "G"}
    assert {m.get("ownership") for m in mv} >= {"vmi", "consignment"}
    serial = [m for m in mv if m.get("serial_no")]
    assert serial and all(abs(dec(m["qty"])) == 1 for m in serial)


def test_posting_delays_differ_by_source(company: Company) -> None:
    delays: dict[str, list[float]] = defaultdict(list)
    crossing = 0
    for m in company.movements:
        o, p = ts(m["occurred_at"]), ts(m["posted_at"])
        delays[str(m["source"])].append((p - o).total_seconds())
        crossing += (o.year, o.month) != (p.year, p.month)
    assert median(delays["wms"]) < 60
    assert 600 < median(delays["erp"]) < 24 * 3600
    assert 60 < median(delays["mes"]) < 8 * 3600
    assert all(d >= 0 for v in delays.values() for d in v)
    assert crossing > 10
    assert max(delays["erp"]) > 2 * 86_400


# ---------------------------------------------------------------------------- ground truth
def test_every_anomaly_points_at_real_records(company: Company) -> None:
    ids: dict[str, set[str]] = {
        "inventory_movements": {str(m["movement_id"]) for (s, e), rows in company.entities.items()
                                if e == "inventory_movements" for m in rows},
        "cycle_counts": {str(r["count_id"]) for r in company.rows("wms", "cycle_counts")},
        "supplier_invoices": {str(r["invoice_id"]) for r in company.rows("portal", "supplier_invoices")},
        "item_status_changes": {str(r["change_id"]) for r in company.rows("erp", "item_status_changes")},
        "stock_snapshots": {f"{ts(r['snapshot_at']).date()}|{r['item_id']}|{r['location_id']}"
                            for s in ("erp", "wms") for r in company.rows(s, "stock_snapshots")},
    }
    for a in company.anomalies:
        assert a["record_id"] in ids[a["entity"]], a
    kinds = Counter(a["kind"] for a in company.anomalies)
    expected = {
        "retry_duplicate_same_id", "retry_duplicate_new_id", "late_posting",
        "movement_on_blocked_item", "sod_breach", "count_unposted_receipt",
        "count_unposted_shipment", "count_wrong_bin", "count_uom_error", "count_duplicate_posting",
        "count_late_posting", "count_lot_mixup", "count_shrinkage", "invoice_mismatch",
        "rejectable_row", "snapshot_discrepancy",
    }
    assert set(kinds) == expected
    assert all(kinds[k] >= 10 for k in expected), kinds
    assert any(p["starved"] == "true" for p in company.items.values())


def test_count_anomalies_show_in_the_counts(company: Company) -> None:
    counts = {r["count_id"]: r for r in company.rows("wms", "cycle_counts")}
    for a in company.anomalies:
        if a["kind"].startswith("count_"):
            c = counts[a["record_id"]]
            assert dec(c["counted_qty"]) - dec(c["system_qty"]) != 0, a
    clean = [c for c in counts.values() if c["counted_qty"] == c["system_qty"]]
    assert len(clean) > 0.8 * len(counts)


def test_rejectable_rows_are_where_the_ground_truth_says(company: Company) -> None:
    for a in company.kind("rejectable_row"):
        parts = dict(p.split("=", 1) for p in a["detail"].split(";"))
        path = company.out / "inbox" / parts["file"]
        _, rows = company.files[path]
        offset = 2 if path.suffix == ".csv" else 1
        assert rows[int(parts["line"]) - offset]["movement_id"] == a["record_id"]


def test_integration_faults_are_real(company: Company) -> None:
    mv = company.movements
    by_id = {m["movement_id"]: m for m in mv}
    for a in company.kind("retry_duplicate_new_id"):
        dup, orig = by_id[a["record_id"]], by_id[a["related_ids"]]
        assert dup["document_id"] == orig["document_id"] and dup["qty"] == orig["qty"]
        assert abs((ts(dup["posted_at"]) - ts(orig["posted_at"])).total_seconds()) < 3600
    for a in company.kind("late_posting"):
        m = by_id[a["record_id"]]
        assert (ts(m["posted_at"]) - ts(m["occurred_at"])).days >= 2
    users = {r["user_id"]: r for r in company.rows("erp", "users")}
    departed = [a for a in company.kind("sod_breach") if a["entity"] == "inventory_movements"
                and "after leaving" in a["detail"]]
    for a in departed:
        m = by_id[a["record_id"]]
        assert str(ts(m["occurred_at"]).date()) > str(users[m["user_id"]]["left_on"])
    changes = {r["change_id"]: r for r in company.rows("erp", "item_status_changes")}
    assert any(changes[a["record_id"]]["approved_by"] == changes[a["record_id"]]["user_id"]
               for a in company.kind("sod_breach") if a["entity"] == "item_status_changes")
    invoices = {r["invoice_id"]: r for r in company.rows("portal", "supplier_invoices")}
    pos = {r["po_id"]: r for r in company.rows("erp", "purchase_orders")}
    for a in company.kind("invoice_mismatch"):
        inv = invoices[a["record_id"]]
        po = pos[inv["po_id"]]
        received = sum(dec(by_id[i]["qty"]) for i in a["related_ids"].split(";")[1:] if i in by_id)
        assert dec(inv["unit_price"]) != dec(po["unit_price"]) or dec(inv["qty"]) != received


def test_stock_stays_non_negative_except_where_injected(company: Company) -> None:
    conv = {(r["item_id"], r["from_uom"]): dec(r["factor"]) for r in company.rows("erp", "uom_conversions")}
    base = {r["item_id"]: r["base_uom"] for r in company.rows("erp", "items")}
    seen: set[str] = set()
    events = []
    for m in company.movements:
        if m["movement_id"] in seen:
            continue
        seen.add(str(m["movement_id"]))
        q = dec(m["qty"])
        if m["uom"] != base[m["item_id"]]:
            q = q * conv.get((m["item_id"], m["uom"]), Decimal("0.001") if m["uom"] == "G" else
                             conv.get((None, m["uom"]), Decimal(1)))
        events.append((m["item_id"], m["location_id"], ts(m["occurred_at"]), q))
    level: dict[tuple[object, object], Decimal] = defaultdict(Decimal)
    negative = set()
    for item, loc, _, q in sorted(events, key=lambda e: (e[2], -e[3])):
        level[(item, loc)] += q
        if level[(item, loc)] < 0:
            negative.add(item)
    injected = {a["item_id"] for a in company.anomalies}
    assert negative <= injected, negative - injected
    assert len(negative) < 0.1 * len(base)
