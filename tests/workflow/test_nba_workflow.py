"""The nba pipeline run by the real snakemake: what its tiny demo league's tables hold, a new
date, a corrected old date (exactly the dates whose window holds it), a malformed date file.
The tests every pipeline passes (rerun, kill, --cores 1, missing and empty inputs) are in
test_pipelines.py."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from pipelines import NBA, NBA_START
from workdir import make_workdir, run_snakemake

from shardflow.config import schema_defaults
from shardflow.nba.composite import SETTING_KEYS, composite_factors
from shardflow.nba.demo import demo_dates, write_demo_season
from shardflow.nba.features import feature_store
from shardflow.nba.history import HISTORY_COLUMNS, load_summaries, usable

MERGED = "results/nba/ml_feature_store.parquet"
PER_DATE = ("player_game_summary", "composite_factors", "ml_feature_store")
DATES = demo_dates(NBA_START, 7)
#: Dates across a history-segment boundary: 10-17 .. 10-19 are in the period of 2024-10-04 (to
#: 10-19), 10-20 .. 10-23 in the next one.
SPANNING = demo_dates("2024-10-17", 7)


def planned(workdir: Path, *args: str) -> set[tuple[str, str | None]]:
    """(rule, date) of every job a dry run plans (date None for jobs without one)."""
    text = run_snakemake(workdir, "-n", *args).stdout
    jobs = set()
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", text):
        if m := re.match(r"(?:local)?rule (\w+):", block):
            date = re.search(r"wildcards: date=(\S+)", block)
            jobs.add((m.group(1), date.group(1) if date else None))
    return jobs


def mtimes(workdir: Path) -> dict[str, int]:
    out = workdir / "results" / "nba"
    return {f"{s}/{p.stem}": p.stat().st_mtime_ns for s in PER_DATE for p in (out / s).glob("*.parquet")}


def per_date_jobs(dates) -> set[tuple[str, str]]:
    return {("nba_features", d) for d in dates}


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Path:
    """A generated demo league of 4 teams over 7 dates, outside any workflow folder."""
    root = tmp_path_factory.mktemp("season")
    write_demo_season(root, n_teams=4, roster_size=10, dates=DATES, seed=9)
    return root


def local_workdir(season: Path, dest: Path, dates: list[str], **nba) -> Path:
    """A workflow reading copies of ``dates``' files of ``season``."""
    for sub in ("boxscores", "lines"):
        (dest / "data" / sub).mkdir(parents=True)
        for d in dates:
            suffix = "json" if sub == "boxscores" else "csv"
            shutil.copy(season / sub / f"{d}.{suffix}", dest / "data" / sub / f"{d}.{suffix}")
    config = {
        "pipelines": ["nba"],
        "nba": {"boxscores_dir": str(dest / "data" / "boxscores"), "lines_dir": str(dest / "data" / "lines"), **nba},
    }
    return make_workdir(dest / "wf", config)


def test_the_demo_has_every_date_of_every_step_and_season_averages_from_the_second_date(reference):
    out = reference("nba") / "results" / "nba"
    dates = demo_dates(NBA_START, NBA.section["demo"]["n_dates"])
    for step in PER_DATE:
        assert sorted(p.stem for p in (out / step).glob("*.parquet")) == dates
    merged = pl.read_parquet(out / "ml_feature_store.parquet")
    rosters = pl.read_parquet(sorted((out / "player_game_summary").glob("*.parquet")))
    assert len(merged) == len(rosters) and merged["feature_version"].unique().to_list() == ["v1"]
    assert merged.filter(pl.col("game_date") == merged["game_date"].min())["points_avg_season"].is_null().all()
    assert merged.filter(pl.col("game_date") == merged["game_date"].max())["points_avg_season"].is_not_null().any()


def test_a_new_date_computes_only_that_date(season, tmp_path):
    workdir = local_workdir(season, tmp_path, DATES[:6])
    run_snakemake(workdir, "--cores", "2", MERGED)
    before = mtimes(workdir)
    shutil.copy(season / "boxscores" / f"{DATES[6]}.json", tmp_path / "data" / "boxscores")
    shutil.copy(season / "lines" / f"{DATES[6]}.csv", tmp_path / "data" / "lines")
    assert planned(workdir, MERGED) == {("nba_summary", DATES[6]), *per_date_jobs([DATES[6]]), ("nba_merge", None)}
    run_snakemake(workdir, "--cores", "2", MERGED)
    after = mtimes(workdir)
    assert {k: v for k, v in after.items() if DATES[6] not in k} == before
    assert len(after) == len(before) + 3
    # with the default window (the season to date), correcting a date reaches every later date
    path = tmp_path / "data" / "boxscores" / f"{DATES[2]}.json"
    path.write_text(path.read_text().replace('"Final"', '"Final "', 1))
    assert planned(workdir, MERGED) == {("nba_summary", DATES[2]), *per_date_jobs(DATES[2:]), ("nba_merge", None)}


def test_a_corrected_date_recomputes_exactly_the_dates_whose_window_holds_it(season, tmp_path):
    workdir = local_workdir(season, tmp_path, DATES, window_days=2)
    run_snakemake(workdir, "--cores", "2", MERGED)
    before = mtimes(workdir)
    path = tmp_path / "data" / "boxscores" / f"{DATES[2]}.json"
    documents = json.loads(path.read_text())
    player_stats = documents[1]["resultSets"][0]
    row = next(r for r in player_stats["rowSet"] if r[9] is not None)
    row[player_stats["headers"].index("PTS")] += 2  # a scorer's correction
    path.write_text(json.dumps(documents, ensure_ascii=False))
    # window_days 2: DATES[2] is in the windows of DATES[3] and DATES[4] (and is its own roster)
    touched = DATES[2:5]
    assert planned(workdir, MERGED) == {("nba_summary", DATES[2]), *per_date_jobs(touched), ("nba_merge", None)}
    run_snakemake(workdir, "--cores", "2", MERGED)
    after = mtimes(workdir)
    rerun = {k for k in after if after[k] != before[k]}
    assert rerun == {f"player_game_summary/{DATES[2]}"} | {f"{s}/{d}" for s in PER_DATE[1:] for d in touched}


def test_a_malformed_date_file_fails_only_its_own_jobs(season, tmp_path):
    workdir = local_workdir(season, tmp_path, DATES[:5])
    bad = tmp_path / "data" / "boxscores" / f"{DATES[2]}.json"
    bad.write_text(bad.read_text()[:5000])
    result = run_snakemake(workdir, "--cores", "2", MERGED, check=False)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"{bad}: not valid JSON" in log and "nba_features" in log
    out = workdir / "results" / "nba"
    for d in DATES[:5]:
        assert (out / "player_game_summary" / f"{d}.parquet").exists()
        assert (out / "ml_feature_store" / f"{d}.parquet").exists() == (d != DATES[2]), d
    assert (
        not (out / "composite_factors" / f"{DATES[2]}.parquet").exists()
        and not (out / "ml_feature_store.parquet").exists()
    )
    later = pl.read_parquet(out / "composite_factors" / f"{DATES[4]}.parquet")
    assert (later["window_unreadable_dates"] == 1).all() and not later["production_ready"].any()


def test_later_periods_read_an_earlier_period_as_one_segment_and_get_the_same_features(tmp_path):
    write_demo_season(tmp_path / "season", n_teams=4, roster_size=10, dates=SPANNING, seed=5)
    workdir = local_workdir(tmp_path / "season", tmp_path, SPANNING[:6])
    run_snakemake(workdir, "--cores", "2", MERGED)
    out = workdir / "results" / "nba"
    assert sorted(p.name for p in (out / "history_segments").iterdir()) == ["2024-10-04.parquet"]
    assert "1 segments, 2 single summaries" in (workdir / "results/logs/nba/features/2024-10-22.log").read_text()
    # the same features as from the window's summaries, read one by one
    nba = schema_defaults()["nba"]
    roster = pl.read_parquet(out / "player_game_summary" / "2024-10-22.parquet")
    window = SPANNING[:5]
    history = usable(
        load_summaries([out / "player_game_summary" / f"{d}.parquet" for d in window], HISTORY_COLUMNS),
        roster["season"],
    )
    factors = composite_factors(roster, history, "2024-10-22", window, **{k: nba[k] for k in SETTING_KEYS})
    assert pl.read_parquet(out / "ml_feature_store" / "2024-10-22.parquet").equals(feature_store(factors, history))
    # a correction of the earlier period reaches the later one through its segment
    path = tmp_path / "data" / "boxscores" / "2024-10-18.json"
    path.write_text(path.read_text().replace('"Final"', '"Final "', 1))
    expected = {("nba_summary", "2024-10-18"), ("nba_history_segment", None), ("nba_merge", None)}
    assert planned(workdir, MERGED) == expected | per_date_jobs(SPANNING[1:6])
    run_snakemake(workdir, "--cores", "2", MERGED)
    # a new date after the boundary builds no segment again
    shutil.copy(tmp_path / "season" / "boxscores" / "2024-10-23.json", tmp_path / "data" / "boxscores")
    shutil.copy(tmp_path / "season" / "lines" / "2024-10-23.csv", tmp_path / "data" / "lines")
    expected = {("nba_summary", "2024-10-23"), ("nba_merge", None)}
    assert planned(workdir, MERGED) == expected | per_date_jobs(["2024-10-23"])
