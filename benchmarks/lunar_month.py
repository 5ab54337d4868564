"""Speed of the lunar pipeline on a generated full month.

Generates April 1998 with the demo generator, 30 days x 1,000 spectra (30,000 spectra,
450,000 rows of 183 fields, about 790 MB of TAB files), then times (a) the month's job through
``snakemake --cores 2`` (target: at most 60 s wall on a 2-core machine; the original pipeline
took 2,660 s for April 1998), and (b) the same work in one process on one thread, stage by
stage: reading, geometry, incident spectra, kappa fit, spacecraft potential, loss-cone fit.

Writes results/benchmarks/lunar_month.json.

    python benchmarks/lunar_month.py [--days 30] [--spectra-per-day 1000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402
from workdir import make_workdir, run_snakemake  # noqa: E402

from shardflow.config import schema_defaults  # noqa: E402
from shardflow.lunar.demo import write_demo  # noqa: E402
from shardflow.lunar.kernels import write_moon_pck  # noqa: E402

TARGET_WALL_S = 60.0
ORIGINAL_S = 2660.0

IN_PROCESS = """
import json, sys, time
from pathlib import Path
from shardflow.lunar.kernels import standard_kernels
from shardflow.config import schema_defaults
from shardflow.lunar.month import FitSettings, process_month
root = Path(sys.argv[1])
settings = FitSettings.from_config(schema_defaults()["lunar"])
start = time.perf_counter()
table, errors, timings = process_month(sorted(str(p) for p in (root / "er").glob("*.TAB")),
                                       [*standard_kernels(), root / "moon.tpc", root / "kernels" / "lp_demo_orbit.bsp"],
                                       settings)
print(json.dumps({"total_s": time.perf_counter() - start, "spectra": table.height, **timings}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--spectra-per-day", type=int, default=1000)
    args = parser.parse_args()
    days = [str(date(1998, 4, 1) + timedelta(days=i)) for i in range(args.days)]

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        write_moon_pck(root / "moon.tpc")
        start = time.perf_counter()
        truth = write_demo(
            root,
            days,
            args.spectra_per_day,
            seed=1,
            pck=root / "moon.tpc",
            malformed_day=None,
            spacecraft=schema_defaults()["lunar"]["spacecraft"],
        )
        generate_s = time.perf_counter() - start
        size_mb = sum(p.stat().st_size for p in (root / "er").glob("*.TAB")) / 1e6

        config = {
            "pipelines": ["lunar"],
            "lunar": {"er_dir": str(root / "er"), "kernels": [str(root / "kernels" / "lp_demo_orbit.bsp")]},
        }
        workdir = make_workdir(Path(tmp) / "wf", config)
        start = time.perf_counter()
        run_snakemake(workdir, "--cores", "2", "results/lunar/months/1998-04.parquet", timeout=None)
        workflow_s = time.perf_counter() - start
        job = (workdir / "results/benchmarks/rules/lunar/month/1998-04.tsv").read_text().splitlines()
        job = dict(zip(job[0].split("\t"), job[1].split("\t"), strict=True))
        log = (workdir / "results/logs/lunar/month/1998-04.log").read_text()

        out = subprocess.run([sys.executable, "-c", IN_PROCESS, str(root)], check=True, capture_output=True, text=True)
        stages = json.loads(out.stdout.strip().splitlines()[-1])

    result = {
        "spectra": truth.height,
        "rows": truth.height * 15,
        "tab_megabytes": round(size_mb),
        "generate_s": round(generate_s, 1),
        "snakemake_cores_2_wall_s": round(workflow_s, 1),
        "month_job_s": float(job["s"]),
        "month_job_max_rss_mb": float(job["max_rss"]),
        "target_wall_s": TARGET_WALL_S,
        "meets_target": workflow_s <= TARGET_WALL_S,
        "original_s": ORIGINAL_S,
        "speedup_over_original": round(ORIGINAL_S / workflow_s, 1),
        "job_log_stage_line": next(
            (line.split("INFO ", 1)[1] for line in log.splitlines() if "seconds per stage" in line), None
        ),
        "in_process_one_thread_s": {k: round(v, 2) for k, v in stages.items() if k.endswith("_s")},
    }
    print(write_result("lunar_month", result).read_text())


if __name__ == "__main__":
    main()
