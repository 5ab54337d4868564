"""Accuracy of the chips extractors: the default demo lab against its truth, and the Dirac
point of the real transfer curve in ../shared/data/graphene (skipped when absent).

Writes results/benchmarks/chips_accuracy.json.

    python benchmarks/chips_accuracy.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, write_result  # noqa: E402

from shardflow.chips.demo import demo_dates, write_demo_lab  # noqa: E402
from shardflow.chips.evaluation import demo_accuracy  # noqa: E402
from shardflow.chips.metrics import Settings  # noqa: E402
from shardflow.chips.runfiles import read_transfer_curve  # noqa: E402
from shardflow.chips.sweeps import charge_neutrality_point, resistance_ohm  # noqa: E402
from shardflow.config import schema_defaults  # noqa: E402

REAL = REPO_ROOT.parent / "shared" / "data" / "graphene" / "gfet_transfer_curve.csv"
KNOWN_DIRAC_V = 4.0
CHIPS = schema_defaults()["chips"]
SETTINGS = Settings(**CHIPS["metrics"])


def real_transfer_curve() -> dict:
    run = read_transfer_curve(REAL, chip_number=0, start_time_utc="2000-01-01T00:00:00Z", vds_v=0.1)
    vg = np.asarray(run.data["vg_v"], dtype=float)
    r = resistance_ohm("IVg", 0.1, np.asarray(run.data["i_a"], dtype=float))
    cnp = charge_neutrality_point(vg, r, **SETTINGS.cnp_options())
    return {
        "dirac_point_v": cnp.cnp_v,
        "known_v": KNOWN_DIRAC_V,
        "error_v": abs(cnp.cnp_v - KNOWN_DIRAC_V),
        "within_0.5_v": abs(cnp.cnp_v - KNOWN_DIRAC_V) <= 0.5,
        "flags": list(cnp.flags),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        demo = CHIPS["demo"]
        dates = demo_dates(demo["start_date"], demo["n_days"])
        truth = write_demo_lab(
            tmp, n_chips=demo["n_chips"], dates=dates, runs_per_chip_day=demo["runs_per_chip_day"], seed=demo["seed"]
        )
        result = {"demo": demo_accuracy(tmp, truth, SETTINGS)}
    result["real"] = real_transfer_curve() if REAL.exists() else f"skipped: {REAL} not found"
    print(write_result("chips_accuracy", result).read_text())


if __name__ == "__main__":
    main()
