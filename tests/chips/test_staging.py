"""Tests for shardflow.chips.staging: one date folder staged into hive partitions, its manifest
fragment and errors, reading a partition back, and the job path staying free of pandas."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import polars as pl
import pytest

from shardflow.chips.demo import write_demo_lab
from shardflow.chips.runfiles import DATA_COLUMNS, read_run, run_id
from shardflow.chips.staging import (
    ERROR_COLUMNS,
    ERROR_SCHEMA,
    MANIFEST_COLUMNS,
    MANIFEST_SCHEMA,
    SETTING_COLUMNS,
    block_dir,
    merge_manifests,
    read_partition,
    stage_block,
    stage_date,
)
from shardflow.config import schema_defaults
from shardflow.io import write_polars

METRICS = schema_defaults()["chips"]["metrics"]

DATE = "2025-03-04"


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """One demo date (3 chips, 3 runs each) plus a truncated file, staged."""
    raw = tmp_path_factory.mktemp("raw")
    write_demo_lab(raw, n_chips=3, dates=[DATE], runs_per_chip_day=3, seed=11)
    good = sorted((raw / DATE).glob("*.csv"))[0]
    (raw / DATE / "zz_truncated.csv").write_text(good.read_text()[:-10])
    stage = tmp_path_factory.mktemp("stage")
    manifest, errors = stage_date(raw / DATE, DATE, stage)
    return raw / DATE, stage, manifest, errors


def test_manifest_fragment_and_errors(staged):
    date_dir, stage, manifest, errors = staged
    assert manifest.schema == MANIFEST_SCHEMA and errors.schema == ERROR_SCHEMA
    assert MANIFEST_COLUMNS == (
        "run_id",
        "chip_number",
        "proc",
        "date",
        "start_time_utc",
        "n_points",
        *SETTING_COLUMNS,
        "settings",
        "path",
        "source_file",
    )
    assert ERROR_COLUMNS == ("date", "source_file", "reason")
    readable = sorted(p.name for p in date_dir.glob("*.csv") if p.name != "zz_truncated.csv")
    broken = [name for name in readable if name not in set(manifest["source_file"])]
    assert manifest["source_file"].to_list() == [name for name in readable if name not in broken]
    assert errors["source_file"].to_list() == [*broken, "zz_truncated.csv"]
    assert (errors["date"] == DATE).all() and "truncated" in errors["reason"][-1]
    for row in manifest.iter_rows(named=True):
        run = read_run(date_dir / row["source_file"])
        assert row["run_id"] == run_id(DATE, row["source_file"])
        assert row["path"] == f"proc={row['proc']}/date={DATE}/run_id={row['run_id']}/part-000.parquet"
        assert (row["chip_number"], row["proc"], row["start_time_utc"]) == (
            run.meta["chip_number"],
            run.meta["proc"],
            run.meta["start_time_utc"],
        )
        assert row["n_points"] == run.n_points and row["date"] == DATE
        for name in SETTING_COLUMNS:
            assert row[name] == run.meta.get(name)  # None (null) where the run has no such setting
        settings = json.loads(row["settings"])
        assert settings == {k: v for k, v in run.meta.items() if k not in ("chip_number", "proc", "start_time_utc")}

        data = read_partition(stage / row["path"])
        assert list(data) == list(DATA_COLUMNS[row["proc"]])
        for name, column in data.items():
            assert column.dtype == np.float64
            np.testing.assert_array_equal(column, run.data[name])


def test_every_proc_folder_exists_and_an_empty_date_stages(staged, tmp_path):
    _, stage, _, _ = staged
    assert sorted(p.name for p in stage.iterdir()) == ["proc=IVg", "proc=It", "proc=VVg"]
    empty = tmp_path / DATE
    empty.mkdir()
    manifest, errors = stage_date(empty, DATE, tmp_path / "stage")
    assert manifest.schema == MANIFEST_SCHEMA and errors.schema == ERROR_SCHEMA
    assert len(manifest) == len(errors) == 0
    assert all((tmp_path / "stage" / f"proc={p}" / f"date={DATE}").is_dir() for p in ("IVg", "VVg", "It"))


def test_fragments_read_by_pandas_merge_into_the_manifest(staged, tmp_path):
    """What the manifest job does: fragments written by polars, read by pandas, merged."""
    _, _, manifest, _ = staged
    write_polars(manifest, tmp_path / "fragment.parquet")
    frame = pd.read_parquet(tmp_path / "fragment.parquet")
    assert list(frame.columns) == list(MANIFEST_COLUMNS)
    assert frame["chip_number"].dtype == "int64" and frame["n_points"].dtype == "int64"
    assert all(frame[name].dtype == "float64" for name in SETTING_COLUMNS)
    merged = merge_manifests([frame.iloc[::-1]])
    assert list(merged["run_id"]) == list(
        frame.sort_values(["chip_number", "proc", "start_time_utc", "run_id"])["run_id"]
    )
    with pytest.raises(ValueError, match="appears twice"):
        merge_manifests([frame, frame.iloc[:1]])


def test_same_inputs_give_identical_files(staged, tmp_path):
    date_dir, stage, manifest, _ = staged
    again, _ = stage_date(date_dir, DATE, tmp_path)
    assert again.equals(manifest)
    for path in manifest["path"]:
        assert (tmp_path / path).read_bytes() == (stage / path).read_bytes()
    write_polars(manifest, tmp_path / "a.parquet")
    write_polars(again, tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert pl.read_parquet(tmp_path / "a.parquet").equals(manifest)


def test_staging_blocks_are_fixed_runs_of_calendar_days():
    assert stage_block("2025-05-04", 1) == "2025-05-04"
    week = {stage_block(f"2025-05-{d:02d}", 7) for d in range(5, 12)}  # Monday 5 to Sunday 11 May
    assert week == {"2025-05-05"}
    assert stage_block("2025-05-04", 7) == "2025-04-28" and stage_block("2025-05-12", 7) == "2025-05-12"
    assert stage_block("2024-12-31", 3) != stage_block("2025-01-01", 3) == stage_block("2025-01-02", 3)
    assert block_dir("stage", "2025-05-07", 7).as_posix() == "stage/block=2025-05-05"


@pytest.mark.parametrize("module", ["shardflow.chips.staging", "shardflow.chips.metrics", "shardflow.io"])
def test_the_job_path_does_not_import_pandas_or_pyarrow(module):
    """Staging and metrics jobs start a new Python each: pandas alone costs ~0.5 s to import."""
    code = f"import sys, {module}; print(sorted({{'pandas', 'pyarrow'}} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_staging_and_extracting_do_not_import_pandas(staged, tmp_path):
    date_dir, _, _, _ = staged
    code = (
        "import sys\n"
        "from shardflow.chips.metrics import Settings, extract_group\n"
        "from shardflow.chips.staging import read_partition, stage_date\n"
        "from shardflow.io import write_polars\n"
        f"manifest, errors = stage_date({str(date_dir)!r}, {DATE!r}, {str(tmp_path)!r})\n"
        f"write_polars(manifest, {str(tmp_path / 'm.parquet')!r})\n"
        f"runs = [(row, read_partition({str(tmp_path)!r} + '/' + row['path']))"
        " for row in manifest.iter_rows(named=True)]\n"
        f"write_polars(extract_group(runs, None, Settings(**{METRICS!r})), {str(tmp_path / 'metrics.parquet')!r})\n"
        "print(sorted({'pandas', 'pyarrow'} & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
