"""Reading light curves into plain arrays, stitching a star's sectors or quarters, and the
per-sample failures that reading can raise.

TESS SPOC, Kepler and K2SFF files are read with astropy.io.fits alone (:mod:`.lightcurve_fits`,
the values lightkurve's readers give); every other format goes through ``lightkurve.read``, which
picks the reader from what the file says about itself. Cadences flagged by the
quality bitmask (lightkurve's ``"default"`` unless configured) and non-finite values are
dropped; the flux of each file (sector, quarter, campaign) is normalised by its own median, and
the files of one star are then stitched in time order (:func:`stitch`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from .lightcurve_fits import Table, read_table


class SampleError(Exception):
    """A sample that cannot be processed; becomes a ``failed`` row, never a failed job.

    ``category`` is one of ``no_data``, ``unreadable``, ``too_few_points``, ``all_nan``,
    ``baseline_too_short``, ``search_failed`` (and ``bad_catalog_row`` for catalog rows).
    """

    def __init__(self, category: str, reason: str):
        super().__init__(reason)
        self.category = category
        self.reason = reason


@dataclass(frozen=True)
class LightCurve:
    """A cleaned light curve.

    time: BJD_TDB in days; flux: normalised to a median of 1; flux_err: in the same units
    (estimated from the point-to-point scatter where the file gives none). ``segments``: one
    ``(name, first time, last time)`` per file stitched in (``S24`` for a TESS sector, ``Q3`` a
    Kepler quarter, ``C1`` a K2 campaign, else the file name; times BJD_TDB).
    """

    time: np.ndarray
    flux: np.ndarray
    flux_err: np.ndarray
    mission: str
    cadence_days: float
    quality_bitmask: str
    n_cadences: int
    segments: tuple[tuple[str, float, float], ...]

    @property
    def span_days(self) -> float:
        """Time from the first to the last cadence (days)."""
        return float(self.time[-1] - self.time[0])


def _plain(values) -> np.ndarray:
    """Astropy (masked) quantity or array to a float64 ndarray with NaN where masked."""
    values = getattr(values, "value", values)
    return np.asarray(np.ma.filled(np.ma.asarray(values, dtype=float), np.nan), dtype=float)


def _read_with_lightkurve(path: str | os.PathLike, quality_bitmask: str) -> Table:
    """A light-curve file of a format :func:`.lightcurve_fits.read_table` leaves to lightkurve,
    through ``lightkurve.read`` (times BJD_TDB in days)."""
    import lightkurve

    lc = lightkurve.read(str(path), quality_bitmask=quality_bitmask)
    flux = _plain(lc.flux)
    return Table(
        time=_plain(lc.time.tdb.jd),
        flux=flux,
        flux_err=_plain(lc.flux_err) if lc.flux_err is not None else np.full_like(flux, np.nan),
        n_cadences=len(flux),
        mission=str(lc.meta.get("MISSION") or lc.meta.get("TELESCOP") or "unknown"),
        header=lc.meta,
    )


def read_lightcurve(path: str | os.PathLike, quality_bitmask: str = "default", min_points: int = 500) -> LightCurve:
    """Read one light-curve file (:func:`.lightcurve_fits.read_table`, else ``lightkurve.read``)
    and clean it.

    Raises ``SampleError``: ``no_data`` if the file does not exist, ``unreadable`` if no
    reader can open it, ``all_nan`` if no finite flux remains after the quality
    mask, ``too_few_points`` if fewer than ``min_points`` finite cadences remain.
    """
    if not os.path.exists(path):
        raise SampleError("no_data", f"{path}: light-curve file not found")
    try:
        table = read_table(path, quality_bitmask) or _read_with_lightkurve(path, quality_bitmask)
    except Exception as exc:  # any reader failure means this file is unusable: one failed row
        raise SampleError("unreadable", f"{path}: cannot be read as a light curve: {exc}") from exc
    time, flux, flux_err = table.time, table.flux, table.flux_err

    n_cadences = table.n_cadences
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

    return LightCurve(
        time=time,
        flux=flux,
        flux_err=flux_err,
        mission=table.mission,
        cadence_days=float(np.median(np.diff(time))),
        quality_bitmask=str(quality_bitmask),
        n_cadences=n_cadences,
        segments=((segment_name(table.header, path), float(time[0]), float(time[-1])),),
    )


def segment_name(header, path) -> str:
    """``S<sector>``, ``Q<quarter>`` or ``C<campaign>`` from a light curve's header cards, else
    the file name."""
    for card, letter in (("SECTOR", "S"), ("QUARTER", "Q"), ("CAMPAIGN", "C")):
        value = header.get(card)
        if value is not None and str(value).strip() != "":
            return f"{letter}{int(value)}"
    return os.path.basename(str(path))


def stitch(parts: list[LightCurve], max_segments: int | None = None, max_span_days: float | None = None) -> LightCurve:
    """One light curve of a star from its files, each already normalised to its own median.

    The parts are ordered by their first time; with ``max_segments`` only the first that many
    are kept, with ``max_span_days`` only those ending within that many days of the first
    cadence (the first part is always kept). ``cadence_days`` is the shortest cadence of the
    parts, ``mission`` that of the first.
    """
    parts = sorted(parts, key=lambda lc: lc.time[0])
    if max_segments is not None:
        parts = parts[:max_segments]
    if max_span_days is not None:
        parts = [lc for i, lc in enumerate(parts) if i == 0 or lc.time[-1] - parts[0].time[0] <= max_span_days]
    if len(parts) == 1:
        return parts[0]
    time = np.concatenate([lc.time for lc in parts])
    order = np.argsort(time, kind="stable")
    return LightCurve(
        time=time[order],
        flux=np.concatenate([lc.flux for lc in parts])[order],
        flux_err=np.concatenate([lc.flux_err for lc in parts])[order],
        mission=parts[0].mission,
        cadence_days=min(lc.cadence_days for lc in parts),
        quality_bitmask=parts[0].quality_bitmask,
        n_cadences=sum(lc.n_cadences for lc in parts),
        segments=tuple(seg for lc in parts for seg in lc.segments),
    )


def read_star(
    paths: list[str],
    quality_bitmask: str = "default",
    min_points: int = 500,
    max_segments: int | None = None,
    max_span_days: float | None = None,
) -> tuple[LightCurve, list[SampleError]]:
    """Read every file of one star and stitch them (:func:`stitch`).

    Returns the stitched light curve and the errors of the files that could not be used
    (reported, not fatal, while another file of the star is usable). Raises the first file's
    ``SampleError`` when none is usable, ``no_data`` when ``paths`` is empty.
    """
    if not paths:
        raise SampleError("no_data", "no light-curve file for this star")
    parts, errors = [], []
    for path in paths:
        try:
            parts.append(read_lightcurve(path, quality_bitmask, min_points))
        except SampleError as err:
            errors.append(err)
    if not parts:
        raise errors[0]
    return stitch(parts, max_segments, max_span_days), errors
