"""Dry-run time of the exoplanet pipeline on the archive's full TOI and KOI tables with
``source: mast``, against a two-row table of the same format, measured in one run (issue 12:
at most twice as long). The catalog checkpoint is run first, so the dry run plans every
download and feature job.

Needs ``../shared/data/exoarchive`` (the archive tables as downloaded). Writes
``results/benchmarks/exoplanets_dryrun.json``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, SNAKEMAKE, copy_workflow, write_result  # noqa: E402

ARCHIVE = REPO_ROOT.parent / "shared" / "data" / "exoarchive"
TABLES = {"toi": "toi_2025-09-29.csv", "koi": "koi_cumulative_2025-09-29.csv"}


def two_rows(source: Path, dest: Path) -> Path:
    """The table's comment lines, header and first two rows."""
    lines, rows = [], 0
    for line in source.read_text().splitlines(keepends=True):
        lines.append(line)
        if not line.startswith("#"):
            rows += 1
            if rows == 3:
                break
    dest.write_text("".join(lines))
    return dest


def dry_run_seconds(workdir: Path, catalog: Path) -> tuple[float, int]:
    config = {"pipelines": ["exoplanets"], "exoplanets": {"catalog": str(catalog), "lightcurves": {"source": "mast"}}}
    (workdir / "bench.yaml").write_text(yaml.safe_dump(config))
    cmd = [SNAKEMAKE, "--configfile", "bench.yaml", "--cores", "1"]
    subprocess.run([*cmd, "results/exoplanets/catalog.parquet"], cwd=workdir, check=True, capture_output=True)
    start = time.perf_counter()
    out = subprocess.run([*cmd, "-n", "exoplanets"], cwd=workdir, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    jobs = next(int(line.split()[1]) for line in out.stdout.splitlines() if line.startswith("total"))
    return seconds, jobs


def main() -> None:
    if not ARCHIVE.is_dir():
        sys.exit(f"archive tables not found at {ARCHIVE}")
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, filename in TABLES.items():
            full = ARCHIVE / filename
            small = two_rows(full, tmp / f"{name}_two_rows.csv")
            timings = {}
            for label, catalog in (("two_rows", small), ("full", full)):
                seconds, jobs = dry_run_seconds(copy_workflow(tmp / f"{name}_{label}"), catalog)
                timings[label] = {"dry_run_s": round(seconds, 2), "jobs": jobs}
                print(name, label, timings[label], flush=True)
            ratio = timings["full"]["dry_run_s"] / timings["two_rows"]["dry_run_s"]
            result[name] = {**timings, "ratio": round(ratio, 2), "meets_target": ratio <= 2.0}
    path = write_result("exoplanets_dryrun", {"tables": result, "target_ratio": 2.0})
    print(path)


if __name__ == "__main__":
    main()
