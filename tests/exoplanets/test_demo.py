"""Tests for shardflow.exoplanets.demo: SPOC-format demo light curves and their truth catalog."""

from __future__ import annotations

import lightkurve as lk
import numpy as np
import pandas as pd
import pytest
from astropy.io import fits
from lightkurve.utils import LightkurveError, TessQualityFlags
from scipy.ndimage import median_filter

from shardflow.exoplanets.demo import CATALOG_COLUMNS, DEFAULT_BITMASK, EARTH_POINT, write_demo

SEED = 42
BTJD = 2457000.0
SHORT_KINDS = [
    "planet",
    "eclipsing_binary",
    "no_transit",
    "planet",
    "planet",
    "truncated",
    "too_few_points",
    "all_nan",
]
TRANSIT_COLUMNS = ["period", "depth", "duration", "epoch", "snr_expected", "snr_white", "rp_rs", "impact"]


def _ids(n: int) -> list[str]:
    return [f"DEMO-{i:04d}" for i in range(1, n + 1)]


@pytest.fixture(scope="module")
def short(tmp_path_factory):
    """Eight targets: planet, binary, quiet star, two planets, then the three broken kinds."""
    root = tmp_path_factory.mktemp("short")
    catalog = write_demo(_ids(8), root / "catalog.csv", root / "lc", SEED)
    return root, catalog


@pytest.fixture(scope="module")
def longer(tmp_path_factory):
    """Eleven targets: the first eight are all valid (index 7 is the first odd/even binary)."""
    root = tmp_path_factory.mktemp("longer")
    catalog = write_demo(_ids(11), root / "catalog.csv", root / "lc", SEED)
    return root, catalog


def _read(root, row):
    return lk.read(str(root / "lc" / row.path), quality_bitmask="default")


def _local_deficit(lc, centre_btjd: float, period: float, duration_d: float, parity: int | None = None) -> float:
    """Mean flux deficit (ppm) in the central half of each event window, against a local baseline.

    Per event, a quadratic fitted to the flux 0.6-1.5 durations from the mid-time on both sides
    (removing the star's rotational modulation) is the baseline; in-event points are those within
    a quarter duration of the mid-time. ``parity`` keeps only even (0) or odd (1) event numbers.
    """
    time = lc.time.value
    flux = lc.flux.unmasked.value / np.median(lc.flux.unmasked.value)
    number = np.round((time - centre_btjd) / period)
    dt = time - centre_btjd - number * period
    total, count = 0.0, 0
    for n in np.unique(number):
        if parity is not None and int(n) % 2 != parity:
            continue
        event = number == n
        inside = event & (np.abs(dt) < duration_d / 4)
        around = event & (np.abs(dt) > 0.6 * duration_d) & (np.abs(dt) < 1.5 * duration_d)
        if inside.sum() < 4 or (around & (dt < 0)).sum() < 10 or (around & (dt > 0)).sum() < 10:
            continue
        baseline = np.polyval(np.polyfit(dt[around], flux[around], 2), dt[inside])
        total += float(np.sum(baseline - flux[inside]))
        count += int(inside.sum())
    assert count > 0, "no event with data on both sides"
    return total / count * 1e6


def test_default_bitmask_matches_lightkurve():
    assert DEFAULT_BITMASK == TessQualityFlags.DEFAULT_BITMASK


def test_catalog_columns_kinds_and_labels_for_8_ids(short):
    root, catalog = short
    on_disk = pd.read_csv(root / "catalog.csv")
    assert list(on_disk.columns) == CATALOG_COLUMNS
    assert CATALOG_COLUMNS == [
        "target_id",
        "star_id",
        "mission",
        "period",
        "depth",
        "duration",
        "epoch",
        "label",
        "path",
        "kind",
        "snr_expected",
        "snr_white",
        "rp_rs",
        "impact",
        "secondary_depth",
        "odd_even_depth_diff",
        "noise_ppm",
        "rotation_period",
        "rotation_amplitude_ppm",
    ]
    pd.testing.assert_frame_equal(on_disk, catalog)
    assert catalog["target_id"].tolist() == _ids(8)
    assert (catalog["mission"] == "TESS").all()
    assert catalog["path"].tolist() == [f"{i}.fits" for i in _ids(8)]
    assert catalog["kind"].tolist() == SHORT_KINDS
    assert catalog["label"].tolist() == ["planet", "eclipsing_binary", "no_transit"] + ["planet"] * 5
    quiet = catalog[catalog["kind"] == "no_transit"]
    assert quiet[TRANSIT_COLUMNS].isna().all().all()
    transiting = catalog[catalog["kind"] != "no_transit"]
    assert transiting[TRANSIT_COLUMNS].notna().all().all()
    assert (catalog.loc[catalog["label"] == "planet", ["secondary_depth", "odd_even_depth_diff"]] == 0).all().all()
    assert catalog.loc[1, "secondary_depth"] > 0  # the first binary shows a secondary eclipse
    assert catalog[["noise_ppm", "rotation_period", "rotation_amplitude_ppm"]].notna().all().all()


def test_catalog_for_60_ids(tmp_path):
    catalog = write_demo(_ids(60), tmp_path / "catalog.csv", tmp_path / "lc", SEED)
    assert list(pd.read_csv(tmp_path / "catalog.csv").columns) == CATALOG_COLUMNS
    assert len(list((tmp_path / "lc").glob("*.fits"))) == 60
    counts = catalog["kind"].value_counts().to_dict()
    assert counts == {
        "planet": 31,
        "no_transit": 17,
        "eclipsing_binary": 9,
        "truncated": 1,
        "too_few_points": 1,
        "all_nan": 1,
    }
    assert catalog["kind"].tolist()[-3:] == ["truncated", "too_few_points", "all_nan"]
    assert catalog["label"].value_counts().to_dict() == {"planet": 34, "no_transit": 17, "eclipsing_binary": 9}

    planets = catalog[catalog["kind"] == "planet"]
    assert planets["period"].between(0.6, 12).all()
    assert planets["impact"].between(0, 0.7).all()
    assert planets["depth"].between(300, 30000).all()
    assert planets["depth"].max() / planets["depth"].min() > 10
    assert planets["snr_white"].between(4, 160).all()
    assert (planets["snr_white"] >= 10).mean() >= 0.75
    assert planets["snr_white"].min() < 20 and planets["snr_white"].max() > 100
    # with the red noise counted (Pont et al. 2006) the SNR is lower, and still spans 10
    assert (planets["snr_expected"] < planets["snr_white"]).all()
    assert (planets["snr_expected"] >= 10).mean() >= 0.6
    assert planets["snr_expected"].min() < 10 < planets["snr_expected"].max()
    assert planets["epoch"].between(1385.9 + BTJD, 1413.4 + BTJD).all()

    binaries = catalog[catalog["kind"] == "eclipsing_binary"]
    assert binaries["depth"].between(2e4, 3e5).all()
    with_secondary = binaries["secondary_depth"] > 0
    with_odd_even = binaries["odd_even_depth_diff"] > 0
    assert (with_secondary ^ with_odd_even).all()  # each binary shows exactly one of the two signatures
    assert with_secondary.sum() == 5 and with_odd_even.sum() == 4
    assert binaries.loc[with_secondary, "secondary_depth"].between(3e3, 1e5).all()
    assert (binaries["secondary_depth"] < binaries["depth"]).all()
    assert binaries.loc[with_odd_even, "odd_even_depth_diff"].min() > 1000

    assert catalog["noise_ppm"].between(150, 3000).all()
    assert catalog["rotation_period"].between(1, 15).all()
    assert catalog["rotation_amplitude_ppm"].between(100, 5000).all()


def test_planet_file_reads_as_tess_lightcurve(short):
    root, catalog = short
    row = next(catalog[catalog["kind"] == "planet"].itertuples())
    lc = _read(root, row)
    assert isinstance(lc, lk.TessLightCurve)
    assert lc.meta["TELESCOP"] == "TESS" and lc.meta["OBJECT"] == row.target_id
    assert 18_500 <= len(lc) <= 19_500
    flux = lc.flux.unmasked.value
    assert np.isfinite(flux).all()
    assert str(lc.flux.unit) == "electron / s"
    assert 1e3 <= np.median(flux) <= 2e5
    normalized = lc.normalize().flux.unmasked.value
    assert abs(np.median(normalized) - 1) < 1e-3
    assert np.std(normalized) < 0.05
    assert not np.any(lc.quality.value & DEFAULT_BITMASK)

    # Time: BTJD in TDB, two-minute cadence over ~27.4 d with a ~1.1 d mid-sector gap.
    assert lc.time.format == "btjd" and lc.time.scale == "tdb"
    time = lc.time.value
    assert 1385.9 < time[0] < 1386.2 and 1413.2 < time[-1] < 1413.5
    steps = np.diff(time)
    assert np.median(steps) == pytest.approx(2 / 1440, rel=1e-3)
    assert 1.0 <= steps.max() <= 1.25
    assert np.allclose(lc.time.jd - BTJD, time)


def test_flagged_cadences_are_corrupted_and_removed(short):
    root, catalog = short
    row = next(catalog[catalog["kind"] == "planet"].itertuples())
    with fits.open(root / "lc" / row.path) as hdul:
        header, table = hdul[1].header, hdul[1].data
        quality, flux = np.asarray(table["QUALITY"]), np.asarray(table["PDCSAP_FLUX"], dtype=float)
        time = np.asarray(table["TIME"])
        assert header["BJDREFI"] == 2457000 and header["TIMESYS"] == "TDB"
        assert header["TIMEDEL"] == pytest.approx(2 / 1440)
        assert hdul[2].header["EXTNAME"] == "APERTURE" and hdul[2].data.shape == (11, 11)
    gap = (quality & EARTH_POINT) != 0
    assert np.isnan(flux[gap]).all() and 700 < gap.sum() < 870  # ~1.1 d of missing cadences
    flagged = ((quality & DEFAULT_BITMASK) != 0) & ~gap
    assert 0.005 <= flagged.mean() <= 0.01
    assert np.isfinite(flux[flagged]).all()
    good = (quality & DEFAULT_BITMASK) == 0
    # Residuals from a 2-hour running median of the good cadences (removes the star's variability).
    reference = np.interp(time, time[good], median_filter(flux[good], size=61, mode="nearest"))
    residual = flux - reference
    sigma = 1.4826 * np.median(np.abs(residual[good]))
    assert np.mean(np.abs(residual[good]) > 5 * sigma) < 0.002
    assert np.mean(np.abs(residual[flagged]) > 5 * sigma) > 0.3  # removing them matters
    lc = _read(root, row)
    assert len(lc) == good.sum()
    assert np.array_equal(np.asarray(lc["cadenceno"]), np.asarray(table["CADENCENO"])[good])


def test_same_inputs_give_identical_files(short, tmp_path):
    root, _ = short
    write_demo(_ids(8), tmp_path / "catalog.csv", tmp_path / "lc", SEED)
    assert (tmp_path / "catalog.csv").read_bytes() == (root / "catalog.csv").read_bytes()
    for target_id in _ids(8):
        assert (tmp_path / "lc" / f"{target_id}.fits").read_bytes() == (root / "lc" / f"{target_id}.fits").read_bytes()
    other_seed = write_demo(_ids(8)[:1], tmp_path / "other.csv", tmp_path / "other", SEED + 1)
    assert other_seed.loc[0, "noise_ppm"] != pd.read_csv(root / "catalog.csv").loc[0, "noise_ppm"]


def test_target_file_does_not_depend_on_list_length(short, longer):
    (root8, catalog8), (root11, catalog11) = short, longer
    for target_id in _ids(5):  # the non-broken targets of the 8-id run
        assert (root8 / "lc" / f"{target_id}.fits").read_bytes() == (root11 / "lc" / f"{target_id}.fits").read_bytes()
    pd.testing.assert_frame_equal(catalog8.iloc[:5], catalog11.iloc[:5])
    assert catalog11["kind"].tolist()[5:8] == ["no_transit", "planet", "eclipsing_binary"]


def test_planet_transits_have_catalog_depth(longer):
    root, catalog = longer
    confident = catalog[(catalog["kind"] == "planet") & (catalog["snr_expected"] >= 20)]
    assert len(confident) >= 1
    for row in confident.itertuples():
        lc = _read(root, row)
        deficit = _local_deficit(lc, row.epoch - BTJD, row.period, row.duration / 24)
        assert deficit == pytest.approx(row.depth, rel=0.3), row.target_id
        # Half a period away there is nothing.
        off = _local_deficit(lc, row.epoch - BTJD + row.period / 2, row.period, row.duration / 24)
        assert abs(off) < 0.3 * row.depth, row.target_id


def test_binary_secondary_eclipse_at_phase_half(short):
    root, catalog = short
    row = next(catalog[catalog["secondary_depth"] > 0].itertuples())
    lc = _read(root, row)
    secondary = _local_deficit(lc, row.epoch - BTJD + row.period / 2, row.period, row.duration / 24)
    assert secondary == pytest.approx(row.secondary_depth, rel=0.3)
    primary = _local_deficit(lc, row.epoch - BTJD, row.period, row.duration / 24)
    assert primary > secondary and primary == pytest.approx(row.depth, rel=0.3)


def test_binary_odd_even_depths_differ(longer):
    root, catalog = longer
    row = catalog.iloc[7]
    assert row["kind"] == "eclipsing_binary" and row["odd_even_depth_diff"] > 0 and row["secondary_depth"] == 0
    lc = _read(root, row)
    args = (row["epoch"] - BTJD, row["period"], row["duration"] / 24)
    even, odd = _local_deficit(lc, *args, parity=0), _local_deficit(lc, *args, parity=1)
    assert even - odd == pytest.approx(row["odd_even_depth_diff"], rel=0.3)


def test_broken_files_are_broken_as_intended(short):
    root, catalog = short
    by_kind = {row.kind: row for row in catalog.itertuples()}
    valid_size = (root / "lc" / by_kind["planet"].path).stat().st_size
    truncated = root / "lc" / by_kind["truncated"].path
    assert truncated.stat().st_size == valid_size // 2
    with pytest.raises(LightkurveError):
        lk.read(str(truncated), quality_bitmask="default")

    too_few = _read(root, by_kind["too_few_points"])
    assert np.isfinite(too_few.flux.unmasked.value).sum() == 40

    all_nan = _read(root, by_kind["all_nan"])
    assert len(all_nan) > 18_000
    assert not np.isfinite(all_nan.flux.unmasked.value).any()
    assert np.isfinite(all_nan.sap_flux.unmasked.value).sum() > 18_000  # only PDC failed

    for kind in ("truncated", "too_few_points", "all_nan"):
        assert by_kind[kind].label == "planet" and by_kind[kind].depth > 0


def test_multi_sector_stars_and_their_archive_table(tmp_path):
    from shardflow.exoplanets.catalog import read_catalog

    catalog = write_demo([], tmp_path / "c.csv", tmp_path / "lc", SEED, ["DEMO-M01", "DEMO-M02"], tmp_path / "toi.csv")
    assert catalog["target_id"].tolist() == ["DEMO-M01.01", "DEMO-M01.02", "DEMO-M02.01", "DEMO-M02.02", "DEMO-M02.03"]
    m02 = catalog[catalog["star_id"] == "DEMO-M02"]
    files = m02["path"].iloc[0].split(";")
    assert files == ["DEMO-M02_s0003.fits", "DEMO-M02_s0004.fits", "DEMO-M02_s0005.fits"]
    starts = []
    for sector, name in zip((3, 4, 5), files):
        header = fits.getheader(tmp_path / "lc" / name, 0)
        assert header["SECTOR"] == sector and header["TICID"] == 990000002
        lc = lk.read(tmp_path / "lc" / name)
        starts.append((float(lc.time.value[0]), float(lc.time.value[-1])))
    assert all(end < next_start for (_, end), (next_start, _) in zip(starts, starts[1:]))
    assert m02["period"].max() > 27.4  # longer than one sector
    toi = read_catalog(tmp_path / "toi.csv").set_index("target_id")
    assert toi.index.tolist() == ["TOI-9001.01", "TOI-9001.02", "TOI-9002.01", "TOI-9002.02", "TOI-9002.03"]
    assert toi["star_id"].tolist() == ["TIC 990000001"] * 2 + ["TIC 990000002"] * 3
    assert toi["period"].tolist() == pytest.approx(catalog["period"].tolist())
    assert toi["epoch"].tolist() == pytest.approx(catalog["epoch"].tolist())
