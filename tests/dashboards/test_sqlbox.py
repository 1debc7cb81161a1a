"""The SQL workbench (and `onhand sql`) reads the warehouse and nothing else."""

from pathlib import Path

import duckdb
import pytest

from dashboards import sqlbox
from dashboards.sqlbox import QueryRejected


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.t AS SELECT range AS n, range * 1.5::DECIMAL(18,2) AS v FROM range(25)")
    return path


def test_a_query_returns_rows_and_says_when_it_cut(warehouse: Path) -> None:
    result = sqlbox.run(warehouse, "SELECT n, v FROM marts.t ORDER BY n", max_rows=10)
    assert result.frame.height == 10 and result.truncated
    assert result.frame["n"].to_list() == list(range(10))
    assert not sqlbox.run(warehouse, "SELECT count(*) FROM marts.t").truncated


@pytest.mark.parametrize("attempt", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "COPY marts.t TO '{out}'",
    "EXPORT DATABASE '{dir}'",
    "ATTACH '{other}' AS other",
    "SET enable_external_access = true",
    "SET memory_limit = '64GB'",
    "RESET lock_configuration",
    "INSTALL httpfs",
    "CREATE TABLE marts.evil AS SELECT 1",
    "DROP TABLE marts.t",
    "INSERT INTO marts.t VALUES (1, 1)",
    "SELECT * FROM glob('/etc/*')",
])
def test_files_settings_and_writes_are_refused(warehouse: Path, tmp_path: Path, attempt: str) -> None:
    sql = attempt.format(out=tmp_path / "out.csv", dir=tmp_path / "export", other=tmp_path / "other.duckdb")
    with pytest.raises(QueryRejected):
        sqlbox.run(warehouse, sql)
    assert not any(tmp_path.iterdir()), "nothing may be written outside the warehouse"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.t").fetchone()[0] == 25
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'evil'").fetchone()[0] == 0


def test_errors_say_what_was_wrong(warehouse: Path) -> None:
    with pytest.raises(QueryRejected, match="no_such_table"):
        sqlbox.run(warehouse, "SELECT * FROM marts.no_such_table")
    with pytest.raises(QueryRejected, match="empty"):
        sqlbox.run(warehouse, "  ")
