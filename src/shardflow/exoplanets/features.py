"""The 27 transit-search features of every catalog row of a star, and the feature table of a
batch.

Pipeline per star: read every file of the star and stitch them (``lightcurves``), detrend with
wotan, clip upward outliers, search iteratively for every planet (``signals``: TLS, then BLS on
the TLS period grid), match each catalog row to its own signal, then compute the vetting
features (``vetting``) of each row on the light curve folded on its signal. Units: periods,
epochs and durations in days (epochs as BJD_TDB), depths in ppm. Definitions and sources are
tabulated in ``docs/exoplanets.md``.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import vetting
from .diagnostics import diagnostic_table
from .lightcurves import LightCurve, SampleError, read_star
from .search import clip_upper_outliers, detrend, detrend_window
from .signals import Detection, iterative_search, match_rows, window_search

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
    "lc_segments",
    "n_segments",
    "time_span_days",
    "n_detections",
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
#: Catalog bookkeeping folded into ``status``, ``category`` and ``reason``.
CATALOG_STATUS = ("catalog_status", "catalog_reason")


@dataclass(frozen=True)
class Settings:
    """Search settings: the keys of ``exoplanets.search`` in the config, whose defaults live in
    ``config/schema.yaml`` only (build with ``Settings(**config["exoplanets"]["search"])``), and
    ``threads``, the job's thread count. Units as in the schema (days, solar units)."""

    quality_bitmask: str | int
    min_points: int
    detrend_window_days: float
    detrend_min_window_days: float
    detrend_edge_days: float | None
    period_min_days: float
    period_max_days: float | None
    star_radius: float
    star_mass: float
    max_signals: int
    sde_threshold: float
    period_window: float
    max_segments: int | None
    max_span_days: float | None
    threads: int = 1


def _star(row: Mapping, column: str, default: float) -> float:
    """Optional per-target stellar parameter from the catalog, else the configured default."""
    value = float("nan") if row.get(column) is None else float(row[column])
    return value if np.isfinite(value) and value > 0 else default


def edge_mask(time: np.ndarray, window_days: float, edge_days: float) -> np.ndarray:
    """Points at least ``edge_days`` from both ends of their stretch of data.

    Stretches are split at gaps longer than half the biweight window (wotan's default
    ``break_tolerance``, where ``flatten`` detrends each stretch on its own). Within
    ``edge_days`` of a stretch's first or last cadence the running biweight sees a one-sided
    window, so thermal ramps after downlinks and the short islands of data between gaps are
    left in the detrended flux as dips; dropping them is wotan's ``edge_cutoff`` (Hippke et al.
    2019, AJ 158, 143), whose largest value, half the window, keeps only points whose window
    was full. A stretch shorter than ``2 * edge_days`` is dropped whole. ``time`` sorted (days).
    """
    starts = np.concatenate(([0], np.flatnonzero(np.diff(time) > window_days / 2) + 1))
    stretch = np.repeat(np.arange(starts.size), np.diff(np.append(starts, time.size)))
    first = time[starts][stretch]
    last = time[np.append(starts[1:], time.size) - 1][stretch]
    return (time >= first + edge_days) & (time <= last - edge_days)


def prepare_light_curve(lc: LightCurve, settings: Settings) -> dict:
    """Detrended, edge-trimmed, outlier-clipped arrays of a (stitched) light curve, in days
    since ``t_ref``.

    Each file is already normalised to its own median (``lightcurves``). The biweight window is
    chosen on the whole light curve (``search.detrend_window``), wotan detrends each stretch
    between gaps on its own, and the points within ``detrend_edge_days`` of a stretch's ends
    (null: half the window) are dropped (:func:`edge_mask`).

    Returns ``t_ref`` (BJD_TDB, the first cadence's day), ``time``, ``flux`` (detrended),
    ``flux_err``, ``detrended_all`` (finite detrended flux of the kept points before clipping),
    ``all_time`` (every kept cadence, for the coverage), ``segments`` (``(start, end)`` per
    file), the detrending window and the variability period it was chosen from (days).
    """
    t_ref = float(np.floor(lc.time[0]))
    time = lc.time - t_ref
    window, var_period = detrend_window(time, lc.flux, settings.detrend_window_days, settings.detrend_min_window_days)
    edges = edge_mask(time, window, window / 2 if settings.detrend_edge_days is None else settings.detrend_edge_days)
    flat = detrend(time, lc.flux, window)
    flat[~edges] = np.nan
    keep = clip_upper_outliers(flat)
    if keep.sum() < settings.min_points:
        raise SampleError(
            "too_few_points",
            f"{keep.sum()} points left after detrending and trimming the edges of the data, "
            f"at least {settings.min_points} are needed",
        )
    return {
        "t_ref": t_ref,
        "time": time[keep],
        "flux": flat[keep],
        "flux_err": lc.flux_err[keep],
        "detrended_all": flat[np.isfinite(flat)],
        "all_time": time[edges],
        "segments": [(start - t_ref, end - t_ref) for _, start, end in lc.segments],
        "detrend_window_days": window,
        "variability_period": var_period,
        "cadence_days": lc.cadence_days,
    }


def signal_features(prep: dict, det: Detection, inputs: Mapping) -> dict:
    """The 27 features of one catalog row (``inputs``: ``period`` d, ``depth`` ppm, ``duration``
    h, ``epoch`` BJD_TDB) whose signal is ``det``. Flux statistics are of the star's detrended
    flux before outlier clipping (std and MAD in ppm, MAD unscaled; skewness and excess
    kurtosis, Fisher); vetting features fold the points ``det``'s search saw on its period, T0
    and duration; the phase coverage counts every cadence of the light curve."""
    tls, bls = det.tls, det.bls
    time, flux = prep["time"][det.keep], prep["flux"][det.keep]
    all_flux = prep["detrended_all"]
    P, t0, T14 = tls.period, tls.t0, tls.duration
    oe_diff, _ = vetting.odd_even(time, flux, P, t0, T14)
    sec_depth, _ = vetting.secondary_eclipse(time, flux, P, t0, T14)
    centres, means, counts = vetting.binned_fold(time, flux, P, t0, T14)
    return {
        "input_period": float(inputs["period"]),
        "input_depth": float(inputs["depth"]),
        "input_duration": float(inputs["duration"]) / 24.0,
        "input_epoch": float(inputs["epoch"]),
        "flux_std": float(np.std(all_flux) * 1e6),
        "flux_mad": float(np.median(np.abs(all_flux - np.median(all_flux))) * 1e6),
        "flux_skewness": float(stats.skew(all_flux)),
        "flux_kurtosis": float(stats.kurtosis(all_flux)),
        "bls_period": bls.period,
        "bls_t0": bls.t0 + prep["t_ref"],
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
        "phase_coverage": vetting.phase_coverage(prep["all_time"], P, t0, T14, prep["segments"]),
        "red_noise": vetting.red_noise_beta(time, flux, P, t0, T14, prep["cadence_days"]),
    }


def _signal_extra(prep: dict, det: Detection, match: str | None, n_detections: int) -> dict:
    time, flux = prep["time"][det.keep], prep["flux"][det.keep]
    P, t0, T14 = det.tls.period, det.tls.t0, det.tls.duration
    return {
        "period_match": match,
        "odd_even_sigma": vetting.odd_even(time, flux, P, t0, T14)[1],
        "secondary_sigma": vetting.secondary_eclipse(time, flux, P, t0, T14)[1],
        "tls_t0": t0 + prep["t_ref"],
        "tls_duration": T14,
        "n_points": int(time.size),
        "n_detections": n_detections,
        "variability_period": prep["variability_period"],
        "detrend_window_days": prep["detrend_window_days"],
    }


def star_features(lc: LightCurve, rows: Sequence[Mapping], settings: Settings) -> list:
    """Features of every catalog row of one star on its (stitched) light curve.

    The star is searched once (``signals.iterative_search``), each row matched to its own
    detection (``signals.match_rows``), and a row with a catalog period no detection matches
    gets a search in a window of +-``period_window`` (relative) around it, on the light curve
    with the matched planets masked (``period_match`` ``window``). Returns, per row, either
    ``(features, extra)`` (``extra``: metadata, and ``signal``: the row's detection and
    ``prep``) or the ``SampleError`` of that row. Raises ``SampleError`` for what fails the
    whole star (too few points after detrending).
    """
    prep = prepare_light_curve(lc, settings)
    first = rows[0]
    tls_kwargs = dict(
        period_max=settings.period_max_days,
        star_radius=_star(first, "star_radius", settings.star_radius),
        star_mass=_star(first, "star_mass", settings.star_mass),
        threads=settings.threads,
    )
    periods = [float(r["period"]) for r in rows]
    time, flux, flux_err = prep["time"], prep["flux"], prep["flux_err"]
    detections = iterative_search(
        time,
        flux,
        flux_err,
        catalog_periods=periods,
        max_signals=settings.max_signals,
        sde_threshold=settings.sde_threshold,
        min_points=settings.min_points,
        period_min=settings.period_min_days,
        **tls_kwargs,
    )
    matches = match_rows(periods, detections)
    matched = [detections[j] for j, _ in matches if j is not None]
    out = []
    for row, period, (j, kind) in zip(rows, periods, matches):
        try:
            span = float(time[-1] - time[0])
            if j is None and period * (1 - settings.period_window) > span / 2:
                raise SampleError(
                    "baseline_too_short",
                    f"catalog period {period:.4f} d: the {span:.1f}-d light curve ({lc.segments[0][0]}"
                    f"{'' if len(lc.segments) == 1 else ' to ' + lc.segments[-1][0]}) holds fewer than two "
                    "transits (TLS searches periods up to half the time span)",
                )
            if j is None:
                det, kind = (
                    window_search(
                        time, flux, flux_err, period, others=matched, half_width=settings.period_window, **tls_kwargs
                    ),
                    "window",
                )
            else:
                det = detections[j]
            extra = {**_signal_extra(prep, det, kind, len(detections)), "signal": det, "prep": prep}
            out.append((signal_features(prep, det, row), extra))
        except SampleError as err:
            out.append(err)
        except Exception as exc:  # a science failure on one row is a failed row, not a failed star
            out.append(SampleError("search_failed", f"{type(exc).__name__}: {exc}"))
    return out


def compute_features(lc: LightCurve, inputs: Mapping, settings: Settings) -> tuple[dict, dict]:
    """The 27 features of one catalog row whose star has no other row (``star_features`` of
    that row); raises its ``SampleError``."""
    result = star_features(lc, [inputs], settings)[0]
    if isinstance(result, SampleError):
        raise result
    return result


def _failed(out: dict, row: Mapping, err: SampleError) -> None:
    out.update(status="failed", category=err.category, reason=err.reason)
    for name, col in CATALOG_INPUTS.items():
        out[col] = float(row[name]) / (24.0 if name == "duration" else 1.0)


def star_rows(
    rows: Sequence[Mapping],
    locate: Callable[[], str | list[str]],
    settings: Settings,
    diagnostics: list | None = None,
) -> list[dict]:
    """One output row per catalog row of one star: ``status`` ok with the features, or
    ``failed`` with a ``category`` and ``reason``; never raises for a bad sample.

    ``locate()`` returns the star's light-curve path(s), or raises ``SampleError`` (e.g.
    ``no_data`` for a star MAST has nothing for); it is called inside the failure handling. A
    row the catalog marked failed (``catalog_status``) is a failed row of category
    ``bad_catalog_row``. When ``diagnostics`` is a list, the diagnostic series of each ``ok``
    row (:func:`diagnostics.diagnostic_table`) are appended to it. ``runtime_s`` is the star's
    CPU time shared equally among its rows.
    """
    start = _time.process_time()
    outs = []
    for row in rows:
        out: dict = {"target_id": row["target_id"], "status": "ok"}
        out.update(dict.fromkeys(FEATURE_COLUMNS, np.nan))
        out.update(dict.fromkeys(METADATA_COLUMNS, None))
        out["quality_bitmask"] = str(settings.quality_bitmask)
        if row.get("catalog_status", "ok") != "ok":
            _failed(out, row, SampleError("bad_catalog_row", str(row.get("catalog_reason"))))
        outs.append(out)
    todo = [i for i, out in enumerate(outs) if out["status"] == "ok"]
    try:
        if todo:
            paths = locate()
            lc, skipped = read_star(
                [paths] if isinstance(paths, str) else list(paths),
                settings.quality_bitmask,
                settings.min_points,
                settings.max_segments,
                settings.max_span_days,
            )
            segments = ",".join(name for name, _, _ in lc.segments)
            for i in todo:
                outs[i].update(
                    lc_mission=lc.mission,
                    cadence_days=lc.cadence_days,
                    lc_segments=segments,
                    n_segments=len(lc.segments),
                    time_span_days=lc.span_days,
                    reason="; ".join(err.reason for err in skipped) or None,
                )
            results = star_features(lc, [rows[i] for i in todo], settings)
            for i, result in zip(todo, results):
                if isinstance(result, SampleError):
                    _failed(outs[i], rows[i], result)
                    continue
                features, extra = result
                outs[i].update(features)
                outs[i].update({k: extra[k] for k in METADATA_COLUMNS if k in extra})
                if diagnostics is not None:
                    s, det = extra["prep"], extra["signal"]
                    tls = det.tls
                    diagnostics.append(
                        diagnostic_table(
                            rows[i]["target_id"],
                            s["time"][det.keep],
                            s["flux"][det.keep],
                            tls.period,
                            tls.t0,
                            tls.duration,
                            tls.periods,
                            tls.power,
                        )
                    )
    except SampleError as err:
        for i in todo:
            _failed(outs[i], rows[i], err)
    except Exception as exc:  # a science failure on one star fails its rows, not the batch
        for i in todo:
            _failed(outs[i], rows[i], SampleError("search_failed", f"{type(exc).__name__}: {exc}"))
    runtime = round((_time.process_time() - start) / len(rows), 3)
    for out in outs:
        out["runtime_s"] = runtime
    return outs


def target_features(
    row: Mapping, locate: Callable[[], str | list[str]], settings: Settings, diagnostics: list | None = None
) -> dict:
    """One output row for a catalog row whose star has no other row (:func:`star_rows`)."""
    return star_rows([row], locate, settings, diagnostics)[0]


def feature_table(rows: list[dict], catalog: pd.DataFrame) -> pd.DataFrame:
    """Assemble output rows into the feature table, in catalog order, carrying through the
    catalog's other columns (except the four replaced by input_* features and the catalog's
    status columns). A carried column whose name is also an output column (the demo's truth
    ``secondary_depth``, say) is renamed ``catalog_<name>``."""
    columns = ["target_id", "status", *FEATURE_COLUMNS, *METADATA_COLUMNS]
    table = pd.DataFrame(rows, columns=columns)
    carried = catalog.drop(columns=[c for c in (*CATALOG_INPUTS, *CATALOG_STATUS) if c in catalog.columns])
    carried = carried.rename(columns={c: f"catalog_{c}" for c in carried.columns if c in columns[1:]})
    table = table.merge(carried, on="target_id", how="left", validate="one_to_one")
    float_cols = [
        *FEATURE_COLUMNS,
        "odd_even_sigma",
        "secondary_sigma",
        "variability_period",
        "detrend_window_days",
        "time_span_days",
        "cadence_days",
        "runtime_s",
    ]
    table[float_cols] = table[float_cols].astype("float64")
    for col in ("n_points", "n_segments", "n_detections"):
        table[col] = table[col].astype("Int64")
    for col in ("period_match", "lc_mission", "lc_segments", "quality_bitmask", "category", "reason"):
        table[col] = table[col].astype("string")
    return table
