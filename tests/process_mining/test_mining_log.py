"""The DuckDB half over hand-made logs: the directly-follows graph and variants agree with
PM4Py on the full log; known delays, deviations and bottlenecks are found."""

from __future__ import annotations

import pytest
from steps import hand_log, pm4py_frame, procurement_case, step, steps_connection

from process_mining import log as caselog
from process_mining.flows import EXPECTED_FLOWS, POSTED_AHEAD


def test_directly_follows_matches_pm4py_performance_dfg() -> None:
    import pm4py

    rows = hand_log()
    dfg = caselog.directly_follows(steps_connection(rows), "steps")
    procurement = dfg[dfg["process"] == "procurement"]
    expected, _, _ = pm4py.discover_performance_dfg(pm4py_frame(rows, "procurement"))
    ours = {(s, t): (int(f), float(m)) for s, t, f, m in zip(
        procurement["source_activity"], procurement["target_activity"], procurement["frequency"],
        procurement["mean_hours"], strict=True)}
    theirs = {pair: round(measures["mean"] / 3600, 2) for pair, measures in expected.items()}
    assert {pair: mean for pair, (_, mean) in ours.items()} == theirs
    # the late posting reorders one case: invoice -> receipt posted exists once, 54 h apart
    assert ours[("Invoice received", "Receipt posted")] == (1, 54.0)
    assert ours[("Receipt posted", "Invoice received")] == (2, pytest.approx((46 + 24) / 2))


def test_variants_match_pm4py_with_frequencies_and_durations() -> None:
    import pm4py

    rows = hand_log()
    result = caselog.variants(steps_connection(rows), "steps")
    assert dict(result.counters["procurement"]) == {
        tuple(v): n for v, n in pm4py.get_variants(pm4py_frame(rows, "procurement")).items()}
    top = result.frame[(result.frame["process"] == "procurement")
                       & (result.frame["variant_rank"] == 1)].iloc[0]
    assert top["cases"] == 2 and top["case_share_pct"] == 66.67
    # PO1: 120 + 720 hours; PO3: 100 + 720 hours, first to last step
    assert (top["mean_duration_hours"], top["max_duration_hours"]) == (830.0, 840.0)


def test_deviations_find_invoice_before_receipt_posted_and_posting_ahead() -> None:
    found = caselog.deviations(steps_connection(hand_log()), "steps", EXPECTED_FLOWS)
    assert sorted(zip(found["process"], found["case_id"], found["rule"], strict=True)) == [
        ("fulfilment", "SO1/1", POSTED_AHEAD),
        ("procurement", "PO2/1", "invoice before receipt posted"),
    ]
    gaps = dict(zip(found["case_id"], found["gap_hours"], strict=True))
    assert gaps == {"PO2/1": 54.0, "SO1/1": 1.0}


def test_a_rule_about_every_step_is_broken_by_the_last_one_only() -> None:
    # two deliveries; the second receipt is posted after the invoice
    rows = procurement_case("PO9/1", receipt_posted=74, invoice=200) + [
        step("procurement", "PO9/1", "Goods received", 150, rank=30),
        step("procurement", "PO9/1", "Receipt posted", 230, rank=31, posting_of=150),
    ]
    found = caselog.deviations(steps_connection(rows), "steps", EXPECTED_FLOWS)
    assert list(found["rule"]) == ["invoice before receipt posted"]
    assert found["gap_hours"].iloc[0] == 30.0


def test_bottlenecks_rank_transitions_by_waiting_time() -> None:
    dfg = caselog.directly_follows(steps_connection(hand_log()), "steps")
    top = caselog.bottlenecks(dfg, 2)
    procurement = top[top["process"] == "procurement"]
    # payment terms (2 x 720 h) hold the most waiting time, then the late-posted receipt's
    # wait for payment (816 - 150 h)
    assert list(zip(procurement["source_activity"], procurement["target_activity"],
                    procurement["total_hours"], strict=True)) == [
        ("Invoice received", "Invoice paid", 1440.0), ("Receipt posted", "Invoice paid", 666.0)]
    total = dfg[dfg["process"] == "procurement"]["total_hours"].sum()
    assert procurement["share_of_waiting_pct"].iloc[0] == pytest.approx(1440 * 100 / total, abs=0.01)


def test_activities_count_starts_and_ends() -> None:
    acts = caselog.activities(steps_connection(hand_log()), "steps")
    procurement = acts[acts["process"] == "procurement"].set_index("activity")
    assert procurement.loc["Order placed", "start_cases"] == 3
    assert procurement.loc["Invoice paid", "end_cases"] == 3
    assert int(procurement["occurrences"].sum()) == 18
