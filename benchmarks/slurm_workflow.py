"""Wall time of the workflow through SLURM against the same workflow run locally.

Starts the one-node SLURM cluster of ``tests/cluster/slurm.sh`` on this machine, runs the demo
configuration (or ``--configfile``) once with ``snakemake --cores 2`` and once with
``--profile profiles/slurm`` (plus the test cluster's executor settings,
``tests/cluster/profile``), checks that both runs made the same jobs, and stops the cluster.

On one 2-core node the SLURM run cannot be faster: every job becomes a batch job that starts
Snakemake twice (the job step and the job itself, each parsing the workflow) before its
script, and the executor notices finished jobs by polling ``squeue``. The difference divided by
the number of jobs is the cost of a SLURM job here; on a real cluster it buys many nodes.

Writes results/benchmarks/slurm_vs_local.json.

    python benchmarks/slurm_workflow.py [--pipelines exoplanets chips nba lunar] [--configfile my.yaml]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, write_result  # noqa: E402
from workdir import make_workdir, run_snakemake  # noqa: E402

SLURM_SH = REPO_ROOT / "tests" / "cluster" / "slurm.sh"
SLURM_PROFILES = ["--profile", "profiles/slurm", "--profile", str(REPO_ROOT / "tests" / "cluster" / "profile")]


def run(workdir: Path, *args: str) -> tuple[float, str]:
    """Wall seconds and output (stdout and stderr) of ``snakemake *args`` in ``workdir``."""
    start = time.perf_counter()
    result = run_snakemake(workdir, *args, timeout=None)
    return time.perf_counter() - start, result.stdout + result.stderr


def job_seconds(workdir: Path) -> list[float]:
    """Wall time of every job, from the benchmark file each rule writes."""
    return [float(pd.read_csv(p, sep="\t")["s"].iloc[0]) for p in (workdir / "results/benchmarks/rules").rglob("*.tsv")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipelines", nargs="+", default=["exoplanets", "chips", "nba", "lunar"])
    parser.add_argument("--configfile", type=Path, help="YAML merged over config/config.yaml (default: the demo)")
    args = parser.parse_args()
    config = yaml.safe_load(args.configfile.read_text()) if args.configfile else {}
    config["pipelines"] = args.pipelines

    started = subprocess.run(["bash", str(SLURM_SH), "start"], capture_output=True, text=True)
    if started.returncode != 0:
        sys.exit(f"tests/cluster/slurm.sh start failed:\n{started.stderr}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            runs = {}
            for name, extra in (("local", ["--cores", "2"]), ("slurm", SLURM_PROFILES)):
                workdir = make_workdir(Path(tmp) / name, config)
                wall_s, log = run(workdir, *extra)
                runs[name] = {"wall_s": wall_s, "jobs": job_seconds(workdir), "log": log}
    finally:
        subprocess.run(["bash", str(SLURM_SH), "stop"], capture_output=True, text=True)

    local, slurm = runs["local"], runs["slurm"]
    slurm_jobs = len(re.findall(r"has been submitted with SLURM jobid", slurm["log"]))
    if len(local["jobs"]) != len(slurm["jobs"]) or slurm_jobs != len(slurm["jobs"]):
        sys.exit(f"job counts differ: local {len(local['jobs'])}, SLURM {len(slurm['jobs'])} ({slurm_jobs} submitted)")
    n_jobs = len(slurm["jobs"])
    result = {
        "config": config,
        "jobs": n_jobs,
        "local_cores_2_wall_s": round(local["wall_s"], 1),
        "slurm_wall_s": round(slurm["wall_s"], 1),
        "slurm_over_local": round(slurm["wall_s"] / local["wall_s"], 2),
        "sum_of_job_wall_s": {"local": round(sum(local["jobs"]), 1), "slurm": round(sum(slurm["jobs"]), 1)},
        "extra_wall_s_per_job": round((slurm["wall_s"] - local["wall_s"]) / n_jobs, 1),
    }
    print(write_result("slurm_vs_local", result).read_text())


if __name__ == "__main__":
    main()
