"""The exoplanet pipeline run by the real snakemake on the demo's archive-format TOI table of
multi-sector, multi-planet stars, read from a local folder (its index built by a rule); adding
a sector file reruns exactly the batch of that star."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from workdir import make_workdir, run_snakemake

DEMO = "resources/demo/exoplanets"
#: Two multi-sector stars: DEMO-M01 (sectors 3 and 4, two planets), DEMO-M02 (sectors 3-5, three).
DEMO_CONFIG = {"pipelines": ["exoplanets"], "exoplanets": {"demo": {"n_targets": 4, "multi_stars": 2}}}
LATE_SECTOR = "DEMO-M01_s0004.fits"


@pytest.fixture(scope="module")
def archive_run(tmp_path_factory):
    """The demo's TOI table and files, then a local run without M01's second sector."""
    root = tmp_path_factory.mktemp("archive")
    demo = make_workdir(root / "demo", DEMO_CONFIG)
    run_snakemake(demo, "--cores", "2", f"{DEMO}/catalog_toi.csv")
    folder = root / "lightcurves"
    folder.mkdir()
    for path in sorted((demo / DEMO / "lightcurves").glob("DEMO-M*.fits")):
        if path.name != LATE_SECTOR:
            shutil.copy(path, folder / path.name)
    config = {
        "pipelines": ["exoplanets"],
        "exoplanets": {
            "catalog": str(demo / DEMO / "catalog_toi.csv"),
            "lightcurves": {"source": "local", "dir": str(folder)},
            "batch_size": 2,
            "plots": {"diagnostics": 2},
        },
    }
    workdir = make_workdir(root / "local", config)
    run_snakemake(workdir, "--cores", "2")
    return demo, folder, workdir


def features(workdir: Path) -> pd.DataFrame:
    return pd.read_parquet(workdir / "results/exoplanets/features.parquet").set_index("target_id")


def test_archive_catalog_of_multi_sector_multi_planet_stars_runs_end_to_end(archive_run):
    demo, _, workdir = archive_run
    table = features(workdir)
    truth = pd.read_csv(demo / DEMO / "catalog.csv").set_index("target_id")
    assert list(table.index) == ["TOI-9001.01", "TOI-9001.02", "TOI-9002.01", "TOI-9002.02", "TOI-9002.03"]
    assert (table["status"] == "ok").all(), table[["status", "reason"]]
    assert table["star_id"].tolist() == ["TIC 990000001"] * 2 + ["TIC 990000002"] * 3
    assert table.loc["TOI-9002.01", "lc_segments"] == "S3,S4,S5"
    assert table.loc["TOI-9001.01", "lc_segments"] == "S3"  # its second sector is not in the folder yet
    assert table["label"].tolist() == [1] * 5  # CP
    # each row describes its own planet: every strong planet is recovered at its own period
    by_row = dict(zip(table.index, truth.loc[[f"DEMO-M0{t[7]}.{t[-2:]}" for t in table.index]].to_dict("records")))
    for target, row in table.iterrows():
        if by_row[target]["snr_expected"] >= 10:
            assert row["period_match"] == "match", (target, row["tls_period"], by_row[target]["period"])
            assert row["tls_period"] == pytest.approx(by_row[target]["period"], rel=0.01)
    assert table["tls_period"].nunique() == 5
    # the long-period planet of the three-sector star (30-40 d, longer than one sector)
    assert table.loc["TOI-9002.01", "tls_period"] > 27.4
    index = pd.read_parquet(workdir / "results/exoplanets/lightcurve_index.parquet")
    assert len(index) == 4 and (index["status"] == "ok").all()
    for name in ("diagnostics.png", "period_recovery.png"):
        assert (workdir / "results/exoplanets/plots" / name).stat().st_size > 0


def test_adding_a_sector_file_reruns_exactly_the_batches_of_that_star(archive_run):
    demo, folder, workdir = archive_run
    batches = workdir / "results/exoplanets/features"
    before = {p.name: p.stat().st_mtime_ns for p in batches.iterdir()}
    assert sorted(before) == ["batch_0000.parquet", "batch_0001.parquet"]
    shutil.copy(demo / DEMO / "lightcurves" / LATE_SECTOR, folder / LATE_SECTOR)
    rerun = run_snakemake(workdir, "--cores", "2")
    log = rerun.stdout + rerun.stderr
    assert log.count("rule exoplanets_features:") == 1
    assert "batch=0000" in log and "batch=0001" not in log
    after = {p.name: p.stat().st_mtime_ns for p in batches.iterdir()}
    assert after["batch_0001.parquet"] == before["batch_0001.parquet"]
    assert after["batch_0000.parquet"] != before["batch_0000.parquet"]
    table = features(workdir)
    assert table.loc["TOI-9001.01", "lc_segments"] == "S3,S4"
    index_log = (workdir / "results/logs/exoplanets/lightcurve_index.log").read_text()
    assert "1 opened" in index_log  # only the new file was read
