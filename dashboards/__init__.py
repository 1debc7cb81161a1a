"""The Streamlit app for inventory review meetings, auditors and analysts, and (in
``writeback/``) the governed write-back.

Pages in ``app_pages/`` are thin: they read filters and the drill path, call the query
functions in :mod:`dashboards.queries`, and draw with :mod:`dashboards.ui` and
:mod:`dashboards.charts`. Everything below the pages is plain Python (no Streamlit),
so it is tested directly and reused by the CLI (``onhand sql``) and the meeting pack.
"""
