"""Process mining of posting delays (issue 7): event logs from the warehouse -> PM4Py ->
posting delays, variants and conformance -> tables in the warehouse's ``mining`` schema.

The SQL half (the event log and the statistics over every event) is the dbt project's
``models/mining``; :mod:`process_mining.mine` runs the rest (``onhand mine``); see
docs/process-mining.md. Imports only :mod:`lakehouse` (and PM4Py, on first use).
"""
