"""What the diagnostic figure draws of each signal, written by the feature jobs next to the
features (``results/exoplanets/diagnostics/batch_NNNN.parquet``), so that the plot rule draws
from declared files and runs no search.

One long table, a row per point: ``target_id``; ``panel``: ``periodogram`` (x: trial period in
days, y: TLS SDE), ``fold`` (x: days from mid-transit, y: mean detrended flux of the bin,
normalised to 1), ``odd`` and ``even`` (the same for odd and even transits); ``n``: points in
the bin (folds), trial periods behind the point (periodogram).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .vetting import binned_fold, epoch_number

DIAGNOSTIC_COLUMNS = ("target_id", "panel", "x", "y", "n")
#: Points kept of a periodogram: its grid is cut into this many runs of neighbouring trial
#: periods and each run keeps its highest SDE, so peaks survive and the file stays small.
PERIODOGRAM_POINTS = 2000
#: Bins of the folded transit within one T14 of mid-transit, and of the odd and even folds.
FOLD_BINS = 60
ODD_EVEN_BINS = 30


def periodogram_envelope(periods: np.ndarray, power: np.ndarray, n_points: int = PERIODOGRAM_POINTS):
    """(period, power, trial periods per point) of the upper envelope of a periodogram on at
    most ``n_points`` points: the maximum of each run of consecutive grid points."""
    periods, power = np.asarray(periods, float), np.asarray(power, float)
    runs = np.array_split(np.arange(periods.size), min(n_points, periods.size))
    best = np.array([run[np.argmax(power[run])] for run in runs if run.size])
    return periods[best], power[best], np.array([run.size for run in runs if run.size])


def diagnostic_table(
    target_id: str, time, flux, period: float, t0: float, duration: float, periods, power
) -> pd.DataFrame:
    """The diagnostic series of one signal: the periodogram envelope and the binned folds on
    ``period``, ``t0``, ``duration`` (days; ``time`` in the same system as ``t0``)."""
    parts = []
    x, y, n = periodogram_envelope(periods, power)
    parts.append(("periodogram", x, y, n))
    centres, means, counts = binned_fold(time, flux, period, t0, duration, n_bins=FOLD_BINS)
    parts.append(("fold", centres, means, counts))
    odd = epoch_number(time, period, t0) % 2 == 1
    for name, mask in (("odd", odd), ("even", ~odd)):
        centres, means, counts = binned_fold(time[mask], flux[mask], period, t0, duration, n_bins=ODD_EVEN_BINS)
        parts.append((name, centres, means, counts))
    return pd.DataFrame(
        {
            "target_id": pd.Series([target_id] * sum(p[1].size for p in parts), dtype="string"),
            "panel": pd.Series(np.concatenate([[p[0]] * p[1].size for p in parts]), dtype="string"),
            "x": np.concatenate([p[1] for p in parts]).astype("float64"),
            "y": np.concatenate([p[2] for p in parts]).astype("float64"),
            "n": np.concatenate([p[3] for p in parts]).astype("int64"),
        }
    )


def diagnostics_frame(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate per-signal tables; an empty table with the columns and types when there are
    none (a batch whose targets all failed)."""
    empty = pd.DataFrame({"target_id": [], "panel": [], "x": [], "y": [], "n": []}).astype(
        {"target_id": "string", "panel": "string", "x": "float64", "y": "float64", "n": "int64"}
    )
    return pd.concat([empty, *tables], ignore_index=True)
