"""What the summaries of a date's window say about each player and team before that date.

Both later processors read the player game summaries of the dates in the window
(:mod:`.windows`) and summarise them here, with polars expressions over all players at once:
games are ranked most recent first within each player (or team), and "last N games"
statistics are aggregations over the rows of rank <= N. A window arrives as history segments
(the summaries of a calendar period concatenated, :func:`write_segment`) and single
summaries (:func:`.windows.window_parts`); :func:`load_window` reads both. A player's *games* are those he played
(minutes > 0); DNPs count only in the DNP rate and the completeness. With fewer than N games,
a "last N" statistic uses the games there are (``games_played_season`` says how many).
:func:`player_load` serves the composite factors, :func:`player_form` the feature store.
"""

from __future__ import annotations

import json
import os
from datetime import date as Date
from datetime import timedelta
from pathlib import Path

import polars as pl

from shardflow.io import replace_atomically

from . import formulas as f
from .boxscore import ZONES
from .summary import SUMMARY_SCHEMA, unreadable_reason

#: Parquet metadata key of a history segment: the JSON list of its dates whose box-score file
#: could not be read (they have no rows).
SEGMENT_UNREADABLE_KEY = "shardflow.nba.unreadable_dates"

#: Points per made field goal by zone.
ZONE_POINTS = {"paint": 2, "mid": 2, "three": 3}

_RANK = "_rank"


#: Summary columns the composite factors and feature store read from a window.
HISTORY_COLUMNS = (
    "game_date",
    "season",
    "game_id",
    "team_id",
    "opponent_team_id",
    "player_id",
    "dnp",
    "minutes",
    "minutes_flag",
    "pts",
    "fga",
    "fta",
    "usage_rate",
    "paint_fga",
    "paint_fgm",
    "mid_fga",
    "mid_fgm",
    "three_fga",
    "three_fgm",
    "team_pace",
    "team_off_rating",
    "team_def_rating",
)


def load_summaries(paths: list[str | os.PathLike], columns: tuple[str, ...] | None = None) -> pl.DataFrame:
    """The player game summaries (or history segments) in ``paths``, concatenated
    (:data:`.summary.SUMMARY_SCHEMA`, or only ``columns`` of it: the processors read
    :data:`HISTORY_COLUMNS`, about half the bytes)."""
    schema = pl.Schema({c: SUMMARY_SCHEMA[c] for c in columns}) if columns else SUMMARY_SCHEMA
    if not paths:
        return pl.DataFrame(schema=schema)
    return pl.read_parquet([str(p) for p in paths], columns=list(schema.names())).cast(schema)


def write_segment(summaries: list[str | os.PathLike], path: str | os.PathLike) -> pl.DataFrame:
    """Write the history segment of ``summaries`` (the summaries of a segment's dates, each
    named ``{date}.parquet``) to ``path`` atomically: their :data:`HISTORY_COLUMNS` rows, sorted
    by date, game and player, with the dates whose file was unreadable in the metadata. Returns
    the rows."""
    rows = load_summaries(summaries, HISTORY_COLUMNS).sort("game_date", "game_id", "player_id")
    unreadable = sorted(Path(s).stem for s in summaries if unreadable_reason(s))
    metadata = {SEGMENT_UNREADABLE_KEY: json.dumps(unreadable)}
    replace_atomically(Path(path), lambda tmp: rows.write_parquet(tmp, compression="zstd", metadata=metadata))
    return rows


def load_window(
    segments: list[str | os.PathLike], summaries: list[str | os.PathLike]
) -> tuple[pl.DataFrame, list[str]]:
    """(rows, unreadable dates) of a window given as history ``segments`` and single
    ``summaries``: their :data:`HISTORY_COLUMNS` rows, and the window dates whose box-score file
    could not be read (which have no rows)."""
    # separately: a multi-file read takes its schema from the first file, and segments hold fewer columns
    rows = pl.concat([load_summaries(segments, HISTORY_COLUMNS), load_summaries(summaries, HISTORY_COLUMNS)])
    unreadable = [d for s in segments for d in json.loads(pl.read_parquet_metadata(s)[SEGMENT_UNREADABLE_KEY])]
    unreadable += [Path(s).stem for s in summaries if unreadable_reason(s)]
    return rows, sorted(unreadable)


def usable(history: pl.DataFrame, seasons: pl.Series) -> pl.DataFrame:
    """The rows of ``history`` of ``seasons`` (those of the date's games: a window never
    crosses seasons, whatever the calendar says), with flagged minutes (``minutes_flag``)
    made null so that no window statistic uses them."""
    p = pl.col
    return history.filter(p("season").is_in(seasons.unique().implode())).with_columns(
        pl.when(p("minutes_flag").is_null()).then(p("minutes")).alias("minutes")
    )


def games_in_two_dates(roster: pl.DataFrame, history: pl.DataFrame) -> list[tuple[str, str]]:
    """(game id, earlier date) of every game of ``roster`` (a date's summary) that a window
    date's summary also holds: one of the two date files holds another day's game."""
    both = history.join(roster.select("game_id").unique(), on="game_id", how="semi")
    pairs = both.select("game_id", pl.col("game_date").cast(pl.String)).unique().sort("game_id", "game_date")
    return list(pairs.iter_rows())


def _ranked(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """``frame`` with ``_rank`` = 1 for the most recent game of each ``key``, 2 for the one
    before, ... (ties, which cannot happen for one player or team, broken by game id)."""
    return frame.sort([key, "game_date", "game_id"], descending=[False, True, True]).with_columns(
        pl.int_range(1, pl.len() + 1).over(key).alias(_RANK)
    )


def _played(history: pl.DataFrame, players: pl.Series | None) -> pl.DataFrame:
    """The games played by ``players`` (all players when None), ranked most recent first."""
    if players is not None:
        history = history.filter(pl.col("player_id").is_in(players.implode()))
    return _ranked(history.filter(~pl.col("dnp")), "player_id")


def _last(expr: pl.Expr, n: int) -> pl.Expr:
    return expr.filter(pl.col(_RANK) <= n)


def _slope(y: pl.Expr, n: int) -> pl.Expr:
    """Least-squares slope of ``y`` over the last ``n`` games against game order (per game);
    null with fewer than 3 games."""
    x = _last(-pl.col(_RANK).cast(pl.Float64), n)
    y = _last(y.cast(pl.Float64), n)
    dx = x - x.mean()
    return pl.when(x.count() >= 3).then((dx * (y - y.mean())).sum() / (dx * dx).sum()).otherwise(None)


def player_load(history: pl.DataFrame, day: str, players: pl.Series | None = None) -> pl.DataFrame:
    """What the composite factors need of each player (of ``players``; all by default) with a
    game in ``history`` (summaries of dates before ``day``), one row per player:

    last_game_date; games_last_7_days and minutes_last_7_days (games played in the 7 days
    before ``day``); back_to_backs_last_14_days (games in the 14 days before ``day`` played the
    day after another); points_avg_last_10, minutes_avg_last_10, usage_last_{3,10} (means;
    usage in percent; minutes_last_7_days null when a game in them has no usable minutes);
    {paint,mid,three}_fga_per_game (attempts per game over his last 10
    games that have a shot chart; null without one).
    """
    d = Date.fromisoformat(day)
    p = pl.col
    played = _played(history, players)
    recent = played.filter(p("game_date") >= d - timedelta(days=15)).with_columns(
        (p("game_date") - p("game_date").shift(-1).over("player_id") == timedelta(days=1))
        .fill_null(False)
        .alias("_b2b")
    )
    load = recent.group_by("player_id").agg(
        (p("game_date") >= d - timedelta(days=7)).sum().alias("games_last_7_days"),
        pl.when(p("minutes").filter(p("game_date") >= d - timedelta(days=7)).is_null().any())
        .then(None)
        .otherwise(p("minutes").filter(p("game_date") >= d - timedelta(days=7)).sum())
        .alias("minutes_last_7_days"),
        (p("_b2b") & (p("game_date") >= d - timedelta(days=14))).sum().alias("back_to_backs_last_14_days"),
    )
    last10 = played.filter(p(_RANK) <= 10)
    charted = p("paint_fga").is_not_null()
    form = last10.group_by("player_id").agg(
        p("game_date").max().alias("last_game_date"),
        p("pts").mean().alias("points_avg_last_10"),
        p("minutes").mean().alias("minutes_avg_last_10"),
        _last(p("usage_rate"), 3).mean().alias("usage_last_3"),
        p("usage_rate").mean().alias("usage_last_10"),
        *(f.ratio(p(f"{z}_fga").filter(charted).sum(), charted.sum()).alias(f"{z}_fga_per_game") for z in ZONES),
    )
    return form.join(load, on="player_id", how="left")


def player_form(history: pl.DataFrame, players: pl.Series | None = None) -> pl.DataFrame:
    """Each player's scoring form before the window's end (of ``players``; all by default),
    one row per player listed in ``history``:

    games_played_season (games played in the window), points_avg_last_{3,5,10},
    points_avg_season, points_std_last_10 and points_std_season (sample standard deviation,
    null with fewer than 2 games), minutes_avg_last_10, points_per_minute_last_10 (sum of
    points / sum of minutes, over the games with usable minutes), usage_rate_last_10 (mean,
    percent), ts_pct_last_10 (true shooting of the summed points and attempts),
    points_trend_last_10 (least-squares slope of points against game order, points per game),
    dnp_rate_season (DNP rows / rows).
    """
    p = pl.col
    played = _played(history, players)
    season = played.group_by("player_id").agg(
        pl.len().alias("games_played_season"),
        p("pts").mean().alias("points_avg_season"),
        p("pts").std().alias("points_std_season"),
    )
    last10 = (
        played.filter(p(_RANK) <= 10)
        .group_by("player_id")
        .agg(
            *(_last(p("pts"), n).mean().alias(f"points_avg_last_{n}") for n in (3, 5, 10)),
            p("pts").std().alias("points_std_last_10"),
            p("minutes").mean().alias("minutes_avg_last_10"),
            f.ratio(p("pts").filter(p("minutes").is_not_null()).sum(), p("minutes").sum()).alias(
                "points_per_minute_last_10"
            ),
            p("usage_rate").mean().alias("usage_rate_last_10"),
            f.true_shooting(p("pts").sum(), p("fga").sum(), p("fta").sum()).alias("ts_pct_last_10"),
            _slope(p("pts"), 10).alias("points_trend_last_10"),
        )
    )
    listed = history if players is None else history.filter(p("player_id").is_in(players.implode()))
    dnp_rate = listed.group_by("player_id").agg(p("dnp").mean().alias("dnp_rate_season"))
    return (
        dnp_rate.join(season, on="player_id", how="left")
        .join(last10, on="player_id", how="left")
        .with_columns(p("games_played_season").fill_null(0).cast(pl.Int64))
    )


def team_history(history: pl.DataFrame) -> pl.DataFrame:
    """One row per team with a game in ``history``: games_in_window (games it played),
    pace_last_10, off_rating_last_10 and def_rating_last_10 (means over its last 10 games),
    and the field-goal percentage its opponents shot in each zone over its last 10 games with
    a shot chart (allowed_{paint,mid,three}_fg_pct; null without one)."""
    p = pl.col
    games = _ranked(
        history.group_by("game_id", "game_date", "team_id").agg(
            p("team_pace", "team_off_rating", "team_def_rating").first()
        ),
        "team_id",
    )
    form = games.group_by("team_id").agg(
        pl.len().alias("games_in_window"),
        _last(p("team_pace"), 10).mean().alias("pace_last_10"),
        _last(p("team_off_rating"), 10).mean().alias("off_rating_last_10"),
        _last(p("team_def_rating"), 10).mean().alias("def_rating_last_10"),
    )
    shots = history.filter(p("paint_fga").is_not_null())
    against = _ranked(
        shots.group_by("game_id", "game_date", p("opponent_team_id").alias("team_id")).agg(
            p(f"{z}_{s}").sum() for z in ZONES for s in ("fga", "fgm")
        ),
        "team_id",
    )
    allowed = against.group_by("team_id").agg(
        f.ratio(_last(p(f"{z}_fgm"), 10).sum(), _last(p(f"{z}_fga"), 10).sum()).alias(f"allowed_{z}_fg_pct")
        for z in ZONES
    )
    return form.join(allowed, on="team_id", how="left")


def league_zone_fg_pct(history: pl.DataFrame) -> dict[str, float | None]:
    """Field-goal percentage of every charted attempt in ``history``, by zone (None without)."""
    totals = history.select(pl.col(f"{z}_{s}").sum() for z in ZONES for s in ("fga", "fgm")).row(0, named=True)
    return {z: totals[f"{z}_fgm"] / totals[f"{z}_fga"] if totals[f"{z}_fga"] else None for z in ZONES}


def window_games(history: pl.DataFrame) -> pl.DataFrame:
    """Rows per (player, team): the games of that team in the window in which the player is
    listed (played or not), as ``found_games``."""
    return history.group_by("player_id", "team_id").agg(pl.col("game_id").n_unique().alias("found_games"))


def missing_dates(history: pl.DataFrame, window: list[str]) -> int:
    """Dates of the window without any summary row: box-score files that could not be read."""
    present = {d.isoformat() for d in history.get_column("game_date").unique().to_list()}
    return sum(d not in present for d in window)
