"""Helpers of the workflow tests: a temporary copy of the workflow, and running the real
``snakemake`` in it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_PARTS = ("Snakefile", "config", "rules", "scripts", "profiles", "envs", "report")
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))

#: A tiny demo: 8 targets (5 real signals or stars, 3 broken files) in 4 batches.
TINY_CONFIG = {
    "pipelines": ["exoplanets"],
    "exoplanets": {"batch_size": 2, "demo": {"n_targets": 8, "multi_stars": 0}, "plots": {"diagnostics": 1}},
}

#: Columns that legitimately differ between runs (CPU seconds per target).
NONDETERMINISTIC = ["runtime_s"]


def make_workdir(path: Path, config: dict) -> Path:
    """Copy the workflow into ``path`` and write ``config`` to ``path/test.yaml``."""
    path.mkdir(parents=True, exist_ok=True)
    for part in WORKFLOW_PARTS:
        src = REPO_ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, path / part)
    (path / "test.yaml").write_text(yaml.safe_dump(config))
    return path


def snakemake_cmd(*args: str) -> list[str]:
    return [SNAKEMAKE, "--configfile", "test.yaml", *args]


def run_snakemake(workdir: Path, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run snakemake in ``workdir`` (the default profile applies), return the result."""
    result = subprocess.run(
        snakemake_cmd(*args), cwd=workdir, capture_output=True, text=True, timeout=timeout, env=os.environ.copy()
    )
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result


def kill_after_first_jobs(workdir: Path, log_dir: str, timeout: float = 300) -> set[str]:
    """Start ``snakemake --cores 1`` in ``workdir``, SIGKILL its whole process group once a
    second job of the rule whose logs go to ``log_dir`` has started, and return the names
    (log stems) of the jobs that had finished by then: all but the newest log, since with one
    core a job starts only after the one before it is done."""
    logs = workdir / log_dir
    proc = subprocess.Popen(
        snakemake_cmd("--cores", "1"),
        cwd=workdir,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while not (logs.is_dir() and len(list(logs.glob("*.log"))) >= 2):
        assert proc.poll() is None, "snakemake ended before a second job started"
        assert time.monotonic() < deadline, "no second job started in time"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    started = sorted(logs.glob("*.log"), key=lambda p: p.stat().st_mtime_ns)
    return {p.stem for p in started[:-1]}


def tables_equal(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


def final_tables(workdir: Path) -> dict[str, pd.DataFrame]:
    """The final tables of the exoplanet pipeline, without the run-time column."""
    out = workdir / "results" / "exoplanets"
    return {
        "features": pd.read_parquet(out / "features.parquet").drop(columns=NONDETERMINISTIC),
        "failed": pd.read_csv(out / "failed_samples.csv"),
    }


def chips_tables(workdir: Path) -> dict[str, pd.DataFrame]:
    """The final tables of the chips pipeline."""
    out = workdir / "results" / "chips"
    return {
        "manifest": pd.read_parquet(out / "manifest.parquet"),
        "metrics": pd.read_parquet(out / "metrics.parquet"),
        "errors": pd.read_csv(out / "staging_errors.csv"),
    }
