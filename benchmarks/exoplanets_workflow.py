"""Workflow overhead of the exoplanet pipeline on the demo catalog.

Runs the feature batches of the demo catalog (a) through ``snakemake --cores 1``, (b)
through ``snakemake --cores 2`` and (c) as a plain in-process loop over the same batches,
on the same generated inputs with a warm numba cache, and reports wall times, the ratio
snakemake / loop (target: within 10 % at equal parallelism) and the speedup of --cores 2.

Writes results/benchmarks/exoplanets_workflow_n{targets}_b{batch size}.json. Each job pays a
fixed cost of a few seconds (a Python interpreter importing lightkurve, astropy, scipy and
TLS, and loading the cached numba kernels), so the ratio depends on the batch size.

    python benchmarks/exoplanets_workflow.py [--n-targets 60] [--batch-size 8]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402
from workdir import make_workdir, run_snakemake  # noqa: E402

TARGET = "results/exoplanets/features.parquet"


def snakemake(workdir: Path, *args: str) -> float:
    """Wall seconds of ``snakemake *args`` in ``workdir``."""
    start = time.perf_counter()
    run_snakemake(workdir, *args, timeout=None)
    return time.perf_counter() - start


def in_process_loop(workdir: Path) -> float:
    """All batches in one Python process: what a hand-written script would do."""
    code = f"""
import os, time
os.chdir({str(workdir)!r})
start = time.perf_counter()
import pandas as pd, yaml
from shardflow.exoplanets.features import Settings, feature_table, target_features
from shardflow.exoplanets.sources import lightcurve_file
catalog = pd.read_parquet("results/exoplanets/catalog.parquet")
search = yaml.safe_load(open("config/config.yaml"))["exoplanets"]["search"]
settings = Settings(**search)
tables = []
for batch, rows in catalog.groupby("batch", sort=True):
    out = [target_features(r, lambda r=r: lightcurve_file(r, "resources/demo/exoplanets/lightcurves"), settings)
           for r in rows.to_dict("records")]
    tables.append(feature_table(out, rows))
pd.concat(tables).to_parquet("loop.parquet")
print(time.perf_counter() - start)
"""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-targets", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()
    config = {"exoplanets": {"batch_size": args.batch_size, "demo": {"n_targets": args.n_targets, "multi_stars": 0}}}

    with tempfile.TemporaryDirectory() as tmp:
        workdir = make_workdir(Path(tmp), config)
        # inputs, the validated catalog and compiled kernels first, untimed
        snakemake(
            workdir, "--cores", "2", "results/exoplanets/catalog.parquet", "resources/numba_cache/exoplanets.compiled"
        )
        n_batches = pd.read_parquet(workdir / "results/exoplanets/catalog.parquet")["batch"].nunique()

        def fresh_features(cores: str) -> float:
            shutil.rmtree(workdir / "results/exoplanets/features", ignore_errors=True)
            (workdir / TARGET).unlink(missing_ok=True)
            return snakemake(workdir, "--cores", cores, TARGET)

        loop_s = in_process_loop(workdir)
        cores1_s = fresh_features("1")
        cores2_s = fresh_features("2")
        workflow_table = pd.read_parquet(workdir / TARGET).drop(columns="runtime_s")
        loop_table = pd.read_parquet(workdir / "loop.parquet").drop(columns="runtime_s").reset_index(drop=True)
        same = workflow_table.equals(loop_table[workflow_table.columns])

    result = {
        "n_targets": args.n_targets,
        "batch_size": args.batch_size,
        "n_batches": int(n_batches),
        "wall_s": {
            "loop_one_process": round(loop_s, 2),
            "snakemake_cores_1": round(cores1_s, 2),
            "snakemake_cores_2": round(cores2_s, 2),
        },
        "snakemake_cores_1_over_loop": round(cores1_s / loop_s, 3),
        "snakemake_cores_2_over_loop": round(cores2_s / loop_s, 3),
        "speedup_cores_2_over_cores_1": round(cores1_s / cores2_s, 2),
        "target_ratio": 1.10,
        "loop_and_workflow_tables_equal": bool(same),
    }
    path = write_result(f"exoplanets_workflow_n{args.n_targets}_b{args.batch_size}", result)
    print(path.read_text())


if __name__ == "__main__":
    main()
