"""Accuracy of the feature table against the ground truth of a catalog (the demo's).

Targets (issue 2): at least 95 % of planets with SNR >= 10 recover the catalog period within
1 % (1/2 and 2x aliases are flagged, not counted as recovered), and no non-transiting star has
a signal above SDE 9.
"""

from __future__ import annotations

import pandas as pd

SDE_THRESHOLD = 9.0


def recovery_summary(features: pd.DataFrame, snr_column: str = "snr_expected", min_snr: float = 10.0) -> dict:
    """Period recovery of planets at ``snr_column >= min_snr`` and false alarms of stars
    labelled ``no_transit``, from a feature table with ``label``, ``status``,
    ``period_match``, ``tls_sde`` and the SNR column."""
    planets = features[(features["label"] == "planet") & (features["status"] == "ok")]
    strong = planets[planets[snr_column] >= min_snr]
    matched = strong["period_match"] == "match"
    quiet = features[(features["label"] == "no_transit") & (features["status"] == "ok")]
    false_alarms = quiet[quiet["tls_sde"] > SDE_THRESHOLD]
    return {
        "snr_column": snr_column,
        "min_snr": min_snr,
        "planets": int(len(planets)),
        "planets_above_snr": int(len(strong)),
        "recovered": int(matched.sum()),
        "recovered_fraction": float(matched.mean()) if len(strong) else float("nan"),
        "aliases_flagged": int(strong["period_match"].isin(["half", "double"]).sum()),
        "missed": strong.loc[~matched, "target_id"].tolist(),
        "non_transiting": int(len(quiet)),
        "false_alarms_above_sde_9": int(len(false_alarms)),
        "max_sde_non_transiting": float(quiet["tls_sde"].max()) if len(quiet) else float("nan"),
    }
