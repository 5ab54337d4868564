"""Detrending and periodic transit searches (TLS and BLS) on a cleaned light curve.

Times are days (any zero point; callers pass times relative to a reference epoch so the
searches work on small numbers), fluxes are normalised to 1.

References:
- Hippke & Heller (2019), A&A 623, A39: Transit Least Squares (``transitleastsquares`` 2.0.4).
- Kovacs, Zucker & Mazeh (2002), A&A 391, 369: Box Least Squares
  (``astropy.timeseries.BoxLeastSquares``).
- Hippke et al. (2019), AJ 158, 143: wotan, the time-windowed biweight detrender.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Trial durations of the BLS search, days (0.7 h to 7.2 h).
BLS_DURATIONS_DAYS = (0.03, 0.06, 0.1, 0.16, 0.3)


#: Variability periods searched by ``variability_period`` (days).
VARIABILITY_PERIOD_RANGE = (0.3, 15.0)
#: Lomb-Scargle power above which the variability counts as coherent (rotational).
COHERENT_POWER = 0.2
#: The biweight window is at most this fraction of a coherent variability period.
WINDOW_FRACTION_OF_PERIOD = 1.0 / 6.0


def variability_period(time: np.ndarray, flux: np.ndarray) -> tuple[float, float]:
    """Period (days) and normalised Lomb-Scargle power of the strongest variability between
    0.3 and 15 d, from the light curve binned to 30 minutes (astropy ``LombScargle``)."""
    from astropy.timeseries import LombScargle

    idx = np.floor((time - time[0]) * 48.0).astype(np.int64)
    counts = np.bincount(idx)
    filled = counts > 0
    t_bin = np.bincount(idx, weights=time)[filled] / counts[filled]
    f_bin = np.bincount(idx, weights=flux)[filled] / counts[filled]
    lo, hi = VARIABILITY_PERIOD_RANGE
    frequency = np.linspace(1.0 / hi, 1.0 / lo, 3000)
    power = LombScargle(t_bin, f_bin).power(frequency)
    best = int(np.argmax(power))
    return float(1.0 / frequency[best]), float(power[best])


def detrend_window(
    time: np.ndarray, flux: np.ndarray, max_window_days: float, min_window_days: float
) -> tuple[float, float]:
    """Biweight window for this light curve (days), and the variability period it used.

    A running location estimate of width w is biased by the curvature of the variability
    (about f'' w^2 / 24 for a window mean), so fast, coherent rotational modulation needs a
    shorter window: with coherent variability (Lomb-Scargle power above ``COHERENT_POWER``)
    of period P the window is P / 6 (the signal turns by 60 degrees across it), kept between
    ``min_window_days`` and ``max_window_days``; otherwise it is ``max_window_days``, about
    three times the longest transit sought (Hippke et al. 2019).
    """
    period, power = variability_period(time, flux)
    if power < COHERENT_POWER:
        return max_window_days, period
    window = min(max(period * WINDOW_FRACTION_OF_PERIOD, min_window_days), max_window_days)
    return float(window), period


def detrend(time: np.ndarray, flux: np.ndarray, window_days: float) -> np.ndarray:
    """Divide out stellar variability with wotan's time-windowed biweight filter.

    ``window_days`` should be about three times the longest transit duration sought
    (Hippke et al. 2019). Returns the flattened flux (NaN where the window had no data).
    """
    from wotan import flatten

    return np.asarray(flatten(time, flux, window_length=window_days, method="biweight"))


def clip_upper_outliers(flux: np.ndarray, nsigma: float = 4.0) -> np.ndarray:
    """Mask of points to keep: drop non-finite points and those more than ``nsigma``
    robust standard deviations (1.4826 MAD) above the median. Transits are dips, so only
    upward outliers (flares, cosmic rays) are removed."""
    finite = np.isfinite(flux)
    med = np.median(flux[finite])
    sigma = 1.4826 * np.median(np.abs(flux[finite] - med))
    return finite & (flux < med + nsigma * sigma)


@dataclass(frozen=True)
class TLSResult:
    """The TLS quantities the features use.

    period, duration, t0: days (t0 in the caller's time system); depth: ppm (1 - mean
    in-transit flux); snr, sde: as TLS defines them (Hippke & Heller 2019, eqs. 6 and 13);
    odd_even_mismatch: significance in sigma of the odd versus even mean depths (TLS).
    periods, power: the SDE periodogram.
    """

    period: float
    t0: float
    duration: float
    depth: float
    snr: float
    sde: float
    odd_even_mismatch: float
    periods: np.ndarray
    power: np.ndarray


def tls_grid_arguments(period_min: float, period_max: float | None, star_radius: float, star_mass: float) -> dict:
    """TLS's keyword arguments for the period and duration grid of a star of ``star_radius``
    and ``star_mass`` (solar units) between ``period_min`` and ``period_max`` days (None: TLS's
    default, half the span), without progress output.

    TLS's duration grid spans R_star_min..R_star_max and M_star_min..M_star_max (defaults
    0.13-3.5 R_sun, 0.1-1.0 M_sun) and rejects a star outside them: they are widened to include it.
    """
    kwargs = dict(
        R_star=star_radius,
        M_star=star_mass,
        R_star_min=min(0.13, star_radius),
        R_star_max=max(3.5, star_radius),
        M_star_min=min(0.1, star_mass),
        M_star_max=max(1.0, star_mass),
        period_min=period_min,
        show_progress_bar=False,
        verbose=False,
    )
    if period_max is not None:
        kwargs["period_max"] = period_max
    return kwargs


def tls_search(
    time: np.ndarray,
    flux: np.ndarray,
    flux_err: np.ndarray,
    *,
    period_min: float,
    period_max: float | None,
    star_radius: float = 1.0,
    star_mass: float = 1.0,
    threads: int = 1,
) -> TLSResult:
    """Run TLS with its default (limb-darkened) template and period grid: the reference that
    the pipeline's search, :func:`.fastsearch.fold_search`, is tested and benchmarked against.

    ``star_radius`` and ``star_mass`` (solar units) set the grid: its shortest period is the
    Roche limit of such a star (0.60 d for the Sun, 0.24 d for a 0.4 R_sun, 0.4 M_sun M
    dwarf) and its density follows Ofir (2014). Periods below ``period_min`` are cut.
    """
    from transitleastsquares import transitleastsquares

    kwargs = tls_grid_arguments(period_min, period_max, star_radius, star_mass)
    r = transitleastsquares(time, flux, flux_err).power(**kwargs, use_threads=threads)
    order = np.argsort(r.periods)
    return TLSResult(
        period=float(r.period),
        t0=float(r.T0),
        duration=float(r.duration),
        depth=float((1.0 - r.depth) * 1e6),
        snr=float(r.snr),
        sde=float(r.SDE),
        odd_even_mismatch=float(r.odd_even_mismatch),
        periods=np.asarray(r.periods)[order],
        power=np.asarray(r.power)[order],
    )


@dataclass(frozen=True)
class BLSResult:
    """The BLS peak: period, t0, duration in days; depth in ppm; snr = depth / depth
    uncertainty; power = the log-likelihood improvement over a constant flux."""

    period: float
    t0: float
    duration: float
    depth: float
    snr: float
    power: float


def bls_search(time: np.ndarray, flux: np.ndarray, flux_err: np.ndarray, periods: np.ndarray) -> BLSResult:
    """Box Least Squares on the given period grid (the TLS grid, so both searches see the
    same periods), with trial durations ``BLS_DURATIONS_DAYS`` shorter than the shortest
    period, maximising the log likelihood: the reference of :func:`.fastsearch.fold_search`'s
    BLS."""
    from astropy.timeseries import BoxLeastSquares

    durations = [d for d in BLS_DURATIONS_DAYS if d < 0.5 * periods.min()]
    bls = BoxLeastSquares(time, flux, flux_err)
    res = bls.power(periods, durations, objective="likelihood")
    i = int(np.nanargmax(res.power))
    depth = float(res.depth[i])
    depth_err = float(res.depth_err[i])
    return BLSResult(
        period=float(res.period[i]),
        t0=float(res.transit_time[i]),
        duration=float(res.duration[i]),
        depth=depth * 1e6,
        snr=depth / depth_err if depth_err > 0 else float("nan"),
        power=float(res.power[i]),
    )
