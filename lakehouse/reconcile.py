"""Reconciliation alerts: which cross-system gaps are new, remembered across builds.

The warehouse is rebuilt from the lake on every build, so it cannot remember which
gaps (``audit.audit_reconciliation_gaps``) were already reported. The workspace keeps
that memory in ``reconcile/known_gaps.json``: every gap id ever alerted, with the build
that first saw it and when. A gap is *new* when this warehouse build is the first to
report it; running reconcile again on the same build reports the same new gaps (a
scheduler's retry sees the same answer), the next build's run no longer does.

Each run publishes ``audit.reconciliation_alerts`` into the warehouse (copy, write,
swap: :func:`lakehouse.warehouse.derive`), one row per gap the build holds, with when
it was first alerted and whether it is new in this build. A configured hook (a shell
command, from ``--hook`` or ``[reconcile] hook`` in the workspace settings) runs when
there are new gaps and gets them as JSON on its standard input and in the file named
by ``$ONHAND_ALERTS_FILE``.
"""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from lakehouse.errors import OnhandError
from lakehouse.warehouse import derive, read_only
from lakehouse.workspace import Workspace

ALERTS_TABLE = "audit.reconciliation_alerts"
GAPS_TABLE = "audit.audit_reconciliation_gaps"
HOOK_TIMEOUT_SECONDS = 300
GAP_COLUMNS = ("gap_id", "site_id", "item_id", "location_id", "authority_source", "compared_source",
               "first_seen_on", "last_seen_on", "is_open", "age_days", "authority_qty",
               "compared_qty", "gap_qty", "gap_value")


class ReconcileError(OnhandError):
    """Reconciliation could not run or its hook failed."""


@dataclass(frozen=True)
class Alert:
    """One reconciliation gap as an alert."""

    gap_id: str
    site_id: str
    item_id: str
    location_id: str
    authority_source: str
    compared_source: str
    first_seen_on: date
    last_seen_on: date
    is_open: bool
    age_days: int
    authority_qty: Decimal
    compared_qty: Decimal
    gap_qty: Decimal
    gap_value: Decimal
    first_alerted_at: datetime
    first_alerted_build: str
    is_new: bool

    def to_json(self) -> dict[str, object]:
        """JSON-safe: decimals as exact strings, dates and times ISO 8601 (UTC)."""
        out: dict[str, object] = {}
        for key, value in asdict(self).items():
            if isinstance(value, Decimal):
                out[key] = str(value)
            elif isinstance(value, datetime):
                out[key] = value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
            elif isinstance(value, date):
                out[key] = value.isoformat()
            else:
                out[key] = value
        return out


@dataclass
class HookRun:
    command: str
    exit_code: int
    output: str


@dataclass
class ReconcileReport:
    build_id: str
    alerts: list[Alert] = field(default_factory=list)
    hook: HookRun | None = None

    @property
    def new(self) -> list[Alert]:
        return [a for a in self.alerts if a.is_new]

    @property
    def open_gaps(self) -> int:
        return sum(1 for a in self.alerts if a.is_open)


def state_file(ws: Workspace) -> Path:
    """Where the gaps already alerted are remembered."""
    return ws.root / "reconcile" / "known_gaps.json"


def alerts_file(ws: Workspace) -> Path:
    """The new alerts of the last run that had any, as JSON (what the hook reads)."""
    return ws.root / "reconcile" / "new_alerts.json"


def configured_hook(ws: Workspace) -> str | None:
    """The ``hook`` of the ``[reconcile]`` section of the workspace settings, if any."""
    path = ws.settings_file
    if not path.exists():
        return None
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get("reconcile", {})
    except tomllib.TOMLDecodeError as error:
        raise ReconcileError(f"the settings file is not valid TOML ({error})", where=str(path),
                             fix="correct the syntax (https://toml.io)") from None
    unknown = sorted(set(section) - {"hook"})
    if unknown:
        raise ReconcileError(f"unknown key(s) in [reconcile]: {', '.join(unknown)}", where=str(path),
                             fix="the only key is hook = \"<shell command>\"")
    hook = section.get("hook")
    if hook is not None and (not isinstance(hook, str) or not hook.strip()):
        raise ReconcileError("[reconcile] hook must be a non-empty string", where=str(path),
                             fix="write it as hook = \"<shell command>\"")
    return hook


def _read_gaps(ws: Workspace) -> tuple[str, list[dict[str, object]]]:
    with read_only(ws.warehouse) as con:
        try:
            build = con.execute("SELECT build_id FROM audit.build_info").fetchone()
            cursor = con.execute(f"SELECT {', '.join(GAP_COLUMNS)} FROM {GAPS_TABLE} ORDER BY gap_id")
        except duckdb.CatalogException as error:
            raise ReconcileError(f"the warehouse has no reconciliation tables ({error})",
                                 where=str(ws.warehouse),
                                 fix="rebuild it with `onhand build`") from None
        rows = [dict(zip(GAP_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    if build is None:
        raise ReconcileError("the warehouse does not record its build", where=str(ws.warehouse),
                             fix="rebuild it with `onhand build`")
    return str(build[0]), rows


def _load_state(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    try:
        known = json.loads(path.read_text(encoding="utf-8"))["gaps"]
        if not isinstance(known, dict):
            raise TypeError("gaps is not an object")
        return {str(k): {"first_alerted_at": str(v["first_alerted_at"]), "build_id": str(v["build_id"])}
                for k, v in known.items()}
    except (ValueError, KeyError, TypeError) as error:
        raise ReconcileError(f"the file of known gaps cannot be read ({error})", where=str(path),
                             fix="restore it from a backup, or delete it to treat every current "
                                 "gap as new") from None


def _write_json(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _publish(con: duckdb.DuckDBPyConnection, alerts: list[Alert]) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        f"CREATE OR REPLACE TABLE {ALERTS_TABLE} (gap_id VARCHAR PRIMARY KEY, site_id VARCHAR, "
        "item_id VARCHAR, location_id VARCHAR, authority_source VARCHAR, compared_source VARCHAR, "
        "first_seen_on DATE, last_seen_on DATE, is_open BOOLEAN, age_days BIGINT, "
        "authority_qty DECIMAL(18, 6), compared_qty DECIMAL(18, 6), gap_qty DECIMAL(18, 6), "
        "gap_value DECIMAL(18, 2), first_alerted_at TIMESTAMP, first_alerted_build VARCHAR, "
        "is_new BOOLEAN)"
    )
    con.executemany(f"INSERT INTO {ALERTS_TABLE} VALUES ({', '.join('?' * 17)})",
                    [tuple(asdict(a).values()) for a in alerts])
    con.execute(
        f"COMMENT ON TABLE {ALERTS_TABLE} IS 'Reconciliation alerts. One row per gap of "
        "audit.audit_reconciliation_gaps in this build, with when it was first alerted (the "
        "workspace remembers alerted gaps across builds in reconcile/known_gaps.json) and is_new: "
        "true when this build is the first to report it. Written by onhand reconcile.'"
    )


def _run_hook(command: str, ws: Workspace, new: list[Alert]) -> HookRun:
    document = [a.to_json() for a in new]
    path = alerts_file(ws)
    _write_json(path, document)
    env = {**os.environ, "ONHAND_ALERTS_FILE": str(path), "ONHAND_NEW_ALERTS": str(len(new)),
           "ONHAND_HOME": str(ws.root)}
    try:
        done = subprocess.run(command, shell=True, input=json.dumps(document), text=True,
                              capture_output=True, env=env, cwd=ws.root,
                              timeout=HOOK_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise ReconcileError(f"the alert hook did not finish within {HOOK_TIMEOUT_SECONDS} s",
                             where=command, fix="make the hook return quickly (hand long work "
                                                "to a queue)") from None
    run = HookRun(command, done.returncode, (done.stdout + done.stderr).strip())
    if done.returncode != 0:
        raise ReconcileError(f"the alert hook exited with {done.returncode}: {run.output[-500:]}",
                             where=command, fix="fix the hook command; the alerts are in "
                                                f"{path} and the next run calls it again")
    return run


def reconcile(ws: Workspace, *, hook: str | None = None, now: datetime | None = None) -> ReconcileReport:
    """Compare this build's reconciliation gaps with the ones already alerted.

    Publishes ``audit.reconciliation_alerts``, remembers the new gaps, and runs the hook
    (``hook``, else the configured one) when there are new gaps.
    """
    build_id, rows = _read_gaps(ws)
    path = state_file(ws)
    known = _load_state(path)
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    alerts: list[Alert] = []
    for row in rows:
        seen = known.get(str(row["gap_id"]))
        if seen is None:
            seen = {"first_alerted_at": stamp.isoformat(), "build_id": build_id}
            known[str(row["gap_id"])] = seen
        alerts.append(Alert(**row, first_alerted_at=datetime.fromisoformat(seen["first_alerted_at"]),  # type: ignore[arg-type]
                            first_alerted_build=seen["build_id"], is_new=seen["build_id"] == build_id))
    derive(ws.warehouse, ws, lambda con: _publish(con, alerts))
    _write_json(path, {"gaps": known})
    report = ReconcileReport(build_id, alerts)
    command = hook if hook is not None else configured_hook(ws)
    if command and report.new:
        report.hook = _run_hook(command, ws, report.new)
    return report
