"""The exoplanet pipeline run by the real snakemake: what its tiny demo's tables hold, and its
fast failure on a bad catalog (a bad config key: tests/faults/test_faults_config.py). The tests
every pipeline passes (rerun, kill, --cores 1, missing and empty inputs) are in
test_pipelines.py."""

from __future__ import annotations

import pandas as pd
import polars as pl
from pipelines import EXOPLANETS
from workdir import make_workdir, run_snakemake

from shardflow.exoplanets.features import FEATURE_COLUMNS

N_TARGETS = EXOPLANETS.section["demo"]["n_targets"]


def test_the_demo_tables_have_a_row_per_target_and_a_batch_file_per_batch(reference):
    out = reference("exoplanets") / "results" / "exoplanets"
    n_batches = -(-N_TARGETS // EXOPLANETS.section["batch_size"])
    assert sorted(p.name for p in (out / "features").iterdir()) == [f"batch_{i:04d}.parquet" for i in range(n_batches)]
    features = pd.read_parquet(out / "features.parquet")
    assert list(features.columns[:29]) == ["target_id", "status", *FEATURE_COLUMNS]
    assert features["target_id"].tolist() == [f"DEMO-{i:04d}" for i in range(1, N_TARGETS + 1)]
    assert pl.read_parquet(out / "features.parquet").height == N_TARGETS  # opens in polars too
    assert len(pd.read_csv(out / "features.csv")) == N_TARGETS


def test_broken_light_curves_become_failed_rows_and_the_run_succeeds(reference):
    out = reference("exoplanets") / "results" / "exoplanets"
    features = pd.read_parquet(out / "features.parquet").set_index("target_id")
    failed = pd.read_csv(out / "failed_samples.csv").set_index("target_id")
    # the last three demo targets are a truncated file, too few points and all-NaN flux
    broken = [f"DEMO-{i:04d}" for i in range(N_TARGETS - 2, N_TARGETS + 1)]
    assert failed["category"].to_dict() == dict(zip(broken, ["unreadable", "too_few_points", "all_nan"]))
    assert all("DEMO-000" in reason for reason in failed["reason"])  # the message names the file
    assert (features.loc[failed.index, "status"] == "failed").all()
    ok = features[features["status"] == "ok"]
    assert len(ok) == N_TARGETS - 3
    assert set(ok["label"]) == {"planet", "eclipsing_binary", "no_transit"}
    computed = [c for c in FEATURE_COLUMNS if not c.startswith("input_")]
    inputs = [c for c in FEATURE_COLUMNS if c.startswith("input_")]
    transiting = ok[ok["label"] != "no_transit"]
    assert transiting[computed].notna().all().all()
    assert transiting[inputs].notna().all().all()
    assert ok.loc[ok["label"] == "no_transit", inputs].isna().all().all()  # no catalog period


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
