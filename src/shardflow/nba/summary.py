"""Player game summary: one record per player per game of a date (processor 1).

Built from a date file's canonical tables (:mod:`.datefile`) and, when given, the date's points
lines (:mod:`.lines`). Team context sits on every player row (the composite factors and the
feature store read team pace and ratings from it). Column units and formulas:
:data:`SUMMARY_SCHEMA` and ``docs/nba.md``; formulas in :mod:`.formulas`.

Minutes that cannot be right are flagged in ``minutes_flag`` (null when they pass), never
used silently (:func:`minutes_flag`): the usage rate of a flagged row is null, and the window
statistics leave its minutes out (:func:`.history.usable`).
"""

from __future__ import annotations

import os
from datetime import date as Date
from pathlib import Path

import polars as pl

from shardflow.io import replace_atomically

from . import formulas as f
from .boxscore import STAT_COLUMNS, ZONE_COLUMNS, BoxScores, team_minutes_of
from .season_ids import chosen_games, season_expr, season_type_expr
from .windows import season_of

#: Columns of ``player_game_summary/{date}.parquet``, in order. Percentages named ``_pct`` are
#: fractions (0-1); ``usage_rate`` is in percent; minutes are decimal minutes.
SUMMARY_SCHEMA = pl.Schema(
    {
        "game_date": pl.Date,
        "season": pl.Int64,
        "season_type": pl.String,
        "game_id": pl.String,
        "team_id": pl.Int64,
        "team_abbr": pl.String,
        "opponent_team_id": pl.Int64,
        "opponent_abbr": pl.String,
        "is_home": pl.Boolean,
        "player_id": pl.Int64,
        "player_name": pl.String,
        "starter": pl.Boolean,
        "dnp": pl.Boolean,
        "dnp_reason": pl.String,
        "minutes": pl.Float64,
        "minutes_flag": pl.String,
        **dict.fromkeys(STAT_COLUMNS, pl.Int64),
        "plus_minus": pl.Int64,
        "ts_pct": pl.Float64,
        "efg_pct": pl.Float64,
        "usage_rate": pl.Float64,
        **dict.fromkeys(ZONE_COLUMNS, pl.Int64),
        "team_minutes": pl.Float64,
        "team_pts": pl.Int64,
        "opponent_pts": pl.Int64,
        "team_possessions": pl.Float64,
        "team_pace": pl.Float64,
        "team_off_rating": pl.Float64,
        "team_def_rating": pl.Float64,
        "points_line": pl.Float64,
        "over_under": pl.String,
        "source_file": pl.String,
    }
)


def team_context(teams: pl.DataFrame) -> pl.DataFrame:
    """Per team and game: opponent, possessions, pace, offensive and defensive rating, and the
    totals the usage rate needs (team minutes and plays)."""
    teams = teams.with_columns(
        f.possessions(pl.col("fga"), pl.col("fta"), pl.col("oreb"), pl.col("tov")).alias("team_possessions"),
        f.plays(pl.col("fga"), pl.col("fta"), pl.col("tov")).alias("team_plays"),
    )
    opponent = teams.select(
        "game_id",
        pl.col("team_id").alias("opponent_team_id"),
        pl.col("team_abbr").alias("opponent_abbr"),
        pl.col("pts").alias("opponent_pts"),
        pl.col("team_possessions").alias("opponent_possessions"),
    )
    both = teams.join(opponent, on="game_id").filter(pl.col("team_id") != pl.col("opponent_team_id"))
    poss, opp_poss = pl.col("team_possessions"), pl.col("opponent_possessions")
    return both.select(
        "game_id",
        "team_id",
        "team_abbr",
        "opponent_team_id",
        "opponent_abbr",
        "team_minutes",
        "team_plays",
        pl.col("pts").alias("team_pts"),
        "opponent_pts",
        "team_possessions",
        f.pace(poss, opp_poss, pl.col("team_minutes")).alias("team_pace"),
        f.rating(pl.col("pts"), poss, opp_poss).alias("team_off_rating"),
        f.rating(pl.col("opponent_pts"), poss, opp_poss).alias("team_def_rating"),
    )


def over_under(points: pl.Expr, line: pl.Expr) -> pl.Expr:
    """``over``, ``under`` or ``push`` of points against the line; null without a line or
    without points (a DNP)."""
    return (
        pl.when(points.is_null() | line.is_null())
        .then(None)
        .when(points > line)
        .then(pl.lit("over"))
        .when(points < line)
        .then(pl.lit("under"))
        .otherwise(pl.lit("push"))
    )


#: Tolerance of the minutes checks (minutes): box scores round each player's time to the second.
MINUTES_TOLERANCE = 1.0
#: Players a team must list with minutes for its total to be checked (a player's own game log
#: lists one player per team).
FULL_LINEUP = 5


def minutes_flag() -> pl.Expr:
    """Why a row's minutes cannot be right (null when they pass), over rows that carry
    ``minutes`` and the team's ``team_minutes``, checked in this order:

    * the team's minutes are not 5 x (48 + 5 x overtimes) within :data:`MINUTES_TOLERANCE`;
    * the player's minutes exceed the game's length, ``team_minutes / 5``;
    * the minutes of the team's players (when it lists :data:`FULL_LINEUP` or more with
      minutes) total more than :data:`MINUTES_TOLERANCE` away from ``team_minutes``.

    Only players with minutes are flagged (a DNP has none to check).
    """
    p = pl.col
    team = p("team_minutes")
    team_ok = (team - team_minutes_of(team)).abs() <= MINUTES_TOLERANCE
    group = ["game_id", "team_id"]
    total = p("minutes").sum().over(group)
    listed = p("minutes").is_not_null().sum().over(group)
    return (
        pl.when(p("minutes").is_null())
        .then(None)
        .when(~team_ok)
        .then(pl.format("team minutes {} are not 240 + 25 per overtime", team.round(2)))
        .when(p("minutes") > team / 5 + MINUTES_TOLERANCE / 60)
        .then(pl.format("{} minutes, more than the game's {}", p("minutes").round(2), (team / 5).round(2)))
        .when((listed >= FULL_LINEUP) & ((total - team).abs() > MINUTES_TOLERANCE))
        .then(pl.format("the team's players total {} minutes, not its {}", total.round(2), team.round(2)))
        .otherwise(None)
    )


def player_game_summary(
    box: BoxScores,
    date: str,
    source_file: str,
    lines: pl.DataFrame | None = None,
    *,
    season_types: list[str] | None,
) -> pl.DataFrame:
    """The summary of one date (:data:`SUMMARY_SCHEMA`), rows sorted by game, team, player.

    Only games of ``season_types`` (:data:`.season_ids.SEASON_TYPES` names, the config's
    ``nba.season_types``; every game when None) are kept; ``season`` and ``season_type`` come
    from the game id (the calendar's season for ids of another form, whose type is null).
    Shot-zone columns are null for games without a shot chart, 0 for a player of a charted game
    who took no shot there. ``is_home`` is null where the date file does not say which team is
    at home. ``points_line`` and ``over_under`` are null without a line. ``minutes_flag``: :func:`minutes_flag`; the
    usage rate of a flagged row is null.
    """
    p = pl.col
    charted = box.shot_zones.select("game_id").unique()
    zones = box.shot_zones.drop("team_id")
    players = box.players if season_types is None else box.players.filter(chosen_games(p("game_id"), season_types))
    summary = (
        players.join(team_context(box.teams), on=["game_id", "team_id"], how="left")
        .join(box.games, on="game_id", how="left")
        .join(zones, on=["game_id", "player_id"], how="left")
        .with_columns(minutes_flag().alias("minutes_flag"))
        .with_columns(
            pl.lit(Date.fromisoformat(date)).alias("game_date"),
            season_expr(p("game_id")).fill_null(season_of(date)).alias("season"),
            season_type_expr(p("game_id")).alias("season_type"),
            (p("home_team_id") == p("team_id")).alias("is_home"),
            pl.when(p("dnp")).then(p("comment")).otherwise(None).alias("dnp_reason"),
            f.true_shooting(p("pts"), p("fga"), p("fta")).alias("ts_pct"),
            f.effective_fg(p("fgm"), p("fg3m"), p("fga")).alias("efg_pct"),
            pl.when(p("minutes_flag").is_null())
            .then(f.usage_rate(p("minutes"), f.plays(p("fga"), p("fta"), p("tov")), p("team_minutes"), p("team_plays")))
            .alias("usage_rate"),
            p("game_id").is_in(charted["game_id"].implode()).alias("_charted"),
            pl.lit(source_file).alias("source_file"),
        )
        .with_columns(
            pl.when(p("_charted") & ~p("dnp")).then(p(c).fill_null(0)).otherwise(None).alias(c) for c in ZONE_COLUMNS
        )
    )
    if lines is not None:
        summary = summary.join(lines, on="player_id", how="left")
    else:
        summary = summary.with_columns(pl.lit(None, pl.Float64).alias("points_line"))
    summary = summary.with_columns(over_under(p("pts"), p("points_line")).alias("over_under"))
    return summary.select(SUMMARY_SCHEMA.names()).cast(SUMMARY_SCHEMA).sort("game_id", "team_id", "player_id")


#: Parquet key-value metadata key of a summary whose box-score file could not be read.
UNREADABLE_KEY = "shardflow.nba.unreadable"


def write_summary(summary: pl.DataFrame, path: str | os.PathLike, unreadable: str | None = None) -> None:
    """Write a date's summary atomically (zstd parquet). For a date whose box-score file could
    not be read, pass an empty ``summary`` and the reader's message as ``unreadable``: later
    dates then count the date as missing from their window, and the date's own composite
    factors fail with that message (:func:`unreadable_reason`)."""
    metadata = {UNREADABLE_KEY: unreadable} if unreadable is not None else None
    replace_atomically(Path(path), lambda tmp: summary.write_parquet(tmp, compression="zstd", metadata=metadata))


def unreadable_reason(path: str | os.PathLike) -> str | None:
    """The reader's message stored in a summary written for an unreadable date, else None."""
    return pl.read_parquet_metadata(path).get(UNREADABLE_KEY)
