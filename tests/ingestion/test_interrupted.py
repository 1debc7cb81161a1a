"""Atomic landing: a run killed at any point leaves no partial batch, and the next run completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from ingestion.land import land_inbox
from lakehouse.errors import LakeBusy
from lakehouse.lake import READY, Lake
from lakehouse.workspace import Workspace
from tests.inbox import drop, movement


def ingest_process(ws: Workspace, kill_at: str | None = None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "ONHAND_TEST_KILL_AT"}
    if kill_at:
        env["ONHAND_TEST_KILL_AT"] = kill_at
    return subprocess.Popen([sys.executable, "-m", "onhand", "ingest", "--home", str(ws.root)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def assert_nothing_partial_is_visible(ws: Workspace) -> None:
    """Every batch directory in the lake is committed, or is waiting, ready, to be rolled forward."""
    committed = {m.batch_id for m in Lake(ws).manifests()}
    ready = {p.name for p in ws.pending.iterdir() if (p / READY).exists()} if ws.pending.exists() else set()
    for kind in ("raw", "rejects", "duplicates"):
        for batch_dir in (ws.lake / kind).rglob("batch=*"):
            batch_id = batch_dir.name.removeprefix("batch=")
            assert batch_id in committed or batch_id in ready, f"partial batch visible: {batch_dir}"
            assert (batch_dir / "part-0.parquet").exists()
    for m in Lake(ws).manifests():
        for rel in m.outputs.values():
            assert (ws.lake / rel / "part-0.parquet").exists(), f"manifest {m.batch_id} without {rel}"


def lake_rows(ws: Workspace) -> list[str]:
    files = [f for m in Lake(ws).manifests() if "raw" in m.outputs
             for f in [ws.lake / m.outputs["raw"] / "part-0.parquet"]]
    return sorted(pl.concat([pl.read_parquet(f) for f in files])["movement_id"].to_list())


def three_files(ws: Workspace) -> None:
    for f in range(3):
        drop(ws, [movement(f * 10 + n) for n in range(10)] + [movement(f * 10)], name=f"day{f}")


@pytest.mark.parametrize("point", ["written", "ready", "moved"])
def test_killed_between_commit_steps_then_completed(ws: Workspace, point: str) -> None:
    three_files(ws)
    killed = ingest_process(ws, kill_at=point)
    killed.wait(timeout=120)
    assert killed.returncode == -signal.SIGKILL
    assert_nothing_partial_is_visible(ws)
    assert Lake(ws).manifests() == []  # it died in the first batch's commit

    done = ingest_process(ws)
    out = done.communicate(timeout=120)[0].decode()
    assert done.returncode == 0, out
    if point == "written":
        assert "Discarded 1 unfinished batch" in out
    else:
        assert "left ready by an interrupted run" in out
    assert_nothing_partial_is_visible(ws)
    assert not any(ws.pending.iterdir())
    manifests = Lake(ws).manifests()
    assert len(manifests) == 3 and all(m.balanced() for m in manifests)
    assert sum(m.rows_duplicate for m in manifests) == 3  # only the in-file repeats
    assert lake_rows(ws) == sorted(f"M{n:05d}" for n in range(30))


@pytest.mark.slow
def test_killed_at_random_moments_ends_like_an_uninterrupted_run(ws: Workspace, tmp_path: Path) -> None:
    for f in range(24):
        rows = [movement(f * 4000 + n) for n in range(4000)]
        drop(ws, rows, ["csv", "jsonl", "parquet"][f % 3], source=["erp", "ecom", "wms"][f % 3],
             name=f"part{f:02d}")
    kills = 0
    for delay in (1.2, 1.7, 2.3, 2.9, 3.4, 4.0):
        run = ingest_process(ws)
        time.sleep(delay)
        if run.poll() is not None:
            break
        run.kill()
        run.wait()
        kills += 1
        assert_nothing_partial_is_visible(ws)
    final = ingest_process(ws)
    out = final.communicate(timeout=300)[0].decode()
    assert final.returncode == 0, out
    assert kills >= 2, "the runs finished before they could be interrupted; use more rows"
    assert_nothing_partial_is_visible(ws)

    clean = Workspace.resolve(tmp_path / "clean").ensure()
    for f in ws.inbox.rglob("*.*"):
        target = clean.inbox / f.relative_to(ws.inbox)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f.read_bytes())
    land_inbox(clean)
    assert lake_rows(ws) == lake_rows(clean)
    got = sorted((m.file, m.rows_in, m.rows_landed, m.rows_duplicate) for m in Lake(ws).manifests())
    want = sorted((m.file, m.rows_in, m.rows_landed, m.rows_duplicate) for m in Lake(clean).manifests())
    assert got == want


def test_a_second_writer_is_refused_with_who_holds_the_lock(ws: Workspace) -> None:
    drop(ws, [movement(1)])
    with Lake(ws).write_lock():
        with pytest.raises(LakeBusy, match=f"pid {os.getpid()}.*wait for it to finish"):
            land_inbox(ws)
    assert land_inbox(ws).totals("landed") == 1
