"""The nba pipeline run by the real snakemake on season tables (eight dates of the real Kaggle
month): end to end, an independent recomputation of points averages, rest days and usage,
exactly the changed dates rerun after a corrected or a grown table, no leakage; and on date
files, a game filed under two dates and files no reader takes."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from workdir import make_workdir, run_snakemake

DATES = [f"2022-01-0{d}" for d in range(1, 9)]
NEW_DATE = "2022-01-09"
CORRECTED = "2022-01-04"
PER_DATE = ("nba_features",)
FTA_WEIGHT = 0.44


def kaggle_subset(shared_data: Path, dest: Path, dates: list[str]) -> None:
    """The rows of the real Kaggle month whose games are on ``dates`` (files written in ``dest``)."""
    src = shared_data / "nba" / "kaggle_2022-01"
    games = pl.read_csv(src / "games.csv", infer_schema=False)
    wanted = [datetime.strptime(d, "%Y-%m-%d").strftime("%d/%m/%Y") for d in dates]
    games = games.filter(pl.col("GAME_DATE_EST").is_in(wanted))
    details = pl.read_csv(src / "games_details.csv", infer_schema=False)
    dest.mkdir(parents=True, exist_ok=True)
    games.write_csv(dest / "games.csv")
    details.filter(pl.col("GAME_ID").is_in(games["GAME_ID"].implode())).write_csv(dest / "games_details.csv")


@pytest.fixture(scope="module")
def tables_run(shared_data, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("nba_tables")
    kaggle_subset(shared_data, root / "data", DATES)
    (root / "data" / "README.txt").write_text("where the tables come from")
    workdir = make_workdir(root, {"pipelines": ["nba"], "nba": {"boxscores_dir": str(root / "data")}})
    run_snakemake(workdir, "--cores", "2", "nba")
    return workdir


def planned(workdir: Path) -> set[tuple[str, str | None]]:
    """(rule, date) of every job a dry run plans."""
    jobs = set()
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", run_snakemake(workdir, "-n", "nba").stdout):
        if m := re.match(r"(?:local)?rule (\w+):", block):
            day = re.search(r"wildcards: date=(\S+)", block)
            jobs.add((m.group(1), day.group(1) if day else None))
    return jobs


def minutes_of(text) -> float | None:
    """Minutes of the Kaggle MIN column, parsed here independently of the library."""
    if not isinstance(text, str) or text == "":
        return None
    if ":" in text:
        parts = text.split(":")
        return int(parts[0]) + int(parts[1]) / 60
    return float(text) * 24  # a spreadsheet's fraction of a day of MM:SS taken for HH:MM


def test_season_tables_end_to_end(tables_run):
    features = pd.read_parquet(tables_run / "results/nba/ml_feature_store.parquet")
    assert sorted(features["game_date"].astype(str).unique()) == DATES
    errors = pd.read_csv(tables_run / "results/nba/input_errors.csv")
    assert errors["file"].tolist() == ["README.txt"] and "nba_api game log" in errors["reason"][0]


def test_points_averages_rest_days_and_usage_recomputed_from_the_table(tables_run):
    data = tables_run / "data"
    games = pd.read_csv(data / "games.csv", dtype=str)
    games["day"] = pd.to_datetime(games["GAME_DATE_EST"], format="%d/%m/%Y").dt.date
    rows = pd.read_csv(data / "games_details.csv", dtype={"MIN": str, "COMMENT": str})
    rows["GAME_ID"] = rows["GAME_ID"].astype(str)
    rows = rows.merge(games[["GAME_ID", "day"]], on="GAME_ID")
    rows["minutes"] = rows["MIN"].map(minutes_of)
    played = rows[rows["minutes"] > 0]
    summary = pd.read_parquet(tables_run / "results/nba/player_game_summary").set_index(["game_id", "player_id"])
    team = played.groupby(["GAME_ID", "TEAM_ID"])[["minutes", "FGA", "FTA", "TO"]].sum()
    checked = 0
    for r in played.itertuples():
        s = summary.loc[(r.GAME_ID.zfill(10), r.PLAYER_ID)]
        t = team.loc[(r.GAME_ID, r.TEAM_ID)]
        team_minutes = 240 + 25 * max(round((t["minutes"] - 240) / 25), 0)
        usage = 100 * (r.FGA + FTA_WEIGHT * r.FTA + r.TO) * team_minutes / 5
        usage /= r.minutes * (t["FGA"] + FTA_WEIGHT * t["FTA"] + t["TO"])
        if s["minutes_flag"] is None:
            assert s["usage_rate"] == pytest.approx(usage), (r.GAME_ID, r.PLAYER_ID)
            checked += 1
        else:
            assert pd.isna(s["usage_rate"])
    assert checked > 0.9 * len(played)
    features = pd.read_parquet(tables_run / "results/nba/ml_feature_store.parquet")
    for f in features.itertuples():
        before = played[(played["PLAYER_ID"] == f.player_id) & (played["day"] < f.game_date)]
        if before.empty:
            assert pd.isna(f.points_avg_season) and pd.isna(f.days_rest)
            continue
        assert f.points_avg_season == pytest.approx(before["PTS"].mean())
        assert f.points_avg_last_5 == pytest.approx(before.sort_values("day")["PTS"].tail(5).mean())
        assert f.days_rest == (f.game_date - before["day"].max()).days - 1


def test_a_corrected_table_reruns_exactly_the_dates_whose_window_holds_it(tables_run):
    before = {p.name: pd.read_parquet(p) for p in (tables_run / "results/nba/ml_feature_store").glob("*.parquet")}
    details = pl.read_csv(tables_run / "data" / "games_details.csv", infer_schema=False)
    games = pl.read_csv(tables_run / "data" / "games.csv", infer_schema=False)
    game = games.filter(pl.col("GAME_DATE_EST") == "04/01/2022")["GAME_ID"][0]
    first = details.with_row_index().filter((pl.col("GAME_ID") == game) & pl.col("MIN").is_not_null())["index"][0]
    is_first = pl.int_range(pl.len()) == first
    details.with_columns(pl.when(is_first).then(pl.lit("60")).otherwise(pl.col("PTS")).alias("PTS")).write_csv(
        tables_run / "data" / "games_details.csv"
    )
    later = [d for d in DATES if d >= CORRECTED]
    expected = {("nba_stage", CORRECTED), ("nba_summary", CORRECTED)} | {(rule, d) for d in later for rule in PER_DATE}
    assert {job for job in planned(tables_run) if job[1]} == expected
    run_snakemake(tables_run, "--cores", "2", "nba")
    after = {p.name: pd.read_parquet(p) for p in (tables_run / "results/nba/ml_feature_store").glob("*.parquet")}
    for d in DATES:  # no leakage: nothing of a date or before uses the date's games
        if d <= CORRECTED:
            assert before[f"{d}.parquet"].equals(after[f"{d}.parquet"]), d
    player = int(details["PLAYER_ID"][first])
    later_rows = [
        (before[f"{d}.parquet"].set_index("player_id"), after[f"{d}.parquet"].set_index("player_id"))
        for d in later[1:]
        if player in set(after[f"{d}.parquet"]["player_id"])
    ]
    old, new = later_rows[0]  # his next game sees his corrected points
    assert new.loc[player, "points_avg_season"] != old.loc[player, "points_avg_season"]


def test_a_new_date_in_the_table_computes_only_that_date(tables_run, shared_data, tmp_path):
    kaggle_subset(shared_data, tmp_path, [NEW_DATE])
    for name in ("games.csv", "games_details.csv"):
        old = pl.read_csv(tables_run / "data" / name, infer_schema=False)
        pl.concat([old, pl.read_csv(tmp_path / name, infer_schema=False)]).write_csv(tables_run / "data" / name)
    jobs = {job for job in planned(tables_run) if job[1]}
    assert jobs == {("nba_stage", NEW_DATE), ("nba_summary", NEW_DATE), *((rule, NEW_DATE) for rule in PER_DATE)}


def test_a_game_filed_under_two_dates_is_an_error_and_foreign_files_are_rows(shared_data, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for day in ("2023-01-02", "2023-01-03"):  # box scores without a scoreboard: nothing dates the game
        shutil.copy(shared_data / "nba" / "boxscoretraditionalv2_0022200552.json", data / f"{day}.json")
    (data / "2023-01-04.json.bak").write_text(json.dumps({}))
    workdir = make_workdir(tmp_path / "wf", {"pipelines": ["nba"], "nba": {"boxscores_dir": str(data)}})
    result = run_snakemake(workdir, "--cores", "2", "--keep-going", "nba", check=False)
    assert result.returncode != 0
    log = (workdir / "results/logs/nba/features/2023-01-03.log").read_text()
    assert "game 0022200552 is in the box-score files of both 2023-01-02 and 2023-01-03" in log
    errors = pd.read_csv(workdir / "results/nba/input_errors.csv")
    assert errors.values.tolist() == [["2023-01-04.json.bak", "not a YYYY-MM-DD.json date file"]]
    assert date.fromisoformat("2023-01-02")  # the first date itself is fine
    assert (workdir / "results/nba/composite_factors/2023-01-02.parquet").exists()
