"""Shared by the benchmark scripts: where results go and what machine produced them. They run
the workflow with the tests' helpers (``tests/workdir.py``: a temporary copy of the workflow and
the real ``snakemake`` run in it)."""

from __future__ import annotations

import json
import os
import platform
import sys
from importlib.metadata import version
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "results" / "benchmarks"
os.environ.setdefault("NUMBA_CACHE_DIR", str(REPO_ROOT / "resources" / "numba_cache"))
sys.path.insert(0, str(REPO_ROOT / "tests"))  # workdir.py


def machine() -> dict:
    """Core count, CPU model and the versions that matter for the timings."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "versions": {
            p: version(p) for p in ("transitleastsquares", "astropy", "wotan", "numba", "lightkurve", "snakemake")
        },
    }


def write_result(name: str, result: dict) -> Path:
    """Write ``result`` plus the machine description to results/benchmarks/{name}.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"benchmark": name, "machine": machine(), **result}, indent=2) + "\n")
    return path
