"""Process mining of posting delays (issue 7): event logs from the warehouse -> PM4Py ->
posting delays, variants and conformance -> tables in the warehouse's ``mining`` schema.

Nothing is implemented here yet; the package exists so that the layout of DESIGN.md is whole.
"""
