"""The fault-injection suite's summary table as JSON.

Runs ``pytest tests/faults`` (kill -9 trials, crashes mid-write, flaky MAST, corrupt inputs, a
second snakemake, malformed configs; see docs/faults.md) and writes the table the suite prints,
with the suite's wall time and settings, to results/benchmarks/faults.json.

    python benchmarks/faults_summary.py [--seed 20261122] [--kill-trials 10] [--mast-rate 0.3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, write_result  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--kill-trials", type=int, default=10)
    parser.add_argument("--mast-rate", type=float, default=0.3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "faults.json"
        env = os.environ | {
            "SHARDFLOW_FAULTS_SEED": str(args.seed),
            "SHARDFLOW_FAULTS_KILL_TRIALS": str(args.kill_trials),
            "SHARDFLOW_FAULTS_MAST_RATE": str(args.mast_rate),
            "SHARDFLOW_FAULTS_JSON": str(table),
        }
        start = time.monotonic()
        tests = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/faults", "-q", "-p", "no:cacheprovider"], cwd=REPO_ROOT, env=env
        )
        wall = time.monotonic() - start
        summary = json.loads(table.read_text()) if table.exists() else {}

    path = write_result(
        "faults",
        {
            "settings": {"seed": args.seed, "kill_trials": args.kill_trials, "mast_rate": args.mast_rate, "cores": 2},
            "suite_wall_s": round(wall, 1),
            "tests_passed": tests.returncode == 0,
            **summary,
        },
    )
    print(f"suite {wall:.0f} s, tests {'passed' if tests.returncode == 0 else 'FAILED'}; written to {path}")
    sys.exit(tests.returncode)


if __name__ == "__main__":
    main()
