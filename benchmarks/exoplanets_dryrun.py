"""Dry-run time of the exoplanet pipeline on the archive's full TOI and KOI tables with
``source: mast``, against a two-row table of the same format, measured in one run (issue 12:
at most twice as long). The catalog checkpoint is run first, so the dry run plans every
download and feature job.

Needs ``../shared/data/exoarchive`` (the archive tables as downloaded). Writes
``results/benchmarks/exoplanets_dryrun.json``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, write_result  # noqa: E402
from workdir import make_workdir, run_snakemake, snakemake_cmd  # noqa: E402

ARCHIVE = REPO_ROOT.parent / "shared" / "data" / "exoarchive"
#: Rows per job for a real catalog (the README's advice; the demo's 8 is for showing several jobs).
BATCH_SIZE = 100
REPEATS = 3
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


def prepare(workdir: Path) -> None:
    """Run the catalog checkpoint, so that the dry run plans every download and feature job."""
    run_snakemake(workdir, "--cores", "1", "results/exoplanets/catalog.parquet")


def dry_run(workdir: Path) -> tuple[float, int]:
    """Wall seconds and planned job count of ``snakemake -n exoplanets``."""
    start = time.perf_counter()
    out = subprocess.run(
        snakemake_cmd("--cores", "1", "-n", "exoplanets"), cwd=workdir, check=True, capture_output=True, text=True
    )
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
            catalogs = {"two_rows": two_rows(full, tmp / f"{name}_two_rows.csv"), "full": full}
            runs = {}
            for label, catalog in catalogs.items():
                config = {
                    "pipelines": ["exoplanets"],
                    "exoplanets": {
                        "catalog": str(catalog),
                        "lightcurves": {"source": "mast"},
                        "batch_size": BATCH_SIZE,
                    },
                }
                workdir = make_workdir(tmp / f"{name}_{label}", config)
                prepare(workdir)
                runs[label] = (workdir, [], 0)
            for _ in range(REPEATS):  # alternated, so both see the same load on a shared machine
                for label, (workdir, times, _) in runs.items():
                    seconds, jobs = dry_run(workdir)
                    times.append(seconds)
                    runs[label] = (workdir, times, jobs)
            timings = {
                label: {"dry_run_s": round(statistics.median(times), 2), "runs": len(times), "jobs": jobs}
                for label, (_, times, jobs) in runs.items()
            }
            print(name, timings, flush=True)
            ratio = timings["full"]["dry_run_s"] / timings["two_rows"]["dry_run_s"]
            result[name] = {**timings, "ratio": round(ratio, 2), "meets_target": ratio <= 2.0}
    path = write_result("exoplanets_dryrun", {"tables": result, "target_ratio": 2.0, "batch_size": BATCH_SIZE})
    print(path)


if __name__ == "__main__":
    main()
