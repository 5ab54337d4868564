"""Tests for shardflow.lunar.demo: determinism, the truth's physics, the malformed day."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from shardflow.config import schema_defaults
from shardflow.lunar.demo import demo_file_name, write_demo
from shardflow.lunar.er3d import read_er3d
from shardflow.lunar.kernels import write_moon_pck

SPACECRAFT = schema_defaults()["lunar"]["spacecraft"]

DAYS = ["1998-04-11", "1998-04-20"]


@pytest.fixture(scope="module")
def demos(tmp_path_factory):
    """The same two-day demo written twice, the second day malformed."""
    roots = [tmp_path_factory.mktemp(name) for name in ("a", "b")]
    truths = []
    for root in roots:
        write_moon_pck(root / "moon.tpc")
        truths.append(
            write_demo(
                root, DAYS, 200, seed=42, pck=root / "moon.tpc", malformed_day="1998-04-20", spacecraft=SPACECRAFT
            )
        )
    return roots, truths


def test_same_arguments_give_identical_files(demos):
    (a, b), (truth_a, truth_b) = demos
    for day in DAYS:
        assert (a / "er" / demo_file_name(day)).read_bytes() == (b / "er" / demo_file_name(day)).read_bytes()
    assert (a / "kernels" / "lp_demo_orbit.bsp").read_bytes() == (b / "kernels" / "lp_demo_orbit.bsp").read_bytes()
    assert truth_a.equals(truth_b)


def test_truth_has_the_physics_the_issue_asks_for(demos):
    _, (truth, _) = demos
    assert truth.height == 400 and truth["sc_potential_v"].is_finite().all()
    sunlit, shadow = truth.filter(~pl.col("shadow")), truth.filter(pl.col("shadow"))
    assert (sunlit["sc_potential_v"] > 0).all() and (shadow["sc_potential_v"] < 0).all()
    assert sunlit["sc_potential_v"].max() < 40
    day = truth.filter(pl.col("sza_deg") < 90)
    night = truth.filter(pl.col("sza_deg") >= 90)
    wind_day = day.filter(pl.col("region") != "plasma_sheet")
    assert wind_day["surface_potential_v"].is_between(2, 8).all()  # a few volts on the dayside
    assert (night["surface_potential_v"] <= -30).all() and night["surface_potential_v"].min() < -100
    assert set(truth["region"]) == {"solar_wind", "lobe", "plasma_sheet"}  # full moon (tail) and 9 days later
    assert truth.filter(pl.col("source_file") == "3D980411.TAB")["region"].is_in(["lobe", "plasma_sheet"]).all()
    assert truth.filter(pl.col("source_file") == "3D980420.TAB")["region"].eq("solar_wind").all()
    assert truth["field_ratio"].is_between(0.55, 0.95).all()
    assert 0.5 < truth["connected"].mean() < 0.95


def test_the_malformed_day_breaks_four_spectra_and_keeps_the_rest(demos):
    (root, _), (truth, _) = demos
    expected = truth.filter(pl.col("expected_status") == "malformed")
    assert expected["source_file"].unique().to_list() == ["3D980420.TAB"]
    assert expected["spec_no"].to_list() == [21, 61, 101, 200]
    result = read_er3d(root / "er" / "3D980420.TAB")
    assert len(result.spectra) == 196
    assert sorted(m.spec_no for m in result.malformed) == [21, 61, 101, 200]
    assert len(result.line_errors) == 3  # overflow, cut row, cut last line; the missing row is a spectrum error
    np.testing.assert_array_equal(result.spectra.spec_no, [s for s in range(1, 201) if s not in (21, 61, 101, 200)])
