"""Tests for shardflow.exoplanets.features: the 27 features on a synthetic transit, the period
classification, the per-target failure handling and the feature table."""

from __future__ import annotations

import numpy as np
import pytest

from shardflow.exoplanets import demo
from shardflow.exoplanets.catalog import read_catalog
from shardflow.exoplanets.features import (
    FEATURE_COLUMNS,
    METADATA_COLUMNS,
    compute_features,
    edge_mask,
    feature_table,
    target_features,
)
from shardflow.exoplanets.lightcurves import LightCurve, SampleError
from shardflow.exoplanets.signals import period_match
from shardflow.exoplanets.synthetic import trapezoid_transit_light_curve

BJD_OFFSET = 2459000.3
PERIOD, DEPTH, T14, T0, NOISE = 3.1, 2000.0, 0.12, 1.3, 500.0
CADENCE = 2.0 / 1440.0
TRANSIT = dict(period=PERIOD, depth_ppm=DEPTH, duration_days=T14, days=27.0, t0=T0, ingress_fraction=0.2)
INPUTS = {"period": PERIOD, "depth": DEPTH, "duration": T14 * 24.0, "epoch": T0 + BJD_OFFSET}


def make_lc(time, flux, noise_ppm=NOISE) -> LightCurve:
    return LightCurve(
        time=time + BJD_OFFSET,
        flux=flux,
        flux_err=np.full_like(flux, noise_ppm * 1e-6),
        mission="TESS",
        cadence_days=CADENCE,
        quality_bitmask="default",
        n_cadences=time.size,
        segments=(("S1", time[0] + BJD_OFFSET, time[-1] + BJD_OFFSET),),
    )


@pytest.fixture(scope="module")
def transit_lc() -> LightCurve:
    return make_lc(*trapezoid_transit_light_curve(**TRANSIT, noise_ppm=NOISE, seed=1))


@pytest.fixture(scope="module")
def transit_features(transit_lc, settings):
    return compute_features(transit_lc, INPUTS, settings)


# --- compute_features --------------------------------------------------------------------------


def test_features_are_the_27_columns_and_finite(transit_features):
    features, _ = transit_features
    assert tuple(features) == FEATURE_COLUMNS
    assert len(FEATURE_COLUMNS) == 27
    bad = [name for name, value in features.items() if not np.isfinite(value)]
    assert bad == []


def test_inputs_are_copied_with_duration_in_days(transit_features):
    features, _ = transit_features
    assert features["input_period"] == PERIOD
    assert features["input_depth"] == DEPTH
    assert features["input_duration"] == pytest.approx(T14)  # 2.88 h / 24
    assert features["input_epoch"] == T0 + BJD_OFFSET


def test_search_recovers_the_transit(transit_features):
    features, extra = transit_features
    assert features["tls_period"] == pytest.approx(PERIOD, rel=0.005)
    assert features["bls_period"] == pytest.approx(PERIOD, rel=0.01)
    assert features["tls_depth"] == pytest.approx(DEPTH, rel=0.2)
    assert features["duration_over_period"] == pytest.approx(T14 / PERIOD, rel=0.25)
    assert features["tls_sde"] > 9.0
    assert extra["period_match"] == "match"
    # Epochs are returned on the BJD scale of the input light curve, not relative times.
    n = round((extra["tls_t0"] - BJD_OFFSET - T0) / PERIOD)
    assert extra["tls_t0"] == pytest.approx(BJD_OFFSET + T0 + n * PERIOD, abs=0.02)
    n = round((features["bls_t0"] - BJD_OFFSET - T0) / PERIOD)
    assert features["bls_t0"] == pytest.approx(BJD_OFFSET + T0 + n * PERIOD, abs=0.03)


def test_vetting_features_of_a_clean_planet(transit_features):
    features, extra = transit_features
    assert features["transit_symmetry"] > 0.9
    assert features["phase_coverage"] > 0.95
    assert 0.8 <= features["red_noise"] <= 1.2
    assert features["periodicity_strength"] > 0.85  # 9 equal transits: sqrt(8/9) = 0.94
    assert extra["odd_even_sigma"] < 3.0
    assert abs(extra["secondary_sigma"]) < 3.0


def test_flux_statistics(transit_features):
    features, _ = transit_features
    # The detrended flux holds the noise and the transits: std^2 = noise^2 + var(transit model).
    _, model = trapezoid_transit_light_curve(**TRANSIT)
    expected_std = np.sqrt(NOISE**2 + (np.std(model) * 1e6) ** 2)
    assert features["flux_std"] == pytest.approx(expected_std, rel=0.1)
    # The unscaled MAD ignores the few in-transit points: 0.6745 sigma of the noise.
    assert features["flux_mad"] == pytest.approx(0.6745 * NOISE, rel=0.1)
    assert features["flux_skewness"] < 0  # dips


def test_pure_noise_has_no_significant_detection(settings):
    _, flux = trapezoid_transit_light_curve(**{**TRANSIT, "depth_ppm": 0.0}, noise_ppm=NOISE, seed=2)
    time, _ = trapezoid_transit_light_curve(**TRANSIT)
    inputs = {"period": np.nan, "depth": np.nan, "duration": np.nan, "epoch": np.nan}
    features, extra = compute_features(make_lc(time, flux), inputs, settings)
    assert features["tls_sde"] < 9.0
    assert features["flux_std"] == pytest.approx(NOISE, rel=0.1)
    assert extra["period_match"] is None


def test_compute_features_is_deterministic(transit_lc, transit_features, settings):
    again, _ = compute_features(transit_lc, INPUTS, settings)
    assert again == transit_features[0]


# --- period_match ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("found", "catalog", "expected"),
    [
        (3.1, 3.1, "match"),
        (3.1 * 1.009, 3.1, "match"),
        (3.1 * 0.991, 3.1, "match"),
        (3.1 * 1.02, 3.1, "mismatch"),
        (1.55, 3.1, "half"),
        (1.55 * 1.009, 3.1, "half"),
        (6.2, 3.1, "double"),
        (6.2 * 0.991, 3.1, "double"),
        (9.3, 3.1, "mismatch"),
        (1.0, 3.1, "mismatch"),
        (3.1, np.nan, None),
        (3.1, 0.0, None),
        (3.1, -3.1, None),
        (np.nan, 3.1, None),
    ],
)
def test_period_match(found, catalog, expected):
    assert period_match(found, catalog) == expected


def test_edge_mask_trims_the_ends_of_each_stretch_and_drops_short_islands():
    # stretches split at gaps longer than half the 0.8-d window: [0, 10], an island [11, 11.5]
    # and [12.2, 20]; the 0.3-d gap inside the last stretch does not split it
    time = np.concatenate([np.arange(0, 10, 0.01), np.arange(11, 11.5, 0.01), np.arange(12.2, 15, 0.01)])
    time = np.concatenate([time, np.arange(15.3, 20, 0.01)])
    keep = edge_mask(time, window_days=0.8, edge_days=0.4)
    kept = time[keep]
    assert not ((kept > 10) & (kept < 12.5)).any()  # the 0.5-d island is shorter than 2 x 0.4 d
    assert kept.min() >= 0.4 and kept.max() <= 20 - 0.01 - 0.4 + 1e-9
    assert ((kept > 9.5) & (kept <= 9.59)).any() and not ((kept > 9.6) & (kept < 10)).any()
    assert ((kept > 14.9) & (kept < 15.4)).any()  # both sides of the short gap are kept
    assert edge_mask(time, window_days=0.8, edge_days=0.0).all()


def test_period_match_tolerance():
    assert period_match(3.1 * 1.04, 3.1) == "mismatch"
    assert period_match(3.1 * 1.04, 3.1, tolerance=0.05) == "match"


# --- target_features ---------------------------------------------------------------------------

ROW = {"target_id": "T1", "mission": "TESS", "period": 3.1, "depth": 2000.0, "duration": 2.88, "epoch": 2459001.6}


def assert_failed(out, category):
    assert out["target_id"] == "T1"
    assert out["status"] == "failed"
    assert out["category"] == category
    assert isinstance(out["reason"], str) and out["reason"]
    assert out["input_period"] == 3.1
    assert out["input_depth"] == 2000.0
    assert out["input_duration"] == pytest.approx(0.12)
    assert out["input_epoch"] == 2459001.6
    inputs = {"input_period", "input_depth", "input_duration", "input_epoch"}
    assert all(np.isnan(out[name]) for name in FEATURE_COLUMNS if name not in inputs)
    assert set(METADATA_COLUMNS) <= set(out)


def test_target_features_missing_file(tmp_path, settings):
    missing = tmp_path / "nothing.fits"
    out = target_features(ROW, lambda: str(missing), settings)
    assert_failed(out, "no_data")
    assert str(missing) in out["reason"]


def test_target_features_random_bytes(tmp_path, settings):
    path = tmp_path / "garbage.fits"
    path.write_bytes(np.random.default_rng(0).bytes(8192))
    out = target_features(ROW, lambda: str(path), settings)
    assert_failed(out, "unreadable")


def test_target_features_locate_raises_sample_error(settings):
    def locate():
        raise SampleError("no_data", "MAST has no light curve for T1")

    out = target_features(ROW, locate, settings)
    assert_failed(out, "no_data")
    assert out["reason"] == "MAST has no light curve for T1"


@pytest.mark.parametrize(
    ("index", "category"),
    [(7, "unreadable"), (8, "too_few_points"), (9, "all_nan")],
    ids=["truncated", "too_few_points", "all_nan"],
)
def test_target_features_broken_spoc_files(tmp_path, index, category, settings):
    data, _ = demo.make_target("T1", index, 10, seed=3)
    path = tmp_path / "T1.fits"
    path.write_bytes(data)
    out = target_features(ROW, lambda: str(path), settings)
    assert_failed(out, category)


# --- feature_table -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_batch(tmp_path_factory, settings):
    """A three-row catalog (a planet, a missing file, a truncated file) and its rows."""
    folder = tmp_path_factory.mktemp("demo")
    lines = ["target_id,mission,period,depth,duration,epoch,label,path,note,snr_expected"]
    for index, target in ((0, "P0"), (7, "BAD")):
        data, truth = demo.make_target(target, index, 10, seed=3)
        (folder / truth["path"]).write_bytes(data)
        lines.append(
            f"{target},TESS,{truth['period']},{truth['depth']},{truth['duration']},{truth['epoch']},"
            f"{truth['label']},{truth['path']},note {target},{index + 0.5}"
        )
    lines.append("GONE,TESS,5.0,1000,3.0,,planet,GONE.fits,note GONE,")
    (folder / "catalog.csv").write_text("\n".join(lines) + "\n")
    catalog = read_catalog(folder / "catalog.csv")
    rows = [
        target_features(row, lambda row=row: str(folder / row["path"]), settings) for row in catalog.to_dict("records")
    ]
    return catalog, rows


def test_target_features_ok_row(demo_batch):
    catalog, rows = demo_batch
    out = rows[0]
    assert out["status"] == "ok", out["reason"]
    assert out["category"] is None and out["reason"] is None
    assert out["period_match"] == "match"
    assert out["tls_period"] == pytest.approx(catalog.loc[0, "period"], rel=0.005)
    assert out["lc_mission"] == "TESS"
    assert out["cadence_days"] == pytest.approx(CADENCE, rel=0.01)
    assert out["quality_bitmask"] == "default"
    assert out["n_points"] > 10000
    assert out["runtime_s"] > 0


def test_feature_table_layout(demo_batch):
    catalog, rows = demo_batch
    table = feature_table(rows, catalog)
    columns = list(table.columns)
    assert columns[:29] == ["target_id", "status", *FEATURE_COLUMNS]
    assert columns[29 : 29 + len(METADATA_COLUMNS)] == list(METADATA_COLUMNS)
    for replaced in ("period", "depth", "duration", "epoch"):
        assert replaced not in columns
    assert len(columns) == len(set(columns))  # no _x/_y duplicates from the merge
    for carried in ("mission", "label", "path", "note", "snr_expected", "catalog_line"):
        assert carried in columns


def test_feature_table_values(demo_batch):
    catalog, rows = demo_batch
    table = feature_table(rows, catalog)
    assert list(table["target_id"]) == ["P0", "BAD", "GONE"]
    assert list(table["status"]) == ["ok", "failed", "failed"]
    assert list(table["category"].fillna("-")) == ["-", "unreadable", "no_data"]
    assert list(table["note"]) == ["note P0", "note BAD", "note GONE"]
    assert list(table["catalog_line"]) == [2, 3, 4]
    np.testing.assert_array_equal(table["snr_expected"], [0.5, 7.5, np.nan])
    np.testing.assert_allclose(table["input_period"], catalog["period"])
    np.testing.assert_allclose(table["input_duration"], catalog["duration"] / 24.0)
    assert np.isnan(table.loc[2, "input_epoch"])
    for name in FEATURE_COLUMNS:
        assert table[name].dtype == np.float64
    assert table["n_points"].dtype == "Int64"
    assert table.loc[1:, "tls_period"].isna().all()
