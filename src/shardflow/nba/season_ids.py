"""Seasons and season types from NBA game ids and season ids.

A stats.nba.com game id has ten digits, ``00TYYNNNNN`` (``0022200552``): league ``00``, the
season type ``T``, the season's starting year ``YY`` (``22`` = 2022-23) and the game's number.
A season id (``SEASON_ID`` of the game logs) is ``TYYYY`` (``22025``). The Kaggle tables drop
the leading zeros of game ids (``22100759``); :func:`game_id_expr` puts them back.

The season of a game is its season id, not the calendar: the 2019-20 playoffs were played in
August to October 2020, in the 2019 season. Game ids of another form (balldontlie's) have no
season type; their season is the calendar's (:func:`.windows.season_of`).
"""

from __future__ import annotations

import polars as pl

#: Season type digit -> name (``nba.season_types`` takes the names).
SEASON_TYPES = {
    "1": "preseason",
    "2": "regular_season",
    "3": "all_star",
    "4": "playoffs",
    "5": "play_in",
    "6": "cup_final",
}
NBA_GAME_ID = r"^00([1-6])(\d{2})\d{5}$"
#: Two-digit season years from this one on are 19YY (the league's first season is 1946-47).
FIRST_CENTURY_YEAR = 46


def game_id_expr(col: str) -> pl.Expr:
    """The game id of the column ``col`` with the leading zeros an integer column lost put back
    (``22100759``, eight digits starting with a season type, becomes ``0022100759``); other ids
    unchanged."""
    s = pl.col(col).cast(pl.String).str.strip_chars()
    return pl.when(s.str.contains(r"^[1-6]\d{7}$")).then(s.str.zfill(10)).otherwise(s)


def season_expr(game_id: pl.Expr) -> pl.Expr:
    """Season (starting year, Int64) of an NBA game id; null for ids of another form."""
    yy = game_id.str.extract(NBA_GAME_ID, 2).cast(pl.Int64)
    return pl.when(yy < FIRST_CENTURY_YEAR).then(2000 + yy).otherwise(1900 + yy)


def season_type_expr(game_id: pl.Expr) -> pl.Expr:
    """Season type name of an NBA game id (:data:`SEASON_TYPES`); null for ids of another form."""
    return game_id.str.extract(NBA_GAME_ID, 1).replace_strict(SEASON_TYPES, default=None)


def chosen_games(game_id: pl.Expr, season_types: list[str]) -> pl.Expr:
    """True for the games of the chosen season types, and for ids without a season type."""
    kind = season_type_expr(game_id)
    return kind.is_null() | kind.is_in(season_types)
