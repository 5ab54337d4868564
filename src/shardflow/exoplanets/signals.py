"""Every planet of a star: the iterative transit search and the matching of catalog rows to
its detections.

The search (:func:`iterative_search`) follows TLS's documented practice for multi-planet
systems (Hippke & Heller 2019, section 2.6; the ``transit_mask`` tutorial): find the strongest
signal, mask its transits (a window of twice its duration around each mid-transit), search
again. It stops after ``max_signals`` detections, when a search finds nothing above
``sde_threshold``, or when the star has catalog periods and every one has its detection (or an
alias of it): a further search could only find signals no row asks for.

Each catalog row is then matched to one detection (:func:`match_rows`): the one at its catalog
period (``match``), else one at half or twice it (``half``/``double``, flagged as aliases), each
detection serving at most one row. A row with a catalog period that no detection matches gets
its own search, restricted to a narrow window around that period, on the light curve with the
matched planets' transits masked (:func:`window_search`, ``window``). A row without a catalog
period takes the strongest detection no other row took.

Every periodic search is one ``fastsearch.fold_search`` (TLS's grid, templates and statistics
from a coarse-to-fine fold, and a BLS from the same folds); times in days, in the caller's time
system.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .fastsearch import fold_search
from .search import BLSResult, TLSResult
from .vetting import phase_days

#: Relative period tolerance of a match, and the alias ratios flagged (as ``period_match``).
MATCH_TOLERANCE = 0.01
ALIASES = (("match", 1.0), ("half", 0.5), ("double", 2.0))


@dataclass(frozen=True)
class Detection:
    """One periodic signal: the TLS and BLS results of the search that found it, ``keep`` (the
    points that search saw: transits of earlier detections masked) and ``found_by``
    (``search`` for the iterative search, ``window`` for a search around a catalog period)."""

    tls: TLSResult
    bls: BLSResult
    keep: np.ndarray
    found_by: str


def period_match(found: float, catalog: float, tolerance: float = MATCH_TOLERANCE) -> str | None:
    """Classify a recovered period against the catalog period.

    ``match`` within ``tolerance`` (relative), ``half`` or ``double`` for the 1/2 and 2x
    aliases within the same tolerance, ``mismatch`` otherwise; None without a catalog period.
    """
    if not (np.isfinite(catalog) and catalog > 0 and np.isfinite(found)):
        return None
    ratio = found / catalog
    for name, target in ALIASES:
        if abs(ratio - target) <= tolerance * target:
            return name
    return "mismatch"


def transit_mask(time: np.ndarray, period: float, t0: float, duration: float) -> np.ndarray:
    """Points within one ``duration`` of a mid-transit (a window twice the transit's length, as
    TLS's tutorial masks found planets)."""
    return np.abs(phase_days(time, period, t0)) < duration


def _search(time, flux, flux_err, keep, found_by: str, **tls_kwargs) -> Detection:
    tls, bls = fold_search(time[keep], flux[keep], flux_err[keep], **tls_kwargs)
    return Detection(tls, bls, keep, found_by)


def iterative_search(
    time: np.ndarray,
    flux: np.ndarray,
    flux_err: np.ndarray,
    *,
    catalog_periods: Sequence[float],
    max_signals: int,
    sde_threshold: float,
    min_points: int,
    **tls_kwargs,
) -> list[Detection]:
    """Detections of the star, strongest first (see the module doc for when it stops).

    The first detection is always returned, however weak (its features describe a star without
    a significant signal); later ones only with SDE at least ``sde_threshold``. A search that
    would see fewer than ``min_points`` points is not run. ``tls_kwargs`` go to
    ``fastsearch.fold_search`` (period_min, period_max, star_radius, star_mass, threads).
    """
    wanted = [p for p in catalog_periods if np.isfinite(p) and p > 0]
    keep = np.ones(time.size, bool)
    detections: list[Detection] = []
    while len(detections) < max_signals and keep.sum() >= min_points:
        found = _search(time, flux, flux_err, keep, "search", **tls_kwargs)
        if detections and not found.tls.sde >= sde_threshold:
            break
        detections.append(found)
        if not found.tls.sde >= sde_threshold:
            break
        periods = [d.tls.period for d in detections]
        if wanted and all(any(period_match(f, p) not in (None, "mismatch") for f in periods) for p in wanted):
            break
        keep = keep & ~transit_mask(time, found.tls.period, found.tls.t0, found.tls.duration)
    return detections


def match_rows(
    catalog_periods: Sequence[float], detections: Sequence[Detection]
) -> list[tuple[int | None, str | None]]:
    """For each catalog period: (index of its detection or None, ``period_match``).

    Pairs are taken best first (an exact match before an alias, then the smaller relative
    error), each row and each detection at most once. Rows without a catalog period then take
    the strongest detection left (or the strongest of all when none is left), with
    ``period_match`` None. A row with a period and no pair gets (None, None): it needs a
    window search.
    """
    pairs = []
    for i, period in enumerate(catalog_periods):
        for j, det in enumerate(detections):
            kind = period_match(det.tls.period, period)
            if kind in ("match", "half", "double"):
                target = dict(ALIASES)[kind]
                pairs.append((kind != "match", abs(det.tls.period / period - target), i, j, kind))
    out: list[tuple[int | None, str | None]] = [(None, None)] * len(catalog_periods)
    taken: set[int] = set()
    for _, _, i, j, kind in sorted(pairs):
        if out[i][0] is None and j not in taken:
            out[i] = (j, kind)
            taken.add(j)
    for i, period in enumerate(catalog_periods):
        if not (np.isfinite(period) and period > 0) and detections:
            left = [j for j in range(len(detections)) if j not in taken]
            j = left[0] if left else 0
            taken.add(j)
            out[i] = (j, None)
    return out


def window_search(
    time: np.ndarray,
    flux: np.ndarray,
    flux_err: np.ndarray,
    period: float,
    *,
    others: Sequence[Detection],
    half_width: float,
    **tls_kwargs,
) -> Detection:
    """TLS (and BLS on its grid) between ``period * (1 - half_width)`` and
    ``period * (1 + half_width)`` days, with the transits of ``others`` (the star's matched
    detections) masked."""
    keep = np.ones(time.size, bool)
    for det in others:
        keep &= ~transit_mask(time, det.tls.period, det.tls.t0, det.tls.duration)
    tls_kwargs = {**tls_kwargs, "period_min": period * (1 - half_width), "period_max": period * (1 + half_width)}
    return _search(time, flux, flux_err, keep, "window", **tls_kwargs)
