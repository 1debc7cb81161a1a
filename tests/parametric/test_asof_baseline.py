"""The benchmark's baseline, the issue's bare F(q) ASOF formulation (``benchmarks.build.fifo_asof``),
is FIFO: on plain histories (receipts at whole cents per unit, outflows never beyond stock, so no
rounding and nothing beyond the bare core) it values every outflow as the reference valuer does.
A baseline that valued wrongly would make the engine's comparison with it meaningless."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.build import fifo_asof
from tests.valuation_reference import Event, value_events

M = 1_000_000


@st.composite
def plain_histories(draw: st.DrawFn) -> list[Event]:
    on_hand = {"A": 0, "B": 0}
    events = []
    for i in range(draw(st.integers(1, 40))):
        area = draw(st.sampled_from(sorted(on_hand)))
        units = draw(st.integers(1, 12))
        if on_hand[area] < units or draw(st.booleans()):
            events.append(Event(f"e{i}", area, "receipt", units * M, units * draw(st.integers(0, 900))))
            on_hand[area] += units
        else:
            events.append(Event(f"e{i}", area, "shipment", -units * M))
            on_hand[area] -= units
    return events


@settings(max_examples=80, deadline=None)
@given(plain_histories())
def test_the_bare_asof_core_values_plain_histories_as_fifo(events: list[Event]) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE moves (key VARCHAR, area_id VARCHAR, qty_u HUGEINT, receipt_value_c HUGEINT, "
                "std_num HUGEINT, seq BIGINT)")
    con.executemany("INSERT INTO moves VALUES (?, ?, ?, ?, 0, ?)",
                    [(e.key, e.area, e.qty, e.value, seq) for seq, e in enumerate(events)])
    fifo_asof(con, "moves")
    asof = dict(con.execute("SELECT key, CAST(value_c AS BIGINT) FROM asof_values").fetchall())
    reference = value_events(events).value
    assert asof == {e.key: -reference[e.key] for e in events if e.qty < 0}
