"""The nba pipeline at ten-season scale, against the targets of the season-tables issue.

Generates ``--seasons`` demo seasons of ``--dates`` consecutive game dates each (the demo
model: V2 date files with shot charts and points lines, 30 teams), all in one boxscores
folder, and times, in one run on this machine:

* W: the same per-date work in one Python process on one core (POLARS_MAX_THREADS=1; the
  in-process loop of ``benchmarks/nba_workflow.py``);
* the backfill through ``snakemake --cores 2`` (target: at most 1.5 W);
* ``snakemake -n`` on the finished folder (target: at most 0.05 W);
* adding one date (the next date of the last season) and running ``snakemake --cores 2`` end
  to end (target: at most 0.1 W; this includes the merge and the plots of all dates).

Writes results/benchmarks/nba_seasons.json, and each phase's time to stderr as it ends. Run it
on an otherwise idle machine and report the core count: the ratios are measured side by side,
in one run.

    python benchmarks/nba_seasons.py [--seasons 10] [--dates 175] [--n-teams 30]
                                     [--backfill-args '--scheduler greedy ...']
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402
from nba_workflow import IN_PROCESS  # noqa: E402
from workdir import SNAKEMAKE, make_workdir  # noqa: E402

from shardflow.nba.demo import demo_dates, write_demo_season  # noqa: E402

FIRST_SEASON = 2015
TARGETS = {"backfill": 1.5, "dry_run": 0.05, "add_one_date": 0.1}


def write_seasons(root: Path, seasons: int, dates: int, n_teams: int) -> list[Path]:
    """``seasons`` demo seasons in ``root/{boxscores,lines}``; returns the folders of the next
    date of the last season (its date file and lines, kept aside for the add-one-date step)."""
    for sub in ("boxscores", "lines"):
        (root / sub).mkdir(parents=True)
    extra = root / "extra"
    for i in range(seasons):
        last = i == seasons - 1
        days = demo_dates(f"{FIRST_SEASON + i}-10-22", dates + last)
        one = root / f"season_{i}"
        write_demo_season(one, n_teams=n_teams, roster_size=15, dates=days, seed=FIRST_SEASON + i)
        for sub in ("boxscores", "lines"):
            for path in sorted((one / sub).iterdir()):
                held_back = last and path.stem == days[-1]
                dest = extra / sub if held_back else root / sub
                dest.mkdir(parents=True, exist_ok=True)
                shutil.move(path, dest / path.name)
        shutil.rmtree(one)
    return [extra / "boxscores", extra / "lines"]


def progress(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def timed(command: list[str], cwd: Path, env: dict | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seasons", type=int, default=10)
    parser.add_argument("--dates", type=int, default=175, help="game dates per season")
    parser.add_argument("--n-teams", type=int, default=30)
    parser.add_argument(
        "--backfill-args",
        default="",
        help="extra snakemake arguments for the backfill only, e.g. '--scheduler greedy --max-jobs-per-timespan "
        "1000/10s' (docs/nba.md, Speed); the dry run and the added date run with the profile's defaults",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        extra = write_seasons(tmp / "data", args.seasons, args.dates, args.n_teams)
        one_core = {**os.environ, "POLARS_MAX_THREADS": "1"}
        w = timed([sys.executable, "-c", IN_PROCESS, str(tmp / "data"), str(tmp / "loop"), "null"], tmp, one_core)

        config = {
            "pipelines": ["nba"],
            "nba": {"boxscores_dir": str(tmp / "data" / "boxscores"), "lines_dir": str(tmp / "data" / "lines")},
        }
        workdir = make_workdir(tmp / "wf", config)
        run = [SNAKEMAKE, "nba", "--configfile", "test.yaml"]  # the target first: --configfile takes several
        progress(f"W {w:.1f} s")
        backfill = timed([*run, "--cores", "2", *args.backfill_args.split()], workdir)
        progress(f"backfill {backfill:.1f} s")
        jobs = {
            d.name: len(list(d.iterdir())) for d in (workdir / "results/benchmarks/rules/nba").iterdir() if d.is_dir()
        }
        dry_run = timed([*run, "-n"], workdir)
        progress(f"dry run {dry_run:.1f} s")
        for folder in extra:
            for path in folder.iterdir():
                shutil.copy(path, tmp / "data" / folder.name / path.name)
        add_one = timed([*run, "--cores", "2"], workdir)

    seconds = {"backfill": backfill, "dry_run": dry_run, "add_one_date": add_one}
    result = {
        "seasons": args.seasons,
        "dates": args.seasons * args.dates,
        "teams": args.n_teams,
        "backfill_args": args.backfill_args or "none (the profile's defaults)",
        "backfill_jobs_per_rule": jobs,
        "in_process_one_core_s (W)": round(w, 1),
        **{f"{k}_s": round(v, 1) for k, v in seconds.items()},
        "ratio_to_W": {k: round(v / w, 3) for k, v in seconds.items()},
        "target_ratio_to_W": TARGETS,
        "meets_target": {k: v / w <= TARGETS[k] for k, v in seconds.items()},
        "note": "snakemake runs with --cores 2; W on one core; all measured in this one run",
    }
    print(json.dumps(result, indent=2))
    print(write_result("nba_seasons", result))


if __name__ == "__main__":
    main()
