"""The exoplanet pipeline run by the real snakemake on a tiny demo configuration."""

from __future__ import annotations

import pandas as pd
import polars as pl
from workdir import TINY_CONFIG, final_tables, kill_after_first_jobs, make_workdir, run_snakemake, tables_equal

from shardflow.exoplanets.features import FEATURE_COLUMNS


def test_full_run_produces_every_output_and_a_rerun_has_nothing_to_do(reference_run):
    out = reference_run / "results" / "exoplanets"
    for name in (
        "features.parquet",
        "features.csv",
        "failed_samples.csv",
        "plots/period_recovery.png",
        "plots/sde_by_label.png",
        "plots/diagnostics.png",
    ):
        assert (out / name).stat().st_size > 0, name
    assert sorted(p.name for p in (out / "features").iterdir()) == [f"batch_{i:04d}.parquet" for i in range(4)]

    features = pd.read_parquet(out / "features.parquet")
    assert list(features.columns[:29]) == ["target_id", "status", *FEATURE_COLUMNS]
    assert features["target_id"].tolist() == [f"DEMO-{i:04d}" for i in range(1, 9)]
    assert pl.read_parquet(out / "features.parquet").height == 8  # opens in polars too
    assert len(pd.read_csv(out / "features.csv")) == 8

    again = run_snakemake(reference_run, "--cores", "2")
    assert "Nothing to be done" in again.stdout + again.stderr


def test_broken_light_curves_become_failed_rows_and_the_run_succeeds(reference_run):
    out = reference_run / "results" / "exoplanets"
    features = pd.read_parquet(out / "features.parquet").set_index("target_id")
    failed = pd.read_csv(out / "failed_samples.csv").set_index("target_id")
    # the last three demo targets are a truncated file, too few points and all-NaN flux
    assert failed["category"].to_dict() == {
        "DEMO-0006": "unreadable",
        "DEMO-0007": "too_few_points",
        "DEMO-0008": "all_nan",
    }
    assert all("DEMO-000" in reason for reason in failed["reason"])  # the message names the file
    assert (features.loc[failed.index, "status"] == "failed").all()
    ok = features[features["status"] == "ok"]
    assert len(ok) == 5
    computed = [c for c in FEATURE_COLUMNS if not c.startswith("input_")]
    inputs = [c for c in FEATURE_COLUMNS if c.startswith("input_")]
    transiting = ok[ok["label"] != "no_transit"]
    assert transiting[computed].notna().all().all()
    assert transiting[inputs].notna().all().all()
    assert ok.loc[ok["label"] == "no_transit", inputs].isna().all().all()  # no catalog period


def test_kill_then_rerun_redoes_only_unfinished_batches(reference_run, tmp_path):
    workdir = make_workdir(tmp_path / "killed", TINY_CONFIG)
    batches = workdir / "results" / "exoplanets" / "features"
    done = kill_after_first_jobs(workdir, "results/logs/exoplanets/features")
    finished = {f"{name}.parquet": (batches / f"{name}.parquet").stat().st_mtime_ns for name in done}
    assert 1 <= len(finished) < 4

    rerun = run_snakemake(workdir, "--cores", "1")  # a plain rerun: no --unlock needed
    assert "stale lock" in rerun.stderr
    for name, mtime in finished.items():
        assert (batches / name).stat().st_mtime_ns == mtime, f"{name} was recomputed"
    ran = rerun.stdout + rerun.stderr
    assert ran.count("rule exoplanets_features:") == 4 - len(finished)

    tables_equal(final_tables(workdir), final_tables(reference_run))


def test_one_core_and_two_cores_give_identical_tables(reference_run, tmp_path):
    workdir = make_workdir(tmp_path / "one_core", TINY_CONFIG)
    run_snakemake(workdir, "--cores", "1")
    tables_equal(final_tables(workdir), final_tables(reference_run))


def test_a_bad_config_key_fails_fast_and_names_the_key(tmp_path):
    workdir = make_workdir(tmp_path, {"exoplanets": {"batchsize": 3}})
    result = run_snakemake(workdir, "--cores", "1", "--dry-run", check=False, timeout=120)
    assert result.returncode != 0
    assert "'batchsize' was unexpected" in result.stdout + result.stderr
    assert not (workdir / "results").exists()


def test_a_bad_catalog_fails_fast_with_file_line_and_column(tmp_path):
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(
        "target_id,mission,period,depth,duration,epoch,label\n"
        "A,TESS,1.5,1000,2.0,2459000.5,planet\n"
        "B,TESS,one day,1000,2.0,2459000.5,planet\n"
    )
    config = {
        "pipelines": ["exoplanets"],
        "exoplanets": {"catalog": str(catalog), "lightcurves": {"source": "local", "dir": str(tmp_path)}},
    }
    workdir = make_workdir(tmp_path / "wf", config)
    result = run_snakemake(workdir, "--cores", "1", check=False, timeout=300)
    assert result.returncode != 0
    assert f"{catalog}, line 3, column period: 'one day' is not a number" in result.stdout + result.stderr
    # it stops at the catalog: no feature job started
    assert not (workdir / "results" / "exoplanets" / "features").exists()
    assert not (workdir / "results" / "logs" / "exoplanets" / "features").exists()
