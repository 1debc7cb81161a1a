"""The case-centric log in DuckDB: directly-follows relations, activities, variants and
ordering-rule deviations over EVERY case, in SQL.

Every function reads a *steps* relation with the columns of ``mining.fct_case_steps``:
process, case_id, activity, step_kind, activity_rank, physical_at, step_at. Steps of a
case are ordered by step_at, then activity_rank, physical_at and activity (a total order,
so that results do not depend on how the rows happen to be stored). Durations are in hours,
DECIMAL(14, 2), computed from microseconds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import duckdb
import pandas as pd

from lakehouse.sql import ident
from process_mining.flows import POSTED_AHEAD, Flow

ORDER = "step_at, activity_rank, physical_at, activity"
STEP_COLUMNS = ("process", "case_id", "activity", "step_kind", "activity_rank", "physical_at",
                "step_at")


def _hours(us_expr: str) -> str:
    return f"cast(round(({us_expr}) / 3600000000.0, 2) as decimal(14, 2))"


def _relation(name: str) -> str:
    return ".".join(ident(part) for part in name.split("."))


def directly_follows(con: duckdb.DuckDBPyConnection, steps: str) -> pd.DataFrame:
    """One row per process x (source, target) activity pair that directly follow each other
    in some case: how often, and the time between them (mean, median, 90th percentile, max,
    total)."""
    gap = "epoch_us(next_at) - epoch_us(step_at)"
    return con.execute(f"""
        with ordered as (
            select process, activity, step_at,
                   lead(activity) over w as next_activity, lead(step_at) over w as next_at
            from {_relation(steps)}
            window w as (partition by process, case_id order by {ORDER})
        )
        select process, activity as source_activity, next_activity as target_activity,
               count(*) as frequency,
               {_hours(f'avg({gap})')} as mean_hours,
               {_hours(f'median({gap})')} as median_hours,
               {_hours(f'quantile_cont({gap}, 0.9)')} as p90_hours,
               {_hours(f'max({gap})')} as max_hours,
               {_hours(f'sum({gap})')} as total_hours
        from ordered
        where next_activity is not null
        group by all
        order by process, frequency desc, source_activity, target_activity
    """).df()


def activities(con: duckdb.DuckDBPyConnection, steps: str) -> pd.DataFrame:
    """One row per process x activity: occurrences, cases, and cases it starts or ends."""
    return con.execute(f"""
        with ordered as (
            select process, case_id, activity,
                   row_number() over w as position,
                   count(*) over (partition by process, case_id) as steps
            from {_relation(steps)}
            window w as (partition by process, case_id order by {ORDER})
        )
        select process, activity, count(*) as occurrences, count(distinct case_id) as cases,
               count(*) filter (where position = 1) as start_cases,
               count(*) filter (where position = steps) as end_cases
        from ordered
        group by all
        order by process, occurrences desc, activity
    """).df()


@dataclass
class Variants:
    """The variants of one log: a frame (one row per process x variant) and, per process, the
    variants as PM4Py's compressed log (activity tuple -> cases)."""

    frame: pd.DataFrame
    counters: dict[str, Counter[tuple[str, ...]]]


def variants(con: duckdb.DuckDBPyConnection, steps: str) -> Variants:
    """Every variant (sequence of activities) of every process with its cases and the
    duration of those cases (first to last step)."""
    frame = con.execute(f"""
        with traces as (
            select process, case_id, list(activity order by {ORDER}) as trace,
                   epoch_us(max(step_at)) - epoch_us(min(step_at)) as duration_us
            from {_relation(steps)}
            group by process, case_id
        ),
        grouped as (
            select process, trace, count(*) as cases,
                   {_hours('avg(duration_us)')} as mean_duration_hours,
                   {_hours('median(duration_us)')} as median_duration_hours,
                   {_hours('max(duration_us)')} as max_duration_hours
            from traces
            group by process, trace
        )
        select process,
               row_number() over (partition by process order by cases desc, trace) as variant_rank,
               array_to_string(trace, ' -> ') as variant,
               len(trace) as steps,
               trace,
               cases,
               cast(round(100.0 * cases / sum(cases) over (partition by process), 2)
                    as decimal(5, 2)) as case_share_pct,
               mean_duration_hours, median_duration_hours, max_duration_hours
        from grouped
        order by process, variant_rank
    """).df()
    counters: dict[str, Counter[tuple[str, ...]]] = {}
    for process, trace, cases in zip(frame["process"], frame["trace"], frame["cases"], strict=True):
        counters.setdefault(process, Counter())[tuple(trace)] = int(cases)
    return Variants(frame.drop(columns=["trace"]), counters)


def deviations(con: duckdb.DuckDBPyConnection, steps: str, flows: dict[str, Flow]) -> pd.DataFrame:
    """One row per case x broken ordering rule: the rules of ``flows`` (see
    :mod:`process_mining.flows`) and, everywhere, a posting step earlier than the physical
    step it posts."""
    rules = pd.DataFrame(
        [(f.process, r.name, r.before, r.after, r.every) for f in flows.values() for r in f.rules],
        columns=["process", "rule", "before_activity", "after_activity", "every"],
    ).astype({"process": "string", "rule": "string", "before_activity": "string",
              "after_activity": "string", "every": "bool"})
    con.register("_mining_rules", rules)
    try:
        return con.execute(f"""
            with bounds as (
                select process, case_id, activity, min(step_at) as first_at, max(step_at) as last_at
                from {_relation(steps)}
                group by all
            ),
            by_rule as (
                select r.process, b.case_id, r.rule, r.before_activity, r.after_activity,
                       case when r.every then b.last_at else b.first_at end as before_at,
                       a.first_at as after_at
                from _mining_rules r
                inner join bounds b on b.process = r.process and b.activity = r.before_activity
                inner join bounds a on a.process = r.process and a.case_id = b.case_id
                    and a.activity = r.after_activity
                where (case when r.every then b.last_at else b.first_at end) > a.first_at
            ),
            posted_ahead as (
                select p.process, p.case_id, $posted_ahead as rule, f.activity as before_activity,
                       p.activity as after_activity, f.step_at as before_at, p.step_at as after_at
                from {_relation(steps)} p
                inner join {_relation(steps)} f on f.process = p.process and f.case_id = p.case_id
                    and f.physical_at = p.physical_at and f.step_kind = 'physical'
                    and f.activity_rank = p.activity_rank - 1
                where p.step_kind = 'posting' and p.step_at < p.physical_at
            ),
            found as (
                select * from by_rule
                union all
                select * from posted_ahead
            )
            select *, {_hours('epoch_us(before_at) - epoch_us(after_at)')} as gap_hours
            from found
            order by process, rule, case_id
        """, {"posted_ahead": POSTED_AHEAD}).df()
    finally:
        con.unregister("_mining_rules")


def bottlenecks(dfg: pd.DataFrame, top: int) -> pd.DataFrame:
    """The ``top`` transitions of each process that hold the most waiting time (frequency x
    mean time between the two steps), with their share of the process's waiting time."""
    if dfg.empty:
        return dfg.assign(rank=pd.Series(dtype="int64"), share_of_waiting_pct=pd.Series(dtype="float64"))
    ranked = dfg.sort_values(["process", "total_hours", "frequency"], ascending=[True, False, False])
    ranked = ranked.assign(rank=ranked.groupby("process").cumcount() + 1)
    totals = ranked.groupby("process")["total_hours"].transform("sum")
    share = (ranked["total_hours"].astype(float) * 100 / totals.astype(float).where(totals != 0)).round(2)
    ranked = ranked.assign(share_of_waiting_pct=share)
    return ranked[ranked["rank"] <= top][
        ["process", "rank", "source_activity", "target_activity", "frequency", "mean_hours",
         "median_hours", "total_hours", "share_of_waiting_pct"]
    ].reset_index(drop=True)
