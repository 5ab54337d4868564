"""Vetting features of a candidate transit signal, from the detrended light curve folded on
the candidate's period ``P``, mid-transit time ``t0`` and total duration ``T14`` (all days).

Flux is normalised to 1; depths are returned in ppm. Each function is pure and documents its
definition; ``docs/exoplanets.md`` tabulates them.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares


def phase_days(time: np.ndarray, period: float, t0: float) -> np.ndarray:
    """Time from the nearest mid-transit, days, in [-P/2, P/2)."""
    return (time - t0 + 0.5 * period) % period - 0.5 * period


def epoch_number(time: np.ndarray, period: float, t0: float) -> np.ndarray:
    """Integer transit number of each point (0 for the transit at t0)."""
    return np.floor((time - t0) / period + 0.5).astype(np.int64)


def _deficit(flux_window: np.ndarray, baseline: float, sigma: float) -> tuple[float, float]:
    """Mean flux deficit (ppm) of a window below ``baseline`` and its white-noise error (ppm)."""
    n = flux_window.size
    if n == 0:
        return float("nan"), float("nan")
    return (baseline - flux_window.mean()) * 1e6, sigma / np.sqrt(n) * 1e6


def _out_of_transit(phase: np.ndarray, duration: float) -> np.ndarray:
    return np.abs(phase) > duration


def odd_even(time, flux, period, t0, duration) -> tuple[float, float]:
    """Odd/even depth difference, as in the Kepler data-validation odd/even test.

    The depth of odd and of even transits is the mean flux deficit of points in the central
    part of the transit (|phase| < 0.35 T14, which avoids ingress and egress) below the
    out-of-transit median; its error is the out-of-transit scatter over sqrt(n). Returns
    (|d_odd - d_even| in ppm, significance |d_odd - d_even| / sqrt(e_odd^2 + e_even^2)).
    """
    phase = phase_days(time, period, t0)
    oot = _out_of_transit(phase, duration)
    baseline, sigma = np.median(flux[oot]), np.std(flux[oot])
    core = np.abs(phase) < 0.35 * duration
    odd = epoch_number(time, period, t0) % 2 == 1
    d_odd, e_odd = _deficit(flux[core & odd], baseline, sigma)
    d_even, e_even = _deficit(flux[core & ~odd], baseline, sigma)
    diff = abs(d_odd - d_even)
    return diff, diff / np.hypot(e_odd, e_even)


def secondary_eclipse(time, flux, period, t0, duration) -> tuple[float, float]:
    """Depth (ppm) and significance of a secondary eclipse at phase 0.5.

    Depth = median flux away from both eclipse windows minus the mean flux within T14/2 of
    phase 0.5; significance = depth / (out-of-window scatter / sqrt(n in window)). Negative
    depths (brighter at phase 0.5) are kept as they are.
    """
    phase = phase_days(time, period, t0)
    phase2 = phase_days(time, period, t0 + 0.5 * period)
    window = np.abs(phase2) < 0.5 * duration
    away = _out_of_transit(phase, duration) & ~window
    baseline, sigma = np.median(flux[away]), np.std(flux[away])
    depth, err = _deficit(flux[window], baseline, sigma)
    return depth, depth / err


def binned_fold(time, flux, period, t0, duration, n_bins: int = 60):
    """Fold and bin the data within one T14 either side of mid-transit.

    Returns (bin centres in days from mid-transit, mean flux per bin, points per bin);
    empty bins have NaN flux.
    """
    phase = phase_days(time, period, t0)
    edges = np.linspace(-duration, duration, n_bins + 1)
    sel = (phase >= edges[0]) & (phase < edges[-1])
    idx = np.digitize(phase[sel], edges) - 1
    counts = np.bincount(idx, minlength=n_bins)
    sums = np.bincount(idx, weights=flux[sel], minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / counts, np.nan)
    return 0.5 * (edges[:-1] + edges[1:]), means, counts


def phase_coverage(time, period, t0, duration, segments=None) -> float:
    """Fraction of the in-transit time of the expected transits that has data, unfolded.

    The expected transits are those whose mid-time t0 + n P falls within a segment (a sector,
    quarter or campaign: ``(start, end)`` pairs in the time system of ``time``; default: one
    segment from the first to the last point), each contributing T14 of in-transit time. A
    transit's covered time is its number of points within T14/2 of mid-transit times the
    segment's cadence (the median spacing of its points), at most T14. Gaps (downlinks, flagged
    cadences, transits partly before or after the data) lower it; NaN when no transit is
    expected. ``time`` must be sorted.
    """
    time = np.asarray(time, float)
    if segments is None:
        segments = [(time[0], time[-1])]
    expected = covered = 0.0
    for start, end in segments:
        inside = time[(time >= start) & (time <= end)]
        if inside.size < 2:
            continue
        cadence = float(np.median(np.diff(inside)))
        n = np.arange(np.ceil((start - t0) / period), np.floor((end - t0) / period) + 1)
        centres = t0 + n * period
        points = np.searchsorted(time, centres + 0.5 * duration) - np.searchsorted(time, centres - 0.5 * duration)
        covered += float(np.minimum(points * cadence, duration).sum())
        expected += centres.size * duration
    return covered / expected if expected > 0 else float("nan")


def transit_symmetry(centres, means, duration) -> float:
    """Symmetry of the folded, binned transit: 1 - |D_pre - D_post| / (D_pre + D_post).

    D_pre and D_post are the mean flux deficits of the bins in the first and second half of
    the transit (-T14/2 < phase < 0 and 0 < phase < T14/2) below the median of the bins
    outside the transit. 1 is perfectly symmetric; NaN when either half has no data or the
    total deficit is not positive.
    """
    baseline = np.nanmedian(means[np.abs(centres) > 0.5 * duration])
    pre = (centres > -0.5 * duration) & (centres < 0)
    post = (centres > 0) & (centres < 0.5 * duration)
    d_pre = baseline - np.nanmean(means[pre]) if np.isfinite(means[pre]).any() else np.nan
    d_post = baseline - np.nanmean(means[post]) if np.isfinite(means[post]).any() else np.nan
    total = d_pre + d_post
    if not total > 0:
        return float("nan")
    return float(1.0 - abs(d_pre - d_post) / total)


def trapezoid(x, depth, total, ingress, centre):
    """Trapezoid transit model (flux deficit): ``depth`` at the bottom, total duration
    ``total``, ingress/egress duration ``ingress`` each, centred on ``centre`` (days)."""
    half = 0.5 * total
    dist = np.abs(x - centre)
    ramp = np.clip((half - dist) / max(ingress, 1e-9), 0.0, 1.0)
    return depth * ramp


def ingress_egress_ratio(centres, means, counts, duration) -> float:
    """Fraction of the transit spent in ingress and egress, 2 tau / T14, from a trapezoid fit
    to the folded, binned transit (weights sqrt(points per bin)).

    0 is a box-shaped transit, 1 a V shape (as for grazing eclipsing binaries); planets
    with small radius ratios lie near 2 (Rp/Rs) / (1 + Rp/Rs) (Seager & Mallen-Ornelas 2003).
    """
    ok = np.isfinite(means) & (counts > 0)
    if ok.sum() < 6:
        return float("nan")
    x, y, w = centres[ok], means[ok], np.sqrt(counts[ok])
    baseline = np.median(y[np.abs(x) > 0.6 * duration]) if (np.abs(x) > 0.6 * duration).any() else 1.0
    deficit = baseline - y
    depth0 = max(float(np.max(deficit)), 1e-6)

    def resid(p):
        return w * (trapezoid(x, p[0], p[1], p[2], p[3]) - deficit)

    p0 = [depth0, duration, 0.2 * duration, 0.0]
    lower = [0.0, 0.2 * duration, 1e-4 * duration, -0.25 * duration]
    upper = [1.0, 1.9 * duration, 0.95 * duration, 0.25 * duration]
    fit = least_squares(resid, p0, bounds=(lower, upper), x_scale=[depth0, duration, duration, duration])
    depth, total, ingress, _ = fit.x
    ingress = min(ingress, 0.5 * total)
    return float(2.0 * ingress / total)


def red_noise_beta(time, flux, period, t0, duration, cadence_days) -> float:
    """Time-averaging beta factor of the out-of-transit residuals (Pont, Zucker & Queloz
    2006; Winn et al. 2008, eq. 2).

    For bins of N consecutive cadences, beta_N = sigma_N / (sigma_1 / sqrt(N) *
    sqrt(M / (M - 1))) with M the number of bins; the feature is the mean of beta_N over
    five bin lengths from T14/2 to 2 T14 (time-scales of the transit). 1 means white noise.
    """
    phase = phase_days(time, period, t0)
    resid = flux[_out_of_transit(phase, duration)] - 1.0
    resid = resid - resid.mean()
    sigma1 = resid.std()
    betas = []
    for scale in np.geomspace(0.5 * duration, 2.0 * duration, 5):
        n = max(int(round(scale / cadence_days)), 2)
        m = resid.size // n
        if m < 10:
            continue
        means = resid[: m * n].reshape(m, n).mean(axis=1)
        expected = sigma1 / np.sqrt(n) * np.sqrt(m / (m - 1.0))
        betas.append(means.std() / expected)
    return float(np.mean(betas)) if betas else float("nan")


def periodicity_strength(time, flux, period, t0, duration) -> float:
    """How much of the signal survives without its strongest single transit.

    With the mean deficit d_i and number n_i of in-transit points (|phase| < T14/2) of each
    observed transit, the combined signal-to-noise of a set of transits is
    sum(n_i d_i) / (sigma sqrt(sum n_i)). The feature is the combined SNR of all transits
    but the one with the highest single-transit SNR, divided by that of all transits.
    N equal transits give sqrt((N - 1) / N); a signal made by one event gives about 0.
    NaN with fewer than two observed transits or no positive combined signal.
    """
    phase = phase_days(time, period, t0)
    inside = np.abs(phase) < 0.5 * duration
    oot = _out_of_transit(phase, duration)
    baseline = np.median(flux[oot])
    epochs = epoch_number(time[inside], period, t0)
    uniq, inv = np.unique(epochs, return_inverse=True)
    if uniq.size < 2:
        return float("nan")
    n = np.bincount(inv).astype(float)
    signal = np.bincount(inv, weights=baseline - flux[inside])  # n_i * d_i
    total = signal.sum() / np.sqrt(n.sum())
    if not total > 0:
        return float("nan")
    strongest = np.argmax(signal / np.sqrt(n))
    rest = (signal.sum() - signal[strongest]) / np.sqrt(n.sum() - n[strongest])
    return float(rest / total)
