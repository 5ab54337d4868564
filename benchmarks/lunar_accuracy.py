"""Accuracy of the lunar pipeline on the default demo (five days of April and May 1998, 1,080
spectra each) against its truth, and of the DE440 Sun direction against astropy.

Targets (issue 5): spacecraft potential within 1 V in sunlight and 10 % in shadow; surface
potential within 15 % where |U| > 50 V; geometry within 1 km of the generating orbit; the Sun
direction within 0.01 deg of an independent astropy computation.

Writes results/benchmarks/lunar_accuracy.json.

    python benchmarks/lunar_accuracy.py [--spectra-per-day 1080]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

from shardflow.config import schema_defaults  # noqa: E402
from shardflow.lunar.demo import write_demo  # noqa: E402
from shardflow.lunar.evaluation import SUN_TOLERANCE_DEG, demo_accuracy, sun_direction_errors_deg  # noqa: E402
from shardflow.lunar.geometry import ephemeris_time  # noqa: E402
from shardflow.lunar.kernels import load_kernels, standard_kernels, write_moon_pck  # noqa: E402
from shardflow.lunar.month import FitSettings, process_month  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spectra-per-day", type=int, default=1080)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_moon_pck(root / "moon.tpc")
        lunar = schema_defaults()["lunar"]
        demo = lunar["demo"]
        truth = write_demo(
            root,
            demo["days"],
            args.spectra_per_day,
            seed=demo["seed"],
            pck=root / "moon.tpc",
            malformed_day=demo["malformed_day"],
            spacecraft=lunar["spacecraft"],
        )
        kernels = [*standard_kernels(), root / "moon.tpc", root / "kernels" / "lp_demo_orbit.bsp"]
        months = sorted({d[:7] for d in demo["days"]})
        tables = [
            process_month(
                sorted(str(p) for p in (root / "er").glob(f"3D{m[2:4]}{m[5:7]}*.TAB")),
                kernels,
                FitSettings.from_config(lunar),
                threads=2,
            )[0]
            for m in months
        ]
        result = {"demo": demo_accuracy(pl.concat(tables), truth)}
        load_kernels(kernels)
        et = ephemeris_time(np.arange(891388800.0, 896659200.0, 3600.0))  # every hour of April and May 1998
        errors = sun_direction_errors_deg(et)
    result["sun_direction_vs_astropy_deg"] = {
        "n": int(errors.size),
        "max": float(errors.max()),
        "tolerance": SUN_TOLERANCE_DEG,
        "within": bool(errors.max() <= SUN_TOLERANCE_DEG),
    }
    result["demo"]["spectra"] = {
        k: {str(s): n for s, n in v.items()} if isinstance(v, dict) else v for k, v in result["demo"]["spectra"].items()
    }
    print(write_result("lunar_accuracy", result).read_text())


if __name__ == "__main__":
    main()
