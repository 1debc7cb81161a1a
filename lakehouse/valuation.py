"""The valuation engine: FIFO in set-based SQL, moving average as a scan, standard cost.

Called by the dbt Python model ``int_movements_valued`` on the build's DuckDB
connection. Policy: docs/valuation.md. Arithmetic is exact: quantities are
micro-units (HUGEINT), money is cents (HUGEINT), costs are fractions
(numerator cents, denominator micro-units); every division rounds half up
through integer arithmetic, never through a float.

Input tables (created by the caller):
- ``val_movements``: key, area_id, method (fifo|avco|standard), mtype, qty_u
  (signed), receipt_value_c, std_num (standard cost x 10^6, so cents per
  micro-unit = std_num / 10^10), ref_key (the outflow a customer return
  reverses, the transfer-out of an inter-site transfer-in, the receipt a vendor
  return names), occurred_at, posted_at, tiebreak.
- ``val_charges``: key, receipt_key, amount_c, occurred_at, posted_at, tiebreak.

Output tables: ``val_values`` (one row per movement), ``val_pieces`` (which
layer each outflow consumed, FIFO), ``val_charge_results`` (each landed cost:
to COGS, to stock, price variance), ``val_layers`` (each FIFO layer and what
remains of it).

Inflows whose cost comes from another movement (a transfer-in from its
transfer-out, a customer return from the shipment it reverses) are valued in
rounds: each round values everything with the costs the last round found, until
no such cost changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import pyarrow as pa

MAX_ROUNDS = 25
STD_DEN = 10**10  # std_num / STD_DEN = cents per micro-unit
INFLOW_TYPES = ("receipt", "transfer_in", "production_receipt", "customer_return")


def _half_up(num: str, den: str) -> str:
    """SQL for round(num / den) half away from zero, for den > 0."""
    return f"(sign({num}) * ((2 * abs({num}) + ({den})) // (2 * ({den}))))"


@dataclass
class ValuationRun:
    rounds: int
    converged: bool


def value_all(con: duckdb.DuckDBPyConnection) -> ValuationRun:
    """Value ``val_movements`` and ``val_charges`` into the output tables."""
    _sequence(con)
    con.execute("CREATE OR REPLACE TEMP TABLE ref_cost (key VARCHAR, num HUGEINT, den HUGEINT)")
    con.execute("CREATE OR REPLACE TEMP TABLE dirty AS SELECT DISTINCT area_id FROM ev")
    # Which inflows take their cost from which outflow (transfers, customer returns).
    con.execute("""
        CREATE OR REPLACE TEMP TABLE deps AS
        SELECT d.area_id AS inflow_area, e.key AS source_key, e.qty_u AS source_qty, e.area_id AS source_area
        FROM ev d JOIN ev e ON e.key = d.ref_key
        WHERE d.mtype IN ('transfer_in', 'customer_return') AND d.method <> 'standard' AND e.qty_u < 0
    """)
    _standard(con)  # standard cost needs no other movement's cost: one pass
    rounds, converged = 0, False
    while rounds < MAX_ROUNDS and not converged:
        rounds += 1
        # Only the areas whose derived costs changed are valued again.
        con.execute("CREATE OR REPLACE TEMP TABLE evr AS "
                    "SELECT * FROM ev WHERE area_id IN (SELECT area_id FROM dirty)")
        _inflow_costs(con)
        _fifo(con)
        _avco(con)
        _merge(con, first=rounds == 1)
        converged = _next_ref_costs(con)
    con.execute("CREATE OR REPLACE TEMP TABLE val_values AS SELECT * FROM acc_values")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE val_charge_results AS
        SELECT key, layer_key AS receipt_key, amount_c, to_cogs_c, amount_c - to_cogs_c AS to_stock_c,
               CAST(0 AS HUGEINT) AS variance_c
        FROM acc_f_charge_results
        UNION ALL
        SELECT key, layer_key, amount_c, to_cogs_c, amount_c - to_cogs_c, 0 FROM acc_a_charge_results
        UNION ALL
        SELECT c.key, c.receipt_key, c.amount_c, 0, 0, c.amount_c
        FROM val_charges c JOIN val_movements m ON m.key = c.receipt_key WHERE m.method = 'standard'
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE val_pieces AS
        SELECT out_key, layer_key, kind, units, is_deficit, value_c FROM acc_f_pieces_final
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE val_layers AS
        SELECT l.key, l.area_id, l.qty_u, l.value_c,
               l.qty_u - coalesce(p.units, 0) AS remaining_units,
               l.value_c + coalesce(c.to_stock_c, 0) - coalesce(p.value_c, 0) AS remaining_value_c
        FROM acc_f_layers l
        LEFT JOIN (SELECT layer_key, sum(units) AS units, sum(value_c) AS value_c
                   FROM acc_f_pieces_final GROUP BY layer_key) p ON p.layer_key = l.key
        LEFT JOIN (SELECT receipt_key, sum(to_stock_c) AS to_stock_c
                   FROM val_charge_results GROUP BY receipt_key) c ON c.receipt_key = l.key
    """)
    return ValuationRun(rounds, converged)


def _sequence(con: duckdb.DuckDBPyConnection) -> None:
    """All events of an area in valuation order; a charge never before its receipt."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ev AS
        WITH charges AS (
            SELECT c.key, m.area_id, 'landed_cost' AS mtype, m.method, CAST(0 AS HUGEINT) AS qty_u,
                   CAST(NULL AS HUGEINT) AS receipt_value_c, m.std_num, c.receipt_key AS ref_key,
                   c.amount_c,
                   CASE WHEN (c.occurred_at, c.posted_at, c.tiebreak) < (m.occurred_at, m.posted_at, m.tiebreak)
                        THEN struct_pack(a := m.occurred_at, b := m.posted_at, c := m.tiebreak, d := 1)
                        ELSE struct_pack(a := c.occurred_at, b := c.posted_at, c := c.tiebreak, d := 1)
                   END AS ord
            FROM val_charges c JOIN val_movements m ON m.key = c.receipt_key
        ),
        movements AS (
            SELECT key, area_id, mtype, method, qty_u, receipt_value_c, std_num, ref_key,
                   CAST(NULL AS HUGEINT) AS amount_c,
                   struct_pack(a := occurred_at, b := posted_at, c := tiebreak, d := 0) AS ord
            FROM val_movements
        ),
        both_kinds AS (SELECT * FROM movements UNION ALL SELECT * FROM charges)
        SELECT * EXCLUDE (ord),
               row_number() OVER (PARTITION BY area_id ORDER BY ord, key) AS seq,
               mtype IN {INFLOW_TYPES} OR (mtype IN ('adjustment', 'count_adjustment') AND qty_u > 0)
                   AS is_inflow,
               mtype <> 'landed_cost' AND NOT (mtype IN {INFLOW_TYPES}
                   OR (mtype IN ('adjustment', 'count_adjustment') AND qty_u > 0)) AS is_outflow
        FROM both_kinds
    """)


def _inflow_costs(con: duckdb.DuckDBPyConnection) -> None:
    """Each inflow's cost fraction: its own, its source's, or (FIFO) the newest layer's."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE inflows AS
        WITH own AS (
            SELECT e.*,
                   CASE WHEN mtype = 'receipt' THEN receipt_value_c
                        WHEN mtype = 'production_receipt' THEN std_num
                        WHEN mtype IN ('transfer_in', 'customer_return') THEN rc.num END AS cnum,
                   CASE WHEN mtype = 'receipt' THEN qty_u
                        WHEN mtype = 'production_receipt' THEN {STD_DEN}
                        WHEN mtype IN ('transfer_in', 'customer_return') THEN rc.den END AS cden
            FROM evr e LEFT JOIN ref_cost rc ON rc.key = e.ref_key
            WHERE e.is_inflow
        ),
        filled AS (
            SELECT *,
                   coalesce(cnum, last_value(cnum IGNORE NULLS) OVER w,
                            first_value(std_num) OVER w_all) AS num,
                   coalesce(cden, last_value(cden IGNORE NULLS) OVER w, {STD_DEN}) AS den
            FROM own
            WINDOW w AS (PARTITION BY area_id ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                   w_all AS (PARTITION BY area_id ORDER BY seq)
        )
        SELECT key, area_id, method, mtype, seq, qty_u, num, den,
               CASE WHEN mtype = 'receipt' THEN receipt_value_c
                    ELSE {_half_up("qty_u * num", "den")} END AS value_c,
               cnum IS NULL AS cost_is_current
        FROM filled
    """)


def _fifo(con: duckdb.DuckDBPyConnection) -> None:
    """FIFO for every FIFO area at once: cumulative quantities, one sort, window functions."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE f_specific AS
        SELECT o.key, o.area_id, o.seq, -o.qty_u AS units, o.ref_key AS layer_key
        FROM (
            SELECT o.*, l.qty_u AS layer_qty,
                   sum(-o.qty_u) OVER (PARTITION BY o.ref_key ORDER BY o.seq) AS claimed
            FROM evr o JOIN inflows l
              ON l.key = o.ref_key AND l.area_id = o.area_id AND l.mtype = 'receipt' AND l.seq < o.seq
            WHERE o.mtype = 'vendor_return' AND o.method = 'fifo'
        ) o
        WHERE claimed <= layer_qty
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE f_layers AS
        WITH reserved AS (SELECT layer_key, sum(units) AS reserved FROM f_specific GROUP BY ALL),
        layers AS (
            SELECT i.*, i.qty_u - coalesce(r.reserved, 0) AS fifo_qty
            FROM inflows i LEFT JOIN reserved r ON r.layer_key = i.key
            WHERE i.method = 'fifo'
        )
        SELECT *, sum(fifo_qty) OVER (PARTITION BY area_id ORDER BY seq) - fifo_qty AS start_pos
        FROM layers
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE f_outs AS
        WITH outs AS (
            SELECT key, area_id, seq, -qty_u AS units, std_num FROM evr
            WHERE method = 'fifo' AND is_outflow AND key NOT IN (SELECT key FROM f_specific)
        )
        SELECT *, sum(units) OVER (PARTITION BY area_id ORDER BY seq) - units AS start_pos FROM outs
    """)
    # Pieces: each stretch of the cumulative quantity axis belongs to one layer and one outflow.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE f_pieces AS
        WITH bounds AS (
            SELECT area_id, start_pos AS pos, key AS layer_key, NULL AS out_key FROM f_layers WHERE fifo_qty > 0
            UNION ALL
            SELECT area_id, max(start_pos + fifo_qty), '', NULL FROM f_layers GROUP BY area_id
            UNION ALL
            SELECT area_id, start_pos, NULL, key FROM f_outs
            UNION ALL
            SELECT area_id, max(start_pos + units), NULL, '' FROM f_outs GROUP BY area_id
        ),
        segments AS (
            SELECT area_id, pos,
                   lead(pos) OVER w AS next_pos,
                   last_value(layer_key IGNORE NULLS) OVER w AS layer_key,
                   last_value(out_key IGNORE NULLS) OVER w AS out_key
            FROM bounds
            WINDOW w AS (PARTITION BY area_id ORDER BY pos, layer_key NULLS FIRST, out_key NULLS FIRST
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        )
        SELECT out_key, layer_key, sum(next_pos - pos) AS units
        FROM segments
        WHERE next_pos > pos AND layer_key <> '' AND out_key <> ''
        GROUP BY ALL
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE f_piece_values AS
        WITH all_pieces AS (
            SELECT p.out_key, p.layer_key, p.units, o.seq AS out_seq, 'fifo' AS kind FROM f_pieces p
            JOIN f_outs o ON o.key = p.out_key
            UNION ALL
            SELECT key, layer_key, units, seq, 'vendor_return' FROM f_specific
        ),
        ordered AS (
            SELECT a.*, l.area_id, l.seq AS layer_seq, l.qty_u AS layer_qty, l.value_c AS layer_value,
                   greatest(a.out_seq, l.seq) AS eff_seq,
                   a.out_seq < l.seq AS is_deficit,
                   sum(a.units) OVER (PARTITION BY a.layer_key ORDER BY greatest(a.out_seq, l.seq), a.out_seq)
                       AS cum_units,
                   {_half_up("a.units * l.value_c", "l.qty_u")} AS rounded
            FROM all_pieces a JOIN f_layers l ON l.key = a.layer_key
        )
        SELECT *,
               CASE WHEN cum_units = layer_qty
                    THEN layer_value - coalesce(sum(rounded) OVER (PARTITION BY layer_key ORDER BY eff_seq, out_seq
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                    ELSE rounded END AS base_c
        FROM ordered
    """)
    # Landed costs: the share of the receipt consumed before the charge goes to COGS, the rest
    # rides with the layer's later pieces (the emptying piece takes the remainder).
    con.execute("""
        CREATE OR REPLACE TEMP TABLE f_charges AS
        SELECT c.key, c.ref_key AS layer_key, c.seq, c.amount_c, l.qty_u AS layer_qty,
               coalesce((SELECT sum(p.units) FROM f_piece_values p
                         WHERE p.layer_key = c.ref_key AND p.eff_seq < c.seq), 0) AS consumed
        FROM evr c JOIN f_layers l ON l.key = c.ref_key
        WHERE c.mtype = 'landed_cost' AND c.method = 'fifo'
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE f_charge_results AS
        SELECT key, layer_key, seq, amount_c, layer_qty,
               CASE WHEN consumed = layer_qty THEN amount_c
                    ELSE {_half_up("consumed * amount_c", "layer_qty")} END AS to_cogs_c
        FROM f_charges
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE f_charge_shares AS
        WITH after_charge AS (
            SELECT p.out_key, p.layer_key, p.units, p.cum_units, p.eff_seq, p.out_seq, c.key AS charge_key,
                   c.amount_c, c.to_cogs_c, c.layer_qty,
                   {_half_up("p.units * c.amount_c", "c.layer_qty")} AS rounded
            FROM f_piece_values p JOIN f_charge_results c
              ON c.layer_key = p.layer_key AND p.eff_seq > c.seq
        )
        SELECT out_key, layer_key, charge_key,
               CASE WHEN cum_units = layer_qty
                    THEN amount_c - to_cogs_c - coalesce(sum(rounded) OVER (PARTITION BY charge_key
                         ORDER BY eff_seq, out_seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                    ELSE rounded END AS share_c
        FROM after_charge
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE f_pieces_final AS
        SELECT p.out_key, p.layer_key, p.kind, p.units, p.is_deficit, p.out_seq, p.layer_seq, p.eff_seq,
               p.base_c + coalesce(s.charges_c, 0) AS value_c
        FROM f_piece_values p
        LEFT JOIN (SELECT out_key, layer_key, sum(share_c) AS charges_c FROM f_charge_shares GROUP BY ALL) s
          ON s.out_key = p.out_key AND s.layer_key = p.layer_key
    """)
    # Negative stock: units beyond the layers at the time are booked at the newest layer's cost
    # (else standard); the layers that later cover them revalue the difference.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE f_out_values AS
        WITH covered AS (
            SELECT out_key, sum(units) FILTER (WHERE NOT is_deficit) AS units_now,
                   sum(value_c) FILTER (WHERE NOT is_deficit) AS value_now
            FROM f_pieces_final WHERE kind = 'fifo' GROUP BY out_key
        ),
        outs AS (
            SELECT o.key, o.area_id, o.seq, o.units, o.std_num,
                   o.units - coalesce(c.units_now, 0) AS deficit_units, coalesce(c.value_now, 0) AS value_now
            FROM f_outs o LEFT JOIN covered c ON c.out_key = o.key
        ),
        costed AS (
            SELECT outs.*, coalesce(l.num, outs.std_num) AS num, coalesce(l.den, {STD_DEN}) AS den
            FROM outs ASOF LEFT JOIN f_layers l ON l.area_id = outs.area_id AND outs.seq > l.seq
        )
        SELECT key, units, deficit_units, value_now,
               CASE WHEN deficit_units > 0 THEN {_half_up("deficit_units * num", "den")} ELSE 0 END AS booked_c
        FROM costed
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE f_revaluations AS
        WITH deficit_pieces AS (
            SELECT p.*, o.deficit_units, o.booked_c,
                   sum(p.units) OVER (PARTITION BY p.out_key ORDER BY p.layer_seq) AS cum_deficit,
                   {_half_up("p.units * o.booked_c", "o.deficit_units")} AS rounded
            FROM f_pieces_final p JOIN f_out_values o ON o.key = p.out_key
            WHERE p.is_deficit
        ),
        shares AS (
            SELECT *,
                   CASE WHEN cum_deficit = deficit_units
                        THEN booked_c - coalesce(sum(rounded) OVER (PARTITION BY out_key ORDER BY layer_seq
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                        ELSE rounded END AS booked_share_c
            FROM deficit_pieces
        )
        SELECT layer_key AS key, sum(booked_share_c - value_c) AS revaluation_c
        FROM shares GROUP BY layer_key
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE f_values AS
        SELECT o.key, -(o.value_now + o.booked_c) AS value_c, CAST(0 AS HUGEINT) AS revaluation_c,
               o.deficit_units, o.booked_c
        FROM f_out_values o
        UNION ALL
        SELECT s.key, -sum(p.value_c), 0, 0, 0
        FROM f_specific s JOIN f_pieces_final p ON p.out_key = s.key AND p.kind = 'vendor_return'
        GROUP BY s.key
        UNION ALL
        SELECT l.key, l.value_c, coalesce(r.revaluation_c, 0), 0, 0
        FROM f_layers l LEFT JOIN f_revaluations r ON r.key = l.key
    """)


@dataclass
class _AvcoState:
    qty: int = 0
    value: int = 0
    cost_num: int | None = None  # the average fixed by the last inflow
    cost_den: int = 1


def _div_half_up(num: int, den: int) -> int:
    q = (2 * abs(num) + den) // (2 * den)
    return q if num >= 0 else -q


def _avco_rows(con: duckdb.DuckDBPyConnection) -> Iterator[tuple]:
    cursor = con.execute("""
        SELECT e.key, e.area_id, e.mtype, e.is_inflow, e.qty_u, e.std_num, e.ref_key, e.amount_c,
               i.value_c, i.cost_is_current
        FROM evr e LEFT JOIN inflows i ON i.key = e.key
        WHERE e.method = 'avco'
        ORDER BY e.area_id, e.seq
    """)
    while batch := cursor.fetchmany(50_000):
        yield from batch


def _avco(con: duckdb.DuckDBPyConnection) -> None:
    """Moving average: one ordered scan, exact integers; outflows at the average of the last inflow."""
    values: list[tuple[str, int, int, int, int]] = []  # key, value, revaluation, deficit units, booked
    charges: list[tuple[str, str, int, int]] = []  # key, receipt, to_cogs, amount
    area, state = None, _AvcoState()
    inflow_qty: dict[str, int] = {}
    for key, area_id, mtype, is_inflow, qty, std_num, ref_key, amount, in_value, current in _avco_rows(con):
        if area_id != area:
            area, state = area_id, _AvcoState()
            inflow_qty.clear()
        num, den = (state.cost_num, state.cost_den) if state.cost_num is not None else (std_num, STD_DEN)
        if mtype == "landed_cost":
            receipt_qty = inflow_qty.get(ref_key, 0)
            covered = min(max(state.qty, 0), receipt_qty)
            to_stock = amount if covered == receipt_qty else _div_half_up(covered * amount, receipt_qty)
            charges.append((key, ref_key, amount - to_stock, amount))
            state.value += to_stock
            if state.qty > 0:
                state.cost_num, state.cost_den = state.value, state.qty
            continue
        if is_inflow:
            value = _div_half_up(qty * num, den) if current else in_value
            inflow_qty[key] = qty
            revaluation = 0
            if state.qty < 0:  # the inflow first covers units issued into negative stock
                units = min(-state.qty, qty)
                actual = value if units == qty else _div_half_up(units * value, qty)
                booked = -state.value if units == -state.qty else _div_half_up(units * -state.value, -state.qty)
                revaluation = booked - actual
            state.qty += qty
            state.value += value + revaluation
            if state.qty > 0:
                state.cost_num, state.cost_den = state.value, state.qty
            values.append((key, value, revaluation, 0, 0))
            continue
        units = -qty
        if state.qty <= 0 or units < state.qty:
            value = _div_half_up(units * num, den)
            deficit = units if state.qty <= 0 else 0
        else:
            deficit = units - state.qty
            value = state.value + _div_half_up(deficit * num, den)
        values.append((key, -value, 0, deficit, _div_half_up(deficit * num, den) if deficit else 0))
        state.qty += qty
        state.value -= value
    _table(con, "a_values", ["key", "value_c", "revaluation_c", "deficit_units", "booked_c"], values)
    _table(con, "a_charge_results", ["key", "layer_key", "to_cogs_c", "amount_c"], charges)


def _table(con: duckdb.DuckDBPyConnection, name: str, columns: list[str], rows: list[tuple]) -> None:
    """A temp table from Python rows (text key columns, the rest HUGEINT), via Arrow."""
    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    types = {c: pa.string() if c.endswith("key") else pa.int64() for c in columns}
    con.register("python_rows", pa.table({c: pa.array(data[c], type=types[c]) for c in columns}))
    casts = ", ".join(c if c.endswith("key") else f"CAST({c} AS HUGEINT) AS {c}" for c in columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {casts} FROM python_rows")
    con.unregister("python_rows")


def _standard(con: duckdb.DuckDBPyConnection) -> None:
    """Standard cost: every movement at standard; the one that empties the stock takes the rest."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE s_values AS
        WITH movements AS (
            SELECT key, area_id, seq, qty_u, {_half_up("qty_u * std_num", str(STD_DEN))} AS rounded,
                   sum(qty_u) OVER (PARTITION BY area_id ORDER BY seq) AS qty_after
            FROM ev WHERE method = 'standard' AND mtype <> 'landed_cost'
        ),
        stretches AS (
            -- the stock's value restarts from zero after each movement that empties it
            SELECT *, coalesce(sum(CASE WHEN qty_after = 0 THEN 1 ELSE 0 END) OVER (PARTITION BY area_id
                      ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS stretch
            FROM movements
        ),
        valued AS (
            SELECT key, CASE WHEN qty_after = 0
                             THEN -coalesce(sum(rounded) OVER (PARTITION BY area_id, stretch ORDER BY seq
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                             ELSE rounded END AS value_c
            FROM stretches
        )
        SELECT key, value_c, CAST(0 AS HUGEINT) AS revaluation_c, CAST(0 AS HUGEINT) AS deficit_units,
               CAST(0 AS HUGEINT) AS booked_c
        FROM valued
    """)


ACCUMULATED = {
    # round table -> the column holding the events (of evr) its rows belong to
    "f_values": "key", "a_values": "key", "f_pieces_final": "out_key", "f_layers": "key",
    "f_charge_results": "key", "a_charge_results": "key",
}


def _merge(con: duckdb.DuckDBPyConnection, *, first: bool) -> None:
    """Fold this round's results (for the dirty areas) into the accumulated ones."""
    for table, key in ACCUMULATED.items():
        if first:
            con.execute(f"CREATE OR REPLACE TEMP TABLE acc_{table} AS SELECT * FROM {table}")
        else:
            con.execute(f"DELETE FROM acc_{table} WHERE {key} IN (SELECT key FROM evr)")
            con.execute(f"INSERT INTO acc_{table} SELECT * FROM {table}")
    if first:
        con.execute("CREATE OR REPLACE TEMP TABLE acc_values AS SELECT * FROM f_values "
                    "UNION ALL SELECT * FROM a_values UNION ALL SELECT * FROM s_values")
    else:
        con.execute("DELETE FROM acc_values WHERE key IN (SELECT key FROM evr)")
        con.execute("INSERT INTO acc_values SELECT * FROM f_values UNION ALL SELECT * FROM a_values")


def _next_ref_costs(con: duckdb.DuckDBPyConnection) -> bool:
    """Costs of derived inflows from the outflows valued this round; the areas whose derived
    costs changed become the dirty ones. True when none changed."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE cost_now AS
        SELECT DISTINCT deps.source_key AS key, -v.value_c AS num, -deps.source_qty AS den
        FROM deps
        JOIN (SELECT key, value_c FROM f_values UNION ALL SELECT key, value_c FROM a_values
              UNION ALL SELECT key, value_c FROM s_values) v ON v.key = deps.source_key
        WHERE deps.source_area IN (SELECT area_id FROM dirty)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE changed AS
        SELECT key, num, den FROM cost_now EXCEPT SELECT key, num, den FROM ref_cost
    """)
    con.execute("DELETE FROM ref_cost WHERE key IN (SELECT key FROM changed)")
    con.execute("INSERT INTO ref_cost SELECT * FROM changed")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE dirty AS
        SELECT DISTINCT inflow_area AS area_id FROM deps WHERE source_key IN (SELECT key FROM changed)
    """)
    return con.execute("SELECT count(*) FROM dirty").fetchone()[0] == 0
