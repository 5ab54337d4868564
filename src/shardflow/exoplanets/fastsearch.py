"""Coarse-to-fine transit search with TLS's grid, templates, spectrum and statistics, and a BLS
from the same phase folds.

Transit least squares (TLS; Hippke & Heller 2019, A&A 623, A39; ``transitleastsquares``
2.0.4) slides a limb-darkened template over the phase-folded light curve for every trial
period and duration. Here, for every period of TLS's grid (Ofir 2014), the light curve is
folded into phase bins of ``COARSE_BIN_DAYS`` (a few minutes, or the cadence where that is
longer; the light curve is first binned in time to the same width; at long periods, whose
shortest allowed transit is long, the phase bins widen to ``1 / COARSE_BINS_PER_TEMPLATE`` of
the narrowest template allowed at that period), with per bin the weight
sum ``W = sum w`` and the deficit sum ``R = sum w (1 - y)`` (``w = 1 / dy^2``,
TLS-normalised errors). A template of fractional duration ``q`` covers ``m = q P / bin``
phase bins; its shape ``g`` (TLS's template, ``g = (1 - signal) / (1 - min signal)``, 1 at
the bottom) is averaged into at most ``COARSE_SHAPE[0]`` equal segments, so each trial costs
a few prefix-sum differences; the template starts at ``COARSE_SHAPE[1]`` evenly spread phases
per template width (every bin for narrow templates). As in TLS the depth ``a`` makes the model's mean deficit equal
the data's (``a = sum R / sum g W`` over the window) and the fit improves the chi2 of a flat
line by

    dchi2 = a^2 sum g^2 W - 2 a sum g R,

exact for a model constant within each bin. Since ``(sum g R)^2 <= sum g^2 W * sum R^2 / W``
(Cauchy-Schwarz over the window's bins), ``dchi2 >= -sum R^2 / W``: a window whose prefix sum
of ``R^2 / W`` per bin cannot beat the period's best so far is skipped without changing the
result. Trials whose mean deficit is below TLS's
``TRANSIT_DEPTH_MIN`` are skipped; durations are limited per period as TLS does (T14 of the
smallest and largest stars, ``grid.T14``). The periods around the ``REFINE_PEAKS`` highest
peaks of the coarse SDE spectrum are searched again with phase bins of one cadence on the
unbinned light curve (``FINE_SHAPE``: finer segments and starts); the spectrum (``chi2 = sum
w (1 - y)^2 + dchi2``), the SDE and all post-detection statistics (T0 fit, duration, depth,
SNR, odd/even mismatch) are then TLS's own, on the unbinned light curve. One code path:
every light curve goes through both stages.

BLS (Kovacs, Zucker & Mazeh 2002, A&A 391, 369) uses the same folds: boxes of the durations
``search.BLS_DURATIONS_DAYS`` (those under half the shortest period), starting as the
templates do, ranked by the log-likelihood improvement ``0.5 d^2 / (1/W_in + 1/W_out)`` (``d
= y_out - y_in`` weighted means, raw flux errors) as astropy's ``objective="likelihood"``,
then refined on the unbinned light curve around the best period. The raw weights are TLS's
divided by one constant (the squared mean flux error), so both come from one fold.

Times in days, fluxes normalised to 1; depths returned in ppm.
"""

from __future__ import annotations

import numba
import numpy as np

from .search import BLS_DURATIONS_DAYS, BLSResult, TLSResult, tls_grid_arguments

#: Width of the coarse time and phase bins, days (10 minutes: five 2-min TESS cadences).
COARSE_BIN_DAYS = 10.0 / 1440.0
#: Coarse phase bins are widened, at long periods, to a quarter of the narrowest template allowed there.
COARSE_BINS_PER_TEMPLATE = 4
#: Number of coarse SDE peaks whose neighbourhood is searched again on the full cadence.
REFINE_PEAKS = 5
#: Half width of each refined neighbourhood, in period-grid steps.
REFINE_HALF_WIDTH = 6
#: Coarse and fine stages: (constant segments a template is averaged into, fewer when it
#: spans fewer phase bins; phase starts tested per template width, at least one per bin).
COARSE_SHAPE = (4, 5)
FINE_SHAPE = (32, 20)


@numba.njit(cache=True)
def _bin_in_time(time, w, r, width):
    """Sum weights ``w`` and deficits ``r`` in time bins of ``width`` days (empty bins
    dropped); returns bin times (weighted means), W and R."""
    n = time.size
    t_out = np.empty(n)
    w_out = np.empty(n)
    r_out = np.empty(n)
    k = -1
    current = -1
    t0 = time[0]
    for i in range(n):
        b = int((time[i] - t0) / width)
        if b != current:
            k += 1
            current = b
            t_out[k] = 0.0
            w_out[k] = 0.0
            r_out[k] = 0.0
        t_out[k] += w[i] * time[i]
        w_out[k] += w[i]
        r_out[k] += r[i]
    k += 1
    return t_out[:k] / w_out[:k], w_out[:k], r_out[:k]


@numba.njit(cache=True)
def _fold(time, w, r, period, nphase, prefix):
    """One phase fold into ``nphase`` bins: prefix sums (length 2 nphase + 1, wrapped once)
    of W (row 0), R (row 1) and R^2 / W per bin (row 2, for the bounds), written into
    ``prefix[:, : 2 nphase + 1]``."""
    size = 2 * nphase + 1
    prefix[:, :size] = 0.0
    inverse = 1.0 / period
    for i in range(time.size):
        x = time[i] * inverse
        b = int((x - np.floor(x)) * nphase)
        if b >= nphase:
            b = nphase - 1
        prefix[0, b + 1] += w[i]
        prefix[1, b + 1] += r[i]
    for b in range(1, nphase + 1):
        prefix[2, b] = prefix[1, b] ** 2 / prefix[0, b] if prefix[0, b] > 0.0 else 0.0
    for k in range(3):
        for b in range(nphase):
            prefix[k, nphase + b + 1] = prefix[k, b + 1]
        for b in range(1, size):
            prefix[k, b] += prefix[k, b - 1]


@numba.njit(cache=True)
def _n_starts(nphase, m, steps):
    """Number of evenly spaced phase starts of a window of ``m`` bins: ``steps`` per window
    width, at most one per bin."""
    return min(nphase, max(1, (steps * nphase + m - 1) // m))


@numba.njit(cache=True)
def _tls_period(pw, pr, pq, nphase, fractions, rows_ok, cum_shapes, depth_min, n_segments, steps):
    """Lowest dchi2 over the allowed template rows and phase starts of one period.
    Returns (dchi2, row, depth a, start bin)."""
    best, best_row, best_a, best_start = 0.0, -1, 0.0, 0
    seg_lo = np.empty(n_segments, dtype=np.int64)
    seg_hi = np.empty(n_segments, dtype=np.int64)
    level = np.empty(n_segments)
    n_cum = cum_shapes.shape[1] - 1
    for row in range(fractions.size):
        if not rows_ok[row]:
            continue
        m = int(round(fractions[row] * nphase))
        if m < 1:
            m = 1
        if m > nphase:
            m = nphase
        k = min(n_segments, m)
        for s in range(k):
            lo = (s * m) // k
            hi = ((s + 1) * m) // k
            seg_lo[s] = lo
            seg_hi[s] = hi
            # mean of the template shape over [lo, hi) of m bins, from its cumulative integral
            x0 = lo / m * n_cum
            x1 = hi / m * n_cum
            i0 = min(int(x0), n_cum - 1)
            i1 = min(int(x1), n_cum - 1)
            c0 = cum_shapes[row, i0] + (x0 - i0) * (cum_shapes[row, i0 + 1] - cum_shapes[row, i0])
            c1 = cum_shapes[row, i1] + (x1 - i1) * (cum_shapes[row, i1 + 1] - cum_shapes[row, i1])
            level[s] = (c1 - c0) / (x1 - x0)
        n_starts = _n_starts(nphase, m, steps)
        for i in range(n_starts):
            j = (i * nphase) // n_starts
            wt = pw[j + m] - pw[j]
            if wt <= 0.0 or pq[j + m] - pq[j] <= -best:
                continue
            rt = pr[j + m] - pr[j]
            if rt <= depth_min * wt:
                continue
            g2 = 0.0
            gr = 0.0
            gw = 0.0
            for s in range(k):
                ws = pw[j + seg_hi[s]] - pw[j + seg_lo[s]]
                rs = pr[j + seg_hi[s]] - pr[j + seg_lo[s]]
                g2 += level[s] * level[s] * ws
                gr += level[s] * rs
                gw += level[s] * ws
            if gw <= 0.0:
                continue
            a = rt / gw
            d = a * a * g2 - 2.0 * a * gr
            if d < best:
                best, best_row, best_a, best_start = d, row, a, j
    return best, best_row, best_a, best_start


@numba.njit(cache=True)
def _bls_period(pw, pr, pq, nphase, period, durations, w_total, r_total, steps, raw_scale):
    """Best box of one period: (log-likelihood improvement, duration index, start bin,
    depth, depth uncertainty), from the prefix sums of W and R. The raw flux errors' weights
    are TLS's divided by ``raw_scale``: the depth is the same, the log likelihood is divided
    by it and the depth uncertainty multiplied by its square root.

    With ``mu = r_total / w_total`` and ``s = R_in - mu W_in``, the improvement is ``0.5 s^2 /
    (W_in (1 - W_in / w_total))`` and ``s^2 <= W_in sum (R - mu W)^2 / W`` over the window's
    bins (Cauchy-Schwarz): windows whose bound cannot beat the best so far are skipped."""
    best, best_d, best_start, best_depth, best_err = 0.0, -1, 0, 0.0, 0.0
    mu = r_total / w_total
    for di in range(durations.size):
        m = int(round(durations[di] / period * nphase))
        if m < 1:
            m = 1
        n_starts = _n_starts(nphase, m, steps)
        for i in range(n_starts):
            j = (i * nphase) // n_starts
            w_in = pw[j + m] - pw[j]
            w_out = w_total - w_in
            if w_in <= 0.0 or w_out <= 0.0:
                continue
            r_in = pr[j + m] - pr[j]
            spread = pq[j + m] - pq[j] - 2.0 * mu * r_in + mu * mu * w_in
            if 0.5 * spread * w_total / w_out <= best:
                continue
            depth = r_in / w_in - (r_total - r_in) / w_out
            if depth <= 0.0:
                continue
            ivar = 1.0 / (1.0 / w_in + 1.0 / w_out)
            ll = 0.5 * depth * depth * ivar
            if ll > best:
                best, best_d, best_start, best_depth, best_err = ll, di, j, depth, np.sqrt(1.0 / ivar)
    return best / raw_scale, best_d, best_start, best_depth, best_err * np.sqrt(raw_scale)


@numba.njit(cache=True)
def _search_periods(
    time,
    w,
    r,
    periods,
    nphases,
    fractions,
    rows_ok,
    cum_shapes,
    depth_min,
    bls_durations,
    raw_scale,
    n_segments,
    steps,
):
    """Per period, from one fold into ``nphases`` phase bins: TLS (dchi2, row, depth, start
    bin) and BLS (log-likelihood, duration index, start phase, depth, depth uncertainty)."""
    n = periods.size
    tls = np.zeros((n, 4))
    bls = np.zeros((n, 5))
    w_total = 0.0
    r_total = 0.0
    for i in range(time.size):
        w_total += w[i]
        r_total += r[i]
    prefix = np.empty((3, 2 * nphases.max() + 1))
    for p in range(n):
        nphase = nphases[p]
        _fold(time, w, r, periods[p], nphase, prefix)
        d, row, a, start = _tls_period(
            prefix[0], prefix[1], prefix[2], nphase, fractions, rows_ok[p], cum_shapes, depth_min, n_segments, steps
        )
        tls[p, 0], tls[p, 1], tls[p, 2], tls[p, 3] = d, row, a, start
        ll, di, j, dep, err = _bls_period(
            prefix[0], prefix[1], prefix[2], nphase, periods[p], bls_durations, w_total, r_total, steps, raw_scale
        )
        bls[p, 0], bls[p, 1], bls[p, 2], bls[p, 3], bls[p, 4] = ll, di, j / nphase, dep, err
    return tls, bls


def _phase_bins(periods: np.ndarray, bin_days: float, narrowest_days: np.ndarray, per_template: float) -> np.ndarray:
    """Phase bins per period: of ``bin_days``, or wider where the narrowest allowed template
    (``narrowest_days``) still spans ``per_template`` of them (long periods, whose transits
    are long); at least one."""
    width = np.maximum(bin_days, narrowest_days / per_template)
    return np.maximum(1, np.ceil(periods / width)).astype(np.int64)


def _cadence(time: np.ndarray) -> float:
    """Median positive time step, days."""
    dt = np.diff(np.sort(time))
    dt = dt[dt > 0]
    return float(np.median(dt)) if dt.size else 0.0


def _template_integrals(templates: np.ndarray, n_cum: int = 64) -> np.ndarray:
    """Per template row, the running integral of its shape g = (1 - signal) / (1 - min signal)
    resampled to ``n_cum`` equal steps (units: g times one step)."""
    out = np.empty((templates.size, n_cum + 1))
    for row, signal in enumerate(templates):
        g = (1.0 - np.asarray(signal)) / (1.0 - np.min(signal))
        cum = np.concatenate(([0.0], np.cumsum(g)))
        out[row] = np.interp(np.linspace(0.0, g.size, n_cum + 1), np.arange(g.size + 1), cum) * n_cum / g.size
    return out


def _t14_fraction(radius: float, mass: float, periods: np.ndarray, small: bool) -> np.ndarray:
    """TLS's longest transit duration as a fraction of the period (``grid.T14``, vectorised):
    ``(R + r_p) (4 P / (pi G M))^(1/3) / P`` for a central transit, with ``r_p`` = 0 (small
    planet) or 2 R_jup, capped at ``FRACTIONAL_TRANSIT_DURATION_MAX``."""
    from transitleastsquares import tls_constants as c

    p = periods * c.SECONDS_PER_DAY
    r = c.R_sun * radius + (0.0 if small else 2.0 * c.R_jup)
    t14 = r * (4.0 * p / (np.pi * c.G * c.M_sun * mass)) ** (1.0 / 3.0) / p
    return np.minimum(t14, c.FRACTIONAL_TRANSIT_DURATION_MAX)


def _allowed_rows(model, periods: np.ndarray, overview: np.ndarray) -> np.ndarray:
    """TLS's per-period duration limits (core.search_period): template widths in samples
    between T14 of the smallest star (small planet) and that of the largest (2 R_jup),
    the latter widened for one extra transit in the span. Shape (periods, template rows)."""
    from transitleastsquares.grid import duration_limit_masses

    m_short, m_long = duration_limit_masses(model.R_star_min, model.R_star_max, model.M_star_min, model.M_star_max)
    n = model.y.size
    span = float(np.max(model.t) - np.min(model.t))
    correction = (span / periods + 1.0) / (span / periods)
    lo = np.floor(_t14_fraction(model.R_star_min, m_short, periods, small=True) * n)
    hi = np.ceil(_t14_fraction(model.R_star_max, m_long, periods, small=False) * n * correction)
    widths = np.asarray(overview["width_in_samples"])[None, :]
    return (widths >= lo[:, None]) & (widths <= hi[:, None])


def _peak_neighbourhoods(power: np.ndarray, n_peaks: int, half_width: int) -> np.ndarray:
    """Indices within ``half_width`` of the ``n_peaks`` highest local maxima of ``power``
    (after a peak is taken, the next must lie more than three half widths away)."""
    chosen = np.zeros(power.size, dtype=bool)
    free = np.ones(power.size, dtype=bool)
    found = 0
    for i in np.argsort(power)[::-1]:
        if found == n_peaks:
            break
        if free[i]:
            chosen[max(0, i - half_width) : i + half_width + 1] = True
            free[max(0, i - 3 * half_width) : i + 3 * half_width + 1] = False
            found += 1
    return np.flatnonzero(chosen)


def fold_search(
    time: np.ndarray,
    flux: np.ndarray,
    flux_err: np.ndarray,
    *,
    period_min: float,
    period_max: float | None,
    star_radius: float = 1.0,
    star_mass: float = 1.0,
    threads: int = 1,
) -> tuple[TLSResult, BLSResult]:
    """TLS and BLS results of one light curve from the coarse-to-fine search (module
    docstring). Arguments as ``search.tls_search``: times (days), normalised flux and its
    errors; ``star_radius`` and ``star_mass`` (solar units) set TLS's period grid, periods
    below ``period_min`` and above ``period_max`` (days; None: TLS's default, half the
    span) are cut. ``threads`` is accepted for the signature and unused (one thread)."""
    from transitleastsquares import tls_constants
    from transitleastsquares.backends import SearchBackend, SearchResult
    from transitleastsquares.main import transitleastsquares
    from transitleastsquares.stats import spectra
    from transitleastsquares.validate import validate_args

    model = transitleastsquares(time, flux, flux_err, verbose=False)
    model, _ = validate_args(model, tls_grid_arguments(period_min, period_max, star_radius, star_mass))
    periods, durations = model._grids()
    periods = np.sort(np.asarray(periods, dtype=float))
    overview, templates = model._templates(durations)
    fractions = np.asarray(overview["duration"], dtype=float)
    cum = _template_integrals(templates)
    rows_ok = _allowed_rows(model, periods, overview)

    t, y = model.t, model.y
    w = 1.0 / model.dy**2
    r = w * (1.0 - y)
    finite = np.isfinite(time) & np.isfinite(flux) & np.isfinite(flux_err)
    raw_scale = float(np.mean(np.asarray(flux_err)[finite]) ** 2)  # BLS's weights are w / raw_scale
    bls_durations = np.array([d for d in BLS_DURATIONS_DAYS if d < 0.5 * periods.min()])
    depth_min = tls_constants.TRANSIT_DEPTH_MIN
    narrowest = periods * np.min(np.where(rows_ok, fractions[None, :], np.inf), axis=1)
    narrowest[~np.isfinite(narrowest)] = 0.0

    order = np.argsort(t, kind="mergesort")
    cadence = max(_cadence(t), 1e-6)
    coarse_bin = max(COARSE_BIN_DAYS, cadence)
    coarse = (
        fractions,
        rows_ok,
        cum,
        depth_min,
        bls_durations,
        raw_scale,
        *COARSE_SHAPE,
    )
    tb, wb, rb = _bin_in_time(t[order], w[order], r[order], coarse_bin)
    nphases = _phase_bins(periods, coarse_bin, narrowest, COARSE_BINS_PER_TEMPLATE)
    tls, bls = _search_periods(tb, wb, rb, periods, nphases, *coarse)
    chi2_flat = float(np.sum(w * (1.0 - y) ** 2))
    chi2 = chi2_flat + tls[:, 0]
    _, _, power, _, _ = spectra(chi2, model.oversampling_factor, model.SDE_detrend, periods)
    idx = np.union1d(
        _peak_neighbourhoods(power, REFINE_PEAKS, REFINE_HALF_WIDTH),
        _peak_neighbourhoods(bls[:, 0], 1, REFINE_HALF_WIDTH),
    )
    fine = (fractions, rows_ok[idx], cum, depth_min, bls_durations, raw_scale, *FINE_SHAPE)
    fine_tls, fine_bls = _search_periods(t, w, r, periods[idx], _phase_bins(periods[idx], cadence, 0.0, 1.0), *fine)
    tls[idx], bls[idx] = fine_tls, fine_bls
    fitted = tls[:, 1] >= 0
    found = SearchResult(
        periods=periods,
        chi2=chi2_flat + tls[:, 0],
        rows=np.where(fitted, tls[:, 1], 0).astype(np.int64),
        depths=np.where(fitted, 1.0 - tls[:, 2], 0.0),
    )
    # TLS's spectrum, SDE, T0 fit (its reference kernel) and statistics on the unbinned data
    res = model._results(found, durations, overview, templates, SearchBackend())

    # BLS: the best refined box (refined periods carry the full-cadence values)
    b = idx[int(np.argmax(bls[idx, 0]))]
    ll, di, phase, depth, err = bls[b]
    period = float(periods[b])
    duration = float(bls_durations[int(di)]) if ll > 0 else float("nan")
    bls_result = BLSResult(
        period=period,
        t0=float(phase * period + 0.5 * duration),
        duration=duration,
        depth=float(depth * 1e6),
        snr=float(depth / err) if err > 0 else float("nan"),
        power=float(ll),
    )
    tls_result = TLSResult(
        period=float(res.period),
        t0=float(res.T0),
        duration=float(res.duration),
        depth=float((1.0 - res.depth) * 1e6),
        snr=float(res.snr),
        sde=float(res.SDE),
        odd_even_mismatch=float(res.odd_even_mismatch),
        periods=np.asarray(res.periods),
        power=np.asarray(res.power),
    )
    return tls_result, bls_result
