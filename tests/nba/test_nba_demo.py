"""The demo season: byte-identical for a seed, read by the real readers, consistent with its
truth (overtime minutes, home teams, scores, usage), with back-to-backs, DNPs and lines."""

from __future__ import annotations

import filecmp
from datetime import date

import polars as pl
import pytest

from shardflow.config import schema_defaults
from shardflow.nba.datefile import read_date_file
from shardflow.nba.demo import demo_dates, write_demo_season
from shardflow.nba.lines import read_lines
from shardflow.nba.summary import player_game_summary

SEASON_TYPES = schema_defaults()["nba"]["season_types"]
DATES = demo_dates("2024-10-22", 20)


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    players, games = write_demo_season(out, n_teams=30, roster_size=15, dates=DATES, seed=11)
    summaries = pl.concat(
        player_game_summary(
            read_date_file(out / "boxscores" / f"{d}.json", d),
            d,
            f"{d}.json",
            read_lines(out / "lines" / f"{d}.csv"),
            season_types=SEASON_TYPES,
        )
        for d in DATES
    )
    return out, players, games, summaries


def test_same_seed_same_bytes(season, tmp_path):
    out = season[0]
    write_demo_season(tmp_path / "again", n_teams=30, roster_size=15, dates=DATES[:3], seed=11)
    write_demo_season(tmp_path / "other", n_teams=30, roster_size=15, dates=DATES[:3], seed=12)
    for d in DATES[:3]:
        box, lines = f"boxscores/{d}.json", f"lines/{d}.csv"
        assert filecmp.cmp(out / box, tmp_path / "again" / box, shallow=False)
        assert filecmp.cmp(out / lines, tmp_path / "again" / lines, shallow=False)
        assert not filecmp.cmp(out / box, tmp_path / "other" / box, shallow=False)


def test_box_scores_match_the_truth(season):
    _, _, games, summaries = season
    teams = summaries.unique(["game_id", "team_id"]).join(games, on="game_id")
    assert len(teams) == 2 * len(games)
    assert (teams["team_minutes"] == 5 * (48 + 5 * (teams["periods"] - 4))).all()
    assert (games["periods"] > 4).sum() >= 3  # overtime games, team minutes above 240
    assert (teams["is_home"] == (teams["team_id"] == teams["home_team_id"])).all()
    home = teams.filter(pl.col("is_home"))
    assert (home["team_pts"] == home["home_pts"]).all() and (home["opponent_pts"] == home["away_pts"]).all()
    assert (games["home_pts"] != games["away_pts"]).all()
    sums = summaries.group_by("game_id", "team_id").agg(
        pl.col("pts").sum(), pl.col("minutes").sum(), pl.col("plus_minus").sum()
    )
    check = sums.join(teams, on=["game_id", "team_id"])
    assert (check["pts"] == check["team_pts"]).all()
    assert ((check["minutes"] - check["team_minutes"]).abs() < 1e-6).all()
    assert (check["plus_minus"] == 5 * (check["team_pts"] - check["opponent_pts"])).all()


def test_schedule_injuries_and_lines(season):
    _, players, games, summaries = season
    per_team = pl.concat(
        [games.select("game_date", pl.col(c).alias("team_id")) for c in ("home_team_id", "away_team_id")]
    )
    days = per_team.sort("team_id", "game_date").with_columns(
        gap=(pl.col("game_date") - pl.col("game_date").shift(1).over("team_id")).dt.total_days()
    )
    assert (days["gap"] == 1).sum() > 20  # back-to-backs
    three_running = days.with_columns(prev=pl.col("gap").shift(1).over("team_id")).filter(
        (pl.col("gap") == 1) & (pl.col("prev") == 1)
    )
    assert three_running.is_empty()
    assert per_team.group_by("game_date", "team_id").len()["len"].max() == 1
    reasons = summaries["dnp_reason"].value_counts()
    assert set(reasons["dnp_reason"].drop_nulls()) == {"DNP - Injury/Illness", "DNP - Coach's Decision"}
    assert summaries.filter(pl.col("dnp"))["pts"].is_null().all()
    outcomes = summaries["over_under"].drop_nulls()
    assert set(outcomes) == {"over", "under", "push"} and 0.3 < (outcomes == "over").mean() < 0.7
    assert summaries["player_name"].str.contains("[^\\x00-\\x7f]").any()  # accented names survive
    assert summaries["game_date"].min() == date(2024, 10, 22)
    # realised usage follows the drawn usage
    usage = summaries.filter(pl.col("minutes") > 10).group_by("player_id").agg(pl.col("usage_rate").mean())
    joined = usage.join(players, on="player_id")
    assert joined.select(pl.corr("usage_rate", "usage_pct")).item() > 0.8
