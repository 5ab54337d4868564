"""The chips pipeline run by the real snakemake: what its tiny demo's tables hold, a new date
folder, a broken file, a week per staging job. The tests every pipeline passes (rerun, kill,
--cores 1, missing and empty inputs) are in test_pipelines.py."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pipelines import chips_tables
from workdir import make_workdir, run_snakemake, tables_equal

from shardflow.chips.demo import demo_dates, write_demo_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Path:
    """A generated lab of 3 chips over 4 dates, outside any workflow folder."""
    root = tmp_path_factory.mktemp("lab")
    truth = write_demo_lab(root, n_chips=3, dates=demo_dates("2025-05-01", 4), runs_per_chip_day=3, seed=7)
    truth.to_csv(root / "truth.csv", index=False)
    geometry = truth[["chip_number", "width_um", "length_um", "c_g_f_cm2"]].drop_duplicates("chip_number")
    geometry.to_csv(root / "chips.csv", index=False)
    return root


def local_raw(lab: Path, dest: Path, dates: list[str]) -> Path:
    dest.mkdir(parents=True)
    shutil.copy(lab / "chips.csv", dest / "chips.csv")
    for date in dates:
        shutil.copytree(lab / date, dest / date)
    return dest


def test_the_demo_tables_hold_every_good_run_and_a_metric_or_reason_per_sweep_pair(reference):
    workdir = reference("chips")
    out = workdir / "results" / "chips"
    tables = chips_tables(workdir)
    manifest, metrics = tables["manifest"], tables["metrics"]
    truth = pd.read_csv(workdir / "resources/demo/chips/truth.csv")
    assert set(manifest["run_id"]) == set(truth.loc[truth["kind"] == "ok", "run_id"])
    assert len(tables["errors"]) == (truth["kind"] != "ok").sum()
    assert len(list(out.glob("metrics/chip=*.parquet"))) == manifest["chip_number"].nunique()
    assert set(metrics["run_id"]) <= set(manifest["run_id"])
    staged = list(out.glob("stage/block=*/proc=*/date=*/run_id=*/part-000.parquet"))
    assert len(staged) == len(manifest)
    # every pair of consecutive sweeps has a metric or a skip reason
    sweeps = manifest[manifest["proc"].isin(["IVg", "VVg"])].groupby(["chip_number", "proc"]).size()
    pairs = metrics.loc[metrics["pair_previous_run_id"].notna(), ["run_id", "pair_previous_run_id"]].drop_duplicates()
    assert len(pairs) == (sweeps - 1).sum()


def test_a_new_date_reruns_only_its_staging_and_the_chips_it_touches(lab, tmp_path):
    dates = sorted(d.name for d in lab.iterdir() if d.is_dir())
    raw = local_raw(lab, tmp_path / "raw", dates[:3])
    workdir = make_workdir(tmp_path / "wf", {"pipelines": ["chips"], "chips": {"raw_dir": str(raw)}})
    run_snakemake(workdir, "--cores", "2")
    out = workdir / "results" / "chips"
    before_stage = {p: p.stat().st_mtime_ns for p in (out / "stage" / "manifest").glob("*.parquet")}
    before_chips = {p: p.stat().st_mtime_ns for p in out.glob("metrics/chip=*.parquet")}

    shutil.copytree(lab / dates[3], raw / dates[3])
    rerun = run_snakemake(workdir, "--cores", "2")
    log = rerun.stdout + rerun.stderr
    assert log.count("rule chips_stage:") == 1
    for path, mtime in before_stage.items():
        assert path.stat().st_mtime_ns == mtime, f"{path.name} was staged again"

    manifest = pd.read_parquet(out / "manifest.parquet")
    touched = set(manifest.loc[manifest["date"] == dates[3], "chip_number"])
    assert 0 < len(touched) < len(before_chips)  # chip 3 has no run on the new date
    for path, mtime in before_chips.items():
        chip = int(path.stem.split("=")[1])
        changed = path.stat().st_mtime_ns != mtime
        assert changed == (chip in touched), f"{path}: rerun {changed}, has new runs {chip in touched}"


def test_a_broken_file_is_reported_and_its_date_still_succeeds(lab, tmp_path):
    dates = sorted(d.name for d in lab.iterdir() if d.is_dir())[:2]
    raw = local_raw(lab, tmp_path / "raw", dates)
    good = sorted((raw / dates[0]).glob("*.csv"))[0]
    text = good.read_text()
    (raw / dates[0] / "zz_truncated.csv").write_text(text[: len(text) // 2])
    (raw / dates[0] / "zz_no_chip.csv").write_text(text.replace("Chip number", "Chip nickname"))
    workdir = make_workdir(tmp_path / "wf", {"pipelines": ["chips"], "chips": {"raw_dir": str(raw)}})
    run_snakemake(workdir, "--cores", "2")
    errors = pd.read_csv(workdir / "results/chips/staging_errors.csv").set_index("source_file")
    truth = pd.read_csv(lab / "truth.csv")
    broken_in_lab = set(truth.loc[truth["date"].isin(dates) & (truth["kind"] != "ok"), "filename"])
    assert set(errors.index) == {"zz_truncated.csv", "zz_no_chip.csv"} | broken_in_lab
    assert "zz_truncated.csv" in errors.loc["zz_truncated.csv", "reason"]
    assert "chip" in errors.loc["zz_no_chip.csv", "reason"].lower()
    manifest = pd.read_parquet(workdir / "results/chips/manifest.parquet")
    n_good = len(list((raw / dates[0]).glob("*.csv"))) - 2 - sum(truth.loc[truth["kind"] != "ok", "date"] == dates[0])
    assert (manifest["date"] == dates[0]).sum() == n_good


def test_a_week_per_staging_job_gives_the_same_tables_and_a_new_day_restages_its_week(lab, tmp_path):
    dates = sorted(d.name for d in lab.iterdir() if d.is_dir())  # Thursday 1 to Sunday 4 May 2025
    raw = local_raw(lab, tmp_path / "raw", dates[:3])
    tables = {}
    for days in (1, 7):
        config = {"pipelines": ["chips"], "chips": {"raw_dir": str(raw), "stage_days": days}}
        workdir = make_workdir(tmp_path / f"wf{days}", config)
        log = run_snakemake(workdir, "--cores", "2", "results/chips/metrics.parquet")
        assert (log.stdout + log.stderr).count("rule chips_stage:") == (3 if days == 1 else 1)
        tables[days] = chips_tables(workdir)
    tables_equal(tables[1], tables[7])
    assert sorted(p.name for p in (workdir / "results/chips/stage").glob("block=*")) == ["block=2025-04-28"]

    shutil.copytree(lab / dates[3], raw / dates[3])
    plan = run_snakemake(workdir, "--cores", "2", "results/chips/metrics.parquet", "--dry-run")
    assert "wildcards: block=2025-04-28" in plan.stdout and re.search(r"^chips_stage\s+1$", plan.stdout, re.MULTILINE)
