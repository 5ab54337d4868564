"""Speed of the chips pipeline on a large lab, as a ratio measured side by side.

Generates 20 chips x 45 days x 15 runs per chip and day (about 12,000 runs over the three
procedures; each chip is measured on ~90 % of days), then times the same work (stage every
day folder, extract every (chip, procedure) group) (a) in one Python process on one core,
(b) through ``snakemake --cores 2`` with the default ``chips.stage_days: 1`` (a staging job per
day, a metrics job per chip) and again with ``chips.stage_days: 7`` (a staging job per week),
(c) in one process again. The target (issue 15) is (b) <= 1.0 x the mean of (a) and (c): a
workflow on two cores at least as fast as one process on one. Bracketing the workflows
between two loops cancels a slow drift of the load of a shared machine. The per-job start-up
cost is measured directly (a fresh interpreter importing what a staging or metrics job
imports, median of 5) and estimated from the jobs' own benchmark files (their summed wall time
less the in-process work, per job). The CPU seconds (user + system) of each run show the work
that the workflow adds, whatever the load of the machine.

Writes results/benchmarks/chips_workflow.json.

    python benchmarks/chips_workflow.py [--n-chips 20] [--n-days 45] [--runs-per-chip-day 15]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402
from workdir import make_workdir, run_snakemake  # noqa: E402

from shardflow.chips.demo import demo_dates, write_demo_lab  # noqa: E402

TARGET_RATIO = 1.0
#: chips.stage_days of the workflow runs: the default (a staging job per day) and a week per job.
STAGE_DAYS = (1, 7)

IN_PROCESS = """
import json, sys, time
from pathlib import Path
import pandas as pd
from shardflow.chips.staging import merge_manifests, load_run, stage_date
from shardflow.chips.metrics import Settings, extract_group
from shardflow.config import schema_defaults
settings = Settings(**schema_defaults()["chips"]["metrics"])
raw, stage = Path(sys.argv[1]), Path(sys.argv[2])
t0 = time.perf_counter()
fragments = [stage_date(d, d.name, stage)[0] for d in sorted(raw.iterdir()) if d.is_dir()]
manifest = merge_manifests([f.to_pandas() for f in fragments])
t1 = time.perf_counter()
geometry = pd.read_csv(raw / "chips.csv").set_index("chip_number")
tables = []
for (chip, proc), rows in manifest.groupby(["chip_number", "proc"]):
    runs = [load_run(stage, r) for r in rows.to_dict("records")]
    tables.append(extract_group(runs, geometry.loc[chip].to_dict(), settings))
t2 = time.perf_counter()
print(json.dumps({"runs": len(manifest), "stage_s": t1 - t0, "extract_s": t2 - t1, "rows": int(sum(map(len, tables)))}))
"""


def children_cpu_s() -> float:
    """User + system CPU seconds of the finished child processes so far, their own waited-for
    children included (Snakemake's jobs count in Snakemake's)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-chips", type=int, default=20)
    parser.add_argument("--n-days", type=int, default=45)
    parser.add_argument("--runs-per-chip-day", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        truth = write_demo_lab(
            tmp / "raw",
            n_chips=args.n_chips,
            dates=demo_dates("2025-01-06", args.n_days),
            runs_per_chip_day=args.runs_per_chip_day,
            seed=1,
        )
        generate_s = time.perf_counter() - start
        geometry = truth[["chip_number", "width_um", "length_um", "c_g_f_cm2"]].drop_duplicates("chip_number")
        geometry.to_csv(tmp / "raw" / "chips.csv", index=False)

        def in_process(stage: Path) -> tuple[float, float, dict]:
            start, cpu = time.perf_counter(), children_cpu_s()
            out = subprocess.run(
                ["taskset", "-c", "0", sys.executable, "-c", IN_PROCESS, str(tmp / "raw"), str(stage)],
                check=True,
                capture_output=True,
                text=True,
            )
            wall_s, cpu_s = time.perf_counter() - start, children_cpu_s() - cpu
            return wall_s, cpu_s, yaml.safe_load(out.stdout.strip().splitlines()[-1])

        def workflow(stage_days: int) -> dict:
            config = {"pipelines": ["chips"], "chips": {"raw_dir": str(tmp / "raw"), "stage_days": stage_days}}
            workdir = make_workdir(tmp / f"wf{stage_days}", config)
            start, cpu = time.perf_counter(), children_cpu_s()
            run_snakemake(workdir, "--cores", "2", "results/chips/metrics.parquet", timeout=None)
            wall_s, cpu_s = time.perf_counter() - start, children_cpu_s() - cpu
            bench = list((workdir / "results/benchmarks/rules/chips").rglob("*.tsv"))
            return {
                "wall_s": wall_s,
                "cpu_s": cpu_s,
                "jobs": len(bench),
                "job_s": sum(pd.read_csv(p, sep="\t")["s"].iloc[0] for p in bench),
                "metric_rows": len(pd.read_parquet(workdir / "results/chips/metrics.parquet")),
            }

        loop_before_s, loop_cpu_s, loop = in_process(tmp / "stage_a")
        workflows = {days: workflow(days) for days in STAGE_DAYS}
        loop_after_s, _, _ = in_process(tmp / "stage_c")
        startup = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import shardflow.chips.jobs"], check=True)
            startup.append(time.perf_counter() - start)

    runs = loop["runs"]
    loop_s = (loop_before_s + loop_after_s) / 2
    work_s = loop["stage_s"] + loop["extract_s"]
    result = {
        "files": int(len(truth)),
        "runs_staged": runs,
        "generate_s": round(generate_s, 1),
        "in_process_one_core_s": [round(loop_before_s, 1), round(loop_after_s, 1)],
        "in_process_cpu_s (user + sys, the first loop)": round(loop_cpu_s, 1),
        "target_ratio": TARGET_RATIO,
        "per_run_ms": {
            "stage (read the file, write parquet)": round(1e3 * loop["stage_s"] / runs, 2),
            "extract (read parquet, all metrics)": round(1e3 * loop["extract_s"] / runs, 2),
        },
        "per_job_startup_s": {
            "fresh interpreter importing the job module (median of 5)": round(statistics.median(startup), 3),
        },
    }
    for days, wf in workflows.items():
        ratio = wf["wall_s"] / loop_s
        result[f"chips.stage_days={days}"] = {
            "snakemake_cores_2_wall_s": round(wf["wall_s"], 1),
            "ratio_workflow_to_one_core": round(ratio, 2),
            "meets_target": ratio <= TARGET_RATIO,
            "jobs": wf["jobs"],
            "metric_rows": wf["metric_rows"],
            "cpu_s (user + sys: snakemake and every job)": round(wf["cpu_s"], 1),
            "sum_of_job_wall_s": round(wf["job_s"], 1),
            "per_job_startup_s (sum of job wall less the in-process work, per job)": round(
                (wf["job_s"] - work_s) / wf["jobs"], 2
            ),
        }
    print(write_result("chips_workflow", result).read_text())


if __name__ == "__main__":
    main()
