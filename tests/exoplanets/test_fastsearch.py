"""Tests for shardflow.exoplanets.fastsearch: the coarse-to-fine search on synthetic light
curves with known answers, its agreement with TLS 2.0.4, a narrow period window, gaps, and a
light curve without a transit."""

from __future__ import annotations

import numpy as np
import pytest

from shardflow.exoplanets.fastsearch import fold_search
from shardflow.exoplanets.search import BLSResult, TLSResult, tls_search
from shardflow.exoplanets.synthetic import trapezoid_transit_light_curve

NOISE = 500.0
PLANET = dict(period=3.1, depth_ppm=2000.0, duration_days=0.12, t0=1.3, ingress_fraction=0.2)


def light_curve(days: float, seed: int, **transit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    time, flux = trapezoid_transit_light_curve(**transit, days=days, noise_ppm=NOISE, seed=seed)
    return time, flux, np.full_like(flux, NOISE * 1e-6)


def phase_offset(t0: float, truth: float, period: float) -> float:
    """Distance of two epochs modulo the period, days."""
    d = (t0 - truth) % period
    return min(d, period - d)


@pytest.fixture(scope="module")
def sector():
    return light_curve(27.0, seed=1, **PLANET)


@pytest.fixture(scope="module")
def sector_result(sector):
    return fold_search(*sector, period_min=0.5, period_max=None)


def test_recovers_a_known_transit(sector_result):
    tls, bls = sector_result
    assert isinstance(tls, TLSResult) and isinstance(bls, BLSResult)
    assert tls.period == pytest.approx(3.1, rel=0.005)
    assert phase_offset(tls.t0, 1.3, tls.period) < 0.02
    assert tls.duration == pytest.approx(0.12, rel=0.3)
    assert tls.depth == pytest.approx(2000.0, rel=0.25)
    assert tls.sde > 15 and tls.snr > 20
    assert tls.periods.size == tls.power.size and np.all(np.diff(tls.periods) > 0)


def test_bls_from_the_same_folds_finds_the_transit(sector_result):
    _, bls = sector_result
    assert bls.period == pytest.approx(3.1, rel=0.01)
    assert bls.duration in (0.06, 0.1, 0.16)
    assert bls.depth == pytest.approx(2000.0, rel=0.4)
    assert phase_offset(bls.t0, 1.3, bls.period) < 0.04
    assert bls.snr > 10 and bls.power > 0


def test_agrees_with_tls_on_a_small_case():
    data = light_curve(12.0, seed=2, period=2.3, depth_ppm=1500.0, duration_days=0.1, t0=0.7)
    ours = fold_search(*data, period_min=0.5, period_max=None)[0]
    ref = tls_search(*data, period_min=0.5, period_max=None)
    assert ours.period == pytest.approx(ref.period, rel=0.005)
    assert ours.sde == pytest.approx(ref.sde, rel=0.1)
    assert ours.snr == pytest.approx(ref.snr, rel=0.1)
    assert ours.duration == pytest.approx(ref.duration, rel=0.2)
    np.testing.assert_allclose(ours.periods, ref.periods)


def test_narrow_window_finds_the_weaker_planet():
    """Around a catalog period the search sees only its window: the stronger planet at
    1.37 d does not hide the weaker one at 4.3 d."""
    time, strong = trapezoid_transit_light_curve(
        period=1.37, depth_ppm=3000.0, duration_days=0.08, days=27.0, t0=0.4, noise_ppm=0.0
    )
    _, weak = trapezoid_transit_light_curve(
        period=4.3, depth_ppm=1500.0, duration_days=0.13, days=27.0, t0=2.2, noise_ppm=NOISE, seed=3
    )
    flux = strong + weak - 1.0
    flux_err = np.full_like(flux, NOISE * 1e-6)
    wide = fold_search(time, flux, flux_err, period_min=0.5, period_max=None)[0]
    assert wide.period == pytest.approx(1.37, rel=0.005)
    narrow = fold_search(time, flux, flux_err, period_min=4.3 * 0.97, period_max=4.3 * 1.03)[0]
    assert narrow.period == pytest.approx(4.3, rel=0.005)
    assert 4.3 * 0.97 <= narrow.periods.min() and narrow.periods.max() <= 4.3 * 1.03
    assert phase_offset(narrow.t0, 2.2, narrow.period) < 0.03
    ref = tls_search(time, flux, flux_err, period_min=4.3 * 0.97, period_max=4.3 * 1.03)
    assert narrow.sde == pytest.approx(ref.sde, rel=0.1)


def test_stitched_sectors_with_gaps():
    """Two 12-day stretches 40 days apart, each with a mid-stretch gap: the period is found
    and agrees with TLS on the same points."""
    time, flux, flux_err = light_curve(64.0, seed=4, period=6.7, depth_ppm=1500.0, duration_days=0.15, t0=2.0)
    keep = ((time < 12.0) | (time > 52.0)) & ~((time % 52.0 > 5.5) & (time % 52.0 < 6.5))
    data = (time[keep], flux[keep], flux_err[keep])
    ours = fold_search(*data, period_min=0.5, period_max=None)[0]
    ref = tls_search(*data, period_min=0.5, period_max=None)
    assert ours.period == pytest.approx(6.7, rel=0.005)
    assert ours.period == pytest.approx(ref.period, rel=0.005)
    assert ours.sde == pytest.approx(ref.sde, rel=0.1)


def test_no_transit_gives_no_detection():
    time, flux = trapezoid_transit_light_curve(
        period=3.0, depth_ppm=0.0, duration_days=0.1, days=27.0, noise_ppm=NOISE, seed=5
    )
    tls, _ = fold_search(time, flux, np.full_like(flux, NOISE * 1e-6), period_min=0.5, period_max=None)
    assert tls.sde < 9.0


def test_bounds_skip_only_windows_that_cannot_win():
    """The Cauchy-Schwarz bounds change nothing: with a prefix of R^2 / W too large to ever
    skip a window, the best TLS template and BLS box of a fold are the same."""
    from shardflow.exoplanets.fastsearch import _bls_period, _fold, _template_integrals, _tls_period

    time, flux, flux_err = light_curve(27.0, seed=6, **PLANET)
    w = 1.0 / flux_err**2
    r = w * (1.0 - flux)
    shape = 1.0 - 0.5 * np.sin(np.linspace(0.0, np.pi, 200))
    cum = _template_integrals(np.array([1.0 - shape * 2e-3, 1.0 - np.ones(200) * 2e-3]))
    fractions = np.array([0.02, 0.05])
    never = np.arange(2 * 5000 + 1, dtype=float) * 1e30
    for period, nphase in ((3.1, 4464), (2.7, 1000), (5.0, 720)):
        prefix = np.empty((3, 2 * nphase + 1))
        _fold(time, w, r, period, nphase, prefix)
        args = (nphase, fractions, np.ones(2, dtype=np.bool_), cum, 0.0, 4, 5)
        assert _tls_period(prefix[0], prefix[1], prefix[2], *args) == _tls_period(prefix[0], prefix[1], never, *args)
        bls = (nphase, period, np.array([0.03, 0.1, 0.16]), w.sum(), r.sum(), 5, 1.0)
        assert _bls_period(prefix[0], prefix[1], prefix[2], *bls) == _bls_period(prefix[0], prefix[1], never, *bls)
    assert _tls_period(prefix[0], prefix[1], prefix[2], *args)[0] < 0
