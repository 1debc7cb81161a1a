"""The PM4Py half: discovered models, conformance, and the process maps as images.

PM4Py works on the *variants* of a process (activity sequence -> number of cases), which
DuckDB computes over every case (:mod:`process_mining.log`): the Inductive Miner reduces a
log to exactly that compressed form before it starts, and token-based replay of a variant
gives the same result for every case that follows it. So discovery and conformance see the
whole log at the cost of one trace per variant. Only when a process has more than
``max_variants`` variants are the rarest left out (reported as not replayed).

PM4Py is imported on first use: it is slow to import and ``onhand --help`` must stay fast.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd

from process_mining.errors import MiningError

NOISE_THRESHOLD = 0.2
"""Inductive Miner infrequent: directly-follows relations rarer than this share of their
activity's outgoing relations are treated as noise, so the discovered model shows the main
flow and conformance shows the deviations."""


@dataclass
class PetriModel:
    tree: str
    net: Any
    initial: Any
    final: Any


def expected_model(tree: str) -> PetriModel:
    """The Petri net of an expected flow written as a process tree."""
    import pm4py

    try:
        parsed = pm4py.parse_process_tree(tree)
    except Exception as error:  # PM4Py raises bare exceptions on syntax errors
        raise MiningError(f"the expected flow does not parse as a process tree: {error}",
                          where=tree, fix="correct the tree in process_mining/flows.py") from None
    net, initial, final = pm4py.convert_to_petri_net(parsed)
    return PetriModel(str(parsed), net, initial, final)


def discover(variants: Counter[tuple[str, ...]]) -> PetriModel:
    """Inductive Miner infrequent over the variants (with their case counts)."""
    import pm4py
    from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureUVCL
    from pm4py.algo.discovery.inductive.variants.imf import IMFUVCL
    from pm4py.objects.process_tree.utils.generic import fold, tree_sort

    parameters = {"noise_threshold": NOISE_THRESHOLD}
    tree = IMFUVCL(parameters).apply(IMDataStructureUVCL(Counter(variants)), parameters)
    tree = fold(tree)
    tree_sort(tree)
    net, initial, final = pm4py.convert_to_petri_net(tree)
    return PetriModel(str(tree), net, initial, final)


@dataclass
class Replay:
    fit: bool
    fitness: float


def replay(model: PetriModel, traces: list[tuple[str, ...]]) -> list[Replay]:
    """Token-based replay of each trace on ``model``: does it fit, and its fitness (0..1)."""
    from pm4py.algo.conformance.tokenreplay import algorithm as token_replay
    from pm4py.objects.log.obj import Event, EventLog, Trace

    log = EventLog([Trace([Event({"concept:name": a}) for a in trace]) for trace in traces])
    results = token_replay.apply(log, model.net, model.initial, model.final,
                                 parameters={"show_progress_bar": False})
    return [Replay(bool(r["trace_is_fit"]), float(r["trace_fitness"])) for r in results]


def weighted_fitness(results: list[Replay], cases: list[int]) -> tuple[int, float | None]:
    """Cases that fit, and the log fitness (mean trace fitness weighted by cases)."""
    total = sum(cases)
    fitting = sum(c for r, c in zip(results, cases, strict=True) if r.fit)
    if total == 0:
        return 0, None
    return fitting, round(sum(r.fitness * c for r, c in zip(results, cases, strict=True)) / total, 4)


def _svg(gviz: Any) -> bytes:
    try:
        return gviz.pipe(format="svg")
    except Exception as error:  # graphviz.ExecutableNotFound, CalledProcessError
        raise MiningError(f"Graphviz could not render a process map: {error}", where="dot",
                          fix="install Graphviz (`apt-get install graphviz`; scripts/setup.sh "
                              "does) so that `dot -V` works") from None


def performance_map(dfg: pd.DataFrame, acts: pd.DataFrame, title: str) -> bytes:
    """The performance directly-follows graph (mean time on each arc) as SVG."""
    from pm4py.visualization.dfg.variants import performance

    graph = {(s, t): float(h) * 3600 for s, t, h in
             zip(dfg["source_activity"], dfg["target_activity"], dfg["mean_hours"], strict=True)}
    counts = {a: int(n) for a, n in zip(acts["activity"], acts["occurrences"], strict=True)}
    starts = {a: int(n) for a, n in zip(acts["activity"], acts["start_cases"], strict=True) if n}
    ends = {a: int(n) for a, n in zip(acts["activity"], acts["end_cases"], strict=True) if n}
    gviz = performance.apply(graph, activities_count=counts, parameters={
        "format": "svg", "start_activities": starts, "end_activities": ends,
        "enable_graph_title": True, "graph_title": title,
    })
    return _svg(gviz)


def model_map(model: PetriModel, title: str) -> bytes:
    """A Petri net as SVG."""
    from pm4py.visualization.petri_net import visualizer

    gviz = visualizer.apply(model.net, model.initial, model.final, parameters={
        "format": "svg", "enable_graph_title": True, "graph_title": title,
    })
    return _svg(gviz)
