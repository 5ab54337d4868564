"""Real mission light curves (../shared/data/lightcurves, see its README): the reader on three
formats, and the known planet periods recovered by the feature search. Skipped, with the
reason, where the sample data is absent."""

from __future__ import annotations

import numpy as np
import pytest

from shardflow.exoplanets.catalog import read_catalog
from shardflow.exoplanets.fastsearch import fold_search
from shardflow.exoplanets.features import compute_features, prepare_light_curve, star_rows
from shardflow.exoplanets.lightcurves import read_lightcurve

TESS = "tess2018263035959-s0003-0000000120916706-0123-s_lc.fits"
KEPLER = "kplr010666592-2009131110544_slc.fits"
K2SFF = "hlsp_k2sff_k2_lightcurve_201367065-c01_kepler_v1_llc.fits"
TOI_2266 = [
    "tess2020106103520-s0024-0000000008348911-0180-s_lc.fits",
    "tess2020133194932-s0025-0000000008348911-0182-s_lc.fits",
]
TOI_TABLE = "toi_2025-09-29.csv"
KOI_TABLE = "koi_cumulative_2025-09-29.csv"


def lightcurve_path(shared_data, name):
    path = shared_data / "lightcurves" / name
    if not path.is_file():
        pytest.skip(f"real light curve not found at {path}")
    return path


def check_clean(lc):
    assert lc.time.min() > 2.45e6  # BJD, not BTJD/BKJD
    assert np.all(np.diff(lc.time) > 0)
    assert np.isfinite(lc.flux).all() and np.isfinite(lc.flux_err).all()
    assert (lc.flux_err > 0).all()
    assert np.median(lc.flux) == pytest.approx(1.0)
    assert lc.quality_bitmask == "default"


def test_read_tess_spoc(shared_data):
    lc = read_lightcurve(lightcurve_path(shared_data, TESS))
    check_clean(lc)
    assert lc.mission == "TESS"
    assert lc.time.size == pytest.approx(13450, abs=20)  # 19412 cadences, 31 % flagged
    assert lc.cadence_days * 86400.0 == pytest.approx(120.0, rel=0.01)
    assert 2458385.5 < lc.time.min() < 2458386.5  # sector 3 starts 2018 September 20
    assert lc.n_cadences == lc.time.size  # flagged cadences were dropped by the reader


def test_tess_quality_bitmask_is_applied(shared_data):
    path = lightcurve_path(shared_data, TESS)
    default = read_lightcurve(path)
    unmasked = read_lightcurve(path, quality_bitmask="none")
    # Without the mask all 19412 cadences are read; most flagged ones have NaN flux anyway.
    assert unmasked.n_cadences == 19412 > default.n_cadences
    assert unmasked.time.size > default.time.size
    assert unmasked.quality_bitmask == "none"


def test_read_kepler_short_cadence(shared_data):
    lc = read_lightcurve(lightcurve_path(shared_data, KEPLER))
    check_clean(lc)
    assert lc.mission == "Kepler"
    assert lc.cadence_days * 86400.0 == pytest.approx(58.85, rel=0.01)
    assert lc.time.size == pytest.approx(14234, abs=20)
    assert 2454953.0 < lc.time.min() < 2454954.0  # Q0, 2009 May


def test_read_k2sff(shared_data):
    lc = read_lightcurve(lightcurve_path(shared_data, K2SFF))
    check_clean(lc)
    assert lc.mission == "K2"
    assert lc.cadence_days * 1440.0 == pytest.approx(29.42, rel=0.01)
    # K2SFF has no quality column: all 3632 rows of the BESTAPER table are finite and kept.
    assert lc.time.size == lc.n_cadences == 3632
    assert lc.time.max() - lc.time.min() == pytest.approx(80.07, abs=0.1)  # campaign 1


@pytest.mark.parametrize(
    ("name", "inputs"),
    [
        pytest.param(
            TESS,
            {
                "period": 0.5567365,
                "depth": 47000.0,
                "duration": np.nan,
                "epoch": 2458386.1723494,
                "star_radius": 0.405,
                "star_mass": 0.4,
            },
            id="TOI-263b",
        ),
        pytest.param(
            K2SFF,
            {"period": 10.0545, "depth": 1300.0, "duration": 2.6, "epoch": np.nan},
            id="K2-3b",
        ),
        pytest.param(
            KEPLER,
            {"period": 2.2047354, "depth": 6300.0, "duration": np.nan, "epoch": np.nan},
            id="HAT-P-7b",
        ),
    ],
)
def test_known_period_recovered(shared_data, name, inputs, settings):
    lc = read_lightcurve(lightcurve_path(shared_data, name))
    features, extra = compute_features(lc, inputs, settings)
    assert features["tls_period"] == pytest.approx(inputs["period"], rel=0.005)
    assert extra["period_match"] == "match"
    assert features["tls_sde"] > 9.0
    assert features["input_period"] == inputs["period"]


# --- every sector and every planet of a star, from the archive's rows -----------------------------


def star_rows_of(shared_data, settings, rows, names):
    paths = [lightcurve_path(shared_data, name) for name in names]
    return star_rows(rows, lambda: [str(p) for p in paths], settings)


def test_k2_3_b_and_c_are_both_found_by_the_iterative_search(shared_data, settings):
    rows = [
        {"target_id": f"K2-3 {p}", "star_id": "EPIC 201367065", "period": period, "depth": np.nan}
        | {"duration": np.nan, "epoch": np.nan}
        for p, period in (("b", 10.0545), ("c", 24.6465), ("d", 44.5631))
    ]
    b, c, d = star_rows_of(shared_data, settings, rows, [K2SFF])
    for out, period in ((b, 10.0545), (c, 24.6465)):
        assert out["period_match"] == "match"  # found by the blind search, not the window
        assert out["tls_period"] == pytest.approx(period, rel=0.005)
        assert out["tls_sde"] > 9.0
    assert b["n_detections"] >= 2 and b["tls_period"] != c["tls_period"]
    # d's 44.6 d (two transits in 80 d) is flagged, never passed as recovered
    assert d["period_match"] in ("half", "double", "window")


@pytest.mark.parametrize(
    ("table", "target", "names", "period"),
    [
        pytest.param(TOI_TABLE, "TOI-263.01", [TESS], 0.5568095, id="TOI-263b"),
        pytest.param(KOI_TABLE, "K00002.01", [KEPLER], 2.204735417, id="HAT-P-7b"),
    ],
)
def test_known_planets_from_their_archive_rows(shared_data, settings, table, target, names, period):
    catalog = read_catalog(shared_data / "exoarchive" / table)
    row = catalog[catalog["target_id"] == target].to_dict("records")
    (out,) = star_rows_of(shared_data, settings, row, names)
    assert out["status"] == "ok", out["reason"]
    assert out["period_match"] == "match"
    assert out["tls_period"] == pytest.approx(period, rel=0.005)


def test_toi_2266_sectors_24_and_25_are_stitched(shared_data, settings):
    catalog = read_catalog(shared_data / "exoarchive" / TOI_TABLE)
    rows = catalog[catalog["star_id"] == "TIC 8348911"].to_dict("records")
    (both,) = star_rows_of(shared_data, settings, rows, TOI_2266)
    assert both["status"] == "ok", both["reason"]
    assert both["lc_segments"] == "S24,S25" and both["n_segments"] == 2
    assert both["time_span_days"] > 50
    # Found by the blind iterative search (not the window around the catalog period): before the
    # edges of the stretches between gaps were trimmed, a ramp on the 0.6-d island of data at the
    # start of sector 24 made a 19.2-d peak the strongest.
    assert both["period_match"] == "match"
    assert both["tls_period"] == pytest.approx(2.326214, rel=0.001)
    # Two sectors give a stronger detection than the strongest peak of either sector's blind
    # search alone (sector 25: the planet at SDE 9.5; sector 24: no planet, an 11.2-d peak at 5.4).
    star = {"period_min": settings.period_min_days, "period_max": None}
    star |= {"star_radius": rows[0]["star_radius"], "star_mass": rows[0]["star_mass"]}
    for name in TOI_2266:
        prep = prepare_light_curve(read_lightcurve(lightcurve_path(shared_data, name)), settings)
        alone, _ = fold_search(prep["time"], prep["flux"], prep["flux_err"], **star)
        assert both["tls_sde"] > alone.sde + 2


def test_edges_of_stretches_are_trimmed(shared_data, settings):
    path = lightcurve_path(shared_data, TOI_2266[0])
    lc = read_lightcurve(path)
    prep = prepare_light_curve(lc, settings)
    time = lc.time - prep["t_ref"]
    # Sector 24 starts with a 0.6-d island of data before a 2-d gap: shorter than the biweight
    # window, it is dropped whole; no kept point is within half the window of a gap's edge.
    island = time < time[0] + 1.0
    assert np.ptp(time[island]) < prep["detrend_window_days"] and island.sum() > 100
    assert prep["time"].min() > time[island].max()
    gaps = np.flatnonzero(np.diff(time) > prep["detrend_window_days"] / 2)
    for edge in (*time[gaps], *time[gaps + 1]):
        assert np.abs(prep["time"] - edge).min() >= prep["detrend_window_days"] / 2 - 1e-9
