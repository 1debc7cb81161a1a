"""The set-based valuation engine agrees with the one-at-a-time reference valuer, to the cent.

Hypothesis builds histories over up to three valuation areas (one item at two
sites, and a second item): receipts, issues and shipments, customer returns of
earlier outflows, vendor returns of earlier receipts, late landed costs,
positive and negative adjustments, production receipts, transfers between the
two sites, negative stock, and standard cost changes — under FIFO, moving
average and standard cost.
"""

from __future__ import annotations

from fractions import Fraction
from unittest.mock import patch

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lakehouse import valuation
from lakehouse.valuation import _mul_half_up
from tests.lakehouse.valuation_harness import run_engine
from tests.valuation_reference import Event, value_events

M = 1_000_000
OUT_TYPES = ["issue", "shipment", "scrap", "production_issue", "adjustment", "transfer_out"]


@st.composite
def histories(draw: st.DrawFn) -> list[Event]:
    methods = {item: draw(st.sampled_from(["fifo", "fifo", "avco", "standard"])) for item in ("X", "Y")}
    std = {item: Fraction(draw(st.integers(10_000, 50_000_000)), 10**10) for item in ("X", "Y")}
    areas = ["X@S1", "X@S2", "Y@S1"]
    events: list[Event] = []
    pending_transfers: list[Event] = []
    n = draw(st.integers(1, 35))
    for i in range(n):
        area = draw(st.sampled_from(areas))
        item = area[0]
        base = {"area": area, "method": methods[item], "standard_cost": std[item]}
        qty = draw(st.one_of(st.integers(1, 20).map(lambda u: u * M), st.integers(1, 20 * M)))
        receipts = [e for e in events if e.kind == "receipt"]
        outflows = [e for e in events if e.qty < 0 and e.area[0] == item]
        kind = draw(st.sampled_from(
            ["receipt", "receipt", "outflow", "outflow", "customer_return", "vendor_return",
             "landed_cost", "adjustment_in", "production_receipt", "transfer_in", "cost_change"]))
        key = f"e{i}"
        if kind == "receipt":
            events.append(Event(key, kind=kind, qty=qty, value=draw(st.integers(0, 500_000)), **base))
        elif kind == "outflow":
            mtype = draw(st.sampled_from(OUT_TYPES))
            event = Event(key, kind=mtype, qty=-qty, **base)
            events.append(event)
            if mtype == "transfer_out":
                pending_transfers.append(event)
        elif kind == "customer_return" and outflows:
            source = draw(st.sampled_from(outflows))
            events.append(Event(key, kind=kind, qty=draw(st.integers(1, -source.qty)), return_of=source.key,
                                **base))
        elif kind == "vendor_return" and [r for r in receipts if r.area == area]:
            source = draw(st.sampled_from([r for r in receipts if r.area == area]))
            events.append(Event(key, kind=kind, qty=-draw(st.integers(1, source.qty)), return_of=source.key,
                                **base))
        elif kind == "landed_cost" and receipts:
            source = draw(st.sampled_from(receipts))
            events.append(Event(key, area=source.area, kind=kind, value=draw(st.integers(1, 50_000)),
                                return_of=source.key, method=source.method,
                                standard_cost=source.standard_cost))
        elif kind == "adjustment_in":
            events.append(Event(key, kind="adjustment", qty=qty, **base))
        elif kind == "production_receipt":
            events.append(Event(key, kind=kind, qty=qty, **base))
        elif kind == "transfer_in" and pending_transfers:
            out = pending_transfers.pop(0)
            to_area = "X@S2" if out.area == "X@S1" else "X@S1" if out.area == "X@S2" else out.area
            if to_area != out.area:
                events.append(Event(key, area=to_area, kind="transfer_in", qty=-out.qty, transfer_of=out.key,
                                    method=out.method, standard_cost=out.standard_cost))
        elif kind == "cost_change" and methods[item] == "standard":
            # a new standard cost for the item: each of its areas is revalued
            std[item] = Fraction(draw(st.integers(10_000, 50_000_000)), 10**10)
            for changed in [a for a in areas if a[0] == item]:
                events.append(Event(f"{key}{changed}", area=changed, kind="standard_cost_change",
                                    method="standard", standard_cost=std[item]))
    return events


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_engine_agrees_with_reference_to_the_cent(events: list[Event]) -> None:
    check_against_reference(events)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.integers(1, 12))
def test_engine_in_chunks_agrees_with_reference(events: list[Event], chunk: int) -> None:
    """Valued in chunks of a few movements: linked areas (X@S1 and X@S2) stay in one chunk. And
    moving average with every area in the side-by-side numpy scan (the histories have fewer areas
    than it hands on to the one-by-one Python scan, which the test above covers)."""
    with patch.object(valuation, "AVCO_SIDE_BY_SIDE", 0):
        check_against_reference(events, chunk)


def test_products_beyond_int64_stay_exact() -> None:
    a = np.array([3 * 10**12, -7, 2**40], np.int64)
    b = np.array([10**9 + 7, 5, 2**30], np.int64)
    den = np.array([10**6 + 1, 2, 2**31 - 1], np.int64)  # the products pass 2^63, the results fit
    expected = [(2 * abs(x * y) + d) // (2 * d) * (1 if x * y >= 0 else -1)
                for x, y, d in zip(a.tolist(), b.tolist(), den.tolist(), strict=True)]
    assert _mul_half_up(a, b, den).tolist() == expected


def check_against_reference(events: list[Event], chunk: int | None = None) -> None:
    expected = value_events(events)
    got, run = run_engine(events, chunk)
    assert run.converged
    assert got.value == expected.value
    assert {k: v for k, v in got.revaluation.items() if v} == {
        k: v for k, v in expected.revaluation.items() if v}
    assert got.cogs_adjustment == expected.cogs_adjustment
