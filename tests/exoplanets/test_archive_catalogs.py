"""The NASA Exoplanet Archive's TOI and KOI tables as downloaded (``../shared/data/exoarchive``),
read by ``shardflow.exoplanets.catalog``; small archive-format files for the edge cases; grouping
rows by star into batches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shardflow.exoplanets.catalog import (
    BKJD_OFFSET,
    CatalogError,
    assign_batches,
    detect_format,
    read_catalog,
    stellar_mass,
)
from shardflow.exoplanets.sources import attach_files

TOI_FILE = "exoarchive/toi_2025-09-29.csv"
KOI_FILE = "exoarchive/koi_cumulative_2025-09-29.csv"


@pytest.fixture(scope="module")
def toi(shared_data):
    return read_catalog(shared_data / TOI_FILE)


@pytest.fixture(scope="module")
def koi(shared_data):
    return read_catalog(shared_data / KOI_FILE)


def test_toi_table_as_downloaded(toi, shared_data):
    assert len(toi) == 7699
    raw = pd.read_csv(shared_data / TOI_FILE, comment="#")
    assert set(raw.columns) <= set(toi.columns)  # every archive column is carried through
    row = toi.set_index("target_id").loc["TOI-263.01"]
    assert row["star_id"] == "TIC 120916706" and row["mission"] == "TESS"
    assert row["period"] == pytest.approx(0.5568095)
    assert row["epoch"] == pytest.approx(2459116.147851)  # pl_tranmid is BJD already
    assert row["label"] == 1  # CP
    assert row["duration"] == row["pl_trandurh"] and row["depth"] == row["pl_trandep"]
    assert toi.set_index("target_id").loc["TOI-2266.01", "star_id"] == "TIC 8348911"
    assert toi["catalog_line"].iloc[0] == 71  # 69 comment lines and the header before it


def test_toi_labels_follow_the_dispositions(toi):
    by_disp = toi.groupby("tfopwg_disp", dropna=False)["label"].agg(lambda s: set(s.astype("float").fillna(-1)))
    assert by_disp["CP"] == {1} and by_disp["KP"] == {1}
    assert by_disp["FP"] == {0} and by_disp["FA"] == {0}
    assert by_disp["PC"] == {-1} and by_disp["APC"] == {-1}  # candidates unlabelled


def test_toi_rows_without_a_period_are_failed_rows_not_a_rejected_table(toi):
    failed = toi[toi["catalog_status"] == "failed"]
    assert len(failed) > 0
    assert failed["pl_orbper"].isna().all()
    assert (failed["catalog_reason"] == "pl_orbper is empty or not positive").all()
    assert (toi.loc[toi["catalog_status"] == "ok", "period"] > 0).all()


def test_koi_table_as_downloaded_with_bkjd_epochs(koi, shared_data):
    assert len(koi) == 9564
    raw = pd.read_csv(shared_data / KOI_FILE, comment="#")
    assert set(raw.columns) <= set(koi.columns)
    row = koi.set_index("target_id").loc["K00002.01"]
    assert row["star_id"] == "KIC 10666592" and row["mission"] == "Kepler"
    assert row["period"] == pytest.approx(2.204735417)
    assert row["epoch"] == pytest.approx(121.3585417 + BKJD_OFFSET) and BKJD_OFFSET == 2454833.0
    assert row["duration"] == pytest.approx(3.88864)
    assert row["label"] == 1  # CONFIRMED
    assert set(koi.loc[koi["koi_disposition"] == "FALSE POSITIVE", "label"]) == {0}
    assert koi.loc[koi["koi_disposition"] == "CANDIDATE", "label"].isna().all()
    # Kepler-90 has seven KOIs: one star
    assert (koi["kepler_name"].fillna("").str.startswith("Kepler-90 ")).sum() == 7
    assert koi.loc[koi["kepler_name"].fillna("").str.startswith("Kepler-90 "), "star_id"].nunique() == 1


def test_stellar_mass_from_logg_and_radius(koi):
    sun = stellar_mass(4.438, 1.0)
    assert sun == pytest.approx(1.0)
    row = koi.set_index("target_id").loc["K00002.01"]
    assert row["star_mass"] == pytest.approx(10 ** (row["koi_slogg"] - 4.438) * row["koi_srad"] ** 2)
    assert np.isnan(stellar_mass(np.nan, 1.0)) and np.isnan(stellar_mass(9.0, 1.0))  # out of range: left out


ARCHIVE_TOI = (
    "# This file was produced by the NASA Exoplanet Archive\n"
    "# COLUMN toi: TESS Object of Interest\n"
    "toi,tid,tfopwg_disp,pl_tranmid,pl_orbper,pl_trandurh,pl_trandep,st_rad,st_logg\n"
    "101.01,231663901,KP,2458325.3,1.4303,1.6,18000,0.9,4.5\n"
    "101.02,231663901,PC,,3.1,,,0.9,4.5\n"
    "102.01,,PC,2458326.0,4.41,2.0,900,1.1,\n"
    "103.01,149603524,FA,2458327.0,abc,2.0,900,,\n"
)


def test_missing_required_values_become_failed_rows_with_the_reason(tmp_path):
    path = tmp_path / "toi.csv"
    path.write_text(ARCHIVE_TOI)
    df = read_catalog(path).set_index("target_id")
    assert list(df.index) == ["TOI-101.01", "TOI-101.02", "TOI-102.01", "TOI-103.01"]
    assert list(df["catalog_line"]) == [4, 5, 6, 7]
    assert df.loc["TOI-101.01", "catalog_status"] == "ok"
    assert df.loc["TOI-101.02", "catalog_status"] == "ok"  # no epoch or depth: searched, not matched by epoch
    assert np.isnan(df.loc["TOI-101.02", "epoch"]) and pd.isna(df.loc["TOI-101.02", "label"])
    assert df.loc["TOI-102.01", ["catalog_status", "catalog_reason"]].tolist() == ["failed", "tid is empty"]
    assert df.loc["TOI-103.01", ["catalog_status", "catalog_reason"]].tolist() == [
        "failed",
        "pl_orbper is not a number",
    ]
    assert np.isnan(df.loc["TOI-102.01", "star_mass"])  # no log g


def test_custom_label_mapping_and_explicit_format(tmp_path):
    path = tmp_path / "toi.csv"
    path.write_text(ARCHIVE_TOI)
    df = read_catalog(path, "toi", {"KP": 1, "PC": 1}).set_index("target_id")
    assert df["label"].tolist()[:2] == [1, 1] and pd.isna(df.loc["TOI-103.01", "label"])
    with pytest.raises(CatalogError, match="missing required column.*koi_period"):
        read_catalog(path, "koi")


def test_format_detection_names_what_is_missing(tmp_path):
    assert (
        detect_format(["kepid", "kepoi_name", "koi_period", "koi_time0bk", "koi_duration", "koi_depth"], "x") == "koi"
    )
    assert detect_format(["target_id", "mission", "period", "depth", "duration", "epoch", "label"], "x") == "simple"
    with pytest.raises(CatalogError, match="nor is it the archive's TOI table"):
        detect_format(["toi", "tid"], "x")


def test_rows_of_a_star_share_a_batch_and_files(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "target_id,star_id,mission,period,depth,duration,epoch,label,path\n"
        "A.01,A,TESS,1,1,1,1,planet,a_s1.fits;a_s2.fits\n"
        "B.01,B,TESS,1,1,1,1,planet,\n"
        "A.02,A,TESS,2,1,1,1,planet,\n"
        "C.01,,TESS,1,1,1,1,planet,\n"
        "A.03,A,TESS,3,1,1,1,planet,a_s3.fits\n"
    )
    catalog = attach_files(read_catalog(path), {"B": ["b1.fits", "b2.fits"]})
    assert catalog["star_id"].tolist() == ["A", "B", "A", "C.01", "A"]  # no star id: its own star
    files = dict(zip(catalog["target_id"], catalog["lc_files"]))
    assert files["A.02"] == files["A.01"] == "a_s1.fits;a_s2.fits;a_s3.fits"
    assert files["B.01"] == "b1.fits;b2.fits" and files["C.01"] == ""  # the index has no file of C.01
    assert attach_files(read_catalog(path))["lc_files"].tolist()[3] == "C.01.fits"  # no index: {star}.fits
    batches = dict(zip(catalog["target_id"], assign_batches(catalog, 3)["batch"]))
    assert batches["A.01"] == batches["A.02"] == batches["A.03"] == 0
    assert batches["B.01"] == batches["C.01"] == 1
    assert set(assign_batches(catalog, 1)["batch"]) == {0, 1, 2}  # a star larger than a batch stays whole
