"""The valuation engine: FIFO in set-based SQL, moving average as a scan, standard cost.

Called by the dbt Python model ``int_valuation_entries`` on the build's DuckDB
connection. Policy: docs/valuation.md. Arithmetic is exact: quantities are
micro-units (HUGEINT), money is cents (HUGEINT), costs are fractions
(numerator cents, denominator micro-units); every division rounds half up
through integer arithmetic, never through a float.

Input tables or views (created by the caller, consumed: the engine drops them once it has read
them):
- ``val_movements``: r (BIGINT, distinct: the movement's number, e.g. its table's rowid), key,
  area_id, method (fifo|avco|standard), mtype, qty_u (signed), receipt_value_c, std_num (standard cost x 10^6, so cents per
  micro-unit = std_num / 10^10), ref_key (the outflow a customer return
  reverses, the transfer-out of an inter-site transfer-in, the receipt a vendor
  return names), occurred_at, posted_at, tiebreak, seq (BIGINT: the movement's
  place in valuation order within its area: occurred_at, posted_at, movement id).
- ``val_charges``: key, receipt_key, amount_c, occurred_at, posted_at, tiebreak.

- ``val_cost_changes``: key, area_id, std_num, occurred_at: a new standard cost
  of a standard-cost area from that moment on.

Output tables: ``val_values`` (one row per movement), ``val_pieces`` (which
layer each outflow consumed, FIFO; ``is_specific`` where a vendor return took the
units of the receipt it names), ``val_charge_results`` (each landed cost:
to COGS, to stock, price variance), ``val_layers`` (each FIFO layer and what
remains of it), ``val_cost_change_results`` (each standard cost change: the
quantity on hand then and the revaluation); their numbers are BIGINT.

FIFO is split in two. Which units of which layer each outflow takes depends on
quantities only (a cumulative-quantity axis per area: running sums and binary
searches in numpy), and so do the landed costs' shares: that structure is
computed once, in SQL and numpy. Values are then filled in by numpy passes over
the pieces (exact: int64 where a bound check shows no product can overflow,
Python integers otherwise). Inflows whose cost comes from another movement (a
transfer-in from its transfer-out, a customer return from the outflow it
reverses) take the last pass's value, until no outflow's value changes. Moving
average is a scan of all areas side by side in numpy, re-run on the areas whose
derived costs changed.

Items are valued in chunks of about ``CHUNK_MOVEMENTS`` movements (areas linked by a
reference always together), two chunks at a time (``CHUNKS_AT_ONCE``, each in a connection of
its own, so one's numpy runs beside the other's SQL), each chunk's results appended to the
outputs in chunk order and its intermediate tables dropped, so memory is bounded by two chunks
and time grows linearly. The outputs' physical row order is not part of the contract.
The text columns are read once, before the chunks: references become row numbers, landed
costs and cost changes are slotted into their areas' order, and the numeric columns are
copied in chunk order (``_value_chunks``); then the inputs are dropped.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MAX_ROUNDS = 25
STD_DEN = 10**10  # std_num / STD_DEN = cents per micro-unit
SEQ_SLOT = 2**20  # ev.seq = movement seq x SEQ_SLOT (+ n for the n-th landed cost after it)
AVCO_SIDE_BY_SIDE = 16  # moving average: fewer areas left than this go on one by one, in Python
CHUNK_MOVEMENTS = 1_000_000  # value about this many movements at a time (linked areas stay together)
CHUNKS_AT_ONCE = 2  # chunks valued side by side (one's numpy beside the other's SQL)
WORK_DB = "onhand_valuation"  # an in-memory database for what all chunks read
INPUTS = ("val_movements", "val_charges", "val_cost_changes")
INFLOW_TYPES = ("receipt", "transfer_in", "production_receipt", "customer_return")
ADJUSTMENT_TYPES = ("adjustment", "count_adjustment")  # inflows when positive
ENGINE_TYPES = ("landed_cost", "standard_cost_change")  # the kinds of events the engine adds
KIND_INFLOW, KIND_OUTFLOW, KIND_RECEIPT, KIND_PRODUCTION_RECEIPT = 1, 2, 4, 8  # the structure's kind bits


def _half_up(num: str, den: str) -> str:
    """SQL for round(num / den) half away from zero, for den > 0."""
    return f"(sign({num}) * ((2 * abs({num}) + ({den})) // (2 * ({den}))))"


@dataclass
class ValuationRun:
    rounds: int
    converged: bool


def value_all(con: duckdb.DuckDBPyConnection, *, chunk_movements: int = CHUNK_MOVEMENTS,
              keep_events: bool = False) -> ValuationRun:
    """Value ``val_movements``, ``val_charges`` and ``val_cost_changes`` into the output tables; the
    three input tables are dropped as soon as they are read (before the first chunk).

    Items are valued in chunks of about ``chunk_movements`` movements: areas linked by a
    reference (a transfer, a return) are always in one chunk, unlinked ones are independent,
    so the working set is a slice and time grows linearly. Every intermediate table is
    dropped when its chunk is done (``ev``, the sequenced events, is kept on request when
    there is one chunk). The engine and DuckDB share a fifth of the machine's memory while it
    runs: DuckDB is capped at that less what the engine holds outside it (the keys, twice while
    they are combined, then once; ``_share``), and spills the rest to its temp directory.

    numpy's huge pages are off meanwhile: numpy advises the kernel to back arrays of 4 MiB and
    more with huge pages, and where transparent huge pages defragment on advice (a common
    default) a first touch of such an array then waits for memory to be compacted. Each chunk
    makes such arrays afresh; with huge pages they cost 2-3x the system time (the FIFO structure
    at 20.1M movements: 15 -> 9 s).

    DuckDB preserves insertion order meanwhile (both settings are global, so the build's other
    models running beside see them too): the build turns it off (profiles.yml), but the engine
    writes its tables in the order it reads them back (``val_in`` chunk by chunk, each chunk in
    event order), and at 20.1M FIFO movements it ran 1-1.5 s faster with the order kept.
    """
    before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    cap = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 5 // 2**20
    con.execute(f"SET memory_limit = '{cap}MiB'")
    order_before = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    con.execute("SET preserve_insertion_order = true")
    huge_pages = np._core.multiarray._set_madvise_hugepage(False)
    try:
        return _value_chunks(con, chunk_movements, keep_events, cap)
    finally:
        np._core.multiarray._set_madvise_hugepage(huge_pages)
        con.execute(f"SET memory_limit = '{before}'")
        con.execute(f"SET preserve_insertion_order = {order_before}")


def _quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _enum(values: list[str]) -> str:
    """An ENUM type of ``values`` (a byte per row; comparisons with text literals work as on text)."""
    return f"ENUM({', '.join(_quote(v) for v in values)})"


def _list(names: list[str]) -> str:
    """A SQL list of text literals."""
    return f"[{', '.join(_quote(v) for v in names)}]"


def _code(names: list[str], name: str) -> int:
    """``name``'s code in ``val_in``: its place in ``names``, from 1 (``list_position``)."""
    return names.index(name) + 1


def _temp_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}


def _value_chunk(con: duckdb.DuckDBPyConnection, keep: tuple[str, ...], chunk: _Chunk,
                 shared: _Shared) -> tuple[ValuationRun, _Unkeyed]:
    """Value one chunk (``_value_all``) on ``con``; drop every intermediate table it made but ``keep``
    (``ev`` kept holds every event)."""
    existing = _temp_tables(con)
    try:
        return _value_all(con, chunk, shared, every_event="ev" in keep)
    finally:
        for name in _temp_tables(con) - existing - set(keep):
            con.execute(f"DROP TABLE {name}")


def _value_chunk_apart(con: duckdb.DuckDBPyConnection, chunk: _Chunk,
                       shared: _Shared) -> tuple[ValuationRun, _Unkeyed]:
    """Value one chunk (``_value_all``) in a connection of its own (a cursor of ``con``): its
    intermediate tables are its own, and go with it."""
    with con.cursor() as own:
        return _value_all(own, chunk, shared, every_event=False)


class _Chunk(NamedTuple):
    """A chunk: its number, and its movements' rows of ``val_in`` (``rows`` from ``first_row``), all
    of its areas' (``areas`` of them from ``first_aid``)."""
    number: int
    first_row: int
    rows: int
    first_aid: int
    areas: int


def _area_chunks(con: duckdb.DuckDBPyConnection, size: int) -> list[_Chunk]:
    """``val_area_chunk`` (area_id, h, chunk, a): linked areas (a movement referring to one of another
    area, ``val_refs``) in one chunk, chunks of about ``size`` movements, ``a`` numbering the areas
    chunk by chunk; ``h`` is ``hash(area_id)``, distinct for distinct areas (checked), for joining
    the movements to their area on an integer. Returns the chunks, their rows those of ``val_in``
    (the movements in area order)."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE val_area_chunk AS
        SELECT area_id, hash(area_id) AS h, CAST(row_number() OVER (ORDER BY area_id) - 1 AS BIGINT) AS a,
               count(*) AS n
        FROM val_movements GROUP BY area_id
    """)
    if con.execute("SELECT count(DISTINCT h) <> count(*) FROM val_area_chunk").fetchall()[0][0]:
        raise RuntimeError("two areas' ids hash alike; the engine cannot tell their movements apart")
    n = con.execute("SELECT n FROM val_area_chunk ORDER BY a").fetchnumpy()["n"]
    edges = con.execute("""
        WITH links AS (SELECT DISTINCT area_id AS x, ref_area AS y FROM val_refs WHERE ref_area <> area_id)
        SELECT a.a AS u, b.a AS v FROM links JOIN val_area_chunk a ON a.area_id = links.x
        JOIN val_area_chunk b ON b.area_id = links.y
    """).fetchnumpy()
    u, v = np.asarray(edges["u"], np.int64), np.asarray(edges["v"], np.int64)
    label = np.arange(len(n))  # connected components: each area ends labelled with its smallest linked area
    while True:
        low = np.minimum(label[u], label[v])
        new = label.copy()
        for ends in (u, v, label[u], label[v]):  # the ends and their labels' areas
            np.minimum.at(new, ends, low)
        while not np.array_equal(new[new], new):  # labels point at smaller areas: jump to the smallest
            new = new[new]
        if np.array_equal(new, label):
            break
        label = new
    order = np.argsort(label, kind="stable")  # components contiguous
    comp_first = np.ones(len(n), bool)
    comp_first[1:] = label[order][1:] != label[order][:-1]
    before = np.cumsum(n[order]) - n[order]
    chunk_of_comp = before[comp_first] // size  # a component's chunk: where it starts
    chunk = np.empty(len(n), np.int64)
    chunk[order] = np.repeat(chunk_of_comp, np.diff(np.append(np.flatnonzero(comp_first), len(n))))
    _, chunk = np.unique(chunk, return_inverse=True)
    rank = np.empty(len(n), np.int64)  # the areas numbered chunk by chunk
    rank[np.argsort(chunk, kind="stable")] = np.arange(len(n))
    con.register("area_chunk", pa.table({"a": np.arange(len(n)), "chunk": chunk, "rank": rank}))
    con.execute("""
        CREATE OR REPLACE TEMP TABLE val_area_chunk AS
        SELECT v.area_id, v.h, c.chunk, c.rank AS a FROM val_area_chunk v JOIN area_chunk c ON c.a = v.a
    """)
    con.unregister("area_chunk")
    areas = np.bincount(chunk)
    rows = np.zeros(len(areas), np.int64)
    np.add.at(rows, chunk, n)
    first_row, first_aid = np.cumsum(rows) - rows, np.cumsum(areas) - areas
    return [_Chunk(k, *(int(x) for x in c))
            for k, c in enumerate(zip(first_row, rows, first_aid, areas, strict=True))]


def _value_chunks(con: duckdb.DuckDBPyConnection, size: int, keep_events: bool, cap_mib: int) -> ValuationRun:
    """Value chunk by chunk (``_area_chunks``), each chunk's outputs added to the first's.

    Two chunks are valued at a time (``CHUNKS_AT_ONCE``), each in a connection of its own, so
    that one's numpy work runs beside the other's SQL; their outputs are added in chunk order,
    so the output tables are the same whatever finishes first.

    The text columns are read once, here: each movement's reference becomes the row of the
    movement it names (``val_refs``), landed costs and cost changes are slotted into their area's
    valuation order (``val_slotted``), and the numeric columns the chunks need are copied in
    chunk, area and valuation order (``val_in``), so that a chunk's events are a few row groups of
    narrow rows. Event ids follow the areas and their valuation order (so the events need no sort
    by area).
    """
    con.execute(f"ATTACH ':memory:' AS {WORK_DB}")  # what every chunk's connection reads
    try:
        return _value_chunks_in(con, size, keep_events, cap_mib)
    finally:
        con.execute(f"DETACH {WORK_DB}")


def _value_chunks_in(con: duckdb.DuckDBPyConnection, size: int, keep_events: bool, cap_mib: int) -> ValuationRun:
    """``_value_chunks``, its shared tables in the ``WORK_DB`` database."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE val_refs AS
        SELECT m.r, x.r AS ref_r, m.area_id, x.area_id AS ref_area
        FROM (SELECT r, area_id, ref_key FROM val_movements WHERE ref_key IS NOT NULL) m
        JOIN val_movements x ON x.key = m.ref_key
    """)
    chunks = _area_chunks(con, size) or [_Chunk(0, 0, 0, 0, 0)]  # no movements: one empty chunk
    _slot(con)
    # the movement types and methods, with every one the engine names, coded as their place in
    # these lists (a byte per row: coding the text where it is read, once per distinct value,
    # costs a fraction of casting each row to an ENUM)
    types = {c: sorted({r[0] for r in con.execute(f"SELECT DISTINCT {c} FROM val_movements WHERE {c} IS NOT NULL")
                        .fetchall()} | set(named))
             for c, named in (("mtype", INFLOW_TYPES + ADJUSTMENT_TYPES + ENGINE_TYPES + ("vendor_return",)),
                              ("method", ("fifo", "avco", "standard")))}
    # the movements referred to, by a movement or a landed cost
    referred = con.execute(f"""
        SELECT ref_r FROM val_refs UNION SELECT ref_r FROM {WORK_DB}.val_slotted WHERE ref_r IS NOT NULL
    """).fetchnumpy()["ref_r"]
    con.execute(f"""
        CREATE TABLE {WORK_DB}.val_in AS
        SELECT c.a AS aid, m.r, m.seq, m.mtype, m.method, m.qty_u, m.receipt_value_c, m.std_num, f.ref_r
        FROM (SELECT r, hash(area_id) AS h, seq,
                     {", ".join(f"CAST(list_position({_list(types[c])}, {c}) AS UTINYINT) AS {c}" for c in types)},
                     CAST(qty_u AS BIGINT) AS qty_u, CAST(receipt_value_c AS BIGINT) AS receipt_value_c,
                     CAST(std_num AS BIGINT) AS std_num
              FROM val_movements) m
        JOIN val_area_chunk c ON c.h = m.h LEFT JOIN val_refs f ON f.r = m.r
        ORDER BY c.a, m.seq
    """)
    con.execute("DROP TABLE val_refs")
    # the movements' keys, by their number r (read in no order: no sort with a text payload)
    keys = con.sql("SELECT r, key FROM val_movements").to_arrow_table()
    numbers = int(pc.max(keys["r"]).as_py() or 0) + 1
    is_referred = np.zeros(numbers, bool)
    is_referred[np.asarray(referred, np.int64)] = True
    shared = _Shared(keys, numbers, types, is_referred)
    # they live outside DuckDB's memory (twice while they are combined): its cap gives way by as much
    _share(con, cap_mib, 2 * keys.nbytes + 9 * numbers)
    del keys
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()}
    for name in INPUTS:  # everything needed is in val_in and val_slotted now: free the memory
        con.execute(f"DROP {'VIEW' if name in views else 'TABLE'} {name}")
    con.execute("DROP TABLE val_area_chunk")
    made: set[str] = set()
    runs = []

    def add(valued: tuple[ValuationRun, _Unkeyed]) -> None:
        """A chunk's outputs, keyed here rather than in the chunk's thread: the first chunks would
        wait there for the keys to be combined (``_Shared``), and the other core stand idle."""
        run, unkeyed = valued
        keys = _Keys(shared, unkeyed)
        if not runs:  # the keys are combined now: DuckDB may have what they freed
            _share(con, cap_mib, sum(part.nbytes for part in shared.made()) + numbers)
        runs.append(run)
        for name, rows, key_columns in unkeyed.outputs:
            _emit(con, name, _keyed(keys, rows, key_columns), append=name in made)
            made.add(name)

    if len(chunks) == 1:
        add(_value_chunk(con, ("ev",) if keep_events else (), chunks[0], shared))
    else:
        with ThreadPoolExecutor(CHUNKS_AT_ONCE) as pool:
            pending: deque[Future] = deque()
            try:
                for chunk in chunks:
                    pending.append(pool.submit(_value_chunk_apart, con, chunk, shared))
                    # as many more wait, to start when a chunk is done: the first chunks' outputs
                    # are added once the keys are combined, and meanwhile the pool goes on
                    if len(pending) >= 2 * CHUNKS_AT_ONCE:
                        add(pending.popleft().result())
                while pending:
                    add(pending.popleft().result())
            finally:
                for future in pending:
                    future.cancel()
    return ValuationRun(max(run.rounds for run in runs), all(run.converged for run in runs))


def _share(con: duckdb.DuckDBPyConnection, cap_mib: int, outside: int) -> None:
    """DuckDB's memory limit: the engine's cap less what lives outside DuckDB (``outside`` bytes),
    but never less than half of it."""
    con.execute(f"SET memory_limit = '{max(cap_mib - outside // 2**20, cap_mib // 2)}MiB'")


def _slot(con: duckdb.DuckDBPyConnection) -> None:
    """``val_slotted``: every landed cost and standard cost change with its chunk, area and place in
    the area's valuation order (``seq``); a charge never before its receipt.

    A landed cost comes after the last movement of its area at or before its moment (its
    receipt's, if that is later); a standard cost change after the last movement before its
    moment; several in one slot by moment, then key.
    """
    con.execute(f"""
        CREATE TABLE {WORK_DB}.val_slotted AS
        WITH charges AS (
            SELECT c.key, m.area_id, 'landed_cost' AS mtype, m.method, m.std_num, m.r AS ref_r,
                   c.amount_c,
                   CASE WHEN (c.occurred_at, c.posted_at, c.tiebreak) < (m.occurred_at, m.posted_at, m.tiebreak)
                        THEN struct_pack(a := m.occurred_at, b := m.posted_at, c := m.tiebreak)
                        ELSE struct_pack(a := c.occurred_at, b := c.posted_at, c := c.tiebreak)
                   END AS ord
            FROM val_charges c JOIN val_movements m ON m.key = c.receipt_key
        ),
        slotted AS (
            -- after the last movement of the area at or before the charge's moment
            SELECT c.*, max(m.seq) AS after_seq
            FROM charges c JOIN val_movements m
              ON m.area_id = c.area_id AND struct_pack(a := m.occurred_at, b := m.posted_at, c := m.tiebreak) <= c.ord
            GROUP BY ALL
            UNION ALL
            -- a standard cost change applies to the movements from its moment on: after the last before
            SELECT c.key, c.area_id, 'standard_cost_change', 'standard', c.std_num, NULL, NULL,
                   struct_pack(a := c.occurred_at, b := c.occurred_at, c := ''), max(m.seq)
            FROM val_cost_changes c JOIN val_movements m ON m.area_id = c.area_id AND m.occurred_at < c.occurred_at
            GROUP BY ALL
        )
        SELECT a.chunk, a.a AS aid, s.key, s.mtype, s.method, CAST(s.std_num AS BIGINT) AS std_num, s.ref_r,
               CAST(s.amount_c AS HUGEINT) AS amount_c,
               CAST(s.after_seq * {SEQ_SLOT} + row_number() OVER (PARTITION BY s.area_id, s.after_seq
                                                                 ORDER BY s.ord, s.key) AS BIGINT) AS seq
        FROM slotted s JOIN val_area_chunk a USING (area_id)
    """)


def _value_all(con: duckdb.DuckDBPyConnection, chunk: _Chunk, shared: _Shared,
               every_event: bool) -> tuple[ValuationRun, _Unkeyed]:
    """Value ``chunk`` (its movements from ``first_row`` of ``val_in``, their types and methods coded
    as small integers, ``shared.types``): the rounds it took, and its rows of each output (the caller
    keys and adds them, ``_Unkeyed``).
    ``every_event``: ``ev`` holds every FIFO movement too (for a caller that keeps it)."""
    rows = _chunk_rows(con, chunk)
    moved = _moved(rows, shared.types)
    size = _sequence(con, chunk, rows, moved, shared, every_event)
    del rows
    # Which inflows take their cost from which outflow (transfers, customer returns).
    con.execute("""
        CREATE OR REPLACE TEMP TABLE deps AS
        SELECT d.id AS inflow_id, d.method AS inflow_method, e.id AS source_id, e.qty_u AS source_qty,
               e.method = 'fifo' AND e.is_outflow AS fifo_source
        FROM ev d JOIN ev_ref r ON r.id = d.id JOIN ev e ON e.id = r.ref_id
        WHERE d.mtype IN ('transfer_in', 'customer_return') AND d.method <> 'standard' AND e.qty_u < 0
    """)
    _standard(con)  # standard cost needs no other movement's cost: one pass
    con.execute("CREATE OR REPLACE TEMP TABLE ref_cost (id BIGINT, num HUGEINT, den HUGEINT)")
    _changed_costs(con, "SELECT id, value_c FROM s_values")
    fifo = _FifoValues(con, *_fifo_structure(con, moved, size))
    avco = _Avco(con)
    rounds, outer, converged = 0, 0, False
    fifo_outs = "SELECT id, value_c FROM f_out_values"
    while outer < MAX_ROUNDS:
        outer += 1
        fifo_rounds, fifo_converged = fifo.solve()
        rounds = max(rounds, outer, fifo_rounds)
        if not _changed_costs(con, f"{fifo_outs} UNION ALL SELECT id, value_c FROM a_values"):
            converged = fifo_converged
            break
        avco.rescan()
    avco.finish()
    outputs = [("val_values", fifo.values(), {"key": "id"})]
    amounts = "value_c, revaluation_c, deficit_units, booked_c"
    outputs.append(("val_values", f"""
        SELECT id, {amounts} FROM acc_a_values UNION ALL SELECT id, {amounts} FROM s_values WHERE NOT is_change
    """, {"key": "id"}))
    outputs.append(("val_cost_change_results", """
        SELECT id, qty_after AS qty_u, revaluation_c FROM s_values WHERE is_change
    """, {"key": "id"}))
    outputs.append(("val_charge_results", """
        SELECT c.id, c.layer_id AS receipt_id, c.amount_c, c.to_cogs_c, c.amount_c - c.to_cogs_c AS to_stock_c,
               CAST(0 AS HUGEINT) AS variance_c
        FROM f_charges c
        UNION ALL
        SELECT a.id, r.ref_id, a.amount_c, a.to_cogs_c, a.amount_c - a.to_cogs_c, 0
        FROM acc_a_charge_results a JOIN ev_ref r ON r.id = a.id
        UNION ALL
        SELECT e.id, r.ref_id, e.amount_c, 0, 0, e.amount_c
        FROM ev e JOIN ev_ref r ON r.id = e.id
        WHERE e.mtype = 'landed_cost' AND e.method = 'standard'
    """, {"key": "id", "receipt_key": "receipt_id"}))
    pieces = fifo.tables["f_piece_values"]
    outputs.append(("val_pieces", pa.table({
        "out_id": pieces["out_id"], "layer_id": pieces["layer_id"],
        "is_specific": pieces["specific"],  # a vendor return's units from the receipt it names
        **{c: pieces[c] for c in ("units", "is_deficit", "value_c")},
    }), {"out_key": "out_id", "layer_key": "layer_id"}))
    outputs.append(("val_layers", fifo.layers(), {"key": "id"}))
    unkeyed = _Unkeyed(moved["id"], moved["r"], con.sql("SELECT id, key FROM ev WHERE r IS NULL").to_arrow_table(),
                       [(name, rows if isinstance(rows, pa.Table) else con.sql(rows).to_arrow_table(), key_columns)
                        for name, rows, key_columns in outputs])
    for view in ("f_layer_values", "f_out_values", "f_piece_values", "a_values", "s_values"):
        con.unregister(view)
    return ValuationRun(rounds, converged), unkeyed


class _Shared:
    """What every chunk reads beside ``val_in``: the movement types and methods by their codes in
    ``val_in`` (``types[column][code - 1]``); whether a movement is referred to, by its number
    (``referred``); the movements' keys (``keys``, read in no order, their numbers below
    ``numbers``) and, by a movement's number ``r``, where its key is (``made``).

    The keys are combined into one array and placed by number in a thread of their own, while
    the first chunks run (only their outputs need them, and those are keyed as they are added):
    done in line, that was 0.8 s of one core, the other idle, before the first chunk at 20.1M
    movements."""

    def __init__(self, keys: pa.Table, numbers: int, types: dict[str, list[str]], referred: np.ndarray) -> None:
        self.types, self.referred = types, referred
        pool = ThreadPoolExecutor(1)
        self._made = pool.submit(lambda: (keys["key"].combine_chunks(),
                                          _rows_of(keys["r"].to_numpy(), numbers, missing=0)))
        pool.shutdown(wait=False)  # its thread ends when this one task is done

    def made(self) -> tuple[pa.Array, np.ndarray]:
        """The keys as one array, and where each movement's key is in it by its number."""
        return self._made.result()


class _Unkeyed(NamedTuple):
    """A chunk's outputs (name, rows, ``key_columns``: key column -> the id column it replaces)
    with event ids where their keys go, and what its keys are taken from (``_Keys``): its
    movements' ids and numbers, and its other events' (landed costs', cost changes') keys."""
    ids: np.ndarray
    r: np.ndarray
    others: pa.Table
    outputs: list[tuple[str, pa.Table, dict[str, str]]]


class _Keys:
    """A chunk's events' keys by event id (``unkeyed``): a movement's from ``shared`` by its number,
    a landed cost's or cost change's as the chunk read it from ``ev``.
    The chunk's keys are taken from ``shared`` once, and each output's from them (a take from the
    chunk's few MB rather than from all keys is about twice as fast)."""

    def __init__(self, shared: _Shared, unkeyed: _Unkeyed) -> None:
        keys, key_at = shared.made()
        others = unkeyed.others
        self.key = pa.concat_arrays([keys.take(key_at[unkeyed.r]).cast(pa.string()),
                                     others["key"].combine_chunks().cast(pa.string())])
        self.at = _rows_of(np.concatenate([unkeyed.ids, others["id"].to_numpy()]), missing=0)

    def take(self, ids: pa.ChunkedArray | pa.Array) -> pa.Array:
        return self.key.take(self.at[ids.to_numpy()])


def _keyed(keys: _Keys, rows: pa.Table, key_columns: dict[str, str]) -> pa.Table:
    """``rows`` with event ids turned into their events' keys (``key_columns``: key column -> id
    column), first. A key is a positional take from ``keys`` instead of a join."""
    columns = {out: keys.take(rows[ids]) for out, ids in key_columns.items()}
    columns |= {c: rows[c] for c in rows.column_names if c not in key_columns.values()}
    return pa.table(columns)


def _emit(con: duckdb.DuckDBPyConnection, name: str, rows: pa.Table, append: bool) -> None:
    """Output temp table ``name`` from ``rows``, the integers as BIGINT (the engine's numbers fit: they
    come from int64 arrays, or a cast raises): created, or with ``append`` added to."""
    con.register("keyed_rows", rows)
    integral = {f.name for f in rows.schema if pa.types.is_integer(f.type) or pa.types.is_decimal(f.type)}
    select = ", ".join(f"CAST({c} AS BIGINT) AS {c}" if c in integral else c for c in rows.column_names)
    sql = f"SELECT {select} FROM keyed_rows"
    con.execute(f"INSERT INTO {name} {sql}" if append else f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
    con.unregister("keyed_rows")


def _changed_costs(con: duckdb.DuckDBPyConnection, values_sql: str) -> bool:
    """Costs of derived inflows from the outflows just valued (``values_sql``): the ones that
    differ from what the inflows were valued with go to ``changed`` and ``ref_cost``.
    True when some changed. A FIFO inflow from a FIFO outflow is left out: FIFO's own passes
    settle it (``_FifoValues.solve``), so it needs no other round."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE changed AS
        WITH cost_now AS (
            SELECT DISTINCT deps.source_id AS id, -v.value_c AS num, -deps.source_qty AS den
            FROM deps JOIN ({values_sql}) v ON v.id = deps.source_id
            WHERE v.value_c IS NOT NULL AND NOT (deps.inflow_method = 'fifo' AND deps.fifo_source)
        )
        SELECT id, num, den FROM cost_now EXCEPT SELECT id, num, den FROM ref_cost
    """)
    con.execute("DELETE FROM ref_cost WHERE id IN (SELECT id FROM changed)")
    con.execute("INSERT INTO ref_cost SELECT * FROM changed")
    return con.execute("SELECT count(*) FROM changed").fetchall()[0][0] > 0

def _chunk_rows(con: duckdb.DuckDBPyConnection, chunk: _Chunk) -> pa.Table:
    """The chunk's movements, its rows of ``val_in`` with their ids (from 1, in ``val_in``'s order),
    read once for ``ev`` (``_sequence``) and numpy (``_moved``): through Arrow, half the CPU of
    ``fetchnumpy`` (which grows its arrays as it goes)."""
    first, last = chunk.first_row, chunk.first_row + chunk.rows - 1
    rows = con.sql(f"""
        SELECT *, rowid - {first - 1} AS id FROM {WORK_DB}.val_in WHERE rowid BETWEEN {first} AND {last}
    """).to_arrow_table()
    aid = rows["aid"]
    if (rows.num_rows, pc.min(aid).as_py(), pc.max(aid).as_py()) != (
            (chunk.rows, chunk.first_aid, chunk.first_aid + chunk.areas - 1) if chunk.rows else (0, None, None)):
        raise RuntimeError(f"val_in's rows {first}-{last} are not chunk {chunk.number}'s movements")
    if missing := [c for c in ("id", "r", "aid", "seq", "qty_u", "mtype", "method") if rows[c].null_count]:
        raise RuntimeError(f"movements without {', '.join(missing)} (the ledger's not-null tests should have failed)")
    return rows


def _sequence(con: duckdb.DuckDBPyConnection, chunk: _Chunk, rows: pa.Table, moved: dict[str, np.ndarray],
              shared: _Shared, every_event: bool) -> int:
    """``ev``: the events of ``chunk`` that SQL values or links, each area's in valuation order (``seq``),
    and ``ev_ref``. ``rows``: the chunk's movements (``_chunk_rows``), ``moved`` the same for numpy
    (``_moved``). Returns the number of ids (the largest + 1).

    Movements come numbered (``val_movements.seq``, the ledger's order within the area;
    ``val_in``), landed costs and cost changes slotted after them (``val_slotted``). Every event
    has an integer ``id`` (from 1, movements first, in area and valuation order), its area an
    integer ``aid``; a movement its number ``r`` (``val_movements.r``). ``ev_ref``: the event each event
    refers to (what a return returns, a transfer-in's transfer-out, a charge's receipt).

    The bulk of FIFO, its plain movements, is read for numpy (``_moved``), not from ``ev``: a
    FIFO movement is in ``ev`` only when it refers to another event, is referred to
    (``shared.referred``), or is a vendor return (all with ``every_event``), chosen in numpy.
    In ``ev`` the types and methods are ENUMs (``types``' names), not ``val_in``'s codes.
    """
    types = shared.types
    rows = rows.append_column("is_inflow", pa.array((moved["kind"] & KIND_INFLOW) > 0))
    if not every_event:
        rows = rows.filter(rows["ref_r"].is_valid().to_numpy(zero_copy_only=False) | ~moved["is_fifo"]
                           | (rows["mtype"].to_numpy() == _code(types["mtype"], "vendor_return"))
                           | shared.referred[moved["r"]])
    named = {c: f"CAST({_list(names)}[{c}] AS {_enum(names)}) AS {c}" for c, names in types.items()}
    con.register("ev_rows", rows)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ev AS
        SELECT r, CAST(NULL AS VARCHAR) AS key, {named["mtype"]}, {named["method"]}, CAST(qty_u AS HUGEINT) AS qty_u,
               CAST(receipt_value_c AS HUGEINT) AS receipt_value_c,
               CAST(std_num AS HUGEINT) AS std_num, ref_r, CAST(NULL AS HUGEINT) AS amount_c,
               CAST(seq * {SEQ_SLOT} AS BIGINT) AS seq, id, aid, is_inflow, NOT is_inflow AS is_outflow
        FROM ev_rows
    """)
    con.unregister("ev_rows")
    n = chunk.rows
    con.execute(f"""
        INSERT INTO ev BY NAME
        SELECT key, mtype, method, CAST(0 AS HUGEINT) AS qty_u, CAST(std_num AS HUGEINT) AS std_num, ref_r, amount_c,
               seq, {n} + CAST(row_number() OVER () AS BIGINT) AS id, aid, false AS is_inflow, false AS is_outflow
        FROM {WORK_DB}.val_slotted WHERE chunk = {chunk.number}
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ev_ref AS
        SELECT e.id, x.id AS ref_id FROM ev e JOIN ev x ON x.r = e.ref_r AND x.id <= {n} WHERE e.ref_r IS NOT NULL
    """)
    slotted = con.execute(f"SELECT count(*) FROM {WORK_DB}.val_slotted WHERE chunk = {chunk.number}").fetchall()[0][0]
    return n + slotted + 1


def _moved(rows: pa.Table, types: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """The chunk's movements (``_chunk_rows``) for numpy: each one's id and number ``r`` (for the
    keys, ``_Keys``), and what the FIFO structure needs: area, place, quantity, costs, ``kind``
    (KIND_* bits) and ``is_fifo``."""
    mtype, qty = rows["mtype"].to_numpy(), rows["qty_u"].to_numpy()
    coded = {name: _code(types["mtype"], name) for name in INFLOW_TYPES + ADJUSTMENT_TYPES}
    # an inflow: a receipt of any kind, or a positive adjustment
    inflow = np.isin(mtype, [coded[name] for name in INFLOW_TYPES]) | (
        np.isin(mtype, [coded[name] for name in ADJUSTMENT_TYPES]) & (qty > 0))
    kind = np.where(inflow, KIND_INFLOW, KIND_OUTFLOW).astype(np.uint8)
    kind[mtype == coded["receipt"]] += KIND_RECEIPT
    kind[mtype == coded["production_receipt"]] += KIND_PRODUCTION_RECEIPT
    return {"id": rows["id"].to_numpy(), "r": rows["r"].to_numpy(), "aid": rows["aid"].to_numpy(),
            "seq": rows["seq"].to_numpy() * SEQ_SLOT, "qty": qty,
            "std_num": rows["std_num"].fill_null(0).to_numpy(),
            "receipt_value": rows["receipt_value_c"].fill_null(0).to_numpy(),
            "kind": kind, "is_fifo": rows["method"].to_numpy() == _code(types["method"], "fifo")}


def _fifo_structure(con: duckdb.DuckDBPyConnection, moved: dict[str, np.ndarray],
                    size: int) -> tuple[dict, dict, int]:
    """Which units of which layer every FIFO outflow takes, and the landed costs' shares.

    All of it depends on quantities only. Per area, layers lie end to end on a
    cumulative-quantity axis, outflows likewise (running sums and binary searches,
    numpy); a piece is the overlap of an outflow's stretch with a layer's. A piece
    taken from a layer that came later than its outflow is a deficit piece: it
    covers units issued into negative stock.
    """
    # Vendor returns naming an earlier receipt of their area take its units (specific identification).
    con.execute("""
        CREATE OR REPLACE TEMP TABLE f_specific AS
        SELECT id, seq, units, layer_id, layer_seq FROM (
            SELECT o.id, o.seq, -o.qty_u AS units, l.id AS layer_id, l.seq AS layer_seq, l.qty_u AS layer_qty,
                   sum(-o.qty_u) OVER (PARTITION BY l.id ORDER BY o.seq) AS claimed
            FROM ev o JOIN ev_ref r ON r.id = o.id JOIN ev l
              ON l.id = r.ref_id AND l.aid = o.aid AND l.mtype = 'receipt' AND l.seq < o.seq
            WHERE o.mtype = 'vendor_return' AND o.method = 'fifo'
        )
        WHERE claimed <= layer_qty
    """)
    # every FIFO movement of the chunk, in valuation order per area
    fifo = slice(None) if moved["is_fifo"].all() else moved["is_fifo"]  # all FIFO: views, no copies
    fetched = {k: moved[k][fifo] for k in ("id", "aid", "seq", "qty", "std_num", "receipt_value", "kind")}
    order = _area_order(fetched["id"], fetched["aid"], fetched["seq"])
    events = {k: v[order] for k, v in fetched.items()}
    n = len(events["id"])
    row = _rows_of(events["id"], size)
    kind = events.pop("kind")
    is_inflow, is_outflow = (kind & KIND_INFLOW) > 0, (kind & KIND_OUTFLOW) > 0
    # the few vendor returns of named receipts, and the derived inflows: onto their rows
    spec = {k: np.asarray(v) for k, v in con.execute("""
        SELECT id, seq, CAST(units AS BIGINT) AS units, layer_id, layer_seq FROM f_specific
    """).fetchnumpy().items()}
    reserved = np.zeros(n, np.int64)
    np.add.at(reserved, row[spec["layer_id"]], spec["units"])
    is_specific = np.zeros(n, bool)
    is_specific[row[spec["id"]]] = True
    deps = {k: np.asarray(v) for k, v in con.execute("""
        SELECT inflow_id, source_id, CAST(-source_qty AS BIGINT) AS source_qty FROM deps
    """).fetchnumpy().items()}
    at = row[deps["inflow_id"]]
    fifo_dep = at >= 0
    at = at[fifo_dep]
    source_id, source_qty = np.full(n, -1, np.int64), np.ones(n, np.int64)
    source_id[at], source_qty[at] = deps["source_id"][fifo_dep], deps["source_qty"][fifo_dep]
    qty = events["qty"]
    events |= {
        "reserved": reserved, "is_inflow": is_inflow, "is_receipt": (kind & KIND_RECEIPT) > 0,
        "is_specific": is_specific,
        "own_cost": is_inflow & (((kind & (KIND_RECEIPT | KIND_PRODUCTION_RECEIPT)) > 0) | (source_id >= 0)),
        "in_units": np.where(is_inflow, qty - reserved, 0), "out_units": np.where(is_outflow & ~is_specific, -qty, 0),
        "source_id": source_id, "source_qty": source_qty,
    }
    axis_pieces, axis = _fifo_axis(events)
    events.update(axis)
    # the pieces: the axis's, then the vendor returns' from their receipts
    pieces = {
        "out_id": np.concatenate([axis_pieces["out_id"], spec["id"]]),
        "layer_id": np.concatenate([axis_pieces["layer_id"], spec["layer_id"]]),
        "units": np.concatenate([axis_pieces["units"], spec["units"]]),
        "out_seq": np.concatenate([axis_pieces["out_seq"], spec["seq"]]),
        "layer_seq": np.concatenate([axis_pieces["layer_seq"], spec["layer_seq"]]),
        "specific": np.concatenate([np.zeros(len(axis_pieces["out_id"]), bool), np.ones(len(spec["id"]), bool)]),
    }
    unreserved = np.concatenate([axis_pieces["unreserved"], np.zeros(len(spec["id"]), bool)])
    pieces["is_emptying"] = np.concatenate([axis_pieces["reaches_end"], np.zeros(len(spec["id"]), bool)]) & unreserved
    pieces["eff_seq"] = np.maximum(pieces["out_seq"], pieces["layer_seq"])
    pieces["is_deficit"] = pieces["out_seq"] < pieces["layer_seq"]
    on_reserved = np.flatnonzero(~unreserved)
    if len(on_reserved):
        # layers vendor returns took units from (few): emptied when all units are taken, by the last piece
        con.register("reserved_pieces", pa.table(
            {"i": on_reserved, "layer_qty": qty[row[pieces["layer_id"][on_reserved]]]}
            | {k: pieces[k][on_reserved] for k in ("out_id", "layer_id", "units", "out_seq", "layer_seq")}))
        got = con.execute("""
            WITH layers AS (
                SELECT layer_id, sum(units) = any_value(layer_qty) AS emptied,
                       arg_max(out_id, (greatest(out_seq, layer_seq), out_seq)) AS last_out
                FROM reserved_pieces GROUP BY layer_id
            )
            SELECT p.i, coalesce(l.emptied AND l.last_out = p.out_id, false) AS emptying
            FROM reserved_pieces p JOIN layers l ON l.layer_id = p.layer_id
        """).fetchnumpy()
        con.unregister("reserved_pieces")
        pieces["is_emptying"][np.asarray(got["i"], np.int64)] = np.asarray(got["emptying"], bool)
    # Landed costs: the share of the receipt consumed before the charge goes to COGS, the rest
    # rides with the layer's later pieces (the emptying piece takes the remainder). Only the
    # pieces of charged layers (few) go to SQL.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE f_charged AS
        SELECT c.id, l.id AS layer_id, c.seq, c.amount_c, l.qty_u AS layer_qty
        FROM ev c JOIN ev_ref r ON r.id = c.id JOIN ev l ON l.id = r.ref_id
        WHERE c.mtype = 'landed_cost' AND c.method = 'fifo'
    """)
    on_charged = _rows_among(pieces["layer_id"], np.asarray(
        con.execute("SELECT layer_id FROM f_charged").fetchnumpy()["layer_id"], np.int64), size)
    con.register("f_pieces", pa.table({k: pieces[k][on_charged] for k in ("out_id", "layer_id", "units", "eff_seq",
                                                                           "is_emptying")}))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE f_charges AS
        WITH consumed AS (
            SELECT c.id, coalesce(sum(p.units) FILTER (WHERE p.eff_seq < c.seq), 0) AS consumed
            FROM f_charged c LEFT JOIN f_pieces p ON p.layer_id = c.layer_id
            GROUP BY c.id
        )
        SELECT c.*, CASE WHEN u.consumed = c.layer_qty THEN c.amount_c
                         ELSE {_half_up("u.consumed * c.amount_c", "c.layer_qty")} END AS to_cogs_c
        FROM f_charged c JOIN consumed u ON u.id = c.id
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE f_charge_shares AS
        WITH after_charge AS (
            SELECT p.out_id, p.layer_id, p.is_emptying, c.id AS charge_id, c.amount_c - c.to_cogs_c AS rest_c,
                   {_half_up("p.units * c.amount_c", "c.layer_qty")} AS rounded
            FROM f_pieces p JOIN f_charges c ON c.layer_id = p.layer_id AND p.eff_seq > c.seq
        ),
        others AS (
            SELECT charge_id, sum(rounded) FILTER (WHERE NOT is_emptying) AS others FROM after_charge GROUP BY ALL
        )
        SELECT a.out_id, a.layer_id,
               sum(CASE WHEN a.is_emptying THEN a.rest_c - coalesce(o.others, 0) ELSE a.rounded END) AS share_c
        FROM after_charge a JOIN others o ON o.charge_id = a.charge_id
        GROUP BY ALL
    """)
    con.unregister("f_pieces")
    return events, pieces, size


def _rows_of(ids: np.ndarray, size: int | None = None, missing: int = -1) -> np.ndarray:
    """Event id -> its row in ``ids`` (``missing`` for the ids not there), over ``size`` ids (the
    largest id + 1 by default)."""
    ids = np.asarray(ids, np.int64)
    rows = np.full(int(ids.max(initial=0)) + 1 if size is None else size, missing, np.int64)
    rows[ids] = np.arange(len(ids))
    return rows


def _rows_among(values: np.ndarray, ids: np.ndarray, size: int) -> np.ndarray:
    """The rows of ``values`` (ids below ``size``) that hold one of ``ids``."""
    mark = np.zeros(size, bool)
    mark[ids] = True
    return np.flatnonzero(mark[values])


def _area_order(ids: np.ndarray, aid: np.ndarray, seq: np.ndarray) -> np.ndarray | slice:
    """The rows by area, then valuation order. Chunks number their events so (``_value_chunks``): then
    ordering by id (a scatter, ids being distinct and dense) is enough, or nothing where the rows
    come in id order (``ev``'s, read in insertion order); otherwise a lexsort (cheaper than SQL's
    sort)."""
    ids = np.asarray(ids)
    if np.all(ids[1:] > ids[:-1]):
        order: np.ndarray | slice = slice(None)
    else:
        slot = _rows_of(ids)
        order = slot[slot >= 0]
    a, s = np.asarray(aid)[order], np.asarray(seq)[order]
    if np.any((a[1:] < a[:-1]) | ((a[1:] == a[:-1]) & (s[1:] <= s[:-1]))):
        return np.lexsort((seq, aid))
    return order


def _runs(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of rows with equal values in ``columns`` starts, and how long it is."""
    n = len(columns[0])
    new = np.zeros(n, bool)
    new[:1] = True
    for column in columns:
        new[1:] |= column[1:] != column[:-1]
    starts = np.flatnonzero(new)
    return starts, np.diff(np.append(starts, n))


def _excl_cumsum(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Running sum before each row, restarting at each area."""
    before = np.cumsum(values) - values
    return before - np.repeat(before[starts], lengths)


def _fifo_axis(a: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The quantity axis of every FIFO area at once (rows sorted by area, then valuation order).

    Returns the pieces (outflow x layer, units) and, per event, the units beyond the
    layers of its time and where it takes the current cost from.
    """
    n = len(a["id"])
    starts, lengths = _runs(a["aid"])
    run = np.repeat(np.arange(len(starts)), lengths)
    inu, outu = a["in_units"], a["out_units"]
    in_start = _excl_cumsum(inu, starts, lengths)
    out_start = _excl_cumsum(outu, starts, lengths)
    # areas side by side on one axis, so that one binary search serves them all
    last = starts + lengths - 1
    span = np.maximum(in_start[last] + inu[last], out_start[last] + outu[last]) + 1
    if sum(int(x) for x in span) >= 2**62:
        raise OverflowError("FIFO quantities exceed the 64-bit axis; value fewer areas at a time")
    offset = np.cumsum(span) - span
    layer_rows = np.flatnonzero(inu > 0)
    l_start = offset[run[layer_rows]] + in_start[layer_rows]
    l_end = l_start + inu[layer_rows]
    out_rows = np.flatnonzero(outu > 0)
    o_start = offset[run[out_rows]] + out_start[out_rows]
    o_end = o_start + outu[out_rows]
    first = np.searchsorted(l_start, o_start, side="right") - 1
    ok = first >= 0
    ok[ok] = (run[layer_rows[first[ok]]] == run[out_rows[ok]]) & (o_start[ok] < l_end[first[ok]])
    out_rows, o_start, o_end, first = out_rows[ok], o_start[ok], o_end[ok], first[ok]
    count = np.searchsorted(l_start, o_end, side="left") - first  # layers from the first to the last
    piece_out = np.repeat(np.arange(len(out_rows)), count)
    piece_layer = np.repeat(first, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    po_start, po_end = o_start[piece_out], o_end[piece_out]
    pl_start, pl_end = l_start[piece_layer], l_end[piece_layer]
    prow, lrow = out_rows[piece_out], layer_rows[piece_layer]
    pieces = {
        "out_id": a["id"][prow], "layer_id": a["id"][lrow], "out_seq": a["seq"][prow], "layer_seq": a["seq"][lrow],
        "units": np.minimum(po_end, pl_end) - np.maximum(po_start, pl_start),
        "unreserved": a["reserved"][lrow] == 0, "reaches_end": po_end >= pl_end,
    }
    # units beyond the layers received before the outflow (in_start of an outflow row)
    deficit = outu - np.clip(np.minimum(out_start + outu, in_start) - out_start, 0, None)
    # current cost: the newest earlier inflow with a cost of its own, else the standard cost
    # the area's first inflow came in at, else the event's own standard cost. Needed only by
    # inflows without a cost of their own and outflows beyond stock (few): the rest get -1 / 0.
    rows = np.flatnonzero(np.where(a["is_inflow"], ~a["own_cost"], deficit > 0))
    own_rows = np.flatnonzero(a["is_inflow"] & a["own_cost"])
    src = np.searchsorted(own_rows, rows, side="left") - 1
    src_row = own_rows[np.maximum(src, 0)] if len(own_rows) else rows
    has_src = (src >= 0) & (run[src_row] == run[rows])
    inflow_rows = np.flatnonzero(a["is_inflow"])
    first = np.searchsorted(inflow_rows, starts, side="left")  # the area's first inflow, if it has one
    first_row = inflow_rows[np.minimum(first, len(inflow_rows) - 1)] if len(inflow_rows) else starts
    first_row = np.where((first < len(inflow_rows)) & (first_row < starts + lengths), first_row, n)[run[rows]]
    std = a["std_num"]
    cost_src, fallback = np.full(n, -1, np.int64), np.zeros(n, std.dtype)
    cost_src[rows] = np.where(has_src, a["id"][src_row], -1)
    fallback[rows] = np.where(first_row < rows, std[np.minimum(first_row, max(n - 1, 0))], std[rows])
    events = {"deficit": deficit, "cost_src": cost_src, "fallback_std": fallback}
    return pieces, events


def _int64(values: np.ndarray) -> pa.Array:
    """An Arrow int64 array of ``values`` (int64, or Python integers that fit; one that does not raises)."""
    return pa.array(values.tolist() if values.dtype == object else values, type=pa.int64())


def _half_up_np(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """round(num / den) half away from zero, elementwise, for den > 0 (int64 or Python ints)."""
    q = (2 * np.abs(num) + den) // (2 * den)
    return np.where(num < 0, -q, q)


def _exact(values: np.ndarray, *others: np.ndarray) -> np.ndarray:
    """``values`` as int64 when every product with ``others`` stays below 2^62, else as Python ints."""
    bound = int(np.abs(values).max(initial=0))
    for other in others:
        bound *= max(int(np.abs(other).max(initial=0)), 1)
    return values.astype(np.int64) if bound < 2**61 else values.astype(object)


class _FifoValues:
    """FIFO values on the structure: layers, their pieces, outflows, until derived costs settle.

    Every array is indexed by event id. Derived layers (transfer-ins, customer returns)
    take their cost from their source outflow's value: a FIFO outflow valued here, or one
    valued elsewhere (``ref_cost``). Each pass values everything from the last pass's
    outflow values, until they do not change.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, events: dict[str, np.ndarray], pieces: dict[str, np.ndarray],
                 size: int) -> None:
        self.con = con
        self.pieces = pieces
        self.p_out, self.p_layer, self.p_units = pieces["out_id"], pieces["layer_id"], pieces["units"]
        # landed costs' shares in the pieces after them (few): onto the pieces by (outflow, layer)
        shares = {k: np.asarray(v, np.int64) for k, v in con.execute("""
            SELECT out_id, layer_id, CAST(share_c AS BIGINT) AS share_c FROM f_charge_shares
        """).fetchnumpy().items()}
        self.p_charges = np.zeros(len(self.p_out), np.int64)
        if len(shares["out_id"]):
            candidates = _rows_among(self.p_layer, shares["layer_id"], size)
            piece_key = self.p_out[candidates].astype(np.int64) * size + self.p_layer[candidates]
            order = np.argsort(piece_key, kind="stable")
            at = candidates[order[np.searchsorted(piece_key, shares["out_id"] * size + shares["layer_id"],
                                                  sorter=order)]]
            self.p_charges[at] = shares["share_c"]
        p = pieces
        self.p_taken = ~np.asarray(p["is_deficit"])
        self.p_empties = np.asarray(p["is_emptying"])
        inflow = events["is_inflow"].astype(bool)
        self.l = {k: events[k][inflow] for k in ("id", "qty", "is_receipt", "own_cost", "receipt_value", "std_num",
                                                   "source_id", "source_qty", "cost_src", "fallback_std")}
        self.o = {k: events[k][~inflow] for k in ("id", "deficit", "cost_src", "fallback_std", "is_specific")}
        self.o["deficit"] = self.o["deficit"].astype(np.int64)
        self.ext: tuple | None = None  # the external costs of the last solve
        self.tables: dict[str, pa.Table] = {}  # the views written
        self.is_fifo_out = np.zeros(size, bool)
        self.is_fifo_out[self.o["id"]] = True
        self.is_inflow = np.zeros(size, bool)
        self.is_inflow[self.l["id"]] = True
        self.l_row, self.o_row = _rows_of(self.l["id"], size, missing=0), _rows_of(self.o["id"], size, missing=0)
        self.out_value = np.zeros(size, np.int64)
        self.size = size
        self.layer_value, self.layer_qty = np.zeros(size, np.int64), np.ones(size, np.int64)
        self.layer_qty[self.l["id"]] = self.l["qty"]
        self.units_max = max(int(np.abs(self.p_units).max(initial=0)), 1)
        self.dtype: type | None = None  # of the piece values: int64, or object (Python ints) near 2^63

    def _pieces(self, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Piece values from the layers' values (``value``, in ``l`` order); per outflow the sum of
        the pieces it took, and the outflows whose sum was touched. Only the pieces of layers whose
        value changed are valued again: each rounded, the emptying piece of a layer takes its rest."""
        ids, size = self.l["id"], self.size
        dtype = object if self.units_max * max(int(np.abs(value).max(initial=0)), 1) >= 2**61 else np.int64
        if dtype is not self.dtype:  # everything, from scratch
            self.dtype, n = dtype, len(self.p_out)
            self.piece, self.others, self.taken = np.zeros(n, dtype), np.zeros(size, dtype), np.zeros(size, dtype)
            changed, at = ids, slice(None)  # every piece: views of the arrays, not copies
        else:
            changed = ids[value != self.layer_value[ids]]
            at = _rows_among(self.p_layer, changed, size)
        self.layer_value[ids] = value
        if not isinstance(at, slice) and not len(at):
            return self.taken, at
        layer = self.p_layer[at]
        lv = self.layer_value[layer].astype(dtype, copy=False)
        rounded = _half_up_np(self.p_units[at].astype(dtype, copy=False) * lv,
                              self.layer_qty[layer].astype(dtype, copy=False))
        self.others[changed] = 0
        empties = self.p_empties[at]
        np.add.at(self.others, layer[~empties], rounded[~empties])
        piece = np.where(empties, lv - self.others[layer], rounded) + self.p_charges[at]
        taken = self.p_taken[at]
        touched = self.p_out[at][taken]
        np.add.at(self.taken, touched, piece[taken] - self.piece[at][taken])
        self.piece[at] = piece
        return self.taken, touched

    def solve(self) -> tuple[int, bool]:
        """Value until the outflows' values settle; write f_layer_values and f_out_values."""
        l, o, size = self.l, self.o, self.size
        ext = self.con.execute("""
            SELECT d.inflow_id, CAST(rc.num AS BIGINT) AS num, CAST(rc.den AS BIGINT) AS den
            FROM deps d JOIN ref_cost rc ON rc.id = d.source_id
        """).fetchnumpy()
        ext = {k: np.asarray(v) for k, v in ext.items()}
        keep = self.is_inflow[ext["inflow_id"]]
        ext = {k: v[keep] for k, v in ext.items()}
        order = np.argsort(ext["inflow_id"], kind="stable")
        ext = tuple(v[order] for v in ext.values())
        if self.ext is not None and all(np.array_equal(x, y) for x, y in zip(ext, self.ext, strict=True)):
            return 0, True  # nothing new from outside since the last solve, which settled
        self.ext = ext
        ext = dict(zip(("inflow_id", "num", "den"), ext, strict=True))
        ext_num, ext_den, has_ext = np.zeros(size, np.int64), np.ones(size, np.int64), np.zeros(size, bool)
        ext_num[ext["inflow_id"]], ext_den[ext["inflow_id"]] = ext["num"], ext["den"]
        has_ext[ext["inflow_id"]] = True
        derived = l["own_cost"] & (l["source_id"] >= 0)
        src = np.maximum(l["source_id"], 0)
        from_fifo = derived & self.is_fifo_out[src]
        from_ext = derived & ~from_fifo & has_ext[l["id"]]
        unknown = derived & ~from_fifo & ~from_ext  # source not valued anywhere: no cost yet
        # the costs that do not change from pass to pass; a derived layer's from its FIFO source
        own_num = np.where(l["is_receipt"], l["receipt_value"], l["std_num"])
        own_den = np.where(l["is_receipt"], l["qty"], STD_DEN)
        base_num = np.where(unknown, 0, np.where(from_ext, ext_num[l["id"]], own_num))
        base_den = np.where(unknown, 1, np.where(from_ext, ext_den[l["id"]], own_den))
        ff = np.flatnonzero(from_fifo)
        ff_src, ff_den = src[ff], l["source_qty"][ff]
        base_den[ff] = ff_den
        # inflows without a cost of their own: the cost of the inflow they point at (one with a
        # cost of its own, so never pointing further), else standard
        pointed = np.flatnonzero(~l["own_cost"] & (l["cost_src"] >= 0))
        pointed_at = self.l_row[l["cost_src"][pointed]]
        fallback = np.flatnonzero(~l["own_cost"] & (l["cost_src"] < 0))
        base_num[fallback], base_den[fallback] = l["fallback_std"][fallback], STD_DEN
        short = np.flatnonzero(o["deficit"] > 0)
        o_pointed = np.flatnonzero(o["cost_src"][short] >= 0)  # of ``short``: at the cost of an inflow
        o_at = self.l_row[o["cost_src"][short][o_pointed]]
        computed = ~l["is_receipt"]  # a receipt's value is its own; the rest are qty x cost
        value = l["receipt_value"].copy()
        prev_num, prev_den = np.zeros_like(base_num), np.zeros_like(base_den)
        booked = np.zeros(len(o["id"]), np.int64)
        passes, settled = 0, False
        while passes < MAX_ROUNDS and not settled:
            passes += 1
            num, den = base_num.copy(), base_den
            num[ff] = -self.out_value[ff_src]
            if len(pointed):
                num[pointed] = num[pointed_at]
                den = den.copy()
                den[pointed] = den[pointed_at]
            redo = np.flatnonzero(computed & ((num != prev_num) | (den != prev_den)))
            prev_num, prev_den = num, den
            if len(redo):
                qty = _exact(l["qty"][redo], num[redo])
                got = _half_up_np(qty * num[redo].astype(qty.dtype), den[redo])
                value[redo] = np.asarray(got.tolist(), np.int64) if got.dtype == object else got
            taken, touched = self._pieces(value)
            # units beyond stock at the current cost (few: exact Python integers)
            b_num, b_den = o["fallback_std"][short].astype(object), np.full(len(short), STD_DEN, object)
            b_num[o_pointed], b_den[o_pointed] = num[o_at], den[o_at]
            booked[short] = _half_up_np(o["deficit"][short].astype(object) * b_num, b_den).tolist()
            # the outflows whose value can have changed: all in a solve's first pass, then those
            # with a piece valued again and those with units beyond stock
            if passes == 1:
                rows = np.arange(len(o["id"]))
            else:
                mark = np.zeros(len(o["id"]), bool)
                mark[self.o_row[touched]], mark[short] = True, True
                rows = np.flatnonzero(mark)
            ids = o["id"][rows]
            out_value = -(np.asarray(taken[ids].tolist(), np.int64) if taken.dtype == object
                          else taken[ids]) - booked[rows]
            settled = np.array_equal(out_value, self.out_value[ids])
            self.out_value[ids] = out_value
        out_value = self.out_value[o["id"]]
        self._write("f_layer_values", {"id": l["id"], "qty_u": l["qty"], "value_c": value})
        self._write("f_out_values", {"id": o["id"], "value_c": out_value, "booked_c": booked,
                                     "deficit_units": o["deficit"]}, is_specific=o["is_specific"])
        self._write("f_piece_values", {k: self.pieces[k] for k in ("out_id", "layer_id", "units", "layer_seq")}
                    | {"value_c": self.piece}, is_deficit=self.pieces["is_deficit"], specific=self.pieces["specific"])
        return passes, settled

    def values(self) -> pa.Table:
        """Every FIFO event's value (outflows, then layers with their negative-stock revaluations)."""
        _fifo_finish(self.con)
        reval = self.con.execute("SELECT id, CAST(revaluation_c AS BIGINT) AS r FROM f_revaluations").fetchnumpy()
        outs, layers = self.tables["f_out_values"], self.tables["f_layer_values"]
        revaluation = np.zeros(layers.num_rows, np.int64)
        revaluation[self.l_row[np.asarray(reval["id"], np.int64)]] = np.asarray(reval["r"], np.int64)
        o_none, l_none = np.zeros(outs.num_rows, np.int64), np.zeros(layers.num_rows, np.int64)
        deficit = np.where(self.o["is_specific"], 0, outs["deficit_units"].to_numpy())
        return pa.table({
            "id": pa.chunked_array(outs["id"].chunks + layers["id"].chunks),
            "value_c": pa.chunked_array(outs["value_c"].chunks + layers["value_c"].chunks),
            "revaluation_c": pa.chunked_array([o_none, revaluation]),
            "deficit_units": pa.chunked_array([deficit, l_none]),
            "booked_c": pa.chunked_array(outs["booked_c"].chunks + [pa.array(l_none)]),
        })

    def layers(self) -> pa.Table:
        """Each layer with what remains of it: its units and value less its pieces' (a piece's value
        holds the landed costs it carried), plus the landed costs it kept."""
        layers = self.tables["f_layer_values"]
        ids = layers["id"].to_numpy()
        units, value = np.zeros(self.size, np.int64), np.zeros(self.size, self.piece.dtype)
        np.add.at(units, self.p_layer, self.p_units)
        np.add.at(value, self.p_layer, self.piece)
        kept = {k: np.asarray(v, np.int64) for k, v in self.con.execute("""
            SELECT layer_id, CAST(sum(amount_c - to_cogs_c) AS BIGINT) AS to_stock_c FROM f_charges GROUP BY layer_id
        """).fetchnumpy().items()}
        value[kept["layer_id"]] -= kept["to_stock_c"]
        return pa.table({"id": layers["id"], "qty_u": layers["qty_u"], "value_c": layers["value_c"],
                         "remaining_units": layers["qty_u"].to_numpy() - units[ids],
                         "remaining_value_c": _int64(layers["value_c"].to_numpy() - value[ids])})

    def _write(self, name: str, columns: dict[str, np.ndarray], **flags: np.ndarray) -> None:
        """A view ``name`` on the arrays (int64; no copy), for the SQL that reads them."""
        table = pa.table({k: _int64(v)
                          for k, v in columns.items()} | {k: pa.array(v.astype(bool)) for k, v in flags.items()})
        self.con.register(name, table)
        self.tables[name] = table


def _fifo_finish(con: duckdb.DuckDBPyConnection) -> None:
    """Negative-stock revaluations at the layers that covered the shortfalls (``f_revaluations``)."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE f_revaluations AS
        WITH deficit_pieces AS (
            SELECT p.layer_id, p.out_id, p.layer_seq, p.units, p.value_c, v.deficit_units, v.booked_c,
                   {_half_up("CAST(p.units AS HUGEINT) * v.booked_c", "v.deficit_units")} AS rounded
            FROM f_piece_values p JOIN f_out_values v ON v.id = p.out_id
            WHERE p.is_deficit
        ),
        per_out AS (
            -- the booked value is spread over the covering pieces; the last one takes the rest
            SELECT out_id, sum(units) = any_value(deficit_units) AS covered, arg_max(layer_id, layer_seq) AS last,
                   sum(rounded) - arg_max(rounded, layer_seq) AS others
            FROM deficit_pieces GROUP BY out_id
        )
        SELECT d.layer_id AS id,
               sum(CASE WHEN o.covered AND o.last = d.layer_id THEN d.booked_c - o.others ELSE d.rounded END
                   - d.value_c) AS revaluation_c
        FROM deficit_pieces d JOIN per_out o ON o.out_id = d.out_id
        GROUP BY d.layer_id
    """)


class _Avco:
    """Moving average: the events fetched once, in valuation order per area; the first scan
    values every area, each later round re-scans the areas of the inflows whose source's
    cost changed (``changed``). ``a_values`` (a view) holds the last scan's values."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        ev = con.execute(f"""
            SELECT e.id, CASE WHEN e.mtype = 'landed_cost' THEN 2 WHEN e.is_inflow THEN 1 ELSE 0 END AS code,
                   CAST(e.qty_u AS BIGINT) AS qty, CAST(e.std_num AS BIGINT) AS std,
                   CAST(coalesce(e.amount_c, 0) AS BIGINT) AS amount,
                   CAST(coalesce(CASE WHEN e.mtype = 'landed_cost' AND s.is_inflow THEN s.qty_u END, 0) AS BIGINT)
                       AS receipt_qty,
                   CASE WHEN e.mtype = 'receipt' THEN e.receipt_value_c IS NOT NULL
                        WHEN e.mtype = 'production_receipt' THEN true
                        WHEN e.mtype IN ('transfer_in', 'customer_return') THEN rc.num IS NOT NULL
                        ELSE false END AS fixed,
                   CAST(CASE WHEN e.mtype = 'receipt' THEN e.receipt_value_c
                             WHEN e.mtype = 'production_receipt' THEN {_half_up("e.qty_u * e.std_num", str(STD_DEN))}
                             WHEN e.mtype IN ('transfer_in', 'customer_return') AND rc.num IS NOT NULL
                             THEN {_half_up("e.qty_u * rc.num", "rc.den")} ELSE 0 END AS BIGINT) AS in_value,
                   e.aid, e.seq
            FROM ev e LEFT JOIN ev_ref r ON r.id = e.id LEFT JOIN ev s ON s.id = r.ref_id
            LEFT JOIN ref_cost rc ON rc.id = r.ref_id AND e.is_inflow
            WHERE e.method = 'avco'
        """).fetchnumpy()
        order = _area_order(ev["id"], ev["aid"], ev["seq"])
        self.a = {k: np.asarray(v)[order] for k, v in ev.items()}
        self.a["fixed"] = self.a["fixed"].astype(bool)
        n = len(self.a["id"])
        aid = self.a["aid"]
        self.area = np.cumsum(np.concatenate([[False], aid[1:] != aid[:-1]])) if n else np.zeros(0, np.int64)
        self.row = _rows_of(self.a["id"])
        self.out = tuple(np.zeros(n, np.int64) for _ in range(5))  # value, reval, deficit, booked, to_cogs
        self._scan(np.arange(n))

    def rescan(self) -> None:
        """The areas of the inflows whose source outflow's cost changed, with the new costs."""
        new = self.con.execute("""
            SELECT d.inflow_id, CAST(c.num AS BIGINT) AS num, CAST(c.den AS BIGINT) AS den
            FROM deps d JOIN changed c ON c.id = d.source_id WHERE d.inflow_method = 'avco'
        """).fetchnumpy()
        rows = self.row[np.asarray(new["inflow_id"], np.int64)]
        self.a["fixed"][rows] = True
        self.a["in_value"][rows] = _mul_half_up(self.a["qty"][rows], np.asarray(new["num"], np.int64),
                                                np.asarray(new["den"], np.int64))
        self._scan(_rows_among(self.area, self.area[rows], int(self.area.max(initial=0)) + 1))

    def _scan(self, rows: np.ndarray) -> None:
        """Scan the events ``rows`` (whole areas, in order); ``a_values`` = their values."""
        results = _avco_scan({k: v[rows] for k, v in self.a.items()})
        for target, got in zip(self.out, results, strict=True):
            target[rows] = got
        self.con.register("a_values", pa.table({"id": self.a["id"][rows], "value_c": results[0]}))

    def finish(self) -> None:
        """``acc_a_values`` and ``acc_a_charge_results`` from the last values of every event."""
        value, reval, deficit, booked, to_cogs = self.out
        charge = self.a["code"] == 2
        tables = {
            "acc_a_values": {"id": self.a["id"][~charge], "value_c": value[~charge], "revaluation_c": reval[~charge],
                             "deficit_units": deficit[~charge], "booked_c": booked[~charge]},
            "acc_a_charge_results": {"id": self.a["id"][charge], "to_cogs_c": to_cogs[charge],
                                     "amount_c": self.a["amount"][charge]},
        }
        for table, cols in tables.items():
            self.con.register("avco_rows", pa.table(cols))
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM avco_rows")
            self.con.unregister("avco_rows")


def _mul_half_up(a: np.ndarray, b: np.ndarray, den: np.ndarray) -> np.ndarray:
    """round(a x b / den) half away from zero, exact: int64 when no product can reach 2^61,
    else in Python integers (a result beyond int64 raises)."""
    if not len(a):
        return a.copy()
    bound = int(np.abs(a).max()) * int(np.abs(b).max())
    if bound < 2**61 and int(den.max()) < 2**61:
        return _half_up_np(a * b, den)
    exact = _half_up_np(a.astype(object) * b.astype(object), den.astype(object))
    return np.array(exact.tolist(), np.int64)


def _avco_scan(a: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """Moving average over events sorted by area and valuation order, exact int64.

    Sequential within an area (each average depends on the rounded values before it), so
    the areas are scanned side by side: step k values the k-th event of every area that has
    one (areas ordered longest first, so the active ones are a prefix). The average is fixed
    at each inflow and landed cost (value / qty of the stock after it); an outflow is qty x
    that average, rounded, and the one that empties the stock takes the remaining value; an
    inflow into negative stock first re-costs the shortfall at its own cost (a revaluation).
    A landed cost goes into stock in the proportion the stock still covers its receipt.
    """
    n = len(a["id"])
    code, qty, std, amount, rq = a["code"], a["qty"], a["std"], a["amount"], a["receipt_qty"]
    fixed, in_value = a["fixed"].astype(bool), a["in_value"]
    starts, lengths = _runs(a["aid"])
    order = np.argsort(-lengths, kind="stable")
    starts, lengths = starts[order], lengths[order]
    areas = len(starts)
    active = np.searchsorted(-lengths, -np.arange(int(lengths.max(initial=0))), side="left")
    q, v = np.zeros(areas, np.int64), np.zeros(areas, np.int64)
    c_num, c_den, has_cost = np.zeros(areas, np.int64), np.ones(areas, np.int64), np.zeros(areas, bool)
    value, reval, deficit, booked, to_cogs = (np.zeros(n, np.int64) for _ in range(5))
    std_den = np.full(areas, STD_DEN, np.int64)
    for k, m in enumerate(active):
        if m < AVCO_SIDE_BY_SIDE:  # the few longest areas' rest: cheaper one event at a time
            state = (q, v, c_num, c_den, has_cost)
            for area in range(m):
                _avco_area(a, starts[area] + k, starts[area] + lengths[area], area, state,
                           (value, reval, deficit, booked, to_cogs))
            break
        i = starts[:m] + k
        c = code[i]
        qa, va = q[:m], v[:m]
        num = np.where(has_cost[:m], c_num[:m], std[i])
        den = np.where(has_cost[:m], c_den[:m], std_den[:m])
        j = np.flatnonzero(c == 0)  # outflows
        if len(j):
            ij, qj, vj = i[j], qa[j], va[j]
            units = -qty[ij]
            small = (qj <= 0) | (units < qj)
            short = np.where(qj <= 0, units, np.where(small, 0, units - qj))
            at_cost = _mul_half_up(np.where(small, units, short), num[j], den[j])
            out = np.where(small, at_cost, vj + at_cost)
            value[ij], deficit[ij] = -out, short
            booked[ij] = np.where(small, np.where(qj <= 0, at_cost, 0), at_cost)
            qa[j], va[j] = qj - units, vj - out
        j = np.flatnonzero(c == 1)  # inflows
        if len(j):
            ij, qj, vj, qi = i[j], qa[j], va[j], qty[i[j]]
            val = in_value[ij].copy()
            cur = np.flatnonzero(~fixed[ij])
            val[cur] = _mul_half_up(qi[cur], num[j][cur], den[j][cur])
            r = np.zeros(len(j), np.int64)
            neg = np.flatnonzero(qj < 0)  # the inflow first covers units issued into negative stock
            if len(neg):
                qn, vn, qin, valn = qj[neg], vj[neg], qi[neg], val[neg]
                units = np.minimum(-qn, qin)
                actual = np.where(units == qin, valn, _mul_half_up(units, valn, qin))
                was = np.where(units == -qn, -vn, _mul_half_up(units, -vn, -qn))
                r[neg] = was - actual
            value[ij], reval[ij] = val, r
            qa[j], va[j] = qj + qi, vj + val + r
            _fix_average(j, qa, va, c_num, c_den, has_cost)
        j = np.flatnonzero(c == 2)  # landed costs
        if len(j):
            ij, qj = i[j], qa[j]
            amt, rqj = amount[ij], rq[ij]
            covered = np.minimum(np.maximum(qj, 0), rqj)
            to_stock = np.where(covered == rqj, amt, _mul_half_up(covered, amt, np.maximum(rqj, 1)))
            to_cogs[ij] = amt - to_stock
            va[j] += to_stock
            _fix_average(j, qa, va, c_num, c_den, has_cost)
    return value, reval, deficit, booked, to_cogs


def _div_half_up(num: int, den: int) -> int:
    q = (2 * abs(num) + den) // (2 * den)
    return q if num >= 0 else -q


def _avco_area(a: dict[str, np.ndarray], start: int, end: int, area: int, state: tuple, out: tuple) -> None:
    """Moving average over events ``start:end`` of one area from its ``state``, in Python integers:
    the same steps as ``_avco_scan`` (exact either way), for the few long areas left at the end."""
    q, v, c_num, c_den, has_cost = state
    qty, v_now, num_now, den_now, known = int(q[area]), int(v[area]), int(c_num[area]), int(c_den[area]), bool(
        has_cost[area])
    value, reval, deficit, booked, to_cogs = ([] for _ in range(5))
    codes, qtys, stds = a["code"][start:end].tolist(), a["qty"][start:end].tolist(), a["std"][start:end].tolist()
    amounts, rqs = a["amount"][start:end].tolist(), a["receipt_qty"][start:end].tolist()
    fixed, in_values = a["fixed"][start:end].tolist(), a["in_value"][start:end].tolist()
    for c, move, std, amount, rq, fix, in_value in zip(codes, qtys, stds, amounts, rqs, fixed, in_values,
                                                        strict=True):
        num, den = (num_now, den_now) if known else (std, STD_DEN)
        if c == 2:  # landed cost
            covered = min(max(qty, 0), rq)
            to_stock = amount if covered == rq else _div_half_up(covered * amount, rq)
            value.append(0), reval.append(0), deficit.append(0), booked.append(0), to_cogs.append(amount - to_stock)
            v_now += to_stock
            if qty > 0:
                num_now, den_now, known = v_now, qty, True
        elif c == 1:  # inflow
            val = in_value if fix else _div_half_up(move * num, den)
            r = 0
            if qty < 0:
                units = min(-qty, move)
                actual = val if units == move else _div_half_up(units * val, move)
                was = -v_now if units == -qty else _div_half_up(units * -v_now, -qty)
                r = was - actual
            qty += move
            v_now += val + r
            if qty > 0:
                num_now, den_now, known = v_now, qty, True
            value.append(val), reval.append(r), deficit.append(0), booked.append(0), to_cogs.append(0)
        else:  # outflow
            units = -move
            if qty <= 0 or units < qty:
                taken = _div_half_up(units * num, den)
                short = units if qty <= 0 else 0
                at_cost = taken if short else 0
            else:
                short = units - qty
                at_cost = _div_half_up(short * num, den)
                taken = v_now + at_cost
            value.append(-taken), reval.append(0), deficit.append(short), booked.append(at_cost), to_cogs.append(0)
            qty += move
            v_now -= taken
    for target, got in zip(out, (value, reval, deficit, booked, to_cogs), strict=True):
        target[start:end] = got
    q[area], v[area], c_num[area], c_den[area], has_cost[area] = qty, v_now, num_now, den_now, known


def _fix_average(j: np.ndarray, qa: np.ndarray, va: np.ndarray, c_num: np.ndarray, c_den: np.ndarray,
                 has_cost: np.ndarray) -> None:
    """After an inflow or a landed cost: where the stock is positive its average is value / qty."""
    pos = j[qa[j] > 0]
    c_num[pos], c_den[pos], has_cost[pos] = va[pos], qa[pos], True


def _standard(con: duckdb.DuckDBPyConnection) -> None:
    """Standard cost: every movement at the standard cost of its time; the one that empties the
    stock takes the rest. A change of the standard cost revalues the stock on hand then.

    The stock's value is known at the start of each stretch: zero after a movement that
    empties it, round(quantity x new cost) after a cost change. Within a stretch each
    movement is rounded on its own; a change's revaluation is its stretch's starting
    value minus the value the previous stretch ended with. In numpy over all areas at once
    (running sums restarting at each area and stretch); ``s_values`` is a view on the arrays.
    """
    got = con.execute("""
        SELECT id, aid, seq, mtype = 'standard_cost_change' AS is_change, CAST(qty_u AS BIGINT) AS qty,
               CAST(std_num AS BIGINT) AS std
        FROM ev WHERE method = 'standard' AND mtype <> 'landed_cost'
    """).fetchnumpy()
    order = _area_order(got["id"], got["aid"], got["seq"])
    ids, aid, qty, std = (np.asarray(got[k])[order] for k in ("id", "aid", "qty", "std"))
    is_change = np.asarray(got["is_change"], bool)[order]
    n = len(ids)
    if float(np.abs(qty).sum(dtype=np.float64)) >= 2**62:
        raise OverflowError("standard-cost quantities exceed 64 bits; value fewer areas at a time")
    std_den = np.full(n, STD_DEN, np.int64)
    area_start, area_len = _runs(aid)
    qty_after = _excl_cumsum(qty, area_start, area_len) + qty
    rounded = np.where(is_change, 0, _mul_half_up(qty, std, std_den))
    empties = (qty_after == 0) & ~is_change
    stretch = (_excl_cumsum(is_change.astype(np.int64), area_start, area_len) + is_change
               + _excl_cumsum(empties.astype(np.int64), area_start, area_len))
    # a stretch is a run of rows (its area's rows are in order, its number never falls); a change starts one
    g_start, g_len = _runs(aid, stretch)
    start_c = np.where(is_change, _mul_half_up(qty_after, std, std_den), 0)
    base_c = np.repeat(start_c[g_start], g_len)
    if int(np.abs(rounded).sum(dtype=np.float64)) + int(np.abs(base_c).max(initial=0)) >= 2**62:
        rounded, base_c = rounded.astype(object), base_c.astype(object)  # sums in Python integers
    before = _excl_cumsum(rounded, g_start, g_len)
    value = np.where(is_change, 0, np.where(qty_after == 0, -(base_c + before), rounded))
    end_c = base_c[g_start] + np.add.reduceat(value, g_start) if n else value
    # a change's revaluation: its stretch's start minus the end of the stretch numbered one less
    prev_end = np.zeros(len(g_start), end_c.dtype)
    follows = np.zeros(len(g_start), bool)
    follows[1:] = (aid[g_start[1:]] == aid[g_start[:-1]]) & (stretch[g_start[1:]] == stretch[g_start[:-1]] + 1)
    prev_end[1:] = np.where(follows[1:], end_c[:-1], 0)
    revaluation = np.where(is_change, base_c - np.repeat(prev_end, g_len), 0)
    con.register("s_values", pa.table({
        "value_c": _int64(value), "revaluation_c": _int64(revaluation),
        "deficit_units": np.zeros(n, np.int64), "booked_c": np.zeros(n, np.int64),
        "id": ids, "is_change": is_change, "qty_after": qty_after,
    }))
