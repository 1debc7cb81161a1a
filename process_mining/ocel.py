"""OCEL 2.0: exporting the warehouse's object-centric log, and reading an external one.

The export holds ``mining.fct_process_events`` as OCEL events (the timestamp is the
physical moment; the posting moment, delay, process, case and source are event
attributes), ``mining.dim_process_objects`` as objects and ``mining.fct_event_objects``
as event-to-object relations with their qualifier. The format follows the file's
extension: ``.jsonocel``/``.json``, ``.xmlocel``/``.xml`` or ``.sqlite`` (PM4Py's
readers and writers of the standard).

An external log is mined case-centrically per object type (OCEL flattening): each object
is a case, the events related to it are its steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from process_mining.errors import MiningError

FORMATS = (".jsonocel", ".json", ".xmlocel", ".xml", ".sqlite")


@dataclass(frozen=True)
class OcelCounts:
    events: int
    objects: int
    relations: int


def _check_format(path: Path) -> None:
    if path.suffix.lower() not in FORMATS:
        raise MiningError(f"'{path.suffix}' is not an OCEL 2.0 file format", where=str(path),
                          fix="name the file .jsonocel, .xmlocel or .sqlite (or .json / .xml)")


def internal_ocel(con: duckdb.DuckDBPyConnection, processes: list[str] | None = None) -> Any:
    """The warehouse's event log (optionally only some processes) as a PM4Py OCEL."""
    from pm4py.objects.ocel.obj import OCEL

    chosen = "true" if not processes else "process in (select unnest($processes))"
    params = {"processes": processes} if processes else {}
    con.execute(f"""
        create or replace temp table _ocel_events as
        select event_id, activity, occurred_at, process, case_id, source, posted_at,
               posting_delay_hours
        from mining.fct_process_events where {chosen}
    """, params)
    try:
        events = con.execute("""
            select event_id as "ocel:eid", activity as "ocel:activity",
                   occurred_at as "ocel:timestamp", process, case_id, source,
                   strftime(posted_at, '%Y-%m-%dT%H:%M:%S.%fZ') as posted_at,
                   cast(posting_delay_hours as double) as posting_delay_hours
            from _ocel_events order by occurred_at, event_id
        """).df()
        relations = con.execute("""
            select e.event_id as "ocel:eid", e.activity as "ocel:activity",
                   e.occurred_at as "ocel:timestamp", r.object_id as "ocel:oid",
                   r.object_type as "ocel:type", r.qualifier as "ocel:qualifier"
            from _ocel_events e
            inner join mining.fct_event_objects r on r.event_id = e.event_id
            order by e.occurred_at, e.event_id, r.object_id
        """).df()
        objects = con.execute("""
            select distinct r.object_id as "ocel:oid", r.object_type as "ocel:type"
            from _ocel_events e
            inner join mining.fct_event_objects r on r.event_id = e.event_id
            order by 2, 1
        """).df()
    finally:
        con.execute("drop table if exists _ocel_events")
    return OCEL(events=events, objects=objects, relations=relations)


def write_ocel(ocel: Any, path: Path) -> OcelCounts:
    """Write ``ocel`` in the OCEL 2.0 format its file extension names."""
    import pm4py

    _check_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # the SQLite writer would add to an existing file
    pm4py.write_ocel2(ocel, str(path))
    return OcelCounts(len(ocel.events), len(ocel.objects), len(ocel.relations))


def read_ocel(path: Path) -> Any:
    """An OCEL 2.0 log from a JSON, XML or SQLite file."""
    import pm4py

    _check_format(path)
    if not path.is_file():
        raise MiningError("there is no such OCEL file", where=str(path),
                          fix="give the path of an OCEL 2.0 .jsonocel, .xmlocel or .sqlite file")
    try:
        ocel = pm4py.read_ocel2(str(path))
    except Exception as error:  # PM4Py's readers raise whatever their parser raises
        raise MiningError(f"the file is not a readable OCEL 2.0 log ({type(error).__name__}: "
                          f"{error})", where=str(path),
                          fix="check that the file is OCEL 2.0 (not OCEL 1.0) and complete") from None
    if ocel.relations.empty:
        raise MiningError("the OCEL log has no event-to-object relations, so no cases to mine",
                          where=str(path), fix="export the log with its relationships")
    return ocel


def _utc_naive(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values, utc=True)
    return stamps.dt.tz_localize(None)


def flatten(ocel: Any) -> pd.DataFrame:
    """Steps (the columns of ``mining.fct_case_steps``) of the case-centric view of each
    object type: one case per object, one step per related event."""
    rel = ocel.relations
    steps = pd.DataFrame({
        "process": rel["ocel:type"].astype(str),
        "case_id": rel["ocel:oid"].astype(str),
        "activity": rel["ocel:activity"].astype(str),
        "event_id": rel["ocel:eid"].astype(str),
        "step_at": _utc_naive(rel["ocel:timestamp"]),
    }).drop_duplicates(["process", "case_id", "event_id"])
    return steps.assign(step_kind="physical", activity_rank=0, physical_at=steps["step_at"])[
        ["process", "case_id", "activity", "step_kind", "activity_rank", "physical_at", "step_at"]
    ].reset_index(drop=True)
