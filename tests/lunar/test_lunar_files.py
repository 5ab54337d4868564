"""Tests for shardflow.lunar.files: which files under er_dir are read, accepted or reported."""

from __future__ import annotations

import os
from datetime import date

from shardflow.lunar.files import EXPECTED, er_file_day, list_er_dir


def test_er_file_day_takes_only_real_dates():
    assert er_file_day("3D980411.TAB") == date(1998, 4, 11)
    assert er_file_day("3d990101.tab") == date(1999, 1, 1)
    assert er_file_day("3D050229.TAB") is None  # 2005 is not a leap year
    assert er_file_day("3D981301.TAB") is None
    assert er_file_day("3D980411.TAB.gz") is None and er_file_day("X3D980411.TAB") is None


def test_listing_reads_er_files_accepts_their_labels_and_reports_every_other_file(tmp_path):
    er = tmp_path / "er"
    (er / "98_04APR").mkdir(parents=True)
    (er / "98_05MAY").mkdir()
    for name in ("98_04APR/3D980411.TAB", "98_04APR/3D980411.LBL", "98_04APR/3d980430.tab", "98_05MAY/3D980501.TAB"):
        (er / name).write_text("x\n")
    for name in ("98_04APR/3D980412.LBL", "98_04APR/3D980431.TAB", "98_05MAY/notes.txt", "THETA.TAB", "THETA.LBL"):
        (er / name).write_text("x\n")
    os.symlink(er / "gone.TAB", er / "98_05MAY" / "3D980502.TAB")

    listing = list_er_dir(er)
    assert listing.months == {
        "1998-04": [str(er / "98_04APR/3D980411.TAB"), str(er / "98_04APR/3d980430.tab")],
        "1998-05": [str(er / "98_05MAY/3D980501.TAB")],
    }
    assert listing.other == {
        str(er / "98_04APR/3D980412.LBL"): "98_04APR/3D980412.LBL: a PDS label without its table "
        f"(3D980412.TAB is not in its folder); {EXPECTED}",
        str(er / "98_04APR/3D980431.TAB"): "98_04APR/3D980431.TAB: named like an ER 3D file but 980431 is not "
        f"a date YYMMDD; {EXPECTED}",
        str(er / "98_05MAY/3D980502.TAB"): f"98_05MAY/3D980502.TAB: a link to nothing ({er / 'gone.TAB'})",
        str(er / "98_05MAY/notes.txt"): f"98_05MAY/notes.txt: not an ER 3D file; {EXPECTED}",
        str(er / "THETA.LBL"): f"THETA.LBL: the PDS label of THETA.TAB, which the pipeline does not read; {EXPECTED}",
        str(er / "THETA.TAB"): "THETA.TAB: the archive's channel inclinations: set lunar.theta_file to this file to "
        "use them",
    }

    # files the configuration names (theta file, kernels) are read, and their labels accepted
    configured = list_er_dir(er, [er / "THETA.TAB", er / "98_05MAY" / "notes.txt"])
    assert configured.months == listing.months
    assert set(listing.other) - set(configured.other) == {
        str(er / "THETA.TAB"),
        str(er / "THETA.LBL"),
        str(er / "98_05MAY/notes.txt"),
    }


def test_a_folder_of_only_other_files_has_no_month(tmp_path):
    (tmp_path / "readme.txt").write_text("x\n")
    listing = list_er_dir(tmp_path)
    assert listing.months == {} and list(listing.other) == [str(tmp_path / "readme.txt")]


def test_a_day_found_twice_is_read_once_and_the_other_file_reported(tmp_path):
    for name in ("3D980411.TAB", "a/3D980411.TAB", "a/3D980411.LBL", "b/3d980411.tab", "b/3D980412.TAB"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x\n")
    listing = list_er_dir(tmp_path)
    assert listing.months == {"1998-04": [str(tmp_path / "3D980411.TAB"), str(tmp_path / "b/3D980412.TAB")]}
    assert listing.other == {
        str(tmp_path / "a/3D980411.LBL"): "a/3D980411.LBL: the PDS label of 3D980411.TAB, which the pipeline does not "
        f"read; {EXPECTED}",
        str(tmp_path / "a/3D980411.TAB"): "a/3D980411.TAB: a second file of the same day; 3D980411.TAB is read",
        str(tmp_path / "b/3d980411.tab"): "b/3d980411.tab: a second file of the same day; 3D980411.TAB is read",
    }
