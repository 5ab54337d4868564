"""Tests for shardflow.exoplanets.vetting on synthetic light curves with known answers.

Every light curve is 27 days at 2-minute cadence, with trapezoid transits in seeded white
noise (``synthetic.trapezoid_transit_light_curve``); the vetting functions get the true
period, mid-transit time and duration. The period is not a whole number of cadences, so
successive transits sample different phases.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter1d

from shardflow.exoplanets import vetting
from shardflow.exoplanets.synthetic import trapezoid_transit_light_curve

PERIOD = 3.0137  # days: 9 complete transits in 27 days
T0 = 1.2
T14 = 0.12
CADENCE = 2.0 / 1440.0
N_TRANSITS = 9


def light_curve(**kwargs):
    params = dict(period=PERIOD, depth_ppm=2000.0, duration_days=T14, days=27.0, t0=T0, noise_ppm=500.0)
    params.update(kwargs)
    return trapezoid_transit_light_curve(**params)


def fold(time, flux):
    return vetting.binned_fold(time, flux, PERIOD, T0, T14)


# --- phase and epoch ---------------------------------------------------------------------------


def test_phase_days_and_epoch_number():
    period, t0 = 2.0, 1.0
    time = np.array([1.0, 1.5, 1.999, 2.0, 3.0, 3.25, 0.0, -1.0, -0.5])
    np.testing.assert_allclose(vetting.phase_days(time, period, t0), [0.0, 0.5, 0.999, -1.0, 0.0, 0.25, -1.0, 0.0, 0.5])
    np.testing.assert_array_equal(vetting.epoch_number(time, period, t0), [0, 0, 0, 1, 1, 1, 0, -1, -1])
    assert vetting.epoch_number(time, period, t0).dtype == np.int64


def test_phase_days_range_and_consistency_with_epoch():
    time = np.linspace(-10.0, 40.0, 10001)
    phase = vetting.phase_days(time, PERIOD, T0)
    assert phase.min() >= -0.5 * PERIOD and phase.max() < 0.5 * PERIOD
    # time = t0 + epoch * P + phase
    epoch = vetting.epoch_number(time, PERIOD, T0)
    np.testing.assert_allclose(T0 + epoch * PERIOD + phase, time, atol=1e-9)


# --- binned fold -------------------------------------------------------------------------------


def test_binned_fold_noiseless_box():
    time, flux = light_curve(noise_ppm=0.0)
    centres, means, counts = vetting.binned_fold(time, flux, PERIOD, T0, T14, n_bins=40)
    np.testing.assert_allclose(centres, np.linspace(-T14, T14, 41)[:-1] + T14 / 40)
    in_window = np.abs(vetting.phase_days(time, PERIOD, T0)) < T14
    assert counts.sum() == in_window.sum()
    # Bins wholly inside the transit sit at 1 - depth, wholly outside at 1.
    inside = np.abs(centres) + T14 / 80 < 0.5 * T14
    outside = np.abs(centres) - T14 / 80 > 0.5 * T14
    np.testing.assert_allclose(means[inside], 1.0 - 2000e-6)
    np.testing.assert_allclose(means[outside], 1.0)


def test_binned_fold_empty_bins_are_nan():
    time, flux = light_curve(noise_ppm=0.0)
    keep = vetting.phase_days(time, PERIOD, T0) < 0  # no data after mid-transit
    centres, means, counts = fold(time[keep], flux[keep])
    assert np.isnan(means[centres > 0]).all() and (counts[centres > 0] == 0).all()
    assert np.isfinite(means[centres < 0]).all()


# --- odd/even ----------------------------------------------------------------------------------


def core_counts(time):
    """Points in the central 0.7 T14 of odd and of even transits."""
    core = np.abs(vetting.phase_days(time, PERIOD, T0)) < 0.35 * T14
    odd = vetting.epoch_number(time, PERIOD, T0) % 2 == 1
    return (core & odd).sum(), (core & ~odd).sum()


def test_odd_even_detects_unequal_depths():
    noise = 300.0
    # ingress_fraction 0.3: the flat bottom is exactly the |phase| < 0.35 T14 core
    time, flux = light_curve(depth_ppm=2000.0, odd_depth_ppm=3000.0, ingress_fraction=0.3, noise_ppm=noise, seed=1)
    diff, significance = vetting.odd_even(time, flux, PERIOD, T0, T14)
    n_odd, n_even = core_counts(time)
    error = noise * np.sqrt(1.0 / n_odd + 1.0 / n_even)
    assert abs(diff - 1000.0) < 4.0 * error  # about 100 ppm
    assert significance > 5.0
    assert significance == pytest.approx(1000.0 / error, rel=0.15)


def test_odd_even_equal_depths_not_significant():
    time, flux = light_curve(depth_ppm=2500.0, ingress_fraction=0.3, noise_ppm=300.0, seed=2)
    diff, significance = vetting.odd_even(time, flux, PERIOD, T0, T14)
    n_odd, n_even = core_counts(time)
    assert diff < 3.0 * 300.0 * np.sqrt(1.0 / n_odd + 1.0 / n_even)
    assert 0.0 <= significance < 3.0


# --- secondary eclipse -------------------------------------------------------------------------


def test_secondary_eclipse_detected():
    noise = 500.0
    time, flux = light_curve(secondary_ppm=800.0, noise_ppm=noise, seed=3)
    depth, significance = vetting.secondary_eclipse(time, flux, PERIOD, T0, T14)
    n_window = (np.abs(vetting.phase_days(time, PERIOD, T0 + 0.5 * PERIOD)) < 0.5 * T14).sum()
    error = noise / np.sqrt(n_window)
    assert abs(depth - 800.0) < 4.0 * error  # about 70 ppm
    assert significance > 5.0
    assert significance == pytest.approx(800.0 / error, rel=0.15)


def test_no_secondary_eclipse():
    time, flux = light_curve(noise_ppm=500.0, seed=4)
    depth, significance = vetting.secondary_eclipse(time, flux, PERIOD, T0, T14)
    assert abs(significance) < 3.0
    assert abs(depth) < 100.0


def test_secondary_eclipse_keeps_negative_depths():
    time, flux = light_curve(secondary_ppm=-800.0, noise_ppm=500.0, seed=5)  # brighter at phase 0.5
    depth, significance = vetting.secondary_eclipse(time, flux, PERIOD, T0, T14)
    assert depth == pytest.approx(-800.0, abs=100.0)
    assert significance < -5.0


# --- transit shape -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ingress_fraction", "low", "high"),
    [(0.0, 0.0, 0.15), (0.4, 0.3, 0.5), (1.0, 0.8, 1.0)],
    ids=["box", "trapezoid", "V"],
)
def test_ingress_egress_ratio(ingress_fraction, low, high):
    time, flux = light_curve(depth_ppm=3000.0, ingress_fraction=ingress_fraction, noise_ppm=300.0, seed=6)
    ratio = vetting.ingress_egress_ratio(*fold(time, flux), T14)
    assert low <= ratio <= high


def test_ingress_egress_ratio_needs_six_bins():
    centres = np.linspace(-T14, T14, 10)
    means = np.full(10, np.nan)
    means[:5] = 1.0
    assert np.isnan(vetting.ingress_egress_ratio(centres, means, np.ones(10, int), T14))


def test_transit_symmetry_symmetric_transit():
    time, flux = light_curve(depth_ppm=2000.0, ingress_fraction=0.3, noise_ppm=300.0, seed=7)
    centres, means, _ = fold(time, flux)
    assert vetting.transit_symmetry(centres, means, T14) > 0.9


def test_transit_symmetry_sloped_bottom():
    time, flux = light_curve(depth_ppm=2000.0, noise_ppm=300.0, seed=7)
    phase = vetting.phase_days(time, PERIOD, T0)
    inside = np.abs(phase) < 0.5 * T14
    # Extra deficit falling linearly from +1000 ppm at ingress to -1000 ppm at egress: the
    # first half averages 2500 ppm deep, the second 1500 ppm, so 1 - 1000/4000 = 0.75.
    flux = flux - np.where(inside, 1000e-6 * (-phase / (0.5 * T14)), 0.0)
    centres, means, _ = fold(time, flux)
    symmetry = vetting.transit_symmetry(centres, means, T14)
    assert symmetry == pytest.approx(0.75, abs=0.05)


def test_transit_symmetry_nan_without_one_half_or_without_a_dip():
    time, flux = light_curve(noise_ppm=0.0)
    keep = vetting.phase_days(time, PERIOD, T0) < 0
    assert np.isnan(vetting.transit_symmetry(*fold(time[keep], flux[keep])[:2], T14))
    flat = np.ones_like(time)
    assert np.isnan(vetting.transit_symmetry(*fold(time, flat)[:2], T14))


# --- coverage ----------------------------------------------------------------------------------


def test_phase_coverage_full():
    time, _ = light_curve(noise_ppm=0.0)
    assert vetting.phase_coverage(time, PERIOD, T0, T14) == pytest.approx(1.0, abs=0.01)


def test_phase_coverage_half_of_every_transit_missing():
    time, _ = light_curve(noise_ppm=0.0)
    phase = vetting.phase_days(time, PERIOD, T0)
    second_half = (phase >= 0) & (phase < 0.5 * T14)
    coverage = vetting.phase_coverage(time[~second_half], PERIOD, T0, T14)
    assert coverage == pytest.approx(0.5, abs=0.03)


def test_phase_coverage_no_transit_observed():
    time, _ = light_curve(noise_ppm=0.0)
    away = np.abs(vetting.phase_days(time, PERIOD, T0)) > T14
    assert vetting.phase_coverage(time[away], PERIOD, T0, T14, [(time[0], time[-1])]) == 0.0


def test_phase_coverage_falls_where_transits_land_in_a_gap():
    time, _ = light_curve(noise_ppm=0.0)
    span = (time[0], time[-1])
    # a gap of two periods in the middle: the transits in it have no data
    gap = (time > time[0] + 4 * PERIOD) & (time < time[0] + 6 * PERIOD)
    n_expected = np.floor((span[1] - T0) / PERIOD) - np.ceil((span[0] - T0) / PERIOD) + 1
    coverage = vetting.phase_coverage(time[~gap], PERIOD, T0, T14, [span])
    assert coverage == pytest.approx((n_expected - 2) / n_expected, abs=0.02)
    assert coverage < 0.95
    # the same data, folded, fills every phase bin: the old definition would say 1.0
    phase = vetting.phase_days(time[~gap], PERIOD, T0)
    assert np.unique(np.floor(phase[np.abs(phase) < T14 / 2] / CADENCE)).size >= int(T14 / CADENCE) - 1


def test_phase_coverage_counts_only_transits_inside_segments():
    time, _ = light_curve(noise_ppm=0.0)
    first, second = time[time < time[0] + 3 * PERIOD], time[time > time[0] + 7 * PERIOD]
    both = np.concatenate([first, second])
    segments = [(first[0], first[-1]), (second[0], second[-1])]
    assert vetting.phase_coverage(both, PERIOD, T0, T14, segments) == pytest.approx(1.0, abs=0.05)
    assert vetting.phase_coverage(both, PERIOD, T0, T14) < 0.8


# --- red noise ---------------------------------------------------------------------------------


def test_red_noise_beta_white_noise():
    time, flux = light_curve(noise_ppm=500.0, seed=8)
    beta = vetting.red_noise_beta(time, flux, PERIOD, T0, T14, CADENCE)
    assert 0.8 <= beta <= 1.2


def test_red_noise_beta_correlated_noise():
    time, flux = light_curve(noise_ppm=500.0, seed=8)
    rng = np.random.default_rng(9)
    red = gaussian_filter1d(rng.normal(size=time.size), sigma=(1.0 / 24.0) / CADENCE)  # ~1 h
    red *= 200e-6 / red.std()
    beta = vetting.red_noise_beta(time, flux + red, PERIOD, T0, T14, CADENCE)
    assert beta > 1.5


# --- periodicity -------------------------------------------------------------------------------


def test_periodicity_strength_equal_transits():
    time, flux = light_curve(depth_ppm=2000.0, noise_ppm=300.0, seed=10)
    strength = vetting.periodicity_strength(time, flux, PERIOD, T0, T14)
    assert strength == pytest.approx(np.sqrt((N_TRANSITS - 1) / N_TRANSITS), abs=0.01)


def test_periodicity_strength_single_event():
    time, flux = light_curve(depth_ppm=0.0, noise_ppm=300.0, seed=11)
    flux = flux - np.where(np.abs(time - T0) < 0.5 * T14, 3000e-6, 0.0)  # only the first transit
    strength = vetting.periodicity_strength(time, flux, PERIOD, T0, T14)
    assert strength < 0.3


def test_periodicity_strength_nan_with_one_transit():
    time, flux = light_curve(period=40.0, noise_ppm=300.0, seed=12)
    assert np.isnan(vetting.periodicity_strength(time, flux, 40.0, T0, T14))
