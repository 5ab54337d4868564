"""The real lab day and the Keithley export through `snakemake --cores 2 chips`, described by
tests/chips/formats/real_lab.yaml (issue 15's targets). The data sit beside the project, in
../shared/data/graphene; the tests skip when that folder is absent."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pipelines import chips_tables
from workdir import REPO_ROOT, make_workdir, run_snakemake

from shardflow.chips.metrics import PANDAS_DTYPES
from shardflow.chips.sweeps import split_legs

GRAPHENE = REPO_ROOT.parent / "shared" / "data" / "graphene"
LAB_DAY = GRAPHENE / "ehewins_19032024"
FORMATS = Path(__file__).parent / "formats" / "real_lab.yaml"

pytestmark = pytest.mark.skipif(
    not (LAB_DAY.is_dir() and (GRAPHENE / "gfet_transfer_curve.csv").is_file()),
    reason=f"real graphene data not found at {GRAPHENE} (it sits beside the project in CI)",
)


@pytest.fixture(scope="module")
def lab_run(tmp_path_factory):
    """The lab's folder copied as saved, the Keithley CSV in a day folder, the formats file."""
    root = tmp_path_factory.mktemp("real_lab")
    raw = root / "raw"
    shutil.copytree(LAB_DAY, raw / LAB_DAY.name)
    (raw / "2024-01-15").mkdir()
    shutil.copy(GRAPHENE / "gfet_transfer_curve.csv", raw / "2024-01-15")
    shutil.copy(FORMATS, raw / "formats.yaml")
    workdir = make_workdir(root / "workflow", {"pipelines": ["chips"], "chips": {"raw_dir": str(raw)}})
    run_snakemake(workdir, "--cores", "2", "chips")
    tables = chips_tables(workdir)
    tables["metrics"] = tables["metrics"].astype(PANDAS_DTYPES)
    return raw, tables


def sweep_legs(raw: Path, manifest: pd.DataFrame, metrics: pd.DataFrame):
    """(file, leg number, CNP row, Vg of the leg's lowest |I|, lowest |I| at a leg end?) for
    every leg of every lab sweep, the minimum read straight from the file."""
    for row in manifest[manifest["source_file"].str.contains("-Isd-Vg-")].itertuples():
        table = np.loadtxt(raw / LAB_DAY.name / row.source_file)
        vg, current = table[:, 0], np.abs(table[:, 3])
        rows = metrics[(metrics["run_id"] == row.run_id) & metrics["metric_name"].isin(["cnp_fwd_v", "cnp_bwd_v"])]
        for number, leg in enumerate(split_legs(vg), start=1):
            k = int(np.argmin(current[leg]))
            at_end = k <= 2 or k >= leg.stop - leg.start - 3
            cnp = rows[rows["leg"] == number].iloc[0]
            yield row.source_file, number, cnp, float(vg[leg][k]), at_end


def test_every_file_is_staged_or_reported(lab_run):
    raw, tables = lab_run
    manifest, errors = tables["manifest"], tables["errors"]
    assert len(manifest) == 12 + 10 + 1  # sweeps, photocurrent series, the Keithley curve
    assert sorted(errors["source_file"]) == sorted(p.name for p in (raw / LAB_DAY.name).glob("*-Isd-Vsd-*.dat"))
    assert errors["reason"].str.contains("no format takes this file").all()
    assert set(manifest["date"]) == {"2024-03-19", "2024-01-15"}


def test_every_leg_cnp_within_1_v_of_its_current_minimum_and_edges_flagged(lab_run):
    raw, tables = lab_run
    legs = list(sweep_legs(raw, tables["manifest"], tables["metrics"]))
    assert len(legs) == 72  # 2 to 4 cycles per file, every turning point a new leg
    reached = [(f, n, c, v) for f, n, c, v, at_end in legs if not at_end]
    assert len(reached) >= 56
    for file, number, cnp, minimum in reached:
        assert cnp["flags"] == "" and abs(cnp["value_float"] - minimum) < 1.0, (file, number, cnp, minimum)
    # sweeps that never reach their Dirac point (+-10 V on Device 2): every leg flagged, no value
    for file in ("CVD2F-Isd-Vg-Dark.dat", "CVD2F-Isd-Vg-Light.dat"):
        rows = [c for f, _, c, _, _ in legs if f == file]
        assert len(rows) == 8
        assert all("cnp_at_edge" in c["flags"] and np.isnan(c["value_float"]) for c in rows), file


def test_every_hysteresis_sign_follows_the_current_minima(lab_run):
    raw, tables = lab_run
    metrics = tables["metrics"]
    minima = {(f, n): (c, v) for f, n, c, v, at_end in sweep_legs(raw, tables["manifest"], metrics) if not at_end}
    manifest = tables["manifest"].set_index("run_id")
    hysteresis = metrics[(metrics["metric_name"] == "hysteresis_v") & metrics["value_float"].notna()]
    checked = 0
    for row in hysteresis.itertuples():
        file = manifest.loc[row.run_id, "source_file"]
        if (file, row.leg - 1) in minima and (file, row.leg) in minima:
            expected = minima[(file, row.leg)][1] - minima[(file, row.leg - 1)][1]
            if abs(expected) >= 0.4:  # two sampling steps: a sign to compare
                assert np.sign(row.value_float) == np.sign(expected), (file, row.leg, row.value_float, expected)
                checked += 1
    assert checked >= 25


def test_device_dirac_points_match_the_lab(lab_run):
    """The leg holding each file's lowest current, against the lab's README: Device 1 dark
    +6.8 to +7.0 V, light +3.0 V; Device 2 dark about +30 V, light +32 to +33 V."""
    raw, tables = lab_run
    expect = {
        "CVD1F-Isd-Vg-Dark.dat": (6.5, 7.3),
        "CVD1F-Isd-Vg-Dark-25max.dat": (6.5, 7.3),
        "CVD1F-Isd-Vg-Light.dat": (2.6, 3.4),
        "CVD1F-Isd-Vg-Light-25max.dat": (2.6, 3.4),
        "CVD2F-Isd-Vg-Dark-35max.dat": (29.5, 30.8),
        "CVD2F-Isd-Vg-Dark-35max-2.dat": (29.5, 30.8),
        "CVD2F-Isd-Vg-Light-35max.dat": (31.8, 33.2),
        "CVD2F-Isd-Vg-Light-35max-2.dat": (31.5, 33.2),
    }
    for file, (low, high) in expect.items():
        value = file_minimum_cnp(raw, tables, file)
        assert low <= value <= high, (file, value)


def file_minimum_cnp(raw: Path, tables, file: str) -> float:
    """The CNP of the leg that holds the file's lowest |I|."""
    table = np.loadtxt(raw / LAB_DAY.name / file)
    k = int(np.argmin(np.abs(table[:, 3])))
    legs = split_legs(table[:, 0])
    number = next(n for n, leg in enumerate(legs, start=1) if leg.start <= k < leg.stop)
    run_id = tables["manifest"].set_index("source_file").loc[file, "run_id"]
    metrics = tables["metrics"]
    rows = metrics[(metrics["run_id"] == run_id) & (metrics["leg"] == number)]
    return float(rows[rows["metric_name"].str.startswith("cnp_")]["value_float"].iloc[0])


def test_keithley_export_dirac_point_within_0_5_v_of_4_v(lab_run):
    _, tables = lab_run
    run = tables["manifest"][tables["manifest"]["source_file"] == "gfet_transfer_curve.csv"]
    metrics = tables["metrics"]
    cnp = metrics[(metrics["run_id"] == run["run_id"].iloc[0]) & (metrics["metric_name"] == "cnp_fwd_v")]
    assert len(cnp) == 1 and cnp["flags"].iloc[0] == ""
    assert abs(cnp["value_float"].iloc[0] - 4.0) < 0.5


def test_hand_switched_light_found_in_the_photocurrent_series(lab_run):
    _, tables = lab_run
    manifest = tables["manifest"]
    series = manifest[manifest["source_file"].str.contains("-time-")]
    switches = series["settings"].map(lambda text: len(json.loads(text)["light_switches_s"]))
    assert (switches == 8).sum() >= 9  # four covered/uncovered cycles in all but the faintest
    photo = tables["metrics"][tables["metrics"]["metric_name"] == "photoresponse_a"]
    assert photo["value_float"].notna().sum() >= 9


def test_a_file_edited_in_place_restages_its_day(lab_run):
    """An edited file that no format takes still restages its day (its error row may change)."""
    raw, _ = lab_run
    workdir = raw.parent / "workflow"
    unmatched = raw / LAB_DAY.name / "CVD1F-Isd-Vsd-Dark.dat"
    unmatched.chmod(0o644)
    unmatched.write_text(unmatched.read_text() + "\n")
    plan = run_snakemake(workdir, "--cores", "2", "chips", "-n")
    assert re.search(r"^chips_stage\s+1$", plan.stdout, re.MULTILINE), plan.stdout  # that day only
    assert "wildcards: block=2024-03-19" in plan.stdout
