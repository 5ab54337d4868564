"""The 27 transit-search features of one light curve, and the feature table of a batch.

Pipeline per target: read and clean (``lightcurves``), detrend with wotan, clip upward
outliers, search with TLS, run BLS on the TLS period grid, then compute the vetting features
(``vetting``) on the light curve folded on the TLS period. Units: periods, epochs and
durations in days (epochs as BJD_TDB), depths in ppm. Definitions and sources are tabulated
in ``docs/exoplanets.md``.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import vetting
from .lightcurves import LightCurve, SampleError, read_lightcurve
from .search import bls_search, clip_upper_outliers, detrend, detrend_window, tls_search

FEATURE_COLUMNS = (
    "input_period",
    "input_depth",
    "input_duration",
    "input_epoch",
    "flux_std",
    "flux_mad",
    "flux_skewness",
    "flux_kurtosis",
    "bls_period",
    "bls_t0",
    "bls_duration",
    "bls_depth",
    "bls_snr",
    "bls_power",
    "tls_period",
    "tls_depth",
    "tls_snr",
    "tls_sde",
    "tls_odd_even",
    "duration_over_period",
    "odd_even_depth_diff",
    "transit_symmetry",
    "periodicity_strength",
    "secondary_depth",
    "ingress_egress_ratio",
    "phase_coverage",
    "red_noise",
)

#: Metadata written next to the features (see docs/exoplanets.md).
METADATA_COLUMNS = (
    "period_match",
    "odd_even_sigma",
    "secondary_sigma",
    "variability_period",
    "detrend_window_days",
    "lc_mission",
    "n_points",
    "cadence_days",
    "quality_bitmask",
    "runtime_s",
    "category",
    "reason",
)

#: Catalog columns replaced by the input_* features (duration converted from hours to days).
CATALOG_INPUTS = {
    "period": "input_period",
    "depth": "input_depth",
    "duration": "input_duration",
    "epoch": "input_epoch",
}


@dataclass(frozen=True)
class Settings:
    """Search settings (``exoplanets.search`` in the config)."""

    quality_bitmask: str = "default"
    min_points: int = 500
    detrend_window_days: float = 0.75
    detrend_min_window_days: float = 0.3
    period_min_days: float = 0.5
    period_max_days: float | None = None
    star_radius: float = 1.0
    star_mass: float = 1.0
    threads: int = 1


def _star(row: Mapping, column: str, default: float) -> float:
    """Optional per-target stellar parameter from the catalog, else the configured default."""
    value = float("nan") if row.get(column) is None else float(row[column])
    return value if np.isfinite(value) and value > 0 else default


def period_match(found: float, catalog: float, tolerance: float = 0.01) -> str | None:
    """Classify a recovered period against the catalog period.

    ``match`` within ``tolerance`` (relative), ``half`` or ``double`` for the 1/2 and 2x
    aliases within the same tolerance, ``mismatch`` otherwise; None without a catalog period.
    Aliases are flagged, never counted as recovered.
    """
    if not (np.isfinite(catalog) and catalog > 0 and np.isfinite(found)):
        return None
    ratio = found / catalog
    for name, target in (("match", 1.0), ("half", 0.5), ("double", 2.0)):
        if abs(ratio - target) <= tolerance * target:
            return name
    return "mismatch"


def search_light_curve(lc: LightCurve, settings: Settings, star_radius: float, star_mass: float) -> dict:
    """Everything the features and the diagnostic plots need from one light curve.

    Returns a dict with the relative-time arrays (``time`` in days since ``t_ref``, detrended
    ``flux``, ``flux_err``), ``t_ref`` (BJD_TDB), the detrending window and the variability
    period it was chosen from (days), and the ``tls`` and ``bls`` results.
    """
    t_ref = float(np.floor(lc.time[0]))
    time = lc.time - t_ref
    window, var_period = detrend_window(time, lc.flux, settings.detrend_window_days, settings.detrend_min_window_days)
    flat = detrend(time, lc.flux, window)
    keep = clip_upper_outliers(flat)
    if keep.sum() < settings.min_points:
        raise SampleError(
            "too_few_points",
            f"{keep.sum()} points left after detrending, at least {settings.min_points} are needed",
        )
    finite = np.isfinite(flat)
    time, flux, flux_err = time[keep], flat[keep], lc.flux_err[keep]
    tls = tls_search(
        time,
        flux,
        flux_err,
        period_min=settings.period_min_days,
        period_max=settings.period_max_days,
        star_radius=star_radius,
        star_mass=star_mass,
        threads=settings.threads,
    )
    bls = bls_search(time, flux, flux_err, tls.periods)
    return {
        "t_ref": t_ref,
        "time": time,
        "flux": flux,
        "flux_err": flux_err,
        "detrended_all": flat[finite],
        "detrend_window_days": window,
        "variability_period": var_period,
        "tls": tls,
        "bls": bls,
    }


def compute_features(lc: LightCurve, inputs: Mapping, settings: Settings) -> tuple[dict, dict]:
    """The 27 features of one light curve, plus the search products for diagnostics.

    ``inputs`` holds the catalog's ``period`` (d), ``depth`` (ppm), ``duration`` (h) and
    ``epoch`` (BJD_TDB), and optionally ``star_radius`` and ``star_mass`` (solar units) for
    the TLS period grid. Flux statistics are of the detrended flux before outlier clipping
    (std and MAD in ppm, MAD unscaled; skewness and excess kurtosis, Fisher). Search
    features come from TLS and BLS; vetting features fold on the TLS period, T0, duration.
    """
    s = search_light_curve(
        lc,
        settings,
        star_radius=_star(inputs, "star_radius", settings.star_radius),
        star_mass=_star(inputs, "star_mass", settings.star_mass),
    )
    tls, bls = s["tls"], s["bls"]
    time, flux = s["time"], s["flux"]
    all_flux = s["detrended_all"]
    P, t0, T14 = tls.period, tls.t0, tls.duration
    oe_diff, oe_sigma = vetting.odd_even(time, flux, P, t0, T14)
    sec_depth, sec_sigma = vetting.secondary_eclipse(time, flux, P, t0, T14)
    centres, means, counts = vetting.binned_fold(time, flux, P, t0, T14)
    features = {
        "input_period": float(inputs["period"]),
        "input_depth": float(inputs["depth"]),
        "input_duration": float(inputs["duration"]) / 24.0,
        "input_epoch": float(inputs["epoch"]),
        "flux_std": float(np.std(all_flux) * 1e6),
        "flux_mad": float(np.median(np.abs(all_flux - np.median(all_flux))) * 1e6),
        "flux_skewness": float(stats.skew(all_flux)),
        "flux_kurtosis": float(stats.kurtosis(all_flux)),
        "bls_period": bls.period,
        "bls_t0": bls.t0 + s["t_ref"],
        "bls_duration": bls.duration,
        "bls_depth": bls.depth,
        "bls_snr": bls.snr,
        "bls_power": bls.power,
        "tls_period": P,
        "tls_depth": tls.depth,
        "tls_snr": tls.snr,
        "tls_sde": tls.sde,
        "tls_odd_even": tls.odd_even_mismatch,
        "duration_over_period": T14 / P,
        "odd_even_depth_diff": oe_diff,
        "transit_symmetry": vetting.transit_symmetry(centres, means, T14),
        "periodicity_strength": vetting.periodicity_strength(time, flux, P, t0, T14),
        "secondary_depth": sec_depth,
        "ingress_egress_ratio": vetting.ingress_egress_ratio(centres, means, counts, T14),
        "phase_coverage": vetting.phase_coverage(time, P, t0, T14, lc.cadence_days),
        "red_noise": vetting.red_noise_beta(time, flux, P, t0, T14, lc.cadence_days),
    }
    extra = {
        "period_match": period_match(P, float(inputs["period"])),
        "odd_even_sigma": oe_sigma,
        "secondary_sigma": sec_sigma,
        "tls_t0": t0 + s["t_ref"],
        "tls_duration": T14,
        "n_points": int(time.size),
        "variability_period": s["variability_period"],
        "detrend_window_days": s["detrend_window_days"],
    }
    return features, {**extra, "search": s}


def target_features(row: Mapping, locate: Callable[[], str], settings: Settings) -> dict:
    """One output row for one catalog row: ``status`` ok with the features, or ``failed``
    with a ``category`` and ``reason``; never raises for a bad sample.

    ``locate()`` returns the light-curve path, or raises ``SampleError`` (e.g. ``no_data``
    for a target MAST has nothing for); it is called inside the failure handling.
    """
    start = _time.process_time()
    out: dict = {"target_id": row["target_id"], "status": "ok"}
    out.update(dict.fromkeys(FEATURE_COLUMNS, np.nan))
    out.update(dict.fromkeys(METADATA_COLUMNS, None))
    out["quality_bitmask"] = settings.quality_bitmask
    try:
        lc = read_lightcurve(locate(), settings.quality_bitmask, settings.min_points)
        out.update(lc_mission=lc.mission, cadence_days=lc.cadence_days)
        try:
            features, extra = compute_features(lc, row, settings)
        except SampleError:
            raise
        except Exception as exc:  # a science failure on one sample is a failed row, not a failed batch
            raise SampleError("search_failed", f"{type(exc).__name__}: {exc}") from exc
        out.update(features)
        out.update({k: extra[k] for k in METADATA_COLUMNS if k in extra})
    except SampleError as err:
        out.update(status="failed", category=err.category, reason=err.reason)
        for name, col in CATALOG_INPUTS.items():
            out[col] = float(row[name]) / (24.0 if name == "duration" else 1.0)
    out["runtime_s"] = round(_time.process_time() - start, 3)
    return out


def feature_table(rows: list[dict], catalog: pd.DataFrame) -> pd.DataFrame:
    """Assemble output rows into the feature table, in catalog order, carrying through the
    catalog's other columns (except the four replaced by input_* features). A carried column
    whose name is also an output column (the demo's truth ``secondary_depth``, say) is
    renamed ``catalog_<name>``."""
    columns = ["target_id", "status", *FEATURE_COLUMNS, *METADATA_COLUMNS]
    table = pd.DataFrame(rows, columns=columns)
    carried = catalog.drop(columns=[c for c in CATALOG_INPUTS if c in catalog.columns])
    carried = carried.rename(columns={c: f"catalog_{c}" for c in carried.columns if c in columns[1:]})
    table = table.merge(carried, on="target_id", how="left", validate="one_to_one")
    float_cols = [
        *FEATURE_COLUMNS,
        "odd_even_sigma",
        "secondary_sigma",
        "variability_period",
        "detrend_window_days",
        "cadence_days",
        "runtime_s",
    ]
    table[float_cols] = table[float_cols].astype("float64")
    table["n_points"] = table["n_points"].astype("Int64")
    for col in ("period_match", "lc_mission", "quality_bitmask", "category", "reason"):
        table[col] = table[col].astype("string")
    return table
