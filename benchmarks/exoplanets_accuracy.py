"""Accuracy of the exoplanet pipeline: the demo catalog run through the workflow (default
config), scored against its truth, and the known periods of the real light curves in
../shared/data (skipped when absent).

Writes results/benchmarks/exoplanets_accuracy.json.

    python benchmarks/exoplanets_accuracy.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, write_result  # noqa: E402
from workdir import SNAKEMAKE  # noqa: E402

from shardflow.config import schema_defaults  # noqa: E402
from shardflow.exoplanets.evaluation import recovery_summary  # noqa: E402
from shardflow.exoplanets.features import Settings, target_features  # noqa: E402

REAL = REPO_ROOT.parent / "shared" / "data" / "lightcurves"
#: Known planets of the real files (../shared/data/README.md); stellar radius and mass in
#: solar units where TLS needs them (TOI-263 is an M dwarf).
REAL_TARGETS = [
    (
        "TOI-263 b",
        "tess2018263035959-s0003-0000000120916706-0123-s_lc.fits",
        0.5567365,
        {"star_radius": 0.405, "star_mass": 0.4},
    ),
    ("K2-3 b", "hlsp_k2sff_k2_lightcurve_201367065-c01_kepler_v1_llc.fits", 10.0545, {}),
    ("HAT-P-7 b", "kplr010666592-2009131110544_slc.fits", 2.2047354, {}),
]


def real_light_curves() -> list[dict]:
    out = []
    for name, filename, period, star in REAL_TARGETS:
        row = {
            "target_id": name,
            "period": period,
            "depth": float("nan"),
            "duration": float("nan"),
            "epoch": float("nan"),
            **star,
        }
        f = target_features(
            row, lambda filename=filename: str(REAL / filename), Settings(**schema_defaults()["exoplanets"]["search"])
        )
        out.append(
            {
                "target": name,
                "known_period": period,
                "tls_period": f["tls_period"],
                "relative_error": abs(f["tls_period"] / period - 1),
                "tls_sde": f["tls_sde"],
                "within_0.5_percent": abs(f["tls_period"] / period - 1) <= 0.005,
            }
        )
    return out


def main() -> None:
    subprocess.run([SNAKEMAKE, "--cores", "all", "results/exoplanets/features.parquet"], cwd=REPO_ROOT, check=True)
    features = pd.read_parquet(REPO_ROOT / "results/exoplanets/features.parquet")
    result = {
        "demo": recovery_summary(features),
        "demo_white_noise_snr": recovery_summary(features, snr_column="snr_white"),
        "failed_samples": features.loc[features["status"] == "failed", ["target_id", "category"]].to_dict("records"),
        "real": real_light_curves() if REAL.is_dir() else "skipped: ../shared/data/lightcurves not found",
    }
    print(write_result("exoplanets_accuracy", result).read_text())


if __name__ == "__main__":
    main()
