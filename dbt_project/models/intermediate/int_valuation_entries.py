"""Value every owned movement: FIFO, moving average or standard cost (lakehouse.valuation).

One table holds the engine's four outputs, told apart by entry_type, because a
dbt Python model materialises a single relation:
- movement: one row per valued movement (value, revaluation it settles, negative-stock units)
- piece: which FIFO layer each outflow consumed, with units and value
- charge: each landed cost, split into COGS adjustment, stock and price variance
- layer: each FIFO layer, with what remains of it at the end
- cost_change: each standard cost change, with the quantity on hand then and the revaluation
"""

from lakehouse.valuation import value_all

HUGEINT_COLUMNS = ("units", "value_c", "revaluation_c", "deficit_units", "booked_c", "to_cogs_c", "to_stock_c",
                   "variance_c", "remaining_units", "remaining_value_c")


def _table(relation) -> str:
    """The table a ref reads: dbt-duckdb loads a ref as ``select * from <table>``."""
    sql = relation.sql_query().strip()
    if not sql.lower().startswith("select * from "):
        raise RuntimeError(f"a ref is not a table scan, cannot number its rows: {sql}")
    return sql[len("select * from "):]


def model(dbt, session):
    dbt.config(materialized="table")
    # the inputs as SQL over the upstream tables (temporary views: nothing of them stays in the
    # warehouse); a movement's rowid is its number for the engine (val_movements.r)
    prepared_movements = f"SELECT rowid AS r, * FROM {_table(dbt.ref('int_movements_prepared'))}"
    prepared_charges = dbt.ref("int_landed_costs_prepared").sql_query()
    prepared_cost_changes = dbt.ref("int_standard_cost_changes").sql_query()
    # a view: the engine reads the columns it needs from the compressed table, no copy
    session.execute(f"""
        CREATE OR REPLACE TEMP VIEW val_movements AS
        SELECT r, movement_key AS key, area_id, valuation_method AS method, movement_type AS mtype,
               qty_u, receipt_value_c,
               CAST(standard_cost * 1000000 AS HUGEINT) AS std_num,
               CASE WHEN movement_type = 'transfer_in' THEN paired_movement_key ELSE return_of_key END
                   AS ref_key,
               occurred_at, posted_at, movement_id || '|' || source_system AS tiebreak,
               valuation_seq AS seq
        FROM ({prepared_movements})
        WHERE exception_code IS NULL AND ownership = 'owned' AND NOT is_intra_site_transfer
    """)
    session.execute(f"""
        CREATE OR REPLACE TEMP TABLE val_charges AS
        SELECT c.charge_key AS key, c.receipt_key, c.amount_c, c.occurred_at, c.posted_at,
               c.charge_id || '|' || c.source_system AS tiebreak
        FROM ({prepared_charges}) c JOIN val_movements m ON m.key = c.receipt_key
        WHERE c.exception_code IS NULL
    """)
    session.execute(f"""
        CREATE OR REPLACE TEMP TABLE val_cost_changes AS
        SELECT change_key AS key, area_id, CAST(new_standard_cost * 1000000 AS HUGEINT) AS std_num,
               effective_at AS occurred_at
        FROM ({prepared_cost_changes})
    """)
    run = value_all(session)  # drops its three inputs once it has read them
    return session.sql(f"""
        WITH entries AS (
            SELECT 'movement' AS entry_type, key AS movement_key, NULL AS layer_key, NULL AS charge_key,
                   NULL::HUGEINT AS units, value_c, revaluation_c, deficit_units, booked_c,
                   NULL::HUGEINT AS to_cogs_c, NULL::HUGEINT AS to_stock_c, NULL::HUGEINT AS variance_c,
                   NULL::HUGEINT AS remaining_units, NULL::HUGEINT AS remaining_value_c
            FROM val_values
            UNION ALL BY NAME
            SELECT 'piece' AS entry_type, out_key AS movement_key, layer_key, units, value_c,
                   is_deficit AS is_deficit_piece,
                   CASE WHEN is_specific THEN 'vendor_return' ELSE 'fifo' END AS piece_kind
            FROM val_pieces
            UNION ALL BY NAME
            SELECT 'charge' AS entry_type, receipt_key AS movement_key, receipt_key AS layer_key,
                   key AS charge_key, amount_c AS value_c, to_cogs_c, to_stock_c, variance_c
            FROM val_charge_results
            UNION ALL BY NAME
            SELECT 'layer' AS entry_type, key AS movement_key, key AS layer_key, qty_u AS units, value_c,
                   remaining_units, remaining_value_c
            FROM val_layers
            UNION ALL BY NAME
            SELECT 'cost_change' AS entry_type, key AS revaluation_key, qty_u AS units, revaluation_c
            FROM val_cost_change_results
        )
        -- the engine's numbers are BIGINT; the warehouse's HUGEINT, for sums and products downstream
        SELECT * REPLACE ({", ".join(f"CAST({c} AS HUGEINT) AS {c}" for c in HUGEINT_COLUMNS)}),
               {run.rounds} AS valuation_rounds, {run.converged} AS converged
        FROM entries
    """)
