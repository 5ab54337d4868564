"""Tests for shardflow.lunar.month: a month with malformed and unreadable files, the
statuses, and results that do not depend on the number of threads."""

from __future__ import annotations

import shutil

import numpy as np
import polars as pl
import pytest

from shardflow.config import schema_defaults
from shardflow.lunar.demo import demo_file_name, write_demo
from shardflow.lunar.kernels import standard_kernels, write_moon_pck
from shardflow.lunar.month import ERROR_SCHEMA, MONTH_SCHEMA, FitSettings, process_month

LUNAR = schema_defaults()["lunar"]
SETTINGS = FitSettings.from_config(LUNAR)
DAYS = ["1998-04-11", "1998-04-20"]


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """Two demo days (one malformed), an unreadable file, a day outside the trajectory kernel,
    a spectrum without a field, and a file named for 1998-04-30 that holds two spectra of
    1998-04-11 after one of its own day; processed with one and with two threads."""
    root = tmp_path_factory.mktemp("month")
    write_moon_pck(root / "moon.tpc")
    truth = write_demo(
        root, DAYS, 90, seed=5, pck=root / "moon.tpc", malformed_day="1998-04-20", spacecraft=LUNAR["spacecraft"]
    )
    er = root / "er"
    (er / "3D980412.TAB").write_bytes(b"\x00\x01\x02 not a table\n")
    lines = (er / demo_file_name("1998-04-11")).read_text().splitlines(keepends=True)
    uncovered = "".join(lines[:15]).replace("1998-04-11T", "1998-04-13T").replace(" 892252820.000", " 892425620.000")
    (er / "3D980413.TAB").write_text(uncovered)  # the first spectrum, two days later
    own_day = "".join(lines[:15]).replace("1998-04-11T", "1998-04-30T").replace(" 892252820.000", " 893894420.000")
    (er / "3D980430.TAB").write_text(own_day + "".join(lines[15:45]))  # then spectra 2 and 3 of 1998-04-11
    for i in range(15, 30):  # spectrum 2: B = 0
        fields = lines[i].split()
        fields[4:7] = ["0.000"] * 3
        lines[i] = " ".join(fields) + "\n"
    (er / demo_file_name("1998-04-11")).write_text("".join(lines))
    kernels = [*standard_kernels(), root / "moon.tpc", root / "kernels" / "lp_demo_orbit.bsp"]
    paths = sorted(str(p) for p in er.glob("*.TAB"))
    one = process_month(paths, kernels, SETTINGS, threads=1)
    two = process_month(paths, kernels, SETTINGS, threads=2)
    return truth, one, two


def test_every_spectrum_has_a_row_and_every_problem_is_reported(month):
    truth, (table, errors, timings), _ = month
    assert table.schema == MONTH_SCHEMA and errors.schema == ERROR_SCHEMA
    counts = dict(table.group_by("source_file").len().iter_rows())
    assert counts == {"3D980411.TAB": 90, "3D980420.TAB": 90, "3D980413.TAB": 1, "3D980430.TAB": 3}
    malformed = table.filter(pl.col("status") == "malformed")
    assert sorted(malformed.select("source_file", "spec_no").rows()) == sorted(
        truth.filter(pl.col("expected_status") == "malformed").select("source_file", "spec_no").rows()
    )
    assert malformed["reason"].str.starts_with("3D980420.TAB line").all()
    assert malformed["sc_status"].is_null().all()
    by_file = errors.group_by("source_file").len().sort("source_file").rows()
    assert by_file == [("3D980412.TAB", 1), ("3D980420.TAB", 4), ("3D980430.TAB", 1)]
    unreadable = errors.filter(pl.col("source_file") == "3D980412.TAB").row(0, named=True)
    assert unreadable["line"] is None and "3D980412.TAB" in unreadable["reason"]
    assert table.select("source_file", "line").rows() == sorted(table.select("source_file", "line").rows())
    assert set(timings) == {"read_s", "geometry_s", "incident_s", "kappa_fit_s", "sc_potential_s", "losscone_fit_s"}


def test_statuses_follow_the_data(month):
    _, (table, _, _), _ = month
    ok = table.filter(pl.col("status") == "ok")
    uncovered = ok.filter(pl.col("source_file") == "3D980413.TAB").row(0, named=True)
    assert uncovered["sc_status"] == "no_trajectory" and uncovered["surface_status"] == "no_sc_potential"
    assert np.isnan(uncovered["lat_deg"]) and uncovered["shadow"] is None
    no_field = ok.filter((pl.col("source_file") == "3D980411.TAB") & (pl.col("spec_no") == 2)).row(0, named=True)
    # without a field the kappa fit takes every channel, the loss cone's too: a worse fit, still a potential
    assert no_field["surface_status"] == "no_field" and no_field["sc_status"] in ("ok", "poor_fit")
    assert np.isfinite(no_field["sc_potential_v"]) and np.isnan(no_field["surface_potential_v"])
    rest = ok.filter(~pl.col("source_file").is_in(["3D980413.TAB", "3D980430.TAB"]))  # outside the kernel
    assert (rest.filter(pl.col("surface_status") != "no_field")["sc_status"] == "ok").all()
    assert set(rest["surface_status"]) == {"ok", "no_loss_cone", "no_field", "closes_below_range"}
    measured = rest.filter(pl.col("surface_status") == "ok")
    assert measured["surface_potential_v"].is_finite().all() and measured["field_ratio"].is_finite().all()
    assert rest.filter(pl.col("surface_status") == "no_loss_cone")["surface_potential_v"].is_nan().all()
    # a cone still open at the lowest channel: the value is the bound -(E_low - U_sc), below U
    bounded = rest.filter(pl.col("surface_status") == "closes_below_range")
    assert (bounded["surface_potential_v"] - bounded["sc_potential_v"] + 40.0).abs().max() < 1e-9
    assert (bounded["sc_potential_v"] < 0).all() and bounded["field_ratio"].is_finite().all()


def test_spectra_not_on_the_day_of_their_file_are_reported_not_processed(month):
    _, (table, errors, _), _ = month
    rows = table.filter(pl.col("source_file") == "3D980430.TAB").sort("line")
    assert rows["status"].to_list() == ["ok", "wrong_day", "wrong_day"]
    assert rows["line"].to_list() == [1, 16, 31]
    wrong = rows.filter(pl.col("status") == "wrong_day")
    assert wrong["sc_status"].is_null().all() and wrong["surface_potential_v"].is_null().all()
    assert wrong["time_utc"].dt.date().cast(pl.String).to_list() == ["1998-04-11"] * 2
    assert wrong["reason"].to_list() == [
        "3D980430.TAB lines 16-30: time 1998-04-11T00:01:40Z is not on the day of the file's name, 1998-04-30",
        "3D980430.TAB lines 31-45: time 1998-04-11T00:03:00Z is not on the day of the file's name, 1998-04-30",
    ]
    error = errors.filter(pl.col("source_file") == "3D980430.TAB").row(0, named=True)
    assert error["line"] == 16
    assert error["reason"] == (
        "3D980430.TAB: 2 spectra (first at line 16, last at line 31) are on 1998-04-11, not on the day of the "
        "file's name, 1998-04-30; they are not processed"
    )


def test_one_and_two_threads_give_identical_tables(month):
    _, (table1, errors1, _), (table2, errors2, _) = month
    assert table1.equals(table2, null_equal=True)
    assert errors1.equals(errors2, null_equal=True)


def test_a_month_of_only_unreadable_files_still_gives_its_tables(tmp_path):
    bad = tmp_path / "3D980401.TAB"
    bad.write_text("")
    shutil.copy(bad, tmp_path / "3D980402.TAB")
    table, errors, _ = process_month([str(bad), str(tmp_path / "3D980402.TAB")], standard_kernels(), SETTINGS)
    assert table.height == 0 and table.schema == MONTH_SCHEMA
    assert errors["reason"].to_list() == [f"{bad}: empty file", f"{tmp_path / '3D980402.TAB'}: empty file"]
