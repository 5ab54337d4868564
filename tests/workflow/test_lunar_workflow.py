"""The lunar pipeline run by the real snakemake: what its tiny demo's tables hold (a malformed
file among them), a new day, an unreadable file. The tests every pipeline passes (rerun, kill,
--cores 1, missing and empty inputs) are in test_pipelines.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from pipelines import lunar_tables
from workdir import make_workdir, run_snakemake

from shardflow.lunar.demo import demo_file_name, write_demo
from shardflow.lunar.kernels import write_moon_pck


@pytest.fixture(scope="module")
def days(tmp_path_factory) -> Path:
    """Four generated days (60 spectra each, none malformed) and their SPK, outside any workflow."""
    root = tmp_path_factory.mktemp("lunar_days")
    write_moon_pck(root / "moon.tpc")
    write_demo(
        root,
        ["1998-04-11", "1998-04-20", "1998-05-11", "1998-05-20"],
        60,
        seed=3,
        pck=root / "moon.tpc",
        malformed_day=None,
    )
    return root


def test_the_demo_reports_the_malformed_file_and_keeps_its_other_spectra(reference):
    workdir = reference("lunar")
    tables = lunar_tables(workdir)
    potential, errors = tables["potential"], tables["errors"]
    truth = pd.read_parquet(workdir / "resources/demo/lunar/truth.parquet")
    assert len(potential) == len(truth) == 300
    per_file = potential.groupby(["source_file", "status"]).size().to_dict()
    assert per_file == {
        ("3D980411.TAB", "ok"): 100,
        ("3D980420.TAB", "ok"): 96,
        ("3D980420.TAB", "malformed"): 4,
        ("3D980511.TAB", "ok"): 100,
    }
    malformed = potential[potential["status"] == "malformed"]
    expected = truth[truth["expected_status"] == "malformed"]
    assert sorted(malformed["spec_no"]) == sorted(expected["spec_no"])
    assert malformed["reason"].str.startswith("3D980420.TAB line").all()
    assert set(errors["source_file"]) == {"3D980420.TAB"} and len(errors) == 4
    assert errors["reason"].str.contains("not a number").sum() == 1
    assert errors["reason"].str.contains("rows, expected 15").sum() == 1
    ok = potential[potential["status"] == "ok"]
    assert (ok["sc_status"] == "ok").all() and (ok["surface_status"] == "ok").any()
    assert potential["time_utc"].is_monotonic_increasing


def test_a_new_day_reruns_only_its_month_and_an_unreadable_file_is_reported(days, tmp_path):
    raw = tmp_path / "er"
    raw.mkdir()
    for day in ("1998-04-11", "1998-04-20", "1998-05-11"):
        shutil.copy(days / "er" / demo_file_name(day), raw)
    (raw / "3D980415.TAB").write_bytes(b"\x00\x01\x02 interrupted download\n")
    config = {
        "pipelines": ["lunar"],
        "lunar": {"er_dir": str(raw), "kernels": [str(days / "kernels" / "lp_demo_orbit.bsp")]},
    }
    workdir = make_workdir(tmp_path / "wf", config)
    run_snakemake(workdir, "--cores", "2")
    out = workdir / "results" / "lunar"
    errors = pd.read_csv(out / "read_errors.csv")
    assert errors["source_file"].tolist() == ["3D980415.TAB"] and errors["line"].isna().all()
    assert errors["reason"].str.contains("3D980415.TAB").all()
    assert len(pd.read_parquet(out / "months" / "1998-04.parquet")) == 120  # the month still has its other days
    before = {p.stem: p.stat().st_mtime_ns for p in (out / "months").glob("*.parquet")}

    shutil.copy(days / "er" / demo_file_name("1998-05-20"), raw)
    rerun = run_snakemake(workdir, "--cores", "2")
    log = rerun.stdout + rerun.stderr
    assert log.count("rule lunar_month:") == 1
    after = {p.stem: p.stat().st_mtime_ns for p in (out / "months").glob("*.parquet")}
    assert after["1998-04"] == before["1998-04"] and after["1998-05"] != before["1998-05"]
    assert len(pd.read_parquet(out / "potential.parquet")) == 240
