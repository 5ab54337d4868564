"""Speed of the nba pipeline on a generated full season.

Generates 30 teams over 165 consecutive game dates (the demo model, V2 date files with shot
charts and points lines), then times (a) the backfill through ``snakemake --cores 2``: one
summary job and one features job (composite factors and feature store) per date, the history
segments and the merge (target:
at most 120 s wall on a 2-core machine; the original system took minutes per date), and (b)
the same computation in one Python process, which gives the per-date cost of each processor
without the per-job start (interpreter, imports, Snakemake's bookkeeping); the difference
is the workflow's overhead.

Writes results/benchmarks/nba_workflow.json.

    python benchmarks/nba_workflow.py [--n-teams 30] [--n-dates 165] [--window-days N]
                                      [--max-jobs-per-timespan 1000/10s]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402
from workdir import make_workdir, run_snakemake  # noqa: E402

from shardflow.nba.demo import demo_dates, write_demo_season  # noqa: E402

TARGET_WALL_S = 120.0
START = "2024-10-22"

IN_PROCESS = """
import json, sys, time
from pathlib import Path
import polars as pl
from shardflow.config import schema_defaults
from shardflow.nba.composite import SETTING_KEYS, composite_factors
from shardflow.nba.datefile import read_date_file
from shardflow.nba.features import feature_store
from shardflow.nba.history import HISTORY_COLUMNS, load_summaries
from shardflow.nba.lines import read_lines
from shardflow.nba.summary import player_game_summary, write_summary
from shardflow.nba.windows import window_dates
root, out, window_days = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
nba = schema_defaults()["nba"]
settings = {key: nba[key] for key in SETTING_KEYS}
dates = sorted(p.stem for p in (root / "boxscores").glob("*.json"))
out.mkdir(parents=True, exist_ok=True)
t = {"summary": [], "composite_factors": [], "feature_store": []}
for d in dates:
    t0 = time.perf_counter()
    boxscore = read_date_file(root / "boxscores" / f"{d}.json", d)
    s = player_game_summary(boxscore, d, d, read_lines(root / "lines" / f"{d}.csv"), season_types=nba["season_types"])
    write_summary(s, out / f"{d}.parquet")
    t["summary"].append(time.perf_counter() - t0)
for d in dates:
    window = window_dates(dates, d, window_days)
    t0 = time.perf_counter()
    history = load_summaries([out / f"{w}.parquet" for w in window], HISTORY_COLUMNS)
    factors = composite_factors(pl.read_parquet(out / f"{d}.parquet"), history, d, window, **settings)
    factors.write_parquet(out / f"cf_{d}.parquet")
    t1 = time.perf_counter()
    history = load_summaries([out / f"{w}.parquet" for w in window], HISTORY_COLUMNS)
    feature_store(pl.read_parquet(out / f"cf_{d}.parquet"), history).write_parquet(out / f"fs_{d}.parquet")
    t["composite_factors"].append(t1 - t0)
    t["feature_store"].append(time.perf_counter() - t1)
print(json.dumps(t))
"""


def job_times(workdir: Path) -> dict[str, list[float]]:
    """Wall seconds of every job by rule, per-date rules in date order (the rules' benchmark
    files)."""
    times: dict[str, list[float]] = {}
    for tsv in sorted((workdir / "results/benchmarks/rules/nba").rglob("*.tsv")):
        rule = tsv.parent.name if tsv.parent.name != "nba" else tsv.stem
        times.setdefault(rule, []).append(float(tsv.read_text().splitlines()[1].split("\t")[0]))
    return times


def first_last(values: list[float], k: int = 20) -> str:
    """Mean of the first and of the last ``k`` values, in ms: how a per-date cost grows with
    the window."""
    return f"{1e3 * sum(values[:k]) / len(values[:k]):.0f} -> {1e3 * sum(values[-k:]) / len(values[-k:]):.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-teams", type=int, default=30)
    parser.add_argument("--n-dates", type=int, default=165)
    parser.add_argument("--window-days", type=int, default=None, help="nba.window_days (default: the season)")
    parser.add_argument(
        "--max-jobs-per-timespan",
        default=None,
        help="passed to snakemake (default: Snakemake's, 100/1s); see docs/nba.md, Speed",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        _, games = write_demo_season(
            tmp / "season", n_teams=args.n_teams, roster_size=15, dates=demo_dates(START, args.n_dates), seed=1
        )
        generate_s = time.perf_counter() - start

        config = {
            "pipelines": ["nba"],
            "nba": {
                "boxscores_dir": str(tmp / "season" / "boxscores"),
                "lines_dir": str(tmp / "season" / "lines"),
                "window_days": args.window_days,
            },
        }
        workdir = make_workdir(tmp / "wf", config)
        start = time.perf_counter()
        limit = ["--max-jobs-per-timespan", args.max_jobs_per_timespan] if args.max_jobs_per_timespan else []
        run_snakemake(workdir, "--cores", "2", *limit, "results/nba/ml_feature_store.parquet", timeout=None)
        workflow_s = time.perf_counter() - start
        times = job_times(workdir)
        rows = sum(1 for _ in (workdir / "results/nba/ml_feature_store").glob("*.parquet"))

        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", IN_PROCESS, str(tmp / "season"), str(tmp / "loop"), json.dumps(args.window_days)],
            check=True,
            capture_output=True,
            text=True,
        )
        loop_s = time.perf_counter() - start
        loop = json.loads(out.stdout.strip().splitlines()[-1])

    n = args.n_dates
    jobs = sum(len(v) for v in times.values())
    job_s = sum(map(sum, times.values()))
    loop_total = sum(map(sum, loop.values()))
    result = {
        "teams": args.n_teams,
        "dates": n,
        "games": len(games),
        "window_days": args.window_days,
        "max_jobs_per_timespan": args.max_jobs_per_timespan or "snakemake default (100/1s)",
        "feature_store_files": rows,
        "generate_s": round(generate_s, 1),
        "snakemake_cores_2_wall_s": round(workflow_s, 1),
        "target_wall_s": TARGET_WALL_S,
        "meets_target": workflow_s <= TARGET_WALL_S,
        "wall_s_per_date": round(workflow_s / n, 3),
        "jobs": jobs,
        "sum_of_job_wall_s": round(job_s, 1),
        "mean_job_wall_s": {rule: round(sum(v) / len(v), 3) for rule, v in sorted(times.items())},
        "job_ms_first_vs_last_20_dates": {r: first_last(times[r]) for r in ("summary", "features")},
        "in_process_one_core_s": round(loop_s, 1),
        "in_process_ms_per_date": {k: round(1e3 * sum(v) / n, 1) for k, v in loop.items()},
        "in_process_ms_first_vs_last_20_dates": {k: first_last(v) for k, v in loop.items()},
        "workflow_overhead_s_per_job": round((job_s - loop_total) / max(jobs, 1), 3),
    }
    print(write_result("nba_workflow", result).read_text())


if __name__ == "__main__":
    main()
