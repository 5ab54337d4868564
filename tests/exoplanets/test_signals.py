"""Tests for shardflow.exoplanets.signals and the per-star features: the iterative search on
synthetic two-planet light curves with known answers, and row-to-detection matching."""

import numpy as np
import pytest

from shardflow.exoplanets.features import star_features
from shardflow.exoplanets.lightcurves import LightCurve
from shardflow.exoplanets.search import BLSResult, TLSResult
from shardflow.exoplanets.signals import Detection, iterative_search, match_rows, transit_mask
from shardflow.exoplanets.synthetic import trapezoid_transit_light_curve

DAYS, NOISE, BJD = 27.0, 300.0, 2459000.0
B = dict(period=3.71, depth_ppm=2500.0, duration_days=0.11, t0=0.9)
C = dict(period=7.93, depth_ppm=1500.0, duration_days=0.15, t0=2.3)


def two_planets(seed=5):
    time, flux_b = trapezoid_transit_light_curve(**B, days=DAYS, noise_ppm=NOISE, seed=seed, ingress_fraction=0.2)
    _, flux_c = trapezoid_transit_light_curve(**C, days=DAYS, ingress_fraction=0.2)
    return time, flux_b + flux_c - 1.0


def lc_of(time, flux) -> LightCurve:
    return LightCurve(
        time=time + BJD,
        flux=flux,
        flux_err=np.full_like(flux, NOISE * 1e-6),
        mission="TESS",
        cadence_days=2.0 / 1440.0,
        quality_bitmask="default",
        n_cadences=time.size,
        segments=(("S1", time[0] + BJD, time[-1] + BJD),),
    )


@pytest.fixture(scope="module")
def detections():
    time, flux = two_planets()
    return iterative_search(
        time,
        flux,
        np.full_like(flux, NOISE * 1e-6),
        catalog_periods=[],
        max_signals=3,
        sde_threshold=9.0,
        min_points=500,
        period_min=0.5,
        period_max=None,
    )


def test_iterative_search_finds_both_planets_strongest_first(detections):
    periods = [d.tls.period for d in detections]
    assert len(detections) >= 2
    assert periods[0] == pytest.approx(B["period"], rel=0.005)
    assert periods[1] == pytest.approx(C["period"], rel=0.005)
    assert all(d.tls.sde >= 9.0 for d in detections[:2])
    # the second search did not see the first planet's transits (every point within half the
    # true duration of a mid-transit of the first detection was masked)
    time, _ = two_planets()
    in_transit = transit_mask(time, periods[0], detections[0].tls.t0, B["duration_days"] / 2)
    assert in_transit.sum() > 100 and not detections[1].keep[in_transit].any()


def test_iterative_search_stops_when_every_catalog_period_is_found():
    time, flux = two_planets()
    found = iterative_search(
        time,
        flux,
        np.full_like(flux, NOISE * 1e-6),
        catalog_periods=[B["period"]],
        max_signals=3,
        sde_threshold=9.0,
        min_points=500,
        period_min=0.5,
        period_max=None,
    )
    assert len(found) == 1


def fake(period, sde=20.0):
    tls = TLSResult(period, 0.0, 0.1, 1000.0, 10.0, sde, 0.0, np.array([period]), np.array([sde]))
    return Detection(tls, BLSResult(period, 0.0, 0.1, 1000.0, 10.0, 1.0), np.ones(3, bool), "search")


def test_match_rows_pairs_each_row_with_its_own_detection():
    dets = [fake(3.71), fake(7.93), fake(1.2, sde=9.5)]
    # rows in another order than the detections; a row at twice a detection's period is an alias
    out = match_rows([7.93, 3.7, 2.4, np.nan], dets)
    assert out[0] == (1, "match") and out[1] == (0, "match") and out[2] == (2, "half")
    # the row without a period takes the strongest detection no row took; none left: the strongest
    assert out[3] == (0, None)


def test_match_rows_one_detection_serves_one_row_and_leaves_others_for_a_window_search():
    dets = [fake(5.0)]
    assert match_rows([5.0, 5.01, 11.0], dets) == [(0, "match"), (None, None), (None, None)]
    assert match_rows([np.nan, 5.0], dets) == [(0, None), (0, "match")]


def test_star_features_gives_each_row_its_own_signal(settings):
    time, flux = two_planets()
    rows = [
        {"target_id": "X.02", "period": C["period"], "depth": 1500.0, "duration": 3.6, "epoch": np.nan},
        {"target_id": "X.01", "period": B["period"], "depth": 2500.0, "duration": 2.64, "epoch": np.nan},
    ]
    results = star_features(lc_of(time, flux), rows, settings)
    c, b = (features for features, _ in results)
    assert c["tls_period"] == pytest.approx(C["period"], rel=0.005)
    assert b["tls_period"] == pytest.approx(B["period"], rel=0.005)
    assert [extra["period_match"] for _, extra in results] == ["match", "match"]
    assert c["tls_depth"] == pytest.approx(1500.0, rel=0.25) and b["tls_depth"] == pytest.approx(2500.0, rel=0.25)


def test_a_row_no_detection_matches_is_searched_around_its_period(settings):
    time, flux = trapezoid_transit_light_curve(**B, days=DAYS, noise_ppm=NOISE, seed=2)
    rows = [
        {"target_id": "Y.01", "period": B["period"], "depth": 2500.0, "duration": 2.64, "epoch": np.nan},
        {"target_id": "Y.02", "period": 5.3, "depth": 100.0, "duration": 2.0, "epoch": np.nan},
    ]
    (b, b_extra), (w, w_extra) = star_features(lc_of(time, flux), rows, settings)
    assert b_extra["period_match"] == "match"
    assert w_extra["period_match"] == "window"
    assert w["tls_period"] == pytest.approx(5.3, rel=settings.period_window)
    assert w["tls_sde"] < b["tls_sde"]


def test_a_catalog_period_too_long_for_the_light_curve_is_a_clear_failed_row(settings):
    time, flux = trapezoid_transit_light_curve(**B, days=DAYS, noise_ppm=NOISE, seed=3)
    rows = [
        {"target_id": "Z.01", "period": B["period"], "depth": 2500.0, "duration": 2.64, "epoch": np.nan},
        {"target_id": "Z.02", "period": 20.0, "depth": 900.0, "duration": 3.0, "epoch": np.nan},
    ]
    (_, extra), failed = star_features(lc_of(time, flux), rows, settings)
    assert extra["period_match"] == "match"
    assert failed.category == "baseline_too_short"
    assert "20.0000 d" in failed.reason and "S1" in failed.reason


def part(name, start, days=10.0, cadence=2.0 / 1440.0, level=1.0):
    time = np.arange(start, start + days, cadence)
    return LightCurve(
        time,
        np.full(time.size, level),
        np.full(time.size, 1e-4),
        "TESS",
        cadence,
        "default",
        time.size,
        ((name, time[0], time[-1]),),
    )


def test_stitch_orders_sectors_and_applies_the_caps():
    from shardflow.exoplanets.lightcurves import stitch

    s2, s1, s3 = part("S2", 20.0), part("S1", 0.0, cadence=10.0 / 1440.0), part("S3", 40.0)
    lc = stitch([s2, s1, s3])
    assert [name for name, _, _ in lc.segments] == ["S1", "S2", "S3"]
    assert np.all(np.diff(lc.time) > 0) and lc.time.size == s1.time.size + s2.time.size + s3.time.size
    assert lc.cadence_days == pytest.approx(2.0 / 1440.0)  # the shortest cadence of the parts
    assert lc.span_days == pytest.approx(50.0, abs=0.01)
    assert [n for n, _, _ in stitch([s2, s1, s3], max_segments=2).segments] == ["S1", "S2"]
    assert [n for n, _, _ in stitch([s2, s1, s3], max_span_days=35.0).segments] == ["S1", "S2"]
    assert stitch([s3]) is s3
