"""Reading light curves into plain arrays, and the per-sample failures that reading can raise.

All formats go through ``lightkurve.read``, which picks the reader from what the file says
about itself (TESS SPOC, Kepler, K2SFF, lightkurve exports, ...). Cadences flagged by the
quality bitmask (lightkurve's ``"default"`` unless configured) and non-finite values are
dropped; the flux is normalised by its median.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np


class SampleError(Exception):
    """A sample that cannot be processed; becomes a ``failed`` row, never a failed job.

    ``category`` is one of ``no_data``, ``unreadable``, ``too_few_points``, ``all_nan``,
    ``search_failed``.
    """

    def __init__(self, category: str, reason: str):
        super().__init__(reason)
        self.category = category
        self.reason = reason


@dataclass(frozen=True)
class LightCurve:
    """A cleaned light curve.

    time: BJD_TDB in days; flux: normalised to a median of 1; flux_err: in the same units
    (estimated from the point-to-point scatter where the file gives none).
    """

    time: np.ndarray
    flux: np.ndarray
    flux_err: np.ndarray
    mission: str
    cadence_days: float
    quality_bitmask: str
    n_cadences: int


def _plain(values) -> np.ndarray:
    """Astropy (masked) quantity or array to a float64 ndarray with NaN where masked."""
    values = getattr(values, "value", values)
    return np.asarray(np.ma.filled(np.ma.asarray(values, dtype=float), np.nan), dtype=float)


def read_lightcurve(path: str | os.PathLike, quality_bitmask: str = "default", min_points: int = 500) -> LightCurve:
    """Read one light-curve file with ``lightkurve.read`` and clean it.

    Raises ``SampleError``: ``no_data`` if the file does not exist, ``unreadable`` if no
    lightkurve reader can open it, ``all_nan`` if no finite flux remains after the quality
    mask, ``too_few_points`` if fewer than ``min_points`` finite cadences remain.
    """
    import lightkurve

    if not os.path.exists(path):
        raise SampleError("no_data", f"{path}: light-curve file not found")
    try:
        lc = lightkurve.read(str(path), quality_bitmask=quality_bitmask)
        time = _plain(lc.time.tdb.jd)
        flux = _plain(lc.flux)
        flux_err = _plain(lc.flux_err) if lc.flux_err is not None else np.full_like(flux, np.nan)
    except Exception as exc:  # any reader failure means this file is unusable: one failed row
        raise SampleError("unreadable", f"{path}: cannot be read as a light curve: {exc}") from exc

    n_cadences = len(time)
    good = np.isfinite(time) & np.isfinite(flux)
    if not good.any():
        raise SampleError("all_nan", f"{path}: no finite flux among {n_cadences} cadences")
    if good.sum() < min_points:
        raise SampleError(
            "too_few_points",
            f"{path}: {good.sum()} finite cadences, at least {min_points} are needed",
        )
    order = np.argsort(time[good], kind="stable")
    time, flux, flux_err = time[good][order], flux[good][order], flux_err[good][order]
    median = np.median(flux)
    if not median > 0:
        raise SampleError("unreadable", f"{path}: median flux {median} is not positive")
    flux = flux / median
    flux_err = flux_err / median
    if not np.isfinite(flux_err).all() or not (flux_err > 0).all():
        scatter = 1.4826 * np.median(np.abs(np.diff(flux))) / np.sqrt(2)
        flux_err = np.full_like(flux, scatter)

    mission = str(lc.meta.get("MISSION") or lc.meta.get("TELESCOP") or "unknown")
    return LightCurve(
        time=time,
        flux=flux,
        flux_err=flux_err,
        mission=mission,
        cadence_days=float(np.median(np.diff(time))),
        quality_bitmask=str(quality_bitmask),
        n_cadences=n_cadences,
    )
