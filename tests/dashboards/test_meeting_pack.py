"""The meeting pack: self-contained, its figures are the marts', and it prints to PDF."""

import re

import duckdb
import pytest

from dashboards import meeting_pack
from dashboards.format import money
from dashboards.state import Filters
from lakehouse.workspace import Workspace

pytestmark = pytest.mark.slow


def test_the_pack_is_self_contained_and_carries_the_mart_s_figures(sample_company: Workspace) -> None:
    pack = meeting_pack.build(sample_company.warehouse, Filters())
    with duckdb.connect(str(sample_company.warehouse), read_only=True) as con:
        month, value = con.execute("""SELECT month, inventory_value FROM marts.mart_kpi_monthly
            WHERE site_id = 'ALL' AND is_complete ORDER BY month DESC LIMIT 1""").fetchone()
        build_id = con.execute("SELECT build_id FROM audit.build_info").fetchone()[0]
        proposals = con.execute("SELECT count(*) FROM marts.mart_replenishment WHERE is_order_proposed").fetchone()[0]
        shrinkage = con.execute("SELECT count(*) FROM audit.audit_cycle_count_discrepancies "
                                "WHERE root_cause = 'unexplained_shrinkage'").fetchone()[0]
    assert pack.month == month and f"{month:%B %Y}" in pack.title
    assert money(value) in pack.html and build_id in pack.html
    assert not re.search(r"<script|<link|src=\"http|href=\"http", pack.html), "nothing to fetch"
    assert ("Order " in pack.html) == (proposals > 0)
    assert ("Investigate unexplained shrinkage" in pack.html) == (shrinkage > 0)
    site_pack = meeting_pack.build(sample_company.warehouse, Filters(site="PLANT"))
    assert "PLANT" in site_pack.title and site_pack.html != pack.html


def test_the_pack_prints_to_pdf(sample_company: Workspace) -> None:
    pdf = meeting_pack.to_pdf(meeting_pack.build(sample_company.warehouse, Filters()))
    assert pdf is not None and pdf.startswith(b"%PDF") and len(pdf) > 5_000
