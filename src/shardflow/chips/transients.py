"""Photocurrent transients of graphene field-effect transistors (It runs).

An It run is a drain current ``i`` (A) sampled at times ``t`` (s) while a light source is
switched; the source voltage ``vl`` (V) is > ``threshold_v`` (default 0) while the light is
on. The run splits into segments of constant light state. Two metrics come from it:

* the photoresponse of each light-on step (:func:`photoresponse`);
* the relaxation of the current in each dark segment that follows a light-off, fitted with
  a stretched exponential (Kohlrausch-Williams-Watts; Williams and Watts, Trans. Faraday Soc.
  66, 80 (1970)), I(t) = I_inf + A exp(-(t / tau)^beta), t in s from the light-off
  (:func:`fit_stretched_exponential`, :func:`relaxation_fits`).

Functions take plain float arrays and never raise for bad data they can describe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Fewest samples of a dark segment for a relaxation fit (four parameters and some freedom).
MIN_FIT_POINTS = 8


def light_segments(vl: np.ndarray, threshold_v: float) -> list[tuple[int, int, bool]]:
    """Split a run into segments of constant light state.

    Returns ``(start, stop, light_on)`` for each segment in time order, as half-open sample
    index ranges ``[start, stop)``; the light is on where ``vl > threshold_v`` (V).
    """
    on = vl > threshold_v
    edges = np.flatnonzero(on[1:] != on[:-1]) + 1
    bounds = [0, *edges.tolist(), len(on)]
    return [(a, b, bool(on[a])) for a, b in zip(bounds[:-1], bounds[1:])]


def _tail(n: int, tail_fraction: float, min_tail: int) -> int:
    """Number of samples at the end of an n-sample segment that are averaged."""
    return min(n, max(min_tail, int(np.ceil(tail_fraction * n))))


@dataclass(frozen=True)
class Photoresponse:
    """Per-step photoresponse: ``delta_a`` (A) and the dark level ``dark_a`` (A) it is relative to."""

    delta_a: np.ndarray
    dark_a: np.ndarray


def photoresponse(
    i: np.ndarray,
    vl: np.ndarray,
    *,
    threshold_v: float,
    tail_fraction: float,
    min_tail: int,
) -> Photoresponse:
    """Current change caused by each light-on step, in A.

    For every light-on segment that directly follows a dark segment:

        delta = mean(i over the last k_on samples of the light-on segment)
                - mean(i over the last k_dark samples of the preceding dark segment)

    where ``k`` = max(``min_tail``, ceil(``tail_fraction`` x segment samples)), capped at the
    segment's length: the ends of the segments, where the current is closest to its steady
    state. The dark level of each step is that dark-segment mean. The sign is kept (graphene's
    photoresponse can be negative). Returns empty arrays when the run has no dark-to-light step.
    """
    deltas, darks = [], []
    segments = light_segments(vl, threshold_v)
    for (d0, d1, d_on), (l0, l1, l_on) in zip(segments[:-1], segments[1:]):
        if d_on or not l_on:
            continue
        dark = float(np.mean(i[d1 - _tail(d1 - d0, tail_fraction, min_tail) : d1]))
        lit = float(np.mean(i[l1 - _tail(l1 - l0, tail_fraction, min_tail) : l1]))
        deltas.append(lit - dark)
        darks.append(dark)
    return Photoresponse(np.asarray(deltas, dtype=float), np.asarray(darks, dtype=float))


@dataclass(frozen=True)
class StretchedExpFit:
    """Fit of I(t) = I_inf + A exp(-(t/tau)^beta) to one segment.

    ``tau_s`` (s), ``beta`` (dimensionless), ``i_inf_a`` and ``amplitude_a`` (A),
    ``r_squared`` = 1 - RSS/TSS on all samples, ``duration_s`` = time from the first to the
    last sample (s), ``at_bound`` True when tau or beta ended on a search bound.
    """

    tau_s: float
    beta: float
    i_inf_a: float
    amplitude_a: float
    r_squared: float
    duration_s: float
    at_bound: bool


#: Stretching exponents of the starting grid; Levenberg-Marquardt refines beyond them.
_BETA_GRID = np.array([0.35, 0.55, 0.75, 0.95, 1.2])
#: Number of log-spaced tau values of the starting grid, over [sampling step, 10 x duration].
_N_TAU_GRID = 16
#: The starting grid is evaluated on at most this many samples (uniform stride).
_GRID_SAMPLES = 64
#: Bounds of beta during the refinement.
_BETA_BOUNDS = (0.05, 3.0)


def fit_stretched_exponential(
    t: np.ndarray, y: np.ndarray, *, max_iter: int = 30, tol: float = 1e-3
) -> StretchedExpFit:
    """Least-squares fit of y(t) = I_inf + A exp(-(t/tau)^beta), t >= 0 in s, y in A.

    The model is linear in (I_inf, A), so those are profiled out in closed form (variable
    projection; Golub and Pereyra, SIAM J. Numer. Anal. 10, 413 (1973)): for fixed (tau, beta),
    with f = exp(-(t/tau)^beta) and centred sums, A = S_fy / S_ff, I_inf = mean(y) - A mean(f)
    and RSS = S_yy - S_fy^2 / S_ff. Only (ln tau, beta) are searched, in two stages, all in
    vectorised numpy (about 0.2 ms for 500 samples):

    1. Starting grid: the profiled RSS on 16 x 5 values of tau (log-spaced over [mean
       sampling step, 10 x duration]) and beta (0.35 ... 1.2), evaluated on at most 64 samples
       taken at a uniform stride.
    2. Levenberg-Marquardt (Marquardt, J. SIAM 11, 431 (1963)) on all samples, with Kaufman's
       Jacobian of the projected residual (BIT 15, 49 (1975)): the model derivatives
       d/d ln tau = A beta z f and d/d beta = -A ln(t/tau) z f (z = (t/tau)^beta), projected
       off the span of (1, f). It stops when an undamped step moves ln tau and beta by less
       than ``tol``, when no damping lowers the RSS, or after ``max_iter`` iterations. beta is
       kept in [0.05, 3] and ln tau in [ln(step / 10), ln(100 x duration)]; ``at_bound``
       reports a fit that ended on a bound.

    The estimator reaches the Cramer-Rao bound on synthetic data: its errors scatter with
    about one bound standard deviation and stay within four (tests/chips/test_transients.py),
    so the grid start avoids local minima.
    Its errors grow as the noise approaches the amplitude A and as beta falls, because tau and
    I_inf then trade off within the segment.

    Parameters
    ----------
    t : time since the light-off (s), increasing, t[0] >= 0.
    y : current (A), finite; at least :data:`MIN_FIT_POINTS` samples and not constant.
    """
    # Scalar arithmetic is done on Python floats and means as sums / n: at a few hundred
    # samples, numpy's per-call overhead, not the arithmetic, sets the run time.
    n = len(t)
    duration = float(t[-1] - t[0])
    step = duration / (n - 1)
    positive = t > 0
    log_t = np.log(np.where(positive, t, 1.0)) * positive
    # Centre and scale y to unit range: tau, beta and R^2 are unchanged.
    offset = float(y.sum()) / n
    scale = float(y.max() - y.min())
    yc = (y - offset) / scale
    yc_mean = float(yc.sum()) / n

    # Stage 1: profiled RSS on the (tau, beta) grid; maximise S_fy^2 / S_ff.
    stride = -(-n // _GRID_SAMPLES)
    ys = yc[::stride]
    ys = ys - float(ys.sum()) / len(ys)
    log_tau_grid = np.linspace(math.log(step), math.log(10.0 * duration), _N_TAU_GRID)
    u = _BETA_GRID[:, None, None] * (log_t[::stride][None, None, :] - log_tau_grid[None, :, None])
    f = np.exp(-np.exp(u) * positive[::stride]).reshape(-1, len(ys))
    fc = f - f.sum(axis=1, keepdims=True) / len(ys)
    s_fy = fc @ ys
    s_ff = np.einsum("ij,ij->i", fc, fc)
    explained = np.where(s_ff > 0, s_fy**2 / np.where(s_ff > 0, s_ff, 1.0), -np.inf)
    i_beta, i_tau = divmod(int(np.argmax(explained)), _N_TAU_GRID)

    def profile(log_tau: float, beta: float):
        """z, f, centred f, S_ff, A, residual and RSS at (ln tau, beta), on all samples."""
        z = np.exp(beta * (log_t - log_tau)) * positive
        f = np.exp(-z)
        fc = f - float(f.sum()) / n
        s_ff = float(fc @ fc)
        amp = float(fc @ yc) / s_ff if s_ff > 0 else 0.0
        resid = yc - amp * fc
        return z, f, fc, s_ff, amp, resid, float(resid @ resid)

    # Stage 2: Levenberg-Marquardt in (ln tau, beta) on all samples.
    lt_bounds = (math.log(step / 10.0), math.log(100.0 * duration))
    lt, beta = float(log_tau_grid[i_tau]), float(_BETA_GRID[i_beta])
    z, f, fc, s_ff, amp, resid, rss = profile(lt, beta)
    derivs = np.empty((3, n))
    damping = 1e-3
    for _ in range(max_iter):
        if s_ff <= 0:
            break
        zf = z * f
        derivs[0] = amp * beta * zf
        derivs[1] = -amp * (log_t - lt) * zf
        derivs[2] = fc
        (g00, g01, g02), (_, g11, g12), _ = (derivs @ derivs.T).tolist()
        s0, s1 = derivs[:2].sum(axis=1).tolist()
        grad = (derivs[:2] @ resid).tolist()  # the residual is already orthogonal to (1, f)
        # Normal matrix of the derivatives projected off span(1, f).
        h00 = g00 - s0 * s0 / n - g02 * g02 / s_ff
        h11 = g11 - s1 * s1 / n - g12 * g12 / s_ff
        h01 = g01 - s0 * s1 / n - g02 * g12 / s_ff
        improved = False
        while damping < 1e10:
            a00, a11 = h00 * (1.0 + damping), h11 * (1.0 + damping)
            det = a00 * a11 - h01 * h01
            if det > 0:
                lt_new = min(max(lt + (a11 * grad[0] - h01 * grad[1]) / det, lt_bounds[0]), lt_bounds[1])
                beta_new = (a00 * grad[1] - h01 * grad[0]) / det + beta
                beta_new = min(max(beta_new, _BETA_BOUNDS[0]), _BETA_BOUNDS[1])
                trial = profile(lt_new, beta_new)
                if trial[-1] <= rss:
                    improved = True
                    break
            damping *= 10.0
        if not improved:
            break
        moved = max(abs(lt_new - lt), abs(beta_new - beta))
        undamped = damping <= 1e-2
        lt, beta = lt_new, beta_new
        z, f, fc, s_ff, amp, resid, rss = trial
        damping = max(damping / 10.0, 1e-9)
        if moved < tol and undamped:
            break

    tss = float(yc @ yc) - n * yc_mean * yc_mean
    at_bound = lt <= lt_bounds[0] or lt >= lt_bounds[1] or beta <= _BETA_BOUNDS[0] or beta >= _BETA_BOUNDS[1]
    return StretchedExpFit(
        tau_s=math.exp(lt),
        beta=float(beta),
        i_inf_a=offset + scale * (yc_mean - amp * float(f.sum()) / n),
        amplitude_a=float(scale * amp),
        r_squared=1.0 - rss / tss,
        duration_s=duration,
        at_bound=bool(at_bound),
    )


@dataclass(frozen=True)
class SegmentRelaxation:
    """Relaxation fit of one dark segment; ``fit`` is None when the segment could not be fitted.

    ``segment`` counts the dark segments that follow a light-off, from 1, in time order;
    ``start`` and ``stop`` are its sample range ``[start, stop)`` in the run.
    """

    segment: int
    start: int
    stop: int
    fit: StretchedExpFit | None
    flags: tuple[str, ...]


def relaxation_fits(
    t: np.ndarray,
    i: np.ndarray,
    vl: np.ndarray,
    *,
    threshold_v: float,
    min_r_squared: float,
    min_taus: float,
) -> list[SegmentRelaxation]:
    """Fit the current relaxation in every dark segment that follows a light-off.

    Time runs from the first dark sample of the segment (taken as the light-off instant: a
    switch between samples is known only to one sampling step). Each segment is fitted with
    :func:`fit_stretched_exponential`.

    Flags: ``poor_fit`` (R^2 < ``min_r_squared``), ``short_segment`` (segment duration <
    ``min_taus`` x tau, so I_inf and tau are poorly separated), ``fit_at_bound`` (tau or beta
    ended on a search bound), ``compressed_exponential`` (beta > 1: the decay is faster than
    exponential at late times, which a dispersive (Kohlrausch) relaxation never is; such a fit
    describes the segment's shape but its tau and beta are not a stretched relaxation's);
    without a fit: ``too_few_points`` (fewer than
    :data:`MIN_FIT_POINTS` samples), ``flat_segment`` (constant current), ``unordered_time``
    (time not increasing).

    Parameters
    ----------
    t : time (s), increasing; i : current (A); vl : light-source voltage (V); all finite.
    """
    results = []
    segments = light_segments(vl, threshold_v)
    for (_, _, before_on), (start, stop, on) in zip(segments[:-1], segments[1:]):
        if on or not before_on:
            continue
        number = len(results) + 1
        if stop - start < MIN_FIT_POINTS:
            results.append(SegmentRelaxation(number, start, stop, None, ("too_few_points",)))
            continue
        ts = t[start:stop] - t[start]
        ys = i[start:stop]
        if not np.all(np.diff(ts) > 0):
            results.append(SegmentRelaxation(number, start, stop, None, ("unordered_time",)))
            continue
        if not np.ptp(ys) > 0:
            results.append(SegmentRelaxation(number, start, stop, None, ("flat_segment",)))
            continue
        fit = fit_stretched_exponential(ts, ys)
        flags = []
        if not fit.r_squared >= min_r_squared:
            flags.append("poor_fit")
        if fit.duration_s < min_taus * fit.tau_s:
            flags.append("short_segment")
        if fit.at_bound:
            flags.append("fit_at_bound")
        if fit.beta > 1.0:
            flags.append("compressed_exponential")
        results.append(SegmentRelaxation(number, start, stop, fit, tuple(sorted(flags))))
    return results
