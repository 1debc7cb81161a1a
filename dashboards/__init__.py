"""The Streamlit app (issue 8) and, in ``writeback/``, the governed write-back (issue 9).

Nothing is implemented here yet; the package exists so that the layout of DESIGN.md is whole.
"""
