"""The PM4Py half: expected flows, discovery over variants, replay, process maps."""

from __future__ import annotations

from collections import Counter

import pytest
from steps import hand_log, pm4py_frame, steps_connection

from process_mining import log as caselog
from process_mining import models
from process_mining.errors import MiningError
from process_mining.flows import EXPECTED_FLOWS

ON_TIME = ("Order placed", "Shipment notified", "Goods received", "Receipt posted",
           "Invoice received", "Invoice paid")
LATE = ("Order placed", "Shipment notified", "Goods received", "Invoice received",
        "Receipt posted", "Invoice paid")
HAPPY_PATHS = {
    "procurement": [ON_TIME, ON_TIME[:4] + ON_TIME[1:], ("Order placed",)],
    "production": [("Order released", "Material issued", "Material issued", "Material issue posted",
                    "Material issue posted", "Operation confirmed", "Operation confirmed",
                    "Output received", "Output receipt posted")],
    "fulfilment": [("Order placed", "Stock allocated", "Shipped", "Shipment posted", "Stock allocated",
                    "Shipped", "Shipment posted"), ("Order placed",)],
    "transfer": [("Transfer shipped", "Transfer shipment posted", "Transfer received",
                  "Transfer receipt posted"), ("Transfer shipped", "Transfer shipment posted")],
    "consignment": [("Goods received", "Receipt posted") * 2],
    "stock_control": [("Scrapped", "Scrap posted"), ("Issued", "Issue posted", "Issued", "Issue posted")],
}


@pytest.mark.parametrize("process", sorted(EXPECTED_FLOWS))
def test_the_expected_flow_accepts_its_happy_paths(process: str) -> None:
    model = models.expected_model(EXPECTED_FLOWS[process].tree)
    assert all(r.fit and r.fitness == 1.0 for r in models.replay(model, HAPPY_PATHS[process]))


def test_a_receipt_posted_after_its_invoice_does_not_fit_the_expected_flow() -> None:
    model = models.expected_model(EXPECTED_FLOWS["procurement"].tree)
    on_time, late = models.replay(model, [ON_TIME, LATE])
    assert on_time.fit and not late.fit and late.fitness < 1.0


def test_a_broken_tree_is_a_mining_error() -> None:
    with pytest.raises(MiningError, match="process tree"):
        models.expected_model("->( 'a', ")


def test_discovery_over_variants_equals_pm4py_on_the_full_log() -> None:
    import pm4py

    rows = hand_log()
    counter = caselog.variants(steps_connection(rows), "steps").counters["procurement"]
    full = pm4py.discover_process_tree_inductive(pm4py_frame(rows, "procurement"),
                                                  noise_threshold=models.NOISE_THRESHOLD)
    assert models.discover(counter).tree == str(full)


def test_weighted_fitness_counts_cases_not_variants() -> None:
    results = [models.Replay(True, 1.0), models.Replay(False, 0.5)]
    assert models.weighted_fitness(results, [3, 1]) == (3, 0.875)
    assert models.weighted_fitness([], []) == (0, None)


def test_maps_are_svg_with_the_activities() -> None:
    rows = hand_log()
    con = steps_connection(rows)
    dfg = caselog.directly_follows(con, "steps")
    acts = caselog.activities(con, "steps")
    svg = models.performance_map(dfg[dfg["process"] == "procurement"],
                                 acts[acts["process"] == "procurement"], "procurement").decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert all(a in svg for a in ON_TIME)
    net = models.model_map(models.discover(Counter({ON_TIME: 2, LATE: 1})), "t").decode()
    assert "<svg" in net and "Receipt posted" in net


def test_a_warehouse_without_the_event_log_is_a_clear_error(ws) -> None:
    import duckdb

    from process_mining.mine import mine_warehouse

    duckdb.connect(str(ws.warehouse)).close()
    with pytest.raises(MiningError, match="no event log") as raised:
        mine_warehouse(ws)
    assert "onhand build" in str(raised.value)
