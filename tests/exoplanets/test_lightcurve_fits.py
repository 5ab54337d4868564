"""Tests for shardflow.exoplanets.lightcurve_fits: the astropy.io.fits reader gives lightkurve's
values on the real TESS, Kepler and K2SFF files and on a demo file, keeps lightkurve's quality
bitmasks, and leaves other files to lightkurve."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from astropy.io import fits

from shardflow.exoplanets import lightcurves
from shardflow.exoplanets.demo import write_demo
from shardflow.exoplanets.lightcurve_fits import KEPLER_BITMASKS, TESS_BITMASKS, read_table
from shardflow.exoplanets.lightcurves import read_lightcurve

REAL_FILES = [
    "tess2018263035959-s0003-0000000120916706-0123-s_lc.fits",
    "tess2020106103520-s0024-0000000008348911-0180-s_lc.fits",
    "tess2020133194932-s0025-0000000008348911-0182-s_lc.fits",
    "kplr010666592-2009131110544_slc.fits",
    "hlsp_k2sff_k2_lightcurve_201367065-c01_kepler_v1_llc.fits",
]


def test_bitmasks_are_lightkurves():
    from lightkurve.utils import KeplerQualityFlags, TessQualityFlags

    assert TESS_BITMASKS == {k: v for k, v in TessQualityFlags.OPTIONS.items() if k in TESS_BITMASKS}
    assert KEPLER_BITMASKS == {k: v for k, v in KeplerQualityFlags.OPTIONS.items() if k in KEPLER_BITMASKS}
    assert set(TESS_BITMASKS) == set(TessQualityFlags.OPTIONS) - {None}
    assert set(KEPLER_BITMASKS) == set(KeplerQualityFlags.OPTIONS) - {None}


def outcome(path, bitmask, lightkurve_only=False):
    """read_lightcurve's light curve, or the category of its SampleError; with
    ``lightkurve_only`` every file goes to lightkurve.read, as before this reader."""
    with pytest.MonkeyPatch.context() as mp:
        if lightkurve_only:
            mp.setattr(lightcurves, "read_table", lambda *args: None)
        try:
            return read_lightcurve(path, bitmask)
        except lightcurves.SampleError as err:
            return err.category


def assert_same(ours, ref):
    if isinstance(ref, str):
        assert ours == ref
        return
    for field in dataclasses.fields(ref):
        a, b = getattr(ours, field.name), getattr(ref, field.name)
        if isinstance(b, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=field.name)
        else:
            assert a == b, field.name


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    """The first eight demo targets (planets, eclipsing binaries, quiet stars, damaged files)."""
    tmp = tmp_path_factory.mktemp("demo")
    catalog = write_demo([f"DEMO-{i:04d}" for i in range(1, 9)], tmp / "catalog.csv", tmp / "lc", seed=20260101)
    return [tmp / "lc" / p for p in catalog["path"]]


@pytest.fixture(scope="module")
def demo_file(demo_files):
    """A demo file with usable flux."""
    return next(p for p in demo_files if not isinstance(outcome(p, "default"), str))


@pytest.mark.parametrize("bitmask", ["default", "none", "hardest", 128])
def test_demo_files_as_lightkurve(demo_files, bitmask):
    for path in demo_files:
        assert_same(outcome(path, bitmask), outcome(path, bitmask, lightkurve_only=True))


def test_demo_default_mask_drops_flagged_cadences(demo_file):
    kept = read_table(demo_file, "default").n_cadences
    assert kept < read_table(demo_file, "none").n_cadences
    with fits.open(demo_file) as hdul:
        quality = hdul[1].data["QUALITY"]
    assert kept == int(np.sum((quality & TESS_BITMASKS["default"]) == 0))


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_files_as_lightkurve(shared_data, name):
    path = shared_data / "lightcurves" / name
    if not path.is_file():
        pytest.skip(f"real light curve not found at {path}")
    table = read_table(path, "default")
    assert table is not None and table.time.min() > 2.45e6
    assert_same(read_lightcurve(path), outcome(path, "default", lightkurve_only=True))


def test_unknown_bitmask_name_is_unreadable(demo_file):
    with pytest.raises(lightcurves.SampleError, match="quality_bitmask='soft'") as err:
        read_lightcurve(demo_file, "soft")
    assert err.value.category == "unreadable"


def test_other_formats_go_to_lightkurve(demo_file, tmp_path):
    """A file with a generic FLUX column (lightkurve would read that one) and a file from
    another pipeline are not read here."""
    with fits.open(demo_file) as hdul:
        columns = hdul[1].columns + fits.ColDefs([fits.Column(name="FLUX", format="E", array=hdul[1].data["SAP_FLUX"])])
        extra = fits.HDUList([hdul[0].copy(), fits.BinTableHDU.from_columns(columns, header=hdul[1].header)])
        extra.writeto(tmp_path / "flux.fits")
        other = fits.HDUList([hdul[0].copy(), hdul[1].copy()])
        other[0].header["ORIGIN"] = "MIT/QLP"
        other.writeto(tmp_path / "qlp.fits")
    assert read_table(tmp_path / "flux.fits") is None
    assert read_table(tmp_path / "qlp.fits") is None
